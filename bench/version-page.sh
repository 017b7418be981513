#!/bin/bash
# Benchmarks one public page, a document version (/versions/2 of the demo),
# served by `consulta serve` against the same bytes served by nginx as a static
# file: nginx is the ceiling for "an HTTP/1.1 server answering with this body
# on this machine", so the ratio says how much Consulta's own work costs.
#
#   bench/version-page.sh BUILD_DIR        (`make bench` runs it on build/)
#
# Prints one line at the end (and then the server's peak RSS):
#   consulta 31234 req/s, nginx 61000 req/s, ratio 0.51
# (with several rounds, also the median of each round's own ratio)
#
# Knobs (environment):
#   BENCH_THREADS      wrk threads                    (default 2)
#   BENCH_CONNECTIONS  wrk connections, kept open     (default 64)
#   BENCH_DURATION     wrk duration of each run       (default 10s)
#   BENCH_WARMUP       wrk warm-up of each server     (default 2s; 0 skips it)
#   BENCH_ROUNDS       rounds, each consulta then nginx; the medians are
#                      compared (default 1; 3 or more on a busy machine)
#   BENCH_SERVER_THREADS  consulta --threads and nginx worker_processes
#                      (default: the number of cores, see below)
#   BENCH_PATH         the page                       (default /versions/2)
#   BENCH_DB           a database to serve instead of a new one with the demo
#                      (bench/large-version.sh makes one); used as it is
#   BENCH_ACCEPT_ENCODING  sent by wrk and curl as Accept-Encoding (such as
#                      gzip): Consulta answers with its kept gzip, nginx with
#                      gzip_static from the same bytes beside the page
#                      (default: none, both send the page itself)
#
# Everything runs on 127.0.0.1 in a temporary directory that is removed on
# exit, with every process it started; every wait has a bound.
set -u

die() {
	echo "version-page: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 BUILD_DIR"
BIN=$(cd "$1" 2>/dev/null && pwd)/consulta
[ -x "$BIN" ] || die "no consulta binary in $1 (build it first: ninja -C $1)"
for tool in curl wrk nginx; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

CORES=$(nproc 2>/dev/null || echo 2)
WRK_THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
PAGE=${BENCH_PATH:-/versions/2}
ROUNDS=${BENCH_ROUNDS:-1}
ACCEPT=${BENCH_ACCEPT_ENCODING:-}
HEADER=()
[ -n "$ACCEPT" ] && HEADER=(-H "Accept-Encoding: $ACCEPT")
# Server threads = cores. Consulta's work for a page is all CPU (SQLite reads
# from its page cache, no blocking I/O but a log line), and each libmicrohttpd
# pool thread runs its own epoll loop, so one thread per core keeps both cores
# busy without the context switches and cache misses of more threads; it is
# also what nginx gets (worker_processes = cores), so both servers are given
# the same parallelism. wrk shares the same cores: that costs both the same.
SERVER_THREADS=${BENCH_SERVER_THREADS:-$CORES}

case "$PAGE" in
/*) ;;
*) die "BENCH_PATH must start with /" ;;
esac
case "$ROUNDS" in
'' | *[!0-9]* | 0) die "BENCH_ROUNDS must be a whole number from 1" ;;
esac
# wrk shares the machine with the servers: anything else running skews the
# figures (the ratio less than the req/s, as both servers suffer it).
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$load" -v c="$CORES" 'BEGIN { exit !(l > c / 4) }'; then
	echo "version-page: warning: load average $load before starting: the figures will be noisy" >&2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/consulta-bench.XXXXXX") || die "cannot make a temporary directory"
CONSULTA_PID=
NGINX_PID=
WRK_PID=

# Stops one of our children: TERM, up to 5 s, then KILL.
stop() { # pid
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	[ -n "$WRK_PID" ] && stop "$WRK_PID"
	[ -n "$CONSULTA_PID" ] && stop "$CONSULTA_PID"
	[ -n "$NGINX_PID" ] && stop "$NGINX_PID"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Polls a command (up to $1 tenths of a second) until it succeeds; gives up
# at once when it returns 2 (the server has died).
poll() { # tenths, command...
	local n=$1 rc
	shift
	while [ "$n" -gt 0 ]; do
		"$@"
		rc=$?
		[ $rc = 0 ] && return 0
		[ $rc = 2 ] && return 1
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# --- consulta -------------------------------------------------------------
if [ -n "${BENCH_DB:-}" ]; then
	DB=$BENCH_DB
	[ -f "$DB" ] || die "BENCH_DB: no database at $DB"
else
	DB="$TMP/consulta.db"
	"$BIN" --db "sqlite:$DB" init >"$TMP/init.out" 2>&1 || { cat "$TMP/init.out" >&2; die "consulta init failed"; }
	"$BIN" --db "sqlite:$DB" demo >"$TMP/demo.out" 2>&1 || { cat "$TMP/demo.out" >&2; die "consulta demo failed"; }
fi

# Its log (one line per request) goes to a file, as it would to a journal:
# writing it is part of the cost measured. Appending, so that bench() can
# empty it after each run (some 4 MB per second of benchmark). All of wrk's
# connections come from one address: no per-address limit here.
"$BIN" --db "sqlite:$DB" serve --listen 127.0.0.1:0 --threads "$SERVER_THREADS" --per-address-limit 0 \
	>"$TMP/consulta.out" 2>>"$TMP/consulta.log" </dev/null &
CONSULTA_PID=$!
consulta_ready() {
	kill -0 "$CONSULTA_PID" 2>/dev/null || return 2
	grep -q '^listening on http://127\.0\.0\.1:[0-9]*/' "$TMP/consulta.out" || return 1
}
if ! poll 100 consulta_ready; then
	tail -5 "$TMP/consulta.log" >&2
	die "consulta serve did not start within 10 s"
