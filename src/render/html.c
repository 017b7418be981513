/* html — see html.h. */
#include "render/html.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "util/i18n.h"

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

/* A sentence has at most this many values; a msgid with more is a programming error (shown as "%?"). */
enum { TR_MAX_VALUES = 9 };

struct tr_value {
	char kind; /* the directive's letter: s u d L R */
	union {
		const char *text;
		int i;
		long long ll;
	} v;
};

static bool tr_kind(char c)
{
	return c == 's' || c == 'u' || c == 'd' || c == 'L' || c == 'R';
}

/* The directive at p (just after a '%'): its value's place (0-based; -1 for "%%") and its letter; *next points
 * past it. place < -1 for a malformed one. A sequential directive takes *seq's place and advances it; a
 * positional one ("%2$s") names its own; a text mixing the two is malformed (as printf has it). */
static int tr_directive(const char *p, int *seq, bool *positional, bool *sequential, char *kind, const char **next)
{
	if (*p == '%') {
		*next = p + 1;
		return -1;
	}
	int place;
	if (*p >= '1' && *p <= '9' && p[1] == '$') {
		place = *p - '1';
		*positional = true;
		p += 2;
	} else {
		place = (*seq)++;
		*sequential = true;
	}
	if (!tr_kind(*p) || (*positional && *sequential) || place >= TR_MAX_VALUES)
		return -2;
	*kind = *p;
	*next = p + 1;
	return place;
}

/* Whether text's directives fit the values: each names one that exists, of its kind; with all_used, each value
 * is named at least once. */
static bool tr_fits(const char *text, const struct tr_value *values, int nvalues, bool all_used)
{
	bool used[TR_MAX_VALUES] = {false};
	bool positional = false, sequential = false;
	int seq = 0;
	for (const char *p = text; (p = strchr(p, '%'));) {
		char kind = 0;
		int place = tr_directive(p + 1, &seq, &positional, &sequential, &kind, &p);
		if (place == -1)
			continue;
		if (place < 0 || place >= nvalues || values[place].kind != kind)
			return false;
		used[place] = true;
	}
	for (int i = 0; all_used && i < nvalues; i++)
		if (!used[i])
			return false;
	return true;
}

/* Reads the values msgid's directives ask for, in its order; the count, or -1 if msgid is malformed. */
static int tr_read(const char *msgid, struct tr_value *values, va_list ap)
{
	bool positional = false, sequential = false;
	int seq = 0, n = 0;
	for (const char *p = msgid; (p = strchr(p, '%'));) {
		char kind = 0;
		int place = tr_directive(p + 1, &seq, &positional, &sequential, &kind, &p);
		if (place == -1)
			continue;
		if (place < 0 || positional) /* a msgid's values come in the code's order */
			return -1;
		values[n].kind = kind;
		switch (kind) {
		case 'd': values[n].v.i = va_arg(ap, int); break;
		case 'L': values[n].v.ll = va_arg(ap, long long); break;
		default: values[n].v.text = va_arg(ap, const char *); break;
		}
		n++;
	}
	return n;
}

static void tr_write(struct buf *b, const char *text, const struct tr_value *values)
{
	bool positional = false, sequential = false;
	int seq = 0;
	const char *run = text;
	for (const char *p = text; (p = strchr(p, '%'));) {
		buf_append(b, run, (size_t)(p - run));
		char kind = 0;
		int place = tr_directive(p + 1, &seq, &positional, &sequential, &kind, &p);
		run = p;
		if (place == -1) {
			buf_putc(b, '%');
			continue;
		}
		const struct tr_value *v = &values[place];
		switch (kind) {
		case 's': html_escape(b, v->v.text); break;
		case 'u': html_url_escape(b, v->v.text); break;
		case 'd': buf_printf(b, "%d", v->v.i); break;
		case 'L': buf_printf(b, "%lld", v->v.ll); break;
		default:
			if (v->v.text)
				buf_puts(b, v->v.text);
			break;
		}
	}
	buf_puts(b, run);
}

/* Fills the translation when it fits the values, else the English text (which the values were read for). */
static void tr_fill(struct buf *b, const char *english, const char *translated, const struct tr_value *values,
		    int nvalues, bool all_used)
{
	if (nvalues < 0) {
		buf_puts(b, "%?");
		return;
	}
	tr_write(b, tr_fits(translated, values, nvalues, all_used) ? translated : english, values);
}

void html_tr_checked(struct buf *b, const char *msgid, ...)
{
	struct tr_value values[TR_MAX_VALUES];
	va_list ap;
	va_start(ap, msgid);
	int n = tr_read(msgid, values, ap);
	va_end(ap);
	tr_fill(b, msgid, _(msgid), values, n, true);
}

void html_tr_n_checked(struct buf *b, const char *one, const char *many, unsigned long n, ...)
{
	struct tr_value values[TR_MAX_VALUES];
	va_list ap;
	va_start(ap, n);
	/* The values are those of the plural msgid (the singular may leave the number out). */
	int nvalues = tr_read(many, values, ap);
	va_end(ap);
	const char *english = n == 1 && tr_fits(one, values, nvalues, false) ? one : many;
	tr_fill(b, english, i18n_n(one, many, n), values, nvalues, false);
}
