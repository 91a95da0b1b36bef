#!/bin/sh
# bench/frombundle.sh: one more host of a kind, from a bundle against a
# build on it.  The fixture 2.4 kernel, enlarged with M generated modules
# (default 150, as bench/build.sh), is upgraded on a build sandbox
# (`upgrade --patch string`, reboots simulated: the trial, patch, rpm and
# kernel steps, the install, verify) and bundled (`pomctl bundle`); then
# another sandbox of the same base is upgraded `--from` the bundle
# (check, fetch, install, verify).  R rounds (default 3) of each, medians
# of the whole runs' wall times.  The ratio is the point: the builds are
# the fixture's.  Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
modules=${1:-150}
rounds=${2:-3}

: >"$work/build" && : >"$work/from"
i=0
while [ $i -lt "$rounds" ]; do
	sandbox "$work/b$i"
	gen_modules "$work/b$i/usr/src/linux-2.4.20-13.8" "$modules"
	: >"$work/invocations"
	to_the_end "$work/b$i" upgrade --patch string ||
		{ echo "bench: the build did not finish: $(tail -3 "$work/last.out")" >&2; exit 1; }
	awk '{ s += $1 } END { printf "%.2f\n", s / 1e6 }' "$work/invocations" >>"$work/build"
	"$B/pomctl" --root "$work/b$i" bundle --output "$work/b$i.tar" >/dev/null 2>&1 ||
		{ echo "bench: pomctl bundle failed" >&2; exit 1; }
	sandbox "$work/t$i"
	gen_modules "$work/t$i/usr/src/linux-2.4.20-13.8" "$modules"
	: >"$work/invocations"
	to_the_end "$work/t$i" upgrade --from "$work/b$i.tar" ||
		{ echo "bench: the run from the bundle did not finish: $(tail -3 "$work/last.out")" >&2; exit 1; }
	awk '{ s += $1 } END { printf "%.2f\n", s / 1e6 }' "$work/invocations" >>"$work/from"
	rm -rf "$work/b$i" "$work/t$i"
	i=$((i + 1))
done
build=$(median "$work/build" 1)
from=$(median "$work/from" 1)
r=$(ratio "$build" "$from")
echo "one host upgraded, the fixture kernel with $modules generated modules, median of $rounds runs:"
echo "  built on the host (upgrade --patch string): $build s"
echo "  from a bundle (upgrade --from):             $from s"
echo "  from the bundle, the host's run takes 1/$r of a build on it"
result "one more host: a build on it / a run from the bundle" "$r" "> 1" "$(verdict '>' "$r" 1)"
