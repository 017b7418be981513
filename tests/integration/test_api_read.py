"""The read side of the JSON API: health, processes, the demo process in full, calls."""

import http.client
import json

from harness import CALL1_OPEN, SLUG, ServerTestCase, contribution


class ApiRead(ServerTestCase):
    NOW = CALL1_OPEN

    def process(self):
        r = self.server.get_json("/api/v1/processes/" + SLUG)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_healthz_answers_200_ok(self):
        r = self.server.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        self.assertEqual(r.json(), {"status": "ok"})

    def test_processes_lists_the_demo_process(self):
        r = self.server.get_json("/api/v1/processes")
        self.assertEqual(r.status, 200, r)
        processes = r.json()["processes"]
        slugs = [p["slug"] for p in processes]
        self.assertEqual(slugs, [SLUG])
        p = processes[0]
        self.assertEqual(p["timezone"], "Europe/Zurich")
        self.assertEqual(p["url"], "/api/v1/processes/" + SLUG)
        self.assertIn("GCA", p["title"])

    def test_process_has_timezone_and_categories(self):
        p = self.process()
        self.assertEqual(p["slug"], SLUG)
        self.assertEqual(p["timezone"], "Europe/Zurich")
        cats = {c["slug"]: c["name"] for c in p["categories"]}
        self.assertEqual(set(cats), {"member-states", "sector-members", "associates", "academia", "observers",
                                     "other"})
        self.assertEqual(cats["member-states"], "Member States")

    def test_process_documents_have_dated_versions(self):
        p = self.process()
        self.assertEqual(len(p["documents"]), 1)
        doc = p["documents"][0]
        versions = doc["versions"]
        self.assertEqual([v["date"] for v in versions], ["2020-04-09", "2020-05-05"])
        self.assertEqual([v["label"] for v in versions], ["Draft", "Revised draft"])
        for v in versions:
            self.assertEqual(v["url"], "/versions/%d" % v["id"])
            self.assertGreater(v["paragraphs"], 0)

    def test_process_has_eight_milestones_with_their_fields(self):
        p = self.process()
        ms = p["milestones"]
        self.assertEqual(len(ms), 8)
        for m in ms:
            self.assertEqual(set(m) >= {"id", "date", "end_date", "title", "kind", "history"}, True, m)
            self.assertRegex(m["date"], r"^\d{4}-\d{2}-\d{2}$")
            self.assertIsInstance(m["history"], list)
        dates = [m["date"] for m in ms]
        self.assertEqual(dates, sorted(dates), "the schedule is in date order")
        self.assertEqual(dates[0], "2020-04-09")
        self.assertEqual([m["date"] for m in ms if m["kind"] == "deadline"], ["2021-02-15", "2021-03-10"])

    def test_council_milestone_was_moved_once(self):
        ms = self.process()["milestones"]
        council = [m for m in ms if m["kind"] == "presentation"]
        self.assertEqual(len(council), 1)
        c = council[0]
        self.assertEqual((c["date"], c["end_date"]), ("2021-06-08", "2021-06-18"))
        self.assertIn("Council", c["title"])
        self.assertEqual(len(c["history"]), 1)
        h = c["history"][0]
        self.assertEqual(h["from_label"], "2020 session of the Council")
        self.assertEqual((h["to_date"], h["to_end_date"]), ("2021-06-08", "2021-06-18"))
        self.assertEqual(h["moved_on"], "2020-12-23")
        self.assertTrue(h["reason"])
        # the others have no history and a single day
        for m in ms:
            if m is not c:
                self.assertEqual(m["history"], [], m)
                self.assertIsNone(m["end_date"], m)

    def test_process_lists_both_calls(self):
        calls = self.process()["calls"]
        self.assertEqual([c["id"] for c in calls], [1, 2])
        self.assertEqual([c["closes_on"] for c in calls], ["2021-02-15", "2021-03-10"])
        self.assertEqual([c["state"] for c in calls], ["open", "upcoming"])
        for c in calls:
            self.assertEqual(c["contributions_url"], "/api/v1/calls/%d/contributions" % c["id"])

    def test_process_lists_both_meetings(self):
        meetings = self.process()["meetings"]
        self.assertEqual([m["date"] for m in meetings], ["2020-04-23", "2021-03-01"])
        for m in meetings:
            self.assertEqual(m["format"], "online")
            self.assertTrue(m["title"])

    def test_process_lists_the_circular_letters(self):
        letters = self.process()["circulars"]
        self.assertEqual([c["reference"] for c in letters], ["CL-20/18", "CL-20/55"])
        for c in letters:
            self.assertEqual(len(c["addressees"]), 5, c)
            self.assertNotIn("Other stakeholders", c["addressees"])

    def test_unknown_process_is_a_404_json_error(self):
        for slug in ("no-such-process", "GCA-GUIDELINES", "gca-guidelines-x"):
            with self.subTest(slug=slug):
                r = self.server.get_json("/api/v1/processes/" + slug)
                self.assertErrorShape(r, 404, "not_found", fields={})

    def test_call_1_has_its_instants_timezone_and_state(self):
        r = self.server.get_json("/api/v1/calls/1")
        self.assertEqual(r.status, 200, r)
        c = r.json()
        self.assertEqual(c["id"], 1)
        self.assertEqual(c["process"], SLUG)
        self.assertEqual(c["opens_at"], "2020-12-22T23:00:00Z")  # start of 23 December 2020 in Zurich
        self.assertEqual(c["closes_at"], "2021-02-15T22:59:59Z")  # end of 15 February 2021 in Zurich
        self.assertEqual(c["closes_on"], "2021-02-15")
        self.assertEqual(c["timezone"], "Europe/Zurich")
        self.assertEqual(c["state"], "open")
        self.assertEqual(c["title"], "Written inputs on the revised draft")

    def test_call_2_closes_at_the_end_of_10_march_in_zurich(self):
        c = self.server.get_json("/api/v1/calls/2").json()
        self.assertEqual(c["opens_at"], "2021-02-28T23:00:00Z")
        self.assertEqual(c["closes_at"], "2021-03-10T22:59:59Z")
        self.assertEqual(c["state"], "upcoming")

    def test_unknown_call_is_a_404_json_error(self):
        for path in ("/api/v1/calls/3", "/api/v1/calls/0", "/api/v1/calls/-1", "/api/v1/calls/abc",
                     "/api/v1/calls/99999999999999999999", "/api/v1/calls/3/contributions"):
            with self.subTest(path=path):
                self.assertErrorShape(self.server.get_json(path), 404, "not_found")

    def test_unknown_api_address_is_a_404_json_error(self):
        self.assertErrorShape(self.server.get_json("/api/v1/nothing-here"), 404, "not_found")
        self.assertErrorShape(self.server.get_json("/api/v2/processes"), 404, "not_found")

    def test_api_answers_carry_the_security_headers(self):
        r = self.server.get_json("/api/v1/processes")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.header("Cache-Control"), "no-store")

    def test_one_connection_carries_several_requests(self):
        # Browsers keep connections open: a POST and the GETs after it on the same one.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=20)
        try:
            conn.request("GET", "/healthz")
            self.assertEqual(conn.getresponse().read(), b'{"status":"ok"}\n')
            conn.request("POST", "/api/v1/calls/1/contributions", body=json.dumps(contribution()),
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            self.assertEqual(r.status, 201)
            tracking = json.loads(r.read())["tracking"]
            conn.request("GET", "/api/v1/contributions/" + tracking)
            r = conn.getresponse()
            self.assertEqual((r.status, json.loads(r.read())["tracking"]), (200, tracking))
            conn.request("GET", "/processes/" + SLUG)
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            r.read()
        finally:
            conn.close()
