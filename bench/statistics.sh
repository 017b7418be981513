#!/bin/bash
# Measures the statistics of a large call (issue 12, item 3): BENCH_CONTRIBUTIONS (default 1,000,000)
# published contributions of the demo's first call, spread over its days, countries, categories and
# channels, a third of them with a comment on a paragraph: the time of GET /api/v1/calls/1/statistics
# (every number read afresh: three GROUP BY queries), of the page when it is built and when it is kept
# (web/page_cache.h), the server's CPU time for the JSON, and, as the peer, the sqlite3 shell running the
# same GROUP BY queries on the file.
#
#   bench/statistics.sh BUILD_DIR
#
# Prints, e.g.:
#   1000000 contributions: json 1.9 s (cpu 1.0 s), page 1.9 s built, 0.001 s kept; sqlite3 the same queries 1.5 s: 1.3x
set -u

BENCH_NAME=statistics
. "$(dirname "$0")/lib.sh"
bench_large "$@" curl python3 sqlite3

bench_rows <<'PY' || die "cannot add the contributions"
opens, closes, version = db.execute("SELECT opens_at, closes_at, version_id FROM call WHERE id = 1").fetchone()
countries = ["CH", "FR", "DE", "US", "JP", "BR", "KE", "IN", "CN", "EG", "AR", "NP"]
channels = ["web", "api", "api", "email"]
span = closes - opens
rows = (("BENCH-%07d" % k, channels[k % 4], "Contributor %d" % (k % 997), categories[k % len(categories)],
         countries[(k * 7) % len(countries)], "private" if k % 20 == 0 else "named",
         opens + (k * 7919) % span) for k in range(n))
with db:
    db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                   "email, text, publication, received_at) VALUES (?, 1, ?, ?, '', ?, ?, 'bench@example.org', "
                   "'A contribution.', ?, ?)", rows)
    db.execute("INSERT INTO comment (contribution_id, version_id, pid, type, position, comment) "
               "SELECT id, ?, 'p' || (id % 9 + 1), 'general', 1, 'A comment.' FROM contribution "
               "WHERE call_id = 1 AND id % 3 = 0", (version,))
PY

# The peer: the same GROUP BY queries (core/outcome.c's outcome_tally() and the quarter-hours, the call's scope
# written out) by the shell.
W="k.call_id = 1 AND k.state = 'published'"
PEER_SQL="SELECT g.call_id, cat.slug, g.n, g.joined FROM (SELECT k.call_id AS call_id, k.category_id AS category_id,
 k.country AS country, k.channel AS channel, count(k.campaign_id) AS joined, count(*) AS n FROM contribution k
 WHERE $W GROUP BY k.call_id, k.category_id, k.country, k.channel) g JOIN category cat ON cat.id = g.category_id;
SELECT g.version_id, g.pid, g.n, g.technical, g.editorial FROM (SELECT cm.version_id AS version_id, cm.pid AS pid,
 count(*) AS n, sum(CASE WHEN cm.type = 'technical' THEN 1 ELSE 0 END) AS technical,
 sum(CASE WHEN cm.type = 'editorial' THEN 1 ELSE 0 END) AS editorial FROM comment cm
 JOIN contribution k ON k.id = cm.contribution_id WHERE $W AND cm.version_id = (SELECT version_id FROM call WHERE id = 1)
 GROUP BY cm.version_id, cm.pid) g;
SELECT k.received_at / 900, count(*) FROM contribution k WHERE $W GROUP BY k.received_at / 900;"
now() { date +%s.%N; }
T0=$(now)
sqlite3 "$DB" "$PEER_SQL" >"$TMP/peer.txt" || die "sqlite3 failed"
TP=$(echo "$(now) - $T0" | bc)

bench_serve
curl -sf -o /dev/null "$URL/api/v1/calls/1" || die "the server does not answer"
fetch() { # path file -> "seconds"
	curl -sf -o "$2" -w '%{time_total}' "$URL$1" || die "$1 failed"
}
cpu() { awk '{print $14 + $15}' "/proc/$CONSULTA_PID/stat"; } # utime + stime, in ticks
C0=$(cpu)
TJ=$(fetch /api/v1/calls/1/statistics "$TMP/s.json")
C1=$(cpu)
TB=$(fetch /calls/1/statistics "$TMP/s.html")
TK=$(fetch /calls/1/statistics "$TMP/s2.html")
COUNT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['contributions'])" "$TMP/s.json")
[ "$COUNT" -ge "$N" ] || die "the statistics count $COUNT contributions, expected at least $N"
printf '%d contributions: json %.2f s (cpu %.2f s), page %.2f s built, %.3f s kept; sqlite3 the same queries %.2f s: %.1fx\n' \
	"$N" "$TJ" "$(echo "($C1 - $C0) / $(getconf CLK_TCK)" | bc -l)" "$TB" "$TK" "$TP" "$(echo "$TJ / $TP" | bc -l)"
