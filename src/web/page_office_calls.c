/*
 * page_office_calls — calls for contributions in the back office: the list on
 * the process's office page (state, deadline, what awaits review) with a form
 * to add a call on a version, and each call's own office page, where the
 * secretariat moves its deadline (a date in the process's zone), opens or
 * closes it now, and chooses its review mode. A change of the deadline or of
 * the state needs a reason, which the call's public page shows in its history.
 *
 * The changes go through call_add and call_change, as in the JSON API.
 */
#include "web/page_office.h"

#include "core/field.h"
#include "core/limits.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

/* The state in words: core/call.c's label, in the reader's language once the core's catalogue has it. */
static const char *state_text(enum call_state s)
{
	return _(call_state_label(s));
}

/* "15 February 2021 (end of the day, Europe/Zurich)", or the instant when the deadline is not a date. */
static const char *deadline_text(struct request *r, const struct call *c)
{
	if (c->closes_on)
		return arena_printf(&r->arena, _("%s (end of the day, %s)"), page_date(r, c->closes_on), c->timezone);
	return page_instant_local(r, c->timezone, c->closes_at);
}

/* Links to the contributions of a call in each state, with how many there are. */
static void state_links(struct request *r, const struct call *c)
{
	for (enum contribution_state s = CONTRIBUTION_PENDING; s <= CONTRIBUTION_SPAM; s++) {
		const int64_t n = office_count(r, c->id, s);
		const unsigned long un = (unsigned long)n;
		html_printf(&r->out, "%R<a href=\"/office/calls/%L/contributions?state=%s\">",
			    s != CONTRIBUTION_PENDING ? " \u00b7 " : "", (long long)c->id, contribution_state_name(s));
		switch (s) {
		case CONTRIBUTION_PENDING: html_tr_n(&r->out, "%L awaiting review", "%L awaiting review", un, (long long)n); break;
		case CONTRIBUTION_PUBLISHED: html_tr_n(&r->out, "%L published", "%L published", un, (long long)n); break;
		case CONTRIBUTION_HIDDEN: html_tr_n(&r->out, "%L hidden", "%L hidden", un, (long long)n); break;
		case CONTRIBUTION_SPAM: html_tr_n(&r->out, "%L spam", "%L spam", un, (long long)n); break;
		}
		html_printf(&r->out, "</a>");
	}
	html_printf(&r->out, " \u00b7 <a href=\"/office/calls/%L/matrix\">%s</a>", (long long)c->id,
		    _("resolution matrix"));
}

