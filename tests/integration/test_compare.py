"""
Versions compared: /versions/{a}/compare/{b} (side by side, and inline with
?view=inline) and GET /api/v1/versions/{a}/compare/{b}. Paragraphs are paired
by pid; where the test needs pids that survive edits and moves, it sets them
in the paragraph rows itself (what matching across versions gives), so it does
not depend on how a new version's pids are chosen.
"""

import html
import re
import sqlite3
import harness
import time

from harness import CALL1_OPEN, SLUG, ServerTestCase

STATUSES = {"unchanged", "edited", "moved", "added", "removed", "split", "merged"}


def rebuild(ops, side):
    keep = {"equal", "delete" if side == "a" else "insert"}
    return "".join(o["text"] for o in ops if o["op"] in keep)


def visible_text(page):
    """The page's words as read aloud: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


class CompareDemo(ServerTestCase):
    """The demo's draft (v1, 6 paragraphs) against its revised draft (v2, 8 paragraphs)."""

    NOW = CALL1_OPEN

    def versions(self):
        process = self.server.get_json("/api/v1/processes/" + SLUG).json()
        vs = process["documents"][0]["versions"]
        return vs[0]["id"], vs[-1]["id"]

    def texts(self, version_id):
        with harness.connect(self.server.db) as c:
            return dict(c.execute("SELECT pid, text FROM paragraph WHERE version_id = ?", (version_id,)).fetchall())

    def test_json_has_each_paragraph_with_its_status_numbers_and_word_operations(self):
        a, b = self.versions()
        r = self.server.get_json("/api/v1/versions/%d/compare/%d" % (a, b))
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(set(body), {"document", "a", "b", "summary", "paragraphs", "offset", "total", "next",
                                     "language"})
        self.assertEqual(body["language"], "en")  # the versions' own texts: no ?text= (test_languages)
        self.assertEqual((body["offset"], body["total"], body["next"]), (0, 8, None))
        self.assertEqual((body["a"]["id"], body["b"]["id"]), (a, b))
        self.assertEqual(set(body["summary"]), STATUSES)
        rows = body["paragraphs"]
        self.assertEqual(sum(body["summary"].values()), len(rows))
        statuses = {row["pid"]: row["status"] for row in rows}
        self.assertEqual(statuses, {"p1": "unchanged", "p2": "edited", "p3": "edited", "p4": "edited",
                                    "p5": "edited", "p6": "edited", "p7": "added", "p8": "added"})
        old, new = self.texts(a), self.texts(b)
        for row in rows:
            self.assertEqual(set(row) - {"ops", "text"}, {"pid", "status", "number_a", "number_b", "changed"})
            self.assertIn(row["status"], STATUSES)
            if row["status"] == "edited":
                self.assertTrue(row["changed"])
                self.assertTrue(all(set(o) == {"op", "text"} and o["op"] in ("equal", "insert", "delete")
                                    for o in row["ops"]), row)
                self.assertEqual(rebuild(row["ops"], "a"), old[row["pid"]])
                self.assertEqual(rebuild(row["ops"], "b"), new[row["pid"]])
            else:
                self.assertNotIn("ops", row)
        p2 = next(row for row in rows if row["pid"] == "p2")
        self.assertEqual((p2["number_a"], p2["number_b"]), (2, 2))
        self.assertIn({"op": "insert", "text": "international"}, p2["ops"])
        self.assertIn({"op": "delete", "text": "its"}, p2["ops"])
        p7 = next(row for row in rows if row["pid"] == "p7")
        self.assertEqual((p7["number_a"], p7["number_b"], p7["changed"]), (None, 7, False))
        self.assertEqual(p7["text"], new["p7"])

    def test_side_by_side_page(self):
        a, b = self.versions()
        r = self.server.get("/versions/%d/compare/%d" % (a, b))
        self.assertEqual(r.status, 200, r)
        page = r.text
        self.assertIn('<table class="compare">', page)
        self.assertRegex(page, r'<a href="/versions/%d/compare/%d" aria-current="page">Side by side</a>' % (a, b))
        # words inserted and deleted, each with words for screen readers, not colour alone
        self.assertIn('<ins><span class="visually-hidden">[inserted: </span>international', page)
        self.assertIn('<del><span class="visually-hidden">[deleted: </span>its', page)
        # the unchanged paragraph folded, with how many
        self.assertRegex(page, r'<details class="cmp-fold"><summary>1 unchanged paragraph \(\u00b61\)</summary>')
        # each paragraph links to its comments and its place, in its own version
        for link in ('/versions/%d/paragraphs/p2"' % b, '/versions/%d#p2"' % b, '/versions/%d/paragraphs/p2"' % a,
                     '/versions/%d#p2"' % a, '/versions/%d#p7"' % b):
            self.assertIn('href="' + link, page)
        self.assertIn("Not in this version.", page)  # p7 on the old side
        # the summary: one whole sentence per status (translated whole, each with its plural)
        for sentence in ("5 paragraphs edited.", "2 paragraphs added.", "1 paragraph unchanged."):
            self.assertIn("<li>%s</li>" % sentence, page)
        self.assertNotIn("Compare other versions", page, "two versions make one comparison: this one")

    def test_inline_page(self):
        a, b = self.versions()
        r = self.server.get("/versions/%d/compare/%d?view=inline" % (a, b))
        self.assertEqual(r.status, 200, r)
        page = r.text
        self.assertNotIn('<table class="compare">', page)
        self.assertIn('<ol class="compare-inline"', page)
        self.assertRegex(page, r'<a href="/versions/%d/compare/%d\?view=inline" aria-current="page">Inline</a>'
                         % (a, b))
        # both sides of an edit in one place, in reading order: the deletion, then the insertion
        text = visible_text(page)
        self.assertIn("as a framework for [deleted: its][inserted: international] cooperation", text)
        self.assertIn('<details class="cmp-fold">', page)

    def test_the_same_version_twice_says_so(self):
        a, _ = self.versions()
        r = self.server.get("/versions/%d/compare/%d" % (a, a))
        self.assertEqual(r.status, 200, r)
        self.assertIn("This is the same version twice", r.text)
        _, b = self.versions()
        self.assertIn('<li><a href="/versions/%d/compare/%d">Draft of 9 April 2020 with Revised draft of 5 May 2020'
                      '</a></li>' % (a, b), r.text, "it offers the comparisons there are")
        body = self.server.get_json("/api/v1/versions/%d/compare/%d" % (a, a)).json()
        self.assertEqual({row["status"] for row in body["paragraphs"]}, {"unchanged"})

    def test_bad_ids_are_not_found(self):
        a, b = self.versions()
        for x, y in (("x", str(b)), (str(a), "0"), (str(a), "999999"), ("-1", str(b)), (str(a), "1e3"),
                     ("99999999999999999999", str(b))):
            r = self.server.get("/versions/%s/compare/%s" % (x, y))
            self.assertEqual(r.status, 404, (x, y))
            self.assertTrue((r.header("Content-Type") or "").startswith("text/html"))
            self.assertErrorShape(self.server.get_json("/api/v1/versions/%s/compare/%s" % (x, y)), 404, "not_found")

    def test_versions_of_different_documents_are_not_found(self):
        s = self.fresh_server()
        token = s.account_token("office@example.org")
        r = s.send_json("POST", "/api/v1/processes/%s/documents" % SLUG, {"slug": "other", "title": "Other"},
                        token=token)
        self.assertEqual(r.status, 201, r)
        r = s.send_json("POST", "/api/v1/processes/%s/documents/other/versions" % SLUG,
                        {"markdown": "Another text.\n", "date": "2021-01-05", "label": "Draft", "note": ""},
                        token=token)
        self.assertEqual(r.status, 201, r)
        other = r.json()["id"]
        a, _ = self.versions()
        for x, y in ((a, other), (other, a)):
            page = s.get("/versions/%d/compare/%d" % (x, y))
            self.assertEqual(page.status, 404)
            self.assertIn("not versions of the same document", page.text)
            self.assertErrorShape(s.get_json("/api/v1/versions/%d/compare/%d" % (x, y)), 404, "not_found")


