# contrib/ansible/rollout.yml run for real by ansible-playbook over three
# sandbox hosts (local connection, pomctl --root per host, reboots
# simulated by tests/fixtures/bin/sandbox-reboot): host 1 ends verified
# and promoted; host 2's verify fails (its iptables cannot know the
# match), so it is put back on its old kernel and the rollout stops:
# host 3 is never touched.
. "$POMCTL_TOP/tests/integration/lib.sh"
if ! command -v ansible-playbook >/dev/null 2>&1; then
	echo "skipped: no ansible-playbook here (tools/bootstrap installs ansible-core)"
	exit 0
fi
P=$POMCTL
R=$POMCTL_TOP/tests/fixtures/bin/sandbox-reboot

sandbox_root
run_to_end upgrade --patch string
"$P" --root "$ROOT" bundle --output "$T/b.tar" >/dev/null 2>&1 || fail "bundle"
REL=$(sed -n 's/^release = //p' "$CONF")
for h in h1 h2 h3; do
	"$POMCTL_TOP/tests/fixtures/mkroot" "$T/$h" --world "$POMCTL_WORLD" >/dev/null 2>&1 ||
		fail "mkroot $h"
done
conf_set commands iptables /bin/false "$T/h2/etc/pomctl.conf"
cp "$T/h3/boot/grub/grub.conf" "$T/h3.grub"
{
	echo "firewalls:"
	echo "  hosts:"
	for h in h1 h2 h3; do
		echo "    $h:"
		echo "      ansible_connection: local"
		echo "      ansible_python_interpreter: $(command -v python3)"
		echo "      pomctl_argv: [\"$P\", \"--root\", \"$T/$h\"]"
		echo "      pomctl_reboot_argv: [\"$R\", \"$T/$h\"]"
	done
} >"$T/hosts.yml"
export ANSIBLE_LOCAL_TEMP="$T/ansible-local" ANSIBLE_REMOTE_TEMP="$T/ansible-remote" \
	ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_HOST_KEY_CHECKING=0 HOME="$T"
rc=0
ansible-playbook -i "$T/hosts.yml" "$POMCTL_TOP/contrib/ansible/rollout.yml" \
	-e "bundle=$T/b.tar" >"$T/play" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "the rollout did not stop at host 2: $(cat "$T/play")"
grep -q "the rollout stops at h2" "$T/play" || fail "no stop at h2: $(cat "$T/play")"

# host 1: verified, promoted, running the new kernel
"$P" --root "$T/h1" status --json >"$T/s1"
python3 - "$T/s1" <<'PY' || fail "h1 did not end verified: $(cat "$T/s1")"
import json, sys
s = {x["name"]: x["status"] for x in json.load(open(sys.argv[1]))["steps"]}
assert s["verify"] == "done" and s["kernel"] == "skipped", s
PY
grep -q "^release = $REL$" "$T/h1/etc/pomctl.conf" || fail "h1 does not run $REL"
[ "$("$R" "$T/h1")" = "$REL" ] || fail "h1 would not boot $REL again: not promoted"
# host 2: verify failed, back on the old kernel, still the default
grep -q "^release = 2.4.20-13.8$" "$T/h2/etc/pomctl.conf" || fail "h2 is not on its old kernel"
"$P" --root "$T/h2" status >"$T/s2"
grep -q " verify *failed" "$T/s2" || fail "h2's verify did not fail: $(cat "$T/s2")"
[ "$("$R" "$T/h2")" = 2.4.20-13.8 ] || fail "h2 would not boot its old kernel again"
# host 3: untouched
[ ! -e "$T/h3/var/lib/pomctl/state.json" ] || fail "the rollout went on to h3"
cmp -s "$T/h3.grub" "$T/h3/boot/grub/grub.conf" || fail "h3's boot menu changed"
exit 0
