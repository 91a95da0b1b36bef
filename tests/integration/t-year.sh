# A host's year (issue 34): the distribution's kernel errata and an
# iptables update each take the firewall's extensions away; pomctl says
# so, and brings the host back to its extension set.  The world's errata
# are kernel and kernel-source 2.4.20-18.8, which the sandbox's updater
# installs once the channel publishes them (lib.sh: publish) -- as Red
# Hat's kernel package does, its boot entry first and the default.
#
# A run's update step installs what the distribution published, and
# rollback leaves it (a run undoes its own changes, not the updater's):
# the rollback property's "as before the first run" cannot hold here, so
# each root is forgotten by it, and this test compares the host before a
# run with the host after its rollback itself.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
RPM="rpm --root $T/sb --dbpath /var/lib/rpm"
debian=
rpm --help 2>/dev/null | grep -q -- --force-debian && debian=--force-debian
snapshot() { python3 "$POMCTL_TOP/tests/fixtures/host-snapshot.py" "$ROOT"; $RPM -qa | sort; }

# --- the update step installs the errata: the run builds on them --------
sandbox_root
run_to_end upgrade --patch string --trial=skip
publish kernel-2.4.20-18.8 kernel-source-2.4.20-18.8
rp_forget "$ROOT"	# (see the top)
# its plan is made on the tree there is: it says that the updater may
# change it (the comparison of plan and run cannot hold for this command;
# the resumes after the reboots are compared)
expect_exit 0 "$P" --root "$ROOT" upgrade --patch iprange --trial=skip --plan
assert_grep "when the update installs a newer kernel and its kernel-source (the distribution's errata), the later steps build on that tree instead of this one: the plan of a run begun after the update shows them" "$T/out"
RUN_FIRST=unplanned run_to_end upgrade --patch iprange --trial=skip
assert_grep "the update installed the distribution's kernel 2.4.20-18.8 (the newest was 2.4.20-13.8): the run builds on it, with string iprange" "$T/all.err"
assert_grep "string: of the host's extension set, applied again (the tree lacked it)" "$T/all.err"
case $rel in 2.4.20-18.8*) ;; *) fail "the run built $rel, not a 2.4.20-18.8 kernel" ;; esac
built_with "$rel" string iprange
[ -f "$ROOT/usr/src/linux-2.4.20-18.8/Makefile" ] || fail "kernel-source 18.8 is not installed"
expect_exit 0 $RPM -q kernel-2.4.20-18.8 kernel-source-2.4.20-18.8

# --- a distribution iptables update replaces pomctl's build --------------
# (the distribution's package put back over pomctl's, as an update of
# iptables does; pomctl's other packages stay)
$RPM -U --oldpackage --nodeps --noscripts --ignorearch $debian \
	"$POMCTL_WORLD"/dist/iptables-1.2.6a-2.*.rpm || fail "rpm -U iptables-1.2.6a-2"
"$P" --root "$ROOT" status >"$T/st" 2>&1
assert_grep "^  iptables-1.2.6a-2  *lacks string iprange$" "$T/st"
expect_exit 0 "$P" --root "$ROOT" resume --at-boot
assert_grep "the installed iptables-1.2.6a-2 lacks string iprange of the host's extension set (a package update replaced pomctl's build): pomctl upgrade builds it again" "$T/err"
expect_exit 0 "$P" --root "$ROOT" upgrade --plan
assert_grep "the installed iptables-1.2.6a-2 lacks string iprange of the host's extension set (a package update replaced pomctl's build): the run builds it again" "$T/out"
assert_no_grep "the run would end here" "$T/out"
run_to_end upgrade --trial=skip
# a release of its own: the earlier runs' packages stay in RPMS
assert_grep "release 1.pom.3: an earlier run built iptables-1.2.8-1.pom.2" "$T/all.err"
[ "$($RPM -q iptables)" = "iptables-1.2.8-1.pom.3.$(rpm --eval %_arch)" ] ||
	fail "the rebuilt iptables: $($RPM -q iptables)"
