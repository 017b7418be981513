"""Content in several languages (issue 14, items 2 and 3): countries named in the reader's language from
iso-codes' translations and sorted by the reader's collation (the contribution form, the list of a call's
contributions, its statistics); the language a contribution is written in, declared by its sender (form field,
API member `language`) or recognised in its text (libexttextcat), shown in the back office, the API and the
open data; category names per language given by the secretariat (API and office form), shown in the reader's
language, else the process's first language; a version's texts per language, aligned paragraph by paragraph to
the same paragraph ids, refused when they do not align, shown in the reader's language with a notice and links
to the others when it has none in theirs."""

import csv
import io
import re
import urllib.parse

from harness import CALL1_OPEN, CSRF_TOKEN, ServerTestCase, contribution

SECRETARIAT = "secretariat@example.org"
PASSWORD = "a long passphrase for the tests"
FRENCH = ("Nous estimons que le projet de recommandation devrait mieux tenir compte des besoins des petites "
          "entreprises et des pays en d\u00e9veloppement, notamment en ce qui concerne les d\u00e9lais.")
RUSSIAN = ("\u041c\u044b \u0441\u0447\u0438\u0442\u0430\u0435\u043c, \u0447\u0442\u043e \u043f\u0440\u043e\u0435"
           "\u043a\u0442 \u0440\u0435\u043a\u043e\u043c\u0435\u043d\u0434\u0430\u0446\u0438\u0438 \u0434\u043e"
           "\u043b\u0436\u0435\u043d \u0443\u0447\u0438\u0442\u044b\u0432\u0430\u0442\u044c \u043f\u043e\u0442"
           "\u0440\u0435\u0431\u043d\u043e\u0441\u0442\u0438 \u043c\u0430\u043b\u044b\u0445 \u043f\u0440\u0435"
           "\u0434\u043f\u0440\u0438\u044f\u0442\u0438\u0439.")


def options(page, name):
    """The (value, text) of each option of the select named name."""
    m = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % name, page, re.S)
    assert m, "no select %s" % name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', m.group(1))


class ContributionLanguage(ServerTestCase):
    NOW = CALL1_OPEN

    def language_of(self, tracking):
        return self.server.query("SELECT language FROM contribution WHERE tracking = ?", (tracking,))[0][0]

    def test_api_declared_language_is_kept_and_made_canonical(self):
        t = self.server.contribute(text=FRENCH, language="ES")["tracking"]  # declared wins over the text
        self.assertEqual(self.language_of(t), "es")
        self.assertEqual(self.server.get_json("/api/v1/contributions/" + t).json()["language"], "es")

    def test_api_without_language_is_recognised_from_the_text(self):
        t = self.server.contribute(text=FRENCH)["tracking"]
        self.assertEqual(self.language_of(t), "fr")
        t = self.server.contribute(text=RUSSIAN)["tracking"]
        self.assertEqual(self.server.get_json("/api/v1/contributions/" + t).json()["language"], "ru")
        t = self.server.contribute(text="OK.")["tracking"]  # too short to tell: not known, not a guess
        self.assertEqual(self.language_of(t), "")

    def test_api_refuses_what_is_not_a_language_tag(self):
        r = self.server.post_json("/api/v1/calls/1/contributions", contribution(language="French"))
        self.assertEqual(r.status, 422, r)
        self.assertIn("language", r.json()["error"]["fields"])

    def test_form_offers_the_language_and_keeps_it(self):
        page = self.server.get("/calls/1/contribute").text
        opts = options(page, "language")
        self.assertEqual(opts[0][0], "")  # recognised from the text unless the sender says
        self.assertEqual(sorted(v for v, _ in opts[1:]), ["ar", "en", "es", "fr", "ru", "zh"])
        r = self.server.post_form("/calls/1/contribute", dict(contribution(text=FRENCH, language="fr",
                                                                           email="form.fr@example.org")))
        self.assertEqual(r.status, 303, r)
        row = self.server.query("SELECT language FROM contribution WHERE email = ?", ("form.fr@example.org",))[0]
        self.assertEqual(row[0], "fr")

    def test_open_data_has_the_language_column_and_the_dictionary_lists_it(self):
        t = self.server.contribute(text=RUSSIAN)["tracking"]
        text = self.server.get("/api/v1/calls/1/contributions.csv").text
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        mine = [r for r in rows if r["tracking"] == t]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["language"], "ru")
        self.assertIn("language", self.server.get("/data").text)


class CountryNames(ServerTestCase):
    NOW = CALL1_OPEN

    def get(self, path, lang):
        return self.server.get(path, headers={"Accept-Language": lang})

    def test_form_lists_countries_in_the_readers_language_and_order(self):
        fr = dict((v, t) for v, t in options(self.get("/calls/1/contribute", "fr").text, "country"))
        self.assertEqual(fr["CH"], "Suisse")
        self.assertEqual(fr["DE"], "Allemagne")
        order = [v for v, _ in options(self.get("/calls/1/contribute", "fr").text, "country") if v]
        # Allemagne before Argentine; \u00c9gypte among the E, before Espagne, not after Zimbabwe.
        self.assertLess(order.index("DE"), order.index("AR"))
        self.assertLess(order.index("EG"), order.index("ES"))
        self.assertLess(order.index("EG"), order.index("ZW"))
        zh = dict(options(self.get("/calls/1/contribute", "zh").text, "country"))
        self.assertEqual(zh["CN"], "\u4e2d\u56fd")
        en = dict(options(self.get("/calls/1/contribute", "en").text, "country"))
        self.assertEqual(en["CH"], "Switzerland")

    def test_list_and_statistics_name_countries_in_the_readers_language(self):
        self.server.contribute(country="DE")
        page = self.get("/calls/1/contributions", "es").text
        self.assertIn("Alemania", page)
        stats = self.get("/calls/1/statistics", "fr").text
        self.assertIn("Allemagne", stats)
