/*
 * page_report — see page_report.h. Also the routes of the report: the public
 * page, the kept PDFs, and the back office's button that makes one (a change:
 * it runs on the worker pool, and WeasyPrint under its limits).
 */
#include "web/page_report.h"

#include "core/country.h"
#include "core/limits.h"
#include "embedded.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/page_office.h"
#include "web/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept PDFs listed on the office page; older ones stay downloadable by their address. */
enum { REPORT_FILES_SHOWN = 20 };

/* The sections, in order: their ids are the table of contents' targets. */
static const char *const SECTIONS[][2] = {
    {"steps", N_("Steps of the process")},
    {"moves", N_("Moves of the schedule")},
    {"letters", N_("Circular letters")},
    {"versions", N_("Versions of the text")},
    {"calls", N_("Calls for contributions")},
    {"meetings", N_("Meetings")},
    {"contributions", N_("Contributions")},
    {"dispositions", N_("Answers to comments")},
    {"contributors", N_("Contributors who agreed to be named")},
};
enum { NSECTIONS = sizeof SECTIONS / sizeof SECTIONS[0] };

static const char *decision_text(enum disposition_decision d)
{
	switch (d) {
	/* TRANSLATORS: the secretariat's decision on a comment, a column of the report's table. */
	case DECISION_ACCEPTED: return _("Accepted");
	case DECISION_ACCEPTED_IN_PART: return _("Accepted in part");
	case DECISION_NOT_ACCEPTED: return _("Not accepted");
	case DECISION_NOTED: return _("Noted");
	}
	return "";
}

static const char *change_text(enum call_change_kind k)
{
	switch (k) {
	/* TRANSLATORS: what happened to a call for contributions: its deadline extended or shortened, the call
	 * opened or closed. */
	case CHANGE_EXTEND: return _("Extended");
	case CHANGE_SHORTEN: return _("Shortened");
	case CHANGE_OPEN: return _("Opened");
	/* TRANSLATORS: what happened to a call: closed by hand (an event), not the state "Closed" of a call. */
	case CHANGE_CLOSE: return C_("call change", "Closed");
	}
	return "";
}

static const char *format_text(enum meeting_format f)
{
	switch (f) {
	/* TRANSLATORS: a meeting's format. */
	case MEETING_ONLINE: return _("Online");
	case MEETING_PHYSICAL: return _("In person");
	case MEETING_HYBRID: return _("In person and online");
	}
	return "";
}

/* "15 February 2021" of a date in the report's language (the thread's), in a. */
static const char *date_long(struct arena *a, const char *date)
{
	char out[I18N_DATE_LEN];
	if (!date || !*date)
		return "";
	i18n_date_long(NULL, date, out);
	return arena_strdup(a, out);
}

static const char *range(struct arena *a, const char *date, const char *end_date)
{
	char out[MILESTONE_RANGE_LEN];
	milestone_format_range(date, end_date, out);
	return arena_strdup(a, out);
}

/* An instant in the process's zone as every page writes one ("15 February 2021, 23:59 Zurich time (UTC+1)"),
 * in the report's language (the thread's), in a. */
static const char *instant(struct arena *a, const char *tzid, int64_t t)
{
	char out[I18N_DATE_LEN];
	i18n_instant_long(NULL, tzid, t, out);
	return arena_strdup(a, out);
}

/* A call's deadline as announced, or its closing instant. */
static const char *deadline(struct arena *a, const struct call *c)
{
	return c->closes_on ? date_long(a, c->closes_on) : instant(a, c->timezone, c->closes_at);
}

static const char *country_text(const char *code)
{
	if (!code || !*code)
		return _("Not stated");
	const char *name = country_name(code);
	return name ? name : code;
}

static const char *const CSS_FALLBACK = "";

/* The stylesheet's bytes, carried in the binary. */
static const char *stylesheet(size_t *len)
{
	for (const struct embedded_file *f = embedded_static; f->name; f++)
		if (!strcmp(f->name, "report.css")) {
			*len = f->len;
			return (const char *)f->data;
		}
	*len = 0;
	return CSS_FALLBACK;
}

