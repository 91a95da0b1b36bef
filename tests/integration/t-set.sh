# The host's extension set on a new kernel tree (issue 34): a new
# kernel-source package's tree carries none of the patches earlier runs
# applied, yet a run never builds a kernel with fewer extensions than the
# host has.  Here the distribution's tree as shipped comes back in place
# of the patched one (what installing a kernel-source package does).
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
sandbox_root
TREE=$ROOT/usr/src/linux-2.4.20-13.8
cp -a "$TREE" "$T/tree.shipped"
new_tree() { rm -rf "$TREE" && cp -a "$T/tree.shipped" "$TREE" || fail "cannot put the shipped tree back"; }

# nothing to bring the host to yet
expect_exit 2 "$P" --root "$ROOT" upgrade
assert_grep "upgrade needs --patch NAME (for example --patch string), or --from BUNDLE; without them it brings the kernel to the host's extension set, and no run has made one yet" "$T/err"

run_to_end upgrade --patch string --trial=skip
first=$rel
"$P" --root "$ROOT" history >"$T/h"
run1=$(awk '/^20/ { print $1; exit }' "$T/h")
new_tree

# no --patch: the set; the running kernel carries it, so nothing to do
expect_exit 0 "$P" --root "$ROOT" upgrade
assert_grep "no --patch: the run brings the kernel to the host's extension set (string)" "$T/err"
assert_grep "already available" "$T/out"

# no --patch, where [sources] pom_version names another patch-o-matic:
# the one the set was built with, from the cache (the same patches);
# the configured one when a pin names another tarball or the cache no
# longer holds it, saying so
conf_set sources pom_version 20040621
expect_exit 0 "$P" --root "$ROOT" upgrade --plan --force
assert_grep "pomctl: patch-o-matic 20030107, the version the host's extension set was built with (from the cache; .sources. pom_version is 20040621)" "$T/err"
assert_grep "patch-o-matic-20030107.tar.bz2: in the cache already" "$T/out"
conf_set sources pom_sha256 "$(printf '%064d' 0)"
expect_exit 0 "$P" --root "$ROOT" upgrade --plan --force
assert_grep "the host's extension set was built with patch-o-matic 20030107, but .sources. pom_sha256 pins another tarball: the run uses the configured 20040621" "$T/err"
# (a pin of that very tarball is no obstacle)
conf_set sources pom_sha256 "$(sha256sum "$POMCTL_WORLD/dist/patch-o-matic-20030107.tar.bz2" | cut -c1-64)"
expect_exit 0 "$P" --root "$ROOT" upgrade --plan --force
assert_grep "pomctl: patch-o-matic 20030107, the version the host's extension set was built with" "$T/err"
sed -i '/^pom_sha256 = /d' "$CONF"
mv "$STATE/cache" "$T/cache"
expect_exit 0 "$P" --root "$ROOT" upgrade --plan --force
assert_grep "but the cache no longer holds its tarball: the run uses the configured 20040621" "$T/err"
rm -rf "$STATE/cache"
mv "$T/cache" "$STATE/cache"
# --pom-version says which, and nothing is said
expect_exit 0 "$P" --root "$ROOT" upgrade --plan --force --pom-version 20030107
assert_no_grep "extension set was built with" "$T/err"
conf_set sources pom_version 20030107

# --patch iprange on the new tree: string comes back with it
expect_exit 0 "$P" --root "$ROOT" upgrade --patch iprange --trial=skip --plan
assert_grep "string (run $run1) is of the host's extension set: the tree carries it too" "$T/out"
assert_grep "string (.*): applies cleanly" "$T/out"
assert_grep "iprange (.*): applies cleanly" "$T/out"
run_to_end upgrade --patch iprange --trial=skip
second=$rel
assert_grep "string: of the host's extension set, applied again (the tree lacked it)" "$T/all.err"
assert_grep "iprange: applied$" "$T/all.err"
# (a build of its own: run 1's packages stay for its rollback)
assert_grep "release 1.pom.2: iptables-1.2.8-1.pom, an earlier run's build" "$T/all.err"
built_with "$second" string iprange
assert_grep "patches applied: iprange$" "$T/out"
assert_grep "patches the kernel carries: iprange string$" "$T/out"
assert_grep "module ipt_iprange: loaded" "$T/out"
assert_grep "module ipt_string: loaded" "$T/out"
assert_grep "iptables -m string: known" "$T/out"

