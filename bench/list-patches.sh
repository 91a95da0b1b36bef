#!/bin/sh
# bench/list-patches.sh: pomctl list-patches against a serial shell loop of
# patch --dry-run, on N generated patches (default 100) and the fixture 2.4
# kernel.  Prints both wall times and their ratio; not a pass/fail test.
# Needs: build/pomctl and build/world (make all world).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100}
jobs=${JOBS:-$(nproc)}
work=$(mktemp -d /tmp/pomctl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
kernel=$top/build/world/trees/linux-2.4.20-13.8
pom=$work/patch-o-matic-bench
mkdir -p "$pom/extra"

# N independent patches: each adds a module and its Makefile line
i=0
while [ $i -lt "$n" ]; do
	d=$work/gen/$i
	mkdir -p "$d/a" "$d/b/net/ipv4/netfilter"
	printf '/* generated %s */\nint bench_%s(void) { return %s; }\n' $i $i $i \
		> "$d/b/net/ipv4/netfilter/ipt_bench$i.c"
	(cd "$d" && diff -urN a b > "$pom/extra/bench$i.patch") || true
	printf 'obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\nobj-$(CONFIG_IP_NF_MATCH_BENCH%s) += ipt_bench%s.o\n' $i $i \
		> "$pom/extra/bench$i.patch.makefile"
	printf 'Author: bench\nStatus: generated\n\nGenerated patch %s.\n' $i \
		> "$pom/extra/bench$i.patch.help"
	i=$((i + 1))
done

now() { date +%s.%N; }
t0=$(now)
"$top/build/pomctl" -j "$jobs" list-patches --kernel "$kernel" --pom "$pom" > "$work/pomctl.out"
t1=$(now)
for p in "$pom"/extra/*.patch; do
	patch -p1 --dry-run -s -f -d "$kernel" -i "$p" > /dev/null || true
done
t2=$(now)
applies=$(grep -c ' applies ' "$work/pomctl.out" || true)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$n" -v j="$jobs" -v ok="$applies" 'BEGIN {
	p = b - a; s = c - b
	printf "list-patches, %d patches, -j%d: pomctl %.2f s (%d apply), serial patch --dry-run loop %.2f s; pomctl/loop = %.2f\n", n, j, p, ok, s, p / s
}'
