"""
Search (issue 12, item 1): /search and GET /api/v1/search over what the public may read.

Words without their accents ("reseau" finds "réseau"), Chinese (the trigram index; a two-character word read
from the rows), Arabic (with or without its vowel marks); the filters (process, call, category, country,
type, date range, campaign); paging with the total; ranked results with snippets whose text is escaped and
whose matches are in <mark>; what is private is never found and what is hidden disappears at once; a query
that cannot be read is a 400 saying why, never a 500. Every word searched for is made up for its test and
unique to it, so the shared server's other data cannot change a count.

SearchWindows: more matches than LIMIT_SEARCH_RANKED are ranked window by window, newest first; their total is
exact up to LIMIT_SEARCH_COUNTED, whatever the filters, and beyond it is that bound said "more than"
(total_exact false, total_relation "more_than") until a page reaches the last window. Its server is a test
build's with CONSULTA_TEST_SEARCH_WINDOW=5 and CONSULTA_TEST_SEARCH_COUNTED=8, so that a dozen contributions
make three windows and pass the bound.
"""

import json
import random
import re
import unittest
import urllib.parse

from harness import SLUG, TEST_DB, Server, ServerTestCase, contribution

SECRETARIAT = "secretariat@example.org"
CAMPAIGN_TEXT = ("We the undersigned residents ask the council to protect the wetlands of the northern valley "
                 "from drainage, to publish every study of the drainage plan, to hold a public hearing in each "
                 "village before any decision, and to answer this letter in writing. Quokkaword.")


def q(**params):
    return "?" + urllib.parse.urlencode(params)


