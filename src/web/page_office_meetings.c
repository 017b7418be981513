/*
 * page_office_meetings — the secretariat's pages for meetings (core/meeting.h), forms over the same core entries
 * as the API (page_meeting.c):
 *
 *   GET  /office/processes/{slug}/meetings/new, POST /office/processes/{slug}/meetings   a new meeting
 *   GET  /office/meetings/{id}                  the participants by category and the waiting list, and the
 *                                               forms to edit or move it, cancel it, publish what came of it
 *   POST /office/meetings/{id}                  edit or move (the participants are mailed the update)
 *   POST /office/meetings/{id}/cancel           cancel, after a confirmation page (it cannot be undone)
 *   POST /office/meetings/{id}/outcome          summary, outcome, follow-up call
 *   GET  /office/meetings/{id}/participants.csv the list as CSV
 */
#include "core/call.h"
#include "core/limits.h"
#include "core/meeting.h"
#include "core/overview.h"
#include "core/process.h"
#include "render/html.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/page_office.h"
#include "web/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether document ref is among the meeting's (or, when the form came back, was ticked). */
static bool ticked(const struct office_form *f, const char *name, const struct meeting_document *docs, int n,
                   struct meeting_ref ref)
{
	if (f->typed)
		return form_get(f->typed, name) != NULL;
	for (int i = 0; i < n; i++)
		if (docs[i].ref.letter == ref.letter && docs[i].ref.id == ref.id)
			return true;
	return false;
}

/* The process's versions and letters as checkboxes (doc-v-ID, doc-c-ID): the meeting's documents. */
static void documents_fieldset(struct request *r, const struct office_form *f, const struct process *p,
                               const struct meeting *m)
{
	struct error e;
	error_clear(&e);
	struct overview o;
	struct meeting_document *docs = NULL;
	int n = 0;
	if (overview_load(r->db, &r->arena, p->slug, &o, &e) != 0 ||
	    (m && meeting_documents(r->db, &r->arena, m->id, &docs, &n, &e) != 0))
		return;
	const char *err = f->e ? error_field_message(f->e, "documents") : NULL;
	html_printf(&r->out,
	            "<fieldset class=\"field%s\" id=\"f-%s-documents\"><legend>%s</legend>\n"
	            "<input type=\"hidden\" name=\"documents_shown\" value=\"1\">\n",
	            err ? " invalid" : "", f->key, _("Documents of the meeting"));
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-%s-documents\">%s</p>\n", f->key, err);
	for (int i = 0; i < o.ndocuments; i++)
		for (int k = 0; k < o.documents[i].nversions; k++) {
			const struct version *v = &o.documents[i].versions[k];
			const char *name = arena_printf(&r->arena, "doc-v-%lld", (long long)v->id);
			office_checkbox(r, f, name, arena_printf(&r->arena, "%s: %s", o.documents[i].title, v->label),
			                ticked(f, name, docs, n, (struct meeting_ref){.letter = false, .id = v->id}));
		}
	for (int i = 0; i < o.ncirculars; i++) {
		const char *name = arena_printf(&r->arena, "doc-c-%lld", (long long)o.circulars[i].id);
		office_checkbox(
		    r, f, name, arena_printf(&r->arena, "%s: %s", o.circulars[i].reference, o.circulars[i].subject),
		    ticked(f, name, docs, n, (struct meeting_ref){.letter = true, .id = o.circulars[i].id}));
	}
	html_printf(&r->out, "</fieldset>\n");
}

