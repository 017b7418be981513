/* db — see db.h. The choice of backend (by the URL's scheme), and what all backends share. */
#include "store/db.h"

#include "store/db_backend.h"

#include <string.h>
#include <unistd.h>

/* Set once by db_configure(), before any thread: read-only afterwards. */
static const struct db_backend *backend = &db_sqlite_backend;

int db_configure(const char *url, struct error *e)
{
	if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11))
		backend = &db_pg_backend;
	else if (!strncmp(url, "sqlite:", 7))
		backend = &db_sqlite_backend;
	else {
		error_set(
		    e, ERROR_INVALID,
		    "database URL '%s' is not supported: use sqlite:PATH or postgresql://[USER@]HOST[:PORT]/DBNAME",
		    url);
		return -1;
	}
	return backend->configure(url, e);
}

enum db_dialect db_dialect(void)
{
	return backend == &db_pg_backend ? DB_POSTGRESQL : DB_SQLITE;
}

const char *db_path(void)
{
	return backend->path();
}

struct db *db_thread(struct error *e)
{
	return backend->thread(e);
}

void db_thread_close(void)
{
	backend->thread_close();
}

int db_backup(const char *path, int64_t *pages, struct error *e)
{
	*pages = 0;
	if (backend != &db_sqlite_backend) {
		error_set(e, ERROR_INVALID,
		          "backup copies a SQLite database; back PostgreSQL up with its own tools (pg_basebackup, "
		          "pg_dump: docs/DEPLOY.md)");
		return -1;
	}
	/* Opening a connection would make an empty database where there was none: a wrong path is said. */
	if (access(db_path(), F_OK) != 0) {
		error_set(e, ERROR_NOT_FOUND, "There is no database at %s.", db_path());
		return -1;
	}
	struct db *db = db_thread(e);
	return db ? db_sqlite_backup(db, path, pages, e) : -1;
}

int db_refresh_statistics(struct db *db, struct error *e)
{
	/* One round trip when nothing is due (the statistics views are in PostgreSQL's shared memory); n_mod_since_
	 * analyze counts what each session has reported, at most about a second late. */
	static const char sql[] =
	    "DO $$DECLARE r RECORD; BEGIN FOR r IN SELECT s.schemaname, s.relname FROM pg_stat_user_tables s "
	    "JOIN pg_class c ON c.oid = s.relid WHERE s.n_mod_since_analyze >= 1000 "
	    "AND s.n_mod_since_analyze >= 0.2 * GREATEST(c.reltuples, 0) LOOP "
	    "EXECUTE format('ANALYZE (SKIP_LOCKED) %I.%I', r.schemaname, r.relname); END LOOP; END$$";
	if (db_dialect() != DB_POSTGRESQL)
		return 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	return st ? db_exec_stmt(st, e) : -1;
}

int db_int_of(struct db *db, const char *sql, int64_t param, int64_t *out, struct error *e)
{
	*out = 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, param);
	const enum db_step r = db_step(st, e);
	if (r == DB_ROW && !db_col_null(st, 0))
		*out = db_col_int(st, 0);
	db_reset(st);
	return r == DB_FAIL ? -1 : 0;
}

int db_any_row(struct db *db, const char *sql, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	const enum db_step r = db_step(st, e);
	db_reset(st);
	return r == DB_ROW ? 1 : r == DB_DONE ? 0 : -1;
}

int db_cache_size(struct db *db, enum db_cache size, struct error *e)
{
	if (db_dialect() != DB_SQLITE)
		return 0;
	/* negative: in KiB */
	const char *sql = size == DB_CACHE_64_MIB ? "PRAGMA cache_size = -65536" : "PRAGMA cache_size = -32768";
	struct db_stmt *st = db_stmt(db, sql, e);
	return st ? db_exec_stmt(st, e) : -1;
}

int db_change_mark(struct db *db, struct db_mark *out)
{
	return backend->change_mark(db, out);
}

/* Per thread, so that a test counts its own statements while other threads (the writer, the workers) run. */
static _Thread_local uint64_t statements;

uint64_t db_statements(void)
{
	return statements;
}

struct db_stmt *db_stmt(struct db *db, const char *sql, struct error *e)
{
	statements++;
	return backend->stmt(db, sql, e);
}

void db_bind_text(struct db_stmt *st, int i, const char *s)
{
	backend->bind_text(st, i, s);
}

void db_bind_int(struct db_stmt *st, int i, int64_t v)
{
	backend->bind_int(st, i, v);
}

void db_bind_null(struct db_stmt *st, int i)
{
	backend->bind_null(st, i);
}

void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	backend->bind_blob(st, i, p, n);
}

enum db_step db_step(struct db_stmt *st, struct error *e)
{
	return backend->step(st, e);
}

int db_exec_stmt(struct db_stmt *st, struct error *e)
{
	enum db_step r = backend->step(st, e);
	backend->reset(st);
	return r == DB_FAIL ? -1 : 0;
}

