"""
The report to the governing body (issue 9, item 5): the public HTML page at
/processes/{slug}/report and its PDF, made by the back office's button and
by `consulta report`, kept with the process.

The record is built through the real ways in: a step of the schedule moved
with a reason, call 1 extended with a reason, contributions in several
categories and countries (named ones with Arabic and Chinese names, an
anonymous one, a private one), every comment answered and the answers
published. The HTML must hold each fact and none of what the public may not
read; the PDF's text (pdftotext) the move's reason, the counts (core/outcome.h's,
as "you said, we did": private contributions counted, never named), the page
numbers "N / M" and the Arabic and Chinese names; the SHA-256 shown must be
the one of the bytes downloaded. WeasyPrint takes seconds a PDF: two are made.
"""

import hashlib
import os
import re
import sqlite3
import harness
import stat
import subprocess
import tempfile
import urllib.parse

from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, page_text, run_command

SECRETARIAT = "secretariat@report.example"
PASSWORD = "a long passphrase for the tests"
MOVE_REASON = "The hall is booked for the plenary that week"
EXTEND_REASON = "Extended at the request of several member states"
ARABIC = "\u0633\u0645\u064a\u0631 \u062d\u062f\u0627\u062f"  # Samir Haddad
CHINESE = "\u738b\u5c0f\u660e"  # Wang Xiaoming
SECRETS = ["Anna Anonymous-Secret", "Hidden Org", "Paula Private-Secret", "Private Org", "@example.org"]


def section(page, sid):
    m = re.search(r'<section class="part" aria-labelledby="%s">(.*?)</section>' % sid, page, re.S)
    if not m:
        raise AssertionError("no section %s" % sid)
    return m.group(1)


def cells(row_html):
    return [page_text(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html, re.S)]


