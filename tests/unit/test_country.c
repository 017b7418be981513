/* Countries in a form are listed by name as the reader's language sorts them (ICU collation), not by code. */
#include "core/country.h"
#include "util/i18n.h"

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

static void test_names_in_each_language_from_iso_codes(void **state)
{
	(void)state;
	/* iso-codes' translations, carried in the binary: no catalogue is read at run time. */
	assert_string_equal(country_name_in("fr", "CH"), "Suisse");
	assert_string_equal(country_name_in("es", "DE"), "Alemania");
	assert_string_equal(country_name_in("ru", "FR"), "\u0424\u0440\u0430\u043d\u0446\u0438\u044f");
	assert_string_equal(country_name_in("zh", "CN"), "\u4e2d\u56fd");
	assert_string_equal(country_name_in("ar", "EG"), "\u0645\u0635\u0631");
	/* English, and every language the interface does not translate countries into, get the English name. */
	assert_string_equal(country_name_in("en", "CH"), "Switzerland");
	assert_string_equal(country_name_in(NULL, "CH"), "Switzerland");
	assert_string_equal(country_name_in("de", "CH"), "Switzerland");
	assert_null(country_name_in("fr", "XX"));
	/* Every name of every language is there (a name a catalogue lacks is carried in English). */
	size_t n = 0;
	const struct i18n_language *l = i18n_languages(&n);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < country_count(); k++) {
			const char *code, *name;
			country_at(k, &code, &name);
			const char *in = country_name_in(l[i].code, code);
			assert_non_null(in);
			assert_true(in[0] != '\0');
		}
}

static void test_thread_language_names_what_pages_show(void **state)
{
	(void)state;
	i18n_use("fr");
	assert_string_equal(country_name("DE"), "Allemagne");
	const char *code, *name;
	country_at(0, &code, &name);
	assert_string_equal(code, "AD");
	assert_string_equal(name, "Andorre");
	i18n_use(NULL);
	assert_string_equal(country_name("DE"), "Germany");
}

static void test_french_order_is_by_french_names(void **state)
{
	(void)state;
	const size_t n = country_count();
	size_t *order = calloc(n, sizeof *order);
	assert_non_null(order);
	assert_int_equal(country_order_by_name("fr", order), 0);
	/* Allemagne (DE) near the top, Égypte (EG) among the E before Érythrée (ER) and Espagne (ES), not after Z. */
	assert_true(position(order, "DE") < position(order, "AR")); /* Allemagne, Argentine */
	assert_true(position(order, "EG") < position(order, "ES"));
	assert_true(position(order, "EG") > position(order, "DM")); /* Dominique */
	assert_true(position(order, "CH") > position(order, "SE")); /* Suisse after Suède */
	assert_true(position(order, "ZW") > position(order, "EG"));
	free(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_english_order_is_by_name_with_accents_in_place),
	    cmocka_unit_test(test_unknown_locale_falls_back_to_the_root_order),
	    cmocka_unit_test(test_names_in_each_language_from_iso_codes),
	    cmocka_unit_test(test_thread_language_names_what_pages_show),
	    cmocka_unit_test(test_french_order_is_by_french_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
