/*
 * version_text — one version of a document in several languages.
 *
 * A version's own text is in its process's first language (process.languages);
 * the secretariat gives the same version in each other language of the process
 * as Markdown. Such a text must have the same numbered paragraphs as the
 * version, in the same order and of the same kinds (a paragraph, a list item,
 * a heading or rule between them): its paragraphs then take the version's
 * paragraph ids one to one, so that ¶12 in French is ¶12 in English, and a
 * comment on it (core/comment.h holds the id) is on both. A text that does not
 * align is refused, the first paragraph where it parts from the version named.
 */
#ifndef CONSULTA_CORE_VERSION_TEXT_H
#define CONSULTA_CORE_VERSION_TEXT_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

struct version_text {
	int64_t version_id;
	const char *language; /* a BCP 47 tag: "fr" */
	const char *markdown;
	const char *html;     /* numbered paragraphs with the version's ids (render/markdown.h's page) */
	int64_t posted_at;
};

/*
 * Gives (or replaces) version_id's text in language: checks it (the language one of the process's but its first;
 * the version published, not a draft whose ids may change; the text aligned), assembles its page with the
 * version's paragraph ids and stores it, with audit "version.text". One transaction. Errors name "language" or
 * "markdown" (with the paragraph ¶N where the text parts from the version); ERROR_NOT_FOUND for no such
 * version; ERROR_CONFLICT for a draft.
 */
int version_text_put(struct db *db, struct arena *a, const struct actor *who, int64_t version_id,
		     const char *language, const char *markdown, struct error *e);

/* version_id's text in language; ERROR_NOT_FOUND if it has none in it. */
int version_text_find(struct db *db, struct arena *a, int64_t version_id, const char *language,
		      struct version_text *out, struct error *e);

/* The languages version_id has a text in besides its own, in tag order (in a). */
int version_text_languages(struct db *db, struct arena *a, int64_t version_id, const char ***out, int *n,
			   struct error *e);

#endif
