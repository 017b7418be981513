"""
The public list's counts at size (issue 11, item 5): the total, the hidden
count, the counts narrowed by category, country, comment type and to the
contributions in no campaign, and the country filter's choices of a call's
contributions are read from contribution_tally (migrations 033 and 041: per
comment type too), kept by triggers in the writing
transaction, not counted over every row on each request. These tests compare
what the page and the API say with a count of the rows themselves, on SQLite
and on PostgreSQL: after contributions through the API (named, anonymous,
private), moderation (hide, spam, publish again), rows changed behind the
program's back (category, country, publication, state), and 120,000 rows (30,000 on
PostgreSQL) written at once beside the server.
"""

import json
import re
import unittest

import harness

PASSWORD = "a long passphrase for the tests"
# Sent by every other contributor: a mass campaign, which the pass after the commit groups.
SAME = ("The draft should say in its third paragraph who reports to whom, how often, in which form, and what "
        "happens when a report is late; the annex should list the forms.")
# The rows written at once: on PostgreSQL each goes through a PL/pgSQL trigger and a psql command's time-out.
SIZE = 30000 if harness.TEST_DB == "postgresql" else 120000
PUBLIC = "publication <> 'private' AND state IN ('published', 'hidden')"


class ContributionTally(harness.ServerTestCase):
    SHARED = False

    def truth(self, s, call_id=1):
        """(total, hidden, {country: published}) counted over the rows themselves."""
        total, hidden = s.query("SELECT count(*), COALESCE(sum(CASE WHEN state = 'hidden' THEN 1 ELSE 0 END), 0) "
                                "FROM contribution WHERE call_id = ? AND " + PUBLIC, (call_id,))[0]
        countries = dict((c, int(n)) for c, n in s.query(
            "SELECT country, count(*) FROM contribution WHERE call_id = ? AND publication <> 'private' AND "
            "state = 'published' GROUP BY country", (call_id,)))
        return int(total), int(hidden), countries

    def assertCountsTrue(self, s, call_id=1, settle=True):
        if settle:  # the pass after the commit changes who is in a campaign
            s.campaigns_settled(call_id, timeout=120)
        total, hidden, countries = self.truth(s, call_id)
        alone = dict((c, int(n)) for c, n in s.query(
            "SELECT country, count(*) FROM contribution WHERE call_id = ? AND publication <> 'private' AND "
            "state = 'published' AND campaign_id IS NULL GROUP BY country", (call_id,)))
        r = s.get_json("/api/v1/calls/%d/contributions?campaign=none" % call_id)
        self.assertEqual((r.json()["total"], r.json()["hidden"]), (sum(alone.values()), 0), r)
        for country, n in alone.items():
            r = s.get_json("/api/v1/calls/%d/contributions?campaign=none&country=%s" % (call_id, country))
            self.assertEqual(r.json()["total"], n, country)
        categories, both = {}, {}
        for slug, country, n in s.query(
                "SELECT g.slug, c.country, count(*) FROM contribution c JOIN category g ON g.id = c.category_id "
                "WHERE c.call_id = ? AND c.publication <> 'private' AND c.state = 'published' "
                "GROUP BY g.slug, c.country", (call_id,)):
            categories[slug] = categories.get(slug, 0) + int(n)
            both.setdefault(slug, {})[country] = int(n)
        self.assertTypesTrue(s, call_id)
        r = s.get_json("/api/v1/calls/%d/contributions" % call_id)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["total"], body["hidden"], body["published"]), (total, hidden, total - hidden), body)
        for category, n in categories.items():
            r = s.get_json("/api/v1/calls/%d/contributions?category=%s" % (call_id, category))
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json()["total"], r.json()["hidden"]), (n, 0), category)
            for country, m in both.get(category, {}).items():
                r = s.get_json("/api/v1/calls/%d/contributions?category=%s&country=%s" % (call_id, category, country))
                self.assertEqual(r.json()["total"], m, (category, country))
        r = s.get_json("/api/v1/calls/%d/contributions?category=no-such-category" % call_id)
        self.assertEqual((r.status, r.json().get("total")), (200, 0), r)
        for country, n in countries.items():
            r = s.get_json("/api/v1/calls/%d/contributions?country=%s" % (call_id, country))
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json()["total"], r.json()["hidden"]), (n, 0), country)
        page = s.get("/calls/%d/contributions" % call_id)
        self.assertEqual(page.status, 200, page)
        if total:
            self.assertIn("of %d contribution" % total, page.text)
        select = re.search(r'<select id="f-country" name="country">(.*?)</select>', page.text, re.S).group(1)
        offered = set(re.findall(r'<option value="([A-Z]{2})"', select))
        self.assertEqual(offered, set(c for c, n in countries.items() if n > 0))
        # the kept rows themselves: no row counts what is not there
        for call, country, published, hid in s.query(
                "SELECT call_id, country, published, hidden FROM contribution_tally WHERE call_id = ?", (call_id,)):
            self.assertGreaterEqual(min(int(published), int(hid)), 0, (call, country))

    def assertTypesTrue(self, s, call_id=1):
        """contribution.comment_types (migration 041) is the set of its comments' types; the list narrowed by a
        comment type (alone, and with a country, or to no campaign) counts and lists the published contributions
        with a comment of that type, from the first page to the last, by arrival and by name."""
        bits = {"general": 1, "technical": 2, "editorial": 4}
        kept = dict((t, int(b)) for t, b in s.query(
            "SELECT tracking, comment_types FROM contribution WHERE call_id = ?", (call_id,)))
        have = {}
        for t, kind in s.query("SELECT c.tracking, m.type FROM comment m JOIN contribution c ON c.id = "
                               "m.contribution_id WHERE c.call_id = ?", (call_id,)):
            have[t] = have.get(t, 0) | bits[kind]
        self.assertEqual(kept, dict((t, have.get(t, 0)) for t in kept))
        for kind, bit in bits.items():
            rows = s.query("SELECT c.tracking, c.country, c.campaign_id FROM contribution c WHERE c.call_id = ? AND "
                           "c.publication <> 'private' AND c.state = 'published' AND EXISTS (SELECT 1 FROM comment "
                           "m WHERE m.contribution_id = c.id AND m.type = ?) ORDER BY c.id", (call_id, kind))
            want = [t for t, _, _ in rows]
            r = s.get_json("/api/v1/calls/%d/contributions?type=%s&per_page=7" % (call_id, kind))
            self.assertEqual((r.status, r.json()["total"], r.json()["hidden"]), (200, len(want), 0), (kind, r))
            for sort in ("oldest", "name"):  # every page, following the cursors
                got, path = [], "/api/v1/calls/%d/contributions?type=%s&per_page=7&sort=%s" % (call_id, kind, sort)
                while path:
                    body = s.get_json(path).json()
                    got += [c["tracking"] for c in body["contributions"]]
                    # each with its comments (by name a page's ids are spread: read per contribution)
                    for c in body["contributions"]:
                        self.assertIn(kind, [m["type"] for m in c["comments"]], (sort, c["tracking"]))
                    path = body["next"] and body["next"][body["next"].index("/api/"):]
                self.assertEqual(sorted(got) if sort == "name" else got, sorted(want) if sort == "name" else want,
                                 (kind, sort))
            for country in set(c for _, c, _ in rows):
                r = s.get_json("/api/v1/calls/%d/contributions?type=%s&country=%s" % (call_id, kind, country))
                self.assertEqual(r.json()["total"], sum(1 for _, c, _ in rows if c == country), (kind, country))
            r = s.get_json("/api/v1/calls/%d/contributions?type=%s&campaign=none" % (call_id, kind))
            self.assertEqual(r.json()["total"], sum(1 for _, _, k in rows if k is None), kind)

    def test_counts_follow_contributions_moderation_and_changes(self):
        s = self.fresh_server()
        token = s.account_token("moderator@example.org", password=PASSWORD)
        self.assertCountsTrue(s)
        sent = []
        # comments of each type on some (types: migration 041): none, technical, general and editorial, ...
        kinds = [[], ["technical"], ["general", "editorial"], ["technical", "technical"], [], ["editorial"]]
        for i, (country, publication) in enumerate([("CH", "named"), ("DE", "anonymous"), ("FR", "private"),
                                                    ("IT", "named"), ("DE", "named"), ("AT", "private")] * 3):
            comments = [{"type": k, "comment": "Comment %d of the tally." % j} for j, k in enumerate(kinds[i % 5])]
            sent.append(s.contribute(country=country, publication=publication, text=SAME if i % 2 else "Text %d of the tally." % i,
                                     **({"comments": comments} if comments else {}))["tracking"])
        self.assertCountsTrue(s)

        def moderate(tracking, action, reason=None):
            body = {"action": action}
            if reason:
                body["reason"] = reason
            r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % tracking, body, token=token)
            self.assertEqual(r.status, 200, r)

        moderate(sent[0], "hide", "Off topic.")
        moderate(sent[1], "spam")
        moderate(sent[3], "hide", "Names a third party.")
        self.assertCountsTrue(s)
        moderate(sent[3], "publish")
        moderate(sent[2], "spam")  # a private one: counted neither before nor after
        self.assertCountsTrue(s)
        # rows changed by other means (another node, an operator): the triggers keep the counts true. Once the
        # writer's campaign pass is done: its changes and these, made outside the server's writer lock, would
        # otherwise take the same tally rows in another order (PostgreSQL would end one with a deadlock).
        s.campaigns_settled()
        with harness.connect(s.db) as db:
            db.execute("UPDATE contribution SET country = 'SE' WHERE tracking = ?", (sent[4],))
            db.execute("UPDATE contribution SET category_id = (SELECT max(id) FROM category WHERE process_id = "
                       "(SELECT process_id FROM call WHERE id = 1)) WHERE tracking = ?", (sent[7],))
            db.execute("UPDATE contribution SET publication = 'private' WHERE tracking = ?", (sent[5 + 6],))
            db.execute("UPDATE contribution SET publication = 'anonymous' WHERE tracking = ?", (sent[2 + 6],))
            db.execute("UPDATE contribution SET state = 'hidden', moderation_reason = 'x' WHERE tracking = ?",
                       (sent[4 + 6],))
            # comments written and removed behind its back: the comment triggers keep comment_types true
            db.execute("INSERT INTO comment (contribution_id, version_id, position, type, comment) SELECT id, "
                       "(SELECT version_id FROM call WHERE id = 1), 9, 'editorial', 'Added by hand.' FROM "
                       "contribution WHERE tracking = ?", (sent[0],))
            db.execute("DELETE FROM comment WHERE type = 'editorial' AND contribution_id = (SELECT id FROM "
                       "contribution WHERE tracking = ?)", (sent[7],))
            db.commit()
        self.assertCountsTrue(s)
        grouped = s.query("SELECT tracking FROM contribution WHERE campaign_id IS NOT NULL AND state = 'published' "
                          "AND publication <> 'private'")
        self.assertTrue(grouped, "the near-identical texts make no campaign")
        with harness.connect(s.db) as db:  # taken out of its campaign by hand
            db.execute("UPDATE contribution SET campaign_id = NULL WHERE tracking = ?", (grouped[0][0],))
            db.commit()
        self.assertCountsTrue(s)
        # the country now without a published contribution is no longer offered
        with harness.connect(s.db) as db:
            db.execute("UPDATE contribution SET state = 'spam' WHERE country = 'IT'")
            db.commit()
        self.assertCountsTrue(s)
        self.assertNotIn('value="IT"', s.get("/calls/1/contributions").text)

    def test_counts_are_true_at_size(self):
        s = self.fresh_server()
        template = s.contribute(publication="anonymous")["tracking"]
        # SIZE rows in one statement (the same SQL on both backends): every seventh private, every eleventh
        # hidden, every thirteenth spam, five countries
        with harness.connect(s.db) as db:
            db.execute(
                "INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
                "email, text, publication, received_at, state, moderation_reason) "
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < SIZE) "
                "SELECT 'BULK' || n.i, c.call_id, c.channel, 'Sender ' || n.i, '', c.category_id, "
                "CASE n.i % 5 WHEN 0 THEN 'CH' WHEN 1 THEN 'DE' WHEN 2 THEN 'FR' WHEN 3 THEN 'IT' ELSE 'NO' END, "
                "c.email, '', CASE WHEN n.i % 7 = 0 THEN 'private' ELSE 'anonymous' END, c.received_at, "
                "CASE WHEN n.i % 11 = 0 THEN 'hidden' WHEN n.i % 13 = 0 THEN 'spam' ELSE 'published' END, "
                "CASE WHEN n.i % 11 = 0 THEN 'Hidden in bulk.' END FROM n, contribution c WHERE c.tracking = ?".replace("SIZE", str(SIZE)),
                (template,))
            db.commit()
        total, hidden, countries = self.truth(s)
        self.assertGreater(total, SIZE * 0.79)
        self.assertGreater(hidden, SIZE * 0.07)
        # rows written behind the writer's back, without a word of text: no pass groups them, nor waits to
        self.assertCountsTrue(s, settle=False)
        # and the last page is there, with the last row
        last = s.get_json("/api/v1/calls/1/contributions?offset=%d&per_page=10" % (total - 1)).json()
        self.assertEqual(len(last["contributions"]), 1, json.dumps(last)[:300])
        self.assertIsNone(last["next"])


if __name__ == "__main__":
    unittest.main()
