/* db — see db.h. The PostgreSQL backend (libpq).
 *
 * One connection per thread, as for SQLite. Each SQL string is prepared once
 * per connection (PQprepare, named after the string's address, cached by that
 * address as db_sqlite.c does), with SQLite's placeholders rewritten: ?NNN
 * becomes $NNN and a bare ? the next number after the largest so far (SQLite's
 * rule), outside quoted strings, quoted names and comments. Parameters are
 * sent as text (integers in decimal) and their types left for the server to
 * infer from where they stand; blobs are sent in binary and are bytea. Results
 * come back whole, in text form (PQexecPrepared, then db_step walks the
 * PGresult): every list the core reads is paged (LIMIT_PAGE_ROWS and
 * LIMIT_PAGE_BYTES), so a result is bounded; a future bulk export would use
 * single-row mode instead.
 *
 * Transactions: db_begin() is BEGIN (READ COMMITTED) then a transaction-scoped
 * advisory lock that every writer takes, so that writers run one at a time
 * on the whole database, across threads and across nodes — SQLite's BEGIN
 * IMMEDIATE. Every check-then-write of the core (a deadline, a limit, a
 * unique number) therefore stays as correct as it is on SQLite, no write
 * fails with a serialization error (40001) that the core would have to retry,
 * and readers are never blocked. Finer locking (row locks where a check and
 * a write must not be split) is the later step when writers must run in
 * parallel. db_read_begin() is REPEATABLE READ: one snapshot for the handler.
 * A failed statement inside a transaction aborts it (PostgreSQL's rule): the
 * caller must roll back, which the core does; db_commit() of such a
 * transaction fails rather than reporting PostgreSQL's silent ROLLBACK.
 *
 * Migrations are the SQLite files, rewritten at migration time by
 * pg_dialect() (see db.h for the rules).
 */
#include "store/db.h"

#include "embedded.h"
#include "store/db_backend.h"
#include "store/stmt_cache.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PG_URL_MAX = 1024, PG_BYTEA_OID = 17, PG_BOOL_OID = 16 };

/* The key of the advisory lock every writer holds (db_begin), and of the one
 * that serializes migrations between nodes starting at once: any two numbers
 * that nothing else uses. */
#define PG_WRITE_LOCK   "4242001"
#define PG_MIGRATE_LOCK "4242002"
/* db_sqlite.c's DB_BUSY_TIMEOUT_MS */
#define PG_LOCK_TIMEOUT_MS "10000"

struct db {
	PGconn *conn;
	struct stmt_cache cache; /* its prepared statements (struct db_stmt), by their SQL's address */
	char sqlstate[6];        /* of the last failure, "" after a success */
	int changes;
	/* Between db_read_begin() and db_read_end(); its BEGIN is sent with the first statement (read_sent): a
	 * page served from what the server keeps costs no round trip (issue 11: during a burst PostgreSQL's
	 * backends wait for the CPU, and a BEGIN and a COMMIT took 0.1-0.5 s of a kept page's answer). */
	bool in_read, read_sent;
};

struct db_stmt {
	struct db *db;
	char name[32];
	int nparams;
	char **values; /* malloc'd copies, NULL for SQL NULL */
	int *lengths;
	int *formats;
	PGresult *res; /* NULL until executed */
	int row, nrows;
	unsigned char *blob; /* the current bytea column, unescaped (PQfreemem) */
};

/* Each connection's settings. lock_timeout: as SQLite's busy timeout, a writer waits this long for the
 * writers' lock (or a row lock), then fails with 55P03 (unavailable: try again later) instead of waiting
 * without end. synchronous_commit on whatever the database's or the role's default says (ALTER DATABASE
 * ... SET synchronous_commit = off would otherwise answer 201 for commits a crash of PostgreSQL loses):
 * a commit is flushed before anyone is told it succeeded, as with SQLite. jit off: the statements are
 * prepared once and soon run with PostgreSQL's generic plan, whose cost a LIMIT ? OFFSET ? puts above
 * jit_above_cost: every page of the contributions list then compiled its query again (150-600 ms measured,
 * for a query that runs in 0.3 ms; the list's p99 during a burst was 1-2 s). Every query of the core is
 * paged and short: compiling never pays. */
