# Helpers for the integration tests; sourced with T set to a scratch dir.
set -u

fail() {
	echo "FAILED: $*"
	[ -f "$T/err" ] && { echo "--- stderr:"; cat "$T/err"; }
	[ -f "$T/out" ] && { echo "--- stdout:"; cat "$T/out"; }
	exit 1
}

# The plan is the run, in every test: a pomctl command that changes a
# sandbox (upgrade, resume, rollback with --root), run through
# expect_exit, run_ok or run_to_end, is preceded by its plan on the same
# sandbox (--json ... --plan) and followed by a comparison: a plan that
# refuses (exit 2) means a run that is refused or fails, saying the plan's
# reason, and a refused run had a refused plan (but for the consent: a
# plan does not ask); the plan of an upgrade or resume that ran lists what
# its step logs and manifests show (tests/fixtures/plan-vs-run.py), and
# that of a rollback what the rollback says it undid
# (tests/fixtures/rollback-vs-plan.py).  Each comparison is counted in $POMCTL_PLANRUN when
# the runner sets it.  Not under valgrind (POMCTL_PASS=valgrind): the
# plain and sanitizer passes make the same comparisons, faster.

# planned_run CMD...: CMD with its output in $T/out and $T/err, compared
# with its plan when CMD is such a command; $got is CMD's exit code.
planned_run() {
	pr_root=
	pr_cmd=
	if [ "$1" = "$POMCTL" ] && [ "${POMCTL_PASS:-}" != valgrind ]; then
		pr_prev=
		for a in "$@"; do
			case $a in
			--plan | --help | -h | --json | --version | --detailed-exitcode) pr_cmd=; break ;;
			upgrade | resume | rollback) [ -n "$pr_cmd" ] || pr_cmd=$a ;;
			esac
			[ "$pr_prev" = --root ] && pr_root=$a
			pr_prev=$a
		done
	fi
	[ -n "$pr_root" ] || pr_cmd=
	if [ -n "$pr_cmd" ]; then
		pr_state=$pr_root/var/lib/pomctl
		# a host's first run: the host as it was, for the rollback
		# property below
		[ "$pr_cmd" != upgrade ] || [ -e "$pr_state/state.json" ] ||
			[ -d "$pr_state/runs" ] || rp_record "$pr_root"
		shift
		"$POMCTL" --json "$@" --plan </dev/null >"$T/pr.plan" 2>"$T/pr.perr"
		pr_rc=$?
		set -- "$POMCTL" "$@"
		rm -rf "$T/pr.logs"
		mkdir -p "$T/pr.logs"
		[ ! -d "$pr_state/logs" ] || cp -a "$pr_state/logs/." "$T/pr.logs/"
	fi
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	[ -n "$pr_cmd" ] || return 0
	if [ $pr_rc -eq 2 ]; then
		# the same sentence, but for numbers (a connect's "after 2 ms")
		pr_why=$(grep '^pomctl: ' "$T/pr.perr" | tail -1 | sed 's/[0-9][0-9]*/N/g')
		[ $got -eq 2 ] || [ $got -eq 1 ] ||
			fail "plan = run: the plan of '$*' refused, the run ended with $got: $pr_why"
		sed 's/[0-9][0-9]*/N/g' "$T/err" | grep -qF -e "$pr_why" ||
			fail "plan = run: the plan of '$*' refused ($pr_why); the run said otherwise"
	elif [ $got -eq 2 ] && [ $pr_rc -ne 2 ] &&
		! grep -q "asks first, but there is no terminal\|^pomctl: not confirmed" "$T/err"; then
		fail "plan = run: '$*' was refused, its plan (exit $pr_rc) was not"
	elif [ $pr_rc -eq 0 ] && [ "$pr_cmd" != rollback ] && [ -f "$pr_state/state.json" ] &&
		[ $got -ne 2 ] && [ $got -ne 4 ]; then
		python3 "$POMCTL_TOP/tests/fixtures/plan-vs-run.py" "$T/pr.plan" \
			"$pr_state" "$T/pr.logs" "$T/out" --private \
			"$(sed -n 's/^netns_iptables = //p' "$pr_root/etc/pomctl.conf" 2>/dev/null)" \
			>"$T/pr.cmp" 2>&1 ||
			fail "plan = run: the plan of '$*' and its run differ: $(cat "$T/pr.cmp")"
	elif [ $pr_rc -eq 0 ] && [ "$pr_cmd" = rollback ] && [ $got -eq 0 ]; then
		python3 "$POMCTL_TOP/tests/fixtures/rollback-vs-plan.py" "$T/pr.plan" \
			"$T/out" "$T/err" >"$T/pr.cmp" 2>&1 ||
			fail "plan = run: the plan of '$*' and its rollback differ: $(cat "$T/pr.cmp")"
	fi
	echo "$pr_cmd $pr_rc $got" >>"${POMCTL_PLANRUN:-/dev/null}"
	return 0
}

