/* subscription — see subscription.h. */
#include "core/subscription.h"

#include "core/account.h"
#include "core/audit.h"
#include "core/call.h"
#include "core/config.h"
#include "core/deadline.h"
#include "core/field.h"
#include "core/outbox.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/tz.h"

#include <jansson.h>
#include <string.h>

static const char *object_of(struct arena *a, int64_t id)
{
	return arena_printf(a, "subscription:%lld", (long long)id);
}

/* A token of the right shape, hashed; false for anything else (then no query is needed). */
static bool token_hash_of(const char *token, char hash[SECRET_HASH_LEN + 1])
{
	if (!token || strlen(token) != SECRET_TOKEN_LEN)
		return false;
	secret_hash(token, hash);
	return true;
}

static void not_valid(struct error *e)
{
	error_set(e, ERROR_NOT_FOUND, _("This link is not valid: it may be incomplete, or a newer mail replaced it."));
}

#define SUBSCRIPTION_COLUMNS                                                                                           \
	"SELECT s.id, s.process_id, p.slug, p.title, s.email, s.confirmed_at IS NOT NULL, s.left_at IS NOT NULL, "     \
	"s.created_at FROM subscription s JOIN process p ON p.id = s.process_id "

/* The row, and when it was last requested (the confirmation link's age). */
struct subscription_row {
	struct subscription s;
	int64_t requested_at;
};

static int row_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct subscription_row *x = element;
	bool failed = false;
	x->s.id = db_col_int(st, 0);
	x->s.process_id = db_col_int(st, 1);
	x->s.process_slug = db_col_dup(st, 2, a, &failed);
	x->s.process_title = db_col_dup(st, 3, a, &failed);
	x->s.email = db_col_dup(st, 4, a, &failed);
	x->s.confirmed = db_col_int(st, 5) != 0;
	x->s.left = db_col_int(st, 6) != 0;
	x->requested_at = db_col_int(st, 7);
	return failed ? -1 : 0;
}

/* The confirmation mail of a new or renewed request, with its link. */
static int confirmation_mail(struct db *db, struct arena *a, const struct process *p, const char *email,
                             const char *token, const char *requester, struct error *e)
{
	/* in the language of the address's account if it chose one (core/account.h), else the request's */
	const char *was = i18n_current();
	i18n_use(account_mail_language_for(db, email, was));
	const char *link = arena_printf(a, "%s/subscriptions/confirm?token=%s", config_get()->public_url, token);
	/* by the name of the address's account, if it has one (its holder typed it, not the requester) */
	const char *greeting = outbox_greeting(a, account_mail_name_for(db, a, email, NULL));
	const char *words = arena_printf(
	    a,
	    /* TRANSLATORS: %d is a number of days, several (SUBSCRIPTION_CONFIRM_SECONDS: 7 today). */
	    _("Someone (we hope you) asked to follow the consultation \"%s\" with this address.\n\n"
	      "To confirm, open this link within %d days:\n\n%s\n\n"
	      "You will then get a short notice by e-mail when a new version of a document is posted, a date of "
	      "the schedule moves, or a call for contributions opens, changes or is about to close. Every notice "
	      "has a link to stop.\n\n"
	      "If you did not ask for this, ignore this message: without confirmation nothing more is sent.\n"),
	    p->title, SUBSCRIPTION_CONFIRM_SECONDS / 86400, link);
	const char *body = words && greeting ? arena_printf(a, "%s\n\n%s", greeting, words) : NULL;
	const char *subject = arena_printf(a, _("Confirm: follow \"%s\""), p->title);
	struct outbox_mail mail = {.kind = "subscription",
	                           .to = email,
	                           .subject = subject,
	                           .body = body,
	                           .requester = requester,
	                           .language = i18n_current(),
	                           .translated = true};
	i18n_use(was);
	if (!link || !body || !subject) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return outbox_enqueue(db, &mail, e);
}

