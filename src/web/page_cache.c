/* page_cache — see page_cache.h. */
#include "web/page_cache.h"

#include "core/document.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

struct page_entry {
	atomic_long refs; /* the cache's own (while listed) and one per holder: a request, a response */
	uint64_t hash;    /* of page, to skip most comparisons */
	char *page, *state;
	char *body, *gz; /* gz NULL when compressing failed or did not make it smaller */
	size_t len, gzlen, size;
	char etag[20], etag_gz[23]; /* "<16 hex>" and "<16 hex>-gz", quoted */
	/* The database's change mark when state was last read, and until when the state holds with time
	 * alone: while both hold, the state is known without a query. Under the cache's lock. */
	bool marked;
	struct db_mark mark;
	int64_t valid_until;
	bool listed;
	struct page_entry *prev, *next; /* most recently used first */
};

/* One cache for the process: configured before the server starts, then shared under the lock. */
static struct {
	pthread_mutex_t lock;
	struct page_entry *head, *tail;
	size_t bytes;
	atomic_size_t max; /* read without the lock by page_cache_wanted() */
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3u;
	}
	return h;
}

static void entry_free(struct page_entry *p)
{
	free(p->page);
	free(p->state);
	free(p->body);
	free(p->gz);
	free(p);
}

void page_entry_release(struct page_entry *p)
{
	if (p && atomic_fetch_sub(&p->refs, 1) == 1)
		entry_free(p);
}

/* libmicrohttpd's callback when a response made from the kept bytes is destroyed. */
static void entry_release_cb(void *cls)
{
	page_entry_release(cls);
}

const char *page_entry_body(const struct page_entry *p, bool gzip, size_t *len)
{
	if (gzip && p->gz) {
		*len = p->gzlen;
		return p->gz;
	}
	*len = p->len;
	return p->body;
}

/* Takes p out of the list (the lock held) and drops the cache's reference. */
static void unlink_locked(struct page_entry *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		cache.head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		cache.tail = p->prev;
	p->prev = p->next = NULL;
	p->listed = false;
	cache.bytes -= p->size;
	page_entry_release(p);
}

void page_cache_configure(size_t max_bytes)
{
	pthread_mutex_lock(&cache.lock);
	cache.max = max_bytes;
	while (cache.tail && cache.bytes > cache.max)
		unlink_locked(cache.tail);
	pthread_mutex_unlock(&cache.lock);
}

void page_cache_clear(void)
{
	pthread_mutex_lock(&cache.lock);
	while (cache.head)
		unlink_locked(cache.head);
	pthread_mutex_unlock(&cache.lock);
}

static struct page_entry *find_locked(const char *page, uint64_t hash)
{
	for (struct page_entry *p = cache.head; p; p = p->next)
		if (p->hash == hash && !strcmp(p->page, page))
			return p;
	return NULL;
}

struct page_entry *page_cache_get(const char *page, const char *state)
{
	uint64_t hash = fnv1a(page, strlen(page));
	pthread_mutex_lock(&cache.lock);
	struct page_entry *p = find_locked(page, hash);
	if (p && strcmp(p->state, state) != 0)
		p = NULL; /* made under another state: a request with that state will replace it */
	if (p) {
		atomic_fetch_add(&p->refs, 1);
		if (p != cache.head) { /* most recently used first */
			p->prev->next = p->next;
			if (p->next)
				p->next->prev = p->prev;
			else
				cache.tail = p->prev;
			p->prev = NULL;
			p->next = cache.head;
			cache.head->prev = p;
			cache.head = p;
		}
	}
	pthread_mutex_unlock(&cache.lock);
	return p;
}

struct page_entry *page_cache_get_unchanged(const char *page, const struct db_mark *mark, int64_t now)
{
	uint64_t hash = fnv1a(page, strlen(page));
	pthread_mutex_lock(&cache.lock);
	struct page_entry *p = find_locked(page, hash);
	if (p && p->marked && now < p->valid_until && !memcmp(p->mark.bytes, mark->bytes, DB_MARK_LEN))
		atomic_fetch_add(&p->refs, 1);
	else
		p = NULL;
	pthread_mutex_unlock(&cache.lock);
	return p;
}

void page_entry_mark(struct page_entry *p, const struct db_mark *mark, int64_t valid_until)
{
	pthread_mutex_lock(&cache.lock);
	p->marked = true;
	p->mark = *mark;
	p->valid_until = valid_until;
	pthread_mutex_unlock(&cache.lock);
}

/* gzip (RFC 1952) of the page at the highest level: it is done once per page and state, and every byte
 * saved is saved on every request. Leaves p->gz NULL if it fails or saves nothing. */
