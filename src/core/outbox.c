/* outbox — see outbox.h. */
#include "core/outbox.h"

#include "core/blob.h"
#include "core/config.h"
#include "core/field.h"
#include "render/message.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/secret.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OUTBOX_MESSAGE_MAX = 1024 * 1024, OUTBOX_BACKOFF_FIRST = 5, OUTBOX_BACKOFF_MAX = 15 * 60 };

/* Whether name is one to greet a person by (outbox_greeting): letters of any script, spaces between words, and
 * the hyphens, apostrophes and abbreviating full stops of names ("Mary-Jane O'Neil", "J. R. Smith"). */
static bool greeting_name_ok(const char *name)
{
	const size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > OUTBOX_GREETING_NAME_MAX || name[0] == ' ' || name[n - 1] == ' ')
		return false;
	int words = 1;
	for (size_t i = 0; i < n; i++) {
		const unsigned char c = (unsigned char)name[i];
		if (c >= 0x80) {
			/* fullwidth and ideographic look-alikes of ".", "/", ":" and "@" (U+FF0E, U+FF0F, U+FF1A,
			 * U+FF20, U+3002): a domain name or an address written so */
			if ((c == 0xEF && i + 2 < n && (unsigned char)name[i + 1] == 0xBC &&
			     strchr("\x8E\x8F\x9A\xA0", name[i + 2])) ||
			    (c == 0xE3 && i + 2 < n && (unsigned char)name[i + 1] == 0x80 &&
			     (unsigned char)name[i + 2] == 0x82))
				return false;
			continue;
		}
		if (c == ' ') {
			if (name[i + 1] == ' ' || ++words > 6)
				return false;
		} else if (c == '.') {
			if (name[i + 1] != ' ' && name[i + 1] != '\0') /* "J. Smith", never "evil.example" */
				return false;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '\'')) {
			return false;
		}
	}
	return true;
}

const char *outbox_greeting(struct arena *a, const char *name)
{
	/* TRANSLATORS: the first line of a mail to a person whose name is %s (the neutral one is "Hello,"). */
	return greeting_name_ok(name) ? arena_printf(a, _("Dear %s,"), name) : _("Hello,");
}

int64_t outbox_backoff(int attempts)
{
	int64_t delay = OUTBOX_BACKOFF_FIRST;
	for (int i = 1; i < attempts && delay < OUTBOX_BACKOFF_MAX; i++)
		delay *= 2;
	return delay < OUTBOX_BACKOFF_MAX ? delay : OUTBOX_BACKOFF_MAX;
}

/* How many mails of this kind one recipient may get an hour; 0 for kinds without a limit (notices go
 * only to confirmed subscribers). Receipts and the mail channel's answers that a message is held count
 * together: a message's From can be forged, so its answers are a stranger's request too. */
static int recipient_limit(const char *kind)
{
	if (!strcmp(kind, "receipt") || !strcmp(kind, "held"))
		return OUTBOX_RECEIPTS_PER_RECIPIENT;
	if (!strcmp(kind, "confirm") || !strcmp(kind, "reset") || !strcmp(kind, "account") ||
	    !strcmp(kind, "subscription"))
		return OUTBOX_ACCOUNT_PER_RECIPIENT;
	return 0;
}

/* The limited kinds, as SQL (kept in step with recipient_limit). */
#define LIMITED_KINDS "('receipt', 'held', 'confirm', 'reset', 'account', 'subscription')"

/* The number of rows of one column's value in the last hour; -1 on error. */
static int64_t recent(struct db *db, const char *sql, const char *value, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, value);
	db_bind_int(st, 2, clock_now() - OUTBOX_LIMIT_WINDOW);
	int64_t n = db_step(st, e) == DB_ROW ? db_col_int(st, 0) : -1;
	db_reset(st);
	return n;
}

int outbox_requester_allowed(struct db *db, const char *requester, struct error *e)
{
	if (!requester)
		return 1;
	static const char sql[] = "SELECT count(*) FROM outbox WHERE requester = ? AND created_at > ? AND kind IN "
				  LIMITED_KINDS;
	int64_t n = recent(db, sql, requester, e);
	return n < 0 ? -1 : n < OUTBOX_PER_REQUESTER;
}