# at boot, with no run to resume, the boot service says whether the
# kernel that came up carries the set: this one does; its plan is a plan
# with no step (the sentence on stderr: stdout is the plan)
expect_exit 0 "$P" --root "$ROOT" resume --at-boot
assert_no_grep "extension set" "$T/err"
expect_exit 0 "$P" --root "$ROOT" --json resume --at-boot --plan
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["steps"] == [], d' "$T/out" ||
	fail "the plan of resume --at-boot with nothing to resume: $(cat "$T/out")"
assert_grep "no run awaits a reboot: nothing to resume at boot" "$T/err"

# the distribution's kernel, booted again, lacks the set: the boot
# service says so; upgrade with no --patch would build both on the tree
# as shipped
reboot_into 2.4.20-13.8
expect_exit 0 "$P" --root "$ROOT" resume --at-boot
assert_grep "the running kernel 2.4.20-13.8 lacks string iprange of the host's extension set: pomctl upgrade builds it a kernel that has them" "$T/err"
new_tree
expect_exit 0 "$P" --root "$ROOT" upgrade --plan
assert_grep "no --patch: the run brings the kernel to the host's extension set (string iprange)" "$T/err"
assert_grep "string (.*): applies cleanly" "$T/out"
assert_grep "iprange (.*): applies cleanly" "$T/out"
assert_grep "the string match is not available to 2.4.20-13.8" "$T/out"
assert_grep "the iprange match is not available to 2.4.20-13.8" "$T/out"
# a kernel that has the match asked for but not the whole set is not the
# end of the run: the check looks for the set too
echo iprange >>"$ROOT/proc/net/ip_tables_matches"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch iprange --plan
assert_grep "the iprange match is already in the running kernel" "$T/out"
assert_grep "the string match is not available to 2.4.20-13.8 (of the host's extension set)" "$T/out"
assert_no_grep "the run would end here" "$T/out"
sed -i '/^iprange$/d' "$ROOT/proc/net/ip_tables_matches"

# [general] follow_kernel_updates = yes: the boot service starts that
# upgrade itself (-y --auto-resume), and goes on with it at each boot
sed -i 's/^\[general\]$/[general]\nfollow_kernel_updates = yes/' "$CONF"
# (its plan: that upgrade's, compared with the run by planned_run)
expect_exit 0 "$P" --root "$ROOT" resume --at-boot --plan
assert_grep "follow_kernel_updates = yes: pomctl upgrade -y --auto-resume" "$T/err"
assert_grep "^step 5/9: patch" "$T/out"
planned_run "$P" --root "$ROOT" resume --at-boot
rc=$got
assert_grep "follow_kernel_updates = yes: pomctl upgrade -y --auto-resume" "$T/out"
while [ $rc -eq 3 ]; do
	rel=$(sed -n 's/^pomctl: reboot into \([^ ,]*\), then.*/\1/p' "$T/out")
	[ -n "$rel" ] || fail "a pause without a release: $(cat "$T/out")"
	boot_expect "$rel"
	"$P" --root "$ROOT" resume --at-boot >"$T/out" 2>"$T/err"
	rc=$?
done
[ $rc -eq 0 ] || fail "the run the boot service started ended with $rc: $(cat "$T/err")"
[ "$(rpm --root "$ROOT" --dbpath /var/lib/rpm -q iptables)" = "iptables-1.2.8-1.pom.3.$(rpm --eval %_arch)" ] ||
	fail "the third run's iptables: $(rpm --root "$ROOT" --dbpath /var/lib/rpm -q iptables)"
assert_grep "all 9 steps done" "$T/out"
built_with "$rel" string iprange
expect_exit 0 "$P" --root "$ROOT" resume --at-boot
assert_no_grep "extension set" "$T/err"
