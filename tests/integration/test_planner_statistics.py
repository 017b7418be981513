"""
The planner's statistics follow a burst (issue 11, item 1: reads stay fast during a burst of contributions).

On PostgreSQL the query planner chooses by statistics that ANALYZE gathers; autovacuum gathers them again
only once a tenth of a table has changed, and looks at most once a minute. A call that had few rows and then
takes thousands in seconds had its contributions list planned for the few: a sort of the whole call for every
page (0.2-0.5 s at 22,000 rows during the bench's burst, where reading the call's index in order takes 21 rows
and 0.2 ms). The server looks every second and analyzes a table that changed by a fifth
(db_refresh_statistics, web/server.c's statistics thread). SQLite's plans do not rest on such statistics: there
the test checks that the same page is read in the index's order after the same burst.
"""

import subprocess
import time
import unittest

import harness
from harness import CALL1_OPEN, ServerTestCase

ROWS = 3000

# The list's first page (oldest first, nothing narrowed), as core/contribution.c's statement reads it.
LIST_PAGE = ("SELECT c.id, c.tracking, k.slug FROM contribution c JOIN category k ON k.id = c.category_id "
             "WHERE c.call_id = 1 AND c.publication <> 'private' AND c.state IN ('published', 'hidden') "
             "AND c.id > 0 ORDER BY c.id LIMIT 21")


class PlannerStatistics(ServerTestCase):
    NOW = CALL1_OPEN
    SHARED = False

    def analyzed(self, db):
        return harness.db_query(db, "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'contribution'")[0][0]

    def test_a_burst_into_a_call_is_analyzed_within_seconds_and_its_list_read_in_index_order(self):
        s = self.fresh_server(serve_args=["--per-address-limit", "0"])
        s.campaigns_settled()
        postgresql = harness.TEST_DB == "postgresql"
        before = self.analyzed(s.db) if postgresql else 0
        if postgresql:
            # Autovacuum must not analyze it first: it would leave the server nothing to do (a CI run where it
            # came before the server's second saw analyze_count stay 0).
            harness.db_query(s.db, "ALTER TABLE contribution SET (autovacuum_enabled = false)")
        # A burst's rows, written at once as the writer's batches would (one statement here, for both backends).
        harness.db_query(s.db, "INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, "
                               "country, email, text, publication, received_at, state) "
                               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
                               "SELECT 'BURST' || (100000 + i), 1, 'api', 'Burst ' || i, '', "
                               "(SELECT g.id FROM category g JOIN call l ON l.process_id = g.process_id WHERE l.id = 1 "
                               "ORDER BY g.position LIMIT 1), 'CH', 'burst' || i || '@example.org', "
                               "'A contribution of the burst, number ' || i, 'anonymous', 1612173600, 'published' "
                               "FROM n" % ROWS)
        if not postgresql:
            plan = " / ".join(row[-1] for row in harness.db_query(s.db, "EXPLAIN QUERY PLAN " + LIST_PAGE))
            self.assertNotIn("TEMP B-TREE", plan, "the list's page is read in the index's order, not sorted: " + plan)
            self.assertEqual(s.get("/calls/1/contributions").status, 200)
            self.assertGreaterEqual(s.published_total(), ROWS)
            return
        deadline = time.monotonic() + 20
        while self.analyzed(s.db) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertGreater(self.analyzed(s.db), before,
                           "the server analyzed the table within seconds (autovacuum would wait for its minute)")
        plan = subprocess.run(["psql", "-X", "-A", "-t", "-d", s.db, "-c", "EXPLAIN " + LIST_PAGE], check=True,
                              stdout=subprocess.PIPE, text=True).stdout
        self.assertNotIn("Sort", plan, "the list's page is read in the index's order, not sorted:\n" + plan)
        self.assertEqual(s.get("/calls/1/contributions").status, 200)
        self.assertGreaterEqual(s.published_total(), ROWS)


if __name__ == "__main__":
    unittest.main()
