# The host's life across runs (issue 15): a second run (iprange) on a host
# a first run (string) upgraded builds on it: the new kernel carries both
# options as modules, both modules are installed, the iptables package
# has both extensions, and verify checks both.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
sandbox_root
TREE=$ROOT/usr/src/linux-2.4.20-13.8

qa() { rpm --root "$ROOT" --dbpath /var/lib/rpm -qa | sort; }
# the distribution's iptables as up2date's cache keeps it
mkdir -p "$ROOT/var/spool/up2date"
cp "$POMCTL_WORLD"/dist/iptables-1.2.6a-2.*.rpm "$ROOT/var/spool/up2date/"
qa >"$T/rpms.start"
cp -a "$ROOT/boot" "$T/boot.start"
cp -a "$ROOT/lib/modules" "$T/modules.start"
cp -a "$TREE" "$T/tree.start"
# the rpm top directory's files (rpmbuild's empty directories aside)
topfiles() { ( cd "$ROOT/usr/src/redhat" && find . -type f -exec sha256sum {} + | sort -k2 ); }
topfiles >"$T/top.start"
run_to_end upgrade --patch string --trial=build
first=$rel
[ -f "$ROOT/boot/config-$first" ] || fail "install wrote no /boot/config-$first"
assert_grep "^CONFIG_IP_NF_MATCH_STRING=m$" "$ROOT/boot/config-$first"

qa >"$T/rpms.first"
sed -i 's/^\[rpm\]$/[rpm]\nrelease = 2.pom/' "$CONF"
run_to_end upgrade --patch iprange --trial=build
second=$rel
[ "$second" != "$first" ] || fail "the second run built the same release"
assert_grep "string: in the tree from an earlier run, kept" "$T/all.err"
for opt in CONFIG_IP_NF_MATCH_STRING CONFIG_IP_NF_MATCH_IPRANGE; do
	assert_grep "^$opt=m$" "$TREE/.config"
