/* form_once — see form_once.h. */
#include "core/form_once.h"

#include "util/clock.h"

enum { FORM_ONCE_KEPT_SECONDS = 86400 };

int form_once_claim(struct db *db, struct arena *a, const char *key_hash, const char **location, struct error *e)
{
	*location = NULL;
	static const char sql_forget[] = "DELETE FROM form_once WHERE created_at < ?";
	static const char sql_claim[] = "INSERT INTO form_once (key_hash, location, created_at) VALUES (?, NULL, ?) ON "
	                                "CONFLICT (key_hash) DO NOTHING";
	static const char sql_read[] = "SELECT location FROM form_once WHERE key_hash = ?";
	const int64_t now = clock_now();
	struct db_stmt *st = db_stmt(db, sql_forget, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, now - FORM_ONCE_KEPT_SECONDS);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_claim, e)))
		return -1;
	db_bind_text(st, 1, key_hash);
	db_bind_int(st, 2, now);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	if (db_changes(db) == 1)
		return FORM_ONCE_NEW;
	if (!(st = db_stmt(db, sql_read, e)))
		return -1;
	db_bind_text(st, 1, key_hash);
	const enum db_step step = db_step(st, e);
	if (step == DB_FAIL)
		return -1;
	bool failed = false;
	if (step == DB_ROW && !db_col_null(st, 0))
		*location = db_col_dup(st, 0, a, &failed);
	db_reset(st);
	if (failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return *location ? FORM_ONCE_DONE : FORM_ONCE_BUSY;
}

int form_once_done(struct db *db, const char *key_hash, const char *location, struct error *e)
{
	static const char sql[] = "UPDATE form_once SET location = ? WHERE key_hash = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, location);
	db_bind_text(st, 2, key_hash);
	return db_exec_stmt(st, e);
}

int form_once_release(struct db *db, const char *key_hash, struct error *e)
{
	static const char sql[] = "DELETE FROM form_once WHERE key_hash = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, key_hash);
	return db_exec_stmt(st, e);
}
