# Steps trial, patch and kernel, and list-patches, against both fixture
# kernels and both patch-o-matic layouts.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
W=$POMCTL_WORLD
CLASSIC=$W/pom/patch-o-matic-20030107
NG=$W/pom/patch-o-matic-ng-20040621
K24=$W/trees/linux-2.4.20-13.8
K26=$W/trees/linux-2.6.9-5.EL

sandbox() {	# sandbox classic|ng: a fresh root with that patch-o-matic
	sandbox_root --pom "$1"
	TREE=$ROOT/usr/src/linux-2.4.20-13.8
}

# --- list-patches: both layouts, both kernels; it writes nothing ---------------
before=$(tree_hash "$K24")
expect_exit 0 "$P" list-patches --kernel "$K24" --pom "$CLASSIC"
assert_grep "conntrack-tuning *pending *fails" "$T/out"
assert_grep "conntrack-tuning.patch: hunks rejected in net/ipv4/netfilter/ip_conntrack.c" "$T/out"
assert_grep "iprange *extra *applies" "$T/out"
assert_grep "string *extra *applies" "$T/out"
# a title whose paragraph announces an example ends where the example begins
assert_grep "string *extra *applies *This patch adds a match that looks for a string anywhere in the packet's data\.$" "$T/out"
assert_grep "string-nocase *extra *fails" "$T/out"
assert_grep "net/ipv4/netfilter/ipt_string.c missing (does it need another patch first?)" "$T/out"
assert_grep "ttl *base *already applied" "$T/out"
expect_exit 0 "$P" -j 1 list-patches --kernel "$K24" --pom "$W/dist/patch-o-matic-ng-20040621.tar.bz2"
assert_grep "string-nocase *extra *applies *Case-insensitive string match" "$T/out"
assert_grep "ttl *base *already applied" "$T/out"
assert_grep "conntrack-tuning *pending *fails" "$T/out"
[ "$(tree_hash "$K24")" = "$before" ] || fail "list-patches changed the kernel tree"
expect_exit 0 "$P" --json list-patches --kernel "$K26" --pom "$NG"
python3 - "$T/out" <<'PY' || fail "list-patches JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == 1 and d["layout"] == "ng" and d["release"] == "2.6.9-5.EL"
st = {p["name"]: p["status"] for p in d["patches"]}
assert st == {"conntrack-tuning": "fails", "iprange": "applies", "string": "applies",
              "string-nocase": "applies", "ttl": "not for this kernel",
              "TARPIT": "applies", "IMQ": "applies"}, st
s = [p for p in d["patches"] if p["name"] == "string"][0]
assert s["options"] == ["CONFIG_IP_NF_MATCH_STRING"] and s["userspace"] is True
assert [p for p in d["patches"] if p["name"] == "string-nocase"][0]["depends"] == ["string"]
PY
expect_exit 2 "$P" list-patches --kernel "$K24" --pom "$T/nowhere"
assert_grep "patch-o-matic tree or tarball '$T/nowhere' does not exist" "$T/err"
# SIGINT to pomctl: its workers stop at their next patch, it says so
printf '#!/bin/sh\nsleep 0.4\nexec patch "$@"\n' >"$T/slowpatch"
chmod 755 "$T/slowpatch"
printf '[commands]\npatch = %s\n' "$T/slowpatch" >"$T/slow.conf"
chmod 600 "$T/slow.conf"
mkdir "$T/tmp"
TMPDIR=$T/tmp "$P" -c "$T/slow.conf" -j 2 list-patches --kernel "$K24" --pom "$CLASSIC" >"$T/out" 2>"$T/err" &
lp=$!
for i in $(seq 100); do pgrep -f "$T/slowpatch" >/dev/null && break; sleep 0.1; done
kill -INT $lp
rc=0
wait $lp || rc=$?
[ $rc -eq 1 ] || fail "an interrupted list-patches exited $rc"
assert_grep "list-patches was interrupted" "$T/err"
[ ! -s "$T/out" ] || fail "an interrupted list-patches printed a list"
for i in $(seq 50); do pgrep -f "$T/slowpatch" >/dev/null || break; sleep 0.1; done
! pgrep -f "$T/slowpatch" >/dev/null || fail "patch still runs after the interrupt"
[ -z "$(ls -A "$T/tmp")" ] || fail "an interrupted list-patches left $(ls "$T/tmp")"

