#!/bin/sh
# bench/overhead.sh: pomctl's own time in each step of a whole sandbox
# pipeline (`upgrade --patch string`, both reboots simulated), R runs
# (default 3): a step's wall time ("=== step NAME ends after T s" in its
# log) minus the wall time of the commands it ran ("exit N (T s)").  What
# is left is pomctl's: state saves, plans, in-process work (the digest of
# a download, librpm's installs, extraction).  Goal: under 20 ms a step.
# Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
runs=${1:-3}
i=0
while [ $i -lt "$runs" ]; do
	sandbox "$work/sb"
	to_the_end "$work/sb" upgrade --patch string ||
		{ echo "bench: the pipeline did not finish: $(tail -3 "$work/last.out")" >&2; exit 1; }
	# one line a step run: NAME WALL_MS CHILDREN_MS COMMANDS
	for log in "$work"/sb/var/lib/pomctl/logs/*.log; do
		awk '
		/^=== step [a-z]+, run / { name = $3; sub(",", "", name); kids = 0; n = 0 }
		/^exit -?[0-9]+ \([0-9.]+ s\)/ { t = $3; sub(/^\(/, "", t); kids += t; n++ }
		/^=== step [a-z]+ ends after / { printf "%s %.1f %.1f %d\n", name, $6 * 1000, kids * 1000, n }
		' "$log"
	done >>"$work/steps"
	i=$((i + 1))
done
echo "orchestration overhead, whole sandbox pipeline, $runs runs (step runs: wall - commands = pomctl's own, ms):"
awk '{ own = $2 - $3; key = $1; sum[key] += own; cnt[key]++; if (own > max[key]) max[key] = own
	if (!(key in order)) { order[key] = ++n; names[n] = key }; wall[key] += $2; cmds[key] += $4 }
END {
	for (i = 1; i <= n; i++) { k = names[i]
		printf "  %-8s mean %6.1f  worst %6.1f   (step wall %7.1f, %4.1f commands)\n", k, sum[k] / cnt[k], max[k], wall[k] / cnt[k], cmds[k] / cnt[k]
		if (max[k] > worst) { worst = max[k]; wk = k } }
	printf "  worst step: %s, %.1f ms (goal < 20 ms a step)\n", wk, worst
}' "$work/steps"
