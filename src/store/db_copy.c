/*
 * db_copy — see db_copy.h. Each side (an "end") is spoken to directly, with sqlite3 or libpq, not through
 * db.h: db.h speaks to one database per process, and a copy needs two at once. db.h is used only to give
 * the target its schema (db_migrate).
 *
 * The statements here are built from names read in the databases' own catalogs (tables, columns), each
 * quoted as an identifier; no value is ever written into one (values are bound, or sent by COPY).
 */
#include "store/db_copy.h"

#include "store/db.h"
#include "util/buf.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A column's kind, the same on both backends: the migrations declare INTEGER (BIGINT on PostgreSQL), TEXT
 * and BLOB (BYTEA) only. */
enum kind { KIND_INT = 'I', KIND_TEXT = 'T', KIND_BLOB = 'B' };

struct column {
	const char *name;
	char kind;
};

struct table {
	const char *name;
	struct column *cols;
	int ncols;
	const char **order; /* the primary key's columns (all columns if it has none) */
	int norder;
	const char **refs; /* the tables its foreign keys reference */
	int nrefs;
	bool placed;
	bool forward; /* placed before a table it references (a cycle broken here) */
};

struct end {
	const char *url, *shown;
	bool pg;
	sqlite3 *lite;
	PGconn *conn;
};

/* One value of a row as read, valid until the next row. */
struct cell {
	bool null;
	int64_t i;
	const unsigned char *p;
	size_t n;
};

/* -- URLs and opening ---------------------------------------------------------------------------------- */

static bool is_pg(const char *url)
{
	return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11);
}

static bool is_sqlite(const char *url)
{
	return !strncmp(url, "sqlite:", 7) && url[7];
}

/* url with the password of USER:PASSWORD@ or password= masked, to be printed. */
static const char *masked(struct arena *a, const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	const char *shown = scheme && at && colon && colon < at
	                        ? arena_printf(a, "%.*s:***%s", (int)(colon - url), url, at)
	                        : arena_strdup(a, url);
	const char *q = shown ? strstr(shown, "password=") : NULL;
	if (q)
		shown = arena_printf(a, "%.*spassword=***", (int)(q - shown), shown);
	return shown ? shown : "(out of memory)";
}

static int end_open(struct end *x, struct arena *a, const char *option, const char *url, bool readonly, struct error *e)
{
	memset(x, 0, sizeof *x);
	x->url = url;
	x->shown = masked(a, url);
	x->pg = is_pg(url);
	if (x->pg) {
		x->conn = PQconnectdb(url);
		if (!x->conn || PQstatus(x->conn) != CONNECTION_OK) {
			const char *why = x->conn ? PQerrorMessage(x->conn) : "out of memory";
			error_set(e, ERROR_INVALID, "%s: cannot connect to %s: %.*s", option, x->shown,
			          (int)strcspn(why, "\n"), why);
			return -1;
		}
		return 0;
	}
	if (!is_sqlite(url)) {
		error_set(e, ERROR_INVALID,
		          "%s '%s' is not a database URL: use sqlite:PATH or postgresql://[USER@]HOST[:PORT]/DBNAME",
		          option, x->shown);
		return -1;
	}
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(url + 7, &x->lite, flags, NULL) != SQLITE_OK) {
		error_set(e, ERROR_INVALID, "%s: cannot open %s: %s", option, x->shown,
		          x->lite ? sqlite3_errmsg(x->lite) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(x->lite, 10000);
	return 0;
}

static void end_close(struct end *x)
{
	if (x->conn)
		PQfinish(x->conn);
	if (x->lite)
		sqlite3_close(x->lite);
	x->conn = NULL;
	x->lite = NULL;
}

static void end_fail(struct end *x, struct error *e, const char *what)
{
	if (!e)
		return;
	const char *why = x->pg ? PQerrorMessage(x->conn) : sqlite3_errmsg(x->lite);
	error_set(e, ERROR_INTERNAL, "%s while %s: %.*s", x->shown, what, (int)strcspn(why, "\n"), why);
}

static int end_exec(struct end *x, const char *sql, struct error *e, const char *what)
{
	if (x->pg) {
		PGresult *res = PQexec(x->conn, sql);
		ExecStatusType s = PQresultStatus(res);
		PQclear(res);
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
			return 0;
	} else if (sqlite3_exec(x->lite, sql, NULL, NULL, NULL) == SQLITE_OK) {
		return 0;
	}
	end_fail(x, e, what);
	return -1;
}

/* The rows of a catalog query (lite for SQLite, pg for PostgreSQL, at most one parameter: param) as
 * strings (NULL for NULL) in a: (*rows)[r * ncols + c]. 0 or -1. */
static int end_rows(struct end *x, struct arena *a, const char *lite, const char *pg, const char *param, int ncols,
                    const char ***rows, int *n, struct error *e)
{
	*rows = NULL;
	*n = 0;
	int cap = 0;
	if (x->pg) {
		PGresult *res = PQexecParams(x->conn, pg, param ? 1 : 0, NULL, param ? &param : NULL, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != ncols) {
			PQclear(res);
			end_fail(x, e, "reading its catalog");
			return -1;
		}
		for (int r = 0; r < PQntuples(res); r++)
			for (int c = 0; c < ncols; c++) {
				const char **slot = arena_push(a, (void **)rows, n, &cap, sizeof **rows);
				if (!slot) {
					PQclear(res);
					error_set(e, ERROR_UNAVAILABLE, "out of memory");
					return -1;
				}
				*slot = PQgetisnull(res, r, c) ? NULL : arena_strdup(a, PQgetvalue(res, r, c));
			}
		PQclear(res);
		*n /= ncols;
		return 0;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(x->lite, lite, -1, &st, NULL) != SQLITE_OK) {
		end_fail(x, e, "reading its catalog");
		return -1;
	}
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int c = 0; c < ncols; c++) {
			const char **slot = arena_push(a, (void **)rows, n, &cap, sizeof **rows);
			if (!slot) {
				sqlite3_finalize(st);
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
				return -1;
			}
			const unsigned char *v = sqlite3_column_text(st, c);
			*slot = v ? arena_strdup(a, (const char *)v) : NULL;
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		end_fail(x, e, "reading its catalog");
		return -1;
	}
	*n /= ncols;
	return 0;
}

