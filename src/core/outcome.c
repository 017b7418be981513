/* outcome — see outcome.h. */
#include "core/outcome.h"
#include "core/comment.h"
#include "core/contribution.h"
#include "core/country.h"
#include "core/process.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(DECISION_NOTED + 1 == OUTCOME_DECISIONS, "outcome_decisions has one count per decision");

/*
 * Every query below selects from the comments or contributions of the calls in scope with the same
 * conditions: ?1 the version (0: any), ?2 the call (0: any), ?3 the process (0: any), ?4 1 for the secretariat
 * and the statistics (calls whose dispositions are not published count too). Only published contributions count:
 * pending, hidden and spam never do. The calls in scope are a subquery (run once) so that the contributions are found
 * by their call (index contribution_call), and their comments by contribution, rather than by scanning them all. The
 * paragraphs' query also names the calls' versions (a comment's version is its call's) so that the comments'
 * (version_id, pid) index serves it.
 */
#define OUTCOME_CALLS                                                                                                  \
	"(?1 = 0 OR ca.version_id = ?1) AND (?2 = 0 OR ca.id = ?2) AND (?3 = 0 OR ca.process_id = ?3) "                \
	"AND (?4 = 1 OR ca.dispositions_published_at IS NOT NULL) "
#define OUTCOME_SCOPE   "SELECT ca.id FROM call ca WHERE " OUTCOME_CALLS
#define OUTCOME_COUNTED "k.call_id IN (" OUTCOME_SCOPE ") AND k.state = 'published' "
#define OUTCOME_COMMENTS                                                                                               \
	OUTCOME_COUNTED "AND cm.version_id IN (SELECT ca.version_id FROM call ca WHERE " OUTCOME_CALLS ") "

static void bind_scope(struct db_stmt *st, const struct outcome_scope *scope, enum outcome_audience audience)
{
	db_bind_int(st, 1, scope->version_id);
	db_bind_int(st, 2, scope->call_id);
	db_bind_int(st, 3, scope->process_id);
	db_bind_int(st, 4, audience != OUTCOME_PUBLIC ? 1 : 0);
}

static int call_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct outcome_call *c = element;
	bool failed = false;
	c->id = db_col_int(st, 0);
	c->title = db_col_dup(st, 1, a, &failed);
	c->published_at = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
	c->version_id = db_col_int(st, 3);
	c->version_label = db_col_dup(st, 4, a, &failed);
	c->contributions = db_col_int(st, 5);
	c->comments = db_col_int(st, 6);
	return failed ? -1 : 0;
}

static int paragraph_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct outcome_paragraph *p = element;
	bool failed = false;
	p->version_id = db_col_int(st, 0);
	p->pid = db_col_dup(st, 1, a, &failed);
	p->number = db_col_null(st, 2) ? 0 : (int)db_col_int(st, 2);
	p->comments = db_col_int(st, 3);
	return failed ? -1 : 0;
}

/* -- the tally: every count of contributions in one pass, every count of comments in another ------------- */

/* Contributions by call, category, country and channel, with how many of them are in a campaign: grouped in
 * the order of index contribution_statistics (migration 024), which holds every column read, so that the
 * grouping streams through the index without sorting; the categories' words joined after the grouping, each
 * category's name in the reader's language (?5) by the one rule of core/process.h. */
static const char SQL_PROFILE[] = "SELECT g.call_id, cat.slug, " PROCESS_CATEGORY_NAME_SQL(
    "cat",
    "?5") ", cat.position, g.country, g.channel, g.joined, g.n FROM "
          "(SELECT k.call_id AS call_id, k.category_id AS category_id, k.country AS country, k.channel AS channel, "
          "count(k.campaign_id) AS joined, count(*) AS n FROM contribution k WHERE " OUTCOME_COUNTED
          "GROUP BY k.call_id, k.category_id, k.country, k.channel) g JOIN category cat ON cat.id = g.category_id";
/* Comments by paragraph, with how many of them are technical and editorial (the rest are general), grouped in
 * the order of index comment_version_pid; the paragraphs' numbers and versions' labels joined after. Paragraphs
 * in the order of their version and number, general comments last. */
