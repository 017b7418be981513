/*
 * page_statistics — a call's and a process's statistics (core/statistics.h)
 * as a page (/calls/{id}/statistics, /processes/{slug}/statistics) and as
 * JSON with the same numbers (/api/v1/calls/{id}/statistics,
 * /api/v1/processes/{slug}/statistics).
 *
 * Each chart is drawn on the server (render/chart.h) and comes with a table of
 * its numbers; the page needs no JavaScript. The page is the same for every
 * anonymous visitor, so it is kept (web/page_cache.h) under the database's
 * change mark: it is served again without a query until anything commits or
 * the day in the process's zone ends (a new day is a new column).
 */
#include "core/statistics.h"
#include "render/chart.h"
#include "util/i18n.h"
#include "util/clock.h"
#include "util/tz.h"
#include "web/api.h"
#include "web/page.h"
#include "web/page_cache.h"
#include "web/routes.h"

#include <string.h>

/* Bars drawn before the rest are summed in one ("Other countries", "Other paragraphs"). */
enum { STATISTICS_COUNTRY_BARS = 12, STATISTICS_PARAGRAPH_BARS = 30 };

/* What the statistics are of: a call (c) or a process (p, and c unused). */
struct subject {
	bool is_call;
	struct call c;
	struct process p;
	const char *page_url, *api_url, *title;
};

/* Loads the route's call or process; false with e set. */
static bool load(struct request *r, bool is_call, struct subject *s, struct error *e)
{
	memset(s, 0, sizeof *s);
	s->is_call = is_call;
	if (is_call) {
		int64_t id;
		if (!parse_id(r->params[0], &id)) {
			error_set(e, ERROR_NOT_FOUND, N_("There is no such call for contributions."));
			return false;
		}
		if (call_find(r->db, &r->arena, id, &s->c, e) != 0 ||
		    process_find_id_bare(r->db, &r->arena, s->c.process_id, &s->p, e) != 0)
			return false;
		s->page_url = arena_printf(&r->arena, "/calls/%lld/statistics", (long long)id);
		s->api_url = arena_printf(&r->arena, "/api/v1/calls/%lld/statistics", (long long)id);
		s->title = s->c.title;
	} else {
		if (process_find(r->db, &r->arena, r->params[0], &s->p, e) != 0)
			return false;
		s->page_url = arena_printf(&r->arena, "/processes/%s/statistics", s->p.slug);
		s->api_url = arena_printf(&r->arena, "/api/v1/processes/%s/statistics", s->p.slug);
		s->title = s->p.title;
	}
	if (!s->page_url || !s->api_url) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return false;
	}
	return true;
}

static int read_statistics(struct request *r, const struct subject *s, struct statistics *st, struct error *e)
{
	if (s->is_call)
		return statistics_of_call(r->db, &r->arena, &s->c, clock_now(), st, e);
	return statistics_of_process(r->db, &r->arena, &s->p, clock_now(), st, e);
}

/* Bars for counts[0..n): all of them when n <= max, else the max - 1 largest, in their order, and one bar
 * named other with the rest. */
static struct chart_bar *bars_of(struct request *r, const struct outcome_count *counts, int n, int max,
                                 const char *other, int *nbars)
{
	struct chart_bar *bars = arena_alloc(&r->arena, (size_t)(n < max ? n : max) * sizeof *bars + sizeof *bars);
	if (!bars)
		return NULL;
	*nbars = 0;
	if (n <= max) {
		for (int i = 0; i < n; i++)
			bars[(*nbars)++] = (struct chart_bar){counts[i].label, counts[i].count};
		return bars;
	}
	/* the (max - 1)th largest count: those above it are shown, and as many equal to it as there is room */
	int64_t *sorted = arena_alloc(&r->arena, (size_t)n * sizeof *sorted);
	if (!sorted)
		return NULL;
	for (int i = 0; i < n; i++) { /* insertion in decreasing order: n is a list of paragraphs or countries */
		int k = i;
		for (; k > 0 && sorted[k - 1] < counts[i].count; k--)
			sorted[k] = sorted[k - 1];
		sorted[k] = counts[i].count;
	}
	const int64_t floor = sorted[max - 2];
	int above = 0;
	for (int i = 0; i < n; i++)
		above += counts[i].count > floor;
	int equal_room = max - 1 - above;
	int64_t rest = 0;
	for (int i = 0; i < n; i++) {
		bool shown = counts[i].count > floor || (counts[i].count == floor && equal_room-- > 0);
		if (shown)
			bars[(*nbars)++] = (struct chart_bar){counts[i].label, counts[i].count};
		else
			rest += counts[i].count;
	}
	bars[(*nbars)++] = (struct chart_bar){other, rest};
	return bars;
}

