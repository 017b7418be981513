/*
 * page_meeting — a meeting's page and registering for it (core/meeting.h):
 *
 *   GET  /meetings/{id}             its date and hours (the process's zone, UTC, and the reader's own by
 *                                   static/localtime.js), agenda, places, the form to register or to cancel;
 *                                   the practical details (link, dial-in, room) only for its participants;
 *                                   after it, its summary, outcome and follow-up call
 *   GET  /meetings/{id}.ics         the event alone (no details)
 *   POST /meetings/{id}/register    the form; POST /meetings/{id}/unregister
 *   POST /api/v1/meetings/{id}/registrations, DELETE the same: the API's way, through the same core entry
 *   GET  /api/v1/meetings/{id}      the meeting (details and one's registration for its participants)
 *   back office: POST /api/v1/processes/{slug}/meetings, PATCH /api/v1/meetings/{id} (edit or move),
 *   POST /api/v1/meetings/{id}/cancel, POST /api/v1/meetings/{id}/outcome (the back office's pages are
 *   page_office_meetings.c).
 */
#include "core/account.h"
#include "core/call.h"
#include "core/meeting.h"
#include "core/process.h"
#include "render/html.h"
#include "render/ical.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"
#include "util/utf8.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/form.h"
#include "web/page.h"
#include "web/routes.h"

#include <string.h>

/* The meeting of the route ({id}, or {id} of ".ics"), with its process; false once answered 404. */
static bool load(struct request *r, bool json, struct meeting *m, struct process *p)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such meeting."));
	} else if (meeting_find(r->db, &r->arena, id, m, &e) == 0 &&
	           process_find_id_bare(r->db, &r->arena, m->process_id, p, &e) == 0) {
		return true;
	}
	if (json)
		reply_json_error(r, &e);
	else
		page_error(r, &e);
	return false;
}

/* Whether the one asking may see the practical details: a participant with a place, or the secretariat. */
static bool sees_details(struct request *r, const struct meeting *m, struct meeting_registration *reg)
{
	*reg = (struct meeting_registration){.state = REGISTRATION_CANCELLED};
	if (!r->account)
		return false;
	struct error e;
	error_clear(&e);
	if (meeting_registration_of(r->db, m->id, r->account->id, reg, &e) != 0)
		return false;
	return reg->state == REGISTRATION_REGISTERED || r->account->role == ACCOUNT_SECRETARIAT;
}

