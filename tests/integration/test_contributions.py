"""
Reading contributions back: one by its tracking number (named, anonymous,
private), and the published list of a call, page by page. The e-mail address
is never shown; a private contribution is answered exactly like an unknown one.
"""

import re

from harness import (CALL1_OPEN, TRACKING_ALPHABET, TRACKING_RE, ServerTestCase, parallel,
                     tracking_check_symbol, tracking_of)

EMAIL = "secret.person@example.org"


def mistyped(tracking, position):
    """The tracking number with the symbol at position (0..8, hyphens not counted) changed to another."""
    symbols = tracking.replace("-", "")
    c = symbols[position]
    other = TRACKING_ALPHABET[(TRACKING_ALPHABET.index(c) + 7) % 32]
    symbols = symbols[:position] + other + symbols[position + 1:]
    return "%s-%s-%s" % (symbols[:4], symbols[4:8], symbols[8])


class OneContribution(ServerTestCase):
    NOW = CALL1_OPEN

    def get(self, tracking):
        return self.server.get_json("/api/v1/contributions/" + tracking)

    def test_named_contribution_shows_name_and_organization(self):
        t = self.server.contribute(name="Grace Hopper", organization="Navy", email=EMAIL)["tracking"]
        self.assertRegex(t, TRACKING_RE)
        r = self.get(t)
        self.assertEqual(r.status, 200, r)
        c = r.json()
        self.assertEqual(c["tracking"], t)
        self.assertEqual(c["name"], "Grace Hopper")
        self.assertEqual(c["organization"], "Navy")
        self.assertEqual(c["publication"], "named")
        self.assertEqual(c["call"], 1)
        self.assertEqual(c["category"], "academia")
        self.assertEqual(c["country"], "CH")
        self.assertEqual(c["channel"], "api")
        self.assertEqual(c["received_at"], CALL1_OPEN)
        self.assertNotIn("email", c)
        self.assertNotIn(EMAIL.encode(), r.body)

    def test_anonymous_contribution_leaves_out_the_name(self):
        t = self.server.contribute(name="Hedy Lamarr", organization="Hollywood Inventions", email=EMAIL,
                                   publication="anonymous")["tracking"]
        r = self.get(t)
        self.assertEqual(r.status, 200, r)
        c = r.json()
        self.assertEqual(c["publication"], "anonymous")
        self.assertNotIn("name", c)
        self.assertNotIn("organization", c)
        self.assertNotIn("email", c)
        for secret in (b"Hedy", b"Hollywood", EMAIL.encode()):
            self.assertNotIn(secret, r.body)
        page = self.server.get("/contributions/" + t)
        self.assertEqual(page.status, 200)
        self.assertIn('<span class="by">(anonymous)</span>', page.text)
        for secret in ("Hedy", "Hollywood", EMAIL):
            self.assertNotIn(secret, page.text)

    def test_private_contribution_is_404_exactly_like_an_unknown_number(self):
        t = self.server.contribute(publication="private")["tracking"]
        private = self.get(t)
        # a well-formed number with a right check symbol that was never given out
        unknown = self.get(tracking_of("00000000"))
        self.assertErrorShape(private, 404, "not_found")
        self.assertEqual((private.status, private.body), (unknown.status, unknown.body))
        # and the same for the page
        page, unknown_page = self.server.get("/contributions/" + t), self.server.get("/contributions/" +
                                                                                      tracking_of("00000000"))
        self.assertEqual(page.status, 404)
        self.assertEqual((page.status, page.body), (unknown_page.status, unknown_page.body))

    def test_private_contribution_still_has_its_receipt(self):
        t = self.server.contribute(publication="private")["tracking"]
        r = self.server.get("/receipts/" + t)
        self.assertEqual(r.status, 200)
        self.assertIn(t, r.text)
        self.assertIn("Not published", r.text)
        self.assertNotIn("/contributions/" + t, r.text, "no link to a public page that does not exist")

    def test_a_mistyped_tracking_number_is_404(self):
        t = self.server.contribute()["tracking"]
        for position in range(9):
            typo = mistyped(t, position)
            with self.subTest(typo=typo):
                self.assertErrorShape(self.get(typo), 404, "not_found")
                self.assertEqual(self.server.get("/contributions/" + typo).status, 404)
                self.assertEqual(self.server.get("/receipts/" + typo).status, 404)

    def test_two_symbols_swapped_is_404(self):
        t = self.server.contribute()["tracking"]
        s = t.replace("-", "")
        for i in range(8):
            if s[i] != s[i + 1]:
                swapped = s[:i] + s[i + 1] + s[i] + s[i + 2:]
                break
        else:
            self.skipTest("no two different neighbours")
        self.assertEqual(self.get(swapped).status, 404)

    def test_malformed_tracking_numbers_are_404(self):
        for bad in ("x", "ABCD-EFGH", "ABCD-EFGH-JK", "ABCD-EFGH-U", "%3Cscript%3E", "0" * 200):
            with self.subTest(tracking=bad):
                self.assertErrorShape(self.get(bad), 404, "not_found")

    def test_tracking_in_lower_case_without_hyphens_is_found(self):
        t = self.server.contribute()["tracking"]
        for typed in (t.replace("-", "").lower(), t.lower(), t.replace("-", "%20")):
            with self.subTest(typed=typed):
                r = self.get(typed)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["tracking"], t)
                self.assertEqual(self.server.get("/contributions/" + typed).status, 200)
                self.assertEqual(self.server.get("/receipts/" + typed).status, 200)

    def test_o_for_zero_and_i_or_l_for_one_are_read_as_digits(self):
        # Crockford's reading: a 0 typed as O or a 1 typed as I or L still finds it.
        for _ in range(40):
            t = self.server.contribute()["tracking"]
            if "0" in t or "1" in t:
                break
        else:
            self.skipTest("no tracking number with a 0 or a 1 was drawn")
        typed = t.replace("0", "o").replace("1", "I")
        r = self.get(typed)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["tracking"], t)
        self.assertEqual(self.get(t.replace("1", "l")).status, 200)

    def test_email_is_shown_nowhere(self):
        named = self.server.contribute(email=EMAIL)["tracking"]
        anon = self.server.contribute(email=EMAIL, publication="anonymous")["tracking"]
        private = self.server.contribute(email=EMAIL, publication="private")["tracking"]
        paths = ["/api/v1/contributions/" + named, "/api/v1/contributions/" + anon, "/contributions/" + named,
                 "/contributions/" + anon, "/receipts/" + named, "/receipts/" + anon, "/receipts/" + private,
                 "/api/v1/calls/1/contributions?per_page=100", "/calls/1/contributions"]
        for path in paths:
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 200, r)
                self.assertNotIn(b"secret.person", r.body)

    def test_the_check_symbol_matches_the_servers(self):
        # The harness computes check symbols the server's way; else the "unknown" tests above prove little.
        t = self.server.contribute()["tracking"]
        s = t.replace("-", "")
        self.assertEqual(tracking_check_symbol(s[:8]), s[8])


