# Input from outside, written as an attacker would (issue 14): each case
# is refused or contained, nothing outside its place changes, and the
# error is one line naming the thing.  Everything here is made by the test.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
K=$T/box/linux
mkdir -p "$T/box" "$T/x"
cp -a "$POMCTL_WORLD/trees/linux-2.4.20-13.8" "$K"

# one_line FILE: the error is a single line
one_line() {
	[ "$(grep -c . "$1")" -eq 1 ] || fail "not one line: $(cat "$1")"
}

# --- 1. a diff path with '..' ------------------------------------------------
# The victim a set-user-id file beside the sandbox; the patch's headers
# reach it (and a directory that does not exist) from the kernel tree.
printf 'victim\n' >"$T/x/victim"
chmod 4755 "$T/x/victim"
before=$(tree_hash "$T/x")
evil_pom() {	# evil_pom DIR: a classic tree with the string patch and 'evil'
	mkdir -p "$1"
	cp -a "$POMCTL_WORLD/pom/patch-o-matic-20030107/." "$1/"
	cat >"$1/extra/evil.patch" <<'EOF'
--- linux/../../x/victim	2003-01-07 00:00:00.000000000 +0000
+++ linux/../../x/victim	2003-01-07 00:00:00.000000000 +0000
@@ -1 +1 @@
-victim
+owned
--- linux/../../y/z/new	1970-01-01 00:00:00.000000000 +0000
+++ linux/../../y/z/new	2003-01-07 00:00:00.000000000 +0000
@@ -0,0 +1 @@
+planted
EOF
	printf 'Author: nobody\nStatus: evil\n\nA harmless-looking match.\n' \
		>"$1/extra/evil.patch.help"
}
evil_pom "$T/pom"
expect_exit 0 "$P" list-patches --kernel "$K" --pom "$T/pom"
assert_grep "^  evil .* unsafe " "$T/out"
assert_grep "its diff names the file '../../x/victim' has a '..' component" "$T/out"
assert_grep "^  string .* applies " "$T/out"
[ "$(tree_hash "$T/x")" = "$before" ] || fail "list-patches changed $T/x: $(ls -l "$T/x")"
[ ! -e "$T/y" ] || fail "list-patches created $T/y"
[ "$(stat -c %a "$T/x/victim")" = 4755 ] || fail "victim's mode changed"

