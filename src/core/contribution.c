/* contribution — see contribution.h. */
#include "core/contribution.h"

#include "core/account.h"
#include "core/blob.h"
#include "core/campaign.h"
#include "core/call.h"
#include "core/comment.h"
#include "core/country.h"
#include "core/language.h"
#include "core/deadline.h"
#include "core/document.h"
#include "core/field.h"
#include "core/ledger.h"
#include "core/config.h"
#include "core/limits.h"
#include "core/outbox.h"
#include "core/paragraph.h"
#include "core/process.h"
#include "core/receipt.h"
#include "core/search.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/tz.h"
#include "util/utf8.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { TRACKING_ATTEMPTS = 8 };

/* -- the names of the states: one table each ---------------------------- */

static const char *const STATE_NAMES[] = {
	[CONTRIBUTION_PENDING] = "pending",
	[CONTRIBUTION_PUBLISHED] = "published",
	[CONTRIBUTION_HIDDEN] = "hidden",
	[CONTRIBUTION_SPAM] = "spam",
};
static const char *const PUBLICATION_NAMES[] = {
	[PUBLICATION_NAMED] = "named",
	[PUBLICATION_ANONYMOUS] = "anonymous",
	[PUBLICATION_PRIVATE] = "private",
};
static const char *const CHANNEL_NAMES[] = {
	[CHANNEL_WEB] = "web",
	[CHANNEL_API] = "api",
	[CHANNEL_EMAIL] = "email",
};
static const char *const VERIFICATION_NAMES[] = {
	[SENDER_NONE] = "none",
	[SENDER_PASS] = "pass",
	[SENDER_FAIL] = "fail",
};
static const char *const ACTION_NAMES[] = {
	[MODERATION_PUBLISH] = "publish",
	[MODERATION_HIDE] = "hide",
	[MODERATION_SPAM] = "spam",
};
#define COUNT(t) ((int)(sizeof t / sizeof *t))

const char *contribution_state_name(enum contribution_state s)
{
	return STATE_NAMES[s];
}

bool contribution_state_parse(const char *name, enum contribution_state *out)
{
	const int i = field_enum_index(STATE_NAMES, COUNT(STATE_NAMES), name);
	if (i >= 0)
		*out = (enum contribution_state)i;
	return i >= 0;
}

const char *contribution_publication_name(enum contribution_publication p)
{
	return PUBLICATION_NAMES[p];
}

bool contribution_publication_parse(const char *name, enum contribution_publication *out)
{
	const int i = field_enum_index(PUBLICATION_NAMES, COUNT(PUBLICATION_NAMES), name);
	if (i >= 0)
		*out = (enum contribution_publication)i;
	return i >= 0;
}

const char *contribution_channel_name(enum contribution_channel c)
{
	return CHANNEL_NAMES[c];
}

bool contribution_channel_parse(const char *name, enum contribution_channel *out)
{
	const int i = field_enum_index(CHANNEL_NAMES, COUNT(CHANNEL_NAMES), name);
	if (i >= 0)
		*out = (enum contribution_channel)i;
	return i >= 0;
}

const char *sender_verification_name(enum sender_verification v)
{
	return VERIFICATION_NAMES[v];
}

bool sender_verification_parse(const char *name, enum sender_verification *out)
{
	const int i = field_enum_index(VERIFICATION_NAMES, COUNT(VERIFICATION_NAMES), name);
	if (i >= 0)
		*out = (enum sender_verification)i;
	return i >= 0;
}

const char *moderation_action_name(enum moderation_action m)
{
	return ACTION_NAMES[m];
}

bool moderation_action_parse(const char *name, enum moderation_action *out)
{
	const int i = field_enum_index(ACTION_NAMES, COUNT(ACTION_NAMES), name);
	if (i >= 0)
		*out = (enum moderation_action)i;
	return i >= 0;
}

enum contribution_state moderation_action_state(enum moderation_action m)
{
	switch (m) {
	case MODERATION_PUBLISH: return CONTRIBUTION_PUBLISHED;
	case MODERATION_HIDE: return CONTRIBUTION_HIDDEN;
	case MODERATION_SPAM: return CONTRIBUTION_SPAM;
	}
	return CONTRIBUTION_SPAM;
}

bool contribution_email_valid(const char *email)
{
	return field_email_valid(email);
}

/* The language it is written in: the one declared, made canonical, or else the one its text (its covering letter,
 * else its first comments) shows. */
static void contribution_language(struct arena *a, const struct contribution_input *in,
				  struct contribution_input *clean, struct error *e)
{
	char tag[LANGUAGE_TAG_LEN] = "";
	const char *declared = field_trimmed(a, in->language);
	if (declared && *declared) {
		if (!language_tag_normalize(declared, tag))
			error_field(e, "language", _("Use a language code such as fr, en or zh."));
	} else {
		const char *text = clean->text && *clean->text ? clean->text : NULL;
		for (int i = 0; !text && i < clean->ncomments && clean->comments; i++)
			if (clean->comments[i].comment && *clean->comments[i].comment)
				text = clean->comments[i].comment;
		if (text)
			language_detect(text, strlen(text), tag);
	}
	clean->language = arena_strdup(a, tag);
	if (!clean->language)
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
}

/* Each comment's language (comments: clean's, writable): its contribution's, declared or recognised once. Not
 * recognised comment by comment: CLD2 takes 6-65 us of CPU a text (release build, 50-byte to 1 KB texts;
 * bench/langid.sh), which a contribution of 400 comments would pay 400 times, and a comment of a few words is
 * too short to tell. */
static void comments_language(const char *language, struct comment_input *comments, int n)
{
	for (int i = 0; i < n; i++)
		comments[i].language = language ? language : "";
}

void contribution_validate(struct arena *a, const struct contribution_input *in, struct contribution_input *clean,
			   struct error *e)
{
	clean->name = field_trimmed(a, in->name);
	clean->organization = field_trimmed(a, in->organization);
	clean->category = field_trimmed(a, in->category);
	clean->email = field_trimmed(a, in->email);
	clean->publication = field_trimmed(a, in->publication);
	clean->channel = in->channel;
	clean->account_id = in->account_id;
	clean->requester = in->requester;
	clean->mail = in->mail;
	clean->table_report = in->table_report;
	clean->idempotency_key = in->idempotency_key;
	clean->idempotency_body = in->idempotency_body;
	clean->text = in->text;
	clean->attachments = in->attachments;
	clean->nattachments = in->attachments ? in->nattachments : 0;
	/* Its comments, trimmed (contribution_receive checks them against the call's version). */
	clean->ncomments = in->comments && in->ncomments > 0 ? in->ncomments : 0;
	clean->comments = NULL;
	struct comment_input *c = NULL;
	if (clean->ncomments > 0) {
		c = arena_alloc(a, sizeof *c * (size_t)clean->ncomments);
		for (int i = 0; c && i < clean->ncomments; i++) {
			c[i] = in->comments[i];
			c[i].paragraph = field_trimmed(a, in->comments[i].paragraph);
			c[i].type = field_trimmed(a, in->comments[i].type);
			c[i].comment = field_trimmed(a, in->comments[i].comment);
			c[i].proposed_change = field_trimmed(a, in->comments[i].proposed_change);
		}
		if (!c)
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
		clean->comments = c;
	}
	/* A message says nothing of category or country, and may be only its attachments. With comments, the
	 * text is their covering letter, and may be left empty: the comments are the contribution. */
	const bool mail = in->mail != NULL;
	const int nfiles = mail ? in->mail->nattachments : clean->nattachments;
	const bool text_required = nfiles == 0 && clean->ncomments == 0;
	if (!text_required && (!clean->text || !*field_trimmed(a, clean->text)))
		clean->text = "";
	const char *country = field_trimmed(a, in->country);
	if (country && strlen(country) == 2) {
		char *up = arena_strdup(a, country);
		for (char *p = up; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		country = up;
	}
	clean->country = country;

	field_check_name(e, "name", clean->name, true, LIMIT_NAME, N_("your name"));
	field_check_name(e, "organization", clean->organization, false, LIMIT_ORGANIZATION, N_("your organization"));
	if ((!clean->category || !*clean->category) && !mail)
		error_field(e, "category", _("Choose the category of stakeholder you belong to."));
	if ((!clean->country || !*clean->country) && mail)
		clean->country = "";
	else if (!clean->country || !*clean->country)
		error_field(e, "country", _("Choose your country."));
	else if (!country_name(clean->country))
		error_field(e, "country", _("Use a two-letter ISO 3166-1 country code, such as CH or KE."));
	if (!clean->email || !*clean->email)
		error_field(e, "email", _("Enter your e-mail address, so that the secretariat can reach you."));
	else if (!contribution_email_valid(clean->email))
		error_field(e, "email", _("This does not look like an e-mail address (name@example.org)."));
	field_check_text(e, "text", clean->text, text_required, LIMIT_TEXT, N_("your contribution"));
	if (mail)
		field_check_line(e, "subject", in->mail->subject, false, LIMIT_MAIL_SUBJECT, N_("a subject"));
	if (!clean->publication || !*clean->publication)
		error_field(e, "publication",
		            _("Choose whether your contribution is published with your name, "
		              "anonymously, or sent to the secretariat only."));
	else if (!contribution_publication_parse(clean->publication, &(enum contribution_publication){0}))
		error_field(e, "publication", _("Choose how your contribution is published: with your name, without it, or not at all."));
	contribution_language(a, in, clean, e);
	if (c)
		comments_language(clean->language, c, clean->ncomments);
}

/* Inserts the contribution under out->tracking (drawn by the caller): 1, 0 when that tracking number or its
 * idempotency key (migration 047) is taken (nothing inserted), -1 with e. Either taken inserts nothing (and
 * returns no id) rather than failing: on PostgreSQL a failed statement would abort the whole transaction, and the next draw with it.
 * id NULL: the id is not wanted, and the insert has no RETURNING (SQLite runs RETURNING through a temporary
 * table, opened and freed at each insert: a third of the writer's time before). */
static int contribution_insert_as(struct db *db, int64_t call_id, int64_t category_id,
				  const struct contribution_input *c, enum contribution_state state, int64_t now,
				  struct receipt *out, int64_t *id, struct error *e)
{
#define INSERT_CONTRIBUTION                                                                                    \
	"INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "     \
	"email, text, publication, received_at, account_id, state, language, comment_types, idempotency_key, "  \
	"idempotency_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
	static const char sql_id[] = INSERT_CONTRIBUTION " RETURNING id";
	static const char sql[] = INSERT_CONTRIBUTION;
#undef INSERT_CONTRIBUTION
	struct db_stmt *st = db_stmt(db, id ? sql_id : sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, out->tracking);
	db_bind_int(st, 2, call_id);
	db_bind_text(st, 3, contribution_channel_name(c->channel));
	db_bind_text(st, 4, c->name);
	db_bind_text(st, 5, c->organization ? c->organization : "");
	db_bind_int(st, 6, category_id);
	db_bind_text(st, 7, c->country);
	db_bind_text(st, 8, c->email);
	db_bind_text(st, 9, c->text);
	db_bind_text(st, 10, c->publication); /* checked by contribution_validate() */
	db_bind_int(st, 11, now);
	if (c->account_id)
		db_bind_int(st, 12, c->account_id);
	else
		db_bind_null(st, 12);
	db_bind_text(st, 13, contribution_state_name(state));
	db_bind_text(st, 14, c->language ? c->language : "");
	/* the types of its comments (stored just after it, in this transaction) as migration 041's bits, so that
	 * the comment triggers find them there and change nothing */
	int64_t types = 0;
	for (int i = 0; i < c->ncomments; i++) {
		enum comment_type t = COMMENT_GENERAL;
		if (c->comments[i].type && *c->comments[i].type)
			comment_type_parse(c->comments[i].type, &t); /* checked by comment_validate() */
		types |= COMMENT_TYPE_BIT(t);
	}
	db_bind_int(st, 15, types);
	db_bind_text(st, 16, c->idempotency_key); /* NULL: sent without a key */
	db_bind_text(st, 17, c->idempotency_key ? c->idempotency_body : NULL);
	enum db_step r = db_step(st, e);
	if (r == DB_ROW)
		*id = db_col_int(st, 0);
	db_reset(st);
	if (r == DB_FAIL)
		return -1;
	if (r == DB_ROW || (!id && db_changes(db) == 1)) {
		out->received_at = now;
		out->call_id = call_id;
		return 1;
	}
	return 0;
}

static int contribution_insert(struct db *db, int64_t call_id, int64_t category_id,
			       const struct contribution_input *c, enum contribution_state state, int64_t now,
			       struct receipt *out, int64_t *id, struct error *e)
{
	for (int attempt = 0; attempt < TRACKING_ATTEMPTS; attempt++) {
		if (tracking_new(out->tracking) != 0) {
			error_set(e, ERROR_UNAVAILABLE, _("No randomness is available for a tracking number."));
			return -1;
		}
		const int got = contribution_insert_as(db, call_id, category_id, c, state, now, out, id, e);
		if (got != 0)
			return got < 0 ? -1 : 0;
		/* taken: the rare clash of two random numbers: draw again */
	}
	error_set(e, ERROR_UNAVAILABLE, _("No free tracking number was found; try again."));
	return -1;
}

/* One batch of the group commit's own state, freed with it (see writer_commit below); NULL outside it. */
struct writer_call;
struct writer_batch {
	struct arena a;
	struct outbox_batch *limits;
	struct ledger_batch *ledger; /* the batch's leaves, written by one tree update before the commit */
	struct search_batch *search; /* its rows of the full-text index, indexed once before the commit */
	struct writer_call *calls;
	int ncalls, cap;
};

/* What follows every contribution just stored, in its transaction, on every path that stores one: its entry in
 * the search index (public at once: findable from this commit on; core/search.h) and its leaf of the
 * tamper-evident record (core/ledger.h), both once per batch under the group commit. whole: it may have
 * comments or files. out->leaf_index is its leaf's (leaf_known). ready: the leaf of a prepared one (neither
 * comments nor files), made on its requester's thread from what the writer inserts (contribution_prepare)
 * rather than read back, or NULL. */
static int contribution_recorded(struct db *db, struct writer_batch *wb, int64_t id, int64_t received_at,
				 bool whole, const struct ledger_leaf_ready *ready, struct receipt *out,
				 struct error *e)
{
	if (search_contribution_added(db, wb ? wb->search : NULL, id, received_at, whole, e) != 0)
		return -1;
#ifdef CONSULTA_BENCH_NO_LEDGER
	/* A bench variant only (bench/write-path.sh's "without the record"): no leaf; never in a real build. */
	(void)ready;
	out->leaf_known = true;
	out->leaf_index = 0;
	out->leaf_size = 1;
	return 0;
#else
	if (wb && ready ? ledger_batch_add_ready(db, wb->ledger, id, ready, &out->leaf_index, e) != 0
	    : wb	    ? ledger_batch_add(db, wb->ledger, LEDGER_CONTRIBUTION, id, &out->leaf_index, e) != 0
			    : ledger_append(db, LEDGER_CONTRIBUTION, id, &out->leaf_index, e) != 0)
		return -1;
	out->leaf_known = true;
	out->leaf_size = out->leaf_index + 1;
	return 0;
#endif
}

/* The id of the contribution just inserted under `tracking` (the writer's insert has no RETURNING). */
static int contribution_id_of(struct db *db, const char *tracking, int64_t *id, struct error *e)
{
	static const char sql[] = "SELECT id FROM contribution WHERE tracking = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, tracking);
	enum db_step r = db_step(st, e);
	if (r == DB_ROW)
		*id = db_col_int(st, 0);
	db_reset(st);
	if (r == DB_ROW)
		return 0;
	if (r == DB_DONE)
		error_set(e, ERROR_UNAVAILABLE, "The contribution just stored cannot be read back.");
	return -1;
}

/* Keeps what was understood of the contribution's comment table, for its receipt page. */
static int contribution_store_table_report(struct db *db, int64_t id, const char *report, struct error *e)
{
	static const char sql[] = "INSERT INTO contribution_table_report (contribution_id, report) VALUES (?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, report);
	return db_exec_stmt(st, e);
}

static int report_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int contribution_table_report(struct db *db, struct arena *a, const struct contribution *c, const char **report,
			      struct error *e)
{
	static const char sql[] = "SELECT report FROM contribution_table_report WHERE contribution_id = ?";
	*report = NULL;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, c->id);
	struct error none;
	error_clear(&none);
	if (db_collect_one(st, a, report, report_from_row, "none", &none) == 0)
		return 0;
	if (none.code && strcmp(none.code, ERROR_NOT_FOUND)) {
		*e = none;
		return -1;
	}
	*report = NULL;
	return 0;
}

