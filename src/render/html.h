/*
 * html — the only way text reaches a page.
 *
 * html_printf() takes a format in which the ordinary directive escapes:
 *   %s   text, escaped for HTML element content and quoted attribute values
 *   %u   text, percent-encoded for one URL path segment or query value
 *   %d   int          %L   long long (int64_t)
 *   %R   raw HTML, trusted (rendered Markdown, our own fragments): grep for it
 *   %%   a percent sign
 * A NULL string prints as nothing. The format itself is trusted, and the
 * compiler makes sure it is a string literal: html_printf is a macro that
 * writes "" in front of it, and "" next to a variable is a syntax error, so
 * text from anywhere else can only come in through an escaping directive
 * (tests/compile/ holds a file that must not compile).
 */
#ifndef CONSULTA_RENDER_HTML_H
#define CONSULTA_RENDER_HTML_H

#include "util/buf.h"

/* Appends fmt with its directives filled to b. Call it as html_printf(b, "literal", ...). */
#define html_printf(b, ...) html_printf_checked((b), "" __VA_ARGS__)
void html_printf_checked(struct buf *b, const char *fmt, ...);
void html_escape(struct buf *b, const char *s);
void html_url_escape(struct buf *b, const char *s);

#endif
