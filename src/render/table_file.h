/*
 * table_file — a table written row by row into a temporary file, as CSV or
 * XLSX, for a response sent from the file (web/page_matrix.c): however many
 * rows, only the current one is in memory.
 *  - CSV: RFC 4180 (every field quoted, CRLF line ends), UTF-8 with a BOM so
 *    that Excel reads it as UTF-8. A cell that a spreadsheet would take for a
 *    formula (beginning with =, +, -, @, a tab or a carriage return) gets a
 *    leading apostrophe, as OWASP's advice on CSV injection says.
 *  - XLSX: libxlsxwriter in constant_memory mode (each row flushed to disk
 *    as it is written), every cell written as a string, never as a formula;
 *    the first row in bold, frozen. A sheet holds at most 1,048,576 rows
 *    (Excel's limit): the rows beyond go on a new sheet ("<name> 2", ...)
 *    that begins with the first row again, so that no row is ever dropped.
 *  - JSONL (JSON Lines): the first row names the fields; each later row is
 *    one JSON object on one line, a NULL cell as null and a cell of a
 *    column marked numeric (table_file_numeric) as a bare number.
 * The file is unlinked as soon as it is complete: the open descriptor is all
 * that is left of it. render is a leaf: util only.
 */
#ifndef CONSULTA_RENDER_TABLE_FILE_H
#define CONSULTA_RENDER_TABLE_FILE_H

#include "util/error.h"

#include <stdint.h>

enum table_file_format { TABLE_FILE_CSV, TABLE_FILE_XLSX, TABLE_FILE_JSONL };

struct table_file;

/* Begins a table in a new temporary file under dir (NULL: $TMPDIR or /tmp), its sheet named sheet (XLSX);
 * NULL with e set on failure. */
struct table_file *table_file_open(enum table_file_format f, const char *dir, const char *sheet, struct error *e);
/* JSONL: column (from 0, below TABLE_FILE_MAX_COLUMNS) holds numbers, written bare (an empty cell as null);
 * ignored by the other formats. Call before writing rows. */
enum { TABLE_FILE_MAX_COLUMNS = 64 };
void table_file_numeric(struct table_file *t, int column);
/* Writes one row of n cells (NULL: empty; null in JSONL), n at most TABLE_FILE_MAX_COLUMNS. 0, or -1 with e
 * set (the table is then only fit for table_file_abort). */
int table_file_row(struct table_file *t, const char *const *cells, int n, struct error *e);
/* Completes the file and frees t: returns a descriptor open for reading at its start, *size its bytes, the
 * file already unlinked; -1 with e set on failure. */
int table_file_finish(struct table_file *t, int64_t *size, struct error *e);
/* Gives up a table (t may be NULL): the file is removed and t freed. */
void table_file_abort(struct table_file *t);

#endif
