# pomctl's own packaging: make install honours DESTDIR and the directory
# variables and never replaces a configuration; make rpm builds an RPM that
# installs into a scratch root with rpm --root, verifies, and erases.
. "$POMCTL_TOP/tests/integration/lib.sh"
B=$T/build
# the same object files as the tree's build, in a directory of the test's
# own: a copy of the plain build's, when there is one (make then links)
if [ -f "$POMCTL_TOP/build/deps.mk" ] && [ -d "$POMCTL_TOP/build/obj" ]; then
	mkdir -p "$B"
	cp -a "$POMCTL_TOP/build/obj" "$POMCTL_TOP/build/deps.mk" "$B/" ||
		fail "cannot copy the build's objects"
fi
run_ok make -s -C "$POMCTL_TOP" B="$B" install DESTDIR="$T/dest" PREFIX=/usr \
	BINDIR=/usr/sbin SYSCONFDIR=/etc
D=$T/dest
for f in usr/sbin/pomctl usr/share/man/man8/pomctl.8 usr/share/man/man5/pomctl.conf.5 \
	usr/share/bash-completion/completions/pomctl etc/pomctl.conf \
	usr/lib/systemd/system/pomctl-resume.service etc/rc.d/init.d/pomctl-resume; do
	[ -f "$D/$f" ] || fail "make install did not install /$f"
done
[ "$(stat -c %a "$D/etc/pomctl.conf")" = 600 ] || fail "pomctl.conf is not 0600"
[ "$(stat -c %a "$D/etc/rc.d/init.d/pomctl-resume")" = 755 ] || fail "init script not executable"
assert_grep '^ExecStart=/usr/sbin/pomctl -y resume --at-boot$' "$D/usr/lib/systemd/system/pomctl-resume.service"
assert_grep '^	/usr/sbin/pomctl -y resume --at-boot$' "$D/etc/rc.d/init.d/pomctl-resume"
! grep -rq '@SBINDIR@' "$D" || fail "a placeholder is left"
"$D/usr/sbin/pomctl" --version >"$T/out" || fail "the installed pomctl does not run"
# the installed example is a configuration pomctl accepts
mkdir -p "$T/empty"
expect_exit 0 "$D/usr/sbin/pomctl" --config "$D/etc/pomctl.conf" --root "$T/empty" status

# a second install keeps the sysadmin's configuration
echo '# mine' >>"$D/etc/pomctl.conf"
run_ok make -s -C "$POMCTL_TOP" B="$B" install DESTDIR="$T/dest" PREFIX=/usr \
	BINDIR=/usr/sbin SYSCONFDIR=/etc
assert_grep '^# mine$' "$D/etc/pomctl.conf"

# make rpm, then the RPM into a scratch root
run_ok make -s -C "$POMCTL_TOP" B="$B" rpm
rpmfile=$(ls "$B"/rpm/RPMS/*/pomctl-[0-9]*.rpm)
[ -f "$rpmfile" ] || fail "make rpm made no RPM"
R=$T/rr
mkdir -p "$R"
debian=
rpm --help 2>/dev/null | grep -q -- --force-debian && debian=--force-debian
rpm --root "$R" --dbpath /var/lib/rpm --initdb || fail "initdb"
run_ok rpm --root "$R" --dbpath /var/lib/rpm -i --nodeps $debian "$rpmfile"
[ "$(rpm --root "$R" --dbpath /var/lib/rpm -q pomctl)" = "pomctl-$(sed -n 's/^VERSION := //p' "$POMCTL_TOP/Makefile")-1.$(rpm -q --qf '%{ARCH}' -p "$rpmfile")" ] ||
	fail "rpm -q does not know pomctl"
"$R/usr/sbin/pomctl" --version | grep -q '^pomctl ' || fail "the RPM's pomctl does not run"
[ "$(stat -c %a "$R/etc/pomctl.conf")" = 600 ] || fail "RPM: pomctl.conf is not 0600"
[ "$(stat -c %a "$R/var/lib/pomctl")" = 700 ] || fail "RPM: state directory is not 0700"
assert_grep '^ExecStart=/usr/sbin/pomctl -y resume --at-boot$' "$R/usr/lib/systemd/system/pomctl-resume.service"
rpm --root "$R" --dbpath /var/lib/rpm -V --nodeps pomctl >"$T/verify" 2>&1 ||
	fail "rpm -V: $(cat "$T/verify")"
rpm --root "$R" --dbpath /var/lib/rpm -ql pomctl >"$T/files"
assert_grep '^/usr/share/man/man8/pomctl.8' "$T/files"
assert_grep '^/usr/share/bash-completion/completions/pomctl$' "$T/files"

# an edited configuration survives the erase as .rpmsave; the rest goes
echo '# mine' >>"$R/etc/pomctl.conf"
run_ok rpm --root "$R" --dbpath /var/lib/rpm -e --nodeps $debian pomctl
[ ! -e "$R/usr/sbin/pomctl" ] || fail "rpm -e left the binary"
[ -f "$R/etc/pomctl.conf.rpmsave" ] || fail "rpm -e lost the edited configuration"
