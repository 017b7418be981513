/*
 * page_search — the search page (/search) and its JSON twin (/api/v1/search).
 *
 * Both read the same parameters (q, process, call, category, country, type,
 * from, to, campaign, page) into a struct search_filter and ask
 * search_query() (core/search.h); the page is a GET form that works without
 * JavaScript and keeps what was asked in its fields and its page links. A
 * query or a filter that cannot be read is answered 400 with the reason
 * (per field), never a server error: the core parses the query itself.
 */
#include "core/country.h"
#include "core/limits.h"
#include "core/process.h"
#include "core/search.h"
#include "render/html.h"
#include "util/i18n.h"
#include "web/page.h"
#include "web/routes.h"

#include <jansson.h>
#include <string.h>

static const char *const PARAMS[] = {"q", "process", "call", "category", "country", "type", "from", "to", "campaign"};
enum { NPARAMS = sizeof PARAMS / sizeof *PARAMS };

struct search_ask {
	struct search_filter f;
	const char *values[NPARAMS]; /* as given, for the form and the links */
	int64_t page, per_page;
	const char *keep; /* the query string without page, each value percent-encoded */
};

/* Reads the request's parameters; 0, or -1 with e's fields for those that are not numbers. */
static int search_read(struct request *r, struct search_ask *s, int max_per_page, struct error *e)
{
	memset(s, 0, sizeof *s);
	for (int i = 0; i < NPARAMS; i++) {
		const char *v = request_query(r, PARAMS[i]);
		s->values[i] = v && *v ? v : NULL;
	}
	s->f = (struct search_filter){.q = s->values[0],
	                              .process = s->values[1],
	                              .category = s->values[3],
	                              .country = s->values[4],
	                              .type = s->values[5],
	                              .from = s->values[6],
	                              .to = s->values[7]};
	if (s->values[2] && !parse_id(s->values[2], &s->f.call))
		error_field(e, "call", _("Use a call's number."));
	if (s->values[8] && !parse_id(s->values[8], &s->f.campaign))
		error_field(e, "campaign", _("Use a campaign's number."));
	const char *page = request_query(r, "page"), *per_page = request_query(r, "per_page");
	s->page = 1;
	s->per_page = LIMIT_PAGE_SIZE_DEFAULT;
	if (page && *page && (!parse_id(page, &s->page) || s->page > LIMIT_SEARCH_PAGE))
		error_field(e, "page", _("Use a page number from 1 to %d."), LIMIT_SEARCH_PAGE);
	if (per_page && *per_page && (!parse_id(per_page, &s->per_page) || s->per_page > max_per_page))
		error_field(e, "per_page", _("Use a page size from 1 to %d."), max_per_page);
	struct buf b;
	buf_init(&b, LIMIT_URL * 3);
	for (int i = 0; i < NPARAMS; i++)
		if (s->values[i]) {
			buf_printf(&b, "&%s=", PARAMS[i]);
			html_url_escape(&b, s->values[i]);
		}
	if (per_page && *per_page && s->per_page != LIMIT_PAGE_SIZE_DEFAULT)
		buf_printf(&b, "&per_page=%lld", (long long)s->per_page);
	s->keep = b.failed || !b.len ? "" : arena_strndup(&r->arena, b.data, b.len);
	if (!s->keep)
		s->keep = "";
	buf_free(&b);
	return e->code ? -1 : 0;
}

/* What search_query() answered for one page. */
struct search_answer {
	struct search_hit *hits;
	int n;
	int64_t total;
	bool bounded; /* more than total matches: the count stopped at its bound (search_counted()) */
};

static int search_run(struct request *r, struct search_ask *s, struct search_answer *ans, struct error *e)
{
	return search_query(r->db, &r->arena, &s->f, (int)((s->page - 1) * s->per_page), (int)s->per_page, &ans->hits,
	                    &ans->n, &ans->total, &ans->bounded, e);
}

/* Whether a page follows this one: with an exact total, if it is not reached yet; with "more than" the total,
 * if this page is full (a match may follow it). Never beyond LIMIT_SEARCH_PAGE. */
static bool search_more(const struct search_ask *s, const struct search_answer *ans)
{
	const int64_t first = (s->page - 1) * s->per_page;
	const bool more = ans->bounded ? ans->n == s->per_page : first + ans->n < ans->total;
	return more && s->page < LIMIT_SEARCH_PAGE;
}

/* The address of page `page` of the same search, under prefix (/search or /api/v1/search). */
static const char *search_page_url(struct request *r, const struct search_ask *s, const char *prefix, int64_t page)
{
	return arena_printf(&r->arena, "%s?page=%lld%s", prefix, (long long)page, s->keep);
}

