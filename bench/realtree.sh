#!/bin/sh
# bench/realtree.sh: pomctl's two kernel builds on a real tree, against the
# make a sysadmin would run by hand.  The tree is the one make vm-check's
# machine runs (tests/vm/mkimage --parts, cached in /var/cache/pomctl-vm):
# Debian's linux-source-6.1 with the string match taken out, configured
# with tinyconfig plus disk, ext3, serial and netfilter as modules
# (tests/vm/kernel.config).  A sandbox root (tests/fixtures/mkroot) gets
# that tree, that kernel's /boot and modules, the iptables RPMs built from
# Debian's iptables source and tests/vm's patch-o-matic-ng, and runs
# `upgrade --patch string --trial=build` to the reboot pause.  Measured
# side by side, one sample each, -j the CPUs everywhere:
#   plain make       a fresh copy of the tree, the running kernel's
#                    config: make olddefconfig; make bzImage modules
#   trial            pomctl's trial step (distclean, olddefconfig, the
#                    compile): goal <= 1.02 x plain make
#   plain incremental  the plain tree, built, given the files pomctl's
#                    patch and kernel step changed (the match's source,
#                    Kconfig, Makefile, the release in the top Makefile,
#                    .config with the option): make olddefconfig; make
#   kernel step      pomctl's rebuild after patching (incremental on this
#                    kbuild tree): goal <= 1.5 x plain incremental
#   overhead         the whole run's wall time less the commands it ran
#                    and the library work standing for one (downloads,
#                    extraction, rpm transactions), against the two builds:
#                    goal < 1%
#   ccache           the same run with [build] ccache = yes and an empty
#                    cache (a first run on a host), then once more with
#                    that cache (a second run: after a rollback, or the
#                    next host of the same configuration)
# Needs linux-source-6.1 and a kernel's build tools (make bench installs
# them), and the first time the network (Debian's iptables source,
# pinned).  The parts are cached in make vm-check's /var/cache/pomctl-vm,
# or ~/.cache/pomctl-vm for a user who cannot write there.
# Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
cpus=$(nproc)

# make vm-check's cache when it can be written, else the user's own
if [ -z "${VM_CACHE:-}" ]; then
	VM_CACHE=/var/cache/pomctl-vm
	{ mkdir -p "$VM_CACHE" && [ -w "$VM_CACHE" ]; } 2>/dev/null ||
		VM_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pomctl-vm
fi
export VM_CACHE
parts=$("$top/tests/vm/mkimage" --parts 2>"$work/mkimage.err") ||
	{ cat "$work/mkimage.err" >&2; echo "bench: tests/vm/mkimage --parts failed" >&2; exit 1; }
eval "$parts"
# the patch-o-matic-ng of make vm-check: string for a tree without it
mkdir -p "$work/pom"
cp -a "$top/tests/vm/pom" "$work/pom/patch-o-matic-ng-vm"
tar -C "$work/pom" -cjf "$work/pom/patch-o-matic-ng-vm.tar.bz2" patch-o-matic-ng-vm

debian=
rpm --help 2>/dev/null | grep -q -- --force-debian && debian=--force-debian
# the running kernel and its source, as Red Hat's rpm database has them
"$top/tests/vm/kernel-rpms" "$work/krpms" "$REL"