class Search(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.token = s.account_token(SECRETARIAT)
        cls.fr = s.contribute(text="Le réseau électrique doit être renforcé près de Zanzibarville.", country="FR",
                              category="academia")
        cls.zh = s.contribute(text="我们认为互联网络安全非常重要，请加强监管。", country="CN", name="王伟",
                              organization="")
        cls.ar = s.contribute(text="نقترح تحسين الشبكة الكهربائية في المنطقة الشمالية.", country="EG")
        cls.private = s.contribute(text="Nobody may find privatissimumword here.", publication="private")
        cls.anonymous = s.contribute(name="Hidden Name Qwertyperson", publication="anonymous",
                                     text="Anonymous text about anonymouswordx.")
        cls.hostile = s.contribute(text='<script>alert("x")</script> & scriptwordz <b>bold</b>')
        cls.commented = s.contribute(text="", comments=[{"paragraph": "p3", "type": "technical",
                                                         "comment": "Commentonlyword belongs here.",
                                                         "proposed_change": "Say changeonlyword instead."}])
        cls.filtered = [s.contribute(text="Filterword one.", country="CH", category="academia"),
                        s.contribute(text="Filterword two.", country="FR", category="academia")]
        cls.paged = [s.contribute(text="Pagingword number %d." % i) for i in range(25)]
        cls.campaign = [s.contribute(text=CAMPAIGN_TEXT, name="Person %d" % i) for i in range(4)]

    def api(self, **params):
        r = self.server.get("/api/v1/search" + q(**params))
        self.assertEqual(r.status, 200, r)
        return r.json()

    def trackings(self, body):
        return {x["anchor"] for x in body["results"] if x["type"] in ("contribution", "comment", "attachment")}

    def test_diacritics_are_ignored_both_ways(self):
        for word in ("reseau", "réseau", "RESEAU", "electrique", "renforce"):
            with self.subTest(word=word):
                body = self.api(q=word)
                self.assertIn(self.fr["tracking"], self.trackings(body))
        body = self.api(q="reseau")
        hit = [x for x in body["results"] if x["anchor"] == self.fr["tracking"]][0]
        self.assertIn("<mark>réseau</mark>", hit["snippet"])
        self.assertEqual(hit["url"], "/contributions/" + self.fr["tracking"])

    def test_chinese_is_found_by_three_characters_or_more_and_by_two(self):
        for word in ("网络安全", "互联网络", "网络", "安全", "王伟"):
            with self.subTest(word=word):
                body = self.api(q=word)
                self.assertEqual(self.trackings(body), {self.zh["tracking"]}, body)
                if word != "王伟":  # the name is the title, not the snippet's text
                    self.assertIn("<mark>%s</mark>" % word, body["results"][0]["snippet"])
        self.assertEqual(self.api(q="网络安全 监管")["total"], 1)
        self.assertEqual(self.api(q="网络安全 没有")["total"], 0, "every word must be there")
        for word in ("网络安全", "网络"):  # narrowed: by the entry, and by its contribution
            with self.subTest(word=word):
                self.assertEqual(self.trackings(self.api(q=word, country="CN")), {self.zh["tracking"]})
                self.assertEqual(self.api(q=word, country="FR")["total"], 0)
                self.assertEqual(self.trackings(self.api(q=word, type="contribution")), {self.zh["tracking"]})
                self.assertEqual(self.api(q=word, type="comment")["total"], 0)

    def test_arabic_is_found_with_and_without_vowel_marks(self):
        for word in ("الكهربائية", "الشبكة", "الشَّبَكَة", "الشمالية"):
            with self.subTest(word=word):
                self.assertEqual(self.trackings(self.api(q=word)), {self.ar["tracking"]})

    def test_private_contributions_and_anonymous_names_are_never_found(self):
        self.assertEqual(self.api(q="privatissimumword")["total"], 0)
        self.assertEqual(self.api(q="Qwertyperson")["total"], 0, "an anonymous contribution's name")
        self.assertEqual(self.trackings(self.api(q="anonymouswordx")), {self.anonymous["tracking"]})
        page = self.server.get("/search" + q(q="privatissimumword")).text
        self.assertIn("Nothing public matches this search.", page)

    def test_a_hidden_contribution_disappears_and_comes_back_when_published(self):
        s = self.server
        k = s.contribute(text="Soon hidden: vanishingwordq.", comments=[{"paragraph": "p2",
                                                                          "comment": "Vanishingcommentq."}])
        self.assertEqual(self.api(q="vanishingwordq")["total"], 1)
        self.assertEqual(self.api(q="vanishingcommentq")["total"], 1)
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % k["tracking"],
                        {"action": "hide", "reason": "Off topic."}, token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api(q="vanishingwordq")["total"], 0)
        self.assertEqual(self.api(q="vanishingcommentq")["total"], 0, "its comments go with it")
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % k["tracking"], {"action": "publish"},
                        token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api(q="vanishingwordq")["total"], 1)
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % k["tracking"], {"action": "spam"},
                        token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api(q="vanishingwordq")["total"], 0)

    def test_comments_and_their_proposed_changes_are_found(self):
        for word in ("commentonlyword", "changeonlyword"):
            body = self.api(q=word)
            self.assertEqual([(x["type"], x["anchor"]) for x in body["results"]],
                             [("comment", self.commented["tracking"])])
        self.assertEqual(self.api(q="commentonlyword", type="contribution")["total"], 0)

    def test_versions_paragraphs_and_letters_are_found(self):
        body = self.api(q="secretariat", type="paragraph", process=SLUG)
        self.assertGreater(body["total"], 0)
        for x in body["results"]:
            self.assertEqual(x["type"], "paragraph")
            self.assertRegex(x["url"], r"^/versions/\d+/paragraphs/p\d+$")
        self.assertEqual(self.server.get(body["results"][0]["url"]).status, 200)
        letters = self.api(q="CL*", type="letter")
        self.assertGreater(letters["total"], 0, letters)
        self.assertTrue(all(x["url"] == "/processes/%s#letters" % SLUG for x in letters["results"]))

    def test_filters(self):
        both = {k["tracking"] for k in self.filtered}
        self.assertEqual(self.trackings(self.api(q="filterword")), both)
        self.assertEqual(self.trackings(self.api(q="filterword", country="CH")), {self.filtered[0]["tracking"]})
        self.assertEqual(self.trackings(self.api(q="filterword", country="FR", category="academia")),
                         {self.filtered[1]["tracking"]})
        self.assertEqual(self.api(q="filterword", category="industry")["total"], 0)
        self.assertEqual(self.trackings(self.api(q="filterword", process=SLUG, call=1)), both)
        self.assertEqual(self.api(q="filterword", call=2)["total"], 0)
        self.assertEqual(self.api(q="filterword", type="comment")["total"], 0)
        # the clock is frozen at 2021-02-01: the day of every contribution here
        self.assertEqual(self.trackings(self.api(q="filterword", **{"from": "2021-02-01", "to": "2021-02-01"})),
                         both)
        self.assertEqual(self.api(q="filterword", **{"from": "2021-02-02"})["total"], 0)
        self.assertEqual(self.api(q="filterword", to="2021-01-31")["total"], 0)

    def test_campaign_filter(self):
        self.server.campaigns_settled()  # grouped by the writer's pass after the commit, a little after each 201
        r = self.server.send_json("GET", "/api/v1/calls/1/campaigns")
        self.assertEqual(r.status, 200, r)
        ids = [c["id"] for c in r.json()["campaigns"] if c["representative"] in {k["tracking"] for k in self.campaign}]
        self.assertEqual(len(ids), 1, r.json())
        body = self.api(q="quokkaword", campaign=ids[0], per_page=100)
        self.assertEqual(body["total"], 4)
        self.assertEqual(self.api(q="filterword", campaign=ids[0])["total"], 0)

    def test_paging_and_total(self):
        seen = []
        body = self.api(q="pagingword", per_page=10)
        self.assertEqual(body["total"], 25)
        while True:
            self.assertLessEqual(len(body["results"]), 10)
            seen += [x["anchor"] for x in body["results"]]
            if not body["next"]:
                break
            r = self.server.get(body["next"])
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertEqual(body["total"], 25)
        self.assertEqual(sorted(seen), sorted(k["tracking"] for k in self.paged), "every result once")
        self.assertEqual(self.api(q="pagingword", page=4, per_page=10)["results"], [])
        page = self.server.get("/search" + q(q="pagingword")).text
        self.assertIn("Showing 1\u201320 of 25 results.", page)
        self.assertIn('href="/search?page=2&amp;q=pagingword" rel="next"', page)
        self.assertIn("Showing 21\u201325 of 25 results.", self.server.get("/search" + q(q="pagingword", page=2)).text)

    def test_ranking_puts_the_better_match_first(self):
        s = self.server
        weak = s.contribute(text="Rankword appears once in a long text " + "with other words " * 30 + ".")
        strong = s.contribute(text="Rankword rankword rankword.")
        body = self.api(q="rankword")
        self.assertEqual([x["anchor"] for x in body["results"]], [strong["tracking"], weak["tracking"]])

    def test_a_long_texts_words_stay_in_its_row_on_postgresql(self):
        # 300 words of nine random letters (seeded): a text of 3 kB and a tsvector of about 5 kB, neither
        # compressible, each over the 2 kB at which PostgreSQL moves a value out of its row. Migration 050 keeps
        # the tsvector in the row (storage MAIN): only the text goes to the TOAST table, one value where there
        # were two, and the walk of a search's window reads no TOAST for it. SQLite has no TOAST (FTS5 keeps
        # its own index): there the same long text is found by a word from its middle.
        s = self.server
        rng = random.Random(50)
        words = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)) for _ in range(300)]
        if TEST_DB != "postgresql":
            long = s.contribute(text="Inlineword " + " ".join(words) + ".")
            body = self.api(q="inlineword " + words[150])
            self.assertEqual([x["anchor"] for x in body["results"]], [long["tracking"]])
            return
        storage = s.query("SELECT attstorage FROM pg_attribute WHERE attrelid = 'search_entry'::regclass "
                          "AND attname = 'words'")
        self.assertEqual(storage, [("m",)])
        toast, = s.query("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'search_entry'::regclass")[0]
        values = "SELECT count(DISTINCT chunk_id) FROM %s" % toast
        before, = s.query(values)[0]
        long = s.contribute(text="Inlineword " + " ".join(words) + ".")
        after, = s.query(values)[0]
        self.assertEqual(after - before, 1, "the text alone is in the TOAST table, the words in their row")
        body = self.api(q="inlineword " + words[150])
        self.assertEqual([x["anchor"] for x in body["results"]], [long["tracking"]])

    def test_snippets_escape_the_text_and_mark_the_match(self):
        for path in ("/api/v1/search", "/search"):
            r = self.server.get(path + q(q="scriptwordz"))
            self.assertEqual(r.status, 200, r)
            text = r.json()["results"][0]["snippet"] if path.startswith("/api") else r.text
            self.assertNotIn("<script>", text)
            self.assertNotIn("<b>", text)
            if TEST_DB == "sqlite":  # PostgreSQL's ts_headline leaves tags out of its snippets
                self.assertIn("&lt;script&gt;", text)
            else:
                self.assertIn("alert(&quot;x&quot;)", text)
            self.assertIn("<mark>scriptwordz</mark>", text)

    def test_query_syntax(self):
        self.assertEqual(self.api(q='"le réseau électrique"')["total"], 1, "a phrase")
        self.assertEqual(self.api(q='"électrique le réseau"')["total"], 0, "a phrase is in its order")
        self.assertEqual(self.api(q="zanzib*")["total"], 1, "a prefix")
        self.assertEqual(self.trackings(self.api(q="zanzibarville OR scriptwordz")),
                         {self.fr["tracking"], self.hostile["tracking"]})
        self.assertEqual(self.api(q="zanzibarville AND scriptwordz")["total"], 0)
        # FTS5's own syntax is only words here: NEAR, column filters, ^, parentheses
        for text in ("NEAR(zanzibarville scriptwordz)", "body:zanzibarville", "^zanzibarville", "(zanzibarville)",
                     "zanzibarville NOT x", "-zanzibarville", "zanzibarville;DROP TABLE search_entry"):
            with self.subTest(text=text):
                r = self.server.get("/api/v1/search" + q(q=text))
                self.assertIn(r.status, (200,), r)

    def test_syntax_errors_are_400_with_the_reason(self):
        cases = {'"unbalanced': "quotation mark", "AND": "AND goes between", "water AND": "AND goes between",
                 "OR water": "OR goes between", "water OR OR energy": "OR goes between", "*": "A * goes",
                 "***": "A * goes", "": "Type a word", "!!! ???": "Type a word", 'a"b': "quotation mark",
                 "x" * 257: "longer than 256", " ".join("w%d" % i for i in range(17)): "more than 16 words",
                 "网络 OR 安全": "OR cannot"}
        for text, reason in cases.items():
            with self.subTest(text=text[:40]):
                r = self.server.get("/api/v1/search" + q(q=text))
                self.assertEqual(r.status, 400, r)
                body = r.json()["error"]
                self.assertEqual(body["code"], "invalid")
                self.assertIn(reason, body["fields"]["q"])
                if not text:
                    continue  # the page's empty form is a form to fill in
                page = self.server.get("/search" + q(q=text))
                self.assertEqual(page.status, 400, page)
                self.assertIn(reason, page.text.replace("&quot;", '"'))
                self.assertIn('aria-invalid="true"', page.text)

    def test_bad_filters_are_400(self):
        cases = {"country": "XX", "type": "letters", "from": "2021-13-01", "to": "yesterday", "call": "one",
                 "campaign": "-1", "page": "0", "per_page": "1000", "process": "no-such-process",
                 "category": "Not A Slug"}
        for name, value in cases.items():
            with self.subTest(name=name):
                r = self.server.get("/api/v1/search" + q(**{"q": "filterword", name: value}))
                self.assertEqual(r.status, 400, r)
                self.assertIn(name, r.json()["error"]["fields"])

    def test_the_page_works_without_javascript_and_is_linked_from_every_page(self):
        s = self.server
        home = s.get("/").text
        self.assertIn('<a class="search" href="/search">Search</a>', home)
        self.assertIn('<a href="/search">Search</a>', home[home.index("<footer"):])
        empty = s.get("/search")
        self.assertEqual(empty.status, 200)
        self.assertIn('<form method="get" action="/search" role="search"', empty.text)
        self.assertNotIn("Results", empty.text)
        # a link that chooses filters without words (the letters' "search the letters") is the form with them
        # chosen, not a 400 that says to type a word; the form sent with its words empty still says so
        letters = s.get("/letters").text
        self.assertIn('href="/search?type=letter"', letters)
        chosen = s.get("/search?type=letter")
        self.assertEqual(chosen.status, 200, chosen)
        self.assertIn('<option value="letter" selected>', chosen.text)
        self.assertNotIn("Type a word", chosen.text)
        self.assertNotIn("Results", chosen.text)
        sent_empty = s.get("/search?q=&type=letter")
        self.assertEqual(sent_empty.status, 400, sent_empty)
        self.assertIn("Type a word", sent_empty.text)
        page = s.get("/search" + q(q="filterword", country="CH", process=SLUG)).text
        self.assertIn('value="filterword"', page)
        self.assertIn('<option value="CH" selected>', page)
        self.assertIn('<option value="%s" selected>' % SLUG, page)
        self.assertIn("Showing 1\u20131 of 1 result.", page)
        self.assertIn('<a href="/contributions/%s">' % self.filtered[0]["tracking"], page)


