/*
 * page_account — a person's account in the browser: register and confirm
 * the address, log in and out, reset a forgotten password, and "My
 * contributions" with the account's language. The rules live in
 * core/account.c; these pages only translate forms to it and its errors back
 * to messages beside the fields.
 */
#include "core/account.h"
#include "core/comment.h"
#include "core/contribution.h"
#include "core/disposition.h"
#include "core/limits.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/form.h"
#include "web/page.h"
#include "web/page_office.h"
#include "web/routes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Where to go after logging in, when the form asked: only a path of this site. A single "/" followed by
 * anything but "/" or "\\", and no control character or backslash anywhere: browsers drop TAB, CR and LF
 * from URLs, so that "/\t/evil.example/" would become "//evil.example/", another site. NULL when there is
 * none or it is not safe: the account's own landing page then (landing()). */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return NULL;
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x20 || *p == 0x7F || *p == '\\')
			return NULL;
	return next;
}

/* Where an account lands after logging in without a next: the secretariat in the back office, where its
 * work is; a stakeholder on its own page. */
static const char *landing(const struct account *acc)
{
	return acc->role == ACCOUNT_SECRETARIAT ? "/office" : "/account";
}

static void language_form(struct request *r);

static void error_summary(struct request *r, const struct error *e, const char *heading)
{
	if (!e || !e->code)
		return;
	html_printf(&r->out, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\">"
			     "<h2>%s</h2>\n<p>%s</p>\n",
		    heading, request_error_message(r, e));
	if (e->nfields) {
		html_printf(&r->out, "<ul>\n");
		for (int i = 0; i < e->nfields; i++)
			html_printf(&r->out, "<li><a href=\"#f-%s\">%s</a></li>\n", e->fields[i].name, e->fields[i].message);
		html_printf(&r->out, "</ul>\n");
	}
	html_printf(&r->out, "</div>\n");
}

static void form_open(struct request *r, const char *action)
{
	html_printf(&r->out, "<form method=\"post\" action=\"%s\" novalidate>\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
		    action, auth_csrf_token(r));
}

/* --- log in and out ------------------------------------------------------ */

/* An office form carried by the login page (page_login_again): its address, who it was served to (its signed
 * "served_to") and its fields, each a hidden "d:NAME" field of the login form, so that a mistyped password loses
 * nothing either. Nothing of it is kept on the server. */
struct login_draft {
	const char *action;
	const char *by;
	const struct form *fields;
};

#define DRAFT_FIELD "d:"

/* The draft a login form sent, or one with no action. */
static struct login_draft login_draft_sent(struct request *r)
{
	struct login_draft d = {form_get(r->form, "draft-action"), form_get(r->form, "draft-by"), NULL};
	struct form *fields = d.action ? arena_alloc(&r->arena, sizeof *fields) : NULL;
	if (!fields)
		return (struct login_draft){0};
	const size_t prefix = strlen(DRAFT_FIELD);
	for (int i = 0; i < r->form->n; i++)
		if (!strncmp(r->form->names[i], DRAFT_FIELD, prefix) && fields->n < LIMIT_FORM_FIELDS) {
			fields->names[fields->n] = r->form->names[i] + prefix;
			fields->values[fields->n++] = r->form->values[i];
		}
	d.fields = fields;
	return d;
}

static void login_form(struct request *r, const char *email, const char *next, const struct error *e, int status,
                       const struct login_draft *draft)
{
	page_begin(r, e && e->code ? _("Error: Log in") : _("Log in"));
	html_printf(&r->out, "<h1>%s</h1>\n", _("Log in"));
	error_summary(r, e, _("You are not logged in"));
	if (draft && draft->action)
		html_printf(
		    &r->out, "<div class=\"error-summary\" role=\"alert\"><p>%s</p></div>\n",
		    _("Your session had ended, so the form you sent was not taken; nothing was done. Log in again "
		      "with the same account: what you typed is kept on this page and shown to you again, to send "
		      "it when you have checked it."));
	form_open(r, "/login");
	if (safe_next(next))
		html_printf(&r->out, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", safe_next(next));
	if (draft && safe_next(draft->action)) {
		html_printf(&r->out,
		            "<input type=\"hidden\" name=\"draft-action\" value=\"%s\">\n"
		            "<input type=\"hidden\" name=\"draft-by\" value=\"%s\">\n",
		            draft->action, draft->by ? draft->by : "");
		for (int i = 0; draft->fields && i < draft->fields->n; i++)
			if (strcmp(draft->fields->names[i], "csrf"))
				html_printf(&r->out,
				            "<input type=\"hidden\" name=\"" DRAFT_FIELD "%s\" value=\"%s\">\n",
				            draft->fields->names[i], draft->fields->values[i]);
	}
	page_input(r, NULL, "email", _("E-mail address"), NULL, email, "email", "username", LIMIT_EMAIL);
	page_input(r, NULL, "password", _("Password"), NULL, "", "password", "current-password", SECRET_PASSWORD_MAX);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n"
			     "<p><a href=\"/account/reset-request\">%s</a> \u00b7 "
			     "<a href=\"/account/register\">%s</a></p>\n",
		    _("Log in"), _("Forgot your password?"), _("Create an account"));
	page_end(r, status);
}