void office_calls_section(struct request *r, const struct process *p, const struct call *calls, int n,
			  const struct document *docs, int ndocs, const struct milestone *ms, int nms,
			  const char *failed, const struct error *e)
{
	html_printf(&r->out, "<section aria-labelledby=\"calls\"><h2 id=\"calls\">%s</h2>\n",
		    _("Calls for contributions"));
	if (n == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("No call for contributions yet."));
	const int64_t now = clock_now();
	for (int i = 0; i < n; i++) {
		const struct call *c = &calls[i];
		const enum call_state s = call_state_at(c, now);
		html_printf(&r->out,
			    "<div class=\"office-item\"><h3><a href=\"/office/calls/%L\">%s</a></h3>\n"
			    "<p><span class=\"state state-%s\">%s</span> ",
			    (long long)c->id, c->title, call_state_name(s), state_text(s));
		html_tr(&r->out, "On %s, %s of %s. Deadline: %s. %s.", c->document_title, c->version_label,
			page_date(r, c->version_date), deadline_text(r, c), office_review_text(c->review));
		html_printf(&r->out, "</p>\n<p>");
		state_links(r, c);
		html_printf(&r->out, "</p>\n</div>\n");
	}

	/* The versions a call can be on: every version of every document, the newest first. */
	int nversions = 0;
	for (int d = 0; d < ndocs; d++)
		nversions += docs[d].nversions;
	const char *(*versions)[2] = arena_alloc(&r->arena, sizeof *versions * (size_t)(nversions + 1));
	if (!versions) {
		html_printf(&r->out, "</section>\n");
		return;
	}
	int k = 0;
	for (int d = 0; d < ndocs; d++)
		for (int v = docs[d].nversions - 1; v >= 0; v--) {
			const struct version *ver = &docs[d].versions[v];
			versions[k][0] = arena_printf(&r->arena, "%lld", (long long)ver->id);
			versions[k][1] = arena_printf(&r->arena, _("%s: %s of %s"), docs[d].title, ver->label,
						      page_date(r, ver->date));
			k++;
		}
	versions[k][0] = versions[k][1] = NULL;

	struct office_form f = office_form_for("call-new", failed, e, r->form);
	html_printf(&r->out, "<details class=\"add\"%R><summary>%s</summary>\n", f.e ? " open" : "",
		    _("Add a call for contributions"));
	if (nversions == 0) {
		html_printf(&r->out, "<p>%s</p>\n</details>\n</section>\n",
			    _("A call is on a version of a document: add a document and post a version first."));
		return;
	}
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/calls", p->slug), false);
	office_select(r, &f, "version_id", _("On the version"), (const char *const(*)[2])versions, NULL);
	office_input(r, &f, "title", _("Title"), _("Such as Written inputs on the revised draft."), NULL, "text", LIMIT_TITLE);
	office_textarea(r, &f, "description", _("Description"), _("What is asked, and of whom."), NULL, 4);
	office_input(r, &f, "opens_on", _("Opens on"), arena_printf(&r->arena, _("From the start of this day in %s."),
								 p->timezone),
		     NULL, "date", 0);
	office_input(r, &f, "closes_on", _("Deadline"),
		     arena_printf(&r->arena, _("Contributions are accepted until the end of this day in %s."), p->timezone),
		     NULL, "date", 0);
	office_radios(r, &f, "review", _("Publication of contributions"), office_review_modes(r),
		      call_review_name(REVIEW_AFTER_REVIEW));
	/* The deadline on the schedule: a new milestone, or a deadline planned there that no call announces yet. */
	const char *(*deadlines)[2] = arena_alloc(&r->arena, sizeof *deadlines * (size_t)(nms + 2));
	if (deadlines) {
		int nd = 0;
		deadlines[nd][0] = "";
		deadlines[nd++][1] = _("A new milestone on the schedule, on the deadline");
		for (int i = 0; i < nms; i++)
			if (ms[i].kind == MILESTONE_DEADLINE && !ms[i].call_id) {
				deadlines[nd][0] = arena_printf(&r->arena, "%lld", (long long)ms[i].id);
				deadlines[nd++][1] =
					arena_printf(&r->arena, "%s: %s", page_date(r, ms[i].date), ms[i].title);
			}
		deadlines[nd][0] = deadlines[nd][1] = NULL;
		office_select(r, &f, "milestone_id", _("Deadline on the schedule"), (const char *const(*)[2])deadlines, "");
	}
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</details>\n</section>\n",
		    _("Add the call"));
}

