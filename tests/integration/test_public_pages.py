"""
What a visitor reads first: one deadline statement on every page and in every
mail that names a deadline ("Open until 15 February 2021, 23:59 Zurich time
(UTC+1) — 21 days left"), counted in the process's zone at fixed
CONSULTA_NOW instants; extensions with their reasons; a zone whose offset
changes (daylight saving) between now and the deadline; who runs a process;
the /about and /privacy pages, their default texts and their editing by the
secretariat; the privacy notice linked from every form.

Call 1 of the demo closes at the end of 15 February 2021 in Europe/Zurich:
its last second is 2021-02-15T22:59:59Z.
"""

import email
import email.policy
import html
import re
import sqlite3
import harness

from harness import SLUG, ServerTestCase, page_text
from test_mail_in import mail_in, simple

SECRETARIAT = "sec@gca.example"
PASSWORD = "a long passphrase for the tests"
DASH = "\u2014"
CALL1_WHEN = "15 February 2021, 23:59 Zurich time (UTC+1)"
PAGES = ("/", "/processes/" + SLUG, "/calls/1", "/calls/1/contribute")


def mails(server, kind=None):
    """The messages in the outbox (kind: receipt, notice, ...), parsed."""
    with harness.connect(server.db, timeout=10) as db:
        rows = db.execute("SELECT kind, message FROM outbox ORDER BY id").fetchall()
    return [email.message_from_string(m, policy=email.policy.default) for k, m in rows if kind in (None, k)]


def follow(server, address):
    """A confirmed follower of the demo process, written straight into the database."""
    with harness.connect(server.db, timeout=10) as db:
        pid = db.execute("SELECT id FROM process WHERE slug = ?", (SLUG,)).fetchone()[0]
        db.execute("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at) "
                   "VALUES (?, ?, ?, 0, 0)", (pid, address, "f" * 64))


class Statement(ServerTestCase):
    """A frozen "now" and the statement every page gives of call 1's deadline."""

    SHARED = True

    def assertEverywhere(self, statement, pages=PAGES):
        for path in pages:
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 200, r)
                self.assertIn(statement, page_text(r))


class TwentyOneDaysLeft(Statement):
    NOW = "2021-01-25T10:00:00Z"
    STATEMENT = "Open until %s %s 21 days left" % (CALL1_WHEN, DASH)

    def test_home_process_call_and_form_say_the_same(self):
        self.assertEverywhere(self.STATEMENT)

    def test_the_instant_is_a_time_element_for_the_readers_own_time(self):
        for path in PAGES:
            with self.subTest(path=path):
                self.assertIn('<time datetime="2021-02-15T22:59:59Z" data-local data-tz="Europe/Zurich">'
                              + CALL1_WHEN + "</time>", self.server.get(path).text)

    def test_the_old_dump_is_gone_from_the_call_page(self):
        text = page_text(self.server.get("/calls/1"))
        for old in ("End of", "last accepted", "in the process's time zone", "22:59:59 UTC"):
            self.assertNotIn(old, text)

    def test_the_receipt_says_it_and_gives_the_process_zone_before_utc(self):
        tracking = self.server.contribute(email="ada@example.org")["tracking"]
        text = page_text(self.server.get("/receipts/" + tracking))
        self.assertIn(self.STATEMENT, text)
        self.assertIn("Received 25 January 2021, 11:00 Zurich time (UTC+1) 2021-01-25 10:00:00 UTC", text)

    def test_the_receipt_mail_says_it_and_gives_the_process_zone_before_utc(self):
        s = self.fresh_server()
        tracking = s.contribute(email="ada@example.org")["tracking"]
        body = [m for m in mails(s, "receipt") if tracking in m["Subject"]][0].get_content().replace("\r\n", "\n")
        self.assertIn("Deadline of the call: " + self.STATEMENT, body)
        self.assertIn("Received: 25 January 2021, 11:00 Zurich time (UTC+1)\n          2021-01-25 10:00:00 UTC",
                      body)

    def test_the_script_is_served_and_the_policy_allows_it(self):
        r = self.server.get("/calls/1")
        # the script, and the words it adds in the page's language (with %s for the reader's own time)
        self.assertIn('<script src="/static/localtime.js" defer data-your-time="(your time: %s)"></script>', r.text)
        csp = r.header("Content-Security-Policy")
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        js = self.server.get("/static/localtime.js")
        self.assertEqual(js.status, 200, js)
        self.assertTrue(js.header("Content-Type").startswith("text/javascript"), js.header("Content-Type"))
        self.assertIn("your time: ", js.text)
        self.assertIn("Intl.DateTimeFormat", js.text)


