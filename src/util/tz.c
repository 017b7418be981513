/* tz — see tz.h. */
#include "util/tz.h"

#include "util/clock.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

/* libical answers any string it finds under the zoneinfo directory; we want
 * the region names only ("Europe/Zurich", "UTC"), not file paths. */
static bool tz_name_plausible(const char *tzid)
{
	if (!tzid || !*tzid || strlen(tzid) > 64 || tzid[0] == '/' || strstr(tzid, ".."))
		return false;
	for (const char *p = tzid; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '/' || *p == '_' || *p == '-' || *p == '+'))
			return false;
	return true;
}

/* The zones found lately (under tz_lock): libical finds a zone by comparing its name with each of its ~600 in
 * turn, a fifth of a receipt's time conversions (a contribution's receipt converts four instants of its call's
 * zone). libical keeps the zones it loaded, in place, until the process ends. */
enum { TZ_FOUND = 8, TZ_FOUND_NAME = 65 };
static struct {
	char name[TZ_FOUND_NAME];
	icaltimezone *zone;
} tz_found[TZ_FOUND];
static int tz_found_next;

/* Under tz_lock. */
static icaltimezone *tz_lookup(const char *tzid)
{
	if (!tz_name_plausible(tzid))
		return NULL;
	if (strcmp(tzid, "UTC") == 0)
		return icaltimezone_get_utc_timezone();
	for (int i = 0; i < TZ_FOUND; i++)
		if (tz_found[i].zone && !strcmp(tz_found[i].name, tzid))
			return tz_found[i].zone;
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tzid);
	if (zone) { /* tz_name_plausible: at most 64 characters */
		snprintf(tz_found[tz_found_next].name, TZ_FOUND_NAME, "%s", tzid);
		tz_found[tz_found_next].zone = zone;
		tz_found_next = (tz_found_next + 1) % TZ_FOUND;
	}
	return zone;
}

bool tz_valid(const char *tzid)
{
	pthread_mutex_lock(&tz_lock);
	bool ok = tz_lookup(tzid) != NULL;
	pthread_mutex_unlock(&tz_lock);
	return ok;
}

int tz_local_to_utc(const char *tzid, int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
	if (!clock_valid_date(y, mo, d))
		return -1;
	pthread_mutex_lock(&tz_lock);
	icaltimezone *zone = tz_lookup(tzid);
	if (!zone) {
		pthread_mutex_unlock(&tz_lock);
		return -1;
	}
	struct icaltimetype t = icaltime_null_time();
	t.year = y;
	t.month = mo;
	t.day = d;
	t.hour = h;
	t.minute = mi;
	t.second = s;
	t.is_date = 0;
	int offset = icaltimezone_get_utc_offset(zone, &t, NULL);
	pthread_mutex_unlock(&tz_lock);
	*out = clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
	return 0;
}

int tz_end_of_day(const char *tzid, const char *date, int64_t *out)
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		return -1;
	return tz_local_to_utc(tzid, y, m, d, 23, 59, 59, out);
}

/* The offsets found lately, per thread: a receipt converts the same few instants again and again (the call's
 * opening and deadline, the second it arrived), and libical's search, under tz_lock, was a tenth of a
 * contribution's time on its requester's thread. Exact: the same zone at the same instant has one offset. */
enum { TZ_MEMO = 64, TZ_MEMO_ZONE = 64 };
struct tz_memo {
	int64_t t;
	int offset;
	char zone[TZ_MEMO_ZONE]; /* "" when unused */
};
static _Thread_local struct tz_memo tz_memo[TZ_MEMO];

static struct tz_memo *tz_memo_slot(const char *tzid, int64_t t)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a of the zone, then the instant */
	for (const char *p = tzid; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	h = (h ^ (uint64_t)t) * 1099511628211u;
	return &tz_memo[(h >> 32) % TZ_MEMO];
}

int tz_utc_to_local(const char *tzid, int64_t t, struct tz_local *out)
{
	const bool memo = tzid && strlen(tzid) < TZ_MEMO_ZONE;
	struct tz_memo *m = memo ? tz_memo_slot(tzid, t) : NULL;
	int offset;
	if (m && m->t == t && m->zone[0] && !strcmp(m->zone, tzid)) {
		offset = m->offset;
	} else {
		pthread_mutex_lock(&tz_lock);
		icaltimezone *zone = tz_lookup(tzid);
		if (!zone) {
			pthread_mutex_unlock(&tz_lock);
			return -1;
		}
		struct icaltimetype utc = icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
		offset = icaltimezone_get_utc_offset_of_utc_time(zone, &utc, NULL);
		pthread_mutex_unlock(&tz_lock);
		if (m) {
			m->t = t;
			m->offset = offset;
			snprintf(m->zone, sizeof m->zone, "%s", tzid);
		}
	}
	int64_t local = t + offset;
	int64_t days = local / 86400, rem = local % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	clock_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(rem / 3600);
	out->minute = (int)(rem / 60 % 60);
	out->second = (int)(rem % 60);
	out->utc_offset = offset;
	return 0;
}

