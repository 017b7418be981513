"""
Comments on paragraphs inside a contribution (issue 8, items 1 and 3): sent
through the API and the web form (rows added and removed without JavaScript),
refused whole when one is wrong with the comment and field named, listed on
the receipt and in the receipt mail, shown under their paragraphs on the
published pages, counted per paragraph on the version page, and carried
forward to a later version at the paragraph with the same id — marked when
that paragraph changed, or listed as on a removed paragraph.
"""

import email
import email.policy
import re
import sqlite3
import harness
import unittest

from harness import SLUG, ServerTestCase, contribution, page_text

CONTRIBUTIONS = "/api/v1/calls/1/contributions"
FORM = "/calls/1/contribute"
SECRETARIAT = "secretariat@example.org"


def stored_comments(server):
    with harness.connect(server.db, timeout=10) as db:
        return db.execute("SELECT contribution_id, version_id, pid, position, type, comment, proposed_change "
                          "FROM comment ORDER BY id").fetchall()


def receipt_mails(server, to):
    with harness.connect(server.db, timeout=10) as db:
        rows = db.execute("SELECT message FROM outbox WHERE kind = 'receipt' AND recipient = ? ORDER BY id",
                          (to,)).fetchall()
    return [email.message_from_string(m, policy=email.policy.default).get_content() for (m,) in rows]


class CommentsTestCase(ServerTestCase):
    SHARED = False

    def call_version(self, s, call=1):
        return s.get_json("/api/v1/calls/%d" % call).json()["version_id"]

    def post(self, s, comments, **fields):
        return s.post_json(CONTRIBUTIONS, contribution(comments=comments, **fields))


