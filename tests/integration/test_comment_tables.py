"""
A filled comment table uploaded with the contribution form (issue 8): the form
is multipart and offers the field; a file that is not a table, a zip bomb, a
table of too many rows or one without a header row gets the form back with a
message at the field naming the file (and the row), and nothing is stored; a
good table is read and its contribution received. The tables are those of
tests/sheets/make_fixtures.py, written into a temporary directory.

On the tables branch the comments themselves are handed to
contribution_receive() but not yet stored (another branch stores them): these
tests check the channel, not the storage.
"""

import html
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import uuid

from harness import CALL1_OPEN, CSRF_TOKEN, ServerTestCase, contribution

FORM = "/calls/1/contribute"
HERE = os.path.dirname(os.path.abspath(__file__))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def multipart(fields, files=()):
    """(body, Content-Type) of a multipart/form-data form as a browser sends it."""
    boundary = "----ConsultaTable" + uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, name)).encode())
        out.append(value.encode("utf-8") + b"\r\n")
    for name, filename, ctype, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                    % (boundary, name, filename, ctype)).encode())
        out.append(data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def field_error(page, field):
    m = re.search(r'<p class="error" id="e-%s">(.*?)</p>' % field, page, re.S)
    return html.unescape(m.group(1)) if m else None


class CommentTableForm(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="consulta-sheets-")
        subprocess.run([sys.executable, os.path.join(HERE, "..", "sheets", "make_fixtures.py"), cls.dir], check=True)
        super().setUpClass()

    def fixture(self, name):
        with open(os.path.join(self.dir, "sheets", name), "rb") as f:
            return f.read()

    def count(self, s):
        with sqlite3.connect(s.db, timeout=10) as db:
            return db.execute("SELECT count(*) FROM contribution").fetchone()[0]

    def send(self, s, filename, data, ctype=XLSX, **fields):
        c = contribution(**fields)
        body, content_type = multipart(list(c.items()) + [("csrf", s.csrf_token())],
                                       [("table", filename, ctype, data)])
        return s.request("POST", FORM, body=body,
                         headers={"Content-Type": content_type, "Cookie": "consulta_csrf=" + CSRF_TOKEN})

    def test_the_form_offers_a_table(self):
        s = self.fresh_server()
        page = s.get(FORM).text
        self.assertIn('enctype="multipart/form-data"', page)
        self.assertIn('<input type="file" id="f-table" name="table"', page)
        self.assertIn("A filled comment table (XLSX, CSV or Word)", page)

    def test_bad_tables_are_refused_at_their_field_and_nothing_is_stored(self):
        s = self.fresh_server()
        before = self.count(s)
        many = ("Paragraph,Comments\n" + "".join("1,Comment %d\n" % i for i in range(20001))).encode()
        cases = [
            ("image.png", self.fixture("image.png"), "image/png", "image.png: this is not a table"),
            ("bomb.xlsx", self.fixture("bomb.xlsx"), XLSX, "bomb.xlsx: xl/worksheets/sheet1.xml inflates to more than"),
            ("bomb_lying.xlsx", self.fixture("bomb_lying.xlsx"), XLSX, "zip bomb"),
            ("many.csv", many, "text/csv", "many.csv: more than 20000 rows (row 20001 is one too many)"),
            ("letter.txt", self.fixture("letter.txt"), "text/plain", "letter.txt: no header row found"),
            ("latin1.csv", self.fixture("latin1.csv"), "text/csv", "latin1.csv: this text is neither UTF-8"),
        ]
        for filename, data, ctype, message in cases:
            with self.subTest(filename):
                r = self.send(s, filename, data, ctype)
                self.assertEqual(r.status, 422, r)
                error = field_error(r.text, "table")
                self.assertIsNotNone(error, r.text[:2000])
                self.assertIn(message, error)
                self.assertIn('href="#f-table"', r.text)  # the summary links to the field
                self.assertIn("Ada Lovelace", r.text)     # what was typed stays
        self.assertEqual(self.count(s), before, "nothing was stored")

    def test_a_good_table_goes_with_its_contribution(self):
        s = self.fresh_server()
        before = self.count(s)
        r = self.send(s, "excel.xlsx", self.fixture("excel.xlsx"))
        self.assertEqual(r.status, 303, r)
        self.assertRegex(r.header("Location"), r"^/receipts/")
        self.assertEqual(self.count(s), before + 1)
        # an empty file field is no table
        r = self.send(s, "", b"", "application/octet-stream")
        self.assertEqual(r.status, 303, r)

    def test_a_refused_contribution_shows_what_was_understood_of_its_table(self):
        s = self.fresh_server()
        before = self.count(s)
        r = self.send(s, "semicolon_bom.csv", self.fixture("semicolon_bom.csv"), "text/csv", email="nope")
        self.assertEqual(r.status, 422, r)
        text = html.unescape(r.text)
        self.assertIn("Your comment table", text)
        self.assertIn("2 comments taken from the CSV table (header in row 1)", text)
        self.assertIn("Row 2: on \u00b62, technical", text)
        self.assertIn("Row 4: on \u00b63, editorial", text)
        self.assertEqual(self.count(s), before)


if __name__ == "__main__":
    unittest.main()
