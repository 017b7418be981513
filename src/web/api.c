/*
 * api — the JSON API, version 1. Every answer is JSON; every error is
 * {"error":{"code","message","fields"}}. Instants are RFC 3339 in UTC,
 * calendar dates YYYY-MM-DD in the process's time zone.
 */
#include "core/account.h"
#include "core/attachment.h"
#include "core/call.h"
#include "core/campaign.h"
#include "core/config.h"
#include "core/contribution.h"
#include "core/ledger.h"
#include "util/log.h"
#include "core/disposition.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/overview.h"
#include "render/html.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/routes.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

json_t *api_instant(int64_t t)
{
	char s[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(t, s);
	return json_string(s);
}

static json_t *json_text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

void api_health(struct request *r)
{
	reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static json_t *process_summary(const struct process *p)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "slug", p->slug, "title", p->title, "summary", p->summary,
			 "body", p->body ? p->body : "", "secretariat", p->secretariat ? p->secretariat : "", "timezone",
			 p->timezone, "url", "");
}

json_t *api_process_json(const struct process *p)
{
	json_t *o = process_summary(p);
	json_object_del(o, "url");
	json_t *languages = json_array();
	for (const char *l = p->languages ? p->languages : ""; *l;) {
		size_t n = strcspn(l, ",");
		json_array_append_new(languages, json_stringn(l, n));
		l += n + (l[n] == ',');
	}
	json_object_set_new(o, "languages", languages);
	json_t *cats = json_array();
	for (int i = 0; i < p->ncategories; i++)
		json_array_append_new(cats, json_pack("{s:s,s:s}", "slug", p->categories[i].slug, "name", p->categories[i].name));
	json_object_set_new(o, "categories", cats);
	return o;
}

void api_processes(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process *ps;
	int n;
	if (process_list(r->db, &r->arena, &ps, &n, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = process_summary(&ps[i]);
		json_object_set_new(o, "url", json_string(arena_printf(&r->arena, "/api/v1/processes/%s", ps[i].slug)));
		json_array_append_new(items, o);
	}
	reply_json(r, 200, json_pack("{s:o}", "processes", items));
}

json_t *api_call_json(struct request *r, const struct call *c)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:s,s:s}", "id", (json_int_t)c->id, "process",
			      c->process_slug, "title", c->title, "description", c->description, "version_id",
			      (json_int_t)c->version_id, "opens_at", api_instant(c->opens_at), "closes_at",
			      api_instant(c->closes_at), "closes_on", json_text_or_null(c->closes_on), "timezone",
			      c->timezone, "state", call_state_name(call_state_at(c, clock_now())));
	json_object_set_new(o, "contributions_url",
			    json_string(arena_printf(&r->arena, "/api/v1/calls/%lld/contributions", (long long)c->id)));
	json_object_set_new(o, "review", json_string(call_review_name(c->review)));
	json_object_set_new(o, "review_before_publishing", json_boolean(c->review == REVIEW_AFTER_REVIEW));
	/* The call's e-mail channel: contributions sent to this address are received like the form's. */
	json_object_set_new(o, "email", json_text_or_null(c->email));
	/* The schedule's milestone of its deadline: one fact, moved together. */
	json_object_set_new(o, "milestone_id", c->milestone_id ? json_integer(c->milestone_id) : json_null());
	/* Each change of the deadline or state, with its reason, as a milestone's moves are shown. */
	json_t *history = json_array();
	for (int h = 0; h < c->nhistory; h++) {
		const struct call_change *x = &c->history[h];
		json_array_append_new(history, json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:s}", "changed_at",
							 api_instant(x->changed_at), "kind", call_change_kind_name(x->kind),
							 "from_closes_at", api_instant(x->from_closes_at), "to_closes_at",
							 api_instant(x->to_closes_at), "from_closes_on",
							 json_text_or_null(x->from_closes_on), "to_closes_on",
							 json_text_or_null(x->to_closes_on), "reason", x->reason));
	}
	json_object_set_new(o, "history", history);
	return o;
}

json_t *api_milestone_json(const struct milestone *m)
{
	json_t *history = json_array();
	for (int h = 0; h < m->nhistory; h++) {
		const struct milestone_move *mv = &m->history[h];
		json_array_append_new(history,
				      json_pack("{s:s,s:o,s:o,s:o,s:s,s:o,s:s}", "moved_on", mv->moved_on, "from_date",
						json_text_or_null(mv->from_date), "from_end_date",
						json_text_or_null(mv->from_end_date), "from_label",
						json_text_or_null(mv->from_label), "to_date", mv->to_date, "to_end_date",
						json_text_or_null(mv->to_end_date), "reason", mv->reason));
	}
	return json_pack("{s:I,s:s,s:o,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)m->id, "date", m->date, "end_date",
			 json_text_or_null(m->end_date), "title", m->title, "kind", milestone_kind_name(m->kind), "status",
			 milestone_status_name(m->status), "history", history, "call",
			 m->call_id ? json_integer(m->call_id) : json_null());
}

