/*
 * meeting — consultation meetings of a process (online, physical or hybrid).
 */
#ifndef CONSULTA_CORE_MEETING_H
#define CONSULTA_CORE_MEETING_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* How people take part, with its one table of names (meeting.c). */
enum meeting_format { MEETING_ONLINE, MEETING_PHYSICAL, MEETING_HYBRID };
const char *meeting_format_name(enum meeting_format f);
/* Reads a format's name; false for a name not in its table. */
bool meeting_format_parse(const char *name, enum meeting_format *out);

struct meeting {
	int64_t id;
	const char *date;
	const char *title;
	enum meeting_format format;
	const char *description;
};

int meeting_add(struct db *db, int64_t process_id, const char *date, const char *title, enum meeting_format format,
		const char *description, int64_t *id, struct error *e);
int meeting_list(struct db *db, struct arena *a, int64_t process_id, struct meeting **out, int *n,
		 struct error *e);

#endif
