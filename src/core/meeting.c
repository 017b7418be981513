/* meeting — see meeting.h. */
#include "core/meeting.h"

#include "core/field.h"
#include "util/clock.h"

#include <string.h>

static const char *const FORMAT_NAMES[] = {
	[MEETING_ONLINE] = "online",
	[MEETING_PHYSICAL] = "physical",
	[MEETING_HYBRID] = "hybrid",
};

const char *meeting_format_name(enum meeting_format f)
{
	return FORMAT_NAMES[f];
}

bool meeting_format_parse(const char *name, enum meeting_format *out)
{
	const int i = field_enum_index(FORMAT_NAMES, (int)(sizeof FORMAT_NAMES / sizeof *FORMAT_NAMES), name);
	if (i >= 0)
		*out = (enum meeting_format)i;
	return i >= 0;
}

int meeting_add(struct db *db, int64_t process_id, const char *date, const char *title, enum meeting_format format,
		const char *description, int64_t *id, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", "Give the date as YYYY-MM-DD.");
	if (!title || !*title)
		error_field(e, "title", "Give the meeting a title.");
	if (e->code)
		return -1;
	static const char sql[] =
		"INSERT INTO meeting (process_id, date, title, format, description) VALUES (?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, meeting_format_name(format));
	db_bind_text(st, 5, description ? description : "");
	if (db_insert_id(st, id, e) != 0)
		return -1;
	return 0;
}

/* True for a time of day written "HH:MM", 00:00 to 23:59. */
static bool time_valid(const char *t)
{
	if (!t || strlen(t) != 5 || t[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (t[i] < '0' || t[i] > '9'))
			return false;
	return (t[0] - '0') * 10 + (t[1] - '0') < 24 && t[3] < '6';
}

int meeting_set_time(struct db *db, int64_t id, const char *starts, const char *ends, const char *join_url,
		     struct error *e)
{
	if (!time_valid(starts))
		error_field(e, "starts", "Give the time the meeting starts as HH:MM.");
	if (!time_valid(ends))
		error_field(e, "ends", "Give the time the meeting ends as HH:MM.");
	else if (time_valid(starts) && strcmp(starts, ends) >= 0)
		error_field(e, "ends", "The meeting must end after it starts.");
	if (join_url && strncmp(join_url, "https://", 8) != 0 && strncmp(join_url, "http://", 7) != 0)
		error_field(e, "join_url", "Give the link to join as an http or https address.");
	if (e->code)
		return -1;
	static const char sql[] = "UPDATE meeting SET starts = ?, ends = ?, join_url = ? WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, starts);
	db_bind_text(st, 2, ends);
	db_bind_text(st, 3, join_url);
	db_bind_int(st, 4, id);
	return db_exec_stmt(st, e);
}

static int meeting_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct meeting *mt = element;
	bool failed = false;
	mt->id = db_col_int(st, 0);
	mt->date = db_col_dup(st, 1, a, &failed);
	mt->title = db_col_dup(st, 2, a, &failed);
	if (!meeting_format_parse(db_col_text(st, 3), &mt->format))
		return DB_FILL_UNKNOWN;
	mt->description = db_col_dup(st, 4, a, &failed);
	mt->starts = db_col_null(st, 5) ? NULL : db_col_dup(st, 5, a, &failed);
	mt->ends = db_col_null(st, 6) ? NULL : db_col_dup(st, 6, a, &failed);
	mt->join_url = db_col_null(st, 7) ? NULL : db_col_dup(st, 7, a, &failed);
	return failed ? -1 : 0;
}

int meeting_list(struct db *db, struct arena *a, int64_t process_id, struct meeting **out, int *n,
		 struct error *e)
{
	static const char sql[] = "SELECT id, date, title, format, description, starts, ends, join_url FROM meeting "
				  "WHERE process_id = ? ORDER BY date, id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, meeting_from_row, e);
}
