#!/bin/bash
# Measures search (issue 12, item 1): the p99 latency of GET /api/v1/search
# over BENCH_CONTRIBUTIONS (default 1,000,000) published contributions, and
# the same queries on a bare FTS5 table of the same texts as the ceiling: the
# ratio is ours over it. Goal: p99 under 100 ms.
#
#   bench/search.sh BUILD_DIR
#
# It makes a new database (init and the demo), adds the contributions with
# bench/docket.py (rows written directly, in batches: a docket of mass
# campaigns and unique texts, as FCC 17-108's), then builds the index the way
# a database of before migration 018 gets it: the search tables dropped and
# `consulta init` run again, which fills them from what is published (its
# time is printed). The ceiling is a separate SQLite file with one FTS5 table
# (the same tokenizer, unicode61 remove_diacritics 2) of the same texts,
# queried in-process by Python's sqlite3 (the same SQLite library): the rows
# of the page by bm25 with a snippet, and the count, as the server does, but
# with no HTTP, no filters, no join and no JSON.
#
# The queries (BENCH_QUERIES, default 150, each run BENCH_ROUNDS times,
# default 3, after one unmeasured round that warms the caches of both, one
# after the other on one keep-alive connection) are words of
# the docket chosen by a seeded draw: two thirds from its vocabulary (a word
# of the unique texts, or of a campaign's template: then it matches a large
# share of the docket), a third from its towns (the signatures). Prints,
# e.g.:
#   1000000 contributions; index by migration 018 in 412 s; 450 queries: ours p50 9.1 ms p99 61.0 ms;
#   bare FTS5 p50 6.0 ms p99 52.3 ms; p99 ratio 1.17; narrowed to the process: p50 ... p99 ...
# The last figure is the same queries with ?process=: a filter makes the statement join every match to its
# entry (and contribution) before ranking, so it costs with the number of matches, not the page.
set -u

BENCH_NAME=search
. "$(dirname "$0")/lib.sh"
die() { bench_die "$@"; }
bench_begin "$@" python3 sqlite3
N=${BENCH_CONTRIBUTIONS:-1000000}
NQ=${BENCH_QUERIES:-150}
ROUNDS=${BENCH_ROUNDS:-3}

# BENCH_DIR=DIR keeps the two databases there, and a later run with the same DIR only measures.
KEEP=${BENCH_DIR:-}
if [ -n "$KEEP" ] && [ -f "$KEEP/bare.db" ]; then
	DB="$KEEP/consulta.db"
	TI=$(cat "$KEEP/index-seconds")
else
	bench_demo
	python3 "$HERE/docket.py" load "$DB" 1 "$N" || die "cannot add the contributions"

	# The index as migration 018 makes it for a database that had none.
	sqlite3 "$DB" "DROP TABLE search_word; DROP TABLE search_gram; DROP TABLE search_entry;
	               DELETE FROM schema_migration WHERE version = 18;" || die "cannot drop the index"
	now() { date +%s.%N; }
	T0=$(now)
	run init >"$TMP/init2.out" 2>&1 || { cat "$TMP/init2.out" >&2; die "consulta init failed"; }
	TI=$(echo "$(now) - $T0" | bc)

	# The ceiling: the same texts in a bare FTS5 table of their own.
	sqlite3 "$TMP/bare.db" "ATTACH '$DB' AS m;
	  CREATE VIRTUAL TABLE bare USING fts5(body, tokenize='unicode61 remove_diacritics 2');
	  INSERT INTO bare (rowid, body) SELECT id, text FROM m.contribution WHERE state = 'published' AND publication <> 'private';" ||
		die "cannot make the bare FTS5 table"
	if [ -n "$KEEP" ]; then
		mkdir -p "$KEEP" && mv "$DB" "$TMP/bare.db" "$KEEP/" && rm -f "$DB-wal" "$DB-shm" || die "cannot keep them in $KEEP"
		DB="$KEEP/consulta.db"
		echo "$TI" >"$KEEP/index-seconds"
	fi
