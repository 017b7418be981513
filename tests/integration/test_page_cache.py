"""
Kept pages (web/page_cache.c): a version's page is built once per state and
sent to anonymous visitors from the kept bytes, gzip to those that accept it.

The kept page is byte for byte the page built for each request (a server
with --page-cache-size 0), its gzip decompresses to the same bytes, Vary says
the answer depends on Accept-Encoding, If-None-Match gets 304; after each
change a version page may show (a new version, a call closed, a contribution
published or hidden, the process renamed) the anonymous page is at once the
one built for a logged-in visitor (less the header, which names who is
logged in), and a logged-in visitor always gets their own header.
"""

import gzip
import re
import sqlite3
import harness
import unittest

import threading
import time

from harness import CALL1_OPEN, SLUG, ServerTestCase, parallel, run_command

PASSWORD = "a long passphrase for the tests"
# A kept page is one per language as well (util/i18n.h): the switcher's cookie and Accept-Language choose it.
VARY = "Accept-Encoding, Accept-Language, Cookie"


def body_after_header(data):
    """The page without its head and header: what every visitor sees alike."""
    text = data.decode("utf-8")
    assert "</header>" in text, text[:400]
    return text.split("</header>", 1)[1]


class PageCache(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def login(self, s, email):
        s.account_token(email, role="stakeholder", password=PASSWORD)
        return "consulta_session=" + super().login(s, email, next_path="/account")

    def anonymous(self, s, path, **headers):
        r = s.get(path, headers=headers)
        self.assertIn(r.status, (200, 304), r)
        return r

    def assertFresh(self, s, cookie, path="/versions/2"):
        """The anonymous page (kept) is the page built now for a logged-in visitor, less the header."""
        kept = self.anonymous(s, path)
        built = s.get(path, headers={"Cookie": cookie})
        self.assertEqual(built.status, 200, built)
        self.assertEqual(body_after_header(kept.body), body_after_header(built.body))
        zipped = self.anonymous(s, path, **{"Accept-Encoding": "gzip"})
        self.assertEqual(zipped.header("Content-Encoding"), "gzip")
        self.assertEqual(gzip.decompress(zipped.body), kept.body)
        return kept

    def test_the_kept_page_is_the_page_built_for_each_request(self):
        kept = self.fresh_server()
        built = self.fresh_server(serve_args=["--page-cache-size", "0"])
        for path in ("/versions/1", "/versions/2"):
            first, second = kept.get(path), kept.get(path)  # built and kept, then sent from the kept bytes
            plain = built.get(path)
            for r in (first, second, plain):
                self.assertEqual(r.status, 200, r)
            self.assertEqual(first.body, plain.body)
            self.assertEqual(second.body, plain.body)
            self.assertEqual(first.header("ETag"), second.header("ETag"))
            self.assertIsNone(plain.header("ETag"))  # without the cache: as before, built and not kept
            self.assertEqual(plain.header("Cache-Control"), "no-store")
            # The security headers are every response's.
            for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                         "Referrer-Policy", "Content-Type"):
                self.assertEqual(second.header(name), plain.header(name), name)
            self.assertTrue(second.header("X-Request-Id"))
            self.assertEqual(second.header("Vary"), VARY)
            self.assertEqual(second.header("Cache-Control"), "private, no-cache")

    def test_gzip_for_clients_that_accept_it(self):
        s = self.fresh_server()
        plain = s.get("/versions/2")
        self.assertIsNone(plain.header("Content-Encoding"))
        self.assertEqual(plain.header("Vary"), VARY)
        for accept in ("gzip", "gzip, deflate, br", "br;q=1, gzip;q=0.5", "*"):
            r = s.get("/versions/2", headers={"Accept-Encoding": accept})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("Content-Encoding"), "gzip", accept)
            self.assertEqual(r.header("Vary"), VARY)
            self.assertLess(len(r.body), len(plain.body))
            self.assertEqual(gzip.decompress(r.body), plain.body)
            self.assertNotEqual(r.header("ETag"), plain.header("ETag"))  # another representation
        for accept in ("identity", "br", "gzip;q=0", "gzip;q=0, *", "*;q=0"):
            r = s.get("/versions/2", headers={"Accept-Encoding": accept})
            self.assertIsNone(r.header("Content-Encoding"), accept)
            self.assertEqual(r.body, plain.body, accept)

    def test_if_none_match_is_answered_304_until_the_page_changes(self):
        s = self.fresh_server()
        token = s.account_token("sec@example.org")
        first = s.get("/versions/2")
        tag = first.header("ETag")
        self.assertRegex(tag, r'^"[0-9a-f]{16}"$')
        r = s.get("/versions/2", headers={"If-None-Match": tag})
        self.assertEqual(r.status, 304, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("ETag"), tag)
        self.assertEqual(r.header("Vary"), VARY)
        zipped = s.get("/versions/2", headers={"Accept-Encoding": "gzip"})
        r = s.get("/versions/2", headers={"If-None-Match": zipped.header("ETag"), "Accept-Encoding": "gzip"})
        self.assertEqual(r.status, 304, r)
        r = s.get("/versions/2", headers={"If-None-Match": '"0000000000000000"'})
        self.assertEqual(r.status, 200, r)
        r = s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"title": "Guidelines, renamed"}, token=token)
        self.assertEqual(r.status, 200, r)
        r = s.get("/versions/2", headers={"If-None-Match": tag})
        self.assertEqual(r.status, 200, r)  # the page changed: the whole new page
        self.assertIn(b"Guidelines, renamed", r.body)
        self.assertNotEqual(r.header("ETag"), tag)

    def test_every_change_is_seen_at_once(self):
        s = self.fresh_server()
        token = s.account_token("sec@example.org")
        cookie = self.login(s, "ada@example.org")
        before = self.assertFresh(s, cookie)
        self.assertFresh(s, cookie, "/versions/1")

        # The process renamed: its title is in the breadcrumb.
        r = s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"title": "Guidelines, renamed"}, token=token)
        self.assertEqual(r.status, 200, r)
        renamed = self.assertFresh(s, cookie)
        self.assertIn(b"Guidelines, renamed", renamed.body)
        self.assertNotEqual(renamed.body, before.body)

        # A contribution published on receipt, then hidden (its comments and their counts).
        before = self.anonymous(s, "/versions/2")
        comment = {"paragraph": "p3", "type": "technical", "comment": "Say who decides.",
                   "proposed_change": "The Council decides."}
        tracking = s.contribute(call_id=1, comments=[comment])["tracking"]
        after = self.assertFresh(s, cookie)
        record = s.send_json("GET", "/api/v1/contributions/" + tracking, token=token).json()
        if record.get("comments"):  # a build with comments: the page counts it under its paragraph
            self.assertNotEqual(after.body, before.body)
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % tracking,
                        {"action": "hide", "reason": "Off topic."}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertFresh(s, cookie)

        # A new version (the older ones say a newer one exists), then the call closed (its links go).
        r = s.send_json("POST", "/api/v1/processes/%s/documents/guidelines/versions" % SLUG,
                        {"date": "2021-02-01", "label": "Third draft", "note": "",
                         "markdown": "# Third draft\n\nOne paragraph.\n"}, token=token)
        self.assertEqual(r.status, 201, r)
        self.assertFresh(s, cookie, "/versions/1")
        self.assertFresh(s, cookie)
        self.assertFresh(s, cookie, r.header("Location"))
        r = s.send_json("PATCH", "/api/v1/calls/1", {"state": "closed", "reason": "Closed for the test."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertFresh(s, cookie)
        # The second call, on the same version and not open yet, opened now (its links appear).
        r = s.send_json("PATCH", "/api/v1/calls/2", {"state": "open", "reason": "Opened for the test."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertFresh(s, cookie)

    def test_a_logged_in_visitor_gets_their_own_header(self):
        s = self.fresh_server()
        ada = self.login(s, "ada@example.org")
        bob = self.login(s, "bob@example.org")
        self.assertIn(b"Log in", s.get("/versions/2").body)  # kept for anonymous visitors
        for cookie, email in ((ada, b"ada@example.org"), (bob, b"bob@example.org")):
            r = s.get("/versions/2", headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
            self.assertEqual(r.status, 200, r)
            self.assertIsNone(r.header("Content-Encoding"))  # built for them, not the kept page
            self.assertIsNone(r.header("ETag"))
            self.assertEqual(r.header("Cache-Control"), "no-store")
            header = r.body.decode("utf-8").split("</header>", 1)[0]
            self.assertIn('href="/account"', header)
            self.assertNotIn("Log in", header)
            self.assertIn('action="/logout"', header)
        # and the kept page never got anyone's header
        r = s.get("/versions/2")
        self.assertNotIn(b'action="/logout"', r.body)
        self.assertIn(b"Log in", r.body)
        # a session that has ended is an anonymous visitor: the kept page
        r = s.get("/versions/2", headers={"Cookie": "consulta_session=" + "x" * 43})
        self.assertEqual(r.body, s.get("/versions/2").body)

    def kept(self, s):
        return s.log().count("event=page_cache.keep ")

    def test_a_version_page_is_built_once_per_state(self):
        s = self.fresh_server()
        cookie = self.login(s, "ada@example.org")
        first = s.get("/versions/2")
        for _ in range(5):
            self.assertEqual(s.get("/versions/2").body, first.body)
            self.assertEqual(s.get("/versions/2", headers={"Accept-Encoding": "gzip"}).status, 200)
        self.assertEqual(self.kept(s), 1)
        s.get("/versions/2", headers={"Cookie": cookie})  # built for the visitor, not kept
        self.assertEqual(self.kept(s), 1)
        # A commit that changes nothing the page shows: the state is read again, the page is not rebuilt.
        s.account_token("someone@example.org", role="stakeholder")
        self.assertEqual(s.get("/versions/2").body, first.body)
        self.assertEqual(self.kept(s), 1)

    def test_two_versions_compared_are_kept_and_follow_a_new_version(self):
        s = self.fresh_server()
        first = s.get("/versions/1/compare/2")
        self.assertEqual(first.status, 200, first)
        for _ in range(3):
            self.assertEqual(s.get("/versions/1/compare/2").body, first.body)
        inline = s.get("/versions/1/compare/2?view=inline")
        self.assertNotEqual(inline.body, first.body, "each view is its own page")
        self.assertEqual(self.kept(s), 2)
        # A new version: the comparison's list of other versions names it at once.
        token = s.account_token("office@example.org", role="secretariat")
        r = s.send_json("POST", "/api/v1/processes/gca-guidelines/documents/guidelines/versions",
                        {"markdown": "A text of its own.\n", "date": "2021-06-01", "label": "Kept-page check"},
                        token=token)
        self.assertEqual((r.status, r.json()["state"]), (201, "published"), r)
        after = s.get("/versions/1/compare/2")
        self.assertIn(b"Kept-page check", after.body)
        self.assertNotEqual(after.body, first.body)

    def test_a_change_by_another_process_is_seen_at_once(self):
        """`consulta mail-in` and the command line write from their own processes: the kept page knows
        the database's change mark, not only this server's own writes. Here another process publishes
        what the page shows (its comments' generation moves) and edits a note the page shows."""
        s = self.fresh_server()
        cookie = self.login(s, "ada@example.org")
        first = s.get("/versions/2")
        with harness.connect(s.db, timeout=10) as db:
            db.execute("UPDATE version SET note = 'Edited by another process.' WHERE id = 2")
            db.execute("UPDATE document SET comment_generation = comment_generation + 1")
        r = s.get("/versions/2")
        self.assertIn(b"Edited by another process.", r.body)
        self.assertNotEqual(r.body, first.body)
        self.assertFresh(s, cookie)
        self.assertEqual(self.kept(s), 2)

    def test_many_readers_while_the_page_changes(self):
        """Pool threads share the kept pages while changes replace them (under the sanitizers: a page
        freed while still being sent would be reported): every answer is one whole page, old or new, and
        once a change is answered every later request sees it."""
        s = self.fresh_server(threads=4)
        token = s.account_token("sec@example.org")
        done = threading.Event()
        titles = ["Guidelines, take %d" % i for i in range(6)]

        def read(i):
            seen = 0
            while not done.is_set() or seen < 20:
                gz = i % 2 == 0
                r = s.get("/versions/2", headers={"Accept-Encoding": "gzip"} if gz else {})
                self.assertEqual(r.status, 200, r)
                body = gzip.decompress(r.body) if gz else r.body
                self.assertTrue(body.endswith(b"</html>\n"), body[-100:])
                seen += 1
            return seen

        def change(_):
            try:
                for t in titles:
                    r = s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"title": t}, token=token)
                    self.assertEqual(r.status, 200, r)
                    self.assertIn(t.encode(), s.get("/versions/2").body)
            finally:
                done.set()
            return 0

        results = parallel(lambda f: f[0](f[1]), [(change, 0)] + [(read, i) for i in range(6)], 7)
        self.assertTrue(all(n >= 20 for n in results[1:]), results)

    # -- the process page and a call's contributions list (issue 11: read during bursts) --

    def follow_token(self, r):
        """The follow form's CSRF token, and the cookie the page set for it (None when it set none)."""
        m = re.search(rb'action="/processes/%s/subscribe" novalidate>\n<input type="hidden" name="csrf" '
                      rb'value="([A-Za-z0-9_-]{43})">' % SLUG.encode(), r.body)
        self.assertTrue(m, r.body[:400])
        cookie = None
        for name, value in r.headers.items():
            if name.lower() == "set-cookie" and value.startswith("consulta_csrf="):
                cookie = value.split(";")[0]
        return m.group(1).decode(), cookie

    def test_the_process_page_is_kept_and_each_visitor_gets_a_working_token(self):
        s = self.fresh_server()
        built = self.fresh_server(serve_args=["--page-cache-size", "0"])
        path = "/processes/" + SLUG
        first, second = s.get(path), s.get(path)
        for r in (first, second):
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("Cache-Control"), "private, no-cache")
        self.assertEqual(s.log().count("event=page_cache.keep rid="), 1, "built once, then sent from the kept bytes")
        (t1, c1), (t2, c2) = self.follow_token(first), self.follow_token(second)
        self.assertTrue(c1 and c2, "each new visitor gets their visitor cookie")
        self.assertNotEqual((t1, c1), (t2, c2))
        # The same bytes as the page built for each request, but for the token.
        plain = built.get(path)
        tp, _ = self.follow_token(plain)
        for r, t in ((first, t1), (second, t2)):
            self.assertEqual(r.body.replace(t.encode(), b"TOKEN"), plain.body.replace(tp.encode(), b"TOKEN"))
        # A visitor who has their cookie gets the same token again, and their ETag answers 304.
        again = s.get(path, headers={"Cookie": c2})
        self.assertEqual(self.follow_token(again), (t2, None))
        self.assertEqual(again.body, second.body)
        self.assertEqual(s.get(path, headers={"Cookie": c2, "If-None-Match": again.header("ETag")}).status, 304)
        self.assertEqual(s.get(path, headers={"Cookie": c1, "If-None-Match": again.header("ETag")}).status, 200)
        # Its gzip (the parts around the token, made once) is the same page with the same token.
        zipped = s.get(path, headers={"Cookie": c2, "Accept-Encoding": "gzip"})
        self.assertEqual(zipped.header("Content-Encoding"), "gzip")
        self.assertLess(len(zipped.body), len(again.body))
        self.assertEqual(gzip.decompress(zipped.body), again.body)
        self.assertNotEqual(zipped.header("ETag"), again.header("ETag"))
        self.assertEqual(s.log().count("event=page_cache.keep rid="), 1)
        # The form posted with the kept page's token works; with another visitor's, it is refused.
        ok = s.post_form(path + "/subscribe", {"email": "ada@example.org", "csrf": t2}, headers={"Cookie": c2})
        self.assertEqual(ok.status, 200, ok)
        self.assertIn(b"Check your mailbox", ok.body)
        wrong = s.post_form(path + "/subscribe", {"email": "ada@example.org", "csrf": t1}, headers={"Cookie": c2})
        self.assertEqual(wrong.status, 403, wrong)

    def test_the_process_page_follows_every_change_and_a_logged_in_visitor_gets_their_own(self):
        s = self.fresh_server()
        token = s.account_token("sec@example.org")
        cookie = self.login(s, "ada@example.org")
        path = "/processes/" + SLUG
        before = s.get(path)
        self.assertIn(b"Log in", before.body)
        r = s.send_json("PATCH", "/api/v1/processes/" + SLUG, {"title": "Guidelines, renamed"}, token=token)
        self.assertEqual(r.status, 200, r)
        after = s.get(path)
        self.assertIn(b"Guidelines, renamed", after.body)
        self.assertEqual(s.log().count("event=page_cache.keep rid="), 2)
        mine = s.get(path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
        self.assertEqual(mine.status, 200, mine)
        self.assertIsNone(mine.header("ETag"))  # built for them, never kept
        self.assertEqual(mine.header("Cache-Control"), "no-store")
        header = mine.body.decode("utf-8").split("</header>", 1)[0]
        self.assertIn('action="/logout"', header)
        t, set_cookie = self.follow_token(mine)
        self.assertIsNone(set_cookie)  # the session's token
        r = s.post_form(path + "/subscribe", {"email": "ada@example.org", "csrf": t}, headers={"Cookie": cookie})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.log().count("event=page_cache.keep rid="), 2)
        self.assertNotIn(b'action="/logout"', s.get(path).body)

    def test_the_contributions_list_shows_a_new_contribution_once_its_batch_is_written(self):
        s = self.fresh_server()
        path = "/calls/1/contributions"
        before = s.get(path)
        self.assertEqual(before.status, 200, before)
        self.assertEqual(s.get(path).body, before.body)
        self.assertEqual(s.log().count("event=page_cache.keep rid="), 1)
        tracking = s.contribute(call_id=1, name="Grace Hopper-Kept")["tracking"]
        for headers in ({}, {"Cookie": "consulta_csrf=" + harness.CSRF_TOKEN}):
            after = s.get(path, headers=headers)
            self.assertIn(tracking.encode(), after.body)
            self.assertIn(b"Grace Hopper-Kept", after.body)
        # Another page of the list, or a filtered one, is built for its request.
        self.assertIsNone(s.get(path + "?page=1").header("ETag"))

    def test_during_a_surge_the_list_is_served_as_kept_and_the_log_says_how_each_page_was_answered(self):
        """While a contribution waits for the writer (held 3 s here) an anonymous visitor gets the list as kept
        a moment ago, without a query; one with our cookie gets it built; once the contribution is answered
        the list shows it to everyone at once (one contribution alone leaves no surge behind). The log's
        http line says which (cache=kept, recent, built, unchanged) and where the time went (wait=, ran=)."""
        s = self.fresh_server(env={"CONSULTA_TEST_WRITER_DELAY_MS": "3000"})
        path = "/calls/1/contributions"
        session = self.login(s, "ada@example.org")
        s.get("/processes/" + SLUG)  # kept for the public

        def answers():
            return [l for l in s.log().splitlines() if "event=http " in l and 'path="%s"' % path in l]

        before = s.get(path)
        self.assertEqual(before.status, 200, before)
        self.assertRegex(answers()[-1], r" ms=\d+\.\d wait=\d+\.\d ran=\d+\.\d cache=kept ")
        self.assertIn(" cache=unchanged ", (s.get(path), answers()[-1])[1])
        sent = {}
        poster = threading.Thread(target=lambda: sent.update(s.contribute(call_id=1, name="Grace Hopper-Surge")))
        poster.start()
        try:
            deadline = time.monotonic() + 2.5
            while time.monotonic() < deadline:  # until the server has the contribution queued
                during = s.get(path)
                if " cache=recent " in answers()[-1]:
                    break
            self.assertIn(" cache=recent ", answers()[-1], "served as kept while the contribution waits")
            self.assertEqual(during.body, before.body)
            mine = s.get(path, headers={"Cookie": "consulta_csrf=" + harness.CSRF_TOKEN})
            self.assertEqual(mine.status, 200, mine)
            self.assertNotIn(" cache=recent ", answers()[-1], "a visitor with our cookie gets it built")
            # A logged-in visitor gets the process page with their own header, never the one kept for all.
            theirs = s.get("/processes/" + SLUG, headers={"Cookie": session})
            self.assertIn('action="/logout"', theirs.body.decode("utf-8").split("</header>", 1)[0])
        finally:
            poster.join()
        self.assertTrue(sent.get("tracking"), sent)
        after = s.get(path)
        self.assertIn(b"Grace Hopper-Surge", after.body)
        self.assertNotIn(" cache=recent ", answers()[-1])

    def test_page_cache_size_option(self):
        for bad in ("-1", "x", "", "65537"):
            p = run_command(["serve", "--listen", "127.0.0.1:0", "--page-cache-size", bad], now=CALL1_OPEN)
            self.assertEqual(p.returncode, 2, (bad, p.stderr))
            self.assertIn("--page-cache-size wants MiB", p.stderr)

    def test_no_such_version(self):
        s = self.fresh_server()
        for path in ("/versions/999", "/versions/0", "/versions/x"):
            r = s.get(path)
            self.assertEqual(r.status, 404, r)
            self.assertIsNone(r.header("ETag"))


if __name__ == "__main__":
    unittest.main()
