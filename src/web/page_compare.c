/*
 * page_compare — two versions of a document compared, paragraph by paragraph
 * (core/compare.h): side by side (the default) or inline (?view=inline),
 * both plain HTML that needs no script. Words inserted and deleted are
 * <ins> and <del> with words for screen readers ("inserted:", "deleted:")
 * and underline and strike-through for the eye, so colour is never the only
 * sign; moved paragraphs say where they came from; runs of unchanged
 * paragraphs fold into a <details> that says how many they are. Every
 * paragraph links to its comments and to its place on its version's page.
 * A long comparison comes in parts of LIMIT_PAGE_BYTES (?from=N, "read on").
 * Both texts are in the reader's language (or ?text=) when both versions have
 * a text in it, else in their own with a notice (web/page.h:
 * page_text_language), never one language on each side. A language chosen
 * by ?text= stays chosen: every link of the page to a version, its
 * paragraphs, and another part, view or pair of the comparison carries it.
 */
#include "core/account.h"
#include "core/compare.h"
#include "core/language.h"
#include "core/limits.h"
#include "core/process.h"
#include "render/diff.h"
#include "util/i18n.h"
#include "web/page.h"
#include "web/page_cache.h"
#include "web/routes.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *status_words(enum compare_status s)
{
	switch (s) {
	/* TRANSLATORS: what happened to a paragraph between two versions of a document (a status). */
	case COMPARE_UNCHANGED: return _("Unchanged");
	/* TRANSLATORS: what happened to a paragraph between two versions of a document (a status). */
	case COMPARE_EDITED: return _("Edited");
	/* TRANSLATORS: what happened to a paragraph between two versions of a document (a status). */
	case COMPARE_MOVED: return _("Moved");
	/* TRANSLATORS: what happened to a paragraph between two versions of a document (a status). */
	case COMPARE_ADDED: return _("Added");
	/* TRANSLATORS: what happened to a paragraph between two versions of a document (a status). */
	case COMPARE_REMOVED: return _("Removed");
	/* TRANSLATORS: what happened to a paragraph between two versions of a document (a status). */
	case COMPARE_SPLIT: return _("Split");
	/* TRANSLATORS: what happened to a paragraph between two versions of a document (a status). */
	case COMPARE_MERGED: return _("Merged");
	}
	return "";
}

/* The operations of a changed paragraph, as its old side (equal and deleted), its new side (equal and
 * inserted), or both in order (inline). */
enum side { SIDE_OLD, SIDE_NEW, SIDE_BOTH };

/* Words inserted and deleted, with what they are in words for screen readers. */
static void write_inserted(struct request *r, const char *text)
{
	html_tr(
	    &r->out,
	    "<ins><span class=\"visually-hidden\">[inserted: </span>%s<span class=\"visually-hidden\">]</span></ins>",
	    text);
}

static void write_deleted(struct request *r, const char *text)
{
	html_tr(
	    &r->out,
	    "<del><span class=\"visually-hidden\">[deleted: </span>%s<span class=\"visually-hidden\">]</span></del>",
	    text);
}

static void write_ops(struct request *r, const struct compare_row *row, enum side side)
{
	for (int i = 0; i < row->nops; i++) {
		const struct diff_op *op = &row->ops[i];
		switch (op->kind) {
		case DIFF_EQUAL: html_printf(&r->out, "%s", op->text); break;
		case DIFF_DELETE:
			if (side != SIDE_NEW)
				write_deleted(r, op->text);
			break;
		case DIFF_INSERT:
			if (side != SIDE_OLD)
				write_inserted(r, op->text);
			break;
		}
	}
}

/* The links of a paragraph of one version: to its comments, and to its place in the version. */
static void write_links(struct request *r, int64_t version_id, const struct paragraph *p, const char *label,
			const char *text_q)
{
	html_printf(&r->out, " ");
	/* TRANSLATORS: a link to a paragraph's comments; the hidden part names the paragraph and its version. */
	html_tr(&r->out,
	        "<a href=\"/versions/%L/paragraphs/%u%R\">Comments<span class=\"visually-hidden\"> on \u00b6%d of the "
	        "%s</span></a>",
	        (long long)version_id, p->pid, text_q, p->number, label);
	html_printf(&r->out, " ");
	/* TRANSLATORS: a link to a paragraph's place in its version; the hidden part names the paragraph. */
	html_tr(&r->out,
	        "<a href=\"/versions/%L%R#%u\">In context<span class=\"visually-hidden\">: \u00b6%d of the "
	        "%s</span></a>",
	        (long long)version_id, text_q, p->pid, p->number, label);
}

