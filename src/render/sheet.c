/* sheet — see sheet.h. One grid builder (struct grid) that the three readers feed cell by cell, so that
 * the limits, the empty rows and the messages are the same whatever the format. */
#include "render/sheet.h"

#include "util/buf.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/run.h"
#include "util/utf8.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <zip.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The grid ---------------------------------------------------------------------------------------- */

struct grid {
	struct arena *a;
	const struct sheet_limits *lim;
	const char *name; /* the file's name as messages show it: "comments.xlsx: " or "" */
	const char *field;
	struct error *e;
	bool failed;
	struct sheet_row *rows;
	int nrows, cap;
	/* the row being read */
	int number;
	const char **cells;
	int ncells, cellcap;
	bool any;      /* a cell of this row has text */
	bool no_table; /* the file holds no table (sheet.no_table) */
	/* sheet_each(): each row is handed to fn as it ends and not kept; its cells live in `row`, emptied after */
	int (*fn)(void *ctx, const struct sheet_row *row);
	void *ctx;
	struct arena row;
};

/* Where the cells of the row being read go: the arena of the grid, or the row's own when rows are streamed. */
static struct arena *grid_cells(struct grid *g)
{
	return g->fn ? &g->row : g->a;
}

static void grid_fail(struct grid *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void grid_fail(struct grid *g, const char *fmt, ...)
{
	if (g->failed)
		return;
	g->failed = true;
	char msg[2 * ERROR_MESSAGE_LEN];
	size_t n = (size_t)snprintf(msg, sizeof msg, "%s", g->name);
	va_list ap;
	va_start(ap, fmt);
	if (n < sizeof msg)
		vsnprintf(msg + n, sizeof msg - n, fmt, ap);
	va_end(ap);
	/* cut where the field's message must end, never inside a character */
	msg[utf8_prefix(msg, ERROR_MESSAGE_LEN - 1)] = '\0';
	error_field(g->e, g->field, "%s", msg);
}

const char *sheet_column_name(struct arena *a, int column)
{
	char letters[8];
	int n = 0;
	for (int c = column + 1; c > 0 && n < (int)sizeof letters; c = (c - 1) / 26)
		letters[n++] = (char)('A' + (c - 1) % 26);
	char *out = arena_alloc(a, (size_t)n + 1);
	if (!out)
		return "?";
	for (int i = 0; i < n; i++)
		out[i] = letters[n - 1 - i];
	return out;
}

static void grid_begin_row(struct grid *g, int number)
{
	g->number = number;
	g->cells = NULL;
	g->ncells = g->cellcap = 0;
	g->any = false;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Puts len bytes of text (UTF-8) in column (from 0) of the row being read, trimmed of surrounding space.
 * shared: the text is an XLSX shared string, already trimmed, checked and in the arena, which any number
 * of cells may use: it is neither checked nor copied again (a 64 KiB string used by a million cells would
 * otherwise cost 64 GiB, or as many seconds). */
static void grid_put(struct grid *g, int column, const char *text, size_t len, bool shared)
{
	if (g->failed)
		return;
	while (!shared && len > 0 && is_space((unsigned char)*text))
		text++, len--;
	while (!shared && len > 0 && is_space((unsigned char)text[len - 1]))
		len--;
	if (len == 0)
		return;
	if (column < 0 || column >= g->lim->max_columns) {
		grid_fail(g, _("row %d, column %s: text beyond the first %d columns; a comment table has fewer: move it into "
		            "the first %d columns or delete it."),
		          g->number, sheet_column_name(g->a, column < 0 ? 0 : column), g->lim->max_columns, g->lim->max_columns);
		return;
	}
	if (len > g->lim->max_cell) {
		grid_fail(g, _("row %d, column %s: a cell longer than %zu bytes; shorten it."), g->number,
		          sheet_column_name(g->a, column), g->lim->max_cell);
		return;
	}
	if (!shared && !utf8_valid(text, len)) {
		grid_fail(g, _("row %d, column %s: the text is not valid UTF-8; save the table as CSV UTF-8 or XLSX."), g->number,
		          sheet_column_name(g->a, column));
		return;
	}
	while (g->ncells <= column) {
		const char **slot =
		    arena_push(grid_cells(g), (void **)&g->cells, &g->ncells, &g->cellcap, sizeof *g->cells);
		if (!slot) {
			grid_fail(g, _("the table is too large to be read here."));
			return;
		}
		*slot = "";
	}
	const char *copy = shared ? text : arena_strndup(grid_cells(g), text, len);
	if (!copy) {
		grid_fail(g, _("the table is too large to be read here."));
		return;
	}
	g->cells[column] = copy;
	g->any = true;
}

static void grid_cell(struct grid *g, int column, const char *text, size_t len)
{
	grid_put(g, column, text, len, false);
}

/* Ends the row being read: kept if a cell has text. One row past the limit stops the reading. */
static void grid_end_row(struct grid *g)
{
	if (g->failed || !g->any)
		return;
	if (g->nrows >= g->lim->max_rows) {
		grid_fail(g, _("more than %d rows (row %d is one too many); send at most %d rows in one table."),
		          g->lim->max_rows, g->number, g->lim->max_rows);
		return;
	}
	if (g->fn) {
		const struct sheet_row r = {g->number, g->ncells, g->cells};
		g->nrows++;
		const int rc = g->fn(g->ctx, &r);
		arena_free(&g->row);
		arena_init(&g->row);
		g->cells = NULL;
		g->ncells = g->cellcap = 0;
		g->any = false;
		if (rc != 0)
			g->failed = true; /* the caller's error is in e: the readers stop as after one of ours */
		return;
	}
	struct sheet_row *r = arena_push(g->a, (void **)&g->rows, &g->nrows, &g->cap, sizeof *g->rows);
	if (!r) {
		grid_fail(g, _("the table is too large to be read here."));
		return;
	}
	*r = (struct sheet_row){g->number, g->ncells, g->cells};
	g->any = false;
}

/* XLSX -------------------------------------------------------------------------------------------- */

#define NS_REL        "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"

/* One zip entry read by libxml2 as it inflates, counting the bytes that come out. */
struct zip_in {
	zip_file_t *f;
	size_t max, got;
	bool too_large;
};

static int zip_in_read(void *ctx, char *buf, int len)
{
	struct zip_in *z = ctx;
	zip_int64_t n = zip_fread(z->f, buf, (zip_uint64_t)len);
	if (n < 0)
		return -1;
	z->got += (size_t)n;
	if (z->got > z->max) {
		z->too_large = true;
		return -1;
	}
	return (int)n;
}

static int zip_in_close(void *ctx)
{
	(void)ctx; /* the entry is closed by xlsx_close(), which also knows whether it was too large */
	return 0;
}

struct xlsx {
	struct grid *g;
	zip_t *zip;
	struct zip_in in;
	xmlTextReaderPtr reader;
	const char *entry;
	/* shared strings */
	const char **sst;
	size_t *sst_len;
	int nsst, sstcap, sstlencap;
	/* merged cells: [r1, c1, r2, c2] */
	int (*merges)[4];
	int nmerges, mergecap;
};

static void xlsx_bomb(struct xlsx *x)
{
	grid_fail(x->g, _("%s inflates to more than %zu MiB; refused (is it a zip bomb?)."), x->entry,
	          x->g->lim->max_unzipped / (1024 * 1024));
}

/* Opens the entry `path` for reading with x->reader; false (and an error unless `optional`) if it cannot. */
static bool xlsx_open(struct xlsx *x, const char *path, bool optional)
{
	x->entry = path;
	zip_int64_t idx = zip_name_locate(x->zip, path, 0);
	if (idx < 0) {
		if (!optional)
			grid_fail(x->g, _("this is not a spreadsheet (XLSX): it has no %s."), path);
		return false;
	}
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) != 0) {
		grid_fail(x->g, _("the spreadsheet (XLSX) is damaged: %s cannot be read."), path);
		return false;
	}
	/* The size the archive declares is checked before anything is inflated; the bytes that come out are
	 * counted too (zip_in_read), since a declared size may lie. */
	if ((st.valid & ZIP_STAT_SIZE) && st.size > x->g->lim->max_unzipped) {
		xlsx_bomb(x);
		return false;
	}
	x->in = (struct zip_in){.f = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0), .max = x->g->lim->max_unzipped};
	if (!x->in.f) {
		grid_fail(x->g, _("the spreadsheet (XLSX) is damaged or encrypted: %s cannot be read."), path);
		return false;
	}
	/* No network, no entity substitution (a billion laughs stays references), no DTD loading. */
	x->reader = xmlReaderForIO(zip_in_read, zip_in_close, &x->in, NULL, NULL,
	                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
	if (!x->reader) {
		zip_fclose(x->in.f);
		grid_fail(x->g, _("the spreadsheet cannot be read here now."));
		return false;
	}
	return true;
}

