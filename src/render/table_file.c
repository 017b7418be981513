/*
 * table_file — CSV and XLSX written row by row into a temporary file
 * (render/table_file.h).
 */
#include "render/table_file.h"

#include <xlsxwriter.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An XLSX cell holds at most this many characters, a sheet this many rows (Excel's limits, which
 * libxlsxwriter enforces). */
enum { XLSX_CELL_MAX = 32767, XLSX_ROWS_MAX = 1048576 };

struct table_file {
	enum table_file_format format;
	char path[512];
	FILE *csv;          /* CSV */
	lxw_workbook *book; /* XLSX */
	lxw_worksheet *sheet;
	lxw_format *bold;
	lxw_row_t row;
	char *cut; /* XLSX: room for a cell cut to XLSX_CELL_MAX */
	char sheet_name[32];
	int sheets;
	char **header; /* XLSX: the first row, written again at the top of each further sheet; JSONL: the keys */
	int nheader;
	bool numeric[TABLE_FILE_MAX_COLUMNS]; /* JSONL */
	FILE *jsonl;                          /* JSONL */
};

static const char *tmp_dir(const char *dir)
{
	if (dir && *dir)
		return dir;
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

struct table_file *table_file_open(enum table_file_format f, const char *dir, const char *sheet, struct error *e)
{
	struct table_file *t = calloc(1, sizeof *t);
	if (!t) {
		error_set(e, ERROR_INTERNAL, "out of memory");
		return NULL;
	}
	t->format = f;
	const char *d = tmp_dir(dir);
	static const char *const ext[] = {".csv", ".xlsx", ".jsonl"};
	int n = snprintf(t->path, sizeof t->path, "%s/consulta-table-XXXXXX%s", d, ext[f]);
	if (n < 0 || (size_t)n >= sizeof t->path) {
		error_set(e, ERROR_INTERNAL, "temporary directory name too long");
		free(t);
		return NULL;
	}
	int fd = mkstemps(t->path, (int)strlen(ext[f]));
	if (fd < 0) {
		error_set(e, ERROR_INTERNAL, "cannot create a temporary file in %s: %s", d, strerror(errno));
		free(t);
		return NULL;
	}
	if (f == TABLE_FILE_CSV) {
		t->csv = fdopen(fd, "w+");
		if (!t->csv) {
			close(fd);
			goto fail;
		}
		fputs("\xEF\xBB\xBF", t->csv); /* the BOM: Excel reads the file as UTF-8 */
		return t;
	}
	if (f == TABLE_FILE_JSONL) { /* no BOM: JSON text must not begin with one (RFC 8259, section 8.1) */
		t->jsonl = fdopen(fd, "w+");
		if (!t->jsonl) {
			close(fd);
			goto fail;
		}
		return t;
	}
	close(fd); /* libxlsxwriter creates the file again by its name */
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)d};
	t->book = workbook_new_opt(t->path, &opt);
	t->cut = malloc(XLSX_CELL_MAX * 4 + 1);
	if (!t->book || !t->cut)
		goto fail;
	/* A sheet's name is at most 31 characters; room is kept for " 99". */
	snprintf(t->sheet_name, sizeof t->sheet_name, "%.27s", sheet ? sheet : "Sheet");
	t->sheet = workbook_add_worksheet(t->book, t->sheet_name);
	t->bold = workbook_add_format(t->book);
	if (!t->sheet || !t->bold)
		goto fail;
	t->sheets = 1;
	format_set_bold(t->bold);
	format_set_text_wrap(t->bold);
	worksheet_freeze_panes(t->sheet, 1, 0);
	return t;
fail:
	error_set(e, ERROR_INTERNAL, "cannot begin the table file %s", t->path);
	table_file_abort(t);
	return NULL;
}

static bool csv_formula_like(const char *s)
{
	return *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
}

/* putc_unlocked: the FILE is this table's alone, so the lock that putc takes per character is waste
 * (bench/export.sh: 1,000,000 rows as CSV in 8.1 s with putc, 3.4-6.8 s without, on a shared machine). */
static void csv_cell(FILE *f, const char *s)
{
	putc_unlocked('"', f);
	if (csv_formula_like(s))
		putc_unlocked('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			putc_unlocked('"', f);
		putc_unlocked(*s, f);
	}
	putc_unlocked('"', f);
}

/* s cut to XLSX_CELL_MAX characters (UTF-8 code points), in t->cut when it must be. */
static const char *xlsx_text(struct table_file *t, const char *s)
{
	size_t chars = 0, i = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > XLSX_CELL_MAX)
			break;
	if (!s[i])
		return s;
	memcpy(t->cut, s, i);
	t->cut[i] = '\0';
	return t->cut;
}

void table_file_numeric(struct table_file *t, int column)
{
	if (column >= 0 && column < TABLE_FILE_MAX_COLUMNS)
		t->numeric[column] = true;
}

/* Keeps a copy of the first row (t->header). 0, or -1 if memory ran out. */
static int keep_header(struct table_file *t, const char *const *cells, int n)
{
	t->header = calloc((size_t)n, sizeof *t->header);
	if (!t->header)
		return -1;
	t->nheader = n;
	for (int i = 0; i < n; i++)
		if (!(t->header[i] = strdup(cells[i] ? cells[i] : "")))
			return -1;
	return 0;
}

/* s as a JSON string: UTF-8 as it is, the quote, the backslash and the control characters escaped. */
static void json_text(FILE *f, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	putc_unlocked('"', f);
	for (; *s; s++) {
		const unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			putc_unlocked('\\', f);
			putc_unlocked(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
		} else {
			putc_unlocked(c, f);
		}
	}
	putc_unlocked('"', f);
}

