/*
 * clock — the one source of "now", and UTC calendar arithmetic.
 *
 * Time inside Consulta is seconds since the Unix epoch, UTC. The clock reads
 * the system time unless CONSULTA_NOW (RFC 3339) was set when the program
 * started; then it is frozen at that instant, so tests never depend on the
 * wall clock. Nothing in a request can change it.
 */
#ifndef CONSULTA_UTIL_CLOCK_H
#define CONSULTA_UTIL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

enum { CLOCK_RFC3339_LEN = 32 };

/* Reads CONSULTA_NOW once; returns -1 (with the bad value left alone) if it is set but invalid. */
int clock_init(void);
int64_t clock_now(void);
/* Holds "now" at t until clock_release(), for a loader that runs alone in its process: the demo receives
 * its sample contributions at instants inside their calls (a call that closed long ago among them) through
 * the one way in, which judges the deadline by clock_now(). One process-wide value, not per thread: never
 * while serving. Nothing in a request can reach it. */
void clock_hold(int64_t t);
/* Ends clock_hold(): now is again the system time, or CONSULTA_NOW's instant. */
void clock_release(void);

/* The machine's real time in UTC seconds, whatever CONSULTA_NOW says: for what is about the machine and not
 * the domain (when an SMTP server may be back, how often a thread looks again, a seed). The only other
 * reading of the system clock besides clock_now(); checksrc refuses time(NULL) anywhere else. */
int64_t clock_wall(void);

/* The machine's monotonic clock (CLOCK_MONOTONIC), in microseconds and in milliseconds: for time limits and
 * durations, which a frozen domain clock (CONSULTA_NOW) or a change of the system time must not stop or
 * stretch. */
int64_t clock_monotonic_us(void);
int64_t clock_monotonic_ms(void);

/* "2021-02-15T22:59:59Z" or with an offset "+01:00"; fractions are accepted and dropped. */
int clock_parse_rfc3339(const char *s, int64_t *out);
void clock_format_rfc3339(int64_t t, char out[CLOCK_RFC3339_LEN]);

/* "YYYY-MM-DD" with a real calendar day. */
int clock_parse_date(const char *s, int *y, int *m, int *d);
bool clock_valid_date(int y, int m, int d);

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t clock_days_from_civil(int y, int m, int d);
void clock_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Adds whole days to a "YYYY-MM-DD" date; out must hold 11 bytes. */
int clock_date_add_days(const char *date, int64_t days, char out[11]);

/* "15 February 2021" — how people write a date. out holds 32 bytes. */
void clock_format_date_long(const char *date, char out[32]);

#endif