/* Closes the entry; rc is the last xmlTextReaderRead's result (-1 on a parse error or a refusal). */
static void xlsx_close(struct xlsx *x, int rc)
{
	xmlFreeTextReader(x->reader);
	x->reader = NULL;
	zip_fclose(x->in.f);
	if (x->in.too_large)
		xlsx_bomb(x);
	else if (rc < 0)
		grid_fail(x->g, _("the spreadsheet (XLSX) is damaged: %s is not well-formed XML."), x->entry);
}

static bool named(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);
	return n && !strcmp((const char *)n, local);
}

/* The attribute `name` of the current element copied into buf (n bytes, cut if longer); NULL if it has none.
 * Never in the arena: a sheet may have millions of elements, and what is kept of them is counted. */
static const char *attr(struct xlsx *x, const char *name, char *buf, size_t n)
{
	xmlChar *v = xmlTextReaderGetAttribute(x->reader, (const xmlChar *)name);
	if (!v)
		return NULL;
	snprintf(buf, n, "%s", (const char *)v);
	xmlFree(v);
	return buf;
}

/* The path in the archive of the workbook's first sheet and of its shared strings (NULL if none). */
static void xlsx_paths(struct xlsx *x, const char **sheet, const char **strings)
{
	*sheet = "xl/worksheets/sheet1.xml";
	*strings = "xl/sharedStrings.xml";
	const char *rid = NULL;
	int rc = 0;
	if (!xlsx_open(x, "xl/workbook.xml", false))
		return;
	while ((rc = xmlTextReaderRead(x->reader)) == 1) {
		if (xmlTextReaderNodeType(x->reader) == XML_READER_TYPE_ELEMENT && named(x->reader, "sheet")) {
			xmlChar *v =
			    xmlTextReaderGetAttributeNs(x->reader, (const xmlChar *)"id", (const xmlChar *)NS_REL);
			if (!v)
				v = xmlTextReaderGetAttributeNs(x->reader, (const xmlChar *)"id",
				                                (const xmlChar *)NS_REL_STRICT);
			rid = v ? arena_strdup(x->g->a, (const char *)v) : NULL;
			xmlFree(v);
			break;
		}
	}
	xlsx_close(x, rc);
	if (x->g->failed || !rid || !xlsx_open(x, "xl/_rels/workbook.xml.rels", true))
		return;
	while ((rc = xmlTextReaderRead(x->reader)) == 1) {
		if (xmlTextReaderNodeType(x->reader) != XML_READER_TYPE_ELEMENT || !named(x->reader, "Relationship"))
			continue;
		char idb[64], targetb[512], typeb[256];
		const char *id = attr(x, "Id", idb, sizeof idb), *target = attr(x, "Target", targetb, sizeof targetb);
		const char *type = attr(x, "Type", typeb, sizeof typeb);
		if (!target)
			continue;
		const bool is_sheet = id && !strcmp(id, rid);
		const bool is_strings =
		    !is_sheet && type && strlen(type) > 14 && !strcmp(type + strlen(type) - 14, "/sharedStrings");
		if (!is_sheet && !is_strings)
			continue;
		/* Targets are relative to xl/, or absolute in the package ("/xl/worksheets/sheet1.xml"). */
		const char *path =
		    target[0] == '/' ? arena_strdup(x->g->a, target + 1) : arena_printf(x->g->a, "xl/%s", target);
		if (!path)
			continue;
		if (is_sheet)
			*sheet = path;
		else
			*strings = path;
	}
	xlsx_close(x, rc);
}

