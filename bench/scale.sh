#!/bin/bash
# The scale bench (issue 11, item 5): `make bench-scale` runs it. In one run,
# each figure beside its peer measured on the same machine at the same time:
#
#  1. the write path (bench/write-path.sh): durable contributions per second
#     through POST /api/v1/calls/{id}/contributions against raw SQLite
#     inserting the same rows in batches of 1,000; then a burst of 75,000
#     contributions at once: answered 201, refused 503, lost (must be 0).
#  2. a synthetic docket (bench/docket.py: 94 % of it from 300 mail-merge
#     templates with synonym swaps, greetings and signatures; seeded, with the
#     generator's truth) of SCALE contributions. INGEST=bulk: written into the
#     database by docket.py itself (rows inserted in batches of 10,000, no
#     receipt, no search entry, no ledger leaf, no campaign on arrival: what
#     the FCC-size docket fits on this machine's disk with), then the pass
#     below. Otherwise (INGEST=api, the default) ingested in two ways, each
#     named in the output: the first API_SAMPLE through the API (CLIENTS
#     connections, default 32, one request at a time each), the rest by `consulta import` (the same
#     contribution_receive, group commit, no HTTP); the time and rate of each,
#     campaigns recognised on arrival and scored (pairwise and B-cubed
#     precision and recall against the truth; goal >= 0.95 each); then the
#     clustering pass alone (`consulta campaigns --call`, every contribution
#     again, oldest first): its time, rate, peak RSS and score.
#  3. reads of that docket (bench/version-page.sh on its database): the
#     process page and the call's contributions list, req/s against nginx
#     serving the same bytes, and that server's peak RSS.
#  4. the peak RSS of every consulta process of the run (goal: under 300 MB).
#
#   bench/scale.sh BUILD_DIR      (SCALE=1m by default; SCALE=21.7m for the FCC docket's size)
#
# BACKEND=postgresql: part 1 on a private PostgreSQL 15, against COPY of the same rows (parts 2 and 3: SQLite only).
# Knobs: SCALE (1m), INGEST (api; bulk), API_SAMPLE (20k), CLIENTS (32), IMPORT_THREADS (32), CLUSTER_PASS (1; 0 skips
# the pass), READ_SECONDS (10), WRITE_SECONDS (10), BURST (75000), PARTS (write,docket,reads), DOCKET_DIR.
# Everything runs in a temporary directory, removed at the end; figures move with the
# machine's load, which is printed at each part.
# DOCKET_DIR=DIR (with INGEST=bulk): the docket is kept in DIR, for a size whose load and pass outlast one
# sitting (21.7 million: about an hour each). A run finds there what an earlier one did: a finished load is
# not done again (its figures are printed as they were measured), and a pass that was stopped goes on
# (`consulta campaigns --resume`); its time is the sum of its stretches, a stopped stretch counted to the
# last commit it made (the database's last write). The stretches are listed.
set -u

BENCH_NAME=scale
BENCH_BACKENDS="sqlite postgresql"
. "$(dirname "$0")/lib.sh"
bench_begin "$@" wrk nginx curl python3 sqlite3
command -v /usr/bin/time >/dev/null || bench_die "/usr/bin/time is not installed (apt-get install time)"
SCALE=${SCALE:-1m}
N=$(bench_count "$SCALE")
SAMPLE=$(bench_count "${API_SAMPLE:-20k}")
[ -n "$N" ] && [ -n "$SAMPLE" ] || exit 1
[ "$SAMPLE" -le "$N" ] || SAMPLE=$N
PARTS=${PARTS:-write,docket,reads}
INGEST=${INGEST:-api}
case "$INGEST" in api | bulk) ;; *) bench_die "INGEST=$INGEST: api or bulk" ;; esac
# On PostgreSQL (BACKEND=postgresql) only the write path and the burst run: the docket's ingest, scoring and
# reads read SQLite's file (not done for PostgreSQL yet).
if [ "$BACKEND" = postgresql ]; then
	case ",$PARTS," in
	*,docket,* | *,reads,*) [ "$PARTS" = write,docket,reads ] && PARTS=write ||
		bench_die "BACKEND=postgresql: only PARTS=write runs on PostgreSQL" ;;
	esac
