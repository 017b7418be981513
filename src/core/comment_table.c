/* comment_table — see comment_table.h. */
#include "core/comment_table.h"

#include "core/limits.h"
#include "util/buf.h"
#include "util/i18n.h"
#include "util/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { HEADER_SEARCH_ROWS = 30 /* rows above the header (the template's title, date, document) looked through */ };

struct sheet_limits comment_table_limits(void)
{
	return (struct sheet_limits){.max_unzipped = LIMIT_TABLE_UNZIPPED,
	                             .max_rows = LIMIT_TABLE_ROWS,
	                             .max_columns = LIMIT_TABLE_COLUMNS,
	                             .max_cell = LIMIT_TABLE_CELL,
	                             .seconds = LIMIT_CONVERT_SECONDS};
}

/* Headers compared -------------------------------------------------------------------------------- */

/* The ASCII letter of U+00C0..U+00FF without its accent, or 0 (×, ÷). */
static const char latin1_base[] = "AAAAAAACEEEEIIIIDNOOOOO\0OUUUUYTsaaaaaaaceeeeiiiidnooooo\0ouuuuyty";

/* s lowercased, accents removed (Latin-1 letters, œ), every run of other characters one space, trimmed:
 * "Type de commentaire²" → "type de commentaire", "MB/NC¹" → "mb nc", "No. de l'article" → "no de l article". */
static char *fold(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, 2 * n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	bool space = true;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		char c = 0, c2 = 0;
		if (*p < 0x80) {
			c = isalnum(*p) ? (char)tolower(*p) : 0;
			p++;
		} else {
			unsigned cp = 0;
			int len = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
			cp = *p & (0x3F >> (len - 1));
			for (int k = 1; k < len && p[k]; k++)
				cp = cp << 6 | (p[k] & 0x3F);
			for (int k = 0; k < len && *p; k++)
				p++;
			if (cp >= 0xC0 && cp <= 0xFF)
				c = (char)tolower((unsigned char)latin1_base[cp - 0xC0]);
			else if (cp == 0x152 || cp == 0x153)
				c = 'o', c2 = 'e';
		}
		if (!c) {
			if (!space)
				out[o++] = ' ';
			space = true;
			continue;
		}
		out[o++] = c;
		if (c2)
			out[o++] = c2;
		space = false;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return out;
}

static bool starts(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncmp(s, prefix, n) && (s[n] == '\0' || s[n] == ' ');
}

static bool has(const char *s, const char *word)
{
	for (const char *p = s; (p = strstr(p, word)); p++)
		if ((p == s || p[-1] == ' ') && (p[strlen(word)] == '\0' || p[strlen(word)] == ' '))
			return true;
	return false;
}

/* Which of the template's columns a header names, or -1. The order matters: "Type of comment" and
 * "Observations of the secretariat on each comment" also say "comment"; "Proposed change by the MB" says
 * "MB". */
static int column_of(struct arena *a, const char *header)
{
	if (!strcmp(header, "\u00b6"))
		return COLUMN_PARAGRAPH;
	const char *h = fold(a, header);
	if (!h || !*h)
		return -1;
	if (starts(h, "type") || has(h, "comment type"))
		return COLUMN_TYPE;
	if (starts(h, "observation") || starts(h, "observations") || has(h, "secretariat") || has(h, "secretariats"))
		return COLUMN_OBSERVATIONS;
	if (has(h, "proposed") || has(h, "proposees") || has(h, "proposee") || starts(h, "modification") ||
	    starts(h, "modifications") || starts(h, "proposal"))
		return COLUMN_PROPOSED;
	if (starts(h, "comment") || starts(h, "comments") || starts(h, "commentaire") || starts(h, "commentaires"))
		return COLUMN_COMMENT;
	if (starts(h, "clause") || starts(h, "subclause") || has(h, "article") || starts(h, "section"))
		return COLUMN_CLAUSE;
	if (starts(h, "paragraph") || starts(h, "paragraphe") || starts(h, "para") || starts(h, "figure") ||
	    has(h, "paragraph") || has(h, "paragraphe"))
		return COLUMN_PARAGRAPH;
	if (starts(h, "mb") || starts(h, "nc") || has(h, "member body") || starts(h, "organisme") ||
	    starts(h, "contributor") || starts(h, "member"))
		return COLUMN_MEMBER;
	return -1;
}