/* The status line of a row: its words, where a moved paragraph came from, and its number before. */
static void write_status(struct request *r, const struct compare_row *row)
{
	html_printf(&r->out, "<span class=\"cmp-status cmp-%s\">%s</span>", compare_status_name(row->status),
	            status_words(row->status));
	if (row->status == COMPARE_MOVED && row->changed) {
		html_printf(&r->out, " ");
		html_tr(&r->out, "(moved from <a href=\"#was-%s\">\u00b6%d</a>, and edited)", row->pid, row->a->number);
	} else if (row->status == COMPARE_MOVED) {
		html_printf(&r->out, " ");
		html_tr(&r->out, "(moved from <a href=\"#was-%s\">\u00b6%d</a>)", row->pid, row->a->number);
	} else if (row->a && row->b && row->a->number != row->b->number) {
		html_printf(&r->out, " ");
		/* TRANSLATORS: a paragraph's number in the older version. */
		html_tr(&r->out, "(was \u00b6%d)", row->a->number);
	}
	if (row->changed) {
		bool words = false;
		for (int i = 0; i < row->nops && !words; i++)
			words = row->ops[i].kind != DIFF_EQUAL;
		if (!words)
			html_printf(&r->out, " %s", _("(formatting only)"));
	}
}

struct view {
	const struct comparison *c;
	const char *label_a, *label_b; /* "Draft of 9 April 2020" */
	bool inline_view;
	const char *lang; /* the texts' language (core/version_text.h) */
	bool rtl;
	/* The texts' language as the reader chose it by ?text=, kept by every link to a version, its paragraphs
	 * and other parts or views of the comparison: "?text=fr" and "&amp;text=fr" (after another argument), or
	 * "" for both when the texts follow the interface's language (which the links follow too). */
	const char *text_q, *text_and;
};

/* Tables compared as tables --------------------------------------------------------------------------------------
 * A Markdown table's plain text is its pipes and dashes ("| Pillar | Lead |"): compared word by word it reads as
 * source. So a paragraph that is a table on either side is shown as a table: its rows read from the rendered
 * HTML (cmark-gfm's <tr> of <th>/<td>, each cell's text without its inline markup), rows paired by a longest
 * common subsequence of their first cells (a row's label: "Capacity" is the same row when its other cells
 * change), the rows between two pairs paired in order, and each changed cell diffed word by word; rows only in
 * one version are inserted or deleted whole. */

enum { TABLE_ROWS_PAIRED = 400 /* rows on either side beyond which rows are paired in order, not by LCS */ };

struct table_row {
	const char **cells;
	bool *head; /* a header cell (<th>) */
	int ncells;
	const char *key; /* its first cell, which names the row */
};

static bool is_table(const struct paragraph *p)
{
	return p && p->html && !strncmp(p->html, "<table", 6);
}

/* The text of HTML between s and end: tags dropped, cmark's entities (&amp; &lt; &gt; &quot;) decoded. */
static const char *cell_text(struct arena *a, const char *s, const char *end)
{
	char *out = arena_alloc(a, (size_t)(end - s) + 1);
	if (!out)
		return "";
	size_t n = 0;
	static const struct {
		const char *entity;
		char c;
	} entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
	while (s < end) {
		if (*s == '<') {
			const char *close = memchr(s, '>', (size_t)(end - s));
			s = close ? close + 1 : end;
			continue;
		}
		bool decoded = false;
		for (size_t k = 0; *s == '&' && k < sizeof entities / sizeof *entities; k++) {
			size_t len = strlen(entities[k].entity);
			if ((size_t)(end - s) >= len && !strncmp(s, entities[k].entity, len)) {
				out[n++] = entities[k].c;
				s += len;
				decoded = true;
				break;
			}
		}
		if (!decoded)
			out[n++] = *s++;
	}
	out[n] = '\0';
	return out;
}

/* The rows of the first table of html, into *rows (n of them); -1 when memory runs out. */
static int table_rows(struct arena *a, const char *html, struct table_row **rows, int *n)
{
	*rows = NULL;
	*n = 0;
	int cap = 0;
	struct table_row *row = NULL;
	int cellcap = 0, headcap = 0, nhead = 0;
	for (const char *s = html; (s = strchr(s, '<'));) {
		if (!strncmp(s, "</table>", 8))
			break;
		if (!strncmp(s, "<tr", 3) && (s[3] == '>' || s[3] == ' ')) {
			row = arena_push(a, (void **)rows, n, &cap, sizeof *row);
			if (!row)
				return -1;
			cellcap = headcap = nhead = 0;
			s += 3;
			continue;
		}
		bool th = !strncmp(s, "<th", 3) && (s[3] == '>' || s[3] == ' ');
		bool td = !strncmp(s, "<td", 3) && (s[3] == '>' || s[3] == ' ');
		if (!row || (!th && !td)) {
			s++;
			continue;
		}
		const char *open_end = strchr(s, '>');
		const char *close = open_end ? strstr(open_end, th ? "</th>" : "</td>") : NULL;
		if (!close)
			break;
		const char **cell = arena_push(a, (void **)&row->cells, &row->ncells, &cellcap, sizeof *cell);
		bool *head = arena_push(a, (void **)&row->head, &nhead, &headcap, sizeof *head);
		if (!cell || !head)
			return -1;
		*cell = cell_text(a, open_end + 1, close);
		*head = th;
		s = close + 5;
	}
	for (int i = 0; i < *n; i++)
		(*rows)[i].key = (*rows)[i].ncells ? (*rows)[i].cells[0] : "";
	return 0;
}

