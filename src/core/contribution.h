/*
 * contribution — what a stakeholder sends to a call, and the one way in.
 *
 * contribution_receive() is the only code that accepts a contribution,
 * whether it came from the web form, the JSON API or e-mail. It checks the
 * call is open at the server's clock, validates every field and reports each
 * bad one, assigns a tracking number, and commits durably before returning,
 * so a receipt is only ever shown for a stored contribution. On any error
 * nothing is stored. The deadline is judged at the instant the server
 * received it (input.received_at), not when it is written.
 *
 * Under `consulta serve` it commits by group (contribution_writer_start): it
 * checks the contribution on the caller's thread (and, without comments or
 * files, makes it ready: tracking number, receipt mail), hands it to the one
 * writer thread, and waits, or, given a contribution_wait, returns
 * CONTRIBUTION_QUEUED at once; the writer commits every contribution queued
 * by then in one transaction (a savepoint each: one that fails fails alone)
 * and one fsync, then wakes each caller. A full queue is refused at once
 * (ERROR_UNAVAILABLE), before anything is stored. Mass campaigns are then
 * recognised after the commit (core/campaign.h, campaign_pass).
 *
 * A contribution sent with an idempotency key (contribution_idempotency: the API's Idempotency-Key, the form's
 * one-time field) is stored once: sent again it is answered with the first receipt (receipt.duplicate), and with
 * another body under the key it is refused. The key is unique per call in the store (migration 047), so two
 * copies in one batch, or on two nodes, are one row.
 *
 * The e-mail channel differs in three rules, all keyed on input.mail: a
 * message that arrives after the deadline is still recorded, marked late and
 * kept pending until the secretariat admits it (a person cannot be shown a
 * "closed" page, and a message must never be lost); a second delivery of the
 * same Message-ID is the same contribution (the first receipt is returned,
 * nothing is written, no second mail goes out); and what a message cannot
 * say (category, country) may be missing.
 */
#ifndef CONSULTA_CORE_CONTRIBUTION_H
#define CONSULTA_CORE_CONTRIBUTION_H

#include "core/attachment.h"
#include "core/audit.h"
#include "core/comment.h"
#include "core/tracking.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The domain's states, each with its one table of names (contribution.c): the
 * name is what the database, the API and the audit log hold. X_name() gives
 * it; X_parse() reads it, false for a name not in the table. Channels and
 * pages switch on the enum, so that a new value without words does not
 * compile quietly (-Wswitch).
 */
/* pending: awaiting review (or a late one, the secretariat's decision); hidden: the public sees its
 * tracking number and the reason in its place; spam: gone from public view, kept in the record. In the
 * order the back office lists them. */
enum contribution_state { CONTRIBUTION_PENDING, CONTRIBUTION_PUBLISHED, CONTRIBUTION_HIDDEN, CONTRIBUTION_SPAM };
const char *contribution_state_name(enum contribution_state s);
bool contribution_state_parse(const char *name, enum contribution_state *out);

/* Whether the public sees it with the name, without it, or not at all. */
enum contribution_publication { PUBLICATION_NAMED, PUBLICATION_ANONYMOUS, PUBLICATION_PRIVATE };
const char *contribution_publication_name(enum contribution_publication p);
bool contribution_publication_parse(const char *name, enum contribution_publication *out);

/* The way it came in: set by the channel, never by the sender. */
enum contribution_channel { CHANNEL_WEB, CHANNEL_API, CHANNEL_EMAIL };
const char *contribution_channel_name(enum contribution_channel c);
bool contribution_channel_parse(const char *name, enum contribution_channel *out);

/* The receiving MTA's verdict on a message's From address: none (no trusted
 * verdict), pass (DKIM or DMARC passed for it), fail. */
enum sender_verification { SENDER_NONE, SENDER_PASS, SENDER_FAIL };
const char *sender_verification_name(enum sender_verification v);
bool sender_verification_parse(const char *name, enum sender_verification *out);

/* What the secretariat does to a contribution (contribution_moderate). */
enum moderation_action { MODERATION_PUBLISH, MODERATION_HIDE, MODERATION_SPAM };
const char *moderation_action_name(enum moderation_action m);
bool moderation_action_parse(const char *name, enum moderation_action *out);
/* The state an action leaves a contribution in. */
enum contribution_state moderation_action_state(enum moderation_action m);