/* An instant in a <time> element that static/localtime.js completes with the reader's own time. */
static void time_element(struct request *r, const char *tzid, int64_t t)
{
	char iso[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(t, iso);
	html_printf(&r->out, "<time datetime=\"%s\" data-local data-tz=\"%s\">%s</time>", iso, tzid,
	            page_instant_human(r, tzid, t));
}

/* Where a document of a meeting is read: a version's page; a letter, the process's letters (its own page is
 * the circular letters' part, core/circular.c). */
/* A letter's own page (issued letters only are documents: core/meeting.c checks), or a version's. */
static const char *document_url(struct request *r, const struct meeting_document *d)
{
	return arena_printf(&r->arena, d->ref.letter ? "/letters/%lld" : "/versions/%lld", (long long)d->ref.id);
}

static json_t *document_json(struct request *r, const struct meeting_document *d)
{
	return json_pack("{s:s,s:I,s:s,s:s,s:s}", "kind", d->ref.letter ? "circular" : "version", "id",
	                 (json_int_t)d->ref.id, "title", d->title, "date", d->date, "url", document_url(r, d));
}

static void meeting_when(struct request *r, const struct meeting *m, const struct process *p)
{
	int64_t s, t;
	/* TRANSLATORS: introduces a meeting's date and hours. */
	html_printf(&r->out, "<p class=\"when\"><strong>%s</strong> ", _("When:"));
	if (m->starts && m->ends && meeting_instants(m, p->timezone, &s, &t) == 0) {
		time_element(r, p->timezone, s);
		char us[CLOCK_RFC3339_LEN], ue[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(s, us);
		clock_format_rfc3339(t, ue);
		/* "2021-02-10T13:00:00Z": the date, then the hour and minute from character 11 */
		html_printf(&r->out, " ");
		/* TRANSLATORS: after a meeting's start: its end (hh:mm), then its date and hours in UTC. */
		html_tr(&r->out, "until %s (%s, %s\u2013%s UTC).", m->ends, arena_printf(&r->arena, "%.10s", us),
		        arena_printf(&r->arena, "%.5s", us + 11), arena_printf(&r->arena, "%.5s", ue + 11));
		html_printf(&r->out, " <span class=\"hint\">");
		html_tr(&r->out,
		        "Times are in the consultation's zone (%s) and in UTC; with JavaScript your own time is added.",
		        p->timezone);
		html_printf(&r->out, "</span>");
	} else {
		html_printf(&r->out, "%s.", page_date(r, m->date));
	}
	html_printf(&r->out, "</p>\n");
}

void page_meeting(struct request *r)
{
	struct meeting m;
	struct process p;
	if (!load(r, false, &m, &p))
		return;
	struct meeting_registration reg;
	const bool details = sees_details(r, &m, &reg);
	int64_t starts_at = 0, ends_at = 0;
	meeting_instants(&m, p.timezone, &starts_at, &ends_at);
	const int64_t now = clock_now();
	page_begin(r, m.title);
	html_printf(&r->out, "<h1>%s</h1>\n<p>", m.title);
	/* TRANSLATORS: a meeting's process, then how it is held ("online"). */
	html_tr(&r->out, "A meeting of <a href=\"/processes/%u\">%s</a> (%s).", p.slug, p.title,
	        page_meeting_format_label(m.format));
	html_printf(&r->out, "</p>\n");
	if (m.cancelled)
		html_printf(&r->out, "<p class=\"state\"><strong>%s</strong></p>\n", _("This meeting is cancelled."));
	meeting_when(r, &m, &p);
	if (*m.description)
		html_printf(&r->out, "<p>%s</p>\n", m.description);
	if (*m.agenda)
		html_printf(&r->out, "<h2>%s</h2>\n<pre class=\"agenda\">%s</pre>\n", _("Agenda"), m.agenda);
	struct meeting_document *docs;
	int ndocs;
	struct error de;
	error_clear(&de);
	if (meeting_documents(r->db, &r->arena, m.id, &docs, &ndocs, &de) != 0) {
		page_error(r, &de);
		return;
	}
	if (ndocs) {
		html_printf(&r->out, "<h2>%s</h2>\n<ul class=\"documents\">\n", _("Documents"));
		for (int i = 0; i < ndocs; i++)
			html_printf(&r->out, "<li><a href=\"%s\">%s</a> (%s)</li>\n", document_url(r, &docs[i]),
			            docs[i].title, page_date(r, docs[i].date));
		html_printf(&r->out, "</ul>\n");
	}
	html_printf(&r->out, "<p><a href=\"/meetings/%L.ics\">%s</a></p>\n", (long long)m.id,
	            _("Add to a calendar (iCalendar)"));

	html_printf(&r->out, "<section aria-labelledby=\"registration\"><h2 id=\"registration\">%s</h2>\n",
	            _("Registration"));
	if (m.capacity) {
		html_printf(&r->out, "<p>");
		if (m.waiting)
			/* TRANSLATORS: places taken, of how many, then how many people are on the waiting list. */
			html_tr_n(&r->out, "%d of %d place taken; %d waiting.", "%d of %d places taken; %d waiting.",
			          (unsigned long)m.capacity, m.registered, m.capacity, m.waiting);
		else
			/* TRANSLATORS: places taken, of how many. */
			html_tr_n(&r->out, "%d of %d place taken.", "%d of %d places taken.", (unsigned long)m.capacity,
			          m.registered, m.capacity);
		html_printf(&r->out, "</p>\n");
	}
	if (m.registration_closes_at && now < starts_at) {
		char iso[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(m.registration_closes_at, iso);
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "Registration closes on <time datetime=\"%s\" data-local data-tz=\"%s\">%s</time>.",
		        iso, p.timezone, page_instant_human(r, p.timezone, m.registration_closes_at));
		html_printf(&r->out, "</p>\n");
	}
	if (details) {
		html_printf(&r->out, "<h3>%s</h3>\n<ul class=\"details\">\n", _("For participants"));
		if (m.join_url) {
			html_printf(&r->out, "<li>");
			/* TRANSLATORS: a link to join a meeting online; %s is the meeting's title. */
			html_tr(&r->out, "<a class=\"join\" href=\"%s\">Join the %s</a>", m.join_url, m.title);
			html_printf(&r->out, "</li>\n");
		}
		if (m.dial_in) {
			html_printf(&r->out, "<li>");
			/* TRANSLATORS: the telephone number(s) to join a meeting. */
			html_tr(&r->out, "Dial-in: %s", m.dial_in);
			html_printf(&r->out, "</li>\n");
		}
		if (m.room) {
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "Room: %s", m.room);
			html_printf(&r->out, "</li>\n");
		}
		html_printf(&r->out, "</ul>\n");
	}
	enum meeting_refusal refusal = m.cancelled        ? MEETING_REFUSED_CANCELLED
	                               : now >= starts_at ? MEETING_REFUSED_PAST
	                               : m.registration_closes_at && now >= m.registration_closes_at
	                                   ? MEETING_REFUSED_CLOSED
	                                   : MEETING_ACCEPTED;
	if (reg.state == REGISTRATION_REGISTERED)
		html_printf(&r->out, "<p class=\"registered\">%s</p>\n", _("You are registered."));
	else if (reg.state == REGISTRATION_WAITING) {
		html_printf(&r->out, "<p class=\"waiting\">");
		html_tr(&r->out, "You are on the waiting list (number %d).", reg.position);
		html_printf(&r->out, "</p>\n");
	}
	if (reg.state != REGISTRATION_CANCELLED && refusal != MEETING_REFUSED_PAST && !m.cancelled) {
		html_printf(&r->out,
		            "<form method=\"post\" action=\"/meetings/%L/unregister\">"
		            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		            "<button type=\"submit\">%s</button></form>\n",
		            (long long)m.id, auth_csrf_token(r), _("Cancel my registration"));
	} else if (reg.state == REGISTRATION_CANCELLED && refusal != MEETING_ACCEPTED) {
		html_printf(&r->out, "<p>%s</p>\n", _(meeting_refusal_text(refusal)));
	} else if (reg.state == REGISTRATION_CANCELLED && !r->account) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out,
		        "To register, <a href=\"/login?next=/meetings/%L\">log in</a> or <a "
		        "href=\"/account/register\">create an "
		        "account</a>. Registered participants are given the link to join, the dial-in and the room "
		        "here and by "
		        "mail.",
		        (long long)m.id);
		html_printf(&r->out, "</p>\n");
	} else if (reg.state == REGISTRATION_CANCELLED) {
		const bool full = m.capacity && (m.registered >= m.capacity || m.waiting > 0);
		if (full)
			html_printf(&r->out, "<p>%s</p>\n", _(meeting_refusal_text(MEETING_REFUSED_FULL)));
		html_printf(&r->out,
		            "<form method=\"post\" action=\"/meetings/%L/register\">"
		            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">%R"
		            "<button type=\"submit\">%s</button></form>\n",
		            (long long)m.id, auth_csrf_token(r),
		            full ? "<input type=\"hidden\" name=\"waiting_list\" value=\"1\">" : "",
		            /* TRANSLATORS: a button: to register for a meeting. */
		            full ? _("Join the waiting list") : _("Register"));
	}
	html_printf(&r->out, "</section>\n");
	if (*m.summary || *m.outcome || m.followup_call_id) {
		html_printf(&r->out, "<section aria-labelledby=\"outcome\"><h2 id=\"outcome\">%s</h2>\n",
		            _("What came of it"));
		if (*m.summary)
			/* TRANSLATORS: the heading of a meeting's summary, written after it. */
			html_printf(&r->out, "<h3>%s</h3>\n<p class=\"summary\">%s</p>\n", _("Summary"), m.summary);
		if (*m.outcome)
			/* TRANSLATORS: the heading of what a meeting decided or led to. */
			html_printf(&r->out, "<h3>%s</h3>\n<p class=\"outcome\">%s</p>\n", _("Outcome"), m.outcome);
		if (m.followup_call_id)
			html_printf(&r->out, "<p><a href=\"/calls/%L\">%s</a></p>\n", (long long)m.followup_call_id,
			            _("The call that followed"));
		html_printf(&r->out, "</section>\n");
	}
	page_end(r, 200);
}

