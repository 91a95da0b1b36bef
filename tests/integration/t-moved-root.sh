# A root prepared offline, then booted (issue 19): pomctl runs with --root
# on a host's image mounted at one place up to the reboot pause; the image
# boots, and the same pomctl, inside it, goes on.  Modelled by moving the
# sandbox root: nothing pomctl recorded may name the place it was at.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
sandbox_root
MNT=$ROOT
TREE=/usr/src/linux-2.4.20-13.8
mkdir -p "$ROOT/var/spool/up2date"
cp "$POMCTL_WORLD"/dist/iptables-1.2.6a-2.*.rpm "$ROOT/var/spool/up2date/"
qa() { rpm --root "$ROOT" --dbpath /var/lib/rpm -qa | sort; }
qa >"$T/rpms.start"
cp -a "$ROOT/boot" "$T/boot.start"
cp -a "$ROOT/lib/modules" "$T/modules.start"
cp -a "$ROOT$TREE" "$T/tree.start"

expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=build
rel=$(sed -n 's/^pomctl: reboot into \([^ ,]*\), then.*/\1/p' "$T/out")
[ -n "$rel" ] || fail "no reboot pause"
# the state, the manifests: the root's own paths only (but for the
# commands pomctl.conf names, which the sandbox's config gives as host
# paths)
grep -rF "$MNT" "$STATE/state.json" "$STATE/manifests" |
	grep -vF "$MNT/usr/sbin/" >"$T/d" &&
	fail "the state names the mount point: $(cat "$T/d")"
assert_grep '"/boot/grub/grub.conf": "0-grub.conf"' "$STATE/manifests"/*/install.json

# the image boots elsewhere: its tools move with it (the sandbox's
# doubles are started by the paths pomctl.conf gives, so only they stay
# reachable at the old place)
ROOT=$T/booted
STATE=$ROOT/var/lib/pomctl
CONF=$ROOT/etc/pomctl.conf
mv "$MNT" "$ROOT"
sed -i "s|$MNT|$ROOT|g" "$ROOT"/usr/sbin/*
mkdir -p "$MNT/usr"
ln -s "$ROOT/usr/sbin" "$MNT/usr/sbin"
ln -s "$ROOT/sbin" "$MNT/sbin"
boot_expect "$rel"
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "all 9 steps done" "$T/out"
assert_grep "boot default: $rel, from now on (in $ROOT/boot/grub/grub.conf)" "$T/out"
[ -e "$MNT/boot" ] && fail "pomctl wrote under the old mount point"

# rollback from the booted image puts back what the mounted one changed
reboot_into 2.4.20-13.8
expect_exit 0 "$P" --root "$ROOT" rollback -y
diff -r "$T/boot.start" "$ROOT/boot" >"$T/d" || fail "/boot differs after rollback: $(cat "$T/d")"
diff -r "$T/modules.start" "$ROOT/lib/modules" >"$T/d" || fail "/lib/modules differs: $(cat "$T/d")"
diff -r --no-dereference "$T/tree.start" "$ROOT$TREE" >"$T/d" || fail "the kernel tree differs: $(cat "$T/d")"
qa >"$T/rpms.now"
diff "$T/rpms.start" "$T/rpms.now" >"$T/d" || fail "packages after rollback: $(cat "$T/d")"
