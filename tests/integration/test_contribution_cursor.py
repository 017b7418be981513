"""
Keyset paging of the public list of contributions (issue 11): the next and previous links of the page and of the
API carry an opaque cursor (?after=, ?before=) made from the last (or first) row shown, in every order the list
offers (oldest, newest, by name). Walking the list by its next links while new contributions arrive shows each row
that was there when the walk began exactly once, in the list's order, never one twice; walking back by the previous
links gives the same list. A cursor that is not one of ours (garbage, cut short, made for another order or the
other direction, or with a page or offset beside it) is a 400 with a message saying so. On SQLite and PostgreSQL.
"""

import base64
import re

import harness

# Names whose order by name tests the database's sort key: case, accents, the same name twice, a dot.
NAMES = ["ada", "Ada", "Émile Zola", "bob", "Bob", "Zoë", "Mr. Smith", "carl", "Dora", "eve", "Ada"]


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


class ContributionCursor(harness.ServerTestCase):
    SHARED = False

    def fill(self, s, n=40):
        """n contributions of distinct texts (no campaign): named ones, every fourth anonymous, one private; three
        then hidden by the secretariat (by hand), which the list shows in their places. Their tracking numbers."""
        sent = []
        for i in range(n):
            publication = "private" if i == 5 else "anonymous" if i % 4 == 3 else "named"
            sent.append(s.contribute(name=NAMES[i % len(NAMES)], publication=publication,
                                     text="Distinct remark number %d on paragraph %d." % (i, i * 7))["tracking"])
        with harness.connect(s.db) as db:
            for t in (sent[1], sent[10], sent[-2]):
                db.execute("UPDATE contribution SET state = 'hidden', moderation_reason = 'x' WHERE tracking = ?",
                           (t,))
            db.commit()
        return sent

    def whole(self, s, sort):
        """The whole list in its order, in one page (from its start: no cursor)."""
        body = s.get_json("/api/v1/calls/1/contributions?per_page=100&sort=" + sort).json()
        self.assertIsNone(body["next"])
        return [c["tracking"] for c in body["contributions"]]

    def test_every_order_pages_once_through_while_rows_arrive(self):
        s = self.fresh_server()
        self.fill(s)
        arrivals = 0
        for sort in ("oldest", "newest", "name"):
            with self.subTest(sort=sort):
                before = self.whole(s, sort)
                seen, url, pages = [], "/api/v1/calls/1/contributions?per_page=7&sort=" + sort, 0
                while url:
                    body = s.get_json(url).json()
                    self.assertNotIn("error", body, url)
                    seen += [c["tracking"] for c in body["contributions"]]
                    if pages:
                        self.assertIsNotNone(body["previous"])
                        self.assertIsNone(body["page"])
                    url = body["next"]
                    if url:  # new rows meanwhile: by name one sorts first (before the cursor), one last
                        s.contribute(name="Aaron %d" % arrivals, text="New first %d." % arrivals)
                        s.contribute(name="Zz %d" % arrivals, publication="anonymous", text="New last %d." % arrivals)
                        arrivals += 1
                    pages += 1
                    self.assertLess(pages, 30, "next links loop")
                self.assertEqual(len(seen), len(set(seen)), "a row shown twice")
                self.assertEqual([t for t in seen if t in before], before, "a row skipped or out of order")
                # what arrived meanwhile, where it was shown, is in its place of the list as it is now
                now = self.whole(s, sort)
                self.assertEqual(seen, [t for t in now if t in seen])
                # back from the last page by the previous links: the whole list as it is now
                url = body["previous"]
                back = [c["tracking"] for c in body["contributions"]]
                while url:
                    body = s.get_json(url).json()
                    back = [c["tracking"] for c in body["contributions"]] + back
                    url = body["previous"]
                    pages -= 1
                    self.assertGreater(pages, -30, "previous links loop")
                self.assertEqual(back, now)

    def test_the_page_links_page_by_cursor_in_every_order(self):
        s = self.fresh_server()
        self.fill(s, 45)
        for sort in ("oldest", "newest", "name"):
            with self.subTest(sort=sort):
                want = self.whole(s, sort)
                seen, url, pages = [], "/calls/1/contributions?sort=" + sort, 0
                while url:
                    page = s.get(url).text
                    seen += re.findall(r'<article class="contribution[^"]*" id="c-([^"]+)"', page)
                    m = re.search(r'<a href="([^"]+)" rel="next">', page)
                    url = "/calls/1/contributions" + m.group(1).replace("&amp;", "&") if m else None
                    if url:
                        self.assertRegex(url, r"\?after=[A-Za-z0-9_-]+&sort=" + sort + "$")
                    pages += 1
                    self.assertLess(pages, 10)
                self.assertEqual(pages, 3)
                self.assertIn("Showing ", page)
                self.assertEqual(seen, want)

    def test_a_cursor_not_ours_is_400(self):
        s = self.fresh_server()
        self.fill(s, 12)
        first = s.get_json("/api/v1/calls/1/contributions?per_page=5").json()
        after = re.search(r"after=([^&]+)", first["next"]).group(1)
        by_name = s.get_json("/api/v1/calls/1/contributions?per_page=5&sort=name").json()
        after_name = re.search(r"after=([^&]+)", by_name["next"]).group(1)
        self.assertEqual(s.get_json("/api/v1/calls/1/contributions?per_page=5&after=" + after).status, 200)
        bad = {
            "garbage": "after=%%%21",
            "not base64": "after=!!!!",
            "empty": "after=",
            "cut short": "after=" + after[:-3],
            "another order": "after=" + after + "&sort=newest",
            "by name, read by arrival": "after=" + after_name,
            "the other direction": "before=" + after,
            "both": "after=" + after + "&before=" + after,
            "with a page": "after=" + after + "&page=2",
            "with an offset": "after=" + after + "&offset=5",
            "an id that is not one": "after=" + b64("1.o.a.x1"),
            "id 0": "after=" + b64("1.o.a.0"),
            "a huge id": "after=" + b64("1.o.a.99999999999999999999999"),
            "another version": "after=" + b64("2.o.a.5"),
            "a name key by arrival": "after=" + b64("1.o.a.5.0.ada"),
            "a class that is not one": "sort=name&after=" + b64("1.n.a.5.2.ada"),
            "a key for the rest": "sort=name&after=" + b64("1.n.a.5.1.ada"),
            "not UTF-8": "sort=name&after=" + base64.urlsafe_b64encode(b"1.n.a.5.0.\xff").rstrip(b"=").decode(),
            "too long": "after=" + "A" * 2000,
        }
        for what, query in bad.items():
            with self.subTest(what=what):
                r = s.get_json("/api/v1/calls/1/contributions?" + query)
                self.assertEqual(r.status, 400, (what, r))
                self.assertEqual(r.json()["error"]["code"], "bad_request")
                self.assertTrue(r.json()["error"]["message"], r)
                if "page" in what or "offset" in what:
                    continue  # the page takes ?page= and ?offset= for links made before, and a cursor wins
                page = s.get("/calls/1/contributions?" + query)
                self.assertEqual(page.status, 400, (what, page))
                self.assertRegex(page.text, "position|not both")
        # the same checks for a campaign's members
        r = s.get_json("/api/v1/campaigns/1/contributions?after=!!!!")
        self.assertIn(r.status, (400, 404), r)
