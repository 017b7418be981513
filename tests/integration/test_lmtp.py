"""Mail in by LMTP (RFC 2033): `consulta serve --lmtp 127.0.0.1:PORT`, spoken
to by Python's smtplib.LMTP and, where the exact replies matter, by a small
client on a raw socket: one reply per recipient after DATA, in their order;
dot-unstuffing; RSET, NOOP, the order of commands; SIZE and the message size
limit; the limit of recipients and of connections; a temporary failure (451)
while the database is locked; and exactly once when the MTA delivers again."""

import smtplib
import socket
import sqlite3
import time

import harness
from harness import CALL1_OPEN, ServerTestCase, free_port

CALL1 = "written-inputs@gca-demo.example"
CALL2 = "final-inputs@gca-demo.example"
LIMIT_MAIL_MESSAGE = 25 * 1024 * 1024  # src/core/limits.h
LIMIT_LMTP_RECIPIENTS = 100
LIMIT_LMTP_CONNECTIONS = 32
TIMEOUT = 30


def message(message_id, to=CALL1, text="Inputs by LMTP."):
    return ("From: Ada Lovelace <ada@example.org>\r\nTo: %s\r\nSubject: By LMTP\r\nMessage-ID: <%s>\r\n\r\n%s\r\n"
            % (to, message_id, text)).encode("utf-8")


class Client:
    """A raw LMTP client: sends lines, reads replies (code, text) one line at a time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.file = self.sock.makefile("rb")

    def line(self):
        raw = self.file.readline()
        if not raw:
            raise AssertionError("the server closed the connection")
        text = raw.decode("utf-8").rstrip("\r\n")
        return int(text[:3]), text[4:], text[3:4] == "-"

    def reply(self):
        """One reply (multi-line replies joined); (code, last line's text)."""
        while True:
            code, text, more = self.line()
            if not more:
                return code, text

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode("utf-8"))

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


