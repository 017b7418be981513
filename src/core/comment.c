/* comment — see comment.h. */
#include "core/comment.h"

#include "core/contribution.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/paragraph.h"
#include "util/buf.h"
#include "util/i18n.h"
#include "util/utf8.h"

#include <stdio.h>
#include <string.h>

/* Checks one text of comment number k with the field checks every form uses, and reports what they say as
 * "Comment k: ..." under comments[k].field: a person reading the list of errors knows which comment. */
static void check_text(struct error *e, int k, const char *field, const char *value, bool required, size_t max,
		       const char *what)
{
	struct error one;
	error_clear(&one);
	field_check_text(&one, field, value, required, max, what);
	if (!one.code)
		return;
	char name[sizeof one.fields[0].name];
	snprintf(name, sizeof name, "comments[%d].%s", k, field);
	char *m = one.fields[0].message;
	if (*m >= 'A' && *m <= 'Z')
		*m = (char)(*m - 'A' + 'a');
	error_field(e, name, _("Comment %d: %s"), k, m);
}

void comment_validate(const struct comment_input *in, int n, const struct paragraph *paragraphs, int nparagraphs,
		      struct error *e)
{
	if (n > LIMIT_COMMENTS) {
		error_field(e, "comments",
		            _("Send at most %d comments in one contribution (this one has %d); send the "
		              "others in a second contribution."),
		            LIMIT_COMMENTS, n);
		return;
	}
	size_t total = 0;
	for (int i = 0; i < n; i++) {
		const struct comment_input *c = &in[i];
		const int k = i + 1; /* as people count */
		char name[32];
		if (c->paragraph && *c->paragraph) {
			bool found = false;
			for (int p = 0; p < nparagraphs && !found; p++)
				found = !strcmp(paragraphs[p].pid, c->paragraph);
			if (!found) {
				snprintf(name, sizeof name, "comments[%d].paragraph", k);
				/* The id as sent, shortened: it may be anything. */
				const bool valid = utf8_valid(c->paragraph, strlen(c->paragraph)) &&
						   !utf8_has_control(c->paragraph, false) && strlen(c->paragraph) <= 24;
				if (valid)
					error_field(
					    e, name,
					    _("Comment %d: paragraph \"%s\" is not in this version of the text; choose "
					      "one of its paragraphs, or none for a general comment."),
					    k, c->paragraph);
				else
					error_field(
					    e, name,
					    _("Comment %d: paragraph id is not in this version of the text; choose one "
					      "of its paragraphs, or none for a general comment."),
					    k);
			}
		}
		if (c->type && *c->type && !comment_type_parse(c->type, &(enum comment_type){0})) {
			snprintf(name, sizeof name, "comments[%d].type", k);
			error_field(e, name, _("Comment %d: use general, technical or editorial as its type."), k);
		}
		check_text(e, k, "comment", c->comment, true, LIMIT_COMMENT, "the comment");
		check_text(e, k, "proposed_change", c->proposed_change, false, LIMIT_COMMENT, "the proposed change");
		check_text(e, k, "clause", c->clause, false, LIMIT_COMMENT, "the clause");
		check_text(e, k, "note", c->note, false, LIMIT_COMMENT, "the note");
		if (c->comment && utf8_valid(c->comment, strlen(c->comment)))
			total += utf8_length(c->comment);
		if (c->proposed_change && utf8_valid(c->proposed_change, strlen(c->proposed_change)))
			total += utf8_length(c->proposed_change);
	}
	if (total > LIMIT_COMMENTS_TEXT)
		error_field(e, "comments",
		            _("Your comments and proposed changes have %zu characters together; shorten them to %d at "
		              "most, or send the others in a second contribution."),
		            total, LIMIT_COMMENTS_TEXT);
}

int comment_store(struct db *db, int64_t contribution_id, int64_t version_id, const struct comment_input *in, int n,
		  struct error *e)
{
	static const char sql[] = "INSERT INTO comment (contribution_id, version_id, pid, position, type, comment, "
				  "proposed_change, table_row, clause, note, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	for (int i = 0; i < n; i++) {
		const struct comment_input *c = &in[i];
		enum comment_type type = COMMENT_GENERAL;
		if (c->type && *c->type)
			comment_type_parse(c->type, &type); /* checked by comment_validate() */
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, contribution_id);
		db_bind_int(st, 2, version_id);
		db_bind_text(st, 3, c->paragraph && *c->paragraph ? c->paragraph : NULL);
		db_bind_int(st, 4, i + 1);
		db_bind_text(st, 5, comment_type_name(type));
		db_bind_text(st, 6, c->comment);
		db_bind_text(st, 7, c->proposed_change ? c->proposed_change : "");
		if (c->row > 0)
			db_bind_int(st, 8, c->row);
		else
			db_bind_null(st, 8);
		db_bind_text(st, 9, c->clause && *c->clause ? c->clause : NULL);
		db_bind_text(st, 10, c->note && *c->note ? c->note : NULL);
		db_bind_text(st, 11, c->language ? c->language : "");
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return 0;
}

/* The columns every read of comments starts with; paragraph p is the one commented on (NULL for a general
 * comment, which has no pid). */
#define COMMENT_COLUMNS                                                                                           \
	"SELECT cm.id, cm.contribution_id, cm.version_id, cm.pid, p.number, cm.position, cm.type, cm.comment, "    \
	"cm.proposed_change, cm.table_row, cm.clause, cm.note, cm.language "

