"""The back office in the browser's own terms: HTML pages and POST forms,
logged in through /login as the secretariat. Every page answers the
secretariat (200), sends the public to log in (303) and refuses a stakeholder
(403); a move, a deadline, a review mode and moderation go through the forms,
with the mistakes told by each field (422) and nothing changed; a version is
posted by pasting Markdown and by uploading a file (multipart/form-data built
here, a .docx made with pandoc); a multipart form without its CSRF token is
refused (403)."""

import html
import os
import re
import shutil
import sqlite3
import harness
import subprocess
import tempfile
import unittest
import urllib.parse

from harness import CALL1_OPEN, SLUG, ServerTestCase, multipart, page_text

SECRETARIAT = "sec@gca.example"
STAKEHOLDER = "ada@example.org"
PASSWORD = "a long passphrase for the tests"
REASON_COUNCIL = "The Council session was moved by the Council itself to early July."
REASON_EXTEND = "Several Member States asked for more time over the holidays."
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PAGES = (
    "/office",
    "/office/processes/new",
    "/office/processes/" + SLUG,
    "/office/processes/%s/documents/guidelines/versions/new" % SLUG,
    "/office/calls/1",
    "/office/calls/1/contributions",
    "/office/calls/1/contributions?state=pending",
    "/office/calls/1/contributions?state=published",
    "/office/calls/1/contributions?state=hidden",
    "/office/calls/1/contributions?state=spam",
    "/office/calls/1/dispositions",
    "/office/audit",
)


def confirm_fields(text):
    """The fields the second page of an act posts again (its hidden inputs and its text), without the CSRF token
    (the test's post adds the session's)."""
    fields = {html.unescape(n): html.unescape(v)
              for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text)}
    for n, v in re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>(.*?)</textarea>', text, re.S):
        fields[html.unescape(n)] = html.unescape(v)
    fields.pop("csrf", None)
    return fields


def esc(text):
    """Text as our HTML writer escapes it."""
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def page_text_of_row(page, milestone_id):
    """The text of a milestone's row on the public schedule."""
    row = page[page.index('<tr id="milestone-%d" ' % milestone_id):]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row[:row.index("</tr>")])))


