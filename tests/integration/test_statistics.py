"""
Statistics per call and per process (issue 12, item 3): contributions per day
in the process's zone (Europe/Zurich for the demo), by category, country and
channel, comments per paragraph and by type, and mass campaigns — as pages
whose charts are SVG images (role=img, a title and a description saying the
numbers) each with a table of the same numbers, and as JSON with the numbers
of the tables.

The data: the demo and contributions sent through the API and the web form
at instants set by CONSULTA_NOW, among them one a second before midnight in
Zurich and one at midnight (the same UTC date, two days in Zurich). Only
published contributions count: a hidden one and a spam one do not; a private
one counts but is never named (not even as a campaign's representative). A
call with no contributions has zeros, not an error.
"""

import html
import re
import unittest

import harness

from harness import CALL1_OPEN, SLUG, ServerTestCase, contribution
from test_mail_in import mail_in, simple

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
SECRETARIAT = "secretariat@example.org"
EVIL = "<script>alert(1)</script>"
CAMPAIGN_TEXT = ("We ask the secretariat to keep the annual report to the Council and to publish it in every "
                 "official language, with the data in an open format, so that anyone can check the commitments.")


def table(page, table_id):
    """The rows of the chart table with this id as {label: count}, and its total."""
    m = re.search(r'<table class="chart-table" id="%s">(.*?)</table>' % re.escape(table_id), page, re.S)
    assert m, "no table " + table_id
    body = m.group(1)
    rows = {html.unescape(label): int(count) for label, count in re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="number">(\d+)</td><td class="number">\d+%</td></tr>',
        body.split("<tfoot>")[0])}
    total = int(re.search(r'<tfoot><tr><th scope="row">Total</th><td class="number">(\d+)</td>', body).group(1))
    return rows, total


def svg(page, chart_id):
    """The <svg> of the figure with this id."""
    m = re.search(r'<figure class="chart" id="%s">.*?(<svg .*?</svg>)' % re.escape(chart_id), page, re.S)
    assert m, "no chart " + chart_id
    return m.group(1)


