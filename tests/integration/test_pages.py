"""
The public pages: home, process (open now, schedule with its moved date),
a version with numbered paragraphs, a call; each with the security headers;
unknown addresses are 404.
"""

import re

from harness import CALL1_OPEN, SLUG, ServerTestCase

CSP = "default-src 'none'"


def section(page, heading_id):
    """The HTML of the <section> labelled by heading_id."""
    m = re.search(r'<section aria-labelledby="%s".*?</section>' % re.escape(heading_id), page, re.S)
    return m.group(0) if m else ""


class Pages(ServerTestCase):
    NOW = CALL1_OPEN

    def page(self, path):
        r = self.server.get(path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertTrue((r.header("Content-Security-Policy") or "").startswith(CSP), r.header("Content-Security-Policy"))
        self.assertEqual(r.header("X-Frame-Options"), "DENY")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertTrue(r.text.startswith("<!doctype html>"))
        self.assertIn('<html lang="en">', r.text)
        return r.text

    def test_home_lists_the_process_and_its_open_call(self):
        page = self.page("/")
        self.assertIn('<a href="/processes/%s">Draft Guidelines for utilization of the GCA</a>' % SLUG, page)
        self.assertIn("1 call for contributions open now", page)

    def test_process_page_shows_the_open_call_under_open_now(self):
        page = self.page("/processes/" + SLUG)
        open_now = section(page, "open-now")
        self.assertIn("Open now", open_now)
        self.assertIn('<a href="/calls/1">Written inputs on the revised draft</a>', open_now)
        self.assertIn('href="/calls/1/contribute"', open_now)
        self.assertNotIn("/calls/2", open_now, "the upcoming call is not open now")
        # the heading says the calls are open (an adjective), not the office's button that opens one
        french = section(self.server.get("/processes/" + SLUG, headers={"Accept-Language": "fr"}).text, "open-now")
        self.assertIn(">Ouverts en ce moment</h2>", french)
        self.assertNotIn("Ouvrir", french)
        # the secretariat's words go their own way on an Arabic page (an English sentence, left to right)
        arabic = self.server.get("/processes/" + SLUG, headers={"Accept-Language": "ar"}).text
        self.assertIn('<p class="lead" dir="auto">', arabic)
        arabic = self.server.get("/calls/1", headers={"Accept-Language": "ar"}).text
        self.assertRegex(arabic, r'<p dir="auto">All interested stakeholders')
        self.server.contribute(text="Left to right on any page.")
        arabic = self.server.get("/calls/1/contributions", headers={"Accept-Language": "ar"}).text
        self.assertIn('<div class="text" dir="auto">Left to right on any page.</div>', arabic)

    def test_process_page_has_the_schedule_with_the_moved_council_session(self):
        page = self.page("/processes/" + SLUG)
        schedule = section(page, "schedule")
        self.assertIn('<table class="schedule">', schedule)
        self.assertIn("Europe/Zurich", schedule)
        self.assertEqual(len(re.findall(r'<tr id="milestone-\d+" class="\w+"', schedule)), 8)
        self.assertIn("8\u201318 June 2021", schedule)
        self.assertIn("Moved from 2020 session of the Council", schedule)
        self.assertIn("15 February 2021", schedule)
        dates = re.findall(r'<td class="date">([^<]+)</td>', schedule)
        self.assertEqual(dates[0], "9 April 2020")
        self.assertEqual(dates[-1], "8\u201318 June 2021")

    def test_process_page_lists_versions_calls_meetings_and_letters(self):
        page = self.page("/processes/" + SLUG)
        self.assertIn('<a href="/versions/2">Revised draft of 5 May 2020</a>', section(page, "documents"))
        self.assertIn('<a href="/versions/1">Draft of 9 April 2020</a>', section(page, "documents"))
        calls = section(page, "calls")
        self.assertIn('href="/calls/1"', calls)
        self.assertIn('href="/calls/2"', calls)
        self.assertIn("Not yet open", calls)
        meetings = section(page, "meetings")
        self.assertIn("23 April 2020", meetings)
        self.assertIn("1 March 2021", meetings)
        letters = section(page, "letters")
        self.assertIn("CL-20/18", letters)
        self.assertIn("CL-20/55", letters)

    def test_version_page_has_numbered_paragraphs(self):
        page = self.page("/versions/2")
        ids = re.findall(r'<div class="para" id="p(\d+)">', page)
        expected = self.server.get_json("/api/v1/processes/" + SLUG).json()["documents"][0]["versions"][1]
        self.assertEqual(expected["id"], 2)
        self.assertEqual([int(i) for i in ids], list(range(1, expected["paragraphs"] + 1)))
        self.assertIn('<a class="pnum" href="#p3" aria-label="Paragraph 3">3</a>', page)
        self.assertIn("Revised draft of 5 May 2020", page)
        self.assertIn("<h2>4. Reporting</h2>", page)
        self.assertIn("<table>", page, "the Markdown table is rendered")

    def test_first_version_has_its_own_text(self):
        page = self.page("/versions/1")
        self.assertIn("Draft of 9 April 2020", page)
        self.assertNotIn("4. Reporting", page)
        self.assertIn('id="p1"', page)

    def test_call_page_shows_the_deadline_in_zurich_with_its_instant(self):
        page = self.page("/calls/1")
        self.assertIn("<h1>Written inputs on the revised draft</h1>", page)
        self.assertIn('<p class="state state-open">Open</p>', page)
        self.assertIn("15 February 2021, 23:59 Zurich time (UTC+1)", page)
        self.assertIn('datetime="2021-02-15T22:59:59Z"', page)
        self.assertIn('href="/calls/1/contribute"', page)
        self.assertIn('href="/calls/1/contributions"', page)
        self.assertIn('href="/versions/2"', page)

    def test_upcoming_call_page_offers_no_form(self):
        page = self.page("/calls/2")
        self.assertIn("Not yet open", page)
        self.assertNotIn('href="/calls/2/contribute"', page)

    def test_a_call_not_yet_open_has_the_same_words_on_the_process_page_and_its_own(self):
        calls = section(self.page("/processes/" + SLUG), "calls")
        call2 = calls[calls.index('href="/calls/2"'):]
        call2 = call2[:call2.index("</li>")]
        own = self.page("/calls/2")
        for page in (call2, own):
            self.assertIn('state-upcoming">Not yet open</', page)
            self.assertNotIn("Upcoming", page)
            self.assertNotIn("Not open yet", page)
        for page in (call2, own):
            self.assertIn("Opens on 1 March 2021, 00:00 Zurich time (UTC+1), open until 10 March 2021, 23:59 Zurich "
                          "time (UTC+1)", re.sub(r"<[^>]+>", "", page))

    def test_pages_of_forms_receipts_and_lists_have_the_csp_too(self):
        for path in ("/calls/1/contribute", "/calls/1/contributions"):
            with self.subTest(path=path):
                self.page(path)

    def test_stylesheet_is_served(self):
        r = self.server.get("/static/style.css")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/css"))
        self.assertGreater(len(r.body), 100)

    def test_unknown_pages_are_404(self):
        for path in ("/nothing", "/processes/nothing", "/versions/999", "/versions/0", "/versions/abc", "/calls/999",
                     "/calls/1/nothing", "/static/nothing.css", "/static/../README.md", "/processes/", "//",
                     "/contributions/", "/receipts/ABCD-EFGH-J"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 404, r)
                self.assertTrue((r.header("Content-Security-Policy") or "").startswith(CSP))

    def test_404_page_is_a_page_a_person_can_use(self):
        r = self.server.get("/processes/nothing")
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertIn("<h1>Not found</h1>", r.text)
        self.assertIn('<a href="/">', r.text)

    def test_wrong_method_on_a_page_is_405(self):
        r = self.server.request("DELETE", "/calls/1")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "GET")
        r = self.server.request("PUT", "/calls/1/contribute")
        self.assertEqual(r.status, 405)
        self.assertEqual(set(r.header("Allow").split(", ")), {"GET", "POST"})

    def test_head_answers_like_get_without_a_body(self):
        r = self.server.request("HEAD", "/processes/" + SLUG)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_overlong_address_is_refused(self):
        r = self.server.get("/processes/" + "x" * 3000)
        self.assertEqual(r.status, 414)


class PagesWhenNothingIsOpen(ServerTestCase):
    NOW = "2021-02-20T12:00:00Z"  # between the two calls

    def test_process_page_says_no_call_is_open(self):
        page = self.server.get("/processes/" + SLUG).text
        self.assertIn("No call for contributions is open at the moment.", section(page, "open-now"))
        self.assertNotIn("open now", self.server.get("/").text)

    def test_call_page_says_closed(self):
        page = self.server.get("/calls/1").text
        self.assertIn('<p class="state state-closed">Closed</p>', page)