void page_office_call_create(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct call_input in = {
		.title = office_field(r, "title"),
		.description = office_field(r, "description"),
		.opens_on = office_field(r, "opens_on"),
		.closes_on = office_field(r, "closes_on"),
		.review = office_field(r, "review"),
	};
	const char *version = office_field(r, "version_id"), *milestone = office_field(r, "milestone_id");
	if (version && *version && !parse_id(version, &in.version_id))
		error_field(&e, "version_id", "%s", _("Choose a version of one of the process's documents."));
	if (milestone && *milestone && !parse_id(milestone, &in.milestone_id))
		error_field(&e, "milestone_id", "%s", _("Choose a deadline of this process's schedule, or none for a new one."));
	struct actor who = auth_actor(r);
	int64_t id;
	if (e.code || call_add(r->db, &r->arena, &who, p.id, &in, &id, &e) != 0) {
		office_process_page(r, p.slug, "call-new", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=call-added&id=%lld", p.slug, (long long)id));
}

/* -- a call's own office page --------------------------------------------------- */

/* The confirmation of ?done= on a call's page, naming the call and the change as the database has it:
 * the last entry of its history for a deadline, opening or closing, its review mode for "review". */
static void call_said(struct request *r, struct call *c)
{
	const char *done = request_query(r, "done");
	struct error e;
	error_clear(&e);
	if (!done)
		return;
	if (!strcmp(done, "review")) {
		office_said(r, arena_printf(&r->arena, _("'%s' now: %s."), c->title, office_review_text(c->review)));
		return;
	}
	if (call_history(r->db, &r->arena, c, &e) != 0 || c->nhistory == 0)
		return;
	const struct call_change *x = &c->history[c->nhistory - 1];
	const char *to = page_instant_human(r, c->timezone, x->to_closes_at);
	if (!strcmp(done, "deadline") && (x->kind == CHANGE_EXTEND || x->kind == CHANGE_SHORTEN))
		office_said(r, x->kind == CHANGE_EXTEND
				       ? arena_printf(&r->arena, _("Deadline of '%s' extended to %s. The call's public page "
								   "shows the change and its reason."),
						      c->title, to)
				       : arena_printf(&r->arena, _("Deadline of '%s' brought forward to %s. The call's public "
								   "page shows the change and its reason."),
						      c->title, to));
	else if (!strcmp(done, "opened") && x->kind == CHANGE_OPEN)
		office_said(r, arena_printf(&r->arena, _("'%s' opened now: it accepts contributions until %s."), c->title,
					    page_instant_human(r, c->timezone, c->closes_at)));
	else if (!strcmp(done, "closed") && x->kind == CHANGE_CLOSE)
		office_said(r, arena_printf(&r->arena, _("'%s' closed now: its deadline was %s; it accepts no more "
						       "contributions."),
					    c->title, page_instant_human(r, c->timezone, x->from_closes_at)));
}

/* The call's office page; failed names the form that came back with the mistakes in e. */
static void call_page(struct request *r, int64_t id, const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct call c;
	if (call_find(r->db, &r->arena, id, &c, &le) != 0) {
		page_error(r, &le);
		return;
	}
	const enum call_state s = call_state_at(&c, clock_now());
	office_begin(r, arena_printf(&r->arena, _("Back office: %s"), c.title), e);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
		    "<a href=\"/office/processes/%u\">%s</a></nav>\n<h1>%s</h1>\n",
		    _("Breadcrumb"), _("Back office"), c.process_slug, c.process_title, c.title);
	call_said(r, &c);
	office_error_summary(r, e, failed ? failed : "", _("The change was not made"));
	html_printf(&r->out,
		    "<dl class=\"facts\">\n<dt>%s</dt><dd><span class=\"state state-%s\">%s</span></dd>\n"
		    "<dt>%s</dt><dd><a href=\"/versions/%L\">",
		    _("State"), call_state_name(s), state_text(s),
		    /* TRANSLATORS: a call's fact: the document version the call is on. */
		    _("On"), (long long)c.version_id);
	html_tr(&r->out, "%s, %s of %s", c.document_title, c.version_label, page_date(r, c.version_date));
	html_printf(&r->out, "</a></dd>\n<dt>%s</dt><dd>%s<br><span class=\"utc\">%s</span></dd>\n<dt>%s</dt><dd>%s<br>",
		    _("Opens"), page_instant_local(r, c.timezone, c.opens_at), page_instant_utc(r, c.opens_at),
		    _("Deadline"), deadline_text(r, &c));
	html_tr(&r->out, "last accepted: %s", page_instant_local(r, c.timezone, c.closes_at));
	html_printf(&r->out, "<br><span class=\"utc\">%s</span></dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>",
		    page_instant_utc(r, c.closes_at), _("Publication"), office_review_text(c.review), _("Contributions"));
	state_links(r, &c);
	html_printf(&r->out, "</dd>\n</dl>\n<p><a href=\"/calls/%L\">%s</a></p>\n"
			     "<p><a href=\"/office/calls/%L/dispositions\">%s</a></p>\n",
		    (long long)c.id, _("Public page of this call"), (long long)c.id, _("Answers to the comments"));
	page_call_history(r, &c);

	struct office_form f = office_form_for("deadline", failed, e, r->form);
	html_printf(&r->out, "<section aria-labelledby=\"deadline\"><h2 id=\"deadline\">%s</h2>\n",
		    _("Change the deadline"));
	office_form_open(r, arena_printf(&r->arena, "/office/calls/%lld/deadline", (long long)c.id), false);
	office_input(r, &f, "closes_on", _("New deadline"),
		     arena_printf(&r->arena, _("Contributions are accepted until the end of this day in %s. A later date "
					     "extends the call, an earlier one shortens it; a closed call given a date "
					     "still to come opens again."),
				  c.timezone),
		     c.closes_on, "date", 0);
	office_textarea(r, &f, "reason", _("Reason for the change"),
			_("Required. The call's public page shows it with the change."), NULL, 3);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
		    _("Change the deadline"));

	f = office_form_for("state", failed, e, r->form);
	if (s == CALL_CLOSED) {
		html_printf(&r->out, "<section aria-labelledby=\"state\"><h2 id=\"state\">%s</h2>\n<p>%s</p>\n</section>\n",
			    _("Open or close now"),
			    _("This call is closed. To open it again, give it a new deadline, with the reason."));
	} else {
		const bool open = s == CALL_OPEN;
		html_printf(&r->out, "<section aria-labelledby=\"state\"><h2 id=\"state\">%s</h2>\n<p>%s</p>\n",
			    open ? _("Close now") : _("Open now"),
			    open ? _("Contributions are no longer accepted from now on; the deadline becomes this moment.")
				 : _("Contributions are accepted from now on, until the deadline."));
		office_form_open(r, arena_printf(&r->arena, "/office/calls/%lld/state", (long long)c.id), false);
		html_printf(&r->out, "<input type=\"hidden\" name=\"state\" value=\"%s\">\n", open ? "closed" : "open");
		const char *err = f.e ? error_field_message(f.e, "state") : NULL;
		if (err)
			html_printf(&r->out, "<p class=\"error\" id=\"e-state-state\">%s</p>\n", err);
		office_textarea(r, &f, "reason", open ? _("Reason for closing now") : _("Reason for opening now"),
				_("Required. The call's public page shows it."), NULL, 3);
		/* The button stands for the state field, so that the summary's link to it leads somewhere. */
		html_printf(&r->out, "<p><button type=\"submit\" id=\"f-state-state\">%s</button></p>\n</form>\n</section>\n",
			    open ? _("Close the call now") : _("Open the call now"));
	}

	f = office_form_for("review", failed, e, r->form);
	html_printf(&r->out, "<section aria-labelledby=\"review\"><h2 id=\"review\">%s</h2>\n",
		    _("Publication of contributions"));
	office_form_open(r, arena_printf(&r->arena, "/office/calls/%lld/review", (long long)c.id), false);
	office_radios(r, &f, "review", _("When contributions are published"), office_review_modes(r),
		      call_review_name(c.review));
	html_printf(&r->out, "<p class=\"hint\">%s</p>\n<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
		    _("Contributions already awaiting review stay there until they are published."),
		    _("Save the publication mode"));
	page_end(r, office_status(e));
}