/* Appends the text of the current text node to b; false if the text is over max (b is then left as is). */
static void take_text(xmlTextReaderPtr r, struct buf *b, bool *too_long)
{
	const xmlChar *v = xmlTextReaderConstValue(r);
	if (v && buf_puts(b, (const char *)v) != 0)
		*too_long = true;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* Decodes, in place, the escapes OOXML writes for characters XML cannot hold (ECMA-376's ST_Xstring):
 * _x000D_ is a carriage return, _x005F_ an underscore (so that a text "_x0041_" is written _x005F_x0041_).
 * Excel, LibreOffice and libxlsxwriter write them; a reader that left them would show "_x000D_". */
static void ooxml_unescape(struct buf *b)
{
	if (!b->data || !memchr(b->data, '_', b->len))
		return;
	size_t o = 0;
	for (size_t i = 0; i < b->len;) {
		const char *p = b->data + i;
		int h[4];
		if (i + 7 <= b->len && p[0] == '_' && p[1] == 'x' && p[6] == '_' && (h[0] = hex_digit(p[2])) >= 0 &&
		    (h[1] = hex_digit(p[3])) >= 0 && (h[2] = hex_digit(p[4])) >= 0 && (h[3] = hex_digit(p[5])) >= 0) {
			unsigned cp = (unsigned)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
			if (cp && (cp < 0xD800 || cp > 0xDFFF)) { /* never half a surrogate pair, never a NUL */
				if (cp < 0x80) {
					b->data[o++] = (char)cp;
				} else if (cp < 0x800) {
					b->data[o++] = (char)(0xC0 | cp >> 6);
					b->data[o++] = (char)(0x80 | (cp & 0x3F));
				} else {
					b->data[o++] = (char)(0xE0 | cp >> 12);
					b->data[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
					b->data[o++] = (char)(0x80 | (cp & 0x3F));
				}
				i += 7;
				continue;
			}
		}
		b->data[o++] = b->data[i++];
	}
	b->len = o;
	b->data[o] = '\0';
}

static bool is_text(int type)
{
	return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
	       type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE;
}

/* Reads the shared strings: each <si> is a plain <t> or rich text runs <r><t>, whose phonetic guides
 * (<rPh>) are not part of the text. */
static void xlsx_strings(struct xlsx *x, const char *path)
{
	if (!xlsx_open(x, path, true))
		return;
	struct buf b;
	buf_init(&b, x->g->lim->max_cell);
	bool in_si = false, in_t = false, too_long = false;
	int rph = 0, rc;
	while (!x->g->failed && (rc = xmlTextReaderRead(x->reader)) == 1) {
		int type = xmlTextReaderNodeType(x->reader);
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(x->reader);
			if (named(x->reader, "si")) {
				in_si = true;
				too_long = false;
				buf_reset(&b);
				if (!empty)
					continue;
			} else if (named(x->reader, "rPh") && !empty) {
				rph++;
				continue;
			} else if (named(x->reader, "t") && !empty) {
				in_t = true;
				continue;
			} else {
				continue;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (named(x->reader, "rPh"))
				rph--;
			else if (named(x->reader, "t"))
				in_t = false;
			if (!named(x->reader, "si"))
				continue;
		} else {
			if (in_si && in_t && rph == 0 && is_text(type))
				take_text(x->reader, &b, &too_long);
			continue;
		}
		/* the end of an <si> (or an empty <si/>) */
		if (!in_si)
			continue;
		in_si = false;
		/* No table needs more strings than it has cells: more would be a file made to cost memory. */
		if (x->nsst >= x->g->lim->max_rows * x->g->lim->max_columns) {
			grid_fail(x->g, _("%s holds more than %d strings; a comment table has fewer."), path,
			          x->g->lim->max_rows * x->g->lim->max_columns);
			break;
		}
		const char **s = arena_push(x->g->a, (void **)&x->sst, &x->nsst, &x->sstcap, sizeof *x->sst);
		int n = x->nsst - 1;
		size_t *l = arena_push(x->g->a, (void **)&x->sst_len, &n, &x->sstlencap, sizeof *x->sst_len);
		/* kept trimmed and checked once, for every cell that uses it (grid_put) */
		if (!too_long)
			ooxml_unescape(&b);
		const char *text = b.data ? b.data : "";
		size_t len = b.len;
		while (len > 0 && is_space((unsigned char)*text))
			text++, len--;
		while (len > 0 && is_space((unsigned char)text[len - 1]))
			len--;
		if (!too_long && !utf8_valid(text, len)) {
			grid_fail(x->g, _("%s: string %d is not valid UTF-8."), path, x->nsst);
			break;
		}
		char *copy = s && l ? arena_strndup(x->g->a, text, len) : NULL;
		if (!copy) {
			grid_fail(x->g, _("the table is too large to be read here."));
			break;
		}
		*s = copy;
		/* A string over the cell limit is remembered as such, and refused if a cell uses it. */
		*l = too_long ? x->g->lim->max_cell + 1 : len;
	}
	buf_free(&b);
	if (!x->g->failed)
		xlsx_close(x, rc);
	else {
		xmlFreeTextReader(x->reader);
		zip_fclose(x->in.f);
	}
}

/* "B12" → column 1, row 12; the row part may be absent. False if it is not a reference. */
static bool parse_ref(const char *s, int *column, int *row)
{
	int c = 0, n = 0;
	for (; *s >= 'A' && *s <= 'Z'; s++, n++) {
		if (n >= 3)
			return false;
		c = c * 26 + (*s - 'A' + 1);
	}
	if (n == 0)
		return false;
	*column = c - 1;
	if (row) {
		char *end;
		long r = strtol(s, &end, 10);
		if (*end || r < 1 || r > 1048576)
			return false;
		*row = (int)r;
	}
	return true;
}

/* A number as a person reads it: "5.2000000000000002" (what older Excel writes for 5.2) → "5.2". */
static const char *number_text(struct arena *a, const char *v)
{
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end)
		return v;
	char buf[40];
	snprintf(buf, sizeof buf, "%.15g", d);
	return arena_strdup(a, buf);
}

static void xlsx_cell(struct xlsx *x, int column, const char *type, struct buf *v, bool too_long)
{
	if (!too_long && strcmp(type, "s") != 0)
		ooxml_unescape(v);
	const char *text = v->data ? v->data : "";
	size_t len = v->len;
	if (too_long)
		len = x->g->lim->max_cell + 1;
	else if (!strcmp(type, "s")) {
		char *end;
		long i = strtol(text, &end, 10);
		if (end == text || *end || i < 0 || i >= x->nsst) {
			grid_fail(x->g, _("row %d, column %s: the spreadsheet is damaged (a shared string is missing); open it and save it again."),
			          x->g->number, sheet_column_name(x->g->a, column));
			return;
		}
		grid_put(x->g, column, x->sst[i], x->sst_len[i], true);
		return;
	} else if (!strcmp(type, "b")) {
		text = !strcmp(text, "1") ? "TRUE" : "FALSE";
		len = strlen(text);
	} else if ((!*type || !strcmp(type, "n")) && len > 0) {
		text = number_text(grid_cells(x->g), text);
		len = strlen(text);
	}
	/* inlineStr, str (a formula's text), e (an error such as #N/A), d (an ISO date): the text as it is */
	grid_cell(x->g, column, text, len);
}

/* A positive number of at most 7 digits (a row number), or 0. */
static int small_number(const char *s)
{
	if (!s)
		return 0;
	char *end;
	long n = strtol(s, &end, 10);
	return end != s && !*end && n > 0 && n <= 1048576 ? (int)n : 0;
}

/* Reads the sheet's rows as they stream by: <row r="3"><c r="B3" t="s"><v>0</v></c>...; a row or a cell
 * without its r follows the one before it. Then the merged cells (<mergeCell ref="A1:C1"/>). */
static void xlsx_sheet(struct xlsx *x, const char *path)
{
	if (!xlsx_open(x, path, false))
		return;
	struct buf v;
	buf_init(&v, x->g->lim->max_cell);
	bool in_row = false, in_cell = false, collect = false, too_long = false;
	int row = 0, column = -1, rph = 0, rc = 0;
	char type[16] = "", ref[48];
	while (!x->g->failed && (rc = xmlTextReaderRead(x->reader)) == 1) {
		int nt = xmlTextReaderNodeType(x->reader);
		if (nt == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(x->reader);
			if (named(x->reader, "row")) {
				int r = small_number(attr(x, "r", ref, sizeof ref));
				row = r ? r : row + 1;
				column = -1;
				grid_begin_row(x->g, row);
				in_row = !empty;
				if (empty)
					grid_end_row(x->g);
			} else if (in_row && named(x->reader, "c")) {
				int c;
				column = attr(x, "r", ref, sizeof ref) && parse_ref(ref, &c, NULL) ? c : column + 1;
				if (!attr(x, "t", type, sizeof type))
					type[0] = '\0';
				buf_reset(&v);
				too_long = false;
				in_cell = !empty;
			} else if (in_cell && named(x->reader, "rPh") && !empty) {
				rph++;
			} else if (in_cell && !empty && (named(x->reader, "v") || named(x->reader, "t"))) {
				/* <v> holds the value; <is><t> (or <is><r><t>) an inline string. <f>, a formula, is not
				 * the text. */
				collect = true;
			} else if (named(x->reader, "mergeCell")) {
				char *colon = attr(x, "ref", ref, sizeof ref) ? strchr(ref, ':') : NULL;
				int m[4];
				/* as many merged ranges as rows are spread; more would be a file made to cost memory */
				if (colon && x->nmerges < x->g->lim->max_rows && (*colon = '\0', true) &&
				    parse_ref(colon + 1, &m[3], &m[2]) && parse_ref(ref, &m[1], &m[0]) &&
				    m[0] <= m[2] && m[1] <= m[3]) {
					int(*slot)[4] = arena_push(x->g->a, (void **)&x->merges, &x->nmerges,
					                           &x->mergecap, sizeof *x->merges);
					if (slot)
						memcpy(*slot, m, sizeof m);
				}
			}
		} else if (nt == XML_READER_TYPE_END_ELEMENT) {
			if (named(x->reader, "row") && in_row) {
				in_row = false;
				grid_end_row(x->g);
			} else if (named(x->reader, "c") && in_cell) {
				in_cell = false;
				xlsx_cell(x, column, type, &v, too_long);
			} else if (named(x->reader, "rPh") && rph > 0) {
				rph--;
			} else if (named(x->reader, "v") || named(x->reader, "t")) {
				collect = false;
			}
		} else if (collect && rph == 0 && is_text(nt)) {
			take_text(x->reader, &v, &too_long);
		}
	}
	buf_free(&v);
	if (!x->g->failed)
		xlsx_close(x, rc);
	else {
		xmlFreeTextReader(x->reader);
		zip_fclose(x->in.f);
	}
}

/* The row of the grid numbered `number`, or NULL (the rows are in ascending order in the file). */
static int row_index(const struct grid *g, int number)
{
	int lo = 0, hi = g->nrows;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (g->rows[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A merged range shows its top-left cell's text across the range: a header "Comments" merged over C1:D1
 * names both columns, a member body merged down over five rows is each row's member body. */
static void xlsx_merges(struct xlsx *x)
{
	struct grid *g = x->g;
	long budget = (long)g->lim->max_rows * g->lim->max_columns; /* spreading never costs more than a full grid */
	for (int k = 0; k < x->nmerges && !g->failed; k++) {
		const int *m = x->merges[k];
		int i = row_index(g, m[0]);
		if (i >= g->nrows || g->rows[i].number != m[0] || m[1] >= g->rows[i].ncells)
			continue;
		const char *text = g->rows[i].cells[m[1]];
		if (!*text)
			continue;
		for (; i < g->nrows && g->rows[i].number <= m[2]; i++) {
			struct sheet_row *r = &g->rows[i];
			int last = m[3] < g->lim->max_columns ? m[3] : g->lim->max_columns - 1;
			if (last >= r->ncells) {
				const char **cells = arena_alloc(g->a, (size_t)(last + 1) * sizeof *cells);
				if (!cells) {
					grid_fail(g, _("the table is too large to be read here."));
					return;
				}
				for (int c = 0; c <= last; c++)
					cells[c] = c < r->ncells ? r->cells[c] : "";
				r->cells = cells;
				r->ncells = last + 1;
			}
			for (int c = m[1]; c <= last && budget-- > 0; c++)
				if (!*r->cells[c])
					r->cells[c] = text;
		}
	}
}

static void xlsx_read(struct grid *g, const void *data, size_t len)
{
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
	zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
	zip_error_fini(&zerr);
	if (!zip) {
		if (src)
			zip_source_free(src);
		grid_fail(g, _("the spreadsheet (XLSX) is damaged: its zip archive cannot be opened."));
		return;
	}
	struct xlsx x = {.g = g, .zip = zip};
	const char *sheet, *strings;
	xlsx_paths(&x, &sheet, &strings);
	if (!g->failed)
		xlsx_strings(&x, strings);
	if (!g->failed)
		xlsx_sheet(&x, sheet);
	if (!g->failed && !g->fn) /* rows handed over one by one are gone: merged ranges are their top-left cell */
		xlsx_merges(&x);
	zip_discard(zip);
}

/* CSV --------------------------------------------------------------------------------------------- */

/* UTF-16 (little- or big-endian, after its BOM) as UTF-8 in the arena; NULL if it is not valid UTF-16. */
static char *utf16_to_utf8(struct arena *a, const unsigned char *p, size_t len, bool little, size_t *out_len)
{
	char *out = arena_alloc(a, len / 2 * 3 + 1); /* a UTF-16 unit gives at most 3 bytes; a pair 4 for 4 */
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i + 1 < len; i += 2) {
		unsigned u = little ? p[i] | p[i + 1] << 8 : p[i] << 8 | p[i + 1];
		if (u >= 0xDC00 && u <= 0xDFFF)
			return NULL;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 3 >= len)
				return NULL;
			unsigned lo = little ? p[i + 2] | p[i + 3] << 8 : p[i + 2] << 8 | p[i + 3];
			if (lo < 0xDC00 || lo > 0xDFFF)
				return NULL;
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		}
		if (u == 0)
			return NULL;
		if (u < 0x80) {
			out[o++] = (char)u;
		} else if (u < 0x800) {
			out[o++] = (char)(0xC0 | u >> 6);
			out[o++] = (char)(0x80 | (u & 0x3F));
		} else if (u < 0x10000) {
			out[o++] = (char)(0xE0 | u >> 12);
			out[o++] = (char)(0x80 | (u >> 6 & 0x3F));
			out[o++] = (char)(0x80 | (u & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | u >> 18);
			out[o++] = (char)(0x80 | (u >> 12 & 0x3F));
			out[o++] = (char)(0x80 | (u >> 6 & 0x3F));
			out[o++] = (char)(0x80 | (u & 0x3F));
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* The separator the first line uses most, outside quotes: comma, semicolon (Excel in French, German...)
 * or tab (Excel's "Unicode text"); comma when there is none. */
static char csv_separator(const char *s, size_t len)
{
	size_t comma = 0, semicolon = 0, tab = 0;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == ',')
			comma++;
		else if (c == ';')
			semicolon++;
		else if (c == '\t')
			tab++;
	}
	if (tab > comma && tab > semicolon)
		return '\t';
	if (semicolon > comma)
		return ';';
	return ',';
}

static void csv_read(struct grid *g, const unsigned char *data, size_t len)
{
	const char *s = (const char *)data;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		s += 3;
		len -= 3;
	} else if (len >= 2 && (!memcmp(data, "\xFF\xFE", 2) || !memcmp(data, "\xFE\xFF", 2))) {
		size_t n = 0;
		s = utf16_to_utf8(g->a, data + 2, len - 2, data[0] == 0xFF, &n);
		if (!s) {
			grid_fail(g, _("the text is not valid UTF-16; save the table as CSV UTF-8 or XLSX."));
			return;
		}
		len = n;
	}
	if (memchr(s, '\0', len) || !utf8_valid(s, len)) {
		grid_fail(g, _("the text is neither UTF-8 nor UTF-16; save the table as CSV UTF-8 or XLSX."));
		return;
	}
	/* Excel reads (and some programs write) a first line "sep=;" naming the separator; it is no row. */
	char sep = 0;
	if (len >= 5 && !strncasecmp(s, "sep=", 4) && (len == 5 || s[5] == '\r' || s[5] == '\n')) {
		sep = s[4];
		size_t skip = len > 5 && s[5] == '\r' && len > 6 && s[6] == '\n' ? 7 : len > 5 ? 6 : 5;
		s += skip;
		len -= skip;
	}
	if (!sep)
		sep = csv_separator(s, len);
	struct buf cell;
	buf_init(&cell, g->lim->max_cell);
	int record = 1, column = 0;
	bool quoted = false, too_long = false, was_quoted = false;
	size_t i = 0;
	grid_begin_row(g, record);
	while (i < len && !g->failed) {
		char c = s[i++];
		if (quoted) {
			if (c == '"' && i < len && s[i] == '"') {
				i++;
			} else if (c == '"') {
				quoted = false;
				continue;
			} else if (c == '\r' && i < len && s[i] == '\n') {
				continue; /* a line break inside a cell is kept as \n, whatever the file's line ends */
			}
			if (buf_putc(&cell, c) != 0)
				too_long = true;
			continue;
		}
		if (c == '"' && cell.len == 0 && !was_quoted) {
			quoted = was_quoted = true;
			continue;
		}
		if (c == sep || c == '\n' || c == '\r') {
			if (too_long)
				grid_fail(g, _("row %d, column %s: a cell longer than %zu bytes; shorten it."), record,
				          sheet_column_name(g->a, column), g->lim->max_cell);
			grid_cell(g, column, cell.data ? cell.data : "", cell.len);
			buf_reset(&cell);
			too_long = was_quoted = false;
			if (c == sep) {
				column++;
				continue;
			}
			if (c == '\r' && i < len && s[i] == '\n')
				i++;
			grid_end_row(g);
			grid_begin_row(g, ++record);
			column = 0;
			continue;
		}
		/* a quote inside an unquoted cell, or text after a closing quote: kept as written */
		if (buf_putc(&cell, c) != 0)
			too_long = true;
	}
	if (!g->failed && quoted)
		grid_fail(g, _("row %d: a quoted cell is not closed (a \" is missing); add the closing \" where the cell ends."), record);
	if (!g->failed && too_long)
		grid_fail(g, _("row %d, column %s: a cell longer than %zu bytes; shorten it."), record,
		          sheet_column_name(g->a, column), g->lim->max_cell);
	if (!g->failed) {
		grid_cell(g, column, cell.data ? cell.data : "", cell.len);
		grid_end_row(g);
	}
	buf_free(&cell);
}

/* Word (.docx) ------------------------------------------------------------------------------------ */

static xmlNode *first_element(xmlNode *n, const char *name)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, name))
			return n;
		xmlNode *inner = first_element(n->children, name);
		if (inner)
			return inner;
	}
	return NULL;
}