fi
DOCKET="python3 $HERE/docket.py"
TRUTH=$TMP/truth.txt
KEEP=${DOCKET_DIR:-}
if [ -n "$KEEP" ]; then
	[ "$INGEST" = bulk ] || bench_die "DOCKET_DIR keeps a bulk load: INGEST=bulk"
	mkdir -p "$KEEP" || bench_die "cannot make $KEEP"
	KEEP=$(cd "$KEEP" && pwd)
	if [ -s "$KEEP/ingest.txt" ] && ! grep -q "^$N of $N " "$KEEP/ingest.txt"; then
		bench_die "$KEEP holds a docket of another size ($(cut -d' ' -f1 "$KEEP/ingest.txt")): SCALE=$SCALE is $N"
	fi
fi
RSS_GOAL=300

load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now)"; }
rate() { python3 -c "import sys; n, t = int(sys.argv[1]), float(sys.argv[2]); print('%.0f' % (n / t) if t else '-')" "$1" "$2"; }
# Every peak RSS of the run, in MB, with what it was: checked against the goal at the end.
RSS_ALL=()
rss() { # what MB
	RSS_ALL+=("$2 MB $1")
}
part() { case ",$PARTS," in *",$1,"*) return 0 ;; esac; return 1; }

echo "bench-scale: BACKEND=$BACKEND, PARTS=$PARTS, SCALE=$SCALE ($N contributions), $(nproc) cores, $(awk '/MemTotal/ {printf "%d", $2 / 1048576}' /proc/meminfo) GB," \
	"$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $(date -u +%Y-%m-%dT%H:%MZ); load average $(load)"
STATUS=0

# -- 1. the write path, and the burst ------------------------------------------------------------
if part write; then
	echo
	echo "== 1. write path: API against raw SQLite, then a burst of ${BURST:-75000} (bench/write-path.sh; load $(load))"
	BENCH_SECONDS=${WRITE_SECONDS:-10} BENCH_BURST=${BURST:-75000} "$HERE/write-path.sh" "$BUILD" >"$TMP/write.out" 2>&1 ||
		STATUS=1
	sed 's/^/   /' "$TMP/write.out"
	w=$(sed -n 's/^server peak memory (VmHWM): \([0-9]*\) MB.*/\1/p' "$TMP/write.out")
	[ -n "$w" ] && rss "the server of the write path and the burst" "$w"
fi