#define PG_SETUP_COMMON  "SET lock_timeout = " PG_LOCK_TIMEOUT_MS "; SET jit = off; "
#define PG_SETUP_DURABLE PG_SETUP_COMMON "SET synchronous_commit = on"
#define PG_SETUP_LOWERED PG_SETUP_COMMON "SET synchronous_commit = off"
static const char *pg_setup = PG_SETUP_DURABLE;
static char pg_url[PG_URL_MAX];
static char pg_shown[PG_URL_MAX];
static pthread_key_t pg_key;
static pthread_once_t pg_key_once = PTHREAD_ONCE_INIT;

static void pg_stmt_clear(struct db_stmt *st)
{
	if (st->blob)
		PQfreemem(st->blob);
	st->blob = NULL;
	if (st->res)
		PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
}

static void pg_stmt_unbind(struct db_stmt *st)
{
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->lengths[i] = 0;
		st->formats[i] = 0;
	}
}

static void pg_stmt_free(struct db_stmt *st)
{
	if (!st)
		return;
	pg_stmt_clear(st);
	pg_stmt_unbind(st);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st);
}

static void pg_stmt_finalize(void *stmt)
{
	pg_stmt_free(stmt);
}

static void pg_close(void *p)
{
	struct db *db = p;
	if (!db)
		return;
	stmt_cache_free(&db->cache, pg_stmt_finalize);
	PQfinish(db->conn);
	free(db);
}

static void pg_make_key(void)
{
	pthread_key_create(&pg_key, pg_close);
}

/* The URL as logged: any password replaced by "***". */
static void pg_mask(const char *url, char *out, size_t size)
{
	const char *scheme = strstr(url, "://");
	const char *at = strchr(url, '@');
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (scheme && at && colon && colon < at)
		snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
	else
		snprintf(out, size, "%s", url);
	char *q = strstr(out, "password=");
	if (q)
		snprintf(q, size - (size_t)(q - out), "password=***");
}

static int pg_configure(const char *url, struct error *e)
{
	if (strlen(url) >= sizeof pg_url) {
		error_set(e, ERROR_INVALID, "database URL is too long");
		return -1;
	}
	snprintf(pg_url, sizeof pg_url, "%s", url);
	pg_mask(url, pg_shown, sizeof pg_shown);
	pg_setup = PG_SETUP_DURABLE;
#ifndef NDEBUG
	/* A test build's hook, as SQLite's with its test VFS: lets the crash test of test_powerloss.py show
	 * that it sees acknowledged commits lost when they are not flushed. Never read by a release build. */
	const char *sync = getenv("CONSULTA_TEST_SYNCHRONOUS");
	if (sync && !strcmp(sync, "OFF")) {
		pg_setup = PG_SETUP_LOWERED;
		log_event("store.test_synchronous", "synchronous_commit=off warning=\"TEST ONLY: a crash of PostgreSQL "
			  "loses acknowledged commits. Never in production.\"");
	}
#endif
	return 0;
}

static const char *pg_path(void)
{
	return pg_shown;
}

/* Keeps SQLSTATE and fills e. Connection trouble, lack of resources, a
 * deadlock, a serialization failure or a shutdown is ERROR_UNAVAILABLE (try
 * again later); the rest is ERROR_INTERNAL. */
