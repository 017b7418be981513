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
/*
 * A sentence in the reader's language, with its values and markup: html_tr(b, "msgid", args...) looks the
 * literal msgid up in the thread's language (util/i18n.h) and fills the translation's directives as
 * html_printf() does. The catalogue is trusted like a format (it is ours, checked by the build), so a
 * translation may hold markup; it may reorder the values with positional directives ("%2$s … %1$s"), each
 * of which must name a value of the same kind as the msgid's directive in that place. A translation whose
 * directives do not fit the msgid's (a value of another kind, a value left out, one too many) is not used:
 * the msgid is, and scripts/po.py refuses such a catalogue at build time. Give the translator the whole
 * sentence — "Sent by %s on %s" — never pieces glued together.
 * html_tr_n(b, "one", "many", n, args...) picks the plural form for n (the args follow n; a form may leave
 * a value out, e.g. Arabic's form for 1 often has no number).
 */
#define html_tr(b, ...)                  html_tr_checked((b), "" __VA_ARGS__)
#define html_tr_n(b, one, many, n, ...) html_tr_n_checked((b), "" one, "" many, (n), __VA_ARGS__)
void html_tr_checked(struct buf *b, const char *msgid, ...);
void html_tr_n_checked(struct buf *b, const char *one, const char *many, unsigned long n, ...);
void html_escape(struct buf *b, const char *s);
void html_url_escape(struct buf *b, const char *s);

#endif
