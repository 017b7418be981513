/*
 * account — people who log in: stakeholders (who register themselves) and
 * the secretariat (created from the command line), with their passwords,
 * sessions, API tokens, one-time links, and the slow-down of failed logins.
 *
 * The slow-down of failed logins is kept per (account, client address) and
 * per client address, never per account alone, so that someone who knows an
 * address cannot stop its owner logging in; a password reset lifts it.
 * Mail that these functions send is limited per recipient and per client
 * address (core/outbox.h); over its budget, a client address gets
 * ERROR_THROTTLED.
 *
 * An account has a language (account.language): the mails these functions send
 * to an existing account are in it (the note that someone tried to register
 * with its address, the reset link), else in the request's.
 *
 * Secrets are never stored: a password as an Argon2id hash, a session, API
 * token or link as the SHA-256 of a random token (util/secret.h).
 */
#ifndef CONSULTA_CORE_ACCOUNT_H
#define CONSULTA_CORE_ACCOUNT_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/secret.h"

#include <stdbool.h>
#include <stdint.h>

#define ERROR_UNAUTHORIZED "unauthorized" /* wrong e-mail or password */

enum {
	ACCOUNT_SESSION_SECONDS = 14 * 86400,
	ACCOUNT_LINK_SECONDS = 48 * 3600,  /* confirmation and reset links */
	ACCOUNT_FREE_FAILURES = 5,         /* failed logins of one account from one address before the slow-down */
	ACCOUNT_ADDRESS_FREE_FAILURES = 20, /* failed logins from one address, all accounts together */
	ACCOUNT_FAILURE_WINDOW = 15 * 60,  /* seconds over which failures count */
	ACCOUNT_MAX_DELAY = 15 * 60,       /* longest wait imposed */
};

enum account_role { ACCOUNT_STAKEHOLDER = 1, ACCOUNT_SECRETARIAT = 2 };

struct account {
	int64_t id;
	const char *email;
	const char *name;
	const char *organization;
	const char *category;
	const char *country;
	enum account_role role;
	bool confirmed;
	bool has_password;
	/* The language it chose (an offered tag of util/i18n.h: "fr"), or NULL for none (an account made before
	 * migration 046, or by the command line). Every mail to the account is composed in it, and the interface
	 * speaks it while the account is logged in and chose no language by the switcher (web/request.c). */
	const char *language;
};

struct account_input {
	const char *email;
	const char *name;
	const char *organization;
	const char *category;
	const char *country;
	const char *password; /* NULL: none yet (a set-password link is made instead) */
	enum account_role role;
	const char *requester; /* the client address that asks (for the mail limits), or NULL */
	const char *language;  /* an offered tag: the language of the page it registers from; NULL or another: none */
};

const char *account_role_name(enum account_role role);
/* Reads a role's name ("stakeholder", "secretariat"); false for any other. */
bool account_role_parse(const char *name, enum account_role *out);
struct actor account_actor(const struct account *a);

/* A stakeholder registers: the account is created unconfirmed and a
 * confirmation link is queued by mail. If the address already has an
 * account, nothing changes but its owner is told by mail, and the answer is
 * the same (out has only the e-mail and name): the password is hashed either
 * way, before the transaction, so that both take as long. ERROR_THROTTLED
 * if the requester has asked for too many mails this hour. */
int account_register(struct db *db, struct arena *a, const struct account_input *in, struct account *out,
		     struct error *e);

/* The command line creates an account of any role, confirmed. With no
 * password, *link receives a set-password link (valid 48 hours). */
int account_create(struct db *db, struct arena *a, const struct account_input *in, struct account *out,
		   const char **link, struct error *e);

int account_find_email(struct db *db, struct arena *a, const char *email, struct account *out, struct error *e);

/* The one rule for the language of a mail to a person, whatever the mail (a receipt, the answers to their
 * comments, a subscription's confirmation and notices, the account's own mails): the language of the account
 * with that address, once confirmed, when it chose one (on /account, or the page's when it registered: what the person chose
 * last and most explicitly), else fallback (what the mail's cause knew: the request's page, the subscription's,
 * the contribution's; NULL: none). An offered language's code (it lives as long as the process), or fallback;
 * fallback too on a store error, logged: a mail in another language is better than none. */
const char *account_mail_language_for(struct db *db, const char *email, const char *fallback);

/* The name to greet a person by in a mail to email (outbox_greeting() decides whether it is one): the name of the
 * confirmed account with that address when it has one (its holder typed it), else fallback (what the mail's cause knew: a
 * contribution's name; NULL: none). In a; fallback too on a store error, logged. */
const char *account_mail_name_for(struct db *db, struct arena *a, const char *email, const char *fallback);
int account_find_id(struct db *db, struct arena *a, int64_t id, struct account *out, struct error *e);

/* Logs in: checks e-mail and password and, if they are right, starts a
 * session (*session receives its token, SECRET_TOKEN_LEN + 1 bytes) and
 * records "account.login" in the audit log, in one transaction. The
 * slow-down per (account, address) and per address is checked and the
 * attempt counted atomically before the password is checked (outside any
 * transaction): ERROR_THROTTLED (with *retry_after seconds) before even
 * checking, or ERROR_UNAUTHORIZED for a wrong pair (the same answer, after
 * the same work, for an unknown e-mail). */
int account_login(struct db *db, struct arena *a, const char *email, const char *password, const char *address,
		  struct account *out, char *session, int64_t *retry_after, struct error *e);

/* Consumes a confirmation link. */
int account_confirm(struct db *db, struct arena *a, const char *token, struct account *out, struct error *e);
/* Queues a reset link if the address has an account (replacing any earlier
 * one: one live reset link per account), or a mail saying no account uses
 * it; the same answer and the same work either way. Over the recipient's
 * hourly limit nothing is sent and the earlier link stays live.
 * ERROR_THROTTLED if the requester has asked for too many mails. */
int account_reset_request(struct db *db, struct arena *a, const char *email, const char *requester, struct error *e);
/* Consumes a reset (or set-password) link and sets the password; ends every
 * session of the account and lifts its login slow-down (from every address)
 * and the one of address (the client that resets, or NULL). */
int account_reset(struct db *db, struct arena *a, const char *token, const char *password, const char *address,
		  struct account *out, struct error *e);
/* Sets a password directly (command line). */
int account_set_password(struct db *db, const struct account *acc, const char *password, struct error *e);

/* Sessions: a new random token for the account (*token, SECRET_TOKEN_LEN + 1 bytes). */
int session_create(struct db *db, int64_t account_id, char *token, struct error *e);
/* The account of a live session; ERROR_NOT_FOUND if none. */
int session_account(struct db *db, struct arena *a, const char *token, struct account *out, struct error *e);
int session_end(struct db *db, const char *token, struct error *e);

/* API tokens. */
int api_token_create(struct db *db, int64_t account_id, char *token, struct error *e);
int api_token_account(struct db *db, struct arena *a, const char *token, struct account *out, struct error *e);
/* Revokes one token, or every token of an account when token is NULL; *count says how many. */
int api_token_revoke(struct db *db, int64_t account_id, const char *token, int *count, struct error *e);

/* Sets the account's language (an offered tag, compared without case: util/i18n.h's i18n_find) and records
 * "account.language" in the audit log, in one transaction; out->language receives it (in a). ERROR_INVALID
 * naming "language" for a language not offered. */
int account_language_set(struct db *db, struct arena *a, struct account *acc, const char *language, struct error *e);

/* Password rules: length in characters, not only white space. */
bool account_password_acceptable(const char *password, struct error *e, const char *field);

#endif
