"""
The receipt (/receipts/{tracking}, issue 10 item 5): every fact on the page
(tracking number, call and version, the time in the process's zone before UTC,
a copy of what was sent with each comment's ¶ link, the attachments' names,
sizes and SHA-256, category, country, what the publication choice means, what
happens next and when the answers are due); hostile text escaped; the print
style sheet; and "Mail me this receipt": CSRF, only to the contribution's own
address, at most three an hour for one contribution, nothing for a contribution
without an address or one the secretariat withheld.

Call 1 of the demo closes at the end of 15 February 2021 (Europe/Zurich); the
demo's schedule has "The final revised draft ..." on 7 May 2021, the first
version after that deadline: the answers are due with it.
"""

import email
import email.mime.application
import email.mime.multipart
import email.mime.text
import email.policy
import hashlib

import harness
from harness import CSRF_TOKEN, ServerTestCase, contribution, page_text
from test_mail_in import CALL1, mail_in

NOW = "2021-01-25T10:00:00Z"
RECEIVED = "Received 25 January 2021, 11:00 Zurich time (UTC+1) 2021-01-25 10:00:00 UTC"
DUE = "The answers are due on 7 May 2021, when the schedule says: "
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def outbox(server, kind="receipt"):
    """(recipient, parsed message) of each queued mail of kind, oldest first."""
    with harness.connect(server.db, timeout=10) as db:
        rows = db.execute("SELECT recipient, message FROM outbox WHERE kind = ? ORDER BY id", (kind,)).fetchall()
    return [(to, email.message_from_string(m, policy=email.policy.default)) for to, m in rows]


def body_of(message):
    return message.get_content().replace("\r\n", "\n")


def with_attachment(message_id, data, filename="inputs.txt"):
    """A message to call 1 with a text and one attached file."""
    m = email.mime.multipart.MIMEMultipart()
    m["From"] = "Ada <ada@example.org>"
    m["To"] = CALL1
    m["Subject"] = "Inputs with a file"
    m["Message-ID"] = "<%s>" % message_id
    m.attach(email.mime.text.MIMEText("Our inputs are in the attached file.", "plain", "utf-8"))
    part = email.mime.application.MIMEApplication(data, "octet-stream")
    part.add_header("Content-Disposition", "attachment", filename=filename)
    m.attach(part)
    return m.as_bytes()


