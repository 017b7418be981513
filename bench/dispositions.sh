#!/bin/bash
# Measures the answers of a call with many comments (issue 9, item 1 and
# "Speed"): (b) uploading the filled resolution matrix back (XLSX, every row
# a new answer; then the same as CSV, every row unchanged; then CSV with every
# reason changed, every row a revision) and (a) publishing the call's
# dispositions (the check that none remains, and one fate mail per address).
# Prints seconds and the server's peak memory (VmHWM) before and after each,
# and, as a ceiling, the same rows written by sqlite3 directly (one
# transaction of INSERTs into disposition, disposition_history and audit; the
# publication's two queries), with the ratio.
#
#   bench/dispositions.sh BUILD_DIR
#
# It makes a new database (init and the demo) and adds BENCH_COMMENTS
# (default 100,000) comments to the demo's first call with sqlite3 (10 per
# contribution, each contribution from its own address), none answered;
# starts the server, downloads /office/calls/1/matrix.csv with a
# secretariat's token and fills it in with Python (csv and openpyxl's
# write-only workbook for the XLSX).
set -u

BENCH_NAME=dispositions
. "$(dirname "$0")/lib.sh"
die() { bench_die "$@"; }
bench_begin "$@" curl python3 sqlite3
# A python3 with openpyxl: the one in PATH, else Debian's (python3-openpyxl), e.g. under pyenv.
PY=
for p in "${PYTHON:-python3}" /usr/bin/python3; do
	"$p" -c 'import openpyxl' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || die "no python3 with openpyxl (install python3-openpyxl, or set PYTHON)"
COMMENTS=${BENCH_COMMENTS:-100000}

bench_demo

"$PY" - "$DB" "$COMMENTS" <<'PY' || die "cannot add the comments"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
version, = db.execute("SELECT version_id FROM call WHERE id = 1").fetchone()
pids = [p for (p,) in db.execute("SELECT pid FROM paragraph WHERE version_id = ? ORDER BY number", (version,))]
category, = db.execute("SELECT c.id FROM category c JOIN call ca ON ca.process_id = c.process_id "
                       "WHERE ca.id = 1 ORDER BY c.position LIMIT 1").fetchone()
