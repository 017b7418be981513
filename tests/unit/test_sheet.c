/* sheet: XLSX in Excel's, LibreOffice's and openpyxl's shapes, CSV (BOM, semicolons, UTF-16), Word tables,
 * and the files refused (zip bombs, too many rows, not a table) with a message naming the row or the file.
 * The files are written by tests/sheets/make_fixtures.py into $SHEET_FIXTURES. */
#include "core/limits.h"
#include "render/sheet.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const struct sheet_limits limits = {
    .max_unzipped = LIMIT_TABLE_UNZIPPED,
    .max_rows = LIMIT_TABLE_ROWS,
    .max_columns = LIMIT_TABLE_COLUMNS,
    .max_cell = LIMIT_TABLE_CELL,
    .seconds = LIMIT_CONVERT_SECONDS,
};

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The bytes of a fixture, in the arena. */
static const char *fixture(struct arena *a, const char *name, size_t *len)
{
	const char *dir = getenv("SHEET_FIXTURES");
	if (!dir || !*dir)
		dir = SHEET_FIXTURES_DIR; /* the build's, written by tests/sheets/make_fixtures.py */
	char *path = arena_printf(a, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("missing fixture %s (run tests/sheets/make_fixtures.py)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = arena_alloc(a, (size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

static int read_fixture(struct arena *a, const char *name, const struct sheet_limits *lim, struct sheet *s,
                        struct error *e)
{
	size_t len;
	const char *data = fixture(a, name, &len);
	error_clear(e);
	return sheet_read(a, data, len, name, lim, "table", s, e);
}

static const char *at(const struct sheet *s, int row, int column)
{
	for (int i = 0; i < s->nrows; i++)
		if (s->rows[i].number == row)
			return column < s->rows[i].ncells ? s->rows[i].cells[column] : "";
	fail_msg("no row %d", row);
	return NULL;
}

static bool has_row(const struct sheet *s, int row)
{
	for (int i = 0; i < s->nrows; i++)
		if (s->rows[i].number == row)
			return true;
	return false;
}

/* The message for the field, which must contain each of the words. */
static void assert_refused(const struct error *e, const char *word1, const char *word2)
{
	const char *m = error_field_message(e, "table");
	if (!m)
		fail_msg("no message for the field (code %s, message %s)", e->code ? e->code : "none", e->message);
	if (!strstr(m, word1) || (word2 && !strstr(m, word2)))
		fail_msg("message \"%s\" does not say \"%s\" and \"%s\"", m, word1, word2 ? word2 : "");
	assert_string_equal(e->code, ERROR_INVALID);
}

static void test_excel(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	assert_int_equal(read_fixture(&a, "excel.xlsx", &limits, &s, &e), 0);
	assert_int_equal(s.format, SHEET_XLSX);
	/* rows 2 (absent) and 6 (an empty <row/>) are not rows of the grid */
	assert_int_equal(s.nrows, 8);
	assert_false(has_row(&s, 2));
	assert_false(has_row(&s, 6));
	assert_string_equal(at(&s, 1, 0), "Date: 2026-11-30");
	assert_string_equal(at(&s, 1, 1), ""); /* B1 skipped: empty */
	assert_string_equal(at(&s, 1, 2), "Document: N 1234");
	assert_string_equal(at(&s, 3, 0), "MB/NC\u00b9");
	assert_string_equal(at(&s, 3, 5), "Comments");
	assert_string_equal(at(&s, 4, 7), "(8)");
	/* numbers as a person reads them; a rich text run's parts joined, its phonetic guide left out */
	assert_string_equal(at(&s, 5, 1), "12");
	assert_string_equal(at(&s, 5, 2), "5.2");
	assert_string_equal(at(&s, 5, 3), "\u00b63");
	assert_string_equal(at(&s, 5, 5), "Bold start and the rest.");
	assert_string_equal(at(&s, 5, 7), "Accepted");
	/* columns skipped in a row are empty cells */
	assert_string_equal(at(&s, 7, 1), "");
	assert_string_equal(at(&s, 7, 2), "");
	assert_string_equal(at(&s, 7, 3), "9.9");
	/* a formula's cached text, not the formula; a boolean */
	assert_string_equal(at(&s, 8, 3), "7");
	assert_string_equal(at(&s, 8, 5), "A formula");
	assert_string_equal(at(&s, 8, 6), "TRUE");
	arena_free(&a);
}

/* sheet_each(): the rows of sheet_read(), in order, handed over one at a time (their cells gone after). */
struct each_seen {
	struct arena *a;
	int n, stop_at;
	int numbers[16];
	const char *cells[16][8]; /* copied: the row's own go when the callback returns */
	struct error *e;
};

static int each_row(void *ctx, const struct sheet_row *r)
{
	struct each_seen *x = ctx;
	if (x->n == x->stop_at) {
		error_set(x->e, ERROR_INVALID, "stopped at row %d", r->number);
		return -1;
	}
	x->numbers[x->n] = r->number;
	for (int c = 0; c < 8; c++)
		x->cells[x->n][c] = arena_strdup(x->a, c < r->ncells ? r->cells[c] : "");
	x->n++;
	return 0;
}

static void test_each_hands_over_the_rows_of_read(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	error_clear(&e);
	assert_int_equal(read_fixture(&a, "excel.xlsx", &limits, &s, &e), 0);
	size_t len;
	const char *data = fixture(&a, "excel.xlsx", &len);
	struct each_seen x = {.a = &a, .stop_at = -1, .e = &e};
	enum sheet_format f = SHEET_UNKNOWN;
	assert_int_equal(sheet_each(&a, data, len, "excel.xlsx", &limits, "table", each_row, &x, &f, &e), 0);
	assert_int_equal(f, SHEET_XLSX);
	assert_int_equal(x.n, s.nrows);
	for (int i = 0; i < x.n; i++) {
		assert_int_equal(x.numbers[i], s.rows[i].number);
		for (int c = 0; c < 8 && c < s.rows[i].ncells; c++)
			assert_string_equal(x.cells[i][c], s.rows[i].cells[c]);
	}
	assert_string_equal(x.cells[3][1], "12"); /* row 5: a number as a person reads it */
	/* the callback stops the reading with its error */
	const char *text = "a,b\nc,d\ne,f\n";
	x = (struct each_seen){.a = &a, .stop_at = 2, .e = &e};
	error_clear(&e);
	assert_int_equal(sheet_each(&a, text, strlen(text), "t.csv", &limits, "table", each_row, &x, &f, &e), -1);
	assert_int_equal(x.n, 2);
	assert_string_equal(e.message, "stopped at row 3");
	/* the limits are sheet_read()'s */
	struct sheet_limits lim = limits;
	lim.max_rows = 2;
	x = (struct each_seen){.a = &a, .stop_at = -1, .e = &e};
	error_clear(&e);
	assert_int_equal(sheet_each(&a, text, strlen(text), "t.csv", &lim, "table", each_row, &x, &f, &e), -1);
	assert_non_null(strstr(error_field_message(&e, "table"), "more than 2 rows"));
	arena_free(&a);
}

static void test_libreoffice(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	assert_int_equal(read_fixture(&a, "libreoffice.xlsx", &limits, &s, &e), 0);
	/* the workbook's first sheet is sheet2.xml, by an absolute target in its rels */
	assert_string_equal(at(&s, 2, 0), "Organisme membre");
	assert_string_equal(at(&s, 2, 6), "OBSERVATIONS DU SECR\u00c9TARIAT");
	/* a merged title spreads over its columns; a member body merged down names each of its rows */
	for (int c = 0; c < 6; c++)
		assert_string_equal(at(&s, 1, c), "Tableau de commentaires");
	assert_string_equal(at(&s, 3, 0), "AFNOR");
	assert_string_equal(at(&s, 4, 0), "AFNOR");
	assert_string_equal(at(&s, 6, 0), "AFNOR");
	assert_false(has_row(&s, 5)); /* empty, and a merged cell does not make it a row */
	assert_string_equal(at(&s, 6, 4), "3");
	assert_string_equal(at(&s, 3, 1), "r\u00e9dactionnel");
	arena_free(&a);
}

static void test_inline_strings(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	assert_int_equal(read_fixture(&a, "inline.xlsx", &limits, &s, &e), 0);
	assert_int_equal(s.nrows, 3);
	/* rows and cells without r follow the ones before them */
	assert_int_equal(s.rows[0].number, 1);
	assert_int_equal(s.rows[1].number, 2);
	assert_int_equal(s.rows[2].number, 4);
	assert_string_equal(at(&s, 1, 2), "Comment");
	assert_string_equal(at(&s, 2, 0), "1");
	assert_string_equal(at(&s, 2, 2), "Rich inline");
	assert_string_equal(at(&s, 4, 0), "");
	assert_string_equal(at(&s, 4, 2), "Fourth row, general");
	assert_string_equal(at(&s, 4, 3), "spaces around"); /* trimmed */
	arena_free(&a);
}

static void test_csv_semicolon_bom(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	assert_int_equal(read_fixture(&a, "semicolon_bom.csv", &limits, &s, &e), 0);
	assert_int_equal(s.format, SHEET_CSV);
	assert_int_equal(s.nrows, 3);                          /* record 3 is all separators: empty */
	assert_string_equal(at(&s, 1, 0), "Organisme membre"); /* no BOM left in the first cell */
	assert_string_equal(at(&s, 1, 5), "Modifications propos\u00e9es");
	assert_string_equal(at(&s, 2, 1), "5.2");
	/* a quoted cell keeps its separator and its line break (as \n), and "" is one quote */
	assert_string_equal(at(&s, 2, 4), "Deux lignes :\npremi\u00e8re; seconde");
	assert_string_equal(at(&s, 2, 5), "Dire \"toujours\"");
	assert_string_equal(at(&s, 4, 0), "DIN");
	assert_string_equal(at(&s, 4, 4), "Kurz.");
	arena_free(&a);
}

static void test_csv_comma_and_utf16(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	assert_int_equal(read_fixture(&a, "plain.csv", &limits, &s, &e), 0);
	assert_int_equal(s.nrows, 3);
	assert_string_equal(at(&s, 2, 2), "A, with a comma");
	assert_string_equal(at(&s, 4, 0), "\u00b61");
	assert_string_equal(at(&s, 4, 3), "Do");

	/* Excel's "Unicode text": UTF-16LE with BOM, tabs; a character outside the BMP survives */
	assert_int_equal(read_fixture(&a, "unicode.txt", &limits, &s, &e), 0);
	assert_int_equal(s.nrows, 2);
	assert_string_equal(at(&s, 1, 2), "Comments");
	assert_string_equal(at(&s, 2, 2), "Unicode \u00e9t\u00e9 \U0001F600");

	assert_int_equal(read_fixture(&a, "latin1.csv", &limits, &s, &e), -1);
	assert_refused(&e, "latin1.csv: ", "UTF-8");
	arena_free(&a);
}

static void test_csv_edges(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	struct sheet_limits lim = limits;
	lim.max_cell = 10;
	const char *text = "a,b\nshort,\"a cell of more than ten bytes\"\n";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, text, strlen(text), "t.csv", &lim, "table", &s, &e), -1);
	assert_refused(&e, "row 2, column B", "10 bytes");

	lim = limits;
	lim.max_columns = 3;
	text = "a,b,c\n1,2,3,4\n";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, text, strlen(text), "t.csv", &lim, "table", &s, &e), -1);
	assert_refused(&e, "row 2, column D", "3 columns");
	/* empty cells past the limit are no text: fine */
	text = "a,b,c,,,\n";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, text, strlen(text), "t.csv", &lim, "table", &s, &e), 0);

	/* Excel's "sep=" line names the separator and is no row */
	text = "sep=;\r\nParagraph;Comments, with a comma\r\n1;Yes, one\r\n";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, text, strlen(text), "t.csv", &limits, "table", &s, &e), 0);
	assert_int_equal(s.nrows, 2);
	assert_string_equal(s.rows[0].cells[1], "Comments, with a comma");
	assert_string_equal(s.rows[1].cells[1], "Yes, one");

	text = "a,b\n1,\"never closed\n";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, text, strlen(text), "t.csv", &limits, "table", &s, &e), -1);
	assert_refused(&e, "row 2", "not closed");

	text = " , \n\n,,\n";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, text, strlen(text), "blank.csv", &limits, "table", &s, &e), -1);
	assert_refused(&e, "blank.csv: ", "every row is empty");

	error_clear(&e);
	assert_int_equal(sheet_read(&a, "", 0, "none.csv", &limits, "table", &s, &e), -1);
	assert_refused(&e, "none.csv: ", "empty");
	arena_free(&a);
}

