/*
 * form — application/x-www-form-urlencoded bodies, decoded into the arena.
 */
#ifndef CONSULTA_WEB_FORM_H
#define CONSULTA_WEB_FORM_H

#include "core/limits.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stddef.h>

struct form {
	int n;
	const char *names[LIMIT_FORM_FIELDS];
	const char *values[LIMIT_FORM_FIELDS];
};

/* Decodes body; false if it is malformed, not UTF-8, or has too many fields. */
bool form_parse(struct arena *a, const char *body, size_t len, struct form *out);
/* The first value of a field, or NULL. */
const char *form_get(const struct form *f, const char *name);

#endif
