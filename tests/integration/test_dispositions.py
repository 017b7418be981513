"""
The secretariat's answers to comments (issue 9, item 1): answered one by one
with every revision kept (an unchanged answer writes nothing) and audited;
many at once by paragraph or as "identical comments" from several senders;
the comments still without an answer counted per paragraph; publication
refused while one remains, then one act after which answers no longer
change; the public sees answers only once published, the secretariat always.
"""

import re
import sqlite3
import harness
import unittest

from harness import ServerTestCase, contribution

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
SECRETARIAT = "secretariat@example.org"
PASSWORD = "a long passphrase for the tests"


def history_rows(server):
    with harness.connect(server.db, timeout=10) as db:
        return db.execute("SELECT comment_id, revision, decision FROM disposition_history ORDER BY id").fetchall()


class Dispositions(ServerTestCase):
    SHARED = False

    def send(self, s, comments, **fields):
        return s.contribute(comments=comments, **fields)["tracking"]

    def comments_of(self, s, tracking, token=None):
        return s.comments_of(tracking, token)

    def answer(self, s, token, comment_id, **body):
        return s.send_json("POST", "/api/v1/comments/%d/disposition" % comment_id, body, token=token)

    def test_one_by_one_keeps_every_revision(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        tracking = self.send(s, [{"paragraph": "p3", "comment": "Say who reports."}])
        cid = self.comments_of(s, tracking, token)[0]["id"]
        r = self.answer(s, token, cid, decision="accepted", reason="Done in the next draft.")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["decision"], r.json()["revision"], r.json()["unchanged"]), ("accepted", 1, False))
        # The same answer again is unchanged: no new revision, no history row, no audit entry.
        r = self.answer(s, token, cid, decision="accepted", reason="Done in the next draft.")
        self.assertEqual((r.status, r.json()["revision"], r.json()["unchanged"]), (200, 1, True))
        self.assertEqual(len(history_rows(s)), 1)
        r = self.answer(s, token, cid, decision="accepted_in_part", reason="Only the first half.")
        self.assertEqual((r.status, r.json()["revision"]), (200, 2))
        h = s.send_json("GET", "/api/v1/comments/%d/disposition/history" % cid, token=token)
        self.assertEqual(h.status, 200, h)
        self.assertEqual([(x["revision"], x["decision"], x["reason"]) for x in h.json()["revisions"]],
                         [(1, "accepted", "Done in the next draft."), (2, "accepted_in_part", "Only the first half.")])
        audit = s.send_json("GET", "/api/v1/audit?kind=disposition.record", token=token).json()["entries"]
        self.assertEqual(len(audit), 2)
        self.assertEqual(audit[0]["object"], "comment:%d" % cid)
        self.assertEqual((audit[0]["before"]["decision"], audit[0]["after"]["decision"]),
                         ("accepted", "accepted_in_part"))
        self.assertIsNone(audit[1]["before"])
        # The secretariat sees the answer on the record; the public does not, before publication.
        self.assertEqual(self.comments_of(s, tracking, token)[0]["disposition"]["decision"], "accepted_in_part")
        self.assertNotIn("disposition", self.comments_of(s, tracking)[0])

    def test_the_paragraph_where_the_text_landed_is_of_a_later_version(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        tracking = self.send(s, [{"paragraph": "p3", "comment": "Say who reports."}])
        cid = self.comments_of(s, tracking, token)[0]["id"]
        markdown = "Nothing like the draft before.\n\nThe secretariat reports to the Council every year.\n"
        vid = s.publish_version(token, markdown, "Next")
        pids = [p["id"] for p in s.get_json("/api/v1/versions/%d" % vid).json()["paragraphs"]]
        r = self.answer(s, token, cid, decision="accepted", reason="Now says who.", paragraph=pids[-1])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["paragraph"], r.json()["version_id"]), (pids[-1], vid))
        r = self.answer(s, token, cid, decision="accepted", reason="Now says who.", paragraph="p99")
        self.assertErrorShape(r, 422, "invalid", fields=["paragraph"])
        # The version the comment was made on is not a later one.
        r = self.answer(s, token, cid, decision="accepted", reason="Now says who.", paragraph="p3",
                        version_id=s.get_json("/api/v1/calls/1").json()["version_id"])
        self.assertErrorShape(r, 422, "invalid", fields=["version_id"])
        r = self.answer(s, token, cid, decision="accepted", reason="Now says who.", paragraph=pids[0],
                        version_id=vid)
        self.assertEqual((r.status, r.json()["paragraph"], r.json()["revision"]), (200, pids[0], 2), r)
        # As the page numbers it (¶2, or 2): the paragraph of that number in the later version, its id kept.
        paragraphs = s.get_json("/api/v1/versions/%d" % vid).json()["paragraphs"]
        second = [p for p in paragraphs if p["number"] == 2][0]
        for said in ("\u00b62", "2"):
            r = self.answer(s, token, cid, decision="accepted", reason="Said by its number %s." % said,
                            paragraph=said, version_id=vid)
            self.assertEqual((r.status, r.json()["paragraph"]), (200, second["id"]), r)
        r = self.answer(s, token, cid, decision="accepted", reason="Now says who.", paragraph="\u00b699",
                        version_id=vid)
        self.assertErrorShape(r, 422, "invalid", fields=["paragraph"])
        self.assertIn("The later version has no paragraph \u00b699.", r.json()["error"]["fields"]["paragraph"])
        r = self.answer(s, token, cid, decision="accepted", reason="Now says who.", paragraph="5.2", version_id=vid)
        self.assertErrorShape(r, 422, "invalid", fields=["paragraph"])
        self.assertIn("as its page shows it: \u00b63.", r.json()["error"]["fields"]["paragraph"])

    def test_bulk_by_type_and_category(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        t = self.send(s, [{"paragraph": "p3", "type": "editorial", "comment": "A typo."},
                          {"paragraph": "p4", "type": "technical", "comment": "Wrong."}], category="academia")
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"type": "editorial"}, "decision": "accepted", "reason": "Fixed."}, token=token)
        self.assertEqual(r.status, 200, r)
        got = {c["comment"]: c.get("disposition") for c in self.comments_of(s, t, token)}
        self.assertEqual(got["A typo."]["decision"], "accepted")
        self.assertIsNone(got["Wrong."])
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"category": "academia"}, "decision": "noted", "reason": "Seen."}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(r.json()["applied"], 2)
        got = {c["comment"]: c["disposition"]["revision"] for c in self.comments_of(s, t, token)}
        self.assertEqual(got, {"A typo.": 2, "Wrong.": 1})
        # unanswered_only: an answer given stays; the paragraph by its number on the page
        number = s.query("SELECT number FROM paragraph WHERE pid = 'p3' AND version_id = "
                         "(SELECT version_id FROM call WHERE id = 1)")[0][0]
        u = self.send(s, [{"paragraph": "p3", "type": "general", "comment": "New here."}])
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"paragraph": "\u00b6%d" % number}, "unanswered_only": True,
                         "decision": "not_accepted", "reason": "No."}, token=token)
        self.assertEqual((r.status, r.json()["applied"], r.json()["kept"]), (200, 1, 1), r)
        self.assertEqual(self.comments_of(s, u, token)[0]["disposition"]["decision"], "not_accepted")
        self.assertEqual(self.comments_of(s, t, token)[0]["disposition"]["decision"], "noted")
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"type": "general"}, "unanswered_only": "yes", "decision": "noted",
                         "reason": "Seen."}, token=token)
        self.assertEqual(r.status, 422, r)
        self.assertIn("unanswered_only", r.json()["error"]["fields"])

    def test_bad_input_names_the_fields(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        tracking = self.send(s, [{"paragraph": "p3", "comment": "Say who reports."}])
        cid = self.comments_of(s, tracking, token)[0]["id"]
        r = self.answer(s, token, cid, decision="maybe", reason="  ")
        self.assertErrorShape(r, 422, "invalid", fields=["decision", "reason"])
        r = self.answer(s, token, cid, decision="noted", reason="x" * 5001)
        self.assertErrorShape(r, 422, "invalid", fields=["reason"])
        # No later version of the document exists yet: no paragraph of one can be named.
        r = self.answer(s, token, cid, decision="noted", reason="Seen.", paragraph="p3")
        self.assertErrorShape(r, 422, "invalid", fields=["paragraph"])
        r = self.answer(s, token, 999999, decision="noted", reason="Seen.")
        self.assertErrorShape(r, 404, "not_found")
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"colour": "red"}, "decision": "noted", "reason": "Seen."}, token=token)
        self.assertEqual(r.status, 422, r)
        self.assertIn("colour", r.json()["error"]["fields"])
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"same_as": 999999}, "decision": "noted", "reason": "Seen."}, token=token)
        self.assertErrorShape(r, 422, "invalid", fields=["select"])
        r = s.send_json("POST", "/api/v1/calls/999/dispositions",
                        {"select": {"paragraph": "p3"}, "decision": "noted", "reason": "Seen."}, token=token)
        self.assertErrorShape(r, 404, "not_found")
        self.assertErrorShape(s.send_json("GET", "/api/v1/calls/999/dispositions/remaining", token=token), 404)
        self.assertErrorShape(s.send_json("POST", "/api/v1/calls/999/dispositions/publish", token=token), 404)
        self.assertEqual(history_rows(s), [])
        # Without an account: refused.
        self.assertIn(self.answer(s, None, cid, decision="noted", reason="Seen.").status, (401, 403))

    def test_bulk_remaining_and_publication(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        same = ["Say who reports.", "  say who   REPORTS. ", "Say who reports."]
        other = self.send(s, [{"paragraph": "p7", "comment": "Yearly is too rare."},
                              {"paragraph": "p7", "comment": "And say to whom."}])
        tracks = [self.send(s, [{"paragraph": "p3", "comment": text}], email="s%d@example.org" % i)
                  for i, text in enumerate(same)]
        self.send(s, [{"paragraph": None, "comment": "On the whole."}])
        first = self.comments_of(s, tracks[0], token)[0]["id"]
        before = s.send_json("GET", "/api/v1/calls/1/dispositions/remaining", token=token).json()
        counts = {p["paragraph"]: p["count"] for p in before["paragraphs"]}
        self.assertGreaterEqual(counts["p3"], 3)
        self.assertGreaterEqual(counts["p7"], 2)
        # in the order of the text, the general comments first, whatever the order they came in
        order = [p["paragraph"] for p in before["paragraphs"]]
        self.assertEqual(order[0], None, order)
        self.assertLess(order.index("p3"), order.index("p7"), order)
        # Identical comments from three senders, answered once.
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"same_as": first}, "decision": "accepted", "reason": "Added."}, token=token)
        self.assertEqual((r.status, r.json()["applied"], r.json()["unchanged"]), (200, 3, 0), r)
        for t in tracks:
            self.assertEqual(self.comments_of(s, t, token)[0]["disposition"]["reason"], "Added.")
        after = s.send_json("GET", "/api/v1/calls/1/dispositions/remaining", token=token).json()
        self.assertEqual(after["remaining"], before["remaining"] - 3)
        # Publication is refused while any remains, saying how many.
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token)
        self.assertErrorShape(r, 409)
        self.assertIn("%d comment" % after["remaining"], r.json()["error"]["message"])
        # By paragraph: the two on p7 (and any other there) at once.
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"paragraph": "p7"}, "decision": "not_accepted", "reason": "Yearly suffices."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(r.json()["applied"], 2)
        left = s.send_json("GET", "/api/v1/calls/1/dispositions/remaining", token=token).json()
        self.assertNotIn("p7", {p["paragraph"] for p in left["paragraphs"]})
        self.assertNotIn("disposition", self.comments_of(s, other)[0])
        # Answer whatever remains (the demo's comments), paragraph by paragraph, then publish.
        s.note_the_rest(token)
        self.assertEqual(s.send_json("GET", "/api/v1/calls/1/dispositions/remaining", token=token).json()["remaining"], 0)
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(s.send_json("GET", "/api/v1/audit?kind=disposition.publish", token=token)
                             .json()["entries"]), 1)
        # Now the public sees the answers, in the record and in the list.
        self.assertEqual(self.comments_of(s, other)[0]["disposition"]["decision"], "not_accepted")
        listed = s.get_json(CONTRIBUTIONS + "?per_page=100").json()["contributions"]
        self.assertTrue(all("disposition" in c for k in listed for c in k.get("comments", [])))
        # And answers no longer change, one by one or many at once; nor is it published twice.
        self.assertErrorShape(self.answer(s, token, first, decision="noted", reason="Changed."), 409)
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"ids": [first]}, "decision": "noted", "reason": "Changed."}, token=token)
        self.assertErrorShape(r, 409)
        self.assertErrorShape(s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token), 409)