class ReceiptPage(ServerTestCase):
    """What the receipt page says, on one server at a fixed now."""

    SHARED = True
    NOW = NOW

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        comments = [{"paragraph": "p3", "type": "technical", "comment": "Say who reports.",
                     "proposed_change": "The secretariat reports to Council."},
                    {"paragraph": None, "type": "editorial", "comment": "Number the headings."}]
        cls.tracking = cls.server.contribute(comments=comments, publication="anonymous",
                                             text="Our covering letter.")["tracking"]
        cls.version = cls.server.get_json("/api/v1/calls/1").json()["version_id"]
        cls.page = cls.server.get("/receipts/" + cls.tracking)

    def test_the_tracking_number_comes_first_and_prominent(self):
        self.assertEqual(self.page.status, 200, self.page)
        text = page_text(self.page)
        self.assertIn("Tracking number " + self.tracking, text)
        self.assertIn('<strong id="tracking">%s</strong>' % self.tracking, self.page.text)
        self.assertLess(self.page.text.index('id="tracking"'), self.page.text.index("What it is about"))

    def test_the_call_and_the_version_it_is_about_are_linked(self):
        self.assertIn('<a href="/calls/1">Written inputs on the revised draft</a>', self.page.text)
        self.assertRegex(self.page.text, r'<dt>Version</dt><dd><a href="/versions/%d">[^<]+, ' % self.version)

    def test_the_time_is_in_the_process_zone_first_then_utc(self):
        self.assertIn(RECEIVED, page_text(self.page))

    def test_a_copy_of_what_was_sent_with_each_comment_linked_to_its_paragraph(self):
        text = page_text(self.page)
        self.assertIn("Our covering letter.", text)
        self.assertIn('<a href="/versions/%d/paragraphs/p3">\u00b63</a>' % self.version, self.page.text)
        self.assertIn("\u00b63 \u00b7 Technical", text)
        self.assertIn("Say who reports.", text)
        self.assertIn("Proposed change The secretariat reports to Council.", text)
        self.assertIn("General comment \u00b7 Editorial", text)
        self.assertIn("Category Academia", text)
        self.assertIn("Country Switzerland", text)

    def test_the_publication_choice_says_what_it_means(self):
        text = page_text(self.page)
        self.assertIn("Anonymous. Published without your name and organization; your category and your country "
                      "are public.", text)
        # anonymous: the page, which its (public) tracking number opens, does not show the name; never the address
        self.assertNotIn("Ada Lovelace", text)
        self.assertNotIn("ada@example.org", self.page.text)

    def test_what_happens_next_and_when_the_answers_are_due(self):
        text = page_text(self.page)
        self.assertIn("What happens next", text)
        self.assertIn("It is published: everyone can read it now.", text)
        self.assertIn("The secretariat answers each of your comments (its disposition).", text)
        self.assertIn("The answers are due on <strong>7 May 2021</strong>, when the schedule says: \u201cThe final "
                      "revised draft, taking the inputs into account, is posted online.\u201d", self.page.text)
        self.assertIn('href="/processes/gca-guidelines#follow"', self.page.text)
        self.assertIn('<a href="/account">My contributions</a>', self.page.text)

    def test_the_print_style_sheet_hides_the_chrome(self):
        css = self.server.get("/static/style.css").text
        block = css[css.index("@media print"):]
        self.assertRegex(block, r"header\.site, footer\.site, nav[^{]*\{ display: none")
        self.assertIn("color: #000", block)
        self.assertIn('content: " (" attr(href) ")"', block)
        self.assertIn("break-inside: avoid", block)
        self.assertIn('class="print-advice no-print"', self.page.text)
        self.assertIn('<section aria-labelledby="mail-me" class="no-print">', self.page.text)

    def test_the_receipt_mail_carries_the_same_facts_without_the_senders_words(self):
        mail = [m for to, m in outbox(self.server) if self.tracking in m["Subject"]]
        self.assertEqual(len(mail), 1)
        body = body_of(mail[0])
        self.assertIn("Tracking number: " + self.tracking, body)
        self.assertIn("Received: 25 January 2021, 11:00 Zurich time (UTC+1)\n          2021-01-25 10:00:00 UTC",
                      body)
        self.assertIn("Category: Academia\nCountry: Switzerland\n", body)
        self.assertIn("Publication: Anonymous. Published without your name", body)
        self.assertIn("1. \u00b63, technical\n   http", body)
        self.assertIn("/versions/%d/paragraphs/p3" % self.version, body)
        self.assertIn("2. General comment, editorial", body)
        self.assertIn(DUE, body)
        self.assertIn("/processes/gca-guidelines", body)
        # the address was typed on a form: none of the sender's words, but the name in the greeting, which
        # outbox_greeting() allows only when it is a name that can carry no message (test_mail_people.py)
        for words in ("Our covering letter.", "Say who reports."):
            self.assertNotIn(words, body)
        self.assertTrue(body.startswith("Dear Ada Lovelace,\n"), body[:60])
        self.assertEqual(body.count("Ada Lovelace"), 1, "the name in the greeting only")

    def test_an_unknown_tracking_number_is_not_found(self):
        r = self.server.get("/receipts/" + "0" * len(self.tracking))
        self.assertEqual(r.status, 404, r)


class ReceiptOfAMail(ServerTestCase):
    """A contribution by e-mail with an attached file: its name, size and SHA-256 on the page and in the reply."""

    SHARED = True
    NOW = NOW

    def test_the_attachment_is_named_with_its_size_and_sha256(self):
        data = b"Paragraph 3: say who reports, and to whom.\n" * 40
        code, out, err = mail_in(self.server.db, with_attachment("file@example.org", data), NOW)
        self.assertEqual(code, 0, err)
        self.assertEqual(out["outcome"], "accepted", out)
        r = self.server.get("/receipts/" + out["tracking"])
        self.assertEqual(r.status, 200, r)
        text = page_text(r)
        digest = hashlib.sha256(data).hexdigest()
        self.assertIn("Attachments (1)", text)
        self.assertIn('<span class="file-name">inputs.txt</span>, 1.7 KB (%d bytes)' % len(data), r.text)
        self.assertIn("1.7 KB (%d bytes) SHA-256: %s" % (len(data), digest), text)
        # In French the size has the French decimal comma and unit, in Russian its comma and КБ.
        fr = self.server.get("/receipts/" + out["tracking"], headers={"Accept-Language": "fr"})
        self.assertIn("1,7 Ko (%d octets)" % len(data), fr.text.replace("\u00a0", " "))
        ru = self.server.get("/receipts/" + out["tracking"], headers={"Accept-Language": "ru"})
        self.assertIn("1,7 \u041a\u0411 (%d " % len(data), ru.text)
        self.assertIn("Private. Not published:", text)
        self.assertIn(RECEIVED, text)
        reply = [m for to, m in outbox(self.server) if m["In-Reply-To"] == "<file@example.org>"]
        self.assertEqual(len(reply), 1)
        body = body_of(reply[0])
        self.assertIn("1. inputs.txt, %d bytes\n   SHA-256: %s" % (len(data), digest), body)
        self.assertIn("Our inputs are in the attached file.", body, "a reply to the sender may quote its words")

    def test_a_long_mailed_text_is_not_quoted_so_that_the_reply_fits_one_mail(self):
        # 100,000 characters of three bytes each: quoted-printable would make the reply far larger than the
        # outbox takes (1 MB); the contribution must not be refused for its receipt.
        text = "\u20ac" * 100000
        m = email.mime.text.MIMEText(text, "plain", "utf-8")
        m["From"] = "Ada <ada@example.org>"
        m["To"] = CALL1
        m["Subject"] = "Long"
        m["Message-ID"] = "<long@example.org>"
        code, out, err = mail_in(self.server.db, m.as_bytes(), NOW)
        self.assertEqual(code, 0, err)
        self.assertEqual(out["outcome"], "accepted", out)
        reply = [m for to, m in outbox(self.server) if m["In-Reply-To"] == "<long@example.org>"]
        self.assertEqual(len(reply), 1)
        body = body_of(reply[0])
        self.assertIn("Tracking number: " + out["tracking"], body)
        self.assertNotIn("\u20ac" * 10, body)


