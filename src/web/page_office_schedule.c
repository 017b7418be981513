/*
 * page_office_schedule — the schedule of a process in the back office: each
 * milestone with its history and two forms, one to move it to new dates (a
 * reason is required: the public schedule shows "Moved from ... to ... on
 * ...: reason") and one to edit its title, kind and status; and a form to add
 * a milestone. The forms sit in <details> so that the page stays short; the
 * one that came back with mistakes is open.
 *
 * The changes go through milestone_add, milestone_update and milestone_move,
 * as in the JSON API.
 */
#include "web/page_office.h"

#include "core/limits.h"
#include "util/i18n.h"
#include "util/clock.h"
#include "util/tz.h"
#include "web/auth.h"
#include "web/routes.h"

#include <stdio.h>
#include <string.h>

static void milestone_item(struct request *r, const struct process *p, const struct milestone *m, const char *today,
			   const char *failed, const struct error *e)
{
	char when[MILESTONE_RANGE_LEN];
	milestone_format_range(m->date, m->end_date, when);
	const bool past = milestone_when(m, today) == MILESTONE_PAST;
	/* A planned milestone whose days are over is past; done, postponed or cancelled say more, and stay. */
	html_printf(&r->out,
		    "<div class=\"office-item%R\" id=\"milestone-%L\"><h3 id=\"m-%L\">%s: %s</h3>\n"
		    "<p class=\"meta\">%s \u00b7 %s</p>\n",
		    past ? " past" : "", (long long)m->id, (long long)m->id, when, m->title,
		    office_milestone_kind_text(m->kind),
		    past && m->status == MILESTONE_PLANNED ? _("Past") : office_milestone_status_text(m->status));
	for (int h = 0; h < m->nhistory; h++) {
		const struct milestone_move *mv = &m->history[h];
		char from[MILESTONE_RANGE_LEN], to[MILESTONE_RANGE_LEN];
		if (mv->from_date)
			milestone_format_range(mv->from_date, mv->from_end_date, from);
		else
			snprintf(from, sizeof from, "%s", mv->from_label ? mv->from_label : "");
		milestone_format_range(mv->to_date, mv->to_end_date, to);
		html_printf(&r->out, "<p class=\"history\">");
		html_tr(&r->out, "Moved from %s to %s on %s: %s", from, to, page_date(r, mv->moved_on), mv->reason);
		html_printf(&r->out, "</p>\n");
	}

	const char *move_key = arena_printf(&r->arena, "move-%lld", (long long)m->id);
	struct office_form f = office_form_for(move_key, failed, e, r->form);
	html_printf(&r->out, "<details%R><summary>", f.e ? " open" : "");
	html_tr(&r->out, "Move<span class=\"visually-hidden\"> %s</span> to new dates", m->title);
	html_printf(&r->out, "</summary>\n");
	office_form_open(r, arena_printf(&r->arena, "/office/milestones/%lld/move", (long long)m->id), false);
	office_input(r, &f, "date", _("New date"), arena_printf(&r->arena, _("The first day, in %s."), p->timezone), m->date,
		     "date", 0);
	office_input(r, &f, "end_date", _("New end date (optional)"), _("The last day, for a milestone of several days."),
		     m->end_date, "date", 0);
	office_textarea(r, &f, "reason", _("Reason for the move"),
			_("Required. The public schedule shows it: \u201cMoved from \u2026 to \u2026 on \u2026: reason\u201d."),
			NULL, 3);
	html_printf(&r->out, "<p><button type=\"submit\">");
	/* TRANSLATORS: a button that moves the milestone named in the hidden text to new dates. */
	html_tr(&r->out, "Move<span class=\"visually-hidden\"> %s</span>", m->title);
	html_printf(&r->out, "</button></p>\n</form>\n</details>\n");

	const char *edit_key = arena_printf(&r->arena, "milestone-%lld", (long long)m->id);
	f = office_form_for(edit_key, failed, e, r->form);
	html_printf(&r->out, "<details%R><summary>", f.e ? " open" : "");
	html_tr(&r->out, "Edit the title, kind or status<span class=\"visually-hidden\"> of %s</span>", m->title);
	html_printf(&r->out, "</summary>\n");
	office_form_open(r, arena_printf(&r->arena, "/office/milestones/%lld", (long long)m->id), false);
	office_input(r, &f, "title", _("Title"), NULL, m->title, "text", LIMIT_TITLE);
	office_select(r, &f, "kind", _("Kind"), office_milestone_kinds(r), milestone_kind_name(m->kind));
	office_select(r, &f, "status", _("Status"), office_milestone_statuses(r), milestone_status_name(m->status));
	html_printf(&r->out, "<p><button type=\"submit\">");
	html_tr(&r->out, "Save<span class=\"visually-hidden\"> %s</span>", m->title);
	html_printf(&r->out, "</button></p>\n</form>\n</details>\n</div>\n");
}

