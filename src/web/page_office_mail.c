/*
 * page_office_mail — the e-mail channel in the secretariat's back office:
 * the holding list (mail that reached Consulta but did not become a
 * contribution: to whom, from whom, its subject and why it is held), newest
 * first, one page at a time; and the contributions to a call that arrived
 * after its deadline and wait for the secretariat's decision, each with a
 * form to admit it.
 *
 * Admission goes through contribution_admit, as in the JSON API (api_mail.c).
 */
#include "web/page_office.h"

#include "core/contribution.h"
#include "core/holding.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

enum { HOLDING_PAGE = 50, LATE_PAGE = 50 };

static const char *reason_text(enum holding_reason reason)
{
	switch (reason) {
	case HOLDING_NO_CALL: return _("Sent to an address that no call has");
	case HOLDING_CALL_NOT_OPEN: return _("The call was not open");
	case HOLDING_AUTOMATIC: return _("An automatic reply or a bounce");
	case HOLDING_INVALID: return _("Not a message that could be read as a contribution");
	case HOLDING_LIMIT: return _("Beyond a limit (attachments or length)");
	case HOLDING_DUPLICATE: return _("Its Message-ID came before with another message");
	}
	return holding_reason_name(reason);
}

/* The confirmation of ?done=admitted&tracking=<number>: the contribution named, when it is this call's and
 * admitted now (as the database has it). */
static void late_said(struct request *r, const struct call *c)
{
	const char *done = request_query(r, "done"), *tracking = request_query(r, "tracking");
	struct contribution k;
	struct error e;
	error_clear(&e);
	if (done && !strcmp(done, "admitted") && tracking &&
	    contribution_find(r->db, &r->arena, tracking, &k, &e) == 0 && k.call_id == c->id && k.late && k.admitted_at)
		office_said(r, arena_printf(&r->arena, _("Late contribution %s admitted. It joins the call as if it had "
						       "arrived in time."),
					    k.tracking));
}

/* The page number of a query or form value: 1 when absent or not a number. */
static int64_t page_number(const char *s)
{
	int64_t page;
	return s && parse_id(s, &page) && page <= 1000000 ? page : 1;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "\u2014";
}

/* The previous and next links of a paged list. */
static void pages_nav(struct request *r, int64_t page, int per_page, int64_t total)
{
	if (page <= 1 && page * per_page >= total)
		return;
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages"));
	if (page > 1)
		html_printf(&r->out, "<a rel=\"prev\" href=\"?page=%L\">%s</a> ", (long long)page - 1, _("Previous page"));
	if (page * per_page < total)
		html_printf(&r->out, "<a rel=\"next\" href=\"?page=%L\">%s</a>", (long long)page + 1, _("Next page"));
	html_printf(&r->out, "</nav>\n");
}

/* -- the holding list -------------------------------------------------------- */

int64_t office_holding_count(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct holding_item *none;
	int n;
	int64_t total = 0;
	if (holding_page(r->db, &r->arena, 0, 0, &none, &n, &total, &e) != 0)
		return 0;
	return total;
}

