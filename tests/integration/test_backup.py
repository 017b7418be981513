"""`consulta backup FILE`: a copy of the SQLite database taken with SQLite's
online backup API while the server goes on taking contributions. The copy is
whole and checked (integrity_check), holds every contribution acknowledged
before the backup began, is a database a server starts on, and is never
written over an existing file nor left half-written under its name. On
PostgreSQL the command refuses and names PostgreSQL's own tools."""

import os
import shutil
import tempfile
import sqlite3
import threading

import harness
from harness import CALL1_OPEN, ServerTestCase, contribution, run_command


class Backup(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_a_backup_taken_under_load_is_whole_and_serves(self):
        s = self.fresh_server()
        out = os.path.join(s.dir, "backup.db")
        if harness.TEST_DB == "postgresql":
            p = run_command(["backup", out], db=s.db)
            self.assertEqual(p.returncode, 1)
            self.assertIn("pg_basebackup", p.stderr)
            self.assertFalse(os.path.exists(out))
            return
        before = [s.contribute(name="Before %d" % i)["tracking"] for i in range(5)]
        stop = threading.Event()
        during = []

        def write():
            i = 0
            while not stop.is_set():
                i += 1
                r = s.post_json("/api/v1/calls/1/contributions", contribution(name="During %d" % i))
                self.assertEqual(r.status, 201, r)
                during.append(r.json()["tracking"])

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            p = run_command(["backup", out], db=s.db)
        finally:
            stop.set()
            writer.join(60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^backup .*: \d+ pages, checked\n$")
        self.assertFalse(os.path.exists(out + ".partial"))
        with sqlite3.connect("file:%s?mode=ro" % out, uri=True) as c:
            self.assertEqual(c.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            stored = {t for (t,) in c.execute("SELECT tracking FROM contribution")}
        self.assertTrue(set(before) <= stored, "acknowledged before the backup began, so in it")
        self.assertTrue(during, "contributions were taken while the backup ran")

        # Never over an existing file.
        p = run_command(["backup", out], db=s.db)
        self.assertEqual(p.returncode, 1)
        self.assertIn("exists already", p.stderr)

        # The copy is a database: a server started on it (in its own folder) shows what it holds.
        restored = harness.Server(CALL1_OPEN, demo=False)
        self._own.append(restored)
        os.replace(out, restored.db)
        restored.start()
        r = restored.get("/receipts/" + before[0])
        self.assertEqual(r.status, 200, r)

    def test_bad_arguments(self):
        p = run_command(["backup"])
        self.assertEqual(p.returncode, 2)
        p = run_command(["backup", "a", "b"])
        self.assertEqual(p.returncode, 2)

    def test_no_database_at_the_path_is_said_and_none_is_made(self):
        d = tempfile.mkdtemp(prefix="consulta-backup-")
        self.addCleanup(shutil.rmtree, d, True)
        missing = os.path.join(d, "typo.db")
        p = run_command(["--db", "sqlite:" + missing, "backup", os.path.join(d, "copy.db")])
        self.assertEqual(p.returncode, 1)
        self.assertIn("no database", p.stderr)
        self.assertEqual(os.listdir(d), [])
