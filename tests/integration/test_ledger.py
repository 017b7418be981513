"""
test_ledger — the tamper-evident record (core/ledger.h, web/page_ledger.c, `consulta verify`).

The server's proofs are checked by an implementation of RFC 9162 written here in Python from the RFC's text
(2.1.1 the hashes and MTH, 2.1.3.2 inclusion verification, 2.1.4.2 consistency verification), not by the
server's own code; the checkpoint's Ed25519 signature is checked with PyNaCl (python3-nacl) from the C2SP
signed-note rules (key id, signature line). Every acknowledged contribution and every schedule move, deadline
change, moderation and disposition gets its leaf; a hidden contribution keeps its own; a private one's leaf
reveals nothing of its text; receipts (API answer, page, mail, file) carry the leaf index and the proof;
`consulta verify` checks a receipt offline and two checkpoints' consistency, and `--all` exits non-zero on a
row changed behind the program's back; sizes beyond the tree are 400 with a message.
"""

import base64
import email
import email.policy
import hashlib
import json
import os
import tempfile

import nacl.exceptions
import nacl.signing

from harness import CALL1_OPEN, SLUG, ServerTestCase, connect, run_command
from test_mail_in import mail_in, simple

PUBLIC_URL = "https://consult.example.org"
ORIGIN = "consult.example.org"
SECRETARIAT = "secretariat@example.org"
PASSWORD = "a long passphrase for the tests"


# -- RFC 9162, from the text -------------------------------------------------

def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(leaf):
    return sha256(b"\x00" + leaf)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(hashes):
    """MTH of a list of leaf hashes (2.1.1): split at the largest power of two smaller than n."""
    n = len(hashes)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def verify_inclusion(index, size, lhash, path, root):
    """2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, lhash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, path):
    """2.1.4.2 (first < second; equal trees need an empty proof and equal roots)."""
    if first == second:
        return not path and first_hash == second_hash
    if not path:
        return False
    path = list(path)
    if first & (first - 1) == 0:
        path = [first_hash] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_hash and sr == second_hash


# -- C2SP signed note, from its text ------------------------------------------

def open_note(note, vkey):
    """(origin, size, root) of a checkpoint whose signature vkey checks; raises AssertionError otherwise."""
    name, keyid_hex, key_b64 = vkey.strip().split("+", 2)  # a name holds no "+"; the base64 may
    typed = base64.b64decode(key_b64)
    assert typed[0] == 1 and len(typed) == 33, "an Ed25519 verifier key"
    keyid = sha256(name.encode() + b"\n" + typed)[:4]
    assert keyid.hex() == keyid_hex, "the key id is SHA-256(name || \\n || 0x01 || key)[:4]"
    body, sep, sigs = note.partition("\n\n")
    assert sep, "a blank line ends the text"
    body += "\n"
    ok = False
    for line in sigs.splitlines():
        dash, _, rest = line.partition(" ")
        signer, _, b64 = rest.partition(" ")
        if dash != "\u2014" or signer != name:
            continue
        raw = base64.b64decode(b64)
        if raw[:4] != keyid:
            continue
        try:
            nacl.signing.VerifyKey(typed[1:]).verify(body.encode(), raw[4:])
            ok = True
        except nacl.exceptions.BadSignatureError:
            pass
    assert ok, "no valid signature by %s" % name
    lines = body.split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2])


def canonical(obj):
    """jansson's JSON_COMPACT | JSON_SORT_KEYS for objects of ASCII keys, strings and integers."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class LedgerCase(ServerTestCase):
    SHARED = False

    def office(self):
        s = self.fresh_server(global_args=["--public-url", PUBLIC_URL])
        return s, s.account_token(SECRETARIAT, password=PASSWORD)

    def key(self, s):
        r = s.get("/log/key")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/plain"))
        return r.text.strip()

    def checkpoint(self, s):
        r = s.get("/log/checkpoint")
        self.assertEqual(r.status, 200, r)
        note = r.text
        origin, size, root = open_note(note, self.key(s))
        self.assertEqual(origin, ORIGIN)
        return note, size, root

    def leaf_hashes(self, s):
        rows = s.query("SELECT idx, leaf_hash FROM ledger_leaf ORDER BY idx")
        self.assertEqual([r[0] for r in rows], list(range(len(rows))), "leaves numbered 0, 1, 2 ... without gaps")
        return [bytes(r[1]) for r in rows]

    def leaves_of(self, s, kind):
        return s.query("SELECT COUNT(*) FROM ledger_leaf WHERE kind = ?", (kind,))[0][0]

    def write(self, directory, name, text):
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path


