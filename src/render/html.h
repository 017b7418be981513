/*
 * html — the only way text reaches a page.
 *
 * html_printf() takes a format in which the ordinary directive escapes:
 *   %s   text, escaped for HTML element content and quoted attribute values
 *   %u   text, percent-encoded for one URL path segment or query value
 *   %d   int          %L   long long (int64_t)
 *   %R   raw HTML, trusted (rendered Markdown, our own fragments): grep for it
 *   %%   a percent sign
 * A NULL string prints as nothing. The format itself is trusted (a literal).
 */
#ifndef CONSULTA_RENDER_HTML_H
#define CONSULTA_RENDER_HTML_H

#include "util/buf.h"

void html_printf(struct buf *b, const char *fmt, ...);
void html_escape(struct buf *b, const char *s);
void html_url_escape(struct buf *b, const char *s);

#endif
