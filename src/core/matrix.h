/*
 * matrix — the resolution matrix of a call: every comment of its
 * contributions in one row, with the template's columns (contributor,
 * organization, category, country, clause/paragraph, type, comment, proposed
 * change) and the secretariat's answer (decision, observations, the paragraph
 * of the new version where the text landed).
 *
 * The rows are read with one query in the order asked and handed one at a
 * time to a callback, so that a call with 100,000 comments never holds more
 * than one row in memory: the HTML page, the CSV and the XLSX
 * (web/page_matrix.c) write each row as it comes. The dispositions are only
 * read here (core/disposition records them).
 */
#ifndef CONSULTA_CORE_MATRIX_H
#define CONSULTA_CORE_MATRIX_H

#include "store/db.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Document order of the paragraphs (general comments last), or by contributor's name as shown. */
enum matrix_sort { MATRIX_BY_PARAGRAPH, MATRIX_BY_CONTRIBUTOR };
/* Reads ?sort=: "contributor", or anything else (NULL too) for the paragraph order. */
enum matrix_sort matrix_sort_parse(const char *s);

/* Who reads the matrix. The public sees only published contributions that are not private, anonymous
 * ones as "Anonymous" without their organization, and the decisions only once the call's dispositions
 * are published; the secretariat sees every comment of every contribution (pending, hidden, spam and
 * private included) and every disposition recorded so far. */
enum matrix_audience { MATRIX_PUBLIC, MATRIX_SECRETARIAT };

/* One row; every string is valid only during the callback ("" when empty, never NULL). */
struct matrix_row {
	int64_t comment_id;
	const char *tracking;     /* the contribution's tracking number */
	const char *contributor;  /* the name, or "Anonymous" */
	const char *organization; /* "" for an anonymous contribution read by the public */
	const char *category, *country;
	int paragraph;      /* ¶N of the call's version, or 0 for a general comment */
	const char *clause; /* the place as written in a comment table, or "" */
	const char *type;   /* general, technical, editorial */
	const char *comment, *proposed_change;
	const char *decision;    /* accepted, accepted_in_part, not_accepted, noted, or "": none (yet, or not public) */
	const char *reason;      /* the secretariat's observations */
	int new_paragraph;       /* ¶N of the version where the text landed, or 0 */
	const char *new_version; /* that version's label, or "" */
};

/* Called for each row in order; a nonzero return stops the reading (and is what matrix_each returns). */
typedef int (*matrix_row_fn)(const struct matrix_row *row, void *ctx);

/*
 * Hands the rows of call_id's matrix for audience, in the order sort, from the offset-th (from 0), at most
 * limit of them (limit < 0: all), to fn. Returns 0, the callback's nonzero value, or -1 with e set. The call
 * is not checked here: an unknown call has no rows.
 */
int matrix_each(struct db *db, int64_t call_id, enum matrix_audience audience, enum matrix_sort sort, int64_t offset,
                int64_t limit, matrix_row_fn fn, void *ctx, struct error *e);

/* The decision's words for people ("Accepted in part"), or "" for "" or an unknown one. */
const char *matrix_decision_label(const char *decision);

#endif
