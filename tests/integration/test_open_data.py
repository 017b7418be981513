"""
Open data (issue 12, item 4): every published record as CSV, JSON Lines and
XLSX, per call (/api/v1/calls/{id}/{file}.{fmt}) and per process
(/api/v1/processes/{slug}/{file}.{fmt}), and the data dictionary (/data).

Known contributions are posted through the API (named, anonymous, private)
and others are moved to pending, hidden and spam in the database; dispositions
and files are written directly (recording them is other code's work).
Each format is read back with a real reader (csv, json line by line,
openpyxl): published rows present, private/pending/hidden/spam absent, the
anonymous one without its name and organization, comments present and their
dispositions only once published, files' metadata for clean files only,
formula cells neutralized in CSV and kept as strings in XLSX, UTF-8 intact.
Then: no cap (5,000 contributions, more than any page of the API, all
there), one snapshot (an export taken while another thread inserts
contributions in batches of 100, each batch one transaction, holds a whole
number of batches), empty exports with their header, 404s, and the
dictionary listing every column each CSV has.
"""

import csv
import hashlib
import html
import io
import json
import re
import threading

import openpyxl

import harness
from harness import SLUG, ServerTestCase, contribution

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
SECRETARIAT = "secretariat@example.org"
FORMATS = ("csv", "jsonl", "xlsx")
CALL_FILES = ("contributions", "comments", "attachments", "deadline-changes")
PROCESS_FILES = CALL_FILES + ("versions", "paragraphs", "schedule", "schedule-history", "letters", "letter-addressees",
                              "calls", "meetings")


def parse(fmt, body):
    """The rows of an export as a list of dicts (column name -> value as text, None for no value)."""
    if fmt == "csv":
        text = body.decode("utf-8")
        assert text.startswith("\ufeff"), text[:10]
        rows = list(csv.reader(io.StringIO(text[1:], newline="")))
        header = rows[0]
        return header, [dict(zip(header, (v if v != "" else None for v in row))) for row in rows[1:]]
    if fmt == "jsonl":
        out = []
        for line in body.decode("utf-8").split("\n"):
            if line:
                out.append(json.loads(line))
        header = list(out[0].keys()) if out else None
        return header, [{k: (None if v is None or v == "" else str(v)) for k, v in o.items()} for o in out]
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    rows = []
    for sheet in book.worksheets:
        got = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
        header = list(got[0])
        rows += [dict(zip(header, row)) for row in got[1:]]
    return header, rows


