/*
 * tz — IANA time zones through libical (which reads the system's tzdata).
 *
 * Consulta keeps every instant in UTC and converts only at the edges: a
 * deadline written as a date in a process's zone becomes a UTC instant, and
 * an instant is shown in the process's zone. libical's zone cache is shared
 * state, so every call here takes one lock; the process's TZ is never touched.
 */
#ifndef CONSULTA_UTIL_TZ_H
#define CONSULTA_UTIL_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tz_local {
	int year, month, day, hour, minute, second;
	int utc_offset; /* seconds east of UTC at that instant */
};

bool tz_valid(const char *tzid);

/* The UTC instant of a wall-clock time in zone tzid. */
int tz_local_to_utc(const char *tzid, int y, int mo, int d, int h, int mi, int s, int64_t *out);

/* The UTC instant of the last second (23:59:59) of date "YYYY-MM-DD" in tzid:
 * "by 15 February 2021" in Geneva is 2021-02-15T22:59:59Z. */
int tz_end_of_day(const char *tzid, const char *date, int64_t *out);

/* The wall-clock time in tzid of UTC instant t. */
int tz_utc_to_local(const char *tzid, int64_t t, struct tz_local *out);

/* The date "YYYY-MM-DD" in tzid at UTC instant t; out holds 11 bytes. */
int tz_date_at(const char *tzid, int64_t t, char out[11]);

/* "15 February 2021, 23:59 (UTC+01:00)"; out holds 64 bytes. */
int tz_format_local(const char *tzid, int64_t t, char out[64]);

enum { TZ_HUMAN_LEN = 128 };
/* How people read an instant in a zone: "22 December 2026, 23:59 Zurich time (UTC+1)", the city from the
 * zone's IANA name (its last part, underscores as spaces: America/New_York -> "New York time") and the
 * offset at that instant, so daylight saving is right ("UTC+5:30", "UTC+0"). Minutes only: a deadline's
 * last accepted second 23:59:59 reads 23:59. An unknown zone: -1, and out holds the instant in UTC. */
int tz_format_human(const char *tzid, int64_t t, char out[TZ_HUMAN_LEN]);

/* The city of a zone's IANA name as above ("Zurich"), in out of n bytes. */
void tz_city(const char *tzid, char *out, size_t n);

/* The zone as an iCalendar VTIMEZONE component (RFC 5545, 3.6.5) from libical's zone data, its TZID the IANA
 * name itself ("Europe/Zurich", not libical's prefixed one), so that a calendar's DTSTART;TZID=Europe/Zurich
 * names it; the text ends with CRLF. The caller frees it (free()); NULL for an unknown zone or no memory. */
char *tz_vtimezone(const char *tzid);

/* "2021-02-15 22:59 UTC"; out holds 32 bytes. */
void tz_format_utc(int64_t t, char out[32]);

#endif
