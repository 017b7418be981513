/* Comments of a contribution: the type's one name table, and each bad comment named with its field. */
#include "core/comment.h"
#include "core/limits.h"
#include "core/paragraph.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static const struct paragraph PARAGRAPHS[] = {
	{.pid = "p1", .number = 1, .text = "One."},
	{.pid = "p2", .number = 2, .text = "Two."},
	{.pid = "p5", .number = 3, .text = "Three, kept its id from an earlier version."},
};

static void test_type_names_round_trip(void **state)
{
	(void)state;
	for (enum comment_type t = COMMENT_GENERAL; t <= COMMENT_EDITORIAL; t++) {
		enum comment_type back = COMMENT_GENERAL;
		assert_true(comment_type_parse(comment_type_name(t), &back));
		assert_int_equal(back, t);
	}
	enum comment_type t;
	assert_false(comment_type_parse("Technical", &t));
	assert_false(comment_type_parse("urgent", &t));
	assert_false(comment_type_parse(NULL, &t));
	assert_string_equal(comment_type_name(COMMENT_EDITORIAL), "editorial");
}

static void test_good_comments_pass(void **state)
{
	(void)state;
	const struct comment_input in[] = {
		{.paragraph = "p5", .type = "technical", .comment = "Say who.", .proposed_change = "X reports."},
		{.paragraph = NULL, .comment = "General."},
		{.paragraph = "", .type = "", .comment = "Also general, type general."},
	};
	struct error e;
	error_clear(&e);
	comment_validate(in, 3, PARAGRAPHS, 3, &e);
	assert_null(e.code);
}

static void test_each_bad_comment_is_named_with_its_field(void **state)
{
	(void)state;
	const struct comment_input in[] = {
		{.paragraph = "p1", .comment = "Fine."},
		{.paragraph = "p3", .type = "urgent", .comment = ""},
	};
	struct error e;
	error_clear(&e);
	comment_validate(in, 2, PARAGRAPHS, 3, &e);
	assert_string_equal(e.code, ERROR_INVALID);
	assert_int_equal(e.nfields, 3);
	const char *m = error_field_message(&e, "comments[2].paragraph");
	assert_non_null(m);
	assert_non_null(strstr(m, "Comment 2: paragraph \"p3\" is not in this version"));
	assert_non_null(error_field_message(&e, "comments[2].type"));
	assert_string_equal(error_field_message(&e, "comments[2].comment"), "Comment 2: enter the comment.");
	assert_null(error_field_message(&e, "comments[1].comment"));
}

static void test_limits_at_their_edges(void **state)
{
	(void)state;
	char *at = malloc(LIMIT_COMMENT + 2);
	assert_non_null(at);
	memset(at, 'x', LIMIT_COMMENT);
	at[LIMIT_COMMENT] = '\0';
	struct comment_input one = {.comment = at, .proposed_change = at};
	struct error e;
	error_clear(&e);
	comment_validate(&one, 1, PARAGRAPHS, 3, &e);
	assert_null(e.code);
	at[LIMIT_COMMENT] = 'x';
	at[LIMIT_COMMENT + 1] = '\0';
	error_clear(&e);
	comment_validate(&one, 1, PARAGRAPHS, 3, &e);
	assert_non_null(error_field_message(&e, "comments[1].comment"));
	assert_non_null(error_field_message(&e, "comments[1].proposed_change"));
	free(at);

	struct comment_input *many = calloc(LIMIT_COMMENTS + 1, sizeof *many);
	assert_non_null(many);
	for (int i = 0; i <= LIMIT_COMMENTS; i++)
		many[i].comment = "c";
	error_clear(&e);
	comment_validate(many, LIMIT_COMMENTS, PARAGRAPHS, 3, &e);
	assert_null(e.code);
	comment_validate(many, LIMIT_COMMENTS + 1, PARAGRAPHS, 3, &e);
	assert_non_null(error_field_message(&e, "comments"));
	free(many);

	/* All the comments together: LIMIT_COMMENTS_TEXT characters at most. */
	const int each = LIMIT_COMMENT, n = LIMIT_COMMENTS_TEXT / each + 1;
	char *text = malloc((size_t)each + 1);
	struct comment_input *big = calloc((size_t)n, sizeof *big);
	assert_non_null(text);
	assert_non_null(big);
	memset(text, 'y', (size_t)each);
	text[each] = '\0';
	for (int i = 0; i < n; i++)
		big[i].comment = text;
	error_clear(&e);
	comment_validate(big, n - 1, PARAGRAPHS, 3, &e);
	assert_null(e.code);
	comment_validate(big, n, PARAGRAPHS, 3, &e);
	assert_non_null(error_field_message(&e, "comments"));
	free(big);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names_round_trip),
		cmocka_unit_test(test_good_comments_pass),
		cmocka_unit_test(test_each_bad_comment_is_named_with_its_field),
		cmocka_unit_test(test_limits_at_their_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
