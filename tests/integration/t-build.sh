# [build] ccache and distcc_hosts: both kernel builds compile through the
# real ccache and distcc (distcc's "localhost" compiles here, no daemon);
# a missing one stops the build before make starts; plans show it all.
. "$POMCTL_TOP/tests/integration/lib.sh"
P=$POMCTL
sandbox_root
export CCACHE_DIR="$T/ccache" DISTCC_LOG="$T/distcc.log" DISTCC_DIR="$T/distcc"
log_of() { ls "$STATE"/logs/*-"$1".log; }

# the plan shows the compiler and the environment
conf_set build ccache yes
conf_set build jobs 2
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "run: make -C .* ARCH=i386 -j2 'CC=ccache gcc' bzImage modules" "$T/out"
conf_set build distcc_hosts "localhost/3 @build1/8,lzo"
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "'CC=ccache gcc' bzImage modules" "$T/out"
assert_grep "with CCACHE_PREFIX=distcc in its environment" "$T/out"
assert_grep "with DISTCC_HOSTS=localhost/3 @build1/8,lzo in its environment" "$T/out"
# jobs = 0 with distcc: what the hosts take (3 + 8)
conf_set build jobs 0
conf_set build ccache no
expect_exit 0 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "ARCH=i386 -j11 'CC=distcc gcc' bzImage modules" "$T/out"
conf_set build distcc_hosts 'localhost;rm'
expect_exit 2 "$P" --root "$ROOT" upgrade --patch string --plan
assert_grep "distcc_hosts" "$T/err"

# a wrapper that is not there: the trial stops before its first compile
conf_set build distcc_hosts ""
conf_set build ccache yes
sed -i "s|^\[commands\]$|[commands]\nccache = $T/no-ccache|" "$CONF"
expect_exit 1 "$P" --root "$ROOT" upgrade --patch string
assert_grep "ccache is asked for, but '$T/no-ccache' is not installed: install it, or set \[build\] ccache = no" "$T/err"
assert_no_grep "^\$ make .*bzImage" "$(log_of trial)"

# ccache: both builds go through it; the second finds what the first left
sed -i "\\|^ccache = $T/no-ccache|d" "$CONF"
expect_exit 3 "$P" --root "$ROOT" resume
assert_grep "'CC=ccache gcc' bzImage modules" "$(log_of trial)"
ccache --zero-stats >/dev/null
"$P" --root "$ROOT" rollback --force >/dev/null 2>&1 || true
rm -rf "$STATE"
expect_exit 3 "$P" --root "$ROOT" upgrade --patch string
hits=$(ccache --print-stats | awk '$1 ~ /cache_hit$/ { n += $2 } END { print n + 0 }')
[ "$hits" -ge 1 ] || fail "the second trial build hit nothing in ccache: $(ccache -s)"

# distcc: the compile runs through it, told the hosts
conf_set build ccache no
conf_set build distcc_hosts localhost/3
reboot_into 2.4.20-13.8custom
expect_exit 3 "$P" --root "$ROOT" resume
expect_exit 3 "$P" --root "$ROOT" resume --from kernel
assert_grep "ARCH=i386 -j3 'CC=distcc gcc' bzImage modules" "$(log_of kernel)"
[ -s "$T/distcc.log" ] || fail "distcc did not run"
