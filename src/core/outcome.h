/*
 * outcome — "you said, we did": what the comments sent to one or more calls
 * became, counted. How many contributions and comments, contributions by
 * category and by country, comments by type, the decisions counted, and the
 * most-commented paragraphs with their decisions, where their text landed and
 * the comments whose answers can be read (web/page_outcome.c, the version
 * page's section, GET /api/v1/versions/{id}/outcome).
 *
 * What counts: only contributions in the state published (pending, hidden
 * and spam never count); private ones count in every number but are never
 * named or linked (no tracking number in answers[], see outcome_answer).
 * The public sees only calls whose dispositions are published: before that a
 * call is not in the outcome at all. The secretariat (OUTCOME_SECRETARIAT)
 * sees every call in scope, each marked with published_at = 0 while its
 * dispositions are not published, and the answers recorded so far.
 *
 * The counts are read with a few GROUP BY queries in portable SQL; nothing is
 * held per comment except the answers listed for the top paragraphs (at most
 * OUTCOME_ANSWERS_MAX per paragraph).
 *
 * The API is meant to stay stable: the report to the governing body reuses
 * outcome_read() per call (scope.call_id) for its dispositions summary.
 * Fields may be added at the end of the structs; none will be removed or
 * change meaning.
 */
#ifndef CONSULTA_CORE_OUTCOME_H
#define CONSULTA_CORE_OUTCOME_H

#include "core/disposition.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	OUTCOME_DECISIONS = 4,    /* enum disposition_decision's values, indexes of decisions[] */
	OUTCOME_TOP = 5,          /* the most-commented paragraphs shown by default */
	OUTCOME_ANSWERS_MAX = 50, /* answers listed per paragraph; the rest are counted (more) */
};

/* Who reads the outcome (see the file's comment). OUTCOME_STATISTICS counts what the public counts (published
 * contributions) in every call in scope, whether its dispositions are published or not: for the statistics
 * (core/statistics.h), which read outcome_tally() only, never the decisions. */
enum outcome_audience { OUTCOME_PUBLIC, OUTCOME_SECRETARIAT, OUTCOME_STATISTICS };

/* One bar: a category (key its slug), a country (key its ISO code) or a comment type (key its name); label
 * is the words for people. Lists are in decreasing count, then in their natural order. A tally's paragraphs
 * (struct outcome_tally) are counts too, with their version and number. */
struct outcome_count {
	const char *key;
	const char *label;
	int64_t count;
	int64_t version_id; /* a paragraph's version (else 0) */
	int number;         /* a paragraph's ¶ number there (0: unknown, or a general comment) */
};

/* A call whose comments are in the outcome. */
struct outcome_call {
	int64_t id;
	const char *title;
	int64_t version_id; /* the version the call was on */
	const char *version_label;
	int64_t published_at; /* when its dispositions were published; 0: not yet (secretariat only) */
	int64_t contributions, comments;
};

/* The decisions of a set of comments: decisions[d] for each enum disposition_decision d; unanswered the
 * comments with no answer (only the secretariat sees any, the public's calls are all answered). */
struct outcome_decisions {
	int64_t decisions[OUTCOME_DECISIONS];
	int64_t unanswered;
};

/* Where the text of some comments on a paragraph landed: ¶number (pid) of version_id. */
struct outcome_landing {
	int64_t version_id;
	const char *pid;
	int number;
	int64_t count; /* comments whose answers name it */
};

/* One comment's answer, to be linked: /contributions/{tracking}#comment-{comment_id}. Comments of private
 * contributions are never listed (they are counted in privately). */
struct outcome_answer {
	int64_t comment_id;
	const char *tracking;
	bool answered;
	enum disposition_decision decision; /* when answered */
};

/* One of the most-commented paragraphs, of the call's version. */
struct outcome_paragraph {
	int64_t version_id; /* the call's version, whose paragraph it is */
	const char *pid;
	int number; /* its ¶N there (0 if unknown) */
	int64_t comments;
	struct outcome_decisions decided;
	struct outcome_landing *landings; /* in order of ¶ */
	int nlandings;
	struct outcome_answer *answers; /* oldest contribution first, at most OUTCOME_ANSWERS_MAX */
	int nanswers;
	int64_t more;      /* comments of public contributions beyond the answers listed */
	int64_t privately; /* comments of private contributions: counted, not listed */
};

