#!/bin/bash
# Instructions per contribution on the write path (issue 11, item 1), a figure that the machine's load does not
# move as it moves the rate of bench/write-path.sh: `consulta serve` runs under valgrind's callgrind (every
# thread counted apart), a small client sends BENCH_WARMUP (default 200) contributions through
# POST /api/v1/calls/{id}/contributions, the counters are zeroed, then it sends BENCH_POSTS (default 2,000)
# more over BENCH_CONNECTIONS (default 16) keep-alive connections, the same JSON as write-path.sh's; when
# the writer has been idle long enough for its campaigns' pass, the counters are dumped and read: the
# instructions of the writer thread, of libmicrohttpd's threads (the requests: HTTP, JSON, the check, the
# receipt's text) and of the rest (mail sender, sweeper), each divided by the contributions stored meanwhile.
#
#   bench/write-instructions.sh BUILD_DIR            # BENCH_KEEP=DIR keeps the callgrind files in DIR
#
# Valgrind runs one thread at a time, so batches are not those of a real run: compare builds with this
# script, not with write-path.sh's rates. A release build with debug information names the functions
# (callgrind_annotate on the kept files).
set -u

BENCH_NAME=write-instructions
. "$(dirname "$0")/lib.sh"
bench_begin "$@" valgrind callgrind_control python3 sqlite3 curl
WARMUP=${BENCH_WARMUP:-200}
POSTS=${BENCH_POSTS:-2000}
CONNS=${BENCH_CONNECTIONS:-16}
KEEP=${BENCH_KEEP:-}

bench_demo --live
IFS='|' read -r CALL CATEGORY < <(bench_sql \
	"SELECT c.id, k.slug FROM call c JOIN category k ON k.process_id = c.process_id
	 WHERE c.opens_at <= $(date +%s) AND c.closes_at > $(date +%s) ORDER BY c.id, k.position LIMIT 1")
[ -n "${CALL:-}" ] || die "the demo has no open call"

SERVE_WRAPPER="valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file=$TMP/cg.out" bench_serve

# post N FIRST: N contributions numbered from FIRST, over CONNS connections; prints how many were answered 201.
post() {
	python3 - "$PORT" "$CALL" "$CATEGORY" "$1" "$2" "$CONNS" <<'PY'
import http.client, json, sys, threading
port, call, category, n, first, conns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
created = [0] * conns
def run(t):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
    for i in range(first + t, first + n, conns):
        body = ('{"name":"Bench %d","organization":"Bench Org","category":"%s","country":"CH",'
                '"email":"bench%d@example.org","text":"A contribution sent by the benchmark, number %d.",'
                '"publication":"named"}' % (i, category, i, i))
        c.request("POST", "/api/v1/calls/%s/contributions" % call, body, {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        created[t] += r.status == 201
threads = [threading.Thread(target=run, args=(t,)) for t in range(conns)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(created))
PY
}
count() { bench_sql "SELECT count(*) FROM contribution" | tail -1; }

echo "write instructions: call $CALL, $WARMUP warm-up, then $POSTS contributions over $CONNS connections; $(uptime | sed 's/.*load/load/')"
warm=$(post "$WARMUP" 0)
[ "$warm" = "$WARMUP" ] || die "warm-up: $warm of $WARMUP answered 201"
sleep 3 # the campaigns' pass of the warm-up
callgrind_control -z "$CONSULTA_PID" >/dev/null || die "callgrind_control -z failed"
before=$(count)
created=$(post "$POSTS" "$WARMUP")
sleep 5 # the writer's campaigns' pass, after 20 ms without a contribution (slower under valgrind)
after=$(count)
callgrind_control -d "$CONSULTA_PID" >/dev/null || die "callgrind_control -d failed"
stored=$((after - before))
[ "$created" = "$POSTS" ] && [ "$stored" = "$POSTS" ] || echo "warning: $created answered 201, $stored stored, of $POSTS"

# The dump of the counters since the zero: one file per thread (cg.out.N-TID); the writer's holds writer_main,
# libmicrohttpd's hold its MHD_polling_thread (each event thread's loop).
python3 - "$TMP" "$stored" <<'PY'
import glob, re, sys
tmp, n = sys.argv[1], int(sys.argv[2])
groups = {"writer": 0, "requests": 0, "other": 0}
for path in glob.glob(tmp + "/cg.out.*-*"):
    text = open(path, errors="replace").read()
    m = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    if not m:
        continue
    if "writer_main" in text:
        groups["writer"] += int(m.group(1))
    elif "MHD_polling_thread" in text or "MHD_" in text:
        groups["requests"] += int(m.group(1))
    else:
        groups["other"] += int(m.group(1))
total = sum(groups.values())
print("instructions per contribution (%d stored): writer %.0f, request threads %.0f, other threads %.0f, all %.0f"
      % (n, groups["writer"] / n, groups["requests"] / n, groups["other"] / n, total / n))
PY
if [ -n "$KEEP" ]; then
	mkdir -p "$KEEP" && cp "$TMP"/cg.out.*-* "$KEEP"/ && echo "callgrind files in $KEEP"
fi
