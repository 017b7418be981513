"""
`consulta migrate-db` moves an installation between SQLite and PostgreSQL (issue 11, item 2).

An installation on SQLite (the demo, contributions through the API, an account) is copied to a new
PostgreSQL database; the copy is served and answers the same pages and API answers; new contributions
there get new ids and tracking numbers (the identity sequences follow the copied rows); the copy read back
into a new SQLite file is the same again. The counts and checksums printed are the same on both sides, and
a copy changed afterwards (one name, one row gone) is found by --check. A target that is not empty, a URL
that is no database's, or a source that cannot be opened are refused with a clear message, and nothing is
copied. Whatever CONSULTA_TEST_DB says, the source is SQLite and the target the tests' PostgreSQL.
"""

import json
import os
import re
import shutil
import tempfile
import threading
import time
import unittest

import harness
from harness import CALL1_OPEN, Server, ServerTestCase, run_command

# The pages and answers compared between the source and its copy.
# Found in the campaign's letters: the search index comes with the copy (on SQLite made again from the entries).
SEARCH = "/api/v1/search?q=operators+coverage"
PATHS = ["/", "/processes/gca-guidelines", "/calls/1", "/calls/1/contributions", "/api/v1/processes/gca-guidelines",
         "/api/v1/calls/1/contributions", "/api/v1/calls/1/contributions?sort=name",
         "/api/v1/calls/1/contributions.csv", "/api/v1/calls/1/campaigns"]


def lines_of(out):
    """{table: (from rows, to rows, verdict)} of migrate-db's table, and its last line."""
    tables = {}
    for line in out.splitlines()[1:-1]:
        m = re.match(r"(\w+)\s+(\d+)\s+(\d+)\s+([0-9a-f]{64})\s+(ok|DIFFERENT)$", line)
        if m:
            tables[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(5))
    return tables, out.splitlines()[-1] if out else ""