assert_grep "iptables -m string: known" "$T/out"
"$P" --root "$ROOT" status >"$T/st" 2>&1
assert_grep "^  iptables-1.2.8-1.pom.3  *carries string iprange$" "$T/st"
expect_exit 0 "$P" --root "$ROOT" resume --at-boot
assert_no_grep "extension set" "$T/err"

# --- the distribution's kernel, installed and booted by the sysadmin ----
sandbox_root
run_to_end upgrade --patch string --trial=skip
run_to_end upgrade --patch iprange --trial=skip
second=$rel
publish kernel-2.4.20-18.8 kernel-source-2.4.20-18.8
rp_forget "$ROOT"
"$ROOT/usr/sbin/up2date" -u >/dev/null && "$ROOT/usr/sbin/up2date" -f kernel kernel-source >"$T/up" ||
	fail "the sandbox's updater"
assert_grep "Installing kernel-2.4.20-18.8" "$T/up"
# not booted yet: the kernel the host boots next lacks the set
"$P" --root "$ROOT" status >"$T/st" 2>&1
assert_grep "^  kernel 2.4.20-18.8  *package, default  *lacks string iprange$" "$T/st"
expect_exit 0 "$P" --root "$ROOT" upgrade --plan
assert_grep "the newest installed kernel 2.4.20-18.8 lacks string iprange of the host's extension set (the distribution's, the boot loader's default: the host boots it next): the run builds it a kernel that has them" "$T/out"
assert_no_grep "the run would end here" "$T/out"
boot_expect 2.4.20-18.8
"$P" --root "$ROOT" --json status >"$T/st.json" 2>&1 || fail "status --json"
python3 - "$T/st.json" <<'PY' || fail "status --json of 18.8: $(cat "$T/st.json")"
import json, sys
d = json.load(open(sys.argv[1]))
k = {x["release"]: x for x in d["host"]["kernels"]}
assert k["2.4.20-18.8"]["running"] and k["2.4.20-18.8"]["default"], k
assert k["2.4.20-18.8"]["carries"] == [], k
assert [e["name"] for e in d["host"]["extensions"]] == ["string", "iprange"], d
PY
expect_exit 0 "$P" --root "$ROOT" resume --at-boot
assert_grep "the running kernel 2.4.20-18.8 lacks string iprange of the host's extension set: pomctl upgrade builds it a kernel that has them" "$T/err"
snapshot >"$T/before"
run_to_end upgrade --trial=skip
third=$rel
case $third in 2.4.20-18.8*) ;; *) fail "the run built $third, not a 2.4.20-18.8 kernel" ;; esac
built_with "$third" string iprange
assert_grep "module ipt_string: loaded" "$T/out"
assert_grep "module ipt_iprange: loaded" "$T/out"
"$P" --root "$ROOT" status >"$T/st" 2>&1
assert_grep "^  kernel $third  *pomctl's, running, default  *carries string iprange$" "$T/st"
# its rollback: 18.8 as the distribution installed it, the set still
# recorded, and 18.8 lacking it again
reboot_into 2.4.20-18.8
planned_run "$P" --root "$ROOT" -y rollback
[ $got -eq 0 ] || fail "the rollback of the 18.8 run ended with $got"
snapshot >"$T/after"
diff "$T/before" "$T/after" >"$T/diff" ||
	fail "after its rollback the host is not as the distribution left it: $(head -20 "$T/diff")"
"$P" --root "$ROOT" status >"$T/st" 2>&1
assert_grep "^  string  *patch-o-matic 20030107" "$T/st"
assert_grep "^  iprange  *patch-o-matic 20030107" "$T/st"
assert_grep "^  kernel 2.4.20-18.8  *package, running, default  *lacks string iprange$" "$T/st"
assert_grep "^  kernel $second  *pomctl's  *carries string iprange$" "$T/st"