static void pg_fail(struct db *db, const PGresult *res, struct error *e, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(db->sqlstate, sizeof db->sqlstate, "%s", state ? state : "08000");
	const char *s = db->sqlstate;
	bool unavailable = !strncmp(s, "08", 2) || !strncmp(s, "53", 2) || !strncmp(s, "57", 2) ||
	                   !strcmp(s, "40001") || !strcmp(s, "40P01") || !strcmp(s, "55P03");
	if (!e)
		return;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(db->conn);
	error_set(e, unavailable ? ERROR_UNAVAILABLE : ERROR_INTERNAL, "database error while %s: %s (%s)", what, msg,
	          db->sqlstate);
}

/* Runs sql (one or more statements, no parameters); 0 or -1. */
static int pg_exec(struct db *db, const char *sql, struct error *e, const char *what)
{
	PGresult *res = PQexec(db->conn, sql);
	ExecStatusType s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		pg_fail(db, res, e, what);
		PQclear(res);
		return -1;
	}
	db->sqlstate[0] = '\0';
	PQclear(res);
	return 0;
}

/* The read's BEGIN, before its first statement (see struct db); 0 or -1. */
static int pg_read_send(struct db *db, struct error *e)
{
	if (!db->in_read || db->read_sent)
		return 0;
	db->read_sent = true;
	if (pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ", e, "beginning a read") != 0) {
		db->in_read = false;
		return -1;
	}
	return 0;
}

static void pg_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* "relation already exists, skipping" and the like: nothing for the log */
}

static struct db *pg_thread(struct error *e)
{
	pthread_once(&pg_key_once, pg_make_key);
	struct db *db = pthread_getspecific(pg_key);
	if (db && PQstatus(db->conn) == CONNECTION_OK)
		return db;
	if (db) {
		/* The server went away (a restart, a fail-over): start again with a new connection. */
		pthread_setspecific(pg_key, NULL);
		pg_close(db);
	}
	if (!pg_url[0]) {
		error_set(e, ERROR_INTERNAL, "no database configured");
		return NULL;
	}
	db = calloc(1, sizeof *db);
	if (!db) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return NULL;
	}
	db->conn = PQconnectdb(pg_url);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		error_set(e, ERROR_UNAVAILABLE, "cannot connect to database %s: %s", pg_shown,
		          db->conn ? PQerrorMessage(db->conn) : "out of memory");
		PQfinish(db->conn);
		free(db);
		return NULL;
	}
	PQsetNoticeProcessor(db->conn, pg_notice, NULL);
	if (pg_exec(db, pg_setup, e, "setting up the connection") != 0) {
		pg_close(db);
		return NULL;
	}
	pthread_setspecific(pg_key, db);
	return db;
}

static void pg_thread_close(void)
{
	pthread_once(&pg_key_once, pg_make_key);
	struct db *db = pthread_getspecific(pg_key);
	pthread_setspecific(pg_key, NULL);
	pg_close(db);
}

static int pg_change_mark(struct db *db, struct db_mark *out)
{
	/* The snapshot's text, "xmin:xmax:xip,...": a transaction that commits is in progress in (or after) an
	 * earlier snapshot and no longer in a later one, so two equal snapshots have seen the same commits, made by
	 * any connection of any node on this server. Unlike SQLite's mark it is a round trip; it saves what the
	 * mark stands in for (a page's state query, or the statistics page whole). A snapshot longer than the mark
	 * (many transactions in progress, as in a burst) is no mark: the caller queries, as it must then anyway.
	 * Inside a read, the read's own snapshot. */
	if (pg_read_send(db, NULL) != 0)
		return -1;
	PGresult *res = PQexec(db->conn, "SELECT pg_current_snapshot()::text");
	int rc = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		const int len = PQgetlength(res, 0, 0);
		if (len > 0 && len < DB_MARK_LEN) {
			memset(out->bytes, 0, DB_MARK_LEN);
			memcpy(out->bytes, PQgetvalue(res, 0, 0), (size_t)len);
			rc = 0;
		}
	}
	PQclear(res);
	return rc;
}

