# The rpm step in the sandbox: the spec edited and checked by librpmbuild,
# rpmbuild against the patched tree, the packages checked; a userspace
# part carried into the build; failing and malformed inputs refused.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
W=$POMCTL_WORLD
sandbox() {
	rm -rf "$T/sb"
	"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$W" --pom "$1" >/dev/null 2>&1 ||
		fail "mkroot"
	ROOT=$T/sb
	STATE=$ROOT/var/lib/pomctl
	TREE=$ROOT/usr/src/linux-2.4.20-13.8
	TOPDIR=$ROOT/usr/src/redhat
	SPEC=$TOPDIR/SPECS/iptables.spec
}
status_is() { "$P" --root "$ROOT" status >"$T/st"; grep -q "$1 *$2" "$T/st" || fail "$1 is not $2: $(cat "$T/st")"; }

sandbox classic
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=build
assert_grep "reboot into 2.4.20-13.8custom[0-9]*, then run pomctl resume" "$T/out"
status_is rpm done
for p in iptables iptables-ipv6 iptables-devel iptables-pom; do
	ls "$TOPDIR"/RPMS/*/$p-1.2.8-1.pom.*.rpm >/dev/null 2>&1 || fail "no $p package"
done
rpm -qlp "$TOPDIR"/RPMS/*/iptables-1.2.8-1.pom.*.rpm >"$T/files" 2>/dev/null
assert_grep "^/lib/iptables/libipt_string.so$" "$T/files"
rpm -qlp "$TOPDIR"/RPMS/*/iptables-devel-1.2.8-1.pom.*.rpm 2>/dev/null | grep -q "libipq.h$" || fail "devel files"
rpm -qlp "$TOPDIR"/RPMS/*/iptables-pom-1.2.8-1.pom.*.rpm 2>/dev/null | grep -q "^/usr/src/patch-o-matic/extra/string.patch$" ||
	fail "pom files"
rpm -qp --requires "$TOPDIR"/RPMS/*/iptables-1.2.8-1.pom.*.rpm 2>/dev/null | grep -q "^kernel >= 2.4.20$" ||
	fail "Requires: kernel"
assert_grep "^Version: 1.2.8$" "$SPEC"
assert_no_grep "^Patch0:" "$SPEC"
assert_grep "^%patch1 -p1 -b .redhat$" "$SPEC"
assert_grep "^make KERNEL_DIR=$TREE COPT_FLAGS" "$SPEC"
assert_grep "^- dropped iptables-1.2.6a-fixes.patch: contained in 1.2.8$" "$SPEC"
python3 - "$STATE"/manifests/*/rpm.json "$SPEC" "$ROOT" <<'PY' || fail "the original spec is not backed up"
import json, os, sys
path = sys.argv[1]
m = json.load(open(path))
backups = path.replace("/manifests/", "/backups/")[:-len(".json")]
backup = m["changed"][sys.argv[2][len(sys.argv[3]):]]
orig = open(os.path.join(backups, backup)).read()
assert "Version: 1.2.6a" in orig and "Patch0:" in orig
PY
# the plan shows the spec's edit before anything is built
expect_exit 0 "$P" --root "$ROOT" resume --from rpm --plan
assert_grep "^      -Version: 1.2.6a$" "$T/out"
assert_grep "^      +Version: 1.2.8$" "$T/out"
assert_grep "run: rpmbuild --define '_topdir $TOPDIR' -ba $SPEC" "$T/out"

# built against a tree that lacks the match: said clearly
mv "$TREE/include/linux/netfilter_ipv4/ipt_string.h" "$T/"
expect_exit 1 "$P" --root "$ROOT" resume --from rpm
assert_grep "the built iptables package has no libipt_string.so: the iptables build did not see the patched kernel tree (KERNEL_DIR=$TREE)" "$T/err"
mv "$T/ipt_string.h" "$TREE/include/linux/netfilter_ipv4/"

# a spec patch that neither applies nor is contained stops the step ...
printf -- '--- a/nothing.c\n+++ b/nothing.c\n@@ -1 +1 @@\n-old\n+new\n' > "$TOPDIR/SOURCES/iptables-1.2.5-redhat-man.patch"
expect_exit 1 "$P" --root "$ROOT" resume --from rpm
assert_grep "Patch1 (iptables-1.2.5-redhat-man.patch) neither applies to iptables 1.2.8 nor is contained in it" "$T/err"
# ... unless it may be dropped
run_ok "$P" --root "$ROOT" resume --drop-failing-patches
status_is rpm done
assert_no_grep "^Patch1:" "$SPEC"
assert_grep "^- dropped iptables-1.2.5-redhat-man.patch: contained in 1.2.8$" "$SPEC"

