/*
 * blob — bytes kept by their content: the messages that arrive by mail and
 * their attachments.
 *
 * A blob is named by the SHA-256 of its bytes (64 hex characters), so the
 * same file sent twice, or by two people, is stored once, and a name says
 * exactly which bytes it stands for. Blobs are written inside the caller's
 * transaction, with the row that refers to them, and never changed.
 */
#ifndef CONSULTA_CORE_BLOB_H
#define CONSULTA_CORE_BLOB_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stddef.h>

enum { BLOB_NAME_LEN = 64 };

/* The name of n bytes: the hex of their SHA-256. */
void blob_name(const void *data, size_t n, char out[BLOB_NAME_LEN + 1]);

/* Stores n bytes (if not there already) inside the caller's transaction; out gets their name. */
int blob_put(struct db *db, const void *data, size_t n, char out[BLOB_NAME_LEN + 1], struct error *e);

/* The bytes named `name`, copied into the arena (*n their length); ERROR_NOT_FOUND if unknown. */
int blob_get(struct db *db, struct arena *a, const char *name, const void **data, size_t *n, struct error *e);

#endif
