/*
 * routes — every URL of Consulta, its method, its handler and who may use
 * it, in one table (routes.c). The server matches a request against it and
 * nothing else; tests walk the same table.
 */
#ifndef CONSULTA_WEB_ROUTES_H
#define CONSULTA_WEB_ROUTES_H

#include "web/request.h"

/* Who may use a route: anyone, anyone logged in, or the secretariat only. */
enum role { ROLE_PUBLIC = 0, ROLE_STAKEHOLDER = 1, ROLE_SECRETARIAT = 2 };

typedef void (*route_handler)(struct request *r);

struct route {
	const char *method;
	const char *pattern; /* "/calls/{id}/contribute": {name} matches one path segment */
	route_handler handler;
	enum role role;
	bool body; /* takes a request body */
	bool no_csrf; /* a change whose URL carries its own secret token (the one-click leave link of RFC 8058,
		       * which a mail program POSTs without our cookie): a forged request would need that token */
	bool slow; /* a GET that writes (a confirmation link), so may wait for the write lock: it runs on a worker
		    * thread like every change (server.c), not on the thread that serves other connections */
	/* Its body may be larger than LIMIT_REQUEST_BODY (route_body_limit), for those its role admits only: */
	size_t max_body; /* bytes (an uploaded matrix); 0: LIMIT_REQUEST_BODY */
	bool files;      /* takes a contribution's files: as large as config_body_limit_files() */
	bool grouped;    /* sends a contribution, which waits for its group commit: on the contributions' pool */
	/* A page's form with text a person typed: when its CSRF token fails (expired, or another site's), this
	 * shows the form again with what was typed, a fresh token and what happened, changing nothing, instead of
	 * a bare 403 that loses the text. NULL: the 403. */
	route_handler stale;
	/* An office form that creates something: sent again with the same one-time field ("once", office_form_open)
	 * and content, it is answered with the page the first one led to and creates nothing (core/form_once.h). */
	bool once;
	/* A public page the page cache may answer during a surge without the database (page_cache_serve_recent):
	 * tried on the thread that read the request, before it is handed to a worker (reads on PostgreSQL), for a
	 * visitor who is not logged in. True if it answered. */
	bool (*kept)(struct request *r);
};

extern const struct route ROUTES[];
extern const int NROUTES;

/* "public", "stakeholder" or "secretariat": a role as `consulta routes` prints it. */
const char *route_role_name(enum role role);

/* The route for method and path, with its captures in r->params. NULL if
 * none; *path_known tells a 405 (path exists, other method) from a 404. */
const struct route *route_match(struct request *r, const char *method, const char *path, bool *path_known);

/* The bytes the body of a request for method and path may have: config_body_limit_files() for a route that
 * takes files, its max_body if set, else (no route too) LIMIT_REQUEST_BODY; *role is the role the route
 * requires (ROLE_PUBLIC without a route), which the server checks before allowing more than
 * LIMIT_REQUEST_BODY. */
size_t route_body_limit(struct request *r, const char *method, const char *path, enum role *role);

/* "GET, POST": the methods path accepts, for the Allow header of a 405. */
const char *route_allow(struct request *r, const char *path);

