/*
 * circular — official letters that announce the steps of a process
 * (reference such as CL-20/55, date, subject, addressee categories).
 */
#ifndef CONSULTA_CORE_CIRCULAR_H
#define CONSULTA_CORE_CIRCULAR_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

struct circular {
	int64_t id;
	const char *reference;
	const char *date;
	const char *subject;
	const char **addressees; /* category names */
	int naddressees;
};

int circular_add(struct db *db, int64_t process_id, const char *reference, const char *date, const char *subject,
		 int64_t *id, struct error *e);
int circular_add_addressee(struct db *db, int64_t circular_id, int64_t category_id, struct error *e);
int circular_list(struct db *db, struct arena *a, int64_t process_id, struct circular **out, int *n,
		  struct error *e);

#endif
