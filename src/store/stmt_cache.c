/*
 * stmt_cache — see stmt_cache.h.
 */
#include "store/stmt_cache.h"

#include <stdint.h>
#include <stdlib.h>

/* Slots of the first table (a power of two). */
enum { STMT_CACHE_FIRST = 64 };

/* The first slot to look at for sql: the address mixed (Fibonacci hashing) so that strings laid out a few bytes
 * apart spread over the table. */
static size_t stmt_cache_home(const char *sql, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(h >> 32) & (cap - 1);
}

/* The slot of sql in a table that has one (cap > 0): its own, or the first free one after its home. */
static struct stmt_cache_slot *stmt_cache_probe(const struct stmt_cache *c, const char *sql)
{
	size_t i = stmt_cache_home(sql, c->cap);
	while (c->slots[i].sql && c->slots[i].sql != sql)
		i = (i + 1) & (c->cap - 1);
	return &c->slots[i];
}

/* Doubles the table (or makes the first one); -1 if out of memory, the old table intact. */
static int stmt_cache_grow(struct stmt_cache *c)
{
	struct stmt_cache bigger = {.cap = c->cap ? c->cap * 2 : STMT_CACHE_FIRST, .used = c->used};
	bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
	if (!bigger.slots)
		return -1;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].sql)
			*stmt_cache_probe(&bigger, c->slots[i].sql) = c->slots[i];
	free(c->slots);
	*c = bigger;
	return 0;
}

struct stmt_cache_slot *stmt_cache_slot(struct stmt_cache *c, const char *sql)
{
	if (c->cap) {
		struct stmt_cache_slot *slot = stmt_cache_probe(c, sql);
		if (slot->sql)
			return slot;
	}
	if ((c->used + 1) * 2 > c->cap && stmt_cache_grow(c) != 0)
		return NULL;
	return stmt_cache_probe(c, sql);
}

void stmt_cache_put(struct stmt_cache *c, struct stmt_cache_slot *slot, const char *sql, void *stmt)
{
	slot->sql = sql;
	slot->stmt = stmt;
	c->used++;
}

void stmt_cache_free(struct stmt_cache *c, void (*finalize)(void *stmt))
{
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].sql)
			finalize(c->slots[i].stmt);
	free(c->slots);
	*c = (struct stmt_cache){0};
}
