"""
The demo with its sample contributions (`consulta demo --live --contributions`, what `make run`
loads): a closed call on the first draft with published comments from several stakeholders, a few
on the open call's revised draft, and so the comment counts, the comparison of the two versions and
the comments carried forward show at once. Every comment of the first call is answered and the
answers are published (on the revised draft's day), so that each sample contribution shows its
answers and their fate mails are queued, to example.org addresses. Loading it twice changes nothing.
"""

import datetime
import email
import email.policy
import os
import re
import shutil
import sqlite3
import harness
import subprocess
import tempfile
import unittest
import urllib.parse
import zoneinfo

from harness import SLUG, Server, binary, run_command

NOW = "2030-06-01T10:00:00Z"
ZONE = zoneinfo.ZoneInfo("Europe/Zurich")
DECISIONS = {"accepted", "accepted_in_part", "not_accepted", "noted"}


def dump(db):
    with harness.connect(db) as c:
        return list(c.iterdump())


def local_date(instant):
    """The day, in the process's zone, of a Unix time or an RFC 3339 instant."""
    if isinstance(instant, str):
        t = datetime.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    else:
        t = datetime.datetime.fromtimestamp(instant, datetime.timezone.utc)
    return t.astimezone(ZONE).date().isoformat()


def published_at(db, call_id):
    with harness.connect(db) as c:
        return c.execute("SELECT dispositions_published_at FROM call WHERE id = ?", (call_id,)).fetchone()[0]


