/* server — see server.h. */
#include "web/server.h"

#include "core/config.h"
#include "core/form_once.h"
#include "core/limits.h"
#include "store/db.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "web/auth.h"
#include "web/form.h"
#include "web/page.h"
#include "web/page_cache.h"
#include "web/page_office.h"
#include "web/request.h"
#include "web/routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	SERVER_CONNECTION_TIMEOUT = 30, /* seconds a connection may sit idle */
	/* Connections at once, at most: well above what slow clients from many addresses can hold until their
	 * deadline, so that /healthz and real people still get in; lowered to what RLIMIT_NOFILE allows. */
	SERVER_CONNECTION_LIMIT = 4000,
	SERVER_FD_RESERVE = 128, /* descriptors kept for the database, converters' pipes, the LMTP server, logs */
	SERVER_HEAD_SECONDS = 10, /* from connecting (or the previous answer) to the whole request head */
	SERVER_REQUEST_SECONDS = 30, /* from connecting to the whole body: 2 MiB at 70 KB/s */
	/* the rate a larger body (a contribution's files) must keep beyond LIMIT_REQUEST_BODY: a 25 MiB upload may
	 * take 6 minutes, as on a slow line, where 30 s would cut it */
	SERVER_BODY_RATE = 64 * 1024,
	SERVER_SWEEP_MS = 500, /* how often the deadlines are checked */
	SERVER_WORKERS = 4, /* threads that run changes (hashing, converters, the write lock's wait) */
	SERVER_ONCE_WAIT_MS = 10000, /* a form sent twice at once: how long the second waits for the first */
	SERVER_QUEUE = 64, /* changes waiting for a worker; one more is answered 503 at once */
	/* Threads that run contributions (routes marked grouped): each checks its contribution and then waits,
	 * idle, for the group commit that writes it (core/contribution.h); as many as may share one commit. */
	SERVER_GROUP_WORKERS = 256,
	SERVER_GROUP_QUEUE = 4096, /* contributions waiting for one of those threads; one more is answered 503 */
	/* Threads that check a contribution sent without files and queue it for the group commit, then take the
	 * next one without waiting for the commit (request_await): off libmicrohttpd's threads, so that a burst's
	 * checks (reads of the database: on PostgreSQL each a round trip the thread waits for) do not hold back
	 * the page reads those threads answer. A few are enough: none waits for a commit. */
	SERVER_CHECK_WORKERS = 4,
	/* Threads that answer the pages (GETs of a route) on PostgreSQL, where each of a page's statements is a
	 * round trip the thread waits for: on libmicrohttpd's threads a page held back every connection of its
	 * thread (a burst's, and the other readers') for all its round trips. Reads beyond the queue are answered
	 * on libmicrohttpd's thread, never refused. Not on SQLite: its reads are in-process, and measured during a
	 * burst the pool did not make them faster there while the writes got less of the CPU (README). */
	SERVER_READ_WORKERS = 4,
	SERVER_READ_QUEUE = 256,
	/* How often the planner's statistics are looked at (db_refresh_statistics: PostgreSQL only), so that a
	 * burst into a table that was small is planned for its new size within a second or two. */
	SERVER_STATISTICS_MS = 1000,
};

static const char SECURITY_CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
				   "form-action 'self'; "
				   "base-uri 'none'; frame-ancestors 'none'";

/* server_config.on_change, set once by server_run() before the daemon starts and only read afterwards. */
static void (*server_on_change)(void);

/* A connection as the deadline sweep sees it: libmicrohttpd's time-out only
 * measures silence, so a client that sends one byte every few seconds would
 * hold its connection for ever. Each connection is watched from its start;
 * one that has not sent its whole request in time is shut down. */
enum watch_phase {
	WATCH_HEAD, /* waiting for the request head (since connecting, or since the previous answer) */
	WATCH_BODY, /* the head is in, the body is coming */
	WATCH_BUSY, /* the request is whole: being answered (on a pool thread or a worker), no deadline */
};

struct watch {
	int fd;
	_Atomic int phase;
	_Atomic int64_t since_ms; /* when the current request began (connecting, or the end of the previous one) */
	_Atomic int64_t body_ms;  /* the time its body may take, if more than SERVER_REQUEST_SECONDS; 0: that */
	bool cut;
	struct watch *prev, *next;
};

/* Threads that take suspended requests from a bounded queue, answer them, and resume their connections. */
struct pool {
	const char *name; /* for the log */
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct request **queue; /* capacity entries */
	int capacity, head, len;
	bool closing;
	pthread_t *threads;
	int nthreads;
	/* The checks' pool: its handlers await the group commit (request_await) rather than wait for it, and a
	 * handler that asks to be run on a worker (request_offload) goes to this pool. NULL for the others. */
	struct pool *offload_to;
};

/* The server's own state, handed to libmicrohttpd's callbacks. */
struct server {
	/* every open connection, for the deadline sweep */
	pthread_mutex_t watch_lock;
	struct watch *watches;
	pthread_t sweeper;
	pthread_cond_t sweep_stop_cv;
	bool sweep_stop; /* under watch_lock: the sweeper and the statistics' thread stop */
	pthread_t statistician;
	bool statistician_started;
	/* the worker pools: changes run there, off libmicrohttpd's threads; contributions in a pool of their own */
	struct pool changes, contributions;
	struct pool checks; /* contributions without files, checked and queued off libmicrohttpd's threads */
	struct pool reads;  /* the pages on PostgreSQL (GETs of a route), off libmicrohttpd's threads */
};

/* Test builds only (CONSULTA_TEST_CHECK_DELAY_MS): each contribution's check takes this long more, as its
 * reads of a database far away would, so that a test can see what waits for it. 0 in a release build. */
