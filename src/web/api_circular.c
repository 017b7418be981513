/*
 * api_circular — circular letters in the JSON API: a letter as anyone reads
 * it (GET /api/v1/circulars/{id}), and the secretariat's drafts and issue
 * (POST /api/v1/processes/{slug}/circulars, with "issue": true to issue at
 * once; PATCH /api/v1/circular-drafts/{id}; POST .../issue), and a draft's
 * subject and text in another language of its process (POST
 * /api/v1/circular-drafts/{id}/texts/{lang} {"subject", "markdown"}; both
 * empty remove it). A letter's JSON gives its own text's language and its
 * texts in the others, each with its page and its PDF. Each handler
 * translates JSON into core/circular.h and its errors back (422, 404, 409).
 */
#include "core/account.h"
#include "core/circular.h"
#include "core/process.h"
#include "util/i18n.h"
#include "web/api.h"
#include "util/log.h"
#include "web/auth.h"
#include "web/page_circular.h"
#include "web/routes.h"

#include <string.h>

static const char *const DRAFT_MEMBERS[] = {"subject",	  "markdown",	    "contact",	"addressees",
					    "for_information", "references", "corrects", "schedule_annex",
					    "issue",	  NULL};

/* A list member (an array of strings, or one string of items separated by commas) as one string with
 * commas, or NULL when absent; another type is a field error. */
static const char *member_items(struct request *r, json_t *body, const char *name, struct error *e)
{
	json_t *v = json_object_get(body, name);
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return arena_strdup(&r->arena, json_string_value(v));
	if (!json_is_array(v)) {
		error_field(e, name, "%s", _("Must be a list of strings."));
		return NULL;
	}
	const char *out = "";
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		const char *s = json_string_value(item);
		if (!s || !*s || strpbrk(s, ",; \t\r\n")) {
			error_field(e, name, "%s", _("Must be a list of strings without commas or spaces."));
			return NULL;
		}
		out = arena_printf(&r->arena, "%s%s%s", out, i ? "," : "", s);
	}
	return out;
}

/* -1 absent, 0 or 1; another type is a field error. */
static int member_flag(json_t *body, const char *name, struct error *e)
{
	json_t *v = json_object_get(body, name);
	if (!v || json_is_null(v))
		return -1;
	if (!json_is_boolean(v)) {
		error_field(e, name, "%s", _("Must be true or false."));
		return -1;
	}
	return json_is_true(v);
}

static void input_from(struct request *r, json_t *body, struct circular_input *in, struct error *e)
{
	api_known_members(body, DRAFT_MEMBERS, e);
	*in = (struct circular_input){
		.subject = api_member_text(r, body, "subject", e),
		.markdown = api_member_text(r, body, "markdown", e),
		.contact = api_member_text(r, body, "contact", e),
		.for_action = member_items(r, body, "addressees", e),
		.for_information = member_items(r, body, "for_information", e),
		.references = member_items(r, body, "references", e),
		.corrects = api_member_text(r, body, "corrects", e),
		.schedule_annex = member_flag(body, "schedule_annex", e),
	};
	/* the API's names: a field error on for_action is about "addressees" */
}

static json_t *items_json(const char *list)
{
	json_t *out = json_array();
	while (list && *list) {
		size_t len = strcspn(list, ",");
		if (len)
			json_array_append_new(out, json_stringn(list, len));
		list += len + (list[len] == ',');
	}
	return out;
}

/* Texts in other languages as {"fr": {"subject": ..., "markdown": ...}}. */
static json_t *texts_json(const struct circular_text *t, int n)
{
	json_t *o = json_object();
	for (int i = 0; i < n; i++)
		json_object_set_new(o, t[i].language,
				    json_pack("{s:s,s:s}", "subject", t[i].subject, "markdown", t[i].markdown));
	return o;
}

static json_t *draft_json(struct request *r, const struct circular_draft *d)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:b,s:o}", "draft", (json_int_t)d->id, "subject",
			      d->subject, "markdown", d->markdown, "contact", d->contact, "addressees",
			      items_json(d->for_action), "for_information", items_json(d->for_information),
			      "references", items_json(d->references), "corrects", d->corrects, "schedule_annex",
			      d->schedule_annex, "issued", json_boolean(d->circular_id != 0));
	struct circular_text *texts = NULL;
	int ntexts = 0;
	struct error none;
	error_clear(&none);
	if (circular_draft_texts(r->db, &r->arena, d->id, &texts, &ntexts, &none) == 0)
		json_object_set_new(o, "texts", texts_json(texts, ntexts));
	if (d->circular_id) {
		json_object_set_new(o, "reference", json_string(d->issued_reference));
		json_object_set_new(o, "url",
				    json_string(arena_printf(&r->arena, "/letters/%lld", (long long)d->circular_id)));
	}
	return o;
}

