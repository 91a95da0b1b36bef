# bench/lib.sh: what the benchmarks share.  Sourced; sets top and work (a
# scratch directory removed on exit).
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${BENCH_TMP:-/tmp}/pomctl-bench.XXXXXX")
# BENCH_KEEP=1 keeps the scratch directory, to look into afterwards
if [ -n "${BENCH_KEEP:-}" ]; then
	echo "bench: scratch directory $work kept" >&2
else
	trap 'rm -rf "$work"' EXIT
fi
B=$top/build

# measure OUT CMD...: run CMD (its output thrown away), append
# "WALL_SECONDS PEAK_RSS_KB" to OUT; a failing CMD stops the benchmark.
measure() {
	out=$1
	shift
	sync
	if ! /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err"; then
		echo "bench: '$*' failed:" >&2
		cat "$work/err" >&2
		exit 1
	fi
	tail -1 "$work/time" >>"$out"
}

# settle [FILE...]: the disk quiet before a measurement: dirty pages written
# and, where allowed (root), the page cache dropped; then FILEs read back
# into it, so that every contender starts from the same cache
settle() {
	sync
	[ ! -w /proc/sys/vm/drop_caches ] || echo 3 >/proc/sys/vm/drop_caches
	[ $# -eq 0 ] || cat "$@" >/dev/null
}

# median FILE COLUMN: the median of a column of numbers
median() {
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# result WHAT MEASURED GOAL VERDICT: one line of bench/RESULTS.md's summary
# table (bench/run takes these lines out of what it shows)
result() {
	echo "result|$1|$2|$3|$4"
}

# verdict EXPR A B: "met" when the awk comparison "A EXPR B" holds
verdict() {
	awk -v a="$2" -v b="$3" "BEGIN { print (a $1 b) ? \"met\" : \"missed\" }"
}

# ratio A B: A / B to two places
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# sandbox DIR [MKROOT-OPTION...]: a fresh sandbox root (tests/fixtures/mkroot)
sandbox() {
	d=$1
	shift
	rm -rf "$d"
	"$top/tests/fixtures/mkroot" "$d" --world "$B/world" "$@" >/dev/null
}

# to_the_end ROOT ARG...: pomctl --root ROOT ARG..., then, while it stops
# for a reboot (exit 3), the reboot simulated ([host] release and boot_id,
# as make demo does) and `pomctl resume`.  Returns the last exit code; the
# wall time of each invocation is appended to $work/invocations.
to_the_end() {
	r=$1
	shift
	boots=${boots:-1}
	while :; do
		s=$(date +%s%N)
		rc=0
		"$B/pomctl" --root "$r" "$@" >"$work/last.out" 2>&1 || rc=$?
		echo $(( ($(date +%s%N) - s) / 1000 )) >>"$work/invocations"
		[ "$rc" -eq 3 ] || return "$rc"
		release=$(sed -n 's/.*reboot into \([^ ,]*\), then.*/\1/p' "$work/last.out" | tail -1)
		boots=$((boots + 1))
		sed -i "s/^release = .*/release = $release/; s/^boot_id = .*/boot_id = bench-boot-$boots/" \
			"$r/etc/pomctl.conf"
		set -- resume
	done
}

# gen_modules TREE M: M generated modules (about 0.1 s of gcc -O2 each),
# built by the netfilter Makefile
gen_modules() {
	dir=$1/net/ipv4/netfilter
	modules=$2
	awk -v m="$modules" -v dir="$dir" 'BEGIN {
		for (k = 0; k < m; k++) {
			out = sprintf("%s/gen_%03d.c", dir, k)
			printf "/* generated module %d */\n", k >out
			for (f = 0; f < 20; f++) {
				printf "static int g%d_f%d(const int *v, int n)\n{\n\tint s = 0;\n\tfor (int i = 0; i < n; i++) {\n\t\tswitch ((v[i] + %d) %% 5) {\n", k, f, f >out
				for (c = 0; c < 5; c++)
					printf "\t\tcase %d: s += v[i] * %d + (s >> %d); break;\n", c, c + f, c + 1 >out
				printf "\t\t}\n\t}\n\treturn s;\n}\n\n" >out
			}
			printf "int g%d_entry(const int *v, int n)\n{\n\treturn 0", k >out
			for (f = 0; f < 20; f++)
				printf " + g%d_f%d(v, n)", k, f >out
			printf ";\n}\n" >out
			close(out)
			printf "obj-m += gen_%03d.o\n", k >>(dir "/Makefile.gen")
		}
	}'
	# before the shared rules: obj-m is read there
	sed -i "s|^include \$(TOPDIR)/Rules.make|include Makefile.gen\n&|" "$dir/Makefile"
}

# median_ms RUNS CMD...: run CMD RUNS times (its output and exit code
# thrown away), print "MEDIAN WORST" of the wall times in ms
median_ms() {
	n=$1
	shift
	i=0
	while [ $i -lt "$n" ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo $(( (e - s) / 1000 ))
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END {
		printf "%.1f %.1f\n", v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}