fi
BARE="$(dirname "$DB")/bare.db"

bench_serve
python3 - "$URL" "$BARE" "$DB" "$NQ" "$ROUNDS" "$N" "$TI" <<'PY' || die "the measurement failed"
import http.client, json, random, sqlite3, sys, time, urllib.parse
url, bare, db, nq, rounds, n, ti = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
# the docket's words: read back from the texts themselves (seeded draw over a sample of rows)
con = sqlite3.connect(db)
rng = random.Random(17)
ids = [r[0] for r in con.execute("SELECT id FROM contribution WHERE tracking LIKE 'BENCH-%' ORDER BY random() LIMIT 2000")]
words, towns = [], []
for i in ids:
    text, = con.execute("SELECT text FROM contribution WHERE id = ?", (i,)).fetchone()
    for line in text.split("\n"):
        if line.startswith("I have lived in ") or " have lived in " in line:
            towns.append(line.split(" have lived in ")[1].split(" for ")[0])
    ws = [w.strip(".,:").lower() for w in text.split() if w.strip(".,:").isalpha() and len(w) > 3]
    if ws:
        words.append(rng.choice(ws))
con.close()
queries = [rng.choice(words) for _ in range(nq * 2 // 3)] + [rng.choice(towns or words) for _ in range(nq - nq * 2 // 3)]

host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
def ours(q, **narrow):
    t = time.perf_counter()
    conn.request("GET", "/api/v1/search?" + urllib.parse.urlencode(dict(q=q, **narrow)))
    r = conn.getresponse()
    body = r.read()
    dt = time.perf_counter() - t
    if r.status != 200:
        raise SystemExit("%s: %d %s" % (q, r.status, body[:200]))
    return dt, json.loads(body)["total"]

b = sqlite3.connect(bare)
def ceiling(q):
    m = '"%s"' % q.replace('"', '""')
    t = time.perf_counter()
    rows = b.execute("SELECT rowid, snippet(bare, 0, char(2), char(3), '…', 24) FROM bare WHERE bare MATCH ? "
                     "ORDER BY bm25(bare) LIMIT 20", (m,)).fetchall()
    total, = b.execute("SELECT count(*) FROM bare WHERE bare MATCH ?", (m,)).fetchone()
    return time.perf_counter() - t, total

# one unmeasured round of every query on both: the measured rounds see warm caches (SQLite's page cache and the
# system's), on both sides alike
for q in queries:
    ours(q); ceiling(q)
t_ours, t_bare, mismatch, big = [], [], 0, 0
for _ in range(rounds):
    for q in queries:
        a, ta = ours(q)
        c, tc = ceiling(q)
        t_ours.append(a); t_bare.append(c)
        mismatch += ta != tc
        big = max(big, tc)
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))] * 1000
# the same queries narrowed to the process (every contribution is in it): the joined statements, which read
# an entry and a contribution for each match; no ceiling (the bare table has no filters)
t_narrow = [ours(q, process="gca-guidelines")[0] for q in queries]
o99, c99 = pct(t_ours, 99), pct(t_bare, 99)
print("%d contributions; index by migration 018 in %.0f s; %d queries (largest total %d, %d totals differ): "
      "ours p50 %.1f ms p99 %.1f ms; bare FTS5 p50 %.1f ms p99 %.1f ms; p99 ratio %.2f; goal p99 < 100 ms: %s; "
      "narrowed to the process (%d queries): p50 %.1f ms p99 %.1f ms"
      % (n, ti, len(t_ours), big, mismatch, pct(t_ours, 50), o99, pct(t_bare, 50), c99, o99 / c99,
         "met" if o99 < 100 else "NOT met", len(t_narrow), pct(t_narrow, 50), pct(t_narrow, 99)))
PY