class MailedIn(ServerTestCase):
    """The answer to a contribution sent by e-mail says the deadline as the pages do, on time and late."""

    SHARED = False
    NOW = "2021-01-25T10:00:00Z"

    def test_the_reply_to_a_message_states_the_deadline(self):
        s = self.fresh_server()
        for mid, now, expected in (
                ("on-time@example.org", self.NOW, "Open until %s %s 21 days left" % (CALL1_WHEN, DASH)),
                ("late@example.org", "2021-02-16T09:00:00Z", "Closed on " + CALL1_WHEN)):
            with self.subTest(mid=mid):
                code, out, err = mail_in(s.db, simple(mid), now)
                self.assertEqual(code, 0, err)
                reply = [m for m in mails(s, "receipt") if m["In-Reply-To"] == "<%s>" % mid]
                self.assertEqual(len(reply), 1)
                body = reply[0].get_content().replace("\r\n", "\n")
                self.assertIn("Deadline of the call: " + expected + "\n", body)
                self.assertRegex(body, r"Received: \d+ \w+ 2021, \d\d:\d\d Zurich time \(UTC\+1\)\n +2021-")
        self.assertIn("arrived after the deadline of this call (%s)" % CALL1_WHEN, body)


class OneDayLeft(Statement):
    NOW = "2021-02-14T12:00:00Z"

    def test_the_eve_says_one_day(self):
        self.assertEverywhere("Open until %s %s 1 day left" % (CALL1_WHEN, DASH))


class ClosesToday(Statement):
    # 00:30 on 15 February in Zurich, still the 14th in UTC: days are counted in the process's zone.
    NOW = "2021-02-14T23:30:00Z"

    def test_the_day_itself_says_today_at_the_time(self):
        self.assertEverywhere("Open until %s %s closes today at 23:59" % (CALL1_WHEN, DASH))


class Closed(Statement):
    NOW = "2021-02-16T09:00:00Z"

    def test_after_the_deadline_it_says_closed_on(self):
        for path in ("/calls/1", "/processes/" + SLUG):
            with self.subTest(path=path):
                text = page_text(self.server.get(path))
                self.assertIn("Closed on " + CALL1_WHEN, text)
                self.assertNotIn("Open until " + CALL1_WHEN, text)
                self.assertNotIn("left", text[text.index("Closed on"):text.index("Closed on") + 80])


class Extension(ServerTestCase):
    """An extension past the change to summer time, with its reason, on the pages and in the notice."""

    SHARED = False
    NOW = "2021-02-01T10:00:00Z"
    REASON = "Several Member States asked for more time <script>alert(1)</script>"

    def test_the_new_deadline_its_offset_and_the_reason_show_next_to_it(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        follow(s, "grace@example.org")
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-03-31", "reason": self.REASON}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["closes_at"], "2021-03-31T21:59:59Z")  # summer time from 28 March: UTC+2
        statement = "Open until 31 March 2021, 23:59 Zurich time (UTC+2) %s 58 days left" % DASH
        extension = "Extended on 1 February 2021 from %s: %s" % (CALL1_WHEN, self.REASON)
        for path in ("/calls/1", "/processes/" + SLUG):
            with self.subTest(path=path):
                page = s.get(path)
                text = page_text(page)
                self.assertIn(statement, text)
                self.assertIn(extension, text)
                self.assertNotIn("<script>alert", page.text)
                self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page.text)
                self.assertLess(text.index(statement), text.index(extension), "next to the deadline, after it")
        self.assertIn('<time datetime="2021-03-31T21:59:59Z"', s.get("/calls/1").text)
        notice = [m for m in mails(s, "notice") if "Deadline extended" in m["Subject"]]
        self.assertEqual(len(notice), 1, [m["Subject"] for m in mails(s)])
        body = notice[0].get_content().replace("\r\n", "\n")
        self.assertIn("Deadline: " + statement, body)
        self.assertIn("moved from %s to 31 March 2021, 23:59 Zurich time (UTC+2)" % CALL1_WHEN, body)


