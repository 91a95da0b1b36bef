# pomctl bundle: a finished run's kernel and packages as one file, and
# what it refuses.  (upgrade --from, the other half, is tested below it.)
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL

sandbox_root
expect_exit 2 "$P" --root "$ROOT" bundle --output "$T/b.tar"
assert_grep "nothing to bundle: there is no run" "$T/err"
expect_exit 2 "$P" --root "$ROOT" status --output "$T/b.tar"
assert_grep "\-\-output is an option of bundle" "$T/err"

# an unfinished run is not bundled
"$P" --root "$ROOT" upgrade --patch string >"$T/out" 2>"$T/err"
[ $? -eq 3 ] || fail "the trial did not pause"
expect_exit 2 "$P" --root "$ROOT" bundle --output "$T/b.tar"
assert_grep "is not finished" "$T/err"
[ ! -e "$T/b.tar" ] || fail "an unfinished run was bundled"
rm -rf "$STATE"

run_to_end upgrade --patch string
REL=$(sed -n 's/^release = //p' "$CONF")
before=$(tree_hash "$ROOT")
expect_exit 0 "$P" --root "$ROOT" bundle --output "$T/b.tar"
assert_grep "bundle $T/b.tar: kernel $REL for hosts running 2.4.20-13.8" "$T/out"
[ "$(tree_hash "$ROOT")" = "$before" ] || fail "bundle changed the host"
mkdir "$T/x" && tar -xf "$T/b.tar" -C "$T/x" || fail "not a tar file"
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
exit 0
