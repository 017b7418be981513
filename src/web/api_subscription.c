/*
 * api_subscription — following a process by e-mail through the JSON API:
 * POST /api/v1/subscriptions {"email","process"}. The answer is 202
 * {"status":"pending"} whether or not the address follows the process
 * already (addresses cannot be probed); the confirmation link goes by mail.
 */
#include "core/field.h"
#include "core/subscription.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

void api_subscription_create(struct request *r)
{
	json_t *json = api_json_body(r, _("Send the subscription as application/json."));
	if (!json)
		return;
	struct error e;
	error_clear(&e);
	const char *email = field_json_string(json, "email", &e);
	const char *process = field_json_string(json, "process", &e);
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