int outbox_allowed(struct db *db, const char *kind, const char *to, const char *requester, struct error *e)
{
	int limit = recipient_limit(kind);
	if (!limit)
		return 1;
	/* Answers count only answers, so that a busy contributor still gets a reset link; account mails
	 * count every limited kind, so that receipts cannot be used to pass their limit either. */
	static const char sql_receipts[] = "SELECT count(*) FROM outbox WHERE recipient = ? AND created_at > ? "
					   "AND kind IN ('receipt', 'held')";
	static const char sql_all[] = "SELECT count(*) FROM outbox WHERE recipient = ? AND created_at > ? AND kind IN "
				      LIMITED_KINDS;
	int64_t n = recent(db, limit == OUTBOX_RECEIPTS_PER_RECIPIENT ? sql_receipts : sql_all, to, e);
	if (n < 0)
		return -1;
	if (n >= limit)
		return 0;
	return outbox_requester_allowed(db, requester, e);
}

/* Copies n attachments into a after checking them; NULL (with e) for a bad one. */
static const struct outbox_attachment *attachments_copy(struct arena *a, const struct outbox_attachment *in, int n,
							struct error *e)
{
	if (n > OUTBOX_ATTACHMENTS_MAX) {
		error_set(e, ERROR_INVALID, _("A mail carries at most %d files."), OUTBOX_ATTACHMENTS_MAX);
		return NULL;
	}
	struct outbox_attachment *out = arena_alloc(a, sizeof *out * (size_t)n);
	if (!out) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		const char *blob = in[i].blob;
		if (!message_attachment_ok(in[i].filename, in[i].content_type) || !blob ||
		    strlen(blob) != BLOB_NAME_LEN || strspn(blob, "0123456789abcdef") != BLOB_NAME_LEN) {
			error_set(e, ERROR_INVALID,
			          _("The file \"%.60s\" cannot be attached: check its name and type."),
			          in[i].filename ? in[i].filename : "");
			return NULL;
		}
		out[i] = (struct outbox_attachment){.filename = arena_strdup(a, in[i].filename),
						    .content_type = arena_strdup(a, in[i].content_type),
						    .blob = arena_strdup(a, blob)};
		if (!out[i].filename || !out[i].content_type || !out[i].blob) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return NULL;
		}
	}
	return out;
}