# the same patch through the pipeline: refused before the tree is touched
sandbox_root
mkdir -p "$T/dist" "$T/evil"
for f in "$POMCTL_WORLD"/dist/*; do ln -s "$f" "$T/dist/"; done
rm "$T/dist/patch-o-matic-20030107.tar.bz2"
evil_pom "$T/evil/patch-o-matic-20030107"
sed -i 's|^--- linux/../../|--- linux/../../../../../../|; s|^+++ linux/../../|+++ linux/../../../../../../|' \
	"$T/evil/patch-o-matic-20030107/extra/evil.patch"
tar cjf "$T/dist/patch-o-matic-20030107.tar.bz2" -C "$T/evil" patch-o-matic-20030107
sed -i "s|^pom_url = .*|pom_url = file://$T/dist/patch-o-matic-%{version}.tar.bz2|" "$CONF"
tree_before=$(tree_hash "$ROOT/usr/src/linux-2.4.20-13.8")
# refused before anything, by the plan as by the run
expect_exit 2 "$P" --root "$ROOT" upgrade --patch evil --trial=skip --plan
assert_grep "patch 'evil' is unsafe, nothing was changed: its diff names the file '../../../../../../x/victim' has a '..' component" "$T/err"
expect_exit 2 "$P" --root "$ROOT" upgrade --patch evil --trial=skip
assert_grep "patch 'evil' is unsafe, nothing was changed: its diff names the file '../../../../../../x/victim' has a '..' component" "$T/err"
[ ! -e "$STATE/state.json" ] || fail "a run started with an unsafe patch"
[ "$(tree_hash "$T/x")" = "$before" ] || fail "the patch step changed $T/x"
[ ! -e "$T/y" ] || fail "the patch step created $T/y"
[ "$(tree_hash "$ROOT/usr/src/linux-2.4.20-13.8")" = "$tree_before" ] ||
	fail "the patch step changed the kernel tree"
# a run to the install pause, for the state cases below
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip

# --- 2. a chain of links, and control bytes in a title ------------------------
# ptr/l0 -> ., ptr/lN -> l(N-1)/..: each inside alone, together at /.
printf 'first line of a secret\n' >"$T/x/secret"
chain() {	# chain TOPDIR: the chain under TOPDIR/ptr
	mkdir -p "$1/ptr"
	ln -s . "$1/ptr/l0"
	for i in $(seq 1 11); do ln -s "l$((i - 1))/.." "$1/ptr/l$i"; done
}
mkdir -p "$T/chain"
cp -a "$POMCTL_WORLD/pom/patch-o-matic-20030107" "$T/chain/"
chain "$T/chain/patch-o-matic-20030107"
ln -sf "../ptr/l11$T/x/secret" "$T/chain/patch-o-matic-20030107/extra/string.patch.help"
tar cjf "$T/chain.tar.bz2" -C "$T/chain" patch-o-matic-20030107
expect_exit 2 "$P" list-patches --kernel "$K" --pom "$T/chain.tar.bz2"
one_line "$T/err"
assert_grep "archive '$T/chain.tar.bz2' is unsafe: symbolic link 'patch-o-matic-20030107/.*' leads outside the archive through other links; nothing was extracted" "$T/err"
assert_no_grep "secret" "$T/out"
# the same tree as a directory: the help is not read through the chain
expect_exit 0 "$P" list-patches --kernel "$K" --pom "$T/chain/patch-o-matic-20030107"
assert_no_grep "secret" "$T/out"
assert_grep "^  string .* applies *$" "$T/out"
# an ESC sequence in a title reaches the terminal as '?'
printf 'Author: x\n\n\033[2J\033]0;owned\007Clears your screen.\n' \
	>"$T/pom/extra/string.patch.help"
expect_exit 0 "$P" list-patches --kernel "$K" --pom "$T/pom"
assert_grep '^  string .* applies  *?\[2J?\]0;owned?Clears your screen\.$' "$T/out"
expect_exit 0 "$P" --json list-patches --kernel "$K" --pom "$T/pom"
assert_grep '"title": "\\u001B\[2J\\u001B\]0;owned\\u0007Clears your screen\."' "$T/out"

# --- 3. the state directory is trusted as the config is, no further ----------
# A run paused for its reboot: planted overrides, a foreign owner, a
# manifest naming a path outside the root.
printf '#!/bin/sh\necho planted >"%s"\n' "$T/x/ran" >"$T/x/planted"
chmod 755 "$T/x/planted"
python3 - "$STATE/state.json" "$T/x/planted" <<'PY' || fail "cannot plant"
import json, sys
d = json.load(open(sys.argv[1]))
d["overrides"]["commands modprobe"] = sys.argv[2]
json.dump(d, open(sys.argv[1], "w"))
PY
expect_exit 2 "$P" --root "$ROOT" resume
one_line "$T/err"
assert_grep "state file '$STATE/state.json' is damaged: its setting 'commands modprobe' is not one the command line makes ('sources iptables_version', " "$T/err"
[ ! -e "$T/x/ran" ] || fail "a planted command ran"
expect_exit 2 "$P" --root "$ROOT" status
python3 - "$STATE/state.json" <<'PY' || fail "cannot mend"
import json, sys
d = json.load(open(sys.argv[1]))
del d["overrides"]["commands modprobe"]
json.dump(d, open(sys.argv[1], "w"))
PY
expect_exit 0 "$P" --root "$ROOT" status
# owned by another user
chown 65534 "$STATE"
expect_exit 2 "$P" --root "$ROOT" status
one_line "$T/err"
assert_grep "state directory '$STATE' belongs to uid 65534, not to root or you; use a directory of your own (chown 0)" "$T/err"
chown 0 "$STATE"
chmod 750 "$STATE"
expect_exit 2 "$P" --root "$ROOT" status
assert_grep "(chmod 700)" "$T/err"
chmod 700 "$STATE"
# a manifest that names a directory outside the root as "created"
mkdir -p "$T/x/tree/deep"
before=$(tree_hash "$T/x")
run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$STATE/state.json")
mkdir -p "$STATE/manifests/$run"
printf '{"created": ["%s"], "changed": {}, "patches": []}\n' "$T/x/tree" \
	>"$STATE/manifests/$run/patch.json"
boot_before=$(tree_hash "$ROOT/boot")
expect_exit 1 "$P" --root "$ROOT" rollback
assert_grep "manifest '$STATE/manifests/$run/patch.json' is damaged: it names '$T/x/tree', outside the places a step changes; pomctl will not touch it" "$T/err"
[ "$(tree_hash "$ROOT/boot")" = "$boot_before" ] || fail "rollback undid other steps before refusing"
# a backup that is a host file, to be copied over a file of the tree
printf '{"created": [], "changed": {"%s": "/etc/shadow"}, "patches": []}\n' \
	"$ROOT/usr/src/linux-2.4.20-13.8/Makefile" >"$STATE/manifests/$run/patch.json"
expect_exit 1 "$P" --root "$ROOT" rollback
assert_grep "it names '/etc/shadow', as a backup outside its backups directory" "$T/err"
[ "$(tree_hash "$T/x")" = "$before" ] || fail "rollback changed $T/x"
# the same in a record of the root's own paths: a backup's name that
# climbs out of its backups directory
printf '{"created": [], "changed": {"%s": "../../../../../etc/shadow"}, "patches": [], "paths": "root"}\n' \
	"/usr/src/linux-2.4.20-13.8/Makefile" >"$STATE/manifests/$run/patch.json"
expect_exit 1 "$P" --root "$ROOT" rollback
assert_grep "manifest '$STATE/manifests/$run/patch.json' is damaged; it records what pomctl changed" "$T/err"
[ "$(tree_hash "$T/x")" = "$before" ] || fail "rollback changed $T/x"
rm "$STATE/manifests/$run/patch.json"

# --- 6. sizes: a bomb tarball, a huge or endless download ----------------------
# 200 MiB of zeros in a 200 KiB gzip: refused by the ratio, nothing left
mkdir -p "$T/bomb/pom-bomb"
head -c $((200 << 20)) /dev/zero >"$T/bomb/pom-bomb/zeros"
tar czf "$T/bomb.tar.gz" -C "$T/bomb" pom-bomb
rm -rf "$T/bomb"
mkdir "$T/tmp"
TMPDIR=$T/tmp expect_exit 2 "$P" list-patches --kernel "$K" --pom "$T/bomb.tar.gz"
one_line "$T/err"
assert_grep "archive '$T/bomb.tar.gz' is unsafe: entry 'pom-bomb/zeros' takes the contents over 200 times the archive's size (\[limits\] extract_ratio): a decompression bomb?; nothing was extracted" "$T/err"
[ -z "$(ls -A "$T/tmp")" ] || fail "left $(ls "$T/tmp")"

# a server that announces 2^50 bytes, and one that sends without end
mkdir -p "$T/srv"
python3 "$POMCTL_TOP/tests/fixtures/httpd.py" "$T/srv" --port-file "$T/port" \
	--bomb big.tar.bz2=announce --bomb endless.tar.bz2=endless \
	--bomb huge.tar.bz2=huge --bomb slow.tar.bz2=slow &
srv=$!
at_exit 'kill $srv 2>/dev/null'
for i in $(seq 50); do [ -f "$T/port" ] && break; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$T/port")
rm -rf "$STATE"
printf '[limits]\ndownload_mib = 4\n' >>"$CONF"
for name in big endless; do
	sed -i "s|^pom_url = .*|pom_url = $URL/$name.tar.bz2|" "$CONF"
	expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=skip
	assert_grep "cannot download $URL/$name.tar.bz2: $URL/$name.tar.bz2: the file is larger than the limit of 4 MiB (\[limits\] download_mib)" "$T/err"
	used=$(du -sm "$STATE/cache" | cut -f1)
	[ "$used" -lt 8 ] || fail "$name: the cache holds $used MiB"
	[ -z "$(find "$STATE/cache" -name '*.part')" ] || fail "$name: a partial file stays"
	rm -rf "$STATE"
done
# more than the cache's file system has, under a generous limit: refused
# at the announcement; a server that trickles: stopped at the deadline
# (low_speed_time alone never fires: it sends 2 bytes a second)
conf_set limits download_mib 1048576
conf_set limits download_seconds 3
sed -i "s|^pom_url = .*|pom_url = $URL/huge.tar.bz2|" "$CONF"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=skip
assert_grep "the file system of pomctl's cache has [0-9]* MiB free, less than the announced size" "$T/err"
[ -z "$(find "$STATE/cache" -name '*.part')" ] || fail "huge: a partial file stays"
rm -rf "$STATE"
sed -i "s|^pom_url = .*|pom_url = $URL/slow.tar.bz2|" "$CONF"
start=$(date +%s)
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string --trial=skip
assert_grep "timed out (.*\[limits\] download_seconds" "$T/err"
[ $(($(date +%s) - start)) -lt 60 ] || fail "the slow download was not stopped at its deadline"
rm -rf "$STATE"
kill $srv

# --- 4. a boot config behind a link, private, with a password hash -------------
# Red Hat's layout: /etc/grub.conf -> ../boot/grub/grub.conf, 0600.
sandbox_root
G=$ROOT/boot/grub/grub.conf
sed -i 's/^timeout=.*/&\npassword --md5 $1$abcdefgh$0123456789abcdefghijkl/' "$G"
chmod 600 "$G"
ln -s ../boot/grub/grub.conf "$ROOT/etc/grub.conf"
sed -i 's|^config = .*|config = /etc/grub.conf|' "$CONF"
cp -p "$G" "$T/grub.conf.orig"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=build
[ -L "$ROOT/etc/grub.conf" ] || fail "/etc/grub.conf is no longer a link"
assert_grep "kernel /vmlinuz-2.4.20-13.8custom1 " "$G"
assert_grep '^password --md5 ' "$G"
[ "$(stat -c %a "$G")" = 600 ] || fail "grub.conf's mode is $(stat -c %a "$G")"
[ ! -e "$ROOT/etc/default" ] || fail "a GRUB state file beside /etc/grub.conf"
[ "$(grub_once)" = 0 ] || fail "no one-shot in /boot/grub/default"
expect_exit 0 "$P" --root "$ROOT" rollback
[ -L "$ROOT/etc/grub.conf" ] || fail "rollback replaced the link"
cmp -s "$G" "$T/grub.conf.orig" || fail "grub.conf differs after rollback: $(diff "$T/grub.conf.orig" "$G")"
[ "$(stat -c %a "$G")" = 600 ] || fail "grub.conf's mode after rollback is $(stat -c %a "$G")"