static void html_row(struct grid *g, xmlNode *tr, int number)
{
	grid_begin_row(g, number);
	int column = 0;
	for (xmlNode *td = tr->children; td && !g->failed; td = td->next) {
		if (td->type != XML_ELEMENT_NODE ||
		    (strcmp((const char *)td->name, "td") && strcmp((const char *)td->name, "th")))
			continue;
		xmlChar *text = xmlNodeGetContent(td);
		xmlChar *span = xmlGetProp(td, (const xmlChar *)"colspan");
		int n = span ? small_number((const char *)span) : 1;
		xmlFree(span);
		if (n < 1 || n > g->lim->max_columns)
			n = 1;
		/* a header cell spanning columns names each of them */
		for (int k = 0; k < n && !g->failed; k++)
			grid_cell(g, column + k, text ? (const char *)text : "", text ? strlen((const char *)text) : 0);
		column += n;
		xmlFree(text);
	}
	grid_end_row(g);
}

static void docx_read(struct grid *g, const void *data, size_t len)
{
	char *const argv[] = {"pandoc", "--sandbox", "--from", "docx", "--to", "html", "--wrap=none", NULL};
	const char *html = NULL;
	size_t html_len = 0;
	switch (run_filter(g->a, argv, data, len, g->lim->max_unzipped, g->lim->seconds, &html, &html_len)) {
	case RUN_OK: break;
	case RUN_TIMEOUT:
		grid_fail(g,
		          _("this Word document took too long to read (more than %d seconds); send the table as XLSX "
		          "or CSV."),
		          g->lim->seconds);
		return;
	case RUN_TOO_LARGE:
	case RUN_FAILED:
		log_event("sheet.pandoc_failed", "bytes=%zu", len);
		grid_fail(g, _("this Word document could not be read, or it holds more than can be read here; send the "
		             "table as XLSX or CSV."));
		return;
	case RUN_BUSY:
		g->failed = true;
		error_say(g->e, ERROR_UNAVAILABLE, "%s", _("Other documents are being converted; please try again in a minute."));
		return;
	case RUN_MISSING:
	case RUN_IO:
		g->failed = true;
		error_say(g->e, ERROR_UNAVAILABLE, "%s",
		          _("Word documents cannot be read on this server now; send the table as XLSX or CSV."));
		return;
	}
	htmlDocPtr doc = htmlReadMemory(html, (int)html_len, NULL, "UTF-8",
	                                HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	xmlNode *table = doc ? first_element(xmlDocGetRootElement(doc), "table") : NULL;
	if (!table) {
		g->no_table = true;
		grid_fail(g, _("this Word document has no table; the comments must be in its first table."));
		xmlFreeDoc(doc);
		return;
	}
	int number = 0;
	for (xmlNode *n = table->children; n && !g->failed; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, "tr")) {
			html_row(g, n, ++number);
		} else if (!strcmp((const char *)n->name, "thead") || !strcmp((const char *)n->name, "tbody") ||
		           !strcmp((const char *)n->name, "tfoot")) {
			for (xmlNode *tr = n->children; tr && !g->failed; tr = tr->next)
				if (tr->type == XML_ELEMENT_NODE && !strcmp((const char *)tr->name, "tr"))
					html_row(g, tr, ++number);
		}
	}
	xmlFreeDoc(doc);
}

