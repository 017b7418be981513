/* chart — see chart.h. */
#include "render/chart.h"
#include "render/html.h"
#include "util/i18n.h"
#include "util/utf8.h"

#include <stdbool.h>
#include <string.h>

/* The drawing's measures, in viewBox units (CHART_WIDTH wide). */
enum {
	PAD = 8,
	ROW = 40,         /* one bar: its label above, the bar and its number below */
	BAR = 14,         /* a bar's thickness */
	FONT = 14,        /* text size */
	NUMBER_ROOM = 64, /* kept right of the longest bar for its number */
	LABEL_BYTES = 52, /* labels longer than this are shortened in the drawing (at a character's edge) */
	STACK = 28,       /* the stacked bar's thickness */
	LEGEND_ROW = 24,
	PLOT = 120, /* the columns' height at the largest value */
	AXIS = 34,  /* below the columns: the first and last labels */
};

/* Dark on white, 4.5:1 or more each: ink, a bar, and the four parts of a stacked bar (decisions: green,
 * blue, red, grey, in the order of enum disposition_decision, which the caller follows). */
static const char INK[] = "#1b1f24", BAR_FILL[] = "#0b5cad";
static const char *const PART_FILL[CHART_PARTS_MAX] = {"#0f6b2f", "#0b5cad", "#a4161a", "#4a5360"};

static int64_t value_of(const struct chart_bar *bar)
{
	return bar->value > 0 ? bar->value : 0;
}

int64_t chart_total(const struct chart *c)
{
	int64_t total = 0;
	for (int i = 0; i < c->n; i++)
		total += value_of(&c->bars[i]);
	return total;
}

/* The share of value in total, in whole percent, rounded (0 when total is 0). */
static int percent(int64_t value, int64_t total)
{
	if (total <= 0)
		return 0;
	return (int)((value * 200 + total) / (total * 2));
}

/* The label as drawn: shortened with an ellipsis past LABEL_BYTES. */
static void put_label(struct buf *b, const char *label)
{
	if (!label)
		label = "";
	size_t n = strlen(label);
	if (n <= LABEL_BYTES) {
		html_printf(b, "%s", label);
		return;
	}
	size_t cut = utf8_prefix(label, LABEL_BYTES - 3);
	char piece[LABEL_BYTES]; /* the prefix, NUL-terminated for %s */
	memcpy(piece, label, cut);
	piece[cut] = '\0';
	html_printf(b, "%s\u2026", piece);
}

/* <svg ...><title/><desc/>: the opening every chart shares; desc says the numbers in words (only those above 0
 * when skip_zeros: a series of days says its days with some, the table has them all). direction="ltr": a chart
 * is drawn left to right (its axis, its bars, its labels' text-anchor); inherited from a right-to-left page, its
 * labels were laid out from their other end, out of the drawing. An Arabic label still reads right to left. */
static void open_svg(struct buf *b, const struct chart *c, int height, bool skip_zeros)
{
	int64_t total = chart_total(c);
	html_printf(b,
	            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" viewBox=\"0 0 %d %d\" "
	            "preserveAspectRatio=\"xMinYMin meet\" direction=\"ltr\" role=\"img\" aria-labelledby=\"%s-title %s-desc\" "
	            "font-family=\"system-ui, sans-serif\" font-size=\"%d\">\n<title id=\"%s-title\">%s</title>\n"
	            "<desc id=\"%s-desc\">",
	            CHART_WIDTH, height, c->id, c->id, FONT, c->id, c->title, c->id);
	bool said = false;
	if (skip_zeros && c->n) {
		/* TRANSLATORS: a chart's description for screen readers: its first and last day, how many days. */
		html_tr(b, "From %s to %s, %d in all; those with none are left out.", c->bars[0].label,
		        c->bars[c->n - 1].label, c->n);
		html_printf(b, " ");
	}
	for (int i = 0; i < c->n; i++) {
		if (skip_zeros && value_of(&c->bars[i]) == 0)
			continue;
		html_printf(b, "%s", said ? "; " : "");
		/* TRANSLATORS: one bar of a chart, said to screen readers: its label and its value. */
		html_tr(b, "%s: %L", c->bars[i].label, (long long)value_of(&c->bars[i]));
		said = true;
	}
	html_printf(b, "%s", said ? ". " : "");
	/* TRANSLATORS: the sum of a chart's values, said to screen readers. */
	html_tr(b, "Total: %L.", (long long)total);
	html_printf(b, "</desc>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", CHART_WIDTH, height);
}

