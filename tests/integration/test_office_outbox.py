"""The office's outbox (/office/outbox) and the mail a demo user meets.

The secretariat lists every mail with its addressee, subject, language and state (queued, sent, failed with the
SMTP server's error, the attempts and the next one), filters by state, reads one mail as composed (escaped: a
subject with markup shows as text) with the links that act as the addressee masked (a confirmation's, a
reset's), and makes a failed mail due again, which the sender then delivers. The public is sent to log in and a
stakeholder is refused. `serve --mail-dir DIR` (what `make run` does) writes each mail to DIR/new/*.eml instead
of sending it, From the address --mail-from sets, its Message-ID in the same domain."""

import email
import email.policy
import glob
import html
import os
import re
import signal
import subprocess
import tempfile
import time

import harness
from harness import CALL1_OPEN, SLUG, ServerTestCase, contribution, page_text
from test_mail import Sink

SECRETARIAT = "sec@gca.example"
STAKEHOLDER = "ada@example.org"
PASSWORD = "a long passphrase for the tests"
REFUSED = "nobody@bounce.example"
WAIT = 30


class OfficeOutbox(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def sink(self, **kw):
        sink = Sink(**kw).start()
        self.addCleanup(sink.stop)
        return sink

    def wait_state(self, s, recipient, sql_state):
        deadline = time.monotonic() + WAIT
        while True:
            rows = s.query("SELECT id FROM outbox WHERE recipient = ? AND " + sql_state, (recipient,))
            if rows:
                return rows[0][0]
            if time.monotonic() > deadline:
                self.fail("no mail to %s with %s: %r" % (recipient, sql_state, s.query(
                    "SELECT recipient, attempts, sent_at, failed_at, last_error FROM outbox")))
            time.sleep(0.1)

    def test_states_filter_error_and_retry(self):
        sink = self.sink(refuse={REFUSED})
        s = self.fresh_server(serve_args=["--smtp", sink.url])
        s.account_token(SECRETARIAT, password=PASSWORD)
        session = self.login(s, SECRETARIAT)
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email="zoe@example.org"))
        self.assertEqual(r.status, 201, r)
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email=REFUSED))
        self.assertEqual(r.status, 201, r)
        sent = self.wait_state(s, "zoe@example.org", "sent_at IS NOT NULL")
        failed = self.wait_state(s, REFUSED, "failed_at IS NOT NULL")

        page = self.get(s, session, "/office/outbox")
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        self.assertIn('<a href="/office/outbox/%d">Contribution received: ' % sent, page.text)
        self.assertIn("zoe@example.org", text)
        self.assertIn(REFUSED, text)
        self.assertIn("Receipt of a contribution", text)
        self.assertIn('<span lang="en">English</span>', page.text)
        row = re.search(r'<tr id="m-%d">(.*?)</tr>' % failed, page.text, re.S).group(1)
        self.assertIn('class="state state-failed">Failed</span>', row)
        self.assertIn("Tried 1 time", page_text(type("R", (), {"text": row})))
        self.assertIn("550", row, "the SMTP server's refusal is shown")
        row = re.search(r'<tr id="m-%d">(.*?)</tr>' % sent, page.text, re.S).group(1)
        self.assertIn('class="state state-sent">Sent</span>', row)

        only_failed = self.get(s, session, "/office/outbox?state=failed")
        self.assertEqual(only_failed.status, 200)
        self.assertIn('id="m-%d"' % failed, only_failed.text)
        self.assertNotIn('id="m-%d"' % sent, only_failed.text)
        self.assertIn('<a href="/office/outbox?state=failed" aria-current="page">', only_failed.text)
        only_sent = self.get(s, session, "/office/outbox?state=sent")
        self.assertIn('id="m-%d"' % sent, only_sent.text)
        self.assertNotIn('id="m-%d"' % failed, only_sent.text)
        self.assertIn("No mail here.", self.get(s, session, "/office/outbox?state=queued").text)

        one = self.get(s, session, "/office/outbox/%d" % failed)
        self.assertEqual(one.status, 200, one)
        self.assertIn("To: %s" % REFUSED, html.unescape(one.text))
        self.assertIn("A contribution to the call", html.unescape(one.text), "the text decoded")
        self.assertIn("Try to send it again", one.text)
        self.assertNotIn("Try to send it", self.get(s, session, "/office/outbox/%d" % sent).text)

        # a sent mail is not sent again; a failed one is, once the server takes it
        self.assertEqual(self.post(s, session, "/office/outbox/%d/retry" % sent).status, 409)
        sink.refuse.clear()
        r = self.post(s, session, "/office/outbox/%d/retry" % failed)
        self.assertEqual((r.status, r.header("Location")), (303, "/office/outbox/%d?done=retry" % failed))
        sink.wait(1, to=REFUSED)
        self.wait_state(s, REFUSED, "sent_at IS NOT NULL AND attempts = 2")
        audit = s.query("SELECT kind, object FROM audit WHERE kind = 'outbox.retry'")
        self.assertEqual([tuple(x) for x in audit], [("outbox.retry", "outbox:%d" % failed)])
        self.assertEqual(self.get(s, session, "/office/outbox/999999").status, 404)

    def test_links_that_act_as_the_addressee_are_masked_and_text_escaped(self):
        s = self.fresh_server()  # no --smtp: mail stays queued
        s.account_token(SECRETARIAT, password=PASSWORD)
        session = self.login(s, SECRETARIAT)
        r = s.post_form("/account/register", {"name": "Ada <b>Lovelace</b>", "organization": "Analytical Society",
                                               "category": "academia", "country": "GB",
                                               "email": "ada.new@example.org", "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        (mail_id, message), = s.query("SELECT id, message FROM outbox WHERE recipient = 'ada.new@example.org'")
        text = email.message_from_string(message, policy=email.policy.default).get_body(("plain",)).get_content()
        self.assertRegex(text, r"token=[A-Za-z0-9_-]{43}", "the mail itself carries the link")
        token = re.search(r"token=([A-Za-z0-9_-]{43})", text).group(1)
        listed = self.get(s, session, "/office/outbox?state=queued")
        self.assertIn('id="m-%d"' % mail_id, listed.text)
        self.assertIn("Confirmation of an account", listed.text)
        one = self.get(s, session, "/office/outbox/%d" % mail_id)
        self.assertEqual(one.status, 200, one)
        self.assertNotIn(token, one.text)
        self.assertIn("/account/confirm?token=\u2026", one.text)
        self.assertIn('id="masked"', one.text)
        self.assertNotIn("<b>Lovelace</b>", one.text, "what a mail says is shown as text")
        self.assertIn("Try to send it now", one.text)

    def test_a_mails_files_are_listed_by_name_type_and_size_not_their_bytes(self):
        s = self.fresh_server()  # no --smtp: mail stays queued
        office = s.account_token(SECRETARIAT, password=PASSWORD)
        session = self.login(s, SECRETARIAT)
        r = s.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                        {"date": "2021-02-10", "title": "Meeting with a calendar file", "starts": "14:00",
                         "ends": "16:00", "join_url": "https://meet.example.org/gca", "room": "Room B-12"},
                        token=office)
        self.assertEqual(r.status, 201, r)
        r = s.send_json("POST", "/api/v1/meetings/%d/registrations" % r.json()["id"], token=office)
        self.assertEqual(r.status, 201, r)
        (mail_id, message), = s.query("SELECT id, message FROM outbox WHERE kind = 'meeting'")
        (name, kind, size), = s.query("SELECT f.filename, f.content_type, b.size FROM outbox_attachment f "
                                      "JOIN blob b ON b.sha256 = f.blob WHERE f.outbox_id = ?", (mail_id,))
        self.assertTrue(name.endswith(".ics"), name)
        one = self.get(s, session, "/office/outbox/%d" % mail_id)
        self.assertEqual(one.status, 200, one)
        listed = re.sub(r"\( | (?=[,)])", lambda m: m.group(0).strip(), page_text(one))
        self.assertIn("Files %s (%s, %d bytes)" % (name, kind, size) if size < 1024 else
                      "Files %s (%s, %.1f KB (%d bytes))" % (name, kind, size / 1024, size), listed)
        self.assertNotIn("BEGIN:VCALENDAR", one.text, "the file's bytes are not shown")

    def test_the_pages_are_the_secretariats_only(self):
        s = self.fresh_server()
        s.account_token(SECRETARIAT, password=PASSWORD)
        s.account_token(STAKEHOLDER, role="stakeholder", password=PASSWORD)
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email="zoe@example.org"))
        self.assertEqual(r.status, 201, r)
        (mail_id,), = s.query("SELECT id FROM outbox WHERE recipient = 'zoe@example.org'")
        session, stakeholder = self.login(s, SECRETARIAT), self.login(s, STAKEHOLDER)
        self.assertIn('<a href="/office/outbox">', self.get(s, session, "/office").text)
        for path in ("/office/outbox", "/office/outbox/%d" % mail_id):
            with self.subTest(path=path):
                self.assertEqual(self.get(s, session, path).status, 200)
                public = s.get(path)
                self.assertEqual((public.status, public.header("Location")), (303, "/login?next=" + path))
                self.assertEqual(self.get(s, stakeholder, path).status, 403)
        path = "/office/outbox/%d/retry" % mail_id
        self.assertEqual(self.post(s, stakeholder, path).status, 403)
        self.assertEqual(s.post_form(path, {}).status, 401)
        self.assertEqual(self.post(s, session, path, csrf=False).status, 403, "no CSRF token, no change")


