/* account — see account.h. */
#include "core/account.h"

#include "core/config.h"
#include "core/country.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/outbox.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/utf8.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The names of enum account_role, in its order: what the database and the command line hold. */
static const char *const ROLE_NAMES[] = {[ACCOUNT_STAKEHOLDER] = "stakeholder", [ACCOUNT_SECRETARIAT] = "secretariat"};

const char *account_role_name(enum account_role role)
{
	return ROLE_NAMES[role];
}

bool account_role_parse(const char *name, enum account_role *out)
{
	const int i = field_enum_index(ROLE_NAMES, (int)(sizeof ROLE_NAMES / sizeof *ROLE_NAMES), name);
	if (i >= 0)
		*out = (enum account_role)i;
	return i >= 0;
}

struct actor account_actor(const struct account *acc)
{
	struct actor who = {acc->id, acc->email};
	return who;
}

bool account_password_acceptable(const char *password, struct error *e, const char *field)
{
	if (!password || !*password) {
		error_field(e, field, _("Choose a password."));
		return false;
	}
	size_t n = strlen(password);
	if (!utf8_valid(password, n) || utf8_has_control(password, false)) {
		error_field(e, field, _("Use letters, digits, spaces and punctuation only."));
		return false;
	}
	size_t chars = utf8_length(password);
	if (chars < SECRET_PASSWORD_MIN || n > SECRET_PASSWORD_MAX) {
		error_field(e, field, _("Use %d to %d characters; a few words make a good password."),
		            SECRET_PASSWORD_MIN, SECRET_PASSWORD_MAX);
		return false;
	}
	return true;
}

static int account_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct account *acc = element;
	bool failed = false;
	acc->id = db_col_int(st, 0);
	acc->email = db_col_dup(st, 1, a, &failed);
	acc->name = db_col_dup(st, 2, a, &failed);
	acc->organization = db_col_dup(st, 3, a, &failed);
	acc->category = db_col_dup(st, 4, a, &failed);
	acc->country = db_col_dup(st, 5, a, &failed);
	if (!account_role_parse(db_col_text(st, 6), &acc->role))
		return DB_FILL_UNKNOWN;
	acc->confirmed = !db_col_null(st, 7);
	acc->has_password = !db_col_null(st, 8);
	acc->language = db_col_null(st, 9) ? NULL : db_col_dup(st, 9, a, &failed);
	return failed ? -1 : 0;
}

#define ACCOUNT_COLUMNS                                                                                       \
	"SELECT a.id, a.email, a.name, a.organization, a.category, a.country, a.role, a.email_confirmed_at, " \
	"a.password_hash, a.language FROM account a "

int account_find_email(struct db *db, struct arena *a, const char *email, struct account *out, struct error *e)
{
	static const char sql[] = ACCOUNT_COLUMNS "WHERE a.email = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, email);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, account_from_row, "There is no account with this e-mail address.", e);
}

int account_find_id(struct db *db, struct arena *a, int64_t id, struct account *out, struct error *e)
{
	static const char sql[] = ACCOUNT_COLUMNS "WHERE a.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, account_from_row, "There is no such account.", e);
}

/* The account as the audit log shows it: never the password. */
static char *account_json(const struct account_input *in)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s?}", "email", in->email, "name", in->name, "organization",
			      in->organization ? in->organization : "", "category", in->category ? in->category : "",
			      "country", in->country ? in->country : "", "role", account_role_name(in->role), "language",
			      in->language);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return text;
}

