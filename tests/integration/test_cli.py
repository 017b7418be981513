"""
The command line: init and demo (twice changes nothing), --help, --version,
unknown commands and options, and a CONSULTA_NOW that is not an instant.
"""

import os
import shutil
import tempfile
import unittest

from harness import CALL1_OPEN, SLUG, Server, ServerTestCase, run_command


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="consulta-cli-")
        self.db = os.path.join(self.dir, "consulta.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_help_exits_0_and_shows_the_usage(self):
        for flag in ("--help", "-h"):
            with self.subTest(flag=flag):
                p = run_command([flag])
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("Usage: consulta", p.stdout)
                for word in ("init", "demo", "serve", "CONSULTA_NOW"):
                    self.assertIn(word, p.stdout)

    def test_version_exits_0(self):
        p = run_command(["--version"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^consulta \d+\.\d+\.\d+\n$")

    def test_no_command_is_an_error(self):
        p = run_command([], db=self.db)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Usage", p.stderr)

    def test_unknown_command_exits_non_zero(self):
        p = run_command(["frobnicate"], db=self.db)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unknown command frobnicate", p.stderr)
        self.assertFalse(os.path.exists(self.db), "no database is made for a command that does not exist")

    def test_unknown_options_exit_non_zero(self):
        for args in (["--frobnicate", "init"], ["init", "--force"], ["demo", "--dead"], ["serve", "--port", "1"],
                     ["serve", "--threads", "0"], ["serve", "--threads", "many"]):
            with self.subTest(args=args):
                p = run_command(args, db=self.db)
                self.assertNotEqual(p.returncode, 0, p.stdout)
                self.assertTrue(p.stderr.strip(), "says why")

    def test_unsupported_database_url_is_refused(self):
        p = run_command(["--db", "mysql://localhost/x", "init"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("sqlite:PATH", p.stderr)
        self.assertIn("postgresql://", p.stderr)

    def test_an_unreachable_postgresql_says_so(self):
        # Port 1 on loopback: nothing listens there.
        p = run_command(["--db", "postgresql://nobody@127.0.0.1:1/x", "init"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot connect to database postgresql://nobody@127.0.0.1:1/x", p.stderr)

    def test_bad_consulta_now_is_refused(self):
        for now in ("yesterday", "2021-02-30T00:00:00Z", "2021-02-15 23:00", "2021-02-15T25:00:00Z",
                    "2021-02-15T23:00:00"):
            with self.subTest(now=now):
                for args in (["init"], ["serve", "--listen", "127.0.0.1:0"]):
                    p = run_command(args, now=now, db=self.db, timeout=20)
                    self.assertNotEqual(p.returncode, 0, "%s accepted CONSULTA_NOW=%s" % (args[0], now))
                    self.assertIn("CONSULTA_NOW", p.stderr)
                    self.assertNotIn("listening", p.stdout)

    def test_consulta_now_with_an_offset_is_read_as_that_instant(self):
        # 23:59:59 in Zurich written with its offset is the last second of call 1.
        s = Server("2021-02-15T23:59:59+01:00", workdir=self.dir)
        s.start()
        try:
            c = s.get_json("/api/v1/calls/1").json()
            self.assertEqual(c["state"], "open")
            self.assertEqual(s.contribute()["received_at"], "2021-02-15T22:59:59Z")
        finally:
            problem = s.stop()
        self.assertIsNone(problem)

    def test_init_twice_is_fine(self):
        for _ in range(2):
            p = run_command(["init"], db=self.db)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("is ready", p.stdout)

    def test_listen_on_a_bad_address_is_refused(self):
        run_command(["init"], db=self.db)
        for listen in ("nowhere", "127.0.0.1:99999", "example.org:80", "127.0.0.1:"):
            with self.subTest(listen=listen):
                p = run_command(["serve", "--listen", listen], now=CALL1_OPEN, db=self.db, timeout=20)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn("--listen", p.stderr)


class DemoTwice(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def snapshot(self, s):
        return {path: s.get_json(path).json() for path in (
            "/api/v1/processes", "/api/v1/processes/" + SLUG, "/api/v1/calls/1", "/api/v1/calls/2",
            "/api/v1/calls/1/contributions")}

    def test_demo_run_twice_changes_nothing(self):
        s = self.fresh_server()  # init + demo done, serving
        s.contribute()
        before = self.snapshot(s)
        self.assertIsNone(s.stop())
        p = run_command(["demo"], now=CALL1_OPEN, db=s.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("already loaded: nothing changed", p.stdout)
        p = run_command(["demo", "--live"], now=CALL1_OPEN, db=s.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("nothing changed", p.stdout, "--live does not move an existing demo either")
        s.start()
        after = self.snapshot(s)
        self.assertEqual(after, before)
        body = after["/api/v1/processes/" + SLUG]
        counts = (len(body["milestones"]), len(body["documents"][0]["versions"]), len(body["calls"]),
                  len(body["meetings"]), len(body["circulars"]), len(body["categories"]))
        self.assertEqual(counts, (8, 2, 2, 2, 2, 6))

    def test_first_demo_says_it_loaded(self):
        d = tempfile.mkdtemp(prefix="consulta-cli-")
        try:
            db = os.path.join(d, "consulta.db")
            self.assertEqual(run_command(["init"], db=db).returncode, 0)
            p = run_command(["demo"], now=CALL1_OPEN, db=db)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("loaded the demo process gca-guidelines", p.stdout)
            self.assertIn("moved by 0 days", p.stdout)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_live_demo_puts_the_deadline_14_days_ahead(self):
        # --live moves the dates so that call 1 closes at the end of the 14th day from "now".
        d = tempfile.mkdtemp(prefix="consulta-cli-")
        try:
            s = Server("2030-06-01T10:00:00Z", demo=False, workdir=d)
            s.prepare()
            p = run_command(["demo", "--live"], now="2030-06-01T10:00:00Z", db=s.db)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("live", p.stdout)
            s.start()
            try:
                c = s.get_json("/api/v1/calls/1").json()
                self.assertEqual(c["closes_on"], "2030-06-15")
                self.assertEqual(c["closes_at"], "2030-06-15T21:59:59Z")  # summer time: UTC+02:00
                self.assertEqual(c["state"], "open")
            finally:
                self.assertIsNone(s.stop())
        finally:
            shutil.rmtree(d, ignore_errors=True)