class ApiComments(CommentsTestCase):
    def test_comments_are_stored_and_returned_with_their_ids(self):
        s = self.fresh_server()
        comments = [{"paragraph": "p3", "type": "technical", "comment": "Say who reports.",
                     "proposed_change": "The secretariat reports to Council."},
                    {"paragraph": None, "type": "editorial", "comment": "Number the headings."},
                    {"paragraph": "p7", "comment": "Yearly is too rare.", "proposed_change": None}]
        # With comments, the covering text may be left empty.
        r = self.post(s, comments, text="")
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]
        got = s.get_json("/api/v1/contributions/" + tracking).json()["comments"]
        self.assertEqual([(c["paragraph"], c["number"], c["type"], c["comment"], c["proposed_change"]) for c in got],
                         [("p3", 3, "technical", "Say who reports.", "The secretariat reports to Council."),
                          (None, None, "editorial", "Number the headings.", ""),
                          ("p7", 7, "general", "Yearly is too rare.", "")])
        self.assertEqual(len({c["id"] for c in got}), 3)
        listed = s.get_json(CONTRIBUTIONS).json()["contributions"]
        self.assertEqual([c["comments"] for c in listed if c["tracking"] == tracking], [got])
        # The secretariat's record has them too.
        token = s.account_token(SECRETARIAT)
        record = s.send_json("GET", "/api/v1/contributions/" + tracking, token=token).json()
        self.assertEqual(record["comments"], got)
        moderation = s.send_json("GET", "/api/v1/calls/1/moderation", token=token).json()["contributions"]
        self.assertEqual([c["comments"] for c in moderation if c["tracking"] == tracking], [got])
        version = self.call_version(s)
        self.assertEqual({row[1] for row in stored_comments(s)}, {version})

    def test_a_comment_from_a_table_says_its_row(self):
        # The tables channel fills row, clause and note; stored here as it would store them.
        s = self.fresh_server()
        tracking = self.post(s, [{"paragraph": None, "comment": "From row 4."}]).json()["tracking"]
        with harness.connect(s.db) as db:
            db.execute("UPDATE comment SET table_row = 4, clause = '5.2, second paragraph', "
                       "note = 'no paragraph 5.2 in this version: kept as a general comment'")
        got = s.get_json("/api/v1/contributions/" + tracking).json()["comments"][0]
        self.assertEqual(got["table"], {"row": 4, "clause": "5.2, second paragraph",
                                        "note": "no paragraph 5.2 in this version: kept as a general comment"})
        self.assertIn("Row 4 of the comment table: no paragraph 5.2", page_text(s.get("/contributions/" + tracking).text))

    def test_without_comments_the_text_is_still_required(self):
        s = self.fresh_server()
        self.assertErrorShape(self.post(s, [], text=""), 422, "invalid", {"text"})
        self.assertErrorShape(s.post_json(CONTRIBUTIONS, contribution(text="")), 422, "invalid", {"text"})

    def assertRefusedWhole(self, s, comments, fields, **kw):
        before = s.published_total()
        err = self.assertErrorShape(self.post(s, comments, **kw), 422, "invalid", fields)
        self.assertEqual(s.published_total(), before, "nothing is stored")
        self.assertEqual(stored_comments(s), [], "no comment is stored")
        return err

    def test_a_paragraph_of_another_version_is_refused_with_the_comment_named(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        # A later version with more paragraphs: its p12 is not a paragraph of the call's version.
        markdown = "\n\n".join("Paragraph number %d of a longer text." % i for i in range(1, 13)) + "\n"
        r = s.send_json("POST", "/api/v1/processes/%s/documents/guidelines/versions" % SLUG,
                        {"markdown": markdown, "date": "2021-05-07", "label": "Longer draft"}, token=token)
        self.assertEqual(r.status, 201, r)
        good = {"paragraph": "p2", "comment": "Fine."}
        err = self.assertRefusedWhole(s, [good, good, {"paragraph": "p12", "comment": "About a paragraph."}],
                                      {"comments[3].paragraph"})
        message = err["fields"]["comments[3].paragraph"]
        self.assertTrue(message.startswith("Comment 3: "), message)
        self.assertIn("p12", message)
        self.assertIn("not in this version", message)

    def test_bad_type_empty_comment_and_wrong_json_types_are_named(self):
        s = self.fresh_server()
        self.assertRefusedWhole(s, [{"paragraph": "p1", "type": "urgent", "comment": "x"}], {"comments[1].type"})
        self.assertRefusedWhole(s, [{"paragraph": "p1", "comment": "x"}, {"paragraph": "p2", "comment": "  "}],
                                {"comments[2].comment"})
        self.assertRefusedWhole(s, [{"paragraph": 3, "comment": 4}], {"comments[1].paragraph", "comments[1].comment"})
        self.assertRefusedWhole(s, ["just text"], {"comments[1]"})
        self.assertRefusedWhole(s, {"paragraph": "p1"}, {"comments"})
        # Every field error at once: the other fields are checked too.
        self.assertRefusedWhole(s, [{"paragraph": "p1", "type": "urgent", "comment": "x"}],
                                {"comments[1].type", "email"}, email="not an address")

    def test_a_comment_over_the_limit_is_refused(self):
        s = self.fresh_server()
        err = self.assertRefusedWhole(s, [{"paragraph": "p1", "comment": "x"},
                                          {"paragraph": "p2", "comment": "y" * 20001}], {"comments[2].comment"})
        self.assertIn("20000", err["fields"]["comments[2].comment"])
        self.assertRefusedWhole(s, [{"paragraph": "p1", "comment": "x", "proposed_change": "z" * 20001}],
                                {"comments[1].proposed_change"})
        # At the limit, accepted.
        r = self.post(s, [{"paragraph": "p2", "comment": "y" * 20000, "proposed_change": "z" * 20000}])
        self.assertEqual(r.status, 201, r)

    def test_too_many_comments_are_refused(self):
        s = self.fresh_server()
        err = self.assertRefusedWhole(s, [{"paragraph": None, "comment": "c%d" % i} for i in range(501)],
                                      {"comments"})
        self.assertIn("500", err["fields"]["comments"])
        r = self.post(s, [{"paragraph": None, "comment": "c%d" % i} for i in range(500)])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(stored_comments(s)), 500)

    def test_comments_of_unpublished_contributions_are_never_public(self):
        s = self.fresh_server()
        version = self.call_version(s)
        private = self.post(s, [{"paragraph": "p3", "comment": "Private remark."}], publication="private").json()
        published = self.post(s, [{"paragraph": "p3", "comment": "Public remark."}]).json()
        token = s.account_token(SECRETARIAT)
        hidden = self.post(s, [{"paragraph": "p3", "comment": "Hidden remark."}]).json()
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % hidden["tracking"],
                        {"action": "hide", "reason": "Off topic."}, token=token)
        self.assertEqual(r.status, 200, r)
        page = s.get("/versions/%d/paragraphs/p3" % version).text
        self.assertIn("Public remark.", page)
        self.assertNotIn("Private remark.", page)
        self.assertNotIn("Hidden remark.", page)
        self.assertIn("1 comment<", s.get("/versions/%d" % version).text)
        listed = s.get("/calls/1/contributions").text
        self.assertNotIn("Hidden remark.", listed)
        self.assertNotIn("Private remark.", listed)
        self.assertEqual(s.get_json("/api/v1/contributions/" + private["tracking"]).status, 404)
        self.assertNotIn("comments", s.get_json("/api/v1/contributions/" + hidden["tracking"]).json())
        self.assertIn("Public remark.", s.get("/contributions/" + published["tracking"]).text)