/* One file of a contribution (core/attachment.h). */
struct contribution_attachment {
	int position;              /* 1, 2, ... in the order sent; set when read back */
	enum attachment_scan scan; /* clean, pending (held for scanning) or quarantined */
	const char *name;
	const char *declared_type; /* the Content-Type its sender gave */
	const char *type;          /* the type its bytes show (libmagic) */
	const void *data;          /* NULL when read back from the store */
	size_t size;
	const char *text;          /* its text for search, or NULL */
	char sha256[65];           /* filled when stored and when read back */
};

/* What the e-mail channel adds to a contribution. */
struct contribution_mail {
	const char *sender;         /* the From address: the receipt goes there */
	enum sender_verification verification;
	const char *authentication; /* the receiving MTA's verdicts ("dkim=pass dmarc=pass"), or NULL */
	const char *subject;        /* or NULL */
	const char *message_id;     /* without brackets: with the sender and message_sha256, what makes a second
	                             * delivery the same contribution */
	const char *message_sha256; /* hex SHA-256 of the message without its trace fields (mail/intake.h) */
	const char *references;     /* the message's References (space-separated, no brackets), or NULL */
	const void *raw;            /* the whole message as it arrived, kept with the contribution */
	size_t raw_len;
	const struct contribution_attachment *attachments;
	int nattachments;
	bool no_receipt;            /* automatic mail, list traffic, a null sender (RFC 3834): answer nothing */
};

struct contribution_wait;

/* Fields as they arrived (any may be NULL); contribution_receive trims them. */
struct contribution_input {
	const char *name;
	const char *organization;
	const char *category; /* a category slug of the call's process */
	const char *country;  /* ISO 3166-1 alpha-2 */
	const char *email;
	const char *text;
	const char *publication; /* named, anonymous, private, as it arrived: contribution_validate() parses it */
	/* The language it is written in as its sender declared it (a BCP 47 tag), or NULL/"": contribution_validate()
	 * then detects it from the text (core/language.h) and leaves "" if it cannot tell. */
	const char *language;
	enum contribution_channel channel; /* set by the channel, not the sender */
	int64_t account_id;      /* the logged-in stakeholder who sends it, or 0 */
	const char *requester;   /* the client address that sends it (web, API; for the mail limits), or NULL */
	const struct contribution_mail *mail; /* the e-mail channel's part, or NULL */
	/* Its comments on paragraphs of the call's version (core/comment.h), in the sender's order; the text
	 * above is then the covering letter. */
	const struct comment_input *comments;
	int ncomments;
	/* What was understood of a comment table sent with it (web upload or mail attachment), row by row
	 * (core/comment_table.h), or NULL: kept for its receipt page and told in a reply mail. */
	const char *table_report;
	/* Its files by the web form or the API, checked by attachment_accept() (a message's are in mail) */
	const struct contribution_attachment *attachments;
	int nattachments;
	/* When the server received it (the web's and the API's: the request's last byte), the instant the
	 * deadline is judged at and its received_at; 0: now (clock_now) */
	int64_t received_at;
	/* What makes a repeated send the same contribution (migration 047), set by contribution_idempotency(), or
	 * NULL: sent again under the same key for the same call, it is not stored again and its receipt is the
	 * first one's (receipt.duplicate); under the same key with another body it is refused (ERROR_CONFLICT). */
	const char *idempotency_key;  /* hex SHA-256 of the key and its scope */
	const char *idempotency_body; /* hex SHA-256 of what was sent */
	/* NULL: contribution_receive() returns once it is stored. Else, under the group commit, it may return
	 * CONTRIBUTION_QUEUED at once and call wait->wake later (see contribution_receive). */
	struct contribution_wait *wait;
};

/* How a caller that must not wait for the group commit (an event loop's thread) is told it is done: wake(ctx)
 * is called once, on the writer's thread, after wait->rc is set (0: committed, durably; -1: the error is in
 * contribution_receive's e). wake should only hand the rest back to the caller's own thread, which then calls
 * contribution_received(). */
struct contribution_wait {
	void (*wake)(void *ctx);
	void *ctx;
	int rc;
};
enum { CONTRIBUTION_QUEUED = 1 };

struct receipt {
	char tracking[TRACKING_LEN + 1];
	int64_t received_at;
	int64_t call_id;
	bool late;      /* received after the deadline (e-mail only): recorded, the secretariat decides */
	bool duplicate; /* this Message-ID, or this idempotency key, was received before: the receipt is that
	                 * contribution's, and nothing was stored */
	/* Its leaf in the tamper-evident record (core/ledger.h) and a tree size that holds it, when the group
	 * commit wrote it (leaf_known); otherwise read it with ledger_find_tracking(). */
	bool leaf_known;
	int64_t leaf_index, leaf_size;
};

