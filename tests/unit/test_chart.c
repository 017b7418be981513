/* The server-drawn charts: labelled, escaped, sane with no, zero, one and long values, totals in words
 * and in the table. */
#include "render/chart.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static char *draw(struct buf *b, const struct chart *c, enum chart_kind kind)
{
	buf_init(b, 1 << 20);
	chart_figure(b, c, kind);
	assert_false(b->failed);
	assert_non_null(b->data);
	return b->data;
}

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_labels_and_titles_are_escaped(void **state)
{
	(void)state;
	struct chart_bar bars[] = {{"<script>alert(1)</script>", 3}, {"A & \"B\"", 1}};
	struct chart c = {"c1", "Per <category>", "Category", "Contributions", bars, 2};
	for (int kind = CHART_BARS; kind <= CHART_COLUMNS; kind++) {
		struct buf b;
		const char *s = draw(&b, &c, (enum chart_kind)kind);
		assert_null(strstr(s, "<script"));
		assert_null(strstr(s, "<category>"));
		assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
		assert_non_null(strstr(s, "A &amp; &quot;B&quot;"));
		assert_non_null(strstr(s, "<title id=\"c1-title\">Per &lt;category&gt;</title>"));
		buf_free(&b);
	}
}

static void test_svg_is_an_image_with_title_desc_and_table(void **state)
{
	(void)state;
	struct chart_bar bars[] = {{"Governments", 5}, {"Civil society", 2}, {"Academia", 0}};
	struct chart c = {"cat", "Contributions by category", "Category", "Contributions", bars, 3};
	struct buf b;
	const char *s = draw(&b, &c, CHART_BARS);
	assert_non_null(strstr(s, "role=\"img\""));
	assert_non_null(strstr(s, "aria-labelledby=\"cat-title cat-desc\""));
	assert_non_null(strstr(s, "viewBox=\"0 0 400 "));
	/* sized by its viewBox, not in pixels */
	assert_non_null(
	    strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" viewBox=\"0 0 400 136\" "));
	/* the numbers drawn as text, and said in words with the total */
	assert_non_null(strstr(s, "font-weight=\"bold\">5</text>"));
	assert_non_null(strstr(s, "font-weight=\"bold\">0</text>"));
	assert_non_null(
	    strstr(s, "<desc id=\"cat-desc\">Governments: 5; Civil society: 2; Academia: 0. Total: 7.</desc>"));
	/* the bar of 0 is not drawn, the largest spans the room left of its number */
	assert_int_equal(count(s, "<rect x="), 2);
	assert_non_null(strstr(s, "width=\"320\" height=\"14\""));
	/* the table: caption, one row per bar with its share, the total */
	assert_non_null(strstr(s, "<caption>Contributions by category</caption>"));
	assert_non_null(
	    strstr(s, "<th scope=\"row\">Governments</th><td class=\"number\">5</td><td class=\"number\">71%</td>"));
	assert_non_null(
	    strstr(s, "<th scope=\"row\">Academia</th><td class=\"number\">0</td><td class=\"number\">0%</td>"));
	assert_non_null(strstr(s, "<tfoot><tr><th scope=\"row\">Total</th><td class=\"number\">7</td>"));
	buf_free(&b);
}

static void test_nothing_and_all_zero(void **state)
{
	(void)state;
	struct chart_bar zero[] = {{"Accepted", 0}, {"Noted", 0}};
	struct chart none = {"n", "Nothing", "What", "How many", NULL, 0};
	struct chart zeros = {"z", "Zeros", "What", "How many", zero, 2};
	for (int kind = CHART_BARS; kind <= CHART_STACKED; kind++) {
		struct buf b;
		const char *s = draw(&b, &none, (enum chart_kind)kind);
		assert_non_null(strstr(s, "Nothing to count yet."));
		assert_non_null(strstr(s, "Total: 0.</desc>"));
		buf_free(&b);
		s = draw(&b, &zeros, (enum chart_kind)kind);
		assert_null(strstr(s, "nan"));
		assert_non_null(strstr(s, "Accepted: 0; Noted: 0. Total: 0.</desc>"));
		assert_non_null(strstr(s, "<td class=\"number\">0</td><td class=\"number\">0%</td></tr></tfoot>"));
		buf_free(&b);
	}
}

