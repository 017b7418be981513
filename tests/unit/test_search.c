/* Search: the reader's query parsed and rewritten in FTS5's and to_tsquery's syntax (nothing typed is syntax
 * there), the index filled by migration 018 from what was already public equal to what the core's upkeep
 * writes, and a clean file's text found once its contribution is public. */
#include "core/limits.h"
#include "core/search.h"
#include "store/db.h"
#include "unit_db.h"
#include "util/arena.h"
#include "util/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LONGQ_LEN = LIMIT_SEARCH_QUERY + 2 };

static const char *fts5(struct arena *a, const char *q, bool trigram)
{
	struct error e;
	error_clear(&e);
	struct search_parsed p;
	if (search_parse(a, q, &p, &e) != 0)
		return arena_strdup(a, e.nfields ? e.fields[0].message : e.message);
	bool oom = false;
	const char *s = search_fts5(a, &p, trigram, &oom);
	assert_false(oom);
	return s ? s : "(none)";
}

static void test_query_rewritten(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(fts5(&a, "water  energy", false), "\"water\" AND \"energy\"");
	assert_string_equal(fts5(&a, "water OR energy consult*", false), "(\"water\" OR \"energy\") AND \"consult\"*");
	assert_string_equal(fts5(&a, "\"open consultation\" AND x1", false), "\"open consultation\" AND \"x1\"");
	/* FTS5's operators and column filters are words here */
	assert_string_equal(fts5(&a, "NEAR(a b) body:x ^y NOT z", false),
	                    "\"NEAR(a\" AND \"b)\" AND \"body:x\" AND \"^y\" AND \"NOT\" AND \"z\"");
	/* punctuation alone is dropped; Arabic vowel marks are removed */
	assert_string_equal(fts5(&a, "water - & energy", false), "\"water\" AND \"energy\"");
	assert_string_equal(
	    fts5(&a, "\xd8\xa7\xd9\x84\xd8\xb4\xd9\x91\xd9\x8e\xd8\xa8\xd9\x8e\xd9\x83\xd9\x8e\xd8\xa9", false),
	    "\"\xd8\xa7\xd9\x84\xd8\xb4\xd8\xa8\xd9\x83\xd8\xa9\"");
	/* the trigram index: words of three characters or more; "网络" (two) is read from the rows */
	assert_string_equal(fts5(&a, "\xe7\xbd\x91\xe7\xbb\x9c\xe5\xae\x89\xe5\x85\xa8 \xe7\xbd\x91\xe7\xbb\x9c", true),
	                    "\"\xe7\xbd\x91\xe7\xbb\x9c\xe5\xae\x89\xe5\x85\xa8\"");
	assert_string_equal(fts5(&a, "\xe7\xbd\x91\xe7\xbb\x9c", true), "(none)");
	/* mistakes, each told */
	assert_non_null(strstr(fts5(&a, "\"open", false), "quotation mark"));
	assert_non_null(strstr(fts5(&a, "AND", false), "AND goes between"));
	assert_non_null(strstr(fts5(&a, "a OR", false), "OR goes between"));
	assert_non_null(strstr(fts5(&a, "a AND OR b", false), "OR goes between"));
	assert_non_null(strstr(fts5(&a, "*", false), "A * goes"));
	assert_non_null(strstr(fts5(&a, "\"\"", false), "no word"));
	assert_non_null(strstr(fts5(&a, "a\x01", false), "not text"));
	char longq[LONGQ_LEN];
	memset(longq, 'x', sizeof longq - 1);
	longq[sizeof longq - 1] = '\0';
	assert_non_null(strstr(fts5(&a, longq, false), "longer than"));
	arena_free(&a);
}

static void test_tsquery(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct search_parsed p;
	assert_int_equal(search_parse(&a, "water OR it's \"open consultation\" back\\slash*", &p, &e), 0);
	assert_string_equal(search_tsquery(&a, &p), "('water' | 'it''s') & 'open consultation' & 'back\\\\slash':*");
	arena_free(&a);
}

/* (kind, ref_id, ..., title, body, facets) of every row, in order: what the index holds. */
static char *index_rows(struct db *db)
{
	static const char sql[] = "SELECT kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, "
	                          "title, body, facets FROM search_entry ORDER BY kind, ref_id";
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	size_t cap = 1 << 20, len = 0;
	char *out = calloc(1, cap);
	assert_non_null(out);
	while (db_step(st, &e) == DB_ROW)
		for (int i = 0; i < 11; i++) {
			const char *v = db_col_text(st, i);
			int n = snprintf(out + len, cap - len, "%s%c", v ? v : "NULL", i == 10 ? '\n' : '|');
			assert_true(n > 0 && (size_t)n < cap - len);
			len += (size_t)n;
		}
	assert_null(e.code);
	return out;
}