static void bars_svg(struct buf *b, const struct chart *c)
{
	int64_t max = 0;
	for (int i = 0; i < c->n; i++)
		if (value_of(&c->bars[i]) > max)
			max = value_of(&c->bars[i]);
	int height = c->n ? 2 * PAD + c->n * ROW : 2 * PAD + ROW;
	open_svg(b, c, height, false);
	if (c->n == 0)
		html_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", PAD, PAD + FONT + 4, INK,
		            _("Nothing to count yet."));
	const int span = CHART_WIDTH - 2 * PAD - NUMBER_ROOM;
	for (int i = 0; i < c->n; i++) {
		int64_t v = value_of(&c->bars[i]);
		int y = PAD + i * ROW;
		/* a value above 0 is never drawn thinner than 1 unit, so that it does not look like 0 */
		int w = max > 0 ? (int)(v * span / max) : 0;
		if (v > 0 && w < 1)
			w = 1;
		html_printf(b, "<g><title>%s: %L</title>\n<text x=\"%d\" y=\"%d\" fill=\"%s\">", c->bars[i].label,
		            (long long)v, PAD, y + FONT, INK);
		put_label(b, c->bars[i].label);
		html_printf(b, "</text>\n");
		if (w > 0)
			html_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", PAD,
			            y + 20, w, BAR, BAR_FILL);
		html_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\" font-weight=\"bold\">%L</text>\n</g>\n",
		            PAD + w + 6, y + 20 + BAR - 2, INK, (long long)v);
	}
	html_printf(b, "</svg>\n");
}

/* The patterns that tell the parts apart without colour: plain, stripes, cross-hatch, dots. */
static void part_patterns(struct buf *b, const char *id)
{
	html_printf(b, "<defs>\n");
	for (int k = 1; k < CHART_PARTS_MAX; k++) {
		html_printf(b,
		            "<pattern id=\"%s-p%d\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
		            "<rect width=\"8\" height=\"8\" fill=\"%s\"/>",
		            id, k, PART_FILL[k]);
		if (k == 1)
			html_printf(b,
			            "<path d=\"M0 8L8 0M-2 2L2 -2M6 10L10 6\" stroke=\"#ffffff\" stroke-width=\"2\"/>");
		else if (k == 2)
			html_printf(b, "<path d=\"M0 0L8 8M8 0L0 8\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>");
		else
			html_printf(b, "<circle cx=\"4\" cy=\"4\" r=\"1.8\" fill=\"#ffffff\"/>");
		html_printf(b, "</pattern>\n");
	}
	html_printf(b, "</defs>\n");
}

static void part_fill(struct buf *b, const char *id, int k)
{
	if (k >= CHART_PARTS_MAX)
		k = CHART_PARTS_MAX - 1;
	if (k == 0)
		html_printf(b, "fill=\"%s\"", PART_FILL[0]);
	else
		html_printf(b, "fill=\"url(#%s-p%d)\"", id, k);
}

static void stacked_svg(struct buf *b, const struct chart *c)
{
	int64_t total = chart_total(c);
	int height = 2 * PAD + STACK + 12 + (c->n ? c->n : 1) * LEGEND_ROW;
	open_svg(b, c, height, false);
	part_patterns(b, c->id);
	const int span = CHART_WIDTH - 2 * PAD;
	if (total == 0)
		html_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"%s\"/>\n",
		            PAD, PAD, span, STACK, INK);
	int x = PAD;
	int64_t before = 0;
	for (int i = 0; i < c->n && total > 0; i++) {
		int64_t v = value_of(&c->bars[i]);
		/* each edge is placed from the running sum, so the parts end exactly at the right edge */
		int end = PAD + (int)((before + v) * span / total);
		before += v;
		if (end > x)
			html_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" ", x, PAD, end - x, STACK);
		if (end > x) {
			part_fill(b, c->id, i);
			html_printf(b, " stroke=\"#ffffff\" stroke-width=\"1\"><title>%s: %L</title></rect>\n",
			            c->bars[i].label, (long long)v);
		}
		x = end;
	}
	for (int i = 0; i < c->n; i++) {
		int64_t v = value_of(&c->bars[i]);
		int y = PAD + STACK + 12 + i * LEGEND_ROW;
		html_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\" stroke=\"%s\" ", PAD, y, INK);
		part_fill(b, c->id, i);
		html_printf(b, "/>\n<text x=\"%d\" y=\"%d\" fill=\"%s\">", PAD + 24, y + 13, INK);
		put_label(b, c->bars[i].label);
		html_printf(b, ": <tspan font-weight=\"bold\">%L</tspan> (%d%%)</text>\n", (long long)v,
		            percent(v, total));
	}
	if (c->n == 0)
		html_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", PAD, PAD + STACK + 12 + 13, INK,
		            _("Nothing to count yet."));
	html_printf(b, "</svg>\n");
}

/* A series in order (days): one column each from a common baseline, the largest PLOT high and its number
 * above it; a scale line at the largest value and at 0; the first and last labels under the ends. Columns
 * narrower than a unit (more items than units) are drawn 1 wide, side by side. */
