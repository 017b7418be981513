/*
 * compare — two versions of one document, paragraph by paragraph.
 *
 * Paragraphs are paired by their id (pid): the same pid in two versions of a
 * document is the same paragraph (core/paragraph.h). A paragraph in both is
 * unchanged or edited where it kept its place, and moved where its order
 * among the paired paragraphs changed: the paragraphs that keep their order
 * are a longest increasing subsequence of their old positions taken in the
 * new order, so that one paragraph moved from ¶4 to ¶9 is the one marked
 * moved, not the five it jumped over. A paragraph only in the new version is
 * added, one only in the old is removed. Edited (and moved-and-edited)
 * paragraphs carry the word operations of render/diff.h.
 *
 * The rows come in the order of the new version, each removed paragraph
 * after the paragraphs that came before it in the old one, so an inline view
 * reads top to bottom.
 */
#ifndef CONSULTA_CORE_COMPARE_H
#define CONSULTA_CORE_COMPARE_H

#include "core/document.h"
#include "core/paragraph.h"
#include "render/diff.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Split and merged are for paragraph rows that say a paragraph came from
 * several, or several from one (issue 8, item 2); pairing by pid alone gives
 * the other five. */
enum compare_status {
	COMPARE_UNCHANGED,
	COMPARE_EDITED,
	COMPARE_MOVED,
	COMPARE_ADDED,
	COMPARE_REMOVED,
	COMPARE_SPLIT,
	COMPARE_MERGED,
};
enum { COMPARE_NSTATUS = COMPARE_MERGED + 1 };

/* "unchanged", "edited", "moved", "added", "removed", "split", "merged". */
const char *compare_status_name(enum compare_status s);
bool compare_status_parse(const char *name, enum compare_status *out);

struct compare_row {
	const char *pid;
	enum compare_status status;
	const struct paragraph *a; /* in the old version, or NULL (added) */
	const struct paragraph *b; /* in the new version, or NULL (removed) */
	bool changed;              /* in both, and its text or Markdown differs (edited, or moved and edited) */
	struct diff_op *ops;       /* when changed: the words of a's text into b's */
	int nops;
};

struct comparison {
	struct document doc; /* the document both versions belong to (without its list of versions) */
	struct version a, b; /* without their text */
	struct compare_row *rows;
	int nrows;
	int count[COMPARE_NSTATUS]; /* rows per status */
	bool language_text;         /* the paragraphs are those of both versions' texts in the language asked for */
};

/* Compares version a_id (old) with b_id (new), into the arena. ERROR_NOT_FOUND if either version does not
 * exist or they are versions of different documents, or either is a draft and drafts is false (only the
 * secretariat sees drafts); a_id == b_id is allowed (every paragraph unchanged).
 * ERROR_UNAVAILABLE when the database or memory fails. */
int compare_versions(struct db *db, struct arena *a, int64_t a_id, int64_t b_id, bool drafts,
                     struct comparison *out, struct error *e);
/* The same, with both versions' texts in language (core/version_text.h: version_text_paragraphs) when both have
 * one in it, else their own texts (out->language_text says which); language NULL: their own. */
int compare_versions_in(struct db *db, struct arena *a, int64_t a_id, int64_t b_id, bool drafts,
                        const char *language, struct comparison *out, struct error *e);

#endif
