/* audit — see audit.h. */
#include "core/audit.h"

#include "core/ledger.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

const struct actor ACTOR_PUBLIC = {0, "public"};
const struct actor ACTOR_SYSTEM = {0, "system"};
const struct actor ACTOR_COMMAND_LINE = {0, "command line"};

int audit_record(struct db *db, const struct actor *who, int64_t process_id, const char *kind, const char *object,
		 const char *before, const char *after, struct error *e)
{
	static const char sql[] = "INSERT INTO audit (at, account_id, actor, process_id, kind, object, before, after) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, clock_now());
	if (who->account_id)
		db_bind_int(st, 2, who->account_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, who->label);
	if (process_id)
		db_bind_int(st, 4, process_id);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, kind);
	db_bind_text(st, 6, object);
	db_bind_text(st, 7, before);
	db_bind_text(st, 8, after);
	int64_t id = 0;
	if (db_insert_id(st, &id, e) != 0)
		return -1;
	/* A schedule move, a deadline change, a moderation, a disposition: a fact of the tamper-evident record,
	 * whose leaf is this row, appended in the same transaction (core/ledger.h). */
	return ledger_audit_kind(kind) ? ledger_append(db, LEDGER_AUDIT, id, NULL, e) : 0;
}

const char *audit_json(struct arena *a, json_t *value)
{
	if (!value)
		return NULL;
	char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(value);
	if (!text)
		return NULL;
	const char *copy = arena_strdup(a, text);
	free(text);
	return copy;
}

static int audit_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct audit_entry *x = element;
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->at = db_col_int(st, 1);
	x->actor = db_col_dup(st, 2, a, &failed);
	x->process_id = db_col_int(st, 3);
	x->process_slug = db_col_dup(st, 4, a, &failed);
	x->kind = db_col_dup(st, 5, a, &failed);
	x->object = db_col_dup(st, 6, a, &failed);
	x->before = db_col_dup(st, 7, a, &failed);
	x->after = db_col_dup(st, 8, a, &failed);
	return failed ? -1 : 0;
}

int audit_list(struct db *db, struct arena *a, int64_t process_id, const char *kind, int64_t before_id, int limit,
	       struct audit_entry **out, int *n, struct error *e)
{
	/* ?2 = '' matches every kind; a kind ending in '.' matches its family. */
	static const char sql[] =
		"SELECT x.id, x.at, x.actor, x.process_id, p.slug, x.kind, x.object, x.before, x.after "
		"FROM audit x LEFT JOIN process p ON p.id = x.process_id "
		"WHERE (?1 = 0 OR x.process_id = ?1) "
		"AND (?2 = '' OR x.kind = ?2 OR (substr(?2, length(?2), 1) = '.' AND substr(x.kind, 1, length(?2)) = ?2)) "
		"AND (?3 = 0 OR x.id < ?3) ORDER BY x.id DESC LIMIT ?4";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, kind ? kind : "");
	db_bind_int(st, 3, before_id);
	db_bind_int(st, 4, limit);
	return db_collect(st, a, (void **)out, n, sizeof **out, audit_from_row, e);
}
