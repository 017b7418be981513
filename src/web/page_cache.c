/* page_cache — see page_cache.h. */
#include "web/page_cache.h"

#include "core/contribution.h"
#include "core/document.h"
#include "util/clock.h"
#include "util/secret.h"
#include "web/auth.h"
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
#include <time.h>
#include <zlib.h>

struct page_entry {
	atomic_long refs; /* the cache's own (while listed) and one per holder: a request, a response */
	uint64_t hash;    /* of page, to skip most comparisons */
	char *page, *state;
	char *body, *gz; /* gz NULL when compressing failed or did not make it smaller */
	size_t len, gzlen, size;
	uint64_t tag;               /* of the bytes: the ETags' */
	char etag[20], etag_gz[23]; /* "<16 hex>" and "<16 hex>-gz", quoted */
	/* Where the page has page_cache_csrf_token()'s placeholder (SIZE_MAX: nowhere): each visitor gets the
	 * bytes with their own token there, and the gzip is made of three parts (see compress_parts). */
	size_t token_at;
	char *gz_tail;      /* the deflate of what follows the token, finished */
	size_t gz_taillen;
	uLong crc_head, crc_tail; /* CRC-32 of the bytes before and after the token */
	int64_t kept_ms;    /* when it was made (monotonic ms): page_cache_serve_recent() */
	int64_t rebuild_ms; /* when a request took it upon itself to make it anew during a surge (0: none) */
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

enum { FNV_OFFSET = 0xcbf29ce484222325u };

/* FNV-1a of len bytes, going on from h (FNV_OFFSET to begin). */
static uint64_t fnv1a_from(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3u;
	}
	return h;
}

static uint64_t fnv1a(const void *data, size_t len)
{
	return fnv1a_from(FNV_OFFSET, data, len);
}