void page_meeting_ics(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	struct ical_calendar c;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such meeting."));
	else if (meeting_calendar(r->db, &r->arena, id, &c, &e) == 0) {
		buf_reset(&r->out);
		if (ical_write(&r->out, &c) == 0) {
			r->status = 200;
			r->out_type = "text/calendar; charset=utf-8";
			return;
		}
		error_set(&e, ERROR_UNAVAILABLE, N_("The calendar could not be written."));
	}
	page_error(r, &e);
}

/* The answer of a form post: back to the meeting page, or the refusal on a page of its own. */
static void form_answer(struct request *r, int rc, const struct error *e, const struct meeting_registration *out)
{
	if (rc == 0) {
		reply_redirect(r, arena_printf(&r->arena, "/meetings/%s", r->params[0]));
		return;
	}
	if (e->code && !strcmp(e->code, ERROR_CONFLICT) && out->refusal != MEETING_ACCEPTED) {
		page_begin(r, _("Not registered"));
		html_printf(&r->out, "<h1>%s</h1>\n<p class=\"error\">%s</p>\n", _("Not registered"),
		            request_error_message(r, e));
		html_printf(&r->out, "<p><a href=\"/meetings/%u\">%s</a></p>\n", r->params[0],
		            _("Back to the meeting"));
		page_end(r, 409);
		return;
	}
	page_error(r, e);
}

