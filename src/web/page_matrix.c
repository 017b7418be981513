/*
 * page_matrix — a call's resolution matrix (core/matrix.h) as an HTML page,
 * a CSV file and an XLSX workbook, for the public (/calls/{id}/matrix...)
 * and for the secretariat (/office/calls/{id}/matrix..., everything).
 *
 * Each row is written as the query hands it over. The page comes in parts
 * of LIMIT_PAGE_BYTES (?offset=N, "next"); the CSV and the XLSX are written
 * into a temporary file (render/table_file.h) that the response sends from
 * disk, so that neither holds the whole matrix in memory.
 */
#include "core/call.h"
#include "core/country.h"
#include "core/limits.h"
#include "core/matrix.h"
#include "render/table_file.h"
#include "util/i18n.h"
#include "web/page.h"
#include "web/page_office.h"
#include "web/routes.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The columns of the template, then the secretariat's answer: in English in the files (column names are data for
 * whoever reads them by program), in the reader's language on the page. */
static const char *const columns[] = {N_("Comment id"),
                                      N_("Contributor"),
                                      N_("Organization"),
                                      N_("Category"),
                                      N_("Country"),
                                      N_("Clause/paragraph"),
                                      N_("Type"),
                                      N_("Comment"),
                                      N_("Proposed change"),
                                      N_("Decision"),
                                      N_("Observations of the secretariat"),
                                      N_("New paragraph")};
enum { NCOLUMNS = sizeof columns / sizeof columns[0] };
/* Rows on one page of the HTML matrix (fewer past LIMIT_PAGE_BYTES). */
enum { MATRIX_PAGE_ROWS = 1000 };

/* Loads the call named by {id}; answers 404 (as a page) when there is none. */
static bool load_call(struct request *r, struct call *c)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such call for contributions."));
		page_error(r, &e);
		return false;
	}
	if (call_find(r->db, &r->arena, id, c, &e) != 0) {
		page_error(r, &e);
		return false;
	}
	return true;
}

/* A row's cells as text; the ones made here ("¶3 (5.2, second paragraph)", "General", the id, "¶4 of v2")
 * go into scratch, reused from row to row so that a long matrix does not grow the request's arena. Their words
 * are in the reader's language on the page (translate), in English in the files, as the column names are. */
static void row_cells(struct buf *scratch, const struct matrix_row *m, bool translate, const char *cells[NCOLUMNS])
{
	buf_reset(scratch);
	if (m->paragraph)
		buf_printf(scratch, "\u00b6%d", m->paragraph);
	else
		/* TRANSLATORS: a comment on the whole text rather than on one paragraph, in the matrix's column. */
		buf_puts(scratch, translate ? _("General") : "General");
	if (*m->clause)
		buf_printf(scratch, " (%s)", m->clause);
	const size_t id_at = scratch->len + 1;
	buf_printf(scratch, "%c%lld", '\0', (long long)m->comment_id);
	const size_t new_at = scratch->len + 1;
	buf_putc(scratch, '\0');
	if (m->new_paragraph && *m->new_version)
		/* TRANSLATORS: a paragraph's number in a version (its label), in the matrix's last column. */
		buf_printf(scratch, translate ? _("\u00b6%d of %s") : "\u00b6%d of %s", m->new_paragraph,
		           m->new_version);
	else if (m->new_paragraph)
		buf_printf(scratch, "\u00b6%d", m->new_paragraph);
	buf_putc(scratch, '\0');
	const bool ok = !scratch->failed;
	cells[0] = ok ? scratch->data + id_at : "";
	cells[1] = m->contributor;
	cells[2] = m->organization;
	cells[3] = m->category;
	cells[4] = country_name(m->country) ? country_name(m->country) : m->country;
	cells[5] = ok ? scratch->data : "";
	cells[6] = m->type;
	cells[7] = m->comment;
	cells[8] = m->proposed_change;
	cells[9] = matrix_decision_label(m->decision);
	cells[10] = m->reason;
	cells[11] = ok ? scratch->data + new_at : "";
}

struct html_ctx {
	struct request *r;
	struct buf scratch;
	size_t start;
	int shown;
	bool full;
};