static int compose(struct arena *a, const struct outbox_mail *mail, struct outbox_ready *out, bool whole,
		   struct error *e)
{
	const struct config *cfg = config_get();
	const char *at = strrchr(cfg->mail_from, '@');
	char id[64 + 1 + 256];
	char rnd[33];
	secret_hex(16, rnd);
	snprintf(id, sizeof id, "%s@%s", rnd, at ? at + 1 : "localhost");
	/* "=_" opens the boundary: quoted-printable and base64 never write it, so no part can hold it */
	char boundary[48] = "";
	const struct outbox_attachment *files = NULL;
	if (mail->nattachments > 0) {
		if (!(files = attachments_copy(a, mail->attachments, mail->nattachments, e)))
			return -1;
		char brnd[25];
		secret_hex(12, brnd);
		snprintf(boundary, sizeof boundary, "=_consulta_%s", brnd);
	}
	const int64_t now = clock_now();
	struct message m = {
	    .from = cfg->mail_from,
	    .from_name = "Consulta",
	    .to = mail->to,
	    .subject = mail->subject,
	    .body = mail->body,
	    .message_id = id,
	    .in_reply_to = mail->in_reply_to,
	    .references = mail->references,
	    .list_unsubscribe = mail->list_unsubscribe,
	    .date = now,
	    .boundary = files ? boundary : NULL,
	    .language = mail->language      ? mail->language
	                : !mail->translated ? NULL
	                : i18n_current()    ? i18n_current()
	                                    : I18N_DEFAULT,
	};
	struct buf text;
	buf_init(&text, OUTBOX_MESSAGE_MAX);
	if ((whole ? message_compose(&text, &m) : message_compose_open(&text, &m)) != 0) {
		buf_free(&text);
		error_set(e, ERROR_INVALID, _("The mail to %s could not be composed."), mail->to);
		return -1;
	}
	*out = (struct outbox_ready){.kind = mail->kind,
	                             .to = arena_strdup(a, mail->to),
	                             .subject = arena_strdup(a, mail->subject),
	                             .language = arena_strdup(a, m.language),
	                             .requester = arena_strdup(a, mail->requester),
	                             .message = arena_strndup(a, text.data ? text.data : "", text.len),
	                             .message_id = arena_strdup(a, id),
	                             .created_at = now,
	                             .boundary = files ? arena_strdup(a, boundary) : NULL,
	                             .attachments = files,
	                             .nattachments = files ? mail->nattachments : 0};
	buf_free(&text);
	if (!out->to || !out->message || !out->message_id || (mail->requester && !out->requester) ||
	    (files && !out->boundary)) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

int outbox_compose(struct arena *a, const struct outbox_mail *mail, struct outbox_ready *out, struct error *e)
{
	return compose(a, mail, out, true, e);
}

int outbox_compose_open(struct arena *a, const struct outbox_mail *mail, struct outbox_ready *out, struct error *e)
{
	return compose(a, mail, out, false, e);
}

int outbox_compose_close(struct arena *a, struct outbox_ready *r, const char *rest, struct error *e)
{
	struct buf text;
	buf_init(&text, OUTBOX_MESSAGE_MAX);
	buf_puts(&text, r->message);
	const char *whole = message_compose_close(&text, rest) == 0 ? arena_strndup(a, text.data, text.len) : NULL;
	buf_free(&text);
	if (!whole) {
		error_set(e, ERROR_INVALID, "The mail to %s could not be composed.", r->to);
		return -1;
	}
	r->message = whole;
	return 0;
}

int outbox_insert(struct db *db, const struct outbox_ready *m, struct error *e)
{
	static const char sql[] =
	    "INSERT INTO outbox (created_at, kind, recipient, message, message_id, "
	    "next_attempt_at, requester, boundary, subject, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?)";
	static const char sql_id[] =
	    "INSERT INTO outbox (created_at, kind, recipient, message, message_id, "
	    "next_attempt_at, requester, boundary, subject, language) VALUES (?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?) RETURNING id";
	static const char sql_file[] = "INSERT INTO outbox_attachment (outbox_id, position, blob, filename, "
				       "content_type) VALUES (?, ?, ?, ?, ?)";
	/* the id only when files must point to it: the receipts' group commit inserts without RETURNING */
	struct db_stmt *st = db_stmt(db, m->nattachments > 0 ? sql_id : sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, m->created_at);
	db_bind_text(st, 2, m->kind);
	db_bind_text(st, 3, m->to);
	db_bind_text(st, 4, m->message);
	db_bind_text(st, 5, m->message_id);
	db_bind_int(st, 6, clock_wall());
	db_bind_text(st, 7, m->requester);
	db_bind_text(st, 8, m->boundary);
	db_bind_text(st, 9, m->subject);
	db_bind_text(st, 10, m->language);
	if (m->nattachments <= 0)
		return db_exec_stmt(st, e);
	int64_t id;
	if (db_insert_id(st, &id, e) != 0)
		return -1;
	for (int i = 0; i < m->nattachments; i++) {
		if (!(st = db_stmt(db, sql_file, e)))
			return -1;
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, i);
		db_bind_text(st, 3, m->attachments[i].blob);
		db_bind_text(st, 4, m->attachments[i].filename);
		db_bind_text(st, 5, m->attachments[i].content_type);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return 0;
}

struct wire_file {
	const char *blob, *filename, *content_type;
};

static int wire_file_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct wire_file *f = element;
	bool failed = false;
	f->blob = db_col_dup(st, 0, a, &failed);
	f->filename = db_col_dup(st, 1, a, &failed);
	f->content_type = db_col_dup(st, 2, a, &failed);
	return failed ? -1 : 0;
}

static int outbox_file_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct outbox_file *f = element;
	bool failed = false;
	f->filename = db_col_dup(st, 0, a, &failed);
	f->content_type = db_col_dup(st, 1, a, &failed);
	f->size = db_col_int(st, 2);
	return failed ? -1 : 0;
}

int outbox_files(struct db *db, struct arena *a, int64_t id, struct outbox_file **out, int *n, struct error *e)
{
	static const char sql[] = "SELECT f.filename, f.content_type, b.size FROM outbox_attachment f "
				  "JOIN blob b ON b.sha256 = f.blob WHERE f.outbox_id = ? ORDER BY f.position";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	*out = NULL;
	*n = 0;
	return db_collect(st, a, (void **)out, n, sizeof **out, outbox_file_from_row, e);
}

