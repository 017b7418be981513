/* The language a contribution was written in: a declared tag made canonical, else detected by libexttextcat. */
#include "core/language.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

static void test_declared_tags_are_made_canonical(void **state)
{
	(void)state;
	char out[LANGUAGE_TAG_LEN];
	assert_true(language_tag_normalize("FR", out));
	assert_string_equal(out, "fr");
	assert_true(language_tag_normalize("pt-br", out));
	assert_string_equal(out, "pt-BR");
	assert_true(language_tag_normalize("es_419", out));
	assert_string_equal(out, "es-419");
	assert_true(language_tag_normalize("ast", out));
	assert_string_equal(out, "ast");
	const char *bad[] = {"", "f", "fren", "fr-", "fr-FRA", "fr-1", "fr;q=1", "fr-CH-x", "<b>", "1a"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_false(language_tag_normalize(bad[i], out));
		assert_string_equal(out, "");
	}
	assert_false(language_tag_normalize(NULL, out));
}

static void detects(const char *text, const char *lang)
{
	char out[LANGUAGE_TAG_LEN];
	assert_int_equal(language_detect(text, strlen(text), out), 0);
	assert_string_equal(out, lang);
}

static void test_each_offered_language_is_recognised(void **state)
{
	(void)state;
	detects("Nous estimons que le projet de recommandation devrait mieux tenir compte des besoins des petites "
		"entreprises et des pays en développement, notamment en ce qui concerne les délais de mise en œuvre.",
		"fr");
	detects("We believe that the draft recommendation should take better account of the needs of small businesses "
		"and developing countries, in particular as regards the implementation deadlines.",
		"en");
	detects("Consideramos que el proyecto de recomendación debería tener más en cuenta las necesidades de las "
		"pequeñas empresas y de los países en desarrollo, en particular en lo que respecta a los plazos.",
		"es");
	detects("Мы считаем, что проект рекомендации должен в большей степени учитывать потребности малых предприятий "
		"и развивающихся стран, в частности в отношении сроков осуществления.",
		"ru");
	detects("نرى أن مشروع التوصية ينبغي أن يراعي بشكل أفضل احتياجات المؤسسات الصغيرة والبلدان النامية، ولا سيما "
		"فيما يتعلق بالمواعيد النهائية للتنفيذ.",
		"ar");
	detects("我们认为，建议草案应更好地考虑小企业和发展中国家的需要，特别是在执行期限方面。我们希望秘书处在下一版本中加以说明。",
		"zh");
}

static void test_too_short_or_empty_is_not_known(void **state)
{
	(void)state;
	detects("ok", "");
	detects("", "");
	char out[LANGUAGE_TAG_LEN] = "x";
	assert_int_equal(language_detect(NULL, 0, out), 0);
	assert_string_equal(out, "");
}

static void test_a_long_text_is_cut_at_a_character(void **state)
{
	(void)state;
	/* Past the bytes it reads, a text is cut where a character starts: Cyrillic is two bytes each. */
	char text[12001];
	const char *word = "правительство ";
	size_t n = 0, w = strlen(word);
	while (n + w < sizeof text) {
		memcpy(text + n, word, w);
		n += w;
	}
	text[n] = '\0';
	detects(text, "ru");
}

/* Threads classify at once, more of them than there are classifiers (each behind its lock), and each gets the
 * answer one thread alone gets: no classifier is used by two at a time, and none is lost. */
static const char *const SAMPLES[][2] = {
    {"Nous estimons que le projet de recommandation devrait mieux tenir compte des besoins des petites "
     "entreprises et des pays en développement.",
     "fr"},
    {"We believe that the draft recommendation should take better account of the needs of small businesses "
     "and developing countries.",
     "en"},
    {"Мы считаем, что проект рекомендации должен в большей степени учитывать потребности малых предприятий "
     "и развивающихся стран.",
     "ru"},
};
static atomic_int wrong_answers;

static void *classify_many(void *arg)
{
	const int first = (int)(intptr_t)arg;
	for (int i = 0; i < 40; i++) {
		const char *const *s = SAMPLES[(first + i) % 3];
		char out[LANGUAGE_TAG_LEN];
		if (language_detect(s[0], strlen(s[0]), out) != 0 || strcmp(out, s[1]) != 0)
			atomic_fetch_add(&wrong_answers, 1);
	}
	return NULL;
}

static void test_threads_classify_at_once(void **state)
{
	(void)state;
	enum { THREADS = 20 };
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, classify_many, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&wrong_answers), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_declared_tags_are_made_canonical),
	    cmocka_unit_test(test_each_offered_language_is_recognised),
	    cmocka_unit_test(test_too_short_or_empty_is_not_known),
	    cmocka_unit_test(test_a_long_text_is_cut_at_a_character),
	    cmocka_unit_test(test_threads_classify_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
