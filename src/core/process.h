/*
 * process — a consultation process: the preparation of one text, with its
 * categories of stakeholders, and the lookup of everything it holds.
 */
#ifndef CONSULTA_CORE_PROCESS_H
#define CONSULTA_CORE_PROCESS_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

struct category {
	int64_t id;
	const char *slug;
	const char *name;
};

struct process {
	int64_t id;
	const char *slug;
	const char *title;
	const char *summary;
	const char *timezone; /* IANA name, e.g. Europe/Zurich */
	struct category *categories;
	int ncategories;
};

/* Creates a process; the slug is [a-z0-9-], the time zone an IANA name. */
int process_create(struct db *db, const char *slug, const char *title, const char *summary, const char *timezone,
		   int64_t *id, struct error *e);
int process_add_category(struct db *db, int64_t process_id, const char *slug, const char *name, int64_t *id,
			 struct error *e);

/* Finds by slug or id, with its categories; ERROR_NOT_FOUND if there is none. */
int process_find(struct db *db, struct arena *a, const char *slug, struct process *out, struct error *e);
int process_find_id(struct db *db, struct arena *a, int64_t id, struct process *out, struct error *e);
int process_list(struct db *db, struct arena *a, struct process **out, int *n, struct error *e);

/* The category of a process with this slug, or NULL. */
const struct category *process_category(const struct process *p, const char *slug);
const struct category *process_category_id(const struct process *p, int64_t id);

bool process_slug_valid(const char *slug);

#endif
