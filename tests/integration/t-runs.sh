# A second run on a host that a first run upgraded keeps its own records:
# an attempt of the second run cut short is undone from the second run's
# manifest alone (the first run's patch, kernel and boot entry stay), and
# rollback undoes the second run, not the first.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
sandbox_root
TREE=$ROOT/usr/src/linux-2.4.20-13.8
NF=$TREE/net/ipv4/netfilter

# the first run: string, to the end
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
reboot_into 2.4.20-13.8custom
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "all 9 steps done" "$T/out"
ls "$STATE"/manifests/*/patch.json >"$T/first" || fail "no manifest of the first run"

# the second: iprange, on the kernel tree that already has string; the
# installed iptables is the one the first run built: the second starts
# again from the distribution's SRPM the first run started from, never
# from pomctl's own.  A release of its own tells its packages from the
# first run's.
sed -i 's/^\[rpm\]$/[rpm]\nrelease = 2.pom/' "$CONF"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch iprange --trial=skip
assert_grep "installed iptables-1.2.6a-2.src.rpm into" "$T/err"
assert_grep "installed 3 packages, replacing iptables-1.2.8-1.pom iptables-devel-1.2.8-1.pom iptables-pom-1.2.8-1.pom$" "$T/err"
assert_grep "reboot into 2.4.20-13.8custom1," "$T/out"
[ "$(ls "$STATE"/manifests/*/patch.json | wc -l)" -eq 2 ] || fail "the runs do not have a manifest each"
# killed while it patched: resume undoes that attempt, and only that
cut_in patch rpm kernel install verify
expect_exit 3 "$P" --root "$ROOT" resume
assert_grep "undoing what the interrupted attempt changed" "$T/err"
for f in "$NF/ipt_string.c" "$NF/ipt_iprange.c" "$ROOT/boot/vmlinuz-2.4.20-13.8custom" \
	"$ROOT/lib/modules/2.4.20-13.8custom/kernel/net/ipv4/netfilter/ipt_string.o" \
	"$ROOT/lib/modules/2.4.20-13.8custom1/kernel/net/ipv4/netfilter/ipt_string.o" \
	"$ROOT/lib/modules/2.4.20-13.8custom1/kernel/net/ipv4/netfilter/ipt_iprange.o"; do
	[ -e "$f" ] || fail "$f is gone: the first run's work was undone"
done
assert_grep "title Red Hat Linux (2.4.20-13.8custom)" "$ROOT/boot/grub/grub.conf"

# rollback of the second run: its kernel goes, the first run's stays
expect_exit 0 "$P" --root "$ROOT" rollback --plan
assert_grep "remove $ROOT/boot/vmlinuz-2.4.20-13.8custom1$" "$T/out"
assert_no_grep "remove $ROOT/boot/vmlinuz-2.4.20-13.8custom$" "$T/out"
assert_no_grep "ipt_string" "$T/out"
# the first run's packages come back from the copies install kept
for p in iptables iptables-devel iptables-pom; do
	assert_grep "packages: reinstall package $p-1.2.8-1.pom (the copy kept" "$T/out"
done
assert_no_grep "oldpackage" "$T/out"
expect_exit 0 "$P" --root "$ROOT" rollback -y

# a rebuild of the version installed, with a release that sorts below the
# installed one's (rpm would refuse it as older, after the builds): the
# installed release with [rpm] release after it
sed -i 's/^release = 2.pom$/release = 0.pom/' "$CONF"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch iprange --trial=skip
assert_grep "release 1.pom.0.pom: the installed iptables-1.2.8-1.pom sorts above 0.pom" "$T/err"
assert_grep "replacing iptables-1.2.8-1.pom iptables-devel-1.2.8-1.pom iptables-pom-1.2.8-1.pom$" "$T/err"
rpm --root "$ROOT" --dbpath /var/lib/rpm -q iptables >"$T/q"
assert_grep "^iptables-1.2.8-1.pom.0.pom" "$T/q"
exit 0
