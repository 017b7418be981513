"""
Each contributor learns the fate of their comments (issue 9, item 4): once a
call's dispositions are published, each address that sent a contribution gets
one mail (kind "fate", in the publication's transaction) with the counts of
its comments' decisions and a link per contribution (the receipt for a private
one), never the comments' own words; before publication, nothing.
"""

import email
import email.policy
import sqlite3
import harness
import unittest

from harness import ServerTestCase, contribution
from test_mail_in import mail_in, simple

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
SECRETARIAT = "secretariat@example.org"


def fate_mails(server):
    with harness.connect(server.db, timeout=10) as db:
        rows = db.execute("SELECT recipient, message FROM outbox WHERE kind = 'fate' ORDER BY id").fetchall()
    out = {}
    for to, message in rows:
        m = email.message_from_string(message, policy=email.policy.default)
        out.setdefault(to.lower(), []).append((m["Subject"], m.get_body(("plain",)).get_content().replace("\r\n", "\n")))
    return out


class FateBase(ServerTestCase):
    SHARED = False

    def send(self, s, comments, **fields):
        return s.contribute(comments=comments, **fields)["tracking"]

    def comments_of(self, s, tracking, token):
        return s.comments_of(tracking, token)

    def answer(self, s, token, cid, decision, reason):
        r = s.send_json("POST", "/api/v1/comments/%d/disposition" % cid, {"decision": decision, "reason": reason},
                        token=token)
        self.assertEqual(r.status, 200, r)

    def answer_and_publish(self, s, token):
        """Two contributions from one address (its case differing), a private one from another."""
        a1 = self.send(s, [{"paragraph": "p3", "comment": "Secret words one."},
                           {"paragraph": "p7", "comment": "Secret words two."}], email="fate@example.org")
        a2 = self.send(s, [{"paragraph": "p3", "comment": "Secret words three."}], email="FATE@example.org")
        b = self.send(s, [{"paragraph": "p7", "comment": "Secret words four."}], email="hidden@example.org",
                      publication="private")
        c1, c2 = [c["id"] for c in self.comments_of(s, a1, token)]
        self.answer(s, token, c1, "accepted", "Reason one.")
        self.answer(s, token, c2, "not_accepted", "Reason two.")
        self.answer(s, token, self.comments_of(s, a2, token)[0]["id"], "accepted_in_part", "Reason three.")
        self.answer(s, token, self.comments_of(s, b, token)[0]["id"], "noted", "Reason four.")
        s.note_the_rest(token)
        self.assertEqual(fate_mails(s), {})  # nothing before publication
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token)
        self.assertEqual(r.status, 200, r)
        return a1, a2, b



