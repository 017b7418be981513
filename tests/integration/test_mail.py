"""Mail out, against a real SMTP server on loopback (aiosmtpd, run in this
process): the receipt of a contribution, a retry when the SMTP server is
down, no second sending after a restart, a permanent refusal; and following a
process by e-mail — the confirmation link, notices with their own leave link
(List-Unsubscribe, RFC 8058 one-click), the "about to close" notice once per
call, and leaving by POST only.

aiosmtpd is Debian's python3-aiosmtpd (scripts/setup.sh installs it); run.py
re-runs itself with /usr/bin/python3 when the python3 it was started with
lacks it. Without it these tests fail: they would prove nothing by passing."""

import datetime
import email
import email.policy
import email.utils
import re
import sqlite3
import harness
import threading
import time
import urllib.parse

from harness import CALL1_OPEN, SLUG, ServerTestCase, contribution, free_port

try:
    from aiosmtpd.controller import Controller
except ImportError:  # reported by each test (see Sink)
    Controller = None

MAIL_TIMEOUT = 20   # seconds a mail may take to arrive (the first retry comes after 5)
QUIET = 3           # seconds to wait for a mail that must not come (the sender looks every second)
SECRETARIAT = "sec@gca.example"
REASON = "Several Member States asked for more time."
EXTENDED = "Deadline extended"  # the subject of call_change's notice of a later deadline
CLOSING_NOW = "2021-02-14T12:00:00Z"  # 35 hours before call 1's last second, 2021-02-15T22:59:59Z


class Sink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it accepts; addresses in
    `refuse` are refused at RCPT with 550 (a permanent failure)."""

    def __init__(self, port=None, refuse=()):
        if Controller is None:
            raise AssertionError("aiosmtpd is not importable: install python3-aiosmtpd (scripts/setup.sh)")
        self.port = port or free_port()
        self.refuse = set(refuse)
        self.lock = threading.Lock()
        self.received = []  # (mail_from, [rcpt], email.message.EmailMessage, raw bytes)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), msg, raw))
        return "250 2.0.0 Accepted"

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def mails(self, to=None, subject=None):
        """The messages received so far, oldest first (to: only those for this address; subject: a substring)."""
        with self.lock:
            got = list(self.received)
        return [m for m in got if (to is None or m[1] == [to]) and (subject is None or subject in m[2]["Subject"])]

    def wait(self, count, to=None, subject=None, timeout=MAIL_TIMEOUT):
        """Waits (bounded) until at least count messages match; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.mails(to, subject)
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                raise AssertionError("%d mail(s)%s%s expected within %ds, %d came: %r" % (
                    count, " to " + to if to else "", " about " + subject if subject else "", timeout, len(got),
                    [(m[1], m[2]["Subject"]) for m in self.mails()]))
            time.sleep(0.1)


def outbox_rows(server):
    with harness.connect(server.db, timeout=10) as db:
        return db.execute("SELECT id, kind, recipient, message_id, attempts, sent_at, failed_at, last_error "
                          "FROM outbox ORDER BY id").fetchall()


def link(msg, path):
    """The path and query of the first link to path in the message's text (for this server's port)."""
    body = msg.get_content()
    m = re.search(r"http://\S+?(%s\?token=[A-Za-z0-9_-]{43})" % re.escape(path), body)
    assert m, "no %s link in:\n%s" % (path, body)
    return m.group(1)


