# Step start, finish, failure and pause go to syslog (facility LOG_DAEMON,
# ident pomctl) unless --no-syslog.  pomctl runs in a private mount
# namespace whose /dev/log is the socket of tests/fixtures/syslogd.py, so
# the host's own syslog is neither needed nor touched.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL_TESTSTEPS
make_root
command -v unshare >/dev/null || fail "unshare(1) is needed"

# in_ns ARGS...: run pomctl with /dev/log the test's socket; the listener
# writes $T/syslog
in_ns() {
	unshare -m sh -c '
		set -e
		T=$1; shift
		mount --make-rprivate /
		mount --bind /dev/null "$T/null"
		mount -t tmpfs -o size=1m pomctl-test-dev /dev
		touch /dev/null; mount --bind "$T/null" /dev/null
		python3 "$POMCTL_TOP/tests/fixtures/syslogd.py" /dev/log "$T/syslog" &
		d=$!
		i=0; while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
		rc=0; "$@" || rc=$?
		sleep 0.2; kill $d
		exit $rc' sh "$T" "$@"
}
touch "$T/null"

: >"$T/syslog"
in_ns "$P" --root "$ROOT" upgrade -p string >"$T/out" 2>"$T/err" ||
	fail "run failed: $(cat "$T/err")"
[ -S /dev/log ] && [ "$(readlink -f /dev/log)" = "$T/syslog" ] && fail "leaked"
# <30>: LOG_DAEMON (3 << 3) | LOG_INFO (6)
assert_grep '^<30>.* pomctl\[[0-9]*\]: step check started (first run)$' "$T/syslog"
assert_grep '^<30>.* pomctl\[[0-9]*\]: step verify done$' "$T/syslog"
grep -c ": step [a-z]* done$" "$T/syslog" | grep -qx 9 || fail "expected 9 done events: $(cat "$T/syslog")"

# a failure: <27> is LOG_DAEMON | LOG_ERR
rm -rf "$STATE"; : >"$T/syslog"
touch "$ROOT/teststeps/fail-patch"
in_ns "$P" --root "$ROOT" upgrade -p string >"$T/out" 2>"$T/err" && fail "run succeeded"
assert_grep '^<27>.* pomctl\[[0-9]*\]: step patch failed: ' "$T/syslog"

# --no-syslog: nothing at all
: >"$T/syslog"
in_ns "$P" --root "$ROOT" --no-syslog resume >"$T/out" 2>"$T/err" && fail "resume succeeded"
[ ! -s "$T/syslog" ] || fail "--no-syslog still logged: $(cat "$T/syslog")"
rm "$ROOT/teststeps/fail-patch"
: >"$T/syslog"
in_ns "$P" --root "$ROOT" resume >"$T/out" 2>"$T/err" || fail "resume failed"
assert_grep 'step patch started (' "$T/syslog"
