"""
A 201 or a receipt means the contribution is on disk: it survives the server
being killed (SIGKILL) the moment the answer arrives. And many people sending
at once all get their own tracking number.
"""

from harness import CALL1_OPEN, ServerTestCase, contribution, parallel


class Durability(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_contribution_survives_kill_9_right_after_its_201(self):
        s = self.fresh_server()
        r = s.post_json("/api/v1/calls/1/contributions", contribution(text="Written just before the crash."))
        s.kill9()  # no time to flush anything that was not flushed before the answer
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]
        s.start()
        got = s.get_json("/api/v1/contributions/" + tracking)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.json()["text"], "Written just before the crash.")
        self.assertEqual(got.json()["received_at"], CALL1_OPEN)
        self.assertEqual(s.published_total(), 1)

    def test_form_contribution_survives_kill_9_right_after_its_receipt_redirect(self):
        s = self.fresh_server()
        r = s.post_form("/calls/1/contribute", contribution(publication="private"))
        s.kill9()
        self.assertEqual(r.status, 303, r)
        receipt = r.header("Location")
        s.start()
        page = s.get(receipt)
        self.assertEqual(page.status, 200, page)
        self.assertIn(receipt.rsplit("/", 1)[1], page.text)

    def test_every_acknowledged_contribution_of_a_burst_survives_kill_9(self):
        s = self.fresh_server()
        trackings = parallel(lambda i: s.contribute(text="burst %d" % i)["tracking"], list(range(20)), 4)
        s.kill9()
        s.start()
        for t in trackings:
            self.assertEqual(s.get_json("/api/v1/contributions/" + t).status, 200, t)
        self.assertEqual(s.published_total(), 20)


class Concurrency(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def test_200_concurrent_submissions_from_20_threads(self):
        s = self.fresh_server()

        def send(i):
            pub = "named" if i % 2 else "anonymous"
            r = s.post_json("/api/v1/calls/1/contributions", contribution(text="concurrent %d" % i, publication=pub))
            return r.status, (r.json().get("tracking") if r.status == 201 else r.body)

        results = parallel(send, list(range(200)), 20)
        statuses = [status for status, _ in results]
        self.assertEqual(statuses, [201] * 200, [r for r in results if r[0] != 201][:5])
        trackings = [t for _, t in results]
        self.assertEqual(len(set(trackings)), 200, "tracking numbers are all different")
        self.assertEqual(s.published_total(), 200)
        listed = []
        for page in (1, 2):
            body = s.get_json("/api/v1/calls/1/contributions?per_page=100&page=%d" % page).json()
            listed += [c["tracking"] for c in body["contributions"]]
        self.assertEqual(sorted(listed), sorted(trackings))
        texts = {s.get_json("/api/v1/contributions/" + t).json()["text"] for t in trackings[:10]}
        self.assertEqual(len(texts), 10, "each tracking number leads to its own text")

    def test_reads_and_writes_at_once_through_form_and_api(self):
        s = self.fresh_server()

        def work(i):
            if i % 3 == 0:
                r = s.post_form("/calls/1/contribute", contribution(text="form %d" % i))
                return r.status == 303
            if i % 3 == 1:
                return s.post_json("/api/v1/calls/1/contributions", contribution()).status == 201
            return s.get("/processes/gca-guidelines").status == 200

        self.assertTrue(all(parallel(work, list(range(60)), 12)))
        self.assertEqual(s.published_total(), 40)