int outbox_wire(struct db *db, struct arena *a, const struct outbox_item *m, const char **data, size_t *len,
		struct error *e)
{
	if (!m->boundary) {
		*data = m->message;
		*len = strlen(m->message);
		return 0;
	}
	static const char sql[] = "SELECT blob, filename, content_type FROM outbox_attachment WHERE outbox_id = ? "
				  "ORDER BY position";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, m->id);
	struct wire_file *files;
	int n;
	if (db_collect(st, a, (void **)&files, &n, sizeof *files, wire_file_from_row, e) != 0)
		return -1;
	struct buf out;
	buf_init(&out, OUTBOX_WIRE_MAX);
	buf_puts(&out, m->message);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const void *bytes;
		size_t size;
		if ((rc = blob_get(db, a, files[i].blob, &bytes, &size, e)) != 0)
			break;
		if (message_attachment(&out, m->boundary, files[i].filename, files[i].content_type, bytes, size) != 0) {
			error_set(e, ERROR_INVALID, _("The mail with its files is larger than %d MB."),
			          OUTBOX_WIRE_MAX / (1024 * 1024));
			rc = -1;
		}
	}
	if (rc == 0 && message_end(&out, m->boundary) != 0) {
		error_set(e, ERROR_INVALID, _("The mail with its files is larger than %d MB."),
		          OUTBOX_WIRE_MAX / (1024 * 1024));
		rc = -1;
	}
	if (rc == 0 && !(*data = arena_strndup(a, out.data, out.len))) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		rc = -1;
	}
	*len = rc == 0 ? out.len : 0;
	buf_free(&out);
	return rc;
}

static void log_withheld(const char *kind, const char *requester, int count)
{
	log_event("mail.withheld", "kind=%s requester=%s count=%d reason=\"over the hourly limit of its recipient or "
				   "requester\"",
		  kind, requester ? requester : "-", count);
}

int outbox_enqueue(struct db *db, const struct outbox_mail *mail, struct error *e)
{
	int allowed = outbox_allowed(db, mail->kind, mail->to, mail->requester, e);
	if (allowed < 0)
		return -1;
	if (!allowed) {
		log_withheld(mail->kind, mail->requester, 1);
		return 0;
	}
	struct arena a;
	arena_init(&a);
	struct outbox_ready m;
	int rc = outbox_compose(&a, mail, &m, e) == 0 ? outbox_insert(db, &m, e) : -1;
	arena_free(&a);
	return rc;
}

/*
 * The limits of a batch (outbox_batch_*): each recipient and requester is counted in the outbox once per
 * batch, then by what the batch itself adds, instead of two count queries per mail. An open-addressing
 * table of the addresses seen, in the batch's arena.
 */
enum { BATCH_SLOTS_MIN = 64 };

struct batch_slot {
	const char *key; /* "r:" or "q:" and the address; NULL: free */
	int64_t used;    /* mails this hour, counting those the batch queued */
};

struct outbox_batch {
	struct arena *a;
	struct batch_slot *slots;
	size_t nslots, used;
	int withheld;
	const char *withheld_kind, *withheld_requester;
};

struct outbox_batch *outbox_batch_begin(struct arena *a)
{
	struct outbox_batch *b = arena_alloc(a, sizeof *b);
	if (!b)
		return NULL;
	b->a = a;
	b->nslots = BATCH_SLOTS_MIN;
	b->slots = arena_alloc(a, sizeof *b->slots * b->nslots);
	return b->slots ? b : NULL;
}

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of key, made (with used -1: not counted yet) if new; NULL when memory runs out. */
static struct batch_slot *batch_slot(struct outbox_batch *b, const char *key)
{
	if (2 * (b->used + 1) > b->nslots) { /* grow: at most half full */
		struct batch_slot *old = b->slots;
		size_t n = b->nslots;
		struct batch_slot *grown = arena_alloc(b->a, sizeof *grown * n * 2);
		if (!grown)
			return NULL;
		b->slots = grown;
		b->nslots = n * 2;
		for (size_t i = 0; i < n; i++)
			if (old[i].key) {
				size_t k = key_hash(old[i].key) & (b->nslots - 1);
				while (b->slots[k].key)
					k = (k + 1) & (b->nslots - 1);
				b->slots[k] = old[i];
			}
	}
	size_t k = key_hash(key) & (b->nslots - 1);
	while (b->slots[k].key && strcmp(b->slots[k].key, key))
		k = (k + 1) & (b->nslots - 1);
	if (!b->slots[k].key) {
		if (!(b->slots[k].key = arena_strdup(b->a, key)))
			return NULL;
		b->slots[k].used = -1;
		b->used++;
	}
	return &b->slots[k];
}

