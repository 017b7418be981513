/*
 * page_circular — the public page of an issued circular letter
 * (/letters/{id}) and its PDF (/letters/{id}/letter.pdf), and the rendering
 * of a letter that the back office's preview of a draft uses too
 * (page_circular.h).
 *
 * The PDF is the letter's own HTML in a document of its own: the letterhead
 * (logo and address block, set in the back office) at the top of the first
 * page, A4 pages numbered "Page N of M" by a print stylesheet, laid out by
 * WeasyPrint (render/pdf.h). It is made once, right after the issue, and
 * kept; if WeasyPrint could not make it then (busy, missing), the first
 * request for it makes it.
 */
#include "web/page_circular.h"

#include "core/config.h"
#include "core/feed.h"
#include "core/limits.h"
#include "core/milestone.h"
#include "render/atom.h"
#include "render/html.h"
#include "render/markdown.h"
#include "render/pdf.h"
#include "util/clock.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/page_office.h"
#include "web/routes.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The print stylesheet of the PDF, inside its document (WeasyPrint fetches nothing). */
static const char LETTER_CSS[] =
	"@page { size: A4; margin: 2cm 2cm 2.2cm;"
	" @bottom-center { content: \"Page \" counter(page) \" of \" counter(pages); font-size: 9pt; } }\n"
	"html { font-family: \"Noto Sans\", \"Noto Naskh Arabic\", \"Noto Sans CJK SC\", sans-serif; font-size: 10.5pt;"
	" line-height: 1.4; color: #1b1b1b; }\n"
	".letterhead { border-bottom: 1px solid #999; margin-bottom: 1em; padding-bottom: 0.5em; }\n"
	".letterhead img { max-height: 2.5cm; max-width: 6cm; }\n"
	".letterhead .body { font-weight: bold; font-size: 12pt; margin: 0.3em 0 0; }\n"
	".letterhead .address { white-space: pre-line; margin: 0.2em 0 0; }\n"
	"dl.letter-facts { display: grid; grid-template-columns: 10em auto; margin: 0 0 1em; }\n"
	"dl.letter-facts dt { font-weight: bold; }\n dl.letter-facts dd { margin: 0 0 0.2em; }\n"
	"h1 { font-size: 14pt; margin: 0.8em 0; }\n h2 { font-size: 12pt; break-after: avoid; }\n"
	".annex { break-before: page; }\n"
	"table { border-collapse: collapse; width: 100%; }\n"
	"th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }\n"
	"thead { display: table-header-group; }\n tr { break-inside: avoid; }\n td.date { white-space: nowrap; }\n"
	"a { color: inherit; text-decoration: none; }\n";

static const char *long_date(struct arena *a, const char *date)
{
	char out[32];
	clock_format_date_long(date, out);
	return arena_strdup(a, out);
}

static void addressees(struct buf *b, const struct circular *c, enum circular_purpose purpose, const char *label)
{
	int n = 0;
	for (int i = 0; i < c->nto; i++) {
		if (c->to[i].purpose != purpose)
			continue;
		if (!n++)
			html_printf(b, "<dt>%s</dt><dd>", label);
		else
			html_printf(b, "; ");
		html_printf(b, "%s", c->to[i].name);
	}
	if (n)
		html_printf(b, "</dd>\n");
}

