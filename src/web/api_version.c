/*
 * api_version — a version in the JSON API: its Markdown and its paragraphs
 * with where each came from (public, once published), and, for the
 * secretariat, the matches of a draft's paragraphs, the decisions on the
 * uncertain ones, and publishing it (core/document.h: version_confirm).
 *
 * A draft answers 404 to anyone but the secretariat, as if it did not exist:
 * it is not public until published.
 *
 * A version's texts in its process's other languages (core/version_text.h):
 * /api/v1/versions/{id}/texts/{lang}, read by anyone, given by the secretariat
 * (POST {"markdown": ...}: a new text or one that replaces the last).
 */
#include "core/document.h"
#include "core/paragraph.h"
#include "core/process.h"
#include "core/version_text.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

static bool secretariat(const struct request *r)
{
	return r->account && r->account->role == ACCOUNT_SECRETARIAT;
}

/* The version of the route with its document and process, or false with the answer given. A draft is
 * found only by the secretariat. */
static bool load(struct request *r, struct version *v, struct document *doc, struct process *p)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
	else if (version_find(r->db, &r->arena, id, v, doc, &e) == 0 && v->state == VERSION_DRAFT && !secretariat(r))
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
	else if (!e.code)
		process_find_id_bare(r->db, &r->arena, doc->process_id, p, &e);
	if (e.code) {
		reply_json_error(r, &e);
		return false;
	}
	return true;
}

static json_t *pids_json(const char *const *pids, int n)
{
	json_t *a = json_array();
	for (int k = 0; k < n; k++)
		json_array_append_new(a, json_string(pids[k]));
	return a;
}

/* One paragraph; with where it came from when the version had a previous one. */
static json_t *paragraph_json(const struct paragraph *q, bool matched)
{
	json_t *o = json_pack("{s:s,s:i,s:s}", "id", q->pid, "number", q->number, "text", q->text);
	if (matched) {
		json_object_set_new(o, "relation", json_string(q->relation ? q->relation : "new"));
		json_object_set_new(o, "from", pids_json(q->from, q->nfrom));
		json_object_set_new(o, "similarity",
		                    q->similarity >= 0 ? json_real(q->similarity / 1000.0) : json_null());
		json_object_set_new(o, "uncertain", json_boolean(q->uncertain));
	}
	return o;
}

static json_t *version_json(struct request *r, const struct version *v, const struct document *doc,
                            const struct process *p, const struct paragraph *q, int nq)
{
	json_t *paragraphs = json_array();
	for (int i = 0; i < nq; i++)
		json_array_append_new(paragraphs, paragraph_json(&q[i], v->previous_id != 0));
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:o}", "id", (json_int_t)v->id, "process",
	                      p->slug, "document", doc->slug, "document_title", doc->title, "date", v->date, "label",
	                      v->label, "note", v->note, "state", version_state_name(v->state), "paragraph_count",
	                      v->paragraphs, "markdown", v->markdown ? v->markdown : "", "paragraphs", paragraphs);
	json_object_set_new(o, "previous_version_id", v->previous_id ? json_integer(v->previous_id) : json_null());
	/* Its own text's language (the process's first) and the languages it has a text in besides. */
	json_object_set_new(o, "language", json_stringn(p->languages ? p->languages : "en",
							p->languages ? strcspn(p->languages, ",") : 2));
	json_object_set_new(o, "url", json_string(arena_printf(&r->arena, "/versions/%lld", (long long)v->id)));
	if (v->state == VERSION_DRAFT)
		json_object_set_new(
		    o, "matches_url",
		    json_string(arena_printf(&r->arena, "/api/v1/versions/%lld/matches", (long long)v->id)));
	return o;
}