/* The count of key's mails this hour: from the outbox the first time in the batch. */
static struct batch_slot *batch_count(struct db *db, struct outbox_batch *b, const char *prefix, const char *value,
				      const char *sql, struct error *e)
{
	const char *key = arena_printf(b->a, "%s%s", prefix, value);
	struct batch_slot *s = key ? batch_slot(b, key) : NULL;
	if (!s) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return NULL;
	}
	if (s->used < 0 && (s->used = recent(db, sql, value, e)) < 0)
		return NULL;
	return s;
}

/* outbox_batch_count_receipts' statement: RECEIPT_CHUNK recipients, each with its receipts of the hour (?1: since
 * when), as sql_receipts below counts them one by one; "" fills the unused places. */
enum { RECEIPT_CHUNK = 32 };
#define RECEIPT_ROW     "(CAST(? AS TEXT))"
#define RECEIPT_ROWS_4  RECEIPT_ROW ", " RECEIPT_ROW ", " RECEIPT_ROW ", " RECEIPT_ROW
#define RECEIPT_ROWS_16 RECEIPT_ROWS_4 ", " RECEIPT_ROWS_4 ", " RECEIPT_ROWS_4 ", " RECEIPT_ROWS_4

/* Counts the asked slots' receipts, up to RECEIPT_CHUNK of them (n), in one statement. */
static int receipts_count(struct db *db, struct outbox_batch *b, const char *const *to, int n, struct error *e)
{
	static const char sql[] = "SELECT r.column1, (SELECT count(*) FROM outbox o WHERE o.recipient = r.column1 AND "
	                          "o.created_at > ? AND o.kind IN ('receipt', 'held')) FROM (VALUES " RECEIPT_ROWS_16
	                          ", " RECEIPT_ROWS_16 ") r";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, clock_now() - OUTBOX_LIMIT_WINDOW);
	for (int i = 0; i < RECEIPT_CHUNK; i++)
		db_bind_text(st, i + 2, i < n ? to[i] : "");
	enum db_step r;
	int rc = 0;
	while (rc == 0 && (r = db_step(st, e)) == DB_ROW) {
		const char *value = db_col_text(st, 0);
		if (!value || !*value)
			continue;
		const char *key = arena_printf(b->a, "r:%s", value);
		struct batch_slot *s = key ? batch_slot(b, key) : NULL;
		if (!s) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			rc = -1;
		} else {
			s->used = db_col_int(st, 1);
		}
	}
	db_reset(st);
	return rc == 0 && r == DB_FAIL ? -1 : rc;
}

int outbox_batch_count_receipts(struct db *db, struct outbox_batch *b, const char *const *to, int n, struct error *e)
{
	const char *ask[RECEIPT_CHUNK];
	int nask = 0;
	for (int i = 0; i < n; i++) {
		if (!to[i] || !*to[i])
			continue;
		const char *key = arena_printf(b->a, "r:%s", to[i]);
		struct batch_slot *s = key ? batch_slot(b, key) : NULL;
		if (!s) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		if (s->used != -1)
			continue; /* counted already, or asked in this chunk */
		s->used = -2;
		ask[nask++] = to[i];
		if (nask == RECEIPT_CHUNK) {
			if (receipts_count(db, b, ask, nask, e) != 0)
				return -1;
			nask = 0;
		}
	}
	return nask ? receipts_count(db, b, ask, nask, e) : 0;
}

