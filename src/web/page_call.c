/*
 * page_call — a call for contributions as people use it in a browser: the
 * call page, the contribution form (which keeps what was typed and says
 * what to fix, field by field), the receipt, and the published contributions.
 */
#include "core/call.h"
#include "core/campaign.h"
#include "core/comment.h"
#include "core/config.h"
#include "core/contribution.h"
#include "core/country.h"
#include "core/deadline.h"
#include "core/limits.h"
#include "core/paragraph.h"
#include "core/process.h"
#include "core/receipt.h"
#include "core/version_text.h"
#include "util/clock.h"
#include "util/secret.h"
#include "util/i18n.h"
#include "util/tz.h"
#include "util/utf8.h"
#include "web/auth.h"
#include "web/form.h"
#include "web/page_attachment.h"
#include "web/page.h"
#include "web/page_cache.h"
#include "web/page_table.h"
#include "web/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Loads the call named by the route's {id}, or answers with an error page. */
static bool load_call(struct request *r, struct call *c, struct process *p)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such call for contributions."));
		page_error(r, &e);
		return false;
	}
	if (call_find(r->db, &r->arena, id, c, &e) != 0 ||
	    (p && process_find_id(r->db, &r->arena, c->process_id, p, &e) != 0)) {
		page_error(r, &e);
		return false;
	}
	return true;
}

static void crumbs(struct request *r, const struct call *c, bool link_call)
{
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
		    "<a href=\"/processes/%u\">%s</a>",
		    _("Breadcrumb"), _("Consultations"), c->process_slug, c->process_title);
	if (link_call)
		html_printf(&r->out, " \u203a <a href=\"/calls/%L\">%s</a>", (long long)c->id, c->title);
	html_printf(&r->out, "</nav>\n");
}

/* A call's state as readers say it (core's call_state_label() in English), in the reader's language. */
const char *page_call_state_label(enum call_state s)
{
	switch (s) {
	/* TRANSLATORS: a call for contributions' state. */
	case CALL_UPCOMING: return _("Not yet open");
	/* TRANSLATORS: a call for contributions' state: contributions are accepted now. */
	case CALL_OPEN: return _("Open");
	/* TRANSLATORS: a call for contributions' state: its deadline has passed. */
	case CALL_CLOSED: return _("Closed");
	}
	return call_state_label(s);
}

/* The changes of the call's deadline and state, each with its reason, as the schedule shows a milestone's moves. */
/* The changes of a call's deadline and state, with their reasons: the same list
 * on the public call page and on its office page (page.h). */
void page_call_history(struct request *r, struct call *c)
{
	struct error e;
	error_clear(&e);
	if (call_history(r->db, &r->arena, c, &e) != 0 || c->nhistory == 0)
		return;
	html_printf(&r->out, "<section aria-labelledby=\"changes\"><h2 id=\"changes\">%s</h2>\n<ul class=\"history\">\n",
		    _("Changes"));
	for (int i = 0; i < c->nhistory; i++) {
		const struct call_change *x = &c->history[i];
		char on[11];
		const char *when = tz_date_at(c->timezone, x->changed_at, on) == 0 ? page_date(r, on)
										 : page_instant_utc(r, x->changed_at);
		const char *from = x->from_closes_on ? page_date(r, x->from_closes_on)
						     : page_instant_human(r, c->timezone, x->from_closes_at);
		const char *to = x->to_closes_on ? page_date(r, x->to_closes_on)
						 : page_instant_human(r, c->timezone, x->to_closes_at);
		switch (x->kind) {
		case CHANGE_EXTEND:
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "Deadline extended from %s to %s on %s: %s", from, to, when, x->reason);
			break;
		case CHANGE_SHORTEN:
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "Deadline brought forward from %s to %s on %s: %s", from, to, when, x->reason);
			break;
		case CHANGE_OPEN:
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "Opened on %s: %s", when, x->reason);
			break;
		case CHANGE_CLOSE:
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "Closed on %s, before its deadline of %s: %s", when, from, x->reason);
			break;
		}
		html_printf(&r->out, "</li>\n");
	}
	html_printf(&r->out, "</ul>\n</section>\n");
}

/* The deadline statement (core/deadline.h) with its instants in <time> elements, which static/localtime.js
 * completes with the reader's own time. */
void page_deadline(struct request *r, const struct call *c)
{
	struct deadline d;
	if (deadline_describe(&r->arena, c, clock_now(), &d) != 0)
		return;
	html_printf(&r->out, "<p class=\"deadline\">");
	if (d.state == CALL_UPCOMING)
		html_tr(&r->out, "Opens on <time datetime=\"%s\" data-local data-tz=\"%s\">%s</time>, open until "
				 "<time datetime=\"%s\" data-local data-tz=\"%s\">%s</time>",
			d.opens_utc, c->timezone, d.when_opens, d.closes_utc, c->timezone, d.when);
	else
		html_printf(&r->out, "%s <time datetime=\"%s\" data-local data-tz=\"%s\">%s</time>", d.lead,
			    d.closes_utc, c->timezone, d.when);
	if (d.left)
		html_printf(&r->out, " \u2014 <strong>%s</strong>", d.left);
	html_printf(&r->out, "</p>\n");
}

/* Each extension of the deadline with its reason, next to the deadline. */
void page_deadline_extensions(struct request *r, struct call *c)
{
	struct error e;
	error_clear(&e);
	if (!c->history && call_history(r->db, &r->arena, c, &e) != 0)
		return;
	for (int i = 0; i < c->nhistory; i++)
		if (c->history[i].kind == CHANGE_EXTEND)
			html_printf(&r->out, "<p class=\"extension\">%s</p>\n",
				    deadline_extension(&r->arena, c, &c->history[i]));
}

void page_call(struct request *r)
{
	struct call c;
	if (!load_call(r, &c, NULL))
		return;
	enum call_state s = call_state_at(&c, clock_now());
	const char *feed = arena_printf(&r->arena, "/calls/%lld/feed.atom", (long long)c.id);
	const char *feed_title = arena_printf(&r->arena, _("%s: contributions and deadline (Atom)"), c.title);
	page_begin_feeds(r, c.title, &feed, &feed_title, 1);
	crumbs(r, &c, false);
	html_printf(&r->out,
		    "<h1>%s</h1>\n<p class=\"state state-%s\">%s</p>\n",
		    c.title, call_state_name(s), page_call_state_label(s));
	page_deadline(r, &c);
	page_deadline_extensions(r, &c);
	/* dir="auto": the secretariat's words and a contribution's go their own way on a page of the other direction
	 * (an English sentence on an Arabic page had its full stop at its start) */
	html_printf(&r->out,
		    "<p dir=\"auto\">%s</p>\n"
		    "<dl class=\"facts\">\n"
		    /* TRANSLATORS: what a call for contributions is about: a version of a draft. */
		    "<dt>%s</dt><dd>",
		    c.description, _("On"));
	/* TRANSLATORS: a document, the label of its version and the version's date. */
	html_tr(&r->out, "<a href=\"/versions/%L\">%s, %s of %s</a>", (long long)c.version_id, c.document_title,
		c.version_label, page_date(r, c.version_date));
	html_printf(&r->out, "</dd>\n</dl>\n");
	if (s == CALL_OPEN)
		html_printf(&r->out, "<p><a class=\"button\" href=\"/calls/%L/contribute\">%s</a></p>\n", (long long)c.id,
			    _("Send a contribution"));
	else if (s == CALL_CLOSED)
		html_printf(&r->out, "<p>%s</p>\n", _("The deadline has passed: contributions are no longer accepted."));
	if (c.review == REVIEW_AFTER_REVIEW)
		html_printf(&r->out, "<p>%s</p>\n", _("Contributions are published after the secretariat has reviewed them."));
	page_call_history(r, &c);
	html_printf(&r->out,
		    "<p><a href=\"/calls/%L/contributions\">%s</a> \u00b7 "
		    "<a href=\"/calls/%L/matrix\">%s</a> \u00b7 "
		    "<a href=\"/calls/%L/statistics\">%s</a> \u00b7 "
		    "<a class=\"feed\" href=\"/calls/%L/feed.atom\" type=\"application/atom+xml\">",
		    (long long)c.id, _("Published contributions"), (long long)c.id, _("Resolution matrix"), (long long)c.id,
		    _("Statistics"), (long long)c.id);
	html_tr(&r->out, "Follow by feed<span class=\"visually-hidden\"> (Atom): new contributions and changes of the "
			 "deadline</span>");
	html_printf(&r->out, "</a></p>\n");
	page_end(r, 200);
}

/* -- comments on paragraphs, on the form without JavaScript --------------------------------------------------
 * Each comment is a row of indexed fields: comment_K_paragraph (a paragraph's id, or "" for a general comment),
 * comment_K_type, comment_K_text, comment_K_change. The buttons "Add another comment" (action=add) and "Remove"
 * (action=remove-K) send the form back to be shown again with what was typed; only "Send contribution" (and
 * Enter in a field: the first submit button of the form is a hidden "send") sends it. Rows are numbered 1..n in
 * their order, the numbers contribution_receive's errors use (comments[K].comment). */

