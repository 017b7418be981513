"""Authorization: the matrix of every route against every kind of asker.

The routes are not listed here: `consulta routes` prints the table of
src/web/routes.c, the one the server matches against, and this test walks
it. Each route is asked, with a harmless body, by the public (no
credentials), a stakeholder and the secretariat each by session cookie and by
API token; the answer must be ALLOWED (past authorization: anything but 401,
403 or a redirect to /login; a 400, 404, 409 or 422 from the handler is
fine) or DENIED exactly as the route's role says (401 for the API or a page
POST without credentials, 303 to /login?next= for a page GET without them,
403 for the wrong role). Then the CSRF rules: every page POST without the
form's token, and every API change made with a session cookie without
X-CSRF-Token, is 403.

The table can be wrong, too, and then the matrix agrees with it: so the
public routes and the stakeholder routes are also written down below
(EXPECTED_PUBLIC, EXPECTED_STAKEHOLDER; every other route must be the
secretariat's). A route made public, or a secretariat route given to
stakeholders, fails here until someone writes it down on purpose.

A route with a {parameter} this test does not know how to fill fails the
test, so a new route cannot go untested."""

import json
import urllib.parse

from harness import CALL1_OPEN, CSRF_TOKEN, SLUG, ServerTestCase, cookie_value, run_command

PASSWORD = "a long passphrase for the tests"

RANK = {"public": 0, "stakeholder": 1, "secretariat": 2}

