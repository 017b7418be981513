/* account — see account.h. */
#include "core/account.h"

#include "core/config.h"
#include "core/country.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/outbox.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/utf8.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *account_role_name(enum account_role role)
{
	return role == ACCOUNT_SECRETARIAT ? "secretariat" : "stakeholder";
}

struct actor account_actor(const struct account *acc)
{
	struct actor who = {acc->id, acc->email};
	return who;
}

bool account_password_acceptable(const char *password, struct error *e, const char *field)
{
	if (!password || !*password) {
		error_field(e, field, "Choose a password.");
		return false;
	}
	size_t n = strlen(password);
	if (!utf8_valid(password, n) || utf8_has_control(password, false)) {
		error_field(e, field, "Use letters, digits, spaces and punctuation only.");
		return false;
	}
	size_t chars = utf8_length(password);
	if (chars < SECRET_PASSWORD_MIN || n > SECRET_PASSWORD_MAX) {
		error_field(e, field, "Use %d to %d characters; a few words make a good password.", SECRET_PASSWORD_MIN,
			    SECRET_PASSWORD_MAX);
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
	const char *role = db_col_text(st, 6);
	acc->role = role && !strcmp(role, "secretariat") ? ACCOUNT_SECRETARIAT : ACCOUNT_STAKEHOLDER;
	acc->confirmed = !db_col_null(st, 7);
	acc->has_password = !db_col_null(st, 8);
	return failed ? -1 : 0;
}

#define ACCOUNT_COLUMNS                                                                                       \
	"SELECT a.id, a.email, a.name, a.organization, a.category, a.country, a.role, a.email_confirmed_at, " \
	"a.password_hash FROM account a "

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
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "email", in->email, "name", in->name, "organization",
			      in->organization ? in->organization : "", "category", in->category ? in->category : "",
			      "country", in->country ? in->country : "", "role", account_role_name(in->role));
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
	field_check_line(e, "name", clean->name, true, LIMIT_NAME, "your name");
	field_check_line(e, "organization", clean->organization, false, LIMIT_ORGANIZATION, "your organization");
	if (clean->category && *clean->category && !process_slug_valid(clean->category))
		error_field(e, "category", "Choose one of the listed categories.");
	if (clean->country && *clean->country && !country_name(clean->country))
		error_field(e, "country", "Use a two-letter ISO 3166-1 country code, such as CH or KE.");
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

static int account_insert(struct db *db, struct arena *a, const struct account_input *in, bool confirmed,
			  struct account *out, struct error *e)
{
	char hash[SECRET_PWHASH_LEN];
	if (in->password && secret_password_hash(in->password, hash) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "The password could not be hashed (out of memory); try again.");
		return -1;
	}
	static const char sql[] = "INSERT INTO account (email, name, organization, category, country, role, "
				  "password_hash, email_confirmed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
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
	db_bind_text(st, 7, in->password ? hash : NULL);
	if (confirmed)
		db_bind_int(st, 8, now);
	else
		db_bind_null(st, 8);
	db_bind_int(st, 9, now);
	if (db_exec_stmt(st, e) != 0) {
		if (db_unique_violation(db)) {
			error_clear(e);
			error_field(e, "email", "An account with this e-mail address already exists: log in, or reset "
						"the password if you forgot it.");
		}
		return -1;
	}
	return account_find_id(db, a, db_last_id(db), out, e);
}

