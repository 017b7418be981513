/* Circular letters' numbering patterns: what a pattern may be, and the series and reference it makes; and the
 * sender's look for letters' mails to queue, which takes no write lock when none waits. */
#include "core/circular.h"
#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

static void check(const char *pattern, int year, int64_t n, const char *series, const char *reference)
{
	struct arena a;
	arena_init(&a);
	const char *s = NULL, *r = NULL;
	assert_int_equal(circular_pattern_format(&a, pattern, year, n, &s, &r), 0);
	assert_string_equal(s, series);
	assert_string_equal(r, reference);
	arena_free(&a);
}

static void test_patterns_make_the_series_and_the_reference(void **state)
{
	(void)state;
	check("CL-{yy}/{n}", 2020, 55, "CL-20", "CL-20/55");
	check("CL-{yy}/{n}", 2021, 1, "CL-21", "CL-21/1");
	check("CL-{yy}/{n}", 2009, 7, "CL-09", "CL-09/7");
	check("{yyyy}-{n}", 2026, 12, "2026", "2026-12");
	check("Letter {n}", 2026, 3, "Letter", "Letter 3"); /* no year: one series for ever */
	check("DM/{n}/{yyyy}", 2021, 4, "DM//2021", "DM/4/2021");
}

static void test_bad_patterns_are_refused(void **state)
{
	(void)state;
	assert_true(circular_pattern_valid("CL-{yy}/{n}"));
	assert_false(circular_pattern_valid(NULL));
	assert_false(circular_pattern_valid(""));
	assert_false(circular_pattern_valid("CL-{yy}"));          /* no number */
	assert_false(circular_pattern_valid("{n}-{n}"));          /* two */
	assert_false(circular_pattern_valid("CL-{y}/{n}"));       /* unknown token */
	assert_false(circular_pattern_valid("CL-{yy/{n}"));       /* a brace alone */
	assert_false(circular_pattern_valid("CL-\x01{n}"));       /* a control character */
	assert_false(circular_pattern_valid("CL-\xc3\xa9-{n}"));  /* ASCII only */
	assert_false(circular_pattern_valid("A-very-long-pattern-of-more-than-forty-{n}"));
	struct arena a;
	arena_init(&a);
	const char *s, *r;
	assert_int_equal(circular_pattern_format(&a, "CL-{yy}", 2020, 1, &s, &r), -1);
	assert_int_equal(circular_pattern_format(&a, "CL-{yy}/{n}", 10000, 1, &s, &r), -1);
	arena_free(&a);
}

static void test_purposes_have_one_table_of_names(void **state)
{
	(void)state;
	enum circular_purpose p;
	assert_true(circular_purpose_parse("action", &p));
	assert_int_equal(p, CIRCULAR_ACTION);
	assert_true(circular_purpose_parse("information", &p));
	assert_int_equal(p, CIRCULAR_INFORMATION);
	assert_string_equal(circular_purpose_name(CIRCULAR_INFORMATION), "information");
	assert_false(circular_purpose_parse("Action", &p));
	assert_false(circular_purpose_parse(NULL, &p));
}

/* The mail sender looks for letters' mails after every group commit of contributions: with none waiting it must
 * not open a write transaction, which would take the write lock from the contributions' writer (here another
 * connection holds it: a write transaction would wait for it, SQLite's busy time-out, and fail). */
static void test_nothing_to_distribute_takes_no_write_lock(void **state)
{
	(void)state;
	struct db *db;
	assert_int_equal(unit_db_open(NULL, UNIT_NO_DEMO, &db), 0);
	sqlite3 *writer;
	assert_int_equal(sqlite3_open(unit_db_path(), &writer), SQLITE_OK);
	assert_int_equal(sqlite3_exec(writer, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	int queued = -1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(circular_distribute(db, &a, 10, &queued, &e), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(queued, 0);
	assert_true(t1.tv_sec - t0.tv_sec < 2); /* not after a wait for the lock */
	arena_free(&a);
	sqlite3_exec(writer, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(writer);
	unit_db_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns_make_the_series_and_the_reference),
		cmocka_unit_test(test_bad_patterns_are_refused),
		cmocka_unit_test(test_purposes_have_one_table_of_names),
		cmocka_unit_test(test_nothing_to_distribute_takes_no_write_lock),
	};
	return cmocka_run_group_tests_name("circular", tests, NULL, NULL);
}