/* Queues mail inside the caller's transaction: through the group commit's batch of limits when there is
 * one (core/outbox.h), else alone. */
static int contribution_queue_mail(struct db *db, struct arena *a, struct outbox_batch *batch,
				   const struct outbox_mail *mail, struct error *e)
{
	if (!batch)
		return outbox_enqueue(db, mail, e);
	struct outbox_ready ready;
	if (outbox_compose(a, mail, &ready, e) != 0)
		return -1;
	return outbox_batch_insert(db, batch, &ready, e) < 0 ? -1 : 0;
}

/* The last lines of a receipt mail, after its facts. */
static const char *contribution_receipt_closing(struct arena *a)
{
	return arena_printf(a, "\n%s\n",
			    _("Please quote the tracking number if you write to the secretariat about this contribution."));
}

/* The receipt by mail to the address typed on a form or sent to the API; facts is receipt_text()'s, and closing
 * contribution_receipt_closing() or "" (the group commit's writer adds it, with the leaf's paragraph before it:
 * outbox_compose_open). 0, or -1 when memory runs out. */
static int contribution_receipt_mail_of(struct arena *a, const struct call *call, const struct contribution_input *c,
					const char *facts, const char *closing, const struct receipt *r,
					struct outbox_mail *mail, struct error *e)
{
	/* The name greets only as outbox_greeting() allows: the address was typed by whoever sent the form, so
	 * the name must not carry words to someone who never wrote to us. The call and the tracking number are
	 * our words. */
	const char *body = closing ? arena_printf(a, "%s\n\n%s\n\n%s%s", outbox_greeting(a, c->name),
	                                          arena_printf(a,
	                                                       _("A contribution to the call \"%s\" was sent with this "
	                                                         "e-mail address and has been received."),
	                                                       call->title),
	                                          facts, closing)
	                           : NULL;
	const char *subject = arena_printf(a, _("Contribution received: %s"), r->tracking);
	if (!body || !subject) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*mail = (struct outbox_mail){.kind = "receipt",
	                             .to = c->email,
	                             .subject = subject,
	                             .body = body,
	                             .requester = c->requester,
	                             .translated = true};
	return 0;
}

/* The receipt by mail, queued in the same transaction as the contribution. */
static int contribution_receipt_mail(struct db *db, struct arena *a, struct outbox_batch *batch,
				     const struct call *call, const struct contribution_input *c, const char *facts,
				     const struct receipt *r, struct error *e)
{
	struct outbox_mail mail;
	if (contribution_receipt_mail_of(a, call, c, facts, contribution_receipt_closing(a), r, &mail, e) != 0)
		return -1;
	return contribution_queue_mail(db, a, batch, &mail, e);
}

/* The receipt of a contribution by e-mail: an answer to the message itself
 * (In-Reply-To, References), which says whether it came late. */
static int contribution_receipt_reply(struct db *db, struct arena *a, struct outbox_batch *batch,
				      const struct call *call, const struct contribution_input *c, const char *facts,
				      const struct receipt *r, struct error *e)
{
	const struct contribution_mail *m = c->mail;
	char deadline[I18N_DATE_LEN];
	i18n_instant_long(NULL, call->timezone, call->closes_at, deadline);
	const char *late =
	    r->late ? arena_printf(a,
	                           _("Your message arrived after the deadline of this call (%s). It is recorded and "
	                             "marked late; the secretariat decides whether it is taken into account, and will "
	                             "let you know.\n\n"),
	                           deadline)
	            : "";
	const char *body = arena_printf(
	    a, "%s\n\n%s\n\n%s%s\n%s%s%s%s\n", outbox_greeting(a, c->name),
	    m->subject && *m->subject
	        ? arena_printf(a, _("Your message \"%1$s\" has been recorded as a contribution to the call \"%2$s\"."),
	                       m->subject, call->title)
	        : arena_printf(a, _("Your message has been recorded as a contribution to the call \"%s\"."),
	                       call->title),
	    late, facts, c->table_report ? _("Your comment table, row by row:\n") : "",
	    c->table_report ? c->table_report : "", c->table_report ? "\n" : "",
	    _("Please quote the tracking number if you write to the secretariat about this contribution."));
	const char *subject = arena_printf(
	    a, r->late ? _("Contribution received after the deadline: %s") : _("Contribution received: %s"),
	    r->tracking);
	if (!body || !subject) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	struct outbox_mail mail = {.kind = "receipt",
	                           .to = c->email,
	                           .translated = true,
	                           .subject = subject,
	                           .body = body,
	                           .in_reply_to = m->message_id,
	                           .references = m->references};
	return contribution_queue_mail(db, a, batch, &mail, e);
}

/* The e-mail channel's part of a new contribution: its columns, the message kept whole, its attachments. */
static int contribution_store_mail(struct db *db, int64_t id, const struct contribution_mail *m, bool late,
				   struct error *e)
{
	static const char sql[] = "UPDATE contribution SET sender = ?, sender_verification = ?, authentication = ?, "
				  "subject = ?, message_id = ?, late = ?, raw_sha256 = ?, message_sha256 = ? WHERE id = ?";
	char raw[BLOB_NAME_LEN + 1];
	if (blob_put(db, m->raw ? m->raw : "", m->raw ? m->raw_len : 0, raw, e) != 0)
		return -1;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, m->sender);
	db_bind_text(st, 2, sender_verification_name(m->verification));
	db_bind_text(st, 3, m->authentication);
	db_bind_text(st, 4, m->subject);
	db_bind_text(st, 5, m->message_id);
	db_bind_int(st, 6, late);
	db_bind_text(st, 7, raw);
	db_bind_text(st, 8, m->message_sha256);
	db_bind_int(st, 9, id);
	return db_exec_stmt(st, e);
}

/* The files of a new contribution, whichever way they came, each with its scan state: a message's are held
 * for scanning (mail/extract.c does not scan), the web's and the API's as attachment_accept() found them. */
static int contribution_store_files(struct db *db, int64_t id, const struct contribution_attachment *files, int n,
				    struct error *e)
{
	static const char sql_file[] = "INSERT INTO attachment (contribution_id, position, name, size, declared_type, "
				       "type, sha256, text, scan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	for (int i = 0; i < n; i++) {
		const struct contribution_attachment *f = &files[i];
		char name[BLOB_NAME_LEN + 1];
		if (blob_put(db, f->data ? f->data : "", f->data ? f->size : 0, name, e) != 0 ||
		    !(st = db_stmt(db, sql_file, e)))
			return -1;
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, i + 1);
		db_bind_text(st, 3, f->name ? f->name : "");
		db_bind_int(st, 4, (int64_t)f->size);
		db_bind_text(st, 5, f->declared_type ? f->declared_type : "application/octet-stream");
		db_bind_text(st, 6, f->type ? f->type : "application/octet-stream");
		db_bind_text(st, 7, name);
		db_bind_text(st, 8, f->text);
		db_bind_text(st, 9, attachment_scan_name(f->scan));
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return 0;
}

/* The receipt of a contribution sent again (a message delivered again, a key sent again): the first one's,
 * nothing stored. */
static void receipt_again(struct receipt *out, const char *tracking, int64_t call_id, int64_t received_at, bool late)
{
	snprintf(out->tracking, sizeof out->tracking, "%s", tracking ? tracking : "");
	out->call_id = call_id;
	out->received_at = received_at;
	out->late = late;
	out->duplicate = true;
}

/* Whether a contribution was stored under in's idempotency key for this call (migration 047): 1 and *out
 * filled with its receipt (out->duplicate) when it was, with the same body; 0 when none was; -1 with
 * ERROR_CONFLICT when the key was used for another body (or with another code on a store error). Read before
 * queueing (most repeats come after the first is stored) and again inside the write transaction, where the
 * write lock makes the answer final. */
static int contribution_find_key(struct db *db, int64_t call_id, const struct contribution_input *in,
				 struct receipt *out, struct error *e)
{
	static const char sql[] = "SELECT tracking, received_at, late, idempotency_body FROM contribution "
				  "WHERE call_id = ? AND idempotency_key = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_text(st, 2, in->idempotency_key);
	enum db_step r = db_step(st, e);
	int found = 0;
	if (r == DB_ROW) {
		const char *t = db_col_text(st, 0), *body = db_col_text(st, 3);
		if (!body || !in->idempotency_body || strcmp(body, in->idempotency_body) != 0) {
			error_set(e, ERROR_CONFLICT,
			          _("This idempotency key was already used for another contribution (%s), with other "
			            "content; nothing was stored. Use a new key for a new contribution."),
			          t ? t : "");
			found = -1;
		} else {
			receipt_again(out, t, call_id, db_col_int(st, 1), db_col_int(st, 2) != 0);
			found = 1;
		}
	}
	db_reset(st);
	if (found == 0 && r == DB_FAIL)
		return -1;
	return found;
}

/* The fingerprint of what was sent (every field as it arrived, its comments, its files' bytes), for a key sent
 * again: SHA-256 of length-prefixed fields, so that no two different sends give the same bytes. A field missing
 * and a field empty are the same (a form leaves out what a client sends empty). */
static void fingerprint_bytes(crypto_hash_sha256_state *h, const void *p, size_t n)
{
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_hash_sha256_update(h, len, sizeof len);
	if (n)
		crypto_hash_sha256_update(h, p, n);
}

static void fingerprint_text(crypto_hash_sha256_state *h, const char *s)
{
	fingerprint_bytes(h, s ? s : "", s ? strlen(s) : 0);
}

static void hex_of(const unsigned char d[crypto_hash_sha256_BYTES], char out[65])
{
	sodium_bin2hex(out, 65, d, crypto_hash_sha256_BYTES);
}

