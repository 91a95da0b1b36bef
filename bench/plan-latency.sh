#!/bin/sh
# bench/plan-latency.sh: `pomctl upgrade --patch string --plan` in a sandbox
# whose downloads are all cached (a first real run fetched them), run R
# times (default 31): the median and the worst, against the goal of a
# 100 ms median, and the ratio to `rpm -q iptables` on the same root (what
# a sysadmin would type to look before acting).  Not a pass/fail test.
# Needs: build/pomctl and build/world (make all world).
set -eu
. "$(dirname "$0")/lib.sh"
runs=${1:-31}
sb=$work/sb
"$top/tests/fixtures/mkroot" "$sb" --world "$top/build/world" >/dev/null
P="$top/build/pomctl --root $sb"
# fill the cache: check, update and fetch run; the trial pauses
$P upgrade --patch string >/dev/null 2>&1 || true
$P rollback --force >/dev/null 2>&1 || true
rm -f "$sb/var/lib/pomctl/state.json"
cached=$($P upgrade --patch string --plan 2>&1 | grep -c 'in the cache already' || true)
[ "$cached" -eq 3 ] || echo "note: only $cached of 3 downloads are cached" >&2

set -- $(median_ms "$runs" $P upgrade --patch string --plan)
plan_med=$1 plan_max=$2
set -- $(median_ms "$runs" rpm --root "$sb" --dbpath /var/lib/rpm -q iptables)
rpm_med=$1
echo "plan latency, $runs runs, everything cached:"
echo "  pomctl upgrade --patch string --plan: median $plan_med ms, worst $plan_max ms (goal: median < 100 ms)"
echo "  rpm -q iptables:                     median $rpm_med ms"
awk -v a="$plan_med" -v b="$rpm_med" 'BEGIN { printf "  ratio pomctl plan / rpm -q: %.2f\n", a / b }'
result "plan latency, everything cached (median)" "$plan_med ms" "< 100 ms" "$(verdict '<' "$plan_med" 100)"
