# list-patches tries patches in batches (one patch --dry-run for many):
# every answer is the one a patch tried alone gets.  A generated tree and
# patch-o-matic: patches that apply, one that applies alone but not after
# another (the same lines), one with a rejected hunk, one whose hunk has
# no file header (alone, patch(1) refuses it; after another diff it would
# read as one more hunk of that diff's file), one cut short.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
K=$T/linux
POM=$T/pom
cp -a "$POMCTL_WORLD/trees/linux-2.4.20-13.8" "$K"
mkdir -p "$K/drivers/gen" "$POM/extra" "$T/gen"
for f in $(seq 0 11); do
	seq 1 60 | sed "s/.*/int f${f}_& = &;/" >"$K/drivers/gen/f$f.c"
done
# gen NAME FILE SED: a patch NAME changing drivers/gen/FILE.c by SED
gen() {
	rm -rf "$T/gen/a" "$T/gen/b"
	mkdir -p "$T/gen/a/drivers/gen" "$T/gen/b/drivers/gen"
	cp "$K/drivers/gen/$2.c" "$T/gen/a/drivers/gen/"
	sed "$3" "$K/drivers/gen/$2.c" >"$T/gen/b/drivers/gen/$2.c"
	(cd "$T/gen" && diff -urN a b >"$POM/extra/$1.patch")
	meta "$1"
}
# its help and Makefile line-add (a line-add not there yet: applied is
# known without a reverse run of patch(1), as for most patch-o-matic)
meta() {
	printf 'Author: t-listing\nStatus: generated\n\n%s.\n' "$1" >"$POM/extra/$1.patch.help"
	printf 'obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\nobj-$(CONFIG_GEN_%s) += gen_%s.o\n' "$1" "$1" \
		>"$POM/extra/$1.patch.makefile"
}
for i in 0 1 2 3 4 5 6 7; do gen "ok$i" "f$i" "30s/= 30/= $i/"; done
gen same0 f0 "30s/= 30/= 100/"		# applies alone; not after ok0
gen rejected f8 "30s/= 30/= 8/"
sed -i 's/^ int f8_29 = 29;$/ int f8_29 = 2900;/' "$POM/extra/rejected.patch"
printf '@@ -50,2 +50,2 @@\n-int f0_50 = 50;\n+int f0_50 = 9;\n int f0_51 = 51;\n' \
	>"$POM/extra/stray.patch"	# would fit same0's file, f0, after its hunk
meta stray
gen cut f10 "30s/= 30/= 10/"
sed -i '$d' "$POM/extra/cut.patch"
# a patch(1) that counts its runs
printf '#!/bin/sh\necho run >>"%s"\nexec patch "$@"\n' "$T/runs" >"$T/countpatch"
chmod 755 "$T/countpatch"
printf '[commands]\npatch = %s\n' "$T/countpatch" >"$T/count.conf"
chmod 600 "$T/count.conf"

mkdir "$T/tmp"
# one worker: patches in name order (cut, ok0-7, rejected, same0, stray)
TMPDIR=$T/tmp expect_exit 0 "$P" -c "$T/count.conf" -j 1 list-patches --kernel "$K" --pom "$POM"
for i in 0 1 2 3 4 5 6 7; do assert_grep "^  ok$i .* applies " "$T/out"; done
assert_grep "^  same0 .* applies " "$T/out"
assert_grep "^  rejected .* fails " "$T/out"
assert_grep "rejected.patch: hunks rejected in drivers/gen/f8.c" "$T/out"
assert_grep "^  stray .* fails " "$T/out"
[ "$(grep -c '^  [a-z]' "$T/out")" -eq 12 ] || fail "not 12 patches: $(cat "$T/out")"
# column headings, and a legend for the repository column
sed -n 2p "$T/out" | grep -q '^  NAME  *REPOSITORY STATUS ON THIS TREE TITLE$' || fail "no headings: $(sed -n 2p "$T/out")"
assert_grep "^REPOSITORY is the patch-o-matic directory a patch is in" "$T/out"
[ -z "$(ls -A "$T/tmp")" ] || fail "list-patches left $(ls "$T/tmp")"
cp "$T/out" "$T/serial"

