/* The days of the statistics (core/statistics.h): counts per quarter-hour summed into the days of a zone,
 * daylight saving and a zone 5:45 from UTC included, every day of the span or (a long span) only those with
 * counts, and an unknown zone refused. */
#include "core/statistics.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_daylight_saving_day_is_23_hours),
	    cmocka_unit_test(test_zone_of_quarter_hours),
	    cmocka_unit_test(test_long_span_lists_days_with_counts),
	    cmocka_unit_test(test_unknown_zone),
	};
	return cmocka_run_group_tests_name("statistics", tests, NULL, NULL);
}
