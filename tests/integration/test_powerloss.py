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


@unittest.skipIf(harness.TEST_DB == "postgresql", "the power-loss VFS is SQLite's; PostgreSQL's crash test is to come")
class PowerLoss(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def load_then_cut(self, s, rng, label):
        """WRITERS threads send contributions until the power is cut, at a random moment once some were
        acknowledged; returns the tracking numbers answered 201 and how many requests the cut interrupted."""
        acked, lock, stop = [], threading.Lock(), threading.Event()
        interrupted = [0]

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
                elif r.status != 503:  # busy is an honest answer; anything else is a bug
                    raise AssertionError("%s: %r" % (label, r))

        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(WRITERS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 20 and time.monotonic() < deadline:  # some load first
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.5))  # then a random moment in the middle of it
        s.kill9()
        stop.set()
        for t in threads:
            t.join(HTTP_TIMEOUT + 5)
        with lock:
            return list(acked), interrupted[0]

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
