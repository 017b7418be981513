/* comment_table: the header found and matched in English and French, each row turned into a comment (or
 * skipped) with what was understood of it, paragraphs resolved by their number in this version. The files
 * are written by tests/sheets/make_fixtures.py into $SHEET_FIXTURES. */
#include "core/comment_table.h"
#include "util/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A version of five paragraphs whose ids are not their numbers (as after an edit): ¶N is pid "p(N+10)"; two
 * more for the tests that read a table against a version of seven (nparagraphs). */
static struct paragraph paragraphs[7];
static int nparagraphs = 5;

static void make_paragraphs(void)
{
	static const char *const pids[] = {"p11", "p12", "p13", "p14", "p15", "p16", "p17"};
	for (int i = 0; i < 7; i++)
		paragraphs[i] =
		    (struct paragraph){.id = i + 1, .version_id = 1, .pid = pids[i], .number = i + 1, .text = "text"};
}

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

static int read_table(struct arena *a, const char *name, struct comment_table *t, bool *not_table, struct error *e)
{
	size_t len;
	const char *data = fixture(a, name, &len);
	error_clear(e);
	return comment_table_read(a, data, len, name, paragraphs, nparagraphs, "table", t, not_table, e);
}

/* The row of the file numbered `row`. */
static const struct comment_table_row *row_of(const struct comment_table *t, int row)
{
	for (int i = 0; i < t->nrows; i++)
		if (t->rows[i].row == row)
			return &t->rows[i];
	fail_msg("no row %d", row);
	return NULL;
}

static const struct comment_input *comment_of(const struct comment_table *t, int row)
{
	const struct comment_table_row *r = row_of(t, row);
	if (r->comment < 0)
		fail_msg("row %d was skipped: %s", row, r->understood);
	return &t->comments[r->comment];
}

static void assert_contains(const char *s, const char *part)
{
	if (!s || !strstr(s, part))
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", part);
}

