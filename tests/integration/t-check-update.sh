# Steps check and update in the sandbox: where a match is found (module,
# registered, mainline), --force, the end of a run with exit 0; the
# updater profiles and the kernel-source assertion through librpm.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
W=$POMCTL_WORLD
"$POMCTL_TOP/tests/fixtures/mkroot" "$T/sb" --world "$W" >/dev/null 2>&1 || fail "mkroot"
ROOT=$T/sb
STATE=$ROOT/var/lib/pomctl
CONF=$ROOT/etc/pomctl.conf
RPM="rpm --root $ROOT --dbpath /var/lib/rpm"
fresh() { rm -rf "$STATE"; }

# --- check --------------------------------------------------------------------
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "looked for ipt_string.o under /lib/modules/2.4.20-13.8" "$T/out"
assert_grep "the string match is not available to 2.4.20-13.8" "$T/out"

# a module that is there ends the run: exit 0, one sentence, later steps skipped
expect_exit 0 "$P" --root "$ROOT" upgrade --patch mark
assert_grep "^pomctl: the mark match is already available to 2.4.20-13.8 as the module /lib/modules/2.4.20-13.8/kernel/net/ipv4/netfilter/ipt_mark.o: nothing to do" "$T/out"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "more than one line on stdout"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "update *skipped" "$T/out"
[ ! -e "$ROOT/var/log/up2date.log" ] || fail "the updater ran after check ended the run"
expect_exit 0 "$P" --root "$ROOT" resume
assert_grep "nothing to do" "$T/out"
[ "$(commands_in_log update)" -eq 0 ] || fail "resume ran update"
# a new run is allowed once one has ended
expect_exit 0 "$P" --root "$ROOT" upgrade --patch ttl
[ "$(ls "$STATE/runs" | wc -l)" -eq 1 ] || fail "the ended run was not archived"

# registered in the running kernel
fresh
echo string >> "$ROOT/proc/net/ip_tables_matches"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string
assert_grep "the string match is already in the running kernel (listed in /proc/net/ip_tables_matches)" "$T/out"
sed -i '/^string$/d' "$ROOT/proc/net/ip_tables_matches"
# the module gone: the ended run's check re-runs on resume and goes on
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch ttl
mv "$ROOT/lib/modules/2.4.20-13.8/kernel/net/ipv4/netfilter/ipt_ttl.o" "$T/"
run_ok "$P" --root "$ROOT" resume
assert_grep "check - .* (new input: host release)" "$T/err"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "update *done" "$T/out"
mv "$T/ipt_ttl.o" "$ROOT/lib/modules/2.4.20-13.8/kernel/net/ipv4/netfilter/"

# --force goes on (with a patch the patch-o-matic tree has: a name it has
# not stops the run before it starts)
fresh
run_ok "$P" --root "$ROOT" upgrade --patch ttl --force
assert_grep "the ttl match is already available" "$T/err"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "update *done" "$T/out"
fresh
expect_exit 2 "$P" --root "$ROOT" upgrade --patch mark --force
assert_grep "there is no patch 'mark' in the patch-o-matic tree" "$T/err"

# a mainline kernel: which module to use instead
fresh
sed -i 's/^release = .*/release = 2.6.18-8.el5/' "$CONF"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string
assert_grep "kernel 2.6.18-8.el5 has the string match in mainline: use the xt_string module (modprobe xt_string), no patch is needed" "$T/out"
assert_grep "no patch is needed (by its version: no /boot/config-2.6.18-8.el5 says how it is built)" "$T/out"
# ... whose configuration builds it as a module: the same
printf 'CONFIG_NETFILTER_XT_MATCH_STRING=m\n' >"$ROOT/boot/config-2.6.18-8.el5"
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string
assert_grep "has the string match in mainline: use the xt_string module" "$T/out"
# ... built in: no module to load
printf 'CONFIG_NETFILTER_XT_MATCH_STRING=y\n' >"$ROOT/boot/config-2.6.18-8.el5"
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string
assert_grep "the string match is built into kernel 2.6.18-8.el5 (CONFIG_NETFILTER_XT_MATCH_STRING=y in /boot/config-2.6.18-8.el5): no module to load, no patch is needed" "$T/out"
assert_no_grep "modprobe" "$T/out"
# ... and what the running kernel lists comes first, whatever the version
printf 'string\n' >>"$ROOT/proc/net/ip_tables_matches"
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string
assert_grep "the string match is already in the running kernel (listed in /proc/net/ip_tables_matches)" "$T/out"
sed -i '/^string$/d' "$ROOT/proc/net/ip_tables_matches"
# ... built without it (or from a tree without it): not there, the run goes on
printf '# CONFIG_NETFILTER_XT_MATCH_STRING is not set\n' >"$ROOT/boot/config-2.6.18-8.el5"
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "the string match is not available to 2.6.18-8.el5" "$T/out"
assert_grep "configuration (/boot/config-2.6.18-8.el5) does not build it (CONFIG_NETFILTER_XT_MATCH_STRING)" "$T/out"
rm "$ROOT/boot/config-2.6.18-8.el5"
sed -i 's/^release = .*/release = 2.6.13-1/' "$CONF"
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "looked for ipt_string.ko or xt_\*.ko under /lib/modules/2.6.13-1" "$T/out"
sed -i 's/^release = .*/release = not-a-release/' "$CONF"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string
assert_grep "the running release 'not-a-release' is not a kernel release; pin it with \[host\] release" "$T/err"
sed -i 's/^release = .*/release = 2.4.20-13.8/' "$CONF"

