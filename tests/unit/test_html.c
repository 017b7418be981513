/* The HTML writer: ordinary text is always escaped; only %R is raw. */
#include "render/html.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_is_escaped),
		cmocka_unit_test(test_url_and_numbers_and_raw),
		cmocka_unit_test(test_null_prints_nothing_and_ceiling_holds),
	};
	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