static int server_check_delay_ms;
/* Test builds only (CONSULTA_TEST_READ_DELAY_MS): each page read (a GET of a route) takes this long more, as a
 * page's round trips to a database far away would, so that a test can see what waits for it. */
static int server_read_delay_ms;

static void delay_ms(int ms)
{
	if (ms > 0)
		nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L}, NULL);
}

static void check_delay(void)
{
	delay_ms(server_check_delay_ms);
}

static struct watch *watch_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return info ? info->socket_context : NULL;
}

/* Moves the connection to phase; restart >= 0 starts its deadline again, restart ms from now. */
static void watch_set(struct MHD_Connection *conn, enum watch_phase phase, int64_t restart)
{
	struct watch *w = watch_of(conn);
	if (!w)
		return;
	if (restart >= 0)
		atomic_store(&w->since_ms, clock_monotonic_ms() + restart);
	atomic_store(&w->phase, (int)phase);
}

/* Gives the body now coming `bytes` (more than LIMIT_REQUEST_BODY) the time it needs at SERVER_BODY_RATE. */
static void watch_allow_body(struct MHD_Connection *conn, uint64_t bytes)
{
	struct watch *w = watch_of(conn);
	if (w && bytes > LIMIT_REQUEST_BODY)
		atomic_store(&w->body_ms, (int64_t)SERVER_REQUEST_SECONDS * 1000 +
						  (int64_t)((bytes - LIMIT_REQUEST_BODY) * 1000 / SERVER_BODY_RATE));
}

static void request_free(struct request *r)
{
	json_decref(r->hold);
	page_entry_release(r->page); /* a kept page never handed to a response */
	if (r->out_file)
		close(r->out_fd); /* a file never handed to a response */
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
	r->started_us = clock_monotonic_us();
	r->status = 500;
	r->out_type = "text/plain; charset=utf-8";
	return r;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct request *r)
{
	struct MHD_Response *resp;
	if (r->page) { /* a kept page's bytes, sent as they are (web/page_cache.c) */
		resp = page_cache_response(r);
		if (!resp)
			return MHD_NO;
	} else if (r->out_file) { /* a download written to a file: libmicrohttpd reads it as it sends, and closes it */
		resp = MHD_create_response_from_fd((uint64_t)r->out_fd_size, r->out_fd);
		if (!resp)
			return MHD_NO;
		r->out_file = false;
	} else {
		size_t len;
		char *body = buf_steal(&r->out, &len);
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (!resp) {
			free(body);
			return MHD_NO;
		}
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->out_type);
	MHD_add_response_header(resp, "Content-Security-Policy", SECURITY_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Request-Id", r->id); /* what the person can quote; the log has it */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control ? r->cache_control : "no-store");
	if (r->location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->retry_after)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, r->retry_after);
	if (r->www_authenticate)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, r->www_authenticate);
	/* An answer in a negotiated language differs by the switcher's cookie and Accept-Language. */
	const char *vary = !r->lang ? r->vary
			   : r->vary ? arena_printf(&r->arena, "%s, Accept-Language, Cookie", r->vary)
				     : "Accept-Language, Cookie";
	if (vary)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, vary);
	if (r->etag)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
	if (r->content_encoding)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, r->content_encoding);
	if (r->content_disposition)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, r->content_disposition);
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
	i18n_use(request_language(r)->code);
	if (wants_json(r->path)) {
		reply_json_problem(r, status, code, message);
	} else {
		/* A person in a browser gets a page that says what happened and leads back. */
		page_message(r, status, message);
	}
}

/* A limit as a person reads it (i18n_size), in r's arena. */
static const char *size_readable(struct request *r, size_t bytes)
{
	char text[I18N_SIZE_LEN];
	i18n_size(bytes, false, text);
	return arena_strdup(&r->arena, text);
}

/* 413, from the announced length (or as the body passes the limit): nothing of it was read, so a form cannot
 * come back filled in; the page says to go back, where the browser has kept what was typed. A route that takes
 * files names both of their limits (one file, the whole request), the ones the form's page states. */
static void reply_too_large(struct request *r, size_t limit)
{
	bool known;
	const struct route *route = route_match(r, r->method, r->path, &known);
	const char *message;
	if (route && route->files)
		message = arena_printf(&r->arena,
				       /* TRANSLATORS: %1$s and %2$s are sizes such as "25 MB" and "36 MB". */
				       _("The request is larger than this address takes: files up to %1$s each, %2$s in "
					 "all. Send fewer or smaller files, or a shorter text, and send it again."),
				       size_readable(r, (size_t)config_get()->attachment_max_size), size_readable(r, limit));
	else
		message = arena_printf(&r->arena, _("The request is larger than the limit of %s; shorten the text and "
						   "send it again."),
				       size_readable(r, limit));
	if (message && !wants_json(r->path))
		message = arena_printf(&r->arena, "%s %s", message,
				       _("Go back with your browser's Back button: the form usually still has what you "
					 "typed."));
	reply_early(r, 413, "too_large", message ? message : "413");
}

/* The ceiling of r's body: its route's (route_body_limit: a contribution's files, an uploaded matrix), but
 * beyond LIMIT_REQUEST_BODY only for someone the route admits, so that nobody else can make the server hold
 * that much. Who asks is known before the body is read: a read of the database on this thread, as a page's
 * GET makes; what it learns is forgotten, and prepare() asks again before the handler runs. */