class MailDirectory(ServerTestCase):
    """What `make run` does with the demo's mail: a Maildir a person opens with any mail client."""
    SHARED = False
    NOW = CALL1_OPEN

    def test_mail_is_written_to_the_directory_from_the_set_address(self):
        folder = tempfile.mkdtemp(prefix="consulta-maildir-")
        self.addCleanup(lambda: [os.unlink(f) for f in glob.glob(os.path.join(folder, "*", "*"))])
        s = self.fresh_server(global_args=["--mail-from", "consultation@gca-demo.example"],
                              serve_args=["--mail-dir", folder])
        r = s.post_form("/account/register", {"name": "Ada Lovelace", "organization": "Analytical Society",
                                               "category": "academia", "country": "GB",
                                               "email": "ada.dir@example.org", "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        deadline = time.monotonic() + WAIT
        while not glob.glob(os.path.join(folder, "new", "*.eml")):
            self.assertLess(time.monotonic(), deadline, "no mail in %s/new" % folder)
            time.sleep(0.1)
        for sub in ("tmp", "new", "cur"):
            self.assertTrue(os.path.isdir(os.path.join(folder, sub)), sub)
        self.assertEqual(os.listdir(os.path.join(folder, "tmp")), [])
        path, = glob.glob(os.path.join(folder, "new", "*.eml"))
        raw = open(path, "rb").read()
        self.assertNotIn(b"\r\n", raw, "a Maildir's line ends are LF")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["To"], "ada.dir@example.org")
        self.assertEqual(msg["From"].addresses[0].addr_spec, "consultation@gca-demo.example")
        self.assertTrue(msg["Message-ID"].strip("<>").endswith("@gca-demo.example"), msg["Message-ID"])
        self.assertRegex(msg.get_body(("plain",)).get_content(), r"/account/confirm\?token=[A-Za-z0-9_-]{43}")
        self.assertEqual(s.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0], 0,
                         "each mail written is marked sent")

    def test_send_mail_alone_writes_to_the_directory(self):
        """`consulta send-mail --mail-dir DIR`: the sender as a unit of its own, writing the Maildir as serve does."""
        folder = tempfile.mkdtemp(prefix="consulta-maildir-")
        self.addCleanup(lambda: [os.unlink(f) for f in glob.glob(os.path.join(folder, "*", "*"))])
        s = self.fresh_server()  # queues only: without --smtp or --mail-dir nothing is sent
        r = s.post_form("/account/register", {"name": "Ada Lovelace", "organization": "Analytical Society",
                                               "category": "academia", "country": "GB",
                                               "email": "ada.alone@example.org", "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(s.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0], 1)
        env = dict(os.environ, CONSULTA_NOW=CALL1_OPEN)
        bad = subprocess.run([harness.binary(), "--db", harness.db_url(s.db), "send-mail", "--mail-dir", folder,
                              "--smtp", "smtp://127.0.0.1:1"], capture_output=True, env=env, timeout=WAIT)
        self.assertEqual(bad.returncode, 2, "one way out, not both")
        self.assertIn(b"choose one", bad.stderr)
        sender = subprocess.Popen([harness.binary(), "--db", harness.db_url(s.db), "send-mail", "--mail-dir", folder],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                  preexec_fn=harness._die_with_the_runner)
        try:
            self.assertEqual(sender.stdout.readline().decode(), "writing mail to the Maildir %s\n" % folder)
            deadline = time.monotonic() + WAIT
            while not glob.glob(os.path.join(folder, "new", "*.eml")):
                self.assertLess(time.monotonic(), deadline, "no mail in %s/new" % folder)
                time.sleep(0.1)
        finally:
            sender.send_signal(signal.SIGTERM)
            _, err = sender.communicate(timeout=WAIT)
        self.assertEqual(sender.returncode, 0, err)
        self.assertIsNone(harness.sanitizer_report(err.decode("utf-8", "replace")))
        path, = glob.glob(os.path.join(folder, "new", "*.eml"))
        msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
        self.assertEqual(msg["To"], "ada.alone@example.org")
        self.assertEqual(s.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0], 0)
