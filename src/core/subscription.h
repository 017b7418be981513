/*
 * subscription — following a process by e-mail.
 *
 * Anyone may ask to follow a process with an address; nothing is sent to it
 * but a confirmation link until the link is opened (double opt-in), so that
 * nobody can sign someone else up. A confirmed subscriber gets a notice when
 * a version is posted, a milestone moves, or a call opens, changes or is
 * about to close; every notice carries its own one-click leave link, also as
 * List-Unsubscribe (RFC 8058).
 *
 * Links carry random tokens; only their hashes are stored. The answer to a
 * request is the same whether or not the address already follows the
 * process, so addresses cannot be probed. Every change (request, confirm,
 * leave) records itself in the audit log, never with a token. Mail goes
 * through the outbox, in the transaction of the change that causes it.
 */
#ifndef CONSULTA_CORE_SUBSCRIPTION_H
#define CONSULTA_CORE_SUBSCRIPTION_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	SUBSCRIPTION_CONFIRM_SECONDS = 7 * 86400, /* how long a confirmation link works */
	SUBSCRIPTION_CLOSING_SECONDS = 48 * 3600, /* "about to close": a call's deadline is this near */
};

struct subscription {
	int64_t id;
	int64_t process_id;
	const char *process_slug;
	const char *process_title;
	const char *email;
	bool confirmed;
	bool left;
};

/* Asks to follow the process `process_slug` with `email`: a new (or, for an
 * unconfirmed or left one, renewed) subscription with a new token, and a
 * confirmation mail with the link. For an address that already follows the
 * process nothing changes and nothing is sent, but the answer is the same
 * (0). Over the recipient's hourly mail limit (core/outbox.h) nothing
 * changes either (the last link sent stays live). Errors: ERROR_INVALID with
 * fields "email" and "process"; ERROR_THROTTLED if requester (the client
 * address, or NULL) has asked for too many mails this hour. Runs its own
 * transaction. */
int subscription_request(struct db *db, struct arena *a, const char *process_slug, const char *email,
                         const char *requester, struct error *e);

/* Confirms the subscription whose confirmation link carries `token`; out
 * says which (strings in a). Confirming twice is no error. ERROR_NOT_FOUND
 * for a token that is unknown, expired (SUBSCRIPTION_CONFIRM_SECONDS) or of
 * a subscription that was left. Runs its own transaction. */
int subscription_confirm(struct db *db, struct arena *a, const char *token, struct subscription *out, struct error *e);

/* The subscription a leave link (or the confirmation link) belongs to, for
 * the page that asks "stop following?". ERROR_NOT_FOUND for an unknown token. */
int subscription_find_token(struct db *db, struct arena *a, const char *token, struct subscription *out,
                            struct error *e);

/* Ends the subscription a leave link (or the confirmation link) belongs to;
 * leaving twice is no error. ERROR_NOT_FOUND for an unknown token. Runs its
 * own transaction. */
int subscription_leave(struct db *db, struct arena *a, const char *token, struct subscription *out, struct error *e);

/* A new leave link of its own for a subscription (only its hash kept), as a notice carries: for mails sent to
 * subscribers by other modules (a circular letter), inside the caller's transaction. *link in a. */
int subscription_leave_link(struct db *db, struct arena *a, int64_t subscription_id, const char **link,
                            struct error *e);

/* Composes a notice's subject and plain-text body in the calling thread's language (util/i18n.h), which
 * subscription_notify() sets to its subscribers' before the call; ctx is the caller's. 0, or -1 when out of
 * memory. */
typedef int (*subscription_compose)(struct arena *a, const void *ctx, const char **subject, const char **body);

/* Queues a notice to every confirmed subscriber of the process, in the language each subscribed in (the
 * process's first language for a subscription older than that record), each with its own leave link under
 * the body and in List-Unsubscribe, inside the caller's transaction: compose runs once per language among
 * them. The calling thread's language is the same after. 0 or -1. */
int subscription_notify(struct db *db, struct arena *a, int64_t process_id, subscription_compose compose,
                        const void *ctx, struct error *e);

/* Queues the "about to close" notice of every open call whose deadline is at
 * most SUBSCRIPTION_CLOSING_SECONDS after now, once per call (it sets
 * call.closing_notice_sent in the same transaction, so a restart or a second
 * server does not send it again). Each call is its own short transaction.
 * *calls counts the calls noticed. 0 or -1. */
int subscription_closing_notices(struct db *db, struct arena *a, int64_t now, int *calls, struct error *e);

#endif