/* name quoted as an identifier ("" inside doubled): both backends read it so. */
static void ident(struct buf *b, const char *name)
{
	buf_putc(b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* -- the schema ----------------------------------------------------------------------------------------- */

/* SQLite's virtual tables (FTS5) and their shadow tables (NAME_data, NAME_idx, ...) are not data but indexes
 * of it: not copied (PostgreSQL has none); the target's are made again from what was copied (search_reindex).
 * Nor is contribution_tally (migration 033): the target's triggers count the contributions as they are copied. */
static const char SQL_TABLES_LITE[] =
    "SELECT name FROM sqlite_master m WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND "
    "name <> 'schema_migration' AND name <> 'contribution_tally' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS (SELECT 1 FROM "
    "sqlite_master v WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND m.name LIKE v.name || "
    "'\\_%' ESCAPE '\\') ORDER BY name";
static const char SQL_TABLES_PG[] = "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                    "current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
                                    "'schema_migration' AND table_name <> 'contribution_tally' "
                                    "ORDER BY table_name";

/* The number of tables at x, schema_migration included (any table: the target must have none). */
static int end_count_tables(struct end *x, struct arena *a, int *count, struct error *e)
{
	static const char lite[] = "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
	static const char pg[] = "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
	                         "current_schema()";
	const char **rows;
	int n;
	if (end_rows(x, a, lite, pg, NULL, 1, &rows, &n, e) != 0)
		return -1;
	*count = n == 1 && rows[0] ? (int)strtol(rows[0], NULL, 10) : 0;
	return 0;
}

/* The first table at x (schema_migration aside) that holds a row, in *full (NULL if none): a target that
 * `consulta init` migrated but nothing used yet is as empty as a new one. */
static int end_first_full(struct end *x, struct arena *a, const char **full, struct error *e)
{
	const char **names;
	int n;
	*full = NULL;
	if (end_rows(x, a, SQL_TABLES_LITE, SQL_TABLES_PG, NULL, 1, &names, &n, e) != 0)
		return -1;
	for (int i = 0; i < n && !*full; i++) {
		struct buf b;
		buf_init(&b, 1 << 12);
		buf_puts(&b, "SELECT count(*) FROM (SELECT 1 FROM ");
		ident(&b, names[i] ? names[i] : "");
		buf_puts(&b, " LIMIT 1) AS one");
		buf_putc(&b, '\0');
		const char **rows;
		int k;
		int rc = b.failed ? -1 : end_rows(x, a, b.data, b.data, NULL, 1, &rows, &k, e);
		if (b.failed)
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
		buf_free(&b);
		if (rc != 0)
			return -1;
		if (k == 1 && rows[0] && strcmp(rows[0], "0") != 0)
			*full = names[i];
	}
	return 0;
}

/* The migrations applied at x, as one string "001,002,...". */
static int end_versions(struct end *x, struct arena *a, const char **out, struct error *e)
{
	static const char sql[] = "SELECT version FROM schema_migration ORDER BY version";
	const char **rows;
	int n;
	if (end_rows(x, a, sql, sql, NULL, 1, &rows, &n, e) != 0)
		return -1;
	struct buf b;
	buf_init(&b, 1 << 16);
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", rows[i] ? rows[i] : "");
	*out = b.failed ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	if (!*out) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

/* type contains word, in any case (ASCII). */
static bool has_word(const char *type, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = type; *p; p++)
		if (!strncasecmp(p, word, n))
			return true;
	return false;
}

/* A declared type's kind; 0 if it is none of the three. */
static char kind_of(bool pg, const char *type)
{
	if (!type)
		return 0;
	if (pg) {
		if (!strcmp(type, "bigint") || !strcmp(type, "integer") || !strcmp(type, "smallint"))
			return KIND_INT;
		if (!strcmp(type, "text") || !strcmp(type, "character varying") || !strcmp(type, "character"))
			return KIND_TEXT;
		return !strcmp(type, "bytea") ? KIND_BLOB : 0;
	}
	/* SQLite's rules of affinity (https://www.sqlite.org/datatype3.html, 3.1), for the three kinds. */
	if (has_word(type, "INT"))
		return KIND_INT;
	if (has_word(type, "CHAR") || has_word(type, "CLOB") || has_word(type, "TEXT"))
		return KIND_TEXT;
	return has_word(type, "BLOB") || !*type ? KIND_BLOB : 0;
}

/* Table t's columns, primary key and references at x. */
static int end_describe(struct end *x, struct arena *a, struct table *t, struct error *e)
{
	/* A generated column (PostgreSQL's search_entry.words, the tsvector of its text) is made by the target from
	 * the others: neither copied nor summed. */
	static const char cols_lite[] = "SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid";
	static const char cols_pg[] = "SELECT c.column_name, c.data_type, (SELECT k.ordinal_position FROM "
	                              "information_schema.key_column_usage k JOIN information_schema.table_constraints "
	                              "tc ON tc.constraint_name = k.constraint_name AND tc.table_schema = "
	                              "k.table_schema WHERE tc.constraint_type = 'PRIMARY KEY' AND k.table_schema = "
	                              "c.table_schema AND k.table_name = c.table_name AND k.column_name = "
	                              "c.column_name) FROM information_schema.columns c WHERE c.table_schema = "
	                              "current_schema() AND c.table_name = $1 AND c.is_generated = 'NEVER' "
	                              "ORDER BY c.ordinal_position";
	static const char refs_lite[] = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)";
	static const char refs_pg[] = "SELECT DISTINCT r.relname FROM pg_constraint c JOIN pg_class r ON r.oid = "
	                              "c.confrelid JOIN pg_class s ON s.oid = c.conrelid WHERE c.contype = 'f' AND "
	                              "s.relname = $1 AND s.relnamespace = current_schema()::regnamespace";
	const char **rows;
	int n;
	if (end_rows(x, a, cols_lite, cols_pg, t->name, 3, &rows, &n, e) != 0)
		return -1;
	if (n == 0) {
		error_set(e, ERROR_INVALID, "%s has no table %s: the two schemas differ", x->shown, t->name);
		return -1;
	}
	t->cols = arena_alloc(a, (size_t)n * sizeof *t->cols);
	t->order = arena_alloc(a, (size_t)n * sizeof *t->order);
	if (!t->cols || !t->order) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	t->ncols = n;
	t->norder = 0;
	for (int pk = 1; pk <= n; pk++) /* the key's columns in the key's order */
		for (int i = 0; i < n; i++)
			if (rows[i * 3 + 2] && strtol(rows[i * 3 + 2], NULL, 10) == pk)
				t->order[t->norder++] = rows[i * 3];
	for (int i = 0; i < n; i++) {
		t->cols[i].name = rows[i * 3];
		t->cols[i].kind = kind_of(x->pg, rows[i * 3 + 1]);
		if (!t->cols[i].kind) {
			error_set(e, ERROR_INTERNAL, "%s: column %s.%s has a type (%s) migrate-db does not copy",
			          x->shown, t->name, rows[i * 3], rows[i * 3 + 1] ? rows[i * 3 + 1] : "none");
			return -1;
		}
	}
	if (t->norder == 0) { /* no key: every column orders the rows */
		for (int i = 0; i < n; i++)
			t->order[i] = rows[i * 3];
		t->norder = n;
	}
	if (end_rows(x, a, refs_lite, refs_pg, t->name, 1, &rows, &n, e) != 0)
		return -1;
	t->refs = rows;
	t->nrefs = n;
	return 0;
}

/* Both ends' columns of t are the same, in the same order, of the same kinds. */
static int same_columns(const struct table *t, const struct table *u, const char *shown, struct error *e)
{
	bool same = t->ncols == u->ncols;
	for (int i = 0; same && i < t->ncols; i++)
		same = !strcmp(t->cols[i].name, u->cols[i].name) && t->cols[i].kind == u->cols[i].kind;
	if (!same)
		error_set(e, ERROR_INVALID, "the columns of table %s differ between %s and the target", t->name, shown);
	return same ? 0 : -1;
}

/* How many tables t references that are not placed yet (itself aside: a statement checks its own rows'
 * references at its end, in any order). */
static int unplaced_refs(const struct table *tables, int n, const struct table *t)
{
	int count = 0;
	for (int r = 0; r < t->nrefs; r++)
		for (int j = 0; j < n; j++)
			if (&tables[j] != t && t->refs[r] && !strcmp(tables[j].name, t->refs[r]) && !tables[j].placed)
				count++;
	return count;
}

/* tables in the order of their references, a referenced table before its referrers. Where references make
 * a cycle (a campaign names its representative contribution, which names its campaign), the table with the
 * fewest references left goes first, marked forward: its references to the later ones are checked at
 * commit (see defer_forward). */
static void dependency_order(struct table *tables, int n, struct table **order)
{
	for (int done = 0; done < n;) {
		int before = done;
		for (int i = 0; i < n; i++)
			if (!tables[i].placed && unplaced_refs(tables, n, &tables[i]) == 0) {
				tables[i].placed = true;
				order[done++] = &tables[i];
			}
		if (done > before)
			continue;
		struct table *first = NULL;
		for (int i = 0; i < n; i++)
			if (!tables[i].placed &&
			    (!first || unplaced_refs(tables, n, &tables[i]) < unplaced_refs(tables, n, first)))
				first = &tables[i];
		first->placed = true;
		first->forward = true;
		order[done++] = first;
	}
}

/* On PostgreSQL, the foreign keys of a table copied before a table it references are made DEFERRABLE
 * INITIALLY DEFERRED (deferred: true), so that the copy's commit checks them, and back to NOT DEFERRABLE
 * after it (deferred: false): the table's owner may do both, where turning the checks off needs a superuser.
 * SQLite's connection here does not enforce foreign keys; they are checked after the copy (check_keys). */
static int defer_forward(struct end *x, struct arena *a, struct table **order, int n, bool deferred, struct error *e)
{
	static const char sql[] = "SELECT c.conname FROM pg_constraint c JOIN pg_class s ON s.oid = c.conrelid "
	                          "WHERE c.contype = 'f' AND s.relname = $1 AND s.relnamespace = "
	                          "current_schema()::regnamespace ORDER BY c.conname";
	for (int i = 0; x->pg && i < n; i++) {
		if (!order[i]->forward)
			continue;
		const char **names;
		int k;
		if (end_rows(x, a, sql, sql, order[i]->name, 1, &names, &k, e) != 0)
			return -1;
		for (int c = 0; c < k; c++) {
			struct buf b;
			buf_init(&b, 1 << 12);
			buf_puts(&b, "ALTER TABLE ");
			ident(&b, order[i]->name);
			buf_puts(&b, " ALTER CONSTRAINT ");
			ident(&b, names[c]);
			buf_puts(&b,
			         deferred ? " DEFERRABLE INITIALLY DEFERRED" : " NOT DEFERRABLE INITIALLY IMMEDIATE");
			buf_putc(&b, '\0');
			int rc = b.failed ? -1 : end_exec(x, b.data, e, "deferring a foreign key's check");
			if (b.failed)
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
			buf_free(&b);
			if (rc != 0)
				return -1;
		}
	}
	return 0;
}

/* On SQLite, after the copy: every foreign key holds (PRAGMA foreign_key_check finds no row). */
static int check_keys(struct end *x, struct arena *a, struct error *e)
{
	static const char sql[] = "SELECT \"table\", rowid FROM pragma_foreign_key_check LIMIT 1";
	const char **rows;
	int n;
	if (x->pg || end_rows(x, a, sql, sql, NULL, 2, &rows, &n, e) != 0)
		return x->pg ? 0 : -1;
	if (n > 0) {
		error_set(e, ERROR_INTERNAL, "%s: a row of %s (rowid %s) references a row that is not there", x->shown,
		          rows[0] ? rows[0] : "?", rows[1] ? rows[1] : "?");
		return -1;
	}
	return 0;
}

/* -- statements from names ------------------------------------------------------------------------------ */

static void column_list(struct buf *b, const struct table *t)
{
	for (int i = 0; i < t->ncols; i++) {
		if (i)
			buf_puts(b, ", ");
		ident(b, t->cols[i].name);
	}
}

/* The read of t's rows in its key's order, the same order on both: texts compared byte by byte (SQLite's
 * BINARY, PostgreSQL's "C"), NULLs first as SQLite puts them. */
static const char *select_sql(struct arena *a, const struct table *t, bool pg)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_puts(&b, "SELECT ");
	column_list(&b, t);
	buf_puts(&b, " FROM ");
	ident(&b, t->name);
	buf_puts(&b, " ORDER BY ");
	for (int i = 0; i < t->norder; i++) {
		if (i)
			buf_puts(&b, ", ");
		ident(&b, t->order[i]);
		char kind = 0;
		for (int c = 0; c < t->ncols; c++)
			if (!strcmp(t->cols[c].name, t->order[i]))
				kind = t->cols[c].kind;
		if (kind == KIND_TEXT)
			buf_puts(&b, pg ? " COLLATE \"C\"" : " COLLATE BINARY");
		if (pg)
			buf_puts(&b, " NULLS FIRST");
	}
	const char *sql = b.failed ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return sql;
}