# -- 2. the docket: generated, ingested, clustered ---------------------------------------------------
if part docket || part reads; then
	echo
	echo "== 2. docket of $N contributions (bench/docket.py, seeded; load $(load))"
	KEPT=
	if [ -n "$KEEP" ] && [ -s "$KEEP/ingest.txt" ]; then
		KEPT=yes
		DB=$KEEP/consulta.db
		read -r CALL CATEGORY SLUG <"$KEEP/call.txt"
	else
		bench_demo --live
		read -r CALL CATEGORY < <(sqlite3 -separator ' ' "$DB" \
			"SELECT c.id, k.slug FROM call c JOIN category k ON k.process_id = c.process_id
			 WHERE c.opens_at <= strftime('%s','now') AND c.closes_at > strftime('%s','now') ORDER BY c.id, k.position LIMIT 1")
		[ -n "${CALL:-}" ] || bench_die "the live demo has no open call"
		SLUG=$(sqlite3 "$DB" "SELECT p.slug FROM process p JOIN call c ON c.process_id = p.id WHERE c.id = $CALL")
	fi
	if [ -n "$KEPT" ]; then
		echo "   ingest (kept in $KEEP from an earlier run, as it was measured then): $(cat "$KEEP/ingest.txt")"
		TRUTH=$KEEP/truth.txt
		SCORE_BY=
	elif [ "$INGEST" = bulk ]; then
		if [ -n "$KEEP" ]; then # loaded in DIR from the start: a load stopped half-way starts over
			rm -f "$KEEP"/consulta.db* "$KEEP"/pass.*
			mv "$DB" "$KEEP/consulta.db"
			rm -f "$DB"-wal "$DB"-shm
			DB=$KEEP/consulta.db
			TRUTH=$KEEP/truth.txt
			echo "$CALL $CATEGORY $SLUG" >"$KEEP/call.txt"
		fi
		T0=$(now)
		$DOCKET load "$DB" "$CALL" "$N" --truth "$TRUTH" ||
			bench_die "docket.py load failed"
		secs=$(since "$T0")
		total=$(sqlite3 "$DB" "SELECT count(*) FROM contribution WHERE call_id = $CALL AND tracking LIKE 'BENCH-%'")
		line="$total of $N in $secs s = $(rate "$total" "$secs")/s; database $(($(stat -c %s "$DB") / 1048576)) MB (load $(load))"
		echo "   ingest, bulk load (docket.py load: generated and inserted by Python's sqlite3 in transactions of 10,000," \
			"no HTTP, no receipt, no search entry, no ledger leaf, no campaign on arrival): $line"
		[ "$total" = "$N" ] || STATUS=1
		[ -n "$KEEP" ] && [ "$total" = "$N" ] && echo "$line, on $(date -u +%Y-%m-%d)" >"$KEEP/ingest.txt"
		SCORE_BY=
	else
	T0=$(now)
	$DOCKET jsonl "$N" --category "$CATEGORY" --truth "$TRUTH" >"$TMP/docket.jsonl" || bench_die "docket.py failed"
	echo "   generated in $(since "$T0") s ($(($(stat -c %s "$TMP/docket.jsonl") / 1048576)) MB of JSON lines); not part of the ingest's time"

	# 2a. the first SAMPLE lines through the API: CLIENTS keep-alive connections (default 32), each sending
	# the next line once the answer to its last has come (Python asyncio, one process: light beside the server).
	INGEST_T=0
	if [ "$SAMPLE" -gt 0 ]; then
		bench_serve --threads 2 --per-address-limit 0
		head -n "$SAMPLE" "$TMP/docket.jsonl" >"$TMP/sample.jsonl"
		python3 - "$PORT" "$CALL" "${CLIENTS:-32}" "$TMP/sample.jsonl" >"$TMP/sample.out" <<'PY' ||
import asyncio, statistics, sys, time
port, call, clients = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
lines = [l.rstrip("\n").encode() for l in open(sys.argv[4])]
head = b"POST /api/v1/calls/%s/contributions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" % call.encode()
counts = {"201": 0, "503": 0, "other": 0, "unanswered": 0}
latency = []
nxt = 0

async def client():
    global nxt
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    while nxt < len(lines):
        body = lines[nxt]
        nxt += 1
        t = time.monotonic()
        writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        try:
            answer = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)).decode("latin-1").split("\r\n")
            length = [int(h.split(":", 1)[1]) for h in answer if h.lower().startswith("content-length:")]
            await reader.readexactly(length[0] if length else 0)
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
            counts["unanswered"] += 1
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
            continue
        latency.append(time.monotonic() - t)
        status = answer[0].split(" ")[1]
        counts[status if status in counts else "other"] += 1
    writer.close()

async def main():
    t0 = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.monotonic() - t0

secs = asyncio.run(main())
q = statistics.quantiles(latency, n=100) if len(latency) > 1 else [0] * 99
print("SAMPLE created=%d refused=%d other=%d unanswered=%d seconds=%.2f p50_ms=%.1f p99_ms=%.1f" %
      (counts["201"], counts["503"], counts["other"], counts["unanswered"], secs, q[49] * 1000, q[98] * 1000))
