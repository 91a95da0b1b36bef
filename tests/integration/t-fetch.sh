# Steps check, update and fetch against the sandbox and the local server:
# a real run, a second run that downloads nothing, and every bad input of
# the fetch issue (each: a clear error, exit 1, nothing half-done, resume
# works once the cause is fixed).
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
W=$POMCTL_WORLD
SRV=$T/srv
CONF=$T/sb/etc/pomctl.conf
mkdir -p "$SRV"
cp "$W/dist/"*.tar.bz2 "$W/dist/"*.src.rpm "$SRV/"

serve() {	# serve [--cut NAME=BYTES]: (re)start the server
	[ -n "${srv:-}" ] && { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; }
	rm -f "$T/port"
	python3 "$POMCTL_TOP/tests/fixtures/httpd.py" "$SRV" --port-file "$T/port" \
		--port "${port:-0}" --log "$T/http.log" "$@" &
	srv=$!
	for i in $(seq 50); do [ -f "$T/port" ] && break; sleep 0.1; done
	port=$(cat "$T/port")
	URL=http://127.0.0.1:$port
}
at_exit 'kill $srv 2>/dev/null'
serve
"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$W" --url "$URL" >/dev/null 2>&1 || fail "mkroot"
ROOT=$T/sb
STATE=$ROOT/var/lib/pomctl
# every run stops at the trial, whose make fails: fetch is what is tested,
# and the sandbox keeps its iptables for the next runs
conf_set commands make false
gets() { grep -c "^GET $1 " "$T/http.log" 2>/dev/null || true; }
fetch_done() {
	"$P" --root "$ROOT" status >"$T/st"
	grep -q "fetch *done" "$T/st" || fail "fetch is not done: $(cat "$T/st")"
}

# the plan asks sizes with HEAD; it downloads patch-o-matic alone, into
# pomctl's cache (the names and the fit of the patches are checked), and
# writes nothing else
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --trial=build --plan
assert_grep "download: $URL/iptables-1.2.8.tar.bz2 -> .*SOURCES/iptables-1.2.8.tar.bz2 ([0-9.]* KiB)" "$T/out"
assert_grep "no sha256 pin for $URL/iptables-1.2.8.tar.bz2" "$T/out"
[ ! -e "$STATE/state.json" ] || fail "the plan started a run"
[ "$(gets /patch-o-matic-20030107.tar.bz2)" -eq 1 ] && [ "$(grep -c '^GET' "$T/http.log")" -eq 1 ] ||
	fail "the plan downloaded more than patch-o-matic: $(grep '^GET' "$T/http.log")"
rm -rf "$STATE"

# --require-checksums: the plan says it will refuse, the run refuses before
# downloading anything
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --trial=build --plan --require-checksums
assert_grep "error, checksums are required: no sha256 pin for $URL/iptables-1.2.8.tar.bz2" "$T/out"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=build --require-checksums
assert_grep "no sha256 pin for $URL/iptables-1.2.6a-2.src.rpm (\[sources\] srpm_sha256) and checksums are required" "$T/err"
[ "$(grep -c '^GET' "$T/http.log")" -eq 1 ] || fail "downloaded without a pin"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "fetch *failed" "$T/out"
rm -rf "$STATE"

# a real run: check, update and fetch (then the trial stops it)
run_ok "$P" --root "$ROOT" upgrade --patch string --trial=build
fetch_done
assert_grep "warning: no sha256 pin for $URL/iptables-1.2.8.tar.bz2 (\[sources\] iptables_sha256): its content is not checked" "$T/err"
[ -f "$ROOT/usr/src/redhat/SPECS/iptables.spec" ] || fail "no spec"
[ -f "$ROOT/usr/src/redhat/SOURCES/iptables-1.2.8.tar.bz2" ] || fail "no iptables tarball in SOURCES"
[ -f "$ROOT/usr/src/redhat/SOURCES/patch-o-matic-20030107.tar.bz2" ] || fail "no pom tarball in SOURCES"
ls -d "$STATE"/pom/*/patch-o-matic-20030107/extra >/dev/null || fail "no extracted pom tree"
assert_grep "up2date -f kernel kernel-source" "$ROOT/var/log/up2date.log"
for f in iptables-1.2.6a-2.src.rpm iptables-1.2.8.tar.bz2 patch-o-matic-20030107.tar.bz2; do
	want=1	# patch-o-matic twice: the first plan's cache was removed
	[ $f = patch-o-matic-20030107.tar.bz2 ] && want=2
	[ "$(gets /$f)" -eq $want ] || fail "$f fetched $(gets /$f) times"
done
# a second run downloads nothing; the temporaries that a source package
# install killed half way leaves ("FILE;TID", with the TID of every second
# the new install may start in) go first, or rpm fails on them
now=$(date +%s)
for t in $(seq $((now - 2)) $((now + 60))); do
	t=$(printf %08x "$t")
	: >"$ROOT/usr/src/redhat/SPECS/iptables.spec;$t"
	: >"$ROOT/usr/src/redhat/SOURCES/iptables-1.2.5-redhat-man.patch;$t"
done
: >"$ROOT/usr/src/redhat/SOURCES/unrelated;$t"
: >"$T/http.log"
run_ok "$P" --root "$ROOT" resume --from fetch
assert_grep "iptables: removed 126 temporary files left by an rpm transaction that was cut short" "$T/err"
[ "$(ls "$ROOT"/usr/src/redhat/S*/*\;* 2>/dev/null)" = "$ROOT/usr/src/redhat/SOURCES/unrelated;$t" ] ||
	fail "rpm temporaries left, or another file removed: $(ls "$ROOT"/usr/src/redhat/S*/)"
