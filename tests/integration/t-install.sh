# Steps install and verify in the sandbox, with each boot loader: the new
# entry, the running entry byte-identical, the one-shot boot arranged, the
# RPMs installed with librpm; verify after the reboot, including the old
# kernel coming up instead; the functional test of the string match.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
W=$POMCTL_WORLD

sandbox() { sandbox_root --loader "$1"; }	# sandbox LOADER

# The lines of the running kernel's entry (2.4.20-13.8), for comparison.
running_entry() {
	case $1 in
	grub) sed -n '/^title Red Hat Linux (2.4.20-13.8)$/,/initrd/p' "$ROOT/boot/grub/grub.conf" ;;
	lilo) sed -n '/^image=\/boot\/vmlinuz-2.4.20-13.8$/,/append/p' "$ROOT/etc/lilo.conf" ;;
	grub2) cat "$ROOT/boot/loader/entries/2.4.20-13.8.conf" ;;
	esac
}

for loader in grub lilo grub2; do
	sandbox $loader
	before=$(running_entry $loader)
	if [ $loader = grub ]; then
		# what a transaction killed half way leaves ("FILE;TID"), with
		# the TID of every second the new transaction may start in
		now=$(date +%s)
		for t in $(seq $((now - 2)) $((now + 60))); do
			: >"$ROOT/lib/iptables/libipt_ttl.so;$(printf %08x "$t")"
		done
		# (junk the run removes, which no rollback brings back)
		rp_forget "$ROOT"
	fi
	expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=build
	if [ $loader = grub ]; then
		assert_grep "iptables: removed 63 temporary files left by an rpm transaction that was cut short" "$T/err"
		! ls "$ROOT"/lib/iptables/*\;* 2>/dev/null || fail "rpm temporaries left"
	fi
	assert_grep "reboot into 2.4.20-13.8custom1, then run pomctl resume" "$T/out"
	[ "$(running_entry $loader)" = "$before" ] || fail "$loader: the running entry changed"
	case $loader in
	grub)	assert_grep "kernel /vmlinuz-2.4.20-13.8custom1 ro root=LABEL=/" "$ROOT/boot/grub/grub.conf"
		# installkernel put the new entry first: the default still boots 2.4.20-13.8
		assert_grep "^default=1$" "$ROOT/boot/grub/grub.conf"
		[ "$(grub_once)" = 0 ] || fail "grub: no one-shot boot of entry 0" ;;
	lilo)	assert_grep "^image=/boot/vmlinuz-2.4.20-13.8custom1$" "$ROOT/etc/lilo.conf"
		assert_grep "^default=linux$" "$ROOT/etc/lilo.conf"
		assert_grep "^once 2.4.20-13.8cust$" "$ROOT/boot/map" ;;
	grub2)	[ -f "$ROOT/boot/loader/entries/2.4.20-13.8custom1.conf" ] || fail "grub2: no BLS entry"
		assert_grep "^next_entry=2.4.20-13.8custom1$" "$ROOT/boot/grub2/grubenv"
		assert_grep "^saved_entry=2.4.20-13.8$" "$ROOT/boot/grub2/grubenv" ;;
	esac
	[ -f "$ROOT/boot/initrd-2.4.20-13.8custom1.img" ] || fail "$loader: no initrd"
	# the modules' index by [commands] depmod, for the root: not by the
	# build host's depmod that the kernel's Makefile finds on PATH
	assert_grep "^depmod -a -b $ROOT 2.4.20-13.8custom1$" "$ROOT/var/log/depmod.log"
	assert_grep "^kernel/net/ipv4/netfilter/ipt_string.o$" "$ROOT/lib/modules/2.4.20-13.8custom1/modules.dep"
	[ "$(rpm --root "$ROOT" --dbpath /var/lib/rpm -q iptables)" = "iptables-1.2.8-1.pom.$(rpm --eval %_arch)" ] ||
		fail "$loader: the new iptables is not installed"
	[ -x "$ROOT/sbin/iptables" ] && [ -f "$ROOT/lib/iptables/libipt_string.so" ] || fail "package files"
	# no location had the replaced build: the updater downloaded it
	# into its spool, and install kept a copy of it for rollback
	assert_grep "^up2date --get iptables-1.2.6a-2$" "$ROOT/var/log/up2date.log"
	assert_grep "kept a copy of iptables-1.2.6a-2 for rollback (from /var/spool/up2date)" "$T/err"
	# ... moved there: the spool is as it was, and no record names it
	! ls "$ROOT"/var/spool/up2date/*.rpm 2>/dev/null || fail "$loader: the download left in the spool"
	! grep -q spool "$STATE"/manifests/*/install.json || fail "$loader: the manifest names the spool"
	expect_exit 0 "$P" --root "$ROOT" status
	assert_grep "install *awaiting-reboot" "$T/out"