class OpenData(ServerTestCase):
    SHARED = False

    def setUp(self):
        super().setUp()
        s = self.s = self.fresh_server()
        self.token = s.account_token(SECRETARIAT)

        def post(comments=None, **f):
            r = s.post_json(CONTRIBUTIONS, contribution(comments=comments or [], **f))
            self.assertEqual(r.status, 201, r)
            return r.json()["tracking"]

        self.named = post([{"paragraph": "p7", "type": "technical", "comment": "Yearly is too rare.",
                            "proposed_change": "=HYPERLINK(\"http://evil.example\",\"x\")"},
                           {"paragraph": None, "type": "editorial", "comment": "Num\u00e9roter les titres \u7f51\u7edc."}],
                          name="Zo\u00eb Zed", organization="Zed \u0645\u0646\u0638\u0645\u0629",
                          text="R\u00e9seau \u7f51\u7edc \u0634\u0628\u0643\u0629, \"quoted\", line\nbreak")
        self.anon = post([{"paragraph": "p3", "type": "general", "comment": "Say who reports."}],
                         name="Anna Anon", organization="Hidden Org", publication="anonymous")
        self.private = post([{"paragraph": "p5", "type": "technical", "comment": "A private remark."}],
                            name="Paula Private", organization="Private Org", publication="private")
        self.moderated = {}
        for state in ("pending", "hidden", "spam"):
            self.moderated[state] = post([{"paragraph": "p5", "type": "technical",
                                          "comment": "Comment of the %s one." % state}],
                                         name="Mo %s" % state.title(), organization="%s Org" % state.title())
        # The writer's campaign pass done first: its changes and these, made outside the server's writer lock, would
        # take the same tally rows in another order (PostgreSQL ends one with a deadlock).
        s.campaigns_settled()
        with harness.connect(s.db, timeout=10) as db:
            for state, tracking in self.moderated.items():
                db.execute("UPDATE contribution SET state = ? WHERE tracking = ?", (state, tracking))
            self.ids = {c: i for i, c in db.execute("SELECT id, comment FROM comment")}
            account = db.execute("SELECT id FROM account WHERE email = ?", (SECRETARIAT,)).fetchone()[0]
            version = db.execute("SELECT version_id FROM call WHERE id = 1").fetchone()[0]
            db.execute("INSERT INTO disposition (comment_id, decision, reason, version_id, pid, decided_at, decided_by) "
                       "VALUES (?, 'accepted', 'Now every six months.', ?, 'p7', 1612180800, ?)",
                       (self.ids["Yearly is too rare."], version, account))
            # Files: a clean one and a held one of the named contribution, a clean one of the private one.
            self.pdf = b"%PDF-1.4 a paper"
            sha = hashlib.sha256(self.pdf).hexdigest()
            db.execute("INSERT INTO blob (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       (sha, len(self.pdf), self.pdf))
            for tracking, pos, name, scan in ((self.named, 1, "position paper \u00e9.pdf", "clean"),
                                              (self.named, 2, "held.pdf", "pending"),
                                              (self.private, 1, "secret.pdf", "clean")):
                db.execute("INSERT INTO attachment (contribution_id, position, name, size, declared_type, type, "
                           "sha256, scan) SELECT id, ?, ?, ?, 'application/pdf', 'application/pdf', ?, ? "
                           "FROM contribution WHERE tracking = ?", (pos, name, len(self.pdf), sha, scan, tracking))

    def export(self, path):
        r = self.s.get(path)
        self.assertEqual(r.status, 200, (path, r))
        return r

    def rows(self, path):
        fmt = path.rsplit(".", 1)[1]
        return parse(fmt, self.export(path).body)[1]

    def publish(self):
        with harness.connect(self.s.db, timeout=10) as db:
            db.execute("UPDATE call SET dispositions_published_at = 1 WHERE id = 1")

    def test_contributions_in_every_format(self):
        for base in ("/api/v1/calls/1/contributions", "/api/v1/processes/%s/contributions" % SLUG):
            for fmt in FORMATS:
                rows = self.rows("%s.%s" % (base, fmt))
                by = {r["tracking"]: r for r in rows}
                where = (base, fmt)
                self.assertIn(self.named, by, where)
                self.assertIn(self.anon, by, where)
                for absent in [self.private] + list(self.moderated.values()):
                    self.assertNotIn(absent, by, where)
                body = json.dumps(rows, ensure_ascii=False)
                for secret in ("Paula Private", "Private Org", "Anna Anon", "Hidden Org", "Mo Pending", "Mo Hidden",
                               "Mo Spam", "ada@example.org"):
                    self.assertNotIn(secret, body, where)
                named, anon = by[self.named], by[self.anon]
                self.assertEqual(named["name"], "Zo\u00eb Zed", where)
                self.assertEqual(named["organization"], "Zed \u0645\u0646\u0638\u0645\u0629", where)
                self.assertEqual(named["text"], "R\u00e9seau \u7f51\u7edc \u0634\u0628\u0643\u0629, \"quoted\", "
                                 "line\nbreak", where)
                self.assertEqual((named["publication"], named["channel"], named["country"], named["category"]),
                                 ("named", "api", "CH", "academia"), where)
                self.assertEqual(named["received_at"], "2021-02-01T10:00:00Z", where)
                self.assertEqual(str(named["call_id"]), "1", where)
                self.assertTrue(named["url"].endswith("/contributions/" + self.named), where)
                self.assertEqual((anon["publication"], anon["name"], anon["organization"]), ("anonymous", None, None),
                                 where)

    def test_jsonl_types(self):
        lines = self.export("/api/v1/calls/1/contributions.jsonl").body.decode("utf-8").split("\n")
        self.assertEqual(lines[-1], "")  # every line ends with a newline
        anon = [json.loads(line) for line in lines[:-1] if self.anon in line][0]
        self.assertIsInstance(anon["call_id"], int)
        self.assertIsInstance(anon["late"], int)
        self.assertIsNone(anon["name"])
        self.assertIsNone(anon["organization"])

    def test_comments_and_dispositions_only_once_published(self):
        for fmt in FORMATS:
            rows = self.rows("/api/v1/calls/1/comments." + fmt)
            by = {r["comment"]: r for r in rows}
            self.assertIn("Yearly is too rare.", by, fmt)
            self.assertIn("Say who reports.", by, fmt)
            self.assertIn("Num\u00e9roter les titres \u7f51\u7edc.", by, fmt)
            for absent in ("A private remark.", "Comment of the pending one.", "Comment of the hidden one.",
                           "Comment of the spam one."):
                self.assertNotIn(absent, by, fmt)
            yearly = by["Yearly is too rare."]
            self.assertEqual((yearly["tracking"], yearly["paragraph_id"], str(yearly["paragraph"]), yearly["type"]),
                             (self.named, "p7", "7", "technical"), fmt)
            self.assertIsNone(by["Num\u00e9roter les titres \u7f51\u7edc."]["paragraph_id"], fmt)
            self.assertIsNone(yearly["decision"], fmt)
            self.assertIsNone(yearly["reason"], fmt)
            self.assertNotIn("six months", json.dumps(rows), fmt)
        self.publish()
        for fmt in FORMATS:
            for base in ("/api/v1/calls/1", "/api/v1/processes/" + SLUG):
                rows = self.rows("%s/comments.%s" % (base, fmt))
                yearly = [r for r in rows if r["comment"] == "Yearly is too rare."][0]
                self.assertEqual((yearly["decision"], yearly["reason"], yearly["new_paragraph_id"],
                                  str(yearly["new_paragraph"]), yearly["decided_at"]),
                                 ("accepted", "Now every six months.", "p7", "7", "2021-02-01T12:00:00Z"), (base, fmt))

    def test_csv_injection_and_xlsx_strings(self):
        rows = self.rows("/api/v1/calls/1/comments.csv")
        yearly = [r for r in rows if r["comment"] == "Yearly is too rare."][0]
        self.assertEqual(yearly["proposed_change"], "'=HYPERLINK(\"http://evil.example\",\"x\")")
        book = openpyxl.load_workbook(io.BytesIO(self.export("/api/v1/calls/1/comments.xlsx").body))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        col = header.index("proposed_change") + 1
        cells = [sheet.cell(row=i, column=col) for i in range(2, sheet.max_row + 1)]
        evil = [c for c in cells if c.value and c.value.startswith("=HYPERLINK")]
        self.assertEqual(len(evil), 1)
        self.assertEqual(evil[0].data_type, "s")  # a string, never a formula
        jsonl = self.rows("/api/v1/calls/1/comments.jsonl")
        self.assertIn("=HYPERLINK(\"http://evil.example\",\"x\")", [r["proposed_change"] for r in jsonl])

    def test_attachments_metadata_of_clean_public_files_only(self):
        sha = hashlib.sha256(self.pdf).hexdigest()
        for fmt in FORMATS:
            for base in ("/api/v1/calls/1", "/api/v1/processes/" + SLUG):
                rows = self.rows("%s/attachments.%s" % (base, fmt))
                self.assertEqual([(r["tracking"], str(r["position"]), r["name"]) for r in rows],
                                 [(self.named, "1", "position paper \u00e9.pdf")], (base, fmt))
                f = rows[0]
                self.assertEqual((str(f["size"]), f["type"], f["sha256"]), (str(len(self.pdf)), "application/pdf", sha))
                self.assertTrue(f["url"].endswith("/contributions/%s/attachments/1/position%%20paper%%20%%C3%%A9.pdf"
                                                  % self.named), f["url"])
        # The address is the file's.
        path = "/" + rows[0]["url"].split("/", 3)[3]
        self.assertEqual(self.s.get(path).body, self.pdf)

    def test_process_records(self):
        process = self.s.get_json("/api/v1/processes/" + SLUG).json()
        with harness.connect(self.s.db, timeout=10) as db:
            db.execute("INSERT INTO milestone_move (milestone_id, moved_on, from_date, to_date, reason) "
                       "VALUES (?, '2021-01-20', '2021-03-01', '2021-03-15', 'The room was \u00e9 taken.')",
                       (process["milestones"][0]["id"],))
            versions = db.execute("SELECT count(*) FROM version v JOIN document d ON d.id = v.document_id "
                                  "JOIN process p ON p.id = d.process_id WHERE p.slug = ? AND v.state = 'published'",
                                  (SLUG,)).fetchone()[0]
            paragraphs = db.execute("SELECT count(*) FROM paragraph p JOIN version v ON v.id = p.version_id "
                                    "WHERE v.state = 'published'").fetchone()[0]
            letters = db.execute("SELECT count(*) FROM circular").fetchone()[0]
            milestones = db.execute("SELECT count(*) FROM milestone").fetchone()[0]
        for fmt in FORMATS:
            base = "/api/v1/processes/%s/" % SLUG
            v = self.rows(base + "versions." + fmt)
            self.assertEqual(len(v), versions, fmt)
            self.assertTrue(all(r["markdown"] for r in v), fmt)
            self.assertEqual(len(self.rows(base + "paragraphs." + fmt)), paragraphs, fmt)
            self.assertEqual(len(self.rows(base + "schedule." + fmt)), milestones, fmt)
            self.assertEqual(len(self.rows(base + "letters." + fmt)), letters, fmt)
            moves = self.rows(base + "schedule-history." + fmt)
            self.assertIn(("2021-03-01", "2021-03-15", "The room was \u00e9 taken."),
                          [(m["from_date"], m["to_date"], m["reason"]) for m in moves], fmt)
        self.assertGreater(versions, 0)
        self.assertGreater(paragraphs, 0)

    def test_calls_deadlines_meetings_addressees(self):
        with harness.connect(self.s.db, timeout=10) as db:
            db.execute("UPDATE meeting SET join_url = 'https://meet.example/secret-room'")
            db.execute("INSERT INTO call_change (call_id, changed_at, kind, from_closes_at, to_closes_at, reason) "
                       "VALUES (1, 1612180800, 'extend', 1613429999, 1614034799, 'More time à la demande.')")
            calls = db.execute("SELECT count(*) FROM call").fetchone()[0]
            meetings = db.execute("SELECT count(*) FROM meeting").fetchone()[0]
            addressees = db.execute("SELECT count(*) FROM circular_addressee").fetchone()[0]
        base = "/api/v1/processes/%s/" % SLUG
        for fmt in FORMATS:
            c = self.rows(base + "calls." + fmt)
            self.assertEqual(len(c), calls, fmt)
            self.assertTrue(c[0]["url"].endswith("/calls/%s" % c[0]["call_id"]), fmt)
            m = self.rows(base + "meetings." + fmt)
            self.assertEqual(len(m), meetings, fmt)
            self.assertNotIn("secret-room", json.dumps(m), fmt)
            self.assertEqual(len(self.rows(base + "letter-addressees." + fmt)), addressees, fmt)
            for path in (base + "deadline-changes." + fmt, "/api/v1/calls/1/deadline-changes." + fmt):
                d = [r for r in self.rows(path) if r["reason"] == "More time à la demande."]
                self.assertEqual([(str(r["call_id"]), r["kind"], r["changed_at"]) for r in d],
                                 [("1", "extend", "2021-02-01T12:00:00Z")], path)
        self.assertGreater(meetings, 0)
        self.assertGreater(addressees, 0)

    def test_draft_versions_are_not_exported(self):
        with harness.connect(self.s.db, timeout=10) as db:
            vid = db.execute("SELECT max(id) FROM version").fetchone()[0]
            db.execute("UPDATE version SET state = 'draft' WHERE id = ?", (vid,))
        ids = [str(r["version_id"]) for r in self.rows("/api/v1/processes/%s/versions.jsonl" % SLUG)]
        self.assertNotIn(str(vid), ids)
        self.assertNotIn(str(vid), [str(r["version_id"]) for r in
                                    self.rows("/api/v1/processes/%s/paragraphs.csv" % SLUG)])

    def test_headers_and_names(self):
        r = self.export("/api/v1/calls/1/contributions.csv")
        self.assertTrue(r.header("content-type").startswith("text/csv"))
        self.assertEqual(r.header("content-disposition"), 'attachment; filename="call-1-contributions.csv"')
        r = self.export("/api/v1/processes/%s/schedule-history.jsonl" % SLUG)
        self.assertTrue(r.header("content-type").startswith("application/jsonl"))
        self.assertEqual(r.header("content-disposition"),
                         'attachment; filename="%s-schedule-history.jsonl"' % SLUG)

    def test_unknown_things_are_404(self):
        for path in ("/api/v1/calls/999/contributions.csv", "/api/v1/calls/x/contributions.csv",
                     "/api/v1/calls/1/contributions.pdf", "/api/v1/calls/1/versions.csv",
                     "/api/v1/processes/nope/contributions.csv", "/api/v1/processes/%s/letters.txt" % SLUG):
            self.assertEqual(self.s.get(path).status, 404, path)

    def test_no_cap(self):
        n = 5000
        with harness.connect(self.s.db, timeout=10) as db:
            cat = db.execute("SELECT category_id FROM contribution WHERE tracking = ?", (self.named,)).fetchone()[0]
            db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, "
                           "country, email, text, publication, received_at) VALUES (?, 1, 'web', ?, '', ?, 'FR', "
                           "'x@example.org', 'bulk', 'named', 1612173600)",
                           [("BULK-%06d" % i, "Bulk %d" % i, cat) for i in range(n)])
        for fmt in FORMATS:
            rows = self.rows("/api/v1/calls/1/contributions." + fmt)
            bulk = {r["tracking"] for r in rows if r["tracking"].startswith("BULK-")}
            self.assertEqual(len(bulk), n, fmt)

    def test_exports_at_once_are_limited(self):
        """Four large exports asked at once: two are written (LIMIT_EXPORTS_AT_ONCE), the others are told to come
        back (503, Retry-After) at once instead of holding every worker, which also takes the contributions."""
        n = 150000
        with harness.connect(self.s.db, timeout=10) as db:
            cat = db.execute("SELECT category_id FROM contribution WHERE tracking = ?", (self.named,)).fetchone()[0]
            db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, "
                           "country, email, text, publication, received_at) VALUES (?, 1, 'web', 'N', '', ?, 'FR', "
                           "'x@example.org', 'bulk', 'named', 1612173600)",
                           (("LOAD-%07d" % i, cat) for i in range(n)))
        answers = []
        start = threading.Barrier(4)

        def ask(fmt):
            start.wait()
            r = self.s.request("GET", "/api/v1/processes/%s/contributions.%s" % (SLUG, fmt), timeout=120)
            answers.append((r.status, r.header("retry-after"), r.json()["error"]["code"] if r.status == 503 else None))

        threads = [threading.Thread(target=ask, args=(fmt,)) for fmt in ("csv", "jsonl", "csv", "jsonl")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(a[0] for a in answers)
        self.assertEqual(statuses.count(503), 4 - statuses.count(200), answers)
        self.assertGreaterEqual(statuses.count(200), 1, answers)
        self.assertGreaterEqual(statuses.count(503), 1, answers)
        self.assertTrue(all(a[1] and a[2] == "busy" for a in answers if a[0] == 503), answers)
        # Once they are written, exports are taken again.
        self.assertEqual(self.s.get("/api/v1/calls/1/attachments.csv").status, 200)

    def test_one_snapshot_while_writing(self):
        """Batches of 100 rows, each one transaction, go in while exports are taken: each export holds a whole
        number of batches, never part of one."""
        with harness.connect(self.s.db, timeout=10) as db:
            cat = db.execute("SELECT category_id FROM contribution WHERE tracking = ?", (self.named,)).fetchone()[0]
        stop = threading.Event()
        done = []

        def writer():
            db = harness.connect(self.s.db, timeout=30, isolation_level=None)
            b = 0
            while not stop.is_set() and b < 300:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT INTO contribution (tracking, call_id, channel, name, organization, "
                               "category_id, country, email, text, publication, received_at) VALUES (?, 1, 'web', "
                               "'W', '', ?, 'FR', 'x@example.org', 'w', 'named', 1612173600)",
                               [("W%04d-%03d" % (b, i), cat) for i in range(100)])
                db.execute("COMMIT")
                b += 1
            done.append(b)
            db.close()

        t = threading.Thread(target=writer)
        t.start()
        try:
            counts = []
            for i in range(6):
                fmt = ("csv", "jsonl")[i % 2]
                rows = self.rows("/api/v1/calls/1/contributions." + fmt)
                # The writer's rows by their own shape: a demo tracking number may start with "W" too.
                w = [r for r in rows if re.fullmatch(r"W\d{4}-\d{3}", r["tracking"])]
                self.assertEqual(len(w) % 100, 0, (fmt, len(w)))
                batches = {r["tracking"][:5] for r in w}
                self.assertEqual(len(w), 100 * len(batches))
                counts.append(len(w))
        finally:
            stop.set()
            t.join()
        self.assertEqual(counts, sorted(counts))

    def test_empty_exports_have_their_header(self):
        with harness.connect(self.s.db, timeout=10) as db:
            db.execute("UPDATE contribution SET state = 'hidden'")
        header, rows = parse("csv", self.export("/api/v1/calls/1/contributions.csv").body)
        self.assertEqual(rows, [])
        self.assertEqual(header[0], "tracking")
        header, rows = parse("xlsx", self.export("/api/v1/calls/1/attachments.xlsx").body)
        self.assertEqual((header[0], rows), ("tracking", []))
        self.assertEqual(self.export("/api/v1/calls/1/comments.jsonl").body, b"")

    def test_dictionary_lists_every_column(self):
        r = self.s.get("/data")
        self.assertEqual(r.status, 200, r)
        page = r.text
        for name in PROCESS_FILES:
            section = re.search(r'<section aria-labelledby="%s" class="dataset">(.*?)</section>' % re.escape(name),
                                page, re.S)
            self.assertIsNotNone(section, name)
            listed = [html.unescape(c) for c in re.findall(r'<th scope="row"><code>([^<]*)</code></th>',
                                                           section.group(1))]
            header, _ = parse("csv", self.export("/api/v1/processes/%s/%s.csv" % (SLUG, name)).body)
            self.assertEqual(listed, header, name)
            if name in CALL_FILES:
                self.assertEqual(parse("csv", self.export("/api/v1/calls/1/%s.csv" % name).body)[0], header)
            # Every column has a type and a meaning.
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", section.group(1)):
                cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
                self.assertEqual(len(cells), 2, row)
                self.assertIn(cells[0], ("text", "integer", "instant", "date", "url"))
                self.assertTrue(cells[1].strip(), row)

    def test_dictionary_as_json_matches_the_files(self):
        d = self.s.get_json("/api/v1/dictionary").json()
        self.assertEqual(d["page"], "/data")
        by = {f["name"]: f for f in d["files"]}
        self.assertEqual(set(by), set(PROCESS_FILES))
        for name in PROCESS_FILES:
            header, _ = parse("csv", self.export("/api/v1/processes/%s/%s.csv" % (SLUG, name)).body)
            self.assertEqual([c["name"] for c in by[name]["columns"]], header, name)
            self.assertEqual(by[name]["per_call"], name in CALL_FILES, name)
            self.assertTrue(all(c["meaning"] and c["type"] for c in by[name]["columns"]), name)

    def test_dictionary_is_linked(self):
        self.assertIn('href="/data"', self.s.get("/processes/" + SLUG).text)


if __name__ == "__main__":
    import unittest

    unittest.main()
