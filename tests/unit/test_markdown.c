/* Markdown: numbered paragraphs with stable ids, and no raw HTML gets through. */
#include "render/markdown.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void test_paragraphs_are_numbered(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1 << 20);
	const char *md = "## 1. Purpose\n\nFirst.\n\n1. One\n2. Two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
	int n = markdown_render(md, &b);
	assert_int_equal(n, 4);
	assert_non_null(strstr(b.data, "<h2>1. Purpose</h2>"));
	assert_non_null(strstr(b.data, "id=\"p1\""));
	assert_non_null(strstr(b.data, "id=\"p3\""));
	assert_non_null(strstr(b.data, "id=\"p4\""));
	assert_non_null(strstr(b.data, "<table>"));
	assert_null(strstr(b.data, "id=\"p5\""));
	/* Same source, same ids. */
	struct buf again;
	buf_init(&again, 1 << 20);
	markdown_render(md, &again);
	assert_string_equal(b.data, again.data);
	buf_free(&b);
	buf_free(&again);
}

static void test_raw_html_and_scripts_are_dropped(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1 << 20);
	markdown_render("Hello <script>alert(1)</script>\n\n<iframe src=x></iframe>\n\n[x](javascript:alert(1))\n", &b);
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<iframe"));
	assert_null(strstr(b.data, "javascript:"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_are_numbered),
		cmocka_unit_test(test_raw_html_and_scripts_are_dropped),
	};
	return cmocka_run_group_tests_name("markdown", tests, NULL, NULL);
}