static size_t body_limit(struct request *r, const char *method, const char *url)
{
	enum role role;
	const size_t limit = route_body_limit(r, method, url, &role);
	if (limit <= LIMIT_REQUEST_BODY || role == ROLE_PUBLIC)
		return limit;
	struct error e;
	error_clear(&e);
	bool admitted = false;
	if ((r->db = db_thread(&e))) {
		auth_resolve(r);
		admitted = r->account && (role != ROLE_SECRETARIAT || r->account->role == ACCOUNT_SECRETARIAT);
	}
	r->db = NULL;
	r->account = NULL;
	r->by_token = false;
	r->session = NULL;
	return admitted ? limit : LIMIT_REQUEST_BODY;
}

/* The path or method for the log: libmicrohttpd has decoded the path, and
 * takes any token as a method, so a %0A, a quote or a space the client sent
 * would end the line or the value and let it forge log entries. Such bytes
 * (and non-ASCII ones) are written percent-encoded again. */
static const char *log_escape(struct request *r, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = arena_alloc(&r->arena, 3 * n + 1);
	if (!out)
		return "?";
	char *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7F || *p == '"' || *p == '\\' || *p == '%' || *p == '=') {
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

/* Decodes r's body as a form into r->form; false if it cannot be read. */
static bool parse_form(struct request *r, bool urlencoded)
{
	const char *body = r->body.data ? r->body.data : "";
	r->form = arena_alloc(&r->arena, sizeof *r->form);
	return r->form && (urlencoded ? form_parse(&r->arena, body, r->body.len, r->form)
	                              : form_parse_multipart(&r->arena, r->conn, body, r->body.len, r->form));
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
	request_language_account(r); /* a logged-in account's language, unless the switcher chose one */
	if (route->role != ROLE_PUBLIC && !r->account) {
		/* An office form whose session has ended: the login page, which keeps what was typed for the account
		 * it was served to (its signed "served_to" field) and gives it back once that account logs in again.
		 * Read for the office's routes only: the body is within LIMIT_REQUEST_BODY for someone not logged in
		 * (body_limit). */
		if (!api && change && route->role == ROLE_SECRETARIAT && (urlencoded || multipart) &&
		    parse_form(r, urlencoded) && auth_form_author_id(r, form_get(r->form, "served_to")) > 0) {
			page_login_again(r);
			return false;
		}
		r->form = NULL;
		if (api) {
			r->www_authenticate = "Bearer realm=\"consulta\"";
			reply_early(r, 401, "unauthorized", _("Log in, or send an API token (Authorization: Bearer ...)."));
		} else if (!change) {
			reply_redirect(r, arena_printf(&r->arena, "/login?next=%s", r->path));
		} else {
			reply_early(r, 401, "unauthorized", _("Your session has ended; log in again."));
		}
		return false;
	}
	if (route->role == ROLE_SECRETARIAT && r->account->role != ACCOUNT_SECRETARIAT) {
		reply_early(r, 403, "forbidden", _("Only the secretariat may do this."));
		return false;
	}
	/* The body is decoded only once the asker may use the route: a stranger cannot
	 * make the server parse a large form for a route that is not theirs. */
	if (route->body && (urlencoded || multipart)) {
		if (!parse_form(r, urlencoded)) {
			reply_early(r, 400, "bad_request",
				    _("The form could not be read (it was malformed, not valid UTF-8, or had too many fields "
				      "or files)."));
			return false;
		}
	}
	/* Pages' forms always carry the token; the API needs it only when a browser's
	 * session cookie is what authenticates the call; a route whose URL carries
	 * its own secret (a one-click leave link) needs none. */
	if (change && !route->no_csrf && (!api || (r->account && !r->by_token)) && !auth_csrf_ok(r)) {
		if (!api && route->stale && r->form) {
			route->stale(r); /* the form again with what was typed: nothing is done */
			if (r->status == 403)
				return false;
			r->location = NULL; /* it could not be shown again (its call or draft is gone): the plain 403 */
		} else if (!api && r->form && route->role == ROLE_SECRETARIAT) {
			/* Any other office form: what was typed, to send again; nothing is done. */
			office_resend_page(r, r->path, r->form,
			                   _("This form had expired or did not come from this site; nothing was done."),
			                   403);
			return false;
		}
		reply_early(r, 403, "csrf",
			    api ? _("Send the X-CSRF-Token header with the csrf token of this session's pages (the hidden "
				    "field csrf of any form).")
				: _("This form has expired or did not come from this site. Go back, reload the page and "
				    "send it again."));
		return false;
	}
	return true;
}

/* The key of a form sent with its one-time field to a route that creates (.once), or NULL: the SHA-256 of who
 * sent it, where, the key and every field but the CSRF token (the same key with other content, a form
 * corrected after going back, is another change). */
static const char *once_key(struct request *r, const struct route *route)
{
	const char *once = route->once && r->form && r->account ? form_get(r->form, "once") : NULL;
	if (!once || strlen(once) < 16 || strlen(once) > 64)
		return NULL;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	const char *who = arena_printf(&r->arena, "%lld\n%s\n", (long long)r->account->id, r->path);
	if (!who)
		return NULL;
	crypto_hash_sha256_update(&st, (const unsigned char *)who, strlen(who));
	for (int i = 0; i < r->form->n; i++) {
		if (!strcmp(r->form->names[i], "csrf"))
			continue;
		/* each name and value with its length before it: no two forms hash the same bytes */
		const char *field = arena_printf(&r->arena, "%zu:%s=%zu:", strlen(r->form->names[i]), r->form->names[i],
		                                 strlen(r->form->values[i]));
		if (!field)
			return NULL;
		crypto_hash_sha256_update(&st, (const unsigned char *)field, strlen(field));
		crypto_hash_sha256_update(&st, (const unsigned char *)r->form->values[i], strlen(r->form->values[i]));
	}
	for (int i = 0; i < r->form->nfiles; i++)
		crypto_hash_sha256_update(&st, r->form->files[i].data, r->form->files[i].len);
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&st, digest);
	char *key = arena_alloc(&r->arena, SECRET_HASH_LEN + 1);
	if (key)
		sodium_bin2hex(key, SECRET_HASH_LEN + 1, digest, sizeof digest);
	return key;
}

