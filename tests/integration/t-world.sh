# The fixture world behaves as pomctl relies on: oldconfig drops what a
# real one drops, the patches apply (or not) as their roles say, the
# iptables build finds libipt_string only in a patched tree, the sandbox's
# rpm database is real, the local server serves and goes away.
. "$POMCTL_TOP/tests/integration/lib.sh"
W=$POMCTL_WORLD
K24=linux-2.4.20-13.8
K26=linux-2.6.9-5.EL
CLASSIC=$W/pom/patch-o-matic-20030107
NG=$W/pom/patch-o-matic-ng-20040621

# --- 2.4 oldconfig ------------------------------------------------------------
cp -R "$W/trees/$K24" "$T/k24"
cd "$T/k24"
expect_exit 2 make oldconfig ARCH=x86_64
assert_grep "arch/x86_64/config.in: no such file" "$T/err"
cp configs/kernel-2.4.20-i686.config .config
echo "CONFIG_NOT_DECLARED_ANYWHERE=m" >> .config
sed -i 's/^CONFIG_IP_NF_CONNTRACK=m/# CONFIG_IP_NF_CONNTRACK is not set/' .config
yes '' | make ARCH=i386 oldconfig >"$T/out" 2>&1 || fail "oldconfig failed"
assert_no_grep NOT_DECLARED .config
assert_grep '^# CONFIG_IP_NF_FTP is not set' .config
assert_grep '^# CONFIG_IP_NF_MATCH_STATE is not set' .config
assert_grep '^CONFIG_IP_NF_MATCH_MARK=m' .config

# string: the patch and its line-adds, then the new option, asked as NEW
expect_exit 0 patch -p1 --dry-run -i "$CLASSIC/extra/string.patch"
expect_exit 1 patch -p1 --dry-run -i "$CLASSIC/extra/string-nocase.patch"
patch -s -p1 -i "$CLASSIC/extra/string.patch" || fail "string.patch did not apply"
expect_exit 0 patch -p1 --dry-run -i "$CLASSIC/extra/string-nocase.patch"
sed -i "/CONFIG_IP_NF_MATCH_MARK \\\$CONFIG_IP_NF_IPTABLES/r $CLASSIC/extra/string.patch.config.in" net/ipv4/netfilter/Config.in
sed -i '$!N;/^\(dep_tristate .* CONFIG_IP_NF_MATCH_MARK .*\)\n\1$/!P;D' net/ipv4/netfilter/Config.in
tail -n +2 "$CLASSIC/extra/string.patch.makefile" > "$T/mk.ladd"
sed -i "/ipt_mark.o/r $T/mk.ladd" net/ipv4/netfilter/Makefile
printf 'm\n' | make ARCH=i386 oldconfig >"$T/out" 2>&1 || fail "oldconfig failed"
assert_grep 'CONFIG_IP_NF_MATCH_STRING) \[N/m/y/?\] (NEW)' "$T/out"
assert_grep '^CONFIG_IP_NF_MATCH_STRING=m' .config
make ARCH=i386 dep bzImage modules >"$T/out" 2>&1 || fail "build failed: $(tail "$T/out")"
[ -f net/ipv4/netfilter/ipt_string.o ] || fail "no ipt_string.o"
[ -f arch/i386/boot/bzImage ] && [ -f .depend ] || fail "no bzImage or .depend"
# the other patches: conflict and already applied
expect_exit 1 patch -p1 --dry-run -i "$CLASSIC/pending/conntrack-tuning.patch"
assert_grep "FAILED" "$T/out"
expect_exit 0 patch -p1 -R --dry-run -i "$CLASSIC/base/ttl.patch"
expect_exit 0 patch -p1 --dry-run -i "$NG/patchlets/iprange/linux-2.4.patch"
# a broken source fails the way make fails
echo 'this is not C;' >> net/ipv4/netfilter/ipt_mark.c
expect_exit 2 make ARCH=i386 modules
assert_grep '\*\*\* \[.*ipt_mark.o\] Error 1' "$T/err"

