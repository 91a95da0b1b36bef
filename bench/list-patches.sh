#!/bin/sh
# bench/list-patches.sh: `pomctl list-patches` against a serial shell loop
# of `patch --dry-run`, for N generated patches (default 200) on a large
# generated tree: the fixture 2.4 kernel plus FILES C files of 1000 lines
# (default 2000).  Each patch changes one of those files in three places
# and adds a module with its Makefile line, as patch-o-matic's do; then
# the same patches with one in ten broken (a context line not in the
# tree), which costs pomctl's batches more runs of patch(1).  R rounds
# (default 3) in alternating order, medians.  Goal: pomctl at least 1.8
# times faster on two CPUs.  Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
n=${1:-200}
rounds=${2:-3}
files=${FILES:-2000}
jobs=${JOBS:-$(nproc)}
kernel=$work/linux
pom=$work/patch-o-matic-bench
cp -a "$B/world/trees/linux-2.4.20-13.8" "$kernel"
mkdir -p "$pom/extra" "$work/gen"

# the large tree: drivers/bench/dNN/fNNNN.c
awk -v files="$files" -v root="$kernel/drivers/bench" 'BEGIN {
	for (f = 0; f < files; f++) {
		dir = sprintf("%s/d%02d", root, f % 50)
		if (f < 50) system("mkdir -p " dir)
		out = sprintf("%s/f%04d.c", dir, f)
		for (l = 1; l <= 1000; l++)
			printf "int f%04d_line%04d(int x) { return x + %d; }\n", f, l, l >out
		close(out)
	}
}'

# patch i: file (7 i mod FILES) changed at lines 100, 500 and 900, a module
i=0
while [ $i -lt "$n" ]; do
	f=$(printf 'f%04d' $(( (i * 7) % files )))
	rel=drivers/bench/d$(printf '%02d' $(( ((i * 7) % files) % 50 )))/$f.c
	g=$work/gen/$i
	mkdir -p "$g/a/${rel%/*}" "$g/b/${rel%/*}" "$g/b/net/ipv4/netfilter"
	cp "$kernel/$rel" "$g/a/$rel"
	sed -e "100s/x + 100/x + 100 + $i/" -e "500s/x + 500/x * 2 + $i/" \
		-e "900s/x + 900/x - $i/" "$kernel/$rel" >"$g/b/$rel"
	printf '/* generated %s */\nint bench_%s(void) { return %s; }\n' $i $i $i \
		>"$g/b/net/ipv4/netfilter/ipt_bench$i.c"
	(cd "$g" && diff -urN a b >"$pom/extra/bench$i.patch") || true
	printf 'obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\nobj-$(CONFIG_IP_NF_MATCH_BENCH%s) += ipt_bench%s.o\n' $i $i \
		>"$pom/extra/bench$i.patch.makefile"
	printf 'Author: bench\nStatus: generated\n\nGenerated patch %s.\n' $i \
		>"$pom/extra/bench$i.patch.help"
	i=$((i + 1))
done
rm -rf "$work/gen"

# the same with one patch in ten failing (a hunk whose context is not in
# the tree): list-patches batches patch(1) runs, and a failing batch costs
# more runs (halves, then the patch alone)
pomf=$work/patch-o-matic-bench-fails
cp -a "$pom" "$pomf"
for p in "$pomf"/extra/bench*3.patch; do
	sed -i '0,/^ int f[0-9]*_line0099/s/^ int f\([0-9]*\)_line0099/ int f\1_gone0099/' "$p"
done

# bench_pom POM LABEL EXPECTED-APPLIES: pomctl against the loop on POM
bench_pom() {
	cat >"$work/loop" <<LOOP
#!/bin/sh
for p in "$1"/extra/*.patch; do
	patch -p1 --dry-run -s -f -d "$kernel" -i "\$p" >/dev/null || echo "\$p fails"
done
LOOP
	chmod +x "$work/loop"
	"$B/pomctl" -j "$jobs" list-patches --kernel "$kernel" --pom "$1" >"$work/out"
	applies=$(grep -c ' applies ' "$work/out" || true)
	[ "$applies" -eq "$3" ] || { echo "bench: $applies of $n patches apply, not $3" >&2; exit 1; }
	rm -f "$work/t-loop" "$work/t-pomctl"
	i=0
	while [ $i -lt "$rounds" ]; do
		if [ $((i % 2)) -eq 0 ]; then order="loop pomctl"; else order="pomctl loop"; fi
		for who in $order; do
			case $who in
			loop) measure "$work/t-loop" "$work/loop" ;;
			pomctl) measure "$work/t-pomctl" "$B/pomctl" -j "$jobs" list-patches \
				--kernel "$kernel" --pom "$1" ;;
			esac
		done
		i=$((i + 1))
	done
	p=$(median "$work/t-pomctl" 1) l=$(median "$work/t-loop" 1)
	r=$(ratio "$l" "$p")
	echo "  $2: pomctl $p s, serial patch --dry-run loop $l s: loop/pomctl = $r times faster (goal >= 1.8)"
	result "list-patches, $n patches, $2, -j$jobs: serial patch --dry-run loop / pomctl" "$r" ">= 1.8" "$(verdict '>=' "$r" 1.8)"
}

lines=$(find "$kernel" -name '*.c' | xargs cat | wc -l)
echo "list-patches, $n patches on a tree of $(find "$kernel" -type f | wc -l) files ($lines lines of C), -j$jobs, median of $rounds rounds:"
bench_pom "$pom" "all apply" "$n"
bench_pom "$pomf" "one in ten fails" "$(( n - n / 10 ))"
