/* The calendar as libical's own parser reads it back (render/ical.c): the zone as a VTIMEZONE with the process's
 * TZID, timed events with DTSTART;TZID, all-day events with DTEND the day after, SEQUENCE and STATUS as given,
 * hostile text back exactly as it was, control characters left out, and bad input refused. */
#include "render/ical.h"

#include <libical/ical.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static const char HOSTILE[] =
    "Comma, semicolon; backslash \\ <script>alert(\"x\")</script>\nsecond line "
    "\xc3\xa9t\xc3\xa9 \xe4\xbc\x9a\xe8\xae\xae and a long tail to fold the line more than once";

/* 2021-02-01T10:00:00Z */
enum { STAMP = 1612173600 };

static icalcomponent *write_and_parse(const struct ical_calendar *c, struct buf *b)
{
	buf_init(b, 1 << 20);
	assert_int_equal(ical_write(b, c), 0);
	assert_non_null(b->data);
	icalcomponent *cal = icalparser_parse_string(b->data);
	assert_non_null(cal);
	assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	return cal;
}

static icalcomponent *event_of(icalcomponent *cal, const char *uid)
{
	for (icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e;
	     e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		if (!strcmp(icalcomponent_get_uid(e), uid))
			return e;
	fail_msg("no event %s", uid);
	return NULL;
}

static void test_zone_events_and_escaping_read_back(void **state)
{
	(void)state;
	const struct ical_event events[] = {
	    {.uid = "milestone-1@example.org",
	     .summary = HOSTILE,
	     .description = "Moved;\nfor a reason, here.",
	     .url = "https://example.org/processes/p#milestone-1",
	     .sequence = 3,
	     .stamp = STAMP,
	     .status = ICAL_EVENT_CANCELLED,
	     .date = "2021-06-08",
	     .end_date = "2021-06-18"},
	    {.uid = "meeting-2@example.org",
	     .summary = "Meeting",
	     .stamp = STAMP,
	     .status = ICAL_EVENT_CONFIRMED,
	     .date = "2021-03-01",
	     .starts = "14:00",
	     .ends = "17:00"},
	    {.uid = "milestone-4@example.org",
	     .summary = "Deadline",
	     .stamp = STAMP,
	     .date = "2021-02-15",
	     .starts = "23:59"},
	};
	const struct ical_calendar c = {.name = "A, b; c", .tzid = "Europe/Zurich", .events = events, .n = 3};
	struct buf b;
	icalcomponent *cal = write_and_parse(&c, &b);

	/* every line ends with CRLF and has at most 75 octets */
	for (const char *p = b.data; *p;) {
		const char *end = strstr(p, "\r\n");
		assert_non_null(end);
		assert_true(end - p <= 75);
		p = end + 2;
	}

	icalcomponent *zone = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	assert_non_null(zone);
	assert_string_equal(icalproperty_get_tzid(icalcomponent_get_first_property(zone, ICAL_TZID_PROPERTY)),
	                    "Europe/Zurich");
	assert_null(icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT));

	icalcomponent *m = event_of(cal, "milestone-1@example.org");
	assert_string_equal(icalcomponent_get_summary(m), HOSTILE);
	assert_string_equal(icalcomponent_get_description(m), "Moved;\nfor a reason, here.");
	assert_int_equal(icalcomponent_get_sequence(m), 3);
	assert_int_equal(icalcomponent_get_status(m), ICAL_STATUS_CANCELLED);
	struct icaltimetype start = icalcomponent_get_dtstart(m), end = icalcomponent_get_dtend(m);
	assert_true(start.is_date);
	assert_int_equal(start.year * 10000 + start.month * 100 + start.day, 20210608);
	assert_int_equal(end.year * 10000 + end.month * 100 + end.day, 20210619); /* the day after the last */
	struct icaltimetype stamp = icalcomponent_get_dtstamp(m);
	assert_true(icaltime_is_utc(stamp));
	assert_int_equal(icaltime_as_timet(stamp), STAMP);

	icalcomponent *meeting = event_of(cal, "meeting-2@example.org");
	icalproperty *dtstart = icalcomponent_get_first_property(meeting, ICAL_DTSTART_PROPERTY);
	icalparameter *tzid = icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER);
	assert_non_null(tzid);
	assert_string_equal(icalparameter_get_tzid(tzid), "Europe/Zurich");
	start = icalproperty_get_dtstart(dtstart);
	assert_false(start.is_date);
	assert_int_equal(start.hour * 100 + start.minute, 1400);
	end = icalcomponent_get_dtend(meeting);
	assert_int_equal(end.hour * 100 + end.minute, 1700);
	assert_int_equal(icalcomponent_get_status(meeting), ICAL_STATUS_CONFIRMED);

	icalcomponent *deadline = event_of(cal, "milestone-4@example.org");
	assert_null(icalcomponent_get_first_property(deadline, ICAL_DTEND_PROPERTY)); /* one instant */
	assert_int_equal(icalcomponent_get_sequence(deadline), 0);
	icalcomponent_free(cal);
	buf_free(&b);
}

static void test_control_characters_are_left_out(void **state)
{
	(void)state;
	const struct ical_event events[] = {
	    {.uid = "u@example.org",
	     .summary = "bell\a and escape\x1b and tab\tkept",
	     .stamp = STAMP,
	     .date = "2021-01-01"},
	};
	const struct ical_calendar c = {.name = "n", .tzid = "UTC", .events = events, .n = 1};
	struct buf b;
	icalcomponent *cal = write_and_parse(&c, &b);
	assert_string_equal(icalcomponent_get_summary(event_of(cal, "u@example.org")), "bell and escape and tab\tkept");
	assert_non_null(icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT));
	icalcomponent_free(cal);
	buf_free(&b);
}

