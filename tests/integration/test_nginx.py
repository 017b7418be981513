"""
The production set-up (issue 7, item 7): nginx (Debian's nginx-light) with
the shipped contrib/nginx/consulta.conf in front of a real `consulta serve
--trusted-proxy 127.0.0.1`. A page and a POST go through; the client address
Consulta logs is the one nginx saw (put in X-Forwarded-For), never one the
client wrote itself; a body over Consulta's limit is refused by nginx.

nginx runs in the foreground from a configuration in a temporary
directory, on a free loopback port; the shipped file is included as it is,
only its listen port and upstream address changed.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import harness
from harness import free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
CONF = os.path.join(harness.ROOT, "contrib", "nginx", "consulta.conf")
CLIENT = "127.0.0.23"  # where the browser is, as nginx sees it


def request_from(source, port, method, path, body=b"", headers=None, timeout=20):
    """One HTTP/1.1 request from the loopback address source; returns (status, headers, body)."""
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    try:
        h = {"Host": "consultation.example.org", "Connection": "close"}
        h.update(headers or {})
        if body or method == "POST":
            h["Content-Length"] = str(len(body))
        head = "%s %s HTTP/1.1\r\n%s\r\n" % (method, path, "".join("%s: %s\r\n" % kv for kv in h.items()))
        s.sendall(head.encode("latin-1") + body)
        return harness.read_response(s)
    finally:
        s.close()


@unittest.skipUnless(NGINX, "nginx is not installed (Debian: nginx-light)")
class BehindNginx(harness.ServerTestCase):
    SHARED = False

    def setUp(self):
        super().setUp()
        self.consulta = self.fresh_server(serve_args=["--trusted-proxy", "127.0.0.1"])
        self.dir = tempfile.mkdtemp(prefix="consulta-nginx-")
        os.chmod(self.dir, 0o755)  # nginx's workers may run as another user
        self.port = free_port()
        with open(CONF) as f:
            site = f.read()
        site, n1 = re.subn(r"server 127\.0\.0\.1:8080;", "server 127.0.0.1:%d;" % self.consulta.port, site)
        site, n2 = re.subn(r"listen 80;", "listen 127.0.0.1:%d;" % self.port, site)
        self.assertEqual((n1, n2), (1, 1), "the shipped file has its upstream and listen lines")
        with open(os.path.join(self.dir, "consulta.conf"), "w") as f:
            f.write(site)
        with open(os.path.join(self.dir, "nginx.conf"), "w") as f:
            f.write("daemon off;\nworker_processes 1;\npid %(d)s/nginx.pid;\nerror_log %(d)s/error.log;\n"
                    "events { worker_connections 128; }\n"
                    "http {\n access_log %(d)s/access.log;\n client_body_temp_path %(d)s/body;\n"
                    " proxy_temp_path %(d)s/proxy;\n include %(d)s/consulta.conf;\n}\n" % {"d": self.dir})
        self.nginx = subprocess.Popen([NGINX, "-p", self.dir, "-e", os.path.join(self.dir, "error.log"), "-c",
                                       os.path.join(self.dir, "nginx.conf")],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      preexec_fn=harness._die_with_the_runner)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.nginx.poll() is not None:
                self.fail("nginx stopped: %s" % self.nginx.stderr.read().decode("utf-8", "replace"))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            self.fail("nginx did not listen within 10 s")

    def tearDown(self):
        self.nginx.terminate()
        try:
            self.nginx.wait(10)
        except subprocess.TimeoutExpired:
            self.nginx.kill()
            self.nginx.wait(5)
        self.nginx.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        super().tearDown()

    def http_lines(self):
        return [line for line in self.consulta.new_stderr().splitlines() if "event=http " in line]

    def test_a_page_and_a_post_go_through_and_consulta_sees_the_client_address_nginx_saw(self):
        self.consulta.new_stderr()
        status, headers, body = request_from(CLIENT, self.port, "GET", "/calls/1",
                                             headers={"X-Forwarded-For": "198.51.100.66"})
        self.assertEqual(status, 200)
        self.assertIn(b"</html>", body)
        self.assertIn("content-security-policy", headers)
        time.sleep(0.1)
        lines = self.http_lines()
        self.assertTrue(lines)
        self.assertIn("client=%s " % CLIENT, lines[-1], "the address nginx saw, not the one the client wrote")

        form = dict(harness.contribution(), csrf=self.consulta.csrf_token())  # the token our form gives
        status, headers, body = request_from(
            CLIENT, self.port, "POST", "/calls/1/contribute", urllib.parse.urlencode(form).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": "consulta_csrf=" + harness.CSRF_TOKEN})
        self.assertEqual(status, 303, body[:500])
        self.assertTrue(headers["location"].startswith("/receipts/"), headers)
        status, _, body = request_from(CLIENT, self.port, "GET", headers["location"])
        self.assertEqual(status, 200)
        time.sleep(0.1)
        lines = self.http_lines()
        self.assertTrue(any("method=POST" in line and "client=%s " % CLIENT in line for line in lines), lines)
        self.assertEqual(self.consulta.published_total(), 1)

    def test_an_open_data_file_goes_through_nginx(self):
        # Through the location for exports (its regular expression and settings are read by this nginx); that
        # it is that location and not / is not told apart here.
        status, headers, body = request_from(CLIENT, self.port, "GET", "/api/v1/processes/%s/paragraphs.csv"
                                             % harness.SLUG)
        self.assertEqual(status, 200, body[:300])
        self.assertTrue(headers["content-type"].startswith("text/csv"), headers)
        self.assertIn("content-security-policy", headers)
        self.assertTrue(body.startswith(b"\xef\xbb\xbf\"version_id\""), body[:100])
        self.assertGreater(body.count(b"\r\n"), 10)

    def test_a_body_over_the_limit_is_refused_by_nginx(self):
        body = b"x" * (2 * 1024 * 1024 + 1)
        status, _, _ = request_from(CLIENT, self.port, "POST", "/api/v1/calls/1/contributions", body,
                                    headers={"Content-Type": "application/json"})
        self.assertEqual(status, 413)


if __name__ == "__main__":
    unittest.main()
