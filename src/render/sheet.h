/*
 * sheet — a table someone filled in (XLSX, CSV or the first table of a Word
 * document) read into a grid of rows of cells, each cell a UTF-8 string.
 *
 * The comment template of ISO/IEC and ITU comes back as a spreadsheet, a CSV
 * export or a Word table; core/comment_table.c turns the grid into comments.
 * Here only the shapes are read:
 *  - XLSX (libzip + libxml2's streaming reader, so 100,000 rows never become a
 *    tree): the workbook's first worksheet, shared strings (with rich text
 *    runs), inline strings, numbers and booleans as text, cells skipped in a
 *    row read as empty, merged cells given their top-left cell's text. Every
 *    zip entry is checked against max_unzipped before it is inflated (its
 *    declared size) and while it is (the bytes that come out): a zip bomb is
 *    refused, never inflated.
 *  - CSV (RFC 4180 quoting, quoted newlines), UTF-8 with or without BOM or
 *    UTF-16 with BOM (Excel's "Unicode text"); the separator (comma, semicolon
 *    or tab) is the one the first line uses most.
 *  - .docx: pandoc (through util/run.c, under its limits) turns it into HTML,
 *    whose first <table> is read with libxml2's HTML parser.
 * Rows whose cells are all empty are skipped; each row keeps its number in the
 * file (the row number a spreadsheet shows, the record number of a CSV), so
 * that messages name the row the person sees.
 *
 * render is a leaf: the limits are the caller's (core/limits.h's).
 */
#ifndef CONSULTA_RENDER_SHEET_H
#define CONSULTA_RENDER_SHEET_H

#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

enum sheet_format { SHEET_UNKNOWN, SHEET_XLSX, SHEET_CSV, SHEET_DOCX };

struct sheet_limits {
	size_t max_unzipped; /* bytes one zip entry may inflate to (XLSX), and bytes of HTML pandoc may write (.docx) */
	int max_rows;        /* non-empty rows; one more and the table is refused, not read on */
	int max_columns;     /* columns holding text */
	size_t max_cell;     /* bytes of one cell */
	int seconds;         /* wall-clock seconds pandoc may take (.docx) */
};

struct sheet_row {
	int number;         /* in the file, from 1: the spreadsheet's row number, the CSV's record number */
	int ncells;         /* cells up to the last one with text */
	const char **cells; /* ncells strings, "" for an empty cell; never NULL */
};

struct sheet {
	enum sheet_format format; /* also set when reading failed, if the format was known */
	/* Reading failed because the file holds no table at all (a Word document without one, a text whose every
	 * row is empty): an ordinary attachment rather than a bad table. */
	bool no_table;
	int nrows;
	struct sheet_row *rows; /* non-empty rows in file order */
};

/* What the bytes are: by their first bytes (a zip holding xl/workbook.xml or
 * word/document.xml, or text), not by the name, which is only a hint for
 * text. SHEET_UNKNOWN for anything else (an image, random bytes). */
enum sheet_format sheet_detect(const void *data, size_t len);

/* The name of a format for people: "XLSX", "CSV", "Word". */
const char *sheet_format_name(enum sheet_format f);

/* Reads the len bytes of data (a file named `name`, "" if unknown, used in
 * messages) into *out, in the arena, within lim. Errors: ERROR_INVALID with a
 * message for `field` that names the file and, where there is one, the row or
 * the cell ("comments.xlsx: more than 20000 rows; send at most 20000", "row 7,
 * column C: ..."); ERROR_UNAVAILABLE if pandoc cannot be run now. Nothing is
 * half-read: on error *out has no rows (but its format and no_table). */
int sheet_read(struct arena *a, const void *data, size_t len, const char *name, const struct sheet_limits *lim,
               const char *field, struct sheet *out, struct error *e);

/* Reads as sheet_read() does, but hands each non-empty row to fn as it is read, in file order, instead of
 * keeping it: the row's cells live until fn returns, so that a table of any length costs the memory of one
 * row (and of an XLSX's shared strings). A merged range is only its top-left cell. fn returns 0 to go on, or
 * -1 with e set to stop the reading, which sheet_each then returns. Errors as sheet_read()'s (the rows before
 * the fault have been handed over); *format is what the bytes are. */
int sheet_each(struct arena *a, const void *data, size_t len, const char *name, const struct sheet_limits *lim,
               const char *field, int (*fn)(void *ctx, const struct sheet_row *row), void *ctx,
               enum sheet_format *format, struct error *e);

/* The letters of a column for messages: 0 → "A", 26 → "AA". */
const char *sheet_column_name(struct arena *a, int column);

#endif