void page_login_form(struct request *r)
{
	login_form(r, NULL, request_query(r, "next"), NULL, 200, NULL);
}

void page_login_again(struct request *r)
{
	const struct login_draft draft = {r->path, form_get(r->form, "served_to"), r->form};
	login_form(r, NULL, NULL, NULL, 401, &draft);
}

void page_login(struct request *r)
{
	const char *email = form_get(r->form, "email"), *password = form_get(r->form, "password");
	const char *next = form_get(r->form, "next");
	const struct login_draft draft = login_draft_sent(r);
	struct error e;
	error_clear(&e);
	struct account acc;
	int64_t retry_after;
	char session[SECRET_TOKEN_LEN + 1];
	if (account_login(r->db, &r->arena, email, password, auth_client_address(r), &acc, session, &retry_after,
			  &e) != 0) {
		int status = !strcmp(e.code, ERROR_THROTTLED) ? 429 : !strcmp(e.code, ERROR_UNAUTHORIZED) ? 401 : 503;
		if (status == 429)
			r->retry_after = arena_printf(&r->arena, "%lld", (long long)retry_after);
		login_form(r, email, next, &e, status, &draft);
		return;
	}
	auth_login(r, &acc, session);
	/* The form typed before the session ended goes back to the account it was served to, and to no other;
	 * shown to send again, never sent by itself. */
	if (safe_next(draft.action) && auth_form_author_id(r, draft.by) == acc.id) {
		office_resend_page(
		    r, draft.action, draft.fields,
		    _("You are logged in again. The form you sent when your session had ended was not taken; "
		      "here is what you typed."),
		    200);
		return;
	}
	reply_redirect(r, safe_next(next) ? safe_next(next) : landing(&acc));
}

void page_logout(struct request *r)
{
	auth_logout(r);
	reply_redirect(r, "/");
}

/* --- register and confirm ------------------------------------------------- */

static void register_form(struct request *r, const struct account_input *in, const struct error *e)
{
	page_begin(r, e && e->code ? _("Error: Create an account") : _("Create an account"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>%s</p>\n", _("Create an account"),
		    _("With an account, your contribution forms are filled in for you and you find all your receipts in "
		      "one place. You can also contribute without one."));
	error_summary(r, e, _("Your account was not created"));
	form_open(r, "/account/register");
	/* the account's language is the one this page is in (changed later on /account) */
	html_printf(&r->out, "<input type=\"hidden\" name=\"language\" value=\"%s\">\n", request_language(r)->code);
	page_input(r, e, "name", _("Name"), NULL, in->name, "text", "name", LIMIT_NAME);
	page_input(r, e, "organization", _("Organization (optional)"), NULL, in->organization, "text", "organization",
		   LIMIT_ORGANIZATION);
	page_input(r, e, "category", _("Category of stakeholder (optional)"),
		   _("For example member-states, academia or other: the forms of each consultation use it."), in->category,
		   "text", "off", 64);
	const char *err = e ? error_field_message(e, "country") : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-country\">%s</label>\n", err ? " invalid" : "",
		    _("Country (optional)"));
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-country\">%s</p>\n", err);
	html_printf(&r->out, "<select id=\"f-country\" name=\"country\" autocomplete=\"country\"%R>\n"
			     "<option value=\"\">%s</option>\n",
		    err ? " aria-invalid=\"true\" aria-describedby=\"e-country\"" : "", _("Choose\u2026"));
	page_country_options(r, in->country);
	html_printf(&r->out, "</select></div>\n");
	page_input(r, e, "email", _("E-mail address"), _("We send a link to confirm it."), in->email, "email", "email",
		   LIMIT_EMAIL);
	page_input(r, e, "password", _("Password"), _("At least 10 characters; a few words make a good password."), "",
		   "password", "new-password", SECRET_PASSWORD_MAX);
	page_privacy_note(r, _("Your account is for you: it is never published."));
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Create the account"));
	page_end(r, e && e->code ? http_status_of(e) : 200);
}

