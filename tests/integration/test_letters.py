"""Circular letters: drafts, issue and numbering (under concurrent issue), the frozen schedule annex, an
issued letter's immutability and its corrigendum, its ledger leaf, and its public page and JSON."""

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import struct
import urllib.parse
import zlib

import harness
from harness import CALL1_OPEN, SLUG, ServerTestCase, multipart, page_text, session_cookies

SECRETARIAT = "sec@gca.example"
PASSWORD = "a long passphrase for the tests"
BODY = "The Council Working Group on the GCA"


def png(width=40, height=20):
    """A small red PNG image."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + b"\xcc\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_text(pdf, tool="pdftotext"):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "letter.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        args = [tool, "-layout", path, "-"] if tool == "pdftotext" else [tool, "-list", path]
        return subprocess.run(args, stdout=subprocess.PIPE, check=True, timeout=60).stdout.decode("utf-8")


def letter(**fields):
    d = {"subject": "Third online open consultation", "markdown": "Dear Sir/Madam,\n\nWe invite you to comment.",
         "addressees": ["member-states", "sector-members"], "for_information": ["observers"],
         "contact": "Ms A. Example, gca-secretariat@gca-demo.example"}
    d.update(fields)
    return d


class Letters(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN  # 1 February 2021: the series CL-21 is new

    def office(self, now=None):
        s = self.fresh_server(now=now)
        return s, s.account_token(SECRETARIAT, password=PASSWORD)

    def issue(self, s, token, **fields):
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(issue=True, **fields), token=token)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_issued_at_once_has_its_number_its_page_and_is_listed_with_its_url(self):
        s, token = self.office()
        body = self.issue(s, token, references=["CL-20/55"])
        self.assertEqual((body["reference"], body["series"], body["number"], body["date"]),
                         ("CL-21/1", "CL-21", 1, "2021-02-01"))
        self.assertEqual([(a["slug"], a["purpose"]) for a in body["addressees"]],
                         [("member-states", "action"), ("sector-members", "action"), ("observers", "information")])
        self.assertEqual([c["reference"] for c in body["references"]], ["CL-20/55"])
        listed = s.get_json("/api/v1/processes/" + SLUG).json()["circulars"]
        self.assertEqual([c["reference"] for c in listed], ["CL-20/18", "CL-20/55", "CL-21/1"])
        self.assertEqual(listed[-1]["url"], body["url"])
        self.assertTrue(all(c["url"].startswith("/letters/") for c in listed), listed)
        page = s.get(body["url"])
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        for expected in ("CL-21/1", "1 February 2021", "Third online open consultation", "We invite you to comment.",
                         "To (for action) Member States; Sector Members",
                         "For information Organizations with observer rights", "Ms A. Example", BODY):
            self.assertIn(expected, text)
        self.assertIn('href="/letters/2"', page.text, "the reference links to CL-20/55")
        self.assertIn('href="%s"' % body["url"], s.get("/processes/" + SLUG).text)
        self.assertEqual(body.pop("distribution"), {"addresses": 0, "sent": 0, "pending": 0, "failed": 0})
        self.assertEqual(s.get_json("/api/v1/circulars/%d" % body["id"]).json(), body)

    def test_the_series_goes_on_from_the_demos_letters_within_their_year(self):
        s, token = self.office(now="2020-12-30T10:00:00Z")
        self.assertEqual(self.issue(s, token)["reference"], "CL-20/56")
        self.assertEqual(self.issue(s, token)["reference"], "CL-20/57")

    def test_fifty_concurrent_issues_take_fifty_consecutive_numbers(self):
        # Without WeasyPrint (PATH empty): fifty PDFs would take minutes on the test machine, and a letter
        # is issued all the same when its PDF cannot be made (made when first asked for, tested below).
        empty = tempfile.mkdtemp(prefix="consulta-nopath-")
        self.addCleanup(shutil.rmtree, empty, True)
        s = self.fresh_server(env={"PATH": empty})
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        drafts = []
        for i in range(50):
            r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(subject="Letter %d" % i),
                            token=token)
            self.assertEqual(r.status, 201, r)
            self.assertFalse(r.json()["issued"])
            drafts.append(r.json()["draft"])
        barrier = threading.Barrier(50)

        def issue(draft):
            barrier.wait(timeout=30)
            return s.send_json("POST", "/api/v1/circular-drafts/%d/issue" % draft, token=token)

        answers = harness.parallel(issue, drafts, 50)
        self.assertEqual([a.status for a in answers], [201] * 50, [a for a in answers if a.status != 201][:3])
        self.assertEqual({a.json()["pdf"] is None for a in answers}, {True})
        numbers = sorted(a.json()["number"] for a in answers)
        self.assertEqual(numbers, list(range(1, 51)), "no gap, no duplicate")
        self.assertEqual(sorted(a.json()["reference"] for a in answers), sorted("CL-21/%d" % n for n in range(1, 51)))
        self.assertEqual(s.query("SELECT last FROM letter_counter WHERE body = ? AND series = ?", (BODY, "CL-21")),
                         [(50,)])
        # an issued draft is not issued again
        again = s.send_json("POST", "/api/v1/circular-drafts/%d/issue" % drafts[0], token=token)
        self.assertErrorShape(again, 409, "conflict")
        self.assertEqual(s.query("SELECT count(*) FROM circular WHERE series = 'CL-21'"), [(50,)])

    def test_a_schedule_move_after_issue_leaves_the_issued_annex_as_it_was(self):
        s, token = self.office()
        council = [m for m in s.get_json("/api/v1/processes/" + SLUG).json()["milestones"]
                   if m["kind"] == "presentation"][0]
        first = self.issue(s, token, schedule_annex=True)
        row = [x for x in first["annex"] if x["title"] == council["title"]][0]
        self.assertEqual((row["date"], row["end_date"]), ("2021-06-08", "2021-06-18"))
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-05", "end_date": "2021-07-09", "reason": "The Council moved it."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        kept = s.get_json("/api/v1/circulars/%d" % first["id"]).json()
        self.assertEqual(kept["annex"], first["annex"], "the issued annex is frozen")
        self.assertIn("8\u201318 June 2021", page_text(s.get(first["url"])))
        # the milestones' titles are the secretariat's words: in their own direction on a right-to-left page
        arabic = s.get(first["url"], headers={"Accept-Language": "ar"}).text
        self.assertIn('<td dir="auto">' + html.escape(council["title"][:12]), arabic)
        self.assertNotIn("5\u20139 July 2021", page_text(s.get(first["url"])))
        second = self.issue(s, token, schedule_annex=True, references=[first["reference"]])
        row = [x for x in second["annex"] if x["title"] == council["title"]][0]
        self.assertEqual((row["date"], row["end_date"]), ("2021-07-05", "2021-07-09"), "a new letter republishes it")

    def test_an_issued_letter_cannot_change_and_is_corrected_by_a_corrigendum(self):
        s, token = self.office()
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(), token=token)
        draft = r.json()["draft"]
        r = s.send_json("PATCH", "/api/v1/circular-drafts/%d" % draft, {"subject": "Third consultation (edited)"},
                        token=token)
        self.assertEqual((r.status, r.json()["subject"]), (200, "Third consultation (edited)"))
        issued = s.send_json("POST", "/api/v1/circular-drafts/%d/issue" % draft, token=token).json()
        self.assertEqual(issued["subject"], "Third consultation (edited)")
        r = s.send_json("PATCH", "/api/v1/circular-drafts/%d" % draft, {"subject": "Changed after issue"},
                        token=token)
        self.assertErrorShape(r, 409, "conflict")
        with self.assertRaises(Exception):
            with harness.connect(s.db) as db:
                db.execute("UPDATE circular SET subject = 'forged' WHERE id = ?", (issued["id"],))
        self.assertEqual(s.get_json("/api/v1/circulars/%d" % issued["id"]).json()["subject"],
                         "Third consultation (edited)")
        fix = self.issue(s, token, subject="Corrigendum to " + issued["reference"], corrects=issued["reference"])
        self.assertEqual((fix["reference"], fix["corrects"]["reference"], fix["corrects"]["url"]),
                         ("CL-21/2", issued["reference"], issued["url"]))
        self.assertIn("Corrects CL-21/1 of 1 February 2021", page_text(s.get(fix["url"])))

    def test_bad_drafts_are_422_and_an_incomplete_draft_is_not_issued_nor_numbered(self):
        s, token = self.office()
        path = "/api/v1/processes/%s/circulars" % SLUG
        self.assertErrorShape(s.send_json("POST", path, letter(addressees=["nobody"]), token=token), 422,
                              fields=["addressees"])
        self.assertErrorShape(s.send_json("POST", path, letter(references=["CL-99/1"]), token=token), 422,
                              fields=["references"])
        self.assertErrorShape(s.send_json("POST", path, letter(for_information=["member-states"]), token=token), 422,
                              fields=["for_information"])
        self.assertErrorShape(s.send_json("POST", path, letter(reson="x"), token=token), 422, fields=["reson"])
        self.assertErrorShape(s.send_json("POST", path, letter(addressees=[], issue=True), token=token), 422,
                              fields=["addressees"])
        self.assertErrorShape(s.send_json("POST", path, letter(markdown="  ", issue=True), token=token), 422,
                              fields=["markdown"])
        self.assertEqual(s.query("SELECT count(*) FROM letter_counter WHERE series = 'CL-21'"), [(0,)])
        self.assertEqual(self.issue(s, token)["reference"], "CL-21/1", "the refused issues took no number")
        self.assertEqual(s.send_json("POST", path, letter(), token=None).status, 401)
        self.assertEqual(s.get("/letters/999").status, 404)
        self.assertEqual(s.get_json("/api/v1/circulars/999").status, 404)

    def test_the_issue_is_a_leaf_of_the_ledger_with_the_letters_facts(self):
        s, token = self.office()
        body = self.issue(s, token, schedule_annex=True)
        entries = [x for x in s.send_json("GET", "/api/v1/audit?kind=circular.issue", token=token).json()["entries"]
                   if x["object"] == "circular:%d" % body["id"]]
        self.assertEqual(len(entries), 1, entries)
        after = entries[0]["after"]
        self.assertEqual((after["reference"], after["number"], after["for_action"], after["for_information"]),
                         ("CL-21/1", 1, ["member-states", "sector-members"], ["observers"]))
        self.assertEqual(len(after["text_sha256"]), 64)
        self.assertEqual(len(after["annex_sha256"]), 64)
        self.assertEqual(s.query("SELECT count(*) FROM ledger_leaf WHERE kind = 'audit' AND fact_id = ?",
                                 (entries[0]["id"],)), [(1,)])
        self.assertEqual(entries[0]["object"], "circular:%d" % body["id"])


    def test_the_pdf_holds_the_number_the_annex_dates_and_the_addressees_and_its_sha256_is_shown_and_recorded(self):
        s, token = self.office()
        body = self.issue(s, token, schedule_annex=True, references=["CL-20/55"])
        self.assertIsNotNone(body["pdf"], "made at the issue")
        self.assertEqual(body["pdf"]["url"], body["url"] + "/letter.pdf")
        r = s.get(body["pdf"]["url"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        pdf = r.body
        self.assertTrue(pdf.startswith(b"%PDF-"))
        sha = hashlib.sha256(pdf).hexdigest()
        self.assertEqual(sha, body["pdf"]["sha256"])
        self.assertIn(sha, s.get(body["url"]).text, "the page shows the PDF's SHA-256")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "letter.pdf")
            with open(path, "wb") as f:
                f.write(pdf)
            text = subprocess.run(["pdftotext", "-layout", path, "-"], stdout=subprocess.PIPE, check=True,
                                  timeout=60).stdout.decode("utf-8")
            info = subprocess.run(["pdfinfo", path], stdout=subprocess.PIPE, check=True, timeout=60).stdout.decode()
        text = re.sub(r"\s+", " ", text)
        for expected in ("CL-21/1", "1 February 2021", "Member States; Sector Members",
                         "Organizations with observer rights", "CL-20/55", "Third online open consultation",
                         "8\u201318 June 2021", "15 February 2021", "10 March 2021", BODY, "Page 1 of"):
            self.assertIn(expected, text)
        self.assertRegex(info, r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)")
        entries = s.send_json("GET", "/api/v1/audit?kind=circular.pdf", token=token).json()["entries"]
        self.assertEqual([(e["object"], e["after"]["sha256"]) for e in entries], [("circular:%d" % body["id"], sha)])
        self.assertEqual(s.query("SELECT count(*) FROM ledger_leaf WHERE kind = 'audit' AND fact_id = ?",
                                 (entries[0]["id"],)), [(1,)])
        self.assertEqual(s.get(body["pdf"]["url"]).body, pdf, "kept: the same bytes every time")

    def test_a_letter_whose_pdf_was_not_made_at_issue_gets_it_when_first_asked(self):
        s, token = self.office()
        # CL-20/55 was recorded by the demo, without a PDF
        letter_id = [c for c in s.get_json("/api/v1/processes/" + SLUG).json()["circulars"]
                     if c["reference"] == "CL-20/55"][0]["url"]
        self.assertIsNone(s.get_json("/api/v1" + letter_id.replace("/letters/", "/circulars/")).json()["pdf"])
        r = s.get(letter_id + "/letter.pdf")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body.startswith(b"%PDF-"))
        self.assertIn(hashlib.sha256(r.body).hexdigest(), s.get(letter_id).text)

    def test_the_demo_issued_its_two_letters_through_the_issue_the_second_with_its_annex(self):
        s = self.fresh_server()
        listed = s.get_json("/api/v1/processes/" + SLUG).json()["circulars"]
        first, second = [s.get_json("/api/v1" + c["url"].replace("/letters/", "/circulars/")).json() for c in listed]
        self.assertEqual((first["reference"], first["series"], first["number"], first["date"]),
                         ("CL-20/18", "CL-20", 18, "2020-03-18"))
        self.assertEqual((second["reference"], second["number"], second["date"]), ("CL-20/55", 55, "2020-12-23"))
        self.assertIsNotNone(first["issued_at"])
        self.assertIsNone(first["annex"])
        self.assertEqual([c["reference"] for c in second["references"]], ["CL-20/18"])
        self.assertIn({"title": "Deadline for written inputs from all interested stakeholders on the revised draft.",
                       "date": "2021-02-15", "end_date": None, "status": "planned"}, second["annex"])
        self.assertEqual([a["slug"] for a in second["addressees"]],
                         ["member-states", "sector-members", "associates", "academia", "observers"])
        self.assertIn("written inputs", second["markdown"])


class OfficeSession(ServerTestCase):
    """A server with the secretariat logged in (no tests of its own)."""
    SHARED = False
    NOW = CALL1_OPEN

    def setUp(self):
        super().setUp()
        self.s = self.fresh_server(**self.server_kw())
        self.token = self.s.account_token(SECRETARIAT, password=PASSWORD)
        self.session = self.login(self.s, SECRETARIAT, next_path=None)

    def server_kw(self):
        return {}

    def cookies(self):
        return session_cookies(self.session)

    def get(self, path):
        return super().get(self.s, self.session, path)

    def post(self, path, fields, csrf=True):
        return super().post(self.s, self.session, path, fields, csrf)


class OfficeLetters(OfficeSession):
    """The back office's pages: write a draft, see the mistakes, edit it, preview it, issue it after confirming."""

    def test_compose_edit_preview_and_issue_through_the_pages(self):
        page = self.get("/office/processes/" + SLUG)
        self.assertEqual(page.status, 200, page)
        self.assertIn('action="/office/processes/%s/letters"' % SLUG, page.text)
        self.assertIn("CL-20/55", page_text(page), "the issued letters are listed")
        fields = {"subject": "Third consultation", "for_action": "member-states, academia",
                  "for_information": "nobody", "references": "CL-20/55", "corrects": "",
                  "markdown": "Dear colleagues,\n\n**Please** comment.", "contact": "The secretariat",
                  "schedule_annex": "1"}
        r = self.post("/office/processes/%s/letters" % SLUG, fields)
        self.assertEqual(r.status, 422, r)
        self.assertIn("There is no category nobody in this process.", page_text(r))
        self.assertIn('value="member-states, academia"', r.text, "what was typed comes back")
        fields["for_information"] = "observers"
        r = self.post("/office/processes/%s/letters" % SLUG, fields)
        self.assertEqual(r.status, 303, r)
        draft = r.header("Location").split("?")[0]
        page = self.get(r.header("Location"))
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        for expected in ("The draft is saved.", "(number on issue)", "To (for action) Member States; Academia",
                         "For information Organizations with observer rights", "Please comment.",
                         "Annex: schedule as of 1 February 2021", "8\u201318 June 2021"):
            self.assertIn(expected, text)
        self.assertIn("<strong>Please</strong>", page.text, "the preview renders the Markdown")
        r = self.post(draft, dict(fields, subject="Third online open consultation"))
        self.assertEqual(r.status, 303, r)
        self.assertIn("Third online open consultation", page_text(self.get(draft)))
        self.assertEqual(self.post(draft + "/issue", {}, csrf=False).status, 403)
        confirm = self.post(draft + "/issue", {})
        self.assertEqual(confirm.status, 200, confirm)
        self.assertIn("Issue this letter?", page_text(confirm))
        self.assertEqual(self.s.query("SELECT count(*) FROM circular WHERE series = 'CL-21'"), [(0,)],
                         "nothing is issued before the confirmation")
        r = self.post(draft + "/issue", {"confirm": "yes"})
        self.assertEqual(r.status, 303, r)
        issued = self.s.get(r.header("Location"))
        self.assertIn("CL-21/1", page_text(issued))
        self.assertIn("Third online open consultation", page_text(issued))
        self.assertEqual(self.get(draft).status, 303, "an issued draft leads to its letter")
        r = self.post(draft, dict(fields, subject="After issue"))
        self.assertEqual(r.status, 409, r)
        self.assertIn("cannot be changed", page_text(r))
        self.assertEqual(self.s.get(draft).status, 303, "the office is the secretariat's (login)")

    def test_the_letterhead_set_in_the_office_is_on_the_letter_and_in_its_pdf(self):
        body, ctype = multipart([("csrf", self.s.csrf_token(self.session)),
                                 ("address", "Place des Nations\n1211 Geneva 20"), ("pattern", "GCA-{yy}")],
                                [("logo", "logo.gif", "image/gif", b"GIF89a not a png")])
        headers = {"Content-Type": ctype, "Cookie": self.cookies()}
        r = self.s.request("POST", "/office/processes/%s/letterhead" % SLUG, body=body, headers=headers)
        self.assertEqual(r.status, 422, r)
        self.assertIn("Send the logo as a PNG or JPEG image.", page_text(r))
        self.assertIn("Write the pattern with one {n} for the number", page_text(r))
        self.assertIn('value="CL-{yy}/{n}"', self.get("/office/processes/" + SLUG).text, "the pattern in use")
        body, ctype = multipart([("csrf", self.s.csrf_token(self.session)),
                                 ("address", "Place des Nations\n1211 Geneva 20"), ("pattern", "GCA/{yyyy}/{n}")],
                                [("logo", "logo.png", "image/png", png())])
        headers["Content-Type"] = ctype
        r = self.s.request("POST", "/office/processes/%s/letterhead" % SLUG, body=body, headers=headers)
        self.assertEqual(r.status, 303, r)
        self.assertIn("Logo: set.", page_text(self.get("/office/processes/" + SLUG)))
        token = self.s.account_token("api@gca.example", password=PASSWORD)
        r = self.s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(issue=True), token=token)
        self.assertEqual(r.status, 201, r)
        issued = r.json()
        self.assertEqual((issued["reference"], issued["series"]), ("GCA/2021/1", "GCA/2021"), "the body's pattern")
        self.assertIn("Place des Nations 1211 Geneva 20", page_text(self.s.get(issued["url"])))
        pdf = self.s.get(issued["pdf"]["url"]).body
        self.assertIn("Place des Nations", pdf_text(pdf))
        self.assertIn("1211 Geneva 20", pdf_text(pdf))
        images = pdf_text(pdf, "pdfimages").splitlines()[2:]
        self.assertEqual(len(images), 1, images)
        self.assertEqual(images[0].split()[3:5], ["40", "20"], "the logo, as uploaded")