static void compress_page(struct page_entry *p)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	uLong bound = deflateBound(&z, (uLong)p->len);
	unsigned char *out = malloc(bound);
	if (out) {
		z.next_in = (unsigned char *)p->body;
		z.avail_in = (uInt)p->len;
		z.next_out = out;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < p->len) {
			p->gz = (char *)out;
			p->gzlen = z.total_out;
			out = NULL;
		}
		free(out);
	}
	deflateEnd(&z);
}

struct page_entry *page_cache_put(const char *page, const char *state, const char *body, size_t len)
{
	struct page_entry *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->page = strdup(page);
	p->state = strdup(state);
	p->body = malloc(len ? len : 1);
	if (!p->page || !p->state || !p->body || len > UINT32_MAX) {
		entry_free(p);
		return NULL;
	}
	memcpy(p->body, body, len);
	p->len = len;
	p->hash = fnv1a(page, strlen(page));
	compress_page(p);
	/* A strong tag from the bytes themselves: the same page after a restart or a state that came back
	 * keeps its tag, and a new program that writes it otherwise changes it. */
	uint64_t tag = fnv1a(body, len);
	snprintf(p->etag, sizeof p->etag, "\"%016llx\"", (unsigned long long)tag);
	snprintf(p->etag_gz, sizeof p->etag_gz, "\"%016llx-gz\"", (unsigned long long)tag);
	p->size = sizeof *p + strlen(page) + strlen(state) + p->len + p->gzlen;
	atomic_init(&p->refs, 1); /* the caller's */

	pthread_mutex_lock(&cache.lock);
	if (p->size <= cache.max) {
		struct page_entry *old = find_locked(page, p->hash);
		if (old)
			unlink_locked(old); /* one entry per page: the old state's bytes can no longer be asked for */
		atomic_fetch_add(&p->refs, 1); /* the cache's */
		p->listed = true;
		p->next = cache.head;
		if (cache.head)
			cache.head->prev = p;
		cache.head = p;
		if (!cache.tail)
			cache.tail = p;
		cache.bytes += p->size;
		while (cache.bytes > cache.max && cache.tail != p)
			unlink_locked(cache.tail);
	}
	pthread_mutex_unlock(&cache.lock);
	return p;
}

/* -- request headers ---------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether a q value ("1", "0.5", "0", "0.000") is above zero. */
static bool q_positive(const char *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (q[i] >= '1' && q[i] <= '9')
			return true;
	return false;
}

bool page_accepts_gzip(const char *accept_encoding)
{
	if (!accept_encoding)
		return false;
	int gzip = -1, star = -1; /* -1: not named; 0: refused (q=0); 1: accepted */
	const char *p = accept_encoding;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *end = p + n;
		while (p < end && is_space(*p))
			p++;
		size_t tok = 0;
		while (p + tok < end && p[tok] != ';' && !is_space(p[tok]))
			tok++;
		int accepted = 1;
		for (const char *param = memchr(p, ';', (size_t)(end - p)); param && param < end;
		     param = memchr(param + 1, ';', (size_t)(end - param - 1))) {
			const char *v = param + 1;
			while (v < end && is_space(*v))
				v++;
			if (end - v >= 2 && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=') {
				v += 2;
				size_t vn = 0;
				while (v + vn < end && v[vn] != ';' && !is_space(v[vn]))
					vn++;
				accepted = q_positive(v, vn);
			}
		}
		if ((tok == 4 && !strncasecmp(p, "gzip", 4)) || (tok == 6 && !strncasecmp(p, "x-gzip", 6)))
			gzip = accepted;
		else if (tok == 1 && *p == '*')
			star = accepted;
		p = *end ? end + 1 : end;
	}
	return gzip == 1 || (gzip == -1 && star == 1);
}

bool page_etag_matches(const char *if_none_match, const char *etag, const char *etag_gzip)
{
	if (!if_none_match)
		return false;
	const char *p = if_none_match;
	while (*p) {
		while (*p == ',' || is_space(*p))
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2)) /* If-None-Match compares weakly (RFC 9110, 13.1.2) */
			p += 2;
		size_t n = strcspn(p, ",");
		while (n && is_space(p[n - 1]))
			n--;
		if ((n == strlen(etag) && !strncmp(p, etag, n)) ||
		    (n == strlen(etag_gzip) && !strncmp(p, etag_gzip, n)))
			return true;
		p += n;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

/* -- handlers ------------------------------------------------------------ */

