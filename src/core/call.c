/* call — see call.h. */
#include "core/call.h"

#include "core/config.h"
#include "core/deadline.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/milestone.h"
#include "core/subscription.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"

#include <stddef.h>
#include <string.h>

int call_create(struct db *db, int64_t process_id, int64_t version_id, const char *title, const char *description,
		const char *timezone, const char *opens_on, const char *closes_on, int64_t *id, struct error *e)
{
	int64_t opens_at = 0, closes_at = 0;
	int y, m, d;
	if (!title || !*title)
		error_field(e, "title", _("Give the call a title."));
	if (clock_parse_date(opens_on, &y, &m, &d) != 0 || tz_local_to_utc(timezone, y, m, d, 0, 0, 0, &opens_at) != 0)
		error_field(e, "opens_on", _("Give the opening date as YYYY-MM-DD."));
	if (tz_end_of_day(timezone, closes_on, &closes_at) != 0)
		error_field(e, "closes_on", _("Give the deadline as YYYY-MM-DD."));
	else if (!e->code && closes_at < opens_at)
		error_field(e, "closes_on", _("The deadline comes before the opening date."));
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO call (process_id, version_id, title, description, opens_at, closes_at, "
				  "closes_on) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_int(st, 2, version_id);
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, description ? description : "");
	db_bind_int(st, 5, opens_at);
	db_bind_int(st, 6, closes_at);
	db_bind_text(st, 7, closes_on);
	if (db_insert_id(st, id, e) != 0)
		return -1;
	return 0;
}

#define CALL_COLUMNS                                                                                            \
	"SELECT c.id, c.process_id, c.version_id, c.title, c.description, c.opens_at, c.closes_at, c.closes_on, " \
	"p.timezone, p.slug, p.title, d.title, v.label, v.date, c.review, c.email, c.milestone_id "               \
	"FROM call c JOIN process p ON p.id = c.process_id JOIN version v ON v.id = c.version_id "               \
	"JOIN document d ON d.id = v.document_id "

static int call_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct call *c = element;
	bool failed = false;
	c->id = db_col_int(st, 0);
	c->process_id = db_col_int(st, 1);
	c->version_id = db_col_int(st, 2);
	c->title = db_col_dup(st, 3, a, &failed);
	c->description = db_col_dup(st, 4, a, &failed);
	c->opens_at = db_col_int(st, 5);
	c->closes_at = db_col_int(st, 6);
	c->closes_on = db_col_dup(st, 7, a, &failed);
	c->timezone = db_col_dup(st, 8, a, &failed);
	c->process_slug = db_col_dup(st, 9, a, &failed);
	c->process_title = db_col_dup(st, 10, a, &failed);
	c->document_title = db_col_dup(st, 11, a, &failed);
	c->version_label = db_col_dup(st, 12, a, &failed);
	c->version_date = db_col_dup(st, 13, a, &failed);
	if (!call_review_parse(db_col_text(st, 14), &c->review))
		return DB_FILL_UNKNOWN;
	c->email = db_col_dup(st, 15, a, &failed);
	c->milestone_id = db_col_int(st, 16);
	return failed ? -1 : 0;
}

int call_find(struct db *db, struct arena *a, int64_t id, struct call *out, struct error *e)
{
	static const char sql[] = CALL_COLUMNS "WHERE c.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, call_from_row, "There is no such call for contributions.", e);
}

const char *call_first_language(struct db *db, int64_t call_id)
{
	static const char sql[] = "SELECT p.languages FROM call c JOIN process p ON p.id = c.process_id WHERE c.id = ?";
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	if (!st)
		return NULL;
	db_bind_int(st, 1, call_id);
	const struct i18n_language *l = db_step(st, &e) == DB_ROW ? i18n_first_of(db_col_text(st, 0)) : NULL;
	db_reset(st);
	return l ? l->code : NULL;
}

int call_find_email(struct db *db, struct arena *a, const char *email, struct call *out, struct error *e)
{
	static const char sql[] = CALL_COLUMNS "WHERE c.email = lower(?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, email);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, call_from_row, "No call for contributions has this address.", e);
}

