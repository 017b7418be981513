/* Unit tests for render/table_file.c: the CSV's bytes (BOM, quoting, formula cells neutralized), and the XLSX read
 * back by render/sheet.c (strings as written, a cell past Excel's limit cut at a character's boundary). */
#include "render/sheet.h"
#include "render/table_file.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes rows[nrows][ncols] as format and returns the file's bytes (malloc'd), *len their count. */
static char *write_table(enum table_file_format f, const char *const *cells, int nrows, int ncols, size_t *len)
{
	struct error e;
	error_clear(&e);
	struct table_file *t = table_file_open(f, NULL, "Sheet", &e);
	assert_non_null(t);
	for (int i = 0; i < nrows; i++)
		assert_int_equal(table_file_row(t, cells + i * ncols, ncols, &e), 0);
	int64_t size = -1;
	int fd = table_file_finish(t, &size, &e);
	assert_true(fd >= 0);
	assert_true(size > 0);
	char *data = malloc((size_t)size + 1);
	assert_non_null(data);
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = read(fd, data + got, (size_t)size - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	data[got] = '\0';
	close(fd);
	*len = got;
	return data;
}

static void test_csv_quotes_everything_and_neutralizes_formulas(void **state)
{
	(void)state;
	const char *cells[] = {"=1+1",       "+SUM(A1)",    "-2", "@cmd",  "\tx", "\rx",
	                       "say \"no\"", "line\nbreak", NULL, "plain", "a=b", "caf\u00e9"};
	size_t len;
	char *csv = write_table(TABLE_FILE_CSV, cells, 2, 6, &len);
	const char want[] = "\xEF\xBB\xBF"
	                    "\"'=1+1\",\"'+SUM(A1)\",\"'-2\",\"'@cmd\",\"'\tx\",\"'\rx\"\r\n"
	                    "\"say \"\"no\"\"\",\"line\nbreak\",\"\",\"plain\",\"a=b\",\"caf\u00e9\"\r\n";
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(csv, want, len);
	free(csv);
}

static void test_xlsx_reads_back_as_strings_and_cuts_long_cells(void **state)
{
	(void)state;
	/* 40,000 é: 80,000 bytes, past Excel's 32,767 characters. */
	size_t n = 40000;
	char *long_cell = malloc(2 * n + 1);
	assert_non_null(long_cell);
	for (size_t i = 0; i < n; i++)
		memcpy(long_cell + 2 * i, "\u00e9", 2);
	long_cell[2 * n] = '\0';
	const char *cells[] = {"Header", "=HYPERLINK(\"x\")", NULL, "row two", long_cell, "-1"};
	size_t len;
	char *xlsx = write_table(TABLE_FILE_XLSX, cells, 2, 3, &len);
	free(long_cell);
	struct arena a;
	arena_init(&a);
	struct sheet_limits lim = {.max_unzipped = 64 << 20, .max_rows = 10, .max_columns = 10, .max_cell = 1 << 20};
	struct sheet sh;
	struct error e;
	error_clear(&e);
	assert_int_equal(sheet_read(&a, xlsx, len, "m.xlsx", &lim, "file", &sh, &e), 0);
	assert_int_equal(sh.format, SHEET_XLSX);
	assert_int_equal(sh.nrows, 2);
	assert_string_equal(sh.rows[0].cells[0], "Header");
	assert_string_equal(sh.rows[0].cells[1], "=HYPERLINK(\"x\")"); /* as text: no formula was written */
	assert_string_equal(sh.rows[1].cells[0], "row two");
	assert_int_equal(strlen(sh.rows[1].cells[1]), 2 * 32767);
	assert_string_equal(sh.rows[1].cells[2], "-1");
	arena_free(&a);
	free(xlsx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_quotes_everything_and_neutralizes_formulas),
	    cmocka_unit_test(test_xlsx_reads_back_as_strings_and_cuts_long_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