int outbox_batch_insert(struct db *db, struct outbox_batch *b, const struct outbox_ready *m, struct error *e)
{
	static const char sql_receipts[] = "SELECT count(*) FROM outbox WHERE recipient = ? AND created_at > ? "
					   "AND kind IN ('receipt', 'held')";
	static const char sql_all[] = "SELECT count(*) FROM outbox WHERE recipient = ? AND created_at > ? AND kind IN "
				      LIMITED_KINDS;
	static const char sql_requester[] = "SELECT count(*) FROM outbox WHERE requester = ? AND created_at > ? AND "
					    "kind IN " LIMITED_KINDS;
	const int limit = recipient_limit(m->kind);
	if (!limit)
		return outbox_insert(db, m, e);
	/* receipts count apart from account mails, as outbox_allowed() counts them */
	struct batch_slot *to = batch_count(db, b, limit == OUTBOX_RECEIPTS_PER_RECIPIENT ? "r:" : "a:", m->to,
					    limit == OUTBOX_RECEIPTS_PER_RECIPIENT ? sql_receipts : sql_all, e);
	if (!to)
		return -1;
	struct batch_slot *by = NULL;
	if (m->requester && !(by = batch_count(db, b, "q:", m->requester, sql_requester, e)))
		return -1;
	if (to->used >= limit || (by && by->used >= OUTBOX_PER_REQUESTER)) {
		b->withheld++;
		b->withheld_kind = m->kind;
		b->withheld_requester = m->requester;
		return 0;
	}
	if (outbox_insert(db, m, e) != 0)
		return -1;
	to->used++;
	if (by)
		by->used++;
	return 1;
}

void outbox_batch_end(struct outbox_batch *b)
{
	if (b && b->withheld)
		log_withheld(b->withheld_kind, b->withheld_requester, b->withheld);
}

static int item_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct outbox_item *x = element;
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->recipient = db_col_dup(st, 1, a, &failed);
	x->message = db_col_dup(st, 2, a, &failed);
	x->message_id = db_col_dup(st, 3, a, &failed);
	x->attempts = (int)db_col_int(st, 4);
	x->boundary = db_col_null(st, 5) ? NULL : db_col_dup(st, 5, a, &failed);
	return failed ? -1 : 0;
}

int outbox_due(struct db *db, struct arena *a, int64_t now, int limit, struct outbox_item **out, int *n,
	       struct error *e)
{
	static const char sql[] = "SELECT id, recipient, message, message_id, attempts, boundary FROM outbox "
				  "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? "
				  "ORDER BY next_attempt_at, id LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, limit);
	return db_collect(st, a, (void **)out, n, sizeof **out, item_from_row, e);
}

int outbox_claim(struct db *db, struct arena *a, int64_t now, int64_t lease, const char *claimer, int limit,
		 struct outbox_item **out, int *n, struct error *e)
{
	*out = NULL;
	*n = 0;
	/* The due rows nobody holds (or whose holder's lease has ended) become the claimer's, in one write
	 * transaction: writers are serialized on both backends (BEGIN IMMEDIATE; PostgreSQL's writers' lock), so
	 * two claimers never read the same free row. The outer test of the lease is checked again on the row a
	 * concurrent writer may have changed (PostgreSQL re-reads it), so the claim holds even without that lock. */
	static const char sql_claim[] =
		"UPDATE outbox SET claimed_by = ?, claimed_until = ? "
		"WHERE (claimed_until IS NULL OR claimed_until <= ?) AND sent_at IS NULL AND failed_at IS NULL "
		"AND id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? "
		"AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_attempt_at, id LIMIT ?)";
	static const char sql_read[] = "SELECT id, recipient, message, message_id, attempts, boundary FROM outbox "
				       "WHERE claimed_by = ? AND sent_at IS NULL AND failed_at IS NULL "
				       "ORDER BY next_attempt_at, id";
	/* A look first, with no transaction: an idle sender looks every second, and on PostgreSQL a write
	 * transaction takes the writers' lock, which the contributions' writer should not wait for in vain. */
	static const char sql_any[] = "SELECT 1 FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL "
				      "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?) LIMIT 1";
	struct db_stmt *st = db_stmt(db, sql_any, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now);
	enum db_step any = db_step(st, e);
	db_reset(st);
	if (any != DB_ROW)
		return any == DB_DONE ? 0 : -1;
	if (db_begin(db, e) != 0)
		return -1;
	st = db_stmt(db, sql_claim, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, claimer);
	db_bind_int(st, 2, now + lease);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, limit);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	if (db_changes(db) == 0) {
		db_rollback(db); /* nothing due: no commit (and no fsync) for an idle look */
		return 0;
	}
	if (!(st = db_stmt(db, sql_read, e)))
		goto fail;
	db_bind_text(st, 1, claimer);
	if (db_collect(st, a, (void **)out, n, sizeof **out, item_from_row, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	*out = NULL;
	*n = 0;
	return -1;
}

/* One statement that changes claimer's unsent mails (claimer is its ?1, ints its ?2, ?3...), in a transaction
 * of its own: the number of mails changed, or -1. */
static int claim_change(struct db *db, const char *sql, const char *claimer, const int64_t *ints, int nints,
			struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, claimer);
	for (int i = 0; i < nints; i++)
		db_bind_int(st, 2 + i, ints[i]);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	int changed = db_changes(db);
	if (db_commit(db, e) != 0)
		goto fail;
	return changed;
fail:
	db_rollback(db);
	return -1;
}