class OfficeLetterDistribution(OfficeSession):
    """An issued letter's office page: where its mails stand, its recipients by category, its page and PDF."""

    def server_kw(self):
        from test_mail import Sink
        self.sink = Sink().start()
        self.addCleanup(self.sink.stop)
        return {"serve_args": ["--smtp", self.sink.url]}

    def test_the_issued_letters_office_page_counts_its_mails_by_category_and_links_its_page_and_pdf(self):
        s, token = self.s, self.token
        process_id = s.query("SELECT id FROM process WHERE slug = ?", (SLUG,))[0][0]
        with harness.connect(s.db) as db:
            db.executemany("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at) "
                           "VALUES (?, ?, ?, 1600000000, 1600000000)",
                           [(process_id, "both@example.org", "a" * 64), (process_id, "reader@example.org", "b" * 64)])
            db.executemany("INSERT INTO account (email, name, role, category, email_confirmed_at, created_at) "
                           "VALUES (?, ?, 'stakeholder', ?, 1600000000, 1600000000)",
                           [("both@example.org", "Both", "academia"), ("observer@example.org", "O", "observers"),
                            ("observer2@example.org", "O2", "observers")])
        self.sink.refuse = {"observer2@example.org"}  # one mail fails for good
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG,
                        letter(addressees=["academia"], for_information=["observers"], issue=True), token=token)
        self.assertEqual(r.status, 201, r)
        issued = r.json()
        deadline = time.monotonic() + 120
        while True:
            dist = s.send_json("GET", "/api/v1/circulars/%d" % issued["id"], token=token).json()["distribution"]
            if dist["pending"] == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        self.assertEqual(dist, {"addresses": 4, "sent": 3, "pending": 0, "failed": 1})
        office = self.get("/office/processes/" + SLUG)
        self.assertIn('href="/office/circulars/%d"' % issued["id"], office.text, "linked from the office's list")
        page = self.get("/office/circulars/%d" % issued["id"])
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        self.assertIn("Circular letter CL-21/1", text)
        self.assertIn('href="%s"' % issued["url"], page.text)
        self.assertIn('href="%s"' % issued["pdf"]["url"], page.text)
        self.assertIn(issued["pdf"]["sha256"], text)
        # group, addressed, addresses, sent, pending, failed
        self.assertIn("Subscribers of the process 2 2 0 0", text)
        self.assertIn("Stakeholders: Academia For action 1 1 0 0", text)
        self.assertIn("Stakeholders: Organizations with observer rights For information 2 1 0 1", text)
        self.assertIn("Every address, each once 4 3 0 1", text)
        self.assertEqual(s.get("/office/circulars/%d" % issued["id"]).status in (302, 303, 401, 403), True,
                         "the secretariat's only")
        self.assertEqual(self.get("/office/circulars/999").status, 404)


