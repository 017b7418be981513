"""The back office as the secretariat goes through it (issue 10, item 8): where each role lands after
logging in (and a next= that leads off the site is refused), the confirmation after each change naming what
changed (made from the database, never from text in the address), the second page before each act that
cannot be undone (the first POST changes nothing, the confirmation does it, without the CSRF token it is
refused), milestones past by the clock in the process's zone, the audit log as sentences with the before
and after of each field (hostile values escaped), and new calls that review contributions before publishing
unless told otherwise."""

import html
import re
import unittest
import urllib.parse

import harness
from harness import CALL1_OPEN, SLUG, ServerTestCase, contribution, cookie_value, page_text

SECRETARIAT = "sec@gca.example"
STAKEHOLDER = "someone@example.org"
PASSWORD = "a long passphrase for the tests"
HOSTILE = "<script>alert(1)</script> & \"quotes\""


def confirmation(r):
    """The text of the page's confirmation after a change, or None."""
    m = re.search(r'<p class="confirmation" role="status">(.*?)</p>', r.text, re.S)
    return html.unescape(m.group(1)) if m else None


class Flow(ServerTestCase):
    SHARED = False
    NOW = CALL1_OPEN

    def login(self, s, email, next=None):
        fields = {"email": email, "password": PASSWORD}
        if next is not None:
            fields["next"] = next
        r = s.post_form("/login", fields)
        self.assertEqual(r.status, 303, r)
        return r

    def session_of(self, r):
        return cookie_value(r) or self.fail("no session cookie after logging in")

    def office(self, now=None):
        """A server with a secretariat logged in: (server, session, API token)."""
        s = self.fresh_server(now=now)
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        return s, self.session_of(self.login(s, SECRETARIAT)), token

    def follow(self, s, session, r):
        self.assertEqual(r.status, 303, r)
        return self.get(s, session, r.header("Location"))

    def api(self, s, token, path):
        r = s.send_json("GET", path, token=token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def audit_count(self, s):
        with harness.connect(s.db, timeout=10) as db:
            return db.execute("SELECT count(*) FROM audit").fetchone()[0]


class Landing(Flow):
    def test_each_role_lands_on_its_own_page_and_a_next_off_the_site_is_refused(self):
        s = self.fresh_server()
        s.account_token(SECRETARIAT, password=PASSWORD)
        s.account_token(STAKEHOLDER, role="stakeholder", password=PASSWORD)
        self.assertEqual(self.login(s, SECRETARIAT).header("Location"), "/office")
        self.assertEqual(self.login(s, STAKEHOLDER).header("Location"), "/account")
        self.assertEqual(self.login(s, SECRETARIAT, next="").header("Location"), "/office")
        # a path of this site is where the login form was asked from
        self.assertEqual(self.login(s, SECRETARIAT, next="/calls/1").header("Location"), "/calls/1")
        self.assertEqual(self.login(s, STAKEHOLDER, next="/calls/1?x=1").header("Location"), "/calls/1?x=1")
        # anything that could lead to another site: the role's own page instead
        for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example/",
                        "\\\\evil.example", "evil.example", "javascript:alert(1)", "/ok\r\nSet-Cookie: x=1"):
            with self.subTest(next=hostile):
                self.assertEqual(self.login(s, SECRETARIAT, next=hostile).header("Location"), "/office")
                self.assertEqual(self.login(s, STAKEHOLDER, next=hostile).header("Location"), "/account")
        # the form carries a safe next, and no unsafe one
        self.assertIn('name="next" value="/office/audit"', s.get("/login?next=/office/audit").text)
        self.assertNotIn('name="next"', s.get("/login?next=//evil.example/").text)


