"""
The resolution matrix uploaded back with its answers (issue 9, item 1): the
secretariat downloads /office/calls/1/matrix.xlsx (or .csv), fills in the
decision and observations (here with openpyxl and the csv module), and
uploads it through the API (POST /api/v1/calls/1/dispositions/matrix, the
file's bytes as the body) or the back office's form. Checks the answers
recorded with their history and audit, every row reported with its row
number (applied, unchanged, refused with the reason, empty), the valid rows
applied when others are refused, a second upload of the same file all
unchanged, the columns found by name when reordered or among others, the
new paragraph written as the matrix writes it, 409 once published, 400 for a
file that is no matrix, the larger body allowed to the secretariat only; and
the story of item 6: answered one by one, in bulk and by a re-uploaded
matrix, publication refused while one comment has no answer, then accepted.
"""

import csv
import io
import re
import sqlite3
import harness
import unittest
import urllib.parse

import openpyxl

from harness import CSRF_TOKEN, ServerTestCase, contribution, multipart

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
UPLOAD = "/api/v1/calls/1/dispositions/matrix"
SECRETARIAT = "secretariat@example.org"
PASSWORD = "a long passphrase for the tests"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fill_xlsx(data, answers, extra=None):
    """The workbook data with answers {comment_id: (decision, observations[, new paragraph])} written in the
    columns named Decision, Observations of the secretariat, New paragraph; extra: rows appended as lists of
    (header, value) pairs."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    for row in range(2, ws.max_row + 1):
        cid = int(ws.cell(row=row, column=col["Comment id"]).value)
        if cid in answers:
            a = answers[cid]
            ws.cell(row=row, column=col["Decision"]).value = a[0]
            ws.cell(row=row, column=col["Observations of the secretariat"]).value = a[1]
            if len(a) > 2:
                ws.cell(row=row, column=col["New paragraph"]).value = a[2]
    for cells in extra or ():
        row = ws.max_row + 1
        for name, value in cells:
            ws.cell(row=row, column=col[name]).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def history_count(server):
    with harness.connect(server.db, timeout=10) as db:
        return db.execute("SELECT count(*) FROM disposition_history").fetchone()[0]


class MatrixUpload(ServerTestCase):
    SHARED = False

    def setUp(self):
        super().setUp()
        s = self.s = self.fresh_server()
        self.token = s.account_token(SECRETARIAT, password=PASSWORD)
        texts = [("p3", "technical", "Say who reports."), ("p7", "editorial", "Yearly is too rare."),
                 (None, "general", "Number the headings."), ("p5", "technical", "Define the Council.")]
        for i, (pid, kind, text) in enumerate(texts):
            r = s.post_json(CONTRIBUTIONS, contribution(comments=[{"paragraph": pid, "type": kind, "comment": text}],
                                                        email="c%d@example.org" % i))
            self.assertEqual(r.status, 201, r)
        with harness.connect(s.db, timeout=10) as db:
            self.ids = {c: i for i, c in db.execute("SELECT id, comment FROM comment")}

    def office(self, path):
        return self.s.request("GET", path, headers={"Authorization": "Bearer " + self.token})

    def upload(self, data, ctype=XLSX, name=None, token=True):
        path = UPLOAD + ("?name=" + urllib.parse.quote(name) if name else "")
        headers = {"Content-Type": ctype}
        if token:
            headers["Authorization"] = "Bearer " + self.token
        return self.s.request("POST", path, body=data, headers=headers)

    def answers(self):
        """{comment text: (decision, reason, paragraph)} as the secretariat's API shows them."""
        with harness.connect(self.s.db, timeout=10) as db:
            return {c: (d, r, p) for c, d, r, p in db.execute(
                "SELECT c.comment, d.decision, d.reason, d.pid FROM comment c "
                "LEFT JOIN disposition d ON d.comment_id = c.id")}

    def audit(self, kind):
        r = self.s.send_json("GET", "/api/v1/audit?kind=" + kind, token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()["entries"]

    def login(self):
        return super().login(self.s, SECRETARIAT)

    def form_upload(self, session, filename, ctype, data, csrf=True):
        fields = [("csrf", self.s.csrf_token(session))] if csrf else []
        body, content_type = multipart(fields, [("file", filename, ctype, data)])
        return self.s.request("POST", "/office/calls/1/dispositions/matrix", body=body,
                              headers={"Content-Type": content_type,
                                       "Cookie": "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)})

    def test_the_xlsx_filled_in_is_applied_then_unchanged_when_sent_again(self):
        r = self.office("/office/calls/1/matrix.xlsx")
        self.assertEqual(r.status, 200, r)
        i = self.ids
        data = fill_xlsx(r.body, {i["Say who reports."]: ("Accepted", "Now says who."),
                                  i["Yearly is too rare."]: ("accepted IN part", "Every six months, not three."),
                                  i["Number the headings."]: ("not_accepted", "The style guide does not number."),
                                  i["Define the Council."]: ("Noted", "  Seen.  ")})
        r = self.upload(data, name="matrix-filled.xlsx")
        self.assertEqual(r.status, 200, r)
        got = r.json()
        self.assertEqual((got["applied"], got["unchanged"], got["refused_count"], got["refused"], got["empty"]),
                         (4, 0, 0, [], 0), got)
        self.assertEqual((got["format"], got["header_row"], got["file"]), ("XLSX", 1, "matrix-filled.xlsx"))
        self.assertEqual(self.answers(), {
            "Say who reports.": ("accepted", "Now says who.", None),
            "Yearly is too rare.": ("accepted_in_part", "Every six months, not three.", None),
            "Number the headings.": ("not_accepted", "The style guide does not number.", None),
            "Define the Council.": ("noted", "Seen.", None)})
        # Each answer with its history row and audit entry, as one by one; and one entry for the upload.
        self.assertEqual(history_count(self.s), 4)
        self.assertEqual(len(self.audit("disposition.record")), 4)
        up = self.audit("disposition.upload")
        self.assertEqual(len(up), 1)
        self.assertEqual((up[0]["object"], up[0]["after"]["applied"], up[0]["after"]["file"]),
                         ("call:1", 4, "matrix-filled.xlsx"))
        # The matrix downloaded again, as it now is, and uploaded: every row unchanged, nothing written.
        again = self.office("/office/calls/1/matrix.xlsx").body
        for body in (data, again):
            r = self.upload(body)
            self.assertEqual((r.status, r.json()["applied"], r.json()["unchanged"], r.json()["refused_count"]),
                             (200, 0, 4, 0), r)
        self.assertEqual(history_count(self.s), 4)
        self.assertEqual(len(self.audit("disposition.upload")), 1)
        self.assertEqual(len(self.audit("disposition.record")), 4)

    def test_a_reason_like_a_formula_comes_back_unchanged_from_the_csv(self):
        # The CSV writes '- Removed.' as "'- Removed." (no formula in a spreadsheet); read back, it is the same.
        cid = self.ids["Say who reports."]
        r = self.s.send_json("POST", "/api/v1/comments/%d/disposition" % cid,
                             {"decision": "noted", "reason": "- Removed."}, token=self.token)
        self.assertEqual(r.status, 200, r)
        data = self.office("/office/calls/1/matrix.csv").body
        self.assertIn(b"\"'- Removed.\"", data)
        r = self.upload(data, ctype="text/csv")
        self.assertEqual((r.status, r.json()["unchanged"], r.json()["applied"]), (200, 1, 0), r)
        self.assertEqual(self.answers()["Say who reports."], ("noted", "- Removed.", None))

    def test_the_longest_comment_does_not_stop_the_matrix(self):
        # 20,000 characters of 4 bytes: 80,000 bytes in the matrix's cell, more than a comment table's cell.
        r = self.s.post_json(CONTRIBUTIONS, contribution(comments=[{"paragraph": "p3", "comment": "\U0001F600" * 20000}],
                                                         email="long@example.org"))
        self.assertEqual(r.status, 201, r)
        for path, ctype in (("/office/calls/1/matrix.csv", "text/csv"), ("/office/calls/1/matrix.xlsx", XLSX)):
            r = self.upload(self.office(path).body, ctype=ctype)
            self.assertEqual((r.status, r.json()["empty"]), (200, 5), (path, r))

    def test_a_reason_on_several_lines_comes_back_unchanged(self):
        # A textarea sends CR LF; the matrix read back has LF alone: the same answer, no revision.
        cid = self.ids["Say who reports."]
        r = self.s.send_json("POST", "/api/v1/comments/%d/disposition" % cid,
                             {"decision": "noted", "reason": "First line.\r\nSecond line."}, token=self.token)
        self.assertEqual(r.status, 200, r)
        for path, ctype in (("/office/calls/1/matrix.csv", "text/csv"), ("/office/calls/1/matrix.xlsx", XLSX)):
            r = self.upload(self.office(path).body, ctype=ctype)
            self.assertEqual((r.status, r.json()["unchanged"], r.json()["applied"]), (200, 1, 0), (path, r))
        self.assertEqual(history_count(self.s), 1)

    def test_csv_with_columns_moved_and_added_through_the_office_form(self):
        session = self.login()
        r = self.office("/office/calls/1/matrix.csv")
        self.assertEqual(r.status, 200, r)
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        header = rows[0]
        # The columns reversed, one of ours left out, one of the secretariat's added, a title row above.
        order = [h for h in reversed(header) if h != "Contributor"]
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["Answers of the secretariat, call 1"])
        w.writerow(order + ["Internal note"])
        answers = {str(self.ids["Say who reports."]): ("Not accepted", "Out of scope."),
                   str(self.ids["Define the Council."]): ("noted", "Seen.")}
        for row in rows[1:]:
            cells = dict(zip(header, row))
            if cells["Comment id"] in answers:
                cells["Decision"], cells["Observations of the secretariat"] = answers[cells["Comment id"]]
            w.writerow([cells[h] for h in order] + ["ask Bob"])
        r = self.form_upload(session, "answers.csv", "text/csv", out.getvalue().encode("utf-8"))
        self.assertEqual(r.status, 200, r)
        self.assertIn("Matrix uploaded", r.text)
        self.assertIn('<li id="count-applied">Applied: 2</li>', r.text)
        self.assertIn('<li id="count-empty">Left blank (not answered here): 2</li>', r.text)
        self.assertIn("answers.csv (CSV, header in row 2)", r.text)
        got = self.answers()
        self.assertEqual(got["Say who reports."], ("not_accepted", "Out of scope.", None))
        self.assertEqual(got["Define the Council."], ("noted", "Seen.", None))
        self.assertEqual(got["Number the headings."], (None, None, None))
        # The page offers the form; without the CSRF token the upload is refused and nothing changes.
        page = self.s.get("/office/calls/1/dispositions",
                          headers={"Cookie": "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)})
        self.assertIn('action="/office/calls/1/dispositions/matrix"', page.text)
        self.assertIn('enctype="multipart/form-data"', page.text)
        r = self.form_upload(session, "answers.csv", "text/csv", out.getvalue().encode("utf-8"), csrf=False)
        self.assertEqual(r.status, 403, r)
        # No file chosen: the page again, the field named.
        body, content_type = multipart([("csrf", self.s.csrf_token(session))])
        r = self.s.request("POST", "/office/calls/1/dispositions/matrix", body=body,
                           headers={"Content-Type": content_type,
                                    "Cookie": "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)})
        self.assertEqual(r.status, 422, r)
        self.assertIn('id="e-upload-file"', r.text)

    def test_refused_rows_are_named_by_row_and_the_valid_ones_still_apply(self):
        # A comment of call 2, written here: the API takes none before call 2 opens.
        with harness.connect(self.s.db, timeout=10) as db:
            k = db.execute("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, "
                           "country, email, text, publication, received_at) SELECT 'OTHER-CALL', 2, channel, name, "
                           "organization, category_id, country, email, text, publication, received_at "
                           "FROM contribution LIMIT 1 RETURNING id").fetchone()[0]
            other = db.execute("INSERT INTO comment (contribution_id, version_id, pid, position, type, comment, "
                               "proposed_change) SELECT ?, version_id, NULL, 1, 'general', 'Elsewhere.', '' "
                               "FROM comment LIMIT 1 RETURNING id", (k,)).fetchone()[0]
        i = self.ids
        data = fill_xlsx(self.office("/office/calls/1/matrix.xlsx").body,
                         {i["Say who reports."]: ("Accepted", "Now says who."),
                          i["Yearly is too rare."]: ("maybe", "Perhaps."),
                          i["Number the headings."]: ("Noted", ""),
                          i["Define the Council."]: ("Noted", "Seen.", "\u00b699")},
                         extra=[[("Comment id", 999999), ("Decision", "Noted"), ("Observations of the secretariat", "x")],
                                [("Comment id", other), ("Decision", "Noted"), ("Observations of the secretariat", "x")],
                                [("Comment id", "abc"), ("Decision", "Noted"), ("Observations of the secretariat", "x")],
                                [("Comment id", i["Yearly is too rare."]), ("Decision", "Noted"),
                                 ("Observations of the secretariat", "Seen twice.")],
                                [("Decision", "Noted"), ("Observations of the secretariat", "no id")]])
        wb = openpyxl.load_workbook(io.BytesIO(data))
        row_of = {}
        for row in wb.active.iter_rows(min_row=2):
            row_of.setdefault(str(row[0].value), []).append(row[0].row)
        r = self.upload(data, name="filled.xlsx")
        self.assertEqual(r.status, 200, r)
        got = r.json()
        refused = {x["row"]: (x["comment_id"], x["reason"]) for x in got["refused"]}
        self.assertEqual((got["applied"], got["unchanged"], got["refused_count"]), (1, 0, 8), got)

        def reason(cid, index=0):
            return refused[row_of[str(cid)][index]]

        yearly = i["Yearly is too rare."]
        self.assertEqual(len(row_of[str(yearly)]), 2)
        # The same comment in two rows: both refused, each naming the rows.
        for index in (0, 1):
            self.assertEqual(reason(yearly, index)[0], yearly)
            self.assertIn("Comment %d is in rows %d and %d" % (yearly, row_of[str(yearly)][0], row_of[str(yearly)][1]),
                          reason(yearly, index)[1])
        self.assertIn("reason", reason(i["Number the headings."])[1].lower())
        self.assertIn("\u00b699", reason(i["Define the Council."])[1])
        self.assertEqual(reason(999999), (999999, "There is no comment 999999."))
        self.assertEqual(reason(other), (other, "Comment %d is a comment of another call." % other))
        self.assertIn("\u201cabc\u201d is not a comment id", reason("abc")[1])
        self.assertIsNone(reason("None")[0])
        self.assertIn("No comment id", reason("None")[1])
        # The valid row applied; the refused changed nothing.
        got = self.answers()
        self.assertEqual(got["Say who reports."], ("accepted", "Now says who.", None))
        for text in ("Yearly is too rare.", "Number the headings.", "Define the Council.", "Elsewhere."):
            self.assertEqual(got[text], (None, None, None), text)
        self.assertEqual(history_count(self.s), 1)
        # The back office's page lists every refused row with its number and reason.
        r = self.form_upload(self.login(), "filled.xlsx", XLSX, data)
        self.assertEqual(r.status, 200, r)
        self.assertIn('<li id="count-refused">Refused: 8</li>', r.text)
        self.assertIn('<li id="count-unchanged">Unchanged (the same answer as recorded): 1</li>', r.text)
        self.assertIn("<tr><td>%d</td><td>999999</td><td>There is no comment 999999.</td></tr>" % row_of["999999"][0],
                      r.text)
        self.assertIn("<tr><td>%d</td><td></td><td>No comment id: this row names no comment.</td></tr>"
                      % row_of["None"][0], r.text)
        self.assertEqual(r.text.count("<tr><td>"), 9)
        self.assertEqual(history_count(self.s), 1)
        # A bad decision is said as such, on its own.
        data = fill_xlsx(self.office("/office/calls/1/matrix.xlsx").body, {yearly: ("maybe", "Perhaps.")})
        r = self.upload(data)
        self.assertEqual([x["reason"] for x in r.json()["refused"]],
                         ["\u201cmaybe\u201d is not a decision: write Accepted, Accepted in part, Not accepted or "
                          "Noted."])
        self.assertEqual(r.json()["unchanged"], 1)

    def test_the_new_paragraph_as_the_matrix_writes_it(self):
        s = self.s
        markdown = "Nothing like the draft before.\n\nThe secretariat reports to the Council every year.\n"
        vid = s.publish_version(self.token, markdown, "Next")
        pids = [p["id"] for p in s.get_json("/api/v1/versions/%d" % vid).json()["paragraphs"]]
        i = self.ids
        r = s.send_json("POST", "/api/v1/comments/%d/disposition" % i["Say who reports."],
                        {"decision": "accepted", "reason": "Now says who.", "paragraph": pids[1]}, token=self.token)
        self.assertEqual(r.status, 200, r)
        data = self.office("/office/calls/1/matrix.xlsx").body
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        header = [c.value for c in ws[1]]
        cells = {str(row[0].value): row[header.index("New paragraph")].value for row in ws.iter_rows(min_row=2)}
        self.assertEqual(cells[str(i["Say who reports."])], "\u00b62 of Next")
        filled = fill_xlsx(data, {i["Yearly is too rare."]: ("Accepted", "Moved.", "\u00b61 of Next"),
                                  i["Define the Council."]: ("Accepted", "Defined.", "\u00b62"),
                                  i["Number the headings."]: ("Accepted", "By id.", pids[0]),
                                  i["Say who reports."]: ("Accepted", "Now says who.", "\u00b62 of Later")})
        r = self.upload(filled)
        self.assertEqual((r.status, r.json()["applied"], r.json()["refused_count"]), (200, 3, 1), r)
        self.assertIn("\u201c\u00b62 of Later\u201d is not a paragraph", r.json()["refused"][0]["reason"])
        got = self.answers()
        self.assertEqual(got["Yearly is too rare."][2], pids[0])
        self.assertEqual(got["Define the Council."][2], pids[1])
        self.assertEqual(got["Number the headings."][2], pids[0])
        self.assertEqual(got["Say who reports."][2], pids[1])
        # Without the column, each answer keeps its paragraph.
        wb = openpyxl.load_workbook(io.BytesIO(self.office("/office/calls/1/matrix.xlsx").body))
        ws = wb.active
        ws.delete_cols([c.value for c in ws[1]].index("New paragraph") + 1)
        out = io.BytesIO()
        wb.save(out)
        r = self.upload(out.getvalue())
        self.assertEqual((r.status, r.json()["unchanged"], r.json()["applied"]), (200, 4, 0), r)

    def test_after_publication_every_row_is_refused_with_409(self):
        r = self.s.send_json("POST", "/api/v1/calls/1/dispositions",
                             {"select": {"type": "technical"}, "decision": "noted", "reason": "Seen."}, token=self.token)
        self.assertEqual(r.status, 200, r)
        data = fill_xlsx(self.office("/office/calls/1/matrix.xlsx").body,
                         {self.ids["Yearly is too rare."]: ("Accepted", "Yes."),
                          self.ids["Number the headings."]: ("Noted", "Seen.")})
        self.assertEqual(self.s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=self.token).status, 409)
        self.assertEqual(self.upload(data).status, 200)
        self.assertEqual(self.s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=self.token).status, 200)
        before = history_count(self.s)
        data = fill_xlsx(data, {self.ids["Yearly is too rare."]: ("Not accepted", "Changed my mind.")})
        r = self.upload(data)
        self.assertErrorShape(r, 409, "conflict")
        self.assertIn("published", r.json()["error"]["message"])
        session = self.login()
        r = self.form_upload(session, "late.xlsx", XLSX, data)
        self.assertEqual(r.status, 409, r)
        self.assertIn("published", r.text)
        self.assertEqual(history_count(self.s), before)

    def test_a_file_that_is_no_matrix_is_400_naming_it(self):
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
        r = self.upload(png, ctype="application/octet-stream", name="holiday.png")
        self.assertErrorShape(r, 400, "invalid", fields=["file"])
        self.assertIn("holiday.png", r.json()["error"]["message"])
        r = self.upload(b"Name,Comment\nAnna,Hello\n", ctype="text/csv", name="comments.csv")
        self.assertErrorShape(r, 400, "invalid", fields=["file"])
        self.assertIn("comments.csv: no header row", r.json()["error"]["message"])
        r = self.upload(b"Comment id,Decision\n1,Noted\n", ctype="text/csv", name="short.csv")
        self.assertErrorShape(r, 400, "invalid", fields=["file"])
        self.assertIn("Observations of the secretariat", r.json()["error"]["message"])
        r = self.s.send_json("POST", UPLOAD, {"content": "x"}, token=self.token)
        self.assertEqual(r.status, 415, r)
        r = self.upload(b"", ctype="text/csv", name="empty.csv")
        self.assertErrorShape(r, 400, "invalid", fields=["file"])
        self.assertEqual(self.upload(b"x", ctype="text/csv", token=False).status, 401)
        self.assertEqual(self.s.request("POST", "/api/v1/calls/99/dispositions/matrix", body=b"a,b\n",
                                        headers={"Content-Type": "text/csv",
                                                 "Authorization": "Bearer " + self.token}).status, 404)
        session = self.login()
        r = self.form_upload(session, "holiday.png", "image/png", png)
        self.assertEqual(r.status, 422, r)
        self.assertIn("holiday.png", r.text)
        self.assertEqual(history_count(self.s), 0)

    def test_a_matrix_larger_than_a_form_is_taken_from_the_secretariat_only(self):
        # 3 MiB: more than LIMIT_REQUEST_BODY (2 MiB), within the matrix's own limit.
        r = self.office("/office/calls/1/matrix.csv")
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(rows[0] + ["Filler"])
        for row in rows[1:]:
            cells = dict(zip(rows[0], row))
            cells["Decision"], cells["Observations of the secretariat"] = "Noted", "Seen."
            w.writerow([cells[h] for h in rows[0]] + ["x" * 60000])
        for n in range(50):
            w.writerow([""] * len(rows[0]) + ["y" * 60000])
        data = out.getvalue().encode()
        self.assertGreater(len(data), 3 * 1024 * 1024)
        r = self.upload(data, ctype="text/csv")
        self.assertEqual((r.status, r.json()["applied"]), (200, 4), r)
        # A stranger's body of that size is refused from its length, before it is read (a made-up token, or a
        # stakeholder's, are strangers here); the secretariat's beyond the matrix's own limit
        # (LIMIT_MATRIX_BODY) too.
        def announced(length, token):
            head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n" % (
                UPLOAD, length)
            head += "Authorization: Bearer %s\r\n" % token if token else ""
            return self.s.raw((head + "\r\n").encode("ascii"), timeout=10)[0]
        stakeholder = self.s.account_token("someone@example.org", role="stakeholder")
        for token in (None, "made-up", stakeholder):
            self.assertEqual(announced(len(data), token), 413, token)
        self.assertEqual(announced(96 * 1024 * 1024 + 64 * 1024 + 1, self.token), 413)
        session = self.login()
        r = self.form_upload(session, "big.csv", "text/csv", data)
        self.assertEqual(r.status, 200, r)
        self.assertIn('<li id="count-unchanged">Unchanged (the same answer as recorded): 4</li>', r.text)

    def test_at_most_200000_rows(self):
        # LIMIT_MATRIX_ROWS non-empty rows, the header one of them: read (every row blank, so nothing to write);
        # one more and the file is refused, naming it.
        head = b"Comment id,Decision,Observations of the secretariat\n"
        rows = b"".join(b"%d,,\n" % (1000000 + n) for n in range(199999))
        r = self.upload(head + rows, ctype="text/csv", name="all.csv")
        self.assertEqual((r.status, r.json()["empty"], r.json()["applied"]), (200, 199999, 0), r)
        r = self.upload(head + rows + b"7,,\n", ctype="text/csv", name="all.csv")
        self.assertErrorShape(r, 400, "invalid", fields=["file"])
        self.assertIn("all.csv: more than 200000 rows", r.json()["error"]["message"])

    def test_answered_one_by_one_in_bulk_and_by_matrix_then_published(self):
        """Item 6's story."""
        s, i = self.s, self.ids
        extra = s.post_json(CONTRIBUTIONS, contribution(comments=[{"paragraph": "p2", "comment": "Last one."}]))
        self.assertEqual(extra.status, 201, extra)
        with harness.connect(s.db, timeout=10) as db:
            last = db.execute("SELECT id FROM comment WHERE comment = 'Last one.'").fetchone()[0]
        # One by one.
        r = s.send_json("POST", "/api/v1/comments/%d/disposition" % i["Say who reports."],
                        {"decision": "accepted", "reason": "Now says who."}, token=self.token)
        self.assertEqual(r.status, 200, r)
        # In bulk: the editorial ones.
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"type": "editorial"}, "decision": "accepted", "reason": "Fixed."}, token=self.token)
        self.assertEqual((r.status, r.json()["applied"]), (200, 1), r)
        # By the matrix: the rest but one.
        data = fill_xlsx(self.office("/office/calls/1/matrix.xlsx").body,
                         {i["Number the headings."]: ("Not accepted", "No numbering."),
                          i["Define the Council."]: ("Noted", "Defined elsewhere.")})
        r = self.upload(data)
        self.assertEqual((r.status, r.json()["applied"], r.json()["unchanged"], r.json()["empty"]), (200, 2, 2, 1), r)
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=self.token)
        self.assertErrorShape(r, 409, "conflict")
        self.assertIn("1 comment has no disposition yet", r.json()["error"]["message"])
        r = s.send_json("GET", "/api/v1/calls/1/dispositions/remaining", token=self.token)
        self.assertEqual((r.json()["remaining"], r.json()["paragraphs"]), (1, [{"paragraph": "p2", "count": 1}]))
        data = fill_xlsx(data, {last: ("accepted_in_part", "The first half.")})
        r = self.upload(data)
        self.assertEqual((r.status, r.json()["applied"], r.json()["unchanged"]), (200, 1, 4), r)
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=self.token)
        self.assertEqual(r.status, 200, r)
        # The public matrix shows each answer now.
        page = s.get("/calls/1/matrix").text
        for text in ("Now says who.", "Fixed.", "No numbering.", "Defined elsewhere.", "The first half."):
            self.assertIn(text, page)


if __name__ == "__main__":
    unittest.main()
