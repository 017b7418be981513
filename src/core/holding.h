/*
 * holding — the holding list: mail that reached Consulta but could not
 * become a contribution, kept whole for the secretariat.
 *
 * A message to an address that no call has, to a call that is not open yet,
 * an automatic reply or a bounce, one whose Message-ID another message had
 * (another sender, other content), or one beyond a limit (too many or too
 * large attachments, a text too long) is never dropped: holding_add() keeps
 * the message as it arrived, with who sent it, to whom, and why it is held,
 * in one transaction. The same message delivered again to the same recipient
 * (the same Message-ID and the same content without its trace fields) is held
 * once; another message that reuses the Message-ID is held on its own.
 * Where the sender should hear of it (a person who wrote to a call, not a
 * robot and not a stranger writing to an address we do not have), a short
 * answer is queued in the same transaction.
 */
#ifndef CONSULTA_CORE_HOLDING_H
#define CONSULTA_CORE_HOLDING_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a message is held, with its one table of names (holding.c), which the
 * database, the API and mail-in's answer hold. */
enum holding_reason {
	HOLDING_NO_CALL,       /* sent to an address that no call has */
	HOLDING_CALL_NOT_OPEN, /* the call was not open yet */
	HOLDING_AUTOMATIC,     /* an automatic reply or a bounce */
	HOLDING_INVALID,       /* not a message that could be read as a contribution */
	HOLDING_LIMIT,         /* beyond a limit (attachments or length) */
	HOLDING_DUPLICATE,     /* its Message-ID came before with another message */
};
const char *holding_reason_name(enum holding_reason r);
/* Reads a reason's name; false for a name not in its table. */
bool holding_reason_parse(const char *name, enum holding_reason *out);

struct holding_input {
	const char *recipient;       /* the address it was delivered to */
	const char *envelope_sender; /* the SMTP MAIL FROM: "" for the null sender, NULL if unknown */
	const char *sender;          /* the From address, or NULL */
	const char *subject;         /* or NULL */
	const char *message_id;      /* without brackets, or NULL */
	const char *references;      /* the message's References, for the answer's own, or NULL */
	int64_t call_id;             /* the call it was addressed to, or 0 */
	enum holding_reason reason;
	const char *detail;          /* the reason in words, for the secretariat and the sender */
	const void *raw;             /* the message as it arrived */
	const char *message_sha256;  /* hex SHA-256 of it without its trace fields (mail/intake.h), or NULL */
	size_t raw_len;
	const char *answer_to; /* the address to tell that the message is held, or NULL for none */
};

struct holding_item {
	int64_t id;
	int64_t received_at;
	const char *recipient;
	const char *envelope_sender;
	const char *sender;
	const char *subject;
	const char *message_id;
	int64_t call_id;
	enum holding_reason reason;
	const char *detail;
	const char *raw_sha256;
	int64_t size;
	bool duplicate; /* holding_add: this message was held before (*this* is that entry) */
};

/* Keeps the message (see above) and fills *out; 0, or -1 with e
 * (ERROR_UNAVAILABLE when the store is busy or full: try again). */
int holding_add(struct db *db, struct arena *a, const struct holding_input *in, struct holding_item *out,
                struct error *e);

/* Newest first, below before_id (0: from the newest), at most limit. */
int holding_list(struct db *db, struct arena *a, int64_t before_id, int limit, struct holding_item **out, int *n,
                 struct error *e);

/* Newest first, one page from offset, at most limit (0: none, only the count); total counts them all. */
int holding_page(struct db *db, struct arena *a, int offset, int limit, struct holding_item **out, int *n,
                 int64_t *total, struct error *e);

/* One held message; ERROR_NOT_FOUND if there is none with that id. */
int holding_find(struct db *db, struct arena *a, int64_t id, struct holding_item *out, struct error *e);

#endif