/* An error for the field, "NAME: " then the message, cut at the field's length between two characters. */
static void table_error(struct error *e, const char *field, const char *shown, const char *message)
{
	char msg[2 * ERROR_MESSAGE_LEN];
	snprintf(msg, sizeof msg, "%s%s", shown, message);
	msg[utf8_prefix(msg, ERROR_MESSAGE_LEN - 1)] = '\0';
	error_field(e, field, "%s", msg);
}

/* Rows mapped ------------------------------------------------------------------------------------- */

static const char *cell(const struct sheet_row *r, int column)
{
	return column >= 0 && column < r->ncells ? r->cells[column] : "";
}

/* The template's numbering row under the header: "(1)", "(2)", ... in every cell with text. */
static bool numbering_row(const struct sheet_row *r)
{
	bool any = false;
	for (int c = 0; c < r->ncells; c++) {
		const char *s = r->cells[c];
		if (!*s)
			continue;
		size_t n = strlen(s);
		if (n < 3 || s[0] != '(' || s[n - 1] != ')' || strspn(s + 1, "0123456789") != n - 2)
			return false;
		any = true;
	}
	return any;
}

/* The type as the database names it, from what the row says; NULL if it is not understood. */
static const char *type_of(struct arena *a, const char *said)
{
	const char *t = fold(a, said);
	if (!t)
		return NULL;
	static const char *const general[] = {"ge", "g", "gen", "general", "generale", "generaux"};
	static const char *const technical[] = {"te", "t", "tech", "technical", "technique", "techniques"};
	static const char *const editorial[] = {"ed",       "e", "edit", "editorial", "redactionnel", "redactionnelle",
	                                        "redaction"};
	for (size_t i = 0; i < sizeof general / sizeof *general; i++)
		if (!strcmp(t, general[i]))
			return "general";
	for (size_t i = 0; i < sizeof technical / sizeof *technical; i++)
		if (!strcmp(t, technical[i]))
			return "technical";
	for (size_t i = 0; i < sizeof editorial / sizeof *editorial; i++)
		if (!strcmp(t, editorial[i]))
			return "editorial";
	return NULL;
}

/* The paragraph number a place names: "¶3", "3", "p3", "P. 3", "para 3", "para. 3", "paragraph 3",
 * "paragraphe 3"; 0 if it is not one of those ("5.2", "Table 1"). `bare` allows a number alone (the
 * paragraph column) or not (the clause column, where "3" is clause 3). */
static int paragraph_number(const char *said, bool bare)
{
	const char *s = said;
	while (*s == ' ')
		s++;
	bool prefixed = false;
	if (!strncmp(s, "\u00b6", 2)) {
		s += 2;
		prefixed = true;
	} else {
		static const char *const words[] = {"paragraphe", "paragraph", "para", "par", "p"};
		for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
			size_t n = strlen(words[i]);
			if (!strncasecmp(s, words[i], n) && !isalpha((unsigned char)s[n])) {
				s += n;
				prefixed = true;
				break;
			}
		}
	}
	if (!prefixed && !bare)
		return 0;
	if (prefixed && *s == '.')
		s++;
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	char *end;
	long n = strtol(s, &end, 10);
	/* "3.0" is what a spreadsheet may make of 3 typed in a number cell */
	if (!strcmp(end, ".0"))
		end += 2;
	while (*end == ' ')
		end++;
	return *end || n < 1 || n > 1000000 ? 0 : (int)n;
}

