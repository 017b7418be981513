/*
 * page_office_moderation — the secretariat's full view of the contributions
 * to a call, one state at a time (awaiting review, published, hidden, spam):
 * everything that was sent (name, organization, e-mail, category, country,
 * publication choice, text, channel, received time), with a form per action:
 * publish, hide (with a reason the public reads in the contribution's place)
 * or mark as spam. Nothing is ever deleted.
 *
 * The actions go through contribution_moderate, as in the JSON API.
 */
#include "web/page_attachment.h"
#include "web/page_office.h"

#include "core/comment.h"
#include "core/contribution.h"
#include "core/country.h"
#include "core/limits.h"
#include "core/process.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

enum { MODERATION_PAGE = 50 };

/* A state as the tabs and each contribution's facts name it. */
static const char *state_text(enum contribution_state s)
{
	switch (s) {
	case CONTRIBUTION_PENDING: return _("Awaiting review");
	case CONTRIBUTION_PUBLISHED: return _("Published");
	case CONTRIBUTION_HIDDEN: return _("Hidden");
	case CONTRIBUTION_SPAM: return _("Spam");
	}
	return contribution_state_name(s);
}

/* The confirmation of ?done=<state>&tracking=<number>: the contribution named, as the database has it, when
 * it is one of this call's and is in that state now; nothing otherwise. */
static void moderation_said(struct request *r, const struct call *c)
{
	const char *done = request_query(r, "done"), *tracking = request_query(r, "tracking");
	enum contribution_state s;
	struct contribution k;
	struct error e;
	error_clear(&e);
	if (!done || !tracking || !contribution_state_parse(done, &s) ||
	    contribution_find(r->db, &r->arena, tracking, &k, &e) != 0 || k.call_id != c->id || k.state != s)
		return;
	switch (s) {
	case CONTRIBUTION_PUBLISHED:
		office_said(r, arena_printf(&r->arena, _("Contribution %s published. The public sees it now, unless its "
						       "author asked for it to stay private."),
					    k.tracking));
		break;
	case CONTRIBUTION_HIDDEN:
		office_said(r, arena_printf(&r->arena, _("Contribution %s hidden. The public sees its tracking number and "
						       "your reason in its place."),
					    k.tracking));
		break;
	case CONTRIBUTION_SPAM:
		office_said(r, arena_printf(&r->arena, _("Contribution %s marked as spam. The public no longer sees it; it "
						       "stays in the record."),
					    k.tracking));
		break;
	case CONTRIBUTION_PENDING: break;
	}
}

static const char *publication_text(enum contribution_publication publication)
{
	switch (publication) {
	case PUBLICATION_NAMED: return _("Published with the name and organization");
	case PUBLICATION_ANONYMOUS: return _("Published without the name");
	case PUBLICATION_PRIVATE: return _("Not published: for the secretariat only");
	}
	return contribution_publication_name(publication);
}

static const char *channel_text(enum contribution_channel channel)
{
	switch (channel) {
	case CHANNEL_WEB: return _("the web form");
	case CHANNEL_API: return _("the API");
	/* TRANSLATORS: the channel a contribution came by ("received ..., by e-mail"). */
	case CHANNEL_EMAIL: return _("e-mail");
	}
	return contribution_channel_name(channel);
}

/* One action on a contribution: a form with the action, where to come back, and a button. */
static void action_form(struct request *r, const struct contribution *k, enum moderation_action m,
			enum contribution_state state, int64_t offset, const char *failed, const struct error *e)
{
	const char *action = moderation_action_name(m), *label = action;
	switch (m) {
	case MODERATION_PUBLISH: label = _("Publish"); break;
	case MODERATION_HIDE: label = _("Hide"); break;
	case MODERATION_SPAM: label = _("Mark as spam"); break;
	}
	const char *key = arena_printf(&r->arena, "%s-%s", action, k->tracking);
	struct office_form f = office_form_for(key, failed, e, r->form);
	office_form_open(r, arena_printf(&r->arena, "/office/contributions/%s/moderation", k->tracking), false);
	html_printf(&r->out,
		    "<input type=\"hidden\" name=\"action\" value=\"%s\"><input type=\"hidden\" name=\"from\" "
		    "value=\"%s\"><input type=\"hidden\" name=\"offset\" value=\"%L\">\n",
		    action, contribution_state_name(state), (long long)offset);
	if (m == MODERATION_HIDE)
		office_textarea(r, &f, "reason", _("Reason for hiding it"),
				_("Required. The public reads it in the contribution's place, with its tracking number."),
				k->moderation_reason, 2);
	html_printf(&r->out, "<p><button type=\"submit\" id=\"f-%s-action\">%s<span class=\"visually-hidden\"> ", key,
		    label);
	html_tr(&r->out, "contribution %s", k->tracking);
	html_printf(&r->out, "</span></button></p>\n</form>\n");
}