bool page_cache_wanted(const struct request *r)
{
	return atomic_load(&cache.max) > 0 && !r->account;
}

/* The key a page is kept under: the handler's name for it in the reader's language (each language is its own
 * page; its bytes, hence its ETag, differ). */
static const char *page_key(struct request *r, const char *page)
{
	return arena_printf(&r->arena, "%s@%s", page, request_language(r)->code);
}

/* Answers r from p (taking over the caller's reference): 304 if the client has these bytes, else 200 with
 * them, as gzip if the client accepts it. The other headers are send_reply()'s, as for every answer. */
static void reply_entry(struct request *r, struct page_entry *p)
{
	const bool gzip = p->gz && page_accepts_gzip(request_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	r->vary = MHD_HTTP_HEADER_ACCEPT_ENCODING;
	r->etag = arena_strdup(&r->arena, gzip ? p->etag_gz : p->etag);
	/* The visitor's browser may keep it and ask whether it changed; shared caches may not keep it. */
	r->cache_control = "private, no-cache";
	r->out_type = "text/html; charset=utf-8";
	buf_reset(&r->out);
	if (page_etag_matches(request_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH), p->etag, p->etag_gz)) {
		r->status = 304;
		page_entry_release(p);
		return;
	}
	r->status = 200;
	r->content_encoding = gzip ? "gzip" : NULL;
	r->page = p;
	r->page_gzip = gzip;
}

bool page_cache_serve_unchanged(struct request *r, struct page_state *ps)
{
	ps->marked = db_change_mark(r->db, &ps->mark) == 0;
	struct page_entry *p = ps->marked ? page_cache_get_unchanged(page_key(r, ps->page), &ps->mark, clock_now()) : NULL;
	if (!p)
		return false;
	reply_entry(r, p);
	return true;
}

bool page_cache_serve(struct request *r, const struct page_state *ps)
{
	struct page_entry *p = page_cache_get(page_key(r, ps->page), ps->state);
	if (!p)
		return false;
	/* The same state as when it was kept: it holds as of this newer mark too. */
	if (ps->marked)
		page_entry_mark(p, &ps->mark, ps->valid_until);
	reply_entry(r, p);
	return true;
}

bool page_cache_versions(struct request *r, struct page_state *ps, const char *page, const int64_t *versions,
                         int nversions)
{
	memset(ps, 0, sizeof *ps);
	if (!page || !page_cache_wanted(r))
		return false;
	ps->page = page;
	if (page_cache_serve_unchanged(r, ps))
		return true;
	/* Read after the mark: a commit in between makes the mark old, never the state. */
	const char *state = "";
	int64_t until = INT64_MAX;
	for (int i = 0; i < nversions; i++) {
		struct error e;
		error_clear(&e);
		const char *one;
		int64_t one_until;
		if (version_page_state(r->db, &r->arena, versions[i], clock_now(), &one, &one_until, &e) != 0)
			return false; /* no such version (the handler says so), or no state: built, not kept */
		state = i ? arena_printf(&r->arena, "%s | %s", state, one) : one;
		if (!state)
			return false;
		if (one_until < until)
			until = one_until;
	}
	ps->state = state;
	ps->valid_until = until;
	return page_cache_serve(r, ps);
}

void page_cache_keep(struct request *r, const struct page_state *ps)
{
	const char *page = page_key(r, ps->page);
	r->vary = MHD_HTTP_HEADER_ACCEPT_ENCODING;
	/* Only a whole page that any anonymous visitor may be given: one that set a cookie (a visitor id
	 * for a form's CSRF token) or wrote a token is this visitor's alone. */
	if (!page_cache_wanted(r) || r->status != 200 || r->out.failed || r->ncookies || r->csrf || !r->out.data)
		return;
	struct page_entry *p = page_cache_put(page, ps->state, r->out.data, r->out.len);
	if (!p) {
		log_event("page_cache.full", "rid=%s page=%s", r->id, page); /* answered as built */
		return;
	}
	if (ps->marked)
		page_entry_mark(p, &ps->mark, ps->valid_until);
	size_t len, gzlen;
	page_entry_body(p, false, &len);
	page_entry_body(p, true, &gzlen);
	log_event("page_cache.keep", "rid=%s page=%s bytes=%zu gzip=%zu", r->id, page, len, gzlen);
	reply_entry(r, p);
}

struct MHD_Response *page_cache_response(struct request *r)
{
	size_t len;
	const char *body = page_entry_body(r->page, r->page_gzip, &len);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)body, entry_release_cb, r->page);
	if (resp)
		r->page = NULL;
	return resp;
}
