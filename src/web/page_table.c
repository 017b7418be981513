/* page_table — see page_table.h. */
#include "util/i18n.h"
#include "web/page_table.h"

#include "core/limits.h"
#include "core/paragraph.h"
#include "render/html.h"
#include "web/form.h"

#include <string.h>

void page_table_field(struct request *r, const struct error *e)
{
	const char *err = e ? error_field_message(e, "table") : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-table\">%s</label>\n<p class=\"hint\" id=\"h-table\">",
	            err ? " invalid" : "", _("A filled comment table (XLSX, CSV or Word)"));
	html_tr_n(&r->out,
	          "Optional. The ISO/IEC or ITU comment template, or any table whose header row names its columns in "
	          "English or French: paragraph (\u00b6N), type of comment (ge, te, ed), comments, proposed change. Each "
	          "row becomes a comment; at most %d row.",
	          "Optional. The ISO/IEC or ITU comment template, or any table whose header row names its columns in "
	          "English or French: paragraph (\u00b6N), type of comment (ge, te, ed), comments, proposed change. Each "
	          "row becomes a comment; at most %d rows.",
	          (unsigned long)LIMIT_TABLE_ROWS, LIMIT_TABLE_ROWS);
	html_printf(&r->out, "</p>\n");
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-table\">%s</p>\n", err);
	html_printf(&r->out,
	            "<input type=\"file\" id=\"f-table\" name=\"table\" "
	            "accept=\".xlsx,.csv,.txt,.docx,text/csv,application/"
	            "vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/"
	            "vnd.openxmlformats-officedocument.wordprocessingml.document\" aria-describedby=\"%s\"%R></div>\n",
	            err ? "e-table h-table" : "h-table", err ? " aria-invalid=\"true\"" : "");
}

int page_table_read(struct request *r, int64_t version_id, struct contribution_input *in, struct comment_table *t,
                    struct error *e)
{
	memset(t, 0, sizeof *t);
	const struct form_file *file = r->form ? form_file(r->form, "table") : NULL;
	if (!file || file->len == 0)
		return 0;
	struct paragraph *paragraphs = NULL;
	int n = 0;
	if (paragraph_list(r->db, &r->arena, version_id, &paragraphs, &n, e) != 0)
		return -1;
	if (comment_table_read(&r->arena, file->data, file->len, file->filename, paragraphs, n, "table", t, NULL, e) !=
	    0)
		return -1;
	in->table_report = t->nrows ? comment_table_report(&r->arena, t, NULL) : NULL;
	/* After the comments typed on the form, if any: both are the contribution's. */
	if (in->ncomments == 0) {
		in->comments = t->comments;
		in->ncomments = t->ncomments;
		return 0;
	}
	struct comment_input *all = arena_alloc(&r->arena, sizeof *all * (size_t)(in->ncomments + t->ncomments + 1));
	if (!all) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	memcpy(all, in->comments, sizeof *all * (size_t)in->ncomments);
	memcpy(all + in->ncomments, t->comments, sizeof *all * (size_t)t->ncomments);
	in->comments = all;
	in->ncomments += t->ncomments;
	return 0;
}

void page_table_report(struct request *r, const struct comment_table *t, bool sent)
{
	if (!t || t->nrows == 0)
		return;
	html_printf(&r->out,
	            "<section class=\"table-report\" aria-labelledby=\"table-report\">"
	            "<h2 id=\"table-report\">%s</h2>\n<p>",
	            _("Your comment table"));
	const unsigned long n = (unsigned long)t->ncomments;
	const char *format = sheet_format_name(t->format);
	if (sent)
		html_tr_n(&r->out, "%d comment taken from the %s table (header in row %d). What was understood of each row:",
		          "%d comments taken from the %s table (header in row %d). What was understood of each row:", n,
		          t->ncomments, format, t->header_row);
	else
		html_tr_n(&r->out,
		          "%d comment taken from the %s table (header in row %d), but not sent with the rest of the form: "
		          "choose the file again when you send it. What was understood of each row:",
		          "%d comments taken from the %s table (header in row %d), but not sent with the rest of the form: "
		          "choose the file again when you send it. What was understood of each row:",
		          n, t->ncomments, format, t->header_row);
	html_printf(&r->out, "</p>\n<ul>\n");
	for (int i = 0; i < t->nrows; i++) {
		html_printf(&r->out, "<li>");
		html_tr(&r->out, "Row %d: %s", t->rows[i].row, t->rows[i].understood);
		html_printf(&r->out, "</li>\n");
	}
	html_printf(&r->out, "</ul>\n</section>\n");
}
