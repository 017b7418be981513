/*
 * document — the text being prepared and its dated versions.
 *
 * A version is posted as Markdown; it is rendered once, when posted, to HTML
 * with numbered paragraphs (render/markdown.h), and the HTML is kept so that
 * reading a version costs one lookup.
 */
#ifndef CONSULTA_CORE_DOCUMENT_H
#define CONSULTA_CORE_DOCUMENT_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

enum { VERSION_MARKDOWN_MAX = 2 * 1024 * 1024 };

struct version {
	int64_t id;
	int64_t document_id;
	const char *date; /* YYYY-MM-DD */
	const char *label;
	const char *note;
	const char *markdown; /* loaded only by version_find */
	const char *html;     /* loaded only by version_find */
	int paragraphs;
};

struct document {
	int64_t id;
	int64_t process_id;
	const char *slug;
	const char *title;
	struct version *versions; /* oldest first */
	int nversions;
};

int document_create(struct db *db, int64_t process_id, const char *slug, const char *title, int64_t *id,
		    struct error *e);
int version_post(struct db *db, int64_t document_id, const char *date, const char *label, const char *note,
		 const char *markdown, int64_t *id, struct error *e);

/* The documents of a process with their versions (without their text). */
int document_list(struct db *db, struct arena *a, int64_t process_id, struct document **out, int *n,
		  struct error *e);
/* One version with its text, and the document it belongs to. */
int version_find(struct db *db, struct arena *a, int64_t id, struct version *out, struct document *doc,
		 struct error *e);

#endif