/* A table that may be wider than a phone: on screen it scrolls inside its own region, focusable and named by
 * the table's caption (id), so that the page never scrolls sideways; in print the region is only a box. */
static void wide_table_open(struct buf *b, const char *id, const char *caption)
{
	html_printf(b,
	            "<div class=\"wide\" role=\"region\" tabindex=\"0\" aria-labelledby=\"%s\">\n<table>\n"
	            "<caption id=\"%s\" dir=\"auto\">%s</caption>\n",
	            id, id, caption);
}

static void wide_table_close(struct buf *b)
{
	html_printf(b, "</tbody>\n</table>\n</div>\n");
}

static void section_open(struct buf *b, int i, const char *intro)
{
	html_printf(b, "<section class=\"part\" aria-labelledby=\"%s\">\n<h2 id=\"%s\">%s</h2>\n", SECTIONS[i][0],
	            SECTIONS[i][0], _(SECTIONS[i][1]));
	if (intro)
		html_printf(b, "<p class=\"intro\">%s</p>\n", intro);
}

static void steps(struct buf *b, struct arena *a, const struct report *rep)
{
	const struct overview *o = &rep->o;
	section_open(b, 0, arena_printf(a, _("Dates in the time zone of the process, %s."), o->process.timezone));
	if (!o->nmilestones) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("The schedule has no steps."));
		return;
	}
	wide_table_open(b, "steps-table", _("The steps, by date"));
	html_printf(b,
	            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "</tr></thead>\n<tbody>\n",
	            _("Date"), _("Step"), _("Kind"), _("Status"), _("Moves"));
	char today[11] = ""; /* the day the report is made, in the process's zone: planned steps before it are past */
	if (tz_date_at(o->process.timezone, rep->made_at, today) != 0)
		today[0] = '\0';
	for (int i = 0; i < o->nmilestones; i++) {
		const struct milestone *m = &o->milestones[i];
		const enum milestone_when w = milestone_when(m, today);
		const char *status = m->status != MILESTONE_PLANNED ? office_milestone_status_text(m->status)
		                     : w == MILESTONE_PAST          ? _("Past")
		                     : w == MILESTONE_UNDER_WAY     ? _("Under way")
		                                                    : office_milestone_status_text(m->status);
		html_printf(
		    b, "<tr><td class=\"date\">%s</td><td dir=\"auto\">%s</td><td>%s</td><td>%s</td><td>%R</td></tr>\n",
		    range(a, m->date, m->end_date), m->title, office_milestone_kind_text(m->kind), status,
		    m->nhistory ? arena_printf(a, "%d", m->nhistory) : "\u2014");
	}
	wide_table_close(b);
	html_printf(b, "</section>\n");

	int moves = 0;
	for (int i = 0; i < o->nmilestones; i++)
		moves += o->milestones[i].nhistory;
	section_open(b, 1,
	             moves ? _("Every move of a step, with the reason given for it when it was made (a call's deadline "
	                       "moves with the call).")
	                   : NULL);
	if (!moves) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("No step of the schedule has moved."));
		return;
	}
	wide_table_open(b, "moves-table", _("Each move and its reason"));
	html_printf(b,
	            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n"
	            "<tbody>\n",
	            _("Step"), _("Moved on"), _("From"), _("To"), _("Reason"));
	for (int i = 0; i < o->nmilestones; i++) {
		const struct milestone *m = &o->milestones[i];
		for (int h = 0; h < m->nhistory; h++) {
			const struct milestone_move *mv = &m->history[h];
			const char *from = mv->from_date ? range(a, mv->from_date, mv->from_end_date)
			                                 : (mv->from_label ? mv->from_label : "");
			html_printf(b,
			            "<tr><td dir=\"auto\">%s</td><td class=\"date\">%s</td><td>%s</td><td>%s</td>"
			            "<td dir=\"auto\">%s</td></tr>\n",
			            m->title, date_long(a, mv->moved_on), from, range(a, mv->to_date, mv->to_end_date),
			            mv->reason);
		}
	}
	wide_table_close(b);
	html_printf(b, "</section>\n");
}