void office_schedule_section(struct request *r, const struct process *p, const struct milestone *ms, int n,
			     const char *failed, const struct error *e)
{
	html_printf(&r->out, "<section aria-labelledby=\"schedule\"><h2 id=\"schedule\">%s</h2>\n<p>", _("Schedule"));
	html_tr(&r->out, "Dates are in the time zone of the process, %s. A new date is a move, with its reason.",
		p->timezone);
	html_printf(&r->out, "</p>\n");
	if (n == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("No milestone yet."));
	/* Today in the process's zone, by the clock (CONSULTA_NOW in tests): what is past shows as past. */
	char day[11];
	const char *today = tz_date_at(p->timezone, clock_now(), day) == 0 ? day : NULL;
	for (int i = 0; i < n; i++)
		milestone_item(r, p, &ms[i], today, failed, e);

	struct office_form f = office_form_for("milestone-new", failed, e, r->form);
	html_printf(&r->out, "<details class=\"add\"%R><summary>%s</summary>\n", f.e ? " open" : "", _("Add a milestone"));
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/milestones", p->slug), false);
	office_input(r, &f, "date", _("Date"), arena_printf(&r->arena, _("The first day, in %s."), p->timezone), NULL, "date",
		     0);
	office_input(r, &f, "end_date", _("End date (optional)"), _("The last day, for a milestone of several days."), NULL,
		     "date", 0);
	office_input(r, &f, "title", _("Title"), _("What happens, such as Second online consultation."), NULL, "text",
		     LIMIT_TITLE);
	office_select(r, &f, "kind", _("Kind"), office_milestone_kinds(r), milestone_kind_name(MILESTONE_MEETING));
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</details>\n</section>\n",
		    _("Add the milestone"));
}

void page_office_milestone_create(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct milestone_input in = {
		.date = office_field(r, "date"),
		.end_date = office_field(r, "end_date"),
		.title = office_field(r, "title"),
		.kind = office_field(r, "kind"),
	};
	struct actor who = auth_actor(r);
	int64_t id;
	if (milestone_add(r->db, &r->arena, &who, p.id, &in, &id, &e) != 0) {
		office_process_page(r, p.slug, "milestone-new", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=milestone-added&id=%lld", p.slug, (long long)id));
}

/* The milestone named by the route's {id} and its process, or false with an error page given. */
static bool load_milestone(struct request *r, int64_t *id, struct process *p)
{
	struct error e;
	error_clear(&e);
	struct milestone m;
	if (!parse_id(r->params[0], id))
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such milestone."));
	if (e.code || milestone_find(r->db, &r->arena, *id, &m, &e) != 0 ||
	    process_find_id_bare(r->db, &r->arena, m.process_id, p, &e) != 0) {
		page_error(r, &e);
		return false;
	}
	return true;
}

void page_office_milestone_update(struct request *r)
{
	int64_t id;
	struct process p;
	if (!load_milestone(r, &id, &p))
		return;
	struct error e;
	error_clear(&e);
	struct milestone_input in = {
		.title = office_field(r, "title"),
		.kind = office_field(r, "kind"),
		.status = office_field(r, "status"),
	};
	struct actor who = auth_actor(r);
	if (milestone_update(r->db, &r->arena, &who, id, &in, &e) != 0) {
		office_process_page(r, p.slug, arena_printf(&r->arena, "milestone-%lld", (long long)id), &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=milestone-saved&id=%lld", p.slug, (long long)id));
}

void page_office_milestone_move(struct request *r)
{
	int64_t id;
	struct process p;
	if (!load_milestone(r, &id, &p))
		return;
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (milestone_move(r->db, &r->arena, &who, id, office_field(r, "date"), office_field(r, "end_date"),
			   office_field(r, "reason"), &e) != 0) {
		office_process_page(r, p.slug, arena_printf(&r->arena, "move-%lld", (long long)id), &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=moved&id=%lld", p.slug, (long long)id));
}