static void entry_free(struct page_entry *p)
{
	free(p->page);
	free(p->state);
	free(p->body);
	free(p->gz);
	free(p->gz_tail);
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
	p->kept_ms = clock_monotonic_ms(); /* known to be the page as of now: recent again */
	p->rebuild_ms = 0;
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

/* Raw deflate of n bytes at the highest level, into a new buffer (*outlen bytes), NULL if it fails: flushed with
 * Z_SYNC_FLUSH (it ends on a byte boundary, and more blocks may follow) or finished (Z_FINISH: its last block
 * says so). Each part starts afresh: nothing in it refers to bytes before it. */
static char *deflate_raw(const char *data, size_t n, int flush, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	const uLong bound = deflateBound(&z, (uLong)n) + 16; /* the sync flush's empty block, with room */
	unsigned char *out = malloc(bound);
	if (out) {
		z.next_in = (unsigned char *)data;
		z.avail_in = (uInt)n;
		z.next_out = out;
		z.avail_out = (uInt)bound;
		const int rc = deflate(&z, flush);
		if (flush == Z_FINISH ? rc != Z_STREAM_END : rc != Z_OK || z.avail_in || !z.avail_out) {
			free(out);
			out = NULL;
		}
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	return (char *)out;
}

/* gzip's fixed header (RFC 1952): deflate, no name, no time, unknown system. */
static const unsigned char GZIP_HEADER[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

/* The gzip of a page with a token in it, made once in two parts so that each visitor's is put together without
 * compressing anything: p->gz the header and the deflate of the bytes before the token (flushed to a byte
 * boundary), p->gz_tail the deflate of the bytes after it (finished), and their CRC-32s; the token goes between
 * them as a stored block, and the trailer's CRC-32 is combined from the three (append_gzip). Leaves p->gz NULL if
 * it fails or saves nothing. */
static void compress_parts(struct page_entry *p)
{
	const size_t after = p->token_at + SECRET_TOKEN_LEN;
	size_t headlen, taillen;
	char *head = deflate_raw(p->body, p->token_at, Z_SYNC_FLUSH, &headlen);
	char *tail = deflate_raw(p->body + after, p->len - after, Z_FINISH, &taillen);
	char *gz = head ? malloc(sizeof GZIP_HEADER + headlen) : NULL;
	if (gz && tail && sizeof GZIP_HEADER + headlen + 5 + SECRET_TOKEN_LEN + taillen + 8 < p->len) {
		memcpy(gz, GZIP_HEADER, sizeof GZIP_HEADER);
		memcpy(gz + sizeof GZIP_HEADER, head, headlen);
		p->gz = gz;
		p->gzlen = sizeof GZIP_HEADER + headlen;
		p->gz_tail = tail;
		p->gz_taillen = taillen;
		p->crc_head = crc32(0, (const Bytef *)p->body, (uInt)p->token_at);
		p->crc_tail = crc32(0, (const Bytef *)p->body + after, (uInt)(p->len - after));
		gz = tail = NULL;
	}
	free(gz);
	free(head);
	free(tail);
}

/* Appends to out the gzip of p's bytes with token (SECRET_TOKEN_LEN bytes) in the placeholder's place, from the
 * parts compress_parts() made. */
static void append_gzip(struct buf *out, const struct page_entry *p, const char *token)
{
	const size_t after = p->len - p->token_at - SECRET_TOKEN_LEN;
	/* a stored block (RFC 1951, 3.2.4), not the last: its header bits on their own byte, then LEN and NLEN */
	const unsigned char stored[5] = {0, SECRET_TOKEN_LEN & 0xff, SECRET_TOKEN_LEN >> 8,
	                                 (unsigned char)(~SECRET_TOKEN_LEN & 0xff),
	                                 (unsigned char)((~SECRET_TOKEN_LEN >> 8) & 0xff)};
	uLong crc = crc32_combine(p->crc_head, crc32(0, (const Bytef *)token, SECRET_TOKEN_LEN), SECRET_TOKEN_LEN);
	crc = crc32_combine(crc, p->crc_tail, (z_off_t)after);
	const uint32_t size = (uint32_t)p->len; /* the page's length with a token as long as the placeholder */
	const unsigned char trailer[8] = {crc & 0xff, (crc >> 8) & 0xff, (crc >> 16) & 0xff, (crc >> 24) & 0xff,
	                                  size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >> 24};
	buf_append(out, p->gz, p->gzlen);
	buf_append(out, stored, sizeof stored);
	buf_append(out, token, SECRET_TOKEN_LEN);
	buf_append(out, p->gz_tail, p->gz_taillen);
	buf_append(out, trailer, sizeof trailer);
}

/* -- the CSRF token of a kept page --------------------------------------- */

/* A random string as long as a token, drawn once per process: a page that shows it where its form's token goes
 * can be kept and served to every anonymous visitor with their own token there. Nothing a visitor or the
 * secretariat writes can contain it, as nobody outside the process knows it. */
static char placeholder[SECRET_TOKEN_LEN + 1];
static pthread_once_t placeholder_once = PTHREAD_ONCE_INIT;

static void placeholder_draw(void)
{
	secret_token(placeholder);
}

const char *page_cache_csrf_token(struct request *r, const struct page_state *ps)
{
	if (!ps->page || !page_cache_wanted(r))
		return auth_csrf_token(r);
	pthread_once(&placeholder_once, placeholder_draw);
	return placeholder;
}

/* Where body has the placeholder, SIZE_MAX if nowhere (or if no page ever asked for it). */
static size_t placeholder_at(const char *body, size_t len)
{
	pthread_once(&placeholder_once, placeholder_draw);
	const char *at = memmem(body, len, placeholder, SECRET_TOKEN_LEN);
	return at ? (size_t)(at - body) : SIZE_MAX;
}

/* The visitor's token, as long as the placeholder, or NULL when there is none (no CSRF key): the page is then
 * built for this request alone. */
static const char *visitor_token(struct request *r)
{
	const char *token = auth_csrf_token(r);
	return strlen(token) == SECRET_TOKEN_LEN ? token : NULL;
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
	p->kept_ms = clock_monotonic_ms();
	p->token_at = placeholder_at(body, len);
	if (p->token_at == SIZE_MAX)
		compress_page(p);
	else
		compress_parts(p);
	/* A strong tag from the bytes themselves: the same page after a restart or a state that came back
	 * keeps its tag, and a new program that writes it otherwise changes it. (The placeholder is drawn anew
	 * by each process: a page with a token is tagged by the bytes around it, and then each visitor's token,
	 * reply_entry.) */
	p->tag = p->token_at == SIZE_MAX ? fnv1a(body, len)
	                                 : fnv1a_from(fnv1a(body, p->token_at), body + p->token_at + SECRET_TOKEN_LEN,
	                                              len - p->token_at - SECRET_TOKEN_LEN);
	snprintf(p->etag, sizeof p->etag, "\"%016llx\"", (unsigned long long)p->tag);
	snprintf(p->etag_gz, sizeof p->etag_gz, "\"%016llx-gz\"", (unsigned long long)p->tag);
	p->size = sizeof *p + strlen(page) + strlen(state) + p->len + p->gzlen + p->gz_taillen;
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

/* The key a page is kept under: the handler's whole key, or its name for it in the reader's language (each
 * language is its own page; its bytes, hence its ETag, differ). */
static const char *page_key(struct request *r, const struct page_state *ps)
{
	return ps->key ? ps->key : arena_printf(&r->arena, "%s@%s", ps->page, request_language(r)->code);
}

/* Answers r from p (taking over the caller's reference): 304 if the client has these bytes, else 200 with
 * them, as gzip if the client accepts it. The other headers are send_reply()'s, as for every answer. A page
 * with a form's token is this visitor's copy: the bytes around the token with theirs (and its cookie when the
 * visitor is new), tagged by both. */
static void reply_entry(struct request *r, struct page_entry *p)
{
	const bool gzip = p->gz && page_accepts_gzip(request_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	r->vary = MHD_HTTP_HEADER_ACCEPT_ENCODING;
	/* The visitor's browser may keep it and ask whether it changed; shared caches may not keep it. */
	r->cache_control = "private, no-cache";
	r->out_type = "text/html; charset=utf-8";
	buf_reset(&r->out);
	const char *token = p->token_at == SIZE_MAX ? NULL : visitor_token(r);
	const char *etag = p->etag, *etag_gz = p->etag_gz;
	if (token) {
		const uint64_t tag = fnv1a_from(p->tag, token, SECRET_TOKEN_LEN);
		etag = arena_printf(&r->arena, "\"%016llx\"", (unsigned long long)tag);
		etag_gz = arena_printf(&r->arena, "\"%016llx-gz\"", (unsigned long long)tag);
	}
	r->etag = gzip ? etag_gz : etag;
	if (etag && etag_gz && page_etag_matches(request_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH), etag, etag_gz)) {
		r->status = 304;
		page_entry_release(p);
		return;
	}
	r->status = 200;
	r->content_encoding = gzip ? "gzip" : NULL;
	if (p->token_at == SIZE_MAX) {
		r->page = p;
		r->page_gzip = gzip;
		return;
	}
	if (!token) { /* no token to put there: this visitor's page is made without it */
		r->etag = NULL;
		r->content_encoding = NULL;
		buf_append(&r->out, p->body, p->token_at);
		buf_puts(&r->out, auth_csrf_token(r));
		buf_append(&r->out, p->body + p->token_at + SECRET_TOKEN_LEN, p->len - p->token_at - SECRET_TOKEN_LEN);
	} else if (gzip) {
		append_gzip(&r->out, p, token);
	} else {
		buf_append(&r->out, p->body, p->len);
		if (!r->out.failed)
			memcpy(r->out.data + p->token_at, token, SECRET_TOKEN_LEN);
	}
	page_entry_release(p);
}

/* A page built with the placeholder and not kept: the visitor's token in its place. */
static void fill_placeholder(struct request *r)
{
	const size_t at = r->out.data ? placeholder_at(r->out.data, r->out.len) : SIZE_MAX;
	if (at == SIZE_MAX)
		return;
	const size_t after = at + SECRET_TOKEN_LEN;
	char *rest = arena_alloc(&r->arena, r->out.len - after + 1);
	if (!rest) {
		r->out.failed = true;
		return;
	}
	memcpy(rest, r->out.data + after, r->out.len - after);
	const size_t restlen = r->out.len - after;
	buf_truncate(&r->out, at);
	buf_puts(&r->out, auth_csrf_token(r));
	buf_append(&r->out, rest, restlen);
}

bool page_cache_serve_recent(struct request *r, struct page_state *ps, bool shows_contributions)
{
	/* Only during a surge (contributions wait for the writer, or it answered a large batch within the last
	 * PAGE_CACHE_RECENT_MS: between two batches its queue may be empty for a moment): at other times every
	 * page is as of the last commit. A page that shows contributions only to a visitor who sends no cookie:
	 * one who sent a contribution from their browser has ours and sees theirs at once. */
	const int64_t now = clock_monotonic_ms();
	const int64_t surge_ms = contribution_writer_surge_ms();
	if ((contribution_writer_backlog() <= 0 && !(surge_ms && now - surge_ms < PAGE_CACHE_RECENT_MS)) ||
	    (shows_contributions && request_header(r, MHD_HTTP_HEADER_COOKIE)))
		return false;
	const char *page = page_key(r, ps);
	const uint64_t hash = fnv1a(page, strlen(page));
	pthread_mutex_lock(&cache.lock);
	struct page_entry *p = find_locked(page, hash);
	/* Once it is older, one request makes it anew (it waits for that) while the others are still sent it,
	 * for another PAGE_CACHE_RECENT_MS at most: a rebuild that failed is taken up by a later request. */
	if (p && (now - p->kept_ms < PAGE_CACHE_RECENT_MS ||
	          (p->rebuild_ms && now - p->rebuild_ms < PAGE_CACHE_RECENT_MS))) {
		atomic_fetch_add(&p->refs, 1);
	} else {
		if (p)
			p->rebuild_ms = now;
		p = NULL;
	}
	pthread_mutex_unlock(&cache.lock);
	if (!p)
		return false;
	r->cache = "recent";
	reply_entry(r, p);
	return true;
}

bool page_cache_serve_unchanged(struct request *r, struct page_state *ps)
{
	ps->marked = db_change_mark(r->db, &ps->mark) == 0;
	struct page_entry *p = ps->marked ? page_cache_get_unchanged(page_key(r, ps), &ps->mark, clock_now()) : NULL;
	if (!p)
		return false;
	r->cache = "unchanged";
	reply_entry(r, p);
	return true;
}

bool page_cache_serve(struct request *r, const struct page_state *ps)
{
	struct page_entry *p = page_cache_get(page_key(r, ps), ps->state);
	if (!p)
		return false;
	/* The same state as when it was kept: it holds as of this newer mark too. */
	if (ps->marked)
		page_entry_mark(p, &ps->mark, ps->valid_until);
	r->cache = "same";
	reply_entry(r, p);
	return true;
}

const char *page_mark_state(struct request *r, const struct page_state *ps)
{
	if (!ps->marked)
		return "-"; /* a state no mark matches: the page is served again only while recent */
	char *hex = arena_alloc(&r->arena, 2 * DB_MARK_LEN + 1);
	for (int i = 0; hex && i < DB_MARK_LEN; i++) {
		static const char digits[] = "0123456789abcdef";
		hex[2 * i] = digits[ps->mark.bytes[i] >> 4];
		hex[2 * i + 1] = digits[ps->mark.bytes[i] & 15];
	}
	if (hex)
		hex[2 * DB_MARK_LEN] = '\0';
	return hex;
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
	const char *page = page_key(r, ps);
	r->vary = MHD_HTTP_HEADER_ACCEPT_ENCODING;
	r->cache = "built"; /* "kept" below, once it is */
	/* Only a whole page that any anonymous visitor may be given: one that set a cookie (a visitor id
	 * for a form's CSRF token) or wrote a token is this visitor's alone; a form's token may be the
	 * placeholder (page_cache_csrf_token()), which each visitor's copy has in its place. */
	if (!page_cache_wanted(r) || r->status != 200 || r->out.failed || r->ncookies || r->csrf || !r->out.data ||
	    !ps->state) {
		fill_placeholder(r);
		return;
	}
	struct page_entry *p = page_cache_put(page, ps->state, r->out.data, r->out.len);
	if (!p) {
		log_event("page_cache.full", "rid=%s page=%s", r->id, page); /* answered as built */
		fill_placeholder(r);
		return;
	}
	if (ps->marked)
		page_entry_mark(p, &ps->mark, ps->valid_until);
	size_t len, gzlen;
	page_entry_body(p, false, &len);
	page_entry_body(p, true, &gzlen);
	log_event("page_cache.keep", "rid=%s page=%s bytes=%zu gzip=%zu", r->id, page, len, gzlen);
	r->cache = "kept";
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
