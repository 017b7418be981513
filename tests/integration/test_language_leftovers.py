"""What issue 14 (six languages) left that users notice: an account's own language (taken from the page it
registers on, changed on /account; every mail to the account in it, a letter's text in it when the letter has
one; the interface's language while it is logged in and chose none by the switcher); the office's list of
letters with each subject in the reader's language; the compare page's links keeping a language chosen by
?text=; and the paragraphs export with a row per paragraph and language."""

import csv
import email
import email.policy
import html
import io
import json
import re

import harness
import test_mail
from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, link_in
from test_languages import FRENCH_APRIL, FRENCH_MAY, VersionTextCase
from test_letters import FRENCH, OfficeSession, letter, pdf_text

STAKEHOLDER_PASSWORD = "a long passphrase for the stakeholder"


def outbox(server, to):
    rows = server.query("SELECT message FROM outbox WHERE recipient = ? ORDER BY id", (to,))
    return [email.message_from_string(m, policy=email.policy.default) for (m,) in rows]


class AccountLanguage(ServerTestCase):
    """An account's language: the page's on registration, changed on /account (audited), the interface's while
    logged in unless the switcher's cookie says otherwise, and the language of the mails to the account."""

    SHARED = False
    NOW = CALL1_OPEN

    def register(self, s, lang, mail="ada@example.org"):
        form = {"name": "Ada Lovelace", "email": mail, "password": STAKEHOLDER_PASSWORD}
        page = s.get("/account/register", headers={"Accept-Language": lang})
        # the form says which language its page is in
        self.assertIn('<input type="hidden" name="language" value="%s">' % lang, page.text)
        form["language"] = lang
        r = s.post_form("/account/register", form, headers={"Accept-Language": lang})
        self.assertEqual(r.status, 201, r)

    def login(self, s, mail="ada@example.org"):
        return super().login(s, mail, password=STAKEHOLDER_PASSWORD, next_path=None)

    def test_the_language_of_the_registration_page_then_of_the_account_page(self):
        s = self.fresh_server()
        self.register(s, "fr")
        self.assertEqual(s.query("SELECT language FROM account WHERE email = ?", ("ada@example.org",)), [("fr",)])
        (confirm,) = outbox(s, "ada@example.org")
        self.assertEqual(confirm["Content-Language"], "fr")
        self.assertEqual(s.get(link_in(confirm, "/account/confirm")).status, 200)
        session = self.login(s)
        cookie = "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)
        # Logged in: the account's language, over the browser's Accept-Language; the switcher's cookie wins.
        page = s.get("/account", headers={"Cookie": cookie, "Accept-Language": "es"})
        self.assertEqual(page.status, 200, page)
        self.assertIn('<html lang="fr"', page.text)
        self.assertIn('<option value="fr" lang="fr" translate="no" selected>', page.text)
        self.assertIn('<html lang="ru"', s.get("/account", headers={"Cookie": cookie + "; consulta_lang=ru"}).text)
        self.assertIn('<html lang="fr"', s.get("/processes/" + SLUG, headers={"Cookie": cookie}).text)
        # An API error's message too.
        r = s.request("GET", "/api/v1/processes/nope", headers={"Cookie": cookie, "Accept-Language": "en"})
        self.assertEqual(r.status, 404, r)
        self.assertNotEqual(r.json()["error"]["message"],
                            s.get_json("/api/v1/processes/nope").json()["error"]["message"])
        # Changed on the account page: recorded, audited, and the pages follow.
        r = s.post_form("/account/language", {"language": "es"}, headers={"Cookie": cookie})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/account")
        self.assertEqual(s.query("SELECT language FROM account WHERE email = ?", ("ada@example.org",)), [("es",)])
        audit = s.query("SELECT before, after FROM audit WHERE kind = 'account.language'")
        self.assertEqual([(json.loads(b), json.loads(a)) for b, a in audit], [({"language": "fr"}, {"language": "es"})])
        page = s.get("/account", headers={"Cookie": cookie, "Accept-Language": "fr"})
        self.assertIn('<html lang="es"', page.text)
        self.assertIn('<option value="es" lang="es" translate="no" selected>', page.text)
        # A language we do not offer is refused, and nothing changes.
        r = s.post_form("/account/language", {"language": "xx"}, headers={"Cookie": cookie})
        self.assertEqual(r.status, 422, r)
        self.assertIn("Elija uno de los idiomas propuestos.", r.text)  # in the account's language
        self.assertEqual(s.query("SELECT language FROM account WHERE email = ?", ("ada@example.org",)), [("es",)])
        # Not without an account.
        self.assertEqual(s.post_form("/account/language", {"language": "fr"}).status, 401)
        # The mails to the account are in its language, whatever the language of the request that causes them.
        self.assertEqual(s.post_form("/account/reset-request", {"email": "ada@example.org"},
                                     headers={"Accept-Language": "ru"}).status, 200)
        self.assertEqual(s.post_form("/account/register", {"name": "Someone", "email": "ada@example.org",
                                                           "password": STAKEHOLDER_PASSWORD},
                                     headers={"Accept-Language": "fr"}).status, 201)
        _, reset, existing = outbox(s, "ada@example.org")
        self.assertEqual((reset["Content-Language"], existing["Content-Language"]), ("es", "es"))
        self.assertEqual(reset["Subject"], "Restablezca su contrase\u00f1a de Consulta")
        self.assertIn("Alguien ha intentado crear una cuenta de Consulta", existing.get_content())

    def test_a_receipt_sent_while_logged_in_is_in_the_accounts_language(self):
        s = self.fresh_server()
        self.register(s, "fr")
        session = self.login(s)  # (logging in needs no confirmed address)
        cookie = "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)
        sent = s.post_form("/calls/1/contribute",
                           {"name": "Ada Lovelace", "category": "academia", "country": "GB",
                            "email": "ada@example.org", "text": "Mine.", "publication": "named"},
                           headers={"Cookie": cookie, "Accept-Language": "en"})
        self.assertEqual(sent.status, 303, sent)
        (receipt,) = [email.message_from_string(m, policy=email.policy.default) for (m,) in
                      s.query("SELECT message FROM outbox WHERE kind = 'receipt'")]
        self.assertEqual(receipt["Content-Language"], "fr")
        self.assertTrue(receipt["Subject"].startswith("Contribution re\u00e7ue"), receipt["Subject"])


