"""
Meetings have a time and a way to join (issue 10, item 9; issue 13, item 2): the process page and the API
give each meeting's date with its hours in the process's time zone; the link to join is for the meeting's
registered participants (those who registered for it, on its page: tests/integration/
test_meeting_registration.py) and the secretariat, never for the public nor for someone merely logged in;
the process page links each meeting still to come to its page to register; a past one has no such link.
"""

import html
import unittest

from harness import SLUG, ServerTestCase

JOIN_FIRST = "https://meet.gca-demo.example/first-consultation"
JOIN_SECOND = "https://meet.gca-demo.example/second-consultation"
PASSWORD = "a long passphrase for the tests"


class Meetings(ServerTestCase):
    # CALL1_OPEN (1 February 2021): the first consultation (23 April 2020) is past, the second
    # (1 March 2021) to come.

    def meetings_section(self, headers=None):
        r = self.server.get("/processes/" + SLUG, headers=headers)
        self.assertEqual(r.status, 200)
        start = r.text.index('<section aria-labelledby="meetings">')
        return r.text[start:r.text.index("</section>", start)]

    def session_cookie(self):
        self.server.account_token("reader@example.org", role="stakeholder", password=PASSWORD)
        r = self.server.post_form("/login", {"email": "reader@example.org", "password": PASSWORD, "next": "/"})
        self.assertEqual(r.status, 303, r)
        cookie = [c for c in r.headers.get_all("Set-Cookie") if c.startswith("consulta_session=")][0]
        return cookie.split(";")[0]

    def test_each_meeting_has_its_hours_in_the_process_zone(self):
        section = html.unescape(self.meetings_section())
        self.assertIn("23 April 2020, 13:00\u201316:00 Zurich time", section)
        self.assertIn("1 March 2021, 14:00\u201317:00 Zurich time", section)
        body = self.server.get_json("/api/v1/processes/" + SLUG).json()
        self.assertEqual([(m["date"], m["starts"], m["ends"]) for m in body["meetings"]],
                         [("2020-04-23", "13:00", "16:00"), ("2021-03-01", "14:00", "17:00")])

    def test_the_public_is_told_where_to_register_but_never_shown_the_link(self):
        section = self.meetings_section()
        self.assertNotIn("meet.gca-demo.example", self.server.get("/processes/" + SLUG).text)
        self.assertEqual(section.count('href="/meetings/2#registration">Register'), 1, section)
        self.assertNotIn('href="/meetings/1#registration"', section, "a past meeting has no way to register")
        body = self.server.get_json("/api/v1/processes/" + SLUG).json()
        self.assertTrue(all("join_url" not in m for m in body["meetings"]), body["meetings"])
        self.assertEqual([m["url"] for m in body["meetings"]], ["/meetings/1", "/meetings/2"])

    def test_someone_logged_in_but_not_registered_is_not_shown_the_link(self):
        cookie = self.session_cookie()
        section = self.meetings_section(headers={"Cookie": cookie})
        self.assertNotIn(JOIN_SECOND, section)
        self.assertNotIn(JOIN_SECOND, self.server.get("/meetings/2", headers={"Cookie": cookie}).text)
        token = self.server.account_token("api-reader@example.org", role="stakeholder")
        r = self.server.send_json("GET", "/api/v1/processes/" + SLUG, token=token)
        self.assertTrue(all("join_url" not in m for m in r.json()["meetings"]))
        office = self.server.account_token("api-office@example.org")
        r = self.server.send_json("GET", "/api/v1/processes/" + SLUG, token=office)
        self.assertEqual([m["join_url"] for m in r.json()["meetings"]], [JOIN_FIRST, JOIN_SECOND])


if __name__ == "__main__":
    unittest.main()
