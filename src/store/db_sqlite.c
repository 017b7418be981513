/* db — see db.h. The SQLite backend. */
#include "store/db.h"

#include "store/db_backend.h"
#include "store/stmt_cache.h"

#include "embedded.h"
#include "store/vfs_powerloss.h"
#include "util/clock.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DB_BUSY_TIMEOUT_MS = 10000, DB_PATH_MAX = 4096 };

struct db {
	sqlite3 *conn;
	struct stmt_cache cache; /* its prepared statements (sqlite3_stmt), by their SQL's address */
	int last_rc;
	bool in_read; /* a db_read_begin() transaction is open */
};

static char db_file[DB_PATH_MAX];

/* Each connection's settings. Only the power-loss test (CONSULTA_TEST_VFS)
 * may choose a weaker synchronous, to show that its test sees the loss.
 * SQLite's 4 KB pages are kept: 16 KB pages made a docket's file a quarter
 * smaller (a ~2.2 KB receipt in the outbox fills a 4 KB page alone) but cost
 * the writer ~15 % more CPU a commit and 60 % more bytes written, since a
 * commit writes whole pages to the WAL (README, "Bytes a contribution"). */
static const char db_pragmas_full[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
static const char db_pragmas_normal[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
static const char db_pragmas_off[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON;";
static const char *db_pragmas = db_pragmas_full;
static pthread_key_t db_key;
static pthread_once_t db_key_once = PTHREAD_ONCE_INIT;

static void db_finalize(void *stmt)
{
	sqlite3_finalize(stmt);
}

static void db_close(void *p)
{
	struct db *db = p;
	if (!db)
		return;
	stmt_cache_free(&db->cache, db_finalize);
	sqlite3_close(db->conn);
	free(db);
}

static void db_make_key(void)
{
	pthread_key_create(&db_key, db_close);
}

/* CONSULTA_TEST_VFS=powerloss: the test-only VFS of vfs_powerloss.h, and then
 * CONSULTA_TEST_SYNCHRONOUS=FULL|NORMAL|OFF. Neither is read otherwise. */
static int db_configure_test_vfs(struct error *e)
{
	const char *vfs = getenv("CONSULTA_TEST_VFS");
	if (!vfs || !*vfs)
		return 0;
	if (strcmp(vfs, "powerloss") != 0) {
		error_set(e, ERROR_INVALID, "CONSULTA_TEST_VFS must be powerloss (or unset)");
		return -1;
	}
	const char *sync = getenv("CONSULTA_TEST_SYNCHRONOUS");
	if (!sync || !*sync || !strcmp(sync, "FULL"))
		db_pragmas = db_pragmas_full;
	else if (!strcmp(sync, "NORMAL"))
		db_pragmas = db_pragmas_normal;
	else if (!strcmp(sync, "OFF"))
		db_pragmas = db_pragmas_off;
	else {
		error_set(e, ERROR_INVALID, "CONSULTA_TEST_SYNCHRONOUS must be FULL, NORMAL or OFF");
		return -1;
	}
	if (vfs_powerloss_register(e) != 0)
		return -1;
	log_event("store.test_vfs",
		  "vfs=powerloss synchronous=%s warning=\"TEST ONLY: writes reach the disk only when synced; "
		  "a crash loses the rest. Never in production.\"",
		  db_pragmas == db_pragmas_full ? "FULL" : db_pragmas == db_pragmas_normal ? "NORMAL" : "OFF");
	return 0;
}

static int sq_configure(const char *url, struct error *e)
{
	if (strncmp(url, "sqlite:", 7) != 0 || !url[7]) {
		error_set(e, ERROR_INVALID, "database URL '%s' is not supported: use sqlite:PATH", url);
		return -1;
	}
	/* No memory statistics (we read none): with them every sqlite3_malloc and
	 * sqlite3_free takes one mutex shared by all the server's connections.
	 * Only possible before SQLite initializes; later calls fail harmlessly. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (strlen(url + 7) >= sizeof db_file) {
		error_set(e, ERROR_INVALID, "database path is too long");
		return -1;
	}
	snprintf(db_file, sizeof db_file, "%s", url + 7);
	return db_configure_test_vfs(e);
}

static const char *sq_path(void)
{
	return db_file;
}

static void db_fail(struct db *db, int rc, struct error *e, const char *what)
{
	db->last_rc = rc;
	int primary = rc & 0xff;
	const char *code = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
			    primary == SQLITE_IOERR || primary == SQLITE_NOMEM)
				   ? ERROR_UNAVAILABLE
				   : ERROR_INTERNAL;
	if (e)
		error_set(e, code, "database error while %s: %s", what, sqlite3_errstr(rc));
}

static int db_exec_sql(struct db *db, const char *sql, struct error *e)
{
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		db_fail(db, rc, e, "running a statement");
		return -1;
	}
	return 0;
}

static struct db *sq_thread(struct error *e)
{
	pthread_once(&db_key_once, db_make_key);
	struct db *db = pthread_getspecific(db_key);
	if (db)
		return db;
	if (!db_file[0]) {
		error_set(e, ERROR_INTERNAL, "no database configured");
		return NULL;
	}
	db = calloc(1, sizeof *db);
	if (!db) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return NULL;
	}
	int rc = sqlite3_open_v2(db_file, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		error_set(e, ERROR_UNAVAILABLE, "cannot open database %s: %s", db_file, sqlite3_errstr(rc));
		sqlite3_close(db->conn);
		free(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->conn, DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->conn, 1);
	if (db_exec_sql(db, db_pragmas, e) != 0) {
		db_close(db);
		return NULL;
	}
	pthread_setspecific(db_key, db);
	return db;
}

static void sq_thread_close(void)
{
	pthread_once(&db_key_once, db_make_key);
	struct db *db = pthread_getspecific(db_key);
	pthread_setspecific(db_key, NULL);
	db_close(db);
}

int db_sqlite_backup(struct db *db, const char *path, int64_t *pages, struct error *e)
{
	*pages = 0;
	char tmp[DB_PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.partial", path) >= (int)sizeof tmp) {
		error_set(e, ERROR_INVALID, "The backup's path is too long.");
		return -1;
	}
	if (access(path, F_OK) == 0) {
		error_set(e, ERROR_CONFLICT, "%s exists already: a backup never replaces a file.", path);
		return -1;
	}
	unlink(tmp); /* what a backup that was cut short left */
	sqlite3 *to = NULL;
	int rc = sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	const char *what = "opening the backup";
	if (rc == SQLITE_OK) {
		/* One step for every page: one read transaction, so the copy is the database as of one commit and is
		 * never restarted by a writer of another process (in WAL mode a reader holds up no writer). */
		sqlite3_backup *b = sqlite3_backup_init(to, "main", db->conn, "main");
		what = "copying";
		if (!b) {
			rc = sqlite3_errcode(to);
		} else {
			do {
				rc = sqlite3_backup_step(b, -1);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
					sqlite3_sleep(50);
			} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
			*pages = sqlite3_backup_pagecount(b);
			int fin = sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? fin : rc;
		}
	}
	/* The copy is read back whole before it is named: a backup nobody checked is a hope. The copy is left in
	 * rollback-journal mode with its pages synced by the close below (synchronous=FULL). */
	if (rc == SQLITE_OK) {
		what = "checking the backup";
		sqlite3_stmt *st = NULL;
		rc = sqlite3_exec(to, "PRAGMA synchronous=FULL; PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(to, "PRAGMA quick_check", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			const unsigned char *ok = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
			rc = ok && !strcmp((const char *)ok, "ok") ? SQLITE_OK : SQLITE_CORRUPT;
		}
		sqlite3_finalize(st);
	}
	char msg[256] = "";
	if (rc != SQLITE_OK)
		snprintf(msg, sizeof msg, "%s", to ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
	if (sqlite3_close(to) != SQLITE_OK && rc == SQLITE_OK)
		rc = SQLITE_IOERR;
	if (rc == SQLITE_OK) {
		/* The file's own bytes on disk (SQLite syncs on commit; the copy's last write is made durable here),
		 * then its name, then the directory that holds the name. */
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0 || rename(tmp, path) != 0) {
			what = "making the backup durable";
			snprintf(msg, sizeof msg, "%s", strerror(errno));
			rc = SQLITE_IOERR;
		}
		if (fd >= 0)
			close(fd);
	}
	if (rc == SQLITE_OK) {
		char dir[DB_PATH_MAX];
		snprintf(dir, sizeof dir, "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof dir, ".");
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		return 0;
	}
	unlink(tmp);
	error_set(e, ERROR_UNAVAILABLE, "database error while %s: %s", what, *msg ? msg : sqlite3_errstr(rc));
	return -1;
}

static int sq_change_mark(struct db *db, struct db_mark *out)
{
	/* The wal-index as this connection's own VFS has mapped it (xShmMap with bExtend 0 maps nothing new):
	 * the same memory SQLite's readers look at, never a stale copy of a replaced file. */
	sqlite3_file *f = NULL;
	if (sqlite3_file_control(db->conn, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods ||
	    f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
		return -1;
	void volatile *region = NULL;
	if (f->pMethods->xShmMap(f, 0, 32 * 1024, 0, &region) != SQLITE_OK || !region)
		return -1;
	/* The header is kept twice; a writer writes the second copy, then the first. A reader that reads the
	 * first, then the second, and finds them equal has a header no commit was half-way through. */
	const volatile unsigned char *hdr = region;
	unsigned char second[DB_MARK_LEN];
	for (size_t i = 0; i < DB_MARK_LEN; i++)
		out->bytes[i] = hdr[i];
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (size_t i = 0; i < DB_MARK_LEN; i++)
		second[i] = hdr[DB_MARK_LEN + i];
	/* isInit (byte 12): the header has been written at least once */
	if (memcmp(out->bytes, second, DB_MARK_LEN) != 0 || !out->bytes[12])
		return -1;
	return 0;
}

static struct db_stmt *sq_stmt(struct db *db, const char *sql, struct error *e)
{
	struct stmt_cache_slot *slot = stmt_cache_slot(&db->cache, sql);
	if (!slot) {
		db->last_rc = SQLITE_NOMEM;
		if (e)
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return NULL;
	}
	if (slot->sql) {
		sqlite3_stmt *st = slot->stmt;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return (struct db_stmt *)st;
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		db_fail(db, rc, e, "preparing a statement");
		if (e)
			snprintf(e->message, sizeof e->message, "database error: %s", sqlite3_errmsg(db->conn));
		return NULL;
	}
	stmt_cache_put(&db->cache, slot, sql, st);
	return (struct db_stmt *)st;
}

static void sq_bind_text(struct db_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text((sqlite3_stmt *)st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null((sqlite3_stmt *)st, i);
}

static void sq_bind_int(struct db_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64((sqlite3_stmt *)st, i, v);
}

static void sq_bind_null(struct db_stmt *st, int i)
{
	sqlite3_bind_null((sqlite3_stmt *)st, i);
}

static void sq_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64((sqlite3_stmt *)st, i, n ? p : "", n, SQLITE_TRANSIENT);
}

static enum db_step sq_step(struct db_stmt *st, struct error *e)
{
	sqlite3_stmt *s = (sqlite3_stmt *)st;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	sqlite3 *conn = sqlite3_db_handle(s);
	struct db *db = pthread_getspecific(db_key);
	if (rc == SQLITE_DONE) {
		if (db)
			db->last_rc = SQLITE_OK;
		return DB_DONE;
	}
	rc = sqlite3_extended_errcode(conn);
	if (db)
		db_fail(db, rc, e, "reading or writing");
	sqlite3_reset(s);
	return DB_FAIL;
}

static const char *sq_col_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text((sqlite3_stmt *)st, i);
}

static char *sq_col_dup(struct db_stmt *st, int i, struct arena *a, bool *failed)
{
	sqlite3_stmt *s = (sqlite3_stmt *)st;
	const char *t = (const char *)sqlite3_column_text(s, i);
	if (!t) {
		/* NULL for a value that is not NULL: SQLite could not convert it (out of memory). */
		if (sqlite3_column_type(s, i) != SQLITE_NULL)
			*failed = true;
		return NULL;
	}
	char *copy = arena_strndup(a, t, (size_t)sqlite3_column_bytes(s, i));
	if (!copy)
		*failed = true;
	return copy;
}

static const void *sq_col_blob(struct db_stmt *st, int i, size_t *n)
{
	const void *p = sqlite3_column_blob((sqlite3_stmt *)st, i);
	*n = (size_t)sqlite3_column_bytes((sqlite3_stmt *)st, i);
	return p;
}

static int64_t sq_col_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64((sqlite3_stmt *)st, i);
}

static bool sq_col_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type((sqlite3_stmt *)st, i) == SQLITE_NULL;
}

static void sq_reset(struct db_stmt *st)
{
	sqlite3_reset((sqlite3_stmt *)st);
}

static int sq_changes(struct db *db)
{
	return sqlite3_changes(db->conn);
}

static bool sq_unique_violation(struct db *db)
{
	return db->last_rc == SQLITE_CONSTRAINT_UNIQUE || db->last_rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

static int sq_begin(struct db *db, struct error *e)
{
	/* A handler that reads and then writes (a GET that confirms a link) leaves the
	 * read snapshot here: the write transaction starts from the latest state. */
	if (db->in_read)
		db_read_end(db);
	return db_exec_sql(db, "BEGIN IMMEDIATE", e);
}

static int sq_commit(struct db *db, struct error *e)
{
	if (db_exec_sql(db, "COMMIT", e) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static void sq_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

/* Prepared once per connection, as db_read_begin's: a batch runs them once per item. Standard SQL, which
 * PostgreSQL takes too. */
static int db_exec_cached(struct db *db, const char *sql, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	return st ? db_exec_stmt(st, e) : -1;
}

int db_savepoint(struct db *db, struct error *e)
{
	static const char sql[] = "SAVEPOINT item";
	return db_exec_cached(db, sql, e);
}

int db_savepoint_release(struct db *db, struct error *e)
{
	static const char sql[] = "RELEASE SAVEPOINT item";
	return db_exec_cached(db, sql, e);
}

int db_savepoint_rollback(struct db *db, struct error *e)
{
	static const char sql[] = "ROLLBACK TO SAVEPOINT item";
	return db_exec_cached(db, sql, e) != 0 ? -1 : db_savepoint_release(db, e);
}

/* Prepared once per connection (db_stmt's cache), not parsed per request as sqlite3_exec would. */
static int sq_read_begin(struct db *db, struct error *e)
{
	static const char sql[] = "BEGIN DEFERRED";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st || db_exec_stmt(st, e) != 0)
		return -1;
	db->in_read = true;
	return 0;
}

static void sq_read_end(struct db *db)
{
	static const char sql[] = "COMMIT";
	if (!db->in_read)
		return;
	db->in_read = false;
	if (sqlite3_get_autocommit(db->conn))
		return;
	struct db_stmt *st = db_stmt(db, sql, NULL);
	if (!st || db_exec_stmt(st, NULL) != 0)
		db_rollback(db);
}

/* Whether migration version is applied: 1, 0, or -1 with e. */
static int sq_applied(struct db *db, int version, struct error *e)
{
	static const char sql_applied[] = "SELECT 1 FROM schema_migration WHERE version = ?";
	struct db_stmt *st = db_stmt(db, sql_applied, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version);
	enum db_step r = db_step(st, e);
	sqlite3_reset((sqlite3_stmt *)st);
	return r == DB_ROW ? 1 : r == DB_DONE ? 0 : -1;
}

static int sq_migrate(struct db *db, struct error *e)
{
	if (db_exec_sql(db,
			"CREATE TABLE IF NOT EXISTS schema_migration ("
			" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
			e) != 0)
		return -1;
	for (const struct embedded_file *m = embedded_migrations; m->name; m++) {
		int version = (int)strtol(m->name, NULL, 10); /* "001_schema.sql" -> 1; embed.py checks the names */
		/* Applied already (every start but the first after an upgrade): known without the write lock, which
		 * another process's writer may hold for longer than the busy time-out; then again under it. */
		int applied = sq_applied(db, version, e);
		if (applied != 0) {
			if (applied < 0)
				return -1;
			continue;
		}
		if (db_begin(db, e) != 0)
			return -1;
		if ((applied = sq_applied(db, version, e)) < 0)
			goto fail;
		if (applied) {
			db_rollback(db);
			continue;
		}
		struct db_stmt *st;
		char *sql = malloc(m->len + 1);
		if (!sql) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		memcpy(sql, m->data, m->len);
		sql[m->len] = '\0';
		int rc = db_exec_sql(db, sql, e);
		free(sql);
		if (rc != 0) {
			snprintf(e->message, sizeof e->message, "migration %s failed: %s", m->name,
				 sqlite3_errmsg(db->conn));
			goto fail;
		}
		static const char sql_record[] =
			"INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)";
		st = db_stmt(db, sql_record, e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, version);
		db_bind_text(st, 2, m->name);
		db_bind_int(st, 3, clock_now());
		if (db_exec_stmt(st, e) != 0 || db_commit(db, e) != 0)
			goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	return -1;
}

const struct db_backend db_sqlite_backend = {
	.configure = sq_configure,
	.path = sq_path,
	.thread = sq_thread,
	.thread_close = sq_thread_close,
	.change_mark = sq_change_mark,
	.stmt = sq_stmt,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_null = sq_bind_null,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.col_text = sq_col_text,
	.col_dup = sq_col_dup,
	.col_int = sq_col_int,
	.col_null = sq_col_null,
	.col_blob = sq_col_blob,
	.reset = sq_reset,
	.changes = sq_changes,
	.unique_violation = sq_unique_violation,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.migrate = sq_migrate,
};