static const char SQL_COMMENTS[] =
    "SELECT g.version_id, g.pid, p.number, v.label, g.n, g.technical, g.editorial FROM "
    "(SELECT cm.version_id AS version_id, cm.pid AS pid, count(*) AS n, "
    "sum(CASE WHEN cm.type = 'technical' THEN 1 ELSE 0 END) AS technical, "
    "sum(CASE WHEN cm.type = 'editorial' THEN 1 ELSE 0 END) AS editorial FROM comment cm "
    "JOIN contribution k ON k.id = cm.contribution_id WHERE " OUTCOME_COMMENTS "GROUP BY cm.version_id, cm.pid) g "
    "JOIN version v ON v.id = g.version_id LEFT JOIN paragraph p ON p.version_id = g.version_id AND p.pid = g.pid "
    "ORDER BY CASE WHEN g.pid IS NULL THEN 1 ELSE 0 END, g.version_id, p.number, g.pid";
/* Comments by call, when calls in scope share a version. */
static const char SQL_CALL_COMMENTS[] = "SELECT k.call_id, count(*) FROM comment cm "
                                        "JOIN contribution k ON k.id = cm.contribution_id "
                                        "WHERE " OUTCOME_COMMENTS "GROUP BY k.call_id";
/* received_at is a whole number of seconds, so / is a whole division in both backends */
static const char SQL_QUARTERS[] = "SELECT k.received_at / 900, count(*) FROM contribution k "
                                   "WHERE " OUTCOME_COUNTED "GROUP BY k.received_at / 900 ORDER BY k.received_at / 900";

static const char *channel_label(const char *name)
{
	enum contribution_channel c;
	if (!contribution_channel_parse(name, &c))
		return NULL;
	/* TRANSLATORS: how a contribution came: by the site's form, by the JSON API, or by e-mail. */
	return c == CHANNEL_WEB ? _("Web form") : c == CHANNEL_API ? _("API") : _("E-mail");
}

static const char *type_label(const char *name)
{
	enum comment_type t;
	if (!comment_type_parse(name, &t))
		return NULL;
	return t == COMMENT_TECHNICAL ? _("Technical") : t == COMMENT_EDITORIAL ? _("Editorial") : _("General");
}

/* A growing list of counts, found by key (the lists are short: categories, countries, channels, types). */
struct counts {
	struct outcome_count *items;
	int n, cap;
};

/* Adds count to key's row (made with label and order if new); NULL when memory runs out. */
static struct outcome_count *tally_add(struct arena *a, struct counts *c, const char *key, const char *label,
                                       int64_t order, int64_t count, bool *failed)
{
	if (!key)
		key = "";
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].key, key)) {
			c->items[i].count += count;
			return &c->items[i];
		}
	struct outcome_count *x = arena_push(a, (void **)&c->items, &c->n, &c->cap, sizeof *x);
	if (x && !(x->key = arena_strdup(a, key))) {
		c->n--; /* no row without a key */
		x = NULL;
	}
	if (!x) {
		*failed = true;
		return NULL;
	}
	x->label = label ? arena_strdup(a, label) : x->key;
	x->count = count;
	x->version_id = order; /* the order among equal counts, until sorted */
	if (!x->label)
		*failed = true;
	return x;
}

/* Decreasing count, then the order kept in version_id (a category's position), then the key. */
static int by_count(const void *pa, const void *pb)
{
	const struct outcome_count *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->version_id != y->version_id)
		return x->version_id < y->version_id ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void tally_sort(struct counts *c, struct outcome_count **out, int *n)
{
	if (c->n > 1)
		qsort(c->items, (size_t)c->n, sizeof *c->items, by_count);
	for (int i = 0; i < c->n; i++)
		c->items[i].version_id = 0;
	*out = c->items;
	*n = c->n;
}

/* The row of call_id in t->calls (made if new); NULL when memory runs out. */
static struct outcome_tally_call *tally_call(struct arena *a, struct outcome_tally *t, int *cap, int64_t call_id)
{
	for (int i = 0; i < t->ncalls; i++)
		if (t->calls[i].call_id == call_id)
			return &t->calls[i];
	struct outcome_tally_call *x = arena_push(a, (void **)&t->calls, &t->ncalls, cap, sizeof *x);
	if (x)
		x->call_id = call_id;
	return x;
}