void api_process(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct overview ov;
	if (overview_load(r->db, &r->arena, r->params[0], &ov, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	const struct process p = ov.process;
	struct milestone *ms = ov.milestones;
	struct document *docs = ov.documents;
	struct call *calls = ov.calls;
	struct meeting *meetings = ov.meetings;
	struct circular *letters = ov.circulars;
	const int nms = ov.nmilestones, ndocs = ov.ndocuments, ncalls = ov.ncalls, nmeetings = ov.nmeetings,
		  nletters = ov.ncirculars;
	json_t *o = api_process_json(&p);

	json_t *jdocs = json_array();
	for (int i = 0; i < ndocs; i++) {
		json_t *versions = json_array();
		for (int k = 0; k < docs[i].nversions; k++) {
			const struct version *v = &docs[i].versions[k];
			json_array_append_new(versions,
					      json_pack("{s:I,s:s,s:s,s:s,s:i,s:s}", "id", (json_int_t)v->id, "date", v->date,
							"label", v->label, "note", v->note, "paragraphs", v->paragraphs, "url",
							arena_printf(&r->arena, "/versions/%lld", (long long)v->id)));
		}
		json_array_append_new(jdocs, json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)docs[i].id, "slug", docs[i].slug,
						       "title", docs[i].title, "versions", versions));
	}
	json_object_set_new(o, "documents", jdocs);

	json_t *jms = json_array();
	for (int i = 0; i < nms; i++)
		json_array_append_new(jms, api_milestone_json(&ms[i]));
	json_object_set_new(o, "milestones", jms);

	json_t *jcalls = json_array();
	for (int i = 0; i < ncalls; i++)
		json_array_append_new(jcalls, api_call_json(r, &calls[i]));
	json_object_set_new(o, "calls", jcalls);

	json_t *jmeetings = json_array();
	for (int i = 0; i < nmeetings; i++) {
		json_t *m = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)meetings[i].id, "date",
				      meetings[i].date, "title", meetings[i].title, "format",
				      meeting_format_name(meetings[i].format), "description", meetings[i].description,
				      "starts", json_text_or_null(meetings[i].starts), "ends",
				      json_text_or_null(meetings[i].ends));
		/* The link to join is for the meeting's registered participants (GET /api/v1/meetings/{id}) and the
		 * secretariat, never the public. */
		if (r->account && r->account->role == ACCOUNT_SECRETARIAT)
			json_object_set_new(m, "join_url", json_text_or_null(meetings[i].join_url));
		json_object_set_new(m, "url", json_string(arena_printf(&r->arena, "/meetings/%lld", (long long)meetings[i].id)));
		json_object_set_new(m, "cancelled", json_boolean(meetings[i].cancelled));
		json_array_append_new(jmeetings, m);
	}
	json_object_set_new(o, "meetings", jmeetings);

	json_t *jletters = json_array();
	for (int i = 0; i < nletters; i++) {
		json_t *to = json_array();
		for (int k = 0; k < letters[i].naddressees; k++)
			json_array_append_new(to, json_string(letters[i].addressees[k]));
		json_array_append_new(jletters,
				      json_pack("{s:s,s:s,s:s,s:o,s:s}", "reference", letters[i].reference, "date",
						letters[i].date, "subject", letters[i].subject, "addressees", to, "url",
						arena_printf(&r->arena, "/letters/%lld", (long long)letters[i].id)));
	}
	json_object_set_new(o, "circulars", jletters);
	reply_json(r, 200, o);
}

/* The call named by {id}, or a 404 already answered. */
static bool api_load_call(struct request *r, struct call *c)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no such call for contributions."));
		return false;
	}
	if (call_find(r->db, &r->arena, id, c, &e) != 0) {
		reply_json_error(r, &e);
		return false;
	}
	return true;
}

void api_call(struct request *r)
{
	struct call c;
	struct error e;
	error_clear(&e);
	if (!api_load_call(r, &c))
		return;
	if (call_history(r->db, &r->arena, &c, &e) != 0)
		reply_json_error(r, &e);
	else
		reply_json(r, 200, api_call_json(r, &c));
}

