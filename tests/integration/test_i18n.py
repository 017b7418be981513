"""The interface's language (issue 14): negotiated per request from the switcher's cookie, then
Accept-Language (q-values), then the process's first language, then English; every page's <html lang>,
Arabic right to left; the layout's chrome and the common error pages in each of the six catalogues; the JSON
API's error message in the language of Accept-Language; a kept page per language; one style sheet by
logical properties; and the pseudo-locale crawl of every page reachable from the demo (public, back office,
account, error pages, forms' mistakes, the API's error messages): no interface string left unbracketed."""

import html.parser
import os
import re
import socket
import subprocess
import urllib.parse

from harness import CSRF_TOKEN, SLUG, Server, ServerTestCase, binary, contribution, db_url

# "Search" (the header's link) in each catalogue, as po/*.po says.
SEARCH = {"ar": "\u0628\u062d\u062b", "en": "Search", "es": "Buscar", "fr": "Rechercher",
          "ru": "\u041f\u043e\u0438\u0441\u043a", "zh": "\u641c\u7d22"}
NOT_FOUND = {"ar": "\u0644\u0627 \u062a\u0648\u062c\u062f \u0635\u0641\u062d\u0629 \u0639\u0644\u0649 \u0647\u0630\u0627 "
                   "\u0627\u0644\u0639\u0646\u0648\u0627\u0646.",
             "en": "There is no page at this address.", "es": "No hay ninguna p\u00e1gina en esta direcci\u00f3n.",
             "fr": "Il n\u2019y a pas de page \u00e0 cette adresse.",
             "ru": "\u041f\u043e \u044d\u0442\u043e\u043c\u0443 \u0430\u0434\u0440\u0435\u0441\u0443 \u043d\u0435\u0442 "
                   "\u0441\u0442\u0440\u0430\u043d\u0438\u0446\u044b.",
             "zh": "\u6b64\u5730\u5740\u6ca1\u6709\u9875\u9762\u3002"}


def html_lang(page):
    m = re.search(r'<html lang="([^"]+)"( dir="rtl")?>', page)
    return (m.group(1), bool(m.group(2))) if m else (None, False)


def search_label(page):
    m = re.search(r'<a class="search" href="/search">([^<]*)</a>', page)
    return m.group(1) if m else None


class Language(ServerTestCase):
    def get(self, path, accept=None, cookie=None):
        h = {}
        if accept is not None:
            h["Accept-Language"] = accept
        if cookie:
            h["Cookie"] = "consulta_lang=" + cookie
        return self.server.get(path, headers=h)

    def test_accept_language_chooses_each_of_the_six(self):
        for lang, word in SEARCH.items():
            r = self.get("/", accept=lang + ";q=0.9, de;q=0.1")
            self.assertEqual(r.status, 200)
            self.assertEqual(html_lang(r.text), (lang, lang == "ar"))
            self.assertEqual(search_label(r.text), word, lang)
            self.assertIn("Accept-Language", r.header("Vary") or "")
            self.assertIn('aria-current="true">', r.text)

    def test_accept_language_by_q_value_and_region(self):
        cases = [("de, ru;q=0.5, fr;q=0.8", "fr"), ("fr-CH, fr;q=0.9, en;q=0.8", "fr"), ("zh-Hans-CN", "zh"),
                 ("es-419", "es"), ("de, it", "en"), ("ar;q=0, ru;q=0.2", "ru"), ("", "en"), (None, "en")]
        for accept, lang in cases:
            self.assertEqual(html_lang(self.get("/about", accept=accept).text)[0], lang, accept)

    def test_switcher_keeps_the_language_in_a_cookie_over_accept_language(self):
        r = self.get("/language/ru?back=%2Fabout", accept="fr")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/about")
        cookie = r.header("Set-Cookie") or ""
        self.assertTrue(cookie.startswith("consulta_lang=ru;"), cookie)
        self.assertIn("Max-Age=31536000", cookie)
        self.assertEqual(html_lang(self.get("/about", accept="fr", cookie="ru").text)[0], "ru")
        # A cookie naming no language we offer counts for nothing.
        self.assertEqual(html_lang(self.get("/about", accept="fr", cookie="xx").text)[0], "fr")
        # The switcher on every page links each language back to the page it is on.
        page = self.get("/processes/" + SLUG).text
        for lang in SEARCH:
            self.assertIn('href="/language/%s?back=%s"' % (lang, urllib.parse.quote("/processes/" + SLUG, safe="")),
                          page)

    def test_switcher_goes_back_only_to_a_path_of_this_site(self):
        for back in ("//evil.example/", "https://evil.example/", "/\\evil.example", "", "about"):
            r = self.get("/language/fr?back=" + urllib.parse.quote(back, safe=""))
            self.assertEqual(r.status, 303, back)
            self.assertEqual(r.header("Location"), "/", back)
        r = self.get("/language/de?back=%2F", accept="fr")
        self.assertEqual(r.status, 404)
        self.assertIn(NOT_FOUND["fr"], r.text)
        self.assertIsNone(r.header("Set-Cookie"))

    def test_process_page_in_the_process_first_language_when_none_was_named(self):
        self.server.query("UPDATE process SET languages = 'es,en' WHERE slug = ?", (SLUG,))
        try:
            path = "/processes/" + SLUG
            self.assertEqual(html_lang(self.get(path).text)[0], "es")
            self.assertEqual(html_lang(self.get(path, accept="de").text)[0], "es")
            self.assertEqual(html_lang(self.get(path, accept="fr").text)[0], "fr")
            self.assertEqual(html_lang(self.get(path, cookie="zh").text)[0], "zh")
            self.assertEqual(html_lang(self.get("/about").text)[0], "en")  # not a process's page
        finally:
            self.server.query("UPDATE process SET languages = 'en' WHERE slug = ?", (SLUG,))

    def test_error_pages_and_api_errors_in_the_negotiated_language(self):
        for lang, sentence in NOT_FOUND.items():
            r = self.get("/no/such/page", accept=lang)
            self.assertEqual(r.status, 404)
            self.assertEqual(html_lang(r.text), (lang, lang == "ar"))
            self.assertIn("<p>%s</p>" % sentence, r.text)
            r = self.get("/api/v1/no-such-thing", accept=lang)
            self.assertEqual(r.status, 404)
            self.assertEqual(r.json()["error"], {"code": "not_found", "message": sentence, "fields": {}})
        r = self.server.request("DELETE", "/about", headers={"Accept-Language": "es"})
        self.assertEqual(r.status, 405)
        self.assertIn("Esta direcci\u00f3n no acepta este m\u00e9todo.", r.text)

    def test_too_large_in_french_with_its_unit(self):
        """The early 413 (from Content-Length alone) in French: 2 Mo, and what to do. Russian pages first: the
        answer must not be in the language a thread last served (it was, when the 413 was written before the
        thread was told this request's language)."""
        for _ in range(20):
            self.get("/about", accept="ru")
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nAccept-Language: fr\r\nContent-Length: 99999999\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        text = data.decode("utf-8", "replace")
        self.assertTrue(text.startswith("HTTP/1.1 413"), text[:200])
        self.assertIn("La requ\u00eate d\u00e9passe la limite de 2\u00a0Mo", text)
        self.assertIn("bouton Pr\u00e9c\u00e9dent", text)

    def test_kept_version_page_per_language(self):
        """A version's page is kept (web/page_cache.h) once per language: French asked twice stays French."""
        first = self.get("/versions/2", accept="fr")
        again = self.get("/versions/2", accept="fr")
        english = self.get("/versions/2", accept="en")
        arabic = self.get("/versions/2", accept="ar")
        for r, lang in ((first, "fr"), (again, "fr"), (english, "en"), (arabic, "ar")):
            self.assertEqual(r.status, 200)
            self.assertEqual(html_lang(r.text)[0], lang)
            self.assertIn("Accept-Language", r.header("Vary") or "")
        self.assertNotEqual(first.header("ETag"), english.header("ETag"))
        self.assertEqual(first.header("ETag"), again.header("ETag"))

    def test_dates_in_the_reader_language(self):
        """page_date() by ICU for the five other languages; English keeps its own form."""
        self.assertIn("Revised draft of 5 May 2020.", self.get("/versions/2", accept="en").text)
        self.assertIn("5 mai 2020", self.get("/versions/2", accept="fr").text)
        self.assertIn("5 de mayo de 2020", self.get("/versions/2", accept="es").text)
        self.assertIn("2020\u5e745\u67085\u65e5", self.get("/versions/2", accept="zh").text)
        self.assertIn("5 \u0645\u0627\u064a\u0648 2020", self.get("/versions/2", accept="ar").text)

    def test_style_sheet_has_no_left_or_right(self):
        """One sheet for both directions: logical properties only (the one mirrored box-shadow aside)."""
        css = self.get("/static/style.css").text
        physical = [line for line in css.splitlines()
                    if re.search(r"(margin|padding|border)-(left|right)\b|text-align:\s*(left|right)|"
                                 r"(^|[\s;{])(left|right):|float:\s*(left|right)", line)]
        self.assertEqual(physical, [])
        self.assertIn("margin-inline-start", css)