class AnswersOfTheFirstCall:
    """What the demo's answers to the first draft's comments promise, in either mode (live or not)."""

    def first_call_comments(self):
        got = self.server.get_json("/api/v1/calls/3/contributions").json()["contributions"]
        return got, [m for c in got for m in c["comments"]]

    def test_every_comment_of_the_first_call_is_answered_and_published_on_the_revised_drafts_day(self):
        _, comments = self.first_call_comments()
        self.assertEqual(len(comments), 9)
        # The public API shows answers only once they are published.
        self.assertTrue(all(m["disposition"] for m in comments), comments)
        self.assertEqual({m["disposition"]["decision"] for m in comments}, DECISIONS, "a mix of all four")
        first = self.server.get_json("/api/v1/calls/3").json()
        revised = self.server.get_json("/api/v1/versions/2").json()
        at = published_at(self.server.db, 3)
        self.assertIsNotNone(at)
        self.assertEqual(local_date(at), revised["date"], "published with the revised draft")
        for m in comments:
            d = m["disposition"]
            self.assertTrue(first["closes_at"] < d["decided_at"], d)
            self.assertLessEqual(local_date(d["decided_at"]), revised["date"], d)
            self.assertTrue(d["reason"].strip(), d)

    def test_the_secretariat_sees_none_remaining_and_the_publication(self):
        token = self.server.account_token("office-%s@example.org" % type(self).__name__.lower())
        r = self.server.send_json("GET", "/api/v1/calls/3/dispositions/remaining", token=token).json()
        self.assertEqual((r["remaining"], r["paragraphs"]), (0, []))
        self.assertEqual(local_date(r["published_at"]), local_date(published_at(self.server.db, 3)))
        page = self.server.get("/calls/3/matrix")
        self.assertEqual(page.status, 200)
        self.assertIn("Not accepted", page.text)

    def test_where_accepted_the_answer_names_the_revised_drafts_paragraph_that_has_the_text(self):
        _, comments = self.first_call_comments()
        accepted = [m for m in comments if m["disposition"]["decision"] in ("accepted", "accepted_in_part")]
        self.assertGreaterEqual(len(accepted), 3)
        for m in comments:
            d = m["disposition"]
            if d["decision"] in ("accepted", "accepted_in_part"):
                self.assertEqual(d["version_id"], 2, m)
                self.assertEqual(self.server.get("/versions/2/paragraphs/" + d["paragraph"]).status, 200, d)
            else:
                self.assertEqual((d["paragraph"], d["version_id"]), (None, None), m)
            if d["decision"] == "accepted" and m["proposed_change"] and m["paragraph"] == d["paragraph"]:
                # What was accepted as proposed is in the revised draft's paragraph, word for word.
                page = self.server.get("/versions/2/paragraphs/" + d["paragraph"]).text
                self.assertIn(m["proposed_change"].rstrip("."), page.replace("&quot;", '"'), m)

    def test_a_sample_contributions_page_shows_each_comment_with_its_answer(self):
        got, _ = self.first_call_comments()
        amina = [c for c in got if c.get("name") == "Amina Wanjiru (sample)"][0]
        page = self.server.get("/contributions/" + amina["tracking"]).text
        self.assertEqual(page.count('<div class="disposition">'), len(amina["comments"]), page)
        self.assertIn("Answer: <strong>Accepted</strong> \u00b7 now <a href=\"/versions/2#p2\">\u00b62 of Revised "
                      "draft</a>", page)
        self.assertIn("Answer: <strong>Accepted in part</strong> \u00b7 now <a href=\"/versions/2#p7\">", page)
        for m in amina["comments"]:
            self.assertIn(m["disposition"]["reason"].replace('"', "&quot;"), page)
        # The answer's link opens the revised draft at that paragraph.
        self.assertIn('id="p2"', self.server.get("/versions/2").text)

    def test_each_first_call_address_has_one_fate_mail_at_example_org_whose_links_open(self):
        got, _ = self.first_call_comments()
        with harness.connect(self.server.db) as db:
            rows = db.execute("SELECT kind, recipient, message, sent_at, attempts FROM outbox ORDER BY id").fetchall()
        self.assertTrue(all(r[1].endswith("@example.org") for r in rows), [r[1] for r in rows])
        fates = [r for r in rows if r[0] == "fate"]
        self.assertEqual(sorted(r[1] for r in fates), ["amina.wanjiru@example.org", "jonas.becker@example.org",
                                                       "observer.delegation@example.org",
                                                       "research.group@example.org"])
        self.assertEqual(len(fates), len(got), "one per address of the first call")
        at = published_at(self.server.db, 3)
        for _, to, message, sent_at, attempts in fates:
            m = email.message_from_string(message, policy=email.policy.default)
            self.assertEqual(m["Subject"], "Answers to your comments: Inputs on the first draft")
            self.assertEqual(int(m["Date"].datetime.timestamp()), at, "dated at the publication")
            links = re.findall(r"^http://\S+", m.get_body(("plain",)).get_content(), re.M)
            self.assertEqual(len(links), 1, message)
            self.assertEqual(self.server.get(urllib.parse.urlsplit(links[0]).path).status, 200, links[0])
            # Served without --smtp (as `make run` does), mail stays queued: not sent, not failed, not retried.
            self.assertEqual((sent_at, attempts), (None, 0), to)


class DemoWithContributions(AnswersOfTheFirstCall, unittest.TestCase):
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

    def test_in_live_mode_every_year_named_agrees_with_the_dates(self):
        # Moved by about nine years (now is 2030): a year before 2029 named anywhere contradicts the dates.
        body = self.server.get_json("/api/v1/processes/" + SLUG).json()
        letters = body["circulars"]
        self.assertEqual(len(letters), 2)
        for c in letters:
            self.assertRegex(c["reference"], r"^CL-\d\d/\d+$")
            self.assertEqual(c["reference"][3:5], c["date"][2:4], "a letter's number says the year of its date")
        council = [m for m in body["milestones"] if m["kind"] == "presentation"][0]
        move = council["history"][0]
        year = re.fullmatch(r"(\d{4}) session of the Council", move["from_label"]).group(1)
        self.assertIn("in %s," % year, move["reason"])
        self.assertNotIn("health emergency", move["reason"], "true of 2020 only")
        self.assertLess(year, council["date"][:4], "moved to a later session")
        self.assertLessEqual(int(year), int(move["moved_on"][:4]))
        old_year = re.compile(r"(?<![\d-])(?:19\d\d|20[01]\d|202[0-8])(?![\d-])|CL-2[01]/")
        for path in ["/", "/processes/" + SLUG, "/calls/1", "/calls/2", "/calls/3", "/versions/1", "/versions/2",
                     "/calls/3/contributions", "/calls/3/matrix", "/api/v1/processes/" + SLUG]:
            text = self.page(path)
            self.assertIsNone(old_year.search(text), "%s names %r" % (path, old_year.search(text)))

    def test_the_versions_compare(self):
        page = self.page("/versions/1/compare/2")
        self.assertIn("/versions/2/paragraphs/p3", page)
        body = self.server.get_json("/api/v1/versions/1/compare/2").json()
        self.assertTrue(body)

    def test_a_comment_on_the_first_draft_is_carried_forward_marked_changed_since(self):
        page = self.page("/versions/2/paragraphs/p3")
        self.assertIn("Carried forward from earlier versions", page)
        # The mark is the page's own HTML, not text escaped into it.
        self.assertIn('<strong class="changed">the paragraph has changed since</strong>', page)
        self.assertNotIn("&lt;strong", page)
        self.assertIn("The paragraph as it was commented on", page)


