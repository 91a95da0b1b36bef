# HACKING.md's Layout section names every file of src/ and steps/, so that
# the map a newcomer reads stays true.
. "$POMCTL_TOP/tests/integration/lib.sh"
sed -n '/^## Layout$/,/^## /p' "$POMCTL_TOP/HACKING.md" >"$T/layout"
[ -s "$T/layout" ] || fail "HACKING.md has no Layout section"
for f in "$POMCTL_TOP"/src/*.c "$POMCTL_TOP"/steps/*.c; do
	name=$(basename "$f")
	grep -q "\`\\(src/\\|steps/\\)\\?$name\`\\|\`$name\`\\|[ ,]\`*${name}\`*[,:]" "$T/layout" ||
		fail "HACKING.md's Layout does not name $(basename "$(dirname "$f")")/$name"
done

# The layering rule: a service of src/ knows nothing of the pipeline or
# the steps.  Above them: main.c, the pipeline (its engine, the steps'
# helpers ctx.c, the outputs' contract, status), the run's lifecycle, the commands and the
# subcommands list-patches, rollback and bundle.
for f in "$POMCTL_TOP"/src/*.[ch] "$POMCTL_TOP"/include/pomctl/*.h; do
	case $(basename "$f") in
	main.c | pipeline.c | pipeline.h | pipeline-internal.h | ctx.c | status.c | outputs.c | \
		lifecycle.[ch] | listing.c | rollback.c | bundle.c | \
		command.[ch] | cmdline.[ch] | cmd-*.c) continue ;;
	esac
	if grep -n '^#include "\(pomctl/pipeline\.h\|.*steps/[a-z]*\.h\|steps\.h\|kbuild\.h\)"' "$f" >"$T/inc"; then
		fail "$(basename "$f") is a service but includes $(sed 's/.*#include //' "$T/inc" | tr '\n' ' ')"
	fi
done
# README stays a newcomer's read: at most 250 lines, exit codes in one
# table, the two commands named
[ "$(wc -l <"$POMCTL_TOP/README.md")" -le 250 ] ||
	fail "README.md is $(wc -l <"$POMCTL_TOP/README.md") lines, more than 250"
[ "$(grep -c '^| [0-9] |' "$POMCTL_TOP/README.md")" -eq 6 ] || fail "README's exit code table"
grep -q '^make check ' "$POMCTL_TOP/README.md" && grep -q '^make demo ' "$POMCTL_TOP/README.md" ||
	fail "README does not name make check and make demo"
exit 0
