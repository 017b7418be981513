"""
The deadline, to the second. Call 1 closes at the end of 15 February 2021 in
Europe/Zurich (UTC+01:00 in winter): 2021-02-15T22:59:59Z is its last second.
Call 2 opens at the start of 1 March 2021 in Zurich, 2021-02-28T23:00:00Z.
Each class freezes the server's clock at one instant.
"""

from harness import CALL1_FIRST_SECOND_CLOSED, CALL1_LAST_SECOND, CALL1_OPEN, ServerTestCase, contribution

POST = "/api/v1/calls/%d/contributions"


class AtTheLastSecond(ServerTestCase):
    NOW = CALL1_LAST_SECOND

    def test_call_is_still_open(self):
        self.assertEqual(self.server.get_json("/api/v1/calls/1").json()["state"], "open")

    def test_contribution_is_accepted_with_201_tracking_and_received_at(self):
        r = self.server.post_json(POST % 1, contribution())
        self.assertEqual(r.status, 201, r)
        body = r.json()
        self.assertRegex(body["tracking"], r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$")
        self.assertEqual(body["received_at"], CALL1_LAST_SECOND)
        self.assertEqual(r.header("Location"), "/api/v1/contributions/" + body["tracking"])
        # and it is really there
        got = self.server.get_json("/api/v1/contributions/" + body["tracking"])
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.json()["received_at"], CALL1_LAST_SECOND)

    def test_form_is_offered_and_accepted(self):
        self.assertEqual(self.server.get("/calls/1/contribute").status, 200)
        r = self.server.post_form("/calls/1/contribute", contribution())
        self.assertEqual(r.status, 303, r)

    def test_receipt_shows_the_time_in_utc_and_in_zurich(self):
        tracking = self.server.contribute()["tracking"]
        page = self.server.get("/receipts/" + tracking).text
        self.assertIn("2021-02-15 22:59:59 UTC", page)
        self.assertIn("15 February 2021, 23:59 Zurich time (UTC+1)", page)


class AtTheFirstSecondAfter(ServerTestCase):
    NOW = CALL1_FIRST_SECOND_CLOSED

    def test_call_is_closed(self):
        self.assertEqual(self.server.get_json("/api/v1/calls/1").json()["state"], "closed")

    def test_contribution_is_refused_with_409_call_closed(self):
        r = self.server.post_json(POST % 1, contribution())
        err = self.assertErrorShape(r, 409, "call_closed")
        self.assertIn("closed on 15 February 2021, 23:59 Zurich time (UTC+1)", err["message"])

    def test_refused_contribution_is_not_stored(self):
        s = self.fresh_server()
        s.post_json(POST % 1, contribution())
        s.post_form("/calls/1/contribute", contribution())
        self.assertEqual(s.published_total(1), 0)

    def test_form_is_no_longer_offered(self):
        r = self.server.get("/calls/1/contribute")
        self.assertEqual(r.status, 409)
        self.assertIn("closed", r.text)
        self.assertNotIn("<form", r.text)
        # when it closed, and the way to the call's page
        self.assertIn('<p class="deadline">Closed on <time datetime=', r.text)
        self.assertIn('<a href="/calls/1">', r.text)

    def test_form_submission_is_refused_with_409(self):
        r = self.server.post_form("/calls/1/contribute", contribution())
        self.assertEqual(r.status, 409, r)
        self.assertIsNone(r.header("Location"))
        self.assertIn("no longer accepted", r.text)

    def test_a_form_sent_after_the_deadline_gives_back_what_was_written(self):
        # the form was loaded while the call was open, and sent a second too late: the refusal says why and
        # hands back the text and the comments to keep, since the form is no longer offered
        pid, number = self.server.query("SELECT pid, number FROM paragraph WHERE version_id = "
                                        "(SELECT version_id FROM call WHERE id = 1) ORDER BY number LIMIT 1")[0]
        fields = contribution(text="My long letter,\nwritten over an evening & sent too late.")
        fields.update({"comment_1_paragraph": pid, "comment_1_type": "technical",
                       "comment_1_text": "Say who reports <and> to whom.", "comment_1_change": "Add: the secretariat.",
                       "comment_2_paragraph": "", "comment_2_type": "general",
                       "comment_2_text": "A general remark."})
        r = self.server.post_form("/calls/1/contribute", fields)
        self.assertEqual(r.status, 409, r)
        self.assertIn("no longer accepted", r.text)
        self.assertIn("Your contribution was not sent", r.text)
        self.assertIn(">My long letter,\nwritten over an evening &amp; sent too late.</textarea>", r.text)
        self.assertIn(">Say who reports &lt;and&gt; to whom.</textarea>", r.text)
        self.assertIn(">Add: the secretariat.</textarea>", r.text)
        self.assertIn(">A general remark.</textarea>", r.text)
        self.assertIn("Comment 1, on \u00b6%s" % number, r.text)
        self.assertIn("Comment 2, on the whole text", r.text)
        self.assertIn("readonly", r.text)
        self.assertNotIn('<form method="post" action="/calls/1/contribute"', r.text, "the form is not offered")
        stored = self.server.query("SELECT count(*) FROM contribution WHERE text LIKE 'My long letter%'")
        self.assertEqual(int(stored[0][0]), 0, "nothing was stored")

    def test_call_page_says_the_deadline_has_passed(self):
        page = self.server.get("/calls/1").text
        self.assertIn("The deadline has passed", page)
        self.assertIn("Closed on <time", page)
        self.assertNotIn("/calls/1/contribute\"", page)

    def test_published_contributions_can_still_be_read(self):
        r = self.server.get_json("/api/v1/calls/1/contributions")
        self.assertEqual(r.status, 200, r)


