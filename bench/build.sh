#!/bin/sh
# bench/build.sh: faster kernel builds.  The fixture 2.4 kernel, enlarged
# with M generated modules (default 150, about 0.1 s of gcc -O2 each), goes
# through a whole sandbox pipeline (`upgrade --patch string`: the trial
# build, then the rebuild after patching) three ways:
#   plain    [build] jobs = 0: -j is the number of CPUs
#   ccache   [build] ccache = yes, a fresh cache: the hit rate of the
#            second build (the statistics zeroed between the two)
#   distcc   [build] distcc_hosts = 127.0.0.1:PORT/N, a distccd started on
#            127.0.0.1 by this script (the compiles go over TCP to it)
# Each build's time is the compile command's own ("exit 0 (T s)" of make
# bzImage modules in the trial and kernel logs).  Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
modules=${1:-150}
cpus=$(nproc)
export CCACHE_DIR="$work/ccache"

set_build() {	# set_build ROOT KEY VALUE
	grep -q '^\[build\]$' "$1/etc/pomctl.conf" || printf '\n[build]\n' >>"$1/etc/pomctl.conf"
	sed -i "s|^\[build\]$|[build]\n$2 = $3|" "$1/etc/pomctl.conf"
}

# compile_time ROOT STEP: the seconds of make bzImage modules in STEP's log
compile_time() {
	awk '/^\$ make .*bzImage modules/ { on = 1; next }
	     on && /^exit 0 \(/ { t = $3; sub(/^\(/, "", t); print t; exit }' \
		"$1"/var/lib/pomctl/logs/*-"$2".log
}

# pipeline NAME [KEY VALUE]...: a sandbox with the enlarged kernel, the
# settings given, run to the end; "NAME TRIAL_S KERNEL_S" into $work/builds
pipeline() {
	name=$1
	shift
	sandbox "$work/sb-$name"
	gen_modules "$work/sb-$name/usr/src/linux-2.4.20-13.8" "$modules"
	while [ $# -gt 0 ]; do set_build "$work/sb-$name" "$1" "$2"; shift 2; done
	rc=0
	"$B/pomctl" --root "$work/sb-$name" upgrade --patch string >"$work/last.out" 2>&1 || rc=$?
	[ "$rc" -eq 3 ] || { echo "bench: $name: the trial did not pause: $(tail -3 "$work/last.out")" >&2; exit 1; }
	if [ "$name" = ccache ]; then
		ccache --print-stats >"$work/ccache-trial"
		ccache --zero-stats >/dev/null
	fi
	release=$(sed -n 's/.*reboot into \([^ ,]*\), then.*/\1/p' "$work/last.out" | tail -1)
	sed -i "s/^release = .*/release = $release/; s/^boot_id = .*/boot_id = bench-$name-2/" \
		"$work/sb-$name/etc/pomctl.conf"
	to_the_end "$work/sb-$name" resume ||
		{ echo "bench: $name: the pipeline did not finish: $(tail -3 "$work/last.out")" >&2; exit 1; }
	[ "$name" != ccache ] || ccache --print-stats >"$work/ccache-rebuild"
	running=$(sed -n 's/^release = //p' "$work/sb-$name/etc/pomctl.conf")
	built=$(ls "$work/sb-$name/lib/modules/$running/kernel/net/ipv4/netfilter/" | grep -c '^gen_' || true)
	echo "$name $(compile_time "$work/sb-$name" trial) $(compile_time "$work/sb-$name" kernel) $built" >>"$work/builds"
}

pipeline plain
pipeline ccache ccache yes

# distccd on 127.0.0.1, the same compiler; it runs as nobody
chmod 711 "$work"
mkdir -m 777 "$work/distccd"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
distccd --daemon --no-detach --listen 127.0.0.1 --allow 127.0.0.1 --port "$port" \
	--jobs "$cpus" --log-file="$work/distccd/log" --log-level=info --user nobody &
distccd_pid=$!
trap 'kill "$distccd_pid" 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
pipeline distcc distcc_hosts "127.0.0.1:$port/$cpus"
served=$(grep -c 'COMPILE_OK' "$work/distccd/log" || true)

stat() { awk -v k="$2" '$1 ~ k { n += $2 } END { print n + 0 }' "$work/$1"; }
hits=$(stat ccache-rebuild 'cache_hit$') miss=$(stat ccache-rebuild '^cache_miss$')
thits=$(stat ccache-trial 'cache_hit$') tmiss=$(stat ccache-trial '^cache_miss$')
echo "kernel builds, the fixture kernel with $modules generated modules, $cpus CPUs (make bzImage modules, seconds):"
awk -v hits="$hits" -v miss="$miss" -v thits="$thits" -v tmiss="$tmiss" -v served="$served" '
{ printf "  %-7s trial %6.2f   rebuild after patching %6.2f   (%d generated modules installed)\n", $1, $2, $3, $4 }
$1 == "plain" { plain = $3 }
$1 == "ccache" { printf "          ccache: the trial (empty cache) hit %d of %d, the rebuild %d of %d compiles (%.0f%%); rebuild %.2fx faster than plain\n", thits, thits + tmiss, hits, hits + miss, (hits + miss ? 100 * hits / (hits + miss) : 0), ($3 > 0 ? plain / $3 : 0) }
$1 == "distcc" { printf "          distccd on 127.0.0.1 compiled %d files; on this one machine distcc can only add its overhead (%.2fx plain): the gain comes with more hosts\n", served, (plain > 0 ? $3 / plain : 0) }
' "$work/builds"
rate=$(awk -v h="$hits" -v m="$miss" 'BEGIN { printf "%.0f", h + m ? 100 * h / (h + m) : 0 }')
result "ccache: hits in the rebuild after patching" "$rate% ($hits of $((hits + miss)))" "mostly hits" "$(verdict '>=' "$rate" 50)"
result "distcc: compiles done by distccd on 127.0.0.1" "$served" "the compile goes through it" "$(verdict '>' "$served" 0)"