/* -- reading rows --------------------------------------------------------------------------------------- */

struct reader {
	struct end *x;
	const struct table *t;
	sqlite3_stmt *st;
	PGresult *res;
	struct cell *cells;
};

static int reader_open(struct reader *r, struct end *x, struct arena *a, const struct table *t, struct error *e)
{
	memset(r, 0, sizeof *r);
	r->x = x;
	r->t = t;
	r->cells = arena_alloc(a, (size_t)t->ncols * sizeof *r->cells);
	const char *sql = select_sql(a, t, x->pg);
	if (!r->cells || !sql) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (x->pg) {
		/* Binary results (integers as 8, 4 or 2 bytes, texts and bytea as their bytes), one row at a time:
		 * a table of millions of rows is never held whole. */
		if (!PQsendQueryParams(x->conn, sql, 0, NULL, NULL, NULL, NULL, 1) || !PQsetSingleRowMode(x->conn)) {
			end_fail(x, e, "reading");
			return -1;
		}
		return 0;
	}
	if (sqlite3_prepare_v2(x->lite, sql, -1, &r->st, NULL) != SQLITE_OK) {
		end_fail(x, e, "reading");
		return -1;
	}
	return 0;
}

static int64_t big_endian(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n < 8 && n > 0 && (p[0] & 0x80)) /* sign-extend a 4- or 2-byte integer */
		v |= ~UINT64_C(0) << (n * 8);
	return (int64_t)v;
}