class Confirmations(Flow):
    def test_each_confirmation_names_what_changed(self):
        s, session, token = self.office()
        # a deadline, in the one deadline format
        r = self.post(s, session, "/office/calls/1/deadline", {"closes_on": "2021-12-22", "reason": "More time."})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "Deadline of 'Written inputs on the revised draft' extended to 22 December 2021, 23:59 "
                         "Zurich time (UTC+1). The call's public page shows the change and its reason.")
        r = self.post(s, session, "/office/calls/1/deadline", {"closes_on": "2021-03-01", "reason": "Less time."})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "Deadline of 'Written inputs on the revised draft' brought forward to 1 March 2021, 23:59 "
                         "Zurich time (UTC+1). The call's public page shows the change and its reason.")
        # a milestone moved, from and to
        council = [m for m in self.api(s, token, "/api/v1/processes/" + SLUG)["milestones"]
                   if m["kind"] == "presentation"][0]
        r = self.post(s, session, "/office/milestones/%d/move" % council["id"],
                      {"date": "2021-07-05", "end_date": "2021-07-09", "reason": "The Council moved."})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "Milestone '%s' moved from 8\u201318 June 2021 to 5\u20139 July 2021. The public schedule "
                         "shows the move and its reason." % council["title"])
        # a milestone added and saved
        r = self.post(s, session, "/office/processes/%s/milestones" % SLUG,
                      {"date": "2021-04-20", "title": "Third consultation", "kind": "meeting"})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "Milestone 'Third consultation' added on 20 April 2021. The public schedule shows it.")
        # review mode
        r = self.post(s, session, "/office/calls/2/review", {"review": "after_review"})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "'Final inputs after the second consultation' now: Publish contributions once the "
                         "secretariat has reviewed them.")
        # moderation names the contribution
        k = s.contribute()["tracking"]
        path = "/office/contributions/%s/moderation" % k
        r = self.post(s, session, path, {"action": "hide", "reason": "Off topic.", "from": "published"})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "Contribution %s hidden. The public sees its tracking number and your reason in its "
                         "place." % k)
        r = self.post(s, session, path, {"action": "spam", "from": "hidden", "confirm": "yes"})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "Contribution %s marked as spam. The public no longer sees it; it stays in the record." % k)
        # closing now
        r = self.post(s, session, "/office/calls/1/state", {"state": "closed", "reason": "Withdrawn.",
                                                           "confirm": "yes"})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "'Written inputs on the revised draft' closed now: its deadline was 1 March 2021, 23:59 "
                         "Zurich time (UTC+1); it accepts no more contributions.")

    def test_saving_the_about_page_names_it(self):
        s, session, token = self.office()
        self.assertIsNone(confirmation(self.get(s, session, "/office/pages/about?done=saved")), "not edited yet")
        r = self.post(s, session, "/office/pages/about", {"markdown": "We run consultations."})
        self.assertEqual(r.header("Location"), "/office/pages/about?done=saved")
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "'About this site' saved. The public page at /about shows the new text.")

    def test_a_forged_confirmation_shows_nothing_but_the_truth(self):
        s, session, token = self.office()
        k = s.contribute()["tracking"]
        # nothing was changed: the codes name nothing that happened
        for path in ("/office/calls/1?done=deadline", "/office/calls/1?done=closed",
                     "/office/calls/1/contributions?state=published&done=spam&tracking=" + k,
                     "/office/calls/2/contributions?state=published&done=published&tracking=" + k,
                     "/office/calls/1/contributions?done=published&tracking=" + urllib.parse.quote(HOSTILE),
                     "/office/processes/%s?done=moved&id=1" % SLUG,
                     "/office/processes/%s?done=moved&id=99999" % SLUG,
                     "/office/processes/%s?done=%s" % (SLUG, urllib.parse.quote(HOSTILE)),
                     "/office/calls/1/dispositions?done=recorded&comment=99999"):
            with self.subTest(path=path):
                r = self.get(s, session, path)
                self.assertEqual(r.status, 200, r)
                self.assertIsNone(confirmation(r), r.text[:2000])
                self.assertNotIn("<script>alert", r.text)
        # a true one, reached again by its address, says the truth about the contribution as it is now
        r = self.get(s, session, "/office/calls/1/contributions?state=published&done=published&tracking=" + k)
        self.assertEqual(confirmation(r), "Contribution %s published. The public sees it now, unless its author "
                                          "asked for it to stay private." % k)