/* Whether s is a JSON number as the store writes integers: an optional minus and digits. */
static bool json_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int jsonl_row(struct table_file *t, const char *const *cells, int n, struct error *e)
{
	if (!t->header) {
		if (keep_header(t, cells, n) != 0) {
			error_set(e, ERROR_INTERNAL, "out of memory");
			return -1;
		}
		return 0;
	}
	putc('{', t->jsonl);
	for (int i = 0; i < n && i < t->nheader; i++) {
		if (i)
			putc(',', t->jsonl);
		json_text(t->jsonl, t->header[i]);
		putc(':', t->jsonl);
		const char *c = cells[i];
		if (!c || (t->numeric[i] && !*c))
			fputs("null", t->jsonl);
		else if (t->numeric[i] && json_integer(c))
			fputs(c, t->jsonl);
		else
			json_text(t->jsonl, c);
	}
	fputs("}\n", t->jsonl);
	if (ferror(t->jsonl)) {
		error_set(e, ERROR_INTERNAL, "cannot write %s: %s", t->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* XLSX: the sheet is full; the rows go on on a new one, below the first row written again. */
static int xlsx_next_sheet(struct table_file *t, struct error *e)
{
	char name[48]; /* sheet_name has at most 27 characters: with " 9999" it fits Excel's 31 */
	snprintf(name, sizeof name, "%.27s %d", t->sheet_name, ++t->sheets);
	t->sheet = workbook_add_worksheet(t->book, name);
	if (!t->sheet) {
		error_set(e, ERROR_INTERNAL, "cannot add the sheet %s to %s", name, t->path);
		return -1;
	}
	worksheet_freeze_panes(t->sheet, 1, 0);
	t->row = 0;
	for (int i = 0; i < t->nheader; i++)
		if (*t->header[i] &&
		    worksheet_write_string(t->sheet, 0, (lxw_col_t)i, t->header[i], t->bold) != LXW_NO_ERROR) {
			error_set(e, ERROR_INTERNAL, "cannot write the first row of %s in %s", name, t->path);
			return -1;
		}
	t->row = 1;
	return 0;
}

int table_file_row(struct table_file *t, const char *const *cells, int n, struct error *e)
{
	if (t->format == TABLE_FILE_JSONL)
		return jsonl_row(t, cells, n, e);
	if (t->format == TABLE_FILE_CSV) {
		for (int i = 0; i < n; i++) {
			if (i)
				putc(',', t->csv);
			csv_cell(t->csv, cells[i] ? cells[i] : "");
		}
		fputs("\r\n", t->csv);
		if (ferror(t->csv)) {
			error_set(e, ERROR_INTERNAL, "cannot write %s: %s", t->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (t->row == 0 && t->sheets == 1 && !t->header && keep_header(t, cells, n) != 0) {
		error_set(e, ERROR_INTERNAL, "out of memory");
		return -1;
	}
	if (t->row >= XLSX_ROWS_MAX && xlsx_next_sheet(t, e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!cells[i] || !*cells[i])
			continue;
		/* A string, never a formula, whatever its first character. */
		lxw_error err = worksheet_write_string(t->sheet, t->row, (lxw_col_t)i, xlsx_text(t, cells[i]),
		                                       t->row == 0 ? t->bold : NULL);
		if (err != LXW_NO_ERROR) {
			error_set(e, ERROR_INTERNAL, "cannot write row %u of %s: %s", (unsigned)t->row, t->path,
			          lxw_strerror(err));
			return -1;
		}
	}
	t->row++;
	return 0;
}

static void free_header(struct table_file *t)
{
	for (int i = 0; t->header && i < t->nheader; i++)
		free(t->header[i]);
	free(t->header);
	t->header = NULL;
}

int table_file_finish(struct table_file *t, int64_t *size, struct error *e)
{
	int fd = -1;
	if (t->format == TABLE_FILE_CSV) {
		if (fflush(t->csv) != 0 || ferror(t->csv)) {
			error_set(e, ERROR_INTERNAL, "cannot write %s: %s", t->path, strerror(errno));
			table_file_abort(t);
			return -1;
		}
		fd = dup(fileno(t->csv));
		fclose(t->csv);
		t->csv = NULL;
	} else if (t->format == TABLE_FILE_JSONL) {
		if (fflush(t->jsonl) != 0 || ferror(t->jsonl)) {
			error_set(e, ERROR_INTERNAL, "cannot write %s: %s", t->path, strerror(errno));
			table_file_abort(t);
			return -1;
		}
		fd = dup(fileno(t->jsonl));
		fclose(t->jsonl);
		t->jsonl = NULL;
	} else {
		lxw_error err = workbook_close(t->book);
		t->book = NULL;
		if (err != LXW_NO_ERROR) {
			error_set(e, ERROR_INTERNAL, "cannot complete %s: %s", t->path, lxw_strerror(err));
			table_file_abort(t);
			return -1;
		}
		fd = open(t->path, O_RDONLY | O_CLOEXEC);
	}
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
		error_set(e, ERROR_INTERNAL, "cannot read back %s: %s", t->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		table_file_abort(t);
		return -1;
	}
	*size = (int64_t)sb.st_size;
	unlink(t->path);
	free_header(t);
	free(t->cut);
	free(t);
	return fd;
}

void table_file_abort(struct table_file *t)
{
	if (!t)
		return;
	if (t->csv)
		fclose(t->csv);
	if (t->jsonl)
		fclose(t->jsonl);
	if (t->book)
		workbook_close(t->book);
	unlink(t->path);
	free_header(t);
	free(t->cut);
	free(t);
}
