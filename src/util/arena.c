/* arena — see arena.h. Blocks of at least 16 KiB, bigger requests get their own. */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_BLOCK_SIZE = 16 * 1024 };

/* arena_test_fail_at()'s countdown; per thread, so a test's plan never
 * touches another thread's allocations. Zero in the program. */
static _Thread_local long arena_fail_countdown;

void arena_test_fail_at(long n)
{
	arena_fail_countdown = n > 0 ? n : 0;
}

long arena_test_pending(void)
{
	return arena_fail_countdown;
}

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

void arena_init(struct arena *a)
{
	a->head = NULL;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	if (arena_fail_countdown > 0 && --arena_fail_countdown == 0)
		return NULL;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK_SIZE ? n : ARENA_BLOCK_SIZE;
		b = malloc(sizeof *b + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		/* A big one-off block goes behind the head so the head's free space stays usable. */
		if (a->head && n > ARENA_BLOCK_SIZE) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	/* Formatted once into a buffer on the stack, then copied: a text that fits (most, a receipt mail's body too)
	 * is not formatted twice, and measuring by vsnprintf(NULL, 0) costs glibc a call per 64 bytes written. */
	char small[4096];
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	char *p = n < 0 ? NULL : arena_alloc(a, (size_t)n + 1);
	if (p && (size_t)n < sizeof small)
		memcpy(p, small, (size_t)n + 1);
	else if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *arena_push(struct arena *a, void **items, int *n, int *cap, size_t size)
{
	if (*n == *cap) {
		int newcap = *cap ? *cap * 2 : 8;
		void *grown = arena_alloc(a, (size_t)newcap * size);
		if (!grown)
			return NULL;
		if (*n)
			memcpy(grown, *items, (size_t)*n * size);
		*items = grown;
		*cap = newcap;
	}
	void *slot = (char *)*items + (size_t)(*n) * size;
	(*n)++;
	memset(slot, 0, size);
	return slot;
}