/* Handlers: pages (page_*.c) and the JSON API (api_*.c). */
void page_home(struct request *r);
/* web/api_export.c: the open data's files per call and per process, and the data dictionary (/data). */
void api_export_call(struct request *r);
void api_export_process(struct request *r);
void page_data(struct request *r);
void api_dictionary(struct request *r);
void page_process(struct request *r);
bool page_process_kept(struct request *r);
void page_version(struct request *r);
void page_paragraph(struct request *r);
void page_compare(struct request *r);
/* web/page_outcome.c: "you said, we did" for a version, as a page and as JSON. */
void page_version_outcome(struct request *r);
void api_version_outcome(struct request *r);
/* web/page_statistics.c: a call's and a process's statistics, as pages and as JSON. */
void page_call_statistics(struct request *r);
void page_process_statistics(struct request *r);
void api_call_statistics(struct request *r);
void api_process_statistics(struct request *r);
void page_call(struct request *r);
void page_contribute_form(struct request *r);
void page_contribute_submit(struct request *r);
void page_contribute_stale(struct request *r);
void page_receipt(struct request *r);
void page_receipt_mail(struct request *r);
/* web/page_ledger.c: the tamper-evident record's checkpoint, key, proofs, and a receipt's file. */
void page_log_checkpoint(struct request *r);
void page_log_key(struct request *r);
void page_log_inclusion(struct request *r);
void page_log_consistency(struct request *r);
void page_receipt_file(struct request *r);
void page_call_contributions(struct request *r);
bool page_call_contributions_kept(struct request *r);
/* web/page_matrix.c: a call's resolution matrix, public and the secretariat's, as HTML, CSV and XLSX. */
void page_call_matrix(struct request *r);
void page_call_matrix_csv(struct request *r);
void page_call_matrix_xlsx(struct request *r);
void page_office_matrix(struct request *r);
void page_office_matrix_csv(struct request *r);
void page_office_matrix_xlsx(struct request *r);
void page_contribution(struct request *r);
void page_attachment(struct request *r); /* page_attachment.c */
void page_static(struct request *r);
/* web/page_feed.c: Atom feeds (a process's news, its contributions, a call's) and the process's calendar. */
void page_process_feed(struct request *r);
void page_process_contributions_feed(struct request *r);
void page_call_feed(struct request *r);
void page_process_calendar(struct request *r);
/* page_meeting.c */
void page_meeting(struct request *r);
void page_meeting_ics(struct request *r);
void page_meeting_register(struct request *r);
void page_meeting_unregister(struct request *r);
/* page_office_meetings.c */
void page_office_meeting(struct request *r);
void page_office_meeting_csv(struct request *r);
void page_office_meeting_new(struct request *r);
void page_office_meeting_create(struct request *r);
void page_office_meeting_update(struct request *r);
void page_office_meeting_cancel(struct request *r);
void page_office_meeting_outcome(struct request *r);
void api_meeting(struct request *r);
void api_meeting_register(struct request *r);
void api_meeting_unregister(struct request *r);
void api_meeting_create(struct request *r);
void api_meeting_update(struct request *r);
void api_meeting_cancel(struct request *r);
void api_meeting_outcome(struct request *r);
void page_about(struct request *r);   /* page_site.c */
/* GET /language/{code}?back=PATH, the switcher's link (page.c): keeps the language in a cookie for a year and
 * goes back to PATH (a path on this site; "/" otherwise); 404 for a language not offered. */
void page_language(struct request *r);
void page_privacy(struct request *r); /* page_site.c */
void page_office_site_page(struct request *r);
void page_office_site_page_update(struct request *r);
void page_login_form(struct request *r);
void page_login(struct request *r);
/* The login page as the answer to an office form whose session had ended (server.c): it keeps what was typed,
 * for the account the form was served to, and shows it to send again once that account logs in (401). */
