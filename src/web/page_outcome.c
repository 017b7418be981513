/*
 * page_outcome — "You said, we did" for a version (core/outcome.h): what the
 * comments sent on the version it revises became. Its own page
 * (/versions/{id}/you-said-we-did), a short section on the version's page
 * (page_outcome_section, inside the version page's cache: the publication of
 * dispositions moves that page's state, see disposition_publish) and JSON
 * (/api/v1/versions/{id}/outcome).
 *
 * The public sees only calls whose dispositions are published; before that,
 * nothing. The secretariat may look ahead with ?preview=1 on the page: every
 * call, the answers recorded so far, each unpublished call marked as such.
 * Every chart comes with a table of the same numbers (render/chart.h).
 */
#include "core/document.h"
#include "core/outcome.h"
#include "core/process.h"
#include "render/chart.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/routes.h"

#include <string.h>

/* Countries drawn one bar each; past this the rest share one bar "Other countries". */
enum { OUTCOME_COUNTRY_BARS = 12 };

/* The secretariat's decisions on comments, translated where shown. */
static const char *const DECISION_LABELS[OUTCOME_DECISIONS] = {
    N_("Accepted"), N_("Accepted in part"), N_("Not accepted"),
    /* TRANSLATORS: a decision on a comment: taken note of. */
    N_("Noted")};

static bool secretariat(const struct request *r)
{
	return r->account && r->account->role == ACCOUNT_SECRETARIAT;
}

/* The version of the route, its document and process; a draft only for the secretariat. false: the error is in
 * e (the caller answers it as a page or as JSON). */
static bool load(struct request *r, struct version *v, struct document *doc, struct process *p, struct error *e)
{
	int64_t id;
	if (!parse_id(r->params[0], &id))
		error_set(e, ERROR_NOT_FOUND, N_("There is no such version."));
	else if (version_find(r->db, &r->arena, id, v, doc, e) == 0 && v->state == VERSION_DRAFT && !secretariat(r))
		error_set(e, ERROR_NOT_FOUND, N_("There is no such version."));
	else if (!e->code)
		process_find_id_bare(r->db, &r->arena, doc->process_id, p, e);
	return !e->code;
}

static void decisions_chart(struct request *r, const char *id, const struct outcome_decisions *d)
{
	struct chart_bar *bars = arena_alloc(&r->arena, OUTCOME_DECISIONS * sizeof *bars);
	if (!bars)
		return;
	for (int k = 0; k < OUTCOME_DECISIONS; k++)
		bars[k] = (struct chart_bar){_(DECISION_LABELS[k]), d->decisions[k]};
	struct chart c = {id, _("Decisions on the comments"), _("Decision"), _("Comments"), bars, OUTCOME_DECISIONS};
	chart_figure(&r->out, &c, CHART_STACKED);
}

/* A bar chart of counts; at most max bars, the rest summed in one bar named other (max 0: no limit). */
static void counts_chart(struct request *r, const char *id, const char *title, const char *label_heading,
                         const char *value_heading, const struct outcome_count *counts, int n, int max,
                         const char *other)
{
	int shown = max > 0 && n > max ? max - 1 : n;
	struct chart_bar *bars = arena_alloc(&r->arena, (size_t)(shown + 1) * sizeof *bars);
	if (!bars)
		return;
	for (int i = 0; i < shown; i++)
		bars[i] = (struct chart_bar){counts[i].label, counts[i].count};
	int nbars = shown;
	if (shown < n) {
		int64_t rest = 0;
		for (int i = shown; i < n; i++)
			rest += counts[i].count;
		bars[nbars++] = (struct chart_bar){other, rest};
	}
	struct chart c = {id, title, label_heading, value_heading, bars, nbars};
	chart_figure(&r->out, &c, CHART_BARS);
}

/* A count in the plural form the reader's language gives it: fmt is i18n_n()'s, with one %lld (and our markup). */
static const char *counted(struct request *r, const char *fmt, int64_t n)
{
	return arena_printf(&r->arena, fmt, (long long)n);
}