def issue_with_french(case, **fields):
    """Makes the process English and French, issues a letter (fields as test_letters.letter's) with a French
    text, and returns its id."""
    r = case.s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"languages": "en, fr"}, token=case.token)
    case.assertEqual(r.status, 200, r)
    r = case.s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG, letter(**fields), token=case.token)
    case.assertEqual(r.status, 201, r)
    draft = r.json()["draft"]
    r = case.s.send_json("POST", "/api/v1/circular-drafts/%d/texts/fr" % draft, FRENCH, token=case.token)
    case.assertEqual(r.status, 200, r)
    r = case.s.send_json("POST", "/api/v1/circular-drafts/%d/issue" % draft, {}, token=case.token)
    case.assertEqual(r.status, 201, r)
    return r.json()["id"]


class StakeholderLetters(OfficeSession):
    """A letter mailed to the stakeholders of its addressed categories: each in their account's language (its
    text and PDF in it when the letter has one, the mail's words in it), else as before."""

    def server_kw(self):
        from test_mail import Sink
        self.sink = Sink().start()
        self.addCleanup(self.sink.stop)
        return {"serve_args": ["--smtp", self.sink.url]}

    def test_each_stakeholder_gets_the_letter_in_their_accounts_language(self):
        with harness.connect(self.s.db) as db:
            db.executemany("INSERT INTO account (email, name, role, category, email_confirmed_at, created_at, "
                           "language) VALUES (?, ?, 'stakeholder', 'member-states', 1600000000, 1600000000, ?)",
                           [("etat@example.org", "\u00c9tat", "fr"), ("state@example.org", "State", None),
                            ("estado@example.org", "Estado", "es")])
        lid = issue_with_french(self, markdown="Dear Sir/Madam,\n\nWe invite you to comment on quokkaenglish.")
        for to in ("etat@example.org", "state@example.org", "estado@example.org"):
            self.sink.wait(1, to=to, timeout=300)
        got = {m[1][0]: m[2] for m in self.sink.mails()}
        fr = got["etat@example.org"]
        self.assertEqual(fr["Content-Language"], "fr")
        self.assertTrue(str(fr["Subject"]).startswith("Lettre circulaire CL-21/1\u00a0: "), fr["Subject"])
        self.assertIn(FRENCH["subject"], str(fr["Subject"]))
        body = fr.get_body(("plain",)).get_content()
        self.assertIn("quokkafrancais", body)
        self.assertNotIn("quokkaenglish", body)
        self.assertIn("/letters/%d?text=fr" % lid, body)
        (pdf,) = [p for p in fr.iter_attachments() if p.get_content_type() == "application/pdf"]
        self.assertEqual(pdf.get_filename(), "CL-21-1-fr.pdf")
        self.assertIn("quokkafrancais", pdf_text(pdf.get_content()))
        en = got["state@example.org"]
        self.assertEqual(en["Content-Language"], "en")
        self.assertIn("quokkaenglish", en.get_body(("plain",)).get_content())
        es = got["estado@example.org"]
        self.assertEqual(es["Content-Language"], "en")  # no Spanish text: the own one, in a Spanish mail
        self.assertIn("quokkaenglish", es.get_body(("plain",)).get_content())
        self.assertTrue(str(es["Subject"]).startswith("Carta circular CL-21/1"), es["Subject"])