struct contribution {
	int64_t id;
	char tracking[TRACKING_LEN + 1];
	int64_t call_id;
	enum contribution_channel channel;
	const char *name;
	const char *organization;
	const char *category_slug;
	const char *category_name;
	const char *country;
	const char *email;
	const char *text;
	const char *language; /* the language it is written in (core/language.h), "" if not known */
	enum contribution_publication publication;
	int64_t received_at;
	enum contribution_state state;
	const char *moderation_reason; /* why it was hidden (public), or NULL */
	int64_t moderated_at;          /* 0 if never moderated */
	/* the e-mail channel's part (NULL and 0 for the web and the API) */
	const char *sender;
	enum sender_verification sender_verification;
	const char *authentication;
	const char *subject;
	const char *message_id;
	bool late;
	int64_t admitted_at;            /* 0 unless a late one was admitted */
	const char *raw_sha256;         /* the blob of the message as it arrived */
	struct contribution_attachment *attachments; /* loaded by contribution_attachments() only */
	int nattachments;
	struct comment *comments; /* loaded by comment_attach() only (core/comment.h) */
	int ncomments;
};

/* Sets in->idempotency_key from a key its sender chose (the API's Idempotency-Key header, the form's one-time
 * field) and its scope (who may reuse it: "account:ID", "address:IP", "form"), and in->idempotency_body from
 * every field, comment and file of in as it is now: call it once in is complete. Strings in a; -1 if a is out
 * of memory. */
int contribution_idempotency(struct arena *a, struct contribution_input *in, const char *scope, const char *key);

/* Receives a contribution to the call: see the top of this file. 0 with *out
 * filled (out->duplicate for a Message-ID or an idempotency key seen before:
 * nothing stored, the first receipt), or -1 with e: ERROR_CONFLICT for a key
 * used with another body, the
 * field errors, ERROR_CALL_NOT_OPEN, ERROR_CALL_CLOSED (not for e-mail),
 * ERROR_NOT_FOUND for an unknown call, ERROR_UNAVAILABLE when the store is
 * busy or full (try again). */
int contribution_receive(struct db *db, struct arena *a, int64_t call_id, const struct contribution_input *in,
			 struct receipt *out, struct error *e);
/* With in->wait, under the group commit, contribution_receive() checks the contribution on the caller's thread
 * (an error is returned at once, -1, as is a full queue) and queues it: CONTRIBUTION_QUEUED. Then in and all it
 * points to, a, out and e must stay as they are until wait->wake is called; the caller then learns the result
 * with contribution_received(in, out, wait->rc): 0 (stored, out filled) or -1 (e says why). Without the writer
 * it is stored before it returns, as without wait, and wake is never called. */
int contribution_received(const struct contribution_input *in, const struct receipt *out, int rc);

/* The group commit (see the top of this file and contribution.c): starts the one writer thread, which
 * commits many contributions in one transaction; from then on contribution_receive() checks, queues and
 * waits for that commit. queue_max bounds the contributions waiting (<= 0: CONTRIBUTION_QUEUE_DEFAULT);
 * one more is refused at once with ERROR_UNAVAILABLE, nothing stored. 0, or -1 with e. */
enum { CONTRIBUTION_QUEUE_DEFAULT = 16384 };
int contribution_writer_start(int queue_max, struct error *e);
/* A hook the writer calls once after each batch it commits, on its thread (serve: wakes the mail sender, once
 * per batch rather than once per contribution). Set before contribution_writer_start. */
void contribution_writer_on_commit(void (*hook)(void));
/* How many contributions the writer has been given and not yet answered (0 without it): above 0 during a surge,
 * when pages that show contributions may be served a little behind (web/page_cache.h). Without a lock. */
int contribution_writer_backlog(void);
/* When (CLOCK_MONOTONIC, ms) the writer last answered a batch of at least CONTRIBUTION_SURGE_BATCH
 * contributions, 0 if never: a surge goes on between its batches, when the backlog is 0 for a moment (the
 * requests' checks, not the writer, set the pace on PostgreSQL). One contribution alone never makes one. */
enum { CONTRIBUTION_SURGE_BATCH = 16 };
int64_t contribution_writer_surge_ms(void);
/* Writes what is queued, answers it, and stops the writer (contribution_receive then commits alone). */
void contribution_writer_stop(void);

/* Validates the fields that need no database; adds one error per bad field. */
void contribution_validate(struct arena *a, const struct contribution_input *in, struct contribution_input *clean,
			   struct error *e);

