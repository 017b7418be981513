/*
 * page_office_audit — the secretariat's view of the audit log: every change,
 * newest first, filterable by process and by kind. Each entry reads as a
 * sentence ("Deadline of call 3 'Written inputs' extended from 15 February
 * 2021 to 1 March 2021 — reason: ..."), then the before and after of each
 * field that changed, with the raw record (its JSON, as stored) folded in a
 * <details> for whoever needs it exactly. A list, not a table: long values wrap
 * and nothing scrolls sideways on a phone. Read-only: the log is append-only
 * by construction.
 */
#include "core/audit.h"
#include "core/call.h"
#include "core/process.h"
#include "core/limits.h"
#include "util/i18n.h"
#include "util/clock.h"
#include "web/page.h"
#include "web/routes.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { AUDIT_PAGE = 50 };

/* How a field of the records is named in a sentence; NULL for a name not in the table (shown as it is). */
static const char *field_label(const char *key)
{
	static const char *const LABELS[][2] = {
	    {"title", N_("Title")},
	    {"date", N_("Date")},
	    {"end_date", N_("End date")},
	    {"kind", N_("Kind")},
	    {"status", N_("Status")},
	    {"opens_at", N_("Opens")},
	    {"closes_at", N_("Deadline (last moment accepted)")},
	    {"closes_on", N_("Deadline (day)")},
	    {"state", N_("State")},
	    {"review", N_("Publication of contributions")},
	    {"reason", N_("Reason")},
	    {"decision", N_("Decision")},
	    {"paragraph", N_("Paragraph")},
	    {"version_id", N_("Version")},
	    {"revision", N_("Revision")},
	    {"slug", N_("Short name")},
	    {"summary", N_("Summary")},
	    {"timezone", N_("Time zone")},
	    {"languages", N_("Languages")},
	    {"body", N_("Run by")},
	    {"secretariat", N_("Secretariat")},
	    {"categories", N_("Categories")},
	    {"label", N_("Label")},
	    {"note", N_("Note")},
	    {"late", N_("Late")},
	    {"admitted", N_("Admitted")},
	    {"milestone_id", N_("Milestone on the schedule")},
	    {"milestone_moved_from", N_("Milestone moved from")},
	    {"document", N_("Document")},
	    {"document_slug", N_("Document")},
	    {NULL, NULL},
	};
	for (int i = 0; LABELS[i][0]; i++)
		if (!strcmp(LABELS[i][0], key))
			return _(LABELS[i][1]);
	/* Apart: "Published" is also a contribution's state (page_office_moderation.c), which some languages
	 * inflect otherwise (French "Publiée", of a contribution). */
	if (!strcmp(key, "published_at"))
		/* TRANSLATORS: a field of the audit log: when a version was published ("Published: 15 February
		 * 2021"). */
		return C_("moment", "Published");
	return NULL;
}

/* A value of the records as a reader reads it: a date as "15 February 2021", an instant in the process's
 * zone (tz, or UTC when the entry has no process), a review mode in words, null as "none". */
static const char *value_text(struct request *r, const char *key, json_t *v, const char *tz)
{
	if (!v || json_is_null(v))
		return _("none");
	if (json_is_true(v))
		return _("yes");
	if (json_is_false(v))
		return _("no");
	if (json_is_integer(v)) {
		if (!strcmp(key, "published_at"))
			return tz ? page_instant_human(r, tz, (int64_t)json_integer_value(v))
			          : page_instant_utc(r, (int64_t)json_integer_value(v));
		return arena_printf(&r->arena, "%lld", (long long)json_integer_value(v));
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		int y, m, d;
		int64_t t;
		enum call_review review;
		if (strlen(s) == 10 && clock_parse_date(s, &y, &m, &d) == 0)
			return page_date(r, s);
		if (strlen(s) == 20 && s[10] == 'T' && clock_parse_rfc3339(s, &t) == 0)
			return tz ? page_instant_human(r, tz, t) : page_instant_utc(r, t);
		if (!strcmp(key, "review") && call_review_parse(s, &review))
			return review == REVIEW_AFTER_REVIEW ? _("after review by the secretariat") : _("as they arrive");
		if (!strcmp(key, "decision") || !strcmp(key, "state") || !strcmp(key, "status")) {
			char *c = arena_strdup(&r->arena, s);
			for (char *p = c; p && *p; p++)
				if (*p == '_')
					*p = ' ';
			return c ? c : s;
		}
		return s;
	}
	/* an object or an array (the categories, the decisions): its JSON, compact */
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	const char *out = arena_strdup(&r->arena, text ? text : "");
	free(text);
	return out;
}