/* Where a result leads: the public page of its contribution, paragraph or process. */
static const char *hit_url(struct request *r, const struct search_hit *h)
{
	switch (h->kind) {
	case SEARCH_PARAGRAPH: /* in the language of the text that matched (core/version_text.h), if not its own */
		return arena_printf(&r->arena, "/versions/%lld/paragraphs/%s%s%s", (long long)h->version_id, h->anchor,
		                    h->language && *h->language ? "?text=" : "", h->language ? h->language : "");
	case SEARCH_LETTER: return arena_printf(&r->arena, "/processes/%s#letters", h->process);
	default: return arena_printf(&r->arena, "/contributions/%s", h->anchor);
	}
}

/* ' lang="fr"' (attribute name) for a hit in a version's text in another language; "" for the others. */
static const char *hreflang(struct request *r, const struct search_hit *h, const char *name)
{
	if (!h->language || !*h->language)
		return "";
	struct buf b;
	buf_init(&b, 256);
	html_printf(&b, " %R=\"%s\"", name, h->language);
	const char *s = b.failed || !b.data ? "" : arena_strndup(&r->arena, b.data, b.len);
	buf_free(&b);
	return s ? s : "";
}

static const char *hit_heading(struct request *r, const struct search_hit *h)
{
	switch (h->kind) {
	case SEARCH_CONTRIBUTION:
		return *h->title ? arena_printf(&r->arena, _("Contribution %s \u2014 %s"), h->anchor, h->title)
		                 : arena_printf(&r->arena, _("Contribution %s"), h->anchor);
	case SEARCH_COMMENT: return arena_printf(&r->arena, _("Comment in contribution %s"), h->anchor);
	case SEARCH_ATTACHMENT: return arena_printf(&r->arena, _("File %s of contribution %s"), h->title, h->anchor);
	/* TRANSLATORS: a search result: the version's title, then the paragraph's number. */
	case SEARCH_PARAGRAPH: return arena_printf(&r->arena, _("%s, paragraph %s"), h->title, h->anchor);
	case SEARCH_LETTER: return arena_printf(&r->arena, _("Circular letter %s"), h->title);
	}
	return h->title;
}

/* A result's kind as the reader's language says it (search_kind_name() is the API's word). */
static const char *kind_label(enum search_kind k)
{
	switch (k) {
	/* TRANSLATORS: the kind of a search result, shown before its date. */
	case SEARCH_CONTRIBUTION: return _("contribution");
	/* TRANSLATORS: the kind of a search result: a comment on a paragraph. */
	case SEARCH_COMMENT: return _("comment");
	/* TRANSLATORS: the kind of a search result: a file sent with a contribution. */
	case SEARCH_ATTACHMENT: return _("file");
	/* TRANSLATORS: the kind of a search result: a paragraph of a text under consultation. */
	case SEARCH_PARAGRAPH: return _("paragraph");
	/* TRANSLATORS: the kind of a search result: a circular letter. */
	case SEARCH_LETTER: return _("circular letter");
	}
	return search_kind_name(k);
}

/* ---- The page -------------------------------------------------------------------------------------- */

static void select_open(struct request *r, const char *name, const char *label, const char *none)
{
	html_printf(&r->out,
	            "<div class=\"field\"><label for=\"f-%s\">%s</label>\n<select id=\"f-%s\" name=\"%s\">\n"
	            "<option value=\"\">%s</option>\n",
	            name, label, name, name, none);
}

static void option(struct request *r, const char *value, const char *label, const char *selected)
{
	html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", value,
	            selected && !strcmp(selected, value) ? " selected" : "", label);
}