class Statistics(ServerTestCase):
    SHARED = False

    def send(self, s, **fields):
        r = s.post_json(CONTRIBUTIONS, contribution(**fields))
        self.assertEqual(r.status, 201, r)
        return r.json()["tracking"]

    def at(self, s, now):
        """The same database, the clock at now."""
        problem = s.stop()
        self.assertFalse(problem, problem)
        s.start(now=now)

    def load(self, s):
        """Sends the known data; returns the trackings that must never be named, and those counted."""
        # 1 February 2021, 11:00 in Zurich: two by the API (one with comments on p3 and p5), one by the form, one by
        # e-mail (which does not say its country)
        self.send(s, country="CH", category="academia", text="Paragraph 3 should say who reports, and to whom.",
                  comments=[{"paragraph": "p3", "comment": "Say who reports."},
                            {"paragraph": "p5", "comment": "Say when.", "type": "editorial"}])
        self.send(s, country="FR", category="academia", text="Nous soutenons le texte tel qu'il est.",
                  comments=[{"paragraph": "p3", "comment": "Agreed."}])
        r = s.post_form("/calls/1/contribute", {"name": "Grace Hopper", "organization": "", "category": "academia",
                                                "country": "US", "email": "grace@example.org",
                                                "text": "Sent with the form.", "publication": "named"})
        self.assertIn(r.status, (200, 303), r)
        code, out, err = mail_in(s.db, simple("statistics-1@example.org", text="Sent by e-mail."), s.now)
        self.assertEqual(code, 0, (out, err))
        # 3 February, 23:59:59 in Zurich (22:59:59 UTC): the 3rd; a private one starts a campaign, two copies follow
        self.at(s, "2021-02-03T22:59:59Z")
        private = self.send(s, country="DE", publication="private", text=CAMPAIGN_TEXT)
        self.send(s, country="DE", text=CAMPAIGN_TEXT, name="Bo Lindqvist")
        # 4 February, 00:00 in Zurich (23:00 UTC on the 3rd): the 4th
        self.at(s, "2021-02-03T23:00:00Z")
        self.send(s, country="DE", text=CAMPAIGN_TEXT, name="Carlos Moreau")
        hidden = self.send(s, country="JP", text="To be hidden.")
        spam = self.send(s, country="JP", text="Buy now.")
        token = s.account_token(SECRETARIAT)
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % hidden, {"action": "hide", "reason": "Attacks."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % spam, {"action": "spam"}, token=token)
        self.assertEqual(r.status, 200, r)
        self.at(s, "2021-02-05T12:00:00Z")
        return {"private": private, "hidden": hidden, "spam": spam}

    def test_numbers_of_a_call_and_its_process(self):
        s = self.fresh_server(now="2021-02-01T10:00:00Z")
        secret = self.load(s)
        # a label of the secretariat's own that would be markup if it were not escaped
        with harness.connect(s.db, timeout=10) as db:
            db.execute("UPDATE category SET name = ? WHERE slug = 'other'", (EVIL,))
        st = s.get_json("/api/v1/calls/1/statistics")
        self.assertEqual(st.status, 200, st)
        j = st.json()
        # counted: 4 on the 1st, 2 on the 3rd, 1 on the 4th (hidden and spam never)
        self.assertEqual(j["contributions"], 7, j)
        self.assertEqual(j["comments"], 3, j)
        self.assertEqual(j["timezone"], "Europe/Zurich")
        days = {d["date"]: d["contributions"] for d in j["days"]}
        self.assertEqual(days["2021-02-01"], 4, days)
        self.assertEqual(days["2021-02-02"], 0, days)
        self.assertEqual(days["2021-02-03"], 2, days)  # 23:59:59 in Zurich
        self.assertEqual(days["2021-02-04"], 1, days)  # midnight in Zurich, still the 3rd in UTC
        self.assertEqual(days["2021-02-05"], 0, days)  # today: the span runs to today while the call is open
        self.assertNotIn("2021-02-06", days)
        self.assertEqual(sum(days.values()), 7)
        first = [d for d in j["days"] if d["date"] == "2021-02-04"][0]
        self.assertEqual(first["start"], "2021-02-03T23:00:00Z")  # the day's start in Zurich, in UTC
        self.assertEqual({c["code"]: c["count"] for c in j["countries"]}, {"CH": 1, "FR": 1, "US": 1, "DE": 3, "": 1})
        self.assertEqual({c["slug"]: c["count"] for c in j["categories"]}, {"academia": 6, "other": 1})
        self.assertEqual({c["channel"]: c["count"] for c in j["channels"]}, {"api": 5, "web": 1, "email": 1})
        self.assertEqual({c["type"]: c["count"] for c in j["types"]}, {"general": 2, "editorial": 1})
        self.assertEqual([(p["paragraph"], p["number"], p["comments"]) for p in j["paragraphs"]],
                         [("p3", 3, 2), ("p5", 5, 1)])
        self.assertEqual(j["campaigns"]["count"], 1, j["campaigns"])
        self.assertEqual(j["campaigns"]["contributions_in_campaigns"], 3)  # the private member counts
        largest = j["campaigns"]["largest"]
        self.assertEqual(len(largest), 1)
        self.assertEqual(largest[0]["contributions"], 2)  # as the campaign list shows it: public members
        self.assertNotIn(secret["private"], largest[0]["representative"] or "")

        # the page: every chart an image with its numbers, and a table of the same numbers as the JSON
        r = s.get("/calls/1/statistics")
        self.assertEqual(r.status, 200, r)
        page = r.text
        for tracking in secret.values():
            self.assertNotIn(tracking, page)
            self.assertNotIn(tracking, st.text)
        self.assertNotIn(EVIL, page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertIn({"slug": "other", "name": EVIL, "count": 1}, j["categories"])
        rows, total = table(page, "chart-days-table")
        self.assertEqual(rows, days)
        self.assertEqual(total, j["contributions"])
        rows, total = table(page, "chart-countries-table")
        self.assertEqual(rows, {c["name"]: c["count"] for c in j["countries"]})
        self.assertEqual(rows["Not stated"], 1)
        self.assertEqual(total, 7)
        rows, _ = table(page, "chart-categories-table")
        self.assertEqual(rows, {c["name"]: c["count"] for c in j["categories"]})
        rows, _ = table(page, "chart-channels-table")
        self.assertEqual(rows, {"API": 5, "Web form": 1, "E-mail": 1})
        rows, total = table(page, "chart-paragraphs-table")
        self.assertEqual(rows, {p["name"]: p["comments"] for p in j["paragraphs"]})
        self.assertEqual(rows, {"\u00b63 of Revised draft": 2, "\u00b65 of Revised draft": 1})
        self.assertEqual(total, j["comments"])
        rows, _ = table(page, "chart-types-table")
        self.assertEqual(rows, {"General": 2, "Editorial": 1})
        rows, _ = table(page, "chart-campaigns-table")
        self.assertEqual(rows, {"In a campaign": 3, "Not in a campaign": 4})
        for chart in ("chart-days", "chart-countries", "chart-channels", "chart-paragraphs", "chart-campaigns"):
            image = svg(page, chart)
            self.assertIn('role="img"', image)
            self.assertIn("viewBox=\"0 0 400 ", image)
            self.assertIn("Total: ", re.search(r"<desc [^>]*>(.*?)</desc>", image, re.S).group(1))
        desc = re.search(r"<desc [^>]*>(.*?)</desc>", svg(page, "chart-days"), re.S).group(1)
        self.assertIn("2021-02-03: 2; 2021-02-04: 1", desc)
        self.assertIn("Total: 7.", desc)
        self.assertIn('pattern id="chart-channels-p1"', svg(page, "chart-channels"))  # parts differ by pattern
        self.assertIn('/calls/1/contributions?campaign=%d' % largest[0]["id"], page)
        self.assertIn('<a href="/api/v1/calls/1/statistics">', page)  # the JSON, at its address

        # the process: its calls together (call 2 has none yet)
        p = s.get_json("/api/v1/processes/%s/statistics" % SLUG)
        self.assertEqual(p.status, 200, p)
        pj = p.json()
        self.assertEqual(pj["contributions"], 7)
        self.assertEqual([(c["id"], c["contributions"], c["comments"]) for c in pj["calls"]], [(1, 7, 3), (2, 0, 0)])
        self.assertEqual({d["date"]: d["contributions"] for d in pj["days"] if d["contributions"]},
                         {"2021-02-01": 4, "2021-02-03": 2, "2021-02-04": 1})
        for key in ("countries", "categories", "channels", "types", "paragraphs"):
            self.assertEqual(pj[key], j[key], key)
        self.assertEqual(pj["campaigns"], j["campaigns"])
        r = s.get("/processes/%s/statistics" % SLUG)
        self.assertEqual(r.status, 200, r)
        self.assertIn('<a href="/api/v1/processes/%s/statistics">' % SLUG, r.text)
        rows, total = table(r.text, "chart-calls-table")
        self.assertEqual(total, 7)
        for tracking in secret.values():
            self.assertNotIn(tracking, r.text)
            self.assertNotIn(tracking, p.text)

        # linked from the call's and the process's pages
        self.assertIn('href="/calls/1/statistics"', s.get("/calls/1").text)
        self.assertIn('href="/processes/%s/statistics"' % SLUG, s.get("/processes/" + SLUG).text)

    def test_a_call_with_nothing_has_zeros(self):
        s = self.fresh_server(now=CALL1_OPEN)
        for path in ("/api/v1/calls/2/statistics", "/api/v1/calls/1/statistics",
                     "/api/v1/processes/%s/statistics" % SLUG):
            r = s.get_json(path)
            self.assertEqual(r.status, 200, r)
            j = r.json()
            self.assertEqual((j["contributions"], j["comments"]), (0, 0), path)
            for key in ("categories", "countries", "channels", "types", "paragraphs"):
                self.assertEqual(j[key], [], (path, key))
            self.assertEqual(j["campaigns"], {"count": 0, "contributions_in_campaigns": 0, "largest": []})
            self.assertTrue(all(d["contributions"] == 0 for d in j["days"]), j["days"])
        self.assertEqual(s.get_json("/api/v1/calls/2/statistics").json()["days"], [])  # not open yet
        self.assertEqual([d["date"] for d in s.get_json("/api/v1/calls/1/statistics").json()["days"]][-1],
                         "2021-02-01")
        for path in ("/calls/2/statistics", "/processes/%s/statistics" % SLUG):
            r = s.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertIn("Nothing to count yet.", r.text)
            rows, total = table(r.text, "chart-countries-table")
            self.assertEqual((rows, total), ({}, 0))
        for path in ("/calls/99/statistics", "/calls/x/statistics", "/api/v1/calls/99/statistics",
                     "/processes/nope/statistics", "/api/v1/processes/nope/statistics"):
            self.assertEqual(s.get(path).status, 404, path)

    def test_the_page_is_kept_until_something_commits(self):
        s = self.fresh_server(now=CALL1_OPEN)
        first = s.get("/calls/1/statistics")
        self.assertEqual(first.status, 200, first)
        if harness.TEST_DB != "postgresql":
            # Kept under SQLite's change mark; on PostgreSQL (no such mark) the page is made each time, and
            # what must hold there too is the rest: never stale after a commit.
            again = s.get("/calls/1/statistics", headers={"If-None-Match": first.header("ETag")})
            self.assertEqual(again.status, 304, again)
        self.send(s)
        etag = first.header("ETag")
        after = s.get("/calls/1/statistics", headers={"If-None-Match": etag} if etag else {})
        self.assertEqual(after.status, 200, after)
        self.assertIn("<strong>1</strong> contribution<", after.text)


if __name__ == "__main__":
    unittest.main()