/* sql with SQLite's placeholders made PostgreSQL's (see the file's comment);
 * *nparams the largest number used. NULL if out of memory. */
char *db_pg_placeholders(const char *sql, int *nparams)
{
	struct buf b;
	buf_init(&b, strlen(sql) * 4 + 64);
	int max = 0;
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') { /* a string or a quoted name: '' or "" inside stays inside */
			const char q = *p;
			const char *end = p + 1;
			while (*end && !(*end == q && end[1] != q))
				end += *end == q ? 2 : 1;
			if (*end)
				end++;
			buf_append(&b, p, (size_t)(end - p));
			p = end;
		} else if (p[0] == '-' && p[1] == '-') {
			const char *end = strchr(p, '\n');
			if (!end)
				end = p + strlen(p);
			buf_append(&b, p, (size_t)(end - p));
			p = end;
		} else if (*p == '?') {
			p++;
			int n = 0;
			if (*p >= '0' && *p <= '9') {
				while (*p >= '0' && *p <= '9' && n < 100000)
					n = n * 10 + (*p++ - '0');
			} else {
				n = max + 1;
			}
			if (n > max)
				max = n;
			buf_printf(&b, "$%d", n);
		} else {
			buf_putc(&b, *p++);
		}
	}
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	*nparams = max;
	buf_putc(&b, '\0');
	return b.data;
}

/* A parameter whose type PostgreSQL inferred from a literal beside it (?1 = 0) is a 32-bit integer, where
 * SQLite's are 64 bits: such a statement is prepared again with those parameters BIGINT, and keeps that form
 * if PostgreSQL accepts it (a function that wants an integer, substr(x, 1, ?), would not: it keeps the first).
 * One more round trip, once per statement and connection. */
static void pg_widen(struct db *db, struct db_stmt *st, const char *text)
{
	enum { INT4_OID = 23, INT8_OID = 20 };
	if (st->nparams == 0)
		return;
	PGresult *d = PQdescribePrepared(db->conn, st->name);
	if (PQresultStatus(d) != PGRES_COMMAND_OK || PQnparams(d) != st->nparams) {
		PQclear(d);
		return;
	}
	Oid *types = calloc((size_t)st->nparams, sizeof *types);
	bool narrow = false;
	for (int i = 0; types && i < st->nparams; i++) {
		types[i] = PQparamtype(d, i);
		if (types[i] == INT4_OID) {
			types[i] = INT8_OID;
			narrow = true;
		}
	}
	PQclear(d);
	if (narrow) {
		char wide[sizeof st->name + 1];
		snprintf(wide, sizeof wide, "%.*sw", (int)(sizeof st->name - 2), st->name);
		/* A refused prepare inside a transaction would abort it: try under a savepoint there. */
		const bool in_tx = PQtransactionStatus(db->conn) == PQTRANS_INTRANS;
		if (!in_tx || pg_exec(db, "SAVEPOINT db_pg_widen", NULL, "widening") == 0) {
			PGresult *res = PQprepare(db->conn, wide, text, st->nparams, types);
			const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
			if (ok)
				memcpy(st->name, wide, sizeof st->name);
			if (in_tx)
				pg_exec(db, ok ? "RELEASE SAVEPOINT db_pg_widen" : "ROLLBACK TO SAVEPOINT db_pg_widen",
				        NULL, "widening");
		}
	}
	free(types);
}

/* The types to prepare text (with $1 to $n) with: 0 (PostgreSQL infers it) for each parameter the text uses,
 * TEXT for one it never uses. The core binds every parameter of a family of statements that share their
 * numbers (the public list's ?1 to ?8, of which each statement uses some), and PostgreSQL cannot infer the
 * type of one that appears nowhere (42P18); SQLite accepts it. Every value is sent as text but blobs, so
 * TEXT takes whatever an unused parameter is given. A "$N" inside a string literal counts as used, which
 * leaves it as before. calloc'd, NULL if out of memory. */
