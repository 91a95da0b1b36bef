# GRUB legacy as distributions shipped it (issue 17): the one-shot boot by
# the mechanism the host's GRUB has, proven by the sandbox's boot loader
# (tests/fixtures/bootsim.py) picking the entry at each reboot.
#   1. GRUB 0.97 as Debian ships it: menu.lst with the AUTOMAGIC block,
#      `default saved`, /boot/grub/default written by grub-set-default; a
#      new kernel that does not come up falls back by itself; promotion,
#      the trial's removal (entries renumbered) and rollback.
#   2. Red Hat's GRUB, rolled back before the reboot: the one-shot left in
#      stage2 is pointed at the default entry.
#   3. A GRUB with no one-shot at all: nothing pretended; the pause names
#      the entry to choose, the default stays the old kernel.
#   4. GRUB 0.97 whose menu.lst says `default 0`: made to say `default
#      saved` (kept for rollback), then as in 1.
#   5. A grub shell that cannot be executed here (a binary of another
#      machine, missing): an error naming it, in the plan and the run,
#      before anything changes -- never "no one-shot".
# (Red Hat's GRUB, savedefault --once kept in stage2: every other test.)
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL

# --- 1. GRUB 0.97 with default saved
sandbox_root
M=$ROOT/boot/grub/menu.lst
D=$ROOT/boot/grub/default
echo upstream >"$ROOT/etc/sandbox-grub"
rm "$ROOT/boot/grub/grub.conf" "$ROOT/boot/grub/stage2"
cat >"$M" <<'MENU'
# menu.lst: the boot menu (this one in the shape Debian's update-grub
#           writes, for pomctl's tests)

## default entry number, or saved (see grub-set-default)
default		saved

## seconds before the default entry boots
timeout		5

### BEGIN AUTOMAGIC KERNELS LIST
## update-grub rewrites the lines between the AUTOMAGIC KERNELS LIST
## markers, apart from the default options below

## ## Start Default Options ##
# kopt=root=/dev/hda1 ro
# groot=(hd0,0)
# alternative=true
## ## End Default Options ##

title		Debian GNU/Linux, kernel 2.4.20-13.8
root		(hd0,0)
kernel		/vmlinuz-2.4.20-13.8 root=/dev/hda1 ro
initrd		/initrd-2.4.20-13.8.img
savedefault

title		Debian GNU/Linux, kernel 2.4.20-13.8 (single-user mode)
root		(hd0,0)
kernel		/vmlinuz-2.4.20-13.8 root=/dev/hda1 ro single
initrd		/initrd-2.4.20-13.8.img
savedefault

### END DEBIAN AUTOMAGIC KERNELS LIST
MENU
sed -i 's|^config = .*|config = /boot/grub/menu.lst|' "$CONF"
"$ROOT/usr/sbin/grub-set-default" 0
cp "$M" "$T/menu.before"
cp "$D" "$T/default.before"
head_block() { sed -n '1,/^title/p' "$1"; }
entry() {	# entry RELEASE: its lines, title to savedefault
	awk -v k="/vmlinuz-$1" '$1 == "title" { keep = 0; buf = $0 "\n"; next }
		$1 == "kernel" && $2 == k && !seen { keep = 1; seen = 1; printf "%s", buf }
		keep && NF { print } !NF { keep = 0 }' "$M"
}
index_of() {
	awk -v k="/vmlinuz-$1" '$1 == "title" { n++ } $1 == "kernel" && $2 == k { print n - 1; exit }' "$M"
}
entry 2.4.20-13.8 >"$T/running.before"

expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "grub-set-default, as $M says 'default saved' (GRUB 0.97)" "$T/out"
cmp -s "$M" "$T/menu.before" && cmp -s "$D" "$T/default.before" || fail "the plan changed the boot loader"

expect_exit 3 "$P" --root "$ROOT" upgrade --patch string
assert_grep "reboot into 2.4.20-13.8custom, then run pomctl resume (the boot loader starts it once by itself" "$T/out"
trial=$(index_of 2.4.20-13.8custom)
[ "$trial" = 2 ] || fail "the trial kernel's entry is not appended: $trial"
entry 2.4.20-13.8custom | grep -q "^savedefault 0$" || fail "no 'savedefault 0' in the trial's entry: $(entry 2.4.20-13.8custom)"
[ "$(entry 2.4.20-13.8custom | grep -c savedefault)" = 1 ] || fail "two savedefault lines"
assert_grep "^title		Debian GNU/Linux, kernel 2.4.20-13.8custom$" "$M"
[ "$(head -n 1 "$D")" = 2 ] || fail "grub/default does not name the trial's entry: $(head -n 1 "$D")"
entry 2.4.20-13.8 | cmp -s - "$T/running.before" || fail "the running entry changed"
head_block "$M" | cmp -s - "$(head_block "$T/menu.before" >"$T/h" && echo "$T/h")" || fail "the AUTOMAGIC block changed"
[ "$(grep -c 'AUTOMAGIC KERNELS LIST' "$M")" = "$(grep -c 'AUTOMAGIC KERNELS LIST' "$T/menu.before")" ] ||
	fail "the AUTOMAGIC markers were copied"