class ParagraphPage(CommentsTestCase):
    def test_a_paragraph_with_many_comments_is_paged(self):
        s = self.fresh_server()
        version = self.call_version(s)
        r = self.post(s, [{"paragraph": "p2", "comment": "Remark %03d." % i} for i in range(101)])
        self.assertEqual(r.status, 201, r)
        first = s.get("/versions/%d/paragraphs/p2" % version).text
        self.assertEqual(first.count('<li class="comment"'), 100)
        self.assertIn('<a href="?offset=100" rel="next">Next page</a>', first)
        self.assertIn("Remark 000.", first)
        second = s.get("/versions/%d/paragraphs/p2?offset=100" % version).text
        self.assertEqual(second.count('<li class="comment"'), 1)
        self.assertIn("Remark 100.", second)
        self.assertNotIn('rel="next"', second)
        self.assertIn('101 comments<span class="visually-hidden"> on \u00b62', s.get("/versions/%d" % version).text)


class SecretariatSeesComments(CommentsTestCase):
    def test_the_moderation_page_shows_a_pending_contributions_comments(self):
        s = self.fresh_server()
        password = "a long passphrase for the tests"
        s.account_token(SECRETARIAT, password=password)
        r = s.post_form("/login", {"email": SECRETARIAT, "password": password, "next": "/office"})
        self.assertEqual(r.status, 303, r)
        session = [v.split(";")[0].split("=", 1)[1] for k, v in r.headers.items()
                   if k.lower() == "set-cookie" and v.startswith("consulta_session=")][0]
        # A private contribution is published nowhere, but the secretariat reads it, comments included.
        self.assertEqual(self.post(s, [{"paragraph": "p4", "type": "editorial", "comment": "Pillars: list them."}],
                                   publication="private").status, 201)
        page = s.get("/office/calls/1/contributions?state=published",
                     headers={"Cookie": "consulta_session=" + session}).text
        words = page_text(page)
        self.assertIn("Comments (1)", words)
        self.assertIn("\u00b64 \u00b7 Editorial", words)
        self.assertIn("Pillars: list them.", words)


