/*
 * page_office — the secretariat's back office in the browser: the dashboard
 * (every process, what awaits review in each call, the way to the audit log),
 * creating and editing a process, adding a document, and the process's office
 * page, which gathers the schedule (page_office_schedule.c), the calls
 * (page_office_calls.c) and the documents (page_office_versions.c). Also the
 * helpers every office page shares (page_office.h).
 *
 * Every route here is the secretariat's (routes.c checks it before the
 * handler runs); each change goes through the same core function as the JSON
 * API (process_add, process_update, document_add) with the same rules.
 */
#include "web/page_office.h"

#include "core/contribution.h"
#include "core/limits.h"
#include "core/field.h"
#include "core/overview.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/page_circular.h"
#include "web/page_report.h"
#include "web/routes.h"

#include <string.h>

/* -- what every office page shares ------------------------------------------ */

const char *office_milestone_kind_text(enum milestone_kind k)
{
	switch (k) {
	case MILESTONE_VERSION: return _("Version of the text");
	case MILESTONE_MEETING: return _("Meeting");
	case MILESTONE_DEADLINE: return _("Deadline");
	case MILESTONE_PRESENTATION: return _("Presentation");
	/* TRANSLATORS: a kind of milestone in a schedule (not a meeting, deadline, version or presentation). */
	case MILESTONE_OTHER: return _("Other");
	}
	return milestone_kind_name(k);
}

const char *office_milestone_status_text(enum milestone_status s)
{
	switch (s) {
	/* TRANSLATORS: a milestone's status: it is still to happen. */
	case MILESTONE_PLANNED: return _("Planned");
	/* TRANSLATORS: a milestone's status: it has happened. */
	case MILESTONE_DONE: return _("Done");
	case MILESTONE_POSTPONED: return _("Postponed");
	/* TRANSLATORS: a milestone's status. */
	case MILESTONE_CANCELLED: return _("Cancelled");
	}
	return milestone_status_name(s);
}

const char *office_review_text(enum call_review m)
{
	switch (m) {
	case REVIEW_ON_RECEIPT: return _("Publish each contribution as it arrives");
	case REVIEW_AFTER_REVIEW: return _("Publish contributions once the secretariat has reviewed them");
	}
	return call_review_name(m);
}

/* An empty table of choices, for when memory runs out. */
static const char *const NO_CHOICES[][2] = {{NULL, NULL}};

/* A table of n choices and its NULL end, or NULL if memory ran out. */
static const char *(*choices_new(struct request *r, int n))[2]
{
	return arena_alloc(&r->arena, (size_t)(n + 1) * sizeof(const char *[2]));
}

const char *const (*office_milestone_kinds(struct request *r))[2]
{
	const char *(*t)[2] = choices_new(r, MILESTONE_KIND_COUNT);
	if (!t)
		return NO_CHOICES;
	for (int i = 0; i < MILESTONE_KIND_COUNT; i++) {
		t[i][0] = milestone_kind_name((enum milestone_kind)i);
		t[i][1] = office_milestone_kind_text((enum milestone_kind)i);
	}
	return (const char *const (*)[2])t;
}

const char *const (*office_milestone_statuses(struct request *r))[2]
{
	const char *(*t)[2] = choices_new(r, MILESTONE_STATUS_COUNT);
	if (!t)
		return NO_CHOICES;
	for (int i = 0; i < MILESTONE_STATUS_COUNT; i++) {
		t[i][0] = milestone_status_name((enum milestone_status)i);
		t[i][1] = office_milestone_status_text((enum milestone_status)i);
	}
	return (const char *const (*)[2])t;
}

const char *const (*office_review_modes(struct request *r))[2]
{
	const char *(*t)[2] = choices_new(r, REVIEW_AFTER_REVIEW + 1);
	if (!t)
		return NO_CHOICES;
	for (int i = 0; i <= REVIEW_AFTER_REVIEW; i++) {
		t[i][0] = call_review_name((enum call_review)i);
		t[i][1] = office_review_text((enum call_review)i);
	}
	return (const char *const (*)[2])t;
}

struct office_form office_form_for(const char *key, const char *failed, const struct error *e,
				   const struct form *typed)
{
	const bool this = failed && e && e->code && !strcmp(failed, key);
	return (struct office_form){key, this ? e : NULL, this ? typed : NULL};
}

void office_begin(struct request *r, const char *title, const struct error *e)
{
	page_begin(r, e && e->code ? arena_printf(&r->arena, _("Error: %s"), title) : title);
}

