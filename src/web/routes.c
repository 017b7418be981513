/* routes — see routes.h. The whole of Consulta's URL space on one screen. */
#include "web/routes.h"

#include "core/config.h"
#include "core/limits.h"

#include <stdio.h>
#include <string.h>

const struct route ROUTES[] = {
	/* pages */
	{"GET", "/", page_home, ROLE_PUBLIC, false},
	{"GET", "/processes/{slug}", page_process, ROLE_PUBLIC, false, .kept = page_process_kept},
	{"GET", "/versions/{id}", page_version, ROLE_PUBLIC, false},
	{"GET", "/letters", page_circular_archive, ROLE_PUBLIC, false},
	{"GET", "/letters.atom", page_circular_feed, ROLE_PUBLIC, false},
	{"GET", "/letters/{id}", page_circular, ROLE_PUBLIC, false},
	{"GET", "/letters/{id}/letter.pdf", page_circular_pdf, ROLE_PUBLIC, false, .slow = true}, /* made on first ask */
	{"GET", "/versions/{id}/paragraphs/{pid}", page_paragraph, ROLE_PUBLIC, false},
	{"GET", "/versions/{a}/compare/{b}", page_compare, ROLE_PUBLIC, false}, /* page_compare.c */
	{"GET", "/versions/{id}/you-said-we-did", page_version_outcome, ROLE_PUBLIC, false}, /* page_outcome.c */
	{"GET", "/calls/{id}", page_call, ROLE_PUBLIC, false},
	{"GET", "/calls/{id}/contribute", page_contribute_form, ROLE_PUBLIC, false},
	{"POST", "/calls/{id}/contribute", page_contribute_submit, ROLE_PUBLIC, true, .files = true, .grouped = true,
	 .stale = page_contribute_stale},
	{"GET", "/calls/{id}/contributions", page_call_contributions, ROLE_PUBLIC, false,
	 .kept = page_call_contributions_kept},
	{"GET", "/calls/{id}/matrix", page_call_matrix, ROLE_PUBLIC, false},
	{"GET", "/calls/{id}/statistics", page_call_statistics, ROLE_PUBLIC, false}, /* page_statistics.c */
	{"GET", "/processes/{slug}/statistics", page_process_statistics, ROLE_PUBLIC, false},
	{"GET", "/calls/{id}/matrix.csv", page_call_matrix_csv, ROLE_PUBLIC, false},
	{"GET", "/calls/{id}/matrix.xlsx", page_call_matrix_xlsx, ROLE_PUBLIC, false},
	{"GET", "/receipts/{tracking}", page_receipt, ROLE_PUBLIC, false},
	{"POST", "/receipts/{tracking}/mail", page_receipt_mail, ROLE_PUBLIC, true},
	{"GET", "/receipts/{tracking}/receipt.json", page_receipt_file, ROLE_PUBLIC, false}, /* page_ledger.c */
	{"GET", "/contributions/{tracking}", page_contribution, ROLE_PUBLIC, false},
	{"GET", "/contributions/{tracking}/attachments/{n}/{name}", page_attachment, ROLE_PUBLIC, false},
	{"GET", "/static/{name}", page_static, ROLE_PUBLIC, false},
	/* feeds and the calendar (page_feed.c) */
	{"GET", "/processes/{slug}/feed.atom", page_process_feed, ROLE_PUBLIC, false},
	{"GET", "/processes/{slug}/contributions.atom", page_process_contributions_feed, ROLE_PUBLIC, false},
	{"GET", "/processes/{slug}/calendar.ics", page_process_calendar, ROLE_PUBLIC, false},
	{"GET", "/calls/{id}/feed.atom", page_call_feed, ROLE_PUBLIC, false},
	{"GET", "/search", page_search, ROLE_PUBLIC, false}, /* page_search.c */
	/* meetings and registering for them (page_meeting.c) */
	{"GET", "/meetings/{id}.ics", page_meeting_ics, ROLE_PUBLIC, false},
	{"GET", "/meetings/{id}", page_meeting, ROLE_PUBLIC, false},
	{"POST", "/meetings/{id}/register", page_meeting_register, ROLE_STAKEHOLDER, true},
	{"POST", "/meetings/{id}/unregister", page_meeting_unregister, ROLE_STAKEHOLDER, true},
	{"GET", "/api/v1/meetings/{id}", api_meeting, ROLE_PUBLIC, false},
	{"POST", "/api/v1/meetings/{id}/registrations", api_meeting_register, ROLE_STAKEHOLDER, true},
	{"DELETE", "/api/v1/meetings/{id}/registrations", api_meeting_unregister, ROLE_STAKEHOLDER, true},
	{"POST", "/api/v1/processes/{slug}/meetings", api_meeting_create, ROLE_SECRETARIAT, true},
	{"PATCH", "/api/v1/meetings/{id}", api_meeting_update, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/meetings/{id}/cancel", api_meeting_cancel, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/meetings/{id}/outcome", api_meeting_outcome, ROLE_SECRETARIAT, true},
	/* back office: meetings (page_office_meetings.c) */
	{"GET", "/office/processes/{slug}/meetings/new", page_office_meeting_new, ROLE_SECRETARIAT, false},
	{"POST", "/office/processes/{slug}/meetings", page_office_meeting_create, ROLE_SECRETARIAT, true, .once = true},
	{"GET", "/office/meetings/{id}", page_office_meeting, ROLE_SECRETARIAT, false},
	{"POST", "/office/meetings/{id}", page_office_meeting_update, ROLE_SECRETARIAT, true},
	{"POST", "/office/meetings/{id}/cancel", page_office_meeting_cancel, ROLE_SECRETARIAT, true},
	{"POST", "/office/meetings/{id}/outcome", page_office_meeting_outcome, ROLE_SECRETARIAT, true},
	{"GET", "/office/meetings/{id}/participants.csv", page_office_meeting_csv, ROLE_SECRETARIAT, false},
	/* the tamper-evident record (page_ledger.c) */
	{"GET", "/log/checkpoint", page_log_checkpoint, ROLE_PUBLIC, false},
	{"GET", "/log/key", page_log_key, ROLE_PUBLIC, false},
	{"GET", "/log/proof/inclusion", page_log_inclusion, ROLE_PUBLIC, false},
	{"GET", "/log/proof/consistency", page_log_consistency, ROLE_PUBLIC, false},
	{"GET", "/about", page_about, ROLE_PUBLIC, false}, /* page_site.c */
	{"GET", "/privacy", page_privacy, ROLE_PUBLIC, false},
	{"GET", "/language/{code}", page_language, ROLE_PUBLIC, false}, /* page.c: the language switcher */
	/* the report to the governing body (page_report.c) */
	{"GET", "/processes/{slug}/report", page_process_report, ROLE_PUBLIC, false},
	{"GET", "/processes/{slug}/reports/{file}", page_process_report_file, ROLE_PUBLIC, false},
	{"POST", "/office/processes/{slug}/report", page_office_report_make, ROLE_SECRETARIAT, true, .once = true},
	/* following a process by e-mail (page_subscription.c) */
	{"POST", "/processes/{slug}/subscribe", page_subscribe, ROLE_PUBLIC, true},
	{"GET", "/subscriptions/confirm", page_subscription_confirm, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/subscriptions/leave", page_subscription_leave_form, ROLE_PUBLIC, false},
	{"POST", "/subscriptions/leave", page_subscription_leave, ROLE_PUBLIC, true, .no_csrf = true},
	/* accounts */
	{"GET", "/login", page_login_form, ROLE_PUBLIC, false},
	{"POST", "/login", page_login, ROLE_PUBLIC, true},
	{"POST", "/logout", page_logout, ROLE_PUBLIC, true},
	{"GET", "/account/register", page_register_form, ROLE_PUBLIC, false},
	{"POST", "/account/register", page_register, ROLE_PUBLIC, true},
	{"GET", "/account/confirm", page_confirm, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/account/reset-request", page_reset_request_form, ROLE_PUBLIC, false},
	{"POST", "/account/reset-request", page_reset_request, ROLE_PUBLIC, true},
	{"GET", "/account/reset", page_reset_form, ROLE_PUBLIC, false},
	{"POST", "/account/reset", page_reset, ROLE_PUBLIC, true},
	{"GET", "/account", page_my_contributions, ROLE_STAKEHOLDER, false},
	{"POST", "/account/language", page_account_language, ROLE_STAKEHOLDER, true},
	/* back office */
	{"GET", "/office/audit", page_office_audit, ROLE_SECRETARIAT, false},
	{"GET", "/office", page_office, ROLE_SECRETARIAT, false},
	{"GET", "/office/pages/{name}", page_office_site_page, ROLE_SECRETARIAT, false}, /* page_site.c */
	{"POST", "/office/pages/{name}", page_office_site_page_update, ROLE_SECRETARIAT, true},
	{"GET", "/office/processes/new", page_office_process_new_form, ROLE_SECRETARIAT, false},
	{"POST", "/office/processes/new", page_office_process_create, ROLE_SECRETARIAT, true, .once = true},
	{"GET", "/office/processes/{slug}", page_office_process, ROLE_SECRETARIAT, false},
	{"POST", "/office/processes/{slug}", page_office_process_update, ROLE_SECRETARIAT, true},
	{"POST", "/office/processes/{slug}/documents", page_office_document_create, ROLE_SECRETARIAT, true,
	 .once = true},
	{"GET", "/office/processes/{slug}/documents/{doc}/versions/new", page_office_version_form, ROLE_SECRETARIAT, false},
	{"POST", "/office/processes/{slug}/documents/{doc}/versions/new", page_office_version_create, ROLE_SECRETARIAT,
	 true, .once = true},
	{"GET", "/office/versions/{id}/matches", page_office_version_matches, ROLE_SECRETARIAT, false},
	{"POST", "/office/versions/{id}/matches", page_office_version_confirm, ROLE_SECRETARIAT, true},
	{"GET", "/office/versions/{id}/texts", page_office_version_texts, ROLE_SECRETARIAT, false}, /* page_office_texts.c */
	{"POST", "/office/versions/{id}/texts", page_office_version_text_put, ROLE_SECRETARIAT, true},
	{"POST", "/office/processes/{slug}/milestones", page_office_milestone_create, ROLE_SECRETARIAT, true, .once = true},
	{"POST", "/office/milestones/{id}", page_office_milestone_update, ROLE_SECRETARIAT, true},
	{"POST", "/office/milestones/{id}/move", page_office_milestone_move, ROLE_SECRETARIAT, true},
	{"POST", "/office/processes/{slug}/letters", page_office_letter_create, ROLE_SECRETARIAT, true, .once = true,
	 .stale = page_office_letter_create_stale},
	{"POST", "/office/processes/{slug}/letterhead", page_office_letterhead, ROLE_SECRETARIAT, true},
	{"GET", "/office/letters/{id}", page_office_letter, ROLE_SECRETARIAT, false},
	{"POST", "/office/letters/{id}", page_office_letter_update, ROLE_SECRETARIAT, true,
	 .stale = page_office_letter_update_stale},
	{"POST", "/office/letters/{id}/issue", page_office_letter_issue, ROLE_SECRETARIAT, true},
	{"POST", "/office/letters/{id}/texts", page_office_letter_text, ROLE_SECRETARIAT, true,
	 .stale = page_office_letter_text_stale},
	{"GET", "/office/circulars/{id}", page_office_circular, ROLE_SECRETARIAT, false},
	{"POST", "/office/processes/{slug}/calls", page_office_call_create, ROLE_SECRETARIAT, true, .once = true},
	{"GET", "/office/calls/{id}", page_office_call, ROLE_SECRETARIAT, false},
	{"POST", "/office/calls/{id}/deadline", page_office_call_deadline, ROLE_SECRETARIAT, true},
	{"POST", "/office/calls/{id}/state", page_office_call_state, ROLE_SECRETARIAT, true},
	{"POST", "/office/calls/{id}/review", page_office_call_review, ROLE_SECRETARIAT, true},
	{"GET", "/office/calls/{id}/contributions", page_office_moderation, ROLE_SECRETARIAT, false},
	{"POST", "/office/contributions/{tracking}/moderation", page_office_moderate, ROLE_SECRETARIAT, true},
	/* back office: answers to comments (page_office_dispositions.c) */
	{"GET", "/office/calls/{id}/dispositions", page_office_dispositions, ROLE_SECRETARIAT, false},
	{"POST", "/office/calls/{id}/dispositions", page_office_dispositions_record, ROLE_SECRETARIAT, true, .once = true},
	{"POST", "/office/calls/{id}/dispositions/publish", page_office_dispositions_publish, ROLE_SECRETARIAT, true},
	{"POST", "/office/calls/{id}/dispositions/matrix", page_office_dispositions_upload, ROLE_SECRETARIAT, true,
	 .max_body = LIMIT_MATRIX_BODY, .once = true},
	/* back office: the e-mail channel (page_office_mail.c) */
	{"GET", "/office/holding", page_office_holding, ROLE_SECRETARIAT, false},
	/* back office: the mail Consulta sends (page_office_outbox.c) */
	{"GET", "/office/outbox", page_office_outbox, ROLE_SECRETARIAT, false},
	{"GET", "/office/outbox/{id}", page_office_outbox_mail, ROLE_SECRETARIAT, false},
	{"POST", "/office/outbox/{id}/retry", page_office_outbox_retry, ROLE_SECRETARIAT, true},
	{"GET", "/office/calls/{id}/late", page_office_late, ROLE_SECRETARIAT, false},
	{"GET", "/office/calls/{id}/matrix", page_office_matrix, ROLE_SECRETARIAT, false},
	{"GET", "/office/calls/{id}/matrix.csv", page_office_matrix_csv, ROLE_SECRETARIAT, false},
	{"GET", "/office/calls/{id}/matrix.xlsx", page_office_matrix_xlsx, ROLE_SECRETARIAT, false},
	{"POST", "/office/contributions/{tracking}/admission", page_office_admit, ROLE_SECRETARIAT, true},
	/* JSON API */
	{"GET", "/healthz", api_health, ROLE_PUBLIC, false},
	{"GET", "/api/v1/processes", api_processes, ROLE_PUBLIC, false},
	{"GET", "/api/v1/processes/{slug}", api_process, ROLE_PUBLIC, false},
	{"GET", "/api/v1/circulars/{id}", api_circular, ROLE_PUBLIC, false},
	{"GET", "/api/v1/calls/{id}", api_call, ROLE_PUBLIC, false},
	{"GET", "/api/v1/versions/{a}/compare/{b}", api_compare, ROLE_PUBLIC, false}, /* api_compare.c */
	{"POST", "/api/v1/calls/{id}/contributions", api_contribution_create, ROLE_PUBLIC, true, .files = true, .grouped = true},
	{"POST", "/api/v1/subscriptions", api_subscription_create, ROLE_PUBLIC, true},
	{"GET", "/api/v1/calls/{id}/contributions", api_call_contributions, ROLE_PUBLIC, false},
	{"GET", "/api/v1/calls/{id}/campaigns", api_call_campaigns, ROLE_PUBLIC, false},
	{"GET", "/api/v1/campaigns/{id}/contributions", api_campaign_contributions, ROLE_PUBLIC, false},
	{"GET", "/api/v1/contributions/{tracking}", api_contribution, ROLE_PUBLIC, false},
	/* open data (api_export.c): each a file per process, some per call too; .slow: on a worker */
	{"GET", "/api/v1/calls/{id}/contributions.{format}", api_export_call, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/calls/{id}/comments.{format}", api_export_call, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/calls/{id}/attachments.{format}", api_export_call, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/calls/{id}/deadline-changes.{format}", api_export_call, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/contributions.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/comments.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/attachments.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/versions.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/paragraphs.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/schedule.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/schedule-history.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/letters.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/letter-addressees.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/calls.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/deadline-changes.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/api/v1/processes/{slug}/meetings.{format}", api_export_process, ROLE_PUBLIC, false, .slow = true},
	{"GET", "/data", page_data, ROLE_PUBLIC, false}, /* the data dictionary (api_export.c) */
	{"GET", "/api/v1/dictionary", api_dictionary, ROLE_PUBLIC, false},
	{"GET", "/api/v1/search", api_search, ROLE_PUBLIC, false}, /* page_search.c */
	{"GET", "/api/v1/versions/{id}", api_version, ROLE_PUBLIC, false},
	{"GET", "/api/v1/versions/{id}/outcome", api_version_outcome, ROLE_PUBLIC, false},
	{"GET", "/api/v1/calls/{id}/statistics", api_call_statistics, ROLE_PUBLIC, false}, /* page_statistics.c */
	{"GET", "/api/v1/processes/{slug}/statistics", api_process_statistics, ROLE_PUBLIC, false},
	/* JSON API: the back office (api_office.c) */
	{"POST", "/api/v1/processes", api_process_create, ROLE_SECRETARIAT, true},
	{"PATCH", "/api/v1/processes/{slug}", api_process_update, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/documents", api_document_create, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/documents/{doc}/versions", api_version_create, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/versions/{id}/matches", api_version_matches, ROLE_SECRETARIAT, false},
	{"POST", "/api/v1/versions/{id}/matches", api_version_decide, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/versions/{id}/publish", api_version_publish, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/versions/{id}/texts/{lang}", api_version_text, ROLE_PUBLIC, false},
	{"POST", "/api/v1/versions/{id}/texts/{lang}", api_version_text_put, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/milestones", api_milestone_create, ROLE_SECRETARIAT, true},
	{"PATCH", "/api/v1/milestones/{id}", api_milestone_update, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/milestones/{id}/move", api_milestone_move, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/circulars", api_circular_create, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/circular-drafts/{id}", api_circular_draft, ROLE_SECRETARIAT, false},
	{"PATCH", "/api/v1/circular-drafts/{id}", api_circular_draft_update, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/circular-drafts/{id}/issue", api_circular_issue, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/circular-drafts/{id}/texts/{lang}", api_circular_draft_text_put, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/calls", api_call_create, ROLE_SECRETARIAT, true},
	{"PATCH", "/api/v1/calls/{id}", api_call_update, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/calls/{id}/moderation", api_call_moderation, ROLE_SECRETARIAT, false},
	{"POST", "/api/v1/contributions/{tracking}/moderation", api_contribution_moderate, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/audit", api_audit, ROLE_SECRETARIAT, false},
	/* JSON API: the e-mail channel (api_mail.c) */
	{"POST", "/api/v1/contributions/{tracking}/admission", api_contribution_admit, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/holding", api_holding, ROLE_SECRETARIAT, false},
	/* JSON API: answers to comments (api_disposition.c) */
	{"POST", "/api/v1/comments/{id}/disposition", api_disposition_record, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/comments/{id}/disposition/history", api_disposition_history, ROLE_SECRETARIAT, false},
	{"POST", "/api/v1/calls/{id}/dispositions", api_dispositions_record, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/calls/{id}/dispositions/remaining", api_dispositions_remaining, ROLE_SECRETARIAT, false},
	{"POST", "/api/v1/calls/{id}/dispositions/publish", api_dispositions_publish, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/calls/{id}/dispositions/matrix", api_dispositions_upload, ROLE_SECRETARIAT, true,
	 .max_body = LIMIT_MATRIX_BODY},
};
const int NROUTES = (int)(sizeof ROUTES / sizeof *ROUTES);

const char *route_role_name(enum role role)
{
	switch (role) {
	case ROLE_PUBLIC:
		return "public";
	case ROLE_STAKEHOLDER:
		return "stakeholder";
	case ROLE_SECRETARIAT:
		return "secretariat";
	}
	return "unknown";
}

/* Matches path against pattern, capturing {segments} (not decoded: ids and slugs need no decoding). */
static bool pattern_match(struct request *r, const char *pattern, const char *path)
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			/* {id}.ics: a capture followed by a literal within its segment ends at that literal */
			const char *stop = close[1] && close[1] != '/' ? memchr(s, close[1], len) : NULL;
			if (stop)
				len = (size_t)(stop - s);
			if (len == 0 || n >= ROUTE_MAX_PARAMS)
				return false;
			r->params[n++] = arena_strndup(&r->arena, s, len);
			p = close + 1;
			s += len;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	if (*p || *s)
		return false;
	r->nparams = n;
	return true;
}

const struct route *route_match(struct request *r, const char *method, const char *path, bool *path_known)
{
	if (r->matched_path && !strcmp(r->matched_path, path) && !strcmp(r->matched_method, method)) {
		*path_known = r->matched_known;
		return r->matched; /* its captures are still in r->params: nothing matched since */
	}
	*path_known = false;
	const struct route *found = NULL;
	for (int i = 0; i < NROUTES && !found; i++) {
		if (!pattern_match(r, ROUTES[i].pattern, path))
			continue;
		*path_known = true;
		/* HEAD is answered as GET; libmicrohttpd leaves the body out. */
		if (!strcmp(ROUTES[i].method, method) || (!strcmp(method, "HEAD") && !strcmp(ROUTES[i].method, "GET")))
			found = &ROUTES[i];
	}
	/* Kept only when found: the captures of a path matched by no route are those of its last attempt. */
	r->matched_method = found ? arena_strdup(&r->arena, method) : NULL;
	r->matched_path = found && r->matched_method ? arena_strdup(&r->arena, path) : NULL;
	r->matched = found;
	r->matched_known = *path_known;
	return found;
}

size_t route_body_limit(struct request *r, const char *method, const char *path, enum role *role)
{
	bool known;
	const struct route *route = strlen(path) <= LIMIT_URL ? route_match(r, method, path, &known) : NULL;
	*role = route ? route->role : ROLE_PUBLIC;
	if (route && route->files)
		return config_body_limit_files();
	return route && route->max_body ? route->max_body : LIMIT_REQUEST_BODY;
}

const char *route_allow(struct request *r, const char *path)
{
	char *allow = arena_alloc(&r->arena, 64);
	if (!allow)
		return NULL;
	for (int i = 0; i < NROUTES; i++) {
		if (!pattern_match(r, ROUTES[i].pattern, path) || strstr(allow, ROUTES[i].method))
			continue;
		size_t used = strlen(allow);
		snprintf(allow + used, 64 - used, "%s%s", *allow ? ", " : "", ROUTES[i].method);
	}
	return allow;
}