class Distribution(ServerTestCase):
    """On issue, one mail per address (subscribers of the process, stakeholders of the addressed categories)
    through the outbox and a real SMTP server, with the PDF attached; a restart in the middle sends nobody a
    second mail and forgets nobody."""
    SHARED = False
    NOW = CALL1_OPEN
    SUBSCRIBERS = 10000

    def test_ten_thousand_subscribers_each_get_one_mail_across_a_restart(self):
        from test_mail import Sink
        sink = Sink().start()
        self.addCleanup(sink.stop)
        s = self.fresh_server(serve_args=["--smtp", sink.url])
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        process_id = s.query("SELECT id FROM process WHERE slug = ?", (SLUG,))[0][0]
        with harness.connect(s.db) as db:
            db.executemany("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at) "
                           "VALUES (?, ?, ?, 1600000000, 1600000000)",
                           [(process_id, "reader%05d@example.org" % i, "%064x" % i) for i in range(self.SUBSCRIBERS)])
            # not confirmed, or gone: no mail
            db.executemany("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at, left_at) "
                           "VALUES (?, ?, ?, 1600000000, ?, ?)",
                           [(process_id, "unconfirmed@example.org", "a" * 64, None, None),
                            (process_id, "gone@example.org", "b" * 64, 1600000000, 1600000001)])
            db.executemany("INSERT INTO account (email, name, role, category, email_confirmed_at, created_at) "
                           "VALUES (?, ?, 'stakeholder', ?, ?, 1600000000)",
                           [("academic@example.org", "A", "academia", 1600000000),
                            ("Reader00001@example.org", "Both", "academia", 1600000000),  # a subscriber too
                            ("other@example.org", "O", "other", 1600000000),  # not addressed
                            ("unconfirmed-account@example.org", "U", "academia", None)])
        expected = {"reader%05d@example.org" % i for i in range(self.SUBSCRIBERS)} | {"academic@example.org"}
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG,
                        letter(addressees=["academia"], for_information=["observers"]), token=token)
        self.assertEqual(r.status, 201, r)
        draft = r.json()
        self.assertEqual(draft["recipients"], {"addresses": len(expected), "subscribers": self.SUBSCRIBERS,
                                               "stakeholders": 2})
        started = time.monotonic()
        r = s.send_json("POST", "/api/v1/circular-drafts/%d/issue" % draft["draft"], token=token)
        self.assertEqual(r.status, 201, r)
        issued = r.json()
        self.assertIsNotNone(issued["pdf"])
        sink.wait(1500, timeout=600)
        problem = s.stop()
        self.assertFalse(problem, problem)
        in_the_middle = len(sink.mails())
        self.assertLess(in_the_middle, len(expected), "the restart came in the middle")
        s.start()
        sink.wait(len(expected), timeout=900)
        elapsed = time.monotonic() - started
        time.sleep(3)  # a second mail to anyone would come now
        got = sink.mails()
        recipients = [m[1][0] for m in got]
        twice = sorted({x for x in recipients if recipients.count(x) > 1}) if len(recipients) != len(expected) else []
        self.assertEqual(len(recipients), len(expected), "exactly one mail each; twice: %r %r" % (
            twice, s.query("SELECT d.email, d.message_id, o.id, o.attempts, o.sent_at FROM circular_delivery d "
                           "JOIN outbox o ON o.message_id = d.message_id WHERE d.email IN ('%s')" % "','".join(twice))))
        self.assertEqual(set(recipients), expected)
        msg = [m for m in got if m[1] == ["reader00042@example.org"]][0][2]
        self.assertEqual(msg["Subject"], "Circular letter CL-21/1: Third online open consultation")
        self.assertIn("We invite you to comment.", msg.get_body(("plain",)).get_content())
        self.assertIn("/subscriptions/leave?token=", msg["List-Unsubscribe"])
        pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
        self.assertEqual(len(pdfs), 1)
        self.assertEqual(pdfs[0].get_filename(), "CL-21-1.pdf")
        self.assertEqual(hashlib.sha256(pdfs[0].get_content()).hexdigest(), issued["pdf"]["sha256"])
        academic = [m for m in got if m[1] == ["academic@example.org"]][0][2]
        self.assertIsNone(academic["List-Unsubscribe"], "a stakeholder follows no process: no leave link")
        deadline = time.monotonic() + 60
        while True:
            dist = s.send_json("GET", "/api/v1/circulars/%d" % issued["id"], token=token).json()["distribution"]
            if dist["sent"] == len(expected) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(dist, {"addresses": len(expected), "sent": len(expected), "pending": 0, "failed": 0})
        self.assertNotIn("distribution", s.get_json("/api/v1/circulars/%d" % issued["id"]).json(),
                         "the counts are the secretariat's")
        print("# distribution: %d mails in %.1f s with a restart after %d" % (len(expected), elapsed, in_the_middle))


