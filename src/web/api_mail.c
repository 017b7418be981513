/*
 * api_mail — what the JSON API shows of the e-mail channel: the
 * secretariat's whole record of a contribution (sender and its
 * verification, late or admitted, subject, attachments), the admission of a
 * late one, and the holding list of messages that did not become
 * contributions.
 */
#include "core/contribution.h"
#include "core/holding.h"
#include "core/limits.h"
#include "util/utf8.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *api_contribution_record_json(const struct contribution *k)
{
	json_t *o =
	    json_pack("{s:s,s:I,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "tracking", k->tracking, "call",
	              (json_int_t)k->call_id, "received_at", api_instant(k->received_at), "channel",
	              contribution_channel_name(k->channel), "name",
	              k->name, "organization", k->organization, "category", k->category_slug, "country", k->country,
	              "email", k->email, "text", k->text, "publication", contribution_publication_name(k->publication),
	              "state", contribution_state_name(k->state), "reason",
	              text_or_null(k->moderation_reason), "moderated_at",
	              k->moderated_at ? api_instant(k->moderated_at) : json_null());
	json_object_set_new(o, "late", json_boolean(k->late));
	json_object_set_new(o, "admitted_at", k->admitted_at ? api_instant(k->admitted_at) : json_null());
	json_object_set_new(o, "comments", api_comments_json(k));
	if (k->channel == CHANNEL_EMAIL) {
		json_t *files = json_array();
		for (int i = 0; i < k->nattachments; i++) {
			const struct contribution_attachment *f = &k->attachments[i];
			/* The record shows the start of each attachment's text: the whole of it (up to
			 * LIMIT_MAIL_EXTRACT each, 20 attachments) would not fit one answer. */
			const size_t whole = f->text ? strlen(f->text) : 0;
			const size_t shown = f->text ? utf8_prefix(f->text, LIMIT_RECORD_ATTACHMENT_TEXT) : 0;
			json_array_append_new(
				files, json_pack("{s:s,s:I,s:s,s:s,s:s,s:o,s:I,s:b}", "name", f->name, "size",
						 (json_int_t)f->size, "declared_type", f->declared_type, "type", f->type,
						 "sha256", f->sha256, "text",
						 f->text ? json_stringn(f->text, shown) : json_null(), "text_bytes",
						 (json_int_t)whole, "text_truncated", shown < whole));
		}
		json_object_set_new(o, "mail",
		                    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "sender", text_or_null(k->sender),
		                              "sender_verification",
	                              json_string(sender_verification_name(k->sender_verification)),
		                              "authentication", text_or_null(k->authentication), "subject",
		                              text_or_null(k->subject), "message_id", text_or_null(k->message_id),
		                              "raw_sha256", text_or_null(k->raw_sha256), "attachments", files));
	}
	return o;
}

void api_contribution_admit(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	struct contribution k;
	if (contribution_admit(r->db, &r->arena, &who, r->params[0], &k, &e) != 0 ||
	    contribution_attachments(r->db, &r->arena, &k, &e) != 0 || comment_attach(r->db, &r->arena, &k, 1, &e) != 0 ||
	    api_dispositions_attach(r, &k, 1, k.call_id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, 200, api_contribution_record_json(&k));
}

static json_t *holding_json(const struct holding_item *h)
{
	return json_pack("{s:I,s:o,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:I}", "id", (json_int_t)h->id, "received_at",
	                 api_instant(h->received_at), "recipient", h->recipient, "envelope_sender", h->envelope_sender,
	                 "sender", h->sender, "subject", h->subject, "message_id", text_or_null(h->message_id), "call",
	                 h->call_id ? json_integer(h->call_id) : json_null(), "reason", holding_reason_name(h->reason),
	                 "detail", h->detail, "raw_sha256", h->raw_sha256, "size", (json_int_t)h->size);
}

void api_holding(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t before = 0, per_page = LIMIT_PAGE_SIZE_DEFAULT;
	const char *b = request_query(r, "before"), *pp = request_query(r, "per_page");
	if (b && !parse_id(b, &before))
		error_field(&e, "before", "%s", _("Use the id of a held message."));
	if (pp && (!parse_id(pp, &per_page) || per_page > LIMIT_PAGE_SIZE))
		error_field(&e, "per_page", _("Use a page size from 1 to %d."), LIMIT_PAGE_SIZE);
	struct holding_item *items;
	int n = 0;
	if (e.code || holding_list(r->db, &r->arena, before, (int)per_page, &items, &n, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, holding_json(&items[i]));
	json_t *next = n == per_page ? json_string(arena_printf(&r->arena, "/api/v1/holding?before=%lld&per_page=%lld",
	                                                        (long long)items[n - 1].id, (long long)per_page))
	                             : json_null();
	reply_json(r, 200, json_pack("{s:o,s:o}", "held", arr, "next", next));
}
