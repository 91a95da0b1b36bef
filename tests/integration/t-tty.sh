# On a terminal a live progress line shows the step, the elapsed time and
# the command's last output line; --quiet shows none; without a terminal
# (or on TERM=dumb) there are no control sequences at all, and a long
# command gets a plain heartbeat line instead.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL_TESTSTEPS
make_root
echo 1 >"$ROOT/teststeps/sleep-update"
command -v script >/dev/null || { echo "script(1) missing"; exit 1; }

TERM=xterm script -qec "$P --root $ROOT upgrade -p string" /dev/null >"$T/tty" 2>&1 ||
	fail "run on a terminal failed: $(cat "$T/tty")"
assert_grep "\[update 0:00\] step update working" "$T/tty"
grep -q "$(printf '\033\\[K')" "$T/tty" || fail "no line clearing on a terminal"

rm -rf "$STATE"
TERM=xterm script -qec "$P --root $ROOT -q upgrade -p string" /dev/null >"$T/tty" 2>&1 ||
	fail "quiet run failed"
assert_no_grep "\[update" "$T/tty"
assert_no_grep "step 2/9" "$T/tty"
assert_grep "all 9 steps done" "$T/tty"

# errors are coloured on a terminal, never with NO_COLOR set
rm -rf "$STATE"
touch "$ROOT/teststeps/fail-patch"
TERM=xterm script -qec "$P --root $ROOT upgrade -p string" /dev/null >"$T/tty" 2>&1 &&
	fail "the failing run succeeded"
grep -q "$(printf '\033\\[1;31mpomctl:')" "$T/tty" || fail "no red error on a terminal"
rm -rf "$STATE"
NO_COLOR=1 TERM=xterm script -qec "$P --root $ROOT upgrade -p string" /dev/null >"$T/tty" 2>&1 &&
	fail "the failing run succeeded"
assert_grep "^pomctl: step 'patch' failed" "$T/tty"
grep -q "$(printf '\033\\[1;31m')" "$T/tty" && fail "colour despite NO_COLOR"
rm "$ROOT/teststeps/fail-patch"

rm -rf "$STATE"
expect_exit 0 "$P" --root "$ROOT" upgrade -p string
! grep -q "$(printf '\033')" "$T/err" "$T/out" || fail "escape sequences without a terminal"
assert_grep "^step 2/9: update" "$T/err"
assert_no_grep "still running" "$T/err"	# 1 s is no long command

# a terminal that takes no control sequences gets none, nor colour
rm -rf "$STATE"
touch "$ROOT/teststeps/fail-patch"
TERM=dumb script -qec "$P --root $ROOT upgrade -p string" /dev/null >"$T/tty" 2>&1 &&
	fail "the failing run succeeded"
! grep -q "$(printf '\033')" "$T/tty" || fail "escape sequences on TERM=dumb"
assert_grep "^step 2/9: update" "$T/tty"
assert_grep "^pomctl: step 'patch' failed" "$T/tty"
rm "$ROOT/teststeps/fail-patch"

# without a terminal, a heartbeat each [general] heartbeat seconds
rm -rf "$STATE"
echo 3 >"$ROOT/teststeps/sleep-update"
printf '[general]\nheartbeat = 1\n' >>"$ROOT/etc/pomctl.conf"
expect_exit 0 "$P" --root "$ROOT" upgrade -p string
assert_grep "^\[update 0:0[12]\] still running" "$T/err"
! grep -q "$(printf '\033')" "$T/err" || fail "escape sequences in the heartbeat"
rm -rf "$STATE"
expect_exit 0 "$P" --root "$ROOT" -q upgrade -p string
assert_no_grep "still running" "$T/err"
exit 0
