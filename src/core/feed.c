/* feed — see feed.h. */
#include "core/feed.h"

#include "core/call.h"
#include "core/config.h"
#include "core/limits.h"
#include "core/meeting.h"
#include "core/milestone.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entries as they are gathered, kind by kind, each kind its newest LIMIT_FEED_ENTRIES. */
struct gather {
	struct arena *a;
	struct atom_entry *items;
	int n, cap;
	const struct process *p;
	bool failed; /* memory ran out */
};

static struct atom_entry *gather_add(struct gather *g)
{
	struct atom_entry *x = arena_push(g->a, (void **)&g->items, &g->n, &g->cap, sizeof *g->items);
	if (!x)
		g->failed = true;
	return x;
}

const char *feed_authority(struct arena *a)
{
	char host[256];
	atom_tag_authority(config_get()->public_url, host, sizeof host);
	return arena_strdup(a, host);
}

/* The instant a date ("YYYY-MM-DD") begins in zone tzid, for the entries that have only a date (a letter, a
 * move recorded with its day only); 0 if it cannot be read. */
static int64_t day_start(const char *tzid, const char *date)
{
	int y, m, d;
	int64_t t;
	if (!date || clock_parse_date(date, &y, &m, &d) != 0 || tz_local_to_utc(tzid, y, m, d, 0, 0, 0, &t) != 0)
		return 0;
	return t;
}

/* A date as the feed's reader reads it: in the thread's language (the feed's, chosen by web/page_feed.c). */
static const char *long_date(struct arena *a, const char *date)
{
	char out[I18N_DATE_LEN];
	i18n_date_long(NULL, date, out);
	return arena_strdup(a, out);
}

static int gather_versions(struct db *db, struct gather *g, struct error *e)
{
	static const char sql[] = "SELECT v.id, v.label, v.date, v.note, d.title, v.posted_at "
	                          "FROM version v JOIN document d ON d.id = v.document_id "
	                          "WHERE d.process_id = ? AND v.state = 'published' "
	                          "ORDER BY v.posted_at DESC, v.id DESC LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, g->p->id);
	db_bind_int(st, 2, LIMIT_FEED_ENTRIES);
	enum db_step s;
	while ((s = db_step(st, e)) == DB_ROW) {
		struct atom_entry *x = gather_add(g);
		if (!x)
			break;
		const int64_t id = db_col_int(st, 0);
		x->id = arena_printf(g->a, "version/%lld", (long long)id);
		/* TRANSLATORS: a feed's entry: %1$s a document's title, %2$s the version's label, %3$s its date. */
		x->title = arena_printf(g->a, _("New version: %1$s, %2$s of %3$s"), db_col_text(st, 4),
		                        db_col_text(st, 1), long_date(g->a, db_col_text(st, 2)));
		x->summary = arena_strdup(g->a, db_col_text(st, 3));
		x->path = arena_printf(g->a, "/versions/%lld", (long long)id);
		x->category = "version";
		x->updated = db_col_int(st, 5);
	}
	db_reset(st);
	return s == DB_FAIL ? -1 : 0;
}

static int gather_letters(struct db *db, struct gather *g, struct error *e)
{
	static const char sql[] = "SELECT id, reference, date, subject FROM circular WHERE process_id = ? "
	                          "ORDER BY date DESC, id DESC LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, g->p->id);
	db_bind_int(st, 2, LIMIT_FEED_ENTRIES);
	enum db_step s;
	while ((s = db_step(st, e)) == DB_ROW) {
		struct atom_entry *x = gather_add(g);
		if (!x)
			break;
		x->id = arena_printf(g->a, "circular/%lld", (long long)db_col_int(st, 0));
		/* TRANSLATORS: a feed's entry: %1$s a letter's reference (CL-21/03), %2$s its subject. */
		x->title = arena_printf(g->a, _("Circular letter %1$s: %2$s"), db_col_text(st, 1), db_col_text(st, 3));
		/* TRANSLATORS: a feed's entry: %1$s a letter's reference, %2$s its date, %3$s its subject. */
		x->summary = arena_printf(g->a, _("Circular letter %1$s of %2$s: %3$s"), db_col_text(st, 1),
		                          long_date(g->a, db_col_text(st, 2)), db_col_text(st, 3));
		x->path = arena_printf(g->a, "/processes/%s#letters", g->p->slug);
		x->category = "letter";
		x->updated = day_start(g->p->timezone, db_col_text(st, 2));
	}
	db_reset(st);
	return s == DB_FAIL ? -1 : 0;
}

