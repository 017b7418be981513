#!/bin/bash
# Measures the resolution matrix of a call with many comments (issue 9, item
# 2): the time to produce /office/calls/1/matrix.xlsx (and .csv) and the
# server's peak memory (VmHWM) before and after, which should stay flat
# however many rows the matrix has (rows are streamed to a temporary file).
#
#   bench/matrix.sh BUILD_DIR
#
# It makes a new database (init and the demo), adds BENCH_COMMENTS (default
# 100,000) comments to the demo's first call with sqlite3 directly (10 per
# contribution, a disposition for every other one), starts the server and
# fetches the matrix with a secretariat's token. Prints, e.g.:
#   100000 comments: xlsx 4.1 s (12 MB), csv 1.2 s (30 MB); peak RSS 30 MB before, 34 MB after
set -u

BENCH_NAME=matrix
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
category, = db.execute("SELECT c.id FROM category c JOIN call ca ON ca.process_id = c.process_id "
                       "WHERE ca.id = 1 ORDER BY c.position LIMIT 1").fetchone()
account, = db.execute("SELECT id FROM account WHERE email = 'bench@example.org'").fetchone()
per = 10
with db:
    for k in range((n + per - 1) // per):
        cur = db.execute("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                         "email, text, publication, received_at) VALUES (?, 1, 'api', ?, 'Bench Org', ?, 'CH', "
                         "'bench@example.org', 'A contribution.', 'named', 1600000000)",
                         ("BENCH-%07d" % k, "Contributor %d" % (k % 997), category))
        for i in range(min(per, n - k * per)):
            pid = pids[(k * per + i) % len(pids)] if pids and i % 5 else None
            c = db.execute("INSERT INTO comment (contribution_id, version_id, pid, position, type, comment, "
                           "proposed_change) VALUES (?, ?, ?, ?, 'technical', ?, ?)",
                           (cur.lastrowid, version, pid, i + 1,
                            "Comment %d of contribution %d: this sentence should say who reports, and to whom." % (i, k),
                            "The secretariat reports to the Council every six months."))
            if i % 2 == 0:
                db.execute("INSERT INTO disposition (comment_id, decision, reason, decided_at, decided_by) "
                           "VALUES (?, 'accepted', 'Taken into account in the next version.', 1600000000, ?)",
                           (c.lastrowid, account))
PY

bench_serve
hwm() { bench_hwm; }

curl -sf -o /dev/null "http://127.0.0.1:$PORT/calls/1/matrix" || die "the matrix page failed"
BEFORE=$(hwm)
fetch() { # path file -> "seconds"
	curl -sf -H "Authorization: Bearer $TOKEN" -o "$2" -w '%{time_total}' "http://127.0.0.1:$PORT$1" || die "$1 failed"
}
TX=$(fetch /office/calls/1/matrix.xlsx "$TMP/m.xlsx")
TC=$(fetch /office/calls/1/matrix.csv "$TMP/m.csv")
AFTER=$(hwm)
ROWS=$(($(wc -l <"$TMP/m.csv") - 1))
printf '%d comments (%d rows): xlsx %.1f s (%d KB), csv %.1f s (%d KB); server peak RSS %d MB before, %d MB after\n' \
	"$COMMENTS" "$ROWS" "$TX" $(($(stat -c %s "$TMP/m.xlsx") / 1024)) "$TC" $(($(stat -c %s "$TMP/m.csv") / 1024)) \
	"$BEFORE" "$AFTER"
