"""Abuse of mail and accounts, as an attacker on loopback tried it: mail sent
to any address again and again with the attacker's words in its greeting;
an owner locked out by someone else's wrong passwords, and not let in by a
reset; concurrent guesses that passed the count; answers that told whether
an address has an account; a `next` that led to another site; a CSRF token
that an attacker could choose; names that look blank; and a token that the
command line took for an option.

Another client address is another loopback address (127.0.0.2, ...): Linux
routes all of 127/8 to the loopback interface, so a connection can come from
any of them."""

import concurrent.futures
import email
import email.policy
import hashlib
import http.client
import json
import re
import sqlite3
import harness
import urllib.parse

from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, contribution, cookie_value, link_in, run_command

PASSWORD = "correct horse battery staple"
# What an attacker put in the name field to reach someone else's mailbox in our words.
BAIT = "Your account is blocked, pay at http://evil.example"


def outbox(server, kind=None, to=None):
    """The queued mails (oldest first) as (kind, recipient, requester, email.message)."""
    with harness.connect(server.db, timeout=10) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(outbox)")]
        rows = db.execute("SELECT kind, recipient, %s, message FROM outbox ORDER BY id"
                          % ("requester" if "requester" in columns else "NULL")).fetchall()
    return [(k, r, q, email.message_from_string(m, policy=email.policy.default)) for k, r, q, m in rows
            if (kind is None or k == kind) and (to is None or r == to)]


def request_from(s, source, method, path, body=None, headers=None):
    """One request from the client address `source` (127.x.y.z)."""
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.headers, data.decode("utf-8", "replace")
    finally:
        conn.close()


def form_from(s, source, path, fields):
    """A form posted from `source` as a browser that loaded our page would (its CSRF cookie and token)."""
    fields = dict(fields)
    fields["csrf"] = s.csrf_token()
    return request_from(s, source, "POST", path, urllib.parse.urlencode(fields).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "consulta_csrf=" + CSRF_TOKEN})


class AbuseCase(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def register(self, s, mail="ada@example.org", **fields):
        form = {"name": "Ada Lovelace", "email": mail, "password": PASSWORD}
        form.update(fields)
        return s.post_form("/account/register", form)

    def login(self, s, mail="ada@example.org", password=PASSWORD, source="127.0.0.1", next_path="/account"):
        return form_from(s, source, "/login", {"email": mail, "password": password, "next": next_path})


class MailLimits(AbuseCase):

    def test_reset_links_to_one_address_are_limited_and_only_the_newest_works(self):
        s = self.fresh_server()
        self.assertEqual(self.register(s).status, 201)  # the confirmation: 1 of 3 this hour
        for _ in range(6):
            r = s.post_form("/account/reset-request", {"email": "ada@example.org"})
            self.assertEqual(r.status, 200, "the answer does not change when nothing is sent")
        resets = outbox(s, "reset")
        self.assertEqual(len(outbox(s, to="ada@example.org")), 3, "at most 3 account mails an hour to one address")
        self.assertEqual(len(resets), 2)
        self.assertRegex(s.log(), r"event=mail\.withheld kind=reset requester=127\.0\.0\.1")
        old, new = link_in(resets[0][3], "/account/reset"), link_in(resets[1][3], "/account/reset")
        token = lambda link: link.split("token=")[1]
        self.assertEqual(s.post_form("/account/reset", {"token": token(old), "password": "a brand new passphrase"}).status,
                         404, "a newer link replaced the older one")
        self.assertEqual(s.post_form("/account/reset", {"token": token(new), "password": "a brand new passphrase"}).status,
                         200, "the newest link sent works")

    def test_one_client_address_has_a_mail_budget_then_429(self):
        s = self.fresh_server()
        for i in range(20):
            r = s.post_form("/account/reset-request", {"email": "someone%d@example.org" % i})
            self.assertEqual(r.status, 200, r)
        self.assertEqual(len(outbox(s)), 20)
        r = s.post_form("/account/reset-request", {"email": "someone-else@example.org"})
        self.assertEqual(r.status, 429, r)
        self.assertIn("Too many mails", r.text)
        self.assertEqual(self.register(s, mail="new@example.org").status, 429)
        sub = s.post_form("/processes/%s/subscribe" % SLUG, {"email": "follower@example.org"})
        self.assertEqual(sub.status, 429)
        self.assertEqual(len(outbox(s)), 20, "nothing more was queued")
        # Another client address has its own budget.
        status, _, _ = form_from(s, "127.0.0.2", "/account/reset-request", {"email": "someone-else@example.org"})
        self.assertEqual(status, 200)
        self.assertEqual(len(outbox(s)), 21)

    def test_subscription_confirmations_to_one_address_are_limited(self):
        s = self.fresh_server()
        for _ in range(5):
            r = s.post_form("/processes/%s/subscribe" % SLUG, {"email": "victim@example.org"})
            self.assertEqual(r.status, 200, r)
        mails = outbox(s, "subscription", "victim@example.org")
        self.assertEqual(len(mails), 3)
        last = link_in(mails[-1][3], "/subscriptions/confirm")
        self.assertEqual(s.get(last).status, 200, "the last link sent is still the live one")

    def test_receipts_to_one_address_are_limited_but_every_contribution_is_kept(self):
        s = self.fresh_server()
        for i in range(12):
            s.contribute(email="victim@example.org", text="Contribution number %d." % i)
        self.assertEqual(len(outbox(s, "receipt", "victim@example.org")), 10)
        with harness.connect(s.db) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM contribution WHERE email = 'victim@example.org'")
                             .fetchone()[0], 12)
        self.assertRegex(s.log(), r"event=mail\.withheld kind=receipt")

    def test_answers_by_mail_to_one_sender_are_limited(self):
        # A message's From can be forged: each one held (here: to a call not open yet) would be answered.
        import test_mail_in
        s = self.fresh_server()
        for i in range(12):
            eml = test_mail_in.simple("flood-%d@evil.example" % i, to=test_mail_in.CALL2,
                                      sender="victim@example.org")
            code, out, _ = test_mail_in.mail_in(s.db, eml, s.now)
            self.assertEqual((code, out["outcome"]), (0, "held"), out)
        self.assertEqual(len(outbox(s, "held", "victim@example.org")), 10, "every message is kept, 10 answered")

    def test_mail_to_an_unverified_address_never_quotes_the_requester(self):
        s = self.fresh_server()
        self.assertEqual(self.register(s, mail="victim@example.org", name=BAIT).status, 201)
        s.contribute(email="other@example.org", name=BAIT)
        self.assertEqual(s.post_form("/account/reset-request", {"email": "victim@example.org"}).status, 200)
        self.assertEqual(self.register(s, mail="victim@example.org", name=BAIT).status, 201)
        kinds = [k for k, _, _, _ in outbox(s)]
        self.assertEqual(kinds, ["confirm", "receipt", "reset", "account"])
        for kind, to, requester, msg in outbox(s):
            with self.subTest(kind=kind):
                body = msg.get_content()
                self.assertNotIn("evil.example", body)
                self.assertNotIn("Dear", body)
                self.assertTrue(body.startswith("Hello,"), body)
                self.assertEqual(requester, "127.0.0.1")
        receipt = outbox(s, "receipt")[0][3].get_content()
        self.assertIn("Tracking number: ", receipt, "a receipt quotes our tracking number and the call")
        self.assertIn('the call "', receipt)


