/*
 * outbox — mail waiting to be sent.
 *
 * A change that should send mail calls outbox_enqueue() inside its own
 * transaction: the mail exists if and only if the change happened. The
 * sender (mail/sender.c) claims due rows for a while (a lease: several
 * senders on one database, on one node or several, never send a mail twice,
 * and a sender that dies leaves its mails to another once the lease ends),
 * hands them to the SMTP server and marks them sent, or schedules a retry
 * with a growing delay. Retry times and leases are
 * the machine's own clock, not the (possibly frozen) clock of the domain:
 * they are about when an SMTP server may be back.
 *
 * Mail that a stranger's request makes us send (a confirmation, a reset
 * link, a subscription's confirmation, a receipt, the answer that a mail is
 * held) is limited, so that nobody
 * can turn the server against a mailbox: per recipient, at most
 * OUTBOX_ACCOUNT_PER_RECIPIENT account or subscription mails and
 * OUTBOX_RECEIPTS_PER_RECIPIENT receipts an hour; per client address, at most
 * OUTBOX_PER_REQUESTER such mails an hour. The outbox itself is the count
 * (its recipient, requester and created_at, on the domain's clock). A mail
 * over a limit is withheld: outbox_enqueue() logs it and queues nothing, and
 * the change it belongs to still happens.
 */
#ifndef CONSULTA_CORE_OUTBOX_H
#define CONSULTA_CORE_OUTBOX_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/i18n.h"

#include <stdint.h>

/* A file sent with a mail: bytes already stored with blob_put() (core/blob.h), in the transaction that queues
 * the mail or before. However many mails carry it, the bytes are stored once. */
struct outbox_attachment {
	const char *filename;     /* as the recipient sees it; UTF-8, at most MESSAGE_FILENAME_MAX bytes */
	const char *content_type; /* the whole value: "application/pdf", "text/calendar; charset=UTF-8; method=REQUEST" */
	const char *blob;         /* the bytes' name (BLOB_NAME_LEN hex characters) */
};

enum { OUTBOX_ATTACHMENTS_MAX = 8, OUTBOX_WIRE_MAX = 24 * 1024 * 1024 };

struct outbox_mail {
	const char *kind;             /* confirm, reset, account, receipt, notice, subscription, held, fate */
	const char *to;
	const char *subject;
	const char *body;
	const char *in_reply_to;      /* or NULL */
	const char *references;       /* the parent's References (see render/message.h), or NULL */
	const char *list_unsubscribe; /* or NULL */
	const char *requester;        /* the client address whose request sends it (web, API), or NULL */
	const struct outbox_attachment *attachments; /* nattachments files, in order, or NULL */
	int nattachments;                            /* at most OUTBOX_ATTACHMENTS_MAX */
	/* The language subject and body are written in (its Content-Language), or NULL: with translated, the
	 * calling thread's (i18n_use), which the text was composed in, English when none is set; without, none is
	 * said (a mail whose words are not translated yet). */
	const char *language;
	bool translated;
};

enum {
	OUTBOX_LIMIT_WINDOW = 3600,
	OUTBOX_ACCOUNT_PER_RECIPIENT = 3,   /* confirm, reset, account, subscription mails to one address */
	OUTBOX_RECEIPTS_PER_RECIPIENT = 10, /* receipts and answers that a mail is held, to one address */
	OUTBOX_PER_REQUESTER = 20,          /* limited mails that one client address makes us send */
};

struct outbox_item {
	int64_t id;
	const char *recipient;
	const char *message;
	const char *message_id;
	int attempts;
	const char *boundary; /* NULL: message is the whole mail; else its files follow (outbox_wire) */
};

/* The first line of a mail to a person, in the thread's language: "Dear <name>," when name is one a person is
 * greeted by, else the neutral "Hello,". Names are typed by whoever sent a form, maybe not the addressee: a name
 * that could carry a message of its own (longer than OUTBOX_GREETING_NAME_MAX bytes or 6 words, with digits,
 * an address, a link or a domain name, most punctuation) gets the neutral greeting, so that nobody can have us
 * mail their words to someone else's mailbox. In a. */