void page_office_holding(struct request *r)
{
	struct error e;
	error_clear(&e);
	const int64_t page = page_number(request_query(r, "page"));
	struct holding_item *items;
	int n;
	int64_t total;
	if (holding_page(r->db, &r->arena, (int)((page - 1) * HOLDING_PAGE), HOLDING_PAGE, &items, &n, &total, &e) !=
	    0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("Held e-mail"));
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a></nav>\n<h1>%s</h1>\n<p>%s</p>\n",
		    _("Breadcrumb"), _("Back office"), _("Held e-mail"),
		    _("Messages that reached Consulta but did not become contributions. Each is kept as it arrived."));
	if (total == 0) {
		html_printf(&r->out, "<p>%s</p>\n", _("No message is held."));
		page_end(r, 200);
		return;
	}
	html_printf(&r->out, "<p>");
	html_tr_n(&r->out, "%L held message, newest first.", "%L held messages, newest first.", (unsigned long)total,
		  (long long)total);
	html_printf(&r->out, "</p>\n<table class=\"office holding\">\n<caption>%s</caption>\n"
			     "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			     "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		    _("Held messages"), _("Received"),
		    /* TRANSLATORS: a column of held e-mail: the address it was sent to. */
		    _("To"),
		    /* TRANSLATORS: a column of held e-mail: its sender. */
		    _("From"), _("Subject"), _("Why it is held"));
	for (int i = 0; i < n; i++) {
		const struct holding_item *h = &items[i];
		const char *from = h->sender && *h->sender ? h->sender : h->envelope_sender;
		html_printf(&r->out,
			    "<tr id=\"h-%L\"><td class=\"date\"><span class=\"utc\">%s</span></td><td>%s</td><td>%s</td>"
			    "<td>%s</td><td><span class=\"reason reason-%s\">%s</span>%R%s",
			    (long long)h->id, page_instant_utc(r, h->received_at), or_dash(h->recipient), or_dash(from),
			    or_dash(h->subject), holding_reason_name(h->reason), reason_text(h->reason),
			    h->detail && *h->detail ? ": " : "", h->detail ? h->detail : "");
		if (h->call_id)
		{
			html_printf(&r->out, " (");
			html_tr(&r->out, "<a href=\"/office/calls/%L\">call %L</a>", (long long)h->call_id, (long long)h->call_id);
			html_printf(&r->out, ")");
		}
		html_printf(&r->out, "</td></tr>\n");
	}
	html_printf(&r->out, "</tbody>\n</table>\n");
	pages_nav(r, page, HOLDING_PAGE, total);
	page_end(r, 200);
}

/* -- late contributions ------------------------------------------------------ */

int64_t office_late_count(struct request *r, int64_t call_id)
{
	struct error e;
	error_clear(&e);
	struct contribution *none;
	int n;
	int64_t total = 0;
	if (contribution_list_late(r->db, &r->arena, call_id, 0, 0, &none, &n, &total, &e) != 0)
		return 0;
	return total;
}

static void late_item(struct request *r, const struct call *c, const struct contribution *k)
{
	html_printf(&r->out,
		    "<div class=\"office-item\" id=\"c-%s\"><h2 id=\"t-%s\">%s: %s <span class=\"marker late\">%s"
		    "</span></h2>\n<dl class=\"facts\">\n"
		    "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd><a href=\"mailto:%s\">%s</a></dd>\n"
		    "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>",
		    k->tracking, k->tracking, k->tracking, k->name, _("late"), _("Name"), k->name, _("E-mail address"),
		    k->email, k->email, _("Subject"), or_dash(k->subject), _("Received"));
	html_tr(&r->out, "%s<br><span class=\"utc\">%s</span>, after the deadline",
		page_instant_local(r, c->timezone, k->received_at), page_instant_utc(r, k->received_at));
	html_printf(&r->out, "</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n<div class=\"text\" aria-label=\"", _("State"),
		    contribution_state_name(k->state));
	html_tr(&r->out, "Text of contribution %s", k->tracking);
	html_printf(&r->out, "\" role=\"group\">%s</div>\n", k->text);
	office_form_open(r, arena_printf(&r->arena, "/office/contributions/%s/admission", k->tracking), false);
	html_printf(&r->out, "<p><button type=\"submit\" id=\"f-admit-%s-action\">", k->tracking);
	html_tr(&r->out, "Admit<span class=\"visually-hidden\"> contribution %s</span>", k->tracking);
	html_printf(&r->out, "</button></p>\n</form>\n</div>\n");
}