void office_done(struct request *r, const char *const table[][2])
{
	const char *done = request_query(r, "done");
	for (int i = 0; done && table[i][0]; i++)
		if (!strcmp(done, table[i][0])) {
			html_printf(&r->out, "<p class=\"confirmation\" role=\"status\">%s</p>\n", table[i][1]);
			return;
		}
}

void office_said(struct request *r, const char *sentence)
{
	if (sentence)
		html_printf(&r->out, "<p class=\"confirmation\" role=\"status\">%s</p>\n", sentence);
}

bool office_confirmed(struct request *r)
{
	const char *confirm = office_field(r, "confirm");
	return confirm && !strcmp(confirm, "yes");
}

void office_confirm_page(struct request *r, const char *heading, const char *const what[], const char *action,
			 const char *button, const char *back)
{
	page_begin(r, heading);
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a>"
			     "</nav>\n<h1>%s</h1>\n<div class=\"confirm-act\">\n",
		    _("Breadcrumb"), _("Back office"), heading);
	for (int i = 0; what[i]; i++)
		html_printf(&r->out, "<p>%s</p>\n", what[i]);
	html_printf(&r->out, "</div>\n");
	office_form_open(r, action, false);
	for (int i = 0; r->form && i < r->form->n; i++)
		if (strcmp(r->form->names[i], "csrf") && strcmp(r->form->names[i], "confirm") &&
		    strcmp(r->form->names[i], "served_to") && strcmp(r->form->names[i], "once"))
			html_printf(&r->out, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", r->form->names[i],
				    r->form->values[i]);
	html_printf(&r->out,
		    "<input type=\"hidden\" name=\"confirm\" value=\"yes\">\n"
		    "<p><button type=\"submit\" class=\"warning\">%s</button> <a href=\"%s\">%s</a>"
		    "</p>\n</form>\n",
		    button, back, _("Cancel: change nothing"));
	page_end(r, 200);
}

void office_error_summary(struct request *r, const struct error *e, const char *key, const char *heading)
{
	if (!e || !e->code)
		return;
	html_printf(&r->out,
		    "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\">"
		    "<h2>%s</h2>\n<p>%s</p>\n",
		    heading, request_error_message(r, e));
	if (e->nfields) {
		html_printf(&r->out, "<ul>\n");
		for (int i = 0; i < e->nfields; i++)
			html_printf(&r->out, "<li><a href=\"#f-%s-%s\">%s</a></li>\n", key, e->fields[i].name,
				    e->fields[i].message);
		html_printf(&r->out, "</ul>\n");
	}
	html_printf(&r->out, "</div>\n");
}

/* The form's opening with its hidden fields: the CSRF token, who it was served to ("served_to", so that what is typed
 * survives the end of the session: page_account.c's login keeps it for that account) and its one-time key
 * ("once": the same form sent twice makes one change, server.c's form_once); once_key NULL makes a new one. */
static void form_open_keyed(struct request *r, const char *action, bool multipart, const char *once_key)
{
	char fresh[SECRET_TOKEN_LEN + 1];
	if (!once_key) {
		secret_token(fresh);
		once_key = fresh;
	}
	html_printf(
	    &r->out,
	    "<form method=\"post\" action=\"%s\"%R novalidate>\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<input type=\"hidden\" name=\"served_to\" value=\"%s\">\n<input type=\"hidden\" name=\"once\" "
	    "value=\"%s\">\n",
	    action, multipart ? " enctype=\"multipart/form-data\"" : "", auth_csrf_token(r), auth_form_author(r),
	    once_key);
}

void office_form_open(struct request *r, const char *action, bool multipart)
{
	form_open_keyed(r, action, multipart, NULL);
}

/* A value worth a text area: several lines, or more than a line's worth. */
static bool long_value(const char *v)
{
	return strchr(v, '\n') || strlen(v) > 80;
}

