# Stages: a step that failed goes on, on resume, from its first stage not
# done (the trial: configured, dependencies, compiled, modules installed,
# kernel installed), as long as the tree is as the failed attempt left it;
# a changed .config starts it over.  Failures come from
# tests/fixtures/bin/fail-once in front of [commands] make, and from a
# source file broken by hand.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
sandbox_root
fail_make() {	# fail_make PATTERN [N]: the Nth make whose arguments hold PATTERN fails
	sed -i "/^make = /d; s|^\[commands\]$|[commands]\nmake = $POMCTL_TOP/tests/fixtures/bin/fail-once $T/count $1 make|" "$CONF"
	echo "${2:-1}" >"$T/count"
}
# the make commands of a log after its last "=== step" line
last_attempt() { awk '/^=== step [a-z]+, attempt / { n = NR } { l[NR] = $0 } END { for (i = n; i <= NR; i++) print l[i] }' "$1" | grep '^\$ .*make' || true; }
trial_log=$STATE/logs/04-trial.log

# the trial fails at make install; resume does only make install again
fail_make INSTALL_PATH=
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string
assert_grep "the injected failure" "$trial_log"
expect_exit 3 "$P" --root "$ROOT" resume
for stage in configured dependencies compiled "modules installed"; do
	assert_grep "  $stage: done by the failed attempt, and still current" "$T/err"
done
[ "$(last_attempt "$trial_log" | wc -l)" -eq 1 ] ||
	fail "resume ran more than make install: $(last_attempt "$trial_log")"
last_attempt "$trial_log" | grep -q 'ARCH=i386 install INSTALL_PATH=' || fail "no make install"
assert_grep "reboot into 2.4.20-13.8custom, then run pomctl resume" "$T/out"
reboot_into 2.4.20-13.8custom

# the kernel step's compile fails (a source broken by hand)
TREE=$ROOT/usr/src/linux-2.4.20-13.8
kernel_log=$STATE/logs/07-kernel.log
cp "$TREE/net/ipv4/netfilter/ipt_mark.c" "$T/ipt_mark.c"
echo "int broken_by_hand = ;" >>"$TREE/net/ipv4/netfilter/ipt_mark.c"
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "broken_by_hand" "$kernel_log"
# .config changed by hand since: the step starts over, from make clean
echo "# edited by hand" >>"$TREE/.config"
expect_exit 1 "$P" --root "$ROOT" resume
assert_no_grep "done by the failed attempt" "$T/err"
last_attempt "$kernel_log" | head -1 | grep -q 'ARCH=i386 clean$' ||
	fail "the kernel step did not start over: $(last_attempt "$kernel_log")"
# the source mended: the compile alone runs again, not make clean, oldconfig, dep
cp "$T/ipt_mark.c" "$TREE/net/ipv4/netfilter/ipt_mark.c"
# and resume --plan says so (issue 33): the stages that stand are not planned
expect_exit 0 "$P" --root "$ROOT" resume --plan
assert_grep "^    configured: done by the failed attempt, and still current: not again$" "$T/out"
assert_grep "^    dependencies: done by the failed attempt, and still current: not again$" "$T/out"
sed -n '/^step 7\/9: kernel/,/^step 8\/9/p' "$T/out" | grep '^    run: ' >"$T/kplan"
[ "$(wc -l <"$T/kplan")" -eq 1 ] && grep -q 'ARCH=i386 -j[0-9]* bzImage modules$' "$T/kplan" ||
	fail "resume --plan does not plan the compile alone: $(cat "$T/kplan")"
expect_exit 3 "$P" --root "$ROOT" resume
assert_grep "  dependencies: done by the failed attempt, and still current" "$T/err"
last_attempt "$kernel_log" | head -1 | grep -q 'bzImage modules$' ||
	fail "resume did not go on from the compile: $(last_attempt "$kernel_log")"
python3 - "$STATE/state.json" <<'PY' || fail "stages in the state"
import json, sys
steps = {s["name"]: s for s in json.load(open(sys.argv[1]))["steps"]}
k = steps["kernel"]["outputs"]
assert {"stage configured", "stage dependencies", "stage compiled"} <= set(k), k
assert k["stage compiled"].startswith("Makefile "), k
PY
