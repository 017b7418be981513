"""tests/runners case: a test file that raises when it is imported; its tests never load."""
import unittest

raise RuntimeError("this file is broken at import")


class Never(unittest.TestCase):
    def test_never(self):
        pass