/* Runs the route's handler, once for a form sent twice (core/form_once.h): the second is answered with the page
 * the first led to (303), or 409 while the first still runs. */
static void once_handle(struct request *r, const struct route *route)
{
	const char *key = once_key(r, route);
	struct error e;
	error_clear(&e);
	const char *location = NULL;
	int claim = key ? form_once_claim(r->db, &r->arena, key, &location, &e) : FORM_ONCE_NEW;
	/* A double click: the browser shows the second answer, so that one waits for the first to end and
	 * leads to the same page (or, the first refused, runs itself and shows why) rather than a bare 409. */
	for (int waited_ms = 0; claim == FORM_ONCE_BUSY && waited_ms < SERVER_ONCE_WAIT_MS; waited_ms += 50) {
		delay_ms(50);
		claim = form_once_claim(r->db, &r->arena, key, &location, &e);
	}
	if (claim < 0) {
		log_event("form_once.failed", "rid=%s msg=\"%s\"", r->id, e.message);
		key = NULL; /* the change runs as without the field */
	} else if (claim == FORM_ONCE_DONE) {
		reply_redirect(r, location);
		return;
	} else if (claim == FORM_ONCE_BUSY) {
		reply_early(r, 409, "conflict",
		            _("This form was sent already and is still being done; reload its page in a moment to see "
		              "it done."));
		return;
	}
	route->handler(r);
	if (!key)
		return;
	error_clear(&e);
	if ((r->status == 303 && r->location ? form_once_done(r->db, key, r->location, &e)
	                                     : form_once_release(r->db, key, &e)) != 0)
		log_event("form_once.failed", "rid=%s msg=\"%s\"", r->id, e.message);
}

static void handle(struct request *r);

/* The handler, timed for the log (answer()). */
static void dispatch(struct request *r)
{
	if (!r->ran_from_us)
		r->ran_from_us = clock_monotonic_us();
	handle(r);
	r->ran_until_us = clock_monotonic_us();
}

static void handle(struct request *r)
{
	bool path_known;
	i18n_use(request_language(r)->code); /* _() in the handler, on whichever thread runs it */
	if (strlen(r->path) > LIMIT_URL) {
		reply_early(r, 414, "uri_too_long", _("The address is too long."));
		return;
	}
	const struct route *route = route_match(r, r->method, r->path, &path_known);
	if (route && !strcmp(r->method, "GET"))
		delay_ms(server_read_delay_ms);
	if (!route) {
		if (path_known) {
			r->allow = route_allow(r, r->path);
			reply_early(r, 405, "method_not_allowed", _("This address does not accept this method."));
		} else {
			reply_early(r, 404, "not_found", _("There is no page at this address."));
		}
		return;
	}
	if (r->body_too_large) {
		reply_too_large(r, r->body.max);
		return;
	}
	struct error e;
	error_clear(&e);
	r->db = db_thread(&e);
	if (!r->db) {
		log_event("db.unavailable", "rid=%s msg=\"%s\"", r->id, e.message);
		reply_early(r, 503, "unavailable", request_failure_message(r, 503));
		return;
	}
	r->content_type = request_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	/* A GET (or HEAD) only reads: one read transaction around the handler, so that a page built from
	 * several queries sees one snapshot and SQLite locks its files once, not once per query (that
	 * locking was a third of the server's time on /versions/2). If BEGIN fails, autocommit as before.
	 * A GET that writes (a confirmation link) leaves it in db_begin(). */
	bool read_tx = !strcmp(route->method, "GET") && db_read_begin(r->db, &e) == 0;
	if (prepare(r, route)) {
		once_handle(r, route);
		/* A change may have queued mail (a receipt, a confirmation link, notices): the hook (main.c's wakes
		 * the mail sender) sends it now, not at the sender's next tick. */
		if (strcmp(route->method, "GET") != 0 && server_on_change && !r->then && !r->offload)
			server_on_change();
	}
	if (read_tx)
		db_read_end(r->db);
}

/* Contributions run on the event thread, from their suspension until their answer is sent (on_completed):
 * the daemon is stopped only once there are none, so that none is still suspended (libmicrohttpd must not be
 * stopped so) and none stored is left unanswered. */
static _Atomic int server_awaiting;
/* Set when the server stops: no contribution is suspended on the event thread any more (a new one goes to
 * the contributions' pool, closed by then: 503). Checked after server_awaiting is raised, and the stop
 * waits for server_awaiting after setting it: one of the two sees the other (sequentially consistent). */
static _Atomic bool server_closing;

/* Counts one more connection suspended on the event thread, unless the server is stopping: then false. */
static bool await_begin(void)
{
	atomic_fetch_add(&server_awaiting, 1);
	if (!atomic_load(&server_closing))
		return true;
	atomic_fetch_sub(&server_awaiting, 1);
	return false;
}

bool request_can_await(const struct request *r)
{
	return r->on_event_thread;
}

void request_await(struct request *r, void (*then)(struct request *), void *ctx)
{
	r->then = then;
	r->then_ctx = ctx;
}

void request_awake(void *arg)
{
	struct request *r = arg;
	/* Woken while its handler still runs on a checks worker: resumed by that worker once the handler has
	 * returned (resumed now, libmicrohttpd could run on_request while the handler still fills r). */
	int running = REQUEST_AWAIT_RUNNING;
	if (atomic_compare_exchange_strong(&r->await_phase, &running, REQUEST_AWAIT_WOKEN))
		return;
	MHD_resume_connection(r->conn);
}

