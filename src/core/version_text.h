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
 *
 * Every page that shows a version's text shows it in the reader's language by
 * one choice, version_text_choose() (the version's page, a paragraph's page,
 * two versions compared), and takes its paragraphs from
 * version_text_paragraphs(); search indexes each language's paragraphs
 * (core/search.c), the open data exports each text (core/export.c).
 */
#ifndef CONSULTA_CORE_VERSION_TEXT_H
#define CONSULTA_CORE_VERSION_TEXT_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

struct paragraph;

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
 * version's paragraph ids and stores it, with its paragraphs in search, and audit "version.text". One
 * transaction. Errors name "language" or "markdown" (with the paragraph ¶N where the text parts from the version);
 * ERROR_NOT_FOUND for no such version; ERROR_CONFLICT for a draft.
 */
int version_text_put(struct db *db, struct arena *a, const struct actor *who, int64_t version_id,
		     const char *language, const char *markdown, struct error *e);

/* version_id's text in language; ERROR_NOT_FOUND if it has none in it. */
int version_text_find(struct db *db, struct arena *a, int64_t version_id, const char *language,
		      struct version_text *out, struct error *e);

/* The languages version_id has a text in besides its own, in tag order (in a). */
int version_text_languages(struct db *db, struct arena *a, int64_t version_id, const char ***out, int *n,
			   struct error *e);

/*
 * Which text of versions[0..n) a reader gets (one version, or two compared: every one of them must have it): the
 * version's own text is in the process's first language (languages: "en,fr", its list); reader is the language
 * asked for (a ?text= link, else the reader's interface language; NULL or "" reads as the own). The one mechanism
 * every page that shows a version's text follows (web/page.h: page_text_language, whose notice and links page_text_notice writes).
 */
struct version_text_choice {
	const char *shown;   /* the language of the text to show: the reader's if every version has a text in it */
	const char *own;     /* the versions' own language, the process's first */
	const char *missing; /* the reader's language when it is not the own and some version has no text in it;
			      * NULL when the reader gets their language */
	const char **others; /* the languages, besides shown, that every version has a text in: own first, then by tag */
	int nothers;
};

/* Fills out for reader (strings in a). 0, or -1 with e when the database fails. */
int version_text_choose(struct db *db, struct arena *a, const int64_t *versions, int n, const char *languages,
			const char *reader, struct version_text_choice *out, struct error *e);

/*
 * The paragraphs of version_id as its text in language has them: paragraph_list()'s (ids, numbers, where each
 * came from), each with the text, Markdown and HTML of the language text's paragraph at its place (the k-th
 * numbered block of that text for ¶k: version_text_put() refused a text that did not align). language NULL, the
 * version's own, or one it has no text in: the version's own paragraphs. *in (may be NULL) says whether the
 * language's were given. In a. 0, or -1 with e.
 */
int version_text_paragraphs(struct db *db, struct arena *a, int64_t version_id, const char *language,
			    struct paragraph **out, int *n, bool *in, struct error *e);

/* The same for paragraphs of version_id already read (all of them or some: ps[i].number says which of the
 * text's paragraphs is ps[i]'s), in place; *in (may be NULL) as above. 0, or -1 with e. */
int version_text_overlay(struct db *db, struct arena *a, int64_t version_id, const char *language,
			 struct paragraph *ps, int n, bool *in, struct error *e);

#endif