fetch_done
[ "$(grep -c '^GET' "$T/http.log")" -eq 0 ] || fail "the second run downloaded: $(cat "$T/http.log")"
# the run stopped at the trial is open: a new upgrade is refused, its plan
# too
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --trial=build --plan
assert_grep "a run is in progress in '$STATE' (step 'trial' is failed)" "$T/err"
rm -rf "$STATE"

# 404, then fixed (the version from the command line stays with the run)
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=build --iptables-version 9.9
assert_grep "cannot download $URL/iptables-9.9.tar.bz2: .*the server answered 404" "$T/err"
[ ! -e "$ROOT/usr/src/redhat/SOURCES/iptables-9.9.tar.bz2" ] || fail "404 left a tarball"
[ -z "$(ls "$STATE/cache/partial")" ] || fail "404 left a partial download"
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "iptables-9.9.tar.bz2: .*404" "$T/err"
run_ok "$P" --root "$ROOT" resume --iptables-version 1.2.8
fetch_done
expect_exit 2 "$P" --root "$ROOT" status --iptables-version 1.2.8

# connection refused, a mirror that works
conf_set sources iptables_url "http://127.0.0.1:1/iptables-%{version}.tar.bz2"
expect_exit 1 "$P" --root "$ROOT" resume --from fetch
assert_grep "cannot download http://127.0.0.1:1/iptables-1.2.8.tar.bz2: .*onnect" "$T/err"
rm -rf "$STATE/cache"
conf_set sources mirrors "$URL/nothing-here/ $URL/"
: >"$T/http.log"
run_ok "$P" --root "$ROOT" resume
fetch_done
[ "$(gets /nothing-here/iptables-1.2.8.tar.bz2)" -eq 1 ] && [ "$(gets /iptables-1.2.8.tar.bz2)" -eq 1 ] ||
	fail "mirrors were not tried in order: $(cat "$T/http.log")"
conf_set sources mirrors ""
conf_set sources iptables_url "$URL/iptables-%{version}.tar.bz2"

# a checksum mismatch deletes the download and names both digests
rm -rf "$STATE"
good=$(sha256sum "$SRV/iptables-1.2.8.tar.bz2" | cut -d' ' -f1)
conf_set sources iptables_sha256 0000000000000000000000000000000000000000000000000000000000000000
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=build
assert_grep "sha256 is $good, but \[sources\] iptables_sha256 expects 0000000000000000000000000000000000000000000000000000000000000000; the download was deleted" "$T/err"
[ ! -e "$STATE/cache/objects/$good" ] && [ -z "$(ls "$STATE/cache/partial")" ] || fail "the mismatch was kept"
conf_set sources iptables_sha256 "$good"
run_ok "$P" --root "$ROOT" resume
fetch_done

# a download cut half way, then resumed with a Range request for the rest
rm -rf "$STATE"
size=$(stat -c %s "$SRV/patch-o-matic-20030107.tar.bz2")
half=$((size / 2))
serve --cut "patch-o-matic-20030107.tar.bz2=$half"
: >"$T/http.log"
# the first try is upgrade's own, for the patch names: it says so and the
# run goes on; the fetch step resumes the download where it was cut (run
# directly, not by run_ok: its plan first would take the server's one cut)
"$P" --root "$ROOT" upgrade --patch string --trial=build >"$T/out" 2>"$T/err"
rc=$?
case $rc in 0 | 1 | 3) ;; *) fail "the upgrade exited $rc" ;; esac
assert_grep "warning: patch-o-matic 20030107: cannot download $URL/patch-o-matic-20030107.tar.bz2: .*; the patch names are checked once the run fetches it" "$T/err"
assert_grep "^GET /patch-o-matic-20030107.tar.bz2 range=- status=200 bytes=$half$" "$T/http.log"
fetch_done
assert_grep "^GET /patch-o-matic-20030107.tar.bz2 range=bytes=$half- status=206 bytes=$((size - half))$" "$T/http.log"
# the digest, taken while the file arrived, covers the first half too
pomsum=$(sha256sum "$SRV/patch-o-matic-20030107.tar.bz2" | cut -d' ' -f1)
cmp "$SRV/patch-o-matic-20030107.tar.bz2" "$STATE/cache/objects/$pomsum" ||
	fail "the resumed download is not stored under its digest"

