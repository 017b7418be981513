"""
The draft and the form joined, and the contributions list (issue 10, items 3
and 6), as a visitor reads them.

A version page shows its open call's deadline statement and the button to take
part, and its kept page (web/page_cache.c) follows the local date that the
days left count from; an older version says a newer one exists; the form names
the version it is about; the process page's sections come in a visitor's
order, its schedule says which rows are past and which is next, and each call
links its published contributions. The list of a call's contributions is
narrowed by category, country and comment type (GET, kept in the paging
links), ordered, counted, and each contribution is an article under a heading
of ours, the sender's name escaped inside it. (The query plans of the
list's statements are checked in tests/unit/test_contribution_list.c.)
"""

import re
import unittest

from harness import CALL1_OPEN, SLUG, ServerTestCase

# 14 and 13 days before call 1's deadline (15 February 2021, 23:59 Zurich time).
DAY_ONE = CALL1_OPEN                 # 1 February 2021, 11:00 Zurich
DAY_TWO = "2021-02-02T10:00:00Z"     # 2 February 2021, 11:00 Zurich
LATE_ON_DAY_ONE = "2021-02-01T22:59:59Z"  # 23:59:59 on 1 February in Zurich: still 14 days left


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def heading_positions(page, ids):
    """The position in page of each section heading <h2 id="ID">, in the order of ids."""
    out = []
    for i in ids:
        m = re.search(r'<h2 id="%s">' % re.escape(i), page)
        if not m:
            raise AssertionError("no heading %s" % i)
        out.append(m.start())
    return out