static void account_validate(struct arena *a, const struct account_input *in, struct account_input *clean,
			     bool password_required, struct error *e)
{
	clean->email = field_trimmed(a, in->email);
	clean->name = field_trimmed(a, in->name);
	clean->organization = field_trimmed(a, in->organization);
	clean->category = field_trimmed(a, in->category);
	clean->password = in->password;
	clean->role = in->role;
	/* the language of the page it registers from: an offered one, by its own tag; anything else is none */
	const struct i18n_language *lang = in->language ? i18n_find(in->language) : NULL;
	clean->language = lang ? lang->code : NULL;
	const char *country = field_trimmed(a, in->country);
	if (country && strlen(country) == 2) {
		char *up = arena_strdup(a, country);
		for (char *p = up; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		country = up;
	}
	clean->country = country;
	field_check_email(e, "email", clean->email);
	field_check_name(e, "name", clean->name, true, LIMIT_NAME, N_("your name"));
	field_check_name(e, "organization", clean->organization, false, LIMIT_ORGANIZATION, N_("your organization"));
	if (clean->category && *clean->category && !process_slug_valid(clean->category))
		error_field(e, "category", _("Choose one of the listed categories."));
	if (clean->country && *clean->country && !country_name(clean->country))
		error_field(e, "country", _("Use a two-letter ISO 3166-1 country code, such as CH or KE."));
	if (password_required || in->password)
		account_password_acceptable(in->password, e, "password");
}

/* A one-time link: stores the hash, returns the URL. */
static const char *account_link(struct db *db, struct arena *a, int64_t account_id, const char *purpose,
				const char *path, struct error *e)
{
	char token[SECRET_TOKEN_LEN + 1], hash[SECRET_HASH_LEN + 1];
	secret_token(token);
	secret_hash(token, hash);
	static const char sql[] =
		"INSERT INTO account_token (token_hash, account_id, purpose, expires_at) VALUES (?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return NULL;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, account_id);
	db_bind_text(st, 3, purpose);
	db_bind_int(st, 4, clock_now() + ACCOUNT_LINK_SECONDS);
	if (db_exec_stmt(st, e) != 0)
		return NULL;
	return arena_printf(a, "%s%s?token=%s", config_get()->public_url, path, token);
}

/* Hashes a password before any transaction begins: Argon2 takes tens of milliseconds, and a write
 * transaction held that long stops every other writer (a registration flood once made contributions wait
 * 9 seconds and fail with "database is locked"). */
static int password_hash(const char *password, char hash[SECRET_PWHASH_LEN], struct error *e)
{
	if (secret_password_hash(password, hash) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "The password could not be hashed (out of memory); try again.");
		return -1;
	}
	return 0;
}

/* hash: the password's, made by password_hash() before the transaction, or NULL for none yet. */
static int account_insert(struct db *db, struct arena *a, const struct account_input *in, const char *hash,
			  bool confirmed, struct account *out, struct error *e)
{
	static const char sql[] = "INSERT INTO account (email, name, organization, category, country, role, "
				  "password_hash, email_confirmed_at, created_at, language) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	const int64_t now = clock_now();
	db_bind_text(st, 1, in->email);
	db_bind_text(st, 2, in->name);
	db_bind_text(st, 3, in->organization ? in->organization : "");
	db_bind_text(st, 4, in->category ? in->category : "");
	db_bind_text(st, 5, in->country ? in->country : "");
	db_bind_text(st, 6, account_role_name(in->role));
	db_bind_text(st, 7, hash);
	if (confirmed)
		db_bind_int(st, 8, now);
	else
		db_bind_null(st, 8);
	db_bind_int(st, 9, now);
	if (in->language)
		db_bind_text(st, 10, in->language);
	else
		db_bind_null(st, 10);
	int64_t id;
	if (db_insert_id(st, &id, e) != 0) {
		if (db_unique_violation(db)) {
			error_clear(e);
			error_field(e, "email",
			            _("An account with this e-mail address already exists: log in, or reset "
			              "the password if you forgot it."));
		}
		return -1;
	}
	return account_find_id(db, a, id, out, e);
}

/* One text column of the account with address email (sql selects it by the address) into out, cut to n bytes
 * (out[0] is 0 when there is none, NULL, or on a store error, logged under event). */
static void account_text_for(struct db *db, const char *sql, const char *event, const char *email, char *out,
                             size_t n)
{
	out[0] = '\0';
	if (!email || !*email)
		return;
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	if (!st) {
		log_event(event, "msg=\"%s\"", e.message);
		return;
	}
	db_bind_text(st, 1, email);
	const enum db_step r = db_step(st, &e);
	if (r == DB_ROW && db_col_text(st, 0))
		snprintf(out, n, "%s", db_col_text(st, 0));
	db_reset(st);
	if (r == DB_FAIL)
		log_event(event, "msg=\"%s\"", e.message);
}

const char *account_mail_language_for(struct db *db, const char *email, const char *fallback)
{
	/* only a confirmed account speaks for its address: whoever registers someone else's address and never
	 * confirms it must not choose the language (nor, below, the name) of the mails that address gets */
	static const char sql[] =
	    "SELECT language FROM account WHERE email = ? AND language IS NOT NULL AND email_confirmed_at IS NOT NULL";
	char code[32];
	account_text_for(db, sql, "account.language_error", email, code, sizeof code);
	const struct i18n_language *l = i18n_find(code);
	return l ? l->code : fallback;
}

