"""The back office through the JSON API: processes, versions (Markdown and .docx),
the schedule and its moves, calls and their deadlines, moderation, review
before publication, and the audit log — with who may do it (401, 403) and
what is bad input (422)."""

import base64
import html
import os
import re
import shutil
import sqlite3
import harness
import subprocess
import tempfile
import unittest

from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, page_text

SECRETARIAT = "sec@gca.example"
PASSWORD = "a long passphrase for the tests"
REASON_COUNCIL = "The Council session was moved by the Council itself to early July."
REASON_EXTEND = "Several Member States asked for more time over the holidays."

AFTER_CALL1_DEADLINE = "2021-02-20T12:00:00Z"  # call 1 closed at the end of 15 February 2021 (Zurich)


def page_text_of(fragment):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


class Office(ServerTestCase):
    """Each test has its own server (the back office changes the demo) with a secretariat account."""

    SHARED = False
    NOW = CALL1_OPEN

    def office(self, now=None):
        s = self.fresh_server(now=now)
        return s, s.account_token(SECRETARIAT, password=PASSWORD)

    def process(self, s, slug=SLUG):
        r = s.get_json("/api/v1/processes/" + slug)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def council(self, s):
        return [m for m in self.process(s)["milestones"] if m["kind"] == "presentation"][0]

    def audit(self, s, token, query=""):
        r = s.send_json("GET", "/api/v1/audit" + query, token=token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def assertAccepted(self, r, status=200):
        self.assertEqual(r.status, status, r)
        return r.json()


class Schedule(Office):
    def test_moving_the_council_milestone_is_shown_with_its_history_in_the_api_and_on_the_page(self):
        s, token = self.office()
        council = self.council(s)
        self.assertEqual((council["date"], council["end_date"]), ("2021-06-08", "2021-06-18"))
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-05", "end_date": "2021-07-09", "reason": REASON_COUNCIL}, token=token)
        moved = self.assertAccepted(r)
        self.assertEqual((moved["date"], moved["end_date"]), ("2021-07-05", "2021-07-09"))

        now = self.council(s)
        self.assertEqual((now["date"], now["end_date"]), ("2021-07-05", "2021-07-09"))
        self.assertEqual(len(now["history"]), 2, now)
        first, last = now["history"]
        self.assertEqual(first["from_label"], "2020 session of the Council", "the earlier move is kept")
        self.assertEqual((last["from_date"], last["from_end_date"]), ("2021-06-08", "2021-06-18"))
        self.assertEqual((last["to_date"], last["to_end_date"]), ("2021-07-05", "2021-07-09"))
        self.assertEqual(last["moved_on"], "2021-02-01", "dated today in the process's zone")
        self.assertEqual(last["reason"], REASON_COUNCIL)

        text = page_text(s.get("/processes/" + SLUG))
        self.assertIn("Moved from 2020 session of the Council to 8\u201318 June 2021 on 23 December 2020", text)
        self.assertIn("Moved from 8\u201318 June 2021 to 5\u20139 July 2021 on 1 February 2021: " + REASON_COUNCIL,
                      text)

        entry = self.audit(s, token, "?kind=milestone.move")["entries"][0]
        self.assertEqual((entry["actor"], entry["process"], entry["object"]),
                         (SECRETARIAT, SLUG, "milestone:%d" % council["id"]))
        self.assertEqual((entry["before"]["date"], entry["before"]["end_date"]), ("2021-06-08", "2021-06-18"))
        self.assertEqual((entry["after"]["date"], entry["after"]["end_date"]), ("2021-07-05", "2021-07-09"))
        self.assertEqual(entry["after"]["reason"], REASON_COUNCIL)

    def test_a_move_to_a_single_day_drops_the_end_date(self):
        s, token = self.office()
        council = self.council(s)
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-05", "end_date": "2021-07-05", "reason": "One day only."}, token=token)
        self.assertEqual(self.assertAccepted(r)["end_date"], None)
        self.assertIn("to 5 July 2021 on 1 February 2021: One day only.", page_text(s.get("/processes/" + SLUG)))

    def test_a_move_without_a_reason_or_with_bad_dates_is_422_and_changes_nothing(self):
        s, token = self.office()
        council = self.council(s)
        path = "/api/v1/milestones/%d/move" % council["id"]
        cases = (
            ({"date": "2021-07-05"}, {"reason"}),
            ({"date": "2021-07-05", "reason": "   "}, {"reason"}),
            ({"reason": "why"}, {"date"}),
            ({"date": "2021-02-30", "reason": "why"}, {"date"}),
            ({"date": "2021-07-05", "end_date": "2021-07-01", "reason": "why"}, {"end_date"}),
            ({"date": "2021-06-08", "end_date": "2021-06-18", "reason": "why"}, {"date"}),
            ({"date": "2021-07-05", "reason": "why", "reson": "typo"}, {"reson"}),
            ({"date": 20210705, "reason": "why"}, {"date"}),
        )
        for body, fields in cases:
            with self.subTest(body=body):
                self.assertErrorShape(s.send_json("POST", path, body, token=token), 422, "invalid", fields)
        self.assertEqual(len(self.council(s)["history"]), 1)
        self.assertEqual(self.audit(s, token, "?kind=milestone.move")["entries"], [])
        self.assertErrorShape(s.send_json("POST", "/api/v1/milestones/999/move",
                                          {"date": "2021-07-05", "reason": "why"}, token=token), 404, "not_found")

    def test_status_title_and_kind_are_edited_but_a_date_only_by_a_move(self):
        s, token = self.office()
        council = self.council(s)
        path = "/api/v1/milestones/%d" % council["id"]
        r = self.assertAccepted(s.send_json("PATCH", path, {"status": "postponed"}, token=token))
        self.assertEqual(r["status"], "postponed")
        self.assertIn("Postponed", page_text(s.get("/processes/" + SLUG)))
        r = self.assertAccepted(s.send_json("PATCH", path, {"title": "Council 2021"}, token=token))
        self.assertEqual((r["title"], r["status"]), ("Council 2021", "postponed"))
        # a postponed milestone that gets a new date is planned again
        r = s.send_json("POST", path + "/move", {"date": "2021-09-01", "reason": "A new session."}, token=token)
        self.assertEqual(self.assertAccepted(r)["status"], "planned")
        for status in ("done", "cancelled", "planned"):
            self.assertEqual(self.assertAccepted(s.send_json("PATCH", path, {"status": status}, token=token))["status"],
                             status)
        self.assertErrorShape(s.send_json("PATCH", path, {"status": "maybe"}, token=token), 422, "invalid", {"status"})
        self.assertErrorShape(s.send_json("PATCH", path, {"kind": "party"}, token=token), 422, "invalid", {"kind"})
        self.assertErrorShape(s.send_json("PATCH", path, {"date": "2021-09-02"}, token=token), 422, "invalid", {"date"})
        self.assertErrorShape(s.send_json("PATCH", path, {}, token=token), 422, "invalid")
        kinds = [x["kind"] for x in self.audit(s, token, "?kind=milestone.")["entries"]]
        self.assertEqual(kinds, ["milestone.status"] * 3 + ["milestone.move", "milestone.update", "milestone.status"])

    def test_adding_a_milestone(self):
        s, token = self.office()
        r = s.send_json("POST", "/api/v1/processes/%s/milestones" % SLUG,
                        {"date": "2021-04-20", "title": "Third online consultation", "kind": "meeting"}, token=token)
        m = self.assertAccepted(r, 201)
        self.assertEqual((m["date"], m["end_date"], m["status"], m["history"]), ("2021-04-20", None, "planned", []))
        self.assertIn(m["id"], [x["id"] for x in self.process(s)["milestones"]])
        self.assertErrorShape(s.send_json("POST", "/api/v1/processes/%s/milestones" % SLUG, {"date": "x"}, token=token),
                              422, "invalid", {"date", "title", "kind"})
        self.assertErrorShape(s.send_json("POST", "/api/v1/processes/nope/milestones",
                                          {"date": "2021-04-20", "title": "t", "kind": "other"}, token=token),
                              404, "not_found")
        self.assertEqual(self.audit(s, token, "?kind=milestone.add")["entries"][0]["after"]["title"],
                         "Third online consultation")


class Calls(Office):
    def test_extending_call_1_reopens_it_after_the_old_deadline_and_the_change_is_recorded(self):
        s, token = self.office()
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-03-01", "reason": REASON_EXTEND}, token=token)
        call = self.assertAccepted(r)
        self.assertEqual((call["closes_on"], call["closes_at"], call["state"]),
                         ("2021-03-01", "2021-03-01T22:59:59Z", "open"))

        s.stop()
        s.start(now=AFTER_CALL1_DEADLINE)
        call = s.get_json("/api/v1/calls/1").json()
        self.assertEqual((call["closes_at"], call["state"]), ("2021-03-01T22:59:59Z", "open"),
                         "open again after the old deadline")
        self.assertEqual(len(call["history"]), 1)
        h = call["history"][0]
        self.assertEqual((h["kind"], h["from_closes_on"], h["to_closes_on"], h["reason"]),
                         ("extend", "2021-02-15", "2021-03-01", REASON_EXTEND))
        self.assertEqual((h["from_closes_at"], h["to_closes_at"], h["changed_at"]),
                         ("2021-02-15T22:59:59Z", "2021-03-01T22:59:59Z", CALL1_OPEN))
        self.assertEqual(self.process(s)["calls"][0]["history"], call["history"], "the process shows it too")
        s.contribute()  # accepted after the old deadline

        text = page_text(s.get("/calls/1"))
        self.assertIn("Deadline extended from 15 February 2021 to 1 March 2021 on 1 February 2021: " + REASON_EXTEND,
                      text)

        entries = self.audit(s, token, "?kind=call.extend")["entries"]
        self.assertEqual(len(entries), 1)
        x = entries[0]
        self.assertEqual((x["actor"], x["process"], x["object"], x["at"]), (SECRETARIAT, SLUG, "call:1", CALL1_OPEN))
        self.assertEqual((x["before"]["closes_at"], x["before"]["closes_on"]), ("2021-02-15T22:59:59Z", "2021-02-15"))
        self.assertEqual((x["after"]["closes_at"], x["after"]["closes_on"]), ("2021-03-01T22:59:59Z", "2021-03-01"))
        self.assertEqual(x["after"]["reason"], REASON_EXTEND)

    def deadline_milestone(self, s, call):
        found = [m for m in self.process(s)["milestones"] if m["id"] == call["milestone_id"]]
        self.assertEqual(len(found), 1, call)
        self.assertEqual(found[0]["call"], call["id"])
        return found[0]

    def test_extending_a_call_moves_its_deadline_on_the_schedule_with_one_history_entry(self):
        s, token = self.office()
        call = s.get_json("/api/v1/calls/1").json()
        self.assertEqual(self.deadline_milestone(s, call)["date"], "2021-02-15")
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-02-22", "reason": REASON_EXTEND}, token=token)
        call = self.assertAccepted(r)
        m = self.deadline_milestone(s, call)
        self.assertEqual((m["date"], m["end_date"], call["closes_on"]), ("2021-02-22", None, "2021-02-22"))
        self.assertEqual(len(m["history"]), 1, m)
        h = m["history"][0]
        self.assertEqual((h["moved_on"], h["from_date"], h["to_date"], h["reason"]),
                         ("2021-02-01", "2021-02-15", "2021-02-22", REASON_EXTEND))
        self.assertEqual(len(call["history"]), 1)
        self.assertEqual(len(self.audit(s, token, "?kind=call.extend")["entries"]), 1)
        self.assertEqual(self.audit(s, token, "?kind=milestone.move")["entries"], [], "one change, one entry")
        # What a browser shows: one date on the process page's schedule and call list, and on the call page.
        page = s.get("/processes/" + SLUG).text
        row = page[page.index('<tr id="milestone-%d" ' % m["id"]):]
        row = row[:row.index("</tr>")]
        self.assertIn('<td class="date">22 February 2021</td>', row)
        self.assertIn("Moved from 15 February 2021 to 22 February 2021 on 1 February 2021: " + REASON_EXTEND,
                      page_text_of(row))
        calls = page[page.index('href="/calls/1"'):]
        self.assertIn("Open until 22 February 2021, 23:59 Zurich time (UTC+1)",
                      page_text_of(calls[:calls.index("</li>")]))
        self.assertNotIn("15 February 2021</td>", page)
        self.assertIn("Open until 22 February 2021, 23:59 Zurich time (UTC+1)", page_text(s.get("/calls/1")))

    def test_moving_a_calls_deadline_milestone_changes_the_call(self):
        s, token = self.office()
        call = s.get_json("/api/v1/calls/1").json()
        mid = call["milestone_id"]
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % mid, {"date": "2021-02-22", "reason": REASON_EXTEND},
                        token=token)
        self.assertEqual(self.assertAccepted(r)["date"], "2021-02-22")
        call = s.get_json("/api/v1/calls/1").json()
        self.assertEqual((call["closes_on"], call["closes_at"]), ("2021-02-22", "2021-02-22T22:59:59Z"))
        self.assertEqual([(h["kind"], h["reason"]) for h in call["history"]], [("extend", REASON_EXTEND)])
        self.assertEqual(len(self.deadline_milestone(s, call)["history"]), 1)
        self.assertEqual(len(self.audit(s, token, "?kind=call.extend")["entries"]), 1)
        self.assertEqual(self.audit(s, token, "?kind=milestone.move")["entries"], [])
        self.assertIn("Open until 22 February 2021, 23:59 Zurich time (UTC+1)", page_text(s.get("/calls/1")))
        # A deadline is one day, and not in the past: the call's rules, named by the milestone's fields.
        self.assertErrorShape(s.send_json("POST", "/api/v1/milestones/%d/move" % mid,
                                          {"date": "2021-02-23", "end_date": "2021-02-24", "reason": "r"},
                                          token=token), 422, "invalid", {"end_date"})
        self.assertErrorShape(s.send_json("POST", "/api/v1/milestones/%d/move" % mid,
                                          {"date": "2021-01-20", "reason": "r"}, token=token), 422, "invalid",
                              {"date"})
        self.assertEqual(s.get_json("/api/v1/calls/1").json()["closes_on"], "2021-02-22", "unchanged")

    def test_closing_a_call_now_moves_its_deadline_milestone_to_today(self):
        s, token = self.office()
        call = self.assertAccepted(s.send_json("PATCH", "/api/v1/calls/1", {"state": "closed", "reason": "Enough."},
                                               token=token))
        m = self.deadline_milestone(s, call)
        self.assertEqual((m["date"], m["history"][-1]["reason"]), ("2021-02-01", "Enough."))

    def test_a_closed_call_given_a_later_deadline_is_open_at_once(self):
        s, token = self.office(now=AFTER_CALL1_DEADLINE)
        self.assertEqual(s.get_json("/api/v1/calls/1").json()["state"], "closed")
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_at": "2021-02-25T12:00:00Z", "reason": "Reopened."},
                        token=token)
        call = self.assertAccepted(r)
        self.assertEqual((call["state"], call["closes_on"], call["closes_at"]), ("open", None, "2021-02-25T12:00:00Z"))
        s.contribute()

    def test_closing_now_and_opening_now(self):
        s, token = self.office()
        r = s.send_json("PATCH", "/api/v1/calls/1", {"state": "closed", "reason": "Enough inputs."}, token=token)
        call = self.assertAccepted(r)
        self.assertEqual(call["state"], "closed")
        self.assertEqual(call["history"][-1]["kind"], "close")
        self.assertEqual(s.post_json("/api/v1/calls/1/contributions", {}).status, 409)
        self.assertErrorShape(s.send_json("PATCH", "/api/v1/calls/1", {"state": "closed", "reason": "again"},
                                          token=token), 409, "conflict")
        # call 2 opens on 1 March 2021: open it now
        self.assertEqual(s.get_json("/api/v1/calls/2").json()["state"], "upcoming")
        call = self.assertAccepted(s.send_json("PATCH", "/api/v1/calls/2", {"state": "open", "reason": "Early."},
                                               token=token))
        self.assertEqual((call["state"], call["opens_at"]), ("open", CALL1_OPEN))
        self.assertErrorShape(s.send_json("PATCH", "/api/v1/calls/2", {"state": "open", "reason": "again"},
                                          token=token), 409, "conflict")
        kinds = [x["kind"] for x in self.audit(s, token, "?kind=call.")["entries"]]
        self.assertEqual(kinds, ["call.open", "call.close"])

    def test_bad_changes_are_422_and_change_nothing(self):
        s, token = self.office()
        cases = (
            ({"closes_on": "2021-03-01"}, {"reason"}),
            ({"closes_on": "2021-03-01", "reason": ""}, {"reason"}),
            ({"closes_on": "1 March", "reason": "r"}, {"closes_on"}),
            ({"closes_at": "tomorrow", "reason": "r"}, {"closes_at"}),
            ({"closes_on": "2021-03-01", "closes_at": "2021-03-01T00:00:00Z", "reason": "r"}, {"closes_at"}),
            ({"closes_on": "2021-01-15", "reason": "r"}, {"closes_on"}),  # already past
            ({"closes_on": "2021-02-15", "reason": "r"}, {"closes_on"}),  # the deadline already
            ({"state": "paused", "reason": "r"}, {"state"}),
            ({"state": "closed"}, {"reason"}),
            ({"review": "sometimes"}, {"review"}),
            ({"closes_on": "2021-03-01", "reason": "r", "deadline": "x"}, {"deadline"}),
        )
        for body, fields in cases:
            with self.subTest(body=body):
                self.assertErrorShape(s.send_json("PATCH", "/api/v1/calls/1", body, token=token), 422, "invalid",
                                      fields)
        self.assertErrorShape(s.send_json("PATCH", "/api/v1/calls/1", {}, token=token), 422, "invalid")
        call = s.get_json("/api/v1/calls/1").json()
        self.assertEqual((call["closes_on"], call["history"]), ("2021-02-15", []))
        self.assertEqual(self.audit(s, token, "?kind=call.")["entries"], [])
        self.assertErrorShape(s.send_json("PATCH", "/api/v1/calls/99", {"state": "closed", "reason": "r"},
                                          token=token), 404, "not_found")

    def test_a_new_call_on_a_version_of_the_process(self):
        s, token = self.office()
        version = self.process(s)["documents"][0]["versions"][-1]["id"]
        body = {"version_id": version, "title": "Last inputs", "opens_on": "2021-02-01", "closes_on": "2021-02-28",
                "review": "after_review"}
        call = self.assertAccepted(s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG, body, token=token), 201)
        self.assertEqual((call["state"], call["review"], call["closes_at"]), ("open", "after_review",
                                                                             "2021-02-28T22:59:59Z"))
        for bad, fields in ((dict(body, version_id=999), {"version_id"}), (dict(body, closes_on="2021-01-01"),
                                                                          {"closes_on"}),
                            (dict(body, review="never", title=""), {"review", "title"})):
            with self.subTest(body=bad):
                self.assertErrorShape(s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG, bad, token=token),
                                      422, "invalid", fields)
        self.assertEqual(len(self.process(s)["calls"]), 3)

    def test_a_new_call_has_its_deadline_on_the_schedule_and_extending_the_call_moves_it(self):
        s, token = self.office()
        version = self.process(s)["documents"][0]["versions"][-1]["id"]
        before = len(self.process(s)["milestones"])
        body = {"version_id": version, "title": "Last inputs", "opens_on": "2021-02-01", "closes_on": "2021-02-28"}
        call = self.assertAccepted(s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG, body, token=token), 201)
        self.assertIsNotNone(call["milestone_id"], call)
        m = self.deadline_milestone(s, call)
        self.assertEqual((m["date"], m["end_date"], m["kind"], m["status"], m["title"], m["history"]),
                         ("2021-02-28", None, "deadline", "planned", "Deadline: Last inputs", []))
        self.assertEqual(len(self.process(s)["milestones"]), before + 1)
        created = self.audit(s, token, "?kind=call.create")["entries"][0]
        self.assertEqual(created["after"]["milestone_id"], m["id"])

        r = s.send_json("PATCH", "/api/v1/calls/%d" % call["id"], {"closes_on": "2021-03-07", "reason": REASON_EXTEND},
                        token=token)
        call = self.assertAccepted(r)
        m = self.deadline_milestone(s, call)
        self.assertEqual((m["date"], call["closes_on"]), ("2021-03-07", "2021-03-07"))
        self.assertEqual([(h["from_date"], h["to_date"], h["reason"]) for h in m["history"]],
                         [("2021-02-28", "2021-03-07", REASON_EXTEND)])

    def test_a_new_call_can_announce_a_deadline_already_on_the_schedule(self):
        s, token = self.office()
        version = self.process(s)["documents"][0]["versions"][-1]["id"]
        planned = self.assertAccepted(s.send_json("POST", "/api/v1/processes/%s/milestones" % SLUG,
                                                  {"date": "2021-03-20", "title": "Deadline for late inputs",
                                                   "kind": "deadline"}, token=token), 201)
        meeting = self.assertAccepted(s.send_json("POST", "/api/v1/processes/%s/milestones" % SLUG,
                                                  {"date": "2021-03-20", "title": "A meeting", "kind": "meeting"},
                                                  token=token), 201)
        taken = s.get_json("/api/v1/calls/1").json()["milestone_id"]
        schedule = self.process(s)["milestones"]
        body = {"version_id": version, "title": "Late inputs", "opens_on": "2021-02-01", "closes_on": "2021-03-25"}
        for bad in (meeting["id"], taken, 999, "2", 0):
            with self.subTest(milestone_id=bad):
                self.assertErrorShape(s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG,
                                                  dict(body, milestone_id=bad), token=token), 422, "invalid",
                                      {"milestone_id"})
        self.assertEqual((len(self.process(s)["calls"]), self.process(s)["milestones"]), (2, schedule),
                         "nothing half-stored")

        call = self.assertAccepted(s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG,
                                               dict(body, milestone_id=planned["id"]), token=token), 201)
        self.assertEqual(call["milestone_id"], planned["id"])
        m = self.deadline_milestone(s, call)
        self.assertEqual((m["date"], m["end_date"], m["title"]), ("2021-03-25", None, "Deadline for late inputs"))
        self.assertEqual(len(self.process(s)["milestones"]), len(schedule), "no second milestone")
        self.assertEqual(self.audit(s, token, "?kind=call.create")["entries"][0]["after"]["milestone_moved_from"],
                         "2021-03-20")
        # Now it announces a call: a second call cannot take it.
        self.assertErrorShape(s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG,
                                          dict(body, milestone_id=planned["id"]), token=token), 422, "invalid",
                              {"milestone_id"})


