/*
 * export — the open data: every published record of a call or a process as
 * flat tables (datasets), read row by row, and the data dictionary that
 * describes them.
 *
 * A dataset is a name ("contributions"), a list of columns (each with a
 * name, a type and its meaning) and one query per scope (a call, a
 * process), or rows made in C where no query can make them (the paragraphs
 * of a version's texts in other languages, which are its Markdown's). The
 * same table, in the same column order, is what the CSV, the JSON Lines and
 * the XLSX files hold (web/api_export.c) and what the
 * dictionary page lists, so that a column cannot be exported without being
 * described. The rows are handed one at a time to a callback, as matrix_each
 * does: an export of a million contributions never holds more than one row.
 *
 * What the public may see, and only that: contributions published and not
 * private (never pending, hidden or spam), an anonymous one without its name
 * and organization; comments of those; a call's dispositions only once the
 * call's dispositions are published; files only when clamd found them clean;
 * published versions only (never a draft). The caller runs the export inside
 * one read transaction (the server opens one for every GET), so that every
 * file of the export is one snapshot.
 */
#ifndef CONSULTA_CORE_EXPORT_H
#define CONSULTA_CORE_EXPORT_H

#include "store/db.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* A column's type, as the dictionary names it: text, an integer, an instant (RFC 3339, UTC, e.g.
 * 2021-02-01T09:30:00Z), a calendar date (YYYY-MM-DD) or an address (an absolute URL). */
enum export_type { EXPORT_TEXT, EXPORT_INTEGER, EXPORT_INSTANT, EXPORT_DATE, EXPORT_URL };
/* "text", "integer", "instant", "date", "url". */
const char *export_type_name(enum export_type t);

struct export_column {
	const char *name; /* the CSV header, the JSON key */
	enum export_type type;
	const char *meaning; /* one sentence for the dictionary, in English: marked N_(), shown through _() */
};

/* Which records an export covers: one call's, or every call's of a process (and the process's own records). */
enum export_scope { EXPORT_CALL, EXPORT_PROCESS };

/* One row: ncolumns cells in the dataset's order, each valid only during the callback; NULL for no value
 * (an empty CSV cell, a JSON null). Integers are written in decimal, instants and dates as their type says. */
typedef int (*export_row_fn)(const char *const *cells, void *ctx);

struct export_dataset {
	const char *name;    /* in the file's name: contributions.csv */
	const char *meaning; /* what one row is, for the dictionary (N_(), as a column's) */
	bool per_call;       /* also exported per call (else per process only) */
	const struct export_column *columns;
	int ncolumns;
	const char *sql_call, *sql_process; /* ?1: the call's or the process's id; sql_call NULL unless per_call */
	/* Rows made in C rather than by one query (a version's paragraphs in each language: core/export.c), for the
	 * process's id; NULL: sql_call or sql_process's rows as they are. */
	int (*each)(struct db *db, int64_t id, export_row_fn fn, void *ctx, struct error *e);
};

extern const struct export_dataset EXPORT_DATASETS[];
extern const int EXPORT_NDATASETS;

/* The dataset named name, or NULL. */
const struct export_dataset *export_dataset_find(const char *name);


/*
 * Hands every row of dataset d for the call or process id (scope) to fn, in a stable order (by id).
 * Returns 0, the callback's nonzero value, or -1 with e set. ERROR_NOT_FOUND if d is not exported per call
 * and scope is EXPORT_CALL. The call or process is not checked here: an unknown one has no rows.
 */
int export_each(struct db *db, const struct export_dataset *d, enum export_scope scope, int64_t id, export_row_fn fn,
                void *ctx, struct error *e);

#endif