static int gather_moves(struct db *db, struct gather *g, struct error *e)
{
	static const char sql[] =
	    "SELECT mm.id, m.id, m.title, mm.moved_on, mm.from_date, mm.from_end_date, mm.from_label, mm.to_date, "
	    "mm.to_end_date, mm.reason, mm.moved_at FROM milestone_move mm JOIN milestone m ON m.id = mm.milestone_id "
	    "WHERE m.process_id = ? ORDER BY mm.moved_on DESC, mm.id DESC LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, g->p->id);
	db_bind_int(st, 2, LIMIT_FEED_ENTRIES);
	enum db_step s;
	while ((s = db_step(st, e)) == DB_ROW) {
		struct atom_entry *x = gather_add(g);
		if (!x)
			break;
		char from[MILESTONE_RANGE_LEN], to[MILESTONE_RANGE_LEN];
		if (db_col_text(st, 4))
			milestone_format_range_in(NULL, db_col_text(st, 4), db_col_text(st, 5), from);
		else
			snprintf(from, sizeof from, "%s", db_col_text(st, 6) ? db_col_text(st, 6) : "");
		milestone_format_range_in(NULL, db_col_text(st, 7), db_col_text(st, 8), to);
		x->id = arena_printf(g->a, "milestone-move/%lld", (long long)db_col_int(st, 0));
		/* TRANSLATORS: a feed's entry: a milestone moved; %1$s its new date, %2$s its title. */
		x->title = arena_printf(g->a, _("Moved to %1$s: %2$s"), to, db_col_text(st, 2));
		x->summary = arena_printf(g->a, _("Moved from %1$s to %2$s: %3$s"), from, to, db_col_text(st, 9));
		x->path = arena_printf(g->a, "/processes/%s#milestone-%lld", g->p->slug, (long long)db_col_int(st, 1));
		x->category = "schedule";
		x->updated = db_col_null(st, 10) ? day_start(g->p->timezone, db_col_text(st, 3)) : db_col_int(st, 10);
	}
	db_reset(st);
	return s == DB_FAIL ? -1 : 0;
}

/* The changes of a milestone's status (cancelled, postponed, planned again, done), read from the audit log, where
 * each is kept with its instant and its before and after (milestone_update()). */
static int gather_status_changes(struct db *db, struct gather *g, struct error *e)
{
	static const char sql[] = "SELECT id, at, object, before, after FROM audit WHERE process_id = ? "
	                          "AND kind IN ('milestone.status', 'milestone.update') ORDER BY id DESC LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, g->p->id);
	db_bind_int(st, 2, LIMIT_FEED_ENTRIES);
	enum db_step s;
	while ((s = db_step(st, e)) == DB_ROW) {
		json_t *was = json_loads(db_col_text(st, 3) ? db_col_text(st, 3) : "", 0, NULL);
		json_t *is = json_loads(db_col_text(st, 4) ? db_col_text(st, 4) : "", 0, NULL);
		const char *before = json_string_value(json_object_get(was, "status"));
		const char *after = json_string_value(json_object_get(is, "status"));
		const char *title = json_string_value(json_object_get(is, "title"));
		enum milestone_status status;
		long long milestone = 0;
		if (before && after && title && strcmp(before, after) != 0 && milestone_status_parse(after, &status) &&
		    sscanf(db_col_text(st, 2), "milestone:%lld", &milestone) == 1) {
			struct atom_entry *x = gather_add(g);
			/* One whole sentence per status, each its translator's (a milestone's: its gender in French).
			 */
			const char *said = "%s";
			switch (status) {
			/* TRANSLATORS: a feed's entry: a milestone (a date of the schedule) planned again; %s its
			 * title. */
			case MILESTONE_PLANNED: said = _("Planned again: %s"); break;
			/* TRANSLATORS: a feed's entry: a milestone has taken place; %s its title. */
			case MILESTONE_DONE: said = _("Done: %s"); break;
			case MILESTONE_POSTPONED: said = _("Postponed: %s"); break;
			case MILESTONE_CANCELLED: said = C_("milestone", "Cancelled: %s"); break;
			}
			if (x) {
				x->id = arena_printf(g->a, "milestone-status/%lld", (long long)db_col_int(st, 0));
				x->title = arena_printf(g->a, said, title);
				x->path = arena_printf(g->a, "/processes/%s#milestone-%lld", g->p->slug, milestone);
				x->category = "schedule";
				x->updated = db_col_int(st, 1);
			}
		}
		json_decref(was);
		json_decref(is);
		if (g->failed)
			break;
	}
	db_reset(st);
	return s == DB_FAIL ? -1 : 0;
}