int call_set_email(struct db *db, int64_t id, const char *email, struct error *e)
{
	if (email && !field_email_valid(email)) {
		error_field(e, "email", _("This does not look like an e-mail address (name@example.org)."));
		return -1;
	}
	static const char sql[] = "UPDATE call SET email = lower(?) WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, email);
	db_bind_int(st, 2, id);
	if (db_exec_stmt(st, e) == 0)
		return 0;
	if (db_unique_violation(db)) {
		error_clear(e);
		error_set(e, ERROR_CONFLICT, _("Another call for contributions has the address %s."), email);
	}
	return -1;
}

int call_list(struct db *db, struct arena *a, int64_t process_id, struct call **out, int *n, struct error *e)
{
	static const char sql[] = CALL_COLUMNS "WHERE c.process_id = ? ORDER BY c.closes_at, c.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, call_from_row, e);
}

int call_open_on_version(struct db *db, int64_t version_id, int64_t now, int64_t *id, struct error *e)
{
	/* open from opens_at to closes_at inclusive, as call_state_at() says */
	static const char sql[] =
		"SELECT id FROM call WHERE version_id = ?1 AND opens_at <= ?2 AND closes_at >= ?2 ORDER BY id LIMIT 1";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	db_bind_int(st, 2, now);
	enum db_step r = db_step(st, e);
	if (r == DB_ROW)
		*id = db_col_int(st, 0);
	db_reset(st);
	return r == DB_ROW ? 1 : r == DB_DONE ? 0 : -1;
}

int call_link_milestone(struct db *db, int64_t call_id, int64_t milestone_id, struct error *e)
{
	static const char sql[] = "UPDATE call SET milestone_id = ? WHERE id = ? AND process_id = "
				  "(SELECT process_id FROM milestone WHERE id = ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, milestone_id);
	db_bind_int(st, 2, call_id);
	db_bind_int(st, 3, milestone_id);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	if (db_changes(db) != 1) {
		error_set(e, ERROR_NOT_FOUND, _("There is no such call, or the milestone is not in its process."));
		return -1;
	}
	return 0;
}

int call_find_milestone(struct db *db, struct arena *a, int64_t milestone_id, struct call *out, struct error *e)
{
	static const char sql[] = CALL_COLUMNS "WHERE c.milestone_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, milestone_id);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, call_from_row, "No call has this milestone as its deadline.", e);
}

enum call_state call_state_at(const struct call *c, int64_t now)
{
	if (now < c->opens_at)
		return CALL_UPCOMING;
	if (now > c->closes_at)
		return CALL_CLOSED;
	return CALL_OPEN;
}

/* -- the names of the states: one table each ---------------------------- */

static const char *const STATE_NAMES[] = {
	[CALL_UPCOMING] = "upcoming",
	[CALL_OPEN] = "open",
	[CALL_CLOSED] = "closed",
};
static const char *const REVIEW_NAMES[] = {
	[REVIEW_ON_RECEIPT] = "on_receipt",
	[REVIEW_AFTER_REVIEW] = "after_review",
};
static const char *const CHANGE_NAMES[] = {
	[CHANGE_EXTEND] = "extend",
	[CHANGE_SHORTEN] = "shorten",
	[CHANGE_OPEN] = "open",
	[CHANGE_CLOSE] = "close",
};
#define COUNT(t) ((int)(sizeof t / sizeof *t))

const char *call_state_name(enum call_state s)
{
	return STATE_NAMES[s];
}

bool call_state_parse(const char *name, enum call_state *out)
{
	const int i = field_enum_index(STATE_NAMES, COUNT(STATE_NAMES), name);
	if (i >= 0)
		*out = (enum call_state)i;
	return i >= 0;
}

const char *call_review_name(enum call_review r)
{
	return REVIEW_NAMES[r];
}

bool call_review_parse(const char *name, enum call_review *out)
{
	const int i = field_enum_index(REVIEW_NAMES, COUNT(REVIEW_NAMES), name);
	if (i >= 0)
		*out = (enum call_review)i;
	return i >= 0;
}

const char *call_change_kind_name(enum call_change_kind k)
{
	return CHANGE_NAMES[k];
}

bool call_change_kind_parse(const char *name, enum call_change_kind *out)
{
	const int i = field_enum_index(CHANGE_NAMES, COUNT(CHANGE_NAMES), name);
	if (i >= 0)
		*out = (enum call_change_kind)i;
	return i >= 0;
}

const char *call_state_label(enum call_state s)
{
	switch (s) {
	case CALL_UPCOMING: return "Not yet open";
	case CALL_OPEN: return "Open";
	case CALL_CLOSED: return "Closed";
	}
	return "Closed";
}

