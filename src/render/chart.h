/*
 * chart — bar charts drawn on the server as inline SVG, each with a table of
 * the same numbers.
 *
 * A chart reads without JavaScript and without colour: it is an
 * <svg role="img" aria-labelledby> whose <title> and <desc> say what it shows
 * and its numbers (the total included); every bar has its label and its
 * number drawn as text; the parts of a stacked bar differ by pattern as well
 * as by colour, and are named in a legend with their numbers. Colours are
 * dark enough on white for text and shapes alike (4.5:1 or more). The size is
 * a viewBox, so the chart scales to the width it is given (a phone's 390 px
 * included); the stylesheet gives .chart svg its width. All text is escaped
 * (html_printf's %s), labels and titles included.
 *
 * The table (chart_table) is what screen readers and print rely on: a page
 * shows each chart with it (chart_figure does both).
 */
#ifndef CONSULTA_RENDER_CHART_H
#define CONSULTA_RENDER_CHART_H

#include "util/buf.h"

#include <stdint.h>

/* One bar, or one part of a stacked bar. */
struct chart_bar {
	const char *label; /* text for people; long ones are shortened in the drawing, never in the table */
	int64_t value;     /* >= 0; a negative value is drawn as 0 */
};

struct chart {
	const char *id;    /* unique in the page, letters, digits and '-': the prefix of the chart's element ids */
	const char *title; /* what it shows: <title>, the figure's caption and the table's */
	const char *label_heading, *value_heading; /* the table's column headings ("Category", "Contributions") */
	const struct chart_bar *bars;
	int n;
};

enum chart_kind {
	CHART_BARS,    /* one horizontal bar per item, longest = largest */
	CHART_STACKED, /* one bar split in parts (at most CHART_PARTS_MAX), with a legend */
	CHART_COLUMNS, /* a series in its order (days): one column each, the first and last labelled; the
	                * description names only the items above 0 */
};
enum { CHART_PARTS_MAX = 4, CHART_WIDTH = 400 };

/* The sum of c's values (negative ones as 0). */
int64_t chart_total(const struct chart *c);

/* Appends c drawn as kind to b: one <svg> element. A chart with no bars, or whose values are all 0, is
 * drawn as a short text saying so (and its bars with 0). Parts of a stacked chart past CHART_PARTS_MAX are
 * drawn with the last pattern. Errors are b's (b->failed). */
void chart_svg(struct buf *b, const struct chart *c, enum chart_kind kind);

/* Appends c's numbers as a <table> with a caption, one row per bar with its share of the total, and the
 * total in a footer row. */
void chart_table(struct buf *b, const struct chart *c);

/* Appends <figure class="chart"> holding the title as a caption, the drawing and the table. */
void chart_figure(struct buf *b, const struct chart *c, enum chart_kind kind);

#endif