static void exec(struct db *db, const char *sql)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	if (db_exec_stmt(st, &e) != 0)
		fail_msg("%s: %s", sql, e.message);
}

static int64_t hits(struct db *db, const char *q, const char *type)
{
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct search_filter f = {.q = q, .type = type};
	struct search_hit *h;
	int n;
	int64_t total;
	bool estimated;
	assert_int_equal(search_query(db, &a, &f, 0, 20, &h, &n, &total, &estimated, &e), 0);
	arena_free(&a);
	return total;
}

static void test_migration_fills_what_the_upkeep_writes(void **state)
{
	(void)state;
	struct db *db;
	assert_int_equal(unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO_WITH_CONTRIBUTIONS, &db), 0);
	exec(db, "INSERT INTO search_word (search_word) VALUES ('integrity-check')");
	char *kept = index_rows(db);
	assert_non_null(strstr(kept, "contribution|"));
	assert_non_null(strstr(kept, "comment|"));
	assert_non_null(strstr(kept, "paragraph|"));
	assert_non_null(strstr(kept, "letter|"));
	const int64_t before = hits(db, "paragraph", NULL);
	assert_true(before > 0);
	/* a database of before 018: no index; migrating makes it from the rows */
	exec(db, "DROP TABLE search_word");
	exec(db, "DROP TABLE search_gram");
	exec(db, "DROP TABLE search_entry");
	exec(db, "DELETE FROM schema_migration WHERE version = 18");
	/* and of before 029, which puts the letters' text in their entries as the upkeep now does; 040, which gives
	 * every entry a language (a version's texts in other languages), and comments theirs; and 042, which gives
	 * entries their facets */
	exec(db, "DELETE FROM schema_migration WHERE version IN (29, 40, 42)");
	exec(db, "ALTER TABLE comment DROP COLUMN language");
	struct error e;
	error_clear(&e);
	assert_int_equal(db_migrate(db, &e), 0);
	char *made = index_rows(db);
	assert_string_equal(made, kept);
	/* FTS5's own check that search_word indexes exactly search_entry's rows, as the upkeep left them */
	exec(db, "INSERT INTO search_word (search_word) VALUES ('integrity-check')");
	assert_int_equal(hits(db, "paragraph", NULL), before);
	free(kept);
	free(made);
	unit_db_remove();
}

static void test_clean_file_text_is_found_with_its_contribution(void **state)
{
	(void)state;
	struct db *db;
	assert_int_equal(unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO_WITH_CONTRIBUTIONS, &db), 0);
	struct error e;
	error_clear(&e);
	exec(db, "INSERT INTO blob (sha256, size, data) VALUES ('00', 1, X'00')");
	exec(db, "INSERT INTO attachment (contribution_id, position, name, size, declared_type, type, sha256, text, "
	         "scan) SELECT id, 9, 'annex.pdf', 1, 'application/pdf', 'application/pdf', '00', "
	         "'Annex about heliotropewords.', 'pending' FROM contribution WHERE state = 'published' "
	         "AND publication = 'named' ORDER BY id LIMIT 1");
	static const char sql_ids[] = "SELECT contribution_id FROM attachment WHERE position = 9 ORDER BY id";
	struct db_stmt *st = db_stmt(db, sql_ids, &e);
	assert_non_null(st);
	int64_t ids[1] = {0};
	if (db_step(st, &e) == DB_ROW)
		ids[0] = db_col_int(st, 0);
	db_reset(st);
	assert_true(ids[0] > 0);
	assert_int_equal(search_contribution_sync(db, ids[0], &e), 0);
	assert_int_equal(hits(db, "heliotropewords", NULL), 0); /* held for scanning: not yet */
	exec(db, "UPDATE attachment SET scan = 'clean' WHERE name = 'annex.pdf'");
	assert_int_equal(search_contribution_sync(db, ids[0], &e), 0);
	assert_int_equal(hits(db, "heliotropewords", "attachment"), 1);
	assert_int_equal(hits(db, "heliotropewords", "contribution"), 0);
	/* its contribution no longer public (here by hand): its files go with it */
	exec(db, "UPDATE contribution SET state = 'hidden' WHERE id IN (SELECT contribution_id FROM attachment WHERE "
	         "name = 'annex.pdf')");
	assert_int_equal(search_contribution_sync(db, ids[0], &e), 0);
	assert_int_equal(hits(db, "heliotropewords", NULL), 0);
	exec(db, "INSERT INTO search_word (search_word) VALUES ('integrity-check')");
	unit_db_remove();
}

/* A version's text in another language given before migration 040 (kept by 035, not indexed): indexed by the
 * backfill at start, once, under its language; search finds it there. */