bool request_offload(struct request *r)
{
	if (!r->on_event_thread)
		return false;
	r->offload = true;
	return true;
}

/* Whether a contribution (a route marked grouped) may run on the event thread: its handler only parses,
 * checks (reads) and queues it, then awaits its group commit without a thread (request_await). A form with
 * files (multipart: a comment table may run pandoc) goes to the contributions' pool, as does a JSON body
 * with files (its handler asks for it: request_offload). */
static bool runs_inline(struct request *r)
{
	const char *type = request_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	return !type || strncasecmp(type, "multipart/", 10) != 0;
}

/* Changes (every method but GET and HEAD, and the GETs marked slow in the
 * route table) run on a worker: they may hash a password, run pandoc or wait
 * for the write lock, and a pool thread that did so would stop serving every
 * other connection it holds. A contribution (a route marked grouped) runs on
 * the contributions' pool, whose threads wait for their group commit: many at
 * once, without holding back the other changes. Reads (GETs and HEADs of a
 * route) run on the reads' pool on PostgreSQL, so that a page's round trips
 * do not hold back this thread's other connections. NULL (a read on SQLite,
 * an address of no route): on this thread. */
static struct pool *pool_for(struct server *srv, struct request *r)
{
	bool path_known;
	const struct route *route = route_match(r, r->method, r->path, &path_known);
	if (route && route->grouped)
		return &srv->contributions;
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return &srv->changes;
	if (route && route->slow)
		return &srv->changes;
	return route && srv->reads.nthreads ? &srv->reads : NULL;
}

/* Hands r to the pool with its connection suspended (already, or now); false if the queue is full or
 * closing. */
static bool pool_submit(struct pool *p, struct request *r, bool suspended)
{
	pthread_mutex_lock(&p->lock);
	bool ok = !p->closing && p->len < p->capacity;
	if (ok) {
		/* Suspended before a worker can see it, so that its resume never comes first. */
		if (!suspended)
			MHD_suspend_connection(r->conn);
		p->queue[(p->head + p->len) % p->capacity] = r;
		p->len++;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->lock);
	return ok;
}

static void reply_busy(struct request *r, struct pool *p);

/* A handler asked to be run on a worker (request_offload): its files are checked there, from the start. True
 * if p took it (its worker resumes the connection); else it is answered 503 (reply_busy). */
static bool offload(struct pool *p, struct request *r)
{
	r->offload = false;
	r->form = NULL;
	r->account = NULL;
	r->by_token = false;
	r->session = NULL;
	if (pool_submit(p, r, true))
		return true;
	reply_busy(r, p);
	return false;
}

/* A contribution on a checks worker, its connection suspended: checked and queued as on the event thread; its
 * connection is resumed by the group commit (request_awake), or here if it is answered already. */
static void check_run(struct pool *p, struct request *r)
{
	atomic_store(&r->await_phase, REQUEST_AWAIT_RUNNING);
	r->on_event_thread = true;
	check_delay();
	dispatch(r);
	r->on_event_thread = false;
	if (r->then) {
		int running = REQUEST_AWAIT_RUNNING;
		if (!atomic_compare_exchange_strong(&r->await_phase, &running, REQUEST_AWAIT_RETURNED))
			MHD_resume_connection(r->conn); /* committed already: its wake came while the handler ran */
		return;
	}
	atomic_store(&r->await_phase, REQUEST_AWAIT_RETURNED);
	if (r->offload && offload(p->offload_to, r))
		return; /* that worker resumes it */
	r->answered = true;
	MHD_resume_connection(r->conn);
}

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->len && !p->closing)
			pthread_cond_wait(&p->cv, &p->lock);
		if (!p->len) { /* closing, and nothing left: every suspended connection was resumed */
			pthread_mutex_unlock(&p->lock);
			break;
		}
		struct request *r = p->queue[p->head];
		p->head = (p->head + 1) % p->capacity;
		p->len--;
		pthread_mutex_unlock(&p->lock);
		if (p->offload_to) {
			check_run(p, r);
			continue;
		}
		dispatch(r); /* with this worker's own database connection (db_thread) */
		r->answered = true;
		/* libmicrohttpd calls on_request again on its own thread, which queues the answer. */
		MHD_resume_connection(r->conn);
	}
	db_thread_close();
	return NULL;
}

/* The answer as built, unless it was cut off at LIMIT_RESPONSE: then an
 * error, never a 200 with half a page or an empty JSON body. */
static void reply_checked(struct request *r)
{
	if (!r->out.failed)
		return;
	log_event("http.answer_too_large", "rid=%s status=%d limit=%d", r->id, r->status, LIMIT_RESPONSE);
	const bool refused = r->status >= 400 && r->status < 500 && r->body.len > 0;
	buf_reset(&r->out);
	r->location = NULL;
	r->ncookies = 0;
	if (refused) {
		/* A form refused with what was sent in it (422: "shorten this text"), too large to send back filled
		 * in: the sender's mistake, said as one, and the browser still has what was typed. */
		const char *message = arena_printf(
			&r->arena, "%s %s",
			_("What was sent is too large to be shown again in the form: shorten the longest text and send it "
			  "again."),
			_("Go back with your browser's Back button: the form usually still has what you typed."));
		reply_early(r, 413, "too_large", message ? message : "413");
		return;
	}
	reply_early(r, 500, "internal", request_failure_message(r, 500));
}