static json_t *cite_json(struct request *r, const struct circular_cite *c)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "reference", c->reference, "date", c->date, "subject", c->subject, "url",
			 arena_printf(&r->arena, "/letters/%lld", (long long)c->id));
}

static json_t *letter_json(struct request *r, const struct circular *c)
{
	json_t *to = json_array(), *cites = json_array(), *annex = json_null();
	for (int i = 0; i < c->nto; i++)
		json_array_append_new(to, json_pack("{s:s,s:s,s:s}", "slug", c->to[i].slug, "name", c->to[i].name,
						    "purpose", circular_purpose_name(c->to[i].purpose)));
	for (int i = 0; i < c->ncites; i++)
		json_array_append_new(cites, cite_json(r, &c->cites[i]));
	if (c->has_annex) {
		annex = json_array();
		for (int i = 0; i < c->nannex; i++) {
			const struct circular_annex_row *x = &c->annex[i];
			json_array_append_new(annex, json_pack("{s:s,s:s,s:o,s:s}", "title", x->title, "date", x->date,
							       "end_date", x->end_date ? json_string(x->end_date) : json_null(),
							       "status", x->status));
		}
	}
	return json_pack("{s:I,s:s,s:o,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s}", "id", (json_int_t)c->id,
			 "reference", c->reference, "series", c->series ? json_string(c->series) : json_null(), "number",
			 (json_int_t)c->number, "date", c->date, "subject", c->subject, "markdown", c->markdown ? c->markdown : "",
			 "contact", c->contact ? c->contact : "", "addressees", to, "references", cites, "corrects",
			 c->corrects.id ? cite_json(r, &c->corrects) : json_null(), "annex", annex, "issued_at",
			 c->issued_at ? api_instant(c->issued_at) : json_null(), "url",
			 arena_printf(&r->arena, "/letters/%lld", (long long)c->id));
}

/* A PDF kept for letter id in language (NULL: its own) as {url, sha256, size}, or null if it is not made yet. */
static json_t *pdf_json(struct request *r, int64_t id, const char *language)
{
	char sha[65];
	int64_t size;
	struct error none;
	error_clear(&none);
	if (circular_pdf_find(r->db, &r->arena, id, language, sha, &size, NULL, &none) != 0)
		return json_null();
	const char *url = language ? arena_printf(&r->arena, "/letters/%lld/letter.pdf?text=%s", (long long)id, language)
				   : arena_printf(&r->arena, "/letters/%lld/letter.pdf", (long long)id);
	return json_pack("{s:s,s:s,s:I}", "url", url, "sha256", sha, "size", (json_int_t)size);
}