static void letters(struct buf *b, struct arena *a, const struct report *rep)
{
	const struct overview *o = &rep->o;
	section_open(b, 2, NULL);
	if (!o->ncirculars) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("No circular letter."));
		return;
	}
	wide_table_open(b, "letters-table", _("The letters issued"));
	html_printf(b,
	            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
	            _("Reference"), _("Date"), _("Subject"), _("Addressed to"));
	for (int i = 0; i < o->ncirculars; i++) {
		const struct circular *c = &o->circulars[i];
		html_printf(b, "<tr><td>%s</td><td class=\"date\">%s</td><td dir=\"auto\">%s</td><td>", c->reference,
		            date_long(a, c->date), c->subject);
		for (int k = 0; k < c->naddressees; k++)
			html_printf(b, "%s%s", k ? ", " : "", c->addressees[k]);
		html_printf(b, "</td></tr>\n");
	}
	wide_table_close(b);
	html_printf(b, "</section>\n");
}

static void versions(struct buf *b, struct arena *a, const struct report *rep)
{
	const struct overview *o = &rep->o;
	section_open(b, 3, NULL);
	int n = 0;
	for (int d = 0; d < o->ndocuments; d++)
		n += o->documents[d].nversions;
	if (!n) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("No version has been published."));
		return;
	}
	wide_table_open(b, "versions-table", _("The versions published"));
	html_printf(b,
	            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "</tr></thead>\n<tbody>\n",
	            _("Document"), _("Version"), _("Date"), _("Paragraphs"), _("What changed"));
	for (int d = 0; d < o->ndocuments; d++)
		for (int i = 0; i < o->documents[d].nversions; i++) {
			const struct version *v = &o->documents[d].versions[i];
			html_printf(b,
			            "<tr><td dir=\"auto\">%s</td><td dir=\"auto\">%s</td><td class=\"date\">%s</td>"
			            "<td class=\"number\">%d</td><td dir=\"auto\">%s</td></tr>\n",
			            o->documents[d].title, v->label, date_long(a, v->date), v->paragraphs, v->note);
		}
	wide_table_close(b);
	html_printf(b, "</section>\n");
}

static void calls(struct buf *b, struct arena *a, const struct report *rep)
{
	const struct overview *o = &rep->o;
	section_open(b, 4, NULL);
	if (!o->ncalls) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("No call for contributions."));
		return;
	}
	for (int i = 0; i < o->ncalls; i++) {
		const struct call *c = &o->calls[i];
		html_printf(b, "<h3 dir=\"auto\">%s</h3>\n<p>", c->title);
		/* TRANSLATORS: a call in the report: on which version (label) of which document (its date); when it
		 * opened; its deadline. */
		html_tr(b, "On %s of %s (%s). Opened %s; deadline %s.", c->version_label, c->document_title,
		        date_long(a, c->version_date), instant(a, c->timezone, c->opens_at), deadline(a, c));
		html_printf(b, "</p>\n");
		if (!c->nhistory) {
			html_printf(b, "<p>%s</p>\n", _("The deadline was never changed."));
			continue;
		}
		wide_table_open(b, arena_printf(a, "call-%lld-changes", (long long)c->id),
		                arena_printf(a, _("Changes of the deadline and state of \u201c%s\u201d"), c->title));
		html_printf(b,
		            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
		            "</thead>\n<tbody>\n",
		            _("When"), _("Change"), _("From"), _("To"), _("Reason"));
		for (int h = 0; h < c->nhistory; h++) {
			const struct call_change *ch = &c->history[h];
			const char *from = ch->from_closes_on ? date_long(a, ch->from_closes_on)
			                                      : instant(a, c->timezone, ch->from_closes_at);
			const char *to = ch->to_closes_on ? date_long(a, ch->to_closes_on)
			                                  : instant(a, c->timezone, ch->to_closes_at);
			html_printf(
			    b,
			    "<tr><td class=\"date\">%s</td><td>%s</td><td>%s</td><td>%s</td><td dir=\"auto\">%s</td>"
			    "</tr>\n",
			    instant(a, c->timezone, ch->changed_at), change_text(ch->kind), from, to, ch->reason);
		}
		wide_table_close(b);
	}
	html_printf(b, "</section>\n");
}