static int html_row(const struct matrix_row *m, void *ctx)
{
	struct html_ctx *h = ctx;
	struct request *r = h->r;
	if (h->shown == MATRIX_PAGE_ROWS) { /* the one row asked beyond the page: there is a next page */
		h->full = true;
		return 1;
	}
	const size_t mark = r->out.len;
	const char *cells[NCOLUMNS];
	row_cells(&h->scratch, m, true, cells);
	html_printf(&r->out, "<tr id=\"c%L\">", (long long)m->comment_id);
	for (int i = 0; i < NCOLUMNS; i++)
		html_printf(&r->out, "<td>%s</td>", cells[i]);
	html_printf(&r->out, "</tr>\n");
	if (h->shown > 0 && (r->out.failed || r->out.len - h->start > LIMIT_PAGE_BYTES)) {
		buf_truncate(&r->out, mark);
		h->full = true;
		return 1;
	}
	h->shown++;
	return 0;
}

static void matrix_html(struct request *r, enum matrix_audience who)
{
	struct call c;
	if (!load_call(r, &c))
		return;
	const char *sort_arg = request_query(r, "sort");
	const enum matrix_sort sort = matrix_sort_parse(sort_arg);
	const char *sort_q = sort == MATRIX_BY_CONTRIBUTOR ? "contributor" : "paragraph";
	const char *qo = request_query(r, "offset");
	int64_t offset = 0;
	if (qo && !parse_id(qo, &offset))
		offset = 0;
	const char *base = who == MATRIX_SECRETARIAT
	                       ? arena_printf(&r->arena, "/office/calls/%lld/matrix", (long long)c.id)
	                       : arena_printf(&r->arena, "/calls/%lld/matrix", (long long)c.id);
	/* TRANSLATORS: the page's title; %s is a call for contributions. */
	const char *title = arena_printf(&r->arena, _("Resolution matrix \u2014 %s"), c.title);
	if (who == MATRIX_SECRETARIAT)
		office_begin(r, title, NULL);
	else
		page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("Resolution matrix"));
	if (who == MATRIX_SECRETARIAT)
		html_tr(&r->out,
		        "%s: every comment of every contribution (private, pending and hidden ones included), with the "
		        "answer "
		        "recorded so far.",
		        c.title);
	else
		html_tr(
		    &r->out,
		    "%s: every comment of the published contributions, with the secretariat's answer once the call's "
		    "dispositions are published.",
		    c.title);
	html_printf(&r->out, "</p>\n<p>");
	if (sort == MATRIX_BY_CONTRIBUTOR)
		html_tr(
		    &r->out,
		    "Sorted by contributor: <a href=\"%R?sort=paragraph\">by paragraph</a> (document order, general "
		    "comments last) \u00b7 <a href=\"%R?sort=contributor\">by contributor</a>.",
		    base, base);
	else
		html_tr(&r->out,
		        "Sorted by paragraph: <a href=\"%R?sort=paragraph\">by paragraph</a> (document order, general "
		        "comments "
		        "last) \u00b7 <a href=\"%R?sort=contributor\">by contributor</a>.",
		        base, base);
	html_printf(&r->out, " ");
	html_tr(&r->out, "Download: <a href=\"%R.csv?sort=%s\">CSV</a> \u00b7 <a href=\"%R.xlsx?sort=%s\">XLSX</a>.",
	        base, sort_q, base, sort_q);
	html_printf(&r->out, "</p>\n");
	/* On a phone the table scrolls inside its region, which the keyboard can reach (style.css). */
	html_printf(&r->out,
	            "<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"matrix-caption\" tabindex=\"0\">"
	            "<table class=\"matrix\">\n<caption id=\"matrix-caption\">%s</caption>\n<thead><tr>",
	            sort == MATRIX_BY_CONTRIBUTOR ? _("Comments and answers, by contributor")
	                                          : _("Comments and answers, by paragraph"));
	for (int i = 0; i < NCOLUMNS; i++)
		html_printf(&r->out, "<th scope=\"col\">%s</th>", _(columns[i]));
	html_printf(&r->out, "</tr></thead>\n<tbody>\n");
	struct html_ctx h = {.r = r, .start = r->out.len};
	buf_init(&h.scratch, LIMIT_RESPONSE);
	struct error e;
	error_clear(&e);
	const int got = matrix_each(r->db, c.id, who, sort, offset, MATRIX_PAGE_ROWS + 1, html_row, &h, &e);
	buf_free(&h.scratch);
	if (got < 0) {
		buf_reset(&r->out);
		page_error(r, &e);
		return;
	}
	html_printf(&r->out, "</tbody></table></div>\n");
	if (!h.shown && !offset)
		html_printf(&r->out, "<p>%s</p>\n", _("No comments yet."));
	/* TRANSLATORS: the name of the navigation between the parts of a long list. */
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages"));
	if (offset > 0)
		html_printf(&r->out, "<a href=\"%R?sort=%s\" rel=\"first\">%s</a> ", base, sort_q, _("First page"));
	if (h.full)
		html_printf(&r->out, "<a href=\"%R?sort=%s&amp;offset=%L\" rel=\"next\">%s</a>", base, sort_q,
		            (long long)(offset + h.shown), _("Next page"));
	html_printf(&r->out, "</nav>\n");
	page_end(r, 200);
}

