/*
 * field — checks shared by every form of input a person fills in (a
 * contribution, a registration, a back-office form): each bad field gets one
 * message that says what to fix.
 */
#ifndef CONSULTA_CORE_FIELD_H
#define CONSULTA_CORE_FIELD_H

#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A copy without white space around it; NULL stays NULL. */
const char *field_trimmed(struct arena *a, const char *s);

/* One line of text: valid UTF-8, no control characters, at most max characters;
 * if required, present. `what` completes "Enter ..." ("your name"): marked
 * N_() by the caller, translated here. */
void field_check_line(struct error *e, const char *field, const char *value, bool required, size_t max,
		      const char *what);

/* A person's or an organization's name: field_check_line(), and at least
 * one visible character (not only invisible or bidirectional-control ones). */
void field_check_name(struct error *e, const char *field, const char *value, bool required, size_t max,
		      const char *what);

/* Several lines of text (tabs and line breaks allowed). */
void field_check_text(struct error *e, const char *field, const char *value, bool required, size_t max,
		      const char *what);

/* An e-mail address of the usual shape, at most LIMIT_EMAIL bytes. */
bool field_email_valid(const char *email);
/* A string member of a JSON object (jansson's json_t) as the API and `consulta import` read one: NULL when
 * absent or null; a member of another type is a field error named after it ("Must be a string."). The text
 * stays in o: used only while o lives. */
struct json_t;
const char *field_json_string(struct json_t *o, const char *name, struct error *e);
/* Reads a record's id as an address or a form gives it: decimal digits only, at most 18, above 0. */
bool field_parse_id(const char *s, int64_t *out);
void field_check_email(struct error *e, const char *field, const char *value);

/* The position of s in names[0..n) (a domain state's one table of names, beside its
 * enum in its core header), or -1 for NULL or a name not in it. */
int field_enum_index(const char *const *names, int n, const char *s);

/* A "YYYY-MM-DD" date. */
void field_check_date(struct error *e, const char *field, const char *value, bool required);

#endif
