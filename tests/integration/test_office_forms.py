"""
No office form is lost or doubled (session nine). Every office form that changes something comes back filled in,
to send again, when its CSRF token failed (not only the contribution's and the letters', which have their own
pages), and nothing is done; a form whose session had ended is kept by the login page for the account it was
served to, shown again after logging in and never sent by itself, and given to no other account; a create form
sent twice (its one-time field "once") creates one thing, and the second send is answered with the first's page.
"""

import html.parser
import re
import threading
import urllib.parse

from harness import CSRF_TOKEN, SLUG, ServerTestCase, contribution

SECRETARY = "forms-secretary@example.org"
OTHER = "forms-other@example.org"
PASSWORD = "a long passphrase for the tests"
NEW_MEETING = "/office/processes/%s/meetings/new" % SLUG
MEETINGS = "/office/processes/%s/meetings" % SLUG
DISPOSITIONS = "/office/calls/1/dispositions"
LONG_REASON = ("The secretariat read this comment with care. " * 40).strip() + "\nSecond paragraph: \u00e9t\u00e9 & <b>."


class Forms(html.parser.HTMLParser):
    """The fields of each form of a page, as a browser would send them: {action: [(name, value), ...]}."""

    def __init__(self, page):
        super().__init__()
        self.forms, self.action, self.textarea = {}, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
            self.forms.setdefault(self.action, [])
        elif tag == "input" and self.action is not None and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[self.action].append((a["name"], a.get("value", "")))
        elif tag == "textarea" and self.action is not None:
            self.textarea = [a["name"], ""]
        elif tag == "select" and self.action is not None:
            self.forms[self.action].append((a["name"], ""))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.forms[self.action].append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.action = None


def fields_of(page, action):
    forms = Forms(page).forms
    assert action in forms, "no form to %s in the page: %s" % (action, list(forms))
    return forms[action]


def with_values(fields, **values):
    """fields with the values given (a choice not made on the page added; the rest as the page had them)."""
    have = {n for n, _ in fields}
    return [(n, values.get(n, v)) for n, v in fields] + [(n, v) for n, v in values.items() if n not in have]


