# --plan writes nothing: the root, the state directory and the cache are
# byte-identical afterwards, for a new run and for a resume.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL_TESTSTEPS
make_root

before=$(tree_hash "$ROOT")
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
[ "$(tree_hash "$ROOT")" = "$before" ] || fail "--plan changed the root"
[ ! -e "$STATE" ] || fail "--plan created the state directory"
[ "$(count 'run: make -C' "$T/out")" -eq 9 ] || fail "expected 9 commands"
assert_grep '^step 1/9: check - ' "$T/out"
assert_grep '^9 steps: 9 commands, 0 file edits, 0 downloads, 0 packages, 0 reboots$' "$T/out"

expect_exit 5 "$P" --root "$ROOT" upgrade --patch string --plan --detailed-exitcode
expect_exit 0 "$P" --root "$ROOT" --json upgrade --patch string --plan
python3 - "$T/out" <<'PY' || fail "plan JSON has the wrong shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == 1
assert [s["name"] for s in d["steps"]] == "check update fetch trial patch rpm kernel install verify".split()
assert d["summary"]["commands"] == 9
a = d["steps"][0]["actions"][0]
assert a["type"] == "command" and a["argv"][:2] == ["make", "-C"]
PY
expect_exit 0 "$P" --root "$ROOT" --state-dir "$T/elsewhere" upgrade -p string --plan
[ ! -e "$T/elsewhere" ] || fail "--plan created --state-dir"

# the real binary in a sandbox root: changes planned, nothing of the host
# written; only pomctl's cache gets the patch-o-matic tarball (and its
# tree), so that the names and the fit of the patches are checked
"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$POMCTL_WORLD" >/dev/null 2>&1 || fail "mkroot"
sb_state=$T/sb/var/lib/pomctl
mkdir -m 700 "$sb_state"	# as pomctl's package makes it
sb_before=$(tree_hash "$T/sb" var/lib/pomctl)
expect_exit 5 "$POMCTL" --root "$T/sb" upgrade --patch string --plan --detailed-exitcode
assert_grep '^    reboot into 2.4.20-13.8custom$' "$T/out"
assert_grep '^    download: ' "$T/out"
assert_grep "^  downloaded patch-o-matic-20030107.tar.bz2 " "$T/err"
[ "$(ls "$sb_state" | tr '\n' ' ')" = "cache pom " ] ||
	fail "--plan wrote more than the cache: $(ls "$sb_state")"
[ "$(tree_hash "$T/sb" var/lib/pomctl)" = "$sb_before" ] || fail "--plan changed the sandbox"
# plan = run: the kernel step's release as it will vary the trial's, the
# install's for it, and the packages the rpm step will build
assert_grep "^      +EXTRAVERSION = -13.8custom1$" "$T/out"
assert_grep "release 2.4.20-13.8custom1: the Makefile as the trial leaves it, varied again" "$T/out"
assert_grep '^    reboot into 2.4.20-13.8custom1$' "$T/out"
assert_grep "^    package: install (upgrade) iptables-devel (built by the rpm step)$" "$T/out"
assert_grep "^9 steps: .*, 3 packages, 2 reboots$" "$T/out"
cache_before=$(tree_hash "$sb_state")
# the patch step's commands are known now: patch-o-matic is in the cache
expect_exit 0 "$POMCTL" --root "$T/sb" upgrade --patch string --plan
assert_grep "^    run: patch .*-p1" "$T/out"
[ "$(tree_hash "$sb_state")" = "$cache_before" ] || fail "a second --plan changed the cache"
# a misspelt name: the plan is refused as the run would be, before it
# lists anything
expect_exit 2 "$POMCTL" --root "$T/sb" upgrade --patch strnig --plan --detailed-exitcode
assert_grep "^pomctl: there is no patch 'strnig' in the patch-o-matic tree .*; did you mean 'string'?$" "$T/err"
[ ! -s "$T/out" ] || fail "a refused plan printed a plan: $(cat "$T/out")"
# a .config in the tree: the plan says the trial replaces it (backed up)
cp "$T/sb/boot/config-2.4.20-13.8" "$T/sb/usr/src/linux-2.4.20-13.8/.config"
expect_exit 0 "$POMCTL" --root "$T/sb" upgrade --patch string --plan
assert_grep "copied to $T/sb/usr/src/linux-2.4.20-13.8/.config (the .config there now is backed up, then replaced)" "$T/out"
rm "$T/sb/usr/src/linux-2.4.20-13.8/.config"
# a host where the match is there already: the run would end at check,
# and the plan says so, changes nothing, and --detailed-exitcode says 0
echo string >>"$T/sb/proc/net/ip_tables_matches"
expect_exit 0 "$POMCTL" --root "$T/sb" upgrade --patch string --plan --detailed-exitcode
assert_grep "the run would end here" "$T/out"
[ "$(grep -c "skipped: the run would end at step check$" "$T/out")" -eq 8 ] ||
	fail "every later step ends at check: $(grep skipped "$T/out")"
