#!/bin/bash
# Measures search (issue 12, item 1): the latency of GET /api/v1/search over
# BENCH_CONTRIBUTIONS (default 1,000,000) published contributions, and the
# same queries on a bare FTS5 table of the same texts as the ceiling, in the
# same run: the ratio is ours over it. Goal: p99 under 100 ms.
#
#   bench/search.sh BUILD_DIR
#   BENCH_DIR=DIR bench/search.sh BUILD_DIR   # keeps the databases in DIR; a later run only measures
#   BENCH_NARROWED=0 ...                      # without the narrowed queries (printed after the goal's line)
#   BACKEND=postgresql BENCH_DIR=DIR ...      # the same queries on PostgreSQL: DIR's database (made by a run on
#                                             # SQLite) copied to a private PostgreSQL 15 by consulta migrate-db
#   BENCH_PG=URL BACKEND=postgresql ...       # a PostgreSQL database that already holds DIR's copy (made as
#                                             # below, kept): no copy
#   BENCH_PG_MEMORY=test BACKEND=postgresql  # that private server as the tests run it (shared_buffers 32 MB), instead of
#                                             # a database server's settings (the default, "server": docs/DEPLOY.md's
#                                             # shared_buffers 2 GB, effective_cache_size 6 GB, work_mem 16 MB) with
#                                             # the search's table and indexes read into shared_buffers (pg_prewarm)
#   BENCH_BEFORE=OTHER_BUILD_DIR ...          # OTHER's server measured first on the same database, then BUILD_DIR's:
#                                             # before and after back to back in one run (one copy to PostgreSQL)
#
# It makes a new database (init and the demo), adds the contributions with
# bench/docket.py (rows written directly, in batches: a docket of mass
# campaigns and unique texts, as FCC 17-108's) and BENCH_OTHER (default 2,000)
# each of texts in Chinese (country CN) and in Arabic (country EG), then
# builds the index the way a database of before migration 018 gets it: the
# search tables dropped and `consulta init` run again, which fills them from
# what is published (its time is printed). The ceiling is a separate SQLite
# file (ceiling.db) with two FTS5 tables of the same entries as ours (every
# row of search_entry, title and text: the contributions and the demo's
# paragraphs, letters and comments; unicode61 remove_diacritics 2; trigram for
# those in scripts without spaces) and a third column of their filters as
# words (migration 042's facets, made here from the rows by the same
# expression), queried in-process by Python's sqlite3 (the same SQLite
# library): the rows of the page by bm25 (title 2, text 1, facets 0) with a
# snippet, and the exact count, as the server did before windows, but with no
# HTTP, no join and no JSON. A kept BENCH_DIR of before (bare.db, contributions'
# texts only) gets its ceiling.db made once, from its consulta.db.
#
# The queries (BENCH_QUERIES, default 150, each run BENCH_ROUNDS times,
# default 3, after one unmeasured round that warms the caches of both, one
# after the other on one keep-alive connection) are drawn with a seed: two
# thirds words of the docket's texts (a word of the unique texts, or of a
# campaign's template: then it matches a large share of the docket), a third
# towns of its signatures; then 30 phrases (two words that follow each other
# in a text), 20 Chinese words of 3 or 4 characters, 20 Arabic words. The
# words are put in classes by how many texts the ceiling finds: rare (under
# 1,000), medium (up to 10,000), common (more). Then the words again,
# narrowed: to the process (every contribution is in it), to country CH (most
# match), and to country EG (a selective filter: few of a common word's
# matches pass), one round, each with its ceiling: the same filters as words
# of the ceiling's facets column (ours: facets since migration 042; before,
# the joined statements). Prints one line
# per class (count, p50/p95/p99 ours and bare, p99 ratio) and a last line with all the
# unfiltered queries and the goal, e.g.:
#   all: 660 queries: ours p50 9.1 p95 30.2 p99 61.0 ms; bare FTS5 p50 6.0 p95 ... p99 52.3 ms; p99 ratio 1.17; goal p99 < 100 ms: met
# Totals are compared with the ceiling's where ours says it is exact
# (total_exact), and where it says "more than" (total_relation "more_than",
# beyond LIMIT_SEARCH_COUNTED) the ceiling's must be more. Each query whose
# total differs so is printed (query, filter, ours, the ceiling's).
set -u