static int change_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct call_change *x = element;
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->changed_at = db_col_int(st, 1);
	if (!call_change_kind_parse(db_col_text(st, 2), &x->kind))
		return DB_FILL_UNKNOWN;
	x->from_closes_at = db_col_int(st, 3);
	x->to_closes_at = db_col_int(st, 4);
	x->from_closes_on = db_col_dup(st, 5, a, &failed);
	x->to_closes_on = db_col_dup(st, 6, a, &failed);
	x->reason = db_col_dup(st, 7, a, &failed);
	return failed ? -1 : 0;
}

int call_history(struct db *db, struct arena *a, struct call *c, struct error *e)
{
	static const char sql[] = "SELECT id, changed_at, kind, from_closes_at, to_closes_at, from_closes_on, "
				  "to_closes_on, reason FROM call_change WHERE call_id = ? ORDER BY id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, c->id);
	c->history = NULL;
	c->nhistory = 0;
	return db_collect(st, a, (void **)&c->history, &c->nhistory, sizeof *c->history, change_from_row, e);
}

int call_history_all(struct db *db, struct arena *a, int64_t process_id, struct call *calls, int n, struct error *e)
{
	/* call_history()'s columns, then the call (the parent) */
	static const char sql[] = "SELECT x.id, x.changed_at, x.kind, x.from_closes_at, x.to_closes_at, x.from_closes_on, "
				  "x.to_closes_on, x.reason, x.call_id FROM call_change x JOIN call c ON c.id = x.call_id "
				  "WHERE c.process_id = ? ORDER BY x.call_id, x.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	const struct db_children c = {calls, n, sizeof *calls, offsetof(struct call, id), offsetof(struct call, history),
				      offsetof(struct call, nhistory), 8};
	if (db_collect_children(st, a, &c, sizeof *calls->history, change_from_row, e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		/* never NULL, even with no change: NULL is "not loaded" to page_deadline_extensions(), which would ask
		 * again, a statement per call */
		if (!calls[i].history)
			calls[i].history = arena_alloc(a, sizeof *calls->history);
		if (!calls[i].history) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* -- the back office ---------------------------------------------------- */

static json_t *instant_json(int64_t t)
{
	char s[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(t, s);
	return json_string(s);
}

/* The call as the audit log keeps it, in its state at now. */
static json_t *call_audit_json(const struct call *c, int64_t now)
{
	return json_pack("{s:s,s:o,s:o,s:o,s:s,s:s}", "title", c->title, "opens_at", instant_json(c->opens_at),
			 "closes_at", instant_json(c->closes_at), "closes_on",
			 c->closes_on ? json_string(c->closes_on) : json_null(), "state",
			 call_state_name(call_state_at(c, now)), "review", call_review_name(c->review));
}

static const char *call_object(struct arena *a, int64_t id)
{
	return arena_printf(a, "call:%lld", (long long)id);
}

/* "22 December 2026, 23:59 Zurich time (UTC+1)": the last second accepted, as every page says it
 * (core/deadline.h). closes_on is the same day: the instant says the time and the zone as well. */
static const char *deadline_text(struct arena *a, const char *timezone, const char *closes_on, int64_t closes_at)
{
	(void)closes_on;
	char out[I18N_DATE_LEN];
	i18n_instant_long(NULL, timezone, closes_at, out);
	return arena_strdup(a, out);
}

/* What a notice to the subscribers says of a call: it was announced (created), or changed by kind. */
struct call_news {
	const struct call *c;
	bool created;
	enum call_change_kind kind;
	const char *was;    /* the deadline before a change */
	const char *reason; /* the secretariat's, of a change */
};

/* A call's notice in the thread's language (subscription_compose). */
static int call_news_compose(struct arena *a, const void *ctx, const char **subject, const char **body)
{
	const struct call_news *n = ctx;
	const struct call *c = n->c;
	const char *what = NULL;
	if (n->created) {
		*subject = arena_printf(a, _("Call for contributions: %s"), c->title);
		what = arena_printf(a, _("A call for contributions on %s (%s) has been announced."), c->document_title,
		                    c->version_label);
	} else {
		switch (n->kind) {
		case CHANGE_EXTEND:
		case CHANGE_SHORTEN:
			*subject = arena_printf(a,
			                        n->kind == CHANGE_EXTEND ? _("Deadline extended: %s")
			                                                 : _("Deadline brought forward: %s"),
			                        c->title);
			what = arena_printf(a, _("The deadline of this call moved from %1$s to %2$s: %3$s"), n->was,
			                    deadline_text(a, c->timezone, c->closes_on, c->closes_at), n->reason);
			break;
		case CHANGE_OPEN:
			*subject = arena_printf(a, _("Open now: %s"), c->title);
			what = arena_printf(a, _("This call for contributions is open now: %s"), n->reason);
			break;
		case CHANGE_CLOSE:
			*subject = arena_printf(a, _("Closed: %s"), c->title);
			what =
			    arena_printf(a, _("This call for contributions has closed (its deadline was %1$s): %2$s"),
			                 n->was, n->reason);
			break;
		}
	}
	const char *deadline = deadline_sentence(a, c, clock_now());
	*body = what && deadline
	            ? arena_printf(a, _("%s\n\nThe call: %s\nProcess: %s\nDeadline: %s\n\n%s/calls/%lld\n"), what,
	                           c->title, c->process_title, deadline, config_get()->public_url, (long long)c->id)
	            : NULL;
	return *subject && *body ? 0 : -1;
}

/* Gives the new call id (of process_id, with title and deadline date closes_on) the milestone that announces its
 * deadline, inside call_add()'s transaction: milestone_id, a deadline of the process that announces no other call,
 * moved to closes_on (*moved_from: its date before, if it moves), or with milestone_id 0 a new one. */
static int call_deadline_milestone(struct db *db, struct arena *a, int64_t process_id, int64_t id, const char *title,
				   const char *closes_on, int64_t milestone_id, const char **moved_from,
				   struct error *e)
{
	/* A postponed milestone that has a new date is planned again, as milestone_move() does. */
	static const char sql_move[] = "UPDATE milestone SET date = ?, end_date = NULL, "
				       "status = CASE status WHEN 'postponed' THEN 'planned' ELSE status END, "
				       "sequence = sequence + 1, changed_at = ? WHERE id = ?"; /* 023_feeds.sql */
	if (!milestone_id) {
		const char *what = arena_printf(a, "Deadline: %s", title);
		if (!what) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		if (milestone_insert(db, process_id, closes_on, NULL, what, MILESTONE_DEADLINE, &milestone_id, e) != 0)
			return -1;
		return call_link_milestone(db, id, milestone_id, e);
	}
	struct milestone m;
	struct error lookup;
	error_clear(&lookup);
	if (milestone_find(db, a, milestone_id, &m, &lookup) != 0 || m.process_id != process_id) {
		if (lookup.code && strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
			*e = lookup;
			return -1;
		}
		error_field(e, "milestone_id",
		            _("Choose a deadline of this process's schedule, or none for a new one."));
		return -1;
	}
	if (m.kind != MILESTONE_DEADLINE) {
		error_field(e, "milestone_id",
		            _("This milestone is not a deadline: choose one of kind deadline, or none "
		              "for a new one."));
		return -1;
	}
	if (m.call_id) {
		error_field(e, "milestone_id",
		            _("This deadline already announces another call: choose another, or none "
		              "for a new one."));
		return -1;
	}
	if (strcmp(m.date, closes_on) != 0 || m.end_date) {
		*moved_from = m.date;
		struct db_stmt *st = db_stmt(db, sql_move, e);
		if (!st)
			return -1;
		db_bind_text(st, 1, closes_on);
		db_bind_int(st, 2, clock_now());
		db_bind_int(st, 3, milestone_id);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return call_link_milestone(db, id, milestone_id, e);
}

int call_add(struct db *db, struct arena *a, const struct actor *who, int64_t process_id,
	     const struct call_input *in, int64_t *id, struct error *e)
{
	static const char sql_version[] =
		"SELECT d.process_id FROM version v JOIN document d ON d.id = v.document_id "
		"WHERE v.id = ? AND v.state = 'published'"; /* a draft is not public: no call may be about it */
	static const char sql_review[] = "UPDATE call SET review = ? WHERE id = ?";
	static const char sql_tz[] = "SELECT timezone FROM process WHERE id = ?";
	const char *title = field_trimmed(a, in->title);
	const char *description = field_trimmed(a, in->description);
	const char *opens_on = field_trimmed(a, in->opens_on);
	const char *closes_on = field_trimmed(a, in->closes_on);
	const char *review_name = field_trimmed(a, in->review);
	/* When none is given, a new call reviews before publishing: nothing reaches the public that the
	 * secretariat has not read (the demo's calls, made by call_create(), keep the column's on_receipt). */
	enum call_review review = REVIEW_AFTER_REVIEW;
	field_check_line(e, "title", title, true, LIMIT_TITLE, N_("the title of the call"));
	field_check_text(e, "description", description, false, LIMIT_SUMMARY, N_("a description"));
	field_check_date(e, "opens_on", opens_on, true);
	field_check_date(e, "closes_on", closes_on, true);
	if (review_name && !call_review_parse(review_name, &review))
		error_field(e, "review", _("Choose when contributions are published: each as it arrives, or once the "
		                               "secretariat has reviewed them."));
	if (in->milestone_id < 0)
		error_field(e, "milestone_id",
		            _("Choose a deadline of this process's schedule, or none for a new one."));
	if (in->version_id <= 0)
		error_field(e, "version_id", _("Choose the version the call is about."));
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct db_stmt *st = db_stmt(db, sql_version, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, in->version_id);
	enum db_step step = db_step(st, e);
	if (step == DB_FAIL)
		goto fail;
	bool ours = step == DB_ROW && db_col_int(st, 0) == process_id;
	db_reset(st);
	if (!ours) {
		error_field(e, "version_id", _("Choose a published version of one of this process's documents."));
		goto fail;
	}
	st = db_stmt(db, sql_tz, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, process_id);
	step = db_step(st, e);
	if (step != DB_ROW) {
		if (step == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("There is no such process."));
		goto fail;
	}
	bool failed = false;
	const char *timezone = db_col_dup(st, 0, a, &failed);
	db_reset(st);
	if (failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto fail;
	}
	if (call_create(db, process_id, in->version_id, title, description, timezone, opens_on, closes_on, id, e) != 0)
		goto fail;
	st = db_stmt(db, sql_review, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, call_review_name(review));
	db_bind_int(st, 2, *id);
	struct call c;
	const char *moved_from = NULL;
	if (db_exec_stmt(st, e) != 0 || call_deadline_milestone(db, a, process_id, *id, title, closes_on,
								in->milestone_id, &moved_from, e) != 0 ||
	    call_find(db, a, *id, &c, e) != 0)
		goto fail;
	json_t *after = call_audit_json(&c, clock_now());
	json_object_set_new(after, "version_id", json_integer(in->version_id));
	json_object_set_new(after, "milestone_id", json_integer(c.milestone_id));
	if (moved_from)
		json_object_set_new(after, "milestone_moved_from", json_string(moved_from));
	if (audit_record(db, who, process_id, "call.create", call_object(a, *id), NULL, audit_json(a, after), e) != 0 ||
	    subscription_notify(db, a, c.process_id, call_news_compose, &(struct call_news){.c = &c, .created = true},
	                        e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* Reads the new deadline of in into *closes_at and *closes_on; false (and a
 * field error) if it is not one. */
static bool new_deadline(struct arena *a, const struct call *c, const struct call_change_input *in,
			 int64_t *closes_at, const char **closes_on, struct error *e)
{
	const char *on = field_trimmed(a, in->closes_on), *at = field_trimmed(a, in->closes_at);
	if (on && at) {
		error_field(e, "closes_at",
		            _("Give the new deadline once: as a date, or as a date and time, not both."));
		return false;
	}
	if (on) {
		if (tz_end_of_day(c->timezone, on, closes_at) != 0) {
			error_field(e, "closes_on", _("Give the new deadline as YYYY-MM-DD, a date in %s."),
			            c->timezone);
			return false;
		}
		*closes_on = on;
		return true;
	}
	if (clock_parse_rfc3339(at, closes_at) != 0) {
		error_field(e, "closes_at",
		            _("Give the new deadline as an RFC 3339 instant, such as "
		              "2021-03-01T22:59:59Z."));
		return false;
	}
	*closes_on = NULL;
	return true;
}

/* Moves the milestone that announces c's deadline to its date in the process's zone, inside the caller's
 * transaction. It is the same fact as the deadline, so it records no move of its own: the call's change is
 * the one history entry, and milestone_list() shows it on the schedule. */
static int call_milestone_follow(struct db *db, const struct call *c, struct error *e)
{
	/* A postponed milestone that has a new date is planned again, as milestone_move() does. */
	/* Its calendar event moves when the date does: SEQUENCE and LAST-MODIFIED follow (023_feeds.sql). */
	static const char sql[] = "UPDATE milestone SET sequence = sequence + CASE WHEN date <> ?1 OR end_date IS NOT NULL "
				  "THEN 1 ELSE 0 END, changed_at = CASE WHEN date <> ?1 OR end_date IS NOT NULL "
				  "THEN ?3 ELSE changed_at END, date = ?1, end_date = NULL, "
				  "status = CASE status WHEN 'postponed' THEN 'planned' ELSE status END WHERE id = ?2";
	if (!c->milestone_id)
		return 0;
	char day[11];
	const char *date = c->closes_on;
	if (!date) {
		if (tz_date_at(c->timezone, c->closes_at, day) != 0) {
			error_set(e, ERROR_INTERNAL, "The process's time zone %s is unknown.", c->timezone);
			return -1;
		}
		date = day;
	}
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, date);
	db_bind_int(st, 2, c->milestone_id);
	db_bind_int(st, 3, clock_now());
	return db_exec_stmt(st, e);
}

/* Records one change of the deadline or state: its row in the call's history, the audit entry and the notice. */
static int call_record(struct db *db, struct arena *a, const struct actor *who, const struct call *before,
		       const struct call *after, enum call_change_kind kind, const char *reason, int64_t now,
		       struct error *e)
{
	static const char sql[] = "INSERT INTO call_change (call_id, changed_at, kind, from_closes_at, to_closes_at, "
				  "from_closes_on, to_closes_on, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, before->id);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, call_change_kind_name(kind));
	db_bind_int(st, 4, before->closes_at);
	db_bind_int(st, 5, after->closes_at);
	db_bind_text(st, 6, before->closes_on);
	db_bind_text(st, 7, after->closes_on);
	db_bind_text(st, 8, reason);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	json_t *is = call_audit_json(after, now);
	json_object_set_new(is, "reason", json_string(reason));
	if (audit_record(db, who, before->process_id, arena_printf(a, "call.%s", call_change_kind_name(kind)),
			 call_object(a, before->id),
			 audit_json(a, call_audit_json(before, now)), audit_json(a, is), e) != 0)
		return -1;
	const char *was = deadline_text(a, before->timezone, before->closes_on, before->closes_at);
	const struct call_news news = {.c = after, .kind = kind, .was = was, .reason = reason};
	return subscription_notify(db, a, after->process_id, call_news_compose, &news, e);
}

int call_change(struct db *db, struct arena *a, const struct actor *who, int64_t id,
		const struct call_change_input *in, struct error *e)
{
	/* A new deadline earns its own "closing soon" notice: the one sent, if any, named the old one. */
	static const char sql_deadline[] =
		"UPDATE call SET closes_at = ?, closes_on = ?, closing_notice_sent = 0 WHERE id = ?";
	static const char sql_opens[] = "UPDATE call SET opens_at = ? WHERE id = ?";
	static const char sql_review[] = "UPDATE call SET review = ? WHERE id = ?";
	const bool deadline = (in->closes_on && *in->closes_on) || (in->closes_at && *in->closes_at);
	const char *state_name = field_trimmed(a, in->state), *review_name = field_trimmed(a, in->review);
	const char *reason = field_trimmed(a, in->reason);
	/* state and review are NULL when not given */
	enum call_state to = CALL_UPCOMING;
	enum call_review review_to = REVIEW_ON_RECEIPT;
	const enum call_state *state = NULL;
	const enum call_review *review = NULL;
	if (state_name && (!call_state_parse(state_name, &to) || to == CALL_UPCOMING))
		error_field(e, "state", _("Choose to open the call now or to close it now."));
	else if (state_name && deadline && to == CALL_CLOSED)
		error_field(e, "state", _("To close the call now, send no new deadline."));
	else if (state_name)
		state = &to;
	if (review_name && !call_review_parse(review_name, &review_to))
		error_field(e, "review", _("Choose when contributions are published: each as it arrives, or once the "
		                               "secretariat has reviewed them."));
	else if (review_name)
		review = &review_to;
	if (deadline || state_name)
		field_check_text(e, "reason", reason, true, LIMIT_REASON,
		                 N_("the reason for the change; it is published in the call's history"));
	else if (reason)
		field_check_text(e, "reason", reason, false, LIMIT_REASON, N_("the reason"));
	if (!e->code && !deadline && !state_name && !review_name)
		error_set(e, ERROR_INVALID,
		          _("Give a new deadline, open or close the call now, or choose when contributions are "
		            "published."));
	if (e->code)
		return -1;

	if (db_begin(db, e) != 0)
		return -1;
	const int64_t now = clock_now();
	struct call before, after;
	if (call_find(db, a, id, &before, e) != 0)
		goto fail;
	const enum call_state s = call_state_at(&before, now);
	after = before;
	enum call_change_kind kind = CHANGE_EXTEND;
	bool changed = false; /* the deadline or the state: kind says how */
	if (deadline) {
		int64_t closes_at;
		const char *closes_on;
		if (!new_deadline(a, &before, in, &closes_at, &closes_on, e))
			goto fail;
		const char *field = closes_on ? "closes_on" : "closes_at";
		if (closes_at == before.closes_at)
			error_field(e, field, _("This is the deadline already."));
		else if (closes_at < now)
			error_field(e, field,
			            _("This deadline has already passed; to close the call now, close it instead of "
			              "changing its deadline."));
		else if (closes_at < before.opens_at)
			error_field(e, field, _("The deadline comes before the call opens."));
		else if (state && *state == CALL_OPEN && s == CALL_UPCOMING)
			error_field(e, "state", _("Open the call and change its deadline one after the other."));
		if (e->code)
			goto fail;
		kind = closes_at > before.closes_at ? CHANGE_EXTEND : CHANGE_SHORTEN;
		changed = true;
		after.closes_at = closes_at;
		after.closes_on = closes_on;
		struct db_stmt *st = db_stmt(db, sql_deadline, e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, closes_at);
		db_bind_text(st, 2, closes_on);
		db_bind_int(st, 3, id);
		if (db_exec_stmt(st, e) != 0 || call_milestone_follow(db, &after, e) != 0)
			goto fail;
	} else if (state && *state == CALL_OPEN) {
		if (s == CALL_OPEN) {
			error_set(e, ERROR_CONFLICT, _("This call is open already."));
			goto fail;
		}
		if (s == CALL_CLOSED) {
			error_field(e, "state",
			            _("To open a closed call again, give it a new deadline and the reason."));
			goto fail;
		}
		kind = CHANGE_OPEN;
		changed = true;
		after.opens_at = now;
		struct db_stmt *st = db_stmt(db, sql_opens, e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, now);
		db_bind_int(st, 2, id);
		if (db_exec_stmt(st, e) != 0)
			goto fail;
	} else if (state) {
		if (s != CALL_OPEN) {
			error_set(e, ERROR_CONFLICT, _("This call is not open, so it cannot be closed."));
			goto fail;
		}
		/* The call accepts up to closes_at inclusive: closing now makes the previous second its last. */
		kind = CHANGE_CLOSE;
		changed = true;
		after.closes_at = now - 1 >= before.opens_at ? now - 1 : before.opens_at;
		after.closes_on = NULL;
		struct db_stmt *st = db_stmt(db, sql_deadline, e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, after.closes_at);
		db_bind_null(st, 2);
		db_bind_int(st, 3, id);
		if (db_exec_stmt(st, e) != 0 || call_milestone_follow(db, &after, e) != 0)
			goto fail;
	}
	if (changed && call_record(db, a, who, &before, &after, kind, reason, now, e) != 0)
		goto fail;
	if (review && *review != before.review) {
		struct call was = after;
		after.review = *review;
		struct db_stmt *st = db_stmt(db, sql_review, e);
		if (!st)
			goto fail;
		db_bind_text(st, 1, call_review_name(*review));
		db_bind_int(st, 2, id);
		json_t *is = call_audit_json(&after, now);
		if (reason && !changed)
			json_object_set_new(is, "reason", json_string(reason));
		if (db_exec_stmt(st, e) != 0 ||
		    audit_record(db, who, before.process_id, "call.review", call_object(a, id),
				 audit_json(a, call_audit_json(&was, now)), audit_json(a, is), e) != 0)
			goto fail;
	}
	if (db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
