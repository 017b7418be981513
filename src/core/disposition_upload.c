/* disposition_upload — see disposition_upload.h. */
#include "core/disposition_upload.h"

#include "core/limits.h"
#include "util/i18n.h"
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
	                             /* the comment and the proposed change are in the matrix too: LIMIT_COMMENT
	                              * characters of 4 bytes each */
	                             .max_cell = 4 * LIMIT_COMMENT,
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
	    "JOIN paragraph p ON p.version_id = v.id AND p.number = ?1 "
	    "WHERE c.id = ?2 AND ((?4 = 1 AND v.label = ?3) OR (?4 = 0 AND v.state = 'published')) "
	    "ORDER BY v.id DESC LIMIT 1";
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

/* The reading of one file: the header found in its top rows, then each row under it turned into what the
 * report says of it and, when it holds an answer, an item for disposition_record_each(). Rows come one at a
 * time (sheet_each()): only what is kept of them here stays in memory. */
struct reading {
	struct db *db;
	struct arena *a;
	int64_t call_id;
	const char *shown; /* "NAME: " for messages, or "" */
	struct error *e;
	int above;   /* rows read before the header */
	bool header; /* found */
	int cols[NCOLS];
	int header_row;
	struct upload_row *rows; /* in the arena: the report */
	int nrows, rowcap;
	struct disposition_each *items; /* on the heap, freed once applied */
	int *item_row;                  /* each item's index in rows */
	int nitems, itemcap, item_rowcap;
	struct seen *seen; /* on the heap: the comment of each row that names one, for the duplicates */
	int nseen, seencap;
};

/* Grows a heap array of n elements to room for one more; false when memory runs out. */
static bool grow(void **items, int n, int *cap, size_t size)
{
	if (n < *cap)
		return true;
	int want = *cap ? 2 * *cap : 1024;
	void *p = realloc(*items, (size_t)want * size);
	if (!p)
		return false;
	*items = p;
	*cap = want;
	return true;
}

static int out_of_memory(struct reading *x)
{
	error_set(x->e, ERROR_UNAVAILABLE, "out of memory");
	return -1;
}

/* A row above the header: is it the header? -1 with e when it names some of the columns but not enough, or
 * when the top rows name none. */
static int header_row(struct reading *x, const struct sheet_row *r)
{
	if (x->above++ >= HEADER_SEARCH_ROWS) {
		error_field(
		    x->e, "file",
		    _("%sno header row naming the columns Comment id, Decision and Observations of the secretariat "
		      "in the first %d rows: upload the resolution matrix downloaded from this call's back office, "
		      "filled in."),
		    x->shown, HEADER_SEARCH_ROWS);
		return -1;
	}
	int found[NCOLS] = {-1, -1, -1, -1};
	for (int c = 0; c < r->ncells; c++) {
		int k = column_of(r->cells[c]);
		if (k >= 0 && found[k] < 0)
			found[k] = c;
	}
	if (found[COL_ID] < 0 || found[COL_DECISION] < 0)
		return 0;
	if (found[COL_OBSERVATIONS] < 0) {
		error_field(x->e, "file",
		            _("%srow %d names the columns Comment id and Decision but no column Observations of the "
		              "secretariat, where each answer's reason goes."),
		            x->shown, r->number);
		return -1;
	}
	memcpy(x->cols, found, sizeof found);
	x->header = true;
	x->header_row = r->number;
	return 0;
}