def wait_for_log(server, pattern, timeout=MAIL_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not re.search(pattern, server.log()):
        if time.monotonic() > deadline:
            raise AssertionError("no log line matching %r within %ds:\n%s" % (pattern, timeout, server.log()[-3000:]))
        time.sleep(0.1)


class MailTestCase(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def sink(self, **kw):
        s = Sink(**kw).start()
        self.addCleanup(s.stop)
        return s

    def mailing_server(self, sink_or_port, now=None):
        port = sink_or_port if isinstance(sink_or_port, int) else sink_or_port.port
        return self.fresh_server(now=now, serve_args=["--smtp", "smtp://127.0.0.1:%d" % port])


class Receipts(MailTestCase):

    def test_a_contribution_sends_exactly_one_receipt(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        r = s.post_json("/api/v1/calls/1/contributions",
                        contribution(name="Zo\u00eb \u00c5ngstr\u00f6m", email="zoe@example.org"))
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]

        mail_from, rcpt, msg, raw = sink.wait(1)[0]
        time.sleep(QUIET)
        self.assertEqual(len(sink.mails()), 1, "exactly one mail")
        self.assertEqual((mail_from, rcpt), ("consulta@localhost", ["zoe@example.org"]))
        self.assertEqual(msg["To"], "zoe@example.org")
        self.assertEqual(msg["Subject"], "Contribution received: " + tracking)
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        self.assertEqual(email.utils.parsedate_to_datetime(msg["Date"]),
                         datetime.datetime(2021, 2, 1, 10, 0, 0, tzinfo=datetime.timezone.utc), "Date is the clock's now")
        self.assertRegex(msg["Message-ID"], r"^<[0-9a-f]{32}@localhost>$")
        self.assertIsNone(msg["List-Unsubscribe"], "a receipt is no list")
        body = msg.get_content()
        # Greeted by the name, which is a name: one that could carry words of its own (a domain, a link, digits,
        # a sentence) gets the neutral "Hello," (outbox_greeting, test_mail_people.py).
        self.assertTrue(body.startswith("Dear Zo\u00eb \u00c5ngstr\u00f6m,\r\n\r\nA contribution"), body[:80])
        self.assertIn('the call "Written inputs on the revised draft"', body)
        self.assertIn("Tracking number: " + tracking, body)
        self.assertTrue(all(len(line) <= 78 for line in raw.split(b"\r\n")), "lines within the limit")

        rows = outbox_rows(s)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][3], msg["Message-ID"].strip("<>"))
        self.assertEqual((rows[0][4], rows[0][6]), (1, None))
        self.assertIsNotNone(rows[0][5], "marked sent")
        self.assertRegex(s.log(), r"event=mail\.send outbox=1 .*attempt=1 result=sent smtp=250")
        self.assertNotIn("Tracking number", s.log(), "the log never has the message")

    def test_a_server_down_at_first_gets_the_mail_after_a_retry_exactly_once(self):
        port = free_port()  # nothing listens there yet
        s = self.mailing_server(port)
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email="ada@example.org"))
        self.assertEqual(r.status, 201, r)
        wait_for_log(s, r"event=mail\.send outbox=1 .*attempt=1 result=retry smtp=0 retry_in=5")
        row = outbox_rows(s)[0]
        self.assertEqual((row[4], row[5], row[6]), (1, None, None), "one attempt, not sent, not given up")
        self.assertTrue(row[7], "the reason is kept")

        sink = self.sink(port=port)
        began = time.monotonic()
        mails = sink.wait(1)
        self.assertLessEqual(time.monotonic() - began, MAIL_TIMEOUT)
        self.assertEqual(mails[0][1], ["ada@example.org"])
        time.sleep(QUIET)
        self.assertEqual(len(sink.mails()), 1, "exactly once")
        row = outbox_rows(s)[0]
        self.assertEqual(row[4], 2, "sent on the second attempt")
        self.assertIsNotNone(row[5])
        self.assertRegex(s.log(), r"attempt=2 result=sent")

    def test_a_restart_does_not_send_a_sent_mail_again(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        self.assertEqual(s.post_json("/api/v1/calls/1/contributions", contribution()).status, 201)
        sink.wait(1)
        self.assertIsNone(s.stop())
        s.start()
        s.post_json("/api/v1/calls/1/contributions", contribution(email="second@example.org"))
        sink.wait(1, to="second@example.org")  # the restarted sender works...
        time.sleep(QUIET)
        self.assertEqual([m[1] for m in sink.mails()], [["ada@example.org"], ["second@example.org"]],
                         "...and did not send the first mail again")
        self.assertNotIn("outbox=1 ", s.log())

    def test_a_permanent_refusal_is_not_retried(self):
        sink = self.sink(refuse={"nobody@example.org"})
        s = self.mailing_server(sink)
        self.assertEqual(s.post_json("/api/v1/calls/1/contributions", contribution(email="nobody@example.org")).status,
                         201)
        wait_for_log(s, r"outbox=1 .*attempt=1 result=failed smtp=550")
        s.post_json("/api/v1/calls/1/contributions", contribution(email="somebody@example.org"))
        sink.wait(1, to="somebody@example.org")
        row = outbox_rows(s)[0]
        self.assertEqual((row[2], row[4], row[5]), ("nobody@example.org", 1, None))
        self.assertIsNotNone(row[6], "given up")
        self.assertIn("550", row[7])
        time.sleep(6)  # past the time of a first retry (5 s): there is none
        self.assertEqual(outbox_rows(s)[0][4], 1, "no second attempt")
        self.assertEqual(sink.mails(to="nobody@example.org"), [])

    def test_without_smtp_mail_is_queued_not_sent(self):
        s = self.fresh_server()
        self.assertEqual(s.post_json("/api/v1/calls/1/contributions", contribution()).status, 201)
        time.sleep(QUIET - 1)
        rows = outbox_rows(s)
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0][1], rows[0][4], rows[0][5]), ("receipt", 0, None))
        self.assertNotIn("event=mail.send", s.log())


