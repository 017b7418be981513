/* server — see server.h. */
#include "web/server.h"

#include "core/limits.h"
#include "store/db.h"
#include "util/clock.h"
#include "util/log.h"
#include "web/auth.h"
#include "web/form.h"
#include "web/page.h"
#include "web/request.h"
#include "web/routes.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

enum {
	SERVER_CONNECTION_TIMEOUT = 30, /* seconds a connection may sit idle: no slowloris */
	SERVER_CONNECTION_LIMIT = 1000,
	SERVER_PER_IP_LIMIT = 0, /* 0: none; a proxy in front puts all clients behind one address */
};

static const char SECURITY_CSP[] = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
				   "base-uri 'none'; frame-ancestors 'none'";

/* server_config.on_change, set once by server_run() before the daemon starts and only read afterwards. */
static void (*server_on_change)(void);

static void request_free(struct request *r)
{
	buf_free(&r->body);
	buf_free(&r->out);
	arena_free(&r->arena);
	free(r);
}

/* The request id only tells requests apart in the log, so it need not be
 * unpredictable: a per-thread counter seeded once from getrandom and mixed by
 * splitmix64, instead of a getrandom system call and 8 snprintf per request. */
static void request_id(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	static _Thread_local uint64_t state;
	static _Thread_local bool seeded;
	if (!seeded) {
		if (getrandom(&state, sizeof state, GRND_NONBLOCK) != (ssize_t)sizeof state)
			state = (uint64_t)clock_wall() ^ (uint64_t)(uintptr_t)&state;
		seeded = true;
	}
	uint64_t z = state += 0x9e3779b97f4a7c15u;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	for (int i = 15; i >= 0; i--, z >>= 4)
		out[i] = hex[z & 15];
	out[16] = '\0';
}

static struct request *request_new(struct MHD_Connection *conn, const char *method, const char *url)
{
	struct request *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->conn = conn;
	arena_init(&r->arena);
	buf_init(&r->body, LIMIT_REQUEST_BODY);
	buf_init(&r->out, LIMIT_RESPONSE);
	r->method = arena_strdup(&r->arena, method);
	r->path = arena_strdup(&r->arena, url);
	request_id(r->id);
	r->status = 500;
	r->out_type = "text/plain; charset=utf-8";
	return r;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct request *r)
{
	size_t len;
	char *body = buf_steal(&r->out, &len);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->out_type);
	MHD_add_response_header(resp, "Content-Security-Policy", SECURITY_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control ? r->cache_control : "no-store");
	if (r->location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->retry_after)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, r->retry_after);
	if (r->www_authenticate)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, r->www_authenticate);
	for (int i = 0; i < r->ncookies; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookies[i]);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static bool wants_json(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/healthz") == 0;
}

/* An answer given before (or instead of) the handler: 404, 405, 413, 400, 503. */
static void reply_early(struct request *r, int status, const char *code, const char *message)
{
	if (wants_json(r->path)) {
		reply_json_problem(r, status, code, message);
	} else {
		/* A person in a browser gets a page that says what happened and leads back. */
		page_message(r, status, message);
	}
}

static void reply_too_large(struct request *r)
{
	reply_early(r, 413, "too_large",
		    arena_printf(&r->arena, "The request is larger than the limit of %d KiB; shorten the text "
					    "and send it again.",
				 LIMIT_REQUEST_BODY / 1024));
}

/* The path for the log: libmicrohttpd has decoded it, so a %0A or a quote the
 * client sent would end the line or the value and let it forge log entries.
 * Such bytes (and non-ASCII ones) are written percent-encoded again. */