static void contribution_item(struct request *r, const struct call *c, const struct contribution *k,
			      enum contribution_state state, int64_t offset, const char *failed, const struct error *e)
{
	const char *country = country_name(k->country);
	html_printf(&r->out,
		    "<div class=\"office-item\" id=\"c-%s\"><h2 id=\"t-%s\">%s: %s</h2>\n<dl class=\"facts\">\n"
		    "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
		    "<dt>%s</dt><dd><a href=\"mailto:%s\">%s</a></dd>\n"
		    "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>",
		    k->tracking, k->tracking, k->tracking, k->name, _("Name"), k->name, _("Organization"),
		    *k->organization ? k->organization : "\u2014", _("E-mail address"), k->email, k->email, _("Category"),
		    k->category_name, _("Country"), country ? country : k->country, _("Publication"),
		    publication_text(k->publication), _("Received"));
	html_tr(&r->out, "%s<br><span class=\"utc\">%s</span>, by %s", page_instant_local(r, c->timezone, k->received_at),
		page_instant_utc(r, k->received_at), channel_text(k->channel));
	html_printf(&r->out, "</dd>\n<dt>%s</dt><dd>%s%s%s", _("State"), state_text(k->state),
		    k->moderation_reason ? ": " : "", k->moderation_reason ? k->moderation_reason : "");
	if (k->late && k->admitted_at)
		html_printf(&r->out, " <span class=\"marker late\">%s</span> <span class=\"marker admitted\">%s</span>",
			    /* TRANSLATORS: a marker on a contribution that arrived after the deadline. */
			    _("late"),
			    /* TRANSLATORS: a marker on a late contribution the secretariat admitted. */
			    _("admitted"));
	else if (k->late)
	{
		html_printf(&r->out, " ");
		html_tr(&r->out, "<span class=\"marker late\">late</span>, not admitted yet");
	}
	html_printf(&r->out, "</dd>\n</dl>\n<div class=\"text\" aria-label=\"");
	html_tr(&r->out, "Text of contribution %s", k->tracking);
	html_printf(&r->out, "\" role=\"group\">%s</div>\n", k->text);
	/* The language it is written in: its sender's word, else what core/language.c recognised in its text. */
	html_printf(&r->out, "<dl class=\"facts\"><dt>%s</dt><dd>%s</dd></dl>\n", _("Language"),
		    k->language && *k->language ? page_language_name(k->language) : _("Not recognised"));
	/* The secretariat moderates the comments with the text: they are published with it. */
	page_comments(r, k, "h3");
	page_attachments_list(r, k, "h3"); /* the secretariat's links work for private ones too */
	html_printf(&r->out, "<div class=\"actions\">");
	for (enum moderation_action m = MODERATION_PUBLISH; m <= MODERATION_SPAM; m++)
		if (k->state != moderation_action_state(m))
			action_form(r, k, m, state, offset, failed, e);
	html_printf(&r->out, "</div>\n</div>\n");
}

/* The contributions of call id in state, one page from the offset-th (counted from 0): MODERATION_PAGE of
 * them, or fewer when their texts pass LIMIT_PAGE_BYTES; failed names the form that came back with e. */