/* The documents ticked in the form, of process slug's versions and letters. */
static void documents_from(struct request *r, const char *slug, struct meeting_input *in, struct error *e)
{
	if (!office_field(r, "documents_shown"))
		return;
	struct overview o;
	struct error le;
	error_clear(&le);
	if (overview_load(r->db, &r->arena, slug, &o, &le) != 0)
		return; /* the core says what is wrong with the process */
	int total = o.ncirculars;
	for (int i = 0; i < o.ndocuments; i++)
		total += o.documents[i].nversions;
	struct meeting_ref *refs = arena_alloc(&r->arena, sizeof *refs * (size_t)(total + 1));
	if (!refs) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return;
	}
	int n = 0;
	for (int i = 0; i < o.ndocuments; i++)
		for (int k = 0; k < o.documents[i].nversions; k++)
			if (office_field(
			        r, arena_printf(&r->arena, "doc-v-%lld", (long long)o.documents[i].versions[k].id)))
				refs[n++] = (struct meeting_ref){.letter = false, .id = o.documents[i].versions[k].id};
	for (int i = 0; i < o.ncirculars; i++)
		if (office_field(r, arena_printf(&r->arena, "doc-c-%lld", (long long)o.circulars[i].id)))
			refs[n++] = (struct meeting_ref){.letter = true, .id = o.circulars[i].id};
	in->set_documents = true;
	in->documents = refs;
	in->ndocuments = n;
}

/* The meeting's fields, from m (NULL: a new one) or what was typed. */
static void meeting_fields(struct request *r, const struct office_form *f, const struct process *p,
                           const struct meeting *m)
{
	char closes[CLOCK_RFC3339_LEN] = "";
	if (m && m->registration_closes_at)
		clock_format_rfc3339(m->registration_closes_at, closes);
	char capacity[16] = "";
	if (m && m->capacity)
		snprintf(capacity, sizeof capacity, "%d", m->capacity);
	const char *const formats[][2] = {{"online", _("Online")},
	                                  {"physical", _("In a room")},
	                                  {"hybrid", _("Hybrid: in a room and online")},
	                                  {NULL, NULL}};
	office_input(r, f, "title", _("Title"), NULL, m ? m->title : NULL, "text", MEETING_LINE_MAX);
	office_input(r, f, "date", _("Date"), arena_printf(&r->arena, _("The day, in %s."), p->timezone),
	             m ? m->date : NULL, "date", 0);
	office_input(r, f, "starts", _("Starts at"),
	             _("HH:MM in the process's zone; leave both times empty for a whole day."), m ? m->starts : NULL,
	             "time", 0);
	office_input(r, f, "ends", _("Ends at"), NULL, m ? m->ends : NULL, "time", 0);
	office_select(r, f, "format", _("How people take part"), formats,
	              m ? meeting_format_name(m->format) : "online");
	office_textarea(r, f, "description", _("Description"), _("Public."), m ? m->description : NULL, 3);
	office_textarea(r, f, "agenda", _("Agenda"), _("Public; one item a line."), m ? m->agenda : NULL, 5);
	office_input(r, f, "join_url", _("Link to join"), _("For registered participants only (page and mail)."),
	             m ? m->join_url : NULL, "url", MEETING_LINE_MAX);
	office_input(r, f, "dial_in", _("Dial-in"), _("For registered participants only."), m ? m->dial_in : NULL,
	             "text", MEETING_LINE_MAX);
	/* TRANSLATORS: the meeting room (a field of the meeting's form) */
	office_input(r, f, "room", _("Room"), _("For registered participants only."), m ? m->room : NULL, "text",
	             MEETING_LINE_MAX);
	/* TRANSLATORS: the number of places (seats) at a meeting */
	office_input(r, f, "capacity", _("Places"), _("Empty or 0: no limit. When all are taken, a waiting list."),
	             capacity, "number", 0);
	office_input(r, f, "registration_closes", _("Registration closes"),
	             _("An instant in UTC such as 2021-02-25T12:00:00Z; empty: when the meeting starts."), closes,
	             "text", CLOCK_RFC3339_LEN);
	documents_fieldset(r, f, p, m);
}

/* The meeting of a form post; field errors in e. */
static void meeting_input_from(struct request *r, struct meeting_input *in, struct error *e)
{
	*in = (struct meeting_input){
	    .date = office_field(r, "date"),
	    .title = office_field(r, "title"),
	    .description = office_field(r, "description"),
	    .agenda = office_field(r, "agenda"),
	    .starts = office_field(r, "starts"),
	    .ends = office_field(r, "ends"),
	    .join_url = office_field(r, "join_url"),
	    .room = office_field(r, "room"),
	    .dial_in = office_field(r, "dial_in"),
	    .registration_closes = office_field(r, "registration_closes"),
	};
	const char *format = office_field(r, "format");
	if (!format || !meeting_format_parse(format, &in->format))
		error_field(e, "format", _("Choose how people take part."));
	const char *capacity = office_field(r, "capacity");
	if (capacity && *capacity) {
		char *end;
		long n = strtol(capacity, &end, 10);
		if (*end || n < 0 || n > 1000000)
			error_field(e, "capacity", _("Give the number of places (0 for no limit)."));
		else
			in->capacity = (int)n;
	}
}