done
built_with "$second" string iprange
pkg=$(ls "$ROOT"/usr/src/redhat/RPMS/*/iptables-1.2.8-2.pom.*.rpm)
rpm -qlp "$pkg" >"$T/files" 2>/dev/null
assert_grep "libipt_string.so$" "$T/files"
assert_grep "libipt_iprange.so$" "$T/files"
assert_grep "iptables -m string: known" "$T/out"
assert_grep "iptables -m iprange: known" "$T/out"
assert_grep "module ipt_string: loaded" "$T/out"
assert_grep "module ipt_iprange: loaded" "$T/out"
assert_grep "patches the kernel carries: iprange string$" "$T/out"
# success sticks: after each run the new kernel is the default
idx=$(awk -v r="$second" '$1 == "title" { n++ } $1 == "kernel" && $2 == "/vmlinuz-" r { print n - 1 }' "$ROOT/boot/grub/grub.conf")
assert_grep "^default=$idx$" "$ROOT/boot/grub/grub.conf"
assert_grep "boot default: $second, from now on" "$T/out"

# the distribution publishes an errata kernel and the host boots it:
# status shows, kernel by kernel, what each carries of the host's set
# (string from run 1, iprange from run 2); then the errata goes again
debian=
rpm --help 2>/dev/null | grep -q -- --force-debian && debian=--force-debian
rpm --root "$ROOT" --dbpath /var/lib/rpm -i --nodeps --noscripts --ignorearch $debian \
	"$POMCTL_WORLD"/dist/kernel-2.4.20-18.8.*.rpm || fail "the errata kernel does not install"
"$P" --root "$ROOT" history >"$T/h"
first_run=$(awk '/^20/ { print $1; exit }' "$T/h")
second_run=$(awk '/^20/ { n++ } n == 2 { print $1; exit }' "$T/h")
reboot_into 2.4.20-18.8
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "^  string  *patch-o-matic 20030107, run $first_run$" "$T/out"
assert_grep "^  iprange  *patch-o-matic 20030107, run $second_run$" "$T/out"
assert_grep "^  kernel 2.4.20-18.8  *package, running  *lacks string iprange$" "$T/out"
assert_grep "^  kernel 2.4.20-13.8  *package  *lacks string iprange$" "$T/out"
assert_grep "^  kernel $second  *pomctl's, default  *carries string iprange$" "$T/out"
assert_grep "^  iptables-1.2.8-2.pom  *carries string iprange$" "$T/out"
expect_exit 0 "$P" --root "$ROOT" --json status
python3 - "$T/out" "$second" <<'PY' || fail "status --json: host: $(cat "$T/out")"
import json, sys
h = json.load(open(sys.argv[1]))["host"]
k = {x["release"]: x for x in h["kernels"]}
assert [e["name"] for e in h["extensions"]] == ["string", "iprange"], h
assert k["2.4.20-18.8"]["running"] and k["2.4.20-18.8"]["carries"] == [], k
assert k[sys.argv[2]]["default"] and k[sys.argv[2]]["carries"] == ["string", "iprange"], k
assert h["iptables_carries"] == ["string", "iprange"], h
PY
rpm --root "$ROOT" --dbpath /var/lib/rpm -e --nodeps --noscripts $debian kernel-2.4.20-18.8 ||
	fail "the errata kernel does not go"
reboot_into "$second"

# runs are a history: a run that finds nothing to do is passed over;
# rollback undoes the last run, then the one before it
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string
assert_grep "already available" "$T/out"
expect_exit 0 "$P" --root "$ROOT" history
[ "$(grep -c '^20' "$T/out")" -eq 3 ] || fail "history: $(cat "$T/out")"
run1=$(awk '/^20/ { print $1; exit }' "$T/out")
run2=$(awk '/^20/ { n++ } n == 2 { print $1; exit }' "$T/out")
assert_grep "^$run1 *done *string *$first " "$T/out"
assert_grep "^$run2 *done *iprange *$second " "$T/out"
assert_grep "nothing to do *string " "$T/out"
# aligned: each column begins at the same place on every line
for col in STATE PATCHES KERNEL; do
	at=$(head -n 1 "$T/out" | awk -v c="$col" '{ print index($0, c) }')
	awk -v at="$at" 'NR > 1 && substr($0, at - 2, 2) != "  " { bad = 1 } END { exit bad }' "$T/out" ||
		fail "history's $col column is not aligned: $(cat "$T/out")"
done
expect_exit 0 "$P" --root "$ROOT" --json history
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"] == 2 and [r["state"] for r in d["runs"]] == ["done", "done", "nothing to do"] and d["runs"][1]["patches"] == ["iprange"], d' "$T/out" ||
	fail "history --json: $(cat "$T/out")"
# one run: as status shows it, and what undoing it takes (a later run first)
expect_exit 0 "$P" --root "$ROOT" history "$run1"
assert_grep "^run $run1 (done): upgrade --patch string" "$T/out"
assert_grep "^  9 verify *done" "$T/out"
assert_grep "^rollback: after run $run2, which came later" "$T/out"
expect_exit 0 "$P" --root "$ROOT" --json history "$run2"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["id"] == sys.argv[2] and d["state"] == "done" and d["patches"] == ["iprange"] and "host" not in d, d' "$T/out" "$run2" ||
	fail "history --json ID: $(cat "$T/out")"
expect_exit 2 "$P" --root "$ROOT" history nosuch
assert_grep "there is no run 'nosuch'" "$T/err"
# a rollback that would be refused: its plan is the refusal (exit 2, the
# same message); with --force, the plan, and --detailed-exitcode says 5
expect_exit 2 "$P" --root "$ROOT" rollback --plan --detailed-exitcode
assert_grep "the running kernel $second is one pomctl installed: boot the old kernel first, or pomctl rollback --force" "$T/err"
[ ! -s "$T/out" ] || fail "a refused rollback printed a plan: $(cat "$T/out")"
# and as JSON (pomctl(8)'s shape): typed actions, the same as the text
expect_exit 0 "$P" --root "$ROOT" --json rollback --plan --force
python3 "$POMCTL_TOP/tests/fixtures/json-shape.py" plan "$T/out" || fail "rollback's plan JSON"
python3 - "$T/out" "$ROOT/boot/vmlinuz-$second" <<'PY' || fail "rollback --plan --json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
acts = [(s["name"], a) for s in d["steps"] for a in s["actions"]]
assert ("install", {"type": "remove", "paths": [sys.argv[2]]}) in acts, acts
assert any(n == "run" and a["type"] == "caution" and "with --force" in a["text"] for n, a in acts)
assert any(a["type"] == "package" for n, a in acts), acts
PY
expect_exit 5 "$P" --root "$ROOT" rollback --plan --force --detailed-exitcode
assert_grep "rollback of run $run2 (iprange) would:" "$T/out"
assert_grep "with --force: the running kernel $second is one this run installed" "$T/out"
assert_grep "install: remove $ROOT/boot/vmlinuz-$second$" "$T/out"
assert_no_grep "vmlinuz-$first" "$T/out"
assert_no_grep "loader/entries" "$T/out"
[ "$(sort "$T/out" | uniq -d | wc -l)" -eq 0 ] || fail "duplicate lines: $(sort "$T/out" | uniq -d)"
expect_exit 2 "$P" --root "$ROOT" rollback --run "$run1"
assert_grep "run $run2 came after run $run1 and is not rolled back: roll it back first" "$T/err"
expect_exit 2 "$P" --root "$ROOT" rollback
assert_grep "the running kernel $second is one pomctl installed" "$T/err"
reboot_into 2.4.20-13.8
expect_exit 0 "$P" --root "$ROOT" rollback
assert_grep "^pomctl: run $run2 is rolled back: the host is as it was before it" "$T/out"
[ ! -e "$ROOT/boot/vmlinuz-$second" ] || fail "run 2's kernel stays"
[ -e "$ROOT/boot/vmlinuz-$first" ] || fail "run 1's kernel went with run 2"
assert_grep "install: removed $ROOT/boot/vmlinuz-$second" "$T/err"
# run 2 replaced run 1's packages: their copies (the rpm top directory's
# RPMS) are back
qa >"$T/rpms.now"
diff "$T/rpms.first" "$T/rpms.now" >"$T/d" || fail "packages after rolling back run 2: $(cat "$T/d")"
expect_exit 0 "$P" --root "$ROOT" rollback
assert_grep "^pomctl: run $run1 is rolled back: the host is as it was before it$" "$T/out"
diff -r "$T/boot.start" "$ROOT/boot" >"$T/d" || fail "/boot differs after both rollbacks: $(cat "$T/d")"
qa >"$T/rpms.now"
diff "$T/rpms.start" "$T/rpms.now" >"$T/d" || fail "packages after both rollbacks: $(cat "$T/d")"
diff -r "$T/modules.start" "$ROOT/lib/modules" >"$T/d" || fail "/lib/modules differs: $(cat "$T/d")"
diff -r --no-dereference "$T/tree.start" "$TREE" >"$T/d" || fail "the kernel tree differs: $(cat "$T/d")"
topfiles >"$T/top.now"
diff "$T/top.start" "$T/top.now" >"$T/d" || fail "the rpm top directory differs: $(cat "$T/d")"
expect_exit 2 "$P" --root "$ROOT" rollback
assert_grep "nothing to roll back" "$T/err"
expect_exit 0 "$P" --root "$ROOT" history
[ "$(grep -c 'rolled back' "$T/out")" -eq 2 ] || fail "history after rollbacks: $(cat "$T/out")"

# each loader: promoted after verify, not before; rollback puts it back
for loader in grub lilo grub2; do
	rm -rf "$T/sb"
	"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$POMCTL_WORLD" --loader $loader >/dev/null 2>&1 || fail mkroot
	case $loader in
	grub) cfg=$ROOT/boot/grub/grub.conf ;;
	lilo) cfg=$ROOT/etc/lilo.conf ;;
	grub2) cfg=$ROOT/boot/grub2/grubenv ;;
	esac
	cp "$cfg" "$T/cfg.orig"
	expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
	rel=$(sed -n 's/^pomctl: reboot into \([^ ,]*\), then.*/\1/p' "$T/out")
	case $loader in	# before verify: the old kernel is the default
	grub) assert_grep "^default=1$" "$cfg" ;;
	lilo) assert_grep "^default=linux$" "$cfg" ;;
	grub2) assert_grep "^saved_entry=2.4.20-13.8$" "$cfg" ;;
	esac
	# a verify that fails (the module does not load) promotes nothing
	mv "$ROOT/lib/modules/$rel" "$T/modules.away"
	reboot_into "$rel"
	expect_exit 1 "$P" --root "$ROOT" resume
	assert_grep "the module ipt_string does not load" "$T/err"
	case $loader in
	grub) assert_grep "^default=1$" "$cfg" ;;
	lilo) assert_grep "^default=linux$" "$cfg" ;;
	grub2) assert_grep "^saved_entry=2.4.20-13.8$" "$cfg" ;;
	esac
	mv "$T/modules.away" "$ROOT/lib/modules/$rel"
	expect_exit 0 "$P" --root "$ROOT" resume
	assert_grep "boot default: $rel, from now on" "$T/out"
	case $loader in
	grub) assert_grep "^default=0$" "$cfg" ;;
	lilo) assert_grep "^default=$(printf %s "$rel" | cut -c1-15)$" "$cfg"
	      assert_grep "^lilo $" "$ROOT/var/log/lilo.log" ;;
	grub2) assert_grep "^saved_entry=$rel$" "$cfg" ;;
	esac
	reboot_into 2.4.20-13.8
	expect_exit 0 "$P" --root "$ROOT" rollback
	cmp -s "$cfg" "$T/cfg.orig" || fail "$loader: rollback left $(diff "$T/cfg.orig" "$cfg")"
