/*
 * ical — an iCalendar document (RFC 5545) written with libical: a
 * calendar that applications subscribe to and read again from time to time.
 *
 * Events are given already chosen; this module writes them with the
 * calendar's zone as a VTIMEZONE (from libical's zone data, util/tz.h), so
 * that timed events carry DTSTART;TZID=<zone> and read right wherever the
 * reader is. Dates without hours are all-day events (VALUE=DATE, DTEND the
 * day after the last). Text is escaped and long lines folded by libical;
 * characters that RFC 5545 does not allow in TEXT (C0 controls but tab and
 * newline) are left out first. Each event keeps its UID from one reading to
 * the next, and its SEQUENCE grows when it changes, so an application updates
 * the event it has rather than adding a second one.
 */
#ifndef CONSULTA_RENDER_ICAL_H
#define CONSULTA_RENDER_ICAL_H

#include "util/buf.h"

#include <stdint.h>

/* STATUS of an event (RFC 5545, 3.8.1.11). */
enum ical_event_status { ICAL_EVENT_CONFIRMED, ICAL_EVENT_TENTATIVE, ICAL_EVENT_CANCELLED };

struct ical_event {
	const char *uid; /* stable: the same event has the same UID in every reading */
	const char *summary;
	const char *description; /* or NULL */
	const char *url;         /* absolute, or NULL */
	int sequence;            /* 0 for an event that never changed */
	int64_t stamp;           /* UTC seconds: when it was last changed (DTSTAMP and LAST-MODIFIED) */
	enum ical_event_status status;
	const char *date;     /* "YYYY-MM-DD", in the calendar's zone */
	const char *end_date; /* the last day of an all-day range, or NULL for one day */
	const char *starts;   /* "HH:MM" in the calendar's zone, or NULL: an all-day event */
	const char *ends;     /* "HH:MM" the same day, or NULL: an event at one instant (a deadline) */
	const char *location; /* LOCATION (a room, a link), or NULL */
};

struct ical_calendar {
	const char *name;        /* X-WR-CALNAME: what applications call the calendar */
	const char *description; /* or NULL */
	const char *tzid;        /* an IANA zone name */
	const struct ical_event *events;
	int n;
};

/* Appends the calendar to out (CRLF line ends). 0, or -1 for an unknown zone, a malformed date or hour in an
 * event, libical's failure or out full. */
int ical_write(struct buf *out, const struct ical_calendar *c);

/* What an invitation asks of the calendar that receives it (RFC 5546, 3.2): put the event in or update it
 * (REQUEST: the same UID with a higher SEQUENCE replaces it), or take it out (CANCEL). */
enum ical_invite { ICAL_INVITE_REQUEST, ICAL_INVITE_CANCEL };

/* One event sent to one attendee by mail (iTIP, RFC 5546): METHOD, the zone's VTIMEZONE, the event with its
 * ORGANIZER (the address mail comes from) and its ATTENDEE (who registered, PARTSTAT=ACCEPTED: they asked
 * to come). A CANCEL's event reads STATUS:CANCELLED whatever its status. */
struct ical_invitation {
	enum ical_invite method;
	const char *tzid;
	const char *organizer;     /* an e-mail address */
	const char *attendee;      /* an e-mail address */
	const char *attendee_name; /* or NULL */
	const struct ical_event *event;
};

/* Appends the invitation to out (CRLF line ends). 0, or -1 as ical_write(). */
int ical_write_invitation(struct buf *out, const struct ical_invitation *inv);

#endif