PY
			{ cat "$TMP/sample.out" >&2; bench_die "the API sample failed"; }
		read -r created refused other unanswered secs p50 p99 < <(sed -n 's/^SAMPLE created=\([0-9]*\) refused=\([0-9]*\) other=\([0-9]*\) unanswered=\([0-9]*\) seconds=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\)/\1 \2 \3 \4 \5 \6 \7/p' "$TMP/sample.out")
		[ -n "${created:-}" ] || { cat "$TMP/sample.out" >&2; bench_die "the API sample printed no result"; }
		w=$(bench_hwm)
		rss "the server taking the API sample" "$w"
		bench_stop
		stored=$(sqlite3 "$DB" "SELECT count(*) FROM contribution WHERE call_id = $CALL AND name LIKE 'Sender %'")
		INGEST_T=$secs
		echo "   ingest, API: $SAMPLE lines POSTed (${CLIENTS:-32} keep-alive connections, serve --threads 2): $created answered 201, $refused 503, $other other, $unanswered unanswered;" \
			"$stored stored in $secs s = $(rate "$stored" "$secs")/s; latency p50 $p50 ms, p99 $p99 ms; server peak RSS $w MB"
		[ "$created" -le "$stored" ] || { echo "   WARNING: $created answered 201 but $stored stored"; STATUS=1; }
	fi

	# 2b. the rest through `consulta import`: the same contribution_receive, by group commit, no HTTP.
	REST=$((N - SAMPLE))
	if [ "$REST" -gt 0 ]; then
		T0=$(now)
		tail -n +"$((SAMPLE + 1))" "$TMP/docket.jsonl" |
			/usr/bin/time -f "%e %M" -o "$TMP/import.time" "$BIN" --db "sqlite:$DB" import --call "$CALL" \
				--threads "${IMPORT_THREADS:-32}" - >"$TMP/import.out" 2>"$TMP/import.log"
		import_rc=$?
		read -r secs kb <"$TMP/import.time"
		secs=$(since "$T0")
		refused=$(grep -c '"error"' "$TMP/import.out")
		imported=$(grep -c '"tracking"' "$TMP/import.out")
		rss "consulta import" $((kb / 1024))
		echo "   ingest, bulk: $REST lines by \`consulta import --threads ${IMPORT_THREADS:-32}\` (contribution_receive on the group commit," \
			"receipts queued, campaigns on arrival; no HTTP): $imported imported, $refused refused in $secs s = $(rate "$imported" "$secs")/s;" \
			"peak RSS $((kb / 1024)) MB; $(grep -o 'batches=[0-9]*' "$TMP/import.log" | tail -1) (load $(load))"
		[ "$import_rc" = 0 ] || { grep -m3 '"error"' "$TMP/import.out"; tail -3 "$TMP/import.log"; STATUS=1; }
		INGEST_T=$(python3 -c "print('%.1f' % (${INGEST_T} + $secs))")
	fi
	total=$(sqlite3 "$DB" "SELECT count(*) FROM contribution WHERE call_id = $CALL AND name LIKE 'Sender %'")
	echo "   ingest, both: $total of $N stored in $INGEST_T s = $(rate "$total" "$INGEST_T")/s;" \
		"database $(($(stat -c %s "$DB") / 1048576)) MB ($(sqlite3 "$DB" "SELECT count(*) FROM outbox") receipts queued)"
	[ "$total" = "$N" ] || STATUS=1
	echo "   campaigns recognised on arrival: $($DOCKET score "$DB" "$CALL" --truth "$TRUTH" --by-name)"
		SCORE_BY=--by-name
	fi

	if [ "${CLUSTER_PASS:-1}" != 0 ]; then
		# Kept in DOCKET_DIR: the stretches so far (pass.stretches: seconds, peak KB, how each ended), one
		# running now (pass.running: when it began), the pass done (pass.done).
		resume=
		if [ -n "$KEEP" ] && [ -f "$KEEP/pass.running" ]; then # stopped: counted to its last commit
			began=$(cat "$KEEP/pass.running")
			last=$(stat -c %Y "$DB"-wal 2>/dev/null || stat -c %Y "$DB")
			echo "$((last - began)) - stopped" >>"$KEEP/pass.stretches"
			rm -f "$KEEP/pass.running"
		fi
		[ -n "$KEEP" ] && [ -s "$KEEP/pass.stretches" ] && resume=--resume
		if [ -z "$KEEP" ] || [ ! -f "$KEEP/pass.done" ]; then
			[ -n "$KEEP" ] && date +%s >"$KEEP/pass.running"
			/usr/bin/time -f "%e %M" -o "$TMP/pass.time" "$BIN" --db "sqlite:$DB" campaigns --call "$CALL" $resume \
				>"$TMP/pass.out" 2>"$TMP/pass.log" || { cat "$TMP/pass.log" >&2; bench_die "consulta campaigns failed"; }
			read -r secs kb <"$TMP/pass.time"
			if [ -n "$KEEP" ]; then
				echo "$secs $kb finished" >>"$KEEP/pass.stretches"
				cp "$TMP/pass.out" "$KEEP/pass.done"
				rm -f "$KEEP/pass.running"
			fi
		fi
		if [ -n "$KEEP" ]; then
			secs=$(awk '{ s += $1 } END { printf "%.1f", s }' "$KEEP/pass.stretches")
			kb=$(awk '$2 != "-" && $2 > m { m = $2 } END { print m + 0 }' "$KEEP/pass.stretches")
			stretches="in $(wc -l <"$KEEP/pass.stretches") stretches ($(awk '{ printf "%s%s s %s", (NR > 1 ? ", " : ""), $1, $3 }' "$KEEP/pass.stretches"));"
			cp "$KEEP/pass.done" "$TMP/pass.out"
		else
			stretches=
		fi
		rss "consulta campaigns (the clustering pass)" $((kb / 1024))
		echo "   clustering pass alone (consulta campaigns --call $CALL, every contribution again): $secs s = $(rate "$N" "$secs")/s," \
			"$stretches peak RSS $((kb / 1024)) MB; $(cat "$TMP/pass.out") (load $(load))"
		echo "   score after the pass: $($DOCKET score "$DB" "$CALL" --truth "$TRUTH" $SCORE_BY)"
	fi
	rm -f "$TMP/docket.jsonl" "$TMP/sample.jsonl" "$TMP/import.out"