enum { OUTBOX_GREETING_NAME_MAX = 64 };
const char *outbox_greeting(struct arena *a, const char *name);

/* Composes the message and stores it, due now; or, for a limited kind over
 * its limit, logs "mail.withheld" and stores nothing (still 0). */
int outbox_enqueue(struct db *db, const struct outbox_mail *mail, struct error *e);

/* A mail composed ahead of its insert, so that the composing (its text, its Message-ID and Date) can run
 * outside the write transaction: strings in the arena given to outbox_compose(). */
struct outbox_ready {
	const char *kind, *to, *requester, *message, *message_id;
	const char *subject, *language; /* as the office's outbox page lists them (language NULL: none said) */
	int64_t created_at; /* the domain's clock when composed: what the limits count by */
	const char *boundary; /* NULL without attachments */
	const struct outbox_attachment *attachments;
	int nattachments;
};

/* Composes mail (as outbox_enqueue would) into *out, in a; 0, or -1 with e (ERROR_INVALID for a header that
 * would carry a line break, a bad attachment name or type, too many attachments). Stores nothing. */
int outbox_compose(struct arena *a, const struct outbox_mail *mail, struct outbox_ready *out, struct error *e);
/* The same in two steps (render/message.h's message_compose_open/close): mail->body its first lines, ending with
 * a line break; outbox_compose_close() adds the rest to r->message. The mail is the one outbox_compose() makes of
 * the whole body (with the Date and Message-ID of the first step). 0 or -1 with e. */
int outbox_compose_open(struct arena *a, const struct outbox_mail *mail, struct outbox_ready *out, struct error *e);
int outbox_compose_close(struct arena *a, struct outbox_ready *r, const char *rest, struct error *e);
/* Stores a composed mail, due now, without looking at any limit. 0 or -1. */
int outbox_insert(struct db *db, const struct outbox_ready *m, struct error *e);

/* The limits of many mails queued in one transaction (the contributions' group commit): each recipient and
 * requester is counted once per batch, then by what the batch queued. outbox_batch_insert() stores m if it is
 * within the limits (1), or withholds it (0: counted, and logged once by outbox_batch_end() for the whole
 * batch); -1 on a store error. The batch lives in a. */
struct outbox_batch;
struct outbox_batch *outbox_batch_begin(struct arena *a);
int outbox_batch_insert(struct db *db, struct outbox_batch *b, const struct outbox_ready *m, struct error *e);
/* Counts ahead the receipts of this hour of the n recipients (NULL or "" skipped) that the batch has not counted
 * yet, 32 a statement, as outbox_batch_insert() would count each when it meets its first receipt in the batch (a
 * round trip each on PostgreSQL). 0 or -1 with e. */
int outbox_batch_count_receipts(struct db *db, struct outbox_batch *b, const char *const *to, int n, struct error *e);
void outbox_batch_end(struct outbox_batch *b);

/* 1 if a mail of this kind to `to`, asked by requester (or NULL), is within
 * the limits now; 0 if it would be withheld; -1 on a database error. */
int outbox_allowed(struct db *db, const char *kind, const char *to, const char *requester, struct error *e);

/* 1 if requester may still make us send a limited mail this hour; 0 if its
 * budget is spent (the caller answers 429); -1 on a database error. */
int outbox_requester_allowed(struct db *db, const char *requester, struct error *e);

/* Up to limit mails due at machine time now, oldest first (a look only: a
 * sender claims them with outbox_claim). */
int outbox_due(struct db *db, struct arena *a, int64_t now, int limit, struct outbox_item **out, int *n,
	       struct error *e);
/* Claims up to limit mails due at machine time now that nobody holds (or
 * whose holder's lease has ended) for claimer (a token unique to this claim:
 * see mail/sender.c) until now + lease, in a write transaction of its own,
 * and returns them oldest first. No two claims made while a lease runs share
 * a mail, whatever process or node makes them; a claimer that dies leaves
 * its mails to be claimed again once its lease ends. Marking a mail
 * (sent, retry, failed) ends its claim. */
int outbox_claim(struct db *db, struct arena *a, int64_t now, int64_t lease, const char *claimer, int limit,
		 struct outbox_item **out, int *n, struct error *e);