class OfficeLettersInTheReadersLanguage(OfficeSession):
    """The office's list of a process's letters: each issued letter's subject in the reader's language where it
    has a text in it (circular_list_in, as the process page)."""

    def test_the_issued_letters_subject_in_the_readers_language(self):
        lid = issue_with_french(self, subject="Quokka consultation in English")

        def item(lang):
            page = self.s.get("/office/processes/" + SLUG,
                              headers={"Cookie": self.cookies(), "Accept-Language": lang})
            self.assertEqual(page.status, 200, page)
            m = re.search(r'<li><a href="/letters/%d">[^<]*</a>.*?</li>' % lid, page.text)
            self.assertTrue(m, page.text)
            return html.unescape(m.group(0))

        self.assertIn(FRENCH["subject"], item("fr"))
        self.assertNotIn("Quokka consultation in English", item("fr"))
        self.assertIn("Quokka consultation in English", item("en"))
        self.assertIn("Quokka consultation in English", item("es"))  # no Spanish text: its own subject


class ComparisonKeepsTheChosenText(VersionTextCase):
    """Two versions compared in a language chosen by ?text=: every link of the page to a version, to a
    paragraph's comments or place, and to another view, part or pair of the comparison keeps ?text=."""

    def put(self, version, lang, markdown):
        r = self.s.send_json("POST", "/api/v1/versions/%d/texts/%s" % (version, lang), {"markdown": markdown},
                             token=self.token)
        self.assertEqual(r.status, 200, r)

    def test_the_links_carry_text_when_a_language_was_chosen(self):
        self.put(self.april, "fr", FRENCH_APRIL)
        self.put(self.may, "fr", FRENCH_MAY)
        a, b = self.april, self.may
        path = "/versions/%d/compare/%d" % (a, b)
        page = self.s.get(path + "?text=fr", headers={"Accept-Language": "en"}).text
        self.assertIn("Les partenaires sont choisis", page)
        pids = re.findall(r'href="/versions/%d/paragraphs/(p\d+)[?"]' % b, page)
        self.assertTrue(pids, page)
        for pid in pids:
            self.assertIn('href="/versions/%d/paragraphs/%s?text=fr"' % (b, pid), page)
        self.assertRegex(page, r'href="/versions/%d\?text=fr#p\d+"' % b)  # In context
        self.assertNotRegex(page, r'href="/versions/%d#p\d+"' % b)
        self.assertIn('href="/versions/%d?text=fr">' % a, page)  # the lead's links to both versions
        self.assertIn('href="/versions/%d?text=fr">' % b, page)
        self.assertIn('href="%s?text=fr"' % path, page)  # the tabs
        self.assertIn('href="%s?view=inline&amp;text=fr"' % path, page)
        inline = self.s.get(path + "?view=inline&text=fr").text
        self.assertIn('href="/versions/%d/paragraphs/%s?text=fr"' % (b, pids[0]), inline)
        later = self.s.get(path + "?text=fr&from=1").text
        self.assertIn('<a href="%s?text=fr">' % path, later)  # back to its beginning
        later = self.s.get(path + "?view=inline&text=fr&from=1").text
        self.assertIn('<a href="%s?view=inline&amp;text=fr">' % path, later)
        # A language that follows the interface's (no ?text=) needs none: the links follow the interface too.
        plain = self.s.get(path, headers={"Accept-Language": "fr"}).text
        self.assertIn("Les partenaires sont choisis", plain)
        self.assertNotIn("text=fr", plain.replace('href="%s?text=en"' % path, ""))
        self.assertIn('href="/versions/%d/paragraphs/%s"' % (b, pids[0]), plain)
        # The own language chosen on a French interface: kept as well.
        own = self.s.get(path + "?text=en", headers={"Accept-Language": "fr"}).text
        self.assertIn('href="/versions/%d/paragraphs/%s?text=en"' % (b, pids[0]), own)
        # A language the versions lack is not shown, so not kept.
        missing = self.s.get(path + "?text=es", headers={"Accept-Language": "en"}).text
        self.assertIn('href="/versions/%d/paragraphs/%s"' % (b, pids[0]), missing)
        self.assertNotIn("?text=es", missing)