class Chrome(html.parser.HTMLParser):
    """The text of a page, split into the converted chrome (the header but the site's name and the languages'
    own names; the footer; the skip link; an error page's words) and the rest (main); links followed."""

    CHROME_SKIP = {"brand", "languages"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, zone) zone: 'chrome', 'skip' (not checked), 'main', None
        self.chrome, self.rest, self.links = [], [], []

    def zone(self):
        return self.stack[-1][1] if self.stack else None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = set((a.get("class") or "").split())
        z = self.zone()
        if tag in ("header", "footer") and "site" in cls:
            z = "chrome"
        elif tag == "a" and "skip" in cls:
            z = "chrome"
        elif z == "chrome" and (cls & self.CHROME_SKIP or (tag == "a" and a.get("href") == "/account")):
            z = "skip"  # names, not interface text: the site's, each language's own, the account holder's
        elif tag == "main":
            z = "main"
        elif tag in ("script", "style", "title"):
            z = "skip"
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag not in ("meta", "link", "input", "br", "img", "hr", "col", "source", "wbr", "area"):
            self.stack.append((tag, z))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            return
        if self.zone() == "chrome":
            self.chrome.append(text)
        elif self.zone() == "main":
            self.rest.append(text)


def bracketed(text):
    return text.startswith("[") and text.endswith("]")


class PseudoLocale(ServerTestCase):
    """Every page reachable from the demo in the pseudo-locale (test builds: en-XA), with no interface string left
    unbracketed: the public pages, the back office and the account pages logged in as the demo's secretariat, the
    error pages (403, 404, 405, 414, a form's 401 and 422s) and the JSON API's error `message`s (and each field's)
    for a sample of bad requests. A text node passes if it is inside a bracketed sentence, or is content (a text
    the database holds), or data (dates, numbers, zones, codes); see Crawl below."""

    SHARED = False

    def demo_server(self):
        """A server on the demo as `make run` makes it: the demo's secretariat first (with a password), then the
        demo with its sample contributions, answered by that secretariat and published."""
        s = Server(self.NOW, demo=False)
        self._own.append(s)
        for args, stdin in ((["init"], None), (["user", "add", "--role", "secretariat", "--email", DEMO_SECRETARIAT,
                                                "--name", "Demo secretariat", "--password-stdin"], OFFICE_PASSWORD),
                            (["demo", "--contributions"], None)):
            p = subprocess.run([binary(), "--db", db_url(s.db)] + args, input=(stdin or "") + "\n",
                               capture_output=True, text=True, timeout=120, env=dict(os.environ, CONSULTA_NOW=s.now))
            self.assertEqual(p.returncode, 0, (args, p.stderr))
        s.prepared = True if s.prepared is not None else None
        s.start()
        return s

    def test_crawl_in_the_pseudo_locale(self):
        self.maxDiff = None
        crawl = Crawl(self, self.demo_server())
        crawl.run()
        print("\npseudo-locale crawl: %d pages (%d kinds), %d API answers, %d text nodes checked; not on the "
              "layout (checked by their own tests): %s" % (len(crawl.pages), len(crawl.kinds), crawl.api_answers,
                                                          crawl.checked, ", ".join(sorted(crawl.outside)) or "none"))
        self.assertGreater(len(crawl.kinds), 60, sorted(crawl.kinds))
        self.assertIn("/office/letters/N?done", crawl.kinds)
        self.assertEqual(crawl.problems, [], "interface strings not bracketed in the pseudo-locale")


# -- the back office, the account pages and the API's messages (issue 14, item 1) ------------------------------

OFFICE_EMAIL = "sec@gca.example"
OFFICE_PASSWORD = "a long passphrase for the tests"
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December")


class Interface(Chrome):
    """The text nodes of <main> that should be the interface's (bracketed in the pseudo-locale): not inside an
    element marked translate="no" (content, by HTML's own meaning), a <code>, <blockquote> or <textarea> (data
    and content), nor a section another part converts (skip_sections: the ids its aria-labelledby names). A node
    inside a bracketed sentence (html_tr: its markup splits it into several nodes) is the interface's, translated.
    Country names are item 2's (iso-codes' translations), not a catalogue's."""

    VOID = ("meta", "link", "input", "br", "img", "hr", "col", "source", "wbr", "area")

    def __init__(self, skip_sections=()):
        super().__init__()  # the stack of (tag, zone), here 'main', 'skip' or None, and the links: Chrome's
        self.skip_sections = set(skip_sections)
        self.depth = 0  # of open '[' in the text of <main> so far
        self.nodes = []  # (text, inside a bracketed sentence)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        z = self.zone()
        if tag == "main":
            z = "main"
        elif z == "main" and (a.get("translate") == "no" or tag in ("code", "blockquote", "textarea", "script")
                              or a.get("aria-labelledby") in self.skip_sections
                              or (tag == "select" and a.get("name") == "country")):
            z = "skip"
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag not in self.VOID:
            self.stack.append((tag, z))

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or self.zone() not in ("main", "skip"):
            return
        inside = self.depth > 0 or "[" in text or "]" in text
        self.depth = max(0, self.depth + text.count("[") - text.count("]"))
        if self.zone() == "main":
            self.nodes.append((text, inside))


