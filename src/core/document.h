/*
 * document — the text being prepared and its dated versions.
 *
 * A version is posted as Markdown; it is rendered once, when posted, to HTML
 * with numbered paragraphs (render/markdown.h), and the HTML is kept so that
 * reading a version costs one lookup.
 */
#ifndef CONSULTA_CORE_DOCUMENT_H
#define CONSULTA_CORE_DOCUMENT_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { VERSION_MARKDOWN_MAX = 2 * 1024 * 1024 };

/* A version is a draft while the matches of its paragraphs wait for the secretariat (core/paragraph.h): not
 * public, in no list, announced to no one. */
enum version_state { VERSION_PUBLISHED, VERSION_DRAFT };
const char *version_state_name(enum version_state s); /* "published", "draft" */
int version_state_parse(const char *name, enum version_state *out);

struct version {
	int64_t id;
	int64_t document_id;
	const char *date; /* YYYY-MM-DD */
	const char *label;
	const char *note;
	const char *markdown; /* loaded only by version_find */
	const char *html;     /* loaded only by version_find */
	int paragraphs;
	enum version_state state;
	int64_t previous_id; /* the version its paragraphs were matched against; 0 for the first */
};

struct document {
	int64_t id;
	int64_t process_id;
	const char *slug;
	const char *title;
	struct version *versions; /* oldest first */
	int nversions;
};

/* document_create() and version_post() write inside their caller's
 * transaction and record nothing (for loaders such as the demo). version_post
 * matches the paragraphs against the document's latest version; if some
 * matches are uncertain the version is stored as a draft (version_find says).
 * ERROR_CONFLICT while the document has a draft. */
int document_create(struct db *db, int64_t process_id, const char *slug, const char *title, int64_t *id,
		    struct error *e);
int version_post(struct db *db, int64_t document_id, const char *date, const char *label, const char *note,
		 const char *markdown, int64_t *id, struct error *e);

/* The documents of a process with their published versions (without their text). */
int document_list(struct db *db, struct arena *a, int64_t process_id, struct document **out, int *n,
		  struct error *e);
/* One version with its text, and the document it belongs to. */
int version_find(struct db *db, struct arena *a, int64_t id, struct version *out, struct document *doc,
		 struct error *e);

/* Row fills (store/db.h) for the core's own queries of documents and versions: a document's row is
 * "id, process_id, slug, title"; a version's is "id, document_id, date, label, note, paragraphs, markdown,
 * html, state, previous_id" (markdown and html may be selected as NULL for a version without its text). */
int document_from_row(struct arena *a, struct db_stmt *st, void *element);
int version_from_row(struct arena *a, struct db_stmt *st, void *element);

/* The newest published version of a document (by date, then id; without its text), or ERROR_NOT_FOUND. */
int version_newest(struct db *db, struct arena *a, int64_t document_id, struct version *out, struct error *e);

/* The drafts of a process's documents, oldest first (without their text). */
int version_drafts(struct db *db, struct arena *a, int64_t process_id, struct version **out, int *n, struct error *e);

/* What a version's public page is made of besides the version itself, as
 * one short string, read with one query: the version, the document's newest
 * version (the "newer version exists" notice), the call open on this version
 * at `now`, if any (its "Comment on" links), the generation of the
 * document's published comments (their counts per paragraph, and the
 * published answers that the "You said, we did" section counts) and the
 * process's title (the breadcrumb). Two requests with the same state get the
 * same page (for the same visitor), so web/page_cache.c keeps the page under
 * it; anything a version page starts to show must be added here. The string
 * is in a; *valid_until is the first instant after now when the state changes
 * with time alone (a call on the version opens or closes, or, while one is
 * open, the local date ends: its deadline statement counts the days left, so
 * the state names the date in the process's zone and each open call's title
 * and deadline; INT64_MAX if none).
 * ERROR_NOT_FOUND if there is no such version. */
int version_page_state(struct db *db, struct arena *a, int64_t version_id, int64_t now, const char **state,
		       int64_t *valid_until, struct error *e);

/* Records that the published comments of call_id's version, or their
 * published answers (and so its document's pages) may have changed: bumps the document's
 * comment_generation. Inside the caller's write transaction, the one that
 * makes the change, so that no page is built from the new comments under the
 * old generation. */
int document_comments_changed(struct db *db, int64_t call_id, struct error *e);

/* The document of process process_id named by key: its slug, or its id in
 * decimal. ERROR_NOT_FOUND if the process has no such document. */
int document_find(struct db *db, struct arena *a, int64_t process_id, const char *key, struct document *out,
		  struct error *e);

/*
 * The back office: the secretariat's way in, for the web pages and the API
 * alike. Each call is one change, in one transaction with its audit entry.
 */

/* A new document of a process; audit "document.create". ERROR_CONFLICT if the slug is taken. */
int document_add(struct db *db, struct arena *a, const struct actor *who, int64_t process_id, const char *slug,
		 const char *title, int64_t *id, struct error *e);

/* A version as the secretariat sends it: Markdown (pasted or uploaded), or a
 * Word file (.docx) that is converted to Markdown. Exactly one of the two. */
struct version_input {
	const char *date;  /* YYYY-MM-DD: the version's date, as the text says it */
	const char *label; /* "Revised draft" */
	const char *note;  /* what changed; may be empty */
	const char *markdown;
	const void *docx;
	size_t docx_len;
	/* "docx" when markdown is a Word file's text that the back office converted already (it shows the text
	 * on a second page before posting it): the audit entry's source says so. NULL otherwise. */
	const char *converted_from;
};

/* Posts a new version of a document: converts a .docx first (outside the
 * transaction: it takes seconds), then stores and renders it, its paragraphs
 * matched against the previous version's, with audit "version.post". When no
 * match is uncertain it is published at once with a notice to the process's
 * subscribers; otherwise it is a draft (v.state) until version_confirm.
 * Errors name the fields date, label, note, markdown or docx. */
int version_add(struct db *db, struct arena *a, const struct actor *who, int64_t document_id,
		const struct version_input *in, int64_t *id, struct error *e);

/* The secretariat's decision on one paragraph of a draft, by its number ¶N: "same" (the match proposed is
 * right), "new" (it is a different paragraph: a fresh id), or the pid of the previous version's paragraph it
 * came from. */
struct match_decision {
	int number;
	const char *choice;
};

/* Confirms the paragraphs of draft version_id: applies the decisions (ids reassigned, the page assembled
 * again; audit "version.match"), then, if publish, publishes it (audit "version.publish" and the notice to
 * subscribers). One transaction. ERROR_CONFLICT if the version is not a draft, or if publish and a match is
 * still uncertain; errors name "decisions" (with the paragraph) for a choice that is not possible. */
int version_confirm(struct db *db, struct arena *a, const struct actor *who, int64_t version_id,
                    const struct match_decision *decisions, int n, bool publish, struct error *e);

#endif
