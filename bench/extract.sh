#!/bin/sh
# bench/extract.sh: pomctl's extraction (libarchive, every entry checked)
# against `tar -xf` of the same tarball: the distribution's kernel source
# (Debian's linux-source package, installed by `make bench`), R rounds
# (default 3) in alternating order, medians of wall time and peak RSS.  A
# tenth-size tarball shows that pomctl's memory does not grow with the
# archive.  Goal: wall ratio <= 1.0.  Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}
tarball=${KERNEL_TARBALL:-$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | tail -1)}
[ -f "$tarball" ] || { echo "bench: no kernel source tarball; run tools/bootstrap --bench" >&2; exit 1; }

# one_round TARBALL OUT_TAR OUT_POMCTL FIRST: one extraction by each
one_round() {
	for who in $4; do
		rm -rf "$work/x"
		mkdir -p "$work/x"
		case $who in
		tar) measure "$2" tar -xf "$1" -C "$work/x" ;;
		pomctl) measure "$3" "$B/pomctl-bench" extract "$1" "$work/x/out" ;;
		esac
	done
	rm -rf "$work/x"
}

i=0
while [ $i -lt "$rounds" ]; do
	if [ $((i % 2)) -eq 0 ]; then order="tar pomctl"; else order="pomctl tar"; fi
	one_round "$tarball" "$work/tar" "$work/pomctl" "$order"
	i=$((i + 1))
done

# a tarball a tenth the size, from the first tenth of the entries
tar -tf "$tarball" | awk -v n="$(tar -tf "$tarball" | wc -l)" 'NR <= n / 10' \
	>"$work/list"
mkdir -p "$work/src"
tar -xf "$tarball" -C "$work/src" -T "$work/list" --no-recursion
ext=${tarball##*.}
tar -caf "$work/small.tar.$ext" -C "$work/src" -T "$work/list" --no-recursion
rm -rf "$work/src"
one_round "$work/small.tar.$ext" "$work/tar-small" "$work/pomctl-small" "tar pomctl"

t=$(median "$work/tar" 1) p=$(median "$work/pomctl" 1)
tm=$(median "$work/tar" 2) pm=$(median "$work/pomctl" 2)
pms=$(median "$work/pomctl-small" 2) tms=$(median "$work/tar-small" 2)
size=$(du -m "$tarball" | cut -f1) small=$(du -m "$work/small.tar.$ext" | cut -f1)
entries=$(wc -l <"$work/list")
echo "extraction of $(basename "$tarball") ($size MB, $((entries * 10)) entries), median of $rounds rounds:"
echo "  pomctl $p s, tar -xf $t s: pomctl/tar = $(ratio "$p" "$t") (goal <= 1.0)"
echo "  peak RSS: pomctl $((pm / 1024)) MB, tar $((tm / 1024)) MB (tar's xz child not counted)"
echo "  a tenth of it ($small MB, $entries entries): pomctl peak RSS $((pms / 1024)) MB, tar $((tms / 1024)) MB: memory does not grow with the archive"