/* The rows typed, in order, leaving out row `skip` (0: none), with room for one more. */
static struct comment_input *form_comments(struct request *r, const struct form *f, int skip, int *n)
{
	struct comment_input *rows = arena_alloc(&r->arena, sizeof *rows * (LIMIT_FORM_COMMENTS + 1));
	*n = 0;
	if (!rows)
		return NULL;
	for (int k = 1; f && k <= LIMIT_FORM_COMMENTS; k++) {
		char name[40];
		snprintf(name, sizeof name, "comment_%d_paragraph", k);
		const char *paragraph = form_get(f, name);
		snprintf(name, sizeof name, "comment_%d_type", k);
		const char *type = form_get(f, name);
		snprintf(name, sizeof name, "comment_%d_text", k);
		const char *text = form_get(f, name);
		snprintf(name, sizeof name, "comment_%d_change", k);
		const char *change = form_get(f, name);
		if ((!paragraph && !type && !text && !change) || k == skip)
			continue;
		rows[(*n)++] = (struct comment_input){
			.paragraph = paragraph, .type = type, .comment = text, .proposed_change = change};
	}
	return rows;
}

/* The id of the form's element for an error's field name: comments[3].comment is f-comment_3_text. */
static const char *field_anchor(struct request *r, const char *field)
{
	int k = 0, used = 0;
	char member[24] = "";
	if (sscanf(field, "comments[%d].%23[a-z_]%n", &k, member, &used) == 2 && !field[used]) {
		const char *suffix = !strcmp(member, "comment")		? "text"
				     : !strcmp(member, "proposed_change") ? "change"
				     : !strcmp(member, "type")		? "type"
									: "paragraph";
		return arena_printf(&r->arena, "f-comment_%d_%s", k, suffix);
	}
	if (!strncmp(field, "comments", 8))
		return "comments";
	if (!strcmp(field, "publication"))
		return "f-publication-named";
	return arena_printf(&r->arena, "f-%s", field);
}

/* "¶3 — first words of the paragraph…" */
static const char *paragraph_choice(struct request *r, const struct paragraph *p)
{
	const size_t whole = strlen(p->text), cut = utf8_prefix(p->text, 60);
	char *words = arena_strndup(&r->arena, p->text, cut);
	for (char *w = words; w && *w; w++)
		if (*w == '\n' || *w == '\t')
			*w = ' '; /* a table's or a list's lines, on one line */
	return arena_printf(&r->arena, "\u00b6%d \u2014 %s%s", p->number, words ? words : "", cut < whole ? "\u2026" : "");
}

/* A row's textarea, with its error. */
static void comment_textarea(struct request *r, const struct error *e, int k, const char *member, const char *suffix,
			     const char *label, const char *value, int rows)
{
	const char *err = e ? error_field_message(e, arena_printf(&r->arena, "comments[%d].%s", k, member)) : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-comment_%d_%s\">%s</label>\n", err ? " invalid" : "",
		    k, suffix, label);
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-comment_%d_%s\">%s</p>\n", k, suffix, err);
	html_printf(&r->out, "<textarea id=\"f-comment_%d_%s\" name=\"comment_%d_%s\" rows=\"%d\"%R>%s</textarea></div>\n",
		    k, suffix, k, suffix, rows,
		    err ? arena_printf(&r->arena, " aria-invalid=\"true\" aria-describedby=\"e-comment_%d_%s\"", k, suffix)
			: "",
		    value ? value : "");
}

/* How many comment rows the form offers: LIMIT_FORM_COMMENTS, or fewer for a long text, whose every row has a
 * choice of all its paragraphs (about 100 bytes each), so that the form stays well under LIMIT_RESPONSE. */
static int comment_rows_max(int nparagraphs)
{
	const long row = 1000 + 100L * nparagraphs, budget = LIMIT_RESPONSE / 2;
	const long max = budget / row;
	return max < 1 ? 1 : max > LIMIT_FORM_COMMENTS ? LIMIT_FORM_COMMENTS : (int)max;
}

static void comment_rows(struct request *r, const struct call *c, const struct paragraph *ps, int nps,
			 const struct comment_input *rows, int n, const struct error *e)
{
	const char *err = e ? error_field_message(e, "comments") : NULL;
	html_printf(&r->out,
		    "<section class=\"comments-form%s\" aria-labelledby=\"comments\"><h2 id=\"comments\" tabindex=\"-1\">"
		    "%s</h2>\n<p class=\"hint\">",
		    err ? " invalid" : "", _("Comments on paragraphs"));
	html_tr(&r->out, "Comment on one paragraph at a time (\u00b6 numbers are those of %s), or on the whole text: a "
			 "general comment. With comments, the text above is optional: a covering letter.",
		c->version_label);
	html_printf(&r->out, "</p>\n");
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-comments\">%s</p>\n", err);
	for (int i = 0; i < n; i++) {
		const int k = i + 1;
		const struct comment_input *row = &rows[i];
		html_printf(&r->out, "<fieldset class=\"comment\" id=\"comment-%d\"><legend>", k);
		html_tr(&r->out, "Comment %d", k);
		html_printf(&r->out, "</legend>\n");
		const char *perr =
			e ? error_field_message(e, arena_printf(&r->arena, "comments[%d].paragraph", k)) : NULL;
		html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-comment_%d_paragraph\">%s</label>\n",
			    perr ? " invalid" : "", k, _("Paragraph"));
		if (perr)
			html_printf(&r->out, "<p class=\"error\" id=\"e-comment_%d_paragraph\">%s</p>\n", k, perr);
		html_printf(&r->out, "<select id=\"f-comment_%d_paragraph\" name=\"comment_%d_paragraph\"%R>\n"
				     "<option value=\"\">%s</option>\n",
			    k, k,
			    perr ? arena_printf(&r->arena, " aria-invalid=\"true\" aria-describedby=\"e-comment_%d_paragraph\"", k)
				 : "",
			    _("General comment (on the whole text)"));
		for (int p = 0; p < nps; p++)
			html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", ps[p].pid,
				    row->paragraph && !strcmp(row->paragraph, ps[p].pid) ? " selected" : "",
				    paragraph_choice(r, &ps[p]));
		html_printf(&r->out, "</select></div>\n");

		const char *terr = e ? error_field_message(e, arena_printf(&r->arena, "comments[%d].type", k)) : NULL;
		html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-comment_%d_type\">%s</label>\n",
			    terr ? " invalid" : "", k, _("Type of comment"));
		if (terr)
			html_printf(&r->out, "<p class=\"error\" id=\"e-comment_%d_type\">%s</p>\n", k, terr);
		html_printf(&r->out, "<select id=\"f-comment_%d_type\" name=\"comment_%d_type\"%R>\n", k, k,
			    terr ? arena_printf(&r->arena, " aria-invalid=\"true\" aria-describedby=\"e-comment_%d_type\"", k)
				 : "");
		enum comment_type typed = COMMENT_GENERAL;
		if (row->type && *row->type)
			comment_type_parse(row->type, &typed);
		for (enum comment_type t = COMMENT_GENERAL; t <= COMMENT_EDITORIAL; t++) {
			const char *label = NULL;
			switch (t) {
			/* TRANSLATORS: a type of comment on a paragraph. */
			case COMMENT_GENERAL: label = _("General"); break;
			/* TRANSLATORS: a type of comment on a paragraph. */
			case COMMENT_TECHNICAL: label = _("Technical"); break;
			/* TRANSLATORS: a type of comment on a paragraph: on the wording. */
			case COMMENT_EDITORIAL: label = _("Editorial"); break;
			}
			html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", comment_type_name(t),
				    t == typed ? " selected" : "", label);
		}
		html_printf(&r->out, "</select></div>\n");
		/* TRANSLATORS: the label of a comment's text on the contribution form. */
		comment_textarea(r, e, k, "comment", "text", _("Comment"), row->comment, 5);
		comment_textarea(r, e, k, "proposed_change", "change", _("Proposed change (optional)"),
				 row->proposed_change, 3);
		html_printf(&r->out,
			    "<p><button type=\"submit\" class=\"secondary\" name=\"action\" value=\"remove-%d\" "
			    "formaction=\"/calls/%L/contribute#comments\">",
			    k, (long long)c->id);
		html_tr(&r->out, "Remove<span class=\"visually-hidden\"> comment %d</span>", k);
		html_printf(&r->out, "</button></p>\n</fieldset>\n");
	}
	if (n < comment_rows_max(nps))
		html_printf(&r->out,
			    "<p><button type=\"submit\" class=\"secondary\" name=\"action\" value=\"add\" "
			    "formaction=\"/calls/%L/contribute#comment-%d\">%s</button></p>\n",
			    (long long)c->id, n + 1, n ? _("Add another comment") : _("Add a comment on a paragraph"));
	else {
		html_printf(&r->out, "<p>");
		html_tr_n(&r->out, "This form takes %d comment at most: send it, and the others in a second contribution.",
			  "This form takes %d comments at most: send them, and the others in a second contribution.",
			  (unsigned long)n, n);
		html_printf(&r->out, "</p>\n");
	}
	html_printf(&r->out, "</section>\n");
}