/* One cell: its text as one side has it (equal), inserted or deleted whole, or (both texts) diffed. */
static void write_table_cell(struct request *r, bool head, const char *old, const char *new, enum side side)
{
	html_printf(&r->out, "%R", head ? "<th>" : "<td>");
	if (old && new && strcmp(old, new)) {
		struct diff_op *ops = NULL;
		int nops = 0;
		if (diff_words(&r->arena, old, new, &ops, &nops) == 0) {
			struct compare_row row = {.ops = ops, .nops = nops};
			write_ops(r, &row, side);
		} else {
			if (side != SIDE_NEW)
				write_deleted(r, old);
			if (side != SIDE_OLD)
				write_inserted(r, new);
		}
	} else if (old && new) {
		html_printf(&r->out, "%s", new);
	} else if (old && *old && side != SIDE_NEW) {
		write_deleted(r, old);
	} else if (new && *new && side != SIDE_OLD) {
		write_inserted(r, new);
	}
	html_printf(&r->out, "%R", head ? "</th>" : "</td>");
}

/* One row of the shown table: x (old) and y (new), either NULL for a row only in one version. */
static void write_table_row(struct request *r, const struct table_row *x, const struct table_row *y, enum side side)
{
	if ((!y && side == SIDE_NEW) || (!x && side == SIDE_OLD))
		return;
	html_printf(&r->out, "<tr%R>", !x ? " class=\"cmp-ins\"" : !y ? " class=\"cmp-del\"" : "");
	int n = x && y ? (x->ncells > y->ncells ? x->ncells : y->ncells) : x ? x->ncells : y->ncells;
	for (int c = 0; c < n; c++) {
		const char *old = x && c < x->ncells ? x->cells[c] : NULL;
		const char *new = y && c < y->ncells ? y->cells[c] : NULL;
		bool head = y && c < y->ncells ? y->head[c] : x && c < x->ncells && x->head[c];
		write_table_cell(r, head, old, new, side);
	}
	html_printf(&r->out, "</tr>");
}

/* The rows of a (old, n) and b (new, m) paired: each pair written in order, rows of the same first cell matched
 * by a longest common subsequence (in order only, past TABLE_ROWS_PAIRED rows), the rows between two matches
 * paired in order, the longer side's extra rows deleted or inserted whole. */
static void write_table_rows(struct request *r, const struct table_row *a, int n, const struct table_row *b, int m,
                             enum side side)
{
	/* lcs[i][j]: the longest common subsequence of a[i..n) and b[j..m) */
	int *lcs = n <= TABLE_ROWS_PAIRED && m <= TABLE_ROWS_PAIRED
	               ? arena_alloc(&r->arena, sizeof *lcs * (size_t)(n + 1) * (size_t)(m + 1))
	               : NULL;
#define LCS(i, j) lcs[(size_t)(i) * (size_t)(m + 1) + (size_t)(j)]
	if (lcs)
		for (int i = n - 1; i >= 0; i--)
			for (int j = m - 1; j >= 0; j--)
				LCS(i, j) = !strcmp(a[i].key, b[j].key) ? LCS(i + 1, j + 1) + 1
				            : LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j)
				                                            : LCS(i, j + 1);
	int i = 0, j = 0;
	while (i < n || j < m) {
		/* the rows up to the next match (or the end) */
		int ei = i, ej = j;
		if (lcs) {
			while (ei < n && ej < m && strcmp(a[ei].key, b[ej].key)) {
				if (LCS(ei + 1, ej) >= LCS(ei, ej + 1))
					ei++;
				else
					ej++;
			}
			if (ei >= n || ej >= m)
				ei = n, ej = m;
		} else {
			ei = n, ej = m;
		}
		for (; i < ei || j < ej; i += i < ei, j += j < ej)
			write_table_row(r, i < ei ? &a[i] : NULL, j < ej ? &b[j] : NULL, side);
		if (i < n && j < m) {
			write_table_row(r, &a[i], &b[j], side);
			i++, j++;
		}
	}
