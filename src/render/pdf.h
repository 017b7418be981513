/*
 * pdf — an HTML document laid out as PDF, by WeasyPrint.
 *
 * The report to the governing body is one HTML page with its own print
 * stylesheet (A4 pages, page numbers, a table of contents); WeasyPrint
 * (Debian's package) lays it out, fonts and shaping included (Arabic, Chinese),
 * so that nothing here lays out text by hand. It is run directly through
 * util/run.c (never through a shell), with the HTML on its standard input and
 * the PDF read from its standard output, under the caller's limits (render is
 * a leaf; the core passes core/limits.h's). The HTML given must be
 * self-contained: it is laid out without a base address, and ours refers to
 * no image, stylesheet or font by address, so WeasyPrint fetches nothing.
 *
 * Callers lay out before they open a write transaction: it takes seconds.
 */
#ifndef CONSULTA_RENDER_PDF_H
#define CONSULTA_RENDER_PDF_H

#include "util/arena.h"
#include "util/error.h"

#include <stddef.h>

struct pdf_limits {
	size_t max_out; /* bytes of PDF WeasyPrint may write */
	int seconds;    /* wall-clock (and CPU) seconds it may take */
	size_t memory;  /* bytes of address space it may map */
};

/* Lays out the len bytes of html (UTF-8) as PDF in *pdf (*pdf_len bytes, in the arena), within lim.
 * Errors, each written for the person who asked (error_say): ERROR_UNAVAILABLE when WeasyPrint is not
 * installed, took longer than lim->seconds, wrote more than lim->max_out, failed, or other layouts use
 * every slot (try again). */
int pdf_from_html(struct arena *a, const char *html, size_t len, const struct pdf_limits *lim, const void **pdf,
                  size_t *pdf_len, struct error *e);

#endif
