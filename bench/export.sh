#!/bin/bash
# Measures the open data export (issue 12, item 4): BENCH_CONTRIBUTIONS
# (default 1,000,000) published contributions of the demo's first call,
# exported through the API as CSV and as JSON Lines, with no cap: the time,
# the bytes, and the server's memory (peak RSS, VmHWM) before and after,
# which should grow by a few MB at most whatever the number of rows (the
# rows go one at a time into a temporary file, sent from its descriptor).
# The peer, in the same run: the sqlite3 command-line shell writing the same
# rows of the same query as CSV (.mode csv) straight from the database file,
# the floor for any export that reads SQLite; the ratio is ours over it.
#
#   bench/export.sh BUILD_DIR
#
# With BENCH_XLSX=1 it also fetches the .xlsx (slower: libxlsxwriter, and
# past 1,048,576 rows a second sheet) and reports its time and size.
#
# It makes a new database (init and the demo), adds the contributions with
# Python's sqlite3 in one transaction (a tenth of them anonymous, whose name
# the export leaves out), starts the server and fetches
# /api/v1/calls/1/contributions.csv and .jsonl. Prints, e.g.:
#   1000000 contributions: csv 6.1 s (160 MB), jsonl 6.5 s (280 MB); sqlite3 .mode csv 2.0 s (150 MB): 3.0x;
#   server peak RSS 20 MB before, 23 MB after (+3 MB)
set -u

BENCH_NAME=export
. "$(dirname "$0")/lib.sh"
bench_large "$@" curl python3 sqlite3

bench_rows <<'PY' || die "cannot add the contributions"
category = categories[0]
rows = (("BENCH-%07d" % k, "Contributor %d" % (k % 997), "Bench Org %d" % (k % 31), category,
         "anonymous" if k % 10 == 0 else "named", 1600000000 + k)
        for k in range(n))
with db:
    db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                   "email, text, publication, received_at) VALUES (?, 1, 'api', ?, ?, ?, 'CH', 'bench@example.org', "
                   "'A contribution: paragraph 3 should say who reports, and to whom, and how often.', ?, ?)", rows)
PY

# The peer: the same columns (less the address, made from the tracking number) of the same rows, by the shell.
PEER_SQL="SELECT k.tracking, k.call_id, k.received_at, k.channel, k.publication,
 CASE WHEN k.publication = 'anonymous' THEN NULL ELSE k.name END,
 CASE WHEN k.publication = 'anonymous' THEN NULL ELSE k.organization END,
 cat.slug, cat.name, k.country, k.late, k.text
 FROM contribution k JOIN category cat ON cat.id = k.category_id
 WHERE k.call_id = 1 AND k.state = 'published' AND k.publication <> 'private' ORDER BY k.id;"
now() { date +%s.%N; }
T0=$(now)
sqlite3 -csv "$DB" "$PEER_SQL" >"$TMP/peer.csv" || die "sqlite3 failed"
TP=$(echo "$(now) - $T0" | bc)

bench_serve
curl -sf -o /dev/null "$URL/api/v1/calls/1" || die "the server does not answer"
BEFORE=$(bench_hwm)
fetch() { # path file -> "seconds"
	curl -sf -o "$2" -w '%{time_total}' "$URL$1" || die "$1 failed"
}
TC=$(fetch /api/v1/calls/1/contributions.csv "$TMP/c.csv")
TJ=$(fetch /api/v1/calls/1/contributions.jsonl "$TMP/c.jsonl")
XLSX=
if [ "${BENCH_XLSX:-0}" = 1 ]; then
	TX=$(fetch /api/v1/calls/1/contributions.xlsx "$TMP/c.xlsx")
	XLSX=$(printf '; xlsx %.1f s (%d MB)' "$TX" $(($(stat -c %s "$TMP/c.xlsx") / 1048576)))
fi
AFTER=$(bench_hwm)
ROWS=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig'))) - 1)" "$TMP/c.csv")
LINES=$(wc -l <"$TMP/c.jsonl")
PEER_ROWS=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=''))))" "$TMP/peer.csv")
[ "$ROWS" -ge "$N" ] && [ "$LINES" -eq "$ROWS" ] && [ "$PEER_ROWS" -eq "$ROWS" ] ||
	die "rows: csv $ROWS, jsonl $LINES, sqlite3 $PEER_ROWS, expected at least $N each"
mb() { echo $(($(stat -c %s "$1") / 1048576)); }
printf '%d contributions (%d rows): csv %.1f s (%d MB), jsonl %.1f s (%d MB)%s; sqlite3 .mode csv %.1f s (%d MB): csv %.1fx, jsonl %.1fx; server peak RSS %d MB before, %d MB after (+%d MB)\n' \
	"$N" "$ROWS" "$TC" "$(mb "$TMP/c.csv")" "$TJ" "$(mb "$TMP/c.jsonl")" "$XLSX" "$TP" "$(mb "$TMP/peer.csv")" \
	"$(echo "$TC / $TP" | bc -l)" "$(echo "$TJ / $TP" | bc -l)" "$BEFORE" "$AFTER" $((AFTER - BEFORE))
