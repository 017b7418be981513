/* version_text — see version_text.h. */
#include "core/version_text.h"

#include "core/document.h"
#include "core/field.h"
#include "core/language.h"
#include "core/paragraph.h"
#include "core/process.h"
#include "core/search.h"
#include "render/markdown.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"

#include <jansson.h>
#include <string.h>

/* What a block is, as far as alignment goes: its kind, in words for the message naming where texts part. */
enum block_kind { BLOCK_NONE, BLOCK_PARAGRAPH, BLOCK_LIST_ITEM, BLOCK_OTHER };

static enum block_kind kind_of(const struct markdown_block *b)
{
	if (!b)
		return BLOCK_NONE;
	if (!b->numbered)
		return BLOCK_OTHER;
	return b->list ? BLOCK_LIST_ITEM : BLOCK_PARAGRAPH;
}

static const char *kind_words(enum block_kind k)
{
	switch (k) {
	case BLOCK_NONE: return "nothing more";
	case BLOCK_PARAGRAPH: return "a paragraph";
	case BLOCK_LIST_ITEM: return "a list item";
	case BLOCK_OTHER: return "a heading or a rule";
	}
	return "";
}

/*
 * Compares the shapes of the version's blocks (v) and of the text's (t), block by block: 0 if they align, else -1
 * with a message for "markdown" naming the paragraph ¶N where they part (the version's paragraph at that place,
 * or the last one before it and "after").
 */
static int blocks_align(const struct markdown_block *v, int nv, const struct markdown_block *t, int nt,
			const char *language, struct error *e)
{
	int numbered = 0;
	for (int i = 0; i < nv || i < nt; i++) {
		const enum block_kind kv = kind_of(i < nv ? &v[i] : NULL), kt = kind_of(i < nt ? &t[i] : NULL);
		if (kv == kt) {
			numbered += kv == BLOCK_PARAGRAPH || kv == BLOCK_LIST_ITEM;
			continue;
		}
		if (kv == BLOCK_PARAGRAPH || kv == BLOCK_LIST_ITEM)
			error_field(e, "markdown",
				    "The %s text does not align with the version at \u00b6%d: the version has %s there, "
				    "the %s text has %s. Each numbered paragraph must match one of the version's, in order.",
				    language, numbered + 1, kind_words(kv), language, kind_words(kt));
		else if (numbered == 0)
			error_field(e, "markdown",
				    "The %s text does not align with the version before \u00b61: the version has %s there, "
				    "the %s text has %s. Each numbered paragraph must match one of the version's, in order.",
				    language, kind_words(kv), language, kind_words(kt));
		else
			error_field(e, "markdown",
				    "The %s text does not align with the version after \u00b6%d: the version has %s there, "
				    "the %s text has %s. Each numbered paragraph must match one of the version's, in order.",
				    language, numbered, kind_words(kv), language, kind_words(kt));
		return -1;
	}
	return 0;
}

int version_text_put(struct db *db, struct arena *a, const struct actor *who, int64_t version_id,
		     const char *language, const char *markdown, struct error *e)
{
	char tag[LANGUAGE_TAG_LEN];
	const char *blank = field_trimmed(a, markdown);
	if (!blank || !*blank)
		error_field(e, "markdown", "%s", _("Give the text of the version in that language, as Markdown."));
	else
		field_check_text(e, "markdown", markdown, true, VERSION_MARKDOWN_MAX, N_("the text"));
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct version v;
	struct document doc;
	struct process p;
	if (version_find(db, a, version_id, &v, &doc, e) != 0 || process_find_id_bare(db, a, doc.process_id, &p, e) != 0)
		goto fail;
	if (v.state == VERSION_DRAFT) {
		error_set(e, ERROR_CONFLICT, "%s",
			  _("This version is a draft: confirm its paragraphs first, then give its text in other languages "
			    "(their paragraphs take the version's ids)."));
		goto fail;
	}
	const int place = process_other_language(a, &p, language, tag, e);
	if (place == 0)
		error_field(e, "language", _("The version's own text is in %s, the process's first language."), tag);
	if (place <= 0)
		goto fail;
	struct markdown_block *vb, *tb;
	int nv, nt;
	struct paragraph *ps;
	int np;
	if (markdown_blocks(a, v.markdown, &vb, &nv) != 0 || markdown_blocks(a, markdown, &tb, &nt) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto fail;
	}
	if (blocks_align(vb, nv, tb, nt, tag, e) != 0 || paragraph_list(db, a, version_id, &ps, &np, e) != 0)
		goto fail;
	const char **ids = arena_alloc(a, sizeof *ids * (size_t)(np ? np : 1));
	if (!ids) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto fail;
	}
	for (int i = 0; i < np; i++)
		ids[i] = ps[i].pid; /* in document order: ¶1 first */
	struct buf html;
	buf_init(&html, 16 * (size_t)VERSION_MARKDOWN_MAX);
	const int count = markdown_assemble(tb, nt, ids, &html);
	const char *page = count == np && html.data ? arena_strdup(a, html.data) : NULL;
	buf_free(&html);
	if (!page) {
		/* aligned blocks number as many paragraphs as the version has: only a full buffer gets here */
		error_set(e, ERROR_INTERNAL, "The text could not be rendered.");
		goto fail;
	}
	static const char sql[] =
		"INSERT INTO version_text (version_id, language, markdown, html, posted_at) VALUES (?, ?, ?, ?, ?) "
		"ON CONFLICT (version_id, language) DO UPDATE SET markdown = excluded.markdown, html = excluded.html, "
		"posted_at = excluded.posted_at";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, version_id);
	db_bind_text(st, 2, tag);
	db_bind_text(st, 3, markdown);
	db_bind_text(st, 4, page);
	db_bind_int(st, 5, clock_now());
	/* its paragraphs in search, in this language too (the version is published: no draft gets here) */
	if (db_exec_stmt(st, e) != 0 || search_version_sync(db, version_id, e) != 0)
		goto fail;
	const char *object = arena_printf(a, "version:%lld", (long long)version_id);
	const char *after = audit_json(a, json_pack("{s:s,s:i}", "language", tag, "paragraphs", np));
	if (!object || !after) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto fail;
	}
	if (audit_record(db, who, doc.process_id, "version.text", object, NULL, after, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int text_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct version_text *t = element;
	bool failed = false;
	t->version_id = db_col_int(st, 0);
	t->language = db_col_dup(st, 1, a, &failed);
	t->markdown = db_col_dup(st, 2, a, &failed);
	t->html = db_col_dup(st, 3, a, &failed);
	t->posted_at = db_col_int(st, 4);
	return failed ? -1 : 0;
}

int version_text_find(struct db *db, struct arena *a, int64_t version_id, const char *language,
		      struct version_text *out, struct error *e)
{
	static const char sql[] = "SELECT version_id, language, markdown, html, posted_at FROM version_text "
				  "WHERE version_id = ? AND language = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	char tag[LANGUAGE_TAG_LEN];
	language_tag_normalize(language, tag); /* "" for what is no tag: found in no language */
	db_bind_int(st, 1, version_id);
	db_bind_text(st, 2, tag);
	return db_collect_one(st, a, out, text_from_row, "This version has no text in that language.", e);
}

static int language_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int version_text_languages(struct db *db, struct arena *a, int64_t version_id, const char ***out, int *n,
			   struct error *e)
{
	static const char sql[] = "SELECT language FROM version_text WHERE version_id = ? ORDER BY language";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	*out = NULL;
	return db_collect(st, a, (void **)out, n, sizeof **out, language_from_row, e);
}

/* Whether tag is among list[0..n). */
static bool listed(const char *const *list, int n, const char *tag)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], tag))
			return true;
	return false;
}