int outbox_claim_renew(struct db *db, const char *claimer, int64_t now, int64_t lease, struct error *e)
{
	static const char sql[] = "UPDATE outbox SET claimed_until = ?2 WHERE claimed_by = ?1 AND claimed_until > ?3 "
				  "AND sent_at IS NULL AND failed_at IS NULL";
	const int64_t ints[] = {now + lease, now};
	return claim_change(db, sql, claimer, ints, 2, e);
}

int outbox_claim_release(struct db *db, const char *claimer, struct error *e)
{
	static const char sql[] = "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?1 "
				  "AND sent_at IS NULL AND failed_at IS NULL";
	return claim_change(db, sql, claimer, NULL, 0, e);
}

int outbox_mark_sent(struct db *db, int64_t id, int64_t now, struct error *e)
{
	static const char sql[] = "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, "
				  "claimed_by = NULL, claimed_until = NULL WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, id);
	return db_exec_stmt(st, e);
}

int outbox_mark_retry(struct db *db, int64_t id, int attempts, int64_t now, const char *why, struct error *e)
{
	static const char sql[] = "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL, "
				  "claimed_until = NULL WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, attempts + 1);
	db_bind_int(st, 2, now + outbox_backoff(attempts + 1));
	db_bind_text(st, 3, why);
	db_bind_int(st, 4, id);
	return db_exec_stmt(st, e);
}

int outbox_mark_failed(struct db *db, int64_t id, int64_t now, const char *why, struct error *e)
{
	static const char sql[] =
		"UPDATE outbox SET failed_at = ?, attempts = attempts + 1, last_error = ?, claimed_by = NULL, "
		"claimed_until = NULL WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, why);
	db_bind_int(st, 3, id);
	return db_exec_stmt(st, e);
}

/* -- the office's view ------------------------------------------------------- */

static const char *const STATE_NAMES[] = {
    [OUTBOX_QUEUED] = "queued", [OUTBOX_SENT] = "sent", [OUTBOX_FAILED] = "failed"};

const char *outbox_state_name(enum outbox_state s)
{
	return STATE_NAMES[s];
}

bool outbox_state_parse(const char *name, enum outbox_state *out)
{
	const int i = field_enum_index(STATE_NAMES, (int)(sizeof STATE_NAMES / sizeof *STATE_NAMES), name);
	if (i >= 0)
		*out = (enum outbox_state)i;
	return i >= 0;
}

/* The columns of an entry; the message is the last, read by outbox_find only. */
#define ENTRY_COLUMNS                                                                                                  \
	"SELECT id, created_at, kind, recipient, subject, language, attempts, next_attempt_at, sent_at, failed_at, "   \
	"last_error"

/* The WHERE of each state (kept in step with STATE_NAMES and outbox_due's "due"), and of every mail. */
#define WHERE_QUEUED "sent_at IS NULL AND failed_at IS NULL"
#define WHERE_SENT   "sent_at IS NOT NULL"
#define WHERE_FAILED "failed_at IS NOT NULL AND sent_at IS NULL"
#define WHERE_ALL    "1 = 1"
#define LIST_SQL(where)                                                                                                \
	{                                                                                                              \
		"SELECT count(*) FROM outbox WHERE " where,                                                            \
		    ENTRY_COLUMNS " FROM outbox WHERE " where " ORDER BY id DESC LIMIT ? OFFSET ?"                     \
	}

