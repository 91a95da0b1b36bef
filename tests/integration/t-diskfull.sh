# A full disk under the state directory (a small tmpfs in a private mount
# namespace): during a download, during the extraction of patch-o-matic,
# and during the state write.  Each time a
# clear error naming the file, exit 1, a state file that still parses and is
# unchanged by the failed write, no corrupt cache object; once space is
# freed, resume finishes the step.
. "$POMCTL_TOP/tests/integration/lib.sh"
command -v unshare >/dev/null || fail "unshare(1) is needed"
"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$POMCTL_WORLD" >/dev/null 2>&1 ||
	fail "mkroot"
mkdir -p "$T/state"

cat >"$T/inner.sh" <<'INNER'
. "$POMCTL_TOP/tests/integration/lib.sh"
S=$T/state
mount --make-rprivate / && mount -t tmpfs -o size=384k,mode=0700 pomctl-full "$S" ||
	fail "cannot mount a tmpfs"
P() { "$POMCTL" --root "$T/sb" --state-dir "$S" "$@"; }
parses() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$S/state.json" ||
	fail "state.json does not parse"; }
fill() {	# fill KB: leave about KB kilobytes free
	rm -f "$S/filler"
	free=$(df -k --output=avail "$S" | tail -1)
	dd if=/dev/zero of="$S/filler" bs=1k count=$((free - $1)) 2>/dev/null
}
objects_ok() {	# every cache object is whole: its name is its sha256
	for o in "$S"/cache/objects/*; do
		[ -f "$o" ] || continue
		[ "$(sha256sum "$o" | cut -c1-64)" = "$(basename "$o")" ] ||
			fail "corrupt cache object $o"
	done
}

# 1. the disk fills during the download of the 14 KiB SRPM
fill 40
expect_exit 1 P upgrade --patch string --trial=skip
assert_grep "No space left on device" "$T/err"
assert_grep "step 'fetch' failed" "$T/err"
parses
objects_ok
expect_exit 0 P status
assert_grep 'fetch *failed' "$T/out"
# its remark is the cause's first line, bounded (the whole: pomctl log)
line=$(grep 'fetch *failed' "$T/out")
[ ${#line} -le 240 ] || fail "status's remark is ${#line} characters: $line"
[ -z "$(ls "$S/cache/partial")" ] || fail "the partial download was kept on a full disk"

# 2. the disk fills while patch-o-matic is extracted: not a damaged
# tarball, so the good download stays in the cache
rm "$S/filler"
P resume >/dev/null 2>&1	# downloads everything, extracts, fails later
pom=$(ls "$S/cache/objects" | head -1)
rm -rf "$S/pom"
python3 - "$S/state.json" <<'PY2'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["steps"]:
    if s["name"] in ("fetch", "trial", "patch", "rpm", "kernel", "install", "verify"):
        s["status"] = "pending"; s["outputs"] = {}; s["fingerprint"] = {}
json.dump(d, open(sys.argv[1], "w"))
PY2
objects_before=$(ls "$S/cache/objects" | sort)
fill 8
expect_exit 1 P resume
assert_grep "cannot extract '.*/cache/objects/[0-9a-f]*': Write failed: No space left on device" "$T/err"
assert_grep "No space left on device" "$T/err"
assert_no_grep "damaged" "$T/err"
[ "$(ls "$S/cache/objects" | sort)" = "$objects_before" ] ||
	fail "a full disk made pomctl forget a good download"
[ -z "$(ls -A "$S/pom")" ] || fail "a half extraction was left: $(ls -A "$S/pom")"
parses
rm "$S/filler"
run_ok P resume
expect_exit 0 P status
assert_grep 'fetch *done' "$T/out"
objects_ok

# 3. no space at all when the state is written
cp "$S/state.json" "$T/state.before"
fill 32
dd if=/dev/zero of="$S/filler2" bs=1k count=64 2>/dev/null	# whatever is left
expect_exit 1 P resume --from check
assert_grep "state.json" "$T/err"
assert_grep "No space left on device" "$T/err"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "not a one-line error: $(cat "$T/err")"
cmp -s "$S/state.json" "$T/state.before" || fail "the failed write changed state.json"
[ -z "$(ls -A "$S" | grep -v -e '^state.json$' -e '^lock$' -e '^logs$' \
	-e '^cache$' -e '^pom$' -e '^manifests$' -e '^backups$' -e '^tmp$' -e '^filler2\?$')" ] ||
	fail "temporary files left: $(ls -A "$S")"
parses
rm -f "$S/filler" "$S/filler2"
run_ok P resume --from check
expect_exit 0 P status
assert_grep 'check *done' "$T/out"
INNER
T=$T POMCTL=$POMCTL POMCTL_TOP=$POMCTL_TOP unshare -m sh "$T/inner.sh"
