"""
A power cut loses no acknowledged contribution: proved on a disk that forgets.

kill -9 alone (test_durability.py) proves little about fsync: the operating
system keeps the killed process's writes in its page cache and writes them
later, so a server that never synced would pass. Here the server runs on the
test-only SQLite VFS of src/store/vfs_powerloss.c (CONSULTA_TEST_VFS=powerloss):
every write stays in the process's memory until SQLite syncs that file, so
kill -9 loses exactly what a power cut may lose. Several threads send
contributions through the API; every tracking number answered 201 is
recorded; the power is cut at a random moment in the middle of the load;
then the database, opened without the VFS, must pass PRAGMA integrity_check
and hold every acknowledged contribution. Three rounds on the same database,
the later ones starting from the state the earlier cut left.

The same test must be able to fail: with synchronous lowered
(CONSULTA_TEST_SYNCHRONOUS=OFF or NORMAL, honoured only with the test VFS),
acknowledged contributions are lost, and the tests below assert that they
are. In WAL mode NORMAL does not sync at commit (only at checkpoints), so it
loses them as OFF does; only FULL, Consulta's setting, keeps every one.

On PostgreSQL (CONSULTA_TEST_DB=postgresql) the same tests crash the database
server itself: a PostgreSQL of the test's own is stopped as a power cut stops
it (pg_ctl -m immediate: no checkpoint, no flush of its WAL buffers) while
the load goes on, then started again (crash recovery from the WAL); its
indexes must pass amcheck and every acknowledged contribution must be there.
That test can fail too: with CONSULTA_TEST_SYNCHRONOUS=OFF (test builds only)
the server commits with synchronous_commit off, and with the WAL writer held
back (wal_writer_delay 10 s) the last acknowledged commits are lost; and a
database whose default is synchronous_commit off (ALTER DATABASE ... SET)
does not lower the server's durability, which sets it on for each connection.
"""

import http.client
import random
import sqlite3
import harness
import threading
import time
import unittest

from harness import CALL1_OPEN, HTTP_TIMEOUT, ServerTestCase, contribution

VFS = {"CONSULTA_TEST_VFS": "powerloss"}
ROUNDS = 3
WRITERS = 4


def stored(db):
    """The tracking numbers in the database file and its integrity check, read without the test VFS."""
    conn = harness.connect(db, timeout=HTTP_TIMEOUT)
    try:
        check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        trackings = {row[0] for row in conn.execute("SELECT tracking FROM contribution")}
    finally:
        conn.close()
    return check, trackings


class Load:
    """The load of both backends' tests: writers sending contributions until the cut."""

    def load_then_cut(self, s, rng, label, cut=None):
        """WRITERS threads send contributions until the power is cut (cut(), or kill -9 of the server), at a
        random moment once some were acknowledged; returns the tracking numbers answered 201 and how many
        requests the cut interrupted. Before the cut, every answer is 201 or 503 (busy)."""
        acked, lock, stop = [], threading.Lock(), threading.Event()
        interrupted = [0]
        bad = []
        cutting = threading.Event()

        def writer(w):
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    r = s.post_json("/api/v1/calls/1/contributions",
                                    contribution(text="%s writer %d number %d" % (label, w, i)))
                except (OSError, http.client.HTTPException):  # the cut: connection refused or reset
                    with lock:
                        interrupted[0] += 1
                    return
                if r.status == 201:
                    with lock:
                        acked.append(r.json()["tracking"])
                elif r.status != 503 and not cutting.is_set():  # busy is an honest answer; anything else a bug
                    with lock:
                        bad.append(r)
                    return

        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(WRITERS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 20 and time.monotonic() < deadline:  # some load first
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.5))  # then a random moment in the middle of it
        cutting.set()
        if cut:
            cut()
        s.kill9()
        stop.set()
        for t in threads:
            t.join(HTTP_TIMEOUT + 5)
        with lock:
            self.assertEqual(bad, [], "%s: only 201 or 503 before the cut" % label)
            return list(acked), interrupted[0]


