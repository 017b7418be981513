"""Every route on one thread: the store's statement cache holds them all.

`consulta serve --threads 1` has one SQLite connection, so every statement
the program prepares lands in the same per-connection cache (it was a fixed
array of 96 that abort()ed when full). This test walks the whole table of
`consulta routes` as the secretariat, by session with its CSRF token and by
API token, with a body that does the route's real work (a process, a
milestone, a call, a version, a moderation, an admission, a registration and
its confirmation, a subscription and its confirmation and leave, a reset...),
three times over: each walk uses the links that the one before mailed. No answer
may be a 5xx, and the server must still be alive and answering at the end.

The bodies below are written for the routes known today; a route without one
is still asked, with an empty body (a 4xx is fine: it is the 5xx and the dead
server that this test is about)."""

import email
import email.policy
import json
import re
import sqlite3
import harness
import urllib.parse

from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, run_command
from test_authz import ENDS_SESSION, PASSWORD, is_api, key, name
from test_mail_in import CALL1, mail_in, simple

SECRETARIAT = "secretariat@authz.example"
RESET = "reset@authz.example"  # resets its password (which ends its sessions): not the secretariat's account
LATE_NOW = "2021-02-16T09:00:00Z"  # after call 1's deadline: mail then is late


def tokens_in_outbox(db, path):
    """Every ?token= of a link to path in the outbox's messages, newest first."""
    with harness.connect(db, timeout=10) as conn:
        rows = conn.execute("SELECT message FROM outbox ORDER BY id DESC").fetchall()
    found = []
    for (message,) in rows:
        text = email.message_from_string(message, policy=email.policy.default).get_body(("plain",)).get_content()
        found += re.findall(re.escape(path) + r"\?token=([A-Za-z0-9_-]{43})", text)
    return found


