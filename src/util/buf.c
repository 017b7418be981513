/* buf — see buf.h. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len)
		b->len = len;
	b->failed = false;
	if (b->data)
		b->data[b->len] = '\0';
}

static int buf_reserve(struct buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (extra > b->max || b->len > b->max - extra) {
		b->failed = true;
		return -1;
	}
	size_t need = b->len + extra + 1; /* + NUL */
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	/* one character into room already there, without buf_append's checks (a mail's body goes by characters) */
	if (!b->failed && b->len < b->max && b->len + 2 <= b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	/* Formatted once, straight into the room the buffer has when it is ample, else into a buffer on the stack
	 * then copied: glibc writes what does not fit a vsnprintf (and all of a measure by vsnprintf(NULL, 0)) by
	 * a call per 64 bytes, and a text that did not fit was formatted again (a receipt's text, 3 times). */
	char small[1024];
	const size_t room = b->data && !b->failed && b->cap > b->len ? b->cap - b->len : 0;
	char *to = room >= sizeof small ? b->data + b->len : small;
	const size_t size = room >= sizeof small ? room : sizeof small;
	int n = vsnprintf(to, size, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n < size) {
		if (to == small)
			return buf_append(b, small, (size_t)n);
		if ((size_t)n <= b->max - b->len) {
			b->len += (size_t)n;
			return 0;
		}
	}
	if (room)
		b->data[b->len] = '\0'; /* what did not fit is not the buffer's */
	if (n < 0 || buf_reserve(b, (size_t)n) != 0) {
		b->failed = true;
		return -1;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *buf_steal(struct buf *b, size_t *len)
{
	char *p = b->data;
	if (len)
		*len = b->len;
	if (!p)
		p = calloc(1, 1);
	buf_init(b, b->max);
	return p;
}
