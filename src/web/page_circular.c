/*
 * page_circular — the public page of an issued circular letter
 * (/letters/{id}) and its PDF (/letters/{id}/letter.pdf), the public archive
 * (/letters, /letters.atom), and the PDF's making right after an issue
 * (page_circular.h).
 *
 * A letter with texts in its process's other languages shows the reader's
 * (or the one asked for, ?text=fr) as a version does (page.h's
 * page_letter_text_language: else its own, with a notice, and links to the others);
 * its PDF in that language is /letters/{id}/letter.pdf?text=fr, kept and
 * hashed as the first is. The archive gives each letter's subject in the
 * reader's language; the Atom feed, one for every reader, its own.
 *
 * The letter's HTML and its PDF are the core's (core/circular_document.h),
 * so that the mail sender can make a PDF no request made. The web makes it
 * right after the issue, for the issuer's page to show its SHA-256 at once;
 * if WeasyPrint could not make it then (busy, missing), the sender makes it
 * before the letter's mails go, or the first request for it does.
 */
#include "web/page_circular.h"

#include "core/circular_document.h"
#include "core/config.h"
#include "core/feed.h"
#include "core/language.h"
#include "core/limits.h"
#include "render/atom.h"
#include "render/html.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/routes.h"

#include <stdlib.h>
#include <string.h>

int page_circular_pdf_make(struct request *r, int64_t circular_id, const char *language, struct error *e)
{
	struct actor who = auth_actor(r);
	return circular_pdf_make(r->db, &r->arena, &who, circular_id, language, e);
}

void page_circular_pdf_after_issue(struct request *r, int64_t circular_id)
{
#ifndef NDEBUG
	/* A test build's hook: as if the issuing request died before it made the PDF, so that a test sees the
	 * sender make it (its mails must not wait for a request). Never read by a release build. */
	const char *skip = getenv("CONSULTA_TEST_LETTER_PDF_AFTER_ISSUE");
	if (skip && !strcmp(skip, "skip"))
		return;
#endif
	struct error later;
	error_clear(&later);
	if (page_circular_pdf_make(r, circular_id, NULL, &later) != 0)
		log_event("letter_pdf", "circular=%lld error=%s", (long long)circular_id, later.code);
}

bool page_circular_route(struct request *r, int64_t *id)
{
	return page_route_id(r, id, _("There is no such letter."));
}

void page_circular(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id, size = 0;
	struct circular c;
	struct process p;
	struct circular_letterhead lh;
	char sha[65] = "";
	if (!page_circular_route(r, &id))
		return;
	if (circular_find(r->db, &r->arena, id, &c, &e) != 0 ||
	    process_find_id(r->db, &r->arena, c.process_id, &p, &e) != 0 ||
	    circular_letterhead(r->db, &r->arena, p.body, false, &lh, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const char **texts = arena_alloc(&r->arena, sizeof *texts * (size_t)(c.ntexts + 1));
	for (int i = 0; texts && i < c.ntexts; i++)
		texts[i] = c.texts[i].language;
	page_begin(r, arena_printf(&r->arena, _("Circular letter %s"), c.reference));
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
		    "<a href=\"/processes/%u\">%s</a> \u203a <a href=\"/processes/%u#letters\">%s</a></nav>\n",
		    _("Breadcrumb"), _("Consultations"), p.slug, p.title, p.slug, _("Circular letters"));
	const char *own = process_first_language(&r->arena, &p);
	/* ?text=fr: the letter's text in that language, whatever the interface's (a link of the page's own) */
	const char *shown = page_letter_text_language(r, arena_printf(&r->arena, "/letters/%lld", (long long)id), own,
						      texts, texts ? c.ntexts : 0);
	/* its own text is marked with its language too: the page's may be another */
	if (!circular_use_text(&c, shown))
		c.language = own;
	const char *text = c.language == own ? NULL : c.language; /* the PDF's language: NULL for its own */
	struct error none;
	error_clear(&none);
	const bool kept = circular_pdf_find(r->db, &r->arena, id, text, sha, &size, NULL, &none) == 0;
	if (circular_document_letter(&r->out, &r->arena, &p, &c, &lh) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, _("The letter could not be shown."));
		page_error(r, &e);
		return;
	}
	const char *pdf = text ? arena_printf(&r->arena, "/letters/%lld/letter.pdf?text=%s", (long long)id, text)
			       : arena_printf(&r->arena, "/letters/%lld/letter.pdf", (long long)id);
	html_printf(&r->out, "<p class=\"pdf\">");
	if (kept)
		html_tr(&r->out,
			"<a href=\"%s\">The letter as PDF</a> (%L bytes; SHA-256 <code class=\"sha256\">%s</code>)", pdf,
			(long long)size, sha);
	else
		html_tr(&r->out, "<a href=\"%s\">The letter as PDF</a>", pdf);
	html_printf(&r->out, "</p>\n");
	page_end(r, 200);
}

