/*
 * request — one HTTP request as the handlers see it, and the replies they give.
 *
 * The server (server.c) reads the request, finds its route (routes.c) and
 * calls the handler with a struct request whose arena lives until the
 * response is handed to libmicrohttpd. A handler fills in a status, a body
 * and its type through the reply_* helpers; the server adds the security
 * headers that every response carries.
 */
#ifndef CONSULTA_WEB_REQUEST_H
#define CONSULTA_WEB_REQUEST_H

#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct route; /* web/routes.h */

struct MHD_Connection;
struct account;
struct i18n_language;
struct form;
struct page_entry;

enum { ROUTE_MAX_PARAMS = 4, REQUEST_MAX_COOKIES = 4 };

struct request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	char id[17]; /* request id for the logs */
	const char *client_address; /* request_client_address()'s answer, once asked */
	struct arena arena;
	struct db *db; /* this thread's connection */
	int64_t received_at; /* when its last byte arrived (clock_now): a contribution's deadline is judged then */
	int64_t started_us; /* machine time (monotonic) when its head was read: the log's ms= counts from then */
	/* When its handler began and ended (machine time; 0 until then): the log's wait= (for a thread, or for
	 * its body), ran= (the handler) and what is left (sending, and the resumed connection's turn) */
	int64_t ran_from_us, ran_until_us;
	const char *cache; /* how the page cache answered (the log's cache=), NULL if it did not */

	/* The body as received (NUL-terminated), and whether it passed the limit. */
	struct buf body;
	bool body_too_large;
	bool answered; /* a worker has run the handler; the reply waits to be queued (server.c) */
	const char *content_type;

	const char *params[ROUTE_MAX_PARAMS]; /* {captures} of the route, in order */
	int nparams;
	/* route_match()'s last answer, and for which method and path: asked again (the body's limit, the pool,
	 * the dispatch), it answers without matching every route again */
	const struct route *matched;
	const char *matched_method, *matched_path;
	bool matched_known;
	struct form *form; /* a decoded form body, or NULL (set by the server for form posts) */

	/* Who is asking (web/auth.c): NULL for the public. */
	struct account *account;
	bool by_token;    /* authenticated with a bearer token rather than a session cookie */
	const char *session; /* the session token of a visitor logged in by cookie, or NULL */
	const char *csrf;    /* this visitor's CSRF token, once a page has needed one */
	/* The language the answer is in (request_language()), NULL until asked; lang_asked: the visitor chose it
	 * (switcher cookie, or their account's language) or their browser named it (Accept-Language); lang_chosen:
	 * by the switcher's cookie, which no account's language overrides. */
	const struct i18n_language *lang;
	bool lang_asked;
	bool lang_chosen;

	/* The reply. */
	int status;
	struct buf out;
	const char *out_type;
	const char *location;     /* for redirects */
	const char *cache_control; /* NULL: no-store for pages and API alike */
	const char *allow;        /* for 405 */
	const char *set_cookies[REQUEST_MAX_COOKIES];
	int ncookies;
	const char *retry_after; /* for 429 */
	const char *www_authenticate; /* for 401 */
	const char *vary;         /* Vary, or NULL */
	const char *etag;         /* ETag (quoted), or NULL */
	const char *content_encoding; /* "gzip" when the body is, or NULL */
	/* A kept page (web/page_cache.h) whose bytes are the body instead of out, with a reference that the
	 * response takes over; page_gzip: its gzip. */
	struct page_entry *page;
	bool page_gzip;
	/* A file whose bytes are the body instead of out (a large download written to a temporary file), which
	 * the response takes over and closes; out_fd_size its bytes. Valid when out_file. */
	bool out_file;
	int out_fd;
	int64_t out_fd_size;
	const char *content_disposition; /* Content-Disposition (a download's file name), or NULL */

	/* A contribution handed to the group commit without a thread waiting for it (request_await). */
	bool on_event_thread; /* the handler may await, never wait: on libmicrohttpd's thread or a checks worker */
	/* On a checks worker (server.c): REQUEST_AWAIT_RUNNING while its handler runs, REQUEST_AWAIT_WOKEN if the
	 * group commit woke it meanwhile (the worker then resumes the connection once the handler has returned),
	 * REQUEST_AWAIT_RETURNED otherwise (the default: request_awake resumes it at once). */
	_Atomic int await_phase;
	bool offload;         /* the handler asked to be run again on a worker (request_offload) */
	bool awaiting;        /* counted among the contributions the server answers before it stops */
	void (*then)(struct request *r); /* answers once the connection is resumed, on the event thread */
	void *then_ctx;
	json_t *hold; /* a parsed body that the answer still points into: released with the request */
};