# --- trial: the plan, the pause, the resume; EXTRAVERSION collisions ---------------
sandbox classic
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "+EXTRAVERSION = -13.8custom" "$T/out"
assert_grep "the running kernel's configuration: $ROOT/boot/config-2.4.20-13.8" "$T/out"
assert_grep "run: make -C $TREE ARCH=i386 oldconfig" "$T/out"
assert_grep "reboot into 2.4.20-13.8custom" "$T/out"
# an installed kernel already has 13.8custom, the running one 13.8custom1
# (booted from an entry of its own)
mkdir -p "$ROOT/lib/modules/2.4.20-13.8custom"
sed -i 's/^release = .*/release = 2.4.20-13.8custom1/' "$CONF"
printf 'title Red Hat Linux (2.4.20-13.8custom1)\n\troot (hd0,0)\n\tkernel /vmlinuz-2.4.20-13.8custom1 ro root=LABEL=/\n' \
	>>"$ROOT/boot/grub/grub.conf"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string
assert_grep "reboot into 2.4.20-13.8custom2, then run pomctl resume" "$T/out"
assert_grep "title Red Hat Linux (2.4.20-13.8custom2)" "$ROOT/boot/grub/grub.conf"
assert_grep "^default=1$" "$ROOT/boot/grub/grub.conf"
[ -f "$ROOT/lib/modules/2.4.20-13.8custom2/kernel/net/ipv4/netfilter/ipt_mark.o" ] || fail "modules_install"
expect_exit 3 "$P" --root "$ROOT" resume
reboot_into 2.4.20-13.8custom2
expect_exit 3 "$P" --root "$ROOT" resume
assert_grep "reboot into 2.4.20-13.8custom[0-9]*, then run pomctl resume" "$T/out"
status_is trial done
status_is patch done
status_is rpm done
status_is kernel done

# --- patch: a clean apply, its manifest, line-adds once ---------------------------
[ -f "$TREE/net/ipv4/netfilter/ipt_string.c" ] && [ -f "$TREE/include/linux/netfilter_ipv4/ipt_string.h" ] ||
	fail "string's files are not there"
