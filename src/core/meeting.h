/*
 * meeting — consultation meetings of a process (online, physical or hybrid).
 */
#ifndef CONSULTA_CORE_MEETING_H
#define CONSULTA_CORE_MEETING_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

struct meeting {
	int64_t id;
	const char *date;
	const char *title;
	const char *format; /* online, physical, hybrid */
	const char *description;
};

int meeting_add(struct db *db, int64_t process_id, const char *date, const char *title, const char *format,
		const char *description, int64_t *id, struct error *e);
int meeting_list(struct db *db, struct arena *a, int64_t process_id, struct meeting **out, int *n,
		 struct error *e);

#endif