static void test_one_value_and_stacked_parts(void **state)
{
	(void)state;
	struct chart_bar one[] = {{"Only", 1}};
	struct chart c = {"o", "One", "What", "How many", one, 1};
	struct buf b;
	const char *s = draw(&b, &c, CHART_BARS);
	assert_non_null(strstr(s, "width=\"320\" height=\"14\""));
	assert_non_null(strstr(s, "<td class=\"number\">1</td><td class=\"number\">100%</td>"));
	buf_free(&b);

	struct chart_bar parts[] = {{"Accepted", 1}, {"Accepted in part", 1}, {"Not accepted", 1}, {"Noted", 1}};
	struct chart d = {"d", "Decisions", "Decision", "Comments", parts, 4};
	s = draw(&b, &d, CHART_STACKED);
	/* the parts differ by pattern, not colour alone, and are named with their numbers in a legend */
	assert_int_equal(count(s, "<pattern id=\"d-p"), 3);
	assert_non_null(strstr(s, "fill=\"url(#d-p3)\""));
	assert_non_null(strstr(s, "Not accepted: <tspan font-weight=\"bold\">1</tspan> (25%)"));
	/* the parts fill the bar exactly: the last one ends at the right edge (8 + 384) */
	assert_non_null(strstr(s, "<rect x=\"296\" y=\"8\" width=\"96\" height=\"28\""));
	buf_free(&b);
}

static void test_long_labels_are_shortened_in_the_drawing_only(void **state)
{
	(void)state;
	/* 40 two-byte characters: the cut falls inside one unless it is made at a character's edge */
	char label[200];
	for (int i = 0; i < 40; i++)
		memcpy(label + 2 * i, "\xc3\xa9", 2); /* é */
	memcpy(label + 80, " END", 5);
	struct chart_bar bars[] = {{label, 2}};
	struct chart c = {"l", "Long", "What", "How many", bars, 1};
	struct buf b;
	const char *s = draw(&b, &c, CHART_BARS);
	const char *text = strstr(s, "fill=\"#1b1f24\">");
	assert_non_null(text);
	text += strlen("fill=\"#1b1f24\">");
	const char *end = strstr(text, "</text>");
	assert_non_null(end);
	/* 24 whole characters (48 bytes) then the ellipsis */
	assert_int_equal(end - text, 48 + 3);
	assert_memory_equal(end - 3, "\xe2\x80\xa6", 3);
	/* the table and the description keep the whole label */
	assert_int_equal(count(s, " END"), 3); /* the description, the bar's own title, the table's row */
	buf_free(&b);
}

/* A series of days: one column for each day above 0, the description names those days only, the scale says
 * the largest value, the ends are labelled, and the table has every day. */
static void test_columns_of_days(void **state)
{
	(void)state;
	struct chart_bar days[] = {{"2021-02-01", 3}, {"2021-02-02", 0}, {"2021-02-03", 2}, {"2021-02-04", 1}};
	struct chart c = {"d", "Per day", "Day", "Contributions", days, 4};
	struct buf b;
	const char *s = draw(&b, &c, CHART_COLUMNS);
	assert_non_null(strstr(s, "role=\"img\""));
	assert_non_null(strstr(s, "viewBox=\"0 0 400 "));
	assert_non_null(strstr(s,
	                       "<desc id=\"d-desc\">From 2021-02-01 to 2021-02-04, 4 in all; those with none are left "
	                       "out. 2021-02-01: 3; 2021-02-03: 2; 2021-02-04: 1. Total: 6.</desc>"));
	assert_int_equal(count(s, "<rect x="), 3); /* the days above 0 */
	assert_non_null(strstr(s, "<title>2021-02-03: 2</title>"));
	assert_non_null(strstr(s, ">2021-02-01</text>"));
	assert_non_null(strstr(s, ">2021-02-04</text>"));
	assert_non_null(strstr(s, "<tr><th scope=\"row\">2021-02-02</th><td class=\"number\">0</td>"));
	/* the tallest column is the largest value's, PLOT high; the others in proportion */
	assert_non_null(strstr(s, "height=\"120\" fill=\"#0b5cad\"><title>2021-02-01: 3</title>"));
	assert_non_null(strstr(s, "height=\"80\" fill=\"#0b5cad\"><title>2021-02-03: 2</title>"));
	buf_free(&b);
	/* more days than units: every column stays at least 1 wide and inside the drawing */
	static struct chart_bar many[1000];
	for (int i = 0; i < 1000; i++)
		many[i] = (struct chart_bar){"day", i % 7};
	struct chart m = {"m", "Many", "Day", "Contributions", many, 1000};
	s = draw(&b, &m, CHART_COLUMNS);
	assert_null(strstr(s, "width=\"0\""));
	assert_null(strstr(s, "width=\"-"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_labels_and_titles_are_escaped),
	    cmocka_unit_test(test_svg_is_an_image_with_title_desc_and_table),
	    cmocka_unit_test(test_nothing_and_all_zero),
	    cmocka_unit_test(test_one_value_and_stacked_parts),
	    cmocka_unit_test(test_long_labels_are_shortened_in_the_drawing_only),
	    cmocka_unit_test(test_columns_of_days),
	};
	return cmocka_run_group_tests_name("chart", tests, NULL, NULL);
}
