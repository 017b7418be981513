/* milestone — see milestone.h. */
#include "core/milestone.h"

#include "util/clock.h"

#include <stdio.h>
#include <string.h>

bool milestone_kind_valid(const char *kind)
{
	static const char *const kinds[] = {"version", "meeting", "deadline", "presentation", "other"};
	for (size_t i = 0; kind && i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

static void check_range(const char *date, const char *end_date, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", "Give the date as YYYY-MM-DD.");
	if (end_date && clock_parse_date(end_date, &y, &m, &d) != 0)
		error_field(e, "end_date", "Give the end date as YYYY-MM-DD, or leave it out.");
	else if (end_date && date && strcmp(end_date, date) < 0)
		error_field(e, "end_date", "The end date comes before the start date.");
}

int milestone_add(struct db *db, int64_t process_id, const char *date, const char *end_date, const char *title,
		  const char *kind, int64_t *id, struct error *e)
{
	check_range(date, end_date, e);
	if (!title || !*title)
		error_field(e, "title", "Say what happens on this date.");
	if (!milestone_kind_valid(kind))
		error_field(e, "kind", "Use one of version, meeting, deadline, presentation, other.");
	if (e->code)
		return -1;
	static const char sql[] =
		"INSERT INTO milestone (process_id, date, end_date, title, kind) VALUES (?, ?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, end_date);
	db_bind_text(st, 4, title);
	db_bind_text(st, 5, kind);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	*id = db_last_id(db);
	return 0;
}

int milestone_record_move(struct db *db, int64_t milestone_id, const char *moved_on, const char *from_date,
			  const char *from_end_date, const char *from_label, const char *reason, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(moved_on, &y, &m, &d) != 0)
		error_field(e, "moved_on", "Give the date of the move as YYYY-MM-DD.");
	if (!reason || !*reason)
		error_field(e, "reason", "Say why the milestone moved.");
	if (!from_date && !from_label)
		error_field(e, "from", "Say where the milestone was before.");
	if (e->code)
		return -1;
	static const char sql[] =
		"INSERT INTO milestone_move (milestone_id, moved_on, from_date, from_end_date, from_label, "
		"to_date, to_end_date, reason) "
		"SELECT id, ?2, ?3, ?4, ?5, date, end_date, ?6 FROM milestone WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, milestone_id);
	db_bind_text(st, 2, moved_on);
	db_bind_text(st, 3, from_date);
	db_bind_text(st, 4, from_end_date);
	db_bind_text(st, 5, from_label);
	db_bind_text(st, 6, reason);
	return db_exec_stmt(st, e);
}

static void milestone_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct milestone *ms = element;
	ms->id = db_col_int(st, 0);
	ms->date = arena_strdup(a, db_col_text(st, 1));
	ms->end_date = arena_strdup(a, db_col_text(st, 2));
	ms->title = arena_strdup(a, db_col_text(st, 3));
	ms->kind = arena_strdup(a, db_col_text(st, 4));
	ms->status = arena_strdup(a, db_col_text(st, 5));
}

static void move_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct milestone_move *h = element;
	h->id = db_col_int(st, 0);
	h->moved_on = arena_strdup(a, db_col_text(st, 1));
	h->from_date = arena_strdup(a, db_col_text(st, 2));
	h->from_end_date = arena_strdup(a, db_col_text(st, 3));
	h->from_label = arena_strdup(a, db_col_text(st, 4));
	h->to_date = arena_strdup(a, db_col_text(st, 5));
	h->to_end_date = arena_strdup(a, db_col_text(st, 6));
	h->reason = arena_strdup(a, db_col_text(st, 7));
}

int milestone_list(struct db *db, struct arena *a, int64_t process_id, struct milestone **out, int *n,
		   struct error *e)
{
	static const char sql[] = "SELECT id, date, end_date, title, kind, status FROM milestone "
				  "WHERE process_id = ? ORDER BY date, id";
	static const char sql_moves[] =
		"SELECT id, moved_on, from_date, from_end_date, from_label, to_date, to_end_date, reason "
		"FROM milestone_move WHERE milestone_id = ? ORDER BY moved_on, id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	if (db_collect(st, a, (void **)out, n, sizeof **out, milestone_from_row, e) != 0)
		return -1;
	for (int i = 0; i < *n; i++) {
		struct milestone *ms = &(*out)[i];
		st = db_stmt(db, sql_moves, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, ms->id);
		if (db_collect(st, a, (void **)&ms->history, &ms->nhistory, sizeof *ms->history, move_from_row, e) != 0)
			return -1;
	}
	return 0;
}

void milestone_format_range(const char *date, const char *end_date, char out[80])
{
	char a[32], b[32];
	clock_format_date_long(date, a);
	if (!end_date || strcmp(date, end_date) == 0) {
		snprintf(out, 80, "%s", a);
		return;
	}
	clock_format_date_long(end_date, b);
	int y1, m1, d1, y2, m2, d2;
	if (clock_parse_date(date, &y1, &m1, &d1) == 0 && clock_parse_date(end_date, &y2, &m2, &d2) == 0 &&
	    y1 == y2 && m1 == m2)
		snprintf(out, 80, "%d\u2013%s", d1, b); /* 8–18 June 2021 */
	else
		snprintf(out, 80, "%s \u2013 %s", a, b);
}
