/* disposition_upload — see disposition_upload.h. */
#include "core/disposition_upload.h"

#include "core/limits.h"
#include "util/utf8.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { HEADER_SEARCH_ROWS = 30 /* top rows looked through for the header (a title above it is allowed) */ };

/* The matrix's columns that are read; the others (contributor, comment...) are the secretariat's to keep. */
enum { COL_ID, COL_DECISION, COL_OBSERVATIONS, COL_NEW_PARAGRAPH, NCOLS };

const char *disposition_upload_outcome_name(enum upload_outcome o)
{
	static const char *const names[] = {"applied", "unchanged", "refused", "empty"};
	return (int)o >= 0 && (int)o < 4 ? names[o] : "unknown";
}

struct sheet_limits disposition_upload_limits(void)
{
	return (struct sheet_limits){.max_unzipped = LIMIT_MATRIX_UNZIPPED,
	                             .max_rows = LIMIT_MATRIX_ROWS,
	                             .max_columns = LIMIT_TABLE_COLUMNS,
	                             .max_cell = LIMIT_TABLE_CELL,
	                             .seconds = LIMIT_CONVERT_SECONDS};
}

/* s lower-cased (ASCII), '_' and '-' read as spaces, runs of spaces one, trimmed; into out (n bytes). */
static void fold(const char *s, char *out, size_t n)
{
	size_t o = 0;
	bool space = true;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < n; p++) {
		if (isspace(*p) || *p == '_' || *p == '-') {
			if (!space)
				out[o++] = ' ';
			space = true;
			continue;
		}
		out[o++] = (char)tolower(*p);
		space = false;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* Which read column a header names, or -1. */
static int column_of(const char *header)
{
	char h[64];
	if (strlen(header) >= sizeof h)
		return -1;
	fold(header, h, sizeof h);
	if (!strcmp(h, "comment id") || !strcmp(h, "id"))
		return COL_ID;
	if (!strcmp(h, "decision"))
		return COL_DECISION;
	if (!strncmp(h, "observations", 12) || !strcmp(h, "observation") || !strcmp(h, "reason"))
		return COL_OBSERVATIONS;
	if (!strcmp(h, "new paragraph"))
		return COL_NEW_PARAGRAPH;
	return -1;
}

bool disposition_upload_decision(const char *said, enum disposition_decision *out)
{
	char d[32];
	if (!said || strlen(said) >= sizeof d)
		return false;
	fold(said, d, sizeof d);
	for (char *p = d; *p; p++)
		if (*p == ' ')
			*p = '_';
	return disposition_decision_parse(d, out);
}

static const char *cell(const struct sheet_row *r, int column)
{
	return column >= 0 && column < r->ncells ? r->cells[column] : "";
}

/* The observations as the secretariat wrote them: our CSV puts a ' before a cell beginning with =, +, - or @
 * (render/table_file.c, so that a spreadsheet does not run it as a formula), which a round trip must take
 * off again, or "- Removed." would come back as a revision "'- Removed.". */
static const char *unneutralized(const char *s)
{
	return s[0] == '\'' && (s[1] == '=' || s[1] == '+' || s[1] == '-' || s[1] == '@') ? s + 1 : s;
}

/* A cell's text quoted in a message, cut to a few words. */
static const char *quoted(struct arena *a, const char *s)
{
	size_t n = utf8_prefix(s, 40);
	return arena_printf(a, "\u201c%.*s%s\u201d", (int)n, s, s[n] ? "\u2026" : "");
}

/* A positive whole number of at most 18 digits ("12", or "12.0" as a spreadsheet may keep it), or 0. */
static int64_t comment_id_of(const char *s)
{
	size_t n = strspn(s, "0123456789");
	if (!n || n > 18 || (s[n] && strcmp(s + n, ".0") != 0))
		return 0;
	return (int64_t)strtoll(s, NULL, 10);
}

/* The comment named in several rows: sorted by id, then by row. */
struct seen {
	int64_t id;
	int index; /* in out->rows */
};

static int seen_cmp(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->index - b->index;
}

/* Where the text landed, as a cell says it: "¶4 of Revised draft", "¶4", "4" (number, label or NULL), or a
 * paragraph id (pid). False if it is none of those. */
static bool paragraph_of(struct arena *a, const char *s, int *number, const char **label, const char **pid)
{
	*number = 0;
	*label = *pid = NULL;
	const char *p = s;
	const bool mark = !strncmp(p, "\u00b6", 2);
	if (mark)
		for (p += 2; *p == ' '; p++)
			;
	if (isdigit((unsigned char)*p)) {
		size_t n = strspn(p, "0123456789");
		if (n > 6)
			return false;
		*number = (int)strtol(p, NULL, 10);
		p += n;
		if (!*p)
			return *number > 0;
		if (strncasecmp(p, " of ", 4) != 0)
			return false;
		for (p += 4; *p == ' '; p++)
			;
		*label = *p ? arena_strdup(a, p) : NULL;
		return *number > 0 && *label;
	}
	size_t n = strlen(s);
	if (mark || n == 0 || n > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") != n)
		return false;
	*pid = s;
	return true;
}

/* The paragraph number of a later version of comment_id's document (the one labelled label, or the newest
 * published one): its pid and version into *pid and *version_id. 1 found, 0 not, -1 on error. */
static int paragraph_resolve(struct db *db, struct arena *a, int64_t comment_id, int number, const char *label,
                             const char **pid, int64_t *version_id, struct error *e)
{
	static const char sql[] =
	    "SELECT p.pid, v.id FROM comment c JOIN version cv ON cv.id = c.version_id "
	    "JOIN version v ON v.document_id = cv.document_id AND v.id > cv.id "
	    "JOIN paragraph p ON p.version_id = v.id AND p.number = ? "
	    "WHERE c.id = ? AND (v.label = ? OR (? = 0 AND v.state = 'published')) ORDER BY v.id DESC LIMIT 1";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, number);
	db_bind_int(st, 2, comment_id);
	db_bind_text(st, 3, label ? label : "");
	db_bind_int(st, 4, label ? 1 : 0);
	enum db_step s = db_step(st, e);
	if (s == DB_FAIL)
		return -1;
	int found = 0;
	if (s == DB_ROW) {
		bool failed = false;
		*pid = db_col_dup(st, 0, a, &failed);
		*version_id = db_col_int(st, 1);
		found = failed || !*pid ? -1 : 1;
		if (found < 0)
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
	}
	db_reset(st);
	return found;
}

/* Finds the header row and its columns; false (with e) when there is none. */
static bool find_header(const struct sheet *sh, const char *shown, int cols[NCOLS], int *header, struct error *e)
{
	for (int i = 0; i < sh->nrows && i < HEADER_SEARCH_ROWS; i++) {
		const struct sheet_row *r = &sh->rows[i];
		int found[NCOLS] = {-1, -1, -1, -1};
		for (int c = 0; c < r->ncells; c++) {
			int k = column_of(r->cells[c]);
			if (k >= 0 && found[k] < 0)
				found[k] = c;
		}
		if (found[COL_ID] < 0 || found[COL_DECISION] < 0)
			continue;
		if (found[COL_OBSERVATIONS] < 0) {
			error_field(
			    e, "file",
			    "%srow %d names the columns Comment id and Decision but no column Observations of the "
			    "secretariat, where each answer's reason goes.",
			    shown, r->number);
			return false;
		}
		memcpy(cols, found, sizeof found);
		*header = i;
		return true;
	}
	error_field(e, "file",
	            "%sno header row naming the columns Comment id, Decision and Observations of the secretariat: "
	            "upload the resolution matrix downloaded from this call's back office, filled in.",
	            shown);
	return false;
}

int disposition_upload(struct db *db, struct arena *a, const struct actor *who, int64_t call_id, const void *data,
                       size_t len, const char *name, struct disposition_upload *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	/* A published call or an unknown one is said before the file is read: its rows could change nothing. */
	int64_t published = 0;
	if (disposition_published_at(db, call_id, &published, e) != 0)
		return -1;
	if (published) {
		error_set(
		    e, ERROR_CONFLICT,
		    "The dispositions of this call are published: they no longer change, and no row was applied.");
		return -1;
	}
	const char *shown = name && *name ? arena_printf(a, "%s: ", name) : "";
	if (!shown)
		shown = "";
	if (len > (size_t)LIMIT_MATRIX_FILE) {
		error_field(e, "file", "%sthe file is larger than %d MiB.", shown, LIMIT_MATRIX_FILE / (1024 * 1024));
		return -1;
	}
	enum sheet_format format = sheet_detect(data, len);
	if (format != SHEET_XLSX && format != SHEET_CSV) {
		error_field(e, "file", "%sthis is not a spreadsheet: upload the matrix as XLSX or CSV.", shown);
		return -1;
	}
	struct sheet sh;
	const struct sheet_limits lim = disposition_upload_limits();
	if (sheet_read(a, data, len, name ? name : "", &lim, "file", &sh, e) != 0)
		return -1;
	out->format = sh.format;
	int cols[NCOLS], header = 0;
	if (!find_header(&sh, shown, cols, &header, e))
		return -1;
	out->header_row = sh.rows[header].number;
	const int nrows = sh.nrows - header - 1;
	out->rows = arena_alloc(a, (size_t)(nrows > 0 ? nrows : 1) * sizeof *out->rows);
	struct disposition_each *items = arena_alloc(a, (size_t)(nrows > 0 ? nrows : 1) * sizeof *items);
	int *item_row = arena_alloc(a, (size_t)(nrows > 0 ? nrows : 1) * sizeof *item_row);
	struct seen *seen = arena_alloc(a, (size_t)(nrows > 0 ? nrows : 1) * sizeof *seen);
	if (!out->rows || !items || !item_row || !seen) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	out->nrows = nrows;

	/* First pass: each row's id, blank rows, and the comments named more than once. */
	int nseen = 0;
	for (int i = 0; i < nrows; i++) {
		const struct sheet_row *r = &sh.rows[header + 1 + i];
		struct upload_row *u = &out->rows[i];
		*u = (struct upload_row){.row = r->number, .outcome = UPLOAD_APPLIED};
		const char *id = cell(r, cols[COL_ID]);
		if (!*cell(r, cols[COL_DECISION]) && !*cell(r, cols[COL_OBSERVATIONS]) &&
		    !*cell(r, cols[COL_NEW_PARAGRAPH])) {
			u->comment_id = comment_id_of(id);
			u->outcome = UPLOAD_EMPTY;
			continue;
		}
		if (!*id) {
			u->outcome = UPLOAD_REFUSED;
			u->reason = "No comment id: this row names no comment.";
		} else if (!(u->comment_id = comment_id_of(id))) {
			u->outcome = UPLOAD_REFUSED;
			u->reason = arena_printf(a, "%s is not a comment id.", quoted(a, id));
		} else {
			seen[nseen++] = (struct seen){u->comment_id, i};
		}
	}
	qsort(seen, (size_t)nseen, sizeof *seen, seen_cmp);
	for (int i = 0; i < nseen;) {
		int j = i;
		while (j < nseen && seen[j].id == seen[i].id)
			j++;
		if (j - i > 1) {
			const char *rows = "";
			for (int k = i; k < j && k < i + 5 && rows; k++)
				rows = arena_printf(a, "%s%s%d", rows,
				                    k == i       ? ""
				                    : k + 1 == j ? " and "
				                                 : ", ",
				                    out->rows[seen[k].index].row);
			const char *why =
			    arena_printf(a,
			                 "Comment %lld is in rows %s%s: keep one row per comment; none of "
			                 "these was applied.",
			                 (long long)seen[i].id, rows ? rows : "", j - i > 5 ? " and more" : "");
			for (int k = i; k < j; k++) {
				out->rows[seen[k].index].outcome = UPLOAD_REFUSED;
				out->rows[seen[k].index].reason = why ? why : "The comment is in more than one row.";
			}
		}
		i = j;
	}

	/* Second pass: each row's answer read, its paragraph found. */
	int nitems = 0;
	for (int i = 0; i < nrows; i++) {
		struct upload_row *u = &out->rows[i];
		if (u->outcome != UPLOAD_APPLIED)
			continue;
		const struct sheet_row *r = &sh.rows[header + 1 + i];
		const char *said = cell(r, cols[COL_DECISION]);
		enum disposition_decision d;
		if (!*said) {
			u->outcome = UPLOAD_REFUSED;
			u->reason = "No decision: write Accepted, Accepted in part, Not accepted or Noted.";
			continue;
		}
		if (!disposition_upload_decision(said, &d)) {
			u->outcome = UPLOAD_REFUSED;
			u->reason = arena_printf(
			    a, "%s is not a decision: write Accepted, Accepted in part, Not accepted or Noted.",
			    quoted(a, said));
			continue;
		}
		struct disposition_each *x = &items[nitems];
		*x = (struct disposition_each){.comment_id = u->comment_id,
		                               .in = {.decision = disposition_decision_name(d),
		                                      .reason = unneutralized(cell(r, cols[COL_OBSERVATIONS]))},
		                               .keep_paragraph = cols[COL_NEW_PARAGRAPH] < 0};
		const char *place = cell(r, cols[COL_NEW_PARAGRAPH]);
		int number;
		const char *label, *pid;
		if (*place && !paragraph_of(a, place, &number, &label, &pid)) {
			u->outcome = UPLOAD_REFUSED;
			u->reason =
			    arena_printf(a,
			                 "%s is not a paragraph: write it as the matrix does (\u00b64 of Revised "
			                 "draft) or as its id (p4), or leave the cell empty.",
			                 quoted(a, place));
			continue;
		}
		if (*place && number) {
			int found = paragraph_resolve(db, a, u->comment_id, number, label, &x->in.paragraph,
			                              &x->in.version_id, e);
			if (found < 0)
				return -1;
			if (!found) {
				/* said as the core would: the comment first, then the paragraph */
				int64_t of = 0;
				struct error ce;
				error_clear(&ce);
				u->outcome = UPLOAD_REFUSED;
				if (disposition_comment_call(db, u->comment_id, &of, &ce) != 0)
					u->reason =
					    !strcmp(ce.code, ERROR_NOT_FOUND)
					        ? arena_printf(a, "There is no comment %lld.", (long long)u->comment_id)
					        : NULL;
				else if (of != call_id)
					u->reason = arena_printf(a, "Comment %lld is a comment of another call.",
					                         (long long)u->comment_id);
				else
					u->reason =
					    arena_printf(a,
					                 "%s is not a paragraph of a later version of the commented "
					                 "document%s.",
					                 quoted(a, place), label ? "" : " (the newest published one)");
				if (!u->reason) {
					*e = ce;
					return -1;
				}
				continue;
			}
		} else if (*place) {
			x->in.paragraph = pid;
		}
		item_row[nitems++] = i;
	}

	int applied, unchanged, refused;
	if (disposition_record_each(db, a, who, call_id, items, nitems, name && *name ? name : "matrix", &applied,
	                            &unchanged, &refused, e) != 0)
		return -1;
	for (int k = 0; k < nitems; k++) {
		struct upload_row *u = &out->rows[item_row[k]];
		u->outcome = items[k].outcome == DISPOSITION_APPLIED     ? UPLOAD_APPLIED
		             : items[k].outcome == DISPOSITION_UNCHANGED ? UPLOAD_UNCHANGED
		                                                         : UPLOAD_REFUSED;
		u->reason = items[k].refused;
	}
	for (int i = 0; i < nrows; i++) {
		switch (out->rows[i].outcome) {
		case UPLOAD_APPLIED: out->applied++; break;
		case UPLOAD_UNCHANGED: out->unchanged++; break;
		case UPLOAD_REFUSED: out->refused++; break;
		case UPLOAD_EMPTY: out->empty++; break;
		}
	}
	return 0;
}
