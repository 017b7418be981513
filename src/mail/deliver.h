/*
 * deliver — the e-mail channel: one message, one recipient, one outcome.
 *
 * Both ways in (`consulta mail-in` on standard input, and the LMTP server)
 * read a message with mail_read() (intake and extract: no database, no
 * transaction) and then hand it to mail_deliver() for each recipient, which
 * translates it into the core's contribution_receive() or, when it cannot be
 * a contribution, holding_add(), and the core's errors into an outcome an MTA
 * understands:
 *
 *   accepted   recorded as a contribution (perhaps late); its receipt is in the outbox
 *   duplicate  this Message-ID was recorded before: that contribution's tracking number
 *   held       kept whole in the holding list (no call has the address, the call is not
 *              open yet, a robot's mail, over a limit, unreadable)
 *   tempfail   nothing was stored and the MTA should try again (database busy or full)
 *   reject     nothing can ever be stored: an empty message, or one over LIMIT_MAIL_MESSAGE
 *
 * The recipient picks the call: the call's own address, or sub-addressing
 * LOCAL+ID@DOMAIN with the call's number, or LOCAL+anything@DOMAIN where
 * LOCAL@DOMAIN is a call's address. The deadline is judged on the time the
 * message is delivered to us, never on its Date header.
 */
#ifndef CONSULTA_MAIL_DELIVER_H
#define CONSULTA_MAIL_DELIVER_H

#include "core/blob.h"
#include "core/contribution.h"
#include "mail/intake.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum mail_outcome { MAIL_ACCEPTED, MAIL_DUPLICATE, MAIL_HELD, MAIL_TEMPFAIL, MAIL_REJECT };

/* A message read once, delivered to each of its recipients. */
struct mail_message {
	const void *raw;
	size_t len;
	bool readable;                          /* intake could read it */
	struct error problem;                   /* why not, when not */
	char content_sha256[BLOB_NAME_LEN + 1]; /* of the message without its trace (intake_trace_length) */
	struct intake in;
	struct contribution_attachment *files;
	int nfiles;
};

struct mail_result {
	enum mail_outcome outcome;
	const char *recipient; /* the address it was delivered for */
	char tracking[TRACKING_LEN + 1];
	int64_t call_id; /* accepted, duplicate; held for a call */
	bool late;
	int64_t received_at;
	int64_t held_id;
	enum holding_reason reason; /* held */
	const char *detail; /* held, tempfail, reject: in words */
	/* accepted with a comment table attached: what was understood of each of its rows, for the reply
	 * (comment_table_report()), or NULL */
	const char *comment_report;
};

/* Reads the message (see intake.h, extract.h); 0, or -1 with e if memory runs out. */
int mail_read(struct arena *a, const void *raw, size_t len, const struct intake_options *opt, struct mail_message *m,
              struct error *e);

/* The call a recipient address stands for: 1 and *call_id, 0 if none, -1 with e if the store fails. */
int mail_route(struct db *db, struct arena *a, const char *recipient, int64_t *call_id, struct error *e);

/* Delivers m for recipient (NULL: its Delivered-To, else the first To or Cc that is a call's, else the
 * first To). envelope_sender is the SMTP MAIL FROM ("" for the null sender) or NULL if unknown. */
void mail_deliver(struct db *db, struct arena *a, const struct mail_message *m, const char *envelope_sender,
                  const char *recipient, struct mail_result *out);

/* The outcome as one JSON object (mail-in prints it on one line). */
json_t *mail_result_json(const struct mail_result *r);
const char *mail_outcome_name(enum mail_outcome o);

#endif
