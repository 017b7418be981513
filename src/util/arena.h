/*
 * arena — memory that lives as long as one request (or one command).
 *
 * Everything a request makes comes from its arena and is freed in one go when
 * the response has been handed over, so handlers never free piecemeal and
 * cannot leak. Allocation failure returns NULL like malloc.
 */
#ifndef CONSULTA_UTIL_ARENA_H
#define CONSULTA_UTIL_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);       /* zeroed, aligned for any type */
char *arena_strdup(struct arena *a, const char *s); /* NULL in, NULL out */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Appends one zeroed element of `size` bytes to the array *items (n used, *cap
 * allocated), growing it inside the arena; returns the new element or NULL. */
void *arena_push(struct arena *a, void **items, int *n, int *cap, size_t size);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fault injection for tests only (the program never calls these): the nth
 * arena_alloc() from now on, on the calling thread, returns NULL as if memory
 * had run out; 0 plans no failure. A torture test fails each allocation of an
 * operation in turn, as SQLite's and curl's do. */
void arena_test_fail_at(long n);
/* Allocations still to go before the planned failure; 0 once it has happened
 * (or when none is planned), so a torture loop knows when it has gone past
 * the operation's last allocation. */
long arena_test_pending(void);

#endif