static void new_page(struct request *r, const char *slug, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct process p;
	if (process_find(r->db, &r->arena, slug, &p, &le) != 0) {
		page_error(r, &le);
		return;
	}
	office_begin(r, _("New meeting"), e);
	html_printf(&r->out, "<h1>");
	html_tr(&r->out, "New meeting of %s", p.title);
	html_printf(&r->out, "</h1>\n");
	office_error_summary(r, e, "meeting", _("The meeting was not added"));
	struct office_form f = office_form_for("meeting", "meeting", e, r->form);
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/meetings", p.slug), false);
	meeting_fields(r, &f, &p, NULL);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Add the meeting"));
	page_end(r, office_status(e));
}

void page_office_meeting_new(struct request *r)
{
	new_page(r, r->params[0], NULL);
}

void page_office_meeting_create(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct meeting_input in;
	meeting_input_from(r, &in, &e);
	documents_from(r, r->params[0], &in, &e);
	const struct actor who = auth_actor(r);
	int64_t id;
	if (e.code || meeting_create(r->db, &r->arena, &who, r->params[0], &in, &id, &e) != 0) {
		if (!strcmp(e.code, ERROR_NOT_FOUND))
			page_error(r, &e);
		else
			new_page(r, r->params[0], &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/meetings/%lld?done=added", (long long)id));
}

/* The office page of meeting {id}: failed names the form that came back with e. */
static void office_meeting_page(struct request *r, const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	int64_t id;
	struct meeting m;
	struct process p;
	struct meeting_participant *list;
	struct call *calls;
	int n, ncalls;
	if (!parse_id(r->params[0], &id))
		error_set(&le, ERROR_NOT_FOUND, _("There is no such meeting."));
	if (le.code || meeting_find(r->db, &r->arena, id, &m, &le) != 0 ||
	    process_find_id_bare(r->db, &r->arena, m.process_id, &p, &le) != 0 ||
	    meeting_participants(r->db, &r->arena, m.id, &list, &n, &le) != 0 ||
	    call_list(r->db, &r->arena, p.id, &calls, &ncalls, &le) != 0) {
		page_error(r, &le);
		return;
	}
	office_begin(r, arena_printf(&r->arena, _("Meeting: %s"), m.title), e);
	html_printf(&r->out, "<h1>%s</h1>\n", m.title);
	const char *const done[][2] = {{"added", _("The meeting was added.")},
	                               {"saved", _("The meeting was saved; its participants were sent the update.")},
	                               {"cancelled", _("The meeting was cancelled; its participants were told.")},
	                               {"outcome", _("What came of the meeting is published.")},
	                               {NULL, NULL}};
	office_done(r, done);
	office_error_summary(r, e, failed ? failed : "", _("The change was not made"));
	html_printf(&r->out, "<p class=\"actions\"><a href=\"/meetings/%L\">%s</a> <a href=\"/office/processes/%u\">",
	            (long long)m.id, _("The meeting's page"), p.slug);
	html_tr(&r->out, "Back office of %s", p.title);
	html_printf(&r->out, "</a></p>\n");
	if (m.cancelled)
		html_printf(&r->out, "<p><strong>%s</strong></p>\n", _("This meeting is cancelled."));

	html_printf(&r->out, "<section aria-labelledby=\"participants\"><h2 id=\"participants\">%s</h2>\n<p>",
	            _("Participants"));
	if (m.capacity)
		html_tr(&r->out, "%d registered of %d places, %d waiting.", m.registered, m.capacity, m.waiting);
	else
		html_tr(&r->out, "%d registered, %d waiting.", m.registered, m.waiting);
	html_printf(&r->out, " <a href=\"/office/meetings/%L/participants.csv\">%s</a></p>\n", (long long)m.id,
	            _("Download the list as CSV"));
	const char *category = NULL;
	bool open = false, waiting_open = false;
	for (int i = 0; i < n; i++) {
		const struct meeting_participant *x = &list[i];
		if (x->state == REGISTRATION_REGISTERED && (!category || strcmp(category, x->category) != 0)) {
			if (open)
				html_printf(&r->out, "</ul>\n");
			category = x->category;
			html_printf(&r->out, "<h3>%s</h3>\n<ul>\n", *category ? category : _("No category"));
			open = true;
		} else if (x->state == REGISTRATION_WAITING && !waiting_open) {
			if (open)
				html_printf(&r->out, "</ul>\n");
			html_printf(&r->out, "<h3>%s</h3>\n<ol>\n", _("Waiting list"));
			open = false;
			waiting_open = true;
		}
		html_printf(&r->out, "<li>%s%R%s%R, %s</li>\n", x->name, *x->organization ? " (" : "", x->organization,
		            *x->organization ? ")" : "", x->email);
	}
	if (waiting_open || open)
		html_printf(&r->out, "%R</section>\n", waiting_open ? "</ol>\n" : "</ul>\n");
	else
		html_printf(&r->out, "<p>%s</p>\n</section>\n", _("Nobody yet."));

	if (!m.cancelled) {
		struct office_form f = office_form_for("meeting", failed, e, r->form);
		html_printf(&r->out, "<section aria-labelledby=\"edit\"><h2 id=\"edit\">%s</h2>\n<p>%s</p>\n",
		            _("Edit or move"),
		            _("A new date, time, title or detail is mailed to every participant with the updated "
		              "invitation."));
		office_form_open(r, arena_printf(&r->arena, "/office/meetings/%lld", (long long)m.id), false);
		meeting_fields(r, &f, &p, &m);
		html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
		            _("Save the meeting"));

		f = office_form_for("cancel", failed, e, r->form);
		html_printf(&r->out, "<section aria-labelledby=\"cancel\"><h2 id=\"cancel\">%s</h2>\n",
		            _("Cancel the meeting"));
		office_form_open(r, arena_printf(&r->arena, "/office/meetings/%lld/cancel", (long long)m.id), false);
		office_textarea(r, &f, "reason", _("Reason"), _("Required; recorded in the audit log."), NULL, 3);
		html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
		            _("Cancel the meeting"));
	}

	struct office_form f = office_form_for("outcome", failed, e, r->form);
	const char *(*opts)[2] = arena_alloc(&r->arena, sizeof *opts * (size_t)(ncalls + 2));
	if (!opts) {
		error_set(&le, ERROR_UNAVAILABLE, "out of memory");
		page_error(r, &le);
		return;
	}
	opts[0][0] = "";
	/* TRANSLATORS: no call followed the meeting (a choice in a list of calls) */
	opts[0][1] = _("None");
	for (int i = 0; i < ncalls; i++) {
		opts[i + 1][0] = arena_printf(&r->arena, "%lld", (long long)calls[i].id);
		opts[i + 1][1] = calls[i].title;
	}
	html_printf(&r->out, "<section aria-labelledby=\"outcome\"><h2 id=\"outcome\">%s</h2>\n<p>%s</p>\n",
	            _("What came of it"),
	            _("Published on the process page and the meeting's page once the meeting is over."));
	office_form_open(r, arena_printf(&r->arena, "/office/meetings/%lld/outcome", (long long)m.id), false);
	office_textarea(r, &f, "summary", _("Summary"), NULL, m.summary, 4);
	office_textarea(r, &f, "outcome", _("Outcome"), NULL, m.outcome, 4);
	office_select(r, &f, "followup_call", _("The call that followed"), (const char *const(*)[2])opts,
	              m.followup_call_id ? arena_printf(&r->arena, "%lld", (long long)m.followup_call_id) : "");
	/* TRANSLATORS: button: publish what came of the meeting */
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n", _("Publish"));
	page_end(r, office_status(e));
}

