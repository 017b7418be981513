/*
 * page_office — what the secretariat's back-office pages (page_office*.c)
 * share: the frame of an office page, the confirmation shown after a change,
 * the error summary, and labelled fields whose ids carry a prefix, so that one
 * page can hold many forms (one per milestone, one per contribution) whose
 * fields never share an id.
 *
 * Every change is a POST form that the core judges (the same functions as the
 * JSON API, web/api_office.c). It answers 303 to the page it came from with
 * ?done=<what>, which the page shows as a short confirmation from a fixed
 * table (nothing the request says is echoed), or the page again with the
 * mistakes: a summary at the top (role=alert) whose links lead to the fields,
 * each field with its message, and what was typed.
 */
#ifndef CONSULTA_WEB_PAGE_OFFICE_H
#define CONSULTA_WEB_PAGE_OFFICE_H

#include "core/call.h"
#include "core/contribution.h"
#include "core/document.h"
#include "core/milestone.h"
#include "core/process.h"
#include "web/form.h"
#include "web/page.h"

#include <stdbool.h>

/* One form of an office page. When it is the form that came back with
 * mistakes, e holds them and typed what was sent; otherwise both are NULL and
 * the fields show the stored values. Its fields have the ids f-<key>-<name>. */
struct office_form {
	const char *key;
	const struct error *e;
	const struct form *typed;
};

/* The form with this key, carrying the mistakes if failed names it (failed may be NULL). */
struct office_form office_form_for(const char *key, const char *failed, const struct error *e,
				   const struct form *typed);

/* Starts an office page: "Error: " before the title when e holds mistakes. */
void office_begin(struct request *r, const char *title, const struct error *e);

/* The confirmation of ?done=, from a table of {flag, sentence} ended by {NULL, NULL}; nothing if none matches. */
void office_done(struct request *r, const char *const table[][2]);

/* The confirmation after a change, naming what changed (role=status). The pages make the sentence from
 * the ?done= code and the ids beside it, re-read from the database, never from text in the address: a
 * forged link can only show the truth about the last change. */
void office_said(struct request *r, const char *sentence);

/* Whether this POST is the confirmation of an act that cannot be undone (confirm=yes from
 * office_confirm_page()'s form); false for the first POST, which shows that page instead. */
bool office_confirmed(struct request *r);

/* The second page of an act that cannot be undone: heading, what will happen (plain sentences, one per
 * element of what, ended by NULL), and a form that posts every field the first POST sent (but its CSRF
 * token, which is the page's own) with confirm=yes to the same action; button names the act; back is where
 * "Cancel" leads. Nothing changes until that form is sent. */
void office_confirm_page(struct request *r, const char *heading, const char *const what[], const char *action,
			 const char *button, const char *back);

/* The summary of the mistakes, at the top of the page (role=alert), linking to the fields of the form key. */
void office_error_summary(struct request *r, const struct error *e, const char *key, const char *heading);

/* <form method="post"> with the CSRF field; multipart for a form that uploads a file. */
void office_form_open(struct request *r, const char *action, bool multipart);

/* An office form that could not be taken as it was sent (its CSRF token failed, or its session had ended and its
 * secretary logged in again): what happened (said), and fields as they were typed, each to check or correct,
 * in a form to action with a fresh token and the same one-time key, which only the person sends. Nothing was
 * done; status is the answer's (403 for a failed token: a page of another site learns nothing from a 200). */
void office_resend_page(struct request *r, const char *action, const struct form *fields, const char *said, int status);

/* A field of the form sent, or NULL (also when the body was not a form). */
const char *office_field(struct request *r, const char *name);

/* What a field shows: what was typed when the form came back, else the stored value. */
const char *office_value(const struct office_form *f, const char *name, const char *stored);

/* A labelled input (text, date, ...), with its hint and message, wired for screen readers. */
void office_input(struct request *r, const struct office_form *f, const char *name, const char *label,
		  const char *hint, const char *value, const char *type, int maxlength);
/* The same as a textarea. */
void office_textarea(struct request *r, const struct office_form *f, const char *name, const char *label,
		     const char *hint, const char *value, int rows);
/* A labelled select from options {value, text} ended by {NULL, NULL}. */
void office_select(struct request *r, const struct office_form *f, const char *name, const char *label,
		   const char *const options[][2], const char *value);
/* A fieldset of radio buttons from options {value, text} ended by {NULL, NULL}. */
void office_radios(struct request *r, const struct office_form *f, const char *name, const char *legend,
		   const char *const options[][2], const char *value);
/* A checkbox sending name=1 when ticked, with its label after it. */
void office_checkbox(struct request *r, const struct office_form *f, const char *name, const char *label, bool on);

/* The status of a page that shows e: 422 for mistakes, 409 for a conflict, ... */
int office_status(const struct error *e);

/* The number of contributions to a call in a state (published, pending, hidden, spam). */
int64_t office_count(struct request *r, int64_t call_id, enum contribution_state state);

/* page_office_mail.c: the number of held messages, and of late contributions to a call not admitted yet. */
int64_t office_holding_count(struct request *r);
int64_t office_late_count(struct request *r, int64_t call_id);

/*
 * The process's office page (page_office.c), made of sections from the files
 * of each area. failed names the form that came back with mistakes (NULL:
 * none), e its mistakes and r->form what was typed.
 */
void office_process_page(struct request *r, const char *slug, const char *failed, const struct error *e);

/* page_office_versions.c: the documents with their versions, and a form to add a document. */
void office_documents_section(struct request *r, const struct process *p, const struct document *docs, int n,
			      const char *failed, const struct error *e);
/* page_office_schedule.c: the schedule, each milestone with its forms, and a form to add one. */
void office_schedule_section(struct request *r, const struct process *p, const struct milestone *ms, int n,
			     const char *failed, const struct error *e);
/* page_office_calls.c: the calls with their state and what awaits review, and a form to add one
 * (whose deadline may be one of the schedule's deadlines ms that announce no call yet). */
void office_calls_section(struct request *r, const struct process *p, const struct call *calls, int n,
			  const struct document *docs, int ndocs, const struct milestone *ms, int nms,
			  const char *failed, const struct error *e);

/* Kinds and states as people read them: a switch on the enum each, so that a new value
 * without words does not compile (-Wswitch). */
const char *office_milestone_kind_text(enum milestone_kind k);
const char *office_milestone_status_text(enum milestone_status s);
const char *office_review_text(enum call_review m);
/* The same as the choices of office_select() or office_radios(), in the enum's order: each
 * value's name (the core's table) and its words; built in the request's arena. */
const char *const (*office_milestone_kinds(struct request *r))[2];
const char *const (*office_milestone_statuses(struct request *r))[2];
const char *const (*office_review_modes(struct request *r))[2];

#endif