/* The language the contribution is written in (core/language.h): said by its sender, or left to be recognised
 * from the text, which is the default (a reader of the English pages may well write in French). */
static void language_field(struct request *r, const struct error *e, const char *typed)
{
	const char *err = e ? error_field_message(e, "language") : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-language\">%s</label>\n", err ? " invalid" : "",
		    _("Language of your contribution"));
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-language\">%s</p>\n", err);
	html_printf(&r->out, "<select id=\"f-language\" name=\"language\"%R>\n<option value=\"\">%s</option>\n",
		    err ? " aria-invalid=\"true\" aria-describedby=\"e-language\"" : "", _("Recognise it from my text"));
	size_t n = 0;
	const struct i18n_language *l = i18n_languages(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].code, I18N_PSEUDO) != 0)
			html_printf(&r->out, "<option value=\"%s\" lang=\"%s\"%R>%s</option>\n", l[i].code, l[i].code,
				    typed && !strcasecmp(typed, l[i].code) ? " selected" : "", l[i].name);
	html_printf(&r->out, "</select></div>\n");
}

/* The form's one-time key, which makes a resent form the same contribution (contribution_idempotency): the one
 * it was sent with, when it comes back to be corrected (nothing was stored with it), else a new one; a new one
 * too when the key was used for other content (the form then sends a new contribution). NULL if none was sent
 * or it is not one of ours (any 16 to 64 characters of base64url). */
static const char *form_once_sent(const struct request *r)
{
	const char *once = r->form ? form_get(r->form, "once") : NULL;
	if (!once)
		return NULL;
	const size_t n = strlen(once);
	if (n < 16 || n > 64 || strspn(once, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != n)
		return NULL;
	return once;
}

static const char *form_once(struct request *r, const struct error *e)
{
	const char *sent = form_once_sent(r);
	if (sent && !(e && e->code && !strcmp(e->code, ERROR_CONFLICT)))
		return sent;
	char *fresh = arena_alloc(&r->arena, SECRET_TOKEN_LEN + 1);
	if (!fresh)
		return "";
	secret_token(fresh);
	return fresh;
}

static void render_form(struct request *r, const struct call *c, const struct process *p,
			const struct contribution_input *in, const struct error *e, const struct comment_table *table)
{
	struct error pe;
	error_clear(&pe);
	struct paragraph *ps = NULL;
	int nps = 0;
	/* The paragraphs to choose from in the reader's language when the version has a text in it (their ids are
	 * the same in every language: a comment is on the paragraph, whatever language it is written in). */
	if (version_text_paragraphs(r->db, &r->arena, c->version_id, page_text_reader(r), &ps, &nps, NULL, &pe) != 0) {
		page_error(r, &pe);
		return;
	}
	page_begin(r, e && e->code ? arena_printf(&r->arena, _("Error: %s"), c->title) : c->title);
	crumbs(r, c, true);
	/* Which text it is about, linked: the version the call is on, whose paragraphs the comments name. */
	html_printf(&r->out, "<h1>%s</h1>\n<p class=\"about-version\">", _("Send a contribution"));
	html_tr(&r->out,
		"To the call <strong>%s</strong>, about <a href=\"/versions/%L\">%s, %s of %s</a> (its paragraphs are "
		"numbered \u00b6; comments name them).",
		c->title, (long long)c->version_id, c->document_title, c->version_label, page_date(r, c->version_date));
	html_printf(&r->out, "</p>\n");
	page_deadline(r, c);
	if (e && e->code) {
		html_printf(&r->out, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\">"
				     "<h2>%s</h2>\n<p>%s</p>\n<ul>\n",
			    _("Your contribution was not sent"), request_error_message(r, e));
		for (int i = 0; i < e->nfields; i++)
			html_printf(&r->out, "<li><a href=\"#%s\">%s</a></li>\n", field_anchor(r, e->fields[i].name),
				    e->fields[i].message);
		html_printf(&r->out, "</ul>\n</div>\n");
	}
	page_table_report(r, table, false); /* what was understood of an uploaded table, when the rest was refused */
	html_printf(&r->out, "<form method=\"post\" action=\"/calls/%L/contribute\" enctype=\"multipart/form-data\" "
			     "novalidate>\n"
			     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
			     "<input type=\"hidden\" name=\"once\" value=\"%s\">\n"
			     /* the default button: Enter in a field sends the form, as it did before there were others */
			     "<button type=\"submit\" name=\"action\" value=\"send\" class=\"visually-hidden\" "
			     "tabindex=\"-1\" aria-hidden=\"true\">%s</button>\n"
			     "<fieldset><legend>%s</legend>\n",
		    (long long)c->id, auth_csrf_token(r), form_once(r, e), _("Send contribution"), _("About you"));
	/* TRANSLATORS: a person's name, on a form. */
	page_input(r, e, "name", _("Name"), NULL, in->name, "text", "name", LIMIT_NAME);
	page_input(r, e, "organization", _("Organization (optional)"), _("Leave empty if you write in your own name."),
		   in->organization, "text", "organization", LIMIT_ORGANIZATION);

	const char *err = e ? error_field_message(e, "category") : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-category\">%s</label>\n", err ? " invalid" : "",
		    _("Category of stakeholder"));
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-category\">%s</p>\n", err);
	html_printf(&r->out, "<select id=\"f-category\" name=\"category\"%R>\n<option value=\"\">%s</option>\n",
		    err ? " aria-invalid=\"true\" aria-describedby=\"e-category\"" : "", _("Choose\u2026"));
	for (int i = 0; i < p->ncategories; i++)
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", p->categories[i].slug,
			    in->category && !strcmp(in->category, p->categories[i].slug) ? " selected" : "",
			    p->categories[i].name);
	html_printf(&r->out, "</select></div>\n");

	err = e ? error_field_message(e, "country") : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-country\">%s</label>\n", err ? " invalid" : "",
		    _("Country"));
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-country\">%s</p>\n", err);
	html_printf(&r->out,
		    "<select id=\"f-country\" name=\"country\" autocomplete=\"country\"%R>\n"
		    "<option value=\"\">%s</option>\n",
		    err ? " aria-invalid=\"true\" aria-describedby=\"e-country\"" : "", _("Choose\u2026"));
	page_country_options(r, in->country);
	html_printf(&r->out, "</select></div>\n");
	page_input(r, e, "email", _("E-mail address"),
		   _("The secretariat may write to you about your contribution. It is never published."), in->email,
		   "email", "email", LIMIT_EMAIL);
	html_printf(&r->out, "</fieldset>\n");

	err = e ? error_field_message(e, "text") : NULL;
	html_printf(&r->out,
		    "<div class=\"field%s\"><label for=\"f-text\">%s</label>\n<p class=\"hint\" id=\"h-text\">",
		    err ? " invalid" : "", _("Your contribution"));
	html_tr_n(&r->out,
		  "Refer to paragraphs by their number (\u00b6), or comment on them one by one below; with comments, this "
		  "text is optional. At most %d character.",
		  "Refer to paragraphs by their number (\u00b6), or comment on them one by one below; with comments, this "
		  "text is optional. At most %d characters.",
		  (unsigned long)LIMIT_TEXT, LIMIT_TEXT);
	html_printf(&r->out, "</p>\n");
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-text\">%s</p>\n", err);
	html_printf(&r->out, "<textarea id=\"f-text\" name=\"text\" rows=\"14\" aria-describedby=\"%s\"%R>%s</textarea></div>\n",
		    err ? "e-text h-text" : "h-text", err ? " aria-invalid=\"true\"" : "", in->text ? in->text : "");
	language_field(r, e, in->language);
	comment_rows(r, c, ps, nps, in->comments, in->ncomments, e);
	page_table_field(r, e);
	page_attachments_field(r, e);

	err = e ? error_field_message(e, "publication") : NULL;
	enum contribution_publication typed;
	const bool known = contribution_publication_parse(in->publication, &typed);
	html_printf(&r->out, "<fieldset class=\"field%s\"%R><legend>%s</legend>\n", err ? " invalid" : "",
		    err ? " aria-describedby=\"e-publication\"" : "", _("Publication"));
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-publication\">%s</p>\n", err);
	for (enum contribution_publication choice = PUBLICATION_NAMED; choice <= PUBLICATION_PRIVATE; choice++) {
		const char *name = contribution_publication_name(choice), *label = NULL;
		switch (choice) {
		case PUBLICATION_NAMED: label = _("Publish it with my name and organization"); break;
		case PUBLICATION_ANONYMOUS: label = _("Publish it without my name and organization"); break;
		case PUBLICATION_PRIVATE: label = _("Do not publish it: for the secretariat only"); break;
		}
		/* Anonymous hides who wrote, not where from: said beside the choice, read with it. */
		const bool anonymous = choice == PUBLICATION_ANONYMOUS;
		html_printf(&r->out,
			    "<div class=\"choice\"><input type=\"radio\" id=\"f-publication-%s\" name=\"publication\" "
			    "value=\"%s\"%R%R><label for=\"f-publication-%s\">%s</label>%R</div>\n",
			    name, name, known && typed == choice ? " checked" : "",
			    anonymous ? " aria-describedby=\"h-publication-anonymous\"" : "", name, label,
			    anonymous ? arena_printf(&r->arena, "<p class=\"hint\" id=\"h-publication-anonymous\">%s</p>",
						     _("Your category of stakeholder and your country stay public."))
				      : "");
	}
	html_printf(&r->out, "</fieldset>\n");
	page_privacy_note(r, _("Your e-mail address is never published."));
	html_printf(&r->out, "<p><button type=\"submit\" name=\"action\" value=\"send\">%s</button></p>\n</form>\n",
		    _("Send contribution"));
	page_end(r, e && e->code ? http_status_of(e) : 200);
}

