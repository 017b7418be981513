/*
 * api_office — the back office in the JSON API: processes, documents and
 * versions (Markdown, or a .docx converted by pandoc), the schedule, calls,
 * moderation and the audit log. Every route here is the secretariat's
 * (routes.c), authenticated by a bearer token or the session cookie (with
 * X-CSRF-Token); each handler translates JSON into the same core function the
 * back-office pages call, and the core's errors back into JSON: 422 with one
 * message per bad field, 404, 409.
 *
 * Bodies are JSON objects; a member this API does not know is refused (422),
 * so that a misspelt "reson" is reported instead of silently ignored.
 */
#include "core/audit.h"
#include "core/call.h"
#include "core/contribution.h"
#include "core/document.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/milestone.h"
#include "core/process.h"
#include "util/utf8.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/routes.h"

#include <sodium.h>
#include <string.h>

json_t *api_json_body(struct request *r, const char *not_json)
{
	if (!r->content_type || strncasecmp(r->content_type, "application/json", 16) != 0) {
		reply_json_problem(r, 415, "unsupported_media_type", not_json);
		return NULL;
	}
	const char *body = r->body.data ? r->body.data : "";
	if (!utf8_valid(body, r->body.len)) {
		reply_json_problem(r, 400, "bad_request", _("The body is not valid UTF-8 text."));
		return NULL;
	}
	json_error_t jerr;
	json_t *json = json_loadb(body, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json || !json_is_object(json)) {
		reply_json_problem(r, 400, "bad_request",
				   json ? _("The body must be a JSON object.")
					: arena_printf(&r->arena, _("The body is not valid JSON: %s (line %d, column %d)."),
						       jerr.text, jerr.line, jerr.column));
		json_decref(json);
		return NULL;
	}
	return json;
}

/* The request's JSON object, or NULL with the answer given (415, 400). The
 * caller json_decref()s it. */
static json_t *office_body(struct request *r)
{
	return api_json_body(r, _("Send the body as application/json."));
}

json_t *api_office_body(struct request *r)
{
	return office_body(r);
}

void api_known_members(json_t *body, const char *const *names, struct error *e)
{
	const char *key;
	json_t *value;
	json_object_foreach(body, key, value)
	{
		bool known = false;
		for (const char *const *n = names; *n && !known; n++)
			known = !strcmp(key, *n);
		if (!known)
			error_field(e, strlen(key) < 32 ? key : "body", "%s", _("This API does not know this member."));
	}
}

const char *api_member_text(struct request *r, json_t *body, const char *name, struct error *e)
{
	const char *s = field_json_string(body, name, e);
	return s ? arena_strndup(&r->arena, s, json_string_length(json_object_get(body, name))) : NULL;
}

/* A list member: a string as it is, or an array of strings joined by commas (for languages). */
static const char *member_list(struct request *r, json_t *body, const char *name, struct error *e)
{
	json_t *v = json_object_get(body, name);
	if (!v || !json_is_array(v))
		return api_member_text(r, body, name, e);
	struct buf b;
	buf_init(&b, 4096);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item) || strchr(json_string_value(item), ',')) {
			error_field(e, name, "%s", _("Must be a list of language tags, such as [\"en\", \"fr\"]."));
			buf_free(&b);
			return NULL;
		}
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, json_string_value(item));
	}
	const char *out = b.failed ? NULL : arena_strdup(&r->arena, b.data ? b.data : "");
	if (b.failed)
		error_field(e, name, "%s", _("The list is too long."));
	buf_free(&b);
	return out;
}

/* A positive integer member into *out; absent leaves it 0. */
static void member_id(json_t *body, const char *name, int64_t *out, struct error *e)
{
	json_t *v = json_object_get(body, name);
	*out = 0;
	if (!v || json_is_null(v))
		return;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		error_field(e, name, "%s", _("Must be a positive integer."));
	else
		*out = json_integer_value(v);
}

/* A category's "names": {"fr": "États membres", ...}, into c (set_names: the names given replace those it had). */
static bool member_category_names(struct request *r, json_t *names, struct category_input *c)
{
	c->set_names = names != NULL;
	if (!names)
		return true;
	if (!json_is_object(names) || json_object_size(names) > LIMIT_CATEGORY_NAMES)
		return false;
	struct category_name *out = arena_alloc(&r->arena, sizeof *out * (json_object_size(names) + 1));
	if (!out)
		return false;
	const char *lang;
	json_t *name;
	int n = 0;
	json_object_foreach(names, lang, name)
	{
		if (!json_is_string(name))
			return false;
		out[n].language = arena_strdup(&r->arena, lang);
		out[n].name = arena_strdup(&r->arena, json_string_value(name));
		n++;
	}
	c->names = out;
	c->nnames = n;
	return true;
}

