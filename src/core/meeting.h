/*
 * meeting — consultation meetings of a process (online, physical or hybrid),
 * each on a date, at a time in the process's time zone, with a link to join
 * it that only registered participants (anyone logged in) are shown.
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
	const char *starts, *ends; /* "HH:MM" in the process's time zone, or NULL when not set */
	const char *join_url;      /* how to join, or NULL: shown to registered participants only */
};

int meeting_add(struct db *db, int64_t process_id, const char *date, const char *title, enum meeting_format format,
		const char *description, int64_t *id, struct error *e);
/* Sets meeting id's time (starts before ends, both "HH:MM") and the link to join it (an http or https URL, or
 * NULL for none), inside the caller's transaction, recording nothing (for loaders such as the demo). Field
 * errors "starts", "ends", "join_url". */
int meeting_set_time(struct db *db, int64_t id, const char *starts, const char *ends, const char *join_url,
		     struct error *e);
int meeting_list(struct db *db, struct arena *a, int64_t process_id, struct meeting **out, int *n,
		 struct error *e);

#endif