int version_text_choose(struct db *db, struct arena *a, const int64_t *versions, int n, const char *languages,
			const char *reader, struct version_text_choice *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	const size_t first = languages ? strcspn(languages, ", ") : 0;
	out->own = first ? arena_strndup(a, languages, first) : "en"; /* process.languages' default */
	/* The languages every version has a text in: the first's, less those another lacks. */
	const char **common = NULL;
	int ncommon = 0;
	for (int i = 0; i < n; i++) {
		const char **texts;
		int ntexts;
		if (version_text_languages(db, a, versions[i], &texts, &ntexts, e) != 0)
			return -1;
		if (i == 0) {
			common = texts;
			ncommon = ntexts;
			continue;
		}
		int kept = 0;
		for (int k = 0; k < ncommon; k++)
			if (listed(texts, ntexts, common[k]))
				common[kept++] = common[k];
		ncommon = kept;
	}
	if (!out->own)
		goto oom;
	out->shown = out->own;
	if (reader && *reader && strcmp(reader, out->own) != 0) {
		if (listed(common, ncommon, reader))
			out->shown = arena_strdup(a, reader);
		else
			out->missing = arena_strdup(a, reader);
		if (!(out->missing ? out->missing : out->shown))
			goto oom;
	}
	out->others = arena_alloc(a, sizeof *out->others * (size_t)(ncommon + 1));
	if (!out->others)
		goto oom;
	if (strcmp(out->shown, out->own) != 0)
		out->others[out->nothers++] = out->own;
	for (int k = 0; k < ncommon; k++)
		if (strcmp(common[k], out->shown) != 0)
			out->others[out->nothers++] = common[k];
	return 0;
oom:
	error_set(e, ERROR_UNAVAILABLE, "out of memory");
	return -1;
}

int version_text_overlay(struct db *db, struct arena *a, int64_t version_id, const char *language,
			 struct paragraph *ps, int n, bool *in, struct error *e)
{
	if (in)
		*in = false;
	if (!language || !*language || n == 0)
		return 0;
	struct version_text t;
	if (version_text_find(db, a, version_id, language, &t, e) != 0) {
		if (strcmp(e->code, ERROR_NOT_FOUND) != 0)
			return -1;
		error_clear(e); /* no text in it: the version's own paragraphs */
		return 0;
	}
	struct markdown_block *b;
	int nb;
	if (markdown_blocks(a, t.markdown, &b, &nb) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	/* The numbered blocks in order: the k-th is ¶k's (version_text_put refused a text that did not align). */
	const struct markdown_block **numbered = arena_alloc(a, sizeof *numbered * (size_t)(nb + 1));
	if (!numbered) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	int count = 0;
	for (int i = 0; i < nb; i++)
		if (b[i].numbered)
			numbered[count++] = &b[i];
	for (int i = 0; i < n; i++)
		if (ps[i].number < 1 || ps[i].number > count)
			return 0; /* cannot be once given: the own text rather than a misplaced one */
	for (int i = 0; i < n; i++) {
		const struct markdown_block *k = numbered[ps[i].number - 1];
		ps[i].text = k->text;
		ps[i].source = k->source;
		ps[i].html = k->html;
	}
	if (in)
		*in = true;
	return 0;
}

int version_text_paragraphs(struct db *db, struct arena *a, int64_t version_id, const char *language,
			    struct paragraph **out, int *n, bool *in, struct error *e)
{
	if (in)
		*in = false;
	if (paragraph_list(db, a, version_id, out, n, e) != 0)
		return -1;
	return version_text_overlay(db, a, version_id, language, *out, *n, in, e);
}
