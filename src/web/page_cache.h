/*
 * page_cache — public pages kept as bytes, made once per state, served
 * without copying them.
 *
 * A page that is the same for every anonymous visitor (today a version's
 * page) is built once for a state — a short string the core computes with
 * one query (version_page_state()) that changes whenever anything the page
 * shows changes — and kept with its gzip. Later requests with the same state
 * get those bytes: libmicrohttpd sends them from the kept buffer (a reference
 * is held until it is done with them), as gzip to clients that accept it,
 * or 304 to a client that has them (If-None-Match). A different state is a
 * different page: nothing is invalidated by hand, so no change can be missed
 * by forgetting to invalidate. Most requests do not even compute the state:
 * a kept page remembers the database's change mark (store/db.h) as of which
 * its state was read and until when that state holds with time alone; while
 * no transaction has committed since (in this process or any other) and that
 * time has not come, the state is the same, and the page is sent without a
 * query.
 *
 * During a surge of contributions (while the writer has some not yet
 * answered) no mark holds for long: pages read then (the process page, a
 * call's list of contributions) are also served for PAGE_CACHE_RECENT_MS
 * after they were made or last found unchanged, without a query, and then
 * while one request makes them anew (another PAGE_CACHE_RECENT_MS at most),
 * so that one reader, not all, waits for it. New contributions, and any
 * change made during a surge, thus appear within a second or two; a page that shows contributions is served so only to a visitor
 * who sends no cookie, since one who sent a contribution from their browser
 * has ours and must see it at once. Out of a surge every page is as of the
 * last commit.
 *
 * Only anonymous visitors are served from the cache: the page's header
 * names who is logged in. A page that set a cookie or wrote a CSRF token
 * (a per-visitor form) is never kept, unless its form's token is the
 * placeholder page_cache_csrf_token() gives: then each visitor is sent the
 * kept bytes with their own token in its place (and its gzip made of the
 * parts around the token, nothing compressed per request).
 *
 * Thread-safe: the pool threads and the workers share one cache, bounded in
 * bytes (least recently used pages leave first), one entry per page.
 */
#ifndef CONSULTA_WEB_PAGE_CACHE_H
#define CONSULTA_WEB_PAGE_CACHE_H

#include "store/db.h"
#include "web/request.h"

#include <stdbool.h>
#include <stddef.h>

enum { PAGE_CACHE_DEFAULT_MIB = 64, PAGE_CACHE_RECENT_MS = 1000 };

struct page_entry;
struct MHD_Response;

/* Sets the cache's bound in bytes (0 turns it off), before the server starts. */
void page_cache_configure(size_t max_bytes);
/* Drops every kept page (those still being sent live until they are sent). */
void page_cache_clear(void);

/* The kept page for `page` ("version:2") if it was made under `state`, with a
 * reference the caller must release; NULL otherwise. */
struct page_entry *page_cache_get(const char *page, const char *state);
/* Keeps a copy of body (len bytes) and its gzip as `page` under `state`,
 * replacing what was kept for that page, and returns it with a reference for
 * the caller (also when it is too large to keep: then it lives until
 * released). NULL when out of memory. */
struct page_entry *page_cache_put(const char *page, const char *state, const char *body, size_t len);
void page_entry_release(struct page_entry *p);
/* The bytes: the page itself or its gzip (when it has one). */
const char *page_entry_body(const struct page_entry *p, bool gzip, size_t *len);

/*
 * For handlers.
 */

/* The page kept for `page` if no transaction committed since its state was
 * read (mark equal to the one it was read under) and now is before the
 * state's valid_until; NULL otherwise. With a reference, as page_cache_get(). */
struct page_entry *page_cache_get_unchanged(const char *page, const struct db_mark *mark, int64_t now);
/* Records that p's state was read (again) under mark, and holds until valid_until. */
void page_entry_mark(struct page_entry *p, const struct db_mark *mark, int64_t valid_until);

/* What a handler knows of the state of its page: the page key, and, once
 * read, the state with the change mark it was read under. */
struct page_state {
	const char *page;  /* "version:2" */
	const char *key;   /* the whole key if the handler made it (its language in it), else page@language */
	const char *state; /* NULL until read */
	bool marked;       /* mark was read before the state */
	struct db_mark mark;
	int64_t valid_until;
};

/* The start of a page made from versions (their texts, their document and
 * comments, the calls on them: a version's page, the comparison of two),
 * the same for every anonymous visitor: with the cache on and r anonymous,
 * answers r from the page kept as `page` if its state (the versions' page
 * states, version_page_state()) is unchanged, and returns true; otherwise
 * fills ps for page_cache_keep() (ps->state NULL when there is nothing to
 * keep: the cache is off, r is logged in, a version does not exist or the
 * state could not be read) and returns false, and the handler builds the
 * page as usual. page is in r's arena (NULL: not kept). */
bool page_cache_versions(struct request *r, struct page_state *ps, const char *page, const int64_t *versions,
                         int nversions);

/* Whether r may be answered from the cache: the cache is on and the visitor
 * is anonymous (no session, no token). */
bool page_cache_wanted(const struct request *r);
/* Answers r from the kept page for ps->page if nothing has committed since
 * its state was read (ps->mark is read here; ps->marked says whether it
 * could be). True if answered; otherwise read ps->state and call
 * page_cache_serve(). */
bool page_cache_serve_unchanged(struct request *r, struct page_state *ps);
/* During a surge, answers r from the kept page for ps->page if it was made or found unchanged less than
 * PAGE_CACHE_RECENT_MS ago, or another request is making it anew (since less than that), and, for a page that shows contributions, r sends no cookie (see the file's
 * comment). True if answered. No query. */
bool page_cache_serve_recent(struct request *r, struct page_state *ps, bool shows_contributions);
/* The state of a page kept under the database's change mark alone (ps->mark, read by
 * page_cache_serve_unchanged()): the mark in hex, or "-" when it could not be read (such a page is served
 * again only while recent). NULL if out of memory. */
const char *page_mark_state(struct request *r, const struct page_state *ps);
/* The CSRF token for the form of a page that may be kept (ps->page set, r anonymous, the cache on): a
 * placeholder that page_cache_keep() puts the visitor's token in place of; otherwise auth_csrf_token(r). One form
 * with it per page, and the handler calls page_cache_keep() whenever it built the page. */
const char *page_cache_csrf_token(struct request *r, const struct page_state *ps);
/* Answers r from the kept page if there is one for ps->page under ps->state:
 * 200 (as gzip when the client accepts it) or 304. True if answered. */
bool page_cache_serve(struct request *r, const struct page_state *ps);
/* After the handler built r's page (r->out, status 200): keeps it under
 * state, unless it is not the same for every anonymous visitor (it set a
 * cookie or wrote a CSRF token), and answers r from the kept bytes as
 * page_cache_serve() does. Otherwise r is answered as built. */
void page_cache_keep(struct request *r, const struct page_state *ps);

/* The body of a response made from r->page, handed to libmicrohttpd without
 * a copy: the response takes r's reference and drops it when libmicrohttpd
 * destroys the response. NULL (r keeps its reference, released with r) if
 * the response cannot be made. For send_reply(). */
struct MHD_Response *page_cache_response(struct request *r);

/* Parsing the request headers (exposed for the unit tests). */
bool page_accepts_gzip(const char *accept_encoding);
/* Whether If-None-Match (a list of entity tags, or *) names one of the tags given (each quoted, "\"...\""). */
bool page_etag_matches(const char *if_none_match, const char *etag, const char *etag_gzip);

#endif
