/* Deadlines: "by 15 February 2021" means the end of that day in the process's zone, across DST too. */
#include "core/call.h"
#include "util/clock.h"
#include "util/tz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static int64_t at(const char *rfc3339)
{
	int64_t t;
	assert_int_equal(clock_parse_rfc3339(rfc3339, &t), 0);
	return t;
}

static void assert_end_of_day(const char *tz, const char *date, const char *expected_utc)
{
	int64_t t;
	char s[CLOCK_RFC3339_LEN];
	assert_int_equal(tz_end_of_day(tz, date, &t), 0);
	clock_format_rfc3339(t, s);
	assert_string_equal(s, expected_utc);
}

static void test_winter_deadline_in_geneva(void **state)
{
	(void)state;
	assert_end_of_day("Europe/Zurich", "2021-02-15", "2021-02-15T22:59:59Z");
	assert_end_of_day("Europe/Zurich", "2021-03-10", "2021-03-10T22:59:59Z");
}

static void test_summer_deadline_in_geneva(void **state)
{
	(void)state;
	assert_end_of_day("Europe/Zurich", "2021-05-07", "2021-05-07T21:59:59Z");
}

static void test_deadline_on_the_days_clocks_change(void **state)
{
	(void)state;
	/* 28 March 2021: CET -> CEST at 02:00; the day's end is already summer time. */
	assert_end_of_day("Europe/Zurich", "2021-03-27", "2021-03-27T22:59:59Z");
	assert_end_of_day("Europe/Zurich", "2021-03-28", "2021-03-28T21:59:59Z");
	/* 31 October 2021: CEST -> CET at 03:00. */
	assert_end_of_day("Europe/Zurich", "2021-10-30", "2021-10-30T21:59:59Z");
	assert_end_of_day("Europe/Zurich", "2021-10-31", "2021-10-31T22:59:59Z");
	/* Other hemisphere and other offsets. */
	assert_end_of_day("America/New_York", "2021-03-14", "2021-03-15T03:59:59Z");
	assert_end_of_day("Australia/Sydney", "2021-04-04", "2021-04-04T13:59:59Z");
	assert_end_of_day("Asia/Kolkata", "2021-02-15", "2021-02-15T18:29:59Z");
	assert_end_of_day("UTC", "2021-02-15", "2021-02-15T23:59:59Z");
}

static void test_call_state_edges(void **state)
{
	(void)state;
	struct call c;
	memset(&c, 0, sizeof c);
	assert_int_equal(tz_local_to_utc("Europe/Zurich", 2020, 12, 23, 0, 0, 0, &c.opens_at), 0);
	assert_int_equal(tz_end_of_day("Europe/Zurich", "2021-02-15", &c.closes_at), 0);
	assert_int_equal(call_state_at(&c, at("2020-12-22T22:59:59Z")), CALL_UPCOMING);
	assert_int_equal(call_state_at(&c, at("2020-12-22T23:00:00Z")), CALL_OPEN);
	assert_int_equal(call_state_at(&c, at("2021-02-15T22:59:59Z")), CALL_OPEN);
	assert_int_equal(call_state_at(&c, at("2021-02-15T23:00:00Z")), CALL_CLOSED);
	assert_int_equal(call_state_at(&c, at("2021-02-15T23:59:59+01:00")), CALL_OPEN);
	assert_int_equal(call_state_at(&c, at("2021-02-16T00:00:00+01:00")), CALL_CLOSED);
	assert_string_equal(call_state_name(CALL_OPEN), "open");
	assert_string_equal(call_state_name(CALL_UPCOMING), "upcoming");
	assert_string_equal(call_state_name(CALL_CLOSED), "closed");
}

static void test_bad_zones_and_dates(void **state)
{
	(void)state;
	int64_t t;
	assert_false(tz_valid("Nowhere/Atlantis"));
	assert_false(tz_valid("../../etc/passwd"));
	assert_false(tz_valid(""));
	assert_true(tz_valid("Europe/Zurich"));
	assert_int_not_equal(tz_end_of_day("Europe/Zurich", "2021-02-30", &t), 0);
	assert_int_not_equal(tz_end_of_day("Europe/Zurich", "15/02/2021", &t), 0);
	assert_int_equal(tz_end_of_day("Europe/Zurich", "2024-02-29", &t), 0);
	assert_int_not_equal(tz_end_of_day("Europe/Zurich", "2023-02-29", &t), 0);
}

static void test_rfc3339(void **state)
{
	(void)state;
	int64_t t;
	char s[CLOCK_RFC3339_LEN];
	assert_int_equal(clock_parse_rfc3339("2021-02-15T23:00:00+01:00", &t), 0);
	clock_format_rfc3339(t, s);
	assert_string_equal(s, "2021-02-15T22:00:00Z");
	assert_int_equal(clock_parse_rfc3339("2021-02-15T22:00:00.123Z", &t), 0);
	assert_int_not_equal(clock_parse_rfc3339("2021-02-15 22:00", &t), 0);
	assert_int_not_equal(clock_parse_rfc3339("2021-13-15T22:00:00Z", &t), 0);
	assert_int_not_equal(clock_parse_rfc3339("2021-02-15T22:00:00", &t), 0);
	char out[11];
	assert_int_equal(clock_date_add_days("2021-02-15", 14, out), 0);
	assert_string_equal(out, "2021-03-01");
	assert_int_equal(clock_date_add_days("2020-02-28", 1, out), 0);
	assert_string_equal(out, "2020-02-29");
}

/* The demo loader holds "now" at an instant of its story, and lets go of it: the clock is the system's again. */
static void test_clock_hold_and_release(void **state)
{
	(void)state;
	const int64_t t = 1586425200; /* 2020-04-09T10:00:00Z */
	clock_hold(t);
	assert_int_equal(clock_now(), t);
	clock_hold(t + 60);
	assert_int_equal(clock_now(), t + 60);
	clock_release();
	const int64_t wall = clock_wall();
	const int64_t now = clock_now();
	assert_true(now >= wall - 5 && now <= wall + 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_winter_deadline_in_geneva),
		cmocka_unit_test(test_summer_deadline_in_geneva),
		cmocka_unit_test(test_deadline_on_the_days_clocks_change),
		cmocka_unit_test(test_call_state_edges),
		cmocka_unit_test(test_bad_zones_and_dates),
		cmocka_unit_test(test_clock_hold_and_release),
		cmocka_unit_test(test_rfc3339),
	};
	return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