class Subscriptions(MailTestCase):

    def subscribe(self, s, sink, address):
        """Asks to follow the demo process through the API and opens the confirmation link; returns that mail."""
        r = s.post_json("/api/v1/subscriptions", {"email": address, "process": SLUG})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json(), {"status": "pending"})
        msg = sink.wait(1, to=address, subject="Confirm")[-1][2]
        page = s.get(link(msg, "/subscriptions/confirm"))
        self.assertEqual(page.status, 200, page)
        self.assertIn("You follow this consultation", page.text)
        return msg

    def extend(self, s, token, closes_on):
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": closes_on, "reason": REASON}, token=token)
        self.assertEqual(r.status, 200, r)

    def audit(self, s, token):
        r = s.send_json("GET", "/api/v1/audit?kind=subscription.", token=token)
        self.assertEqual(r.status, 200, r)
        return r

    def test_subscribe_confirm_notice_and_leave_by_post_only(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        token = s.account_token(SECRETARIAT)

        # Asked but not confirmed: no notice.
        self.assertEqual(s.post_json("/api/v1/subscriptions", {"email": "pending@example.org", "process": SLUG}).status,
                         202)
        confirm = sink.wait(1, to="pending@example.org")[0][2]
        self.assertIn("Confirm", confirm["Subject"])
        self.assertEqual(confirm["Auto-Submitted"], "auto-generated")
        self.assertIsNone(confirm["List-Unsubscribe"])

        grace = self.subscribe(s, sink, "grace@example.org")
        self.assertEqual(s.get(link(grace, "/subscriptions/confirm")).status, 200, "a second click is fine")
        self.subscribe(s, sink, "alan@example.org")

        self.extend(s, token, "2021-03-01")
        notice = sink.wait(1, to="grace@example.org", subject=EXTENDED)[0][2]
        sink.wait(1, to="alan@example.org", subject=EXTENDED)
        self.assertEqual(notice["Subject"], EXTENDED + ": Written inputs on the revised draft")
        self.assertEqual(notice["Auto-Submitted"], "auto-generated")
        leave = link(notice, "/subscriptions/leave")
        self.assertEqual(notice["List-Unsubscribe"], "<http://127.0.0.1:8080%s>" % leave, "the same link as the body")
        self.assertEqual(notice["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        alan_leave = link(sink.mails(to="alan@example.org")[-1][2], "/subscriptions/leave")
        self.assertNotEqual(leave, alan_leave, "each subscriber has a leave link of their own")
        self.assertIn("1 March 2021", notice.get_content())

        # Opening the leave link (as a mail scanner would) only shows a button.
        page = s.get(leave)
        self.assertEqual(page.status, 200, page)
        self.assertIn("Stop following", page.text)
        self.assertIn('method="post" action="/subscriptions/leave?token=%s"'
                      % urllib.parse.quote(leave.split("token=")[1], safe=""), page.text)
        self.extend(s, token, "2021-03-02")
        sink.wait(2, to="grace@example.org", subject=EXTENDED)  # still subscribed after the GET

        # The mail program's one-click POST (RFC 8058): no cookie, no CSRF token.
        r = s.request("POST", leave, body=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        self.assertIn("You no longer follow this consultation", r.text)
        self.assertEqual(s.request("POST", leave, body=b"List-Unsubscribe=One-Click",
                                   headers={"Content-Type": "application/x-www-form-urlencoded"}).status, 200,
                         "leaving twice is fine")
        self.assertIn("no longer follow", s.get(leave).text)

        before = len(sink.mails(to="grace@example.org"))
        self.extend(s, token, "2021-03-03")
        sink.wait(3, to="alan@example.org", subject=EXTENDED)
        time.sleep(QUIET)
        self.assertEqual(len(sink.mails(to="grace@example.org")), before, "no notice after leaving")
        self.assertEqual(sink.mails(to="pending@example.org", subject=EXTENDED), [], "none before confirming")

        audit = self.audit(s, token)
        kinds = sorted(x["kind"] for x in audit.json()["entries"])
        self.assertEqual(kinds, ["subscription.confirm"] * 2 + ["subscription.leave"] + ["subscription.request"] * 3)
        self.assertTrue(all(x["actor"] == "public" for x in audit.json()["entries"]))
        for t in re.findall(r"token=([A-Za-z0-9_-]{43})", "".join(m[3].decode() for m in sink.mails())):
            self.assertNotIn(t, audit.text, "no token in the audit log")

    def test_a_call_about_to_close_is_noticed_once_even_after_a_restart(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        self.subscribe(s, sink, "grace@example.org")
        self.assertIsNone(s.stop())

        s.start(now=CLOSING_NOW)
        notice = sink.wait(1, to="grace@example.org", subject="Closing soon")[0][2]
        self.assertEqual(notice["Subject"], "Closing soon: Written inputs on the revised draft")
        body = notice.get_content()
        self.assertIn("Open until 15 February 2021, 23:59 Zurich time (UTC+1) \u2014 1 day left", body)
        self.assertIn("/calls/1/contribute", body)
        self.assertIn("/subscriptions/leave?token=", notice["List-Unsubscribe"])
        time.sleep(QUIET)
        self.assertIsNone(s.stop())

        s.start(now="2021-02-15T12:00:00Z")
        time.sleep(QUIET)
        self.assertEqual(len(sink.mails(subject="Closing soon")), 1, "once per call, restarts included")
        with harness.connect(s.db, timeout=10) as db:
            self.assertEqual(db.execute("SELECT id, closing_notice_sent FROM call ORDER BY id").fetchall(),
                             [(1, 1), (2, 0)])

        # A new deadline gets its own notice: the first one named the old deadline.
        token = s.account_token(SECRETARIAT)
        self.extend(s, token, "2021-02-16")
        later = sink.wait(2, to="grace@example.org", subject="Closing soon")[1][2]
        self.assertIn("Open until 16 February 2021, 23:59 Zurich time (UTC+1) \u2014 1 day left", later.get_content())

        # Its leave link works like any other.
        leave = link(notice, "/subscriptions/leave")
        r = s.request("POST", leave, body=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        with harness.connect(s.db, timeout=10) as db:
            self.assertIsNotNone(db.execute("SELECT left_at FROM subscription").fetchone()[0])

    def test_asking_again_sends_nothing_new_to_a_follower_but_answers_the_same(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        self.subscribe(s, sink, "grace@example.org")
        r = s.post_json("/api/v1/subscriptions", {"email": "GRACE@example.org", "process": SLUG})
        self.assertEqual((r.status, r.json()), (202, {"status": "pending"}))
        page = s.post_form("/processes/%s/subscribe" % SLUG, {"email": "grace@example.org"})
        self.assertEqual(page.status, 200, page)
        self.assertIn("Check your mailbox", page.text)
        time.sleep(QUIET)
        self.assertEqual(len(sink.mails(to="grace@example.org")), 1, "only the first confirmation")

        # A pending one asked again gets a new link; the old one no longer works.
        s.post_json("/api/v1/subscriptions", {"email": "ada@example.org", "process": SLUG})
        first = link(sink.wait(1, to="ada@example.org")[0][2], "/subscriptions/confirm")
        page = s.post_form("/processes/%s/subscribe" % SLUG, {"email": "ada@example.org"})
        self.assertIn("Check your mailbox", page.text)
        second = link(sink.wait(2, to="ada@example.org")[1][2], "/subscriptions/confirm")
        self.assertNotEqual(first, second)
        self.assertEqual(s.get(first).status, 404)
        self.assertEqual(s.get(second).status, 200)

    def test_the_process_page_has_the_follow_form_and_its_answer(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        page = s.get("/processes/" + SLUG)
        self.assertEqual(page.status, 200)
        form = re.search(r'<section aria-labelledby="follow".*?</section>', page.text, re.S)
        self.assertTrue(form, "a Follow section")
        self.assertIn('action="/processes/%s/subscribe"' % SLUG, form.group(0))
        self.assertRegex(form.group(0), r'<input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">')
        self.assertIn('<label for="f-email">E-mail address</label>', form.group(0))

        self.assertEqual(s.post_form("/processes/%s/subscribe" % SLUG, {"email": "ada@example.org"}, csrf=False).status,
                         403, "the form needs its CSRF token")
        r = s.post_form("/processes/%s/subscribe" % SLUG, {"email": "ada@example.org"})
        self.assertEqual(r.status, 200, r)
        self.assertIn("Check your mailbox", r.text)
        msg = sink.wait(1, to="ada@example.org")[0][2]
        self.assertIn("Draft Guidelines for utilization of the GCA", msg.get_content())

        bad = s.post_form("/processes/%s/subscribe" % SLUG, {"email": "not an address"})
        self.assertEqual(bad.status, 422, bad)
        self.assertIn("does not look like an e-mail address", bad.text)
        self.assertIn('value="not an address"', bad.text)
        self.assertEqual(s.post_form("/processes/nothing/subscribe", {"email": "ada@example.org"}).status, 404)

    def test_links_that_are_not_valid(self):
        s = self.fresh_server()
        for path in ("/subscriptions/confirm", "/subscriptions/confirm?token=x",
                     "/subscriptions/confirm?token=" + "A" * 43, "/subscriptions/leave?token=" + "A" * 43):
            with self.subTest(path=path):
                r = s.get(path)
                self.assertEqual(r.status, 404, r)
                self.assertIn("not valid", r.text)
        r = s.request("POST", "/subscriptions/leave?token=" + "A" * 43, body=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 404, r)

    def test_an_expired_confirmation_link(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        s.post_json("/api/v1/subscriptions", {"email": "ada@example.org", "process": SLUG})
        confirm = link(sink.wait(1)[0][2], "/subscriptions/confirm")
        self.assertIsNone(s.stop())
        s.start(now="2021-02-09T10:00:01Z")  # 8 days later: the link worked for 7
        r = s.get(confirm)
        self.assertEqual(r.status, 404, r)
        self.assertIn("expired", r.text)

    def test_bad_requests_are_refused_with_their_fields(self):
        s = self.fresh_server()
        cases = [
            ({"email": "not an address", "process": SLUG}, {"email"}),
            ({"email": "ada@example.org", "process": "nothing"}, {"process"}),
            ({"email": "ada@", "process": "nothing"}, {"email", "process"}),
            ({"process": SLUG}, {"email"}),
            ({"email": "ada@example.org"}, {"process"}),
            ({"email": 42, "process": SLUG}, {"email"}),
        ]
        for body, fields in cases:
            with self.subTest(body=body):
                self.assertErrorShape(s.post_json("/api/v1/subscriptions", body), 422, "invalid", fields)
        self.assertErrorShape(s.post_json("/api/v1/subscriptions", b"[1]"), 400, "bad_request")
        self.assertErrorShape(s.request("POST", "/api/v1/subscriptions", body=b"email=a",
                                        headers={"Content-Type": "text/plain"}), 415)
        with harness.connect(s.db, timeout=10) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM subscription").fetchone()[0], 0)
        self.assertEqual([r for r in outbox_rows(s) if r[1] == "subscription"], [])
