/*
 * page_process — the public pages of a process: the home page (every
 * process), a process's page (what is open now, schedule, documents, calls,
 * meetings, circular letters, and a form to follow it by e-mail) and a
 * version's page.
 */
#include "core/limits.h"
#include "core/overview.h"
#include "core/language.h"
#include "core/version_text.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/page_cache.h"
#include "web/routes.h"

#include <stdio.h>
#include <string.h>

static void page_process_runners(struct request *r, const struct process *p);

void page_home(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process *ps;
	int n;
	if (process_list(r->db, &r->arena, &ps, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, "Consultations");
	html_printf(&r->out, "<h1>Consultations</h1>\n"
			     "<p class=\"lead\">Draft texts open for comment. Read the draft, send your contribution "
			     "with the form before the deadline, and follow what becomes of it: every contribution gets a "
			     "tracking number, and each comment an answer. <a href=\"/about\">How to take part</a></p>\n");
	if (n == 0)
		html_printf(&r->out, "<p>No consultation has been published yet.</p>\n");
	html_printf(&r->out, "<ul class=\"cards\">\n");
	int64_t now = clock_now();
	for (int i = 0; i < n; i++) {
		struct call *calls = NULL;
		int ncalls = 0, open = 0;
		if (call_list(r->db, &r->arena, ps[i].id, &calls, &ncalls, &e) == 0)
			for (int k = 0; k < ncalls; k++)
				open += call_state_at(&calls[k], now) == CALL_OPEN;
		html_printf(&r->out, "<li><h2><a href=\"/processes/%u\">%s</a></h2>\n", ps[i].slug, ps[i].title);
		page_process_runners(r, &ps[i]);
		html_printf(&r->out, "<p>%s</p>\n", ps[i].summary);
		if (open)
			html_printf(&r->out, "<p class=\"state state-open\">%d call%s for contributions open now</p>\n<ul>\n",
				    open, open == 1 ? "" : "s");
		for (int k = 0; k < ncalls; k++)
			if (call_state_at(&calls[k], now) == CALL_OPEN) {
				html_printf(&r->out, "<li><a href=\"/calls/%L\">%s</a>\n", (long long)calls[k].id,
					    calls[k].title);
				page_deadline(r, &calls[k]);
				html_printf(&r->out, "</li>\n");
			}
		html_printf(&r->out, "%R</li>\n", open ? "</ul>\n" : "");
	}
	html_printf(&r->out, "</ul>\n");
	page_end(r, 200);
}

/* Who runs the process: its body and its secretariat, as set in the back office (nothing if neither is). */
static void page_process_runners(struct request *r, const struct process *p)
{
	const bool body = p->body && *p->body, secretariat = p->secretariat && *p->secretariat;
	if (!body && !secretariat)
		return;
	html_printf(&r->out, "<p class=\"run-by\">");
	if (body)
		html_printf(&r->out, "Run by %s.", p->body);
	if (secretariat)
		html_printf(&r->out, "%RSecretariat: %s.", body ? " " : "", p->secretariat);
	html_printf(&r->out, "</p>\n");
}

/* Where a milestone stands today: the secretariat's status, or for a planned one its dates against today's (in
 * the process's zone). */
enum when { WHEN_PAST, WHEN_TODAY, WHEN_NEXT, WHEN_LATER };

static enum when milestone_when_on(const struct milestone *m, const char *today)
{
	switch (milestone_when(m, today)) {
	case MILESTONE_PAST: return WHEN_PAST;
	case MILESTONE_UNDER_WAY: return WHEN_TODAY;
	case MILESTONE_TO_COME: break;
	}
	return WHEN_LATER;
}

/* The status cell: words first (never colour alone), the secretariat's where it gave one. */
static const char *status_text(const struct milestone *m, enum when w)
{
	switch (m->status) {
	case MILESTONE_DONE: return "\u2713 Done";
	case MILESTONE_POSTPONED: return "Postponed";
	case MILESTONE_CANCELLED: return "Cancelled";
	case MILESTONE_PLANNED: break;
	}
	switch (w) {
	case WHEN_PAST: return "\u2713 Past";
	case WHEN_TODAY: return "\u25b6 Today";
	case WHEN_NEXT: return "\u25b6 Next";
	case WHEN_LATER: break;
	}
	return "Upcoming";
}

static const char *const WHEN_CLASS[] = {
	[WHEN_PAST] = "past", [WHEN_TODAY] = "now", [WHEN_NEXT] = "next", [WHEN_LATER] = "later"};

/* The schedule, and where the process stands today: past rows say so (and are set back), the one under way or the
 * next one to come is marked, and a line above the table names it. */
static void schedule_table(struct request *r, const struct process *p, struct milestone *ms, int n)
{
	char today[11] = "";
	if (tz_date_at(p->timezone, clock_now(), today) != 0)
		today[0] = '\0'; /* an unknown zone: every row reads as to come */
	enum when *when = n ? arena_alloc(&r->arena, sizeof *when * (size_t)n) : NULL;
	int current = -1, next = -1; /* the row under way today (the first), the next one to come */
	for (int i = 0; when && i < n; i++) {
		when[i] = milestone_when_on(&ms[i], today);
		if (when[i] == WHEN_TODAY && ms[i].status == MILESTONE_PLANNED && current < 0)
			current = i;
		if (when[i] == WHEN_LATER && ms[i].status == MILESTONE_PLANNED &&
		    (next < 0 || strcmp(ms[i].date, ms[next].date) < 0))
			next = i;
	}
	if (next >= 0)
		when[next] = WHEN_NEXT;
	html_printf(&r->out, "<section aria-labelledby=\"schedule\" tabindex=\"0\"><h2 id=\"schedule\">Schedule</h2>\n");
	if (*today) {
		html_printf(&r->out, "<p class=\"schedule-now\">Today is %s.", page_date(r, today));
		for (int k = 0; k < 2; k++) {
			const int i = k ? next : current;
			if (i < 0)
				continue;
			char range[80];
			milestone_format_range(ms[i].date, ms[i].end_date, range);
			html_printf(&r->out, " %R %s: <a href=\"#milestone-%L\">%s</a>", k ? "Next, on" : "Under way,", range,
				    (long long)ms[i].id, ms[i].title);
		}
		html_printf(&r->out, "</p>\n");
	}
	if (current < 0)
		current = next; /* the step the process is at, for assistive technology */
	html_printf(&r->out,
		    "<table class=\"schedule\">\n<caption>Dates in the time zone of the process, %s</caption>\n"
		    "<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Milestone</th>"
		    "<th scope=\"col\">Status</th></tr></thead>\n<tbody>\n",
		    p->timezone);
	for (int i = 0; i < n; i++) {
		const enum when w = when ? when[i] : WHEN_LATER;
		char range[80];
		milestone_format_range(ms[i].date, ms[i].end_date, range);
		html_printf(&r->out, "<tr id=\"milestone-%L\" class=\"%R\"%R><td class=\"date\">%s</td><td>%s",
			    (long long)ms[i].id, WHEN_CLASS[w], i == current ? " aria-current=\"step\"" : "", range,
			    ms[i].title);
		for (int h = 0; h < ms[i].nhistory; h++) {
			const struct milestone_move *mv = &ms[i].history[h];
			char from[80], to[80];
			if (mv->from_date)
				milestone_format_range(mv->from_date, mv->from_end_date, from);
			else
				snprintf(from, sizeof from, "%s", mv->from_label ? mv->from_label : "");
			milestone_format_range(mv->to_date, mv->to_end_date, to);
			html_printf(&r->out, "<p class=\"history\">Moved from %s to %s on %s: %s</p>", from, to,
				    page_date(r, mv->moved_on), mv->reason);
		}
		html_printf(&r->out, "</td><td class=\"status\">%s</td></tr>\n", status_text(&ms[i], w));
	}
	html_printf(&r->out, "</tbody>\n</table>\n</section>\n");
}

/* A meeting: its date and hours in the process's zone, its page (where one registers: the link to join and the
 * other practical details are for its registered participants, there and by mail), and, once published, its
 * summary, outcome and the call that followed it. */
static void meeting_row(struct request *r, const struct process *p, const struct meeting *m, const char *today)
{
	html_printf(&r->out, "<li><strong>%s", page_date(r, m->date));
	if (m->starts && m->ends) {
		char city[64];
		tz_city(p->timezone, city, sizeof city);
		html_printf(&r->out, ", %s\u2013%s %s time", m->starts, m->ends, city);
	}
	html_printf(&r->out, "</strong>: <a href=\"/meetings/%L\">%s</a> (%s)%R. %s", (long long)m->id, m->title,
		    meeting_format_name(m->format), m->cancelled ? ", <strong>cancelled</strong>" : "", m->description);
	if (!m->cancelled && strcmp(m->date, today) >= 0)
		html_printf(&r->out, " <a href=\"/meetings/%L#registration\">Register<span class=\"visually-hidden\"> for "
				     "%s</span></a>: registered participants are given the link to join.",
			    (long long)m->id, m->title);
	if (*m->summary)
		html_printf(&r->out, "<p class=\"summary\"><strong>Summary:</strong> %s</p>", m->summary);
	if (*m->outcome)
		html_printf(&r->out, "<p class=\"outcome\"><strong>Outcome:</strong> %s</p>", m->outcome);
	if (m->followup_call_id)
		html_printf(&r->out, "<p><a href=\"/calls/%L\">The call that followed<span class=\"visually-hidden\"> "
				     "%s</span></a></p>",
			    (long long)m->followup_call_id, m->title);
	html_printf(&r->out, "</li>\n");
}

/* A call in a list: its title, state and deadline statement; open now (extensions true) also each extension of
 * its deadline with its reason, and the button to take part. */
static void call_row(struct request *r, struct call *c, int64_t now, bool extensions)
{
	enum call_state s = call_state_at(c, now);
	html_printf(&r->out,
		    "<li><a href=\"/calls/%L\">%s</a> on <a href=\"/versions/%L\">the version of %s</a>. "
		    "<span class=\"state state-%s\">%s</span>\n",
		    (long long)c->id, c->title, (long long)c->version_id, page_date(r, c->version_date), call_state_name(s),
		    call_state_label(s));
	page_deadline(r, c);
	if (extensions) {
		page_deadline_extensions(r, c);
		if (c->description && *c->description) /* what is asked */
			html_printf(&r->out, "<p class=\"asked\">%s</p>\n", c->description);
	}
	if (s == CALL_OPEN)
		html_printf(&r->out, "<p><a class=\"button\" href=\"/calls/%L/contribute\">Send a contribution</a></p>",
			    (long long)c->id);
	if (s != CALL_UPCOMING)
		html_printf(&r->out,
			    "<p><a href=\"/calls/%L/contributions\">Published contributions<span class=\"visually-hidden\"> "
			    "to %s</span></a></p>",
			    (long long)c->id, c->title);
	html_printf(&r->out, "</li>\n");
}

void page_process(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct overview o;
	if (overview_load(r->db, &r->arena, r->params[0], &o, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const struct process p = o.process;
	struct milestone *ms = o.milestones;
	struct document *docs = o.documents;
	struct call *calls = o.calls;
	struct meeting *meetings = o.meetings;
	struct circular *letters = o.circulars;
	const int nms = o.nmilestones, ndocs = o.ndocuments, ncalls = o.ncalls, nmeetings = o.nmeetings,
		  nletters = o.ncirculars;
	int64_t now = clock_now();
	request_language_process(r, p.languages); /* a visitor who named no language we offer reads the process's */
	const char *feeds[] = {arena_printf(&r->arena, "/processes/%s/feed.atom", p.slug),
			       arena_printf(&r->arena, "/processes/%s/contributions.atom", p.slug)};
	const char *feed_titles[] = {arena_printf(&r->arena, "%s: news (Atom)", p.title),
				     arena_printf(&r->arena, "%s: published contributions (Atom)", p.title)};
	page_begin_feeds(r, p.title, feeds, feed_titles, 2);
	html_printf(&r->out, "<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><a href=\"/\">Consultations</a></nav>\n"
			     "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n",
		    p.title, p.summary);
	page_process_runners(r, &p);

	html_printf(&r->out, "<section aria-labelledby=\"open-now\" class=\"open-now\"><h2 id=\"open-now\">Open now</h2>\n");
	int open = 0;
	for (int i = 0; i < ncalls; i++)
		if (call_state_at(&calls[i], now) == CALL_OPEN) {
			if (!open++)
				html_printf(&r->out, "<ul>\n");
			call_row(r, &calls[i], now, true);
		}
	if (open)
		html_printf(&r->out,
			    "</ul>\n<h3>How to take part</h3>\n<ol class=\"steps\">\n"
			    "<li>Read the draft the call is about: its paragraphs are numbered (\u00b6).</li>\n"
			    "<li>Send your contribution with the call's form before its deadline: a text, comments on "
			    "paragraphs, or both. You get a tracking number at once.</li>\n"
			    "<li>Choose whether it is published with your name, without it, or not at all "
			    "(<a href=\"/privacy\">privacy notice</a>). The secretariat answers each comment.</li>\n"
			    "</ol>\n");
	else
		html_printf(&r->out, "<p>No call for contributions is open at the moment.</p>\n");
	html_printf(&r->out, "</section>\n");

	html_printf(&r->out, "<section aria-labelledby=\"documents\"><h2 id=\"documents\">The draft</h2>\n");
	for (int i = 0; i < ndocs; i++) {
		html_printf(&r->out, "<h3>%s</h3>\n<ol class=\"versions\">\n", docs[i].title);
		for (int k = docs[i].nversions - 1; k >= 0; k--) {
			const struct version *v = &docs[i].versions[k];
			html_printf(&r->out, "<li><a href=\"/versions/%L\">%s of %s</a>%s%s</li>\n", (long long)v->id,
				    v->label, page_date(r, v->date), *v->note ? " \u2014 " : "", v->note);
		}
		html_printf(&r->out, "</ol>\n");
	}
	html_printf(&r->out, "</section>\n");

	schedule_table(r, &p, ms, nms);

	html_printf(&r->out, "<section aria-labelledby=\"calls\"><h2 id=\"calls\">Calls for contributions</h2>\n<ul>\n");
	for (int i = 0; i < ncalls; i++)
		call_row(r, &calls[i], now, false);
	html_printf(&r->out, "</ul>\n</section>\n");

	html_printf(&r->out, "<section aria-labelledby=\"meetings\"><h2 id=\"meetings\">Meetings</h2>\n<ul>\n");
	char today[11] = "";
	if (tz_date_at(p.timezone, now, today) != 0)
		today[0] = '\0'; /* every meeting then counts as to come */
	for (int i = 0; i < nmeetings; i++)
		meeting_row(r, &p, &meetings[i], today);
	html_printf(&r->out, "</ul>\n</section>\n");

	html_printf(&r->out,
		    /* focusable: on a phone the table scrolls inside its section (style.css), by keyboard too */
		    "<section aria-labelledby=\"letters\" tabindex=\"0\"><h2 id=\"letters\">Circular letters</h2>\n"
		    "<p><a href=\"/letters\">All circular letters, by year and series</a></p>\n<table>\n<thead><tr><th scope=\"col\">Reference</th><th scope=\"col\">Date</th>"
		    "<th scope=\"col\">Subject</th><th scope=\"col\">Addressees</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < nletters; i++) {
		html_printf(&r->out, "<tr><td><a href=\"/letters/%L\">%s</a></td><td class=\"date\">%s</td><td>%s</td><td>",
			    (long long)letters[i].id, letters[i].reference, page_date(r, letters[i].date), letters[i].subject);
		for (int k = 0; k < letters[i].naddressees; k++)
			html_printf(&r->out, "%s%s", k ? "; " : "", letters[i].addressees[k]);
		html_printf(&r->out, "</td></tr>\n");
	}
	html_printf(&r->out, "</tbody>\n</table>\n</section>\n");

	html_printf(&r->out, "<section aria-labelledby=\"categories\"><h2 id=\"categories\">Who may contribute</h2>\n<ul>\n");
	for (int i = 0; i < p.ncategories; i++)
		html_printf(&r->out, "<li>%s</li>\n", p.categories[i].name);
	html_printf(&r->out, "</ul>\n</section>\n");
	html_printf(&r->out, "<p><a href=\"/processes/%u/report\">Report to the governing body</a>: what happened in this "
			     "consultation, from the record. <a href=\"/processes/%u/statistics\">Statistics</a>: the "
			     "contributions per day, by category, country and channel, and the comments per paragraph.</p>\n",
		    p.slug, p.slug);
	html_printf(&r->out, "<p>Open data: every published record of this process as CSV, JSON Lines or XLSX, e.g. "
			     "<a href=\"/api/v1/processes/%u/contributions.csv\">the contributions (CSV)</a>; "
			     "<a href=\"/data\">what each file holds</a>.</p>\n",
		    p.slug);

	/* Following by e-mail (page_subscription.c): a confirmation link first, then a notice at each change. */
	html_printf(&r->out,
		    "<section aria-labelledby=\"follow\" class=\"follow\">"
		    "<h2 id=\"follow\">Follow this consultation</h2>\n"
		    "<form method=\"post\" action=\"/processes/%u/subscribe\" novalidate>\n"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
		    p.slug, auth_csrf_token(r));
	page_input(r, NULL, "email", "E-mail address",
		   "Get a short notice when a new version is posted, a date moves, or a call opens, changes or is "
		   "about to close. We send a link to confirm first; every notice has a link to stop.",
		   "", "email", "email", LIMIT_EMAIL);
	page_privacy_note(r, "Your address is used only for these notices, until you stop.");
	html_printf(&r->out, "<p><button type=\"submit\">Follow</button></p>\n</form>\n");
	/* Without an address: a feed reader and a calendar application ask us themselves (page_feed.c). */
	html_printf(&r->out,
		    "<h3>Follow by feed, or in your calendar</h3>\n<ul class=\"feeds\">\n"
		    "<li><a href=\"/processes/%u/feed.atom\" type=\"application/atom+xml\">Follow by feed: news</a> "
		    "(Atom): new versions, circular letters, dates moved and deadlines changed, with the reasons.</li>\n"
		    "<li><a href=\"/processes/%u/contributions.atom\" type=\"application/atom+xml\">Follow by feed: "
		    "published contributions</a> (Atom), to every call.</li>\n"
		    "<li><a href=\"/processes/%u/calendar.ics\" type=\"text/calendar\">Add to your calendar</a> "
		    "(iCalendar): the schedule and the meetings, in the time zone of the process; a calendar "
		    "application that subscribes to this address shows each date where it moves.</li>\n"
		    "</ul>\n<p class=\"hint\">A feed holds the newest %d entries; this page keeps everything.</p>\n"
		    "</section>\n",
		    p.slug, p.slug, p.slug, LIMIT_FEED_ENTRIES);
	page_end(r, 200);
}

/* The calls open now on version v, each with its deadline statement and the button to take part: the draft and the
 * form joined. On an older version (newer not NULL), the calls open on the newest one, said to be about it. What it
 * shows is in the page's state (version_page_state(): the calls, their deadlines, the local date that the days left
 * count from), so that the kept page changes with it. */
static void version_open_calls(struct request *r, const struct version *v, const struct version *newer,
                               int64_t process_id)
{
	struct error e;
	error_clear(&e);
	struct call *calls = NULL;
	int n = 0;
	if (call_list(r->db, &r->arena, process_id, &calls, &n, &e) != 0)
		return; /* the text still shows */
	const int64_t now = clock_now();
	int open = 0;
	for (int i = 0; i < n; i++) {
		const bool here = calls[i].version_id == v->id, there = newer && calls[i].version_id == newer->id;
		if ((!here && !there) || call_state_at(&calls[i], now) != CALL_OPEN)
			continue;
		if (!open++)
			html_printf(&r->out, "<section aria-labelledby=\"open-calls\" class=\"open-now version-call\">"
					     "<h2 id=\"open-calls\">Open for contributions</h2>\n");
		if (here)
			html_printf(&r->out, "<p>This version is the subject of <a href=\"/calls/%L\">%s</a>.</p>\n",
				    (long long)calls[i].id, calls[i].title);
		else
			html_printf(&r->out,
				    "<p>Contributions are invited on the newer version, <a href=\"/versions/%L\">%s of %s</a>: "
				    "<a href=\"/calls/%L\">%s</a>.</p>\n",
				    (long long)newer->id, newer->label, page_date(r, newer->date), (long long)calls[i].id,
				    calls[i].title);
		page_deadline(r, &calls[i]);
		html_printf(&r->out,
			    "<p><a class=\"button\" href=\"/calls/%L/contribute\">Send a contribution"
			    "<span class=\"visually-hidden\"> to %s</span></a></p>\n",
			    (long long)calls[i].id, calls[i].title);
	}
	if (open)
		html_printf(&r->out, "</section>\n");
}

/*
 * Which of version v's texts the reader gets (core/version_text.h): the one asked for by ?text= (asked, "" if
 * none), else the one in the reader's language, else the version's own, in the process's first language, with a
 * notice saying so; and links to its other languages. v->html becomes the text's. Returns the text's language.
 */
static const char *version_language(struct request *r, struct version *v, const struct process *p, const char *asked)
{
	const size_t n = p->languages ? strcspn(p->languages, ",") : 0;
	const char *own = n ? arena_strndup(&r->arena, p->languages, n) : I18N_DEFAULT;
	const char *reader = *asked ? asked : i18n_current() ? i18n_current() : I18N_DEFAULT;
	if (!strcmp(reader, I18N_PSEUDO))
		reader = I18N_DEFAULT; /* the pseudo-locale reads English content */
	const char **texts = NULL;
	int ntexts = 0;
	struct error e;
	error_clear(&e);
	if (version_text_languages(r->db, &r->arena, v->id, &texts, &ntexts, &e) != 0)
		ntexts = 0; /* the version's own text still shows */
	const char *shown = own;
	struct version_text t;
	if (strcmp(reader, own) != 0 && version_text_find(r->db, &r->arena, v->id, reader, &t, &e) == 0) {
		v->html = t.html;
		shown = t.language;
	} else if (strcmp(reader, own) != 0) {
		html_printf(&r->out,
			    "<div class=\"notice\" role=\"note\" id=\"text-language\"><p>%s</p></div>\n",
			    arena_printf(&r->arena, _("This version has no text in %s: it is shown in %s, the process's first language."),
					 page_language_name(reader), page_language_name(own)));
	}
	if (ntexts == 0)
		return shown;
	html_printf(&r->out, "<nav class=\"text-languages\" aria-label=\"%s\"><p>%s ", _("This version in other languages"),
		    _("This version in other languages:"));
	for (int i = -1; i < ntexts; i++) {
		const char *l = i < 0 ? own : texts[i];
		if (!strcmp(l, shown))
			continue;
		html_printf(&r->out, "<a href=\"/versions/%L?text=%u\" lang=\"%s\" hreflang=\"%s\">%s</a> ", (long long)v->id,
			    l, l, l, page_language_name(l));
	}
	html_printf(&r->out, "</p></nav>\n");
	return shown;
}

void page_version(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	struct version v;
	struct document doc;
	struct process p;
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, "There is no such version.");
		page_error(r, &e);
		return;
	}
	/* Every anonymous visitor gets the same page for the same state (web/page_cache.h): the page kept
	 * for it if nothing has committed since its state was read; else the state is read, in the same read
	 * transaction as the page, so that a page kept under it is built from it. */
	/* ?text=fr: the version's text in that language, whatever the interface's (a link of the page's own). */
	char asked[LANGUAGE_TAG_LEN];
	language_tag_normalize(request_query(r, "text"), asked);
	struct page_state ps;
	if (page_cache_versions(r, &ps, arena_printf(&r->arena, "version:%lld:%s", (long long)id, asked), &id, 1))
		return;
	r->vary = "Accept-Encoding"; /* the kept page is sent compressed to clients that accept it */
	/* A draft (its paragraph matches wait for confirmation) is the secretariat's alone. */
	const bool secretariat = r->account && r->account->role == ACCOUNT_SECRETARIAT;
	if (version_find(r->db, &r->arena, id, &v, &doc, &e) == 0 && v.state == VERSION_DRAFT && !secretariat)
		error_set(&e, ERROR_NOT_FOUND, "There is no such version.");
	if (e.code || process_find_id_bare(r->db, &r->arena, doc.process_id, &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct version newest;
	struct error none;
	error_clear(&none);
	bool older = v.state == VERSION_PUBLISHED && version_newest(r->db, &r->arena, doc.id, &newest, &none) == 0 &&
	             newest.id != v.id;
	page_begin(r, arena_printf(&r->arena, "%s \u2014 %s", doc.title, v.label));
	html_printf(&r->out,
		    "<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><a href=\"/\">Consultations</a> \u203a "
		    "<a href=\"/processes/%u\">%s</a></nav>\n"
		    "<h1>%s</h1>\n<p class=\"lead\">%s of %s. %s</p>\n",
		    p.slug, p.title, doc.title, v.label, page_date(r, v.date), v.note);
	if (v.state == VERSION_DRAFT)
		html_printf(&r->out,
		            "<div class=\"notice\" role=\"note\"><p>This version is a draft, not public: some of its "
		            "paragraphs wait for the secretariat to confirm where they came from. "
		            "<a href=\"/office/versions/%L/matches\">Confirm them and publish it</a>.</p></div>\n",
		            (long long)v.id);
	if (older)
		html_printf(&r->out,
		            "<div class=\"notice\" role=\"note\"><p>A newer version exists: "
		            "<a href=\"/versions/%L\">%s, %s</a>. "
		            "<a href=\"/versions/%L/compare/%L\">See what changed since this version</a>.</p></div>\n",
		            (long long)newest.id, newest.label, page_date(r, newest.date), (long long)v.id,
		            (long long)newest.id);
	if (v.state == VERSION_PUBLISHED)
		version_open_calls(r, &v, older ? &newest : NULL, doc.process_id);
	page_outcome_section(r, &v);
	const char *lang = version_language(r, &v, &p, asked);
	html_printf(&r->out, "<div lang=\"%s\"%R>\n", lang, i18n_find(lang) && i18n_find(lang)->rtl ? " dir=\"rtl\"" : "");
	page_version_text(r, &v, &doc);
	html_printf(&r->out, "</div>\n");
	page_end(r, 200);
	if (ps.state)
		page_cache_keep(r, &ps);
}