# install: the kernel, an initrd, a boot entry that is not the default
mkdir -p "$T/r/boot/grub"
printf 'default=0\nfallback=1\ntitle Red Hat Linux (2.4.20-13.8)\n\troot (hd0,0)\n\tkernel /vmlinuz-2.4.20-13.8 ro root=LABEL=/\n\tinitrd /initrd-2.4.20-13.8.img\ntitle Old\n\tkernel /vmlinuz-2.4.18-14 ro\n' \
	> "$T/r/boot/grub/grub.conf"
sed -i 's/this is not C;//' net/ipv4/netfilter/ipt_mark.c
sed -i 's/^EXTRAVERSION = .*/EXTRAVERSION = -13.8custom/' Makefile
make ARCH=i386 modules_install install INSTALL_MOD_PATH="$T/r" INSTALL_PATH="$T/r/boot" DEPMOD=true >"$T/out" 2>&1 ||
	fail "install failed: $(tail "$T/out")"
[ -f "$T/r/lib/modules/2.4.20-13.8custom/kernel/net/ipv4/netfilter/ipt_string.o" ] || fail "modules_install"
[ -f "$T/r/boot/vmlinuz-2.4.20-13.8custom" ] && [ -f "$T/r/boot/initrd-2.4.20-13.8custom.img" ] ||
	fail "install: no kernel or initrd"
[ "$(sed -n 3p "$T/r/boot/grub/grub.conf")" = "title Red Hat Linux (2.4.20-13.8custom)" ] || fail "new entry not first"
assert_grep '^default=1$' "$T/r/boot/grub/grub.conf"
assert_grep '^fallback=2$' "$T/r/boot/grub/grub.conf"
assert_grep 'kernel /vmlinuz-2.4.20-13.8custom ro root=LABEL=/' "$T/r/boot/grub/grub.conf"

# --- 2.6 olddefconfig ------------------------------------------------------------
cp -R "$W/trees/$K26" "$T/k26"
cd "$T/k26"
cp configs/kernel-2.6.9-i686.config .config
echo "CONFIG_NOT_DECLARED_ANYWHERE=y" >> .config
sed -i 's/^CONFIG_IP_NF_IPTABLES=m/# CONFIG_IP_NF_IPTABLES is not set/' .config
make ARCH=i386 olddefconfig >"$T/out" 2>&1 || fail "olddefconfig failed"
assert_no_grep NOT_DECLARED .config
assert_grep '^# CONFIG_IP_NF_MATCH_MARK is not set' .config
cp configs/kernel-2.6.9-i686.config .config
make ARCH=i386 olddefconfig bzImage modules >"$T/out" 2>&1 || fail "2.6 build failed"
[ -f net/ipv4/netfilter/ipt_mark.ko ] || fail "no ipt_mark.ko"

# --- iptables: libipt_string only against a patched tree ------------------------------
cp -R "$W/src/iptables-1.2.8" "$T/ipt-plain"
make -C "$T/ipt-plain" KERNEL_DIR="$W/trees/$K24" >"$T/out" 2>&1 || fail "iptables build failed"
assert_grep '^Extensions found: IPv4:$' "$T/out"
[ ! -e "$T/ipt-plain/extensions/libipt_string.so" ] || fail "libipt_string.so without the patched tree"
cp -R "$W/src/iptables-1.2.8" "$T/ipt"
make -C "$T/ipt" KERNEL_DIR="$T/k24" >"$T/out" 2>&1 || fail "iptables build failed"
assert_grep '^Extensions found: IPv4:string$' "$T/out"
make -C "$T/ipt" KERNEL_DIR="$T/k24" install install-devel DESTDIR="$T/dest" BINDIR=/sbin LIBDIR=/lib MANDIR=/usr/share/man >/dev/null ||
	fail "iptables install failed"
