"""Core's messages and the mails in their reader's language (issue 14, items 1 and 4).

A form error and an API error that core writes reach a French reader in French; a contribution's receipt
mail is in the language of the request that sent it (the writer thread composes it, under that request's
language, not its own), with Content-Language; a subscriber's mails are in the language they subscribed
in, whoever causes the notice and in whatever language; mail that answers a message sent to a call's
address is in the process's first language. Through the real SMTP sink of test_mail (aiosmtpd)."""

import harness
from harness import SLUG, contribution
from test_mail import SECRETARIAT, REASON, MailTestCase, link

FORM = "/calls/1/contribute"
FR = {"Accept-Language": "fr"}
ES = {"Accept-Language": "es"}


class CoreMessages(harness.ServerTestCase):
    def test_a_form_error_from_core_in_french(self):
        r = self.server.post_form(FORM, contribution(name="", email="not an address"), headers=FR)
        self.assertEqual(r.status, 422, r)
        self.assertIn("Indiquez votre nom.", r.text)
        self.assertIn("Ceci ne ressemble pas \u00e0 une adresse \u00e9lectronique (nom@example.org).", r.text)
        self.assertNotIn("Enter your name.", r.text)
        # With no language asked, the process's first (English here) as before.
        r = self.server.post_form(FORM, contribution(name=""))
        self.assertEqual(r.status, 422, r)
        self.assertIn("Enter your name.", r.text)

    def test_an_api_error_from_core_in_french(self):
        r = self.server.post_json("/api/v1/calls/1/contributions", contribution(email="nope", category="none"),
                                  headers=FR)
        self.assertEqual(r.status, 422, r)
        err = r.json()["error"]
        self.assertEqual(err["code"], "invalid", "the machine's code stays English")
        self.assertEqual(err["fields"]["email"],
                         "Ceci ne ressemble pas \u00e0 une adresse \u00e9lectronique (nom@example.org).")
        self.assertIn("cat\u00e9gories", err["fields"]["category"])
        r = self.server.post_json("/api/v1/calls/1/contributions", contribution(email="nope"))
        self.assertEqual(r.json()["error"]["fields"]["email"],
                         "This does not look like an e-mail address (name@example.org).")