# expect_exit CODE CMD...: run CMD, stdout to $T/out, stderr to $T/err.
expect_exit() {
	want=$1
	shift
	planned_run "$@"
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want"
}

# run_ok CMD...: a run that may end anywhere after the step under test
# (done, a later step failed or not built yet, a reboot pause), but not in
# a usage error or a crash.
run_ok() {
	planned_run "$@"
	case $got in 0|1|3) ;; *) fail "'$*' exited $got" ;; esac
}

assert_grep() {
	grep -q -e "$1" "$2" || fail "'$2' lacks '$1'"
}

assert_no_grep() {
	! grep -q -e "$1" "$2" || fail "'$2' has '$1'"
}

# The number of lines of $2 that contain $1 (fixed string).
count() {
	grep -cF -e "$1" "$2" || true
}

# A digest of everything under a directory: names, types, modes, sizes,
# mtimes and contents; tree_hash DIR SUB... leaves out each DIR/SUB and
# all in it.
tree_hash() {
	( cd "$1" && shift &&
	  for sub in "$@"; do set -- "$@" -path "./$sub" -prune -o; shift; done &&
	  find . "$@" -printf '%p %y %m %s %T@\n' | sort &&
	  find . "$@" -type f -print0 | sort -z | xargs -0 -r sha256sum ) |
		sha256sum
}

# the steps, in order, as pomctl's step table has them
# the step names, as pomctl --help gives them (tests/run-integration asks
# once a pass: under valgrind a call costs a second)
STEPS=${POMCTL_STEPS:-$("$POMCTL" --help | sed -n 's/^Steps: //p')}
[ -n "$STEPS" ] || fail "pomctl --help names no steps"

# A sandbox root for the real steps (tests/fixtures/mkroot) at $T/sb:
# sets ROOT, STATE and CONF.
sandbox_root() {
	ROOT=$T/sb
	STATE=$ROOT/var/lib/pomctl
	CONF=$ROOT/etc/pomctl.conf
	rp_check "$ROOT"	# the one it replaces, first
	rm -rf "$ROOT"
	"$POMCTL_TOP/tests/fixtures/mkroot" "$ROOT" --world "$POMCTL_WORLD" "$@" \
		>/dev/null 2>&1 || fail "mkroot"
}

# publish NVR...: the channel of $ROOT's updater publishes these packages
# of the world (tests/fixtures/bin/sandbox-tool installs them at its next
# update)
publish() {
	for p; do echo "$p"; done >>"$ROOT/etc/sysconfig/rhn/sandbox-published"
}

# conf_set SECTION KEY VALUE [FILE]: "KEY = VALUE" in [SECTION] of FILE
# (default $CONF): the key's line there replaced, else added at the
# section's top; the section added at the end when the file has none.
conf_set() {
	python3 - "${4:-$CONF}" "$1" "$2" "$3" <<'PY' || fail "conf_set $*"
import sys
path, sec, key, value = sys.argv[1:]
lines = open(path, encoding="latin-1").read().split("\n")
head = "[%s]" % sec
if head not in lines:
    lines[-1:] = ["", head, ""] if lines[-1] == "" else [lines[-1], "", head, ""]
start = lines.index(head) + 1
end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
at = next((i for i in range(start, end) if lines[i].split("=")[0].strip() == key), None)
if at is None:
    lines.insert(start, "%s = %s" % (key, value))
else:
    lines[at] = "%s = %s" % (key, value)
open(path, "w", encoding="latin-1").write("\n".join(lines))
PY
}

