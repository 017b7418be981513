/*
 * page_subscription — following a process by e-mail, in the browser: the
 * form's answer ("check your mailbox"), the confirmation link, and the leave
 * link. The rules live in core/subscription.c.
 *
 * Leaving takes a POST: a GET of the leave link only shows a button, because
 * mail scanners and link previews open links in mails, and must not
 * unsubscribe anyone by doing so. The POST is also RFC 8058's one-click
 * unsubscription, which a mail program sends with the body
 * "List-Unsubscribe=One-Click" and without our cookie: its route needs no
 * CSRF token (the token in its URL is the secret), and the body is not read.
 */
#include "core/limits.h"
#include "core/process.h"
#include "core/subscription.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/form.h"
#include "web/page.h"
#include "web/routes.h"

#include <string.h>

/* The "Follow" form again, with what was wrong with it. */
static void subscribe_form_again(struct request *r, const struct process *p, const char *email, const struct error *e)
{
	page_begin(r, arena_printf(&r->arena, _("Error: Follow %s"), p->title));
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
	            "<a href=\"/processes/%u\">%s</a></nav>\n<h1>%s</h1>\n"
	            "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\">"
	            "<h2>%s</h2>\n<p>%s</p>\n<ul>\n",
	            _("Breadcrumb"), _("Consultations"), p->slug, p->title, _("Follow this consultation"),
	            _("Nothing was sent"), request_error_message(r, e));
	for (int i = 0; i < e->nfields; i++)
		html_printf(&r->out, "<li><a href=\"#f-%s\">%s</a></li>\n", e->fields[i].name, e->fields[i].message);
	html_printf(&r->out,
	            "</ul>\n</div>\n<form method=\"post\" action=\"/processes/%u/subscribe\" novalidate>\n"
	            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
	            p->slug, auth_csrf_token(r));
	page_input(r, e, "email", _("E-mail address"), _("We send a link to confirm, then a short notice at each change."),
	           email, "email", "email", LIMIT_EMAIL);
	page_privacy_note(r, _("Your address is used only for these notices, until you stop."));
	/* TRANSLATORS: the button that subscribes to a consultation's notices by e-mail. */
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Follow"));
	page_end(r, 422);
}

void page_subscribe(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *slug = r->params[0];
	const char *email = r->form ? form_get(r->form, "email") : NULL;
	if (subscription_request(r->db, &r->arena, slug, email, auth_client_address(r), &e) != 0) {
		struct process p;
		struct error lookup;
		error_clear(&lookup);
		if (!e.code || strcmp(e.code, ERROR_INVALID) != 0) {
			page_error(r, &e);
		} else if (error_field_message(&e, "process") ||
		           process_find(r->db, &r->arena, slug, &p, &lookup) != 0) {
			error_set(&lookup, ERROR_NOT_FOUND, N_("There is no such consultation."));
			page_error(r, &lookup);
		} else {
			subscribe_form_again(r, &p, email, &e);
		}
		return;
	}
	page_begin(r, _("Check your mailbox"));
	/* The same answer whether or not the address follows the process already: addresses cannot be probed. */
	const int days = SUBSCRIPTION_CONFIRM_SECONDS / 86400;
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("Check your mailbox"));
	html_tr_n(&r->out,
	          "We have sent a link to <strong>%s</strong>. Open it within %d day to confirm that you want to follow "
	          "this consultation; until then nothing else is sent. If you follow it already, nothing changes.",
	          "We have sent a link to <strong>%s</strong>. Open it within %d days to confirm that you want to follow "
	          "this consultation; until then nothing else is sent. If you follow it already, nothing changes.",
	          (unsigned long)days, email, days);
	html_printf(&r->out, "</p>\n<p><a href=\"/processes/%u\">%s</a></p>\n", slug, _("Back to the consultation"));
	page_end(r, 200);
}

void page_subscription_confirm(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct subscription s;
	if (subscription_confirm(r->db, &r->arena, request_query(r, "token"), &s, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("You follow this consultation"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("You follow this consultation"));
	html_tr(&r->out,
	        "Confirmed: <strong>%s</strong> will get a short notice when there is news of <a href=\"/processes/%u\">%s</a>: "
	        "a new version of a document, a date of the schedule that moves, a call for contributions that opens, "
	        "changes or is about to close.",
	        s.email, s.process_slug, s.process_title);
	html_printf(&r->out, "</p>\n<p>%s</p>\n", _("Every notice has a link to stop."));
	page_end(r, 200);
}

void page_subscription_leave_form(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct subscription s;
	const char *token = request_query(r, "token");
	if (subscription_find_token(r->db, &r->arena, token, &s, &e) != 0) {
		page_error(r, &e);
		return;
	}
	if (s.left) {
		page_begin(r, _("You no longer follow this consultation"));
		html_printf(&r->out, "<h1>%s</h1>\n<p>", _("You no longer follow this consultation"));
		html_tr(&r->out, "<strong>%s</strong> gets no notices of <a href=\"/processes/%u\">%s</a>.", s.email,
		        s.process_slug, s.process_title);
		html_printf(&r->out, "</p>\n");
		page_end(r, 200);
		return;
	}
	page_begin(r, _("Stop following this consultation?"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("Stop following this consultation?"));
	html_tr(&r->out,
	        "<strong>%s</strong> follows <a href=\"/processes/%u\">%s</a>. Once you stop, no more notices of it are "
	        "sent to this address.",
	        s.email, s.process_slug, s.process_title);
	html_printf(&r->out,
	            "</p>\n<form method=\"post\" action=\"/subscriptions/leave?token=%u\">\n"
	            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	            "<p><button type=\"submit\">%s</button></p>\n</form>\n",
	            token, auth_csrf_token(r), _("Stop following"));
	page_end(r, 200);
}

void page_subscription_leave(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct subscription s;
	const char *token = request_query(r, "token");
	if (!token && r->form)
		token = form_get(r->form, "token");
	if (subscription_leave(r->db, &r->arena, token, &s, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("You no longer follow this consultation"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("You no longer follow this consultation"));
	html_tr(&r->out,
	        "No more notices of <a href=\"/processes/%u\">%s</a> are sent to <strong>%s</strong>. To follow it again, "
	        "use the form on its page.",
	        s.process_slug, s.process_title, s.email);
	html_printf(&r->out, "</p>\n");
	page_end(r, 200);
}