static void meetings(struct buf *b, struct arena *a, const struct report *rep)
{
	const struct overview *o = &rep->o;
	section_open(b, 5, NULL);
	if (!o->nmeetings) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("No meeting."));
		return;
	}
	wide_table_open(b, "meetings-table", _("The meetings"));
	html_printf(b,
	            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
	            _("Date"), _("Meeting"), _("Format"), _("Description"));
	for (int i = 0; i < o->nmeetings; i++) {
		const struct meeting *m = &o->meetings[i];
		html_printf(
		    b,
		    "<tr><td class=\"date\">%s</td><td dir=\"auto\">%s</td><td>%s</td><td dir=\"auto\">%s</td></tr>\n",
		    date_long(a, m->date), m->title, format_text(m->format), m->description);
	}
	wide_table_close(b);
	html_printf(b, "</section>\n");
}

static void count_table(struct buf *b, const char *caption, const char *what, const struct outcome_count *c, int n)
{
	html_printf(b,
	            "<table class=\"counts\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
	            "<th scope=\"col\" class=\"number\">%s</th></tr></thead>\n<tbody>\n",
	            caption, what, _("Contributions"));
	for (int i = 0; i < n; i++)
		html_printf(b, "<tr><th scope=\"row\">%s</th><td class=\"number\">%L</td></tr>\n",
		            c[i].label && *c[i].label ? c[i].label : _("Not stated"), (long long)c[i].count);
	html_printf(b, "</tbody>\n</table>\n");
}

static void contributions(struct buf *b, struct arena *a, const struct report *rep)
{
	const struct overview *o = &rep->o;
	section_open(
	    b, 6,
	    _("Contributions published, counted per call (those sent for the secretariat only are counted, never "
	      "named; those awaiting review or withdrawn from view are not counted)."));
	if (!o->ncalls)
		html_printf(b, "<p>%s</p>\n", _("No call for contributions."));
	for (int i = 0; i < o->ncalls; i++) {
		const struct outcome *oc = &rep->calls[i].outcome;
		html_printf(b, "<h3 dir=\"auto\">%s</h3>\n<p class=\"totals\">", rep->calls[i].call->title);
		/* TRANSLATORS: %s is the count of comments, written by the entry "%s comment" / "%s comments". */
		const char *comments = arena_printf(
		    a, i18n_n("%lld comment", "%lld comments", (unsigned long)oc->comments), (long long)oc->comments);
		html_tr_n(b, "%s contribution, with %s.", "%s contributions, with %s.",
		          (unsigned long)oc->contributions, arena_printf(a, "%lld", (long long)oc->contributions),
		          comments ? comments : "");
		html_printf(b, "</p>\n");
		if (!oc->contributions)
			continue;
		html_printf(b, "<div class=\"pair\">\n");
		count_table(b, _("By category"), _("Category"), oc->categories, oc->ncategories);
		count_table(b, _("By country"), _("Country"), oc->countries, oc->ncountries);
		html_printf(b, "</div>\n");
	}
	html_printf(b, "</section>\n");
}