int subscription_request(struct db *db, struct arena *a, const char *process_slug, const char *email,
                         const char *requester, struct error *e)
{
	const char *clean = field_trimmed(a, email);
	field_check_email(e, "email", clean);
	if (!e->code) {
		int budget = outbox_requester_allowed(db, requester, e);
		if (budget < 0)
			return -1;
		if (!budget) {
			error_set(e, ERROR_THROTTLED,
			          _("Too many mails were asked for from your network in the last hour. "
			            "Try again in an hour."));
			return -1;
		}
	}
	if (db_begin(db, e) != 0)
		return -1;
	struct process p;
	struct error lookup;
	error_clear(&lookup);
	if (!process_slug || !*process_slug) {
		error_field(e, "process",
		            _("Say which consultation to follow (the name in its address, /processes/NAME)."));
	} else if (process_find(db, a, process_slug, &p, &lookup) != 0) {
		if (lookup.code && strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
			*e = lookup;
			goto fail;
		}
		error_field(e, "process", _("There is no consultation with this name."));
	}
	if (e->code)
		goto fail;

	static const char sql_find[] = SUBSCRIPTION_COLUMNS "WHERE s.process_id = ? AND s.email = ?";
	struct db_stmt *st = db_stmt(db, sql_find, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, p.id);
	db_bind_text(st, 2, clean);
	struct subscription_row old = {0};
	struct error none;
	error_clear(&none);
	bool exists = db_collect_one(st, a, &old, row_fill, "none", &none) == 0;
	if (!exists && strcmp(none.code, ERROR_NOT_FOUND) != 0) {
		*e = none;
		goto fail;
	}
	if (exists && old.s.confirmed && !old.s.left) {
		/* Already following: nothing changes and nothing is sent, and the caller answers as for a new one. */
		db_rollback(db);
		return 0;
	}
	int allowed = outbox_allowed(db, "subscription", clean, requester, e);
	if (allowed < 0)
		goto fail;
	if (!allowed) {
		/* Over the limit: nothing is sent, so the link sent last must stay the live one. */
		log_event("mail.withheld", "kind=subscription requester=%s reason=\"over the hourly limit\"",
		          requester ? requester : "-");
		db_rollback(db);
		return 0;
	}

	char token[SECRET_TOKEN_LEN + 1], hash[SECRET_HASH_LEN + 1];
	secret_token(token);
	secret_hash(token, hash);
	const int64_t now = clock_now();
	/* The language of the request (the page's or the API's): the confirmation and every notice are in it. */
	const char *language = i18n_current() ? i18n_current() : I18N_DEFAULT;
	int64_t id;
	if (exists) {
		/* A pending request asked again (the first mail may be lost) or a subscriber who left and comes
		 * back: a new token, so only the newest link works, and confirmation is needed again. */
		static const char sql[] =
		    "UPDATE subscription SET token_hash = ?, created_at = ?, confirmed_at = NULL, "
		    "left_at = NULL, language = ? WHERE id = ?";
		if (!(st = db_stmt(db, sql, e)))
			goto fail;
		db_bind_text(st, 1, hash);
		db_bind_int(st, 2, now);
		db_bind_text(st, 3, language);
		db_bind_int(st, 4, old.s.id);
		if (db_exec_stmt(st, e) != 0)
			goto fail;
		id = old.s.id;
	} else {
		static const char sql[] = "INSERT INTO subscription (process_id, email, token_hash, created_at, "
		                          "language) VALUES (?, ?, ?, ?, ?) "
		                          "RETURNING id";
		if (!(st = db_stmt(db, sql, e)))
			goto fail;
		db_bind_int(st, 1, p.id);
		db_bind_text(st, 2, clean);
		db_bind_text(st, 3, hash);
		db_bind_int(st, 4, now);
		db_bind_text(st, 5, language);
		if (db_insert_id(st, &id, e) != 0)
			goto fail;
	}
	const char *before =
	    exists ? audit_json(a, json_pack("{s:s}", "state", old.s.left ? "left" : "pending")) : NULL;
	const char *after =
	    audit_json(a, json_pack("{s:s,s:s,s:s}", "email", clean, "process", p.slug, "state", "pending"));
	if (confirmation_mail(db, a, &p, clean, token, requester, e) != 0 ||
	    audit_record(db, &ACTOR_PUBLIC, p.id, "subscription.request", object_of(a, id), before, after, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	log_event("subscription.request", "subscription=%lld process=%s", (long long)id, p.slug);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int subscription_confirm(struct db *db, struct arena *a, const char *token, struct subscription *out, struct error *e)
{
	char hash[SECRET_HASH_LEN + 1];
	if (!token_hash_of(token, hash)) {
		not_valid(e);
		return -1;
	}
	if (db_begin(db, e) != 0)
		return -1;
	static const char sql_find[] = SUBSCRIPTION_COLUMNS "WHERE s.token_hash = ?";
	struct db_stmt *st = db_stmt(db, sql_find, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, hash);
	struct subscription_row row;
	if (db_collect_one(st, a, &row, row_fill, "", e) != 0) {
		if (!strcmp(e->code, ERROR_NOT_FOUND))
			not_valid(e);
		goto fail;
	}
	*out = row.s;
	if (row.s.left) {
		error_set(e, ERROR_NOT_FOUND,
		          _("You stopped following this consultation. To follow it again, ask on its "
		            "page: a new link will be sent."));
		goto fail;
	}
	if (row.s.confirmed) {
		db_rollback(db); /* confirming twice (a second click) changes nothing */
		return 0;
	}
	const int64_t now = clock_now();
	if (now - row.requested_at > SUBSCRIPTION_CONFIRM_SECONDS) {
		error_set(e, ERROR_NOT_FOUND,
		          _("This link has expired. Ask again on the consultation's page: a new link "
		            "will be sent."));
		goto fail;
	}
	static const char sql[] = "UPDATE subscription SET confirmed_at = ? WHERE id = ?";
	if (!(st = db_stmt(db, sql, e)))
		goto fail;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, row.s.id);
	if (db_exec_stmt(st, e) != 0 ||
	    audit_record(db, &ACTOR_PUBLIC, row.s.process_id, "subscription.confirm", object_of(a, row.s.id),
	                 audit_json(a, json_pack("{s:s}", "state", "pending")),
	                 audit_json(a, json_pack("{s:s}", "state", "confirmed")), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	out->confirmed = true;
	log_event("subscription.confirm", "subscription=%lld process=%s", (long long)row.s.id, row.s.process_slug);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int subscription_find_token(struct db *db, struct arena *a, const char *token, struct subscription *out,
                            struct error *e)
{
	char hash[SECRET_HASH_LEN + 1];
	if (!token_hash_of(token, hash)) {
		not_valid(e);
		return -1;
	}
	/* A notice's leave link, or the confirmation link (which also lets one withdraw). */
	static const char sql[] = SUBSCRIPTION_COLUMNS
	    "WHERE s.token_hash = ? OR s.id = (SELECT subscription_id FROM subscription_leave WHERE token_hash = ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hash);
	db_bind_text(st, 2, hash);
	struct subscription_row row;
	if (db_collect_one(st, a, &row, row_fill, "", e) != 0) {
		if (!strcmp(e->code, ERROR_NOT_FOUND))
			not_valid(e);
		return -1;
	}
	*out = row.s;
	return 0;
}

int subscription_leave(struct db *db, struct arena *a, const char *token, struct subscription *out, struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	if (subscription_find_token(db, a, token, out, e) != 0)
		goto fail;
	if (out->left) {
		db_rollback(db); /* a second click, or the mail program's one-click POST after the person's */
		return 0;
	}
	static const char sql[] = "UPDATE subscription SET left_at = ? WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, clock_now());
	db_bind_int(st, 2, out->id);
	if (db_exec_stmt(st, e) != 0 ||
	    audit_record(db, &ACTOR_PUBLIC, out->process_id, "subscription.leave", object_of(a, out->id),
	                 audit_json(a, json_pack("{s:s}", "state", out->confirmed ? "confirmed" : "pending")),
	                 audit_json(a, json_pack("{s:s}", "state", "left")), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	out->left = true;
	log_event("subscription.leave", "subscription=%lld process=%s", (long long)out->id, out->process_slug);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

struct subscriber {
	int64_t id;
	const char *email;
	const char *language; /* as subscribed in, or NULL */
};

static int subscriber_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct subscriber *x = element;
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->email = db_col_dup(st, 1, a, &failed);
	x->language = db_col_dup(st, 2, a, &failed);
	return failed ? -1 : 0;
}

/* One notice to one subscriber: a new leave link of its own (only its hash kept), under the body and in
 * List-Unsubscribe. The text is made in a scratch arena, so a process with many subscribers does not grow
 * the caller's arena by one copy of the body each. Its footer is in the thread's language, the subscriber's. */
static int notice_one(struct db *db, const struct subscriber *to, const char *process_title, const char *subject,
                      const char *body, struct error *e)
{
	char token[SECRET_TOKEN_LEN + 1], hash[SECRET_HASH_LEN + 1];
	secret_token(token);
	secret_hash(token, hash);
	static const char sql[] = "INSERT INTO subscription_leave (token_hash, subscription_id, created_at) "
	                          "VALUES (?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, to->id);
	db_bind_int(st, 3, clock_now());
	if (db_exec_stmt(st, e) != 0)
		return -1;
	struct arena scratch;
	arena_init(&scratch);
	size_t n = strlen(body);
	const char *link = arena_printf(&scratch, "%s/subscriptions/leave?token=%s", config_get()->public_url, token);
	const char *footer = link ? arena_printf(&scratch,
	                                         _("You get this notice because you follow \"%s\" on Consulta.\n"
	                                           "To stop, open this link: %s\n"),
	                                         process_title, link)
	                          : NULL;
	/* greeted as the confirmation was: by the name of the address's account, if it has one */
	const char *greeting = outbox_greeting(&scratch, account_mail_name_for(db, &scratch, to->email, NULL));
	const char *text = footer && greeting ? arena_printf(&scratch, "%s\n\n%s%s-- \n%s", greeting, body,
	                                                     n && body[n - 1] == '\n' ? "" : "\n", footer)
	                                      : NULL;
	int rc = -1;
	if (!text) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
	} else {
		struct outbox_mail mail = {.kind = "notice",
		                           .to = to->email,
		                           .subject = subject,
		                           .body = text,
		                           .list_unsubscribe = link,
		                           .translated = true};
		rc = outbox_enqueue(db, &mail, e);
	}
	arena_free(&scratch);
	return rc;
}

int subscription_leave_link(struct db *db, struct arena *a, int64_t subscription_id, const char **link,
                            struct error *e)
{
	char token[SECRET_TOKEN_LEN + 1], hash[SECRET_HASH_LEN + 1];
	secret_token(token);
	secret_hash(token, hash);
	static const char sql[] = "INSERT INTO subscription_leave (token_hash, subscription_id, created_at) "
	                          "VALUES (?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, subscription_id);
	db_bind_int(st, 3, clock_now());
	if (db_exec_stmt(st, e) != 0)
		return -1;
	*link = arena_printf(a, "%s/subscriptions/leave?token=%s", config_get()->public_url, token);
	if (!*link) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

/* subscription_notify(), and how many notices it queued. */
static int notify_count(struct db *db, struct arena *a, int64_t process_id, subscription_compose compose,
                        const void *ctx, int *count, struct error *e)
{
	*count = 0;
	static const char sql[] =
	    "SELECT id, email, language FROM subscription WHERE process_id = ? AND confirmed_at IS NOT NULL "
	    "AND left_at IS NULL ORDER BY id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	struct subscriber *list;
	int n;
	if (db_collect(st, a, (void **)&list, &n, sizeof *list, subscriber_fill, e) != 0)
		return -1;
	if (n == 0)
		return 0;
	struct process p;
	if (process_find_id_bare(db, a, process_id, &p, e) != 0)
		return -1;
	/* A subscription from before languages were recorded reads the process's first language. */
	const struct i18n_language *first = i18n_first_of(p.languages);
	if (!first)
		first = i18n_find(I18N_DEFAULT);
	/* Each offered language in turn: composed once, for its subscribers. Six passes over the list cost less
	 * than sorting it, and each subscriber still gets its notice in the list's order within a language. */
	size_t nlangs;
	const struct i18n_language *langs = i18n_languages(&nlangs);
	/* Each subscriber's language by the one rule (core/account.h): its account's if it chose one, else the
	 * subscription's. */
	for (int i = 0; i < n; i++)
		list[i].language = account_mail_language_for(db, list[i].email, list[i].language);
	const char *was = i18n_current();
	int rc = 0;
	for (size_t l = 0; l < nlangs && rc == 0; l++) {
		const char *subject = NULL, *body = NULL;
		for (int i = 0; i < n && rc == 0; i++) {
			const struct i18n_language *of = list[i].language ? i18n_find(list[i].language) : NULL;
			if ((of ? of : first) != &langs[l])
				continue;
			i18n_use(langs[l].code);
			if (!subject && compose(a, ctx, &subject, &body) != 0) {
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
				rc = -1;
			} else {
				rc = notice_one(db, &list[i], p.title, subject, body, e);
			}
			i18n_use(was);
		}
	}
	if (rc == 0)
		*count = n;
	return rc;
}

int subscription_notify(struct db *db, struct arena *a, int64_t process_id, subscription_compose compose,
                        const void *ctx, struct error *e)
{
	int n;
	return notify_count(db, a, process_id, compose, ctx, &n, e);
}

static int call_id_fill(struct arena *a, struct db_stmt *st, void *element)
{
	(void)a;
	*(int64_t *)element = db_col_int(st, 0);
	return 0;
}

/* The "about to close" notice of call ctx, in the thread's language (subscription_compose). */
static int closing_compose(struct arena *a, const void *ctx, const char **subject, const char **body)
{
	const struct call *c = ctx;
	const char *deadline = deadline_sentence(a, c, clock_now());
	*subject = arena_printf(a, _("Closing soon: %s"), c->title);
	*body = deadline ? arena_printf(a,
	                                _("The call for contributions \"%s\" closes soon.\n\n"
	                                  "%s\n"
	                                  "Process: %s\nOn: %s, %s\n\n"
	                                  "Send a contribution: %s/calls/%lld/contribute\n"),
	                                c->title, deadline, c->process_title, c->document_title, c->version_label,
	                                config_get()->public_url, (long long)c->id)
	                 : NULL;
	return *subject && *body ? 0 : -1;
}

/* The "about to close" notice of one call, unless it was sent already; its own transaction. */
static int closing_notice(struct db *db, struct arena *a, int64_t call_id, bool *sent, struct error *e)
{
	*sent = false;
	if (db_begin(db, e) != 0)
		return -1;
	/* The flag is set first and checked by the UPDATE itself, so two servers on one database cannot both send. */
	static const char sql[] = "UPDATE call SET closing_notice_sent = 1 WHERE id = ? AND closing_notice_sent = 0";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, call_id);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	if (db_changes(db) == 0) {
		db_rollback(db);
		return 0;
	}
	struct call c;
	if (call_find(db, a, call_id, &c, e) != 0)
		goto fail;
	int count;
	if (notify_count(db, a, c.process_id, closing_compose, &c, &count, e) != 0 ||
	    audit_record(db, &ACTOR_SYSTEM, c.process_id, "subscription.closing_notice",
	                 arena_printf(a, "call:%lld", (long long)c.id), NULL,
	                 audit_json(a, json_pack("{s:i}", "notices", count)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	log_event("subscription.closing_notice", "call=%lld notices=%d", (long long)c.id, count);
	*sent = true;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int subscription_closing_notices(struct db *db, struct arena *a, int64_t now, int *calls, struct error *e)
{
	*calls = 0;
	static const char sql[] =
	    "SELECT id FROM call WHERE closing_notice_sent = 0 AND opens_at <= ? AND closes_at >= ? "
	    "AND closes_at <= ? ORDER BY id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, now + SUBSCRIPTION_CLOSING_SECONDS);
	int64_t *ids;
	int n;
	if (db_collect(st, a, (void **)&ids, &n, sizeof *ids, call_id_fill, e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		bool sent;
		if (closing_notice(db, a, ids[i], &sent, e) != 0)
			return -1;
		*calls += sent;
	}
	return 0;
}