void page_contribute_form(struct request *r)
{
	struct call c;
	struct process p;
	if (!load_call(r, &c, &p))
		return;
	enum call_state s = call_state_at(&c, clock_now());
	if (s != CALL_OPEN) {
		/* No form, but when (it closed, or opens) and the way to the call: its documents and what was sent. */
		page_begin(r, c.title);
		html_printf(&r->out, "<h1>%s</h1>\n<p>%s</p>\n", c.title,
			    s == CALL_CLOSED
				    ? _("This call for contributions has closed; contributions are no longer accepted.")
				    : _("This call for contributions is not open yet: its form is offered from its opening."));
		page_deadline(r, &c);
		html_printf(&r->out, "<p><a href=\"/calls/%L\">%s</a></p>\n", (long long)c.id,
			    _("The call: its documents, its deadline and the contributions received"));
		page_end(r, 409);
		return;
	}
	/* A logged-in stakeholder finds the form filled in from the account. */
	struct contribution_input in = {0};
	if (r->account) {
		in.name = r->account->name;
		in.organization = r->account->organization;
		in.country = r->account->country;
		in.email = r->account->email;
		if (process_category(&p, r->account->category))
			in.category = r->account->category;
	}
	/* From a paragraph's "Comment on ¶N" link: one comment row on it (an id not of this version: none). */
	const char *pid = request_query(r, "paragraph");
	struct paragraph chosen;
	struct error pe;
	error_clear(&pe);
	if (pid && paragraph_find(r->db, &r->arena, c.version_id, pid, &chosen, &pe) == 0) {
		struct comment_input *row = arena_alloc(&r->arena, sizeof *row);
		if (row) {
			*row = (struct comment_input){.paragraph = chosen.pid};
			in.comments = row;
			in.ncomments = 1;
		}
	}
	render_form(r, &c, &p, &in, NULL, NULL);
}

/* A contribution sent by the form, kept in the arena while it waits for its group commit. */
struct form_received {
	struct call c;
	struct process p;
	struct contribution_input in;
	struct comment_table table;
	struct receipt receipt;
	struct error e;
	struct contribution_wait wait;
};

/* One text the person wrote, read-only, to copy: a label and a textarea (a textarea keeps its line ends). */
static void kept_text(struct request *r, const char *id, const char *label, const char *text)
{
	if (!text || !*text)
		return;
	html_printf(&r->out,
		    "<div class=\"field\"><label for=\"%s\">%s</label>\n<textarea id=\"%s\" rows=\"8\" readonly>%s</textarea>"
		    "</div>\n",
		    id, label, id, text);
}

/* A contribution refused for its call's state, not its fields: the call closed (or is not yet open) between
 * the form's loading and its sending. The form is no longer offered, so the page says why and gives back what
 * was written, read-only, for the person to keep (nothing was stored): an error page alone lost it. */
static void refused_with_copy(struct request *r, const struct call *c, const struct contribution_input *in,
			      const struct error *e)
{
	page_begin(r, arena_printf(&r->arena, _("Error: %s"), c->title));
	crumbs(r, c, true);
	html_printf(&r->out,
		    "<h1>%s</h1>\n<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\">"
		    "<h2>%s</h2>\n<p>%s</p>\n</div>\n",
		    _("Send a contribution"), _("Your contribution was not sent"), request_error_message(r, e));
	html_printf(&r->out, "<section aria-labelledby=\"kept\"><h2 id=\"kept\">%s</h2>\n<p>%s</p>\n",
		    _("What you wrote"), _("It was not stored. Copy it to keep it, or to send it to the secretariat."));
	kept_text(r, "kept-text", _("Your contribution"), in->text);
	for (int i = 0; i < in->ncomments; i++) {
		const struct comment_input *k = &in->comments[i];
		struct paragraph on;
		struct error pe;
		error_clear(&pe);
		const bool found = k->paragraph && *k->paragraph &&
				   paragraph_find(r->db, &r->arena, c->version_id, k->paragraph, &on, &pe) == 0;
		const char *where = found ? arena_printf(&r->arena, _("Comment %d, on \u00b6%d"), i + 1, on.number)
					  : arena_printf(&r->arena, _("Comment %d, on the whole text"), i + 1);
		kept_text(r, arena_printf(&r->arena, "kept-comment-%d", i + 1), where, k->comment);
		kept_text(r, arena_printf(&r->arena, "kept-change-%d", i + 1),
			  arena_printf(&r->arena, _("Comment %d: proposed change"), i + 1), k->proposed_change);
	}
	html_printf(&r->out, "</section>\n"); /* the breadcrumb leads back to the call */
	page_end(r, http_status_of(e));
}

static void contribute_answer(struct request *r, struct form_received *x, int rc)
{
	if (rc != 0) {
		/* ERROR_CONFLICT: its one-time key was used for other content (sent, then changed after going back):
		 * the form again, with what was typed and a new key, so that sending it stores this one */
		if (!strcmp(x->e.code, ERROR_CONFLICT)) {
			error_clear(&x->e);
			error_set(&x->e, ERROR_CONFLICT, "%s",
				  _("This form was sent before with other content, and that contribution is stored. Nothing "
				    "new was stored: check what you wrote, and send it again to send it as a new "
				    "contribution."));
		}
		if (!strcmp(x->e.code, ERROR_INVALID) || !strcmp(x->e.code, ERROR_CONFLICT))
			render_form(r, &x->c, &x->p, &x->in, &x->e, &x->table);
		else if (!strcmp(x->e.code, ERROR_CALL_CLOSED) || !strcmp(x->e.code, ERROR_CALL_NOT_OPEN))
			refused_with_copy(r, &x->c, &x->in, &x->e);
		else if (http_status_of(&x->e) == 503) {
			/* The queue was full or the store busy: nothing was stored, and the form comes back with what
			 * was typed and the sentence that says to send it again (its files must be chosen again). */
			r->retry_after = "2";
			render_form(r, &x->c, &x->p, &x->in, &x->e, &x->table);
		} else
			page_error(r, &x->e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/receipts/%s%s", x->receipt.tracking,
				       x->receipt.duplicate ? "?again=1" : ""));
}

/* Back from the group commit (request_await). */
static void contribute_resumed(struct request *r)
{
	struct form_received *x = r->then_ctx;
	contribute_answer(r, x, contribution_received(&x->in, &x->receipt, x->wait.rc));
}

/* The fields of the contribution form as they were sent (its comments apart). */
static struct contribution_input form_input(struct request *r, const struct form *f)
{
	return (struct contribution_input){
		.name = form_get(f, "name"),
		.organization = form_get(f, "organization"),
		.category = form_get(f, "category"),
		.country = form_get(f, "country"),
		.email = form_get(f, "email"),
		.text = form_get(f, "text"),
		.publication = form_get(f, "publication"),
		.language = form_get(f, "language"),
		.channel = CHANNEL_WEB,
		.requester = request_client_address(r),
		.account_id = r->account ? r->account->id : 0,
	};
}

void page_contribute_stale(struct request *r)
{
	struct call c;
	struct process p;
	if (!load_call(r, &c, &p))
		return;
	struct contribution_input in = form_input(r, r->form);
	in.comments = form_comments(r, r->form, 0, &in.ncomments);
	struct error e;
	page_form_stale(&e);
	render_form(r, &c, &p, &in, &e, NULL);
	r->status = 403; /* still refused: a page of another site learns nothing from a 200 */
}