class PublishedList(ServerTestCase):
    NOW = CALL1_OPEN

    def test_only_published_ones_are_listed_oldest_first(self):
        s = self.fresh_server()
        sent = []
        for pub in ("named", "private", "anonymous", "named", "private", "anonymous", "named"):
            sent.append((s.contribute(publication=pub, name="Person " + pub, email=EMAIL)["tracking"], pub))
        r = s.get_json("/api/v1/calls/1/contributions")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["total"], 5)
        listed = [c["tracking"] for c in body["contributions"]]
        self.assertEqual(listed, [t for t, pub in sent if pub != "private"])
        for c in body["contributions"]:
            self.assertNotIn("email", c)
            self.assertEqual("name" in c, c["publication"] == "named", c)
        self.assertNotIn(b"private", r.body.replace(b'"publication":"', b""))
        self.assertEqual((body["page"], body["per_page"], body["next"]), (1, 20, None))
        # the other call has none
        self.assertEqual(s.published_total(2), 0)
        # the page says the same
        page = s.get("/calls/1/contributions").text
        self.assertIn("5 published contributions", page)
        for t, pub in sent:
            (self.assertIn if pub != "private" else self.assertNotIn)(t, page)

    def test_pages_and_next_links(self):
        s = self.fresh_server()
        sent = parallel(lambda i: s.contribute(text="Contribution number %d" % i)["tracking"], list(range(25)), 5)
        first = s.get_json("/api/v1/calls/1/contributions?per_page=10").json()
        self.assertEqual((first["page"], first["per_page"], first["total"]), (1, 10, 25))
        self.assertEqual(len(first["contributions"]), 10)
        # next and previous are cursors (keyset paging: test_contribution_cursor.py)
        self.assertRegex(first["next"], r"^/api/v1/calls/1/contributions\?after=[A-Za-z0-9_-]+&per_page=10$")
        self.assertIsNone(first["previous"])
        seen, url, pages = [], "/api/v1/calls/1/contributions?per_page=10", 0
        while url:
            body = s.get_json(url).json()
            seen += [c["tracking"] for c in body["contributions"]]
            url = body["next"]
            pages += 1
            self.assertLess(pages, 10, "next links loop")
        self.assertEqual(pages, 3)
        self.assertEqual(len(seen), 25)
        self.assertEqual(set(seen), set(sent))
        last = s.get_json("/api/v1/calls/1/contributions?page=3&per_page=10").json()
        self.assertEqual((len(last["contributions"]), last["next"]), (5, None))
        beyond = s.get_json("/api/v1/calls/1/contributions?page=4&per_page=10")
        self.assertEqual(beyond.status, 200)
        self.assertEqual((beyond.json()["contributions"], beyond.json()["total"]), ([], 25))
        default = s.get_json("/api/v1/calls/1/contributions").json()
        self.assertEqual((len(default["contributions"]), default["per_page"]), (20, 20))
        self.assertRegex(default["next"], r"^/api/v1/calls/1/contributions\?after=[A-Za-z0-9_-]+&per_page=20$")
        # the page of the web shows 20, and links to the next by cursor; ?page= still works (links made before)
        page = s.get("/calls/1/contributions").text
        self.assertEqual(page.count('<article class="contribution"'), 20)
        nxt = re.search(r'<a href="(\?after=[A-Za-z0-9_-]+)" rel="next">', page).group(1)
        self.assertNotIn('rel="prev"', page)
        page2 = s.get("/calls/1/contributions" + nxt).text
        self.assertEqual(page2.count('<article class="contribution"'), 5)
        self.assertNotIn('rel="next"', page2)
        prev = re.search(r'<a href="(\?before=[A-Za-z0-9_-]+)" rel="prev">', page2).group(1)
        self.assertEqual(s.get("/calls/1/contributions" + prev).text.count('<article class="contribution"'), 20)
        self.assertEqual(s.get("/calls/1/contributions?page=2").text.count('<article class="contribution"'), 5)

    def test_per_page_over_100_is_422(self):
        r = self.server.get_json("/api/v1/calls/1/contributions?per_page=101")
        err = self.assertErrorShape(r, 422, "invalid", fields={"per_page"})
        self.assertIn("100", err["fields"]["per_page"])
        self.assertEqual(self.server.get_json("/api/v1/calls/1/contributions?per_page=100").status, 200)

    def test_bad_page_arguments_are_422(self):
        for query, field in (("per_page=0", "per_page"), ("per_page=-5", "per_page"), ("per_page=ten", "per_page"),
                             ("page=0", "page"), ("page=abc", "page"), ("page=99999999999999999999", "page")):
            with self.subTest(query=query):
                r = self.server.get_json("/api/v1/calls/1/contributions?" + query)
                self.assertErrorShape(r, 422, "invalid", fields={field})

    def test_list_of_an_unknown_call_is_404(self):
        self.assertErrorShape(self.server.get_json("/api/v1/calls/42/contributions"), 404, "not_found")
        self.assertEqual(self.server.get("/calls/42/contributions").status, 404)
