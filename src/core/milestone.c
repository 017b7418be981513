/* milestone — see milestone.h. */
#include "core/milestone.h"

#include "core/call.h"
#include "core/config.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/process.h"
#include "core/subscription.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const KIND_NAMES[] = {
	[MILESTONE_VERSION] = "version",
	[MILESTONE_MEETING] = "meeting",
	[MILESTONE_DEADLINE] = "deadline",
	[MILESTONE_PRESENTATION] = "presentation",
	[MILESTONE_OTHER] = "other",
};
static const char *const STATUS_NAMES[] = {
	[MILESTONE_PLANNED] = "planned",
	[MILESTONE_DONE] = "done",
	[MILESTONE_POSTPONED] = "postponed",
	[MILESTONE_CANCELLED] = "cancelled",
};
#define COUNT(t) ((int)(sizeof t / sizeof *t))

const char *milestone_kind_name(enum milestone_kind k)
{
	return KIND_NAMES[k];
}

bool milestone_kind_parse(const char *name, enum milestone_kind *out)
{
	const int i = field_enum_index(KIND_NAMES, COUNT(KIND_NAMES), name);
	if (i >= 0)
		*out = (enum milestone_kind)i;
	return i >= 0;
}

const char *milestone_status_name(enum milestone_status s)
{
	return STATUS_NAMES[s];
}

bool milestone_status_parse(const char *name, enum milestone_status *out)
{
	const int i = field_enum_index(STATUS_NAMES, COUNT(STATUS_NAMES), name);
	if (i >= 0)
		*out = (enum milestone_status)i;
	return i >= 0;
}

static void check_range(const char *date, const char *end_date, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", _("Give the date as YYYY-MM-DD."));
	if (end_date && clock_parse_date(end_date, &y, &m, &d) != 0)
		error_field(e, "end_date", _("Give the end date as YYYY-MM-DD, or leave it out."));
	else if (end_date && date && strcmp(end_date, date) < 0)
		error_field(e, "end_date", _("The end date comes before the start date."));
}

int milestone_insert(struct db *db, int64_t process_id, const char *date, const char *end_date, const char *title,
		     enum milestone_kind kind, int64_t *id, struct error *e)
{
	check_range(date, end_date, e);
	if (!title || !*title)
		error_field(e, "title", _("Say what happens on this date."));
	if (e->code)
		return -1;
	static const char sql[] =
		"INSERT INTO milestone (process_id, date, end_date, title, kind) VALUES (?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, end_date);
	db_bind_text(st, 4, title);
	db_bind_text(st, 5, milestone_kind_name(kind));
	if (db_insert_id(st, id, e) != 0)
		return -1;
	return 0;
}

int milestone_record_move(struct db *db, int64_t milestone_id, const char *moved_on, const char *from_date,
			  const char *from_end_date, const char *from_label, const char *reason, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(moved_on, &y, &m, &d) != 0)
		error_field(e, "moved_on", _("Give the date of the move as YYYY-MM-DD."));
	if (!reason || !*reason)
		error_field(e, "reason", _("Say why the milestone moved."));
	if (!from_date && !from_label)
		error_field(e, "from", _("Say where the milestone was before."));
	if (e->code)
		return -1;
	static const char sql[] =
		"INSERT INTO milestone_move (milestone_id, moved_on, from_date, from_end_date, from_label, "
		"to_date, to_end_date, reason) "
		"SELECT id, ?2, ?3, ?4, ?5, date, end_date, ?6 FROM milestone WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, milestone_id);
	db_bind_text(st, 2, moved_on);
	db_bind_text(st, 3, from_date);
	db_bind_text(st, 4, from_end_date);
	db_bind_text(st, 5, from_label);
	db_bind_text(st, 6, reason);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	/* its calendar event changed: SEQUENCE (023_feeds.sql) */
	static const char sql_sequence[] = "UPDATE milestone SET sequence = sequence + 1 WHERE id = ?";
	if (!(st = db_stmt(db, sql_sequence, e)))
		return -1;
	db_bind_int(st, 1, milestone_id);
	return db_exec_stmt(st, e);
}

