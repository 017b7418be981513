#!/bin/bash
# Measures "you said, we did" (issue 9, item 3) for a call with many
# comments: the time of /versions/{id}/you-said-we-did, of its JSON, and of
# the version page that holds its section, built anew after publication
# (the first request) and kept (the second).
#
#   bench/outcome.sh BUILD_DIR
#
# It makes a new database (init and the demo), adds BENCH_COMMENTS (default
# 100,000) comments to the demo's first call with sqlite3 directly (10 per
# contribution, in 6 categories and 50 countries, an answer for each, landing
# in the same paragraph), posts a next version of the document through the
# API, publishes the call's dispositions and fetches the pages. Prints, e.g.:
#   100000 comments: page 0.4 s (30 KB), json 0.4 s, version page 0.3 s then 0.001 s
set -u

BENCH_NAME=outcome
. "$(dirname "$0")/lib.sh"
die() { bench_die "$@"; }
bench_begin "$@" curl python3
COMMENTS=${BENCH_COMMENTS:-100000}

bench_demo

python3 - "$DB" "$COMMENTS" <<'PY' || die "cannot add the comments"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
version, = db.execute("SELECT version_id FROM call WHERE id = 1").fetchone()
pids = [p for (p,) in db.execute("SELECT pid FROM paragraph WHERE version_id = ? ORDER BY number", (version,))]
categories = [c for (c,) in db.execute("SELECT c.id FROM category c JOIN call ca ON ca.process_id = c.process_id "
                                       "WHERE ca.id = 1 ORDER BY c.position")]
countries = ["C%d" % i for i in range(50)]
account, = db.execute("SELECT id FROM account WHERE email = 'bench@example.org'").fetchone()
decisions = ["accepted", "accepted_in_part", "not_accepted", "noted"]
per = 10
with db:
    for k in range((n + per - 1) // per):
        cur = db.execute("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                         "email, text, publication, received_at) VALUES (?, 1, 'api', ?, 'Bench Org', ?, ?, "
                         "'bench@example.org', 'A contribution.', ?, 1600000000)",
                         ("BENCH-%07d" % k, "Contributor %d" % (k % 997), categories[k % len(categories)],
                          countries[k % len(countries)], "private" if k % 7 == 0 else "named"))
        for i in range(min(per, n - k * per)):
            pid = pids[(k * per + i) % len(pids)] if pids and i % 5 else None
            c = db.execute("INSERT INTO comment (contribution_id, version_id, pid, position, type, comment, "
                           "proposed_change) VALUES (?, ?, ?, ?, ?, ?, '')",
                           (cur.lastrowid, version, pid, i + 1, ("general", "technical", "editorial")[i % 3],
                            "Comment %d of contribution %d." % (i, k)))
            db.execute("INSERT INTO disposition (comment_id, decision, reason, decided_at, decided_by) "
                       "VALUES (?, ?, 'Taken into account.', 1600000000, ?)",
                       (c.lastrowid, decisions[(k + i) % 4], account))
PY

bench_serve

# The next version: the same text, so every paragraph keeps its pid; the answers then land in it.
NEXT=$(python3 - "$URL" "$TOKEN" <<'PY'
import json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
v = call("GET", "/api/v1/calls/1")["version_id"]
before = call("GET", "/api/v1/versions/%d" % v)
created = call("POST", "/api/v1/processes/%s/documents/%s/versions" % (before["process"], before["document"]),
               {"markdown": before["markdown"], "date": "2021-06-01", "label": "Next"})
if created["state"] == "draft":
    call("POST", "/api/v1/versions/%d/publish" % created["id"], {})
print(created["id"])
PY
) || die "cannot post the next version"
python3 - "$DB" "$NEXT" <<'PY' || die "cannot name the landing paragraphs"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with db:
    db.execute("UPDATE disposition SET version_id = ?, pid = (SELECT cm.pid FROM comment cm WHERE cm.id = comment_id) "
               "WHERE decision IN ('accepted', 'accepted_in_part')", (int(sys.argv[2]),))
PY
curl -sf -o /dev/null "$URL/versions/$NEXT" || die "the version page failed"
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -X POST \
	"$URL/api/v1/calls/1/dispositions/publish" || die "publication failed"
fetch() { # path file -> "seconds"
	curl -sf -o "$2" -w '%{time_total}' "$URL$1" || die "$1 failed"
}
TV1=$(fetch "/versions/$NEXT" "$TMP/v1.html")
TV2=$(fetch "/versions/$NEXT" "$TMP/v2.html")
grep -q "You said, we did" "$TMP/v1.html" || die "the version page has no section"
TP=$(fetch "/versions/$NEXT/you-said-we-did" "$TMP/page.html")
TJ=$(fetch "/api/v1/versions/$NEXT/outcome" "$TMP/outcome.json")
[ -n "${OUTCOME_KEEP:-}" ] && cp "$TMP/page.html" "$TMP/v1.html" "$OUTCOME_KEEP"/
printf '%d comments: page %.2f s (%d KB), json %.2f s, version page %.3f s built then %.3f s kept\n' \
	"$COMMENTS" "$TP" $(($(stat -c %s "$TMP/page.html") / 1024)) "$TJ" "$TV1" "$TV2"
