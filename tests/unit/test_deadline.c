/* Deadlines: "by 15 February 2021" means the end of that day in the process's zone, across DST too. */
#include "core/call.h"
#include "core/deadline.h"
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
/* How people read an instant: the city of the zone, minutes only, the offset at that instant. */
static void test_human_instants(void **state)
{
	(void)state;
	char s[TZ_HUMAN_LEN];
	assert_int_equal(tz_format_human("Europe/Zurich", at("2021-02-15T22:59:59Z"), s), 0);
	assert_string_equal(s, "15 February 2021, 23:59 Zurich time (UTC+1)");
	assert_int_equal(tz_format_human("Europe/Zurich", at("2021-05-07T21:59:59Z"), s), 0);
	assert_string_equal(s, "7 May 2021, 23:59 Zurich time (UTC+2)");
	assert_int_equal(tz_format_human("America/New_York", at("2021-03-16T03:59:59Z"), s), 0);
	assert_string_equal(s, "15 March 2021, 23:59 New York time (UTC-4)");
	assert_int_equal(tz_format_human("Asia/Kolkata", at("2021-03-16T03:59:59Z"), s), 0);
	assert_string_equal(s, "16 March 2021, 09:29 Kolkata time (UTC+5:30)");
	assert_int_equal(tz_format_human("Europe/London", at("2021-01-04T12:00:00Z"), s), 0);
	assert_string_equal(s, "4 January 2021, 12:00 London time (UTC+0)");
	assert_int_equal(tz_format_human("Nowhere/Atlantis", at("2021-01-04T12:00:00Z"), s), -1);
	assert_string_equal(s, "2021-01-04, 12:00 UTC");
}

static struct call call_in(const char *tz, const char *opens, const char *closes)
{
	return (struct call){.timezone = tz, .opens_at = at(opens), .closes_at = at(closes)};
}

static void assert_sentence(const struct call *c, const char *now, const char *expected)
{
	struct arena a;
	arena_init(&a);
	const char *s = deadline_sentence(&a, c, at(now));
	assert_non_null(s);
	assert_string_equal(s, expected);
	arena_free(&a);
}

/* Days are counted between the dates in the process's zone, not in UTC nor by 24 hours. */
static void test_the_deadline_sentence(void **state)
{
	(void)state;
	const struct call c = call_in("Europe/Zurich", "2020-12-22T23:00:00Z", "2021-02-15T22:59:59Z");
	assert_sentence(&c, "2021-01-25T10:00:00Z",
			"Open until 15 February 2021, 23:59 Zurich time (UTC+1) \u2014 21 days left");
	assert_sentence(&c, "2021-02-14T22:59:59Z",
			"Open until 15 February 2021, 23:59 Zurich time (UTC+1) \u2014 1 day left");
	assert_sentence(&c, "2021-02-14T23:00:00Z",
			"Open until 15 February 2021, 23:59 Zurich time (UTC+1) \u2014 closes today at 23:59");
	assert_sentence(&c, "2021-02-15T22:59:59Z",
			"Open until 15 February 2021, 23:59 Zurich time (UTC+1) \u2014 closes today at 23:59");
	assert_sentence(&c, "2021-02-15T23:00:00Z", "Closed on 15 February 2021, 23:59 Zurich time (UTC+1)");
	assert_sentence(&c, "2020-12-01T12:00:00Z",
			"Opens on 23 December 2020, 00:00 Zurich time (UTC+1), open until 15 February 2021, 23:59 "
			"Zurich time (UTC+1)");
	/* New York: seen in winter (UTC-5), the deadline after the change is in summer time (UTC-4); the night
	 * the clocks change is one day, though 23 hours long. */
	const struct call ny = call_in("America/New_York", "2021-03-01T05:00:00Z", "2021-03-16T03:59:59Z");
	assert_sentence(&ny, "2021-03-10T12:00:00Z",
			"Open until 15 March 2021, 23:59 New York time (UTC-4) \u2014 5 days left");
	assert_sentence(&ny, "2021-03-14T04:59:59Z",
			"Open until 15 March 2021, 23:59 New York time (UTC-4) \u2014 2 days left");
	assert_sentence(&ny, "2021-03-15T04:00:00Z",
			"Open until 15 March 2021, 23:59 New York time (UTC-4) \u2014 closes today at 23:59");
}

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
		cmocka_unit_test(test_human_instants),
		cmocka_unit_test(test_the_deadline_sentence),
	};
	return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