class MigrateDb(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = tempfile.mkdtemp(prefix="consulta-migrate-")
        cls.source = os.path.join(cls.work, "source.db")
        s = Server(cls.NOW, db=cls.source, workdir=os.path.join(cls.work, "source"))
        os.makedirs(s.dir)
        try:
            s.start()
            cls.token = s.account_token("secretariat@example.org")
            # COPY's text format escapes these: a tab, newlines, a backslash, a carriage return, and non-ASCII.
            cls.trackings = [s.contribute(text="Before the move, number %d.\n\n\tA tab, a backslash \\N, a\r\n"
                                               "return and \u00e9\u4e2d." % i, email="m%d@example.org" % i)
                             ["tracking"] for i in range(5)]
            # A campaign: its representative is a contribution, which names its campaign (a cycle of keys).
            letter = ("Dear secretariat, the guidelines should require every operator to publish its coverage "
                      "maps, its prices and its outages each quarter, in open formats, so that communities can "
                      "plan their own networks where operators do not invest. Kind regards, %s")
            for i in range(4):
                s.contribute(text=letter % ("Sender %d" % i), name="Sender %d" % i, email="c%d@example.org" % i)
            s.campaigns_settled()
            cls.answers = {p: cls.read(s, p) for p in PATHS + ["/api/v1/contributions/" + t for t in cls.trackings]}
            cls.found = cls.read(s, SEARCH)
            cls.max_id = s.query("SELECT max(id) FROM contribution")[0][0]
        finally:
            problem = s.stop()
            s.cleanup()
        if problem:
            raise AssertionError(problem)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    @staticmethod
    def read(s, path):
        # As one browser (its visitor cookie): the forms' CSRF token is the server key's HMAC of it, the same
        # on the copy only if the key moved with the rest.
        r = s.get(path, headers={"Cookie": "consulta_csrf=" + harness.CSRF_TOKEN})
        if r.status != 200:
            raise AssertionError("%s: %r" % (path, r))
        return r.body

    def migrate(self, *args):
        return run_command(["migrate-db"] + list(args), now=self.NOW, timeout=120)

    def copy_to_postgresql(self, name):
        url = harness.pg_new_database(name)
        self.addCleanup(harness.pg_drop, url)
        p = self.migrate("--from", "sqlite:" + self.source, "--to", url)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        return url, p.stdout

    def serve(self, db):
        s = Server(self.NOW, db=db, ready=True)
        self._own.append(s)
        s.start()
        return s

    def test_the_copy_on_postgresql_answers_the_same_and_numbers_continue(self):
        url, out = self.copy_to_postgresql("migrated")
        tables, last = lines_of(out)
        self.assertIn("every count and checksum is the same", last)
        self.assertIn("copied:", last)
        self.assertGreaterEqual(tables["contribution"][0], len(self.trackings))
        self.assertTrue(all(v[0] == v[1] and v[2] == "ok" for v in tables.values()), out)
        for t in ("process", "version", "paragraph", "call", "contribution", "comment", "account", "outbox"):
            self.assertIn(t, tables)
        self.assertGreater(tables["paragraph"][0], 0)
        self.assertGreaterEqual(tables["campaign"][0], 1)
        # The order of the copy: a referenced table before the ones that reference it.
        order = list(tables)
        self.assertLess(order.index("process"), order.index("call"))
        self.assertLess(order.index("call"), order.index("contribution"))
        self.assertLess(order.index("contribution"), order.index("comment"))

        # The foreign keys deferred for the copy's cycle are checked at once again, as the migrations made them.
        self.assertEqual(harness.db_query(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                                               "condeferrable")[0][0], 0)
        s = self.serve(url)
        s.campaigns_settled()
        for path, body in self.answers.items():
            self.assertEqual(self.read(s, path), body, path)
        # New rows continue after the copied ones: new ids, new tracking numbers, no collision.
        new = [s.contribute(text="After the move, number %d." % i, email="n%d@example.org" % i)["tracking"]
               for i in range(3)]
        self.assertFalse(set(new) & set(self.trackings))
        ids = [i for (i,) in s.query("SELECT id FROM contribution WHERE tracking IN (?, ?, ?) ORDER BY id", new)]
        self.assertEqual(len(ids), 3)
        self.assertGreater(ids[0], self.max_id)
        self.assertEqual(s.published_total(), tables["contribution"][0] + 3)
        # A token made before the move still opens the office's API; an account and a token made after it get
        # their own rows (their identity columns continue too), and the audit log goes on.
        self.assertEqual(s.send_json("GET", "/api/v1/audit", token=self.token).status, 200)
        token = s.account_token("after@example.org")
        self.assertEqual(s.send_json("GET", "/api/v1/audit", token=token).status, 200)

    def test_back_to_sqlite_is_the_same_again(self):
        url, out = self.copy_to_postgresql("there")
        back = os.path.join(self.work, "back.db")
        p = self.migrate("--from", url, "--to", "sqlite:" + back)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        self.assertEqual({k: v[:2] for k, v in lines_of(p.stdout)[0].items()},
                         {k: v[:2] for k, v in lines_of(out)[0].items()})
        # The same checksums as the first copy printed: one canonical form on both backends.
        sums = lambda text: {l.split()[0]: l.split()[3] for l in text.splitlines()[1:-1] if l.endswith(" ok")}
        self.assertEqual(sums(p.stdout), sums(out))
        s = self.serve(back)
        s.campaigns_settled()  # the new server's pass looks at the copied rows again before "ungrouped" is 0
        for path in PATHS:
            self.assertEqual(self.read(s, path), self.answers[path], path)
        self.assertEqual(self.read(s, SEARCH), self.found, "the copy's search finds what the source's did")
        self.assertEqual(json.loads(self.found)["total"], 4)
        self.assertNotIn(s.contribute(text="Back on SQLite.")["tracking"], self.trackings)
        p = self.migrate("--check", "--from", "sqlite:" + self.source, "--to", "sqlite:" + back)
        self.assertEqual(p.returncode, 1, "a contribution more in the copy: --check says they differ")
        tables, last = lines_of(p.stdout)
        self.assertIn("THEY DIFFER", last)
        self.assertEqual(tables["contribution"][2], "DIFFERENT")
        self.assertEqual(tables["contribution"][1], tables["contribution"][0] + 1)

    def test_a_tampered_copy_gives_a_checksum_difference(self):
        url, _ = self.copy_to_postgresql("tampered")
        p = self.migrate("--check", "--from", "sqlite:" + self.source, "--to", url)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("checked:", p.stdout)
        # One letter of one name: the same count, another checksum, for that table only.
        harness.psql(url, "UPDATE contribution SET name = name || '.' WHERE tracking = '%s'" % self.trackings[2])
        p = self.migrate("--check", "--from", "sqlite:" + self.source, "--to", url)
        self.assertEqual(p.returncode, 1, p.stdout)
        tables, last = lines_of(p.stdout)
        self.assertIn("THEY DIFFER", last)
        self.assertEqual(tables["contribution"][2], "DIFFERENT")
        self.assertEqual(tables["contribution"][0], tables["contribution"][1])
        self.assertEqual([t for t, v in tables.items() if v[2] != "ok"], ["contribution"])
        # One row fewer: the count says it.
        harness.psql(url, "DELETE FROM outbox WHERE id = (SELECT max(id) FROM outbox)")
        tables, _ = lines_of(self.migrate("--check", "--from", "sqlite:" + self.source, "--to", url).stdout)
        self.assertEqual(tables["outbox"][1], tables["outbox"][0] - 1)

    def test_a_live_source_is_copied_as_one_snapshot(self):
        # A server goes on taking contributions with comments while the copy runs: read table by table without
        # one snapshot, the comments would name contributions copied after their table was (a foreign key
        # the target refuses), and the copy fails; read in one transaction, it is whole and consistent.
        live = os.path.join(self.work, "live.db")
        shutil.copy(self.source, live)
        s = self.serve(live)
        stop, sent = threading.Event(), []

        def writer():
            i = 0
            while not stop.is_set():
                r = s.post_json("/api/v1/calls/1/contributions", harness.contribution(
                    text="Live %d." % i, email="live%d@example.org" % i,
                    comments=[{"paragraph": "p3", "comment": "Live comment %d." % i}]))
                if r.status == 201:
                    sent.append(r.json()["tracking"])
                i += 1

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        try:
            while len(sent) < 5:
                time.sleep(0.05)
            url = harness.pg_new_database("live")
            self.addCleanup(harness.pg_drop, url)
            p = self.migrate("--from", "sqlite:" + live, "--to", url)
            during = len(sent)
            time.sleep(0.5)
        finally:
            stop.set()
            t.join(30)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        tables, last = lines_of(p.stdout)
        self.assertIn("every count and checksum is the same", last)
        copied = harness.db_query(url, "SELECT count(*) FROM contribution")[0][0]
        total = s.query("SELECT count(*) FROM contribution")[0][0]
        self.assertLessEqual(copied, total)
        self.assertGreater(len(sent), during, "the server kept writing during and after the copy")
        orphans = harness.db_query(url, "SELECT count(*) FROM comment m WHERE NOT EXISTS (SELECT 1 FROM contribution "
                                        "c WHERE c.id = m.contribution_id)")[0][0]
        self.assertEqual(orphans, 0)

    def test_a_target_that_is_not_empty_and_bad_urls_are_refused(self):
        url, _ = self.copy_to_postgresql("twice")
        before = harness.db_query(url, "SELECT count(*) FROM contribution")[0][0]
        p = self.migrate("--from", "sqlite:" + self.source, "--to", url)
        self.assertEqual(p.returncode, 1)
        self.assertIn("is not empty", p.stderr)
        self.assertIn("new, empty database", p.stderr)
        self.assertEqual(harness.db_query(url, "SELECT count(*) FROM contribution")[0][0], before)
        cases = [
            (["--from", "mysql://db/x", "--to", url], 1, "is not a database URL"),
            (["--from", "sqlite:" + self.source, "--to", "sqlite:"], 1, "is not a database URL"),
            (["--from", "sqlite:" + os.path.join(self.work, "none", "x.db"), "--to", "sqlite:" +
              os.path.join(self.work, "y.db")], 1, "cannot open"),
            (["--from", "sqlite:" + self.source, "--to", "postgresql://consulta:hunter2@127.0.0.1:1/x"], 1,
             "cannot connect"),
            (["--from", "sqlite:" + self.source, "--to", "sqlite:" + self.source], 1, "the same database"),
            (["--from", "sqlite:" + self.source], 2, "--to URL are required"),
            (["--to", url, "--frobnicate"], 2, "unknown option"),
        ]
        for args, code, message in cases:
            with self.subTest(args=args):
                p = self.migrate(*args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertIn(message, p.stderr)
                self.assertNotIn("hunter2", p.stderr, "a password is never printed")
        self.assertFalse(os.path.exists(os.path.join(self.work, "y.db")))

    def test_a_target_that_init_made_and_nothing_used_is_taken(self):
        url = harness.pg_new_database("initialized")
        self.addCleanup(harness.pg_drop, url)
        self.assertEqual(run_command(["init"], db=url).returncode, 0)
        p = self.migrate("--from", "sqlite:" + self.source, "--to", url)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("every count and checksum is the same", p.stdout)


if __name__ == "__main__":
    unittest.main()
