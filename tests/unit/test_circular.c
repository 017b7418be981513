/* Circular letters' numbering patterns: what a pattern may be, and the series and reference it makes; a
 * letter's text in another language put in its own's place, and which languages such a text may be in. And
 * their distribution by the mail sender: with nothing to send it takes no write lock. */
#include "core/circular.h"
#include "core/process.h"
#include "store/db.h"

#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

static void check(const char *pattern, int year, int64_t n, const char *series, const char *reference)
{
	struct arena a;
	arena_init(&a);
	const char *s = NULL, *r = NULL;
	assert_int_equal(circular_pattern_format(&a, pattern, year, n, &s, &r), 0);
	assert_string_equal(s, series);
	assert_string_equal(r, reference);
	arena_free(&a);
}

static void test_patterns_make_the_series_and_the_reference(void **state)
{
	(void)state;
	check("CL-{yy}/{n}", 2020, 55, "CL-20", "CL-20/55");
	check("CL-{yy}/{n}", 2021, 1, "CL-21", "CL-21/1");
	check("CL-{yy}/{n}", 2009, 7, "CL-09", "CL-09/7");
	check("{yyyy}-{n}", 2026, 12, "2026", "2026-12");
	check("Letter {n}", 2026, 3, "Letter", "Letter 3"); /* no year: one series for ever */
	check("DM/{n}/{yyyy}", 2021, 4, "DM//2021", "DM/4/2021");
}

static void test_bad_patterns_are_refused(void **state)
{
	(void)state;
	assert_true(circular_pattern_valid("CL-{yy}/{n}"));
	assert_false(circular_pattern_valid(NULL));
	assert_false(circular_pattern_valid(""));
	assert_false(circular_pattern_valid("CL-{yy}"));          /* no number */
	assert_false(circular_pattern_valid("{n}-{n}"));          /* two */
	assert_false(circular_pattern_valid("CL-{y}/{n}"));       /* unknown token */
	assert_false(circular_pattern_valid("CL-{yy/{n}"));       /* a brace alone */
	assert_false(circular_pattern_valid("CL-\x01{n}"));       /* a control character */
	assert_false(circular_pattern_valid("CL-\xc3\xa9-{n}"));  /* ASCII only */
	assert_false(circular_pattern_valid("A-very-long-pattern-of-more-than-forty-{n}"));
	struct arena a;
	arena_init(&a);
	const char *s, *r;
	assert_int_equal(circular_pattern_format(&a, "CL-{yy}", 2020, 1, &s, &r), -1);
	assert_int_equal(circular_pattern_format(&a, "CL-{yy}/{n}", 10000, 1, &s, &r), -1);
	arena_free(&a);
}

static void test_purposes_have_one_table_of_names(void **state)
{
	(void)state;
	enum circular_purpose p;
	assert_true(circular_purpose_parse("action", &p));
	assert_int_equal(p, CIRCULAR_ACTION);
	assert_true(circular_purpose_parse("information", &p));
	assert_int_equal(p, CIRCULAR_INFORMATION);
	assert_string_equal(circular_purpose_name(CIRCULAR_INFORMATION), "information");
	assert_false(circular_purpose_parse("Action", &p));
	assert_false(circular_purpose_parse(NULL, &p));
}

static void test_a_letter_is_shown_in_one_of_its_texts(void **state)
{
	(void)state;
	struct circular_text texts[] = {{"es", "Asunto", "Texto."}, {"fr", "Objet", "Texte."}};
	struct circular c = {.subject = "Subject", .markdown = "Text.", .texts = texts, .ntexts = 2};
	assert_false(circular_use_text(&c, "ru"));
	assert_false(circular_use_text(&c, NULL));
	assert_string_equal(c.subject, "Subject");
	assert_null(c.language);
	assert_true(circular_use_text(&c, "fr"));
	assert_string_equal(c.subject, "Objet");
	assert_string_equal(c.markdown, "Texte.");
	assert_string_equal(c.language, "fr");
}

static void test_a_text_beside_the_own_is_in_another_of_the_process_languages(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct process p = {.languages = "en,fr,zh"};
	char tag[16];
	struct error e;
	error_clear(&e);
	assert_int_equal(process_other_language(&a, &p, " FR ", tag, &e), 1);
	assert_string_equal(tag, "fr");
	assert_null(e.code);
	assert_int_equal(process_other_language(&a, &p, "en", tag, &e), 0); /* the own text's: the caller says so */
	assert_null(e.code);
	assert_string_equal(process_first_language(&a, &p), "en");
	assert_int_equal(process_other_language(&a, &p, "ru", tag, &e), -1);
	assert_string_equal(error_field_message(&e, "language"),
			    "ru is not one of the process's languages (en,fr,zh): add it to them first.");
	error_clear(&e);
	assert_int_equal(process_other_language(&a, &p, "not a tag", tag, &e), -1);
	assert_non_null(error_field_message(&e, "language"));
	struct process none = {.languages = ""};
	assert_string_equal(process_first_language(&a, &none), "en");
	arena_free(&a);
}

/* The mail sender calls circular_distribute() after each of the contributions' batches: with no letter's mail
 * to queue it must not begin a write transaction (the writers' lock, which the contributions' writer would
 * wait for between two batches). Shown here inside a transaction of this connection, where a second
 * db_begin() fails: the call still succeeds, having only looked. */
static void test_distribute_with_nothing_to_send_takes_no_write_lock(void **state)
{
	(void)state;
	struct db *db;
	assert_int_equal(unit_db_open("2021-02-01T10:00:00Z", UNIT_NO_DEMO, &db), 0);
	struct error e;
	error_clear(&e);
	struct arena a;
	arena_init(&a);
	assert_int_equal(db_begin(db, &e), 0);
	int queued = -1;
	assert_int_equal(circular_distribute(db, &a, 10, &queued, &e), 0);
	assert_int_equal(queued, 0);
	db_rollback(db);
	arena_free(&a);
	unit_db_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns_make_the_series_and_the_reference),
		cmocka_unit_test(test_bad_patterns_are_refused),
		cmocka_unit_test(test_purposes_have_one_table_of_names),
		cmocka_unit_test(test_a_letter_is_shown_in_one_of_its_texts),
		cmocka_unit_test(test_a_text_beside_the_own_is_in_another_of_the_process_languages),
		cmocka_unit_test(test_distribute_with_nothing_to_send_takes_no_write_lock),
	};
	return cmocka_run_group_tests_name("circular", tests, NULL, NULL);
}
