"""
A contribution sent twice is stored once (issue 11, bad input: "duplicated"), and a refused form keeps what
was typed.

The API takes an Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header, as Stripe's): the same key
and body again answer with the first receipt (same tracking number, nothing stored); the same key with another
body is refused (409, nothing stored); a key is scoped to its sender (an account, else an address) and the
call. The form carries a one-time key in a hidden field ("once"), made when its page is served: a form sent
again (a double click, a resend) leads to the first receipt, which says so. The unique index of migration 047
is what makes two copies one row when they meet in one group commit (CONSULTA_TEST_WRITER_DELAY_MS holds each
batch back so that they do); test_cluster.py sends one key to two nodes at once.

A form whose CSRF token failed (expired, or not ours) comes back filled in, with a fresh token and a sentence
saying what happened, still 403 and storing nothing.
"""

import re
import unittest
import urllib.parse

from harness import CALL1_OPEN, SLUG, ServerTestCase, contribution, parallel
from test_letters import OfficeSession

API = "/api/v1/calls/1/contributions"
FORM = "/calls/1/contribute"


def rows_with_text(s, text):
    return s.query("SELECT tracking FROM contribution WHERE text = ?", (text,))


def once_of(html):
    m = re.search(r'name="once" value="([A-Za-z0-9_-]+)"', html)
    if not m:
        raise AssertionError("the form has no one-time key")
    return m.group(1)


class ApiIdempotencyKey(ServerTestCase):
    NOW = CALL1_OPEN

    def test_the_same_key_twice_stores_one_and_answers_the_same_tracking_number(self):
        body = contribution(text="Sent twice with one key: a client's retry after a time-out.")
        first = self.server.post_json(API, body, headers={"Idempotency-Key": "retry-1"})
        self.assertEqual(first.status, 201, first)
        again = self.server.post_json(API, body, headers={"Idempotency-Key": "retry-1"})
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.json()["tracking"], first.json()["tracking"])
        self.assertEqual(again.json()["received_at"], first.json()["received_at"])
        self.assertEqual(again.json()["leaf_index"], first.json()["leaf_index"])
        self.assertEqual(len(rows_with_text(self.server, body["text"])), 1)

    def test_without_a_key_a_repeat_is_a_new_contribution_as_before(self):
        body = contribution(text="Sent twice without a key.")
        a = self.server.post_json(API, body).json()["tracking"]
        b = self.server.post_json(API, body).json()["tracking"]
        self.assertNotEqual(a, b)
        self.assertEqual(len(rows_with_text(self.server, body["text"])), 2)

    def test_a_key_used_again_with_another_body_is_refused_and_stores_nothing(self):
        first = self.server.post_json(API, contribution(text="The first body of key reuse-1."),
                                      headers={"Idempotency-Key": "reuse-1"})
        self.assertEqual(first.status, 201, first)
        other = self.server.post_json(API, contribution(text="Another body under key reuse-1."),
                                      headers={"Idempotency-Key": "reuse-1"})
        self.assertEqual(other.status, 409, other)
        err = other.json()["error"]
        self.assertEqual(err["code"], "conflict")
        self.assertIn("already used for another contribution", err["message"])
        self.assertIn(first.json()["tracking"], err["message"])
        self.assertEqual(rows_with_text(self.server, "Another body under key reuse-1."), [])

    def test_a_key_is_scoped_to_its_sender(self):
        # The same key from an account (its API token) is not the anonymous sender's key.
        token = self.server.account_token("idem-scope@example.org", role="stakeholder")
        a = self.server.post_json(API, contribution(text="Anonymous, key scope-1."),
                                  headers={"Idempotency-Key": "scope-1"})
        b = self.server.send_json("POST", API, contribution(text="With a token, key scope-1."), token=token,
                                  headers={"Idempotency-Key": "scope-1"})
        self.assertEqual((a.status, b.status), (201, 201), (a, b))
        self.assertNotEqual(a.json()["tracking"], b.json()["tracking"])
        # and to the call: the same key and body for another call is that call's own (call 2 is not open:
        # refused for that, not taken for call 1's)
        c = self.server.post_json("/api/v1/calls/2/contributions", contribution(text="Anonymous, key scope-1."),
                                  headers={"Idempotency-Key": "scope-1"})
        self.assertEqual(c.json()["error"]["code"], "call_not_open", c)

    def test_a_malformed_key_is_refused(self):
        for key in ("x" * 256, "caf\u00e9".encode("utf-8").decode("latin-1")):
            with self.subTest(key=key[:10]):
                r = self.server.post_json(API, contribution(text="A malformed key."),
                                          headers={"Idempotency-Key": key})
                self.assertEqual(r.status, 400, r)
                self.assertIn("Idempotency-Key", r.json()["error"]["message"])
        self.assertEqual(rows_with_text(self.server, "A malformed key."), [])


