# The manual: both pages format without a warning, every option of the
# popt tables is in pomctl(8), every configuration key with its section is
# in pomctl.conf(5), and every subcommand has its own paragraph.
. "$POMCTL_TOP/tests/integration/lib.sh"
M=$POMCTL_TOP/man

for page in "$M/pomctl.8" "$M/pomctl.conf.5"; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$T/page" 2>"$T/warn" ||
		fail "man cannot format $page"
	[ ! -s "$T/warn" ] || { cat "$T/warn"; fail "warnings in $page"; }
	[ "$(wc -l <"$T/page")" -gt 50 ] || fail "$page formats to almost nothing"
done

# The formatted page, options as typed: "\-\-plan" becomes "--plan".
LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$M/pomctl.8" 2>/dev/null | col -b >"$T/man8"
LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$M/pomctl.conf.5" 2>/dev/null | col -b >"$T/man5"

opts=$(sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", .*POPT_ARG_\(NONE\|STRING\|INT\).*/\1/p' \
	"$POMCTL_TOP/src/main.c")
[ "$(echo "$opts" | wc -l)" -ge 15 ] || fail "found too few options in main.c"
for o in $opts; do
	grep -q -- "--$o\b" "$T/man8" || fail "option --$o is not in pomctl.8"
done

# and the synopsis names every option of the commands' tables (the global
# ones are described under Global options)
sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' "$T/man8" >"$T/synopsis"
sub=$(sed -n '/^static struct poptOption jobs_options/,/^\/\* clang-format on/p' \
	"$POMCTL_TOP/src/main.c" | sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", .*POPT_ARG_\(NONE\|STRING\|INT\).*/\1/p')
[ "$(echo "$sub" | wc -l)" -ge 15 ] || fail "found too few subcommand options in main.c"
for o in $sub; do
	grep -q -- "--$o\b" "$T/synopsis" || fail "option --$o is not in the synopsis of pomctl.8"
done

# each command's help: pomctl help C is pomctl C --help, names the command
# and none of another's options only (upgrade's --patch is not status's)
for c in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", cmd_.*/\1/p' "$POMCTL_TOP/src/main.c"); do
	"$POMCTL" help "$c" >"$T/h1" || fail "pomctl help $c failed"
	"$POMCTL" "$c" --help >"$T/h2" || fail "pomctl $c --help failed"
	cmp -s "$T/h1" "$T/h2" || fail "pomctl help $c differs from pomctl $c --help"
	grep -q "^Usage: pomctl $c" "$T/h1" || fail "pomctl help $c does not name $c"
	grep -q "^Example: pomctl $c" "$T/h1" || fail "pomctl help $c gives no example"
	[ "$c" = upgrade ] || ! grep -q -- "--patch" "$T/h1" || fail "pomctl help $c lists --patch"
done
"$POMCTL" help >"$T/h1" && "$POMCTL" --help >"$T/h2" && "$POMCTL" -h >"$T/h3" ||
	fail "pomctl help, --help or -h failed"
cmp -s "$T/h1" "$T/h2" && cmp -s "$T/h1" "$T/h3" || fail "pomctl help, --help and -h differ"

cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", cmd_.*/\1/p' "$POMCTL_TOP/src/main.c")
[ "$(echo "$cmds" | wc -l)" -eq "$("$POMCTL" --help | sed -n '/^Commands:/,/^$/p' | grep -c '^  [a-z]')" ] ||
	fail "main.c's command table and pomctl --help name different commands"
for c in $cmds; do
	grep -q "^       $c\b" "$T/man8" ||
		fail "subcommand $c has no paragraph in pomctl.8"
done

# configuration keys: X("section", "key", ...) and C("key", ...) in config.c
sed -n -e 's/^[[:space:]]*[ABD-Z]("\([a-z]*\)", "\([a-z_0-9]*\)".*/\1 \2/p' \
	-e 's/^[[:space:]]*C("\([a-z_0-9]*\)",.*/commands \1/p' \
	"$POMCTL_TOP/src/config.c" >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 20 ] || fail "found too few keys in config.c"
while read -r section key; do
	# the key must appear after its [section] heading and before the next
	awk -v s="[$section]" -v k="$key" '
		$1 ~ /^\[/ { in_s = ($1 == s) }
		in_s && $1 == k && $2 != "=" { found = 1 }
		END { exit !found }' "$T/man5" ||
		fail "key [$section] $key is not in pomctl.conf.5"
done <"$T/keys"

# the steps, in order, in the STEPS section
for s in check update fetch trial patch rpm kernel install verify; do
	grep -q "^       [1-9] $s\b" "$T/man8" ||
		fail "step $s is not described in pomctl.8"
done