static Oid *pg_unused_as_text(const char *text, int n)
{
	enum { TEXT_OID = 25 };
	Oid *types = calloc((size_t)n, sizeof *types);
	bool *used = calloc((size_t)n, sizeof *used);
	if (!types || !used) {
		free(types);
		free(used);
		return NULL;
	}
	for (const char *p = text; *p; p++) {
		if (*p != '$' || p[1] < '0' || p[1] > '9')
			continue;
		int k = 0;
		while (p[1] >= '0' && p[1] <= '9' && k <= n)
			k = k * 10 + (*++p - '0');
		if (k >= 1 && k <= n)
			used[k - 1] = true;
	}
	for (int i = 0; i < n; i++)
		types[i] = used[i] ? 0 : TEXT_OID;
	free(used);
	return types;
}

static struct db_stmt *pg_stmt(struct db *db, const char *sql, struct error *e)
{
	struct stmt_cache_slot *slot = stmt_cache_slot(&db->cache, sql);
	if (!slot)
		goto oom;
	if (slot->sql) {
		struct db_stmt *st = slot->stmt;
		pg_stmt_clear(st);
		pg_stmt_unbind(st);
		return st;
	}
	int n = 0;
	char *text = db_pg_placeholders(sql, &n);
	struct db_stmt *st = calloc(1, sizeof *st);
	if (!text || !st)
		goto oom_free;
	st->db = db;
	st->nparams = n;
	st->row = -1;
	snprintf(st->name, sizeof st->name, "s%" PRIxPTR, (uintptr_t)sql);
	if (n > 0) {
		st->values = calloc((size_t)n, sizeof *st->values);
		st->lengths = calloc((size_t)n, sizeof *st->lengths);
		st->formats = calloc((size_t)n, sizeof *st->formats);
		if (!st->values || !st->lengths || !st->formats)
			goto oom_free;
	}
	Oid *types = n > 0 ? pg_unused_as_text(text, n) : NULL;
	if (n > 0 && !types)
		goto oom_free;
	PGresult *res = PQprepare(db->conn, st->name, text, n, types);
	free(types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(db, res, e, "preparing a statement");
		PQclear(res);
		free(text);
		pg_stmt_free(st);
		return NULL;
	}
	PQclear(res);
	pg_widen(db, st, text);
	free(text);
	text = NULL;
	stmt_cache_put(&db->cache, slot, sql, st);
	return st;
oom_free:
	free(text);
	pg_stmt_free(st);
oom:
	if (e)
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
	return NULL;
}

/* Parameter i (1-based) now holds n bytes of p (copied) in format (0 text, 1 binary); p NULL is SQL NULL.
 * Out of memory binds NULL, which the statement's constraints or its caller then refuse. */
static void pg_bind(struct db_stmt *st, int i, const void *p, size_t n, int format)
{
	if (i < 1 || i > st->nparams)
		return; /* SQLite ignores it too (SQLITE_RANGE, unchecked by the callers) */
	free(st->values[i - 1]);
	st->values[i - 1] = NULL;
	st->lengths[i - 1] = 0;
	st->formats[i - 1] = format;
	if (!p)
		return;
	char *copy = malloc(n + 1);
	if (!copy)
		return;
	memcpy(copy, p, n);
	copy[n] = '\0';
	st->values[i - 1] = copy;
	st->lengths[i - 1] = (int)n;
}

static void pg_bind_text(struct db_stmt *st, int i, const char *s)
{
	pg_bind(st, i, s, s ? strlen(s) : 0, 0);
}

static void pg_bind_int(struct db_stmt *st, int i, int64_t v)
{
	char text[24];
	int n = snprintf(text, sizeof text, "%" PRId64, v);
	pg_bind(st, i, text, (size_t)n, 0);
}

static void pg_bind_null(struct db_stmt *st, int i)
{
	pg_bind(st, i, NULL, 0, 0);
}

