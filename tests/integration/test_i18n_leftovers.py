"""The interface's last English strings, in the reader's language (issue 14, items 1 and 2): the open-data
dictionary's descriptions, the Atom feeds' and the calendar's words (xml:lang the language used: the one asked
for, else the process's first), the letters' and meetings' validation messages from core, the comparison's
summary as whole sentences, one English word in two senses translated per sense (msgctxt), and a stakeholder
category named in the reader's language on the statistics, the receipt, the office's moderation list and the
feeds. Column names, JSON keys, slugs and codes stay as they are."""

import html
import re

from harness import CALL1_OPEN, SLUG, ServerTestCase, contribution
from test_mail import MailTestCase

FR = {"Accept-Language": "fr"}
PSEUDO = {"Cookie": "consulta_lang=en-XA"}
NBSP = "\u00a0"
SECRETARIAT = "sec@gca.example"
PASSWORD = "a long passphrase for the tests"


def unfold(ics):
    """An iCalendar text with its folded lines joined and its escapes undone."""
    return ics.replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n")


def feed_lang(atom):
    m = re.search(r'<feed[^>]*\sxml:lang="([^"]+)"', atom)
    return m.group(1) if m else None


def titles(atom):
    return [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", atom)]


class OfficeCase(ServerTestCase):
    """Each test changes the demo: its own server, and the secretariat's token and session."""

    SHARED = False
    NOW = CALL1_OPEN

    def office(self):
        s = self.fresh_server()
        return s, s.account_token(SECRETARIAT, password=PASSWORD)

    def session(self, s):
        """The cookie of a session of the secretariat's (office() made the account)."""
        r = s.post_form("/login", {"email": SECRETARIAT, "password": PASSWORD, "next": "/office"})
        return [v.split(";")[0] for k, v in r.headers.items()
                if k.lower() == "set-cookie" and v.startswith("consulta_session=")][0]


class Dictionary(ServerTestCase):
    """/data and /api/v1/dictionary: each file's and each column's description translated."""

    def rows(self, page):
        """(column, type, meaning) of every row of the dictionary's tables."""
        return re.findall(r'<tr><th scope="row"><code>([^<]*)</code></th><td translate="no">([^<]*)</td><td>([^<]*)</td></tr>',
                          page)

    def test_descriptions_in_french_with_the_column_names_and_types_as_they_are(self):
        r = self.server.get("/data", headers=FR)
        self.assertEqual(r.status, 200, r)
        rows = self.rows(r.text)
        self.assertGreater(len(rows), 100)
        meaning = {}
        for name, _, m in rows:
            meaning.setdefault(name, m)  # the first table's (contributions)
        self.assertEqual(html.unescape(meaning["tracking"]), "Le num\u00e9ro de suivi de la contribution, tel "
                         "qu\u2019il figure sur son accus\u00e9 de r\u00e9ception et sur sa page publique.")
        self.assertIn("Une contribution publi\u00e9e.", r.text)  # the file's description
        self.assertNotIn("The contribution's tracking number", html.unescape(r.text))
        self.assertIn(("tracking", "text"), [(n, t) for n, t, _ in rows], "a column's name and type are data")
        english = self.rows(self.server.get("/data").text)
        self.assertIn(("tracking", "text", "The contribution&#39;s tracking number, as on its receipt and its "
                       "public page."), english)

    def test_the_api_dictionary_in_the_readers_language_with_its_keys_and_names_unchanged(self):
        body = self.server.get("/api/v1/dictionary", headers=FR).json()
        files = {f["name"]: f for f in body["files"]}
        self.assertEqual(files["meetings"]["meaning"], "Une r\u00e9union du processus.")
        cols = {c["name"]: c for c in files["contributions"]["columns"]}
        self.assertEqual(cols["country"]["meaning"], "Le pays, sous forme de code ISO 3166-1 alpha-2.")
        self.assertEqual(cols["country"]["type"], "text")
        english = {f["name"]: f for f in self.server.get("/api/v1/dictionary").json()["files"]}
        self.assertEqual(english["meetings"]["meaning"], "One meeting of the process.")

    def test_every_description_bracketed_in_the_pseudo_locale(self):
        r = self.server.get("/data", headers=PSEUDO)
        rows = self.rows(r.text)
        self.assertGreater(len(rows), 100)
        for name, kind, meaning in rows:
            self.assertTrue(meaning.startswith("[") and meaning.endswith("]"), (name, meaning))
            self.assertFalse(name.startswith("[") or kind.startswith("["), name)
        # each file's description, before the sentence giving its addresses (bracketed too)
        described = re.findall(r'class="dataset"><h2 id="[^"]*">[^<]*</h2>\n<p>(.*?) \[', r.text)
        self.assertEqual(len(described), 12)
        for d in described:
            self.assertTrue(d.startswith("[") and d.endswith("]"), d)


class Feeds(ServerTestCase):
    """The Atom feeds and the calendar in the language asked for, else in the process's first language."""

    def test_news_feed_in_french_with_its_language_named(self):
        r = self.server.get("/processes/%s/feed.atom" % SLUG, headers=FR)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(feed_lang(r.text), "fr")
        self.assertIn("Accept-Language", r.header("Vary") or "", "the answer depends on the language asked")
        t = titles(r.text)
        self.assertTrue(t[0].endswith(NBSP + ": actualit\u00e9s"), t[0])
        self.assertTrue(any(x.startswith("Lettre circulaire CL-") for x in t), t)
        self.assertFalse(any(x.startswith(("Circular letter", "New version", "Moved to")) for x in t), t)
        self.assertIn("Un flux indique ce qui est nouveau", html.unescape(r.text))
        english = self.server.get("/processes/%s/feed.atom" % SLUG)
        self.assertEqual(feed_lang(english.text), "en")
        self.assertTrue(titles(english.text)[0].endswith(": news"))

    def test_every_title_of_the_news_feed_bracketed_in_the_pseudo_locale(self):
        r = self.server.get("/processes/%s/feed.atom" % SLUG, headers=PSEUDO)
        self.assertEqual(feed_lang(r.text), "en-XA")
        t = titles(r.text) + [html.unescape(x) for x in re.findall(r"<subtitle>([^<]*)</subtitle>", r.text)]
        self.assertGreater(len(t), 3)
        for x in t:  # our sentence around the secretariat's words: the whole of it is ours
            self.assertTrue(x.startswith("[") and x.endswith("]"), x)

    def test_contributions_feeds_in_french(self):
        self.server.contribute()
        for path in ("/processes/%s/contributions.atom" % SLUG, "/calls/1/feed.atom"):
            r = self.server.get(path, headers=FR)
            self.assertEqual(r.status, 200, (path, r))
            self.assertEqual(feed_lang(r.text), "fr", path)
            entries = titles(r.text)[1:]
            self.assertTrue(entries, path)
            self.assertTrue(all(x.startswith("Contribution ") and " \u00e0 l\u2019appel " in x for x in entries),
                            entries)

    def test_calendar_in_french(self):
        r = self.server.get("/processes/%s/calendar.ics" % SLUG, headers=FR)
        self.assertEqual(r.status, 200, r)
        text = unfold(r.text)
        self.assertIn("La derni\u00e8re minute pour envoyer une contribution", text)
        self.assertIn("dans son fuseau horaire", text)
        self.assertNotIn("The last minute to send", text)
        self.assertIn("The last minute to send", unfold(self.server.get("/processes/%s/calendar.ics" % SLUG).text))


class FeedsOfAFrenchProcess(OfficeCase):
    """A feed reader sends no cookie and often no Accept-Language: it reads the process's first language."""

    def test_a_reader_asking_for_nothing_gets_the_processs_first_language(self):
        s, token = self.office()
        r = s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"languages": "fr, en"}, token=token)
        self.assertEqual(r.status, 200, r)
        for path in ("/processes/%s/feed.atom" % SLUG, "/calls/1/feed.atom"):
            r = s.get(path)
            self.assertEqual(feed_lang(r.text), "fr", path)
            r = s.get(path, headers={"Accept-Language": "en"})
            self.assertEqual(feed_lang(r.text), "en", path)
            self.assertNotIn("\u00e0 l\u2019appel", r.text)


