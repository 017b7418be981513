/*
 * api_subscription — following a process by e-mail through the JSON API:
 * POST /api/v1/subscriptions {"email","process"}. The answer is 202
 * {"status":"pending"} whether or not the address follows the process
 * already (addresses cannot be probed); the confirmation link goes by mail.
 */
#include "core/field.h"
#include "core/subscription.h"
#include "util/utf8.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

/* A string member, or NULL; a member of another type is a field error. */
static const char *member_string(json_t *body, const char *name, struct error *e)
{
	return field_json_string(body, name, e);
}

void api_subscription_create(struct request *r)
{
	if (!r->content_type || strncasecmp(r->content_type, "application/json", 16) != 0) {
		reply_json_problem(r, 415, "unsupported_media_type", _("Send the subscription as application/json."));
		return;
	}
	const char *body = r->body.data ? r->body.data : "";
	if (!utf8_valid(body, r->body.len)) {
		reply_json_problem(r, 400, "bad_request", _("The body is not valid UTF-8 text."));
		return;
	}
	json_error_t jerr;
	json_t *json = json_loadb(body, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json || !json_is_object(json)) {
		reply_json_problem(r, 400, "bad_request",
		                   json
		                       ? _("The body must be a JSON object.")
		                       : arena_printf(&r->arena, _("The body is not valid JSON: %s (line %d, column %d)."),
		                                      jerr.text, jerr.line, jerr.column));
		json_decref(json);
		return;
	}
	struct error e;
	error_clear(&e);
	const char *email = member_string(json, "email", &e);
	const char *process = member_string(json, "process", &e);
	if (e.code) {
		json_decref(json);
		reply_json_error(r, &e);
		return;
	}
	int rc = subscription_request(r->db, &r->arena, process, email, auth_client_address(r), &e);
	json_decref(json); /* email and process point into json: used no further */
	if (rc != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, 202, json_pack("{s:s}", "status", "pending"));
}
