"""
Long work (issue 7, item 7): password hashing, pandoc and the wait for the
write lock run on the server's worker pool, never on the thread that serves
other connections; the pool's queue is bounded (503 with Retry-After at
once, nothing stored); converters run under memory and time limits; and a
5xx answer shows a short sentence and the request id, never the database's
words, which go to the log under that id.

The servers here run with --threads 1: with changes on the connection
threads, a GET would wait behind the slow change.
"""

import base64
import io
import json
import os
import re
import shutil
import sqlite3
import threading
import time
import unittest
import zipfile

import harness

PASSWORD = "a long passphrase for the tests"
BUSY_TIMEOUT = 10  # seconds (store/db_sqlite.c DB_BUSY_TIMEOUT_MS)
CONVERT_SECONDS = 20  # core/limits.h LIMIT_CONVERT_SECONDS
RID = re.compile(r"request id is ([0-9a-f]{16})")


def zip_bomb_docx(xml_bytes=100 * 1000 * 1000):
    """A small .docx (a few hundred KB) whose word/document.xml unpacks to about xml_bytes."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
        'document.main+xml"/></Types>')
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    para = "<w:p><w:r><w:t>" + "a" * 1000 + "</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", rels)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                    b'wordprocessingml/2006/main"><w:body>')
            chunk = (para * 1000).encode("ascii")
            for _ in range(xml_bytes // len(chunk)):
                f.write(chunk)
            f.write(b"</w:body></w:document>")
    return out.getvalue()


def timed_get(server, path):
    t0 = time.monotonic()
    r = server.get(path)
    return time.monotonic() - t0, r


class LongWork(harness.ServerTestCase):
    SHARED = False

    def lock_database(self, server):
        """Holds the write lock of the server's database (as a long writer would) until released."""
        db = harness.connect(server.db, isolation_level=None, timeout=5)
        db.execute("BEGIN EXCLUSIVE")
        return db

    def test_a_change_waiting_for_the_write_lock_does_not_hold_gets_and_its_503_shows_only_a_request_id(self):
        server = self.fresh_server(threads=1)
        results = {}

        # The two may reach the writer in two batches, each waiting the busy timeout: the client waits for both.
        patience = 2 * BUSY_TIMEOUT + 20

        def api():
            results["api"] = server.post_json("/api/v1/calls/1/contributions", harness.contribution(),
                                              timeout=patience)

        def form():
            results["form"] = server.post_form("/calls/1/contribute", harness.contribution(), timeout=patience)

        db = self.lock_database(server)
        try:
            ts = [threading.Thread(target=api), threading.Thread(target=form)]
            for t in ts:
                t.start()
            time.sleep(1)  # both changes are waiting for the lock
            for path in ("/healthz", "/calls/1", "/processes/" + harness.SLUG):
                took, r = timed_get(server, path)
                self.assertEqual(r.status, 200, path)
                self.assertLess(took, 1.0, "%s took %.2f s while changes waited for the write lock" % (path, took))
            for t in ts:
                t.join(patience + 5)
        finally:
            db.execute("ROLLBACK")
            db.close()
        log = server.log()
        for name, r in results.items():
            with self.subTest(channel=name):
                self.assertEqual(r.status, 503, r)
                low = r.text.lower()
                for word in ("database", "locked", "sqlite", "busy timeout"):
                    self.assertNotIn(word, low)
                m = RID.search(r.text)
                self.assertIsNotNone(m, r.text[:2000])
                rid = m.group(1)
                detail = [line for line in log.splitlines() if "rid=" + rid in line and "event=http.failure" in line]
                self.assertTrue(detail, "the detail is logged under the request id %s" % rid)
                self.assertRegex(detail[0], "locked|lock timeout")  # SQLite's words, PostgreSQL's
                self.assertEqual(r.header("X-Request-Id"), rid)
        self.assertEqual(results["api"].json()["error"]["code"], "unavailable")
        self.assertEqual(server.published_total(), 0)

    def test_a_server_starts_while_another_holds_the_write_lock_for_longer_than_the_busy_timeout(self):
        """A second node starting beside a busy one (its writer in a long transaction) comes up, and serves,
        rather than failing after the busy timeout: nothing at start waits for the write lock when it has
        nothing to write. A contribution sent meanwhile waits for the lock, and is stored once it is free."""
        server = self.fresh_server()
        server.stop()
        lock = self.lock_database(server)
        try:
            t0 = time.monotonic()
            server.start()
            started = time.monotonic() - t0
            self.assertEqual(server.get("/processes/" + harness.SLUG).status, 200)
            self.assertLess(started, BUSY_TIMEOUT, "it did not wait for the write lock to start")
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        r = server.post_json("/api/v1/calls/1/contributions", harness.contribution(name="Started Beside"))
        self.assertEqual(r.status, 201, r)
        self.assertIn(b"Started Beside", server.get("/calls/1/contributions").body)

    def test_a_confirmation_link_waiting_for_the_write_lock_does_not_hold_gets(self):
        # GET /account/confirm writes (routes.c marks it slow): it waits on a worker, not on the one pool thread.
        server = self.fresh_server(threads=1)
        result = {}
        db = self.lock_database(server)
        try:
            t = threading.Thread(target=lambda: result.update(r=server.get("/account/confirm?token=" + "x" * 43)))
            t.start()
            time.sleep(1)
            took, r = timed_get(server, "/healthz")
            self.assertEqual(r.status, 200)
            self.assertLess(took, 1.0, "/healthz took %.2f s while a confirmation link waited" % took)
            t.join(BUSY_TIMEOUT + 20)
        finally:
            db.execute("ROLLBACK")
            db.close()
        self.assertEqual(result["r"].status, 503, result["r"])
        self.assertRegex(result["r"].text, RID)

    def test_a_full_queue_answers_503_at_once_with_retry_after_and_stores_nothing(self):
        # Contributions wait for their group commit (core/contribution.h) in a queue of --write-queue places:
        # with the write lock held, the writer's batch waits, the queue fills, and the rest is refused at once.
        server = self.fresh_server(threads=1, serve_args=["--per-address-limit", "0", "--write-queue", "16"])
        n = 16 + 30  # the queue, and more (the writer's first batch takes a few of them)
        results = [None] * n

        def post(i):
            t0 = time.monotonic()
            r = server.post_json("/api/v1/calls/1/contributions", harness.contribution(text="Number %d." % i))
            results[i] = (time.monotonic() - t0, r)

        db = self.lock_database(server)
        try:
            ts = [threading.Thread(target=post, args=(i,)) for i in range(n)]
            for t in ts:
                t.start()
            time.sleep(3)
            quick = [(took, r) for took, r in (x for x in results if x)]
            self.assertGreaterEqual(len(quick), 12, "the ones beyond the queue are answered at once")
            for took, r in quick:
                self.assertEqual(r.status, 503, r)
                self.assertTrue(r.header("Retry-After"), r)
                self.assertEqual(r.json()["error"]["code"], "unavailable")
                self.assertLess(took, 2.0)
        finally:
            db.execute("ROLLBACK")
            db.close()
        for t in ts:
            t.join(BUSY_TIMEOUT + 30)
        stored = sum(1 for _, r in results if r.status == 201)
        self.assertGreater(stored, 0, "once the lock is free, the queued changes are made")
        self.assertEqual(server.published_total(), stored, "every 201 is stored, and nothing else")
        self.assertEqual(stored + sum(1 for _, r in results if r.status == 503), n)

    def test_gets_answer_quickly_while_many_logins_hash_their_passwords(self):
        server = self.fresh_server(threads=1)
        server.account_token("hasher@example.org", role="stakeholder", password=PASSWORD)
        stop = threading.Event()
        logins = []

        def login():
            while not stop.is_set():
                r = server.post_form("/login", {"email": "hasher@example.org", "password": PASSWORD,
                                                "next": "/account"})
                logins.append(r.status)

        ts = [threading.Thread(target=login, daemon=True) for _ in range(24)]
        for t in ts:
            t.start()
        try:
            time.sleep(1)
            worst = 0.0
            for _ in range(10):
                took, r = timed_get(server, "/calls/1")
                self.assertEqual(r.status, 200)
                worst = max(worst, took)
                time.sleep(0.1)
        finally:
            stop.set()
            for t in ts:
                t.join(60)
        self.assertGreater(len(logins), 24, "logins were running")
        self.assertTrue(all(s == 303 for s in logins), set(logins))
        self.assertLess(worst, 1.0, "a page took %.2f s while logins hashed passwords" % worst)
        if os.environ.get("CONSULTA_TEST_VERBOSE"):
            print("# a page took %.3f s at worst during %d logins" % (worst, len(logins)))

    @unittest.skipUnless(shutil.which("pandoc"), "pandoc is not installed")
    def test_a_docx_zip_bomb_is_refused_with_a_clear_message_in_time_and_the_server_stays_responsive(self):
        server = self.fresh_server(threads=1)
        token = server.account_token("office@example.org")
        bomb = zip_bomb_docx()
        self.assertLess(len(bomb), 1024 * 1024, "a small file")
        body = {"docx": base64.b64encode(bomb).decode("ascii"), "date": "2021-05-07", "label": "Bomb"}
        result = {}

        def post():
            t0 = time.monotonic()
            result["r"] = server.send_json("POST", "/api/v1/processes/%s/documents/guidelines/versions"
                                           % harness.SLUG, body, token=token)
            result["took"] = time.monotonic() - t0

        t = threading.Thread(target=post)
        t.start()
        time.sleep(0.3)
        while t.is_alive():
            took, r = timed_get(server, "/healthz")
            self.assertEqual(r.status, 200)
            self.assertLess(took, 1.0, "/healthz took %.2f s during a conversion" % took)
            time.sleep(0.2)
        t.join(CONVERT_SECONDS + 30)
        r = result["r"]
        err = self.assertErrorShape(r, 422, "invalid", {"docx"})
        self.assertIn("more than can be converted", err["fields"]["docx"])
        self.assertLess(result["took"], CONVERT_SECONDS + 5)
        if os.environ.get("CONSULTA_TEST_VERBOSE"):
            print("# the zip bomb (%d bytes) was refused in %.2f s" % (len(bomb), result["took"]))
        process = server.get_json("/api/v1/processes/" + harness.SLUG).json()
        self.assertNotIn("Bomb", json.dumps(process), "nothing was stored")


if __name__ == "__main__":
    unittest.main()