static void pg_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	pg_bind(st, i, n ? p : "", n, 1);
}

static enum db_step pg_step(struct db_stmt *st, struct error *e)
{
	struct db *db = st->db;
	if (st->blob) {
		PQfreemem(st->blob);
		st->blob = NULL;
	}
	if (!st->res) {
		if (pg_read_send(db, e) != 0)
			return DB_FAIL;
		PGresult *res = PQexecPrepared(db->conn, st->name, st->nparams, (const char *const *)st->values,
		                               st->lengths, st->formats, 0);
		ExecStatusType s = PQresultStatus(res);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			pg_fail(db, res, e, "reading or writing");
			PQclear(res);
			return DB_FAIL;
		}
		db->sqlstate[0] = '\0';
		const char *changed = PQcmdTuples(res);
		db->changes = changed && *changed ? (int)strtol(changed, NULL, 10) : 0;
		st->res = res;
		st->nrows = PQntuples(res);
		st->row = -1;
	}
	if (st->row + 1 < st->nrows) {
		st->row++;
		return DB_ROW;
	}
	st->row = st->nrows;
	return DB_DONE;
}

static bool pg_has_col(struct db_stmt *st, int i)
{
	return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < PQnfields(st->res);
}

static const char *pg_col_text(struct db_stmt *st, int i)
{
	if (!pg_has_col(st, i) || PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

static char *pg_col_dup(struct db_stmt *st, int i, struct arena *a, bool *failed)
{
	const char *t = pg_col_text(st, i);
	if (!t)
		return NULL;
	char *copy = arena_strndup(a, t, (size_t)PQgetlength(st->res, st->row, i));
	if (!copy)
		*failed = true;
	return copy;
}

static int64_t pg_col_int(struct db_stmt *st, int i)
{
	const char *t = pg_col_text(st, i);
	if (!t)
		return 0;
	if (PQftype(st->res, i) == PG_BOOL_OID) /* a comparison selected as a column: SQLite gives 0 or 1 */
		return *t == 't';
	return strtoll(t, NULL, 10);
}

static bool pg_col_null(struct db_stmt *st, int i)
{
	return !pg_has_col(st, i) || PQgetisnull(st->res, st->row, i);
}

static const void *pg_col_blob(struct db_stmt *st, int i, size_t *n)
{
	*n = 0;
	const char *t = pg_col_text(st, i);
	if (!t)
		return NULL;
	if (PQftype(st->res, i) != PG_BYTEA_OID) {
		*n = (size_t)PQgetlength(st->res, st->row, i);
		return t;
	}
	if (st->blob)
		PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)t, n);
	return st->blob;
}

static void pg_reset(struct db_stmt *st)
{
	pg_stmt_clear(st);
}

static int pg_changes(struct db *db)
{
	return db->changes;
}

static bool pg_unique_violation(struct db *db)
{
	return !strcmp(db->sqlstate, "23505");
}

static void pg_read_end(struct db *db);

static int pg_begin(struct db *db, struct error *e)
{
	if (db->in_read)
		pg_read_end(db);
	/* One round trip: the transaction and the writers' lock (see the file's comment). */
	if (pg_exec(db, "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", e, "beginning a transaction") != 0) {
		if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
			pg_exec(db, "ROLLBACK", NULL, "rolling back");
		return -1;
	}
	return 0;
}

static void pg_rollback(struct db *db)
{
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		pg_exec(db, "ROLLBACK", NULL, "rolling back");
}

static int pg_commit(struct db *db, struct error *e)
{
	PGresult *res = PQexec(db->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(db, res, e, "committing");
		PQclear(res);
		pg_rollback(db);
		return -1;
	}
	/* COMMIT of a transaction a failed statement aborted answers ROLLBACK, not an error. */
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		PQclear(res);
		snprintf(db->sqlstate, sizeof db->sqlstate, "25P02");
		if (e)
			error_set(e, ERROR_INTERNAL,
			          "database error while committing: the transaction was rolled back");
		return -1;
	}
	PQclear(res);
	db->sqlstate[0] = '\0';
	return 0;
}

