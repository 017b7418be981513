/* circular — see circular.h. */
#include "core/circular.h"

#include "core/search.h"
#include "util/clock.h"

int circular_add(struct db *db, int64_t process_id, const char *reference, const char *date, const char *subject,
		 int64_t *id, struct error *e)
{
	int y, m, d;
	if (!reference || !*reference)
		error_field(e, "reference", "Give the letter's reference, such as CL-20/55.");
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", "Give the date as YYYY-MM-DD.");
	if (!subject || !*subject)
		error_field(e, "subject", "Give the letter's subject.");
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO circular (process_id, reference, date, subject) VALUES (?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, reference);
	db_bind_text(st, 3, date);
	db_bind_text(st, 4, subject);
	if (db_insert_id(st, id, e) != 0) {
		if (db_unique_violation(db))
			error_set(e, ERROR_CONFLICT, "The letter %s is already recorded.", reference);
		return -1;
	}
	return search_letter_sync(db, *id, e);
}

int circular_add_addressee(struct db *db, int64_t circular_id, int64_t category_id, struct error *e)
{
	static const char sql[] = "INSERT INTO circular_addressee (circular_id, category_id) VALUES (?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, circular_id);
	db_bind_int(st, 2, category_id);
	return db_exec_stmt(st, e);
}

static int circular_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular *c = element;
	bool failed = false;
	c->id = db_col_int(st, 0);
	c->reference = db_col_dup(st, 1, a, &failed);
	c->date = db_col_dup(st, 2, a, &failed);
	c->subject = db_col_dup(st, 3, a, &failed);
	return failed ? -1 : 0;
}

static int addressee_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int circular_list(struct db *db, struct arena *a, int64_t process_id, struct circular **out, int *n,
		  struct error *e)
{
	static const char sql[] = "SELECT id, reference, date, subject FROM circular "
				  "WHERE process_id = ? ORDER BY date, id";
	static const char sql_to[] = "SELECT c.name FROM circular_addressee ca JOIN category c ON c.id = ca.category_id "
				     "WHERE ca.circular_id = ? ORDER BY c.position, c.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	if (db_collect(st, a, (void **)out, n, sizeof **out, circular_from_row, e) != 0)
		return -1;
	for (int i = 0; i < *n; i++) {
		struct circular *c = &(*out)[i];
		st = db_stmt(db, sql_to, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, c->id);
		if (db_collect(st, a, (void **)&c->addressees, &c->naddressees, sizeof *c->addressees,
			       addressee_from_row, e) != 0)
			return -1;
	}
	return 0;
}
