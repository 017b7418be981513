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

die() {
	echo "matrix: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 BUILD_DIR"
BUILD=$(cd "$1" 2>/dev/null && pwd) || die "no directory $1"
BIN=$BUILD/consulta
[ -x "$BIN" ] || die "no consulta binary in $1 (build it first: ninja -C $1)"
for tool in curl python3; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
COMMENTS=${BENCH_COMMENTS:-100000}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/consulta-matrix.XXXXXX") || die "cannot make a temporary directory"
CONSULTA_PID=
cleanup() {
	if [ -n "$CONSULTA_PID" ] && kill -0 "$CONSULTA_PID" 2>/dev/null; then
		kill -TERM "$CONSULTA_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$CONSULTA_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$CONSULTA_PID" 2>/dev/null
		wait "$CONSULTA_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

DB="$TMP/consulta.db"
run() { "$BIN" --db "sqlite:$DB" "$@"; }
run init >"$TMP/init.out" 2>&1 || { cat "$TMP/init.out" >&2; die "consulta init failed"; }
run demo >"$TMP/demo.out" 2>&1 || { cat "$TMP/demo.out" >&2; die "consulta demo failed"; }
echo "a passphrase for the benchmark" | run user add --role secretariat --email bench@example.org \
	--password-stdin >"$TMP/user.out" 2>&1 || { cat "$TMP/user.out" >&2; die "consulta user add failed"; }
TOKEN=$(run token create --email bench@example.org 2>"$TMP/token.err") || { cat "$TMP/token.err" >&2; die "no token"; }

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

"$BIN" --db "sqlite:$DB" serve --listen 127.0.0.1:0 --threads 2 --per-address-limit 0 >"$TMP/serve.out" 2>"$TMP/serve.log" </dev/null &
CONSULTA_PID=$!
for _ in $(seq 100); do
	grep -q '^listening on' "$TMP/serve.out" && break
	kill -0 "$CONSULTA_PID" 2>/dev/null || break
	sleep 0.1
done
PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.out")
[ -n "$PORT" ] || { tail -5 "$TMP/serve.log" >&2; die "consulta serve did not start"; }
hwm() { awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$CONSULTA_PID/status"; }

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