#undef LCS
}

/* A paragraph that is a table in either version, written as a table; false when it cannot be read as one (the
 * caller then writes its text). */
static bool write_table(struct request *r, const struct compare_row *row, enum side side)
{
	const struct paragraph *x = row->a, *y = row->b;
	if (!row->changed && row->status != COMPARE_ADDED && row->status != COMPARE_REMOVED) {
		/* unchanged: the side's own table, equal to the other */
		x = y = side == SIDE_OLD ? row->a : row->b;
	} else if (row->status == COMPARE_ADDED) {
		x = NULL;
	} else if (row->status == COMPARE_REMOVED) {
		y = NULL;
	}
	struct table_row *a = NULL, *b = NULL;
	int n = 0, m = 0;
	if ((x && (!is_table(x) || table_rows(&r->arena, x->html, &a, &n) != 0 || n == 0)) ||
	    (y && (!is_table(y) || table_rows(&r->arena, y->html, &b, &m) != 0 || m == 0)))
		return false;
	html_printf(&r->out, "<table class=\"cmp-table\">");
	if (x == y)
		write_table_rows(r, a, n, a, n, side);
	else
		write_table_rows(r, a, n, b, m, side);
	html_printf(&r->out, "</table>");
	return true;
}

/* One paragraph's text as one version has it, with what the other changed. */
static void write_text(struct request *r, const struct view *v, const struct compare_row *row, enum side side)
{
	html_printf(&r->out, "<div class=\"cmp-text\" lang=\"%s\" dir=\"%s\">", v->lang, v->rtl ? "rtl" : "ltr");
	/* a table on both sides (or the one side it is on): compared as cells, not as its pipes */
	bool table = (!row->a || is_table(row->a)) && (!row->b || is_table(row->b));
	if (table && write_table(r, row, side)) {
		html_printf(&r->out, "</div>");
		return;
	}
	if (row->changed)
		write_ops(r, row, side);
	else if (row->status == COMPARE_ADDED)
		write_inserted(r, row->b->text);
	else if (row->status == COMPARE_REMOVED)
		write_deleted(r, row->a->text);
	else
		html_printf(&r->out, "%s", (side == SIDE_OLD ? row->a : row->b)->text);
	html_printf(&r->out, "</div>");
}

/* A run of unchanged paragraphs rows[from..to), folded. */
static void write_fold(struct request *r, const struct view *v, const struct compare_row *const *rows, int n)
{
	html_printf(&r->out, "%R<details class=\"cmp-fold\"><summary>",
	            v->inline_view ? "<li class=\"cmp-row\">" : "<tr><td colspan=\"2\">");
	if (n > 1)
		html_tr_n(&r->out, "%d unchanged paragraph (\u00b6%d\u2013\u00b6%d)",
		          "%d unchanged paragraphs (\u00b6%d\u2013\u00b6%d)", (unsigned long)n, n, rows[0]->b->number,
		          rows[n - 1]->b->number);
	else
		html_tr(&r->out, "1 unchanged paragraph (\u00b6%d)", rows[0]->b->number);
	html_printf(&r->out, "</summary>\n");
	for (int i = 0; i < n; i++) {
		const struct compare_row *row = rows[i];
		html_printf(&r->out, "<div class=\"cmp-para\" id=\"%s\"><p class=\"cmp-meta\">\u00b6%d", row->pid,
		            row->b->number);
		if (row->a->number != row->b->number) {
			html_printf(&r->out, " ");
			html_tr(&r->out, "(was \u00b6%d)", row->a->number);
		}
		write_links(r, v->c->b.id, row->b, v->label_b, v->text_q);
		html_printf(&r->out, "</p>");
		write_text(r, v, row, SIDE_NEW);
		html_printf(&r->out, "</div>\n");
	}
	html_printf(&r->out, "</details>%R\n", v->inline_view ? "</li>" : "</td></tr>");
}

/* Where a moved paragraph was: a line at its old place that links to where it went (the moved row links
 * back here, #was-pid). */
static void write_gone(struct request *r, const struct view *v, const struct compare_row *row)
{
	if (v->inline_view) {
		html_printf(&r->out, "<li class=\"cmp-row cmp-gone\" id=\"was-%s\"><p class=\"cmp-meta\">", row->pid);
		html_tr(&r->out, "\u00b6%d of the %s: moved to <a href=\"#%s\">\u00b6%d</a>.", row->a->number,
		        v->label_a, row->pid, row->b->number);
		html_printf(&r->out, "</p></li>\n");
		return;
	}
	html_printf(
	    &r->out,
	    "<tr class=\"cmp-row cmp-gone\" id=\"was-%s\"><td class=\"cmp-old\"><span class=\"cmp-which\">%s</span>"
	    "<p class=\"cmp-meta\">",
	    row->pid, v->label_a);
	html_tr(&r->out, "\u00b6%d moved to <a href=\"#%s\">\u00b6%d</a>.", row->a->number, row->pid, row->b->number);
	html_printf(&r->out, "</p></td><td class=\"cmp-new\"><span class=\"cmp-which\">%s</span><p class=\"cmp-none\">",
	            v->label_b);
	html_tr(&r->out, "Not here: moved to <a href=\"#%s\">\u00b6%d</a>.", row->pid, row->b->number);
	html_printf(&r->out, "</p></td></tr>\n");
}

