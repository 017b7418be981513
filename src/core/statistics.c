/* statistics — see statistics.h. */
#include "core/statistics.h"
#include "util/i18n.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The civil date after y-m-d. */
static void next_date(int *y, int *m, int *d)
{
	static const int days_in[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int last = days_in[*m - 1] + (*m == 2 && leap_year(*y));
	if (++*d <= last)
		return;
	*d = 1;
	if (++*m <= 12)
		return;
	*m = 1;
	++*y;
}

/* The local date of instant t in tzid (y-m-d), its start and the start of the next day, both in UTC. */
static int day_of(const char *tzid, int64_t t, int *y, int *m, int *d, int64_t *start, int64_t *end)
{
	struct tz_local l;
	if (tz_utc_to_local(tzid, t, &l) != 0 || tz_local_to_utc(tzid, l.year, l.month, l.day, 0, 0, 0, start) != 0)
		return -1;
	*y = l.year;
	*m = l.month;
	*d = l.day;
	int ny = *y, nm = *m, nd = *d;
	next_date(&ny, &nm, &nd);
	if (tz_local_to_utc(tzid, ny, nm, nd, 0, 0, 0, end) != 0)
		return -1;
	/* a midnight that a change of offset skips or repeats is placed by libical; the day stays [start, end)
	 * with start <= t < end, so that no instant is counted in two days or in none */
	if (*start > t)
		*start = t - t % OUTCOME_QUARTER_HOUR;
	if (*end <= t)
		*end = t - t % OUTCOME_QUARTER_HOUR + OUTCOME_QUARTER_HOUR;
	return 0;
}

static int64_t quarter_start(const struct outcome_quarter *q)
{
	return q->start;
}

int statistics_days(struct arena *a, const char *tzid, int64_t from, int64_t to, const struct outcome_quarter *quarters,
                    int nquarters, struct statistics_day **out, int *n, bool *sparse, struct error *e)
{
	*out = NULL;
	*n = 0;
	*sparse = false;
	int64_t lo = from, hi = to;
	if (nquarters > 0) {
		const int64_t first = quarter_start(&quarters[0]), last = quarter_start(&quarters[nquarters - 1]);
		if (from > to || first < lo)
			lo = first;
		if (from > to || last > hi)
			hi = last;
	} else if (from > to) {
		return 0;
	}
	/* A long span lists the days with contributions only: jumps from one to the next. */
	*sparse = (hi - lo) / 86400 > STATISTICS_DAYS_MAX;
	int cap = 0, qi = 0;
	int64_t t = lo;
	while (t <= hi) {
		int y, m, d;
		int64_t start, end;
		if (day_of(tzid, t, &y, &m, &d, &start, &end) != 0) {
			error_set(e, ERROR_INVALID, _("The time zone %s is not known."), tzid);
			return -1;
		}
		int64_t count = 0;
		for (; qi < nquarters && quarter_start(&quarters[qi]) < end; qi++)
			count += quarters[qi].count;
		if (!*sparse || count > 0) {
			struct statistics_day *day = arena_push(a, (void **)out, n, &cap, sizeof *day);
			if (!day) {
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
				return -1;
			}
			snprintf(day->date, sizeof day->date, "%04d-%02d-%02d", y, m, d);
			day->start = start;
			day->end = end;
			day->contributions = count;
		}
		t = end;
		if (*sparse) {
			if (qi >= nquarters)
				break;
			t = quarter_start(&quarters[qi]);
		}
	}
	return 0;
}

/* The counts both kinds of statistics share, of the calls in scope, with the days from `from` to `to`. */
static int read_counts(struct db *db, struct arena *a, const struct outcome_scope *scope, int64_t from, int64_t to,
                       int64_t now, struct statistics *out, struct outcome_tally *t, struct error *e)
{
	if (outcome_tally(db, a, scope, OUTCOME_STATISTICS, true, t, e) != 0)
		return -1;
	out->contributions = t->contributions;
	out->comments = t->comments;
	out->in_campaigns = t->in_campaigns;
	out->categories = t->categories;
	out->ncategories = t->ncategories;
	out->countries = t->countries;
	out->ncountries = t->ncountries;
	out->channels = t->channels;
	out->nchannels = t->nchannels;
	out->types = t->types;
	out->ntypes = t->ntypes;
	out->paragraphs = t->paragraphs;
	out->nparagraphs = t->nparagraphs;
	if (statistics_days(a, out->timezone, from, to, t->quarters, t->nquarters, &out->days, &out->ndays,
	                    &out->sparse, e) != 0)
		return -1;
	int y, m, d;
	int64_t start;
	if (day_of(out->timezone, now, &y, &m, &d, &start, &out->valid_until) != 0) {
		error_set(e, ERROR_INVALID, _("The time zone %s is not known."), out->timezone);
		return -1;
	}
	return 0;
}

int statistics_of_call(struct db *db, struct arena *a, const struct call *c, int64_t now, struct statistics *out,
                       struct error *e)
{
	memset(out, 0, sizeof *out);
	out->timezone = c->timezone;
	const struct outcome_scope scope = {.call_id = c->id};
	struct outcome_tally t;
	if (read_counts(db, a, &scope, c->opens_at, c->closes_at < now ? c->closes_at : now, now, out, &t, e) != 0)
		return -1;
	return campaign_list(db, a, c->id, 0, STATISTICS_CAMPAIGNS, &out->largest, &out->nlargest, &out->campaigns, e);
}

int statistics_of_process(struct db *db, struct arena *a, const struct process *p, int64_t now, struct statistics *out,
                          struct error *e)
{
	memset(out, 0, sizeof *out);
	out->timezone = p->timezone;
	struct call *calls;
	int ncalls;
	if (call_list(db, a, p->id, &calls, &ncalls, e) != 0)
		return -1;
	/* from the first opening to the last closing (or now); no call open yet: the days with contributions only */
	int64_t from = 1, to = 0;
	bool any = false;
	for (int i = 0; i < ncalls; i++) {
		const int64_t until = calls[i].closes_at < now ? calls[i].closes_at : now;
		if (calls[i].opens_at > until)
			continue; /* not open yet */
		if (!any || calls[i].opens_at < from)
			from = calls[i].opens_at;
		if (!any || until > to)
			to = until;
		any = true;
	}
	const struct outcome_scope scope = {.process_id = p->id};
	struct outcome_tally t;
	if (read_counts(db, a, &scope, from, to, now, out, &t, e) != 0)
		return -1;
	/* every call, in the order call_list gives them, with its counts */
	if (ncalls > 0 && !(out->calls = arena_alloc(a, (size_t)ncalls * sizeof *out->calls))) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	out->ncalls = ncalls;
	for (int i = 0; i < ncalls; i++) {
		out->calls[i] = (struct statistics_call){calls[i].id, calls[i].title, 0, 0};
		for (int k = 0; k < t.ncalls; k++)
			if (t.calls[k].call_id == calls[i].id) {
				out->calls[i].contributions = t.calls[k].contributions;
				out->calls[i].comments = t.calls[k].comments;
			}
	}
	return campaign_list_process(db, a, p->id, STATISTICS_CAMPAIGNS, &out->largest, &out->nlargest, &out->campaigns,
	                             e);
}