class NewYork(ServerTestCase):
    """A process in America/New_York whose call closes just after the change to daylight saving time (14 March
    2021): seen on 10 March (EST, UTC-5), the deadline is 23:59 EDT, UTC-4."""

    SHARED = False
    NOW = "2021-03-10T12:00:00Z"

    def test_the_offset_is_the_one_at_the_deadline(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)

        def ok(method, path, body):
            r = s.send_json(method, path, body, token=token)
            self.assertIn(r.status, (200, 201), r)
            return r.json()

        ok("POST", "/api/v1/processes", {"slug": "ny-review", "title": "New York review", "timezone":
                                         "America/New_York", "categories": ["Everyone"],
                                         "body": "The Review Board", "secretariat": "Its office, review@ny.example"})
        ok("POST", "/api/v1/processes/ny-review/documents", {"slug": "rules", "title": "Rules"})
        v = ok("POST", "/api/v1/processes/ny-review/documents/rules/versions",
               {"date": "2021-03-01", "label": "Draft", "markdown": "# Rules\n\nOne rule.\n"})
        if v["state"] != "published":
            ok("POST", "/api/v1/versions/%d/publish" % v["id"], None)
        call = ok("POST", "/api/v1/processes/ny-review/calls",
                  {"version_id": v["id"], "title": "Comments", "opens_on": "2021-03-01", "closes_on": "2021-03-15"})
        self.assertEqual(call["closes_at"], "2021-03-16T03:59:59Z")
        statement = "Open until 15 March 2021, 23:59 New York time (UTC-4) %s 5 days left" % DASH
        for path in ("/", "/processes/ny-review", "/calls/%d" % call["id"], "/calls/%d/contribute" % call["id"]):
            with self.subTest(path=path):
                self.assertIn(statement, page_text(s.get(path)))
        text = page_text(s.get("/processes/ny-review"))
        self.assertIn("Run by The Review Board. Secretariat: Its office, review@ny.example.", text)


class WhoRunsIt(ServerTestCase):
    SHARED = False
    NOW = "2021-02-01T10:00:00Z"

    def test_the_demo_names_its_body_and_secretariat_on_the_home_and_process_pages(self):
        s = self.fresh_server()
        for path in ("/", "/processes/" + SLUG):
            with self.subTest(path=path):
                text = page_text(s.get(path))
                self.assertIn("Run by The Council Working Group on the GCA.", text)
                self.assertIn("Secretariat: The GCA secretariat, gca-secretariat@gca-demo.example.", text)
        text = page_text(s.get("/processes/" + SLUG))
        self.assertIn("How to take part", text)
        self.assertIn("All interested stakeholders are invited", text, "what is asked: the open call's description")

    def test_the_api_sets_them_escaped_and_audited(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        r = s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"body": "The <b>Board</b>", "secretariat": ""},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["body"], r.json()["secretariat"]), ("The <b>Board</b>", ""))
        page = s.get("/processes/" + SLUG).text
        self.assertIn("Run by The &lt;b&gt;Board&lt;/b&gt;.", page)
        self.assertNotIn("Secretariat: ", page_text(s.get("/processes/" + SLUG)))
        audit = s.send_json("GET", "/api/v1/audit?kind=process.update", token=token).json()["entries"][0]
        self.assertEqual((audit["before"]["body"], audit["after"]["body"]),
                         ("The Council Working Group on the GCA", "The <b>Board</b>"))
        self.assertEqual(audit["after"]["secretariat"], "")
        bad = s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"body": "x" * 301}, token=token)
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(list(bad.json()["error"]["fields"]), ["body"])

    def test_the_back_office_form_sets_them(self):
        s = self.fresh_server()
        s.account_token(SECRETARIAT, password=PASSWORD)
        session = self.login(s, SECRETARIAT)
        form = self.get(s, session, "/office/processes/" + SLUG).text
        self.assertIn('name="body"', form)
        self.assertIn('name="secretariat"', form)
        # the whole form, as a browser sends it: what it shows, with the two new lines
        fields = {m.group(1): html.unescape(m.group(2)) for m in
                  re.finditer(r'<input [^>]*id="f-process-(\w+)"[^>]*value="([^"]*)"', form)}
        fields.update({m.group(1): html.unescape(m.group(2)) for m in
                       re.finditer(r'<textarea id="f-process-(\w+)"[^>]*>([^<]*)</textarea>', form)})
        self.assertEqual(fields["body"], "The Council Working Group on the GCA")
        fields.update(body="The Board", secretariat="Its clerk")
        r = self.post(s, session, "/office/processes/" + SLUG, fields)
        self.assertEqual(r.status, 303, r)
        self.assertIn("Run by The Board. Secretariat: Its clerk.", page_text(s.get("/")))