void page_office_meeting(struct request *r)
{
	office_meeting_page(r, NULL, NULL);
}

/* After a change: back to the page with done, or the page again with the mistakes of form key. */
static void answer(struct request *r, int rc, const char *key, const char *done, const struct error *e)
{
	if (rc == 0)
		reply_redirect(r, arena_printf(&r->arena, "/office/meetings/%s?done=%s", r->params[0], done));
	else if (!strcmp(e->code, ERROR_NOT_FOUND))
		page_error(r, e);
	else
		office_meeting_page(r, key, e);
}

void page_office_meeting_update(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id = 0;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, _("There is no such meeting."));
	struct meeting_input in;
	struct meeting m;
	struct process p;
	if (!e.code && (meeting_find(r->db, &r->arena, id, &m, &e) != 0 ||
	                process_find_id_bare(r->db, &r->arena, m.process_id, &p, &e) != 0)) {
		page_error(r, &e);
		return;
	}
	if (!e.code) {
		meeting_input_from(r, &in, &e);
		documents_from(r, p.slug, &in, &e);
	}
	const struct actor who = auth_actor(r);
	answer(r, e.code || meeting_update(r->db, &r->arena, &who, id, &in, &e) != 0 ? -1 : 0, "meeting", "saved", &e);
}

void page_office_meeting_cancel(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id = 0;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, _("There is no such meeting."));
	const char *reason = office_field(r, "reason");
	if (!e.code && reason && *reason && !office_confirmed(r)) {
		const char *const what[] = {
		    _("The meeting is marked cancelled on its page and in the calendars."),
		    _("Every registered participant is mailed a cancellation that takes it out of their calendar; the "
		      "waiting list is told."),
		    _("It cannot be undone."), NULL};
		office_confirm_page(r, _("Cancel this meeting?"), what,
		                    arena_printf(&r->arena, "/office/meetings/%lld/cancel", (long long)id),
		                    _("Cancel the meeting"),
		                    arena_printf(&r->arena, "/office/meetings/%lld", (long long)id));
		return;
	}
	const struct actor who = auth_actor(r);
	answer(r, e.code || meeting_cancel(r->db, &r->arena, &who, id, reason, &e) != 0 ? -1 : 0, "cancel", "cancelled",
	       &e);
}

