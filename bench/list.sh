#!/bin/bash
# Measures the public list of a large call (issue 11: the list of 1,000,000 contributions took 1.5 to 1.9 s when
# each request counted the call, 13 to 32 s narrowed by comment type): BENCH_CONTRIBUTIONS (default 1,000,000)
# contributions of the demo's first call (a twentieth private, a fiftieth hidden, twelve countries, every category,
# all of one text, which the server's pass after the commit groups into one campaign; a tenth with a general
# comment, a twenty-fifth a technical one, a hundredth an editorial one), then every combination the list page and
# the API accept — each narrowing (none, category, country, each comment type, in no campaign, one campaign, and
# two at once), each order (oldest, newest, name) and each position (the first page, after and before a cursor 100
# rows from the end, as the next and previous links make them): BENCH_ROUNDS (default 15) requests of each, one at
# a time, and their median and 99th percentile (of so few, nearly the slowest), with the plan SQLite makes of the
# statement behind it (bench-list-sql prints them). The total it says is checked against a count of the rows.
#
#   bench/list.sh BUILD_DIR
#   BENCH_DIR=DIR bench/list.sh BUILD_DIR   # keeps the database in DIR; a later run with the same DIR only measures
#
# Builds BUILD_DIR's bench-list-sql. Prints one line per request: the path, p50 and p99 in ms, the total, the plan.
set -u

BENCH_NAME=list
. "$(dirname "$0")/lib.sh"
bench_begin "$@" curl python3 sqlite3
N=${BENCH_CONTRIBUTIONS:-1000000}
ROUNDS=${BENCH_ROUNDS:-15}
ninja -C "$BUILD" bench-list-sql >"$TMP/ninja.out" 2>&1 || { cat "$TMP/ninja.out" >&2; die "cannot build bench-list-sql"; }
"$BUILD/bench-list-sql" >"$TMP/statements" || die "bench-list-sql failed"

KEEP=${BENCH_DIR:-}
if [ -n "$KEEP" ] && [ -f "$KEEP/consulta.db" ]; then
	DB="$KEEP/consulta.db"
	DB_URL="sqlite:$DB"
	T0=$(date +%s.%N)
	run init >"$TMP/init.out" 2>&1 || { cat "$TMP/init.out" >&2; die "consulta init (its migrations) failed"; }
	echo "list: kept database $DB (its migrations: $(echo "$(date +%s.%N) - $T0" | bc) s)"
else
	bench_demo
	T0=$(date +%s.%N)
	bench_rows <<'PY' || die "cannot add the contributions"
opens, version = db.execute("SELECT opens_at, version_id FROM call WHERE id = 1").fetchone()
# the contribution's indexes are made again after the rows (one sort each, rather than a million insertions into
# each of them: 15 minutes were not enough for a third of the rows at load 20); its triggers run as they are
indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contribution' "
                     "AND sql IS NOT NULL").fetchall()
for name, _ in indexes:
    db.execute("DROP INDEX " + name)
countries = ["CH", "FR", "DE", "US", "JP", "BR", "KE", "IN", "CN", "EG", "AR", "NP"]
rows = (("LIST-%07d" % k, "Contributor %d" % (k % 997), categories[k % len(categories)],
         countries[(k * 7) % len(countries)], "private" if k % 20 == 0 else "named",
         "hidden" if k % 50 == 1 else "published", "Hidden by the bench." if k % 50 == 1 else None, opens + k)
        for k in range(n))
with db:
    db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                   "email, text, publication, state, moderation_reason, received_at) VALUES (?, 1, 'api', ?, '', ?, ?, "
                   "'bench@example.org', 'A contribution.', ?, ?, ?, ?)", rows)
with db:
    for _, sql in indexes:
        db.execute(sql)