static void test_excel_template(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct comment_table t;
	struct error e;
	bool not_table = true;
	/* row 8 names ¶7, which a version of five paragraphs does not have: the whole table is refused, the
	 * row and the version's paragraphs named, and nothing taken from it */
	assert_int_equal(read_table(&a, "excel.xlsx", &t, &not_table, &e), -1);
	assert_false(not_table);
	assert_int_equal(t.ncomments, 0);
	assert_string_equal(error_field_message(&e, "table"),
	                    "excel.xlsx: 1 row names a paragraph this version does not have (row 8 names \u00b67); "
	                    "its paragraphs are \u00b61\u2013\u00b65. Correct the paragraph column and send the table "
	                    "again: nothing was taken from it.");
	nparagraphs = 7;
	assert_int_equal(read_table(&a, "excel.xlsx", &t, &not_table, &e), 0);
	nparagraphs = 5;
	assert_false(not_table);
	assert_int_equal(t.format, SHEET_XLSX);
	/* the title rows above are passed over; the header's columns in the template's order, with the extra
	 * "Line number" column between */
	assert_int_equal(t.header_row, 3);
	assert_int_equal(t.columns[COLUMN_MEMBER], 0);
	assert_int_equal(t.columns[COLUMN_CLAUSE], 2);
	assert_int_equal(t.columns[COLUMN_PARAGRAPH], 3);
	assert_int_equal(t.columns[COLUMN_TYPE], 4);
	assert_int_equal(t.columns[COLUMN_COMMENT], 5);
	assert_int_equal(t.columns[COLUMN_PROPOSED], 6);
	assert_int_equal(t.columns[COLUMN_OBSERVATIONS], 7);
	/* the numbering row (1)..(8) is not a comment; rows 5, 7, 8, 9, 10 are reported */
	assert_int_equal(t.nrows, 5);
	assert_int_equal(t.ncomments, 4);

	const struct comment_input *c = comment_of(&t, 5);
	assert_string_equal(c->paragraph, "p13"); /* ¶3 of this version */
	assert_string_equal(c->type, "technical");
	assert_string_equal(c->comment, "Bold start and the rest.");
	assert_string_equal(c->proposed_change, "Say it better.");
	assert_string_equal(c->clause, "5.2, \u00b63");
	assert_null(c->note);
	assert_int_equal(c->row, 2); /* the second row under the header */
	assert_string_equal(row_of(&t, 5)->member, "FR");
	assert_string_equal(row_of(&t, 5)->understood, "on \u00b63, technical");

	/* "9.9" names no paragraph: kept, as a general comment, with a note */
	c = comment_of(&t, 7);
	assert_null(c->paragraph);
	assert_string_equal(c->type, "editorial");
	assert_string_equal(c->comment, "Typo in the title.");
	assert_null(c->proposed_change);
	assert_string_equal(c->clause, "9.9");
	assert_contains(c->note, "\u201c9.9\u201d is not a paragraph number of this version");
	assert_contains(c->note, "kept as a general comment");
	assert_contains(row_of(&t, 7)->understood, "general comment, editorial: ");

	/* ¶7 of a version of 7 paragraphs */
	c = comment_of(&t, 8);
	assert_string_equal(c->paragraph, "p17");
	assert_string_equal(c->type, "general");
	assert_string_equal(c->comment, "A formula");
	assert_null(c->note);

	/* no comment text: skipped, and said */
	assert_int_equal(row_of(&t, 9)->comment, -1);
	assert_contains(row_of(&t, 9)->understood, "skipped: no comment text");

	/* "p2" is ¶2; an unknown type is general, with a note */
	c = comment_of(&t, 10);
	assert_string_equal(c->paragraph, "p12");
	assert_string_equal(c->type, "general");
	assert_contains(c->note, "the type \u201cquestion\u201d is not ge, te or ed; taken as general");

	/* the observations of the secretariat are no part of any comment */
	for (int i = 0; i < t.ncomments; i++) {
		assert_null(strstr(t.comments[i].comment, "Accepted"));
		assert_true(t.comments[i].proposed_change == NULL ||
		            !strstr(t.comments[i].proposed_change, "Accepted"));
	}

	const char *report = comment_table_report(&a, &t, "excel.xlsx");
	assert_contains(report, "4 comments taken from the XLSX table \u201cexcel.xlsx\u201d (header in row 3):\n");
	assert_contains(report, "Row 5: on \u00b63, technical.\n");
	assert_contains(report, "Row 8: on \u00b67, general.\n");
	assert_contains(report, "Row 7: general comment, editorial: \u201c9.9\u201d is not a paragraph number");
	assert_contains(report, "Row 9: skipped: no comment text in this row.\n");
	arena_free(&a);
}

static void test_french_headers(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct comment_table t;
	struct error e;
	assert_int_equal(read_table(&a, "libreoffice.xlsx", &t, NULL, &e), 0);
	assert_int_equal(t.header_row, 2);
	assert_int_equal(t.columns[COLUMN_MEMBER], 0);
	assert_int_equal(t.columns[COLUMN_TYPE], 1);
	assert_int_equal(t.columns[COLUMN_COMMENT], 2);
	assert_int_equal(t.columns[COLUMN_PROPOSED], 3);
	assert_int_equal(t.columns[COLUMN_CLAUSE], 4);
	assert_int_equal(t.columns[COLUMN_PARAGRAPH], 5);
	assert_int_equal(t.columns[COLUMN_OBSERVATIONS], 6); /* upper case, with an accent */
	assert_int_equal(t.ncomments, 3);

	const struct comment_input *c = comment_of(&t, 3);
	assert_string_equal(c->paragraph, "p12");
	assert_string_equal(c->type, "editorial"); /* rédactionnel */
	assert_string_equal(c->proposed_change, "Ajouter une virgule.");
	assert_string_equal(c->clause, "4.1, \u00b62");

	c = comment_of(&t, 4);
	assert_string_equal(c->paragraph, "p11");  /* "para 1" */
	assert_string_equal(c->type, "technical"); /* Technique */
	assert_string_equal(c->comment, "Le seuil est trop bas.");
	assert_string_equal(row_of(&t, 4)->member, "AFNOR"); /* merged down from row 3 */

	/* a clause number alone is not a paragraph number: a general comment on clause 3, without a note */
	c = comment_of(&t, 6);
	assert_null(c->paragraph);
	assert_string_equal(c->type, "general"); /* Général */
	assert_string_equal(c->clause, "3");
	assert_null(c->note);
	arena_free(&a);
}