class SitePages(ServerTestCase):
    NOW = "2021-02-01T10:00:00Z"

    def test_about_and_privacy_answer_with_their_default_text(self):
        about = self.server.get("/about")
        self.assertEqual(about.status, 200, about)
        self.assertIn("<h1>About this site</h1>", about.text)
        self.assertIn("How to take part", page_text(about))
        privacy = self.server.get("/privacy")
        self.assertEqual(privacy.status, 200, privacy)
        text = page_text(privacy).replace(" :", ":")  # "<strong>Anonymous</strong>:"
        self.assertIn("<h1>Privacy notice</h1>", privacy.text)
        for said in ("What is kept", "What is published", "For how long", "Who to ask",
                     "Anonymous: your text and comments are published without your name and organization; your "
                     "category of stakeholder and your country stay public.",
                     "Private: nothing of it is published", "Your e-mail address is never published."):
            self.assertIn(said, text)

    def test_every_page_links_them_in_its_footer(self):
        for path in PAGES:
            with self.subTest(path=path):
                footer = self.server.get(path).text.split('<footer class="site">')[1]
                self.assertIn('<a href="/about">', footer)
                self.assertIn('<a href="/privacy">', footer)

    def test_every_form_links_the_privacy_notice(self):
        for path in ("/calls/1/contribute", "/processes/" + SLUG, "/account/register"):
            with self.subTest(path=path):
                page = self.server.get(path).text
                form = page[page.index('<form method="post" action="%s' % ("/processes/%s/subscribe" % SLUG
                                                                            if path.startswith("/processes") else
                                                                            path)):]
                form = form[:form.index("</form>")]
                self.assertIn('<a href="/privacy">', form)
        again = self.server.post_form("/processes/%s/subscribe" % SLUG, {"email": "not an address"})
        self.assertEqual(again.status, 422, again)
        self.assertIn('<a href="/privacy">', again.text[again.text.index("<form"):])

    def test_the_anonymous_choice_says_category_and_country_stay_public(self):
        page = self.server.get("/calls/1/contribute").text
        choice = re.search(r'<input type="radio" id="f-publication-anonymous"[^>]*>'
                           r'<label for="f-publication-anonymous">([^<]*)</label>'
                           r'<p class="hint" id="([^"]*)">([^<]*)</p>', page)
        self.assertIsNotNone(choice, "the anonymous choice, its label and its hint")
        self.assertEqual(choice.group(1), "Publish it without my name and organization")
        self.assertEqual(choice.group(3), "Your category of stakeholder and your country stay public.")
        self.assertIn('aria-describedby="%s"' % choice.group(2), choice.group(0), "read with the choice")

    def test_the_public_cannot_edit_them(self):
        self.assertIn(self.server.get("/office/pages/privacy").status, (302, 303, 401, 403))
        r = self.server.post_form("/office/pages/privacy", {"markdown": "Mine now"})
        self.assertIn(r.status, (302, 303, 401, 403), r)
        self.assertNotIn("Mine now", self.server.get("/privacy").text)


class SitePageEditing(ServerTestCase):
    SHARED = False
    NOW = "2021-02-01T10:00:00Z"
    HOSTILE = ("## Our rules\n\nWe keep <b>little</b>.<script>alert(1)</script>\n\n"
               "<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) and [ask us](mailto:dpo@gca.example)\n")

    def test_the_secretariat_edits_them_with_csrf_safely_rendered_and_audited(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        session = self.login(s, SECRETARIAT)
        form = self.get(s, session, "/office/pages/privacy")
        self.assertEqual(form.status, 200, form)
        self.assertIn("your category of stakeholder and your country stay public", form.text,
                      "the default text, ready to edit")
        self.assertIn('href="/office/pages/privacy"', self.get(s, session, "/office").text)

        refused = self.post(s, session, "/office/pages/privacy", {"markdown": self.HOSTILE}, csrf=False)
        self.assertEqual(refused.status, 403, refused)
        self.assertNotIn("Our rules", s.get("/privacy").text)

        r = self.post(s, session, "/office/pages/privacy", {"markdown": self.HOSTILE})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/office/pages/privacy?done=saved")
        page = s.get("/privacy").text
        main = page[page.index("<main"):page.index("</main>")]
        self.assertIn("<h2>Our rules</h2>", main)
        self.assertIn('<a href="mailto:dpo@gca.example">ask us</a>', main)
        for bad in ("<script", "onerror", "javascript:", "<b>", "<img"):
            self.assertNotIn(bad, main)
        self.assertIn("<h1>About this site</h1>", s.get("/about").text, "the other page keeps its text")

        entry = s.send_json("GET", "/api/v1/audit?kind=site_page.update", token=token).json()["entries"][0]
        self.assertEqual(entry["object"], "site_page:privacy")
        self.assertTrue(entry["before"]["default"])
        self.assertEqual((entry["after"]["markdown"], entry["after"]["default"]), (self.HOSTILE.strip(), False))

        # The same text again records nothing; an empty one goes back to the default.
        self.assertEqual(self.post(s, session, "/office/pages/privacy", {"markdown": self.HOSTILE}).status, 303)
        self.assertEqual(len(s.send_json("GET", "/api/v1/audit?kind=site_page.update",
                                         token=token).json()["entries"]), 1)
        self.assertEqual(self.post(s, session, "/office/pages/privacy", {"markdown": "  "}).status, 303)
        self.assertIn("What is published", page_text(s.get("/privacy")))

        too_long = self.post(s, session, "/office/pages/about", {"markdown": "x" * 50001})
        self.assertEqual(too_long.status, 422, too_long)
        self.assertIn('id="e-page-markdown"', too_long.text)
        self.assertEqual(self.get(s, session, "/office/pages/nothing").status, 404)
