/* ical — see ical.h. */
#include "render/ical.h"

#include "util/clock.h"
#include "util/tz.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s without what RFC 5545 refuses in TEXT (3.3.11: CONTROL but HTAB; newline is escaped as \n by libical), in a
 * buffer the caller frees. */
static char *text_clean(const char *s)
{
	size_t n = strlen(s ? s : "");
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		if ((*p >= 0x20 && *p != 0x7f) || *p == '\t' || *p == '\n')
			*o++ = (char)*p;
	*o = '\0';
	return out;
}

typedef icalproperty *(*text_property)(const char *);

static int add_text(icalcomponent *c, text_property make, const char *text)
{
	char *clean = text_clean(text);
	if (!clean)
		return -1;
	icalproperty *p = make(clean);
	free(clean);
	if (!p)
		return -1;
	icalcomponent_add_property(c, p);
	return 0;
}

static int add_x(icalcomponent *c, const char *name, const char *text)
{
	char *clean = text_clean(text);
	if (!clean)
		return -1;
	icalproperty *p = icalproperty_new_x(clean);
	free(clean);
	if (!p)
		return -1;
	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
	return 0;
}

/* A date, or a date and "HH:MM", as a floating libical time (the TZID parameter says its zone). */
static int local_time(const char *date, const char *hm, struct icaltimetype *out)
{
	int y, m, d, h = 0, mi = 0;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		return -1;
	if (hm && (strlen(hm) != 5 || sscanf(hm, "%2d:%2d", &h, &mi) != 2 || h < 0 || h > 23 || mi < 0 || mi > 59))
		return -1;
	*out = hm ? icaltime_null_time() : icaltime_null_date();
	out->year = y;
	out->month = m;
	out->day = d;
	out->hour = h;
	out->minute = mi;
	out->is_date = hm ? 0 : 1;
	return 0;
}

static icalproperty *zoned(icalproperty *p, const char *tzid)
{
	if (p)
		icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
	return p;
}

static int add_event(icalcomponent *cal, const char *tzid, const struct ical_event *x)
{
	struct icaltimetype start, end, stamp;
	if (local_time(x->date, x->starts, &start) != 0)
		return -1;
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	if (!ev)
		return -1;
	icalcomponent_add_component(cal, ev); /* freed with the calendar from here on */
	stamp = icaltime_from_timet_with_zone((time_t)x->stamp, 0, icaltimezone_get_utc_timezone());
	icalcomponent_add_property(ev, icalproperty_new_uid(x->uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(ev, icalproperty_new_lastmodified(stamp));
	icalcomponent_add_property(ev, icalproperty_new_sequence(x->sequence));
	if (x->starts) {
		icalcomponent_add_property(ev, zoned(icalproperty_new_dtstart(start), tzid));
		if (x->ends) {
			if (local_time(x->date, x->ends, &end) != 0)
				return -1;
			icalcomponent_add_property(ev, zoned(icalproperty_new_dtend(end), tzid));
		}
	} else {
		/* all day: DTEND is the day after the last (RFC 5545, 3.6.1) */
		char after[11];
		if (clock_date_add_days(x->end_date ? x->end_date : x->date, 1, after) != 0 ||
		    local_time(after, NULL, &end) != 0)
			return -1;
		icalproperty *p = icalproperty_new_dtstart(start), *q = icalproperty_new_dtend(end);
		icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DATE));
		icalproperty_add_parameter(q, icalparameter_new_value(ICAL_VALUE_DATE));
		icalcomponent_add_property(ev, p);
		icalcomponent_add_property(ev, q);
		icalcomponent_add_property(
		    ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT)); /* a day, not a busy one */
	}
	if (add_text(ev, icalproperty_new_summary, x->summary) != 0 ||
	    (x->description && *x->description && add_text(ev, icalproperty_new_description, x->description) != 0))
		return -1;
	if (x->url)
		icalcomponent_add_property(ev, icalproperty_new_url(x->url));
	if (x->location && *x->location && add_text(ev, icalproperty_new_location, x->location) != 0)
		return -1;
	const enum icalproperty_status s = x->status == ICAL_EVENT_CANCELLED   ? ICAL_STATUS_CANCELLED
	                                   : x->status == ICAL_EVENT_TENTATIVE ? ICAL_STATUS_TENTATIVE
	                                                                       : ICAL_STATUS_CONFIRMED;
	icalcomponent_add_property(ev, icalproperty_new_status(s));
	return 0;
}

