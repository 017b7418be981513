/*
 * paragraph — the numbered paragraphs of a version, and the ids they keep.
 *
 * A version's Markdown is split into blocks (render/markdown.h); each block
 * people comment on is a paragraph, stored as a row with its id (pid), its
 * number ¶N in document order, its plain text, its Markdown and its HTML.
 * The ids of a document's first version are p1..pN; a later version's
 * paragraphs are matched against the previous version's by content
 * (core/paragraph_match.h) by paragraph_assign(), which says, for each, which
 * paragraph(s) it came from and how; a paragraph that came from none gets an
 * id no version of the document ever used.
 */
#ifndef CONSULTA_CORE_PARAGRAPH_H
#define CONSULTA_CORE_PARAGRAPH_H

#include "core/paragraph_match.h"
#include "render/markdown.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

struct paragraph {
	int64_t id;
	int64_t version_id;
	const char *pid;    /* "p3": the same paragraph in every version of the document */
	int number;         /* ¶N, in document order, from 1 */
	const char *text;   /* plain text */
	const char *source; /* Markdown */
	const char *html;   /* rendered, without its number */
	/* Where it came from; relation is NULL in a document's first version. */
	const char *relation; /* paragraph_relation_name() */
	const char **from;    /* pids of the previous version, most similar first */
	int nfrom;
	int similarity; /* with from[0], in thousandths; -1 when none */
	bool uncertain; /* the match awaits the secretariat's confirmation */
};

/* The paragraphs of a version, in document order. */
int paragraph_list(struct db *db, struct arena *a, int64_t version_id, struct paragraph **out, int *n, struct error *e);

/* One paragraph of a version by its id; ERROR_NOT_FOUND if the version has none such. */
int paragraph_find(struct db *db, struct arena *a, int64_t version_id, const char *pid, struct paragraph *out,
                   struct error *e);

/* Gives ids to the numbered blocks of a new version of document_id, matching them against the paragraphs of
 * previous_id (0 for a document's first version: p1..pN, and *matches NULL). In the arena: ids[k] for the
 * k-th numbered block, and matches[k] what was decided for it. *uncertain: how many matches are uncertain.
 * Inside the caller's transaction. */
int paragraph_assign(struct db *db, struct arena *a, int64_t document_id, int64_t previous_id,
                     const struct markdown_block *blocks, int nblocks, const char ***ids,
                     struct paragraph_match **matches, int *uncertain, struct error *e);

/* 1 + the largest number of a pid any version of document_id has used (so that a new id is never reused). */
int paragraph_next_pid(struct db *db, int64_t document_id, long long *next, struct error *e);

/* Stores the numbered blocks of version_id with their ids and, unless matches is NULL, where each came
 * from; inside the caller's transaction. */
int paragraph_store(struct db *db, int64_t version_id, const struct markdown_block *blocks, int nblocks,
                    const char *const *ids, const struct paragraph_match *matches, struct error *e);

/* Removes the paragraph rows of version_id (a draft whose matches are being corrected, to store again). */
int paragraph_clear(struct db *db, int64_t version_id, struct error *e);

/* Gives paragraph rows to every version that has none (a database made before migration 008), with the
 * ids p1..pN its page already shows. One transaction; `consulta init` runs it. */
int paragraph_backfill(struct db *db, struct error *e);

#endif