fi
CONSULTA_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$TMP/consulta.out")
CONSULTA_URL="http://127.0.0.1:$CONSULTA_PORT$PAGE"

# --- the page, as a static file -------------------------------------------
WWW="$TMP/www"
mkdir -p "$WWW$(dirname "$PAGE")"
status=$(curl -sS --max-time 30 -o "$WWW$PAGE" -w '%{http_code}' "$CONSULTA_URL") || die "cannot fetch $CONSULTA_URL"
[ "$status" = 200 ] || die "consulta answered $status for $PAGE, not 200"
# Its gzip for nginx's gzip_static: the very bytes Consulta sends to a client that accepts gzip, or, for a
# page Consulta does not compress, gzip -9 of the page (nginx then sends fewer bytes, and the ratio says so).
enc=$(curl -sS --max-time 30 -H 'Accept-Encoding: gzip' -o "$WWW$PAGE.gz" -w '%header{content-encoding}' \
	"$CONSULTA_URL") || die "cannot fetch $CONSULTA_URL with Accept-Encoding: gzip"
if [ "$enc" != gzip ]; then
	gzip -9 -c "$WWW$PAGE" >"$WWW$PAGE.gz" || die "cannot compress the page"
	[ -n "$ACCEPT" ] && echo "version-page: note: consulta does not compress $PAGE; nginx sends gzip -9 of it" >&2
fi

# --- nginx (bench/nginx.sh) ------------------------------------------------
. "$(dirname "$0")/nginx.sh"
nginx_start "$WWW" "$SERVER_THREADS" "$PAGE"
NGINX_URL="http://127.0.0.1:$NGINX_PORT$PAGE"

# --- both answer the same -------------------------------------------------
check() { # name url
	local got
	got=$(curl -sS --max-time 30 "${HEADER[@]}" -o /dev/null -w '%{http_code} %{size_download}' "$2") ||
		die "cannot fetch $2"
	[ "${got% *}" = 200 ] || die "$1 answered ${got% *} for $PAGE, not 200"
	echo "${got#* }"
}
size_consulta=$(check consulta "$CONSULTA_URL") || exit 1
size_nginx=$(check nginx "$NGINX_URL") || exit 1
if [ "$size_consulta" != "$size_nginx" ]; then
	[ "$enc" != gzip ] && [ -n "$ACCEPT" ] ||
		die "the bodies differ in size: consulta $size_consulta bytes, nginx $size_nginx bytes"
	echo "version-page: note: the bodies differ: consulta $size_consulta bytes, nginx $size_nginx bytes" >&2