# a corrupt SRPM is refused (and not kept), then the good one is taken
rm -rf "$STATE" "$ROOT/usr/src/redhat/SPECS/iptables.spec"
cp "$SRV/iptables-1.2.6a-2.src.rpm" "$T/good.src.rpm"
python3 - "$SRV/iptables-1.2.6a-2.src.rpm" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
for i in range(len(b) // 2, len(b) // 2 + 64):
    b[i] ^= 0xff
open(p, "wb").write(bytes(b))
PY
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=build
assert_grep "package 'iptables-1.2.6a-2.src.rpm' is damaged or not a package: Header SHA256 digest: BAD" "$T/err"
[ ! -e "$ROOT/usr/src/redhat/SPECS/iptables.spec" ] || fail "a corrupt SRPM was installed"
cp "$T/good.src.rpm" "$SRV/iptables-1.2.6a-2.src.rpm"
run_ok "$P" --root "$ROOT" resume
fetch_done

# unsafe and truncated patch-o-matic tarballs leave nothing extracted
cp "$SRV/patch-o-matic-20030107.tar.bz2" "$T/good-pom.tar.bz2"
for kind in dotdot absolute symlink truncated; do
	rm -rf "$STATE"
	python3 - "$kind" "$SRV/patch-o-matic-20030107.tar.bz2" "$T/good-pom.tar.bz2" <<'PY'
import io, sys, tarfile
kind, out, good = sys.argv[1:]
if kind == "truncated":
    data = open(good, "rb").read()
    open(out, "wb").write(data[: len(data) // 2])
    sys.exit(0)
with tarfile.open(out, "w:bz2") as t:
    def add(name, data=b"x", link=None):
        i = tarfile.TarInfo(name)
        if link:
            i.type, i.linkname = tarfile.SYMTYPE, link
        else:
            i.size = len(data)
        t.addfile(i, None if link else io.BytesIO(data))
    add("patch-o-matic-20030107/runme")
    if kind == "dotdot":
        add("patch-o-matic-20030107/../../escaped")
    elif kind == "absolute":
        add("/tmp/pomctl-absolute-entry")
    else:
        add("patch-o-matic-20030107/evil", link="../../../etc")
PY
	expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=build
	case $kind in
	truncated) assert_grep "is damaged or truncated" "$T/err" ;;
	*) assert_grep "is unsafe: entry " "$T/err" ;;
	esac
	[ -z "$(ls "$STATE/pom" 2>/dev/null)" ] || fail "$kind: something was extracted: $(ls -R "$STATE/pom")"
	[ ! -e /tmp/pomctl-absolute-entry ] || fail "an absolute entry was written"
	cp "$T/good-pom.tar.bz2" "$SRV/patch-o-matic-20030107.tar.bz2"
	run_ok "$P" --root "$ROOT" resume
	fetch_done
done

# SRPM locations: a missing local directory, a URL without it, then one with it
rm -rf "$STATE"
: >"$T/http.log"
conf_set sources srpm_locations "/mnt/cdrom/SRPMS $URL/elsewhere/ $URL/"
run_ok "$P" --root "$ROOT" upgrade --patch string --trial=build
fetch_done
assert_grep "^GET /elsewhere/iptables-1.2.6a-2.src.rpm range=- status=404" "$T/http.log"
assert_grep "^GET /iptables-1.2.6a-2.src.rpm range=- status=200" "$T/http.log"
rm -rf "$STATE"
conf_set sources srpm_locations "/mnt/cdrom/SRPMS $URL/elsewhere/"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=build
assert_grep "cannot get iptables-1.2.6a-2.src.rpm from \[sources\] srpm_locations: .*/mnt/cdrom/SRPMS/iptables-1.2.6a-2.src.rpm: not there; .*404" "$T/err"
mkdir -p "$ROOT/mnt/cdrom/SRPMS"
cp "$T/good.src.rpm" "$ROOT/mnt/cdrom/SRPMS/iptables-1.2.6a-2.src.rpm"
run_ok "$P" --root "$ROOT" resume
fetch_done
exit 0
