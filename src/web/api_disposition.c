/*
 * api_disposition — the secretariat's answers to comments in the JSON API:
 * one comment's answer and its history, many at once for a selection of a
 * call's comments, the comments still without one, and the publication of a
 * call's answers, and a resolution matrix uploaded back filled in (its bytes
 * as the body, XLSX or CSV). Errors: 422 with one message per bad field, 404,
 * 409; 400 for an uploaded file that cannot be read as a matrix.
 */
#include "core/comment.h"
#include "core/disposition.h"
#include "core/disposition_upload.h"
#include "core/field.h"
#include "util/utf8.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/routes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

json_t *api_disposition_json(const struct disposition *d)
{
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:i}", "decision", disposition_decision_name(d->decision), "reason",
	                 d->reason, "paragraph", d->pid ? json_string(d->pid) : json_null(), "version_id",
	                 d->version_id ? json_integer(d->version_id) : json_null(), "decided_at",
	                 api_instant(d->decided_at), "revision", d->revision);
}

/* A positive integer member, or 0. */
static int64_t member_id(json_t *body, const char *name, struct error *e)
{
	json_t *v = json_object_get(body, name);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		error_field(e, name, "%s", _("Must be the id of a comment, a whole number from 1."));
		return 0;
	}
	return (int64_t)json_integer_value(v);
}

static void input_from(json_t *body, struct disposition_input *in, struct error *e)
{
	in->decision = field_json_string(body, "decision", e);
	in->reason = field_json_string(body, "reason", e);
	in->paragraph = field_json_string(body, "paragraph", e);
	json_t *v = json_object_get(body, "version_id");
	if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) <= 0))
		error_field(e, "version_id", "%s", _("Must be the id of a version."));
	else if (v && json_is_integer(v))
		in->version_id = (int64_t)json_integer_value(v);
}

void api_disposition_record(struct request *r)
{
	static const char *const members[] = {"decision", "reason", "paragraph", "version_id", NULL};
	int64_t id;
	if (!api_route_id(r, &id, _("There is no such comment.")))
		return;
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	struct disposition_input in = {0};
	input_from(body, &in, &e);
	struct actor who = auth_actor(r);
	struct disposition d;
	bool unchanged = false;
	if (e.code || disposition_record(r->db, &r->arena, &who, id, &in, &d, &unchanged, &e) != 0) {
		json_decref(body);
		reply_json_error(r, &e);
		return;
	}
	json_decref(body);
	json_t *o = api_disposition_json(&d);
	json_object_set_new(o, "comment", json_integer(id));
	json_object_set_new(o, "unchanged", json_boolean(unchanged));
	reply_json(r, 200, o);
}

void api_disposition_history(struct request *r)
{
	int64_t id, call_id;
	if (!api_route_id(r, &id, _("There is no such comment.")))
		return;
	struct error e;
	error_clear(&e);
	struct disposition *items;
	int n;
	if (disposition_comment_call(r->db, id, &call_id, &e) != 0 ||
	    disposition_history(r->db, &r->arena, id, &items, &n, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, api_disposition_json(&items[i]));
	reply_json(r, 200, json_pack("{s:I,s:o}", "comment", (json_int_t)id, "revisions", arr));
}

void api_dispositions_record(struct request *r)
{
	static const char *const members[] = {"select",     "decision",        "reason", "paragraph",
	                                      "version_id", "unanswered_only", NULL};
	static const char *const selectors[] = {"paragraph", "type", "category", "ids", "same_as", "campaign", NULL};
	int64_t id;
	if (!api_route_id(r, &id, _("There is no such call for contributions.")))
		return;
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	api_known_members(body, members, &e);
	struct disposition_input in = {0};
	input_from(body, &in, &e);
	struct disposition_selection sel = {0};
	json_t *only = json_object_get(body, "unanswered_only");
	if (only && !json_is_boolean(only))
		error_field(&e, "unanswered_only", "%s", _("Must be true or false."));
	sel.unanswered_only = json_is_true(only);
	json_t *s = json_object_get(body, "select");
	if (!json_is_object(s) || json_object_size(s) != 1) {
		error_field(&e, "select", "%s",
		            _("Select the comments by one of paragraph, type, category, ids, same_as or campaign."));
	} else {
		api_known_members(s, selectors, &e);
		sel.paragraph = field_json_string(s, "paragraph", &e);
		sel.type = field_json_string(s, "type", &e);
		sel.category = field_json_string(s, "category", &e);
		sel.same_as = member_id(s, "same_as", &e);
		sel.campaign = member_id(s, "campaign", &e);
		json_t *ids = json_object_get(s, "ids");
		if (ids) {
			size_t n = json_is_array(ids) ? json_array_size(ids) : 0;
			int64_t *v = n ? arena_alloc(&r->arena, n * sizeof *v) : NULL;
			if (!n || n > 10000 || !v)
				error_field(&e, "select", "%s", _("Give ids as a list of comment ids."));
			for (size_t i = 0; v && i < n; i++) {
				json_t *x = json_array_get(ids, i);
				if (!json_is_integer(x) || json_integer_value(x) <= 0)
					error_field(&e, "select", "%s", _("Give ids as a list of comment ids."));
				else
					v[i] = (int64_t)json_integer_value(x);
			}
			sel.ids = v;
			sel.nids = (int)n;
		}
	}
	struct actor who = auth_actor(r);
	int applied = 0, unchanged = 0, kept = 0;
	if (e.code ||
	    disposition_record_many(r->db, &r->arena, &who, id, &sel, &in, &applied, &unchanged, &kept, &e) != 0) {
		json_decref(body);
		reply_json_error(r, &e);
		return;
	}
	json_decref(body);
	reply_json(r, 200,
	           json_pack("{s:I,s:i,s:i,s:i}", "call", (json_int_t)id, "applied", applied, "unchanged", unchanged,
	                     "kept", kept));
}

void api_dispositions_remaining(struct request *r)
{
	int64_t id, at;
	if (!api_route_id(r, &id, _("There is no such call for contributions.")))
		return;
	struct error e;
	error_clear(&e);
	struct disposition_remaining *items;
	int n, total;
	if (disposition_published_at(r->db, id, &at, &e) != 0 ||
	    disposition_remaining(r->db, &r->arena, id, &items, &n, &total, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:o,s:i}", "paragraph",
		                                     items[i].pid ? json_string(items[i].pid) : json_null(), "count",
		                                     items[i].count));
	reply_json(r, 200,
	           json_pack("{s:I,s:i,s:o,s:o}", "call", (json_int_t)id, "remaining", total, "paragraphs", arr,
	                     "published_at", at ? api_instant(at) : json_null()));
}

