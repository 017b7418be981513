"""The e-mail channel in the back office, in the browser's own terms: a
message to an address no call has is on the holding list (/office/holding)
with why it is held, counted on the dashboard; a message after the deadline
is listed as late (/office/calls/1/late) with an Admit button, and admitting
it through that form (with its CSRF token) admits it as the API does. The
public is sent to log in and a stakeholder is refused."""

import re

from harness import CALL1_OPEN, ServerTestCase, page_text
from test_mail_in import CALL1, mail_in, simple

SECRETARIAT = "sec@gca.example"
STAKEHOLDER = "ada@example.org"
PASSWORD = "a long passphrase for the tests"
UNKNOWN = "nobody@gca-demo.example"
LATE_NOW = "2021-02-16T09:00:00Z"  # after call 1's deadline


class OfficeMailPages(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def office(self):
        s = self.fresh_server()
        self.token = s.account_token(SECRETARIAT, password=PASSWORD)
        return s, self.login(s, SECRETARIAT)

    def record(self, s, tracking):
        r = s.send_json("GET", "/api/v1/contributions/" + tracking, token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_the_pages_are_the_secretariats_only(self):
        s, session = self.office()
        s.account_token(STAKEHOLDER, role="stakeholder", password=PASSWORD)
        stakeholder = self.login(s, STAKEHOLDER)
        for path in ("/office/holding", "/office/calls/1/late"):
            with self.subTest(path=path):
                r = self.get(s, session, path)
                self.assertEqual(r.status, 200, r)
                self.assertIn('<a href="/office">Back office</a>', r.text)
                public = s.get(path)
                self.assertEqual(public.status, 303, public)
                self.assertEqual(public.header("Location"), "/login?next=" + path)
                self.assertEqual(self.get(s, stakeholder, path).status, 403)
        code, out, _ = mail_in(s.db, simple("late-refused@example.org"), LATE_NOW)
        self.assertEqual(code, 0)
        path = "/office/contributions/%s/admission" % out["tracking"]
        self.assertEqual(self.post(s, stakeholder, path, {}).status, 403)
        self.assertEqual(s.post_form(path, {}).status, 401)
        self.assertEqual(self.post(s, session, path, {}, csrf=False).status, 403, "no CSRF token, no change")
        self.assertIsNone(self.record(s, out["tracking"])["admitted_at"], "nothing admitted")

    def test_a_message_to_an_unknown_address_is_on_the_holding_list_with_why(self):
        s, session = self.office()
        self.assertIn('<a href="/office/holding">Held e-mail (0)</a>', self.get(s, session, "/office").text)
        self.assertIn("No message is held.", self.get(s, session, "/office/holding").text)
        eml = ("From: Grace <grace@example.org>\r\nTo: %s\r\nSubject: Where do I send <inputs>?\r\n"
               "Message-ID: <held-page@example.org>\r\n\r\nWhere?\r\n" % UNKNOWN).encode()
        code, out, _ = mail_in(s.db, eml, CALL1_OPEN)
        self.assertEqual((code, out["outcome"]), (0, "held"))
        self.assertIn('<a href="/office/holding">Held e-mail (1)</a>', self.get(s, session, "/office").text)
        r = self.get(s, session, "/office/holding")
        self.assertEqual(r.status, 200, r)
        self.assertIn("Where do I send &lt;inputs&gt;?", r.text, "the subject, escaped")
        row = re.search(r"<tr id=\"h-\d+\">.*?</tr>", r.text, re.S).group(0)
        for text in (UNKNOWN, "grace@example.org", "Sent to an address that no call has", "reason-no_call",
                     "2021-02-01"):
            self.assertIn(text, row)
        # newest first
        mail_in(s.db, eml.replace(b"held-page@", b"held-page-2@").replace(b"<inputs>", b"second"),
                "2021-02-02T10:00:00Z")
        text = page_text(self.get(s, session, "/office/holding"))
        self.assertIn("2 held messages, newest first.", text)
        self.assertLess(text.index("Where do I send second?"), text.index("Where do I send <inputs>?"))

    def test_a_late_contribution_is_listed_and_admitted_through_the_form(self):
        s, session = self.office()
        code, out, _ = mail_in(s.db, simple("late-page@example.org", to=CALL1), LATE_NOW)
        self.assertEqual(code, 0)
        self.assertTrue(out["late"])
        tracking = out["tracking"]
        r = self.get(s, session, "/office/calls/1/late")
        self.assertEqual(r.status, 200, r)
        action = "/office/contributions/%s/admission" % tracking
        form = re.search(r'<form method="post" action="%s".*?</form>' % re.escape(action), r.text, re.S)
        self.assertTrue(form, "an Admit form for the late contribution")
        self.assertIn('name="csrf"', form.group(0))
        self.assertIn(">Admit<", form.group(0))
        self.assertIn("1 late contribution awaiting admission", page_text(r))
        # the moderation list marks it, and leads to the late ones
        m = self.get(s, session, "/office/calls/1/contributions?state=pending")
        item = re.search(r'<div class="office-item" id="c-%s">.*?</dl>' % re.escape(tracking), m.text, re.S).group(0)
        self.assertIn('<span class="marker late">late</span>', item)
        self.assertIn('href="/office/calls/1/late">Late, awaiting admission (1)</a>', m.text)

        # admitting cannot be undone: a second page says what will happen, and nothing changes yet
        r = self.post(s, session, action, {})
        self.assertEqual(r.status, 200, r)
        self.assertIn("Admit late contribution %s?" % tracking, r.text)
        self.assertIn("This cannot be undone", r.text)
        self.assertIsNone(self.record(s, tracking)["admitted_at"])
        r = self.post(s, session, action, {"confirm": "yes"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/office/calls/1/late?done=admitted&tracking=" + tracking)
        done = self.get(s, session, r.header("Location"))
        self.assertIn('role="status">Late contribution %s admitted.' % tracking, done.text)
        self.assertNotIn(action, done.text, "no longer awaiting admission")
        k = self.record(s, tracking)
        self.assertTrue(k["late"])
        self.assertIsNotNone(k["admitted_at"])
        self.assertEqual(k["state"], "published")
        m = self.get(s, session, "/office/calls/1/contributions?state=published")
        self.assertIn('<span class="marker admitted">admitted</span>', m.text)
        # admitting it again is a conflict, told on the page, and changes nothing
        again = self.post(s, session, action, {})
        self.assertEqual(again.status, 409, again)
        self.assertIn('role="alert"', again.text)
        self.assertIn("admitted already", again.text)
        audit = s.send_json("GET", "/api/v1/audit?kind=contribution.admit", token=self.token)
        self.assertEqual(audit.text.count("contribution:" + tracking), 1, audit.text)

    def test_publishing_a_late_contribution_through_moderation_admits_it(self):
        s, session = self.office()
        for mid, through in (("late-moderated-page@example.org", "page"), ("late-moderated-api@example.org", "api")):
            code, out, _ = mail_in(s.db, simple(mid, to=CALL1), LATE_NOW)
            self.assertTrue(out["late"])
            tracking = out["tracking"]
            if through == "page":  # the Publish button of the office moderation page
                r = self.post(s, session, "/office/contributions/%s/moderation" % tracking, {"action": "publish"})
                self.assertEqual(r.status, 303, r)
            else:
                r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % tracking, {"action": "publish"},
                                token=self.token)
                self.assertEqual(r.status, 200, r)
            k = self.record(s, tracking)
            self.assertEqual((k["state"], k["late"]), ("published", True), through)
            self.assertIsNotNone(k["admitted_at"], "%s: published is admitted" % through)
            audit = s.send_json("GET", "/api/v1/audit?kind=contribution.admit", token=self.token)
            self.assertEqual(audit.text.count("contribution:" + tracking), 1, audit.text)
            # no longer awaiting admission, and the Admit route agrees that it is done
            late = self.get(s, session, "/office/calls/1/late")
            self.assertNotIn("/office/contributions/%s/admission" % tracking, late.text)
            again = s.send_json("POST", "/api/v1/contributions/%s/admission" % tracking, {}, token=self.token)
            self.assertEqual(again.status, 409, again)

    def test_an_unknown_tracking_number_is_404(self):
        s, session = self.office()
        self.assertEqual(self.post(s, session, "/office/contributions/NOPE/admission", {}).status, 404)
        self.assertEqual(self.get(s, session, "/office/calls/999/late").status, 404)