BENCH_NAME=search
BENCH_BACKENDS="sqlite postgresql"
. "$(dirname "$0")/lib.sh"
die() { bench_die "$@"; }
bench_begin "$@" python3 sqlite3
N=${BENCH_CONTRIBUTIONS:-1000000}
NQ=${BENCH_QUERIES:-150}
NOTHER=${BENCH_OTHER:-2000}
ROUNDS=${BENCH_ROUNDS:-3}

# other_texts DB N: N texts in Chinese (country CN) and N in Arabic (country EG), published, rows written as
# docket.py writes its own (tracking OTHER-…), made of a seeded draw of words of each.
other_texts() {
	python3 - "$1" "$2" <<'OTHER'
import random, sqlite3, sys
db, n = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
rng = random.Random(31)
zh = [a + b + c for a in "网络安全数据公共交通能源环境" for b in "管理规划服务保护建设发展" for c in "部门政策措施计划体系"]
ar = ["الشبكة", "الكهربائية", "المنطقة", "الشمالية", "تحسين", "المياه", "النقل", "العام", "الطاقة", "البيئة",
      "الحكومة", "المدينة", "السكان", "الخدمات", "التعليم", "الصحة", "الطرق", "المشروع", "القانون", "المجلس"]
cat, start = db.execute("SELECT k.id, c.opens_at FROM call c JOIN category k ON k.process_id = c.process_id "
                        "WHERE c.id = 1 ORDER BY k.id LIMIT 1").fetchone()
rows = []
for i in range(2 * n):
    words, country = (zh, "CN") if i % 2 == 0 else (ar, "EG")
    sep = "" if country == "CN" else " "
    text = "。".join(sep.join(rng.choice(words) for _ in range(rng.randint(4, 12))) for _ in range(rng.randint(2, 6)))
    rows.append(("OTHER-%09d" % i, cat, country, "o%d@example.org" % i, text, (start or 0) + i))
db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, email, "
               "text, publication, received_at, state) VALUES (?, 1, 'api', 'Other', '', ?, ?, ?, ?, 'named', ?, "
               "'published')", rows)
db.commit()
OTHER
}

# BENCH_DIR=DIR keeps the two databases there, and a later run with the same DIR only measures.
KEEP=${BENCH_DIR:-}
[ "$BACKEND" = sqlite ] || { [ -n "$KEEP" ] && [ -f "$KEEP/index-seconds" ]; } ||
	die "BACKEND=postgresql measures a BENCH_DIR made by a run on SQLite (its rows are copied by migrate-db)"
if [ -n "$KEEP" ] && [ -f "$KEEP/index-seconds" ]; then
	DB="$KEEP/consulta.db"
	DB_URL="sqlite:$DB"
	TI=$(cat "$KEEP/index-seconds")
else
	bench_demo
	python3 "$HERE/docket.py" load "$DB" 1 "$N" || die "cannot add the contributions"
	other_texts "$DB" "$NOTHER" || die "cannot add the Chinese and Arabic texts"

	# The index as migrations 018, 029, 040 and 042 make it for a database that had none (042 makes the FTS5 tables
	# again, with the facets: its time is in the index's).
	# (040 also gives comment its language: that column goes too, for 040 to add it again)
	sqlite3 "$DB" "DROP TABLE search_word; DROP TABLE search_gram; DROP TABLE search_entry;
	               ALTER TABLE comment DROP COLUMN language;
	               DELETE FROM schema_migration WHERE version IN (18, 29, 40, 42);" || die "cannot drop the index"
	now() { date +%s.%N; }
	T0=$(now)
	run init >"$TMP/init2.out" 2>&1 || { cat "$TMP/init2.out" >&2; die "consulta init failed"; }
	TI=$(echo "$(now) - $T0" | bc)

	if [ -n "$KEEP" ]; then
		mkdir -p "$KEEP" && mv "$DB" "$KEEP/" && rm -f "$DB-wal" "$DB-shm" || die "cannot keep them in $KEEP"
		DB="$KEEP/consulta.db"
		DB_URL="sqlite:$DB"
		echo "$TI" >"$KEEP/index-seconds"
	fi
fi
BARE="$(dirname "$DB")/ceiling.db"
# The ceiling: the same entries in bare FTS5 tables of their own, with their filters as words (migration 042's
# facets, by its expression, from the rows: a database of before 042 has none).
if [ ! -f "$BARE" ]; then
	T0=$(date +%s)
	python3 - "$DB" "$BARE.new" <<'CEILING' || die "cannot make the bare FTS5 tables"