/* "categories": [{"slug": ..., "name": ..., "names": {"fr": ..., ...}}] or ["Member States", ...]. */
static void member_categories(struct request *r, json_t *body, struct process_input *in, struct error *e)
{
	json_t *v = json_object_get(body, "categories");
	if (!v)
		return;
	in->set_categories = true;
	if (!json_is_array(v)) {
		error_field(e, "categories", "%s", _("Must be a list of categories: [{\"slug\": ..., \"name\": ...}]."));
		return;
	}
	size_t n = json_array_size(v);
	if (n > LIMIT_CATEGORIES) {
		error_field(e, "categories", _("Name at most %d categories."), LIMIT_CATEGORIES);
		return;
	}
	struct category_input *cats = arena_alloc(&r->arena, sizeof *cats * (n ? n : 1));
	if (!cats) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return;
	}
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		json_t *slug = json_is_object(item) ? json_object_get(item, "slug") : NULL;
		json_t *name = json_is_object(item) ? json_object_get(item, "name") : item;
		json_t *names = json_is_object(item) ? json_object_get(item, "names") : NULL;
		if (!json_is_string(name) || (slug && !json_is_null(slug) && !json_is_string(slug)) ||
		    (json_is_object(item) && json_object_size(item) > (size_t)(1 + (slug != NULL) + (names != NULL))) ||
		    !member_category_names(r, names, &cats[i])) {
			error_field(e, "categories", _("Category %zu: give {\"slug\": ..., \"name\": ..., \"names\": {\"fr\": "
						     "...}} (strings) or a name."),
				    i + 1);
			return;
		}
		cats[i].name = arena_strdup(&r->arena, json_string_value(name));
		cats[i].slug = json_is_string(slug) ? arena_strdup(&r->arena, json_string_value(slug)) : NULL;
	}
	in->categories = cats;
	in->ncategories = (int)n;
}

/* The process named by the route's first capture, or NULL with a 404 given. */
static bool load_process(struct request *r, struct process *p)
{
	struct error e;
	error_clear(&e);
	if (process_find(r->db, &r->arena, r->params[0], p, &e) != 0) {
		reply_json_error(r, &e);
		return false;
	}
	return true;
}

bool api_route_id(struct request *r, int64_t *id, const char *not_found)
{
	if (parse_id(r->params[0], id))
		return true;
	reply_json_problem(r, 404, ERROR_NOT_FOUND, not_found);
	return false;
}

/* -- processes -------------------------------------------------------- */

static const char *const PROCESS_MEMBERS[] = {"slug",	     "title",	    "summary",	   "timezone",
					      "languages", "body", "secretariat", "categories", NULL};

static void process_input_from(struct request *r, json_t *body, struct process_input *in, struct error *e)
{
	api_known_members(body, PROCESS_MEMBERS, e);
	in->slug = api_member_text(r, body, "slug", e);
	in->title = api_member_text(r, body, "title", e);
	in->summary = api_member_text(r, body, "summary", e);
	in->timezone = api_member_text(r, body, "timezone", e);
	in->languages = member_list(r, body, "languages", e);
	in->body = api_member_text(r, body, "body", e);
	in->secretariat = api_member_text(r, body, "secretariat", e);
	member_categories(r, body, in, e);
}