class OfficePage(ServerTestCase):
    """/office/calls/1/dispositions: answer through the forms, one, identical ones, many; then publish."""

    SHARED = False

    def login(self, s):
        s.account_token(SECRETARIAT, password=PASSWORD)
        return super().login(s, SECRETARIAT)

    def test_answer_through_the_forms_then_publish(self):
        s = self.fresh_server()
        session = self.login(s)
        page = "/office/calls/1/dispositions"
        for i in range(3):
            r = s.post_json(CONTRIBUTIONS, contribution(comments=[{"paragraph": "p3", "comment": "Same words."}],
                                                        email="o%d@example.org" % i))
            self.assertEqual(r.status, 201, r)
        one = s.post_json(CONTRIBUTIONS, contribution(comments=[{"paragraph": "p7", "comment": "Alone."}])).json()
        alone = s.get_json("/api/v1/contributions/" + one["tracking"]).json()["comments"][0]["id"]
        self.assertIn('href="%s"' % page, s.get("/office/calls/1", headers={"Cookie": self.cookies(session)}).text)
        r = s.get(page, headers={"Cookie": self.cookies(session)})
        self.assertEqual(r.status, 200, r)
        self.assertIn("3 senders", r.text)
        self.assertIn("Without an answer:", r.text)
        # the paragraphs as people number them (their ids are internal), the types in the reader's words
        number = s.query("SELECT number FROM paragraph WHERE pid = 'p3' AND version_id = "
                         "(SELECT version_id FROM call WHERE id = 1)")[0][0]
        self.assertRegex(r.text, r"<li>\u00b6%s: \d+</li>" % number)
        self.assertNotIn("<li>p3:", r.text)
        self.assertIn(" (General) from ", r.text)
        self.assertNotIn(" (general) from ", r.text)
        french = s.get(page, headers={"Cookie": self.cookies(session) + "; consulta_lang=fr"}).text
        self.assertIn(" (G\u00e9n\u00e9ral) ", french)
        self.assertNotIn("(general)", french)
        self.assertEqual(r.text.count("Same words."), 1, "identical comments are shown once")
        # One comment, through its form; a mistake comes back with the field named.
        r = self.post(s, session, page, {"comment": alone, "decision": "noted", "reason": ""})
        self.assertEqual(r.status, 422, r)
        self.assertIn('id="e-c%d-reason"' % alone, r.text)
        # A form not from our page is never read as "all the general comments".
        for fields in ({"comment": "abc"}, {"same_as": "x"}, {}):
            r = self.post(s, session, page, dict(fields, decision="noted", reason="Seen."))
            self.assertIn(r.status, (404, 422), r)
        r = self.post(s, session, page, {"many": "1", "by": "colour", "select": "", "decision": "noted",
                                         "reason": "Seen."})
        self.assertEqual(r.status, 422, r)
        self.assertIn('id="e-many-by"', r.text)
        self.assertEqual(history_rows(s), [])
        r = self.post(s, session, page, {"comment": alone, "decision": "noted", "reason": "Seen."})
        self.assertEqual((r.status, r.header("Location")), (303, page + "?done=recorded&comment=%d" % alone), r)
        self.assertIn('role="status">Answer to comment %d on &#39;Written inputs on the revised draft&#39; recorded.'
                      % alone, s.get(r.header("Location"), headers={"Cookie": self.cookies(session)}).text)
        self.assertIn("Answer (revision 1): Noted. Seen.", s.get(page, headers={"Cookie": self.cookies(session)}).text)
        # The three identical ones at once, through the form shown once.
        m = re.search(r'name="same_as" value="(\d+)"', s.get(page, headers={"Cookie": self.cookies(session)}).text)
        self.assertTrue(m)
        r = self.post(s, session, page, {"same_as": m.group(1), "decision": "accepted", "reason": "Added."})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(sum(1 for row in history_rows(s) if row[2] == "accepted"), 3)
        # Publishing is refused while one remains, with the count; the bulk form answers the general ones.
        general = s.post_json(CONTRIBUTIONS, contribution(comments=[{"paragraph": None, "comment": "Left."}]))
        self.assertEqual(general.status, 201, general)
        r = self.post(s, session, page + "/publish", {})
        self.assertEqual(r.status, 409, r)
        self.assertIn("1 comment has no disposition yet", r.text)
        r = self.post(s, session, page, {"many": "1", "by": "paragraph", "select": "", "decision": "noted",
                                         "reason": "Seen."})
        self.assertEqual((r.status, r.header("Location")),
                         (303, page + "?done=many&applied=1&unchanged=0&kept=0"), r)
        r = self.post(s, session, page + "/publish", {})  # it cannot be undone: a second page asks first
        self.assertEqual(r.status, 200, r)
        self.assertIn("This cannot be undone", r.text)
        self.assertIsNone(s.get_json("/api/v1/contributions/" + one["tracking"]).json()["comments"][0]
                          .get("disposition"))
        r = self.post(s, session, page + "/publish", {"confirm": "yes"})
        self.assertEqual((r.status, r.header("Location")), (303, page + "?done=published"), r)
        self.assertEqual(s.get_json("/api/v1/contributions/" + one["tracking"]).json()["comments"][0]
                         ["disposition"]["reason"], "Seen.")
        r = s.get(page, headers={"Cookie": self.cookies(session)})
        self.assertNotIn("Publish the dispositions", r.text)

    def test_many_at_once_keeps_the_answers_given_unless_told_to_replace_them(self):
        s = self.fresh_server()
        session = self.login(s)
        page = "/office/calls/1/dispositions"
        ids = []
        for i in range(3):
            t = s.contribute(comments=[{"paragraph": "p3", "comment": "Point %d." % i}],
                             email="k%d@example.org" % i)["tracking"]
            ids.append(s.comments_of(t)[0]["id"])
        number = s.query("SELECT number FROM paragraph WHERE pid = 'p3' AND version_id = "
                         "(SELECT version_id FROM call WHERE id = 1)")[0][0]
        r = self.post(s, session, page, {"comment": ids[0], "decision": "accepted_in_part", "reason": "Partly."})
        self.assertEqual(r.status, 303, r)
        # The paragraph as the label asks for it, its number on the page: the answer given is kept.
        r = self.post(s, session, page, {"many": "1", "by": "paragraph", "select": "\u00b6%d" % number,
                                         "decision": "noted", "reason": "Seen."})
        self.assertEqual((r.status, r.header("Location")),
                         (303, page + "?done=many&applied=2&unchanged=0&kept=1"), r)
        said = s.get(r.header("Location"), headers={"Cookie": self.cookies(session)}).text
        self.assertIn("2 comments on &#39;Written inputs on the revised draft&#39; answered.", said)
        self.assertIn("1 selected comment already had another answer, kept as it was", said)
        decisions = dict(s.query("SELECT comment_id, decision FROM disposition"))
        self.assertEqual(decisions, {ids[0]: "accepted_in_part", ids[1]: "noted", ids[2]: "noted"})
        # The bare number too; ticked, the box replaces the answer given.
        r = self.post(s, session, page, {"many": "1", "by": "paragraph", "select": str(number), "replace": "1",
                                         "decision": "noted", "reason": "Seen."})
        self.assertEqual((r.status, r.header("Location")),
                         (303, page + "?done=many&applied=1&unchanged=2&kept=0"), r)
        self.assertEqual(dict(s.query("SELECT comment_id, decision FROM disposition"))[ids[0]], "noted")
        shown = s.get(page, headers={"Cookie": self.cookies(session)}).text
        self.assertIn('name="replace"', shown)
        # no later version of the document yet: no field to name a paragraph of it
        self.assertEqual(s.query("SELECT COUNT(*) FROM version v JOIN call c ON c.id = 1 "
                                 "JOIN version cv ON cv.id = c.version_id WHERE v.document_id = cv.document_id "
                                 "AND v.id > cv.id AND v.state = 'published'")[0][0], 0)
        self.assertNotIn('name="paragraph"', shown)

    def test_a_call_with_many_comments_is_answered_page_by_page(self):
        # 5000 different comments of 1000 characters: more than one answer (LIMIT_RESPONSE) could hold.
        s = self.fresh_server()
        session = self.login(s)
        for i in range(10):
            cs = [{"paragraph": "p%d" % (1 + j % 8), "comment": ("Comment %d.%d " % (i, j)).ljust(1000, "x")}
                  for j in range(500)]
            r = s.post_json(CONTRIBUTIONS, contribution(comments=cs, email="many%d@example.org" % i))
            self.assertEqual(r.status, 201, r)
        page = "/office/calls/1/dispositions"
        seen, offset, pages = set(), "0", 0
        while offset is not None:
            r = s.get(page + "?offset=" + offset, headers={"Cookie": self.cookies(session)})
            self.assertEqual(r.status, 200, r)
            self.assertLess(len(r.body), 4 * 1024 * 1024)
            ids = re.findall(r'name="comment" value="(\d+)"', r.text)
            self.assertTrue(ids)
            self.assertFalse(seen & set(ids), "no comment on two pages")
            seen |= set(ids)
            m = re.search(r'rel="next" href="\?offset=(\d+)"', r.text)
            offset = m.group(1) if m else None
            pages += 1
        self.assertGreater(pages, 1)
        self.assertEqual(len(seen), 5000)


if __name__ == "__main__":
    unittest.main()
