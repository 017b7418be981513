"""
Slow and hostile clients (issue 7, item 7): a socket flood of clients that
dribble their request head, a per-address connection limit, deadlines for
the whole request (not only for silence), and a request method that tries
to forge a log line.

The flood comes from many loopback source addresses (127.0.0.2 and up), so
that the per-address limit alone cannot explain that /healthz still
answers: the deadlines and the connection limit do.
"""

import os
import re
import resource
import select
import socket
import threading
import time
import unittest

import harness

FLOOD = 1000        # slow clients at once
PER_SOURCE = 20     # from each source address: under the default per-address limit of 64
HEAD_DEADLINE = 10  # seconds (server.c SERVER_HEAD_SECONDS)
REQUEST_DEADLINE = 30  # seconds (server.c SERVER_REQUEST_SECONDS)


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def connect_from(source, port, timeout=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_by_peer(s, wait=0.0):
    """True if the server has closed (or reset) s: it reads end-of-file, an error, or an answer that ends."""
    try:
        # poll, not select: with a thousand sockets open the descriptors pass select's FD_SETSIZE (1024)
        p = select.poll()
        p.register(s, select.POLLIN | select.POLLERR | select.POLLHUP)
        if not p.poll(wait * 1000):
            return False
        return s.recv(65536) == b""
    except OSError:
        return True


def wait_for_log(server, text, timeout=5):
    deadline = time.monotonic() + timeout
    while text not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)


def timed_healthz(port, source="127.0.0.1"):
    """Seconds /healthz took from a fresh connection, and its status line."""
    t0 = time.monotonic()
    s = connect_from(source, port, timeout=5)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status, _, _ = harness.read_response(s)
    finally:
        s.close()
    return time.monotonic() - t0, status


