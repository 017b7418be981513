"""
The contribution form as a person uses it without JavaScript: a mistake gives
the form back with what was typed and a message beside each field; a good
submission redirects to a receipt with the tracking number and the time in
UTC and in the process's time zone. A refused submission stores nothing.
"""

import html
import re
import urllib.parse

import harness

from harness import CALL1_OPEN, TRACKING_RE, ServerTestCase, contribution

FORM = "/calls/1/contribute"


def input_value(page, name):
    """The value="" of the input named name, unescaped; None if no such input."""
    m = re.search(r'<input[^>]*\bname="%s"[^>]*\bvalue="([^"]*)"' % re.escape(name), page)
    return html.unescape(m.group(1)) if m else None


class Form(ServerTestCase):
    NOW = CALL1_OPEN

    def test_empty_form_is_offered_with_every_field(self):
        r = self.server.get(FORM)
        self.assertEqual(r.status, 200, r)
        page = r.text
        self.assertIn('<form method="post" action="/calls/1/contribute"', page)
        for name in ("name", "organization", "email"):
            self.assertEqual(input_value(page, name), "", name)
        self.assertIn('<select id="f-category" name="category"', page)
        self.assertIn('<option value="academia">Academia</option>', page)
        self.assertIn('<option value="CH">Switzerland</option>', page)
        self.assertIn('<textarea id="f-text" name="text"', page)
        for p in ("named", "anonymous", "private"):
            self.assertIn('value="%s"' % p, page)
        self.assertIn('<label for="f-name">', page, "every field has a label")

    def test_mistakes_keep_what_was_typed_and_say_what_to_fix_per_field(self):
        typed = contribution(name="Ada Lovelace", organization="Engines & Co", email="ada-at-example.org",
                             country="XX", text="My carefully written\ncontribution.", category="academia",
                             publication="anonymous")
        r = self.server.post_form(FORM, typed)
        self.assertEqual(r.status, 422, r)
        page = r.text
        self.assertIn("<title>Error:", page, "the title says there is an error")
        self.assertIn("Your contribution was not sent", page)
        # what was typed is still there
        self.assertEqual(input_value(page, "name"), "Ada Lovelace")
        self.assertEqual(input_value(page, "organization"), "Engines & Co")
        self.assertEqual(input_value(page, "email"), "ada-at-example.org")
        self.assertIn(">My carefully written\ncontribution.</textarea>", page)
        self.assertIn('<option value="academia" selected>', page)
        self.assertIn('value="anonymous" checked', page)
        # a message beside each bad field, linked from the summary, and only those
        self.assertIn('<p class="error" id="e-email">', page)
        self.assertIn('<p class="error" id="e-country">', page)
        self.assertIn('href="#f-email"', page)
        self.assertIn('href="#f-country"', page)
        # the error and the hint ("never published") are both read out with the field
        self.assertIn('aria-invalid="true" aria-describedby="e-email h-email"', page)
        for ok_field in ("name", "organization", "text", "category", "publication"):
            self.assertNotIn('id="e-%s"' % ok_field, page)

    def test_every_missing_field_has_its_message(self):
        r = self.server.post_form(FORM, {"name": "", "text": "   "})
        self.assertEqual(r.status, 422, r)
        for field in ("name", "category", "country", "email", "text", "publication"):
            self.assertIn('id="e-%s"' % field, r.text, field)
        self.assertNotIn('id="e-organization"', r.text, "the organization is optional")
        self.assertIn('href="#f-publication-named"', r.text, "the summary links to the first radio button")

    def test_good_submission_redirects_to_its_receipt(self):
        r = self.server.post_form(FORM, contribution(text="Sent through the form."))
        self.assertEqual(r.status, 303, r)
        location = r.header("Location")
        m = re.fullmatch(r"/receipts/(.+)", location)
        self.assertTrue(m, location)
        tracking = m.group(1)
        self.assertRegex(tracking, TRACKING_RE)
        receipt = self.server.get(location)
        self.assertEqual(receipt.status, 200, receipt)
        page = receipt.text
        self.assertIn('<strong id="tracking">%s</strong>' % tracking, page)
        self.assertIn("2021-02-01 10:00:00 UTC", page)
        self.assertIn("1 February 2021, 11:00 Zurich time (UTC+1)", page)
        self.assertLess(page.index("1 February 2021, 11:00 Zurich time"), page.index("2021-02-01 10:00:00 UTC"),
                        "the process's zone first, then UTC")
        self.assertIn("Written inputs on the revised draft", page)
        self.assertIn("Published with your name", page)
        self.assertIn('href="/contributions/%s"' % tracking, page)
        # and it was stored as sent through the web
        c = self.server.get_json("/api/v1/contributions/" + tracking).json()
        self.assertEqual((c["channel"], c["text"], c["name"]), ("web", "Sent through the form.", "Ada Lovelace"))

    def test_values_are_trimmed_and_the_country_read_in_any_case(self):
        r = self.server.post_form(FORM, contribution(name="  Ada  ", country="ch", email=" ada@example.org "))
        self.assertEqual(r.status, 303, r)
        tracking = r.header("Location").rsplit("/", 1)[1]
        c = self.server.get_json("/api/v1/contributions/" + tracking).json()
        self.assertEqual((c["name"], c["country"]), ("Ada", "CH"))

    def test_form_that_is_not_utf8_is_400_with_a_page_that_says_why(self):
        body = b"name=Zo%E9&category=academia&country=CH&email=a%40b.org&text=hi&publication=named"
        before = self.server.published_total()
        r = self.server.post_form(FORM, body)
        self.assertEqual(r.status, 400, r)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn("UTF-8", r.text)
        self.assertEqual(self.server.published_total(), before)

    def test_a_text_too_large_to_send_back_is_413_saying_what_to_do(self):
        # Multipart (the form with files) takes more than 2 MiB; a refusal that would send the text back
        # filled in would pass the 8 MiB an answer may have: it says to shorten it, never "went wrong on our side".
        fields = dict(contribution(), text="a < b & " * (10 * 1024 * 1024 // 8))
        fields["csrf"] = self.server.csrf_token()
        body, ctype = harness.multipart(fields)
        before = self.server.published_total()
        r = self.server.request("POST", FORM, body=body,
                                headers={"Content-Type": ctype, "Cookie": "consulta_csrf=" + harness.CSRF_TOKEN})
        self.assertEqual(r.status, 413, r)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn("shorten the longest text", r.text)
        self.assertIn("Back button", r.text)
        self.assertNotIn("on our side", r.text)
        self.assertEqual(self.server.published_total(), before)

    def test_form_with_too_many_fields_is_400(self):
        # LIMIT_FORM_FIELDS is 32 + 4 per comment row (100 rows): 432
        fields = [("f%d" % i, "x") for i in range(440)] + list(contribution().items())
        r = self.server.post_form(FORM, urllib.parse.urlencode(fields).encode())
        self.assertEqual(r.status, 400, r)

    def test_form_of_an_unknown_call_is_404(self):
        for path in ("/calls/9/contribute", "/calls/abc/contribute"):
            with self.subTest(path=path):
                self.assertEqual(self.server.get(path).status, 404)
                self.assertEqual(self.server.post_form(path, contribution()).status, 404)


class NothingHalfStored(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_refused_submissions_leave_the_count_unchanged(self):
        s = self.fresh_server()
        before = s.published_total()
        s.contribute()
        self.assertEqual(s.published_total(), before + 1)
        refused = [
            s.post_form(FORM, contribution(email="nope")),
            s.post_form(FORM, contribution(country="XX")),
            s.post_form(FORM, contribution(category="aliens")),
            s.post_form(FORM, contribution(name="x" * 201)),
            s.post_form(FORM, contribution(publication=None)),
            s.post_form(FORM, b"name=%FF"),
            s.post_form("/calls/2/contribute", contribution()),
        ]
        self.assertEqual([r.status for r in refused], [422, 422, 422, 422, 422, 400, 409])
        self.assertEqual(s.published_total(), before + 1)
        # a private one is stored but not published: the published count does not move either
        self.assertEqual(s.post_form(FORM, contribution(publication="private")).status, 303)
        self.assertEqual(s.published_total(), before + 1)
        self.assertEqual(s.post_form(FORM, contribution()).status, 303)
        self.assertEqual(s.published_total(), before + 2)


class CrossSiteForms(ServerTestCase):
    """A form posted without the visitor's CSRF token (as another site's page would) changes nothing."""
    NOW = CALL1_OPEN

    def test_a_form_without_the_token_is_refused_and_stores_nothing(self):
        before = self.server.published_total()
        r = self.server.post_form(FORM, contribution(), csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertIn("did not come from this site", r.text)
        self.assertEqual(self.server.published_total(), before)

    def test_a_form_with_another_token_is_refused(self):
        before = self.server.published_total()
        r = self.server.post_form(FORM, contribution(), csrf="X" * 43)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.server.published_total(), before)

    def test_the_form_page_hands_out_the_token_in_a_cookie_and_a_field(self):
        r = self.server.get("/calls/1/contribute")
        cookie = r.header("Set-Cookie")
        self.assertRegex(cookie, r"^consulta_csrf=[A-Za-z0-9_-]{43}; Path=/; Max-Age=\d+; HttpOnly; SameSite=Lax$")
        visitor = cookie.split(";")[0].split("=", 1)[1]
        # The field is not the cookie but the server key's HMAC of it: an id of someone else's choosing
        # in the cookie does not tell them the token.
        self.assertNotIn('name="csrf" value="%s"' % visitor, r.text)
        self.assertIn('name="csrf" value="%s"' % self.server.csrf_token(visitor=visitor), r.text)