static void moderation_page(struct request *r, int64_t id, enum contribution_state state, int64_t offset,
			    const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct call c;
	struct contribution *items;
	struct process p;
	int n;
	int64_t total;
	if (call_find(r->db, &r->arena, id, &c, &le) != 0 ||
	    process_find_id(r->db, &r->arena, c.process_id, &p, &le) != 0 ||
	    contribution_list(r->db, &r->arena, id, &state, (int)offset, MODERATION_PAGE, &items, &n, &total, &le) !=
	        0 ||
	    comment_attach(r->db, &r->arena, items, n, &le) != 0) {
		page_error(r, &le);
		return;
	}
	for (int i = 0; i < n; i++) /* in the reader's language, as the public pages name them */
		items[i].category_name = process_category_name(&p, items[i].category_slug, items[i].category_name);
	office_begin(r, arena_printf(&r->arena, _("%s: contributions to %s"), state_text(state), c.title), e);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
		    "<a href=\"/office/processes/%u\">%s</a> \u203a <a href=\"/office/calls/%L\">%s</a></nav>\n<h1>",
		    _("Breadcrumb"), _("Back office"), c.process_slug, c.process_title, (long long)c.id, c.title);
	html_tr(&r->out, "Contributions to %s", c.title);
	html_printf(&r->out, "</h1>\n");
	moderation_said(r, &c);
	office_error_summary(r, e, failed ? failed : "", _("The contribution was not changed"));
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"tabs\"><ul>\n", _("Contributions by state"));
	for (enum contribution_state s = CONTRIBUTION_PENDING; s <= CONTRIBUTION_SPAM; s++)
		html_printf(&r->out, "<li><a href=\"/office/calls/%L/contributions?state=%s\"%R>%s (%L)</a></li>\n",
			    (long long)c.id, contribution_state_name(s), s == state ? " aria-current=\"page\"" : "",
			    state_text(s), (long long)(s == state ? total : office_count(r, c.id, s)));
	html_printf(&r->out, "<li><a href=\"/office/calls/%L/late\">", (long long)c.id);
	html_tr(&r->out, "Late, awaiting admission (%L)", (long long)office_late_count(r, c.id));
	html_printf(&r->out, "</a></li>\n");
	html_printf(&r->out, "</ul></nav>\n");
	if (total == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("No contribution is in this state."));
	else {
		const unsigned long t = (unsigned long)total;
		html_printf(&r->out, "<p>");
		switch (state) {
		case CONTRIBUTION_PENDING:
			html_tr_n(&r->out, "%L contribution awaiting review, oldest first.",
				  "%L contributions awaiting review, oldest first.", t, (long long)total);
			break;
		case CONTRIBUTION_PUBLISHED:
			html_tr_n(&r->out, "%L contribution published, oldest first.", "%L contributions published, oldest first.",
				  t, (long long)total);
			break;
		case CONTRIBUTION_HIDDEN:
			html_tr_n(&r->out, "%L contribution hidden, oldest first.", "%L contributions hidden, oldest first.", t,
				  (long long)total);
			break;
		case CONTRIBUTION_SPAM:
			html_tr_n(&r->out, "%L contribution marked as spam, oldest first.",
				  "%L contributions marked as spam, oldest first.", t, (long long)total);
			break;
		}
		html_printf(&r->out, "</p>\n");
	}
	const size_t start = r->out.len;
	int shown = 0;
	for (; shown < n; shown++) {
		const size_t mark = r->out.len;
		contribution_item(r, &c, &items[shown], state, offset, failed, e);
		if (shown > 0 && (r->out.failed || r->out.len - start > LIMIT_PAGE_BYTES)) {
			buf_truncate(&r->out, mark); /* it goes on the next page */
			break;
		}
	}
	if (n)
	{
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "Shown here: %L to %L.", (long long)offset + 1, (long long)(offset + shown));
		html_printf(&r->out, "</p>\n");
	}
	if (offset > 0 || offset + shown < total) {
		html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages"));
		if (offset > 0)
			html_printf(&r->out, "<a rel=\"prev\" href=\"?state=%s&amp;offset=%L\">%s</a> ",
				    contribution_state_name(state),
				    (long long)(offset > MODERATION_PAGE ? offset - MODERATION_PAGE : 0), _("Previous page"));
		if (offset + shown < total)
			html_printf(&r->out, "<a rel=\"next\" href=\"?state=%s&amp;offset=%L\">%s</a>",
				    contribution_state_name(state),
				    (long long)(offset + shown), _("Next page"));
		html_printf(&r->out, "</nav>\n");
	}
	page_end(r, office_status(e));
}

