"""Contributions by e-mail through `consulta mail-in` (an MTA's pipe
transport): each fixture message of tests/mail/fixtures is delivered to a
fresh demo database with the clock its sidecar names, and what came of it is
read back as the secretariat reads it (GET /api/v1/contributions/{tracking}
with a secretariat's token), from the holding list (GET /api/v1/holding) and
from the outbox (the receipt, answering the message).

Then the rules that no single fixture shows: a second delivery of one
message (same Message-ID, sender and content) is one contribution with one
receipt, while another message reusing a Message-ID is held, and one message
to two calls is a contribution for each; a late contribution is
admitted by the secretariat; the exit codes an MTA reads (0, 65, 75) when the
database is locked, when the message is too large or empty, when the command
line is wrong; the call's e-mail channel in the API."""

import base64
import email
import email.policy
import glob
import json
import os
import sqlite3
import subprocess
import tempfile
import unittest

import harness
from harness import CALL1_OPEN, ServerTestCase

FIXTURES = os.path.join(harness.ROOT, "tests", "mail", "fixtures")
CALL1 = "written-inputs@gca-demo.example"
CALL2 = "final-inputs@gca-demo.example"
SECRETARIAT = "secretariat@gca-demo.example"
LIMIT_MAIL_MESSAGE = 25 * 1024 * 1024  # src/core/limits.h


def mail_in(db, eml, now, args=(), timeout=harness.COMMAND_TIMEOUT, env=None):
    """Runs `consulta --db sqlite:DB mail-in ARGS` with eml on standard input; returns (exit code, JSON, stderr)."""
    e = dict(os.environ)
    e["CONSULTA_NOW"] = now
    e.update(env or {})
    p = subprocess.run([harness.binary(), "--db", harness.db_url(db), "mail-in"] + list(args), input=eml,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=e)
    err = p.stderr.decode("utf-8", "replace")
    report = harness.sanitizer_report(err)
    if report:
        raise AssertionError("sanitizer report from mail-in: %s\n%s" % (report, err[-4000:]))
    lines = p.stdout.decode("utf-8").splitlines()
    if len(lines) != 1:
        raise AssertionError("mail-in printed %d lines, not one: %r (stderr %s)" % (len(lines), lines, err[-2000:]))
    return p.returncode, json.loads(lines[0]), err


def fixture_args(run):
    args = []
    if "recipient" in run:
        args += ["--recipient", run["recipient"]]
    if "sender" in run:
        args += ["--sender", run["sender"]]
    if "authserv_id" in run:
        args += ["--authserv-id", run["authserv_id"]]
    return args


def outbox(db, kind=None):
    """The queued mails (kind, recipient, message), oldest first."""
    with harness.connect_ro(db) as c:
        rows = c.execute("SELECT kind, recipient, message FROM outbox ORDER BY id").fetchall()
    return [r for r in rows if kind is None or r[0] == kind]


def answers_to(db, message_id):
    """The mails queued in reply to message_id."""
    return [r for r in outbox(db) if "In-Reply-To: <%s>" % message_id in r[2]]


def message_id_of(eml):
    for line in eml.split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().strip(b"<>").decode("ascii")
        if not line.strip():
            return None
    return None


