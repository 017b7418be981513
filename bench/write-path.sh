#!/bin/bash
# Measures the write path of contributions (issue 11, item 1): durable
# contributions per second through POST /api/v1/calls/{id}/contributions
# (wrk, BENCH_CONNECTIONS connections, default 64, for BENCH_SECONDS, default
# 10), every 201 counted only if its row is in the database afterwards,
# against the ceiling of raw SQLite inserting the same rows (a contribution
# and its receipt's outbox row each, batches of 1,000, synchronous=FULL, WAL,
# foreign keys checked, as the server's connections do)
# in the same run, with the ratio; latency p50/p99 and errors; the p99 of a
# page read (GET /calls/{id}) meanwhile; then a burst of BENCH_BURST
# (default 75,000) contributions sent at once (pipelined over
# BENCH_BURST_CONNECTIONS, default 1,000, connections): answered 201,
# refused 503 (with Retry-After), other, and lost (a 201 whose tracking
# number is not in the database: must be 0), and, while it runs, reads of the
# process page and of the call's contributions list (p50/p99, wrk) against
# nginx serving the same bytes (bench/nginx.sh). Also the server's CPU time during
# the load and its writer thread's per contribution (the one serial part: its
# inverse is the write path's ceiling), figures that move less with the rest of
# the machine's load than the rate does.
#
#   bench/write-path.sh BUILD_DIR
#
# BACKEND=postgresql runs it all on a private PostgreSQL 15 (bench/lib.sh), with
# COPY of the same rows as the peer instead of SQLite's batches.
#
# BENCH_PG_PROBE=DIR (with BACKEND=postgresql): what PostgreSQL did during the burst, kept in DIR for reading
# afterwards: pg_stat_activity sampled every 20 ms while the reads run (activity.txt: state, wait event,
# query), pg_stat_statements over the burst (statements.txt: slowest first by their longest run and by their
# total), PostgreSQL's log with auto_explain's plans (ANALYZE, BUFFERS) of every statement over 50 ms and
# every lock wait over 20 ms (postgresql.log), and the server's log (serve.log: each request's ms=). The
# probes cost PostgreSQL some time per statement: figures of a probed run are not the bench's.
#
# Figures depend on the machine and on what else runs on it: say which.
set -u

BENCH_NAME=write-path
BENCH_BACKENDS="sqlite postgresql"
. "$(dirname "$0")/lib.sh"
die() { bench_die "$@"; }
bench_begin "$@" wrk python3 sqlite3 nginx curl
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
SECONDS_RUN=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
BURST=${BENCH_BURST:-75000}
BURST_CONNS=${BENCH_BURST_CONNECTIONS:-1000}

PROBE=${BENCH_PG_PROBE:-}
if [ -n "$PROBE" ]; then
	[ "$BACKEND" = postgresql ] || die "BENCH_PG_PROBE needs BACKEND=postgresql"
	mkdir -p "$PROBE" && PROBE=$(cd "$PROBE" && pwd) || die "cannot make $PROBE"
	export PG_OPTIONS="${PG_OPTIONS:-} -c shared_preload_libraries=pg_stat_statements,auto_explain \
-c pg_stat_statements.track=all -c auto_explain.log_min_duration=50ms -c auto_explain.log_analyze=on \
-c auto_explain.log_buffers=on -c auto_explain.log_nested_statements=on -c log_lock_waits=on \
-c deadlock_timeout=20ms -c log_min_duration_statement=50ms"
fi
bench_demo --live
[ -z "$PROBE" ] || bench_sql "CREATE EXTENSION pg_stat_statements" >/dev/null || die "no pg_stat_statements"
# An open call of the demo (--live opens one today) and a category of its process.
IFS='|' read -r CALL CATEGORY < <(bench_sql \
	"SELECT c.id, k.slug FROM call c JOIN category k ON k.process_id = c.process_id
	 WHERE c.opens_at <= $(date +%s) AND c.closes_at > $(date +%s) ORDER BY c.id, k.position LIMIT 1")
[ -n "${CALL:-}" ] || die "the demo has no open call"
bench_serve --threads 2 --per-address-limit 0
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

count() { bench_sql "SELECT count(*) FROM contribution" | tail -1; }
# CPU ticks (user + system) of the whole server, and of its writer thread (named "writer"): what the load
# costs the server itself, whatever else runs on the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$CONSULTA_PID/stat"; }
writer_ticks() {
	for t in /proc/"$CONSULTA_PID"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = writer ] && awk '{print $14 + $15}' "$t/stat"
	done
}