class CoreMessagesInFrench(OfficeCase):
    """core/circular.c's and core/meeting.c's messages, in the API and in the office's forms."""

    def test_letter_messages_in_french_with_their_codes_unchanged(self):
        s, token = self.office()
        path = "/api/v1/processes/%s/circulars" % SLUG
        letter = {"subject": "Consultation", "markdown": "Madame, Monsieur,", "addressees": ["nobody"]}
        r = s.send_json("POST", path, letter, token=token, headers=FR)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["code"], "invalid")
        self.assertEqual(r.json()["error"]["fields"]["addressees"], "Ce processus n\u2019a pas de cat\u00e9gorie nobody.")
        r = s.send_json("POST", path, dict(letter, addressees=[], issue=True), token=token, headers=FR)
        self.assertEqual(r.json()["error"]["fields"]["addressees"], "Indiquez au moins une cat\u00e9gorie \u00e0 "
                         "laquelle la lettre est adress\u00e9e pour suite \u00e0 donner.")
        r = s.send_json("POST", path, letter, token=token)
        self.assertEqual(r.json()["error"]["fields"]["addressees"], "There is no category nobody in this process.")

    def test_an_issued_letters_refusal_in_french(self):
        s, token = self.office()
        r = s.send_json("POST", "/api/v1/processes/%s/circulars" % SLUG,
                        {"subject": "Consultation", "markdown": "Texte.", "addressees": ["member-states"]},
                        token=token)
        self.assertEqual(r.status, 201, r)
        draft = r.json()["draft"]
        self.assertEqual(s.send_json("POST", "/api/v1/circular-drafts/%d/issue" % draft, token=token).status, 201)
        r = s.send_json("PATCH", "/api/v1/circular-drafts/%d" % draft, {"subject": "Autre"}, token=token, headers=FR)
        self.assertEqual(r.status, 409, r)
        self.assertIn("elle ne peut plus \u00eatre modifi\u00e9e" + NBSP + "; publiez un rectificatif.",
                      r.json()["error"]["message"])

    def test_a_letter_forms_error_in_french(self):
        s, _ = self.office()
        fr = {"Cookie": "consulta_lang=fr; " + self.session(s)}
        fields = {"subject": "Lettre", "markdown": "Texte.", "for_action": "nobody", "for_information": "",
                  "references": "", "corrects": "", "contact": "", "schedule_annex": "0"}
        r = s.post_form("/office/processes/%s/letters" % SLUG, fields, headers=fr)
        self.assertEqual(r.status, 422, r.text[:300])
        self.assertIn("Ce processus n\u2019a pas de cat\u00e9gorie nobody.", html.unescape(r.text))
        self.assertNotIn("There is no category", r.text)

    def test_a_meetings_messages_in_french(self):
        s, token = self.office()
        r = s.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                        {"date": "2021-03-01", "title": "", "format": "online", "starts": "10:00", "ends": "09:00"},
                        token=token, headers=FR)
        self.assertEqual(r.status, 422, r)
        fields = r.json()["error"]["fields"]
        self.assertEqual(fields["title"], "Indiquez le titre de la r\u00e9union.")
        self.assertEqual(fields["ends"], "La r\u00e9union doit se terminer apr\u00e8s son d\u00e9but.")


