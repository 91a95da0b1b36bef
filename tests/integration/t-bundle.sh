# pomctl bundle: a finished run's kernel and packages as one file, and
# what it refuses; then upgrade --from on three other hosts: one of the
# bundle's base (installed, verified, promoted, rolled back), one whose
# running kernel is configured otherwise (refused, nothing changed), one
# that has the match already (the run ends at check); a tampered bundle
# and an unpinned URL refused before any run starts.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL

sandbox_root
expect_exit 2 "$P" --root "$ROOT" bundle --output "$T/b.tar"
assert_grep "nothing to bundle: there is no run" "$T/err"
expect_exit 2 "$P" --root "$ROOT" status --output "$T/b.tar"
assert_grep "\-\-output is an option of bundle, not of status" "$T/err"

# an unfinished run is not bundled
"$P" --root "$ROOT" upgrade --patch string >"$T/out" 2>"$T/err"
[ $? -eq 3 ] || fail "the trial did not pause"
expect_exit 2 "$P" --root "$ROOT" bundle --output "$T/b.tar"
assert_grep "is not finished" "$T/err"
[ ! -e "$T/b.tar" ] || fail "an unfinished run was bundled"
rm -rf "$STATE"
# (that run's trial kernel and build products stay, unknown to pomctl
# now: no rollback can take this host back to as it was)
rp_forget "$ROOT"

run_to_end upgrade --patch string
REL=$(sed -n 's/^release = //p' "$CONF")
before=$(tree_hash "$ROOT")
expect_exit 0 "$P" --root "$ROOT" bundle --output "$T/b.tar"
assert_grep "bundle $T/b.tar: kernel $REL for hosts running 2.4.20-13.8" "$T/out"
# its sha256, and the line that installs it elsewhere
made=$(sha256sum <"$T/b.tar" | cut -c1-64)
assert_grep "; sha256 $made\$" "$T/out"
assert_grep "^on a host of that base: pomctl upgrade --from $T/b.tar --from-sha256 $made\$" "$T/out"
# and as JSON
expect_exit 0 "$P" --root "$ROOT" --json bundle --output "$T/j.tar"
python3 "$POMCTL_TOP/tests/fixtures/json-shape.py" bundle "$T/out" ||
	fail "bundle --json does not match its schema"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["bundle"] == sys.argv[2] and d["sha256"] == sys.argv[3], d' \
	"$T/out" "$T/j.tar" "$(sha256sum <"$T/j.tar" | cut -c1-64)" || fail "bundle --json: $(cat "$T/out")"
