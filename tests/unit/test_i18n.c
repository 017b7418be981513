/* The interface's catalogues (util/i18n): Accept-Language's q-values, a process's language list, each of the six
 * catalogues as the build compiled them (found in the build without installing), each language's plural
 * forms (Arabic's six, Russian's three, French's 0 and 1 together), English for what is not offered, and
 * threads asking for different languages at the same moment. */
#include "util/i18n.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TOO_LARGE                                                                                                      \
	"The request is larger than the limit of %zu KiB; shorten the text (or send fewer or smaller files) and "      \
	"send it again."

static const char *accept(const char *header)
{
	const struct i18n_language *l = i18n_accept(header);
	return l ? l->code : NULL;
}

static void test_accept_language_by_q_value_then_order(void **state)
{
	(void)state;
	assert_string_equal(accept("fr"), "fr");
	assert_string_equal(accept("de, ru;q=0.5, fr;q=0.8"), "fr");
	assert_string_equal(accept("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"), "fr");
	assert_string_equal(accept("zh-Hans-CN,zh;q=0.9"), "zh");
	assert_string_equal(accept("ES-419"), "es");
	assert_string_equal(accept("ru ; q=0.3 , ar ; q=0.4"), "ar");
	assert_string_equal(accept("en;q=0.5, ar;q=0.5"), "en"); /* a tie: the first named */
	assert_string_equal(accept("fr;q=1.000, en;q=0.999"), "fr");
	assert_null(accept("fr;q=0, de")); /* q=0: not this one */
	assert_null(accept("de, it;q=0.9, *"));
	assert_null(accept(""));
	assert_null(accept(NULL));
	assert_string_equal(accept("fr;q=2, en;q=0.1"), "en"); /* a malformed q-value counts as a refusal */
	assert_string_equal(accept("frr, en-GB"), "en");
}

static void test_first_language_of_a_process(void **state)
{
	(void)state;
	assert_string_equal(i18n_first_of("fr, en")->code, "fr");
	assert_string_equal(i18n_first_of("de,es,fr")->code, "es");
	assert_string_equal(i18n_first_of("pt-BR,zh-CN")->code, "zh");
	assert_null(i18n_first_of("de, it"));
	assert_null(i18n_first_of(""));
	assert_null(i18n_first_of(NULL));
	assert_null(i18n_find("fr-CH"));
	assert_true(i18n_find("AR")->rtl);
	assert_false(i18n_find("fr")->rtl);
}

static void test_each_catalogue_translates_the_chrome(void **state)
{
	(void)state;
	assert_string_equal(i18n_text("fr", "Search"), "Rechercher");
	assert_string_equal(i18n_text("es", "Search"), "Buscar");
	assert_string_equal(i18n_text("ru", "Search"), "\u041f\u043e\u0438\u0441\u043a");
	assert_string_equal(i18n_text("zh", "Search"), "\u641c\u7d22");
	assert_string_equal(i18n_text("ar", "Search"), "\u0628\u062d\u062b");
	assert_string_equal(i18n_text("en", "Search"), "Search");
	/* Not offered, or no catalogue has it: the English msgid itself. */
	const char *msgid = "No catalogue has this sentence.";
	assert_ptr_equal(i18n_text("fr", msgid), msgid);
	assert_ptr_equal(i18n_text("de", msgid), msgid);
	assert_string_equal(i18n_text("de", "Search"), "Search");
	assert_string_equal(i18n_text(NULL, "Search"), "Search");
	/* The thread's language for _(). */
	i18n_use("fr");
	assert_string_equal(_("Log in"), "Se connecter");
	i18n_use(NULL);
	assert_string_equal(_("Log in"), "Log in");
}