/* "3 accepted, 1 accepted in part, 0 not accepted, 2 noted" */
static void decisions_sentence(struct request *r, const struct outcome_decisions *d)
{
	if (d->unanswered)
		/* TRANSLATORS: counts of comments by the secretariat's decision, then those not answered yet. */
		html_tr(&r->out, "%L accepted, %L accepted in part, %L not accepted, %L noted, %L not answered yet",
		        (long long)d->decisions[DECISION_ACCEPTED], (long long)d->decisions[DECISION_ACCEPTED_IN_PART],
		        (long long)d->decisions[DECISION_NOT_ACCEPTED], (long long)d->decisions[DECISION_NOTED],
		        (long long)d->unanswered);
	else
		/* TRANSLATORS: counts of comments by the secretariat's decision. */
		html_tr(&r->out, "%L accepted, %L accepted in part, %L not accepted, %L noted",
		        (long long)d->decisions[DECISION_ACCEPTED], (long long)d->decisions[DECISION_ACCEPTED_IN_PART],
		        (long long)d->decisions[DECISION_NOT_ACCEPTED], (long long)d->decisions[DECISION_NOTED]);
}

void page_outcome_section(struct request *r, const struct version *v)
{
	struct error e;
	error_clear(&e);
	struct outcome o;
	/* a version page never fails for its summary: without one, the section is left out */
	if (outcome_of_version(r->db, &r->arena, v->id, OUTCOME_PUBLIC, -1, &o, &e) != 0 || o.ncalls == 0)
		return;
	html_printf(&r->out,
	            "<section class=\"outcome-summary\" aria-labelledby=\"you-said\"><h2 id=\"you-said\">%s</h2>\n<p>",
	            _("You said, we did"));
	/* TRANSLATORS: %1$s is the earlier version; then the counts of contributions and of comments. */
	html_tr(&r->out, "This version answers the comments on the earlier version, %s: %R with %R.", o.previous_label,
	        counted(r,
	                i18n_n("<strong>%lld</strong> contribution", "<strong>%lld</strong> contributions",
	                       (unsigned long)o.contributions),
	                o.contributions),
	        counted(r,
	                i18n_n("<strong>%lld</strong> comment", "<strong>%lld</strong> comments",
	                       (unsigned long)o.comments),
	                o.comments));
	html_printf(&r->out, " %s ", _("Decisions:"));
	decisions_sentence(r, &o.decided);
	html_printf(&r->out, ".</p>\n<p><a href=\"/versions/%L/you-said-we-did\">%s</a></p>\n</section>\n",
	            (long long)v->id, _("See what became of the comments, by category, country and paragraph"));
}