class SlowClients(harness.ServerTestCase):
    SHARED = False

    def test_healthz_answers_while_a_thousand_slow_clients_hang_on_and_they_are_cut_at_the_deadline(self):
        if raise_nofile(FLOOD + 200) < FLOOD + 100:
            self.fail("the test needs %d descriptors (RLIMIT_NOFILE)" % (FLOOD + 100))
        server = self.fresh_server()
        socks = []
        try:
            started = time.monotonic()
            for i in range(FLOOD):
                source = "127.0.0.%d" % (2 + i // PER_SOURCE)
                s = connect_from(source, server.port)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
            connected = time.monotonic() - started
            self.assertLess(connected, HEAD_DEADLINE - 3, "the flood must be in place well before the deadline")
            stop = threading.Event()

            def dribble():
                # One header byte per client every half second: never silent, never done.
                while not stop.is_set():
                    for s in socks:
                        try:
                            s.send(b"X")
                        except OSError:
                            pass
                    stop.wait(0.5)

            t = threading.Thread(target=dribble, daemon=True)
            t.start()
            try:
                time.sleep(1)  # every slow client has been accepted and is dribbling
                worst = 0.0
                for _ in range(5):
                    took, status = timed_healthz(server.port)
                    self.assertEqual(status, 200)
                    self.assertLess(took, 1.0, "/healthz took %.2f s with %d slow clients" % (took, FLOOD))
                    worst = max(worst, took)
                    time.sleep(0.2)
                if os.environ.get("CONSULTA_TEST_VERBOSE"):
                    print("# /healthz at worst %.3f s with %d slow clients" % (worst, FLOOD))
                still = sum(1 for s in socks if not closed_by_peer(s))
                self.assertEqual(still, FLOOD, "the slow clients hang on until their deadline")
                # The deadline counts from connecting, however often a byte arrives.
                time.sleep(max(0, started + HEAD_DEADLINE + 3 - time.monotonic()))
            finally:
                stop.set()
                t.join(5)
            deadline = time.monotonic() + 10
            open_ = list(socks)
            while open_ and time.monotonic() < deadline:
                open_ = [s for s in open_ if not closed_by_peer(s, 0.01)]
                if open_:
                    time.sleep(0.2)
            self.assertEqual(len(open_), 0, "%d of %d slow clients were not cut off" % (len(open_), FLOOD))
            took, status = timed_healthz(server.port)
            self.assertEqual(status, 200)
            self.assertIn("event=http.deadline", server.log())
        finally:
            for s in socks:
                s.close()

    def test_a_slow_body_is_cut_at_the_request_deadline(self):
        server = self.fresh_server()
        s = connect_from("127.0.0.1", server.port)
        try:
            s.sendall(b"POST /api/v1/calls/1/contributions HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            started = time.monotonic()
            cut = None
            while time.monotonic() - started < REQUEST_DEADLINE + 10:
                try:
                    s.send(b" ")
                except OSError:
                    cut = time.monotonic() - started
                    break
                if closed_by_peer(s, 1.0):
                    cut = time.monotonic() - started
                    break
            self.assertIsNotNone(cut, "a body sent one byte a second was never cut off")
            self.assertGreater(cut, REQUEST_DEADLINE - 2, "cut at the deadline, not before")
        finally:
            s.close()
        self.assertEqual(server.get("/healthz").status, 200)
        self.assertEqual(server.published_total(), 0)

    def test_a_kept_alive_connection_may_wait_past_the_head_deadline_for_its_next_request(self):
        # A browser keeps its connections for the next click: cutting them at 10 s of idleness made a
        # request sent just then fail (the browser test saw favicon loads aborted).
        server = self.fresh_server()
        s = connect_from("127.0.0.1", server.port, timeout=10)
        try:
            for wait in (0, HEAD_DEADLINE + 2):
                time.sleep(wait)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                status, _, _ = harness.read_response(s, read_until_close=False)
                self.assertEqual(status, 200, "after %d s idle" % wait)
        finally:
            s.close()

    def test_the_per_address_limit_refuses_one_more_connection_from_that_address_only(self):
        server = self.fresh_server(serve_args=["--per-address-limit", "5"])
        held = []
        try:
            for _ in range(5):
                s = connect_from("127.0.0.7", server.port)
                s.sendall(b"GET / HTTP/1.1\r\n")
                held.append(s)
            time.sleep(0.5)  # all five accepted by the server
            extra = connect_from("127.0.0.7", server.port)
            try:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                self.assertTrue(closed_by_peer(extra, 5), "the sixth connection from one address was served")
            except OSError:
                pass  # reset at once: refused all the same
            finally:
                extra.close()
            took, status = timed_healthz(server.port, source="127.0.0.8")
            self.assertEqual(status, 200, "another address is served")
            held.pop().close()
            time.sleep(0.5)
            took, status = timed_healthz(server.port, source="127.0.0.7")
            self.assertEqual(status, 200, "with one closed, the address is served again")
        finally:
            for s in held:
                s.close()

    def test_the_per_address_limit_is_on_by_default(self):
        server = self.fresh_server()
        wait_for_log(server, "event=serve.start")
        self.assertIn("per_address=64", server.log())
        held = []
        try:
            for _ in range(64):
                s = connect_from("127.0.0.9", server.port)
                s.sendall(b"GET / HTTP/1.1\r\n")
                held.append(s)
            time.sleep(0.5)
            extra = connect_from("127.0.0.9", server.port)
            try:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                self.assertTrue(closed_by_peer(extra, 5), "the 65th connection from one address was served")
            except OSError:
                pass
            finally:
                extra.close()
        finally:
            for s in held:
                s.close()


class HostileRequests(harness.ServerTestCase):

    def test_a_method_with_quotes_and_control_characters_cannot_forge_a_log_line(self):
        server = self.server
        method = b'PO"ST\x0bevent=forged\x1b[31m'
        server.raw(method + b" /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        time.sleep(0.2)
        log = server.new_stderr()
        lines = [line for line in log.splitlines() if "event=http " in line]
        self.assertTrue(lines, log)
        line = lines[-1]
        self.assertIn("method=PO%22ST%0Bevent%3Dforged%1B[31m path=", line)
        self.assertNotIn("event=forged", log)
        self.assertNotIn("\x0b", log)
        self.assertNotIn("\x1b", log)

    def test_x_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored(self):
        server = self.fresh_server(serve_args=["--trusted-proxy", "127.0.0.9,::1", "--trusted-proxy", "127.0.0.10"])
        server.new_stderr()
        r = server.request("GET", "/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
        self.assertEqual(r.status, 200)
        self.assertRegex(server.new_stderr(), r"client=127\.0\.0\.1 method=GET path=\"/healthz\"")
        # From the trusted proxy: the rightmost entry that is not a trusted proxy itself.
        for xff, client in (("198.51.100.1, 203.0.113.7", "203.0.113.7"),
                            ("203.0.113.8, 127.0.0.10", "203.0.113.8"),
                            ("not an address", "127.0.0.9")):
            s = connect_from("127.0.0.9", server.port)
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + xff.encode() +
                          b"\r\nConnection: close\r\n\r\n")
                status, _, _ = harness.read_response(s)
            finally:
                s.close()
            self.assertEqual(status, 200)
            time.sleep(0.1)
            self.assertRegex(server.new_stderr(), r"client=%s " % re.escape(client), xff)
        wait_for_log(server, "event=serve.start")
        self.assertIn("per_address=0", server.log(), "behind a proxy, the proxy sets the limit per address")

    def test_a_bad_trusted_proxy_is_refused_at_start(self):
        p = harness.run_command(["serve", "--listen", "127.0.0.1:0", "--trusted-proxy", "proxy.example"],
                                now=self.NOW, db=self.server.db)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--trusted-proxy", p.stderr)


if __name__ == "__main__":
    unittest.main()
