"""
A filled comment table uploaded with the contribution form or attached to a
mail (issue 8). On the form: the form
is multipart and offers the field; a file that is not a table, a zip bomb, a
table of too many rows or one without a header row gets the form back with a
message at the field naming the file (and the row), and nothing is stored; a
good table is read and its contribution received. By mail (`consulta
mail-in`): the attachment that is a comment table becomes the comments and
the others stay attachments; a Word letter without a table stays an
attachment; a zip bomb holds the message and its sender is told. The tables
are those of
tests/sheets/make_fixtures.py, written into a temporary directory.

On the tables branch the comments themselves are handed to
contribution_receive() but not yet stored (another branch stores them): these
tests check the channel, not the storage.
"""

import email.message
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import CALL1_OPEN, CSRF_TOKEN, ServerTestCase, contribution, multipart

FORM = "/calls/1/contribute"
HERE = os.path.dirname(os.path.abspath(__file__))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def field_error(page, field):
    m = re.search(r'<p class="error" id="e-%s">(.*?)</p>' % field, page, re.S)
    return html.unescape(m.group(1)) if m else None


class CommentTableForm(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    @classmethod
    def setUpClass(cls):
        make_fixtures(cls)
        super().setUpClass()

    def fixture(self, name):
        with open(os.path.join(self.dir, "sheets", name), "rb") as f:
            return f.read()

    def count(self, s):
        with harness.connect(s.db, timeout=10) as db:
            return db.execute("SELECT count(*) FROM contribution").fetchone()[0]

    def send(self, s, filename, data, ctype=XLSX, lang=None, **fields):
        c = contribution(**fields)
        body, content_type = multipart(list(c.items()) + [("csrf", s.csrf_token())],
                                       [("table", filename, ctype, data)])
        cookie = "consulta_csrf=" + CSRF_TOKEN + ("; consulta_lang=" + lang if lang else "")
        # A bomb is inflated up to its limit (64 MiB) under the sanitizers before it is refused: on a loaded
        # machine (the SQLite and PostgreSQL runs at once) that takes more than the usual 20 s ceiling.
        return s.request("POST", FORM, body=body, timeout=90,
                         headers={"Content-Type": content_type, "Cookie": cookie})

    def paragraph_count(self, s):
        with harness.connect(s.db, timeout=10) as db:
            return db.execute("SELECT count(*) FROM paragraph WHERE version_id = "
                              "(SELECT version_id FROM call WHERE id = 1)").fetchone()[0]

    def test_a_bad_table_is_told_in_the_readers_language(self):
        """The reading's and the mapping's messages (render/sheet.c, core/comment_table.c) are the catalogue's:
        each says where (row, column) and what to do, in the page's language."""
        s = self.fresh_server()
        before = self.count(s)
        unclosed = b'Paragraph,Comments\n1,Fine\n2,"Not closed\n'
        wide = ("Paragraph,Comments\n1,Fine" + "," * 63 + "stray\n").encode()
        cases = {
            "en": [("unclosed.csv", unclosed, "unclosed.csv: row 3: a quoted cell is not closed (a \" is missing); "
                    "add the closing \" where the cell ends."),
                   ("wide.csv", wide, "wide.csv: row 2, column BM: text beyond the first 64 columns; a comment "
                    "table has fewer: move it into the first 64 columns or delete it."),
                   ("letter.txt", self.fixture("letter.txt"), "letter.txt: no header row found")],
            "fr": [("unclosed.csv", unclosed, "unclosed.csv: ligne 3 : une cellule entre guillemets n\u2019est pas "
                    "ferm\u00e9e (il manque un \") ; ajoutez le \" fermant l\u00e0 o\u00f9 la cellule se termine."),
                   ("wide.csv", wide, "wide.csv: ligne 2, colonne BM : du texte au-del\u00e0 des 64 premi\u00e8res "
                    "colonnes ; un tableau de commentaires en a moins : d\u00e9placez-le dans les 64 premi\u00e8res "
                    "colonnes ou supprimez-le."),
                   ("letter.txt", self.fixture("letter.txt"), "letter.txt: aucune ligne d\u2019en-t\u00eate trouv\u00e9e")],
            "ar": [("unclosed.csv", unclosed, "unclosed.csv: \u0627\u0644\u0635\u0641 3: \u062e\u0644\u064a\u0629 "
                    "\u0628\u064a\u0646 \u0639\u0644\u0627\u0645\u062a\u064a \u062a\u0646\u0635\u064a\u0635 "
                    "\u063a\u064a\u0631 \u0645\u063a\u0644\u0642\u0629"),
                   ("wide.csv", wide, "wide.csv: \u0627\u0644\u0635\u0641 2\u060c \u0627\u0644\u0639\u0645\u0648\u062f BM:"),
                   ("letter.txt", self.fixture("letter.txt"), "letter.txt: \u0644\u0645 \u064a\u064f\u0639\u062b\u0631 "
                    "\u0639\u0644\u0649 \u0635\u0641 \u0627\u0644\u0639\u0646\u0627\u0648\u064a\u0646")],
        }
        for lang, tables in cases.items():
            for filename, data, message in tables:
                with self.subTest(lang=lang, table=filename):
                    r = self.send(s, filename, data, "text/csv", lang=lang)
                    self.assertEqual(r.status, 422, r)
                    self.assertIn('lang="%s"' % lang, r.text)
                    error = field_error(r.text, "table")
                    self.assertIsNotNone(error, r.text[:2000])
                    self.assertIn(message, error)
                    if lang != "en":
                        self.assertNotIn("row", error)
                        self.assertNotIn("quoted cell", error)
        self.assertEqual(self.count(s), before, "nothing was stored")

    def test_rows_naming_paragraphs_the_version_lacks_refuse_the_whole_table(self):
        """A row on ¶99 of a version that has fewer is no general comment: the table is refused, each such row
        named with its number, the version's paragraphs said, and nothing stored."""
        s = self.fresh_server()
        before = self.count(s)
        n = self.paragraph_count(s)
        self.assertGreater(n, 2)
        table = ("Paragraph,Type,Comments\n1,te,Good\n99,ge,Lost\n\u00b6120,ed,Also lost\nTable 1,ed,Kept\n"
                 "2,ed,Good too\n").encode()
        r = self.send(s, "missing.csv", table, "text/csv")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "table"),
                         "missing.csv: 2 rows name paragraphs this version does not have (row 3 names \u00b699; "
                         "row 4 names \u00b6120); its paragraphs are \u00b61\u2013\u00b6%d. Correct the paragraph "
                         "column and send the table again: nothing was taken from it." % n)
        self.assertIn("Ada Lovelace", r.text)  # what was typed stays
        r = self.send(s, "missing.csv", table, "text/csv", lang="fr")
        self.assertEqual(r.status, 422, r)
        self.assertIn("missing.csv: 2 lignes indiquent des paragraphes que cette version n\u2019a pas (la ligne 3 "
                      "indique le \u00b699\u00a0; la ligne 4 indique le \u00b6120)", field_error(r.text, "table"),
                      "the rows listed with French's own separator (a no-break space before the semicolon)")
        # many such rows: as many listed as the message holds whole, in any language's letters, the rest counted
        many = ("Paragraph,Comments\n" + "".join("%d,Comment %d\n" % (1000 + i, i) for i in range(60))).encode()
        ends = {"en": "nothing was taken from it.", "ru": "\u0438\u0437 \u043d\u0435\u0451 \u043d\u0438\u0447\u0435\u0433\u043e "
                "\u043d\u0435 \u0432\u0437\u044f\u0442\u043e.", "ar": "\u0644\u0645 \u064a\u0624\u062e\u0630 \u0645\u0646\u0647 "
                "\u0634\u064a\u0621."}
        for lang, end in ends.items():
            with self.subTest(lang=lang):
                r = self.send(s, "a-table-with-a-rather-long-name-as-people-give-them-2021-final-v3.csv", many,
                              "text/csv", lang=lang)
                self.assertEqual(r.status, 422, r)
                error = field_error(r.text, "table")
                self.assertTrue(error.endswith(end), error)
                self.assertIn("\u00b61000", error)
                self.assertLess(len(error.encode()), 512)
        self.assertEqual(self.count(s), before, "nothing was stored")
        # the same table without those two rows goes, "Table 1" as a general comment with a note
        fixed = ("Paragraph,Type,Comments\n1,te,Good\nTable 1,ed,Kept\n2,ed,Good too\n").encode()
        r = self.send(s, "fixed.csv", fixed, "text/csv")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.count(s), before + 1)

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
            # a Word file cut short (a ZIP that cannot be read) is damaged, not a text in a wrong encoding
            ("cut.docx", self.fixture("excel.xlsx")[:300], DOCX_TYPE, "cut.docx: this file is damaged or is not a Word"),
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
        # the receipt page tells what was understood of the table, row by row, skipped rows included
        receipt = s.get(r.header("Location")).text
        self.assertIn("Your comment table, row by row", receipt)
        self.assertIn("Row 9: skipped: no comment text in this row.", receipt)
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
        self.assertIn("2 comments taken from the CSV table (header in row 1), but not sent with the rest of the "
                      "form: choose the file again when you send it.", text)
        self.assertIn("Row 2: on \u00b62, technical", text)
        self.assertIn("Row 4: on \u00b63, editorial", text)
        self.assertEqual(self.count(s), before)


