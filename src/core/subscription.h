/*
 * subscription — TEMPORARY: only the one declaration the back office calls,
 * written against the agreed signature while the real module (subscriptions
 * by mail, confirmed, with notices through the outbox) is being written. The
 * real subscription.h replaces this file; subscription_stub.c then goes.
 */
#ifndef CONSULTA_CORE_SUBSCRIPTION_H
#define CONSULTA_CORE_SUBSCRIPTION_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

/* Queues a notice (subject, plain-text body) to every confirmed subscriber of
 * the process, inside the caller's transaction. 0 or -1. */
int subscription_notify(struct db *db, struct arena *a, int64_t process_id, const char *subject, const char *body,
			struct error *e);

#endif