static void write_inline_row(struct request *r, const struct view *v, const struct compare_row *row)
{
	const struct paragraph *p = row->b ? row->b : row->a;
	int64_t vid = row->b ? v->c->b.id : v->c->a.id;
	html_printf(&r->out, "<li class=\"cmp-row cmp-para\" id=\"%s\"><p class=\"cmp-meta\">", row->pid);
	if (row->b)
		html_printf(&r->out, "\u00b6%d ", p->number);
	else {
		html_tr(&r->out, "\u00b6%d of the older version", p->number);
		html_printf(&r->out, " ");
	}
	write_status(r, row);
	write_links(r, vid, p, row->b ? v->label_b : v->label_a, v->text_q);
	html_printf(&r->out, "</p>");
	write_text(r, v, row, SIDE_BOTH);
	html_printf(&r->out, "</li>\n");
}

/* One side's cell of a side-by-side row: the paragraph as that version has it, or a word that it has none. */
static void write_cell(struct request *r, const struct view *v, const struct compare_row *row, enum side side)
{
	const struct paragraph *p = side == SIDE_OLD ? row->a : row->b;
	const char *label = side == SIDE_OLD ? v->label_a : v->label_b;
	html_printf(&r->out, "<td class=\"cmp-%s\"><span class=\"cmp-which\">%s</span>",
	            side == SIDE_OLD ? "old" : "new", label);
	if (!p) {
		html_printf(&r->out, "<p class=\"cmp-none\">%s</p></td>",
		            side == SIDE_OLD ? _("Not in this version.") : _("Removed in this version."));
		return;
	}
	html_printf(&r->out, "<p class=\"cmp-meta\">\u00b6%d", p->number);
	if (side == SIDE_NEW) {
		html_printf(&r->out, " ");
		write_status(r, row);
	} else if (row->status == COMPARE_MOVED) {
		html_printf(&r->out, " ");
		html_tr(&r->out, "(moved to \u00b6%d)", row->b->number);
	}
	write_links(r, side == SIDE_OLD ? v->c->a.id : v->c->b.id, p, label, v->text_q);
	html_printf(&r->out, "</p>");
	write_text(r, v, row, side);
	html_printf(&r->out, "</td>");
}

static int by_old_number(const void *x, const void *y)
{
	const struct compare_row *a = *(const struct compare_row *const *)x, *b = *(const struct compare_row *const *)y;
	return (a->a->number > b->a->number) - (a->a->number < b->a->number);
}

/* The rows as they are shown: each moved paragraph twice, where it is now and (gone[k]) where it was, which
 * is before the first row that stayed in place or was removed and came after it in the old version. */
static int display_order(struct request *r, const struct comparison *c, const struct compare_row ***seq, bool **gone,
                         int *n)
{
	int nmoved = c->count[COMPARE_MOVED];
	const struct compare_row **moved = arena_alloc(&r->arena, sizeof *moved * (size_t)(nmoved + 1));
	*seq = arena_alloc(&r->arena, sizeof **seq * (size_t)(c->nrows + nmoved + 1));
	*gone = arena_alloc(&r->arena, sizeof **gone * (size_t)(c->nrows + nmoved + 1));
	if (!moved || !*seq || !*gone)
		return -1;
	int m = 0, k = 0, next = 0;
	for (int i = 0; i < c->nrows; i++)
		if (c->rows[i].status == COMPARE_MOVED)
			moved[m++] = &c->rows[i];
	qsort(moved, (size_t)m, sizeof *moved, by_old_number);
	for (int i = 0; i < c->nrows; i++) {
		const struct compare_row *row = &c->rows[i];
		if (row->a && row->status != COMPARE_MOVED)
			for (; next < m && moved[next]->a->number < row->a->number; next++) {
				(*seq)[k] = moved[next];
				(*gone)[k++] = true;
			}
		(*seq)[k++] = row;
	}
	for (; next < m; next++) {
		(*seq)[k] = moved[next];
		(*gone)[k++] = true;
	}
	*n = k;
	return 0;
}