static void dispositions(struct buf *b, struct arena *a, const struct report *rep)
{
	const struct overview *o = &rep->o;
	section_open(b, 7,
	             _("The secretariat's answer to each comment, counted per call once the call's answers are "
	               "published (on the page \u201cyou said, we did\u201d of the revised version, each answer can be "
	               "read)."));
	if (!o->ncalls) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("No call for contributions."));
		return;
	}
	wide_table_open(b, "dispositions-table", _("The decisions counted per call"));
	html_printf(b, "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\" class=\"number\">%s</th>", _("Call"),
	            _("Comments"));
	for (int d = DECISION_ACCEPTED; d <= DECISION_NOTED; d++)
		html_printf(b, "<th scope=\"col\" class=\"number\">%s</th>",
		            decision_text((enum disposition_decision)d));
	html_printf(b, "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n", _("Answers published"));
	for (int i = 0; i < o->ncalls; i++) {
		const struct report_call *rc = &rep->calls[i];
		html_printf(b, "<tr><th scope=\"row\" dir=\"auto\">%s</th><td class=\"number\">%L</td>",
		            rc->call->title, (long long)rc->outcome.comments);
		for (int d = DECISION_ACCEPTED; d <= DECISION_NOTED; d++) {
			if (rc->dispositions_published_at)
				html_printf(
				    b, "<td class=\"number\">%L</td>",
				    (long long)outcome_decided(&rc->outcome.decided, (enum disposition_decision)d));
			else
				html_printf(b, "<td class=\"number\">\u2014</td>");
		}
		html_printf(b, "<td>%s</td></tr>\n",
		            rc->dispositions_published_at
		                ? instant(a, rc->call->timezone, rc->dispositions_published_at)
		                : _("Not yet"));
	}
	wide_table_close(b);
	html_printf(b, "</section>\n");
}

static void contributors(struct buf *b, const struct report *rep)
{
	section_open(b, 8,
	             _("The senders of published contributions who asked to be named. Anonymous contributions and "
	               "those for the secretariat only are not listed."));
	if (!rep->ncontributors) {
		html_printf(b, "<p>%s</p>\n</section>\n", _("None."));
		return;
	}
	/* A list, not a table: WeasyPrint lays a long table out several times slower, in twice the memory (5,000
	 * names: 106 s and 768 MB as a table, 21 s and 538 MB as this list, on the shared test machine). */
	html_printf(b, "<ul class=\"names\">\n");
	for (int i = 0; i < rep->ncontributors; i++) {
		const struct report_contributor *k = &rep->contributors[i];
		html_printf(b, "<li><span class=\"name\" dir=\"auto\">%s</span>", k->name);
		if (*k->organization)
			html_printf(b, ", <span dir=\"auto\">%s</span>", k->organization);
		html_printf(b, " <span class=\"meta\">(%s, %s)</span></li>\n", k->category, country_text(k->country));
	}
	html_printf(b, "</ul>\n</section>\n");
}

const char *report_file_path(struct arena *a, const char *slug, int64_t id)
{
	/* The slug is [a-z0-9-]: nothing in it to encode. */
	return arena_printf(a, "/processes/%s/reports/%lld.pdf", slug, (long long)id);
}