/* Where a page starts, from a query or form: offset=N items, or (older links) page=N of MODERATION_PAGE;
 * 0 when absent or not a number. */
static int64_t page_offset(const char *offset, const char *page)
{
	int64_t n;
	if (offset)
		return parse_id(offset, &n) && n <= 100000000 ? n : 0;
	return page && parse_id(page, &n) && n <= 1000000 ? (n - 1) * MODERATION_PAGE : 0;
}

void page_office_moderation(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	const char *name = request_query(r, "state");
	enum contribution_state state = CONTRIBUTION_PENDING;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such call for contributions."));
	else if (name && *name && !contribution_state_parse(name, &state))
		error_set(&e, ERROR_INVALID, "%s", _("Choose the contributions awaiting review, published, hidden or spam."));
	if (e.code) {
		page_error(r, &e);
		return;
	}
	moderation_page(r, id, state, page_offset(request_query(r, "offset"), request_query(r, "page")), NULL, NULL);
}

/* The second page before marking k as spam: what it does, and the button that does it. */
static void spam_confirm_page(struct request *r, const struct contribution *k, enum contribution_state from)
{
	const char *what[] = {
		arena_printf(&r->arena, _("Contribution %s, from %s, received %s, will be marked as spam."), k->tracking,
			     k->name, page_instant_utc(r, k->received_at)),
		k->state == CONTRIBUTION_PUBLISHED
			? _("It is public now: it leaves the public pages, the lists, the search and the API, with its "
			  "comments, and no notice takes its place.")
			: _("The public never sees it: no notice takes its place."),
		_("Its author is not told. It is not deleted: it stays in the record, under Spam, and the audit log "
		"keeps the change for good."),
		NULL,
	};
	office_confirm_page(r, arena_printf(&r->arena, _("Mark contribution %s as spam?"), k->tracking), what,
			    arena_printf(&r->arena, "/office/contributions/%s/moderation", k->tracking), _("Mark as spam"),
			    arena_printf(&r->arena, "/office/calls/%lld/contributions?state=%s#c-%s", (long long)k->call_id,
					 contribution_state_name(from), k->tracking));
}

void page_office_moderate(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *action = office_field(r, "action");
	enum contribution_state from = CONTRIBUTION_PENDING;
	if (!contribution_state_parse(office_field(r, "from"), &from))
		from = CONTRIBUTION_PENDING;
	const int64_t offset = page_offset(office_field(r, "offset"), office_field(r, "page"));
	struct actor who = auth_actor(r);
	struct contribution k;
	/* Marking as spam takes a contribution out of public view with no word to its author: the first POST
	 * asks on a page of its own, unless it is spam already (then the refusal comes at once). */
	enum moderation_action m;
	if (!office_confirmed(r) && moderation_action_parse(action, &m) && m == MODERATION_SPAM &&
	    contribution_find(r->db, &r->arena, r->params[0], &k, &e) == 0 && k.state != CONTRIBUTION_SPAM) {
		spam_confirm_page(r, &k, from);
		return;
	}
	error_clear(&e);
	if (contribution_moderate(r->db, &r->arena, &who, r->params[0], action, office_field(r, "reason"), &k, &e) != 0) {
		struct error le;
		error_clear(&le);
		if (!strcmp(e.code, ERROR_NOT_FOUND) || contribution_find(r->db, &r->arena, r->params[0], &k, &le) != 0) {
			page_error(r, e.code && strcmp(e.code, ERROR_NOT_FOUND) ? &le : &e);
			return;
		}
		/* The form that came back: one of ours, named by its action (anything else names none). */
		const bool known = moderation_action_parse(action, &m);
		const char *key =
			arena_printf(&r->arena, "%s-%s", known ? moderation_action_name(m) : "action", k.tracking);
		moderation_page(r, k.call_id, from, offset, key, &e);
		return;
	}
	/* the confirmation's code is the state the contribution is in now, and the page reads it again */
	reply_redirect(r, arena_printf(&r->arena, "/office/calls/%lld/contributions?state=%s&done=%s&tracking=%s%s",
				       (long long)k.call_id, contribution_state_name(from), contribution_state_name(k.state),
				       k.tracking,
				       offset > 0 ? arena_printf(&r->arena, "&offset=%lld", (long long)offset) : ""));
}
