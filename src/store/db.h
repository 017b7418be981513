/*
 * db — the store: connections, prepared statements, transactions, migrations.
 *
 * The database is named by a URL (sqlite:PATH). Each thread gets its own
 * connection, opened on first use, in WAL mode with full fsync so that a
 * commit is on disk before anyone is told it succeeded. Statements are SQL
 * strings kept as `static const char` beside the code that uses them; db_stmt()
 * prepares each once per connection (keyed by the string's address) and hands
 * it back reset. Writers begin with db_begin() (BEGIN IMMEDIATE), so they queue
 * on the busy timeout instead of failing half-way.
 *
 * The core speaks only through these functions, never to sqlite3 directly,
 * so that a second backend (PostgreSQL) can sit behind the same calls.
 */
#ifndef CONSULTA_STORE_DB_H
#define CONSULTA_STORE_DB_H

#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

enum db_step { DB_ROW = 1, DB_DONE = 0, DB_FAIL = -1 };

/* Reads the URL once at start-up; returns -1 with e filled for an unknown scheme.
 * For the power-loss test only, CONSULTA_TEST_VFS=powerloss puts every
 * connection on the VFS of vfs_powerloss.h (and lets CONSULTA_TEST_SYNCHRONOUS
 * lower synchronous); a bad value of either is an error. */
int db_configure(const char *url, struct error *e);
const char *db_path(void);

/* This thread's connection, opened on first use; NULL (and e filled) if it cannot be opened. */
struct db *db_thread(struct error *e);
void db_thread_close(void);

/* A mark of the database's committed state: two marks read on any
 * connections, in any processes, are equal only if no transaction committed
 * between them. It lets a reader skip a query whose answer it kept (the kept
 * version pages of web/page_cache.c): read the mark first, then query; while
 * the mark is the same, so is the answer. Read without a lock or a system
 * call: for SQLite in WAL mode it is the WAL-index header that every commit
 * rewrites (https://www.sqlite.org/walformat.html, section 2.1), read as
 * SQLite's readers do (both copies, equal). -1 when there is no mark to
 * read (not in WAL mode, nothing read yet on this connection, a commit
 * being written): the caller then queries. */
enum { DB_MARK_LEN = 48 };
struct db_mark {
	unsigned char bytes[DB_MARK_LEN];
};
int db_change_mark(struct db *db, struct db_mark *out);

/* Prepared and reset; NULL (and e filled) on error. */
struct db_stmt *db_stmt(struct db *db, const char *sql, struct error *e);
void db_bind_text(struct db_stmt *st, int i, const char *s); /* NULL binds NULL */
void db_bind_int(struct db_stmt *st, int i, int64_t v);
void db_bind_null(struct db_stmt *st, int i);
void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n); /* copied: p may go at once */
enum db_step db_step(struct db_stmt *st, struct error *e);
/* Runs a statement that returns no rows; 0 or -1. */
int db_exec_stmt(struct db_stmt *st, struct error *e);
const char *db_col_text(struct db_stmt *st, int i); /* valid until the next step/reset */
/* Column i's text copied into the arena, NULL for SQL NULL. If memory runs out
 * it returns NULL and sets *failed (never clears it), so that a row-fill
 * function can copy every column and then answer once. */
char *db_col_dup(struct db_stmt *st, int i, struct arena *a, bool *failed);
int64_t db_col_int(struct db_stmt *st, int i);
bool db_col_null(struct db_stmt *st, int i);
const void *db_col_blob(struct db_stmt *st, int i, size_t *n); /* valid until the next step/reset */
/* Ends a read early so the statement holds no lock (after a single-row read). */
void db_reset(struct db_stmt *st);
int64_t db_last_id(struct db *db);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
int db_changes(struct db *db);
/* True if the last failure was a UNIQUE constraint. */
bool db_unique_violation(struct db *db);

/* Fills one element from the current row: 0, -1 if memory ran out, or
 * DB_FILL_UNKNOWN if a column holds a value the program does not know (a state
 * name that no enum has). The element may then be half filled; the caller gets
 * an error, never the element. */
typedef int (*db_row_fill)(struct arena *a, struct db_stmt *st, void *element);
enum { DB_FILL_UNKNOWN = -2 };

/* Steps st to the end, appending one element of `size` bytes per row to
 * *items (an arena array of *n elements) filled by fill(). 0 or -1; a fill()
 * that fails gives ERROR_UNAVAILABLE "out of memory" (ERROR_INTERNAL for DB_FILL_UNKNOWN). */
int db_collect(struct db_stmt *st, struct arena *a, void **items, int *n, size_t size, db_row_fill fill,
	       struct error *e);

/* Steps st once: fills *element from its row and returns 0; with no row,
 * sets ERROR_NOT_FOUND with not_found as the message and returns -1; a fill()
 * that fails gives ERROR_UNAVAILABLE "out of memory" (ERROR_INTERNAL for DB_FILL_UNKNOWN). */
int db_collect_one(struct db_stmt *st, struct arena *a, void *element, db_row_fill fill, const char *not_found,
		   struct error *e);

int db_begin(struct db *db, struct error *e);
int db_commit(struct db *db, struct error *e);
void db_rollback(struct db *db);

/* A savepoint inside the open write transaction, for one item of a batch (the group commit of
 * core/contribution.c): db_savepoint_rollback() undoes what the item wrote and nothing else, and ends the
 * savepoint as db_savepoint_release() does when the item succeeded. 0 or -1. */
int db_savepoint(struct db *db, struct error *e);
int db_savepoint_release(struct db *db, struct error *e);
int db_savepoint_rollback(struct db *db, struct error *e);

/* A read transaction (BEGIN DEFERRED) for a handler that only reads: its
 * statements see one snapshot, and SQLite takes its file locks once instead
 * of once per statement. db_read_end() ends it (a no-op if none is open);
 * so does db_begin(), for a handler that reads and then writes. */
int db_read_begin(struct db *db, struct error *e);
void db_read_end(struct db *db);

/* Creates or brings the schema up to date; each numbered migration runs once. */
int db_migrate(struct db *db, struct error *e);

#endif
