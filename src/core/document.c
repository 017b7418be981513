/* document — see document.h. */
#include "core/document.h"

#include "core/config.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/paragraph.h"
#include "core/process.h"
#include "core/search.h"
#include "core/subscription.h"
#include "render/docx.h"
#include "render/markdown.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"
#include "util/utf8.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const STATE_NAMES[] = {[VERSION_PUBLISHED] = "published", [VERSION_DRAFT] = "draft"};

const char *version_state_name(enum version_state st)
{
	return (unsigned)st < sizeof STATE_NAMES / sizeof *STATE_NAMES ? STATE_NAMES[st] : "published";
}

int version_state_parse(const char *name, enum version_state *out)
{
	for (unsigned i = 0; name && i < sizeof STATE_NAMES / sizeof *STATE_NAMES; i++)
		if (!strcmp(name, STATE_NAMES[i])) {
			*out = (enum version_state)i;
			return 0;
		}
	return -1;
}

static int id_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	(void)a;
	*(int64_t *)element = db_col_int(st, 0);
	return 0;
}

int document_create(struct db *db, int64_t process_id, const char *slug, const char *title, int64_t *id,
		    struct error *e)
{
	if (!process_slug_valid(slug))
		error_field(e, "slug", _("Use 1 to 64 lower-case letters, digits and hyphens."));
	if (!title || !*title)
		error_field(e, "title", _("Give the document a title."));
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO document (process_id, slug, title) VALUES (?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, title);
	if (db_insert_id(st, id, e) != 0)
		return -1;
	return 0;
}

int version_post(struct db *db, int64_t document_id, const char *date, const char *label, const char *note,
		 const char *markdown, int64_t *id, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", _("Give the version's date as YYYY-MM-DD."));
	if (!label || !*label)
		error_field(e, "label", _("Give the version a label, such as \"Revised draft\"."));
	if (!markdown || !*markdown)
		error_field(e, "markdown", _("The version has no text."));
	else if (strlen(markdown) > VERSION_MARKDOWN_MAX)
		error_field(e, "markdown", _("The text is longer than %d bytes."), VERSION_MARKDOWN_MAX);
	else if (!utf8_valid(markdown, strlen(markdown)))
		error_field(e, "markdown", _("The text is not valid UTF-8."));
	if (e->code)
		return -1;
	/* One draft at a time: the next version is matched against it once it is confirmed. */
	static const char sql_draft[] = "SELECT id FROM version WHERE document_id = ? AND state = 'draft'";
	static const char sql_previous[] = "SELECT id FROM version WHERE document_id = ? ORDER BY id DESC LIMIT 1";
	int64_t draft_id = 0, previous_id = 0;
	struct error none;
	error_clear(&none);
	struct db_stmt *q = db_stmt(db, sql_draft, e);
	if (!q)
		return -1;
	db_bind_int(q, 1, document_id);
	if (db_collect_one(q, NULL, &draft_id, id_from_row, "none", &none) == 0) {
		error_set(
		    e, ERROR_CONFLICT,
		    _("The document has a draft version (%lld) whose paragraphs wait for confirmation: publish it "
		      "first."),
		    (long long)draft_id);
		return -1;
	}
	if (strcmp(none.code, ERROR_NOT_FOUND) != 0) {
		*e = none;
		return -1;
	}
	error_clear(&none);
	if (!(q = db_stmt(db, sql_previous, e)))
		return -1;
	db_bind_int(q, 1, document_id);
	if (db_collect_one(q, NULL, &previous_id, id_from_row, "none", &none) != 0 &&
	    strcmp(none.code, ERROR_NOT_FOUND) != 0) {
		*e = none;
		return -1;
	}
	/* The text's blocks; its paragraphs get their ids (kept from the previous version where they came from
	 * one), and the page is written with them, once. */
	struct arena a;
	arena_init(&a);
	struct buf html;
	buf_init(&html, 16 * (size_t)VERSION_MARKDOWN_MAX);
	struct markdown_block *blocks;
	int nblocks, rc = -1;
	const char **ids;
	struct paragraph_match *matches;
	int uncertain;
	if (markdown_blocks(&a, markdown, &blocks, &nblocks) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto done;
	}
	if (paragraph_assign(db, &a, document_id, previous_id, blocks, nblocks, &ids, &matches, &uncertain, e) != 0)
		goto done;
	int paragraphs = markdown_assemble(blocks, nblocks, ids, &html);
	if (paragraphs < 0) {
		error_set(e, ERROR_INTERNAL, "The text could not be rendered.");
		goto done;
	}
	static const char sql[] = "INSERT INTO version (document_id, date, label, note, markdown, html, paragraphs, "
	                          "posted_at, state, previous_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto done;
	db_bind_int(st, 1, document_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, label);
	db_bind_text(st, 4, note ? note : "");
	db_bind_text(st, 5, markdown);
	db_bind_text(st, 6, html.data ? html.data : "");
	db_bind_int(st, 7, paragraphs);
	db_bind_int(st, 8, clock_now());
	db_bind_text(st, 9, version_state_name(uncertain ? VERSION_DRAFT : VERSION_PUBLISHED));
	if (previous_id)
		db_bind_int(st, 10, previous_id);
	else
		db_bind_null(st, 10);
	if (db_insert_id(st, id, e) != 0)
		goto done;
	rc = paragraph_store(db, *id, blocks, nblocks, ids, matches, e);
	if (rc == 0) /* findable once published: a draft's paragraphs are not (core/search.h) */
		rc = search_version_sync(db, *id, e);
done:
	buf_free(&html);
	arena_free(&a);
	return rc;
}

