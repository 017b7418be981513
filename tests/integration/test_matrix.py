"""
The resolution matrix of a call (issue 9, item 2): the HTML page, the CSV and
the XLSX, public and the secretariat's. Comments are posted through the API;
dispositions are written with sqlite3 here (recording them is another part
of the issue). Checks the columns, the order (paragraphs in document order
with general comments last, or by contributor), the CSV's BOM, quoting and
formula neutralization, the XLSX read back cell by cell, private
contributions only in the secretariat's matrix, decisions hidden from the
public until the call's dispositions are published, 404 for an unknown call
and the office routes for the secretariat only.
"""

import csv
import html
import io
import re
import sqlite3
import harness
import unittest

import openpyxl

from harness import SLUG, ServerTestCase, contribution

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
SECRETARIAT = "secretariat@example.org"
HEADER = ["Comment id", "Contributor", "Organization", "Category", "Country", "Clause/paragraph", "Type", "Comment",
          "Proposed change", "Decision", "Observations of the secretariat", "New paragraph"]


def rows_of_html(page):
    rows = []
    for tr in re.findall(r"<tr id=\"c\d+\">(.*?)</tr>", page, re.S):
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", td)) for td in re.findall(r"<td>(.*?)</td>", tr, re.S)])
    return rows


class Matrix(ServerTestCase):
    SHARED = False

    def setUp(self):
        super().setUp()
        s = self.s = self.fresh_server()
        self.token = s.account_token(SECRETARIAT)
        post = lambda comments, **f: self.assertEqual(
            s.post_json(CONTRIBUTIONS, contribution(comments=comments, **f)).status, 201)
        post([{"paragraph": "p7", "type": "technical", "comment": "Yearly is too rare.",
               "proposed_change": "=HYPERLINK(\"http://evil.example\",\"x\")"},
              {"paragraph": None, "type": "editorial", "comment": "Number the headings."}],
             name="Zoe Zed", organization="Zed Org")
        post([{"paragraph": "p3", "type": "general", "comment": "Say who reports, \"and\", to whom.",
               "proposed_change": "+1 line"}], name="Anna Anon", organization="Hidden Org", publication="anonymous")
        post([{"paragraph": "p5", "type": "technical", "comment": "A private remark."}],
             name="Paula Private", organization="Private Org", publication="private")
        with harness.connect(s.db, timeout=10) as db:
            self.ids = {c: i for i, c in db.execute("SELECT id, comment FROM comment")}
            account = db.execute("SELECT id FROM account WHERE email = ?", (SECRETARIAT,)).fetchone()[0]
            version = db.execute("SELECT version_id FROM call WHERE id = 1").fetchone()[0]
            db.execute("INSERT INTO disposition (comment_id, decision, reason, version_id, pid, decided_at, decided_by) "
                       "VALUES (?, 'accepted', 'Now every six months.', ?, 'p7', 0, ?)",
                       (self.ids["Yearly is too rare."], version, account))
            db.execute("INSERT INTO disposition (comment_id, decision, reason, decided_at, decided_by) "
                       "VALUES (?, 'noted', '@SUM(A1) kept as text', 0, ?)",
                       (self.ids["Say who reports, \"and\", to whom."], account))

    def publish(self):
        with harness.connect(self.s.db, timeout=10) as db:
            db.execute("UPDATE call SET dispositions_published_at = 1 WHERE id = 1")

    def office(self, path):
        return self.s.request("GET", path, headers={"Authorization": "Bearer " + self.token})

    def test_public_page_has_the_columns_and_published_rows_in_paragraph_order(self):
        r = self.s.get("/calls/1/matrix")
        self.assertEqual(r.status, 200, r)
        page = r.text
        for h in HEADER:
            self.assertIn("<th scope=\"col\">%s</th>" % html.escape(h, quote=False), page)
        rows = rows_of_html(page)
        # p3, p7, then the general comment; the private contribution is not there.
        self.assertEqual([row[5] for row in rows], ["\u00b63", "\u00b67", "General"])
        self.assertEqual(rows[0][1:5], ["Anonymous", "", "Academia", "Switzerland"])
        self.assertEqual(rows[1][1:3], ["Zoe Zed", "Zed Org"])
        self.assertNotIn("Private", page)
        self.assertNotIn("Hidden Org", page)
        # Decisions are not public before the dispositions are.
        self.assertEqual([row[9:] for row in rows], [["", "", ""]] * 3)
        self.assertNotIn("six months", page)
        self.publish()
        rows = rows_of_html(self.s.get("/calls/1/matrix").text)
        self.assertEqual(rows[1][9:], ["Accepted", "Now every six months.", "\u00b67 of Revised draft"])
        self.assertEqual(rows[0][9:11], ["Noted", "@SUM(A1) kept as text"])

    def test_clause_as_written_and_pages(self):
        with harness.connect(self.s.db, timeout=10) as db:
            db.execute("UPDATE comment SET clause = '5.2, second paragraph' WHERE id = ?",
                       (self.ids["Yearly is too rare."],))
            k, version = db.execute("SELECT contribution_id, version_id FROM comment WHERE id = ?",
                                    (self.ids["Yearly is too rare."],)).fetchone()
            db.executemany("INSERT INTO comment (contribution_id, version_id, pid, position, type, comment) "
                           "VALUES (?, ?, 'p9', ?, 'technical', ?)",
                           [(k, version, 10 + i, "Bulk comment %d" % i) for i in range(1100)])
        first = self.s.get("/calls/1/matrix").text
        rows = rows_of_html(first)
        self.assertEqual(len(rows), 1000)
        self.assertEqual(rows[1][5], "\u00b67 (5.2, second paragraph)")
        nxt = re.search(r'href="([^"]+)" rel="next"', first).group(1)
        self.assertEqual(html.unescape(nxt), "/calls/1/matrix?sort=paragraph&offset=1000")
        rest = rows_of_html(self.s.get(html.unescape(nxt)).text)
        self.assertEqual(len(rest), 1103 - 1000)
        self.assertEqual(rest[-1][5], "General")
        self.assertEqual(len({r[0] for r in rows + rest}), 1103)
        csv_rows = list(csv.reader(io.StringIO(self.s.get("/calls/1/matrix.csv").body.decode("utf-8-sig"),
                                               newline="")))
        self.assertEqual(len(csv_rows), 1104)
        # Exactly a page's worth: no link to an empty next page.
        with harness.connect(self.s.db, timeout=10) as db:
            db.execute("DELETE FROM comment WHERE comment IN (%s)" % ",".join("'Bulk comment %d'" % i for i in range(103)))
        page = self.s.get("/calls/1/matrix").text
        self.assertEqual(len(rows_of_html(page)), 1000)
        self.assertNotIn('rel="next"', page)

    def test_sort_by_contributor(self):
        rows = rows_of_html(self.s.get("/calls/1/matrix?sort=contributor").text)
        self.assertEqual([row[1] for row in rows], ["Anonymous", "Zoe Zed", "Zoe Zed"])
        rows = rows_of_html(self.office("/office/calls/1/matrix?sort=contributor").text)
        self.assertEqual([row[1] for row in rows], ["Anna Anon", "Paula Private", "Zoe Zed", "Zoe Zed"])

    def test_office_matrix_has_everything(self):
        r = self.office("/office/calls/1/matrix")
        self.assertEqual(r.status, 200, r)
        rows = rows_of_html(r.text)
        self.assertEqual([row[5] for row in rows], ["\u00b63", "\u00b65", "\u00b67", "General"])
        self.assertEqual(rows[0][1:3], ["Anna Anon", "Hidden Org"])
        self.assertEqual(rows[1][1], "Paula Private")
        self.assertEqual(rows[2][9:11], ["Accepted", "Now every six months."])  # before publication too

    def test_pending_hidden_and_spam_are_never_public(self):
        for state in ("pending", "hidden", "spam"):
            with harness.connect(self.s.db, timeout=10) as db:
                db.execute("UPDATE contribution SET state = ? WHERE name = 'Zoe Zed'", (state,))
            page = self.s.get("/calls/1/matrix").text
            self.assertNotIn("Zoe Zed", page, state)
            self.assertNotIn("Zoe Zed", self.s.get("/calls/1/matrix.csv").body.decode(), state)
            self.assertEqual([row[1] for row in rows_of_html(page)], ["Anonymous"], state)
            self.assertIn("Zoe Zed", self.office("/office/calls/1/matrix").text, state)

    def test_csv(self):
        r = self.s.get("/calls/1/matrix.csv")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("content-type").startswith("text/csv"))
        self.assertEqual(r.header("content-disposition"), 'attachment; filename="matrix-call-1.csv"')
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"), r.body[:10])
        self.assertIn(b"\r\n", r.body)
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
        self.assertEqual(rows[0], HEADER)
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows[1][7], "Say who reports, \"and\", to whom.")
        # Cells a spreadsheet would take for a formula begin with an apostrophe.
        self.assertEqual(rows[1][8], "'+1 line")
        self.assertEqual(rows[2][8], "'=HYPERLINK(\"http://evil.example\",\"x\")")
        self.publish()
        rows = list(csv.reader(io.StringIO(self.s.get("/calls/1/matrix.csv").body.decode("utf-8-sig"), newline="")))
        self.assertEqual(rows[1][10], "'@SUM(A1) kept as text")
        office = list(csv.reader(io.StringIO(self.office("/office/calls/1/matrix.csv").body.decode("utf-8-sig"),
                                             newline="")))
        self.assertEqual(len(office), 5)
        self.assertIn("A private remark.", [row[7] for row in office])

    def test_xlsx_read_back_cell_by_cell(self):
        self.publish()
        r = self.s.get("/calls/1/matrix.xlsx?sort=contributor")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertEqual(r.header("content-disposition"), 'attachment; filename="matrix-call-1.xlsx"')
        book = openpyxl.load_workbook(io.BytesIO(r.body))
        sheet = book.worksheets[0]
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        self.assertEqual(rows[0], HEADER)
        self.assertEqual(len(rows), 4)
        zoe = rows[2]
        self.assertEqual(zoe[0], str(self.ids["Yearly is too rare."]))
        self.assertEqual(zoe[1:8], ["Zoe Zed", "Zed Org", "Academia", "Switzerland", "\u00b67", "technical",
                                    "Yearly is too rare."])
        # Written as a string, never as a formula.
        cell = sheet.cell(row=3, column=9)
        self.assertEqual(cell.value, "=HYPERLINK(\"http://evil.example\",\"x\")")
        self.assertEqual(cell.data_type, "s")
        self.assertEqual(zoe[9:11], ["Accepted", "Now every six months."])
        self.assertEqual(rows[3][5], "General")
        self.assertEqual(rows[3][9:], [None, None, None])
        office = openpyxl.load_workbook(io.BytesIO(self.office("/office/calls/1/matrix.xlsx").body)).worksheets[0]
        self.assertIn("A private remark.", [row[7].value for row in office.iter_rows()])

    def test_linked_from_the_call_pages(self):
        self.assertIn('href="/calls/1/matrix"', self.s.get("/calls/1").text)
        self.assertIn('href="/office/calls/1/matrix"', self.office("/office/processes/" + SLUG).text)

    def test_unknown_call_and_office_for_the_secretariat_only(self):
        for path in ("/calls/999/matrix", "/calls/999/matrix.csv", "/calls/999/matrix.xlsx",
                     "/calls/x/matrix.xlsx"):
            self.assertEqual(self.s.get(path).status, 404, path)
        self.assertEqual(self.office("/office/calls/999/matrix.xlsx").status, 404)
        for path in ("/office/calls/1/matrix", "/office/calls/1/matrix.csv", "/office/calls/1/matrix.xlsx"):
            r = self.s.get(path)
            self.assertIn(r.status, (302, 303, 401, 403), (path, r))
            self.assertNotIn(b"private remark", r.body)


if __name__ == "__main__":
    unittest.main()
