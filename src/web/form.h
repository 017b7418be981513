/*
 * form — form bodies decoded into the arena: application/x-www-form-urlencoded
 * (decoded here), and multipart/form-data (decoded by libmicrohttpd's own
 * post processor, the well-kept parser for it), whose uploaded files are
 * kept as bytes beside the text fields.
 */
#ifndef CONSULTA_WEB_FORM_H
#define CONSULTA_WEB_FORM_H

#include "core/limits.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection;

/* An uploaded file of a multipart form: its bytes as sent (NUL-terminated after len, for convenience). */
struct form_file {
	const char *field;        /* the form field's name */
	const char *filename;     /* as the browser named it (valid UTF-8), or "" */
	const char *content_type; /* as the browser said it, or "" */
	const unsigned char *data;
	size_t len;
};

struct form {
	int n;
	const char *names[LIMIT_FORM_FIELDS];
	const char *values[LIMIT_FORM_FIELDS];
	int nfiles;
	struct form_file files[LIMIT_FORM_FILES];
};

/* Decodes body; false if it is malformed, not UTF-8, or has too many fields. */
bool form_parse(struct arena *a, const char *body, size_t len, struct form *out);
/* Decodes a multipart/form-data body (the connection's Content-Type names the
 * boundary) with libmicrohttpd's post processor: parts without a filename are
 * text fields (valid UTF-8, as form_parse wants them), parts with one are files.
 * False if it is malformed, a text field is not UTF-8, or there are too many
 * fields or files. The body is within the request's limit already. */
bool form_parse_multipart(struct arena *a, struct MHD_Connection *conn, const char *body, size_t len,
			  struct form *out);
/* The first value of a field, or NULL. */
const char *form_get(const struct form *f, const char *name);
/* The first file uploaded in a field, or NULL (also when the field was left empty). */
const struct form_file *form_file(const struct form *f, const char *name);

#endif
