#!/bin/bash
# Measures the public list of a large call (issue 11, item 5: the list of 1,000,000 contributions took 1.5 to
# 1.9 s when each request counted the call): BENCH_CONTRIBUTIONS (default 1,000,000) contributions of the demo's
# first call (a twentieth private, a fiftieth hidden, twelve countries, every category, all of one text: the
# server's pass after the commit groups them into one campaign meanwhile, in the background of the requests),
# then the time of one request alone (the best of three) for the public page and the API's list, whole and
# narrowed each way, first and deep pages.
#
#   bench/list.sh BUILD_DIR
#
# Prints one line per request: its path, the best of three times, the total it says.
set -u

BENCH_NAME=list
. "$(dirname "$0")/lib.sh"
bench_large "$@" curl python3 sqlite3

bench_rows <<'PY' || die "cannot add the contributions"
opens, = db.execute("SELECT opens_at FROM call WHERE id = 1").fetchone()
countries = ["CH", "FR", "DE", "US", "JP", "BR", "KE", "IN", "CN", "EG", "AR", "NP"]
rows = (("LIST-%07d" % k, "Contributor %d" % (k % 997), categories[k % len(categories)],
         countries[(k * 7) % len(countries)], "private" if k % 20 == 0 else "named",
         "hidden" if k % 50 == 1 else "published", "Hidden by the bench." if k % 50 == 1 else None, opens + k)
        for k in range(n))
with db:
    db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                   "email, text, publication, state, moderation_reason, received_at) VALUES (?, 1, 'api', ?, '', ?, ?, "
                   "'bench@example.org', 'A contribution.', ?, ?, ?, ?)", rows)
PY
SLUG=$(bench_sql "SELECT k.slug FROM category k JOIN call c ON c.process_id = k.process_id WHERE c.id = 1 ORDER BY k.position LIMIT 1")

bench_serve
curl -sf -o /dev/null "$URL/api/v1/calls/1" || die "the server does not answer"
best() { # path: the best of three, in ms
	for _ in 1 2 3; do curl -s -o "$TMP/out" -w '%{time_total}\n' --max-time 120 "$URL$1"; done |
		sort -n | head -1 | awk '{printf "%.1f", $1 * 1000}'
}
# Deep pages by cursor (keyset paging: core/contribution.c, struct contribution_cursor), as the next links make
# them: after the row 100 from the end, by arrival and by name (a build without cursors ignores ?after= and shows
# the first page).
b64() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
DEEP=$(b64 "1.o.a.$(bench_sql "SELECT id FROM contribution WHERE call_id = 1 ORDER BY id DESC LIMIT 1 OFFSET 100")")
DEEP_NAME=$(b64 "1.n.a.$(bench_sql "SELECT id || '.0.' || lower(name) FROM contribution WHERE call_id = 1 AND publication = 'named' AND state = 'published' ORDER BY lower(name) DESC, id DESC LIMIT 1 OFFSET 100")")
echo "list: $N contributions of call 1; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for path in "/calls/1/contributions" "/calls/1/contributions?country=FR" "/calls/1/contributions?category=$SLUG" \
	"/calls/1/contributions?campaign=none" "/calls/1/contributions?sort=newest" "/calls/1/contributions?sort=name" \
	"/calls/1/contributions?page=20000" "/calls/1/contributions?after=$DEEP" \
	"/calls/1/contributions?sort=name&after=$DEEP_NAME" "/calls/1/contributions?sort=name&page=20000" \
	"/calls/1/contributions?type=general" "/calls/1/contributions?campaign=1" "/api/v1/calls/1/contributions" \
	"/api/v1/calls/1/contributions?country=FR" "/api/v1/calls/1/contributions?offset=900000" \
	"/api/v1/calls/1/contributions?after=$DEEP"; do
	ms=$(best "$path")
	total=$(grep -o '"total":[0-9]*' "$TMP/out" | head -1)
	[ -n "$total" ] || total=$(grep -o 'of [0-9]* contribution' "$TMP/out" | head -1)
	printf '%-52s %8s ms  %s\n' "$(printf '%s' "$path" | cut -c1-52)" "$ms" "${total:-}"
done
echo "server peak RSS $(bench_hwm) MB"
