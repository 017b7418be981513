/* html — see html.h. */
#include "render/html.h"

#include <stdarg.h>
#include <string.h>

void html_escape(struct buf *b, const char *s)
{
	if (!s)
		return;
	const char *run = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

void html_url_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_append(b, enc, 3);
		}
	}
}

void html_printf_checked(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *run = fmt;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		buf_append(b, run, (size_t)(p - run));
		p++;
		switch (*p) {
		case 's': html_escape(b, va_arg(ap, const char *)); break;
		case 'u': html_url_escape(b, va_arg(ap, const char *)); break;
		case 'd': buf_printf(b, "%d", va_arg(ap, int)); break;
		case 'L': buf_printf(b, "%lld", va_arg(ap, long long)); break;
		case 'R': {
			const char *raw = va_arg(ap, const char *);
			if (raw)
				buf_puts(b, raw);
			break;
		}
		case '%': buf_putc(b, '%'); break;
		default:
			/* An unknown directive is a programming error; show it rather than guess the argument. */
			buf_puts(b, "%?");
			if (!*p)
				p--;
			break;
		}
		run = p + 1;
	}
	buf_append(b, run, strlen(run));
	va_end(ap);
}