expect_exit 0 "$T/dest/sbin/iptables" -m string --help
assert_grep '--string \[!\] string' "$T/out"
[ -f "$T/dest/lib/libipq.a" ] && [ -f "$T/dest/usr/share/man/man3/libipq.3" ] || fail "install-devel"
rm "$T/dest/lib/iptables/libipt_string.so"
expect_exit 2 "$T/dest/sbin/iptables" -m string --help
# 1.2.6a: the spec's first patch is what 1.2.8 fixed; the second applies to both
cp -R "$W/src/iptables-1.2.6a" "$T/ipt6"
expect_exit 0 patch -d "$T/ipt6" -p1 --dry-run -i "$POMCTL_TOP/tests/fixtures/iptables-rpm/iptables-1.2.6a-fixes.patch"
expect_exit 0 patch -d "$T/ipt" -p1 -R --dry-run -i "$POMCTL_TOP/tests/fixtures/iptables-rpm/iptables-1.2.6a-fixes.patch"
expect_exit 0 patch -d "$T/ipt" -p1 --dry-run -i "$POMCTL_TOP/tests/fixtures/iptables-rpm/iptables-1.2.5-redhat-man.patch"

# --- the sandbox root ---------------------------------------------------------------
"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$W" >/dev/null 2>"$T/err" || fail "mkroot failed"
[ "$(rpm --root "$T/sb" --dbpath /var/lib/rpm -q iptables)" = "iptables-1.2.6a-2.$(rpm --eval %_arch)" ] ||
	fail "iptables is not installed in the sandbox"
srpm=$(rpm --root "$T/sb" --dbpath /var/lib/rpm -q --qf '%{SOURCERPM}' iptables)
[ "$srpm" = iptables-1.2.6a-2.src.rpm ] && [ -f "$W/dist/$srpm" ] || fail "SOURCERPM is '$srpm'"
expect_exit 0 rpm --root "$T/sb" --dbpath /var/lib/rpm -q kernel-2.4.20-13.8 kernel-source-2.4.20-13.8
[ -d "$T/sb/usr/src/linux-2.4/net/ipv4/netfilter" ] || fail "no kernel source tree"
[ -f "$T/sb/lib/modules/2.4.20-13.8/kernel/net/ipv4/netfilter/ipt_mark.o" ] || fail "no modules"
[ ! -e "$T/sb/lib/modules/2.4.20-13.8/kernel/net/ipv4/netfilter/ipt_string.o" ] || fail "string already there"
assert_grep 'kernel /vmlinuz-2.4.20-13.8 ro' "$T/sb/boot/grub/grub.conf"
"$T/sb/usr/sbin/modprobe" ipt_mark || fail "sandbox modprobe"
expect_exit 1 "$T/sb/usr/sbin/modprobe" ipt_string
assert_grep "Can't locate module ipt_string" "$T/err"
expect_exit 0 "$POMCTL" --root "$T/sb" upgrade --patch string --plan

# --- the local server ---------------------------------------------------------------
python3 "$POMCTL_TOP/tests/fixtures/httpd.py" "$W/dist" --port-file "$T/port" --log "$T/http.log" &
srv=$!
at_exit 'kill $srv 2>/dev/null'
for i in $(seq 50); do [ -f "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
python3 - "$port" "$W/dist/iptables-1.2.8.tar.bz2" <<'PY' || fail "the server did not serve the file"
import hashlib, sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:%s/iptables-1.2.8.tar.bz2" % sys.argv[1]).read()
assert hashlib.sha256(body).digest() == hashlib.sha256(open(sys.argv[2], "rb").read()).digest()
PY
assert_grep 'GET /iptables-1.2.8.tar.bz2 range=- status=200' "$T/http.log"
kill "$srv"
wait "$srv" 2>/dev/null
python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null &&
	fail "the server is still there after the test"
exit 0
