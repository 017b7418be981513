/*
 * paragraph — the numbered paragraphs of a version, and the ids they keep.
 *
 * A version's Markdown is split into blocks (render/markdown.h); each block
 * people comment on is a paragraph, stored as a row with its id (pid), its
 * number ¶N in document order, its plain text, its Markdown and its HTML.
 * The ids of a document's first version are p1..pN; a later version's
 * paragraphs are given ids by paragraph_assign_ids(), which says, for each,
 * which paragraph of the previous version it came from.
 */
#ifndef CONSULTA_CORE_PARAGRAPH_H
#define CONSULTA_CORE_PARAGRAPH_H

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
};

/* The paragraphs of a version, in document order. */
int paragraph_list(struct db *db, struct arena *a, int64_t version_id, struct paragraph **out, int *n, struct error *e);

/* One paragraph of a version by its id; ERROR_NOT_FOUND if the version has none such. */
int paragraph_find(struct db *db, struct arena *a, int64_t version_id, const char *pid, struct paragraph *out,
                   struct error *e);

/* Gives ids to the numbered blocks of a new version of document_id (ids[k] for the k-th numbered block,
 * in the arena): p1..pN for a document's first version. Inside the caller's transaction. */
int paragraph_assign_ids(struct db *db, struct arena *a, int64_t document_id, const struct markdown_block *blocks,
                         int nblocks, const char ***ids, struct error *e);

/* Stores the numbered blocks of version_id with their ids, inside the caller's transaction. */
int paragraph_store(struct db *db, int64_t version_id, const struct markdown_block *blocks, int nblocks,
                    const char *const *ids, struct error *e);

/* Gives paragraph rows to every version that has none (a database made before migration 008), with the
 * ids p1..pN its page already shows. One transaction; `consulta init` runs it. */
int paragraph_backfill(struct db *db, struct error *e);

#endif