static void test_word_table(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	assert_int_equal(read_fixture(&a, "table.docx", &limits, &s, &e), 0);
	assert_int_equal(s.format, SHEET_DOCX);
	assert_int_equal(s.nrows, 3); /* the first table only */
	assert_string_equal(at(&s, 1, 0), "MB/NC");
	assert_string_equal(at(&s, 1, 3), "Comments");
	assert_string_equal(at(&s, 2, 1), "\u00b62");
	assert_string_equal(at(&s, 2, 3), "The limit is too low.");
	assert_string_equal(at(&s, 3, 1), "\u00b699");

	assert_int_equal(read_fixture(&a, "notable.docx", &limits, &s, &e), -1);
	assert_refused(&e, "notable.docx: ", "no table");
	arena_free(&a);
}

static void test_not_a_table(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	assert_int_equal(read_fixture(&a, "image.png", &limits, &s, &e), -1);
	assert_refused(&e, "image.png: ", "not a table");
	assert_int_equal(s.nrows, 0);
	assert_int_equal(read_fixture(&a, "random.bin", &limits, &s, &e), -1);
	assert_refused(&e, "random.bin: ", "not a table");
	const char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 and more";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, ole, sizeof ole, "old.xls", &limits, "table", &s, &e), -1);
	assert_refused(&e, "old.xls: ", ".xlsx");
	/* a zip cut short: damaged, whatever it was (not a question of a text's encoding, with or without a NUL) */
	const char zip_without[] = "PK\x03\x04 truncated";
	error_clear(&e);
	assert_int_equal(sheet_read(&a, zip_without, sizeof zip_without, "x.zip", &limits, "table", &s, &e), -1);
	assert_refused(&e, "x.zip: ", "damaged or is not a Word document or an Excel workbook");
	error_clear(&e);
	assert_int_equal(sheet_read(&a, zip_without, sizeof zip_without - 1, "x.docx", &limits, "table", &s, &e), -1);
	assert_refused(&e, "x.docx: ", "damaged or is not a Word document or an Excel workbook");
	arena_free(&a);
}