/* One row as it is read (sheet_each()'s callback): its cells are gone once this returns. */
static int read_row(void *ctx, const struct sheet_row *r)
{
	struct reading *x = ctx;
	struct arena *a = x->a;
	if (!x->header)
		return header_row(x, r);
	struct upload_row *u = arena_push(a, (void **)&x->rows, &x->nrows, &x->rowcap, sizeof *x->rows);
	if (!u)
		return out_of_memory(x);
	const int index = x->nrows - 1;
	*u = (struct upload_row){.row = r->number, .outcome = UPLOAD_APPLIED}; /* applied: to be applied */
	const int *cols = x->cols;
	const char *id = cell(r, cols[COL_ID]);
	const char *said = cell(r, cols[COL_DECISION]);
	const char *place = cell(r, cols[COL_NEW_PARAGRAPH]);
	if (!*said && !*cell(r, cols[COL_OBSERVATIONS]) && !*place) {
		u->comment_id = comment_id_of(id);
		u->outcome = UPLOAD_EMPTY;
		return 0;
	}
	u->outcome = UPLOAD_REFUSED;
	if (!*id) {
		u->reason = "No comment id: this row names no comment.";
		return 0;
	}
	if (!(u->comment_id = comment_id_of(id))) {
		u->reason = arena_printf(a, "%s is not a comment id.", quoted(a, id));
		return 0;
	}
	if (!grow((void **)&x->seen, x->nseen, &x->seencap, sizeof *x->seen))
		return out_of_memory(x);
	x->seen[x->nseen++] = (struct seen){u->comment_id, index};
	enum disposition_decision d;
	if (!*said) {
		u->reason = "No decision: write Accepted, Accepted in part, Not accepted or Noted.";
		return 0;
	}
	if (!disposition_upload_decision(said, &d)) {
		u->reason =
		    arena_printf(a, "%s is not a decision: write Accepted, Accepted in part, Not accepted or Noted.",
		                 quoted(a, said));
		return 0;
	}
	int number = 0;
	const char *label = NULL, *pid = NULL;
	if (*place && !paragraph_of(a, place, &number, &label, &pid)) {
		u->reason =
		    arena_printf(a,
		                 "%s is not a paragraph: write it as the matrix does (\u00b64 of Revised draft) or as "
		                 "its id (p4), or leave the cell empty.",
		                 quoted(a, place));
		return 0;
	}
	/* what is kept of the row: its reason and paragraph, copied out of the row's cells */
	struct disposition_each item = {
	    .comment_id = u->comment_id,
	    .in = {.decision = disposition_decision_name(d),
	           .reason = arena_strdup(a, unneutralized(cell(r, cols[COL_OBSERVATIONS])))},
	    .keep_paragraph = cols[COL_NEW_PARAGRAPH] < 0};
	if (!item.in.reason)
		return out_of_memory(x);
	if (*place && number) {
		int found = paragraph_resolve(x->db, a, u->comment_id, number, label, &item.in.paragraph,
		                              &item.in.version_id, x->e);
		if (found < 0)
			return -1;
		if (!found) {
			/* said as the core would: the comment first, then the paragraph */
			int64_t of = 0;
			struct error ce;
			error_clear(&ce);
			if (disposition_comment_call(x->db, u->comment_id, &of, &ce) != 0)
				u->reason = !strcmp(ce.code, ERROR_NOT_FOUND)
				                ? arena_printf(a, "There is no comment %lld.", (long long)u->comment_id)
				                : NULL;
			else if (of != x->call_id)
				u->reason = arena_printf(a, "Comment %lld is a comment of another call.",
				                         (long long)u->comment_id);
			else
				u->reason = arena_printf(
				    a, "%s is not a paragraph of a later version of the commented document%s.",
				    quoted(a, place), label ? "" : " (the newest published one)");
			if (!u->reason) {
				*x->e = ce;
				return -1;
			}
			return 0;
		}
	} else if (*place && !(item.in.paragraph = arena_strdup(a, pid))) {
		return out_of_memory(x);
	}
	if (!grow((void **)&x->items, x->nitems, &x->itemcap, sizeof *x->items) ||
	    !grow((void **)&x->item_row, x->nitems, &x->item_rowcap, sizeof *x->item_row))
		return out_of_memory(x);
	x->items[x->nitems] = item;
	x->item_row[x->nitems++] = index;
	u->outcome = UPLOAD_APPLIED;
	return 0;
}