class Moderation(Office):
    def test_hidden_keeps_its_number_and_reason_in_public_not_its_text_and_is_counted(self):
        s, token = self.office()
        kept = s.contribute(text="A useful comment on paragraph 3.")
        hidden = s.contribute(text="Something that should not be published.", name="Mallory")
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % hidden["tracking"],
                        {"action": "hide", "reason": "Personal attacks on a named person."}, token=token)
        self.assertEqual(self.assertAccepted(r)["state"], "hidden")

        view = s.get_json("/api/v1/contributions/" + hidden["tracking"])
        self.assertEqual(view.status, 200)
        self.assertEqual(view.json(), {"tracking": hidden["tracking"], "state": "hidden",
                                       "reason": "Personal attacks on a named person."})
        listing = s.get_json("/api/v1/calls/1/contributions").json()
        self.assertEqual((listing["total"], listing["published"], listing["hidden"]), (2, 1, 1))
        self.assertEqual([c["tracking"] for c in listing["contributions"]], [kept["tracking"], hidden["tracking"]])
        self.assertEqual(listing["contributions"][1], view.json())
        self.assertNotIn("should not be published", s.get_json("/api/v1/calls/1/contributions").text)

        for path in ("/calls/1/contributions", "/contributions/" + hidden["tracking"]):
            with self.subTest(page=path):
                page = s.get(path)
                self.assertEqual(page.status, 200)
                text = page_text(page)
                self.assertIn(hidden["tracking"], text)
                self.assertIn("Personal attacks on a named person.", text)
                self.assertNotIn("should not be published", text)
                self.assertNotIn("Mallory", text)
        self.assertIn("1 published contribution to this call", page_text(s.get("/calls/1/contributions")))
        self.assertIn("1 hidden by the secretariat", page_text(s.get("/calls/1/contributions")))

        x = self.audit(s, token, "?kind=contribution.moderate")["entries"][0]
        self.assertEqual((x["object"], x["before"], x["after"]),
                         ("contribution:" + hidden["tracking"], {"state": "published", "reason": None},
                          {"state": "hidden", "reason": "Personal attacks on a named person."}))

    def test_spam_is_gone_from_public_view_like_an_unknown_number(self):
        s, token = self.office()
        spam = s.contribute(text="Buy cheap watches")
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % spam["tracking"], {"action": "spam"},
                        token=token)
        self.assertEqual(self.assertAccepted(r)["state"], "spam")
        self.assertErrorShape(s.get_json("/api/v1/contributions/" + spam["tracking"]), 404, "not_found")
        self.assertEqual(s.get("/contributions/" + spam["tracking"]).status, 404)
        listing = s.get_json("/api/v1/calls/1/contributions").json()
        self.assertEqual((listing["total"], listing["contributions"]), (0, []))
        # kept in the record: the secretariat still sees it
        queue = s.send_json("GET", "/api/v1/calls/1/moderation?state=spam", token=token).json()
        self.assertEqual([c["tracking"] for c in queue["contributions"]], [spam["tracking"]])
        self.assertEqual(queue["contributions"][0]["text"], "Buy cheap watches")
        # and it can be published again
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % spam["tracking"], {"action": "publish"},
                        token=token)
        self.assertEqual(self.assertAccepted(r)["state"], "published")
        self.assertEqual(s.get_json("/api/v1/contributions/" + spam["tracking"]).json()["text"], "Buy cheap watches")

    def test_bad_moderation_is_422_404_or_409(self):
        s, token = self.office()
        c = s.contribute()
        path = "/api/v1/contributions/%s/moderation" % c["tracking"]
        self.assertErrorShape(s.send_json("POST", path, {"action": "hide"}, token=token), 422, "invalid", {"reason"})
        self.assertErrorShape(s.send_json("POST", path, {"action": "delete"}, token=token), 422, "invalid",
                              {"action"})
        self.assertErrorShape(s.send_json("POST", path, {}, token=token), 422, "invalid", {"action"})
        self.assertErrorShape(s.send_json("POST", path, {"action": "publish"}, token=token), 409, "conflict")
        self.assertErrorShape(s.send_json("POST", "/api/v1/contributions/0000-0000-0/moderation",
                                          {"action": "spam"}, token=token), 404, "not_found")
        self.assertEqual(s.get_json("/api/v1/contributions/" + c["tracking"]).json()["state"], "published")

    def test_after_review_keeps_contributions_pending_until_published(self):
        s, token = self.office()
        before = s.contribute(text="Sent before the change.")
        call = self.assertAccepted(s.send_json("PATCH", "/api/v1/calls/1", {"review": "after_review"}, token=token))
        self.assertEqual(call["review"], "after_review")
        pending = s.contribute(text="Sent after the change.")
        self.assertErrorShape(s.get_json("/api/v1/contributions/" + pending["tracking"]), 404, "not_found")
        self.assertEqual(s.get("/contributions/" + pending["tracking"]).status, 404)
        listing = s.get_json("/api/v1/calls/1/contributions").json()
        self.assertEqual([c["tracking"] for c in listing["contributions"]], [before["tracking"]])
        self.assertIn("once the secretariat has reviewed it", page_text(s.get("/receipts/" + pending["tracking"])))
        self.assertIn("published after the secretariat has reviewed them", page_text(s.get("/calls/1")))

        queue = s.send_json("GET", "/api/v1/calls/1/moderation?state=pending", token=token).json()
        self.assertEqual([c["tracking"] for c in queue["contributions"]], [pending["tracking"]])
        self.assertEqual(queue["contributions"][0]["email"], "ada@example.org", "the secretariat sees the record")
        self.assertErrorShape(s.send_json("GET", "/api/v1/calls/1/moderation?state=lost", token=token), 422,
                              "invalid", {"state"})

        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % pending["tracking"], {"action": "publish"},
                        token=token)
        self.assertEqual(self.assertAccepted(r)["state"], "published")
        self.assertEqual(s.get_json("/api/v1/contributions/" + pending["tracking"]).json()["text"],
                         "Sent after the change.")
        self.assertEqual(s.published_total(), 2)
        self.assertEqual(self.audit(s, token, "?kind=call.review")["entries"][0]["after"]["review"], "after_review")