static const char *log_path(struct request *r)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(r->path);
	char *out = arena_alloc(&r->arena, 3 * n + 1);
	if (!out)
		return "?";
	char *o = out;
	for (const unsigned char *p = (const unsigned char *)r->path; *p; p++) {
		if (*p < 0x20 || *p >= 0x7F || *p == '"' || *p == '\\' || *p == '%') {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

/* Everything a route asks before its handler runs: the form decoded, who is
 * asking, the role the route needs, and the CSRF token of a change. Answers
 * and returns false when the request may go no further. */
static bool prepare(struct request *r, const struct route *route)
{
	const bool api = wants_json(r->path);
	const bool change = strcmp(route->method, "GET") != 0;
	const bool urlencoded = r->content_type && !strncasecmp(r->content_type, "application/x-www-form-urlencoded", 33);
	/* Only pages take files (a version's upload); the API answers a multipart body itself (415). */
	const bool multipart = !api && r->content_type && !strncasecmp(r->content_type, "multipart/form-data", 19);
	auth_resolve(r);
	if (route->role != ROLE_PUBLIC && !r->account) {
		if (api) {
			r->www_authenticate = "Bearer realm=\"consulta\"";
			reply_early(r, 401, "unauthorized", "Log in, or send an API token (Authorization: Bearer ...).");
		} else if (!change) {
			reply_redirect(r, arena_printf(&r->arena, "/login?next=%s", r->path));
		} else {
			reply_early(r, 401, "unauthorized", "Your session has ended; log in again.");
		}
		return false;
	}
	if (route->role == ROLE_SECRETARIAT && r->account->role != ACCOUNT_SECRETARIAT) {
		reply_early(r, 403, "forbidden", "Only the secretariat may do this.");
		return false;
	}
	/* The body is decoded only once the asker may use the route: a stranger cannot
	 * make the server parse a large form for a route that is not theirs. */
	if (route->body && (urlencoded || multipart)) {
		const char *body = r->body.data ? r->body.data : "";
		r->form = arena_alloc(&r->arena, sizeof *r->form);
		if (!r->form || !(urlencoded ? form_parse(&r->arena, body, r->body.len, r->form)
					     : form_parse_multipart(&r->arena, r->conn, body, r->body.len, r->form))) {
			reply_early(r, 400, "bad_request",
				    "The form could not be read (it was malformed, not valid UTF-8, or had too many fields "
				    "or files).");
			return false;
		}
	}
	/* Pages' forms always carry the token; the API needs it only when a browser's
	 * session cookie is what authenticates the call; a route whose URL carries
	 * its own secret (a one-click leave link) needs none. */
	if (change && !route->no_csrf && (!api || (r->account && !r->by_token)) && !auth_csrf_ok(r)) {
		reply_early(r, 403, "csrf",
			    api ? "Send the X-CSRF-Token header with the csrf token of this session's pages (the hidden "
				  "field csrf of any form)."
				: "This form has expired or did not come from this site. Go back, reload the page and "
				  "send it again.");
		return false;
	}
	return true;
}

static void dispatch(struct request *r)
{
	bool path_known;
	if (strlen(r->path) > LIMIT_URL) {
		reply_early(r, 414, "uri_too_long", "The address is too long.");
		return;
	}
	const struct route *route = route_match(r, r->method, r->path, &path_known);
	if (!route) {
		if (path_known) {
			r->allow = route_allow(r, r->path);
			reply_early(r, 405, "method_not_allowed", "This address does not accept this method.");
		} else {
			reply_early(r, 404, "not_found", "There is no page at this address.");
		}
		return;
	}
	if (r->body_too_large) {
		reply_too_large(r);
		return;
	}
	struct error e;
	error_clear(&e);
	r->db = db_thread(&e);
	if (!r->db) {
		log_event("db.unavailable", "rid=%s msg=\"%s\"", r->id, e.message);
		reply_early(r, 503, "unavailable", "The service is unavailable; please try again shortly.");
		return;
	}
	r->content_type = request_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	/* A GET (or HEAD) only reads: one read transaction around the handler, so that a page built from
	 * several queries sees one snapshot and SQLite locks its files once, not once per query (that
	 * locking was a third of the server's time on /versions/2). If BEGIN fails, autocommit as before.
	 * A GET that writes (a confirmation link) leaves it in db_begin(). */
	bool read_tx = !strcmp(route->method, "GET") && db_read_begin(r->db, &e) == 0;
	if (prepare(r, route)) {
		route->handler(r);
		/* A change may have queued mail (a receipt, a confirmation link, notices): the hook (main.c's wakes
		 * the mail sender) sends it now, not at the sender's next tick. */
		if (strcmp(route->method, "GET") != 0 && server_on_change)
			server_on_change();
	}
	if (read_tx)
		db_read_end(r->db);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **state)
{
	(void)cls;
	(void)version;
	struct request *r = *state;
	if (!r) {
		r = request_new(conn, method, url);
		if (!r)
			return MHD_NO;
		*state = r;
		/* Refuse an oversized body from its announced length, before reading it. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end;
			unsigned long long n = strtoull(cl, &end, 10);
			if (*end || n > LIMIT_REQUEST_BODY) {
				r->body_too_large = true;
				reply_too_large(r);
				log_event("http", "rid=%s method=%s path=\"%s\" status=%d", r->id, r->method, log_path(r),
					  r->status);
				return send_reply(conn, r);
			}
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->body_too_large && buf_append(&r->body, upload_data, *upload_size) != 0)
			r->body_too_large = true; /* a chunked body that grew past the limit */
		*upload_size = 0;
		return MHD_YES;
	}
	dispatch(r);
	log_event("http", "rid=%s method=%s path=\"%s\" status=%d", r->id, r->method, log_path(r), r->status);
	return send_reply(conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	if (*state)
		request_free(*state);
	*state = NULL;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_event("http.error", "msg=\"%s\"", msg);
}

static int parse_listen(const char *listen, struct sockaddr_in *addr, struct error *e)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	if (!colon || (size_t)(colon - listen) >= sizeof host) {
		error_set(e, ERROR_INVALID, "--listen wants HOST:PORT, such as 127.0.0.1:8080");
		return -1;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	if (*end || port < 0 || port > 65535 || !colon[1] ||
	    inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &addr->sin_addr) != 1) {
		error_set(e, ERROR_INVALID, "--listen wants an IPv4 HOST:PORT, such as 127.0.0.1:8080");
		return -1;
	}
	addr->sin_port = htons((uint16_t)port);
	return 0;
}

int server_run(const struct server_config *cfg, struct error *e)
{
	struct sockaddr_in addr;
	if (parse_listen(cfg->listen, &addr, e) != 0)
		return -1;

	/* Signals are taken by sigwait below, never by a pool thread. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	server_on_change = cfg->on_change;
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL, /* first, or early messages bypass it */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)SERVER_CONNECTION_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVER_PER_IP_LIMIT,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!d) {
		error_set(e, ERROR_UNAVAILABLE, "cannot listen on %s (is the port in use?)", cfg->listen);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
	printf("listening on http://%s:%u/\n", host, info ? info->port : ntohs(addr.sin_port));
	fflush(stdout);
	log_event("serve.start", "listen=%s:%u threads=%u db=%s", host, info ? info->port : 0, cfg->threads, db_path());

	int sig;
	sigwait(&stop, &sig);
	log_event("serve.stop", "signal=%d", sig);
	MHD_stop_daemon(d);
	return 0;
}