static int pg_read_begin(struct db *db, struct error *e)
{
	/* Inside a transaction PostgreSQL's BEGIN would fail and abort the writer's transaction (or only warn,
	 * and db_read_end() would commit it): refuse and leave it whole, as SQLite does. */
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
		error_set(e, ERROR_INTERNAL, "database error while beginning a read: a transaction is open");
		return -1;
	}
	db->in_read = true; /* its BEGIN waits for its first statement: pg_read_send() */
	db->read_sent = false;
	return 0;
}

static void pg_read_end(struct db *db)
{
	if (!db->in_read)
		return;
	db->in_read = false;
	if (db->read_sent && PQtransactionStatus(db->conn) != PQTRANS_IDLE &&
	    pg_exec(db, "COMMIT", NULL, "ending a read") != 0)
		pg_rollback(db);
}

/* One rewriting rule of pg_dialect(): a POSIX extended expression and its replacement, where \1..\9 are
 * its groups. */
struct pg_rule {
	const char *pattern;
	const char *replacement;
};

static const struct pg_rule pg_rules[] = {
    /* What a migration writes for PostgreSQL alone, as a comment SQLite skips. */
    {"-- postgresql: ", ""},
    /* What a migration writes for SQLite alone (its triggers' syntax): from "-- sqlite only" to "-- end sqlite
     * only", which holds no other "--". */
    {"-- sqlite only[^\n]*\n([^-]|-[^-])*-- end sqlite only", ""},
    /* SQLite's full-text indexes (FTS5) and their filling: PostgreSQL's are the lines above. */
    {"CREATE VIRTUAL TABLE [^;]*;", ""},
    {"INSERT INTO [a-z_]+ \\([a-z_]+\\) VALUES \\('rebuild'\\);", ""},
    {"INSERT INTO [a-z_]+ \\(rowid[^;]*;", ""}, /* an FTS5 table's rows: PostgreSQL has no rowid */
    /* An instant's day in UTC. */
    {"strftime\\('%Y-%m-%d', ([a-z_.]+), 'unixepoch'\\)", "to_char(to_timestamp(\\1) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"},
    /* A rowid alias: numbered by the database when the insert gives none. BY DEFAULT: an insert may
     * still give the id (a copy of a table, as migration 005 makes). */
    {"INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
    /* SQLite's INTEGER holds 64 bits; PostgreSQL's holds 32. */
    {"\\bINTEGER\\b", "BIGINT"},
    {"\\bBLOB\\b", "BYTEA"},
    /* A trigger that refuses a change: PostgreSQL's trigger calls a function. */
    {"CREATE TRIGGER ([a-z_]+) (BEFORE|AFTER) (UPDATE|DELETE|INSERT) ON ([a-z_]+)[[:space:]]+BEGIN SELECT "
     "RAISE\\(ABORT, ('[^']*')\\); END;",
     "CREATE FUNCTION \\1_refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION \\5; END$$;\n"
     "CREATE TRIGGER \\1 \\2 \\3 ON \\4 FOR EACH ROW EXECUTE FUNCTION \\1_refuse();"},
};

/* text with one rule applied everywhere, appended to out; -1 if the expression does not compile. */
static int pg_apply(const struct pg_rule *rule, const char *text, struct buf *out)
{
	regex_t re;
	if (regcomp(&re, rule->pattern, REG_EXTENDED) != 0)
		return -1;
	const char *p = text;
	regmatch_t m[10];
	while (*p && regexec(&re, p, 10, m, p == text ? 0 : REG_NOTBOL) == 0) {
		buf_append(out, p, (size_t)m[0].rm_so);
		for (const char *r = rule->replacement; *r; r++) {
			if (r[0] == '\\' && r[1] >= '1' && r[1] <= '9') {
				const regmatch_t *g = &m[r[1] - '0'];
				if (g->rm_so >= 0)
					buf_append(out, p + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
				r++;
			} else {
				buf_putc(out, *r);
			}
		}
		p += m[0].rm_eo > 0 ? m[0].rm_eo : 1;
	}
	buf_puts(out, p);
	regfree(&re);
	return 0;
}

char *db_pg_dialect(const char *sql)
{
	char *text = strdup(sql);
	for (size_t i = 0; text && i < sizeof pg_rules / sizeof pg_rules[0]; i++) {
		struct buf out;
		buf_init(&out, strlen(text) * 4 + 1024);
		if (pg_apply(&pg_rules[i], text, &out) != 0 || out.failed || buf_putc(&out, '\0') != 0) {
			buf_free(&out);
			free(text);
			return NULL;
		}
		free(text);
		text = out.data;
	}
	return text;
}

static int pg_migrate(struct db *db, struct error *e)
{
	/* Nodes starting at once migrate one after the other; NOCASE is SQLite's collation name, made here
	 * case-insensitive (ICU, level 2: case differs, letters do not) for the columns that use it. */
	if (pg_exec(db,
	            "BEGIN; SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK "); "
	            "CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', "
	            "deterministic = false); "
	            "CREATE TABLE IF NOT EXISTS schema_migration ("
	            " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); COMMIT",
	            e, "preparing the migrations") != 0) {
		pg_rollback(db);
		return -1;
	}
	for (const struct embedded_file *m = embedded_migrations; m->name; m++) {
		int version = (int)strtol(m->name, NULL, 10);
		if (pg_exec(db, "BEGIN; SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")", e, "migrating") != 0)
			goto fail;
		static const char sql_applied[] = "SELECT 1 FROM schema_migration WHERE version = ?";
		struct db_stmt *st = pg_stmt(db, sql_applied, e);
		if (!st)
			goto fail;
		pg_bind_int(st, 1, version);
		enum db_step r = pg_step(st, e);
		pg_reset(st);
		if (r == DB_FAIL)
			goto fail;
		if (r == DB_ROW) {
			pg_rollback(db);
			continue;
		}
		char *sqlite = malloc(m->len + 1);
		if (!sqlite) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		memcpy(sqlite, m->data, m->len);
		sqlite[m->len] = '\0';
		char *sql = db_pg_dialect(sqlite);
		free(sqlite);
		if (!sql) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		int rc = pg_exec(db, sql, e, "migrating");
		free(sql);
		if (rc != 0) {
			char why[sizeof e->message];
			snprintf(why, sizeof why, "%s", e->message);
			error_set(e, e->code, "migration %s failed: %s", m->name, why);
			goto fail;
		}
		static const char sql_record[] =
		    "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)";
		st = pg_stmt(db, sql_record, e);
		if (!st)
			goto fail;
		pg_bind_int(st, 1, version);
		pg_bind_text(st, 2, m->name);
		pg_bind_int(st, 3, clock_now());
		r = pg_step(st, e);
		pg_reset(st);
		if (r == DB_FAIL || pg_commit(db, e) != 0)
			goto fail;
	}
	return 0;
fail:
	pg_rollback(db);
	return -1;
}

const struct db_backend db_pg_backend = {
    .configure = pg_configure,
    .path = pg_path,
    .thread = pg_thread,
    .thread_close = pg_thread_close,
    .change_mark = pg_change_mark,
    .stmt = pg_stmt,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .col_text = pg_col_text,
    .col_dup = pg_col_dup,
    .col_int = pg_col_int,
    .col_null = pg_col_null,
    .col_blob = pg_col_blob,
    .reset = pg_reset,
    .changes = pg_changes,
    .unique_violation = pg_unique_violation,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .migrate = pg_migrate,
};