class DistributionWithoutTheWeb(ServerTestCase):
    """The letter's mails do not wait for a web request to make its PDF: the sender makes it."""
    SHARED = False
    NOW = CALL1_OPEN

    def test_the_sender_makes_a_pdf_the_issuing_request_did_not_and_the_mails_go_with_it(self):
        from test_mail import Sink
        sink = Sink().start()
        self.addCleanup(sink.stop)
        # the test build's hook: the issuing request does not make the PDF (as if it died right after the issue)
        s = self.fresh_server(serve_args=["--smtp", sink.url], env={"CONSULTA_TEST_LETTER_PDF_AFTER_ISSUE": "skip"})
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        process_id = s.query("SELECT id FROM process WHERE slug = ?", (SLUG,))[0][0]
        readers = ["reader%d@example.org" % i for i in range(3)]
        with harness.connect(s.db) as db:
            db.executemany("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at) "
                           "VALUES (?, ?, ?, 1600000000, 1600000000)",
                           [(process_id, x, "%064x" % i) for i, x in enumerate(readers)])
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(issue=True), token=token)
        self.assertEqual(r.status, 201, r)
        issued = r.json()
        self.assertIsNone(issued["pdf"], "the web made no PDF: the hook works")
        sink.wait(len(readers), timeout=300)
        got = sink.mails()
        self.assertEqual(sorted(m[1][0] for m in got), readers)
        pdf = s.get_json("/api/v1/circulars/%d" % issued["id"]).json()["pdf"]
        self.assertIsNotNone(pdf, "the sender kept the PDF")
        for m in got:
            pdfs = [p for p in m[2].iter_attachments() if p.get_content_type() == "application/pdf"]
            self.assertEqual(len(pdfs), 1)
            self.assertEqual(hashlib.sha256(pdfs[0].get_content()).hexdigest(), pdf["sha256"])
        self.assertIn("CL-21/1", pdf_text(pdfs[0].get_content()))
        entries = s.send_json("GET", "/api/v1/audit?kind=circular.pdf", token=token).json()["entries"]
        self.assertEqual([(e["object"], e["actor"]) for e in entries], [("circular:%d" % issued["id"], "system")])