/* What a cell said, as a note quotes it: at most 60 bytes, on one line. */
static const char *quoted(struct arena *a, const char *said)
{
	size_t keep = utf8_prefix(said, 60);
	char *q = arena_printf(a, "%.*s%s", (int)keep, said, said[keep] ? "\u2026" : "");
	for (char *p = q; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return q ? q : "";
}

static const struct paragraph *paragraph_numbered(const struct paragraph *p, int n, int number)
{
	for (int i = 0; i < n; i++)
		if (p[i].number == number)
			return &p[i];
	return NULL;
}

static const char *joined(struct arena *a, const char *x, const char *y)
{
	if (!*x)
		return *y ? y : NULL;
	if (!*y)
		return x;
	return arena_printf(a, "%s, %s", x, y);
}

/* The rows naming a paragraph number this version does not have: (row in the file, ¶ number) pairs. */
struct missing {
	int (*rows)[2];
	int n, cap;
};

static int missing_add(struct arena *a, struct missing *m, int row, int number)
{
	int(*slot)[2] = arena_push(a, (void **)&m->rows, &m->n, &m->cap, sizeof *m->rows);
	if (!slot)
		return -1;
	(*slot)[0] = row;
	(*slot)[1] = number;
	return 0;
}

static int by_number(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return (a > b) - (a < b);
}

/* The version's paragraph numbers as ranges: "¶1–¶9, ¶12"; "none" when it has none. */
static const char *valid_numbers(struct arena *a, const struct paragraph *p, int n)
{
	if (n <= 0)
		return _("none");
	int *v = arena_alloc(a, sizeof *v * (size_t)n);
	if (!v)
		return "";
	for (int i = 0; i < n; i++)
		v[i] = p[i].number;
	qsort(v, (size_t)n, sizeof *v, by_number);
	struct buf b;
	buf_init(&b, 4096);
	for (int i = 0; i < n;) {
		int j = i;
		while (j + 1 < n && v[j + 1] <= v[j] + 1)
			j++;
		buf_printf(&b, "%s\u00b6%d", i ? ", " : "", v[i]);
		if (v[j] != v[i])
			buf_printf(&b, "\u2013\u00b6%d", v[j]);
		i = j + 1;
	}
	size_t len = 0;
	char *s = buf_steal(&b, &len);
	const char *copy = s ? arena_strndup(a, s, len) : NULL;
	free(s);
	buf_free(&b);
	return copy ? copy : "";
}

static const char *missing_sentence(struct arena *a, const struct missing *m, const char *listed, const char *valid)
{
	return arena_printf(a,
	                    i18n_n("%d row names a paragraph this version does not have (%s); its paragraphs are %s. "
	                           "Correct the paragraph column and send the table again: nothing was taken from it.",
	                           "%d rows name paragraphs this version does not have (%s); its paragraphs are %s. "
	                           "Correct the paragraph column and send the table again: nothing was taken from it.",
	                           (unsigned long)m->n),
	                    m->n, listed, valid);
}

/* The message that refuses a table whose rows name paragraphs this version does not have: each row (as many
 * as the field's message holds after the file's name `shown` and the sentence, whatever the language's letters
 * cost) with the number it names, the others counted, then the numbers that are paragraphs. */
static const char *missing_message(struct arena *a, const struct missing *m, const struct paragraph *p, int n,
                                   const char *shown)
{
	enum { MORE = 48 /* bytes kept for "; and 123 more rows" in any language */ };
	/* TRANSLATORS: between the rows a message lists: "row 3 names ¶9; row 5 names ¶12; and 2 more rows". */
	const char *between = C_("between listed rows", "; ");
	const char *valid = valid_numbers(a, p, n);
	const char *bare = missing_sentence(a, m, "", valid);
	size_t used = strlen(shown) + (bare ? strlen(bare) : 0) + MORE;
	size_t room = used < ERROR_MESSAGE_LEN - 1 ? ERROR_MESSAGE_LEN - 1 - used : 0;
	struct buf rows;
	buf_init(&rows, 4096);
	int listed = 0;
	for (; listed < m->n; listed++) {
		const char *one = arena_printf(a, _("row %d names \u00b6%d"), m->rows[listed][0], m->rows[listed][1]);
		if (!one || (listed > 0 && rows.len + strlen(between) + strlen(one) > room))
			break;
		buf_printf(&rows, "%s%s", listed ? between : "", one);
	}
	if (m->n > listed)
		buf_printf(&rows, "%s%s", between,
		           arena_printf(a, i18n_n("and %d more row", "and %d more rows", (unsigned long)(m->n - listed)),
		                        m->n - listed));
	size_t len = 0;
	char *list = buf_steal(&rows, &len);
	const char *msg = missing_sentence(a, m, list ? list : "", valid);
	free(list);
	buf_free(&rows);
	return msg ? msg : "";
}

int comment_table_map(struct arena *a, const struct sheet *sheet, const char *name, const struct paragraph *paragraphs,
                      int n, const char *field, struct comment_table *out, bool *not_table, struct error *e)
{
	memset(out, 0, sizeof *out);
	out->name = name;
	out->format = sheet->format;
	if (not_table)
		*not_table = false;
	const char *shown = "";
	if (name && *name && utf8_valid(name, strlen(name))) {
		size_t keep = utf8_prefix(name, 80);
		shown = arena_printf(a, "%.*s%s: ", (int)keep, name, name[keep] ? "\u2026" : "");
	}

	/* The header: the first row that names the comments and at least one other column of the template. */
	int h = -1;
	for (int i = 0; i < sheet->nrows && i < HEADER_SEARCH_ROWS && h < 0; i++) {
		int cols[COLUMN_COUNT], found = 0;
		for (int k = 0; k < COLUMN_COUNT; k++)
			cols[k] = -1;
		for (int c = 0; c < sheet->rows[i].ncells; c++) {
			int k = column_of(a, sheet->rows[i].cells[c]);
			if (k >= 0 && cols[k] < 0) {
				cols[k] = c;
				found++;
			}
		}
		if (cols[COLUMN_COMMENT] >= 0 && found >= 2) {
			h = i;
			memcpy(out->columns, cols, sizeof cols);
		}
	}
	if (h < 0) {
		if (not_table)
			*not_table = true;
		table_error(e, field, shown,
		            _("no header row found: a comment table has a row naming its columns, among them "
		              "\u201cComments\u201d (or \u201cCommentaires\u201d) and \u201cType of comment\u201d, "
		              "\u201cClause\u201d or \u201cParagraph\u201d."));
		return -1;
	}
	out->header_row = sheet->rows[h].number;

	struct missing missing = {0};
	int cap = 0, rowcap = 0;
	for (int i = h + 1; i < sheet->nrows; i++) {
		const struct sheet_row *r = &sheet->rows[i];
		if (i == h + 1 && numbering_row(r))
			continue;
		struct comment_table_row *tr =
		    arena_push(a, (void **)&out->rows, &out->nrows, &rowcap, sizeof *out->rows);
		if (!tr)
			goto oom;
		tr->row = r->number;
		tr->comment = -1;
		const char *member = cell(r, out->columns[COLUMN_MEMBER]);
		tr->member = *member ? member : NULL;
		const char *text = cell(r, out->columns[COLUMN_COMMENT]);
		if (!*text) {
			tr->understood = _("skipped: no comment text in this row");
			continue;
		}
		const char *clause = cell(r, out->columns[COLUMN_CLAUSE]),
		           *place = cell(r, out->columns[COLUMN_PARAGRAPH]);
		const char *said_type = cell(r, out->columns[COLUMN_TYPE]);
		const char *proposed = cell(r, out->columns[COLUMN_PROPOSED]);

		/* The type: unknown ones are general, with a note. */
		const char *type = *said_type ? type_of(a, said_type) : "general";
		const char *note = NULL;
		if (!type) {
			type = "general";
			note = arena_printf(a, _("the type \u201c%s\u201d is not ge, te or ed; taken as general"),
			                    quoted(a, said_type));
		}

		/* The paragraph: ¶N of this version, from the paragraph column or a clause written as ¶N. A number
		 * that is no paragraph of this version stops the whole table (below): the secretariat would otherwise
		 * find a comment on ¶12 filed as general, or on the wrong paragraph, and nothing may be half-stored.
		 * A place that is no paragraph number at all ("Table 1", "5.2") keeps the comment, as a general one,
		 * with a note: the template's column also names figures and tables. */
		const char *pid = NULL;
		int number = *place ? paragraph_number(place, true) : 0;
		if (!number && !*place && *clause)
			number = paragraph_number(clause, false);
		if (number) {
			const struct paragraph *p = paragraph_numbered(paragraphs, n, number);
			if (p)
				pid = p->pid;
			else if (missing_add(a, &missing, r->number, number) != 0)
				goto oom;
		} else if (*place) {
			const char *what =
			    arena_printf(a, _("\u201c%s\u201d is not a paragraph number of this version (\u00b6N); kept as a "
			                      "general comment"),
			                 quoted(a, place));
			note = note && what ? arena_printf(a, "%s; %s", note, what) : what;
		}

		struct comment_input *c = arena_push(a, (void **)&out->comments, &out->ncomments, &cap, sizeof *c);
		if (!c)
			goto oom;
		*c = (struct comment_input){
		    .paragraph = pid,
		    .type = type,
		    .comment = text,
		    .proposed_change = *proposed ? proposed : NULL,
		    .row = r->number - out->header_row,
		    .clause = joined(a, clause, place),
		    .note = note,
		};
		tr->comment = out->ncomments - 1;
		enum comment_type kind = COMMENT_GENERAL;
		comment_type_parse(type, &kind);
		const char *said = comment_type_label(kind);
		const char *where = pid ? arena_printf(a, _("on \u00b6%d, %s"), number, said)
		                        : arena_printf(a, _("general comment, %s"), said);
		tr->understood = where && note ? arena_printf(a, "%s: %s", where, note) : where;
		if (!tr->understood)
			goto oom;
	}
	if (missing.n > 0) {
		table_error(e, field, shown, missing_message(a, &missing, paragraphs, n, shown));
		out->ncomments = 0;
		return -1;
	}
	if (out->ncomments == 0) {
		table_error(
		    e, field, shown,
		    arena_printf(a, _("no comment: no row under the header (row %d) has text in its comments column."),
		                 out->header_row));
		return -1;
	}
	return 0;
oom:
	error_set(e, ERROR_INTERNAL, "out of memory mapping a comment table");
	return -1;
}

int comment_table_read(struct arena *a, const void *data, size_t len, const char *name,
                       const struct paragraph *paragraphs, int n, const char *field, struct comment_table *out,
                       bool *not_table, struct error *e)
{
	memset(out, 0, sizeof *out);
	if (not_table)
		*not_table = false;
	const struct sheet_limits lim = comment_table_limits();
	struct sheet sheet;
	if (sheet_read(a, data, len, name, &lim, field, &sheet, e) != 0) {
		out->format = sheet.format;
		if (not_table)
			*not_table = sheet.format == SHEET_UNKNOWN || sheet.no_table;
		return -1;
	}
	return comment_table_map(a, &sheet, name, paragraphs, n, field, out, not_table, e);
}

const char *comment_table_report(struct arena *a, const struct comment_table *t, const char *name)
{
	if (!name)
		name = t->name;
	struct buf b;
	buf_init(&b, (size_t)LIMIT_RESPONSE);
	if (name && *name)
		buf_printf(&b,
		           i18n_n("%d comment taken from the %s table \u201c%s\u201d (header in row %d):",
		                  "%d comments taken from the %s table \u201c%s\u201d (header in row %d):",
		                  (unsigned long)t->ncomments),
		           t->ncomments, sheet_format_name(t->format), name, t->header_row);
	else
		buf_printf(&b,
		           i18n_n("%d comment taken from the %s table (header in row %d):",
		                  "%d comments taken from the %s table (header in row %d):", (unsigned long)t->ncomments),
		           t->ncomments, sheet_format_name(t->format), t->header_row);
	buf_printf(&b, "\n");
	for (int i = 0; i < t->nrows; i++) {
		buf_printf(&b, _("Row %d: %s."), t->rows[i].row, t->rows[i].understood);
		buf_printf(&b, "\n");
	}
	size_t len = 0;
	char *s = buf_steal(&b, &len);
	char *copy = s ? arena_strndup(a, s, len) : NULL;
	free(s);
	buf_free(&b);
	return copy ? copy : "";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

bool comment_table_candidate(const char *filename, const char *content_type)
{
	if (filename && (ends_with(filename, ".xlsx") || ends_with(filename, ".csv") || ends_with(filename, ".docx") ||
	                 ends_with(filename, ".tsv")))
		return true;
	if (!content_type)
		return false;
	static const char *const types[] = {
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	    "text/csv",
	    "text/tab-separated-values",
	    "application/csv",
	};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (!strncasecmp(content_type, types[i], strlen(types[i])))
			return true;
	return false;
}
