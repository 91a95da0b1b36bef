# What a sysadmin reads, compared whole with tests/expected/output/: the
# help of pomctl and of each command, the plan of a first run, status once it is done, the rollback's report and
# status and history after it.  The sandbox's paths, times, run ids,
# durations, sizes and -j are normalised (and runs of blanks squeezed); a
# reworded message changes one expected file, reviewed as a diff.
# POMCTL_WRITE_EXPECTED=1 writes the expected files instead.
. "$POMCTL_TOP/tests/integration/lib.sh"
EXP=$POMCTL_TOP/tests/expected/output

normalise() {
	sed -e "s|$ROOT|ROOT|g" -e "s|$POMCTL_WORLD|WORLD|g" -e "s|$T|T|g" -E \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' \
		-e 's/TIME-[0-9]+/RUN/g' \
		-e 's/\b[0-9]+(\.[0-9]+)? ?s\b/N s/g' \
		-e 's/[0-9.]+ (B|KiB|MiB|GiB)\b/SIZE/g' \
		-e 's/-j[0-9]+/-jN/g' \
		-e 's/\b[0-9a-f]{16,64}\b/HEX/g' \
		-e 's/ +/ /g' -e 's/ +$//' "$1"
}

golden() {	# golden NAME FILE
	normalise "$2" >"$T/$1"
	if [ -n "${POMCTL_WRITE_EXPECTED:-}" ]; then
		mkdir -p "$EXP" && cp "$T/$1" "$EXP/$1"
		return
	fi
	diff -u "$EXP/$1" "$T/$1" >"$T/$1.diff" ||
		fail "$1 is not tests/expected/output/$1: $(cat "$T/$1.diff")"
}

sandbox_root
for c in "" upgrade resume status log list-patches history rollback bundle; do
	# shellcheck disable=SC2086
	"$POMCTL" help $c >"$T/help.raw" 2>&1 || fail "pomctl help $c failed"
	golden "help${c:+-$c}" "$T/help.raw"
done

"$POMCTL" --root "$ROOT" upgrade --patch string --plan >"$T/plan.raw" 2>&1 ||
	fail "the plan failed"
golden plan-upgrade-string "$T/plan.raw"

run_to_end upgrade --patch string
"$POMCTL" --root "$ROOT" status >"$T/status.raw" 2>&1
golden status-done "$T/status.raw"

reboot_into 2.4.20-13.8	# the old kernel, chosen at the console
"$POMCTL" --root "$ROOT" -y rollback >"$T/rollback.raw" 2>&1 ||
	fail "rollback failed: $(cat "$T/rollback.raw")"
golden rollback-report "$T/rollback.raw"
"$POMCTL" --root "$ROOT" status >"$T/status.raw" 2>&1
golden status-rolled-back "$T/status.raw"
"$POMCTL" --root "$ROOT" history >"$T/history.raw" 2>&1
golden history "$T/history.raw"
exit 0
