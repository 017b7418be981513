"""Content in several languages (issue 14, items 2 and 3): countries named in the reader's language from
iso-codes' translations and sorted by the reader's collation (the contribution form, the list of a call's
contributions, its statistics); the language a contribution is written in, declared by its sender (form field,
API member `language`) or recognised in its text (CLD2), shown in the back office, the API and the
open data; category names per language given by the secretariat (API and office form), shown in the reader's
language, else the process's first language; a version's texts per language, aligned paragraph by paragraph to
the same paragraph ids, refused when they do not align, shown in the reader's language with a notice and links
to the others when it has none in theirs."""

import csv
import io
import json
import re
import urllib.parse

from harness import CALL1_OPEN, CSRF_TOKEN, ServerTestCase, contribution, session_cookies

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

    def test_each_comment_records_its_language(self):
        # Not declared: the contribution's, recognised once (not comment by comment: core/contribution.c).
        t = self.server.contribute(text=FRENCH, comments=[{"paragraph": None, "comment": RUSSIAN},
                                                          {"paragraph": None, "comment": FRENCH},
                                                          {"paragraph": None, "comment": "OK."}])["tracking"]
        got = self.server.get_json("/api/v1/contributions/" + t).json()
        self.assertEqual(got["language"], "fr")
        self.assertEqual([c["language"] for c in got["comments"]], ["fr", "fr", "fr"])
        rows = self.server.query("SELECT m.language FROM comment m JOIN contribution c ON c.id = m.contribution_id "
                                 "WHERE c.tracking = ? ORDER BY m.position", (t,))
        self.assertEqual([r[0] for r in rows], ["fr", "fr", "fr"])
        # Declared: every comment is in the declared language.
        d = self.server.contribute(text=FRENCH, language="es",
                                   comments=[{"paragraph": None, "comment": RUSSIAN}])["tracking"]
        self.assertEqual([c["language"] for c in self.server.get_json("/api/v1/contributions/" + d).json()
                          ["comments"]], ["es"])
        # The open data's comments carry it.
        text = self.server.get("/api/v1/calls/1/comments.csv").text
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        self.assertEqual([r["language"] for r in rows if r["tracking"] == t], ["fr", "fr", "fr"])

    def test_open_data_has_the_language_column_and_the_dictionary_lists_it(self):
        t = self.server.contribute(text=RUSSIAN)["tracking"]
        text = self.server.get("/api/v1/calls/1/contributions.csv").text
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        mine = [r for r in rows if r["tracking"] == t]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["language"], "ru")
        self.assertIn('<th scope="row"><code>language</code></th>', self.server.get("/data").text)
        self.assertEqual(self.server.get_json("/api/v1/calls/1/contributions?per_page=100").status, 200)


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


