/* Contribution fields: each bad field gets its own message saying what to fix. */
#include "core/contribution.h"
#include "core/limits.h"
#include "util/secret.h"
#include "util/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static const struct contribution_input GOOD = {
	.name = "Ana Silva", .organization = "Example University", .category = "academia", .country = "PT",
	.email = "ana@example.org", .text = "Paragraph 3 should mention partners.", .publication = "named",
	.channel = CHANNEL_API,
};

static void validate(const struct contribution_input *in, struct error *e, struct contribution_input *clean,
		     struct arena *a)
{
	error_clear(e);
	contribution_validate(a, in, clean, e);
}

static void test_good_input_passes(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	struct contribution_input clean;
	validate(&GOOD, &e, &clean, &a);
	assert_null(e.code);
	arena_free(&a);
}

static void test_each_missing_field_is_named(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	struct contribution_input clean, in = {.channel = CHANNEL_API};
	validate(&in, &e, &clean, &a);
	assert_string_equal(e.code, ERROR_INVALID);
	const char *required[] = {"name", "category", "country", "email", "text", "publication"};
	for (size_t i = 0; i < sizeof required / sizeof *required; i++)
		assert_non_null(error_field_message(&e, required[i]));
	assert_null(error_field_message(&e, "organization")); /* optional */
	arena_free(&a);
}

static void test_bad_values(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	struct contribution_input clean, in = GOOD;
	in.country = "XX";
	in.email = "not-an-address";
	in.publication = "public";
	in.name = "Ana\x01Silva";
	validate(&in, &e, &clean, &a);
	assert_non_null(error_field_message(&e, "country"));
	assert_non_null(error_field_message(&e, "email"));
	assert_non_null(error_field_message(&e, "publication"));
	assert_non_null(error_field_message(&e, "name"));
	assert_null(error_field_message(&e, "text"));
	arena_free(&a);
}

static void test_country_is_case_insensitive_and_trimmed(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	struct contribution_input clean, in = GOOD;
	in.country = " ch ";
	in.name = "  Ana Silva  ";
	validate(&in, &e, &clean, &a);
	assert_null(e.code);
	assert_string_equal(clean.country, "CH");
	assert_string_equal(clean.name, "Ana Silva");
	arena_free(&a);
}

static void test_language_declared_or_detected(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	struct contribution_input clean, in = GOOD;
	/* Declared: made canonical, whatever the text says. */
	in.language = " FR ";
	validate(&in, &e, &clean, &a);
	assert_null(e.code);
	assert_string_equal(clean.language, "fr");
	/* Not declared: the text's own (here English). */
	in.language = NULL;
	in.text = "Paragraph 3 should mention the partners and the schedule of the review.";
	validate(&in, &e, &clean, &a);
	assert_null(e.code);
	assert_string_equal(clean.language, "en");
	in.language = "";
	in.text = "Le paragraphe 3 devrait mentionner les partenaires et le calendrier de la révision.";
	validate(&in, &e, &clean, &a);
	assert_string_equal(clean.language, "fr");
	/* A declared value that is no language tag is refused by name. */
	in.language = "French";
	validate(&in, &e, &clean, &a);
	assert_string_equal(e.code, ERROR_INVALID);
	assert_non_null(error_field_message(&e, "language"));
	arena_free(&a);
}

static void test_length_limits_at_the_edge(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	struct contribution_input clean, in = GOOD;
	/* LIMIT_NAME characters, each two bytes in UTF-8: allowed; one more: refused. */
	char *name = calloc(LIMIT_NAME + 1, 2);
	for (int i = 0; i < LIMIT_NAME; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	in.name = name;
	validate(&in, &e, &clean, &a);
	assert_null(error_field_message(&e, "name"));
	char *longer = calloc(LIMIT_NAME + 2, 2);
	memcpy(longer, name, 2 * LIMIT_NAME);
	memcpy(longer + 2 * LIMIT_NAME, "x", 1);
	in.name = longer;
	validate(&in, &e, &clean, &a);
	assert_non_null(error_field_message(&e, "name"));

	char *text = malloc(LIMIT_TEXT + 2);
	memset(text, 'a', LIMIT_TEXT + 1);
	text[LIMIT_TEXT] = '\0';
	in = GOOD;
	in.text = text;
	validate(&in, &e, &clean, &a);
	assert_null(e.code);
	text[LIMIT_TEXT] = 'a';
	text[LIMIT_TEXT + 1] = '\0';
	validate(&in, &e, &clean, &a);
	assert_non_null(error_field_message(&e, "text"));
	free(name);
	free(longer);
	free(text);
	arena_free(&a);
}

static void test_text_must_be_utf8_and_not_blank(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	struct contribution_input clean, in = GOOD;
	in.text = "caf\xe9"; /* Latin-1 */
	validate(&in, &e, &clean, &a);
	assert_non_null(error_field_message(&e, "text"));
	in.text = " \n\t ";
	validate(&in, &e, &clean, &a);
	assert_non_null(error_field_message(&e, "text"));
	in.text = "Line one\nLine two\twith a tab";
	validate(&in, &e, &clean, &a);
	assert_null(e.code);
	arena_free(&a);
}

static void test_utf8_rules(void **state)
{
	(void)state;
	const char *ok = "Gen\xc3\xa8ve \xe2\x82\xac \xf0\x9f\x98\x80";
	assert_true(utf8_valid(ok, strlen(ok)));
	assert_false(utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));  /* past U+10FFFF */
	assert_false(utf8_valid("\xe2\x82", 2));          /* truncated */
	assert_false(utf8_valid("a\0b", 3));              /* NUL */
	assert_int_equal(utf8_length("Gen\xc3\xa8ve"), 6);
}