void page_contribute_submit(struct request *r)
{
	struct call c;
	struct process p;
	if (!load_call(r, &c, &p))
		return;
	struct error e;
	error_clear(&e);
	if (!r->form) {
		error_set(&e, ERROR_INVALID, N_("Send the form from the contribution page."));
		struct contribution_input empty = {0};
		render_form(r, &c, &p, &empty, &e, NULL);
		r->status = 400;
		return;
	}
	const struct form *f = r->form;
	struct contribution_input in = form_input(r, f);
	/* Add another comment, or remove one: the form again, with what was typed, nothing sent. */
	const char *action = form_get(f, "action");
	int64_t remove = 0;
	const bool adding = action && !strcmp(action, "add");
	if (!action || strncmp(action, "remove-", 7) || !parse_id(action + 7, &remove) || remove > LIMIT_FORM_COMMENTS)
		remove = 0;
	struct comment_input *rows = form_comments(r, f, (int)remove, &in.ncomments);
	if (!rows) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		page_error(r, &e);
		return;
	}
	in.comments = rows;
	if (adding || remove) {
		if (adding && in.ncomments < LIMIT_FORM_COMMENTS)
			rows[in.ncomments++] = (struct comment_input){0}; /* the form offers no more than it shows */
		render_form(r, &c, &p, &in, NULL, NULL);
		return;
	}
	/* A filled comment table is read before the transaction (a Word file runs pandoc); a bad one is refused
	 * at its field, and nothing is stored. */
	struct comment_table table;
	if (page_table_read(r, c.version_id, &in, &table, &e) != 0) {
		if (!strcmp(e.code, ERROR_INVALID))
			render_form(r, &c, &p, &in, &e, NULL);
		else
			page_error(r, &e);
		return;
	}
	/* Its files are checked, their text extracted and scanned before the transaction too; a file refused is
	 * named at the field, with the other fields' errors, and nothing is stored. */
	page_attachments_from_form(r, &in);
	if (attachment_accept(&r->arena, (struct contribution_attachment *)in.attachments, in.nattachments, &e) != 0) {
		struct contribution_input clean;
		struct error checked;
		error_clear(&checked);
		contribution_validate(&r->arena, &in, &clean, &checked);
		for (int i = 0; i < checked.nfields; i++)
			error_field(&e, checked.fields[i].name, "%s", checked.fields[i].message);
		render_form(r, &c, &p, &in, &e, &table);
		return;
	}
	/* Sent again with its one-time key (a double click, a resend): the first one's receipt, nothing stored. */
	const char *once = form_once_sent(r);
	if (once && contribution_idempotency(&r->arena, &in, "form", once) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		page_error(r, &e);
		return;
	}
	in.received_at = r->received_at; /* the deadline is judged when the form arrived */
	struct form_received *x = arena_alloc(&r->arena, sizeof *x);
	if (!x) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		page_error(r, &e);
		return;
	}
	*x = (struct form_received){.c = c, .p = p, .in = in, .table = table, .e = e};
	/* On the event thread the group commit answers through request_await, with no thread waiting. */
	if (request_can_await(r)) {
		x->wait = (struct contribution_wait){.wake = request_awake, .ctx = r};
		x->in.wait = &x->wait;
	}
	const int rc = contribution_receive(r->db, &r->arena, c.id, &x->in, &x->receipt, &x->e);
	if (rc == CONTRIBUTION_QUEUED) {
		request_await(r, contribute_resumed, x);
		return;
	}
	contribute_answer(r, x, rc);
}

/* The files that came with it: name, size and SHA-256, so that the sender can check they are the ones sent. */
static void receipt_attachments(struct request *r, const struct contribution *k)
{
	if (k->nattachments <= 0)
		return;
	html_printf(&r->out,
		    "<section aria-labelledby=\"attachments\" class=\"attachments\"><h3 id=\"attachments\">");
	html_tr(&r->out, "Attachments (%d)", k->nattachments);
	html_printf(&r->out, "</h3>\n<ol class=\"files\">\n");
	for (int i = 0; i < k->nattachments; i++) {
		const struct contribution_attachment *f = &k->attachments[i];
		html_printf(&r->out,
			    "<li><span class=\"file-name\">%s</span>, %s<br>SHA-256: <code class=\"hash\">%s</code></li>\n",
			    f->name ? f->name : "", page_file_size(r, f->size), f->sha256);
	}
	html_printf(&r->out, "</ol>\n</section>\n");
}

/* k's category as p names it to the reader (core/process.h: in their language, else the process's first). */
static void category_as_named(const struct process *p, struct contribution *k)
{
	k->category_name = process_category_name(p, k->category_slug, k->category_name);
}

/* Who may read a receipt: whoever has its tracking number, as before. What it shows therefore stays within
 * what that number already opens: the sender's words unless the secretariat withheld them (a hidden one's
 * number is public, in its place in the list), the name only where it is published anyway (named), the
 * e-mail address never. */
