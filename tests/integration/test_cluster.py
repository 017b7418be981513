"""Several nodes on one PostgreSQL (issue 11, item 3): two `consulta serve`
processes on one database behind HAProxy 2.6 (run from a config in a
temporary directory on loopback), and mail senders on one database.

What must hold across nodes, each tested here:
- a session made by logging in on one node is a session on the other, and the
  CSRF token one node's page gave is the one the other expects (the key is in
  the database, server_secret, not in a process);
- the slow-down of failed logins counts the failures made on every node;
- a change made on one node is on the other's pages at once (the page cache
  of each node is keyed by a state read from the database);
- one message delivered by LMTP to both nodes (an MTA retrying elsewhere,
  directly or through HAProxy's LMTP section) is one contribution;
- one Idempotency-Key sent to both nodes at once (a client's retry that reached
  the other node) is one contribution, both answers naming its tracking number;
- HAProxy (the shipped contrib/haproxy/consulta.cfg, only its addresses
  changed) limits connections per client address as nginx does;
- under load through HAProxy, a node killed with SIGKILL loses nothing it
  acknowledged: every 201 is in the database, tracking numbers are unique,
  and the other node goes on answering through HAProxy;
- the outbox is claimed: two senders on one database and one SMTP server
  deliver each mail exactly once, and the mails of a sender killed while it
  held them are sent by another once its claim has run out.

These tests (but OutboxClaimsOnSqlite: two senders on one SQLite file) always
run on PostgreSQL (several nodes need a shared database server): the private PostgreSQL 15 of tests/pg/ (started by harness.py, or
CONSULTA_TEST_PG_URL), whatever CONSULTA_TEST_DB says. HAProxy is Debian's
haproxy (scripts/setup.sh installs it); without it, or without PostgreSQL,
these tests fail rather than pass having proved nothing."""

import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import harness
from harness import CALL1_OPEN, SLUG, contribution, cookie_value, free_port

PASSWORD = "a long passphrase for the tests"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
CALL1_ADDRESS = "written-inputs@gca-demo.example"
TIMEOUT = 30