class FormComments(CommentsTestCase):
    def test_comment_on_a_paragraph_opens_the_form_with_it_chosen(self):
        s = self.fresh_server()
        version = self.call_version(s)
        page = s.get("/versions/%d" % version).text
        self.assertIn('<a href="/calls/1/contribute?paragraph=p3">Comment on \u00b63</a>', page)
        form = s.get(FORM + "?paragraph=p3").text
        self.assertEqual(re.findall(r'<option value="(p\d+)" selected>', form), ["p3"])
        self.assertEqual(len(re.findall(r'<fieldset class="comment"', form)), 1)
        self.assertIn('name="comment_1_text"', form)
        # An id not of this version opens the form without a row.
        self.assertNotIn('<fieldset class="comment"', s.get(FORM + "?paragraph=p99").text)

    def fields(self, **extra):
        f = contribution(text="")
        f.update(extra)
        return f

    def test_rows_are_added_and_removed_without_javascript(self):
        s = self.fresh_server()
        typed = self.fields(comment_1_paragraph="p3", comment_1_type="technical", comment_1_text="First <b>one</b>",
                            action="add")
        r = s.post_form(FORM, typed)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(re.findall(r'<fieldset class="comment"', r.text)), 2)
        self.assertIn("First &lt;b&gt;one&lt;/b&gt;</textarea>", r.text)
        self.assertIn('<option value="technical" selected>', r.text)
        self.assertIn('name="comment_2_text"', r.text)
        self.assertIn('value="Ada Lovelace"', r.text, "what was typed stays")
        self.assertEqual(stored_comments(s), [], "adding a row sends nothing")
        # Remove the first of two rows: the second becomes row 1.
        two = self.fields(comment_1_paragraph="p3", comment_1_text="First", comment_2_paragraph="p5",
                          comment_2_text="Second", action="remove-1")
        r = s.post_form(FORM, two)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(re.findall(r'<fieldset class="comment"', r.text)), 1)
        self.assertIn('<option value="p5" selected>', r.text)
        self.assertIn(">Second</textarea>", r.text)
        self.assertNotIn(">First</textarea>", r.text)
        self.assertEqual(s.published_total(), 0)

    def test_errors_show_next_to_the_row_and_the_summary_links_to_them(self):
        s = self.fresh_server()
        bad = self.fields(comment_1_paragraph="p3", comment_1_text="Fine.", comment_2_paragraph="p99",
                          comment_2_type="technical", comment_2_text="", action="send")
        r = s.post_form(FORM, bad)
        self.assertEqual(r.status, 422, r)
        self.assertIn('<a href="#f-comment_2_text">Comment 2: enter the comment.</a>', r.text)
        self.assertIn('href="#f-comment_2_paragraph"', r.text)
        self.assertIn('<p class="error" id="e-comment_2_text">Comment 2: enter the comment.</p>', r.text)
        self.assertIn('id="f-comment_2_text" name="comment_2_text" rows="5" aria-invalid="true" '
                      'aria-describedby="e-comment_2_text"', r.text)
        self.assertNotIn('id="e-comment_1_text"', r.text)
        self.assertEqual(stored_comments(s), [])

    def test_a_form_with_comments_is_sent_and_its_receipt_lists_them(self):
        s = self.fresh_server()
        f = self.fields(comment_1_paragraph="p3", comment_1_type="technical", comment_1_text="Say who reports.",
                        comment_1_change="The secretariat reports.", comment_2_paragraph="", comment_2_type="editorial",
                        comment_2_text="Number the headings.", action="send")
        r = s.post_form(FORM, f)
        self.assertEqual(r.status, 303, r)
        receipt = s.get(r.header("Location")).text
        words = page_text(receipt)
        self.assertIn("Comments (2)", words)
        self.assertIn("\u00b63 \u00b7 Technical", words)
        self.assertIn("The secretariat reports.", words)
        self.assertIn("General comment \u00b7 Editorial", words)
        mail = receipt_mails(s, "ada@example.org")[-1]
        self.assertIn("Your comments (2):", mail)
        self.assertIn("1. \u00b63, technical", mail)
        self.assertIn("2. General comment, editorial", mail)
        # The address was typed on a form: the mail repeats none of the sender's words (the receipt page does).
        self.assertNotIn("The secretariat reports.", mail)
        self.assertNotIn("Say who reports.", mail)
        self.assertIn("The receipt page below shows each comment as it was received.", mail)

    def test_enter_in_a_field_sends_the_form(self):
        # The first submit button of the form is what Enter presses: it must be the (hidden) send button.
        s = self.fresh_server()
        form = s.get(FORM + "?paragraph=p3").text
        first = re.search(r'<button[^>]*>', form).group(0)
        self.assertIn('value="send"', first)

    def test_a_long_text_offers_fewer_rows_so_the_form_stays_a_page(self):
        # Every row has a choice of all the paragraphs: with 1,000 of them, 100 rows would be 10 MB of form.
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        markdown = "\n\n".join("Paragraph %d of a long draft, with a few words more." % i for i in range(1, 1001))
        r = s.send_json("POST", "/api/v1/processes/%s/documents/guidelines/versions" % SLUG,
                        {"markdown": markdown + "\n", "date": "2021-01-20", "label": "Long draft"}, token=token)
        self.assertEqual(r.status, 201, r)
        version = r.json()["id"]
        self.assertEqual(r.json()["state"], "published", r)
        # The paragraphs' ids: matched against the demo's version, new ones get ids the document never used.
        pids = [p["id"] for p in s.get_json("/api/v1/versions/%d" % version).json()["paragraphs"]]
        self.assertEqual(len(pids), 1000)
        r = s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG,
                        {"version_id": version, "title": "Long call", "opens_on": "2021-02-01",
                         "closes_on": "2021-02-28"}, token=token)
        self.assertEqual(r.status, 201, r)
        call = r.json()["id"]
        f = self.fields(name="", action="send")
        for k in range(1, 42):
            f.update({"comment_%d_paragraph" % k: pids[k - 1], "comment_%d_text" % k: "On %d." % k})
        r = s.post_form("/calls/%d/contribute" % call, f)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.text.count('<fieldset class="comment"'), 41)
        self.assertLess(len(r.body), 8 * 1024 * 1024)
        self.assertFalse('value="add"' in r.text, "no Add button past the rows the form offers")
        self.assertTrue("This form takes 41 comments at most" in r.text, "the form says how many it takes")
        f.update(name="Ada", action="send")
        self.assertEqual(s.post_form("/calls/%d/contribute" % call, f).status, 303)

    def test_the_form_takes_many_rows(self):
        s = self.fresh_server()
        f = self.fields(action="send")
        for k in range(1, 101):
            f.update({"comment_%d_paragraph" % k: "p1", "comment_%d_type" % k: "general",
                      "comment_%d_text" % k: "Comment %d" % k, "comment_%d_change" % k: ""})
        r = s.post_form(FORM, f)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(len(stored_comments(s)), 100)


