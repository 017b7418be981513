"""
Mass campaigns (issue 11, item 4): contributions sent through the API from
three mail-merge templates (each member with its own greeting, signature and
synonyms) and ten unique texts make three campaigns with the right counts,
whatever order they arrive in; each campaign lists its members; the list of a
call's contributions filters by campaign and by "in no campaign"; answering a
campaign once records a disposition on every member's comment; `consulta
campaigns --call` (and --resume) recognises the same campaigns again from what
is stored. Each contribution keeps its own tracking number: a campaign is a
view.
"""

import json
import random
import time
import unittest

from harness import ServerTestCase, contribution, run_command

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
SECRETARIAT = "secretariat@example.org"

TEMPLATES = [
    ("The draft guidelines should keep the annual report to the Council, because without it nobody can see "
     "whether the {0} commitments are kept. We ask the secretariat to publish the report in every official "
     "language, to make the {1} data available in an open format, and to name the office that answers "
     "questions about it. Regular reporting is what makes these guidelines credible.",
     ["national", "countries'", "members'"], ["underlying", "source", "raw"]),
    ("Community networks bring connectivity where operators do not invest. The guidelines should recognise "
     "them explicitly, exempt them from {0} licence fees, and give them access to spectrum on {1} terms. "
     "Paragraph 5 as drafted treats a village cooperative like a national operator, which is neither fair "
     "nor what the Council intended.",
     ["commercial", "operator", "full"], ["reasonable", "affordable", "fair"]),
    ("Accessibility must not be an afterthought. Every service covered by these guidelines should meet the "
     "{0} accessibility standards from the day it launches, and procurement rules should {1} that vendors "
     "prove it. Persons with disabilities should be consulted when the implementation plan is written.",
     ["recognised", "international", "agreed"], ["require", "demand", "insist"]),
]
SIZES = [12, 5, 3]
GREETINGS = ["Dear Secretary-General {0},", "To the secretariat,", "Hello {0}:", "Dear Sir or Madam,", ""]
CLOSINGS = ["Sincerely,\n{0} {1}", "Best regards,\n{0} {1}\n{2}", "Thank you,\n{0} {1}", "{0} {1}", ""]
FIRST = ["Amina", "Bo", "Carlos", "Dana", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski"]
TOWNS = ["Geneva", "Nairobi", "Lima", "Osaka", "Tunis"]
WORDS = ("spectrum roaming tariff fibre satellite latency backhaul cooperative municipal rural school clinic "
         "library museum archive harbour railway bridge tunnel valley river market bakery orchard vineyard "
         "festival choir theatre stadium").split()


def letter(rng, body):
    name = (rng.choice(FIRST), rng.choice(LAST), rng.choice(TOWNS))
    parts = [rng.choice(GREETINGS).format(rng.choice(LAST)), body, rng.choice(CLOSINGS).format(*name)]
    return "\n\n".join(p for p in parts if p)


def docket():
    """(template index or None, text, comment) for each of the 30 contributions, shuffled."""
    rng = random.Random(11)
    out = []
    for t, (body, a, b) in enumerate(TEMPLATES):
        for _ in range(SIZES[t]):
            out.append((t, letter(rng, body.format(rng.choice(a), rng.choice(b))), "As in our letter."))
    for i in range(10):
        words = " ".join(rng.choice(WORDS) for _ in range(40))
        out.append((None, letter(rng, "Unique point %d: %s." % (i, words)), "Unique comment %d." % i))
    rng.shuffle(out)
    return out


class Campaigns(ServerTestCase):
    SHARED = False

    def test_three_templates_and_ten_unique_texts(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        by_template = {0: [], 1: [], 2: []}
        unique = []
        for t, text, comment in docket():
            r = s.post_json(CONTRIBUTIONS, contribution(text=text, comments=[{"paragraph": "p3", "comment": comment}]))
            self.assertEqual(r.status, 201, r)
            (unique if t is None else by_template[t]).append(r.json()["tracking"])

        # Under the group commit campaigns are recognised by the writer's pass after the commit: the list says
        # how many contributions it has not looked at yet, and is complete once none is left.
        while True:
            r = s.send_json("GET", "/api/v1/calls/1/campaigns")
            self.assertEqual(r.status, 200, r)
            body = r.json()
            if body["ungrouped"] == 0:
                break
            self.assertLessEqual(body["ungrouped"], 30)
            time.sleep(0.05)
        self.assertEqual(body["total"], 3)
        campaigns = body["campaigns"]
        self.assertEqual([c["contributions"] for c in campaigns], SIZES)  # largest first
        for t, c in enumerate(campaigns):
            # its representative is its first member, with the text as that member sent it
            self.assertEqual(c["representative"], by_template[t][0])
            self.assertIn(TEMPLATES[t][0].split(",")[0][:40], c["text"])
            self.assertLessEqual(c["first_at"], c["last_at"])
            members = s.send_json("GET", c["members"] + "?per_page=100")
            self.assertEqual(members.status, 200, members)
            self.assertEqual(members.json()["total"], SIZES[t])
            self.assertEqual(sorted(x["tracking"] for x in members.json()["contributions"]), sorted(by_template[t]))
            # the same through the filter of the call's list
            listed = s.send_json("GET", CONTRIBUTIONS + "?campaign=%d&per_page=100" % c["id"])
            self.assertEqual(sorted(x["tracking"] for x in listed.json()["contributions"]), sorted(by_template[t]))

        # "not part of a campaign": the ten unique texts, paged with the filter kept
        none = s.send_json("GET", CONTRIBUTIONS + "?campaign=none&per_page=4")
        self.assertEqual(none.status, 200, none)
        self.assertEqual(none.json()["total"], 10)
        self.assertIn("campaign=none", none.json()["next"])
        seen = []
        page = none.json()
        while True:
            seen += [x["tracking"] for x in page["contributions"]]
            if not page["next"]:
                break
            page = s.send_json("GET", page["next"]).json()
        self.assertEqual(sorted(seen), sorted(unique))
        self.assertEqual(s.send_json("GET", CONTRIBUTIONS).json()["total"], 30)  # every one is still its own
        self.assertEqual(s.send_json("GET", CONTRIBUTIONS + "?campaign=many").status, 422)
        self.assertEqual(s.send_json("GET", "/api/v1/campaigns/9999/contributions").status, 404)

        # the call's page of contributions folds them: one line per campaign, with links to one text and to all
        page = s.get("/calls/1/contributions")
        self.assertEqual(page.status, 200)
        html = page.text
        self.assertIn("This text was sent by 12 contributors", html)
        self.assertIn('href="/contributions/%s">read one</a>' % by_template[0][0], html)
        self.assertIn('href="?campaign=%d">list them</a>' % campaigns[0]["id"], html)
        members = s.get("/calls/1/contributions?campaign=%d" % campaigns[0]["id"]).text
        self.assertEqual(sorted(t for t in by_template[0] if t in members), sorted(by_template[0]))
        self.assertFalse(any(t in members for t in unique))
        alone = s.get("/calls/1/contributions?campaign=none").text
        self.assertTrue(all(t in alone for t in unique))
        self.assertNotIn("Mass campaigns", alone)

        # answering a campaign once answers every member's comment
        big = campaigns[0]["id"]
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"campaign": big}, "decision": "noted", "reason": "Answered as a campaign."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["applied"], r.json()["unchanged"]), (SIZES[0], 0))
        for tracking in by_template[0]:
            record = s.send_json("GET", "/api/v1/contributions/" + tracking, token=token).json()
            self.assertEqual(record["comments"][0]["disposition"]["decision"], "noted")
        for tracking in by_template[1] + unique[:2]:
            record = s.send_json("GET", "/api/v1/contributions/" + tracking, token=token).json()
            self.assertNotIn("disposition", record["comments"][0])
        r = s.send_json("POST", "/api/v1/calls/1/dispositions",
                        {"select": {"campaign": 9999}, "decision": "noted", "reason": "No such campaign."},
                        token=token)
        self.assertEqual(r.status, 422, r)
        self.assertIn("not a campaign of this call", r.json()["error"]["fields"]["select"])

        # `consulta campaigns` recognises them again from what is stored, beside the running server: the same
        # three campaigns with the same representatives; --resume after a whole run finds nothing left to do
        for args in (["campaigns", "--call", "1"], ["campaigns", "--call", "1", "--resume"]):
            p = run_command(args, db=s.db, now=self.NOW)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout), {"call": 1, "assigned": sum(SIZES)})
            again = s.send_json("GET", "/api/v1/calls/1/campaigns").json()
            self.assertEqual([c["contributions"] for c in again["campaigns"]], SIZES)
            self.assertEqual([c["representative"] for c in again["campaigns"]], [by_template[t][0] for t in range(3)])
        for args in (["campaigns"], ["campaigns", "--call", "x"], ["campaigns", "--call", "1", "--frob"]):
            p = run_command(args, db=s.db, now=self.NOW)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("consulta campaigns:", p.stderr)


if __name__ == "__main__":
    unittest.main()
