"""tests/runners case: a test file whose class is no unittest.TestCase, so it declares no test."""


class NotATestCase:
    def test_looks_like_one(self):
        pass
