/* clock — see clock.h. */
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool clock_frozen;
static int64_t clock_frozen_at;
static bool clock_held;
static int64_t clock_held_at;

int clock_init(void)
{
	const char *env = getenv("CONSULTA_NOW");
	if (!env || !*env)
		return 0;
	int64_t t;
	if (clock_parse_rfc3339(env, &t) != 0)
		return -1;
	clock_frozen = true;
	clock_frozen_at = t;
	return 0;
}

int64_t clock_now(void)
{
	if (clock_held)
		return clock_held_at;
	if (clock_frozen)
		return clock_frozen_at;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

void clock_hold(int64_t t)
{
	clock_held = true;
	clock_held_at = t;
}

void clock_release(void)
{
	clock_held = false;
}

int64_t clock_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t clock_monotonic_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_monotonic_ms(void)
{
	return clock_monotonic_us() / 1000;
}

/* Howard Hinnant's civil-day algorithms: exact for every Gregorian date. */
int64_t clock_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void clock_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const int64_t doe = z - era * 146097;
	const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool clock_valid_date(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

static int parse_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int clock_parse_date(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (parse_digits(s, 4, y) || parse_digits(s + 5, 2, m) || parse_digits(s + 8, 2, d))
		return -1;
	return clock_valid_date(*y, *m, *d) ? 0 : -1;
}

int clock_parse_rfc3339(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec;
	if (!s || strlen(s) < 20)
		return -1;
	char date[11];
	memcpy(date, s, 10);
	date[10] = '\0';
	if (clock_parse_date(date, &y, &mo, &d) != 0)
		return -1;
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	if (parse_digits(s + 11, 2, &h) || parse_digits(s + 14, 2, &mi) || parse_digits(s + 17, 2, &sec))
		return -1;
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (sec == 60)
		sec = 59; /* a leap second is read as the second before it */
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int offset = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;
		if (parse_digits(p + 1, 2, &oh) || parse_digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
	} else {
		return -1;
	}
	*out = clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	return 0;
}

void clock_format_rfc3339(int64_t t, char out[CLOCK_RFC3339_LEN])
{
	int64_t days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int y, m, d;
	clock_civil_from_days(days, &y, &m, &d);
	snprintf(out, CLOCK_RFC3339_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
		 (int)(rem / 60 % 60), (int)(rem % 60));
}

int clock_date_add_days(const char *date, int64_t days, char out[11])
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		return -1;
	clock_civil_from_days(clock_days_from_civil(y, m, d) + days, &y, &m, &d);
	if (!clock_valid_date(y, m, d))
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return 0;
}

void clock_format_date_long(const char *date, char out[32])
{
	static const char *const months[] = {"January", "February", "March",	 "April",
					     "May",	"June",	    "July",	 "August",
					     "September", "October", "November", "December"};
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0) {
		snprintf(out, 32, "%s", date ? date : "");
		return;
	}
	snprintf(out, 32, "%d %s %d", d, months[m - 1], y);
}
