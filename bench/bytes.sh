#!/bin/bash
# Where a docket's bytes go (issue 11, item 5: will 21.7 million contributions fit on the disk?): a database
# with the demo, then SCALE contributions of bench/docket.py through `consulta import` (what bench/scale.sh's
# part 2 does after its API sample), then SQLite's dbstat: the bytes a contribution of each table and index
# (the pages it grew by, so the pages' free space counts too), largest first, and the file's growth.
#
#   bench/bytes.sh BUILD_DIR        (SCALE=100k by default; IMPORT_THREADS=32)
#
# Everything runs in a temporary directory, removed at the end.
set -u
BENCH_NAME=bytes
. "$(dirname "$0")/lib.sh"
bench_begin "$@" python3 sqlite3
N=$(bench_count "${SCALE:-100k}")
[ -n "$N" ] || exit 1
bench_demo --live
read -r CALL CATEGORY < <(sqlite3 -separator ' ' "$DB" \
	"SELECT c.id, k.slug FROM call c JOIN category k ON k.process_id = c.process_id
	 WHERE c.opens_at <= strftime('%s','now') AND c.closes_at > strftime('%s','now') ORDER BY c.id, k.position LIMIT 1")
[ -n "${CALL:-}" ] || bench_die "the live demo has no open call"
python3 "$HERE/docket.py" jsonl "$N" --category "$CATEGORY" --truth "$TMP/truth.txt" >"$TMP/docket.jsonl" ||
	bench_die "docket.py failed"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 -separator ' ' "$DB" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name" >"$TMP/before.txt"
before=$(stat -c %s "$DB")
start=$(date +%s)
run import --call "$CALL" --threads "${IMPORT_THREADS:-32}" - <"$TMP/docket.jsonl" >"$TMP/import.out" 2>"$TMP/import.log" ||
	{ tail -3 "$TMP/import.log" >&2; bench_die "consulta import failed"; }
seconds=$(($(date +%s) - start))
stored=$(sqlite3 "$DB" "SELECT count(*) FROM contribution WHERE call_id = $CALL AND name LIKE 'Sender %'")
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 -separator ' ' "$DB" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name" >"$TMP/after.txt"
echo "bytes: $stored of $N contributions imported in $seconds s (load $(cut -d' ' -f1-3 /proc/loadavg));" \
	"page size $(sqlite3 "$DB" "PRAGMA page_size"); bytes a contribution (dbstat: pages, with their free space):"
python3 - "$TMP/before.txt" "$TMP/after.txt" "$stored" "$before" "$(stat -c %s "$DB")" <<'PY'
import sys
before = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[1]))
after = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[2]))
n, file_before, file_after = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
grown = sorted(((after[k] - before.get(k, 0), k) for k in after), reverse=True)
for size, name in grown:
    if size >= n:  # a byte a contribution or more
        print("   %-40s %6.0f" % (name, size / n))
print("   %-40s %6.0f" % ("all (dbstat)", sum(s for s, _ in grown) / n))
print("   %-40s %6.0f  (%d MB for %d)" % ("the file's growth", (file_after - file_before) / n,
                                         (file_after - file_before) >> 20, n))
PY
