"""
Paragraph rows: every version's numbered paragraphs are stored with their ids
(pid), numbers, plain text and Markdown, the same ids its page shows; a
database made before they existed gets them from `consulta init`.
"""

import os
import re
import shutil
import sqlite3
import harness
import tempfile
import unittest

from harness import CALL1_OPEN, run_command


class ParagraphRows(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="consulta-para-")
        self.db = os.path.join(self.dir, "consulta.db")
        for args in (["init"], ["demo"]):
            p = run_command(args, now=CALL1_OPEN, db=self.db)
            self.assertEqual(p.returncode, 0, p.stderr)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self):
        with harness.connect(self.db) as c:
            return c.execute("SELECT version_id, pid, number, text, source FROM paragraph "
                             "ORDER BY version_id, number").fetchall()

    def test_each_version_has_its_paragraphs_with_the_ids_its_page_shows(self):
        with harness.connect(self.db) as c:
            versions = c.execute("SELECT id, paragraphs, html FROM version ORDER BY id").fetchall()
        rows = self.rows()
        self.assertTrue(versions)
        for vid, count, html in versions:
            mine = [r for r in rows if r[0] == vid]
            self.assertEqual(len(mine), count)
            self.assertEqual([r[2] for r in mine], list(range(1, count + 1)))
            self.assertEqual([r[1] for r in mine], re.findall(r'<div class="para" id="(p\d+)">', html))
            for _, _, _, text, source in mine:
                self.assertTrue(text.strip() and source.strip())
                self.assertNotIn("<", text, "the plain text has no markup")

    def test_init_gives_rows_to_versions_made_before_them(self):
        before = self.rows()
        with harness.connect(self.db) as c:
            c.execute("DELETE FROM paragraph")
        self.assertEqual(self.rows(), [])
        p = run_command(["init"], now=CALL1_OPEN, db=self.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.rows(), before)
        p = run_command(["init"], now=CALL1_OPEN, db=self.db)  # twice changes nothing
        self.assertEqual(self.rows(), before)


if __name__ == "__main__":
    unittest.main()
