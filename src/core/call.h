/*
 * call — a call for contributions on one version of a document.
 *
 * A call opens and closes at UTC instants. Deadlines are announced as dates
 * ("by 15 February 2021") and mean the end of that day in the process's time
 * zone; call_create() turns the dates into instants once, with the zone's
 * rules for that day (daylight saving included).
 */
#ifndef CONSULTA_CORE_CALL_H
#define CONSULTA_CORE_CALL_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

enum call_state { CALL_UPCOMING, CALL_OPEN, CALL_CLOSED };

struct call {
	int64_t id;
	int64_t process_id;
	int64_t version_id;
	const char *title;
	const char *description;
	int64_t opens_at;      /* first second it accepts */
	int64_t closes_at;     /* last second it accepts */
	const char *closes_on; /* the deadline as announced, or NULL */
	const char *timezone;  /* the process's */
	const char *process_slug;
	const char *process_title;
	const char *document_title;
	const char *version_label;
	const char *version_date;
};

/* Opens at the start of opens_on and closes at the end of closes_on, in timezone. */
int call_create(struct db *db, int64_t process_id, int64_t version_id, const char *title, const char *description,
		const char *timezone, const char *opens_on, const char *closes_on, int64_t *id, struct error *e);

int call_find(struct db *db, struct arena *a, int64_t id, struct call *out, struct error *e);
int call_list(struct db *db, struct arena *a, int64_t process_id, struct call **out, int *n, struct error *e);

/* upcoming before opens_at, open from opens_at to closes_at inclusive, closed after. */
enum call_state call_state_at(const struct call *c, int64_t now);
const char *call_state_name(enum call_state s);

#endif