static enum MHD_Result answer(struct MHD_Connection *conn, struct request *r)
{
	reply_checked(r);
	/* ms=: from its head to its answer, queues and waits included (what the client waited, less the network
	 * and the time its bytes sat unread while this thread served others) */
	const int64_t now = clock_monotonic_us(), us = now - r->started_us;
	/* Where a slow answer's time went: waiting (for a worker, or for the rest of its body), its handler, or
	 * after it (a resumed connection waits for its event thread's turn). */
	const int64_t wait = r->ran_from_us ? r->ran_from_us - r->started_us : 0;
	const int64_t ran = r->ran_from_us && r->ran_until_us >= r->ran_from_us ? r->ran_until_us - r->ran_from_us : 0;
	log_event("http",
		  "rid=%s ms=%lld.%01lld wait=%lld.%01lld ran=%lld.%01lld cache=%s client=%s method=%s path=\"%s\" "
		  "status=%d",
		  r->id, (long long)(us / 1000), (long long)(us % 1000 / 100), (long long)(wait / 1000),
		  (long long)(wait % 1000 / 100), (long long)(ran / 1000), (long long)(ran % 1000 / 100),
		  r->cache ? r->cache : "-", request_client_address(r), log_escape(r, r->method), log_escape(r, r->path),
		  r->status);
	watch_set(conn, WATCH_BUSY, -1);
	return send_reply(conn, r);
}

/* Every worker of p busy and its queue full: said at once; nothing was stored. */
static void reply_busy(struct request *r, struct pool *p)
{
	r->retry_after = "5";
	reply_early(r, 503, "busy", request_failure_message(r, 503));
	log_event("http.queue_full", "rid=%s pool=%s queued=%d", r->id, p->name, p->capacity);
}

/* A page kept during a surge, for the public: answered on this thread from the page cache, without the
 * database nor a worker's turn (routes.h, kept). */
static bool answer_kept(struct request *r)
{
	bool path_known;
	const struct route *route = route_match(r, r->method, r->path, &path_known);
	if (!route || !route->kept || strcmp(r->method, "GET") != 0 || !auth_anonymous(r))
		return false;
	r->ran_from_us = clock_monotonic_us();
	const bool answered = route->kept(r);
	r->ran_until_us = clock_monotonic_us();
	return answered;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **state)
{
	struct server *srv = cls;
	(void)version;
	struct request *r = *state;
	if (!r) {
		r = request_new(conn, method, url);
		if (!r)
			return MHD_NO;
		*state = r;
		i18n_use(request_language(r)->code); /* an early answer (413 below) is in the visitor's language */
		watch_set(conn, WATCH_BODY, -1);
		const size_t limit = body_limit(r, method, url); /* nothing is in the buffer yet */
		r->body.max = limit;
		/* Refuse an oversized body from its announced length, before reading it. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long announced = limit; /* a chunked body may be as large as the limit */
		if (cl) {
			char *end;
			announced = strtoull(cl, &end, 10);
			if (*end || announced > limit) {
				r->body_too_large = true;
				reply_too_large(r, limit);
				return answer(conn, r);
			}
		}
		if (limit != LIMIT_REQUEST_BODY)
			watch_allow_body(conn, announced);
		return MHD_YES;
	}
	/* This thread's language is r's for whatever is written now: the thread served other visitors since. */
	i18n_use(request_language(r)->code);
	if (r->then) { /* back from the group commit: the handler's answer */
		/* on this thread's connection: the handler's was its worker's, closed or serving another request since
		 * (an answer that reads, such as a repeated contribution's leaf of the record) */
		struct error de;
		error_clear(&de);
		r->db = db_thread(&de);
		void (*then)(struct request *) = r->then;
		r->then = NULL;
		then(r); /* the writer has woken the mail sender for its receipt (contribution_writer_on_commit) */
		return answer(conn, r);
	}
	if (r->answered) /* back from a worker */
		return answer(conn, r);
	if (*upload_size) {
		if (!r->body_too_large && buf_append(&r->body, upload_data, *upload_size) != 0)
			r->body_too_large = true; /* a chunked body that grew past the limit */
		*upload_size = 0;
		return MHD_YES;
	}
	watch_set(conn, WATCH_BUSY, -1);
	r->received_at = clock_now(); /* the whole request is in: a contribution's deadline is judged now */
	struct pool *p = pool_for(srv, r);
	if (p == &srv->reads && answer_kept(r))
		return answer(conn, r);
	if (p == &srv->contributions && runs_inline(r) && await_begin()) {
		/* Suspended first, so that the writer's resume (request_awake) can only take effect once this
		 * call has returned, whenever it comes. */
		MHD_suspend_connection(conn);
		r->awaiting = true; /* counted by await_begin() until on_completed */
		/* Checked on a checks worker while this thread answers other requests; here if they are all busy. */
		if (pool_submit(&srv->checks, r, true))
			return MHD_YES;
		r->on_event_thread = true;
		check_delay();
		dispatch(r);
		r->on_event_thread = false;
		if (r->then)
			return MHD_YES; /* answered by request_awake and then() */
		if (r->offload && offload(p, r))
			return MHD_YES; /* the worker resumes it; still counted until it is answered */
		r->answered = true; /* answered already (refused, or without the writer) */
		request_awake(r);
		return MHD_YES;
	}
	if (p) {
		if (pool_submit(p, r, false))
			return MHD_YES;
		if (p != &srv->reads) { /* a read is never refused: answered here */
			reply_busy(r, p);
			return answer(conn, r);
		}
	}
	dispatch(r);
	return answer(conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	struct request *r = *state;
	if (r && r->awaiting)
		atomic_fetch_sub(&server_awaiting, 1); /* answered (or the client went away) */
	if (*state)
		request_free(*state);
	*state = NULL;
	/* A kept-alive connection has the head deadline again for its next request, counted from when the
	 * idle time-out would end it: a browser keeps idle connections for its next click, and one cut at
	 * 10 s of idleness just as the browser reuses it fails that request. */
	watch_set(conn, WATCH_HEAD, (SERVER_CONNECTION_TIMEOUT - SERVER_HEAD_SECONDS) * 1000);
	struct watch *w = watch_of(conn);
	if (w)
		atomic_store(&w->body_ms, 0); /* the next request's body has the usual time */
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct watch *w = calloc(1, sizeof *w);
		if (!w || !info) {
			free(w);
			return; /* unwatched: libmicrohttpd's idle time-out still applies */
		}
		w->fd = info->connect_fd;
		atomic_init(&w->phase, WATCH_HEAD);
		atomic_init(&w->since_ms, clock_monotonic_ms());
		pthread_mutex_lock(&srv->watch_lock);
		w->next = srv->watches;
		if (w->next)
			w->next->prev = w;
		srv->watches = w;
		pthread_mutex_unlock(&srv->watch_lock);
		*socket_context = w;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		/* Called before libmicrohttpd closes the socket: once unlinked, the sweep never touches a reused fd. */
		struct watch *w = *socket_context;
		pthread_mutex_lock(&srv->watch_lock);
		if (w->prev)
			w->prev->next = w->next;
		else
			srv->watches = w->next;
		if (w->next)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&srv->watch_lock);
		free(w);
		*socket_context = NULL;
	}
}

