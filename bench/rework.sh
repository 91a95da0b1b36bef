#!/bin/sh
# bench/rework.sh: zero rework.  For each step in turn, a fresh sandbox
# pipeline (`upgrade --patch string`, reboots simulated) is made to fail in
# that step, at the step's last command where it runs any
# (tests/fixtures/bin/fail-once in front of that [commands] program;
# check: a release that is not one; fetch: a tarball gone from the mirror).
# The failure is then taken away and `pomctl resume` finishes the run.
# Every command the logs record ("$ " lines) before the failure that had
# exited 0 is looked for among the commands the resume ran, step by step:
# in steps that were done, and in the failed step, which goes on from its
# first stage not done (goal: none in either).  Checks that change nothing
# (patch --dry-run, a trial on a scratch copy) are counted apart: they run
# again on purpose, the tree may have changed.  Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
fx=$top/tests/fixtures
cp -a "$B/world/dist" "$work/dist"

# inject STEP: the failure of STEP, into $work/sb; undo STEP takes it away
inject() {
	conf=$work/sb/etc/pomctl.conf
	case $1 in
	check) sed -i 's/^release = .*/release = not-a-release/' "$conf" ;;
	fetch) mv "$work/dist/patch-o-matic-20030107.tar.bz2" "$work/pom.aside" ;;
	*)	# STEP PROGRAM PATTERN N: the Nth call of PROGRAM whose arguments
		# hold PATTERN fails (patch: the third on the tree -- upgrade's
		# and the fetch step's checks of the set come first)
		set -- $(grep "^$1 " <<-TABLE
		update up2date kernel-source 1
		trial make INSTALL_PATH= 1
		patch patch linux-2.4.20-13.8 3
		rpm rpmbuild -ba 1
		kernel make bzImage 2
		install grub --batch 1
		verify modprobe ipt_string 1
		TABLE
		)
		echo "$4" >"$work/count"
		prog=$(sed -n "s/^$2 = //p" "$conf")
		sed -i "s|^$2 = .*||; s|^\[commands\]$|[commands]\n$2 = $fx/bin/fail-once $work/count $3 ${prog:-$2}|" "$conf" ;;
	esac
}
undo() {
	case $1 in
	check) sed -i 's/^release = not-a-release/release = 2.4.20-13.8/' "$work/sb/etc/pomctl.conf" ;;
	fetch) mv "$work/pom.aside" "$work/dist/patch-o-matic-20030107.tar.bz2" ;;
	esac
}

# tidy: command lines without their random temporary names
tidy() {
	sed 's/pomctl-scratch-[A-Za-z0-9]*/pomctl-scratch-X/; s/pomctl-rpm-[A-Za-z0-9]*/pomctl-rpm-X/'
}

# completed LOG: each command of a step log that exited 0, one a line
completed() {
	awk '/^\$ / { cmd = $0 } /^exit 0 \(/ && cmd != "" { print cmd; cmd = "" }' "$1" | tidy
}

echo "zero rework: a failure in each step in turn, then pomctl resume to the end:"
redone=0
for step in check update fetch trial patch rpm kernel install verify; do
	sandbox "$work/sb" --url "file://$work/dist"
	inject "$step"
	boots=1
	rc=0
	to_the_end "$work/sb" upgrade --patch string || rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "  $step: the injected failure did not stop the run (exit $rc)"
		undo "$step"
		continue
	fi
	failed=$(sed -n "s/.*step '\([a-z]*\)' failed.*/\1/p" "$work/last.out" | head -1)
	cp -a "$work/sb/var/lib/pomctl/logs" "$work/before"
	undo "$step"
	rc=0
	to_the_end "$work/sb" resume || rc=$?
	# step by step: what the resume ran (the log past what was there
	# before) against what that step had completed before
	ran=0 again_other=0 again_same=0 checks=0
	for log in "$work"/sb/var/lib/pomctl/logs/*.log; do
		b=$work/before/$(basename "$log")
		n=0
		[ -f "$b" ] && n=$(wc -l <"$b")
		tail -n +$((n + 1)) "$log" | grep '^\$ ' | tidy >"$work/resumed" || true
		: >"$work/done"
		[ -f "$b" ] && completed "$b" >"$work/done"
		ran=$((ran + $(wc -l <"$work/resumed")))
		while IFS= read -r c; do
			grep -qxF "$c" "$work/done" || continue
			case $(basename "$log") in
			*-"$failed".log)
				case $c in
				*--dry-run*|*pomctl-scratch-X*) checks=$((checks + 1)) ;;
				*) again_same=$((again_same + 1))
				   echo "    again in the failed step: $c" >>"$work/again" ;;
				esac ;;
			*) again_other=$((again_other + 1))
			   echo "    again: $c" >>"$work/again" ;;
			esac
		done <"$work/resumed"
	done
	echo "  $step: failed in '$failed'; resume (exit $rc) ran $ran commands: $again_other done before in finished steps, $again_same in the failed step (+ $checks checks that change nothing)"
	redone=$((redone + again_other + again_same))
	[ ! -f "$work/again" ] || cat "$work/again"
	rm -rf "$work/before" "$work/again"
done
result "zero rework: commands that went through, run again by resume (9 failures)" "$redone" "0" "$(verdict '==' "$redone" 0)"