class ParagraphsPerLanguage(VersionTextCase):
    """The paragraphs export has a row per paragraph and language, with a language column, as the versions
    export has a row per version and language."""

    def rows(self, fmt):
        r = self.s.get("/api/v1/processes/%s/paragraphs.%s" % (self.slug, fmt))
        self.assertEqual(r.status, 200, r)
        if fmt == "csv":
            return list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"), newline="")))
        return [json.loads(line) for line in r.text.splitlines() if line.strip()]

    def test_a_row_per_paragraph_and_language(self):
        before = self.rows("csv")
        self.assertTrue(before)
        self.assertEqual({r["language"] for r in before}, {"en"})
        r = self.s.send_json("POST", "/api/v1/versions/%d/texts/fr" % self.may, {"markdown": FRENCH_MAY},
                             token=self.token)
        self.assertEqual(r.status, 200, r)
        for fmt in ("csv", "jsonl"):
            rows = self.rows(fmt)
            mine = [x for x in rows if str(x["version_id"]) == str(self.may)]
            en = [(x["paragraph_id"], str(x["number"])) for x in mine if x["language"] == "en"]
            fr = [(x["paragraph_id"], str(x["number"])) for x in mine if x["language"] == "fr"]
            self.assertTrue(en, fmt)
            self.assertEqual(fr, en, "the French rows carry the version's paragraph ids and numbers")
            self.assertEqual([x["language"] for x in mine], ["en"] * len(en) + ["fr"] * len(fr), fmt)
            french = " ".join(x["text"] for x in mine if x["language"] == "fr")
            self.assertIn("Les partenaires sont choisis", french, fmt)
            self.assertNotIn("Partners are chosen", french, fmt)
            self.assertIn("Partners are chosen", " ".join(x["text"] for x in mine if x["language"] == "en"))
            self.assertTrue(all(x["markdown"] for x in mine), fmt)
            self.assertEqual({x["language"] for x in rows if str(x["version_id"]) == str(self.april)}, {"en"}, fmt)
            self.assertEqual(len(rows), len(before) + len(fr), fmt)
        self.assertIn("one row per paragraph and language", self.s.get("/data").text)


class MeetingMailsInTheAccountsLanguage(test_mail.MailTestCase):
    """A meeting's later mails (a change, a cancellation, reminders, a place given) reach each participant in
    their account's language when it has one, else in the language they registered in."""

    def test_a_change_reaches_a_participant_in_their_accounts_language(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        office = s.account_token("office-acclang@example.org")
        r = s.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                        {"date": "2021-02-10", "title": "Meeting for accounts", "starts": "14:00", "ends": "16:00",
                         "room": "Room B-12"}, token=office)
        self.assertEqual(r.status, 201, r.text)
        mid = r.json()["id"]
        ivan = s.account_token("ivan-meet@example.org", role="stakeholder")
        path = "/api/v1/meetings/%d/registrations" % mid
        self.assertEqual(s.send_json("POST", path, token=ivan, headers={"Accept-Language": "en"}).status, 201)
        sink.wait(1, to="ivan-meet@example.org")
        s.query("UPDATE account SET language = 'ru' WHERE email = ?", ("ivan-meet@example.org",))
        r = s.send_json("PATCH", "/api/v1/meetings/%d" % mid, {"starts": "15:00", "ends": "17:00"}, token=office)
        self.assertEqual(r.status, 200, r.text)
        registered, changed = [m for _, _, m, _ in sink.wait(2, to="ivan-meet@example.org")]
        self.assertEqual((registered["Content-Language"], changed["Content-Language"]), ("en", "ru"))