@unittest.skipUnless(shutil.which("pandoc"), "pandoc is not installed")
class Versions(Office):
    def docx(self, markdown):
        d = tempfile.mkdtemp(prefix="consulta-docx-")
        try:
            path = os.path.join(d, "x.docx")
            subprocess.run(["pandoc", "--from", "markdown", "-o", path], input=markdown.encode("utf-8"), check=True,
                           timeout=60)
            with open(path, "rb") as f:
                return base64.b64encode(f.read()).decode("ascii")
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def path(self, doc="guidelines"):
        return "/api/v1/processes/%s/documents/%s/versions" % (SLUG, doc)

    def test_a_markdown_version_is_posted_rendered_and_listed(self):
        s, token = self.office()
        body = {"markdown": "# Final draft\n\nThe secretariat reports to Council.\n\nEach year.\n",
                "date": "2021-05-07", "label": "Final revised draft", "note": "Takes the inputs into account."}
        v = self.assertAccepted(s.send_json("POST", self.path(), body, token=token), 201)
        self.assertEqual((v["paragraphs"], v["url"]), (2, "/versions/%d" % v["id"]))
        versions = self.process(s)["documents"][0]["versions"]
        self.assertEqual((versions[-1]["label"], versions[-1]["note"]),
                         ("Final revised draft", "Takes the inputs into account."))
        self.assertIn("The secretariat reports to Council.", page_text(s.get(v["url"])))
        entry = self.audit(s, token, "?kind=version.post")["entries"][0]
        self.assertEqual((entry["after"]["label"], entry["after"]["source"]), ("Final revised draft", "markdown"))
        # the document is named by its slug or its id
        doc_id = self.process(s)["documents"][0]["id"]
        body2 = dict(body, label="Again")
        self.assertAccepted(s.send_json("POST", self.path(str(doc_id)), body2, token=token), 201)

    def test_a_docx_upload_is_converted_to_markdown(self):
        s, token = self.office()
        docx = self.docx("# Guidelines\n\nThe GCA is used **with care**.\n\n- first point\n- second point\n")
        v = self.assertAccepted(s.send_json("POST", self.path(), {"docx": docx, "date": "2021-05-07",
                                                                  "label": "From Word"}, token=token), 201)
        self.assertIn("The GCA is used **with care**.", v["markdown"])
        self.assertIn("first point", v["markdown"])
        page = s.get(v["url"])
        self.assertIn("<strong>with care</strong>", page.text)
        self.assertEqual(self.audit(s, token, "?kind=version.post")["entries"][0]["after"]["source"], "docx")

    def test_bad_versions_are_422(self):
        s, token = self.office()
        ok = {"markdown": "Text.", "date": "2021-05-07", "label": "L"}
        cases = (
            ({}, {"markdown", "date", "label"}),
            (dict(ok, date="7 May 2021"), {"date"}),
            (dict(ok, label=""), {"label"}),
            (dict(ok, docx=self.docx("x")), {"markdown"}),
            (dict(ok, markdown=None, docx="not base64!"), {"docx"}),
            (dict(ok, markdown=None, docx=base64.b64encode(b"plain text, not a zip").decode()), {"docx"}),
            (dict(ok, markdown=None, docx=base64.b64encode(b"PK\x03\x04 but not really a docx").decode()), {"docx"}),
            (dict(ok, markdown=None, docx=""), {"docx"}),
        )
        for body, fields in cases:
            with self.subTest(body={k: (v[:20] if isinstance(v, str) else v) for k, v in body.items()}):
                self.assertErrorShape(s.send_json("POST", self.path(), body, token=token), 422, "invalid", fields)
        self.assertEqual(len(self.process(s)["documents"][0]["versions"]), 2, "nothing was stored")
        self.assertErrorShape(s.send_json("POST", self.path("nope"), ok, token=token), 404, "not_found")


