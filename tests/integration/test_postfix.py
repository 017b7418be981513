"""A real MTA in front of Consulta: a private Postfix instance (Debian's
package), configured and started by this test under a temporary directory of
its own (`postfix -c DIR start`: its own main.cf, master.cf and queue;
listening on 127.0.0.1 only, on a free port; /etc/postfix is not touched).

Postfix relays the demo domain gca-demo.example to Consulta in the two ways
an MTA delivers: written-inputs@ through a pipe transport running
`consulta mail-in` as the unprivileged user nobody, every other address of
the domain over LMTP to `consulta serve --lmtp`. Messages are sent with
swaks; Consulta's receipts go back out through the same Postfix (serve
--smtp), which relays them to a real SMTP sink (aiosmtpd) standing for the
Internet. What is checked: a contribution for each message, the receipt
answering it (In-Reply-To), nothing back for an automatic reply or an
unknown address, one contribution for a message sent twice, a forged
Authentication-Results naming our authserv-id removed by Postfix's
header_checks and not believed, and a message
that arrives while Consulta is down: Postfix keeps it and delivers it when
Consulta is back.

The test skips (a TAP "# SKIP" line) only when Postfix cannot be run here:
not installed, or not run as root (Postfix starts as root and drops to its
own user)."""

import email
import email.policy
import email.utils
import glob
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from harness import CALL1_OPEN, free_port

try:
    from aiosmtpd.controller import Controller
except ImportError:
    Controller = None

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
POSTQUEUE = shutil.which("postqueue") or "/usr/sbin/postqueue"
SWAKS = shutil.which("swaks") or "/usr/bin/swaks"
FIXTURES = os.path.join(harness.ROOT, "tests", "mail", "fixtures")
WAIT = 60    # seconds a delivery may take (the sanitizer build is slow; Postfix retries every second)
QUIET = 4    # seconds to wait for a mail that must not come
PIPE_USER = "nobody"
MAIL_FROM = "consultation@gca-demo.example"
AUTHSERV_ID = "mx.gca-demo.example"  # the authserv-id of this Postfix, the only one Consulta believes
STAKEHOLDER = "grace@example.org"    # a registered, confirmed stakeholder
# Postfix's cleanup runs header_checks on the headers the client sent, before the queue; headers a milter
# (OpenDKIM, OpenDMARC) adds afterwards are not inspected by them (only by milter_header_checks), so this
# removes every Authentication-Results naming us that came with a message, and none that our own milter adds.
HEADER_CHECKS = "/^Authentication-Results:[[:space:]]*%s([[:space:];]|$)/ IGNORE\n" % AUTHSERV_ID.replace(".", "\\.")


def why_postfix_cannot_run():
    if not os.access(POSTFIX, os.X_OK):
        return "postfix is not installed (scripts/setup.sh installs it)"
    if os.geteuid() != 0:
        return "postfix must be started as root, and these tests do not run as root"
    if not os.access(SWAKS, os.X_OK):
        return "swaks is not installed (scripts/setup.sh installs it)"
    try:
        pwd.getpwnam("postfix")
        pwd.getpwnam(PIPE_USER)
    except KeyError as e:
        return "user missing: %s" % e
    if Controller is None:
        return None  # not a reason to skip: the test fails, saying aiosmtpd is missing
    return None


class Sink:
    """An SMTP server on loopback that keeps what it is given: the Internet, for Postfix's relayhost."""

    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.messages = []  # (envelope recipients, email.message.EmailMessage)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def answers_to(self, message_id):
        with self.lock:
            return [m for _, m in self.messages if (m.get("In-Reply-To") or "").strip() == "<%s>" % message_id]

    def stop(self):
        self.controller.stop()