boot_expect 2.4.20-13.8custom
[ "$(head -n 1 "$D")" = 0 ] || fail "booting the trial kernel did not put the old default back"
expect_exit 3 "$P" --root "$ROOT" resume
new=$(index_of 2.4.20-13.8custom1)
[ "$(head -n 1 "$D")" = "$new" ] || fail "grub/default does not name the new entry"
# the new kernel does not come up: the loader falls back by itself
echo 2.4.20-13.8custom1 >"$ROOT/boot/sandbox-panics"
boot_expect 2.4.20-13.8
assert_grep "boot 2.4.20-13.8custom1 (panic)" "$ROOT/var/log/boot.log"
expect_exit 1 "$P" --root "$ROOT" resume
# fixed, and chosen at the console: verify, promotion, the trial removed
rm "$ROOT/boot/sandbox-panics"
boot_host "$ROOT" --choose "Debian GNU/Linux, kernel 2.4.20-13.8custom1"
[ "$BOOTED" = 2.4.20-13.8custom1 ] || fail "the menu choice booted $BOOTED"
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "boot default: 2.4.20-13.8custom1, from now on" "$T/out"
assert_grep "trial kernel 2.4.20-13.8custom: removed" "$T/out"
new=$(index_of 2.4.20-13.8custom1)
[ "$new" = 2 ] || fail "the new entry is not where the trial's was: $new"
[ "$(head -n 1 "$D")" = 2 ] || fail "grub/default was not renumbered: $(head -n 1 "$D")"
entry 2.4.20-13.8custom1 | grep -q savedefault && fail "the one-shot's savedefault stays"
assert_grep "^default		saved$" "$M"
boot_expect 2.4.20-13.8custom1
boot_expect 2.4.20-13.8custom1
# back to the old kernel, then rollback: menu.lst and grub/default as before
boot_host "$ROOT" --choose "Debian GNU/Linux, kernel 2.4.20-13.8"
expect_exit 0 "$P" --root "$ROOT" rollback
cmp -s "$M" "$T/menu.before" || fail "rollback left menu.lst changed: $(diff "$T/menu.before" "$M")"
cmp -s "$D" "$T/default.before" || fail "rollback left grub/default changed"

# --- 2. Red Hat's GRUB, rolled back before the reboot: the one-shot in
#        stage2 still names the removed entry; rollback points it at the
#        default entry (stage2 written in place, never copied back)
sandbox_root
TREE=$ROOT/usr/src/linux-2.4.20-13.8
# an installkernel that adds no entry: pomctl appends one, entry 1
sed -i 's|^grub="$dir/grub/grub.conf"$|grub=/nonexistent|' "$TREE/scripts/installkernel"
stage2=$(stat -c %i "$ROOT/boot/grub/stage2")
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
[ "$(grub_once)" = 1 ] || fail "no one-shot of entry 1: $(grub_once)"
expect_exit 0 "$P" --root "$ROOT" rollback --plan
assert_grep "boot: GRUB's one-shot points at the default entry 0 (savedefault --default=0 --once)" "$T/out"
[ "$(grub_once)" = 1 ] || fail "rollback --plan changed stage2"
expect_exit 0 "$P" --root "$ROOT" rollback
grep -q "boot: GRUB's one-shot points at the default entry 0" "$T/out" "$T/err" || fail "rollback said nothing of the one-shot"
[ "$(grub_once)" = 0 ] || fail "the one-shot still names the removed entry: $(grub_once)"
[ "$(stat -c %i "$ROOT/boot/grub/stage2")" = "$stage2" ] || fail "stage2 was replaced"
boot_expect 2.4.20-13.8