/* Which calls: those on version_id, the one call_id, or those of process_id (0: no condition; all 0 is every
 * call). */
struct outcome_scope {
	int64_t version_id;
	int64_t call_id;
	int64_t process_id;
};

/* One call's share of a tally. */
struct outcome_tally_call {
	int64_t call_id;
	int64_t contributions, comments;
};

/* Counts of contributions by the quarter-hour of their arrival: [start, start + OUTCOME_QUARTER_HOUR). Every
 * zone's offset from UTC is a whole number of quarter-hours, so each lies in one day of any zone: the
 * statistics sum them into the days of the process's zone (core/statistics.c). */
enum { OUTCOME_QUARTER_HOUR = 900 };
struct outcome_quarter {
	int64_t start;
	int64_t count;
};

/* Everything counted of the contributions in scope (see the file's comment for what counts). */
struct outcome_tally {
	int64_t contributions, comments, in_campaigns; /* in_campaigns: contributions in a mass campaign */
	struct outcome_tally_call *calls;              /* the calls with some, in no order */
	int ncalls;
	/* contributions by category (key its slug), country (its ISO code; "" labelled "Not stated" for a mail that
	 * did not say), channel (its name, label "Web form",
	 * "API", "E-mail"); comments by type (key its name): in decreasing count, then in their natural order */
	struct outcome_count *categories, *countries, *channels, *types;
	int ncategories, ncountries, nchannels, ntypes;
	/* comments per paragraph: key the pid, version_id and number its version and ¶ number (0 unknown), label
	 * "¶N of LABEL"; in the order of version_id, then number; general comments last (key "", label
	 * "General comments") */
	struct outcome_count *paragraphs;
	int nparagraphs;
	struct outcome_quarter *quarters; /* when asked for: in increasing order */
	int nquarters;
};

/* Counts the contributions and comments in scope for audience, into *out (in a): one GROUP BY over the
 * contributions, one over the comments, one more for the comments per call when two calls in scope share a
 * version, and
 * one for the quarter-hours when quarters is true. 0, or -1 with e set. No calls in scope is not an error:
 * zeros. */
int outcome_tally(struct db *db, struct arena *a, const struct outcome_scope *scope, enum outcome_audience audience,
                  bool quarters, struct outcome_tally *out, struct error *e);

struct outcome {
	struct outcome_call *calls; /* in order of opening */
	int ncalls;
	bool unpublished; /* some call's dispositions are not published (secretariat only) */
	int64_t contributions, comments;
	struct outcome_count *categories, *countries, *types;
	int ncategories, ncountries, ntypes;
	struct outcome_decisions decided;
	struct outcome_paragraph *paragraphs; /* most comments first, then by ¶ */
	int nparagraphs;
	/* Set by outcome_of_version() only: the revised version and the one whose calls led to it. */
	int64_t version_id, previous_id;
	const char *previous_label;
};

/*
 * The outcome of the calls in scope for audience, with the top most-commented paragraphs (top 0: none; top < 0:
 * the headline numbers only, calls, totals and decisions, without categories, countries and types either).
 * landings are the paragraphs of landed_in where the text landed (the same pid, since a paragraph keeps its
 * pid from version to version), or, when landed_in is 0, of the version each answer names. Everything is in
 * a. 0, or -1 with e set. No calls in scope is not an error: everything is zero.
 */
int outcome_read(struct db *db, struct arena *a, const struct outcome_scope *scope, enum outcome_audience audience,
                 int64_t landed_in, int top, struct outcome *out, struct error *e);

/*
 * "You said, we did" for version_id, the revised draft: the outcome of the calls on the version it revises
 * (its previous_id, the version its paragraphs were matched against), landings in version_id. A first
 * version (no previous one) has an empty outcome. ERROR_NOT_FOUND for no such version; the version's
 * state is not checked here (the caller decides who may see a draft).
 */
int outcome_of_version(struct db *db, struct arena *a, int64_t version_id, enum outcome_audience audience, int top,
                       struct outcome *out, struct error *e);

/* The count of one decision by its enum, for the callers that print the four in order. */
static inline int64_t outcome_decided(const struct outcome_decisions *d, enum disposition_decision k)
{
	return d->decisions[k];
}

#endif
