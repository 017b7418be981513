/*
 * auth — who is asking, and whether a form really comes from our page.
 *
 * A request is authenticated by a bearer token (the API) or by the session
 * cookie (the browser). Sessions are random tokens in a cookie that is
 * HttpOnly, SameSite=Lax, and Secure when the public URL is https; logging
 * in always makes a new session (no fixation) and logging out ends it on the
 * server.
 *
 * CSRF: every visitor gets a random token in its own cookie, and every form
 * that changes something carries it in a hidden field "csrf"; the server
 * accepts the form only if the two match (a page of another site can make a
 * browser send our cookie, but cannot read it to fill in the field). API
 * calls that rely on the session cookie must send the same token in the
 * X-CSRF-Token header; bearer-token calls need none.
 */
#ifndef CONSULTA_WEB_AUTH_H
#define CONSULTA_WEB_AUTH_H

#include "core/account.h"
#include "web/request.h"

/* Reads the Authorization header or the session cookie; sets r->account. */
void auth_resolve(struct request *r);

/* The visitor's CSRF token, set in a cookie if it is new. Use in every form. */
const char *auth_csrf_token(struct request *r);
/* True if this state-changing request carries the visitor's CSRF token. */
bool auth_csrf_ok(struct request *r);

/* Starts a session for acc (a new token, a new CSRF token) and sets its cookie. */
int auth_login(struct request *r, const struct account *acc, struct error *e);
/* Ends the current session, if any, and clears its cookie. */
void auth_logout(struct request *r);

/* The client's address, for the login slow-down: request_client_address(), by its older name. */
const char *auth_client_address(struct request *r);

/* The value of a cookie sent with the request, or NULL. */
const char *auth_cookie(struct request *r, const char *name);

/* The current actor for the audit log. */
struct actor auth_actor(const struct request *r);

#endif
