/*
 * statistics — a call's or a process's contributions counted, for the
 * statistics pages and their JSON (web/page_statistics.c): per day in the
 * process's zone, by category, by country, by channel, comments per paragraph
 * and by type, and the mass campaigns (how many, the share of contributions in
 * one, the largest).
 *
 * What counts is what "you said, we did" counts (core/outcome.h, whose
 * outcome_tally() does every GROUP BY here): contributions in the state
 * published, private ones included — counted in every number, never named
 * (a campaign's representative is its first member the public sees,
 * core/campaign.h); pending, hidden and spam ones never count. Unlike the
 * outcome, a call counts whether its dispositions are published or not.
 *
 * Fast on a large call: three GROUP BY queries in portable SQL read every
 * number (one over the contributions, by an index that holds all they need,
 * one over the comments, one by quarter-hour); the days are read as counts
 * per quarter-hour (struct outcome_quarter) and
 * summed here into the days of the zone, whose boundaries are computed from
 * the zone (util/tz.h), daylight saving included — no date function of
 * either database is used.
 */
#ifndef CONSULTA_CORE_STATISTICS_H
#define CONSULTA_CORE_STATISTICS_H

#include "core/call.h"
#include "core/campaign.h"
#include "core/outcome.h"
#include "core/process.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	STATISTICS_DAYS_MAX = 731, /* a longer span lists only the days with contributions (sparse) */
	STATISTICS_CAMPAIGNS = 5,  /* the largest campaigns listed */
};

/* One day in the process's zone: [start, end) in UTC. */
struct statistics_day {
	char date[11]; /* YYYY-MM-DD */
	int64_t start, end;
	int64_t contributions;
};

/* One call of a process, with its counts. */
struct statistics_call {
	int64_t id;
	const char *title;
	int64_t contributions, comments;
};

struct statistics {
	const char *timezone;            /* the process's, which the days are in */
	int64_t contributions, comments; /* counted */
	struct statistics_call *calls;   /* a process's calls with their counts (none for a call's statistics) */
	int ncalls;
	/* From the day the (first) call opened to the day it closed or today, whichever is earlier, widened to
	 * any day with contributions (a late one admitted); every day, also those with none, unless the span is
	 * longer than STATISTICS_DAYS_MAX days (sparse: then only those with some). */
	struct statistics_day *days;
	int ndays;
	bool sparse;
	struct outcome_count *categories, *countries, *channels, *types, *paragraphs;
	int ncategories, ncountries, nchannels, ntypes, nparagraphs;
	int64_t in_campaigns;     /* contributions counted that are in a campaign */
	int64_t campaigns;        /* campaigns with a member the public sees */
	struct campaign *largest; /* the largest of them, at most STATISTICS_CAMPAIGNS */
	int nlargest;
	int64_t valid_until; /* the numbers change with time alone at this instant (the next midnight in the zone) */
};

/* The statistics of call c (as call_find() loads it) at instant now. Everything in a. 0, or -1 with e set; a
 * call with no contributions has zeros and empty lists. */
int statistics_of_call(struct db *db, struct arena *a, const struct call *c, int64_t now, struct statistics *out,
                       struct error *e);

/* The statistics of every call of process p (process_find()) at instant now, as statistics_of_call(). */
int statistics_of_process(struct db *db, struct arena *a, const struct process *p, int64_t now, struct statistics *out,
                          struct error *e);

/* Sums counts per quarter-hour (increasing, as outcome_tally() reads them) into the days of tzid covering
 * [from, to] and every quarter-hour given (see struct statistics for the span and sparse). from > to: only the
 * days with counts. 0, or -1 with e set (an unknown zone, out of memory). Exposed for the unit tests. */
int statistics_days(struct arena *a, const char *tzid, int64_t from, int64_t to, const struct outcome_quarter *quarters,
                    int nquarters, struct statistics_day **out, int *n, bool *sparse, struct error *e);

#endif
