/*
 * fuzz_sheet — libFuzzer driver for the comment table reader
 * (src/render/sheet.c) and its mapping to comments (src/core/comment_table.c):
 * any bytes, as an attachment from anyone could be. Word files are left out
 * (they run pandoc, a program of its own). Beyond the sanitizers' findings it
 * checks sheet.h's promises under small limits, and traps when one is broken:
 * at most max_rows rows, max_columns cells of at most max_cell bytes of valid
 * UTF-8 each, no row without text; an error leaves no rows; every comment has
 * its text, a known type and, if any, the pid of a paragraph given.
 *
 * Built and run by fuzz/run.sh (clang -fsanitize=fuzzer,address,undefined),
 * seeded with the tables of tests/sheets/make_fixtures.py.
 */
#include "core/comment_table.h"
#include "util/utf8.h"

#include <libxml/parser.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sheet_detect(data, size) == SHEET_DOCX)
		return 0;
	const struct sheet_limits lim = {
	    .max_unzipped = 1024 * 1024, .max_rows = 300, .max_columns = 12, .max_cell = 2000, .seconds = 1};
	static const struct paragraph paragraphs[] = {
	    {.pid = "p1", .number = 1}, {.pid = "p7", .number = 2}, {.pid = "p3", .number = 3}};
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct sheet s;
	if (sheet_read(&a, data, size, "fuzz.xlsx", &lim, "table", &s, &e) != 0) {
		if (s.nrows != 0 || !e.code || !error_field_message(&e, "table"))
			__builtin_trap();
		arena_free(&a);
		return 0;
	}
	if (s.nrows < 1 || s.nrows > lim.max_rows)
		__builtin_trap();
	for (int i = 0; i < s.nrows; i++) {
		const struct sheet_row *r = &s.rows[i];
		bool any = false;
		if (r->ncells > lim.max_columns || r->number < 1)
			__builtin_trap();
		for (int c = 0; c < r->ncells; c++) {
			size_t n = strlen(r->cells[c]);
			if (n > lim.max_cell || !utf8_valid(r->cells[c], n))
				__builtin_trap();
			any = any || n > 0;
		}
		if (!any)
			__builtin_trap();
	}
	struct comment_table t;
	error_clear(&e);
	if (comment_table_map(&a, &s, "fuzz.xlsx", paragraphs, 3, "table", &t, NULL, &e) == 0) {
		for (int i = 0; i < t.ncomments; i++) {
			const struct comment_input *c = &t.comments[i];
			if (!c->comment || !*c->comment || !c->type ||
			    (strcmp(c->type, "general") && strcmp(c->type, "technical") &&
			     strcmp(c->type, "editorial")))
				__builtin_trap();
			if (c->paragraph && strcmp(c->paragraph, "p1") && strcmp(c->paragraph, "p7") &&
			    strcmp(c->paragraph, "p3"))
				__builtin_trap();
		}
		const char *report = comment_table_report(&a, &t, NULL);
		if (!utf8_valid(report, strlen(report)))
			__builtin_trap();
	}
	arena_free(&a);
	return 0;
}