# comments of each type on some (their triggers set contribution.comment_types, migration 041)
first, = db.execute("SELECT min(id) FROM contribution WHERE tracking LIKE 'LIST-%'").fetchone()
with db:
    for position, kind, every in ((1, "general", 10), (2, "technical", 25), (3, "editorial", 100)):
        db.execute("INSERT INTO comment (contribution_id, version_id, position, type, comment) SELECT id, ?, ?, ?, "
                   "'A comment of the bench.' FROM contribution WHERE id >= ? AND (id - ?) %% %d = 3" % every,
                   (version, position, kind, first, first))
PY
	echo "list: $N contributions written in $(echo "$(date +%s.%N) - $T0" | bc) s"
	if [ -n "$KEEP" ]; then
		mkdir -p "$KEEP" && mv "$DB" "$KEEP/" && rm -f "$DB-wal" "$DB-shm" || die "cannot keep it in $KEEP"
		DB="$KEEP/consulta.db"
		DB_URL="sqlite:$DB"
	fi
fi

bench_serve
curl -sf -o /dev/null "$URL/api/v1/calls/1" || die "the server does not answer"
# The campaign: the server's pass groups the texts after their commit, in the background; measured once it is done
# (at most BENCH_SETTLE seconds, default 1,800) so that the figures do not count its work.
T0=$(date +%s)
while :; do
	left=$(curl -s "$URL/api/v1/calls/1/campaigns" | grep -o '"ungrouped":[0-9]*' | cut -d: -f2)
	[ "${left:-1}" = 0 ] && break
	[ $(($(date +%s) - T0)) -gt "${BENCH_SETTLE:-1800}" ] && { echo "list: still $left ungrouped: measured meanwhile"; break; }
	sleep 5
done
echo "list: campaigns settled after $(($(date +%s) - T0)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$URL" "$DB" "$TMP/statements" "$ROUNDS" <<'PY' || die "the measurement failed"
import base64, http.client, re, sqlite3, sys, time, urllib.parse
url, path_db, statements, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
db = sqlite3.connect("file:%s?mode=ro" % path_db, uri=True)
sql = {}
for line in open(statements):
    key, text = line.rstrip("\n").split("\t", 1)
    sql[key] = text
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=300)
slug, category = db.execute("SELECT k.slug, k.id FROM category k JOIN call c ON c.process_id = k.process_id "
                            "WHERE c.id = 1 ORDER BY k.position LIMIT 1").fetchone()
campaign = db.execute("SELECT id FROM campaign WHERE call_id = 1 ORDER BY published DESC LIMIT 1").fetchone()
campaign = campaign[0] if campaign else 1
BITS = {"general": 1, "technical": 2, "editorial": 4}
# name: (query, the SQL condition of the rows it keeps besides the call and publication, statement key parts)
FILTERS = [("", None, (0, 0, "-", "any")),
           ("category=" + slug, "category_id = %d" % category, (1, 0, "-", "any")),
           ("country=FR", "country = 'FR'", (0, 1, "-", "any"))]
FILTERS += [("type=" + t, "(comment_types & %d) <> 0" % b, (0, 0, t, "any")) for t, b in BITS.items()]
FILTERS += [("campaign=none", "campaign_id IS NULL", (0, 0, "-", "none")),
            ("campaign=%d" % campaign, "campaign_id = %d" % campaign, (0, 0, "-", "one")),
            ("category=%s&country=FR" % slug, "category_id = %d AND country = 'FR'" % category, (1, 1, "-", "any")),
            ("type=technical&country=FR", "(comment_types & 2) <> 0 AND country = 'FR'", (0, 1, "technical", "any")),
            ("type=general&campaign=none", "(comment_types & 1) <> 0 AND campaign_id IS NULL", (0, 0, "general", "none"))]
NAMED = "CASE WHEN publication = 'named' AND state = 'published' THEN %s END"


