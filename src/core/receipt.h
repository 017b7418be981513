/*
 * receipt — what a contributor is told of a contribution once it is stored:
 * the same facts on the receipt page (web/page_call.c) and in the receipt
 * mail, built from the stored record so that both say the same thing.
 *
 * What happens next is said in words: whether and when it is published
 * (at once, after the secretariat's review, never for a private one), when
 * the answers to its comments (the dispositions) are due (the first version
 * or presentation on the process's schedule after the call's deadline, or
 * "once the secretariat publishes them"), and how to follow the process.
 *
 * receipt_mail_again() is "Mail me this receipt": the receipt mail, queued
 * again, only ever to the address stored with the contribution, at most
 * RECEIPT_MAILS_PER_HOUR times an hour for one contribution (counted in the
 * audit log, where each one is recorded), and within the outbox's own limits
 * for a recipient and a requester (core/outbox.h).
 */
#ifndef CONSULTA_CORE_RECEIPT_H
#define CONSULTA_CORE_RECEIPT_H

#include "core/call.h"
#include "core/contribution.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

enum { RECEIPT_MAILS_PER_HOUR = 3 };

/* What happens next to a contribution, in words of ours (none of the sender's). */
struct receipt_next {
	const char *publication; /* what the publication choice means: "Named: published with your name ..." */
	const char *moderation;  /* where it stands: published, awaiting review, late, private, withheld */
	bool published;          /* the public sees it now (contribution_is_public and not hidden) */
	const char *answers;     /* who answers what: each comment of its own, or those of the call */
	/* The milestone the answers are due with (a version or presentation after the call's deadline), or
	 * answers_title NULL when the schedule names none. */
	const char *answers_title;
	const char *answers_date; /* YYYY-MM-DD */
	int64_t leaf_index;       /* its leaf in the tamper-evident record (core/ledger.h), -1 if it has none */
	int64_t leaf_size;        /* the record's size now: its proof is asked at this size */
	const char *leaf_salt;    /* the salt its leaf is committed with, in hex (for its author only), or NULL */
};

/* Fills *out for k (of call c; its comments loaded by comment_attach). 0, or -1 with e on a store error. */
int receipt_next(struct db *db, struct arena *a, const struct contribution *k, const struct call *c,
                 struct receipt_next *out, struct error *e);

/* The receipt as mail text, from the tracking number to the link of the receipt page: the call, the
 * times (the process's zone first, then UTC), category, country, publication, the deadline, the
 * comments (each ¶N with its link), the attachments (size, SHA-256), what happens next and how to
 * follow. k has its comments (comment_attach) and attachments (contribution_attachments) loaded. quote:
 * repeat the sender's own words (text, comments, file names): only for a mail that goes back to where
 * the contribution came from (the e-mail channel); an address typed on a form gets our words only. A
 * quoting text too long for one mail is given without the quotes. NULL when out of memory. */
const char *receipt_text(struct arena *a, const struct contribution *k, const struct call *c,
                         const struct receipt_next *next, bool quote);
/* The last paragraph of receipt_text() when the contribution has its leaf: its index and the link to its
 * receipt file (tracking's). The group commit composes the rest before the leaf is known, and adds this. */
const char *receipt_leaf_text(struct arena *a, const char *tracking, int64_t leaf_index);

/* Queues the receipt mail of the contribution `tracking` again, to its own address (never another),
 * asked by requester (the client address, or NULL); audit "contribution.receipt_mail". Errors:
 * ERROR_NOT_FOUND (no such contribution), ERROR_CONFLICT (it gave no address, or the secretariat withheld
 * it), ERROR_THROTTLED (mailed RECEIPT_MAILS_PER_HOUR times in the last hour, or the outbox's limits for
 * the address or the requester are reached: nothing is queued), ERROR_UNAVAILABLE. */
int receipt_mail_again(struct db *db, struct arena *a, const char *tracking, const char *requester, struct error *e);

#endif