class PowerLoss(Load, ServerTestCase):  # SQLite's (defined below for PostgreSQL's run: PostgresCrash)
    NOW = CALL1_OPEN
    SHARED = False

    def test_every_acknowledged_contribution_survives_power_cuts(self):
        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        s = self.fresh_server(env=VFS)
        self.assertIn("event=store.test_vfs vfs=powerloss synchronous=FULL", s.log(),
                      "the server says loudly that it runs on the test VFS")
        all_acked = []
        for rnd in range(1, ROUNDS + 1):
            if rnd > 1:
                s.start()  # on the test VFS again, from the state the last cut left
            acked, interrupted = self.load_then_cut(s, rng, "round %d" % rnd)
            all_acked += acked
            check, trackings = stored(s.db)
            self.assertEqual(check, ["ok"], "round %d (seed %d)" % (rnd, seed))
            lost = [t for t in acked if t not in trackings]
            print("# round %d (seed %d): %d acknowledged, %d requests cut, %d lost"
                  % (rnd, seed, len(acked), interrupted, len(lost)))
            self.assertGreater(len(acked), 0)
            self.assertEqual(lost, [], "round %d (seed %d): acknowledged, then lost in the power cut" % (rnd, seed))
        # And the server, without the test VFS, serves every one of them.
        s.env = {}
        s.start()
        self.assertEqual(s.published_total(), len(stored(s.db)[1]))
        for t in all_acked[:: max(1, len(all_acked) // 25)]:
            self.assertEqual(s.get_json("/api/v1/contributions/" + t).status, 200, t)

    def lowered(self, synchronous):
        """With synchronous lowered, contributions sent one by one, then the power cut: the lost ones."""
        s = self.fresh_server(env=dict(VFS, CONSULTA_TEST_SYNCHRONOUS=synchronous))
        self.assertIn("synchronous=%s" % synchronous, s.log())
        # One at a time and few, well under an automatic checkpoint (1000 pages), which would sync.
        acked = [s.contribute(text="lowered %s %d" % (synchronous, i))["tracking"] for i in range(10)]
        s.kill9()
        check, trackings = stored(s.db)
        self.assertEqual(check, ["ok"], "a lost commit leaves a consistent database, only an older one")
        lost = [t for t in acked if t not in trackings]
        print("# synchronous=%s: %d acknowledged, %d lost" % (synchronous, len(acked), len(lost)))
        return acked, lost

    def test_the_test_sees_the_loss_when_synchronous_is_off(self):
        acked, lost = self.lowered("OFF")
        self.assertTrue(lost, "with synchronous=OFF acknowledged contributions must be lost, or this test is blind")

    def test_the_test_sees_the_loss_when_synchronous_is_normal(self):
        acked, lost = self.lowered("NORMAL")
        self.assertTrue(lost, "in WAL mode synchronous=NORMAL does not sync at commit: the commits must be lost")

    def test_synchronous_is_never_lowered_without_the_test_vfs(self):
        s = self.fresh_server(env={"CONSULTA_TEST_SYNCHRONOUS": "OFF"})
        self.assertEqual(s.contribute()["received_at"], CALL1_OPEN)
        self.assertNotIn("test_vfs", s.log(), "CONSULTA_TEST_SYNCHRONOUS is read only with the test VFS")
        self.assertNotIn("synchronous", s.log())


def pg_stored(url):
    """The tracking numbers in a PostgreSQL database after its crash, once its btree indexes passed amcheck
    (bt_index_check raises on a damaged one)."""
    harness.psql(url, "CREATE EXTENSION IF NOT EXISTS amcheck")
    harness.psql(url, "SELECT bt_index_check(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                      "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' "
                      "AND c.relnamespace = 'public'::regnamespace")
    return {t for (t,) in harness.db_query(url, "SELECT tracking FROM contribution")}


class PostgresCrash(Load, ServerTestCase):
    """PostgreSQL's equivalent of PowerLoss: the database server itself crashes under load."""

    NOW = CALL1_OPEN
    SHARED = False
    # The WAL writer held back and no autovacuum (whose commits would flush the WAL for everyone): what the
    # server does not flush at commit stays in PostgreSQL's memory, and the crash loses it.
    OPTIONS = "-c wal_writer_delay=10000ms -c autovacuum=off"

    def own_postgres(self):
        pg = harness.PrivatePostgres(self.OPTIONS)
        self.addCleanup(pg.close)  # after tearDown has stopped the servers
        return pg

    def server_on(self, pg, env=None, settings=()):
        s = harness.Server(self.NOW, db=pg.database("consulta", settings), env=env)
        self._own.append(s)
        s.start()
        return s

    def test_every_acknowledged_contribution_survives_postgresql_crashes(self):
        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        pg = self.own_postgres()
        s = self.server_on(pg)
        all_acked = []
        for rnd in range(1, ROUNDS + 1):
            if rnd > 1:
                s.start()
            acked, interrupted = self.load_then_cut(s, rng, "round %d" % rnd, cut=pg.crash)
            pg.start()  # crash recovery
            trackings = pg_stored(s.db)
            all_acked += acked
            lost = [t for t in acked if t not in trackings]
            print("# PostgreSQL crash, round %d (seed %d): %d acknowledged, %d requests cut, %d lost"
                  % (rnd, seed, len(acked), interrupted, len(lost)))
            self.assertGreater(len(acked), 0)
            self.assertEqual(lost, [], "round %d (seed %d): acknowledged, then lost in the crash" % (rnd, seed))
        s.start()
        self.assertEqual(s.published_total(), len(pg_stored(s.db)))
        for t in all_acked[:: max(1, len(all_acked) // 25)]:
            self.assertEqual(s.get_json("/api/v1/contributions/" + t).status, 200, t)

    def one_by_one_then_crash(self, env=None, settings=()):
        """Ten contributions sent one by one, then PostgreSQL crashes: the acknowledged ones it lost."""
        pg = self.own_postgres()
        s = self.server_on(pg, env=env, settings=settings)
        acked = [s.contribute(text="one by one %d" % i)["tracking"] for i in range(10)]
        pg.crash()
        s.kill9()
        pg.start()
        trackings = pg_stored(s.db)
        lost = [t for t in acked if t not in trackings]
        print("# %s: %d acknowledged, %d lost" % (env or dict(settings), len(acked), len(lost)))
        return s, lost

    def test_the_test_sees_the_loss_when_synchronous_commit_is_off(self):
        s, lost = self.one_by_one_then_crash(env={"CONSULTA_TEST_SYNCHRONOUS": "OFF"})
        self.assertIn("event=store.test_synchronous synchronous_commit=off", s.log(),
                      "the server says loudly that it commits without flushing")
        self.assertTrue(lost, "with synchronous_commit off acknowledged contributions must be lost, or this test "
                              "is blind")

    def test_a_database_default_of_synchronous_commit_off_does_not_lower_durability(self):
        s, lost = self.one_by_one_then_crash(settings=[("synchronous_commit", "off")])
        self.assertEqual(lost, [], "the server's connections commit with synchronous_commit on")
        self.assertNotIn("synchronous", s.log())


# One backend's tests per run: the other's would only be skipped (and CI fails a run with a skip).
if harness.TEST_DB == "postgresql":
    del PowerLoss
else:
    del PostgresCrash


if __name__ == "__main__":
    unittest.main()
