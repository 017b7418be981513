/* holding — see holding.h. */
#include "core/holding.h"

#include "core/blob.h"
#include "core/field.h"
#include "core/outbox.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/tz.h"

#include <string.h>

static const char *const REASON_NAMES[] = {
	[HOLDING_NO_CALL] = "no_call",     [HOLDING_CALL_NOT_OPEN] = "call_not_open", [HOLDING_AUTOMATIC] = "automatic",
	[HOLDING_INVALID] = "invalid",     [HOLDING_LIMIT] = "limit",                 [HOLDING_DUPLICATE] = "duplicate",
};

const char *holding_reason_name(enum holding_reason r)
{
	return REASON_NAMES[r];
}

bool holding_reason_parse(const char *name, enum holding_reason *out)
{
	const int i = field_enum_index(REASON_NAMES, (int)(sizeof REASON_NAMES / sizeof *REASON_NAMES), name);
	if (i >= 0)
		*out = (enum holding_reason)i;
	return i >= 0;
}

#define HOLDING_COLUMNS                                                                                                \
	"SELECT h.id, h.received_at, h.recipient, h.envelope_sender, h.sender, h.subject, h.message_id, "              \
	"h.call_id, h.reason, h.detail, h.raw_sha256, b.size FROM holding h JOIN blob b ON b.sha256 = h.raw_sha256 "

static int holding_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct holding_item *h = element;
	bool failed = false;
	h->id = db_col_int(st, 0);
	h->received_at = db_col_int(st, 1);
	h->recipient = db_col_dup(st, 2, a, &failed);
	h->envelope_sender = db_col_dup(st, 3, a, &failed);
	h->sender = db_col_dup(st, 4, a, &failed);
	h->subject = db_col_dup(st, 5, a, &failed);
	h->message_id = db_col_dup(st, 6, a, &failed);
	h->call_id = db_col_int(st, 7);
	if (!holding_reason_parse(db_col_text(st, 8), &h->reason))
		return DB_FILL_UNKNOWN;
	h->detail = db_col_dup(st, 9, a, &failed);
	h->raw_sha256 = db_col_dup(st, 10, a, &failed);
	h->size = db_col_int(st, 11);
	return failed ? -1 : 0;
}

int holding_find(struct db *db, struct arena *a, int64_t id, struct holding_item *out, struct error *e)
{
	static const char sql[] = HOLDING_COLUMNS "WHERE h.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, holding_from_row, "There is no such held message.", e);
}

int holding_list(struct db *db, struct arena *a, int64_t before_id, int limit, struct holding_item **out, int *n,
                 struct error *e)
{
	static const char sql[] = HOLDING_COLUMNS "WHERE (?1 = 0 OR h.id < ?1) ORDER BY h.id DESC LIMIT ?2";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, before_id);
	db_bind_int(st, 2, limit);
	return db_collect(st, a, (void **)out, n, sizeof **out, holding_from_row, e);
}

int holding_page(struct db *db, struct arena *a, int offset, int limit, struct holding_item **out, int *n,
                 int64_t *total, struct error *e)
{
	static const char sql_count[] = "SELECT count(*) FROM holding";
	static const char sql[] = HOLDING_COLUMNS "ORDER BY h.id DESC LIMIT ?1 OFFSET ?2";
	struct db_stmt *st = db_stmt(db, sql_count, e);
	if (!st)
		return -1;
	if (db_step(st, e) != DB_ROW)
		return -1;
	*total = db_col_int(st, 0);
	db_reset(st);
	st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, limit);
	db_bind_int(st, 2, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, holding_from_row, e);
}

/* The short answer that tells a person their message is kept but is not (yet) a contribution. */
static int holding_answer(struct db *db, struct arena *a, const struct holding_input *in, int64_t received_at,
                          struct error *e)
{
	char utc[32];
	tz_format_utc(received_at, utc);
	/* In the thread's language: the call's process's first (mail/deliver.c sets it). */
	const char *received =
	    in->subject && *in->subject
	        ? arena_printf(a, _("Your message \"%1$s\" to %2$s was received on %3$s."), in->subject, in->recipient,
	                       utc)
	        : arena_printf(a, _("Your message to %1$s was received on %2$s."), in->recipient, utc);
	const char *body =
	    received ? arena_printf(a,
	                            _("%s\n\nIt is not recorded as a contribution: %s\n\n"
	                              "The message is kept, and the secretariat will look at it. You do not need to "
	                              "send it again.\n"),
	                            received, in->detail)
	             : NULL;
	if (!body) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	struct outbox_mail mail = {.kind = "held",
	                           .translated = true,
	                           .to = in->answer_to,
	                           .subject = _("Your message is held for the secretariat"),
	                           .body = body,
	                           .in_reply_to = in->message_id,
	                           .references = in->references};
	return outbox_enqueue(db, &mail, e);
}

int holding_add(struct db *db, struct arena *a, const struct holding_input *in, struct holding_item *out,
                struct error *e)
{
	static const char sql_seen[] =
	    "SELECT id FROM holding WHERE message_id = ? AND recipient = ? AND message_sha256 = ?";
	static const char sql[] =
	    "INSERT INTO holding (received_at, recipient, envelope_sender, sender, subject, "
	    "message_id, call_id, reason, detail, raw_sha256, message_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "RETURNING id";
	if ((unsigned)in->reason > HOLDING_DUPLICATE || !in->recipient || !in->detail) {
		error_set(e, ERROR_INTERNAL, "a held message needs a recipient, a known reason and its detail");
		return -1;
	}
	if (db_begin(db, e) != 0)
		return -1;
	int64_t id = 0;
	bool duplicate = false;
	struct db_stmt *st;
	if (in->message_id) {
		if (!(st = db_stmt(db, sql_seen, e)))
			goto fail;
		db_bind_text(st, 1, in->message_id);
		db_bind_text(st, 2, in->recipient);
		db_bind_text(st, 3, in->message_sha256);
		enum db_step r = db_step(st, e);
		if (r == DB_ROW)
			id = db_col_int(st, 0);
		db_reset(st);
		if (r == DB_FAIL)
			goto fail;
		duplicate = r == DB_ROW;
	}
	const int64_t now = clock_now();
	if (!duplicate) {
		char raw[BLOB_NAME_LEN + 1];
		if (blob_put(db, in->raw ? in->raw : "", in->raw ? in->raw_len : 0, raw, e) != 0 ||
		    !(st = db_stmt(db, sql, e)))
			goto fail;
		db_bind_int(st, 1, now);
		db_bind_text(st, 2, in->recipient);
		db_bind_text(st, 3, in->envelope_sender ? in->envelope_sender : "");
		db_bind_text(st, 4, in->sender ? in->sender : "");
		db_bind_text(st, 5, in->subject ? in->subject : "");
		db_bind_text(st, 6, in->message_id);
		if (in->call_id)
			db_bind_int(st, 7, in->call_id);
		else
			db_bind_null(st, 7);
		db_bind_text(st, 8, holding_reason_name(in->reason));
		db_bind_text(st, 9, in->detail);
		db_bind_text(st, 10, raw);
		db_bind_text(st, 11, in->message_sha256);
		if (db_insert_id(st, &id, e) != 0)
			goto fail;
		if (in->answer_to && holding_answer(db, a, in, now, e) != 0)
			goto fail;
	}
	if (holding_find(db, a, id, out, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	out->duplicate = duplicate;
	log_event(duplicate ? "mail.held_again" : "mail.held", "id=%lld reason=%s", (long long)id,
	          holding_reason_name(in->reason));
	return 0;
fail:
	db_rollback(db);
	return -1;
}