static void reply_version(struct request *r, int status, const struct version *v, const struct document *doc,
                          const struct process *p)
{
	struct error e;
	error_clear(&e);
	struct paragraph *q;
	int nq;
	if (paragraph_list(r->db, &r->arena, v->id, &q, &nq, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	const char **texts = NULL;
	int ntexts = 0;
	if (version_text_languages(r->db, &r->arena, v->id, &texts, &ntexts, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *o = version_json(r, v, doc, p, q, nq);
	json_t *jt = json_object();
	for (int i = 0; i < ntexts; i++)
		json_object_set_new(jt, texts[i],
				    json_string(arena_printf(&r->arena, "/api/v1/versions/%lld/texts/%s", (long long)v->id,
							     texts[i])));
	json_object_set_new(o, "texts", jt);
	/* Every language it can be read in, its own first: each with its page, and (but its own, which is "markdown"
	 * above) the address of its text. */
	json_t *langs = json_array();
	const char *own = json_string_value(json_object_get(o, "language"));
	for (int i = -1; langs && i < ntexts; i++) {
		const char *l = i < 0 ? own : texts[i];
		json_t *one = json_pack("{s:s,s:b,s:s}", "language", l ? l : "", "own", i < 0, "page",
					arena_printf(&r->arena, "/versions/%lld?text=%s", (long long)v->id, l ? l : ""));
		if (one && i >= 0)
			json_object_set(one, "text", json_object_get(jt, texts[i]));
		json_array_append_new(langs, one);
	}
	json_object_set_new(o, "languages", langs);
	/* The newest published version, when this one is older: what the page's notice says. */
	struct version newest;
	struct error none;
	error_clear(&none);
	if (version_newest(r->db, &r->arena, doc->id, &newest, &none) == 0 && newest.id != v->id &&
	    v->state == VERSION_PUBLISHED)
		json_object_set_new(o, "newer_version",
		                    json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)newest.id, "label", newest.label,
		                              "date", newest.date, "compare_url",
		                              arena_printf(&r->arena, "/versions/%lld/compare/%lld", (long long)v->id,
		                                           (long long)newest.id)));
	reply_json(r, status, o);
}

void api_version(struct request *r)
{
	struct version v;
	struct document doc;
	struct process p;
	if (load(r, &v, &doc, &p))
		reply_version(r, 200, &v, &doc, &p);
}

static void reply_matches(struct request *r, const struct version *v)
{
	struct error e;
	error_clear(&e);
	struct paragraph *q, *old = NULL;
	int nq, nold = 0;
	if (paragraph_list(r->db, &r->arena, v->id, &q, &nq, &e) != 0 ||
	    (v->previous_id && paragraph_list(r->db, &r->arena, v->previous_id, &old, &nold, &e) != 0)) {
		reply_json_error(r, &e);
		return;
	}
	json_t *matches = json_array(), *removed = json_array();
	int uncertain = 0;
	for (int i = 0; i < nq; i++) {
		json_t *o = paragraph_json(&q[i], true);
		json_t *sources = json_array();
		for (int k = 0; k < q[i].nfrom; k++)
			for (int j = 0; j < nold; j++)
				if (!strcmp(old[j].pid, q[i].from[k]))
					json_array_append_new(sources,
					                      json_pack("{s:s,s:i,s:s}", "id", old[j].pid, "number",
					                                old[j].number, "text", old[j].text));
		json_object_set_new(o, "sources", sources);
		json_array_append_new(matches, o);
		uncertain += q[i].uncertain;
	}
	for (int j = 0; j < nold; j++) {
		bool kept = false;
		for (int i = 0; i < nq && !kept; i++)
			for (int k = 0; k < q[i].nfrom && !kept; k++)
				kept = !strcmp(q[i].from[k], old[j].pid);
		if (!kept)
			json_array_append_new(removed, json_pack("{s:s,s:i,s:s}", "id", old[j].pid, "number",
			                                         old[j].number, "text", old[j].text));
	}
	reply_json(r, 200,
	           json_pack("{s:I,s:s,s:o,s:i,s:o,s:o}", "version_id", (json_int_t)v->id, "state",
	                     version_state_name(v->state), "previous_version_id",
	                     v->previous_id ? json_integer(v->previous_id) : json_null(), "uncertain", uncertain,
	                     "paragraphs", matches, "removed", removed));
}

void api_version_matches(struct request *r)
{
	struct version v;
	struct document doc;
	struct process p;
	if (load(r, &v, &doc, &p))
		reply_matches(r, &v);
}

void api_version_decide(struct request *r)
{
	struct version v;
	struct document doc;
	struct process p;
	if (!load(r, &v, &doc, &p))
		return;
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	const char *key;
	json_t *value;
	json_object_foreach(body, key, value) if (strcmp(key, "decisions") != 0)
	    error_field(&e, strlen(key) < 32 ? key : "body", "%s", _("This API does not know this member."));
	json_t *list = json_object_get(body, "decisions");
	size_t n = json_is_array(list) ? json_array_size(list) : 0;
	struct match_decision *d = arena_alloc(&r->arena, sizeof *d * (n + 1));
	if (!json_is_array(list) || !n)
		error_field(&e, "decisions", "%s",
		            _("Send a list of decisions, such as [{\"number\": 3, \"choice\": \"same\"}]."));
	for (size_t k = 0; d && k < n; k++) {
		json_t *item = json_array_get(list, k), *num = json_object_get(item, "number"),
		       *choice = json_object_get(item, "choice");
		if (!json_is_object(item) || !json_is_integer(num) || !json_is_string(choice) ||
		    json_object_size(item) != 2 || json_integer_value(num) < 1 || json_integer_value(num) > 1000000) {
			error_field(
			    &e, "decisions",
			    _("Decision %zu: give {\"number\": N, \"choice\": \"same\", \"new\" or a paragraph id}."),
			    k + 1);
			continue;
		}
		d[k] = (struct match_decision){(int)json_integer_value(num),
		                               arena_strdup(&r->arena, json_string_value(choice))};
	}
	json_decref(body);
	struct actor who = auth_actor(r);
	if (!d || e.code || version_confirm(r->db, &r->arena, &who, v.id, d, (int)n, false, &e) != 0 ||
	    version_find(r->db, &r->arena, v.id, &v, &doc, &e) != 0) {
		if (!d && !e.code)
			error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		reply_json_error(r, &e);
		return;
	}
	reply_matches(r, &v);
}

void api_version_publish(struct request *r)
{
	struct version v;
	struct document doc;
	struct process p;
	if (!load(r, &v, &doc, &p))
		return;
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (version_confirm(r->db, &r->arena, &who, v.id, NULL, 0, true, &e) != 0 ||
	    version_find(r->db, &r->arena, v.id, &v, &doc, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_version(r, 200, &v, &doc, &p);
}

/* One text of a version in another language. */
static void reply_text(struct request *r, int status, const struct version_text *t)
{
	reply_json(r, status,
		   json_pack("{s:I,s:s,s:s,s:o,s:s}", "version_id", (json_int_t)t->version_id, "language", t->language,
			     "markdown", t->markdown, "posted_at", api_instant(t->posted_at), "url",
			     arena_printf(&r->arena, "/versions/%lld?text=%s", (long long)t->version_id, t->language)));
}

void api_version_text(struct request *r)
{
	struct version v;
	struct document doc;
	struct process p;
	if (!load(r, &v, &doc, &p))
		return;
	struct error e;
	error_clear(&e);
	struct version_text t;
	if (version_text_find(r->db, &r->arena, v.id, r->params[1], &t, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_text(r, 200, &t);
}

void api_version_text_put(struct request *r)
{
	struct version v;
	struct document doc;
	struct process p;
	if (!load(r, &v, &doc, &p))
		return;
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	static const char *const members[] = {"markdown", NULL};
	api_known_members(body, members, &e);
	json_t *md = json_object_get(body, "markdown");
	const char *markdown = json_is_string(md) ? arena_strdup(&r->arena, json_string_value(md)) : NULL;
	if (md && !json_is_string(md))
		error_field(&e, "markdown", "%s", _("Must be a string."));
	json_decref(body);
	struct actor who = auth_actor(r);
	struct version_text t;
	if (e.code || version_text_put(r->db, &r->arena, &who, v.id, r->params[1], markdown, &e) != 0 ||
	    version_text_find(r->db, &r->arena, v.id, r->params[1], &t, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_text(r, 200, &t);
}