# unplanned CMD...: CMD as planned_run runs it, without the comparison
# with its plan -- only for a run whose plan cannot know what it will do
# (an update step that installs what the distribution published since:
# the plan says so, and a test says why it uses this)
unplanned() {
	"$@" >"$T/out" 2>"$T/err"
	got=$?
}

# status_is STEP STATE [ROOT]: pomctl status says STEP is STATE (its
# output in $T/st).
status_is() {
	"$POMCTL" --root "${3:-$ROOT}" status >"$T/st" 2>&1
	grep -Eq "(^| )$1 +$2( |\$)" "$T/st" ||
		fail "status of $1 is not $2: $(cat "$T/st")"
}

# A sandbox root for the fixture steps: ROOT=$T/root.
make_root() {
	ROOT=$T/root
	mkdir -p "$ROOT/etc" "$ROOT/teststeps"
	cat >"$ROOT/etc/pomctl.conf" <<CONF
[general]
assume_yes = yes

[host]
release = 2.4.20-13.8
boot_id = boot-1
CONF
	chmod 644 "$ROOT/etc/pomctl.conf"
	cp "$POMCTL_TOP/tests/fixtures/teststeps.mk" "$ROOT/teststeps/Makefile"
	for s in $STEPS; do echo "input of $s" >"$ROOT/teststeps/input-$s"; done
	STATE=$ROOT/var/lib/pomctl
}

# Simulate a reboot of ROOT (default $ROOT) into the given release, as if
# chosen at the console (tests/fixtures/bin/sandbox-reboot).
reboot_into() {
	"$POMCTL_TOP/tests/fixtures/bin/sandbox-reboot" "${2:-$ROOT}" --release "$1" \
		>/dev/null || fail "the sandbox did not reboot"
}