/* Extends claimer's lease on the mails it still holds to now + lease, if the
 * lease has not ended yet; the number of mails extended (0: it holds none any
 * more), or -1 on a database error. */
int outbox_claim_renew(struct db *db, const char *claimer, int64_t now, int64_t lease, struct error *e);
/* Lets go of the mails claimer still holds (not tried after all): they are due
 * again for any sender. The number let go, or -1 on a database error. */
int outbox_claim_release(struct db *db, const char *claimer, struct error *e);
int outbox_mark_sent(struct db *db, int64_t id, int64_t now, struct error *e);
/* A temporary failure: retry after a delay that doubles with each attempt. */
int outbox_mark_retry(struct db *db, int64_t id, int attempts, int64_t now, const char *why, struct error *e);
/* A permanent failure: no more attempts. */
int outbox_mark_failed(struct db *db, int64_t id, int64_t now, const char *why, struct error *e);

/* The bytes to hand to the SMTP server for m: its stored message, followed by its files (read from their
 * blobs) when it has some, in a. 0; or -1 with e: ERROR_NOT_FOUND when a file's bytes are gone (the mail
 * cannot be sent as it was queued), ERROR_INVALID past OUTBOX_WIRE_MAX, else a store error. */
int outbox_wire(struct db *db, struct arena *a, const struct outbox_item *m, const char **data, size_t *len,
		struct error *e);

/*
 * The office's view of the outbox (web/page_office_outbox.c): every mail with its addressee, subject, language
 * and state, newest first. A mail is queued (waiting for its first or next attempt), sent, or failed (given
 * up after a permanent refusal); a queued mail that was tried has attempts > 0 and its last_error.
 */
enum outbox_state { OUTBOX_QUEUED, OUTBOX_SENT, OUTBOX_FAILED };
const char *outbox_state_name(enum outbox_state s);
/* Reads a state's name; false for a name not in its table. */
bool outbox_state_parse(const char *name, enum outbox_state *out);

struct outbox_entry {
	int64_t id;
	int64_t created_at; /* the domain's clock */
	const char *kind;   /* as outbox_mail's */
	const char *recipient;
	const char *subject;  /* or NULL for a mail queued before migration 048 */
	const char *language; /* its Content-Language, or NULL */
	enum outbox_state state;
	int attempts;
	int64_t next_attempt_at; /* machine time; meaningful while queued */
	int64_t done_at;         /* sent_at or failed_at; 0 while queued */
	const char *last_error;  /* or NULL */
	const char *message;     /* the stored message (outbox_find only; NULL in lists) */
};

/* One page of the outbox, newest first: offset, limit; state NULL for every mail. *total is the number of
 * mails (of that state). 0 or -1 with e. */
int outbox_list(struct db *db, struct arena *a, const enum outbox_state *state, int offset, int limit,
                struct outbox_entry **out, int *n, int64_t *total, struct error *e);
/* One mail with its stored message; ERROR_NOT_FOUND when there is none. */
int outbox_find(struct db *db, struct arena *a, int64_t id, struct outbox_entry *out, struct error *e);
/* A file a mail carries as the outbox's page lists it (not its bytes). */
struct outbox_file {
	const char *filename, *content_type;
	int64_t size; /* in bytes */
};
/* The files of mail id, in their order (none: *n = 0). 0 or -1 with e. */
int outbox_files(struct db *db, struct arena *a, int64_t id, struct outbox_file **out, int *n, struct error *e);
/* Makes a failed mail, or a queued one waiting for its next attempt, due again at once (machine time), its
 * attempts kept, in a transaction of its own, recorded in the audit log (outbox.retry) as who's. ERROR_NOT_FOUND
 * for no such mail, ERROR_CONFLICT for one sent already or one a sender holds now (its exchange may be under
 * way). The sender is not woken: the caller does it. */
int outbox_retry(struct db *db, const struct actor *who, int64_t id, struct error *e);

/* The delay before attempt number `attempts` + 1: 5 s, 10 s, 20 s, ... at most 15 minutes. */
int64_t outbox_backoff(int attempts);

#endif
