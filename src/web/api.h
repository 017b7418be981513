/*
 * api — what the JSON API's files (api.c, the public resources; api_office.c,
 * the back office) share: the JSON shapes of the resources, so that a call or
 * a milestone looks the same whether it is read or has just been changed.
 */
#ifndef CONSULTA_WEB_API_H
#define CONSULTA_WEB_API_H

#include "core/call.h"
#include "core/contribution.h"
#include "core/milestone.h"
#include "core/process.h"
#include "web/request.h"

#include <jansson.h>

/* The request's JSON object, or NULL with the answer given: 415 with the sentence not_json (which says what to
 * send) when it is not application/json, 400 when it is not UTF-8, not JSON or not an object. The caller
 * json_decref()s it (api_office.c). */
json_t *api_json_body(struct request *r, const char *not_json);
/* The same for a back-office change. */
json_t *api_office_body(struct request *r);
/* The id in the route's first parameter ({id}); false, with a JSON 404 saying not_found, when it is not one. */
bool api_route_id(struct request *r, int64_t *id, const char *not_found);
/* A field error for every member of body not among names (NULL-terminated): a misspelt member is refused,
 * not ignored. */
void api_known_members(json_t *body, const char *const *names, struct error *e);
/* A string member copied into the request's arena (so that it outlives body), or NULL when absent or null;
 * a member of another type is a field error ("Must be a string."). field_json_string() reads one in place. */
const char *api_member_text(struct request *r, json_t *body, const char *name, struct error *e);

struct outcome_count;
/* Counts (core/outcome.h) as [{key_name: key, name, count}] (page_outcome.c; the statistics' too). */
json_t *api_counts_json(const struct outcome_count *c, int n, const char *key_name);

/* An instant as RFC 3339 in UTC. */
json_t *api_instant(int64_t t);

/* A call as the public sees it, with its state now and, if loaded
 * (call_history), its history of deadline and state changes. */
json_t *api_call_json(struct request *r, const struct call *c);

/* A milestone with its history of moves. */
json_t *api_milestone_json(const struct milestone *m);

/* A process's own fields (no documents, schedule or calls). */
json_t *api_process_json(const struct process *p);

/* A contribution as the public sees it: never the e-mail, no name for an
 * anonymous one, and for a hidden one only {tracking, state, reason}. The
 * caller has checked contribution_is_public(). */
json_t *api_contribution_json(const struct contribution *k);
/* A page of a list: the JSON array of items[0..n), each made by to_json, until it holds LIMIT_PAGE_BYTES
 * (at least one item); *shown says how many it holds, and the page's `next` starts after them. */
json_t *api_contributions_by_size(const struct contribution *items, int n,
				  json_t *(*to_json)(const struct contribution *), int *shown);

/* The whole record, as the secretariat reads it (api_mail.c): every field
 * whatever the publication, late and admitted, and for a contribution by
 * e-mail its sender, the verdict on the sender, subject, Message-ID and
 * attachments (loaded by contribution_attachments). */
json_t *api_contribution_record_json(const struct contribution *k);

/* Its comments (loaded by comment_attach), each {id, paragraph, number, type, comment, proposed_change}. */
json_t *api_comments_json(const struct contribution *k);

struct disposition;
/* An answer to a comment: {decision, reason, paragraph, version_id, decided_at, revision} (api_disposition.c). */
json_t *api_disposition_json(const struct disposition *d);
/* Attaches the answers to the comments of items[0..n) (of call_id, loaded by comment_attach): for the
 * secretariat always, for anyone else only once the call's dispositions are published. */
int api_dispositions_attach(struct request *r, struct contribution *items, int n, int64_t call_id, struct error *e);

/* The files of k (loaded by contribution_attachments): name, size, type, SHA-256, scan state, and the download
 * address of a clean one (null otherwise). */
json_t *api_attachments_json(struct request *r, const struct contribution *k);

#endif
