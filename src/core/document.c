/* document — see document.h. */
#include "core/document.h"

#include "core/process.h"
#include "render/markdown.h"
#include "util/clock.h"
#include "util/utf8.h"

#include <string.h>

int document_create(struct db *db, int64_t process_id, const char *slug, const char *title, int64_t *id,
		    struct error *e)
{
	if (!process_slug_valid(slug))
		error_field(e, "slug", "Use 1 to 64 lower-case letters, digits and hyphens.");
	if (!title || !*title)
		error_field(e, "title", "Give the document a title.");
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO document (process_id, slug, title) VALUES (?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, title);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	*id = db_last_id(db);
	return 0;
}

int version_post(struct db *db, int64_t document_id, const char *date, const char *label, const char *note,
		 const char *markdown, int64_t *id, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", "Give the version's date as YYYY-MM-DD.");
	if (!label || !*label)
		error_field(e, "label", "Give the version a label, such as \"Revised draft\".");
	if (!markdown || !*markdown)
		error_field(e, "markdown", "The version has no text.");
	else if (strlen(markdown) > VERSION_MARKDOWN_MAX)
		error_field(e, "markdown", "The text is longer than %d bytes.", VERSION_MARKDOWN_MAX);
	else if (!utf8_valid(markdown, strlen(markdown)))
		error_field(e, "markdown", "The text is not valid UTF-8.");
	if (e->code)
		return -1;
	struct buf html;
	buf_init(&html, 16 * (size_t)VERSION_MARKDOWN_MAX);
	int paragraphs = markdown_render(markdown, &html);
	if (paragraphs < 0) {
		buf_free(&html);
		error_set(e, ERROR_INTERNAL, "The text could not be rendered.");
		return -1;
	}
	static const char sql[] = "INSERT INTO version (document_id, date, label, note, markdown, html, paragraphs, "
				  "posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st) {
		buf_free(&html);
		return -1;
	}
	db_bind_int(st, 1, document_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, label);
	db_bind_text(st, 4, note ? note : "");
	db_bind_text(st, 5, markdown);
	db_bind_text(st, 6, html.data ? html.data : "");
	db_bind_int(st, 7, paragraphs);
	db_bind_int(st, 8, clock_now());
	int rc = db_exec_stmt(st, e);
	buf_free(&html);
	if (rc != 0)
		return -1;
	*id = db_last_id(db);
	return 0;
}

int document_list(struct db *db, struct arena *a, int64_t process_id, struct document **out, int *n,
		  struct error *e)
{
	static const char sql_docs[] = "SELECT id, slug, title FROM document WHERE process_id = ? ORDER BY id";
	static const char sql_versions[] = "SELECT id, date, label, note, paragraphs FROM version "
					   "WHERE document_id = ? ORDER BY date, id";
	struct db_stmt *st = db_stmt(db, sql_docs, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	*out = NULL;
	*n = 0;
	int cap = 0;
	enum db_step r;
	while ((r = db_step(st, e)) == DB_ROW) {
		struct document *doc = arena_push(a, (void **)out, n, &cap, sizeof *doc);
		if (!doc)
			goto oom;
		doc->id = db_col_int(st, 0);
		doc->process_id = process_id;
		doc->slug = arena_strdup(a, db_col_text(st, 1));
		doc->title = arena_strdup(a, db_col_text(st, 2));
	}
	if (r == DB_FAIL)
		return -1;
	for (int i = 0; i < *n; i++) {
		struct document *doc = &(*out)[i];
		struct db_stmt *vs = db_stmt(db, sql_versions, e);
		if (!vs)
			return -1;
		db_bind_int(vs, 1, doc->id);
		int vcap = 0;
		while ((r = db_step(vs, e)) == DB_ROW) {
			struct version *v = arena_push(a, (void **)&doc->versions, &doc->nversions, &vcap, sizeof *v);
			if (!v)
				goto oom;
			v->id = db_col_int(vs, 0);
			v->document_id = doc->id;
			v->date = arena_strdup(a, db_col_text(vs, 1));
			v->label = arena_strdup(a, db_col_text(vs, 2));
			v->note = arena_strdup(a, db_col_text(vs, 3));
			v->paragraphs = (int)db_col_int(vs, 4);
		}
		if (r == DB_FAIL)
			return -1;
	}
	return 0;
oom:
	error_set(e, ERROR_UNAVAILABLE, "out of memory");
	return -1;
}

int version_find(struct db *db, struct arena *a, int64_t id, struct version *out, struct document *doc,
		 struct error *e)
{
	static const char sql[] = "SELECT v.id, v.date, v.label, v.note, v.markdown, v.html, v.paragraphs, "
				  "d.id, d.process_id, d.slug, d.title "
				  "FROM version v JOIN document d ON d.id = v.document_id WHERE v.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	enum db_step r = db_step(st, e);
	if (r == DB_FAIL)
		return -1;
	if (r == DB_DONE) {
		error_set(e, ERROR_NOT_FOUND, "There is no such version.");
		return -1;
	}
	memset(out, 0, sizeof *out);
	memset(doc, 0, sizeof *doc);
	out->id = db_col_int(st, 0);
	out->date = arena_strdup(a, db_col_text(st, 1));
	out->label = arena_strdup(a, db_col_text(st, 2));
	out->note = arena_strdup(a, db_col_text(st, 3));
	out->markdown = arena_strdup(a, db_col_text(st, 4));
	out->html = arena_strdup(a, db_col_text(st, 5));
	out->paragraphs = (int)db_col_int(st, 6);
	doc->id = db_col_int(st, 7);
	out->document_id = doc->id;
	doc->process_id = db_col_int(st, 8);
	doc->slug = arena_strdup(a, db_col_text(st, 9));
	doc->title = arena_strdup(a, db_col_text(st, 10));
	db_reset(st);
	return 0;
}