# each answer is the one the patch gets alone (a tree of one patch: no batch)
for f in "$POM"/extra/*.patch; do
	name=$(basename "$f" .patch)
	mkdir -p "$T/one/$name/extra"
	cp "$POM/extra/$name.patch"* "$T/one/$name/extra/"
	"$P" list-patches --kernel "$K" --pom "$T/one/$name" >"$T/alone" 2>&1 ||
		fail "list-patches of $name alone"
	# the patch's lines: without the header, the headings and the legend
	sed -n '2,$p' "$T/alone" | grep -v '^  NAME \|^REPOSITORY is ' >"$T/alone.lines"
	awk -v n="$name" '/^[^ ]/ { on = 0 } /^  [^ ]/ { on = ($1 == n) } on' "$T/serial" >"$T/batched.lines"
	cmp -s "$T/alone.lines" "$T/batched.lines" ||
		fail "$name: alone $(cat "$T/alone.lines"), in batches $(cat "$T/batched.lines")"
done

# two workers: the same answers
TMPDIR=$T/tmp expect_exit 0 "$P" -j 2 list-patches --kernel "$K" --pom "$POM"
cmp -s "$T/out" "$T/serial" || fail "-j 2 differs from -j 1: $(diff "$T/serial" "$T/out")"

# eight patches that apply, one worker: one run of patch(1) says so
mkdir -p "$T/oks/extra"
cp "$POM"/extra/ok* "$T/oks/extra/"
: >"$T/runs"
expect_exit 0 "$P" -c "$T/count.conf" -j 1 list-patches --kernel "$K" --pom "$T/oks"
[ "$(grep -c ' applies ' "$T/out")" -eq 8 ] || fail "not 8 that apply: $(cat "$T/out")"
[ "$(wc -l <"$T/runs")" -eq 1 ] || fail "$(wc -l <"$T/runs") runs of patch(1) for 8 patches"

# a help text's indentation is not the title's; a directory that holds a
# patch-o-matic tree one level down is named, not read as empty
mkdir -p "$T/ind/extra" "$T/wrap"
cp "$POM/extra/ok0.patch" "$POM/extra/ok0.patch.makefile" "$T/ind/extra/"
printf 'Author: x\nStatus: y\n\n  This option is\n      required   to direct packets.\n' \
	>"$T/ind/extra/ok0.patch.help"
expect_exit 0 "$P" list-patches --kernel "$K" --pom "$T/ind"
assert_grep "^  ok0 .* applies  *This option is required to direct packets\.$" "$T/out"
cp -a "$T/ind" "$T/wrap/patch-o-matic-20030107"
touch "$T/wrap/patch-o-matic-20030107/runme"
expect_exit 2 "$P" list-patches --kernel "$K" --pom "$T/wrap"
assert_grep "'$T/wrap' holds no patch-o-matic patches (classic layout; read patch-o-matic-20030107: no NAME.patch); did you mean '$T/wrap/patch-o-matic-20030107'?" "$T/err"
# classic userspace/ is a repository: whole patches there, and patches
# with a userspace part only
mkdir -p "$T/us/userspace" "$T/us/extra"
cp "$POM/extra/ok1.patch" "$T/us/userspace/IMQ.patch"
printf 'Author: x\n\nThe IMQ target.\n' >"$T/us/userspace/IMQ.patch.help"
printf -- '--- userspace/extensions/.IMQ-test\n+++ userspace/extensions/.IMQ-test\n@@ -0,0 +1 @@\n+#!/bin/sh\n' \
	>"$T/us/userspace/IMQ.patch.userspace"
printf -- '--- userspace/raw.txt\n+++ userspace/raw.txt\n@@ -0,0 +1 @@\n+the raw table\n' \
	>"$T/us/userspace/raw.patch.userspace"
printf 'Author: x\n\nThe raw table.\n' >"$T/us/userspace/raw.patch.help"
cp "$POM/extra/ok2.patch" "$POM/extra/ok2.patch.help" "$T/us/extra/"
expect_exit 0 "$P" list-patches --kernel "$K" --pom "$T/us"
assert_grep "^  IMQ  *userspace  *applies  *The IMQ target\.$" "$T/out"
assert_grep "^  raw  *userspace  *applies  *The raw table\.$" "$T/out"
assert_grep "userspace only: its diff goes into the iptables package" "$T/out"
assert_grep "^  ok2  *extra  *applies" "$T/out"

# on a host with no run and no tarball: the error names the command that
# fills pomctl's cache, and after it list-patches reads that tree
sandbox_root
expect_exit 2 "$P" --root "$ROOT" list-patches
assert_grep "no patch-o-matic tree: give --pom DIR or TARBALL, or fill pomctl's cache with pomctl upgrade --patch NAME --plan" "$T/err"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
expect_exit 0 "$P" --root "$ROOT" list-patches
assert_grep "^  string  *extra  *applies" "$T/out"
exit 0