static bool call_id(struct request *r, int64_t *id)
{
	return page_route_id(r, id, _("There is no such call for contributions."));
}

void page_office_call(struct request *r)
{
	int64_t id;
	if (call_id(r, &id))
		call_page(r, id, NULL, NULL);
}

/* Makes one change of the call through call_change; then 303 with ?done=, or the page with the mistakes. */
static void call_update(struct request *r, const char *form_key, const struct call_change_input *in,
			const char *done)
{
	int64_t id;
	if (!call_id(r, &id))
		return;
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (call_change(r->db, &r->arena, &who, id, in, &e) != 0) {
		if (!strcmp(e.code, ERROR_NOT_FOUND))
			page_error(r, &e);
		else
			call_page(r, id, form_key, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/calls/%lld?done=%s", (long long)id, done));
}

void page_office_call_deadline(struct request *r)
{
	const char *closes_on = office_field(r, "closes_on");
	struct call_change_input in = {.closes_on = closes_on, .reason = office_field(r, "reason")};
	/* An empty date is no deadline at all to the core ("give a new deadline"): say so by the field. */
	if (!closes_on || !*closes_on) {
		int64_t id;
		if (!call_id(r, &id))
			return;
		struct error e;
		error_clear(&e);
		error_field(&e, "closes_on", "%s", _("Give the new deadline as a date."));
		call_page(r, id, "deadline", &e);
		return;
	}
	call_update(r, "deadline", &in, "deadline");
}

/* The second page before opening or closing c now: what will happen, and the button that does it. */
static void state_confirm_page(struct request *r, const struct call *c, bool open, const char *reason)
{
	const int64_t now = clock_now();
	const char *what[5] = {0};
	if (open) {
		what[0] = arena_printf(&r->arena, _("'%s' will open now, before the date it was to open, %s. It will accept "
						  "contributions from this moment until %s."),
				       c->title, page_instant_human(r, c->timezone, c->opens_at),
				       page_instant_human(r, c->timezone, c->closes_at));
		what[1] = _("The process's subscribers are told by e-mail, and the call's public page shows the opening "
			  "with your reason:");
	} else {
		what[0] = arena_printf(&r->arena, _("'%s' will close now, at %s, instead of at its deadline, %s. "
						  "Contributions sent from this moment are refused, on the web, by the API and "
						  "by e-mail."),
				       c->title, page_instant_human(r, c->timezone, now),
				       page_instant_human(r, c->timezone, c->closes_at));
		what[1] = _("The process's subscribers are told by e-mail, and the call's public page shows the closing "
			  "with your reason:");
	}
	what[2] = arena_printf(&r->arena, "\u201c%s\u201d", reason);
	what[3] = open ? _("This cannot be undone: the opening stays in the call's public history.")
		       : _("This cannot be undone: the closing stays in the call's public history, and the e-mail is "
			 "sent. To accept contributions again later, you would give the call a new deadline.");
	office_confirm_page(r, open ? arena_printf(&r->arena, _("Open '%s' now?"), c->title)
				    : arena_printf(&r->arena, _("Close '%s' now?"), c->title),
			    what, arena_printf(&r->arena, "/office/calls/%lld/state", (long long)c->id),
			    open ? _("Open the call now") : _("Close the call now"),
			    arena_printf(&r->arena, "/office/calls/%lld", (long long)c->id));
}

void page_office_call_state(struct request *r)
{
	const char *state = office_field(r, "state");
	struct call_change_input in = {.state = state ? state : "", .reason = office_field(r, "reason")};
	enum call_state to = CALL_CLOSED;
	const bool known = call_state_parse(state, &to);
	/* Opening or closing now cannot be undone: the first POST asks, unless call_change would refuse it anyway
	 * (no reason, or a state the call cannot take now), when the call's page says why at once. */
	int64_t id;
	struct call c;
	struct error e;
	error_clear(&e);
	const char *reason = field_trimmed(&r->arena, in.reason);
	if (!office_confirmed(r) && known && to != CALL_UPCOMING && reason && *reason && parse_id(r->params[0], &id) &&
	    call_find(r->db, &r->arena, id, &c, &e) == 0) {
		const enum call_state s = call_state_at(&c, clock_now());
		if ((to == CALL_CLOSED && s == CALL_OPEN) || (to == CALL_OPEN && s == CALL_UPCOMING)) {
			state_confirm_page(r, &c, to == CALL_OPEN, reason);
			return;
		}
	}
	call_update(r, "state", &in, known && to == CALL_OPEN ? "opened" : "closed");
}

void page_office_call_review(struct request *r)
{
	const char *review = office_field(r, "review");
	struct call_change_input in = {.review = review ? review : ""};
	call_update(r, "review", &in, "review");
}