# --- 5. two pomctl on one root, each with a state directory of its own --------
make_root
echo 4243 >"$ROOT/teststeps/sleep-update"
"$POMCTL_TESTSTEPS" --root "$ROOT" upgrade --patch string >"$T/bg.out" 2>"$T/bg.err" &
bg=$!
at_exit 'kill -9 $bg 2>/dev/null'
for i in $(seq 100); do
	pgrep -P "$bg" make >/dev/null && break
	sleep 0.1
done
expect_exit 4 "$POMCTL_TESTSTEPS" --root "$ROOT" --state-dir "$T/other-state" upgrade --patch string
one_line "$T/err"
assert_grep "another pomctl (pid $bg) is running on this root (lock '$ROOT/var/lock/pomctl'); wait for it to finish" "$T/err"
[ ! -e "$T/other-state/state.json" ] || fail "the second pomctl started a run"
kill -INT "$bg"
wait "$bg"
# once it is gone, the other state directory may have the root
rm "$ROOT/teststeps/sleep-update"
run_ok "$POMCTL_TESTSTEPS" --root "$ROOT" --state-dir "$T/other-state" upgrade --patch string
[ -f "$T/other-state/state.json" ] || fail "no run in the other state directory"

# --- 7. --plan keeps its word; temporaries under the state directory; a link
#        out of the root is followed inside it
#        (pomctl's own download cache aside)
sandbox_root
mkdir -p "$T/tmp"
mkdir -m 700 "$STATE"
root_before=$(tree_hash "$ROOT" var/lib/pomctl)
TMPDIR=$T/tmp expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
[ -z "$(ls -A "$T/tmp")" ] || fail "the plan left $(ls "$T/tmp")"
[ "$(tree_hash "$ROOT" var/lib/pomctl)" = "$root_before" ] || fail "the plan changed the root"
# what a killed pomctl left in STATE/tmp goes with the next locked command
mkdir -p "$STATE/tmp/rpm-AbCdEf/src"
chmod 700 "$STATE"
TMPDIR=$T/tmp expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=build
[ ! -e "$STATE/tmp/rpm-AbCdEf" ] || fail "a killed run's temporary stays"
[ -z "$(ls -A "$STATE/tmp")" ] || fail "the run left $(ls "$STATE/tmp")"
[ -z "$(ls -A "$T/tmp")" ] || fail "the run wrote into TMPDIR: $(ls "$T/tmp")"

