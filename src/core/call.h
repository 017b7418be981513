/*
 * call — a call for contributions on one version of a document.
 *
 * A call opens and closes at UTC instants. Deadlines are announced as dates
 * ("by 15 February 2021") and mean the end of that day in the process's time
 * zone; call_create() turns the dates into instants once, with the zone's
 * rules for that day (daylight saving included).
 */
#ifndef CONSULTA_CORE_CALL_H
#define CONSULTA_CORE_CALL_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* The call's state at an instant (call_state_at): its names are what the API and the audit log show. */
enum call_state { CALL_UPCOMING, CALL_OPEN, CALL_CLOSED };
const char *call_state_name(enum call_state s);
/* Reads a state's name; false for a name not in its table. */
bool call_state_parse(const char *name, enum call_state *out);

/* When a call's contributions are published: on_receipt, as they arrive;
 * after_review, once the secretariat has published each one. */
enum call_review { REVIEW_ON_RECEIPT, REVIEW_AFTER_REVIEW };
const char *call_review_name(enum call_review r);
bool call_review_parse(const char *name, enum call_review *out);

/* What a change in a call's history did: a later deadline, an earlier one,
 * opened now, closed now. */
enum call_change_kind { CHANGE_EXTEND, CHANGE_SHORTEN, CHANGE_OPEN, CHANGE_CLOSE };
const char *call_change_kind_name(enum call_change_kind k);
bool call_change_kind_parse(const char *name, enum call_change_kind *out);

/* One recorded change of a call's deadline or state, with its reason. */
struct call_change {
	int64_t id;
	int64_t changed_at;
	enum call_change_kind kind;
	int64_t from_closes_at, to_closes_at;
	const char *from_closes_on, *to_closes_on; /* dates as announced, or NULL */
	const char *reason;
};

struct call {
	int64_t id;
	int64_t process_id;
	int64_t version_id;
	const char *title;
	const char *description;
	int64_t opens_at;      /* first second it accepts */
	int64_t closes_at;     /* last second it accepts */
	const char *closes_on; /* the deadline as announced, or NULL */
	const char *timezone;  /* the process's */
	const char *process_slug;
	const char *process_title;
	const char *document_title;
	const char *version_label;
	const char *version_date;
	enum call_review review;
	const char *email;  /* the call's own address for contributions by e-mail (lower case), or NULL */
	int64_t milestone_id; /* the schedule's milestone that announces its deadline, or 0 */
	struct call_change *history; /* oldest first; loaded by call_history() or call_history_all() only */
	int nhistory;
};

/* Opens at the start of opens_on and closes at the end of closes_on, in timezone. */
int call_create(struct db *db, int64_t process_id, int64_t version_id, const char *title, const char *description,
		const char *timezone, const char *opens_on, const char *closes_on, int64_t *id, struct error *e);

int call_find(struct db *db, struct arena *a, int64_t id, struct call *out, struct error *e);
/* The language a call's process is written in first (its first offered language), for what is composed for
 * someone whose language is not known (a reply to a message sent to the call's address); NULL if none is
 * offered, the call is unknown or the store fails (then English). */
const char *call_first_language(struct db *db, int64_t call_id);
/* The call whose own address is email (compared without regard to case); ERROR_NOT_FOUND if none. */
int call_find_email(struct db *db, struct arena *a, const char *email, struct call *out, struct error *e);
/* Gives a call its e-mail address (NULL: none), inside the caller's transaction
 * (the demo loader). ERROR_INVALID for an address of the wrong shape,
 * ERROR_CONFLICT if another call has it. */
int call_set_email(struct db *db, int64_t id, const char *email, struct error *e);
int call_list(struct db *db, struct arena *a, int64_t process_id, struct call **out, int *n, struct error *e);

/* Names the milestone of the call's process that announces its deadline, inside the caller's
 * transaction (the demo loader). From then on they are one fact: call_change() moves the
 * milestone with the deadline, and milestone_move() of it changes the call's deadline. */
