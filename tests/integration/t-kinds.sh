# Not every patch is a match (issue 17): TARPIT is a target (-j TARPIT,
# ipt_TARPIT, listed in /proc/net/ip_tables_targets).  check looks for it
# where targets are registered, verify asks iptables -j TARPIT --help (the
# fixture iptables, like the real one, loads a target's extension only
# with -j), and the plan says the same.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
sandbox_root

expect_exit 0 "$P" --root "$ROOT" list-patches --pom "$POMCTL_WORLD/pom/patch-o-matic-20030107"
assert_grep "^  TARPIT  *extra  *applies  *Captures and holds incoming TCP connections" "$T/out"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch TARPIT --trial=build
assert_grep "the TARPIT target is not available to 2.4.20-13.8" "$T/err"
assert_grep "looked in /proc/net/ip_tables_targets (the targets the running kernel has registered)" "$STATE/logs/01-check.log"
assert_grep "reboot into 2.4.20-13.8custom1," "$T/out"
reboot_into 2.4.20-13.8custom1
expect_exit 0 "$P" --root "$ROOT" resume --plan
assert_grep "run: $ROOT/sbin/iptables -j TARPIT --help" "$T/out"
assert_grep "run: $ROOT/usr/sbin/modprobe ipt_TARPIT" "$T/out"
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "module ipt_TARPIT: loaded" "$T/out"
assert_grep "iptables -j TARPIT: known" "$T/out"
assert_grep "^TARPIT$" "$ROOT/proc/net/ip_tables_targets"
assert_no_grep "TARPIT" "$ROOT/proc/net/ip_tables_matches"
# asked as a match, the fixture iptables refuses it, as the real one does
expect_exit 2 "$ROOT/sbin/iptables" -m TARPIT --help
assert_grep "Couldn't load match \`TARPIT'" "$T/err"
# a second run finds it where targets are registered
expect_exit 0 "$P" --root "$ROOT" upgrade --patch TARPIT
assert_grep "the TARPIT target is already" "$T/out"
exit 0