/* The next row into r->cells: 1, 0 at the end, -1 on error. */
static int reader_next(struct reader *r, struct error *e)
{
	const struct table *t = r->t;
	if (r->x->pg) {
		PQclear(r->res);
		r->res = PQgetResult(r->x->conn);
		ExecStatusType s = PQresultStatus(r->res);
		if (s == PGRES_TUPLES_OK) { /* the end: then the NULL that ends the query */
			PQclear(r->res);
			r->res = PQgetResult(r->x->conn);
			PQclear(r->res);
			r->res = NULL;
			return 0;
		}
		if (s != PGRES_SINGLE_TUPLE) {
			end_fail(r->x, e, "reading");
			return -1;
		}
		for (int c = 0; c < t->ncols; c++) {
			struct cell *v = &r->cells[c];
			v->null = PQgetisnull(r->res, 0, c);
			v->p = (const unsigned char *)PQgetvalue(r->res, 0, c);
			v->n = (size_t)PQgetlength(r->res, 0, c);
			if (!v->null && t->cols[c].kind == KIND_INT) {
				if (v->n != 8 && v->n != 4 && v->n != 2) {
					error_set(e, ERROR_INTERNAL, "%s.%s: an integer of %zu bytes", t->name,
					          t->cols[c].name, v->n);
					return -1;
				}
				v->i = big_endian(v->p, (int)v->n);
			}
		}
		return 1;
	}
	int rc = sqlite3_step(r->st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		end_fail(r->x, e, "reading");
		return -1;
	}
	for (int c = 0; c < t->ncols; c++) {
		struct cell *v = &r->cells[c];
		int type = sqlite3_column_type(r->st, c);
		v->null = type == SQLITE_NULL;
		v->i = 0;
		v->p = NULL;
		v->n = 0;
		if (v->null)
			continue;
		if (t->cols[c].kind == KIND_INT) {
			if (type != SQLITE_INTEGER) {
				error_set(e, ERROR_INVALID,
				          "%s.%s holds a value that is no integer, which PostgreSQL "
				          "would refuse",
				          t->name, t->cols[c].name);
				return -1;
			}
			v->i = sqlite3_column_int64(r->st, c);
		} else {
			/* A text is its UTF-8 bytes, a blob its bytes, whatever SQLite stored it as. */
			v->p = t->cols[c].kind == KIND_TEXT ? sqlite3_column_text(r->st, c)
			                                    : sqlite3_column_blob(r->st, c);
			v->n = (size_t)sqlite3_column_bytes(r->st, c);
			if (!v->p)
				v->p = (const unsigned char *)"";
		}
	}
	return 1;
}