class EveryRouteOneThread(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def setUp(self):
        super().setUp()
        self.s = self.fresh_server(threads=1)
        s = self.s
        p = run_command(["routes"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.routes = json.loads(p.stdout)
        self.token = s.account_token(SECRETARIAT, role="secretariat", password=PASSWORD)
        s.account_token(RESET, role="stakeholder", password=PASSWORD)
        # A contribution to moderate, and one that came late by mail, to admit.
        self.tracking = s.contribute()["tracking"]
        commented = s.contribute(comments=[{"paragraph": "p3", "comment": "Say who reports."}])["tracking"]
        self.comment = s.get_json("/api/v1/contributions/" + commented).json()["comments"][0]["id"]
        code, out, err = mail_in(s.db, simple("late-for-routes@example.org", to=CALL1), LATE_NOW)
        self.assertEqual(code, 0, err)
        self.late = out["tracking"]
        code, out, err = mail_in(s.db, simple("late-for-the-api@example.org", to=CALL1), LATE_NOW)
        self.assertEqual(code, 0, err)
        self.late_api = out["tracking"]
        process = s.get_json("/api/v1/processes/" + SLUG).json()
        self.version = process["documents"][0]["versions"][-1]["id"]
        self.first_version = process["documents"][0]["versions"][0]["id"]
        self.milestone = process["milestones"][0]["id"]
        self.mail_tokens = {}

    # -- what each route is sent -------------------------------------------

    def path(self, route, walk):
        values = {
            ("processes", "slug"): SLUG,
            ("calls", "id"): "1",
            ("versions", "id"): str(self.version),
            ("paragraphs", "pid"): "p3",
            ("versions", "a"): str(self.first_version),
            ("compare", "b"): str(self.version),
            ("documents", "doc"): "guidelines",
            ("milestones", "id"): str(self.milestone),
            ("contributions", "tracking"): self.tracking,
            ("receipts", "tracking"): self.tracking,
            ("static", "name"): "style.css",
            ("pages", "name"): "about",
            ("language", "code"): "fr",
            ("texts", "lang"): "fr",
            ("comments", "id"): str(self.comment),
            ("campaigns", "id"): "1",
            ("letters", "id"): "1",  # CL-20/18, and the draft made by the walk's office POST
            ("circulars", "id"): "2",
            ("circular-drafts", "id"): "1",  # made by the walk's POST of a letter (or 404 before)
            ("reports", "file"): "1.pdf",  # made by the walk's POST of the office's button (or 404 before)
            ("attachments", "n"): "1",
            ("1", "name"): "paper.pdf",
            ("meetings", "id"): "2",
            ("outbox", "id"): "1",  # the walk's first mail (its retry: queued again, or 409 once sent)
        }
        out = []
        for segment in route["pattern"].split("/"):
            if segment.endswith(".{format}"):  # an export's file (api_export.c): one of its formats
                segment = segment[:-len("{format}")] + "xlsx"
            suffix = ""
            if segment.startswith("{") and "}." in segment:  # {id}.ics: a parameter, then a literal
                segment, suffix = segment.split("}", 1)[0] + "}", segment.split("}", 1)[1]
            if segment.startswith("{") and segment.endswith("}"):
                value = values.get((out[-1] if out else "", segment[1:-1]))
                self.assertIsNotNone(value, "%s: give this test a value for %s" % (name(route), segment))
                out.append(urllib.parse.quote(value, safe="") + suffix)
            else:
                out.append(segment)
        path = "/".join(out)
        if route["pattern"].endswith("/admission"):
            path = path.replace(self.tracking, self.late_api if is_api(route["pattern"]) else self.late)
        query = self.query(route, walk)
        return path + ("?" + urllib.parse.urlencode(query) if query else "")

    def query(self, route, walk):
        pattern = route["pattern"]
        for linked in ("/account/confirm", "/account/reset", "/subscriptions/confirm", "/subscriptions/leave"):
            if pattern == linked:
                return {"token": self.mail_tokens.get(linked) or "A" * 43}
        if pattern == "/log/proof/inclusion":
            return {"leaf": "0", "size": "1"}
        if pattern == "/log/proof/consistency":
            return {"first": "1", "second": "1"}
        if pattern == "/api/v1/audit":
            return {"process": SLUG, "limit": "20"}
        if pattern.endswith("/moderation") and route["method"] == "GET":
            return {"state": "published"}
        if pattern in ("/search", "/api/v1/search"):  # a query that finds something (test_search.py)
            return {"q": "reports", "process": SLUG}
        return {}

    def state(self):
        r = self.s.send_json("GET", "/api/v1/contributions/" + self.tracking, token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()["state"]

    def body(self, route, walk):
        """The fields (a form) or the object (the API) that make the route do its work; walk counts from 1."""
        n = "%d" % walk
        bodies = {
            ("POST", "/calls/{id}/contribute"): {"name": "Grace Hopper", "organization": "", "category": "academia",
                                                "country": "US", "email": "grace@example.org",
                                                "text": "Every route, one thread.", "publication": "named"},
            ("POST", "/processes/{slug}/subscribe"): {"email": "sub%s@example.org" % n},
            ("POST", "/subscriptions/leave"): {},
            ("POST", "/login"): {"email": SECRETARIAT, "password": PASSWORD},
            ("POST", "/logout"): {},
            ("POST", "/account/register"): {"name": "Ada Lovelace", "organization": "Analytical Society",
                                            "category": "academia", "country": "GB",
                                            "email": "reg%s@example.org" % n, "password": PASSWORD},
            ("POST", "/account/reset-request"): {"email": RESET},
            ("POST", "/account/reset"): {"password": PASSWORD},
            ("POST", "/account/language"): {"language": "en"},  # English: the walk reads English pages after it
            ("POST", "/office/processes/new"): {"slug": "routes-%s" % n, "title": "Routes " + n,
                                                "summary": "A process.", "timezone": "Europe/Paris",
                                                "languages": "en, fr", "categories": "states: States\nOther"},
            ("POST", "/office/processes/{slug}"): {"title": "GCA guidelines", "summary": "Saved again.",
                                                   "timezone": "Europe/Zurich", "languages": "en",
                                                   "categories": "member-states: Member States\n"
                                                                 "sector-members: Sector Members\n"
                                                                 "associates: Associates\nacademia: Academia\n"
                                                                 "observers: Observers\nother: Other"},
            ("POST", "/office/processes/{slug}/documents"): {"slug": "report-%s" % n, "title": "Report"},
            ("POST", "/office/processes/{slug}/documents/{doc}/versions/new"): {
                "date": "2021-05-07", "label": "Draft " + n, "note": "",
                "markdown": "# Draft\n\nOne paragraph.\n"},
            ("POST", "/office/processes/{slug}/milestones"): {"date": "2021-04-20", "end_date": "",
                                                              "title": "Meeting " + n, "kind": "meeting"},
            ("POST", "/office/milestones/{id}"): {"title": "Renamed " + n, "kind": "other", "status": "planned"},
            ("POST", "/office/processes/{slug}/letters"): {"subject": "Office letter " + n, "for_action": "academia",
                                                           "markdown": "Text.", "schedule_annex": "1"},
            ("POST", "/office/processes/{slug}/letterhead"): {"address": "Place des Nations\nWalk " + n},
            ("POST", "/office/letters/{id}"): {"subject": "Edited office letter " + n, "for_action": "academia"},
            ("POST", "/office/letters/{id}/issue"): {"confirm": "yes"},
            ("POST", "/office/letters/{id}/texts"): {"language": "fr", "subject": "Lettre " + n, "markdown": "Texte."},
            ("POST", "/office/milestones/{id}/move"): {"date": "2021-07-0" + n, "end_date": "",
                                                       "reason": "Moved by the route walk."},
            ("POST", "/office/processes/{slug}/calls"): {"version_id": str(self.version), "title": "Call " + n,
                                                         "description": "More.", "opens_on": "2021-04-01",
                                                         "closes_on": "2021-04-30", "review": "on_receipt"},
            ("POST", "/office/calls/{id}/deadline"): {"closes_on": "2021-03-0" + n, "reason": "Extended."},
            ("POST", "/office/calls/{id}/state"): {"state": "closed" if (walk + 1) // 2 % 2 else "open",
                                                   "reason": "The walk."},
            ("POST", "/office/calls/{id}/review"): {"review": "after_review" if (walk + 1) // 2 % 2 else "on_receipt"},
            ("POST", "/office/contributions/{tracking}/moderation"): {"reason": "Names a person."},
            ("POST", "/office/contributions/{tracking}/admission"): {},
            ("POST", "/office/outbox/{id}/retry"): {},  # the walk's first mail made due again (409 once sent)
            ("POST", "/api/v1/calls/{id}/contributions"): {"name": "Ada Lovelace", "organization": "",
                                                           "category": "academia", "country": "CH",
                                                           "email": "ada@example.org", "text": "By API.",
                                                           "publication": "anonymous"},
            ("POST", "/api/v1/subscriptions"): {"email": "apisub%s@example.org" % n, "process": SLUG},
            ("POST", "/api/v1/processes"): {"slug": "api-routes-%s" % n, "title": "API " + n, "summary": "S.",
                                            "timezone": "UTC", "languages": ["en"],
                                            "categories": [{"slug": "all", "name": "All"}]},
            ("PATCH", "/api/v1/processes/{slug}"): {"summary": "Patched " + n},
            ("POST", "/api/v1/processes/{slug}/documents"): {"slug": "api-report-%s" % n, "title": "Report"},
            ("POST", "/api/v1/processes/{slug}/documents/{doc}/versions"): {
                "markdown": "# API draft\n\nText.\n", "date": "2021-05-08", "label": "API draft " + n},
            ("POST", "/api/v1/processes/{slug}/milestones"): {"date": "2021-04-21", "title": "API meeting " + n,
                                                              "kind": "meeting"},
            ("PATCH", "/api/v1/milestones/{id}"): {"status": "postponed" if walk % 2 else "planned"},
            ("POST", "/api/v1/milestones/{id}/move"): {"date": "2021-08-0" + n, "reason": "API move."},
            ("POST", "/api/v1/processes/{slug}/circulars"): {"subject": "Letter " + n, "markdown": "Text.",
                                                             "addressees": ["academia"], "schedule_annex": True,
                                                             "issue": walk % 2 == 0},
            ("PATCH", "/api/v1/circular-drafts/{id}"): {"subject": "Edited letter " + n},
            ("POST", "/api/v1/circular-drafts/{id}/texts/{lang}"): {"subject": "Lettre " + n, "markdown": "Texte."},
            ("POST", "/api/v1/processes/{slug}/calls"): {"version_id": self.version, "title": "API call " + n,
                                                         "opens_on": "2021-02-01", "closes_on": "2021-02-28",
                                                         "review": "after_review"},
            ("PATCH", "/api/v1/calls/{id}"): {"closes_on": "2021-03-1" + n, "reason": "API extension."},
            ("POST", "/api/v1/contributions/{tracking}/moderation"): {"reason": "API hide."},
            ("POST", "/api/v1/contributions/{tracking}/admission"): {},
            ("POST", "/api/v1/comments/{id}/disposition"): {"decision": "noted", "reason": "Walk " + n},
            ("POST", "/api/v1/calls/{id}/dispositions"): {"select": {"paragraph": "p3"}, "decision": "accepted",
                                                          "reason": "Walk " + n},
            # meetings (page_meeting.c): the demo's second one is registered for, moved, then cancelled
            ("POST", "/api/v1/meetings/{id}/registrations"): {"waiting_list": True},
            ("POST", "/api/v1/processes/{slug}/meetings"): {"date": "2021-04-2" + n, "title": "Walk meeting " + n,
                                                            "starts": "10:00", "ends": "11:00", "capacity": 1,
                                                            "room": "Room " + n},
            ("PATCH", "/api/v1/meetings/{id}"): {"starts": "14:0" + n, "ends": "17:00", "capacity": walk},
            ("POST", "/api/v1/meetings/{id}/cancel"): {"reason": "The walk."} if walk > 4 else {},
            ("POST", "/api/v1/meetings/{id}/outcome"): {"summary": "Walk " + n},
            ("POST", "/office/processes/{slug}/meetings"): {"title": "Form walk " + n, "date": "2021-05-1" + n,
                                                            "starts": "09:00", "ends": "10:00", "format": "physical",
                                                            "room": "Hall " + n, "capacity": "5"},
            ("POST", "/office/meetings/{id}"): {"title": "Second online open consultation", "date": "2021-03-01",
                                                "starts": "14:0" + n, "ends": "17:00", "format": "online",
                                                "join_url": "https://meet.gca-demo.example/second-consultation"},
            ("POST", "/office/meetings/{id}/cancel"): {"reason": "Walk.", "confirm": "yes"} if walk > 5 else {},
            ("POST", "/office/meetings/{id}/outcome"): {"summary": "Walk " + n, "followup_call": "2"},
        }
        fields = dict(bodies.get(key(route), {}))
        if route["pattern"].endswith("/moderation") and route["method"] == "POST":
            fields["action"] = "publish" if self.state() == "hidden" else "hide"
        for linked in ("/account/reset", "/subscriptions/leave"):
            if route["pattern"] == linked and route["method"] == "POST" and self.mail_tokens.get(linked):
                fields["token"] = self.mail_tokens[linked]
        return fields

    def ask(self, route, walk, by):
        method, api = route["method"], is_api(route["pattern"])
        headers, cookies, body = {}, ["consulta_csrf=" + CSRF_TOKEN], None
        if by == "session":
            # A reset ends the session it is sent with, as logging in and out do.
            ends = ENDS_SESSION | {("POST", "/account/reset")}
            session = self.login() if key(route) in ends else self.session
            cookies.append("consulta_session=" + session)
        else:
            headers["Authorization"] = "Bearer " + self.token
        fields = self.body(route, walk)
        # The token our pages give: the server key's HMAC of the session (or of the visitor id).
        csrf = self.s.csrf_token(session if by == "session" else None)
        if method != "GET":
            if api:
                headers["Content-Type"] = "application/json"
                body = json.dumps(fields).encode("utf-8")
                if by == "session":
                    headers["X-CSRF-Token"] = csrf
            else:
                fields["csrf"] = csrf
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                body = urllib.parse.urlencode(fields).encode("utf-8")
        headers["Cookie"] = "; ".join(cookies)
        return self.s.request(method, self.path(route, walk), body=body, headers=headers)

    def login(self):
        return super().login(self.s, SECRETARIAT, next_path=None)

    # -- the walk ------------------------------------------------------------

    def test_every_route_as_the_secretariat_on_one_thread(self):
        s = self.s
        answers = {}
        walk = 0
        for _ in range(3):
            for by in ("session", "token"):
                walk += 1
                self.session = self.login()
                for route in self.routes:
                    if by == "token" and not is_api(route["pattern"]):
                        continue  # the pages are a browser's: a bearer token is the API's
                    with self.subTest(walk=walk, by=by, route=name(route)):
                        self.assertTrue(s.alive(), "the server died before %s" % name(route))
                        r = self.ask(route, walk, by)
                        answers.setdefault(name(route), []).append(r.status)
                        self.assertLess(r.status, 500, "%s (%s, walk %d): %r" % (name(route), by, walk, r))
                        self.assertNotIn(r.status, (401, 403), "%s refused the secretariat: %r" % (name(route), r))
                # The links this walk mailed (confirmation, reset, leave), for the next.
                for linked in ("/account/confirm", "/account/reset", "/subscriptions/confirm", "/subscriptions/leave"):
                    found = tokens_in_outbox(s.db, linked)
                    if found:
                        self.mail_tokens[linked] = found[0]
        self.assertTrue(s.alive(), "the server died during the walk")
        self.assertEqual(s.get("/healthz").status, 200)
        self.assertEqual(s.get("/processes/" + SLUG).status, 200)
        # Most routes did their work, not only refused the body: a walk of 4xx would prepare little.
        ok = [n for n, statuses in answers.items() if any(x < 400 for x in statuses)]
        self.assertGreater(len(ok), len(answers) * 3 // 4, "too few routes succeeded: %s" %
                           sorted((n, st) for n, st in answers.items() if n not in ok))