class LoginSlowDown(AbuseCase):

    def test_an_attacker_elsewhere_cannot_lock_the_owner_out(self):
        s = self.fresh_server()
        self.register(s)
        statuses = [self.login(s, password="guess %d!" % i, source="127.0.0.2")[0] for i in range(40)]
        self.assertEqual(statuses[:5], [401] * 5)
        self.assertEqual(set(statuses[5:]), {429}, "the attacker is slowed down")
        self.assertEqual(self.login(s)[0], 303, "the owner, from another address, logs in")

    def test_a_reset_lifts_every_slow_down_of_the_account(self):
        s = self.fresh_server()
        self.register(s)
        for source in ("127.0.0.1", "127.0.0.3"):
            for _ in range(5):
                self.assertEqual(self.login(s, password="wrong password!", source=source)[0], 401)
            self.assertEqual(self.login(s, source=source)[0], 429)
        s.post_form("/account/reset-request", {"email": "ada@example.org"})
        token = link_in(outbox(s, "reset")[0][3], "/account/reset").split("token=")[1]
        self.assertEqual(s.post_form("/account/reset", {"token": token, "password": "a brand new passphrase"}).status,
                         200)
        for source in ("127.0.0.1", "127.0.0.3"):
            self.assertEqual(self.login(s, password="a brand new passphrase", source=source)[0], 303,
                             "no wait after a reset, from " + source)

    def test_concurrent_attempts_do_not_pass_the_count(self):
        s = self.fresh_server(threads=8)
        self.register(s)
        with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(lambda i: self.login(s, password="guess %d!" % i)[0], range(40)))
        self.assertEqual(statuses.count(401), 5, "exactly the free attempts reached the password check: %r"
                         % sorted(statuses))
        self.assertEqual(statuses.count(429), 35)


class SameAnswer(AbuseCase):

    def test_register_with_a_taken_address_answers_as_for_a_new_one(self):
        s = self.fresh_server()
        first = self.register(s)
        again = self.register(s, password="another passphrase here", name="Someone Else")
        self.assertEqual((first.status, again.status), (201, 201))
        self.assertEqual(re.sub(r'value="[^"]*"', "", first.text), re.sub(r'value="[^"]*"', "", again.text))
        told = outbox(s, "account", "ada@example.org")
        self.assertEqual(len(told), 1, "the owner learns by mail")
        body = told[0][3].get_content()
        self.assertIn("already has one", body)
        self.assertIn("/account/reset-request", body)
        self.assertEqual(self.login(s)[0], 303, "the password did not change")
        self.assertEqual(self.login(s, password="another passphrase here")[0], 401)

    def test_reset_request_answers_alike_and_mails_either_way(self):
        s = self.fresh_server()
        self.register(s)
        known = s.post_form("/account/reset-request", {"email": "ada@example.org"})
        unknown = s.post_form("/account/reset-request", {"email": "bob@example.org"})
        self.assertEqual((known.status, unknown.status), (200, 200))
        self.assertEqual(known.text.replace("ada@example.org", "X"), unknown.text.replace("bob@example.org", "X"))
        self.assertEqual(len(outbox(s, "reset", "ada@example.org")), 1)
        none = outbox(s, "account", "bob@example.org")
        self.assertEqual(len(none), 1, "the address without an account learns why no link came")
        self.assertIn("no account uses it", none[0][3].get_content())