enum { REQUEST_AWAIT_RETURNED = 0, REQUEST_AWAIT_RUNNING = 1, REQUEST_AWAIT_WOKEN = 2 };

/* Whether r's handler runs where it must not wait for the group commit (libmicrohttpd's thread, or a checks
 * worker, which awaits as it does): it then gives contribution_receive() a contribution_wait whose wake is
 * request_awake and ctx r, and, if it is queued, calls request_await(). */
bool request_can_await(const struct request *r);
/* The handler is done for now: then(r) answers on the event thread when request_awake(r) is called. */
void request_await(struct request *r, void (*then)(struct request *), void *ctx);
/* Called once by whoever r waits for (on any thread): resumes r's connection. */
void request_awake(void *r);
/* From a handler on the event thread with slow work to do (a contribution's files: converters, the virus
 * scanner): true if r is to be run again from the start on a worker, where it may wait (the handler returns at
 * once, having answered nothing); false on a worker, where it goes on. */
bool request_offload(struct request *r);

/* The language of r's answer, negotiated once: the switcher's cookie (REQUEST_LANGUAGE_COOKIE), then
 * Accept-Language, then English (until a process's page says otherwise: request_language_process(), or the
 * logged-in account's language: request_language_account()). */
const struct i18n_language *request_language(struct request *r);
/* Once r's account is known (web/auth.c): the account's language, when it has one we offer and the visitor
 * chose none by the switcher's cookie (the cookie, the /language/<code> link, still wins; a browser's
 * Accept-Language does not, since the account's is the person's own choice). Makes it the thread's language. */
void request_language_account(struct request *r);
/* For a page about a process whose languages are the tag list `languages` ("fr, en"): when the visitor named
 * no language we offer, its first one we offer. Makes it the thread's language for _() too. */
void request_language_process(struct request *r, const char *languages);
#define REQUEST_LANGUAGE_COOKIE "consulta_lang"

/* A query-string argument, or NULL. */
const char *request_query(struct request *r, const char *name);
/* How many query-string arguments r has. */
int request_query_count(struct request *r);
/* A request header, or NULL. */
const char *request_header(struct request *r, const char *name);

/* The address of the person asking (IPv4 or IPv6, as text in the arena, or
 * "unknown"): the TCP peer, unless that peer is one of the trusted proxies
 * (request_trust_proxies), when it is the rightmost X-Forwarded-For entry
 * that is not itself a trusted proxy. The only source of the client address
 * for the login slow-down, rate limits and the log. */
const char *request_client_address(struct request *r);

/* Sets the trusted proxies once, before serving: addresses as text (each may
 * be a comma list). Returns false, with *bad the entry that is not an IPv4 or
 * IPv6 address, if one is wrong. Not thread-safe: call before the first
 * request. */
bool request_trust_proxies(const char *const *addrs, int n, const char **bad);

/* The sentence the public reads for e: its own message for the client's
 * errors (4xx), and for the server's (5xx) a short sentence with the request
 * id, the detail going to the log under that id. Every reply that shows a
 * struct error goes through it, so internal messages ("database is locked")
 * never reach the public. */
const char *request_error_message(struct request *r, const struct error *e);
/* The same sentence for a 5xx answered without a struct error. */
const char *request_failure_message(struct request *r, int status);

void reply_html(struct request *r, int status); /* r->out already holds the page */
/* The body of r's response: n bytes of data, written to an unlinked temporary file that the response takes over
 * (out_file, out_fd, out_fd_size), for a body larger than r->out takes or held elsewhere (a kept PDF). 0, or -1
 * (r unchanged) if the file could not be made or written. */
int reply_body_bytes(struct request *r, const void *data, size_t n);
void reply_json(struct request *r, int status, json_t *body); /* takes the reference */
void reply_redirect(struct request *r, const char *location); /* 303 See Other */
/* {"error":{"code","message","fields"}} with the HTTP status that fits e->code. */
void reply_json_error(struct request *r, const struct error *e);
/* The same from a status, code and message. */
void reply_json_problem(struct request *r, int status, const char *code, const char *message);
int http_status_of(const struct error *e);

/* Parses a positive decimal id; false for anything else. */
bool parse_id(const char *s, int64_t *out);

#endif
