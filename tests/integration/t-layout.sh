# README's Layout section names every file of src/ and steps/, so that the
# map a newcomer reads stays true.
. "$POMCTL_TOP/tests/integration/lib.sh"
sed -n '/^## Layout$/,/^## /p' "$POMCTL_TOP/README.md" >"$T/layout"
[ -s "$T/layout" ] || fail "README has no Layout section"
for f in "$POMCTL_TOP"/src/*.c "$POMCTL_TOP"/steps/*.c; do
	name=$(basename "$f")
	grep -q "\`\\(src/\\|steps/\\)\\?$name\`\\|\`$name\`\\|[ ,]\`*${name}\`*[,:]" "$T/layout" ||
		fail "README's Layout does not name $(basename "$(dirname "$f")")/$name"
done
exit 0