class Escaping(ServerTestCase):
    SHARED = True
    NOW = NOW

    def test_hostile_text_is_escaped_everywhere_on_the_page(self):
        comments = [{"paragraph": "p3", "comment": HOSTILE, "proposed_change": HOSTILE}]
        t = self.server.contribute(name=HOSTILE, organization=HOSTILE, text=HOSTILE, comments=comments)["tracking"]
        r = self.server.get("/receipts/" + t)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("<script>alert", r.text)
        self.assertNotIn("<img src=x", r.text)
        self.assertGreaterEqual(r.text.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), 5)


class MailMe(ServerTestCase):
    """ "Mail me this receipt": queued once per press, to the contribution's address only, limited."""

    SHARED = False
    NOW = NOW

    def press(self, s, tracking, **fields):
        return s.post_form("/receipts/%s/mail" % tracking, fields)

    def test_a_press_queues_one_mail_to_the_contributions_address_only(self):
        s = self.fresh_server()
        t = s.contribute(email="ada@example.org")["tracking"]
        page = s.get("/receipts/" + t)
        self.assertIn('action="/receipts/%s/mail"' % t, page.text)
        before = len(outbox(s))
        # an address in the request is not read
        r = self.press(s, t, email="victim@example.org", to="victim@example.org")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/receipts/%s?mailed=1" % t)
        mails = outbox(s)[before:]
        self.assertEqual(len(mails), 1, mails)
        to, m = mails[0]
        self.assertEqual(to, "ada@example.org")
        self.assertEqual(m["To"], "ada@example.org")
        self.assertEqual(m["Subject"], "Receipt of your contribution " + t)
        body = body_of(m)
        self.assertIn("Tracking number: " + t, body)
        self.assertIn("Received: 25 January 2021, 11:00 Zurich time (UTC+1)", body)
        self.assertNotIn("victim", body)
        self.assertIn("This receipt is on its way", page_text(s.get(r.header("Location"))))
        with harness.connect(s.db, timeout=10) as db:
            audit = db.execute("SELECT actor, object FROM audit WHERE kind = 'contribution.receipt_mail'").fetchall()
        self.assertEqual(audit, [("public", "contribution:" + t)])

    def test_more_than_three_an_hour_are_refused_with_a_clear_message(self):
        s = self.fresh_server()
        t = s.contribute(email="ada@example.org")["tracking"]
        before = len(outbox(s))
        for _ in range(3):
            self.assertEqual(self.press(s, t).status, 303)
        r = self.press(s, t)
        self.assertEqual(r.status, 429, r)
        self.assertIn("This receipt has been mailed 3 times in the last hour already", page_text(r))
        self.assertIn('href="/receipts/%s"' % t, r.text)
        self.assertEqual(len(outbox(s)) - before, 3)
        # another contribution to the same address has its own count
        t2 = s.contribute(email="ada@example.org")["tracking"]
        self.assertEqual(self.press(s, t2).status, 303)
        # an hour later the first may be mailed again
        s.stop()
        s.start(now="2021-01-25T11:00:01Z")
        self.assertEqual(self.press(s, t).status, 303)

    def test_the_outbox_limit_of_an_address_holds_for_receipts_asked_again(self):
        s = self.fresh_server()
        # ten receipts an hour to one address (core/outbox.h): the ten contributions have had theirs
        ts = [s.contribute(email="busy@example.org")["tracking"] for _ in range(10)]
        before = len(outbox(s))
        r = self.press(s, ts[0])
        self.assertEqual(r.status, 429, r)
        self.assertIn("Too many mails have gone to this contribution's address", page_text(r))
        self.assertEqual(len(outbox(s)), before)

    def test_without_the_csrf_token_nothing_is_queued(self):
        s = self.fresh_server()
        t = s.contribute()["tracking"]
        before = len(outbox(s))
        r = self.press_raw(s, t, csrf=False)
        self.assertEqual(r.status, 403, r)
        r = s.post_form("/receipts/%s/mail" % t, {}, csrf="not-the-token")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(len(outbox(s)), before)

    def press_raw(self, s, tracking, csrf):
        return s.post_form("/receipts/%s/mail" % tracking, {}, csrf=csrf)

    def test_a_contribution_without_an_address_offers_no_button_and_mails_nothing(self):
        s = self.fresh_server()
        t = s.contribute()["tracking"]
        with harness.connect(s.db, timeout=10) as db:  # one imported without an address
            db.execute("UPDATE contribution SET email = '' WHERE tracking = ?", (t,))
        page = s.get("/receipts/" + t)
        self.assertEqual(page.status, 200, page)
        self.assertNotIn("/mail\"", page.text)
        before = len(outbox(s))
        r = self.press(s, t)
        self.assertEqual(r.status, 409, r)
        self.assertIn("gave no e-mail address", page_text(r))
        self.assertEqual(len(outbox(s)), before)

    def test_an_unknown_tracking_number_mails_nothing(self):
        s = self.fresh_server()
        before = len(outbox(s))
        r = self.press(s, "0" * 12)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(len(outbox(s)), before)