static void test_csv_word_and_inline(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct comment_table t;
	struct error e;
	assert_int_equal(read_table(&a, "semicolon_bom.csv", &t, NULL, &e), 0);
	assert_int_equal(t.format, SHEET_CSV);
	assert_int_equal(t.ncomments, 2);
	assert_string_equal(comment_of(&t, 2)->paragraph, "p12");
	assert_string_equal(comment_of(&t, 2)->comment, "Deux lignes :\npremi\u00e8re; seconde");
	assert_string_equal(comment_of(&t, 2)->proposed_change, "Dire \"toujours\"");
	assert_string_equal(comment_of(&t, 4)->paragraph, "p13");
	assert_string_equal(comment_of(&t, 4)->type, "editorial");

	/* a clause column only: "¶1" written there is a paragraph, "3" is clause 3 */
	assert_int_equal(read_table(&a, "plain.csv", &t, NULL, &e), 0);
	assert_int_equal(t.ncomments, 2);
	assert_null(comment_of(&t, 2)->paragraph);
	assert_string_equal(comment_of(&t, 2)->comment, "A, with a comma");
	assert_string_equal(comment_of(&t, 4)->paragraph, "p11");
	assert_string_equal(comment_of(&t, 4)->proposed_change, "Do");

	assert_int_equal(read_table(&a, "unicode.txt", &t, NULL, &e), 0);
	assert_string_equal(comment_of(&t, 2)->paragraph, "p11");

	assert_int_equal(read_table(&a, "inline.xlsx", &t, NULL, &e), 0);
	assert_int_equal(t.ncomments, 2);
	assert_string_equal(comment_of(&t, 2)->paragraph, "p11");
	assert_string_equal(comment_of(&t, 2)->comment, "Rich inline");
	assert_null(comment_of(&t, 4)->paragraph);
	assert_string_equal(comment_of(&t, 4)->type, "general");

	/* its row 3 names ¶99: refused, nothing taken */
	assert_int_equal(read_table(&a, "table.docx", &t, NULL, &e), -1);
	assert_int_equal(t.format, SHEET_DOCX);
	assert_int_equal(t.ncomments, 0);
	assert_contains(error_field_message(&e, "table"),
	                "table.docx: 1 row names a paragraph this version does not have (row 3 names \u00b699)");
	arena_free(&a);
}