static void reply_letter(struct request *r, int status, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct circular c;
	if (circular_find(r->db, &r->arena, id, &c, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *o = letter_json(r, &c);
	struct error none;
	error_clear(&none);
	json_object_set_new(o, "pdf", pdf_json(r, id, NULL));
	/* its own text's language (the process's first), and its texts in the others with their pages and PDFs */
	struct process p;
	if (process_find_id_bare(r->db, &r->arena, c.process_id, &p, &none) == 0)
		json_object_set_new(o, "language", json_string(process_first_language(&r->arena, &p)));
	json_t *texts = texts_json(c.texts, c.ntexts);
	for (int i = 0; i < c.ntexts; i++) {
		json_t *t = json_object_get(texts, c.texts[i].language);
		json_object_set_new(t, "url",
				    json_string(arena_printf(&r->arena, "/letters/%lld?text=%s", (long long)id,
							     c.texts[i].language)));
		json_object_set_new(t, "pdf", pdf_json(r, id, c.texts[i].language));
	}
	json_object_set_new(o, "texts", texts);
	/* Where its mails stand: the secretariat's (it says how many people follow the process). */
	struct circular_distribution dist;
	if (r->account && r->account->role == ACCOUNT_SECRETARIAT && circular_distribution(r->db, id, &dist, &none) == 0)
		json_object_set_new(o, "distribution",
				    json_pack("{s:I,s:I,s:I,s:I}", "addresses", (json_int_t)dist.addresses, "sent",
					      (json_int_t)dist.sent, "pending",
					      (json_int_t)(dist.addresses - dist.sent - dist.failed), "failed",
					      (json_int_t)dist.failed));
	reply_json(r, status, o);
}

static void reply_draft(struct request *r, int status, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct circular_draft d;
	if (circular_draft_find(r->db, &r->arena, id, &d, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *o = draft_json(r, &d);
	struct circular_recipients to;
	if (!d.circular_id && circular_draft_recipients(r->db, &r->arena, id, &to, &e) == 0)
		json_object_set_new(o, "recipients",
				    json_pack("{s:I,s:I,s:I}", "addresses", (json_int_t)to.addresses, "subscribers",
					      (json_int_t)to.subscribers, "stakeholders", (json_int_t)to.stakeholders));
	reply_json(r, status, o);
}

/* The core names the addressees for action for_action; the API calls them addressees. */
static void rename_fields(struct error *e)
{
	for (int i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i].name, "for_action"))
			snprintf(e->fields[i].name, sizeof e->fields[i].name, "%s", "addressees");
}

void api_circular(struct request *r)
{
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no such letter."));
		return;
	}
	reply_letter(r, 200, id);
}

void api_circular_create(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct circular_input in;
	input_from(r, body, &in, &e);
	const int issue = member_flag(body, "issue", &e);
	json_decref(body);
	if (in.schedule_annex < 0)
		in.schedule_annex = 0;
	struct actor who = auth_actor(r);
	int64_t draft, letter;
	if (e.code || circular_draft_create(r->db, &r->arena, &who, p.id, &in, &draft, &e) != 0) {
		rename_fields(&e);
		reply_json_error(r, &e);
		return;
	}
	if (issue != 1) {
		reply_draft(r, 201, draft);
		return;
	}
	/* The draft stays (listed in the back office) if it cannot be issued: the answer says why. */
	if (circular_issue(r->db, &r->arena, &who, draft, &letter, &e) != 0) {
		rename_fields(&e);
		reply_json_error(r, &e);
		return;
	}
	page_circular_pdf_after_issue(r, letter);
	reply_letter(r, 201, letter);
}

void api_circular_draft(struct request *r)
{
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no such draft letter."));
		return;
	}
	reply_draft(r, 200, id);
}

/* The draft's id from the route and the change's body: NULL (the answer sent) if either is wrong. */
static json_t *draft_change(struct request *r, int64_t *id)
{
	if (!parse_id(r->params[0], id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no such draft letter."));
		return NULL;
	}
	return api_office_body(r);
}

void api_circular_draft_update(struct request *r)
{
	int64_t id;
	json_t *body = draft_change(r, &id);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	struct circular_input in;
	input_from(r, body, &in, &e);
	if (json_object_get(body, "issue"))
		error_field(&e, "issue", "%s", _("Issue a draft with POST /api/v1/circular-drafts/{id}/issue."));
	json_decref(body);
	struct actor who = auth_actor(r);
	if (e.code || circular_draft_update(r->db, &r->arena, &who, id, &in, &e) != 0) {
		rename_fields(&e);
		reply_json_error(r, &e);
		return;
	}
	reply_draft(r, 200, id);
}

void api_circular_draft_text_put(struct request *r)
{
	int64_t id;
	json_t *body = draft_change(r, &id);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	static const char *const members[] = {"subject", "markdown", NULL};
	api_known_members(body, members, &e);
	const char *subject = api_member_text(r, body, "subject", &e);
	const char *markdown = api_member_text(r, body, "markdown", &e);
	json_decref(body);
	/* both given, always: a text is removed by sending both empty, never by leaving them out */
	if (!subject && !error_field_message(&e, "subject"))
		error_field(&e, "subject", "%s", _("Must be a string."));
	if (!markdown && !error_field_message(&e, "markdown"))
		error_field(&e, "markdown", "%s", _("Must be a string."));
	struct actor who = auth_actor(r);
	if (e.code || circular_draft_text_put(r->db, &r->arena, &who, id, r->params[1], subject, markdown, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_draft(r, 200, id);
}

void api_circular_issue(struct request *r)
{
	int64_t id, letter;
	if (!parse_id(r->params[0], &id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no such draft letter."));
		return;
	}
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (circular_issue(r->db, &r->arena, &who, id, &letter, &e) != 0) {
		rename_fields(&e);
		reply_json_error(r, &e);
		return;
	}
	page_circular_pdf_after_issue(r, letter);
	reply_letter(r, 201, letter);
}