fi

# -- 3. reads of the docket, against nginx serving the same bytes -------------------------------------
if part reads; then
	echo
	echo "== 3. reads of that docket: consulta against nginx serving the same bytes (bench/version-page.sh; load $(load))"
	for path in "/processes/$SLUG" "/calls/$CALL/contributions"; do
		BENCH_DB=$DB BENCH_PATH=$path BENCH_DURATION=${READ_SECONDS:-10}s BENCH_WARMUP=2s \
			"$HERE/version-page.sh" "$BUILD" >"$TMP/read.out" 2>&1 || {
			# No figure (too slow for wrk to see an answer within its time-out): say how slow, by three requests alone.
			sed 's/^/   /' "$TMP/read.out"
			bench_serve --threads 2 --per-address-limit 0
			times=$(for _ in 1 2 3; do curl -s -o /dev/null --max-time 300 -w '%{time_total}\n' "$URL$path"; done | sort -n | tr '\n' ' ')
			echo "   GET $path: no figure from bench/version-page.sh (above); three requests alone took ${times% }s (sorted); server peak RSS $(bench_hwm) MB"
			rss "the server of GET $path (three requests)" "$(bench_hwm)"
			bench_stop
			STATUS=1
			continue
		}
		size=$(sed -n 's/^page .*: 200 from both, \([0-9]*\) bytes.*/\1/p' "$TMP/read.out")
		line=$(grep '^consulta [0-9]* req/s' "$TMP/read.out")
		w=$(sed -n 's/^consulta peak RSS (VmHWM) \([0-9]*\) MB/\1/p' "$TMP/read.out")
		warn=$(grep -c 'warning: errors' "$TMP/read.out")
		note=
		[ "$warn" != 0 ] && note=" (wrk saw errors or time-outs: see bench/version-page.sh's warning)"
		echo "   GET $path ($size bytes): $line; server peak RSS $w MB$note"
		rss "the server of GET $path" "$w"
	done
fi

echo
echo "== peak RSS of each consulta process (goal under $RSS_GOAL MB):"
for r in "${RSS_ALL[@]}"; do
	echo "   $r"
	[ "${r%% *}" -lt "$RSS_GOAL" ] || { echo "   (over the goal)"; STATUS=1; }
done
echo "bench-scale: done, load average $(load)"
exit $STATUS
