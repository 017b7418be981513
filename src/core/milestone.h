/*
 * milestone — the dated entries of a process's schedule, and their moves.
 *
 * A milestone is a date or a range of dates (8-18 June 2021) in the
 * process's time zone. When it moves, the move is kept with its reason, so
 * the public schedule can say where it was and why it changed.
 */
#ifndef CONSULTA_CORE_MILESTONE_H
#define CONSULTA_CORE_MILESTONE_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/i18n.h"

#include <stdbool.h>
#include <stdint.h>

/* What a milestone is, and where it stands; each with its one table of names
 * (milestone.c), which the database, the API and the audit log hold. */
enum milestone_kind {
	MILESTONE_VERSION,
	MILESTONE_MEETING,
	MILESTONE_DEADLINE,
	MILESTONE_PRESENTATION,
	MILESTONE_OTHER,
};
enum { MILESTONE_KIND_COUNT = MILESTONE_OTHER + 1 };
const char *milestone_kind_name(enum milestone_kind k);
/* Reads a kind's name; false for a name not in its table. */
bool milestone_kind_parse(const char *name, enum milestone_kind *out);

enum milestone_status { MILESTONE_PLANNED, MILESTONE_DONE, MILESTONE_POSTPONED, MILESTONE_CANCELLED };
enum { MILESTONE_STATUS_COUNT = MILESTONE_CANCELLED + 1 };
const char *milestone_status_name(enum milestone_status s);
bool milestone_status_parse(const char *name, enum milestone_status *out);

struct milestone_move {
	int64_t id;
	const char *moved_on;
	const char *from_date, *from_end_date; /* NULL when the old place was not a date */
	const char *from_label;                /* "2020 session of the Council", or NULL */
	const char *to_date, *to_end_date;
	const char *reason;
	int64_t moved_at; /* the instant of the move, or 0 when only its date is known */
};

struct milestone {
	int64_t id;
	int64_t process_id;
	const char *date;
	const char *end_date; /* NULL for a single day */
	const char *title;
	enum milestone_kind kind;
	enum milestone_status status;
	int64_t call_id;    /* the call whose deadline it announces (call_link_milestone), or 0 */
	int sequence;       /* one more at each move or change of title, kind or status (its iCalendar SEQUENCE) */
	int64_t changed_at; /* the instant of the last such change, or 0 for none since it was added */
	struct milestone_move *history; /* oldest first; for a call's deadline, the call's changes of it */
	int nhistory;
};

/* milestone_insert() and milestone_record_move() write inside their caller's
 * transaction and record nothing (for loaders such as the demo). */
int milestone_insert(struct db *db, int64_t process_id, const char *date, const char *end_date, const char *title,
		     enum milestone_kind kind, int64_t *id, struct error *e);

/* Records a move that already happened (as when loading a schedule with its past). */
int milestone_record_move(struct db *db, int64_t milestone_id, const char *moved_on, const char *from_date,
			  const char *from_end_date, const char *from_label, const char *reason, struct error *e);

/* The schedule of a process in date order, each milestone with its history. */
int milestone_list(struct db *db, struct arena *a, int64_t process_id, struct milestone **out, int *n,
		   struct error *e);

/* One milestone with its history; ERROR_NOT_FOUND if there is none. */
int milestone_find(struct db *db, struct arena *a, int64_t id, struct milestone *out, struct error *e);

/*
 * The back office: the secretariat's way in, for the web pages and the API
 * alike. Each call is one change, in one transaction with its audit entry
 * (before and after) and, where the public follows the schedule, a notice to
 * the process's subscribers. Errors name the fields date, end_date, title,
 * kind, status and reason.
 */

/* A milestone as the secretariat sends it; for milestone_update() a NULL member stays as it is. */
struct milestone_input {
	const char *date;     /* YYYY-MM-DD in the process's time zone */
	const char *end_date; /* NULL, empty or equal to date for a single day */
	const char *title;
	const char *kind;   /* a kind's name (milestone_kind_parse) */
	const char *status; /* milestone_update() only: a status's name (milestone_status_parse) */
};

/* Adds a milestone to a process's schedule; audit "milestone.add", and a notice. */
int milestone_add(struct db *db, struct arena *a, const struct actor *who, int64_t process_id,
		  const struct milestone_input *in, int64_t *id, struct error *e);

/* Edits the title, the kind or the status, in one transaction; audit
 * "milestone.update" (or "milestone.status" when only the status changes),
 * and a notice when it becomes postponed or cancelled. The dates are not
 * edited here: a new date is a move, which has a reason (milestone_move). */
int milestone_update(struct db *db, struct arena *a, const struct actor *who, int64_t id,
		     const struct milestone_input *in, struct error *e);

/* Marks it planned, done, postponed or cancelled: milestone_update() with the status alone. */
int milestone_set_status(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *status,
			 struct error *e);

/* Moves it to a new date or range, for a reason (required): the move is kept
 * in its history (dated today in the process's zone, with who moved it) and
 * shown publicly; audit "milestone.move", and a notice. A postponed milestone
 * that gets a new date is planned again. The milestone of a call's deadline
 * (call_link_milestone) is moved by changing the call: call_change() with
 * the date as closes_on, so the call and the schedule cannot disagree, and
 * the one history entry, audit entry and notice are the call's. */
int milestone_move(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *date,
		   const char *end_date, const char *reason, struct error *e);

/* "8–18 June 2021" or "15 February 2021" in the thread's language (i18n_date_long): two days whole at most. */
enum { MILESTONE_RANGE_LEN = 2 * I18N_DATE_LEN + 8 };
void milestone_format_range(const char *date, const char *end_date, char out[MILESTONE_RANGE_LEN]);
/* The same in lang (NULL: the thread's; I18N_DEFAULT for machine-read text such as a feed's). */
void milestone_format_range_in(const char *lang, const char *date, const char *end_date,
			       char out[MILESTONE_RANGE_LEN]);

/* Where m stands on today ("YYYY-MM-DD" in its process's zone; "" when unknown: to come): a fact of the clock,
 * not a status someone sets. A milestone marked done is past; otherwise it is past once its last day is
 * before today, under way while today is one of its days, and to come before. */
enum milestone_when { MILESTONE_PAST, MILESTONE_UNDER_WAY, MILESTONE_TO_COME };
enum milestone_when milestone_when(const struct milestone *m, const char *today);

#endif
