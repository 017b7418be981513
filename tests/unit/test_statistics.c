/* The days of the statistics (core/statistics.h): counts per quarter-hour summed into the days of a zone,
 * daylight saving and a zone 5:45 from UTC included, every day of the span or (a long span) only those with
 * counts, and an unknown zone refused. Then the statistics of the demo with its contributions: every list sums
 * to the totals, which are the published contributions as SQL counts them, the process's calls sum to the
 * process, and memory running out at each allocation is an error, never a crash. */
#include "core/statistics.h"
#include "util/clock.h"
#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* 2021-03-27T00:00:00Z and friends, in seconds */
enum { MAR27 = 1616803200, DAY = 86400, HOUR = 3600 };

/* The quarter-hour of instant t with count. */
static struct outcome_quarter quarter(struct arena *a, int64_t t, int64_t count)
{
	(void)a;
	return (struct outcome_quarter){t - t % OUTCOME_QUARTER_HOUR, count};
}

static void test_daylight_saving_day_is_23_hours(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* Zurich moves to summer time on 28 March 2021 at 02:00 (01:00Z): that day is 23 hours long */
	struct outcome_quarter q[] = {
	    quarter(&a, MAR27 + 22 * HOUR + 45 * 60, 1),       /* 27 March 23:45 in Zurich */
	    quarter(&a, MAR27 + 23 * HOUR, 2),                 /* 28 March 00:00 */
	    quarter(&a, MAR27 + DAY + 21 * HOUR + 45 * 60, 4), /* 28 March 23:45 (summer time) */
	    quarter(&a, MAR27 + DAY + 22 * HOUR, 8),           /* 29 March 00:00 */
	};
	struct statistics_day *days;
	int n;
	bool sparse;
	struct error e;
	error_clear(&e);
	assert_int_equal(statistics_days(&a, "Europe/Zurich", MAR27, MAR27 + 2 * DAY, q, 4, &days, &n, &sparse, &e), 0);
	assert_false(sparse);
	assert_int_equal(n, 3);
	assert_string_equal(days[0].date, "2021-03-27");
	assert_string_equal(days[1].date, "2021-03-28");
	assert_string_equal(days[2].date, "2021-03-29");
	assert_int_equal(days[0].contributions, 1);
	assert_int_equal(days[1].contributions, 2 + 4);
	assert_int_equal(days[2].contributions, 8);
	assert_int_equal(days[1].start, MAR27 + 23 * HOUR);
	assert_int_equal(days[1].end - days[1].start, 23 * HOUR);
	arena_free(&a);
}