static void paragraph_item(struct request *r, const struct version *v, const struct outcome_paragraph *q,
                           const struct outcome *o)
{
	html_printf(&r->out, "<li class=\"outcome-paragraph\" id=\"para-%s\"><h3>", q->pid);
	if (q->number)
		/* TRANSLATORS: a paragraph of a version, then how many comments it drew. */
		html_tr_n(&r->out, "<a href=\"/versions/%L/paragraphs/%u\">\u00b6%d of %s</a>: %L comment",
		          "<a href=\"/versions/%L/paragraphs/%u\">\u00b6%d of %s</a>: %L comments",
		          (unsigned long)q->comments, (long long)q->version_id, q->pid, q->number, o->previous_label,
		          (long long)q->comments);
	else
		/* TRANSLATORS: a paragraph (by its identifier) of a version, then how many comments it drew. */
		html_tr_n(&r->out, "Paragraph %s of %s: %L comment", "Paragraph %s of %s: %L comments",
		          (unsigned long)q->comments, q->pid, o->previous_label, (long long)q->comments);
	html_printf(&r->out, "</h3>\n<p class=\"decisions\">");
	decisions_sentence(r, &q->decided);
	html_printf(&r->out, ".</p>\n<p class=\"landed\">");
	if (q->nlandings == 0) {
		html_tr(&r->out, "No answer names a paragraph of %s.", v->label);
	} else {
		/* TRANSLATORS: introduces the list of the paragraphs of the new version where comments landed. */
		html_tr(&r->out, "In %s:", v->label);
		html_printf(&r->out, " ");
		for (int i = 0; i < q->nlandings; i++) {
			html_printf(&r->out, "%s", i ? _(", ") : "");
			/* TRANSLATORS: a paragraph of the new version and how many comments landed in it. */
			html_tr_n(&r->out, "<a href=\"/versions/%L#%u\">\u00b6%d</a> (%L comment)",
			          "<a href=\"/versions/%L#%u\">\u00b6%d</a> (%L comments)",
			          (unsigned long)q->landings[i].count, (long long)q->landings[i].version_id,
			          q->landings[i].pid, q->landings[i].number, (long long)q->landings[i].count);
		}
		html_printf(&r->out, ".");
	}
	html_printf(&r->out, "</p>\n");
	if (q->nanswers) {
		html_printf(&r->out, "<p class=\"label\">%s</p>\n<ul class=\"answers\">\n", _("The answers"));
		for (int i = 0; i < q->nanswers; i++) {
			const struct outcome_answer *x = &q->answers[i];
			html_printf(&r->out, "<li>");
			/* TRANSLATORS: a comment (its number and its contribution's tracking number), then its
			 * decision. */
			html_tr(&r->out, "<a href=\"/contributions/%u#comment-%L\">Comment %L of %s</a>: %s",
			        x->tracking, (long long)x->comment_id, (long long)x->comment_id, x->tracking,
			        x->answered ? _(DECISION_LABELS[x->decision]) : _("not answered yet"));
			html_printf(&r->out, "</li>\n");
		}
		html_printf(&r->out, "</ul>\n");
	}
	if (q->more) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "%L more in the resolution matrix of the call.", (long long)q->more);
		html_printf(&r->out, "</p>\n");
	}
	if (q->privately) {
		html_printf(&r->out, "<p>");
		html_tr_n(&r->out, "%L comment of private contributions: counted, not shown.",
		          "%L comments of private contributions: counted, not shown.", (unsigned long)q->privately,
		          (long long)q->privately);
		html_printf(&r->out, "</p>\n");
	}
	html_printf(&r->out, "</li>\n");
}

