-- bench/pg-prewarm.sql: the search's table, its TOAST table and its indexes read into PostgreSQL's shared_buffers
-- (as much as fits), as a server's are after hours of use; run by bench/search.sh (BENCH_PG_MEMORY=server) on
-- its copy, and by hand before bench/search-ab.sh on a server started so (psql -f bench/pg-prewarm.sql URL).
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
SELECT c.relname, pg_prewarm(c.oid) AS blocks
FROM pg_class c
WHERE c.relname IN ('search_entry', 'contribution', 'process')
   OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relname = 'search_entry')
   OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'search_entry'::regclass);