/* Detection and the entry ------------------------------------------------------------------------- */

/* Whether data is a ZIP that libzip can open (a damaged .docx or .xlsx cannot). */
static bool zip_opens(const void *data, size_t len)
{
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
	zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
	zip_error_fini(&zerr);
	if (zip)
		zip_discard(zip);
	else if (src)
		zip_source_free(src);
	return zip != NULL;
}

enum sheet_format sheet_detect(const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len >= 4 && !memcmp(p, "PK\x03\x04", 4)) {
		zip_error_t zerr;
		zip_error_init(&zerr);
		zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
		zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
		zip_error_fini(&zerr);
		if (!zip) {
			if (src)
				zip_source_free(src);
			return SHEET_UNKNOWN;
		}
		enum sheet_format f = zip_name_locate(zip, "xl/workbook.xml", 0) >= 0     ? SHEET_XLSX
		                      : zip_name_locate(zip, "word/document.xml", 0) >= 0 ? SHEET_DOCX
		                                                                          : SHEET_UNKNOWN;
		zip_discard(zip);
		return f;
	}
	if (len >= 2 && (!memcmp(p, "\xFF\xFE", 2) || !memcmp(p, "\xFE\xFF", 2)))
		return SHEET_CSV;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		return SHEET_CSV;
	/* Text: no NUL byte, valid UTF-8 (an image or random bytes are neither). */
	if (len > 0 && !memchr(p, '\0', len) && utf8_valid(data, len))
		return SHEET_CSV;
	return SHEET_UNKNOWN;
}

