"""
Every refusal of the API has the same shape, {"error":{"code","message","fields"}},
the status that fits, and a message per bad field; and nothing is stored.
"""

import json
import time

from harness import CALL1_OPEN, Server, ServerTestCase, contribution

POST = "/api/v1/calls/1/contributions"
LIMIT = 2 * 1024 * 1024
# The routes that take a contribution's files (the form and POST /api/v1/calls/{id}/contributions) may have a
# larger body: config_body_limit_files() in src/core/config.c, LIMIT plus, for each file allowed, its size in
# base64 with MIME's line ends and 8 KiB for its part's head. BodyLimit's server allows one file of 64 KiB.
FILE_KIB = 64
FILE_SIZE = FILE_KIB * 1024
LIMIT_FILES = LIMIT + FILE_SIZE // 3 * 4 + FILE_SIZE // 57 * 2 + 8192
OTHER_POST = "/api/v1/subscriptions"  # a route that takes no files: LIMIT


class InvalidFields(ServerTestCase):
    NOW = CALL1_OPEN

    def refused(self, body, fields):
        r = self.server.post_json(POST, body)
        return self.assertErrorShape(r, 422, "invalid", fields=fields)

    def test_missing_name(self):
        self.refused(contribution(name=None), {"name"})

    def test_blank_name(self):
        self.refused(contribution(name="   "), {"name"})

    def test_unknown_country(self):
        err = self.refused(contribution(country="XX"), {"country"})
        self.assertIn("ISO 3166", err["fields"]["country"])

    def test_bad_email(self):
        for email in ("not-an-address", "a@b", "@example.org", "a b@example.org", "a@example..org"):
            with self.subTest(email=email):
                self.refused(contribution(email=email), {"email"})

    def test_bad_publication(self):
        for p in ("public", "NAMED", ""):
            with self.subTest(publication=p):
                self.refused(contribution(publication=p), {"publication"})

    def test_unknown_category(self):
        err = self.refused(contribution(category="aliens"), {"category"})
        self.assertIn("categor", err["fields"]["category"])
        # what to send instead: the process's slugs
        self.assertIn("academia", err["fields"]["category"])

    def test_empty_object_names_every_required_field(self):
        self.refused({}, {"name", "category", "country", "email", "text", "publication"})

    def test_every_bad_field_is_named_at_once(self):
        body = contribution(name=None, country="XX", email="nope", publication="public", category="aliens",
                            text=" \n ")
        self.refused(body, {"name", "country", "email", "publication", "category", "text"})

    def test_wrong_json_type_of_a_required_member(self):
        for name, value in (("name", 5), ("text", ["a"]), ("country", {"code": "CH"}), ("publication", True)):
            with self.subTest(member=name):
                err = self.refused(contribution(**{name: value}), {name})
                self.assertIn("string", err["fields"][name])

    def test_wrong_json_type_of_an_optional_member_is_refused_not_dropped(self):
        # {"organization": 7} must not be stored as a contribution without an organization.
        err = self.refused(contribution(organization=7), {"organization"})
        self.assertIn("string", err["fields"]["organization"])

    def test_every_member_of_a_wrong_type_is_named(self):
        self.refused(contribution(name=1, organization=2, email=3), {"name", "organization", "email"})

    def test_too_long_name(self):
        self.refused(contribution(name="x" * 201), {"name"})
        r = self.server.post_json(POST, contribution(name="\u00e9" * 200))  # characters, not bytes
        self.assertEqual(r.status, 201, r)

    def test_control_characters_in_a_name(self):
        self.refused(contribution(name="Ada\nLovelace"), {"name"})

    def test_text_over_100000_characters(self):
        self.refused(contribution(text="a" * 100001), {"text"})

    def test_text_of_exactly_100000_characters_is_accepted(self):
        # Characters, not bytes: 200 000 bytes of UTF-8.
        body = json.dumps(contribution(text="\u00e9" * 100000), ensure_ascii=False).encode("utf-8")
        r = self.server.post_json(POST, body)
        self.assertEqual(r.status, 201, r)
        got = self.server.get_json("/api/v1/contributions/" + r.json()["tracking"]).json()
        self.assertEqual(got["text"], "\u00e9" * 100000)

    def test_the_longest_text_fits_the_body_limit_however_it_is_encoded(self):
        # 100 000 characters outside the BMP, each \u-escaped as a surrogate pair: 12 bytes apiece.
        body = json.dumps(contribution(text="\U0001F600" * 100000)).encode("ascii")
        self.assertGreater(len(body), 1200000)
        r = self.server.post_json(POST, body)
        self.assertEqual(r.status, 201, r)
        # 100 000 CJK characters through the form: 9 bytes apiece once percent-encoded.
        fields = dict(contribution(text="\u4e2d" * 100000))
        r = self.server.post_form("/calls/1/contribute", fields)
        self.assertEqual(r.status, 303, r)