void report_html(struct buf *b, struct arena *a, const struct report *rep, const struct report_html_options *opt)
{
	const struct process *p = &rep->o.process;
	/* In the language of the request that shows or makes it (the PDF's: the secretariat's who asks). */
	const struct i18n_language *lang = i18n_find(i18n_current() ? i18n_current() : I18N_DEFAULT);
	if (!lang)
		lang = i18n_find(I18N_DEFAULT);
	html_printf(b,
	            "<!doctype html>\n<html lang=\"%s\"%R>\n<head>\n<meta charset=\"utf-8\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	            lang->code, lang->rtl ? " dir=\"rtl\"" : "");
	html_tr(b, "Report to the governing body \u2014 %s", p->title);
	html_printf(b, "</title>\n");
	if (opt->css_inline) {
		size_t len;
		const char *css = stylesheet(&len);
		buf_puts(b, "<style>\n");
		buf_append(b, css, len);
		buf_puts(b, "</style>\n");
	} else {
		html_printf(b, "<link rel=\"stylesheet\" href=\"/static/report.css\">\n");
	}
	html_printf(b,
	            "</head>\n<body class=\"report\">\n<header class=\"cover\">\n"
	            "<p class=\"kind\">%s</p>\n<h1 dir=\"auto\">%s</h1>\n<p dir=\"auto\">%s</p>\n<p class=\"made\">",
	            _("Report to the governing body"), p->title, p->summary);
	html_tr(b, "Made from the record of the consultation on %s.", instant(a, p->timezone, rep->made_at));
	html_printf(b, "</p>\n");
	if (opt->latest) {
		const struct report_file *f = opt->latest;
		html_printf(b, "<p class=\"file\">");
		html_tr(b,
		        "The PDF kept on %s: <a href=\"%s\">report %s</a> (%s bytes), SHA-256 "
		        "<code class=\"sha256\">%s</code>.",
		        instant(a, p->timezone, f->created_at), report_file_path(a, p->slug, f->id),
		        arena_printf(a, "%lld", (long long)f->id), arena_printf(a, "%lld", (long long)f->size),
		        f->sha256);
		html_printf(b, "</p>\n");
	}
	html_printf(b, "<p class=\"screen-only\"><a href=\"/processes/%u\">%s</a></p>\n", p->slug,
	            _("The consultation\u2019s page"));
	html_printf(b,
	            "</header>\n<nav class=\"toc\" aria-labelledby=\"contents\">\n<h2 id=\"contents\">%s</h2>\n<ol>\n",
	            /* TRANSLATORS: the heading of the report's table of contents. */
	            _("Contents"));
	for (int i = 0; i < NSECTIONS; i++)
		html_printf(b, "<li><a href=\"#%s\">%s</a></li>\n", SECTIONS[i][0], _(SECTIONS[i][1]));
	html_printf(b, "</ol>\n</nav>\n<main>\n");
	steps(b, a, rep);
	letters(b, a, rep);
	versions(b, a, rep);
	calls(b, a, rep);
	meetings(b, a, rep);
	contributions(b, a, rep);
	dispositions(b, a, rep);
	contributors(b, rep);
	html_printf(b, "</main>\n</body>\n</html>\n");
}

/* -- the routes ------------------------------------------------------------------ */