void page_version_outcome(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct version v;
	struct document doc;
	struct process p;
	if (!load(r, &v, &doc, &p, &e)) {
		page_error(r, &e);
		return;
	}
	const char *preview_q = request_query(r, "preview");
	const bool preview = secretariat(r) && preview_q && !strcmp(preview_q, "1");
	struct outcome o;
	if (outcome_of_version(r->db, &r->arena, v.id, preview ? OUTCOME_SECRETARIAT : OUTCOME_PUBLIC, OUTCOME_TOP, &o,
	                       &e) != 0) {
		page_error(r, &e);
		return;
	}
	/* TRANSLATORS: the page's title: "You said, we did", a document and its version. */
	page_begin(r, arena_printf(&r->arena, _("You said, we did \u2014 %s, %s"), doc.title, v.label));
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
	            "<a href=\"/processes/%u\">%s</a> \u203a <a href=\"/versions/%L\">%s, %s</a></nav>\n"
	            "<h1>%s</h1>\n",
	            _("Breadcrumb"), _("Consultations"), p.slug, p.title, (long long)v.id, doc.title, v.label,
	            _("You said, we did"));
	if (preview)
		html_printf(
		    &r->out, "<div class=\"notice\" role=\"note\"><p>%s</p></div>\n",
		    _("Preview for the secretariat: answers not yet published are counted, and their calls marked. "
		      "The public sees only published answers."));
	if (!o.previous_id) {
		html_printf(&r->out, "<p class=\"lead\">");
		html_tr(&r->out, "%s is the first version of %s: no comments led to it.", v.label, doc.title);
		html_printf(&r->out, "</p>\n");
		page_end(r, 200);
		return;
	}
	html_printf(&r->out, "<p class=\"lead\">");
	html_tr(&r->out, "What became of the comments sent on the earlier version of %s, %s, in this one, %s.",
	        doc.title, o.previous_label, v.label);
	html_printf(&r->out, "</p>\n");
	if (o.ncalls == 0) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "The answers to the comments on %s are not published yet.", o.previous_label);
		html_printf(&r->out, "</p>\n");
		page_end(r, 200);
		return;
	}
	html_printf(&r->out, "<section aria-labelledby=\"calls\"><h2 id=\"calls\">%s</h2>\n<ul>\n", _("The calls"));
	for (int i = 0; i < o.ncalls; i++) {
		const struct outcome_call *c = &o.calls[i];
		html_printf(&r->out, "<li>");
		/* TRANSLATORS: a call, its counts of contributions and comments, then a link to its resolution matrix.
		 */
		html_tr(&r->out,
		        "<a href=\"/calls/%L\">%s</a>: %R, %R. <a href=\"/calls/%L/matrix\">The resolution matrix</a>",
		        (long long)c->id, c->title,
		        counted(r, i18n_n("%lld contribution", "%lld contributions", (unsigned long)c->contributions),
		                c->contributions),
		        counted(r, i18n_n("%lld comment", "%lld comments", (unsigned long)c->comments), c->comments),
		        (long long)c->id);
		html_printf(&r->out, " ");
		if (c->published_at)
			html_tr(&r->out, "(answers published %s)", page_instant_human(r, p.timezone, c->published_at));
		else
			html_printf(&r->out, "<strong class=\"marker\">%s</strong>", _("answers not published yet"));
		html_printf(&r->out, "</li>\n");
	}
	html_printf(&r->out,
	            "</ul>\n</section>\n<section aria-labelledby=\"numbers\"><h2 id=\"numbers\">%s</h2>\n"
	            "<ul class=\"headline\"><li>",
	            _("In numbers"));
	html_tr_n(&r->out, "<strong>%L</strong> contribution", "<strong>%L</strong> contributions",
	          (unsigned long)o.contributions, (long long)o.contributions);
	html_printf(&r->out, "</li><li>");
	html_tr_n(&r->out, "<strong>%L</strong> comment", "<strong>%L</strong> comments", (unsigned long)o.comments,
	          (long long)o.comments);
	html_printf(&r->out, "</li></ul>\n<p>%s ", _("Decisions:"));
	decisions_sentence(r, &o.decided);
	html_printf(&r->out, ".</p>\n");
	decisions_chart(r, "chart-decisions", &o.decided);
	counts_chart(r, "chart-categories", _("Contributions by category"), _("Category"), _("Contributions"),
	             o.categories, o.ncategories, 0, NULL);
	counts_chart(r, "chart-countries", _("Contributions by country"), _("Country"), _("Contributions"), o.countries,
	             o.ncountries, OUTCOME_COUNTRY_BARS, _("Other countries"));
	counts_chart(r, "chart-types", _("Comments by type"), _("Type"), _("Comments"), o.types, o.ntypes, 0, NULL);
	html_printf(&r->out, "</section>\n<section aria-labelledby=\"paragraphs\"><h2 id=\"paragraphs\">%s</h2>\n",
	            _("The most-commented paragraphs"));
	if (o.nparagraphs == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("Every comment was a general one."));
	else
		html_printf(&r->out, "<ol class=\"outcome-paragraphs\">\n");
	for (int i = 0; i < o.nparagraphs; i++)
		paragraph_item(r, &v, &o.paragraphs[i], &o);
	html_printf(&r->out, "%R</section>\n", o.nparagraphs ? "</ol>\n" : "");
	page_end(r, 200);
}