# The reboot as the machine does it: the boot loader of ROOT (default
# $ROOT) picks the entry from its configuration and state
# (tests/fixtures/bootsim.py; --choose TITLE: picked at the console), and
# the host comes up running that release; $BOOTED is it.
boot_host() {
	r=${1:-$ROOT}
	[ $# -gt 0 ] && shift
	BOOTED=$("$POMCTL_TOP/tests/fixtures/bin/sandbox-reboot" "$r" "$@") ||
		fail "the sandbox did not boot"
}

# boot_expect REL [ROOT]: the reboot, which must come up running REL.
boot_expect() {
	boot_host "${2:-$ROOT}"
	[ "$BOOTED" = "$1" ] || fail "the boot loader started $BOOTED, not $1"
}

# The entry Red Hat's GRUB boots once at the next reboot (kept in stage2
# by the sandbox's grub shell), or nothing.
grub_once() {
	head -c 16 "${1:-$ROOT}/boot/grub/stage2" | sed -n 's/^once=\([0-9]*\).*/\1/p'
}

# run_to_end ARGS...: pomctl ARGS on $ROOT (an upgrade), through its
# reboot pauses, to the end; $T/out the last output, $T/all.err all of
# stderr.  RUN_FIRST=unplanned: the first command without its plan
# (see unplanned).  Its consent is compared with the whole run: the
# reboots, packages and downloads the plan before it counted are those
# the run made (tests/fixtures/consent-vs-run.py).
run_to_end() {
	pr_cmd=
	${RUN_FIRST:-planned_run} "$POMCTL" --root "$ROOT" "$@"
	rc=$got
	# the consent: the summary of the plan before the run began
	rte_consent=
	if [ -n "$pr_cmd" ] && [ "$pr_rc" -eq 0 ]; then
		rte_consent=$T/rte.consent
		rm -rf "$rte_consent"
		mkdir -p "$rte_consent"
		cp "$T/pr.plan" "$rte_consent/plan.json"
		cp -a "$T/pr.logs" "$rte_consent/logs"
	fi
	rte_pauses=0
	cp "$T/err" "$T/all.err"
	while [ $rc -eq 3 ]; do
		rte_pauses=$((rte_pauses + 1))
		rel=$(sed -n 's/^pomctl: reboot into \([^ ,]*\), then.*/\1/p' "$T/out")
		[ -n "$rel" ] || fail "a pause without a release"
		boot_expect "$rel"
		planned_run "$POMCTL" --root "$ROOT" resume
		rc=$got
		cat "$T/err" >>"$T/all.err"
	done
	[ $rc -eq 0 ] || fail "'$*' ended with $rc"
	assert_grep "all 9 steps done" "$T/out"
	[ -z "$rte_consent" ] ||
		python3 "$POMCTL_TOP/tests/fixtures/consent-vs-run.py" \
			"$rte_consent/plan.json" "$ROOT/var/lib/pomctl" \
			"$rte_consent/logs" "$rte_pauses" >"$T/rte.cmp" 2>&1 ||
		fail "the consent of '$*' and its run differ: $(cat "$T/rte.cmp")"
	[ -z "$rte_consent" ] || echo "$*" >>"${POMCTL_CONSENTS:-/dev/null}"
}

# The kernel REL was built with each match NAME... as a module (its
# /boot/config says so) and has it installed: built_with REL NAME...
built_with() {
	_rel=$1; shift
	for _n; do
		assert_grep "^CONFIG_IP_NF_MATCH_$(echo "$_n" | tr a-z A-Z)=m$" "$ROOT/boot/config-$_rel"
		[ -f "$ROOT/lib/modules/$_rel/kernel/net/ipv4/netfilter/ipt_$_n.o" ] ||
			fail "ipt_$_n.o is not installed for $_rel"
	done
}

# What a kill -9 leaves in $STATE/state.json while step STEP ran, the
# steps after it not begun: cut_in STEP LATER...  (A kill at an exact
# moment, say right after an rpm transaction commits, cannot be timed.)
cut_in() {
	python3 - "$STATE/state.json" "$@" <<'PY' || fail "cannot edit the state"
import json, sys
path, cut, later = sys.argv[1], sys.argv[2], sys.argv[3:]
d = json.load(open(path))
for s in d["steps"]:
    if s["name"] == cut:
        s["status"] = "running"
    if s["name"] in later:
        s["status"] = "pending"
json.dump(d, open(path, "w"), indent=2)
PY
}

# Commands a step's log records ("$ " lines).
commands_in_log() {
	f=$(ls "$STATE"/logs/*-"$1".log 2>/dev/null) || { echo 0; return; }
	grep -c '^\$ ' "$f" || true
}

# The rollback property, in every test: each sandbox root a test ran a
# first upgrade on (through planned_run, so not under valgrind) is, when
# the test ends well or makes a new sandbox in its place, booted into the
# release it ran then and rolled back run by run until nothing is left to
# roll back; then it must be as it was before that upgrade (every path,
# type, mode, owner, link target and file content, as
# tests/fixtures/host-snapshot.py lists them; and rpm -qa).  A root whose
# pomctl state the test deleted after a run changed it (rollback cannot
# know that run) is not checked until mkroot makes it again, nor one a
# test leaves on purpose where rollback cannot help: rp_forget ROOT,
# saying why.
rp_snapshot() {	# rp_snapshot ROOT
	python3 "$POMCTL_TOP/tests/fixtures/host-snapshot.py" "$1"
	# (rpm -qa of a copy: rpm may write beside the database it opens)
	rm -rf "$T/rp/rpmdb"
	cp -a "$1/var/lib/rpm" "$T/rp/rpmdb"
	rpm --dbpath "$T/rp/rpmdb" -qa --qf '%{NEVRA}\n' 2>&1 | sort
	rm -rf "$T/rp/rpmdb"
}

# Marked in the root where the snapshot does not look (var/log): a root
# made again by mkroot has no mark, one whose state was deleted has.
rp_mark() { [ ! -d "$1/var/log" ] || echo "$2" >"$1/var/log/.rollback-property"; }

rp_record() {	# rp_record ROOT: before its first run
	mkdir -p "$T/rp"
	rp_key=$(printf '%s' "$1" | sha256sum | cut -c1-16)
	if [ -f "$1/var/log/.rollback-property" ]; then
		# recorded, and no state now: unless nothing changed since
		# (a refused run), the test deleted the records of a run
		[ "$(cat "$1/var/log/.rollback-property")" = recorded ] || return 0
		rp_snapshot "$1" >"$T/rp/$rp_key.now"
		cmp -s "$T/rp/$rp_key.before" "$T/rp/$rp_key.now" || rp_forget "$1"
		return 0
	fi
	rp_snapshot "$1" >"$T/rp/$rp_key.before"
	rp_rel=$(sed -n '/^\[host\]/,/^\[/s/^release = //p' "$1/etc/pomctl.conf")
	[ ! -f "$T/rp/list" ] || awk -v r="$1" '$1 != r' "$T/rp/list" >"$T/rp/list.new"
	echo "$1 $rp_rel $rp_key" >>"$T/rp/list.new"
	mv "$T/rp/list.new" "$T/rp/list"
	rp_mark "$1" recorded
}

# rp_forget ROOT: not checked (see above) until mkroot makes it again
rp_forget() {
	[ ! -f "$T/rp/list" ] || awk -v r="$1" '$1 != r' "$T/rp/list" >"$T/rp/list.new"
	[ ! -f "$T/rp/list.new" ] || mv "$T/rp/list.new" "$T/rp/list"
	rp_mark "$1" forgotten
}

# at_exit CMD: what the test does when it ends (before the property)
at_exit() {
	rp_at_exit=$1
}

# rp_check ROOT: the property for ROOT when a first run was recorded for
# it (and ROOT is still a sandbox with pomctl's state); then forgotten
rp_check() {
	[ -f "$T/rp/list" ] || return 0
	rp_line=$(awk -v r="$1" '$1 == r' "$T/rp/list")
	[ -n "$rp_line" ] || return 0
	awk -v r="$1" '$1 != r' "$T/rp/list" >"$T/rp/list.new"
	mv "$T/rp/list.new" "$T/rp/list"
	[ -d "$1/var/lib/pomctl" ] || return 0
	set -- $rp_line
	"$POMCTL_TOP/tests/fixtures/bin/sandbox-reboot" "$1" --release "$2" >/dev/null ||
		fail "rollback property: $1 did not reboot"
	rp_n=0
	while "$POMCTL" --root "$1" -y rollback >"$T/rp/out" 2>"$T/rp/err" &&
		[ $rp_n -lt 8 ]; do
		rp_n=$((rp_n + 1))
	done
	grep -q "nothing to roll back" "$T/rp/err" ||
		fail "rollback property: rolling back $1: $(cat "$T/rp/out" "$T/rp/err")"
	rp_snapshot "$1" >"$T/rp/$3.after"
	diff "$T/rp/$3.before" "$T/rp/$3.after" >"$T/rp/diff" ||
		fail "rollback property: $1 after $rp_n rollbacks is not as before its first run: $(head -20 "$T/rp/diff")"
	echo "$rp_n" >>"${POMCTL_ROLLBACKS:-/dev/null}"
}

rollback_property() {
	rp_rc=$1
	[ -z "${rp_at_exit:-}" ] || eval "$rp_at_exit"
	[ "$rp_rc" -eq 0 ] || exit "$rp_rc"
	while [ -s "$T/rp/list" ]; do
		rp_check "$(head -1 "$T/rp/list" | cut -d' ' -f1)"
	done
	exit 0
}
trap 'rollback_property $?' EXIT