class CompareSummary(ServerTestCase):
    """The comparison's summary: one whole sentence per status, each with its plural, no glued list."""

    def versions(self):
        vs = self.server.get_json("/api/v1/processes/" + SLUG).json()["documents"][0]["versions"]
        return vs[0]["id"], vs[-1]["id"]

    def summary(self, page):
        m = re.search(r'<ul class="cmp-summary">\n(.*?)</ul>', page, re.S)
        self.assertIsNotNone(m, page[:200])
        return re.findall(r"<li>([^<]*)</li>", m.group(1))

    def test_whole_sentences_in_english_and_french(self):
        a, b = self.versions()
        path = "/versions/%d/compare/%d" % (a, b)
        self.assertEqual(self.summary(self.server.get(path).text),
                         ["5 paragraphs edited.", "2 paragraphs added.", "1 paragraph unchanged."])
        self.assertEqual(self.summary(self.server.get(path, headers=FR).text),
                         ["5 paragraphes modifi\u00e9s.", "2 paragraphes ajout\u00e9s.", "1 paragraphe inchang\u00e9."])
        ru = self.summary(self.server.get(path, headers={"Accept-Language": "ru"}).text)
        self.assertEqual(ru[0], "5 \u0430\u0431\u0437\u0430\u0446\u0435\u0432 \u0438\u0437\u043c\u0435\u043d\u0435"
                         "\u043d\u043e.")
        for item in self.summary(self.server.get(path, headers=PSEUDO).text):
            self.assertTrue(item.startswith("[") and item.endswith("]"), item)