# a malformed spec: the parser's message, the file untouched
rm "$STATE"/manifests/*/rpm.json
printf 'Name: iptables\nVersion: 1.2.6a\n%%if 1\n%%description\nbroken\n' > "$SPEC"
cp "$SPEC" "$T/broken.spec"
expect_exit 1 "$P" --root "$ROOT" resume --from rpm
assert_grep "spec '$SPEC' does not parse: " "$T/err"
cmp -s "$SPEC" "$T/broken.spec" || fail "the malformed spec was changed"

# a userspace part: the classic iprange.patch.userspace, built in
sandbox classic
expect_exit 3 "$P" --root "$ROOT" upgrade --patch iprange --trial=skip
status_is rpm done
assert_grep "^Patch2: iptables-pom-iprange.patch$" "$SPEC"
assert_grep "^%patch2 -p1$" "$SPEC"
rpm -qlp "$TOPDIR"/RPMS/*/iptables-1.2.8-1.pom.*.rpm 2>/dev/null | grep -q "^/lib/iptables/libipt_iprange.so$" ||
	fail "libipt_iprange.so is not in the package"

# -ng: the iptables/ tree turned into a diff (nothing to change for string)
sandbox ng
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --patch iprange --trial=skip
status_is rpm done
assert_grep "^Patch2: iptables-pom-iprange.patch$" "$SPEC"
assert_no_grep "iptables-pom-string.patch" "$SPEC"
rpm -qlp "$TOPDIR"/RPMS/*/iptables-1.2.8-1.pom.*.rpm 2>/dev/null >"$T/files"
assert_grep "libipt_string.so$" "$T/files"
assert_grep "libipt_iprange.so$" "$T/files"

# iptables 1.4 and later name their extensions libxt_NAME: the package's
# check knows them (issue 33), and fails when the build made none.  The
# fixture iptables with string as extensions/libxt_string.c.
sandbox classic
mkdir -p "$T/xt" "$T/xtdist"
tar xjf "$W/dist/iptables-1.2.8.tar.bz2" -C "$T/xt" || fail "untar iptables"
X=$T/xt/iptables-1.2.8
mv "$X/extensions/libipt_string.c" "$X/extensions/libxt_string.c"
sed -i 's|^EXT_LIBS := .*|EXT_LIBS := $(foreach N,$(PF_EXT_SLIB),extensions/libipt_$(N).so) $(foreach N,$(PF_EXT_SLIB_OPTS),extensions/libxt_$(N).so)|' \
	"$X/extensions/Makefile"
printf 'extensions/libxt_%%.so: extensions/libxt_%%.c\n\t$(CC) $(CFLAGS) -fPIC -shared -o $@ $<\n' \
	>>"$X/extensions/Makefile"
tar cjf "$T/xtdist/iptables-1.2.8.tar.bz2" -C "$T/xt" iptables-1.2.8
# and the distribution's spec packaging all of /lib/iptables (so that
# rpmbuild itself does not miss an extension the build did not make)
mkdir -p "$T/srpm/SOURCES" "$T/srpm/SPECS"
(cd "$T/srpm/SOURCES" && rpm2cpio "$W/dist/iptables-1.2.6a-2.src.rpm" | cpio -idm --quiet) ||
	fail "unpack the SRPM"
mv "$T/srpm/SOURCES/iptables.spec" "$T/srpm/SPECS/"
sed -i 's|^/lib/iptables/libipt\*$|/lib/iptables/*|' "$T/srpm/SPECS/iptables.spec"
rpmbuild --define "_topdir $T/srpm" -bs "$T/srpm/SPECS/iptables.spec" >/dev/null 2>&1 ||
	fail "rebuild the SRPM"
cp "$T/srpm/SRPMS/iptables-1.2.6a-2.src.rpm" "$T/xtdist/"
CONF=$ROOT/etc/pomctl.conf
conf_set sources iptables_url "file://$T/xtdist/iptables-%{version}.tar.bz2"
conf_set sources srpm_locations "file://$T/xtdist/"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
rpm -qlp "$TOPDIR"/RPMS/*/iptables-1.2.8-1.pom.*.rpm 2>/dev/null >"$T/files"
assert_grep "^/lib/iptables/libxt_string.so$" "$T/files"
assert_no_grep "libipt_string" "$T/files"
# built against a tree without the match: the check names libxt_string.so
mv "$TREE/include/linux/netfilter_ipv4/ipt_string.h" "$T/"
expect_exit 1 "$P" --root "$ROOT" resume --from rpm
assert_grep "the built iptables package has no libxt_string.so" "$T/err"
mv "$T/ipt_string.h" "$TREE/include/linux/netfilter_ipv4/"
exit 0
