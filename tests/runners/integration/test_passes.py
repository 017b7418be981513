"""tests/runners case: a test file that imports and passes."""
import unittest


class Passes(unittest.TestCase):
    def test_one(self):
        self.assertTrue(True)