static int milestone_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct milestone *ms = element;
	bool failed = false;
	ms->id = db_col_int(st, 0);
	ms->date = db_col_dup(st, 1, a, &failed);
	ms->end_date = db_col_dup(st, 2, a, &failed);
	ms->title = db_col_dup(st, 3, a, &failed);
	if (!milestone_kind_parse(db_col_text(st, 4), &ms->kind) ||
	    !milestone_status_parse(db_col_text(st, 5), &ms->status))
		return DB_FILL_UNKNOWN;
	ms->process_id = db_col_int(st, 6);
	ms->call_id = db_col_int(st, 7);
	ms->sequence = (int)db_col_int(st, 8);
	ms->changed_at = db_col_int(st, 9);
	return failed ? -1 : 0;
}

static int move_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct milestone_move *h = element;
	bool failed = false;
	h->id = db_col_int(st, 0);
	h->moved_on = db_col_dup(st, 1, a, &failed);
	h->from_date = db_col_dup(st, 2, a, &failed);
	h->from_end_date = db_col_dup(st, 3, a, &failed);
	h->from_label = db_col_dup(st, 4, a, &failed);
	h->to_date = db_col_dup(st, 5, a, &failed);
	h->to_end_date = db_col_dup(st, 6, a, &failed);
	h->reason = db_col_dup(st, 7, a, &failed);
	h->moved_at = db_col_int(st, 8);
	return failed ? -1 : 0;
}

/* A date in zone for a change of a call's deadline: the announced date, else the instant's day there. */
static const char *deadline_date(struct arena *a, const char *timezone, const char *on, int64_t at)
{
	char day[11];
	if (on)
		return on;
	return tz_date_at(timezone, at, day) == 0 ? arena_strdup(a, day) : NULL;
}

/* Adds the changes of c's deadline to ms's moves (already loaded, oldest first), each where it falls by its day:
 * the milestone of a call's deadline moves with the call, and the call's changes of its deadline are its history
 * (one entry each, with the call's reason). */
static int milestone_add_call_moves(struct arena *a, struct milestone *ms, const struct call *c, struct error *e)
{
	int cap = ms->nhistory;
	for (int i = 0; i < c->nhistory; i++) {
		const struct call_change *x = &c->history[i];
		if (x->kind == CHANGE_OPEN)
			continue; /* the opening moves no deadline */
		struct milestone_move mv = {
			.id = x->id,
			.moved_on = deadline_date(a, c->timezone, NULL, x->changed_at),
			.from_date = deadline_date(a, c->timezone, x->from_closes_on, x->from_closes_at),
			.to_date = deadline_date(a, c->timezone, x->to_closes_on, x->to_closes_at),
			.reason = x->reason,
			.moved_at = x->changed_at,
		};
		if (!mv.moved_on || !mv.from_date || !mv.to_date) {
			error_set(e, ERROR_INTERNAL, "The process's time zone %s is unknown.", c->timezone);
			return -1;
		}
		struct milestone_move *slot =
			arena_push(a, (void **)&ms->history, &ms->nhistory, &cap, sizeof *ms->history);
		if (!slot) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		/* oldest first: after every move of the same day or before */
		int k = ms->nhistory - 1;
		while (k > 0 && strcmp(ms->history[k - 1].moved_on, mv.moved_on) > 0) {
			ms->history[k] = ms->history[k - 1];
			k--;
		}
		ms->history[k] = mv;
	}
	return 0;
}

/* Loads the moves of ms, oldest first (milestone_find(); milestone_list() loads every milestone's at once). */
static int milestone_history(struct db *db, struct arena *a, struct milestone *ms, struct error *e)
{
	static const char sql_moves[] =
		"SELECT id, moved_on, from_date, from_end_date, from_label, to_date, to_end_date, reason, moved_at "
		"FROM milestone_move WHERE milestone_id = ? ORDER BY moved_on, id";
	struct db_stmt *st = db_stmt(db, sql_moves, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, ms->id);
	ms->history = NULL;
	ms->nhistory = 0;
	if (db_collect(st, a, (void **)&ms->history, &ms->nhistory, sizeof *ms->history, move_from_row, e) != 0)
		return -1;
	if (!ms->call_id)
		return 0;
	struct call c;
	if (call_find(db, a, ms->call_id, &c, e) != 0 || call_history(db, a, &c, e) != 0)
		return -1;
	return milestone_add_call_moves(a, ms, &c, e);
}

