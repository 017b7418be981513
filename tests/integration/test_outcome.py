"""
"You said, we did" (issue 9, item 3): for a revised version, what the comments
sent on the version it revises became. Nothing before the call's dispositions
are published; then the page's tables (and the JSON) count the published
contributions — private ones in the numbers only, spam never — by category,
country and type, the decisions, and the most-commented paragraph with its
decisions, the paragraph of the new version where its text landed, and links
to each answer. Each chart is an SVG image (role=img, title) with a table of
the same numbers, its labels escaped. The version page's section, which is a
kept page (web/page_cache.c), changes when the dispositions are published.
"""

import html
import re
import sqlite3
import harness
import unittest

from harness import SLUG, ServerTestCase

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
SECRETARIAT = "secretariat@example.org"
EVIL = "<script>alert(1)</script>"


def table(page, table_id):
    """The rows of the table with this id as {label: (count, share)}, and its total."""
    m = re.search(r'<table class="chart-table" id="%s">(.*?)</table>' % re.escape(table_id), page, re.S)
    assert m, "no table " + table_id
    body = m.group(1)
    rows = {html.unescape(label): (int(count), share) for label, count, share in re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="number">(\d+)</td><td class="number">(\d+%)</td></tr>',
        body.split("<tfoot>")[0])}
    total = int(re.search(r'<tfoot><tr><th scope="row">Total</th><td class="number">(\d+)</td>', body).group(1))
    return rows, total


