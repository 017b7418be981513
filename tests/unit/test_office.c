/* The back office's rules that need no database: language tags, and the
 * refusals of the .docx conversion (before and after pandoc runs). */
#include "core/limits.h"
#include "core/process.h"
#include "render/docx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_languages_are_normalized(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"en", "en"},		 {"EN, fr", "en,fr"},	 {" en  fr ,es ", "en,fr,es"},
		{"fr-ch", "fr-CH"}, {"zh-Hant", "zh-Hant"}, {"en,en,fr", "en,fr"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct arena a;
		arena_init(&a);
		struct error e;
		error_clear(&e);
		const char *out = process_languages_normal(&a, cases[i][0], "languages", &e);
		assert_null(e.code);
		assert_string_equal(out, cases[i][1]);
		arena_free(&a);
	}
}

static void test_bad_languages_are_named(void **state)
{
	(void)state;
	static const char *const bad[] = {"", " , ", "e", "english", "en-", "en_GB", "fr-toolongsubtag", "12"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct arena a;
		arena_init(&a);
		struct error e;
		error_clear(&e);
		assert_null(process_languages_normal(&a, bad[i], "languages", &e));
		assert_string_equal(e.code, ERROR_INVALID);
		assert_non_null(error_field_message(&e, "languages"));
		arena_free(&a);
	}
}

/* The limits the core passes (render is a leaf: it has none of its own), with a small ceiling out. */
static const struct docx_limits limits = {.max_in = LIMIT_DOCX, .max_out = 1000, .seconds = LIMIT_CONVERT_SECONDS};

/* Refused before any program runs: empty, not a ZIP archive, too large. */
static void test_docx_refused_before_conversion(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *md;
	struct error e;
	error_clear(&e);
	assert_int_equal(docx_to_markdown(&a, "", 0, &limits, "docx", &md, &e), -1);
	assert_non_null(error_field_message(&e, "docx"));
	error_clear(&e);
	assert_int_equal(docx_to_markdown(&a, "# Markdown", 10, &limits, "docx", &md, &e), -1);
	assert_non_null(strstr(error_field_message(&e, "docx"), "not a Word document"));
	size_t big = (size_t)LIMIT_DOCX + 1;
	char *zip = calloc(1, big);
	assert_non_null(zip);
	memcpy(zip, "PK\x03\x04", 4);
	error_clear(&e);
	assert_int_equal(docx_to_markdown(&a, zip, big, &limits, "docx", &md, &e), -1);
	assert_non_null(strstr(error_field_message(&e, "docx"), "larger"));
	/* The caller's limit is the one applied, and named. */
	const struct docx_limits small = {.max_in = 2048, .max_out = 1000, .seconds = 1};
	error_clear(&e);
	assert_int_equal(docx_to_markdown(&a, zip, 2049, &small, "docx", &md, &e), -1);
	assert_non_null(strstr(error_field_message(&e, "docx"), "larger than 2 KiB"));
	free(zip);
	assert_null(md);
	arena_free(&a);
}

/* A ZIP header with nothing behind it: pandoc runs, fails, and that is the person's error, not ours. */
static void test_docx_that_pandoc_cannot_read(void **state)
{
	(void)state;
	if (access("/usr/bin/pandoc", X_OK) != 0)
		skip();
	struct arena a;
	arena_init(&a);
	const char *md;
	struct error e;
	error_clear(&e);
	static const char junk[] = "PK\x03\x04 this is not a real archive";
	assert_int_equal(docx_to_markdown(&a, junk, sizeof junk - 1, &limits, "docx", &md, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	assert_non_null(strstr(error_field_message(&e, "docx"), "could not be read"));
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_languages_are_normalized),
		cmocka_unit_test(test_bad_languages_are_named),
		cmocka_unit_test(test_docx_refused_before_conversion),
		cmocka_unit_test(test_docx_that_pandoc_cannot_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