/* The deadline of a change, as announced: its date, else the instant's day in the zone. */
static const char *change_deadline(struct gather *g, struct db_stmt *st, int on_col, int at_col)
{
	if (db_col_text(st, on_col))
		return long_date(g->a, db_col_text(st, on_col));
	char day[11];
	if (db_col_null(st, at_col) || tz_date_at(g->p->timezone, db_col_int(st, at_col), day) != 0)
		return "";
	return long_date(g->a, day);
}

/* The changes of the deadlines and states of the process's calls, or of call_id's alone (call_id not 0). */
static int gather_call_changes(struct db *db, struct gather *g, int64_t call_id, struct error *e)
{
#define CHANGE_SELECT                                                                                                  \
	"SELECT cc.id, c.id, c.title, cc.kind, cc.changed_at, cc.from_closes_at, cc.to_closes_at, cc.from_closes_on, " \
	"cc.to_closes_on, cc.reason FROM call_change cc JOIN call c ON c.id = cc.call_id "
	static const char sql_process[] =
	    CHANGE_SELECT "WHERE c.process_id = ? ORDER BY cc.changed_at DESC, cc.id DESC "
	                  "LIMIT ?";
	static const char sql_call[] = CHANGE_SELECT "WHERE c.id = ? ORDER BY cc.changed_at DESC, cc.id DESC LIMIT ?";
#undef CHANGE_SELECT
	struct db_stmt *st = db_stmt(db, call_id ? sql_call : sql_process, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id ? call_id : g->p->id);
	db_bind_int(st, 2, LIMIT_FEED_ENTRIES);
	enum db_step s;
	while ((s = db_step(st, e)) == DB_ROW) {
		enum call_change_kind kind;
		if (!call_change_kind_parse(db_col_text(st, 3), &kind)) {
			error_set(e, ERROR_INTERNAL, "A change of a call has the unknown kind %s.", db_col_text(st, 3));
			db_reset(st);
			return -1;
		}
		struct atom_entry *x = gather_add(g);
		if (!x)
			break;
		const char *title = db_col_text(st, 2), *to = change_deadline(g, st, 8, 6);
		switch (kind) {
		/* TRANSLATORS: a feed's entry: %1$s a call's title, %2$s its new deadline. */
		case CHANGE_EXTEND:
			x->title = arena_printf(g->a, _("Deadline extended: %1$s, now %2$s"), title, to);
			break;
		case CHANGE_SHORTEN:
			/* TRANSLATORS: a feed's entry: %1$s a call's title, %2$s its new deadline. */
			x->title = arena_printf(g->a, _("Deadline brought forward: %1$s, now %2$s"), title, to);
			break;
		/* TRANSLATORS: a feed's entry: a call for contributions opened by hand; %s its title. */
		case CHANGE_OPEN: x->title = arena_printf(g->a, _("Call opened: %s"), title); break;
		/* TRANSLATORS: a feed's entry: a call for contributions closed by hand; %s its title. */
		case CHANGE_CLOSE: x->title = arena_printf(g->a, _("Call closed: %s"), title); break;
		}
		const char *from = change_deadline(g, st, 7, 5);
		x->summary =
		    (kind == CHANGE_EXTEND || kind == CHANGE_SHORTEN)
		        /* TRANSLATORS: a feed's entry: %1$s the old deadline, %2$s the new, %3$s the reason given. */
		        ? arena_printf(g->a, _("The deadline moved from %1$s to %2$s: %3$s"), from, to,
		                       db_col_text(st, 9))
		        : arena_strdup(g->a, db_col_text(st, 9));
		x->id = arena_printf(g->a, "call-change/%lld", (long long)db_col_int(st, 0));
		x->path = arena_printf(g->a, "/calls/%lld", (long long)db_col_int(st, 1));
		x->category = "schedule";
		x->updated = db_col_int(st, 4);
	}
	db_reset(st);
	return s == DB_FAIL ? -1 : 0;
}

