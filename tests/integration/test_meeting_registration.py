"""
Registering for a meeting (issue 13, item 2): one core entry, meeting_register(), for the meeting page's form
and POST /api/v1/meetings/{id}/registrations alike. Refused on the server after registration closes, for a
meeting that has started or is over, for a cancelled one, and when every place is taken (the waiting list is
offered; joined, it keeps its order, and a cancellation gives the place to the first one waiting); a second
registration changes nothing. The practical details (link, dial-in, room) are shown to registered participants
only. A moved meeting raises its SEQUENCE and mails its participants the update; a cancelled one mails them the
cancellation. /meetings/{id}.ics is the event alone, read back by Python's icalendar. Reminders a day and an hour
before go once each, also across restarts.
"""

import html
import threading
import time
import unittest

import icalendar

import test_mail
from harness import CALL1_OPEN, SLUG, Server, ServerTestCase, connect

PASSWORD = "a long passphrase for the tests"
JOIN = "https://meet.example/secret-room-1234"


class Registration(ServerTestCase):
    # The clock: 1 February 2021, 10:00 UTC (11:00 in Zurich).

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = cls.server.account_token("office-meet@example.org")
        cls.people = {}

    def meeting(self, **fields):
        body = {"date": "2021-02-10", "title": "Open meeting", "starts": "14:00", "ends": "16:00",
                "join_url": JOIN, "dial_in": "+41 22 000 00 00, code 4242", "room": "Room B-12"}
        body.update(fields)
        r = self.server.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG, body, token=self.office)
        self.assertEqual(r.status, 201, r.text)
        return r.json()

    def person(self, name):
        if name not in self.people:
            self.people[name] = self.server.account_token("%s@example.org" % name, role="stakeholder")
        return self.people[name]

    def register(self, meeting_id, name, body=None):
        return self.server.send_json("POST", "/api/v1/meetings/%d/registrations" % meeting_id, body,
                                     token=self.person(name))

    def state(self, meeting_id, name):
        r = self.server.send_json("GET", "/api/v1/meetings/%d" % meeting_id, token=self.person(name))
        self.assertEqual(r.status, 200, r.text)
        return r.json()["registration"]

    def mails(self, name, subject_start):
        rows = self.server.query("SELECT message FROM outbox WHERE kind = 'meeting' AND recipient = ? ORDER BY id",
                                 ("%s@example.org" % name,))
        return [m for (m,) in rows if ("Subject: " + subject_start) in m]

    def session(self, name):
        self.person(name)
        r = self.server.post_form("/login", {"email": "%s@example.org" % name, "password": PASSWORD, "next": "/"})
        self.assertEqual(r.status, 303, r)
        cookie = [c for c in r.headers.get_all("Set-Cookie") if c.startswith("consulta_session=")][0]
        return cookie.split(";")[0]

    # -- refusals and the waiting list ----------------------------------------

    def test_full_offers_the_waiting_list_in_order_and_a_cancellation_promotes_the_first(self):
        m = self.meeting(capacity=2)
        for name in ("ann", "bob"):
            r = self.register(m["id"], name)
            self.assertEqual((r.status, r.json()["state"]), (201, "registered"), r.text)
        r = self.register(m["id"], "cy")
        self.assertEqual(r.status, 409, r.text)
        self.assertEqual(r.json()["error"]["code"], "meeting_full")
        self.assertTrue(r.json()["error"]["waiting_list"])
        self.assertEqual(self.state(m["id"], "cy")["state"], "cancelled", "a refusal registers nobody")
        r = self.register(m["id"], "cy", {"waiting_list": True})
        self.assertEqual((r.status, r.json()["state"], r.json()["position"]), (201, "waiting", 1), r.text)
        r = self.register(m["id"], "dee", {"waiting_list": True})
        self.assertEqual((r.json()["state"], r.json()["position"]), ("waiting", 2), r.text)
        self.assertEqual(len(self.mails("cy", "On the waiting list")), 1)
        # ann cancels: cy (first waiting) gets the place and is told; dee moves up
        r = self.server.send_json("DELETE", "/api/v1/meetings/%d/registrations" % m["id"], token=self.person("ann"))
        self.assertEqual((r.status, r.json()["state"]), (200, "cancelled"), r.text)
        self.assertEqual(self.state(m["id"], "cy")["state"], "registered")
        self.assertEqual(self.state(m["id"], "dee"), {"state": "waiting", "position": 1, "unchanged": False})
        self.assertEqual(len(self.mails("cy", "A place for you")), 1)
        self.assertEqual(len(self.mails("ann", "Registration cancelled")), 1)
        # someone new does not pass dee, even though... nobody has left again: full
        r = self.register(m["id"], "eve")
        self.assertEqual(r.json()["error"]["code"], "meeting_full")
        body = self.server.get_json("/api/v1/meetings/%d" % m["id"]).json()
        self.assertEqual((body["registered"], body["waiting"]), (2, 1))

    def test_fewer_places_than_people_registered_is_refused_naming_how_many(self):
        m = self.meeting(capacity=5)
        for name in ("cap1", "cap2", "cap3"):
            r = self.register(m["id"], name)
            self.assertEqual((r.status, r.json()["state"]), (201, "registered"), r.text)
        r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], {"capacity": 2}, token=self.office)
        self.assertEqual(r.status, 422, r.text)
        self.assertIn("3 people are registered", r.json()["error"]["fields"]["capacity"])
        body = self.server.get_json("/api/v1/meetings/%d" % m["id"]).json()
        self.assertEqual((body["capacity"], body["registered"]), (5, 3), "nothing changed, nobody lost a place")
        for name in ("cap1", "cap2", "cap3"):
            self.assertEqual(self.state(m["id"], name)["state"], "registered")
        # down to the number registered: allowed, and the meeting is full for newcomers
        r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], {"capacity": 3}, token=self.office)
        self.assertEqual(r.status, 200, r.text)
        r = self.register(m["id"], "cap4")
        self.assertEqual(r.json()["error"]["code"], "meeting_full", r.text)
        # other changes of a meeting holding more people than places stay possible (no capacity sent)
        r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], {"title": "Renamed meeting"},
                                  token=self.office)
        self.assertEqual(r.status, 200, r.text)

    def test_concurrent_registrations_never_pass_the_capacity(self):
        m = self.meeting(capacity=3)
        names = ["rush%d" % i for i in range(12)]
        for n in names:
            self.person(n)
        results = {}

        def go(n):
            results[n] = self.register(m["id"], n)

        threads = [threading.Thread(target=go, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        codes = sorted(r.json().get("state") or r.json()["error"]["code"] for r in results.values())
        self.assertEqual(codes, ["meeting_full"] * 9 + ["registered"] * 3, codes)
        body = self.server.get_json("/api/v1/meetings/%d" % m["id"]).json()
        self.assertEqual((body["registered"], body["waiting"]), (3, 0))

    def test_a_second_registration_changes_nothing(self):
        m = self.meeting()
        first = self.register(m["id"], "fay")
        again = self.register(m["id"], "fay")
        self.assertEqual((first.status, again.status), (201, 200))
        self.assertEqual(again.json(), {"state": "registered", "unchanged": True})
        self.assertEqual(len(self.mails("fay", "Registered: ")), 1, "one confirmation")
        rows = self.server.query("SELECT count(*) FROM meeting_registration WHERE meeting_id = ?", (m["id"],))
        self.assertEqual(rows[0][0], 1)

    def test_closed_registration_is_refused_by_the_api_and_the_form(self):
        m = self.meeting(registration_closes="2021-02-01T09:00:00Z")
        r = self.register(m["id"], "gus")
        self.assertEqual((r.status, r.json()["error"]["code"]), (409, "registration_closed"), r.text)
        cookie = self.session("gus")
        r = self.server.post_form("/meetings/%d/register" % m["id"], {}, headers={"Cookie": cookie})
        self.assertEqual(r.status, 409, r.text)
        self.assertIn("Registration for this meeting has closed.", r.text)
        page = self.server.get("/meetings/%d" % m["id"], headers={"Cookie": cookie}).text
        self.assertNotIn('action="/meetings/%d/register"' % m["id"], page, "no form once closed")

    def test_a_past_meeting_is_refused_in_every_channel(self):
        # the demo's first consultation, 23 April 2020; and one that started an hour ago (10:00 in Zurich)
        past = [1, self.meeting(date="2021-02-01", starts="10:00", ends="12:00")["id"]]
        cookie = self.session("hal")
        for meeting_id in past:
            r = self.register(meeting_id, "hal")
            self.assertEqual((r.status, r.json()["error"]["code"]), (409, "meeting_past"), r.text)
            r = self.server.post_form("/meetings/%d/register" % meeting_id, {"waiting_list": "1"},
                                      headers={"Cookie": cookie})
            self.assertEqual(r.status, 409, r.text)
            self.assertIn("already taken place", r.text)

    def test_a_cancelled_meeting_is_refused_and_its_participants_are_told(self):
        m = self.meeting()
        self.assertEqual(self.register(m["id"], "ida").status, 201)
        r = self.server.send_json("POST", "/api/v1/meetings/%d/cancel" % m["id"], {"reason": "Room lost"},
                                  token=self.office)
        self.assertEqual((r.status, r.json()["cancelled"], r.json()["sequence"]), (200, True, 1), r.text)
        self.assertEqual(len(self.mails("ida", "Cancelled: ")), 1)
        r = self.register(m["id"], "jo")
        self.assertEqual(r.json()["error"]["code"], "meeting_cancelled")

    def test_registering_needs_an_account(self):
        m = self.meeting()
        r = self.server.send_json("POST", "/api/v1/meetings/%d/registrations" % m["id"], {})
        self.assertEqual(r.status, 401)

    def test_documents_link_the_versions_and_letters_of_the_process(self):
        m = self.meeting(documents=[{"version": 2}, {"circular": 2}])
        self.assertEqual([(d["kind"], d["id"], d["url"]) for d in m["documents"]],
                         [("version", 2, "/versions/2"), ("circular", 2, "/letters/2")])
        for d in m["documents"]:  # each link leads to the document itself
            doc = self.server.get(d["url"])
            self.assertEqual(doc.status, 200, d["url"])
            self.assertIn(html.escape(d["title"]).split(":")[0], doc.text)
        page = html.unescape(self.server.get("/meetings/%d" % m["id"]).text)
        self.assertIn('<a href="/versions/2">Draft Guidelines for utilization of the GCA: Revised draft</a>', page)
        self.assertIn("CL-20/55: Second online open consultation", page)
        for bad in ([{"version": 99999}], [{"version": 2}, {"version": 2}], [{"page": 1}], "v2"):
            r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], {"documents": bad}, token=self.office)
            self.assertEqual(r.status, 422, r.text)
            self.assertIn("documents", r.json()["error"]["fields"])
        r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], {"title": "Renamed"}, token=self.office)
        self.assertEqual(len(r.json()["documents"]), 2, "an edit without documents leaves them")
        r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], {"documents": []}, token=self.office)
        self.assertEqual(r.json()["documents"], [])

    # -- what participants see ------------------------------------------------

    def test_practical_details_are_for_registered_participants_only(self):
        m = self.meeting()
        public = self.server.get("/meetings/%d" % m["id"]).text
        self.assertNotIn(JOIN, public)
        self.assertNotIn("B-12", public)
        self.assertIn("log in", public)
        self.assertNotIn("join_url", self.server.get_json("/api/v1/meetings/%d" % m["id"]).json())
        cookie = self.session("kim")
        page = self.server.get("/meetings/%d" % m["id"], headers={"Cookie": cookie}).text
        self.assertNotIn(JOIN, page, "logged in is not registered")
        r = self.server.post_form("/meetings/%d/register" % m["id"], {}, headers={"Cookie": cookie})
        self.assertEqual(r.status, 303, r.text)
        page = html.unescape(self.server.get("/meetings/%d" % m["id"], headers={"Cookie": cookie}).text)
        self.assertIn(JOIN, page)
        self.assertIn("Room B-12", page)
        self.assertIn("+41 22 000 00 00", page)
        self.assertIn("You are registered.", page)
        # the times: the process's zone, UTC, and a <time> for the reader's own
        self.assertIn("10 February 2021, 14:00 Zurich time (UTC+1)", page)
        self.assertIn("2021-02-10, 13:00\u201315:00 UTC", page)
        self.assertIn('<time datetime="2021-02-10T13:00:00Z" data-local data-tz="Europe/Zurich">', page)
        body = self.server.send_json("GET", "/api/v1/meetings/%d" % m["id"], token=self.person("kim")).json()
        self.assertEqual((body["join_url"], body["room"]), (JOIN, "Room B-12"))
        mail = self.mails("kim", "Registered: ")[0]
        self.assertIn(JOIN, mail)
        self.assertIn("Room B-12", mail)
        # the process page links to the meeting and never shows the link itself
        self.assertNotIn(JOIN, self.server.get("/processes/" + SLUG, headers={"Cookie": cookie}).text)

    def test_the_event_alone_reads_in_icalendar_with_the_process_zone(self):
        m = self.meeting(title="Calendar meeting")
        r = self.server.get("/meetings/%d.ics" % m["id"])
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/calendar"))
        cal = icalendar.Calendar.from_ical(r.body)
        self.assertEqual(str(cal["X-WR-TIMEZONE"]), "Europe/Zurich")
        self.assertEqual([str(z["TZID"]) for z in cal.walk("VTIMEZONE")], ["Europe/Zurich"])
        (ev,) = cal.walk("VEVENT")
        self.assertEqual(str(ev["SUMMARY"]), "Calendar meeting")
        self.assertTrue(str(ev["UID"]).startswith("meeting-%d@" % m["id"]))
        self.assertEqual(ev.decoded("DTSTART").isoformat(), "2021-02-10T14:00:00+01:00")
        self.assertNotIn(JOIN, r.text, "the details are not public")
        self.assertEqual(self.server.get("/meetings/99999.ics").status, 404)

    def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence_and_mails_the_update(self):
        m = self.meeting(title="Moving meeting")
        self.assertEqual(self.register(m["id"], "lou").status, 201)
        before = icalendar.Calendar.from_ical(self.server.get("/meetings/%d.ics" % m["id"]).body).walk("VEVENT")[0]
        r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], {"date": "2021-02-12", "starts": "09:30",
                                                                            "ends": "11:00"}, token=self.office)
        self.assertEqual((r.status, r.json()["sequence"], r.json()["date"]), (200, 1, "2021-02-12"), r.text)
        after = icalendar.Calendar.from_ical(self.server.get("/meetings/%d.ics" % m["id"]).body).walk("VEVENT")[0]
        self.assertEqual(str(after["UID"]), str(before["UID"]))
        self.assertGreater(int(after["SEQUENCE"]), int(before["SEQUENCE"]))
        self.assertEqual(after.decoded("DTSTART").isoformat(), "2021-02-12T09:30:00+01:00")
        (update,) = self.mails("lou", "Changed: ")
        self.assertIn("12 February 2021, 09:30", update)
        # the process's calendar carries the same sequence
        cal = icalendar.Calendar.from_ical(self.server.get("/processes/%s/calendar.ics" % SLUG).body)
        ev = [e for e in cal.walk("VEVENT") if str(e["UID"]) == str(before["UID"])][0]
        self.assertEqual(int(ev["SEQUENCE"]), 1)

    def test_a_meeting_is_not_moved_into_the_past_and_a_past_one_is_corrected_without_mail(self):
        m = self.meeting(title="Not into the past")
        self.assertEqual(self.register(m["id"], "pat").status, 201)
        # 10:00 in Zurich today started an hour ago (the clock: 11:00 there)
        for when in ({"date": "2021-01-20"}, {"date": "2021-02-01", "starts": "10:00", "ends": "12:00"}):
            r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % m["id"], when, token=self.office)
            self.assertEqual(r.status, 422, r.text)
            self.assertIn("already passed", r.json()["error"]["fields"]["date"])
        r = self.server.send_json("GET", "/api/v1/meetings/%d" % m["id"], token=self.office)
        self.assertEqual((r.json()["date"], r.json()["sequence"]), ("2021-02-10", 0), "nothing changed")
        self.assertEqual(self.mails("pat", "Changed: "), [])
        # A meeting that is over (its participant registered before it) gets its title corrected for the record:
        # nobody is sent an invitation to a meeting that has taken place.
        past = self.meeting(title="Held yesterday", date="2021-01-31")
        account = self.server.query("SELECT id FROM account WHERE email = ?", ("pat@example.org",))[0][0]
        with connect(self.server.db) as db:
            db.execute("INSERT INTO meeting_registration (meeting_id, account_id, state, position, created_at, "
                       "changed_at) VALUES (?, ?, 'registered', 1, 0, 0)", (past["id"], account))
            db.commit()
        r = self.server.send_json("PATCH", "/api/v1/meetings/%d" % past["id"], {"title": "Held yesterday (minutes)"},
                                  token=self.office)
        self.assertEqual((r.status, r.json()["title"]), (200, "Held yesterday (minutes)"), r.text)
        self.assertEqual(self.mails("pat", "Changed: "), [])

    def test_the_secretariat_lists_participants_by_category_as_a_page_and_csv(self):
        m = self.meeting(capacity=1)
        self.register(m["id"], "max")
        self.register(m["id"], "ned", {"waiting_list": True})
        cookie_office = None
        r = self.server.send_json("GET", "/office/meetings/%d/participants.csv" % m["id"], token=self.office)
        self.assertEqual(r.status, 200, r.text)
        lines = r.text.strip().split("\r\n")
        self.assertEqual(lines[0], "category,name,organization,email,country,state,waiting_position,since")
        self.assertEqual(len(lines), 3)
        self.assertIn('"max@example.org"', lines[1])
        self.assertIn('"registered"', lines[1])
        self.assertIn('"ned@example.org","","waiting","1"', lines[2])
        page = self.server.send_json("GET", "/office/meetings/%d" % m["id"], token=self.office)
        self.assertEqual(page.status, 200)
        self.assertIn("Waiting list", page.text)
        self.assertIsNone(cookie_office)
        self.assertEqual(self.server.send_json("GET", "/office/meetings/%d" % m["id"], token=self.person("max")).status,
                         403)