class CarriedForward(CommentsTestCase):
    def test_comments_follow_their_paragraph_to_the_next_version(self):
        s = self.fresh_server()
        token = s.account_token(SECRETARIAT)
        old = self.call_version(s)
        r = self.post(s, [{"paragraph": "p2", "comment": "Purpose is fine."},
                          {"paragraph": "p3", "type": "technical", "comment": "Name the partners."},
                          {"paragraph": "p8", "comment": "The table needs a total."}])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.post(s, [{"paragraph": "p3", "comment": "Scope is too wide."}]).status, 201)
        with harness.connect(s.db) as db:
            (markdown,) = db.execute("SELECT markdown FROM version WHERE id = ?", (old,)).fetchone()
        # ¶3 edited, the last paragraph (the table) removed: the ids p1..p7 stay those of the same paragraphs.
        edited = markdown.replace("including those carried out with partners.",
                                  "including those carried out with partners and contractors.")
        edited = "\n".join(line for line in edited.split("\n") if not line.startswith("|")) + "\n"
        self.assertNotEqual(edited, markdown)
        r = s.send_json("POST", "/api/v1/processes/%s/documents/guidelines/versions" % SLUG,
                        {"markdown": edited, "date": "2021-05-07", "label": "Final draft"}, token=token)
        self.assertEqual(r.status, 201, r)
        new = s.get_json("/api/v1/processes/" + SLUG).json()["documents"][0]["versions"][-1]["id"]
        self.assertNotEqual(new, old)

        page = s.get("/versions/%d" % new).text
        self.assertIn('<a href="/versions/%d/paragraphs/p3">2 comments<span class="visually-hidden"> on \u00b63'
                      '</span></a>, all on earlier versions' % new, page)
        self.assertIn('<a href="/versions/%d/paragraphs/p2">1 comment' % new, page)
        self.assertNotIn("Comment on \u00b6", page, "no call is open on the new version")
        removed = page[page.index('id="removed"'):]
        self.assertIn("/versions/%d/paragraphs/p8" % new, removed)
        self.assertIn("this paragraph was removed", removed)
        # p8 is not shown at any paragraph of the new version.
        self.assertNotIn('href="/versions/%d/paragraphs/p8">1 comment<span class="visually-hidden"> on \u00b6' % new,
                         page)

        changed = s.get("/versions/%d/paragraphs/p3" % new)
        self.assertEqual(changed.status, 200)
        words = page_text(changed.text)
        self.assertIn("Name the partners.", words)
        self.assertIn("Scope is too wide.", words)
        self.assertIn("Carried forward from earlier versions", words)
        self.assertEqual(words.count("the paragraph has changed since"), 2)
        self.assertIn("partners and contractors", words, "the paragraph as it is now")

        same = page_text(s.get("/versions/%d/paragraphs/p2" % new).text)
        self.assertIn("Purpose is fine.", same)
        self.assertNotIn("changed since", same)

        gone = s.get("/versions/%d/paragraphs/p8" % new)
        self.assertEqual(gone.status, 200)
        self.assertIn("The table needs a total.", page_text(gone.text))
        self.assertIn("this paragraph was removed", page_text(gone.text))
        self.assertEqual(s.get("/versions/%d/paragraphs/p42" % new).status, 404)

        # The old version keeps its own comments, as made on it.
        before = page_text(s.get("/versions/%d/paragraphs/p3" % old).text)
        self.assertIn("Comments on this version", before)
        self.assertNotIn("changed since", before)
        self.assertIn('2 comments<span class="visually-hidden"> on \u00b63</span></a> \u00b7',
                      s.get("/versions/%d" % old).text)

        # The published contributions show each comment under its paragraph.
        listed = s.get("/calls/1/contributions").text
        self.assertIn('<a href="/versions/%d/paragraphs/p3">\u00b63</a> \u00b7 Technical' % old, listed)


if __name__ == "__main__":
    unittest.main()