static void reader_close(struct reader *r)
{
	if (r->st)
		sqlite3_finalize(r->st);
	r->st = NULL;
	if (r->x && r->x->pg) {
		PQclear(r->res);
		/* a read left early (an error): drain it, so the connection can be used again */
		while ((r->res = PQgetResult(r->x->conn)))
			PQclear(r->res);
	}
	r->res = NULL;
}

/* The row's canonical form into the checksum: per value, N; I and the integer in decimal then ';'; T or B,
 * the length in decimal, ':' and the bytes. */
static void hash_row(crypto_hash_sha256_state *h, const struct table *t, const struct cell *cells)
{
	for (int c = 0; c < t->ncols; c++) {
		const struct cell *v = &cells[c];
		char head[48];
		int n;
		if (v->null)
			n = snprintf(head, sizeof head, "N");
		else if (t->cols[c].kind == KIND_INT)
			n = snprintf(head, sizeof head, "I%" PRId64 ";", v->i);
		else
			n = snprintf(head, sizeof head, "%c%zu:", t->cols[c].kind, v->n);
		crypto_hash_sha256_update(h, (const unsigned char *)head, (unsigned long long)n);
		if (!v->null && t->cols[c].kind != KIND_INT)
			crypto_hash_sha256_update(h, v->p, v->n);
	}
}