class OfficeInterface(ServerTestCase):
    """The back office and the account pages in the reader's language: every interface string of the pages
    converted is bracketed in the pseudo-locale (a crawl of the office, logged in as the secretariat); a form's
    error in French; the API's `message` in French with its `error` code unchanged."""

    SHARED = False
    NOW = "2021-02-01T10:00:00Z"
    # Sections of the process's office page that other parts convert (the report: page_report.c), and the
    # pages they own.
    OTHERS = ("report",)
    NOT_MINE = re.compile(r"^/office/pages/|/matrix$")

    def office(self):
        s = self.fresh_server()
        s.account_token(OFFICE_EMAIL, password=OFFICE_PASSWORD)
        r = s.post_form("/login", {"email": OFFICE_EMAIL, "password": OFFICE_PASSWORD, "next": "/office"})
        self.assertEqual(r.status, 303, r)
        for name, value in r.headers.items():
            if name.lower() == "set-cookie" and value.startswith("consulta_session="):
                return s, value.split(";")[0].split("=", 1)[1]
        self.fail("no session cookie after logging in")

    def content(self, s):
        """Every text the database holds (the secretariat's and the stakeholders' words: never translated),
        whitespace collapsed, in one string to look text nodes up in."""
        texts = []
        for table in ("process", "category", "call", "document", "version", "milestone", "milestone_move",
                      "call_change", "contribution", "comment", "account", "holding", "meeting", "paragraph",
                      "disposition", "campaign", "circular", "circular_draft", "meeting_registration"):
            for row in s.query("SELECT * FROM %s" % table):
                texts += [" ".join(v.split()) for v in row if isinstance(v, str)]
        return "\n".join(texts)

    # The call's state in words comes from core/call.c (call_state_label), whose strings the core's part marks.
    CORE_LABELS = {"Not yet open", "Open", "Closed"}

    @staticmethod
    def data(text):
        """A date, time, zone or number as our pages write them in the pseudo-locale (its dates are English)."""
        rest = re.sub(r"\b(%s)\b|\b[A-Z][A-Za-z_]+/[A-Za-z_/]+\b|\bUTC(\+\d+)?\b|\b\d+\b" % MONTHS, "", text)
        return not re.search(r"[A-Za-z]", rest)

    def not_interface(self, text, content):
        """Data or content, or pieces of them joined as the pages join them ("date: title", "name · address",
        "label — note"): nothing a catalogue should hold."""
        pieces = [x for x in re.split(r": |(?:^|\s)[\u2014\u00b7](?:\s|$)", text) if x.strip()]
        return all(self.data(x) or x.strip() in content or x.strip() in self.CORE_LABELS for x in pieces)

    def test_office_crawl_in_the_pseudo_locale_brackets_every_interface_string(self):
        s, session = self.office()
        cookie = "consulta_lang=en-XA; consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)
        content = self.content(s)
        seen, queue = set(), ["/office", "/office/audit", "/office/holding", "/account", "/login",
                              "/account/register", "/account/reset-request", "/account/reset?token=x"]
        pages, problems = 0, []
        while queue and pages < 40:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            r = s.get(path, headers={"Cookie": cookie})
            if not (r.header("Content-Type") or "").startswith("text/html"):
                continue
            self.assertLess(r.status, 500, path)
            pages += 1
            self.assertEqual(html_lang(r.text)[0], "en-XA", path)
            p = Interface(self.OTHERS)
            p.feed(r.text)
            for text, inside in p.nodes:
                if inside or self.not_interface(text, content):
                    continue
                problems.append("%s: %r" % (path, text))
            for href in p.links:
                u = urllib.parse.urlsplit(href)
                if (u.scheme or u.netloc or not u.path.startswith("/office") or self.NOT_MINE.search(u.path)
                        or re.search(r"\.(csv|xlsx|pdf|ics|atom|json)$", u.path)):
                    continue
                queue.append(u.path + ("?" + u.query if u.query else ""))
        self.assertGreater(pages, 15)
        self.assertEqual(problems, [], "interface strings not bracketed in the pseudo-locale")

    LETTERS_AND_MEETINGS = re.compile(r"^/office/(letters|circulars|meetings)/|^/office/processes/[^/]+/meetings/new$")

    def test_letters_and_meetings_office_pages_bracket_every_interface_string(self):
        """The office pages of letters (a draft, the confirmation of its issue, an issued letter's distribution)
        and of meetings (new, one meeting, the confirmation of its cancelling), reached from the process's office
        pages: every interface string bracketed in the pseudo-locale, the draft's preview (the letter's own
        chrome) included."""
        s, session = self.office()
        slug = s.query("SELECT slug FROM process ORDER BY id")[0][0]
        headers = {"Cookie": "consulta_session=%s" % session}
        fields = {"subject": "Pseudo-locale letter", "for_action": "", "for_information": "", "references": "",
                  "corrects": "", "markdown": "Dear colleagues.", "contact": "The secretariat", "schedule_annex": "0"}
        r = s.post_form("/office/processes/%s/letters" % slug, fields, headers=headers)
        self.assertEqual(r.status, 303, r)
        draft = r.header("Location").split("?")[0]
        r = s.post_form("/office/processes/%s/meetings" % slug, {"title": "Pseudo-locale meeting",
                        "date": "2021-03-01", "format": "online", "capacity": "2"}, headers=headers)
        self.assertEqual(r.status, 303, r)
        meeting = r.header("Location").split("?")[0]
        cookie = "consulta_lang=en-XA; consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)
        content = self.content(s)
        seen, queue = set(), ["/office/processes/" + slug, r.header("Location"), draft + "?done=saved"]
        pages, problems = [], []
        # the draft's preview is the letter's own chrome (core/circular_document.c): its annex too
        s.post_form(draft, dict(fields, schedule_annex="1", for_action="member-states"), headers=headers)

        def check(path, r):
            self.assertLess(r.status, 500, path)
            self.assertEqual(html_lang(r.text)[0], "en-XA", path)
            pages.append(path)
            p = Interface(self.OTHERS)
            p.feed(r.text)
            problems.extend("%s: %r" % (path, t) for t, inside in p.nodes
                            if not inside and not self.not_interface(t, content))
            return p.links

        while queue and len(pages) < 30:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            r = s.get(path, headers={"Cookie": cookie})
            if not (r.header("Content-Type") or "").startswith("text/html"):
                continue
            for href in check(path, r):
                u = urllib.parse.urlsplit(href)
                if not u.scheme and not u.netloc and self.LETTERS_AND_MEETINGS.search(u.path) \
                        and not u.path.endswith(".csv"):
                    queue.append(u.path + ("?" + u.query if u.query else ""))
        # the confirmation pages of issuing a letter and cancelling a meeting (a first POST shows them)
        lang = {"Cookie": cookie}
        check(draft + "/issue", s.post_form(draft + "/issue", {}, headers=lang))
        check(meeting + "/cancel", s.post_form(meeting + "/cancel", {"reason": "A test"}, headers=lang))
        # a form's mistakes
        check(meeting, s.post_form(meeting, {"title": "", "format": "nowhere", "capacity": "x"}, headers=lang))
        # the public side of letters: the archive and an issued letter's page (its chrome; its text is content)
        letter = s.query("SELECT id FROM circular ORDER BY id")[0][0]
        for path in ("/letters", "/letters/%d" % letter):
            check(path, s.get(path, headers=lang))
        self.assertTrue(any(p.startswith("/office/circulars/") for p in pages), pages)
        self.assertTrue(any(p.startswith("/office/letters/") for p in pages), pages)
        self.assertTrue(any(p.endswith("/meetings/new") for p in pages), pages)
        self.assertEqual(problems, [], "interface strings not bracketed in the pseudo-locale")

    def test_letters_office_page_in_french(self):
        """A draft letter's office page and a meeting's form mistakes in French; English by default."""
        s, session = self.office()
        slug = s.query("SELECT slug FROM process ORDER BY id")[0][0]
        fr = {"Cookie": "consulta_lang=fr; consulta_session=%s" % session}
        r = s.post_form("/office/processes/%s/letters" % slug, {"subject": "Lettre", "markdown": "Texte.",
                        "schedule_annex": "0"}, headers=fr)
        self.assertEqual(r.status, 303, r)
        r = s.get(r.header("Location"), headers=fr)
        self.assertIn("<h1>Projet de lettre</h1>", r.text)
        self.assertIn("Le projet est enregistr\u00e9.", r.text)
        self.assertIn(">Envoyer la lettre</button>", r.text)
        r = s.post_form("/office/processes/%s/meetings" % slug, {"title": "R", "date": "2021-03-01",
                        "format": "online", "capacity": "beaucoup"}, headers=fr)
        self.assertEqual(r.status, 422, r.text[:300])
        self.assertIn("Indiquez le nombre de places (0 pour aucune limite).", r.text)
        self.assertIn("<h2>La r\u00e9union n\u2019a pas \u00e9t\u00e9 ajout\u00e9e</h2>", r.text)
        r = s.post_form("/office/processes/%s/meetings" % slug, {"title": "R", "date": "2021-03-01",
                        "format": "online", "capacity": "beaucoup"}, headers={"Cookie": "consulta_session=%s" % session})
        self.assertIn("Give the number of places (0 for no limit).", r.text)

    def test_office_form_error_in_french(self):
        """A process created without a title: the summary, the field's message and the labels in French."""
        s, session = self.office()
        headers = {"Cookie": "consulta_lang=fr; consulta_session=%s" % session}
        r = s.post_form("/office/processes/new", {"slug": "sans-titre", "title": "", "timezone": "Europe/Zurich",
                                                  "languages": "fr"}, headers=headers)
        self.assertEqual(r.status, 422, r.text[:300])
        self.assertEqual(html_lang(r.text)[0], "fr")
        self.assertIn("<title>Erreur\u00a0: Cr\u00e9er un processus \u2014 Consulta</title>", r.text)
        self.assertIn("<h2>Le processus n\u2019a pas \u00e9t\u00e9 cr\u00e9\u00e9</h2>", r.text)
        self.assertIn(">Nom court pour les adresses (slug)</label>", r.text)
        self.assertIn(">Cr\u00e9er le processus</button>", r.text)
        # The same form in English, by default.
        r = s.post_form("/office/processes/new", {"slug": "sans-titre", "title": ""},
                        headers={"Cookie": "consulta_session=%s" % session})
        self.assertIn("<h2>The process was not created</h2>", r.text)

    def test_login_error_in_french(self):
        s = self.fresh_server()
        r = s.post_form("/login", {"email": "nobody@example.org", "password": "wrong"},
                        headers={"Accept-Language": "fr"})
        self.assertEqual(r.status, 401)
        self.assertIn("<h2>Vous n\u2019\u00eates pas connect\u00e9</h2>", r.text)
        self.assertIn(">Mot de passe oubli\u00e9\u00a0?</a>", r.text)

    def test_api_error_message_in_french_with_its_code_unchanged(self):
        s = self.fresh_server()
        token = s.account_token(OFFICE_EMAIL, password=OFFICE_PASSWORD)
        cases = [
            # a message of web/api_office.c, and a field's message
            ("GET", "/api/v1/audit?limit=0", 422, "invalid",
             None, {"limit": "Indiquez un nombre d\u2019entr\u00e9es de 1 \u00e0 200."}),
            # a 404 of the API's own
            ("GET", "/api/v1/calls/no-such-call/contributions", 404, "not_found",
             "Cet appel \u00e0 contributions n\u2019existe pas.", None),
        ]
        for method, path, status, code, message, fields in cases:
            r = s.send_json(method, path, token=token, headers={"Accept-Language": "fr"})
            self.assertEqual(r.status, status, (path, r.text[:300]))
            err = r.json()["error"]
            self.assertEqual(err["code"], code, path)
            if message:
                self.assertEqual(err["message"], message, path)
            if fields:
                self.assertEqual(err["fields"], fields, path)
        # Not logged in: the early 401, in French, its code as before.
        r = s.request("GET", "/api/v1/audit", headers={"Accept-Language": "fr"})
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"]["code"], "unauthorized")
        self.assertEqual(r.json()["error"]["message"],
                         "Connectez-vous, ou envoyez un jeton d\u2019API (Authorization: Bearer ...).")
        # The JSON body refused, in Spanish.
        r = s.request("POST", "/api/v1/processes", body=b"{", headers={"Accept-Language": "es",
                                                                     "Authorization": "Bearer " + token,
                                                                     "Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r.text[:300])
        self.assertEqual(r.json()["error"]["code"], "bad_request")
        self.assertTrue(r.json()["error"]["message"].startswith("El cuerpo no es un JSON v\u00e1lido: "),
                        r.json()["error"]["message"])
class ReportPseudoLocale(ServerTestCase):
    """The report (a page of its own, outside the crawl's layout) in the pseudo-locale: every interface string
    of it — headings, captions, column headers, introductions, the sentences with values — is bracketed; only
    content (titles, reasons, names, dates, numbers) is not, and none of it sits in those elements alone."""

    # The elements whose text is ours; a caption or sentence holding content is still bracketed around it.
    OURS = re.compile(r'<(h2|caption|th scope="col"|p class="(?:intro|kind|made|totals)"|title)[^>]*>(.*?)</',
                      re.S)

    def test_report_strings_bracketed(self):
        r = self.server.get("/processes/%s/report" % SLUG, headers={"Cookie": "consulta_lang=en-XA"})
        self.assertEqual(r.status, 200)
        self.assertIn('<html lang="en-XA">', r.text)
        found = [(tag, re.sub(r"<[^>]+>", "", text).strip()) for tag, text in self.OURS.findall(r.text)]
        self.assertGreater(len(found), 30)
        self.assertEqual([(tag, t) for tag, t in found if t and not t.startswith("[")], [],
                         "interface strings of the report not bracketed")
        for empty in re.findall(r"<section class=\"part\"[^>]*>\s*<h2[^>]*>[^<]*</h2>\s*<p>([^<]*)</p>", r.text):
            self.assertTrue(bracketed(empty), empty)


# -- the public pages' own strings (issue 14 item 1, public part) ----------------------------------------------------

# The public pages whose own strings are converted: every text node in their <main> is either the catalogue's (in the
# pseudo-locale: bracketed, or accented, for the pieces of a sentence that holds markup) or content.
PUBLIC_CONVERTED = re.compile(r"^/($|processes/[^/]+$|versions/\d+$|versions/\d+/paragraphs/[^/]+$|calls/\d+$|"
                              r"calls/\d+/contribute$|calls/\d+/contributions$|contributions/[^/]+$|receipts/[^/]+$)")
PSEUDO_MARKS = set("[]\u00b7\u00e0\u00e7\u00e9\u00ee\u00f1\u00f6\u00fb\u0161\u00fd\u00c0\u00c9\u00ce\u00d6\u00db\u00c7"
                   "\u00d1\u0160\u00dd")
# Data, not words: dates and times as the pseudo-locale writes them (English), numbers, tracking numbers, time zones.
DATA = re.compile(r"^[\W\d_]*$|^[0-9a-f]{16,}$|^(\d{1,2}(\u2013\d{1,2})? )?(January|February|March|April|May|June|July|August|September|October|"
                  r"November|December)( \d{4})?\b.*$|^[A-Z0-9]{3,}(-[A-Z0-9]+)+$|^[A-Z][a-z]+/[A-Za-z_/]+$|"
                  r"^(UTC|GMT)\b.*$|^\d.*\b(UTC|GMT|time)\b.*$")
# Words on these pages that come from code outside the public pages' files, converted by another helper: a
# receipt's publication choice as core/receipt.c says it. Named, so that once converted it drops out of this list.
NOT_OURS = re.compile(r"^(Named|Anonymous|Private)\. (Published|Not published)\b.*$")


class Chunks(html.parser.HTMLParser):
    """The text nodes of a page's <main>, <option>s apart (a country's name is data)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.option, self.nodes = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag == "option":
            self.option += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        elif tag == "option":
            self.option -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and self.depth > 0 and not self.option:
            self.nodes.append(text)


class PublicPagesInThePseudoLocale(ServerTestCase):
    """Every interface string of the converted public pages reaches the reader through the catalogue."""

    def content(self):
        """Every text the database holds, whitespace collapsed: what the secretariat and the contributors typed."""
        if self.server.db.startswith("postgresql"):
            tables = [r[0] for r in self.server.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        else:
            tables = [r[0] for r in self.server.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
        texts = []
        for t in tables:
            if not re.match(r"^[a-z_]+$", t) or t.startswith("search"):
                continue
            for row in self.server.query("SELECT * FROM %s" % t):
                texts += [" ".join(html.unescape(v).split()) for v in row if isinstance(v, str)]
        return "\n".join(texts)

    def pages(self):
        seen, queue, out = set(), ["/"], []
        # One contribution with a comment, so that its receipt, its page and the lists show one.
        r = self.server.post_form("/calls/1/contribute", contribution(
            comment_1_paragraph="", comment_1_type="technical", comment_1_text="Say who reports.",
            comment_1_change="The secretariat reports.", action="send"))
        self.assertEqual(r.status, 303, r.text[:300])
        queue.append(r.header("Location"))
        while queue and len(out) < 40:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            r = self.server.get(path, headers={"Cookie": "consulta_lang=en-XA"})
            if r.status != 200 or not (r.header("Content-Type") or "").startswith("text/html"):
                continue
            if PUBLIC_CONVERTED.match(path):
                out.append((path, r.text))
            for href in re.findall(r'href="(/[^"#?]*)', r.text):
                if PUBLIC_CONVERTED.match(href) and href not in seen:
                    queue.append(href)
        return out

    def test_no_interface_string_of_the_converted_public_pages_is_left_unmarked(self):
        self.maxDiff = None
        pages = self.pages()
        content = self.content()
        kinds = {re.sub(r"\d+|/[a-z0-9-]+$", "N", p) for p, _ in pages}
        self.assertGreaterEqual(len(kinds), 7, sorted(kinds))
        problems = []
        for path, text in pages:
            p = Chunks()
            p.feed(text)
            for t in p.nodes:
                if set(t) & PSEUDO_MARKS or NOT_OURS.match(t) or all(
                        DATA.match(part) or part in content for part in re.split(r", |; ", t)):
                    continue  # a list of values ("Revised draft, 5 May 2020") is data and content
                problems.append("%s: %r" % (path, t))
        self.assertEqual(problems, [], "interface strings not marked for translation")


class PublicPagesInFrench(ServerTestCase):
    """A reader who asks for French reads the public pages' headings, form and errors in French."""

    def get(self, path):
        return self.server.get(path, headers={"Accept-Language": "fr"})

    def test_the_home_and_process_pages_have_french_headings(self):
        home = self.get("/").text
        self.assertIn("<h1>Consultations</h1>", home)
        self.assertIn("Projets de textes ouverts aux commentaires.", home)
        page = self.get("/processes/" + SLUG).text
        for heading in ("Calendrier", "Appels \u00e0 contributions", "R\u00e9unions", "Lettres circulaires",
                        "Qui peut contribuer", "Suivre cette consultation", "Le projet"):
            self.assertRegex(page, r"<h2 id=\"[a-z-]+\">%s</h2>" % re.escape(heading))
        self.assertIn('<th scope="col">\u00c9tape</th>', page)
        self.assertNotIn(">Schedule<", page)

    def test_the_contribution_form_and_its_errors_in_french(self):
        call = 1  # open at the tests' time (test_form.py)
        form = self.get("/calls/%d/contribute" % call).text
        self.assertIn("<h1>Envoyer une contribution</h1>", form)
        self.assertIn('<label for="f-category">Cat\u00e9gorie de partie prenante</label>', form)
        self.assertIn(">Envoyer la contribution</button>", form)
        # Sent empty: the summary's heading and the form's labels are this page's (translated here); the words
        # of each field's error are core's (core/contribution.c, converted by its own helper).
        r = self.server.post_form("/calls/%d/contribute" % call, {"action": "send"},
                                  headers={"Accept-Language": "fr"})
        self.assertEqual(r.status, 422, r.text[:300])
        self.assertIn("<h2>Votre contribution n\u2019a pas \u00e9t\u00e9 envoy\u00e9e</h2>", r.text)
        self.assertIn("<title>Erreur\u00a0: ", r.text)
        self.assertIn('<legend>\u00c0 votre sujet</legend>', r.text)
        self.assertNotIn("Your contribution was not sent", r.text)


class ComparisonOutcomeAndStatisticsInThePseudoLocale(PublicPagesInThePseudoLocale):
    """The comparison of two versions, "You said, we did", the statistics (and their charts), the public
    resolution matrix and the meetings' pages leave no interface string unmarked: every text node of <main> is bracketed, data, or the
    database's own text."""

    def paths(self):
        process = self.server.get("/processes/" + SLUG).text
        versions = sorted({int(v) for v in re.findall(r'href="/versions/(\d+)"', process)})
        self.assertGreaterEqual(len(versions), 2, "the demo has two versions of its draft")
        a, b = versions[0], versions[1]
        return ["/versions/%d/compare/%d" % (a, b), "/versions/%d/compare/%d?view=inline" % (a, b),
                "/versions/%d/compare/%d" % (a, a), "/versions/%d/you-said-we-did" % b,
                "/versions/%d/you-said-we-did" % a, "/calls/1/statistics", "/processes/%s/statistics" % SLUG,
                "/calls/1/matrix", "/calls/1/matrix?sort=contributor"] + sorted(
                    set(re.findall(r'href="(/meetings/\d+)"', process)))

    def test_no_interface_string_of_the_converted_public_pages_is_left_unmarked(self):
        self.maxDiff = None
        content = self.content()
        problems = []
        for path in self.paths():
            r = self.server.get(path, headers={"Cookie": "consulta_lang=en-XA"})
            self.assertEqual(r.status, 200, path)
            p = Chunks()
            p.feed(r.text)
            for t in p.nodes:
                if set(t) & PSEUDO_MARKS or NOT_OURS.match(t) or all(
                        DATA.match(part) or part in content for part in re.split(r", |; |: ", t)) or t.startswith("/"):
                    continue  # values, the database's texts, and addresses (the statistics' JSON)
                problems.append("%s: %r" % (path, t))
        self.assertEqual(problems, [], "interface strings not marked for translation")


class ComparisonOutcomeAndStatisticsInFrench(ServerTestCase):
    """A reader who asks for French reads the comparison, "You said, we did" and the statistics in French."""

    def get(self, path):
        r = self.server.get(path, headers={"Accept-Language": "fr"})
        self.assertEqual(r.status, 200, path)
        return r.text

    def test_headings_and_charts_in_french(self):
        process = self.get("/processes/" + SLUG)
        a, b = sorted({int(v) for v in re.findall(r'href="/versions/(\d+)"', process)})[:2]
        page = self.get("/versions/%d/compare/%d" % (a, b))
        self.assertIn("\u00a0: comparaison de deux versions</h1>", page)
        self.assertIn(">C\u00f4te \u00e0 c\u00f4te</a>", page)
        self.assertNotIn("two versions compared", page)
        page = self.get("/versions/%d/you-said-we-did" % b)
        self.assertIn("<h1>Vous avez dit, nous avons fait</h1>", page)
        page = self.get("/calls/1/statistics")
        self.assertIn("<h1>Statistiques\u00a0: ", page)
        self.assertIn('<h2 id="over-time">Dans le temps</h2>', page)
        self.assertIn('<th scope="col" class="number">Part</th>', page)  # render/chart.c's table
        self.assertNotIn(">Share<", page)
        meeting = re.search(r'href="(/meetings/\d+)"', process).group(1)
        page = self.get(meeting)
        self.assertIn('<h2 id="registration">Inscription</h2>', page)
        self.assertIn("Ajouter \u00e0 un agenda (iCalendar)", page)



# -- the whole site in the pseudo-locale (PseudoLocale) --------------------------------------------------------------

DEMO_SECRETARIAT = "secretariat@gca-demo.example"  # core/demo.h: `make run` makes it before the demo
STAKEHOLDER_EMAIL = "stakeholder-xa@example.org"


class PageText(html.parser.HTMLParser):
    """The text of a page laid out by page.c that should be the interface's: every text node of <body> (the
    header, <main>, the footer), the attributes people read (aria-label, alt, placeholder, title) and the <title>.
    Not checked: what is content or data by its element — translate="no" (HTML's own meaning), <code>,
    <blockquote>, <textarea>, <pre>; the site's name, the languages' own names, the account holder's name;
    country names (item 2: iso-codes' catalogues); what an element marks as in another language than the page's
    (lang="fr": a language's own name in a list of languages); a name that is also its element's id or its
    link's target (<h2 id="letters">letters</h2>: a file's name); on /data, the dictionary's cells (below). Each
    node says whether it sits inside a bracketed sentence (html_tr's markup splits one into several nodes)."""

    VOID = ("meta", "link", "input", "br", "img", "hr", "col", "source", "wbr", "area")
    CONTENT_TAGS = ("script", "style", "code", "blockquote", "textarea", "pre")
    READ_ATTRIBUTES = ("aria-label", "alt", "placeholder", "title")

    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.stack = []  # (tag, classes, zone, names): zone 'text' (checked), 'skip', 'title', or None (the head)
        self.lang = None  # the page's, from <html lang>
        self.depth = 0  # of open '[' in the body's text so far
        self.nodes, self.links, self.title = [], [], []

    def zone(self):
        return self.stack[-1][2] if self.stack else None

    def within(self, tag, cls=None):
        return any(t == tag and (cls is None or cls in c) for t, c, _, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = set((a.get("class") or "").split())
        z = self.zone()
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "body":
            z = "text"
        elif tag == "title" and not self.within("body"):  # the page's; an SVG's <title> in the body is text
            z = "title"
        elif z == "text" and (a.get("translate") == "no" or tag in self.CONTENT_TAGS or cls & {"brand", "languages"}
                              or (a.get("lang") and a["lang"] != self.lang)
                              or (tag == "a" and a.get("href") == "/account" and self.within("header", "site"))
                              or (tag == "select" and a.get("name") == "country")):
            z = "skip"
        if z == "text":
            for name in self.READ_ATTRIBUTES:
                if a.get(name) and a[name].strip():
                    self.nodes.append((" ".join(a[name].split()), "[" in a[name]))
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag not in self.VOID:
            names = {a.get("id"), (a.get("href") or "")[1:] if (a.get("href") or "").startswith("#") else None}
            self.stack.append((tag, cls, z, names - {None, ""}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        z = self.zone()
        if not text or z is None:
            return
        if z == "title":
            self.title.append(text)
            return
        if self.stack[-1][0] in ("script", "style"):
            return
        inside = self.depth > 0 or "[" in text or "]" in text
        self.depth = max(0, self.depth + text.count("[") - text.count("]"))
        if z == "text" and text not in self.stack[-1][3]:
            self.nodes.append((text, inside))


class Crawl:
    """The pseudo-locale crawl of PseudoLocale: follows every link of this site from the public pages (no session)
    and then from the back office (logged in as the demo's secretariat), at most PER_KIND pages of each kind (a
    path with its numbers and tracking numbers as N, and its query's names), then sends the forms' mistakes and
    the API's bad requests. Collects in self.problems each string that is neither bracketed, content nor data."""

    PER_KIND = 2
    MAX_PAGES = 400
    SKIP = re.compile(r"^/(static|api|language)/|^/healthz$|/logout$|download|"
                      r"\.(csv|xlsx|pdf|ics|atom|xml|json|jsonl|zip|docx|odt|txt)$")
    # Pieces of a node that are data as our pages write it in the pseudo-locale (its dates and numbers English):
    # dates, times and zones, numbers and sizes, tracking numbers, hashes, addresses, e-mail addresses.
    DATA = re.compile(r"^[\W\d_]*$|^[0-9a-f]{16,}$|^[A-Z0-9]{3,}(-[A-Z0-9]+)+$|^[\w.+-]+@[\w.-]+$|^https?://\S+$|"
                      r"^/\S*$|^(UTC|GMT)\b.*$|^\d.*\b(UTC|GMT|time)\b.*$|^[A-Z][a-z]+/[A-Za-z_/]+$|^\S+\.\w{2,4}$")

    def __init__(self, test, server):
        self.t, self.s = test, server
        self.pages, self.kinds, self.outside, self.problems = [], {}, set(), []
        self.seen = set()
        self.api_answers = self.checked = 0

    # -- the database's texts --------------------------------------------------------------------------------------

    def load_content(self):
        if self.s.db.startswith("postgresql"):
            tables = [r[0] for r in self.s.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        else:
            tables = [r[0] for r in self.s.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
        texts = set()
        for t in tables:
            if not re.match(r"^[a-z_0-9]+$", t) or t.startswith("search"):
                continue
            for row in self.s.query("SELECT * FROM %s" % t):
                for v in row:
                    if isinstance(v, str) and v.strip():
                        texts.add(" ".join(html.unescape(v).split()))
        self.content = "\n".join(sorted(texts))

    def is_content(self, piece):
        excerpt = piece.endswith("\u2026")  # "the first words of a paragr…", cut anywhere
        piece = piece[:-1].rstrip() if excerpt else piece
        return bool(piece) and re.search(r"(?<!\w)%s%s" % (re.escape(piece), "" if excerpt else r"(?!\w)"),
                                         self.content) is not None

    def is_data(self, piece):
        if self.DATA.match(piece):
            return True
        rest = re.sub(r"\b(%s)\b|\b[A-Z][A-Za-z_]+/[A-Za-z_/]+\b|\bUTC([+\u2212-]\d+(:\d\d)?)?\b|\b\d+\b" % MONTHS, "",
                      piece)
        return not re.search(r"[A-Za-z]", rest)

    def passes(self, text, inside):
        if inside or bracketed(text):
            return True
        if self.is_content(text) or self.is_data(text):
            return True
        # values and texts joined as the pages join them ("date: title", "name · address", "label — note")
        pieces = [x.strip() for x in re.split(r": |, |; |(?:^|\s)[\u2014\u00b7\u2013|](?:\s|$)|\(|\)", text)]
        return all(not x or self.is_data(x) or self.is_content(x) for x in pieces)

    # -- pages -----------------------------------------------------------------------------------------------------

    def kind(self, path):
        u = urllib.parse.urlsplit(path)
        segments = ["N" if re.search(r"\d", x) else x for x in u.path.split("/")]
        return "/".join(segments) + ("?" + "&".join(sorted({k for k, _ in urllib.parse.parse_qsl(u.query)}))
                                     if u.query else "")

    def check(self, where, r, session=None):
        """Checks one answer that is a page; returns its links."""
        self.t.assertLess(r.status, 500, where)
        if not (r.header("Content-Type") or "").startswith("text/html"):
            return []
        if '<header class="site">' not in r.text:  # a page of its own (the report, a letter's preview)
            self.outside.add(where)
            return []
        self.pages.append(where)
        self.t.assertEqual(html_lang(r.text)[0], "en-XA", where)
        path = urllib.parse.urlsplit(where.split(" ")[1] if " " in where else where).path
        p = PageText(path)
        p.feed(r.text)
        title = " ".join(p.title)
        self.t.assertTrue(title.endswith(" \u2014 Consulta"), (where, title))
        nodes = p.nodes + [(title[:-len(" \u2014 Consulta")], False)]
        for text, inside in nodes:
            self.checked += 1
            if not self.passes(text, inside):
                self.problems.append("%s: %r" % (where, text))
        return p.links

    def crawl(self, starts, cookie):
        queue = list(starts)
        while queue:
            path = queue.pop(0)
            if (cookie, path) in self.seen:
                continue
            self.seen.add((cookie, path))
            k = self.kind(path)
            if self.kinds.get(k, 0) >= self.PER_KIND:
                continue
            self.t.assertLess(len(self.pages), self.MAX_PAGES, "the crawl's cap was hit: raise it")
            self.kinds[k] = self.kinds.get(k, 0) + 1
            r = self.s.get(path, headers={"Cookie": cookie})
            if r.status in (301, 302, 303):
                continue  # a page that sends elsewhere: where it sends is a link of some page too
            for href in self.check(path, r):
                u = urllib.parse.urlsplit(html.unescape(href))
                if u.scheme or u.netloc or not u.path.startswith("/") or self.SKIP.search(u.path):
                    continue
                link = u.path + ("?" + u.query if u.query else "")
                if (cookie, link) not in self.seen:
                    queue.append(link)

    # -- accounts --------------------------------------------------------------------------------------------------

    def log_in(self, email, password):
        r = self.s.post_form("/login", {"email": email, "password": password})
        self.t.assertEqual(r.status, 303, r)
        for name, value in r.headers.items():
            if name.lower() == "set-cookie" and value.startswith("consulta_session="):
                return value.split(";")[0].split("=", 1)[1]
        self.t.fail("no session cookie after logging in as %s" % email)


    # -- the whole run ---------------------------------------------------------------------------------------------

    def run(self):
        s = self.s
        # One contribution with a comment, so that its receipt, its page and the lists show one.
        r = s.post_form("/calls/1/contribute", contribution(
            comment_1_paragraph="", comment_1_type="technical", comment_1_text="Say who reports.",
            comment_1_change="The secretariat reports.", action="send"))
        self.t.assertEqual(r.status, 303, r.text[:300])
        receipt = r.header("Location")
        token = s.account_token(STAKEHOLDER_EMAIL, role="stakeholder", password=OFFICE_PASSWORD)
        office_token = s.account_token("office-xa@example.org", password=OFFICE_PASSWORD)
        session = self.log_in(DEMO_SECRETARIAT, OFFICE_PASSWORD)
        stakeholder = self.log_in(STAKEHOLDER_EMAIL, OFFICE_PASSWORD)
        # A draft letter, so that the crawl reaches its office page (a draft is linked from the process's).
        r = s.post_form("/office/processes/%s/letters" % SLUG, {
            "subject": "A draft in the crawl", "markdown": "Dear colleagues.", "contact": "The secretariat",
            "schedule_annex": "1"}, headers={"Cookie": "consulta_session=" + session})
        self.t.assertEqual(r.status, 303, r)
        draft = r.header("Location")
        s.campaigns_settled()
        self.load_content()
        xa = "consulta_lang=en-XA; consulta_csrf=%s" % CSRF_TOKEN
        office = xa + "; consulta_session=" + session

        # the public pages, as the public sees them
        self.crawl(["/", receipt, "/about", "/privacy", "/search", "/search?q=water", "/letters", "/data", "/login",
                    "/account/register", "/account/reset-request", "/account/reset?token=x",
                    "/account/confirm?token=x", "/subscriptions/confirm?token=x", "/subscriptions/leave?token=x",
                    "/log/proof/inclusion", "/no/such/page"], xa)
        # the back office and the account pages, as the demo's secretariat
        self.crawl(["/office", "/office/audit", "/office/holding", "/account", "/office/processes/new",
                    "/office/pages/about", "/office/pages/privacy", draft], office)
        # the stakeholder's own page, and the back office refused to them (403)
        self.crawl(["/account", "/office"], xa + "; consulta_session=" + stakeholder)

        self.errors(xa, office)
        self.api(token, office_token)
        self.in_french(session)

    def in_french(self, session):
        """What the crawl made translatable reaches a French reader: the site page's editor, the report's section
        of the office page, the statistics' labels, a core message of the API."""
        fr = {"Cookie": "consulta_lang=fr; consulta_session=" + session}
        page = self.s.get("/office/pages/about", headers=fr).text
        self.t.assertIn(">Enregistrer la page</button>", page)
        self.t.assertIn(">Page publique</a>", page)
        page = self.s.get("/office/processes/" + SLUG, headers=fr).text
        self.t.assertIn(">Produire le PDF et le conserver</button>", page)
        page = self.s.get("/processes/%s/statistics" % SLUG, headers=fr).text
        self.t.assertIn("Formulaire web", page)
        self.t.assertNotIn("Web form", page)
        r = self.s.get("/api/v1/versions/1/compare/999999", headers={"Accept-Language": "fr"})
        self.t.assertEqual(r.status, 404, r)
        self.t.assertEqual(r.json()["error"]["message"], "Cette version n\u2019existe pas.")

    def errors(self, xa, office):
        """The error pages and the forms' mistakes, as pages."""
        s, slug = self.s, SLUG
        h = {"Cookie": xa}
        ho = {"Cookie": office}
        checks = [
            ("DELETE /about", s.request("DELETE", "/about", headers=h)),
            ("GET /xxx... (9000 characters: too long)", s.get("/" + "x" * 9000, headers=h)),
            ("POST /login (csrf)", s.post_form("/login", {"email": "a@b.example", "password": "x"}, headers=h,
                                               csrf="not-the-token")),
            ("POST /office/processes/new (no session)", s.post_form("/office/processes/new", {"title": ""},
                                                                    headers=h)),
            ("POST /login", s.post_form("/login", {"email": "nobody@example.org", "password": "wrong"}, headers=h)),
            ("POST /calls/1/contribute", s.post_form("/calls/1/contribute", {"action": "send"}, headers=h)),
            ("POST /calls/1/contribute (preview)", s.post_form("/calls/1/contribute", contribution(
                action="preview"), headers=h)),
            ("POST /account/register", s.post_form("/account/register", {"email": "x"}, headers=h)),
            ("POST /account/reset-request", s.post_form("/account/reset-request", {"email": ""}, headers=h)),
            ("POST /account/reset", s.post_form("/account/reset", {"token": "x", "password": "short"}, headers=h)),
            ("POST /processes/%s/subscribe" % slug, s.post_form("/processes/%s/subscribe" % slug,
                                                                {"email": "not an address"}, headers=h)),
            ("POST /subscriptions/leave", s.post_form("/subscriptions/leave", {"token": "x"}, headers=h)),
            ("POST /office/processes/new", s.post_form("/office/processes/new", {"slug": "Bad Slug", "title": ""},
                                                       headers=ho)),
            ("POST /office/processes/%s/calls" % slug, s.post_form("/office/processes/%s/calls" % slug,
                                                                   {"title": ""}, headers=ho)),
            ("POST /office/processes/%s/milestones" % slug, s.post_form("/office/processes/%s/milestones" % slug,
                                                                        {"title": "", "date": "x"}, headers=ho)),
            ("POST /office/processes/%s/meetings" % slug, s.post_form("/office/processes/%s/meetings" % slug, {
                "title": "", "date": "x", "format": "nowhere", "capacity": "x"}, headers=ho)),
            ("POST /office/processes/%s/documents" % slug, s.post_form("/office/processes/%s/documents" % slug,
                                                                       {"title": ""}, headers=ho)),
            ("POST /office/calls/1/deadline", s.post_form("/office/calls/1/deadline", {"closes_at": "x"}, headers=ho)),
            ("POST /office/calls/1/state", s.post_form("/office/calls/1/state", {"state": "x"}, headers=ho)),
            ("POST /office/pages/about", s.post_form("/office/pages/about", {"markdown": "x" * 300000}, headers=ho)),
        ]
        for where, r in checks:
            if r.status not in (301, 302, 303):
                self.check(where, r)
        statuses = {r.status for _, r in checks}
        self.t.assertTrue({401, 403, 405, 414, 422} <= statuses, statuses)

    def api(self, token, office_token):
        """The API's error message and each field's, for a sample of bad requests."""
        s, slug = self.s, SLUG
        xa = {"Accept-Language": "en-XA"}
        cases = [
            ("GET", "/api/v1/no-such-thing", None, None),
            ("GET", "/api/v1/calls/999999", None, None),
            ("GET", "/api/v1/processes/no-such-process", None, None),
            ("GET", "/api/v1/calls/1/contributions?after=x&before=y", None, None),
            ("GET", "/api/v1/calls/1/contributions?after=%%%", None, None),
            ("GET", "/api/v1/calls/1/contributions?page=-1", None, None),
            ("GET", "/api/v1/search", None, None),
            ("GET", "/api/v1/versions/999999/compare/1", None, None),
            ("GET", "/api/v1/contributions/NO-SUCH-ONE", None, None),
            ("POST", "/api/v1/calls/1/contributions", {}, None),
            ("POST", "/api/v1/calls/1/contributions", contribution(email="not an address", country="XX"), None),
            ("POST", "/api/v1/calls/1/contributions", b"{", None),
            ("POST", "/api/v1/subscriptions", {"email": "x"}, None),
            ("DELETE", "/api/v1/processes", None, None),
            ("GET", "/api/v1/audit", None, None),
            ("POST", "/api/v1/processes", {}, token),
            ("POST", "/api/v1/processes", {"slug": "Bad Slug"}, office_token),
            ("GET", "/api/v1/audit?limit=0", None, office_token),
            ("PATCH", "/api/v1/calls/1", {"closes_at": "x"}, office_token),
            ("POST", "/api/v1/processes/%s/milestones" % slug, {"title": ""}, office_token),
            ("POST", "/api/v1/processes/%s/meetings" % slug, {"date": "x", "format": "nowhere"}, office_token),
            ("POST", "/api/v1/processes/%s/calls" % slug, {}, office_token),
            ("POST", "/api/v1/comments/999999/disposition", {}, office_token),
        ]
        for method, path, body, tok in cases:
            r = s.send_json(method, path, body, token=tok, headers=xa)
            where = "%s %s" % (method, path)
            self.t.assertGreaterEqual(r.status, 400, (where, r.text[:300]))  # a bad request, said so
            self.t.assertLess(r.status, 500, (where, r.text[:300]))
            err = r.json()["error"]
            self.api_answers += 1
            for name, message in [("message", err["message"])] + sorted(err["fields"].items()):
                self.checked += 1
                if not bracketed(message):
                    self.problems.append("%s: %s %r" % (where, name, message))