static void search_form(struct request *r, const struct search_ask *s, const struct error *e)
{
	html_printf(&r->out, "<form method=\"get\" action=\"/search\" role=\"search\" class=\"filters search\">\n");
	page_input(r, e, "q", _("Words to find"),
	           _("Every word must be there. Put a phrase in quotation marks (\"public consultation\"), OR between "
	             "words that may stand for each other, and * after the beginning of a word (consult*)."),
	           s->values[0], "search", "off", LIMIT_SEARCH_QUERY);
	html_printf(&r->out, "<div class=\"filter-fields\">\n");
	struct error none;
	error_clear(&none);
	struct process *processes = NULL;
	int np = 0;
	if (process_list(r->db, &r->arena, &processes, &np, &none) != 0)
		np = 0; /* the form without its processes; the search still works */
	select_open(r, "process", _("Consultation"), _("All consultations"));
	for (int i = 0; i < np; i++)
		option(r, processes[i].slug, processes[i].title, s->f.process);
	html_printf(&r->out, "</select></div>\n");
	static const struct {
		const char *value, *label;
	} types[] = {{"contribution", N_("Contributions")},
	             {"comment", N_("Comments on paragraphs")},
	             {"attachment", N_("Files sent with contributions")},
	             {"paragraph", N_("Paragraphs of the texts")},
	             {"letter", N_("Circular letters")}};
	/* TRANSLATORS: the search form's choice of the kind of text to find. */
	select_open(r, "type", _("What"), _("Everything"));
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		option(r, types[i].value, _(types[i].label), s->f.type);
	html_printf(&r->out, "</select></div>\n");
	/* the categories of the processes, each slug once (processes share their categories' names) */
	select_open(r, "category", _("Category of contributor"), _("All categories"));
	const char **seen = arena_alloc(&r->arena, sizeof *seen * (size_t)(LIMIT_CATEGORIES * (np ? np : 1)));
	int nseen = 0;
	for (int i = 0; seen && i < np; i++) {
		struct process full;
		if (process_find(r->db, &r->arena, processes[i].slug, &full, &none) != 0)
			continue;
		for (int k = 0; k < full.ncategories && nseen < LIMIT_CATEGORIES * np; k++) {
			bool dup = false;
			for (int j = 0; j < nseen && !dup; j++)
				dup = !strcmp(seen[j], full.categories[k].slug);
			if (dup)
				continue;
			seen[nseen++] = full.categories[k].slug;
			option(r, full.categories[k].slug, full.categories[k].name, s->f.category);
		}
	}
	html_printf(&r->out, "</select></div>\n");
	select_open(r, "country", _("Country of contributor"), _("All countries"));
	page_country_options(r, s->f.country);
	html_printf(&r->out, "</select></div>\n");
	html_printf(&r->out, "</div>\n<div class=\"filter-fields\">\n");
	page_input(r, e, "from", _("From (YYYY-MM-DD)"), NULL, s->values[6], "date", "off", 10);
	page_input(r, e, "to", _("To (YYYY-MM-DD)"), NULL, s->values[7], "date", "off", 10);
	page_input(r, e, "call", _("Call number"), NULL, s->values[2], "text", "off", 20);
	page_input(r, e, "campaign", _("Mass campaign number"), NULL, s->values[8], "text", "off", 20);
	html_printf(&r->out, "</div>\n<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Search"));
}