static void counts_figure(struct request *r, const char *id, const char *title, const char *label_heading,
                          const char *value_heading, const struct outcome_count *counts, int n, int max,
                          const char *other, enum chart_kind kind)
{
	int nbars = 0;
	struct chart_bar *bars = bars_of(r, counts, n, max, other, &nbars);
	if (!bars)
		return;
	struct chart c = {id, title, label_heading, value_heading, bars, nbars};
	chart_figure(&r->out, &c, kind);
}

static void days_figure(struct request *r, const struct statistics *s)
{
	struct chart_bar *bars = arena_alloc(&r->arena, (size_t)s->ndays * sizeof *bars + 1);
	if (!bars)
		return;
	for (int i = 0; i < s->ndays; i++)
		bars[i] = (struct chart_bar){s->days[i].date, s->days[i].contributions};
	char city[64];
	tz_city(s->timezone, city, sizeof city);
	/* TRANSLATORS: a chart's title; %s is a city naming the time zone ("Zurich time"). */
	struct chart c = {"chart-days", arena_printf(&r->arena, _("Contributions per day (%s time)"), city),
	                  _("Day"),     _("Contributions"),
	                  bars,         s->ndays};
	if (!c.title)
		return;
	/* a figure as chart_figure() makes, its table of one row a day folded: it is long */
	html_printf(&r->out, "<figure class=\"chart\" id=\"%s\"><figcaption>%s</figcaption>\n", c.id, c.title);
	chart_svg(&r->out, &c, CHART_COLUMNS);
	html_printf(&r->out, "<details><summary>%s</summary>\n", _("The numbers, day by day"));
	chart_table(&r->out, &c);
	html_printf(&r->out, "</details>\n</figure>\n");
	if (s->sparse)
		html_printf(&r->out, "<p>%s</p>\n",
		            _("The span is long: only the days with contributions are listed."));
}

static void campaigns_section(struct request *r, const struct statistics *s)
{
	html_printf(&r->out, "<section aria-labelledby=\"campaigns\"><h2 id=\"campaigns\">%s</h2>\n<p>",
	            _("Mass campaigns"));
	/* TRANSLATORS: the number of campaigns, how many contributions are in one, out of how many. */
	html_tr_n(
	    &r->out,
	    "<strong>%L</strong> campaign (contributions whose texts are the same, or nearly); <strong>%L</strong> of "
	    "the %L contributions are in one.",
	    "<strong>%L</strong> campaigns (contributions whose texts are the same, or nearly); <strong>%L</strong> "
	    "of the %L contributions are in one.",
	    (unsigned long)s->campaigns, (long long)s->campaigns, (long long)s->in_campaigns,
	    (long long)s->contributions);
	html_printf(&r->out, "</p>\n");
	const struct chart_bar share[] = {{_("In a campaign"), s->in_campaigns},
	                                  {_("Not in a campaign"), s->contributions - s->in_campaigns}};
	/* TRANSLATORS: the heading of a chart's column of labels: in a campaign or not. */
	struct chart c = {
	    "chart-campaigns", _("Contributions in mass campaigns"), _("Where"), _("Contributions"), share, 2};
	chart_figure(&r->out, &c, CHART_STACKED);
	if (s->nlargest == 0) {
		html_printf(&r->out, "</section>\n");
		return;
	}
	html_printf(&r->out,
	            "<table class=\"chart-table\" id=\"largest-campaigns\"><caption>%s</caption>\n"
	            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\" class=\"number\">%s</th>"
	            "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
	            _("The largest campaigns"), _("Campaign"), _("Contributions"), _("First and last arrival"));
	for (int i = 0; i < s->nlargest; i++) {
		const struct campaign *k = &s->largest[i];
		html_printf(&r->out, "<tr><th scope=\"row\">");
		html_tr(&r->out, "<a href=\"/calls/%L/contributions?campaign=%L\">Campaign %L</a>",
		        (long long)k->call_id, (long long)k->id, (long long)k->id);
		if (k->representative) {
			html_printf(&r->out, " ");
			/* TRANSLATORS: a link to one contribution of a campaign, by its tracking number. */
			html_tr(&r->out, "(<a href=\"/contributions/%u\">one of its texts, %s</a>)", k->representative,
			        k->representative);
		}
		html_printf(&r->out, "</th><td class=\"number\">%L</td><td>%s \u2013 %s</td></tr>\n",
		            (long long)k->members, page_instant_human(r, s->timezone, k->first_at),
		            page_instant_human(r, s->timezone, k->last_at));
	}
	html_printf(&r->out, "</tbody>\n</table>\n");
	html_printf(&r->out, "</section>\n");
}