class Redirects(AbuseCase):

    def test_next_is_a_local_path_only(self):
        s = self.fresh_server()
        self.register(s)
        for bad in ("/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "//evil.example/",
                    "/\\evil.example/", "/a\\b", "/a\x01b", "/a\x7fb", "http://evil.example/", "evil", ""):
            with self.subTest(next=bad):
                status, headers, _ = self.login(s, next_path=bad)
                self.assertEqual(status, 303)
                self.assertEqual(headers["Location"], "/account")
        status, headers, _ = self.login(s, next_path="/processes/%s?x=1" % SLUG)
        self.assertEqual(headers["Location"], "/processes/%s?x=1" % SLUG)


class Csrf(AbuseCase):

    def test_a_cookie_and_field_of_the_attackers_choice_are_refused(self):
        s = self.fresh_server()
        chosen = "A" * 43
        r = s.post_form("/account/register", {"name": "Ada", "email": "ada@example.org", "password": PASSWORD,
                                              "csrf": chosen}, headers={"Cookie": "consulta_csrf=" + chosen})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(outbox(s), [])

    def test_the_form_of_our_page_passes(self):
        s = self.fresh_server()
        page = s.get("/account/register")
        cookie = page.header("Set-Cookie").split(";")[0]
        field = re.search(r'name="csrf" value="([A-Za-z0-9_-]{43})"', page.text).group(1)
        self.assertNotEqual(cookie.split("=", 1)[1], field, "the token is not the cookie")
        r = s.post_form("/account/register", {"name": "Ada", "email": "ada@example.org", "password": PASSWORD,
                                              "csrf": field}, headers={"Cookie": cookie})
        self.assertEqual(r.status, 201, r)

    def test_a_logged_in_form_needs_the_sessions_token(self):
        s = self.fresh_server()
        self.register(s)
        session = cookie_value(s.post_form("/login", {"email": "ada@example.org", "password": PASSWORD}))
        cookie = "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)
        page = s.get("/calls/1/contribute", headers={"Cookie": cookie})
        field = re.search(r'name="csrf" value="([A-Za-z0-9_-]{43})"', page.text).group(1)
        self.assertEqual(field, s.csrf_token(session))
        # A visitor's token (which an attacker can get for an id of theirs and plant with its cookie) is not
        # a session's.
        visitor = s.csrf_token(None)
        self.assertEqual(s.post_form("/logout", {"csrf": visitor}, headers={"Cookie": cookie}).status, 403)
        self.assertEqual(s.post_form("/logout", {"csrf": field}, headers={"Cookie": cookie}).status, 303)


class Names(AbuseCase):

    def test_names_made_only_of_invisible_characters_are_refused(self):
        s = self.fresh_server()
        for name in ("\u200b", "\u200e\u200f", "\u202e\u202a", "\u2066\u2069", "\ufeff", "\u00ad", " \u200b "):
            with self.subTest(name=repr(name)):
                r = self.register(s, name=name)
                self.assertEqual(r.status, 422, r)
                self.assertIn("visible letters", r.text)
                c = s.post_json("/api/v1/calls/1/contributions", contribution(name=name))
                self.assertEqual(c.status, 422, c)
                self.assertIn("visible letters", c.json()["error"]["fields"]["name"])
        self.assertEqual(outbox(s), [])


class Tokens(AbuseCase):

    def test_a_token_that_starts_with_a_dash_can_be_revoked(self):
        s = self.fresh_server()
        s.account_token("sec@example.org")
        # A token made before tokens stopped starting with "-": stored as its SHA-256, like any.
        with harness.connect(s.db, timeout=10) as db:
            account = db.execute("SELECT id FROM account WHERE email = 'sec@example.org'").fetchone()[0]
            for i in range(3):
                token = "-%d" % i + "x" * 41
                db.execute("INSERT INTO api_token (token_hash, account_id, created_at) VALUES (?, ?, 0)",
                           (hashlib.sha256(token.encode()).hexdigest(), account))
        for i, args in enumerate((["-0" + "x" * 41], ["--", "-1" + "x" * 41], ["--token", "-2" + "x" * 41])):
            with self.subTest(args=args):
                p = run_command(["token", "revoke"] + args, now=s.now, db=s.db)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("revoked 1 token", p.stdout)
        p = run_command(["token", "revoke", "--frobnicate"], now=s.now, db=s.db)
        self.assertEqual(p.returncode, 2, "an unknown option is still one")