/* The full record, whatever its publication; ERROR_NOT_FOUND if unknown. */
int contribution_find(struct db *db, struct arena *a, const char *tracking, struct contribution *out,
		      struct error *e);

/* Whether the public may see it at all: not private, and published or hidden.
 * A hidden one is shown only as its tracking number and the public reason
 * (contribution_is_hidden); a pending one or spam is not there for the public. */
bool contribution_is_public(const struct contribution *c);
bool contribution_is_hidden(const struct contribution *c);

/* What the public sees of a call, oldest first, one page: the published
 * contributions and, in their places, the hidden ones (which the reader shows
 * by tracking number and reason only). total counts them all, hidden those
 * hidden among them. */
int contribution_list_published(struct db *db, struct arena *a, int64_t call_id, int offset, int limit,
				struct contribution **out, int *n, int64_t *total, int64_t *hidden, struct error *e);

/* What a reader may narrow the public list to, and its order. Every field is
 * optional (NULL or "": every one). category is a category's slug, country an
 * ISO 3166 code, type a comment type (comment.h): contributions with at least
 * one comment of that type. A narrowed list holds published contributions
 * only: a hidden one shows nothing but its number, and its category or
 * country must not be told by whether it matches. */
enum contribution_sort { CONTRIBUTION_SORT_OLDEST, CONTRIBUTION_SORT_NEWEST, CONTRIBUTION_SORT_NAME };
const char *contribution_sort_name(enum contribution_sort s);
bool contribution_sort_parse(const char *name, enum contribution_sort *out);

/* The campaign a contribution is part of (core/campaign.h), as a filter: this one, or none. */
enum { CONTRIBUTION_NO_CAMPAIGN = -1 };
/* Reads ?campaign=: "none", or a campaign's id; false for anything else. */
bool contribution_campaign_parse(const char *s, int64_t *out);

/* Where a page of the public list starts (keyset paging): just after the row the cursor was made from, in the
 * list's order, or with before just before it (the page before, still in the list's order). A page deep in the
 * list costs what the first costs, and rows that arrive or change meanwhile never make a row show twice or be
 * skipped. Made by contribution_cursor_make() and read back by contribution_cursor_parse(); opaque to readers. */
struct contribution_cursor {
	enum contribution_sort sort;
	bool before;
	int64_t id;
	int named;            /* by name: 0 for a name the public sees, 1 for the rest (PUBLIC_NAMED in the .c) */
	const char *name_key; /* by name: the name's sort key as the database made it, "" for the rest */
};

struct contribution_filter {
	const char *category, *country, *type;
	int64_t campaign; /* 0: in a campaign or not; an id: its members; CONTRIBUTION_NO_CAMPAIGN: in none */
	/* oldest first (the default), newest first, or by the name the public sees (named ones A to Z, then
	 * the anonymous and hidden ones, oldest first: a name not published must not order anything) */
	enum contribution_sort sort;
	/* NULL: from the offset given; else the page after (or before) this row, whose sort must be sort, and the
	 * offset must be 0 */
	const struct contribution_cursor *cursor;
};

/* The cursor of a page that starts after (or, with before, ends before) row c, one of the public list of f's
 * order. NULL with e if the database fails (by name, its sort key is read from the database). The text is
 * URL-safe, at most CONTRIBUTION_CURSOR_MAX characters. */
enum { CONTRIBUTION_CURSOR_MAX = 1024 };
const char *contribution_cursor_make(struct db *db, struct arena *a, const struct contribution *c,
				     enum contribution_sort sort, bool before, struct error *e);
/* Reads a cursor's text made by contribution_cursor_make for a list in order sort into *out (strings in a).
 * false with a message in e (ERROR_INVALID, field `field`) for anything else: not one of ours, damaged, or made
 * for another order. */
bool contribution_cursor_parse(struct arena *a, const char *text, enum contribution_sort sort, bool before,
			       const char *field, struct contribution_cursor *out, struct error *e);

/* Whether f narrows the list (a category, country, type or campaign is set). */
bool contribution_filter_narrows(const struct contribution_filter *f);