done

# [boot] make_default = no: the report says where the next reboot goes
rm -rf "$T/sb"
sandbox_root
sed -i 's/^\[boot\]$/[boot]\nmake_default = no/' "$CONF"
run_to_end upgrade --patch string --trial=skip
assert_grep "boot default: left as it is (\[boot\] make_default = no): the next reboot starts 2.4.20-13.8" "$T/out"
assert_grep "^default=1$" "$ROOT/boot/grub/grub.conf"

# the trial's reboot is one-shot too, and names the menu entry; a make
# install that adds no boot entry (Debian's installkernel) gets one added,
# as install would
rm -rf "$T/sb"
sandbox_root
TREE=$ROOT/usr/src/linux-2.4.20-13.8
sed -i 's|^grub="$dir/grub/grub.conf"$|grub=/nonexistent|' "$TREE/scripts/installkernel"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string
assert_grep "^pomctl: reboot into 2.4.20-13.8custom, then run pomctl resume (the boot loader starts it once by itself as 'Red Hat Linux (2.4.20-13.8custom)'; pick that entry if the menu asks)$" "$T/out"
n=$(awk '$1 == "title" { n++ } $1 == "kernel" && $2 == "/vmlinuz-2.4.20-13.8custom" { print n - 1 }' "$ROOT/boot/grub/grub.conf")
[ -n "$n" ] || fail "the trial kernel has no entry"
[ "$(grub_once)" = "$n" ] || fail "no one-shot boot of the trial kernel: $(grub_once)"
assert_grep "^default=0$" "$ROOT/boot/grub/grub.conf"
# a plain reboot that came back to the old kernel: the title to pick
reboot_into 2.4.20-13.8
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "boot 2.4.20-13.8custom, then run pomctl resume (boot menu entry 'Red Hat Linux (2.4.20-13.8custom)')$" "$T/err"

