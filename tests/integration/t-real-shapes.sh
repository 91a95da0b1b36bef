# Real shapes (issue 17): the classic tree as the 2003 trees were laid out
# -- base, pending, extra and userspace/ as repositories; IMQ a whole patch
# in userspace/ with an IPv6 half (IMQ.patch.ipv6 and its .ipv6.config.in,
# .ipv6.makefile, .ipv6.configure.help) and a userspace part; raw a
# userspace-only patch -- and the -ng tree with the same patch as a
# patchlet.  The files the patch step changes are compared whole with
# tests/expected/IMQ-2.4/, written from what patch-o-matic's runme put in
# a 2.4 tree; the IPv6 module is built, loaded by verify, and rollback
# gives the tree back.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
EXP=$POMCTL_TOP/tests/expected/IMQ-2.4
PRISTINE=$POMCTL_WORLD/trees/linux-2.4.20-13.8
FILES="net/ipv4/netfilter/Config.in net/ipv4/netfilter/Makefile
net/ipv6/netfilter/Config.in net/ipv6/netfilter/Makefile
Documentation/Configure.help"
same_as() {	# same_as DIR: the five files of the tree are those of DIR
	for f in $FILES; do
		cmp -s "$1/$f" "$TREE/$f" || fail "$f differs from $1: $(diff -u "$1/$f" "$TREE/$f")"
	done
}

# --- classic: list-patches, then a run with IMQ and raw
sandbox_root
TREE=$ROOT/usr/src/linux-2.4.20-13.8
expect_exit 0 "$P" --root "$ROOT" list-patches --pom "$POMCTL_WORLD/pom/patch-o-matic-20030107"
assert_grep "^  ttl  *base  *already applied" "$T/out"
assert_grep "^  conntrack-tuning  *pending  *fails" "$T/out"
assert_grep "^  string  *extra  *applies" "$T/out"
assert_grep "^  IMQ  *userspace  *applies  *Sends packets through an intermediate queueing device" "$T/out"
assert_grep "^      IMQ: parts: IPv4 and IPv6, userspace$" "$T/out"
assert_grep "^  raw  *userspace  *applies  *The raw table, consulted before connection tracking\.$" "$T/out"
assert_grep "^      raw: parts: userspace only$" "$T/out"
assert_grep "^      TARPIT: parts: IPv4, userspace$" "$T/out"	# as the JSON says
assert_no_grep "string: parts" "$T/out"
expect_exit 0 "$P" --root "$ROOT" --json list-patches --pom "$POMCTL_WORLD/pom/patch-o-matic-20030107"
python3 "$POMCTL_TOP/tests/fixtures/json-shape.py" list-patches "$T/out" || fail "list-patches JSON"
grep -q '"parts": "IPv4 and IPv6, userspace"' "$T/out" || fail "no parts in the JSON"

expect_exit 3 "$P" --root "$ROOT" upgrade --patch IMQ --patch raw --trial=skip
same_as "$EXP"
assert_grep "^CONFIG_IP_NF_TARGET_IMQ=m$" "$TREE/.config"
assert_grep "^CONFIG_IP6_NF_TARGET_IMQ=m$" "$TREE/.config"
[ -f "$ROOT/lib/modules/2.4.20-13.8custom/kernel/net/ipv6/netfilter/ip6t_IMQ.o" ] || fail "no ip6t_IMQ module"
[ -f "$ROOT/lib/modules/2.4.20-13.8custom/kernel/net/ipv4/netfilter/ipt_IMQ.o" ] || fail "no ipt_IMQ module"
grep -q "^Patch[0-9]*: iptables-pom-raw.patch" "$ROOT/usr/src/redhat/SPECS/iptables.spec" ||
	fail "the spec does not carry raw's diff"
# a second look: both halves are in, nothing is added twice
expect_exit 0 "$P" --root "$ROOT" list-patches --pom "$POMCTL_WORLD/pom/patch-o-matic-20030107"
assert_grep "^  IMQ  *userspace  *already applied" "$T/out"
boot_expect 2.4.20-13.8custom
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "module ip6t_IMQ: loaded" "$T/out"
assert_grep "module ipt_IMQ: loaded" "$T/out"
assert_grep "^IMQ$" "$ROOT/proc/net/ip6_tables_targets"
assert_grep "^IMQ$" "$ROOT/proc/net/ip_tables_targets"
assert_grep "iptables -j IMQ: known" "$T/out"
# rollback: both halves go
boot_host "$ROOT" --choose "Red Hat Linux (2.4.20-13.8)"
expect_exit 0 "$P" --root "$ROOT" rollback
same_as "$PRISTINE"
[ ! -e "$TREE/net/ipv6/netfilter/ip6t_IMQ.c" ] || fail "rollback left ip6t_IMQ.c"

# --- -ng: the patchlet's IPv6 files and line-adds give the same tree
sandbox_root --pom ng
TREE=$ROOT/usr/src/linux-2.4.20-13.8
expect_exit 3 "$P" --root "$ROOT" upgrade --patch IMQ --trial=skip
same_as "$EXP"
[ -f "$ROOT/lib/modules/2.4.20-13.8custom/kernel/net/ipv6/netfilter/ip6t_IMQ.o" ] || fail "-ng: no ip6t_IMQ module"
# and on a 2.6 tree, its Kconfig line-adds
expect_exit 0 "$P" list-patches --kernel "$POMCTL_WORLD/trees/linux-2.6.9-5.EL" --pom "$POMCTL_WORLD/pom/patch-o-matic-ng-20040621"
assert_grep "^  IMQ  *extra  *applies" "$T/out"
assert_grep "^      IMQ: parts: IPv4 and IPv6, userspace$" "$T/out"
exit 0