struct file_ctx {
	struct request *r;
	struct table_file *t;
	struct buf scratch;
	struct error *e;
};

static int file_row(const struct matrix_row *m, void *ctx)
{
	struct file_ctx *f = ctx;
	const char *cells[NCOLUMNS];
	row_cells(&f->scratch, m, false, cells);
	return table_file_row(f->t, cells, NCOLUMNS, f->e) == 0 ? 0 : -1;
}

static void matrix_file(struct request *r, enum matrix_audience who, enum table_file_format format)
{
	struct call c;
	if (!load_call(r, &c))
		return;
	const enum matrix_sort sort = matrix_sort_parse(request_query(r, "sort"));
	struct error e;
	error_clear(&e);
	struct table_file *t = table_file_open(format, NULL, "Resolution matrix", &e);
	struct file_ctx f = {.r = r, .t = t, .e = &e};
	buf_init(&f.scratch, LIMIT_RESPONSE);
	int64_t size = 0;
	int fd = -1;
	const bool written = t && table_file_row(t, columns, NCOLUMNS, &e) == 0 &&
	                     matrix_each(r->db, c.id, who, sort, 0, -1, file_row, &f, &e) == 0;
	buf_free(&f.scratch);
	if (written)
		fd = table_file_finish(t, &size, &e); /* frees t, even when it fails */
	else
		table_file_abort(t);
	if (fd < 0) {
		if (!e.code)
			error_set(&e, ERROR_INTERNAL, "the matrix could not be written");
		page_error(r, &e);
		return;
	}
	r->out_file = true;
	r->out_fd = fd;
	r->out_fd_size = size;
	r->out_type = format == TABLE_FILE_CSV ? "text/csv; charset=utf-8"
	                                       : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	/* Only digits and ASCII letters in the name: nothing to quote or encode. */
	r->content_disposition =
	    arena_printf(&r->arena, "attachment; filename=\"matrix-call-%lld%s.%s\"", (long long)c.id,
	                 who == MATRIX_SECRETARIAT ? "-secretariat" : "", format == TABLE_FILE_CSV ? "csv" : "xlsx");
	r->status = 200;
}

void page_call_matrix(struct request *r)
{
	matrix_html(r, MATRIX_PUBLIC);
}
void page_call_matrix_csv(struct request *r)
{
	matrix_file(r, MATRIX_PUBLIC, TABLE_FILE_CSV);
}
void page_call_matrix_xlsx(struct request *r)
{
	matrix_file(r, MATRIX_PUBLIC, TABLE_FILE_XLSX);
}
void page_office_matrix(struct request *r)
{
	matrix_html(r, MATRIX_SECRETARIAT);
}
void page_office_matrix_csv(struct request *r)
{
	matrix_file(r, MATRIX_SECRETARIAT, TABLE_FILE_CSV);
}
void page_office_matrix_xlsx(struct request *r)
{
	matrix_file(r, MATRIX_SECRETARIAT, TABLE_FILE_XLSX);
}