/* contribution_list_published(), narrowed and ordered by f (NULL: every
 * one, oldest first): the one query behind the public list page and the
 * API's list. total and hidden count what f keeps. ERROR_INVALID (field
 * "country", "type" or "category") for a value that is not a country code,
 * a comment type, or a slug. Each narrowing is an equality an index serves
 * (contribution_call_category, contribution_call_country: migration 019).
 * A narrowing by type reads contribution.comment_types (migration 041: the
 * types of its comments as bits) through the type's partial indexes.
 * The counts of the whole list, and of a list narrowed by category, country,
 * comment type or to the contributions in no campaign, are read from
 * contribution_tally (migrations 033, 041), whatever the call's size; one
 * campaign's from its row (campaign.published); a campaign narrowed further
 * counts its rows. A count of 0 reads no page. f->cursor (keyset paging)
 * makes the page start after or before a row rather than at offset; every
 * order of every narrowing is then a range of an index (by name:
 * contribution_call_name, migration 032, and the narrowed ones of 041). */
int contribution_list_public(struct db *db, struct arena *a, int64_t call_id, const struct contribution_filter *f,
			     int offset, int limit, struct contribution **out, int *n, int64_t *total, int64_t *hidden,
			     struct error *e);

/* The statement contribution_list_public() runs for f: the count (count true) or the page. Exposed for the unit
 * tests and bench/list.sh, which read its query plan. */
const char *contribution_public_sql(const struct contribution_filter *f, bool count);
/* Each statement of the page, whose order is: oldest first from ?9, newest first from ?9, by name from the start,
 * by name from a cursor forwards (named ones, then the rest) and backwards (named ones, the rest, the named ones
 * from the end). contribution_public_sql(f, false) is one of the first three. */
enum contribution_public_order {
	PUBLIC_OLDEST, PUBLIC_NEWEST, PUBLIC_BY_NAME, PUBLIC_NAMED_AFTER, PUBLIC_REST_AFTER, PUBLIC_NAMED_BEFORE,
	PUBLIC_REST_BEFORE, PUBLIC_NAMED_FROM_END, CONTRIBUTION_PUBLIC_ORDERS
};
const char *contribution_public_sql_order(const struct contribution_filter *f, enum contribution_public_order o);

/* The countries (ISO codes, A to Z) of a call's published contributions: the
 * choices of the public list's country filter. *out is an array of *n strings. */
int contribution_countries(struct db *db, struct arena *a, int64_t call_id, const char ***out, int *n,
			   struct error *e);

/* The secretariat's view: every contribution of a call, whatever its
 * publication, in one state (or any, with state NULL), oldest first, one page. */
int contribution_list(struct db *db, struct arena *a, int64_t call_id, const enum contribution_state *state,
		      int offset, int limit, struct contribution **out, int *n, int64_t *total, struct error *e);

/* The contributions of a call that arrived late and are not admitted yet
 * (whatever their state), oldest first, one page; total counts them all. */
int contribution_list_late(struct db *db, struct arena *a, int64_t call_id, int offset, int limit,
			   struct contribution **out, int *n, int64_t *total, struct error *e);

/* Moderation by the secretariat: action "publish", "hide" (with a reason,
 * required, that the public sees in the contribution's place) or "spam" (gone
 * from public view, kept in the record). One transaction with audit
 * "contribution.moderate" (state and reason before and after). Publishing a
 * late contribution not yet admitted admits it too, in the same transaction
 * and the same way as contribution_admit() (admitted_at, audit
 * "contribution.admit"). Errors name
 * action and reason; ERROR_NOT_FOUND for an unknown tracking number,
 * ERROR_CONFLICT if the contribution is in that state already. *out, if not
 * NULL, receives the contribution as it is now. */
int contribution_moderate(struct db *db, struct arena *a, const struct actor *who, const char *tracking,
			  const char *action, const char *reason, struct contribution *out, struct error *e);

/* The contributions sent by an account, newest first (its "My contributions"). */
int contribution_list_account(struct db *db, struct arena *a, int64_t account_id, int offset, int limit,
			      struct contribution **out, int *n, struct error *e);

/* What was understood of the contribution's comment table, row by row, into *report (NULL if it came with
 * none). 0 or -1. */
int contribution_table_report(struct db *db, struct arena *a, const struct contribution *c, const char **report,
			      struct error *e);

/* Loads c->attachments (without their bytes), in the order of the message. */
int contribution_attachments(struct db *db, struct arena *a, struct contribution *c, struct error *e);

/* The secretariat admits a contribution that arrived late: it joins the call
 * (published, or pending where the call reviews first), with audit
 * "contribution.admit". ERROR_NOT_FOUND for an unknown tracking number,
 * ERROR_CONFLICT if it was not late or is admitted already. *out, if not
 * NULL, receives it as it is now. */
int contribution_admit(struct db *db, struct arena *a, const struct actor *who, const char *tracking,
		       struct contribution *out, struct error *e);

bool contribution_email_valid(const char *email);

#endif