def pdf_text(path):
    """The PDF's text without the bidi embedding marks that pdftotext puts around runs on a page with Arabic."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub("[\u202a-\u202e]", "", text)


def pdf_pages(path):
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


def sha256_of(data):
    return hashlib.sha256(data).hexdigest()


class Report(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def setUp(self):
        super().setUp()
        s = self.s = self.fresh_server()
        self.token = s.account_token(SECRETARIAT, password=PASSWORD)
        api = lambda method, path, body: self.accepted(s.send_json(method, path, body, token=self.token))
        process = api("GET", "/api/v1/processes/" + SLUG, None)
        meeting = [m for m in process["milestones"] if m["kind"] == "meeting"][0]
        api("POST", "/api/v1/milestones/%d/move" % meeting["id"], {"date": "2020-04-30", "reason": MOVE_REASON})
        api("PATCH", "/api/v1/calls/1", {"closes_on": "2021-02-28", "reason": EXTEND_REASON})
        one = lambda pid, text: [{"paragraph": pid, "type": "technical", "comment": text}]
        s.contribute(name="Ada Lovelace", organization="Analytical Engines Ltd", category="academia", country="CH",
                     comments=one("p3", "Say who reports.") + one("p7", "Yearly is too rare."))
        s.contribute(name="Bea Baker", organization="Baker Institute", category="academia", country="CH",
                     comments=one("p3", "Name the reporting body."))
        s.contribute(name=ARABIC, organization="\u062c\u0627\u0645\u0639\u0629 \u0627\u0644\u0642\u0627\u0647\u0631\u0629",
                     category="member-states", country="EG", comments=one("p5", "Add a review clause."))
        s.contribute(name=CHINESE, organization="\u6e05\u534e\u5927\u5b66", category="academia", country="CN",
                     comments=one("p7", "Every six months."))
        s.contribute(name="Anna Anonymous-Secret", organization="Hidden Org", category="observers", country="FR",
                     email="anna@example.org", publication="anonymous", comments=one("p3", "An anonymous remark."))
        s.contribute(name="Paula Private-Secret", organization="Private Org", category="observers", country="DE",
                     email="paula@example.org", publication="private", comments=one("p5", "A private remark."))
        decisions = {"Say who reports.": "accepted", "Yearly is too rare.": "not_accepted",
                     "Name the reporting body.": "accepted", "Add a review clause.": "noted",
                     "Every six months.": "accepted_in_part", "An anonymous remark.": "accepted_in_part",
                     "A private remark.": "accepted"}
        with harness.connect(s.db, timeout=10) as db:
            ids = dict(db.execute("SELECT comment, id FROM comment"))
        for comment, decision in decisions.items():
            api("POST", "/api/v1/comments/%d/disposition" % ids[comment], {"decision": decision, "reason": "Seen."})
        api("POST", "/api/v1/calls/1/dispositions/publish", {})

    def accepted(self, r):
        self.assertLess(r.status, 300, r)
        return r.json()

    def login(self):
        return super().login(self.s, SECRETARIAT)

    def office_post(self, session, path):
        body = urllib.parse.urlencode({"csrf": self.s.csrf_token(session)}).encode("ascii")
        # The PDF is made by WeasyPrint: on a loaded machine (both integration runs at once) more than 20 s.
        return self.s.request("POST", path, body=body, timeout=90, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)})

    def office_get(self, session, path):
        return self.s.get(path, headers={"Cookie": "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)})

    def assertPdfHoldsTheReport(self, path):
        text = pdf_text(path)
        flat = re.sub(r"\s+", " ", text)
        self.assertIn(MOVE_REASON, flat)
        self.assertIn(EXTEND_REASON, flat)
        self.assertIn("6 contributions, with 7 comments.", flat)
        # Page numbers "N / M" at the foot of every page, the first and the last.
        pages = pdf_pages(path)
        self.assertGreater(pages, 1)
        feet = [int(n) for n, m in re.findall(r"^(\d+) ?/ ?(\d+)$", text, re.M) if int(m) == pages]
        self.assertEqual(feet, list(range(1, pages + 1)))
        # The table of contents carries page numbers (target-counter): each entry ends in a page number.
        self.assertRegex(flat, r"Contributors who agreed to be named[ .]*\d+")
        self.assertIn(CHINESE, text)
        # poppler gives right-to-left runs of WeasyPrint's PDFs in visual order: the name, or its mirror.
        self.assertTrue(ARABIC in text or ARABIC[::-1] in text, "the Arabic name is not in the PDF's text")
        fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
        self.assertIn("Noto-Naskh-Arabic", fonts)
        self.assertIn("Noto-Sans-CJK", fonts)
        for secret in SECRETS:
            self.assertNotIn(secret, flat)

    def test_the_public_page_holds_each_fact_and_nothing_private(self):
        r = self.s.get("/processes/%s/report" % SLUG)
        self.assertEqual(r.status, 200, r)
        page = r.text
        self.assertIn('<link rel="stylesheet" href="/static/report.css">', page)
        self.assertNotIn("<style", page, "the site's CSP allows no inline style")
        # Steps whose days are over read as past by the clock, not by a status the secretariat set.
        steps = [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", section(page, "steps"), re.S)]
        first = [row for row in steps if row and row[0] == "9 April 2020"]
        self.assertEqual(first and first[0][3], "Past", steps)
        self.assertIn("Planned", [row[3] for row in steps if len(row) > 3], "steps to come stay planned")
        moves = page_text(section(page, "moves"))
        self.assertIn(MOVE_REASON, moves)
        self.assertIn("23 April 2020 30 April 2020", moves)
        self.assertIn(EXTEND_REASON, moves, "the deadline's milestone moved with the call")
        calls = page_text(section(page, "calls"))
        self.assertIn("Extended 15 February 2021 28 February 2021 " + EXTEND_REASON, calls)
        contributions = section(page, "contributions")
        # Call 1: Ada, Bea, Samir, Wang, the anonymous and the private one (counted, as on "you said, we did",
        # never named).
        self.assertIn("6 contributions, with 7 comments.", page_text(contributions))
        by = [tuple(cells(row)) for row in re.findall(r"<tr>(.*?)</tr>", contributions, re.S)]
        for row in [("Academia", "3"), ("Organizations with observer rights", "2"), ("Member States", "1"),
                    ("Switzerland", "2"), ("China", "1"), ("Egypt", "1"), ("France", "1"), ("Germany", "1")]:
            self.assertIn(row, by)
        rows = [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", section(page, "dispositions"), re.S)]
        call1 = [row for row in rows if row and row[0].startswith("Written inputs")]
        self.assertEqual(len(call1), 1, rows)
        # Comments, accepted, in part, not accepted, noted.
        self.assertEqual(call1[0][1:6], ["7", "3", "2", "1", "1"])
        # Call 2 has no answers published: no counts, and says so.
        call2 = [row for row in rows if row and row[0].startswith("Final inputs")]
        self.assertEqual(call2[0][1:], ["0", "\u2014", "\u2014", "\u2014", "\u2014", "Not yet"])
        named = page_text(section(page, "contributors"))
        for name in ["Ada Lovelace", "Bea Baker", ARABIC, CHINESE, "\u6e05\u534e\u5927\u5b66", "Egypt"]:
            self.assertIn(name, named)
        for secret in SECRETS:
            self.assertNotIn(secret, page)
        # The contents link to every section.
        for sid in ["steps", "moves", "letters", "versions", "calls", "meetings", "contributions", "dispositions",
                    "contributors"]:
            self.assertIn('<a href="#%s">' % sid, page)
        self.assertNotIn('class="sha256"', page, "no PDF has been made yet")
        self.assertEqual(self.s.get("/processes/no-such-process/report").status, 404)
        self.assertIn('<a href="/processes/%s/report">Report to the governing body</a>' % SLUG,
                      self.s.get("/processes/" + SLUG).text)
        css = self.s.get("/static/report.css")
        self.assertEqual(css.status, 200)
        for rule in ["counter(page) \" / \" counter(pages)", "target-counter(attr(href), page)", "size: A4",
                     "Noto Naskh Arabic", "Noto Sans CJK SC"]:
            self.assertIn(rule, css.text)

    def test_a_report_longer_than_a_response_is_sent_whole(self):
        # 60,000 named contributors make a page past LIMIT_RESPONSE (8 MiB): it is sent from a file, whole.
        with harness.connect(self.s.db, timeout=10) as db:
            category = db.execute("SELECT id FROM category WHERE slug = 'academia'").fetchone()[0]
            db.executemany(
                "INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                "email, text, publication, received_at) VALUES (?, 1, 'web', ?, ?, ?, 'CH', ?, 'x', 'named', 0)",
                [("BULK-%06d" % i, "Contributor number %06d of a very large consultation" % i,
                  "Organization of contributor %06d" % i, category, "c%d@example.org" % i) for i in range(60000)])
        r = self.s.get("/processes/%s/report" % SLUG)
        self.assertEqual(r.status, 200, r)
        self.assertGreater(len(r.body), 8 * 1024 * 1024)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        page = r.text
        self.assertIn("Contributor number 059999 of a very large consultation", page)
        self.assertTrue(page.endswith("</html>\n"))
        self.assertIn("60006 contributions", page_text(section(page, "contributions")))

    def test_the_office_button_and_the_command_line_keep_the_pdf_with_its_sha256(self):
        session = self.login()
        r = self.office_post(session, "/office/processes/%s/report" % SLUG)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/office/processes/%s?done=report#report" % SLUG)
        office = self.office_get(session, r.header("Location").split("#")[0]).text
        self.assertIn("PDF of the report made and kept", office)
        kept = re.findall(r'<a href="(/processes/%s/reports/(\d+)\.pdf)">.*?<code class="sha256">([0-9a-f]{64})</code>'
                          % SLUG, office, re.S)
        self.assertEqual(len(kept), 1, office)
        url, _, sha = kept[0]
        pdf = self.s.get(url)
        self.assertEqual(pdf.status, 200)
        self.assertEqual(pdf.header("Content-Type"), "application/pdf")
        self.assertEqual(sha256_of(pdf.body), sha)
        # The public report names the same file and hash, at the same stable address.
        public = self.s.get("/processes/%s/report" % SLUG).text
        self.assertIn('<a href="%s">' % url, public)
        self.assertIn('<code class="sha256">%s</code>' % sha, public)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "office.pdf")
            with open(path, "wb") as f:
                f.write(pdf.body)
            self.assertPdfHoldsTheReport(path)

            # The command line: writes the HTML and the PDF, and keeps the PDF too.
            html_path, cli_pdf = os.path.join(d, "report.html"), os.path.join(d, "cli.pdf")
            p = run_command(["report", SLUG, "--html", html_path, "--pdf", cli_pdf], db=self.s.db, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(cli_pdf, "rb") as f:
                cli_bytes = f.read()
            m = re.fullmatch(r"report (\d+) of %s kept: (\d+) bytes, SHA-256 ([0-9a-f]{64})\n" % SLUG, p.stdout)
            self.assertTrue(m, p.stdout)
            self.assertEqual(m.group(3), sha256_of(cli_bytes))
            self.assertEqual(int(m.group(2)), len(cli_bytes))
            self.assertPdfHoldsTheReport(cli_pdf)
            with open(html_path, encoding="utf-8") as f:
                standalone = f.read()
            self.assertIn("<style>", standalone, "the file stands alone")
            self.assertNotIn("/static/report.css", standalone)
            self.assertIn(MOVE_REASON, standalone)
        downloaded = self.s.get("/processes/%s/reports/%s.pdf" % (SLUG, m.group(1)))
        self.assertEqual(sha256_of(downloaded.body), m.group(3))
        # Both are kept, newest first, and the first stays downloadable as it was.
        office = self.office_get(session, "/office/processes/" + SLUG).text
        shas = re.findall(r'<code class="sha256">([0-9a-f]{64})</code>', office)
        self.assertEqual(shas, [m.group(3), sha])
        self.assertEqual(sha256_of(self.s.get(url).body), sha)
        entries = self.s.send_json("GET", "/api/v1/audit?kind=report.pdf", token=self.token).json()["entries"]
        self.assertEqual([e["actor"] for e in entries], ["command line", SECRETARIAT])
        self.assertEqual(self.s.get("/processes/%s/reports/999.pdf" % SLUG).status, 404)
        # A kept PDF is found only under its own process.
        self.accepted(self.s.send_json("POST", "/api/v1/processes", {"slug": "other", "title": "Other",
                                                                     "timezone": "UTC", "categories": ["A"]},
                                       token=self.token))
        self.assertEqual(self.s.get("/processes/other/reports/%s.pdf" % m.group(1)).status, 404)
        self.assertNotIn('class="sha256"', self.s.get("/processes/other/report").text)
        self.assertEqual(self.s.get("/processes/%s/reports/1.txt" % SLUG).status, 404)

    def test_the_report_and_its_pdf_in_the_language_of_who_asks(self):
        """Headings, labels and sentences of the page and the PDF in French when the secretariat asks in French;
        the content (reasons, names) as it was written."""
        page = self.s.get("/processes/%s/report" % SLUG, headers={"Accept-Language": "fr"}).text
        self.assertIn('<html lang="fr">', page)
        self.assertIn("Rapport \u00e0 l\u2019organe directeur", page)
        self.assertIn("6 contributions, avec 7 observations.", page_text(section(page, "contributions")))
        self.assertNotIn("Steps of the process", page)
        ar = self.s.get("/processes/%s/report" % SLUG, headers={"Accept-Language": "ar"}).text
        self.assertIn('<html lang="ar" dir="rtl">', ar)
        session = self.login()
        body = urllib.parse.urlencode({"csrf": self.s.csrf_token(session)}).encode("ascii")
        r = self.s.request("POST", "/office/processes/%s/report" % SLUG, body=body, timeout=90, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "fr",
            "Cookie": "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)})
        self.assertEqual(r.status, 303, r)
        url = re.findall(r'<a href="(/processes/%s/reports/\d+\.pdf)">' % SLUG,
                         self.office_get(session, "/office/processes/" + SLUG).text)[0]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "fr.pdf")
            with open(path, "wb") as f:
                f.write(self.s.get(url).body)
            flat = re.sub(r"\s+", " ", pdf_text(path))
        for words in ("Rapport \u00e0 l\u2019organe directeur", "Table des mati\u00e8res", "\u00c9tapes du processus",
                      "6 contributions, avec 7 observations.", "Contributeurs ayant accept\u00e9 d\u2019\u00eatre nomm\u00e9s",
                      MOVE_REASON, EXTEND_REASON):
            self.assertIn(words.lower(), flat.lower())  # the cover's kind is set in capitals by the style sheet
        self.assertNotIn("report to the governing body", flat.lower())

    def test_the_command_line_says_what_is_wrong(self):
        p = run_command(["report", SLUG], db=self.s.db)
        self.assertEqual(p.returncode, 2)
        self.assertIn("wants PROCESS and --html FILE, --pdf FILE or both", p.stderr)
        p = run_command(["report", SLUG, "--pages", "x"], db=self.s.db)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option --pages", p.stderr)
        p = run_command(["report", "no-such-process", "--html", "-"], db=self.s.db)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")
        # --html - writes the self-contained page to standard output, and needs no WeasyPrint.
        p = run_command(["report", SLUG, "--html", "-"], db=self.s.db, env={"PATH": "/nonexistent"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("<!doctype html>"))
        self.assertIn(MOVE_REASON, p.stdout)
        with harness.connect(self.s.db, timeout=10) as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM report").fetchone()[0], 0)

    def test_without_weasyprint_the_button_says_so_and_keeps_nothing(self):
        with tempfile.TemporaryDirectory() as bin_dir:
            # A WeasyPrint that writes something other than a PDF, then none at all.
            fake = os.path.join(bin_dir, "weasyprint")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\necho 'not a pdf'\n")
            os.chmod(fake, stat.S_IRWXU)
            self.s.stop()
            self.s.env["PATH"] = bin_dir
            self.s.start()
            session = self.login()
            r = self.office_post(session, "/office/processes/%s/report" % SLUG)
            self.assertEqual(r.status, 503, r)
            self.assertIn("The PDF could not be made; please try again.", page_text(r.text))
            os.unlink(fake)
            r = self.office_post(session, "/office/processes/%s/report" % SLUG)
            self.assertEqual(r.status, 503, r)
            self.assertIn("The PDF cannot be made on this server (WeasyPrint is missing)", page_text(r.text))
        with harness.connect(self.s.db, timeout=10) as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM report").fetchone()[0], 0)
        self.assertIn("No PDF has been made yet.", self.office_get(session, "/office/processes/" + SLUG).text)


if __name__ == "__main__":
    import unittest

    unittest.main()
