/* call — see call.h. */
#include "core/call.h"

#include "util/clock.h"
#include "util/tz.h"

#include <string.h>

int call_create(struct db *db, int64_t process_id, int64_t version_id, const char *title, const char *description,
		const char *timezone, const char *opens_on, const char *closes_on, int64_t *id, struct error *e)
{
	int64_t opens_at = 0, closes_at = 0;
	int y, m, d;
	if (!title || !*title)
		error_field(e, "title", "Give the call a title.");
	if (clock_parse_date(opens_on, &y, &m, &d) != 0 || tz_local_to_utc(timezone, y, m, d, 0, 0, 0, &opens_at) != 0)
		error_field(e, "opens_on", "Give the opening date as YYYY-MM-DD.");
	if (tz_end_of_day(timezone, closes_on, &closes_at) != 0)
		error_field(e, "closes_on", "Give the deadline as YYYY-MM-DD.");
	else if (!e->code && closes_at < opens_at)
		error_field(e, "closes_on", "The deadline comes before the opening date.");
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO call (process_id, version_id, title, description, opens_at, closes_at, "
				  "closes_on) VALUES (?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_int(st, 2, version_id);
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, description ? description : "");
	db_bind_int(st, 5, opens_at);
	db_bind_int(st, 6, closes_at);
	db_bind_text(st, 7, closes_on);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	*id = db_last_id(db);
	return 0;
}

#define CALL_COLUMNS                                                                                            \
	"SELECT c.id, c.process_id, c.version_id, c.title, c.description, c.opens_at, c.closes_at, c.closes_on, " \
	"p.timezone, p.slug, p.title, d.title, v.label, v.date "                                                  \
	"FROM call c JOIN process p ON p.id = c.process_id JOIN version v ON v.id = c.version_id "               \
	"JOIN document d ON d.id = v.document_id "

static void call_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct call *c = element;
	c->id = db_col_int(st, 0);
	c->process_id = db_col_int(st, 1);
	c->version_id = db_col_int(st, 2);
	c->title = arena_strdup(a, db_col_text(st, 3));
	c->description = arena_strdup(a, db_col_text(st, 4));
	c->opens_at = db_col_int(st, 5);
	c->closes_at = db_col_int(st, 6);
	c->closes_on = arena_strdup(a, db_col_text(st, 7));
	c->timezone = arena_strdup(a, db_col_text(st, 8));
	c->process_slug = arena_strdup(a, db_col_text(st, 9));
	c->process_title = arena_strdup(a, db_col_text(st, 10));
	c->document_title = arena_strdup(a, db_col_text(st, 11));
	c->version_label = arena_strdup(a, db_col_text(st, 12));
	c->version_date = arena_strdup(a, db_col_text(st, 13));
}

int call_find(struct db *db, struct arena *a, int64_t id, struct call *out, struct error *e)
{
	static const char sql[] = CALL_COLUMNS "WHERE c.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, call_from_row, "There is no such call for contributions.", e);
}

int call_list(struct db *db, struct arena *a, int64_t process_id, struct call **out, int *n, struct error *e)
{
	static const char sql[] = CALL_COLUMNS "WHERE c.process_id = ? ORDER BY c.closes_at, c.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, call_from_row, e);
}

enum call_state call_state_at(const struct call *c, int64_t now)
{
	if (now < c->opens_at)
		return CALL_UPCOMING;
	if (now > c->closes_at)
		return CALL_CLOSED;
	return CALL_OPEN;
}

const char *call_state_name(enum call_state s)
{
	switch (s) {
	case CALL_UPCOMING: return "upcoming";
	case CALL_OPEN: return "open";
	case CALL_CLOSED: return "closed";
	}
	return "closed";
}