/* Shuts down every connection whose request is not whole by its deadline; libmicrohttpd then sees the
 * socket end and closes it on its own thread. */
static void *sweep(void *arg)
{
	struct server *srv = arg;
	pthread_mutex_lock(&srv->watch_lock);
	while (!srv->sweep_stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += SERVER_SWEEP_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&srv->sweep_stop_cv, &srv->watch_lock, &until);
		int64_t now = clock_monotonic_ms();
		int cut = 0;
		for (struct watch *w = srv->watches; w; w = w->next) {
			int phase = atomic_load(&w->phase);
			int64_t age = now - atomic_load(&w->since_ms);
			const int64_t body_ms = atomic_load(&w->body_ms);
			if (w->cut || phase == WATCH_BUSY)
				continue;
			if ((phase == WATCH_HEAD && age > SERVER_HEAD_SECONDS * 1000) ||
			    (phase == WATCH_BODY && age > (body_ms ? body_ms : SERVER_REQUEST_SECONDS * 1000))) {
				shutdown(w->fd, SHUT_RDWR);
				w->cut = true;
				cut++;
			}
		}
		if (cut)
			log_event("http.deadline", "cut=%d", cut);
	}
	pthread_mutex_unlock(&srv->watch_lock);
	return NULL;
}

/* PostgreSQL: keeps the planner's statistics up to date (db_refresh_statistics) every SERVER_STATISTICS_MS
 * on a connection of its own, so that page reads are planned for the tables as they are during a burst
 * rather than as they were when autovacuum last looked. A failure is logged once until it succeeds again. */
static void *keep_statistics(void *arg)
{
	struct server *srv = arg;
	bool failing = false;
	pthread_mutex_lock(&srv->watch_lock);
	while (!srv->sweep_stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (SERVER_STATISTICS_MS % 1000) * 1000000L;
		until.tv_sec += SERVER_STATISTICS_MS / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&srv->sweep_stop_cv, &srv->watch_lock, &until);
		if (srv->sweep_stop)
			break;
		pthread_mutex_unlock(&srv->watch_lock); /* ANALYZE takes a while: the sweep and new connections go on */
		struct error e;
		error_clear(&e);
		struct db *db = db_thread(&e);
		const bool ok = db && db_refresh_statistics(db, &e) == 0;
		if (!ok && !failing)
			log_event("db.statistics_failed", "msg=\"%s\"", e.message);
		failing = !ok;
		pthread_mutex_lock(&srv->watch_lock);
	}
	pthread_mutex_unlock(&srv->watch_lock);
	db_thread_close();
	return NULL;
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

/* Raises the soft RLIMIT_NOFILE (within the hard one) to what SERVER_CONNECTION_LIMIT needs, and returns
 * how many connections it leaves room for. */
static unsigned connection_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1000;
	rlim_t want = (rlim_t)SERVER_CONNECTION_LIMIT + SERVER_FD_RESERVE;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return SERVER_CONNECTION_LIMIT;
	return rl.rlim_cur > 2 * SERVER_FD_RESERVE ? (unsigned)(rl.rlim_cur - SERVER_FD_RESERVE) : SERVER_FD_RESERVE;
}

static void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->closing = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	p->nthreads = 0;
}

static void pool_free(struct pool *p)
{
	if (!p->queue)
		return;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cv);
	free(p->queue);
	free(p->threads);
	p->queue = NULL;
}

static int pool_start(struct pool *p, const char *name, int threads, int capacity, struct error *e)
{
	p->name = name;
	p->capacity = capacity;
	p->queue = calloc((size_t)capacity, sizeof *p->queue);
	p->threads = calloc((size_t)threads, sizeof *p->threads);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (!p->queue || !p->threads) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	/* Default stacks: a contribution's thread may read a comment table or a form's files; a waiting thread's
	 * stack is address space reserved, not memory used. */
	for (; p->nthreads < threads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, pool_worker, p) != 0) {
			pool_stop(p);
			error_set(e, ERROR_UNAVAILABLE, "cannot start the server's worker threads (%s)", name);
			return -1;
		}
	return 0;
}