/* Writes the items seq[from..n) until the page holds LIMIT_PAGE_BYTES of them (at least one item; runs of
 * unchanged paragraphs fold LIMIT_COMPARE_FOLD at a time); returns where it stopped (n: all written). */
static int write_rows(struct request *r, const struct view *v, const struct compare_row *const *seq, const bool *gone,
                      int n, int from)
{
	size_t start = r->out.len;
	int i = from;
	while (i < n && (i == from || r->out.len - start < LIMIT_PAGE_BYTES)) {
		if (!gone[i] && seq[i]->status == COMPARE_UNCHANGED) {
			int end = i;
			while (end < n && end - i < LIMIT_COMPARE_FOLD && !gone[end] &&
			       seq[end]->status == COMPARE_UNCHANGED)
				end++;
			write_fold(r, v, seq + i, end - i);
			i = end;
			continue;
		}
		const struct compare_row *row = seq[i];
		if (gone[i++]) {
			write_gone(r, v, row);
		} else if (v->inline_view) {
			write_inline_row(r, v, row);
		} else {
			html_printf(&r->out, "<tr class=\"cmp-row cmp-para\" id=\"%s\">", row->pid);
			write_cell(r, v, row, SIDE_OLD);
			write_cell(r, v, row, SIDE_NEW);
			html_printf(&r->out, "</tr>\n");
		}
	}
	return i;
}

/* How many paragraphs of each status: a list whose items are whole sentences ("5 paragraphs edited."), each
 * its translator's with its plural forms, never a list glued from pieces ("5 edited, 2 added and ...") whose
 * separators and order a language could not choose. */
static void summary_item(struct request *r, enum compare_status s, int n)
{
	const unsigned long k = (unsigned long)n;
	html_printf(&r->out, "<li>");
	switch (s) {
	/* TRANSLATORS: an item of a comparison's summary: how many paragraphs were edited between two versions. */
	case COMPARE_EDITED: html_tr_n(&r->out, "%d paragraph edited.", "%d paragraphs edited.", k, n); break;
	/* TRANSLATORS: an item of a comparison's summary: paragraphs moved to another place in the text. */
	case COMPARE_MOVED: html_tr_n(&r->out, "%d paragraph moved.", "%d paragraphs moved.", k, n); break;
	/* TRANSLATORS: an item of a comparison's summary: paragraphs of the older version split into several. */
	case COMPARE_SPLIT: html_tr_n(&r->out, "%d paragraph split.", "%d paragraphs split.", k, n); break;
	/* TRANSLATORS: an item of a comparison's summary: paragraphs of the newer version made of several. */
	case COMPARE_MERGED: html_tr_n(&r->out, "%d paragraph merged.", "%d paragraphs merged.", k, n); break;
	/* TRANSLATORS: an item of a comparison's summary: paragraphs new in the newer version. */
	case COMPARE_ADDED: html_tr_n(&r->out, "%d paragraph added.", "%d paragraphs added.", k, n); break;
	/* TRANSLATORS: an item of a comparison's summary: paragraphs of the older version gone from the newer. */
	case COMPARE_REMOVED: html_tr_n(&r->out, "%d paragraph removed.", "%d paragraphs removed.", k, n); break;
	/* TRANSLATORS: an item of a comparison's summary: paragraphs the same in both versions. */
	case COMPARE_UNCHANGED: html_tr_n(&r->out, "%d paragraph unchanged.", "%d paragraphs unchanged.", k, n); break;
	}
	html_printf(&r->out, "</li>\n");
}

static void write_summary(struct request *r, const struct comparison *c)
{
	static const enum compare_status order[] = {COMPARE_EDITED, COMPARE_MOVED,   COMPARE_SPLIT,    COMPARE_MERGED,
	                                            COMPARE_ADDED,  COMPARE_REMOVED, COMPARE_UNCHANGED};
	int shown = 0;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
		const int k = c->count[order[i]];
		if (!k)
			continue;
		if (!shown++)
			html_printf(&r->out, "<ul class=\"cmp-summary\">\n");
		summary_item(r, order[i], k);
	}
	if (shown)
		html_printf(&r->out, "</ul>\n");
	else
		html_printf(&r->out, "<p class=\"cmp-summary\">%s</p>\n",
		            _("Neither version has numbered paragraphs."));
}

static void write_pair(struct request *r, const struct version *x, const struct version *y, const char *text_q)
{
	html_printf(&r->out, "<li>");
	/* TRANSLATORS: a link comparing two versions: each version's label and date. */
	html_tr(&r->out, "<a href=\"/versions/%L/compare/%L%R\">%s of %s with %s of %s</a>", (long long)x->id,
	        (long long)y->id, text_q, x->label, page_date(r, x->date), y->label, page_date(r, y->date));
	html_printf(&r->out, "</li>\n");
}