WINDOW = 5
COUNTED = 8


class SearchWindows(ServerTestCase):
    SHARED = False

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.NOW, env={"CONSULTA_TEST_SEARCH_WINDOW": str(WINDOW),
                                          "CONSULTA_TEST_SEARCH_COUNTED": str(COUNTED)})
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise
        s = cls.server
        # twelve public matches, oldest first; the oldest and the fourth newest say the word five times (the best
        # by bm25), the others once; two private and one anonymous among them
        cls.public = []
        cls.private = []
        for i in range(12):
            text = "Windowword " * (5 if i in (0, 8) else 1) + "number %d." % i
            cls.public.append(s.contribute(text=text, publication="anonymous" if i == 5 else "named"))
            if i in (3, 9):
                cls.private.append(s.contribute(text="Windowword hushhushword %d." % i, publication="private"))
        cls.exact = [s.contribute(text="Fivewordy %d." % i) for i in range(WINDOW)]
        cls.few = [s.contribute(text="Fourwordy %d." % i) for i in range(WINDOW - 1)]
        # at the bound, and one past it; and in Chinese (the trigram index, and a two-character word read from the
        # rows; on PostgreSQL ILIKE): counted by the window's walk going on, where the index cannot count
        cls.bound = [s.contribute(text="Eightwordy %d." % i) for i in range(COUNTED)]
        cls.past = [s.contribute(text="Ninewordy %d." % i) for i in range(COUNTED + 1)]
        cls.chinese = [s.contribute(text="我们支持湿地保护计划第%d号。" % i) for i in range(COUNTED + 1)]

    def api(self, **params):
        r = self.server.get("/api/v1/search" + q(**params))
        self.assertEqual(r.status, 200, r)
        return r.json()

    def assertTotal(self, body, total, exact):
        self.assertEqual((body["total"], body["total_exact"], body["total_relation"]),
                         (total, exact, "exact" if exact else "more_than"), body)

    def test_a_narrowed_total_is_exact_up_to_the_bound_and_more_than_it_beyond(self):
        # every filter is counted, and the same on both backends: the twelve public matches (not the private ones)
        # are more than the bound; none, exactly 0
        n = len(self.public)
        for narrow, expected in ((dict(process=SLUG), n), (dict(call=1), n), (dict(country="CH"), n),
                                 (dict(category="academia"), n), (dict(type="contribution"), n),
                                 (dict(type="comment"), 0), (dict(call=2), 0), (dict(country="FR"), 0),
                                 (dict(category="industry"), 0),
                                 # the clock is frozen at 2021-02-01: every contribution's day; ranges that take it in
                                 # by its day, month, year, decade, century and millennium, and that leave it out
                                 ({"from": "2021-02-01", "to": "2021-02-01"}, n), ({"from": "2021-02-01"}, n),
                                 ({"to": "2021-02-01"}, n), ({"from": "2021-01-15", "to": "2021-03-02"}, n),
                                 ({"from": "2020-12-31", "to": "2022-01-01"}, n), ({"from": "2019-06-01"}, n),
                                 ({"from": "1900-01-01", "to": "2100-12-31"}, n), ({"to": "2999-12-31"}, n),
                                 ({"from": "2021-02-02"}, 0), ({"to": "2021-01-31"}, 0),
                                 ({"from": "2021-02-03", "to": "2021-02-01"}, 0), ({"from": "2021-03-01", "to": "2021-12-31"}, 0),
                                 (dict(process=SLUG, call=1, country="CH", category="academia", type="contribution",
                                       **{"from": "2021-02-01", "to": "2021-02-28"}), n)):
            with self.subTest(**narrow):
                body = self.api(q="windowword", per_page=3, **narrow)
                self.assertTotal(body, min(expected, COUNTED), expected <= COUNTED)
                self.assertEqual(len(body["results"]), min(3, expected))
        # at the bound exactly, and one past it, narrowed
        self.assertTotal(self.api(q="eightwordy", per_page=3, country="CH"), COUNTED, True)
        self.assertTotal(self.api(q="ninewordy", per_page=3, country="CH", type="contribution"), COUNTED, False)
        page = self.server.get("/search" + q(q="windowword", per_page=3, process=SLUG)).text
        self.assertIn("Showing 1\u20133 of more than %d results." % COUNTED, page)
        self.assertIn("ranked by relevance %d at a time, newest first" % WINDOW, page)
        page = self.server.get("/search" + q(q="eightwordy", per_page=3, process=SLUG)).text
        self.assertIn("Showing 1\u20133 of %d results." % COUNTED, page)
        # a word typed is never taken for a facet: the facets of every entry here say "_och_", "_tcontribution_"
        for word in ("och", "tcontribution", "_och_"):
            with self.subTest(word=word):
                self.assertEqual(self.api(q=word)["total"], 0)
        # every match once, window by window, when narrowed too
        seen, page_no = [], 1
        while True:
            body = self.api(q="windowword", per_page=4, page=page_no, country="CH")
            seen += [x["anchor"] for x in body["results"]]
            if body["next"] is None:
                break
            page_no += 1
        self.assertEqual(sorted(seen), sorted(k["tracking"] for k in self.public))
        self.assertTotal(body, n, True)

    def test_a_total_is_exact_up_to_the_bound_and_more_than_it_beyond(self):
        body = self.api(q="windowword", per_page=3)
        self.assertIsNotNone(body["next"])
        self.assertTotal(body, COUNTED, False)
        page = self.server.get("/search" + q(q="windowword", per_page=3)).text
        self.assertIn("ranked by relevance %d at a time, newest first" % WINDOW, page)
        self.assertIn("Showing 1\u20133 of more than %d results." % COUNTED, page)
        # beyond a window, up to the bound: exact (the index's count; one off either way fails)
        self.assertTotal(self.api(q="eightwordy", per_page=3), COUNTED, True)
        self.assertTotal(self.api(q="ninewordy", per_page=3), COUNTED, False)
        page = self.server.get("/search" + q(q="eightwordy", per_page=3)).text
        self.assertIn("Showing 1\u20133 of %d results." % COUNTED, page)
        self.assertIn("ranked by relevance %d at a time, newest first" % WINDOW, page)
        # a page past every match still says what the count knows
        page = self.server.get("/search" + q(q="windowword", per_page=1, page=100)).text
        self.assertIn("No result on this page: the search found more than %d." % COUNTED, page)
        body = self.api(q="windowword", per_page=1, page=100)
        self.assertEqual(body["results"], [])
        self.assertIsNone(body["next"])

    def test_where_the_index_cannot_count_the_walk_counts_to_the_same_bound(self):
        # Chinese: by trigrams (four characters), by the rows (two: SQLite's instr, PostgreSQL's ILIKE)
        for word in ("湿地保护", "湿地"):
            with self.subTest(word=word):
                self.assertTotal(self.api(q=word, per_page=2), COUNTED, False)
                self.assertTotal(self.api(q=word, per_page=2, country="CH"), COUNTED, False)
                body = self.api(q=word, per_page=100)
                self.assertTotal(body, COUNTED + 1, True)
                self.assertEqual(sorted(x["anchor"] for x in body["results"]),
                                 sorted(k["tracking"] for k in self.chinese))
        self.assertTotal(self.api(q="湿地保护", per_page=2, country="FR"), 0, True)

    def test_exact_counts_up_to_a_window(self):
        for word, made in (("fivewordy", self.exact), ("fourwordy", self.few)):
            with self.subTest(word=word):
                body = self.api(q=word, per_page=2)
                self.assertTotal(body, len(made), True)
        page = self.server.get("/search" + q(q="fivewordy")).text
        self.assertIn('<p class="count">Showing 1\u20135 of 5 results.</p>', page)

    def test_the_first_page_is_the_best_of_the_newest_window_and_every_match_comes_once(self):
        first = self.api(q="windowword", per_page=3)["results"]
        # the fourth newest beats the newer ones; the oldest, as good, is not in the newest window
        self.assertEqual(first[0]["anchor"], self.public[8]["tracking"], first)
        self.assertTotal(self.api(q="windowword", per_page=3), COUNTED, False)
        seen, page, last = [], 1, None
        while True:
            body = self.api(q="windowword", per_page=3, page=page)
            seen += [x["anchor"] for x in body["results"]]
            last = body
            if body["next"] is None:
                break
            page += 1
        self.assertEqual(sorted(seen), sorted(k["tracking"] for k in self.public), "each public match once")
        # the page that reaches the last window knows the total
        self.assertTotal(last, len(self.public), True)
        # the last window (the two oldest) is ranked on its own: the oldest, said five times, first
        self.assertEqual(seen[-2:], [self.public[0]["tracking"], self.public[1]["tracking"]])
        # one page holding all the windows is exact at once, and in the same order
        body = self.api(q="windowword", per_page=100)
        self.assertTotal(body, len(self.public), True)
        self.assertEqual([x["anchor"] for x in body["results"]], seen)

    def test_private_material_is_never_in_any_window(self):
        hidden = {k["tracking"] for k in self.private}
        for per_page in (1, 2, 5, 100):
            with self.subTest(per_page=per_page):
                page = 1
                while True:
                    body = self.api(q="windowword", per_page=per_page, page=page)
                    self.assertFalse(hidden & {x["anchor"] for x in body["results"]}, body)
                    if body["next"] is None:
                        break
                    page += 1
        self.assertEqual(self.api(q="hushhushword")["total"], 0)
        # narrowed by a contribution's filter (the joined statements) too
        body = self.api(q="windowword", country="CH", per_page=100)
        self.assertFalse(hidden & {x["anchor"] for x in body["results"]})
        self.assertEqual(len(body["results"]), len(self.public))


if __name__ == "__main__":
    unittest.main()
