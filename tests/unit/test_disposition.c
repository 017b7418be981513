/* Answers to comments: the decision's one name table, and the text that "identical comments" compare. */
#include "core/disposition.h"
#include "core/disposition_upload.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void test_decision_names_round_trip(void **state)
{
	(void)state;
	for (enum disposition_decision d = DECISION_ACCEPTED; d <= DECISION_NOTED; d++) {
		enum disposition_decision back = DECISION_NOTED;
		assert_true(disposition_decision_parse(disposition_decision_name(d), &back));
		assert_int_equal(back, d);
	}
	enum disposition_decision d;
	assert_false(disposition_decision_parse("Accepted", &d));
	assert_false(disposition_decision_parse("rejected", &d));
	assert_false(disposition_decision_parse(NULL, &d));
	assert_string_equal(disposition_decision_name(DECISION_ACCEPTED_IN_PART), "accepted_in_part");
}

static void test_identical_texts_differ_only_in_spaces_and_case(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(disposition_normalized(&a, "  Say who\n\treports.  "), "say who reports.");
	assert_string_equal(disposition_normalized(&a, "SAY  WHO REPORTS."), "say who reports.");
	assert_string_equal(disposition_normalized(&a, ""), "");
	assert_string_equal(disposition_normalized(&a, " \n "), "");
	/* letters beyond ASCII are kept as they are: "É" and "é" are different comments */
	assert_string_not_equal(disposition_normalized(&a, "\xc3\x89t\xc3\xa9"),
	                        disposition_normalized(&a, "\xc3\xa9t\xc3\xa9"));
	assert_string_not_equal(disposition_normalized(&a, "Say who reports"), "say who reports.");
	arena_free(&a);
}

/* An uploaded matrix's decision: its name or the matrix's words for it, regardless of case and spaces. */
static void test_upload_reads_the_decision_as_the_matrix_writes_it(void **state)
{
	(void)state;
	enum disposition_decision d = DECISION_NOTED;
	assert_true(disposition_upload_decision("Accepted in part", &d));
	assert_int_equal(d, DECISION_ACCEPTED_IN_PART);
	assert_true(disposition_upload_decision("  NOT   accepted ", &d));
	assert_int_equal(d, DECISION_NOT_ACCEPTED);
	assert_true(disposition_upload_decision("accepted_in_part", &d));
	assert_int_equal(d, DECISION_ACCEPTED_IN_PART);
	assert_true(disposition_upload_decision("Noted", &d));
	assert_int_equal(d, DECISION_NOTED);
	assert_false(disposition_upload_decision("", &d));
	assert_false(disposition_upload_decision("Accepted in full", &d));
	assert_false(disposition_upload_decision("accepted in part and more words than a decision has", &d));
	assert_false(disposition_upload_decision(NULL, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decision_names_round_trip),
	    cmocka_unit_test(test_identical_texts_differ_only_in_spaces_and_case),
	    cmocka_unit_test(test_upload_reads_the_decision_as_the_matrix_writes_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