static void test_texts_in_other_languages_are_backfilled(void **state)
{
	(void)state;
	struct db *db;
	assert_int_equal(unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO_WITH_CONTRIBUTIONS, &db), 0);
	/* the same text with one word changed: its blocks align with the version's */
	exec(db, "INSERT INTO version_text (version_id, language, markdown, html, posted_at) SELECT id, 'fr', "
	         "replace(markdown, 'organization', 'heliotropeorganisation'), '', 0 FROM version "
	         "WHERE state = 'published' AND markdown LIKE '%organization%'");
	assert_int_equal(hits(db, "heliotropeorganisation", NULL), 0);
	struct error e;
	error_clear(&e);
	assert_int_equal(search_version_texts_backfill(db, &e), 0);
	const int64_t found = hits(db, "heliotropeorganisation", "paragraph");
	assert_true(found > 0);
	/* one entry per paragraph of each text, under its language */
	static const char sql[] = "SELECT (SELECT count(*) FROM search_entry WHERE language = 'fr' AND kind = "
	                          "'paragraph'), (SELECT count(*) FROM paragraph p JOIN version_text t ON "
	                          "t.version_id = p.version_id)";
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_true(db_col_int(st, 1) > 0);
	assert_int_equal(db_col_int(st, 0), db_col_int(st, 1));
	db_reset(st);
	/* nothing more to do the second time */
	assert_int_equal(search_version_texts_backfill(db, &e), 0);
	assert_int_equal(hits(db, "heliotropeorganisation", "paragraph"), found);
	exec(db, "INSERT INTO search_word (search_word) VALUES ('integrity-check')");
	unit_db_remove();
}

/* A new contribution of call 1 (a copy of a published, named one) with this text, by SQL, not indexed: its id. */
static int64_t contribution_new(struct db *db, const char *tracking, const char *text)
{
	struct error e;
	error_clear(&e);
	static const char sql[] =
	    "INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, email, "
	    "text, publication, received_at, state, language) SELECT ?1, call_id, channel, name, organization, "
	    "category_id, country, email, ?2, publication, received_at, state, language FROM contribution "
	    "WHERE state = 'published' AND publication = 'named' ORDER BY id LIMIT 1 RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	db_bind_text(st, 1, tracking);
	db_bind_text(st, 2, text);
	int64_t id = 0;
	assert_int_equal(db_insert_id(st, &id, &e), 0);
	return id;
}

/* The group commit's batch: a row known to be plain (search_batch_plain) leaves search_gram alone, and a batch
 * with a row of Chinese beside it still indexes that row there; FTS5's own checks agree with search_entry. */
static void test_a_batch_of_plain_rows_skips_the_gram_index_and_a_mixed_one_does_not(void **state)
{
	(void)state;
	struct db *db;
	assert_int_equal(unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO_WITH_CONTRIBUTIONS, &db), 0);
	struct error e;
	error_clear(&e);
	for (int round = 0; round < 2; round++) {
		struct arena a;
		arena_init(&a);
		assert_int_equal(db_begin(db, &e), 0);
		struct search_batch *b = search_batch_begin(&a);
		assert_non_null(b);
		const int64_t plain = contribution_new(db, round ? "PLAIN2" : "PLAIN1",
		                                       round ? "Heliodorwords second" : "Heliodorwords first");
		assert_int_equal(search_contribution_added(db, b, plain, 1612173600, false, &e), 0);
		search_batch_plain(b, "name", "", round ? "Heliodorwords second" : "Heliodorwords first");
		if (round == 1) {
			const int64_t zh = contribution_new(db, "ZH1", "我们认为网络监管非常重要");
			assert_int_equal(search_contribution_added(db, b, zh, 1612173600, false, &e), 0);
			search_batch_plain(b, "name", "", "我们认为网络监管非常重要"); /* not plain: not counted */
		}
		assert_int_equal(search_batch_end(db, b, &e), 0);
		assert_int_equal(db_commit(db, &e), 0);
		arena_free(&a);
	}
	assert_int_equal(hits(db, "heliodorwords", "contribution"), 2);
	assert_int_equal(hits(db, "网络监管", "contribution"), 1);
	exec(db, "INSERT INTO search_word (search_word) VALUES ('integrity-check')");
	exec(db, "INSERT INTO search_gram (search_gram) VALUES ('integrity-check')");
	unit_db_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_rewritten),
	    cmocka_unit_test(test_tsquery),
	    cmocka_unit_test(test_migration_fills_what_the_upkeep_writes),
	    cmocka_unit_test(test_texts_in_other_languages_are_backfilled),
	    cmocka_unit_test(test_clean_file_text_is_found_with_its_contribution),
	    cmocka_unit_test(test_a_batch_of_plain_rows_skips_the_gram_index_and_a_mixed_one_does_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