class CopiesInOneBatch(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_copies_of_one_key_in_one_writer_batch_are_one_row(self):
        # Each batch is held back 300 ms: the twelve requests (four keys, three copies each) are checked and
        # queued before any of them is written, so that copies meet in one batch (the check before queueing
        # finds nothing yet): the unique index leaves the later copies out, and each is answered with the
        # first one's receipt.
        s = self.fresh_server(env={"CONSULTA_TEST_WRITER_DELAY_MS": "300"}, serve_args=["--per-address-limit", "0"])

        def send(i):
            key = "batch-%d" % (i % 4)
            r = s.post_json(API, contribution(text="One batch, key %s." % key), headers={"Idempotency-Key": key})
            return key, r.status, (r.json().get("tracking") if r.status == 201 else r.body)

        results = parallel(send, list(range(12)), 12)
        self.assertEqual([st for _, st, _ in results], [201] * 12, results)
        for k in range(4):
            key = "batch-%d" % k
            trackings = {t for kk, _, t in results if kk == key}
            self.assertEqual(len(trackings), 1, (key, trackings))
            stored = rows_with_text(s, "One batch, key %s." % key)
            self.assertEqual([t for (t,) in stored], list(trackings))
        s.stop()
        self.assertIn("event=contribution.duplicate", s.log(), "the copies were answered as copies")


class FormSentTwice(ServerTestCase):
    NOW = CALL1_OPEN

    def test_a_resent_form_leads_to_the_first_receipt(self):
        s = self.server
        once = once_of(s.get(FORM).text)
        fields = dict(contribution(text="A form sent twice (a double click)."), once=once)
        first = s.post_form(FORM, fields)
        self.assertEqual(first.status, 303, first)
        again = s.post_form(FORM, fields)
        self.assertEqual(again.status, 303, again)
        tracking = first.header("Location").rsplit("/", 1)[1]
        self.assertEqual(again.header("Location"), "/receipts/%s?again=1" % tracking)
        self.assertEqual([t for (t,) in rows_with_text(s, fields["text"])], [tracking])
        page = s.get(again.header("Location")).text
        self.assertIn("You already sent this contribution; here is its receipt.", page)
        self.assertIn(tracking, page)

    def test_each_page_of_the_form_has_its_own_key(self):
        self.assertNotEqual(once_of(self.server.get(FORM).text), once_of(self.server.get(FORM).text))

    def test_a_form_sent_again_with_other_text_comes_back_with_a_new_key(self):
        # Sent, then changed after going back: not stored under the first one's key; the form comes back with
        # what was typed and a new key, and sending it then stores it.
        s = self.server
        once = once_of(s.get(FORM).text)
        first = s.post_form(FORM, dict(contribution(text="First text of a form sent, then changed."), once=once))
        self.assertEqual(first.status, 303, first)
        changed = dict(contribution(text="Changed text of a form sent, then changed."), once=once)
        back = s.post_form(FORM, changed)
        self.assertEqual(back.status, 409, back)
        self.assertIn("This form was sent before with other content", back.text)
        self.assertIn("Changed text of a form sent, then changed.</textarea>", back.text)
        fresh = once_of(back.text)
        self.assertNotEqual(fresh, once)
        self.assertEqual(rows_with_text(s, changed["text"]), [])
        changed["once"] = fresh
        self.assertEqual(s.post_form(FORM, changed).status, 303)
        self.assertEqual(len(rows_with_text(s, changed["text"])), 1)

    def test_a_form_refused_for_a_field_keeps_its_key(self):
        s = self.server
        once = once_of(s.get(FORM).text)
        back = s.post_form(FORM, dict(contribution(text="Refused for its e-mail, then sent.", email="nope"),
                                      once=once))
        self.assertEqual(back.status, 422, back)
        self.assertEqual(once_of(back.text), once, "nothing was stored with it: the same form goes on")


class ExpiredForm(ServerTestCase):
    NOW = CALL1_OPEN

    def test_an_expired_token_gives_the_form_back_with_what_was_typed_and_stores_nothing(self):
        s = self.server
        before = s.published_total()
        fields = dict(contribution(text="Typed for an hour, & sent <after> the token expired."),
                      comment_1_paragraph="", comment_1_type="general",
                      comment_1_text="A general comment typed too.")
        r = s.post_form(FORM, fields, csrf="X" * 43)
        self.assertEqual(r.status, 403, r)
        self.assertIn("This form had expired or did not come from this site; nothing was sent.", r.text)
        self.assertIn("Typed for an hour, &amp; sent &lt;after&gt; the token expired.</textarea>", r.text)
        self.assertIn("A general comment typed too.</textarea>", r.text)
        self.assertIn('value="Ada Lovelace"', r.text)
        self.assertRegex(r.text, r'<option value="academia" selected>')
        # a fresh token, the one this browser's cookie needs: sending the form again as it came back works
        token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        self.assertEqual(token, s.csrf_token())
        self.assertEqual(s.published_total(), before)
        self.assertEqual(rows_with_text(s, fields["text"]), [])
        fields["once"] = once_of(r.text)
        self.assertEqual(s.post_form(FORM, fields, csrf=token).status, 303)
        self.assertEqual(len(rows_with_text(s, fields["text"])), 1)

    def test_without_a_cookie_the_form_comes_back_with_one(self):
        r = self.server.post_form(FORM, contribution(text="No cookie at all."), csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertIn("No cookie at all.</textarea>", r.text)
        self.assertIn("consulta_csrf=", r.header("Set-Cookie") or "")
        self.assertEqual(rows_with_text(self.server, "No cookie at all."), [])


class ExpiredOfficeForm(OfficeSession):
    """The letters' forms (long texts the secretariat types) come back as typed when their token failed, as the
    contribution form does: still 403, nothing saved."""

    FIELDS = {"subject": "Typed before the token changed", "for_action": "member-states",
              "for_information": "observers", "references": "", "corrects": "",
              "markdown": "Dear colleagues,\n\nA long letter typed for an hour.", "contact": "The secretariat",
              "schedule_annex": "0"}

    def post_stale(self, path, fields):
        body = urllib.parse.urlencode(dict(fields, csrf="X" * 43)).encode("ascii")
        return self.s.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookies()})

    def test_a_new_letter_and_an_edited_draft_come_back_as_typed(self):
        drafts = self.s.query("SELECT count(*) FROM circular_draft")[0][0]
        r = self.post_stale("/office/processes/%s/letters" % SLUG, self.FIELDS)
        self.assertEqual(r.status, 403, r)
        self.assertIn("This form had expired or did not come from this site; nothing was sent.", r.text)
        self.assertIn('value="Typed before the token changed"', r.text)
        self.assertIn("A long letter typed for an hour.</textarea>", r.text)
        self.assertIn('name="csrf" value="%s"' % self.s.csrf_token(self.session), r.text, "a fresh token")
        self.assertEqual(self.s.query("SELECT count(*) FROM circular_draft")[0][0], drafts, "nothing saved")
        saved = self.post("/office/processes/%s/letters" % SLUG, self.FIELDS)
        self.assertEqual(saved.status, 303, saved)
        draft = saved.header("Location").split("?")[0]
        r = self.post_stale(draft, dict(self.FIELDS, subject="Edited, then the token changed"))
        self.assertEqual(r.status, 403, r)
        self.assertIn('value="Edited, then the token changed"', r.text)
        self.assertEqual(self.s.query("SELECT subject FROM circular_draft WHERE id = ?",
                                      (int(draft.rsplit("/", 1)[1]),)), [("Typed before the token changed",)])
        # a draft that is not there: the plain refusal
        r = self.post_stale("/office/letters/999999", self.FIELDS)
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("Typed before the token changed", r.text)


if __name__ == "__main__":
    unittest.main()