[ "$(tree_hash "$ROOT")" = "$before" ] || fail "bundle changed the host"
mkdir "$T/x" && tar -xf "$T/b.tar" -C "$T/x" || fail "not a tar file"
# --repo: the same packages as a yum repository
expect_exit 0 "$P" --root "$ROOT" bundle --output "$T/b2.tar" --repo "$T/repo"
[ -f "$T/repo/repodata/repomd.xml" ] || fail "--repo made no repository"
zcat "$T"/repo/repodata/*primary.xml.gz 2>/dev/null | grep -q "<name>kernel-pomctl</name>" ||
	fail "the repository does not list the kernel package"
[ "$(ls "$T"/repo/*.rpm | wc -l)" -eq 4 ] || fail "the repository lacks packages"
python3 - "$T/x" "$REL" "$ROOT" <<'PY' || fail "the manifest does not describe the bundle"
import hashlib, json, os, sys
d, rel, root = sys.argv[1:]
m = json.load(open(os.path.join(d, "manifest.json")))
assert m["schema"] == 1 and m["kernel_release"] == rel, m
assert m["patches"] == ["string"], m["patches"]
assert m["base"]["release"] == "2.4.20-13.8", m["base"]
cfg = open(os.path.join(root, "boot/config-2.4.20-13.8"), "rb").read()
assert m["base"]["config_sha256"] == hashlib.sha256(cfg).hexdigest()
names = sorted(os.path.relpath(os.path.join(p, f), d) for p, _, fs in os.walk(d) for f in fs)
assert names == sorted(list(m["files"]) + ["manifest.json"]), names
for name, digest in m["files"].items():
    assert hashlib.sha256(open(os.path.join(d, name), "rb").read()).hexdigest() == digest, name
assert m["outputs"]["kernel"]["release"] == rel
assert "ipt_string" in m["outputs"]["kernel"]["modules"]
PY
krpm=$(ls "$T"/x/RPMS/kernel-pomctl-*.rpm) || fail "no kernel package"
rpm -qp --provides "$krpm" 2>/dev/null | grep -qx "kernel = $REL" || fail "the kernel package does not provide kernel = $REL"
rpm -qp --scripts "$krpm" 2>/dev/null >"$T/scripts"
[ ! -s "$T/scripts" ] || fail "the kernel package has scriptlets: $(cat "$T/scripts")"
rpm -qpl "$krpm" 2>/dev/null >"$T/files"
for f in "/boot/vmlinuz-$REL" "/boot/System.map-$REL" "/boot/config-$REL" \
	"/lib/modules/$REL/kernel/net/ipv4/netfilter/ipt_string.o"; do
	grep -qx "$f" "$T/files" || fail "the kernel package lacks $f"
done
mkdir "$T/k" && (cd "$T/k" && rpm2cpio "$krpm" | cpio -id --quiet) || fail "rpm2cpio"
cmp "$ROOT/boot/vmlinuz-$REL" "$T/k/boot/vmlinuz-$REL" ||
	fail "the packaged kernel image is not the installed one"
[ ! -e "$T/k/lib/modules/$REL/build" ] || fail "the package has the build link"
for p in iptables iptables-devel iptables-pom; do
	ls "$T"/x/RPMS/"$p"-1.2.8-*.rpm >/dev/null 2>&1 || fail "the bundle lacks $p"
done

B=$ROOT
vmlinuz_sum=$(sha256sum <"$B/boot/vmlinuz-$REL")
qa() { rpm --root "$1" --dbpath /var/lib/rpm -qa 2>/dev/null | sort; }
target() {	# target NAME: a fresh host of the bundle's base
	ROOT=$T/$1
	STATE=$ROOT/var/lib/pomctl
	CONF=$ROOT/etc/pomctl.conf
	"$POMCTL_TOP/tests/fixtures/mkroot" "$ROOT" --world "$POMCTL_WORLD" \
		>/dev/null 2>&1 || fail "mkroot $1"
}

# 1. the bundle's base: installed from it, verified, promoted
target t1
qa "$ROOT" >"$T/qa-before"
cp "$ROOT/boot/grub/grub.conf" "$T/grub-before"
expect_exit 0 "$P" --root "$ROOT" upgrade --from "$T/b.tar" --plan
assert_grep "it holds kernel $REL and 4 packages for hosts running 2.4.20-13.8" "$T/out"
assert_grep "nothing to build: the bundle brings it" "$T/out"
# the consent counts what the run does: the bundle's 4 packages, no trial
[ "$(grep -c "^    package: install (upgrade) .*\.rpm$" "$T/out")" -eq 4 ] ||
	fail "the plan does not name the bundle's 4 packages: $(grep package "$T/out")"
assert_grep "^9 steps: .*, 4 packages, 1 reboot$" "$T/out"
assert_no_grep "trial kernel" "$T/out"
# and names it: the kernel, and iptables with both versions
assert_grep "^  install the kernel $REL beside the running 2.4.20-13.8, which is kept" "$T/out"
assert_grep "^  replace iptables 1.2.6a-2 with 1.2.8-" "$T/out"
run_to_end upgrade --from "$T/b.tar"
assert_grep "functional test: passed" "$T/out"
assert_grep "boot default: $REL, from now on" "$T/out"
"$P" --root "$ROOT" status >"$T/st"
assert_grep "upgrade --from $T/b.tar (its patches: string)" "$T/st"
[ "$(grep -c "skipped .*a run from a bundle builds nothing" "$T/st")" -eq 5 ] ||
	fail "update, trial, patch, rpm and kernel were not all skipped: $(cat "$T/st")"
[ "$(sha256sum <"$ROOT/boot/vmlinuz-$REL")" = "$vmlinuz_sum" ] ||
	fail "the kernel image is not the build host's"
cmp "$B/lib/modules/$REL/kernel/net/ipv4/netfilter/ipt_string.o" \
	"$ROOT/lib/modules/$REL/kernel/net/ipv4/netfilter/ipt_string.o" ||
	fail "the module is not the build host's"
for p in iptables iptables-pom; do
	a=$(rpm --root "$B" --dbpath /var/lib/rpm -q --qf '%{SHA256HEADER}' "$p" 2>/dev/null)
	b=$(rpm --root "$ROOT" --dbpath /var/lib/rpm -q --qf '%{SHA256HEADER}' "$p" 2>/dev/null)
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "$p is not the build host's package ($a, $b)"
done
rpm --root "$ROOT" --dbpath /var/lib/rpm -q "kernel-pomctl" >/dev/null 2>&1 ||
	fail "the kernel package is not installed"
# rollback, from the old kernel: the package gone, the boot menu as it was
reboot_into 2.4.20-13.8
expect_exit 0 "$P" --root "$ROOT" -y rollback
assert_grep "install: removed package kernel-pomctl-$REL" "$T/err"
! rpm --root "$ROOT" --dbpath /var/lib/rpm -q kernel-pomctl >/dev/null 2>&1 ||
	fail "rollback left the kernel package"
[ ! -e "$ROOT/boot/vmlinuz-$REL" ] || fail "rollback left the kernel image"
[ -z "$(ls "$STATE/bundles" 2>/dev/null)" ] || fail "the retired run's bundle was kept"
cmp "$T/grub-before" "$ROOT/boot/grub/grub.conf" || fail "rollback left grub.conf changed"

# 2. another configuration of the same release, then another release:
# refused, nothing changed
target t2
echo "CONFIG_EXTRA=y" >>"$ROOT/boot/config-2.4.20-13.8"
qa "$ROOT" >"$T/qa-t2"
boot=$(tree_hash "$ROOT/boot")
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar"
assert_grep "this host is not the bundle's base: its running kernel's configuration has sha256 [0-9a-f]*\.\.\., not the bundle's" "$T/err"
[ "$(qa "$ROOT")" = "$(cat "$T/qa-t2")" ] || fail "packages changed on a refused host"
[ "$(tree_hash "$ROOT/boot")" = "$boot" ] || fail "/boot changed on a refused host"
[ ! -e "$STATE/state.json" ] || fail "a refused bundle started a run"
# and another kernel release
cp "$T/t1/boot/config-2.4.20-13.8" "$ROOT/boot/config-2.4.20-13.8"
conf_set host release 2.4.20-20.8
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar"
assert_grep "this host is not the bundle's base: it runs kernel 2.4.20-20.8, not 2.4.20-13.8" "$T/err"
[ "$(qa "$ROOT")" = "$(cat "$T/qa-t2")" ] || fail "packages changed on a refused host"

# 3. the match is there already: the run ends at check
target t3
printf 'string\n' >>"$ROOT/proc/net/ip_tables_matches"
expect_exit 0 "$P" --root "$ROOT" upgrade --from "$T/b.tar"
assert_grep "the string match is already in the running kernel.*nothing to do" "$T/out"
[ ! -e "$ROOT/boot/vmlinuz-$REL" ] || fail "a host with the match got the kernel"

# 4. one byte of the kernel package changed: refused before any run
target t4
python3 - "$T/b.tar" "$T/bad.tar" <<'PY' || fail "cannot tamper"
import io, sys, tarfile
src, dst = sys.argv[1:]
with tarfile.open(src) as i, tarfile.open(dst, "w") as o:
    for m in i.getmembers():
        data = bytearray(i.extractfile(m).read())
        if m.name.startswith("RPMS/kernel-pomctl"):
            data[len(data) // 2] ^= 1
        o.addfile(m, io.BytesIO(bytes(data)))
PY
qa "$ROOT" >"$T/qa-t4"
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/bad.tar"
assert_grep "has sha256 .*, but its manifest says .*nothing was installed" "$T/err"
[ ! -e "$STATE/state.json" ] || fail "a tampered bundle started a run"
[ "$(qa "$ROOT")" = "$(cat "$T/qa-t4")" ] || fail "packages changed"

# 5. a file is kept by its absolute path (resume at boot runs from /)
(cd "$T" && "$P" --root "$ROOT" upgrade --from ./b.tar --plan) >"$T/out" 2>&1 ||
	fail "plan from a relative path: $(cat "$T/out")"
assert_grep "get the bundle $T/b.tar," "$T/out"
# over the network a pin is required; --patch and --from do not mix
expect_exit 2 "$P" --root "$ROOT" upgrade --from http://127.0.0.1:1/b.tar
assert_grep "needs its sha256 (--from-sha256" "$T/err"
conf_set bundle sha256 "$(printf '%064d' 0)"	# the pin from the configuration
expect_exit 2 "$P" --root "$ROOT" upgrade --from http://127.0.0.1:1/b.tar
assert_no_grep "needs its sha256" "$T/err"
assert_grep "cannot download http://127.0.0.1:1/b.tar" "$T/err"
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar" --patch string
assert_grep "give no --patch" "$T/err"
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar" --trial=skip
assert_grep "a run from a bundle builds nothing" "$T/err"
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar" --from-sha256 xyz
assert_grep "not 64 lowercase hex digits" "$T/err"

# 6. signed bundles: the build host signs with [bundle] sign_key (rpm's
# own signatures, rpmsign); a target with [bundle] require_signature takes
# only packages signed by a key its rpm database holds
export GNUPGHOME="$T/gnupg"
mkdir -m 700 "$GNUPGHOME"
at_exit 'gpgconf --kill gpg-agent 2>/dev/null'	# no agent outlives the test
gpg --batch --quiet --passphrase '' --quick-gen-key \
	'pomctl tests <tests@pomctl.invalid>' rsa2048 sign never 2>/dev/null ||
	fail "gpg cannot make a key"
gpg --armor --export tests@pomctl.invalid >"$T/key.asc"
conf_set bundle sign_key tests@pomctl.invalid "$B/etc/pomctl.conf"
expect_exit 0 "$P" --root "$B" bundle --output "$T/signed.tar"
mkdir "$T/s" && tar -xf "$T/signed.tar" -C "$T/s"
for f in "$T"/s/RPMS/*.rpm; do
	rpm -Kv "$f" 2>/dev/null | grep -q "Header V4 RSA/SHA.* Signature" ||
		fail "$(basename "$f") is not signed"
done
cmp -s "$T/s/RPMS/$(basename "$(ls "$B"/usr/src/redhat/RPMS/*/iptables-1.2.8-*.rpm | head -1)")" \
	"$(ls "$B"/usr/src/redhat/RPMS/*/iptables-1.2.8-*.rpm | head -1)" &&
	fail "the run's own package was signed in place, not a copy"