int contribution_idempotency(struct arena *a, struct contribution_input *in, const char *scope, const char *key)
{
	char *key_hex = arena_alloc(a, 65), *body_hex = arena_alloc(a, 65);
	if (!key_hex || !body_hex)
		return -1;
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	fingerprint_text(&h, scope);
	fingerprint_text(&h, key);
	crypto_hash_sha256_final(&h, d);
	hex_of(d, key_hex);
	crypto_hash_sha256_init(&h);
	const char *const fields[] = {in->name,  in->organization, in->category, in->country, in->email,
				      in->text,  in->publication,  in->language, in->table_report};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		fingerprint_text(&h, fields[i]);
	const int ncomments = in->comments ? in->ncomments : 0, nfiles = in->attachments ? in->nattachments : 0;
	fingerprint_bytes(&h, "", (size_t)ncomments);
	for (int i = 0; i < ncomments; i++) {
		fingerprint_text(&h, in->comments[i].paragraph);
		fingerprint_text(&h, in->comments[i].type);
		fingerprint_text(&h, in->comments[i].comment);
		fingerprint_text(&h, in->comments[i].proposed_change);
	}
	fingerprint_bytes(&h, "", (size_t)nfiles);
	for (int i = 0; i < nfiles; i++) {
		fingerprint_text(&h, in->attachments[i].name);
		fingerprint_bytes(&h, in->attachments[i].data, in->attachments[i].data ? in->attachments[i].size : 0);
	}
	crypto_hash_sha256_final(&h, d);
	hex_of(d, body_hex);
	in->idempotency_key = key_hex;
	in->idempotency_body = body_hex;
	return 0;
}

/* Whether a message with a Message-ID seen before is a second delivery of the same message, inside the write
 * transaction. A Message-ID is only a claim: the message is the same one when the sender and the content (the
 * message without its trace fields) are the same too. The same message for another call is that call's own
 * contribution (one message to two calls). 1 and *out filled: delivered again for this call; 0: new for this
 * call; -1 with ERROR_CONFLICT and the reason in words: the Message-ID was used by another message; -1 with
 * another code on a store error. */
static int contribution_find_message(struct db *db, int64_t call_id, const struct contribution_mail *m,
				     struct receipt *out, struct error *e)
{
	static const char sql[] = "SELECT tracking, call_id, received_at, late, sender, message_sha256 FROM "
				  "contribution WHERE message_id = ? ORDER BY id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, m->message_id);
	enum db_step r = DB_DONE;
	int found = 0;
	while (found == 0 && (r = db_step(st, e)) == DB_ROW) {
		const char *sender = db_col_text(st, 4), *sha = db_col_text(st, 5);
		const bool same_call = db_col_int(st, 1) == call_id;
		const bool same_sender = sender && m->sender && !strcasecmp(sender, m->sender);
		/* a contribution stored before migration 005 has no hash: its Message-ID and sender decide */
		const bool same_content = !sha || (m->message_sha256 && !strcmp(sha, m->message_sha256));
		if (!same_sender || !same_content) {
			if (same_call)
				error_set(
				    e, ERROR_CONFLICT, "%s",
				    !same_sender
				        ? _("A message with this Message-ID was already received from another sender.")
				        : _("A message with this Message-ID was already received with other content."));
			else
				error_set(e, ERROR_CONFLICT, "%s",
				          !same_sender ? _("A message with this Message-ID was already received for "
				                           "another call, from "
				                           "another sender.")
				                       : _("A message with this Message-ID was already received for "
				                           "another call, with "
				                           "other content."));
			found = -1;
		} else if (same_call) {
			receipt_again(out, db_col_text(st, 0), db_col_int(st, 1), db_col_int(st, 2), db_col_int(st, 3) != 0);
			found = 1;
		}
	}
	db_reset(st);
	if (found == 0 && r == DB_FAIL)
		return -1;
	return found;
}

/* What a contribution is checked against: its call and process as they are now, and the category it files
 * under. */
struct contribution_target {
	struct call call;
	struct process process;
	const struct category *category;
	struct paragraph *paragraphs;
	int nparagraphs;
};

/* Whether call takes a contribution received at now: 0 (out->late set for a message after the deadline), or
 * -1 with e. */
static int contribution_open_at(struct arena *a, const struct call *call, int64_t now, bool mail,
				struct receipt *out, struct error *e)
{
	switch (call_state_at(call, now)) {
	case CALL_UPCOMING:
		error_set(e, ERROR_CALL_NOT_OPEN, _("This call for contributions is not open yet."));
		return -1;
	case CALL_CLOSED:
		/* A message cannot be shown a "closed" page: it is recorded, late, and the secretariat decides. */
		if (mail) {
			out->late = true;
			break;
		}
		struct deadline closed;
		error_set(e, ERROR_CALL_CLOSED,
		          _("This call for contributions closed on %s; contributions are no "
		            "longer accepted."),
		          deadline_describe(a, call, now, &closed) == 0 ? closed.when : "its deadline");
		return -1;
	case CALL_OPEN: break;
	}
	return 0;
}

/* The slugs of a process's categories, "a, b, c", for the error that names one it does not have: what a sender
 * may write instead (an API client sends the slug). "…" when they cannot be read. */
static const char *category_slugs(struct db *db, struct arena *a, int64_t process_id)
{
	struct process p;
	struct error pe;
	error_clear(&pe);
	if (process_find_id(db, a, process_id, &p, &pe) != 0 || p.ncategories == 0)
		return "\u2026";
	const char *out = "";
	for (int i = 0; i < p.ncategories && out; i++)
		out = arena_printf(a, "%s%s%s", out, i ? ", " : "", p.categories[i].slug);
	return out ? out : "\u2026";
}

/* Checks a contribution received at `now` against its call: open at that instant (or late, for a message), its
 * fields, its category and its comments' paragraphs. Only reads: under the group commit it runs on the
 * requester's thread, before the contribution is queued; without it, inside the write transaction. *clean and
 * *t are filled; out->late is set for a message after the deadline. 0, or -1 with e (one error per field). */
static int contribution_check(struct db *db, struct arena *a, int64_t call_id, const struct contribution_input *in,
			      int64_t now, struct contribution_input *clean, struct contribution_target *t,
			      struct receipt *out, struct error *e)
{
	const bool mail = in->mail != NULL;
	/* A message may need the process's last category (below); the web and the API name theirs, which is read
	 * alone (every category's name in the reader's language was a sixth of a contribution's check). */
	memset(&t->process, 0, sizeof t->process);
	if (call_find(db, a, call_id, &t->call, e) != 0 ||
	    (mail && process_find_id(db, a, t->call.process_id, &t->process, e) != 0) ||
	    contribution_open_at(a, &t->call, now, mail, out, e) != 0)
		return -1;

	contribution_validate(a, in, clean, e);
	t->category = NULL;
	if (clean->category && *clean->category) {
		if (mail)
			t->category = process_category(&t->process, clean->category);
		else if (process_category_find(db, a, t->call.process_id, clean->category, &t->category, e) < 0)
			return -1;
		if (!t->category && !mail)
			error_field(e, "category", _("Choose one of the categories of this process: %s."),
			            category_slugs(db, a, t->call.process_id));
	}
	if (!t->category && mail && t->process.ncategories > 0) {
		/* A message does not say (or names one this process does not have): the process's last
		 * category, its catch-all ("Other stakeholders"). */
		t->category = &t->process.categories[t->process.ncategories - 1];
	}
	if (!t->category && !e->code)
		error_field(e, "category", _("This process has no category of stakeholders to file it under."));
	/* Each comment is about a paragraph of the call's version (or none): checked here, with the rest. */
	t->paragraphs = NULL;
	t->nparagraphs = 0;
	if (clean->ncomments > 0) {
		struct error pe;
		error_clear(&pe);
		if (paragraph_list(db, a, t->call.version_id, &t->paragraphs, &t->nparagraphs, &pe) != 0) {
			*e = pe;
			return -1;
		}
		comment_validate(clean->comments, clean->ncomments, t->paragraphs, t->nparagraphs, e);
	}
	return e->code ? -1 : 0;
}

/* Everything contribution_receive() writes, inside the caller's write transaction, for a contribution
 * received at `now`: 0 (out->duplicate for a message delivered again: nothing written), or -1 with e, having
 * written what the caller must roll back. batch: the group commit's mail limits, or NULL. campaign_now: put
 * it in its campaign in this transaction (without the group commit; with it, the writer's pass does, see
 * writer_main). */
static int contribution_store(struct db *db, struct arena *a, int64_t call_id, const struct contribution_input *in,
			      int64_t now, struct writer_batch *wb, bool campaign_now, struct receipt *out,
			      struct error *e)
{
	struct outbox_batch *batch = wb ? wb->limits : NULL;
	memset(out, 0, sizeof *out);
	/* Inside the write transaction, so that two deliveries of one message at once make one contribution. */
	const struct contribution_mail *mail = in->mail;
	if (mail && mail->message_id) {
		int seen = contribution_find_message(db, call_id, mail, out, e);
		if (seen != 0)
			return seen < 0 ? -1 : 0;
	}
	/* And a key sent again: inside the write transaction too, where no other copy can be half-written. */
	if (in->idempotency_key) {
		int seen = contribution_find_key(db, call_id, in, out, e);
		if (seen != 0)
			return seen < 0 ? -1 : 0;
	}
	/* The call's state and the insert are judged in one write transaction, so a contribution cannot slip
	 * in after a deadline changed under it; the instant judged is when it was received. */
	struct contribution_input clean;
	struct contribution_target t;
	if (contribution_check(db, a, call_id, in, now, &clean, &t, out, e) != 0)
		return -1;
	const struct call *call = &t.call;