class DraftAndForm(ServerTestCase):
    NOW = DAY_ONE

    def page(self, path, server=None):
        r = (server or self.server).get(path)
        self.assertEqual(r.status, 200, r)
        return r.text

    def test_version_page_has_the_open_calls_button_and_deadline(self):
        page = self.page("/versions/2")
        box = page[page.index('<section aria-labelledby="open-calls"'):]
        box = box[:box.index("</section>")]
        self.assertIn('href="/calls/1/contribute"', box)
        self.assertIn("Send a contribution", box)
        self.assertIn("Open until 15 February 2021, 23:59 Zurich time (UTC+1) \u2014 14 days left", text_of(box))
        self.assertIn('href="/calls/1"', box)
        # before the text: a reader sees where to take part before scrolling through the draft
        self.assertLess(page.index('id="open-calls"'), page.index('class="document"'))

    def test_older_version_says_a_newer_one_exists(self):
        page = self.page("/versions/1")
        self.assertIn("A newer version exists", page)
        self.assertIn('href="/versions/2"', page)
        # the call open on the newer version, said to be about it, with its deadline and button
        box = page[page.index('<section aria-labelledby="open-calls"'):]
        box = text_of(box[:box.index("</section>")])
        self.assertIn("Contributions are invited on the newer version, Revised draft of 5 May 2020: Written inputs "
                      "on the revised draft.", box)
        self.assertIn("14 days left", box)
        self.assertIn('href="/calls/1/contribute"', page)
        # once the call is closed, neither version has the box
        s = self.fresh_server(now="2021-02-20T10:00:00Z")
        for v in (1, 2):
            self.assertNotIn('id="open-calls"', self.page("/versions/%d" % v, s))

    def test_form_names_the_version_it_is_about(self):
        page = self.page("/calls/1/contribute")
        about = page[page.index('class="about-version"'):]
        about = about[:about.index("</p>")]
        self.assertIn('<a href="/versions/2">', about)
        self.assertIn("Revised draft of 5 May 2020", about)

    def test_the_kept_version_page_changes_when_the_day_changes(self):
        """The same database served on two days: the kept page of the first is not the page of the second."""
        s = self.fresh_server(now=DAY_ONE)
        first = self.page("/versions/2", s)
        again = s.get("/versions/2")  # from the kept bytes
        self.assertEqual(again.body.decode(), first)
        self.assertTrue(again.header("ETag"))
        self.assertIn("14 days left", first)
        s.stop()
        s.start(now=DAY_TWO)
        second = self.page("/versions/2", s)
        self.assertIn("13 days left", second)
        self.assertNotIn("14 days left", second)
        self.assertNotEqual(s.get("/versions/2").header("ETag"), again.header("ETag"))
        # the last second of the first day still counts 14 days (days are counted in Zurich, not UTC)
        s.stop()
        s.start(now=LATE_ON_DAY_ONE)
        self.assertIn("14 days left", self.page("/versions/2", s))

    def test_process_page_sections_in_a_visitors_order(self):
        page = self.page("/processes/" + SLUG)
        order = ["open-now", "documents", "schedule", "calls", "meetings", "letters", "follow"]
        positions = heading_positions(page, order)
        self.assertEqual(positions, sorted(positions), list(zip(order, positions)))
        self.assertIn(">The draft</h2>", page)

    def test_process_page_links_the_published_contributions(self):
        page = self.page("/processes/" + SLUG)
        calls = page[page.index('<h2 id="calls">'):page.index('<h2 id="meetings">')]
        self.assertIn('href="/calls/1/contributions"', calls)
        self.assertNotIn('href="/calls/2/contributions"', calls)  # not yet open: nothing to read

    def test_schedule_marks_past_rows_and_the_next_one_in_words(self):
        page = self.page("/processes/" + SLUG)
        rows = re.findall(r'<tr id="milestone-(\d+)" class="(\w+)"([^>]*)>(.*?)</tr>', page, re.S)
        self.assertEqual(len(rows), 8)
        classes = {int(i): c for i, c, _, _ in rows}
        status = {int(i): text_of(re.findall(r'<td class="status">(.*?)</td>', r)[0]).strip() for i, _, _, r in rows}
        for i in (1, 2, 3):  # April and May 2020: past, said in words, not by colour alone
            self.assertEqual(classes[i], "past")
            self.assertIn("Past", status[i])
        self.assertEqual(classes[4], "next")  # the deadline of 15 February 2021
        self.assertIn("Next", status[4])
        self.assertIn('aria-current="step"', [r for r in rows if r[0] == "4"][0][2])
        for i in (5, 6, 7, 8):
            self.assertEqual(classes[i], "later")
            self.assertEqual(status[i], "Upcoming")
        self.assertEqual(sum("Next" in s for s in status.values()), 1)
        now = page[page.index('<p class="schedule-now">'):]
        now = text_of(now[:now.index("</p>")])
        self.assertTrue(now.startswith("Today is 1 February 2021. Next, on 15 February 2021: Deadline for written "
                                       "inputs"), now)

    def test_schedule_on_a_later_day(self):
        s = self.fresh_server(now="2021-03-05T10:00:00Z")
        page = self.page("/processes/" + SLUG, s)
        rows = dict((int(i), c) for i, c in re.findall(r'<tr id="milestone-(\d+)" class="(\w+)"', page))
        self.assertEqual([rows[i] for i in range(1, 9)],
                         ["past", "past", "past", "past", "past", "next", "later", "later"])
        s.stop()
        s.start(now="2021-03-01T10:00:00Z")  # the day of the second consultation: under way, and the next one
        page = self.page("/processes/" + SLUG, s)
        rows = dict((int(i), c) for i, c in re.findall(r'<tr id="milestone-(\d+)" class="(\w+)"', page))
        self.assertEqual([rows[i] for i in range(1, 9)], ["past"] * 4 + ["now", "next", "later", "later"])
        self.assertIn("Today is 1 March 2021. Under way, 1 March 2021: Second online open consultation on the draft "
                      "and the inputs received. Next, on 10 March 2021: Deadline for final", text_of(page))
        self.assertIn('<tr id="milestone-5" class="now" aria-current="step">', page)
        s.stop()
        s.start(now="2021-06-10T10:00:00Z")  # during the Council's session, 8–18 June 2021
        page = self.page("/processes/" + SLUG, s)
        rows = dict((int(i), c) for i, c in re.findall(r'<tr id="milestone-(\d+)" class="(\w+)"', page))
        self.assertEqual([rows[i] for i in range(1, 9)], ["past"] * 7 + ["now"])  # the last: none to come
        self.assertIn("Today is 10 June 2021. Under way, 8\u201318 June 2021: ", text_of(page))
        self.assertNotIn("Next", text_of(page[page.index('<h2 id="schedule">'):page.index('<h2 id="calls">')]))
        self.assertIn("\u25b6 Today", page)


