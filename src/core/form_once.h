/*
 * form_once — a back-office form that creates something, sent twice (a double click, a resend after a slow
 * answer), makes one change (migration 052). Its page gives each form a one-time field; the server claims the
 * form's key before its handler runs, and keeps the page the change led to: the same form again is answered
 * with that page. The key (key_hash) is the caller's SHA-256 of who sent it, where, the one-time field and
 * what was sent, so that the same key with other content is another change.
 */
#ifndef CONSULTA_CORE_FORM_ONCE_H
#define CONSULTA_CORE_FORM_ONCE_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

enum form_once_claim {
	FORM_ONCE_NEW,  /* claimed: run the change, then form_once_done() or form_once_release() */
	FORM_ONCE_DONE, /* sent before and done: *location is the page it led to */
	FORM_ONCE_BUSY, /* sent before and still running */
};

/* Claims key_hash (forgetting the claims older than a day); -1 with e on a database failure. */
int form_once_claim(struct db *db, struct arena *a, const char *key_hash, const char **location, struct error *e);
/* The change of a claimed key is done and led to location. */
int form_once_done(struct db *db, const char *key_hash, const char *location, struct error *e);
/* The change of a claimed key did not happen (mistakes, refused): the key is free again. */
int form_once_release(struct db *db, const char *key_hash, struct error *e);

#endif