# What anyone may do without an account: the whole exposure of the site. A change here is a decision.
EXPECTED_PUBLIC_READS = {
    ("GET", "/"),
    ("GET", "/about"),
    ("GET", "/privacy"),
    ("GET", "/language/{code}"),  # the language switcher: sets its cookie, goes back (test_i18n.py)
    ("GET", "/processes/{slug}"),
    ("GET", "/processes/{slug}/report"),  # the report to the governing body: public material only (test_report.py)
    ("GET", "/processes/{slug}/reports/{file}"),  # a kept PDF of it, as kept
    ("GET", "/versions/{id}"),
    ("GET", "/letters"),  # the archive of issued letters, and its feed
    ("GET", "/letters.atom"),
    ("GET", "/letters/{id}"),  # an issued circular letter: issued letters are public (drafts are not)
    ("GET", "/letters/{id}/letter.pdf"),  # its PDF
    ("GET", "/versions/{id}/paragraphs/{pid}"),
    ("GET", "/versions/{a}/compare/{b}"),
    ("GET", "/versions/{id}/you-said-we-did"),  # published answers only; ?preview=1 for the secretariat
    ("GET", "/calls/{id}"),
    ("GET", "/calls/{id}/contribute"),
    ("GET", "/calls/{id}/contributions"),
    ("GET", "/calls/{id}/matrix"),
    ("GET", "/calls/{id}/matrix.csv"),
    ("GET", "/calls/{id}/matrix.xlsx"),
    ("GET", "/receipts/{tracking}"),
    ("GET", "/receipts/{tracking}/receipt.json"),  # the receipt file with its proof (page_ledger.c)
    ("GET", "/log/checkpoint"),  # the tamper-evident record: public by design (core/ledger.h)
    ("GET", "/log/key"),
    ("GET", "/log/proof/inclusion"),
    ("GET", "/log/proof/consistency"),
    ("GET", "/contributions/{tracking}"),
    ("GET", "/contributions/{tracking}/attachments/{n}/{name}"),  # published, clean files only
    ("GET", "/static/{name}"),
    ("GET", "/processes/{slug}/feed.atom"),  # feeds: published, public material only (test_feeds.py)
    ("GET", "/processes/{slug}/contributions.atom"),
    ("GET", "/processes/{slug}/calendar.ics"),
    ("GET", "/calls/{id}/feed.atom"),
    ("GET", "/subscriptions/confirm"),
    ("GET", "/subscriptions/leave"),
    ("GET", "/login"),
    ("GET", "/account/register"),
    ("GET", "/account/confirm"),
    ("GET", "/account/reset-request"),
    ("GET", "/account/reset"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/processes"),
    ("GET", "/api/v1/processes/{slug}"),
    ("GET", "/api/v1/circulars/{id}"),
    ("GET", "/api/v1/calls/{id}"),
    ("GET", "/api/v1/versions/{a}/compare/{b}"),
    ("GET", "/api/v1/calls/{id}/contributions"),
    ("GET", "/api/v1/calls/{id}/campaigns"),
    ("GET", "/api/v1/campaigns/{id}/contributions"),
    ("GET", "/api/v1/contributions/{tracking}"),
    ("GET", "/api/v1/versions/{id}"),  # a draft answers 404 to the public (test_versions.py)
    ("GET", "/api/v1/versions/{id}/outcome"),  # published answers only (test_outcome.py)
    ("GET", "/api/v1/versions/{id}/texts/{lang}"),  # a published version's text in a language (test_languages.py)
    # statistics: counts of published contributions, private ones never named (test_statistics.py)
    ("GET", "/calls/{id}/statistics"),
    ("GET", "/processes/{slug}/statistics"),
    ("GET", "/api/v1/calls/{id}/statistics"),
    ("GET", "/api/v1/processes/{slug}/statistics"),
    # open data: published records only, as the public pages show them (test_open_data.py)
    ("GET", "/data"),
    ("GET", "/api/v1/dictionary"),
    # search: public text only, private and hidden never (test_search.py)
    ("GET", "/search"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/calls/{id}/contributions.{format}"),
    ("GET", "/api/v1/calls/{id}/comments.{format}"),
    ("GET", "/api/v1/calls/{id}/attachments.{format}"),
    ("GET", "/api/v1/processes/{slug}/contributions.{format}"),
    ("GET", "/api/v1/processes/{slug}/comments.{format}"),
    ("GET", "/api/v1/processes/{slug}/attachments.{format}"),
    ("GET", "/api/v1/processes/{slug}/versions.{format}"),
    ("GET", "/api/v1/processes/{slug}/paragraphs.{format}"),
    ("GET", "/api/v1/processes/{slug}/schedule.{format}"),
    ("GET", "/api/v1/processes/{slug}/schedule-history.{format}"),
    ("GET", "/api/v1/processes/{slug}/letters.{format}"),
    ("GET", "/api/v1/processes/{slug}/letter-addressees.{format}"),
    ("GET", "/api/v1/processes/{slug}/calls.{format}"),
    ("GET", "/api/v1/processes/{slug}/deadline-changes.{format}"),
    ("GET", "/api/v1/processes/{slug}/meetings.{format}"),
    ("GET", "/api/v1/calls/{id}/deadline-changes.{format}"),
    # a meeting: its practical details only for its registered participants (test_meeting_registration.py)
    ("GET", "/meetings/{id}"),
    ("GET", "/meetings/{id}.ics"),
    ("GET", "/api/v1/meetings/{id}"),
}
EXPECTED_PUBLIC_WRITES = {
    ("POST", "/calls/{id}/contribute"),
    ("POST", "/api/v1/calls/{id}/contributions"),
    ("POST", "/processes/{slug}/subscribe"),
    ("POST", "/api/v1/subscriptions"),
    ("POST", "/subscriptions/leave"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/account/register"),
    ("POST", "/account/reset-request"),
    ("POST", "/account/reset"),
    ("POST", "/receipts/{tracking}/mail"),  # to the contribution's own address only, limited (core/receipt.h)
}
EXPECTED_PUBLIC = EXPECTED_PUBLIC_READS | EXPECTED_PUBLIC_WRITES
# Anyone logged in; every route neither public nor here is the secretariat's.
EXPECTED_STAKEHOLDER = {
    ("GET", "/account"),
    ("POST", "/account/language"),  # the asker's own account's language only
    # registering for a meeting, and cancelling: one's own registration only (core/meeting.h)
    ("POST", "/meetings/{id}/register"),
    ("POST", "/meetings/{id}/unregister"),
    ("POST", "/api/v1/meetings/{id}/registrations"),
    ("DELETE", "/api/v1/meetings/{id}/registrations"),
}
# Changes that take no CSRF token because their URL carries a secret of its own (RFC 8058 one-click leave).
EXPECTED_NO_CSRF = {
    ("POST", "/subscriptions/leave"),
}
# Changes that end the session they are sent with: asked with a session of their own.
ENDS_SESSION = {("POST", "/login"), ("POST", "/logout")}


def is_api(pattern):
    return pattern.startswith("/api/") or pattern == "/healthz"


def key(route):
    return (route["method"], route["pattern"])


def name(route):
    return "%s %s" % key(route)


class Asker:
    """Who asks: a role, and how it proves it ("session", "token", or None for the public)."""

    def __init__(self, label, role, by=None, email=None, secret=None):
        self.label, self.role, self.by, self.email, self.secret = label, role, by, email, secret


class Authorization(ServerTestCase):
    NOW = CALL1_OPEN

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        p = run_command(["routes"])
        if p.returncode != 0:
            raise AssertionError("consulta routes failed (%d): %s" % (p.returncode, p.stderr))
        cls.routes = json.loads(p.stdout)
        # Values from the demo, by the literal segment before the parameter and its name.
        process = s.get_json("/api/v1/processes/" + SLUG).json()
        cls.tracking = s.contribute()["tracking"]
        # A comment, for the routes of its answer (disposition).
        commented = s.contribute(comments=[{"paragraph": "p3", "comment": "Say who reports."}])["tracking"]
        comment = s.get_json("/api/v1/contributions/" + commented).json()["comments"][0]["id"]
        cls.values = {
            ("comments", "id"): str(comment),
            ("letters", "id"): "2",
            ("circulars", "id"): "2",
            ("circular-drafts", "id"): "1",  # none: 404 past authorization
            ("campaigns", "id"): "1",
            ("processes", "slug"): SLUG,
            ("calls", "id"): "1",
            ("versions", "id"): "2",
            ("paragraphs", "pid"): "p3",
            ("versions", "a"): "1",
            ("compare", "b"): "2",
            ("documents", "doc"): "guidelines",
            ("milestones", "id"): str(process["milestones"][0]["id"]),
            ("contributions", "tracking"): cls.tracking,
            ("receipts", "tracking"): cls.tracking,
            ("static", "name"): "style.css",
            ("pages", "name"): "about",
            ("language", "code"): "fr",
            ("texts", "lang"): "fr",
            ("reports", "file"): "1.pdf",
            ("attachments", "n"): "1",  # the contribution has no file: 404 to everyone, as a missing one is
            ("1", "name"): "paper.pdf",
            ("meetings", "id"): "2",
            ("outbox", "id"): "1",  # a mail of the office's outbox (404 if none yet: still past authorization)
        }
        cls.tokens = {}
        for role in ("stakeholder", "secretariat"):
            cls.tokens[role] = s.account_token("%s@authz.example" % role, role=role, password=PASSWORD)
        s.account_token("probe@authz.example", role="stakeholder", password=PASSWORD)  # what POST /login sends

    # -- helpers -----------------------------------------------------------

    def login(self, role):
        """A new session of the role's account: its cookie value."""
        return super().login(self.server, "%s@authz.example" % role, next_path=None)

    def askers(self):
        return [
            Asker("public", "public"),
            Asker("stakeholder by session", "stakeholder", "session", secret=self.login("stakeholder")),
            Asker("stakeholder by token", "stakeholder", "token", secret=self.tokens["stakeholder"]),
            Asker("secretariat by session", "secretariat", "session", secret=self.login("secretariat")),
            Asker("secretariat by token", "secretariat", "token", secret=self.tokens["secretariat"]),
        ]

    def path(self, route):
        """The route's pattern with each {parameter} filled from the demo; fails on one it does not know."""
        out = []
        for segment in route["pattern"].split("/"):
            if segment.endswith(".{format}"):  # an export's file (api_export.c): one of its formats
                segment = segment[:-len("{format}")] + "csv"
            suffix = ""
            if segment.startswith("{") and "}." in segment:  # {id}.ics: a parameter, then a literal
                segment, suffix = segment.split("}", 1)[0] + "}", segment.split("}", 1)[1]
            if segment.startswith("{") and segment.endswith("}"):
                param = segment[1:-1]
                before = out[-1] if out else ""
                value = self.values.get((before, param))
                if value is None:
                    self.fail("%s: the authorization matrix must learn a real value for {%s} after /%s/ "
                              "(add it to values in tests/integration/test_authz.py)" % (name(route), param, before))
                out.append(urllib.parse.quote(value, safe="") + suffix)
            else:
                out.append(segment)
        return "/".join(out)

    def ask(self, route, asker, csrf=True, session=None):
        """Sends the route a harmless request as asker would: a browser sends its CSRF token with a form and
        (by session) in X-CSRF-Token; csrf=False leaves the token out (the cookie stays)."""
        method, api = route["method"], is_api(route["pattern"])
        headers, cookies, body = {}, ["consulta_csrf=" + CSRF_TOKEN], None
        token = self.server.csrf_token(session or asker.secret if asker.by == "session" else None)
        if asker.by == "session":
            cookies.append("consulta_session=" + (session or asker.secret))
        elif asker.by == "token":
            headers["Authorization"] = "Bearer " + asker.secret
        if method != "GET":
            if api:
                headers["Content-Type"] = "application/json"
                body = b"{}"
                if csrf and asker.by == "session":
                    headers["X-CSRF-Token"] = token
            else:
                fields = {}
                if key(route) == ("POST", "/login"):
                    fields = {"email": "probe@authz.example", "password": PASSWORD}
                if csrf:
                    fields["csrf"] = token
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                body = urllib.parse.urlencode(fields).encode("ascii")
        headers["Cookie"] = "; ".join(cookies)
        return self.server.request(method, self.path(route), body=body, headers=headers)

    def assertAllowed(self, r):
        self.assertNotIn(r.status, (401, 403), "refused, but the role allows it: %r" % r)
        location = r.header("Location") or ""
        self.assertFalse(r.status in (301, 302, 303, 307, 308) and location.startswith("/login"),
                         "sent to log in, but the role allows it: %r -> %s" % (r, location))
        self.assertLess(r.status, 500, "a harmless request must not fail the server: %r" % r)

    def assertDenied(self, route, asker, r, path):
        api, method = is_api(route["pattern"]), route["method"]
        if asker.role == "public":
            if api:
                self.assertErrorShape(r, 401, "unauthorized")
                self.assertEqual(r.header("WWW-Authenticate"), 'Bearer realm="consulta"')
            elif method == "GET":
                self.assertEqual(r.status, 303, r)
                self.assertEqual(r.header("Location"), "/login?next=" + path)
            else:
                self.assertEqual(r.status, 401, r)
        else:
            if api:
                self.assertErrorShape(r, 403, "forbidden")
            else:
                self.assertEqual(r.status, 403, r)

    # -- the table itself ----------------------------------------------------

    def test_the_table_is_the_policy_written_down_here(self):
        table = {key(r): r for r in self.routes}
        self.assertEqual(len(table), len(self.routes), "a route appears twice in the table")
        for r in self.routes:
            self.assertIn(r["role"], RANK, r)
            self.assertIn(r["method"], ("GET", "POST", "PATCH", "PUT", "DELETE"), r)
            self.assertEqual(r["body"], r["method"] != "GET", "%s: only changes take a body" % name(r))
        public = {k for k, r in table.items() if r["role"] == "public"}
        self.assertEqual({k for k in public if k[0] != "GET"}, EXPECTED_PUBLIC_WRITES,
                         "the changes anyone may make without an account are not the expected ones")
        self.assertEqual(public - EXPECTED_PUBLIC_WRITES, EXPECTED_PUBLIC_READS,
                         "the routes anyone may read without an account are not the expected ones")
        self.assertEqual({k for k, r in table.items() if r["role"] == "stakeholder"}, EXPECTED_STAKEHOLDER,
                         "the routes for any logged-in account are not the expected ones")
        self.assertEqual({k for k, r in table.items() if r["no_csrf"]}, EXPECTED_NO_CSRF,
                         "the changes that take no CSRF token are not the expected ones")
        for k, r in table.items():
            if k[1].startswith("/office") or "moderation" in k[1] or "audit" in k[1]:
                self.assertEqual(r["role"], "secretariat", "%s %s is the back office's" % k)

    # -- the matrix ----------------------------------------------------------

    def test_every_route_allows_or_denies_every_asker_as_its_role_says(self):
        askers = self.askers()
        for route in self.routes:
            for asker in askers:
                with self.subTest(route=name(route), asker=asker.label):
                    path = self.path(route)
                    session = self.login(asker.role) if asker.by == "session" and key(route) in ENDS_SESSION else None
                    r = self.ask(route, asker, session=session)
                    if RANK[asker.role] >= RANK[route["role"]]:
                        self.assertAllowed(r)
                    else:
                        self.assertDenied(route, asker, r, path)
        # The sessions still work: no request above ended them behind the matrix's back.
        for asker in askers:
            if asker.by == "session":
                self.assertEqual(self.server.get("/account", headers={"Cookie": "consulta_session=" + asker.secret})
                                 .status, 200, asker.label)

    def test_every_page_form_without_its_csrf_token_is_refused(self):
        secretariat = Asker("secretariat by session", "secretariat", "session", secret=self.login("secretariat"))
        public = Asker("public", "public")
        forms = [r for r in self.routes if r["method"] != "GET" and not is_api(r["pattern"])]
        self.assertTrue(forms)
        for route in forms:
            askers = [secretariat] + ([public] if route["role"] == "public" else [])
            for asker in askers:
                with self.subTest(route=name(route), asker=asker.label + " without the csrf field"):
                    # Were the check missing, /logout or /login would end the session the others need.
                    session = self.login(asker.role) if asker.by == "session" and key(route) in ENDS_SESSION else None
                    r = self.ask(route, asker, csrf=False, session=session)
                    if route["no_csrf"]:
                        self.assertAllowed(r)
                    else:
                        self.assertEqual(r.status, 403, r)
                        self.assertIn("did not come from this site", r.text)

    def test_every_api_change_by_session_cookie_without_x_csrf_token_is_refused(self):
        sessions = {role: Asker(role + " by session", role, "session", secret=self.login(role))
                    for role in ("stakeholder", "secretariat")}
        changes = [r for r in self.routes if r["method"] != "GET" and is_api(r["pattern"])]
        self.assertTrue(changes)
        for route in changes:
            # The weakest session the route lets past its role check: then only the token is missing.
            asker = sessions["secretariat" if route["role"] == "secretariat" else "stakeholder"]
            with self.subTest(route=name(route), asker=asker.label + " without X-CSRF-Token"):
                r = self.ask(route, asker, csrf=False)
                self.assertErrorShape(r, 403, "csrf")
                wrong = self.server.request(route["method"], self.path(route), body=b"{}", headers={
                    "Content-Type": "application/json", "X-CSRF-Token": "W" * 43,
                    "Cookie": "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, asker.secret)})
                self.assertErrorShape(wrong, 403, "csrf")

    # -- sessions and tokens that ended --------------------------------------

    def test_logout_ends_the_session_for_the_api_too(self):
        s = self.server
        session = self.login("secretariat")
        cookie = "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)
        token = s.csrf_token(session)
        self.assertEqual(s.get("/api/v1/audit", headers={"Cookie": cookie}).status, 200)
        patch = s.send_json("PATCH", "/api/v1/calls/1", {}, headers={"Cookie": cookie, "X-CSRF-Token": token})
        self.assertNotIn(patch.status, (401, 403), patch)
        out = s.post_form("/logout", {}, headers={"Cookie": cookie})
        self.assertEqual(out.status, 303, out)
        self.assertEqual(cookie_value(out, "consulta_session"), "", "the cookie is cleared")
        self.assertErrorShape(s.get("/api/v1/audit", headers={"Cookie": cookie}), 401, "unauthorized")
        patch = s.send_json("PATCH", "/api/v1/calls/1", {}, headers={"Cookie": cookie, "X-CSRF-Token": token})
        self.assertErrorShape(patch, 401, "unauthorized")
        page = s.get("/office/audit", headers={"Cookie": cookie})
        self.assertEqual((page.status, page.header("Location")), (303, "/login?next=/office/audit"))

    def test_a_revoked_token_is_denied_on_every_secretariat_route(self):
        s = self.server
        email = "revoked@authz.example"
        token = s.account_token(email, role="secretariat", password=PASSWORD)
        kept = run_command(["token", "create", "--email", email], now=self.NOW, db=s.db).stdout.strip()
        bearer = {"Authorization": "Bearer " + token}
        self.assertEqual(s.get("/api/v1/audit", headers=bearer).status, 200)
        rv = run_command(["token", "revoke", token], now=self.NOW, db=s.db)
        self.assertEqual(rv.returncode, 0, rv.stderr)
        revoked = Asker("secretariat by revoked token", "public", "token", secret=token)
        routes = [r for r in self.routes if r["role"] == "secretariat"]
        self.assertTrue(routes)
        for route in routes:
            with self.subTest(route=name(route), asker=revoked.label):
                self.assertDenied(route, revoked, self.ask(route, revoked), self.path(route))
        # A revoked token is not replaced by the session cookie sent with it: the bearer decides alone.
        session = self.login("secretariat")
        both = s.get("/api/v1/audit", headers=dict(bearer, Cookie="consulta_session=" + session))
        self.assertErrorShape(both, 401, "unauthorized")
        self.assertEqual(s.get("/api/v1/audit", headers={"Authorization": "Bearer " + kept}).status, 200,
                         "only the revoked token stopped working")