# /boot too small: refused before anything is copied; once there is room,
# resume installs (a small tmpfs over ROOT/boot in a private mount namespace)
command -v unshare >/dev/null || fail "unshare(1) is needed"
rm -rf "$T/sb"
sandbox_root
cat >"$T/boot.sh" <<'INNER'
. "$POMCTL_TOP/tests/integration/lib.sh"
ROOT=$T/sb
cp -a "$ROOT/boot" "$T/boot.orig"
mount --make-rprivate / && mount -t tmpfs -o size=128k pomctl-boot "$ROOT/boot" ||
	fail "cannot mount a tmpfs"
cp -a "$T/boot.orig/." "$ROOT/boot/"
free=$(df -k --output=avail "$ROOT/boot" | tail -1)
dd if=/dev/zero of="$ROOT/boot/filler" bs=1k count=$((free - 1)) 2>/dev/null
ls -A "$ROOT/boot" >"$T/boot.before"
expect_exit 1 "$POMCTL" --root "$ROOT" upgrade --patch string --trial=skip
assert_grep "pomctl: $ROOT/boot has .* free and 2.4.20-13.8custom needs about .* (kernel, System.map, config, initrd): remove a kernel you no longer boot, then run pomctl resume; nothing was installed" "$T/err"
ls -A "$ROOT/boot" | cmp -s - "$T/boot.before" || fail "something was copied: $(ls -A "$ROOT/boot")"
[ ! -e "$ROOT/lib/modules/2.4.20-13.8custom" ] || fail "modules were installed"
rm "$ROOT/boot/filler"
rp_forget "$ROOT"	# (the host the run began on had the filler)
expect_exit 3 "$POMCTL" --root "$ROOT" resume
[ -f "$ROOT/boot/vmlinuz-2.4.20-13.8custom" ] || fail "no kernel after resume"
INNER
T=$T unshare -m sh "$T/boot.sh" || exit 1

# Ctrl-C during the compile costs nothing: resume goes on with an
# incremental make (every object is there: none is compiled again)
rm -rf "$T/sb"
sandbox_root
cat >"$T/slowmake" <<EOF2
#!/bin/sh
# make, then (once) a long wait after bzImage modules: a slow link
make "\$@"; rc=\$?
case " \$* " in *" bzImage "*)
	[ -e "$T/slept" ] || { touch "$T/slept"; sleep 60; } ;;