[ "$(grep -c CONFIG_IP_NF_MATCH_STRING "$TREE/net/ipv4/netfilter/Config.in")" -eq 1 ] || fail "Config.in line"
[ "$(grep -c 'ipt_string.o' "$TREE/net/ipv4/netfilter/Makefile")" -eq 1 ] || fail "Makefile line"
grep -A1 '^CONFIG_IP_NF_MATCH_MARK$' "$TREE/Documentation/Configure.help" >/dev/null || fail "help anchor"
python3 - "$TREE/Documentation/Configure.help" <<'PY' || fail "Configure.help entry placement"
import sys
t = open(sys.argv[1], "rb").read()
i = t.index(b"String match support (EXPERIMENTAL)\nCONFIG_IP_NF_MATCH_STRING\n")
assert t[i - 2:i] == b"\n\n", "no blank line before the new entry"
assert t.index(b"CONFIG_IP_NF_MATCH_MARK") < i < t.index(b"TTL match support"), "not after the MARK entry"
assert b"Fran\xe7ois" in t, "a Latin-1 byte was changed"
PY
python3 - "$STATE"/manifests/*/patch.json "$TREE" "$ROOT" <<'PY' || fail "patch manifest"
import json, os, sys
path = sys.argv[1]
m = json.load(open(path)); root = os.path.realpath(sys.argv[3])
tree = os.path.realpath(sys.argv[2])[len(root):]	# the root's own path
assert m["patches"] == ["string"], m
assert m["paths"] == "root", m
assert tree + "/net/ipv4/netfilter/ipt_string.c" in m["created"], m
assert tree + "/net/ipv4/netfilter/Makefile" in m["changed"], m
backups = path.replace("/manifests/", "/backups/")[:-len(".json")]
for backup in m["changed"].values():
    assert os.path.exists(os.path.join(backups, backup)), backup
PY
# again: already applied, nothing changes in the patch step
patched_files() {
	(cd "$TREE" && sha256sum net/ipv4/netfilter/Config.in net/ipv4/netfilter/Makefile \
		net/ipv4/netfilter/ipt_string.c include/linux/netfilter_ipv4/ipt_string.h \
		Documentation/Configure.help)
}
before=$(patched_files)
expect_exit 3 "$P" --root "$ROOT" resume --from patch
assert_grep "string: already applied, left as it is" "$T/err"
[ "$(patched_files)" = "$before" ] || fail "re-applying changed the tree"

# --- kernel: options on, the module built, a new release again ------------------
assert_grep "release 2.4.20-13.8custom[0-9] built with net/ipv4/netfilter/ipt_string.o" "$T/err"
assert_grep "^CONFIG_IP_NF_MATCH_STRING=m" "$TREE/.config"
[ -f "$TREE/net/ipv4/netfilter/ipt_string.o" ] || fail "no ipt_string.o"
assert_grep "reboot into 2.4.20-13.8custom[0-9]*, then run pomctl resume" "$T/out"
# an option whose dependency is off is reported by name
sed -i 's/^CONFIG_IP_NF_IPTABLES=m/# CONFIG_IP_NF_IPTABLES is not set/' "$TREE/.config"
expect_exit 1 "$P" --root "$ROOT" resume --from kernel
assert_grep "CONFIG_IP_NF_MATCH_STRING was dropped by make oldconfig: CONFIG_IP_NF_MATCH_STRING depends on CONFIG_IP_NF_IPTABLES, which is off" "$T/err"
# a build error is shown with its first lines
sed -i 's/^CONFIG_IP_NF_MATCH_STRING=.*//; s/^# CONFIG_IP_NF_IPTABLES is not set/CONFIG_IP_NF_IPTABLES=m/' "$TREE/.config"
echo 'this is not C;' >> "$TREE/net/ipv4/netfilter/ipt_string.c"
expect_exit 1 "$P" --root "$ROOT" resume
assert_grep "make bzImage modules in .* failed (exit 2); the first errors:" "$T/err"
assert_grep "ipt_string.c:.*error" "$T/err"
sed -i '/^this is not C;$/d' "$TREE/net/ipv4/netfilter/ipt_string.c"
expect_exit 3 "$P" --root "$ROOT" resume
status_is kernel done

# --- patch: a conflict and a missing anchor are refused before anything -----------
# (found by the preflight that checks the names, on a copy of the files
# the patches touch: no system update, no trial, the tree as it was; the
# plan is the same refusal)
sandbox classic
before=$(tree_hash "$TREE")
expect_exit 2 "$P" --root "$ROOT" upgrade --patch conntrack-tuning --trial=build
assert_grep "the patches do not apply to $TREE: conntrack-tuning: conntrack-tuning.patch: hunks rejected in net/ipv4/netfilter/ip_conntrack.c; nothing was changed on the host" "$T/err"
# the tarball is in pomctl's cache (downloaded by this run, or by its plan)
ls "$STATE"/pom/*/patch-o-matic-20030107 >/dev/null || fail "patch-o-matic is not in the cache"
grep '^pomctl:' "$T/err" >"$T/refused"
[ "$(tree_hash "$TREE")" = "$before" ] || fail "a patch that does not apply changed the tree"
[ ! -e "$ROOT/var/log/up2date.log" ] || fail "a patch that does not apply cost a system update"
[ ! -e "$STATE/state.json" ] || fail "a refused upgrade started a run"
expect_exit 2 "$P" --root "$ROOT" upgrade --patch conntrack-tuning --trial=build --plan --detailed-exitcode
grep '^pomctl:' "$T/err" | cmp -s - "$T/refused" ||
	fail "the plan's refusal is not the run's: $(cat "$T/refused" "$T/err")"
# two patches that fail: both are named, not the first only
pomtree=$(ls -d "$STATE"/pom/*/patch-o-matic-20030107)
for f in "$pomtree"/pending/conntrack-tuning.patch*; do
	cp "$f" "$pomtree/extra/$(basename "$f" | sed 's/conntrack-tuning/broken/')"
