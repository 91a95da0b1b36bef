# kill -9 of pomctl at 20 seeded moments across the whole sandbox pipeline
# (both reboot pauses included), each followed by resume to completion: the
# sandbox ends the same as after an uninterrupted run, logs and timestamps
# aside, and at one chosen moment (the download for rollback).  The seeds
# are printed; FAULT_SEEDS="7 12" replays some, FAULT_SEEDS=download that.
. "$POMCTL_TOP/tests/integration/lib.sh"
SB=$T/sb
# The edited spec's %changelog entry is dated the day its run edits it: a
# run begun before midnight and one resumed after it would differ by that
# line alone.  One fixed date for every run here, as a reproducible build
# gives it (pomctl and rpm take SOURCE_DATE_EPOCH).
export SOURCE_DATE_EPOCH=1038614400

# pomctl ARGS... in the sandbox; at a pause, reboot the sandbox (its
# pinned release and boot id) as the host would
pomctl_sb() {
	"$POMCTL" --root "$SB" "$@" >"$T/d.out" 2>"$T/d.err"
}
reboot_sb() {
	rel=$(sed -n 's/.*reboot into \([^ ,]*\), then.*/\1/p' "$T/d.out" | tail -1)
	[ -n "$rel" ] || fail "a pause without a release: $(cat "$T/d.out")"
	reboot_into "$rel" "$SB"
}
# resume until done, through the remaining pauses: any failure fails
finish() {
	for _ in 1 2 3 4; do
		pomctl_sb resume
		rc=$?
		cat "$T/d.err" >>"$T/resumed.err"
		case $rc in
		0) return 0 ;;
		3) reboot_sb ;;
		*) fail "seed $seed: resume failed: $(cat "$T/d.err")" ;;
		esac
	done
	fail "seed $seed: the run did not finish"
}

