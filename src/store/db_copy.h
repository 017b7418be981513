/*
 * db_copy — `consulta migrate-db`: an installation's data moved from one database to another (SQLite to
 * PostgreSQL, or back), and verified.
 *
 * The copy reads the source in one read transaction (one snapshot, so a server may keep running on it:
 * what it writes after the snapshot is not copied), and writes the target in one transaction, table by
 * table in the order of their foreign keys (a referenced table first), each table's rows in the order of
 * its primary key. The target must be a new, empty database (no table at all, or only the empty tables
 * `consulta init` made): it gets this program's schema (db_migrate) first, and the source must be at the same schema
 * version (the same migrations). On PostgreSQL the identity sequences then start after the largest id copied, so new
 * rows never collide.
 *
 * Verification is by table: the number of rows and a SHA-256 over its rows in primary-key order, each
 * value in one canonical form on both backends (NULL; an integer in decimal; a text's or a blob's length
 * and bytes), computed on the source while it is read and on the target by reading it back.
 */
#ifndef CONSULTA_STORE_DB_COPY_H
#define CONSULTA_STORE_DB_COPY_H

#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

enum { DB_COPY_SUM_HEX = 65 };

struct db_copy_table {
	const char *name;
	int64_t source_rows, target_rows;
	char source_sum[DB_COPY_SUM_HEX], target_sum[DB_COPY_SUM_HEX]; /* SHA-256 in hex */
};

struct db_copy_result {
	const char *from, *to; /* as shown: a password masked */
	struct db_copy_table *tables;
	int ntables;
	int64_t rows; /* in the source */
	bool copied;  /* false with check_only */
	bool equal;   /* every count and checksum equal */
};

/* Copies every table of the database at URL from (sqlite:PATH or postgresql://...) into the new, empty
 * database at URL to, then reads both and compares; with check_only, copies nothing and only compares two
 * databases of the same schema (after a copy, or to find that one was changed). 0 with *out filled (its
 * strings in a) whether or not the two are equal (see out->equal); -1 with e filled when the copy cannot be
 * made or checked: a URL that is not a database's, a database that cannot be opened, a target that is not
 * empty, schemas that differ. A failed copy leaves the target's tables empty (one transaction). */
int db_copy(const char *from, const char *to, bool check_only, struct arena *a, struct db_copy_result *out,
            struct error *e);

#endif
