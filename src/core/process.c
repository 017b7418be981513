/* process — see process.h. */
#include "core/process.h"

#include "util/clock.h"
#include "util/tz.h"

#include <string.h>

bool process_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	if (n == 0 || n > 64 || slug[0] == '-')
		return false;
	for (const char *p = slug; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

int process_create(struct db *db, const char *slug, const char *title, const char *summary, const char *timezone,
		   int64_t *id, struct error *e)
{
	if (!process_slug_valid(slug))
		error_field(e, "slug", "Use 1 to 64 lower-case letters, digits and hyphens.");
	if (!title || !*title)
		error_field(e, "title", "Give the process a title.");
	if (!tz_valid(timezone))
		error_field(e, "timezone", "Give an IANA time zone such as Europe/Zurich.");
	if (e->code)
		return -1;
	static const char sql[] =
		"INSERT INTO process (slug, title, summary, timezone, created_at) VALUES (?, ?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, slug);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, summary ? summary : "");
	db_bind_text(st, 4, timezone);
	db_bind_int(st, 5, clock_now());
	if (db_exec_stmt(st, e) != 0) {
		if (db_unique_violation(db))
			error_set(e, ERROR_CONFLICT, "A process with the slug '%s' already exists.", slug);
		return -1;
	}
	*id = db_last_id(db);
	return 0;
}

int process_add_category(struct db *db, int64_t process_id, const char *slug, const char *name, int64_t *id,
			 struct error *e)
{
	if (!process_slug_valid(slug))
		error_field(e, "slug", "Use 1 to 64 lower-case letters, digits and hyphens.");
	if (!name || !*name)
		error_field(e, "name", "Give the category a name.");
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO category (process_id, slug, name, position) "
				  "VALUES (?1, ?2, ?3, (SELECT count(*) FROM category WHERE process_id = ?1))";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, name);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	*id = db_last_id(db);
	return 0;
}

static void process_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct process *p = element;
	p->id = db_col_int(st, 0);
	p->slug = arena_strdup(a, db_col_text(st, 1));
	p->title = arena_strdup(a, db_col_text(st, 2));
	p->summary = arena_strdup(a, db_col_text(st, 3));
	p->timezone = arena_strdup(a, db_col_text(st, 4));
}

static void category_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct category *c = element;
	c->id = db_col_int(st, 0);
	c->slug = arena_strdup(a, db_col_text(st, 1));
	c->name = arena_strdup(a, db_col_text(st, 2));
}

#define PROCESS_COLUMNS "SELECT id, slug, title, summary, timezone FROM process "

static int process_find_by(struct db *db, struct arena *a, const char *sql, const char *slug, int64_t id,
			   struct process *out, struct error *e)
{
	static const char sql_categories[] =
		"SELECT id, slug, name FROM category WHERE process_id = ? ORDER BY position, id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	if (db_collect_one(st, a, out, process_from_row, "There is no such process.", e) != 0)
		return -1;
	st = db_stmt(db, sql_categories, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, out->id);
	return db_collect(st, a, (void **)&out->categories, &out->ncategories, sizeof *out->categories,
			  category_from_row, e);
}

int process_find(struct db *db, struct arena *a, const char *slug, struct process *out, struct error *e)
{
	static const char sql[] = PROCESS_COLUMNS "WHERE slug = ?";
	return process_find_by(db, a, sql, slug, 0, out, e);
}

int process_find_id(struct db *db, struct arena *a, int64_t id, struct process *out, struct error *e)
{
	static const char sql[] = PROCESS_COLUMNS "WHERE id = ?";
	return process_find_by(db, a, sql, NULL, id, out, e);
}

int process_list(struct db *db, struct arena *a, struct process **out, int *n, struct error *e)
{
	static const char sql[] = PROCESS_COLUMNS "ORDER BY created_at DESC, id DESC";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	return db_collect(st, a, (void **)out, n, sizeof **out, process_from_row, e);
}

const struct category *process_category(const struct process *p, const char *slug)
{
	for (int i = 0; slug && i < p->ncategories; i++)
		if (strcmp(p->categories[i].slug, slug) == 0)
			return &p->categories[i];
	return NULL;
}

const struct category *process_category_id(const struct process *p, int64_t id)
{
	for (int i = 0; i < p->ncategories; i++)
		if (p->categories[i].id == id)
			return &p->categories[i];
	return NULL;
}
