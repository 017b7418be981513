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

/* An XLSX cell holds at most this many characters (Excel's limit, which libxlsxwriter enforces). */
enum { XLSX_CELL_MAX = 32767 };

struct table_file {
	enum table_file_format format;
	char path[512];
	FILE *csv;          /* CSV */
	lxw_workbook *book; /* XLSX */
	lxw_worksheet *sheet;
	lxw_format *bold;
	lxw_row_t row;
	char *cut; /* XLSX: room for a cell cut to XLSX_CELL_MAX */
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
	int n =
	    snprintf(t->path, sizeof t->path, "%s/consulta-table-XXXXXX%s", d, f == TABLE_FILE_XLSX ? ".xlsx" : ".csv");
	if (n < 0 || (size_t)n >= sizeof t->path) {
		error_set(e, ERROR_INTERNAL, "temporary directory name too long");
		free(t);
		return NULL;
	}
	int fd = mkstemps(t->path, 5 - (f == TABLE_FILE_CSV));
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
	close(fd); /* libxlsxwriter creates the file again by its name */
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)d};
	t->book = workbook_new_opt(t->path, &opt);
	t->cut = malloc(XLSX_CELL_MAX * 4 + 1);
	if (!t->book || !t->cut)
		goto fail;
	t->sheet = workbook_add_worksheet(t->book, sheet);
	t->bold = workbook_add_format(t->book);
	if (!t->sheet || !t->bold)
		goto fail;
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

static void csv_cell(FILE *f, const char *s)
{
	putc('"', f);
	if (csv_formula_like(s))
		putc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
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

int table_file_row(struct table_file *t, const char *const *cells, int n, struct error *e)
{
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
	if (t->book)
		workbook_close(t->book);
	unlink(t->path);
	free(t->cut);
	free(t);
}
