/*
 * auth — who is asking, and whether a form really comes from our page.
 *
 * A request is authenticated by a bearer token (the API) or by the session
 * cookie (the browser). Sessions are random tokens in a cookie that is
 * HttpOnly, SameSite=Lax, and Secure when the public URL is https; logging
 * in always makes a new session (no fixation) and logging out ends it on the
 * server.
 *
 * CSRF: every form that changes something carries a token in a hidden field
 * "csrf", and API calls that rely on the session cookie send it in the
 * X-CSRF-Token header (bearer-token calls need none). The token is the
 * HMAC, under a server key kept in the database (server_secret), of the
 * session for a visitor logged in by cookie, or of a random visitor id kept
 * in the consulta_csrf cookie for anyone else. A page of another site cannot
 * read either; and someone who can set a cookie on our domain still cannot
 * make a token that goes with an id or a session of their choosing.
 */
#ifndef CONSULTA_WEB_AUTH_H
#define CONSULTA_WEB_AUTH_H

#include "core/account.h"
#include "web/request.h"

/* Reads the Authorization header or the session cookie; sets r->account. */
void auth_resolve(struct request *r);
/* True when r carries neither an API token nor a session cookie: the public, known without the database. */
bool auth_anonymous(struct request *r);

/* The visitor's CSRF token, set in a cookie if it is new. Use in every form. */
const char *auth_csrf_token(struct request *r);
/* True if this state-changing request carries the visitor's CSRF token. */
bool auth_csrf_ok(struct request *r);

/* Who an office form was served to, signed ("ID.MAC", the server key's HMAC of the account id), for its hidden
 * field "served_to": when its session has ended before it is sent, the login page keeps what was typed for that account
 * alone (page_account.c). "" when nobody is logged in. */
const char *auth_form_author(struct request *r);
/* The account a "served_to" field names, if its signature is right; 0 otherwise. */
int64_t auth_form_author_id(struct request *r, const char *by);

/* After account_login(): ends the browser's old session, if any, sets the
 * cookie of the new one (session, its token) and makes acc the visitor. */
void auth_login(struct request *r, const struct account *acc, const char *session);
/* Ends the current session, if any, and clears its cookie. */
void auth_logout(struct request *r);

/* The client's address, for the login slow-down: request_client_address(), by its older name. */
const char *auth_client_address(struct request *r);

/* The value of a cookie sent with the request, or NULL. */
const char *auth_cookie(struct request *r, const char *name);

/* The current actor for the audit log. */
struct actor auth_actor(const struct request *r);

#endif
