"""
`consulta import`: contributions from a file of JSON lines go through the
one way in (contribution_receive) on the group commit: each good line is
stored with its own tracking number, its receipt mail queued and its
campaign recognised, as through the API; a bad line (not JSON, a missing or
mistyped field, a member the command does not take) is refused alone and
said, by its line number; a closed call refuses every line and stores
nothing; the options are checked.
"""

import json
import os
import subprocess
import unittest

from harness import (CALL1_FIRST_SECOND_CLOSED, CALL1_OPEN, Server, binary, contribution, db_query, db_url,
                     run_command)

CAMPAIGN = ("The reporting duties in paragraph 3 must stay: without an annual report to the Council nobody can see "
            "whether the commitments are kept, and the data behind it should be published in an open format.")


class Import(unittest.TestCase):
    def setUp(self):
        self.server = Server(CALL1_OPEN)
        self.server.prepare()
        self.db = self.server.db

    def tearDown(self):
        self.server.cleanup()

    def write_lines(self, lines):
        path = os.path.join(self.server.dir, "contributions.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def import_file(self, path, now=CALL1_OPEN, *extra):
        return run_command(["import", "--call", "1", "--threads", "4", *extra, path], now=now, db=self.db)

    def count(self, sql):
        return db_query(self.db, sql)[0][0]

    def test_good_lines_are_stored_and_bad_ones_refused_alone(self):
        lines = []
        for i in range(24):
            # letters of one campaign (every third), each with its own greeting and signature; the rest unique
            text = ("Dear Commissioner %d,\n\n%s\n\nSincerely,\nSender %d" % (i, CAMPAIGN, i) if i % 3 == 0
                    else "Unique remark %d about paragraph %d and its %s." % (i, i % 7, "reporting " * (i % 5)))
            lines.append(json.dumps(contribution(name="Sender %d" % i, email="s%d@example.org" % i, text=text)))
        lines[4] = "{not json"
        lines[9] = json.dumps(contribution(email=None))
        lines[13] = json.dumps(contribution(comments=[{"paragraph": "p3", "comment": "Dropped?"}]))
        lines[17] = json.dumps(contribution(country=7))
        lines.insert(20, "")  # an empty line is skipped, and still counted as a line of the file
        p = self.import_file(self.write_lines(lines))
        self.assertEqual(p.returncode, 1, p.stderr)  # some lines were refused
        self.assertIn("24 lines, 20 imported, 4 refused", p.stderr)

        results = {r["line"]: r for r in map(json.loads, p.stdout.splitlines())}
        self.assertEqual(sorted(results), [n for n in range(1, 26) if n != 21])
        refused = {n: r["error"] for n, r in results.items() if "error" in r}
        self.assertEqual(sorted(refused), [5, 10, 14, 18])
        self.assertIn("not valid JSON", refused[5]["message"])
        self.assertIn("email", refused[10]["fields"])
        self.assertIn("comments", refused[14]["fields"]["line"])
        self.assertEqual(refused[18]["fields"]["country"], "Must be a string.")

        tracking = [r["tracking"] for r in results.values() if "tracking" in r]
        self.assertEqual(len(tracking), 20)
        self.assertEqual(len(set(tracking)), 20)
        stored = db_query(self.db, "SELECT tracking, channel, state, name FROM contribution WHERE name LIKE 'Sender %'")
        self.assertEqual(sorted(t for t, _, _, _ in stored), sorted(tracking))
        self.assertEqual({(c, s) for _, c, s, _ in stored}, {("api", "published")})
        for n, r in results.items():  # line n is what was stored under its tracking number
            if "tracking" in r:
                i = n - 1 if n < 21 else n - 2
                name, = db_query(self.db, "SELECT name FROM contribution WHERE tracking = ?", (r["tracking"],))[0]
                self.assertEqual(name, "Sender %d" % i)
        # each its receipt, as through the API
        self.assertEqual(self.count("SELECT count(*) FROM outbox WHERE kind = 'receipt' AND recipient LIKE 's%@example.org'"),
                         20)
        # the campaign's letters stored (0, 3, ..., 21 but 9, refused) recognised on arrival as one campaign
        campaigns = db_query(self.db, "SELECT campaign_id, count(*) FROM contribution WHERE name LIKE 'Sender %' "
                                      "AND campaign_id IS NOT NULL GROUP BY campaign_id")
        self.assertEqual([c for _, c in campaigns], [7])

    def test_a_closed_call_refuses_every_line(self):
        path = self.write_lines([json.dumps(contribution(email="late%d@example.org" % i)) for i in range(3)])
        before = self.count("SELECT count(*) FROM contribution")
        p = self.import_file(path, CALL1_FIRST_SECOND_CLOSED)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("3 lines, 0 imported, 3 refused", p.stderr)
        for r in map(json.loads, p.stdout.splitlines()):
            self.assertEqual(r["error"]["code"], "call_closed")
        self.assertEqual(self.count("SELECT count(*) FROM contribution"), before)

    def test_all_good_exits_0_and_reads_standard_input_too(self):
        path = self.write_lines([json.dumps(contribution(email="ok%d@example.org" % i)) for i in range(5)])
        p = self.import_file(path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("5 lines, 5 imported, 0 refused", p.stderr)
        with open(path) as f:
            q = subprocess.run([binary(), "--db", db_url(self.db), "import", "--call", "1", "-"], stdin=f,
                               capture_output=True, text=True, env=dict(os.environ, CONSULTA_NOW=CALL1_OPEN),
                               timeout=60)
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertEqual(len(q.stdout.splitlines()), 5)

    def test_a_mistyped_member_is_refused_alike_by_the_api_and_the_import(self):
        # both read members with field_json_string(): a number where a string goes is named, not dropped
        bad = contribution(country=7, organization=["x"])
        p = self.import_file(self.write_lines([json.dumps(bad)]))
        self.assertEqual(p.returncode, 1, p.stderr)
        imported = json.loads(p.stdout)["error"]["fields"]
        self.server.start()
        r = self.server.post_json("/api/v1/calls/1/contributions", bad)
        self.assertEqual(r.status, 422, r)
        posted = r.json()["error"]["fields"]
        for field in ("country", "organization"):
            self.assertEqual(imported[field], "Must be a string.")
            self.assertEqual(posted[field], "Must be a string.")
        self.assertEqual(self.count("SELECT count(*) FROM contribution WHERE country = '7'"), 0)
        self.assertIsNone(self.server.stop())

    def test_options_are_checked(self):
        path = self.write_lines([json.dumps(contribution())])
        for args in (["import", path], ["import", "--call", "x", path], ["import", "--call", "1", "--threads", "0",
                                                                         path],
                     ["import", "--call", "1", "--threads", "257", path], ["import", "--call", "1", "--frob"]):
            with self.subTest(args=args):
                p = run_command(args, db=self.db, now=CALL1_OPEN)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.strip())
        p = run_command(["import", "--call", "1", path + ".missing"], db=self.db, now=CALL1_OPEN)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open", p.stderr)
        p = run_command(["import", "--call", "999", path], db=self.db, now=CALL1_OPEN)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "not_found")


if __name__ == "__main__":
    unittest.main()