class OfficeForms(ServerTestCase):
    SHARED = False

    def login(self, s, email=SECRETARY, fields=None):
        """Logs in through the login form (fields: the login page's own, a kept form among them); the answer."""
        body = dict(fields or [("csrf", s.csrf_token())]) if fields is None else fields
        if isinstance(body, dict):
            body = list(body.items())
        body = [(n, v) for n, v in body if n not in ("email", "password")]
        body += [("email", email), ("password", PASSWORD)]
        return self.post(s, None, "/login", body)

    def session_of(self, r):
        for name, value in r.headers.items():
            if name.lower() == "set-cookie" and value.startswith("consulta_session="):
                return value.split(";")[0].split("=", 1)[1]
        self.fail("no session cookie after logging in: %s" % r)

    def cookies(self, session):
        return "consulta_csrf=%s" % CSRF_TOKEN + ("; consulta_session=%s" % session if session else "")

    def get(self, s, session, path):
        r = s.get(path, headers={"Cookie": self.cookies(session)})
        self.assertEqual(r.status, 200, r)
        return r.text

    def post(self, s, session, path, fields):
        return s.request("POST", path, body=urllib.parse.urlencode(fields).encode("utf-8"),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Cookie": self.cookies(session)})

    def start(self):
        s = self.fresh_server()
        self.token = s.account_token(SECRETARY, password=PASSWORD)
        s.account_token(OTHER, password=PASSWORD)
        r = self.login(s)
        self.assertEqual(r.status, 303, r)
        return s, self.session_of(r)

    def meetings(self, s):
        return s.query("SELECT count(*) FROM meeting")[0][0]

    def meeting_form(self, s, session, agenda):
        fields = fields_of(self.get(s, session, NEW_MEETING), MEETINGS)
        return with_values(fields, title="Forms meeting", date="2021-02-20", starts="10:00", ends="12:00",
                           format="online", join_url="https://meet.example/forms-1234", agenda=agenda,
                           capacity="", registration_closes="")

    def test_meeting_create_with_a_stale_token_comes_back_filled_and_makes_one_meeting(self):
        s, session = self.start()
        before = self.meetings(s)
        agenda = "1. Opening\n2. The long item the secretary typed & checked <carefully>"
        fields = with_values(self.meeting_form(s, session, agenda), csrf="expired-" + "x" * 35)
        r = self.post(s, session, MEETINGS, fields)
        self.assertEqual(r.status, 403, r)
        self.assertIn("This form had expired or did not come from this site; nothing was done.", r.text)
        self.assertEqual(self.meetings(s), before, "nothing is done with a failed token")
        again = dict(fields_of(r.text, MEETINGS))
        self.assertEqual(again["agenda"], agenda, "what was typed comes back, to send again")
        self.assertEqual(again["title"], "Forms meeting")
        self.assertEqual(again["csrf"], s.csrf_token(session), "with a fresh token")
        r = self.post(s, session, MEETINGS, list(again.items()))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.meetings(s), before + 1)

    def test_other_office_forms_come_back_filled_with_a_failed_token(self):
        s, session = self.start()
        r = self.post(s, session, "/office/processes/%s/milestones" % SLUG,
                      {"csrf": "forged", "title": "A milestone typed at length", "kind": "meeting"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("A milestone typed at length", r.text)
        self.assertIn("nothing was done", r.text)
        # and a visitor's forged form is still a bare refusal: nothing of it is shown to whoever is not staff
        r = s.post_form(MEETINGS, {"title": "Forged"}, csrf="forged")
        self.assertEqual(r.status, 401, r)
        self.assertNotIn("Forged", r.text)

    def test_a_resent_create_form_makes_one(self):
        s, session = self.start()
        before = self.meetings(s)
        fields = self.meeting_form(s, session, "1. Opening")
        first = self.post(s, session, MEETINGS, fields)
        self.assertEqual(first.status, 303, first)
        second = self.post(s, session, MEETINGS, fields)
        self.assertEqual(second.status, 303, second)
        self.assertEqual(second.header("Location"), first.header("Location"), "the second send shows the first")
        self.assertEqual(self.meetings(s), before + 1, "a double click makes one meeting")
        # the same form corrected after going back (other content, same key) is another meeting
        third = self.post(s, session, MEETINGS, with_values(fields, title="Forms meeting, corrected"))
        self.assertEqual(third.status, 303, third)
        self.assertNotEqual(third.header("Location"), first.header("Location"))
        self.assertEqual(self.meetings(s), before + 2)
        # a form that came back with mistakes leaves its key free: corrected, it is made
        bad = with_values(self.meeting_form(s, session, "x"), ends="09:00")
        self.assertEqual(self.post(s, session, MEETINGS, bad).status, 422)
        self.assertEqual(self.post(s, session, MEETINGS, with_values(bad, ends="12:00")).status, 303)
        self.assertEqual(self.meetings(s), before + 3)

    def test_a_double_click_makes_one_and_both_answers_lead_to_it(self):
        s, session = self.start()
        before = self.meetings(s)
        fields = self.meeting_form(s, session, "1. Opening")
        answers = []
        clicks = [threading.Thread(target=lambda: answers.append(self.post(s, session, MEETINGS, fields)))
                  for _ in range(3)]
        for t in clicks:
            t.start()
        for t in clicks:
            t.join()
        self.assertEqual([a.status for a in answers], [303] * 3, answers)
        self.assertEqual(len({a.header("Location") for a in answers}), 1, "all lead to the one meeting")
        self.assertEqual(self.meetings(s), before + 1)

    def comment(self, s):
        r = s.post_json("/api/v1/calls/1/contributions",
                        contribution(comments=[{"paragraph": "p3", "comment": "Say who reports."}]))
        self.assertEqual(r.status, 201, r)
        return s.send_json("GET", "/api/v1/contributions/" + r.json()["tracking"], token=self.token).json()["comments"][0]["id"]

    def expired_dispositions_form(self, s, session, cid):
        """The form that answers comment cid, filled in with a long reason; then the session ends."""
        page = self.get(s, session, DISPOSITIONS)
        mine = [fields_of("<form" + chunk.split("</form>")[0] + "</form>", DISPOSITIONS)
                for chunk in page.split("<form")[1:] if 'name="comment" value="%d"' % cid in chunk]
        self.assertEqual(len(mine), 1, "the comment's own form")
        fields = with_values(mine[0], decision="accepted", reason=LONG_REASON)
        s.query("DELETE FROM session")  # the session ends (expired, or ended on the server)
        return fields

    def test_an_expired_session_keeps_a_long_disposition_text_for_its_account_and_sends_nothing(self):
        s, session = self.start()
        cid = self.comment(s)
        fields = self.expired_dispositions_form(s, session, cid)
        r = self.post(s, session, DISPOSITIONS, fields)
        self.assertEqual(r.status, 401, r)
        self.assertIn("Your session had ended", r.text)
        login = fields_of(r.text, "/login")
        self.assertIn(("d:reason", LONG_REASON), login, "the text is kept in the login page")
        # A wrong password keeps it too.
        wrong = self.post(s, None, "/login", [(n, v) for n, v in login if n not in ("email", "password")]
                          + [("email", SECRETARY), ("password", "not the password at all")])
        self.assertEqual(wrong.status, 401, wrong)
        login = fields_of(wrong.text, "/login")
        self.assertIn(("d:reason", LONG_REASON), login)
        r = self.login(s, SECRETARY, login)
        self.assertEqual(r.status, 200, r)
        self.assertIn("You are logged in again.", r.text)
        again = fields_of(r.text, DISPOSITIONS)
        self.assertIn(("reason", LONG_REASON), again, "shown filled in")
        self.assertEqual(s.query("SELECT count(*) FROM disposition_history")[0][0], 0, "and not sent by itself")
        new_session = self.session_of(r)
        r = self.post(s, new_session, DISPOSITIONS, again)
        self.assertEqual(r.status, 303, re.findall(r'class="error-summary".*?</div>', r.text, re.S))
        self.assertEqual(s.query("SELECT reason FROM disposition WHERE comment_id = ?", (cid,))[0][0], LONG_REASON)

    def test_a_kept_form_goes_to_no_other_account(self):
        s, session = self.start()
        cid = self.comment(s)
        fields = self.expired_dispositions_form(s, session, cid)
        r = self.post(s, session, DISPOSITIONS, fields)
        self.assertEqual(r.status, 401, r)
        r = self.login(s, OTHER, fields_of(r.text, "/login"))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/office")
        # nor does a form with a forged signature get kept at all
        forged = with_values(fields, served_to="1.forged")
        r = self.post(s, None, DISPOSITIONS, forged)
        self.assertEqual(r.status, 401, r)
        self.assertNotIn(LONG_REASON[:40], r.text)
