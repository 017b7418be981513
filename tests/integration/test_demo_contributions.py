"""
The demo with its sample contributions (`consulta demo --live --contributions`, what `make run`
loads): a closed call on the first draft with published comments from several stakeholders, a few
on the open call's revised draft, and so the comment counts, the comparison of the two versions and
the comments carried forward show at once. Loading it twice changes nothing.
"""

import os
import re
import shutil
import sqlite3
import tempfile
import unittest

from harness import SLUG, Server, run_command

NOW = "2030-06-01T10:00:00Z"


def dump(db):
    with sqlite3.connect(db) as c:
        return list(c.iterdump())


class DemoWithContributions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="consulta-demo-")
        cls.server = Server(NOW, demo=False, workdir=cls.dir)
        cls.server.prepare()  # init only
        p = run_command(["demo", "--live", "--contributions"], now=NOW, db=cls.server.db)
        if p.returncode != 0:
            raise RuntimeError("consulta demo --live --contributions failed: " + p.stderr)
        cls.loaded = p.stdout
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            problem = cls.server.stop()
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)
        if problem:
            raise AssertionError(problem)

    def page(self, path):
        r = self.server.get(path)
        self.assertEqual(r.status, 200, path)
        return r.text

    def test_it_says_what_it_loaded(self):
        self.assertIn("with sample contributions", self.loaded)

    def test_the_process_lists_the_closed_call_on_the_first_draft_with_its_deadline_on_the_schedule(self):
        self.assertIn("Inputs on the first draft", self.page("/processes/" + SLUG))
        body = self.server.get_json("/api/v1/processes/" + SLUG).json()
        self.assertEqual(len(body["calls"]), 3)
        first = self.server.get_json("/api/v1/calls/3").json()
        self.assertEqual((first["title"], first["version_id"], first["state"]),
                         ("Inputs on the first draft", 1, "closed"))
        v2 = self.server.get_json("/api/v1/versions/2").json()
        self.assertLess(first["closes_on"], v2["date"], "it closed before the revised draft was posted")
        deadline = [m for m in body["milestones"] if m["id"] == first["milestone_id"]]
        self.assertEqual(len(deadline), 1, "the call's deadline is a milestone of the schedule")
        self.assertEqual(deadline[0]["date"], first["closes_on"])
        self.assertEqual(deadline[0]["kind"], "deadline")

    def test_the_contributions_are_published_from_several_stakeholders_with_all_three_types(self):
        got = self.server.get_json("/api/v1/calls/3/contributions").json()["contributions"]
        self.assertGreaterEqual(len(got), 3)
        self.assertTrue(all(c["state"] == "published" for c in got))
        self.assertTrue({c["publication"] for c in got} <= {"named", "anonymous"})
        self.assertGreaterEqual(len({c["category"] for c in got}), 3)
        self.assertGreaterEqual(len({c["country"] for c in got}), 3)
        comments = [m for c in got for m in c["comments"]]
        self.assertEqual({m["type"] for m in comments}, {"general", "technical", "editorial"})
        self.assertTrue(any(m["proposed_change"] for m in comments))
        self.assertTrue(any(m["paragraph"] is None for m in comments), "a general comment too")
        first = self.server.get_json("/api/v1/calls/3").json()
        for c in got:  # received inside the call, although it closed long before "now"
            self.assertTrue(first["opens_at"] <= c["received_at"] <= first["closes_at"], c)
        on_open = self.server.get_json("/api/v1/calls/1/contributions").json()["contributions"]
        self.assertGreaterEqual(len(on_open), 2)
        self.assertTrue(all(c["comments"] and c["state"] == "published" for c in on_open))

    def test_each_version_page_shows_its_comment_counts_and_the_earlier_ones(self):
        v1 = self.page("/versions/1")
        self.assertRegex(v1, r'href="/versions/1/paragraphs/p3">\d+ comments?')
        v2 = self.page("/versions/2")
        # p3 has comments on both versions: the count says how many came from the first draft.
        self.assertRegex(v2, r'href="/versions/2/paragraphs/p3">\d+ comments?<span[^>]*>[^<]*</span></a>, '
                             r'\d+ on earlier versions')

    def test_the_versions_compare(self):
        page = self.page("/versions/1/compare/2")
        self.assertIn("/versions/2/paragraphs/p3", page)
        body = self.server.get_json("/api/v1/versions/1/compare/2").json()
        self.assertTrue(body)

    def test_a_comment_on_the_first_draft_is_carried_forward_marked_changed_since(self):
        page = self.page("/versions/2/paragraphs/p3")
        self.assertIn("Carried forward from earlier versions", page)
        # The mark is the page's own HTML, not text escaped into it.
        self.assertIn('<strong class="changed">on an earlier version; this paragraph changed since</strong>', page)
        self.assertNotIn("&lt;strong", page)
        self.assertIn("The paragraph as it was commented on", page)


class DemoWithContributionsTwice(unittest.TestCase):
    def test_loading_it_again_changes_nothing(self):
        d = tempfile.mkdtemp(prefix="consulta-demo-")
        try:
            db = os.path.join(d, "consulta.db")
            self.assertEqual(run_command(["init"], now=NOW, db=db).returncode, 0)
            p = run_command(["demo", "--live", "--contributions"], now=NOW, db=db)
            self.assertEqual(p.returncode, 0, p.stderr)
            before = dump(db)
            self.assertTrue(any(re.search(r"INSERT INTO \"?comment\"? ", line) for line in before))
            for args in (["demo", "--live", "--contributions"], ["demo", "--contributions"], ["demo"]):
                p = run_command(args, now="2030-07-01T10:00:00Z", db=db)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("nothing changed", p.stdout)
                self.assertEqual(dump(db), before, args)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