class MailLanguage(MailTestCase):
    def test_a_receipts_comment_types_are_in_its_language(self):
        """The receipt names each comment's type in the mail's language, never the database's word."""
        sink = self.sink()
        s = self.mailing_server(sink)
        comments = [{"paragraph": "p3", "type": "technical", "comment": "Dire qui rend compte."},
                    {"paragraph": None, "type": "editorial", "comment": "Num\u00e9roter les titres."}]
        self.assertEqual(s.post_json("/api/v1/calls/1/contributions",
                                     contribution(email="marie@example.org", comments=comments), headers=FR).status,
                         201)
        body = sink.wait(1, to="marie@example.org")[0][2].get_content()
        self.assertIn("1. \u00b63, technique\r\n", body)
        self.assertIn("2. Observation g\u00e9n\u00e9rale, r\u00e9dactionnel\r\n", body)
        self.assertNotIn("technical", body)
        self.assertNotIn("editorial", body)

    def test_receipt_in_the_language_of_the_request(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        self.assertEqual(s.post_json("/api/v1/calls/1/contributions", contribution(email="marie@example.org"),
                                     headers=FR).status, 201)
        self.assertEqual(s.post_json("/api/v1/calls/1/contributions", contribution(email="ada@example.org")).status,
                         201)
        fr = sink.wait(1, to="marie@example.org")[0][2]
        en = sink.wait(1, to="ada@example.org")[0][2]
        self.assertEqual(fr["Content-Language"], "fr")
        self.assertTrue(fr["Subject"].startswith("Contribution re\u00e7ue\u00a0: "), fr["Subject"])
        body = fr.get_content()
        for sentence in ("Bonjour Ada Lovelace,", "Num\u00e9ro de suivi\u00a0:", "Suite de la proc\u00e9dure\u00a0:",
                         "Votre accus\u00e9 de r\u00e9ception\u00a0:",
                         # the writer's own paragraph, added on its thread once the leaf is known
                         "Son enregistrement\u00a0: feuille"):
            self.assertIn(sentence, body)
        self.assertNotIn("Tracking number", body)
        self.assertEqual(en["Content-Language"], "en")
        self.assertTrue(en["Subject"].startswith("Contribution received: "), en["Subject"])
        self.assertIn("Its record: leaf", en.get_content())
        # Its dates too (issue 14 item 2, test_dates_language.py): French by ICU, English's own form unchanged.
        from test_dates_language import EN_DEADLINE, EN_RECEIVED, FR_DEADLINE, FR_RECEIVED
        for date in (FR_RECEIVED, FR_DEADLINE):
            self.assertIn(date, body)
        self.assertNotIn("February", body)
        for date in (EN_RECEIVED, EN_DEADLINE):
            self.assertIn(date, en.get_content())

    def test_receipt_mailed_again_in_the_language_of_who_asks(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email="marie@example.org"))
        self.assertEqual(r.status, 201)
        tracking = r.json()["tracking"]
        sink.wait(1, to="marie@example.org")
        r = s.post_form("/receipts/%s/mail" % tracking, {}, headers=FR)
        self.assertIn(r.status, (200, 303), r)
        again = sink.wait(2, to="marie@example.org")[1][2]
        self.assertEqual(again["Content-Language"], "fr")
        self.assertIn("Accus\u00e9 de r\u00e9ception de votre contribution", again["Subject"])

    def subscribe(self, s, sink, address, headers=None):
        r = s.post_json("/api/v1/subscriptions", {"email": address, "process": SLUG}, headers=headers)
        self.assertEqual(r.status, 202, r)
        msg = sink.wait(1, to=address)[-1][2]
        self.assertEqual(s.get(link(msg, "/subscriptions/confirm")).status, 200)
        return msg

    def test_a_subscriber_gets_mail_in_the_language_they_subscribed_in(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        confirm = self.subscribe(s, sink, "lucia@example.org", headers=ES)
        self.assertEqual(confirm["Content-Language"], "es")
        self.assertTrue(confirm["Subject"].startswith("Confirmaci\u00f3n: seguir"), confirm["Subject"])
        self.assertIn("abra este enlace en un plazo de 7 d\u00edas", confirm.get_content())
        self.subscribe(s, sink, "grace@example.org")
        # The secretariat changes the deadline in French: each subscriber hears of it in their own language.
        token = s.account_token(SECRETARIAT)
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-02-20", "reason": REASON}, token=token,
                        headers=FR)
        self.assertEqual(r.status, 200, r)
        es = sink.wait(1, to="lucia@example.org", subject="Fecha l\u00edmite prorrogada")[0][2]
        en = sink.wait(1, to="grace@example.org", subject="Deadline extended")[0][2]
        self.assertEqual(es["Content-Language"], "es")
        self.assertEqual(en["Content-Language"], "en")
        self.assertIn("Recibe este aviso porque sigue", es.get_content())
        self.assertIn("Abierta hasta el", es.get_content())
        self.assertIn("You get this notice because you follow", en.get_content())
        rows = s.query("SELECT email, language FROM subscription ORDER BY email")
        self.assertEqual([tuple(r) for r in rows], [("grace@example.org", "en"), ("lucia@example.org", "es")])


