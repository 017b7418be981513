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
	page_begin(r, _("Consultations"));
	html_printf(&r->out, "<h1>%s</h1>\n<p class=\"lead\">", _("Consultations"));
	html_tr(&r->out, "Draft texts open for comment. Read the draft, send your contribution with the form before the "
			 "deadline, and follow what becomes of it: every contribution gets a tracking number, and each "
			 "comment an answer. <a href=\"%s\">How to take part</a>",
		"/about");
	html_printf(&r->out, "</p>\n");
	if (n == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("No consultation has been published yet."));
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
		if (open) {
			html_printf(&r->out, "<p class=\"state state-open\">");
			html_tr_n(&r->out, "%d call for contributions open now", "%d calls for contributions open now",
				  (unsigned long)open, open);
			html_printf(&r->out, "</p>\n<ul>\n");
		}
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
		html_tr(&r->out, "Run by %s.", p->body);
	if (secretariat) {
		html_printf(&r->out, "%R", body ? " " : "");
		html_tr(&r->out, "Secretariat: %s.", p->secretariat);
	}
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
	/* TRANSLATORS: a milestone's status in a process's schedule. */
	case MILESTONE_DONE: return _("\u2713 Done");
	/* TRANSLATORS: a milestone's status in a process's schedule. */
	case MILESTONE_POSTPONED: return _("Postponed");
	/* TRANSLATORS: a milestone's status in a process's schedule. */
	case MILESTONE_CANCELLED: return _("Cancelled");
	case MILESTONE_PLANNED: break;
	}
	switch (w) {
	/* TRANSLATORS: a milestone's status in a process's schedule: its date has passed. */
	case WHEN_PAST: return _("\u2713 Past");
	/* TRANSLATORS: a milestone's status in a process's schedule: it is under way today. */
	case WHEN_TODAY: return _("\u25b6 Today");
	/* TRANSLATORS: a milestone's status in a process's schedule: the next one to come. */
	case WHEN_NEXT: return _("\u25b6 Next");
	case WHEN_LATER: break;
	}
	/* TRANSLATORS: a milestone's status in a process's schedule: still to come. */
	return _("Upcoming");
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
	html_printf(&r->out, "<section aria-labelledby=\"schedule\" tabindex=\"0\"><h2 id=\"schedule\">%s</h2>\n",
		    _("Schedule"));
	if (*today) {
		html_printf(&r->out, "<p class=\"schedule-now\">");
		html_tr(&r->out, "Today is %s.", page_date(r, today));
		for (int k = 0; k < 2; k++) {
			const int i = k ? next : current;
			if (i < 0)
				continue;
			char range[MILESTONE_RANGE_LEN];
			milestone_format_range(ms[i].date, ms[i].end_date, range);
			html_printf(&r->out, " ");
			if (k)
				html_tr(&r->out, "Next, on %s: <a href=\"#milestone-%L\">%s</a>", range, (long long)ms[i].id,
					ms[i].title);
			else
				html_tr(&r->out, "Under way, %s: <a href=\"#milestone-%L\">%s</a>", range,
					(long long)ms[i].id, ms[i].title);
		}
		html_printf(&r->out, "</p>\n");
	}
	if (current < 0)
		current = next; /* the step the process is at, for assistive technology */
	html_printf(&r->out, "<table class=\"schedule\">\n<caption>");
	html_tr(&r->out, "Dates in the time zone of the process, %s", p->timezone);
	html_printf(&r->out,
		    "</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		    _("Date"), _("Milestone"), _("Status"));
	for (int i = 0; i < n; i++) {
		const enum when w = when ? when[i] : WHEN_LATER;
		char range[MILESTONE_RANGE_LEN];
		milestone_format_range(ms[i].date, ms[i].end_date, range);
		html_printf(&r->out, "<tr id=\"milestone-%L\" class=\"%R\"%R><td class=\"date\">%s</td><td>%s",
			    (long long)ms[i].id, WHEN_CLASS[w], i == current ? " aria-current=\"step\"" : "", range,
			    ms[i].title);
		for (int h = 0; h < ms[i].nhistory; h++) {
			const struct milestone_move *mv = &ms[i].history[h];
			char from[MILESTONE_RANGE_LEN], to[MILESTONE_RANGE_LEN];
			if (mv->from_date)
				milestone_format_range(mv->from_date, mv->from_end_date, from);
			else
				snprintf(from, sizeof from, "%s", mv->from_label ? mv->from_label : "");
			milestone_format_range(mv->to_date, mv->to_end_date, to);
			html_printf(&r->out, "<p class=\"history\">");
			html_tr(&r->out, "Moved from %s to %s on %s: %s", from, to, page_date(r, mv->moved_on),
				mv->reason);
			html_printf(&r->out, "</p>");
		}
		html_printf(&r->out, "</td><td class=\"status\">%s</td></tr>\n", status_text(&ms[i], w));
	}
	html_printf(&r->out, "</tbody>\n</table>\n</section>\n");
}