void page_meeting_register(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id = 0;
	struct meeting_registration out = {0};
	const char *waiting = r->form ? form_get(r->form, "waiting_list") : NULL;
	int rc = -1;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such meeting."));
	else
		rc = meeting_register(r->db, &r->arena, id, r->account, waiting && !strcmp(waiting, "1"), clock_now(),
		                      &out, &e);
	form_answer(r, rc, &e, &out);
}

void page_meeting_unregister(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id = 0;
	struct meeting_registration out = {0};
	int rc = -1;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such meeting."));
	else
		rc = meeting_unregister(r->db, &r->arena, id, r->account, clock_now(), &out, &e);
	form_answer(r, rc, &e, &out);
}

static json_t *registration_json(const struct meeting_registration *x)
{
	json_t *o = json_pack("{s:s,s:b}", "state", registration_state_name(x->state), "unchanged", x->unchanged);
	if (x->state == REGISTRATION_WAITING)
		json_object_set_new(o, "position", json_integer(x->position));
	return o;
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *meeting_json(struct request *r, const struct meeting *m, const struct process *p)
{
	int64_t s = 0, t = 0;
	meeting_instants(m, p->timezone, &s, &t);
	json_t *o = json_pack(
	    "{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:b,s:i,s:i,s:i,s:o,s:s,s:s,s:o,s:s,s:s}", "id",
	    (json_int_t)m->id, "process", p->slug, "date", m->date, "title", m->title, "format",
	    meeting_format_name(m->format), "description", m->description, "starts", text_or_null(m->starts), "ends",
	    text_or_null(m->ends), "starts_at", api_instant(s), "ends_at", api_instant(t), "agenda", m->agenda,
	    "cancelled", m->cancelled, "capacity", m->capacity, "registered", m->registered, "waiting", m->waiting,
	    "registration_closes_at", m->registration_closes_at ? api_instant(m->registration_closes_at) : json_null(),
	    "summary", m->summary, "outcome", m->outcome, "followup_call",
	    m->followup_call_id ? json_string(arena_printf(&r->arena, "/calls/%lld", (long long)m->followup_call_id))
	                        : json_null(),
	    "url", arena_printf(&r->arena, "/meetings/%lld", (long long)m->id), "ics",
	    arena_printf(&r->arena, "/meetings/%lld.ics", (long long)m->id));
	json_object_set_new(o, "sequence", json_integer(m->sequence));
	struct meeting_document *docs;
	int ndocs;
	struct error e;
	error_clear(&e);
	json_t *jdocs = json_array();
	if (meeting_documents(r->db, &r->arena, m->id, &docs, &ndocs, &e) == 0)
		for (int i = 0; i < ndocs; i++)
			json_array_append_new(jdocs, document_json(r, &docs[i]));
	json_object_set_new(o, "documents", jdocs);
	struct meeting_registration reg;
	if (sees_details(r, m, &reg)) {
		json_object_set_new(o, "join_url", text_or_null(m->join_url));
		json_object_set_new(o, "dial_in", text_or_null(m->dial_in));
		json_object_set_new(o, "room", text_or_null(m->room));
	}
	if (r->account)
		json_object_set_new(o, "registration", registration_json(&reg));
	return o;
}

void api_meeting(struct request *r)
{
	struct meeting m;
	struct process p;
	if (load(r, true, &m, &p))
		reply_json(r, 200, meeting_json(r, &m, &p));
}

/* POST: registers (a JSON body {"waiting_list": true} accepts a place on the waiting list; none, or {},
 * does not); DELETE: cancels. A refusal is 409 with its own code (meeting_full, registration_closed,
 * meeting_past, meeting_cancelled). */
static void api_registration(struct request *r, bool cancel)
{
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, "There is no such meeting.");
		return;
	}
	bool waiting_ok = false;
	if (!cancel && r->body.len > 0) {
		json_t *body = api_office_body(r);
		if (!body)
			return;
		json_t *w = json_object_get(body, "waiting_list");
		struct error e;
		error_clear(&e);
		static const char *const members[] = {"waiting_list", NULL};
		api_known_members(body, members, &e);
		if (w && !json_is_boolean(w))
			error_field(&e, "waiting_list", _("Must be true or false."));
		waiting_ok = w && json_is_true(w);
		json_decref(body);
		if (e.code) {
			reply_json_error(r, &e);
			return;
		}
	}
	struct error e;
	error_clear(&e);
	struct meeting_registration out = {0};
	int rc = cancel ? meeting_unregister(r->db, &r->arena, id, r->account, clock_now(), &out, &e)
	                : meeting_register(r->db, &r->arena, id, r->account, waiting_ok, clock_now(), &out, &e);
	if (rc != 0) {
		if (e.code && !strcmp(e.code, ERROR_CONFLICT) && out.refusal != MEETING_ACCEPTED) {
			json_t *j = json_pack("{s:{s:s,s:s,s:{}}}", "error", "code", meeting_refusal_code(out.refusal),
			                      "message", e.message, "fields");
			if (out.refusal == MEETING_REFUSED_FULL)
				json_object_set_new(json_object_get(j, "error"), "waiting_list", json_true());
			reply_json(r, 409, j);
		} else {
			reply_json_error(r, &e);
		}
		return;
	}
	reply_json(r, cancel || out.unchanged ? 200 : 201, registration_json(&out));
}