static void test_zip_bomb(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	/* refused by the size the archive declares, before inflating */
	double t0 = seconds_now();
	assert_int_equal(read_fixture(&a, "bomb.xlsx", &limits, &s, &e), -1);
	assert_refused(&e, "bomb.xlsx: xl/worksheets/sheet1.xml inflates to more than 64 MiB", "zip bomb");
	/* a declared size that lies: refused while inflating, at the limit */
	assert_int_equal(read_fixture(&a, "bomb_lying.xlsx", &limits, &s, &e), -1);
	assert_refused(&e, "inflates to more than 64 MiB", "zip bomb");
	print_message("# two zip bombs of 80 MiB refused in %.2f s\n", seconds_now() - t0);
	/* and with a smaller limit, an honest sheet over it is refused the same way */
	struct sheet_limits lim = limits;
	lim.max_unzipped = 1024;
	assert_int_equal(read_fixture(&a, "rows5000.xlsx", &lim, &s, &e), -1);
	assert_refused(&e, "sheet1.xml inflates", "zip bomb");
	arena_free(&a);
}

/* Under AddressSanitizer, freed memory waits in a quarantine (256 MiB) before reuse, which would count as
 * growth in test_memory; a small one keeps the measure about our own memory. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=1";
}

static long max_rss_kib(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return u.ru_maxrss;
}

/* What a file could make us keep is bounded by what a table needs, not by the file's size. */
static void test_memory(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	/* 2 million empty cells with their attributes: nothing kept of them */
	long before = max_rss_kib();
	double t0 = seconds_now();
	assert_int_equal(read_fixture(&a, "empty_cells.xlsx", &limits, &s, &e), 0);
	long grown = max_rss_kib() - before;
	assert_int_equal(s.nrows, 1);
	print_message("# 2 million empty cells read in %.2f s, the process grew by %ld KiB\n", seconds_now() - t0,
	              grown);
	assert_true(grown < 32 * 1024);
	/* a 60 KiB shared string in 300,000 cells: not copied for each */
	before = max_rss_kib();
	t0 = seconds_now();
	assert_int_equal(read_fixture(&a, "shared_bomb.xlsx", &limits, &s, &e), 0);
	grown = max_rss_kib() - before;
	assert_int_equal(s.nrows, 5001);
	assert_int_equal(strlen(s.rows[5000].cells[59]), 60 * 1024);
	print_message("# a 60 KiB string in 300,000 cells read in %.2f s, the process grew by %ld KiB\n",
	              seconds_now() - t0, grown);
	assert_true(grown < 64 * 1024);

	/* shared strings beyond what max_rows x max_columns cells could use */
	struct sheet_limits lim = limits;
	lim.max_rows = 4;
	lim.max_columns = 2;
	assert_int_equal(read_fixture(&a, "excel.xlsx", &lim, &s, &e), -1);
	assert_refused(&e, "excel.xlsx: xl/sharedStrings.xml holds more than 8 strings", NULL);
	arena_free(&a);
}

