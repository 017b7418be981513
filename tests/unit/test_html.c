/* The HTML writer: ordinary text is always escaped; only %R is raw. */
#include "render/html.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/i18n.h"

static void test_text_is_escaped(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	html_printf(&b, "<p title=\"%s\">%s</p>", "\"><script>", "<b>&'x'</b>");
	assert_string_equal(b.data, "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;b&gt;&amp;&#39;x&#39;&lt;/b&gt;</p>");
	buf_free(&b);
}

static void test_url_and_numbers_and_raw(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	html_printf(&b, "<a href=\"/p/%u?x=%d&y=%L\">%R</a>%%", "a b/\"c", -5, 1234567890123LL, "<em>ok</em>");
	assert_string_equal(b.data, "<a href=\"/p/a%20b%2F%22c?x=-5&y=1234567890123\"><em>ok</em></a>%");
	buf_free(&b);
}

static void test_null_prints_nothing_and_ceiling_holds(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 8);
	html_printf(&b, "[%s]", (const char *)NULL);
	assert_string_equal(b.data, "[]");
	html_printf(&b, "%s", "a long string past the ceiling");
	assert_true(b.failed);
	assert_true(b.len <= 8);
	buf_free(&b);
}

/* buf_printf formats once into the buffer's room, or into a stack buffer of 1 KB when the room is smaller, or
 * measures and formats again when the text is longer: each way gives the same bytes, and the ceiling holds. */
static void test_buf_printf_across_its_buffers(void **state)
{
	(void)state;
	char big[3001];
	for (size_t i = 0; i < sizeof big - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof big - 1] = '\0';
	struct buf b, want;
	buf_init(&b, 1 << 20);
	buf_init(&want, 1 << 20);
	const int lens[] = {0, 1, 200, 1022, 1023, 1024, 1025, 2047, 2048, 3000};
	for (int round = 0; round < 3; round++)
		for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
			assert_int_equal(buf_printf(&b, "<%d:%.*s>", lens[k], lens[k], big), 0);
			char head[16];
			snprintf(head, sizeof head, "<%d:", lens[k]);
			buf_puts(&want, head);
			buf_append(&want, big, (size_t)lens[k]);
			buf_puts(&want, ">");
		}
	assert_false(b.failed);
	assert_int_equal(b.len, want.len);
	assert_memory_equal(b.data, want.data, want.len);
	assert_int_equal(strlen(b.data), b.len);
	buf_free(&b);
	buf_free(&want);
	/* past the ceiling, from the stack buffer and from the buffer's own room */
	buf_init(&b, 1500);
	assert_int_equal(buf_printf(&b, "%.*s", 1000, big), 0);
	assert_int_equal(buf_printf(&b, "%.*s", 600, big), -1);
	assert_true(b.failed);
	assert_true(b.len <= 1500);
	buf_free(&b);
}

/* A French catalogue of our own, compiled by msgfmt as the build compiles po/fr.po, so that the sentences
 * below are translated however po/ changes. Written without "#, c-format": msgfmt then lets through the
 * misfitting translations that html_tr() itself must refuse. */
static const char test_catalogue[] =
	"msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n\n"
	"msgid \"Sent by %s on %s\"\nmsgstr \"Le %2$s, envoy\xc3\xa9 par <b>%1$s</b>\"\n\n"
	"msgid \"Read <a href=\\\"%s\\\">the text</a> first\"\nmsgstr \"Lisez d'abord <a href=\\\"%1$s\\\">le texte</a>\"\n\n"
	"msgid \"%d of %s\"\nmsgstr \"%s de %d\"\n\n"          /* the kinds swapped without positions: refused */
	"msgid \"Page %d\"\nmsgstr \"Page %d sur %d\"\n\n"    /* a value that does not exist: refused */
	"msgid \"For %s and %s\"\nmsgstr \"Pour %1$s\"\n\n"    /* a value left out: refused */
	"msgid \"%d comment\"\nmsgid_plural \"%d comments\"\nmsgstr[0] \"un commentaire\"\nmsgstr[1] \"%d commentaires\"\n";

static char test_dir[] = "/tmp/consulta-test-html-XXXXXX";

static int catalogue_setup(void **state)
{
	(void)state;
	if (!mkdtemp(test_dir))
		return -1;
	char path[256], cmd[600];
	snprintf(path, sizeof path, "%s/C", test_dir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/C/LC_MESSAGES", test_dir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/fr.po", test_dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(test_catalogue, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "msgfmt -o %s/C/LC_MESSAGES/consulta-fr.mo %s", test_dir, path);
	if (system(cmd) != 0)
		return -1;
	setenv("CONSULTA_LOCALEDIR", test_dir, 1);
	unsetenv("LANGUAGE");
	if (i18n_init() != 0)
		return -1;
	i18n_use("fr");
	return 0;
}

static int catalogue_teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", test_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_translated_sentence_reorders_and_escapes(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	html_tr(&b, "Sent by %s on %s", "<Ana>", "1 mai");
	assert_string_equal(b.data, "Le 1 mai, envoy\xc3\xa9 par <b>&lt;Ana&gt;</b>");
	buf_reset(&b);
	html_tr(&b, "Read <a href=\"%s\">the text</a> first", "/v/1?a=\"b\"");
	assert_string_equal(b.data, "Lisez d'abord <a href=\"/v/1?a=&quot;b&quot;\">le texte</a>");
	buf_free(&b);
}

static void test_misfit_translation_falls_back_to_english(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	html_tr(&b, "%d of %s", 3, "<x>");
	assert_string_equal(b.data, "3 of &lt;x&gt;");
	buf_reset(&b);
	html_tr(&b, "Page %d", 2);
	assert_string_equal(b.data, "Page 2");
	buf_reset(&b);
	html_tr(&b, "For %s and %s", "a", "b");
	assert_string_equal(b.data, "For a and b");
	buf_reset(&b);
	html_tr(&b, "Not in the catalogue: %s", "<y>");
	assert_string_equal(b.data, "Not in the catalogue: &lt;y&gt;");
	buf_free(&b);
}

static void test_translated_plural_may_leave_the_number_out(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	html_tr_n(&b, "%d comment", "%d comments", 1, 1);
	assert_string_equal(b.data, "un commentaire");
	buf_reset(&b);
	html_tr_n(&b, "%d comment", "%d comments", 5, 5);
	assert_string_equal(b.data, "5 commentaires");
	buf_reset(&b);
	i18n_use("en");
	html_tr_n(&b, "%d comment", "%d comments", 1, 1);
	assert_string_equal(b.data, "1 comment");
	i18n_use("fr");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_is_escaped),
		cmocka_unit_test(test_buf_printf_across_its_buffers),
		cmocka_unit_test(test_url_and_numbers_and_raw),
		cmocka_unit_test(test_null_prints_nothing_and_ceiling_holds),
		cmocka_unit_test(test_translated_sentence_reorders_and_escapes),
		cmocka_unit_test(test_misfit_translation_falls_back_to_english),
		cmocka_unit_test(test_translated_plural_may_leave_the_number_out),
	};
	return cmocka_run_group_tests_name("html", tests, catalogue_setup, catalogue_teardown);
}