class Access(ServerTestCase):
    """Who may read a receipt is unchanged (whoever has the tracking number); what it shows stays within that."""

    SHARED = True
    NOW = NOW

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.account_token("sec@gca.example")

    def test_a_private_contribution_shows_its_copy_to_the_holder_of_its_number_but_not_publicly(self):
        t = self.server.contribute(publication="private", text="Only for the secretariat.")["tracking"]
        r = self.server.get("/receipts/" + t)
        self.assertEqual(r.status, 200, r)
        text = page_text(r)
        self.assertIn("Only for the secretariat.", text)
        self.assertIn("Private. Not published:", text)
        self.assertNotIn("See your contribution as the public sees it", text)
        self.assertNotIn("ada@example.org", r.text)
        self.assertEqual(self.server.get("/contributions/" + t).status, 404)

    def test_a_hidden_contribution_shows_none_of_its_words_and_offers_no_mail(self):
        t = self.server.contribute(text="Words the secretariat withheld.", comments=[
            {"paragraph": "p3", "comment": "A withheld comment."}])["tracking"]
        r = self.server.send_json("POST", "/api/v1/contributions/%s/moderation" % t,
                                  {"action": "hide", "reason": "Off topic."}, token=self.token)
        self.assertEqual(r.status, 200, r)
        page = self.server.get("/receipts/" + t)
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        for words in ("Words the secretariat withheld.", "A withheld comment.", "Ada Lovelace", "What you sent"):
            self.assertNotIn(words, text)
        self.assertIn("The secretariat has withheld it from publication.", text)
        self.assertNotIn('action="/receipts/%s/mail"' % t, page.text)
        before = len(outbox(self.server))
        r = self.server.post_form("/receipts/%s/mail" % t, {})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(len(outbox(self.server)), before)


class WhatHappensNext(ServerTestCase):
    """Review first, and a schedule that names no version after the deadline."""

    SHARED = False
    NOW = NOW

    def test_a_call_that_reviews_first_and_no_milestone_for_the_answers(self):
        s = self.fresh_server()
        with harness.connect(s.db, timeout=10) as db:
            db.execute("UPDATE call SET review = 'after_review' WHERE id = 1")
            db.execute("UPDATE milestone SET status = 'cancelled' WHERE kind IN ('version', 'presentation')")
        t = s.contribute()["tracking"]
        text = page_text(s.get("/receipts/" + t))
        self.assertIn("It is published once the secretariat has reviewed it", text)
        self.assertNotIn("See your contribution as the public sees it", text)
        self.assertIn("The answers will follow once the secretariat publishes them", text)
        self.assertIn("The secretariat answers the comments sent to this call (its dispositions) and takes every "
                      "contribution into account.", text)
        body = body_of([m for to, m in outbox(s) if t in m["Subject"]][0])
        self.assertIn("It is published once the secretariat has reviewed it", body)
        self.assertIn("The answers will follow once the secretariat publishes them", body)

    def test_a_late_mail_is_said_to_wait_for_the_secretariat(self):
        s = self.fresh_server()
        code, out, err = mail_in(s.db, with_attachment("late@example.org", b"late words\n"), "2021-02-16T09:00:00Z")
        self.assertEqual(code, 0, err)
        self.assertTrue(out["late"], out)
        text = page_text(s.get("/receipts/" + out["tracking"]))
        self.assertIn("It came late: the secretariat decides whether it is taken into account", text)


if __name__ == "__main__":
    import unittest

    unittest.main()