class Outcome(ServerTestCase):
    SHARED = False

    def send(self, s, comments, **fields):
        return s.contribute(comments=comments, **fields)["tracking"]

    def comments_of(self, s, tracking, token):
        return s.comments_of(tracking, token)

    def answer(self, s, token, cid, decision, paragraph=None):
        body = {"decision": decision, "reason": "Because of " + decision + "."}
        if paragraph:
            body["paragraph"] = paragraph
        r = s.send_json("POST", "/api/v1/comments/%d/disposition" % cid, body, token=token)
        self.assertEqual(r.status, 200, r)

    def revise(self, s, token, version_id):
        """Posts a next version: a new first paragraph, then the text before, so p3 becomes ¶4."""
        before = s.get_json("/api/v1/versions/%d" % version_id).json()
        markdown = "A new opening paragraph, added after the consultation.\n\n" + before["markdown"]
        return s.publish_version(token, markdown, "Final draft", document=before["document"])

    def test_you_said_we_did(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        call = s.get_json("/api/v1/calls/1").json()
        v1 = call["version_id"]
        self.assertEqual(s.get_json(CONTRIBUTIONS).json()["contributions"], [])
        # A label of the secretariat's own that would be markup if it were not escaped.
        with harness.connect(s.db, timeout=10) as db:
            db.execute("UPDATE category SET name = ? WHERE slug = 'other'", (EVIL,))
        a = self.send(s, [{"paragraph": "p3", "type": "technical", "comment": "Say who reports."},
                          {"paragraph": "p4", "type": "editorial", "comment": "A typo here."}],
                      category="academia", country="CH")
        b = self.send(s, [{"paragraph": "p3", "type": "general", "comment": "Reports are not needed."}],
                      category="member-states", country="FR", name="Bea", email="bea@example.org")
        c = self.send(s, [{"paragraph": "p7", "type": "general", "comment": "Fine as it is."}],
                      category="other", country="DE", publication="anonymous", email="c@example.org")
        d = self.send(s, [{"paragraph": "p3", "type": "technical", "comment": "Private words of D."}],
                      category="academia", country="CH", publication="private", email="d@example.org")
        e = self.send(s, [{"paragraph": "p3", "type": "technical", "comment": "Spam words of E."}],
                      category="academia", country="US", email="e@example.org")
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % e, {"action": "spam"}, token=token)
        self.assertEqual(r.status, 200, r)
        v2 = self.revise(s, token, v1)
        page_url = "/versions/%d/you-said-we-did" % v2

        # Before publication: nothing, on the page, in the JSON and on the version page (kept afterwards).
        version_page = s.get("/versions/%d" % v2)
        self.assertEqual(version_page.status, 200)
        self.assertNotIn("You said, we did", version_page.text)
        early = s.get(page_url)
        self.assertEqual(early.status, 200)
        self.assertIn("not published yet", early.text)
        self.assertNotIn("<svg", early.text)
        self.assertEqual(s.get_json("/api/v1/versions/%d/outcome" % v2).json()["contributions"], 0)
        self.assertEqual(s.get("/versions/%d" % v2).text, version_page.text)  # the kept page

        ca = self.comments_of(s, a, token)
        self.answer(s, token, ca[0]["id"], "accepted", "p3")
        self.answer(s, token, ca[1]["id"], "accepted_in_part", "p4")
        cb = self.comments_of(s, b, token)[0]["id"]
        self.answer(s, token, cb, "not_accepted")
        self.answer(s, token, self.comments_of(s, c, token)[0]["id"], "noted")
        self.answer(s, token, self.comments_of(s, d, token)[0]["id"], "accepted", "p3")
        # Recorded but not published: still nothing public.
        self.assertIn("not published yet", s.get(page_url).text)
        self.assertNotIn("You said, we did", s.get("/versions/%d" % v2).text)
        # The secretariat may look ahead; no one else.
        self.assertNotIn("answers not published yet", s.get(page_url + "?preview=1").text)
        self.assertNotIn("<svg", s.get(page_url + "?preview=1").text)
        preview = s.send_json("GET", page_url + "?preview=1", token=token)
        self.assertEqual(preview.status, 200)
        self.assertIn("answers not published yet", preview.text)
        self.assertEqual(table(preview.text, "chart-decisions-table")[1], 5)
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token)
        self.assertEqual(r.status, 200, r)

        # The version page's section: the kept page was left for a new one.
        section = s.get("/versions/%d" % v2).text
        self.assertIn("You said, we did", section)
        self.assertIn("<strong>4</strong> contributions with <strong>5</strong> comments", section)
        self.assertIn("2 accepted, 1 accepted in part, 1 not accepted, 1 noted", section)
        self.assertIn('href="/versions/%d/you-said-we-did"' % v2, section)

        page = s.get(page_url)
        self.assertEqual(page.status, 200)
        text = page.text
        # Our own markup is markup: no tag of ours shows as text (the list of paragraphs once ended in "</ol>").
        self.assertNotIn("&lt;/", text.replace("&lt;/script&gt;", ""))
        # Four contributions (the private one counted, the spam not), five comments.
        self.assertEqual(table(text, "chart-categories-table"),
                         ({"Academia": (2, "50%"), "Member States": (1, "25%"), EVIL: (1, "25%")}, 4))
        self.assertEqual(table(text, "chart-countries-table"),
                         ({"Switzerland": (2, "50%"), "France": (1, "25%"), "Germany": (1, "25%")}, 4))
        self.assertEqual(table(text, "chart-types-table"),
                         ({"Technical": (2, "40%"), "General": (2, "40%"), "Editorial": (1, "20%")}, 5))
        self.assertEqual(table(text, "chart-decisions-table"),
                         ({"Accepted": (2, "40%"), "Accepted in part": (1, "20%"), "Not accepted": (1, "20%"),
                           "Noted": (1, "20%")}, 5))
        # Each chart an image with a title and a description, its labels escaped.
        self.assertEqual(text.count('role="img"'), 4)
        self.assertIn('<title id="chart-categories-title">Contributions by category</title>', text)
        self.assertIn('aria-labelledby="chart-categories-title chart-categories-desc"', text)
        self.assertNotIn("<script>alert", text)
        start = text.index('<figure class="chart" id="chart-categories">')
        svg = text[text.index("<svg", start):text.index("</svg>", start)]
        self.assertIn(html.escape(EVIL, quote=True).replace("&#x27;", "&#39;"), svg)
        # The private contribution's words and the spam never show.
        self.assertNotIn("Private words of D.", text)
        self.assertNotIn("Spam words of E.", text)
        self.assertNotIn(d, text)
        self.assertNotIn(e, text)
        # The most-commented paragraph: p3 of the call's version, three counted comments (not the spam),
        # two accepted, one not; its text is now at ¶4 of the new version (two answers say so).
        item = re.search(r'<li class="outcome-paragraph" id="para-p3">(.*?)</li>\n(?=<li class="outcome|</ol>)',
                         text, re.S).group(1)
        self.assertIn("\u00b63 of", item)
        self.assertIn("3 comments", item)
        self.assertIn("2 accepted, 0 accepted in part, 1 not accepted, 0 noted", item)
        self.assertIn('<a href="/versions/%d#p3">\u00b64</a> (2 comments)' % v2, item)
        self.assertIn("1 comment of private contributions: counted, not shown.", item)
        links = re.findall(r'<a href="(/contributions/[^"#]+)#(comment-\d+)">', item)
        self.assertEqual(sorted(links), sorted([("/contributions/" + a, "comment-%d" % ca[0]["id"]),
                                                ("/contributions/" + b, "comment-%d" % cb)]))
        for path, anchor in links:
            r = s.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertIn('id="%s"' % anchor, r.text)
        # The JSON says the same.
        j = s.get_json("/api/v1/versions/%d/outcome" % v2).json()
        self.assertEqual((j["contributions"], j["comments"]), (4, 5))
        self.assertEqual(j["decisions"], {"accepted": 2, "accepted_in_part": 1, "not_accepted": 1, "noted": 1,
                                          "unanswered": 0})
        top = j["paragraphs"][0]
        self.assertEqual((top["paragraph"], top["number"], top["comments"], top["private"]), ("p3", 3, 3, 1))
        self.assertEqual([(x["version_id"], x["number"]) for x in top["landed"]], [(v2, 4)])
        self.assertEqual({x["code"]: x["count"] for x in j["countries"]}, {"CH": 2, "FR": 1, "DE": 1})
        # Only the published call: the demo's other call on the same version is not answered.
        self.assertEqual([(c["id"], c["contributions"], c["comments"]) for c in j["calls"]], [(1, 4, 5)])
        self.assertEqual([x["url"] for x in top["answers"]],
                         ["/contributions/%s#comment-%d" % (a, ca[0]["id"]), "/contributions/%s#comment-%d" % (b, cb)])

    def test_a_first_version_and_an_unknown_one(self):
        s = self.fresh_server()
        process = s.get_json("/api/v1/processes/" + SLUG).json()
        first = process["documents"][0]["versions"][0]["id"]
        r = s.get("/versions/%d/you-said-we-did" % first)
        self.assertEqual(r.status, 200)
        self.assertIn("is the first version", r.text)
        self.assertEqual(s.get("/versions/999999/you-said-we-did").status, 404)
        self.assertErrorShape(s.get_json("/api/v1/versions/999999/outcome"), 404)


if __name__ == "__main__":
    unittest.main()