static void test_pseudo_locale_brackets_and_lengthens(void **state)
{
	(void)state;
#ifdef CONSULTA_PSEUDO_LOCALE
	const char *s = i18n_text(I18N_PSEUDO, "Privacy notice: what is kept, what is published and who to ask.");
	const size_t english = strlen("Privacy notice: what is kept, what is published and who to ask.");
	assert_int_equal(s[0], '[');
	assert_int_equal(s[strlen(s) - 1], ']');
	size_t chars = 0; /* in characters, not bytes: the pseudo-locale's letters are accented */
	for (const char *p = s; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	assert_true(chars >= english * 14 / 10);
	/* Its format directives are kept, so that it formats as English does. */
	assert_non_null(strstr(i18n_text(I18N_PSEUDO, TOO_LARGE), "%zu"));
#else
	skip();
#endif
}

/* The form for n, by its distinctive word. */
static void assert_plural(const char *lang, unsigned long n, const char *word)
{
	const char *s = i18n_plural(lang, TOO_LARGE, TOO_LARGE, n);
	if (!strstr(s, word))
		fail_msg("%s, n=%lu: \"%s\" lacks \"%s\"", lang, n, s, word);
}

static void test_plural_forms_of_each_language(void **state)
{
	(void)state;
	/* Arabic's six: 0, 1, 2, 3-10, 11-99, 100-102 (then again by n % 100). */
	const char *ar_few = "\u0643\u064a\u0644\u0648\u0628\u0627\u064a\u062a\u0627\u062a";  /* kilobaytat */
	const char *ar_many = "\u0643\u064a\u0644\u0648\u0628\u0627\u064a\u062a\u064b\u0627"; /* kilobaytan */
	for (unsigned long n = 3; n <= 10; n++)
		assert_plural("ar", n, ar_few);
	assert_plural("ar", 103, ar_few);
	for (unsigned long n = 11; n <= 99; n += 11)
		assert_plural("ar", n, ar_many);
	assert_plural("ar", 5120, ar_many);
	assert_null(strstr(i18n_plural("ar", TOO_LARGE, TOO_LARGE, 100), ar_few));
	assert_null(strstr(i18n_plural("ar", TOO_LARGE, TOO_LARGE, 100), ar_many));
	assert_null(strstr(i18n_plural("ar", TOO_LARGE, TOO_LARGE, 2), ar_few));
	/* Russian's three: 1 and 21 kilobayt, 2-4 and 22 kilobayta, 5-20 and 11 kilobayt. */
	assert_plural("ru", 2, "\u043a\u0438\u043b\u043e\u0431\u0430\u0439\u0442\u0430;");
	assert_plural("ru", 22, "\u043a\u0438\u043b\u043e\u0431\u0430\u0439\u0442\u0430;");
	assert_plural("ru", 1, "\u043a\u0438\u043b\u043e\u0431\u0430\u0439\u0442;");
	assert_plural("ru", 11, "\u043a\u0438\u043b\u043e\u0431\u0430\u0439\u0442;");
	assert_plural("ru", 5120, "\u043a\u0438\u043b\u043e\u0431\u0430\u0439\u0442;");
	/* French: 0 and 1 are singular; Spanish: only 1. */
	assert_plural("fr", 0, "kilooctet\u202f;");
	assert_plural("fr", 1, "kilooctet\u202f;");
	assert_plural("fr", 2, "kilooctets");
	assert_plural("es", 0, "kilobytes");
	assert_plural("es", 1, "kilobyte;");
	/* Chinese has one form; English two, and an unknown language falls back to them. */
	assert_plural("zh", 1, "KB");
	assert_plural("zh", 5120, "KB");
	assert_ptr_equal(i18n_plural("de", "one", "many", 1), "one");
	assert_string_equal(i18n_plural("de", "one", "many", 0), "many");
}

struct worker {
	const char *lang;
	const char *expect;
	int wrong;
};

static void *translate_many(void *arg)
{
	struct worker *w = arg;
	i18n_use(w->lang);
	for (int i = 0; i < 20000; i++)
		if (strcmp(_("Search"), w->expect) || strcmp(i18n_text("en", "Search"), "Search"))
			w->wrong++;
	return NULL;
}

static void test_threads_in_different_languages_at_once(void **state)
{
	(void)state;
	struct worker w[] = {
	    {"fr", "Rechercher", 0}, {"es", "Buscar", 0}, {"zh", "\u641c\u7d22", 0}, {"ar", "\u0628\u062d\u062b", 0}};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, translate_many, &w[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].wrong, 0);
	}
}

int main(void)
{
	unsetenv("LANGUAGE"); /* as main() does: it would override every lookup */
	if (i18n_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_language_by_q_value_then_order),
	    cmocka_unit_test(test_first_language_of_a_process),
	    cmocka_unit_test(test_each_catalogue_translates_the_chrome),
	    cmocka_unit_test(test_pseudo_locale_brackets_and_lengthens),
	    cmocka_unit_test(test_plural_forms_of_each_language),
	    cmocka_unit_test(test_threads_in_different_languages_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