int page_circular_letter(struct buf *b, struct arena *a, const struct process *p, const struct circular *c,
			 const struct circular_letterhead *lh)
{
	html_printf(b, "<article class=\"letter\" aria-labelledby=\"letter-title\">\n<header class=\"letterhead\">\n");
	if (lh && lh->logo && lh->logo_type) {
		const size_t n = sodium_base64_encoded_len(lh->logo_len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = arena_alloc(a, n);
		if (b64) {
			sodium_bin2base64(b64, n, lh->logo, lh->logo_len, sodium_base64_VARIANT_ORIGINAL);
			html_printf(b, "<img src=\"data:%s;base64,%s\" alt=\"\">\n", lh->logo_type, b64);
		}
	}
	if (p->body && *p->body)
		html_printf(b, "<p class=\"body\">%s</p>\n", p->body);
	if (lh && lh->address && *lh->address)
		html_printf(b, "<p class=\"address\">%s</p>\n", lh->address);
	else if (p->secretariat && *p->secretariat)
		html_printf(b, "<p class=\"address\">%s</p>\n", p->secretariat);
	html_printf(b, "</header>\n<dl class=\"letter-facts\">\n<dt>Reference</dt><dd>%s</dd>\n<dt>Date</dt><dd>%s</dd>\n",
		    c->reference, long_date(a, c->date));
	addressees(b, c, CIRCULAR_ACTION, "To (for action)");
	addressees(b, c, CIRCULAR_INFORMATION, "For information");
	if (c->ncites) {
		html_printf(b, "<dt>References</dt><dd>");
		for (int i = 0; i < c->ncites; i++)
			html_printf(b, "%s<a href=\"/letters/%L\">%s</a>", i ? "; " : "", (long long)c->cites[i].id,
				    c->cites[i].reference);
		html_printf(b, "</dd>\n");
	}
	if (c->corrects.id)
		html_printf(b, "<dt>Corrects</dt><dd><a href=\"/letters/%L\">%s</a> of %s</dd>\n", (long long)c->corrects.id,
			    c->corrects.reference, long_date(a, c->corrects.date));
	html_printf(b, "</dl>\n<h1 id=\"letter-title\">%s</h1>\n<div class=\"prose\">\n", c->subject);
	if (c->markdown && markdown_render_prose(c->markdown, b) != 0)
		return -1;
	html_printf(b, "</div>\n");
	if (c->contact && *c->contact)
		html_printf(b, "<p class=\"contact\"><strong>Contact:</strong> %s</p>\n", c->contact);
	if (c->has_annex) {
		html_printf(b, "<section class=\"annex\" aria-labelledby=\"annex\">\n<h2 id=\"annex\">Annex: "
			       "schedule as of %s</h2>\n<table>\n<thead><tr><th scope=\"col\">Date</th>"
			       "<th scope=\"col\">What</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n",
			    long_date(a, c->date));
		for (int i = 0; i < c->nannex; i++) {
			char range[80];
			enum milestone_status st;
			milestone_format_range(c->annex[i].date, c->annex[i].end_date, range);
			html_printf(b, "<tr><td class=\"date\">%s</td><td>%s</td><td>%s</td></tr>\n", range, c->annex[i].title,
				    milestone_status_parse(c->annex[i].status, &st) ? office_milestone_status_text(st)
										     : c->annex[i].status);
		}
		html_printf(b, "</tbody>\n</table>\n</section>\n");
	}
	html_printf(b, "</article>\n");
	return 0;
}

/* The letter as a document of its own, for WeasyPrint: its stylesheet inside, its logo's bytes inside. */
static int letter_document(struct buf *b, struct arena *a, const struct process *p, const struct circular *c,
			   const struct circular_letterhead *lh)
{
	html_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\n<title>%s %s</title>\n"
		       "<style>%R</style>\n</head>\n<body>\n",
		    c->reference, c->subject, LETTER_CSS);
	if (page_circular_letter(b, a, p, c, lh) != 0)
		return -1;
	html_printf(b, "</body>\n</html>\n");
	return b->failed ? -1 : 0;
}

int page_circular_pdf_make(struct request *r, int64_t circular_id, struct error *e)
{
	struct circular c;
	struct process p;
	struct circular_letterhead lh;
	char sha[65];
	struct error none;
	error_clear(&none);
	if (circular_pdf_find(r->db, &r->arena, circular_id, sha, NULL, NULL, &none) == 0)
		return 0; /* made already */
	if (circular_find(r->db, &r->arena, circular_id, &c, e) != 0 ||
	    process_find_id(r->db, &r->arena, c.process_id, &p, e) != 0 ||
	    circular_letterhead(r->db, &r->arena, p.body, true, &lh, e) != 0)
		return -1;
	struct buf html;
	buf_init(&html, LIMIT_REPORT_HTML);
	const void *pdf;
	size_t n;
	const struct pdf_limits lim = {
		.max_out = LIMIT_REPORT_PDF, .seconds = LIMIT_REPORT_PDF_SECONDS, .memory = LIMIT_REPORT_PDF_MEMORY};
	int rc = -1;
	if (letter_document(&html, &r->arena, &p, &c, &lh) != 0)
		error_say(e, ERROR_UNAVAILABLE, "The letter could not be laid out as a PDF.");
	else if (pdf_from_html(&r->arena, html.data, html.len, &lim, &pdf, &n, e) == 0) {
		struct actor who = auth_actor(r);
		rc = circular_pdf_keep(r->db, &r->arena, &who, circular_id, pdf, n, sha, e);
		if (rc != 0 && !strcmp(e->code, ERROR_CONFLICT)) { /* made at the same time by another request */
			error_clear(e);
			rc = 0;
		}
	}
	buf_free(&html);
	return rc;
}

