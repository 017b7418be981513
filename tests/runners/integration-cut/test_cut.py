"""tests/runners case: the test process dies in the middle of a run (a crash, an os._exit in a
fixture), so the tests after it never report; a test whose subtests fail has one line."""
import os
import unittest


class A(unittest.TestCase):
    def test_1_subtests_fail(self):
        for i in range(3):
            with self.subTest(case=i):
                self.assertEqual(i, -1)

    def test_2_dies(self):
        os._exit(0)

    def test_3_never_runs(self):
        pass