/* Headers in any order, any case, with or without accents; a sheet made by hand. */
static void test_header_matching(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *header[] = {"COMMENTAIRES",        "modifications proposees",          "\u00b6",
	                        "TYPE DE COMMENTAIRE", "Observations du Secr\u00e9tariat", "Organisme Membre"};
	const char *data[] = {"Texte", "Autre", "P. 5", "  TE ", "Rejet\u00e9", "SNV"};
	struct sheet_row rows[] = {{1, 6, header}, {2, 6, data}};
	struct sheet s = {SHEET_CSV, false, 2, rows};
	struct comment_table t;
	struct error e;
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s, "x.csv", paragraphs, 5, "table", &t, NULL, &e), 0);
	assert_int_equal(t.columns[COLUMN_COMMENT], 0);
	assert_int_equal(t.columns[COLUMN_PROPOSED], 1);
	assert_int_equal(t.columns[COLUMN_PARAGRAPH], 2);
	assert_int_equal(t.columns[COLUMN_TYPE], 3);
	assert_int_equal(t.columns[COLUMN_OBSERVATIONS], 4);
	assert_int_equal(t.columns[COLUMN_MEMBER], 5);
	assert_int_equal(t.columns[COLUMN_CLAUSE], -1);
	assert_string_equal(t.comments[0].paragraph, "p15");
	assert_string_equal(t.comments[0].type, "technical");
	assert_string_equal(t.comments[0].comment, "Texte");

	/* a long place or type is quoted in the note by its beginning, on one line */
	const char *head5[] = {"Paragraph", "Type", "Comments"};
	const char *long5[] = {"Table 1, the second line\nof its third column, where the text goes on and on",
	                       "a type nobody has ever heard of, written at length", "Fine."};
	struct sheet_row rows5[] = {{1, 3, head5}, {2, 3, long5}};
	struct sheet s5 = {SHEET_CSV, false, 2, rows5};
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s5, "x.csv", paragraphs, 5, "table", &t, NULL, &e), 0);
	assert_string_equal(
	    t.comments[0].note,
	    "the type \u201ca type nobody has ever heard of, written at length\u201d is not ge, te or ed; "
	    "taken as general; \u201cTable 1, the second line of its third column, where the text"
	    "\u2026\u201d is not a paragraph number of this version (\u00b6N); kept as a general "
	    "comment");
	assert_string_equal(t.comments[0].clause, long5[0]); /* as written */

	/* other wordings of the template's columns */
	const char *other[] = {"MB\u00b9", "No. du paragraphe", "Comment type", "Comments", "Proposed changes"};
	const char *data2[] = {"BSI", "\u00b62", "ed", "Fine.", ""};
	struct sheet_row rows4[] = {{1, 5, other}, {2, 5, data2}};
	struct sheet s4 = {SHEET_CSV, false, 2, rows4};
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s4, "x.csv", paragraphs, 5, "table", &t, NULL, &e), 0);
	assert_int_equal(t.columns[COLUMN_MEMBER], 0);
	assert_int_equal(t.columns[COLUMN_PARAGRAPH], 1);
	assert_int_equal(t.columns[COLUMN_TYPE], 2);
	assert_int_equal(t.columns[COLUMN_COMMENT], 3);
	assert_int_equal(t.columns[COLUMN_PROPOSED], 4);
	assert_string_equal(t.comments[0].paragraph, "p12");
	assert_string_equal(t.comments[0].type, "editorial");
	assert_null(t.comments[0].proposed_change);

	/* a row with only the comments column named is no header (the word "Comments" alone in a letter) */
	const char *lone[] = {"Comments"};
	const char *text[] = {"Fine."};
	struct sheet_row rows2[] = {{1, 1, lone}, {2, 1, text}};
	struct sheet s2 = {SHEET_CSV, false, 2, rows2};
	bool not_table = false;
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s2, "x.csv", paragraphs, 5, "table", &t, &not_table, &e), -1);
	assert_true(not_table);
	assert_contains(error_field_message(&e, "table"), "x.csv: no header row found");

	/* a long name in any script: the message is cut between two characters, within the field's length */
	char long_name[400];
	const char piece[] = "\u00e9t\u00e9";
	for (int i = 0; i < 60; i++)
		memcpy(long_name + i * (sizeof piece - 1), piece,
		       sizeof piece); /* its NUL is overwritten but the last */
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s2, long_name, paragraphs, 5, "table", &t, &not_table, &e), -1);
	const char *m = error_field_message(&e, "table");
	assert_true(utf8_valid(m, strlen(m)));
	assert_true(strlen(m) < ERROR_MESSAGE_LEN);
	assert_contains(m, "\u2026: no header row found");
	size_t len;
	const char *png = fixture(&a, "image.png", &len);
	error_clear(&e);
	assert_int_equal(comment_table_read(&a, png, len, long_name, paragraphs, 5, "table", &t, NULL, &e), -1);
	m = error_field_message(&e, "table");
	assert_true(utf8_valid(m, strlen(m)));
	assert_contains(m, "\u2026: this is not a table");

	/* a header and only rows without comment text: refused, naming the header's row */
	const char *head[] = {"Paragraph", "Comments"};
	const char *empty[] = {"3", ""};
	struct sheet_row rows3[] = {{4, 2, head}, {5, 1, empty}};
	struct sheet s3 = {SHEET_XLSX, false, 2, rows3};
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s3, "y.xlsx", paragraphs, 5, "table", &t, &not_table, &e), -1);
	assert_false(not_table);
	assert_contains(error_field_message(&e, "table"), "y.xlsx: no comment: no row under the header (row 4)");
	arena_free(&a);
}