cat >"$TMP/post.lua" <<LUA
-- Each request a new contribution (its own e-mail address); answers counted by status.
local counter = 0
local threads = {}
function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end
function init(args)
	c201, c503, other = 0, 0, 0
end
function request()
	counter = counter + 1
	local body = string.format('{"name":"Bench %d","organization":"Bench Org","category":"$CATEGORY",' ..
		'"country":"CH","email":"bench%d-%d@example.org","text":"A contribution sent by the benchmark, number %d.",' ..
		'"publication":"named"}', counter, id, counter, counter)
	return wrk.format("POST", "/api/v1/calls/$CALL/contributions", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
	if status == 201 then c201 = c201 + 1 elseif status == 503 then c503 = c503 + 1 else other = other + 1 end
end
function done(summary, latency, requests)
	local a, b, o = 0, 0, 0
	for _, t in ipairs(threads) do a = a + t:get("c201"); b = b + t:get("c503"); o = o + t:get("other") end
	io.write(string.format("RESULT created=%d refused=%d other=%d errors=%d timeouts=%d p50_ms=%.2f p99_ms=%.2f\n",
		a, b, o, summary.errors.connect + summary.errors.read + summary.errors.write,
		summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
cat >"$TMP/get.lua" <<'LUA'
function done(summary, latency, requests)
	io.write(string.format("READ requests=%d non2xx=%d p50_ms=%.2f p99_ms=%.2f\n", summary.requests,
		summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

echo "write path: $(nproc) cores, call $CALL, ${CONNS} connections, ${SECONDS_RUN} s; $(uptime | sed 's/.*load/load/')"
curl -sf -o /dev/null "$URL/calls/$CALL" || die "GET /calls/$CALL failed"
before=$(count)
cpu0=$(cpu_ticks)
w0=$(writer_ticks)
wrk -t2 -c"$CONNS" -d"${SECONDS_RUN}s" --timeout 10s -s "$TMP/post.lua" \
	"$URL/api/v1/calls/$CALL/contributions" >"$TMP/wrk-post.out" 2>&1 &
WRK=$!
sleep 1
wrk -t1 -c4 -d"$((SECONDS_RUN - 2))s" --timeout 10s -s "$TMP/get.lua" "$URL/calls/$CALL" >"$TMP/wrk-get.out" 2>&1
wait "$WRK"
after=$(count)
cpu1=$(cpu_ticks)
w1=$(writer_ticks)
grep -q '^RESULT' "$TMP/wrk-post.out" || { cat "$TMP/wrk-post.out" >&2; die "wrk (POST) failed"; }
read -r created refused other errors timeouts p50 p99 < <(sed -n 's/^RESULT created=\([0-9]*\) refused=\([0-9]*\) other=\([0-9]*\) errors=\([0-9]*\) timeouts=\([0-9]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\)/\1 \2 \3 \4 \5 \6 \7/p' "$TMP/wrk-post.out")
stored=$((after - before))
api_rate=$(awk -v n="$stored" -v s="$SECONDS_RUN" 'BEGIN {printf "%.0f", n / s}')
read_line=$(grep '^READ' "$TMP/wrk-get.out" || echo "READ (failed)")

# The ceiling: the same rows (a contribution and its receipt's outbox row) written by the database alone. On
# SQLite: inserted in batches of 1,000 per transaction, on a copy of the database, with the server's settings (WAL,
# FULL). On PostgreSQL: COPY of all the rows in one transaction, into the same database (its triggers, indexes
# and foreign keys, as the server's writes have them), synchronous_commit on as the server's connections set it.
"$PY" - "$TMP/raw.csv" "$TMP/raw-outbox.csv" "$stored" <<'PY' || die "cannot write the rows"
import csv, sys
n = max(int(sys.argv[3]), 20000)
with open(sys.argv[1], "w", newline="") as c, open(sys.argv[2], "w", newline="") as o:
    cw, ow = csv.writer(c), csv.writer(o)
    for i in range(n):
        tr, email, text = "RAW%07d" % i, "bench%d@example.org" % i, "A contribution sent by the benchmark, number %d." % i
        cw.writerow((tr, "Bench %d" % i, email, text))
        ow.writerow((email, "Subject: Contribution received: %s\r\n\r\n%s" % (tr, text * 8), "<%s@bench>" % tr))
PY
if [ "$BACKEND" = postgresql ]; then
	raw_label="PostgreSQL COPY (same rows, one transaction)"
	cat_id=$(bench_sql "SELECT k.id FROM category k JOIN call c ON c.process_id = k.process_id WHERE c.id = $CALL AND k.slug = '$CATEGORY'")
	n=$(wc -l <"$TMP/raw.csv")
	t0=$(date +%s.%N)
	psql -X -q -v ON_ERROR_STOP=1 -d "$DB_URL" >"$TMP/copy.out" 2>&1 <<SQL || { cat "$TMP/copy.out" >&2; die "COPY failed"; }
SET synchronous_commit = on;
BEGIN;
CREATE TEMPORARY TABLE raw (tracking TEXT, name TEXT, email TEXT, text TEXT);
\copy raw FROM '$TMP/raw.csv' WITH (FORMAT csv)
CREATE TEMPORARY TABLE raw_outbox (recipient TEXT, message TEXT, message_id TEXT);
\copy raw_outbox FROM '$TMP/raw-outbox.csv' WITH (FORMAT csv)
INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, email, text,
	publication, received_at, state)
	SELECT tracking, $CALL, 'api', name, 'Bench Org', $cat_id, 'CH', email, text, 'named', 1700000000, 'published' FROM raw;
INSERT INTO outbox (created_at, kind, recipient, message, message_id, next_attempt_at, requester)
	SELECT 1700000000, 'receipt', recipient, message, message_id, 1700000000, '127.0.0.1' FROM raw_outbox;
COMMIT;
SQL
	raw_rate=$(awk -v n="$n" -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", n / (b - a)}')
	bench_sql "DELETE FROM outbox WHERE message_id LIKE '<RAW%'" >/dev/null
else
	raw_label="raw SQLite (same rows, batches of 1,000)"
	# A copy by SQLite's online backup: the server still has the database open, and a plain cp of a WAL
	# database leaves out what is still in its -wal file (the copy is then malformed).
	sqlite3 -cmd ".timeout 10000" "$DB" ".backup '$TMP/raw.db'" || die "cannot copy the database"
	raw_rate=$("$PY" - "$TMP/raw.db" "$CALL" "$CATEGORY" "$TMP/raw.csv" "$TMP/raw-outbox.csv" <<'PY'
import csv, sqlite3, sys, time
path, call, slug = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = list(zip(csv.reader(open(sys.argv[4], newline="")), csv.reader(open(sys.argv[5], newline=""))))
n = len(rows)
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL"); db.execute("PRAGMA foreign_keys=ON")
cat, = db.execute("SELECT k.id FROM category k JOIN call c ON c.process_id = k.process_id WHERE c.id = ? AND k.slug = ?",
                  (call, slug)).fetchone()
t0 = time.monotonic()
for k in range(0, n, 1000):
    db.execute("BEGIN IMMEDIATE")
    for (tr, name, email, text), (recipient, message, message_id) in rows[k:k + 1000]:
        db.execute("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                   "email, text, publication, received_at, state) VALUES (?, ?, 'api', ?, 'Bench Org', ?, 'CH', ?, ?, "
                   "'named', 1700000000, 'published')", (tr, call, name, cat, email, text))
        db.execute("INSERT INTO outbox (created_at, kind, recipient, message, message_id, next_attempt_at, requester) "
                   "VALUES (1700000000, 'receipt', ?, ?, ?, 1700000000, '127.0.0.1')", (recipient, message, message_id))
    db.execute("COMMIT")
print("%.0f" % (n / (time.monotonic() - t0)))
PY
)
	rm -f "$TMP/raw.db"
fi
rm -f "$TMP/raw.csv" "$TMP/raw-outbox.csv"
echo "API:  $stored durable contributions in ${SECONDS_RUN} s = $api_rate/s (wrk: $created answered 201, $refused 503, $other other, $errors socket errors, $timeouts time-outs); latency p50 $p50 ms, p99 $p99 ms"
echo "$raw_label: $raw_rate/s; API/raw = $(awk -v a="$api_rate" -v b="$raw_rate" 'BEGIN {printf "%.2f", a / b}')"
tck=$(getconf CLK_TCK)
echo "server CPU during the load: $(awk -v c=$((cpu1 - cpu0)) -v t="$tck" 'BEGIN {printf "%.1f", c / t}') s in ${SECONDS_RUN} s (the page reads' too); the writer thread's per durable contribution: $(awk -v c=$((${w1:-0} - ${w0:-0})) -v t="$tck" -v n="$stored" 'BEGIN {printf "%.0f", n ? c / t * 1e6 / n : 0}') us (its ceiling: $(awk -v c=$((${w1:-0} - ${w0:-0})) -v t="$tck" -v n="$stored" 'BEGIN {printf "%.0f", c ? n * t / c : 0}')/s)"
echo "page reads during the load (GET /calls/$CALL, 4 connections): $read_line"
[ "$created" -le "$stored" ] || echo "WARNING: $created answered 201 but only $stored rows stored"

# Reads during the burst (issue 11: "reads stay under 100 ms p99 meanwhile"): the process page and the call's
# contributions list, saved as they are before the burst and served by nginx (bench/nginx.sh) as the peer; while
# the burst runs, four wrk at once (2 connections each, BURST_READ_SECONDS): each page from consulta and from nginx.
SLUG=$(bench_sql "SELECT p.slug FROM process p JOIN call c ON c.process_id = p.id WHERE c.id = $CALL")
READ_PATHS=("/processes/$SLUG" "/calls/$CALL/contributions")
mkdir -p "$TMP/www/processes" "$TMP/www/calls/$CALL"
for path in "${READ_PATHS[@]}"; do
	curl -sf -o "$TMP/www$path" "$URL$path" || die "GET $path failed"
done
. "$HERE/nginx.sh"
nginx_start "$TMP/www" 2 "${READ_PATHS[0]}"

# The burst: BURST contributions written to BURST_CONNS connections at once (pipelined), every answer read;
# then every 201's tracking number looked up in the database.
"$PY" - "$PORT" "$CALL" "$CATEGORY" "$BURST" "$BURST_CONNS" "$BACKEND" "$DB" "${DB_URL:-}" >"$TMP/burst.out" <<'PY' &
import asyncio, json, sqlite3, subprocess, sys, time
port, call, slug, total, conns = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
backend, path, url = sys.argv[6], sys.argv[7], sys.argv[8]

def request(i):
    body = json.dumps({"name": "Burst %d" % i, "organization": "", "category": slug, "country": "CH",
                       "email": "burst%d@example.org" % i, "text": "A contribution of the burst, number %d." % i,
                       "publication": "anonymous"}).encode()
    return (b"POST /api/v1/calls/%s/contributions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (call.encode(), len(body))) + body

counts = {"201": 0, "503": 0, "other": 0, "no answer": 0, "503 without Retry-After": 0}
tracking = []

async def one(k, share, sent):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    except OSError:
        counts["no answer"] += share
        return
    writer.write(b"".join(request(k * 1000000 + i) for i in range(share)))
    await writer.drain()
    sent.append(time.monotonic())
    got = 0
    try:
        while got < share:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 120)
            lines = head.decode("latin-1").split("\r\n")
            status = lines[0].split(" ")[1]
            headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            got += 1
            if status == "201":
                counts["201"] += 1
                tracking.append(json.loads(body)["tracking"])
            elif status == "503":
                counts["503"] += 1
                if "retry-after" not in headers:
                    counts["503 without Retry-After"] += 1
            else:
                counts["other"] += 1
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, asyncio.LimitOverrunError):
        counts["no answer"] += share - got
    writer.close()

async def main():
    per = [total // conns + (1 if k < total % conns else 0) for k in range(conns)]
    sent = []
    t0 = time.monotonic()
    await asyncio.gather(*(one(k, per[k], sent) for k in range(conns) if per[k]))
    t1 = time.monotonic()
    print("burst: %d contributions written to %d connections in %.2f s, all answered in %.2f s" %
          (total, conns, (max(sent) - t0) if sent else 0, t1 - t0))

asyncio.run(main())
if backend == "postgresql":
    stored = set(subprocess.run(["psql", "-X", "-A", "-t", "-d", url, "-c", "SELECT tracking FROM contribution"],
                                check=True, stdout=subprocess.PIPE, text=True).stdout.split())
else:
    db = sqlite3.connect(path)
    db.execute("PRAGMA busy_timeout=10000")
    stored = {t for (t,) in db.execute("SELECT tracking FROM contribution")}
lost = sum(1 for t in tracking if t not in stored)
dup = len(tracking) - len(set(tracking))
print("burst: 201 %d, 503 %d (%d without Retry-After), other %d, no answer %d; lost %d, tracking numbers repeated %d" %
      (counts["201"], counts["503"], counts["503 without Retry-After"], counts["other"], counts["no answer"], lost, dup))
sys.exit(1 if lost or dup else 0)
PY
BURST_PID=$!
if [ -n "$PROBE" ]; then
	bench_sql "SELECT pg_stat_statements_reset()" >/dev/null
	psql -X -q -A -F ' | ' -d "$DB_URL" >"$PROBE/activity.txt" 2>&1 <<'SQL' &
SELECT clock_timestamp()::time AS at, pid, backend_type, state, wait_event_type, wait_event,
	round(extract(epoch FROM clock_timestamp() - query_start) * 1000) AS ms, left(regexp_replace(query, '\s+', ' ', 'g'), 140)
FROM pg_stat_activity WHERE state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid() \watch 0.02
SQL
	SAMPLER=$!
fi
sleep 1
READ_SECONDS=${BURST_READ_SECONDS:-8}
read_pids=()
for path in "${READ_PATHS[@]}"; do
	for server in consulta nginx; do
		port=$PORT
		[ $server = nginx ] && port=$NGINX_PORT
		wrk -t1 -c2 -d"${READ_SECONDS}s" --timeout 10s -s "$TMP/get.lua" "http://127.0.0.1:$port$path" \
			>"$TMP/read-$server-${path//\//_}.out" 2>&1 &
		read_pids+=($!)
	done
done
wait "${read_pids[@]}"
if [ -n "$PROBE" ]; then
	kill -INT "$SAMPLER" 2>/dev/null
	psql -X -q -d "$DB_URL" >"$PROBE/statements.txt" 2>&1 <<'SQL'
SELECT calls, round(max_exec_time::numeric, 1) AS max_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
	round(total_exec_time::numeric) AS total_ms, shared_blks_hit + shared_blks_read AS blocks,
	left(regexp_replace(query, '\s+', ' ', 'g'), 200) AS query
FROM pg_stat_statements ORDER BY max_exec_time DESC LIMIT 40;
SELECT calls, round(max_exec_time::numeric, 1) AS max_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
	round(total_exec_time::numeric) AS total_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 200) AS query
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25;
SELECT relname, n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd, last_autovacuum, last_autoanalyze
FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10;
SQL
	wait "$SAMPLER" 2>/dev/null
fi
during=no
kill -0 "$BURST_PID" 2>/dev/null && during=yes
wait "$BURST_PID"
burst_rc=$?
cat "$TMP/burst.out"
for path in "${READ_PATHS[@]}"; do
	line() { sed -n -e "s/^READ requests=0 .*/no answer at all within the ${READ_SECONDS} s/p" -e 's/^READ requests=\([0-9]*\) non2xx=\([0-9]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\)/\1 requests, p50 \3 ms, p99 \4 ms, non-2xx \2/p' "$TMP/read-$1-${path//\//_}.out"; }
	echo "reads during the burst, GET $path ($(stat -c %s "$TMP/www$path") bytes; ${READ_SECONDS} s, 2 connections each, all four at once; burst still running at the end: $during): consulta $(line consulta), nginx (same bytes) $(line nginx)"
done
kill -TERM "$NGINX_PID" 2>/dev/null
wait "$NGINX_PID" 2>/dev/null
NGINX_PID=
echo "server peak memory (VmHWM): $(bench_hwm) MB; log: $(grep -c 'contribution.queue_full' "$TMP/serve.log") queue-full refusals"
grep 'batch_failed' "$TMP/serve.log" | head -3
if [ -n "$PROBE" ]; then
	cp "$TMP/serve.log" "$PROBE/serve.log"
	cp "$PG_DIR/server.log" "$PROBE/postgresql.log"
	echo "probe: $PROBE"
fi
exit $burst_rc