# --- update ---------------------------------------------------------------------
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "run: $ROOT/usr/sbin/up2date -u" "$T/out"
assert_grep "run: $ROOT/usr/sbin/up2date -f kernel kernel-source" "$T/out"
assert_grep "now: newest installed kernel: 2.4.20-13.8; kernel-source: 2.4.20-13.8" "$T/out"
sed -i 's/^updater = .*/updater = yum/' "$CONF"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "run: $ROOT/usr/sbin/yum -y update" "$T/out"
sed -i 's/^updater = .*/updater = none/' "$CONF"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_no_grep "run: .*\(up2date\|yum\|dnf\)" "$T/out"

# the source package missing: up2date is asked for it, then pomctl insists
$RPM -e --justdb --nodeps kernel-source >/dev/null 2>&1 || fail "rpm -e"
sed -i 's/^updater = .*/updater = up2date/' "$CONF"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string
assert_grep "up2date -i kernel-source -f" "$ROOT/var/log/up2date.log"
assert_grep "kernel-source is not installed: install kernel-source-2.4.20-13.8 (for example up2date -i kernel-source -f), then run pomctl resume" "$T/err"
debian=
rpm --help 2>/dev/null | grep -q -- --force-debian && debian=--force-debian
$RPM -i --justdb --nodeps --noscripts --ignorearch $debian "$W"/dist/kernel-source-2.4.20-13.8.*.rpm 2>/dev/null ||
	fail "rpm -i kernel-source"
run_ok "$P" --root "$ROOT" resume
assert_grep "step 3/9: fetch" "$T/err"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "update *done" "$T/out"

# a newer kernel whose source is not installed
fresh
$RPM -i --justdb --nodeps --noscripts --ignorearch $debian "$W"/dist/kernel-2.4.20-18.8.*.rpm 2>/dev/null ||
	fail "rpm -i kernel-18.8"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string
assert_grep "kernel-source is 2.4.20-13.8 but the newest installed kernel is 2.4.20-18.8: install kernel-source-2.4.20-18.8, then run pomctl resume" "$T/err"
expect_exit 0 "$P" --root "$ROOT" status
assert_grep "update *failed" "$T/out"

# no rpm database at all: the run does not start
fresh
sed -i 's|^dbpath = .*|dbpath = /var/lib/nowhere|' "$CONF"
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string
assert_grep "this host lacks what pomctl needs .*: no rpm database at '$ROOT/var/lib/nowhere' (pomctl reads the kernel and iptables packages there .*see \[rpm\] dbpath)" "$T/err"
[ ! -e "$STATE/state.json" ] || fail "a run started without an rpm database"
sed -i 's|^dbpath = .*|dbpath = /var/lib/rpm|' "$CONF"

# a host shaped like Debian's: iptables from dpkg (a binary, no RPM), no
# updater pomctl knows, no kernel-source: one message naming each lack
# and why, before anything; the plan alike
fresh
$RPM -e --justdb --nodeps iptables >/dev/null 2>&1 || fail "rpm -e iptables"
$RPM -e --justdb --nodeps kernel-source >/dev/null 2>&1 || fail "rpm -e kernel-source"
mkdir -p "$ROOT/usr/sbin" && printf '#!/bin/sh\n' >"$ROOT/usr/sbin/iptables" &&
	chmod 755 "$ROOT/usr/sbin/iptables"
sed -i "s|^up2date = .*|up2date = $ROOT/usr/sbin/no-up2date|" "$CONF"
rm -f "$ROOT/var/log/up2date.log"
for plan in "" --plan; do
	# shellcheck disable=SC2086
	expect_exit 2 "$P" --root "$ROOT" upgrade --patch TARPIT $plan
	assert_grep "^pomctl: this host lacks what pomctl needs (a Red Hat-style host: .*): iptables is here, but not as an RPM package (pomctl rebuilds the distribution's iptables RPM); no 'up2date' to run (\[update\] updater = up2date, \[commands\] up2date: step 2 updates the system and the kernel sources with it); nothing was changed$" "$T/err"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "more than the one message: $(cat "$T/err")"
	[ ! -e "$STATE/state.json" ] || fail "a run started on a Debian-shaped host"
	[ ! -e "$ROOT/var/log/up2date.log" ] || fail "the updater ran"
done
# ... whose running kernel has string built in: step zero says so, not
# "modprobe", and the run ends there (the host's lacks do not matter)
sed -i 's/^release = .*/release = 6.1.0-18-amd64/' "$CONF"
printf 'CONFIG_NETFILTER_XT_MATCH_STRING=y\n' >"$ROOT/boot/config-6.1.0-18-amd64"
fresh
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string
assert_grep "the string match is built into kernel 6.1.0-18-amd64 (CONFIG_NETFILTER_XT_MATCH_STRING=y in /boot/config-6.1.0-18-amd64): no module to load, no patch is needed" "$T/out"
exit 0