static void columns_svg(struct buf *b, const struct chart *c)
{
	int64_t max = 0;
	int peak = -1;
	for (int i = 0; i < c->n; i++)
		if (value_of(&c->bars[i]) > max) {
			max = value_of(&c->bars[i]);
			peak = i;
		}
	const int top = PAD + FONT + 8, base = top + PLOT, height = base + AXIS;
	const int left = PAD + NUMBER_ROOM / 2, span = CHART_WIDTH - left - PAD;
	open_svg(b, c, height, true);
	/* the scale: the largest value and 0, each with its line */
	html_printf(b,
	            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1\"/>\n"
	            "<text x=\"%d\" y=\"%d\" fill=\"%s\" text-anchor=\"end\">0</text>\n",
	            left, base, CHART_WIDTH - PAD, base, INK, left - 4, base + 4, INK);
	if (max > 0)
		html_printf(
		    b,
		    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#6b7280\" stroke-width=\"1\" "
		    "stroke-dasharray=\"4 3\"/>\n<text x=\"%d\" y=\"%d\" fill=\"%s\" text-anchor=\"end\">%L</text>\n",
		    left, top, CHART_WIDTH - PAD, top, left - 4, top + 4, INK, (long long)max);
	if (c->n == 0 || max == 0)
		html_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", left + 6, base - 8, INK,
		            _("Nothing to count yet."));
	for (int i = 0; i < c->n && max > 0; i++) {
		int64_t v = value_of(&c->bars[i]);
		if (v == 0)
			continue;
		int x = left + (int)((int64_t)i * span / c->n), x_next = left + (int)((int64_t)(i + 1) * span / c->n);
		int w = x_next - x > 2 ? x_next - x - 1 : 1;
		int h = (int)(v * PLOT / max);
		if (h < 1)
			h = 1; /* a value above 0 never looks like 0 */
		html_printf(b,
		            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s: %L</title>"
		            "</rect>\n",
		            x, base - h, w, h, BAR_FILL, c->bars[i].label, (long long)v);
	}
	if (peak >= 0) { /* the largest value's number, above its column, kept inside the drawing */
		int x = left + (int)((int64_t)peak * span / c->n);
		html_printf(b,
		            "<text x=\"%d\" y=\"%d\" fill=\"%s\" font-weight=\"bold\" text-anchor=\"%s\">%L</text>\n",
		            x, top - 6, INK, x > CHART_WIDTH / 2 ? "end" : "start", (long long)max);
	}
	if (c->n > 0) {
		html_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\">", left, base + 20, INK);
		put_label(b, c->bars[0].label);
		html_printf(b, "</text>\n");
	}
	if (c->n > 1) {
		html_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\" text-anchor=\"end\">", CHART_WIDTH - PAD, base + 20,
		            INK);
		put_label(b, c->bars[c->n - 1].label);
		html_printf(b, "</text>\n");
	}
	html_printf(b, "</svg>\n");
}

void chart_svg(struct buf *b, const struct chart *c, enum chart_kind kind)
{
	if (kind == CHART_STACKED)
		stacked_svg(b, c);
	else if (kind == CHART_COLUMNS)
		columns_svg(b, c);
	else
		bars_svg(b, c);
}

void chart_table(struct buf *b, const struct chart *c)
{
	int64_t total = chart_total(c);
	html_printf(
	    b,
	    "<table class=\"chart-table\" id=\"%s-table\"><caption>%s</caption>\n<thead><tr><th scope=\"col\">%s"
	    "</th><th scope=\"col\" class=\"number\">%s</th><th scope=\"col\" class=\"number\">%s</th></tr>"
	    "</thead>\n<tbody>\n",
	    c->id, c->title, c->label_heading, c->value_heading,
	    /* TRANSLATORS: a column of a chart's table: each value's percentage of the total. */
	    _("Share"));
	for (int i = 0; i < c->n; i++) {
		int64_t v = value_of(&c->bars[i]);
		html_printf(
		    b, "<tr><th scope=\"row\">%s</th><td class=\"number\">%L</td><td class=\"number\">%d%%</td></tr>\n",
		    c->bars[i].label, (long long)v, percent(v, total));
	}
	html_printf(b,
	            "</tbody>\n<tfoot><tr><th scope=\"row\">%s</th><td class=\"number\">%L</td>"
	            "<td class=\"number\">%d%%</td></tr></tfoot>\n</table>\n",
	            /* TRANSLATORS: the last row of a chart's table: the sum of its values. */
	            _("Total"), (long long)total, total > 0 ? 100 : 0);
}

void chart_figure(struct buf *b, const struct chart *c, enum chart_kind kind)
{
	html_printf(b, "<figure class=\"chart\" id=\"%s\"><figcaption>%s</figcaption>\n", c->id, c->title);
	chart_svg(b, c, kind);
	chart_table(b, c);
	html_printf(b, "</figure>\n");
}