void office_resend_page(struct request *r, const char *action, const struct form *fields, const char *said, int status)
{
	const char *title = _("Send this form again");
	page_begin(r, title);
	html_printf(
	    &r->out,
	    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a></nav>\n<h1>%s</h1>\n"
	    "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\"><p>%s</p>\n"
	    "<p>%s</p></div>\n",
	    _("Breadcrumb"), _("Back office"), title, said,
	    _("Check what it says below, correct it if needed, and send it again. Files are not kept: choose them "
	      "again on the form's own page."));
	const char *once = fields ? form_get(fields, "once") : NULL;
	form_open_keyed(r, action, false, once && *once && strlen(once) <= SECRET_TOKEN_LEN ? once : NULL);
	for (int i = 0; fields && i < fields->n; i++) {
		const char *name = fields->names[i], *value = fields->values[i];
		if (!strcmp(name, "csrf") || !strcmp(name, "served_to") || !strcmp(name, "once") ||
		    !strcmp(name, "confirm"))
			continue;
		if (long_value(value))
			html_printf(&r->out,
			            "<div class=\"field\"><label for=\"f-again-%d\">%s</label>\n"
			            "<textarea id=\"f-again-%d\" name=\"%s\" rows=\"12\">%s</textarea></div>\n",
			            i, name, i, name, value);
		else
			html_printf(&r->out,
			            "<div class=\"field\"><label for=\"f-again-%d\">%s</label>\n"
			            "<input type=\"text\" id=\"f-again-%d\" name=\"%s\" value=\"%s\"></div>\n",
			            i, name, i, name, value);
	}
	html_printf(&r->out, "<p><button type=\"submit\">%s</button> <a href=\"/office\">%s</a></p>\n</form>\n",
	            _("Send again"), _("Cancel: change nothing"));
	page_end(r, status);
}

const char *office_field(struct request *r, const char *name)
{
	return r->form ? form_get(r->form, name) : NULL;
}

const char *office_value(const struct office_form *f, const char *name, const char *stored)
{
	if (f->typed)
		return form_get(f->typed, name);
	return stored;
}

/* The opening of a field: its label, hint and message; returns the message (or NULL). */
static const char *field_open(struct request *r, const struct office_form *f, const char *name, const char *label,
			      const char *hint)
{
	const char *err = f->e ? error_field_message(f->e, name) : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-%s-%s\">%s</label>\n", err ? " invalid" : "", f->key,
		    name, label);
	if (hint)
		html_printf(&r->out, "<p class=\"hint\" id=\"h-%s-%s\">%s</p>\n", f->key, name, hint);
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-%s-%s\">%s</p>\n", f->key, name, err);
	return err;
}

/* aria-invalid and aria-describedby for a field with this message and hint. */
static const char *field_aria(struct request *r, const struct office_form *f, const char *name, const char *err,
			      const char *hint)
{
	const char *k = f->key;
	if (err && hint)
		return arena_printf(&r->arena, " aria-invalid=\"true\" aria-describedby=\"e-%s-%s h-%s-%s\"", k, name, k,
				    name);
	if (err)
		return arena_printf(&r->arena, " aria-invalid=\"true\" aria-describedby=\"e-%s-%s\"", k, name);
	if (hint)
		return arena_printf(&r->arena, " aria-describedby=\"h-%s-%s\"", k, name);
	return "";
}

void office_input(struct request *r, const struct office_form *f, const char *name, const char *label,
		  const char *hint, const char *value, const char *type, int maxlength)
{
	const char *err = field_open(r, f, name, label, hint);
	html_printf(&r->out, "<input id=\"f-%s-%s\" name=\"%s\" type=\"%s\" value=\"%s\"", f->key, name, name, type,
		    office_value(f, name, value));
	if (maxlength > 0)
		html_printf(&r->out, " maxlength=\"%d\"", maxlength);
	/* The key and name are our own identifiers ([a-z0-9_-]): the attribute text is safe as it is. */
	html_printf(&r->out, "%R></div>\n", field_aria(r, f, name, err, hint));
}

void office_textarea(struct request *r, const struct office_form *f, const char *name, const char *label,
		     const char *hint, const char *value, int rows)
{
	const char *err = field_open(r, f, name, label, hint);
	html_printf(&r->out, "<textarea id=\"f-%s-%s\" name=\"%s\" rows=\"%d\"%R>%s</textarea></div>\n", f->key, name,
		    name, rows, field_aria(r, f, name, err, hint), office_value(f, name, value));
}

void office_select(struct request *r, const struct office_form *f, const char *name, const char *label,
		   const char *const options[][2], const char *value)
{
	const char *err = field_open(r, f, name, label, NULL);
	const char *chosen = office_value(f, name, value);
	html_printf(&r->out, "<select id=\"f-%s-%s\" name=\"%s\"%R>\n", f->key, name, name,
		    field_aria(r, f, name, err, NULL));
	for (int i = 0; options[i][0]; i++)
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", options[i][0],
			    chosen && !strcmp(chosen, options[i][0]) ? " selected" : "", options[i][1]);
	html_printf(&r->out, "</select></div>\n");
}