class DemoWithContributionsNotLive(AnswersOfTheFirstCall, unittest.TestCase):
    """`consulta demo --contributions`: the same story on its real dates of 2020."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="consulta-demo-")
        cls.server = Server(NOW, demo=False, workdir=cls.dir)
        cls.server.prepare()
        p = run_command(["demo", "--contributions"], now=NOW, db=cls.server.db)
        if p.returncode != 0:
            raise RuntimeError("consulta demo --contributions failed: " + p.stderr)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        DemoWithContributions.tearDownClass.__func__(cls)

    def test_the_answers_are_published_on_5_may_2020(self):
        self.assertEqual(local_date(published_at(self.server.db, 3)), "2020-05-05")

    def test_the_letters_and_the_move_keep_their_real_years(self):
        body = self.server.get_json("/api/v1/processes/" + SLUG).json()
        self.assertEqual([c["reference"] for c in body["circulars"]], ["CL-20/18", "CL-20/55"])
        council = [m for m in body["milestones"] if m["kind"] == "presentation"][0]
        self.assertEqual(council["history"][0]["from_label"], "2020 session of the Council")
        self.assertIn("virtual consultations in 2020 because of the global health emergency, ",
                      council["history"][0]["reason"])


def deciders(db):
    """The e-mail and password hash presence of the accounts that decided the demo's answers."""
    with harness.connect(db) as c:
        return c.execute("SELECT DISTINCT a.email, a.role, a.password_hash IS NOT NULL FROM disposition d "
                         "JOIN account a ON a.id = d.decided_by").fetchall()


class DemoSecretariat(unittest.TestCase):
    """The answers are the demo secretariat's: the account `make run` makes first (with its password), or,
    when it does not exist, one the demo makes without a password."""

    def load(self, before=None):
        d = tempfile.mkdtemp(prefix="consulta-demo-")
        self.addCleanup(shutil.rmtree, d, True)
        db = os.path.join(d, "consulta.db")
        self.assertEqual(run_command(["init"], now=NOW, db=db).returncode, 0)
        if before:
            p = subprocess.run([binary(), "--db", harness.db_url(db)] + before, input="a demo password, long enough\n",
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
        p = run_command(["demo", "--live", "--contributions"], now=NOW, db=db)
        self.assertEqual(p.returncode, 0, p.stderr)
        return db

    def test_the_demo_makes_the_account_when_it_does_not_exist(self):
        self.assertEqual(deciders(self.load()), [("secretariat@gca-demo.example", "secretariat", 0)])

    def test_the_demo_answers_as_the_account_make_run_made_first(self):
        db = self.load(["user", "add", "--role", "secretariat", "--email", "secretariat@gca-demo.example",
                        "--name", "Demo secretariat", "--password-stdin"])
        self.assertEqual(deciders(db), [("secretariat@gca-demo.example", "secretariat", 1)])
        with harness.connect(db) as c:
            self.assertEqual(c.execute("SELECT count(*) FROM account").fetchone()[0], 1)


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