/* The process with this id as the answer (201 with its Location, or 200). */
static void reply_process(struct request *r, int status, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find_id(r->db, &r->arena, id, &p, &e) != 0 || process_category_names(r->db, &r->arena, &p, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *o = api_process_json(&p);
	/* The secretariat's view adds what it gave: each category's name as typed and its names per language. */
	json_t *cats = json_object_get(o, "categories");
	for (int i = 0; i < p.ncategories && i < (int)json_array_size(cats); i++) {
		json_t *names = json_object();
		for (int k = 0; k < p.categories[i].nnames; k++)
			json_object_set_new(names, p.categories[i].names[k].language,
					    json_string(p.categories[i].names[k].name));
		json_object_set_new(json_array_get(cats, (size_t)i), "base_name", json_string(p.categories[i].base_name));
		json_object_set_new(json_array_get(cats, (size_t)i), "names", names);
	}
	const char *url = arena_printf(&r->arena, "/api/v1/processes/%s", p.slug);
	json_object_set_new(o, "url", json_string(url));
	if (status == 201)
		r->location = url;
	reply_json(r, status, o);
}

void api_process_create(struct request *r)
{
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	struct process_input in = {0};
	process_input_from(r, body, &in, &e);
	json_decref(body);
	struct actor who = auth_actor(r);
	int64_t id;
	if (e.code || process_add(r->db, &r->arena, &who, &in, &id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_process(r, 201, id);
}

void api_process_update(struct request *r)
{
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	struct process_input in = {0};
	process_input_from(r, body, &in, &e);
	json_decref(body);
	if (in.slug)
		error_field(&e, "slug", "%s", _("The slug of a process does not change: its addresses are cited."));
	struct actor who = auth_actor(r);
	struct process p;
	if (e.code || process_update(r->db, &r->arena, &who, r->params[0], &in, &e) != 0 ||
	    process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_process(r, 200, p.id);
}

/* -- documents and versions ------------------------------------------- */

void api_document_create(struct request *r)
{
	static const char *const members[] = {"slug", "title", NULL};
	struct process p;
	if (!load_process(r, &p))
		return;
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	const char *slug = api_member_text(r, body, "slug", &e), *title = api_member_text(r, body, "title", &e);
	json_decref(body);
	struct actor who = auth_actor(r);
	int64_t id;
	struct document doc;
	if (e.code || document_add(r->db, &r->arena, &who, p.id, slug, title, &id, &e) != 0 ||
	    document_find(r->db, &r->arena, p.id, arena_printf(&r->arena, "%lld", (long long)id), &doc, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, 201, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)doc.id, "process", p.slug, "slug",
				     doc.slug, "title", doc.title, "versions_url",
				     arena_printf(&r->arena, "/api/v1/processes/%s/documents/%s/versions", p.slug,
						  doc.slug)));
}

/* "docx": the file's bytes in base64 (RFC 4648, with padding), into *out. */
static void member_docx(struct request *r, json_t *body, const void **out, size_t *len, struct error *e)
{
	json_t *v = json_object_get(body, "docx");
	*out = NULL;
	*len = 0;
	if (!v || json_is_null(v))
		return;
	if (!json_is_string(v)) {
		error_field(e, "docx", "%s", _("Must be a string: the file in base64."));
		return;
	}
	size_t n = json_string_length(v);
	if (n / 4 * 3 > (size_t)LIMIT_DOCX + 3) {
		error_field(e, "docx", _("The file is larger than %d KiB."), LIMIT_DOCX / 1024);
		return;
	}
	unsigned char *bin = arena_alloc(&r->arena, n / 4 * 3 + 3);
	size_t bin_len = 0;
	if (!bin || sodium_base642bin(bin, n / 4 * 3 + 3, json_string_value(v), n, " \r\n", &bin_len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0) {
		error_field(e, "docx", "%s", _("Send the file in base64 (RFC 4648, with padding)."));
		return;
	}
	*out = bin;
	*len = bin_len;
}

void api_version_create(struct request *r)
{
	static const char *const members[] = {"date", "label", "note", "markdown", "docx", NULL};
	struct process p;
	if (!load_process(r, &p))
		return;
	struct error e;
	error_clear(&e);
	struct document doc;
	if (document_find(r->db, &r->arena, p.id, r->params[1], &doc, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *body = office_body(r);
	if (!body)
		return;
	api_known_members(body, members, &e);
	struct version_input in = {
		.date = api_member_text(r, body, "date", &e),
		.label = api_member_text(r, body, "label", &e),
		.note = api_member_text(r, body, "note", &e),
		.markdown = api_member_text(r, body, "markdown", &e),
	};
	member_docx(r, body, &in.docx, &in.docx_len, &e);
	json_decref(body);
	struct actor who = auth_actor(r);
	int64_t id;
	struct version v;
	struct document same;
	if (e.code || version_add(r->db, &r->arena, &who, doc.id, &in, &id, &e) != 0 ||
	    version_find(r->db, &r->arena, id, &v, &same, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	const char *url = arena_printf(&r->arena, "/versions/%lld", (long long)id);
	r->location = url;
	/* A version with uncertain paragraph matches is a draft: its matches wait at matches_url. */
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "id", (json_int_t)v.id, "process", p.slug,
	                      "document", doc.slug, "date", v.date, "label", v.label, "note", v.note, "paragraphs",
	                      v.paragraphs, "markdown", v.markdown, "url", url, "state", version_state_name(v.state));
	json_object_set_new(o, "api_url", json_string(arena_printf(&r->arena, "/api/v1/versions/%lld", (long long)id)));
	if (v.state == VERSION_DRAFT)
		json_object_set_new(
		    o, "matches_url",
		    json_string(arena_printf(&r->arena, "/api/v1/versions/%lld/matches", (long long)id)));
	reply_json(r, 201, o);
}

/* -- the schedule ----------------------------------------------------- */

static void reply_milestone(struct request *r, int status, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct milestone m;
	if (milestone_find(r->db, &r->arena, id, &m, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, status, api_milestone_json(&m));
}

void api_milestone_create(struct request *r)
{
	static const char *const members[] = {"date", "end_date", "title", "kind", NULL};
	struct process p;
	if (!load_process(r, &p))
		return;
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	struct milestone_input in = {
		.date = api_member_text(r, body, "date", &e),
		.end_date = api_member_text(r, body, "end_date", &e),
		.title = api_member_text(r, body, "title", &e),
		.kind = api_member_text(r, body, "kind", &e),
	};
	json_decref(body);
	struct actor who = auth_actor(r);
	int64_t id;
	if (e.code || milestone_add(r->db, &r->arena, &who, p.id, &in, &id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_milestone(r, 201, id);
}

void api_milestone_update(struct request *r)
{
	static const char *const members[] = {"title", "kind", "status", "date", "end_date", NULL};
	int64_t id;
	if (!api_route_id(r, &id, _("There is no such milestone.")))
		return;
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	struct milestone_input in = {
		.title = api_member_text(r, body, "title", &e),
		.kind = api_member_text(r, body, "kind", &e),
		.status = api_member_text(r, body, "status", &e),
		.date = api_member_text(r, body, "date", &e),
		.end_date = api_member_text(r, body, "end_date", &e),
	};
	json_decref(body);
	struct actor who = auth_actor(r);
	if (e.code || milestone_update(r->db, &r->arena, &who, id, &in, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_milestone(r, 200, id);
}

void api_milestone_move(struct request *r)
{
	static const char *const members[] = {"date", "end_date", "reason", NULL};
	int64_t id;
	if (!api_route_id(r, &id, _("There is no such milestone.")))
		return;
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	const char *date = api_member_text(r, body, "date", &e), *end_date = api_member_text(r, body, "end_date", &e),
		   *reason = api_member_text(r, body, "reason", &e);
	json_decref(body);
	struct actor who = auth_actor(r);
	if (e.code || milestone_move(r->db, &r->arena, &who, id, date, end_date, reason, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_milestone(r, 200, id);
}

/* -- calls ------------------------------------------------------------ */

static void reply_call(struct request *r, int status, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct call c;
	if (call_find(r->db, &r->arena, id, &c, &e) != 0 || call_history(r->db, &r->arena, &c, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	if (status == 201)
		r->location = arena_printf(&r->arena, "/api/v1/calls/%lld", (long long)id);
	reply_json(r, status, api_call_json(r, &c));
}

/* The review mode a body asks for: "review" (on_receipt or after_review), or "review_before_publishing" (true
 * for after_review, false for on_receipt), the same setting as a yes or no; review when the body has no
 * review_before_publishing. Both given and in disagreement: an error by the field. */
static const char *review_member(json_t *body, const char *review, struct error *e)
{
	json_t *v = json_object_get(body, "review_before_publishing");
	if (!v)
		return review;
	if (!json_is_boolean(v)) {
		error_field(e, "review_before_publishing", "%s", _("Give true (review each contribution before it is published) "
							   "or false (publish each as it arrives)."));
		return review;
	}
	const char *named = call_review_name(json_is_true(v) ? REVIEW_AFTER_REVIEW : REVIEW_ON_RECEIPT);
	if (review && strcmp(review, named))
		error_field(e, "review_before_publishing", "%s", _("This says the opposite of review: give one of them."));
	return named;
}

void api_call_create(struct request *r)
{
	static const char *const members[] = {"version_id", "title", "description", "opens_on", "closes_on", "review",
					      "review_before_publishing", "milestone_id", NULL};
	struct process p;
	if (!load_process(r, &p))
		return;
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	struct call_input in = {
		.title = api_member_text(r, body, "title", &e),
		.description = api_member_text(r, body, "description", &e),
		.opens_on = api_member_text(r, body, "opens_on", &e),
		.closes_on = api_member_text(r, body, "closes_on", &e),
		.review = api_member_text(r, body, "review", &e),
	};
	in.review = review_member(body, in.review, &e);
	member_id(body, "version_id", &in.version_id, &e);
	member_id(body, "milestone_id", &in.milestone_id, &e);
	json_decref(body);
	struct actor who = auth_actor(r);
	int64_t id;
	if (e.code || call_add(r->db, &r->arena, &who, p.id, &in, &id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_call(r, 201, id);
}

void api_call_update(struct request *r)
{
	static const char *const members[] = {"closes_on", "closes_at", "state", "review", "review_before_publishing",
					      "reason", NULL};
	int64_t id;
	if (!api_route_id(r, &id, _("There is no such call for contributions.")))
		return;
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	struct call_change_input in = {
		.closes_on = api_member_text(r, body, "closes_on", &e),
		.closes_at = api_member_text(r, body, "closes_at", &e),
		.state = api_member_text(r, body, "state", &e),
		.review = api_member_text(r, body, "review", &e),
		.reason = api_member_text(r, body, "reason", &e),
	};
	in.review = review_member(body, in.review, &e);
	json_decref(body);
	struct actor who = auth_actor(r);
	if (e.code || call_change(r->db, &r->arena, &who, id, &in, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_call(r, 200, id);
}

/* -- moderation ------------------------------------------------------- */

/* The whole record, as the secretariat reads it. */
static json_t *contribution_full_json(const struct contribution *k)
{
	return json_pack("{s:s,s:I,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "tracking", k->tracking, "call",
			 (json_int_t)k->call_id, "received_at", api_instant(k->received_at), "channel",
			 contribution_channel_name(k->channel), "name", k->name, "organization", k->organization, "category",
			 k->category_slug, "country", k->country, "email", k->email, "text", k->text, "publication",
			 contribution_publication_name(k->publication), "state", contribution_state_name(k->state), "reason",
			 k->moderation_reason ? json_string(k->moderation_reason) : json_null(), "moderated_at",
			 k->moderated_at ? api_instant(k->moderated_at) : json_null(), "comments", api_comments_json(k));
}

void api_call_moderation(struct request *r)
{
	int64_t id, page = 1, per_page = LIMIT_PAGE_SIZE_DEFAULT, offset = -1;
	if (!api_route_id(r, &id, _("There is no such call for contributions.")))
		return;
	struct error e;
	error_clear(&e);
	const char *state = request_query(r, "state"), *p = request_query(r, "page"),
		   *pp = request_query(r, "per_page"), *o = request_query(r, "offset");
	enum contribution_state in_state = CONTRIBUTION_PENDING;
	if (state && !contribution_state_parse(state, &in_state))
		error_field(&e, "state", "%s", _("Use published, pending, hidden or spam."));
	if (p && (!parse_id(p, &page) || page > 1000000))
		error_field(&e, "page", "%s", _("Use a page number from 1."));
	/* offset: where a page cut short by LIMIT_PAGE_BYTES continues (its next link) */
	if (o && !strcmp(o, "0"))
		offset = 0;
	else if (o && (!parse_id(o, &offset) || offset > 100000000))
		error_field(&e, "offset", "%s", _("Use a number of items to skip, from 0."));
	if (o && p)
		error_field(&e, "page", "%s", _("Ask for a page or an offset, not both."));
	if (pp && (!parse_id(pp, &per_page) || per_page > LIMIT_PAGE_SIZE))
		error_field(&e, "per_page", _("Use a page size from 1 to %d."), LIMIT_PAGE_SIZE);
	struct call c;
	struct contribution *items;
	int n;
	int64_t total;
	const int64_t start = offset >= 0 ? offset : (page - 1) * per_page;
	if (e.code || call_find(r->db, &r->arena, id, &c, &e) != 0 ||
	    contribution_list(r->db, &r->arena, id, state ? &in_state : NULL, (int)start, (int)per_page, &items, &n,
			      &total, &e) != 0 ||
	    comment_attach(r->db, &r->arena, items, n, &e) != 0 || api_dispositions_attach(r, items, n, id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	int shown; /* next says where the rest starts */
	json_t *arr = api_contributions_by_size(items, n, contribution_full_json, &shown);
	const char *filter = state ? arena_printf(&r->arena, "state=%s&", state) : NULL;
	if (!filter)
		filter = "";
	const char *more = start + shown >= total ? NULL
			   : offset < 0 && shown == n
				   ? arena_printf(&r->arena, "/api/v1/calls/%lld/moderation?%spage=%lld&per_page=%lld",
						  (long long)id, filter, (long long)page + 1, (long long)per_page)
				   : arena_printf(&r->arena, "/api/v1/calls/%lld/moderation?%soffset=%lld&per_page=%lld",
						  (long long)id, filter, (long long)(start + shown), (long long)per_page);
	json_t *next = more ? json_string(more) : json_null();
	reply_json(r, 200, json_pack("{s:o,s:o,s:I,s:I,s:I,s:o}", "contributions", arr, "page",
				     offset < 0 ? json_integer(page) : json_null(), "offset", (json_int_t)start, "per_page",
				     (json_int_t)per_page, "total", (json_int_t)total, "next", next));
}

void api_contribution_moderate(struct request *r)
{
	static const char *const members[] = {"action", "reason", NULL};
	json_t *body = office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	const char *action = api_member_text(r, body, "action", &e), *reason = api_member_text(r, body, "reason", &e);
	json_decref(body);
	struct actor who = auth_actor(r);
	struct contribution k;
	if (e.code || contribution_moderate(r->db, &r->arena, &who, r->params[0], action, reason, &k, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, 200, contribution_full_json(&k));
}

/* -- the audit log ---------------------------------------------------- */

/* A stored JSON text as JSON again (or as a string, should it not parse). */
static json_t *stored_json(const char *text)
{
	if (!text)
		return json_null();
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	return v ? v : json_string(text);
}

/* A kind to filter by: lower-case words joined by dots or underscores, "call.extend" or the family "call.". */
static bool audit_kind_valid(const char *kind)
{
	size_t n = strlen(kind);
	return n > 0 && n <= 64 && strspn(kind, "abcdefghijklmnopqrstuvwxyz_.") == n;
}

void api_audit(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *slug = request_query(r, "process"), *kind = request_query(r, "kind"),
		   *before_arg = request_query(r, "before"), *limit_arg = request_query(r, "limit");
	int64_t before = 0, limit = 50;
	if (slug && !process_slug_valid(slug))
		error_field(&e, "process", "%s", _("Give the slug of a process."));
	if (kind && !audit_kind_valid(kind))
		error_field(&e, "kind", "%s", _("Give a kind such as call.extend, or a family such as call."));
	if (before_arg && !parse_id(before_arg, &before))
		error_field(&e, "before", "%s", _("Give the id of an entry: the entries before it are listed."));
	if (limit_arg && (!parse_id(limit_arg, &limit) || limit > LIMIT_AUDIT_PAGE))
		error_field(&e, "limit", _("Use a number of entries from 1 to %d."), LIMIT_AUDIT_PAGE);
	struct process p = {0};
	struct audit_entry *items;
	int n;
	if (e.code || (slug && process_find(r->db, &r->arena, slug, &p, &e) != 0) ||
	    audit_list(r->db, &r->arena, p.id, kind, before, (int)limit, &items, &n, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct audit_entry *x = &items[i];
		json_array_append_new(arr, json_pack("{s:I,s:o,s:s,s:o,s:s,s:s,s:o,s:o}", "id", (json_int_t)x->id, "at",
						     api_instant(x->at), "actor", x->actor, "process",
						     x->process_slug ? json_string(x->process_slug) : json_null(), "kind",
						     x->kind, "object", x->object, "before", stored_json(x->before),
						     "after", stored_json(x->after)));
	}
	/* Older entries: the same filters, before the last one listed (slug and kind are URL-safe, checked above). */
	const char *more = n == limit ? arena_printf(&r->arena, "/api/v1/audit?%s%s%s%s%s%sbefore=%lld&limit=%lld",
						     slug ? "process=" : "", slug ? slug : "", slug ? "&" : "",
						     kind ? "kind=" : "", kind ? kind : "", kind ? "&" : "",
						     (long long)items[n - 1].id, (long long)limit)
				      : NULL;
	json_t *next = more ? json_string(more) : json_null();
	reply_json(r, 200, json_pack("{s:o,s:o}", "entries", arr, "next", next));
}