class Archive(ServerTestCase):
    """The public archive of issued letters, by year and series, its Atom feed, and search."""
    SHARED = False
    NOW = CALL1_OPEN

    def test_the_archive_lists_every_letter_by_year_and_series_with_a_feed_and_search(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG,
                        letter(subject="Third consultation on the guidelines", issue=True), token=token)
        self.assertEqual(r.status, 201, r)
        issued = r.json()
        page = s.get("/letters")
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        self.assertRegex(text, r"2021 Series CL-21 CL-21/1 of 1 February 2021 : Third consultation on the guidelines"
                               r".* 2020 Series CL-20 CL-20/55 of 23 December 2020 : .* CL-20/18 of 18 March 2020")
        self.assertIn('href="%s"' % issued["url"], page.text)
        self.assertIn('href="/letters"', s.get("/processes/" + SLUG).text)
        feed = s.get("/letters.atom")
        self.assertEqual(feed.status, 200, feed)
        self.assertTrue(feed.header("Content-Type").startswith("application/atom+xml"))
        titles = re.findall(r"<title>([^<]*)</title>", feed.text)
        self.assertEqual(titles[:4], ["Circular letters", "Circular letter CL-21/1: Third consultation on the guidelines",
                                      "Circular letter CL-20/55: Second online open consultation on the draft "
                                      "guidelines for utilization of the GCA",
                                      "Circular letter CL-20/18: Online open consultation on the draft guidelines "
                                      "for utilization of the GCA"])
        found = s.get_json("/api/v1/search?q=%s&type=letter" % urllib.parse.quote("third consultation")).json()
        self.assertIn("CL-21/1", json.dumps(found))

    def test_a_letters_text_is_found_by_search_once_it_is_issued_and_never_as_a_draft(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG,
                        letter(markdown="Dear Sir/Madam,\n\nThe zephyrquill meeting is moved.", issue=True), token=token)
        self.assertEqual(r.status, 201, r)
        issued = r.json()
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG,
                        letter(markdown="A draft about the draftonlyquokka."), token=token)
        self.assertEqual(r.status, 201, r)
        found = s.get_json("/api/v1/search?q=zephyrquill").json()
        self.assertEqual([(x["type"], x["anchor"]) for x in found["results"]], [("letter", issued["reference"])])
        self.assertIn(issued["reference"], page_text(s.get("/search?q=zephyrquill")))
        self.assertEqual(s.get_json("/api/v1/search?q=draftonlyquokka").json()["total"], 0, "a draft is not searched")
        self.assertNotIn("draftonlyquokka", s.get("/search?q=draftonlyquokka").text.lower().split("</form>", 1)[-1])

    def test_migration_029_puts_the_text_of_letters_issued_before_in_search(self):
        s = self.fresh_server()
        letter_search = "/api/v1/search?q=further&type=letter"  # "Further to the letter...": CL-20/55's text only
        self.assertEqual(s.get_json(letter_search).json()["total"], 1)
        s.stop()
        # the database as it was before 029 (and so before 042, the facets): letters indexed by their subject alone
        with harness.connect(s.db) as db:
            sqlite = harness.TEST_DB == "sqlite"
            if sqlite:  # 018's two-column FTS5 indexes, made again below from the entries
                db.execute("DROP TABLE search_word")
                db.execute("DROP TABLE search_gram")
                db.execute("ALTER TABLE search_entry DROP COLUMN facets")
            else:
                db.execute("ALTER TABLE search_entry DROP COLUMN facet_words, DROP COLUMN facets")
            db.execute("UPDATE search_entry SET body = (SELECT c.subject FROM circular c WHERE c.id = search_entry.ref_id) "
                       "WHERE kind = 'letter'")
            if sqlite:
                for table, tokenizer in (("search_word", "unicode61 remove_diacritics 2"), ("search_gram", "trigram")):
                    db.execute("CREATE VIRTUAL TABLE %s USING fts5(title, body, content='search_entry', "
                               "content_rowid='id', tokenize='%s')" % (table, tokenizer))
                    db.execute("INSERT INTO %s (%s) VALUES ('rebuild')" % (table, table))
            db.execute("DELETE FROM schema_migration WHERE version IN (29, 42)")
        with harness.connect(s.db) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM search_entry WHERE kind = 'letter' AND "
                                        "body LIKE '%Further to%'").fetchall(), [(0,)], "the state before 029")
            if sqlite:
                self.assertEqual(db.execute("SELECT count(*) FROM search_word WHERE search_word MATCH 'further'")
                                 .fetchall(), [(0,)])
        s.start()  # the server applies the migrations it has not applied yet: 029 (and 042)
        self.assertEqual(s.query("SELECT count(*) FROM schema_migration WHERE version IN (29, 42)"), [(2,)])
        found = s.get_json(letter_search).json()
        self.assertEqual([x["anchor"] for x in found["results"]], ["CL-20/55"])
        self.assertEqual(s.get_json("/api/v1/search?q=%s&type=letter" % urllib.parse.quote("second online")).json()
                         ["total"], 1, "by its subject still")
        if harness.TEST_DB == "sqlite":
            with harness.connect(s.db) as db:  # raises if the index and the entries disagree
                db.execute("INSERT INTO search_word (search_word) VALUES ('integrity-check')")
                db.execute("INSERT INTO search_gram (search_gram) VALUES ('integrity-check')")