def shared_database(now):
    """A fresh PostgreSQL database with the demo loaded; its URL."""
    d = tempfile.mkdtemp(prefix="consulta-cluster-db-")
    try:
        url = harness.pg_database_for(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    p = harness.run_command(["demo"], now=now, db=url)
    if p.returncode != 0:
        raise RuntimeError("consulta demo failed: %s" % p.stderr)
    return url


class Node(harness.Server):
    """A `consulta serve` on a database other nodes share: its own folder (its log), not its own database."""

    def __init__(self, now, db, **kw):
        super().__init__(now, demo=False, **kw)
        if harness.TEST_DB == "postgresql":
            harness.pg_drop(self.db)  # the database the harness made for this folder: not used
        self.db = db
        self.prepared = True

    def cleanup(self):
        self._kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Haproxy:
    """HAProxy in front of the nodes, from the shipped contrib/haproxy/consulta.cfg with only its addresses
    changed to loopback ports (as test_nginx.py runs the shipped nginx site): round robin, health checks on
    /healthz, the client's address in X-Forwarded-For, a request whose connection to a node failed sent to
    another (nothing reached the dead node, so nothing is done twice), LMTP passed to the nodes."""

    CONF = os.path.join(harness.ROOT, "contrib", "haproxy", "consulta.cfg")

    def __init__(self, ports, lmtp_ports):
        if not os.path.exists(HAPROXY):
            raise AssertionError("haproxy is not installed (scripts/setup.sh installs it)")
        self.dir = tempfile.mkdtemp(prefix="consulta-haproxy-")
        self.port = free_port()
        self.lmtp_port = free_port()
        with open(self.CONF) as f:
            cfg = f.read()
        changes = [(r"bind :80\n", "bind 127.0.0.1:%d\n" % self.port),
                   (r"bind :2424\n", "bind 127.0.0.1:%d\n" % self.lmtp_port)]
        for i in range(2):
            changes += [(r"(server node%d) 10\.0\.0\.1%d:8080" % (i + 1, i + 1), r"\1 127.0.0.1:%d" % ports[i]),
                        (r"(server node%d) 10\.0\.0\.1%d:2424" % (i + 1, i + 1), r"\1 127.0.0.1:%d" % lmtp_ports[i])]
        for pattern, replacement in changes:
            cfg, n = re.subn(pattern, replacement, cfg)
            if n != 1:
                raise AssertionError("the shipped HAProxy file has no single %r" % pattern)
        self.cfg = os.path.join(self.dir, "haproxy.cfg")
        with open(self.cfg, "w") as f:
            f.write(cfg)
        self.err = open(os.path.join(self.dir, "haproxy.log"), "wb")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", self.cfg], stdin=subprocess.DEVNULL,
                                     stdout=self.err, stderr=self.err, preexec_fn=harness._die_with_the_runner)
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                if self.request("GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("haproxy did not start: %s" % self.log())
            time.sleep(0.1)

    def request(self, method, path, body=None, headers=None, timeout=harness.HTTP_TIMEOUT):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return harness.Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()

    def log(self):
        with open(os.path.join(self.dir, "haproxy.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def form_token(html):
    m = re.search(r'name="csrf" value="([A-Za-z0-9_-]{43})"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


class TwoNodes(unittest.TestCase):
    """Two nodes on one PostgreSQL behind HAProxy, shared by the tests (the kill test starts its node again)."""

    NOW = CALL1_OPEN

    @classmethod
    def setUpClass(cls):
        cls.db = shared_database(cls.NOW)
        cls.lmtp = [free_port(), free_port()]
        cls.nodes = []
        cls.proxy = None
        try:
            for port in cls.lmtp:
                n = Node(cls.NOW, cls.db, serve_args=["--trusted-proxy", "127.0.0.1", "--lmtp",
                                                      "127.0.0.1:%d" % port])
                cls.nodes.append(n)
                n.start()
            cls.proxy = Haproxy([n.port for n in cls.nodes], cls.lmtp)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        problems = []
        if cls.proxy:
            cls.proxy.stop()
        for n in cls.nodes:
            problem = n.stop()
            n.cleanup()
            if problem:
                problems.append(problem)
        harness.pg_drop(cls.db)
        if problems:
            raise AssertionError("\n".join(problems))

    def setUp(self):
        for n in self.nodes:
            n.new_stderr()

    def tearDown(self):
        for n in self.nodes:
            report = harness.sanitizer_report(n.new_stderr())
            if report:
                self.fail("sanitizer report from a node: " + report)

    def test_a_session_and_its_csrf_token_from_one_node_work_on_the_other(self):
        a, b = self.nodes
        a.account_token("ada@example.org", role="stakeholder", password=PASSWORD)
        # The login form and its token come from node A, with the visitor's cookie A set.
        page = a.get("/login")
        self.assertEqual(page.status, 200, page)
        visitor = re.search(r"consulta_csrf=([A-Za-z0-9_-]{43})", page.header("Set-Cookie") or "").group(1)
        # Posted to node B: B expects the token A gave (one key, in the database).
        r = b.post_form("/login", {"email": "ada@example.org", "password": PASSWORD, "next": "/account",
                                   "csrf": form_token(page.text)},
                        headers={"Cookie": "consulta_csrf=" + visitor}, csrf=False)
        self.assertEqual(r.status, 303, r)
        session = cookie_value(r)
        self.assertTrue(session)
        # The session B made is a session on A: A shows the account page, and its form's token is the
        # session's; B takes that token to log out, and then A knows the session no more.
        mine = a.get("/account", headers={"Cookie": "consulta_session=" + session})
        self.assertEqual(mine.status, 200, mine)
        self.assertIn("ada@example.org", mine.text)
        token = form_token(mine.text)
        r = b.post_form("/logout", {"csrf": token}, headers={"Cookie": "consulta_session=" + session},
                        csrf=False)
        self.assertEqual(r.status, 303, r)
        after = a.get("/account", headers={"Cookie": "consulta_session=" + session})
        self.assertNotEqual(after.status, 200, "a session ended on one node ends on every node")
        # And a token made for another session is refused on either node.
        r = a.post_form("/logout", {"csrf": "x" * 43}, headers={"Cookie": "consulta_session=" + session},
                        csrf=False)
        self.assertEqual(r.status, 403, r)

    def test_failed_logins_on_both_nodes_count_together(self):
        """Failed logins of one account from one client address (X-Forwarded-For, from a trusted proxy's
        address), alternately on node A and node B: after the free failures, counted over both nodes, the
        next attempt is slowed on either node, even with the right password."""
        a, b = self.nodes
        a.account_token("grace@example.org", role="stakeholder", password=PASSWORD)
        client = {"X-Forwarded-For": "192.0.2.77"}

        def attempt(node, password):
            r = node.post_form("/login", {"email": "grace@example.org", "password": password, "next": "/account"},
                               headers=client)
            return r.status

        for i in range(5):  # ACCOUNT_FREE_FAILURES: 3 on A, 2 on B
            self.assertNotIn(attempt(self.nodes[i % 2], "wrong-%d" % i), (303, 429), "attempt %d" % i)
        self.assertEqual(attempt(b, "wrong-again"), 429)
        self.assertEqual(attempt(a, PASSWORD), 429, "the slow-down comes before the password is looked at")
        # From another address, the account is not locked out (the key is the account and the address).
        self.assertEqual(b.post_form("/login", {"email": "grace@example.org", "password": PASSWORD,
                                                "next": "/account"}, headers={"X-Forwarded-For": "192.0.2.78"}).status,
                         303)

    def test_a_change_on_one_node_is_on_the_other_nodes_pages_at_once(self):
        a, b = self.nodes
        token = a.account_token("sec-pages@gca.example")
        for _ in range(2):  # kept by B's page cache
            first = b.get("/versions/2")
            self.assertEqual(first.status, 200, first)
        r = a.send_json("PATCH", "/api/v1/processes/" + SLUG, {"title": "Guidelines, renamed on node A"},
                        token=token)
        self.assertEqual(r.status, 200, r)
        after = b.get("/versions/2")
        self.assertIn(b"Guidelines, renamed on node A", after.body)
        etag = first.header("ETag")
        if etag:  # a client holding the old page is not told it is still good
            self.assertEqual(b.get("/versions/2", headers={"If-None-Match": etag}).status, 200)
        r = a.send_json("PATCH", "/api/v1/processes/" + SLUG, {"title": "Guidelines on GCA"}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(b"renamed on node A", b.get("/versions/2").body)

    def test_one_message_delivered_by_lmtp_to_both_nodes_is_one_contribution(self):
        """An MTA that delivers a message again (its first try timed out) may reach another node: at once, to
        each node directly; then twice through HAProxy's LMTP section (round robin: once to each node)."""
        def message(mid):
            return ("From: Ada Lovelace <ada@example.org>\r\nTo: %s\r\nSubject: Twice\r\n"
                    "Message-ID: <%s>\r\n\r\nDelivered to both nodes.\r\n" % (CALL1_ADDRESS, mid)).encode()

        def deliver(port, mid):
            with smtplib.LMTP("127.0.0.1", port, timeout=TIMEOUT) as s:
                return s.sendmail("ada@example.org", [CALL1_ADDRESS], message(mid))

        results = [None, None]

        def direct(i):
            results[i] = deliver(self.lmtp[i], "cluster-twice@example.org")

        ts = [threading.Thread(target=direct, args=(i,)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(TIMEOUT)
        self.assertEqual(results, [{}, {}], "both nodes accept it (the second as the same message)")
        self.assertEqual([deliver(self.proxy.lmtp_port, "cluster-proxied@example.org") for _ in range(2)], [{}, {}])
        for mid in ("cluster-twice@example.org", "cluster-proxied@example.org"):
            rows = harness.db_query(self.db, "SELECT count(*) FROM contribution WHERE message_id = ?", (mid,))
            self.assertEqual(rows[0][0], 1, mid)
        for n in self.nodes:
            self.assertGreaterEqual(n.log().count("lmtp.delivered"), 2, "each node took one of each")

    def test_one_idempotency_key_sent_to_both_nodes_at_once_is_one_contribution(self):
        """A client that retries POST /api/v1/calls/{id}/contributions after a time-out may reach the other node
        while the first still writes: the same Idempotency-Key sent to each node directly at once, for several
        keys, makes one row each (the unique index of migration 047), and both answers name its tracking
        number."""
        def send(node, key):
            body = contribution(text="Sent to both nodes under key %s." % key)
            return node.post_json("/api/v1/calls/1/contributions", body, headers={"Idempotency-Key": key})

        for k in range(5):
            key = "two-nodes-%d" % k
            results = [None, None]

            def at_once(i):
                results[i] = send(self.nodes[i], key)

            ts = [threading.Thread(target=at_once, args=(i,)) for i in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(TIMEOUT)
            self.assertEqual([r.status for r in results], [201, 201], results)
            self.assertEqual(results[0].json()["tracking"], results[1].json()["tracking"], key)
            rows = harness.db_query(self.db, "SELECT tracking FROM contribution WHERE text = ?",
                                    ("Sent to both nodes under key %s." % key,))
            self.assertEqual([t for (t,) in rows], [results[0].json()["tracking"]], key)

    def test_haproxy_limits_connections_per_client_address(self):
        """The shipped configuration's limit (64 at once from one address, as nginx's limit_conn in front of
        one server): the 65th connection's request is answered 429 by HAProxy; once they close, 200."""
        held = []
        try:
            for _ in range(64):
                held.append(socket.create_connection(("127.0.0.1", self.proxy.port), timeout=TIMEOUT))
            time.sleep(0.2)  # HAProxy has counted them
            self.assertEqual(self.proxy.request("GET", "/healthz").status, 429)
        finally:
            for c in held:
                c.close()
        deadline = time.monotonic() + TIMEOUT
        while self.proxy.request("GET", "/healthz").status != 200:
            self.assertLess(time.monotonic(), deadline, "still refused after the connections closed")
            time.sleep(0.1)

    def test_z_a_node_killed_under_load_loses_nothing_acknowledged(self):
        """Clients post contributions through HAProxy; node A is killed (SIGKILL) a moment in. Every 201
        is a row with its tracking number; no tracking number is given twice; other answers are only
        HAProxy's 502/503 for requests that were on the dead node; afterwards HAProxy answers by node B."""
        a, b = self.nodes
        stop = threading.Event()
        lock = threading.Lock()
        acknowledged, others, failures = [], [], []

        def client(k):
            i = 0
            while not stop.is_set():
                i += 1
                body = json.dumps(contribution(name="Load %d-%d" % (k, i), email="load%d@example.org" % k))
                try:
                    r = self.proxy.request("POST", "/api/v1/calls/1/contributions", body=body.encode(),
                                           headers={"Content-Type": "application/json"})
                except OSError as e:  # the proxy itself must not drop us
                    with lock:
                        failures.append(repr(e))
                    continue
                with lock:
                    if r.status == 201:
                        acknowledged.append(r.json()["tracking"])
                    else:
                        others.append((r.status, r.body[:200]))

        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(8)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        a.kill9()
        killed_at = len(acknowledged)
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join(TIMEOUT)
        self.assertFalse(failures, failures[:5])
        self.assertGreater(len(acknowledged), killed_at, "node B went on taking contributions")
        self.assertEqual(len(set(acknowledged)), len(acknowledged), "a tracking number given twice")
        for status, body in others:
            self.assertIn(status, (502, 503), body)
        stored = {t for (t,) in harness.db_query(self.db, "SELECT tracking FROM contribution WHERE name LIKE 'Load %'")}
        missing = set(acknowledged) - stored
        self.assertFalse(missing, "acknowledged but not stored: %r" % sorted(missing)[:10])
        # HAProxy has marked A down: every request now goes to B and is answered.
        for _ in range(10):
            self.assertEqual(self.proxy.request("GET", "/processes/" + SLUG).status, 200)
        # A, started again on the same database, serves the contributions B took while it was down.
        a.start()
        for tracking in acknowledged[-3:]:
            self.assertEqual(a.get("/receipts/" + tracking).status, 200, tracking)


class SendMail:
    """`consulta send-mail --smtp URL` on a database, until stop() or kill9()."""

    def __init__(self, db, smtp_url, now=CALL1_OPEN):
        self.dir = tempfile.mkdtemp(prefix="consulta-sender-")
        self.err_path = os.path.join(self.dir, "send-mail.err")
        env = dict(os.environ)
        env["CONSULTA_NOW"] = now
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([harness.binary(), "--db", harness.db_url(db), "send-mail", "--smtp", smtp_url],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env,
                                         preexec_fn=harness._die_with_the_runner)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("sending mail through"):
            raise AssertionError("consulta send-mail did not start: %r %s" % (line, self.log()))

    def log(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self):
        """Stops it; a problem (exit status, sanitizer report) as a string, or None."""
        problem = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problem = "send-mail did not stop within 20 s"
            if not problem and self.proc.returncode != 0:
                problem = "send-mail exited with %s: %s" % (self.proc.returncode, self.log()[-2000:])
        report = harness.sanitizer_report(self.log())
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return report or problem


class Stall:
    """An SMTP server that accepts connections and never says a word: a sender holds its claim meanwhile."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stopping = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def stop(self):
        self.stopping = True
        self.sock.close()
        for c in self.conns:
            c.close()


def queue_mails(db, n, tag):
    """n mails, due now, straight into the outbox (as outbox_enqueue leaves them); their Message-IDs."""
    ids = ["%s-%d@cluster.test" % (tag, i) for i in range(n)]
    now = int(time.time())
    with harness.connect(db) as c:
        c.executemany("INSERT INTO outbox (created_at, kind, recipient, message, message_id, next_attempt_at) "
                      "VALUES (?, 'notice', ?, ?, ?, ?)",
                      [(now, "reader%d@example.org" % i,
                        "From: consulta@localhost\r\nTo: reader%d@example.org\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
                        "\r\nMail %d.\r\n" % (i, tag, mid, i), mid, now - 1) for i, mid in enumerate(ids)])
    return ids


class OutboxClaims(unittest.TestCase):
    """Mail senders on one PostgreSQL database against one SMTP server (aiosmtpd, as test_mail's)."""

    def setUp(self):
        import test_mail
        self.test_mail = test_mail
        self.db = shared_database(CALL1_OPEN)
        self.addCleanup(harness.pg_drop, self.db)
        self.senders = []

    def tearDown(self):
        problems = [p for p in (s.stop() for s in self.senders) if p]
        if problems:
            self.fail("\n".join(problems))

    def sender(self, url):
        s = SendMail(self.db, url)
        self.senders.append(s)
        return s

    def sink(self, delay=0.0):
        test_mail = self.test_mail

        class SlowSink(test_mail.Sink):
            async def handle_DATA(self, server, session, envelope):
                import asyncio
                await asyncio.sleep(delay)  # long enough for both senders to be at work at once
                return await test_mail.Sink.handle_DATA(self, server, session, envelope)

        s = SlowSink().start()
        self.addCleanup(s.stop)
        return s

    def delivered(self, sink):
        return [m[2]["Message-ID"].strip("<>") for m in sink.mails()]

    def test_two_senders_send_each_mail_exactly_once(self):
        sink = self.sink(delay=0.04)  # 120 mails: about 5 s, so both senders surely take part
        ids = queue_mails(self.db, 120, "twice")
        first, second = self.sender(sink.url), self.sender(sink.url)
        sink.wait(len(ids), timeout=90)
        time.sleep(2)  # a second copy would come now
        got = self.delivered(sink)
        self.assertEqual(sorted(got), sorted(ids), "each mail once: %d deliveries of %d mails" % (len(got), len(ids)))
        rows = harness.db_query(self.db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL OR claimed_by IS NOT NULL")
        self.assertEqual(rows[0][0], 0, "every mail marked sent, no claim left")
        sent_by = [s.log().count("result=sent") for s in (first, second)]
        self.assertEqual(sum(sent_by), len(ids))
        self.assertTrue(all(sent_by), "both senders sent some: %r" % sent_by)

    def test_the_mails_of_a_sender_killed_while_it_held_them_are_sent_by_another(self):
        stall = Stall()
        self.addCleanup(stall.stop)
        ids = queue_mails(self.db, 3, "killed")
        doomed = SendMail(self.db, "smtp://127.0.0.1:%d" % stall.port)
        deadline = time.monotonic() + TIMEOUT
        while not harness.db_query(self.db, "SELECT 1 FROM outbox WHERE claimed_by IS NOT NULL"):
            self.assertLess(time.monotonic(), deadline, "the sender claimed nothing: " + doomed.log())
            time.sleep(0.05)
        doomed.kill9()
        doomed.stop()
        claims = harness.db_query(self.db, "SELECT claimed_by, claimed_until FROM outbox WHERE sent_at IS NULL")
        self.assertEqual(len(claims), 3)
        self.assertTrue(all(c[0] for c in claims), claims)
        self.assertGreater(min(c[1] for c in claims), time.time() + 60, "the claim is a lease of minutes")
        sink = self.sink()
        self.sender(sink.url)
        time.sleep(3)  # the claim holds: the new sender (which looks every second) leaves them
        self.assertEqual(self.delivered(sink), [])
        # The lease runs out (moved to the past here rather than waited for): the new sender takes them.
        harness.db_query(self.db, "UPDATE outbox SET claimed_until = ? WHERE claimed_by IS NOT NULL",
                         (int(time.time()) - 1,))
        sink.wait(3)
        time.sleep(2)
        self.assertEqual(sorted(self.delivered(sink)), sorted(ids))


class OutboxClaimsOnSqlite(OutboxClaims):
    """The same with the senders on one SQLite file (a node and `consulta send-mail` on one machine)."""

    def setUp(self):
        import test_mail
        self.test_mail = test_mail
        d = tempfile.mkdtemp(prefix="consulta-senders-")
        self.addCleanup(shutil.rmtree, d, True)
        self.db = os.path.join(d, "consulta.db")
        for args in (["init"], ["demo"]):
            p = harness.run_command(args, now=CALL1_OPEN, db=self.db)
            if p.returncode != 0:
                raise RuntimeError("consulta %s failed: %s" % (args[0], p.stderr))
        self.senders = []


if __name__ == "__main__":
    unittest.main()