void page_search(struct request *r)
{
	struct search_ask s;
	struct error e;
	error_clear(&e);
	struct search_answer ans = {0};
	const int read = search_read(r, &s, LIMIT_PAGE_SIZE, &e);
	/* An empty form is a page to fill in, not a mistake; so is a link that only chooses filters, without the
	 * words' field (the letters' "search the letters": /search?type=letter), whose form comes with them chosen.
	 * The form sent (it always has q) with a filter but no words is asked, and told to type one. */
	bool asked = false;
	for (int i = 0; i < NPARAMS; i++)
		asked |= s.values[i] != NULL;
	asked = asked && request_query(r, "q") != NULL;
	if (read == 0 && asked)
		(void)search_run(r, &s, &ans, &e);
	if (e.code && strcmp(e.code, ERROR_INVALID) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, s.values[0] ? arena_printf(&r->arena, _("Search: %s"), s.values[0]) : _("Search"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>%s</p>\n", _("Search"),
	            _("Search every published contribution, its comments and files, the texts under consultation and "
	              "the circular letters. What is private or hidden is never found."));
	if (e.code) {
		html_printf(&r->out, "<div class=\"errors\" role=\"alert\"><p>%s</p><ul>\n",
		            _("The search could not be made:"));
		for (int i = 0; i < e.nfields; i++)
			html_printf(&r->out, "<li><a href=\"#f-%s\">%s</a></li>\n", e.fields[i].name,
			            e.fields[i].message);
		html_printf(&r->out, "</ul></div>\n");
	}
	search_form(r, &s, &e);
	if (!asked || e.code) {
		page_end(r, e.code ? 400 : 200);
		return;
	}
	const int64_t first = (s.page - 1) * s.per_page;
	html_printf(&r->out,
	            "<section aria-labelledby=\"results\"><h2 id=\"results\">%s</h2>\n<p class=\"count\">",
	            _("Results"));
	const int64_t total = ans.total;
	const int n = ans.n;
	if (!total)
		html_printf(&r->out, "%s", _("Nothing public matches this search."));
	else if (!n && ans.bounded)
		html_tr(&r->out, "No result on this page: the search found more than %L.", (long long)total);
	else if (!n)
		html_tr(&r->out, "No result on this page: the search found %L.", (long long)total);
	else if (ans.bounded)
		/* more than LIMIT_SEARCH_COUNTED: how the order is made, and a count that stopped said as one */
		html_tr(&r->out,
		        "Showing %L\u2013%L of more than %L results. So many texts match that they are ranked by relevance "
		        "%L at a time, newest first: add a word or a filter to narrow the search.",
		        (long long)first + 1, (long long)first + n, (long long)total, (long long)search_window());
	else if (total > search_window())
		html_tr(&r->out,
		        "Showing %L\u2013%L of %L results. So many texts match that they are ranked by relevance %L at a "
		        "time, newest first: add a word or a filter to narrow the search.",
		        (long long)first + 1, (long long)first + n, (long long)total, (long long)search_window());
	else
		html_tr_n(&r->out, "Showing %L\u2013%L of %L result.", "Showing %L\u2013%L of %L results.",
		          (unsigned long)total, (long long)first + 1, (long long)first + n, (long long)total);
	html_printf(&r->out, "</p>\n<ol class=\"results\" start=\"%L\">\n", (long long)first + 1);
	for (int i = 0; i < n; i++) {
		const struct search_hit *h = &ans.hits[i];
		html_printf(
		    &r->out,
		    "<li><h3><a href=\"%s\"%R>%s</a></h3>\n<p class=\"meta\">%s, %s, <a href=\"/processes/%u\">%s</a>"
		    "</p>\n<p class=\"snippet\"%R>%R</p></li>\n",
		    hit_url(r, h), hreflang(r, h, "hreflang"), hit_heading(r, h), kind_label(h->kind),
		    page_date(r, h->day), h->process, h->process, hreflang(r, h, "lang"), h->snippet);
	}
	html_printf(&r->out, "</ol>\n");
	const bool more = search_more(&s, &ans);
	if (s.page > 1 || more) {
		html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages of results"));
		if (s.page > 1)
			html_printf(&r->out, "<a href=\"%s\" rel=\"prev\">%s</a> ",
			            search_page_url(r, &s, "/search", s.page - 1), _("Previous page"));
		if (more)
			html_printf(&r->out, "<a href=\"%s\" rel=\"next\">%s</a>",
			            search_page_url(r, &s, "/search", s.page + 1), _("Next page"));
		html_printf(&r->out, "</nav>\n");
	}
	html_printf(&r->out, "</section>\n");
	page_end(r, 200);
}

/* ---- The API ------------------------------------------------------------------------------------- */

/* A bad query or filter: 400 with one message per field, in the shape of every error of the API. */
static void reply_bad(struct request *r, const struct error *e)
{
	json_t *fields = json_object();
	for (int i = 0; i < e->nfields; i++)
		json_object_set_new(fields, e->fields[i].name, json_string(e->fields[i].message));
	const char *first = e->nfields ? e->fields[0].message : e->message;
	reply_json(r, 400,
	           json_pack("{s:{s:s,s:s,s:o}}", "error", "code", ERROR_INVALID, "message", first, "fields", fields));
}

void api_search(struct request *r)
{
	struct search_ask s;
	struct error e;
	error_clear(&e);
	struct search_answer ans = {0};
	if (search_read(r, &s, LIMIT_PAGE_SIZE, &e) != 0 || search_run(r, &s, &ans, &e) != 0) {
		if (!strcmp(e.code, ERROR_INVALID))
			reply_bad(r, &e);
		else
			reply_json_error(r, &e);
		return;
	}
	json_t *results = json_array();
	for (int i = 0; i < ans.n; i++) {
		const struct search_hit *h = &ans.hits[i];
		json_array_append_new(
		    results,
		    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:o}", "type", search_kind_name(h->kind), "title",
		              hit_heading(r, h), "url", hit_url(r, h), "snippet", h->snippet, "date", h->day, "process",
		              h->process, "call", h->call_id ? json_integer((json_int_t)h->call_id) : json_null(),
		              "version", h->version_id ? json_integer((json_int_t)h->version_id) : json_null(),
		              "anchor", h->anchor, "language",
		              h->language && *h->language ? json_string(h->language) : json_null()));
	}
	json_t *next =
	    search_more(&s, &ans) ? json_string(search_page_url(r, &s, "/api/v1/search", s.page + 1)) : json_null();
	/* total_exact false, total_relation "more_than": more than total matches, where the count stopped
	 * (LIMIT_SEARCH_COUNTED, core/search.h); else "exact" */
	reply_json(r, 200,
	           json_pack("{s:s,s:I,s:b,s:s,s:I,s:I,s:o,s:o}", "query", s.values[0] ? s.values[0] : "", "total",
	                     (json_int_t)ans.total, "total_exact", !ans.bounded, "total_relation",
	                     ans.bounded ? "more_than" : "exact", "page", (json_int_t)s.page,
	                     "per_page", (json_int_t)s.per_page, "results", results, "next", next));
}
