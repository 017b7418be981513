/*
 * comment — one item of a contribution about one paragraph of the call's
 * version (or about the whole text: a general comment), in the shape of the
 * ISO/IEC and ITU comment template: the paragraph, the type, the comment and
 * the proposed change.
 *
 * Comments arrive inside a contribution, through contribution_receive(), by
 * every channel: the web form, the JSON API, and a filled comment table
 * (XLSX, CSV or a Word table) uploaded on the form or attached to a mail.
 * They are stored in the contribution's transaction and refused with it,
 * each error naming the comment and its field ("comments[2].paragraph").
 */
#ifndef CONSULTA_CORE_COMMENT_H
#define CONSULTA_CORE_COMMENT_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

struct contribution;
struct disposition;
struct paragraph;

/* The template's types of comment; the names are what the database and the API hold. */
enum comment_type { COMMENT_GENERAL, COMMENT_TECHNICAL, COMMENT_EDITORIAL };
const char *comment_type_name(enum comment_type t);
/* The type as a sentence of the reader's language says it, in lower case ("technical", "technique"): the
 * receipt's and the comment table's words, never the name above. */
const char *comment_type_label(enum comment_type t);
/* Reads a type's name; false for a name not in its table. */
bool comment_type_parse(const char *name, enum comment_type *out);
/* A type as the bit contribution.comment_types holds for it (migration 041): general 1, technical 2, editorial 4. */
#define COMMENT_TYPE_BIT(t) (1 << (int)(t))

/* One comment as a channel received it (any field may be NULL: contribution_receive checks them). */
struct comment_input {
	const char *paragraph;       /* the id ("p3") of a paragraph of the call's version; NULL or "": general */
	const char *type;            /* general, technical, editorial, as it arrived; NULL: general */
	const char *comment;         /* the comment itself: required */
	const char *proposed_change; /* or NULL */
	/* From a comment table: the row it came from (1 = the first row under the header; 0 for other
	 * channels), what the row said of its place ("5.2, second paragraph") as written, and what was
	 * understood of it, for the sender and the secretariat ("¶9 of this version does not exist: kept
	 * as a general comment"), or NULL. */
	int row;
	const char *clause;
	const char *note;
	/* The language it is written in (a BCP 47 tag, "" unknown), set by contribution_validate(): its
	 * contribution's, declared by its sender or recognised in its text. Whatever it is, the comment is on the
	 * paragraph's id, the same in every language of the version (core/version_text.h). */
	const char *language;
};

/* A stored comment, as the views read it back. */
struct comment {
	int64_t id;
	int64_t contribution_id;
	int64_t version_id;          /* the version of the call it was sent to */
	const char *pid;             /* the paragraph commented on, or NULL for a general comment */
	int number;                  /* its ¶N in version_id, or 0 */
	int position;                /* in its contribution, from 1 */
	enum comment_type type;
	const char *comment;
	const char *proposed_change; /* "" if none */
	int row;                     /* the row of a comment table, or 0 */
	const char *clause, *note;   /* or NULL */
	const char *language;        /* the language it is written in, "" unknown (comment_input's) */
	/* Filled by comment_list_paragraph() only: the paragraph's text when it was commented on, and who
	 * sent it as the public may see it (tracking number; name when published with it). */
	const char *commented_text;
	const char *version_label; /* of version_id */
	const char *tracking;
	const char *author; /* or NULL: anonymous */
	/* Its answer, set by disposition_attach() only (core/disposition.h); NULL: none, or not shown. */
	const struct disposition *disposition;
};

/*
 * Checks the comments of a contribution to a call on version_id, whose paragraphs are paragraphs[0..n):
 * one field error per bad field, named comments[N].paragraph, .type, .comment, .proposed_change with N
 * from 1, the message beginning "Comment N: ". At most LIMIT_COMMENTS comments, of LIMIT_COMMENT
 * characters each (comment and proposed change alike), LIMIT_COMMENTS_TEXT in all.
 */
void comment_validate(const struct comment_input *in, int n, const struct paragraph *paragraphs, int nparagraphs,
		      struct error *e);

/* Stores the (valid) comments of contribution_id on version_id, inside the caller's transaction. */
int comment_store(struct db *db, int64_t contribution_id, int64_t version_id, const struct comment_input *in, int n,
		  struct error *e);

/* Loads the comments of each of items[0..n) (contributions of one call, by ascending id) into
 * items[i].comments, in their order, with one query. */
int comment_attach(struct db *db, struct arena *a, struct contribution *items, int n, struct error *e);

/* How many published comments a paragraph has on a version: made on it, and carried forward from earlier
 * versions of its document (the same pid). */
struct comment_count {
	const char *pid;
	int total;
	int earlier; /* of total, made on earlier versions */
};

/* The counts of every paragraph of version_id (of document_id) that has published comments, including
 * pids no longer in the version (removed paragraphs), by pid: one query. Published: the contribution is
 * published and not private. */
int comment_counts(struct db *db, struct arena *a, int64_t document_id, int64_t version_id,
		   struct comment_count **out, int *n, struct error *e);

/* The published comments on paragraph pid as version_id (of document_id) shows them, one page (limit from
 * offset): those made on it first, then those carried forward from earlier versions of the document (the
 * latest version first), each with the paragraph's text when it was commented on and its version's label. */
int comment_list_paragraph(struct db *db, struct arena *a, int64_t document_id, int64_t version_id, const char *pid,
			   int offset, int limit, struct comment **out, int *n, struct error *e);

#endif