/* A string member of one comment, or NULL; another type is a field error named comments[k].name. */
static const char *comment_member(json_t *o, int k, const char *name, struct error *e)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		char field[32];
		snprintf(field, sizeof field, "comments[%d].%s", k, name);
		if (!strcmp(name, "paragraph"))
			error_field(e, field, _("Comment %d: %s must be a string (a paragraph's id, such as \"p3\") or null."),
				    k, name);
		else
			error_field(e, field, _("Comment %d: %s must be a string."), k, name);
		return NULL;
	}
	return json_string_value(v);
}

/* The request's "comments": an array of {"paragraph", "type", "comment", "proposed_change"}, in the arena
 * (the strings point into body). Members of the wrong type are field errors. */
/* "attachments": [{"filename", "content_base64"}], decoded into in->attachments (the arena); the names point
 * into body. Their count, sizes, kinds and scan are attachment_accept()'s to judge. */
static void attachments_member(struct request *r, json_t *body, struct contribution_input *in, struct error *e)
{
	const char *shape = _("Must be an array of files, each {\"filename\", \"content_base64\"}.");
	json_t *arr = json_object_get(body, "attachments");
	if (!arr || json_is_null(arr))
		return;
	if (!json_is_array(arr)) {
		error_field(e, "attachments", "%s", shape);
		return;
	}
	const size_t n = json_array_size(arr);
	if (n == 0)
		return;
	const struct config *cfg = config_get();
	struct contribution_attachment *files = arena_alloc(&r->arena, sizeof *files * n);
	if (!files) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return;
	}
	/* Too many are counted, not decoded. */
	const bool decode = n <= (size_t)cfg->attachment_max_count;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		json_t *name = json_is_object(o) ? json_object_get(o, "filename") : NULL;
		json_t *content = json_is_object(o) ? json_object_get(o, "content_base64") : NULL;
		if (!json_is_string(name) || !json_is_string(content)) {
			error_field(e, "attachments", "%s", shape);
			return;
		}
		struct contribution_attachment *f = &files[i];
		f->name = json_string_value(name);
		f->declared_type = "application/octet-stream";
		const size_t len = json_string_length(content), most = len / 4 * 3 + 3;
		if (!decode || most > (size_t)cfg->attachment_max_size + 3 + len / 4 * 3 / 60) {
			f->size = len / 4 * 3; /* about: over the limit, it is refused by its size */
			continue;
		}
		unsigned char *bin = arena_alloc(&r->arena, most);
		size_t bin_len = 0;
		if (!bin || sodium_base642bin(bin, most, json_string_value(content), len, " \r\n", &bin_len, NULL,
					      sodium_base64_VARIANT_ORIGINAL) != 0) {
			error_field(e, "attachments", _("The file \"%.100s\" is not in base64 (RFC 4648, with padding)."),
				    f->name);
			return;
		}
		f->data = bin;
		f->size = bin_len;
	}
	in->attachments = files;
	in->nattachments = (int)n;
}

static void comments_member(struct request *r, json_t *body, struct contribution_input *in, struct error *e)
{
	json_t *arr = json_object_get(body, "comments");
	if (!arr || json_is_null(arr))
		return;
	if (!json_is_array(arr)) {
		error_field(e, "comments", "%s", _("Must be an array of comments, each {\"paragraph\", \"type\", \"comment\", "
					   "\"proposed_change\"}."));
		return;
	}
	const size_t n = json_array_size(arr);
	if (n == 0)
		return;
	if (n > LIMIT_COMMENTS) {
		error_field(e, "comments", _("Send at most %d comments in one contribution (this one has %zu); send the "
					   "others in a second contribution."),
			    LIMIT_COMMENTS, n);
		return;
	}
	struct comment_input *c = arena_alloc(&r->arena, sizeof *c * n);
	if (!c) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		const int k = (int)i + 1;
		c[i] = (struct comment_input){0};
		if (!json_is_object(o)) {
			char field[32];
			snprintf(field, sizeof field, "comments[%d]", k);
			error_field(e, field, _("Comment %d must be an object {\"paragraph\", \"type\", \"comment\", "
					      "\"proposed_change\"}."),
				    k);
			continue;
		}
		c[i].paragraph = comment_member(o, k, "paragraph", e);
		c[i].type = comment_member(o, k, "type", e);
		c[i].comment = comment_member(o, k, "comment", e);
		c[i].proposed_change = comment_member(o, k, "proposed_change", e);
	}
	in->comments = c;
	in->ncomments = (int)n;
}

/* A contribution's comments as the API shows them: each with its id, paragraph (pid, or null for a
 * general comment), number (its ¶N in the call's version, or null), type, comment, proposed change and
 * language. */