/* The paragraph column's forms, each against a version of 5 paragraphs. */
static void test_paragraph_forms(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	static const struct {
		const char *said, *pid;
	} cases[] = {
	    {"\u00b63", "p13"},  {"3", "p13"},       {"p3", "p13"},          {"P3", "p13"},
	    {"para 3", "p13"},   {"para. 3", "p13"}, {"Paragraph 3", "p13"}, {"paragraphe 3", "p13"},
	    {"\u00b6 3", "p13"}, {"3.0", "p13"},     {"0", NULL},
	    {"Table 1", NULL},   {"3a", NULL},       {"5.2", NULL},          {"-1", NULL},
	};
	const char *head[] = {"Paragraph", "Comments"};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *row[] = {cases[i].said, "A comment."};
		struct sheet_row rows[] = {{1, 2, head}, {2, 2, row}};
		struct sheet s = {SHEET_CSV, false, 2, rows};
		struct comment_table t;
		struct error e;
		error_clear(&e);
		assert_int_equal(comment_table_map(&a, &s, "", paragraphs, 5, "table", &t, NULL, &e), 0);
		assert_int_equal(t.ncomments, 1);
		if (cases[i].pid) {
			if (!t.comments[0].paragraph || strcmp(t.comments[0].paragraph, cases[i].pid))
				fail_msg("\"%s\" gave %s, not %s", cases[i].said,
				         t.comments[0].paragraph ? t.comments[0].paragraph : "none", cases[i].pid);
			assert_null(t.comments[0].note);
		} else {
			if (t.comments[0].paragraph)
				fail_msg("\"%s\" gave %s", cases[i].said, t.comments[0].paragraph);
			assert_contains(t.comments[0].note, "kept as a general comment"); /* kept, never dropped */
		}
	}
	/* a paragraph number this version does not have refuses the table */
	const char *six[] = {"\u00b66", "A comment."};
	struct sheet_row rows6[] = {{1, 2, head}, {2, 2, six}};
	struct sheet s6 = {SHEET_CSV, false, 2, rows6};
	struct comment_table t;
	struct error e;
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s6, "", paragraphs, 5, "table", &t, NULL, &e), -1);
	assert_int_equal(t.ncomments, 0);
	assert_contains(error_field_message(&e, "table"), "(row 2 names \u00b66); its paragraphs are \u00b61\u2013\u00b65.");
	/* the valid numbers as ranges, however the version numbers them */
	struct paragraph gaps[] = {{.pid = "a", .number = 4}, {.pid = "b", .number = 1}, {.pid = "c", .number = 2},
	                           {.pid = "d", .number = 9}};
	error_clear(&e);
	assert_int_equal(comment_table_map(&a, &s6, "", gaps, 4, "table", &t, NULL, &e), -1);
	assert_contains(error_field_message(&e, "table"), "its paragraphs are \u00b61\u2013\u00b62, \u00b64, \u00b69.");
	arena_free(&a);
}

static void test_types(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	static const struct {
		const char *said, *type;
		bool note;
	} cases[] = {
	    {"ge", "general", false},
	    {"GE", "general", false},
	    {"General", "general", false},
	    {"g\u00e9n\u00e9ral", "general", false},
	    {"te", "technical", false},
	    {"Technical", "technical", false},
	    {"technique", "technical", false},
	    {"ed", "editorial", false},
	    {"Editorial", "editorial", false},
	    {"R\u00e9dactionnel", "editorial", false},
	    {"", "general", false},
	    {"ge/te", "general", true},
	    {"major", "general", true},
	};
	const char *head[] = {"Type of comment", "Comments"};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *row[] = {cases[i].said, "A comment."};
		struct sheet_row rows[] = {{1, 2, head}, {2, 2, row}};
		struct sheet s = {SHEET_CSV, false, 2, rows};
		struct comment_table t;
		struct error e;
		error_clear(&e);
		assert_int_equal(comment_table_map(&a, &s, "", paragraphs, 5, "table", &t, NULL, &e), 0);
		if (strcmp(t.comments[0].type, cases[i].type))
			fail_msg("\"%s\" gave %s, not %s", cases[i].said, t.comments[0].type, cases[i].type);
		assert_int_equal(t.comments[0].note != NULL, cases[i].note);
	}
	arena_free(&a);
}