static json_t *decisions_json(const struct outcome_decisions *d)
{
	json_t *o = json_object();
	for (int k = 0; k < OUTCOME_DECISIONS; k++)
		json_object_set_new(o, disposition_decision_name((enum disposition_decision)k),
		                    json_integer(d->decisions[k]));
	json_object_set_new(o, "unanswered", json_integer(d->unanswered));
	return o;
}

json_t *api_counts_json(const struct outcome_count *c, int n, const char *key_name)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I}", key_name, c[i].key, "name", c[i].label, "count",
		                                   (json_int_t)c[i].count));
	return a;
}

static json_t *paragraph_json(struct request *r, const struct outcome_paragraph *q)
{
	json_t *landed = json_array(), *answers = json_array();
	for (int i = 0; i < q->nlandings; i++)
		json_array_append_new(landed, json_pack("{s:I,s:s,s:i,s:I}", "version_id",
		                                        (json_int_t)q->landings[i].version_id, "paragraph",
		                                        q->landings[i].pid, "number", q->landings[i].number, "comments",
		                                        (json_int_t)q->landings[i].count));
	for (int i = 0; i < q->nanswers; i++) {
		const struct outcome_answer *x = &q->answers[i];
		json_array_append_new(
		    answers,
		    json_pack("{s:I,s:s,s:o}", "comment_id", (json_int_t)x->comment_id, "url",
		              arena_printf(&r->arena, "/contributions/%s#comment-%lld", x->tracking,
		                           (long long)x->comment_id),
		              "decision",
		              x->answered ? json_string(disposition_decision_name(x->decision)) : json_null()));
	}
	json_t *o =
	    json_pack("{s:I,s:s,s:I,s:o,s:o,s:o,s:I,s:I}", "version_id", (json_int_t)q->version_id, "paragraph", q->pid,
	              "comments", (json_int_t)q->comments, "decisions", decisions_json(&q->decided), "landed", landed,
	              "answers", answers, "more", (json_int_t)q->more, "private", (json_int_t)q->privately);
	json_object_set_new(o, "number", q->number ? json_integer(q->number) : json_null());
	return o;
}

void api_version_outcome(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct version v;
	struct document doc;
	struct process p;
	struct outcome o;
	if (!load(r, &v, &doc, &p, &e) ||
	    outcome_of_version(r->db, &r->arena, v.id, OUTCOME_PUBLIC, OUTCOME_TOP, &o, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *calls = json_array(), *paragraphs = json_array();
	for (int i = 0; i < o.ncalls; i++) {
		const struct outcome_call *c = &o.calls[i];
		json_array_append_new(
		    calls,
		    json_pack("{s:I,s:s,s:I,s:o,s:I,s:I,s:s}", "id", (json_int_t)c->id, "title", c->title, "version_id",
		              (json_int_t)c->version_id, "published_at", api_instant(c->published_at), "contributions",
		              (json_int_t)c->contributions, "comments", (json_int_t)c->comments, "matrix_url",
		              arena_printf(&r->arena, "/calls/%lld/matrix", (long long)c->id)));
	}
	for (int i = 0; i < o.nparagraphs; i++)
		json_array_append_new(paragraphs, paragraph_json(r, &o.paragraphs[i]));
	json_t *body =
	    json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "version_id", (json_int_t)v.id, "contributions",
	              (json_int_t)o.contributions, "comments", (json_int_t)o.comments, "calls", calls, "categories",
	              api_counts_json(o.categories, o.ncategories, "slug"), "countries",
	              api_counts_json(o.countries, o.ncountries, "code"), "types",
	              api_counts_json(o.types, o.ntypes, "type"), "decisions", decisions_json(&o.decided), "paragraphs",
	              paragraphs, "url", arena_printf(&r->arena, "/versions/%lld/you-said-we-did", (long long)v.id));
	if (!body) {
		error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		reply_json_error(r, &e);
		return;
	}
	json_object_set_new(body, "previous_version_id", o.previous_id ? json_integer(o.previous_id) : json_null());
	reply_json(r, 200, body);
}