int document_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct document *doc = element;
	bool failed = false;
	doc->id = db_col_int(st, 0);
	doc->process_id = db_col_int(st, 1);
	doc->slug = db_col_dup(st, 2, a, &failed);
	doc->title = db_col_dup(st, 3, a, &failed);
	return failed ? -1 : 0;
}

int version_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct version *v = element;
	bool failed = false;
	v->id = db_col_int(st, 0);
	v->document_id = db_col_int(st, 1);
	v->date = db_col_dup(st, 2, a, &failed);
	v->label = db_col_dup(st, 3, a, &failed);
	v->note = db_col_dup(st, 4, a, &failed);
	v->paragraphs = (int)db_col_int(st, 5);
	v->markdown = db_col_dup(st, 6, a, &failed); /* NULL in lists */
	v->html = db_col_dup(st, 7, a, &failed);
	const char *state = (const char *)db_col_text(st, 8);
	if (version_state_parse(state, &v->state) != 0)
		return DB_FILL_UNKNOWN;
	v->previous_id = db_col_null(st, 9) ? 0 : db_col_int(st, 9);
	return failed ? -1 : 0;
}

int document_list(struct db *db, struct arena *a, int64_t process_id, struct document **out, int *n,
		  struct error *e)
{
	static const char sql_docs[] = "SELECT id, process_id, slug, title FROM document WHERE process_id = ? ORDER BY id";
	/* every document's published versions in one statement (one per document would be a round trip each on
	 * PostgreSQL), the document (the parent) last */
	static const char sql_versions[] = "SELECT v.id, v.document_id, v.date, v.label, v.note, v.paragraphs, NULL, NULL, "
	                                   "v.state, v.previous_id, v.document_id FROM version v JOIN document d ON d.id = "
	                                   "v.document_id WHERE d.process_id = ? AND v.state = 'published' "
	                                   "ORDER BY v.document_id, v.date, v.id";
	struct db_stmt *st = db_stmt(db, sql_docs, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	if (db_collect(st, a, (void **)out, n, sizeof **out, document_from_row, e) != 0)
		return -1;
	if (*n == 0)
		return 0;
	if (!(st = db_stmt(db, sql_versions, e)))
		return -1;
	db_bind_int(st, 1, process_id);
	const struct db_children c = {*out, *n, sizeof **out, offsetof(struct document, id),
				      offsetof(struct document, versions), offsetof(struct document, nversions), 10};
	return db_collect_children(st, a, &c, sizeof *(*out)->versions, version_from_row, e);
}

int version_find(struct db *db, struct arena *a, int64_t id, struct version *out, struct document *doc,
		 struct error *e)
{
	static const char sql[] = "SELECT id, document_id, date, label, note, paragraphs, markdown, html, state, "
	                          "previous_id FROM version WHERE id = ?";
	static const char sql_doc[] = "SELECT id, process_id, slug, title FROM document WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	memset(doc, 0, sizeof *doc);
	if (db_collect_one(st, a, out, version_from_row, "There is no such version.", e) != 0)
		return -1;
	st = db_stmt(db, sql_doc, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, out->document_id);
	return db_collect_one(st, a, doc, document_from_row, "There is no such document.", e);
}

int version_page_state(struct db *db, struct arena *a, int64_t version_id, int64_t now, const char **state,
		       int64_t *valid_until, struct error *e)
{
	/* One statement, run for an anonymous request of a version page unless nothing has committed since
	 * it last ran (web/page_cache.c): each part is a lookup by key. The newest version is the last in
	 * document_list()'s order; a call is open from opens_at to closes_at inclusive (call_state_at()), so
	 * the state changes with time at the next opens_at or closes_at + 1. */
#define NEWEST_VERSION                                                                                         \
	"(SELECT n.id FROM version n WHERE n.document_id = v.document_id AND n.state = 'published' "           \
	"ORDER BY n.date DESC, n.id DESC LIMIT 1)"
	static const char sql[] =
		"SELECT v.id, d.comment_generation, " NEWEST_VERSION ", "
		"(SELECT min(c.id) FROM call c WHERE c.version_id = v.id AND c.opens_at <= ?2 AND ?2 <= c.closes_at), "
		"(SELECT count(*) FROM call c WHERE c.version_id = v.id AND c.opens_at <= ?2 AND ?2 <= c.closes_at), "
		"p.slug, p.title, "
		/* the page also shows the calls open on the newest version (an older version's page points to them) */
		"(SELECT min(b.t) FROM (SELECT c.opens_at AS t FROM call c WHERE c.version_id IN (v.id, " NEWEST_VERSION ") "
		"AND c.opens_at > ?2 UNION ALL SELECT c.closes_at + 1 FROM call c WHERE c.version_id IN "
		"(v.id, " NEWEST_VERSION ") AND c.closes_at + 1 > ?2) AS b), "
		"p.timezone, "
		/* its texts in other languages (core/version_text.h), and the process's languages, the first of which
		 * is its own text's: the page shows the reader's text and links to the others */
		"(SELECT count(*) FROM version_text t WHERE t.version_id = v.id), "
		"(SELECT coalesce(max(t.posted_at), 0) FROM version_text t WHERE t.version_id = v.id), p.languages "
		"FROM version v JOIN document d ON d.id = v.document_id JOIN process p ON p.id = d.process_id "
		"WHERE v.id = ?1";
#undef NEWEST_VERSION
	/* The page shows each call open on it or on the newest version with its title, deadline statement and
	 * button: what they say is in the state. */
	static const char sql_calls[] = "SELECT c.id, c.title, c.closes_at, c.version_id FROM call c "
					"WHERE c.version_id IN (?1, ?2) AND c.opens_at <= ?3 AND ?3 <= c.closes_at "
					"ORDER BY c.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	db_bind_int(st, 2, now);
	enum db_step step = db_step(st, e);
	if (step != DB_ROW) {
		db_reset(st);
		if (step == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("There is no such version."));
		return -1;
	}
	const char *slug = db_col_text(st, 5), *title = db_col_text(st, 6);
	*valid_until = db_col_null(st, 7) ? INT64_MAX : db_col_int(st, 7);
	const int64_t newest = db_col_int(st, 2);
	char *zone = arena_strdup(a, db_col_text(st, 8) ? db_col_text(st, 8) : "UTC");
	*state = arena_printf(a, "version=%lld generation=%lld newest=%lld call=%lld calls=%lld texts=%lld:%lld:%s "
			      "process=%s:%s",
			      (long long)db_col_int(st, 0), (long long)db_col_int(st, 1), (long long)db_col_int(st, 2),
			      (long long)db_col_int(st, 3), (long long)db_col_int(st, 4), (long long)db_col_int(st, 9),
			      (long long)db_col_int(st, 10), db_col_text(st, 11) ? db_col_text(st, 11) : "",
			      slug ? slug : "", title ? title : "");
	db_reset(st);
	if (!*state || !zone) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (!(st = db_stmt(db, sql_calls, e)))
		return -1;
	db_bind_int(st, 1, version_id);
	db_bind_int(st, 2, newest);
	db_bind_int(st, 3, now);
	int open = 0;
	while (*state && (step = db_step(st, e)) == DB_ROW) {
		open++;
		*state = arena_printf(a, "%s open=%lld:%lld:%lld:%s", *state, (long long)db_col_int(st, 0),
				      (long long)db_col_int(st, 3), (long long)db_col_int(st, 2),
				      db_col_text(st, 1) ? db_col_text(st, 1) : "");
	}
	db_reset(st);
	if (step != DB_DONE) {
		if (!e->code)
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (open == 0)
		return 0;
	/* An open call's deadline statement counts days in the process's zone ("21 days left", "closes today"): the
	 * page is one page per local date, and the state holds at most until that date ends. */
	char today[11];
	int64_t last;
	if (tz_date_at(zone, now, today) != 0 || tz_end_of_day(zone, today, &last) != 0) {
		error_set(e, ERROR_INTERNAL, "unknown time zone %s", zone);
		return -1;
	}
	if (last + 1 < *valid_until)
		*valid_until = last + 1;
	*state = arena_printf(a, "%s day=%s", *state, today);
	if (!*state) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

int document_comments_changed(struct db *db, int64_t call_id, struct error *e)
{
	static const char sql[] = "UPDATE document SET comment_generation = comment_generation + 1 "
				  "WHERE id = (SELECT v.document_id FROM call c JOIN version v ON v.id = c.version_id "
				  "WHERE c.id = ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	return db_exec_stmt(st, e);
}

int document_find(struct db *db, struct arena *a, int64_t process_id, const char *key, struct document *out,
		  struct error *e)
{
	static const char sql_slug[] =
		"SELECT id, process_id, slug, title FROM document WHERE process_id = ? AND slug = ?";
	static const char sql_id[] = "SELECT id, process_id, slug, title FROM document WHERE process_id = ? AND id = ?";
	bool numeric = key && *key && strspn(key, "0123456789") == strlen(key) && strlen(key) <= 18;
	struct db_stmt *st = db_stmt(db, numeric ? sql_id : sql_slug, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	if (numeric)
		db_bind_int(st, 2, strtoll(key, NULL, 10));
	else
		db_bind_text(st, 2, key ? key : "");
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, document_from_row, "This process has no such document.", e);
}

int document_add(struct db *db, struct arena *a, const struct actor *who, int64_t process_id, const char *slug,
		 const char *title, int64_t *id, struct error *e)
{
	slug = field_trimmed(a, slug);
	title = field_trimmed(a, title);
	if (!process_slug_valid(slug))
		error_field(e, "slug", _("Use 1 to 64 lower-case letters, digits and hyphens, such as guidelines."));
	field_check_line(e, "title", title, true, LIMIT_TITLE, N_("the title of the document"));
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	if (document_create(db, process_id, slug, title, id, e) != 0) {
		if (db_unique_violation(db))
			error_set(e, ERROR_CONFLICT, _("This process already has a document with the slug '%s'."),
			          slug);
		goto fail;
	}
	if (audit_record(db, who, process_id, "document.create", arena_printf(a, "document:%lld", (long long)*id), NULL,
			 audit_json(a, json_pack("{s:s,s:s}", "slug", slug, "title", title)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

struct version_news {
	const struct document *doc;
	const struct version *v;
};

/* The notice of a new version in the thread's language (subscription_compose). */
static int version_news_compose(struct arena *a, const void *ctx, const char **subject, const char **body)
{
	const struct version_news *n = ctx;
	char when[I18N_DATE_LEN];
	i18n_date_long(NULL, n->v->date, when);
	/* TRANSLATORS: a notice's subject: the document's title, the version's label and its date. */
	*subject = arena_printf(a, _("New version: %1$s, %2$s of %3$s"), n->doc->title, n->v->label, when);
	const char *posted = arena_printf(a, _("A new version of \"%1$s\" has been posted: %2$s of %3$s."),
	                                  n->doc->title, n->v->label, when);
	const char *changed = *n->v->note ? arena_printf(a, _("What changed: %s"), n->v->note) : NULL;
	*body = posted ? arena_printf(a, _("%s\n\n%s%sRead it: %s/versions/%lld\n"), posted, changed ? changed : "",
	                              changed ? "\n\n" : "", config_get()->public_url, (long long)n->v->id)
	               : NULL;
	return *subject && *body ? 0 : -1;
}

/* The notice to the process's subscribers that v has been published, inside the caller's transaction. */
static int version_announce(struct db *db, struct arena *a, const struct document *doc, const struct version *v,
                            struct error *e)
{
	const struct version_news news = {.doc = doc, .v = v};
	return subscription_notify(db, a, doc->process_id, version_news_compose, &news, e);
}

int version_add(struct db *db, struct arena *a, const struct actor *who, int64_t document_id,
		const struct version_input *in, int64_t *id, struct error *e)
{
	const char *date = field_trimmed(a, in->date);
	const char *label = field_trimmed(a, in->label);
	const char *note = field_trimmed(a, in->note);
	const char *markdown = in->markdown, *blank = field_trimmed(a, in->markdown);
	const bool has_markdown = blank && *blank, has_docx = in->docx != NULL; /* white space alone is no text */
	field_check_date(e, "date", date, true);
	field_check_line(e, "label", label, true, LIMIT_TITLE, N_("a label for the version, such as Revised draft"));
	field_check_text(e, "note", note, false, LIMIT_SUMMARY, N_("what changed"));
	if (has_markdown && has_docx)
		error_field(e, "markdown", _("Send the text as Markdown or as a Word file, not both."));
	else if (!has_markdown && !has_docx)
		error_field(e, "markdown", _("Give the text of the version, as Markdown or as a Word file (.docx)."));
	if (e->code)
		return -1;
	/* The conversion runs before the transaction: it takes seconds, and the write lock is everyone's. */
	static const struct docx_limits docx_limits = {
		.max_in = LIMIT_DOCX, .max_out = VERSION_MARKDOWN_MAX, .seconds = LIMIT_CONVERT_SECONDS};
	if (has_docx && docx_to_markdown(a, in->docx, in->docx_len, &docx_limits, "docx", &markdown, e) != 0)
		return -1;

	if (db_begin(db, e) != 0)
		return -1;
	static const char sql_doc[] = "SELECT id, process_id, slug, title FROM document WHERE id = ?";
	struct document doc;
	struct db_stmt *st = db_stmt(db, sql_doc, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, document_id);
	if (db_collect_one(st, a, &doc, document_from_row, "There is no such document.", e) != 0 ||
	    version_post(db, document_id, date, label, note, markdown, id, e) != 0)
		goto fail;
	struct version v;
	struct document same;
	if (version_find(db, a, *id, &v, &same, e) != 0)
		goto fail;
	const char *object = arena_printf(a, "version:%lld", (long long)*id);
	const char *after = audit_json(
	    a, json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:s}", "document", (json_int_t)doc.id, "document_slug", doc.slug,
	                 "date", v.date, "label", v.label, "note", v.note, "paragraphs", v.paragraphs, "source",
	                 has_docx || (in->converted_from && !strcmp(in->converted_from, "docx")) ? "docx" : "markdown",
	                 "state", version_state_name(v.state)));
	if (!object) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto fail;
	}
	if (audit_record(db, who, doc.process_id, "version.post", object, NULL, after, e) != 0 ||
	    (v.state == VERSION_PUBLISHED && version_announce(db, a, &doc, &v, e) != 0) || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int version_newest(struct db *db, struct arena *a, int64_t document_id, struct version *out, struct error *e)
{
	static const char sql[] =
	    "SELECT id, document_id, date, label, note, paragraphs, NULL, NULL, state, previous_id "
	    "FROM version WHERE document_id = ? AND state = 'published' "
	    "ORDER BY date DESC, id DESC LIMIT 1";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, document_id);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, version_from_row, "The document has no published version.", e);
}

int version_drafts(struct db *db, struct arena *a, int64_t process_id, struct version **out, int *n, struct error *e)
{
	static const char sql[] = "SELECT v.id, v.document_id, v.date, v.label, v.note, v.paragraphs, NULL, NULL, "
	                          "v.state, v.previous_id FROM version v JOIN document d ON d.id = v.document_id "
	                          "WHERE d.process_id = ? AND v.state = 'draft' ORDER BY v.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, version_from_row, e);
}

/* Applies one decision to paragraph p (in place) of a draft matched against the paragraphs old[0..nold). */
static int decide(struct arena *a, struct paragraph *p, const char *choice, const struct paragraph *old, int nold,
                  long long *next, struct error *e)
{
	if (!strcmp(choice, "same")) {
		p->uncertain = false;
		return 0;
	}
	if (!strcmp(choice, "new")) {
		p->pid = arena_printf(a, "p%lld", (*next)++);
		p->relation = paragraph_relation_name(PARAGRAPH_NEW);
		p->nfrom = 0;
		p->similarity = -1;
		p->uncertain = false;
		return p->pid ? 0 : -1;
	}
	for (int j = 0; j < nold; j++)
		if (!strcmp(old[j].pid, choice)) {
			p->pid = old[j].pid;
			p->from = arena_alloc(a, sizeof *p->from);
			if (!p->from)
				return -1;
			p->from[0] = old[j].pid;
			p->nfrom = 1;
			double sim = paragraph_similarity(old[j].text, p->text);
			p->similarity = (int)(sim * 1000 + 0.5);
			p->relation = paragraph_relation_name(strcmp(old[j].text, p->text) ? PARAGRAPH_EDITED
			                                                                   : PARAGRAPH_UNCHANGED);
			p->uncertain = false;
			return 0;
		}
	error_field(e, "decisions",
	            _("¶%d: the previous version has no paragraph %s; choose same, new or one of its "
	              "paragraph ids."),
	            p->number, choice);
	return 1;
}

int version_confirm(struct db *db, struct arena *a, const struct actor *who, int64_t version_id,
                    const struct match_decision *decisions, int n, bool publish, struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	struct version v;
	struct document doc;
	struct paragraph *p, *old = NULL;
	int np, nold = 0;
	long long next;
	if (version_find(db, a, version_id, &v, &doc, e) != 0)
		goto fail;
	if (v.state != VERSION_DRAFT) {
		error_set(e, ERROR_CONFLICT, _("This version is already published: its paragraphs are settled."));
		goto fail;
	}
	if (paragraph_list(db, a, version_id, &p, &np, e) != 0 ||
	    (v.previous_id && paragraph_list(db, a, v.previous_id, &old, &nold, e) != 0) ||
	    paragraph_next_pid(db, v.document_id, &next, e) != 0)
		goto fail;
	json_t *applied = json_array();
	for (int k = 0; k < n; k++) {
		const struct match_decision *d = &decisions[k];
		if (d->number < 1 || d->number > np || !d->choice) {
			error_field(e, "decisions", _("The version has no paragraph ¶%d."), d->number);
			continue;
		}
		struct paragraph *q = &p[d->number - 1];
		int r = decide(a, q, d->choice, old, nold, &next, e);
		if (r < 0) {
			json_decref(applied);
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		if (r == 0)
			json_array_append_new(applied, json_pack("{s:i,s:s,s:s}", "number", q->number, "choice",
			                                         d->choice, "pid", q->pid));
	}
	/* One paragraph per id: a choice that gives a paragraph the id another one keeps is refused. */
	for (int i = 0; !e->code && i < np; i++)
		for (int k = i + 1; k < np; k++)
			if (!strcmp(p[i].pid, p[k].pid)) {
				error_field(e, "decisions",
				            _("¶%d and ¶%d would both be paragraph %s: make one of them a different "
				              "paragraph (new)."),
				            p[i].number, p[k].number, p[i].pid);
				break;
			}
	if (e->code) {
		json_decref(applied);
		goto fail;
	}
	const char *object = arena_printf(a, "version:%lld", (long long)version_id);
	if (n) {
		/* The rows and the page again, with the ids chosen. */
		struct markdown_block *blocks;
		int nblocks;
		const char **ids = arena_alloc(a, sizeof *ids * (size_t)(np + 1));
		struct paragraph_match *m = arena_alloc(a, sizeof *m * (size_t)(np + 1));
		if (!ids || !m || markdown_blocks(a, v.markdown, &blocks, &nblocks) != 0) {
			json_decref(applied);
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		for (int i = 0; i < np; i++) {
			ids[i] = p[i].pid;
			enum paragraph_relation rel = PARAGRAPH_NEW;
			paragraph_relation_parse(p[i].relation, &rel);
			m[i] = (struct paragraph_match){.pid = p[i].pid,
			                                .relation = rel,
			                                .from = p[i].from,
			                                .nfrom = p[i].nfrom,
			                                .similarity = p[i].similarity / 1000.0,
			                                .uncertain = p[i].uncertain};
		}
		/* A paragraph given another one's id may now be moved, or no longer moved. */
		struct match_source *src = arena_alloc(a, sizeof *src * (size_t)(nold + 1));
		const char **texts = arena_alloc(a, sizeof *texts * (size_t)(np + 1));
		if (!src || !texts) {
			json_decref(applied);
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		for (int j = 0; j < nold; j++)
			src[j] = (struct match_source){old[j].pid, old[j].text};
		for (int i = 0; i < np; i++)
			texts[i] = p[i].text;
		if (paragraph_match_order(src, nold, texts, m, np) != 0) {
			json_decref(applied);
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		struct buf html;
		buf_init(&html, 16 * (size_t)VERSION_MARKDOWN_MAX);
		int count = markdown_assemble(blocks, nblocks, ids, &html);
		static const char sql_html[] = "UPDATE version SET html = ? WHERE id = ?";
		struct db_stmt *st = count == np ? db_stmt(db, sql_html, e) : NULL;
		if (count != np && !e->code)
			error_set(e, ERROR_INTERNAL, "The text could not be rendered.");
		if (st) {
			db_bind_text(st, 1, html.data ? html.data : "");
			db_bind_int(st, 2, version_id);
		}
		int rc = !st || db_exec_stmt(st, e) != 0 || paragraph_clear(db, version_id, e) != 0 ||
		         paragraph_store(db, version_id, blocks, nblocks, ids, m, e) != 0;
		buf_free(&html);
		if (rc) {
			json_decref(applied);
			goto fail;
		}
		if (audit_record(db, who, doc.process_id, "version.match", object, NULL,
		                 audit_json(a, json_pack("{s:o}", "decisions", applied)), e) != 0)
			goto fail;
	} else {
		json_decref(applied);
	}
	if (publish) {
		int left = 0;
		for (int i = 0; i < np; i++)
			left += p[i].uncertain;
		if (left) {
			error_set(e, ERROR_CONFLICT,
			          i18n_n("%d paragraph match is still uncertain: decide it before publishing.",
			                 "%d paragraph matches are still uncertain: decide them before publishing.",
			                 (unsigned long)left),
			          left);
			goto fail;
		}
		static const char sql_publish[] = "UPDATE version SET state = 'published' WHERE id = ?";
		struct db_stmt *st = db_stmt(db, sql_publish, e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, version_id);
		v.state = VERSION_PUBLISHED;
		if (db_exec_stmt(st, e) != 0 || search_version_sync(db, version_id, e) != 0 ||
		    audit_record(db, who, doc.process_id, "version.publish", object, NULL,
		                 audit_json(a, json_pack("{s:s,s:s}", "date", v.date, "label", v.label)), e) != 0 ||
		    version_announce(db, a, &doc, &v, e) != 0)
			goto fail;
	}
	if (db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