static void hex_of(const unsigned char *sum, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[sum[i] >> 4];
		out[2 * i + 1] = digits[sum[i] & 15];
	}
	out[64] = '\0';
}

/* -- writing rows --------------------------------------------------------------------------------------- */

/* On SQLite one prepared INSERT per table; on PostgreSQL COPY ... FROM STDIN in text format. */
struct writer {
	struct end *x;
	const struct table *t;
	sqlite3_stmt *st;
	struct buf out; /* COPY's data not sent yet */
};

enum { COPY_CHUNK = 1 << 16 };

static int writer_open(struct writer *w, struct end *x, const struct table *t, struct error *e)
{
	memset(w, 0, sizeof *w);
	w->x = x;
	w->t = t;
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_puts(&b, x->pg ? "COPY " : "INSERT INTO ");
	ident(&b, t->name);
	buf_puts(&b, " (");
	column_list(&b, t);
	if (x->pg) {
		buf_puts(&b, ") FROM STDIN");
	} else {
		buf_puts(&b, ") VALUES (");
		for (int i = 0; i < t->ncols; i++)
			buf_puts(&b, i ? ", ?" : "?");
		buf_puts(&b, ")");
	}
	buf_putc(&b, '\0');
	int rc = -1;
	if (b.failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
	} else if (x->pg) {
		PGresult *res = PQexec(x->conn, b.data);
		if (PQresultStatus(res) == PGRES_COPY_IN)
			rc = 0;
		else
			end_fail(x, e, "writing");
		PQclear(res);
		buf_init(&w->out, (size_t)COPY_CHUNK * 64 + (1u << 30)); /* a row may hold a large file */
	} else if (sqlite3_prepare_v2(x->lite, b.data, -1, &w->st, NULL) == SQLITE_OK) {
		rc = 0;
	} else {
		end_fail(x, e, "writing");
	}
	buf_free(&b);
	return rc;
}

/* COPY's text format: backslash, newline, carriage return and tab escaped; a blob as \\x and hex. */
static void copy_text(struct buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '\\': buf_append(b, "\\\\", 2); break;
		case '\n': buf_append(b, "\\n", 2); break;
		case '\r': buf_append(b, "\\r", 2); break;
		case '\t': buf_append(b, "\\t", 2); break;
		default: buf_putc(b, (char)p[i]);
		}
	}
}

static int writer_send(struct writer *w, struct error *e)
{
	if (w->out.failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (w->out.len && PQputCopyData(w->x->conn, w->out.data, (int)w->out.len) != 1) {
		end_fail(w->x, e, "writing");
		return -1;
	}
	buf_reset(&w->out);
	return 0;
}

static int writer_row(struct writer *w, const struct cell *cells, struct error *e)
{
	const struct table *t = w->t;
	if (w->x->pg) {
		static const char hex[] = "0123456789abcdef";
		for (int c = 0; c < t->ncols; c++) {
			const struct cell *v = &cells[c];
			if (c)
				buf_putc(&w->out, '\t');
			if (v->null)
				buf_append(&w->out, "\\N", 2);
			else if (t->cols[c].kind == KIND_INT)
				buf_printf(&w->out, "%" PRId64, v->i);
			else if (t->cols[c].kind == KIND_TEXT)
				copy_text(&w->out, v->p, v->n);
			else {
				buf_append(&w->out, "\\\\x", 3);
				for (size_t i = 0; i < v->n; i++) {
					buf_putc(&w->out, hex[v->p[i] >> 4]);
					buf_putc(&w->out, hex[v->p[i] & 15]);
				}
			}
		}
		buf_putc(&w->out, '\n');
		return w->out.len >= COPY_CHUNK || w->out.failed ? writer_send(w, e) : 0;
	}
	sqlite3_reset(w->st);
	sqlite3_clear_bindings(w->st);
	for (int c = 0; c < t->ncols; c++) {
		const struct cell *v = &cells[c];
		if (v->null)
			sqlite3_bind_null(w->st, c + 1);
		else if (t->cols[c].kind == KIND_INT)
			sqlite3_bind_int64(w->st, c + 1, v->i);
		else if (t->cols[c].kind == KIND_TEXT)
			sqlite3_bind_text64(w->st, c + 1, (const char *)v->p, v->n, SQLITE_TRANSIENT, SQLITE_UTF8);
		else
			sqlite3_bind_blob64(w->st, c + 1, v->p, v->n, SQLITE_TRANSIENT);
	}
	if (sqlite3_step(w->st) != SQLITE_DONE) {
		end_fail(w->x, e, "writing");
		return -1;
	}
	return 0;
}

static int writer_close(struct writer *w, bool ok, struct error *e)
{
	int rc = ok ? 0 : -1;
	if (w->x->pg) {
		if (ok && writer_send(w, e) != 0)
			rc = -1;
		if (PQputCopyEnd(w->x->conn, rc == 0 ? NULL : "migrate-db stopped") != 1 && rc == 0) {
			end_fail(w->x, e, "writing");
			rc = -1;
		}
		PGresult *res;
		while ((res = PQgetResult(w->x->conn))) {
			if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
				end_fail(w->x, e, "writing");
				rc = -1;
			}
			PQclear(res);
		}
		buf_free(&w->out);
	}
	if (w->st)
		sqlite3_finalize(w->st);
	w->st = NULL;
	return rc;
}