void page_receipt(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *report = NULL;
	struct contribution k;
	struct call c;
	struct process p;
	struct receipt_next next;
	if (contribution_find(r->db, &r->arena, r->params[0], &k, &e) != 0 ||
	    call_find(r->db, &r->arena, k.call_id, &c, &e) != 0 ||
	    process_find_id(r->db, &r->arena, c.process_id, &p, &e) != 0 ||
	    comment_attach(r->db, &r->arena, &k, 1, &e) != 0 ||
	    page_dispositions_attach(r, &k, 1, k.call_id, &e) != 0 ||
	    contribution_attachments(r->db, &r->arena, &k, &e) != 0 ||
	    contribution_table_report(r->db, &r->arena, &k, &report, &e) != 0 ||
	    receipt_next(r->db, &r->arena, &k, &c, &next, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const bool withheld = k.state == CONTRIBUTION_HIDDEN || k.state == CONTRIBUTION_SPAM;
	category_as_named(&p, &k);
	page_begin(r, arena_printf(&r->arena, _("Receipt %s"), k.tracking));
	crumbs(r, &c, true);
	html_printf(&r->out,
		    "<article class=\"receipt\">\n<h1>%s</h1>\n"
		    "<p class=\"receipt-lead\">%s</p>\n"
		    "<p class=\"tracking\"><span class=\"tracking-label\">%s</span> "
		    "<strong id=\"tracking\">%s</strong></p>\n",
		    _("Contribution received"), _("Keep this tracking number: it identifies your contribution."),
		    _("Tracking number"), k.tracking);
	/* On paper, where it came from (the screen has the site's header). */
	html_printf(&r->out, "<p class=\"print-only\">");
	html_tr(&r->out, "Receipt of Consulta: %s/receipts/%s", config_get()->public_url, k.tracking);
	html_printf(&r->out, "</p>\n");
	/* The same form sent again (a double click, a resend): nothing new was stored (core/contribution.h). */
	const char *again = request_query(r, "again");
	if (again && !strcmp(again, "1"))
		html_printf(&r->out, "<p class=\"notice no-print\" role=\"status\">%s</p>\n",
			    _("You already sent this contribution; here is its receipt. Nothing was stored twice."));
	const char *mailed = request_query(r, "mailed");
	if (mailed && !strcmp(mailed, "1"))
		html_printf(&r->out, "<p class=\"notice no-print\" role=\"status\">%s</p>\n",
			    _("This receipt is on its way to the e-mail address given with the contribution."));
	html_printf(&r->out,
		    "<p class=\"print-advice no-print\">%s</p>\n"
		    "<section aria-labelledby=\"about\"><h2 id=\"about\">%s</h2>\n"
		    "<dl class=\"facts\">\n"
		    "<dt>%s</dt><dd><a href=\"/calls/%L\">%s</a></dd>\n"
		    "<dt>%s</dt><dd>",
		    _("To keep a copy on paper or as a PDF, print this page with your browser's Print command (Ctrl+P, or "
		      "\u2318P on a Mac): it prints without the site's menus."),
		    _("What it is about"), _("Call"), (long long)c.id, c.title, _("Version"));
	html_tr(&r->out, "<a href=\"/versions/%L\">%s, %s of %s</a>", (long long)c.version_id, c.document_title,
		c.version_label, page_date(r, c.version_date));
	html_printf(&r->out,
		    "</dd>\n"
		    "<dt>%s</dt><dd>%s<br><span class=\"utc\">%s</span></dd>\n"
		    "<dt>%s</dt><dd>",
		    _("Received"), page_instant_human(r, c.timezone, k.received_at), page_instant_utc(r, k.received_at),
		    _("Deadline of the call"));
	page_deadline(r, &c);
	html_printf(&r->out, "</dd>\n</dl>\n</section>\n");
	/* The copy of what was sent: not of one the secretariat withheld. */
	if (!withheld) {
		html_printf(&r->out, "<section aria-labelledby=\"sent\"><h2 id=\"sent\">%s</h2>\n"
				     "<dl class=\"facts\">\n",
			    _("What you sent"));
		if (k.publication == PUBLICATION_NAMED) {
			html_printf(&r->out, "<dt>%s</dt><dd>%s</dd>\n", _("Name"), k.name);
			if (k.organization && *k.organization)
				html_printf(&r->out, "<dt>%s</dt><dd>%s</dd>\n", _("Organization"), k.organization);
		}
		const char *country = country_name(k.country);
		html_printf(&r->out,
			    "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
			    "<dt>%s</dt><dd>%s</dd>\n</dl>\n",
			    _("Category"), k.category_name, _("Country"),
			    /* TRANSLATORS: a country that the sender did not give. */
			    country ? country : (k.country && *k.country ? k.country : _("not given")), _("Publication"),
			    next.publication);
		if (k.text && *k.text)
			html_printf(&r->out, "<h3>%s</h3>\n<div class=\"text\" dir=\"auto\">%s</div>\n", _("Your text"), k.text);
		page_comments(r, &k, "h3");
		receipt_attachments(r, &k);
		/* And what was understood of its comment table, row by row: skipped rows and notes included. */
		if (report)
			html_printf(&r->out,
				    "<section aria-labelledby=\"table-report\"><h3 id=\"table-report\">%s</h3>\n"
				    "<pre class=\"table-report\">%s</pre></section>\n",
				    _("Your comment table, row by row"), report);
		html_printf(&r->out, "</section>\n");
	}
	html_printf(&r->out,
		    "<section aria-labelledby=\"next\"><h2 id=\"next\">%s</h2>\n<ul class=\"next\">\n"
		    "<li>%s",
		    _("What happens next"), next.moderation);
	if (next.published) {
		html_printf(&r->out, " ");
		html_tr(&r->out, "<a href=\"/contributions/%u\">See your contribution as the public sees it</a>.",
			k.tracking);
	}
	html_printf(&r->out, "</li>\n<li>%s ", next.answers);
	if (next.answers_title)
		html_tr(&r->out, "The answers are due on <strong>%s</strong>, when the schedule says: \u201c%s\u201d",
			page_date(r, next.answers_date), next.answers_title);
	else
		html_printf(&r->out, "%s",
			    _("The answers will follow once the secretariat publishes them; this page shows them then."));
	html_printf(&r->out, "</li>\n<li>");
	html_tr(&r->out, "To hear of each step, <a href=\"/processes/%u#follow\">follow the consultation by e-mail</a>.",
		c.process_slug);
	html_printf(&r->out, "</li>\n<li>");
	html_tr(&r->out, "With an account, <a href=\"%s\">My contributions</a> lists what you send while logged in, "
			 "with the answers.",
		"/account");
	html_printf(&r->out, "</li>\n</ul>\n</section>\n");
	/* Its leaf in the public record, the proof, and the file `consulta verify` checks offline. */
	if (next.leaf_index >= 0) {
		html_printf(&r->out, "<section aria-labelledby=\"record\"><h2 id=\"record\">%s</h2>\n<p>",
			    _("In the public record"));
		html_tr(&r->out,
			"Your contribution is leaf <strong id=\"leaf-index\">%L</strong> of the public, tamper-evident "
			"record: nothing in it can be changed or removed without the change showing. "
			"<a href=\"/receipts/%u/receipt.json\">Download the receipt file</a> (with the proof, to keep and "
			"check offline with <code>consulta verify</code>), or see <a href=\"/log/proof/inclusion?"
			"leaf=%L&amp;size=%L\">the proof</a> and <a href=\"/log/checkpoint\">the signed checkpoint</a>.",
			(long long)next.leaf_index, k.tracking, (long long)next.leaf_index, (long long)next.leaf_size);
		html_printf(&r->out, "</p>\n");
		if (!withheld && next.leaf_salt) {
			html_printf(&r->out, "<p>");
			html_tr(&r->out,
				"Its leaf holds a hash of what you sent with this secret salt, which only this receipt "
				"shows: <code class=\"salt\">%s</code>",
				next.leaf_salt);
			html_printf(&r->out, "</p>\n");
		}
		html_printf(&r->out, "</section>\n");
	}
	/* Mail me this receipt: only to the address the contribution gave, which the page never shows. */
	if (!withheld && k.email && *k.email) {
		html_printf(&r->out,
			    "<section aria-labelledby=\"mail-me\" class=\"no-print\"><h2 id=\"mail-me\">%s</h2>\n"
			    "<form method=\"post\" action=\"/receipts/%u/mail\">\n"
			    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n<p>",
			    _("Mail me this receipt"), k.tracking, auth_csrf_token(r));
		html_tr_n(&r->out,
			  "We send it to the e-mail address given with the contribution, and to no other (at most %d time "
			  "an hour).",
			  "We send it to the e-mail address given with the contribution, and to no other (at most %d times "
			  "an hour).",
			  (unsigned long)RECEIPT_MAILS_PER_HOUR, RECEIPT_MAILS_PER_HOUR);
		html_printf(&r->out, "</p>\n<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
			    _("Mail me this receipt"));
	}
	html_printf(&r->out, "</article>\n");
	page_end(r, 200);
}

void page_receipt_mail(struct request *r)
{
	struct error e;
	error_clear(&e);
	if (receipt_mail_again(r->db, &r->arena, r->params[0], request_client_address(r), &e) != 0) {
		if (!strcmp(e.code, ERROR_THROTTLED) || !strcmp(e.code, ERROR_CONFLICT)) {
			const bool throttled = !strcmp(e.code, ERROR_THROTTLED);
			page_begin(r, _("Receipt not mailed"));
			html_printf(&r->out,
				    "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/receipts/%u\">%s</a></p>\n",
				    _("Receipt not mailed"), _(e.message), r->params[0], _("Back to the receipt"));
			page_end(r, throttled ? 429 : 409);
			return;
		}
		page_error(r, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/receipts/%s?mailed=1", r->params[0]));
}

/* How a contribution came in, as readers say it. */
static const char *channel_text(enum contribution_channel channel)
{
	switch (channel) {
	case CHANNEL_WEB: return _("sent with the web form");
	case CHANNEL_API: return _("sent through the API");
	case CHANNEL_EMAIL: return _("sent by e-mail");
	}
	return contribution_channel_name(channel);
}

/* One published contribution (or a hidden one's place), in the list (in_list: an <h2> linking to its page) or alone
 * on its page (the <h1>). The heading is ours — "Contribution ABC-123 by NAME" — so that a screen reader's list of
 * headings reads as a list of contributions, whatever a sender typed as their name; the name, escaped, is a part of
 * it, never the heading itself. Times are in the process's zone (the call's), as every deadline is. */
static void contribution_block(struct request *r, const struct call *c, const struct contribution *k, bool in_list)
{
	const bool named = k->publication == PUBLICATION_NAMED;
	const char *h = in_list ? "h2" : "h1";
	html_printf(&r->out, "<article class=\"contribution%R\" id=\"c-%s\" aria-labelledby=\"h-%s\"><%R id=\"h-%s\">",
		    contribution_is_hidden(k) ? " hidden" : "", k->tracking, k->tracking, h, k->tracking);
	if (in_list)
		html_tr(&r->out, "<a href=\"/contributions/%u\">Contribution %s</a>", k->tracking, k->tracking);
	else
		html_tr(&r->out, "Contribution %s", k->tracking);
	if (contribution_is_hidden(k)) {
		/* It stays in the record, in its place: its number and the secretariat's reason, not its text. */
		html_printf(&r->out, "</%R>\n<p class=\"meta\">", h);
		html_tr(&r->out, "Hidden by the secretariat: %s", k->moderation_reason ? k->moderation_reason : "");
		html_printf(&r->out, "</p>\n</article>\n");
		return;
	}
	html_printf(&r->out, " <span class=\"by\">");
	if (named)
		/* TRANSLATORS: after "Contribution ABC-123": who sent it. */
		html_tr(&r->out, "by %s", k->name);
	else
		html_printf(&r->out, "%s", _("(anonymous)"));
	html_printf(&r->out, "</span>");
	char utc[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(k->received_at, utc);
	html_printf(&r->out, "</%R>\n<dl class=\"meta\">\n", h);
	if (named && *k->organization)
		html_printf(&r->out, "<div><dt>%s</dt> <dd>%s</dd></div>\n", _("Organization:"), k->organization);
	html_printf(&r->out,
		    "<div><dt>%s</dt> <dd>%s</dd></div>\n<div><dt>%s</dt> <dd>%s</dd></div>\n"
		    "<div><dt>%s</dt> <dd><time datetime=\"%s\">%s</time>, %s</dd></div>\n</dl>\n"
		    "<div class=\"text\" dir=\"auto\">%s</div>\n",
		    _("Category:"), k->category_name, _("Country:"),
		    country_name(k->country) ? country_name(k->country) : k->country, _("Received:"), utc,
		    page_instant_human(r, c->timezone, k->received_at), channel_text(k->channel), k->text);
	/* Its comments, each under its paragraph. */
	page_comments(r, k, in_list ? "h3" : "h2");
	html_printf(&r->out, "</article>\n");
}

/* The list's filters and order as asked (?category=&country=&type=&sort=), each checked by the core. */
struct list_query {
	struct contribution_filter f;
	const char *sort;     /* as asked, "" for the default */
	const char *keep; /* the same as a query string for links, "&amp;"-joined, escaped; "" when none */
};

static void list_query_read(struct request *r, struct list_query *q)
{
	memset(q, 0, sizeof *q);
	q->f.category = request_query(r, "category");
	q->f.country = request_query(r, "country");
	q->f.type = request_query(r, "type");
	q->sort = request_query(r, "sort");
	if (!q->sort || !contribution_sort_parse(q->sort, &q->f.sort)) {
		q->sort = "";
		q->f.sort = CONTRIBUTION_SORT_OLDEST;
	}
	/* ?campaign=ID lists one mass campaign's members, ?campaign=none those in none (core/campaign.h); anything
	 * else lists every one */
	const char *campaign = request_query(r, "campaign");
	if (!campaign || !contribution_campaign_parse(campaign, &q->f.campaign))
		campaign = "";
	struct buf b;
	buf_init(&b, 4096);
	static const char *const names[] = {"category", "country", "type", "campaign", "sort"};
	const char *values[] = {q->f.category, q->f.country, q->f.type, campaign, q->sort};
	for (int i = 0; i < 5; i++)
		if (values[i] && *values[i])
			html_printf(&b, "&amp;%s=%u", names[i], values[i]);
	q->keep = b.failed || !b.data ? "" : arena_strndup(&r->arena, b.data, b.len);
	buf_free(&b);
}

/* The form that narrows and orders the list: a GET form, whole without JavaScript. */
static void list_filters(struct request *r, const struct call *c, const struct process *p, const struct list_query *q)
{
	struct error e;
	error_clear(&e);
	const char **countries = NULL;
	int ncountries = 0;
	if (contribution_countries(r->db, &r->arena, c->id, &countries, &ncountries, &e) != 0)
		ncountries = 0; /* the form without its countries; the list still shows */
	html_printf(&r->out,
		    "<form method=\"get\" action=\"/calls/%L/contributions\" class=\"filters\" "
		    "aria-labelledby=\"filters\">\n<h2 id=\"filters\">%s</h2>\n<div class=\"filter-fields\">\n"
		    "<div class=\"field\"><label for=\"f-category\">%s</label>\n<select id=\"f-category\" "
		    "name=\"category\">\n<option value=\"\">%s</option>\n",
		    (long long)c->id, _("Narrow the list"), _("Category"), _("All categories"));
	for (int i = 0; i < p->ncategories; i++)
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", p->categories[i].slug,
			    q->f.category && !strcmp(q->f.category, p->categories[i].slug) ? " selected" : "",
			    p->categories[i].name);
	html_printf(&r->out, "</select></div>\n<div class=\"field\"><label for=\"f-country\">%s</label>\n"
			     "<select id=\"f-country\" name=\"country\">\n<option value=\"\">%s</option>\n",
		    _("Country"), _("All countries"));
	/* The countries that have contributions, in the order every country list has (by name, ICU's collation:
	 * country_order_by_name); should ICU fail, in code order. */
	const size_t all = country_count();
	size_t *order = ncountries ? arena_alloc(&r->arena, all * sizeof *order) : NULL;
	if (order)
		(void)country_order_by_name(i18n_current(), order);
	for (size_t i = 0; order && i < all; i++) {
		const char *code, *name;
		country_at(order[i], &code, &name);
		for (int k = 0; k < ncountries; k++)
			if (!strcmp(countries[k], code))
				html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", code,
					    q->f.country && !strcmp(q->f.country, code) ? " selected" : "", name);
	}
	static const struct {
		const char *value, *label;
	} types[] = {{"general", N_("General comments")}, {"technical", N_("Technical comments")},
		     {"editorial", N_("Editorial comments")}},
	  sorts[] = {{"oldest", N_("Oldest first")}, {"newest", N_("Newest first")}, {"name", N_("By name (A to Z)")}};
	html_printf(&r->out, "</select></div>\n<div class=\"field\"><label for=\"f-type\">%s</label>\n"
			     "<select id=\"f-type\" name=\"type\">\n<option value=\"\">%s</option>\n",
		    _("With comments of type"), _("Any type"));
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", types[i].value,
			    q->f.type && !strcmp(q->f.type, types[i].value) ? " selected" : "", _(types[i].label));
	/* TRANSLATORS: the order of a list (oldest first, newest first...). */
	html_printf(&r->out, "</select></div>\n<div class=\"field\"><label for=\"f-sort\">%s</label>\n"
			     "<select id=\"f-sort\" name=\"sort\">\n",
		    _("Order"));
	for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++)
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", sorts[i].value,
			    !strcmp(contribution_sort_name(q->f.sort), sorts[i].value) ? " selected" : "",
			    _(sorts[i].label));
	html_printf(&r->out, "</select></div>\n</div>\n");
	/* a campaign's list stays that campaign's when narrowed further */
	if (q->f.campaign == CONTRIBUTION_NO_CAMPAIGN)
		html_printf(&r->out, "<input type=\"hidden\" name=\"campaign\" value=\"none\">\n");
	else if (q->f.campaign > 0)
		html_printf(&r->out, "<input type=\"hidden\" name=\"campaign\" value=\"%L\">\n", (long long)q->f.campaign);
	/* TRANSLATORS: the button that applies a list's filters. */
	html_printf(&r->out, "<p><button type=\"submit\">%s</button>", _("Show"));
	if (*q->keep)
		html_printf(&r->out, " <a href=\"/calls/%L/contributions\">%s</a>", (long long)c->id,
			    _("Show all, oldest first"));
	html_printf(&r->out, "</p>\n</form>\n");
}