int tz_format_local(const char *tzid, int64_t t, char out[64])
{
	struct tz_local l;
	if (tz_utc_to_local(tzid, t, &l) != 0)
		return -1;
	char date[11], longdate[32];
	snprintf(date, sizeof date, "%04d-%02d-%02d", l.year, l.month, l.day);
	clock_format_date_long(date, longdate);
	int off = l.utc_offset < 0 ? -l.utc_offset : l.utc_offset;
	snprintf(out, 64, "%s, %02d:%02d:%02d (UTC%c%02d:%02d)", longdate, l.hour, l.minute, l.second,
		 l.utc_offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
	return 0;
}

void tz_city(const char *tzid, char *out, size_t n)
{
	const char *slash = strrchr(tzid, '/');
	snprintf(out, n, "%s", slash ? slash + 1 : tzid);
	for (char *c = out; *c; c++)
		if (*c == '_')
			*c = ' ';
}

int tz_format_human(const char *tzid, int64_t t, char out[TZ_HUMAN_LEN])
{
	struct tz_local l;
	if (tz_utc_to_local(tzid, t, &l) != 0) {
		char iso[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(t, iso);
		snprintf(out, TZ_HUMAN_LEN, "%.10s, %.5s UTC", iso, iso + 11);
		return -1;
	}
	char date[11], longdate[32], city[64], minutes[8] = "";
	snprintf(date, sizeof date, "%04u-%02u-%02u", (unsigned)l.year % 10000u, (unsigned)l.month % 100u,
		 (unsigned)l.day % 100u);
	clock_format_date_long(date, longdate);
	tz_city(tzid, city, sizeof city);
	int off = l.utc_offset < 0 ? -l.utc_offset : l.utc_offset;
	if (off / 60 % 60)
		snprintf(minutes, sizeof minutes, ":%02d", off / 60 % 60);
	snprintf(out, TZ_HUMAN_LEN, "%s, %02d:%02d %s time (UTC%c%d%s)", longdate, l.hour, l.minute, city,
		 l.utc_offset < 0 ? '-' : '+', off / 3600, minutes);
	return 0;
}

void tz_format_utc(int64_t t, char out[32])
{
	char iso[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(t, iso);
	/* 2021-02-15T22:59:59Z -> 2021-02-15 22:59:59 UTC */
	snprintf(out, 32, "%.10s %.8s UTC", iso, iso + 11);
}

int tz_date_at(const char *tzid, int64_t t, char out[11])
{
	struct tz_local l;
	if (tz_utc_to_local(tzid, t, &l) != 0)
		return -1;
	/* libical's year, month and day are in range: the modulos only tell the compiler so */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)l.year % 10000u, (unsigned)l.month % 100u, (unsigned)l.day % 100u);
	return 0;
}

/* UTC has no rules in libical's data: one observance says it. */
static const char VTIMEZONE_UTC[] = "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
				    "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\n"
				    "END:VTIMEZONE\r\n";

char *tz_vtimezone(const char *tzid)
{
	if (tzid && !strcmp(tzid, "UTC"))
		return strdup(VTIMEZONE_UTC);
	char *out = NULL;
	pthread_mutex_lock(&tz_lock);
	icaltimezone *zone = tz_lookup(tzid);
	icalcomponent *c = zone ? icaltimezone_get_component(zone) : NULL;
	icalcomponent *copy = c ? icalcomponent_new_clone(c) : NULL;
	if (copy) {
		icalproperty *p = icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY);
		if (p)
			icalproperty_set_tzid(p, tzid);
		else
			icalcomponent_add_property(copy, icalproperty_new_tzid(tzid));
		char *text = icalcomponent_as_ical_string_r(copy);
		if (text) {
			out = strdup(text);
			icalmemory_free_buffer(text);
		}
		icalcomponent_free(copy);
	}
	pthread_mutex_unlock(&tz_lock);
	return out;
}