/* How a meeting is held, as readers say it (the stored names are the API's). */
const char *page_meeting_format_label(enum meeting_format f)
{
	switch (f) {
	/* TRANSLATORS: how a meeting is held. */
	case MEETING_ONLINE: return _("online");
	/* TRANSLATORS: how a meeting is held: in a room, in person. */
	case MEETING_PHYSICAL: return _("physical");
	/* TRANSLATORS: how a meeting is held: both in a room and online. */
	case MEETING_HYBRID: return _("hybrid");
	}
	return meeting_format_name(f);
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
		html_printf(&r->out, ", ");
		/* TRANSLATORS: a meeting's hours and the city whose time they are in: "09:00–11:00 Zurich time". */
		html_tr(&r->out, "%s\u2013%s %s time", m->starts, m->ends, city);
	}
	html_printf(&r->out, "</strong>: <a href=\"/meetings/%L\">%s</a> (%s)", (long long)m->id, m->title,
		    page_meeting_format_label(m->format));
	if (m->cancelled) {
		html_printf(&r->out, ", ");
		html_tr(&r->out, "<strong>cancelled</strong>");
	}
	html_printf(&r->out, ". %s", m->description);
	if (!m->cancelled && strcmp(m->date, today) >= 0) {
		html_printf(&r->out, " ");
		html_tr(&r->out, "<a href=\"/meetings/%L#registration\">Register<span class=\"visually-hidden\"> for "
				 "%s</span></a>: registered participants are given the link to join.",
			(long long)m->id, m->title);
	}
	if (*m->summary)
		html_printf(&r->out, "<p class=\"summary\"><strong>%s</strong> %s</p>", _("Summary:"), m->summary);
	if (*m->outcome)
		html_printf(&r->out, "<p class=\"outcome\"><strong>%s</strong> %s</p>", _("Outcome:"), m->outcome);
	if (m->followup_call_id) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "<a href=\"/calls/%L\">The call that followed<span class=\"visually-hidden\"> "
				 "%s</span></a>",
			(long long)m->followup_call_id, m->title);
		html_printf(&r->out, "</p>");
	}
	html_printf(&r->out, "</li>\n");
}

/* A call in a list: its title, state and deadline statement; open now (extensions true) also each extension of
 * its deadline with its reason, and the button to take part. */
static void call_row(struct request *r, struct call *c, int64_t now, bool extensions)
{
	enum call_state s = call_state_at(c, now);
	html_printf(&r->out, "<li>");
	html_tr(&r->out, "<a href=\"/calls/%L\">%s</a> on <a href=\"/versions/%L\">the version of %s</a>.", (long long)c->id,
		c->title, (long long)c->version_id, page_date(r, c->version_date));
	html_printf(&r->out, " <span class=\"state state-%s\">%s</span>\n", call_state_name(s),
		    page_call_state_label(s));
	page_deadline(r, c);
	if (extensions) {
		page_deadline_extensions(r, c);
		if (c->description && *c->description) /* what is asked */
			html_printf(&r->out, "<p class=\"asked\">%s</p>\n", c->description);
	}
	if (s == CALL_OPEN)
		html_printf(&r->out, "<p><a class=\"button\" href=\"/calls/%L/contribute\">%s</a></p>", (long long)c->id,
			    _("Send a contribution"));
	if (s != CALL_UPCOMING) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out,
			"<a href=\"/calls/%L/contributions\">Published contributions<span class=\"visually-hidden\"> "
			"to %s</span></a>",
			(long long)c->id, c->title);
		html_printf(&r->out, "</p>");
	}
	html_printf(&r->out, "</li>\n");
}

/* The same page for every anonymous visitor (its form's token put in for each, web/page_cache.h), kept
 * under the database's change mark for the second it was read in (what it shows changes with time to the
 * second: calls open and close), and during a surge of contributions, when no mark holds, served without
 * a query while recent (issue 11: it is read during bursts). It shows no contribution. Its key is in the
 * language asked for, or "-" for the process's own (request_language_process()). False: not kept for r. */
