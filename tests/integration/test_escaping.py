"""
Hostile text typed into every field, through the form and through the API:
every page that shows it shows it escaped (never as markup), and the JSON
gives it back exactly as sent.
"""

import html
import re

from harness import CALL1_OPEN, ServerTestCase, contribution

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
AMP = "Smith &amp; Sons"
QUOTES = "O'Brien \"the quoter\" </textarea><b>bold</b>"

HOSTILE = {
    "name": SCRIPT + " " + QUOTES,
    "organization": IMG + " " + AMP,
    "text": "Paragraph 1: " + SCRIPT + "\n" + IMG + "\n" + AMP + "\n" + QUOTES + "\n<!-- -->]]>",
}
# Refused values are shown again in the form too: hostile ones in every field.
HOSTILE_REFUSED = dict(HOSTILE, email=IMG + "@example.org", country=SCRIPT, category=IMG, publication=SCRIPT)

# Any script but ours: the one that adds the reader's own time (static/localtime.js), from our origin.
RAW_MARKUP = re.compile(r"<script(?! src=\"/static/localtime\.js\" defer data-your-time=\"[^\"<>]*\"></script>)|<img|<b>|</textarea><b>|<!-- -->",
                        re.I)


class Escaping(ServerTestCase):
    NOW = CALL1_OPEN

    def assertEscaped(self, page, values):
        """page shows no raw markup of ours, and each value appears, escaped."""
        m = RAW_MARKUP.search(page)
        self.assertIsNone(m, "raw markup in the page: %r" % (page[max(0, m.start() - 80):m.end() + 80] if m else ""))
        for v in values:
            escaped = html.escape(v, quote=True).replace("&#x27;", "&#39;")
            self.assertIn(escaped, page, "the value %r is shown escaped" % v)

    def send_both_ways(self, server):
        """One contribution through the form, one through the API; returns their tracking numbers."""
        r = server.post_form("/calls/1/contribute", contribution(**HOSTILE))
        self.assertEqual(r.status, 303, r)
        by_form = r.header("Location").rsplit("/", 1)[1]
        by_api = server.contribute(**HOSTILE)["tracking"]
        return by_form, by_api

    def test_json_gives_the_text_back_verbatim(self):
        for t in self.send_both_ways(self.server):
            with self.subTest(tracking=t):
                c = self.server.get_json("/api/v1/contributions/" + t).json()
                self.assertEqual(c["name"], HOSTILE["name"])
                self.assertEqual(c["organization"], HOSTILE["organization"])
                self.assertEqual(c["text"], HOSTILE["text"])

    def test_contribution_page_escapes_everything(self):
        for t in self.send_both_ways(self.server):
            with self.subTest(tracking=t):
                r = self.server.get("/contributions/" + t)
                self.assertEqual(r.status, 200, r)
                self.assertEscaped(r.text, [HOSTILE["name"], HOSTILE["organization"], "Paragraph 1: " + SCRIPT, IMG,
                                            AMP, QUOTES])
                self.assertIn("Smith &amp;amp; Sons", r.text, "an entity typed is shown as typed")

    def test_receipt_page_has_no_markup_from_the_contribution(self):
        for t in self.send_both_ways(self.server):
            with self.subTest(tracking=t):
                r = self.server.get("/receipts/" + t)
                self.assertEqual(r.status, 200, r)
                self.assertEscaped(r.text, [])
                self.assertIn(t, r.text)

    def test_list_page_escapes_everything(self):
        s = self.fresh_server()
        self.send_both_ways(s)
        s.contribute(publication="anonymous", **dict(HOSTILE, name="Anonymous " + SCRIPT))
        r = s.get("/calls/1/contributions")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.text.count('<article class="contribution"'), 3)
        self.assertEscaped(r.text, [HOSTILE["name"], HOSTILE["organization"], IMG, AMP, QUOTES])
        self.assertNotIn("Anonymous &lt;script", r.text, "the anonymous one shows no name")

    def test_refused_form_shows_every_value_escaped(self):
        r = self.server.post_form("/calls/1/contribute", contribution(**HOSTILE_REFUSED))
        self.assertEqual(r.status, 422, r)
        page = r.text
        self.assertEscaped(page, [HOSTILE["name"], HOSTILE["organization"], HOSTILE_REFUSED["email"]])
        # the text is kept in the textarea, escaped, and the textarea is not closed early
        self.assertIn(html.escape(HOSTILE["text"], quote=True).replace("&#x27;", "&#39;"), page)
        self.assertEqual(page.count("</textarea>"), 1)
        for field in ("email", "country", "category", "publication"):
            self.assertIn('id="e-%s"' % field, page, "a message for %s" % field)

    def test_hostile_tracking_numbers_and_paths_are_not_reflected(self):
        for path in ("/contributions/%3Cscript%3E", "/receipts/%22%3E%3Cimg%20src=x%3E", "/calls/%3Cscript%3E",
                     "/processes/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/versions/%3Cimg%3E"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 404, r)
                self.assertIsNone(RAW_MARKUP.search(r.body.decode("utf-8", "replace")))

    def test_json_is_served_as_json_not_html(self):
        t = self.server.contribute(**HOSTILE)["tracking"]
        r = self.server.get_json("/api/v1/contributions/" + t)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")


class LogLines(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_a_request_cannot_forge_a_line_in_the_log(self):
        s = self.fresh_server()
        forged = "ts=2021-01-01T00:00:00.000Z event=contribution.received call=1 tracking=FAKE-FAKE-F"
        for path in ("/processes/x%0A" + forged.replace(" ", "%20"), "/processes/x%0D%0A" + forged.replace(" ", "%20"),
                     "/processes/x%22%20status=200", "/contributions/%1B[31mred"):
            self.assertEqual(s.get(path).status, 404)
        log = s.log()
        for line in log.splitlines():
            if line.startswith("==") or not line.strip():
                continue  # a sanitizer's lines, held against the test elsewhere
            self.assertTrue(line.startswith("ts="), "a log line that is not an entry: %r" % line)
            self.assertNotIn("\x1b", line)
        events = [line.split(" ")[1] for line in log.splitlines() if line.startswith("ts=")]
        self.assertNotIn("event=contribution.received", events, "no contribution was received")
        http = [l for l in log.splitlines() if "event=http " in l]
        self.assertEqual(len(http), 4)
        for line in http:
            self.assertRegex(line, r' path="[^"]*" status=404$')
