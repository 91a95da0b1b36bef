# Two pomctl at once: the second exits 4 naming the first; SIGINT during a
# step's command ends its process group, marks the step interrupted and
# resume finishes the run.  kill -9 of pomctl: its direct child dies with
# it, and the next pomctl ends what is left of the group before it runs.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL_TESTSTEPS
make_root
echo 4243 >"$ROOT/teststeps/sleep-update"

# start_run: `upgrade` in the background (bg), once the update step's make
# (its process group: group) runs its sleep
start_run() {
	"$P" --root "$ROOT" upgrade --patch string >"$T/bg.out" 2>"$T/bg.err" &
	bg=$!
	group=
	for i in $(seq 100); do
		group=$(pgrep -P "$bg" make) && pgrep -g "$group" sleep >/dev/null && break
		sleep 0.1
	done
	[ -n "$group" ] || fail "the step's command did not start"
}
at_exit 'kill -9 ${bg:-} 2>/dev/null; [ -n "${group:-}" ] && kill -9 -$group 2>/dev/null'

start_run

expect_exit 4 "$P" --root "$ROOT" upgrade --patch string
assert_grep "another pomctl (pid $bg) is running" "$T/err"
expect_exit 4 "$P" --root "$ROOT" resume
# status reads without the lock
expect_exit 0 "$P" --root "$ROOT" status
assert_grep 'update *running' "$T/out"

kill -INT "$bg"
wait "$bg"
rc=$?
[ "$rc" -eq 1 ] || fail "interrupted pomctl exited $rc, expected 1"
grep -q "step 'update' was interrupted" "$T/bg.err" || fail "no interrupt message"
sleep 0.2
# live members only: a zombie is dead, reaping it is init's job
[ -z "$(ps -eo pgid=,stat= | awk -v g="$group" '$1 == g && $2 !~ /^Z/')" ] ||
	fail "the step's process group survived"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep 'update *interrupted' "$T/out"

rm "$ROOT/teststeps/sleep-update"
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep 'all 9 steps done' "$T/out"
assert_grep 'update (it was interrupted)' "$T/err"
[ "$(commands_in_log check)" -eq 1 ] || fail "check ran again"

# kill -9 while make's recipe (a grandchild) sleeps
rm -rf "$STATE"
echo 4243 >"$ROOT/teststeps/sleep-update"
start_run
kill -9 "$bg"
wait "$bg" 2>/dev/null
sleep 0.3
live() { ps -eo pid=,pgid=,stat=,comm= | awk -v g="$group" '$2 == g && $3 !~ /^Z/'; }
live | grep -q ' make$' && fail "make outlived pomctl's SIGKILL"
live | grep -q ' sleep$' || fail "test broken: the recipe's sleep is gone already"
# status does not touch it; resume ends it first, then runs the step again
expect_exit 0 "$P" --root "$ROOT" status
live | grep -q ' sleep$' || fail "status stopped the group"
rm "$ROOT/teststeps/sleep-update"
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "stopping the commands an earlier pomctl (pid $bg) left running (process group $group)" "$T/err"
[ -z "$(live)" ] || fail "the orphaned group survived resume: $(live)"
assert_grep 'all 9 steps done' "$T/out"
# the record is cleared: a further run has nothing to stop
expect_exit 0 "$P" --root "$ROOT" resume --from verify
assert_no_grep "stopping the commands" "$T/err"

# a pomctl killed while a helper it forked with its descriptors (the spec
# parser, the network namespace's test) ran: the helper holds the lock a
# moment longer; the next pomctl waits for it (up to 3 s), and past that
# says what holds it (flock(1) stands for the helper: the lock names a
# pomctl that has ended)
command -v flock >/dev/null || fail "flock(1) is needed"
sh -c 'exit 0' &
dead=$!
wait "$dead"
lock=$ROOT/var/lock/pomctl
hold_lock() {	# hold_lock SECONDS: the lock held, naming the ended pomctl
	echo "$dead" >"$lock"
	flock -o "$lock" sleep "$1" &
	holder=$!
	sleep 0.3
}
hold_lock 1
expect_exit 0 "$P" --root "$ROOT" resume --from verify
assert_no_grep "holds the lock" "$T/err"
wait "$holder"
hold_lock 10
expect_exit 4 "$P" --root "$ROOT" resume --from verify
assert_grep "pomctl (pid $dead) has ended, but a process it started still holds the lock '$lock' on this root; wait for it to end" "$T/err"
pkill -P "$holder"; kill "$holder"
exit 0