target t5
conf_set bundle require_signature yes
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar"
assert_grep "is not signed: \[bundle\] require_signature refuses it" "$T/err"
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/signed.tar"
assert_grep "signed with a key this host's rpm database does not hold" "$T/err"
rpm --root "$ROOT" --dbpath /var/lib/rpm --import "$T/key.asc" 2>/dev/null ||
	fail "rpm --import"
run_to_end upgrade --from "$T/signed.tar"
assert_grep "functional test: passed" "$T/out"

# 7. a bundle is untrusted input: its manifest rewritten (the packages'
# digests still right, so only pomctl's own checks can catch it).  Each is
# refused before a run starts, the host unchanged, its kernels kept.
# remanifest OUT PYTHON: b.tar with manifest m changed by PYTHON
remanifest() {
	python3 - "$T/b.tar" "$T/$1" "$2" <<'PY' || fail "cannot rewrite the manifest"
import io, json, sys, tarfile
src, dst, code = sys.argv[1:]
with tarfile.open(src) as i, tarfile.open(dst, "w") as o:
    for m in i.getmembers():
        data = i.extractfile(m).read()
        if m.name == "manifest.json":
            d = json.loads(data)
            exec(code, {"m": d, "json": json})
            data = d.pop("raw") if "raw" in d else json.dumps(d).encode()
            m.size = len(data)
        o.addfile(m, io.BytesIO(data))
PY
}
target t6
host_files() { (cd "$ROOT" && find boot lib/modules etc var/lib/rpm -printf '%p %s\n' | sort); }
host_files >"$T/files-t6"
refused() {	# refused BUNDLE MESSAGE: refused with MESSAGE, nothing changed
	expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/$1"
	assert_grep "$2" "$T/err"
	[ ! -e "$STATE/state.json" ] || fail "$1 started a run"
	host_files | cmp -s - "$T/files-t6" || fail "$1 changed the host: $(host_files | diff "$T/files-t6" -)"
}
# the trial kernel named as the host's own distribution kernel, a path
remanifest trial.tar 'm["outputs"]["trial"] = {"release": "2.4.20-13.8"}'
refused trial.tar "gives the output trial, which a bundle cannot give (not an output of a build step it carries)"
remanifest dotdot.tar 'm["outputs"]["kernel"]["modules"] = "../../victimdir"'
refused dotdot.tar "gives the output kernel.modules, which a bundle cannot give (not a value of its kind)"
remanifest otherrel.tar 'm["outputs"]["kernel"]["release"] = "2.4.20-13.8"'
refused otherrel.tar "gives the output kernel.release"
remanifest unknown.tar 'm["hooks"] = {"post": "rm -rf /"}'
refused unknown.tar "has the key 'hooks', which pomctl bundle does not write"
# escapes reach no terminal
remanifest escape.tar 'm["kernel_release"] = "2.4\u001b[2J\u001b]0;owned\u0007"'
refused escape.tar "names a kernel release ('2.4?\[2J?\]0;owned?')"
! grep -q "$(printf '\033')" "$T/err" || fail "an escape of the manifest reached the terminal"
# 2 MiB of manifest: refused by its size, at once
remanifest big.tar 'm["raw"] = b" " * (2 << 20) + json.dumps({k: v for k, v in m.items()}).encode()'
refused big.tar "manifest.json is over 1024 KiB"
# what the packages are: the manifest's release must be the kernel
# package's; a kernel package that runs a scriptlet or holds a file outside
# its kernel's is refused (its digest in the manifest made right)
remanifest relabel.tar 'm["kernel_release"] = m["outputs"]["kernel"]["release"] = "2.4.20-13.8custom9"'
refused relabel.tar "kernel-pomctl-.*is not what a bundle carries: it is version .*, not the manifest's 2.4.20-13.8custom9"
mkdir -p "$T/evil/SPECS"
cat >"$T/evil/SPECS/k.spec" <<SPEC
Name: kernel-pomctl
Version: ${REL%%-*}
Release: ${REL#*-}
Summary: not a kernel
License: GPL
Provides: kernel = $REL
%description
a hostile package
%install
mkdir -p %{buildroot}/boot %{buildroot}/etc/cron.d
echo image >%{buildroot}/boot/vmlinuz-$REL
echo '* * * * * root id' >%{buildroot}/etc/cron.d/pomctl
%post
touch /tmp/pomctl-test-owned
%files
/boot/vmlinuz-$REL
/etc/cron.d/pomctl
SPEC
rpmbuild --define "_topdir $T/evil" -bb "$T/evil/SPECS/k.spec" >/dev/null 2>&1 ||
	fail "cannot build the hostile kernel package"
# swap_kernel OUT: b.tar with the package built in $T/evil as its kernel
# package, the manifest's digest of it made right
swap_kernel() {
	evil=$(ls "$T"/evil/RPMS/*/kernel-pomctl-*.rpm)
	python3 - "$T/b.tar" "$T/$1" "$evil" <<'PY' || fail "cannot swap the kernel package"
import hashlib, io, json, sys, tarfile
src, dst, evil = sys.argv[1:]
data = open(evil, "rb").read()
with tarfile.open(src) as i, tarfile.open(dst, "w") as o:
    members = i.getmembers()
    kname = next(m.name for m in members if m.name.startswith("RPMS/kernel-pomctl"))
    for m in members:
        body = i.extractfile(m).read()
        if m.name == kname:
            body = data
        elif m.name == "manifest.json":
            d = json.loads(body)
            d["files"][kname] = hashlib.sha256(data).hexdigest()
            body = json.dumps(d).encode()
        m.size = len(body)
        o.addfile(m, io.BytesIO(body))
PY
}
swap_kernel evil.tar
refused evil.tar "kernel-pomctl-.*is not what a bundle carries: it has scriptlets (post...)"
[ ! -e /tmp/pomctl-test-owned ] || fail "the hostile scriptlet ran"
sed -i '/^%post$/,/^touch/d' "$T/evil/SPECS/k.spec"
rm -rf "$T/evil/RPMS"
rpmbuild --define "_topdir $T/evil" -bb "$T/evil/SPECS/k.spec" >/dev/null 2>&1 ||
	fail "cannot build the second hostile kernel package"
swap_kernel evil.tar
refused evil.tar "kernel-pomctl-.*is not what a bundle carries: it holds /etc/cron.d/pomctl, not a file of kernel $REL"
# the pin of a local file, from the command line and from the configuration
zero=$(printf '%064d' 0)
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar" --from-sha256 "$zero" --plan
assert_grep "bundle '$T/b.tar' has sha256 [0-9a-f]*, not the pinned $zero" "$T/err"
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar" --from-sha256 "$zero"
assert_grep "not the pinned $zero" "$T/err"
[ ! -e "$STATE/state.json" ] || fail "a bundle with the wrong pin started a run"
conf_set bundle sha256 "$zero"
expect_exit 2 "$P" --root "$ROOT" upgrade --from "$T/b.tar"
assert_grep "not the pinned $zero" "$T/err"
sum=$(sha256sum <"$T/b.tar" | cut -c1-64)
conf_set bundle sha256 "$sum"
host_files >"$T/files-t6"
expect_exit 0 "$P" --root "$ROOT" upgrade --from "$T/b.tar" --plan
cat "$T/out" "$T/err" >"$T/both"
assert_grep "bundle $T/b.tar: sha256 $sum, as pinned" "$T/both"
host_files | cmp -s - "$T/files-t6" || fail "the plans changed the host"
exit 0
