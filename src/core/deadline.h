/*
 * deadline — the one way a call's deadline is said, on every page and in
 * every mail: "Open until 22 December 2026, 23:59 Zurich time (UTC+1) — 21
 * days left". The zone is the process's, named by its city, with the offset
 * at that instant (daylight saving included); days are counted between the
 * calendar dates in that zone, so "1 day left" on the eve and "closes today
 * at 23:59" on the day. Pages wrap the instant in a <time> element (the
 * reader's own time is added by a script); mails use the sentence as it is.
 */
#ifndef CONSULTA_CORE_DEADLINE_H
#define CONSULTA_CORE_DEADLINE_H

#include "core/call.h"
#include "util/arena.h"
#include "util/clock.h"

#include <stdint.h>

struct deadline {
	enum call_state state;  /* at now */
	const char *lead;       /* "Open until", "Closed on", or "Opens on <when_opens>, open until" */
	const char *when;       /* "22 December 2026, 23:59 Zurich time (UTC+1)" */
	const char *when_opens; /* the same for the opening */
	const char *left;       /* "21 days left", "1 day left", "closes today at 23:59"; NULL unless open */
	char closes_utc[CLOCK_RFC3339_LEN]; /* the last second accepted, "2026-12-22T22:59:59Z" */
	char opens_utc[CLOCK_RFC3339_LEN];
	const char *sentence; /* the whole: lead, when and " — " left */
};

/* Describes c's deadline as seen at now, every string from a. -1 only when out of memory. */
int deadline_describe(struct arena *a, const struct call *c, int64_t now, struct deadline *out);

/* The sentence alone (deadline_describe()'s), or NULL when out of memory. */
const char *deadline_sentence(struct arena *a, const struct call *c, int64_t now);

/* "Extended on 1 December 2026 from 15 December 2026, 23:59 Zurich time (UTC+1): <reason>" for an
 * extension in c's history (kind CHANGE_EXTEND); NULL when out of memory. */
const char *deadline_extension(struct arena *a, const struct call *c, const struct call_change *x);

#endif
