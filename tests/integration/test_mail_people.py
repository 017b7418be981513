"""Mails to people as people read them: greeted by their name when it is known and is a name (the generic
greeting otherwise: a "name" typed on a form that carries a domain or a sentence is not repeated into someone's
mailbox), in the mail's language; and one rule for the language of every mail to a person: the language of the
account with that address when it chose one (on /account, what the person chose last and most explicitly),
whatever the page's switcher, the request, the subscription or the contribution said; else what the mail's cause
knew, as before (test_mail_language.py)."""

import email
import email.policy

from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, contribution, link_in, run_command

PASSWORD = "a long passphrase for the stakeholder"
SECRETARIAT = "secretariat@example.org"


def mails(server, to, kind=None):
    rows = server.query("SELECT kind, message FROM outbox WHERE recipient = ? ORDER BY id", (to,))
    return [email.message_from_string(m, policy=email.policy.default) for (k, m) in rows if kind in (None, k)]


def text(msg):
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


class PeopleMail(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def register(self, s, lang, mail, name="Ada Lovelace", confirm=True):
        """An account for mail, confirmed by the link its mail carries unless confirm is False: only a
        confirmed account chooses the language and the name of the mails its address gets."""
        r = s.post_form("/account/register", {"name": name, "email": mail, "password": PASSWORD, "language": lang},
                        headers={"Accept-Language": lang})
        self.assertEqual(r.status, 201, r)
        if confirm:
            (confirmation,) = mails(s, mail, "confirm")
            self.assertEqual(s.get(link_in(confirmation, "/account/confirm")).status, 200)

    def login(self, s, mail):
        return super().login(s, mail, password=PASSWORD, next_path=None)

    # -- greetings ---------------------------------------------------------------------------------------------

    def test_greeted_by_name_in_the_mails_language(self):
        s = self.fresh_server()
        self.register(s, "en", "ada@example.org")
        self.register(s, "fr", "marie@example.org", name="Marie-Jeanne d'Arc")
        self.register(s, "zh", "li@example.org", name="\u674e\u534e")
        self.register(s, "en", "spam@example.org", name="Win a prize at evil.example")
        self.register(s, "en", "link@example.org", name="Visit http://x")
        (ada,), (marie,), (li,) = (mails(s, a) for a in ("ada@example.org", "marie@example.org", "li@example.org"))
        self.assertTrue(text(ada).startswith("Dear Ada Lovelace,\n\nSomeone (we hope you) created an account"),
                        text(ada))
        self.assertTrue(text(marie).startswith("Bonjour Marie-Jeanne d'Arc,\n\nQuelqu\u2019un"), text(marie))
        self.assertTrue(text(li).startswith("\u674e\u534e\uff0c\u60a8\u597d\uff1a\n\n"), text(li))
        for address in ("spam@example.org", "link@example.org"):
            (m,) = mails(s, address)
            self.assertTrue(text(m).startswith("Hello,\n\nSomeone"), text(m))
            self.assertNotIn("evil.example", text(m))
        # a password reset and a receipt greet by name too
        self.assertEqual(s.post_form("/account/reset-request", {"email": "marie@example.org"}).status, 200)
        self.assertTrue(text(mails(s, "marie@example.org", "reset")[0]).startswith("Bonjour Marie-Jeanne d'Arc,"))
        r = s.post_json("/api/v1/calls/1/contributions", contribution(name="Zo\u00eb \u00c5ngstr\u00f6m",
                                                                       email="zoe@example.org"))
        self.assertEqual(r.status, 201, r)
        (receipt,) = mails(s, "zoe@example.org")
        self.assertTrue(text(receipt).startswith("Dear Zo\u00eb \u00c5ngstr\u00f6m,\n\nA contribution to the call"),
                        text(receipt))
        r = s.post_json("/api/v1/calls/1/contributions", contribution(name="Mr. 007", email="bond@example.org"))
        self.assertEqual(r.status, 201, r)
        self.assertTrue(text(mails(s, "bond@example.org")[0]).startswith("Hello,\n\n"))

    # -- the sender ----------------------------------------------------------------------------------------------

    def test_from_and_message_id_in_the_set_domain(self):
        s = self.fresh_server(global_args=["--mail-from", "consultation@gca-demo.example"])
        self.register(s, "en", "ada@example.org")
        (m,) = mails(s, "ada@example.org")
        self.assertEqual(m["From"].addresses[0].addr_spec, "consultation@gca-demo.example")
        self.assertEqual(m["From"].addresses[0].display_name, "Consulta")
        self.assertTrue(m["Message-ID"].strip("<>").endswith("@gca-demo.example"), m["Message-ID"])
        self.assertIsNone(m["Reply-To"], "no Reply-To: answers go to the From, the same domain")

    # -- the language rule ---------------------------------------------------------------------------------------

    def test_an_unconfirmed_account_chooses_neither_language_nor_name(self):
        # Someone registers another person's address and never confirms it: the mails that address gets later
        # follow what the mail's cause knew (the request's language, the contribution's name), not what that
        # someone typed.
        s = self.fresh_server()
        self.register(s, "ru", "ada@example.org", name="Mallory Prank", confirm=False)
        r = s.post_json("/api/v1/calls/1/contributions",
                        contribution(email="ada@example.org", language="fr", name="Augusta King", text="Mes mots."))
        self.assertEqual(r.status, 201, r)
        (receipt,) = mails(s, "ada@example.org", "receipt")
        self.assertEqual(receipt["Content-Language"], "en", "the request's, not the unconfirmed account's (ru)")
        self.assertNotIn("Mallory", text(receipt))
        self.assertTrue(text(receipt).startswith("Dear Augusta King,"), text(receipt))

    def test_a_receipt_follows_the_account_not_the_switcher(self):
        s = self.fresh_server()
        self.register(s, "fr", "ada@example.org")
        session = self.login(s, "ada@example.org")
        # The page's switcher says English (its cookie); the account chose French.
        cookie = "consulta_csrf=%s; consulta_session=%s; consulta_lang=en" % (CSRF_TOKEN, session)
        page = s.get("/calls/1/contribute", headers={"Cookie": cookie})
        self.assertIn('<html lang="en"', page.text)
        sent = s.post_form("/calls/1/contribute", {"name": "Ada Lovelace", "category": "academia", "country": "GB",
                                                   "email": "ada@example.org", "text": "Mine.",
                                                   "publication": "named"}, headers={"Cookie": cookie})
        self.assertEqual(sent.status, 303, sent)
        (receipt,) = mails(s, "ada@example.org", "receipt")
        self.assertEqual(receipt["Content-Language"], "fr")
        self.assertTrue(receipt["Subject"].startswith("Contribution re\u00e7ue"), receipt["Subject"])
        self.assertTrue(text(receipt).startswith("Bonjour Ada Lovelace,"), text(receipt))
        # Sent by the API, in Spanish, with the account's address and nobody logged in: French still.
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email="ada@example.org"),
                        headers={"Accept-Language": "es"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual([m["Content-Language"] for m in mails(s, "ada@example.org", "receipt")], ["fr", "fr"])
        # An address without an account: the request's language, as before.
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email="lucia@example.org"),
                        headers={"Accept-Language": "es"})
        self.assertEqual(mails(s, "lucia@example.org")[0]["Content-Language"], "es")

    def test_subscription_mails_follow_the_account(self):
        s = self.fresh_server()
        self.register(s, "ru", "ada@example.org")
        r = s.post_json("/api/v1/subscriptions", {"email": "ada@example.org", "process": SLUG},
                        headers={"Accept-Language": "es"})
        self.assertEqual(r.status, 202, r)
        (confirm,) = mails(s, "ada@example.org", "subscription")
        self.assertEqual(confirm["Content-Language"], "ru")
        # greeted by the account's name, in its language (an address without an account: "Hello,")
        self.assertTrue(text(confirm).startswith("\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435, "
                                                 "Ada Lovelace!\n\n"), text(confirm)[:80])
        r = s.post_json("/api/v1/subscriptions", {"email": "lucia@example.org", "process": SLUG},
                        headers={"Accept-Language": "es"})
        self.assertEqual(r.status, 202, r)
        self.assertTrue(text(mails(s, "lucia@example.org")[0]).startswith("Estimado/a se\u00f1or/a:\n\n"), text(mails(s, "lucia@example.org")[0]))
        link = text(confirm).split("/subscriptions/confirm?token=")[1].split()[0]
        self.assertEqual(s.get("/subscriptions/confirm?token=" + link).status, 200)
        self.assertEqual(s.query("SELECT language FROM subscription WHERE email = ?", ("ada@example.org",)), [("es",)],
                         "as subscribed, kept")
        token = s.account_token(SECRETARIAT)
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-02-20", "reason": "More time."},
                        token=token, headers={"Accept-Language": "fr"})
        self.assertEqual(r.status, 200, r)
        (notice,) = mails(s, "ada@example.org", "notice")
        self.assertEqual(notice["Content-Language"], "ru")
        self.assertTrue(text(notice).startswith("\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435, "
                                                "Ada Lovelace!\n\n"), text(notice)[:80])

    def test_the_answers_to_comments_follow_the_account(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        self.register(s, "ru", "ada@example.org")
        r = s.post_json("/api/v1/calls/1/contributions",
                        contribution(email="ada@example.org", language="fr", name="Augusta King",
                                     comments=[{"paragraph": "p3", "comment": "Mots."}]))
        self.assertEqual(r.status, 201, r)
        r = s.post_json("/api/v1/calls/1/contributions",
                        contribution(email="zoe@example.org", name="Zo\u00eb \u00c5ngstr\u00f6m",
                                     comments=[{"paragraph": "p3", "comment": "Words."}]))
        self.assertEqual(r.status, 201, r)
        s.note_the_rest(token)
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token)
        self.assertEqual(r.status, 200, r)
        (fate,) = mails(s, "ada@example.org", "fate")
        self.assertEqual(fate["Content-Language"], "ru", "the account's, not the contribution's (fr)")
        self.assertTrue(text(fate).startswith("\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435, "
                                              "Ada Lovelace!\n\n"), "the account's name, not the contribution's")
        # without an account, the contribution's name, as its receipt
        (fate,) = mails(s, "zoe@example.org", "fate")
        self.assertTrue(text(fate).startswith("Dear Zo\u00eb \u00c5ngstr\u00f6m,\n\nThe secretariat has published"),
                        text(fate)[:80])

    def test_a_meeting_registration_follows_the_account(self):
        s = self.fresh_server()
        office = s.account_token("office@example.org")
        r = s.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                        {"date": "2021-02-10", "title": "Meeting in the account's language", "starts": "14:00",
                         "ends": "16:00", "join_url": "https://meet.example.org/gca", "room": "Room B-12"},
                        token=office)
        self.assertEqual(r.status, 201, r)
        self.register(s, "fr", "ada@example.org")
        t = run_command(["token", "create", "--email", "ada@example.org"], now=s.now, db=s.db)
        self.assertEqual(t.returncode, 0, t.stderr)
        # The switcher's cookie says Spanish for the request; the account chose French.
        r = s.send_json("POST", "/api/v1/meetings/%d/registrations" % r.json()["id"], token=t.stdout.strip(),
                        headers={"Cookie": "consulta_lang=es"})
        self.assertEqual(r.status, 201, r)
        (m,) = mails(s, "ada@example.org", "meeting")
        self.assertEqual(m["Content-Language"], "fr")
        self.assertTrue(text(m).startswith("Bonjour Ada Lovelace,\n\nVous \u00eates inscrit"), text(m)[:80])