void page_office_meeting_outcome(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id = 0, call = 0;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, _("There is no such meeting."));
	const char *followup = office_field(r, "followup_call");
	if (followup && *followup && !parse_id(followup, &call))
		error_field(&e, "followup_call", _("Choose a call of this meeting's process."));
	const struct actor who = auth_actor(r);
	answer(r,
	       e.code || meeting_set_outcome(r->db, &r->arena, &who, id, office_field(r, "summary"),
	                                     office_field(r, "outcome"), call, clock_now(), &e) != 0
	           ? -1
	           : 0,
	       "outcome", "outcome", &e);
}

static void csv_cell(struct buf *b, const char *s, bool last)
{
	buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r')
		buf_putc(b, '\''); /* not a formula in a spreadsheet */
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_puts(b, last ? "\"\r\n" : "\",");
}

void page_office_meeting_csv(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	struct meeting m;
	struct meeting_participant *list;
	int n;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, _("There is no such meeting."));
	if (e.code || meeting_find(r->db, &r->arena, id, &m, &e) != 0 ||
	    meeting_participants(r->db, &r->arena, m.id, &list, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	buf_reset(&r->out);
	buf_puts(&r->out, "category,name,organization,email,country,state,waiting_position,since\r\n");
	for (int i = 0; i < n; i++) {
		const struct meeting_participant *x = &list[i];
		char since[CLOCK_RFC3339_LEN], pos[16];
		clock_format_rfc3339(x->registered_at, since);
		snprintf(pos, sizeof pos, "%d", x->position);
		csv_cell(&r->out, x->category, false);
		csv_cell(&r->out, x->name, false);
		csv_cell(&r->out, x->organization, false);
		csv_cell(&r->out, x->email, false);
		csv_cell(&r->out, x->country, false);
		csv_cell(&r->out, registration_state_name(x->state), false);
		csv_cell(&r->out, x->position ? pos : "", false);
		csv_cell(&r->out, since, true);
	}
	r->status = 200;
	r->out_type = "text/csv; charset=utf-8";
	r->content_disposition =
	    arena_printf(&r->arena, "attachment; filename=\"meeting-%lld-participants.csv\"", (long long)m.id);
}