class MailInLanguage(harness.ServerTestCase):
    """A message sent to a call's address says nothing reliable of its reader's language: the receipt and the
    held message's answer are in the call's process's first language (`consulta mail-in`)."""

    def test_receipt_and_held_answer_in_the_process_first_language(self):
        import email
        import email.policy
        from test_mail_in import CALL1, CALL2, answers_to, mail_in, simple
        self.server.query("UPDATE process SET languages = 'fr,en' WHERE slug = ?", (SLUG,))
        try:
            code, out, _ = mail_in(self.server.db, simple("fr-receipt@example.org"), harness.CALL1_OPEN)
            self.assertEqual((code, out["outcome"]), (0, "accepted"))
            code, out, _ = mail_in(self.server.db, simple("fr-held@example.org", to=CALL2), harness.CALL1_OPEN)
            self.assertEqual((code, out["outcome"]), (0, "held"))
        finally:
            self.server.query("UPDATE process SET languages = 'en' WHERE slug = ?", (SLUG,))
        (_, _, raw), = answers_to(self.server.db, "fr-receipt@example.org")
        msg = email.message_from_bytes(raw.encode("utf-8") if isinstance(raw, str) else raw,
                                       policy=email.policy.default)
        self.assertEqual(msg["Content-Language"], "fr")
        self.assertTrue(msg["Subject"].startswith("Contribution re\u00e7ue\u00a0: "), msg["Subject"])
        self.assertIn("a \u00e9t\u00e9 enregistr\u00e9 comme contribution \u00e0 l\u2019appel", msg.get_content())
        (_, _, raw), = answers_to(self.server.db, "fr-held@example.org")
        held = email.message_from_bytes(raw.encode("utf-8") if isinstance(raw, str) else raw,
                                        policy=email.policy.default)
        self.assertEqual(held["Content-Language"], "fr")
        self.assertEqual(held["Subject"], "Votre message est conserv\u00e9 pour le secr\u00e9tariat")
        self.assertIn("n\u2019est pas encore ouvert", held.get_content())


class AccountMailLanguage(harness.ServerTestCase):
    """An account's mails (confirmation, password reset, the notes for an address that has or has not an
    account) with Content-Language: to an account, in its language (migration 046: the one it registered in,
    else the request's); to an address without one, in the language of the request that causes them."""

    def outbox(self, to):
        import email
        import email.policy
        rows = self.server.query("SELECT message FROM outbox WHERE recipient = ? ORDER BY id", (to,))
        return [email.message_from_string(m, policy=email.policy.default) for (m,) in rows]

    def test_confirmation_and_reset_in_the_language_of_the_request(self):
        form = {"name": "Marie Curie", "email": "marie-account@example.org",
                "password": "a long passphrase for the tests"}
        self.assertEqual(self.server.post_form("/account/register", form, headers=FR).status, 201)
        (confirm,) = self.outbox("marie-account@example.org")
        self.assertEqual(confirm["Content-Language"], "fr")
        self.assertEqual(confirm["Subject"], "Confirmez votre adresse \u00e9lectronique pour Consulta")
        self.assertIn("dans les 48\u00a0heures", confirm.get_content())
        # The same address again, asked in Spanish: the note that it has an account, in the account's language
        # (French, the language it registered in), and so is the reset link asked in Spanish.
        self.assertEqual(self.server.post_form("/account/register", form, headers=ES).status, 201)
        self.assertEqual(self.server.post_form("/account/reset-request", {"email": "marie-account@example.org"},
                                               headers=ES).status, 200)
        self.assertEqual(self.server.post_form("/account/reset-request", {"email": "nobody-account@example.org"},
                                               headers=FR).status, 200)
        _, existing, reset = self.outbox("marie-account@example.org")
        self.assertEqual((existing["Content-Language"], reset["Content-Language"]), ("fr", "fr"))
        self.assertEqual(reset["Subject"], "R\u00e9initialisez votre mot de passe Consulta")
        self.assertIn("Quelqu\u2019un a tent\u00e9 de cr\u00e9er un compte Consulta", existing.get_content())
        # An account without a language (made before migration 046): the request's, as before.
        other = dict(form, email="pierre-account@example.org")
        self.assertEqual(self.server.post_form("/account/register", other, headers=FR).status, 201)
        self.server.query("UPDATE account SET language = NULL WHERE email = ?", ("pierre-account@example.org",))
        self.assertEqual(self.server.post_form("/account/reset-request", {"email": "pierre-account@example.org"},
                                               headers=ES).status, 200)
        _, reset = self.outbox("pierre-account@example.org")
        self.assertEqual(reset["Content-Language"], "es")
        self.assertEqual(reset["Subject"], "Restablezca su contrase\u00f1a de Consulta")
        (none,) = self.outbox("nobody-account@example.org")
        self.assertEqual(none["Content-Language"], "fr")
        self.assertIn("aucun compte ne l\u2019utilise", none.get_content())
        # No language asked: English, as before.
        self.assertEqual(self.server.post_form("/account/reset-request", {"email": "nobody2-account@example.org"}
                                               ).status, 200)
        (en,) = self.outbox("nobody2-account@example.org")
        self.assertEqual((en["Content-Language"], en["Subject"]), ("en", "Resetting a Consulta password"))