void office_checkbox(struct request *r, const struct office_form *f, const char *name, const char *label, bool on)
{
	html_printf(&r->out,
		    "<div class=\"check\"><input type=\"checkbox\" id=\"f-%s-%s\" name=\"%s\" value=\"1\"%R>"
		    "<label for=\"f-%s-%s\">%s</label></div>\n",
		    f->key, name, name, on ? " checked" : "", f->key, name, label);
}

void office_radios(struct request *r, const struct office_form *f, const char *name, const char *legend,
		   const char *const options[][2], const char *value)
{
	const char *err = f->e ? error_field_message(f->e, name) : NULL;
	const char *chosen = office_value(f, name, value);
	/* The summary links to the first choice, which carries the field's id. */
	html_printf(&r->out, "<fieldset class=\"field%s\"%R><legend>%s</legend>\n", err ? " invalid" : "",
		    err ? arena_printf(&r->arena, " aria-describedby=\"e-%s-%s\"", f->key, name) : "", legend);
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-%s-%s\">%s</p>\n", f->key, name, err);
	for (int i = 0; options[i][0]; i++)
		html_printf(&r->out,
			    "<div class=\"choice\"><input type=\"radio\" id=\"f-%s-%s%R\" name=\"%s\" value=\"%s\"%R>"
			    "<label for=\"f-%s-%s%R\">%s</label></div>\n",
			    f->key, name, i ? arena_printf(&r->arena, "-%d", i) : "", name, options[i][0],
			    chosen && !strcmp(chosen, options[i][0]) ? " checked" : "", f->key, name,
			    i ? arena_printf(&r->arena, "-%d", i) : "", options[i][1]);
	html_printf(&r->out, "</fieldset>\n");
}

int office_status(const struct error *e)
{
	return e && e->code ? http_status_of(e) : 200;
}

int64_t office_count(struct request *r, int64_t call_id, enum contribution_state state)
{
	struct error e;
	error_clear(&e);
	struct contribution *none;
	int n;
	int64_t total = 0;
	if (contribution_list(r->db, &r->arena, call_id, &state, 0, 0, &none, &n, &total, &e) != 0)
		return 0;
	return total;
}

/* The breadcrumb of an office page: the back office, and the process when there is one. */
static void crumbs(struct request *r, const struct process *p)
{
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a>", _("Breadcrumb"),
		    _("Back office"));
	if (p)
		html_printf(&r->out, " \u203a <a href=\"/office/processes/%u\">%s</a>", p->slug, p->title);
	html_printf(&r->out, "</nav>\n");
}

/* -- the dashboard ----------------------------------------------------------- */