/* -- the copy ------------------------------------------------------------------------------------------- */

/* Reads table t at x (and with w, writes each row there too): its rows and checksum. */
static int pass(struct end *x, struct arena *a, const struct table *t, struct writer *w, int64_t *rows, char *sum,
                struct error *e)
{
	struct reader r;
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	*rows = 0;
	if (reader_open(&r, x, a, t, e) != 0)
		return -1;
	int got;
	while ((got = reader_next(&r, e)) == 1) {
		hash_row(&h, t, r.cells);
		(*rows)++;
		if (w && writer_row(w, r.cells, e) != 0) {
			got = -1;
			break;
		}
	}
	reader_close(&r);
	unsigned char digest[32];
	crypto_hash_sha256_final(&h, digest);
	hex_of(digest, sum);
	return got == 0 ? 0 : -1;
}

/* On PostgreSQL, each identity column's sequence set to follow the largest value copied. */
static int reset_identities(struct end *x, struct arena *a, const struct table *t, struct error *e)
{
	static const char sql[] = "SELECT column_name FROM information_schema.columns WHERE table_schema = "
	                          "current_schema() AND table_name = $1 AND is_identity = 'YES'";
	const char **cols;
	int n;
	if (end_rows(x, a, sql, sql, t->name, 1, &cols, &n, e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct buf q, name;
		buf_init(&q, 1 << 16);
		buf_init(&name, 1 << 12);
		ident(&name, t->name);
		buf_putc(&name, '\0');
		buf_puts(&q, "SELECT setval(pg_get_serial_sequence($1, $2), (SELECT coalesce(max(");
		ident(&q, cols[i]);
		buf_puts(&q, "), 0) + 1 FROM ");
		ident(&q, t->name);
		buf_puts(&q, "), false)");
		buf_putc(&q, '\0');
		int rc = -1;
		if (!q.failed && !name.failed) {
			const char *params[2] = {name.data, cols[i]};
			PGresult *res = PQexecParams(x->conn, q.data, 2, NULL, params, NULL, NULL, 0);
			rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
			PQclear(res);
			if (rc != 0)
				end_fail(x, e, "setting an identity sequence");
		} else {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
		}
		buf_free(&q);
		buf_free(&name);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static const char *read_begin_sql(const struct end *x)
{
	/* One snapshot for every table: PostgreSQL's REPEATABLE READ; SQLite's read transaction in WAL mode. */
	return x->pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
}

/* The target gets this program's schema through db.h, as `consulta init` gives it. */
static int migrate_target(const char *to, struct error *e)
{
	if (db_configure(to, e) != 0)
		return -1;
	struct db *db = db_thread(e);
	int rc = db && db_migrate(db, e) == 0 ? 0 : -1;
	db_thread_close();
	return rc;
}

static int copy_or_check(struct end *src, struct end *dst, struct arena *a, bool check_only, struct db_copy_result *out,
                         struct error *e)
{
	const char *sv, *tv;
	if (end_versions(src, a, &sv, e) != 0 || end_versions(dst, a, &tv, e) != 0)
		return -1;
	if (strcmp(sv, tv) != 0) {
		error_set(e, ERROR_INVALID,
		          "the schemas differ (migrations %s: %.60s; %s: %.60s): bring the older one up to date with "
		          "consulta --db URL init first",
		          src->shown, sv, dst->shown, tv);
		return -1;
	}
	const char **names, **theirs;
	int n, ntheirs;
	if (end_rows(dst, a, SQL_TABLES_LITE, SQL_TABLES_PG, NULL, 1, &names, &n, e) != 0 ||
	    end_rows(src, a, SQL_TABLES_LITE, SQL_TABLES_PG, NULL, 1, &theirs, &ntheirs, e) != 0)
		return -1;
	bool same = n == ntheirs;
	for (int i = 0; same && i < n; i++)
		same = names[i] && theirs[i] && !strcmp(names[i], theirs[i]);
	if (!same) {
		error_set(e, ERROR_INVALID, "the tables of %s and %s differ (%d and %d tables)", src->shown, dst->shown,
		          ntheirs, n);
		return -1;
	}
	struct table *tables = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *tables);
	struct table **order = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *order);
	out->tables = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *out->tables);
	if (!tables || !order || !out->tables) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct table other = {.name = names[i]};
		tables[i].name = names[i];
		if (end_describe(dst, a, &tables[i], e) != 0 || end_describe(src, a, &other, e) != 0 ||
		    same_columns(&tables[i], &other, src->shown, e) != 0)
			return -1;
	}
	dependency_order(tables, n, order);
	out->ntables = n;
	if (!check_only && defer_forward(dst, a, order, n, true, e) != 0)
		return -1;
	if (end_exec(src, read_begin_sql(src), e, "beginning to read") != 0)
		return -1;
	if (!check_only && ((!dst->pg && end_exec(dst, "PRAGMA foreign_keys = OFF", e, "beginning to write") != 0) ||
	                    end_exec(dst, dst->pg ? "BEGIN" : "BEGIN IMMEDIATE", e, "beginning to write") != 0))
		goto fail;
	for (int i = 0; i < n; i++) {
		struct db_copy_table *r = &out->tables[i];
		r->name = order[i]->name;
		struct writer w;
		if (!check_only && writer_open(&w, dst, order[i], e) != 0)
			goto fail;
		int rc = pass(src, a, order[i], check_only ? NULL : &w, &r->source_rows, r->source_sum, e);
		if (!check_only && writer_close(&w, rc == 0, e) != 0)
			rc = -1;
		if (rc == 0 && !check_only && dst->pg)
			rc = reset_identities(dst, a, order[i], e);
		if (rc != 0)
			goto fail;
		out->rows += r->source_rows;
	}
	end_exec(src, "COMMIT", NULL, "ending the read");
	if (!check_only && end_exec(dst, "COMMIT", e, "committing") != 0)
		goto fail;
	if (!check_only && (defer_forward(dst, a, order, n, false, e) != 0 || check_keys(dst, a, e) != 0))
		return -1;
	out->copied = !check_only;
	/* The target read back, as the source was read: the same counts and checksums, or a difference. */
	if (end_exec(dst, read_begin_sql(dst), e, "beginning to read") != 0)
		return -1;
	out->equal = true;
	for (int i = 0; i < n; i++) {
		struct db_copy_table *r = &out->tables[i];
		if (pass(dst, a, order[i], NULL, &r->target_rows, r->target_sum, e) != 0) {
			end_exec(dst, "ROLLBACK", NULL, "ending the read");
			return -1;
		}
		if (r->target_rows != r->source_rows || strcmp(r->target_sum, r->source_sum) != 0)
			out->equal = false;
	}
	end_exec(dst, "COMMIT", NULL, "ending the read");
	return 0;