/* The member key of o as text, or NULL. */
static const char *member(struct request *r, json_t *o, const char *key, const char *tz)
{
	json_t *v = o ? json_object_get(o, key) : NULL;
	return v ? value_text(r, key, v, tz) : NULL;
}

/* "call:3" -> "3": the part of an object's name after its kind. */
static const char *object_id(const char *object)
{
	const char *colon = object ? strchr(object, ':') : NULL;
	return colon ? colon + 1 : object ? object : "";
}

/* What an entry did, in one sentence (plain text: the page escapes it). */
static const char *sentence(struct request *r, const struct audit_entry *x, json_t *before, json_t *after,
                            const char *tz)
{
	const char *k = x->kind, *id = object_id(x->object);
	const char *title =
	    member(r, after, "title", tz) ? member(r, after, "title", tz) : member(r, before, "title", tz);
	json_t *given = after ? json_object_get(after, "reason") : NULL; /* null: no reason (publishing) */
	const char *reason = given && !json_is_null(given) ? value_text(r, "reason", given, tz) : NULL;
	const char *why = reason ? arena_printf(&r->arena, _(" \u2014 reason: %s"), reason) : "";
	const char *named = title ? arena_printf(&r->arena, " '%s'", title) : "";
	const char *deadline_was = member(r, before, "closes_at", tz), *deadline_is = member(r, after, "closes_at", tz);
	if (!strcmp(k, "call.create"))
		return arena_printf(&r->arena, _("Call %s%s created, open until %s."), id, named,
		                    deadline_is ? deadline_is : _("its deadline"));
	if (!strcmp(k, "call.extend") || !strcmp(k, "call.shorten"))
		return arena_printf(&r->arena,
		                    !strcmp(k, "call.extend") ? _("Deadline of call %s%s extended from %s to %s%s.")
		                                              : _("Deadline of call %s%s brought forward from %s to %s%s."),
		                    id, named, deadline_was ? deadline_was : "?", deadline_is ? deadline_is : "?", why);
	if (!strcmp(k, "call.open"))
		return arena_printf(&r->arena, _("Call %s%s opened now%s."), id, named, why);
	if (!strcmp(k, "call.close"))
		return arena_printf(&r->arena, _("Call %s%s closed now, before its deadline of %s%s."), id, named,
		                    deadline_was ? deadline_was : "?", why);
	if (!strcmp(k, "call.review"))
		return arena_printf(&r->arena, _("Publication of the contributions to call %s%s changed from %s to %s%s."),
		                    id, named, member(r, before, "review", tz), member(r, after, "review", tz), why);
	if (!strcmp(k, "milestone.add"))
		return arena_printf(&r->arena, _("Milestone%s added on %s."), named, member(r, after, "date", tz));
	if (!strcmp(k, "milestone.move")) {
		const char *from = member(r, before, "date", tz), *to = member(r, after, "date", tz);
		const char *from_end = member(r, before, "end_date", tz), *to_end = member(r, after, "end_date", tz);
		return arena_printf(
		    &r->arena, _("Milestone%s moved from %s%s to %s%s%s."), named, from ? from : "?",
		    from_end && strcmp(from_end, _("none")) ? arena_printf(&r->arena, " \u2013 %s", from_end) : "",
		    to ? to : "?",
		    to_end && strcmp(to_end, _("none")) ? arena_printf(&r->arena, " \u2013 %s", to_end) : "", why);
	}
	if (!strcmp(k, "milestone.update") || !strcmp(k, "milestone.status"))
		return arena_printf(&r->arena, _("Milestone%s edited."), named);
	if (!strcmp(k, "disposition.record"))
		return before ? arena_printf(&r->arena, _("Answer to comment %s changed from %s to %s."), id,
		                             member(r, before, "decision", tz), member(r, after, "decision", tz))
		              : arena_printf(&r->arena, _("Answer to comment %s recorded: %s."), id,
		                             member(r, after, "decision", tz));
	if (!strcmp(k, "disposition.publish"))
		return arena_printf(&r->arena, _("Answers to the comments on call %s published."), id);
	if (!strcmp(k, "contribution.moderate")) {
		const char *state = member(r, after, "state", tz);
		if (!state)
			return arena_printf(&r->arena, _("Contribution %s moderated%s."), id, why);
		if (!strcmp(state, "spam"))
			return arena_printf(&r->arena, _("Contribution %s marked as spam%s."), id, why);
		if (!strcmp(state, "pending"))
			return arena_printf(&r->arena, _("Contribution %s put back to await review%s."), id, why);
		if (!strcmp(state, "published"))
			return arena_printf(&r->arena, _("Contribution %s published%s."), id, why);
		if (!strcmp(state, "hidden"))
			return arena_printf(&r->arena, _("Contribution %s hidden%s."), id, why);
		return arena_printf(&r->arena, "Contribution %s %s%s.", id, state, why);
	}
	if (!strcmp(k, "contribution.admit"))
		return arena_printf(&r->arena, _("Late contribution %s admitted."), id);
	if (!strcmp(k, "version.post"))
		return arena_printf(&r->arena, _("Version %s '%s' of %s posted."), id, member(r, after, "label", tz),
		                    member(r, after, "document_slug", tz) ? member(r, after, "document_slug", tz)
		                                                          : _("its document"));
	if (!strcmp(k, "version.match"))
		return arena_printf(&r->arena, _("Paragraph matches of version %s confirmed."), id);
	if (!strcmp(k, "version.publish"))
		return arena_printf(&r->arena, _("Version %s '%s' of %s published."), id, member(r, after, "label", tz),
		                    member(r, after, "date", tz));
	if (!strcmp(k, "document.create"))
		return arena_printf(&r->arena, _("Document%s created."), named);
	if (!strcmp(k, "process.create"))
		return arena_printf(&r->arena, _("Process%s created."), named);
	if (!strcmp(k, "process.update"))
		return arena_printf(&r->arena, _("Details of the process%s changed."), named);
	if (!strcmp(k, "site_page.update"))
		return arena_printf(&r->arena, _("The %s page edited."), id);
	if (!strncmp(k, "subscription.", 13))
		return arena_printf(&r->arena, _("Subscription %s: %s."), id, k + 13);
	if (!strncmp(k, "account.", 8) || !strncmp(k, "token.", 6))
		return arena_printf(&r->arena, "%s %s: %s.", !strncmp(k, "token.", 6) ? _("Token") : _("Account"), id,
		                    strchr(k, '.') + 1);
	/* TRANSLATORS: an audit entry of a kind without its own sentence: "<kind> on <object>", then the reason. */
	return arena_printf(&r->arena, _("%s on %s%s."), k, x->object, why);
}

