/*
 * page_feed — a process's Atom feeds and its calendar (core/feed.h says what
 * each holds): /processes/{slug}/feed.atom (news), .../contributions.atom,
 * /calls/{id}/feed.atom and /processes/{slug}/calendar.ics.
 *
 * Feed readers and calendar applications ask again and again: each answer
 * carries an ETag (a hash of its bytes), and a request whose If-None-Match
 * names it gets 304 without the body. Each is read in the one read
 * transaction the server opens for a GET (server.c), so its entries agree.
 *
 * Their words (titles, subtitles, the sentences around what people wrote,
 * dates) are in one language, named by the Atom feed's xml:lang: the one the
 * request asks for (the switcher's cookie, else Accept-Language), else the
 * process's first language, as on the process's pages
 * (request_language_process()). A feed reader sends no cookie and often no
 * Accept-Language: it gets the process's language, not the server's.
 */
#include "core/call.h"
#include "core/config.h"
#include "core/feed.h"
#include "core/process.h"
#include "util/i18n.h"
#include "web/page.h"
#include "web/page_cache.h"
#include "web/routes.h"

#include <microhttpd.h>
#include <stdio.h>

/* FNV-1a over the body: the ETag of an answer built on every request, cheap beside building it. */
static const char *body_etag(struct request *r)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < r->out.len; i++) {
		h ^= (unsigned char)r->out.data[i];
		h *= 0x100000001b3u;
	}
	return arena_printf(&r->arena, "\"%016llx\"", (unsigned long long)h);
}

/* Sends r->out as type, or 304 if the client has these bytes already. */
static void reply_feed(struct request *r, const char *type)
{
	r->out_type = type;
	r->etag = body_etag(r);
	/* public: the same for everyone; a reader asks again each time, and gets 304 while nothing changed */
	r->cache_control = "public, no-cache";
	if (r->etag && page_etag_matches(request_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH), r->etag, r->etag)) {
		buf_reset(&r->out);
		r->status = 304;
		return;
	}
	r->status = 200;
}

/* Chooses the language of the feed or calendar of process slug, or of call call_id's process (slug NULL): the
 * one asked for, else the process's first. An unknown process or call is left to the feed's own lookup, which
 * says so. */
static void feed_language(struct request *r, const char *slug, int64_t call_id)
{
	struct error e;
	error_clear(&e);
	struct process p;
	struct call c;
	if (slug ? process_find(r->db, &r->arena, slug, &p, &e) == 0
	         : call_find(r->db, &r->arena, call_id, &c, &e) == 0 &&
	               process_find_id_bare(r->db, &r->arena, c.process_id, &p, &e) == 0)
		request_language_process(r, p.languages);
}

/* Writes feed f. */
static void send_atom(struct request *r, const struct atom_feed *f)
{
	buf_reset(&r->out);
	const char *authority = feed_authority(&r->arena);
	if (!authority || atom_write(&r->out, config_get()->public_url, authority, f) != 0) {
		struct error e;
		error_clear(&e);
		error_set(&e, ERROR_UNAVAILABLE, N_("The feed could not be written."));
		page_error(r, &e);
		return;
	}
	reply_feed(r, "application/atom+xml; charset=utf-8");
}

void page_process_feed(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct atom_feed f;
	feed_language(r, r->params[0], 0);
	if (feed_process_news(r->db, &r->arena, r->params[0], &f, &e) != 0) {
		page_error(r, &e);
		return;
	}
	send_atom(r, &f);
}

void page_process_contributions_feed(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct atom_feed f;
	feed_language(r, r->params[0], 0);
	if (feed_process_contributions(r->db, &r->arena, r->params[0], &f, &e) != 0) {
		page_error(r, &e);
		return;
	}
	send_atom(r, &f);
}

void page_call_feed(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct atom_feed f;
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such call."));
		page_error(r, &e);
		return;
	}
	feed_language(r, NULL, id);
	if (feed_call(r->db, &r->arena, id, &f, &e) != 0) {
		page_error(r, &e);
		return;
	}
	send_atom(r, &f);
}

void page_process_calendar(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct ical_calendar c;
	feed_language(r, r->params[0], 0);
	if (feed_calendar(r->db, &r->arena, r->params[0], &c, &e) != 0) {
		page_error(r, &e);
		return;
	}
	buf_reset(&r->out);
	if (ical_write(&r->out, &c) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, N_("The calendar could not be written."));
		page_error(r, &e);
		return;
	}
	reply_feed(r, "text/calendar; charset=utf-8");
}