per = 10
with db:
    for k in range((n + per - 1) // per):
        cur = db.execute("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                         "email, text, publication, received_at, state) VALUES (?, 1, 'api', ?, 'Bench Org', ?, 'CH', "
                         "?, 'A contribution.', 'named', 1600000000, 'published')",
                         ("BENCH-%07d" % k, "Contributor %d" % (k % 997), category, "bench%d@example.org" % k))
        for i in range(min(per, n - k * per)):
            pid = pids[(k * per + i) % len(pids)] if pids and i % 5 else None
            db.execute("INSERT INTO comment (contribution_id, version_id, pid, position, type, comment, "
                       "proposed_change) VALUES (?, ?, ?, ?, 'technical', ?, ?)",
                       (cur.lastrowid, version, pid, i + 1,
                        "Comment %d of contribution %d: this sentence should say who reports, and to whom." % (i, k),
                        "The secretariat reports to the Council every six months."))
PY
# Whatever the demo answered already is forgotten: every comment is answered by the upload.
sqlite3 "$DB" "DELETE FROM disposition_history; DELETE FROM disposition; UPDATE call SET dispositions_published_at = NULL;" ||
	die "cannot clear the demo's answers"
cp "$DB" "$TMP/peer.db"

start() {
	bench_serve
	curl -sf -o /dev/null "$URL/calls/1" || die "the call's page failed"
}
stop() { bench_stop; }
start
hwm() { bench_hwm; }
curl -sf -H "Authorization: Bearer $TOKEN" -o "$TMP/m.csv" "$URL/office/calls/1/matrix.csv" || die "no matrix"

# The matrix filled in: every row's decision and observations; as XLSX (new answers), as CSV (the same
# answers: unchanged), and as CSV with other reasons (revisions).
"$PY" - "$TMP" <<'PY' || die "cannot fill the matrix"
import csv, sys, openpyxl
tmp = sys.argv[1]
with open(tmp + "/m.csv", encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
head = rows[0]
d, o = head.index("Decision"), head.index("Observations of the secretariat")
decisions = ["Accepted", "Accepted in part", "Not accepted", "Noted"]
for i, row in enumerate(rows[1:]):
    row[d], row[o] = decisions[i % 4], "Taken into account in the revised draft (row %d)." % (i + 2)
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet()
for row in rows:
    ws.append(row)
wb.save(tmp + "/filled.xlsx")
for name, suffix in (("filled.csv", ""), ("revised.csv", " Revised.")):
    with open(tmp + "/" + name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for row in rows[1:]:
            w.writerow(row[:o] + [row[o] + suffix] + row[o + 1:])
PY

upload() { # file content-type -> "seconds applied unchanged refused"
	curl -sf -H "Authorization: Bearer $TOKEN" -H "Content-Type: $2" --data-binary "@$1" -o "$TMP/up.json" \
		-w '%{time_total}' "$URL/api/v1/calls/1/dispositions/matrix?name=$(basename "$1")" >"$TMP/up.time" ||
		die "the upload of $1 failed: $(cat "$TMP/up.json" 2>/dev/null)"
	"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(open(sys.argv[2]).read().strip(), j["applied"], j["unchanged"], j["refused_count"])' \
		"$TMP/up.json" "$TMP/up.time"
}
XLSX_TYPE=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
H0=$(hwm)
read -r TX AX UX RX <<<"$(upload "$TMP/filled.xlsx" "$XLSX_TYPE")"
H1=$(hwm)
read -r TC AC UC RC <<<"$(upload "$TMP/filled.csv" text/csv)"
H2=$(hwm)
read -r TR AR UR RR <<<"$(upload "$TMP/revised.csv" text/csv)"
H3=$(hwm)
# The first CSV once more through the back office's form (multipart, a logged-in session): every row a
# revision again.
CSRF=$("$PY" - "$DB" <<'PY'
import base64, hashlib, hmac, sqlite3, sys
key, = sqlite3.connect(sys.argv[1]).execute("SELECT value FROM server_secret WHERE name = 'csrf'").fetchone()
mac = hmac.new(bytes.fromhex(key), b"visitor:" + b"B" * 43, hashlib.sha256).digest()
print(base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii"))
PY
) || die "no csrf key"
SESSION=$(curl -s -o /dev/null -D - -b "consulta_csrf=$(printf 'B%.0s' $(seq 43))" \
	--data-urlencode "email=bench@example.org" --data-urlencode "password=a passphrase for the benchmark" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "next=/office" "$URL/login" |
	sed -n 's/^[Ss]et-[Cc]ookie: consulta_session=\([^;]*\).*/\1/p' | tr -d '\r')
[ -n "$SESSION" ] || die "cannot log in"
SCSRF=$("$PY" - "$DB" "$SESSION" <<'PY'
import base64, hashlib, hmac, sqlite3, sys
key, = sqlite3.connect(sys.argv[1]).execute("SELECT value FROM server_secret WHERE name = 'csrf'").fetchone()
mac = hmac.new(bytes.fromhex(key), ("session:" + sys.argv[2]).encode(), hashlib.sha256).digest()
print(base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii"))
PY
)
H3A=$(hwm) # logging in hashes the password (Argon2id, 64 MiB): before the upload, not during it
TF=$(curl -s -o "$TMP/form.html" -w '%{http_code} %{time_total}' -b "consulta_session=$SESSION" \
	-F "csrf=$SCSRF" -F "file=@$TMP/filled.csv;type=text/csv" "$URL/office/calls/1/dispositions/matrix")
[ "${TF%% *}" = 200 ] || die "the form's upload failed: $TF"
TF=${TF#* }
AF=$(sed -n 's|.*<li id="count-applied">Applied: \([0-9]*\)</li>.*|\1|p' "$TMP/form.html")
H3B=$(hwm)

# The publication measured by a server of its own, so that its peak memory is its own.
stop
start
H4=$(hwm)
TP=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" -o "$TMP/pub.json" -w '%{time_total}' \
	"$URL/api/v1/calls/1/dispositions/publish") || die "the publication failed: $(cat "$TMP/pub.json")"
H5=$(hwm)
MAILS=$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind = 'fate'")

# The ceiling: the same rows written by sqlite3 alone, in one transaction; then the publication's
# remaining count and fate query.
PEER=$("$PY" - "$TMP/peer.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
account, = db.execute("SELECT id FROM account WHERE email = 'bench@example.org'").fetchone()
ids = [i for (i,) in db.execute("SELECT c.id FROM comment c JOIN contribution k ON k.id = c.contribution_id "
                                "WHERE k.call_id = 1")]
t = time.monotonic()
db.execute("BEGIN IMMEDIATE")
for i in ids:
    reason = "Taken into account in the revised draft."
    db.execute("INSERT INTO disposition (decision, reason, version_id, pid, decided_at, decided_by, revision, "
               "comment_id) VALUES ('noted', ?, NULL, NULL, 1600000000, ?, 1, ?)", (reason, account, i))
    db.execute("INSERT INTO disposition_history (decision, reason, version_id, pid, decided_at, decided_by, revision, "
               "comment_id) VALUES ('noted', ?, NULL, NULL, 1600000000, ?, 1, ?)", (reason, account, i))
    db.execute("INSERT INTO audit (at, account_id, actor, process_id, kind, object, before, after) "
               "VALUES (1600000000, ?, 'bench', 1, 'disposition.record', ?, NULL, ?)",
               (account, "comment:%d" % i, '{"decision":"noted","reason":"%s","revision":1}' % reason))
db.execute("COMMIT")
write = time.monotonic() - t
t = time.monotonic()
db.execute("SELECT count(*) FROM comment c JOIN contribution k ON k.id = c.contribution_id "
           "LEFT JOIN disposition d ON d.comment_id = c.id WHERE k.call_id = 1 AND k.state <> 'spam' "
           "AND d.comment_id IS NULL").fetchall()
db.execute("SELECT k.email, k.id, d.decision, count(*) FROM contribution k JOIN comment c ON c.contribution_id = k.id "
           "JOIN disposition d ON d.comment_id = c.id WHERE k.call_id = 1 AND k.state <> 'spam' AND k.email <> '' "
           "GROUP BY k.email, k.id, d.decision ORDER BY lower(k.email), k.id").fetchall()
print("%.2f %.2f" % (write, time.monotonic() - t))
PY
) || die "the sqlite3 peer failed"
read -r PW PQ <<<"$PEER"

ratio() { "$PY" -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.1f' % (a / b if b > 0 else 0))" "$1" "$2"; }
printf '%d comments; matrix upload: xlsx %.1f s (%d KB; %s applied, %s unchanged, %s refused), csv again %.1f s (%s unchanged), csv revised %.1f s (%s applied); sqlite3 alone %.1f s (upload xlsx/sqlite3 = %sx)\n' \
	"$COMMENTS" "$TX" $(($(stat -c %s "$TMP/filled.xlsx") / 1024)) "$AX" "$UX" "$RX" "$TC" "$UC" "$TR" "$AR" "$PW" "$(ratio "$TX" "$PW")"
printf 'the first csv again through the office form: %.1f s (%s applied); server peak RSS %d MB before it (after logging in), %d after\n' \
	"$TF" "$AF" "$H3A" "$H3B"
printf 'publication: %.1f s (%s fate mails queued); its two queries in sqlite3 alone %.2f s\n' "$TP" "$MAILS" "$PQ"
printf 'server peak RSS: %d MB before the uploads, %d after the xlsx, %d after the csv, %d after the revisions; a new server: %d MB before publishing, %d after\n' \
	"$H0" "$H1" "$H2" "$H3" "$H4" "$H5"