class ContributionsList(ServerTestCase):
    NOW = CALL1_OPEN

    PEOPLE = [
        # name, category, country, publication, comment type
        ("Zoe Zimmer", "academia", "CH", "named", "general"),
        ("Ada Lovelace", "member-states", "FR", "named", "technical"),
        ("Marie Curie", "academia", "FR", "anonymous", "editorial"),
        ("Bob <b>Bold</b> & \"Co\"", "other", "CH", "named", "technical"),
        ("Carl Private", "academia", "CH", "private", "general"),
        ("Dora Dupont", "member-states", "DE", "named", "general"),
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tracking = {}
        for name, category, country, publication, ctype in cls.PEOPLE:
            k = cls.server.contribute(name=name, category=category, country=country, publication=publication,
                                      comments=[{"paragraph": "p2", "type": ctype, "comment": "A %s comment on p2." % ctype}])
            cls.tracking[name] = k["tracking"]

    def page(self, path):
        r = self.server.get(path)
        self.assertEqual(r.status, 200, r)
        return r.text

    def listed(self, page):
        """The tracking numbers of the articles listed, in their order."""
        return re.findall(r'<article class="contribution[^"]*" id="c-([^"]+)"', page)

    def t(self, *names):
        return [self.tracking[n] for n in names]

    def test_every_public_one_oldest_first_with_counts(self):
        page = self.page("/calls/1/contributions")
        self.assertEqual(self.listed(page),
                         self.t("Zoe Zimmer", "Ada Lovelace", "Marie Curie", "Bob <b>Bold</b> & \"Co\"", "Dora Dupont"))
        self.assertIn("Showing 1\u20135 of 5 contributions.", page)

    def test_filters_by_category_country_and_type(self):
        cases = {
            "?category=academia": ("Zoe Zimmer", "Marie Curie"),
            "?country=FR": ("Ada Lovelace", "Marie Curie"),
            "?category=member-states&country=DE": ("Dora Dupont",),
            "?type=technical": ("Ada Lovelace", "Bob <b>Bold</b> & \"Co\""),
            "?type=general&country=CH": ("Zoe Zimmer",),
            "?category=observers": (),
        }
        for query, names in cases.items():
            with self.subTest(query=query):
                page = self.page("/calls/1/contributions" + query)
                self.assertEqual(self.listed(page), self.t(*names))
                if names:
                    self.assertIn("Showing 1\u2013%d of %d contribution%s matching these choices."
                                  % (len(names), len(names), "" if len(names) == 1 else "s"), page)
                else:
                    self.assertIn("No published contribution matches these choices.", page)
        # the form shows the choice made, and offers only countries that have published contributions
        page = self.page("/calls/1/contributions?country=FR&sort=newest")
        self.assertIn('<option value="FR" selected>France</option>', page)
        self.assertIn('<option value="newest" selected>Newest first</option>', page)
        countries = re.findall(r'<option value="([A-Z]{2})"', page)
        # by name (France, Germany, Switzerland); only those of published ones (Carl's private one adds none)
        self.assertEqual(countries, ["FR", "DE", "CH"])
        self.assertIn('<form method="get" action="/calls/1/contributions"', page)

    def test_sorts(self):
        newest = self.listed(self.page("/calls/1/contributions?sort=newest"))
        oldest = self.listed(self.page("/calls/1/contributions?sort=oldest"))
        self.assertEqual(newest, list(reversed(oldest)))
        # by the published names, A to Z; the anonymous one after them (its name is not public)
        self.assertEqual(self.listed(self.page("/calls/1/contributions?sort=name")),
                         self.t("Ada Lovelace", "Bob <b>Bold</b> & \"Co\"", "Dora Dupont", "Zoe Zimmer",
                                "Marie Curie"))

    def test_bad_filters_are_refused_plainly(self):
        for query in ("?type=rude", "?country=ZZZ", "?category=Not%20a%20slug"):
            with self.subTest(query=query):
                r = self.server.get("/calls/1/contributions" + query)
                self.assertEqual(r.status, 422, r)
                r = self.server.get("/api/v1/calls/1/contributions" + query)
                self.assertEqual(r.status, 422, r)
        r = self.server.get("/api/v1/calls/1/contributions?sort=sideways")
        self.assertEqual(r.status, 422, r)
        self.assertIn("sort", r.json()["error"]["fields"])

    def test_paging_keeps_the_filter(self):
        s = self.fresh_server()
        for i in range(53):
            s.contribute(name="Person %02d" % i, category="academia" if i % 2 else "other", country="CH")
        # pages of 20 (LIMIT_PAGE_SIZE_DEFAULT); the narrowing and order are kept in the paging links
        page = s.get("/calls/1/contributions?category=academia&sort=newest").text
        self.assertIn("Showing 1\u201320 of 26 contributions matching these choices.", page)
        nxt = re.search(r'<a href="([^"]+)" rel="next">', page).group(1).replace("&amp;", "&")
        self.assertRegex(nxt, r"^\?after=[A-Za-z0-9_-]+&category=academia&sort=newest$")
        page2 = s.get("/calls/1/contributions" + nxt).text
        self.assertIn("Showing 6 of 26 contributions matching these choices.", page2)
        self.assertNotIn('rel="next"', page2)
        self.assertIn("Person 01", text_of(page2))  # newest first: the first academic sent comes last
        self.assertNotIn("Person 02", text_of(page2))
        prev = re.search(r'<a href="([^"]+)" rel="prev">', page2).group(1).replace("&amp;", "&")
        self.assertRegex(prev, r"^\?before=[A-Za-z0-9_-]+&category=academia&sort=newest$")
        page3 = s.get("/calls/1/contributions?page=3").text
        self.assertIn("Showing 41\u201353 of 53 contributions.", page3)
        # the API takes the same narrowing, and its next link keeps it
        j = s.get_json("/api/v1/calls/1/contributions?per_page=10&category=academia&sort=newest").json()
        self.assertEqual(j["total"], 26)
        self.assertEqual(len(j["contributions"]), 10)
        self.assertEqual({c["category"] for c in j["contributions"]}, {"academia"})
        self.assertIn("category=academia", j["next"])
        self.assertIn("sort=newest", j["next"])
        rest = s.get_json(j["next"]).json()
        self.assertEqual({c["category"] for c in rest["contributions"]}, {"academia"})
        self.assertEqual(len(rest["contributions"]), 10)
        self.assertFalse({c["tracking"] for c in rest["contributions"]} & {c["tracking"] for c in j["contributions"]})

    def test_each_contribution_is_an_article_under_our_heading(self):
        page = self.page("/calls/1/contributions")
        hostile = self.tracking["Bob <b>Bold</b> & \"Co\""]
        self.assertNotIn("<b>Bold</b>", page)
        art = page[page.index('id="c-%s"' % hostile):]
        art = art[:art.index("</article>")]
        h2 = re.search(r"<h2 id=\"h-%s\">(.*?)</h2>" % hostile, art).group(1)
        self.assertTrue(h2.startswith('<a href="/contributions/%s">Contribution %s</a>' % (hostile, hostile)), h2)
        self.assertIn("by Bob &lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Co&quot;", h2)
        self.assertIn('aria-labelledby="h-%s"' % hostile, page)
        # no heading is a sender's name alone
        for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page):
            if "Contribution" not in h:
                self.assertIn(h, ("Narrow the list", "Mass campaigns"))
        # the anonymous one has no name anywhere
        anon = self.tracking["Marie Curie"]
        self.assertIn('<h2 id="h-%s"><a href="/contributions/%s">Contribution %s</a> <span class="by">(anonymous)'
                      % (anon, anon, anon), page)
        self.assertNotIn("Marie Curie", page)
        self.assertNotIn("Carl Private", page)
        # times in the process's zone, the instant in a <time> element
        self.assertIn("1 February 2021, 11:00 Zurich time (UTC+1)", page)
        self.assertIn('<time datetime="2021-02-01T10:00:00Z">', page)
        # alone on its page, the same heading as its h1
        own = self.page("/contributions/" + hostile)
        self.assertIn('<h1 id="h-%s">Contribution %s <span class="by">by Bob &lt;b&gt;' % (hostile, hostile), own)

    def test_a_narrowed_list_leaves_out_the_hidden(self):
        s = self.fresh_server()
        a = s.contribute(name="Visible One", country="CH")["tracking"]
        b = s.contribute(name="Hidden One", country="CH")["tracking"]
        token = s.account_token("sec@example.org")
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % b, {"action": "hide", "reason": "Off topic."},
                        token=token)
        self.assertIn(r.status, (200, 201), r)
        page = s.get("/calls/1/contributions").text
        self.assertEqual(self.listed(page), [a, b])  # in its place, with the reason
        self.assertIn("1 hidden by the secretariat", page)
        page = s.get("/calls/1/contributions?country=CH").text
        self.assertEqual(self.listed(page), [a])  # its country is not told by whether it matches
        self.assertEqual(s.get_json("/api/v1/calls/1/contributions?country=CH").json()["total"], 1)


if __name__ == "__main__":
    unittest.main()