class CompareMoves(ServerTestCase):
    """A document of our own whose paragraphs move, change, appear and go, with the pids matching would give."""

    NOW = CALL1_OPEN
    SHARED = False

    PARAGRAPHS = ["Alpha is the first.", "Bravo is the second.", "Charlie is the third.", "Delta is the fourth.",
                  "Echo is the fifth."]

    def post(self, s, token, paragraphs, label):
        # Where the matching was unsure of some paragraphs, they are called different ones (set_pids decides the
        # ids these tests need).
        return s.publish_version(token, "\n\n".join(paragraphs) + "\n", label, date="2021-01-10", document="moves",
                                 note="")

    def set_pids(self, s, version_id, pids):
        """Gives the version's paragraphs (in order) these pids, as matching across versions would."""
        with harness.connect(s.db) as c:
            rows = c.execute("SELECT id FROM paragraph WHERE version_id = ? ORDER BY number", (version_id,)).fetchall()
            self.assertEqual(len(rows), len(pids))
            # one executemany: on PostgreSQL one psql for all the rows, not one each (minutes for 1,000)
            c.executemany("UPDATE paragraph SET pid = ? WHERE id = ?",
                          [("tmp-" + pid, row_id) for (row_id,), pid in zip(rows, pids)])
            c.execute("UPDATE paragraph SET pid = substr(pid, 5) WHERE version_id = ?", (version_id,))

    def setUp(self):
        super().setUp()
        self.s = self.fresh_server()
        self.token = self.s.account_token("office@example.org")
        r = self.s.send_json("POST", "/api/v1/processes/%s/documents" % SLUG, {"slug": "moves", "title": "Moves"},
                             token=self.token)
        self.assertEqual(r.status, 201, r)
        self.a = self.post(self.s, self.token, self.PARAGRAPHS, "First")
        self.set_pids(self.s, self.a, ["p1", "p2", "p3", "p4", "p5"])

    def compare(self, b):
        r = self.s.get_json("/api/v1/versions/%d/compare/%d" % (self.a, b))
        self.assertEqual(r.status, 200, r)
        return r.json()["paragraphs"]

    def test_only_the_paragraph_that_moved_is_marked_moved(self):
        # Alpha goes to the end: the four others keep their order and are unchanged.
        p = self.PARAGRAPHS
        b = self.post(self.s, self.token, [p[1], p[2], p[3], p[4], p[0]], "Reordered")
        self.set_pids(self.s, b, ["p2", "p3", "p4", "p5", "p1"])
        rows = self.compare(b)
        self.assertEqual([(r["pid"], r["status"]) for r in rows],
                         [("p2", "unchanged"), ("p3", "unchanged"), ("p4", "unchanged"), ("p5", "unchanged"),
                          ("p1", "moved")])
        self.assertEqual((rows[-1]["number_a"], rows[-1]["number_b"], rows[-1]["changed"]), (1, 5, False))
        page = self.s.get("/versions/%d/compare/%d" % (self.a, b)).text
        self.assertIn('(moved from <a href="#was-p1">\u00b61</a>)', page)
        self.assertIn("(moved to \u00b65)", page)
        # where it was, before the others: a line that links to where it went, and the four unchanged folded
        self.assertRegex(page, re.compile(r'<tr class="cmp-row cmp-gone" id="was-p1">.*moved to <a href="#p1">'
                                          r'\u00b65</a>.*<summary>4 unchanged paragraphs \(\u00b61\u2013\u00b64\)'
                                          r'</summary>', re.S))

    def test_moved_edited_added_and_removed(self):
        # Bravo moves after Delta and is edited, Echo is removed, Foxtrot is added.
        p = self.PARAGRAPHS
        b = self.post(self.s, self.token, [p[0], p[2], p[3], "Bravo is now the fourth.", "Foxtrot is new."],
                      "Revised")
        self.set_pids(self.s, b, ["p1", "p3", "p4", "p2", "p9"])
        rows = self.compare(b)
        self.assertEqual([(r["pid"], r["status"]) for r in rows],
                         [("p1", "unchanged"), ("p3", "unchanged"), ("p4", "unchanged"), ("p2", "moved"),
                          ("p9", "added"), ("p5", "removed")])
        moved = rows[3]
        self.assertEqual((moved["number_a"], moved["number_b"], moved["changed"]), (2, 4, True))
        self.assertEqual(rebuild(moved["ops"], "a"), "Bravo is the second.")
        self.assertEqual(rebuild(moved["ops"], "b"), "Bravo is now the fourth.")
        self.assertEqual((rows[5]["number_a"], rows[5]["number_b"], rows[5]["text"]), (5, None, "Echo is the fifth."))
        for view in ("", "?view=inline"):
            page = self.s.get("/versions/%d/compare/%d%s" % (self.a, b, view)).text
            self.assertIn('(moved from <a href="#was-p2">\u00b62</a>, and edited)', page)
            self.assertIn('id="was-p2"', page)
            self.assertIn('<span class="cmp-status cmp-removed">Removed</span>' if view else "Removed in this version.",
                          page)
            self.assertIn('href="/versions/%d/paragraphs/p5"' % self.a, page, "a removed one links to its version")
            # p1 | where p2 was | p3, p4: the line of the moved paragraph splits the unchanged ones
            self.assertIn("<summary>1 unchanged paragraph (\u00b61)</summary>", page)
            self.assertIn("<summary>2 unchanged paragraphs (\u00b62\u2013\u00b63)</summary>", page)
            self.assertLess(page.index("(\u00b61)</summary>"), page.index('id="was-p2"'))
            self.assertLess(page.index('id="was-p2"'), page.index("(\u00b62\u2013\u00b63)</summary>"))

    def test_a_table_is_compared_as_a_table_not_as_its_source(self):
        """A paragraph that is a Markdown table: the page shows its cells (a row added, a cell edited word by
        word, a row removed), never its pipes and dashes."""
        p = self.PARAGRAPHS
        old = ("| Pillar | Lead unit | Report due |\n| --- | --- | --- |\n| Legal measures | Legal affairs | Annual |\n"
               "| Outreach | Press office | Monthly |\n| Capacity | Development bureau | Annual |")
        new = ("| Pillar | Lead unit | Report due |\n| --- | --- | --- |\n| Legal measures | Legal affairs | Annual |\n"
               "| Capacity | Development bureau | Every two years |\n| Research | Statistics unit | Annual |")
        a = self.post(self.s, self.token, [p[0], old], "Table one")
        self.set_pids(self.s, a, ["p1", "t1"])
        b = self.post(self.s, self.token, [p[0], new], "Table two")
        self.set_pids(self.s, b, ["p1", "t1"])
        for view in ("", "?view=inline"):
            with self.subTest(view=view or "side by side"):
                page = self.s.get("/versions/%d/compare/%d%s" % (a, b, view)).text
                self.assertNotIn("| ---", page)
                self.assertNotIn("| Pillar", page)
                self.assertIn('<table class="cmp-table"><tr><th>Pillar</th><th>Lead unit</th><th>Report due</th></tr>'
                              '<tr><td>Legal measures</td><td>Legal affairs</td><td>Annual</td></tr>', page)
                # the edited cell: only its changed words marked (side by side: the old words on the old side)
                deleted = ('<del><span class="visually-hidden">[deleted: </span>Annual<span class="visually-hidden">]'
                           '</span></del>')
                inserted = ('<ins><span class="visually-hidden">[inserted: </span>Every two years<span '
                            'class="visually-hidden">]</span></ins>')
                cells = '<td>Capacity</td><td>Development bureau</td><td>%s</td>'
                if view:
                    self.assertIn(cells % (deleted + inserted), page)
                else:
                    self.assertIn(cells % deleted, page)
                    self.assertIn(cells % inserted, page)
                # a row removed and a row added, whole
                self.assertIn('<tr class="cmp-del"><td><del><span class="visually-hidden">[deleted: </span>Outreach', page)
                self.assertIn('<tr class="cmp-ins"><td><ins><span class="visually-hidden">[inserted: </span>Research', page)
        # a table added whole is a table too
        page = self.s.get("/versions/%d/compare/%d" % (self.a, b)).text
        self.assertNotIn("| ---", page)
        self.assertIn('<tr class="cmp-ins"><th><ins><span class="visually-hidden">[inserted: </span>Pillar', page)

    def test_a_change_of_formatting_alone_is_an_edit(self):
        p = self.PARAGRAPHS
        b = self.post(self.s, self.token, [p[0], "Bravo is *the* second.", p[2], p[3], p[4]], "Emphasis")
        self.set_pids(self.s, b, ["p1", "p2", "p3", "p4", "p5"])
        row = self.compare(b)[1]
        self.assertEqual((row["pid"], row["status"], row["changed"]), ("p2", "edited", True))
        self.assertEqual(row["ops"], [{"op": "equal", "text": "Bravo is the second."}])
        self.assertIn("(formatting only)", self.s.get("/versions/%d/compare/%d" % (self.a, b)).text)

    def test_a_long_comparison_comes_in_parts(self):
        # 500 paragraphs, each a 2,400-letter word replaced whole: more than LIMIT_PAGE_BYTES (2 MiB) of page
        # and of JSON, so both come in parts that link to the next, each under LIMIT_RESPONSE, none lost.
        old = ["Paragraph %d %s" % (i, "a" * 2400) for i in range(500)]
        new = ["Paragraph %d %s" % (i, "b" * 2400) for i in range(500)]
        a = self.post(self.s, self.token, old, "Long")
        b = self.post(self.s, self.token, new, "Long, rewritten")
        path, pids, parts = "/api/v1/versions/%d/compare/%d" % (a, b), [], 0
        while path:
            r = self.s.get_json(path)
            self.assertEqual(r.status, 200, r)
            self.assertLess(len(r.body), 8 * 1024 * 1024)
            body = r.json()
            self.assertEqual((body["offset"], body["total"]), (len(pids), 500))
            self.assertEqual(body["summary"]["edited"], 500)
            pids += [row["pid"] for row in body["paragraphs"]]
            path, parts = body["next"], parts + 1
        self.assertGreater(parts, 1)
        self.assertEqual(len(pids), 500)
        self.assertEqual(len(set(pids)), 500)
        for view in ("", "view=inline&"):
            path, ids, parts = "/versions/%d/compare/%d?%s" % (a, b, view.rstrip("&")), [], 0
            while path:
                r = self.s.get(path)
                self.assertEqual(r.status, 200, r)
                self.assertLess(len(r.body), 8 * 1024 * 1024)
                ids += re.findall(r'class="cmp-row cmp-para" id="(p\d+)"', r.text)
                more = re.search(r'<a href="(/versions/%d/compare/%d\?%sfrom=\d+)">read on</a>'
                                 % (a, b, re.escape(view.replace("&", "&amp;"))), r.text)
                path, parts = more and html.unescape(more.group(1)), parts + 1
                if path:
                    self.assertIn("too long for one page", r.text)
            self.assertGreater(parts, 1, view)
            self.assertEqual(len(ids), 500, view)
            self.assertEqual(len(set(ids)), 500, view)
        # a part that does not exist
        self.assertEqual(self.s.get("/versions/%d/compare/%d?from=99999" % (a, b)).status, 400)
        self.assertEqual(self.s.get("/versions/%d/compare/%d?from=x" % (a, b)).status, 400)
        self.assertErrorShape(self.s.get_json("/api/v1/versions/%d/compare/%d?offset=-1" % (a, b)), 422, "invalid",
                              ["offset"])
        self.assertErrorShape(self.s.get_json("/api/v1/versions/%d/compare/%d?offset=501" % (a, b)), 422, "invalid",
                              ["offset"])

    def test_a_thousand_paragraphs_compare_quickly(self):
        words = "the secretariat reports every year to the council on how the agenda is used".split()
        old = ["Paragraph %d: %s." % (i, " ".join(words[(i + k) % len(words)] for k in range(18))) for i in range(1000)]
        new = list(old)
        for i in range(0, 1000, 10):  # every tenth paragraph edited
            new[i] = new[i].replace("council", "governing body").replace("every year", "each year")
        a = self.post(self.s, self.token, old, "Long")
        b = self.post(self.s, self.token, new, "Long, revised")
        self.set_pids(self.s, a, ["p%d" % i for i in range(1000)])
        self.set_pids(self.s, b, ["p%d" % i for i in range(1000)])
        start = time.monotonic()
        r = self.s.get_json("/api/v1/versions/%d/compare/%d" % (a, b))
        self.assertEqual(r.status, 200, r)
        summary = r.json()["summary"]
        self.assertEqual((summary["edited"], summary["unchanged"]), (100, 900))
        for view in ("", "?view=inline"):
            page = self.s.get("/versions/%d/compare/%d%s" % (a, b, view))
            self.assertEqual(page.status, 200)
            self.assertEqual(page.text.count('<span class="cmp-status cmp-edited">Edited</span>'), 100)
            self.assertIn("[inserted: </span>governing body", page.text)
        # Three answers under the sanitizers; the release build takes a few milliseconds (README).
        self.assertLess(time.monotonic() - start, 20)


if __name__ == "__main__":
    import unittest

    unittest.main()