fi
echo "page $PAGE${ACCEPT:+ (Accept-Encoding: $ACCEPT)}: 200 from both, $size_consulta bytes; $CORES cores," \
	"server threads $SERVER_THREADS, wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS round(s)"

# --- wrk ------------------------------------------------------------------
# Seconds in a wrk duration (10s, 2m, 1h or a bare number), for a bound on it.
seconds() {
	case "$1" in
	*h) echo $((${1%h} * 3600)) ;;
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}
# Runs wrk (in the background, so that a signal stops the script at once
# rather than after wrk's duration); sets RPS to its requests per second.
bench() { # name url duration
	local out="$TMP/wrk-$1.out" limit rc
	limit=$(($(seconds "$3") + 30))
	timeout -k 5 "$limit" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$3" --timeout 5s "${HEADER[@]}" "$2" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID"
	rc=$?
	WRK_PID=
	[ $rc = 0 ] || { cat "$out" >&2; die "wrk failed against $1"; }
	if grep -q -e 'Non-2xx' -e 'Socket errors' "$out"; then
		cat "$out" >&2
		echo "version-page: warning: errors while benchmarking $1 (see above)" >&2
	fi
	: >"$TMP/consulta.log"
	RPS=$(awk '/^Requests\/sec:/ { printf "%d\n", $2 + 0.5 }' "$out")
	[ "${RPS:-0}" -gt 0 ] || die "wrk printed no Requests/sec for $1"
}
warm() { # name url
	case "$WARMUP" in
	0 | 0s | "") ;;
	*) bench "$1" "$2" "$WARMUP" ;;
	esac
}
median() { # numbers...
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2 + 0.5) }'
}
warm consulta "$CONSULTA_URL"
warm nginx "$NGINX_URL"
all_consulta=()
all_nginx=()
all_ratios=()
for round in $(seq "$ROUNDS"); do
	bench consulta "$CONSULTA_URL" "$DURATION"
	rps_consulta=$RPS
	bench nginx "$NGINX_URL" "$DURATION"
	rps_nginx=$RPS
	[ "$ROUNDS" -gt 1 ] && echo "round $round: consulta $rps_consulta req/s, nginx $rps_nginx req/s"
	all_consulta+=("$rps_consulta")
	all_nginx+=("$rps_nginx")
	all_ratios+=("$(awk -v a="$rps_consulta" -v b="$rps_nginx" 'BEGIN { printf "%d", 1000 * a / b + 0.5 }')")
done
rps_consulta=$(median "${all_consulta[@]}")
rps_nginx=$(median "${all_nginx[@]}")
ratio=$(awk -v a="$rps_consulta" -v b="$rps_nginx" 'BEGIN { printf "%.2f", a / b }')
# Each round runs both servers back to back, under much the same load: on a shared machine the median of
# the rounds' own ratios says more than the ratio of the medians, which may come from different rounds.
paired=$(awk -v m="$(median "${all_ratios[@]}")" 'BEGIN { printf "%.2f", m / 1000 }')
if [ "$ROUNDS" -gt 1 ]; then
	printf 'median of %d rounds: ' "$ROUNDS"
	echo "consulta $rps_consulta req/s, nginx $rps_nginx req/s, ratio $ratio; median of the rounds' ratios $paired"
else
	echo "consulta $rps_consulta req/s, nginx $rps_nginx req/s, ratio $ratio"
fi
# The server's peak memory over the run (bench/scale.sh reads it).
echo "consulta peak RSS (VmHWM) $(awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$CONSULTA_PID/status") MB"
