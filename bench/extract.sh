#!/bin/sh
# bench/extract.sh: pomctl's extraction (libarchive, every entry checked)
# against `tar -xf` of the same tarball: the distribution's kernel source
# (Debian's linux-source package, installed by `make bench`), R rounds
# (default 3) in alternating order, each after the page cache was dropped
# and the tarball read back into it (this disk is noisy otherwise), medians
# of wall time and peak RSS.  A
# tarball of two of its directories shows that pomctl's memory does not
# grow with the archive.  Goal: wall ratio <= 1.0.  Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}
tarball=${KERNEL_TARBALL:-$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | tail -1)}
[ -f "$tarball" ] || { echo "bench: no kernel source tarball; run tools/bootstrap --bench" >&2; exit 1; }

# one_round TARBALL OUT_TAR OUT_POMCTL ORDER: one extraction by each
one_round() {
	for who in $4; do
		rm -rf "$work/x"
		mkdir -p "$work/x"
		settle "$1"
		case $who in
		tar) measure "$2" tar -xf "$1" -C "$work/x" ;;
		pomctl) measure "$3" "$B/pomctl-bench" extract "$1" "$work/x/out" ;;
		esac
	done
}

i=0
while [ $i -lt "$rounds" ]; do
	if [ $((i % 2)) -eq 0 ]; then order="tar pomctl"; else order="pomctl tar"; fi
	one_round "$tarball" "$work/tar" "$work/pomctl" "$order"
	i=$((i + 1))
done

# a smaller tarball of the same kind: two of the tree's directories
top=$(ls "$work/x/out")
ext=${tarball##*.}
tar -caf "$work/small.tar.$ext" -C "$work/x/out" "$top/net" "$top/fs"
rm -rf "$work/x"
one_round "$work/small.tar.$ext" "$work/tar-small" "$work/pomctl-small" "tar pomctl"
rm -rf "$work/x"

t=$(median "$work/tar" 1) p=$(median "$work/pomctl" 1)
tm=$(median "$work/tar" 2) pm=$(median "$work/pomctl" 2)
pms=$(median "$work/pomctl-small" 2) tms=$(median "$work/tar-small" 2)
size=$(du -m "$tarball" | cut -f1) small=$(du -m "$work/small.tar.$ext" | cut -f1)
echo "extraction of $(basename "$tarball") ($size MB), median of $rounds rounds:"
echo "  pomctl $p s, tar -xf $t s: pomctl/tar = $(ratio "$p" "$t") (goal <= 1.0)"
echo "  peak RSS: pomctl $((pm / 1024)) MB, tar $((tm / 1024)) MB (the larger of tar and its xz)"
echo "  net/ and fs/ alone ($small MB): pomctl $((pms / 1024)) MB, tar $((tms / 1024)) MB: pomctl's memory does not grow with the archive"
r=$(ratio "$p" "$t")
result "extraction of the kernel source, pomctl / tar -xf" "$r" "<= 1.0" "$(verdict '<=' "$r" 1.0)"
result "extraction, pomctl's peak RSS: $size MB archive / $small MB archive" "$((pm / 1024)) / $((pms / 1024)) MB" "does not grow" "$(verdict '<=' "$pm" "$((pms * 12 / 10))")"