/* Call call_id's newest published, not private contributions, by the (call_id, id) index: the order of
 * arrival, which is close to that of publication (the entries are sorted by `updated` afterwards). Only the
 * start of the text is read. */
static int gather_contributions(struct db *db, struct gather *g, int64_t call_id, struct error *e)
{
	static const char sql[] =
	    "SELECT c.tracking, c.name, c.organization, c.publication, substr(c.text, 1, ?3), "
	    "CASE WHEN length(c.text) > ?3 THEN 1 ELSE 0 END, c.received_at, c.moderated_at, l.title, g.name, g.slug "
	    "FROM contribution c JOIN call l ON l.id = c.call_id JOIN category g ON g.id = c.category_id "
	    "WHERE c.call_id = ?1 AND c.state = 'published' AND c.publication <> 'private' "
	    "ORDER BY c.id DESC LIMIT ?2";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_int(st, 2, LIMIT_FEED_ENTRIES);
	db_bind_int(st, 3, LIMIT_FEED_SUMMARY);
	enum db_step s;
	while ((s = db_step(st, e)) == DB_ROW) {
		struct atom_entry *x = gather_add(g);
		if (!x)
			break;
		const char *tracking = db_col_text(st, 0), *org = db_col_text(st, 2);
		const bool named = !strcmp(db_col_text(st, 3), "named");
		x->id = arena_printf(g->a, "contribution/%s", tracking);
		x->author = named
		                ? (org && *org ? arena_printf(g->a, "%s, %s", db_col_text(st, 1), org)
		                               : arena_strdup(g->a, db_col_text(st, 1)))
		                /* TRANSLATORS: a feed's author: an anonymous sender; %s their stakeholder category. */
		                : arena_printf(g->a, _("Anonymous (%s)"),
		                               process_category_name(g->p, db_col_text(st, 10), db_col_text(st, 9)));
		/* TRANSLATORS: a feed's entry: %1$s a contribution's tracking number, %2$s the call's title. */
		x->title = arena_printf(g->a, _("Contribution %1$s to %2$s"), tracking, db_col_text(st, 8));
		x->summary = arena_printf(g->a, "%s%s", db_col_text(st, 4), db_col_int(st, 5) ? "\u2026" : "");
		x->path = arena_printf(g->a, "/contributions/%s", tracking);
		x->category = "contribution";
		/* published when received, or when the secretariat published it after review */
		const int64_t received = db_col_int(st, 6), moderated = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
		x->updated = moderated > received ? moderated : received;
	}
	db_reset(st);
	return s == DB_FAIL ? -1 : 0;
}

static int entry_newer_first(const void *pa, const void *pb)
{
	const struct atom_entry *x = pa, *y = pb;
	if (x->updated != y->updated)
		return x->updated > y->updated ? -1 : 1;
	return -strcmp(x->id, y->id); /* a stable order for equal instants */
}

/* When process id was created (UTC seconds), or -1 with e filled. */
static int64_t process_created(struct db *db, int64_t id, struct error *e)
{
	static const char sql[] = "SELECT created_at FROM process WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	const enum db_step step = db_step(st, e);
	const int64_t t = step == DB_ROW ? db_col_int(st, 0) : step == DB_FAIL ? -1 : 0;
	db_reset(st);
	return t;
}