const char *account_mail_name_for(struct db *db, struct arena *a, const char *email, const char *fallback)
{
	static const char sql[] = "SELECT name FROM account WHERE email = ? AND email_confirmed_at IS NOT NULL";
	/* a longer name is never greeted by (outbox_greeting): cut, it still is not */
	char name[OUTBOX_GREETING_NAME_MAX + 2];
	account_text_for(db, sql, "account.name_error", email, name, sizeof name);
	return name[0] ? arena_strdup(a, name) : fallback;
}

/* The mails to an existing account are composed in its language, when it chose one (else in the request's):
 * makes it the thread's language for _() and returns the tag the mail says (NULL: the thread's, as
 * .translated). The caller restores *was with i18n_use() once the mail's words are made. */
static const char *account_mail_language(const struct account *acc, const char **was)
{
	*was = i18n_current();
	const struct i18n_language *l = acc->language ? i18n_find(acc->language) : NULL;
	if (!l)
		return NULL;
	i18n_use(l->code);
	return l->code;
}

/* The 429 of a client address that has asked for too many mails this hour. */
static int requester_budget(struct db *db, const char *requester, struct error *e)
{
	int allowed = outbox_requester_allowed(db, requester, e);
	if (allowed < 0)
		return -1;
	if (!allowed) {
		error_set(e, ERROR_THROTTLED,
		          _("Too many mails were asked for from your network in the last hour. "
		            "Try again in an hour."));
		return -1;
	}
	return 0;
}