static void calls_figure(struct request *r, const struct statistics *s)
{
	struct chart_bar *bars = arena_alloc(&r->arena, (size_t)s->ncalls * sizeof *bars + 1);
	if (!bars)
		return;
	for (int i = 0; i < s->ncalls; i++)
		bars[i] = (struct chart_bar){s->calls[i].title, s->calls[i].contributions};
	struct chart c = {"chart-calls", _("Contributions by call"), _("Call"), _("Contributions"), bars, s->ncalls};
	chart_figure(&r->out, &c, CHART_BARS);
	html_printf(&r->out, "<ul>\n");
	for (int i = 0; i < s->ncalls; i++) {
		html_printf(&r->out, "<li>");
		html_tr(&r->out, "<a href=\"/calls/%L/statistics\">Statistics of %s</a>", (long long)s->calls[i].id,
		        s->calls[i].title);
		html_printf(&r->out, "</li>\n");
	}
	html_printf(&r->out, "</ul>\n");
}

static void page_of(struct request *r, bool is_call)
{
	struct error e;
	error_clear(&e);
	/* The same page for every anonymous visitor while nothing commits (see the file's comment). */
	struct page_state ps;
	memset(&ps, 0, sizeof ps);
	const char *key = arena_printf(&r->arena, "statistics:%s:%s", is_call ? "call" : "process", r->params[0]);
	if (key && page_cache_wanted(r)) {
		ps.page = key;
		if (page_cache_serve_unchanged(r, &ps))
			return;
	}
	struct subject subj;
	struct statistics s;
	if (!load(r, is_call, &subj, &e) || read_statistics(r, &subj, &s, &e) != 0) {
		page_error(r, &e);
		return;
	}
	if (ps.page && ps.marked) {
		ps.state = page_mark_state(r, &ps);
		ps.valid_until = s.valid_until;
		if (ps.state && page_cache_serve(r, &ps))
			return;
	}
	r->vary = "Accept-Encoding";
	char city[64];
	tz_city(s.timezone, city, sizeof city);
	/* TRANSLATORS: the page's title; %s is a process or a call. */
	page_begin(r, arena_printf(&r->arena, _("Statistics \u2014 %s"), subj.title));
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
	            "<a href=\"/processes/%u\">%s</a>",
	            _("Breadcrumb"), _("Consultations"), subj.p.slug, subj.p.title);
	if (is_call)
		html_printf(&r->out, " \u203a <a href=\"/calls/%L\">%s</a>", (long long)subj.c.id, subj.c.title);
	html_printf(&r->out, "</nav>\n<h1>");
	html_tr(&r->out, "Statistics: %s", subj.title);
	html_printf(&r->out, "</h1>\n<p class=\"lead\">");
	if (is_call)
		/* TRANSLATORS: %1$s is a city naming the time zone, %2$s the zone's identifier ("Europe/Zurich"). */
		html_tr(
		    &r->out,
		    "What this call received, counted. Counted are the published contributions; those published "
		    "without a "
		    "name or kept private by their senders count too, but are never shown; contributions waiting for "
		    "review, hidden or refused as spam do not count. Days are in %s time (%s), the time of the "
		    "process's "
		    "deadlines.",
		    city, s.timezone);
	else
		/* TRANSLATORS: %1$s is a city naming the time zone, %2$s the zone's identifier ("Europe/Zurich"). */
		html_tr(&r->out,
		        "What this process's calls received, counted. Counted are the published contributions; those "
		        "published "
		        "without a name or kept private by their senders count too, but are never shown; contributions "
		        "waiting "
		        "for review, hidden or refused as spam do not count. Days are in %s time (%s), the time of the "
		        "process's deadlines.",
		        city, s.timezone);
	html_printf(&r->out, "</p>\n<ul class=\"headline\"><li>");
	html_tr_n(&r->out, "<strong>%L</strong> contribution", "<strong>%L</strong> contributions",
	          (unsigned long)s.contributions, (long long)s.contributions);
	html_printf(&r->out, "</li><li>");
	html_tr_n(&r->out, "<strong>%L</strong> comment on the draft", "<strong>%L</strong> comments on the draft",
	          (unsigned long)s.comments, (long long)s.comments);
	html_printf(&r->out, "</li></ul>\n");
	html_printf(&r->out, "<section aria-labelledby=\"over-time\"><h2 id=\"over-time\">%s</h2>\n", _("Over time"));
	days_figure(r, &s);
	html_printf(&r->out, "</section>\n<section aria-labelledby=\"who\"><h2 id=\"who\">%s</h2>\n", _("Who and how"));
	if (!is_call)
		calls_figure(r, &s);
	counts_figure(r, "chart-categories", _("Contributions by category"), _("Category"), _("Contributions"),
	              s.categories, s.ncategories, s.ncategories + 1, NULL, CHART_BARS);
	counts_figure(r, "chart-countries", _("Contributions by country"), _("Country"), _("Contributions"),
	              s.countries, s.ncountries, STATISTICS_COUNTRY_BARS, _("Other countries"), CHART_BARS);
	/* TRANSLATORS: how contributions arrived (web form, mail, API): a chart's title and its column. */
	counts_figure(r, "chart-channels", _("Contributions by channel"), _("Channel"), _("Contributions"), s.channels,
	              s.nchannels, CHART_PARTS_MAX, _("Other channels"), CHART_STACKED);
	html_printf(&r->out, "</section>\n<section aria-labelledby=\"paragraphs\"><h2 id=\"paragraphs\">%s</h2>\n",
	            _("Comments on the draft"));
	counts_figure(r, "chart-paragraphs", _("Comments per paragraph"), _("Paragraph"), _("Comments"), s.paragraphs,
	              s.nparagraphs, STATISTICS_PARAGRAPH_BARS, _("Other paragraphs"), CHART_BARS);
	counts_figure(r, "chart-types", _("Comments by type"), _("Type"), _("Comments"), s.types, s.ntypes,
	              s.ntypes + 1, NULL, CHART_BARS);
	html_printf(&r->out, "</section>\n");
	campaigns_section(r, &s);
	/* the address of the JSON as its parts: %u escapes one segment (a slug), not a path */
	if (is_call) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "The same numbers as JSON: <a href=\"/api/v1/calls/%L/statistics\">%s</a>.",
		        (long long)subj.c.id, subj.api_url);
	} else {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "The same numbers as JSON: <a href=\"/api/v1/processes/%u/statistics\">%s</a>.",
		        subj.p.slug, subj.api_url);
	}
	html_printf(&r->out, " ");
	html_tr(&r->out, "Every published contribution: <a href=\"/data\">open data</a>.");
	html_printf(&r->out, "</p>\n");
	page_end(r, 200);
	if (ps.state)
		page_cache_keep(r, &ps);
}

