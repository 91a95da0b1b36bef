# The command line of the real binary: help, version, bad input, status on
# an empty state, commands that cannot do their work on a bare root.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
make_root

expect_exit 0 "$P" --help
assert_grep 'upgrade --patch NAME' "$T/out"
assert_grep 'pomctl help COMMAND' "$T/out"
! grep -q -- '--trial' "$T/out" || fail "pomctl --help lists upgrade's options"
expect_exit 0 "$P" upgrade --help
assert_grep '--detailed-exitcode' "$T/out"
assert_grep '--trial=full|build|skip' "$T/out"
expect_exit 0 "$P" --version
assert_grep '^pomctl [0-9]' "$T/out"

one_line_error() {
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "expected one line on stderr"
	assert_grep '^pomctl: ' "$T/err"
}

# bad input: one line, exit 2, nothing created, nothing run
for args in "--bogus" "frobnicate" "upgrade" "status extra" "log" \
	"--trial=fast upgrade -p string" "-j 0 status" "-j x status" \
	"resume --from nosuch" "status --plan" "--detailed-exitcode upgrade -p x" \
	"-q -v status" "status --patch string" "help nosuch" "--patch string" \
	"bundle --plan" "rollback -p string" "resume --auto-resume" "-y status" \
	"upgrade -j 0 -p string" "list-patches --from check"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$P" --root "$ROOT" $args
	one_line_error
done
for name in 'a;b' '../../x' "string;touch $T/pwned" '-x' '' 'a b' \
	"\$(touch $T/pwned)"; do
	expect_exit 2 "$P" --root "$ROOT" upgrade --patch "$name"
	one_line_error
	assert_grep "bad patch name" "$T/err"
done
[ ! -e "$T/pwned" ] || fail "a patch name was run"
expect_exit 2 "$P" --root "$ROOT" --detailed-exitcode status
assert_grep "^pomctl: --detailed-exitcode is an option of upgrade, resume and rollback, not of status (see pomctl help status)" "$T/err"
[ ! -e "$ROOT/var" ] || fail "bad input created the state directory"

# status and log with no run
expect_exit 0 "$P" --root "$ROOT" status
assert_grep '^no run in progress in .*/var/lib/pomctl' "$T/out"
assert_grep '^host: no extension' "$T/out"
expect_exit 0 "$P" --root "$ROOT" --json status
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]==1 and d["steps"]==[]' "$T/out" ||
	fail "status --json is not the expected JSON"
expect_exit 2 "$P" --root "$ROOT" log nosuch
one_line_error
expect_exit 2 "$P" --root "$ROOT" log kernl
assert_grep "unknown step 'kernl'; did you mean 'kernel'?" "$T/err"
expect_exit 2 "$P" --root "$ROOT" log 10
assert_grep "or their numbers 1 to 9" "$T/err"
expect_exit 2 "$P" --root "$ROOT" resume --from instal
assert_grep "^pomctl: --from: unknown step 'instal'; did you mean 'install'?" "$T/err"
expect_exit 2 "$P" --root "$ROOT" log 4	# the trial's, by its number
assert_grep "step 'trial' has no log yet" "$T/err"
expect_exit 2 "$P" --root "$ROOT" log check
assert_grep "has no log yet" "$T/err"
expect_exit 2 "$P" --root "$ROOT" resume
assert_grep "nothing to resume" "$T/err"
[ ! -e "$ROOT/var" ] || fail "status or resume created the state directory"

# commands that cannot do their work here say why
expect_exit 2 "$P" --root "$ROOT" list-patches
assert_grep "kernel tree .*/usr/src/linux-2.4. does not exist (see \[kernel\] tree)" "$T/err"
expect_exit 2 "$P" --root "$ROOT" status --kernel /x
expect_exit 2 "$P" --root "$ROOT" rollback
assert_grep "nothing to roll back: no run in .* changed anything" "$T/err"
# this bare root is no host pomctl can upgrade: one message naming what it
# lacks and why, before anything (no run, no update), the plan alike
for plan in "" --plan; do
	# shellcheck disable=SC2086
	expect_exit 2 "$P" --root "$ROOT" upgrade --patch string $plan
	assert_grep "^pomctl: this host lacks what pomctl needs .*: no rpm database at '$ROOT/var/lib/rpm' (pomctl reads" "$T/err"
	assert_grep "; no 'up2date' to run (\[update\] updater = up2date" "$T/err"
	assert_grep "; no boot loader configuration at '$ROOT/boot/grub/grub.conf' (pomctl adds" "$T/err"
	assert_grep "; nothing was changed$" "$T/err"
	[ "$(grep -c 'lacks what pomctl needs' "$T/err")" -eq 1 ] || fail "said more than once"
	[ ! -e "$ROOT/var/lib/pomctl/state.json" ] || fail "a run started on a host pomctl cannot upgrade"
done
expect_exit 0 "$P" --root "$ROOT" status
assert_grep '^no run in progress' "$T/out"

# configuration errors name file:line; unsafe files are refused
printf '[kernel]\ntree = relative/path\n' >"$T/bad.conf"
expect_exit 2 "$P" --config "$T/bad.conf" status
assert_grep "bad.conf:2: \[kernel\] tree: bad value 'relative/path'" "$T/err"
# a misspelt section or key: did you mean, or where the key lives
printf '[genral]\n' >"$T/typo.conf"
chmod 600 "$T/typo.conf"
expect_exit 2 "$P" --config "$T/typo.conf" status
assert_grep "typo.conf:1: unknown section \[genral\]; did you mean 'general'?" "$T/err"
printf '[general]\nfollow_kernel_update = yes\n' >"$T/typo.conf"
expect_exit 2 "$P" --config "$T/typo.conf" status
assert_grep "unknown key 'follow_kernel_update' in \[general\]; did you mean 'follow_kernel_updates'?" "$T/err"
printf '[general]\ntree = /usr/src/linux\n' >"$T/typo.conf"
expect_exit 2 "$P" --config "$T/typo.conf" status
assert_grep "unknown key 'tree' in \[general\]; it is a key of \[kernel\]" "$T/err"
printf '[build]\njobs = 2\n' >"$T/open.conf"
chmod 666 "$T/open.conf"
expect_exit 2 "$P" --config "$T/open.conf" status
assert_grep "writable by group or others" "$T/err"
expect_exit 2 "$P" --config "$T/none.conf" status
assert_grep "cannot open config file" "$T/err"
ln -s "$ROOT/etc/pomctl.conf" "$T/link.conf"
expect_exit 2 "$P" --config "$T/link.conf" status
expect_exit 2 "$P" --root "$T/nonexistent" status
assert_grep "root '.*nonexistent'" "$T/err"
exit 0