json_t *api_comments_json(const struct contribution *k)
{
	json_t *arr = json_array();
	for (int i = 0; i < k->ncomments; i++) {
		const struct comment *c = &k->comments[i];
		json_t *o = json_pack("{s:I,s:o,s:o,s:s,s:s,s:s}", "id", (json_int_t)c->id, "paragraph",
				      c->pid ? json_string(c->pid) : json_null(), "number",
				      c->number ? json_integer(c->number) : json_null(), "type", comment_type_name(c->type),
				      "comment", c->comment, "proposed_change", c->proposed_change ? c->proposed_change : "");
		/* The language it is written in (core/comment.h), null when unknown. */
		json_object_set_new(o, "language", c->language && *c->language ? json_string(c->language) : json_null());
		/* One that came from a comment table says from which row, what the row said of its place, and what
		 * was understood of it. */
		if (c->row > 0)
			json_object_set_new(o, "table",
					    json_pack("{s:i,s:o,s:o}", "row", c->row, "clause",
						      c->clause ? json_string(c->clause) : json_null(), "note",
						      c->note ? json_string(c->note) : json_null()));
		/* Its answer, where the caller attached it (disposition_attach: the public only once published). */
		if (c->disposition)
			json_object_set_new(o, "disposition", api_disposition_json(c->disposition));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The longest Idempotency-Key taken (as Stripe's). */
enum { API_IDEMPOTENCY_KEY_MAX = 255 };

/* A contribution received by the API, kept in the arena while it waits for its group commit. */
struct api_received {
	struct contribution_input in;
	struct receipt receipt;
	struct error e;
	struct contribution_wait wait;
};

static void api_contribution_answer(struct request *r, struct api_received *x, int rc)
{
	if (rc != 0) {
		if (http_status_of(&x->e) == 503)
			r->retry_after = "2"; /* the queue was full or the store busy: nothing was stored */
		reply_json_error(r, &x->e);
		return;
	}
	const struct receipt *receipt = &x->receipt;
	char received[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(receipt->received_at, received);
	r->location = arena_printf(&r->arena, "/api/v1/contributions/%s", receipt->tracking);
	/* Its leaf in the tamper-evident record (core/ledger.h), committed with it, and where its proof is. */
	struct ledger_entry leaf = {.index = receipt->leaf_index, .size = receipt->leaf_size};
	struct error le;
	error_clear(&le);
	if (!receipt->leaf_known && (!r->db || ledger_find_tracking(r->db, receipt->tracking, &leaf, &le) != 0)) {
		/* Stored all the same (the leaf commits with it, so this is a read failing): the answer is 201,
		 * without the leaf, which its receipt page gives. */
		log_event("ledger.receipt_unread", "tracking=%s msg=\"%s\"", receipt->tracking, le.message);
		reply_json(r, 201, json_pack("{s:s,s:s,s:I,s:s}", "tracking", receipt->tracking, "received_at", received,
					     "call", (json_int_t)receipt->call_id, "receipt_url",
					     arena_printf(&r->arena, "/receipts/%s", receipt->tracking)));
		return;
	}
	reply_json(r, 201,
		   json_pack("{s:s,s:s,s:I,s:s,s:I,s:s,s:s}", "tracking", receipt->tracking, "received_at", received, "call",
			     (json_int_t)receipt->call_id, "receipt_url",
			     arena_printf(&r->arena, "/receipts/%s", receipt->tracking), "leaf_index", (json_int_t)leaf.index,
			     "proof_url",
			     arena_printf(&r->arena, "/log/proof/inclusion?leaf=%lld&size=%lld", (long long)leaf.index,
					  (long long)leaf.size),
			     "receipt_file_url", arena_printf(&r->arena, "/receipts/%s/receipt.json", receipt->tracking)));
}

/* Back from the group commit (request_await). */
static void api_contribution_resumed(struct request *r)
{
	struct api_received *x = r->then_ctx;
	api_contribution_answer(r, x, contribution_received(&x->in, &x->receipt, x->wait.rc));
}

void api_contribution_create(struct request *r)
{
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no such call for contributions."));
		return;
	}
	json_t *json = api_json_body(r, _("Send the contribution as application/json."));
	if (!json)
		return;
	json_decref(r->hold);
	r->hold = json; /* in's strings point into json: kept until the request is freed */
	struct api_received *x = arena_alloc(&r->arena, sizeof *x);
	if (!x) {
		reply_json_problem(r, 503, ERROR_UNAVAILABLE, request_failure_message(r, 503));
		return;
	}
	struct error *e = &x->e;
	error_clear(e);
	x->in = (struct contribution_input){
		.name = field_json_string(json, "name", e),
		.organization = field_json_string(json, "organization", e),
		.category = field_json_string(json, "category", e),
		.country = field_json_string(json, "country", e),
		.email = field_json_string(json, "email", e),
		.text = field_json_string(json, "text", e),
		.publication = field_json_string(json, "publication", e),
		.language = field_json_string(json, "language", e),
		.channel = CHANNEL_API,
		.requester = request_client_address(r),
		.account_id = r->account ? r->account->id : 0,
		.received_at = r->received_at,
	};
	struct contribution_input *in = &x->in;
	/* Files are read on a worker (their text extracted, scanned), never on the event thread. */
	json_t *files = json_object_get(json, "attachments");
	if (json_is_array(files) && json_array_size(files) > 0 && request_offload(r))
		return;
	comments_member(r, json, in, e);
	attachments_member(r, json, in, e);
	/* Its files are checked, their text extracted and scanned before the transaction: a file refused is named,
	 * with the other members' errors, and nothing is stored. */
	if (!e->code)
		attachment_accept(&r->arena, (struct contribution_attachment *)in->attachments, in->nattachments, e);
	if (e->code) {
		/* A member of the wrong type is refused like malformed JSON, before the
		 * call is looked at: an optional one would otherwise be dropped and the
		 * contribution stored without it. The other members are checked too, so
		 * that one answer names everything to fix; a wrong type is reported as
		 * such, not as "missing" (error_field keeps the first message). */
		struct contribution_input clean;
		struct error checked;
		error_clear(&checked);
		contribution_validate(&r->arena, in, &clean, &checked);
		for (int i = 0; i < checked.nfields; i++)
			error_field(e, checked.fields[i].name, "%s", checked.fields[i].message);
		reply_json_error(r, e);
		return;
	}
	/* A client's Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): sent again with the same body, the
	 * first answer again and nothing stored; with another body, 409. Scoped to who sends it: their account
	 * (session or token), else their address. */
	const char *key = request_header(r, "Idempotency-Key");
	if (key) {
		const size_t n = strlen(key);
		bool visible = n >= 1 && n <= API_IDEMPOTENCY_KEY_MAX;
		for (size_t i = 0; visible && i < n; i++)
			visible = key[i] >= 0x20 && key[i] < 0x7F;
		if (!visible) {
			reply_json_problem(r, 400, "bad_request",
					   arena_printf(&r->arena,
							_("The Idempotency-Key header must have 1 to %d visible ASCII "
							  "characters (a UUID, for instance)."),
							API_IDEMPOTENCY_KEY_MAX));
			return;
		}
		const char *scope = r->account ? arena_printf(&r->arena, "account:%lld", (long long)r->account->id)
					       : arena_printf(&r->arena, "address:%s", in->requester ? in->requester : "");
		if (!scope || contribution_idempotency(&r->arena, in, scope, key) != 0) {
			reply_json_problem(r, 503, ERROR_UNAVAILABLE, request_failure_message(r, 503));
			return;
		}
	}
	/* On the event thread the group commit answers through request_await, with no thread waiting. */
	if (request_can_await(r)) {
		x->wait = (struct contribution_wait){.wake = request_awake, .ctx = r};
		in->wait = &x->wait;
	}
	const int rc = contribution_receive(r->db, &r->arena, id, in, &x->receipt, e);
	if (rc == CONTRIBUTION_QUEUED) {
		request_await(r, api_contribution_resumed, x);
		return;
	}
	api_contribution_answer(r, x, rc);
}

/* The published view: no e-mail ever; no name for anonymous ones; of a hidden
 * one, only its tracking number and the secretariat's public reason. */
json_t *api_contributions_by_size(const struct contribution *items, int n,
				  json_t *(*to_json)(const struct contribution *), int *shown)
{
	json_t *arr = json_array();
	size_t bytes = 0;
	int k = 0;
	for (; k < n; k++) {
		json_t *item = to_json(&items[k]);
		size_t size = json_dumpb(item, NULL, 0, JSON_COMPACT);
		if (k > 0 && bytes + size > LIMIT_PAGE_BYTES) {
			json_decref(item);
			break;
		}
		bytes += size;
		json_array_append_new(arr, item);
	}
	*shown = k;
	return arr;
}

json_t *api_contribution_json(const struct contribution *k)
{
	if (contribution_is_hidden(k))
		return json_pack("{s:s,s:s,s:s}", "tracking", k->tracking, "state",
				 contribution_state_name(CONTRIBUTION_HIDDEN), "reason",
				 k->moderation_reason ? k->moderation_reason : "");
	json_t *o = json_pack("{s:s,s:I,s:o,s:s,s:s,s:s,s:s,s:s}", "tracking", k->tracking, "call", (json_int_t)k->call_id,
			      "received_at", api_instant(k->received_at), "publication",
			      contribution_publication_name(k->publication), "category", k->category_slug, "country",
			      k->country, "channel", contribution_channel_name(k->channel), "text", k->text);
	if (k->publication == PUBLICATION_NAMED) {
		json_object_set_new(o, "name", json_string(k->name));
		json_object_set_new(o, "organization", json_string(k->organization));
	}
	json_object_set_new(o, "language", json_string(k->language ? k->language : ""));
	json_object_set_new(o, "state", json_string(contribution_state_name(CONTRIBUTION_PUBLISHED)));
	json_object_set_new(o, "comments", api_comments_json(k));
	return o;
}

/* One path segment percent-encoded (RFC 3986 unreserved kept). */
static const char *api_path_segment(struct request *r, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t n = strlen(s);
	char *out = arena_alloc(&r->arena, 3 * n + 1);
	if (!out)
		return "";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			out[k++] = (char)c;
		} else {
			out[k++] = '%';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	out[k] = '\0';
	return out;
}

json_t *api_attachments_json(struct request *r, const struct contribution *k)
{
	json_t *files = json_array();
	for (int i = 0; i < k->nattachments; i++) {
		const struct contribution_attachment *f = &k->attachments[i];
		json_t *o = json_pack("{s:i,s:s,s:I,s:s,s:s,s:s}", "position", f->position, "filename", f->name, "size",
				      (json_int_t)f->size, "type", f->type, "sha256", f->sha256, "scan",
				      attachment_scan_name(f->scan));
		/* Only a file clamd found clean is offered; the name in the address is for the person saving it. */
		json_object_set_new(o, "url",
				    f->scan == ATTACHMENT_CLEAN
					    ? json_string(arena_printf(&r->arena, "/contributions/%s/attachments/%d/%s",
								       k->tracking, f->position,
								       api_path_segment(r, f->name)))
					    : json_null());
		json_array_append_new(files, o);
	}
	return files;
}

void api_contribution(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct contribution k;
	if (contribution_find(r->db, &r->arena, r->params[0], &k, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	/* The secretariat reads the whole record here, whatever its publication or state. */
	if (comment_attach(r->db, &r->arena, &k, 1, &e) != 0 || api_dispositions_attach(r, &k, 1, k.call_id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	if (r->account && r->account->role == ACCOUNT_SECRETARIAT) {
		if (contribution_attachments(r->db, &r->arena, &k, &e) != 0) {
			reply_json_error(r, &e);
		} else {
			json_t *o = api_contribution_record_json(&k);
			json_object_set_new(o, "attachments", api_attachments_json(r, &k));
			reply_json(r, 200, o);
		}
		return;
	}
	if (!contribution_is_public(&k)) {
		/* A private contribution, one awaiting review or spam is answered exactly like an unknown one. */
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no contribution with this tracking number."));
		return;
	}
	json_t *o = api_contribution_json(&k);
	if (!contribution_is_hidden(&k)) {
		if (contribution_attachments(r->db, &r->arena, &k, &e) != 0) {
			json_decref(o);
			reply_json_error(r, &e);
			return;
		}
		json_object_set_new(o, "attachments", api_attachments_json(r, &k));
	}
	reply_json(r, 200, o);
}

/* ?page=N&per_page=M, each a positive integer; per_page at most LIMIT_PAGE_SIZE. */
/* page and per_page, or offset (items to skip, where a page cut short by LIMIT_PAGE_BYTES continues) and
 * per_page; *offset is -1 when the page was asked by number. */
static bool page_args(struct request *r, int64_t *page, int64_t *per_page, int64_t *offset)
{
	const char *p = request_query(r, "page"), *pp = request_query(r, "per_page"), *o = request_query(r, "offset");
	*page = 1;
	*per_page = LIMIT_PAGE_SIZE_DEFAULT;
	*offset = -1;
	struct error e;
	error_clear(&e);
	if (p && (!parse_id(p, page) || *page > 1000000))
		error_field(&e, "page", "%s", _("Use a page number from 1."));
	if (o && !strcmp(o, "0"))
		*offset = 0;
	else if (o && (!parse_id(o, offset) || *offset > 100000000))
		error_field(&e, "offset", "%s", _("Use a number of items to skip, from 0."));
	if (o && p)
		error_field(&e, "page", "%s", _("Ask for a page or an offset, not both."));
	if (pp && (!parse_id(pp, per_page) || *per_page > LIMIT_PAGE_SIZE))
		error_field(&e, "per_page", _("Use a page size from 1 to %d."), LIMIT_PAGE_SIZE);
	if (e.code) {
		reply_json_error(r, &e);
		return false;
	}
	return true;
}

/* The narrowing and order of a list as the rest of a query string ("&category=academia&sort=newest"), each value
 * percent-encoded; "" when none (or out of memory: the link then loses them, never its page). */
static const char *api_list_keep(struct request *r, const struct contribution_filter *f, const char *sort)
{
	struct buf b;
	buf_init(&b, 4096);
	static const char *const names[] = {"category", "country", "type", "sort"};
	const char *values[] = {f->category, f->country, f->type, sort};
	for (int i = 0; i < 4; i++)
		if (values[i] && *values[i]) {
			buf_printf(&b, "&%s=", names[i]);
			html_url_escape(&b, values[i]);
		}
	if (f->campaign == CONTRIBUTION_NO_CAMPAIGN)
		buf_printf(&b, "&campaign=none");
	else if (f->campaign > 0)
		buf_printf(&b, "&campaign=%lld", (long long)f->campaign);
	const char *keep = b.failed || !b.data ? "" : arena_strndup(&r->arena, b.data, b.len);
	buf_free(&b);
	return keep ? keep : "";
}

/* One page of call_id's published contributions as f narrows and orders them (sort: as asked, for the next
 * page's link), listed at path: the call's list, or a campaign's members. The page is where ?after= or ?before=
 * says (a cursor from a next or previous link: keyset paging, so that a page deep in the list costs what the first
 * costs and rows arriving meanwhile are neither repeated nor skipped), else ?page= or ?offset= (links made
 * before); next and previous are always cursors. */
static void contributions_page(struct request *r, int64_t call_id, struct contribution_filter *f, const char *sort,
			       const char *path)
{
	int64_t page, per_page, asked_offset;
	if (!page_args(r, &page, &per_page, &asked_offset))
		return;
	struct error e;
	error_clear(&e);
	const char *after = request_query(r, "after"), *before = request_query(r, "before");
	struct contribution_cursor cursor;
	if (after && before) {
		reply_json_problem(r, 400, "bad_request", _("Ask for the page after a position or before one, not both."));
		return;
	}
	if ((after || before) && (request_query(r, "page") || asked_offset >= 0)) {
		reply_json_problem(r, 400, "bad_request", _("A cursor (after or before) says where the page is: leave out "
							    "page and offset."));
		return;
	}
	if (after || before) {
		if (!contribution_cursor_parse(&r->arena, after ? after : before, f->sort, before != NULL,
					       after ? "after" : "before", &cursor, &e)) {
			reply_json_problem(r, 400, "bad_request",
					   e.nfields ? e.fields[0].message : _("This is not a position in this list."));
			return;
		}
		f->cursor = &cursor;
	}
	const bool backwards = before != NULL;
	const int64_t offset = f->cursor ? 0 : asked_offset >= 0 ? asked_offset : (page - 1) * per_page;
	struct contribution *items;
	int n;
	int64_t total, hidden;
	/* one more than a page: whether the list goes on in the direction read */
	if (contribution_list_public(r->db, &r->arena, call_id, f, (int)offset, (int)per_page + 1, &items, &n, &total,
				     &hidden, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	const bool more = n > per_page;
	if (more) {
		n = (int)per_page;
		if (backwards) /* read backwards and turned round: the extra one is the first */
			items++;
	}
	if (comment_attach(r->db, &r->arena, items, n, &e) != 0 || api_dispositions_attach(r, items, n, call_id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	/* long texts make shorter pages (next says where the rest starts), never an answer cut off */
	int shown;
	json_t *arr = api_contributions_by_size(items, n, api_contribution_json, &shown);
	/* next and previous keep the narrowing and order asked for */
	const char *keep = api_list_keep(r, f, sort);
	const bool has_prev = shown > 0 && (f->cursor ? !backwards || more : offset > 0);
	const bool has_next = shown > 0 && (backwards || more || shown < n);
	const char *prev = has_prev ? contribution_cursor_make(r->db, &r->arena, &items[0], f->sort, true, &e) : NULL;
	const char *next = has_next && !e.code
				   ? contribution_cursor_make(r->db, &r->arena, &items[shown - 1], f->sort, false, &e)
				   : NULL;
	if (e.code) {
		json_decref(arr);
		reply_json_error(r, &e);
		return;
	}
	json_t *next_link = next ? json_string(arena_printf(&r->arena, "%s?after=%s&per_page=%lld%s", path, next,
							    (long long)per_page, keep))
				 : json_null();
	json_t *prev_link = prev ? json_string(arena_printf(&r->arena, "%s?before=%s&per_page=%lld%s", path, prev,
							    (long long)per_page, keep))
				 : json_null();
	/* total counts the list: the published and, each in its place, the hidden (kept in the record, and counted);
	 * page and offset are null for a page found by cursor */
	reply_json(r, 200,
		   json_pack("{s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:o,s:o}", "contributions", arr, "page",
			     asked_offset < 0 && !f->cursor ? json_integer(page) : json_null(), "offset",
			     f->cursor ? json_null() : json_integer(offset), "per_page", (json_int_t)per_page, "total",
			     (json_int_t)total, "published", (json_int_t)(total - hidden), "hidden", (json_int_t)hidden,
			     "next", next_link, "previous", prev_link));
}

void api_call_contributions(struct request *r)
{
	struct call c;
	if (!api_load_call(r, &c))
		return;
	struct error e;
	error_clear(&e);
	/* The public list's narrowing and order (?category=&country=&type=&campaign=&sort=), as on its page. */
	struct contribution_filter f = {.category = request_query(r, "category"),
	                                .country = request_query(r, "country"),
	                                .type = request_query(r, "type")};
	const char *sort = request_query(r, "sort"), *campaign = request_query(r, "campaign");
	if (sort && *sort && !contribution_sort_parse(sort, &f.sort))
		error_field(&e, "sort", "%s", _("Use oldest, newest or name."));
	if (campaign && *campaign && !contribution_campaign_parse(campaign, &f.campaign))
		error_field(&e, "campaign", "%s", _("Use a campaign's id, or none for the contributions in no campaign."));
	if (e.code) {
		reply_json_error(r, &e);
		return;
	}
	contributions_page(r, c.id, &f, sort, arena_printf(&r->arena, "/api/v1/calls/%lld/contributions", (long long)c.id));
}

static json_t *campaign_json(struct request *r, const struct campaign *k)
{
	return json_pack("{s:I,s:I,s:I,s:o,s:o,s:s,s:s,s:s}", "id", (json_int_t)k->id, "call", (json_int_t)k->call_id,
			 "contributions", (json_int_t)k->members, "first_at", api_instant(k->first_at), "last_at",
			 api_instant(k->last_at), "representative", k->representative, "text", k->text ? k->text : "",
			 "members", arena_printf(&r->arena, "/api/v1/campaigns/%lld/contributions", (long long)k->id));
}

void api_call_campaigns(struct request *r)
{
	/* before the first statement takes the read's snapshot (core/campaign.h) */
	const int64_t pass_mark = campaign_pass_mark();
	struct call c;
	int64_t page, per_page, asked_offset;
	if (!page_args(r, &page, &per_page, &asked_offset) || !api_load_call(r, &c))
		return;
	const int64_t offset = asked_offset >= 0 ? asked_offset : (page - 1) * per_page;
	struct error e;
	error_clear(&e);
	struct campaign *items;
	int n;
	int64_t total;
	int64_t ungrouped = 0;
	if (campaign_list(r->db, &r->arena, c.id, (int)offset, (int)per_page, &items, &n, &total, &e) != 0 ||
	    campaign_ungrouped(r->db, c.id, pass_mark, &ungrouped, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, campaign_json(r, &items[i]));
	json_t *next = offset + n >= total ? json_null()
					   : json_string(arena_printf(&r->arena,
								      "/api/v1/calls/%lld/campaigns?offset=%lld&per_page=%lld",
								      (long long)c.id, (long long)(offset + n),
								      (long long)per_page));
	/* ungrouped: the call's contributions that the campaigns' pass has not looked at yet (core/campaign.h) */
	reply_json(r, 200, json_pack("{s:I,s:o,s:I,s:I,s:I,s:o,s:I}", "call", (json_int_t)c.id, "campaigns", arr,
				     "offset", (json_int_t)offset, "per_page", (json_int_t)per_page, "total",
				     (json_int_t)total, "next", next, "ungrouped", (json_int_t)ungrouped));
}

void api_campaign_contributions(struct request *r)
{
	int64_t id;
	struct campaign k;
	struct error e;
	error_clear(&e);
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such campaign."));
	if (e.code || campaign_find(r->db, &r->arena, id, &k, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	struct contribution_filter f = {.campaign = k.id};
	contributions_page(r, k.call_id, &f, NULL,
			   arena_printf(&r->arena, "/api/v1/campaigns/%lld/contributions", (long long)k.id));
}