/* Reads ?after= or ?before= (a cursor the list's own links carry: keyset paging) into *k and q->f.cursor. false
 * with the answer given (400) when it is not one of ours, or both are asked. */
static bool list_cursor_read(struct request *r, struct list_query *q, struct contribution_cursor *k)
{
	const char *after = request_query(r, "after"), *before = request_query(r, "before");
	if (!after && !before)
		return true;
	if (after && before) {
		page_message(r, 400, _("Ask for the page after a position or the page before one, not both."));
		return false;
	}
	struct error e;
	error_clear(&e);
	if (!contribution_cursor_parse(&r->arena, after ? after : before, q->f.sort, before != NULL,
				       after ? "after" : "before", k, &e)) {
		page_message(r, 400, e.nfields ? e.fields[0].message : _("This is not a position in this list."));
		return false;
	}
	q->f.cursor = k;
	return true;
}

/* Its first page, unfiltered, is the same for every anonymous visitor and changes with every batch of
 * contributions: kept (web/page_cache.h) under the database's change mark for the second it was read in,
 * and during a surge of contributions served without a query while recent to a visitor without our
 * cookie (issue 11: it is read during bursts). New contributions appear to those visitors within
 * PAGE_CACHE_RECENT_MS; one who sent a contribution from this browser sees theirs at once. False: not kept
 * for r. */
static bool contributions_page_kept_as(struct request *r, struct page_state *ps)
{
	memset(ps, 0, sizeof *ps);
	if (page_cache_wanted(r) && request_query_count(r) == 0)
		ps->page = arena_printf(&r->arena, "contributions:%s", r->params[0]);
	return ps->page != NULL;
}

bool page_call_contributions_kept(struct request *r)
{
	struct page_state ps;
	return contributions_page_kept_as(r, &ps) && page_cache_serve_recent(r, &ps, true);
}