static bool process_page_kept_as(struct request *r, struct page_state *ps)
{
	memset(ps, 0, sizeof *ps);
	if (!page_cache_wanted(r))
		return false;
	request_language(r);
	ps->page = arena_printf(&r->arena, "process:%s", r->params[0]);
	ps->key = arena_printf(&r->arena, "process:%s@%s", r->params[0], r->lang_asked ? r->lang->code : "-");
	if (!ps->page || !ps->key)
		ps->page = ps->key = NULL;
	return ps->page != NULL;
}

bool page_process_kept(struct request *r)
{
	struct page_state ps;
	return process_page_kept_as(r, &ps) && page_cache_serve_recent(r, &ps, false);
}

void page_process(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct page_state ps;
	if (process_page_kept_as(r, &ps) && (page_cache_serve_recent(r, &ps, false) || page_cache_serve_unchanged(r, &ps)))
		return;
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
	struct error none;
	error_clear(&none);
	/* the letters' subjects in the reader's language where a letter has a text in it (else their own) */
	(void)circular_list_in(r->db, &r->arena, letters, nletters, page_text_reader(r), &none);
	const char *feeds[] = {arena_printf(&r->arena, "/processes/%s/feed.atom", p.slug),
			       arena_printf(&r->arena, "/processes/%s/contributions.atom", p.slug)};
	const char *feed_titles[] = {arena_printf(&r->arena, _("%s: news (Atom)"), p.title),
				     arena_printf(&r->arena, _("%s: published contributions (Atom)"), p.title)};
	page_begin_feeds(r, p.title, feeds, feed_titles, 2);
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a></nav>\n"
			     "<h1>%s</h1>\n<p class=\"lead\" dir=\"auto\">%s</p>\n", /* dir: page_call.c's call */
		    _("Breadcrumb"), _("Consultations"), p.title, p.summary);
	page_process_runners(r, &p);

	/* TRANSLATORS: the heading over the calls for contributions open at this moment (an adjective, not the office's
	 * button that opens a call: "Ouverts en ce moment", not "Ouvrir"). */
	html_printf(&r->out, "<section aria-labelledby=\"open-now\" class=\"open-now\"><h2 id=\"open-now\">%s</h2>\n",
		    C_("calls open at this moment", "Open now"));
	int open = 0;
	for (int i = 0; i < ncalls; i++)
		if (call_state_at(&calls[i], now) == CALL_OPEN) {
			if (!open++)
				html_printf(&r->out, "<ul>\n");
			call_row(r, &calls[i], now, true);
		}
	if (open) {
		html_printf(&r->out, "</ul>\n<h3>%s</h3>\n<ol class=\"steps\">\n<li>%s</li>\n<li>%s</li>\n<li>",
			    _("How to take part"), _("Read the draft the call is about: its paragraphs are numbered (\u00b6)."),
			    _("Send your contribution with the call's form before its deadline: a text, comments on "
			      "paragraphs, or both. You get a tracking number at once."));
		html_tr(&r->out,
			"Choose whether it is published with your name, without it, or not at all "
			"(<a href=\"%s\">privacy notice</a>). The secretariat answers each comment.",
			"/privacy");
		html_printf(&r->out, "</li>\n</ol>\n");
	} else
		html_printf(&r->out, "<p>%s</p>\n", _("No call for contributions is open at the moment."));
	html_printf(&r->out, "</section>\n");

	html_printf(&r->out, "<section aria-labelledby=\"documents\"><h2 id=\"documents\">%s</h2>\n",
		    _("The draft"));
	for (int i = 0; i < ndocs; i++) {
		html_printf(&r->out, "<h3>%s</h3>\n<ol class=\"versions\">\n", docs[i].title);
		for (int k = docs[i].nversions - 1; k >= 0; k--) {
			const struct version *v = &docs[i].versions[k];
			html_printf(&r->out, "<li>");
			/* TRANSLATORS: a version of a draft: its label and its date ("Second draft of 3 March 2026"). */
			html_tr(&r->out, "<a href=\"/versions/%L\">%s of %s</a>", (long long)v->id, v->label,
				page_date(r, v->date));
			html_printf(&r->out, "%s%s</li>\n", *v->note ? " \u2014 " : "", v->note);
		}
		html_printf(&r->out, "</ol>\n");
	}
	html_printf(&r->out, "</section>\n");

	schedule_table(r, &p, ms, nms);

	html_printf(&r->out, "<section aria-labelledby=\"calls\"><h2 id=\"calls\">%s</h2>\n<ul>\n",
		    _("Calls for contributions"));
	for (int i = 0; i < ncalls; i++)
		call_row(r, &calls[i], now, false);
	html_printf(&r->out, "</ul>\n</section>\n");

	html_printf(&r->out, "<section aria-labelledby=\"meetings\"><h2 id=\"meetings\">%s</h2>\n<ul>\n",
		    _("Meetings"));
	char today[11] = "";
	if (tz_date_at(p.timezone, now, today) != 0)
		today[0] = '\0'; /* every meeting then counts as to come */
	for (int i = 0; i < nmeetings; i++)
		meeting_row(r, &p, &meetings[i], today);
	html_printf(&r->out, "</ul>\n</section>\n");

	html_printf(&r->out,
		    /* focusable: on a phone the table scrolls inside its section (style.css), by keyboard too */
		    "<section aria-labelledby=\"letters\" tabindex=\"0\"><h2 id=\"letters\">%s</h2>\n"
		    "<p><a href=\"/letters\">%s</a></p>\n<table>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		    _("Circular letters"), _("All circular letters, by year and series"), _("Reference"), _("Date"),
		    _("Subject"), _("Addressees"));
	for (int i = 0; i < nletters; i++) {
		html_printf(&r->out, "<tr><td><a href=\"/letters/%L\">%s</a></td><td class=\"date\">%s</td><td>%s</td><td>",
			    (long long)letters[i].id, letters[i].reference, page_date(r, letters[i].date), letters[i].subject);
		for (int k = 0; k < letters[i].naddressees; k++)
			html_printf(&r->out, "%s%s", k ? "; " : "", letters[i].addressees[k]);
		html_printf(&r->out, "</td></tr>\n");
	}
	html_printf(&r->out, "</tbody>\n</table>\n</section>\n");

	html_printf(&r->out, "<section aria-labelledby=\"categories\"><h2 id=\"categories\">%s</h2>\n<ul>\n",
		    _("Who may contribute"));
	for (int i = 0; i < p.ncategories; i++)
		html_printf(&r->out, "<li>%s</li>\n", p.categories[i].name);
	html_printf(&r->out, "</ul>\n</section>\n");
	html_printf(&r->out, "<p>");
	html_tr(&r->out, "<a href=\"/processes/%u/report\">Report to the governing body</a>: what happened in this "
			 "consultation, from the record. <a href=\"/processes/%u/statistics\">Statistics</a>: the "
			 "contributions per day, by category, country and channel, and the comments per paragraph.",
		p.slug, p.slug);
	html_printf(&r->out, "</p>\n<p>");
	html_tr(&r->out, "Open data: every published record of this process as CSV, JSON Lines or XLSX, e.g. "
			 "<a href=\"/api/v1/processes/%u/contributions.csv\">the contributions (CSV)</a>; "
			 "<a href=\"/data\">what each file holds</a>.",
		p.slug);
	html_printf(&r->out, "</p>\n");

	/* Following by e-mail (page_subscription.c): a confirmation link first, then a notice at each change. */
	html_printf(&r->out,
		    "<section aria-labelledby=\"follow\" class=\"follow\">"
		    "<h2 id=\"follow\">%s</h2>\n"
		    "<form method=\"post\" action=\"/processes/%u/subscribe\" novalidate>\n"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
		    _("Follow this consultation"), p.slug, page_cache_csrf_token(r, &ps));
	page_input(r, NULL, "email", _("E-mail address"),
		   _("Get a short notice when a new version is posted, a date moves, or a call opens, changes or is "
		     "about to close. We send a link to confirm first; every notice has a link to stop."),
		   "", "email", "email", LIMIT_EMAIL);
	page_privacy_note(r, _("Your address is used only for these notices, until you stop."));
	/* TRANSLATORS: the button that subscribes to a consultation's notices by e-mail. */
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Follow"));
	/* Without an address: a feed reader and a calendar application ask us themselves (page_feed.c). */
	html_printf(&r->out, "<h3>%s</h3>\n<ul class=\"feeds\">\n<li>", _("Follow by feed, or in your calendar"));
	html_tr(&r->out, "<a href=\"/processes/%u/feed.atom\" type=\"application/atom+xml\">Follow by feed: news</a> "
			 "(Atom): new versions, circular letters, dates moved and deadlines changed, with the reasons.",
		p.slug);
	html_printf(&r->out, "</li>\n<li>");
	html_tr(&r->out, "<a href=\"/processes/%u/contributions.atom\" type=\"application/atom+xml\">Follow by feed: "
			 "published contributions</a> (Atom), to every call.",
		p.slug);
	html_printf(&r->out, "</li>\n<li>");
	html_tr(&r->out, "<a href=\"/processes/%u/calendar.ics\" type=\"text/calendar\">Add to your calendar</a> "
			 "(iCalendar): the schedule and the meetings, in the time zone of the process; a calendar "
			 "application that subscribes to this address shows each date where it moves.",
		p.slug);
	html_printf(&r->out, "</li>\n</ul>\n<p class=\"hint\">");
	html_tr_n(&r->out, "A feed holds the newest %d entry; this page keeps everything.",
		  "A feed holds the newest %d entries; this page keeps everything.", (unsigned long)LIMIT_FEED_ENTRIES,
		  LIMIT_FEED_ENTRIES);
	html_printf(&r->out, "</p>\n</section>\n");
	page_end(r, 200);
	if (ps.page) {
		ps.state = page_mark_state(r, &ps);
		ps.valid_until = now + 1;
		page_cache_keep(r, &ps);
	}
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
					     "<h2 id=\"open-calls\">%s</h2>\n",
				    _("Open for contributions"));
		html_printf(&r->out, "<p>");
		if (here)
			html_tr(&r->out, "This version is the subject of <a href=\"/calls/%L\">%s</a>.", (long long)calls[i].id,
				calls[i].title);
		else
			html_tr(&r->out,
				"Contributions are invited on the newer version, <a href=\"/versions/%L\">%s of %s</a>: "
				"<a href=\"/calls/%L\">%s</a>.",
				(long long)newer->id, newer->label, page_date(r, newer->date), (long long)calls[i].id,
				calls[i].title);
		html_printf(&r->out, "</p>\n");
		page_deadline(r, &calls[i]);
		html_printf(&r->out, "<p>");
		html_tr(&r->out,
			"<a class=\"button\" href=\"/calls/%L/contribute\">Send a contribution"
			"<span class=\"visually-hidden\"> to %s</span></a>",
			(long long)calls[i].id, calls[i].title);
		html_printf(&r->out, "</p>\n");
	}
	if (open)
		html_printf(&r->out, "</section>\n");
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
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
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
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
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
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
		    "<a href=\"/processes/%u\">%s</a></nav>\n"
		    "<h1>%s</h1>\n<p class=\"lead\">",
		    _("Breadcrumb"), _("Consultations"), p.slug, p.title, doc.title);
	/* TRANSLATORS: a version of a draft: its label and its date ("Second draft of 3 March 2026."). */
	html_tr(&r->out, "%s of %s.", v.label, page_date(r, v.date));
	html_printf(&r->out, " %s</p>\n", v.note);
	if (v.state == VERSION_DRAFT) {
		html_printf(&r->out, "<div class=\"notice\" role=\"note\"><p>");
		html_tr(&r->out, "This version is a draft, not public: some of its paragraphs wait for the secretariat to "
				 "confirm where they came from. <a href=\"/office/versions/%L/matches\">Confirm them and "
				 "publish it</a>.",
			(long long)v.id);
		html_printf(&r->out, "</p></div>\n");
	}
	if (older) {
		html_printf(&r->out, "<div class=\"notice\" role=\"note\"><p>");
		html_tr(&r->out, "A newer version exists: <a href=\"/versions/%L\">%s, %s</a>. "
				 "<a href=\"/versions/%L/compare/%L\">See what changed since this version</a>.",
			(long long)newest.id, newest.label, page_date(r, newest.date), (long long)v.id, (long long)newest.id);
		html_printf(&r->out, "</p></div>\n");
	}
	if (v.state == VERSION_PUBLISHED)
		version_open_calls(r, &v, older ? &newest : NULL, doc.process_id);
	page_outcome_section(r, &v);
	/* The reader's text (core/version_text.h), with a notice when it is not in their language. */
	const char *lang = page_text_language(r, &v.id, 1, &p, arena_printf(&r->arena, "/versions/%lld", (long long)v.id));
	struct version_text t;
	if (version_text_find(r->db, &r->arena, v.id, lang, &t, &e) == 0) /* none in its own language */
		v.html = t.html;
	error_clear(&e);
	page_text_begin(r, lang);
	page_version_text(r, &v, &doc);
	html_printf(&r->out, "</div>\n");
	page_end(r, 200);
	if (ps.state)
		page_cache_keep(r, &ps);
}