void page_register_form(struct request *r)
{
	struct account_input empty = {0};
	register_form(r, &empty, NULL);
}

void page_register(struct request *r)
{
	struct account_input in = {
		.name = form_get(r->form, "name"),
		.organization = form_get(r->form, "organization"),
		.category = form_get(r->form, "category"),
		.country = form_get(r->form, "country"),
		.email = form_get(r->form, "email"),
		.password = form_get(r->form, "password"),
		.role = ACCOUNT_STAKEHOLDER,
		.requester = auth_client_address(r),
		/* the page's language, else (a form without it) the language this request is answered in */
		.language = form_get(r->form, "language") ? form_get(r->form, "language") : request_language(r)->code,
	};
	struct error e;
	error_clear(&e);
	struct account acc;
	if (account_register(r->db, &r->arena, &in, &acc, &e) != 0) {
		if (!strcmp(e.code, ERROR_INVALID))
			register_form(r, &in, &e);
		else
			page_error(r, &e);
		return;
	}
	page_begin(r, _("Check your mailbox"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("Check your mailbox"));
	html_tr(&r->out, "We sent a link to <strong>%s</strong>. Open it within 48 hours to confirm your address, then "
			 "<a href=\"/login\">log in</a>.",
		acc.email);
	html_printf(&r->out, "</p>\n");
	page_end(r, 201);
}

void page_confirm(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct account acc;
	if (account_confirm(r->db, &r->arena, request_query(r, "token"), &acc, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("Address confirmed"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("Address confirmed"));
	html_tr(&r->out, "Thank you, %s: your address %s is confirmed.", acc.name, acc.email);
	html_printf(&r->out, "</p>\n<p><a href=\"/login\">%s</a></p>\n", _("Log in"));
	page_end(r, 200);
}

/* --- forgotten passwords ------------------------------------------------- */

void page_reset_request_form(struct request *r)
{
	page_begin(r, _("Reset your password"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>%s</p>\n", _("Reset your password"),
		    _("Enter the address of your account: we send it a link to choose a new password."));
	form_open(r, "/account/reset-request");
	page_input(r, NULL, "email", _("E-mail address"), NULL, "", "email", "username", LIMIT_EMAIL);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Send the link"));
	page_end(r, 200);
}

void page_reset_request(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *email = form_get(r->form, "email");
	if (account_reset_request(r->db, &r->arena, email, auth_client_address(r), &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("Check your mailbox"));
	/* The same answer whether or not there is an account: addresses cannot be probed here. */
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("Check your mailbox"));
	html_tr(&r->out, "If an account uses <strong>%s</strong>, a link to choose a new password is on its way. It "
			 "works for 48 hours.",
		email ? email : "");
	html_printf(&r->out, "</p>\n");
	page_end(r, 200);
}

static void reset_form(struct request *r, const char *token, const struct error *e)
{
	page_begin(r, e && e->code ? _("Error: Choose a new password") : _("Choose a new password"));
	html_printf(&r->out, "<h1>%s</h1>\n", _("Choose a new password"));
	error_summary(r, e, _("Your password was not changed"));
	form_open(r, "/account/reset");
	html_printf(&r->out, "<input type=\"hidden\" name=\"token\" value=\"%s\">\n", token ? token : "");
	page_input(r, e, "password", _("New password"), _("At least 10 characters."), "", "password", "new-password",
		   SECRET_PASSWORD_MAX);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Save the password"));
	page_end(r, e && e->code ? http_status_of(e) : 200);
}

void page_reset_form(struct request *r)
{
	reset_form(r, request_query(r, "token"), NULL);
}

void page_reset(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct account acc;
	const char *token = form_get(r->form, "token");
	if (account_reset(r->db, &r->arena, token, form_get(r->form, "password"), auth_client_address(r), &acc, &e) !=
	    0) {
		if (!strcmp(e.code, ERROR_INVALID))
			reset_form(r, token, &e);
		else
			page_error(r, &e);
		return;
	}
	/* Every session of the account ended with the change, this browser's too. */
	auth_logout(r);
	page_begin(r, _("Password changed"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>", _("Password changed"));
	html_tr(&r->out, "The password of %s is changed, and every session that was open has ended.", acc.email);
	html_printf(&r->out, "</p>\n<p><a href=\"/login\">%s</a></p>\n", _("Log in"));
	page_end(r, 200);
}

/* --- my contributions ---------------------------------------------------- */

/* A contribution's answers counted by decision once its call's are published ("2 accepted, 1 noted", the
 * receipt shows each), else "not published yet". Each contribution may be of another call: two small
 * queries per row of a page of LIMIT_PAGE_SIZE. */
static void answers(struct request *r, struct contribution *k)
{
	struct error e;
	error_clear(&e);
	if (comment_attach(r->db, &r->arena, k, 1, &e) != 0 || page_dispositions_attach(r, k, 1, k->call_id, &e) != 0)
		return;
	int counts[4] = {0}, answered = 0;
	for (int j = 0; j < k->ncomments; j++)
		if (k->comments[j].disposition) {
			counts[k->comments[j].disposition->decision]++;
			answered++;
		}
	if (!answered) {
		html_printf(&r->out, "%s", _("not published yet"));
		return;
	}
	const char *sep = "";
	for (int d = 0; d < 4; d++)
		if (counts[d]) {
			html_printf(&r->out, "%s", sep);
			const unsigned long c = (unsigned long)counts[d];
			/* The decisions in their order (enum disposition_decision); each its own plural. */
			if (d == 0)
				html_tr_n(&r->out, "%d accepted", "%d accepted", c, counts[d]);
			else if (d == 1)
				html_tr_n(&r->out, "%d accepted in part", "%d accepted in part", c, counts[d]);
			else if (d == 2)
				html_tr_n(&r->out, "%d not accepted", "%d not accepted", c, counts[d]);
			else
				html_tr_n(&r->out, "%d noted", "%d noted", c, counts[d]);
			sep = ", ";
		}
}

void page_my_contributions(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct contribution *items;
	int n;
	if (contribution_list_account(r->db, &r->arena, r->account->id, 0, LIMIT_PAGE_SIZE, &items, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("My contributions"));
	html_printf(&r->out, "<h1>%s</h1>\n<p>%s%s%s \u00b7 %s%s%s</p>\n", _("My contributions"), r->account->name,
		    *r->account->organization ? ", " : "", r->account->organization, r->account->email,
		    r->account->confirmed ? "" : " ",
		    r->account->confirmed ? "" : _("(address not confirmed yet: see the mail we sent)"));
	if (n == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("You have not sent a contribution while logged in yet."));
	else {
		html_printf(&r->out, "<table>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
				     "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			    _("Tracking number"), _("Received"), _("Publication"), _("Answers"));
		for (int i = 0; i < n; i++) {
			html_printf(&r->out, "<tr><td><a href=\"/receipts/%u\">%s</a></td><td>%s</td><td>%s</td><td>",
				    items[i].tracking, items[i].tracking, page_instant_utc(r, items[i].received_at),
				    contribution_publication_name(items[i].publication));
			answers(r, &items[i]);
			html_printf(&r->out, "</td></tr>\n");
		}
		html_printf(&r->out, "</tbody>\n</table>\n");
	}
	language_form(r);
	page_end(r, 200);
}

/* --- the account's language ---------------------------------------------- */

/* Each offered language by its own name, in its own language (as the switcher names them: a name, never
 * translated, so translate="no"); the account's selected, or "Choose..." while it has none. */
static void language_form(struct request *r)
{
	size_t n;
	const struct i18n_language *all = i18n_languages(&n);
	const char *mine = r->account->language;
	html_printf(&r->out, "<section aria-labelledby=\"account-language\"><h2 id=\"account-language\">%s</h2>\n",
		    _("Language"));
	form_open(r, "/account/language");
	html_printf(&r->out,
		    "<div class=\"field\"><label for=\"f-language\">%s</label>\n<p class=\"hint\" id=\"h-language\">%s</p>\n"
		    "<select id=\"f-language\" name=\"language\" aria-describedby=\"h-language\">\n",
		    _("Your language"),
		    _("The mails we send you (letters, receipts, notices) are in it, and so are these pages while you are "
		      "logged in, unless you choose another language with the switcher."));
	if (!mine)
		html_printf(&r->out, "<option value=\"\" selected>%s</option>\n", _("Choose\u2026"));
	for (size_t i = 0; i < n; i++)
		html_printf(&r->out, "<option value=\"%s\" lang=\"%s\" translate=\"no\"%R>%s</option>\n", all[i].code,
			    all[i].code,
			    mine && !strcasecmp(mine, all[i].code) ? " selected" : "", all[i].name);
	html_printf(&r->out, "</select></div>\n<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
		    _("Save the language"));
}

void page_account_language(struct request *r)
{
	struct error e;
	error_clear(&e);
	if (account_language_set(r->db, &r->arena, r->account, form_get(r->form, "language"), &e) != 0) {
		if (!strcmp(e.code, ERROR_INVALID))
			page_message(r, 422, error_field_message(&e, "language")); /* the one field's own words */
		else
			page_error(r, &e);
		return;
	}
	reply_redirect(r, "/account");
}