class MailInFixtures(ServerTestCase):
    """One test per fixture message, all on one demo database (their Message-IDs differ)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.account_token(SECRETARIAT)
        p = subprocess.run([harness.binary(), "--db", harness.db_url(cls.server.db), "user", "add", "--role",
                            "stakeholder", "--email", "grace@example.org", "--name", "Grace Registered",
                            "--password-stdin"], input="a long passphrase for grace\n", text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT,
                           env=dict(os.environ, CONSULTA_NOW=CALL1_OPEN))
        if p.returncode != 0:
            raise AssertionError("user add: " + p.stderr)

    def record(self, tracking):
        r = self.server.send_json("GET", "/api/v1/contributions/" + tracking, token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def check_fixture(self, stem):
        with open(os.path.join(FIXTURES, stem + ".eml"), "rb") as f:
            eml = f.read()
        with open(os.path.join(FIXTURES, stem + ".json"), encoding="utf-8") as f:
            case = json.load(f)
        run, expect = case["run"], case["expect"]
        db = self.server.db
        before = len(outbox(db))
        code, out, err = mail_in(db, eml, run.get("now", CALL1_OPEN), fixture_args(run))
        self.assertEqual(code, expect.get("exit", 0), "%s: %s" % (out, err[-2000:]))
        self.assertEqual(out["outcome"], expect["outcome"], out)
        for key in ("call", "late", "reason"):
            if key in expect:
                self.assertEqual(out[key], expect[key], out)
        message_id = message_id_of(eml)
        if "receipt" in expect:
            answers = answers_to(db, message_id) if message_id else outbox(db)[before:]
            self.assertEqual(len(answers), 1 if expect["receipt"] else 0, answers)
            if expect["receipt"]:
                kind, to, text = answers[0]
                self.assertIn("Auto-Submitted: auto-generated", text)
                self.assertIn("References:", text)
                if out["outcome"] == "accepted":
                    self.assertEqual(kind, "receipt")
                    self.assertIn(out["tracking"], text)
                    self.assertEqual("after the deadline" in text, bool(expect.get("receipt_late")), text)
                    if expect.get("receipt_late"):
                        self.assertIn("secretariat decides", text.replace("=\r\n", ""))
                else:
                    self.assertEqual(kind, "held")
        if out["outcome"] == "held":
            r = self.server.send_json("GET", "/api/v1/holding?per_page=100", token=self.token)
            self.assertEqual(r.status, 200, r)
            held = [h for h in r.json()["held"] if h["id"] == out["held"]]
            self.assertEqual(len(held), 1, r.json())
            self.assertEqual(held[0]["reason"], expect["reason"])
            self.assertEqual(held[0]["size"], len(eml), "the message is kept whole")
        want = expect.get("contribution")
        if out["outcome"] != "accepted" or not want:
            return
        k = self.record(out["tracking"])
        mail = k["mail"]
        self.assertEqual(k["channel"], "email")
        self.assertEqual(k["publication"], "private")
        self.assertEqual(mail["message_id"], message_id)
        self.assertEqual(len(mail["raw_sha256"]), 64)
        for key in ("name", "state", "late"):
            if key in want:
                self.assertEqual(k[key], want[key], k)
        for key in ("sender", "subject", "sender_verification", "authentication"):
            if key in want:
                self.assertEqual(mail[key], want[key], mail)
        if "text" in want:
            self.assertEqual(k["text"], want["text"])
        for piece in want.get("text_contains", []):
            self.assertIn(piece, k["text"])
        for piece in want.get("text_excludes", []):
            self.assertNotIn(piece, k["text"])
        if "attachments" in want:
            got = mail["attachments"]
            self.assertEqual([a["name"] for a in got], [a["name"] for a in want["attachments"]], got)
            for g, w in zip(got, want["attachments"]):
                self.assertEqual(len(g["sha256"]), 64)
                self.assertGreater(g["size"], 0)
                if "type" in w:
                    self.assertEqual(g["type"], w["type"], g)
                if "text" in w:
                    self.assertEqual(g["text"], w["text"], g)
                if "text_contains" in w:
                    self.assertIsNotNone(g["text"], g)
                    self.assertIn(w["text_contains"], g["text"])
        if "linked" in want:
            with harness.connect_ro(db) as c:
                account = c.execute("SELECT account_id FROM contribution WHERE tracking = ?",
                                    (out["tracking"],)).fetchone()[0]
            self.assertEqual(account is not None, want["linked"])
        # What the public sees: nothing of a message (it is for the secretariat only).
        self.assertEqual(self.server.get_json("/api/v1/contributions/" + out["tracking"]).status, 404)


def _add_fixture_tests():
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.eml"))):
        stem = os.path.basename(path)[:-4]

        def test(self, stem=stem):
            self.check_fixture(stem)
        test.__doc__ = "fixture %s" % stem
        setattr(MailInFixtures, "test_fixture_" + stem.replace("-", "_"), test)


_add_fixture_tests()


def simple(message_id, to=CALL1, sender="ada@example.org", text="Inputs on paragraph 3.", extra=""):
    return ("From: Ada <%s>\r\nTo: %s\r\nSubject: Inputs\r\nMessage-ID: <%s>\r\n%s\r\n%s\r\n"
            % (sender, to, message_id, extra, text)).encode("utf-8")


class MailInRules(ServerTestCase):
    """Exactly once, late and admitted, the exit codes, the channel in the API."""

    SHARED = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.account_token(SECRETARIAT)

    def test_an_attachment_too_large_is_told_in_the_senders_language_in_megabytes(self):
        # The sender has an account that chose French: the answer that the message is held is in French, its
        # sizes in megabytes as the web's 413 says them (the attachment's rounded up, the limit down).
        self.server.account_token("lea@example.org", role="stakeholder")
        with harness.connect(self.server.db) as db:
            db.execute("UPDATE account SET language = 'fr' WHERE email = 'lea@example.org'")
        big = base64.encodebytes(b"\0" * (15 * 1024 * 1024 + 100 * 1024)).replace(b"\n", b"\r\n")
        eml = (b"From: Lea <lea@example.org>\r\nTo: " + CALL1.encode() + b"\r\nSubject: Inputs\r\n"
               b"Message-ID: <big-fr@example.org>\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
               b"Inputs.\r\n--b\r\nContent-Type: application/octet-stream; name=big.bin\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\n" + big + b"--b--\r\n")
        code, out, err = mail_in(self.server.db, eml, CALL1_OPEN)
        self.assertEqual((code, out["outcome"], out["reason"]), (0, "held", "limit"), err[-2000:])
        (kind, to, message), = answers_to(self.server.db, "big-fr@example.org")
        self.assertEqual((kind, to), ("held", "lea@example.org"))
        text = email.message_from_string(message, policy=email.policy.default).get_body(("plain",)).get_content()
        self.assertIn("La pi\u00e8ce jointe big.bin fait 16 Mo\u00a0; 15 Mo au plus sont accept\u00e9s "
                      "pour un fichier.", " ".join(text.split()).replace(" ; ", "\u00a0; "), text)

    def test_the_calls_show_their_e_mail_channel(self):
        for call, address in ((1, CALL1), (2, CALL2)):
            r = self.server.get_json("/api/v1/calls/%d" % call)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json()["email"], address)

    def test_the_same_message_id_twice_is_one_contribution_with_one_receipt(self):
        eml = simple("twice@example.org")
        code1, first, _ = mail_in(self.server.db, eml, CALL1_OPEN)
        code2, second, _ = mail_in(self.server.db, eml, "2021-02-02T10:00:00Z")
        self.assertEqual((code1, code2), (0, 0))
        self.assertEqual(first["outcome"], "accepted")
        self.assertEqual(second["outcome"], "duplicate")
        self.assertEqual(second["tracking"], first["tracking"])
        self.assertEqual(second["received_at"], first["received_at"], "the first arrival is the one recorded")
        self.assertEqual(len(answers_to(self.server.db, "twice@example.org")), 1)
        with harness.connect_ro(self.server.db) as c:
            n = c.execute("SELECT count(*) FROM contribution WHERE message_id = 'twice@example.org'").fetchone()[0]
        self.assertEqual(n, 1)

    def count(self, message_id):
        with harness.connect_ro(self.server.db) as c:
            return c.execute("SELECT count(*) FROM contribution WHERE message_id = ?", (message_id,)).fetchone()[0]

    def held_entry(self, held_id):
        r = self.server.send_json("GET", "/api/v1/holding?per_page=100", token=self.token)
        self.assertEqual(r.status, 200, r)
        found = [h for h in r.json()["held"] if h["id"] == held_id]
        self.assertEqual(len(found), 1, r.json())
        return found[0]

    def test_a_message_id_reused_by_another_sender_is_held_not_taken_for_the_first(self):
        code, first, _ = mail_in(self.server.db, simple("reused@example.org"), CALL1_OPEN)
        self.assertEqual((code, first["outcome"]), (0, "accepted"))
        forged = simple("reused@example.org", sender="mallory@example.net", text="Someone else's words.")
        code, second, _ = mail_in(self.server.db, forged, CALL1_OPEN)
        self.assertEqual(code, 0)
        self.assertEqual((second["outcome"], second["reason"]), ("held", "duplicate"), second)
        self.assertNotIn("tracking", second, "never answered with someone else's tracking number")
        self.assertIn("from another sender", second["detail"])
        held = self.held_entry(second["held"])
        self.assertEqual((held["sender"], held["reason"]), ("mallory@example.net", "duplicate"))
        self.assertEqual(held["size"], len(forged), "kept whole")
        self.assertEqual(self.count("reused@example.org"), 1)
        # Nothing goes back to the second sender: it would tell them of the first sender's message.
        self.assertEqual(len(answers_to(self.server.db, "reused@example.org")), 1)
        # The same forged message delivered again is the same held entry.
        code, again, _ = mail_in(self.server.db, forged, CALL1_OPEN)
        self.assertEqual((again["outcome"], again["held"]), ("held", second["held"]))

    def test_a_message_id_reused_with_other_content_is_held(self):
        mail_in(self.server.db, simple("edited@example.org"), CALL1_OPEN)
        code, out, _ = mail_in(self.server.db, simple("edited@example.org", text="Other words."), CALL1_OPEN)
        self.assertEqual((code, out["outcome"], out["reason"]), (0, "held", "duplicate"))
        self.assertIn("with other content", out["detail"])
        self.assertEqual(self.count("edited@example.org"), 1)

    def test_a_message_id_reused_by_another_sender_for_another_call_is_held(self):
        both_open = "2021-03-02T10:00:00Z"  # call 1 takes it late, call 2 is open
        mail_in(self.server.db, simple("other-call@example.org"), both_open, ["--recipient", CALL1])
        forged = simple("other-call@example.org", to=CALL2, sender="mallory@example.net")
        code, out, _ = mail_in(self.server.db, forged, both_open, ["--recipient", CALL2])
        self.assertEqual((code, out["outcome"], out["reason"]), (0, "held", "duplicate"), out)
        self.assertIn("for another call, from another sender", out["detail"])
        self.assertEqual(self.count("other-call@example.org"), 1)

    def test_one_message_to_two_calls_is_a_contribution_for_each(self):
        both_open = "2021-03-02T10:00:00Z"
        eml = simple("two-calls@example.org", to="%s, %s" % (CALL1, CALL2))
        results = {}
        for address in (CALL1, CALL2):
            # as a pipe transport hands it over: one copy per recipient, each with its own trace fields
            copy = ("Delivered-To: %s\r\nReceived: from client.example.org by mx.gca-demo.example\r\n"
                    % address).encode() + eml
            code, out, _ = mail_in(self.server.db, copy, both_open, ["--recipient", address])
            self.assertEqual((code, out["outcome"]), (0, "accepted"), out)
            results[address] = out
            # the MTA delivers that copy again: the same contribution, nothing new
            code, again, _ = mail_in(self.server.db, copy, both_open, ["--recipient", address])
            self.assertEqual((again["outcome"], again["tracking"]), ("duplicate", out["tracking"]))
        self.assertEqual((results[CALL1]["call"], results[CALL2]["call"]), (1, 2))
        self.assertNotEqual(results[CALL1]["tracking"], results[CALL2]["tracking"])
        self.assertEqual(self.count("two-calls@example.org"), 2)

    def test_a_late_contribution_waits_for_the_secretariat_who_can_admit_it(self):
        code, out, _ = mail_in(self.server.db, simple("late-admit@example.org"), "2021-02-16T09:00:00Z")
        self.assertEqual(code, 0)
        self.assertTrue(out["late"])
        k = self.server.send_json("GET", "/api/v1/contributions/" + out["tracking"], token=self.token).json()
        self.assertEqual((k["state"], k["late"], k["admitted_at"]), ("pending", True, None))
        path = "/api/v1/contributions/%s/admission" % out["tracking"]
        self.assertEqual(self.server.send_json("POST", path, {}).status, 401, "the public may not admit")
        r = self.server.send_json("POST", path, {}, token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "published")
        self.assertTrue(r.json()["late"])
        self.assertIsNotNone(r.json()["admitted_at"])
        again = self.server.send_json("POST", path, {}, token=self.token)
        self.assertErrorShape(again, 409, "conflict")
        r = self.server.send_json("GET", "/api/v1/audit?kind=contribution.admit", token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertIn("contribution:" + out["tracking"], r.text)

    def test_winmail_dat_is_opened_in_a_temporary_folder_that_is_removed_afterwards(self):
        # extract.c unpacks winmail.dat with tnef into $TMPDIR/consulta-tnef-XXXXXX and removes it
        # (its files unlinked through the folder's descriptor): nothing may be left behind.
        with open(os.path.join(FIXTURES, "03-outlook-winmail.eml"), "rb") as f:
            eml = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            code, out, err = mail_in(self.server.db, eml, CALL1_OPEN, env={"TMPDIR": tmp})
            self.assertEqual((code, out["outcome"]), (0, "accepted"), err[-2000:])
            k = self.server.send_json("GET", "/api/v1/contributions/" + out["tracking"], token=self.token).json()
            self.assertEqual([a["name"] for a in k["mail"]["attachments"]], ["inputs.txt", "report.pdf"],
                             "tnef ran in TMPDIR and its files were read")
            self.assertEqual(os.listdir(tmp), [], "the tnef folder and its files are removed")

    def test_a_contribution_that_was_in_time_cannot_be_admitted(self):
        code, out, _ = mail_in(self.server.db, simple("in-time@example.org"), CALL1_OPEN)
        r = self.server.send_json("POST", "/api/v1/contributions/%s/admission" % out["tracking"], {},
                                  token=self.token)
        self.assertErrorShape(r, 409, "conflict")

    def test_a_locked_database_is_a_temporary_failure_75_and_stores_nothing(self):
        lock = harness.connect(self.server.db, timeout=1, isolation_level=None)
        try:
            lock.execute("BEGIN EXCLUSIVE")
            code, out, err = mail_in(self.server.db, simple("locked@example.org"), CALL1_OPEN, timeout=60)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        self.assertEqual(code, 75, err)
        self.assertEqual(out["outcome"], "temporary_failure")
        # The MTA tries again later, and then it is stored once.
        code, out, _ = mail_in(self.server.db, simple("locked@example.org"), CALL1_OPEN)
        self.assertEqual((code, out["outcome"]), (0, "accepted"))

    def test_a_message_over_the_size_limit_is_refused_for_good_65(self):
        eml = simple("huge@example.org", text="x" * (LIMIT_MAIL_MESSAGE + 10))
        code, out, _ = mail_in(self.server.db, eml, CALL1_OPEN)
        self.assertEqual(code, 65)
        self.assertEqual(out["outcome"], "rejected")

    def test_a_wrong_command_line_defers_the_message_75(self):
        p = subprocess.run([harness.binary(), "--db", harness.db_url(self.server.db), "mail-in", "--no-such-option"],
                           input=simple("bad-option@example.org"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=harness.COMMAND_TIMEOUT, env=dict(os.environ, CONSULTA_NOW=CALL1_OPEN))
        self.assertEqual(p.returncode, 75, "a mistake in the MTA's configuration must not bounce the mail")

    def test_the_public_sees_no_held_list_and_no_message(self):
        self.assertEqual(self.server.get_json("/api/v1/holding").status, 401)

    def test_a_text_over_the_limit_is_held_and_its_sender_told(self):
        eml = simple("long-text@example.org", text="word " * 25000)
        code, out, _ = mail_in(self.server.db, eml, CALL1_OPEN)
        self.assertEqual((code, out["outcome"], out["reason"]), (0, "held", "limit"))
        answers = answers_to(self.server.db, "long-text@example.org")
        self.assertEqual(len(answers), 1)
        self.assertIn("100000 characters", answers[0][2].replace("=\r\n", ""))


if __name__ == "__main__":
    unittest.main()