def b64(s):
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def cursors(cond, sort):
    """The after and before cursors of the row 100 from the end of the list (by name: of its named rows)."""
    where = "call_id = 1 AND publication <> 'private' AND " + (
        "state = 'published' AND " + cond if cond else "state IN ('published', 'hidden')")
    if sort == "name":
        row = db.execute("SELECT id, lower(name) FROM contribution WHERE " + where + " AND publication = 'named' AND "
                         "state = 'published' ORDER BY lower(name) DESC, id DESC LIMIT 1 OFFSET 100").fetchone()
        return row and [b64("1.n.%s.%d.0.%s" % (d, row[0], row[1])) for d in "ab"]
    row = db.execute("SELECT id FROM contribution WHERE " + where + " ORDER BY id %s LIMIT 1 OFFSET 100"
                     % ("DESC" if sort == "oldest" else "ASC")).fetchone()
    return row and [b64("1.%s.%s.%d" % (sort[0], d, row[0])) for d in "ab"]


def truth(cond):
    where = "call_id = 1 AND publication <> 'private' AND " + (
        "state = 'published' AND " + cond if cond else "state IN ('published', 'hidden')")
    return db.execute("SELECT count(*) FROM contribution WHERE " + where).fetchone()[0]


def plan(key, o):
    text = sql["%d %d %s %s %s" % (key + (o,))]
    params = (1, slug, "FR", "", int(key != (0, 0, "-", "any")), 20, 0, campaign, 10 ** 12 if o == 1 else 0, "")
    rows = db.execute("EXPLAIN QUERY PLAN " + text, params[:max(int(k) for k in re.findall(r"\?(\d+)", text))]).fetchall()
    return "; ".join(r[3] for r in rows)


def timed(path):
    times, body = [], b""
    for _ in range(rounds):
        t = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t) * 1000)
        if r.status != 200:
            raise SystemExit("%s: %d %s" % (path, r.status, body[:200]))
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))], body


# the statement behind each position: PUBLIC_OLDEST 0, NEWEST 1, BY_NAME 2, NAMED_AFTER 3, NAMED_BEFORE 5
ORDER = {("oldest", ""): 0, ("oldest", "after"): 0, ("oldest", "before"): 1, ("newest", ""): 1,
         ("newest", "after"): 1, ("newest", "before"): 0, ("name", ""): 2, ("name", "after"): 3, ("name", "before"): 5}
slow = []
print("%-58s %8s %8s %9s  %s" % ("request (call 1)", "p50 ms", "p99 ms", "total", "plan of its page's statement"))
for query, cond, key in FILTERS:
    want = truth(cond)
    for sort in ("oldest", "newest", "name"):
        cs = cursors(cond, sort)
        for where, c in (("", None), ("after", cs and cs[0]), ("before", cs and cs[1])):
            if where and not c:
                continue
            q = "&".join(x for x in (query, "sort=" + sort if sort != "oldest" else "", where and where + "=" + c) if x)
            for base in ("/api/v1/calls/1/contributions", "/calls/1/contributions"):
                path = base + ("?" + q if q else "")
                p50, p99, body = timed(path)
                got = body.split(b'"total":', 1)[1].split(b",", 1)[0].decode() if base.startswith("/api") else "-"
                if got != "-" and int(got) != want:
                    raise SystemExit("%s: total %s, the rows count %d" % (path, got, want))
                shown = (path if len(path) <= 58 else path[:40] + "…" + path[-17:])
                print("%-58s %8.1f %8.1f %9s  %s" % (shown, p50, p99, got, plan(key, ORDER[(sort, where)]) if
                      base.startswith("/api") else ""), flush=True)
                if p99 >= 100:
                    slow.append(path)
print("%d requests of %d kinds; %d with p99 >= 100 ms%s" % (rounds * len(ORDER) * len(FILTERS) * 2,
      len(ORDER) * len(FILTERS) * 2, len(slow), (": " + ", ".join(slow)) if slow else ""))
PY
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); server peak RSS $(bench_hwm) MB"