static void server_stop_threads(struct server *srv)
{
	pool_stop(&srv->checks); /* first: it may hand a contribution with files to the contributions' pool */
	pool_stop(&srv->contributions);
	pool_stop(&srv->changes);
	if (srv->reads.queue) /* started on PostgreSQL only */
		pool_stop(&srv->reads);
	pthread_mutex_lock(&srv->watch_lock);
	srv->sweep_stop = true;
	pthread_cond_broadcast(&srv->sweep_stop_cv);
	pthread_mutex_unlock(&srv->watch_lock);
	pthread_join(srv->sweeper, NULL);
	if (srv->statistician_started)
		pthread_join(srv->statistician, NULL);
	srv->statistician_started = false;
}

static int server_start_threads(struct server *srv, struct error *e)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&srv->watch_lock, NULL);
	pthread_cond_init(&srv->sweep_stop_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&srv->sweeper, NULL, sweep, srv) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "cannot start the server's deadline thread");
		return -1;
	}
	/* Without it the server still runs: its plans then wait for autovacuum. */
	srv->statistician_started = db_dialect() == DB_POSTGRESQL &&
				    pthread_create(&srv->statistician, NULL, keep_statistics, srv) == 0;
	srv->checks.offload_to = &srv->contributions; /* read by its workers from their start */
	if (pool_start(&srv->changes, "changes", SERVER_WORKERS, SERVER_QUEUE, e) != 0 ||
	    pool_start(&srv->contributions, "contributions", SERVER_GROUP_WORKERS, SERVER_GROUP_QUEUE, e) != 0 ||
	    pool_start(&srv->checks, "checks", SERVER_CHECK_WORKERS, SERVER_GROUP_QUEUE, e) != 0 ||
	    (db_dialect() == DB_POSTGRESQL &&
	     pool_start(&srv->reads, "reads", SERVER_READ_WORKERS, SERVER_READ_QUEUE, e) != 0)) {
		server_stop_threads(srv);
		pool_free(&srv->changes);
		pool_free(&srv->contributions);
		pool_free(&srv->checks);
		pool_free(&srv->reads);
		return -1;
	}
	return 0;
}

int server_run(const struct server_config *cfg, struct error *e)
{
	struct sockaddr_in addr;
	if (parse_listen(cfg->listen, &addr, e) != 0)
		return -1;
	const char *bad = NULL;
	if (!request_trust_proxies(cfg->trusted_proxies, cfg->ntrusted_proxies, &bad)) {
		error_set(e, ERROR_INVALID, "--trusted-proxy wants IPv4 or IPv6 addresses (at most 32 in all): %s",
			  bad ? bad : "?");
		return -1;
	}
	/* Behind a proxy every client comes from its address: the limit per address is then the proxy's
	 * (limit_conn in contrib/nginx/consulta.conf), unless asked for here as well. */
	unsigned per_address = cfg->per_address_limit >= 0 ? (unsigned)cfg->per_address_limit
				: cfg->ntrusted_proxies ? 0
							: SERVER_PER_ADDRESS_LIMIT;
	unsigned limit = connection_limit();

	/* Signals are taken by sigwait below, never by a pool thread. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	server_on_change = cfg->on_change;
#ifndef NDEBUG
	const char *delay = getenv("CONSULTA_TEST_CHECK_DELAY_MS");
	server_check_delay_ms = delay ? (int)strtol(delay, NULL, 10) : 0;
	const char *read_delay = getenv("CONSULTA_TEST_READ_DELAY_MS");
	server_read_delay_ms = read_delay ? (int)strtol(read_delay, NULL, 10) : 0;
#endif
	page_cache_configure(cfg->page_cache_mib < 0 ? (size_t)PAGE_CACHE_DEFAULT_MIB << 20
						      : (size_t)cfg->page_cache_mib << 20);
	struct server *srv = calloc(1, sizeof *srv);
	if (!srv || server_start_threads(srv, e) != 0) {
		if (!srv)
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
		free(srv);
		return -1;
	}
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
		NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL, /* first, or early messages bypass it */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_END);
	if (!d) {
		server_stop_threads(srv);
		pool_free(&srv->changes);
		pool_free(&srv->contributions);
		pool_free(&srv->checks);
		pool_free(&srv->reads);
		free(srv);
		error_set(e, ERROR_UNAVAILABLE, "cannot listen on %s (is the port in use?)", cfg->listen);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
	printf("listening on http://%s:%u/\n", host, info ? info->port : ntohs(addr.sin_port));
	fflush(stdout);
	log_event("serve.start",
		  "listen=%s:%u threads=%u workers=%d+%d+%d connections=%u per_address=%u proxies=%d page_cache_mib=%d db=%s",
		  host, info ? info->port : 0, cfg->threads, SERVER_WORKERS, SERVER_GROUP_WORKERS, SERVER_CHECK_WORKERS,
		  limit, per_address, cfg->ntrusted_proxies,
		  cfg->page_cache_mib < 0 ? PAGE_CACHE_DEFAULT_MIB : cfg->page_cache_mib, db_path());

	int sig;
	sigwait(&stop, &sig);
	log_event("serve.stop", "signal=%d", sig);
	/* The workers finish what is queued and resume those connections before the daemon stops:
	 * libmicrohttpd must not be stopped with a connection still suspended. */
	atomic_store(&server_closing, true);
	server_stop_threads(srv);
	/* Contributions queued from the event thread are answered by the writer, which still runs: their
	 * answers are sent before the daemon stops (a minute at most, then it stops anyway). */
	for (int i = 0; i < 6000 && atomic_load(&server_awaiting) > 0; i++)
		nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
	MHD_stop_daemon(d);
	page_cache_clear();
	pthread_mutex_destroy(&srv->watch_lock);
	pool_free(&srv->changes);
	pool_free(&srv->contributions);
	pool_free(&srv->checks);
	pool_free(&srv->reads);
	pthread_cond_destroy(&srv->sweep_stop_cv);
	free(srv);
	return 0;
}