class Lmtp(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.server = harness.Server(cls.NOW, serve_args=["--lmtp", "127.0.0.1:%d" % cls.port])
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise
        cls.token = cls.server.account_token("secretariat@gca-demo.example")

    def client(self):
        c = Client(self.port)
        self.addCleanup(c.close)
        code, text = c.reply()
        self.assertEqual(code, 220, text)
        code, _ = c.cmd("LHLO mx.test.example")
        self.assertEqual(code, 250)
        return c

    def test_lhlo_offers_pipelining_size_and_enhanced_codes(self):
        c = Client(self.port)
        self.addCleanup(c.close)
        self.assertEqual(c.reply()[0], 220)
        c.send("LHLO mx.test.example\r\n")
        lines = []
        while True:
            code, text, more = c.line()
            self.assertEqual(code, 250)
            lines.append(text)
            if not more:
                break
        for word in ("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE %d" % LIMIT_MAIL_MESSAGE):
            self.assertIn(word, lines)

    def test_smtplib_lmtp_delivers_a_contribution_and_its_receipt_is_queued(self):
        with smtplib.LMTP("127.0.0.1", self.port, timeout=TIMEOUT) as s:
            refused = s.sendmail("ada@example.org", [CALL1], message("smtplib-1@example.org", text=".Dot first."))
        self.assertEqual(refused, {})
        with harness.connect_ro(self.server.db) as db:
            row = db.execute("SELECT tracking, text, channel FROM contribution WHERE message_id = ?",
                             ("smtplib-1@example.org",)).fetchone()
            receipts = db.execute("SELECT count(*) FROM outbox WHERE kind = 'receipt' AND message LIKE ?",
                                  ("%In-Reply-To: <smtplib-1@example.org>%",)).fetchone()[0]
        self.assertIsNotNone(row)
        self.assertEqual(row[1], ".Dot first.", "a dot-stuffed line is unstuffed")
        self.assertEqual(row[2], "email")
        self.assertEqual(receipts, 1)

    def test_one_reply_per_recipient_after_data_in_their_order(self):
        c = self.client()
        # Pipelined: the replies come in the order of the commands.
        c.send("MAIL FROM:<ada@example.org>\r\nRCPT TO:<%s>\r\nRCPT TO:<nobody@gca-demo.example>\r\n"
               "RCPT TO:<contributions+1@gca-demo.example>\r\nDATA\r\n" % CALL1)
        self.assertEqual(c.reply()[0], 250)
        code, text = c.reply()
        self.assertEqual((code, text.startswith("2.1.5")), (250, True))
        self.assertIn("call 1", text)
        code, text = c.reply()
        self.assertEqual(code, 250)
        self.assertIn("held for the secretariat", text)
        self.assertEqual(c.reply()[0], 250)
        self.assertEqual(c.reply()[0], 354)
        c.send(message("three-recipients@example.org") + b".\r\n")
        first, second, third = c.reply(), c.reply(), c.reply()
        self.assertEqual(first[0], 250)
        self.assertRegex(first[1], r"^2\.0\.0 <%s> contribution [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z] recorded for call 1$"
                         % CALL1)
        self.assertEqual(second[0], 250)
        self.assertIn("<nobody@gca-demo.example> held for the secretariat (no_call)", second[1])
        self.assertEqual(third[0], 250)
        self.assertIn("already recorded as contribution", third[1], "one Message-ID is one contribution")
        self.assertIn(first[1].split()[3], third[1])
        self.assertEqual(c.cmd("QUIT")[0], 221)

    def test_the_same_message_delivered_again_is_the_same_contribution(self):
        replies = []
        for _ in range(2):
            c = self.client()
            c.cmd("MAIL FROM:<ada@example.org>")
            c.cmd("RCPT TO:<%s>" % CALL1)
            self.assertEqual(c.cmd("DATA")[0], 354)
            c.send(message("again@example.org") + b".\r\n")
            replies.append(c.reply())
            c.cmd("QUIT")
        self.assertEqual(replies[0][0], 250)
        self.assertEqual(replies[1][0], 250)
        tracking = replies[0][1].split()[3]
        self.assertIn("already recorded as contribution %s" % tracking, replies[1][1])

    def test_commands_out_of_order_are_refused_and_rset_forgets(self):
        c = Client(self.port)
        self.addCleanup(c.close)
        c.reply()
        self.assertEqual(c.cmd("HELO mx.test.example")[0], 500, "LMTP is not SMTP")
        self.assertEqual(c.cmd("MAIL FROM:<ada@example.org>")[0], 503, "LHLO comes first")
        self.assertEqual(c.cmd("LHLO mx.test.example")[0], 250)
        self.assertEqual(c.cmd("RCPT TO:<%s>" % CALL1)[0], 503, "MAIL comes before RCPT")
        self.assertEqual(c.cmd("DATA")[0], 503)
        self.assertEqual(c.cmd("NOOP")[0], 250)
        self.assertEqual(c.cmd("MAIL FROM:<ada@example.org>")[0], 250)
        self.assertEqual(c.cmd("MAIL FROM:<ada@example.org>")[0], 503, "no nested MAIL")
        self.assertEqual(c.cmd("RCPT TO:<%s>" % CALL1)[0], 250)
        self.assertEqual(c.cmd("RSET")[0], 250)
        self.assertEqual(c.cmd("DATA")[0], 503, "RSET forgot the transaction")
        self.assertEqual(c.cmd("MAIL FROM:<>")[0], 250, "the null sender is a sender")
        self.assertEqual(c.cmd("RCPT TO:<not an address>")[0], 501)
        self.assertEqual(c.cmd("DATA")[0], 503, "no valid recipient")
        self.assertEqual(c.cmd("FROB")[0], 500)
        self.assertEqual(c.cmd("X" * 5000)[0], 500, "a line over the limit")
        self.assertEqual(c.cmd("NOOP")[0], 250, "and the session goes on")
        self.assertEqual(c.cmd("QUIT")[0], 221)

    def test_size_is_checked_when_announced_and_when_sent(self):
        c = self.client()
        code, text = c.cmd("MAIL FROM:<ada@example.org> SIZE=%d" % (LIMIT_MAIL_MESSAGE + 1))
        self.assertEqual(code, 552, text)
        self.assertEqual(c.cmd("MAIL FROM:<ada@example.org> BODY=8BITMIME")[0], 250)
        c.cmd("RCPT TO:<%s>" % CALL1)
        c.cmd("RCPT TO:<%s>" % CALL2)
        self.assertEqual(c.cmd("DATA")[0], 354)
        line = b"x" * 998 + b"\r\n"
        c.send(message("too-big@example.org")[:-2])
        c.send(line * (LIMIT_MAIL_MESSAGE // len(line) + 10) + b".\r\n")
        self.assertEqual(c.reply()[0], 552)
        self.assertEqual(c.reply()[0], 552, "one reply per recipient")
        self.assertEqual(c.cmd("NOOP")[0], 250)
        with harness.connect_ro(self.server.db) as db:
            n = db.execute("SELECT count(*) FROM contribution WHERE message_id = 'too-big@example.org'").fetchone()[0]
        self.assertEqual(n, 0)

    def test_too_many_recipients_are_told_to_come_again(self):
        c = self.client()
        c.cmd("MAIL FROM:<ada@example.org>")
        for i in range(LIMIT_LMTP_RECIPIENTS):
            self.assertEqual(c.cmd("RCPT TO:<r%d@gca-demo.example>" % i)[0], 250)
        self.assertEqual(c.cmd("RCPT TO:<one-more@gca-demo.example>")[0], 452)
        self.assertEqual(c.cmd("RSET")[0], 250)

    def test_connections_over_the_limit_are_told_421(self):
        clients = []
        try:
            for _ in range(LIMIT_LMTP_CONNECTIONS):
                c = Client(self.port)
                clients.append(c)
                self.assertEqual(c.reply()[0], 220)
            extra = Client(self.port)
            clients.append(extra)
            self.assertEqual(extra.reply()[0], 421)
        finally:
            for c in clients:
                c.close()
        # Once they are gone, there is room again.
        deadline = time.monotonic() + 10
        while True:
            c = Client(self.port)
            code = c.reply()[0]
            c.close()
            if code == 220 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(code, 220)

    def test_a_locked_database_answers_451_and_nothing_is_stored(self):
        c = self.client()
        c.cmd("MAIL FROM:<ada@example.org>")
        c.cmd("RCPT TO:<%s>" % CALL1)
        self.assertEqual(c.cmd("DATA")[0], 354)
        lock = harness.connect(self.server.db, timeout=1, isolation_level=None)
        try:
            lock.execute("BEGIN EXCLUSIVE")
            c.send(message("locked-lmtp@example.org") + b".\r\n")
            code, text = c.reply()
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        self.assertEqual(code, 451, text)
        self.assertTrue(text.startswith("4.3.0"), text)
        # The MTA tries again: stored once.
        c.cmd("MAIL FROM:<ada@example.org>")
        c.cmd("RCPT TO:<%s>" % CALL1)
        c.cmd("DATA")
        c.send(message("locked-lmtp@example.org") + b".\r\n")
        self.assertEqual(c.reply()[0], 250)


class LmtpLate(ServerTestCase):
    """After call 1's deadline: recorded, and the reply says it came late."""

    NOW = "2021-02-16T09:00:00Z"
    SHARED = False

    def test_a_late_message_is_recorded_and_the_reply_says_so(self):
        port = free_port()
        s = self.fresh_server(serve_args=["--lmtp", "127.0.0.1:%d" % port])
        c = Client(port)
        self.addCleanup(c.close)
        c.reply()
        c.cmd("LHLO mx.test.example")
        c.cmd("MAIL FROM:<ada@example.org>")
        c.cmd("RCPT TO:<%s>" % CALL1)
        c.cmd("DATA")
        c.send(message("late-lmtp@example.org") + b".\r\n")
        code, text = c.reply()
        self.assertEqual(code, 250)
        self.assertTrue(text.endswith("after the deadline"), text)
        c.cmd("QUIT")
        self.assertIsNotNone(s)

class LmtpTwoCalls(ServerTestCase):
    """When both calls take mail (call 1 late, call 2 open): one message to both is a contribution for each."""

    NOW = "2021-03-02T10:00:00Z"
    SHARED = False

    def test_one_message_for_two_calls_in_one_transaction_is_a_contribution_for_each(self):
        port = free_port()
        self.fresh_server(serve_args=["--lmtp", "127.0.0.1:%d" % port])
        c = Client(port)
        self.addCleanup(c.close)
        c.reply()
        c.cmd("LHLO mx.test.example")
        c.cmd("MAIL FROM:<ada@example.org>")
        self.assertEqual(c.cmd("RCPT TO:<%s>" % CALL1)[0], 250)
        self.assertEqual(c.cmd("RCPT TO:<%s>" % CALL2)[0], 250)
        self.assertEqual(c.cmd("DATA")[0], 354)
        c.send(message("two-calls-lmtp@example.org", to="%s, %s" % (CALL1, CALL2)) + b".\r\n")
        first, second = c.reply(), c.reply()
        self.assertEqual((first[0], second[0]), (250, 250))
        self.assertRegex(first[1], r"contribution \S+ recorded for call 1")
        self.assertRegex(second[1], r"contribution \S+ recorded for call 2")
        self.assertNotEqual(first[1].split()[3], second[1].split()[3], "each call its own tracking number")
        c.cmd("QUIT")