static void test_refused(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct comment_table t;
	struct error e;
	bool not_table = false;
	/* a letter in a .txt: read, but no comment table in it */
	assert_int_equal(read_table(&a, "letter.txt", &t, &not_table, &e), -1);
	assert_true(not_table);
	assert_contains(error_field_message(&e, "table"), "letter.txt: no header row found");
	/* an image: not a table */
	assert_int_equal(read_table(&a, "image.png", &t, &not_table, &e), -1);
	assert_true(not_table);
	assert_contains(error_field_message(&e, "table"), "image.png: this is not a table");
	/* a Word letter without a table stays an ordinary attachment */
	assert_int_equal(read_table(&a, "notable.docx", &t, &not_table, &e), -1);
	assert_true(not_table);
	assert_contains(error_field_message(&e, "table"), "notable.docx: this Word document has no table");
	/* a spreadsheet refused: it is a table, a bad one, and says why */
	assert_int_equal(read_table(&a, "rows100k.xlsx", &t, &not_table, &e), -1);
	assert_false(not_table);
	assert_contains(error_field_message(&e, "table"), "more than 20000 rows");
	assert_int_equal(t.ncomments, 0);
	assert_int_equal(read_table(&a, "bomb.xlsx", &t, &not_table, &e), -1);
	assert_false(not_table);
	assert_contains(error_field_message(&e, "table"), "zip bomb");
	assert_int_equal(t.ncomments, 0);
	arena_free(&a);
}

static void test_5000_rows(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct comment_table t;
	struct error e;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nparagraphs = 7;
	assert_int_equal(read_table(&a, "rows5000.xlsx", &t, NULL, &e), 0);
	nparagraphs = 5;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(t.ncomments, 5000);
	assert_string_equal(t.comments[4999].comment, "Comment number 5000 on this paragraph.");
	assert_int_equal(t.comments[4999].row, 5000);
	/* rows name ¶1..¶7 in turn: each on its paragraph of a version of 7 */
	for (int i = 0; i < t.ncomments; i++)
		assert_non_null(t.comments[i].paragraph);
	const char *report = comment_table_report(&a, &t, "rows5000.xlsx");
	assert_contains(report, "Row 5001: on \u00b6");
	/* against a version of 5, ¶6 and ¶7 (two rows in seven) refuse the table: the first rows named, the rest
	 * counted, all within the field's message */
	assert_int_equal(read_table(&a, "rows5000.xlsx", &t, NULL, &e), -1);
	assert_int_equal(t.ncomments, 0);
	const char *m = error_field_message(&e, "table");
	assert_true(strlen(m) < ERROR_MESSAGE_LEN);
	assert_contains(m, "rows name paragraphs this version does not have (row ");
	assert_contains(m, " more rows); its paragraphs are \u00b61\u2013\u00b65.");
	print_message("# 5,000-row XLSX read and mapped in %.3f s\n",
	              (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	arena_free(&a);
}

static void test_candidates(void **state)
{
	(void)state;
	assert_true(comment_table_candidate("Comments.XLSX", NULL));
	assert_true(comment_table_candidate("c.csv", ""));
	assert_true(comment_table_candidate("c.docx", NULL));
	assert_true(comment_table_candidate("", "text/csv; charset=utf-8"));
	assert_true(comment_table_candidate(NULL, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
	assert_false(comment_table_candidate("photo.png", "image/png"));
	assert_false(comment_table_candidate("letter.pdf", "application/pdf"));
	assert_false(comment_table_candidate(NULL, NULL));
}

int main(void)
{
	xmlInitParser();
	make_paragraphs();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_excel_template),
	    cmocka_unit_test(test_french_headers),
	    cmocka_unit_test(test_csv_word_and_inline),
	    cmocka_unit_test(test_header_matching),
	    cmocka_unit_test(test_paragraph_forms),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_5000_rows),
	    cmocka_unit_test(test_candidates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