/* A calendar with its PRODID and the zone tzid as a VTIMEZONE; NULL for an unknown zone or no memory. */
static icalcomponent *calendar_new(const char *tzid, const char *prodid)
{
	/* First: the zone, under util/tz's lock, which also readies libical's zone table that
	 * icaltimezone_get_utc_timezone() reads later. */
	char *vtimezone = tz_vtimezone(tzid);
	if (!vtimezone)
		return NULL;
	icalcomponent *zone = icalparser_parse_string(vtimezone);
	free(vtimezone);
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	if (!zone || !cal) {
		if (zone)
			icalcomponent_free(zone);
		if (cal)
			icalcomponent_free(cal);
		return NULL;
	}
	icalcomponent_add_property(cal, icalproperty_new_prodid(prodid));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_component(cal, zone);
	return cal;
}

/* Appends cal's text to out and frees cal; rc unless that fails. */
static int calendar_put(struct buf *out, icalcomponent *cal, int rc)
{
	if (!rc) {
		char *text = icalcomponent_as_ical_string_r(cal);
		if (!text || buf_puts(out, text) != 0)
			rc = -1;
		if (text)
			icalmemory_free_buffer(text);
	}
	icalcomponent_free(cal);
	return rc;
}

int ical_write(struct buf *out, const struct ical_calendar *c)
{
	icalcomponent *cal = calendar_new(c->tzid, "-//Consulta//Consultation schedule//EN");
	if (!cal)
		return -1;
	int rc = add_x(cal, "X-WR-CALNAME", c->name) != 0 || add_x(cal, "X-WR-TIMEZONE", c->tzid) != 0 ||
	                 (c->description && add_x(cal, "X-WR-CALDESC", c->description) != 0) ||
	                 add_x(cal, "X-PUBLISHED-TTL", "PT1H") != 0 /* how often to read it again */
	             ? -1
	             : 0;
	for (int i = 0; !rc && i < c->n; i++)
		rc = add_event(cal, c->tzid, &c->events[i]);
	return calendar_put(out, cal, rc);
}

/* "mailto:" and the address, in a buffer the caller frees; NULL for an address with a control character. */
static char *mailto(const char *address)
{
	for (const unsigned char *p = (const unsigned char *)address; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return NULL;
	size_t n = strlen(address) + 8;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "mailto:%s", address);
	return s;
}

int ical_write_invitation(struct buf *out, const struct ical_invitation *inv)
{
	icalcomponent *cal = calendar_new(inv->tzid, "-//Consulta//Meeting invitation//EN");
	if (!cal)
		return -1;
	icalcomponent_add_property(
	    cal, icalproperty_new_method(inv->method == ICAL_INVITE_CANCEL ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
	struct ical_event ev = *inv->event;
	if (inv->method == ICAL_INVITE_CANCEL)
		ev.status = ICAL_EVENT_CANCELLED;
	int rc = add_event(cal, inv->tzid, &ev);
	icalcomponent *vevent = rc ? NULL : icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	char *organizer = mailto(inv->organizer), *attendee = mailto(inv->attendee);
	if (!vevent || !organizer || !attendee)
		rc = -1;
	else {
		icalcomponent_add_property(vevent, icalproperty_new_organizer(organizer));
		icalproperty *a = icalproperty_new_attendee(attendee);
		if (inv->attendee_name && *inv->attendee_name) {
			char *name = text_clean(inv->attendee_name);
			for (char *c = name; c && *c; c++)
				if (*c == '"' || *c == '\n' || *c == '\t') /* a parameter value cannot hold them */
					*c = '\'';
			if (name)
				icalproperty_add_parameter(a, icalparameter_new_cn(name));
			free(name);
		}
		icalproperty_add_parameter(a, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
		icalproperty_add_parameter(a, icalparameter_new_partstat(ICAL_PARTSTAT_ACCEPTED));
		icalproperty_add_parameter(a, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
		icalcomponent_add_property(vevent, a);
	}
	free(organizer);
	free(attendee);
	return calendar_put(out, cal, rc);
}