void api_dispositions_publish(struct request *r)
{
	int64_t id, at;
	if (!api_route_id(r, &id, _("There is no such call for contributions.")))
		return;
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (disposition_publish(r->db, &r->arena, &who, id, &e) != 0 ||
	    disposition_published_at(r->db, id, &at, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, 200, json_pack("{s:I,s:o}", "call", (json_int_t)id, "published_at", api_instant(at)));
}

int api_dispositions_attach(struct request *r, struct contribution *items, int n, int64_t call_id, struct error *e)
{
	int64_t at = 0;
	bool office = r->account && r->account->role == ACCOUNT_SECRETARIAT;
	if (!n || (!office && (disposition_published_at(r->db, call_id, &at, e) != 0 || !at)))
		return e->code ? -1 : 0;
	return disposition_attach(r->db, &r->arena, items, n, e);
}

/* Refused rows listed in one answer at most (the counts are always whole): 100,000 rows refused would pass
 * LIMIT_RESPONSE. */
enum { UPLOAD_REFUSED_LISTED = 10000 };

void api_dispositions_upload(struct request *r)
{
	static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	int64_t id;
	if (!api_route_id(r, &id, _("There is no such call for contributions.")))
		return;
	const char *type = r->content_type ? r->content_type : "";
	const bool xlsx = !strncasecmp(type, XLSX_TYPE, sizeof XLSX_TYPE - 1);
	if (!xlsx && strncasecmp(type, "text/csv", 8) != 0 && strncasecmp(type, "application/octet-stream", 24) != 0) {
		reply_json_problem(r, 415, "unsupported_media_type",
		                   _("Send the filled matrix's bytes as the body, with Content-Type text/csv or "
		                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."));
		return;
	}
	/* ?name= the file's name, for the messages and the audit log */
	const char *name = request_query(r, "name");
	if (!name || !*name || strlen(name) > 200 || !utf8_valid(name, strlen(name)))
		name = xlsx ? "matrix.xlsx" : "matrix.csv";
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	struct disposition_upload u;
	if (disposition_upload(r->db, &r->arena, &who, id, r->body.data ? r->body.data : "", r->body.len, name, &u,
	                       &e) != 0) {
		const char *file = error_field_message(&e, "file");
		if (file) /* the file itself could not be read: the request is bad, and the message names the file */
			snprintf(e.message, sizeof e.message, "%s", file);
		reply_json_error(r, &e);
		if (file)
			r->status = 400;
		return;
	}
	json_t *refused = json_array();
	for (int i = 0, listed = 0; i < u.nrows && listed < UPLOAD_REFUSED_LISTED; i++) {
		const struct upload_row *x = &u.rows[i];
		if (x->outcome != UPLOAD_REFUSED)
			continue;
		listed++;
		json_array_append_new(refused, json_pack("{s:i,s:o,s:s}", "row", x->row, "comment_id",
		                                         x->comment_id ? json_integer(x->comment_id) : json_null(),
		                                         "reason", x->reason ? x->reason : ""));
	}
	reply_json(r, 200,
	           json_pack("{s:I,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:o}", "call", (json_int_t)id, "file", name, "format",
	                     sheet_format_name(u.format), "header_row", u.header_row, "applied", u.applied, "unchanged",
	                     u.unchanged, "empty", u.empty, "refused_count", u.refused, "refused", refused));
}