void page_call_contributions(struct request *r)
{
	struct page_state ps;
	if (contributions_page_kept_as(r, &ps) &&
	    (page_cache_serve_recent(r, &ps, true) || page_cache_serve_unchanged(r, &ps)))
		return;
	struct call c;
	struct process p;
	if (!load_call(r, &c, &p))
		return;
	/* The list's own links page by cursor (?after=, ?before=: a page deep in the list costs what the first
	 * costs). ?page=N (pages of LIMIT_PAGE_SIZE_DEFAULT) and ?offset=N (items) are still read, for links made
	 * before. */
	const char *qp = request_query(r, "page"), *qo = request_query(r, "offset");
	int64_t page = 1, offset = 0;
	if (qp && !parse_id(qp, &page))
		page = 1;
	const bool by_offset = qo && parse_id(qo, &offset);
	if (!by_offset)
		offset = (page - 1) * LIMIT_PAGE_SIZE_DEFAULT;
	struct list_query q;
	list_query_read(r, &q);
	struct contribution_cursor cursor;
	if (!list_cursor_read(r, &q, &cursor))
		return;
	const bool before = q.f.cursor && q.f.cursor->before;
	if (q.f.cursor)
		offset = 0;
	struct error e;
	error_clear(&e);
	struct contribution *items;
	int n;
	int64_t total, hidden, ncampaigns = 0;
	struct campaign *campaigns = NULL;
	int shown_campaigns = 0;
	/* one more than a page: whether the list goes on in the direction read */
	if (page > 1000000 || offset > 100000000 ||
	    contribution_list_public(r->db, &r->arena, c.id, &q.f, (int)offset, LIMIT_PAGE_SIZE_DEFAULT + 1, &items,
				     &n, &total, &hidden, &e) != 0) {
		if (!e.code)
			error_set(&e, ERROR_NOT_FOUND, N_("There is no such page."));
		page_error(r, &e);
		return;
	}
	const bool more = n > LIMIT_PAGE_SIZE_DEFAULT;
	if (more) {
		n = LIMIT_PAGE_SIZE_DEFAULT;
		if (before) /* read backwards and turned round: the extra one is the first */
			items++;
	}
	if ((!contribution_filter_narrows(&q.f) && offset == 0 && !q.f.cursor &&
	     campaign_list(r->db, &r->arena, c.id, 0, 10, &campaigns, &shown_campaigns, &ncampaigns, &e) != 0) ||
	    comment_attach(r->db, &r->arena, items, n, &e) != 0 || page_dispositions_attach(r, items, n, c.id, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const bool narrowed = contribution_filter_narrows(&q.f);
	const char *feed = arena_printf(&r->arena, "/calls/%lld/feed.atom", (long long)c.id);
	const char *feed_title = arena_printf(&r->arena, _("%s: contributions and deadline (Atom)"), c.title);
	page_begin_feeds(r, arena_printf(&r->arena, _("Contributions \u2014 %s"), c.title), &feed, &feed_title, 1);
	crumbs(r, &c, true);
	html_printf(&r->out, "<h1>%s</h1>\n", _("Published contributions"));
	list_filters(r, &c, &p, &q);
	if (q.f.campaign) {
		html_printf(&r->out, "<p>");
		if (q.f.campaign < 0)
			html_tr(&r->out, "These are not part of a mass campaign. <a href=\"?\">All contributions</a>.");
		else
			html_tr(&r->out, "These sent the same text, or nearly. <a href=\"?\">All contributions</a>.");
		html_printf(&r->out, "</p>\n");
	}
	/* Mass campaigns folded: one line each, its count and links to one text and to its senders. */
	if (shown_campaigns) {
		html_printf(&r->out, "<section class=\"campaigns\" aria-labelledby=\"campaigns\"><h2 id=\"campaigns\">%s"
				     "</h2>\n<ul>\n",
			    _("Mass campaigns"));
		for (int i = 0; i < shown_campaigns; i++) {
			html_printf(&r->out, "<li>");
			html_tr_n(&r->out,
				  "This text was sent by %L contributor \u2014 <a href=\"/contributions/%u\">read one</a>, "
				  "<a href=\"?campaign=%L\">list them</a>.",
				  "This text was sent by %L contributors \u2014 <a href=\"/contributions/%u\">read one</a>, "
				  "<a href=\"?campaign=%L\">list them</a>.",
				  (unsigned long)campaigns[i].members, (long long)campaigns[i].members,
				  campaigns[i].representative, (long long)campaigns[i].id);
			html_printf(&r->out, "</li>\n");
		}
		html_printf(&r->out, "</ul>\n<p>");
		if (ncampaigns > shown_campaigns)
			html_tr(&r->out, "<a href=\"?campaign=none\">The contributions in no campaign</a> (the largest ten "
					 "campaigns are shown).");
		else
			html_tr(&r->out, "<a href=\"?campaign=none\">The contributions in no campaign</a>.");
		html_printf(&r->out, "</p>\n</section>\n");
	}
	/* Items until they hold LIMIT_PAGE_BYTES: long texts make shorter pages, never a cut-off one. The count above
	 * them says how many this page shows, so they are written first, in a buffer of their own (r->out's while
	 * they are written: the blocks write there), and follow the count. */
	struct buf page_so_far = r->out;
	buf_init(&r->out, page_so_far.max > page_so_far.len ? page_so_far.max - page_so_far.len : 0);
	int shown = 0;
	for (; shown < n; shown++) {
		const size_t mark = r->out.len;
		category_as_named(&p, &items[shown]);
		contribution_block(r, &c, &items[shown], true);
		if (shown > 0 && (r->out.failed || r->out.len > LIMIT_PAGE_BYTES)) {
			buf_truncate(&r->out, mark);
			break;
		}
	}
	struct buf list = r->out;
	r->out = page_so_far;
	html_printf(&r->out, "<p class=\"count\">");
	if (total == 0)
		html_printf(&r->out, "%s</p>\n",
			    narrowed ? _("No published contribution matches these choices.")
				     : _("No contribution has been published to this call yet."));
	else if (shown == 0) {
		html_tr(&r->out, "No contribution on this page: the list has %L.", (long long)total);
		html_printf(&r->out, "</p>\n");
	} else if (q.f.cursor) { /* a page after or before a row: its place in the list is not counted */
		if (narrowed)
			html_tr_n(&r->out, "Showing %L of %L contribution matching these choices.",
				  "Showing %L of %L contributions matching these choices.", (unsigned long)total,
				  (long long)shown, (long long)total);
		else
			html_tr_n(&r->out, "Showing %L of %L contribution.", "Showing %L of %L contributions.",
				  (unsigned long)total, (long long)shown, (long long)total);
		html_printf(&r->out, "</p>\n");
	} else {
		if (narrowed)
			html_tr_n(&r->out, "Showing %L\u2013%L of %L contribution matching these choices.",
				  "Showing %L\u2013%L of %L contributions matching these choices.", (unsigned long)total,
				  (long long)offset + 1, (long long)offset + shown, (long long)total);
		else
			html_tr_n(&r->out, "Showing %L\u2013%L of %L contribution.", "Showing %L\u2013%L of %L contributions.",
				  (unsigned long)total, (long long)offset + 1, (long long)offset + shown, (long long)total);
		html_printf(&r->out, "</p>\n");
	}
	if (!narrowed && total) {
		html_printf(&r->out, "<p>");
		html_tr_n(&r->out, "%L published contribution to this call.", "%L published contributions to this call.",
			  (unsigned long)(total - hidden), (long long)(total - hidden));
		html_printf(&r->out, "</p>\n");
	}
	if (hidden && !narrowed) {
		html_printf(&r->out, "<p>");
		html_tr_n(&r->out, "%L hidden by the secretariat: it is listed in its place, with the reason.",
			  "%L hidden by the secretariat: each is listed in its place, with the reason.",
			  (unsigned long)hidden, (long long)hidden);
		html_printf(&r->out, "</p>\n");
	}
	html_printf(&r->out, "<div class=\"contributions\">\n");
	if (list.failed || buf_append(&r->out, list.data ? list.data : "", list.len) != 0)
		r->out.failed = true;
	buf_free(&list);
	html_printf(&r->out, "</div>\n");
	/* Previous and next pages by cursor: before the first row shown, after the last. */
	const bool has_prev = shown > 0 && (q.f.cursor ? !before || more : offset > 0);
	const bool has_next = shown > 0 && (before || more || shown < n);
	const char *prev = has_prev ? contribution_cursor_make(r->db, &r->arena, &items[0], q.f.sort, true, &e) : NULL;
	const char *next = has_next && !e.code
				   ? contribution_cursor_make(r->db, &r->arena, &items[shown - 1], q.f.sort, false, &e)
				   : NULL;
	if (e.code) {
		page_error(r, &e);
		return;
	}
	if (prev || next)
		html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages"));
	if (prev)
		html_printf(&r->out, "<a href=\"?before=%s%R\" rel=\"prev\">%s</a> ", prev, q.keep, _("Previous page"));
	if (next)
		html_printf(&r->out, "<a href=\"?after=%s%R\" rel=\"next\">%s</a>", next, q.keep, _("Next page"));
	if (prev || next)
		html_printf(&r->out, "</nav>\n");
	page_end(r, 200);
	if (ps.page) {
		ps.state = page_mark_state(r, &ps);
		ps.valid_until = clock_now() + 1;
		page_cache_keep(r, &ps);
	}
}

void page_contribution(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct contribution k;
	struct call c;
	if (contribution_find(r->db, &r->arena, r->params[0], &k, &e) != 0 || !contribution_is_public(&k) ||
	    call_find(r->db, &r->arena, k.call_id, &c, &e) != 0 || comment_attach(r->db, &r->arena, &k, 1, &e) != 0 ||
	    page_dispositions_attach(r, &k, 1, k.call_id, &e) != 0) {
		/* A private contribution, one awaiting review or spam is answered exactly like an
		 * unknown one (the words of contribution_find), so that the page does not tell it exists. */
		if (!e.code)
			error_set(&e, ERROR_NOT_FOUND, N_("There is no contribution with this tracking number."));
		page_error(r, &e);
		return;
	}
	struct process p;
	if (process_find_id(r->db, &r->arena, c.process_id, &p, &e) == 0)
		category_as_named(&p, &k);
	error_clear(&e); /* without it, the category keeps the name typed with it */
	page_begin(r, arena_printf(&r->arena, _("Contribution %s"), k.tracking));
	crumbs(r, &c, true);
	contribution_block(r, &c, &k, false);
	if (!contribution_is_hidden(&k))
		page_attachments_list(r, &k, "h2");
	page_end(r, 200);
}
