/* auth — see auth.h. */
#include "web/auth.h"

#include "core/config.h"
#include "util/log.h"
#include "web/form.h"

#include <arpa/inet.h>
#include <microhttpd.h>
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
	if (session && session_account(r->db, &r->arena, session, acc, &e) == 0)
		r->account = acc;
}

const char *auth_csrf_token(struct request *r)
{
	if (r->csrf)
		return r->csrf;
	const char *have = auth_cookie(r, CSRF_COOKIE);
	if (have && strlen(have) == SECRET_TOKEN_LEN) {
		r->csrf = have;
		return have;
	}
	char *token = arena_alloc(&r->arena, SECRET_TOKEN_LEN + 1);
	if (!token)
		return "";
	secret_token(token);
	set_cookie(r, CSRF_COOKIE, token, 365L * 86400);
	r->csrf = token;
	return token;
}

bool auth_csrf_ok(struct request *r)
{
	if (r->by_token)
		return true;
	const char *cookie = auth_cookie(r, CSRF_COOKIE);
	const char *sent = r->form ? form_get(r->form, "csrf") : request_header(r, "X-CSRF-Token");
	return cookie && sent && strlen(cookie) == SECRET_TOKEN_LEN && secret_equal(cookie, sent);
}

int auth_login(struct request *r, const struct account *acc, struct error *e)
{
	auth_logout(r); /* an old session, whoever made it, ends here */
	char *token = arena_alloc(&r->arena, SECRET_TOKEN_LEN + 1);
	if (!token) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (db_begin(r->db, e) != 0)
		return -1;
	struct actor who = account_actor(acc);
	if (session_create(r->db, acc->id, token, e) != 0 ||
	    audit_record(r->db, &who, 0, "account.login", arena_printf(&r->arena, "account:%lld", (long long)acc->id),
			 NULL, NULL, e) != 0 ||
	    db_commit(r->db, e) != 0) {
		db_rollback(r->db);
		return -1;
	}
	r->ncookies = 0; /* the logout's clearing cookie is replaced by the new session */
	set_cookie(r, SESSION_COOKIE, token, ACCOUNT_SESSION_SECONDS);
	char *csrf = arena_alloc(&r->arena, SECRET_TOKEN_LEN + 1);
	if (csrf) {
		secret_token(csrf);
		set_cookie(r, CSRF_COOKIE, csrf, 365L * 86400);
		r->csrf = csrf;
	}
	r->account = arena_alloc(&r->arena, sizeof *r->account);
	if (r->account)
		*r->account = *acc;
	return 0;
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
