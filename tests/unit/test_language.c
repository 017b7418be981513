/* The language a contribution was written in: a declared tag made canonical, else recognised by CLD2. */
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

static void test_traditional_chinese_is_chinese(void **state)
{
	(void)state;
	/* CLD2 says "zh-Hant": the offered Chinese all the same */
	detects("我們認為，建議草案應更好地考慮小企業和發展中國家的需要，特別是在執行期限方面。我們希望秘書處在下一個版本中加以說明。",
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

static void test_addresses_and_numbers_are_no_language(void **state)
{
	(void)state;
	/* CLD2 alone reads each of these as reliable English: addresses, numbers and references are left out first,
	 * and what remains is too short to tell. */
	detects("https://consultation.example.org/calls/12/contributions?page=3&per_page=100", "");
	detects("kofi.mensah@example.org; ana.perez@example.org; olga@example.org", "");
	detects("www.example.org www.example.net ftp.example.com git.example.org/consulta.git", "");
	detects("Thanks: https://consultation.example.org/calls/12/contributions/3", "");
	detects("+41 22 730 54 17 / +41 22 730 61 12 / +254 20 123 4567", "");
	detects("CL-20/55 CL-20/18 2020-12-23 2021-02-15 ITU-T Y.3172 ISO 3166-1", "");
	detects("Preetam Maloor, Kofi Mensah, Ana P\u00e9rez, Olga Ivanova, Li Wei, Fatima Haddad", "");
	/* and an address inside a sentence leaves the sentence, Chinese written against it included */
	detects("\u6211\u4eec\u5efa\u8bae\u79d8\u4e66\u5904\u5728\u7f51\u7ad9https://consultation.example.org/"
		"calls/12/contributions\u4e0a\u516c\u5e03\u6240\u6709\u7b54\u590d\uff0c\u5e76\u5728\u4e0b\u6b21"
		"\u4f1a\u8bae\u524d\u8bf4\u660e\u5982\u4f55\u8003\u8651\u8fd9\u4e9b\u610f\u89c1\u3002",
		"zh");
}

static void test_a_language_not_offered_is_not_known(void **state)
{
	(void)state;
	/* not the nearest offered language (libexttextcat among the six said English or Spanish) */
	detects("Wir sind der Meinung, dass der Entwurf die Bed\u00fcrfnisse kleiner Unternehmen st\u00e4rker "
		"ber\u00fccksichtigen sollte.",
		"");
	detects("Consideramos que o projeto deveria ter mais em conta as necessidades das pequenas empresas e dos "
		"munic\u00edpios.",
		"");
}

static void test_a_text_with_some_english_words_is_in_its_own_language(void **state)
{
	(void)state;
	/* Mostly Arabic, with English terms: CLD2 does not call it reliable, yet Arabic holds most of its letters. */
	detects("\u0646\u0631\u0649 \u0623\u0646 \u0645\u0634\u0631\u0648\u0639 \u0627\u0644\u062a\u0648\u0635"
		"\u064a\u0629 \u064a\u062c\u0628 \u0623\u0646 \u064a\u0633\u062a\u062e\u062f\u0645 version "
		"\u0623\u0648 meeting \u0623\u0648 deadline \u0623\u0648 presentation \u0641\u064a \u0643\u0644 "
		"\u0645\u0631\u062d\u0644\u0629 \u0645\u0646 \u0645\u0631\u0627\u062d\u0644 \u0627\u0644\u0639"
		"\u0645\u0644\u064a\u0629.",
		"ar");
	/* mostly French, with a sentence in English */
	detects("Nous soutenons le projet, notamment le deuxi\u00e8me chapitre sur les r\u00e9seaux communautaires et "
		"le r\u00f4le des collectivit\u00e9s locales dans leur financement. Our English partners agree with this. "
		"Nous demandons que le secr\u00e9tariat publie les r\u00e9ponses de chaque \u00c9tat membre.",
		"fr");
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

/* Threads classify at once, as the checks of `consulta import` and of the server's request threads do, with no
 * lock (CLD2's tables are constant): each gets the answer one thread alone gets, and the sanitizers see no race
 * in the bridge's buffers. */
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
	    cmocka_unit_test(test_traditional_chinese_is_chinese),
	    cmocka_unit_test(test_too_short_or_empty_is_not_known),
	    cmocka_unit_test(test_addresses_and_numbers_are_no_language),
	    cmocka_unit_test(test_a_language_not_offered_is_not_known),
	    cmocka_unit_test(test_a_text_with_some_english_words_is_in_its_own_language),
	    cmocka_unit_test(test_a_long_text_is_cut_at_a_character),
	    cmocka_unit_test(test_threads_classify_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