static void test_rows(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct sheet s;
	struct error e;
	double t0 = seconds_now();
	assert_int_equal(read_fixture(&a, "rows5000.xlsx", &limits, &s, &e), 0);
	double xlsx = seconds_now() - t0;
	assert_int_equal(s.nrows, 5001);
	assert_string_equal(at(&s, 5001, 2), "Comment number 5000 on this paragraph.");
	t0 = seconds_now();
	assert_int_equal(read_fixture(&a, "rows5000.csv", &limits, &s, &e), 0);
	double csv = seconds_now() - t0;
	assert_int_equal(s.nrows, 5001);
	assert_string_equal(at(&s, 5001, 2), "Comment 5000");
	t0 = seconds_now();
	assert_int_equal(read_fixture(&a, "rows100k.xlsx", &limits, &s, &e), -1);
	double refused = seconds_now() - t0;
	assert_refused(&e, "rows100k.xlsx: more than 20000 rows", "row 20001");
	assert_int_equal(s.nrows, 0);
	print_message("# 5,000 rows: XLSX %.3f s, CSV %.3f s; 100,000 rows refused after %.3f s\n", xlsx, csv, refused);
	/* the limit's edge: exactly max_rows is read */
	struct sheet_limits lim = limits;
	lim.max_rows = 5001;
	assert_int_equal(read_fixture(&a, "rows5000.csv", &lim, &s, &e), 0);
	lim.max_rows = 5000;
	assert_int_equal(read_fixture(&a, "rows5000.csv", &lim, &s, &e), -1);
	assert_refused(&e, "more than 5000 rows", "row 5001");
	arena_free(&a);
}

