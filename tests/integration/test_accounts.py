"""Accounts: registration with a confirmation link, log in and out, sessions
that cannot be fixed by an attacker, the slow-down of failed logins, password
reset, the prefilled form and "My contributions", and the command line's
users and API tokens."""

import email
import email.policy
import re
import sqlite3
import harness

from harness import CALL1_OPEN, ServerTestCase, link_in, run_command

PASSWORD = "correct horse battery staple"


def outbox(server, kind=None):
    """The mails queued in the server's outbox (oldest first), as email.message objects."""
    with harness.connect(server.db, timeout=10) as db:
        rows = db.execute("SELECT kind, recipient, message FROM outbox ORDER BY id").fetchall()
    return [(k, to, email.message_from_string(m, policy=email.policy.default)) for k, to, m in rows
            if kind is None or k == kind]


def session_cookie(r):
    for name, value in r.headers.items():
        if name.lower() == "set-cookie" and value.startswith("consulta_session="):
            return value
    return None


class Accounts(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def register(self, s, mail="ada@example.org", **fields):
        form = {"name": "Ada Lovelace", "organization": "Analytical Society", "category": "academia",
                "country": "GB", "email": mail, "password": PASSWORD}
        form.update(fields)
        return s.post_form("/account/register", form)

    def login(self, s, mail="ada@example.org", password=PASSWORD, cookie=None):
        headers = {}
        if cookie:
            headers["Cookie"] = "consulta_csrf=" + "T" * 43 + "; consulta_session=" + cookie
        return s.post_form("/login", {"email": mail, "password": password, "next": "/account"}, headers=headers)

    def as_user(self, s, cookie_header, path):
        value = cookie_header.split(";")[0].split("=", 1)[1]
        return s.get(path, headers={"Cookie": "consulta_session=" + value})

    def test_register_confirm_login_logout(self):
        s = self.fresh_server()
        r = self.register(s)
        self.assertEqual(r.status, 201, r)
        self.assertIn("Check your mailbox", r.text)
        mails = outbox(s, "confirm")
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails[0][1], "ada@example.org")
        link = link_in(mails[0][2], "/account/confirm")
        self.assertEqual(s.get(link).status, 200)
        again = s.get(link)
        self.assertEqual(again.status, 404, "a confirmation link works once")
        self.assertIn("already used", again.text)

        r = self.login(s)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/account")
        cookie = session_cookie(r)
        self.assertRegex(cookie, r"^consulta_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=\d+; HttpOnly; SameSite=Lax$")
        page = self.as_user(s, cookie, "/account")
        self.assertEqual(page.status, 200)
        self.assertIn("Ada Lovelace", page.text)

        value = cookie.split(";")[0].split("=", 1)[1]
        out = s.post_form("/logout", {}, headers={"Cookie": "consulta_csrf=" + "T" * 43 + "; consulta_session=" + value})
        self.assertEqual(out.status, 303)
        after = self.as_user(s, cookie, "/account")
        self.assertEqual(after.status, 303, "a session that logged out opens nothing")
        self.assertTrue(after.header("Location").startswith("/login"))

    def test_registration_errors_are_per_field_and_keep_the_input(self):
        s = self.fresh_server()
        r = self.register(s, mail="not-an-address", password="short", name="")
        self.assertEqual(r.status, 422, r)
        for field in ("email", "password", "name"):
            self.assertIn('id="e-%s"' % field, r.text)
        self.assertIn('value="Analytical Society"', r.text)
        self.assertNotIn("short", r.text, "a password is never sent back")
        self.assertEqual(outbox(s, "confirm"), [])
        self.assertEqual(self.register(s).status, 201)
        dup = self.register(s, mail="ADA@example.org")
        self.assertEqual(dup.status, 201, "the same answer as for a new address (see test_abuse.SameAnswer)")
        self.assertEqual(len(outbox(s, "confirm")), 1, "but no second account")
        self.assertEqual(len(outbox(s, "account")), 1, "its owner is told instead")

    def test_a_session_chosen_by_someone_else_is_never_adopted(self):
        s = self.fresh_server()
        self.register(s)
        planted = "A" * 43
        r = self.login(s, cookie=planted)
        self.assertEqual(r.status, 303)
        cookie = session_cookie(r)
        self.assertNotIn(planted, cookie)
        self.assertEqual(s.get("/account", headers={"Cookie": "consulta_session=" + planted}).status, 303)

    def test_wrong_password_and_unknown_address_answer_alike(self):
        s = self.fresh_server()
        self.register(s)
        wrong = self.login(s, password="not the password")
        unknown = self.login(s, mail="nobody@example.org")
        self.assertEqual((wrong.status, unknown.status), (401, 401))
        self.assertIn("is not right", wrong.text)
        self.assertIn("is not right", unknown.text)

    def test_failed_logins_slow_down_per_account_then_time_lets_it_in(self):
        s = self.fresh_server()
        self.register(s)
        for _ in range(5):
            self.assertEqual(self.login(s, password="wrong password!").status, 401)
        r = self.login(s)  # even the right password waits now
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.header("Retry-After"), "1")
        self.assertIn("Too many failed attempts", r.text)
        # Two seconds later (the clock is the test's) the right password works again.
        s.stop()
        s.start(now="2021-02-01T10:00:02Z")
        self.assertEqual(self.login(s).status, 303)

    def test_failed_logins_slow_down_per_address_across_accounts(self):
        s = self.fresh_server()
        self.register(s)
        for i in range(20):
            self.assertEqual(self.login(s, mail="guess%d@example.org" % i).status, 401)
        self.assertEqual(self.login(s).status, 429)

    def test_password_reset_ends_sessions_and_changes_the_password(self):
        s = self.fresh_server()
        self.register(s)
        old = session_cookie(self.login(s))
        r = s.post_form("/account/reset-request", {"email": "ada@example.org"})
        self.assertEqual(r.status, 200)
        nobody = s.post_form("/account/reset-request", {"email": "nobody@example.org"})
        self.assertEqual(nobody.status, 200, "the same answer for an address without account")
        mails = outbox(s, "reset")
        self.assertEqual([to for _, to, _ in mails], ["ada@example.org"])
        token = link_in(mails[0][2], "/account/reset").split("token=")[1]
        self.assertEqual(s.post_form("/account/reset", {"token": token, "password": "short"}).status, 422)
        r = s.post_form("/account/reset", {"token": token, "password": "a brand new passphrase"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.as_user(s, old, "/account").status, 303, "old sessions ended")
        self.assertEqual(self.login(s).status, 401)
        self.assertEqual(self.login(s, password="a brand new passphrase").status, 303)
        self.assertEqual(s.post_form("/account/reset", {"token": token, "password": "yet another one!"}).status, 404)

    def test_logged_in_form_is_prefilled_and_receipts_are_listed(self):
        s = self.fresh_server()
        self.register(s)
        cookie = session_cookie(self.login(s))
        form = self.as_user(s, cookie, "/calls/1/contribute")
        self.assertIn('value="Ada Lovelace"', form.text)
        self.assertIn('value="ada@example.org"', form.text)
        self.assertIn('<option value="academia" selected>', form.text)
        self.assertIn('<option value="GB" selected>', form.text)
        value = cookie.split(";")[0].split("=", 1)[1]
        sent = s.post_form("/calls/1/contribute",
                           {"name": "Ada Lovelace", "category": "academia", "country": "GB",
                            "email": "ada@example.org", "text": "Mine.", "publication": "named"},
                           headers={"Cookie": "consulta_csrf=" + "T" * 43 + "; consulta_session=" + value})
        self.assertEqual(sent.status, 303, sent)
        tracking = sent.header("Location").rsplit("/", 1)[1]
        mine = self.as_user(s, cookie, "/account")
        self.assertIn(tracking, mine.text)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        s = self.fresh_server()
        r = s.get("/account")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/login?next=/account")


class CommandLine(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_user_add_with_a_password_and_a_token_that_can_be_revoked(self):
        s = self.fresh_server()
        import subprocess
        from harness import binary
        p = subprocess.run([binary(), "--db", harness.db_url(s.db), "user", "add", "--role", "secretariat", "--email",
                            "sec@gca.example", "--password-stdin"], input=PASSWORD + "\n", capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("created secretariat account sec@gca.example", p.stdout)
        self.assertEqual(self.login_ok(s, "sec@gca.example"), 303)
        t = run_command(["token", "create", "--email", "sec@gca.example"], db=s.db)
        self.assertEqual(t.returncode, 0, t.stderr)
        token = t.stdout.strip()
        self.assertRegex(token, r"^[A-Za-z0-9_-]{43}$")
        bearer = {"Authorization": "Bearer " + token}
        self.assertEqual(s.get("/account", headers=bearer).status, 200)
        self.assertEqual(s.get("/account", headers={"Authorization": "Bearer " + "x" * 43}).status, 303)
        rv = run_command(["token", "revoke", "--email", "sec@gca.example"], db=s.db)
        self.assertEqual(rv.returncode, 0, rv.stderr)
        self.assertIn("revoked 1 token", rv.stdout)
        self.assertEqual(s.get("/account", headers=bearer).status, 303)

    def login_ok(self, s, mail):
        return s.post_form("/login", {"email": mail, "password": PASSWORD}).status

    def test_user_add_without_a_password_prints_a_link_that_sets_it(self):
        s = self.fresh_server()
        p = run_command(["user", "add", "--role", "secretariat", "--email", "sec@gca.example"], db=s.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.search(r"(/account/reset\?token=[A-Za-z0-9_-]{43})", p.stdout)
        self.assertTrue(m, p.stdout)
        token = m.group(1).split("token=")[1]
        self.assertEqual(s.post_form("/account/reset", {"token": token, "password": PASSWORD}).status, 200)
        self.assertEqual(self.login_ok(s, "sec@gca.example"), 303)

    def test_bad_input_is_refused_with_reasons(self):
        s = self.fresh_server()
        p = run_command(["user", "add", "--email", "not-an-address"], db=s.db)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("email:", p.stderr)
        p = run_command(["user", "add", "--email", "x@example.org", "--role", "king"], db=s.db)
        self.assertEqual(p.returncode, 2)
        p = run_command(["token", "create", "--email", "nobody@example.org"], db=s.db)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no account", p.stderr)


class SecureCookies(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_https_public_url_marks_cookies_secure(self):
        s = self.fresh_server(global_args=["--public-url", "https://consult.example.org"])
        r = s.get("/calls/1/contribute")
        self.assertTrue(r.header("Set-Cookie").endswith("; Secure"), r.header("Set-Cookie"))