static void test_email_shapes(void **state)
{
	(void)state;
	assert_true(contribution_email_valid("a.b+tag@sub.example.org"));
	assert_false(contribution_email_valid("a@b"));
	assert_false(contribution_email_valid("@example.org"));
	assert_false(contribution_email_valid("a b@example.org"));
	assert_false(contribution_email_valid("a@example..org"));
	assert_false(contribution_email_valid("<a@example.org>"));
	assert_false(contribution_email_valid("a@b@example.org"));
}

/* A name made only of invisible, spacing or text-direction characters looks blank: refused with a message. */
static void test_invisible_names_are_refused(void **state)
{
	(void)state;
	static const char *const blank[] = {
		"\u200B",		   "\u200E\u200F",	     "\u202A\u202B\u202C\u202D\u202E", "\u2066\u2067\u2068\u2069",
		"\uFEFF",		   "\u00AD",		     " \u200B \u00A0\u3000",	     "\u3164",
		"\U000E0041\U000E007F", "\u061C\u034F\uFE0F",
	};
	for (size_t i = 0; i < sizeof blank / sizeof *blank; i++) {
		assert_false(utf8_has_visible(blank[i]));
		struct contribution_input in = GOOD, clean;
		in.name = blank[i];
		struct error e;
		struct arena a;
		arena_init(&a);
		validate(&in, &e, &clean, &a);
		assert_string_equal(e.code, ERROR_INVALID);
		assert_non_null(strstr(error_field_message(&e, "name"), "visible letters"));
		in = GOOD;
		in.organization = blank[i];
		validate(&in, &e, &clean, &a);
		assert_non_null(error_field_message(&e, "organization"));
		arena_free(&a);
	}
	static const char *const fine[] = {"Ana", "\u200BAna", "\u202E\u05E9\u05E8\u05D4", "\u5F20\u4F1F", "X\u00AD"};
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++)
		assert_true(utf8_has_visible(fine[i]));
}

/* No token starts with "-", so that a command line never takes one for an option. */
static void test_tokens_never_start_with_a_dash(void **state)
{
	(void)state;
	assert_int_equal(secret_init(), 0);
	for (int i = 0; i < 20000; i++) {
		char token[SECRET_TOKEN_LEN + 1];
		secret_token(token);
		assert_int_equal(strlen(token), SECRET_TOKEN_LEN);
		assert_true(token[0] != '-');
	}
}

/* A message in two-byte letters longer than a struct error holds (a Russian sentence with its values) is cut
 * at a character: what the API and the pages show stays valid UTF-8 (jansson refuses anything else). */
static void test_long_messages_are_cut_at_a_character(void **state)
{
	(void)state;
	char word[3 * ERROR_MESSAGE_LEN];
	size_t n = 0;
	word[n++] = 'x'; /* two: a cut by bytes alone (at ERROR_MESSAGE_LEN - 1, odd) would fall inside a letter */
	word[n++] = 'y';
	while (n + 2 < sizeof word) {
		word[n++] = (char)0xd0; /* "д", U+0434 */
		word[n++] = (char)0xb4;
	}
	word[n] = '\0';
	struct error e;
	error_clear(&e);
	error_field(&e, "text", "%s", word);
	error_set(&e, ERROR_INVALID, "%s", word);
	const char *messages[] = {e.message, error_field_message(&e, "text")};
	for (size_t i = 0; i < 2; i++) {
		assert_non_null(messages[i]);
		assert_true(strlen(messages[i]) < ERROR_MESSAGE_LEN);
		assert_true(strlen(messages[i]) > ERROR_MESSAGE_LEN - 4);
		assert_true(utf8_valid(messages[i], strlen(messages[i])));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_input_passes),
		cmocka_unit_test(test_each_missing_field_is_named),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_country_is_case_insensitive_and_trimmed),
		cmocka_unit_test(test_language_declared_or_detected),
		cmocka_unit_test(test_length_limits_at_the_edge),
		cmocka_unit_test(test_text_must_be_utf8_and_not_blank),
		cmocka_unit_test(test_utf8_rules),
		cmocka_unit_test(test_email_shapes),
		cmocka_unit_test(test_invisible_names_are_refused),
		cmocka_unit_test(test_tokens_never_start_with_a_dash),
		cmocka_unit_test(test_long_messages_are_cut_at_a_character),
	};
	return cmocka_run_group_tests_name("validation", tests, NULL, NULL);
}