/* Links to the document's other comparisons: every pair of a few versions; past COMPARE_PAIRS_VERSIONS, each
 * version with the newest. */
static void write_others(struct request *r, const struct comparison *c, const char *text_q)
{
	enum { COMPARE_PAIRS_VERSIONS = 6 };
	const struct version *vs = c->doc.versions;
	const int n = c->doc.nversions;
	if (n < 2 || (n == 2 && c->a.id != c->b.id))
		return; /* no other pair to offer */
	html_printf(&r->out,
	            "<nav aria-labelledby=\"cmp-others\" class=\"cmp-others\"><h2 id=\"cmp-others\">%s</h2>\n<ul>\n",
	            _("Compare other versions"));
	for (int i = 0; i < n - 1; i++)
		for (int k = n <= COMPARE_PAIRS_VERSIONS ? i + 1 : n - 1; k < n; k++)
			if (vs[i].id != c->a.id || vs[k].id != c->b.id)
				write_pair(r, &vs[i], &vs[k], text_q);
	html_printf(&r->out, "</ul>\n</nav>\n");
}

void page_compare(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t a_id, b_id;
	if (!parse_id(r->params[0], &a_id) || !parse_id(r->params[1], &b_id)) {
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such version."));
		page_error(r, &e);
		return;
	}
	/* Two versions compared change only when what either version's page shows does (web/page_cache.h):
	 * the same bytes for every anonymous visitor of the same view and part, kept under both states. */
	const char *view_q = request_query(r, "view"), *from_q = request_query(r, "from");
	const int64_t ids[] = {a_id, b_id};
	/* In the reader's language when both versions have a text in it (?text= or the interface's: the page key
	 * holds the interface's language, web/page_cache.c). */
	const char *reader = page_text_reader(r);
	/* A language asked by ?text= (its links keep it: below) is another page than the same language followed
	 * from the interface's. */
	char asked[LANGUAGE_TAG_LEN];
	language_tag_normalize(request_query(r, "text"), asked);
	struct page_state ps;
	if (page_cache_versions(r, &ps,
	                        arena_printf(&r->arena, "compare:%lld:%lld:%s:%s:%s:%s", (long long)a_id, (long long)b_id,
	                                     view_q && !strcmp(view_q, "inline") ? "inline" : "side",
	                                     from_q ? from_q : "0", reader ? reader : "", asked),
	                        ids, 2))
		return;
	r->vary = "Accept-Encoding"; /* the kept page is sent compressed to clients that accept it */
	struct comparison c;
	struct process p;
	if (compare_versions_in(r->db, &r->arena, a_id, b_id, r->account && r->account->role == ACCOUNT_SECRETARIAT,
	                        reader, &c, &e) != 0 ||
	    process_find_id_bare(r->db, &r->arena, c.doc.process_id, &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const char *view = request_query(r, "view");
	struct view v = {
	    .c = &c,
	    /* TRANSLATORS: a version's label and its date ("Draft of 9 April 2020"). */
	    .label_a = arena_printf(&r->arena, _("%s of %s"), c.a.label, page_date(r, c.a.date)),
	    /* TRANSLATORS: a version's label and its date ("Draft of 9 April 2020"). */
	    .label_b = arena_printf(&r->arena, _("%s of %s"), c.b.label, page_date(r, c.b.date)),
	    .inline_view = view && !strcmp(view, "inline"),
	    .lang = "",
	    .text_q = "",
	    .text_and = "",
	};
	const struct compare_row **seq;
	bool *gone;
	int nseq;
	if (display_order(r, &c, &seq, &gone, &nseq) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		page_error(r, &e);
		return;
	}
	/* A language chosen by ?text= and shown (both versions have a text in it, or it is their own): every link
	 * to a version, its paragraphs, and another part, view or pair of the comparison keeps it. */
	const size_t own = strcspn(p.languages ? p.languages : "", ", ");
	if (*asked && (c.language_text || (strlen(asked) == own && !strncmp(asked, p.languages, own)))) {
		v.text_q = arena_printf(&r->arena, "?text=%s", asked);
		v.text_and = arena_printf(&r->arena, "&amp;text=%s", asked);
	}
	const char *inline_q = v.inline_view ? arena_printf(&r->arena, "?view=inline%s", v.text_and) : v.text_q;
	const char *from_arg = request_query(r, "from");
	int64_t from = 0;
	if (from_arg && strcmp(from_arg, "0") != 0 && (!parse_id(from_arg, &from) || from >= nseq)) {
		page_message(r, 400, _("That part of the comparison (from) does not exist: start at its beginning."));
		return;
	}
	/* TRANSLATORS: the page's title: a document, and the labels of the two versions compared. */
	page_begin(r, arena_printf(&r->arena, _("%s \u2014 %s compared with %s"), c.doc.title, c.a.label, c.b.label));
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
	            "<a href=\"/processes/%u\">%s</a></nav>\n<h1>",
	            _("Breadcrumb"), _("Consultations"), p.slug, p.title);
	html_tr(&r->out, "%s: two versions compared", c.doc.title);
	html_printf(&r->out, "</h1>\n<p class=\"lead\">");
	html_tr(&r->out, "From the <a href=\"/versions/%L%R\">%s</a> to the <a href=\"/versions/%L%R\">%s</a>.",
	        (long long)c.a.id, v.text_q, v.label_a, (long long)c.b.id, v.text_q, v.label_b);
	html_printf(&r->out, "</p>\n");
	if (a_id == b_id) {
		html_printf(&r->out, "<p class=\"cmp-same\">");
		html_tr(
		    &r->out,
		    "This is the same version twice: there is nothing to compare. Choose two different versions below, "
		    "or <a href=\"/versions/%L%R\">read this version</a>.",
		    (long long)a_id, v.text_q);
		html_printf(&r->out, "</p>\n");
		write_others(r, &c, v.text_q);
		page_end(r, 200);
		if (ps.state)
			page_cache_keep(r, &ps);
		return;
	}
	/* The texts in the reader's language when both versions have one in it, else a notice (compare_versions_in
	 * chose the same way); links to the comparison in the other languages both have. */
	v.lang = page_text_language(r, ids, 2, &p,
	                            arena_printf(&r->arena, "/versions/%lld/compare/%lld%s", (long long)a_id,
	                                         (long long)b_id, v.inline_view ? "?view=inline" : ""));
	v.rtl = i18n_find(v.lang) && i18n_find(v.lang)->rtl;
	write_summary(r, &c);
	if (from > 0) {
		html_printf(&r->out, "<p class=\"cmp-more\">");
		html_tr(
		    &r->out,
		    "A later part of the comparison. <a href=\"/versions/%L/compare/%L%R\">Back to its beginning</a>.",
		    (long long)a_id, (long long)b_id, inline_q);
		html_printf(&r->out, "</p>\n");
	}
	html_printf(&r->out,
	            "<nav class=\"tabs\" aria-label=\"%s\"><ul>"
	            "<li><a href=\"/versions/%L/compare/%L%R\"%R>%s</a></li>"
	            "<li><a href=\"/versions/%L/compare/%L?view=inline%R\"%R>%s</a></li></ul></nav>\n<p class=\"hint\">",
	            _("How to show the changes"), (long long)a_id, (long long)b_id, v.text_q,
	            v.inline_view ? "" : " aria-current=\"page\"",
	            /* TRANSLATORS: a way to show two versions' changes: in two columns. */
	            _("Side by side"), (long long)a_id, (long long)b_id, v.text_and,
	            v.inline_view ? " aria-current=\"page\"" : "",
	            /* TRANSLATORS: a way to show two versions' changes: in one text, insertions and deletions in it. */
	            _("Inline"));
	html_tr(&r->out,
	        "Inserted words are <ins>underlined</ins>, deleted words are <del>struck through</del>; screen "
	        "readers announce them as inserted and deleted.");
	html_printf(&r->out, "</p>\n");
	int stop;
	if (v.inline_view) {
		html_printf(&r->out, "<ol class=\"compare-inline\" aria-label=\"%s\">\n", _("Paragraphs compared"));
		stop = write_rows(r, &v, seq, gone, nseq, (int)from);
		html_printf(&r->out, "</ol>\n");
	} else {
		html_printf(&r->out, "<table class=\"compare\">\n<caption>");
		html_tr(&r->out, "Paragraphs compared: the %s on the left, the %s on the right", v.label_a, v.label_b);
		html_printf(&r->out,
		            "</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n"
		            "<tbody>\n",
		            v.label_a, v.label_b);
		stop = write_rows(r, &v, seq, gone, nseq, (int)from);
		html_printf(&r->out, "</tbody>\n</table>\n");
	}
	if (stop < nseq) {
		html_printf(&r->out, "<p class=\"cmp-more\">");
		html_tr(&r->out,
		        "The comparison is too long for one page: <a href=\"/versions/%L/compare/%L?%Rfrom=%d\">read "
		        "on</a>.",
		        (long long)a_id, (long long)b_id,
		        arena_printf(&r->arena, "%s%s", v.inline_view ? "view=inline&amp;" : "",
		                     *v.text_q ? arena_printf(&r->arena, "text=%s&amp;", asked) : ""),
		        stop);
		html_printf(&r->out, "</p>\n");
	}
	write_others(r, &c, v.text_q);
	page_end(r, 200);
	if (ps.state)
		page_cache_keep(r, &ps);
}
