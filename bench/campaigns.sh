#!/bin/bash
# Measures the recognition of mass campaigns (issue 11, item 4) on a synthetic
# docket (bench/docket.py: 94 % of the contributions from a few hundred
# mail-merge templates with synonym swaps, names and greetings, the rest
# unique), in two parts, each scored against the generator's truth:
#
#  1. through the API: API_SCALE contributions (default 10k) POSTed to the open
#     call of a live demo by CLIENTS keep-alive connections (default 4) to
#     `consulta serve --threads 2`; campaigns are recognised on arrival, inside
#     each contribution's transaction. Prints the time, the rate, and the
#     server's peak RSS.
#  2. the clustering pass alone: SCALE contributions (default 100k; 1m, 21.7m
#     as the issue asks) written into the database directly by docket.py (the
#     bulk path: no HTTP, no receipt mail), then `consulta campaigns --call`
#     recognising them all, oldest first, with the same code as on arrival.
#     Prints the load's time, the pass's time and rate, and its peak RSS.
#  3. reads on that docket: the campaigns (API), the contributions page with its
#     campaigns folded, the list of those in no campaign, the largest campaign's
#     members; three times each.
#
# Precision and recall are pairwise (a pair of contributions is predicted when
# both are in one campaign, true when both come from one template) and B-cubed
# (per contribution, averaged); the goal is >= 0.95 each.
#
#   bench/campaigns.sh BUILD_DIR          (SCALE=100k API_SCALE=10k CLIENTS=4)
set -u

BENCH_NAME=campaigns
. "$(dirname "$0")/lib.sh"
bench_begin "$@" python3 sqlite3
command -v /usr/bin/time >/dev/null || bench_die "/usr/bin/time is not installed (apt-get install time)"

SCALE_N=$(bench_count "${SCALE:-100k}")
API_N=$(bench_count "${API_SCALE:-10k}")
CLIENTS=${CLIENTS:-4}
DOCKET="python3 $HERE/docket.py"

# -- 1. through the API -------------------------------------------------------
if [ "$API_N" -gt 0 ]; then
	bench_demo --live
	CALL=$(sqlite3 "$DB" "SELECT id FROM call WHERE opens_at <= strftime('%s','now') AND closes_at > strftime('%s','now') ORDER BY id LIMIT 1")
	[ -n "$CALL" ] || bench_die "the live demo has no open call"
	$DOCKET jsonl "$API_N" --truth "$TMP/api-lines.txt" >"$TMP/api.jsonl" || bench_die "docket.py failed"
	bench_serve --threads 2 --per-address-limit 0
	python3 - "$URL" "$CALL" "$CLIENTS" "$TMP/api.jsonl" "$TMP/api-lines.txt" "$TMP/api-truth.txt" "$TMP/api.time" <<'PY' || bench_die "the API part failed"
import http.client, json, sys, threading, time, urllib.parse
url, call, clients, jsonl, lines, truth_out, time_out = sys.argv[1:]
u = urllib.parse.urlparse(url)
texts = [json.loads(l)["text"] for l in open(jsonl)]
classes = [l.split()[1] for l in open(lines)]
tracking = [None] * len(texts)
nxt = [0]
lock = threading.Lock()
failed = []
def work():
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    while True:
        with lock:
            i = nxt[0]
            nxt[0] += 1
        if i >= len(texts):
            return
        body = json.dumps({"name": "Sender %d" % i, "category": "academia", "country": "CH",
                           "email": "s%d@example.org" % i, "text": texts[i], "publication": "named"})
        c.request("POST", "/api/v1/calls/%s/contributions" % call, body, {"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        if r.status != 201:
            failed.append((r.status, data[:200]))
            return
        tracking[i] = json.loads(data)["tracking"]
t0 = time.monotonic()
ts = [threading.Thread(target=work) for _ in range(int(clients))]
for t in ts: t.start()
for t in ts: t.join()
dt = time.monotonic() - t0
if failed:
    sys.exit("refused: %r" % failed[:3])
with open(truth_out, "w") as f:
    for t, c in zip(tracking, classes):
        f.write("%s %s\n" % (t, c))
open(time_out, "w").write("%.2f" % dt)
PY
	API_T=$(cat "$TMP/api.time")
	API_RSS=$(bench_hwm)
	# the server's own CPU time (user + system), steadier than the wall clock on a shared machine
	API_CPU=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$CONSULTA_PID/stat")
	bench_stop
	echo "api: $API_N contributions through POST /api/v1/calls/$CALL/contributions ($CLIENTS clients, 2 threads),"
	echo "     campaigns recognised on arrival: ${API_T} s, $(python3 -c "print(round($API_N / $API_T))") per second, server peak RSS ${API_RSS} MB, server CPU ${API_CPU} s"
	echo "     score: $($DOCKET score "$DB" "$CALL" --truth "$TMP/api-truth.txt")"
	rm -f "$DB" "$DB-wal" "$DB-shm"
fi

# -- 2. the clustering pass over a bulk-loaded docket ---------------------------
bench_demo --live
CALL=1
T0=$(date +%s.%N)
$DOCKET load "$DB" "$CALL" "$SCALE_N" --truth "$TMP/truth.txt" || bench_die "docket.py load failed"
T1=$(date +%s.%N)
/usr/bin/time -f "%e %M" -o "$TMP/pass.time" "$BIN" --db "sqlite:$DB" campaigns --call "$CALL" \
	>"$TMP/pass.out" 2>"$TMP/pass.log" || { cat "$TMP/pass.log" >&2; bench_die "consulta campaigns failed"; }
read -r PASS_T PASS_KB <"$TMP/pass.time"
echo "bulk: $SCALE_N contributions generated and written by docket.py in $(python3 -c "print(round($T1 - $T0, 1))") s"
echo "      clustering pass (consulta campaigns): ${PASS_T} s, $(python3 -c "print(round($SCALE_N / $PASS_T))") per second, peak RSS $((PASS_KB / 1024)) MB"
echo "      $(cat "$TMP/pass.out")"
echo "      score: $($DOCKET score "$DB" "$CALL" --truth "$TMP/truth.txt")"
echo "      index: $(sqlite3 "$DB" "SELECT count(*) FROM campaign_shape") signatures, $(sqlite3 "$DB" "SELECT count(*) FROM campaign_band") band rows, database $(($(stat -c %s "$DB") / 1048576)) MB"

# -- 3. reading the campaigns of that docket --------------------------------------
command -v curl >/dev/null || bench_die "curl is not installed"
bench_serve --threads 2 --per-address-limit 0
for path in "/api/v1/calls/$CALL/campaigns" "/calls/$CALL/contributions" "/api/v1/calls/$CALL/contributions?campaign=none" \
	"/api/v1/campaigns/$(sqlite3 "$DB" "SELECT id FROM campaign WHERE call_id = $CALL ORDER BY members DESC LIMIT 1")/contributions"; do
	times=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' "$URL$path"; done | sort -n | tr '\n' ' ')
	echo "read: $path: $times s (3 runs, sorted)"
done
