/* Unit tests for render/table_file.c: the CSV's bytes (BOM, quoting, formula cells neutralized), the XLSX read
 * back by render/sheet.c (strings as written, a cell past Excel's limit cut at a character's boundary), the JSON
 * Lines' bytes (keys from the first row, numbers bare, null, escapes), and an XLSX past one sheet's rows. */
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

static void test_jsonl_keys_numbers_nulls_and_escapes(void **state)
{
	(void)state;
	const char *cells[] = {"id",  "name",          "note", "n",
	                       "7",   "say \"no\"\\",    NULL,   "",
	                       "-12", "line\nbreak\x01", "=1+1", "x7"};
	struct error e;
	error_clear(&e);
	struct table_file *t = table_file_open(TABLE_FILE_JSONL, NULL, "Sheet", &e);
	assert_non_null(t);
	table_file_numeric(t, 0);
	table_file_numeric(t, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(table_file_row(t, cells + i * 4, 4, &e), 0);
	int64_t size = -1;
	int fd = table_file_finish(t, &size, &e);
	assert_true(fd >= 0);
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n == size);
	buf[n] = '\0';
	/* A numeric column's text that is not an integer stays a string: the file is never invalid JSON. */
	assert_string_equal(buf, "{\"id\":7,\"name\":\"say \\\"no\\\"\\\\\",\"note\":null,\"n\":null}\n"
	                         "{\"id\":-12,\"name\":\"line\\nbreak\\u0001\",\"note\":\"=1+1\",\"n\":\"x7\"}\n");
}

/* Excel's 1,048,576 rows a sheet: the row after them starts a second sheet, not an error and not a lost row. */
static void test_xlsx_goes_on_on_a_second_sheet(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct table_file *t = table_file_open(TABLE_FILE_XLSX, NULL, "rows", &e);
	assert_non_null(t);
	const char *header[] = {"head"}, *row[] = {"x"};
	assert_int_equal(table_file_row(t, header, 1, &e), 0);
	for (int i = 0; i < 1048576; i++)
		assert_int_equal(table_file_row(t, row, 1, &e), 0);
	int64_t size = -1;
	int fd = table_file_finish(t, &size, &e);
	assert_true(fd >= 0);
	char *zip = malloc((size_t)size);
	assert_non_null(zip);
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = read(fd, zip + got, (size_t)size - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	close(fd);
	/* The names in a zip's directory are not compressed. */
	assert_non_null(memmem(zip, got, "xl/worksheets/sheet2.xml", 24));
	assert_null(memmem(zip, got, "xl/worksheets/sheet3.xml", 24));
	free(zip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_quotes_everything_and_neutralizes_formulas),
	    cmocka_unit_test(test_xlsx_reads_back_as_strings_and_cuts_long_cells),
	    cmocka_unit_test(test_jsonl_keys_numbers_nulls_and_escapes),
	    cmocka_unit_test(test_xlsx_goes_on_on_a_second_sheet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
