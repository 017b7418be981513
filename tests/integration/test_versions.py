"""
Versions and the identity of their paragraphs: a new version's paragraphs are
matched against the previous version's by content (an edited paragraph keeps
its id, a new one gets an id never used), GET /api/v1/versions/{id} shows
where each came from; a version whose matches are uncertain is a draft, not
public, until the secretariat confirms them (API or office page) and
publishes it; an older version's page says that a newer one exists.
"""

import re
import sqlite3
import harness
import unittest
import urllib.parse

from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, page_text

SECRETARIAT = "sec@gca.example"
PASSWORD = "a long passphrase for the tests"
VERSIONS = "/api/v1/processes/%s/documents/guidelines/versions" % SLUG

SCOPE = ("The guidelines apply to all activities of the secretariat that relate to cybersecurity, including "
         "those carried out with partners.")
SCOPE_EDITED = ("The guidelines apply to all activities of the secretariat that relate to cybersecurity, including "
                "those carried out jointly with partners and observers.")
REPORTING = "The secretariat reports every year to the governing body on how the GCA is used.\n\n"
PILLARS = ("1. Activities are organized under the five pillars of the GCA: legal, technical and procedural, "
           "organizational, capacity development, and cooperation.\n")
MANDATE = "2. Activities respect the mandate given by the membership and avoid duplicating the work of others.\n"
INSERTED = "Definitions follow the glossary that the Plenipotentiary Conference adopted in Dubai.\n\n"
PURPOSE = ("These guidelines describe how the organization uses the Global Cybersecurity Agenda (GCA) as a "
           "framework for international cooperation, taking into account the inputs received from Member "
           "States and other stakeholders.")
PURPOSE_REWRITTEN = ("These guidelines describe how the organization applies the Global Cybersecurity Agenda "
                     "(GCA) when it works with Member States, and what it reports.")