static int entry_fill(struct arena *a, struct db_stmt *st, struct outbox_entry *x)
{
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->created_at = db_col_int(st, 1);
	x->kind = db_col_dup(st, 2, a, &failed);
	x->recipient = db_col_dup(st, 3, a, &failed);
	x->subject = db_col_null(st, 4) ? NULL : db_col_dup(st, 4, a, &failed);
	x->language = db_col_null(st, 5) ? NULL : db_col_dup(st, 5, a, &failed);
	x->attempts = (int)db_col_int(st, 6);
	x->next_attempt_at = db_col_int(st, 7);
	const bool sent = !db_col_null(st, 8), gave_up = !db_col_null(st, 9);
	x->state = sent ? OUTBOX_SENT : gave_up ? OUTBOX_FAILED : OUTBOX_QUEUED;
	x->done_at = sent ? db_col_int(st, 8) : gave_up ? db_col_int(st, 9) : 0;
	x->last_error = db_col_null(st, 10) ? NULL : db_col_dup(st, 10, a, &failed);
	x->message = NULL;
	return failed ? -1 : 0;
}

static int entry_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	return entry_fill(a, st, element);
}

int outbox_list(struct db *db, struct arena *a, const enum outbox_state *state, int offset, int limit,
                struct outbox_entry **out, int *n, int64_t *total, struct error *e)
{
	/* a count and a page per state, and for every mail (the last) */
	static const char *const sqls[][2] = {
	    [OUTBOX_QUEUED] = LIST_SQL(WHERE_QUEUED),
	    [OUTBOX_SENT] = LIST_SQL(WHERE_SENT),
	    [OUTBOX_FAILED] = LIST_SQL(WHERE_FAILED),
	    [OUTBOX_FAILED + 1] = LIST_SQL(WHERE_ALL),
	};
	const char *sql_count = sqls[state ? *state : OUTBOX_FAILED + 1][0];
	const char *sql = sqls[state ? *state : OUTBOX_FAILED + 1][1];
	struct db_stmt *st = db_stmt(db, sql_count, e);
	if (!st)
		return -1;
	enum db_step r = db_step(st, e);
	*total = r == DB_ROW ? db_col_int(st, 0) : 0;
	db_reset(st);
	if (r != DB_ROW)
		return -1;
	if (!(st = db_stmt(db, sql, e)))
		return -1;
	db_bind_int(st, 1, limit);
	db_bind_int(st, 2, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, entry_from_row, e);
}

int outbox_find(struct db *db, struct arena *a, int64_t id, struct outbox_entry *out, struct error *e)
{
	static const char sql[] = ENTRY_COLUMNS ", message FROM outbox WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	enum db_step r = db_step(st, e);
	int rc = -1;
	if (r == DB_ROW) {
		bool failed = false;
		rc = entry_fill(a, st, out);
		out->message = db_col_dup(st, 11, a, &failed);
		if (rc != 0 || failed) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			rc = -1;
		}
	} else if (r == DB_DONE) {
		error_set(e, ERROR_NOT_FOUND, "%s", _("There is no such mail in the outbox."));
	}
	db_reset(st);
	return rc;
}

int outbox_retry(struct db *db, const struct actor *who, int64_t id, struct error *e)
{
	/* Not a mail a sender holds now: it may be in the middle of its exchange, and made free it could be sent
	 * twice. A failed mail is held by nobody (marking it ended its claim). */
	static const char sql[] = "UPDATE outbox SET failed_at = NULL, next_attempt_at = ? WHERE id = ? AND sent_at IS "
	                          "NULL AND (claimed_until IS NULL OR claimed_until <= ?)";
	struct arena a;
	arena_init(&a);
	struct outbox_entry x;
	if (db_begin(db, e) != 0) {
		arena_free(&a);
		return -1;
	}
	if (outbox_find(db, &a, id, &x, e) != 0)
		goto fail;
	if (x.state == OUTBOX_SENT) {
		error_set(e, ERROR_CONFLICT, "%s", _("This mail was sent already: it cannot be sent again."));
		goto fail;
	}
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	const int64_t now = clock_wall();
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, now);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	if (db_changes(db) == 0) {
		error_set(e, ERROR_CONFLICT, "%s", _("This mail is being sent right now: look again in a minute."));
		goto fail;
	}
	const char *object = arena_printf(&a, "outbox:%lld", (long long)id);
	const char *before =
	    arena_printf(&a, "{\"state\":\"%s\",\"attempts\":%d}", outbox_state_name(x.state), x.attempts);
	if (!object || !before ||
	    audit_record(db, who, 0, "outbox.retry", object, before, "{\"state\":\"queued\"}", e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	log_event("mail.retry", "outbox=%lld by=%lld", (long long)id, (long long)who->account_id);
	arena_free(&a);
	return 0;
fail:
	db_rollback(db);
	arena_free(&a);
	return -1;
}