int account_register(struct db *db, struct arena *a, const struct account_input *in, struct account *out,
		     struct error *e)
{
	struct account_input clean;
	account_validate(a, in, &clean, true, e);
	clean.role = ACCOUNT_STAKEHOLDER; /* nobody makes themselves secretariat */
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	char *after = account_json(&clean);
	const char *link;
	struct actor who;
	if (account_insert(db, a, &clean, false, out, e) != 0 ||
	    !(link = account_link(db, a, out->id, "confirm", "/account/confirm", e)))
		goto fail;
	who = account_actor(out);
	struct outbox_mail mail = {
		.kind = "confirm",
		.to = out->email,
		.subject = "Confirm your e-mail address for Consulta",
		.body = arena_printf(a,
				     "Dear %s,\n\nPlease confirm your e-mail address by opening this link within 48 "
				     "hours:\n\n%s\n\nIf you did not register, ignore this message: without "
				     "confirmation the account stays unusable for contributions in your name.\n",
				     out->name, link),
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
	if (db_begin(db, e) != 0)
		return -1;
	char *after = account_json(&clean);
	if (account_insert(db, a, &clean, true, out, e) != 0 ||
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

/* --- the slow-down of failed logins ------------------------------------- */

/* Seconds still to wait before key may try again; 0 if it may now. */
static int64_t throttle_wait(struct db *db, const char *key, int64_t now, struct error *e)
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
	if (failures < ACCOUNT_FREE_FAILURES)
		return 0;
	/* 1 s after the 5th failure, then 2, 4, 8 ... up to 15 minutes. */
	int64_t delay = 1;
	for (int64_t i = ACCOUNT_FREE_FAILURES; i < failures && delay < ACCOUNT_MAX_DELAY; i++)
		delay *= 2;
	if (delay > ACCOUNT_MAX_DELAY)
		delay = ACCOUNT_MAX_DELAY;
	int64_t wait = last + delay - now;
	return wait > 0 ? wait : 0;
}

static int throttle_fail(struct db *db, const char *key, int64_t now, struct error *e)
{
	static const char sql[] = "INSERT INTO login_failure (key, at) VALUES (?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_int(st, 2, now);
	return db_exec_stmt(st, e);
}

static int throttle_clear(struct db *db, const char *key, struct error *e)
{
	static const char sql[] = "DELETE FROM login_failure WHERE key = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	return db_exec_stmt(st, e);
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

int account_login(struct db *db, struct arena *a, const char *email, const char *password, const char *address,
		  struct account *out, int64_t *retry_after, struct error *e)
{
	*retry_after = 0;
	const int64_t now = clock_now();
	if (!email || !*email || !password || !*password) {
		error_set(e, ERROR_UNAUTHORIZED, "Enter your e-mail address and your password.");
		return -1;
	}
	struct error lookup;
	error_clear(&lookup);
	bool known = account_find_email(db, a, email, out, &lookup) == 0;
	if (!known && strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
		*e = lookup;
		return -1;
	}
	const char *account_key = known ? arena_printf(a, "account:%lld", (long long)out->id) : NULL;
	const char *address_key = arena_printf(a, "address:%s", address ? address : "unknown");

	int64_t wait_account = account_key ? throttle_wait(db, account_key, now, e) : 0;
	int64_t wait_address = throttle_wait(db, address_key, now, e);
	if (wait_account < 0 || wait_address < 0)
		return -1;
	if (wait_account || wait_address) {
		*retry_after = wait_account > wait_address ? wait_account : wait_address;
		error_set(e, ERROR_THROTTLED,
			  "Too many failed attempts to log in. Wait %lld seconds before you try again, or reset your "
			  "password.",
			  (long long)*retry_after);
		return -1;
	}

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
	bool ok;
	if (hash) {
		ok = secret_password_check(hash, password);
	} else {
		pthread_once(&decoy_once, decoy_make);
		secret_password_check(decoy_hash, password);
		ok = false;
	}
	if (db_begin(db, e) != 0)
		return -1;
	if (ok) {
		if (throttle_clear(db, account_key, e) != 0 || db_commit(db, e) != 0)
			goto fail;
		return 0;
	}
	if ((account_key && throttle_fail(db, account_key, now, e) != 0) || throttle_fail(db, address_key, now, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	error_set(e, ERROR_UNAUTHORIZED, "The e-mail address or the password is not right.");
	return -1;
fail:
	db_rollback(db);
	return -1;
}

/* Consumes a one-time link of the given purpose; returns its account id or 0 (with e set). */
static int64_t account_link_use(struct db *db, const char *token, const char *purpose, struct error *e)
{
	if (!token || strlen(token) != SECRET_TOKEN_LEN) {
		error_set(e, ERROR_NOT_FOUND, "This link is not valid. Copy the whole link from the mail, or ask for "
					      "a new one.");
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
		error_set(e, ERROR_NOT_FOUND, "This link has expired or was already used. Ask for a new one.");
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

int account_reset_request(struct db *db, struct arena *a, const char *email, struct error *e)
{
	struct account acc;
	struct error lookup;
	error_clear(&lookup);
	if (!email || account_find_email(db, a, email, &acc, &lookup) != 0) {
		if (lookup.code && strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
			*e = lookup;
			return -1;
		}
		return 0; /* the same answer whether or not the address has an account */
	}
	if (db_begin(db, e) != 0)
		return -1;
	const char *link = account_link(db, a, acc.id, "reset", "/account/reset", e);
	struct actor who = account_actor(&acc);
	struct outbox_mail mail = {
		.kind = "reset",
		.to = acc.email,
		.subject = "Reset your Consulta password",
		.body = link ? arena_printf(a,
					    "Dear %s,\n\nSomeone (we hope you) asked to reset the password of your "
					    "account. To choose a new one, open this link within 48 hours:\n\n%s\n\n"
					    "If you did not ask for it, ignore this message: your password stays as it is.\n",
					    acc.name, link)
			    : NULL,
	};
	if (!link || audit_record(db, &who, 0, "account.reset_request", arena_printf(a, "account:%lld", (long long)acc.id),
				  NULL, NULL, e) != 0 ||
	    outbox_enqueue(db, &mail, e) != 0 || db_commit(db, e) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static int account_store_password(struct db *db, int64_t id, const char *password, struct error *e)
{
	char hash[SECRET_PWHASH_LEN];
	if (secret_password_hash(password, hash) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "The password could not be hashed (out of memory); try again.");
		return -1;
	}
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

int account_reset(struct db *db, struct arena *a, const char *token, const char *password, struct account *out,
		  struct error *e)
{
	if (!account_password_acceptable(password, e, "password"))
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	/* A reset link proves the mailbox too, so the address counts as confirmed. */
	static const char sql[] = "UPDATE account SET email_confirmed_at = coalesce(email_confirmed_at, ?) WHERE id = ?";
	int64_t id = account_link_use(db, token, "reset", e);
	struct db_stmt *st;
	struct actor who;
	if (!id || account_store_password(db, id, password, e) != 0 || !(st = db_stmt(db, sql, e)))
		goto fail;
	db_bind_int(st, 1, clock_now());
	db_bind_int(st, 2, id);
	if (db_exec_stmt(st, e) != 0 || account_find_id(db, a, id, out, e) != 0)
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
	if (db_begin(db, e) != 0)
		return -1;
	char object[48];
	snprintf(object, sizeof object, "account:%lld", (long long)acc->id);
	if (account_store_password(db, acc->id, password, e) != 0 ||
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
		error_set(e, ERROR_NOT_FOUND, "not a token");
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