# What must be equal: every path with its type and mode; file contents,
# except where a build or install time is recorded: the built RPMs (their
# NEVRA and their files' digests instead), the rpm database (the installed
# NEVRAs instead), the state (each step's status and outputs instead), the
# configuration (the boot id line aside) and the locks.  /var/log holds the
# logs of the sandbox's stand-in tools (modprobe, up2date): logs too.
snapshot() {
	( cd "$SB" || exit 1
	  run=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' \
		var/lib/pomctl/state.json)
	  { find . ! -path './var/lib/pomctl/logs*' ! -path './var/lib/pomctl/runs*' \
		! -path './var/log/*' -printf '%p %y %m\n' | sort
	    find . -type f ! -path './var/lib/pomctl/logs/*' ! -path './var/lib/pomctl/runs/*' \
		! -path './var/log/*' ! -path './var/lib/pomctl/manifests/*' \
		! -path './var/lib/rpm/*' ! -name '*.rpm' ! -path ./var/lib/pomctl/lock \
		! -path ./var/lock/pomctl \
		! -path ./var/lib/pomctl/state.json ! -path ./etc/pomctl.conf -print0 |
		sort -z | xargs -0 -r sha256sum
	    for m in $(find var/lib/pomctl/manifests -type f | sort); do
		echo "$m"; cat "$m"
	    done; } | sed "s|$run|RUN|g"
	  # (the copies install keeps are under the run's own backups)
	  for r in $(find . -name '*.rpm' | sort); do
		echo "$r"; rpm -qp --qf '%{NEVRA}\n[%{FILENAMES} %{FILEDIGESTS}\n]' "$r"
	  done | sed "s|$run|RUN|g"
	  rpm --root "$SB" --dbpath /var/lib/rpm -qa --qf '%{NEVRA}\n' | sort
	  grep -v '^boot_id' etc/pomctl.conf
	  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["steps"]:
    print(s["name"], s["status"], json.dumps(s["outputs"], sort_keys=True))
' var/lib/pomctl/state.json )
}

# The reference: an uninterrupted run, each of its three invocations
# timed, and the sandbox kept as each invocation left it (after the
# reboot): $T/at-0 before the first, $T/at-1 before the second, ...
"$POMCTL_TOP/tests/fixtures/mkroot" "$SB" --world "$POMCTL_WORLD" >/dev/null || fail mkroot
cp -a "$SB" "$T/at-0"
phases=
start=$(date +%s%N)
pomctl_sb upgrade --patch string; rc=$?
while [ $rc -eq 3 ]; do
	now=$(date +%s%N); phases="$phases $(( (now - start) / 1000000 ))"
	reboot_sb
	set -- $phases
	cp -a "$SB" "$T/at-$#"
	start=$(date +%s%N)
	pomctl_sb resume; rc=$?
done
[ $rc -eq 0 ] || fail "the reference run failed: $(cat "$T/d.err")"
now=$(date +%s%N); phases="$phases $(( (now - start) / 1000000 ))"
set -- $phases
[ $# -eq 3 ] || fail "expected three invocations, got: $phases"
snapshot >"$T/reference"
echo "reference run: invocations of $phases ms"

seeds=${FAULT_SEEDS:-$(seq 1 20)}
for seed in $seeds; do
	case $seed in download) continue ;; esac
	# the seed picks an invocation and a moment in it
	set -- $phases
	pick=$(( seed % 3 ))
	eval "len=\${$((pick + 1))}"
	at=$(awk -v s="$seed" -v l="$len" 'BEGIN { srand(s); printf "%.3f", rand() * l / 1000 }')
	echo "seed $seed: kill -9 in invocation $((pick + 1)) after ${at}s"
	# the invocations before the chosen one as the reference ran them
	# whole: the sandbox they left (the same run id: the snapshots
	# name it RUN)
	rm -rf "$SB"; cp -a "$T/at-$pick" "$SB"
	if [ "$pick" -eq 0 ]; then
		"$POMCTL" --root "$SB" upgrade --patch string >"$T/d.out" 2>"$T/d.err" &
	else
		"$POMCTL" --root "$SB" resume >"$T/d.out" 2>"$T/d.err" &
	fi
	bg=$!
	sleep "$at"
	kill -9 "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null; rc=$?
	[ $rc -eq 3 ] && reboot_sb
	if [ ! -f "$SB/var/lib/pomctl/state.json" ]; then
		# killed before the run was recorded: resume says to start it
		# again, and that is what the sysadmin does
		pomctl_sb resume
		[ $? -eq 2 ] && grep -q "nothing to resume" "$T/d.err" ||
			fail "seed $seed: no run recorded, and resume says: $(cat "$T/d.err")"
		pomctl_sb upgrade --patch string
		[ $? -eq 3 ] || fail "seed $seed: the new upgrade failed: $(cat "$T/d.err")"
		reboot_sb
	fi
	finish
	snapshot >"$T/after"
	diff "$T/reference" "$T/after" >"$T/diff" ||
		fail "seed $seed: the sandbox differs from the uninterrupted run: $(head -20 "$T/diff")"
done
# One moment no seed may hit: killed just after the updater downloaded
# the replaced build for rollback, before install kept its copy (the
# spool's file recorded, the transaction not begun).  up2date itself does
# the kill, as the sysadmin would; then it is the host's own again.
if [ -z "${FAULT_SEEDS:-}" ] || [ "$FAULT_SEEDS" = download ]; then
	seed=download
	rm -rf "$SB"; cp -a "$T/at-1" "$SB"
	mv "$SB/usr/sbin/up2date" "$T/up2date"
	printf '#!/bin/sh\n"%s" "$@" || exit\n[ "$1" = --get ] && kill -9 $PPID\nexit 0\n' \
		"$T/up2date" >"$SB/usr/sbin/up2date"
	chmod 755 "$SB/usr/sbin/up2date"
	pomctl_sb resume; rc=$?
	[ $rc -eq 137 ] || fail "download: the kill did not come (exit $rc): $(cat "$T/d.err")"
	[ -f "$SB/var/spool/up2date/iptables-1.2.6a-2.x86_64.rpm" ] ||
		fail "download: killed before the spool had the package"
	mv "$T/up2date" "$SB/usr/sbin/up2date"
	finish
	snapshot >"$T/after"
	diff "$T/reference" "$T/after" >"$T/diff" ||
		fail "download: the sandbox differs from the uninterrupted run: $(head -20 "$T/diff")"
	# the updater's spool is as it was: the download was moved, not copied
	[ ! -e "$SB/var/spool/up2date/iptables-1.2.6a-2.x86_64.rpm" ] ||
		fail "download: the spool keeps pomctl's download"
fi
# the default seeds cut steps that had changed files: resume undid them
if [ -z "${FAULT_SEEDS:-}" ]; then
	assert_grep 'undoing what the interrupted attempt changed' "$T/resumed.err"
fi