class ListAndDataMessages(harness.ServerTestCase):
    """The API's paging messages, the meeting API's field messages and the open data page's headings in the
    reader's language (issue 14, item 1); machine codes and column names stay as they are."""

    def test_cursor_messages_in_french(self):
        r = self.server.get("/api/v1/calls/1/contributions?after=x&before=y", headers=FR)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["error"]["code"], "bad_request")
        self.assertEqual(r.json()["error"]["message"],
                         "Demandez la page qui suit une position ou celle qui la pr\u00e9c\u00e8de, pas les deux.")
        r = self.server.get("/api/v1/calls/1/contributions?after=!!", headers=FR)
        self.assertEqual(r.status, 400, r)
        self.assertIn("Ceci n\u2019est pas une position dans cette liste", r.json()["error"]["message"])
        r = self.server.get("/calls/1/contributions?after=x&before=y", headers=FR)
        self.assertEqual(r.status, 400, r)
        self.assertIn("pas les deux", r.text)
        r = self.server.get("/api/v1/calls/1/contributions?after=x&before=y")
        self.assertEqual(r.json()["error"]["message"], "Ask for the page after a position or before one, not both.")

    def test_meeting_api_field_message_in_french(self):
        office = self.server.account_token("office-lang-api@example.org")
        r = self.server.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                                  {"date": "2021-02-10", "title": "A meeting", "format": "nowhere"}, token=office,
                                  headers=FR)
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(r.json()["error"]["fields"]["format"],
                         "Utilisez l\u2019une des valeurs online, physical, hybrid.")

    def test_open_data_dictionary_headings_in_french(self):
        r = self.server.get("/data", headers=FR)
        self.assertEqual(r.status, 200, r)
        for text in ("<h1>Donn\u00e9es ouvertes</h1>", "Ne figurent jamais dans ces fichiers",
                     "<th scope=\"col\">Colonne</th>", "Les colonnes de contributions",
                     "<code>/api/v1/processes/{slug}/contributions.csv</code>"):
            self.assertIn(text, r.text)
        self.assertNotIn("The columns of", r.text)
        # the column names are data: as they are
        self.assertIn("<code>tracking</code>", r.text)

    def test_open_data_dictionary_interface_strings_bracketed_in_the_pseudo_locale(self):
        import re
        r = self.server.get("/data", headers={"Cookie": "consulta_lang=en-XA"})
        self.assertEqual(r.status, 200, r)
        main = r.text[r.text.index("<main"):r.text.index("</main>")]
        texts = re.findall(r"<h1>([^<]*)</h1>", main) + re.findall(r"<caption[^>]*>([^<]*)</caption>", main) + \
            re.findall(r"<th scope=\"col\">([^<]*)</th>", main) + re.findall(r"<nav aria-label=\"([^\"]*)\"", main)
        self.assertGreater(len(texts), 30)
        for t in texts:
            self.assertTrue(t.startswith("[") and t.endswith("]"), t)
        # the page's paragraphs before the files: each a bracketed sentence
        head = main[:main.index("<nav")]
        for p in re.findall(r"<p>(.*?)</p>", head, re.S):
            self.assertTrue(p.startswith("[") and p.endswith("]"), p[:80])