/* The late contributions of call id not admitted yet, one page; failed names the form that came back with e. */
static void late_page(struct request *r, int64_t id, int64_t page, const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct call c;
	struct contribution *items;
	int n;
	int64_t total;
	if (call_find(r->db, &r->arena, id, &c, &le) != 0 ||
	    contribution_list_late(r->db, &r->arena, id, (int)((page - 1) * LATE_PAGE), LATE_PAGE, &items, &n, &total,
				   &le) != 0) {
		page_error(r, &le);
		return;
	}
	office_begin(r, arena_printf(&r->arena, _("Late contributions to %s"), c.title), e);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
		    "<a href=\"/office/processes/%u\">%s</a> \u203a <a href=\"/office/calls/%L\">%s</a></nav>\n<h1>",
		    _("Breadcrumb"), _("Back office"), c.process_slug, c.process_title, (long long)c.id, c.title);
	html_tr(&r->out, "Late contributions to %s", c.title);
	html_printf(&r->out, "</h1>\n");
	late_said(r, &c);
	office_error_summary(r, e, failed ? failed : "", _("The contribution was not admitted"));
	html_printf(&r->out, "<p>");
	html_tr(&r->out,
		"Contributions sent by e-mail after the deadline are recorded and wait here until you admit them. Once "
		"admitted, a contribution joins the call as if it had arrived in time. "
		"<a href=\"/office/calls/%L/contributions\">All contributions to this call</a>",
		(long long)c.id);
	html_printf(&r->out, "</p>\n");
	if (total == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("No late contribution awaits admission."));
	else {
		html_printf(&r->out, "<p>");
		html_tr_n(&r->out, "%L late contribution awaiting admission, oldest first.",
			  "%L late contributions awaiting admission, oldest first.", (unsigned long)total, (long long)total);
		html_printf(&r->out, "</p>\n");
	}
	for (int i = 0; i < n; i++)
		late_item(r, &c, &items[i]);
	pages_nav(r, page, LATE_PAGE, total);
	page_end(r, office_status(e));
}

void page_office_late(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such call for contributions."));
		page_error(r, &e);
		return;
	}
	late_page(r, id, page_number(request_query(r, "page")), NULL, NULL);
}

void page_office_admit(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	struct contribution k;
	struct call c;
	/* Admitting cannot be undone: the first POST asks, unless the core would refuse it anyway. */
	if (!office_confirmed(r) && contribution_find(r->db, &r->arena, r->params[0], &k, &e) == 0 && k.late &&
	    !k.admitted_at && call_find(r->db, &r->arena, k.call_id, &c, &e) == 0) {
		const char *what[] = {
			arena_printf(&r->arena, _("Contribution %s, from %s, arrived after the deadline of '%s' (%s), on %s."),
				     k.tracking, k.name, c.title, page_instant_human(r, c.timezone, c.closes_at),
				     page_instant_human(r, c.timezone, k.received_at)),
			c.review == REVIEW_AFTER_REVIEW
				? _("Admitted, it joins the call as if it had arrived in time: it awaits review with the others, "
				  "and counts in the call's contributions and comments.")
				: _("Admitted, it joins the call as if it had arrived in time: it is published now, unless its "
				  "author asked for it to stay private, and counts in the call's contributions and comments."),
			_("This cannot be undone: an admitted contribution stays admitted, and the audit log keeps the change."),
			NULL,
		};
		office_confirm_page(r, arena_printf(&r->arena, _("Admit late contribution %s?"), k.tracking), what,
				    arena_printf(&r->arena, "/office/contributions/%s/admission", k.tracking),
				    _("Admit the contribution"),
				    arena_printf(&r->arena, "/office/calls/%lld/late", (long long)k.call_id));
		return;
	}
	error_clear(&e);
	if (contribution_admit(r->db, &r->arena, &who, r->params[0], &k, &e) != 0) {
		struct error le;
		error_clear(&le);
		if (!strcmp(e.code, ERROR_NOT_FOUND) || contribution_find(r->db, &r->arena, r->params[0], &k, &le) != 0) {
			page_error(r, e.code && strcmp(e.code, ERROR_NOT_FOUND) ? &le : &e);
			return;
		}
		late_page(r, k.call_id, 1, arena_printf(&r->arena, "admit-%s", k.tracking), &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/calls/%lld/late?done=admitted&tracking=%s", (long long)k.call_id,
				       k.tracking));
}