done
expect_exit 2 "$P" --root "$ROOT" upgrade --patch conntrack-tuning --patch broken --trial=skip
assert_grep ": conntrack-tuning: conntrack-tuning.patch: hunks rejected in net/ipv4/netfilter/ip_conntrack.c; broken: broken.patch: hunks rejected in .*; nothing was changed on the host" "$T/err"
rm -rf "$STATE"
sed -i '/CONFIG_IP_NF_MATCH_MARK/d' "$TREE/net/ipv4/netfilter/Config.in"
before=$(tree_hash "$TREE")
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --trial=skip
assert_grep "string: net/ipv4/netfilter/Config.in: its anchor line 'dep_tristate '  netfilter MARK match support' CONFIG_IP_NF_MATCH_MARK \$CONFIG_IP_NF_IPTABLES' is not there" "$T/err"
[ "$(tree_hash "$TREE")" = "$before" ] || fail "a missing anchor changed the tree"
[ ! -e "$TREE/net/ipv4/netfilter/ipt_string.c" ] || fail "string.patch went in without its line-adds"

# --- a vendor tree's leftovers, --trial=skip ----------------------------------------
# Red Hat's kernel-source ships .depend files of its own build (naming its
# build tree's headers) and a prebuilt scripts/mkdep without its execute
# bit: make clean keeps both, and make dep fails on the helper.  The run's
# first build starts from the tree as make distclean leaves it, .config
# kept, and builds.
sandbox classic
printf 'ip_tables.o: /usr/src/build-2.4.20-13.8/include/linux/stale.h\n' >"$TREE/net/ipv4/netfilter/.depend"
printf '#!/bin/sh\nexec cc -MM "$@"\n' >"$TREE/scripts/mkdep"
chmod 644 "$TREE/scripts/mkdep"
cp "$ROOT/boot/config-2.4.20-13.8" "$TREE/.config"
echo "# the sysadmin's own setting" >>"$TREE/.config"
printf '#define AUTOCONF_INCLUDED\n' >"$TREE/include/linux/autoconf.h"
( cd "$TREE" && find . -printf '%p %y %m\n' | sort &&
	find . -type f -print0 | sort -z | xargs -0 sha256sum ) >"$T/shipped"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --trial=skip --plan
assert_grep "run: make -C $TREE ARCH=i386 distclean" "$T/out"
assert_grep "starts from the tree as make distclean leaves it, its .config kept" "$T/out"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string --trial=skip
assert_grep "release 2.4.20-13.8custom built with net/ipv4/netfilter/ipt_string.o" "$T/err"
assert_grep "ARCH=i386 distclean" "$STATE/logs/07-kernel.log"
assert_grep "^CONFIG_IP_NF_MATCH_STRING=m$" "$TREE/.config"
[ -x "$TREE/scripts/mkdep" ] || fail "scripts/mkdep was not made again"
assert_no_grep "stale.h" "$TREE/net/ipv4/netfilter/.depend"
# rollback puts the tree back as shipped (issue 32): what make distclean
# deleted was kept on the run's shelf
by_content() { ( cd "$1" && find . -printf '%p %y %m\n' | sort &&
	find . -type f -print0 | sort -z | xargs -0 sha256sum ); }
expect_exit 0 "$P" --root "$ROOT" rollback -y
assert_grep "kernel tree: put back what make clean/distclean deleted: .* (.*scripts/mkdep" "$T/out"
by_content "$TREE" >"$T/after"
diff "$T/shipped" "$T/after" >"$T/d" || fail "the tree is not as shipped after rollback: $(head -20 "$T/d")"

