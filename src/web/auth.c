/* auth — see auth.h. */
#include "web/auth.h"

#include "core/config.h"
#include "util/log.h"
#include "web/form.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_COOKIE "consulta_session"
#define CSRF_COOKIE "consulta_csrf"

const char *auth_cookie(struct request *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
	return v && *v ? v : NULL;
}

static void set_cookie(struct request *r, const char *name, const char *value, long max_age)
{
	if (r->ncookies >= REQUEST_MAX_COOKIES)
		return;
	r->set_cookies[r->ncookies++] =
		arena_printf(&r->arena, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name, value, max_age,
			     config_get()->secure_cookies ? "; Secure" : "");
}

void auth_resolve(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct account *acc = arena_alloc(&r->arena, sizeof *acc);
	if (!acc)
		return;
	const char *authz = request_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	if (authz) {
		/* A bearer token decides alone: a bad one is not silently replaced by a cookie. */
		if (!strncasecmp(authz, "Bearer ", 7) && api_token_account(r->db, &r->arena, authz + 7, acc, &e) == 0) {
			r->account = acc;
			r->by_token = true;
		}
		return;
	}
	const char *session = auth_cookie(r, SESSION_COOKIE);
	if (session && session_account(r->db, &r->arena, session, acc, &e) == 0) {
		r->account = acc;
		r->session = session;
	}
}

bool auth_anonymous(struct request *r)
{
	return !request_header(r, MHD_HTTP_HEADER_AUTHORIZATION) && !auth_cookie(r, SESSION_COOKIE);
}

/* The token that a form of this visitor must carry: the server key's HMAC of the session (logged in by
 * cookie) or of the visitor's random id (its consulta_csrf cookie). Someone who can set a cookie on our
 * domain can choose an id, but cannot make the token that goes with it; and a logged-in visitor's token
 * depends on nothing but the session, which nobody else knows. NULL if there is no key or no id. */
static const char *csrf_expected(struct request *r, const char *visitor)
{
	const struct config *cfg = config_get();
	if (!cfg->has_csrf_key)
		return NULL;
	const char *message = r->session  ? arena_printf(&r->arena, "session:%s", r->session)
			      : visitor ? arena_printf(&r->arena, "visitor:%s", visitor)
					: NULL;
	char *token = message ? arena_alloc(&r->arena, SECRET_TOKEN_LEN + 1) : NULL;
	if (!token)
		return NULL;
	secret_mac(cfg->csrf_key, message, token);
	return token;
}

/* The visitor id of the consulta_csrf cookie, if it has the shape of one. */
static const char *visitor_id(struct request *r)
{
	const char *have = auth_cookie(r, CSRF_COOKIE);
	return have && strlen(have) == SECRET_TOKEN_LEN ? have : NULL;
}

const char *auth_csrf_token(struct request *r)
{
	if (r->csrf)
		return r->csrf;
	const char *visitor = NULL;
	if (!r->session && !(visitor = visitor_id(r))) {
		char *id = arena_alloc(&r->arena, SECRET_TOKEN_LEN + 1);
		if (!id)
			return "";
		secret_token(id);
		set_cookie(r, CSRF_COOKIE, id, 365L * 86400);
		visitor = id;
	}
	r->csrf = csrf_expected(r, visitor);
	return r->csrf ? r->csrf : "";
}

bool auth_csrf_ok(struct request *r)
{
	if (r->by_token)
		return true;
	const char *sent = r->form ? form_get(r->form, "csrf") : request_header(r, "X-CSRF-Token");
	const char *expected = csrf_expected(r, r->session ? NULL : visitor_id(r));
	return sent && expected && secret_equal(expected, sent);
}

static const char *author_mac(struct request *r, int64_t account_id)
{
	const struct config *cfg = config_get();
	char *mac = cfg->has_csrf_key ? arena_alloc(&r->arena, SECRET_TOKEN_LEN + 1) : NULL;
	const char *message = mac ? arena_printf(&r->arena, "by:%lld", (long long)account_id) : NULL;
	if (!message)
		return NULL;
	secret_mac(cfg->csrf_key, message, mac);
	return mac;
}

const char *auth_form_author(struct request *r)
{
	const char *mac = r->account ? author_mac(r, r->account->id) : NULL;
	const char *by = mac ? arena_printf(&r->arena, "%lld.%s", (long long)r->account->id, mac) : NULL;
	return by ? by : "";
}

int64_t auth_form_author_id(struct request *r, const char *by)
{
	char *dot;
	const long long id = by ? strtoll(by, &dot, 10) : 0;
	if (id <= 0 || *dot != '.')
		return 0;
	const char *mac = author_mac(r, id);
	return mac && secret_equal(mac, dot + 1) ? id : 0;
}

void auth_login(struct request *r, const struct account *acc, const char *session)
{
	auth_logout(r);  /* an old session, whoever made it, ends here */
	r->ncookies = 0; /* the logout's clearing cookie is replaced by the new session */
	set_cookie(r, SESSION_COOKIE, session, ACCOUNT_SESSION_SECONDS);
	r->session = arena_strdup(&r->arena, session);
	r->csrf = NULL; /* the next form's token is the new session's */
	r->account = arena_alloc(&r->arena, sizeof *r->account);
	if (r->account)
		*r->account = *acc;
}

void auth_logout(struct request *r)
{
	const char *session = auth_cookie(r, SESSION_COOKIE);
	if (session) {
		struct error e;
		error_clear(&e);
		if (session_end(r->db, session, &e) != 0)
			log_event("session.end_failed", "rid=%s msg=\"%s\"", r->id, e.message);
		set_cookie(r, SESSION_COOKIE, "", 0);
	}
	r->account = NULL;
	r->session = NULL;
	r->csrf = NULL;
}

const char *auth_client_address(struct request *r)
{
	return request_client_address(r);
}

struct actor auth_actor(const struct request *r)
{
	if (r->account)
		return account_actor(r->account);
	return ACTOR_PUBLIC;
}
