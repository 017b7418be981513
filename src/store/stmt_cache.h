/*
 * stmt_cache — the prepared statements of one database connection, found by the address of their SQL.
 *
 * Every statement's SQL is a static string, so its address names it: an open-addressing hash table keyed by
 * that address (linear probing, a power-of-two number of slots, doubled whenever it would become more than
 * half full, so it holds every statement the program has, however many that becomes) finds a statement
 * without reading its text. Both backends keep their statements in one (db_sqlite.c, db_pg.c); what a
 * statement is, and how it is finalized, is theirs. One table belongs to one connection, so to one thread.
 */
#ifndef CONSULTA_STORE_STMT_CACHE_H
#define CONSULTA_STORE_STMT_CACHE_H

#include <stddef.h>

struct stmt_cache_slot {
	const char *sql; /* identity: the address of a static string; NULL for a free slot */
	void *stmt;
};

struct stmt_cache {
	struct stmt_cache_slot *slots; /* `cap` of them, a power of two; NULL before the first statement */
	size_t used, cap;
};

/* The slot of sql: the one that holds its statement (slot->sql == sql), or else the free slot where its
 * statement goes, room made first, so that a statement once prepared always has a slot (the slot stays free
 * until stmt_cache_put). NULL if out of memory; the table is then as it was. */
struct stmt_cache_slot *stmt_cache_slot(struct stmt_cache *c, const char *sql);

/* Keeps stmt as sql's statement, in the free slot stmt_cache_slot() gave for it (nothing put in between). */
void stmt_cache_put(struct stmt_cache *c, struct stmt_cache_slot *slot, const char *sql, void *stmt);

/* Finalizes each statement with finalize, and frees the table (which is empty again after). */
void stmt_cache_free(struct stmt_cache *c, void (*finalize)(void *stmt));

#endif