class Proofs(LedgerCase):
    def test_every_inclusion_and_consistency_proof_checks_in_python(self):
        s, _ = self.office()
        for i in range(5):
            s.contribute(text="Contribution %d to the record." % i)
        note, size, root = self.checkpoint(s)
        hashes = self.leaf_hashes(s)
        self.assertEqual(len(hashes), size)
        self.assertGreaterEqual(size, 5)
        self.assertEqual(mth(hashes), root, "the signed root is RFC 9162's MTH of the stored leaf hashes")
        for n in range(1, size + 1):
            for m in range(n):
                r = s.get_json("/log/proof/inclusion?leaf=%d&size=%d" % (m, n))
                self.assertEqual(r.status, 200, r)
                body = r.json()
                self.assertEqual(base64.b64decode(body["leaf_hash"]), hashes[m])
                proof = [base64.b64decode(p) for p in body["proof"]]
                self.assertTrue(verify_inclusion(m, n, hashes[m], proof, mth(hashes[:n])), (m, n))
                self.assertFalse(verify_inclusion(m, n, sha256(b"other"), proof, mth(hashes[:n])))
            for first in range(1, n + 1):
                r = s.get_json("/log/proof/consistency?first=%d&second=%d" % (first, n))
                self.assertEqual(r.status, 200, r)
                proof = [base64.b64decode(p) for p in r.json()["proof"]]
                self.assertTrue(verify_consistency(first, n, mth(hashes[:first]), mth(hashes[:n]), proof),
                                (first, n))
                if first < n:
                    self.assertFalse(verify_consistency(first, n, sha256(b"x"), mth(hashes[:n]), proof))

    def test_a_size_beyond_the_tree_is_400_with_a_message(self):
        s, _ = self.office()
        _, size, _ = self.checkpoint(s)
        for path in ("/log/proof/inclusion?leaf=0&size=%d" % (size + 1),
                     "/log/proof/inclusion?leaf=%d&size=%d" % (size, size),
                     "/log/proof/consistency?first=1&second=%d" % (size + 1),
                     "/log/proof/consistency?first=%d&second=%d" % (size, size - 1),
                     "/log/proof/inclusion?leaf=x&size=1",
                     "/log/proof/inclusion?size=1",
                     "/log/proof/consistency?first=-1&second=1"):
            err = self.assertErrorShape(s.get(path), 400, "bad_request")
            self.assertTrue(err["message"])
        err = self.assertErrorShape(s.get("/log/proof/inclusion?leaf=0&size=%d" % (size + 7)), 400)
        self.assertIn("beyond the tree", err["message"])
        self.assertIn(str(size), err["message"])


