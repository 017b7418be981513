# bench/lib.sh — what the benchmarks here do alike, sourced by each of them:
# read the build directory, check the tools, make a temporary directory that
# is removed (and the server stopped) however the script ends, make a
# database with the demo and a secretariat's API token, start `consulta
# serve` on a free loopback port, and read its peak memory.
#
#   BENCH_NAME=matrix; . "$(dirname "$0")/lib.sh"; bench_begin "$@" curl python3
#
# Sets BUILD, BIN, HERE (this folder), TMP and BACKEND (sqlite, or postgresql where the bench allows it);
# bench_demo sets DB (SQLite's file), DB_URL (what --db takes, either backend) and TOKEN (bench_large: N too);
# bench_serve sets CONSULTA_PID, PORT and URL.

bench_die() {
	echo "$BENCH_NAME: $*" >&2
	exit 1
}

# Stops the server started by bench_serve, if it runs: SIGTERM, then SIGKILL after 5 s.
bench_stop() {
	if [ -n "${CONSULTA_PID:-}" ] && kill -0 "$CONSULTA_PID" 2>/dev/null; then
		kill -TERM "$CONSULTA_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$CONSULTA_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$CONSULTA_PID" 2>/dev/null
		wait "$CONSULTA_PID" 2>/dev/null
	fi
	CONSULTA_PID=
}

bench_cleanup() {
	bench_stop
	[ -n "${NGINX_PID:-}" ] && kill -TERM "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	[ -n "${PG_DIR:-}" ] && "$HERE/../tests/pg/stop.sh" "$PG_DIR"
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
}

# bench_begin BUILD_DIR TOOL...: the script's one argument, and the tools it needs.
bench_begin() {
	[ $# -ge 1 ] || bench_die "usage: $0 BUILD_DIR"
	BUILD=$(cd "$1" 2>/dev/null && pwd) || bench_die "no directory $1"
	shift
	BIN=$BUILD/consulta
	[ -x "$BIN" ] || bench_die "no consulta binary in $BUILD (build it first: ninja -C $BUILD)"
	HERE=$(cd "$(dirname "$0")" && pwd)
	for tool in "$@"; do
		command -v "$tool" >/dev/null || bench_die "$tool is not installed"
	done
	# BACKEND=postgresql: the database on a private PostgreSQL 15 (tests/pg/start.sh) in TMP, for the benches
	# that say they run there (BENCH_BACKENDS="sqlite postgresql" before sourcing this file).
	BACKEND=${BACKEND:-sqlite}
	case " ${BENCH_BACKENDS:-sqlite} " in
	*" $BACKEND "*) ;;
	*) bench_die "BACKEND=$BACKEND: this bench runs on ${BENCH_BACKENDS:-sqlite} only" ;;
	esac
	[ "$BACKEND" = sqlite ] || command -v psql >/dev/null || bench_die "psql is not installed"
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/consulta-$BENCH_NAME.XXXXXX") || bench_die "cannot make a temporary directory"
	CONSULTA_PID=
	PG_DIR=
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

# The short name the benches use for bench_die.
die() { bench_die "$@"; }

# bench_large BUILD_DIR TOOL...: what a bench of a large call begins with: bench_begin, N (BENCH_CONTRIBUTIONS,
# default 1,000,000: the rows it adds itself) and a database with the demo (bench_demo).
bench_large() {
	bench_begin "$@"
	N=${BENCH_CONTRIBUTIONS:-1000000}
	bench_demo
}

# bench_rows: runs the Python script on its standard input (rows a bench adds to the SQLite database itself)
# with db (a sqlite3 connection to DB), n (N) and categories (the ids of call 1's categories, in their order)
# already defined.
bench_rows() {
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
categories = [c for c, in db.execute("SELECT c.id FROM category c JOIN call ca ON ca.process_id = c.process_id "
                                     "WHERE ca.id = 1 ORDER BY c.position")]
exec(compile(sys.stdin.read(), "rows", "exec"))' "$DB" "$N"
}

# consulta on the benchmark's database.
run() { "$BIN" --db "${DB_URL:-sqlite:$DB}" "$@"; }

# The rows of one SQL statement on the benchmark's database (either backend), columns joined by "|".
bench_sql() {
	if [ "$BACKEND" = postgresql ]; then
		psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"
	else
		sqlite3 -cmd ".timeout 10000" "$DB" "$1"
	fi
}

# A new database in TMP with the demo (its arguments: e.g. --contributions) and the secretariat
# bench@example.org, whose API token is TOKEN.
bench_demo() {
	DB="$TMP/consulta.db"
	DB_URL="sqlite:$DB"
	if [ "$BACKEND" = postgresql ]; then
		chmod 755 "$TMP" # the server runs as postgres when this runs as root
		PG_DIR="$TMP/pg"
		local prefix
		prefix=$("$HERE/../tests/pg/start.sh" "$PG_DIR") || bench_die "PostgreSQL did not start"
		psql -X -q -d "${prefix}postgres" -c "CREATE DATABASE bench" || bench_die "cannot make the database"
		DB_URL="${prefix}bench"
	fi
	run init >"$TMP/init.out" 2>&1 || { cat "$TMP/init.out" >&2; bench_die "consulta init failed"; }
	run demo "$@" >"$TMP/demo.out" 2>&1 || { cat "$TMP/demo.out" >&2; bench_die "consulta demo failed"; }
	echo "a passphrase for the benchmark" | run user add --role secretariat --email bench@example.org \
		--password-stdin >"$TMP/user.out" 2>&1 || { cat "$TMP/user.out" >&2; bench_die "consulta user add failed"; }
	TOKEN=$(run token create --email bench@example.org 2>"$TMP/token.err") ||
		{ cat "$TMP/token.err" >&2; bench_die "no token"; }
}

# Starts `consulta serve` on DB at a free loopback port, with the extra serve options given (default:
# two threads, no per-address limit), directly rather than through run, so that CONSULTA_PID is
# consulta itself. Its output and log go to TMP/serve.out and TMP/serve.log.
# SERVE_WRAPPER (words, e.g. "valgrind --tool=callgrind") runs it under that tool, given a minute to start.
bench_serve() {
	[ $# -gt 0 ] || set -- --threads 2 --per-address-limit 0
	: >"$TMP/serve.out" # there before the first poll reads it
	# shellcheck disable=SC2086 # the wrapper's words
	${SERVE_WRAPPER:-} "$BIN" --db "$DB_URL" serve --listen 127.0.0.1:0 "$@" >"$TMP/serve.out" 2>"$TMP/serve.log" </dev/null &
	CONSULTA_PID=$!
	for _ in $(seq "$([ -n "${SERVE_WRAPPER:-}" ] && echo 600 || echo 100)"); do
		grep -q '^listening on' "$TMP/serve.out" && break
		kill -0 "$CONSULTA_PID" 2>/dev/null || break
		sleep 0.1
	done
	PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.out")
	[ -n "$PORT" ] || { tail -5 "$TMP/serve.log" >&2; bench_die "consulta serve did not start"; }
	URL="http://127.0.0.1:$PORT"
}

# A count as people write it, as a number: 100k -> 100000, 1m -> 1000000, 21.7m -> 21700000.
bench_count() {
	python3 -c 'import sys; s = sys.argv[1].lower(); m = {"k": 1e3, "m": 1e6}.get(s[-1:], 1); \
print(int(float(s.rstrip("km")) * m))' "$1" || bench_die "not a count: $1 (such as 20k, 1m, 21.7m)"
}

# The server's peak resident memory so far, in MB (VmHWM).
bench_hwm() { awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$CONSULTA_PID/status"; }