import sqlite3, sys
db, out = sys.argv[1], sys.argv[2]
b = sqlite3.connect(out)
b.execute("ATTACH ? AS m", (db,))
facets = ("'_p' || e.process_id || '_ _t' || e.kind || '_' || CASE WHEN e.call_id IS NULL THEN '' ELSE ' _k' || "
          "e.call_id || '_' END || COALESCE((SELECT ' _g' || c.category_id || '_' || CASE WHEN c.country = '' THEN '' "
          "ELSE ' _o' || lower(c.country) || '_' END FROM m.contribution c WHERE c.id = e.contribution_id), '') || "
          "' _d' || replace(e.day, '-', '') || '_ _m' || substr(replace(e.day, '-', ''), 1, 6) || '_ _y' || "
          "substr(e.day, 1, 4) || '_ _e' || substr(e.day, 1, 3) || '_ _h' || substr(e.day, 1, 2) || '_ _i' || "
          "substr(e.day, 1, 1) || '_'")
spaceless = "(e.title || ' ' || e.body) GLOB '*[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u2E80-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F\U00020000-\U0003FFFF]*'"
b.execute("CREATE VIRTUAL TABLE bare USING fts5(title, body, facets, tokenize='unicode61 remove_diacritics 2')")
b.execute("INSERT INTO bare (rowid, title, body, facets) SELECT e.id, e.title, e.body, %s FROM m.search_entry e" % facets)
b.execute("CREATE VIRTUAL TABLE bare_gram USING fts5(title, body, facets, tokenize='trigram')")
b.execute("INSERT INTO bare_gram (rowid, title, body, facets) SELECT e.id, e.title, e.body, %s FROM m.search_entry e "
          "WHERE %s" % (facets, spaceless))
b.commit()
CEILING
	mv "$BARE.new" "$BARE" || die "cannot keep the ceiling"
	echo "the ceiling's FTS5 tables made in $(($(date +%s) - T0)) s"
fi

# A database server's memory settings (docs/DEPLOY.md, "PostgreSQL's settings"), for a machine of 8 GB and more
# whose database fits in its memory: shared_buffers a quarter of it and the search's table and indexes within
# it, effective_cache_size what the system's cache adds, work_mem so that a common word's bitmap stays exact.
PG_SERVER_SETTINGS="-c shared_buffers=2GB -c effective_cache_size=6GB -c work_mem=16MB"
if [ "$BACKEND" = postgresql ] && [ -n "${BENCH_PG:-}" ]; then
	DB_URL=$BENCH_PG # a copy made before, as below
elif [ "$BACKEND" = postgresql ]; then
	# the kept SQLite database (brought up to this program's schema first, as migrate-db asks) copied to a
	# private PostgreSQL 15; VACUUM ANALYZE then, as an installation's autovacuum would have done by now
	chmod 755 "$TMP" # the server runs as postgres when this runs as root
	PG_DIR="$TMP/pg"
	case ${BENCH_PG_MEMORY:-server} in
	server) PG_MEMORY=$PG_SERVER_SETTINGS ;;
	test) PG_MEMORY= ;;
	*) die "BENCH_PG_MEMORY is server or test" ;;
	esac
	prefix=$(PG_OPTIONS="$PG_MEMORY" "$HERE/../tests/pg/start.sh" "$PG_DIR") || die "PostgreSQL did not start"
	psql -X -q -d "${prefix}postgres" -c "CREATE DATABASE bench" || die "cannot make the database"
	"$BIN" --db "sqlite:$DB" init >"$TMP/init3.out" 2>&1 || { cat "$TMP/init3.out" >&2; die "consulta init failed"; }
	T0=$(date +%s)
	"$BIN" migrate-db --from "sqlite:$DB" --to "${prefix}bench" >"$TMP/copy.out" 2>&1 ||
		{ tail -5 "$TMP/copy.out" >&2; die "consulta migrate-db failed"; }
	T1=$(date +%s)
	psql -X -q -d "${prefix}bench" -c "VACUUM ANALYZE" || die "VACUUM ANALYZE failed"
	# warm, as a server's tables are after hours of use: the search's table, its TOAST table and indexes in
	# shared_buffers (as much as fits)
	[ -z "$PG_MEMORY" ] || psql -X -q -d "${prefix}bench" -f "$HERE/pg-prewarm.sql" >/dev/null ||
		die "pg_prewarm failed"
	echo "PostgreSQL: copied by consulta migrate-db in $((T1 - T0)) s (with its check), VACUUM ANALYZE in $(($(date +%s) - T1)) s"
	DB_URL="${prefix}bench"
