/*
 * disposition_upload — a call's resolution matrix, downloaded by the
 * secretariat (/office/calls/{id}/matrix.xlsx or .csv), filled in and
 * uploaded back: each row's decision, observations and new paragraph become
 * the answer to the comment of its "Comment id", through
 * disposition_record_each() (core/disposition.c, the one writer of answers).
 *
 * The file is read by render/sheet.c (XLSX or CSV). The header row is the
 * first of the top rows naming the columns as the matrix does ("Comment id",
 * "Decision", "Observations of the secretariat", and optionally "New
 * paragraph"), in any order, regardless of case, among any other columns.
 * A decision is its name (accepted_in_part) or its words as the matrix writes
 * them ("Accepted in part"), regardless of case. A new paragraph is written
 * as the matrix writes it ("¶4 of Revised draft", "¶4": the newest published
 * version after the comment's), or as a paragraph id (p4); without the
 * column, each answer keeps the paragraph it has.
 *
 * Every row under the header is reported with its row number as the
 * spreadsheet shows it: applied, unchanged (the same answer as recorded),
 * empty (decision, observations and new paragraph all blank: not answered
 * here, and an answer already recorded stays as it is), or refused with the
 * reason (no or unknown comment id, a comment of another call, a bad
 * decision, no reason, an unknown paragraph, the comment named in more than
 * one row — every such row is refused, since which one is meant cannot be
 * told). The valid rows apply in one transaction even when others are
 * refused; nothing is half-stored when that transaction fails, and nothing
 * at all once the call's dispositions are published (409).
 */
#ifndef CONSULTA_CORE_DISPOSITION_UPLOAD_H
#define CONSULTA_CORE_DISPOSITION_UPLOAD_H

#include "core/audit.h"
#include "core/disposition.h"
#include "render/sheet.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

/* What became of one row under the header. */
enum upload_outcome { UPLOAD_APPLIED, UPLOAD_UNCHANGED, UPLOAD_REFUSED, UPLOAD_EMPTY };
/* "applied", "unchanged", "refused", "empty". */
const char *disposition_upload_outcome_name(enum upload_outcome o);

struct upload_row {
	int row;            /* its number in the file: what the spreadsheet shows, the CSV's record number */
	int64_t comment_id; /* 0 when the row names none */
	enum upload_outcome outcome;
	const char *reason; /* why, when refused */
};

struct disposition_upload {
	enum sheet_format format;
	int header_row;
	int applied, unchanged, refused, empty;
	struct upload_row *rows; /* every non-empty row of the file under the header, in file order */
	int nrows;
};

/* The limits core/limits.h gives an uploaded matrix. */
struct sheet_limits disposition_upload_limits(void);

/*
 * Reads the len bytes of a filled matrix (a file named `name`, "" if unknown) and records its answers to
 * call_id's comments as who, into *out (in the arena). Errors, with nothing stored: ERROR_NOT_FOUND for no
 * such call; ERROR_CONFLICT once its dispositions are published; ERROR_INVALID with a message for the field
 * "file" naming the file when it is no XLSX or CSV, too large, or has no header row naming the columns; a
 * failure of the database. Rows refused are not an error: see out->rows.
 */
int disposition_upload(struct db *db, struct arena *a, const struct actor *who, int64_t call_id, const void *data,
                       size_t len, const char *name, struct disposition_upload *out, struct error *e);

/* Reads a decision as the matrix writes it or by its name, regardless of case and surrounding space. */
bool disposition_upload_decision(const char *said, enum disposition_decision *out);

#endif