const char *sheet_format_name(enum sheet_format f)
{
	switch (f) {
	case SHEET_XLSX: return "XLSX";
	case SHEET_CSV: return "CSV";
	case SHEET_DOCX: return "Word";
	case SHEET_UNKNOWN: break;
	}
	return "unknown";
}

/* Reads data into g (its rows kept, or handed to g->fn); *format what it is. -1 when g failed. */
static int sheet_grid(struct grid *g, const void *data, size_t len, const char *name, enum sheet_format *format)
{
	const char *shown = "";
	if (name && *name && utf8_valid(name, strlen(name))) {
		size_t n = utf8_prefix(name, 80);
		shown = arena_printf(g->a, "%.*s%s: ", (int)n, name, name[n] ? "\u2026" : "");
	}
	g->name = shown ? shown : "";
	*format = SHEET_UNKNOWN;
	if (len == 0) {
		grid_fail(g, _("the file is empty."));
		return -1;
	}
	enum sheet_format f = sheet_detect(data, len);
	*format = f;
	switch (f) {
	case SHEET_XLSX: xlsx_read(g, data, len); break;
	case SHEET_CSV: csv_read(g, data, len); break;
	case SHEET_DOCX: docx_read(g, data, len); break;
	case SHEET_UNKNOWN:
		if (len >= 8 && !memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
			grid_fail(g, _("this is an old Excel or Word file (.xls, .doc); save it as .xlsx or .docx."));
		else if (len >= 4 && !memcmp(data, "PK\x03\x04", 4) && !zip_opens(data, len))
			/* a .docx or .xlsx cut short or damaged (it is a ZIP): not a question of its text's encoding */
			grid_fail(g, _("this file is damaged or is not a Word document or an Excel workbook (.docx, .xlsx): "
			             "open it and save it again, or send the table as CSV UTF-8."));
		else if (!memchr(data, '\0', len))
			grid_fail(g, _("this text is neither UTF-8 nor UTF-16; save the table as CSV UTF-8 or XLSX."));
		else
			grid_fail(
			    g, _("this is not a table: send the comment table as XLSX, CSV or a Word document (.docx)."));
		break;
	}
	if (g->failed)
		return -1;
	if (g->nrows == 0) {
		g->no_table = true;
		grid_fail(g, _("the %s file holds no table: every row is empty."), sheet_format_name(f));
		return -1;
	}
	return 0;
}

int sheet_read(struct arena *a, const void *data, size_t len, const char *name, const struct sheet_limits *lim,
               const char *field, struct sheet *out, struct error *e)
{
	*out = (struct sheet){SHEET_UNKNOWN, false, 0, NULL};
	struct grid g = {.a = a, .lim = lim, .field = field, .e = e};
	enum sheet_format f;
	const int rc = sheet_grid(&g, data, len, name, &f);
	out->format = f;
	if (rc != 0) {
		out->no_table = g.no_table;
		return -1;
	}
	*out = (struct sheet){f, false, g.nrows, g.rows};
	return 0;
}

int sheet_each(struct arena *a, const void *data, size_t len, const char *name, const struct sheet_limits *lim,
               const char *field, int (*fn)(void *ctx, const struct sheet_row *row), void *ctx,
               enum sheet_format *format, struct error *e)
{
	struct grid g = {.a = a, .lim = lim, .field = field, .e = e, .fn = fn, .ctx = ctx};
	arena_init(&g.row);
	const int rc = sheet_grid(&g, data, len, name, format);
	arena_free(&g.row);
	return rc;
}
