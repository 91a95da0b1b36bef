#!/bin/sh
# bench/download.sh: pomctl's download code (libcurl into the cache, the
# digest taken while the file arrives) against `curl -o`, for a MB-sized
# file (default 200) of random bytes from tests/fixtures/httpd.py on
# 127.0.0.1, R rounds (default 3) in alternating order, medians.  Then the
# same download cut at half by the server and resumed: the bytes the
# server sends the second time must be the remainder.  Goal: ratio <= 1.05.
# Not a pass/fail test.
set -eu
. "$(dirname "$0")/lib.sh"
mb=${1:-200}
rounds=${2:-3}
mkdir -p "$work/srv"
head -c "${mb}M" /dev/urandom >"$work/srv/big.bin"
size=$(stat -c %s "$work/srv/big.bin")
half=$((size / 2))

server= port=0
serve() {	# serve [--cut NAME=BYTES]: (re)start the server, on the same port
	[ -z "$server" ] || { kill "$server"; wait "$server" 2>/dev/null || true; }
	rm -f "$work/port"
	python3 "$top/tests/fixtures/httpd.py" "$work/srv" --port-file "$work/port" \
		--port "$port" --log "$work/http.log" "$@" &
	server=$!
	for i in $(seq 50); do [ -f "$work/port" ] && break; sleep 0.1; done
	port=$(cat "$work/port")
	url=http://127.0.0.1:$port/big.bin
}
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
serve

i=0
while [ $i -lt "$rounds" ]; do
	if [ $((i % 2)) -eq 0 ]; then order="curl pomctl"; else order="pomctl curl"; fi
	for who in $order; do
		rm -rf "$work/cache" "$work/curl.out"
		case $who in
		curl) measure "$work/t-curl" curl -sSf -o "$work/curl.out" "$url" ;;
		pomctl) measure "$work/t-pomctl" "$B/pomctl-bench" fetch "$work/cache" "$url" ;;
		esac
	done
	i=$((i + 1))
done
c=$(median "$work/t-curl" 1) p=$(median "$work/t-pomctl" 1)

# cut at half, then resumed
rm -rf "$work/cache"
serve --cut "big.bin=$half"
: >"$work/http.log"
if "$B/pomctl-bench" fetch "$work/cache" "$url" >/dev/null 2>"$work/cut.err"; then
	echo "bench: the cut download did not fail" >&2
	exit 1
fi
kept=$(stat -c %s "$work"/cache/partial/*.part)
serve
"$B/pomctl-bench" fetch "$work/cache" "$url" >"$work/resumed"
second=$(sed -n 2p "$work/http.log")
sent=$(echo "$second" | sed 's/.*bytes=//')
want=$(sha256sum "$work/srv/big.bin" | cut -d' ' -f1)
got=$(cut -d' ' -f1 "$work/resumed")

echo "download of $mb MB from a local HTTP server, median of $rounds rounds:"
echo "  pomctl $p s, curl -o $c s: pomctl/curl = $(ratio "$p" "$c") (goal <= 1.05)"
echo "  cut by the server after $half bytes: $kept kept; the resumed request: '$second'"
r=$(ratio "$p" "$c")
result "download of $mb MB, pomctl / curl -o" "$r" "<= 1.05" "$(verdict '<=' "$r" 1.05)"
if [ "$sent" -eq $((size - half)) ] && [ "$got" = "$want" ]; then
	echo "  the second time the server sent $sent bytes, exactly the remainder; the digest is the file's"
	result "download cut at half, resumed: bytes sent again" "$sent" "the remainder, $((size - half))" met
else
	echo "  MISSED: the second time the server sent $sent bytes, the remainder is $((size - half)) (digest $got, file $want)"
	result "download cut at half, resumed: bytes sent again" "$sent" "the remainder, $((size - half))" missed
fi