class CategoryNames(ServerTestCase):
    """Each test edits the demo process: its own server."""

    SHARED = False
    NOW = CALL1_OPEN

    def login(self, s):
        s.account_token(SECRETARIAT, password=PASSWORD)
        return session_cookies(super().login(s, SECRETARIAT))

    def category_options(self, s, lang):
        page = s.get("/calls/1/contribute", headers={"Accept-Language": lang}).text
        return dict(options(page, "category"))

    def test_api_gives_names_per_language_shown_in_the_readers_language(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        slug = s.get_json("/api/v1/processes").json()["processes"][0]["slug"]
        cats = s.get_json("/api/v1/processes/" + slug).json()["categories"]
        first = cats[0]["slug"]
        edit = {"languages": "fr, en",
                "categories": [dict(c, names={"fr": "Nom fran\u00e7ais", "ZH": "\u4e2d\u6587\u540d"})
                               if c["slug"] == first else c for c in cats]}
        r = s.send_json("PATCH", "/api/v1/processes/" + slug, edit, token=token)
        self.assertEqual(r.status, 200, r)
        got = [c for c in r.json()["categories"] if c["slug"] == first][0]
        self.assertEqual(got["names"], {"fr": "Nom fran\u00e7ais", "zh": "\u4e2d\u6587\u540d"})
        self.assertEqual(got["base_name"], cats[0]["name"])
        self.assertEqual(self.category_options(s, "fr")[first], "Nom fran\u00e7ais")
        self.assertEqual(self.category_options(s, "zh")[first], "\u4e2d\u6587\u540d")
        # Russian has no name: the process's first language's (French) is shown.
        self.assertEqual(self.category_options(s, "ru")[first], "Nom fran\u00e7ais")
        # The list of a call's contributions names the category in the reader's language too.
        t = s.contribute(category=first)["tracking"]
        listed = s.get("/calls/1/contributions", headers={"Accept-Language": "fr"}).text
        self.assertIn("<dd>Nom fran\u00e7ais</dd>", listed)
        alone = s.get("/contributions/" + t, headers={"Accept-Language": "zh"}).text
        self.assertIn("<dd>\u4e2d\u6587\u540d</dd>", alone)
        # Another category, without names, keeps its name in every language.
        other = cats[1]
        self.assertEqual(self.category_options(s, "fr")[other["slug"]], other["name"])
        # The audit log records the change of names.
        audit = s.send_json("GET", "/api/v1/audit?kind=process.update", token=token).json()["entries"][0]
        self.assertEqual([c for c in audit["after"]["categories"] if c["slug"] == first][0]["names"]["fr"],
                         "Nom fran\u00e7ais")
        # A name's language must be a language tag.
        bad = {"categories": [dict(cats[0], names={"French": "x"})] + cats[1:]}
        r = s.send_json("PATCH", "/api/v1/processes/" + slug, bad, token=token)
        self.assertEqual(r.status, 422, r)
        self.assertIn("categories", r.json()["error"]["fields"])

    def test_office_form_gives_names_per_language(self):
        s = self.fresh_server()
        cookie = self.login(s)
        slug = s.get_json("/api/v1/processes").json()["processes"][0]["slug"]
        page = s.get("/office/processes/" + slug, headers={"Cookie": cookie}).text
        self.assertIn('name="category_names"', page)
        m = re.search(r'<textarea[^>]*name="categories"[^>]*>([^<]*)</textarea>', page)
        categories = m.group(1).replace("&#39;", "'").replace("&amp;", "&")
        first = categories.split(":")[0].strip()
        fields = {"title": re.search(r'id="f-process-title" name="title"[^>]*value="([^"]*)"', page).group(1),
                  "categories": categories, "category_names": first + " es: Nombre espa\u00f1ol\n",
                  "csrf": s.csrf_token(cookie.split("consulta_session=")[1])}
        body = urllib.parse.urlencode(fields).encode()
        r = s.request("POST", "/office/processes/" + slug, body=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        self.assertEqual(r.status, 303, r.text[:2000] if r.status != 303 else r)
        self.assertEqual(self.category_options(s, "es")[first], "Nombre espa\u00f1ol")
        page = s.get("/office/processes/" + slug, headers={"Cookie": cookie}).text
        self.assertIn(first + " es: Nombre espa\u00f1ol", page)
        # A line naming no category is refused, with the field named.
        fields["category_names"] = "no-such-category fr: Rien\n"
        body = urllib.parse.urlencode(fields).encode()
        r = s.request("POST", "/office/processes/" + slug, body=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        self.assertEqual(r.status, 422, r)
        self.assertIn('id="e-process-category_names"', r.text)


FRENCH_MAY = """> **Texte d'exemple.** Ce document a \u00e9t\u00e9 \u00e9crit pour la d\u00e9monstration de Consulta.

## 1. Objet

Les pr\u00e9sentes lignes directrices d\u00e9crivent comment l'organisation utilise le Programme mondial cybers\u00e9curit\u00e9.

## 2. Champ d'application

Les lignes directrices s'appliquent \u00e0 toutes les activit\u00e9s du secr\u00e9tariat en mati\u00e8re de cybers\u00e9curit\u00e9.

## 3. Principes

1. Les activit\u00e9s sont organis\u00e9es selon les cinq piliers du Programme.
2. Les activit\u00e9s respectent le mandat donn\u00e9 par les membres.
3. Les partenaires sont choisis de mani\u00e8re ouverte.

## 4. Rapports

Le secr\u00e9tariat fait rapport chaque ann\u00e9e \u00e0 l'organe directeur.

| Pilier | Unit\u00e9 responsable | Rapport |
|---|---|---|
| Mesures juridiques | Affaires juridiques | Annuel |
"""


def para_ids(page):
    """The paragraph ids of a version page's text, in order."""
    return re.findall(r'<div class="para" id="([^"]+)">', page)


class VersionTextCase(ServerTestCase):
    """A fresh demo whose process is in English, French and Spanish; self.april and self.may (self.version) are
    its document's first and newest versions."""

    SHARED = False
    NOW = CALL1_OPEN

    def setUp(self):
        super().setUp()
        self.s = self.fresh_server()
        self.token = self.s.account_token(SECRETARIAT, password=PASSWORD)
        self.slug = self.s.get_json("/api/v1/processes").json()["processes"][0]["slug"]
        versions = self.s.get_json("/api/v1/processes/" + self.slug).json()["documents"][0]["versions"]
        self.april, self.may = versions[0]["id"], versions[-1]["id"]
        self.version = self.may
        r = self.s.send_json("PATCH", "/api/v1/processes/" + self.slug, {"languages": "en, fr, es"}, token=self.token)
        self.assertEqual(r.status, 200, r)


class VersionTexts(VersionTextCase):
    def put(self, lang, markdown):
        return self.s.send_json("POST", "/api/v1/versions/%d/texts/%s" % (self.version, lang), {"markdown": markdown},
                                token=self.token)

    def test_a_french_text_takes_the_versions_paragraph_ids(self):
        english = self.s.get("/versions/%d" % self.version, headers={"Accept-Language": "en"}).text
        r = self.put("fr", FRENCH_MAY)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["language"], "fr")
        v = self.s.get_json("/api/v1/versions/%d" % self.version).json()
        self.assertEqual((v["language"], list(v["texts"])), ("en", ["fr"]))
        self.assertEqual(self.s.get_json(v["texts"]["fr"]).json()["markdown"], FRENCH_MAY)
        # A French reader gets the French text, its paragraphs under the same ids as the English ones.
        french = self.s.get("/versions/%d" % self.version, headers={"Accept-Language": "fr"}).text
        self.assertIn("Les partenaires sont choisis", french)
        self.assertIn('<div lang="fr" dir="ltr">', french)
        self.assertEqual(para_ids(french), para_ids(english))
        self.assertTrue(para_ids(english))
        self.assertIn('href="/versions/%d?text=en"' % self.version, french)  # and a link to the English one
        # ?text= shows one text whatever the interface's language.
        asked = self.s.get("/versions/%d?text=fr" % self.version, headers={"Accept-Language": "en"}).text
        self.assertIn("Les partenaires sont choisis", asked)
        self.assertIn('href="/versions/%d?text=en"' % self.version, asked)
        # A Spanish reader: no Spanish text, the English one with a notice and a link to the French one.
        spanish = self.s.get("/versions/%d" % self.version, headers={"Accept-Language": "es"}).text
        # An Arabic reader: the English text left to right in the right-to-left page (inherited, its full stops
        # went to its lines' other end)
        arabic = self.s.get("/versions/%d" % self.version, headers={"Accept-Language": "ar"}).text
        self.assertIn('<html lang="ar" dir="rtl">', arabic)
        self.assertIn('<div lang="en" dir="ltr">', arabic)
        self.assertIn('id="text-language"', spanish)
        # the notice's sentence names the languages in Spanish words (the links below name each in its own)
        self.assertIn("no tiene texto en espa\u00f1ol: se muestra en ingl\u00e9s,", spanish)
        self.assertIn("\u0627\u0644\u0625\u0646\u062c\u0644\u064a\u0632\u064a\u0629", arabic)  # "in English", in Arabic words
        self.assertNotIn("English", arabic[arabic.index('id="text-language"'):arabic.index("</div>", arabic.index('id="text-language"'))])
        self.assertIn('href="/versions/%d?text=fr"' % self.version, spanish)
        self.assertIn("Partners are chosen openly", spanish)
        # A comment on a paragraph is on the same id in every text: the French page links to its comments.
        self.s.contribute(comments=[{"paragraph": para_ids(english)[-1], "comment": "Un commentaire."}])
        # Given again, the text replaces the last one.
        self.assertEqual(self.put("fr", FRENCH_MAY.replace("Annuel", "Chaque ann\u00e9e")).status, 200)
        french = self.s.get("/versions/%d?text=fr" % self.version).text
        self.assertIn("Chaque ann\u00e9e", french)

    def test_a_text_that_does_not_align_is_refused_naming_the_paragraph(self):
        # The second principle left out: the texts part at the version's \u00b66, its third principle (\u00b61 the
        # quote, \u00b62 Purpose, \u00b63 Scope, \u00b64 to 6 the principles), where the French text has a heading.
        short = FRENCH_MAY.replace("2. Les activit\u00e9s respectent le mandat donn\u00e9 par les membres.\n", "")
        r = self.put("fr", short)
        self.assertEqual(r.status, 422, r)
        message = r.json()["error"]["fields"]["markdown"]
        self.assertIn("at \u00b66: the version has a list item there, the fr text has a heading", message, message)
        # A heading made a paragraph: refused at its place.
        r = self.put("fr", FRENCH_MAY.replace("## 2. Champ d'application", "Champ d'application"))
        self.assertEqual(r.status, 422, r)
        self.assertIn("after \u00b62: the version has a heading or a rule there, the fr text has a paragraph",
                      r.json()["error"]["fields"]["markdown"])
        # Not one of the process's languages, the version's own language, no tag at all.
        for lang, field in (("ru", "language"), ("en", "language"), ("xx-yyyy", "language")):
            r = self.put(lang, FRENCH_MAY)
            self.assertEqual(r.status, 422, (lang, r))
            self.assertIn(field, r.json()["error"]["fields"])
        self.assertEqual(self.s.get_json("/api/v1/versions/%d" % self.version).json()["texts"], {})
        # Anyone may read; only the secretariat gives.
        r = self.s.send_json("POST", "/api/v1/versions/%d/texts/fr" % self.version, {"markdown": FRENCH_MAY})
        self.assertIn(r.status, (401, 403))
        self.assertEqual(self.s.get_json("/api/v1/versions/%d/texts/fr" % self.version).status, 404)

    def login(self):
        session = super().login(self.s, SECRETARIAT)
        return session_cookies(session), session

    def test_the_office_page_gives_a_text_and_names_the_paragraph_it_refuses(self):
        cookie, session = self.login()
        page = self.s.get("/office/processes/" + self.slug, headers={"Cookie": cookie}).text
        self.assertIn('href="/office/versions/%d/texts"' % self.version, page)
        page = self.s.get("/office/versions/%d/texts" % self.version, headers={"Cookie": cookie}).text
        self.assertEqual(sorted(v for v, _ in options(page, "language")), ["es", "fr"])  # not en, its own

        def post(fields):
            fields = dict(fields, csrf=self.s.csrf_token(session))
            return self.s.request("POST", "/office/versions/%d/texts" % self.version,
                                  body=urllib.parse.urlencode(fields).encode(),
                                  headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})

        r = post({"language": "fr", "markdown": FRENCH_MAY.replace("## 4. Rapports\n", "")})
        self.assertEqual(r.status, 422, r)
        self.assertIn("after \u00b66", r.text)
        self.assertIn('id="e-text-markdown"', r.text)
        r = post({"language": "fr", "markdown": FRENCH_MAY})
        self.assertEqual(r.status, 303, r)
        page = self.s.get(r.header("Location"), headers={"Cookie": cookie}).text
        self.assertIn('href="/versions/%d?text=fr"' % self.version, page)
        audit = self.s.send_json("GET", "/api/v1/audit?kind=version.text", token=self.token).json()["entries"]
        self.assertEqual(audit[0]["after"], {"language": "fr", "paragraphs": len(para_ids(
            self.s.get("/versions/%d?text=en" % self.version).text))})


class OfficeShowsTheLanguage(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def test_moderation_page_says_each_contributions_language(self):
        s = self.fresh_server()
        s.account_token(SECRETARIAT, password=PASSWORD)
        s.contribute(text=RUSSIAN, email="ru@example.org", comments=[{"paragraph": None, "comment": FRENCH}])
        s.contribute(text="OK.", email="short@example.org")
        r = s.post_form("/login", {"email": SECRETARIAT, "password": PASSWORD, "next": "/office"})
        cookie = [v for k, v in r.headers.items() if k.lower() == "set-cookie" and v.startswith("consulta_session=")]
        cookie = "consulta_csrf=%s; %s" % (CSRF_TOKEN, cookie[0].split(";")[0])
        page = s.get("/office/calls/1/contributions?state=pending", headers={"Cookie": cookie}).text
        if "ru@example.org" not in page:
            page = s.get("/office/calls/1/contributions?state=published", headers={"Cookie": cookie}).text
        self.assertIn("<dt>Language</dt><dd>\u0420\u0443\u0441\u0441\u043a\u0438\u0439</dd>", page)
        self.assertIn("<dt>Language</dt><dd>Not recognised</dd>", page)
        # A comment's language, beside its type, for the secretariat.
        self.assertIn('<span class="comment-language" lang="ru" translate="no">\u0420\u0443\u0441\u0441\u043a\u0438\u0439</span>',
                      page)
        self.assertIn('<div class="text" lang="ru">', page)


FRENCH_APRIL = """> **Texte d'exemple.** Ce document a \u00e9t\u00e9 \u00e9crit pour la d\u00e9monstration de Consulta.

## 1. Objet

Les pr\u00e9sentes lignes directrices d\u00e9crivent comment l'organisation utilise le Programme mondial cybers\u00e9curit\u00e9 comme cadre de ses activit\u00e9s de coop\u00e9ration.

## 2. Champ d'application

Les lignes directrices s'appliquent aux activit\u00e9s du secr\u00e9tariat en mati\u00e8re de cybers\u00e9curit\u00e9.

## 3. Principes

1. Les activit\u00e9s sont organis\u00e9es selon les cinq piliers du Programme.
2. Les activit\u00e9s respectent le mandat donn\u00e9 par les membres.
3. Les partenaires sont choisis ouvertement.
"""

# A word the English text has not: what search must find in the French text only.
FRENCH_MAY_NETWORK = FRENCH_MAY.replace("utilise le Programme mondial", "utilise le r\u00e9seau mondial du Programme")


class VersionTextsFollowTheReader(VersionTextCase):
    """The rest of a version's texts per language: the paragraph pages and the comment form, two versions
    compared, search, open data and the API follow the reader's language, with the version page's notice and
    links when it is missing (web/page_paragraph.c: page_text_language, one mechanism for every page)."""

    def put(self, version, lang, markdown):
        r = self.s.send_json("POST", "/api/v1/versions/%d/texts/%s" % (version, lang), {"markdown": markdown},
                             token=self.token)
        self.assertEqual(r.status, 200, r)

    def get(self, path, lang):
        r = self.s.get(path, headers={"Accept-Language": lang})
        self.assertEqual(r.status, 200, (path, r))
        return r.text

    def partners_pid(self, version):
        """The id of the paragraph "Partners are chosen openly..." of version."""
        v = self.s.get_json("/api/v1/versions/%d" % version).json()
        return [p["id"] for p in v["paragraphs"] if p["text"].startswith("Partners are chosen")][0]

    def test_a_paragraph_page_and_the_comment_form_in_the_readers_language(self):
        self.put(self.may, "fr", FRENCH_MAY)
        pid = self.partners_pid(self.may)
        path = "/versions/%d/paragraphs/%s" % (self.may, pid)
        # A comment written in French on the paragraph: on its id, shown in every language.
        self.s.contribute(comments=[{"paragraph": pid, "comment": "Un commentaire \u00e9crit en fran\u00e7ais."}])
        french = self.get(path, "fr")
        self.assertIn('<div lang="fr" dir="ltr">', french)
        self.assertIn("Les partenaires sont choisis de mani\u00e8re ouverte.", french)
        self.assertNotIn("Partners are chosen openly", french)
        self.assertNotIn('id="text-language"', french)
        self.assertIn('href="%s?text=en"' % path, french)  # and a link to the English one
        self.assertIn("Un commentaire \u00e9crit en fran\u00e7ais.", french)
        english = self.get(path, "en")
        self.assertIn("Partners are chosen openly", english)
        self.assertIn("Un commentaire \u00e9crit en fran\u00e7ais.", english)
        self.assertIn('href="%s?text=fr"' % path, english)
        # ?text= whatever the interface's language.
        self.assertIn("Les partenaires sont choisis", self.get(path + "?text=fr", "en"))
        # Spanish: no Spanish text; the English one with the notice, and links to the others.
        spanish = self.get(path, "es")
        self.assertIn('id="text-language"', spanish)
        self.assertIn("Partners are chosen openly", spanish)
        self.assertIn('href="%s?text=fr"' % path, spanish)
        # The comment form offers the paragraphs in the reader's language, under the same ids.
        form = self.get("/calls/1/contribute?paragraph=%s" % pid, "fr")
        chosen = dict(options(form, "comment_1_paragraph"))
        self.assertTrue(chosen[pid].endswith("Les partenaires sont choisis de mani\u00e8re ouverte."), chosen[pid])
        chosen = dict(options(self.get("/calls/1/contribute?paragraph=%s" % pid, "en"), "comment_1_paragraph"))
        self.assertIn("Partners are chosen openly", chosen[pid])

    def test_two_versions_compared_in_the_readers_language_when_both_have_it(self):
        path = "/versions/%d/compare/%d" % (self.april, self.may)
        self.put(self.may, "fr", FRENCH_MAY)
        # Only the newer version in French: French readers get the English texts, with the notice.
        one = self.get(path, "fr")
        self.assertIn('id="text-language"', one)
        self.assertIn("Partners are chosen", one)
        self.assertNotIn('href="%s?text=fr"' % path, one)  # no comparison in French to link to
        self.put(self.april, "fr", FRENCH_APRIL)
        french = self.get(path, "fr")
        self.assertNotIn('id="text-language"', french)
        self.assertIn('class="cmp-text" lang="fr" dir="ltr"', french)
        # An Arabic reader (a right-to-left page) gets the English texts left to right: inherited, their full stops
        # went to their lines' other end
        arabic = self.get(path, "ar")
        self.assertIn('<html lang="ar" dir="rtl">', arabic)
        self.assertIn('class="cmp-text" lang="en" dir="ltr"', arabic)
        self.assertIn("Les partenaires sont choisis", french)
        self.assertIn("ouvertement", french)  # the older French text's word, deleted
        self.assertNotIn("Partners are chosen", french)
        self.assertIn('href="%s?text=en"' % path, french)
        inline = self.get(path + "?view=inline", "fr")
        self.assertIn("Les partenaires sont choisis", inline)
        self.assertIn('href="%s?view=inline&amp;text=en"' % path, inline)
        spanish = self.get(path, "es")
        self.assertIn('id="text-language"', spanish)
        self.assertIn("Partners are chosen", spanish)
        self.assertIn('href="%s?text=fr"' % path, spanish)
        self.assertIn("Les partenaires sont choisis", self.get(path + "?text=fr", "es"))
        # The API: ?text=fr when both have it, their own texts otherwise, and says which.
        api = self.s.get_json("/api/v1/versions/%d/compare/%d?text=fr" % (self.april, self.may)).json()
        self.assertEqual(api["language"], "fr")
        self.assertIn("Les partenaires sont choisis", str(api["paragraphs"]))
        api = self.s.get_json("/api/v1/versions/%d/compare/%d?text=es" % (self.april, self.may)).json()
        self.assertEqual(api["language"], "en")
        self.assertIn("Partners are chosen", str(api["paragraphs"]))

    def search(self, q):
        r = self.s.get_json("/api/v1/search?q=" + urllib.parse.quote(q))
        self.assertEqual(r.status, 200, r)
        return r.json()["results"]

    def test_search_finds_a_paragraph_of_a_french_text_and_links_to_it_in_french(self):
        self.assertEqual(self.search("r\u00e9seau"), [])
        self.put(self.may, "fr", FRENCH_MAY_NETWORK)
        pid = self.s.get_json("/api/v1/versions/%d" % self.may).json()["paragraphs"][1]["id"]  # Purpose's text
        for q in ("r\u00e9seau", "reseau"):
            hits = self.search(q)
            self.assertEqual([(h["type"], h["version"], h["anchor"], h["language"]) for h in hits],
                             [("paragraph", self.may, pid, "fr")], (q, hits))
            self.assertEqual(hits[0]["url"], "/versions/%d/paragraphs/%s?text=fr" % (self.may, pid))
        page = self.get("/search?q=" + urllib.parse.quote("r\u00e9seau"), "en")
        self.assertIn('href="/versions/%d/paragraphs/%s?text=fr" hreflang="fr"' % (self.may, pid), page)
        self.assertIn('<p class="snippet" lang="fr">', page)
        self.assertIn("r\u00e9seau mondial", self.get(hits[0]["url"], "en"))
        # The English text is still found as before, linked without a language.
        english = [h for h in self.search("stakeholders") if h["type"] == "paragraph" and h["version"] == self.may]
        self.assertTrue(english)
        self.assertTrue(all(h["language"] is None and "?text=" not in h["url"] for h in english), english)
        # Given again without the word: no longer found; the new text is.
        self.put(self.may, "fr", FRENCH_MAY)
        self.assertEqual(self.search("r\u00e9seau"), [])
        self.assertEqual(len([h for h in self.search("partenaires") if h["type"] == "paragraph"]), 1)

    def test_open_data_has_a_row_per_version_and_language_and_the_api_lists_the_languages(self):
        self.put(self.may, "fr", FRENCH_MAY)
        text = self.s.get("/api/v1/processes/%s/versions.csv" % self.slug).text
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        mine = [(r["language"], r["markdown"], r["url"]) for r in rows if r["version_id"] == str(self.may)]
        self.assertEqual([m[0] for m in mine], ["en", "fr"])
        self.assertEqual(mine[1][1].replace("\r\n", "\n"), FRENCH_MAY)
        self.assertTrue(mine[0][2].endswith("/versions/%d" % self.may), mine[0][2])
        self.assertTrue(mine[1][2].endswith("/versions/%d?text=fr" % self.may), mine[1][2])
        self.assertEqual([r["language"] for r in rows if r["version_id"] == str(self.april)], ["en"])
        lines = [json.loads(line) for line in self.s.get("/api/v1/processes/%s/versions.jsonl" % self.slug).text
                 .splitlines() if line.strip()]
        self.assertEqual([x["language"] for x in lines if str(x["version_id"]) == str(self.may)], ["en", "fr"])
        self.assertIn("one row per version and language", self.s.get("/data").text)
        v = self.s.get_json("/api/v1/versions/%d" % self.may).json()
        self.assertEqual(v["languages"], [
            {"language": "en", "own": True, "page": "/versions/%d?text=en" % self.may},
            {"language": "fr", "own": False, "page": "/versions/%d?text=fr" % self.may,
             "text": "/api/v1/versions/%d/texts/fr" % self.may}])
        self.assertEqual(self.s.get_json(v["languages"][1]["text"]).json()["markdown"], FRENCH_MAY)
