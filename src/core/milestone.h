/*
 * milestone — the dated entries of a process's schedule, and their moves.
 *
 * A milestone is a date or a range of dates (8-18 June 2021) in the
 * process's time zone. When it moves, the move is kept with its reason, so
 * the public schedule can say where it was and why it changed.
 */
#ifndef CONSULTA_CORE_MILESTONE_H
#define CONSULTA_CORE_MILESTONE_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

struct milestone_move {
	int64_t id;
	const char *moved_on;
	const char *from_date, *from_end_date; /* NULL when the old place was not a date */
	const char *from_label;                /* "2020 session of the Council", or NULL */
	const char *to_date, *to_end_date;
	const char *reason;
};

struct milestone {
	int64_t id;
	const char *date;
	const char *end_date; /* NULL for a single day */
	const char *title;
	const char *kind;   /* version, meeting, deadline, presentation, other */
	const char *status; /* planned, done, postponed, cancelled */
	struct milestone_move *history; /* oldest first */
	int nhistory;
};

bool milestone_kind_valid(const char *kind);

int milestone_add(struct db *db, int64_t process_id, const char *date, const char *end_date, const char *title,
		  const char *kind, int64_t *id, struct error *e);

/* Records a move that already happened (as when loading a schedule with its past). */
int milestone_record_move(struct db *db, int64_t milestone_id, const char *moved_on, const char *from_date,
			  const char *from_end_date, const char *from_label, const char *reason, struct error *e);

/* The schedule of a process in date order, each milestone with its history. */
int milestone_list(struct db *db, struct arena *a, int64_t process_id, struct milestone **out, int *n,
		   struct error *e);

/* "8–18 June 2021" or "15 February 2021"; out holds 80 bytes. */
void milestone_format_range(const char *date, const char *end_date, char out[80]);

#endif