@unittest.skipUnless(shutil.which("pandoc"), "pandoc is not installed")
class VersionsWithoutPandoc(Office):
    def test_a_docx_on_a_server_without_pandoc_says_so_and_what_to_do_instead(self):
        # A temporary failure on our side whose words were written for the person: they are shown (with
        # a 503), not replaced by the request id as a database's words would be.
        empty = tempfile.mkdtemp(prefix="consulta-nopath-")
        self.addCleanup(shutil.rmtree, empty, True)
        s = self.fresh_server(env={"PATH": empty})
        token = s.account_token(SECRETARIAT, password=PASSWORD)
        docx = Versions.docx(self, "# Text\n\nOne paragraph.\n")
        r = s.send_json("POST", Versions.path(self), {"docx": docx, "date": "2021-05-07", "label": "L"}, token=token)
        self.assertErrorShape(r, 503, "unavailable")
        self.assertIn("pandoc is missing", r.json()["error"]["message"])
        self.assertIn("paste the text as Markdown instead", r.json()["error"]["message"])
        self.assertEqual(len(self.process(s)["documents"][0]["versions"]), 2, "nothing was stored")


class Processes(Office):
    def test_create_and_edit_a_process(self):
        s, token = self.office()
        body = {"slug": "wsis-review", "title": "WSIS review", "summary": "A second process.",
                "timezone": "America/New_York", "languages": ["en", "FR", "es"],
                "categories": [{"slug": "states", "name": "States"}, "Civil society"]}
        p = self.assertAccepted(s.send_json("POST", "/api/v1/processes", body, token=token), 201)
        self.assertEqual(p["url"], "/api/v1/processes/wsis-review")
        pub = self.process(s, "wsis-review")
        self.assertEqual((pub["timezone"], pub["languages"]), ("America/New_York", ["en", "fr", "es"]))
        self.assertEqual([(c["slug"], c["name"]) for c in pub["categories"]],
                         [("states", "States"), ("civil-society", "Civil society")])
        self.assertErrorShape(s.send_json("POST", "/api/v1/processes", body, token=token), 409, "conflict")

        edit = {"title": "WSIS+20 review", "timezone": "Europe/Paris", "languages": "en, fr",
                "categories": [{"slug": "civil-society", "name": "Civil society organizations"},
                               {"slug": "academia", "name": "Academia"}]}
        p = self.assertAccepted(s.send_json("PATCH", "/api/v1/processes/wsis-review", edit, token=token))
        self.assertEqual((p["title"], p["timezone"], p["languages"], p["summary"]),
                         ("WSIS+20 review", "Europe/Paris", ["en", "fr"], "A second process."))
        self.assertEqual([c["slug"] for c in p["categories"]], ["civil-society", "academia"])
        x = self.audit(s, token, "?process=wsis-review&kind=process.update")["entries"][0]
        self.assertEqual((x["before"]["title"], x["after"]["title"]), ("WSIS review", "WSIS+20 review"))

    def test_bad_processes_are_422(self):
        s, token = self.office()
        cases = (
            ({}, {"slug", "title", "timezone", "categories"}),
            ({"slug": "Bad Slug", "title": "t", "timezone": "Europe/Zurich", "categories": ["A"]}, {"slug"}),
            ({"slug": "new", "title": "t", "timezone": "Europe/Zurich", "categories": ["A"]}, {"slug"}),
            ({"slug": "ok", "title": "t", "timezone": "Mars/Olympus", "categories": ["A"]}, {"timezone"}),
            ({"slug": "ok", "title": "t", "timezone": "UTC", "categories": ["A"], "languages": ["english!"]},
             {"languages"}),
            ({"slug": "ok", "title": "t", "timezone": "UTC", "categories": ["A", "a"]}, {"categories"}),
            ({"slug": "ok", "title": "t", "timezone": "UTC", "categories": "A"}, {"categories"}),
            ({"slug": "ok", "title": "t", "timezone": "UTC", "categories": ["A"], "owner": "me"}, {"owner"}),
        )
        for body, fields in cases:
            with self.subTest(body=body):
                self.assertErrorShape(s.send_json("POST", "/api/v1/processes", body, token=token), 422, "invalid",
                                      fields)
        # the demo's time zone set its deadlines; a category with contributions stays
        s.contribute(category="academia")
        path = "/api/v1/processes/" + SLUG
        self.assertErrorShape(s.send_json("PATCH", path, {"timezone": "UTC"}, token=token), 422, "invalid",
                              {"timezone"})
        self.assertErrorShape(s.send_json("PATCH", path, {"categories": [{"slug": "other", "name": "Other"}]},
                                          token=token), 422, "invalid", {"categories"})
        self.assertErrorShape(s.send_json("PATCH", path, {"slug": "new"}, token=token), 422, "invalid", {"slug"})
        self.assertErrorShape(s.send_json("PATCH", "/api/v1/processes/nope", {"title": "t"}, token=token), 404,
                              "not_found")
        self.assertEqual(len(self.process(s)["categories"]), 6)