MASTER_CF = """\
127.0.0.1:{smtp_port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
consulta  unix  -       n       n       -       4       pipe
  flags=DRhu user={pipe_user} argv=/usr/bin/env CONSULTA_NOW={now} ASAN_OPTIONS={asan} UBSAN_OPTIONS={ubsan} LSAN_OPTIONS={lsan} {binary} --db {db} --mail-from {mail_from} mail-in --recipient ${{recipient}} --sender ${{sender}} --authserv-id {authserv_id}
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/spool
data_directory = {dir}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = {dir}
maillog_file = {dir}/maillog
# loopback only, on the ports of master.cf; nothing of the machine's own mail set-up is used
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.gca-demo.example
mydomain = gca-demo.example
myorigin = $myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
# the demo's domain goes to Consulta (transport), everything else to the sink standing for the Internet
relay_domains = gca-demo.example
relay_recipient_maps =
recipient_delimiter = +
transport_maps = texthash:{dir}/etc/transport
relayhost = [127.0.0.1]:{sink_port}
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
consulta_destination_recipient_limit = 1
# quick retries, so that a deferred message is tried again within the test
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0
# Authentication-Results that claim to be ours but came with the message are removed on the way in
header_checks = regexp:{dir}/etc/header_checks
"""


@unittest.skipIf(why_postfix_cannot_run(), why_postfix_cannot_run() or "")
class Postfix(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if Controller is None:
            raise AssertionError("aiosmtpd is not importable: install python3-aiosmtpd (scripts/setup.sh)")
        cls.dir = tempfile.mkdtemp(prefix="consulta-postfix-")
        os.chmod(cls.dir, 0o755)
        cls.sink = None
        cls.server = None
        cls.postfix_started = False
        try:
            cls._set_up()
        except BaseException:
            cls._tear_down()
            raise

    @classmethod
    def _set_up(cls):
        d = cls.dir
        for sub in ("etc", "spool", "data", "db", "asan"):
            os.mkdir(os.path.join(d, sub))
        nobody = pwd.getpwnam(PIPE_USER)
        postfix = pwd.getpwnam("postfix")
        os.chown(os.path.join(d, "data"), postfix.pw_uid, postfix.pw_gid)
        # The pipe runs mail-in as nobody: the database and its folder are nobody's (the root server writes anyway).
        cls.server = harness.Server(CALL1_OPEN, workdir=os.path.join(d, "db"),
                                    global_args=["--mail-from", MAIL_FROM])
        cls.server.prepare()
        cls.server.account_token("secretariat@gca-demo.example")
        p = subprocess.run([harness.binary(), "--db", harness.db_url(cls.server.db), "user", "add", "--role",
                            "stakeholder", "--email", STAKEHOLDER, "--name", "Grace Registered",
                            "--password-stdin"], input="a long passphrase for grace\n", text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT,
                           env=dict(os.environ, CONSULTA_NOW=CALL1_OPEN))
        if p.returncode != 0:
            raise AssertionError("user add: " + p.stderr)
        for path in [os.path.join(d, "db")] + glob.glob(os.path.join(d, "db", "*")):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        os.chmod(os.path.join(d, "db"), 0o755)
        os.chown(os.path.join(d, "asan"), nobody.pw_uid, nobody.pw_gid)

        cls.sink = Sink()
        cls.smtp_port = free_port()
        cls.lmtp_port = free_port()
        cls.server.serve_args = ["--lmtp", "127.0.0.1:%d" % cls.lmtp_port,
                                 "--smtp", "smtp://127.0.0.1:%d" % cls.smtp_port, "--authserv-id", AUTHSERV_ID]
        cls.server.start()

        with open(os.path.join(d, "etc", "main.cf"), "w") as f:
            f.write(MAIN_CF.format(dir=d, sink_port=cls.sink.port))
        with open(os.path.join(d, "etc", "master.cf"), "w") as f:
            f.write(MASTER_CF.format(
                smtp_port=cls.smtp_port, pipe_user=PIPE_USER, now=CALL1_OPEN, binary=harness.binary(),
                db=harness.db_url(cls.server.db), mail_from=MAIL_FROM, authserv_id=AUTHSERV_ID,
                asan="log_path=%s/asan/mail-in:detect_leaks=1:halt_on_error=1" % d,
                ubsan="print_stacktrace=1:halt_on_error=1:log_path=%s/asan/ubsan" % d,
                lsan="suppressions=" + os.path.join(harness.ROOT, "tests", "lsan.supp")))
        with open(os.path.join(d, "etc", "header_checks"), "w") as f:
            f.write(HEADER_CHECKS)
        with open(os.path.join(d, "etc", "transport"), "w") as f:
            f.write("written-inputs@gca-demo.example consulta:\n"
                    "gca-demo.example lmtp:inet:127.0.0.1:%d\n" % cls.lmtp_port)
        cls.postfix(["check"])
        cls.postfix(["start"])
        cls.postfix_started = True
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.smtp_port), timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("postfix did not listen on %d:\n%s" % (cls.smtp_port, cls.maillog()))
                time.sleep(0.2)

    @classmethod
    def postfix(cls, args):
        p = subprocess.run([POSTFIX, "-c", os.path.join(cls.dir, "etc")] + args, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("postfix %s failed (%d): %s\n%s" % (" ".join(args), p.returncode, p.stdout,
                                                                     cls.maillog()))
        return p.stdout

    @classmethod
    def maillog(cls):
        try:
            with open(os.path.join(cls.dir, "maillog"), encoding="utf-8", errors="replace") as f:
                return f.read()[-200000:]
        except OSError:
            return "(no maillog)"

    @classmethod
    def tearDownClass(cls):
        problem = cls._tear_down()
        if problem:
            raise AssertionError(problem)

    @classmethod
    def _tear_down(cls):
        problems = []
        if cls.postfix_started:
            pidfile = os.path.join(cls.dir, "spool", "pid", "master.pid")
            try:
                with open(pidfile) as f:
                    master = int(f.read().strip())
            except (OSError, ValueError):
                master = None
            try:
                cls.postfix(["stop"])
            except AssertionError as e:
                problems.append(str(e))
            deadline = time.monotonic() + 20
            while master and time.monotonic() < deadline:
                try:
                    os.kill(master, 0)
                except OSError:
                    break
                time.sleep(0.2)
            else:
                if master:
                    os.kill(master, 9)  # the master of our own instance, by its pid
        if cls.server:
            p = cls.server.stop()
            cls.server.cleanup()
            if p:
                problems.append(p)
        if cls.sink:
            cls.sink.stop()
        reports = glob.glob(os.path.join(cls.dir, "asan", "*"))
        for r in reports:
            with open(r, errors="replace") as f:
                problems.append("sanitizer report from mail-in run by postfix (%s):\n%s" % (r, f.read()[-4000:]))
        shutil.rmtree(cls.dir, ignore_errors=True)
        return "\n".join(problems) or None

    # -- helpers ---------------------------------------------------------------------------

    def swaks(self, to, message_id, subject="Inputs through Postfix", body="Inputs sent through a real MTA.",
              headers=(), data=None, sender="ada@example.org"):
        cmd = [SWAKS, "--server", "127.0.0.1:%d" % self.smtp_port, "--from", sender, "--to", to,
               "--helo", "client.example.org", "--silent", "2", "--timeout", "30"]
        if data is not None:
            cmd += ["--data", data]
        else:
            cmd += ["--header", "Subject: " + subject, "--header", "Message-Id: <%s>" % message_id,
                    "--header", "From: Ada Lovelace <%s>" % sender, "--body", body]
            for h in headers:
                cmd += ["--header", h]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, "swaks: %s\n%s" % (p.stdout, self.maillog()))

    def db(self):
        return harness.connect_ro(self.server.db, timeout=10)

    def wait_for(self, what, probe, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("%s did not happen within %ds; postfix log:\n%s" % (what, timeout, self.maillog()[-6000:]))
            time.sleep(0.25)

    def contribution(self, message_id):
        with self.db() as c:
            return c.execute("SELECT tracking, call_id, text, late FROM contribution WHERE message_id = ?",
                             (message_id,)).fetchone()

    def held(self, message_id):
        with self.db() as c:
            return c.execute("SELECT reason, recipient FROM holding WHERE message_id = ?", (message_id,)).fetchone()

    def receipt(self, message_id):
        return self.wait_for("the receipt of %s at the sink" % message_id, lambda: self.sink.answers_to(message_id))

    # -- tests ---------------------------------------------------------------------------------

    def test_postfix_listens_on_loopback_only(self):
        p = subprocess.run(["postconf", "-c", os.path.join(self.dir, "etc"), "-h", "inet_interfaces"],
                           stdout=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(p.stdout.strip(), "127.0.0.1")

    def test_over_lmtp_a_contribution_and_its_receipt_back_through_postfix(self):
        mid = "pf-lmtp-1@example.org"
        self.swaks("contributions+1@gca-demo.example", mid)
        row = self.wait_for("the contribution", lambda: self.contribution(mid))
        self.assertEqual(row[1], 1)
        self.assertIn("Inputs sent through a real MTA.", row[2])
        answers = self.receipt(mid)
        self.assertEqual(len(answers), 1)
        r = answers[0]
        self.assertIn(row[0], r["Subject"])
        self.assertEqual(r["Auto-Submitted"], "auto-generated")
        self.assertIn("<%s>" % mid, r["References"])
        self.assertEqual(email.utils.parseaddr(r["From"])[1], MAIL_FROM)
        self.assertIn("relay=127.0.0.1[127.0.0.1]:%d" % self.lmtp_port, self.maillog(), "delivered over LMTP")

    def test_through_the_pipe_a_contribution_and_its_receipt(self):
        mid = "pf-pipe-1@example.org"
        self.swaks("written-inputs@gca-demo.example", mid, body="Inputs through the pipe transport.")
        row = self.wait_for("the contribution", lambda: self.contribution(mid))
        self.assertEqual(row[1], 1)
        self.assertIn("Inputs through the pipe transport.", row[2])
        self.assertEqual(len(self.receipt(mid)), 1)
        self.wait_for("postfix to log the pipe delivery",
                      lambda: "relay=consulta, " in self.maillog() and "status=sent" in self.maillog())

    def test_an_outlook_message_with_winmail_dat_through_the_pipe(self):
        path = glob.glob(os.path.join(FIXTURES, "*-outlook-winmail.eml"))[0]
        self.swaks("written-inputs@gca-demo.example", None, data=path, sender="grace@example.com")
        mid = "DB8PR04MB1234ABCD@DB8PR04MB.eurprd04.prod.outlook.com"
        row = self.wait_for("the contribution", lambda: self.contribution(mid))
        with self.db() as c:
            names = [n for (n,) in c.execute("SELECT a.name FROM attachment a JOIN contribution k ON "
                                             "k.id = a.contribution_id WHERE k.tracking = ? ORDER BY a.position",
                                             (row[0],))]
        self.assertEqual(names, ["inputs.txt", "report.pdf"])

    def test_the_same_message_twice_is_one_contribution_and_one_receipt(self):
        # The same message sent again, as a sending MTA does when it did not hear our 250: the same bytes,
        # while Postfix's Received header differs each time (it is a trace field, not the message).
        mid = "pf-twice-1@example.org"
        path = os.path.join(self.dir, "twice.eml")
        with open(path, "w") as f:
            f.write("From: Ada Lovelace <ada@example.org>\r\nTo: contributions+1@gca-demo.example\r\n"
                    "Subject: Sent twice\r\nDate: Mon, 01 Feb 2021 11:02:13 +0100\r\nMessage-ID: <%s>\r\n\r\n"
                    "Inputs sent through a real MTA, twice.\r\n" % mid)
        self.swaks("contributions+1@gca-demo.example", None, data=path)
        self.wait_for("the contribution", lambda: self.contribution(mid))
        self.receipt(mid)
        self.swaks("contributions+1@gca-demo.example", None, data=path)
        self.wait_for("the second delivery", lambda: "already recorded" in self.maillog() or None)
        time.sleep(QUIET)
        with self.db() as c:
            n = c.execute("SELECT count(*) FROM contribution WHERE message_id = ?", (mid,)).fetchone()[0]
        self.assertEqual(n, 1)
        self.assertEqual(len(self.sink.answers_to(mid)), 1)

    def test_an_unknown_address_is_held_and_nothing_goes_back(self):
        mid = "pf-unknown-1@example.org"
        self.swaks("nobody-here@gca-demo.example", mid)
        held = self.wait_for("the held message", lambda: self.held(mid))
        self.assertEqual(held[0], "no_call")
        time.sleep(QUIET)
        self.assertEqual(self.sink.answers_to(mid), [])

    def test_an_auto_reply_is_held_and_never_answered(self):
        mid = "pf-oof-1@example.org"
        self.swaks("written-inputs@gca-demo.example", mid, subject="Automatic reply: Inputs",
                   body="I am away.", headers=["Auto-Submitted: auto-replied"])
        held = self.wait_for("the held message", lambda: self.held(mid))
        self.assertEqual(held[0], "automatic")
        time.sleep(QUIET)
        self.assertEqual(self.sink.answers_to(mid), [])

    def test_a_message_that_arrives_while_consulta_is_down_is_delivered_when_it_is_back(self):
        problem = self.server.stop()
        self.assertIsNone(problem)
        try:
            mid = "pf-down-1@example.org"
            self.swaks("contributions+1@gca-demo.example", mid)
            self.wait_for("postfix to defer the message", lambda: "pf-down-1" in self.queue() or None)
            self.assertIsNone(self.contribution(mid))
        finally:
            self.server.start()
        subprocess.run([POSTQUEUE, "-c", os.path.join(self.dir, "etc"), "-f"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        self.wait_for("the contribution after Consulta came back", lambda: self.contribution(mid))
        self.assertEqual(len(self.receipt(mid)), 1)

    def test_a_forged_authentication_results_for_our_authserv_id_is_stripped_and_not_believed(self):
        forged = "Authentication-Results: %s; dkim=pass header.d=example.org; dmarc=pass" % AUTHSERV_ID
        for to, mid in (("contributions+1@gca-demo.example", "pf-forged-ar-lmtp@example.org"),
                        ("written-inputs@gca-demo.example", "pf-forged-ar-pipe@example.org")):
            self.swaks(to, mid, sender=STAKEHOLDER, headers=[forged], body="I claim to be verified.")
            self.wait_for("the contribution", lambda: self.contribution(mid))
            with self.db() as c:
                account, verification, raw = c.execute(
                    "SELECT k.account_id, k.sender_verification, b.data FROM contribution k "
                    "JOIN blob b ON b.sha256 = k.raw_sha256 WHERE k.message_id = ?", (mid,)).fetchone()
            self.assertIsNone(account, "%s: the contribution is not linked to the stakeholder's account" % to)
            self.assertEqual(verification, "none", to)
            self.assertNotIn(b"dmarc=pass", raw, "%s: Postfix removed the forged header" % to)
            self.assertIn(b"I claim to be verified.", raw)

    def queue(self):
        p = subprocess.run([POSTQUEUE, "-c", os.path.join(self.dir, "etc"), "-j"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=30)
        # postqueue -j does not list the Message-ID: find the queue file that holds it
        ids = []
        for line in p.stdout.splitlines():
            try:
                ids.append(__import__("json").loads(line)["queue_id"])
            except (ValueError, KeyError):
                continue
        found = ""
        for qid in ids:
            q = subprocess.run(["postcat", "-c", os.path.join(self.dir, "etc"), "-q", qid], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace",
                               timeout=30)
            found += q.stdout
        return found


if __name__ == "__main__":
    unittest.main()
