/*
 * buf — a growable byte buffer with a ceiling.
 *
 * Every buffer is created with the largest size it may reach, so that "too
 * large" is an error the caller sees (buf.failed) rather than memory that
 * grows without end. Appends after a failure are ignored, which lets a writer
 * make many appends and check once at the end. The data is always
 * NUL-terminated when non-empty.
 */
#ifndef CONSULTA_UTIL_BUF_H
#define CONSULTA_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;  /* the ceiling: len never exceeds it */
	bool failed; /* an append was refused (ceiling or out of memory) */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);

/* Appends n bytes; returns 0, or -1 (and sets failed) past the ceiling. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Cuts b back to its first len bytes (len <= b->len), as it was when it had them: a writer that went
 * past a budget takes back its last piece. Clears failed. */
void buf_truncate(struct buf *b, size_t len);

/* Hands the data to the caller (to free()) and leaves b empty. */
char *buf_steal(struct buf *b, size_t *len);

#endif