class OfficeForms(ServerTestCase):
    """The back office's forms go through the same core entries: a new meeting (its mistakes by the field), a
    move (SEQUENCE, the participants mailed), a cancellation only after its confirmation page, the outcome
    once the meeting is over, shown on the process page with the follow-up call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.account_token("office-forms@example.org", password=PASSWORD)

    def office(self, path, fields):
        r = self.server.post_form("/login", {"email": "office-forms@example.org", "password": PASSWORD})
        cookie = [c for c in r.headers.get_all("Set-Cookie") if c.startswith("consulta_session=")][0].split(";")[0]
        return self.server.post_form(path, fields, headers={"Cookie": cookie})

    def test_create_move_cancel_by_the_forms(self):
        fields = {"title": "Form meeting", "date": "2021-02-20", "starts": "10:00", "ends": "09:00",
                  "format": "hybrid", "description": "", "agenda": "1. Opening", "join_url": JOIN, "dial_in": "",
                  "room": "Room 1", "capacity": "10", "registration_closes": ""}
        r = self.office("/office/processes/%s/meetings" % SLUG, fields)
        self.assertEqual(r.status, 422, r.text)
        self.assertIn("The meeting must end after it starts.", r.text)
        self.assertIn('value="Form meeting"', r.text, "what was typed stays")
        fields["ends"] = "12:00"
        r = self.office("/office/processes/%s/meetings" % SLUG, fields)
        self.assertEqual(r.status, 303, r.text)
        mid = int(r.header("Location").split("/")[3].split("?")[0])
        tok = self.server.account_token("form-part@example.org", role="stakeholder")
        self.assertEqual(self.server.send_json("POST", "/api/v1/meetings/%d/registrations" % mid, token=tok).status,
                         201)
        fields["date"] = "2021-02-21"
        fields.update({"documents_shown": "1", "doc-v-1": "1", "doc-c-1": "1"})
        r = self.office("/office/meetings/%d" % mid, fields)
        self.assertEqual(r.status, 303, r.text)
        body = self.server.get_json("/api/v1/meetings/%d" % mid).json()
        self.assertEqual((body["date"], body["sequence"], body["format"], body["capacity"]), ("2021-02-21", 1, "hybrid", 10))
        self.assertEqual([(d["kind"], d["id"]) for d in body["documents"]], [("version", 1), ("circular", 1)])
        self.assertEqual(self.server.query("SELECT count(*) FROM outbox WHERE recipient = 'form-part@example.org' "
                                           "AND message LIKE '%Subject: Changed: Form meeting%'")[0][0], 1)
        r = self.office("/office/meetings/%d/cancel" % mid, {"reason": "No quorum."})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("It cannot be undone.", r.text)
        self.assertFalse(self.server.get_json("/api/v1/meetings/%d" % mid).json()["cancelled"], "not before confirming")
        r = self.office("/office/meetings/%d/cancel" % mid, {"reason": "No quorum.", "confirm": "yes"})
        self.assertEqual(r.status, 303, r.text)
        self.assertTrue(self.server.get_json("/api/v1/meetings/%d" % mid).json()["cancelled"])
        page = self.server.get("/processes/" + SLUG).text
        self.assertIn("Form meeting</a> (hybrid), <strong>cancelled</strong>", page)

    def test_the_outcome_is_published_once_the_meeting_is_over_with_the_follow_up_call(self):
        r = self.office("/office/meetings/2/outcome", {"summary": "Too early.", "outcome": "", "followup_call": ""})
        self.assertEqual(r.status, 409, "the second consultation (1 March 2021) has not happened yet")
        r = self.office("/office/meetings/1/outcome", {"summary": "Forty participants discussed the draft.",
                                                       "outcome": "The draft is revised.", "followup_call": "2"})
        self.assertEqual(r.status, 303, r.text)
        page = html.unescape(self.server.get("/processes/" + SLUG).text)
        self.assertIn("Summary:</strong> Forty participants discussed the draft.", page)
        self.assertIn("Outcome:</strong> The draft is revised.", page)
        self.assertIn('<a href="/calls/2">The call that followed', page)
        r = self.office("/office/meetings/1/outcome", {"summary": "", "outcome": "", "followup_call": "99"})
        self.assertEqual(r.status, 422, r.text)


class InvitationMail(test_mail.MailTestCase):
    """The invitation as a participant's mail program gets it, through a real SMTP server: a text/calendar
    attachment with its method, read by Python's icalendar; the move's update keeps the UID with a higher
    SEQUENCE, the cancellation is METHOD:CANCEL of the same UID."""

    def invitations(self, sink, count, subject):
        out = []
        for _, _, msg, _ in sink.wait(count, to="pat@example.org", subject=subject):
            parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
            self.assertEqual(len(parts), 1, msg)
            out.append((parts[0].get_param("method"), icalendar.Calendar.from_ical(parts[0].get_content()), msg))
        return out

    def test_request_update_and_cancel_of_one_uid(self):
        sink = self.sink()
        s = self.mailing_server(sink)
        office = s.account_token("office-inv@example.org")
        r = s.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                        {"date": "2021-02-10", "title": "Invited meeting", "starts": "14:00", "ends": "16:00",
                         "join_url": JOIN, "room": "Room B-12"}, token=office)
        mid = r.json()["id"]
        pat = s.account_token("pat@example.org", role="stakeholder")
        self.assertEqual(s.send_json("POST", "/api/v1/meetings/%d/registrations" % mid, token=pat).status, 201)
        ((method, cal, msg),) = self.invitations(sink, 1, "Registered: ")
        self.assertEqual((method, str(cal["METHOD"])), ("REQUEST", "REQUEST"))
        self.assertIn(JOIN, msg.get_body(("plain",)).get_content())
        self.assertEqual([str(z["TZID"]) for z in cal.walk("VTIMEZONE")], ["Europe/Zurich"])
        (ev,) = cal.walk("VEVENT")
        uid = str(ev["UID"])
        self.assertTrue(uid.startswith("meeting-%d@" % mid), uid)
        self.assertEqual(int(ev["SEQUENCE"]), 0)
        self.assertEqual(ev.decoded("DTSTART").isoformat(), "2021-02-10T14:00:00+01:00")
        self.assertEqual(str(ev["ATTENDEE"]), "mailto:pat@example.org")
        self.assertIn("Room B-12", str(ev["LOCATION"]))

        r = s.send_json("PATCH", "/api/v1/meetings/%d" % mid, {"starts": "15:00", "ends": "17:00"}, token=office)
        self.assertEqual(r.status, 200, r.text)
        ((method, cal, _),) = self.invitations(sink, 1, "Changed: ")
        (ev,) = cal.walk("VEVENT")
        self.assertEqual((method, str(ev["UID"]), int(ev["SEQUENCE"])), ("REQUEST", uid, 1))
        self.assertEqual(ev.decoded("DTSTART").isoformat(), "2021-02-10T15:00:00+01:00")

        r = s.send_json("POST", "/api/v1/meetings/%d/cancel" % mid, {"reason": "No room"}, token=office)
        self.assertEqual(r.status, 200, r.text)
        ((method, cal, _),) = self.invitations(sink, 1, "Cancelled: ")
        (ev,) = cal.walk("VEVENT")
        self.assertEqual((method, str(cal["METHOD"]), str(ev["UID"]), int(ev["SEQUENCE"]), str(ev["STATUS"])),
                         ("CANCEL", "CANCEL", uid, 2, "CANCELLED"))
        self.assertNotIn(JOIN, str(ev.get("DESCRIPTION", "")))


    def test_each_participant_is_mailed_in_the_language_they_registered_in(self):
        """Issue 14, item 4: the language of the request that registers is kept (meeting_registration.language):
        the confirmation and later the change are in it, with Content-Language, the invitation still parses; a
        participant who asked in no language gets the process's first (English here)."""
        sink = self.sink()
        s = self.mailing_server(sink)
        office = s.account_token("office-lang@example.org")
        r = s.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                        {"date": "2021-02-10", "title": "Meeting in two languages", "starts": "14:00",
                         "ends": "16:00", "join_url": JOIN, "room": "Room B-12"}, token=office)
        mid = r.json()["id"]
        marie = s.account_token("marie-meet@example.org", role="stakeholder")
        ada = s.account_token("ada-meet@example.org", role="stakeholder")
        path = "/api/v1/meetings/%d/registrations" % mid
        self.assertEqual(s.send_json("POST", path, token=marie, headers={"Accept-Language": "fr"}).status, 201)
        self.assertEqual(s.send_json("POST", path, token=ada).status, 201)
        self.assertEqual(s.query("SELECT language FROM meeting_registration WHERE meeting_id = ? ORDER BY id",
                                 (mid,)), [("fr",), ("en",)])
        # The change, asked by the secretariat in English, reaches each in their own language.
        r = s.send_json("PATCH", "/api/v1/meetings/%d" % mid, {"starts": "15:00", "ends": "17:00"}, token=office)
        self.assertEqual(r.status, 200, r.text)
        fr = [m for _, _, m, _ in sink.wait(2, to="marie-meet@example.org")]
        en = [m for _, _, m, _ in sink.wait(2, to="ada-meet@example.org")]
        self.assertEqual([m["Content-Language"] for m in fr], ["fr", "fr"])
        self.assertEqual([m["Content-Language"] for m in en], ["en", "en"])
        self.assertTrue(fr[0]["Subject"].startswith("Inscription enregistr\u00e9e\u00a0: "), fr[0]["Subject"])
        self.assertTrue(fr[1]["Subject"].startswith("Modification\u00a0: "), fr[1]["Subject"])
        self.assertTrue(en[0]["Subject"].startswith("Registered: "), en[0]["Subject"])
        body = fr[0].get_body(("plain",)).get_content()
        for sentence in ("Madame, Monsieur,", "Vous \u00eates inscrit", "Salle\u00a0: Room B-12"):
            self.assertIn(sentence, body)
        self.assertNotIn("You are registered", body)
        for msg in fr:
            (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
            (ev,) = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
            self.assertEqual(str(ev["ATTENDEE"]), "mailto:marie-meet@example.org")


class Reminders(unittest.TestCase):
    """A day and an hour before, once each, whatever restarts come between."""

    def test_each_reminder_once_across_restarts(self):
        # the meeting: 2 February 2021, 12:00-13:00 in Zurich = 11:00 UTC, 25 hours after the clock
        s = Server(CALL1_OPEN)
        try:
            s.start()
            office = s.account_token("office-remind@example.org")
            r = s.send_json("POST", "/api/v1/processes/%s/meetings" % SLUG,
                            {"date": "2021-02-02", "title": "Reminded meeting", "starts": "12:00", "ends": "13:00"},
                            token=office)
            self.assertEqual(r.status, 201, r.text)
            mid = r.json()["id"]
            tok = s.account_token("remind-me@example.org", role="stakeholder")
            self.assertEqual(s.send_json("POST", "/api/v1/meetings/%d/registrations" % mid, token=tok).status, 201)

            def reminders(subject):
                return s.query("SELECT count(*) FROM outbox WHERE recipient = 'remind-me@example.org' "
                               "AND message LIKE ?", ("%Subject: " + subject + "%",))[0][0]

            def restart(now):
                self.assertIsNone(s.stop())
                s.start(now=now)
                # the sender looks for reminders as it starts (then each minute): give its first look time
                s.get("/healthz")
                time.sleep(1.5)

            self.assertEqual(reminders("Tomorrow"), 0, "more than a day before: none yet")
            restart("2021-02-01T11:30:00Z")  # 23.5 hours before
            restart("2021-02-01T11:31:00Z")
            restart("2021-02-01T12:00:00Z")
            self.assertEqual(reminders("Tomorrow"), 1)
            self.assertEqual(reminders("In an hour"), 0)
            restart("2021-02-02T10:15:00Z")  # 45 minutes before
            restart("2021-02-02T10:20:00Z")
            self.assertEqual(reminders("Tomorrow"), 1)
            self.assertEqual(reminders("In an hour"), 1)
            self.assertEqual(s.query("SELECT kind FROM meeting_reminder ORDER BY kind"), [("day",), ("hour",)])
        finally:
            problem = s.stop()
            s.cleanup()
        self.assertIsNone(problem)


if __name__ == "__main__":
    unittest.main()