void api_meeting_register(struct request *r)
{
	api_registration(r, false);
}

void api_meeting_unregister(struct request *r)
{
	api_registration(r, true);
}

/* ---- the back office ---- */

static const char *member(struct request *r, json_t *body, const char *name, struct error *e)
{
	json_t *v = json_object_get(body, name);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		error_field(e, name, _("Must be a string."));
		return NULL;
	}
	return arena_strndup(&r->arena, json_string_value(v), json_string_length(v));
}

static const char *const MEETING_MEMBERS[] = {
    "date",    "title",    "description",         "agenda",    "format", "starts", "ends", "join_url", "room",
    "dial_in", "capacity", "registration_closes", "documents", NULL};

/* Reads a meeting from body into in: a PATCH starts from the meeting as it is (base), a POST from nothing. */
static void meeting_input_read(struct request *r, json_t *body, const struct meeting *base, struct meeting_input *in,
                               struct error *e)
{
	api_known_members(body, MEETING_MEMBERS, e);
	if (base) {
		*in = (struct meeting_input){.date = base->date,
		                             .title = base->title,
		                             .description = base->description,
		                             .agenda = base->agenda,
		                             .format = base->format,
		                             .starts = base->starts,
		                             .ends = base->ends,
		                             .join_url = base->join_url,
		                             .room = base->room,
		                             .dial_in = base->dial_in,
		                             .capacity = base->capacity};
		if (base->registration_closes_at) {
			char iso[CLOCK_RFC3339_LEN];
			clock_format_rfc3339(base->registration_closes_at, iso);
			in->registration_closes = arena_strdup(&r->arena, iso);
		}
	} else {
		*in = (struct meeting_input){.format = MEETING_ONLINE};
	}
	static const size_t offsets[] = {
	    offsetof(struct meeting_input, date),
	    offsetof(struct meeting_input, title),
	    offsetof(struct meeting_input, description),
	    offsetof(struct meeting_input, agenda),
	    0,
	    offsetof(struct meeting_input, starts),
	    offsetof(struct meeting_input, ends),
	    offsetof(struct meeting_input, join_url),
	    offsetof(struct meeting_input, room),
	    offsetof(struct meeting_input, dial_in),
	};
	for (int i = 0; i < (int)(sizeof offsets / sizeof *offsets); i++) {
		if (i == 4 || !json_object_get(body, MEETING_MEMBERS[i]))
			continue;
		*(const char **)((char *)in + offsets[i]) = member(r, body, MEETING_MEMBERS[i], e);
	}
	const char *format = member(r, body, "format", e);
	if (format && !meeting_format_parse(format, &in->format))
		error_field(e, "format", _("Use one of online, physical, hybrid."));
	json_t *cap = json_object_get(body, "capacity");
	if (cap && !json_is_null(cap)) {
		if (!json_is_integer(cap))
			error_field(e, "capacity", _("Must be a whole number (0 for no limit)."));
		else
			in->capacity = json_integer_value(cap) < 0 || json_integer_value(cap) > 1000000
			                   ? -1
			                   : (int)json_integer_value(cap);
	} else if (cap) {
		in->capacity = 0;
	}
	if (json_object_get(body, "registration_closes"))
		in->registration_closes = member(r, body, "registration_closes", e);
	/* "documents": [{"version": 2}, {"circular": 1}], in order; absent: as they are */
	json_t *docs = json_object_get(body, "documents");
	if (!docs)
		return;
	in->set_documents = true;
	if (!json_is_array(docs) || json_array_size(docs) > 100) {
		error_field(e, "documents", _("Give a list of {\"version\": id} or {\"circular\": id}, at most 100."));
		return;
	}
	struct meeting_ref *refs = arena_alloc(&r->arena, sizeof *refs * (json_array_size(docs) + 1));
	if (!refs) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return;
	}
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		json_t *v = json_object_get(d, "version"), *c = json_object_get(d, "circular");
		if (!json_is_object(d) || json_object_size(d) != 1 || (!json_is_integer(v) && !json_is_integer(c))) {
			error_field(e, "documents", _("Each document is {\"version\": id} or {\"circular\": id}."));
			return;
		}
		refs[i] = (struct meeting_ref){.letter = c != NULL, .id = json_integer_value(c ? c : v)};
	}
	in->documents = refs;
	in->ndocuments = (int)json_array_size(docs);
}

