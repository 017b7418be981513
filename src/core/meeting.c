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
		"INSERT INTO meeting (process_id, date, title, format, description) VALUES (?, ?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, meeting_format_name(format));
	db_bind_text(st, 5, description ? description : "");
	if (db_exec_stmt(st, e) != 0)
		return -1;
	*id = db_last_id(db);
	return 0;
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
	return failed ? -1 : 0;
}

int meeting_list(struct db *db, struct arena *a, int64_t process_id, struct meeting **out, int *n,
		 struct error *e)
{
	static const char sql[] = "SELECT id, date, title, format, description FROM meeting "
				  "WHERE process_id = ? ORDER BY date, id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, meeting_from_row, e);
}