class LettersInTheReadersLanguage(ServerTestCase):
    """A letter's own chrome (not its text) in the reader's language: its page and the archive by
    Accept-Language; its mail in the language a subscriber asked in, else the process's first, with
    Content-Language (issue 14)."""
    SHARED = False
    NOW = CALL1_OPEN

    def test_a_letters_mail_is_in_its_subscribers_language(self):
        from test_mail import Sink
        sink = Sink().start()
        self.addCleanup(sink.stop)
        s = self.fresh_server(serve_args=["--smtp", sink.url])
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        process_id = s.query("SELECT id FROM process WHERE slug = ?", (SLUG,))[0][0]
        with harness.connect(s.db) as db:
            db.executemany("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at, "
                           "language) VALUES (?, ?, ?, 1600000000, 1600000000, ?)",
                           [(process_id, "lecteur@example.org", "%064x" % 1, "fr"),
                            (process_id, "reader@example.org", "%064x" % 2, None)])
            # the subscriber's account has a name: the letter greets by it (an address without one: "Hello,")
            db.execute("INSERT INTO account (email, name, role, email_confirmed_at, created_at) "
                       "VALUES ('lecteur@example.org', 'Marie-Jeanne d''Arc', 'stakeholder', 1600000000, 1600000000)")
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(issue=True), token=token)
        self.assertEqual(r.status, 201, r)
        sink.wait(2, timeout=300)
        got = {m[1][0]: m[2] for m in sink.mails()}
        fr, en = got["lecteur@example.org"], got["reader@example.org"]
        # its words in French, around the letter's own text in English (it has no French text: LetterTexts),
        # which Content-Language names
        self.assertEqual(fr["Content-Language"], "en")
        self.assertTrue(str(fr["Subject"]).startswith("Lettre circulaire CL-21/1\u00a0: "), fr["Subject"])
        body = fr.get_body(("plain",)).get_content()
        self.assertTrue(body.replace("\r\n", "\n").startswith("Bonjour Marie-Jeanne d'Arc,\n\nLettre circulaire CL-21/1"),
                        ascii(body[:80]))
        self.assertIn("La lettre, avec ses annexes\u00a0: ", body)
        self.assertIn("Vous recevez cette lettre parce que vous suivez", body)
        self.assertEqual(en["Content-Language"], "en")
        self.assertTrue(str(en["Subject"]).startswith("Circular letter CL-21/1: "), en["Subject"])
        body = en.get_body(("plain",)).get_content()
        self.assertTrue(body.replace("\r\n", "\n").startswith("Hello,\n\nCircular letter CL-21/1"), ascii(body[:80]))
        self.assertIn("The letter, with its annexes: ", body)
        self.assertIn("You get this letter because you follow", body)

    def test_the_letters_page_and_the_archive_in_french(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(issue=True), token=token)
        self.assertEqual(r.status, 201, r)
        fr = {"Accept-Language": "fr"}
        page = s.get("/letters/%d" % r.json()["id"], headers=fr)
        self.assertEqual(page.status, 200, page)
        self.assertIn("<title>Lettre circulaire CL-21/1", page.text)
        self.assertIn("<dt>Destinataires (pour suite \u00e0 donner)</dt>", page.text)
        self.assertIn(">La lettre en PDF</a>", page.text)
        archive = s.get("/letters", headers=fr)
        self.assertIn("Toutes les lettres envoy\u00e9es, de la plus r\u00e9cente \u00e0 la plus ancienne.", archive.text)
        self.assertIn("<h3>S\u00e9rie CL-21</h3>", archive.text)
        # English by default
        self.assertIn("<dt>To (for action)</dt>", s.get("/letters/%d" % r.json()["id"]).text)