class AroundCall1Opening(ServerTestCase):
    NOW = "2020-12-22T22:59:59Z"  # the last second of 22 December 2020 in Zurich

    def test_call_1_is_upcoming_the_second_before_it_opens(self):
        self.assertEqual(self.server.get_json("/api/v1/calls/1").json()["state"], "upcoming")
        self.assertErrorShape(self.server.post_json(POST % 1, contribution()), 409, "call_not_open")
        self.assertIn("Not yet open", self.server.get("/calls/1").text)

    def test_call_1_opens_at_the_start_of_23_december_in_zurich(self):
        s = self.fresh_server("2020-12-22T23:00:00Z")
        self.assertEqual(s.get_json("/api/v1/calls/1").json()["state"], "open")
        self.assertEqual(s.contribute()["received_at"], "2020-12-22T23:00:00Z")


class BeforeCall2Opens(ServerTestCase):
    NOW = CALL1_OPEN

    def test_call_2_is_upcoming(self):
        self.assertEqual(self.server.get_json("/api/v1/calls/2").json()["state"], "upcoming")

    def test_contribution_to_call_2_is_refused_with_409_call_not_open(self):
        r = self.server.post_json(POST % 2, contribution())
        self.assertErrorShape(r, 409, "call_not_open")

    def test_form_of_call_2_is_not_offered(self):
        r = self.server.get("/calls/2/contribute")
        self.assertEqual(r.status, 409)
        self.assertIn("Opens on <time", r.text)  # and says when
        self.assertNotIn("<form", r.text)
        self.assertEqual(self.server.post_form("/calls/2/contribute", contribution()).status, 409)

    def test_closed_and_upcoming_refusals_say_so_even_for_bad_input(self):
        # The call's state is what matters first: no point fixing fields of a call not open.
        r = self.server.post_json(POST % 2, {})
        self.assertErrorShape(r, 409, "call_not_open")


class AtCall2Opening(ServerTestCase):
    NOW = "2021-02-28T23:00:00Z"

    def test_call_2_opens_at_the_start_of_1_march_in_zurich(self):
        self.assertEqual(self.server.get_json("/api/v1/calls/2").json()["state"], "open")
        self.assertEqual(self.server.post_json(POST % 2, contribution()).status, 201)

    def test_call_1_is_closed_by_then(self):
        self.assertEqual(self.server.get_json("/api/v1/calls/1").json()["state"], "closed")

    def test_one_second_earlier_call_2_is_not_open(self):
        s = self.fresh_server("2021-02-28T22:59:59Z")
        self.assertEqual(s.get_json("/api/v1/calls/2").json()["state"], "upcoming")
        self.assertErrorShape(s.post_json(POST % 2, contribution()), 409, "call_not_open")