void page_login_again(struct request *r);
void page_logout(struct request *r);
void page_register_form(struct request *r);
void page_register(struct request *r);
void page_confirm(struct request *r);
void page_reset_request_form(struct request *r);
void page_reset_request(struct request *r);
void page_reset_form(struct request *r);
void page_reset(struct request *r);
void page_my_contributions(struct request *r);
void page_account_language(struct request *r);
void page_office_audit(struct request *r);
void page_office(struct request *r);
void page_office_process_new_form(struct request *r);
void page_office_process_create(struct request *r);
void page_office_process(struct request *r);
void page_office_process_update(struct request *r);
void page_office_document_create(struct request *r);
void page_office_version_form(struct request *r);
void page_office_version_create(struct request *r);
void page_office_milestone_create(struct request *r);
void page_office_milestone_update(struct request *r);
void page_office_milestone_move(struct request *r);
void page_office_call_create(struct request *r);
void page_office_call(struct request *r);
void page_office_call_deadline(struct request *r);
void page_office_call_state(struct request *r);
void page_office_call_review(struct request *r);
void page_office_moderation(struct request *r);
void page_office_moderate(struct request *r);
void page_office_holding(struct request *r);
/* page_office_outbox.c */
void page_office_outbox(struct request *r);
void page_office_outbox_mail(struct request *r);
void page_office_outbox_retry(struct request *r);
void page_office_late(struct request *r);
void page_office_admit(struct request *r);
void page_subscribe(struct request *r);
void page_subscription_confirm(struct request *r);
void page_subscription_leave_form(struct request *r);
void page_subscription_leave(struct request *r);
void api_health(struct request *r);
void api_processes(struct request *r);
void api_process(struct request *r);
void api_call(struct request *r);
void api_contribution_create(struct request *r);
void api_contribution(struct request *r);
void api_call_contributions(struct request *r);
void api_call_campaigns(struct request *r);
void api_campaign_contributions(struct request *r);
void api_process_create(struct request *r);
void api_process_update(struct request *r);
void api_document_create(struct request *r);
void api_version_create(struct request *r);
void api_version(struct request *r);
void api_version_matches(struct request *r);
void api_version_decide(struct request *r);
void api_version_publish(struct request *r);
void api_version_text(struct request *r);
void api_version_text_put(struct request *r);
void page_office_version_matches(struct request *r);
void page_office_version_confirm(struct request *r);
void page_office_version_texts(struct request *r);
void page_office_version_text_put(struct request *r);
void api_milestone_create(struct request *r);
void api_milestone_update(struct request *r);
void api_milestone_move(struct request *r);
/* web/api_circular.c and page_circular.c: circular letters. */
void api_circular(struct request *r);
void api_circular_create(struct request *r);
void api_circular_draft(struct request *r);
void api_circular_draft_update(struct request *r);
void api_circular_issue(struct request *r);
void api_circular_draft_text_put(struct request *r);
void page_circular(struct request *r);
void page_circular_pdf(struct request *r);
void page_circular_archive(struct request *r);
void page_circular_feed(struct request *r);
void page_office_letter_create(struct request *r);
void page_office_letterhead(struct request *r);
void page_office_letter(struct request *r);
void page_office_circular(struct request *r);
void page_office_letter_update(struct request *r);
void page_office_letter_create_stale(struct request *r);
void page_office_letter_update_stale(struct request *r);
void page_office_letter_text_stale(struct request *r);
void page_office_letter_issue(struct request *r);
void page_office_letter_text(struct request *r);
void api_call_create(struct request *r);
void api_call_update(struct request *r);
void api_call_moderation(struct request *r);
void api_contribution_moderate(struct request *r);
void api_audit(struct request *r);
void api_subscription_create(struct request *r);
void api_contribution_admit(struct request *r);
void api_holding(struct request *r);
/* page_office_dispositions.c */
void page_office_dispositions(struct request *r);
void page_office_dispositions_record(struct request *r);
void page_office_dispositions_publish(struct request *r);
void page_office_dispositions_upload(struct request *r);
/* api_disposition.c */
void api_disposition_record(struct request *r);
void api_disposition_history(struct request *r);
void api_dispositions_record(struct request *r);
void api_dispositions_remaining(struct request *r);
void api_dispositions_publish(struct request *r);
void api_dispositions_upload(struct request *r);
void api_compare(struct request *r);
/* page_report.c: the report to the governing body, its kept PDFs, and the button that makes one */
void page_process_report(struct request *r);
void page_search(struct request *r); /* page_search.c */
void api_search(struct request *r);
void page_process_report_file(struct request *r);
void page_office_report_make(struct request *r);

#endif