/* GET /processes/{slug}/report: the report, public, with the newest PDF kept. */
void page_process_report(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct report rep;
	struct report_file *files = NULL;
	int n = 0;
	if (report_gather(r->db, &r->arena, r->params[0], &rep, &e) != 0 ||
	    report_files(r->db, &r->arena, rep.o.process.id, 1, &files, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const struct report_html_options opt = {.css_inline = false, .latest = n ? &files[0] : NULL};
	/* A process with tens of thousands of named contributors makes a page past LIMIT_RESPONSE: such a page is
	 * sent from a temporary file, as the matrix's downloads are; the usual one from r->out. */
	struct buf page;
	buf_init(&page, LIMIT_REPORT_HTML);
	report_html(&page, &r->arena, &rep, &opt);
	if (page.failed) {
		buf_free(&page);
		error_set(&e, ERROR_INTERNAL, "the report's page is longer than LIMIT_REPORT_HTML");
		page_error(r, &e);
		return;
	}
	buf_reset(&r->out);
	if (page.len < LIMIT_RESPONSE && buf_append(&r->out, page.data, page.len) == 0) {
		buf_free(&page);
		reply_html(r, 200);
		return;
	}
	const int written = reply_body_bytes(r, page.data, page.len);
	buf_free(&page);
	buf_reset(&r->out);
	if (written != 0) {
		error_set(&e, ERROR_INTERNAL, "the report's page could not be written to a temporary file");
		page_error(r, &e);
		return;
	}
	reply_html(r, 200);
}

/* GET /processes/{slug}/reports/{id}.pdf: a kept PDF, as it was kept. */
void page_process_report_file(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *name = r->params[1];
	const size_t len = strlen(name);
	int64_t id = 0;
	struct process p;
	struct report_file f;
	const void *pdf;
	size_t n;
	const char *digits =
	    len > 4 && !strcmp(name + len - 4, ".pdf") ? arena_strndup(&r->arena, name, len - 4) : NULL;
	if (!digits || !parse_id(digits, &id)) {
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such report."));
		page_error(r, &e);
		return;
	}
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0 ||
	    report_file_find(r->db, &r->arena, p.id, id, &f, &pdf, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	if (reply_body_bytes(r, pdf, n) != 0) {
		error_set(&e, ERROR_INTERNAL, "the PDF could not be written to a temporary file");
		page_error(r, &e);
		return;
	}
	r->out_type = "application/pdf";
	r->content_disposition =
	    arena_printf(&r->arena, "inline; filename=\"report-%s-%lld.pdf\"", p.slug, (long long)id);
	/* A kept report never changes: its address names these bytes for good. */
	r->cache_control = "public, max-age=31536000, immutable";
	r->status = 200;
}

void office_report_section(struct request *r, const struct process *p)
{
	struct error le;
	error_clear(&le);
	struct report_file *files = NULL;
	int n = 0;
	html_printf(&r->out, "<section aria-labelledby=\"report\"><h2 id=\"report\">%s</h2>\n<p>",
	            _("Report to the governing body"));
	html_tr(&r->out,
	        "Made from the record: the schedule and its moves, the letters, versions, calls and their extensions, "
	        "meetings, the contributions counted by category and country, the answers counted, and the "
	        "contributors who agreed to be named. It is public: <a href=\"/processes/%u/report\">read the "
	        "report</a>.",
	        p->slug);
	html_printf(&r->out, "</p>\n");
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/report", p->slug), false);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button> <span class=\"hint\">%s</span></p>\n</form>\n",
	            _("Make the PDF and keep it"), _("It takes a few seconds; each PDF made is kept."));
	if (report_files(r->db, &r->arena, p->id, REPORT_FILES_SHOWN, &files, &n, &le) != 0) {
		html_printf(&r->out, "<p>%s</p>\n", request_error_message(r, &le));
	} else if (n) {
		/* TRANSLATORS: the table of the report's kept PDFs: when each was made, by whom, its size, its hash. */
		html_printf(&r->out,
		            "<table class=\"reports\">\n<caption>%s</caption>\n"
		            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		            "<th scope=\"col\">%s</th><th scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n",
		            _("PDFs kept, newest first"), _("Made"), _("By"), _("Size"));
		for (int i = 0; i < n; i++) {
			html_printf(&r->out, "<tr><td><a href=\"%s\">%s</a></td><td>%s</td><td>",
			            report_file_path(&r->arena, p->slug, files[i].id),
			            instant(&r->arena, p->timezone, files[i].created_at), files[i].actor);
			html_tr_n(&r->out, "%L byte", "%L bytes", (unsigned long)files[i].size, (long long)files[i].size);
			html_printf(&r->out, "</td><td><code class=\"sha256\">%s</code></td></tr>\n", files[i].sha256);
		}
		html_printf(&r->out, "</tbody>\n</table>\n");
	} else {
		html_printf(&r->out, "<p>%s</p>\n", _("No PDF has been made yet."));
	}
	html_printf(&r->out, "</section>\n");
}

/* POST /office/processes/{slug}/report: makes the PDF of the report and keeps it. */
void page_office_report_make(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct report rep;
	/* One snapshot (a change runs outside the read transaction of GETs); db_begin() ends it, before keeping. */
	const int gathered =
	    db_read_begin(r->db, &e) == 0 ? report_gather(r->db, &r->arena, r->params[0], &rep, &e) : -1;
	db_read_end(r->db);
	if (gathered != 0) {
		page_error(r, &e);
		return;
	}
	struct buf html;
	buf_init(&html, LIMIT_REPORT_HTML);
	const struct report_html_options opt = {.css_inline = true, .latest = NULL};
	report_html(&html, &r->arena, &rep, &opt);
	struct actor who = auth_actor(r);
	struct report_file f;
	int rc = -1;
	if (html.failed)
		error_say(&e, ERROR_UNAVAILABLE,
		          _("The report is longer than %d MiB of HTML; it cannot be made as a PDF here."),
		          LIMIT_REPORT_HTML / (1024 * 1024));
	else
		rc = report_pdf_keep(r->db, &r->arena, &who, rep.o.process.id, html.data, html.len, &f, NULL, NULL, &e);
	buf_free(&html);
	if (rc != 0) {
		office_process_page(r, rep.o.process.slug, "report", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=report#report", rep.o.process.slug));
}
