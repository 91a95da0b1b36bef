# Plan = run (issue 16): before each part of a run, its plan is made
# (--json ... --plan) on the same sandbox, then the run; what the run's
# logs, manifests and pauses show is compared, step by step, with the
# plan's commands, file edits, EXTRAVERSION and reboot release
# (tests/fixtures/plan-vs-run.py).  Four runs: the demo's (--trial=full),
# one with --trial=build, a second run on the host the first upgraded,
# and resume --from kernel.  A fresh plan cannot know the patch and rpm
# steps' commands (patch-o-matic and the SRPM are not fetched yet): it
# says so (a "pending" action), and only there may the run do more than
# the plan listed.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
PVR=$POMCTL_TOP/tests/fixtures/plan-vs-run.py

# segment LABEL ARGS...: plan, run, compare
segment() {
	label=$1
	shift
	"$P" --root "$ROOT" --json "$@" --plan >"$T/plan.json" 2>"$T/plan.err" ||
		fail "$label: the plan failed: $(cat "$T/plan.err")"
	rm -rf "$T/logs.before"
	mkdir -p "$T/logs.before"
	[ ! -d "$STATE/logs" ] || cp -a "$STATE/logs/." "$T/logs.before/"
	"$P" --root "$ROOT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "$label: '$*' ended with $rc: $(cat "$T/err")"
	python3 "$PVR" "$T/plan.json" "$STATE" "$T/logs.before" "$T/out" \
		--private "$(sed -n 's/^netns_iptables = //p' "$CONF")" >"$T/cmp" ||
		fail "$label: the plan and the run differ: $(cat "$T/cmp")"
	grep -q "^compared: ." "$T/cmp" || fail "$label: no step compared"
}

# the demo's run: trial, install, verify, each after its reboot
sandbox_root
segment "upgrade" upgrade --patch string
assert_grep "reboot into 2.4.20-13.8custom," "$T/out"
assert_grep "^compared: check update fetch trial$" "$T/cmp"
reboot_into 2.4.20-13.8custom
segment "resume after the trial" resume
assert_grep "^compared: patch rpm kernel install$" "$T/cmp"
reboot_into 2.4.20-13.8custom1
segment "resume after install" resume
assert_grep "^compared: verify$" "$T/cmp"
assert_grep "all 9 steps done" "$T/out"

# a second run on the host the first upgraded: patch-o-matic is there now
sed -i 's/^\[rpm\]$/[rpm]\nrelease = 2.pom/' "$CONF"
segment "second run" upgrade --patch iprange --trial=build
assert_grep "reboot into 2.4.20-13.8custom2," "$T/out"
# its plan names the SRPM the run installs: the distribution's, not the
# one the first run built
assert_grep "iptables-1.2.6a-2.src.rpm" "$T/plan.json"
assert_no_grep "iptables-1.2.8-1.pom.src.rpm" "$T/plan.json"
assert_grep "installed iptables-1.2.6a-2.src.rpm" "$T/err"
reboot_into 2.4.20-13.8custom2
segment "second run, after install" resume
assert_grep "all 9 steps done" "$T/out"

# resume --from kernel: a new release, planned as built
segment "resume --from kernel" resume --from kernel
assert_grep "reboot into 2.4.20-13.8custom3," "$T/out"
reboot_into 2.4.20-13.8custom3
segment "resume --from kernel, after install" resume
assert_grep "all 9 steps done" "$T/out"

# --trial=build on a fresh host
sandbox_root
segment "--trial=build" upgrade --patch string --trial=build
assert_grep "^compared: check update fetch trial patch rpm kernel install$" "$T/cmp"
assert_grep "reboot into 2.4.20-13.8custom1," "$T/out"
exit 0