void page_call_statistics(struct request *r)
{
	page_of(r, true);
}

void page_process_statistics(struct request *r)
{
	page_of(r, false);
}

static json_t *statistics_json(struct request *r, const struct subject *subj, const struct statistics *s)
{
	json_t *days = json_array(), *paragraphs = json_array(), *largest = json_array(), *calls = json_array();
	for (int i = 0; i < s->ndays; i++)
		json_array_append_new(days, json_pack("{s:s,s:o,s:I}", "date", s->days[i].date, "start",
		                                      api_instant(s->days[i].start), "contributions",
		                                      (json_int_t)s->days[i].contributions));
	for (int i = 0; i < s->nparagraphs; i++) {
		const struct outcome_count *q = &s->paragraphs[i];
		json_array_append_new(paragraphs,
		                      json_pack("{s:I,s:o,s:o,s:s,s:I}", "version_id", (json_int_t)q->version_id,
		                                "paragraph", *q->key ? json_string(q->key) : json_null(), "number",
		                                q->number ? json_integer(q->number) : json_null(), "name", q->label,
		                                "comments", (json_int_t)q->count));
	}
	for (int i = 0; i < s->nlargest; i++) {
		const struct campaign *k = &s->largest[i];
		json_array_append_new(
		    largest, json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:s}", "id", (json_int_t)k->id, "call",
		                       (json_int_t)k->call_id, "contributions", (json_int_t)k->members, "first_at",
		                       api_instant(k->first_at), "last_at", api_instant(k->last_at), "representative",
		                       k->representative ? json_string(arena_printf(&r->arena, "/contributions/%s",
		                                                                    k->representative))
		                                         : json_null(),
		                       "contributions_url",
		                       arena_printf(&r->arena, "/calls/%lld/contributions?campaign=%lld",
		                                    (long long)k->call_id, (long long)k->id)));
	}
	for (int i = 0; i < s->ncalls; i++)
		json_array_append_new(
		    calls,
		    json_pack("{s:I,s:s,s:I,s:I,s:s}", "id", (json_int_t)s->calls[i].id, "title", s->calls[i].title,
		              "contributions", (json_int_t)s->calls[i].contributions, "comments",
		              (json_int_t)s->calls[i].comments, "statistics_url",
		              arena_printf(&r->arena, "/api/v1/calls/%lld/statistics", (long long)s->calls[i].id)));
	json_t *campaigns = json_pack("{s:I,s:I,s:o}", "count", (json_int_t)s->campaigns, "contributions_in_campaigns",
	                              (json_int_t)s->in_campaigns, "largest", largest);
	json_t *body = json_pack("{s:s,s:s,s:I,s:I,s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "timezone", s->timezone,
	                         "url", subj->page_url, "contributions", (json_int_t)s->contributions, "comments",
	                         (json_int_t)s->comments, "days", days, "sparse", s->sparse, "categories",
	                         api_counts_json(s->categories, s->ncategories, "slug"), "countries",
	                         api_counts_json(s->countries, s->ncountries, "code"), "channels",
	                         api_counts_json(s->channels, s->nchannels, "channel"), "types",
	                         api_counts_json(s->types, s->ntypes, "type"), "paragraphs", paragraphs, "campaigns",
	                         campaigns, "title", subj->title);
	if (!body) {
		json_decref(calls);
		return NULL;
	}
	if (subj->is_call) {
		json_decref(calls);
		json_object_set_new(body, "call", json_integer(subj->c.id));
		json_object_set_new(body, "process", json_string(subj->p.slug));
	} else {
		json_object_set_new(body, "process", json_string(subj->p.slug));
		json_object_set_new(body, "calls", calls);
	}
	return body;
}

static void api_of(struct request *r, bool is_call)
{
	struct error e;
	error_clear(&e);
	struct subject subj;
	struct statistics s;
	if (!load(r, is_call, &subj, &e) || read_statistics(r, &subj, &s, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *body = statistics_json(r, &subj, &s);
	if (!body) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, 200, body);
}

void api_call_statistics(struct request *r)
{
	api_of(r, true);
}

void api_process_statistics(struct request *r)
{
	api_of(r, false);
}