static void test_bad_input_is_refused(void **state)
{
	(void)state;
	struct ical_event e = {.uid = "u@example.org", .summary = "s", .stamp = STAMP, .date = "2021-02-30"};
	struct ical_calendar c = {.name = "n", .tzid = "Europe/Zurich", .events = &e, .n = 1};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(ical_write(&b, &c), -1); /* no such day */
	e.date = "2021-02-01";
	e.starts = "25:00";
	assert_int_equal(ical_write(&b, &c), -1);
	e.starts = NULL;
	c.tzid = "Nowhere/Atlantis";
	assert_int_equal(ical_write(&b, &c), -1);
	c.tzid = "../../etc/passwd";
	assert_int_equal(ical_write(&b, &c), -1);
	buf_free(&b);
}

/* An invitation as a calendar application reads it (iTIP, RFC 5546): METHOD, the zone as a VTIMEZONE named by
 * DTSTART's TZID, ORGANIZER and ATTENDEE (a name with a quote cannot break its parameter), the UID and SEQUENCE as
 * given, LOCATION; a CANCEL of the same UID reads STATUS:CANCELLED whatever the event said. */
static icalcomponent *invitation_parsed(enum ical_invite method, const struct ical_event *ev, struct buf *b)
{
	const struct ical_invitation inv = {
	    .method = method,
	    .tzid = "Europe/Zurich",
	    .organizer = "secretariat@example.org",
	    .attendee = "ann@example.org",
	    .attendee_name = "Ann \"The\" Attendee; Geneva",
	    .event = ev,
	};
	buf_init(b, 1 << 20);
	assert_int_equal(ical_write_invitation(b, &inv), 0);
	icalcomponent *cal = icalparser_parse_string(b->data);
	assert_non_null(cal);
	return cal;
}

static void test_invitation_reads_back(void **state)
{
	(void)state;
	const struct ical_event ev = {.uid = "meeting-7@example.org",
				      .summary = HOSTILE,
				      .description = "Agenda:\n1. Opening",
				      .url = "https://example.org/meetings/7",
				      .sequence = 2,
				      .stamp = STAMP,
				      .status = ICAL_EVENT_CONFIRMED,
				      .date = "2021-03-01",
				      .starts = "14:00",
				      .ends = "17:00",
				      .location = "Room B-12, https://meet.example/x"};
	struct buf b;
	icalcomponent *cal = invitation_parsed(ICAL_INVITE_REQUEST, &ev, &b);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	icalcomponent *zone = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	assert_non_null(zone);
	assert_string_equal(icalproperty_get_tzid(icalcomponent_get_first_property(zone, ICAL_TZID_PROPERTY)),
			    "Europe/Zurich");
	icalcomponent *e = event_of(cal, "meeting-7@example.org");
	assert_string_equal(icalcomponent_get_summary(e), HOSTILE);
	assert_int_equal(icalcomponent_get_sequence(e), 2);
	assert_string_equal(icalcomponent_get_location(e), "Room B-12, https://meet.example/x");
	icalproperty *dtstart = icalcomponent_get_first_property(e, ICAL_DTSTART_PROPERTY);
	assert_string_equal(icalparameter_get_tzid(icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER)),
			    "Europe/Zurich");
	assert_int_equal(icalproperty_get_dtstart(dtstart).hour, 14);
	assert_string_equal(icalproperty_get_organizer(icalcomponent_get_first_property(e, ICAL_ORGANIZER_PROPERTY)),
			    "mailto:secretariat@example.org");
	icalproperty *att = icalcomponent_get_first_property(e, ICAL_ATTENDEE_PROPERTY);
	assert_string_equal(icalproperty_get_attendee(att), "mailto:ann@example.org");
	assert_string_equal(icalparameter_get_cn(icalproperty_get_first_parameter(att, ICAL_CN_PARAMETER)),
			    "Ann 'The' Attendee; Geneva");
	assert_int_equal(icalparameter_get_partstat(icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER)),
			 ICAL_PARTSTAT_ACCEPTED);
	assert_null(icalcomponent_get_next_property(e, ICAL_ATTENDEE_PROPERTY)); /* one attendee */
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
	icalcomponent_free(cal);
	buf_free(&b);

	cal = invitation_parsed(ICAL_INVITE_CANCEL, &ev, &b);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
	e = event_of(cal, "meeting-7@example.org");
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED);
	assert_int_equal(icalcomponent_get_sequence(e), 2);
	icalcomponent_free(cal);
	buf_free(&b);

	/* an address with a line break cannot add a property */
	const struct ical_invitation bad = {.method = ICAL_INVITE_REQUEST,
					    .tzid = "Europe/Zurich",
					    .organizer = "s@example.org",
					    .attendee = "x@example.org\r\nATTENDEE:mailto:y@example.org",
					    .event = &ev};
	buf_init(&b, 1 << 20);
	assert_int_equal(ical_write_invitation(&b, &bad), -1);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zone_events_and_escaping_read_back),
	    cmocka_unit_test(test_control_characters_are_left_out),
	    cmocka_unit_test(test_bad_input_is_refused),
	    cmocka_unit_test(test_invitation_reads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