/* Ends a read of rows: the statement reset, -1 if it failed (e set by db_step) or memory ran out. */
static int read_end(struct db_stmt *st, enum db_step step, bool failed, struct error *e)
{
	db_reset(st);
	if (step == DB_FAIL)
		return -1;
	if (failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

static int read_profile(struct db *db, struct arena *a, const struct outcome_scope *scope,
                        enum outcome_audience audience, struct outcome_tally *t, int *calls_cap, struct error *e)
{
	struct db_stmt *st = db_stmt(db, SQL_PROFILE, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	db_bind_text(st, 5, i18n_current() ? i18n_current() : "");
	struct counts categories = {0}, countries = {0}, channels = {0};
	bool failed = false;
	enum db_step step = DB_DONE;
	while (!failed && (step = db_step(st, e)) == DB_ROW) {
		const int64_t n = db_col_int(st, 7);
		const char *country = db_col_text(st, 4), *channel = db_col_text(st, 5);
		struct outcome_tally_call *c = tally_call(a, t, calls_cap, db_col_int(st, 0));
		if (!c) {
			failed = true;
			break;
		}
		c->contributions += n;
		t->contributions += n;
		t->in_campaigns += db_col_int(st, 6);
		tally_add(a, &categories, db_col_text(st, 1), db_col_text(st, 2), db_col_int(st, 3), n, &failed);
		/* a contribution by e-mail may not say its country */
		tally_add(a, &countries, country, country && *country ? country_name(country) : "Not stated", 0, n,
		          &failed);
		tally_add(a, &channels, channel, channel_label(channel ? channel : ""), 0, n, &failed);
	}
	if (read_end(st, step, failed, e) != 0)
		return -1;
	tally_sort(&categories, &t->categories, &t->ncategories);
	tally_sort(&countries, &t->countries, &t->ncountries);
	tally_sort(&channels, &t->channels, &t->nchannels);
	return 0;
}

struct call_version {
	int64_t call_id, version_id;
};

static int call_version_fill(struct arena *a, struct db_stmt *st, void *element)
{
	(void)a;
	struct call_version *c = element;
	c->call_id = db_col_int(st, 0);
	c->version_id = db_col_int(st, 1);
	return 0;
}

/* Comments by call. A comment's version is its call's: when no two calls in scope share a version, a call's
 * comments are those of its version's paragraphs, already counted; otherwise one more pass. */
static int read_call_comments(struct db *db, struct arena *a, const struct outcome_scope *scope,
                              enum outcome_audience audience, struct outcome_tally *t, int *calls_cap, struct error *e)
{
	static const char sql_calls[] = "SELECT ca.id, ca.version_id FROM call ca WHERE " OUTCOME_CALLS;
	struct db_stmt *st = db_stmt(db, sql_calls, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	struct call_version *calls = NULL;
	int ncalls = 0;
	if (db_collect(st, a, (void **)&calls, &ncalls, sizeof *calls, call_version_fill, e) != 0)
		return -1;
	bool shared = false;
	for (int i = 0; i < ncalls && !shared; i++)
		for (int k = 0; k < i && !shared; k++)
			shared = calls[i].version_id == calls[k].version_id;
	if (!shared) {
		for (int i = 0; i < ncalls; i++) {
			int64_t n = 0;
			for (int k = 0; k < t->nparagraphs; k++)
				if (t->paragraphs[k].version_id == calls[i].version_id)
					n += t->paragraphs[k].count;
			struct outcome_tally_call *c = n ? tally_call(a, t, calls_cap, calls[i].call_id) : NULL;
			if (n && !c) {
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
				return -1;
			}
			if (c)
				c->comments = n;
		}
		return 0;
	}
	if (!(st = db_stmt(db, SQL_CALL_COMMENTS, e)))
		return -1;
	bind_scope(st, scope, audience);
	enum db_step step = DB_DONE;
	bool failed = false;
	while (!failed && (step = db_step(st, e)) == DB_ROW) {
		struct outcome_tally_call *c = tally_call(a, t, calls_cap, db_col_int(st, 0));
		if (c)
			c->comments = db_col_int(st, 1);
		failed = !c;
	}
	return read_end(st, step, failed, e);
}

static int read_comment_profile(struct db *db, struct arena *a, const struct outcome_scope *scope,
                                enum outcome_audience audience, struct outcome_tally *t, struct error *e)
{
	struct db_stmt *st = db_stmt(db, SQL_COMMENTS, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	struct counts types = {0};
	int paragraphs_cap = 0;
	bool failed = false;
	enum db_step step = DB_DONE;
	while (!failed && (step = db_step(st, e)) == DB_ROW) {
		const char *pid = db_col_text(st, 1), *label = db_col_text(st, 3);
		const int number = db_col_null(st, 2) ? 0 : (int)db_col_int(st, 2);
		const int64_t n = db_col_int(st, 4), technical = db_col_int(st, 5), editorial = db_col_int(st, 6);
		const int64_t by_type[] = {[COMMENT_GENERAL] = n - technical - editorial,
		                           [COMMENT_TECHNICAL] = technical,
		                           [COMMENT_EDITORIAL] = editorial};
		t->comments += n;
		for (int k = COMMENT_GENERAL; k <= COMMENT_EDITORIAL; k++) {
			const char *name = comment_type_name((enum comment_type)k);
			if (by_type[k] > 0)
				tally_add(a, &types, name, type_label(name), 0, by_type[k], &failed);
		}
		struct outcome_count *q =
		    arena_push(a, (void **)&t->paragraphs, &t->nparagraphs, &paragraphs_cap, sizeof *q);
		if (!q) {
			failed = true;
			break;
		}
		q->version_id = db_col_int(st, 0);
		q->number = number;
		q->count = n;
		q->key = arena_strdup(a, pid ? pid : "");
		q->label = !pid     ? _("General comments")
		           : number ? arena_printf(a, _("\u00b6%d of %s"), number, label ? label : "")
		                    : arena_printf(a, _("Paragraph %s of %s"), pid, label ? label : "");
		if (!q->key || !q->label) {
			t->nparagraphs--; /* no row without its words */
			failed = true;
		}
	}
	if (read_end(st, step, failed, e) != 0)
		return -1;
	tally_sort(&types, &t->types, &t->ntypes);
	return 0;
}

static int quarter_fill(struct arena *a, struct db_stmt *st, void *element)
{
	(void)a;
	struct outcome_quarter *q = element;
	q->start = db_col_int(st, 0) * OUTCOME_QUARTER_HOUR;
	q->count = db_col_int(st, 1);
	return 0;
}

int outcome_tally(struct db *db, struct arena *a, const struct outcome_scope *scope, enum outcome_audience audience,
                  bool quarters, struct outcome_tally *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	int calls_cap = 0;
	if (read_profile(db, a, scope, audience, out, &calls_cap, e) != 0 ||
	    read_comment_profile(db, a, scope, audience, out, e) != 0 ||
	    read_call_comments(db, a, scope, audience, out, &calls_cap, e) != 0)
		return -1;
	if (!quarters)
		return 0;
	struct db_stmt *st = db_stmt(db, SQL_QUARTERS, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	return db_collect(st, a, (void **)&out->quarters, &out->nquarters, sizeof *out->quarters, quarter_fill, e);
}

/* Adds a row "decision (NULL: none), count" to d; false for a decision the program does not know. */
static bool add_decision(struct outcome_decisions *d, const char *name, int64_t count)
{
	enum disposition_decision k;
	if (!name) {
		d->unanswered += count;
		return true;
	}
	if (!disposition_decision_parse(name, &k))
		return false;
	d->decisions[k] += count;
	return true;
}

static int read_decisions(struct db *db, const struct outcome_scope *scope, enum outcome_audience audience,
                          struct outcome_decisions *d, struct error *e)
{
	static const char sql[] = "SELECT d.decision, count(*) FROM comment cm "
	                          "JOIN contribution k ON k.id = cm.contribution_id "
	                          "LEFT JOIN disposition d ON d.comment_id = cm.id "
	                          "WHERE " OUTCOME_COUNTED "GROUP BY d.decision";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	enum db_step step;
	bool unknown = false;
	while ((step = db_step(st, e)) == DB_ROW)
		if (!add_decision(d, db_col_text(st, 0), db_col_int(st, 1)))
			unknown = true;
	if (step == DB_FAIL)
		return -1;
	if (unknown) {
		error_set(e, ERROR_INTERNAL, "a disposition holds an unknown decision");
		return -1;
	}
	return 0;
}

/* The decisions and landings of one paragraph's comments (?5 version, ?6 pid, ?7 landed_in or 0). */
static int read_paragraph_fate(struct db *db, struct arena *a, const struct outcome_scope *scope,
                               enum outcome_audience audience, int64_t landed_in, struct outcome_paragraph *p,
                               struct error *e)
{
	static const char sql[] =
	    "SELECT d.decision, np.version_id, np.pid, np.number, count(*) FROM comment cm "
	    "JOIN contribution k ON k.id = cm.contribution_id "
	    "LEFT JOIN disposition d ON d.comment_id = cm.id "
	    "LEFT JOIN paragraph np ON d.pid IS NOT NULL AND d.version_id IS NOT NULL AND np.pid = d.pid "
	    "AND np.version_id = CASE WHEN ?7 = 0 THEN d.version_id ELSE ?7 END "
	    "WHERE " OUTCOME_COUNTED "AND cm.version_id = ?5 AND cm.pid = ?6 "
	    "GROUP BY d.decision, np.version_id, np.pid, np.number ORDER BY np.number";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	db_bind_int(st, 5, p->version_id);
	db_bind_text(st, 6, p->pid);
	db_bind_int(st, 7, landed_in);
	enum db_step step;
	bool unknown = false, failed = false;
	int cap = 0;
	while ((step = db_step(st, e)) == DB_ROW) {
		int64_t count = db_col_int(st, 4);
		if (!add_decision(&p->decided, db_col_text(st, 0), count))
			unknown = true;
		if (db_col_null(st, 3))
			continue;
		int64_t version_id = db_col_int(st, 1);
		int number = (int)db_col_int(st, 3);
		struct outcome_landing *l = NULL;
		for (int i = 0; i < p->nlandings; i++)
			if (p->landings[i].version_id == version_id && p->landings[i].number == number)
				l = &p->landings[i];
		if (!l) {
			if (!(l = arena_push(a, (void **)&p->landings, &p->nlandings, &cap, sizeof *l))) {
				failed = true;
				continue;
			}
			l->version_id = version_id;
			l->number = number;
			l->pid = db_col_dup(st, 2, a, &failed);
		}
		l->count += count;
	}
	if (step == DB_FAIL)
		return -1;
	if (unknown || failed) {
		error_set(e, unknown ? ERROR_INTERNAL : ERROR_UNAVAILABLE,
		          unknown ? "a disposition holds an unknown decision" : "out of memory");
		return -1;
	}
	return 0;
}

/* The answers to link for one paragraph: its comments of public contributions, oldest first, at most
 * OUTCOME_ANSWERS_MAX; counts those beyond (more) and those of private contributions (privately). */
static int read_paragraph_answers(struct db *db, struct arena *a, const struct outcome_scope *scope,
                                  enum outcome_audience audience, struct outcome_paragraph *p, struct error *e)
{
	static const char sql[] = "SELECT cm.id, k.tracking, d.decision, k.publication FROM comment cm "
	                          "JOIN contribution k ON k.id = cm.contribution_id "
	                          "LEFT JOIN disposition d ON d.comment_id = cm.id "
	                          "WHERE " OUTCOME_COUNTED "AND cm.version_id = ?5 AND cm.pid = ?6 "
	                          "ORDER BY k.id, cm.position";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	db_bind_int(st, 5, p->version_id);
	db_bind_text(st, 6, p->pid);
	enum db_step step;
	bool failed = false, unknown = false;
	int cap = 0;
	/* Read to the end rather than LIMIT: the private ones are counted among them; a paragraph's comments
	 * are found by the (version_id, pid) index. */
	while ((step = db_step(st, e)) == DB_ROW) {
		const char *publication = db_col_text(st, 3);
		if (publication && !strcmp(publication, "private")) {
			p->privately++;
			continue;
		}
		if (p->nanswers >= OUTCOME_ANSWERS_MAX) {
			p->more++;
			continue;
		}
		struct outcome_answer *x = arena_push(a, (void **)&p->answers, &p->nanswers, &cap, sizeof *x);
		if (!x) {
			failed = true;
			break;
		}
		x->comment_id = db_col_int(st, 0);
		x->tracking = db_col_dup(st, 1, a, &failed);
		const char *decision = db_col_text(st, 2);
		x->answered = decision != NULL;
		if (decision && !disposition_decision_parse(decision, &x->decision))
			unknown = true;
	}
	db_reset(st);
	if (step == DB_FAIL)
		return -1;
	if (unknown || failed) {
		error_set(e, unknown ? ERROR_INTERNAL : ERROR_UNAVAILABLE,
		          unknown ? "a disposition holds an unknown decision" : "out of memory");
		return -1;
	}
	return 0;
}

int outcome_read(struct db *db, struct arena *a, const struct outcome_scope *scope, enum outcome_audience audience,
                 int64_t landed_in, int top, struct outcome *out, struct error *e)
{
	static const char sql_calls[] =
	    "SELECT ca.id, ca.title, ca.dispositions_published_at, v.id, v.label, "
	    "(SELECT count(*) FROM contribution k WHERE k.call_id = ca.id AND k.state = 'published'), "
	    "(SELECT count(*) FROM comment cm JOIN contribution k ON k.id = cm.contribution_id "
	    "WHERE k.call_id = ca.id AND k.state = 'published') "
	    "FROM call ca JOIN version v ON v.id = ca.version_id WHERE " OUTCOME_CALLS "ORDER BY ca.opens_at, ca.id";
	static const char sql_top[] =
	    "SELECT cm.version_id, cm.pid, p.number, count(*) FROM comment cm "
	    "JOIN contribution k ON k.id = cm.contribution_id "
	    "LEFT JOIN paragraph p ON p.version_id = cm.version_id AND p.pid = cm.pid "
	    "WHERE " OUTCOME_COMMENTS "AND cm.pid IS NOT NULL "
	    "GROUP BY cm.version_id, cm.pid, p.number ORDER BY count(*) DESC, p.number, cm.version_id LIMIT ?5";

	memset(out, 0, sizeof *out);
	struct db_stmt *st = db_stmt(db, sql_calls, e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	if (db_collect(st, a, (void **)&out->calls, &out->ncalls, sizeof *out->calls, call_fill, e) != 0)
		return -1;
	for (int i = 0; i < out->ncalls; i++) {
		out->contributions += out->calls[i].contributions;
		out->comments += out->calls[i].comments;
		if (!out->calls[i].published_at)
			out->unpublished = true;
	}
	if (out->ncalls == 0)
		return 0;
	if (read_decisions(db, scope, audience, &out->decided, e) != 0)
		return -1;
	if (top < 0) /* the headline numbers only */
		return 0;
	struct outcome_tally t;
	if (outcome_tally(db, a, scope, audience, false, &t, e) != 0)
		return -1;
	out->categories = t.categories;
	out->ncategories = t.ncategories;
	out->countries = t.countries;
	out->ncountries = t.ncountries;
	out->types = t.types;
	out->ntypes = t.ntypes;
	if (top == 0)
		return 0;
	if (!(st = db_stmt(db, sql_top, e)))
		return -1;
	bind_scope(st, scope, audience);
	db_bind_int(st, 5, top);
	if (db_collect(st, a, (void **)&out->paragraphs, &out->nparagraphs, sizeof *out->paragraphs, paragraph_fill,
	               e) != 0)
		return -1;
	for (int i = 0; i < out->nparagraphs; i++)
		if (read_paragraph_fate(db, a, scope, audience, landed_in, &out->paragraphs[i], e) != 0 ||
		    read_paragraph_answers(db, a, scope, audience, &out->paragraphs[i], e) != 0)
			return -1;
	return 0;
}

int outcome_of_version(struct db *db, struct arena *a, int64_t version_id, enum outcome_audience audience, int top,
                       struct outcome *out, struct error *e)
{
	static const char sql[] = "SELECT v.previous_id, pv.label FROM version v "
	                          "LEFT JOIN version pv ON pv.id = v.previous_id WHERE v.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	enum db_step step = db_step(st, e);
	if (step != DB_ROW) {
		db_reset(st);
		if (step == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("There is no such version."));
		return -1;
	}
	int64_t previous_id = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
	bool failed = false;
	char *previous_label = db_col_dup(st, 1, a, &failed);
	db_reset(st);
	if (failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (!previous_id) {
		memset(out, 0, sizeof *out);
	} else {
		struct outcome_scope scope = {.version_id = previous_id};
		if (outcome_read(db, a, &scope, audience, version_id, top, out, e) != 0)
			return -1;
	}
	out->version_id = version_id;
	out->previous_id = previous_id;
	out->previous_label = previous_label;
	return 0;
}