int milestone_list(struct db *db, struct arena *a, int64_t process_id, struct milestone **out, int *n,
		   struct error *e)
{
	static const char sql[] = "SELECT m.id, m.date, m.end_date, m.title, m.kind, m.status, m.process_id, c.id, m.sequence, "
				  "m.changed_at "
				  "FROM milestone m LEFT JOIN call c ON c.milestone_id = m.id "
				  "WHERE m.process_id = ? ORDER BY m.date, m.id";
	/* milestone_history()'s moves of every milestone of the process, then the milestone (the parent) */
	static const char sql_moves[] =
		"SELECT mm.id, mm.moved_on, mm.from_date, mm.from_end_date, mm.from_label, mm.to_date, mm.to_end_date, "
		"mm.reason, mm.moved_at, mm.milestone_id FROM milestone_move mm JOIN milestone m ON m.id = mm.milestone_id "
		"WHERE m.process_id = ? ORDER BY mm.milestone_id, mm.moved_on, mm.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	if (db_collect(st, a, (void **)out, n, sizeof **out, milestone_from_row, e) != 0)
		return -1;
	if (*n == 0)
		return 0;
	/* A fixed number of statements, however many milestones: each is a round trip on PostgreSQL. */
	struct milestone *ms = *out;
	struct call *calls = arena_alloc(a, sizeof *calls * (size_t)*n); /* the deadlines' calls, ncalls of them */
	if (!calls) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	int ncalls = 0;
	for (int i = 0; i < *n; i++)
		if (ms[i].call_id)
			calls[ncalls++].id = ms[i].call_id;
	if (!(st = db_stmt(db, sql_moves, e)))
		return -1;
	db_bind_int(st, 1, process_id);
	const struct db_children c = {ms, *n, sizeof *ms, offsetof(struct milestone, id), offsetof(struct milestone, history),
				      offsetof(struct milestone, nhistory), 9};
	if (db_collect_children(st, a, &c, sizeof *ms->history, move_from_row, e) != 0)
		return -1;
	if (ncalls == 0)
		return 0;
	/* A deadline's call is in the milestone's process (call_link_milestone()), so in its time zone. */
	struct process p;
	if (process_find_id_bare(db, a, process_id, &p, e) != 0 ||
	    call_history_all(db, a, process_id, calls, ncalls, e) != 0)
		return -1;
	for (int i = 0, k = 0; i < *n; i++)
		if (ms[i].call_id) {
			calls[k].timezone = p.timezone;
			if (milestone_add_call_moves(a, &ms[i], &calls[k++], e) != 0)
				return -1;
		}
	return 0;
}

void milestone_format_range_in(const char *lang, const char *date, const char *end_date, char out[MILESTONE_RANGE_LEN])
{
	char a[I18N_DATE_LEN], b[I18N_DATE_LEN];
	i18n_date_long(lang, date, a);
	if (!end_date || strcmp(date, end_date) == 0) {
		snprintf(out, MILESTONE_RANGE_LEN, "%s", a);
		return;
	}
	i18n_date_long(lang, end_date, b);
	const char *l = lang ? lang : i18n_current();
	const bool house = !l || !strcmp(l, I18N_DEFAULT) || !strcmp(l, I18N_PSEUDO);
	int y1, m1, d1, y2, m2, d2;
	/* The short form "8–18 June 2021" is English's; other languages get both days whole (ICU's forms). */
	if (house && clock_parse_date(date, &y1, &m1, &d1) == 0 && clock_parse_date(end_date, &y2, &m2, &d2) == 0 &&
	    y1 == y2 && m1 == m2)
		snprintf(out, MILESTONE_RANGE_LEN, "%d\u2013%s", d1, b); /* 8–18 June 2021 */
	else
		snprintf(out, MILESTONE_RANGE_LEN, "%s \u2013 %s", a, b);
}

void milestone_format_range(const char *date, const char *end_date, char out[MILESTONE_RANGE_LEN])
{
	milestone_format_range_in(NULL, date, end_date, out);
}

int milestone_find(struct db *db, struct arena *a, int64_t id, struct milestone *out, struct error *e)
{
	static const char sql[] = "SELECT m.id, m.date, m.end_date, m.title, m.kind, m.status, m.process_id, c.id, m.sequence, "
				  "m.changed_at "
				  "FROM milestone m LEFT JOIN call c ON c.milestone_id = m.id WHERE m.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	if (db_collect_one(st, a, out, milestone_from_row, "There is no such milestone.", e) != 0)
		return -1;
	return milestone_history(db, a, out, e);
}

/* -- the back office ---------------------------------------------------- */