class MalformedRequests(ServerTestCase):
    NOW = CALL1_OPEN

    def test_malformed_json_is_400(self):
        for body in (b'{"name": "Ada"', b"not json", b"", b'{"name": "a",}'):
            with self.subTest(body=body):
                r = self.server.post_json(POST, body)
                self.assertErrorShape(r, 400, "bad_request", fields={})

    def test_json_that_is_not_an_object_is_400(self):
        for body in (b"[]", b'"text"', b"42", b"null"):
            with self.subTest(body=body):
                self.assertErrorShape(self.server.post_json(POST, body), 400, "bad_request")

    def test_duplicate_members_are_400(self):
        r = self.server.post_json(POST, b'{"name":"a","name":"b"}')
        self.assertErrorShape(r, 400, "bad_request")

    def test_body_that_is_not_utf8_is_400(self):
        body = json.dumps(contribution(name="Zoe")).encode("utf-8").replace(b"Zoe", b"Zo\xe9")  # Latin-1 e-acute
        r = self.server.post_json(POST, body)
        err = self.assertErrorShape(r, 400, "bad_request")
        self.assertIn("UTF-8", err["message"])
        for bad in (b"\xff\xfe{}", b'{"name":"\xed\xa0\x80"}', b'{"name":"\xc0\xaf"}'):
            with self.subTest(body=bad):
                self.assertErrorShape(self.server.post_json(POST, bad), 400, "bad_request")

    def test_unknown_call_is_404(self):
        for path in ("/api/v1/calls/999/contributions", "/api/v1/calls/x/contributions"):
            with self.subTest(path=path):
                self.assertErrorShape(self.server.post_json(path, contribution()), 404, "not_found")

    def test_wrong_method_is_405_with_allow(self):
        cases = (("DELETE", POST, "GET, POST"), ("PUT", "/api/v1/calls/1", "GET, PATCH"), ("POST", "/healthz", "GET"),
                 ("PATCH", "/api/v1/contributions/ABCD-EFGH-J", "GET"))
        for method, path, allow in cases:
            with self.subTest(method=method, path=path):
                r = self.server.request(method, path, body=b"{}", headers={"Content-Type": "application/json"})
                self.assertErrorShape(r, 405, "method_not_allowed")
                self.assertEqual(set(r.header("Allow").split(", ")), set(allow.split(", ")))

    def test_non_json_content_type_is_415(self):
        body = json.dumps(contribution()).encode()
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
            with self.subTest(content_type=ctype):
                headers = {"Content-Type": ctype} if ctype else {}
                r = self.server.request("POST", POST, body=body, headers=headers)
                self.assertErrorShape(r, 415, "unsupported_media_type")

    def test_json_with_charset_parameter_is_accepted(self):
        r = self.server.post_json(POST, contribution(), headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(r.status, 201, r)


class BodyLimit(ServerTestCase):
    NOW = CALL1_OPEN

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.NOW, global_args=["--attachment-max-size", str(FILE_KIB),
                                                  "--attachment-max-count", "1"])
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    def head(self, path, length, ctype="application/json"):
        return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                % (path, ctype, length)).encode("ascii")

    def test_413_is_decided_from_content_length_before_the_body_is_sent(self):
        # Announce 64 MiB and send none of it: the answer must come at once.
        began = time.monotonic()
        status, headers, body = self.server.raw(self.head(POST, 64 * 1024 * 1024), timeout=10)
        self.assertLess(time.monotonic() - began, 8, "the 413 came only after a time-out")
        self.assertEqual(status, 413)
        err = json.loads(body)["error"]
        self.assertEqual(err["code"], "too_large")
        self.assertEqual(set(err), {"code", "message", "fields"})

    def test_413_for_one_byte_over_the_limit(self):
        status, _, _ = self.server.raw(self.head(POST, LIMIT_FILES + 1), timeout=10)
        self.assertEqual(status, 413)

    def test_a_route_without_files_keeps_the_smaller_limit(self):
        status, _, body = self.server.raw(self.head(OTHER_POST, LIMIT + 1), timeout=10)
        self.assertEqual(status, 413)
        # in MB as a person reads them, not in KiB
        self.assertIn("limit of 2 MB; shorten the text", json.loads(body)["error"]["message"])

    def test_413_of_a_route_with_files_names_both_limits_in_mb_or_kb(self):
        # One file's limit and the whole request's, as a person reads them (the trial's "limit of 37119 KiB"
        # named neither): 64 KB each, and LIMIT_FILES (2.09 MiB) rounded down.
        status, _, body = self.server.raw(self.head(POST, LIMIT_FILES + 1), timeout=10)
        self.assertEqual(status, 413)
        message = json.loads(body)["error"]["message"]
        self.assertIn("files up to 64 KB each, 2 MB in all", message)
        self.assertNotIn("KiB", message)
        self.assertNotIn("Back button", message, "the API's client has no form to go back to")

    def test_413_for_the_form_too(self):
        status, headers, body = self.server.raw(
            self.head("/calls/1/contribute", 10 * 1024 * 1024, "application/x-www-form-urlencoded"), timeout=10)
        self.assertEqual(status, 413)
        # A person gets a page that says what to do, not a bare status.
        self.assertIn(b"<h1>Too large</h1>", body)
        self.assertIn(b"files up to 64 KB each, 2 MB in all", body)
        # nothing of the body was read: the page leads back to the form, which the browser has kept
        self.assertIn(b"Back button: the form usually still has what you typed", body)

    def test_a_body_of_exactly_the_limit_is_read(self):
        # A valid contribution padded with white space to the limit: accepted, not 413.
        body = json.dumps(contribution()).encode("utf-8")
        body = body[:-1] + b" " * (LIMIT_FILES - len(body)) + b"}"
        self.assertEqual(len(body), LIMIT_FILES)
        r = self.server.post_json(POST, body)
        self.assertEqual(r.status, 201, r)

    def test_a_chunked_body_over_the_limit_is_413(self):
        # No Content-Length to go by: the limit is applied as the body arrives.
        chunk = b" " * 65536
        data = (b"POST " + POST.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        data += b"1\r\n{\r\n"
        for _ in range(LIMIT_FILES // len(chunk) + 1):
            data += b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        data += b"1\r\n}\r\n0\r\n\r\n"
        status, _, body = self.server.raw(data, timeout=10)
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(body)["error"]["code"], "too_large")


class NothingStoredOnRefusal(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_no_refused_request_stores_anything(self):
        s = self.fresh_server()
        refused = [
            s.post_json(POST, contribution(name=None)),
            s.post_json(POST, contribution(country="XX")),
            s.post_json(POST, contribution(category="aliens")),
            s.post_json(POST, contribution(organization=7)),
            s.post_json(POST, b'{"name":'),
            s.post_json(POST, b'{"name":"\xff"}'),
            s.post_json("/api/v1/calls/2/contributions", contribution()),
            s.request("POST", POST, body=json.dumps(contribution()).encode(), headers={"Content-Type": "text/plain"}),
        ]
        self.assertTrue(all(400 <= r.status < 500 for r in refused), refused)
        self.assertEqual(s.published_total(1), 0)
        self.assertEqual(s.published_total(2), 0)
        # and the next good one is the first
        s.contribute()
        self.assertEqual(s.published_total(1), 1)
