# --json documents of the real binary in a sandbox match their schema as
# pomctl(8) documents it (tests/fixtures/json-shape.py): the plan, status
# before, during and after a run, list-patches, a step's log, the history
# and one run of it.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
SHAPE=$POMCTL_TOP/tests/fixtures/json-shape.py
"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$POMCTL_WORLD" >/dev/null 2>&1 ||
	fail "mkroot"
shape() { python3 "$SHAPE" "$1" "$T/out" || fail "$1 JSON does not match its schema"; }

expect_exit 0 "$P" --root "$T/sb" --json status
shape status
expect_exit 0 "$P" --root "$T/sb" --json upgrade --patch string --plan
shape plan
python3 - "$T/out" <<'PY' || fail "plan JSON lacks the sandbox's action types"
import json, sys
d = json.load(open(sys.argv[1]))
types = {a["type"] for s in d["steps"] for a in s["actions"]}
assert {"command", "download", "reboot"} <= types, types
PY

# a run paused at the first reboot: status has a pause, then resume's plan
expect_exit 3 "$P" --root "$T/sb" upgrade --patch string
expect_exit 0 "$P" --root "$T/sb" --json status
shape status
python3 - "$T/out" <<'PY' || fail "status JSON does not show the pause"
import json, sys
d = json.load(open(sys.argv[1]))
trial = [s for s in d["steps"] if s["name"] == "trial"][0]
assert trial["status"] == "awaiting-reboot" and trial["pause"]["release"], trial
assert d["patches"] == ["string"]
PY
expect_exit 0 "$P" --root "$T/sb" --json list-patches
shape list-patches
python3 - "$T/out" <<'PY' || fail "list-patches JSON lacks string"
import json, sys
d = json.load(open(sys.argv[1]))
assert "string" in [p["name"] for p in d["patches"]]
PY
expect_exit 0 "$P" --root "$T/sb" --json log fetch
shape log
expect_exit 0 "$P" --root "$T/sb" --json history
shape history
run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["id"])' "$T/out")
expect_exit 0 "$P" --root "$T/sb" --json history "$run"
shape run

# an error with --json: stdout is JSON too, with the message and exit code
for args in "history nosuch" "status --patch string" "log 12" "--jbos 2 status"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$P" --root "$T/sb" --json $args
	python3 - "$T/out" "$T/err" <<'PY' || fail "--json $args: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read().strip()
assert set(d) == {"schema", "error", "exit"} and d["exit"] == 2, d
assert err == "pomctl: " + d["error"], (err, d)
PY
done
expect_exit 2 "$P" --root "$T/sb" history nosuch
[ ! -s "$T/out" ] || fail "an error without --json printed JSON"
# an error quoting bytes that are not UTF-8: JSON still, each such byte '?'
# (a multibyte character that is UTF-8 kept whole)
expect_exit 2 "$P" --root "$T/sb" --json log "$(printf 'x\377\303\251\340\200y')"
python3 - "$T/out" <<'PY' || fail "--json error not UTF-8: $(od -c "$T/out" | head)"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["exit"] == 2 and "unknown step 'x?\u00e9??y'" in d["error"], d
PY

# the checker itself refuses a wrong shape
echo '{"schema": 1, "step": "x", "path": "p"}' >"$T/out"
python3 "$SHAPE" log "$T/out" 2>/dev/null && fail "checker accepted a log without its text"
echo '{"schema": 2, "step": "x", "path": "p", "log": ""}' >"$T/out"
python3 "$SHAPE" log "$T/out" 2>/dev/null && fail "checker accepted schema 2"
true