class CategoriesInTheReadersLanguage(OfficeCase):
    """A category's name per language (given by the secretariat) wherever a category is shown."""

    def test_statistics_receipt_moderation_and_feed_name_the_category_in_the_readers_language(self):
        s, token = self.office()
        cats = s.get_json("/api/v1/processes/" + SLUG).json()["categories"]
        edit = {"categories": [dict(c, names={"fr": "Milieu universitaire (FR)"}) if c["slug"] == "academia" else c
                               for c in cats]}
        self.assertEqual(s.send_json("PATCH", "/api/v1/processes/" + SLUG, edit, token=token).status, 200)
        english = [c["name"] for c in cats if c["slug"] == "academia"][0]
        french = "Milieu universitaire (FR)"
        t = s.contribute(category="academia", publication="anonymous")["tracking"]
        s.campaigns_settled()
        # statistics: page (its chart) and JSON (the slug as it is, the name in the reader's language)
        page = html.unescape(s.get("/processes/%s/statistics" % SLUG, headers=FR).text)
        self.assertIn(french, page)
        self.assertNotIn(">%s<" % english, page)
        body = s.get("/api/v1/calls/1/statistics", headers=FR).json()
        academia = [c for c in body["categories"] if c["slug"] == "academia"][0]
        self.assertEqual(academia["name"], french)
        self.assertEqual([c for c in s.get("/api/v1/calls/1/statistics").json()["categories"]
                          if c["slug"] == "academia"][0]["name"], english)
        # the receipt's page
        receipt = html.unescape(s.get("/receipts/" + t, headers=FR).text)
        self.assertIn("<dd>%s</dd>" % french, receipt)
        self.assertIn("<dd>%s</dd>" % english, html.unescape(s.get("/receipts/" + t).text))
        # the office's list of contributions to moderate
        office = html.unescape(s.get("/office/calls/1/contributions?state=published",
                                     headers={"Cookie": "consulta_lang=fr; " + self.session(s)}).text)
        self.assertIn("<dd>%s</dd>" % french, office)
        # the contributions' feed: an anonymous sender is named by their category
        atom = html.unescape(s.get("/calls/1/feed.atom", headers=FR).text)
        self.assertIn("<name>Anonyme (%s)</name>" % french, atom)


class ReceiptMailCategory(MailTestCase):
    """A receipt's mail names the category in the mail's language, the first one and one sent again."""

    def test_the_receipt_mails_category_in_french(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        cats = s.get_json("/api/v1/processes/" + SLUG).json()["categories"]
        edit = {"categories": [dict(c, names={"fr": "Milieu universitaire (FR)"}) if c["slug"] == "academia" else c
                               for c in cats]}
        self.assertEqual(s.send_json("PATCH", "/api/v1/processes/" + SLUG, edit, token=token).status, 200)
        r = s.post_json("/api/v1/calls/1/contributions", contribution(email="marie@example.org"), headers=FR)
        self.assertEqual(r.status, 201, r)
        first = sink.wait(1, to="marie@example.org")[0][2]
        self.assertIn("Milieu universitaire (FR)", first.get_content())
        r = s.post_form("/receipts/%s/mail" % r.json()["tracking"], {}, headers=FR)
        self.assertIn(r.status, (200, 303), r)
        again = sink.wait(2, to="marie@example.org")[1][2]
        self.assertEqual(again["Content-Language"], "fr")
        self.assertIn("Milieu universitaire (FR)", again.get_content())


if __name__ == "__main__":
    import unittest
    unittest.main()


class MoreCoreMessagesInFrench(ServerTestCase):
    """The record's proof sizes, a missing version and report: messages a reader meets, in their language."""

    def test_a_proof_size_beyond_the_tree_in_french(self):
        r = self.server.get("/log/proof/inclusion?leaf=0&size=999999", headers=FR)
        self.assertEqual(r.status, 400, r)
        message = r.json()["error"]["message"]
        self.assertIn("La taille 999999 d\u00e9passe l\u2019arbre", message)
        r = self.server.get("/log/proof/consistency?first=1&second=999999", headers=FR)
        self.assertIn("La seconde taille 999999 d\u00e9passe l\u2019arbre", r.json()["error"]["message"])
        r = self.server.get("/log/proof/inclusion?leaf=0&size=999999")
        self.assertIn("The size 999999 is beyond the tree", r.json()["error"]["message"])

    def test_a_missing_version_and_report_in_french(self):
        r = self.server.get("/versions/999999", headers=FR)
        self.assertEqual(r.status, 404, r)
        self.assertIn("Cette version n\u2019existe pas.", html.unescape(r.text))
        self.assertNotIn("There is no such version", r.text)
