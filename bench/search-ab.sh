#!/bin/bash
# Search before and after, interleaved: two builds' servers on one database
# (SQLite or PostgreSQL, read only), each query asked of one then the other
# (the order swapped every round), so that both see the same load — on a
# machine shared with other work, bench/search.sh's two halves do not. The
# words are a seeded draw of a kept bench/search.sh database's docket texts,
# put in classes by the ceiling's count (common > 10,000, medium > 2,000,
# rare); 12 of each, one warming round, three measured. Prints p50/p95/p99
# of each build by class, and for the common words the ceiling's count and
# what the second build says.
#
#   bench/search-ab.sh DB_URL BEFORE_BINARY AFTER_BINARY BENCH_DIR/consulta.db BENCH_DIR/ceiling.db [AFTER_DB_URL]
#
# AFTER_DB_URL: the second build's server on a database of its own (a copy of DB_URL's, e.g. CREATE DATABASE
# ... TEMPLATE, then migrated by it), for a change of the schema or of the storage (migration 050).
set -u
DBURL=$1; A=$2; B=$3; SQ=$4; BARE=$5; DBURL_B=${6:-$1}; OUT=$(mktemp -d)
mkdir -p $OUT
# start BINARY NAME DB_URL: a server, its port printed. Tried for up to two minutes: on PostgreSQL at a high load the
# second server's start can time out on a lock ("canceling statement due to lock timeout") while the first's
# writer still holds its startup transaction.
start() {
  for _ in $(seq 12); do
    "$1" --db "$3" serve --listen 127.0.0.1:0 --threads 2 --per-address-limit 0 >"$OUT/$2.out" 2>"$OUT/$2.log" </dev/null &
    echo $! > "$OUT/$2.pid"
    for _ in $(seq 300); do grep -q '^listening on' "$OUT/$2.out" && break; kill -0 "$(cat "$OUT/$2.pid")" 2>/dev/null || break; sleep 0.1; done
    grep -q '^listening on' "$OUT/$2.out" && break
    sleep 10
  done
  sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$OUT/$2.out"; }
PA=$(start "$A" a "$DBURL"); PB=$(start "$B" b "$DBURL_B")
echo "ports $PA $PB; load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$PA" "$PB" "$SQ" "$BARE" <<'PY'
import http.client, json, random, sqlite3, sys, time, urllib.parse
pa, pb, sq, bare = sys.argv[1:5]
con = sqlite3.connect(sq); b = sqlite3.connect(bare)
rng = random.Random(5)
lo, hi = con.execute("SELECT min(id), max(id) FROM contribution WHERE tracking LIKE 'BENCH-%'").fetchone()
words = set()
for i in sorted(set(rng.randint(lo, hi) for _ in range(400))):
    t, = con.execute("SELECT text FROM contribution WHERE id = ?", (i,)).fetchone()
    ws = [w.strip(".,:").lower() for w in t.split() if w.strip(".,:").isalpha() and len(w) > 3]
    if ws: words.add(rng.choice(ws))
cls = {"common": [], "medium": [], "rare": []}
for w in sorted(words):
    n, = b.execute("SELECT count(*) FROM bare WHERE bare MATCH ?", ('{title body} : "%s"' % w,)).fetchone()
    cls["common" if n > 10000 else "medium" if n > 2000 else "rare"].append((w, n))
conns = {p: http.client.HTTPConnection("127.0.0.1", int(p), timeout=120) for p in (pa, pb)}
def ask(p, w, **kw):
    t = time.perf_counter()
    conns[p].request("GET", "/api/v1/search?" + urllib.parse.urlencode(dict(q=w, **kw)))
    r = conns[p].getresponse(); body = json.loads(r.read())
    return time.perf_counter() - t, body
def pct(xs, q):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(q / 100.0 * (len(xs) - 1))))] * 1000
for k in ("common", "medium", "rare"):
    qs = cls[k][:12]
    if not qs: continue
    for w, _ in qs: ask(pa, w); ask(pb, w)  # warm
    ta, tb = [], []
    for r in range(3):
        for w, n in qs:
            order = (pa, pb) if r % 2 == 0 else (pb, pa)
            for p in order:
                dt, body = ask(p, w)
                (ta if p == pa else tb).append(dt)
                if r == 0 and p == pb and k == "common":
                    print("   %s: ceiling %d, B says %d %s" % (w, n, body["total"], body.get("total_relation", "")))
    print("%-7s %2d words x 3: A p50 %6.1f p95 %6.1f p99 %6.1f | B p50 %6.1f p95 %6.1f p99 %6.1f ms" % (
        k, len(qs), pct(ta, 50), pct(ta, 95), pct(ta, 99), pct(tb, 50), pct(tb, 95), pct(tb, 99)))
PY
kill $(cat $OUT/a.pid) $(cat $OUT/b.pid)
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$OUT"