class Versions(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def office(self):
        s = self.fresh_server()
        return s, s.account_token(SECRETARIAT, password=PASSWORD)

    def version(self, s, vid, token=None):
        r = s.send_json("GET", "/api/v1/versions/%d" % vid, token=token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def post(self, s, token, markdown, label="Third draft"):
        r = s.send_json("POST", VERSIONS, {"markdown": markdown, "date": "2021-06-01", "label": label}, token=token)
        self.assertEqual(r.status, 201, r)
        v = r.json()
        self.assertEqual(v["url"], "/versions/%d" % v["id"])
        return v

    def demo_v2(self, s):
        v = self.version(s, 2)
        self.assertEqual(v["state"], "published")
        return v["markdown"]

    def test_the_demo_second_version_was_matched_against_the_first(self):
        s = self.fresh_server()
        v1, v2 = self.version(s, 1), self.version(s, 2)
        self.assertIsNone(v1["previous_version_id"])
        self.assertNotIn("relation", v1["paragraphs"][0], "a first version says nothing of where it came from")
        self.assertEqual(v2["previous_version_id"], 1)
        rel = {p["id"]: (p["relation"], p["from"]) for p in v2["paragraphs"]}
        self.assertEqual(rel["p1"], ("unchanged", ["p1"]))
        self.assertEqual(rel["p3"], ("edited", ["p3"]))  # the scope, with a clause added
        self.assertEqual(rel["p7"], ("new", []))
        self.assertEqual([p["number"] for p in v2["paragraphs"]], list(range(1, len(v2["paragraphs"]) + 1)))
        self.assertIn("Partners are chosen openly", v2["markdown"])

    def test_edited_removed_inserted_and_reordered_paragraphs_keep_or_get_ids(self):
        s, token = self.office()
        md = self.demo_v2(s)
        for old in (SCOPE, REPORTING, PILLARS + MANDATE):
            self.assertIn(old, md)
        md = md.replace(SCOPE, SCOPE_EDITED + "\n\n" + INSERTED.strip())  # ¶3 edited, a paragraph after it
        md = md.replace(REPORTING, "")  # ¶7 removed
        md = md.replace(PILLARS + MANDATE, MANDATE.replace("2.", "1.") + PILLARS.replace("1.", "2."))  # swapped
        posted = self.post(s, token, md)
        self.assertEqual(posted["state"], "published")
        v = self.version(s, posted["id"])
        got = [(p["id"], p["relation"], p["from"]) for p in v["paragraphs"]]
        self.assertEqual([g[0] for g in got], ["p1", "p2", "p3", "p9", "p5", "p4", "p6", "p8"], got)
        self.assertEqual(got[2], ("p3", "edited", ["p3"]))
        self.assertEqual(got[3], ("p9", "new", []))
        self.assertEqual({got[4][1], got[5][1]} - {"unchanged"}, {"moved"}, "one of the two moved past the other")
        self.assertNotIn("p7", [g[0] for g in got], "the removed paragraph's id is gone")
        page = s.get(posted["url"])
        self.assertEqual(re.findall(r'<div class="para" id="(p\d+)">', page.text), [g[0] for g in got])
        # A fourth version: a new paragraph never takes p7 back, though p7 is no longer in the latest version.
        v4 = self.post(s, token, md + "\nA closing paragraph about the review of these guidelines in 2025.\n",
                       label="Fourth draft")
        ids = [p["id"] for p in self.version(s, v4["id"])["paragraphs"]]
        self.assertEqual(ids[-1], "p10")

    def follow(self, s, email):
        """A confirmed follower of the demo process, written straight into the database."""
        with harness.connect(s.db, timeout=10) as db:
            db.execute("INSERT INTO subscription (process_id, email, token_hash, created_at, confirmed_at) "
                       "SELECT id, ?, ?, 0, 0 FROM process WHERE slug = ?", (email, "hash-" + email, SLUG))

    def notices(self, s):
        with harness.connect(s.db, timeout=10) as db:
            return [m for (m,) in db.execute("SELECT message FROM outbox WHERE kind = 'notice'")
                    if "New version" in m]

    def draft(self, s, token):
        md = self.demo_v2(s).replace(PURPOSE, PURPOSE_REWRITTEN)
        posted = self.post(s, token, md)
        self.assertEqual(posted["state"], "draft", "a heavy rewrite is not matched with confidence")
        return posted

    def test_an_uncertain_version_is_a_draft_until_confirmed_then_public_with_the_ids_chosen(self):
        s, token = self.office()
        self.follow(s, "grace@example.org")
        posted = self.draft(s, token)
        vid = posted["id"]
        self.assertEqual(self.notices(s), [], "a draft is announced to no one")
        # Not public: page and API answer 404, it is in no list, and no subscriber heard of it.
        self.assertEqual(s.get("/versions/%d" % vid).status, 404)
        self.assertEqual(s.get("/api/v1/versions/%d" % vid).status, 404)
        self.assertEqual(s.get("/versions/%d/paragraphs/p1" % vid).status, 404, "nor its paragraphs' pages")
        self.assertEqual(s.get("/versions/2/compare/%d" % vid).status, 404, "nor a comparison with it")
        self.assertEqual(s.get("/api/v1/versions/2/compare/%d" % vid).status, 404)
        self.assertEqual(s.send_json("GET", "/api/v1/versions/2/compare/%d" % vid, token=token).status, 200,
                         "the secretariat compares its draft")
        listed = [v["id"] for d in s.get_json("/api/v1/processes/" + SLUG).json()["documents"] for v in d["versions"]]
        self.assertNotIn(vid, listed)
        self.assertNotIn("A newer version exists", s.get("/versions/2").text)
        # The secretariat sees it, and the uncertain pair.
        self.assertEqual(self.version(s, vid, token)["state"], "draft")
        m = s.send_json("GET", "/api/v1/versions/%d/matches" % vid, token=token).json()
        uncertain = [p for p in m["paragraphs"] if p["uncertain"]]
        self.assertEqual([(p["number"], p["id"], p["from"]) for p in uncertain], [(2, "p2", ["p2"])])
        self.assertEqual(uncertain[0]["sources"][0]["text"], PURPOSE)
        self.assertTrue(0.4 <= uncertain[0]["similarity"] < 0.75)
        # Publishing before deciding is refused; so is posting another version meanwhile.
        r = s.send_json("POST", "/api/v1/versions/%d/publish" % vid, token=token)
        self.assertErrorShape(r, 409, "conflict")
        self.assertErrorShape(s.send_json("POST", VERSIONS, {"markdown": "x", "date": "2021-06-02", "label": "L"},
                                          token=token), 409, "conflict")
        # No call may be about it.
        call = {"version_id": vid, "title": "On the draft", "opens_on": "2021-06-01", "closes_on": "2021-06-30"}
        self.assertErrorShape(s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG, call, token=token), 422,
                              "invalid", {"version_id"})
        # Bad decisions name the field.
        for bad in ([{"number": 2, "choice": "p99"}], [{"number": 99, "choice": "same"}], [{"number": 2}], []):
            with self.subTest(bad=bad):
                r = s.send_json("POST", "/api/v1/versions/%d/matches" % vid, {"decisions": bad}, token=token)
                self.assertErrorShape(r, 422, "invalid", {"decisions"})
        # Two paragraphs cannot be one: ¶3 is p3 already.
        r = s.send_json("POST", "/api/v1/versions/%d/matches" % vid, {"decisions": [{"number": 2, "choice": "p3"}]},
                        token=token)
        self.assertErrorShape(r, 422, "invalid", {"decisions"})
        # "A different paragraph": a fresh id; p2 has no successor.
        r = s.send_json("POST", "/api/v1/versions/%d/matches" % vid, {"decisions": [{"number": 2, "choice": "new"}]},
                        token=token)
        self.assertEqual(r.status, 200, r)
        m = r.json()
        self.assertEqual(m["uncertain"], 0)
        self.assertEqual(m["paragraphs"][1]["id"], "p9")
        self.assertEqual(m["paragraphs"][1]["relation"], "new")
        self.assertIn("p2", [x["id"] for x in m["removed"]])
        self.assertEqual(s.get("/versions/%d" % vid).status, 404, "deciding does not publish")
        r = s.send_json("POST", "/api/v1/versions/%d/publish" % vid, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "published")
        notices = self.notices(s)
        self.assertEqual(len(notices), 1, "published: the followers are told, once")
        self.assertIn("/versions/%d" % vid, notices[0])
        page = s.get("/versions/%d" % vid)
        self.assertEqual(page.status, 200)
        self.assertEqual(re.findall(r'<div class="para" id="(p\d+)">', page.text)[:3], ["p1", "p9", "p3"])
        self.assertEqual(self.version(s, vid)["paragraphs"][1]["id"], "p9")
        r = s.send_json("GET", "/api/v1/audit?kind=version.publish", token=token)
        self.assertEqual(len(r.json()["entries"]), 1)
        match = s.send_json("GET", "/api/v1/audit?kind=version.match", token=token).json()["entries"]
        self.assertEqual(match[0]["after"]["decisions"], [{"number": 2, "choice": "new", "pid": "p9"}])
        self.assertErrorShape(s.send_json("POST", "/api/v1/versions/%d/publish" % vid, token=token), 409, "conflict")

    def login(self, s):
        return super().login(s, SECRETARIAT)

    def test_the_office_page_shows_the_pair_and_confirming_publishes(self):
        s, token = self.office()
        session = self.login(s)
        cookie = "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)
        vid = self.draft(s, token)["id"]
        office = s.get("/office/processes/" + SLUG, headers={"Cookie": cookie})
        self.assertIn("/office/versions/%d/matches" % vid, office.text)
        page = s.get("/office/versions/%d/matches" % vid, headers={"Cookie": cookie})
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        self.assertIn(PURPOSE, text)
        self.assertIn(PURPOSE_REWRITTEN, text)
        self.assertIn("A different paragraph (new)", text)
        self.assertIn('name="n2"', page.text)
        # "Another paragraph" offers those no confident match holds: p2 (proposed), not p3 (¶3 is it).
        self.assertIn('<option value="p2" selected>', page.text)
        self.assertNotIn('<option value="p3"', page.text)
        self.assertIn("nobody else sees it", text)
        self.assertIn("This version is a draft", page_text(s.get("/versions/%d" % vid, headers={"Cookie": cookie})))

        def post(fields):
            fields = dict(fields, csrf=s.csrf_token(session))
            return s.request("POST", "/office/versions/%d/matches" % vid, body=urllib.parse.urlencode(fields).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})

        r = post({})  # no choice made: the page again, with the mistake
        self.assertEqual(r.status, 422, r)
        self.assertIn("choose whether it is the same paragraph", r.text)
        self.assertEqual(s.get("/versions/%d" % vid).status, 404)
        r = post({"n2": "same"})  # publishing cannot be undone: a second page asks first, and nothing changes
        self.assertEqual(r.status, 200, r)
        self.assertIn('<input type="hidden" name="n2" value="same">', r.text)
        self.assertIn("This cannot be undone", r.text)
        self.assertEqual(s.get("/versions/%d" % vid).status, 404)
        r = post({"n2": "same", "confirm": "yes"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/office/processes/%s?done=published&id=%d" % (SLUG, vid))
        self.assertIn("published: it is on the public page of the process",
                      page_text(s.get(r.header("Location"), headers={"Cookie": cookie})))
        v = self.version(s, vid)
        self.assertEqual((v["state"], v["paragraphs"][1]["id"], v["paragraphs"][1]["uncertain"]),
                         ("published", "p2", False))

    def test_the_comparison_names_a_split_and_a_merge_from_the_paragraphs_matching(self):
        s, token = self.office()
        r = s.send_json("POST", "/api/v1/processes/%s/documents" % SLUG, {"slug": "sm", "title": "Split and merge"},
                        token=token)
        self.assertEqual(r.status, 201, r)
        path = "/api/v1/processes/%s/documents/sm/versions" % SLUG
        long_one = ("The secretariat publishes every contribution it receives on the consultation website within "
                    "two working days, and it keeps a register of the contributions with their dates of receipt, "
                    "their senders and the paragraphs of the draft that each of them addresses.")
        merge_a = "Member States may send written inputs by the deadline announced in the circular letter."
        merge_b = "Sector Members and Academia may also send written inputs by that same deadline."
        other = "The Council considers the final draft of the guidelines at its next session in Geneva."
        first = "\n\n".join([long_one, merge_a, merge_b, other]) + "\n"
        v1 = s.send_json("POST", path, {"markdown": first, "date": "2021-06-01", "label": "One"}, token=token)
        self.assertEqual(v1.status, 201, v1)
        split_1 = ("The secretariat publishes every contribution it receives on the consultation website within "
                   "two working days.")
        split_2 = ("It keeps a register of the contributions with their dates of receipt, their senders and the "
                   "paragraphs of the draft that each of them addresses.")
        second = "\n\n".join([split_1, split_2, merge_a + " " + merge_b, other]) + "\n"
        v2 = s.send_json("POST", path, {"markdown": second, "date": "2021-06-02", "label": "Two"}, token=token)
        self.assertEqual(v2.status, 201, v2)
        vid = v2.json()["id"]
        if v2.json()["state"] == "draft":  # the matching asks: confirm its own proposals
            m = s.send_json("GET", "/api/v1/versions/%d/matches" % vid, token=token).json()
            decisions = [{"number": p["number"], "choice": "same"} for p in m["paragraphs"] if p["uncertain"]]
            r = s.send_json("POST", "/api/v1/versions/%d/matches" % vid, {"decisions": decisions}, token=token)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(s.send_json("POST", "/api/v1/versions/%d/publish" % vid, token=token).status, 200)
        relations = [p["relation"] for p in self.version(s, vid)["paragraphs"]]
        self.assertIn("split", relations)
        self.assertIn("merged", relations)
        c = s.get_json("/api/v1/versions/%d/compare/%d" % (v1.json()["id"], vid)).json()
        statuses = [p["status"] for p in c["paragraphs"]]
        self.assertIn("split", statuses, "the part split off is named so, not 'added'")
        self.assertIn("merged", statuses, "the paragraph merged into another is named so, not 'removed'")
        self.assertNotIn("added", statuses)
        self.assertNotIn("removed", statuses)

    def test_an_older_version_says_a_newer_one_exists_and_links_to_the_comparison(self):
        s = self.fresh_server()
        text = page_text(s.get("/versions/1"))
        self.assertIn("A newer version exists: Revised draft, 5 May 2020", text)
        page = s.get("/versions/1").text
        self.assertIn('href="/versions/2"', page)
        self.assertIn('href="/versions/1/compare/2"', page)
        self.assertNotIn("A newer version exists", s.get("/versions/2").text)
        self.assertEqual(self.version(s, 1)["newer_version"]["compare_url"], "/versions/1/compare/2")
        self.assertNotIn("newer_version", self.version(s, 2))


if __name__ == "__main__":
    unittest.main()
