/* outcome — see outcome.h. */
#include "core/outcome.h"
#include "core/comment.h"
#include "core/contribution.h"
#include "core/country.h"

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

static int count_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct outcome_count *c = element;
	bool failed = false;
	c->key = db_col_dup(st, 0, a, &failed);
	c->label = db_col_dup(st, 1, a, &failed);
	c->count = db_col_int(st, 2);
	if (!c->key)
		c->key = "";
	if (!c->label)
		c->label = c->key;
	return failed ? -1 : 0;
}

/* A paragraph's row of OUTCOME_BY_PARAGRAPH: count_fill's, then the version and the number. */
static int paragraph_count_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct outcome_count *c = element;
	int rc = count_fill(a, st, element);
	c->version_id = db_col_int(st, 3);
	c->number = db_col_null(st, 4) ? 0 : (int)db_col_int(st, 4);
	return rc;
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

/* One query per measure, each "key, label, count" rows (the paragraphs' add the version and the number). */
static const char *const MEASURE_SQL[] = {
    [OUTCOME_BY_CATEGORY] =
        "SELECT cat.slug, cat.name, count(*) FROM contribution k "
        "JOIN category cat ON cat.id = k.category_id WHERE " OUTCOME_COUNTED
        "GROUP BY cat.id, cat.slug, cat.name, cat.position ORDER BY count(*) DESC, cat.position, cat.id",
    [OUTCOME_BY_COUNTRY] = "SELECT k.country, k.country, count(*) FROM contribution k "
                           "WHERE " OUTCOME_COUNTED "GROUP BY k.country ORDER BY count(*) DESC, k.country",
    [OUTCOME_BY_TYPE] = "SELECT cm.type, cm.type, count(*) FROM comment cm "
                        "JOIN contribution k ON k.id = cm.contribution_id "
                        "WHERE " OUTCOME_COUNTED "GROUP BY cm.type ORDER BY count(*) DESC, cm.type",
    [OUTCOME_BY_CHANNEL] = "SELECT k.channel, k.channel, count(*) FROM contribution k "
                           "WHERE " OUTCOME_COUNTED "GROUP BY k.channel ORDER BY count(*) DESC, k.channel",
    [OUTCOME_BY_CAMPAIGN] = "SELECT CASE WHEN k.campaign_id IS NULL THEN 'single' ELSE 'campaign' END, NULL, count(*) "
                            "FROM contribution k WHERE " OUTCOME_COUNTED
                            "GROUP BY CASE WHEN k.campaign_id IS NULL THEN 'single' ELSE 'campaign' END "
                            "ORDER BY CASE WHEN k.campaign_id IS NULL THEN 'single' ELSE 'campaign' END",
    /* received_at is a whole number of seconds, so / is a whole division in both backends */
    [OUTCOME_BY_QUARTER_HOUR] = "SELECT CAST(k.received_at / 900 AS TEXT), NULL, count(*) FROM contribution k "
                                "WHERE " OUTCOME_COUNTED "GROUP BY k.received_at / 900 ORDER BY k.received_at / 900",
    [OUTCOME_BY_PARAGRAPH] = "SELECT cm.pid, v.label, count(*), cm.version_id, p.number FROM comment cm "
                             "JOIN contribution k ON k.id = cm.contribution_id JOIN version v ON v.id = cm.version_id "
                             "LEFT JOIN paragraph p ON p.version_id = cm.version_id AND p.pid = cm.pid "
                             "WHERE " OUTCOME_COUNTED "GROUP BY cm.version_id, cm.pid, p.number, v.label "
                             "ORDER BY CASE WHEN cm.pid IS NULL THEN 1 ELSE 0 END, cm.version_id, p.number, cm.pid",
};
_Static_assert(sizeof MEASURE_SQL / sizeof *MEASURE_SQL == OUTCOME_BY_PARAGRAPH + 1, "one query per measure");

static const char *channel_label(const char *name)
{
	enum contribution_channel c;
	if (!contribution_channel_parse(name, &c))
		return NULL;
	return c == CHANNEL_WEB ? "Web form" : c == CHANNEL_API ? "API" : "E-mail";
}

static const char *type_label(const char *name)
{
	enum comment_type t;
	if (!comment_type_parse(name, &t))
		return NULL;
	return t == COMMENT_TECHNICAL ? "Technical" : t == COMMENT_EDITORIAL ? "Editorial" : "General";
}

int outcome_count(struct db *db, struct arena *a, const struct outcome_scope *scope, enum outcome_audience audience,
                  enum outcome_measure measure, struct outcome_count **out, int *n, struct error *e)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *st = db_stmt(db, MEASURE_SQL[measure], e);
	if (!st)
		return -1;
	bind_scope(st, scope, audience);
	if (db_collect(st, a, (void **)out, n, sizeof **out,
	               measure == OUTCOME_BY_PARAGRAPH ? paragraph_count_fill : count_fill, e) != 0)
		return -1;
	/* the words for people */
	for (int i = 0; i < *n; i++) {
		struct outcome_count *c = &(*out)[i];
		const char *label = NULL;
		if (measure == OUTCOME_BY_COUNTRY)
			label = country_name(c->key);
		else if (measure == OUTCOME_BY_TYPE)
			label = type_label(c->key);
		else if (measure == OUTCOME_BY_CHANNEL)
			label = channel_label(c->key);
		else if (measure == OUTCOME_BY_CAMPAIGN)
			label = !strcmp(c->key, "campaign") ? "In a campaign" : "Not in a campaign";
		else if (measure == OUTCOME_BY_PARAGRAPH && !*c->key)
			label = "General comments";
		else if (measure == OUTCOME_BY_PARAGRAPH && c->number)
			label = arena_printf(a, "\u00b6%d of %s", c->number, c->label);
		else if (measure == OUTCOME_BY_PARAGRAPH)
			label = arena_printf(a, "Paragraph %s of %s", c->key, c->label);
		if (label)
			c->label = label;
		else if (measure == OUTCOME_BY_PARAGRAPH) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}
	return 0;
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
	if (out->ncalls == 0 || audience == OUTCOME_STATISTICS) /* the statistics read the calls only */
		return 0;
	if (read_decisions(db, scope, audience, &out->decided, e) != 0)
		return -1;
	if (top < 0) /* the headline numbers only */
		return 0;
	if (outcome_count(db, a, scope, audience, OUTCOME_BY_CATEGORY, &out->categories, &out->ncategories, e) != 0 ||
	    outcome_count(db, a, scope, audience, OUTCOME_BY_COUNTRY, &out->countries, &out->ncountries, e) != 0 ||
	    outcome_count(db, a, scope, audience, OUTCOME_BY_TYPE, &out->types, &out->ntypes, e) != 0)
		return -1;
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
			error_set(e, ERROR_NOT_FOUND, "There is no such version.");
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
