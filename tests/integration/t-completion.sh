# bash completion: subcommands, options per subcommand, step names, and
# patch names from the fetched patch-o-matic tree of the run.  The option
# words must be exactly the options of the popt tables.
. "$POMCTL_TOP/tests/integration/lib.sh"
command -v bash >/dev/null || fail "bash is needed"
mkdir -p "$T/bin"
ln -s "$POMCTL" "$T/bin/pomctl"

# complete WORD... : the completions offered for the last word
complete_line() {
	PATH=$T/bin:$PATH bash -c '
		. "$1/contrib/pomctl.bash-completion"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_pomctl; printf "%s\n" "${COMPREPLY[@]}" | sort' \
		sh "$POMCTL_TOP" "$@"
}

[ "$(complete_line pomctl li)" = list-patches ] || fail "subcommand"
[ "$(complete_line pomctl resume --from k)" = kernel ] || fail "--from step"
[ "$(complete_line pomctl log ins)" = install ] || fail "log step"
[ "$(complete_line pomctl upgrade --trial b)" = build ] || fail "--trial"
[ "$(complete_line pomctl upgrade --auto)" = --auto-resume ] || fail "upgrade option"
[ -z "$(complete_line pomctl status --auto)" ] || fail "status offered --auto-resume"

# the steps and commands offered are those pomctl --help names (its step
# list comes from the step table)
[ "$(complete_line pomctl resume --from "" | tr '\n' ' ')" = \
  "$(printf '%s\n' $STEPS | sort | tr '\n' ' ')" ] || fail "completion steps differ from the step table's"
"$POMCTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-][a-z-]*\) .*/\1/p' | sort >"$T/cmds"
complete_line pomctl "" | grep -v "^-" >"$T/offered-cmds"
diff "$T/cmds" "$T/offered-cmds" || fail "completion commands differ from pomctl --help's"

# the options offered after each command are exactly those pomctl help
# COMMAND lists (its own and the global ones); before a command, the
# global ones
help_options() {
	"$POMCTL" help "$@" | sed -n 's/^ \{2,6\}\(-[a-zA-Z?], \)\?\(--[a-z0-9-]*\).*/\2/p' | sort -u
}
help_options >"$T/want"
complete_line pomctl -- >"$T/offered"
diff "$T/want" "$T/offered" || fail "options offered before a command differ from pomctl --help's"
for c in $(cat "$T/cmds"); do
	help_options "$c" >"$T/want"
	[ "$(wc -l <"$T/want")" -ge 9 ] || fail "pomctl help $c lists too few options"
	complete_line pomctl "$c" -- >"$T/offered"
	diff "$T/want" "$T/offered" || fail "options offered for $c differ from pomctl help $c's"
done
# and every option of main.c's tables is some command's
sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", .*POPT_ARG_\(NONE\|STRING\|INT\).*/--\1/p' \
	"$POMCTL_TOP/src/main.c" | sort -u >"$T/popt"
for c in "" $(cat "$T/cmds"); do
	# shellcheck disable=SC2086
	help_options $c
done | sort -u >"$T/helped"
diff "$T/popt" "$T/helped" || fail "pomctl help does not list every option of the tables"

# patch names need a fetched tree: run the sandbox up to fetch
"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$POMCTL_WORLD" >/dev/null 2>&1 ||
	fail "mkroot"
[ -z "$(complete_line pomctl --root "$T/sb" upgrade --patch s)" ] ||
	fail "patch names offered before any fetch"
# a misspelt patch stops the run before it starts: no update, no trial
expect_exit 2 "$POMCTL" --root "$T/sb" upgrade --patch strnig
assert_grep "there is no patch 'strnig' in the patch-o-matic tree .* (pomctl list-patches lists them); did you mean 'string'?" "$T/err"
[ ! -e "$T/sb/var/lib/pomctl/state.json" ] || fail "a run started for a misspelt patch"
[ ! -e "$T/sb/var/log/up2date.log" ] || fail "the updater ran for a misspelt patch"
# the plan says so too, now that the tree is in the cache
expect_exit 2 "$POMCTL" --root "$T/sb" upgrade --patch strnig --plan
assert_grep "did you mean 'string'?" "$T/err"
# misspelt commands and options
expect_exit 2 "$POMCTL" stauts
assert_grep "unknown command 'stauts'; did you mean 'status'?" "$T/err"
expect_exit 2 "$POMCTL" --jbos 2 status
assert_grep "did you mean '--jobs'?" "$T/err"
[ "$(complete_line pomctl --root "$T/sb" upgrade --patch s)" = "$(printf 'string\nstring-nocase')" ] ||
	fail "patch names: $(complete_line pomctl --root "$T/sb" upgrade --patch s)"
[ "$(complete_line pomctl --root="$T/sb" upgrade -p t)" = ttl ] || fail "--root= form"