done

# killed after the rpm transaction committed, before the state was saved:
# the new attempt finds nothing to replace, yet what the first replaced is
# not lost (the install manifest holds it, and the copy the updater
# downloaded, since before the transaction)
cut_in install verify
expect_exit 3 "$P" --root "$ROOT" resume
assert_grep "installed 3 packages, replacing iptables-1.2.6a-2$" "$T/err"
expect_exit 0 "$P" --root "$ROOT" rollback --plan
assert_grep "packages: reinstall package iptables-1.2.6a-2 (the copy kept" "$T/out"

# verify: the old kernel came up instead
reboot_into 2.4.20-13.8
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "the host rebooted, but it runs 2.4.20-13.8, not 2.4.20-13.8custom1" "$T/err"
# then the right one
reboot_into 2.4.20-13.8custom1
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "^pomctl: 2.4.20-13.8custom1 is running (it was 2.4.20-13.8)$" "$T/out"
assert_grep "packages replaced: iptables-1.2.6a-2" "$T/out"
assert_grep "module ipt_string: loaded" "$T/out"
assert_grep "iptables -m string: known" "$T/out"
assert_grep "^string$" "$ROOT/proc/net/ip_tables_matches"
grep -q "functional test: passed" "$T/out" || {
	grep -q "functional test: skipped: " "$T/out" || fail "no functional test result"
	echo "note: $(grep 'functional test' "$T/out")"
}
assert_grep "all 9 steps done" "$T/out"

# yum and dnf download the replaced build themselves (yumdownloader, dnf
# download) into a directory of pomctl's: install keeps that copy and
# removes the directory; the plan names the command first
arch=$(rpm --eval %_arch)
for updater in yum dnf; do
	sandbox grub
	sed -i "s/^updater = .*/updater = $updater/" "$CONF"
	case $updater in
	yum) get="$ROOT/usr/sbin/yumdownloader --destdir $STATE/tmp/download iptables-1.2.6a-2.$arch" ;;
	dnf) get="$ROOT/usr/sbin/dnf download --destdir $STATE/tmp/download iptables-1.2.6a-2.$arch" ;;
	esac
	expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --trial=skip --plan
	assert_grep "run: $get$" "$T/out"
	planned_run "$P" --root "$ROOT" upgrade --patch string --trial=skip
	[ "$got" -eq 3 ] || fail "$updater: the run ended with $got: $(cat "$T/err")"
	assert_grep "kept a copy of iptables-1.2.6a-2 for rollback (from $ROOT/usr/sbin/" "$T/err"
	ls "$STATE"/backups/*/install/packages/iptables-1.2.6a-2.$arch.rpm >/dev/null ||
		fail "$updater: no copy kept"
	[ ! -e "$STATE/tmp/download" ] || fail "$updater: the download directory stays"
	! ls "$ROOT"/var/spool/up2date/*.rpm 2>/dev/null || fail "$updater: up2date's spool was used"
done

# a module that does not load stops verify
sandbox grub
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
rm "$ROOT/lib/modules/2.4.20-13.8custom/kernel/net/ipv4/netfilter/ipt_string.o"
reboot_into 2.4.20-13.8custom
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "the module ipt_string does not load into 2.4.20-13.8custom" "$T/err"
exit 0