int account_register(struct db *db, struct arena *a, const struct account_input *in, struct account *out,
		     struct error *e)
{
	struct account_input clean;
	account_validate(a, in, &clean, true, e);
	clean.role = ACCOUNT_STAKEHOLDER; /* nobody makes themselves secretariat */
	if (e->code || requester_budget(db, in->requester, e) != 0)
		return -1;
	/* Hashed whether or not the address has an account, so that both answers take as long. */
	char hash[SECRET_PWHASH_LEN];
	if (password_hash(clean.password, hash, e) != 0)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct account old;
	struct error lookup;
	error_clear(&lookup);
	char *after = NULL;
	if (account_find_email(db, a, clean.email, &old, &lookup) == 0) {
		/* The address has an account: the same answer as for a new one, and its owner learns by mail, in
		 * the account's language. */
		const char *url = config_get()->public_url, *was;
		const char *language = account_mail_language(&old, &was);
		struct outbox_mail mail = {
		    .kind = "account",
		    .to = old.email,
		    .subject = _("Someone tried to register with your address on Consulta"),
		    .body = arena_printf(
		        a, "%s\n\n%s", outbox_greeting(a, old.name),
		        arena_printf(a,
		                     _("Someone tried to create a Consulta account with this e-mail "
		                       "address, which already has one. Nothing was changed.\n\nIf it was you, log "
		                       "in:\n\n%s/login\n\nor, if you forgot your password, choose a new one:\n\n"
		                       "%s/account/reset-request\n\nIf it was not you, ignore this message.\n"),
		                     url, url)),
		    .requester = in->requester,
		    .language = language,
		    .translated = true, /* without an account's language, the request's */
		};
		i18n_use(was);
		if (outbox_enqueue(db, &mail, e) != 0 || db_commit(db, e) != 0)
			goto fail;
		log_event("account.register_existing", "account=%lld", (long long)old.id);
		memset(out, 0, sizeof *out);
		out->email = clean.email;
		out->name = clean.name;
		return 0;
	}
	if (strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
		*e = lookup;
		goto fail;
	}
	after = account_json(&clean);
	const char *link;
	struct actor who;
	if (account_insert(db, a, &clean, hash, false, out, e) != 0 ||
	    !(link = account_link(db, a, out->id, "confirm", "/account/confirm", e)))
		goto fail;
	who = account_actor(out);
	/* Greeted by name only if the name cannot carry words of its own (outbox_greeting): it was typed by whoever
	 * registered, and this address has not said yet that it wants anything from us. */
	struct outbox_mail mail = {
	    .kind = "confirm",
	    .to = out->email,
	    .subject = _("Confirm your e-mail address for Consulta"),
	    .body = arena_printf(
	        a, "%s\n\n%s", outbox_greeting(a, out->name),
	        arena_printf(a,
	                     _("Someone (we hope you) created an account on Consulta with this e-mail "
	                       "address. Please confirm the address by opening this link within 48 hours:\n\n%s"
	                       "\n\nIf you did not register, ignore this message: without confirmation the "
	                       "account stays unusable for contributions in your name.\n"),
	                     link)),
	    .requester = in->requester,
	    .translated = true, /* in the language of the request */
	};
	if (audit_record(db, &who, 0, "account.register", arena_printf(a, "account:%lld", (long long)out->id), NULL,
			 after, e) != 0 ||
	    outbox_enqueue(db, &mail, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	free(after);
	return 0;
fail:
	free(after);
	db_rollback(db);
	return -1;
}

int account_create(struct db *db, struct arena *a, const struct account_input *in, struct account *out,
		   const char **link, struct error *e)
{
	struct account_input clean;
	account_validate(a, in, &clean, false, e);
	if (e->code)
		return -1;
	*link = NULL;
	char hash[SECRET_PWHASH_LEN];
	if (clean.password && password_hash(clean.password, hash, e) != 0)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	char *after = account_json(&clean);
	if (account_insert(db, a, &clean, clean.password ? hash : NULL, true, out, e) != 0 ||
	    (!clean.password && !(*link = account_link(db, a, out->id, "reset", "/account/reset", e))) ||
	    audit_record(db, &ACTOR_COMMAND_LINE, 0, "account.create",
			 arena_printf(a, "account:%lld", (long long)out->id), NULL, after, e) != 0 ||
	    db_commit(db, e) != 0) {
		free(after);
		db_rollback(db);
		return -1;
	}
	free(after);
	return 0;
}

int account_language_set(struct db *db, struct arena *a, struct account *acc, const char *language, struct error *e)
{
	const struct i18n_language *l = language ? i18n_find(language) : NULL;
	if (!l) {
		error_field(e, "language", _("Choose one of the listed languages."));
		return -1;
	}
	static const char sql[] = "UPDATE account SET language = ? WHERE id = ?";
	const struct actor who = account_actor(acc);
	const char *before = audit_json(a, json_pack("{s:s?}", "language", acc->language));
	const char *after = audit_json(a, json_pack("{s:s}", "language", l->code));
	struct db_stmt *st;
	if (db_begin(db, e) != 0)
		return -1;
	if (!(st = db_stmt(db, sql, e)))
		goto fail;
	db_bind_text(st, 1, l->code);
	db_bind_int(st, 2, acc->id);
	if (db_exec_stmt(st, e) != 0 ||
	    audit_record(db, &who, 0, "account.language", arena_printf(a, "account:%lld", (long long)acc->id), before,
			 after, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	acc->language = l->code;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* --- the slow-down of failed logins ------------------------------------- */

/* Seconds still to wait before key may try again; 0 if it may now. Every attempt that is not known to have
 * succeeded counts, the ones still being checked too (they are reserved before the check). */
static int64_t throttle_wait(struct db *db, const char *key, int64_t free_failures, int64_t now, struct error *e)
{
	static const char sql[] = "SELECT count(*), max(at) FROM login_failure WHERE key = ? AND at > ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_int(st, 2, now - ACCOUNT_FAILURE_WINDOW);
	if (db_step(st, e) != DB_ROW)
		return -1;
	int64_t failures = db_col_int(st, 0), last = db_col_int(st, 1);
	db_reset(st);
	if (failures < free_failures)
		return 0;
	/* 1 s after the last free failure, then 2, 4, 8 ... up to 15 minutes. */
	int64_t delay = 1;
	for (int64_t i = free_failures; i < failures && delay < ACCOUNT_MAX_DELAY; i++)
		delay *= 2;
	if (delay > ACCOUNT_MAX_DELAY)
		delay = ACCOUNT_MAX_DELAY;
	int64_t wait = last + delay - now;
	return wait > 0 ? wait : 0;
}

/* Records an attempt as failed (until it is known to have succeeded); *id receives its row. */
static int throttle_fail(struct db *db, const char *key, int64_t now, int64_t *id, struct error *e)
{
	static const char sql[] = "INSERT INTO login_failure (key, at) VALUES (?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_int(st, 2, now);
	if (db_insert_id(st, id, e) != 0)
		return -1;
	return 0;
}

/* Deletes the failures whose key starts with prefix (SQL that PostgreSQL reads too: no LIKE, whose
 * wildcards an e-mail address may contain). */
static int throttle_clear_prefix(struct db *db, const char *prefix, struct error *e)
{
	static const char sql[] = "DELETE FROM login_failure WHERE substr(key, 1, ?) = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, (int64_t)strlen(prefix));
	db_bind_text(st, 2, prefix);
	return db_exec_stmt(st, e);
}

/* The keys of the slow-down. Never the account alone: then anyone who knows an address could stop its
 * owner logging in. Instead (as OWASP's authentication cheat sheet advises), one key for the account
 * together with the client address, and one for the client address across accounts; an unknown e-mail
 * address gets a key of its own text, so that it answers as an account does. */
static const char *pair_prefix(struct arena *a, const struct account *acc, const char *email)
{
	return acc ? arena_printf(a, "pair:%lld ", (long long)acc->id) : arena_printf(a, "pair:%s ", email);
}

/* A hash to check against when the e-mail is unknown, so both cases take as long. */
static char decoy_hash[SECRET_PWHASH_LEN];
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;
static void decoy_make(void)
{
	char password[SECRET_TOKEN_LEN + 1];
	secret_token(password);
	if (secret_password_hash(password, decoy_hash) != 0)
		decoy_hash[0] = '\0';
}

static const char SQL_PASSWORD_HASH[] = "SELECT password_hash FROM account WHERE id = ?";

/* Checks the slow-down and reserves this attempt, in one write transaction: concurrent attempts are
 * counted one after the other, so no more than the free ones reach the password check. Returns 1 (with
 * *retry_after) if the attempt must wait. */
static int login_reserve(struct db *db, const char *pair_key, const char *address_key, int64_t now, int64_t ids[2],
			 int64_t *retry_after, struct error *e)
{
	static const char sql_prune[] = "DELETE FROM login_failure WHERE key IN (?, ?) AND at <= ?";
	if (db_begin(db, e) != 0)
		return -1;
	/* Failures older than the window count no more: they go, so the table stays as small as the window. */
	struct db_stmt *st = db_stmt(db, sql_prune, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, pair_key);
	db_bind_text(st, 2, address_key);
	db_bind_int(st, 3, now - ACCOUNT_FAILURE_WINDOW);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	int64_t wait_pair = throttle_wait(db, pair_key, ACCOUNT_FREE_FAILURES, now, e);
	int64_t wait_address = wait_pair < 0 ? -1 : throttle_wait(db, address_key, ACCOUNT_ADDRESS_FREE_FAILURES, now, e);
	if (wait_pair < 0 || wait_address < 0)
		goto fail;
	if (wait_pair || wait_address) {
		db_rollback(db);
		*retry_after = wait_pair > wait_address ? wait_pair : wait_address;
		return 1;
	}
	if (throttle_fail(db, pair_key, now, &ids[0], e) != 0 || throttle_fail(db, address_key, now, &ids[1], e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* A successful login: its reserved rows and the account's failures from this address go, and a session
 * and its audit entry are made, in one transaction. */
static int login_succeed(struct db *db, struct arena *a, const struct account *acc, const char *pair_key,
			 const int64_t ids[2], char *session, struct error *e)
{
	static const char sql[] = "DELETE FROM login_failure WHERE id IN (?, ?) OR key = ?";
	if (db_begin(db, e) != 0)
		return -1;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, ids[0]);
	db_bind_int(st, 2, ids[1]);
	db_bind_text(st, 3, pair_key);
	struct actor who = account_actor(acc);
	if (db_exec_stmt(st, e) != 0 || session_create(db, acc->id, session, e) != 0 ||
	    audit_record(db, &who, 0, "account.login", arena_printf(a, "account:%lld", (long long)acc->id), NULL, NULL,
			 e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int account_login(struct db *db, struct arena *a, const char *email, const char *password, const char *address,
		  struct account *out, char *session, int64_t *retry_after, struct error *e)
{
	*retry_after = 0;
	const int64_t now = clock_now();
	if (!email || !*email || !password || !*password) {
		error_set(e, ERROR_UNAUTHORIZED, _("Enter your e-mail address and your password."));
		return -1;
	}
	struct error lookup;
	error_clear(&lookup);
	bool known = account_find_email(db, a, email, out, &lookup) == 0;
	if (!known && strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
		*e = lookup;
		return -1;
	}
	const char *pair_key = arena_printf(a, "%s%s", pair_prefix(a, known ? out : NULL, email),
					    address ? address : "unknown");
	const char *address_key = arena_printf(a, "address:%s", address ? address : "unknown");
	const char *hash = NULL;
	if (known) {
		struct db_stmt *st = db_stmt(db, SQL_PASSWORD_HASH, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, out->id);
		bool failed = false;
		if (db_step(st, e) == DB_ROW)
			hash = db_col_dup(st, 0, a, &failed);
		db_reset(st);
		if (failed) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}

	int64_t ids[2];
	int reserved = login_reserve(db, pair_key, address_key, now, ids, retry_after, e);
	if (reserved < 0)
		return -1;
	if (reserved) {
		error_set(e, ERROR_THROTTLED,
		          i18n_n("Too many failed attempts to log in. Wait %lld second before you try again, or reset "
		                 "your password.",
		                 "Too many failed attempts to log in. Wait %lld seconds before you try again, or reset "
		                 "your password.",
		                 (unsigned long)*retry_after),
		          (long long)*retry_after);
		return -1;
	}

	/* The slow part, outside any transaction. */
	bool ok;
	if (hash) {
		ok = secret_password_check(hash, password);
	} else {
		pthread_once(&decoy_once, decoy_make);
		secret_password_check(decoy_hash, password);
		ok = false;
	}
	if (!ok) {
		/* The reserved rows stay: they are this failure. */
		error_set(e, ERROR_UNAUTHORIZED, _("The e-mail address or the password is not right."));
		return -1;
	}
	return login_succeed(db, a, out, pair_key, ids, session, e);
}

/* Consumes a one-time link of the given purpose; returns its account id or 0 (with e set). */
static int64_t account_link_use(struct db *db, const char *token, const char *purpose, struct error *e)
{
	if (!token || strlen(token) != SECRET_TOKEN_LEN) {
		error_set(e, ERROR_NOT_FOUND,
		          _("This link is not valid. Copy the whole link from the mail, or ask for "
		            "a new one."));
		return 0;
	}
	char hash[SECRET_HASH_LEN + 1];
	secret_hash(token, hash);
	static const char sql[] = "UPDATE account_token SET used_at = ?1 WHERE token_hash = ?2 AND purpose = ?3 "
				  "AND used_at IS NULL AND expires_at >= ?1 RETURNING account_id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return 0;
	db_bind_int(st, 1, clock_now());
	db_bind_text(st, 2, hash);
	db_bind_text(st, 3, purpose);
	enum db_step r = db_step(st, e);
	int64_t id = r == DB_ROW ? db_col_int(st, 0) : 0;
	db_reset(st);
	if (r == DB_DONE)
		error_set(e, ERROR_NOT_FOUND, _("This link has expired or was already used. Ask for a new one."));
	return id;
}

int account_confirm(struct db *db, struct arena *a, const char *token, struct account *out, struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	int64_t id = account_link_use(db, token, "confirm", e);
	static const char sql[] = "UPDATE account SET email_confirmed_at = coalesce(email_confirmed_at, ?) WHERE id = ?";
	struct db_stmt *st;
	struct actor who;
	if (!id || !(st = db_stmt(db, sql, e)))
		goto fail;
	db_bind_int(st, 1, clock_now());
	db_bind_int(st, 2, id);
	if (db_exec_stmt(st, e) != 0 || account_find_id(db, a, id, out, e) != 0)
		goto fail;
	who = account_actor(out);
	if (audit_record(db, &who, 0, "account.confirm", arena_printf(a, "account:%lld", (long long)id), NULL, NULL,
			 e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int account_reset_request(struct db *db, struct arena *a, const char *email, const char *requester, struct error *e)
{
	const char *clean = field_trimmed(a, email);
	if (!clean || !field_email_valid(clean))
		return 0; /* no mail can go there; the same answer */
	if (requester_budget(db, requester, e) != 0)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct account acc;
	struct error lookup;
	error_clear(&lookup);
	const char *url = config_get()->public_url;
	if (account_find_email(db, a, clean, &acc, &lookup) != 0) {
		if (strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
			*e = lookup;
			goto fail;
		}
		/* No account: the same work and the same answer as for one (a mail is queued), and whoever
		 * reads this mailbox learns why no link came. */
		struct outbox_mail mail = {
			.kind = "account",
			.to = clean,
			.subject = _("Resetting a Consulta password"),
			.body = arena_printf(a,
					     _("Hello,\n\nSomeone asked to reset the password of a Consulta account with this "
					     "e-mail address, but no account uses it.\n\nIf it was you, your account may use "
					     "another address; or create one:\n\n%s/account/register\n\nIf it was not you, "
					     "ignore this message.\n"),
					     url),
			.requester = requester,
			.translated = true, /* in the language of the request */
		};
		if (outbox_enqueue(db, &mail, e) != 0 || db_commit(db, e) != 0)
			goto fail;
		return 0;
	}
	int allowed = outbox_allowed(db, "reset", acc.email, requester, e);
	if (allowed < 0)
		goto fail;
	if (!allowed) {
		/* Over the limit: the link sent last stays the live one. */
		log_event("mail.withheld", "kind=reset requester=%s reason=\"over the hourly limit\"",
			  requester ? requester : "-");
		db_rollback(db);
		return 0;
	}
	/* One live reset link per account: a new one replaces the ones sent before. */
	static const char sql_replace[] = "UPDATE account_token SET used_at = ? WHERE account_id = ? AND "
					  "purpose = 'reset' AND used_at IS NULL";
	struct db_stmt *st = db_stmt(db, sql_replace, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, clock_now());
	db_bind_int(st, 2, acc.id);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	const char *link = account_link(db, a, acc.id, "reset", "/account/reset", e);
	struct actor who = account_actor(&acc);
	/* By name, as outbox_greeting() allows (the name was typed by whoever registered), in the account's language. */
	const char *was;
	const char *language = account_mail_language(&acc, &was);
	struct outbox_mail mail = {
	    .kind = "reset",
	    .to = acc.email,
	    .subject = _("Reset your Consulta password"),
	    .body = link ? arena_printf(
	                       a, "%s\n\n%s", outbox_greeting(a, acc.name),
	                       arena_printf(
	                           a,
	                           _("Someone (we hope you) asked to reset the password of the Consulta "
	                             "account of this e-mail address. To choose a new one, open this link within 48 "
	                             "hours:\n\n%s\n\nIf you did not ask for it, ignore this message: your password "
	                             "stays as it is.\n"),
	                           link))
	                 : NULL,
	    .requester = requester,
	    .language = language,
	    .translated = true, /* without an account's language, the request's */
	};
	i18n_use(was);
	if (!link || audit_record(db, &who, 0, "account.reset_request", arena_printf(a, "account:%lld", (long long)acc.id),
				  NULL, NULL, e) != 0 ||
	    outbox_enqueue(db, &mail, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* hash: made by password_hash() before the transaction. */
static int account_store_password(struct db *db, int64_t id, const char *hash, struct error *e)
{
	static const char sql[] = "UPDATE account SET password_hash = ? WHERE id = ?";
	static const char sql_sessions[] = "DELETE FROM session WHERE account_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, id);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_sessions, e)))
		return -1;
	db_bind_int(st, 1, id);
	return db_exec_stmt(st, e);
}

int account_reset(struct db *db, struct arena *a, const char *token, const char *password, const char *address,
		  struct account *out, struct error *e)
{
	if (!account_password_acceptable(password, e, "password"))
		return -1;
	char hash[SECRET_PWHASH_LEN];
	if (password_hash(password, hash, e) != 0)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	/* A reset link proves the mailbox too, so the address counts as confirmed. */
	static const char sql[] = "UPDATE account SET email_confirmed_at = coalesce(email_confirmed_at, ?) WHERE id = ?";
	int64_t id = account_link_use(db, token, "reset", e);
	struct db_stmt *st;
	struct actor who;
	if (!id || account_store_password(db, id, hash, e) != 0 || !(st = db_stmt(db, sql, e)))
		goto fail;
	db_bind_int(st, 1, clock_now());
	db_bind_int(st, 2, id);
	if (db_exec_stmt(st, e) != 0 || account_find_id(db, a, id, out, e) != 0)
		goto fail;
	/* The owner proved the mailbox: every slow-down of the account goes, from every address, and the one
	 * of the address the reset came from. */
	if (throttle_clear_prefix(db, pair_prefix(a, out, out->email), e) != 0 ||
	    throttle_clear_prefix(db, arena_printf(a, "pair:%s ", out->email), e) != 0 ||
	    (address && throttle_clear_prefix(db, arena_printf(a, "address:%s", address), e) != 0))
		goto fail;
	who = account_actor(out);
	if (audit_record(db, &who, 0, "account.password", arena_printf(a, "account:%lld", (long long)id), NULL, NULL,
			 e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int account_set_password(struct db *db, const struct account *acc, const char *password, struct error *e)
{
	if (!account_password_acceptable(password, e, "password"))
		return -1;
	char hash[SECRET_PWHASH_LEN];
	if (password_hash(password, hash, e) != 0)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	char object[48];
	snprintf(object, sizeof object, "account:%lld", (long long)acc->id);
	if (account_store_password(db, acc->id, hash, e) != 0 ||
	    audit_record(db, &ACTOR_COMMAND_LINE, 0, "account.password", object, NULL, NULL, e) != 0 ||
	    db_commit(db, e) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* --- sessions and API tokens -------------------------------------------- */

int session_create(struct db *db, int64_t account_id, char *token, struct error *e)
{
	char hash[SECRET_HASH_LEN + 1];
	secret_token(token);
	secret_hash(token, hash);
	static const char sql[] = "INSERT INTO session (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	const int64_t now = clock_now();
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, account_id);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, now + ACCOUNT_SESSION_SECONDS);
	return db_exec_stmt(st, e);
}

static int account_by_secret(struct db *db, struct arena *a, const char *sql, const char *token, struct account *out,
			     struct error *e)
{
	if (!token || strlen(token) != SECRET_TOKEN_LEN) {
		error_set(e, ERROR_NOT_FOUND, _("not a token"));
		return -1;
	}
	char hash[SECRET_HASH_LEN + 1];
	secret_hash(token, hash);
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, clock_now());
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, account_from_row, "unknown or expired token", e);
}

int session_account(struct db *db, struct arena *a, const char *token, struct account *out, struct error *e)
{
	static const char sql[] = ACCOUNT_COLUMNS "JOIN session s ON s.account_id = a.id "
						  "WHERE s.token_hash = ?1 AND s.expires_at > ?2";
	return account_by_secret(db, a, sql, token, out, e);
}

int session_end(struct db *db, const char *token, struct error *e)
{
	char hash[SECRET_HASH_LEN + 1];
	secret_hash(token, hash);
	static const char sql[] = "DELETE FROM session WHERE token_hash = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hash);
	return db_exec_stmt(st, e);
}

int api_token_create(struct db *db, int64_t account_id, char *token, struct error *e)
{
	char hash[SECRET_HASH_LEN + 1];
	secret_token(token);
	secret_hash(token, hash);
	static const char sql[] = "INSERT INTO api_token (token_hash, account_id, created_at) VALUES (?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, account_id);
	db_bind_int(st, 3, clock_now());
	if (db_begin(db, e) != 0)
		return -1;
	char object[48];
	snprintf(object, sizeof object, "account:%lld", (long long)account_id);
	if (db_exec_stmt(st, e) != 0 ||
	    audit_record(db, &ACTOR_COMMAND_LINE, 0, "token.create", object, NULL, NULL, e) != 0 ||
	    db_commit(db, e) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int api_token_account(struct db *db, struct arena *a, const char *token, struct account *out, struct error *e)
{
	/* ?2 (now) is unused by the condition but keeps the binding shape of sessions. */
	static const char sql[] = ACCOUNT_COLUMNS "JOIN api_token t ON t.account_id = a.id "
						  "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND ?2 = ?2";
	return account_by_secret(db, a, sql, token, out, e);
}

int api_token_revoke(struct db *db, int64_t account_id, const char *token, int *count, struct error *e)
{
	char hash[SECRET_HASH_LEN + 1] = "";
	if (token)
		secret_hash(token, hash);
	static const char sql[] = "UPDATE api_token SET revoked_at = ?1 WHERE revoked_at IS NULL "
				  "AND (?2 = 0 OR account_id = ?2) AND (?3 = '' OR token_hash = ?3)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	db_bind_int(st, 1, clock_now());
	db_bind_int(st, 2, account_id);
	db_bind_text(st, 3, hash);
	char object[48];
	snprintf(object, sizeof object, "account:%lld", (long long)account_id);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	*count = db_changes(db);
	if (audit_record(db, &ACTOR_COMMAND_LINE, 0, "token.revoke", object, NULL, NULL, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
