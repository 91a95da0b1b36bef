# A damaged state file is refused with a message naming it, never a crash;
# a leftover temp file from a crash during a save is ignored.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL_TESTSTEPS
make_root
touch "$ROOT/teststeps/fail-rpm"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string
cp "$STATE/state.json" "$T/good.json"

# a crash between writing the temp file and the rename
head -c 100 "$T/good.json" >"$STATE/state.json.tmp"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep 'rpm *failed' "$T/out"

for cut in 1 50 500 2000; do
	head -c $cut "$T/good.json" >"$STATE/state.json"
	expect_exit 2 "$P" --root "$ROOT" status
	assert_grep "state file '$STATE/state.json' is damaged" "$T/err"
	expect_exit 2 "$P" --root "$ROOT" resume
	assert_grep "move it aside" "$T/err"
done
printf '\000\001binary' >"$STATE/state.json"
expect_exit 2 "$P" --root "$ROOT" status
sed 's/"failed"/"exploded"/' "$T/good.json" >"$STATE/state.json"
expect_exit 2 "$P" --root "$ROOT" resume
assert_grep "step 'rpm', field 'status'" "$T/err"

# the good state back: resume continues at rpm
cp "$T/good.json" "$STATE/state.json"
rm "$ROOT/teststeps/fail-rpm"
expect_exit 0 "$P" --root "$ROOT" resume
[ "$(commands_in_log fetch)" -eq 1 ] || fail "fetch ran again"
[ "$(commands_in_log rpm)" -eq 2 ] || fail "rpm should have run twice"
exit 0