static void test_zone_of_quarter_hours(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* Kathmandu is 5:45 ahead: its midnight is 18:15Z */
	struct outcome_quarter q[] = {quarter(&a, MAR27 + 18 * HOUR, 1), quarter(&a, MAR27 + 18 * HOUR + 15 * 60, 2)};
	struct statistics_day *days;
	int n;
	bool sparse;
	struct error e;
	error_clear(&e);
	assert_int_equal(statistics_days(&a, "Asia/Kathmandu", 1, 0, q, 2, &days, &n, &sparse, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(days[0].date, "2021-03-27");
	assert_int_equal(days[0].contributions, 1);
	assert_string_equal(days[1].date, "2021-03-28");
	assert_int_equal(days[1].contributions, 2);
	assert_int_equal(days[1].start, MAR27 + 18 * HOUR + 15 * 60);
	arena_free(&a);
}

static void test_long_span_lists_days_with_counts(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct outcome_quarter q[] = {quarter(&a, MAR27, 1), quarter(&a, MAR27 + 3 * 365 * (int64_t)DAY, 5)};
	struct statistics_day *days;
	int n;
	bool sparse;
	struct error e;
	error_clear(&e);
	assert_int_equal(statistics_days(&a, "UTC", MAR27, MAR27 + 10, q, 2, &days, &n, &sparse, &e), 0);
	assert_true(sparse);
	assert_int_equal(n, 2);
	assert_string_equal(days[0].date, "2021-03-27");
	assert_string_equal(days[1].date, "2024-03-26");
	assert_int_equal(days[1].contributions, 5);
	/* nothing at all, no span: no days */
	assert_int_equal(statistics_days(&a, "UTC", 1, 0, NULL, 0, &days, &n, &sparse, &e), 0);
	assert_int_equal(n, 0);
	/* a span with nothing: each of its days with 0, the year's end crossed */
	assert_int_equal(
	    statistics_days(&a, "UTC", 1609372800 /* 2020-12-31 */, 1609372800 + DAY, NULL, 0, &days, &n, &sparse, &e),
	    0);
	assert_int_equal(n, 2);
	assert_string_equal(days[1].date, "2021-01-01");
	assert_int_equal(days[1].contributions, 0);
	arena_free(&a);
}

static void test_unknown_zone(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct statistics_day *days;
	int n;
	bool sparse;
	struct error e;
	error_clear(&e);
	assert_int_equal(statistics_days(&a, "Mars/Olympus_Mons", MAR27, MAR27 + DAY, NULL, 0, &days, &n, &sparse, &e),
	                 -1);
	assert_string_equal(e.code, ERROR_INVALID);
	arena_free(&a);
}

static struct db *db;

static int setup(void **state)
{
	(void)state;
	return unit_db_open("2021-02-10T10:00:00Z", UNIT_DEMO_WITH_CONTRIBUTIONS, &db);
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

static int64_t count_of(const char *sql)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	int64_t n = db_col_int(st, 0);
	db_reset(st);
	return n;
}

static int64_t sum(const struct outcome_count *c, int n)
{
	int64_t total = 0;
	for (int i = 0; i < n; i++)
		total += c[i].count;
	return total;
}

static void check_sums(const struct statistics *s)
{
	int64_t days = 0;
	for (int i = 0; i < s->ndays; i++)
		days += s->days[i].contributions;
	assert_int_equal(days, s->contributions);
	assert_int_equal(sum(s->categories, s->ncategories), s->contributions);
	assert_int_equal(sum(s->countries, s->ncountries), s->contributions);
	assert_int_equal(sum(s->channels, s->nchannels), s->contributions);
	assert_int_equal(sum(s->types, s->ntypes), s->comments);
	assert_int_equal(sum(s->paragraphs, s->nparagraphs), s->comments);
	assert_true(s->in_campaigns <= s->contributions);
	for (int i = 1; i < s->ncountries; i++) /* largest first */
		assert_true(s->countries[i - 1].count >= s->countries[i].count);
}

static void exec(const char *sql)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	assert_int_equal(db_exec_stmt(st, &e), 0);
}

/* The process's statistics against each call's own (every call's counts, and their sums the process's). */
static void check_process_by_calls(struct arena *a)
{
	struct error e;
	error_clear(&e);
	struct process p;
	assert_int_equal(process_find(db, a, "gca-guidelines", &p, &e), 0);
	struct statistics sp;
	assert_int_equal(statistics_of_process(db, a, &p, clock_now(), &sp, &e), 0);
	check_sums(&sp);
	int64_t contributions = 0, comments = 0;
	for (int i = 0; i < sp.ncalls; i++) {
		struct call c;
		assert_int_equal(call_find(db, a, sp.calls[i].id, &c, &e), 0);
		struct statistics sc;
		assert_int_equal(statistics_of_call(db, a, &c, clock_now(), &sc, &e), 0);
		check_sums(&sc);
		assert_int_equal(sc.contributions, sp.calls[i].contributions);
		assert_int_equal(sc.comments, sp.calls[i].comments);
		contributions += sc.contributions;
		comments += sc.comments;
	}
	assert_int_equal(contributions, sp.contributions);
	assert_int_equal(comments, sp.comments);
}

static void test_demo_statistics(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct process p;
	assert_int_equal(process_find(db, &a, "gca-guidelines", &p, &e), 0);
	struct statistics sp;
	assert_int_equal(statistics_of_process(db, &a, &p, clock_now(), &sp, &e), 0);
	check_sums(&sp);
	assert_true(sp.contributions > 0);
	assert_int_equal(sp.contributions,
	                 count_of("SELECT count(*) FROM contribution k JOIN call c ON c.id = k.call_id "
	                          "WHERE c.process_id = 1 AND k.state = 'published'"));
	assert_int_equal(sp.comments, count_of("SELECT count(*) FROM comment cm JOIN contribution k ON k.id = "
	                                       "cm.contribution_id WHERE k.state = 'published'"));
	check_process_by_calls(&a);
	arena_free(&a);
}

/* Two calls on one version: their comments are told apart by call (the pass that reads them by call). */
static void test_calls_sharing_a_version(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	exec("INSERT INTO call (process_id, version_id, title, opens_at, closes_at) "
	     "SELECT process_id, version_id, 'A second call on the same version', opens_at, closes_at FROM call WHERE "
	     "id = 1");
	exec("UPDATE contribution SET call_id = (SELECT max(id) FROM call) WHERE call_id = 1 AND id % 2 = 0");
	assert_true(count_of("SELECT count(*) FROM comment cm JOIN contribution k ON k.id = cm.contribution_id "
	                     "WHERE k.call_id = (SELECT max(id) FROM call)") > 0);
	assert_true(count_of("SELECT count(*) FROM comment cm JOIN contribution k ON k.id = cm.contribution_id "
	                     "WHERE k.call_id = 1") > 0);
	check_process_by_calls(&a);
	arena_free(&a);
}

/* Memory running out at each allocation in turn: an error, never a crash or a half-filled success. */
static void test_statistics_out_of_memory(void **state)
{
	(void)state;
	for (long k = 1;; k++) {
		struct arena a;
		arena_init(&a);
		struct error e;
		error_clear(&e);
		struct process p;
		int rc = process_find(db, &a, "gca-guidelines", &p, &e);
		assert_int_equal(rc, 0);
		struct statistics s;
		arena_test_fail_at(k);
		rc = statistics_of_process(db, &a, &p, clock_now(), &s, &e);
		bool done = arena_test_pending() > 0;
		arena_test_fail_at(0);
		if (rc != 0)
			assert_true(e.code != NULL && *e.code);
		arena_free(&a);
		if (done) {
			assert_int_equal(rc, 0);
			break;
		}
	}
}

int main(void)
{
	/* One group (the test runner reads one TAP plan per binary): the days need no database, but run with it. */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_daylight_saving_day_is_23_hours),
	    cmocka_unit_test(test_zone_of_quarter_hours),
	    cmocka_unit_test(test_long_span_lists_days_with_counts),
	    cmocka_unit_test(test_unknown_zone),
	    cmocka_unit_test(test_demo_statistics),
	    cmocka_unit_test(test_statistics_out_of_memory),
	    cmocka_unit_test(test_calls_sharing_a_version), /* last: it changes the demo */
	};
	return cmocka_run_group_tests_name("statistics", tests, setup, teardown);
}