class Receipts(LedgerCase):
    def test_the_receipt_file_checks_in_python_and_by_consulta_verify_offline(self):
        s, _ = self.office()
        paper = b"A paper sent with the contribution.\n"
        answer = s.contribute(text="Keep this, and prove it later.", name="Ada Lovelace", publication="named",
                              attachments=[{"filename": "paper.txt",
                                            "content_base64": base64.b64encode(paper).decode()}])
        self.assertIn("leaf_index", answer)
        self.assertTrue(answer["proof_url"].startswith("/log/proof/inclusion?leaf=%d&size=" % answer["leaf_index"]))
        r = s.get("/receipts/%s/receipt.json" % answer["tracking"])
        self.assertEqual(r.status, 200, r)
        receipt = r.json()
        self.assertEqual(receipt["leaf_index"], answer["leaf_index"])
        # The leaf made again here, from the canonical JSON and the salt only.
        c = json.loads(receipt["canonical"])
        self.assertEqual(c["text"], "Keep this, and prove it later.")
        self.assertEqual(c["tracking"], answer["tracking"])
        self.assertNotIn("email", c, "the e-mail address is never in the record")
        self.assertEqual([f["sha256"] for f in c["attachments"]], [hashlib.sha256(paper).hexdigest()],
                         "the record commits to each attachment's SHA-256")
        commitment = sha256(bytes.fromhex(receipt["salt"]) + receipt["canonical"].encode()).hex()
        leaf = canonical({"call_id": c["call_id"], "commitment": commitment, "kind": "contribution",
                          "received_at": c["received_at"], "v": 1})
        self.assertEqual(leaf, receipt["leaf"])
        lh = leaf_hash(leaf.encode())
        self.assertEqual(base64.b64decode(receipt["leaf_hash"]), lh)
        origin, size, root = open_note(receipt["checkpoint"], self.key(s))
        self.assertEqual(size, receipt["tree_size"])
        proof = [base64.b64decode(p) for p in receipt["proof"]]
        self.assertTrue(verify_inclusion(receipt["leaf_index"], size, lh, proof, root))

        # consulta verify, offline: no --db, no server
        with tempfile.TemporaryDirectory() as d:
            rpath = self.write(d, "receipt.json", r.text)
            cpath = self.write(d, "checkpoint", receipt["checkpoint"])
            kpath = self.write(d, "key", self.key(s) + "\n")
            p = run_command(["verify", rpath, "--checkpoint", cpath, "--key", kpath])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("leaf %d" % receipt["leaf_index"], p.stdout)
            # a changed word of the contribution
            forged = dict(receipt, canonical=receipt["canonical"].replace("prove it", "deny it"))
            fpath = self.write(d, "forged.json", json.dumps(forged))
            p = run_command(["verify", fpath, "--checkpoint", cpath, "--key", kpath])
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertIn("NOT VERIFIED", p.stderr)
            # the same receipt against another key
            other = nacl.signing.SigningKey.generate().verify_key.encode()
            typed = b"\x01" + other
            vkey = "%s+%s+%s" % (ORIGIN, sha256(ORIGIN.encode() + b"\n" + typed)[:4].hex(),
                                 base64.b64encode(typed).decode())
            opath = self.write(d, "other-key", vkey + "\n")
            p = run_command(["verify", rpath, "--checkpoint", cpath, "--key", opath])
            self.assertEqual(p.returncode, 1, p.stdout)
            # a checkpoint of another size: the receipt asked again at that size verifies
            s.contribute(text="One more.")
            note, size2, _ = self.checkpoint(s)
            npath = self.write(d, "checkpoint2", note)
            p = run_command(["verify", rpath, "--checkpoint", npath, "--key", kpath])
            self.assertEqual(p.returncode, 1)
            self.assertIn("?size=%d" % size2, p.stderr)
            again = s.get("/receipts/%s/receipt.json?size=%d" % (answer["tracking"], size2))
            apath = self.write(d, "receipt2.json", again.text)
            p = run_command(["verify", apath, "--checkpoint", npath, "--key", kpath])
            self.assertEqual(p.returncode, 0, p.stderr)
        p = run_command(["verify", "--all"], db=s.db)  # a contribution with a file, made again from the database
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_page_and_mail_carry_the_leaf_and_its_proof(self):
        s, _ = self.office()
        answer = s.contribute(text="Mail me my leaf.")
        index = answer["leaf_index"]
        page = s.get("/receipts/" + answer["tracking"]).text
        self.assertIn('id="leaf-index">%d<' % index, page)
        self.assertIn("/receipts/%s/receipt.json" % answer["tracking"], page)
        self.assertIn("/log/proof/inclusion?leaf=%d&amp;size=" % index, page)
        salt = s.get_json("/receipts/%s/receipt.json" % answer["tracking"]).json()["salt"]
        self.assertIn(salt, page, "the salt is shown to its author on the receipt")
        raw = s.query("SELECT message FROM outbox WHERE kind = 'receipt' ORDER BY id DESC LIMIT 1")[0][0]
        msg = email.message_from_string(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",)).get_content()
        self.assertIn("leaf %d of the public tamper-evident record" % index, body)
        self.assertIn("%s/receipts/%s/receipt.json" % (PUBLIC_URL, answer["tracking"]), body)

    def test_a_private_contribution_commits_without_revealing_and_a_hidden_one_keeps_its_leaf(self):
        s, token = self.office()
        secret = "Only the secretariat reads this sentence."
        private = s.contribute(text=secret, publication="private")
        receipt = s.get_json("/receipts/%s/receipt.json" % private["tracking"]).json()
        self.assertNotIn(secret, receipt["leaf"])
        self.assertIn("commitment", json.loads(receipt["leaf"]))
        public = s.contribute(text="This one will be hidden.")
        before = self.leaf_hashes(s)
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % public["tracking"],
                        {"action": "hide", "reason": "Off topic."}, token=token)
        self.assertEqual(r.status, 200, r)
        after = self.leaf_hashes(s)
        self.assertEqual(after[:len(before)], before, "nothing before is changed")
        self.assertEqual(len(after), len(before) + 1, "the moderation is a leaf of its own")
        self.assertEqual(s.query("SELECT kind FROM ledger_leaf WHERE idx = ?", (public["leaf_index"],))[0][0],
                         "contribution")
        hidden = s.get_json("/receipts/%s/receipt.json" % public["tracking"]).json()
        self.assertEqual(hidden["leaf_index"], public["leaf_index"])
        self.assertNotIn("canonical", hidden, "a hidden one's text is not published again by its receipt file")
        _, size, root = open_note(hidden["checkpoint"], self.key(s))
        self.assertTrue(verify_inclusion(hidden["leaf_index"], size, base64.b64decode(hidden["leaf_hash"]),
                                         [base64.b64decode(p) for p in hidden["proof"]], root))