static int comment_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct comment *c = element;
	bool failed = false;
	memset(c, 0, sizeof *c);
	c->id = db_col_int(st, 0);
	c->contribution_id = db_col_int(st, 1);
	c->version_id = db_col_int(st, 2);
	c->pid = db_col_dup(st, 3, a, &failed);
	c->number = (int)db_col_int(st, 4);
	c->position = (int)db_col_int(st, 5);
	if (!comment_type_parse(db_col_text(st, 6), &c->type))
		return DB_FILL_UNKNOWN;
	c->comment = db_col_dup(st, 7, a, &failed);
	c->proposed_change = db_col_dup(st, 8, a, &failed);
	c->row = (int)db_col_int(st, 9);
	c->clause = db_col_dup(st, 10, a, &failed);
	c->note = db_col_dup(st, 11, a, &failed);
	c->language = db_col_dup(st, 12, a, &failed);
	return failed ? -1 : 0;
}

int comment_attach(struct db *db, struct arena *a, struct contribution *items, int n, struct error *e)
{
	if (n <= 0)
		return 0;
	int64_t lo = items[0].id, hi = items[0].id;
	for (int i = 0; i < n; i++) {
		items[i].comments = NULL;
		items[i].ncomments = 0;
		if (items[i].id < lo)
			lo = items[i].id;
		if (items[i].id > hi)
			hi = items[i].id;
	}
	/* One query for the page: the ids of a page of one call's list lie in one range (the rows of other
	 * contributions in it are skipped below). */
	static const char sql[] = COMMENT_COLUMNS
		"FROM comment cm LEFT JOIN paragraph p ON p.version_id = cm.version_id AND p.pid = cm.pid "
		"WHERE cm.contribution_id BETWEEN ? AND ? ORDER BY cm.contribution_id, cm.position";
	/* A page in another order than arrival (by name) or of a sparse narrowing spreads its ids over the call: the
	 * range would read every comment between them (150,000 at a million contributions: 0.1 to 0.3 s a page).
	 * Each item's own range (one id) then: a search each. */
	if (hi - lo >= 4 * (int64_t)n) {
		for (int i = 0; i < n; i++) {
			struct db_stmt *st = db_stmt(db, sql, e);
			if (!st)
				return -1;
			db_bind_int(st, 1, items[i].id);
			db_bind_int(st, 2, items[i].id);
			if (db_collect(st, a, (void **)&items[i].comments, &items[i].ncomments, sizeof *items[i].comments,
			               comment_from_row, e) != 0)
				return -1;
		}
		return 0;
	}
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, lo);
	db_bind_int(st, 2, hi);
	struct comment *all;
	int nall;
	if (db_collect(st, a, (void **)&all, &nall, sizeof *all, comment_from_row, e) != 0)
		return -1;
	/* Rows come grouped by contribution: each item points at its run of them. */
	for (int k = 0; k < nall;) {
		int end = k;
		while (end < nall && all[end].contribution_id == all[k].contribution_id)
			end++;
		for (int i = 0; i < n; i++)
			if (items[i].id == all[k].contribution_id) {
				items[i].comments = &all[k];
				items[i].ncomments = end - k;
				break;
			}
		k = end;
	}
	return 0;
}

/* What the public may read: a published contribution that is not private (a hidden one shows only its
 * tracking number and reason; pending and spam not at all). */
#define COMMENT_PUBLISHED "c.publication <> 'private' AND c.state = 'published'"

static int count_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct comment_count *c = element;
	bool failed = false;
	c->pid = db_col_dup(st, 0, a, &failed);
	c->total = (int)db_col_int(st, 1);
	c->earlier = (int)db_col_int(st, 2);
	return failed ? -1 : 0;
}

int comment_counts(struct db *db, struct arena *a, int64_t document_id, int64_t version_id,
		   struct comment_count **out, int *n, struct error *e)
{
	/* Earlier versions of the document are those posted before it (smaller ids): a comment made on one is
	 * carried forward to the paragraph of this version with its pid. */
	static const char sql[] =
		"SELECT cm.pid, count(*), count(*) FILTER (WHERE cm.version_id <> ?2) "
		"FROM comment cm JOIN version v ON v.id = cm.version_id "
		"JOIN contribution c ON c.id = cm.contribution_id "
		"WHERE v.document_id = ?1 AND cm.version_id <= ?2 AND cm.pid IS NOT NULL AND " COMMENT_PUBLISHED " "
		"GROUP BY cm.pid ORDER BY cm.pid";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, document_id);
	db_bind_int(st, 2, version_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, count_from_row, e);
}

static int published_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	int rc = comment_from_row(a, st, element);
	if (rc != 0)
		return rc;
	struct comment *c = element;
	bool failed = false;
	c->commented_text = db_col_dup(st, 13, a, &failed);
	c->tracking = db_col_dup(st, 14, a, &failed);
	c->author = db_col_dup(st, 15, a, &failed);
	c->version_label = db_col_dup(st, 16, a, &failed);
	return failed ? -1 : 0;
}

int comment_list_paragraph(struct db *db, struct arena *a, int64_t document_id, int64_t version_id, const char *pid,
			   int offset, int limit, struct comment **out, int *n, struct error *e)
{
	static const char sql[] = COMMENT_COLUMNS
		", p.text, c.tracking, CASE WHEN c.publication = 'named' THEN c.name END, v.label "
		"FROM comment cm JOIN version v ON v.id = cm.version_id "
		"JOIN contribution c ON c.id = cm.contribution_id "
		"LEFT JOIN paragraph p ON p.version_id = cm.version_id AND p.pid = cm.pid "
		"WHERE v.document_id = ?1 AND cm.version_id <= ?2 AND cm.pid = ?3 AND " COMMENT_PUBLISHED " "
		"ORDER BY cm.version_id DESC, cm.id LIMIT ?4 OFFSET ?5";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, document_id);
	db_bind_int(st, 2, version_id);
	db_bind_text(st, 3, pid);
	db_bind_int(st, 4, limit);
	db_bind_int(st, 5, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, published_from_row, e);
}
