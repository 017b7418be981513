/*
 * comment_table — a filled comment table (the ISO/IEC and ITU template, as
 * XLSX, CSV or a Word table) turned into the comments of a contribution.
 *
 * render/sheet.c reads the file into rows of cells; here the header row is
 * found (the first row naming the comments column and at least one other of
 * the template's columns), the columns are matched by their names in English
 * or French, in any order, regardless of case and accents, and each row under
 * it becomes a struct comment_input for contribution_receive(). Nothing is
 * dropped silently and nothing is half-taken: rows naming a paragraph number
 * that the call's version does not have refuse the whole table, the message
 * listing each such row and the version's paragraph numbers; a place that is
 * no paragraph number ("Table 1") keeps the comment as a general one with a
 * note; a row without comment text is skipped with a note; an unknown type
 * becomes general with a note. Each row says what was understood of it, for
 * the receipt and the reply mail, in the thread's language (i18n_use()), as
 * are the messages (render/sheet.c's too).
 *
 * Reading is done before any transaction: it may run pandoc for a Word file.
 */
#ifndef CONSULTA_CORE_COMMENT_TABLE_H
#define CONSULTA_CORE_COMMENT_TABLE_H

#include "core/comment.h"
#include "core/paragraph.h"
#include "render/sheet.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/* The template's columns. */
enum comment_column {
	COLUMN_MEMBER,       /* member body / contributor: MB/NC, "Organisme membre" */
	COLUMN_CLAUSE,       /* clause / subclause / annex: "No. de l'article" */
	COLUMN_PARAGRAPH,    /* paragraph / figure / table / note: "Paragraphe/Figure/Tableau/Note" */
	COLUMN_TYPE,         /* type of comment: "Type de commentaire" */
	COLUMN_COMMENT,      /* comments: "Commentaires" */
	COLUMN_PROPOSED,     /* proposed change: "Modifications proposées" */
	COLUMN_OBSERVATIONS, /* observations of the secretariat: read, never taken as the sender's words */
	COLUMN_COUNT
};

/* What one row under the header became. */
struct comment_table_row {
	int row;            /* its number in the file (what the spreadsheet shows) */
	int comment;        /* the index in comments, or -1: skipped */
	const char *member; /* the member body / contributor it names, or NULL */
	/* What was understood, for the sender: "on ¶3, technical", "general comment, editorial: “9.9” is not a
	 * paragraph number of this version (¶N); kept as a general comment", "skipped: no comment text". */
	const char *understood;
};

struct comment_table {
	const char *name; /* the file's name as it came, or NULL */
	enum sheet_format format;
	int header_row;            /* the header's row number in the file */
	int columns[COLUMN_COUNT]; /* the column of each (from 0), or -1 where the table has none */
	struct comment_input *comments;
	int ncomments;
	struct comment_table_row *rows; /* every row under the header, in order */
	int nrows;
};

/* The limits core/limits.h gives a comment table. */
struct sheet_limits comment_table_limits(void);

/* Reads a comment table (len bytes of a file named `name`) and maps it to comments against the n
 * paragraphs of the call's version (paragraph_list()), into *out in the arena. The comments' strings
 * (paragraph pid, type name, comment...) live in the arena too. Errors: ERROR_INVALID with a message for
 * `field` naming the file and the row (not a table, a zip bomb, too many rows, no header row, no comment in
 * any row; rows naming paragraph numbers the version does not have, listed); ERROR_UNAVAILABLE when a Word file cannot be converted now. *not_table (may be NULL) is set
 * when the file was read but has no comment table's header, so that a mail's ordinary attachment can stay
 * one. */
int comment_table_read(struct arena *a, const void *data, size_t len, const char *name,
                       const struct paragraph *paragraphs, int n, const char *field, struct comment_table *out,
                       bool *not_table, struct error *e);

/* Maps an already read sheet (the second half of comment_table_read(), for tests and callers that read
 * the sheet themselves). Same errors, except reading's. */
int comment_table_map(struct arena *a, const struct sheet *sheet, const char *name, const struct paragraph *paragraphs,
                      int n, const char *field, struct comment_table *out, bool *not_table, struct error *e);

/* The per-row report as plain text, one line per row ("Row 7: general comment, technical: “Table 1” is not
 * a paragraph number of this version (¶N); kept as a general comment."), after a line saying how many comments were
 * taken from which file (name, or NULL for t->name); for the reply mail. In the arena. */
const char *comment_table_report(struct arena *a, const struct comment_table *t, const char *name);

/* Whether a file by its name or its declared type could be a comment table (.xlsx, .csv, .docx, .txt
 * exported by Excel as "Unicode text"); a mail's other attachments are not even opened as tables. */
bool comment_table_candidate(const char *filename, const char *content_type);

#endif
