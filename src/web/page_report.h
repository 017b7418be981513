/*
 * page_report — the report to the governing body (core/report.h) as one HTML
 * document, for the public page (/processes/{slug}/report), the PDF
 * (WeasyPrint lays out this same document) and `consulta report`.
 *
 * The document carries its own print stylesheet (src/static/report.css): A4
 * pages numbered "N / M", a table of contents whose entries carry the page
 * numbers (target-counter), tables whose header row repeats and whose rows do
 * not split, and the Noto fonts named so that Arabic and Chinese text render.
 */
#ifndef CONSULTA_WEB_PAGE_REPORT_H
#define CONSULTA_WEB_PAGE_REPORT_H

#include "core/report.h"
#include "util/arena.h"
#include "web/request.h"
#include "util/buf.h"

#include <stdbool.h>

struct report_html_options {
	/* The stylesheet inside the document (a file that stands alone: the PDF, the command line), rather than
	 * linked as /static/report.css (the site's Content-Security-Policy allows no inline style). */
	bool css_inline;
	/* The newest kept PDF, named with its SHA-256 and address (the web page), or NULL (the PDF itself). */
	const struct report_file *latest;
};

/* Writes rep as one HTML document to b; scratch text goes into a. */
void report_html(struct buf *b, struct arena *a, const struct report *rep, const struct report_html_options *opt);

/* The address of a kept PDF: /processes/{slug}/reports/{id}.pdf, in a. */
const char *report_file_path(struct arena *a, const char *slug, int64_t id);

/* The office page's section of the report (page_office.c): the public report, the button that makes a PDF, and
 * the PDFs kept, each with its SHA-256 (a failure to make one is in the page's error summary). */
void office_report_section(struct request *r, const struct process *p);

#endif