class Facts(LedgerCase):
    def test_moves_deadlines_moderation_and_dispositions_each_append_a_leaf(self):
        s, token = self.office()
        k = s.contribute(comments=[{"paragraph": "p3", "comment": "Say who reports."}])
        audit = self.leaves_of(s, "audit")
        council = [m for m in s.get_json("/api/v1/processes/" + SLUG).json()["milestones"]
                   if m["kind"] == "presentation"][0]
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-05", "reason": "The Council meets later."}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.leaves_of(s, "audit"), audit + 1, "a schedule move")
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-02-22", "reason": "Asked for."}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.leaves_of(s, "audit"), audit + 2, "a deadline change")
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % k["tracking"],
                        {"action": "hide", "reason": "Off topic."}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.leaves_of(s, "audit"), audit + 3, "a moderation")
        comment = s.send_json("GET", "/api/v1/contributions/" + k["tracking"], token=token).json()["comments"][0]
        r = s.send_json("POST", "/api/v1/comments/%d/disposition" % comment["id"],
                        {"decision": "noted", "reason": "Thank you."}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.leaves_of(s, "audit"), audit + 4, "a disposition")
        kinds = [row[0] for row in s.query(
            "SELECT a.kind FROM ledger_leaf l JOIN audit a ON a.id = l.fact_id WHERE l.kind = 'audit' "
            "ORDER BY l.idx DESC LIMIT 4")]
        self.assertEqual(kinds, ["disposition.record", "contribution.moderate", "call.extend", "milestone.move"])
        # what is refused is not recorded: the leaf is written in the fact's transaction, or not at all
        size = len(self.leaf_hashes(s))
        r = s.post_json("/api/v1/calls/1/contributions", {"name": "No category"})
        self.assertEqual(r.status, 422, r)
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % k["tracking"],
                        {"action": "hide"}, token=token)
        self.assertEqual(r.status, 422, r)  # no reason for hiding: nothing changes
        self.assertEqual(len(self.leaf_hashes(s)), size)
        p = run_command(["verify", "--all"], db=s.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("verified", p.stdout)

    def test_a_message_has_one_leaf_however_often_it_is_delivered(self):
        s, _ = self.office()
        before = len(self.leaf_hashes(s))
        code, out, err = mail_in(s.db, simple("ledger-once@example.org"), CALL1_OPEN)
        self.assertEqual(code, 0, err)
        code, again, err = mail_in(s.db, simple("ledger-once@example.org"), CALL1_OPEN)
        self.assertEqual(code, 0, err)
        self.assertEqual(again["tracking"], out["tracking"])
        self.assertEqual(len(self.leaf_hashes(s)), before + 1, "a second delivery is the same contribution")
        receipt = s.get_json("/receipts/%s/receipt.json" % out["tracking"]).json()
        c = json.loads(receipt["canonical"])
        self.assertEqual(c["channel"], "email")
        raw = s.query("SELECT raw_sha256 FROM contribution WHERE tracking = ?", (out["tracking"],))[0][0]
        self.assertEqual(c["raw_sha256"], raw, "the record commits to the SHA-256 of the message as it arrived")
        self.assertEqual(raw, hashlib.sha256(simple("ledger-once@example.org")).hexdigest())

    def test_consistency_of_two_checkpoints_by_consulta_verify(self):
        s, _ = self.office()
        s.contribute(text="First.")
        old, first, _ = self.checkpoint(s)
        self.assertGreater(first, 0)
        s.contribute(text="Later.")
        s.contribute(text="Later still.")
        new, second, _ = self.checkpoint(s)
        self.assertEqual(second, first + 2)
        with tempfile.TemporaryDirectory() as d:
            opath, npath = self.write(d, "old", old), self.write(d, "new", new)
            kpath = self.write(d, "key", self.key(s) + "\n")
            base = "http://127.0.0.1:%d" % s.port
            p = run_command(["verify", "--consistency", opath, npath, "--key", kpath, "--server", base])
            self.assertEqual(p.returncode, 0, p.stderr)
            proof = s.get("/log/proof/consistency?first=%d&second=%d" % (first, second)).text
            ppath = self.write(d, "proof.json", proof)
            p = run_command(["verify", "--consistency", opath, npath, "--key", kpath, "--proof", ppath])
            self.assertEqual(p.returncode, 0, p.stderr)
            # a proof between other sizes does not show it
            wrong = s.get("/log/proof/consistency?first=%d&second=%d" % (first + 1, second)).text
            wpath = self.write(d, "wrong.json", wrong)
            p = run_command(["verify", "--consistency", opath, npath, "--key", kpath, "--proof", wpath])
            self.assertEqual(p.returncode, 1, p.stdout)
            # nor an old checkpoint made up by someone else
            forged = old.replace(old.split("\n")[2], base64.b64encode(sha256(b"forged")).decode())
            fpath = self.write(d, "forged", forged)
            p = run_command(["verify", "--consistency", fpath, npath, "--key", kpath, "--proof", ppath])
            self.assertEqual(p.returncode, 1, p.stdout)

    def test_a_row_changed_behind_the_programs_back_fails_verify_all(self):
        s, _ = self.office()
        k = s.contribute(text="The original words.")
        # enough leaves for a stored subtree: the record stores those of 8 leaves and more (core/ledger.c)
        while len(self.leaf_hashes(s)) < 7:
            s.contribute(text="One more.")
        last = s.contribute(text="Another.")
        p = run_command(["verify", "--all"], db=s.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        with connect(s.db) as db:
            db.execute("UPDATE contribution SET text = 'Forged words.' WHERE tracking = ?", (k["tracking"],))
            db.commit()
        p = run_command(["verify", "--all"], db=s.db)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("leaf %d" % k["leaf_index"], p.stderr)
        self.assertIn("NOT VERIFIED", p.stderr)
        with connect(s.db) as db:
            db.execute("UPDATE contribution SET text = 'The original words.' WHERE tracking = ?", (k["tracking"],))
            db.commit()
        p = run_command(["verify", "--all"], db=s.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        # a stored subtree changed (its triggers dropped first, as one with the file in hand would)
        if not str(s.db).startswith("postgresql:"):
            with connect(s.db) as db:
                db.execute("DROP TRIGGER ledger_node_no_update")
                db.execute("UPDATE ledger_node SET hash = zeroblob(32) WHERE level = 3 AND idx = 0")
                db.commit()
            p = run_command(["verify", "--all"], db=s.db)
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertIn("subtree 3/0", p.stderr)
            level = self.leaf_hashes(s)[:8]
            while len(level) > 1:
                level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
            with connect(s.db) as db:  # put back as it was, for what follows
                db.execute("UPDATE ledger_node SET hash = ? WHERE level = 3 AND idx = 0", (level[0],))
                db.commit()
        # the newest contribution cut off with its leaf: every remaining leaf matches its fact, but not the
        # checkpoint handed out before
        note, size, _ = self.checkpoint(s)
        with tempfile.TemporaryDirectory() as d:
            cpath, kpath = self.write(d, "checkpoint", note), self.write(d, "key", self.key(s) + "\n")
            p = run_command(["verify", "--all", "--checkpoint", cpath, "--key", kpath], db=s.db)
            self.assertEqual(p.returncode, 0, p.stderr)
            if not str(s.db).startswith("postgresql:"):
                with connect(s.db) as db:
                    db.execute("DROP TRIGGER ledger_leaf_no_delete")
                    db.execute("DROP TRIGGER ledger_node_no_delete")
                    db.execute("DELETE FROM ledger_leaf WHERE idx = ?", (size - 1,))
                    # and the subtrees that leaf completed, as a careful forger would
                    db.execute("DELETE FROM ledger_node WHERE (idx + 1) * (1 << level) > ?", (size - 1,))
                    db.execute("DELETE FROM outbox WHERE message LIKE ?", ("%" + last["tracking"] + "%",))
                    db.execute("DELETE FROM contribution WHERE tracking = ?", (last["tracking"],))
                    db.commit()
                p = run_command(["verify", "--all"], db=s.db)
                self.assertEqual(p.returncode, 0, "without a checkpoint the cut does not show: %s" % p.stderr)
                p = run_command(["verify", "--all", "--checkpoint", cpath, "--key", kpath], db=s.db)
                self.assertEqual(p.returncode, 1, p.stdout)
                self.assertIn("leaves were removed", p.stderr)