int db_insert_id(struct db_stmt *st, int64_t *id, struct error *e)
{
	enum db_step r = backend->step(st, e);
	if (r == DB_ROW)
		*id = backend->col_int(st, 0);
	backend->reset(st);
	if (r == DB_DONE)
		error_set(e, ERROR_INTERNAL, "database error: an insert returned no id");
	return r == DB_ROW ? 0 : -1;
}

const char *db_col_text(struct db_stmt *st, int i)
{
	return backend->col_text(st, i);
}

char *db_col_dup(struct db_stmt *st, int i, struct arena *a, bool *failed)
{
	return backend->col_dup(st, i, a, failed);
}

int64_t db_col_int(struct db_stmt *st, int i)
{
	return backend->col_int(st, i);
}

bool db_col_null(struct db_stmt *st, int i)
{
	return backend->col_null(st, i);
}

const void *db_col_blob(struct db_stmt *st, int i, size_t *n)
{
	return backend->col_blob(st, i, n);
}

void db_reset(struct db_stmt *st)
{
	backend->reset(st);
}

int db_changes(struct db *db)
{
	return backend->changes(db);
}

bool db_unique_violation(struct db *db)
{
	return backend->unique_violation(db);
}

int db_begin(struct db *db, struct error *e)
{
	return backend->begin(db, e);
}

int db_commit(struct db *db, struct error *e)
{
	return backend->commit(db, e);
}

void db_rollback(struct db *db)
{
	backend->rollback(db);
}

int db_read_begin(struct db *db, struct error *e)
{
	return backend->read_begin(db, e);
}

void db_read_end(struct db *db)
{
	backend->read_end(db);
}

int db_migrate(struct db *db, struct error *e)
{
	return backend->migrate(db, e);
}

/* The error of a failed row fill: memory, or a stored value no enum knows (a newer program's data, or a
 * hand edit), which trying again will not cure. */
static void fill_failed(int rc, struct error *e)
{
	if (rc == DB_FILL_UNKNOWN)
		error_set(e, ERROR_INTERNAL, "A stored row holds a value this program does not know.");
	else
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
}

/* Appends one element filled from st's row to *items (*n of them, room for *cap); 0, or -1 with st reset. */
static int collect_row(struct db_stmt *st, struct arena *a, void **items, int *n, int *cap, size_t size,
		       db_row_fill fill, struct error *e)
{
	void *element = arena_push(a, items, n, cap, size);
	if (!element) {
		db_reset(st);
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	int rc = fill(a, st, element);
	if (rc != 0) {
		db_reset(st);
		fill_failed(rc, e);
		return -1;
	}
	return 0;
}

int db_collect(struct db_stmt *st, struct arena *a, void **items, int *n, size_t size, db_row_fill fill,
               struct error *e)
{
	*items = NULL;
	*n = 0;
	int cap = 0;
	enum db_step r;
	while ((r = db_step(st, e)) == DB_ROW)
		if (collect_row(st, a, items, n, &cap, size, fill, e) != 0)
			return -1;
	return r == DB_FAIL ? -1 : 0;
}

int db_collect_children(struct db_stmt *st, struct arena *a, const struct db_children *c, size_t size,
			db_row_fill fill, struct error *e)
{
	int *caps = c->nparents ? arena_alloc(a, sizeof *caps * (size_t)c->nparents) : NULL;
	if (c->nparents && !caps) {
		db_reset(st);
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	char *base = c->parents;
#define PARENT(i, at, type) ((type *)(void *)(base + (size_t)(i) * c->parent_size + (at)))
	for (int i = 0; i < c->nparents; i++) {
		*PARENT(i, c->items_at, void *) = NULL;
		*PARENT(i, c->n_at, int) = 0;
	}
	int g = 0; /* the last row's parent: rows mostly come in their parents' order */
	enum db_step r;
	while ((r = db_step(st, e)) == DB_ROW) {
		const int64_t owner = db_col_int(st, c->owner_col);
		if (g >= c->nparents || *PARENT(g, c->id_at, int64_t) != owner)
			for (g = 0; g < c->nparents && *PARENT(g, c->id_at, int64_t) != owner; g++)
				;
		if (g == c->nparents)
			continue;
		if (collect_row(st, a, PARENT(g, c->items_at, void *), PARENT(g, c->n_at, int), &caps[g], size, fill,
				e) != 0)
			return -1;
	}
#undef PARENT
	return r == DB_FAIL ? -1 : 0;
}

int db_collect_one(struct db_stmt *st, struct arena *a, void *element, db_row_fill fill, const char *not_found,
                   struct error *e)
{
	enum db_step r = db_step(st, e);
	if (r == DB_FAIL)
		return -1;
	if (r == DB_DONE) {
		error_set(e, ERROR_NOT_FOUND, "%s", not_found);
		return -1;
	}
	int rc = fill(a, st, element);
	db_reset(st);
	if (rc != 0) {
		fill_failed(rc, e);
		return -1;
	}
	return 0;
}