int call_link_milestone(struct db *db, int64_t call_id, int64_t milestone_id, struct error *e);
/* The call whose deadline milestone_id announces; ERROR_NOT_FOUND if none. */
int call_find_milestone(struct db *db, struct arena *a, int64_t milestone_id, struct call *out, struct error *e);

/* The first call on version_id open at now (call_state_at), in *id: 1 if there is one, 0 if none, -1 on error.
 * One small query, for pages that only link to it (the version page's "Comment on ¶N"). */
int call_open_on_version(struct db *db, int64_t version_id, int64_t now, int64_t *id, struct error *e);

/* Loads c->history: the changes of its deadline and state, oldest first. */
int call_history(struct db *db, struct arena *a, struct call *c, struct error *e);
/* call_history() for each of the n calls of process_id (call_list()'s, or some of them), in one statement:
 * the process page's calls without a round trip each. */
int call_history_all(struct db *db, struct arena *a, int64_t process_id, struct call *calls, int n, struct error *e);

/*
 * The back office: the secretariat's way in, for the web pages and the API
 * alike. Each call is one change, in one transaction with its audit entry
 * (before and after) and, where the public should hear of it, a notice to
 * the process's subscribers.
 */

struct call_input {
	int64_t version_id; /* a version of one of the process's documents */
	const char *title;
	const char *description;
	const char *opens_on;  /* YYYY-MM-DD in the process's zone: opens at the start of that day */
	const char *closes_on; /* YYYY-MM-DD: closes at the end of that day */
	const char *review;    /* on_receipt or after_review (the default: review before publishing) */
	int64_t milestone_id;  /* a deadline milestone of the process that announces no call, or 0: a new one */
};

/* Opens a call for contributions on a version; audit "call.create", and a notice.
 * Its deadline is on the schedule from the start, as one fact with the call
 * (call_link_milestone): a new milestone of kind deadline, "Deadline: <title>"
 * on closes_on, or the one in->milestone_id names, which must be a deadline of
 * the process that announces no other call, moved to closes_on; all in the
 * call's transaction. Errors name version_id, title, description, opens_on,
 * closes_on, review and milestone_id. */
int call_add(struct db *db, struct arena *a, const struct actor *who, int64_t process_id,
	     const struct call_input *in, int64_t *id, struct error *e);

/* What the secretariat changes in a call; NULL members stay as they are. */
struct call_change_input {
	const char *closes_on; /* a new deadline as a date in the process's zone (end of that day) */
	const char *closes_at; /* or as an RFC 3339 instant: its last second accepted */
	const char *state;     /* "open": open an upcoming call now; "closed": close an open call now */
	const char *review;    /* on_receipt or after_review */
	const char *reason;    /* required with a new deadline or state; published in the call's history */
};

/* Changes a call: a new deadline (later: "extend", earlier: "shorten"; a closed
 * call given a deadline still to come is open again), opening or closing it
 * now, its review mode, in one transaction. The milestone that announces the
 * deadline (call_link_milestone) moves with it in that transaction, to the
 * deadline's date; the call's change is the one history entry, and the
 * schedule shows it as the milestone's move (milestone_list). Each change of the deadline or
 * state is kept in the call's history with its reason (required) and recorded
 * as audit "call.extend", "call.shorten", "call.open" or "call.close", with a
 * notice to subscribers; a new review mode as "call.review" (contributions
 * already pending stay pending until moderated). A new deadline may not be
 * already past (close the call instead) nor before the opening. Errors name
 * closes_on, closes_at, state, review and reason; ERROR_CONFLICT to open an
 * open call or close one that is not open. */
int call_change(struct db *db, struct arena *a, const struct actor *who, int64_t id,
		const struct call_change_input *in, struct error *e);

/* upcoming before opens_at, open from opens_at to closes_at inclusive, closed after. */
enum call_state call_state_at(const struct call *c, int64_t now);
/* The state as every page shows it: "Open", "Not yet open", "Closed". */
const char *call_state_label(enum call_state s);

#endif