static void test_detect_and_names(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	size_t len;
	const char *d = fixture(&a, "excel.xlsx", &len);
	assert_int_equal(sheet_detect(d, len), SHEET_XLSX);
	d = fixture(&a, "table.docx", &len);
	assert_int_equal(sheet_detect(d, len), SHEET_DOCX);
	d = fixture(&a, "unicode.txt", &len);
	assert_int_equal(sheet_detect(d, len), SHEET_CSV);
	d = fixture(&a, "image.png", &len);
	assert_int_equal(sheet_detect(d, len), SHEET_UNKNOWN);
	assert_string_equal(sheet_column_name(&a, 0), "A");
	assert_string_equal(sheet_column_name(&a, 25), "Z");
	assert_string_equal(sheet_column_name(&a, 26), "AA");
	assert_string_equal(sheet_column_name(&a, 701), "ZZ");
	assert_string_equal(sheet_column_name(&a, 702), "AAA");
	arena_free(&a);
}

int main(void)
{
	xmlInitParser();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memory), /* first: the high-water mark of memory is measured from here */
	    cmocka_unit_test(test_excel),
	    cmocka_unit_test(test_each_hands_over_the_rows_of_read),
	    cmocka_unit_test(test_libreoffice),
	    cmocka_unit_test(test_inline_strings),
	    cmocka_unit_test(test_csv_semicolon_bom),
	    cmocka_unit_test(test_csv_comma_and_utf16),
	    cmocka_unit_test(test_csv_edges),
	    cmocka_unit_test(test_word_table),
	    cmocka_unit_test(test_not_a_table),
	    cmocka_unit_test(test_zip_bomb),
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_detect_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