/* GET /letters/{id}/letter.pdf[?text=fr]: the kept PDF (of its text in that language), made now if it was not
 * made at the issue. */
void page_circular_pdf(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	struct circular c;
	struct process p;
	const void *pdf;
	int64_t size;
	char sha[65];
	if (!page_circular_route(r, &id))
		return;
	if (circular_find(r->db, &r->arena, id, &c, &e) != 0 || process_find_id(r->db, &r->arena, c.process_id, &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	/* ?text= its own text's language is its own PDF; one it has no text in is not found */
	const char *asked = request_query(r, "text");
	char tag[LANGUAGE_TAG_LEN];
	const char *language = NULL;
	if (asked && *asked && (!language_tag_normalize(asked, tag) || strcmp(tag, process_first_language(&r->arena, &p)) != 0)) {
		if (!circular_use_text(&c, tag)) {
			error_set(&e, ERROR_NOT_FOUND, _("This letter has no text in that language."));
			page_error(r, &e);
			return;
		}
		language = c.language;
	}
	if (page_circular_pdf_make(r, id, language, &e) != 0 ||
	    circular_pdf_find(r->db, &r->arena, id, language, sha, &size, &pdf, &e) != 0) {
		page_error(r, &e);
		return;
	}
	if (reply_body_bytes(r, pdf, (size_t)size) != 0) {
		error_set(&e, ERROR_INTERNAL, "the PDF could not be written to a temporary file");
		page_error(r, &e);
		return;
	}
	r->out_type = "application/pdf";
	r->content_disposition = language ? arena_printf(&r->arena, "inline; filename=\"letter-%lld-%s.pdf\"", (long long)id, language)
					  : arena_printf(&r->arena, "inline; filename=\"letter-%lld.pdf\"", (long long)id);
	r->cache_control = "public, max-age=31536000, immutable"; /* a kept PDF never changes */
	r->status = 200;
}

/* An entry's instant: its issue, or (a letter recorded before) the start of its date in UTC. */
static int64_t entry_updated(const struct circular_entry *x)
{
	int y, m, d;
	if (x->issued_at)
		return x->issued_at;
	return clock_parse_date(x->date, &y, &m, &d) == 0 ? clock_days_from_civil(y, m, d) * 86400 : 0;
}

/* GET /letters: every issued letter, by year and then by series, newest first. */
void page_circular_archive(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct circular_entry *list = NULL;
	int n = 0;
	/* each letter once, its subject in the reader's language where it has a text in it */
	const char *reader = i18n_current() ? i18n_current() : I18N_DEFAULT;
	if (circular_archive(r->db, &r->arena, 0, reader, &list, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	static const char *const feeds[] = {"/letters.atom", NULL};
	const char *const titles[] = {_("Circular letters (Atom)"), NULL};
	page_begin_feeds(r, _("Circular letters"), feeds, titles, 1);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a></nav>\n<h1>%s</h1>\n<p>%s ",
		    _("Breadcrumb"), _("Consultations"), _("Circular letters"), _("Every letter issued, newest first."));
	html_tr(&r->out, "<a href=\"/letters.atom\">Follow new letters (Atom feed)</a>; "
			 "<a href=\"/search?type=letter\">search the letters</a>.");
	html_printf(&r->out, "</p>\n");
	if (!n)
		html_printf(&r->out, "<p>%s</p>\n", _("No letter has been issued yet."));
	const char *year = NULL, *series = NULL;
	for (int i = 0; i < n; i++) {
		const struct circular_entry *x = &list[i];
		if (!year || strncmp(year, x->date, 4) != 0) {
			if (year)
				html_printf(&r->out, "</ul>\n</section>\n");
			year = x->date;
			series = NULL;
			const char *y = arena_strndup(&r->arena, x->date, 4);
			html_printf(&r->out, "<section aria-labelledby=\"y%s\"><h2 id=\"y%s\">%s</h2>\n", y, y, y);
		}
		if (!series || strcmp(series, x->series) != 0) {
			if (series)
				html_printf(&r->out, "</ul>\n");
			series = x->series;
			html_printf(&r->out, "<h3>");
			if (*series)
				html_tr(&r->out, "Series %s", series);
			else
				html_printf(&r->out, "%s", _("Series (none)"));
			html_printf(&r->out, "</h3>\n<ul class=\"letters\">\n");
		}
		html_printf(&r->out, "<li>");
		html_tr(&r->out,
			"<a href=\"/letters/%L\">%s</a> of <span class=\"date\">%s</span>: %s "
			"<span class=\"process\">(<a href=\"/processes/%u\">%s</a>)</span>",
			(long long)x->id, x->reference, circular_document_date(&r->arena, x->date), x->subject,
			x->process_slug, x->process_title);
		html_printf(&r->out, "</li>\n");
	}
	if (year)
		html_printf(&r->out, "</ul>\n</section>\n");
	page_end(r, 200);
}

/* GET /letters.atom: the newest letters, as an Atom feed. */
void page_circular_feed(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct circular_entry *list = NULL;
	int n = 0;
	/* one feed for every reader: each letter once, with its own subject (the process's first language) */
	if (circular_archive(r->db, &r->arena, LIMIT_FEED_ENTRIES, NULL, &list, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct atom_entry *entries = arena_alloc(&r->arena, sizeof *entries * (size_t)(n + 1));
	if (!entries) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		page_error(r, &e);
		return;
	}
	int64_t newest = 0;
	for (int i = 0; i < n; i++) {
		const struct circular_entry *x = &list[i];
		entries[i] = (struct atom_entry){
			.id = arena_printf(&r->arena, "circular/%lld", (long long)x->id),
			.title = arena_printf(&r->arena, "Circular letter %s: %s", x->reference, x->subject),
			.summary = arena_printf(&r->arena, "Circular letter %s of %s (%s): %s", x->reference,
						circular_document_date(&r->arena, x->date), x->process_title, x->subject),
			.path = arena_printf(&r->arena, "/letters/%lld", (long long)x->id),
			.category = "letter",
			.updated = entry_updated(x),
		};
		if (entries[i].updated > newest)
			newest = entries[i].updated;
	}
	const struct atom_feed f = {
		.id = "letters/feed",
		.title = "Circular letters",
		.subtitle = "Every circular letter issued, the newest first.",
		.path = "/letters",
		.self_path = "/letters.atom",
		.author = "Consulta",
		.updated = newest,
		.entries = entries,
		.n = n,
	};
	buf_reset(&r->out);
	const char *authority = feed_authority(&r->arena);
	if (!authority || atom_write(&r->out, config_get()->public_url, authority, &f) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, "The feed could not be written.");
		page_error(r, &e);
		return;
	}
	r->out_type = "application/atom+xml; charset=utf-8";
	r->cache_control = "public, no-cache";
	r->status = 200;
}