fi
# measure: the server of $BIN on the database, the queries, the server stopped
measure() {
bench_serve
python3 - "$URL" "$BARE" "$DB" "$NQ" "$ROUNDS" "$N" "$TI" "${BENCH_NARROWED:-1}" <<'PY' || die "the measurement failed"
import http.client, json, random, sqlite3, sys, time, urllib.parse
url, bare, db, nq, rounds, n, ti = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
narrowed = sys.argv[8] != "0"
WINDOW = 10000  # the classes' bound between medium and common (LIMIT_SEARCH_RANKED until it became 2,000: kept, so
                # that the classes stay comparable with the earlier runs)
# the docket's words: read back from the texts themselves (seeded draw over a sample of rows)
con = sqlite3.connect(db)
rng = random.Random(17)
# ids drawn by the seeded generator (not SQLite's random()), so that two runs on one database ask the same
lo, hi = con.execute("SELECT min(id), max(id) FROM contribution WHERE tracking LIKE 'BENCH-%'").fetchone()
ids = sorted(set(rng.randint(lo, hi) for _ in range(2000)))
words, towns, phrases = [], [], []
for i in ids:
    text, = con.execute("SELECT text FROM contribution WHERE id = ?", (i,)).fetchone()
    for line in text.split("\n"):
        if line.startswith("I have lived in ") or " have lived in " in line:
            towns.append(line.split(" have lived in ")[1].split(" for ")[0])
    ws = [w.strip(".,:").lower() for w in text.split() if w.strip(".,:").isalpha() and len(w) > 3]
    if ws:
        words.append(rng.choice(ws))
    seq = [w.strip(".,:").lower() for w in text.split()]
    pairs = [(a, b) for a, b in zip(seq, seq[1:]) if a.isalpha() and b.isalpha()]
    if pairs:
        phrases.append('"%s %s"' % rng.choice(pairs))
others = {}
for country in ("CN", "EG"):
    texts = [r[0] for r in con.execute("SELECT text FROM contribution WHERE country = ? AND tracking LIKE 'OTHER-%' "
                                       "ORDER BY id LIMIT 200", (country,))]
    if country == "CN":
        pool = [t[k:k + rng.choice((3, 4))] for t in texts for k in range(0, len(t) - 4, 7)]
        pool = [w for w in pool if "。" not in w]
    else:
        pool = [w for t in texts for w in t.replace("。", " ").split()]
    others[country] = pool
con.close()
queries = [("word", rng.choice(words)) for _ in range(nq * 2 // 3)] + \
          [("town", rng.choice(towns or words)) for _ in range(nq - nq * 2 // 3)] + \
          [("phrase", rng.choice(phrases)) for _ in range(30)] + \
          [("chinese", rng.choice(others["CN"])) for _ in range(20 if others["CN"] else 0)] + \
          [("arabic", rng.choice(others["EG"])) for _ in range(20 if others["EG"] else 0)]

host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
def ours(q, **narrow):
    t = time.perf_counter()
    conn.request("GET", "/api/v1/search?" + urllib.parse.urlencode(dict(q=q, **narrow)))
    r = conn.getresponse()
    body = r.read()
    dt = time.perf_counter() - t
    if r.status != 200:
        raise SystemExit("%s: %d %s" % (q, r.status, body[:200]))
    j = json.loads(body)
    return dt, j["total"], j.get("total_exact", True)

b = sqlite3.connect(bare)
def ceiling(kind, q, facets=""):
    """The page (bm25, a snippet) and the exact count of q, narrowed by facets (an FTS5 expression) if given."""
    table = "bare_gram" if kind == "chinese" else "bare"
    m = "{title body} : (%s)" % (q if q.startswith('"') else '"%s"' % q.replace('"', '""'))
    if facets:
        m += " AND {facets} : (%s)" % facets
    t = time.perf_counter()
    rows = b.execute("SELECT rowid, snippet(%s, 1, char(2), char(3), '…', 24) FROM %s WHERE %s MATCH ? "
                     "ORDER BY bm25(%s, 2.0, 1.0, 0.0) LIMIT 20" % (table, table, table, table), (m,)).fetchall()
    total, = b.execute("SELECT count(*) FROM %s WHERE %s MATCH ?" % (table, table), (m,)).fetchone()
    return time.perf_counter() - t, total

# one unmeasured round of every query on both: the measured rounds see warm caches (SQLite's page cache and the
# system's), on both sides alike
size = {}
for kind, q in queries:
    ours(q); size[q] = ceiling(kind, q)[1]
def klass(kind, q):
    if kind != "word":
        return kind
    return "rare" if size[q] < 1000 else "medium" if size[q] <= WINDOW else "common"
t_ours, t_bare, mismatch, big = {}, {}, 0, 0
differ = {}  # (query, filter) -> (ours, the ceiling's), where ours says exact
for _ in range(rounds):
    for kind, q in queries:
        a, ta, exact = ours(q)
        c, tc = ceiling(kind, q)
        k = klass(kind, q)
        for key in (k, "all"):
            t_ours.setdefault(key, []).append(a)
            t_bare.setdefault(key, []).append(c)
        wrong = ta != tc if exact else tc <= ta  # "more than ta" must be
        mismatch += wrong
        if wrong:
            differ[(q, "")] = (ta, tc)
        big = max(big, tc)
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))] * 1000
def line(name, xs, ys=None):
    s = "%-8s %4d queries: ours p50 %6.1f p95 %6.1f p99 %6.1f ms" % (name, len(xs), pct(xs, 50), pct(xs, 95), pct(xs, 99))
    if ys:
        s += "; bare FTS5 p50 %6.1f p95 %6.1f p99 %6.1f ms; p99 ratio %.2f" % (pct(ys, 50), pct(ys, 95), pct(ys, 99),
                                                                             pct(xs, 99) / pct(ys, 99))
    print(s)
print("%d contributions (+ %s); index by migration 018 in %.0f s; largest total %d; %d totals differ from "
      "the ceiling's (exact ones, or \"more than\" ones that are not)" % (n, "Chinese and Arabic texts", ti, big, mismatch))
def differences():
    for (q, narrow), (ta, tc) in sorted(differ.items()):
        print("  total differs: q=%s%s: ours %d, the ceiling's %d" % (q, narrow and " " + narrow, ta, tc))
    differ.clear()
differences()
for k in ("rare", "medium", "common", "town", "phrase", "chinese", "arabic"):
    if k in t_ours:
        line(k, t_ours[k], t_bare[k])
o99 = pct(t_ours["all"], 99)
line("all", t_ours["all"], t_bare["all"])
print("goal p99 < 100 ms (all unfiltered queries): %s" % ("met" if o99 < 100 else "NOT met"))
sys.stdout.flush()
# narrowed: the words and towns only, one round (BENCH_NARROWED=0: not); the ceiling asks for the filter in its
# facets column (migration 042's words), as ours does since; its exact totals are compared too
plain = [q for kind, q in queries if kind in ("word", "town")]
pid, = sqlite3.connect(db).execute("SELECT id FROM process WHERE slug = 'gca-guidelines'").fetchone()
for name, narrow, facets in (("process", dict(process="gca-guidelines"), '"_p%d_"' % pid),
                             ("CH", dict(country="CH"), '"_och_"'), ("EG", dict(country="EG"), '"_oeg_"')):
    if not narrowed:
        break
    xs, ys, bounded, mismatch = [], [], 0, 0
    for q in plain:
        a, ta, exact = ours(q, **narrow)
        c, tc = ceiling("word", q, facets)
        xs.append(a)
        ys.append(c)
        bounded += not exact
        wrong = ta != tc if exact else tc <= ta
        mismatch += wrong
        if wrong:
            differ[(q, "%s=%s" % list(narrow.items())[0])] = (ta, tc)
    line("in " + name, xs, ys)
    print("         %d totals \"more than\" the bound, %d totals differ from the ceiling's" % (bounded, mismatch))
    differences()
PY
bench_stop
}
# BENCH_BEFORE=BUILD_DIR: that build's server first (e.g. a build of main), on the same database, then this one's
if [ -n "${BENCH_BEFORE:-}" ]; then
	AFTER=$BIN
	BIN=$(cd "$BENCH_BEFORE" && pwd)/consulta
	[ -x "$BIN" ] || die "no consulta binary in $BENCH_BEFORE"
	echo "== before: $BIN (load $(cut -d' ' -f1-3 /proc/loadavg))"
	measure
	BIN=$AFTER
	echo "== after: $BIN (load $(cut -d' ' -f1-3 /proc/loadavg))"
fi
measure
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
