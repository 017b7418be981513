/* Form bodies: decoded exactly, malformed ones refused. */
#include "web/form.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void test_decoding(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct form f;
	const char *body = "name=Ana+Silva&text=a%26b%3Dc%0D%0Ad&empty=&flag&name=second&city=Gen%C3%A8ve";
	assert_true(form_parse(&a, body, strlen(body), &f));
	assert_string_equal(form_get(&f, "name"), "Ana Silva"); /* the first value wins */
	assert_string_equal(form_get(&f, "text"), "a&b=c\r\nd");
	assert_string_equal(form_get(&f, "empty"), "");
	assert_string_equal(form_get(&f, "flag"), "");
	assert_string_equal(form_get(&f, "city"), "Gen\xc3\xa8ve");
	assert_null(form_get(&f, "missing"));
	arena_free(&a);
}

static void test_malformed(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct form f;
	assert_false(form_parse(&a, "a=%zz", 5, &f));
	assert_false(form_parse(&a, "a=%4", 4, &f));
	assert_false(form_parse(&a, "a=%E9", 5, &f)); /* Latin-1, not UTF-8 */
	assert_false(form_parse(&a, "a=%00", 5, &f)); /* NUL */
	char many[LIMIT_FORM_FIELDS * 4 + 8] = "";
	for (int i = 0; i <= LIMIT_FORM_FIELDS; i++)
		strcat(many, "a=1&");
	assert_false(form_parse(&a, many, strlen(many), &f));
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decoding),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