esac
exit \$rc
EOF2
chmod 755 "$T/slowmake"
sed -i "s|^\[commands\]$|[commands]\nmake = $T/slowmake|" "$CONF"
"$P" --root "$ROOT" upgrade --patch string --trial=build >"$T/bg.out" 2>"$T/bg.err" &
bg=$!
for i in $(seq 200); do [ -e "$T/slept" ] && break; sleep 0.1; done
[ -e "$T/slept" ] || fail "the compile did not get to its slow end"
kill -INT "$bg"
wait "$bg"
[ $? -eq 1 ] || fail "interrupted pomctl did not exit 1"
assert_grep "step 'trial' was interrupted; run pomctl resume to continue" "$T/bg.err"
assert_no_grep "failed" "$T/bg.err"
run_ok "$P" --root "$ROOT" resume
assert_no_grep "undoing what the interrupted attempt changed" "$T/err"
assert_grep "configured: done by the interrupted attempt, and still current" "$T/err"
log=$STATE/logs/04-trial.log
last=$(grep -n '^=== step trial, attempt' "$log" | tail -1 | cut -d: -f1)
tail -n +"$last" "$log" >"$T/last-attempt"
assert_grep "bzImage modules" "$T/last-attempt"
[ "$(grep -c '^cc ' "$T/last-attempt")" -eq 0 ] ||
	fail "the resumed compile built again: $(grep '^cc ' "$T/last-attempt")"
status_is trial done

# a compile that fails, then rollback: the tree by content, not distclean
# (the fixture's make dep makes files distclean leaves, as real 2.4 trees)
rm -rf "$T/sb"
sandbox_root
TREE=$ROOT/usr/src/linux-2.4.20-13.8
cp -a "$TREE" "$T/tree.pristine"
echo 1 >"$T/fail-count"
sed -i "s|^\[commands\]$|[commands]\nmake = $POMCTL_TOP/tests/fixtures/bin/fail-once $T/fail-count bzImage make|" "$CONF"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=build
assert_grep "step 'trial' failed" "$T/err"
# status: how long each step took, and the failure in one line
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "^  1 check    done  *20[0-9-]*T[0-9:]*Z  *[0-9]*s  *$" "$T/out"
assert_grep "^  4 trial    failed .* [0-9]*s  *make bzImage modules in .* failed (exit 1)" "$T/out"
[ "$(sed "/^host/,\$d" "$T/out" | wc -l)" -eq 10 ] || fail "status is not one line a step: $(cat "$T/out")"
[ -e "$TREE/drivers/net/hamradio/soundmodem/sm_tbl_afsk1200.h" ] || fail "make dep made no table"
expect_exit 0 "$P" --root "$ROOT" rollback
diff -r --no-dereference "$T/tree.pristine" "$TREE" >"$T/d" || fail "the tree differs after rollback: $(cat "$T/d")"

# a userspace-only patch (classic userspace/raw.patch.userspace): nothing
# for the kernel, its diff carried by the iptables package, verify asks
# nothing of the kernel for it
rm -rf "$T/sb"
sandbox_root
run_to_end upgrade --patch raw --trial=skip
assert_grep "raw: userspace only: the rpm step carries its diff" "$T/all.err"
[ -f "$ROOT/usr/src/redhat/SOURCES/iptables-pom-raw.patch" ] || fail "the raw diff is not in SOURCES"
grep -q "^Patch[0-9]*: iptables-pom-raw.patch" "$ROOT/usr/src/redhat/SPECS/iptables.spec" ||
	fail "the spec does not carry the raw diff"
assert_no_grep "module ipt_raw" "$T/out"

# a run that stopped before it changed anything (no source package to be
# had): upgrade names the way out; rollback sets it aside; upgrade again
rm -rf "$T/sb"
sandbox_root
sed -i "s|^srpm_locations = .*|srpm_locations = $T/nowhere/|" "$CONF"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=skip
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --trial=skip
assert_grep "continue it with pomctl resume, or undo it with pomctl rollback" "$T/err"
expect_exit 5 "$P" --root "$ROOT" rollback --plan --detailed-exitcode
assert_grep "would set run .* aside: it changed nothing" "$T/out"
expect_exit 0 "$P" --root "$ROOT" rollback
assert_grep "changed nothing; it is set aside (pomctl upgrade can start a new one)" "$T/out"
expect_exit 0 "$P" --root "$ROOT" history
assert_grep " set aside " "$T/out"
sed -i "s|^srpm_locations = $T/nowhere/|srpm_locations = file://$POMCTL_WORLD/dist/|" "$CONF"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