/* Every row naming a comment that another row names too is refused, each saying which rows. */
static void refuse_duplicates(struct reading *x)
{
	struct arena *a = x->a;
	if (x->nseen > 1)
		qsort(x->seen, (size_t)x->nseen, sizeof *x->seen, seen_cmp);
	for (int i = 0; i < x->nseen;) {
		int j = i;
		while (j < x->nseen && x->seen[j].id == x->seen[i].id)
			j++;
		if (j - i > 1) {
			const char *rows = "";
			for (int k = i; k < j && k < i + 5 && rows; k++)
				rows = arena_printf(a, "%s%s%d", rows,
				                    k == i       ? ""
				                    : k + 1 == j ? " and "
				                                 : ", ",
				                    x->rows[x->seen[k].index].row);
			const char *why =
			    arena_printf(a,
			                 "Comment %lld is in rows %s%s: keep one row per comment; none of "
			                 "these was applied.",
			                 (long long)x->seen[i].id, rows ? rows : "", j - i > 5 ? " and more" : "");
			for (int k = i; k < j; k++) {
				x->rows[x->seen[k].index].outcome = UPLOAD_REFUSED;
				x->rows[x->seen[k].index].reason = why ? why : "The comment is in more than one row.";
			}
		}
		i = j;
	}
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
		    _("The dispositions of this call are published: they no longer change, and no row was applied."));
		return -1;
	}
	const char *shown = name && *name ? arena_printf(a, "%s: ", name) : "";
	if (!shown)
		shown = "";
	if (len > (size_t)LIMIT_MATRIX_FILE) {
		error_field(e, "file", _("%sthe file is larger than %d MiB."), shown,
		            LIMIT_MATRIX_FILE / (1024 * 1024));
		return -1;
	}
	enum sheet_format format = sheet_detect(data, len);
	if (format != SHEET_XLSX && format != SHEET_CSV) {
		error_field(e, "file", _("%sthis is not a spreadsheet: upload the matrix as XLSX or CSV."), shown);
		return -1;
	}
	struct reading x = {.db = db, .a = a, .call_id = call_id, .shown = shown, .e = e};
	const struct sheet_limits lim = disposition_upload_limits();
	int rc = sheet_each(a, data, len, name ? name : "", &lim, "file", read_row, &x, &out->format, e);
	if (rc == 0 && !x.header) {
		error_field(
		    e, "file",
		    _("%sno header row naming the columns Comment id, Decision and Observations of the secretariat: "
		      "upload the resolution matrix downloaded from this call's back office, filled in."),
		    shown);
		rc = -1;
	}
	int applied = 0, unchanged = 0, refused = 0, n = 0;
	if (rc == 0) {
		refuse_duplicates(&x);
		/* the items of rows refused since (duplicates) are left out */
		for (int k = 0; k < x.nitems; k++)
			if (x.rows[x.item_row[k]].outcome == UPLOAD_APPLIED) {
				x.items[n] = x.items[k];
				x.item_row[n++] = x.item_row[k];
			}
		rc = disposition_record_each(db, a, who, call_id, x.items, n, name && *name ? name : "matrix", &applied,
		                             &unchanged, &refused, e);
	}
	for (int k = 0; rc == 0 && k < n; k++) {
		struct upload_row *u = &x.rows[x.item_row[k]];
		u->outcome = x.items[k].outcome == DISPOSITION_APPLIED     ? UPLOAD_APPLIED
		             : x.items[k].outcome == DISPOSITION_UNCHANGED ? UPLOAD_UNCHANGED
		                                                           : UPLOAD_REFUSED;
		u->reason = x.items[k].refused;
	}
	free(x.items);
	free(x.item_row);
	free(x.seen);
	if (rc != 0)
		return -1;
	out->header_row = x.header_row;
	out->rows = x.rows;
	out->nrows = x.nrows;
	for (int i = 0; i < x.nrows; i++) {
		switch (x.rows[i].outcome) {
		case UPLOAD_APPLIED: out->applied++; break;
		case UPLOAD_UNCHANGED: out->unchanged++; break;
		case UPLOAD_REFUSED: out->refused++; break;
		case UPLOAD_EMPTY: out->empty++; break;
		}
	}
	return 0;
}