class Audit(Office):
    def test_filters_by_process_and_kind_and_pages_back(self):
        s, token = self.office()
        council = self.council(s)
        for i in range(3):
            s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-0%d" % (i + 1), "reason": "Move %d." % i}, token=token)
        s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-03-01", "reason": REASON_EXTEND}, token=token)
        s.send_json("POST", "/api/v1/processes", {"slug": "other", "title": "Other", "timezone": "UTC",
                                                  "categories": ["A"]}, token=token)

        every = self.audit(s, token)["entries"]
        self.assertGreaterEqual(len(every), 5)
        self.assertEqual([x["id"] for x in every], sorted((x["id"] for x in every), reverse=True), "newest first")
        self.assertEqual([x["kind"] for x in self.audit(s, token, "?kind=call.extend")["entries"]], ["call.extend"])
        self.assertEqual({x["process"] for x in self.audit(s, token, "?process=" + SLUG)["entries"]}, {SLUG})
        self.assertEqual([x["kind"] for x in self.audit(s, token, "?process=other")["entries"]], ["process.create"])
        self.assertEqual(self.audit(s, token, "?process=other&kind=milestone.move")["entries"], [])
        family = [x["kind"] for x in self.audit(s, token, "?kind=milestone.&process=" + SLUG)["entries"]]
        self.assertEqual(family, ["milestone.move"] * 3)

        page1 = self.audit(s, token, "?kind=milestone.move&limit=2")
        self.assertEqual(len(page1["entries"]), 2)
        self.assertIn("before=%d" % page1["entries"][-1]["id"], page1["next"])
        page2 = self.audit(s, token, page1["next"][len("/api/v1/audit"):])
        self.assertEqual([x["after"]["reason"] for x in page1["entries"] + page2["entries"]],
                         ["Move 2.", "Move 1.", "Move 0."])
        self.assertEqual(page2["next"], None)

        for query, fields in (("?limit=0", {"limit"}), ("?limit=201", {"limit"}), ("?before=x", {"before"}),
                              ("?kind=DROP%20TABLE", {"kind"}), ("?process=..%2F", {"process"})):
            with self.subTest(query=query):
                self.assertErrorShape(s.send_json("GET", "/api/v1/audit" + query, token=token), 422, "invalid", fields)
        self.assertErrorShape(s.send_json("GET", "/api/v1/audit?process=nope", token=token), 404, "not_found")

    def test_the_audit_table_refuses_update_and_delete(self):
        s, token = self.office()
        s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-03-01", "reason": REASON_EXTEND}, token=token)
        db = harness.connect(s.db, timeout=10)
        try:
            (n,) = db.execute("SELECT count(*) FROM audit").fetchone()
            self.assertGreater(n, 0)
            for sql in ("UPDATE audit SET actor = 'nobody'", "DELETE FROM audit"):
                with self.subTest(sql=sql):
                    with self.assertRaises(sqlite3.DatabaseError) as caught:
                        db.execute(sql)
                    self.assertIn("append-only", str(caught.exception))
                    db.rollback()
            self.assertEqual(db.execute("SELECT count(*) FROM audit").fetchone()[0], n)
            self.assertEqual(db.execute("SELECT count(*) FROM audit WHERE actor = 'nobody'").fetchone()[0], 0)
        finally:
            db.close()


