# Consent before the host changes (issue 16): without a terminal, upgrade,
# resume and rollback need -y (or [general] assume_yes) and change nothing
# without it; on a terminal they show what will happen and ask.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
command -v script >/dev/null || fail "script(1) is needed"
sandbox_root
sed -i '/^assume_yes = yes$/d' "$CONF"

# no terminal, no -y: one line, exit 2, nothing done (not even the update)
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --trial=skip </dev/null
assert_grep "^pomctl: upgrade changes this host and asks first, but there is no terminal to ask on: add -y to answer yes (nothing was done)$" "$T/err"
[ "$(grep -c . "$T/err")" -eq 1 ] || fail "not one line: $(cat "$T/err")"
[ ! -e "$STATE/state.json" ] || fail "a run was started"
[ ! -e "$ROOT/var/log/up2date.log" ] || fail "the updater ran"

# on a terminal: the plan's summary and the question; no is nothing
tty_run() {	# tty_run ANSWER ARGS...: pomctl on a terminal, answering
	answer=$1
	shift
	printf '%s\n' "$answer" | script -qec "$P --root $ROOT $*" /dev/null >"$T/tty" 2>&1
}
# (the plan before the question fills pomctl's download cache, and "n"
# says so: an empty cache first)
rm -rf "$STATE"
mkdir -m 700 "$STATE"
before=$(tree_hash "$ROOT" var/lib/pomctl var/lock/pomctl)
tty_run n upgrade --patch string --trial=skip && fail "a refused upgrade exited 0"
# a transaction summary: what changes, named, then the counts
assert_grep "pomctl upgrade would:" "$T/tty"
assert_grep "  update every package of the system that has an update: $ROOT/usr/sbin/up2date -u" "$T/tty"
assert_grep "  install the kernel 2.4.20-13.8custom beside the running 2.4.20-13.8, which is kept; the new one becomes the boot default only once verify passes" "$T/tty"
assert_grep "  replace iptables 1.2.6a-2 with 1.2.8, built by the rpm step" "$T/tty"
assert_grep "  install iptables-pom 1.2.8, built by the rpm step (not installed before)" "$T/tty"
assert_grep "and run 9 steps: .* command.*, .* reboot" "$T/tty"
# what rollback may not undo is said before the question, not at step 8:
# no location has the replaced build, the updater is to download it
assert_grep "caution: rollback can put back iptables-1.2.6a-2 only if the updater downloads that very build" "$T/tty"
assert_grep "Proceed? \[y/N\]" "$T/tty"
assert_grep "not confirmed: the host is unchanged; only pomctl's download cache got patch-o-matic-20030107.tar.bz2 ([0-9.]* KiB), for the plan" "$T/tty"
[ ! -e "$STATE/state.json" ] || fail "a refused upgrade started a run"
[ ! -e "$ROOT/var/log/up2date.log" ] || fail "a refused upgrade ran the updater"
[ "$(tree_hash "$ROOT" var/lib/pomctl var/lock/pomctl)" = "$before" ] ||
	fail "a refused upgrade changed the host beside the cache (and the lock)"
tty_run n upgrade --patch string --trial=skip
assert_grep "not confirmed: nothing was done" "$T/tty"
# -v shows the whole plan first
tty_run n -v upgrade --patch string --trial=skip
assert_grep "step 2/9: update" "$T/tty"
# with a copy of that build where pomctl looks, no caution
mkdir -p "$ROOT/var/spool/up2date"
cp "$POMCTL_WORLD"/dist/iptables-1.2.6a-2.x86_64.rpm "$ROOT/var/spool/up2date/"
tty_run n upgrade --patch string --trial=skip
assert_no_grep "caution" "$T/tty"
rm -r "$ROOT/var/spool/up2date"
# yes goes on
tty_run y upgrade --patch string --trial=skip
assert_grep "step 1/9: check" "$T/tty"
assert_grep "reboot into 2.4.20-13.8custom" "$T/tty"
[ -s "$ROOT/var/log/up2date.log" ] || fail "the updater did not run"

# resume asks too; -y answers
reboot_into 2.4.20-13.8custom
expect_exit 2 "$P" --root "$ROOT" resume </dev/null
assert_grep "resume changes this host and asks first" "$T/err"
tty_run n resume
# only the steps left are counted, and the install already done is not
# named again
assert_grep "run 1 of 9 steps: " "$T/tty"
assert_no_grep "replace iptables" "$T/tty"
"$P" --root "$ROOT" status >"$T/st"
grep -q " verify *pending" "$T/st" || fail "a refused resume ran verify: $(cat "$T/st")"
expect_exit 0 "$P" --root "$ROOT" -y resume
assert_grep "all 9 steps done" "$T/out"
# a finished run: nothing to ask, nothing to do (also without -y)
tty_run y resume || fail "resume of a finished run failed: $(cat "$T/tty")"
assert_grep "nothing to do: run .* is finished" "$T/tty"
assert_no_grep "Proceed" "$T/tty"
expect_exit 0 "$P" --root "$ROOT" resume </dev/null

# rollback shows what it would do, then asks
reboot_into 2.4.20-13.8
tty_run n rollback
assert_grep "rollback of run .* would:" "$T/tty"
assert_grep "not confirmed: nothing was done" "$T/tty"
[ -e "$ROOT/boot/vmlinuz-2.4.20-13.8custom" ] || fail "a refused rollback removed the kernel"
expect_exit 2 "$P" --root "$ROOT" rollback </dev/null
tty_run y rollback
assert_grep "is rolled back" "$T/tty"
[ ! -e "$ROOT/boot/vmlinuz-2.4.20-13.8custom" ] || fail "rollback left the kernel"

# --plan never asks: it changes nothing
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan </dev/null