void page_office(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process *ps;
	int n;
	if (process_list(r->db, &r->arena, &ps, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const int64_t held = office_holding_count(r);
	page_begin(r, _("Back office"));
	html_printf(&r->out,
		    "<h1>%s</h1>\n"
		    "<p class=\"actions\"><a class=\"button\" href=\"/office/processes/new\">%s</a> "
		    "<a href=\"/office/audit\">%s</a> <a href=\"/office/holding\">",
		    _("Back office"), _("Create a process"), _("Audit log: every change, by whom and when"));
	html_tr(&r->out, "Held e-mail (%L)", (long long)held);
	html_printf(&r->out,
	            "</a> <a href=\"/office/outbox\">%s</a> <a href=\"/office/pages/about\">%s</a> <a "
	            "href=\"/office/pages/privacy\">%s</a></p>\n"
	            "<section aria-labelledby=\"processes\"><h2 id=\"processes\">%s</h2>\n",
	            _("Outbox: the mail Consulta sends"), _("Edit the about page"), _("Edit the privacy notice"),
	            _("Processes"));
	if (n == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("No process yet."));
	const int64_t now = clock_now();
	for (int i = 0; i < n; i++) {
		struct call *calls;
		int ncalls;
		if (call_list(r->db, &r->arena, ps[i].id, &calls, &ncalls, &e) != 0) {
			page_error(r, &e);
			return;
		}
		html_printf(&r->out,
			    "<h3><a href=\"/office/processes/%u\">%s</a></h3>\n"
			    "<p><a href=\"/processes/%u\">%s</a></p>\n",
			    ps[i].slug, ps[i].title, ps[i].slug, _("Public page of this process"));
		if (ncalls == 0) {
			html_printf(&r->out, "<p>%s</p>\n", _("No call for contributions yet."));
			continue;
		}
		html_printf(&r->out, "<table class=\"office\">\n<caption>");
		html_tr(&r->out, "Calls for contributions of %s", ps[i].title);
		html_printf(&r->out, "</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
				     "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			    /* TRANSLATORS: a table's column: the call for contributions. */
			    _("Call"), _("State"), _("Deadline"), _("Awaiting review"));
		for (int k = 0; k < ncalls; k++) {
			const struct call *c = &calls[k];
			const enum call_state s = call_state_at(c, now);
			const int64_t pending = office_count(r, c->id, CONTRIBUTION_PENDING);
			html_printf(&r->out,
				    "<tr><td><a href=\"/office/calls/%L\">%s</a></td><td><span class=\"state state-%s\">%s"
				    "</span></td><td class=\"date\">%s</td><td><a href=\"/office/calls/%L/contributions?"
				    "state=pending\">",
				    (long long)c->id, c->title, call_state_name(s),
				    _(call_state_label(s)),
				    c->closes_on ? page_date(r, c->closes_on) : page_instant_local(r, c->timezone, c->closes_at),
				    (long long)c->id);
			html_tr(&r->out, "%L<span class=\"visually-hidden\"> awaiting review in %s</span>", (long long)pending,
				c->title);
			html_printf(&r->out, "</a></td></tr>\n");
		}
		html_printf(&r->out, "</tbody>\n</table>\n");
	}
	html_printf(&r->out, "</section>\n");
	page_end(r, 200);
}

/* -- a process: create and edit ---------------------------------------------- */

/* The categories as the form shows them: one per line, "slug: Name". */
static const char *categories_text(struct request *r, const struct process *p)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	for (int i = 0; p && i < p->ncategories; i++)
		buf_printf(&b, "%s: %s\n", p->categories[i].slug, p->categories[i].base_name);
	const char *out = arena_strdup(&r->arena, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* "en,fr" as people write it: "en, fr". */
static const char *languages_text(struct request *r, const char *languages)
{
	struct buf b;
	buf_init(&b, 4096);
	for (const char *s = languages; s && *s; s++)
		if (*s == ',')
			buf_puts(&b, ", ");
		else
			buf_putc(&b, *s);
	const char *out = arena_strdup(&r->arena, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* The next line of a textarea that is not blank, trimmed (in r's arena), *line moved past it; NULL at the end. */
static const char *next_row(struct request *r, const char **line)
{
	while (**line) {
		const char *end = strchr(*line, '\n');
		size_t len = end ? (size_t)(end - *line) : strlen(*line);
		const char *row = field_trimmed(&r->arena, arena_strndup(&r->arena, *line, len));
		*line += len + (end ? 1 : 0);
		if (row && *row)
			return row;
	}
	return NULL;
}

/* The categories typed in the form, one per line: "slug: Name", or a name alone (the core makes its slug). */
static void categories_from(struct request *r, const char *text, struct process_input *in, struct error *e)
{
	in->set_categories = true;
	int n = 0, cap = 0;
	struct category_input *cats = NULL;
	for (const char *line = text ? text : "", *row; (row = next_row(r, &line));) {
		if (n >= LIMIT_CATEGORIES) {
			error_field(e, "categories", _("Name at most %d categories, one per line."), LIMIT_CATEGORIES);
			return;
		}
		struct category_input *c = arena_push(&r->arena, (void **)&cats, &n, &cap, sizeof *cats);
		if (!c) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return;
		}
		const char *colon = strchr(row, ':');
		const char *slug = colon ? field_trimmed(&r->arena, arena_strndup(&r->arena, row, (size_t)(colon - row)))
					 : NULL;
		if (slug && process_slug_valid(slug)) {
			c->slug = slug;
			c->name = field_trimmed(&r->arena, colon + 1);
		} else {
			c->name = row;
		}
	}
	in->categories = cats;
	in->ncategories = n;
}

/* The categories' names per language as the form shows them: one per line, "slug language: Name". */
static const char *category_names_text(struct request *r, const struct process *p)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	for (int i = 0; p && i < p->ncategories; i++)
		for (int k = 0; k < p->categories[i].nnames; k++)
			buf_printf(&b, "%s %s: %s\n", p->categories[i].slug, p->categories[i].names[k].language,
				   p->categories[i].names[k].name);
	const char *out = arena_strdup(&r->arena, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* The names per language typed in the form, one per line ("member-states fr: États membres"), given to the
 * categories read by categories_from(): the form holds them all, so each category's names are replaced. */
static void category_names_from(struct request *r, const char *text, struct process_input *in, struct error *e)
{
	struct category_input *cats = (struct category_input *)in->categories;
	for (int i = 0; i < in->ncategories; i++) {
		cats[i].set_names = true;
		cats[i].names = NULL;
		cats[i].nnames = 0;
	}
	for (const char *line = text ? text : "", *row; (row = next_row(r, &line));) {
		const size_t slug_len = strcspn(row, " \t");
		const char *colon = strchr(row, ':');
		const char *slug = arena_strndup(&r->arena, row, slug_len);
		struct category_input *c = NULL;
		for (int i = 0; slug && i < in->ncategories && !c; i++)
			if (cats[i].slug && !strcmp(cats[i].slug, slug))
				c = &cats[i];
		if (!colon || colon < row + slug_len || !c) {
			error_field(e, "category_names", "%s",
				    _("Write each name as a category's short name, its language, a colon and the name, such "
				      "as: member-states fr: États membres (the category needs a short name in the list "
				      "above)."));
			return;
		}
		if (c->nnames >= LIMIT_CATEGORY_NAMES) {
			error_field(e, "category_names", _("Give at most %d names per category."), LIMIT_CATEGORY_NAMES);
			return;
		}
		struct category_name *names = arena_alloc(&r->arena, sizeof *names * (size_t)(c->nnames + 1));
		if (!names) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return;
		}
		if (c->nnames)
			memcpy(names, c->names, sizeof *names * (size_t)c->nnames);
		names[c->nnames].language =
			field_trimmed(&r->arena, arena_strndup(&r->arena, row + slug_len, (size_t)(colon - row - slug_len)));
		names[c->nnames].name = field_trimmed(&r->arena, colon + 1);
		c->names = names;
		c->nnames++;
	}
}

static void process_input_from(struct request *r, struct process_input *in, struct error *e)
{
	in->slug = office_field(r, "slug");
	in->title = office_field(r, "title");
	in->summary = office_field(r, "summary");
	in->timezone = office_field(r, "timezone");
	in->languages = office_field(r, "languages");
	in->body = office_field(r, "body");
	in->secretariat = office_field(r, "secretariat");
	categories_from(r, office_field(r, "categories"), in, e);
	category_names_from(r, office_field(r, "category_names"), in, e);
}

/* The fields of a process, with the slug only when it is made (its addresses are cited: it does not change). */
static void process_fields(struct request *r, const struct office_form *f, const struct process *p)
{
	if (!p)
		office_input(r, f, "slug", _("Short name for addresses (slug)"),
			     _("Lower-case letters, digits and hyphens, such as wsis-review: the process's address is "
			       "/processes/wsis-review. It cannot change later."),
			     NULL, "text", 64);
	office_input(r, f, "title", _("Title"), NULL, p ? p->title : NULL, "text", LIMIT_TITLE);
	office_textarea(r, f, "summary", _("Summary"), _("One or two sentences: what the text is and who prepares it."),
			p ? p->summary : NULL, 4);
	office_input(r, f, "body", _("Run by"),
		     _("The body that runs the consultation, as the public pages name it, such as \"The Council Working "
		       "Group on ...\"."),
		     p ? p->body : NULL, "text", LIMIT_TITLE);
	office_input(r, f, "secretariat", _("Secretariat"),
		     _("Who answers questions, and how to reach them, such as \"The secretariat of the Working Group, "
		       "consultation@example.org\"."),
		     p ? p->secretariat : NULL, "text", LIMIT_TITLE);
	office_input(r, f, "timezone", _("Time zone"),
		     _("An IANA name, such as Europe/Zurich or America/New_York: deadlines end at midnight there. It "
		       "cannot change once the process has a call for contributions."),
		     p ? p->timezone : NULL, "text", 64);
	office_input(r, f, "languages", _("Languages"), _("Language tags separated by commas, such as en, fr, es."),
		     p ? languages_text(r, p->languages) : "en", "text", 200);
	office_textarea(r, f, "categories", _("Categories of stakeholders"),
			_("One per line: a name (such as Member States), or a short name, a colon and the name (such as "
			  "member-states: Member States). Contributors choose one of them."),
			p ? categories_text(r, p) : NULL, 6);
	office_textarea(r, f, "category_names", _("Category names in other languages"),
			_("One per line: a category's short name, a language code, a colon and the name in that "
			  "language, such as: member-states fr: États membres. Readers see the name in their language, "
			  "else in the process's first language, else the name above."),
			p ? category_names_text(r, p) : NULL, 6);
}

static void process_new_render(struct request *r, const struct error *e)
{
	struct office_form f = office_form_for("process", "process", e, r->form);
	office_begin(r, _("Create a process"), e);
	crumbs(r, NULL);
	html_printf(&r->out, "<h1>%s</h1>\n", _("Create a process"));
	office_error_summary(r, e, "process", _("The process was not created"));
	office_form_open(r, "/office/processes/new", false);
	process_fields(r, &f, NULL);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Create the process"));
	page_end(r, office_status(e));
}

void page_office_process_new_form(struct request *r)
{
	process_new_render(r, NULL);
}

void page_office_process_create(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process_input in = {0};
	process_input_from(r, &in, &e);
	struct actor who = auth_actor(r);
	int64_t id;
	struct process p;
	if (e.code || process_add(r->db, &r->arena, &who, &in, &id, &e) != 0 ||
	    process_find_id_bare(r->db, &r->arena, id, &p, &e) != 0) {
		process_new_render(r, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=created", p.slug));
}

/* -- the process's office page ----------------------------------------------- */

/* "8\u201318 June 2021", as the schedule says a milestone's dates. */
static const char *range_text(struct request *r, const char *date, const char *end_date)
{
	char out[MILESTONE_RANGE_LEN];
	milestone_format_range(date, end_date, out);
	return arena_strdup(&r->arena, out);
}

/* The confirmation of ?done=<code>&id=<id> on a process's office page: the thing named by its id in this
 * process, as the database has it now (the overview just loaded); nothing when the id names none of it. */
static void process_said(struct request *r, const struct overview *o)
{
	const char *done = request_query(r, "done"), *arg = request_query(r, "id");
	const struct process *p = &o->process;
	int64_t id = 0;
	if (!done)
		return;
	if (arg && !parse_id(arg, &id))
		return;
	if (!strcmp(done, "created")) {
		office_said(r, arena_printf(&r->arena, _("Process '%s' created. Add its schedule, documents and calls for "
							 "contributions below."),
					    p->title));
		return;
	}
	if (!strcmp(done, "report")) {
		office_said(r, _("PDF of the report made and kept. Its SHA-256 is below and on the public report."));
		return;
	}
	if (!strcmp(done, "saved")) {
		office_said(r, arena_printf(&r->arena, _("Details of '%s' saved. The public page shows the change."),
					    p->title));
		return;
	}
	const bool milestone = !strcmp(done, "milestone-added") || !strcmp(done, "milestone-saved") ||
			       !strcmp(done, "moved");
	for (int i = 0; milestone && i < o->nmilestones; i++) {
		const struct milestone *m = &o->milestones[i];
		if (m->id != id)
			continue;
		const char *when = range_text(r, m->date, m->end_date);
		if (!strcmp(done, "milestone-added"))
			office_said(r, arena_printf(&r->arena, _("Milestone '%s' added on %s. The public schedule shows it."),
						    m->title, when));
		else if (!strcmp(done, "milestone-saved"))
			office_said(r, arena_printf(&r->arena, _("Milestone '%s' saved: %s, %s."), m->title,
						    office_milestone_kind_text(m->kind), office_milestone_status_text(m->status)));
		else if (!strcmp(done, "moved") && m->nhistory > 0) {
			const struct milestone_move *mv = &m->history[m->nhistory - 1];
			const char *from = mv->from_date ? range_text(r, mv->from_date, mv->from_end_date)
							 : mv->from_label ? mv->from_label : "";
			office_said(r, arena_printf(&r->arena, _("Milestone '%s' moved from %s to %s. The public schedule "
								 "shows the move and its reason."),
						    m->title, from, range_text(r, mv->to_date, mv->to_end_date)));
		}
		return;
	}
	for (int i = 0; i < o->ndocuments; i++) {
		const struct document *d = &o->documents[i];
		if (!strcmp(done, "document-added") && d->id == id) {
			office_said(r, arena_printf(&r->arena, _("Document '%s' added. Post its first version below."),
						    d->title));
			return;
		}
		for (int v = 0; v < d->nversions; v++)
			if (d->versions[v].id == id && (!strcmp(done, "version") || !strcmp(done, "published"))) {
				office_said(r, arena_printf(&r->arena, _("%s of '%s' published: it is on the public page of the "
									 "process, and subscribers are told."),
							    d->versions[v].label, d->title));
				return;
			}
	}
	for (int i = 0; i < o->ncalls; i++)
		if (!strcmp(done, "call-added") && o->calls[i].id == id) {
			const struct call *c = &o->calls[i];
			office_said(r, arena_printf(&r->arena, _("Call '%s' added: open from %s until %s. %s."), c->title,
						    page_instant_human(r, c->timezone, c->opens_at),
						    page_instant_human(r, c->timezone, c->closes_at), office_review_text(c->review)));
			return;
		}
}

void office_process_page(struct request *r, const char *slug, const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct overview o;
	if (overview_load(r->db, &r->arena, slug, &o, &le) != 0) {
		page_error(r, &le);
		return;
	}
	if (process_category_names(r->db, &r->arena, &o.process, &le) != 0) {
		page_error(r, &le);
		return;
	}
	const struct process *p = &o.process;
	office_begin(r, arena_printf(&r->arena, _("Back office: %s"), p->title), e);
	crumbs(r, NULL);
	html_printf(&r->out, "<h1>%s</h1>\n", p->title);
	process_said(r, &o);
	office_error_summary(r, e, failed ? failed : "", _("The change was not made"));
	html_printf(&r->out,
		    "<p class=\"actions\"><a href=\"/processes/%u\">%s</a> "
		    "<a href=\"/office/audit?process=%u\">%s</a></p>\n",
		    p->slug, _("Public page of this process"), p->slug, _("Audit log of this process"));
	office_schedule_section(r, p, o.milestones, o.nmilestones, failed, e);
	office_calls_section(r, p, o.calls, o.ncalls, o.documents, o.ndocuments, o.milestones, o.nmilestones, failed,
			     e);
	office_documents_section(r, p, o.documents, o.ndocuments, failed, e);
	/* meetings: each on its own office page (page_office_meetings.c) */
	html_printf(&r->out, "<section aria-labelledby=\"office-meetings\"><h2 id=\"office-meetings\">%s</h2>\n<ul>\n",
		    _("Meetings"));
	for (int i = 0; i < o.nmeetings; i++) {
		html_printf(&r->out, "<li><a href=\"/office/meetings/%L\">%s: %s</a> ", (long long)o.meetings[i].id,
			    page_date(r, o.meetings[i].date), o.meetings[i].title);
		if (o.meetings[i].cancelled)
			html_tr(&r->out, "(cancelled; %d registered, %d waiting)", o.meetings[i].registered,
				o.meetings[i].waiting);
		else
			html_tr(&r->out, "(%d registered, %d waiting)", o.meetings[i].registered, o.meetings[i].waiting);
		html_printf(&r->out, "</li>\n");
	}
	html_printf(&r->out, "</ul>\n<p><a href=\"/office/processes/%u/meetings/new\">%s</a></p>\n</section>\n",
		    p->slug, _("New meeting"));
	office_report_section(r, p);
	office_letters_section(r, p, failed, e);

	struct office_form f = office_form_for("process", failed, e, r->form);
	html_printf(&r->out,
		    "<section aria-labelledby=\"details\"><h2 id=\"details\">%s</h2>\n<p>", _("Details of the process"));
	html_tr(&r->out, "Short name for addresses: <code>%s</code> (it does not change: its addresses are cited).",
		p->slug);
	html_printf(&r->out, "</p>\n");
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s", p->slug), false);
	process_fields(r, &f, p);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n", _("Save the details"));
	page_end(r, office_status(e));
}

void page_office_process(struct request *r)
{
	office_process_page(r, r->params[0], NULL, NULL);
}

void page_office_process_update(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process_input in = {0};
	process_input_from(r, &in, &e);
	in.slug = NULL; /* the form has no slug: it does not change */
	struct actor who = auth_actor(r);
	if (e.code || process_update(r->db, &r->arena, &who, r->params[0], &in, &e) != 0) {
		if (!strcmp(e.code, ERROR_NOT_FOUND))
			page_error(r, &e);
		else
			office_process_page(r, r->params[0], "process", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=saved", r->params[0]));
}

/* -- documents ------------------------------------------------------------------ */

void page_office_document_create(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct actor who = auth_actor(r);
	int64_t id;
	if (document_add(r->db, &r->arena, &who, p.id, office_field(r, "slug"), office_field(r, "title"), &id,
			 &e) != 0) {
		office_process_page(r, p.slug, "document", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=document-added&id=%lld", p.slug, (long long)id));
}