class Access(Office):
    """401 without credentials, 403 with the wrong role or without the CSRF header of a cookie session, 422 with
    fields for bad input: for every back-office endpoint."""

    def endpoints(self, s):
        tracking = s.contribute()["tracking"]
        council = self.council(s)["id"]
        # method, path, a body that is bad input (422) for the secretariat
        return (
            ("POST", "/api/v1/processes", {"slug": "Bad Slug"}),
            ("PATCH", "/api/v1/processes/" + SLUG, {"timezone": "Nowhere/Land"}),
            ("POST", "/api/v1/processes/%s/documents" % SLUG, {"slug": "", "title": ""}),
            ("POST", "/api/v1/processes/%s/documents/guidelines/versions" % SLUG, {"label": "No text"}),
            ("POST", "/api/v1/processes/%s/milestones" % SLUG, {"title": "No date"}),
            ("PATCH", "/api/v1/milestones/%d" % council, {"status": "forgotten"}),
            ("POST", "/api/v1/milestones/%d/move" % council, {"date": "2021-07-01"}),
            ("POST", "/api/v1/processes/%s/calls" % SLUG, {"title": "No dates"}),
            ("PATCH", "/api/v1/calls/1", {"closes_on": "2021-03-01"}),
            ("GET", "/api/v1/calls/1/moderation?state=nonsense", None),
            ("POST", "/api/v1/contributions/%s/moderation" % tracking, {"action": "hide"}),
            ("GET", "/api/v1/audit?limit=0", None),
        )

    def test_every_endpoint_answers_401_403_and_422(self):
        s, token = self.office()
        stakeholder = s.account_token("ada@example.org", role="stakeholder")
        for method, path, bad in self.endpoints(s):
            with self.subTest(method=method, path=path):
                r = s.send_json(method, path, bad)
                self.assertErrorShape(r, 401, "unauthorized")
                self.assertTrue((r.header("WWW-Authenticate") or "").startswith("Bearer"), r.headers)
                self.assertErrorShape(s.send_json(method, path, bad, token="x" * 43), 401, "unauthorized")
                self.assertErrorShape(s.send_json(method, path, bad, token=stakeholder), 403, "forbidden")
                err = self.assertErrorShape(s.send_json(method, path, bad, token=token), 422, "invalid")
                self.assertTrue(err["fields"], err)
        self.assertEqual(self.council(s)["history"][-1]["from_label"], "2020 session of the Council")
        self.assertEqual(s.get_json("/api/v1/calls/1").json()["history"], [])

    def test_a_session_cookie_needs_the_csrf_header(self):
        s, token = self.office()
        r = s.post_form("/login", {"email": SECRETARIAT, "password": PASSWORD, "next": "/"})
        self.assertEqual(r.status, 303, r)
        cookies = dict(c.split(";")[0].split("=", 1) for c in r.headers.get_all("Set-Cookie"))
        session, csrf = cookies["consulta_session"], cookies.get("consulta_csrf", CSRF_TOKEN)
        cookie = "consulta_session=%s; consulta_csrf=%s" % (session, csrf)
        body = {"closes_on": "2021-03-01", "reason": REASON_EXTEND}
        self.assertErrorShape(s.send_json("PATCH", "/api/v1/calls/1", body, headers={"Cookie": cookie}), 403, "csrf")
        self.assertErrorShape(s.send_json("PATCH", "/api/v1/calls/1", body,
                                          headers={"Cookie": cookie, "X-CSRF-Token": "y" * 43}), 403, "csrf")
        r = s.send_json("PATCH", "/api/v1/calls/1", body, headers={"Cookie": cookie, "X-CSRF-Token": csrf})
        self.assertErrorShape(r, 403, "csrf")  # the cookie's visitor id is not the session's token
        r = s.send_json("PATCH", "/api/v1/calls/1", body,
                        headers={"Cookie": cookie, "X-CSRF-Token": s.csrf_token(session)})
        self.assertEqual(self.assertAccepted(r)["closes_on"], "2021-03-01")
        # a read needs no token
        self.assertEqual(s.send_json("GET", "/api/v1/audit", headers={"Cookie": cookie}).status, 200)