# ROOT/boot -> an absolute path: inside the root it is ROOT/that; the host's
# directory of that name is a decoy that must stay as it is
sandbox_root
D=$T/decoy
mkdir -p "$ROOT$D"
cp -a "$ROOT/boot/." "$ROOT$D/"
cp -a "$ROOT/boot" "$D"
rm -rf "$ROOT/boot"
ln -s "$D" "$ROOT/boot"
decoy_before=$(tree_hash "$D")
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=build
[ "$(tree_hash "$D")" = "$decoy_before" ] || { ls -laR "$D" >&2; fail "pomctl wrote through ROOT/boot to the host's $D"; }
assert_grep "kernel /vmlinuz-2.4.20-13.8custom1 " "$ROOT$D/grub/grub.conf"
[ -f "$ROOT$D/vmlinuz-2.4.20-13.8custom1" ] || fail "the kernel is not in ROOT$D"

# ROOT/boot/grub/grub.conf -> an absolute path: pomctl reads it inside the
# root, but make install's installkernel would follow it on the build
# host: such a root is refused before anything runs, the host's file kept
sandbox_root
H=$T/hostgrub.conf
mkdir -p "$ROOT$(dirname "$H")"
cp "$ROOT/boot/grub/grub.conf" "$ROOT$H"
cp "$ROOT/boot/grub/grub.conf" "$H"
ln -sf "$H" "$ROOT/boot/grub/grub.conf"
host_before=$(sha256sum <"$H")
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --trial=build
assert_grep "$ROOT/boot/grub/grub.conf leads out of the root $ROOT (to $H): make install and installkernel would write there" "$T/err"
[ "$(sha256sum <"$H")" = "$host_before" ] || fail "the build host's $H changed"
[ ! -e "$STATE/state.json" ] || fail "a root whose boot config leads out started a run"

# --- a kernel tree with a link out of it: never read or written through ------
rm -rf "$T/x/netdir"
mkdir -p "$T/x/netdir"
cp -a "$K/net/." "$T/x/netdir/"
before=$(tree_hash "$T/x")
rm -rf "$K/net"
ln -s "$T/x/netdir" "$K/net"
expect_exit 0 "$P" list-patches --kernel "$K" --pom "$POMCTL_WORLD/pom/patch-o-matic-20030107"
assert_grep "^  string .* fails " "$T/out"
assert_grep "net/ipv4/netfilter/Config.in leads outside $K through a link" "$T/out"
[ "$(tree_hash "$T/x")" = "$before" ] || fail "list-patches changed $T/x"