def make_fixtures(cls):
    cls.dir = tempfile.mkdtemp(prefix="consulta-sheets-")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "sheets", "make_fixtures.py"), cls.dir], check=True)


def mail_in(db, eml):
    """`consulta mail-in` with eml; (exit code, its JSON line)."""
    env = dict(os.environ)
    env["CONSULTA_NOW"] = CALL1_OPEN
    p = subprocess.run([harness.binary(), "--db", harness.db_url(db), "mail-in"], input=eml, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT, env=env)
    report = harness.sanitizer_report(p.stderr.decode("utf-8", "replace"))
    if report:
        raise AssertionError("sanitizer report from mail-in: " + report)
    return p.returncode, json.loads(p.stdout.decode("utf-8").splitlines()[0])


class CommentTableMail(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = True

    @classmethod
    def setUpClass(cls):
        make_fixtures(cls)
        super().setUpClass()

    def message(self, message_id, files):
        m = email.message.EmailMessage()
        m["From"] = "Ada <ada@example.org>"
        m["To"] = "written-inputs@gca-demo.example"
        m["Subject"] = "Our comments"
        m["Message-ID"] = "<%s>" % message_id
        m.set_content("Our comments are in the table attached.\n")
        for name, maintype, subtype in files:
            with open(os.path.join(self.dir, "sheets", name), "rb") as f:
                m.add_attachment(f.read(), maintype=maintype, subtype=subtype, filename=name)
        return m.as_bytes()

    def attachments(self, message_id):
        with harness.connect_ro(self.server.db) as c:
            return [r[0] for r in c.execute("SELECT a.name FROM attachment a JOIN contribution k ON "
                                            "k.id = a.contribution_id WHERE k.message_id = ? ORDER BY a.position",
                                            (message_id,))]

    def count(self, message_id):
        with harness.connect_ro(self.server.db) as c:
            return c.execute("SELECT count(*) FROM contribution WHERE message_id = ?", (message_id,)).fetchone()[0]

    def test_the_table_becomes_the_comments_and_the_rest_stay_attachments(self):
        eml = self.message("table@example.org", [("image.png", "image", "png"),
                                                 ("excel.xlsx", "application",
                                                  "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                                 ("notable.docx", "application",
                                                  "vnd.openxmlformats-officedocument.wordprocessingml.document")])
        code, out = mail_in(self.server.db, eml)
        self.assertEqual(code, 0, out)
        self.assertEqual(out["outcome"], "accepted", out)
        report = out["comment_report"]
        self.assertIn("4 comments taken from the XLSX table \u201cexcel.xlsx\u201d (header in row 3)", report)
        self.assertIn("Row 5: on \u00b63, technical.", report)
        self.assertIn("Row 9: skipped: no comment text in this row.", report)
        # the Word letter without a table and the image stay attachments; the table is the comments
        self.assertEqual(self.attachments("table@example.org"), ["image.png", "notable.docx"])
        # the comments are stored, and the receipt in reply tells the sender what was understood, row by row
        with harness.connect_ro(self.server.db) as c:
            stored = c.execute("SELECT count(*) FROM comment m JOIN contribution k ON k.id = m.contribution_id "
                               "WHERE k.message_id = ?", ("table@example.org",)).fetchone()[0]
            reply = [m for (m,) in c.execute("SELECT message FROM outbox")
                     if "In-Reply-To: <table@example.org>" in m]
        self.assertEqual(stored, 4)
        self.assertEqual(len(reply), 1)
        body = email.message_from_string(reply[0]).get_payload(decode=True).decode("utf-8")
        self.assertIn("Your comment table, row by row:", body)
        self.assertIn("Row 9: skipped: no comment text in this row.", body)

    def test_a_zip_bomb_holds_the_message_and_its_sender_is_told(self):
        eml = self.message("bomb@example.org", [("bomb.xlsx", "application",
                                                 "vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
        code, out = mail_in(self.server.db, eml)
        self.assertEqual(code, 0, out)
        self.assertEqual(out["outcome"], "held", out)
        self.assertEqual(out["reason"], "invalid", out)
        self.assertIn("bomb.xlsx: xl/worksheets/sheet1.xml inflates to more than 64 MiB", out["detail"])
        self.assertEqual(self.count("bomb@example.org"), 0, "nothing was stored as a contribution")
        with harness.connect_ro(self.server.db) as c:
            told = [m for (m,) in c.execute("SELECT message FROM outbox") if "In-Reply-To: <bomb@example.org>" in m]
        self.assertEqual(len(told), 1)
        self.assertIn("zip bomb", told[0].replace("\r\n ", " ").replace("\n ", " "))

    def test_a_table_naming_a_missing_paragraph_holds_the_message_and_its_sender_is_told(self):
        with open(os.path.join(self.dir, "sheets", "missing.csv"), "wb") as f:
            f.write(b"Paragraph,Comments\n1,Fine\n99,Lost\n")
        eml = self.message("missing@example.org", [("missing.csv", "text", "csv")])
        code, out = mail_in(self.server.db, eml)
        self.assertEqual(code, 0, out)
        self.assertEqual((out["outcome"], out["reason"]), ("held", "invalid"), out)
        self.assertIn("missing.csv: 1 row names a paragraph this version does not have (row 3 names \u00b699)",
                      out["detail"])
        self.assertEqual(self.count("missing@example.org"), 0, "nothing was stored as a contribution")
        with harness.connect_ro(self.server.db) as c:
            told = [m for (m,) in c.execute("SELECT message FROM outbox") if "In-Reply-To: <missing@example.org>" in m]
        self.assertEqual(len(told), 1)

    def test_a_spreadsheet_that_is_no_comment_table_stays_an_attachment(self):
        eml = self.message("letter@example.org", [("letter.txt", "text", "csv")])
        code, out = mail_in(self.server.db, eml)
        self.assertEqual(out["outcome"], "accepted", out)
        self.assertNotIn("comment_report", out)
        self.assertEqual(self.attachments("letter@example.org"), ["letter.txt"])


if __name__ == "__main__":
    unittest.main()