class OfficePages(ServerTestCase):
    """Each test has its own server (the back office changes the demo) and logs in through the login form."""

    SHARED = False
    NOW = CALL1_OPEN

    # -- helpers ---------------------------------------------------------

    def office(self, now=None):
        """A server with a secretariat account, logged in; returns (server, session)."""
        s = self.fresh_server(now=now)
        self.token = s.account_token(SECRETARIAT, password=PASSWORD)
        return s, self.login(s, SECRETARIAT)

    def post_multipart(self, s, session, path, fields, files=(), csrf=True):
        fields = list(fields) + ([("csrf", s.csrf_token(session))] if csrf else [])
        body, ctype = multipart(fields, files)
        return s.request("POST", path, body=body, headers={"Content-Type": ctype, "Cookie": self.cookies(session)})

    def api(self, s, path):
        r = s.send_json("GET", path, token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def council(self, s):
        return [m for m in self.api(s, "/api/v1/processes/" + SLUG)["milestones"] if m["kind"] == "presentation"][0]

    def assertRedirect(self, r, location):
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), location)

    def assertFieldError(self, r, key, field, message):
        """The page came back (422) with the message beside the field, linked from the summary at the top."""
        self.assertEqual(r.status, 422, r)
        main = r.text.index("<main")
        self.assertTrue(main < r.text.index('role="alert"') < r.text.index("<form", main), "the summary is above the forms")
        self.assertIn('<a href="#f-%s-%s">%s</a>' % (key, field, esc(message)), r.text)
        self.assertIn('<p class="error" id="e-%s-%s">%s</p>' % (key, field, esc(message)), r.text)
        control = re.search(r'<(input|textarea|select)[^>]*id="f-%s-%s"[^>]*>' % (re.escape(key), field), r.text)
        self.assertTrue(control, "the field is there")
        self.assertIn('aria-invalid="true"', control.group(0))
        self.assertIn("e-%s-%s" % (key, field), control.group(0), "the message describes the field")
        self.assertTrue(re.search(r"<title>Error: ", r.text), "the title says there is an error")

    # -- who may see the pages --------------------------------------------

    def test_every_office_page_is_200_for_the_secretariat_303_for_the_public_403_for_a_stakeholder(self):
        s, session = self.office()
        s.account_token(STAKEHOLDER, role="stakeholder", password=PASSWORD)
        stakeholder = self.login(s, STAKEHOLDER)
        for path in PAGES:
            with self.subTest(path=path):
                r = self.get(s, session, path)
                self.assertEqual(r.status, 200, r)
                self.assertTrue(r.text.startswith("<!doctype html>"))
                self.assertIn('<a href="/office">Back office</a>', r.text, "the header leads to the back office")
                public = s.get(path)
                self.assertEqual(public.status, 303, public)
                self.assertTrue(public.header("Location").startswith("/login?next=/office"), public.header("Location"))
                self.assertEqual(self.get(s, stakeholder, path).status, 403)
        # the header of a stakeholder has no way to the back office
        self.assertNotIn('href="/office"', self.get(s, stakeholder, "/").text)
        # and a change is refused to both
        move = "/office/milestones/%d/move" % self.council(s)["id"]
        fields = {"date": "2021-07-05", "reason": "Why not."}
        self.assertEqual(self.post(s, stakeholder, move, fields).status, 403)
        self.assertEqual(s.post_form(move, fields).status, 401)
        self.assertEqual(len(self.council(s)["history"]), 1, "nothing moved")

    def test_every_form_sent_empty_or_without_a_form_body_is_answered_with_its_mistakes(self):
        s, session = self.office()
        tracking = s.contribute()["tracking"]
        council = self.council(s)["id"]
        before = self.api(s, "/api/v1/audit?process=" + SLUG)["entries"]  # the demo's letters, issued
        posts = (
            "/office/processes/new", "/office/processes/" + SLUG, "/office/processes/%s/documents" % SLUG,
            self.version_path(), "/office/processes/%s/milestones" % SLUG, "/office/milestones/%d" % council,
            "/office/milestones/%d/move" % council, "/office/processes/%s/calls" % SLUG, "/office/calls/1/deadline",
            "/office/calls/1/state", "/office/calls/1/review", "/office/contributions/%s/moderation" % tracking,
            "/office/calls/1/dispositions",
        )
        for path in posts:
            with self.subTest(path=path):
                r = self.post(s, session, path, {})
                self.assertEqual(r.status, 422, r)
                self.assertIn('role="alert"', r.text)
                # a body that is no form at all: the CSRF header lets it through, the handler must still cope
                r = s.request("POST", path, body=b"{}", headers={"Content-Type": "application/json",
                                                                 "X-CSRF-Token": s.csrf_token(session),
                                                                 "Cookie": self.cookies(session)})
                self.assertIn(r.status, (403, 422), r)
        self.assertEqual(self.api(s, "/api/v1/audit?process=" + SLUG)["entries"], before, "nothing changed")

    def test_the_dashboard_lists_processes_calls_and_what_awaits_review(self):
        s, session = self.office()
        self.post(s, session, "/office/calls/1/review", {"review": "after_review"})
        s.contribute()
        page = self.get(s, session, "/office").text
        self.assertIn('<a href="/office/processes/%s">Draft Guidelines for utilization of the GCA</a>' % SLUG, page)
        self.assertIn('href="/office/processes/new">Create a process</a>', page)
        self.assertIn('<a href="/office/audit">', page)
        row = re.search(r'<tr><td><a href="/office/calls/1">.*?</tr>', page).group(0)
        self.assertIn('<a href="/office/calls/1/contributions?state=pending">1<span class="visually-hidden"> awaiting '
                      'review', row)

    # -- the schedule ---------------------------------------------------------

    def test_a_move_without_a_reason_is_422_with_the_message_by_the_field_and_changes_nothing(self):
        s, session = self.office()
        council = self.council(s)
        key = "move-%d" % council["id"]
        r = self.post(s, session, "/office/milestones/%d/move" % council["id"],
                      {"date": "2021-07-05", "end_date": "2021-07-09", "reason": "  "})
        self.assertFieldError(r, key, "reason", "Enter the reason for the move; it is published with it.")
        # what was typed is still there, and the form that failed is open
        self.assertRegex(r.text, r'<input id="f-%s-date" name="date" type="date" value="2021-07-05"' % key)
        self.assertRegex(r.text, r'<input id="f-%s-end_date" name="end_date" type="date" value="2021-07-09"' % key)
        self.assertIn('<details open><summary>Move<span class="visually-hidden"> %s' % esc(council["title"]), r.text)
        now = self.council(s)
        self.assertEqual((now["date"], now["end_date"], len(now["history"])), ("2021-06-08", "2021-06-18", 1))
        self.assertNotIn("5\u20139 July 2021", page_text(s.get("/processes/" + SLUG)))
        # bad dates are told by their own field
        r = self.post(s, session, "/office/milestones/%d/move" % council["id"], {"date": "2021-02-30", "reason": "x"})
        self.assertFieldError(r, key, "date", "Give the date as YYYY-MM-DD.")
        self.assertEqual(self.get(s, session, "/office/milestones/999/move").status, 405)
        self.assertEqual(self.post(s, session, "/office/milestones/999/move", {"date": "2021-07-05", "reason": "x"}).status,
                         404)

    def test_a_move_with_a_reason_redirects_with_a_confirmation_and_the_public_schedule_shows_it(self):
        s, session = self.office()
        council = self.council(s)
        r = self.post(s, session, "/office/milestones/%d/move" % council["id"],
                      {"date": "2021-07-05", "end_date": "2021-07-09", "reason": REASON_COUNCIL})
        self.assertRedirect(r, "/office/processes/%s?done=moved&id=%d" % (SLUG, council["id"]))
        page = self.get(s, session, r.header("Location"))
        self.assertIn("Milestone '%s' moved from 8\u201318 June 2021 to 5\u20139 July 2021. The public schedule shows "
                      "the move and its reason." % council["title"], page_text(page))
        self.assertIn('<p class="confirmation" role="status">Milestone &#39;', page.text)
        self.assertIn("Moved from 8\u201318 June 2021 to 5\u20139 July 2021 on 1 February 2021: " + REASON_COUNCIL,
                      page_text(page))
        self.assertIn("Moved from 8\u201318 June 2021 to 5\u20139 July 2021 on 1 February 2021: " + REASON_COUNCIL,
                      page_text(s.get("/processes/" + SLUG)))
        entry = self.api(s, "/api/v1/audit?kind=milestone.move")["entries"][0]
        self.assertEqual((entry["actor"], entry["after"]["reason"]), (SECRETARIAT, REASON_COUNCIL))

    def test_a_milestone_is_edited_and_added_through_the_forms(self):
        s, session = self.office()
        council = self.council(s)
        r = self.post(s, session, "/office/milestones/%d" % council["id"],
                      {"title": council["title"], "kind": "presentation", "status": "postponed"})
        self.assertRedirect(r, "/office/processes/%s?done=milestone-saved&id=%d" % (SLUG, council["id"]))
        self.assertEqual(self.council(s)["status"], "postponed")
        self.assertEqual(self.api(s, "/api/v1/audit?kind=milestone.")["entries"][0]["kind"], "milestone.status")
        r = self.post(s, session, "/office/milestones/%d" % council["id"], {"title": "", "kind": "party"})
        self.assertFieldError(r, "milestone-%d" % council["id"], "title", "Enter what happens on this date.")
        self.assertIn('<a href="#f-milestone-%d-kind">' % council["id"], r.text)

        r = self.post(s, session, "/office/processes/%s/milestones" % SLUG,
                      {"date": "2021-04-20", "end_date": "", "title": "Third online consultation", "kind": "meeting"})
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=milestone-added&id=" % SLUG), r)
        self.assertIn("Third online consultation", page_text(s.get("/processes/" + SLUG)))
        r = self.post(s, session, "/office/processes/%s/milestones" % SLUG,
                      {"date": "", "title": "A <b>bold</b> title", "kind": "meeting"})
        self.assertFieldError(r, "milestone-new", "date", "Give the date as YYYY-MM-DD.")
        self.assertIn('value="A &lt;b&gt;bold&lt;/b&gt; title"', r.text, "what was typed comes back, escaped")

    # -- calls ------------------------------------------------------------------

    def test_a_call_is_extended_through_the_form_and_its_public_page_says_why(self):
        s, session = self.office()
        r = self.post(s, session, "/office/calls/1/deadline", {"closes_on": "2021-03-01", "reason": ""})
        self.assertFieldError(r, "deadline", "reason",
                              "Enter the reason for the change; it is published in the call's history.")
        self.assertIn('value="2021-03-01"', r.text)
        self.assertEqual(self.api(s, "/api/v1/calls/1")["closes_on"], "2021-02-15", "nothing changed")

        r = self.post(s, session, "/office/calls/1/deadline", {"closes_on": "2021-03-01", "reason": REASON_EXTEND})
        self.assertRedirect(r, "/office/calls/1?done=deadline")
        self.assertIn("Deadline of 'Written inputs on the revised draft' extended to 1 March 2021, 23:59 Zurich time "
                      "(UTC+1).", page_text(self.get(s, session, r.header("Location"))))
        call = self.api(s, "/api/v1/calls/1")
        self.assertEqual((call["closes_on"], call["closes_at"]), ("2021-03-01", "2021-03-01T22:59:59Z"))
        self.assertIn("Deadline extended from 15 February 2021 to 1 March 2021 on 1 February 2021: " + REASON_EXTEND,
                      page_text(s.get("/calls/1")))
        entry = self.api(s, "/api/v1/audit?kind=call.extend")["entries"][0]
        self.assertEqual((entry["actor"], entry["object"]), (SECRETARIAT, "call:1"))

        r = self.post(s, session, "/office/calls/1/deadline", {"closes_on": "", "reason": "x"})
        self.assertFieldError(r, "deadline", "closes_on", "Give the new deadline as a date.")

    def test_a_call_is_closed_now_its_review_mode_changed_and_a_call_added(self):
        s, session = self.office()
        r = self.post(s, session, "/office/calls/1/state", {"state": "closed", "reason": ""})
        self.assertFieldError(r, "state", "reason",
                              "Enter the reason for the change; it is published in the call's history.")
        r = self.post(s, session, "/office/calls/1/state", {"state": "closed", "reason": "The text was withdrawn."})
        self.assertEqual(r.status, 200, "closing now asks first")
        self.assertEqual(self.api(s, "/api/v1/calls/1")["state"], "open")
        r = self.post(s, session, "/office/calls/1/state", {"state": "closed", "reason": "The text was withdrawn.",
                                                           "confirm": "yes"})
        self.assertRedirect(r, "/office/calls/1?done=closed")
        self.assertEqual(self.api(s, "/api/v1/calls/1")["state"], "closed")
        r = self.post(s, session, "/office/calls/1/state", {"state": "closed", "reason": "Again."})
        self.assertEqual(r.status, 409, r)
        self.assertIn("This call is not open, so it cannot be closed.", r.text)

        r = self.post(s, session, "/office/calls/2/review", {"review": "after_review"})
        self.assertRedirect(r, "/office/calls/2?done=review")
        self.assertEqual(self.api(s, "/api/v1/calls/2")["review"], "after_review")

        version = self.api(s, "/api/v1/processes/" + SLUG)["documents"][0]["versions"][-1]["id"]
        fields = {"version_id": str(version), "title": "Inputs on the final draft", "description": "Last round.",
                  "opens_on": "2021-04-01", "closes_on": "2021-04-30", "review": "on_receipt"}
        r = self.post(s, session, "/office/processes/%s/calls" % SLUG, dict(fields, closes_on="2021-03-01"))
        self.assertEqual(r.status, 422, r)
        self.assertIn('<a href="#f-call-new-closes_on">', r.text)
        r = self.post(s, session, "/office/processes/%s/calls" % SLUG, fields)
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=call-added&id=" % SLUG), r)
        self.assertIn("Inputs on the final draft", [c["title"] for c in self.api(s, "/api/v1/processes/" + SLUG)["calls"]])

    def test_office_errors_say_in_words_what_to_choose(self):
        """A mistake on an office form is told in the officer's words, in the page's language: never an enum's
        internal name (on_receipt, accepted_in_part) nor a column's."""
        s, session = self.office()
        internal = re.compile(r"on_receipt|after_review|accepted_in_part|not_accepted|closes_on|closes_at|same_as")
        r = self.post(s, session, "/office/calls/2/review", {"review": "sometimes"})
        self.assertEqual(r.status, 422, r)
        self.assertIn('<p class="error" id="e-review-review">%s</p>' % esc(
            "Choose when contributions are published: each as it arrives, or once the secretariat has reviewed them."),
            r.text)
        self.assertNotRegex(page_text(r), internal)
        r = self.post(s, session, "/office/calls/1/dispositions",
                      {"many": "1", "by": "paragraph", "select": "p3", "reason": "Done in the next draft."})
        self.assertEqual(r.status, 422, r)
        self.assertIn(esc("Choose an answer: accepted, accepted in part, not accepted or noted."), r.text)
        self.assertNotRegex(page_text(r), internal)
        cookie = self.cookies(session) + "; consulta_lang=fr"
        body = urllib.parse.urlencode({"review": "sometimes", "csrf": s.csrf_token(session)}).encode("ascii")
        r = s.request("POST", "/office/calls/2/review", body=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        self.assertEqual(r.status, 422, r)
        self.assertIn(esc("Choisissez quand les contributions sont publi\u00e9es : chacune \u00e0 son arriv\u00e9e, "
                          "ou une fois relues par le secr\u00e9tariat."), r.text)
        self.assertNotRegex(page_text(r), internal)

    def test_a_call_added_through_the_form_has_its_deadline_on_the_schedule(self):
        s, session = self.office()
        process = self.api(s, "/api/v1/processes/" + SLUG)
        version = process["documents"][0]["versions"][-1]["id"]
        fields = {"version_id": str(version), "title": "Inputs on the final draft", "description": "Last round.",
                  "opens_on": "2021-04-01", "closes_on": "2021-04-30", "review": "on_receipt", "milestone_id": ""}
        r = self.post(s, session, "/office/processes/%s/calls" % SLUG, fields)
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=call-added&id=" % SLUG), r)
        process = self.api(s, "/api/v1/processes/" + SLUG)
        call = [c for c in process["calls"] if c["title"] == "Inputs on the final draft"][0]
        m = [m for m in process["milestones"] if m["id"] == call["milestone_id"]][0]
        self.assertEqual((m["date"], m["kind"], m["title"], m["call"]),
                         ("2021-04-30", "deadline", "Deadline: Inputs on the final draft", call["id"]))
        self.assertIn("30 April 2021", page_text_of_row(s.get("/processes/" + SLUG).text, m["id"]))

        # A deadline planned on the schedule is offered, and moved to the call's deadline when chosen.
        r = s.send_json("POST", "/api/v1/processes/%s/milestones" % SLUG,
                        {"date": "2021-05-10", "title": "Deadline for comments on the report", "kind": "deadline"},
                        token=self.token)
        self.assertEqual(r.status, 201, r)
        planned = r.json()["id"]
        page = self.get(s, session, "/office/processes/" + SLUG).text
        self.assertIn('<option value="%d">10 May 2021: Deadline for comments on the report</option>' % planned, page)
        self.assertNotIn('<option value="%d">' % call["milestone_id"], page, "a deadline that announces a call")
        r = self.post(s, session, "/office/processes/%s/calls" % SLUG, dict(fields, milestone_id="x"))
        self.assertFieldError(r, "call-new", "milestone_id",
                              "Choose a deadline of this process's schedule, or none for a new one.")
        r = self.post(s, session, "/office/processes/%s/calls" % SLUG,
                      dict(fields, title="Comments on the report", closes_on="2021-05-14", milestone_id=str(planned)))
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=call-added&id=" % SLUG), r)
        process = self.api(s, "/api/v1/processes/" + SLUG)
        call = [c for c in process["calls"] if c["title"] == "Comments on the report"][0]
        self.assertEqual(call["milestone_id"], planned)
        self.assertEqual([m["date"] for m in process["milestones"] if m["id"] == planned], ["2021-05-14"])
        r = self.post(s, session, "/office/calls/%d/deadline" % call["id"], {"closes_on": "2021-05-21",
                                                                           "reason": "More time for comments."})
        self.assertRedirect(r, "/office/calls/%d?done=deadline" % call["id"])
        process = self.api(s, "/api/v1/processes/" + SLUG)
        self.assertEqual([m["date"] for m in process["milestones"] if m["id"] == planned], ["2021-05-21"])

    # -- moderation ---------------------------------------------------------------

    def test_moderation_through_the_forms(self):
        s, session = self.office()
        self.assertRedirect(self.post(s, session, "/office/calls/1/review", {"review": "after_review"}),
                            "/office/calls/1?done=review")
        k = s.contribute(name="Kofi <Mensah>", email="kofi@example.org", text="On \u00b63: say who reports.")
        tracking = k["tracking"]
        page = self.get(s, session, "/office/calls/1/contributions?state=pending")
        self.assertEqual(page.status, 200)
        text = page_text(page)
        for shown in ("Kofi <Mensah>", "kofi@example.org", "Analytical Engines Ltd", "Academia", "Switzerland",
                      "On \u00b63: say who reports.", "the API", "2021-02-01 10:00:00 UTC"):
            self.assertIn(shown, text)
        self.assertIn("Kofi &lt;Mensah&gt;", page.text, "escaped")
        self.assertEqual(s.published_total(), 0)

        path = "/office/contributions/%s/moderation" % tracking
        r = self.post(s, session, path, {"action": "hide", "reason": "", "from": "pending"})
        self.assertFieldError(r, "hide-" + tracking, "reason",
                              "Enter the reason for hiding it; the public sees it in its place.")
        self.assertEqual(self.api(s, "/api/v1/calls/1/moderation?state=pending")["total"], 1, "nothing changed")

        r = self.post(s, session, path, {"action": "publish", "from": "pending"})
        self.assertRedirect(r, "/office/calls/1/contributions?state=pending&done=published&tracking=" + tracking)
        self.assertIn("Contribution %s published." % tracking, self.get(s, session, r.header("Location")).text)
        self.assertEqual(s.published_total(), 1)

        r = self.post(s, session, path, {"action": "hide", "reason": "Names a person who did not agree.",
                                         "from": "published"})
        self.assertRedirect(r, "/office/calls/1/contributions?state=published&done=hidden&tracking=" + tracking)
        public = page_text(s.get("/contributions/" + tracking))
        self.assertIn("Hidden by the secretariat: Names a person who did not agree.", public)
        self.assertNotIn("say who reports", public)

        r = self.post(s, session, path, {"action": "spam", "from": "hidden"})
        self.assertEqual(r.status, 200, "marking as spam asks first")
        self.assertIn("Mark contribution %s as spam?" % tracking, r.text)
        r = self.post(s, session, path, {"action": "spam", "from": "hidden", "confirm": "yes"})
        self.assertRedirect(r, "/office/calls/1/contributions?state=hidden&done=spam&tracking=" + tracking)
        self.assertEqual(s.get("/contributions/" + tracking).status, 404)
        self.assertIn(tracking, self.get(s, session, "/office/calls/1/contributions?state=spam").text)
        r = self.post(s, session, path, {"action": "spam", "from": "spam"})
        self.assertEqual(r.status, 409, r)
        kinds = [x["after"]["state"] for x in self.api(s, "/api/v1/audit?kind=contribution.moderate")["entries"]]
        self.assertEqual(kinds, ["spam", "hidden", "published"])
        self.assertEqual(self.get(s, session, "/office/calls/1/contributions?state=deleted").status, 422)

    # -- versions -------------------------------------------------------------------

    def version_path(self):
        return "/office/processes/%s/documents/guidelines/versions/new" % SLUG

    def versions(self, s):
        return self.api(s, "/api/v1/processes/" + SLUG)["documents"][0]["versions"]

    def test_a_version_posted_by_pasting_markdown(self):
        s, session = self.office()
        fields = {"date": "2021-05-07", "label": "Final revised draft", "note": "Takes the inputs into account.",
                  "markdown": "# Final draft\n\nThe secretariat reports to Council.\n\nEach year.\n"}
        r = self.post(s, session, self.version_path(), dict(fields, date="7 May"))
        self.assertFieldError(r, "version", "date", "Give a real date as YYYY-MM-DD.")
        self.assertIn("The secretariat reports to Council.", r.text, "the pasted text comes back")
        self.assertIn("The latest version is Revised draft of 5 May 2020 .",
                      page_text(self.get(s, session, self.version_path())))
        # posting may publish at once, which cannot be undone: a second page says so, and nothing is posted yet
        before = len(self.versions(s))
        r = self.post(s, session, self.version_path(), fields)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Final revised draft of 'Draft Guidelines for utilization of the GCA', dated 7 May 2021, will "
                      "be posted after Revised draft of 5 May 2020.", page_text(r))
        self.assertIn("A published version cannot be withdrawn", page_text(r))
        self.assertEqual(len(self.versions(s)), before)
        confirm = confirm_fields(r.text)
        self.assertEqual(confirm["confirm"], "yes")
        r = self.post(s, session, self.version_path(), confirm, csrf=False)
        self.assertEqual(r.status, 403, "the confirmation without its CSRF token is refused")
        self.assertEqual(len(self.versions(s)), before)
        r = self.post(s, session, self.version_path(), confirm)
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=version&id=" % SLUG), r)
        v = self.versions(s)[-1]
        self.assertEqual((v["label"], v["note"], v["date"]), ("Final revised draft", "Takes the inputs into account.",
                                                             "2021-05-07"))
        self.assertIn("The secretariat reports to Council.", page_text(s.get("/versions/%d" % v["id"])))

    def test_a_version_uploaded_as_markdown_and_the_mistakes_of_an_upload(self):
        s, session = self.office()
        text = "# Uploaded\n\nZo\u00eb wrote this paragraph.\n".encode("utf-8")
        fields = [("date", "2021-05-07"), ("label", "Uploaded draft"), ("note", ""), ("markdown", "")]
        r = self.post_multipart(s, session, self.version_path(), fields, [("file", "draft.md", "text/markdown", text)])
        self.assertEqual(r.status, 200, "a second page first")
        self.assertIn("from the file draft.md", page_text(r))
        r = self.post_multipart(s, session, self.version_path(), list(confirm_fields(r.text).items()))
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=version&id=" % SLUG), r)
        v = self.versions(s)[-1]
        self.assertEqual(v["label"], "Uploaded draft")
        self.assertIn("Zo\u00eb wrote this paragraph.", page_text(s.get("/versions/%d" % v["id"])))

        before = len(self.versions(s))
        r = self.post_multipart(s, session, self.version_path(), fields,
                                [("file", "draft.pdf", "application/pdf", b"%PDF-1.4 not a text")])
        self.assertFieldError(r, "version", "file",
                              "Upload a Word file (.docx), or Markdown or plain text (.md, .txt).")
        self.assertIn("You had chosen draft.pdf", r.text)
        r = self.post_multipart(s, session, self.version_path(), [("date", "2021-05-07"), ("label", "Latin-1")],
                                [("file", "latin1.txt", "text/plain", "caf\u00e9".encode("latin-1"))])
        self.assertFieldError(r, "version", "file",
                              "This file is not UTF-8 text; save it as UTF-8, or upload the Word file.")
        r = self.post_multipart(s, session, self.version_path(), [("date", "2021-05-07"), ("label", "Empty")],
                                [("file", "", "application/octet-stream", b"")])
        self.assertFieldError(r, "version", "markdown",
                              "Give the text of the version, as Markdown or as a Word file (.docx).")
        self.assertEqual(len(self.versions(s)), before, "nothing was stored")

    def test_every_byte_of_a_large_upload_and_of_the_fields_arrives(self):
        """libmicrohttpd's post processor hands a part over in pieces (its buffer is 16 KiB): they are joined
        exactly, lines that look like a boundary included, and an empty field is a field."""
        s, session = self.office()
        line = "--not a boundary, a line of dashes éè 中文 and some padding text to fill it\n"
        text = "# Large\n\n" + line * 13000  # about 1 MiB
        body = text.encode("utf-8")
        self.assertGreater(len(body), 1000000)
        fields = [("date", "2021-05-07"), ("label", "Large é"), ("note", ""), ("markdown", "")]
        r = self.post_multipart(s, session, self.version_path(), fields + [("confirm", "yes")],
                                [("file", "large.md", "text/markdown", body)])
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=version&id=" % SLUG), r)
        v = self.versions(s)[-1]
        self.assertEqual((v["label"], v["note"]), ("Large é", ""))
        with harness.connect(s.db, timeout=10) as db:
            stored = db.execute("SELECT markdown FROM version WHERE id = ?", (v["id"],)).fetchone()[0]
        self.assertEqual(stored, text)

    @unittest.skipUnless(shutil.which("pandoc"), "pandoc is not installed")
    def test_a_version_uploaded_as_a_docx_made_with_pandoc(self):
        s, session = self.office()
        d = tempfile.mkdtemp(prefix="consulta-docx-")
        try:
            path = os.path.join(d, "draft.docx")
            subprocess.run(["pandoc", "--from", "markdown", "-o", path], check=True, timeout=60,
                           input="# Guidelines\n\nThe GCA is used **with care**.\n\n- first point\n- second point\n"
                           .encode("utf-8"))
            with open(path, "rb") as f:
                docx = f.read()
        finally:
            shutil.rmtree(d, ignore_errors=True)
        fields = [("date", "2021-05-07"), ("label", "From Word"), ("note", "Converted."), ("markdown", "")]
        r = self.post_multipart(s, session, self.version_path(), fields, [("file", "draft.docx", DOCX_TYPE, docx)])
        self.assertEqual(r.status, 200, "a second page first, with the Word file's text")
        confirm = confirm_fields(r.text)
        self.assertIn("**with care**", confirm["markdown"])
        self.assertEqual(confirm["source"], "docx")
        r = self.post_multipart(s, session, self.version_path(), list(confirm.items()))
        self.assertTrue(r.header("Location").startswith("/office/processes/%s?done=version&id=" % SLUG), r)
        v = self.versions(s)[-1]
        self.assertEqual(v["label"], "From Word")
        page = s.get("/versions/%d" % v["id"])
        self.assertIn("<strong>with care</strong>", page.text)
        self.assertIn("second point", page.text)
        self.assertEqual(self.api(s, "/api/v1/audit?kind=version.post")["entries"][0]["after"]["source"], "docx")

        # a file that says it is a .docx but is not one: the core's message, by the file field
        r = self.post_multipart(s, session, self.version_path(), fields,
                                [("file", "fake.docx", DOCX_TYPE, b"PK\x03\x04 but not really a docx")])
        self.assertEqual(r.status, 422, r)
        self.assertIn('<a href="#f-version-file">', r.text)
        # pasting and uploading at once is one or the other
        r = self.post_multipart(s, session, self.version_path(), [("date", "2021-05-07"), ("label", "Both"),
                                                                   ("markdown", "Pasted too.")],
                                [("file", "draft.docx", DOCX_TYPE, docx)])
        self.assertFieldError(r, "version", "markdown", "Send the text as Markdown or as a Word file, not both.")

    def test_a_multipart_form_without_its_csrf_token_is_refused(self):
        s, session = self.office()
        before = len(self.versions(s))
        fields = [("date", "2021-05-07"), ("label", "Forged"), ("markdown", "A forged version.")]
        r = self.post_multipart(s, session, self.version_path(), fields, csrf=False)
        self.assertEqual(r.status, 403, r)
        # the form comes back as typed, to send again (its file, if any, chosen again)
        self.assertIn("This form had expired or did not come from this site; nothing was done.", r.text)
        self.assertIn('value="Forged"', r.text)
        r = self.post_multipart(s, session, self.version_path(), fields + [("csrf", "W" * 43)], csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(len(self.versions(s)), before, "nothing was stored")
        # the same form with its token goes through
        self.assertEqual(self.post_multipart(s, session, self.version_path(), fields).status, 200, "to its second page")
        self.assertEqual(self.post_multipart(s, session, self.version_path(), fields + [("confirm", "yes")]).status,
                         303)

    def test_a_malformed_multipart_body_is_400(self):
        s, session = self.office()
        headers = {"Cookie": self.cookies(session)}
        for body, ctype in (
            (b"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + s.csrf_token(session).encode(),
             "multipart/form-data; boundary=b"),
            (b"anything", "multipart/form-data"),
            (b"--b\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\n\xff\xfe\r\n--b--\r\n",
             "multipart/form-data; boundary=b"),
        ):
            with self.subTest(body=body[:40]):
                r = s.request("POST", self.version_path(), body=body, headers=dict(headers, **{"Content-Type": ctype}))
                self.assertEqual(r.status, 400, r)

    # -- processes and documents ----------------------------------------------------

    def test_a_process_is_created_and_edited_through_the_forms(self):
        s, session = self.office()
        fields = {"slug": "wsis-review", "title": "WSIS review", "summary": "A second process.",
                  "timezone": "America/New_York", "languages": "en, FR",
                  "categories": "states: States\nCivil society\n\n"}
        r = self.post(s, session, "/office/processes/new", dict(fields, slug="WSIS Review", timezone="Mars/Olympus"))
        self.assertFieldError(r, "process", "slug", "Use 1 to 64 lower-case letters, digits and hyphens, such as "
                                                    "gca-guidelines.")
        self.assertIn('<a href="#f-process-timezone">', r.text)
        self.assertIn("Civil society", r.text, "the categories typed come back")
        r = self.post(s, session, "/office/processes/new", fields)
        self.assertRedirect(r, "/office/processes/wsis-review?done=created")
        p = self.api(s, "/api/v1/processes/wsis-review")
        self.assertEqual((p["title"], p["timezone"], p["languages"]), ("WSIS review", "America/New_York", ["en", "fr"]))
        self.assertEqual([(c["slug"], c["name"]) for c in p["categories"]],
                         [("states", "States"), ("civil-society", "Civil society")])
        r = self.post(s, session, "/office/processes/new", fields)
        self.assertEqual(r.status, 409, r)

        page = self.get(s, session, "/office/processes/wsis-review")
        self.assertIn("states: States\ncivil-society: Civil society\n</textarea>", page.text)
        edit = dict(fields, title="WSIS+20 review", categories="states: Member States\ncivil-society: Civil society")
        del edit["slug"]
        r = self.post(s, session, "/office/processes/wsis-review", edit)
        self.assertRedirect(r, "/office/processes/wsis-review?done=saved")
        p = self.api(s, "/api/v1/processes/wsis-review")
        self.assertEqual((p["title"], p["categories"][0]["name"]), ("WSIS+20 review", "Member States"))
        # the demo process has calls: its time zone stays
        r = self.post(s, session, "/office/processes/" + SLUG,
                      {"title": "x", "summary": "y", "timezone": "America/New_York", "languages": "en",
                       "categories": "member-states: Member States"})
        self.assertEqual(r.status, 422, r)
        self.assertIn('<p class="error" id="e-process-timezone">', r.text)

        r = self.post(s, session, "/office/processes/wsis-review/documents", {"slug": "report", "title": "Report"})
        self.assertTrue(r.header("Location").startswith("/office/processes/wsis-review?done=document-added&id="), r)
        self.assertEqual(self.get(s, session, "/office/processes/wsis-review/documents/report/versions/new").status, 200)
        r = self.post(s, session, "/office/processes/wsis-review/documents", {"slug": "report", "title": ""})
        self.assertFieldError(r, "document", "title", "Enter the title of the document.")
