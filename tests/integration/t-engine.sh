# The pipeline end to end with the fixture steps: two reboot pauses, a
# failure, resume without rework, fingerprints, --from.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL_TESTSTEPS
make_root
echo 2.4.20-13.8custom >"$ROOT/teststeps/pause-trial"
echo 2.4.20-13.8custom1 >"$ROOT/teststeps/pause-install"
touch "$ROOT/teststeps/fail-patch"

expect_exit 3 "$P" --root "$ROOT" upgrade --patch string
assert_grep 'reboot into 2.4.20-13.8custom, then run pomctl resume' "$T/out"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep 'trial *awaiting-reboot' "$T/out"
[ "$(stat -c %a "$STATE")" = 700 ] || fail "state directory is not 0700"
[ "$(stat -c %a "$STATE/state.json")" = 600 ] || fail "state file is not 0600"

# no reboot yet: still paused
expect_exit 3 "$P" --root "$ROOT" resume
assert_grep 'has not rebooted' "$T/out"
# the old kernel came up
reboot_into 2.4.20-13.8
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep 'runs 2.4.20-13.8, not 2.4.20-13.8custom' "$T/err"
# the right one: on to patch, which fails with its log's last lines
reboot_into 2.4.20-13.8custom
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "step 'patch' failed; the last lines of .*05-patch.log" "$T/err"
assert_grep "error: step patch fails as asked" "$T/err"
assert_grep "see pomctl log patch" "$T/err"
# its cause said once, by the step; the last line says where to look
[ "$(grep -c "make patch exited with 2" "$T/err")" -eq 1 ] ||
	fail "the cause was said other than once: $(cat "$T/err")"
[ "$(tail -n 1 "$T/err")" = "pomctl: step 'patch' failed (see pomctl log patch; fix it, then run pomctl resume)" ] ||
	fail "the last line: $(tail -n 1 "$T/err")"
expect_exit 0 "$P" --root "$ROOT" --json status
python3 - "$T/out" <<'PY' || fail "status JSON is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
st = {s["name"]: s["status"] for s in d["steps"]}
assert st["trial"] == "done" and st["patch"] == "failed" and st["rpm"] == "pending", st
PY

# resume after the fix: the done steps run no command again
rm "$ROOT/teststeps/fail-patch"
expect_exit 3 "$P" --root "$ROOT" resume
assert_grep 'reboot into 2.4.20-13.8custom1' "$T/out"
reboot_into 2.4.20-13.8custom1
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep 'all 9 steps done' "$T/out"
for s in check update fetch trial rpm kernel install verify; do
	[ "$(commands_in_log $s)" -eq 1 ] || fail "step $s ran $(commands_in_log $s) commands"
done
[ "$(commands_in_log patch)" -eq 2 ] || fail "patch should have run twice"
expect_exit 0 "$P" --root "$ROOT" log patch
assert_grep '^=== step patch, attempt 2 of run 20[0-9TZ:-]*, .*: it failed last time' "$T/out"
expect_exit 0 "$P" --root "$ROOT" --json log patch
python3 - "$T/out" <<'PY' || fail "log JSON is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == 1 and d["step"] == "patch"
assert d["log"].count("\n$ make -C ") == 2, d["log"]
PY

# a changed input re-runs exactly the steps that depend on it
: >"$ROOT/teststeps/ran"
echo "new fetch input" >"$ROOT/teststeps/input-fetch"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep 'fetch .*will re-run: file .*input-fetch changed' "$T/out"
expect_exit 0 "$P" --root "$ROOT" resume
[ "$(tr '\n' ' ' <"$ROOT/teststeps/ran")" = "fetch rpm " ] ||
	fail "expected fetch and rpm to re-run, ran: $(cat "$ROOT/teststeps/ran")"
assert_grep "the results of step 'fetch' changed" "$STATE/logs/06-rpm.log"
: >"$ROOT/teststeps/ran"
expect_exit 0 "$P" --root "$ROOT" resume
[ ! -s "$ROOT/teststeps/ran" ] || fail "an up-to-date run ran $(cat "$ROOT/teststeps/ran")"
# a config value every step reads re-runs them all (the pauses are gone)
rm "$ROOT/teststeps/pause-trial" "$ROOT/teststeps/pause-install"
expect_exit 0 "$P" --root "$ROOT" -j 3 resume
[ "$(wc -l <"$ROOT/teststeps/ran")" -eq 9 ] || fail "-j 3 should re-run all"
assert_grep 'config \[build\] jobs changed' "$STATE/logs/01-check.log"

# --from runs that step and the later ones again
: >"$ROOT/teststeps/ran"
expect_exit 0 "$P" --root "$ROOT" -j 3 resume --from kernel
[ "$(tr '\n' ' ' <"$ROOT/teststeps/ran")" = "kernel install verify " ] ||
	fail "--from kernel ran: $(cat "$ROOT/teststeps/ran")"
# and by its number, as status numbers the steps
: >"$ROOT/teststeps/ran"
expect_exit 0 "$P" --root "$ROOT" -j 3 resume --from 8
[ "$(tr '\n' ' ' <"$ROOT/teststeps/ran")" = "install verify " ] ||
	fail "--from 8 ran: $(cat "$ROOT/teststeps/ran")"

# a finished run is archived when a new one starts
expect_exit 0 "$P" --root "$ROOT" -j 3 upgrade --patch string
[ "$(ls "$STATE/runs" | wc -l)" -eq 1 ] || fail "the finished run was not archived"
# a step's log file keeps every run's sections; pomctl log shows this run's
[ "$(grep -c '^=== step check, attempt' "$STATE/logs/01-check.log")" -ge 2 ] ||
	fail "the check's log lost the earlier run"
expect_exit 0 "$P" --root "$ROOT" log check
[ "$(grep -c '^=== step check, attempt' "$T/out")" -eq 1 ] ||
	fail "log check shows more than this run: $(cat "$T/out")"
id=$("$P" --root "$ROOT" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
assert_grep "^=== step check, attempt 1 of run $id, " "$T/out"
exit 0