FRENCH = {"subject": "Troisi\u00e8me consultation ouverte en ligne",
          "markdown": "Madame, Monsieur,\n\nNous vous invitons \u00e0 commenter le projet quokkafrancais."}


class LetterTexts(OfficeSession):
    """A letter's subject and text in each language of its process (issue 14, item 3): written on the draft (API
    and office form), frozen by the issue, shown to each reader in theirs (else in the process's first with a
    notice and links), each with its own kept PDF, mailed to each subscriber in theirs with that PDF, searched
    once issued and never as a draft."""

    def server_kw(self):
        from test_mail import Sink
        self.sink = Sink().start()
        self.addCleanup(self.sink.stop)
        return {"serve_args": ["--smtp", self.sink.url]}

    def setUp(self):
        super().setUp()
        r = self.s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"languages": "en, fr"}, token=self.token)
        self.assertEqual(r.status, 200, r)

    def draft(self):
        r = self.s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG,
                             letter(markdown="Dear Sir/Madam,\n\nWe invite you to comment on quokkaenglish."),
                             token=self.token)
        self.assertEqual(r.status, 201, r)
        return r.json()["draft"]

    def put(self, draft, lang, text=FRENCH, **headers):
        return self.s.send_json("POST", "/api/v1/circular-drafts/%d/texts/%s" % (draft, lang), text,
                                token=self.token, headers=headers or None)

    def issue(self, draft):
        r = self.s.send_json("POST", "/api/v1/circular-drafts/%d/issue" % draft, {}, token=self.token)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def search(self, word):
        return [(x["type"], x["anchor"]) for x in self.s.get_json("/api/v1/search?q=" + word).json()["results"]]

    def test_a_french_reader_sees_french_and_a_spanish_reader_the_first_language_with_a_notice_and_links(self):
        draft = self.draft()
        r = self.put(draft, "fr")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["texts"], {"fr": FRENCH})
        self.assertEqual(self.search("quokkafrancais"), [], "a draft's French text is not searched")
        letter_ = self.issue(draft)
        lid, ref = letter_["id"], letter_["reference"]
        self.assertEqual(letter_["language"], "en")
        self.assertEqual((letter_["texts"]["fr"]["subject"], letter_["texts"]["fr"]["url"]),
                         (FRENCH["subject"], "/letters/%d?text=fr" % lid))
        self.assertEqual(self.search("quokkafrancais"), [("letter", ref)], "the issued one is, once")
        self.assertEqual(self.search("quokkaenglish"), [("letter", ref)])
        # A French reader: the French text, marked as French, and a link to the English one.
        fr = self.s.get("/letters/%d" % lid, headers={"Accept-Language": "fr"})
        self.assertEqual(fr.status, 200, fr)
        self.assertIn('<h1 id="letter-title" lang="fr" dir="ltr">%s</h1>' % FRENCH["subject"], fr.text)
        # An Arabic reader: the first language's text, left to right in the right-to-left page (inherited, its
        # full stops went to its lines' other end)
        ar = self.s.get("/letters/%d" % lid, headers={"Accept-Language": "ar"})
        self.assertIn('<div class="prose" translate="no" lang="en" dir="ltr">', ar.text)
        self.assertIn("quokkafrancais", fr.text)
        self.assertNotIn("quokkaenglish", fr.text)
        self.assertNotIn('id="text-language"', fr.text)
        self.assertIn('href="/letters/%d?text=en"' % lid, fr.text)
        self.assertIn('href="/letters/%d/letter.pdf?text=fr"' % lid, fr.text)
        # A Spanish reader: no Spanish text, the English one with a notice, and a link to the French one.
        es = self.s.get("/letters/%d" % lid, headers={"Accept-Language": "es"})
        self.assertEqual(es.status, 200, es)
        self.assertIn('id="text-language"', es.text)
        self.assertIn("quokkaenglish", es.text)
        self.assertNotIn("quokkafrancais", es.text)
        self.assertIn('href="/letters/%d?text=fr"' % lid, es.text)
        self.assertIn('href="/letters/%d/letter.pdf"' % lid, es.text)
        # ?text= shows one text whatever the interface's language; an English reader gets English, no notice.
        self.assertIn("quokkafrancais", self.s.get("/letters/%d?text=fr" % lid).text)
        en = self.s.get("/letters/%d" % lid).text
        self.assertIn("quokkaenglish", en)
        self.assertNotIn('id="text-language"', en)
        # Its PDF in French: the French text, kept, its SHA-256 shown on the French page and recorded.
        r = self.s.get("/letters/%d/letter.pdf?text=fr" % lid)
        self.assertEqual(r.status, 200, r)
        french_pdf = r.body
        self.assertIn("quokkafrancais", pdf_text(french_pdf))
        self.assertNotIn("quokkaenglish", pdf_text(french_pdf))
        sha = hashlib.sha256(french_pdf).hexdigest()
        self.assertNotEqual(sha, letter_["pdf"]["sha256"], "one PDF per language")
        self.assertIn("quokkaenglish", pdf_text(self.s.get("/letters/%d/letter.pdf" % lid).body))
        self.assertIn(sha, self.s.get("/letters/%d" % lid, headers={"Accept-Language": "fr"}).text)
        self.assertNotIn(sha, self.s.get("/letters/%d" % lid).text)
        self.assertEqual(self.s.get_json("/api/v1/circulars/%d" % lid).json()["texts"]["fr"]["pdf"]["sha256"], sha)
        self.assertEqual(self.s.get("/letters/%d/letter.pdf?text=fr" % lid).body, french_pdf, "kept")
        audit = self.s.send_json("GET", "/api/v1/audit?kind=circular.pdf", token=self.token).json()["entries"]
        self.assertIn(("fr", sha), [(e["after"].get("language"), e["after"]["sha256"]) for e in audit])
        self.assertEqual(self.s.get("/letters/%d/letter.pdf?text=ru" % lid).status, 404)
        # The archive lists it once, in the reader's language; the feed once, in its own.
        archive = self.s.get("/letters", headers={"Accept-Language": "fr"}).text
        self.assertEqual(archive.count('href="/letters/%d"' % lid), 1)
        self.assertIn(html.escape(FRENCH["subject"], quote=False), archive)
        feed = self.s.get("/letters.atom").text
        self.assertEqual(feed.count("Circular letter %s:" % ref), 1)
        # The process page's list of letters too: the subject in the reader's language where it has a text.
        process_fr = self.s.get("/processes/" + SLUG, headers={"Accept-Language": "fr"}).text
        self.assertIn(html.escape(FRENCH["subject"], quote=False), process_fr)
        process_es = self.s.get("/processes/" + SLUG, headers={"Accept-Language": "es"}).text
        self.assertNotIn(html.escape(FRENCH["subject"], quote=False), process_es)
        self.assertIn('href="/letters/%d"' % lid, process_es)
        # The issue froze its texts (and recorded them in its ledger leaf).
        r = self.put(draft, "fr", {"subject": "Trop tard", "markdown": "Apr\u00e8s l'envoi."})
        self.assertEqual(r.status, 409, r)
        issue = self.s.send_json("GET", "/api/v1/audit?kind=circular.issue", token=self.token).json()["entries"][0]
        self.assertEqual(issue["after"]["texts"]["fr"]["subject"], FRENCH["subject"])
        self.assertEqual(len(issue["after"]["texts"]["fr"]["text_sha256"]), 64)

    def test_a_french_subscribers_mail_and_its_attached_pdf_are_french(self):
        process_id = self.s.query("SELECT id FROM process WHERE slug = ?", (SLUG,))[0][0]
        with harness.connect(self.s.db) as db:
            db.executemany("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at, "
                           "language) VALUES (?, ?, ?, 1600000000, 1600000000, ?)",
                           [(process_id, "lecteur@example.org", "%064x" % 1, "fr"),
                            (process_id, "reader@example.org", "%064x" % 2, None),
                            (process_id, "lector@example.org", "%064x" % 3, "es")])
        draft = self.draft()
        self.assertEqual(self.put(draft, "fr").status, 200)
        letter_ = self.issue(draft)
        self.sink.wait(3, timeout=300)
        got = {m[1][0]: m[2] for m in self.sink.mails()}

        def pdf_of(mail):
            pdfs = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
            self.assertEqual(len(pdfs), 1)
            return pdfs[0].get_filename(), pdfs[0].get_content()

        fr = got["lecteur@example.org"]
        self.assertEqual(fr["Content-Language"], "fr")
        self.assertIn(FRENCH["subject"], str(fr["Subject"]))
        self.assertTrue(str(fr["Subject"]).startswith("Lettre circulaire CL-21/1\u00a0: "), fr["Subject"])
        body = fr.get_body(("plain",)).get_content()
        self.assertIn("quokkafrancais", body)
        self.assertNotIn("quokkaenglish", body)
        self.assertIn("/letters/%d?text=fr" % letter_["id"], body)
        name, pdf = pdf_of(fr)
        self.assertEqual(name, "CL-21-1-fr.pdf")
        self.assertIn("quokkafrancais", pdf_text(pdf))
        kept = self.s.get_json("/api/v1/circulars/%d" % letter_["id"]).json()
        self.assertEqual(hashlib.sha256(pdf).hexdigest(), kept["texts"]["fr"]["pdf"]["sha256"],
                         "the kept French PDF, made by the sender")
        en = got["reader@example.org"]
        self.assertEqual(en["Content-Language"], "en")
        self.assertIn("quokkaenglish", en.get_body(("plain",)).get_content())
        name, pdf = pdf_of(en)
        self.assertEqual((name, hashlib.sha256(pdf).hexdigest()), ("CL-21-1.pdf", kept["pdf"]["sha256"]))
        # A Spanish subscriber: no Spanish text, so the English one and its PDF, in a mail whose words are Spanish.
        es = got["lector@example.org"]
        self.assertEqual(es["Content-Language"], "en")
        self.assertIn("quokkaenglish", es.get_body(("plain",)).get_content())
        self.assertEqual(hashlib.sha256(pdf_of(es)[1]).hexdigest(), kept["pdf"]["sha256"])
        self.assertTrue(str(es["Subject"]).startswith("Carta circular CL-21/1"), es["Subject"])

    def test_a_language_not_of_the_process_is_refused_with_a_clear_message(self):
        draft = self.draft()
        r = self.put(draft, "ru")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["fields"]["language"],
                         "ru is not one of the process's languages (en,fr): add it to them first.")
        r = self.put(draft, "en")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["fields"]["language"],
                         "The letter's own subject and text are in en, the process's first language.")
        r = self.put(draft, "xx-yyyy")
        self.assertEqual(r.status, 422, r)
        self.assertIn("language", r.json()["error"]["fields"])
        # in the asker's language
        r = self.put(draft, "ru", **{"Accept-Language": "fr"})
        self.assertEqual(r.status, 422, r)
        self.assertNotEqual(r.json()["error"]["fields"]["language"],
                            "ru is not one of the process's languages (en,fr): add it to them first.")
        self.assertIn("ru", r.json()["error"]["fields"]["language"])
        # validated as the letter's own text is: a subject on one line, both given
        r = self.put(draft, "fr", {"subject": "Deux\nlignes", "markdown": "Texte."})
        self.assertEqual(r.status, 422, r)
        self.assertIn("subject", r.json()["error"]["fields"])
        r = self.put(draft, "fr", {"subject": "Objet"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("markdown", r.json()["error"]["fields"])
        self.assertEqual(self.s.send_json("GET", "/api/v1/circular-drafts/%d" % draft, token=self.token)
                         .json()["texts"], {})
        # given, then removed by an empty subject and text
        self.assertEqual(self.put(draft, "fr").status, 200)
        r = self.put(draft, "fr", {"subject": "", "markdown": ""})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["texts"], {})
        # the secretariat's only
        r = self.s.send_json("POST", "/api/v1/circular-drafts/%d/texts/fr" % draft, FRENCH)
        self.assertIn(r.status, (401, 403))

    def test_the_office_gives_a_text_per_language_on_the_drafts_page(self):
        draft = self.draft()
        page = self.get("/office/letters/%d" % draft)
        self.assertEqual(page.status, 200, page)
        self.assertIn('id="f-text-fr-subject"', page.text)
        self.assertNotIn('id="f-text-en-subject"', page.text, "not its own language")
        r = self.post("/office/letters/%d/texts" % draft, {"language": "fr", "subject": "", "markdown": "Texte."})
        self.assertEqual(r.status, 422, r)
        self.assertIn('id="e-text-fr-subject"', r.text)
        self.assertIn("Texte.", r.text, "what was typed comes back")
        r = self.post("/office/letters/%d/texts" % draft, {"language": "fr", **FRENCH})
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith("?done=text#texts"), r.header("Location"))
        page = self.get(r.header("Location").split("#")[0])
        self.assertIn("The text was saved.", page_text(page))
        self.assertIn('value="%s"' % html.escape(FRENCH["subject"]), page.text)
        self.assertEqual(self.s.send_json("GET", "/api/v1/circular-drafts/%d" % draft, token=self.token)
                         .json()["texts"], {"fr": FRENCH})

