/* Countries in a form are listed by name as the reader's language sorts them (ICU collation), not by code. */
#include "core/country.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The position of code in order, or -1. */
static long position(const size_t *order, const char *code)
{
	for (size_t i = 0; i < country_count(); i++) {
		const char *c, *name;
		country_at(order[i], &c, &name);
		if (!strcmp(c, code))
			return (long)i;
	}
	return -1;
}

static void test_english_order_is_by_name_with_accents_in_place(void **state)
{
	(void)state;
	const size_t n = country_count();
	assert_true(n > 240);
	size_t *order = calloc(n, sizeof *order);
	assert_non_null(order);
	assert_int_equal(country_order_by_name("en", order), 0);

	/* A permutation: every country once. */
	bool *seen = calloc(n, sizeof *seen);
	assert_non_null(seen);
	for (size_t i = 0; i < n; i++) {
		assert_true(order[i] < n);
		assert_false(seen[order[i]]);
		seen[order[i]] = true;
	}
	free(seen);

	const char *code, *name;
	country_at(order[0], &code, &name);
	assert_string_equal(name, "Afghanistan");
	/* Byte order would put these after "Zimbabwe"; a reader looks for them under A and C. */
	assert_int_equal(position(order, "AX"), position(order, "AF") + 1); /* Åland Islands */
	assert_int_equal(position(order, "AL"), position(order, "AX") + 1); /* Albania */
	assert_true(position(order, "CR") < position(order, "CI"));         /* Costa Rica, Côte d'Ivoire */
	assert_true(position(order, "CI") < position(order, "HR"));         /* Croatia */
	/* By name, not by code: Germany (DE) after France (FR), Switzerland (CH) after Sweden (SE). */
	assert_true(position(order, "FR") < position(order, "DE"));
	assert_true(position(order, "SE") < position(order, "CH"));
	country_at(order[n - 1], &code, &name);
	assert_string_equal(name, "Zimbabwe");
	free(order);
}

static void test_unknown_locale_falls_back_to_the_root_order(void **state)
{
	(void)state;
	/* ICU falls back to its root collation for a locale it does not know: still by name, never a failure. */
	size_t *order = calloc(country_count(), sizeof *order);
	assert_non_null(order);
	assert_int_equal(country_order_by_name("xx-unknown", order), 0);
	assert_int_equal(position(order, "AX"), position(order, "AF") + 1);
	free(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_english_order_is_by_name_with_accents_in_place),
	    cmocka_unit_test(test_unknown_locale_falls_back_to_the_root_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