/* Sorts g's entries, keeps the newest LIMIT_FEED_ENTRIES and fills out's common parts. */
static int gather_finish(struct db *db, struct gather *g, struct atom_feed *out, struct error *e)
{
	if (g->failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (g->n)
		qsort(g->items, (size_t)g->n, sizeof *g->items, entry_newer_first);
	out->entries = g->items;
	out->n = g->n < LIMIT_FEED_ENTRIES ? g->n : LIMIT_FEED_ENTRIES;
	out->updated = out->n ? g->items[0].updated : process_created(db, g->p->id, e);
	out->lang = i18n_current() ? i18n_current() : I18N_DEFAULT;
	out->author = g->p->body && *g->p->body ? g->p->body : g->p->title;
	return out->updated < 0 ? -1 : 0;
}

static int feed_begin(struct db *db, struct arena *a, const char *slug, struct process *p, struct gather *g,
                      struct error *e)
{
	if (process_find(db, a, slug, p, e) != 0)
		return -1;
	*g = (struct gather){.a = a, .p = p};
	return 0;
}

int feed_process_news(struct db *db, struct arena *a, const char *slug, struct atom_feed *out, struct error *e)
{
	struct process *p = arena_alloc(a, sizeof *p);
	struct gather g;
	if (!p) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (feed_begin(db, a, slug, p, &g, e) != 0 || gather_versions(db, &g, e) != 0 ||
	    gather_letters(db, &g, e) != 0 || gather_moves(db, &g, e) != 0 || gather_status_changes(db, &g, e) != 0 ||
	    gather_call_changes(db, &g, 0, e) != 0 || gather_finish(db, &g, out, e) != 0)
		return -1;
	out->id = arena_printf(a, "process/%s/feed", p->slug);
	/* TRANSLATORS: a feed's title; %s a consultation process's title. */
	out->title = arena_printf(a, _("%s: news"), p->title);
	out->subtitle = arena_printf(a,
	                             _("New versions, circular letters and changes of the schedule, the newest %d. A "
	                               "feed tells what is new; the process's page keeps everything."),
	                             LIMIT_FEED_ENTRIES);
	out->path = arena_printf(a, "/processes/%s", p->slug);
	out->self_path = arena_printf(a, "/processes/%s/feed.atom", p->slug);
	return 0;
}

int feed_process_contributions(struct db *db, struct arena *a, const char *slug, struct atom_feed *out, struct error *e)
{
	struct process *p = arena_alloc(a, sizeof *p);
	struct gather g;
	struct call *calls = NULL;
	int ncalls = 0;
	if (!p) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (feed_begin(db, a, slug, p, &g, e) != 0 || call_list(db, a, p->id, &calls, &ncalls, e) != 0)
		return -1;
	for (int i = 0; i < ncalls; i++)
		if (gather_contributions(db, &g, calls[i].id, e) != 0)
			return -1;
	if (gather_finish(db, &g, out, e) != 0)
		return -1;
	out->id = arena_printf(a, "process/%s/contributions", p->slug);
	/* TRANSLATORS: a feed's title; %s a consultation process's title. */
	out->title = arena_printf(a, _("%s: published contributions"), p->title);
	out->subtitle =
	    arena_printf(a,
	                 _("The newest %d published contributions to the calls of this consultation, the start of "
	                   "each. A feed tells what is new; each call's list of contributions keeps them all."),
	                 LIMIT_FEED_ENTRIES);
	out->path = arena_printf(a, "/processes/%s#calls", p->slug);
	out->self_path = arena_printf(a, "/processes/%s/contributions.atom", p->slug);
	return 0;
}

int feed_call(struct db *db, struct arena *a, int64_t call_id, struct atom_feed *out, struct error *e)
{
	struct call c;
	struct process *p = arena_alloc(a, sizeof *p);
	if (!p) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (call_find(db, a, call_id, &c, e) != 0 || process_find_id(db, a, c.process_id, p, e) != 0)
		return -1;
	struct gather g = {.a = a, .p = p};
	if (gather_contributions(db, &g, c.id, e) != 0 || gather_call_changes(db, &g, c.id, e) != 0 ||
	    gather_finish(db, &g, out, e) != 0)
		return -1;
	out->id = arena_printf(a, "call/%lld/feed", (long long)c.id);
	/* TRANSLATORS: a call's feed's title: %1$s the process's title, %2$s the call's. */
	out->title = arena_printf(a, _("%1$s: %2$s"), p->title, c.title);
	out->subtitle =
	    arena_printf(a,
	                 _("The newest %d published contributions to this call and the changes of its deadline. A "
	                   "feed tells what is new; the call's list of contributions keeps them all."),
	                 LIMIT_FEED_ENTRIES);
	out->path = arena_printf(a, "/calls/%lld", (long long)c.id);
	out->self_path = arena_printf(a, "/calls/%lld/feed.atom", (long long)c.id);
	return 0;
}

/* The moves of a milestone, one sentence each, oldest first: its event's description says why it is where it is. */
static const char *moves_text(struct arena *a, const struct milestone *m, const char *lead)
{
	const char *text = lead;
	for (int h = 0; text && h < m->nhistory; h++) {
		const struct milestone_move *mv = &m->history[h];
		char from[MILESTONE_RANGE_LEN], to[MILESTONE_RANGE_LEN];
		if (mv->from_date)
			milestone_format_range_in(NULL, mv->from_date, mv->from_end_date, from);
		else
			snprintf(from, sizeof from, "%s", mv->from_label ? mv->from_label : "");
		milestone_format_range_in(NULL, mv->to_date, mv->to_end_date, to);
		/* TRANSLATORS: a calendar event's line: %1$s where a milestone was, %2$s where it is now, %3$s the day
		 * it moved, %4$s why. */
		const char *line = arena_printf(a, _("Moved from %1$s to %2$s on %3$s: %4$s"), from, to,
		                                long_date(a, mv->moved_on), mv->reason);
		text = line ? arena_printf(a, "%s%s%s", text, *text ? "\n" : "", line) : NULL;
	}
	return text;
}

static enum ical_event_status event_status(enum milestone_status s)
{
	switch (s) {
	case MILESTONE_CANCELLED: return ICAL_EVENT_CANCELLED;
	case MILESTONE_POSTPONED: return ICAL_EVENT_TENTATIVE; /* its date is not the one it will have */
	case MILESTONE_PLANNED:
	case MILESTONE_DONE: break;
	}
	return ICAL_EVENT_CONFIRMED;
}

int feed_calendar(struct db *db, struct arena *a, const char *slug, struct ical_calendar *out, struct error *e)
{
	struct process p;
	struct milestone *ms = NULL;
	struct meeting *meetings = NULL;
	struct call *calls = NULL;
	int nms = 0, nmeetings = 0, ncalls = 0;
	if (process_find(db, a, slug, &p, e) != 0 || milestone_list(db, a, p.id, &ms, &nms, e) != 0 ||
	    meeting_list(db, a, p.id, &meetings, &nmeetings, e) != 0 || call_list(db, a, p.id, &calls, &ncalls, e) != 0)
		return -1;
	const int64_t created = process_created(db, p.id, e);
	if (created < 0)
		return -1;
	const char *authority = feed_authority(a), *base = config_get()->public_url;
	struct ical_event *events = arena_alloc(a, sizeof *events * (size_t)(nms + nmeetings + 1));
	if (!events || !authority) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	int n = 0;
	/* A meeting on the schedule (a milestone of kind meeting) and in the list of meetings on the same day is
	 * one event: the milestone's moves, with the meeting's hours, under the meeting's UID, the one of the
	 * invitation its participants hold (core/meeting.c): a participant who also follows this calendar has one
	 * event, not two. Its SEQUENCE is the greater of the two (each only grows), so that a move of either is
	 * an update. Every UID in the calendar is another event's: a milestone's or a meeting's, each once. */
	bool *merged = arena_alloc(a, sizeof *merged * (size_t)(nmeetings + 1));
	if (!merged) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	for (int i = 0; i < nms; i++) {
		const struct milestone *m = &ms[i];
		struct ical_event *x = &events[n++];
		const struct meeting *same = NULL;
		for (int k = 0; k < nmeetings && m->kind == MILESTONE_MEETING && !m->end_date; k++)
			if (!merged[k] && !strcmp(meetings[k].date, m->date)) {
				merged[k] = true;
				same = &meetings[k];
				if (same->starts && same->ends) {
					x->starts = same->starts;
					x->ends = same->ends;
				}
				break;
			}
		x->uid = same ? arena_printf(a, "meeting-%lld@%s", (long long)same->id, authority)
			      : arena_printf(a, "milestone-%lld@%s", (long long)m->id, authority);
		x->summary = m->title;
		x->url = arena_printf(a, "%s/processes/%s#milestone-%lld", base, p.slug, (long long)m->id);
		x->sequence = same && same->sequence > m->sequence ? same->sequence : m->sequence;
		x->stamp = m->changed_at ? m->changed_at : created;
		if (same && same->changed_at > x->stamp)
			x->stamp = same->changed_at;
		x->status = same && same->cancelled ? ICAL_EVENT_CANCELLED : event_status(m->status);
		x->date = m->date;
		x->end_date = m->end_date;
		const char *lead = "";
		for (int k = 0; k < ncalls && m->call_id; k++) {
			struct tz_local l;
			if (calls[k].id != m->call_id || tz_utc_to_local(p.timezone, calls[k].closes_at, &l) != 0)
				continue;
			/* a call's deadline: at its last accepted minute, on the day it closes */
			x->date = arena_printf(a, "%04d-%02d-%02d", l.year, l.month, l.day);
			x->end_date = NULL;
			x->starts = arena_printf(a, "%02d:%02d", l.hour, l.minute);
			x->url = arena_printf(a, "%s/calls/%lld", base, (long long)calls[k].id);
			/* TRANSLATORS: a calendar event: a call's deadline; %s the call's title. */
			lead = arena_printf(a, _("The last minute to send a contribution to %s."), calls[k].title);
		}
		x->description = moves_text(a, m, lead);
		if (!x->uid || !x->url || !x->description || !x->date) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}
	for (int i = 0; i < nmeetings; i++) {
		if (merged[i])
			continue;
		const struct meeting *m = &meetings[i];
		struct ical_event *x = &events[n++];
		x->uid = arena_printf(a, "meeting-%lld@%s", (long long)m->id, authority);
		x->summary = m->title;
		/* TRANSLATORS: the last line of a meeting's event in a calendar: how it is held. */
		const char *held = m->format == MEETING_ONLINE     ? _("(online meeting)")
		                   : m->format == MEETING_PHYSICAL ? _("(physical meeting)")
		                                                   : _("(hybrid meeting)");
		x->description = arena_printf(a, "%s%s%s", m->description, *m->description ? "\n" : "", held);
		x->url = arena_printf(a, "%s/processes/%s#meetings", base, p.slug);
		x->sequence = m->sequence; /* as in the invitations its participants hold (core/meeting.h) */
		x->stamp = m->changed_at ? m->changed_at : created;
		x->status = m->cancelled ? ICAL_EVENT_CANCELLED : ICAL_EVENT_CONFIRMED;
		x->date = m->date;
		x->starts = m->starts && m->ends ? m->starts : NULL;
		x->ends = x->starts ? m->ends : NULL;
		if (!x->uid || !x->description || !x->url) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}
	*out = (struct ical_calendar){
	    .name = p.title,
	    .description =
	        /* TRANSLATORS: a calendar's description: %1$s a process's title, %2$s its time zone (Europe/Zurich). */
	    arena_printf(a, _("The schedule and meetings of %1$s, in its time zone (%2$s)."), p.title, p.timezone),
	    .tzid = p.timezone,
	    .events = events,
	    .n = n,
	};
	return 0;
}