/* An unlinked temporary file holding n bytes, positioned at its start; -1 on failure. */
static int bytes_file(const void *data, size_t n)
{
	const char *dir = getenv("TMPDIR");
	int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, (const char *)data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool route_letter(struct request *r, int64_t *id)
{
	if (parse_id(r->params[0], id))
		return true;
	struct error e;
	error_clear(&e);
	error_set(&e, ERROR_NOT_FOUND, "There is no such letter.");
	page_error(r, &e);
	return false;
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
	if (!route_letter(r, &id))
		return;
	if (circular_find(r->db, &r->arena, id, &c, &e) != 0 ||
	    process_find_id(r->db, &r->arena, c.process_id, &p, &e) != 0 ||
	    circular_letterhead(r->db, &r->arena, p.body, false, &lh, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct error none;
	error_clear(&none);
	const bool kept = circular_pdf_find(r->db, &r->arena, id, sha, &size, NULL, &none) == 0;
	page_begin(r, arena_printf(&r->arena, "Circular letter %s", c.reference));
	html_printf(&r->out,
		    "<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><a href=\"/\">Consultations</a> \u203a "
		    "<a href=\"/processes/%u\">%s</a> \u203a <a href=\"/processes/%u#letters\">Circular letters</a></nav>\n",
		    p.slug, p.title, p.slug);
	if (page_circular_letter(&r->out, &r->arena, &p, &c, &lh) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, "The letter could not be shown.");
		page_error(r, &e);
		return;
	}
	if (kept)
		html_printf(&r->out,
			    "<p class=\"pdf\"><a href=\"/letters/%L/letter.pdf\">The letter as PDF</a> (%L bytes; SHA-256 "
			    "<code class=\"sha256\">%s</code>)</p>\n",
			    (long long)id, (long long)size, sha);
	else
		html_printf(&r->out, "<p class=\"pdf\"><a href=\"/letters/%L/letter.pdf\">The letter as PDF</a></p>\n",
			    (long long)id);
	page_end(r, 200);
}

/* GET /letters/{id}/letter.pdf: the kept PDF, made now if it was not made at the issue. */
void page_circular_pdf(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	struct circular c;
	const void *pdf;
	int64_t size;
	char sha[65];
	if (!route_letter(r, &id))
		return;
	if (circular_find(r->db, &r->arena, id, &c, &e) != 0 || page_circular_pdf_make(r, id, &e) != 0 ||
	    circular_pdf_find(r->db, &r->arena, id, sha, &size, &pdf, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const int fd = bytes_file(pdf, (size_t)size);
	if (fd < 0) {
		error_set(&e, ERROR_INTERNAL, "the PDF could not be written to a temporary file");
		page_error(r, &e);
		return;
	}
	r->out_file = true;
	r->out_fd = fd;
	r->out_fd_size = size;
	r->out_type = "application/pdf";
	r->content_disposition = arena_printf(&r->arena, "inline; filename=\"letter-%lld.pdf\"", (long long)id);
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
	if (circular_archive(r->db, &r->arena, 0, &list, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	static const char *const feeds[] = {"/letters.atom", NULL};
	static const char *const titles[] = {"Circular letters (Atom)", NULL};
	page_begin_feeds(r, "Circular letters", feeds, titles, 1);
	html_printf(&r->out, "<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><a href=\"/\">Consultations</a></nav>\n"
			     "<h1>Circular letters</h1>\n<p>Every letter issued, newest first. "
			     "<a href=\"/letters.atom\">Follow new letters (Atom feed)</a>; "
			     "<a href=\"/search?type=letter\">search the letters</a>.</p>\n");
	if (!n)
		html_printf(&r->out, "<p>No letter has been issued yet.</p>\n");
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
			html_printf(&r->out, "<h3>Series %s</h3>\n<ul class=\"letters\">\n", *series ? series : "(none)");
		}
		html_printf(&r->out,
			    "<li><a href=\"/letters/%L\">%s</a> of <span class=\"date\">%s</span>: %s "
			    "<span class=\"process\">(<a href=\"/processes/%u\">%s</a>)</span></li>\n",
			    (long long)x->id, x->reference, long_date(&r->arena, x->date), x->subject, x->process_slug,
			    x->process_title);
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
	if (circular_archive(r->db, &r->arena, LIMIT_FEED_ENTRIES, &list, &n, &e) != 0) {
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
						long_date(&r->arena, x->date), x->process_title, x->subject),
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