class Fates(FateBase):
    def test_one_mail_per_address_with_counts_and_links(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        a1, a2, b = self.answer_and_publish(s, token)
        mails = fate_mails(s)
        self.assertEqual(len(mails["fate@example.org"]), 1, mails)
        subject, body = mails["fate@example.org"][0]
        self.assertIn("Answers to your comments", subject)
        self.assertIn("Accepted: 1\n", body)
        self.assertIn("Accepted in part: 1\n", body)
        self.assertIn("Not accepted: 1\n", body)
        self.assertIn("Noted: 0\n", body)
        self.assertIn("/contributions/" + a1, body)
        self.assertIn("/contributions/" + a2, body)
        self.assertNotIn("Secret words", body)
        self.assertNotIn("Reason", body)
        (subject, body), = mails["hidden@example.org"]
        self.assertIn("Noted: 1\n", body)
        self.assertIn("/receipts/" + b, body)
        self.assertNotIn("/contributions/", body)
        self.assertNotIn("Secret words", body)
        # Every address of the call's contributions (the demo's too) got exactly one.
        with harness.connect(s.db, timeout=10) as db:
            addresses = {r[0].lower() for r in db.execute(
                "SELECT email FROM contribution WHERE call_id = 1 AND state <> 'spam' AND email <> '' "
                "AND id IN (SELECT contribution_id FROM comment)")}
        self.assertEqual(set(mails), addresses)
        self.assertTrue(all(len(v) == 1 for v in mails.values()), mails)


class FatePages(FateBase):
    """The contribution's page, its receipt, the paragraph's page and "My contributions" show each answer once
    the call's dispositions are published, and nothing of them before."""

    def test_pages_show_each_answer_once_published(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        mine = s.account_token("stakeholder@example.org", role="stakeholder")
        r = s.send_json("POST", CONTRIBUTIONS, contribution(
            comments=[{"paragraph": "p3", "comment": "Say who reports."},
                      {"paragraph": "p7", "comment": "Yearly is too rare."}], email="stakeholder@example.org"),
            token=mine)
        self.assertEqual(r.status, 201, r)
        public = r.json()["tracking"]
        private = self.send(s, [{"paragraph": "p3", "comment": "Only for you."}], email="p@example.org",
                            publication="private")
        markdown = "Nothing like the draft before.\n\nThe secretariat reports to the Council every year.\n"
        vid = s.publish_version(token, markdown, "Next draft")
        landed = s.get_json("/api/v1/versions/%d" % vid).json()["paragraphs"][-1]
        landed["pid"] = landed["id"]
        c1, c2 = self.comments_of(s, public, token)
        r = s.send_json("POST", "/api/v1/comments/%d/disposition" % c1["id"],
                        {"decision": "accepted", "reason": "Said in the next draft.", "paragraph": landed["pid"],
                         "version_id": vid}, token=token)
        self.assertEqual(r.status, 200, r)
        self.answer(s, token, c2["id"], "not_accepted", "Yearly suffices.")
        self.answer(s, token, self.comments_of(s, private, token)[0]["id"], "noted", "Private reason.")
        s.note_the_rest(token)
        paragraph_page = "/versions/%d/paragraphs/p3" % s.get_json("/api/v1/calls/1").json()["version_id"]
        login = s.post_form("/login", {"email": "stakeholder@example.org", "password": "a long passphrase for the tests",
                                       "next": "/account"})
        self.assertEqual(login.status, 303, login)
        cookie = [v for k, v in login.headers.items()
                  if k.lower() == "set-cookie" and v.startswith("consulta_session=")][0].split(";")[0]

        def pages():
            out = {
                "contribution": s.get("/contributions/" + public).text,
                "receipt": s.get("/receipts/" + private).text,
                "list": s.get("/calls/1/contributions?per_page=100").text,
                "account": s.get("/account", headers={"Cookie": cookie}).text,
            }
            if paragraph_page:
                out["paragraph"] = s.get(paragraph_page).text
            return out

        before = pages()
        for name, text in before.items():
            self.assertNotIn("Answer:", text, name)
            self.assertNotIn("Said in the next draft.", text, name)
            self.assertNotIn("Private reason.", text, name)
        self.assertIn("not published yet", before["account"])
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token)
        self.assertEqual(r.status, 200, r)
        after = pages()
        page = after["contribution"]
        self.assertIn("Answer: <strong>Accepted</strong>", page)
        self.assertIn("Said in the next draft.", page)
        self.assertIn("now <a href=\"/versions/%d#%s\">\u00b6%d of Next draft</a>" % (vid, landed["pid"],
                                                                                       landed["number"]), page)
        self.assertIn("Answer: <strong>Not accepted</strong>", page)
        self.assertIn("Yearly suffices.", page)
        # The private contribution's answer shows on its receipt only.
        self.assertIn("Answer: <strong>Noted</strong>", after["receipt"])
        self.assertIn("Private reason.", after["receipt"])
        self.assertEqual(s.get("/contributions/" + private).status, 404)
        self.assertIn("Said in the next draft.", after["list"])
        self.assertNotIn("Private reason.", after["list"])
        if paragraph_page:
            self.assertIn("Said in the next draft.", after["paragraph"])
            self.assertNotIn("Private reason.", after["paragraph"])
        self.assertIn("1 accepted, 1 not accepted", after["account"])


class MailIn(FateBase):
    """A contribution by mail gets its mail at its sender's address."""

    def test_a_mail_in_contributor_gets_the_mail_at_the_sender_address(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        code, out, err = mail_in(s.db, simple("fate@example.org", sender="mailer@example.org",
                                              text="Secret mailed words on paragraph 3."), self.NOW)
        self.assertEqual((code, out["outcome"]), (0, "accepted"), err)
        # A message's text is no comment; its comments come from a comment table attached (or the
        # secretariat's transcription): here two, written into the record as those would be.
        with harness.connect(s.db, timeout=10) as db:
            kid, = db.execute("SELECT id FROM contribution WHERE tracking = ? AND channel = 'email'",
                              (out["tracking"],)).fetchone()
            vid, = db.execute("SELECT version_id FROM call WHERE id = 1").fetchone()
            for pos in (1, 2):
                db.execute("INSERT INTO comment (contribution_id, version_id, pid, position, type, comment) "
                           "VALUES (?, ?, 'p3', ?, 'general', 'Secret mailed words.')", (kid, vid, pos))
        ncomments = 2
        s.note_the_rest(token)
        self.assertEqual(s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token).status, 200)
        mails = fate_mails(s)
        (subject, body), = mails["mailer@example.org"]
        self.assertIn("Noted: %d\n" % ncomments, body)
        self.assertIn("/" + out["tracking"], body)
        self.assertNotIn("Secret mailed words", body)


if __name__ == "__main__":
    unittest.main()


class FateLanguage(FateBase):
    """Issue 14, item 4: the fate mail is in the language its contributor wrote in when the interface offers
    it, else in the process's first language (English here), and says so (Content-Language)."""

    def test_the_contributors_language_or_the_process_first(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        self.send(s, [{"paragraph": "p3", "comment": "Mots secrets."}], email="ecrit-fr@example.org",
                  language="fr")
        self.send(s, [{"paragraph": "p3", "comment": "Geheime Worte."}], email="schreibt-de@example.org",
                  language="de")
        s.note_the_rest(token)
        # The secretariat publishes in Spanish: the mails are not in the publisher's language.
        r = s.send_json("POST", "/api/v1/calls/1/dispositions/publish", token=token, headers={"Accept-Language": "es"})
        self.assertEqual(r.status, 200, r)
        with harness.connect(s.db, timeout=10) as db:
            rows = dict(db.execute("SELECT recipient, message FROM outbox WHERE kind = 'fate'").fetchall())
        fr = email.message_from_string(rows["ecrit-fr@example.org"], policy=email.policy.default)
        de = email.message_from_string(rows["schreibt-de@example.org"], policy=email.policy.default)
        self.assertEqual(fr["Content-Language"], "fr")
        self.assertTrue(fr["Subject"].startswith("R\u00e9ponses \u00e0 vos commentaires\u00a0: "), fr["Subject"])
        self.assertIn("Le secr\u00e9tariat a publi\u00e9 ses r\u00e9ponses", fr.get_body(("plain",)).get_content())
        self.assertEqual(de["Content-Language"], "en")
        self.assertTrue(de["Subject"].startswith("Answers to your comments: "), de["Subject"])
