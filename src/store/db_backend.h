/*
 * db_backend — what each backend of db.h provides (private to src/store).
 *
 * db.c holds the one table of the backend chosen by db_configure() (a process
 * speaks to one database) and forwards each call of db.h to it. The
 * functions mean what their namesakes in db.h say; a backend's struct db and
 * struct db_stmt are its own. db_collect() and db_collect_one() are written
 * once in db.c on top of these.
 */
#ifndef CONSULTA_STORE_DB_BACKEND_H
#define CONSULTA_STORE_DB_BACKEND_H

#include "store/db.h"

struct db_backend {
	int (*configure)(const char *url, struct error *e);
	const char *(*path)(void);
	struct db *(*thread)(struct error *e);
	void (*thread_close)(void);
	int (*change_mark)(struct db *db, struct db_mark *out);
	struct db_stmt *(*stmt)(struct db *db, const char *sql, struct error *e);
	void (*bind_text)(struct db_stmt *st, int i, const char *s);
	void (*bind_int)(struct db_stmt *st, int i, int64_t v);
	void (*bind_null)(struct db_stmt *st, int i);
	void (*bind_blob)(struct db_stmt *st, int i, const void *p, size_t n);
	enum db_step (*step)(struct db_stmt *st, struct error *e);
	const char *(*col_text)(struct db_stmt *st, int i);
	char *(*col_dup)(struct db_stmt *st, int i, struct arena *a, bool *failed);
	int64_t (*col_int)(struct db_stmt *st, int i);
	bool (*col_null)(struct db_stmt *st, int i);
	const void *(*col_blob)(struct db_stmt *st, int i, size_t *n);
	void (*reset)(struct db_stmt *st);
	int (*changes)(struct db *db);
	bool (*unique_violation)(struct db *db);
	int (*begin)(struct db *db, struct error *e);
	int (*commit)(struct db *db, struct error *e);
	void (*rollback)(struct db *db);
	int (*read_begin)(struct db *db, struct error *e);
	void (*read_end)(struct db *db);
	int (*migrate)(struct db *db, struct error *e);
};

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_pg_backend;

/* db_backup() for SQLite: db is a connection of that backend. */
int db_sqlite_backup(struct db *db, const char *path, int64_t *pages, struct error *e);

/* For db_pg.c's unit test: SQLite's placeholders (?, ?NNN) as PostgreSQL's ($N), *nparams the largest N;
 * and a migration's SQLite DDL in PostgreSQL's dialect (the rules in db.h). Each malloc'd, NULL if out of
 * memory. */
char *db_pg_placeholders(const char *sql, int *nparams);
char *db_pg_dialect(const char *sql);

#endif
