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

/* The site's pages: prose, nothing numbered, and no markup of the author's own. */
static void test_prose_is_not_numbered_and_stays_safe(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(markdown_render_prose("## Kept\n\nWe keep <b>little</b>.<script>alert(1)</script>\n\n"
					       "- one\n- two\n\n[x](javascript:alert(2)) [ask](mailto:dpo@example.org)\n",
					       &b),
			 0);
	assert_non_null(strstr(b.data, "<h2>Kept</h2>"));
	assert_non_null(strstr(b.data, "<li>one</li>"));
	assert_non_null(strstr(b.data, "<a href=\"mailto:dpo@example.org\">ask</a>"));
	assert_null(strstr(b.data, "id=\"p1\""));
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<b>"));
	assert_null(strstr(b.data, "javascript:"));
	buf_free(&b);
	/* a full buffer is an error, not a page cut short */
	struct buf small;
	buf_init(&small, 8);
	assert_int_equal(markdown_render_prose("A sentence longer than eight bytes.", &small), -1);
	buf_free(&small);
}

static void test_blocks_carry_text_source_and_take_the_ids_given(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *md = "# Title\n\nThe *first* paragraph,\non two lines.\n\n- one\n- two\n\n---\n\nLast.\n";
	struct markdown_block *blocks;
	int n;
	assert_int_equal(markdown_blocks(&a, md, &blocks, &n), 0);
	assert_int_equal(n, 6); /* heading, paragraph, two items, rule, paragraph */
	assert_false(blocks[0].numbered);
	assert_true(blocks[1].numbered);
	assert_string_equal(blocks[1].text, "The first paragraph,\non two lines.");
	assert_string_equal(blocks[1].source, "The *first* paragraph,\non two lines.");
	assert_int_equal(blocks[2].list, 1);
	assert_int_equal(blocks[3].list, 1);
	assert_string_equal(blocks[3].text, "two");
	assert_string_equal(blocks[3].source, "- two");
	assert_false(blocks[4].numbered);
	assert_int_equal(blocks[5].list, 0);
	/* The ids are the caller's; the numbers follow the order. */
	const char *ids[] = {"p7", "p2", "p9", "p12"};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(markdown_assemble(blocks, n, ids, &b), 4);
	assert_non_null(strstr(b.data, "<div class=\"para\" id=\"p12\"><a class=\"pnum\" href=\"#p12\" "
				       "aria-label=\"Paragraph 4\">4</a>"));
	assert_non_null(strstr(b.data, "<ul class=\"numbered-list\">\n<li><div class=\"para\" id=\"p2\">"));
	assert_non_null(strstr(b.data, "</li>\n</ul>\n<hr />"));
	buf_free(&b);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_are_numbered),
		cmocka_unit_test(test_raw_html_and_scripts_are_dropped),
		cmocka_unit_test(test_prose_is_not_numbered_and_stays_safe),
		cmocka_unit_test(test_blocks_carry_text_source_and_take_the_ids_given),
	};
	return cmocka_run_group_tests_name("markdown", tests, NULL, NULL);
}
