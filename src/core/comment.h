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

#include <stdbool.h>

/* The template's types of comment; the names are what the database and the API hold. */
enum comment_type { COMMENT_GENERAL, COMMENT_TECHNICAL, COMMENT_EDITORIAL };

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
};

#endif