# --- -ng on 2.6: dependency order, Kconfig, .ko --------------------------------------
sandbox ng
cp -R "$K26" "$ROOT/usr/src/linux-2.6.9-5.EL"
sed -i "s|^\[kernel\]$||; s|^\[host\]$|[kernel]\ntree = /usr/src/linux-2.6.9-5.EL\n\n[host]|; s/^release = .*/release = 2.6.9-5.EL/" "$CONF"
TREE=$ROOT/usr/src/linux-2.6.9-5.EL
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string-nocase --trial=build --plan
assert_grep "configuration: $TREE/configs/kernel-2.6.9-i686.config" "$T/out"
assert_grep "run: make -C $TREE ARCH=i386 olddefconfig" "$T/out"
assert_no_grep "ARCH=i386 dep" "$T/out"
# this sandbox's boot loader knows only the 2.4 kernel: install refuses
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string-nocase --trial=build
assert_grep "the boot loader configuration $ROOT/boot/grub/grub.conf has no entry for the running kernel 2.6.9-5.EL: .*nothing was installed" "$T/err"
[ ! -e "$ROOT/lib/modules/2.6.9-5.ELcustom1" ] || fail "install installed before refusing"
python3 - "$STATE"/manifests/*/patch.json <<'PY' || fail "dependency order"
import json, sys
assert json.load(open(sys.argv[1]))["patches"] == ["string", "string-nocase"]
PY
grep -q "lower(hay" "$TREE/net/ipv4/netfilter/ipt_string.c" || fail "string-nocase not applied"
python3 - "$TREE/net/ipv4/netfilter/Kconfig" <<'PY' || fail "Kconfig line-add placement"
import sys
t = open(sys.argv[1]).read()
i = t.index("config IP_NF_MATCH_STRING\n")
assert t.count("config IP_NF_MATCH_STRING\n") == 1
assert i < t.rindex("endmenu") and t[t.rindex("endmenu") - 2:t.rindex("endmenu")] == "\n\n"
PY
assert_no_grep "Configure.help" "$STATE"/manifests/*/patch.json
assert_grep "built with net/ipv4/netfilter/ipt_string.ko" "$T/err"
[ -f "$TREE/net/ipv4/netfilter/ipt_string.ko" ] || fail "no ipt_string.ko"

# the kernel step after the trial's build of a kbuild tree: no make clean;
# only what the new option and release reach is rebuilt (ip_tables.c
# names CONFIG_IP_NF_MATCH_STRING, ipt_string.c is new; the other sources
# are untouched), and the modules are those a clean build makes
compiled() { grep -o -- '-c -o net/ipv4/netfilter/[a-z_]*\.o' "$1" | sed 's|.*/||' | sort | tr '\n' ' '; }
[ "$(compiled "$STATE/logs/04-trial.log")" = "ip_conntrack.o ip_conntrack_ftp.o ip_tables.o ipt_limit.o ipt_mark.o ipt_state.o ipt_ttl.o iptable_filter.o " ] ||
	fail "the trial compiled: $(compiled "$STATE/logs/04-trial.log")"
[ "$(compiled "$STATE/logs/07-kernel.log")" = "ip_tables.o ipt_string.o " ] ||
	fail "the kernel step compiled: $(compiled "$STATE/logs/07-kernel.log")"
assert_no_grep "ARCH=i386 clean" "$STATE/logs/07-kernel.log"
cp -R "$TREE" "$T/clean"
make -s -C "$T/clean" ARCH=i386 clean >/dev/null 2>&1 || fail "make clean of a copy"
make -s -C "$T/clean" ARCH=i386 modules >/dev/null 2>&1 || fail "a clean build of a copy"
( cd "$TREE" && sha256sum net/ipv4/netfilter/*.ko ) >"$T/inc.sums"
( cd "$T/clean" && sha256sum net/ipv4/netfilter/*.ko ) >"$T/clean.sums"
cmp -s "$T/inc.sums" "$T/clean.sums" || fail "incremental and clean modules differ: $(diff "$T/clean.sums" "$T/inc.sums")"
expect_exit 0 "$P" --root "$ROOT" resume --from kernel --plan
assert_grep "no make clean: the build system tracks configuration" "$T/out"
# [build] incremental = no: make clean first, as on 2.4 trees
cp "$CONF" "$T/conf.saved"
printf '\n[build]\nincremental = no\n' >>"$CONF"
expect_exit 0 "$P" --root "$ROOT" resume --from kernel --plan
assert_grep "run: make -C $TREE ARCH=i386 clean$" "$T/out"
assert_grep "make clean after the trial's build (\[build\] incremental = no)" "$T/out"
cp "$T/conf.saved" "$CONF"
exit 0