static json_t *milestone_audit_json(const struct milestone *ms)
{
	return json_pack("{s:s,s:o,s:s,s:s,s:s}", "date", ms->date, "end_date",
			 ms->end_date ? json_string(ms->end_date) : json_null(), "title", ms->title, "kind",
			 milestone_kind_name(ms->kind), "status", milestone_status_name(ms->status));
}

static const char *milestone_object(struct arena *a, int64_t id)
{
	return arena_printf(a, "milestone:%lld", (long long)id);
}

/* An empty end date, or one equal to the start, is a single day: stored as NULL. */
static const char *single_day(const char *date, const char *end_date)
{
	if (!end_date || !*end_date || (date && !strcmp(date, end_date)))
		return NULL;
	return end_date;
}

/* Subjects of notices are short: the milestone's title is cut at 80 bytes (at a character boundary). */
static const char *short_title(struct arena *a, const char *title)
{
	size_t n = strlen(title);
	if (n <= 80)
		return title;
	n = 80;
	while (n > 0 && ((unsigned char)title[n] & 0xC0) == 0x80)
		n--;
	return arena_printf(a, "%.*s\u2026", (int)n, title);
}

/* What a notice to the subscribers says of a change of the schedule. */
enum milestone_news_kind { NEWS_ADDED, NEWS_POSTPONED, NEWS_CANCELLED, NEWS_MOVED };
struct milestone_news {
	const struct milestone *ms;
	const struct process *p;
	enum milestone_news_kind kind;
	const char *from, *to, *reason; /* of a move */
};

/* A change of the schedule's notice in the thread's language (subscription_compose). */
static int milestone_news_compose(struct arena *a, const void *ctx, const char **subject, const char **body)
{
	const struct milestone_news *n = ctx;
	const char *title = short_title(a, n->ms->title);
	const char *what = NULL;
	switch (n->kind) {
	case NEWS_ADDED:
		/* TRANSLATORS: a notice's subject: a date was added to the schedule; %s is its title. */
		*subject = arena_printf(a, _("Schedule: %s"), title);
		what = _("A date has been added to the schedule.");
		break;
	case NEWS_POSTPONED:
		*subject = arena_printf(a, _("Postponed: %s"), title);
		what = _("This date is postponed; a new date will follow.");
		break;
	case NEWS_CANCELLED:
		/* TRANSLATORS: a notice's subject: a milestone (a date of the schedule) is cancelled; %s is its title.
		 */
		*subject = arena_printf(a, C_("milestone", "Cancelled: %s"), title);
		what = _("This date is cancelled.");
		break;
	case NEWS_MOVED:
		*subject = arena_printf(a, _("Schedule changed: %s"), title);
		what = arena_printf(a, _("Moved from %1$s to %2$s: %3$s"), n->from, n->to, n->reason);
		break;
	}
	char when[MILESTONE_RANGE_LEN];
	milestone_format_range(n->ms->date, n->ms->end_date, when);
	*body = what ? arena_printf(a,
	                            _("The schedule of \"%s\" has changed.\n\n%s\n\n%s: %s\n\n"
	                              "The schedule: %s/processes/%s#milestone-%lld\n"),
	                            n->p->title, what, when, n->ms->title, config_get()->public_url, n->p->slug,
	                            (long long)n->ms->id)
	             : NULL;
	return *subject && *body ? 0 : -1;
}

/* The notice to subscribers about a change of the schedule. */
static int milestone_notice(struct db *db, struct arena *a, const struct milestone *ms, enum milestone_news_kind kind,
                            const char *from, const char *to, const char *reason, struct error *e)
{
	struct process p;
	if (process_find_id(db, a, ms->process_id, &p, e) != 0)
		return -1;
	const struct milestone_news news = {.ms = ms, .p = &p, .kind = kind, .from = from, .to = to, .reason = reason};
	return subscription_notify(db, a, ms->process_id, milestone_news_compose, &news, e);
}