fail:
	end_exec(src, "ROLLBACK", NULL, "ending the read");
	if (!check_only) {
		end_exec(dst, "ROLLBACK", NULL, "rolling back");
		struct error ignored;
		error_clear(&ignored);
		defer_forward(dst, a, order, n, false, &ignored);
	}
	return -1;
}

int db_copy(const char *from, const char *to, bool check_only, struct arena *a, struct db_copy_result *out,
            struct error *e)
{
	memset(out, 0, sizeof *out);
	out->from = masked(a, from);
	out->to = masked(a, to);
	for (int k = 0; k < 2; k++) {
		const char *url = k ? to : from;
		if (!is_pg(url) && !is_sqlite(url)) {
			error_set(e, ERROR_INVALID,
			          "%s '%s' is not a database URL: use sqlite:PATH or "
			          "postgresql://[USER@]HOST[:PORT]/DBNAME",
			          k ? "--to" : "--from", k ? out->to : out->from);
			return -1;
		}
	}
	if (!strcmp(from, to)) {
		error_set(e, ERROR_INVALID, "--from and --to name the same database");
		return -1;
	}
	struct end src, dst;
	if (end_open(&src, a, "--from", from, true, e) != 0) {
		end_close(&src);
		return -1;
	}
	if (!check_only) {
		/* The target must be new (no table), or migrated and never used (no row): copying into tables that
		 * hold rows would mix two installations. */
		int tables = 0;
		const char *full = NULL;
		if (end_open(&dst, a, "--to", to, false, e) != 0 || end_count_tables(&dst, a, &tables, e) != 0 ||
		    (tables > 0 && end_first_full(&dst, a, &full, e) != 0)) {
			end_close(&dst);
			end_close(&src);
			return -1;
		}
		end_close(&dst);
		if (full) {
			error_set(e, ERROR_CONFLICT,
			          "--to %s is not empty (table %s has rows): migrate-db copies into a new, empty "
			          "database only (create one, e.g. createdb, or name a new SQLite file)",
			          out->to, full);
			end_close(&src);
			return -1;
		}
		if (migrate_target(to, e) != 0) {
			end_close(&src);
			return -1;
		}
	}
	int rc = end_open(&dst, a, "--to", to, check_only, e);
	if (rc == 0)
		rc = copy_or_check(&src, &dst, a, check_only, out, e);
	end_close(&dst);
	end_close(&src);
	return rc;
}