# realroot DIR: the fixture sandbox made a host of the real tree
realroot() {
	r=$1
	sandbox "$r"
	rpm --root "$r" --dbpath /var/lib/rpm -e --nodeps --justdb $debian \
		kernel kernel-source iptables
	rpm --root "$r" --dbpath /var/lib/rpm -i --nodeps --justdb $debian \
		"$work"/krpms/RPMS/*/*.rpm "$DIST"/iptables-1.8.9-*.rpm
	rm -rf "$r"/usr/src/linux-2.4* "$r"/boot/*2.4.20* "$r"/lib/modules/*
	cp -a "$KROOT/boot/." "$r/boot/"
	cp -a "$KROOT/lib/modules/$REL" "$r/lib/modules/"
	cp -a "$TREE" "$r/usr/src/linux-6.1"
	ln -s linux-6.1 "$r/usr/src/linux"
	cat >"$r/boot/grub/grub.conf" <<EOF
default=0
timeout=10
title Linux ($REL)
	root (hd0,0)
	kernel /vmlinuz-$REL ro root=/dev/sda1
EOF
	# the host and its sources; the commands stay the sandbox's
	sed -n '/^\[commands\]/,$p' "$r/etc/pomctl.conf" >"$work/commands"
	cat >"$r/etc/pomctl.conf" <<EOF
[general]
assume_yes = yes

[host]
release = $REL
boot_id = bench-boot-1
arch = $(uname -m)

[kernel]
tree = /usr/src/linux

[update]
updater = none

[rpm]
dbpath = /var/lib/rpm
nodeps = yes

[boot]
loader = grub
config = /boot/grub/grub.conf

[build]
jobs = $cpus

[sources]
srpm_locations = file://$DIST/
package_locations = file://$DIST/
iptables_version = 1.8.9
iptables_url = file://$DIST/iptables-%{version}.tar.xz
pom_version = vm
pom_url = file://$work/pom/patch-o-matic-ng-%{version}.tar.bz2

EOF
	cat "$work/commands" >>"$r/etc/pomctl.conf"
}

# run NAME [KEY VALUE]...: a real-tree sandbox, [build] KEY = VALUE, the
# upgrade to the reboot pause; "NAME WALL TRIAL KERNEL CMDS LIBWORK" into
# $work/runs (seconds: the invocation, the two steps, all commands, all
# library work)
run() {
	name=$1
	shift
	realroot "$work/sb-$name"
	while [ $# -gt 0 ]; do
		sed -i "s|^\[build\]$|[build]\n$1 = $2|" "$work/sb-$name/etc/pomctl.conf"
		shift 2
	done
	s=$(date +%s%N)
	rc=0
	"$B/pomctl" --root "$work/sb-$name" upgrade --patch string --trial=build -y \
		>"$work/$name.out" 2>&1 || rc=$?
	wall=$(( ($(date +%s%N) - s) / 1000000 ))
	[ "$rc" -eq 3 ] || { echo "bench: $name: pomctl ended with $rc, not at the reboot pause:" >&2; tail -5 "$work/$name.out" >&2; exit 1; }
	awk -v name="$name" -v wall="$wall" '
	/^=== step [a-z]+ ends after / { step[$3] = $6 }
	/^exit -?[0-9]+ \([0-9.]+ s\)/ { t = $3; sub(/^\(/, "", t); cmds += t }
	/^work: .* \([0-9.]+ s\)$/ { t = $(NF - 1); sub(/^\(/, "", t); lib += t }
	END { printf "%s %.3f %.3f %.3f %.3f %.3f\n", name, wall / 1000, step["trial"], step["kernel"], cmds, lib }
	' "$work/sb-$name"/var/lib/pomctl/logs/*.log >>"$work/runs"
}

# timed OUT CMD...: CMD's output into $work/OUT.log, its seconds printed
timed() {
	log=$work/$1.log
	shift
	s=$(date +%s%N)
	"$@" >>"$log" 2>&1 || { echo "bench: '$*' failed:" >&2; tail -5 "$log" >&2; exit 1; }
	echo $(( ($(date +%s%N) - s) / 1000000 ))
}
plain_build() {	# plain_build TREE: what a sysadmin runs after configuring
	make -C "$1" olddefconfig && make -C "$1" -j"$cpus" bzImage modules
}

# plain make of a fresh copy, with the running kernel's configuration
cp -a "$TREE" "$work/plain"
cp "$KROOT/boot/config-$REL" "$work/plain/.config"
sync
ms=$(timed plain plain_build "$work/plain")
echo "plain $ms" >>"$work/facts"

run pomctl
ktree=$work/sb-pomctl/usr/src/linux-6.1
# the same patch and option, by hand: the files pomctl's patch and kernel
# step changed, into the built plain tree
for f in net/netfilter/xt_string.c net/netfilter/Kconfig net/netfilter/Makefile Makefile .config; do
	cp "$ktree/$f" "$work/plain/$f"
done
sync
ms=$(timed incremental plain_build "$work/plain")
echo "incremental $ms" >>"$work/facts"
mods() { (cd "$1" && find . -name '*.ko' | sort); }
same=no
[ "$(mods "$ktree")" = "$(mods "$work/plain")" ] && same=yes
echo "same $same" >>"$work/facts"
echo "modules $(mods "$ktree" | wc -l)" >>"$work/facts"
rm -rf "$work/plain"

export CCACHE_DIR="$work/ccache"
run ccache-cold ccache yes
rm -rf "$work/sb-ccache-cold"
ccache --zero-stats >/dev/null
run ccache-warm ccache yes
ccache --print-stats | awk '$1 ~ /cache_hit$/ { h += $2 } $1 == "cache_miss" { m += $2 }
	END { printf "hits %.0f\n", h + m ? 100 * h / (h + m) : 0 }' >>"$work/facts"

awk -v cpus="$cpus" -v rel="$REL" '
FILENAME ~ /facts$/ { fact[$1] = $2; next }
{ wall[$1] = $2; trial[$1] = $3; kernel[$1] = $4; cmds[$1] = $5; lib[$1] = $6 }
END {
	plain = fact["plain"] / 1000; incr = fact["incremental"] / 1000
	same = fact["same"]; nmods = fact["modules"]; warm_hits = fact["hits"]
	printf "kernel %s (linux-source-6.1, tinyconfig + netfilter as modules), -j%d, seconds:\n", rel, cpus
	printf "  plain make (olddefconfig, bzImage modules)    %7.1f\n", plain
	printf "  pomctl trial (distclean, olddefconfig, make)   %7.1f   trial / plain = %.2f (goal <= 1.02)\n", trial["pomctl"], trial["pomctl"] / plain
	printf "  plain incremental make, same patch and option %7.1f\n", incr
	printf "  pomctl kernel step (incremental)               %7.1f   kernel step / plain incremental = %.2f (goal <= 1.5)\n", kernel["pomctl"], kernel["pomctl"] / incr
	printf "  the kernel step built the same %d modules as the plain tree: %s\n", nmods, same
	o = wall["pomctl"] - cmds["pomctl"] - lib["pomctl"]
	b = trial["pomctl"] + kernel["pomctl"]
	printf "  the whole run %.1f s: commands %.1f s, library work %.1f s, pomctl itself %.2f s = %.3f%% of the two builds (goal < 1%%)\n", wall["pomctl"], cmds["pomctl"], lib["pomctl"], o, 100 * o / b
	printf "ccache ([build] ccache = yes), the same run:\n"
	printf "  empty cache (a first run):  trial %7.1f (%.2fx without)   kernel step %6.1f (%.2fx without)\n", trial["ccache-cold"], trial["ccache-cold"] / trial["pomctl"], kernel["ccache-cold"], kernel["ccache-cold"] / kernel["pomctl"]
	printf "  that cache (a second run):  trial %7.1f (%.2fx without)   kernel step %6.1f (%.2fx without); %s%% hits\n", trial["ccache-warm"], trial["ccache-warm"] / trial["pomctl"], kernel["ccache-warm"], kernel["ccache-warm"] / kernel["pomctl"], warm_hits
	printf "  both builds of a first run: %.1f with ccache, %.1f without\n", trial["ccache-cold"] + kernel["ccache-cold"], b
	printf "R|%.2f|%.3f|%.2f\n", trial["pomctl"] / plain, 100 * o / b, kernel["pomctl"] / incr
}' "$work/facts" "$work/runs" >"$work/report"
grep -v '^R|' "$work/report"
IFS='|' read -r _ tr ov kr <<EOF
$(grep '^R|' "$work/report")
EOF
result "real tree: pomctl trial / plain make" "$tr" "<= 1.02" "$(verdict '<=' "$tr" 1.02)"
result "real tree: kernel step / plain incremental make" "$kr" "<= 1.5" "$(verdict '<=' "$kr" 1.5)"
result "real tree: the run's orchestration overhead, % of its builds" "$ov%" "< 1%" "$(verdict '<' "$ov" 1)"
result "real tree: the kernel step's modules equal the plain rebuild's" "$same" "yes" "$(verdict '==' "\"$same\"" '"yes"')"