assert_grep "^1 of 9 steps: 0 commands, 0 file edits, 0 downloads, 0 packages, 0 reboots$" "$T/out"
sed -i '/^string$/d' "$T/sb/proc/net/ip_tables_matches"

# the rpm database directory is the same after a plan, its files' ctimes
# and inodes included (a read-only open by SQLite itself touches -shm and
# -wal): read in place when nothing waits in the -wal ...
db_state() {
	( cd "$T/sb/var/lib/rpm" && find . -printf '%p %y %m %s %i %T@ %C@\n' | sort &&
	  find . -type f -print0 | sort -z | xargs -0 -r sha256sum )
}
expect_exit 0 "$POMCTL" --root "$T/sb" upgrade --patch string --plan
cp "$T/out" "$T/plan.in-place"
before=$(db_state)
sleep 1.1	# a time written by the plan would differ
expect_exit 0 "$POMCTL" --root "$T/sb" upgrade --patch string --plan
[ "$(db_state)" = "$before" ] || fail "the plan changed the rpm database directory"
# ... and read from a copy while a committed transaction waits in the -wal
# (a writer still has the database open, so SQLite has not copied it in)
python3 - "$T/sb/var/lib/rpm/rpmdb.sqlite" "$T/writer" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint = 0")
c.execute("CREATE TABLE pomctl_waiting (x)")
c.execute("DROP TABLE pomctl_waiting")
open(sys.argv[2], "w").write("ready")
time.sleep(120)
PY
writer=$!
i=0
while [ ! -s "$T/writer" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/sb/var/lib/rpm/rpmdb.sqlite-wal" ] || { kill $writer; fail "no transaction waits in the -wal"; }
before=$(db_state)
sleep 1.1
expect_exit 0 "$POMCTL" --root "$T/sb" upgrade --patch string --plan
after=$(db_state)
kill $writer
wait $writer 2>/dev/null
[ "$after" = "$before" ] || fail "the plan changed the rpm database directory (a -wal waiting)"
cmp -s "$T/out" "$T/plan.in-place" ||
	fail "the plan read from a copy differs: $(diff "$T/plan.in-place" "$T/out")"

# a run that failed half way: resume --plan changes nothing either
touch "$ROOT/teststeps/fail-patch"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string
before=$(tree_hash "$ROOT")
expect_exit 5 "$P" --root "$ROOT" resume --plan --detailed-exitcode
[ "$(tree_hash "$ROOT")" = "$before" ] || fail "resume --plan changed the root"
[ "$(count 'up to date: will not run again' "$T/out")" -eq 4 ] ||
	fail "the four done steps should be up to date"
[ "$(count 'run: make -C' "$T/out")" -eq 5 ] || fail "expected 5 commands left"
echo changed >"$ROOT/teststeps/input-update"
before=$(tree_hash "$ROOT")
expect_exit 0 "$P" --root "$ROOT" resume --plan
assert_grep "will run again: file .*input-update changed" "$T/out"
[ "$(tree_hash "$ROOT")" = "$before" ] || fail "resume --plan changed the root"
# while that run is open, a new upgrade is refused: its plan is the same
# refusal, with the same exit code (also with --detailed-exitcode)
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string
cp "$T/err" "$T/refused"
before=$(tree_hash "$ROOT")
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --plan --detailed-exitcode
cmp -s "$T/err" "$T/refused" || fail "the plan's refusal is not the run's: $(diff "$T/refused" "$T/err")"
assert_grep "a run is in progress in '$STATE' (step 'patch' is failed)" "$T/err"
[ ! -s "$T/out" ] || fail "a refused plan printed a plan"
[ "$(tree_hash "$ROOT")" = "$before" ] || fail "the refused plan changed the root"
exit 0