class Irreversible(Flow):
    """Each act that cannot be undone: the first POST shows what will happen and changes nothing; the
    confirmation does it; without the CSRF token the confirmation is refused."""

    def assertAsksFirst(self, s, session, path, fields, says):
        before = self.audit_count(s)
        r = self.post(s, session, path, fields)
        self.assertEqual(r.status, 200, r)
        text = page_text(r)
        for sentence in says:
            self.assertIn(sentence, text)
        self.assertIn('<input type="hidden" name="confirm" value="yes">', r.text)
        self.assertRegex(r.text, r'<form method="post" action="%s"' % re.escape(path))
        self.assertIn('name="csrf" value="%s"' % s.csrf_token(session), r.text)
        self.assertEqual(self.audit_count(s), before, "the first POST changes nothing")
        # the confirmation without the CSRF token is refused, and changes nothing
        r = self.post(s, session, path, dict(fields, confirm="yes"), csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.audit_count(s), before)
        return r

    def test_closing_a_call_now(self):
        s, session, token = self.office()
        fields = {"state": "closed", "reason": "The text was <b>withdrawn</b>."}
        self.assertAsksFirst(s, session, "/office/calls/1/state", fields, (
            "Close 'Written inputs on the revised draft' now?",
            "will close now, at 1 February 2021, 11:00 Zurich time (UTC+1), instead of at its deadline, "
            "15 February 2021, 23:59 Zurich time (UTC+1)",
            "\u201cThe text was <b>withdrawn</b>.\u201d", "This cannot be undone"))
        self.assertEqual(self.api(s, token, "/api/v1/calls/1")["state"], "open")
        r = self.post(s, session, "/office/calls/1/state", dict(fields, confirm="yes"))
        self.assertEqual(r.header("Location"), "/office/calls/1?done=closed")
        self.assertEqual(self.api(s, token, "/api/v1/calls/1")["state"], "closed")
        # the API has no such step
        s2, _, token2 = self.office()
        r = s2.send_json("PATCH", "/api/v1/calls/1", {"state": "closed", "reason": "Now."}, token=token2)
        self.assertEqual((r.status, r.json()["state"]), (200, "closed"))

    def test_opening_a_call_now(self):
        s, session, token = self.office()
        self.assertAsksFirst(s, session, "/office/calls/2/state", {"state": "open", "reason": "Early."}, (
            "Open 'Final inputs after the second consultation' now?", "This cannot be undone"))
        self.assertEqual(self.api(s, token, "/api/v1/calls/2")["state"], "upcoming")
        r = self.post(s, session, "/office/calls/2/state", {"state": "open", "reason": "Early.", "confirm": "yes"})
        self.assertEqual(r.header("Location"), "/office/calls/2?done=opened")
        self.assertEqual(self.api(s, token, "/api/v1/calls/2")["state"], "open")

    def test_marking_as_spam(self):
        s, session, token = self.office()
        k = s.contribute(name="Ada <Lovelace>")["tracking"]
        path = "/office/contributions/%s/moderation" % k
        fields = {"action": "spam", "from": "published"}
        self.assertAsksFirst(s, session, path, fields, (
            "Mark contribution %s as spam?" % k, "from Ada <Lovelace>", "It is public now",
            "Its author is not told"))
        self.assertEqual(s.get("/contributions/" + k).status, 200)
        r = self.post(s, session, path, dict(fields, confirm="yes"))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(s.get("/contributions/" + k).status, 404)
        # publishing and hiding can be undone: no second page
        r = self.post(s, session, path, {"action": "publish", "from": "spam"})
        self.assertEqual(r.status, 303, r)

    def test_publishing_the_answers(self):
        s, session, token = self.office()
        k = s.post_json("/api/v1/calls/1/contributions",
                        contribution(comments=[{"paragraph": "p3", "comment": "Say who reports."}])).json()
        cid = self.api(s, token, "/api/v1/contributions/" + k["tracking"])["comments"][0]["id"]
        r = s.send_json("POST", "/api/v1/comments/%d/disposition" % cid, {"decision": "noted", "reason": "Seen."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        path = "/office/calls/1/dispositions/publish"
        self.assertAsksFirst(s, session, path, {}, (
            "Publish the answers to the comments on 'Written inputs on the revised draft'?",
            "The answers to the 1 comment on 'Written inputs on the revised draft' will be published.",
            "This cannot be undone"))
        self.assertNotIn("disposition", s.get_json("/api/v1/contributions/" + k["tracking"]).json()["comments"][0])
        r = self.post(s, session, path, {"confirm": "yes"})
        self.assertEqual(confirmation(self.follow(s, session, r)),
                         "Answers to the comments on 'Written inputs on the revised draft' published: the public "
                         "sees them with each comment, and they no longer change.")
        self.assertIn("disposition", s.get_json("/api/v1/contributions/" + k["tracking"]).json()["comments"][0])


class Milestones(Flow):
    def meta(self, r, mid):
        m = re.search(r'id="milestone-%d"><h3[^>]*>.*?</h3>\n<p class="meta">([^<]*)</p>' % mid, r.text, re.S)
        self.assertTrue(m, "milestone %d on the page" % mid)
        return m.group(1)

    def second_consultation(self, s, token):
        return [m for m in self.api(s, token, "/api/v1/processes/" + SLUG)["milestones"]
                if m["date"] == "2021-03-01"][0]["id"]

    def test_a_milestone_is_past_by_the_clock_in_the_processs_zone(self):
        # 1 March 2021 is the second consultation's day; 22:30 UTC is 23:30 in Zurich: still that day
        s, session, token = self.office(now="2021-03-01T22:30:00Z")
        mid = self.second_consultation(s, token)
        page = self.get(s, session, "/office/processes/" + SLUG)
        self.assertEqual(self.meta(page, mid), "Meeting \u00b7 Planned")
        self.assertEqual(self.meta(page, 1), "Version of the text \u00b7 Past")
        # an hour later it is 2 March in Zurich (and still 1 March in UTC): past, with no one setting it
        s, session, token = self.office(now="2021-03-01T23:30:00Z")
        page = self.get(s, session, "/office/processes/" + SLUG)
        self.assertEqual(self.meta(page, mid), "Meeting \u00b7 Past")
        self.assertIn('class="office-item past" id="milestone-%d"' % mid, page.text)
        self.assertEqual(self.api(s, token, "/api/v1/processes/" + SLUG)["milestones"][4]["status"], "planned",
                         "the stored status is not changed")


class Audit(Flow):
    def test_the_audit_log_reads_as_sentences_with_before_and_after_and_escapes(self):
        s, session, token = self.office()
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-12-22", "reason": HOSTILE}, token=token)
        self.assertEqual(r.status, 200, r)
        council = [m for m in self.api(s, token, "/api/v1/processes/" + SLUG)["milestones"]
                   if m["kind"] == "presentation"][0]
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-05", "end_date": "2021-07-09", "reason": "The Council moved."}, token=token)
        self.assertEqual(r.status, 200, r)
        k = s.post_json("/api/v1/calls/1/contributions",
                        contribution(comments=[{"paragraph": "p3", "comment": "Say who reports."}])).json()
        cid = self.api(s, token, "/api/v1/contributions/" + k["tracking"])["comments"][0]["id"]
        for decision, reason in (("noted", "Seen."), ("accepted_in_part", HOSTILE)):
            r = s.send_json("POST", "/api/v1/comments/%d/disposition" % cid,
                            {"decision": decision, "reason": reason}, token=token)
            self.assertEqual(r.status, 200, r)

        page = self.get(s, session, "/office/audit")
        self.assertEqual(page.status, 200, page)
        text = page_text(page)
        self.assertIn("Deadline of call 1 'Written inputs on the revised draft' extended from 15 February 2021, "
                      "23:59 Zurich time (UTC+1) to 22 December 2021, 23:59 Zurich time (UTC+1) \u2014 reason: "
                      + HOSTILE + ".", text)
        self.assertIn("Deadline (day): from 15 February 2021 to 22 December 2021", text)
        self.assertIn("Milestone '%s' moved from 8 June 2021 \u2013 18 June 2021 to 5 July 2021 \u2013 9 July 2021 "
                      "\u2014 reason: The Council moved." % council["title"], text)
        self.assertIn("End date: from 18 June 2021 to 9 July 2021", text)
        self.assertIn("Answer to comment %d changed from noted to accepted in part." % cid, text)
        self.assertIn("Answer to comment %d recorded: noted." % cid, text)
        self.assertIn("Reason: from Seen. to " + HOSTILE, text)
        # hostile values are text, never markup, in the sentences and in the raw record
        self.assertNotIn("<script>alert", page.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page.text)
        # the raw record stays one click away
        self.assertIn("<details><summary>The record as stored", page.text)
        self.assertIn("&quot;closes_on&quot;:&quot;2021-12-22&quot;", page.text)
        self.assertNotIn("<table", page.text, "a list that wraps, not a table that overflows")
        # a change with no reason says none
        s.contribute()
        k2 = s.contribute()["tracking"]
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % k2, {"action": "spam"}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Contribution %s marked as spam." % k2, page_text(self.get(s, session, "/office/audit")))


class Review(Flow):
    def new_call(self, s, token, **extra):
        version = self.api(s, token, "/api/v1/processes/" + SLUG)["documents"][0]["versions"][-1]["id"]
        body = dict({"version_id": version, "title": "Inputs on the final draft", "opens_on": "2021-01-01",
                     "closes_on": "2021-04-30"}, **extra)
        r = s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG, body, token=token)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_a_new_call_reviews_before_publishing_unless_told_otherwise(self):
        s, session, token = self.office()
        call = self.new_call(s, token)
        self.assertEqual((call["review"], call["review_before_publishing"]), ("after_review", True))
        k = s.contribute(call_id=call["id"])
        self.assertEqual(self.api(s, token, "/api/v1/contributions/" + k["tracking"])["state"], "pending")
        self.assertEqual(s.published_total(call["id"]), 0)

        off = self.new_call(s, token, title="Quick inputs", review_before_publishing=False)
        self.assertEqual((off["review"], off["review_before_publishing"]), ("on_receipt", False))
        s.contribute(call_id=off["id"])
        self.assertEqual(s.published_total(off["id"]), 1, "published at once")

        # the setting changes through the API as well, and a contradiction is refused
        r = s.send_json("PATCH", "/api/v1/calls/%d" % off["id"], {"review_before_publishing": True}, token=token)
        self.assertEqual((r.status, r.json()["review"]), (200, "after_review"))
        r = s.send_json("PATCH", "/api/v1/calls/%d" % off["id"],
                        {"review_before_publishing": False, "review": "after_review"}, token=token)
        self.assertErrorShape(r, 422, "invalid", {"review_before_publishing"})
        r = s.send_json("PATCH", "/api/v1/calls/%d" % off["id"], {"review_before_publishing": "no"}, token=token)
        self.assertErrorShape(r, 422, "invalid", {"review_before_publishing"})
        # the demo's calls keep publishing as contributions arrive
        self.assertEqual(self.api(s, token, "/api/v1/calls/1")["review_before_publishing"], False)

        # the office form offers review first
        page = self.get(s, session, "/office/processes/" + SLUG)
        self.assertIn('name="review" value="after_review" checked', page.text)


if __name__ == "__main__":
    unittest.main()