/* The fields that differ between before and after, one item each: "Title: from 'a' to 'b'"; for a record
 * with no before (a creation), each field as set. The reason of a change is in the sentence, but an answer's
 * reason is the answer itself (disposition.record): a field like the others. */
static void changes(struct request *r, const char *kind, json_t *before, json_t *after, const char *tz)
{
	const bool reason_said = strncmp(kind, "disposition.", 12) != 0;
	if (!json_is_object(after) && !json_is_object(before))
		return;
	/* the keys of both, sorted: the order of the raw record */
	json_t *keys = json_object();
	const char *key;
	json_t *v;
	if (json_is_object(before)) {
		json_object_foreach(before, key, v) json_object_set_new(keys, key, json_true());
	}
	if (json_is_object(after)) {
		json_object_foreach(after, key, v) json_object_set_new(keys, key, json_true());
	}
	bool any = false;
	char *sorted = json_dumps(keys, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *order = sorted ? json_loads(sorted, JSON_PRESERVE_ORDER, NULL) : NULL;
	free(sorted);
	json_object_foreach(order ? order : keys, key, v)
	{
		if (reason_said && !strcmp(key, "reason"))
			continue;
		json_t *b = json_is_object(before) ? json_object_get(before, key) : NULL;
		json_t *a = json_is_object(after) ? json_object_get(after, key) : NULL;
		if (b && a && json_equal(a, b))
			continue;
		if (!any)
			html_printf(&r->out, "<ul class=\"audit-changes\">\n");
		any = true;
		const char *label = field_label(key) ? field_label(key) : key;
		html_printf(&r->out, "<li>");
		if (!before)
			html_tr(&r->out, "%s: %s", label, value_text(r, key, a, tz));
		else if (!a)
			html_tr(&r->out, "%s: was %s", label, value_text(r, key, b, tz));
		else
			html_tr(&r->out, "%s: from %s to %s", label, value_text(r, key, b, tz), value_text(r, key, a, tz));
		html_printf(&r->out, "</li>\n");
	}
	if (any)
		html_printf(&r->out, "</ul>\n");
	json_decref(order);
	json_decref(keys);
}

static const char *rfc3339(struct request *r, int64_t t)
{
	char out[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(t, out);
	return arena_strdup(&r->arena, out);
}

/* One entry: the sentence, who and when, the changes, and the raw record folded. */
static void entry(struct request *r, const struct audit_entry *x, const struct process *all, int nall)
{
	const char *tz = NULL;
	for (int i = 0; x->process_slug && i < nall; i++)
		if (!strcmp(all[i].slug, x->process_slug))
			tz = all[i].timezone;
	json_t *before = x->before ? json_loads(x->before, 0, NULL) : NULL;
	json_t *after = x->after ? json_loads(x->after, 0, NULL) : NULL;
	html_printf(&r->out, "<li id=\"audit-%L\"><p class=\"audit-what\">%s</p>\n<p class=\"meta\">", (long long)x->id,
	            sentence(r, x, before, after, tz));
	html_tr(&r->out, "<time datetime=\"%s\">%s</time> \u00b7 by %s", rfc3339(r, x->at), page_instant_utc(r, x->at),
	        x->actor);
	if (x->process_slug) {
		html_printf(&r->out, " \u00b7 ");
		html_tr(&r->out, "process <code>%s</code>", x->process_slug);
	}
	html_printf(&r->out, "</p>\n");
	changes(r, x->kind, before, after, tz);
	html_printf(&r->out, "<details><summary>");
	html_tr(&r->out, "The record as stored<span class=\"visually-hidden\"> for entry %L</span>", (long long)x->id);
	html_printf(
	    &r->out,
	    "</summary>\n<dl class=\"audit-raw\"><dt>%s</dt><dd><code>%s</code></dd><dt>%s</dt><dd><code>%s</code></dd>"
	    "<dt>%s</dt><dd><code>%s</code></dd><dt>%s</dt><dd><code>%s</code></dd></dl>\n</details></li>\n",
	    _("Kind"), x->kind,
	    /* TRANSLATORS: the audit record's object: what was changed. */
	    _("Object"), x->object,
	    /* TRANSLATORS: the record's state before the change. */
	    _("Before"), x->before ? x->before : "null",
	    /* TRANSLATORS: the record's state after the change. */
	    _("After"), x->after ? x->after : "null");
	json_decref(before);
	json_decref(after);
}

void page_office_audit(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *slug = request_query(r, "process");
	const char *kind = request_query(r, "kind");
	const char *before_arg = request_query(r, "before");
	int64_t before = 0;
	if (before_arg && !parse_id(before_arg, &before))
		before = 0;
	struct process p = {0};
	if (slug && *slug && process_find(r->db, &r->arena, slug, &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct process *all;
	int nall;
	struct audit_entry *items;
	int n;
	if (process_list(r->db, &r->arena, &all, &nall, &e) != 0 ||
	    audit_list(r->db, &r->arena, p.id, kind && *kind ? kind : NULL, before, AUDIT_PAGE, &items, &n, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("Audit log"));
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a></nav>\n<h1>%s</h1>\n<p>%s</p>\n"
	            "<form method=\"get\" action=\"/office/audit\" class=\"filters\">\n"
	            "<div class=\"field\"><label for=\"f-process\">%s</label>"
	            "<select id=\"f-process\" name=\"process\"><option value=\"\">%s</option>\n",
	            _("Breadcrumb"), _("Back office"), _("Audit log"),
	            _("Every change, by anyone: who, when, what, before and after. Entries are never changed or removed. "
	              "Times are in UTC; dates and deadlines in each process's zone."),
	            _("Process"), _("All processes"));
	for (int i = 0; i < nall; i++)
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", all[i].slug,
		            p.id == all[i].id ? " selected" : "", all[i].title);
	html_printf(
	    &r->out,
	    "</select></div>\n<div class=\"field\"><label for=\"f-kind\">%s</label>"
	    "<input id=\"f-kind\" name=\"kind\" type=\"text\" value=\"%s\" aria-describedby=\"h-kind\">"
	    "<p class=\"hint\" id=\"h-kind\">%s</p></div>\n"
	    "<p><button type=\"submit\">%s</button></p>\n</form>\n",
	    _("Kind"), kind ? kind : "", _("Such as milestone.move, or call. for every change of calls."),
	    /* TRANSLATORS: a button that filters the audit log. */
	    _("Filter"));
	if (n == 0) {
		html_printf(&r->out, "<p>%s</p>\n", _("No entry matches."));
	} else {
		html_printf(&r->out, "<ul class=\"audit\">\n");
		for (int i = 0; i < n; i++)
			entry(r, &items[i], all, nall);
		html_printf(&r->out, "</ul>\n");
		if (n == AUDIT_PAGE)
			html_printf(
			    &r->out,
			    "<nav aria-label=\"%s\" class=\"pages\"><a rel=\"next\" "
			    "href=\"/office/audit?process=%u&amp;kind=%u&amp;before=%L\">%s</a></nav>\n",
			    _("Pages"), slug ? slug : "", kind ? kind : "", (long long)items[n - 1].id, _("Older entries"));
	}
	page_end(r, 200);
}
