#!/bin/sh
# bench/overhead.sh: pomctl's own time in each step of a whole sandbox
# pipeline (`upgrade --patch string`, both reboots simulated), R runs
# (default 3): a step's wall time ("=== step NAME ends after T s" in its
# log) minus the wall time of the commands it ran ("exit N (T s)"), and
# minus the library work that stands for a command ("work: ... (T s)":
# downloads, extraction, rpm transactions), shown apart.  What is left is
# pomctl's own: state saves, fingerprints, plans, spec and boot loader
# edits.  Goal: under 20 ms a step.
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
		/^=== step [a-z]+, attempt / { name = $3; sub(",", "", name); kids = 0; n = 0; lib = 0 }
		/^exit -?[0-9]+ \([0-9.]+ s\)/ { t = $3; sub(/^\(/, "", t); kids += t; n++ }
		/^work: .* \([0-9.]+ s\)$/ { t = $(NF - 1); sub(/^\(/, "", t); lib += t }
		/^=== step [a-z]+ ends after / { printf "%s %.1f %.1f %d %.1f\n", name, $6 * 1000, kids * 1000, n, lib * 1000; lib = 0 }
		' "$log"
	done >>"$work/steps"
	i=$((i + 1))
done
echo "orchestration overhead, whole sandbox pipeline, $runs runs, ms a step run:"
echo "  own = wall - commands - library work (downloads, extraction, rpm transactions: what a command would do)"
awk '{ k = $1; own = $2 - $3 - $5; raw = $2 - $3
	if (!(k in cnt)) names[++n] = k
	cnt[k]++; sum[k] += own; rawsum[k] += raw; lib[k] += $5; wall[k] += $2; cmds[k] += $4
	if (own > max[k]) max[k] = own }
END {
	for (i = 1; i <= n; i++) { k = names[i]
		printf "  %-8s own %5.1f (worst %5.1f)   wall - commands %5.1f   library work %5.1f   step wall %6.1f, %4.1f commands\n", k, sum[k] / cnt[k], max[k], rawsum[k] / cnt[k], lib[k] / cnt[k], wall[k] / cnt[k], cmds[k] / cnt[k]
		if (max[k] > worst) { worst = max[k]; wk = k } }
	printf "  worst own time: %s, %.1f ms (goal < 20 ms a step)\n", wk, worst
	printf "%s %.1f\n", wk, worst >"/dev/stderr"
}' "$work/steps" 2>"$work/worst"
set -- $(cat "$work/worst")
result "orchestration overhead, the worst step's own time ($1)" "$2 ms" "< 20 ms" "$(verdict '<' "$2" 20)"
