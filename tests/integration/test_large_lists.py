"""
Lists of long contributions (issue 7, item 7): 42 contributions of
100,000 characters each (CJK ideographs of 4 bytes in UTF-8, and quotation
marks that HTML escapes) are more than one answer may hold (LIMIT_RESPONSE,
8 MiB). Every page of the public list, of the API
and of the office's moderation list is a whole page (HTML ends with
</html>, JSON parses), following the pages reaches every contribution, and
an answer that would still pass the limit is an error with the request id,
never a 200 cut off.
"""

import html
import json
import os
import re
import subprocess
import unittest

import harness

COUNT = 42
CHAR = "\U00020000"  # a CJK ideograph outside the BMP: 4 bytes in UTF-8
# Each text: 100,000 characters, half of them that ideograph and half a quotation mark (6 bytes as &quot;
# in HTML): 500 KB of HTML each, so that one default page of 20 is more than LIMIT_RESPONSE.
TEXT = ('"' + CHAR) * 50000
LIMIT_RESPONSE = 8 * 1024 * 1024
PASSWORD = "a long passphrase for the tests"


class LargeLists(harness.ServerTestCase):
    SHARED = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        def send(i):
            return s.contribute(text=("%02d " % i) + TEXT[3:])["tracking"]

        cls.sent = set(harness.parallel(send, list(range(COUNT)), 4))

    def assertWholePage(self, r):
        self.assertEqual(r.status, 200, r)
        self.assertLess(len(r.body), LIMIT_RESPONSE)
        self.assertTrue(r.text.rstrip().endswith("</html>"), r.text[-200:][:200])

    def test_the_public_list_pages_by_size_and_reaches_every_contribution(self):
        s = self.server
        seen, url, pages = [], "/calls/1/contributions", 0
        while url:
            r = s.get(url)
            self.assertWholePage(r)
            seen += re.findall(r'<article class="contribution[^"]*" id="c-([^"]+)"', r.text)
            m = re.search(r'<a href="([^"]+)" rel="next"', r.text)
            url = "/calls/1/contributions" + html.unescape(m.group(1)) if m else None
            pages += 1
            self.assertLess(pages, 30, "next links loop")
        self.assertGreater(pages, 1)
        self.assertEqual(set(seen), self.sent)

    def test_the_api_list_pages_by_size_and_reaches_every_contribution(self):
        s = self.server
        seen, url, pages = [], "/api/v1/calls/1/contributions?per_page=100", 0
        while url:
            r = s.get_json(url)
            self.assertEqual(r.status, 200, r)
            body = r.json()  # a whole JSON document
            self.assertEqual(body["total"], COUNT)
            seen += [c["tracking"] for c in body["contributions"]]
            self.assertTrue(all(len(c["text"]) == 100000 for c in body["contributions"]))
            url = body["next"]
            pages += 1
            self.assertLess(pages, 30, "next links loop")
        self.assertGreater(pages, 1)
        self.assertEqual(len(seen), COUNT)
        self.assertEqual(set(seen), self.sent)

    def office_session(self):
        s = self.server
        s.account_token("pages@example.org", role="secretariat", password=PASSWORD)
        r = s.post_form("/login", {"email": "pages@example.org", "password": PASSWORD, "next": "/office"})
        self.assertEqual(r.status, 303, r)
        for name, value in r.headers.items():
            if name.lower() == "set-cookie" and value.startswith("consulta_session="):
                return value.split(";")[0]
        self.fail("no session")

    def test_the_moderation_list_shows_all_42_across_its_pages(self):
        s = self.server
        cookie = self.office_session() + "; consulta_csrf=" + harness.CSRF_TOKEN
        base = "/office/calls/1/contributions"
        seen, url, pages = [], base + "?state=published", 0
        while url:
            r = s.get(url, headers={"Cookie": cookie})
            self.assertWholePage(r)
            self.assertTrue("42 contributions published" in r.text, "the count of the list")
            seen += re.findall(r'<div class="office-item" id="c-([^"]+)"', r.text)
            m = re.search(r'<a rel="next" href="([^"]+)"', r.text)
            url = base + html.unescape(m.group(1)) if m else None
            pages += 1
            self.assertLess(pages, 30, "next links loop")
        self.assertGreater(pages, 1)
        self.assertEqual(len(seen), COUNT)
        self.assertEqual(set(seen), self.sent)

    def test_the_moderation_api_pages_by_size_and_reaches_every_contribution(self):
        s = self.server
        token = s.account_token("api-pages@example.org", role="secretariat", password=PASSWORD)
        seen, url, pages = [], "/api/v1/calls/1/moderation?state=published&per_page=100", 0
        while url:
            r = s.send_json("GET", url, token=token)
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertEqual(body["total"], COUNT)
            seen += [c["tracking"] for c in body["contributions"]]
            url = body["next"]
            pages += 1
            self.assertLess(pages, 30, "next links loop")
        self.assertGreater(pages, 1)
        self.assertEqual(len(seen), COUNT)
        self.assertEqual(set(seen), self.sent)

    def test_a_record_with_a_huge_attachment_shows_the_start_of_its_text_and_says_so(self):
        # A contribution by e-mail with a text attachment of 9 MiB: the secretariat's view of it carries
        # the first LIMIT_RECORD_ATTACHMENT_TEXT bytes of the text and says how long the whole is, so the
        # answer stays whole (before, it passed 8 MiB and came back cut off, then as a 500).
        s = self.fresh_server()  # the shared one's lists are counted by the other tests
        line = "0123456789" * 10 + "\u00e9\u4e2d\n"  # multi-byte characters: the cut must not split one
        text = line * (9 * 1024 * 1024 // len(line.encode("utf-8")))
        eml = (b"From: Ada <ada@example.org>\nTo: written-inputs@gca-demo.example\nSubject: A long annex\n"
               b"Message-ID: <annex-1@example.org>\nDate: Mon, 1 Feb 2021 10:00:00 +0000\nMIME-Version: 1.0\n"
               b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\n"
               b"See the annex.\n--XX\nContent-Type: text/plain; charset=utf-8; name=annex.txt\n"
               b"Content-Disposition: attachment; filename=annex.txt\nContent-Transfer-Encoding: 8bit\n\n"
               + text.encode("utf-8") + b"--XX--\n")
        p = subprocess.run([harness.binary(), "--db", harness.db_url(s.db), "mail-in", "--recipient",
                            "written-inputs@gca-demo.example"], input=eml, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120, env=dict(os.environ, CONSULTA_NOW=self.NOW))
        self.assertIsNone(harness.sanitizer_report(p.stderr.decode("utf-8", "replace")))
        tracking = json.loads(p.stdout)["tracking"]
        token = s.account_token("api-record@example.org", role="secretariat", password=PASSWORD)
        r = s.send_json("GET", "/api/v1/contributions/" + tracking, token=token)
        self.assertEqual(r.status, 200, r)
        annex = [f for f in r.json()["mail"]["attachments"] if f["name"] == "annex.txt"][0]
        self.assertTrue(annex["text_truncated"])
        self.assertGreater(annex["text_bytes"], 8 * 1024 * 1024)
        shown = annex["text"].encode("utf-8")
        self.assertLessEqual(len(shown), 64 * 1024)
        self.assertGreater(len(shown), 64 * 1024 - 4)
        self.assertTrue(text.startswith(annex["text"]), "the start of the text, cut between characters")
        self.assertEqual(r.json()["text"], "See the annex.")


if __name__ == "__main__":
    unittest.main()
