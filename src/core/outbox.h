/*
 * outbox — mail waiting to be sent.
 *
 * A change that should send mail calls outbox_enqueue() inside its own
 * transaction: the mail exists if and only if the change happened. The
 * sender (mail/sender.c) takes due rows, hands them to the SMTP server and
 * marks them sent, or schedules a retry with a growing delay. Retry times are
 * the machine's own clock, not the (possibly frozen) clock of the domain:
 * they are about when an SMTP server may be back.
 */
#ifndef CONSULTA_CORE_OUTBOX_H
#define CONSULTA_CORE_OUTBOX_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

struct outbox_mail {
	const char *kind;             /* confirm, reset, receipt, notice, subscription */
	const char *to;
	const char *subject;
	const char *body;
	const char *in_reply_to;      /* or NULL */
	const char *references;       /* the parent's References (see render/message.h), or NULL */
	const char *list_unsubscribe; /* or NULL */
};

struct outbox_item {
	int64_t id;
	const char *recipient;
	const char *message;
	const char *message_id;
	int attempts;
};

/* Composes the message and stores it, due now. */
int outbox_enqueue(struct db *db, const struct outbox_mail *mail, struct error *e);

/* Up to limit mails due at machine time now, oldest first. */
int outbox_due(struct db *db, struct arena *a, int64_t now, int limit, struct outbox_item **out, int *n,
	       struct error *e);
int outbox_mark_sent(struct db *db, int64_t id, int64_t now, struct error *e);
/* A temporary failure: retry after a delay that doubles with each attempt. */
int outbox_mark_retry(struct db *db, int64_t id, int attempts, int64_t now, const char *why, struct error *e);
/* A permanent failure: no more attempts. */
int outbox_mark_failed(struct db *db, int64_t id, int64_t now, const char *why, struct error *e);

/* The delay before attempt number `attempts` + 1: 5 s, 10 s, 20 s, ... at most 15 minutes. */
int64_t outbox_backoff(int attempts);

#endif