static void reply_meeting(struct request *r, int status, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct meeting m;
	struct process p;
	if (meeting_find(r->db, &r->arena, id, &m, &e) != 0 ||
	    process_find_id_bare(r->db, &r->arena, m.process_id, &p, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_json(r, status, meeting_json(r, &m, &p));
}

void api_meeting_create(struct request *r)
{
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	struct meeting_input in;
	meeting_input_read(r, body, NULL, &in, &e);
	json_decref(body);
	const struct actor who = auth_actor(r);
	int64_t id;
	if (e.code || meeting_create(r->db, &r->arena, &who, r->params[0], &in, &id, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_meeting(r, 201, id);
}

void api_meeting_update(struct request *r)
{
	struct meeting m;
	struct process p;
	if (!load(r, true, &m, &p))
		return;
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	struct meeting_input in;
	meeting_input_read(r, body, &m, &in, &e);
	json_decref(body);
	const struct actor who = auth_actor(r);
	if (e.code || meeting_update(r->db, &r->arena, &who, m.id, &in, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_meeting(r, 200, m.id);
}

void api_meeting_cancel(struct request *r)
{
	struct meeting m;
	struct process p;
	if (!load(r, true, &m, &p))
		return;
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	static const char *const members[] = {"reason", NULL};
	api_known_members(body, members, &e);
	const char *reason = member(r, body, "reason", &e);
	json_decref(body);
	const struct actor who = auth_actor(r);
	if (e.code || meeting_cancel(r->db, &r->arena, &who, m.id, reason, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_meeting(r, 200, m.id);
}

void api_meeting_outcome(struct request *r)
{
	struct meeting m;
	struct process p;
	if (!load(r, true, &m, &p))
		return;
	json_t *body = api_office_body(r);
	if (!body)
		return;
	struct error e;
	error_clear(&e);
	static const char *const members[] = {"summary", "outcome", "followup_call", NULL};
	api_known_members(body, members, &e);
	const char *summary = member(r, body, "summary", &e), *outcome = member(r, body, "outcome", &e);
	json_t *call = json_object_get(body, "followup_call");
	int64_t call_id = 0;
	if (call && !json_is_null(call) && (!json_is_integer(call) || json_integer_value(call) <= 0))
		error_field(&e, "followup_call", _("Give the id of a call of this process."));
	else if (call && json_is_integer(call))
		call_id = json_integer_value(call);
	json_decref(body);
	const struct actor who = auth_actor(r);
	if (e.code ||
	    meeting_set_outcome(r->db, &r->arena, &who, m.id, summary, outcome, call_id, clock_now(), &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	reply_meeting(r, 200, m.id);
}