# --- 3. no one-shot: the old GRUB's shell does not know --once, and the
#        configuration does not say `default saved`
sandbox_root
echo old >"$ROOT/etc/sandbox-grub"
cp "$ROOT/boot/grub/grub.conf" "$T/conf.before"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --trial=skip --plan
assert_grep "no one-shot boot: this GRUB has no one-shot boot: its shell does not know savedefault --once (GRUB 0.97 or older), and $ROOT/boot/grub/grub.conf does not say 'default saved'; at the reboot, choose the entry for 2.4.20-13.8custom in the boot menu" "$T/out"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
assert_grep "^pomctl: reboot into 2.4.20-13.8custom, then run pomctl resume (this boot loader cannot start it once by itself: choose 'Red Hat Linux (2.4.20-13.8custom)' in the boot menu; the default stays the old kernel)$" "$T/out"
[ -z "$(grub_once)" ] || fail "a one-shot was written"
[ ! -e "$ROOT/boot/grub/default" ] || fail "grub/default was written"
assert_no_grep "savedefault" "$ROOT/boot/grub/grub.conf"
assert_grep "no one-shot boot: this GRUB" "$STATE/logs/08-install.log"
# nobody chose: the old kernel, and resume says which entry to choose
boot_expect 2.4.20-13.8
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "choose 'Red Hat Linux (2.4.20-13.8custom)' in the boot menu" "$T/err"
boot_host "$ROOT" --choose "Red Hat Linux (2.4.20-13.8custom)"
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "all 9 steps done" "$T/out"
boot_expect 2.4.20-13.8custom

# --- 4. GRUB 0.97 whose menu.lst says `default 0`: it is made to say
#        `default saved` (the file kept), the one-shot is armed the 0.97
#        way, and rollback puts `default 0` back
sandbox_root
M=$ROOT/boot/grub/menu.lst
D=$ROOT/boot/grub/default
echo upstream >"$ROOT/etc/sandbox-grub"
sed 's/^default=0$/default 0/' "$ROOT/boot/grub/grub.conf" >"$M"
rm "$ROOT/boot/grub/grub.conf" "$ROOT/boot/grub/stage2"
sed -i 's|^config = .*|config = /boot/grub/menu.lst|' "$CONF"
"$ROOT/usr/sbin/grub-set-default" 0
assert_grep "^default 0$" "$M"
cp "$M" "$T/menu.before"
cp "$D" "$T/default.before"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --trial=build --plan
assert_grep "grub-set-default, once $M says 'default saved' instead of 'default 0' (GRUB 0.97; the file is kept for rollback)" "$T/out"
assert_grep "^      -default 0$" "$T/out"
assert_grep "^      +default saved$" "$T/out"
cmp -s "$M" "$T/menu.before" && cmp -s "$D" "$T/default.before" || fail "the plan changed the boot loader"
run_to_end upgrade --patch string --trial=build
assert_grep "^default saved$" "$M"
assert_no_grep "^default 0$" "$M"
boot_expect 2.4.20-13.8custom1	# the new default, promoted
reboot_into 2.4.20-13.8
expect_exit 0 "$P" --root "$ROOT" rollback -y
cmp -s "$M" "$T/menu.before" || fail "rollback left $(diff "$T/menu.before" "$M")"
cmp -s "$D" "$T/default.before" || fail "rollback left grub/default as $(cat "$D")"
boot_expect 2.4.20-13.8

# --- 5. a grub shell this host cannot execute: refused before anything
sandbox_root
# not a program of this machine (as a 32-bit GRUB is where none runs)
printf '\177ELF\001\001\001\000garbage' >"$ROOT/usr/sbin/grub"
conf_set commands grub "$ROOT/usr/sbin/grub"
# (the patch-o-matic cache of pomctl's state may fill: the names are checked)
host_hash() { for d in boot lib/modules usr/src var/lib/rpm etc; do tree_hash "$ROOT/$d"; done; }
host_hash >"$T/before"
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "the GRUB shell \[commands\] grub cannot be run (cannot run '$ROOT/usr/sbin/grub': Exec format error)" "$T/err"
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string
assert_grep "cannot be run (cannot run '$ROOT/usr/sbin/grub': Exec format error).*nothing was changed" "$T/err"
assert_no_grep "no one-shot" "$T/out"
[ "$(host_hash)" = "$(cat "$T/before")" ] || fail "a refused run changed the host"
[ ! -e "$STATE/state.json" ] || fail "a refused run left a run"
conf_set commands grub "$ROOT/usr/sbin/no-such-grub"
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string
assert_grep "grub cannot be run (cannot run '$ROOT/usr/sbin/no-such-grub'" "$T/err"
exit 0