	/* A call that reviews contributions first keeps them pending until the secretariat publishes them;
	 * a late one waits for the secretariat's decision. */
	const enum contribution_state state = out->late || call->review == REVIEW_AFTER_REVIEW ? CONTRIBUTION_PENDING
											       : CONTRIBUTION_PUBLISHED;
	int64_t id = 0;
	if (contribution_insert(db, call->id, t.category->id, &clean, state, now, out, &id, e) != 0)
		return -1;
	/* Published at once: the version's pages show it (and its comments' counts) from this commit on. */
	if (state == CONTRIBUTION_PUBLISHED && document_comments_changed(db, call->id, e) != 0)
		return -1;
	if (mail && contribution_store_mail(db, id, mail, out->late, e) != 0)
		return -1;
	if (contribution_store_files(db, id, mail ? mail->attachments : clean.attachments,
				     mail ? mail->nattachments : clean.nattachments, e) != 0)
		return -1;
	if (comment_store(db, id, call->version_id, clean.comments, clean.ncomments, e) != 0)
		return -1;
	/* A mass campaign is recognised as it arrives: a few indexed lookups (core/campaign.h). */
	if (campaign_now) {
		const char *campaign_words = campaign_text(a, clean.text, clean.comments, clean.ncomments);
		int64_t campaign_id = 0;
		if (!campaign_words) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		if (campaign_assign(db, a, call->id, id, campaign_words, now, &campaign_id, e) != 0)
			return -1;
	}
	if (in->table_report && contribution_store_table_report(db, id, in->table_report, e) != 0)
		return -1;
	const bool whole = clean.ncomments > 0 || clean.nattachments > 0 || (mail && mail->nattachments > 0);
	if (contribution_recorded(db, wb, id, now, whole, NULL, out, e) != 0)
		return -1;
	/* The receipt says what was stored, as its page does (core/receipt.h), read back in this transaction.
	 * A mail in reply goes to the address the message came from, and may repeat its words; a receipt for
	 * the web or the API goes to an address anyone may type, and repeats none. */
	if (!mail || !mail->no_receipt) {
		struct contribution stored;
		struct receipt_next next;
		if (contribution_find(db, a, out->tracking, &stored, e) != 0 ||
		    comment_attach(db, a, &stored, 1, e) != 0 || contribution_attachments(db, a, &stored, e) != 0 ||
		    receipt_next(db, a, &stored, call, &next, e) != 0)
			return -1;
		/* Under the group commit its leaf is written at the batch's end: named here as it will be. */
		if (out->leaf_known)
			next.leaf_index = out->leaf_index;
		/* in its addressee's language by the one rule (core/account.h), the answer in the request's */
		const char *was = i18n_current();
		i18n_use(account_mail_language_for(db, clean.email, was));
		const char *facts = receipt_text(a, &stored, call, &next, mail != NULL);
		int rc = facts ? 0 : -1;
		if (!facts)
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
		else if (!mail)
			rc = contribution_receipt_mail(db, a, batch, call, &clean, facts, out, e);
		else
			rc = contribution_receipt_reply(db, a, batch, call, &clean, facts, out, e);
		i18n_use(was);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * The group commit. While the writer runs (contribution_writer_start, by `consulta serve`), a contribution is
 * checked on its requester's thread, queued, and written by the one writer thread, which takes every queued
 * contribution (up to WRITER_BATCH) into one write transaction, each in a savepoint of its own (one that fails
 * is undone alone and answered with its error), commits them with one fsync, and only then tells each
 * requester (its waiting thread, or its contribution_wait). Without the writer (the mail sender's process, the
 * CLI, the demo loader, unit tests) each contribution is its own transaction, as before.
 *
 * The writer's time is the ceiling of the whole path, so it does only what must be inside the transaction.
 * A contribution of the web or the API with neither comments nor files nor table (by far the most, and every
 * one of a mail-merge campaign) is prepared on its requester's thread: checked once there, its tracking
 * number drawn and its receipt mail composed from what will be inserted (contribution_prepare). The writer
 * then reads each call once per batch, judges the deadline at each one's reception against it, inserts the
 * row and its receipt (the mail limits counted once per batch, core/outbox.h), and marks the version's pages
 * changed once per call. Anything else, or a prepared one whose call changed in between (its version or its
 * review) or whose tracking number was taken meanwhile, is stored by contribution_store() in the writer, as
 * it would be alone. Campaigns are recognised after the commit, by the writer when nothing waits
 * (campaign_pass).
 */
enum { WRITER_BATCH = 1024, WRITER_CAMPAIGN_PASS = 200, WRITER_IDLE_MS = 20 };

struct writer_job {
	struct arena *a;
	/* The language of the request (i18n_current() on its thread): the writer composes its receipt and its
	 * refusals in it, as the requester's thread would have. */
	const char *lang;
	/* The language of its receipt mail (account_mail_language_for(): its address's account's, else lang), found
	 * by contribution_prepare(). */
	const char *mail_lang;
	int64_t call_id;
	const struct contribution_input *in;
	int64_t received_at;
	struct receipt *out;
	struct error *e;
	int rc;
	/* Prepared on the requester's thread (see above): what the writer inserts as it is. */
	bool prepared;
	struct contribution_input clean;
	int64_t category_id, version_id, process_id;
	enum call_review review;
	enum contribution_state state;
	/* Its receipt mail, when it has an address: what it says, read on the requester's thread; written by the
	 * writer once its leaf of the record (core/ledger.h), which the mail names, is known. */
	bool has_mail;
	struct contribution receipt_of;
	struct call call;
	struct receipt_next receipt_next;
	const char *facts; /* receipt_text() without its leaf's paragraph (the writer adds it) */
	/* composed: its receipt mail made but for its last lines (the leaf's paragraph and the closing line), which
	 * the writer adds (outbox_compose_close); else the writer composes it whole from facts */
	bool composed;
	struct outbox_ready mail;
	struct ledger_leaf_ready leaf; /* its leaf of the record, made from what the writer inserts */
	bool wrote;        /* the writer wrote something of it (see writer_commit) */
	/* Who is told when it is written: wait's callback, or else the requester's thread waiting on done_cv,
	 * with its own lock and condition, so that waking a batch's requesters does not make them queue on the
	 * writer's lock (each would wake only to wait for it). */
	struct contribution_wait *wait;
	pthread_mutex_t done_lock;
	pthread_cond_t done_cv;
	bool done;
	struct writer_job *next;
};

/* The writer's state: one per process, as there is one database file to write (db.h). Its lock guards the
 * queue; running is also read without it, by contribution_receive(), to choose the way. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct writer_job *head, *tail;
	int len, max;
	_Atomic bool running;
	bool closing;
	pthread_t thread;
	int delay_ms; /* test builds only: CONSULTA_TEST_WRITER_DELAY_MS holds each batch back */
	const char *fail_text; /* test builds only: CONSULTA_TEST_WRITER_FAIL_TEXT, see writer_store_prepared */
	void (*on_commit)(void); /* contribution_writer_on_commit's hook, or NULL */
	uint64_t batches, items; /* for the log at the end */
	_Atomic int backlog; /* queued or being written, not yet answered: contribution_writer_backlog() */
	_Atomic int64_t surge_ms; /* contribution_writer_surge_ms() */
} writer = {.lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Prepares j (a contribution of the web or the API) on the requester's thread: checks it (the error, if any,
 * is the sender's answer: nothing is queued) and, when it has neither comments nor files nor table, draws its
 * tracking number and reads what its receipt mail will say of what will be inserted (the writer writes the
 * mail, which also names the contribution's leaf of the record). 0 or -1 with e. */
static int contribution_prepare(struct db *db, struct writer_job *j, struct error *e)
{
	struct contribution_target t;
	struct receipt scratch = {0};
	struct arena *a = j->a;
	if (contribution_check(db, a, j->call_id, j->in, j->received_at, &j->clean, &t, &scratch, e) != 0)
		return -1;
	if (j->clean.ncomments > 0 || j->clean.nattachments > 0 || j->in->table_report)
		return 0; /* stored whole by the writer (contribution_store) */
	enum contribution_publication publication = PUBLICATION_NAMED;
	contribution_publication_parse(j->clean.publication, &publication); /* checked by contribution_validate */
	j->category_id = t.category->id;
	j->version_id = t.call.version_id;
	j->process_id = t.call.process_id;
	j->review = t.call.review;
	j->state = t.call.review == REVIEW_AFTER_REVIEW ? CONTRIBUTION_PENDING : CONTRIBUTION_PUBLISHED;
	if (tracking_new(j->out->tracking) != 0) {
		error_set(e, ERROR_UNAVAILABLE, _("No randomness is available for a tracking number."));
		return -1;
	}
	/* The receipt from the record as it will be inserted: what contribution_find() would read back. */
	struct contribution k = {.call_id = t.call.id,
				 .channel = j->clean.channel,
				 .name = j->clean.name,
				 .organization = j->clean.organization ? j->clean.organization : "",
				 .category_slug = t.category->slug,
				 .category_name = t.category->name,
				 .country = j->clean.country,
				 .email = j->clean.email,
				 .text = j->clean.text,
				 .language = j->clean.language,
				 .publication = publication,
				 .received_at = j->received_at,
				 .state = j->state};
	snprintf(k.tracking, sizeof k.tracking, "%s", j->out->tracking);
	if (receipt_next(db, a, &k, &t.call, &j->receipt_next, e) != 0)
		return -1;
	/* Its text here, off the writer's thread (times in the process's zone, the deadline...): the leaf is
	 * not known yet (receipt_next found none), so its paragraph, the last, is added by the writer. */
	j->receipt_next.leaf_index = -1;
	/* The receipt mail in its addressee's language by the one rule (core/account.h); the answer to the
	 * request stays in the request's. */
	const char *was = i18n_current();
	j->mail_lang = account_mail_language_for(db, j->clean.email, was);
	i18n_use(j->mail_lang);
	j->facts = receipt_text(a, &k, &t.call, &j->receipt_next, false);
	i18n_use(was);
	if (!j->facts) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	/* Its leaf of the record, from what contribution_insert_as() will bind (the writer only queues it). */
	const struct ledger_contribution_facts facts = {
		.tracking = j->out->tracking,
		.call_id = j->call_id,
		.channel = contribution_channel_name(j->clean.channel),
		.name = j->clean.name,
		.organization = j->clean.organization ? j->clean.organization : "",
		.category = t.category->slug,
		.country = j->clean.country,
		.text = j->clean.text,
		.publication = j->clean.publication,
		.received_at = j->received_at,
	};
	if (ledger_contribution_ready(&facts, &j->leaf, e) != 0)
		return -1;
	/* Its receipt mail here too, but for the lines after its facts: the text ends with a line break, so the
	 * rest is encoded alike apart (render/message.h). If it cannot be, the writer composes it whole. */
	struct outbox_mail mail;
	i18n_use(j->mail_lang);
	j->composed = contribution_receipt_mail_of(a, &t.call, &j->clean, j->facts, "", j->out, &mail, e) == 0 &&
		      outbox_compose_open(a, &mail, &j->mail, &(struct error){0}) == 0;
	i18n_use(was);
	if (e->code)
		return -1; /* out of memory */
	j->receipt_of = k;
	j->call = t.call;
	j->has_mail = true;
	j->prepared = true;
	return 0;
}


/* A call as one batch found it, read once for all of its contributions in the batch. */
struct writer_call {
	int64_t id;
	int found; /* 1, or -1: err says why */
	struct call call;
	struct error err;
	bool published; /* a contribution of the batch was published at once: its version's pages change */
};


static struct writer_call *writer_call(struct db *db, struct writer_batch *b, int64_t id)
{
	for (int i = 0; i < b->ncalls; i++)
		if (b->calls[i].id == id)
			return &b->calls[i];
	struct writer_call *c = arena_push(&b->a, (void **)&b->calls, &b->ncalls, &b->cap, sizeof *b->calls);
	if (!c)
		return NULL;
	c->id = id;
	error_clear(&c->err);
	c->found = call_find(db, &b->a, id, &c->call, &c->err) == 0 ? 1 : -1;
	return c;
}

/* The receipt mail of a prepared job, in the writer's transaction, now that its leaf is known, in the thread's
 * language (writer_receipt_mail: the mail's). */
static int writer_receipt_mail_in(struct db *db, struct writer_batch *b, struct writer_job *j, int64_t leaf_index)
{
	const char *leaf = receipt_leaf_text(j->a, j->out->tracking, leaf_index);
	struct outbox_ready ready;
	if (j->composed) { /* only its last lines, encoded and added to what the requester's thread composed */
		ready = j->mail;
		const char *rest = arena_printf(j->a, "%s%s", leaf, contribution_receipt_closing(j->a));
		if (!rest) {
			error_set(j->e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		if (outbox_compose_close(j->a, &ready, rest, j->e) != 0)
			return -1;
		return outbox_batch_insert(db, b->limits, &ready, j->e) < 0 ? -1 : 0;
	}
	const char *facts = arena_printf(j->a, "%s%s", j->facts, leaf);
	if (!facts) {
		error_set(j->e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	struct outbox_mail mail;
	if (contribution_receipt_mail_of(j->a, &j->call, &j->clean, facts, contribution_receipt_closing(j->a), j->out,
					 &mail, j->e) != 0 ||
	    outbox_compose(j->a, &mail, &ready, j->e) != 0)
		return -1;
	return outbox_batch_insert(db, b->limits, &ready, j->e) < 0 ? -1 : 0;
}

static int writer_receipt_mail(struct db *db, struct writer_batch *b, struct writer_job *j, int64_t leaf_index)
{
	const char *was = i18n_current();
	i18n_use(j->mail_lang ? j->mail_lang : was);
	const int rc = writer_receipt_mail_in(db, b, j, leaf_index);
	i18n_use(was);
	return rc;
}

/* Writes a prepared job (contribution_prepare) inside the batch's transaction. 0 or -1 with j->e. */
static int writer_store_prepared(struct db *db, struct writer_batch *b, struct writer_job *j)
{
	struct writer_call *c = writer_call(db, b, j->call_id);
	if (!c) {
		error_set(j->e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (c->found < 0) {
		*j->e = c->err;
		return -1;
	}
	/* The call changed since the check in a way that changes what is stored: stored whole, checked again. */
	j->wrote = true;
	if (c->call.version_id != j->version_id || c->call.review != j->review || c->call.process_id != j->process_id)
		return contribution_store(db, j->a, j->call_id, j->in, j->received_at, b, false, j->out, j->e);
	/* Its deadline may have moved since: judged again, at its reception, within this transaction. */
	j->wrote = false;
	if (contribution_open_at(j->a, &c->call, j->received_at, false, j->out, j->e) != 0)
		return -1;
	j->wrote = true;
	/* Its id: with the insert on PostgreSQL (RETURNING), where every statement is a round trip to the server
	 * that the writer waits for; looked up after it on SQLite, where RETURNING costs more (see above). */
	int64_t id = 0;
	const bool returning = db_dialect() == DB_POSTGRESQL;
	const int got = contribution_insert_as(db, j->call_id, j->category_id, &j->clean, j->state, j->received_at,
					       j->out, returning ? &id : NULL, j->e);
	if (got < 0)
		return -1;
	/* its tracking number was taken meanwhile (another is drawn, with its receipt), or its idempotency key, by a
	 * copy earlier in this batch or committed by another node since it was checked (contribution_store finds
	 * it, and answers with that one's receipt) */
	if (got == 0)
		return contribution_store(db, j->a, j->call_id, j->in, j->received_at, b, false, j->out, j->e);
	if ((!returning && contribution_id_of(db, j->out->tracking, &id, j->e) != 0) ||
	    contribution_recorded(db, b, id, j->received_at, false, &j->leaf, j->out, j->e) != 0)
		return -1;
	/* its search row's words (search_entry's title and body) are known: search_gram may not need them */
	search_batch_plain(b->search, j->clean.name, j->clean.organization, j->clean.text);
	c->published |= j->state == CONTRIBUTION_PUBLISHED;
	if (writer.fail_text && j->clean.text && strstr(j->clean.text, writer.fail_text)) {
		/* a test build's store error after the job wrote (see writer_commit) */
		error_set(j->e, ERROR_UNAVAILABLE, "The store failed (a test's failure); nothing was stored.");
		return -1;
	}
	return j->has_mail ? writer_receipt_mail(db, b, j, j->out->leaf_index) : 0;
}

/*
 * Writes one batch in one transaction; fills each job's rc, out and e. True if something was committed.
 *
 * A job that fails is undone alone and answered with its error; the others are written. The plain way is a
 * savepoint per job, but a savepoint makes SQLite copy each page the job first changes into a sub-journal (a
 * fifth of the writer's time, measured). So a first attempt runs the prepared jobs without one: such a job
 * fails before it writes (its call gone, its deadline passed: nothing to undo) or, very rarely, after (a store
 * error); then the whole attempt is rolled back, nothing answered, and the batch written again with a savepoint
 * for every job. A job stored whole (contribution_store: comments, files, mail) always has its savepoint.
 */
enum writer_attempt { ATTEMPT_FAILED = -1, ATTEMPT_EMPTY = 0, ATTEMPT_COMMITTED = 1, ATTEMPT_AGAIN = 2 };

static enum writer_attempt writer_attempt(struct db *db, struct writer_job *batch, bool guarded)
{
	struct error e;
	error_clear(&e);
	struct writer_batch b = {0};
	arena_init(&b.a);
	b.limits = outbox_batch_begin(&b.a);
	b.ledger = ledger_batch_begin(&b.a);
	b.search = search_batch_begin(&b.a);
	const bool made = b.limits && b.ledger && b.search;
	int failed = db && made ? db_begin(db, &e) : -1;
	if (!db)
		error_set(&e, ERROR_UNAVAILABLE, _("The database cannot be opened; try again."));
	else if (!made)
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
	/* The prepared jobs' receipts: their recipients' mails of the hour counted 32 a statement, not one by one. */
	int nto = 0;
	for (struct writer_job *j = batch; j; j = j->next)
		nto += j->prepared && j->has_mail;
	const char **to = !failed && nto ? arena_alloc(&b.a, sizeof *to * (size_t)nto) : NULL;
	if (!failed && nto && !to) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		failed = -1;
	}
	nto = 0;
	for (struct writer_job *j = batch; to && j; j = j->next)
		if (j->prepared && j->has_mail)
			to[nto++] = j->clean.email;
	if (to && outbox_batch_count_receipts(db, b.limits, to, nto, &e) != 0)
		failed = -1;
	int stored = 0;
	bool again = false;
	for (struct writer_job *j = batch; j && !failed; j = j->next) {
		struct error se;
		error_clear(&se);
		const bool guard = guarded || !j->prepared;
		if (guard && db_savepoint(db, &se) != 0) {
			e = se;
			failed = -1;
			break;
		}
		const int mark = ledger_batch_mark(b.ledger);
		j->wrote = false;
		const char *writer_lang = i18n_current();
		i18n_use(j->lang);
		j->rc = j->prepared ? writer_store_prepared(db, &b, j)
				    : contribution_store(db, j->a, j->call_id, j->in, j->received_at, &b, false, j->out,
							 j->e);
		i18n_use(writer_lang);
		if (j->rc != 0)
			ledger_batch_undo(b.ledger, mark); /* its leaf goes with what it wrote */
		if (!guard && j->rc != 0 && j->wrote) {
			again = true; /* nothing to undo it alone with: the batch again, guarded */
			failed = -1;
			break;
		}
		if (guard && (j->rc != 0 ? db_savepoint_rollback(db, &se) : db_savepoint_release(db, &se))) {
			e = se; /* the transaction cannot go on: the batch is answered as failed */
			failed = -1;
		}
		stored += j->rc == 0;
	}
	/* The batch's leaves of the record and its rows of the full-text index, each written at once. */
	if (!failed && stored && (ledger_batch_end(db, b.ledger, &e) != 0 || search_batch_end(db, b.search, &e) != 0))
		failed = -1;
	/* The version's pages (and comment counts) of each call that published one change once per batch. */
	for (int i = 0; i < b.ncalls && !failed; i++)
		if (b.calls[i].published && document_comments_changed(db, b.calls[i].id, &e) != 0)
			failed = -1;
	if (!failed && stored && db_commit(db, &e) != 0)
		failed = -1;
	else if (!failed && !stored)
		db_rollback(db);
	if (failed && db)
		db_rollback(db);
	/* A size that holds each leaf of the batch: its proof's, in the answer. */
	for (struct writer_job *j = batch; j && !failed; j = j->next)
		if (j->rc == 0 && j->out->leaf_known && ledger_batch_size(b.ledger) > j->out->leaf_index)
			j->out->leaf_size = ledger_batch_size(b.ledger);
	if (failed && !again)
		log_event("contribution.batch_failed", "code=%s msg=\"%s\"", e.code ? e.code : "?", e.message);
	else if (!failed)
		outbox_batch_end(b.limits);
	arena_free(&b.a);
	if (again)
		return ATTEMPT_AGAIN;
	for (struct writer_job *j = batch; j; j = j->next)
		if (failed) {
			/* Nothing of the batch is stored: each is told to send again (503), never given a receipt; the
			 * store's reason goes to the log under each request's id, not to the sender. */
			error_clear(j->e);
			error_set(j->e, ERROR_UNAVAILABLE, "%s", e.message[0] ? e.message : "the batch could not be stored");
			j->rc = -1;
		}
	return failed ? ATTEMPT_FAILED : stored > 0 ? ATTEMPT_COMMITTED : ATTEMPT_EMPTY;
}

static bool writer_commit(struct db *db, struct writer_job *batch)
{
	enum writer_attempt r = writer_attempt(db, batch, false);
	if (r != ATTEMPT_AGAIN)
		return r == ATTEMPT_COMMITTED;
	log_event("contribution.batch_again", "reason=\"a job failed after it wrote\"");
	/* Each job as it came: its error and receipt cleared, a prepared one under the tracking number its
	 * receipt text names. */
	for (struct writer_job *j = batch; j; j = j->next) {
		error_clear(j->e);
		j->rc = 0;
		memset(j->out, 0, sizeof *j->out);
		if (j->prepared)
			snprintf(j->out->tracking, sizeof j->out->tracking, "%s", j->receipt_of.tracking);
	}
	return writer_attempt(db, batch, true) == ATTEMPT_COMMITTED;
}

/* Tells each job of a committed (or failed) batch; a job is its requester's again once told: not read after. */
static void writer_answer(struct writer_job *batch)
{
	for (struct writer_job *j = batch, *next; j; j = next) {
		next = j->next;
		if (j->wait) {
			j->wait->rc = j->rc;
			j->wait->wake(j->wait->ctx);
			continue;
		}
		pthread_mutex_lock(&j->done_lock);
		j->done = true;
		pthread_cond_signal(&j->done_cv);
		pthread_mutex_unlock(&j->done_lock);
	}
}

/* One step of the campaigns' pass on the writer's thread (its connection, between batches): true while more
 * may be waiting. A failure is logged and the pass waits for the next batch. */
static bool writer_campaigns(struct db *db, int64_t *after)
{
	struct error e;
	error_clear(&e);
	bool more = false;
	if (!db || campaign_pass(db, after, WRITER_CAMPAIGN_PASS, &more, &e) != 0) {
		log_event("campaign.pass_failed", "code=%s msg=\"%s\"", e.code ? e.code : "?", e.message);
		return false;
	}
	return more;
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "writer"); /* for top -H and perf */
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	/* A batch's pages in memory until its commit: with SQLite's default cache (2 MB) a batch of 1,024
	 * contributions and their receipts spilled pages to the WAL before the commit, and wrote them again
	 * when changed after (an eighth of the writer's time). The pages are allocated as used. */
	if (db && db_cache_size(db, DB_CACHE_32_MIB, &e) != 0)
		log_event("contribution.writer_pragma", "sql=cache_size msg=\"%s\"", e.message);
	error_clear(&e);
	/* And no CHECK constraint compiled into the writer's statements: SQLite checks each "x IN ('a', 'b', 'c')"
	 * of a table's CHECKs (channel, publication, state...) through a temporary b-tree made and freed at every
	 * insert, half of a contribution's insert (27 against 13 us measured). What the writer inserts there comes
	 * from the program's own name tables (contribution_state_name...), never from input as typed; every
	 * other connection, and PostgreSQL (where the integration suite runs too), still checks them. */
	if (db && db_dialect() == DB_SQLITE) {
		struct db_stmt *st = db_stmt(db, "PRAGMA ignore_check_constraints = ON", &e);
		if (!st || db_exec_stmt(st, &e) != 0)
			log_event("contribution.writer_pragma", "sql=ignore_check_constraints msg=\"%s\"", e.message);
		error_clear(&e);
	}
	/* The campaigns' pass starts where the last one stopped (core/campaign.h). */
	int64_t grouped = 0;
	bool campaigns = db && campaign_pass_start(db, &grouped, &e) == 0;
	if (!campaigns)
		log_event("campaign.pass_failed", "code=%s msg=\"%s\"", e.code ? e.code : "?", e.message);
	pthread_mutex_lock(&writer.lock);
	for (;;) {
		bool idle = false;
		while (!writer.head && !writer.closing) {
			/* Nothing to write: the campaigns of what was written, a step at a time, once nothing has
			 * come for WRITER_IDLE_MS (during a surge the queue empties between batches, and the pass
			 * would take the writer's time from the contributions still arriving). */
			if (campaigns && idle) {
				pthread_mutex_unlock(&writer.lock);
				campaigns = writer_campaigns(db, &grouped);
				pthread_mutex_lock(&writer.lock);
				continue;
			}
			if (campaigns) {
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until); /* the clock of writer.cv */
				until.tv_nsec += WRITER_IDLE_MS * 1000000L;
				until.tv_sec += until.tv_nsec / 1000000000L;
				until.tv_nsec %= 1000000000L;
				idle = pthread_cond_timedwait(&writer.cv, &writer.lock, &until) == ETIMEDOUT;
				continue;
			}
			pthread_cond_wait(&writer.cv, &writer.lock);
		}
		if (!writer.head)
			break; /* closing, and every queued contribution answered */
		/* Every job waiting now, up to WRITER_BATCH: the longer a commit takes, the more the next one takes,
		 * so the batch grows with the load and a lone contribution is not held back. */
		struct writer_job *batch = writer.head, *last = batch;
		int n = 1;
		while (last->next && n < WRITER_BATCH) {
			last = last->next;
			n++;
		}
		writer.head = last->next;
		if (!writer.head)
			writer.tail = NULL;
		last->next = NULL;
		writer.len -= n;
		pthread_mutex_unlock(&writer.lock);
		if (writer.delay_ms > 0) {
			struct timespec d = {writer.delay_ms / 1000, (long)(writer.delay_ms % 1000) * 1000000L};
			nanosleep(&d, NULL);
		}
		const bool committed = writer_commit(db, batch);
		/* once per batch (the mail sender: the receipts are in the outbox), before the answers */
		if (committed && writer.on_commit)
			writer.on_commit();
		/* before the answers: a sender who reads the list once answered is never shown it from before */
		atomic_fetch_sub(&writer.backlog, n);
		if (n >= CONTRIBUTION_SURGE_BATCH) {
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			atomic_store(&writer.surge_ms, (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000);
		}
		writer_answer(batch);
		campaigns = db != NULL;
		pthread_mutex_lock(&writer.lock);
		writer.batches++;
		writer.items += (uint64_t)n;
	}
	pthread_mutex_unlock(&writer.lock);
	campaign_pass_stop();
	db_thread_close();
	return NULL;
}

int contribution_writer_backlog(void)
{
	return atomic_load(&writer.backlog);
}

int64_t contribution_writer_surge_ms(void)
{
	return atomic_load(&writer.surge_ms);
}

void contribution_writer_on_commit(void (*hook)(void))
{
	pthread_mutex_lock(&writer.lock);
	writer.on_commit = hook;
	pthread_mutex_unlock(&writer.lock);
}

int contribution_writer_start(int queue_max, struct error *e)
{
	pthread_mutex_lock(&writer.lock);
	if (writer.running) {
		pthread_mutex_unlock(&writer.lock);
		error_set(e, ERROR_CONFLICT, _("the contributions' writer runs already"));
		return -1;
	}
	writer.max = queue_max > 0 ? queue_max : CONTRIBUTION_QUEUE_DEFAULT;
	writer.closing = false;
	writer.delay_ms = 0;
	writer.fail_text = NULL;
#ifndef NDEBUG
	/* A test build's hook: holds each batch back, so that a test can fill the queue or send more while a
	 * batch is being written. Never read by a release build. */
	const char *delay = getenv("CONSULTA_TEST_WRITER_DELAY_MS");
	if (delay)
		writer.delay_ms = (int)strtol(delay, NULL, 10);
	/* and makes a prepared contribution whose text has this in it fail after it was written */
	const char *fail = getenv("CONSULTA_TEST_WRITER_FAIL_TEXT");
	if (fail && *fail)
		writer.fail_text = fail;
#endif
	int rc = pthread_create(&writer.thread, NULL, writer_main, NULL);
	writer.running = rc == 0;
	pthread_mutex_unlock(&writer.lock);
	if (rc != 0) {
		error_set(e, ERROR_UNAVAILABLE, "cannot start the contributions' writer thread");
		return -1;
	}
	log_event("contribution.writer", "queue=%d batch=%d", writer.max, WRITER_BATCH);
	return 0;
}

void contribution_writer_stop(void)
{
	pthread_mutex_lock(&writer.lock);
	if (!writer.running) {
		pthread_mutex_unlock(&writer.lock);
		return;
	}
	writer.closing = true;
	pthread_cond_signal(&writer.cv);
	pthread_mutex_unlock(&writer.lock);
	pthread_join(writer.thread, NULL);
	pthread_mutex_lock(&writer.lock);
	writer.running = false;
	log_event("contribution.writer_stop", "batches=%llu contributions=%llu", (unsigned long long)writer.batches,
		  (unsigned long long)writer.items);
	pthread_mutex_unlock(&writer.lock);
}

/* Queues the job. With j->wait: CONTRIBUTION_QUEUED at once (the writer calls wait->wake later); else waits
 * until the writer has committed it (or failed it), and returns its rc. -1 with ERROR_UNAVAILABLE at once,
 * before anything is stored, when the queue is full or the writer is not running. */
static int writer_submit(struct writer_job *j)
{
	pthread_mutex_lock(&writer.lock);
	if (!writer.running || writer.closing || writer.len >= writer.max) {
		const int queued = writer.len;
		pthread_mutex_unlock(&writer.lock);
		log_event("contribution.queue_full", "queued=%d", queued);
		error_set(j->e, ERROR_UNAVAILABLE, _("Too many contributions are arriving at this moment; nothing was "
						     "stored. Send it again in a few seconds."));
		return -1;
	}
	if (!j->wait) {
		pthread_mutex_init(&j->done_lock, NULL);
		pthread_cond_init(&j->done_cv, NULL);
		j->done = false;
	}
	j->next = NULL;
	if (writer.tail)
		writer.tail->next = j;
	else
		writer.head = j;
	writer.tail = j;
	writer.len++;
	atomic_fetch_add(&writer.backlog, 1);
	pthread_cond_signal(&writer.cv);
	pthread_mutex_unlock(&writer.lock);
	if (j->wait)
		return CONTRIBUTION_QUEUED;
	pthread_mutex_lock(&j->done_lock);
	while (!j->done)
		pthread_cond_wait(&j->done_cv, &j->done_lock);
	pthread_mutex_unlock(&j->done_lock);
	pthread_cond_destroy(&j->done_cv);
	pthread_mutex_destroy(&j->done_lock);
	return j->rc;
}

int contribution_received(const struct contribution_input *in, const struct receipt *out, int rc)
{
	if (rc != 0)
		return -1;
	if (out->duplicate)
		log_event("contribution.duplicate", "call=%lld tracking=%s channel=%s", (long long)out->call_id,
			  out->tracking, contribution_channel_name(in->channel));
	else
		log_event("contribution.received", "call=%lld tracking=%s channel=%s late=%d", (long long)out->call_id,
			  out->tracking, contribution_channel_name(in->channel), out->late);
	return 0;
}

int contribution_receive(struct db *db, struct arena *a, int64_t call_id, const struct contribution_input *in,
			 struct receipt *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	if ((unsigned)in->channel > CHANNEL_EMAIL) {
		error_set(e, ERROR_INTERNAL, "unknown channel");
		return -1;
	}
	/* The deadline is judged at the instant the server received it, however long it then waits to be
	 * written. */
	const int64_t now = in->received_at ? in->received_at : clock_now();
	if (!writer.running) {
		if (db_begin(db, e) != 0)
			return -1;
		int rc = contribution_store(db, a, call_id, in, now, NULL, true, out, e);
		if (rc != 0 || out->duplicate)
			db_rollback(db); /* nothing written for a message delivered again */
		else if (db_commit(db, e) != 0)
			rc = -1;
		return contribution_received(in, out, rc);
	}
	/* A key sent again after its first was stored (a client's retry, a form sent twice): answered here with the
	 * first receipt, without taking the writer's time. One still in flight is found by the writer (the unique
	 * index: see writer_store_prepared). */
	if (in->idempotency_key) {
		const int seen = contribution_find_key(db, call_id, in, out, e);
		if (seen != 0)
			return contribution_received(in, out, seen < 0 ? -1 : 0);
	}
	struct writer_job *j = arena_alloc(a, sizeof *j);
	if (!j) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*j = (struct writer_job){.a = a,
	                         .lang = i18n_current(),
	                         .call_id = call_id,
	                         .in = in,
	                         .received_at = now,
	                         .out = out,
	                         .e = e,
	                         .wait = in->wait};
	/* Checked here, without the write lock and on this thread: what is refused never takes the writer's
	 * time (a flood of bad input slows nobody else), and what is simple is made ready to insert. A
	 * message's check needs the write lock (its Message-ID): the writer does it all. */
	if (!in->mail) {
		/* Its queries (the call, its process and categories, the schedule) in one read transaction on SQLite,
		 * which then takes its read lock on the database once, not once per query. Not on PostgreSQL: two
		 * more round trips. Left out if the caller is in a transaction already (BEGIN then fails). */
		struct error re;
		error_clear(&re);
		const bool read_tx = db_dialect() == DB_SQLITE && db_read_begin(db, &re) == 0;
		const int prepared = contribution_prepare(db, j, e);
		if (read_tx)
			db_read_end(db);
		if (prepared != 0)
			return -1;
	}
	const int rc = writer_submit(j);
	return rc == CONTRIBUTION_QUEUED ? rc : contribution_received(in, out, rc);
}

#define CONTRIBUTION_COLUMNS                                                                                  \
	"SELECT c.id, c.tracking, c.call_id, c.channel, c.name, c.organization, k.slug, k.name, c.country, "    \
	"c.email, c.text, c.publication, c.received_at, c.state, c.moderation_reason, c.moderated_at, "          \
	"c.sender, c.sender_verification, c.authentication, c.subject, c.message_id, c.late, c.admitted_at, "    \
	"c.raw_sha256, c.language "                                                                             \
	"FROM contribution c JOIN category k ON k.id = c.category_id "

static int contribution_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct contribution *c = element;
	bool failed = false;
	c->id = db_col_int(st, 0);
	const char *t = db_col_text(st, 1);
	snprintf(c->tracking, sizeof c->tracking, "%s", t ? t : "");
	c->call_id = db_col_int(st, 2);
	/* A contribution by the web or the API has no verdict on its sender: none. */
	c->sender_verification = SENDER_NONE;
	if (!contribution_channel_parse(db_col_text(st, 3), &c->channel) ||
	    !contribution_publication_parse(db_col_text(st, 11), &c->publication) ||
	    !contribution_state_parse(db_col_text(st, 13), &c->state) ||
	    (!db_col_null(st, 17) && !sender_verification_parse(db_col_text(st, 17), &c->sender_verification)))
		return DB_FILL_UNKNOWN;
	c->name = db_col_dup(st, 4, a, &failed);
	c->organization = db_col_dup(st, 5, a, &failed);
	c->category_slug = db_col_dup(st, 6, a, &failed);
	c->category_name = db_col_dup(st, 7, a, &failed);
	c->country = db_col_dup(st, 8, a, &failed);
	c->email = db_col_dup(st, 9, a, &failed);
	c->text = db_col_dup(st, 10, a, &failed);
	c->received_at = db_col_int(st, 12);
	c->moderation_reason = db_col_dup(st, 14, a, &failed);
	c->moderated_at = db_col_int(st, 15);
	c->sender = db_col_dup(st, 16, a, &failed);
	c->authentication = db_col_dup(st, 18, a, &failed);
	c->subject = db_col_dup(st, 19, a, &failed);
	c->message_id = db_col_dup(st, 20, a, &failed);
	c->late = db_col_int(st, 21) != 0;
	c->admitted_at = db_col_int(st, 22);
	c->raw_sha256 = db_col_dup(st, 23, a, &failed);
	c->language = db_col_dup(st, 24, a, &failed);
	return failed ? -1 : 0;
}

int contribution_find(struct db *db, struct arena *a, const char *tracking, struct contribution *out,
		      struct error *e)
{
	char canonical[TRACKING_LEN + 1];
	if (!tracking_parse(tracking, canonical)) {
		error_set(e, ERROR_NOT_FOUND,
		          _("There is no contribution with this tracking number; check it for "
		            "typing mistakes."));
		return -1;
	}
	static const char sql[] = CONTRIBUTION_COLUMNS "WHERE c.tracking = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, canonical);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, contribution_from_row, "There is no contribution with this tracking number.",
			      e);
}

bool contribution_is_public(const struct contribution *c)
{
	return c->publication != PUBLICATION_PRIVATE &&
	       (c->state == CONTRIBUTION_PUBLISHED || c->state == CONTRIBUTION_HIDDEN);
}

bool contribution_is_hidden(const struct contribution *c)
{
	return c->state == CONTRIBUTION_HIDDEN;
}

int contribution_list_published(struct db *db, struct arena *a, int64_t call_id, int offset, int limit,
				struct contribution **out, int *n, int64_t *total, int64_t *hidden, struct error *e)
{
	return contribution_list_public(db, a, call_id, NULL, offset, limit, out, n, total, hidden, e);
}

static const char *const SORT_NAMES[] = {
	[CONTRIBUTION_SORT_OLDEST] = "oldest", [CONTRIBUTION_SORT_NEWEST] = "newest", [CONTRIBUTION_SORT_NAME] = "name"};

const char *contribution_sort_name(enum contribution_sort s)
{
	return SORT_NAMES[s];
}

bool contribution_sort_parse(const char *name, enum contribution_sort *out)
{
	const int i = field_enum_index(SORT_NAMES, COUNT(SORT_NAMES), name);
	if (i >= 0)
		*out = (enum contribution_sort)i;
	return i >= 0;
}

static bool given(const char *s)
{
	return s && *s;
}

bool contribution_filter_narrows(const struct contribution_filter *f)
{
	return f && (given(f->category) || given(f->country) || given(f->type) || f->campaign != 0);
}

bool contribution_campaign_parse(const char *s, int64_t *out)
{
	if (s && !strcmp(s, "none")) {
		*out = CONTRIBUTION_NO_CAMPAIGN;
		return true;
	}
	return field_parse_id(s, out);
}

/*
 * The public list's statements. A narrowing by category, country or campaign is written into the statement as a
 * plain equality only when it is asked for, so that SQLite can search the index on (call_id, category_id, id),
 * (call_id, country, id) or (campaign_id, id) instead of reading every contribution of the call: one statement
 * per combination (2 x 2 x 3: no campaign asked, in none, in one) and order (enum contribution_public_order),
 * each a static string, prepared once per connection. A narrowing by comment type is written likewise, as the
 * type's bit of contribution.comment_types (migration 041), word for word the term of the type's partial indexes
 * (by arrival, by name), so that its list too is a range of an index: one statement per type (4 x 2 x 2 x 3 in
 * all, per order). ?5 is 1 when the list is narrowed: then only published contributions, never the hidden ones.
 * ?8 is the campaign. ?9 and ?10 are where the page starts (keyset paging, struct contribution_cursor): the
 * last row's id (?9) and, by name, its name key (?10), so that the index on the same keys (migration 032) is
 * searched from there rather than read from its start.
 */
#define PUBLIC_WHERE "WHERE c.call_id = ?1 " PUBLIC_VISIBLE
/* A campaign's members are found by its index, never the call's (whose range on the id would read the whole call
 * for a small campaign): the call's test is written so that no index serves it. */
#define PUBLIC_WHERE_MEMBERS "WHERE +c.call_id = ?1 " PUBLIC_VISIBLE
#define PUBLIC_VISIBLE                                                                                                 \
	"AND c.publication <> 'private' AND c.state IN ('published', 'hidden') "                                       \
	"AND (?5 = 0 OR c.state = 'published') "
/* The three comment types (comment.h: COMMENT_TYPE_BIT), as migration 041's partial indexes write them. */
#define PUBLIC_GENERAL   "AND (c.comment_types & 1) <> 0 "
#define PUBLIC_TECHNICAL "AND (c.comment_types & 2) <> 0 "
#define PUBLIC_EDITORIAL "AND (c.comment_types & 4) <> 0 "
#define PUBLIC_CATEGORY                                                                                                \
	"AND c.category_id = (SELECT g.id FROM category g JOIN call l ON l.process_id = g.process_id "                 \
	"WHERE l.id = ?1 AND g.slug = ?2) "
#define PUBLIC_COUNTRY     "AND c.country = ?3 "
#define PUBLIC_NO_CAMPAIGN "AND c.campaign_id IS NULL "
#define PUBLIC_CAMPAIGN    "AND c.campaign_id = ?8 "
/* By name: the names the public sees (named and published), A to Z, then the rest in their order. These two
 * expressions are those of the index contribution_call_name (migration 032), word for word. */
#define PUBLIC_NAMED    "CASE WHEN c.publication = 'named' AND c.state = 'published' "
#define PUBLIC_CLASS    PUBLIC_NAMED "THEN 0 ELSE 1 END"
#define PUBLIC_NAME_KEY PUBLIC_NAMED "THEN lower(c.name) ELSE '' END"
#define PUBLIC_PAGE     " LIMIT ?6 OFFSET ?7"
/* The orders: by arrival both ways, from ?9; by name from the start (for ?offset=); then by name from a cursor,
 * one statement per class of the first key (named ones, the rest: the rest all have the name key '', so their
 * range is on the id), each a range of the index rather than a read of it from its start. */
#define PUBLIC_ORDERS(where)                                                                                           \
	{                                                                                                              \
		CONTRIBUTION_COLUMNS where "AND c.id > ?9 ORDER BY c.id" PUBLIC_PAGE,                                  \
		    CONTRIBUTION_COLUMNS where "AND c.id < ?9 ORDER BY c.id DESC" PUBLIC_PAGE,                         \
		    CONTRIBUTION_COLUMNS where "ORDER BY " PUBLIC_CLASS ", " PUBLIC_NAME_KEY ", c.id" PUBLIC_PAGE,     \
		    CONTRIBUTION_COLUMNS where "AND " PUBLIC_CLASS " = 0 AND " PUBLIC_NAME_KEY                         \
		                               " >= ?10 AND (" PUBLIC_NAME_KEY                                         \
		                               " > ?10 OR c.id > ?9) ORDER BY " PUBLIC_NAME_KEY ", c.id" PUBLIC_PAGE,  \
		    CONTRIBUTION_COLUMNS where "AND " PUBLIC_CLASS " = 1 AND " PUBLIC_NAME_KEY " = '' AND c.id > ?9 "  \
		                               "ORDER BY c.id" PUBLIC_PAGE,                                            \
		    CONTRIBUTION_COLUMNS where                                                                         \
		    "AND " PUBLIC_CLASS " = 0 AND " PUBLIC_NAME_KEY " <= ?10 AND (" PUBLIC_NAME_KEY                    \
		    " < ?10 OR c.id < ?9) ORDER BY " PUBLIC_NAME_KEY " DESC, c.id DESC" PUBLIC_PAGE,                   \
		    CONTRIBUTION_COLUMNS where "AND " PUBLIC_CLASS " = 1 AND " PUBLIC_NAME_KEY " = '' AND c.id < ?9 "  \
		                               "ORDER BY c.id DESC" PUBLIC_PAGE,                                       \
		    CONTRIBUTION_COLUMNS where "AND " PUBLIC_CLASS " = 0 ORDER BY " PUBLIC_NAME_KEY                    \
		                               " DESC, c.id DESC" PUBLIC_PAGE                                          \
	}
#define PUBLIC_COUNT(where) "SELECT count(*), count(*) FILTER (WHERE c.state = 'hidden') FROM contribution c " where
/* The three campaign cases of one narrowing by category and country. */
#define PUBLIC_CAMPAIGNS(of, rest)                                                                                     \
	{                                                                                                              \
		of(PUBLIC_WHERE rest), of(PUBLIC_WHERE rest PUBLIC_NO_CAMPAIGN),                                       \
		    of(PUBLIC_WHERE_MEMBERS rest PUBLIC_CAMPAIGN)                                                      \
	}

/* The four type cases (any; general, technical, editorial) of one narrowing by category and country. */
#define PUBLIC_TYPES(of, rest)                                                                                         \
	{                                                                                                              \
		PUBLIC_CAMPAIGNS(of, rest), PUBLIC_CAMPAIGNS(of, rest PUBLIC_GENERAL),                                 \
		    PUBLIC_CAMPAIGNS(of, rest PUBLIC_TECHNICAL), PUBLIC_CAMPAIGNS(of, rest PUBLIC_EDITORIAL)           \
	}

/* [category given][country given][type: any, general, technical, editorial][campaign: any, none, one][order] */
static const char *const PUBLIC_LIST_SQL[2][2][4][3][CONTRIBUTION_PUBLIC_ORDERS] = {
    {PUBLIC_TYPES(PUBLIC_ORDERS, ), PUBLIC_TYPES(PUBLIC_ORDERS, PUBLIC_COUNTRY)},
    {PUBLIC_TYPES(PUBLIC_ORDERS, PUBLIC_CATEGORY), PUBLIC_TYPES(PUBLIC_ORDERS, PUBLIC_CATEGORY PUBLIC_COUNTRY)},
};
static const char *const PUBLIC_COUNT_SQL[2][2][4][3] = {
    {PUBLIC_TYPES(PUBLIC_COUNT, ), PUBLIC_TYPES(PUBLIC_COUNT, PUBLIC_COUNTRY)},
    {PUBLIC_TYPES(PUBLIC_COUNT, PUBLIC_CATEGORY), PUBLIC_TYPES(PUBLIC_COUNT, PUBLIC_CATEGORY PUBLIC_COUNTRY)},
};

/* f's comment type as PUBLIC_TYPES's index: 0 for none (or one that is not a type: refused before any read),
 * else the type's enum value plus one. */
static int public_type(const struct contribution_filter *f)
{
	enum comment_type t = COMMENT_GENERAL;
	return f && given(f->type) && comment_type_parse(f->type, &t) ? (int)t + 1 : 0;
}

const char *contribution_public_sql_order(const struct contribution_filter *f, enum contribution_public_order o)
{
	const int cat = f && given(f->category), ctry = f && given(f->country);
	const int campaign = !f || f->campaign == 0 ? 0 : f->campaign == CONTRIBUTION_NO_CAMPAIGN ? 1 : 2;
	return PUBLIC_LIST_SQL[cat][ctry][public_type(f)][campaign][o];
}

const char *contribution_public_sql(const struct contribution_filter *f, bool count)
{
	const int cat = f && given(f->category), ctry = f && given(f->country);
	const int campaign = !f || f->campaign == 0 ? 0 : f->campaign == CONTRIBUTION_NO_CAMPAIGN ? 1 : 2;
	const enum contribution_sort s = f ? f->sort : CONTRIBUTION_SORT_OLDEST;
	return count ? PUBLIC_COUNT_SQL[cat][ctry][public_type(f)][campaign]
	             : contribution_public_sql_order(
	                   f, s == CONTRIBUTION_SORT_NAME ? PUBLIC_BY_NAME : (enum contribution_public_order)s);
}

/* Binds the filter's parameters (?1 to ?3, ?5, ?8) to one of the statements above (the page's, ?6, ?7, ?9 and
 * ?10, are bound by public_rows; the type is written in the statement, and ?4 is no longer used). */
static void bind_public(struct db_stmt *st, int64_t call_id, const struct contribution_filter *f)
{
	db_bind_int(st, 1, call_id);
	db_bind_text(st, 2, f && given(f->category) ? f->category : "");
	db_bind_text(st, 3, f && given(f->country) ? f->country : "");
	db_bind_int(st, 5, contribution_filter_narrows(f));
	if (f && f->campaign > 0) /* only the statements for one campaign have ?8 */
		db_bind_int(st, 8, f->campaign);
}

/* Turns the n contributions of items round: a page read backwards from a cursor, in the list's order again. */
static void reverse_items(struct contribution *items, int n)
{
	for (int i = 0, j = n - 1; i < j; i++, j--) {
		struct contribution t = items[i];
		items[i] = items[j];
		items[j] = t;
	}
}

/* Reads the rows of order o from (id, key: ?9, ?10) into *out, *n (at most limit, after offset), appended to the
 * *n already there. 0 or -1. */
static int public_rows(struct db *db, struct arena *a, int64_t call_id, const struct contribution_filter *f,
                       enum contribution_public_order o, int64_t id, const char *key, int offset, int limit,
                       struct contribution **out, int *n, struct error *e)
{
	struct db_stmt *st = db_stmt(db, contribution_public_sql_order(f, o), e);
	if (!st)
		return -1;
	bind_public(st, call_id, f);
	db_bind_int(st, 9, id);
	db_bind_text(st, 10, key);
	db_bind_int(st, 6, limit);
	db_bind_int(st, 7, offset);
	struct contribution *more;
	int m;
	if (db_collect(st, a, (void **)&more, &m, sizeof *more, contribution_from_row, e) != 0)
		return -1;
	if (*n == 0) {
		*out = more;
		*n = m;
		return 0;
	}
	struct contribution *all = m ? arena_alloc(a, (size_t)(*n + m) * sizeof *all) : *out;
	if (!all) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (m) {
		memcpy(all, *out, (size_t)*n * sizeof *all);
		memcpy(all + *n, more, (size_t)m * sizeof *all);
	}
	*out = all;
	*n += m;
	return 0;
}

/* One page of the public list as f orders it: from offset without a cursor, else after or before the cursor's row
 * (read backwards, then turned round). By name from a cursor, the named ones and the rest are each a range of the
 * index; a page that reaches the end of one goes on in the other. */
static int public_page(struct db *db, struct arena *a, int64_t call_id, const struct contribution_filter *f, int offset,
                       int limit, struct contribution **out, int *n, struct error *e)
{
	const struct contribution_cursor *k = f ? f->cursor : NULL;
	const enum contribution_sort s = f ? f->sort : CONTRIBUTION_SORT_OLDEST;
	*out = NULL;
	*n = 0;
	if (s != CONTRIBUTION_SORT_NAME) {
		/* oldest first backwards is newest first, and the other way round; without a cursor, from below the
		 * first id (or above the last) */
		const bool newest = (s == CONTRIBUTION_SORT_NEWEST) != (k && k->before);
		if (public_rows(db, a, call_id, f, newest ? PUBLIC_NEWEST : PUBLIC_OLDEST,
		                k        ? k->id
		                : newest ? INT64_MAX
		                         : 0,
		                "", offset, limit, out, n, e) != 0)
			return -1;
	} else if (!k) {
		if (public_rows(db, a, call_id, f, PUBLIC_BY_NAME, 0, "", offset, limit, out, n, e) != 0)
			return -1;
	} else if (!k->before) {
		if ((k->named == 0 && public_rows(db, a, call_id, f, PUBLIC_NAMED_AFTER, k->id, k->name_key, 0, limit,
		                                  out, n, e) != 0) ||
		    (*n < limit && public_rows(db, a, call_id, f, PUBLIC_REST_AFTER, k->named == 0 ? 0 : k->id, "", 0,
		                               limit - *n, out, n, e) != 0))
			return -1;
	} else {
		if ((k->named == 1 &&
		     public_rows(db, a, call_id, f, PUBLIC_REST_BEFORE, k->id, "", 0, limit, out, n, e) != 0) ||
		    (*n < limit &&
		     public_rows(db, a, call_id, f, k->named == 1 ? PUBLIC_NAMED_FROM_END : PUBLIC_NAMED_BEFORE, k->id,
		                 k->name_key, 0, limit - *n, out, n, e) != 0))
			return -1;
	}
	if (k && k->before)
		reverse_items(*out, *n);
	return 0;
}

/* The cursor's text: "1" (its format), the order's first letter, "b" or "a" (before or after), the id, and by
 * name the two sort keys, joined by '.', the name key last (it may hold a '.'); then base64url, so that readers
 * take it whole and no character of a name needs escaping in a link. */
const char *contribution_cursor_make(struct db *db, struct arena *a, const struct contribution *c,
                                     enum contribution_sort sort, bool before, struct error *e)
{
	const char *plain;
	if (sort == CONTRIBUTION_SORT_NAME) {
		/* The key as the database computes it (lower() is the database's, not ours), so that the next page's
		 * comparison starts exactly at this row. */
		static const char sql[] =
		    "SELECT " PUBLIC_CLASS ", " PUBLIC_NAME_KEY " FROM contribution c WHERE c.id = ?";
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return NULL;
		db_bind_int(st, 1, c->id);
		if (db_step(st, e) != DB_ROW) {
			db_reset(st);
			if (!e->code)
				error_set(e, ERROR_NOT_FOUND, _("That contribution is gone."));
			return NULL;
		}
		bool failed = false;
		const int64_t named = db_col_int(st, 0);
		const char *key = db_col_dup(st, 1, a, &failed);
		db_reset(st);
		plain = failed ? NULL
		               : arena_printf(a, "1.%c.%c.%lld.%lld.%s", SORT_NAMES[sort][0], before ? 'b' : 'a',
		                              (long long)c->id, (long long)named, key ? key : "");
	} else {
		plain = arena_printf(a, "1.%c.%c.%lld", SORT_NAMES[sort][0], before ? 'b' : 'a', (long long)c->id);
	}
	const size_t len = plain ? strlen(plain) : 0;
	const size_t size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *text = plain ? arena_alloc(a, size) : NULL;
	if (!text || size > CONTRIBUTION_CURSOR_MAX + 1) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return NULL;
	}
	return sodium_bin2base64(text, size, (const unsigned char *)plain, len,
	                         sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The next '.'-ended field of *p as a whole number from lo to hi; false if it is not one. */
static bool cursor_number(const char **p, int64_t lo, int64_t hi, int64_t *out)
{
	const char *s = *p;
	int64_t v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < lo || v > hi || (*s != '.' && *s != '\0'))
		return false;
	*p = *s ? s + 1 : s;
	*out = v;
	return true;
}

bool contribution_cursor_parse(struct arena *a, const char *text, enum contribution_sort sort, bool before,
                               const char *field, struct contribution_cursor *out, struct error *e)
{
	const size_t len = text ? strlen(text) : 0;
	unsigned char *plain = len && len <= CONTRIBUTION_CURSOR_MAX ? arena_alloc(a, len + 1) : NULL;
	size_t n = 0;
	if (!plain ||
	    sodium_base642bin(plain, len, text, len, NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		error_field(e, field,
		            _("This is not a position in this list (a link's cursor, damaged or cut short): "
		              "start again from the list's first page."));
		return false;
	}
	plain[n] = '\0';
	const char *p = (const char *)plain;
	int64_t id = 0, named = 1;
	const bool ours = strlen(p) == n && !strncmp(p, "1.", 2) && p[2] && p[3] == '.' &&
	                  (p[4] == 'a' || p[4] == 'b') && p[5] == '.';
	if (ours && (p[2] != SORT_NAMES[sort][0] || (p[4] == 'b') != before)) {
		error_field(e, field,
		            _("This position belongs to another order of the list (or the other direction): "
		              "start again from the list's first page."));
		return false;
	}
	if (ours)
		p += 6;
	const bool ok = ours && cursor_number(&p, 1, INT64_MAX, &id) &&
	                (sort != CONTRIBUTION_SORT_NAME ? *p == '\0' : cursor_number(&p, 0, 1, &named)) &&
	                utf8_valid(p, strlen(p)) && (named == 0 || *p == '\0');
	if (!ok) {
		error_field(e, field,
		            _("This is not a position in this list (a link's cursor, damaged or cut short): "
		              "start again from the list's first page."));
		return false;
	}
	*out =
	    (struct contribution_cursor){.sort = sort, .before = before, .id = id, .named = (int)named, .name_key = p};
	return true;
}

int contribution_list_public(struct db *db, struct arena *a, int64_t call_id, const struct contribution_filter *f,
                             int offset, int limit, struct contribution **out, int *n, int64_t *total, int64_t *hidden,
                             struct error *e)
{
	enum comment_type type = COMMENT_GENERAL;
	if (f && given(f->type) && !comment_type_parse(f->type, &type))
		error_field(e, "type", _("Use one of general, technical or editorial."));
	if (f && given(f->country) && !country_name(f->country))
		error_field(e, "country", _("Use a country's ISO 3166 code, such as CH."));
	if (f && given(f->category) && !process_slug_valid(f->category))
		error_field(e, "category", _("Use a category's slug, such as academia."));
	if (e->code)
		return -1;
	if (f && f->cursor && (f->cursor->sort != f->sort || offset != 0)) {
		error_set(e, ERROR_INTERNAL, "a cursor of another order, or with an offset");
		return -1;
	}
	/* The whole list, or one narrowed by category, country, comment type (or several) or to the contributions in
	 * no campaign, is counted from contribution_tally (migrations 033 and 041: kept by triggers in the writing
	 * transaction, per call, category, country and the types of the comments), not by reading the call's rows;
	 * narrowed, it holds published ones only (as PUBLIC_WHERE's ?5). One campaign's members, narrowed by nothing
	 * else, are counted by the campaign's row (its published members: campaign.h). One campaign narrowed further
	 * is counted by its statement. An unknown category's slug counts nothing, as the list's statement finds
	 * nothing. ?4 is 1 for the contributions in no campaign; ?5 the type's bit (COMMENT_TYPE_BIT), 0 for none. */
	static const char sql_tally[] =
	    "SELECT CAST(COALESCE(sum(published - CASE WHEN ?4 <> 0 THEN grouped ELSE 0 END + "
	    "CASE WHEN ?2 = '' AND ?3 = '' AND ?4 = 0 AND ?5 = 0 THEN hidden ELSE 0 END), 0) AS BIGINT), "
	    "CAST(COALESCE(sum(CASE WHEN ?2 = '' AND ?3 = '' AND ?4 = 0 AND ?5 = 0 THEN hidden ELSE 0 END), 0) AS BIGINT) "
	    "FROM contribution_tally WHERE call_id = ?1 AND (?2 = '' OR country = ?2) AND (?3 = '' OR category_id = "
	    "(SELECT g.id FROM category g JOIN call l ON l.process_id = g.process_id WHERE l.id = ?1 AND g.slug = ?3)) "
	    "AND (?5 = 0 OR (comment_types & ?5) <> 0)";
	static const char sql_campaign[] =
	    "SELECT CAST(COALESCE(sum(published), 0) AS BIGINT), 0 FROM campaign WHERE id = ?2 AND call_id = ?1";
	const bool plain = !f || (!given(f->type) && !given(f->category) && !given(f->country));
	const bool tallied = !f || f->campaign == 0 || f->campaign == CONTRIBUTION_NO_CAMPAIGN;
	const bool one_campaign = plain && f && f->campaign > 0;
	struct db_stmt *st = db_stmt(db,
	                             tallied        ? sql_tally
	                             : one_campaign ? sql_campaign
	                                            : contribution_public_sql(f, true),
	                             e);
	if (!st)
		return -1;
	if (tallied) {
		db_bind_int(st, 1, call_id);
		db_bind_text(st, 2, f && given(f->country) ? f->country : "");
		db_bind_text(st, 3, f && given(f->category) ? f->category : "");
		db_bind_int(st, 4, f && f->campaign == CONTRIBUTION_NO_CAMPAIGN);
		db_bind_int(st, 5, given(f ? f->type : NULL) ? COMMENT_TYPE_BIT(type) : 0);
	} else if (one_campaign) {
		db_bind_int(st, 1, call_id);
		db_bind_int(st, 2, f->campaign);
	} else {
		bind_public(st, call_id, f);
	}
	if (db_step(st, e) != DB_ROW) {
		db_reset(st);
		return -1;
	}
	*total = db_col_int(st, 0);
	*hidden = db_col_int(st, 1);
	db_reset(st);
	if (*total == 0) { /* nothing to read: an index may still hold rows the list does not show */
		*out = NULL;
		*n = 0;
		return 0;
	}
	return public_page(db, a, call_id, f, offset, limit, out, n, e);
}

int contribution_list(struct db *db, struct arena *a, int64_t call_id, const enum contribution_state *state,
		      int offset, int limit, struct contribution **out, int *n, int64_t *total, struct error *e)
{
	/* ?2 = '' is every state */
	static const char sql_count[] =
		"SELECT count(*) FROM contribution WHERE call_id = ?1 AND (?2 = '' OR state = ?2)";
	static const char sql[] = CONTRIBUTION_COLUMNS
		"WHERE c.call_id = ?1 AND (?2 = '' OR c.state = ?2) ORDER BY c.id LIMIT ?3 OFFSET ?4";
	struct db_stmt *st = db_stmt(db, sql_count, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_text(st, 2, state ? contribution_state_name(*state) : "");
	if (db_step(st, e) != DB_ROW)
		return -1;
	*total = db_col_int(st, 0);
	db_reset(st);
	st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_text(st, 2, state ? contribution_state_name(*state) : "");
	db_bind_int(st, 3, limit);
	db_bind_int(st, 4, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, contribution_from_row, e);
}

int contribution_list_late(struct db *db, struct arena *a, int64_t call_id, int offset, int limit,
			   struct contribution **out, int *n, int64_t *total, struct error *e)
{
	static const char sql_count[] =
		"SELECT count(*) FROM contribution WHERE call_id = ?1 AND late <> 0 AND admitted_at IS NULL";
	static const char sql[] = CONTRIBUTION_COLUMNS
		"WHERE c.call_id = ?1 AND c.late <> 0 AND c.admitted_at IS NULL ORDER BY c.id LIMIT ?2 OFFSET ?3";
	struct db_stmt *st = db_stmt(db, sql_count, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	if (db_step(st, e) != DB_ROW)
		return -1;
	*total = db_col_int(st, 0);
	db_reset(st);
	st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, contribution_from_row, e);
}

static int country_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int contribution_countries(struct db *db, struct arena *a, int64_t call_id, const char ***out, int *n,
			   struct error *e)
{
	/* kept per call, category and country by migration 033's triggers: a few thousand rows at most, whatever the
	 * call's size */
	static const char sql[] = "SELECT DISTINCT country FROM contribution_tally WHERE call_id = ? AND published > 0 "
				  "ORDER BY country";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, country_from_row, e);
}

static json_t *moderation_json(const struct contribution *c)
{
	return json_pack("{s:s,s:o}", "state", contribution_state_name(c->state), "reason",
			 c->moderation_reason ? json_string(c->moderation_reason) : json_null());
}

static json_t *admission_json(const struct contribution *c)
{
	return json_pack("{s:s,s:b,s:b}", "state", contribution_state_name(c->state), "late", c->late, "admitted",
			 c->admitted_at != 0);
}

/* Admits the late contribution `before` (of a call in process_id) with the state it takes then, inside the
 * caller's transaction, with its audit entry "contribution.admit": the one way a late contribution is
 * admitted, whether the secretariat admits it or publishes it through moderation. */
/* Whether its campaign counts it among the members the public sees (core/campaign.h). */
static bool campaign_public(enum contribution_state s, enum contribution_publication p)
{
	return s == CONTRIBUTION_PUBLISHED && p != PUBLICATION_PRIVATE;
}

static int contribution_admit_in(struct db *db, struct arena *a, const struct actor *who, int64_t process_id,
				 const struct contribution *before, enum contribution_state state, struct error *e)
{
	static const char sql[] = "UPDATE contribution SET admitted_at = ?, state = ? WHERE id = ?";
	struct contribution after;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, clock_now());
	db_bind_text(st, 2, contribution_state_name(state));
	db_bind_int(st, 3, before->id);
	if (db_exec_stmt(st, e) != 0 ||
	    campaign_publicity(db, before->id, campaign_public(before->state, before->publication),
			       campaign_public(state, before->publication), e) != 0 ||
	    contribution_find(db, a, before->tracking, &after, e) != 0 ||
	    document_comments_changed(db, before->call_id, e) != 0 || search_contribution_sync(db, before->id, e) != 0 ||
	    audit_record(db, who, process_id, "contribution.admit", arena_printf(a, "contribution:%s", before->tracking),
			 audit_json(a, admission_json(before)), audit_json(a, admission_json(&after)), e) != 0)
		return -1;
	log_event("contribution.admitted", "tracking=%s state=%s", after.tracking, contribution_state_name(after.state));
	return 0;
}

int contribution_moderate(struct db *db, struct arena *a, const struct actor *who, const char *tracking,
			  const char *action, const char *reason, struct contribution *out, struct error *e)
{
	enum moderation_action m = MODERATION_PUBLISH;
	action = field_trimmed(a, action);
	reason = field_trimmed(a, reason);
	const bool known = moderation_action_parse(action, &m);
	if (!known)
		error_field(e, "action", _("Choose to publish it, to hide it or to mark it as spam."));
	const enum contribution_state state = moderation_action_state(m);
	/* The reason for hiding is shown to the public in the contribution's place. */
	field_check_text(e, "reason", reason, known && state == CONTRIBUTION_HIDDEN, LIMIT_REASON,
	                 N_("the reason for hiding it; the public sees it in its place"));
	if (e->code)
		return -1;
	if (reason && !*reason)
		reason = NULL;
	static const char sql[] =
		"UPDATE contribution SET state = ?, moderation_reason = ?, moderated_at = ? WHERE id = ?";
	if (db_begin(db, e) != 0)
		return -1;
	struct contribution before, after;
	if (contribution_find(db, a, tracking, &before, e) != 0)
		goto fail;
	const bool same_reason = !before.moderation_reason == !reason &&
				 (!reason || !strcmp(before.moderation_reason, reason));
	if (before.state == state && (state != CONTRIBUTION_HIDDEN || same_reason)) {
		/* a whole sentence for each state: the enum's name is no word of the reader's language */
		const char *already = state == CONTRIBUTION_PUBLISHED ? _("This contribution is published already.")
		                      : state == CONTRIBUTION_HIDDEN  ? _("This contribution is hidden already, for this reason.")
		                      : state == CONTRIBUTION_SPAM    ? _("This contribution is marked as spam already.")
		                                                      : _("This contribution awaits review already.");
		error_set(e, ERROR_CONFLICT, "%s", already);
		goto fail;
	}
	struct call call;
	if (call_find(db, a, before.call_id, &call, e) != 0)
		goto fail;
	/* Publishing a late contribution takes it into account: it is admitted, as the Admit action does. */
	const bool admit = state == CONTRIBUTION_PUBLISHED && before.late && !before.admitted_at;
	if (admit && contribution_admit_in(db, a, who, call.process_id, &before, state, e) != 0)
		goto fail;
	/* what its campaign counted it as, after the admission if there was one */
	const bool was_public = campaign_public(admit ? state : before.state, before.publication);
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, contribution_state_name(state));
	db_bind_text(st, 2, reason);
	db_bind_int(st, 3, clock_now());
	db_bind_int(st, 4, before.id);
	/* Published, hidden or marked spam: what the version's pages show of it changes. */
	if (db_exec_stmt(st, e) != 0 ||
	    campaign_publicity(db, before.id, was_public, campaign_public(state, before.publication), e) != 0 ||
	    contribution_find(db, a, before.tracking, &after, e) != 0 ||
	    document_comments_changed(db, before.call_id, e) != 0 || search_contribution_sync(db, before.id, e) != 0 ||
	    audit_record(db, who, call.process_id, "contribution.moderate",
			 arena_printf(a, "contribution:%s", before.tracking), audit_json(a, moderation_json(&before)),
			 audit_json(a, moderation_json(&after)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	log_event("contribution.moderated", "tracking=%s state=%s", after.tracking,
		  contribution_state_name(after.state));
	if (out)
		*out = after;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int contribution_list_account(struct db *db, struct arena *a, int64_t account_id, int offset, int limit,
			      struct contribution **out, int *n, struct error *e)
{
	static const char sql[] = CONTRIBUTION_COLUMNS "WHERE c.account_id = ? ORDER BY c.id DESC LIMIT ? OFFSET ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, account_id);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, contribution_from_row, e);
}

static int attachment_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct contribution_attachment *f = element;
	bool failed = false;
	f->name = db_col_dup(st, 0, a, &failed);
	f->size = (size_t)db_col_int(st, 1);
	f->declared_type = db_col_dup(st, 2, a, &failed);
	f->type = db_col_dup(st, 3, a, &failed);
	const char *sha = db_col_text(st, 4);
	snprintf(f->sha256, sizeof f->sha256, "%s", sha ? sha : "");
	f->text = db_col_dup(st, 5, a, &failed);
	f->position = (int)db_col_int(st, 6);
	if (!attachment_scan_parse(db_col_text(st, 7), &f->scan))
		return DB_FILL_UNKNOWN;
	return failed ? -1 : 0;
}

int contribution_attachments(struct db *db, struct arena *a, struct contribution *c, struct error *e)
{
	static const char sql[] = "SELECT name, size, declared_type, type, sha256, text, position, scan FROM attachment "
				  "WHERE contribution_id = ? ORDER BY position";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, c->id);
	c->attachments = NULL;
	c->nattachments = 0;
	return db_collect(st, a, (void **)&c->attachments, &c->nattachments, sizeof *c->attachments,
			  attachment_from_row, e);
}

int contribution_admit(struct db *db, struct arena *a, const struct actor *who, const char *tracking,
		       struct contribution *out, struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	struct contribution before;
	struct call call;
	if (contribution_find(db, a, tracking, &before, e) != 0)
		goto fail;
	if (!before.late) {
		error_set(e, ERROR_CONFLICT,
		          _("This contribution arrived before the deadline: there is nothing to admit."));
		goto fail;
	}
	if (before.admitted_at) {
		error_set(e, ERROR_CONFLICT, _("This contribution is admitted already."));
		goto fail;
	}
	if (call_find(db, a, before.call_id, &call, e) != 0)
		goto fail;
	/* Admitted, it is as if it had come in time; moderation already done to it stands. */
	enum contribution_state state = before.state;
	if (before.state == CONTRIBUTION_PENDING)
		state = call.review == REVIEW_AFTER_REVIEW ? CONTRIBUTION_PENDING : CONTRIBUTION_PUBLISHED;
	if (contribution_admit_in(db, a, who, call.process_id, &before, state, e) != 0 ||
	    (out && contribution_find(db, a, before.tracking, out, e) != 0) || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