int milestone_add(struct db *db, struct arena *a, const struct actor *who, int64_t process_id,
		  const struct milestone_input *in, int64_t *id, struct error *e)
{
	const char *date = field_trimmed(a, in->date);
	const char *end_date = single_day(date, field_trimmed(a, in->end_date));
	const char *title = field_trimmed(a, in->title);
	enum milestone_kind kind = MILESTONE_OTHER;
	if (!date || !*date)
		error_field(e, "date", _("Give the date as YYYY-MM-DD."));
	else
		check_range(date, end_date, e);
	field_check_line(e, "title", title, true, LIMIT_TITLE, N_("what happens on this date"));
	if (!milestone_kind_parse(field_trimmed(a, in->kind), &kind))
		error_field(e, "kind", _("Use one of version, meeting, deadline, presentation, other."));
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct milestone ms;
	if (milestone_insert(db, process_id, date, end_date, title, kind, id, e) != 0 ||
	    milestone_find(db, a, *id, &ms, e) != 0 ||
	    audit_record(db, who, process_id, "milestone.add", milestone_object(a, *id), NULL,
	                 audit_json(a, milestone_audit_json(&ms)), e) != 0 ||
	    milestone_notice(db, a, &ms, NEWS_ADDED, NULL, NULL, NULL, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int milestone_update(struct db *db, struct arena *a, const struct actor *who, int64_t id,
		     const struct milestone_input *in, struct error *e)
{
	const char *title = field_trimmed(a, in->title);
	const char *kind_name = field_trimmed(a, in->kind);
	const char *status_name = field_trimmed(a, in->status);
	enum milestone_kind kind = MILESTONE_OTHER;
	enum milestone_status status = MILESTONE_PLANNED;
	if (in->date || in->end_date)
		error_field(e, in->date ? "date" : "end_date",
		            _("A new date is a move: move the milestone, and say why."));
	if (title)
		field_check_line(e, "title", title, true, LIMIT_TITLE, N_("what happens on this date"));
	if (kind_name && !milestone_kind_parse(kind_name, &kind))
		error_field(e, "kind", _("Use one of version, meeting, deadline, presentation, other."));
	if (status_name && !milestone_status_parse(status_name, &status))
		error_field(e, "status", _("Use one of planned, done, postponed, cancelled."));
	if (!e->code && !title && !kind_name && !status_name)
		error_set(e, ERROR_INVALID, _("Give a new title, kind or status."));
	if (e->code)
		return -1;
	/* A change its calendar event shows: SEQUENCE and LAST-MODIFIED follow (023_feeds.sql); nothing is kept
	 * when nothing changed (rolled back below). */
	static const char sql[] = "UPDATE milestone SET title = coalesce(?, title), kind = coalesce(?, kind), "
				  "status = coalesce(?, status), sequence = sequence + 1, changed_at = ? WHERE id = ?";
	if (db_begin(db, e) != 0)
		return -1;
	struct milestone before, after;
	if (milestone_find(db, a, id, &before, e) != 0)
		goto fail;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, title);
	db_bind_text(st, 2, kind_name ? milestone_kind_name(kind) : NULL);
	db_bind_text(st, 3, status_name ? milestone_status_name(status) : NULL);
	db_bind_int(st, 4, clock_now());
	db_bind_int(st, 5, id);
	if (db_exec_stmt(st, e) != 0 || milestone_find(db, a, id, &after, e) != 0)
		goto fail;
	const char *was = audit_json(a, milestone_audit_json(&before)), *is = audit_json(a, milestone_audit_json(&after));
	if (was && is && !strcmp(was, is)) {
		db_rollback(db); /* as it was: nothing to record */
		return 0;
	}
	const bool status_only = !strcmp(before.title, after.title) && before.kind == after.kind;
	if (audit_record(db, who, before.process_id, status_only ? "milestone.status" : "milestone.update",
			 milestone_object(a, id), was, is, e) != 0)
		goto fail;
	if (before.status != after.status &&
	    (after.status == MILESTONE_POSTPONED || after.status == MILESTONE_CANCELLED)) {
		const bool postponed = after.status == MILESTONE_POSTPONED;
		if (milestone_notice(db, a, &after, postponed ? NEWS_POSTPONED : NEWS_CANCELLED, NULL, NULL, NULL, e) !=
		    0)
			goto fail;
	}
	if (db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int milestone_set_status(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *status,
			 struct error *e)
{
	if (!status || !*status) {
		error_field(e, "status", _("Use one of planned, done, postponed, cancelled."));
		return -1;
	}
	struct milestone_input in = {.status = status};
	return milestone_update(db, a, who, id, &in, e);
}

int milestone_move(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *date,
		   const char *end_date, const char *reason, struct error *e)
{
	date = field_trimmed(a, date);
	end_date = single_day(date, field_trimmed(a, end_date));
	reason = field_trimmed(a, reason);
	if (!date || !*date)
		error_field(e, "date", _("Give the new date as YYYY-MM-DD."));
	else
		check_range(date, end_date, e);
	field_check_text(e, "reason", reason, true, LIMIT_REASON,
	                 N_("the reason for the move; it is published with it"));
	if (e->code)
		return -1;
	/* The milestone of a call's deadline is that deadline: moving it changes the call through call_change(),
	 * which moves the milestone in the same transaction and keeps the one history entry (the call's). */
	struct call linked;
	struct error lookup;
	error_clear(&lookup);
	if (call_find_milestone(db, a, id, &linked, &lookup) == 0) {
		if (end_date) {
			error_field(e, "end_date",
			            _("This milestone is the deadline of a call, which is one day: leave "
			              "the end date out."));
			return -1;
		}
		const struct call_change_input change = {.closes_on = date, .reason = reason};
		if (call_change(db, a, who, linked.id, &change, e) != 0) {
			for (int i = 0; i < e->nfields; i++) /* the form the secretariat filled in calls it date */
				if (!strcmp(e->fields[i].name, "closes_on"))
					snprintf(e->fields[i].name, sizeof e->fields[i].name, "%s", "date");
			return -1;
		}
		return 0;
	}
	if (strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
		*e = lookup;
		return -1;
	}
	static const char sql_move[] =
		"INSERT INTO milestone_move (milestone_id, moved_on, from_date, from_end_date, to_date, to_end_date, "
		"reason, account_id, moved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	/* A postponed milestone that has a new date is planned again. */
	static const char sql[] = "UPDATE milestone SET date = ?, end_date = ?, "
				  "status = CASE status WHEN 'postponed' THEN 'planned' ELSE status END, "
				  "sequence = sequence + 1, changed_at = ? WHERE id = ?";
	if (db_begin(db, e) != 0)
		return -1;
	struct milestone before, after;
	struct process p;
	char today[11];
	if (milestone_find(db, a, id, &before, e) != 0 || process_find_id(db, a, before.process_id, &p, e) != 0)
		goto fail;
	if (!strcmp(before.date, date) && !before.end_date == !end_date &&
	    (!end_date || !strcmp(before.end_date, end_date))) {
		error_field(e, "date", _("The milestone is already on these dates."));
		goto fail;
	}
	if (tz_date_at(p.timezone, clock_now(), today) != 0) {
		error_set(e, ERROR_INTERNAL, "The process's time zone %s is unknown.", p.timezone);
		goto fail;
	}
	struct db_stmt *st = db_stmt(db, sql_move, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, today);
	db_bind_text(st, 3, before.date);
	db_bind_text(st, 4, before.end_date);
	db_bind_text(st, 5, date);
	db_bind_text(st, 6, end_date);
	db_bind_text(st, 7, reason);
	if (who->account_id)
		db_bind_int(st, 8, who->account_id);
	else
		db_bind_null(st, 8);
	const int64_t now = clock_now();
	db_bind_int(st, 9, now);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, date);
	db_bind_text(st, 2, end_date);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, id);
	if (db_exec_stmt(st, e) != 0 || milestone_find(db, a, id, &after, e) != 0)
		goto fail;
	json_t *was = milestone_audit_json(&before), *is = milestone_audit_json(&after);
	json_object_set_new(is, "reason", json_string(reason));
	char from[MILESTONE_RANGE_LEN], to[MILESTONE_RANGE_LEN];
	milestone_format_range(before.date, before.end_date, from);
	milestone_format_range(after.date, after.end_date, to);
	if (audit_record(db, who, before.process_id, "milestone.move", milestone_object(a, id), audit_json(a, was),
	                 audit_json(a, is), e) != 0 ||
	    milestone_notice(db, a, &after, NEWS_MOVED, from, to, reason, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

enum milestone_when milestone_when(const struct milestone *m, const char *today)
{
	if (m->status == MILESTONE_DONE)
		return MILESTONE_PAST;
	if (!today || !*today)
		return MILESTONE_TO_COME;
	/* Dates in this form compare as text. */
	if (strcmp(m->end_date ? m->end_date : m->date, today) < 0)
		return MILESTONE_PAST;
	return strcmp(m->date, today) <= 0 ? MILESTONE_UNDER_WAY : MILESTONE_TO_COME;
}
