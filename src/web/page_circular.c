/*
 * page_circular — the public page of an issued circular letter
 * (/letters/{id}), and the rendering of a letter that the back office's
 * preview of a draft uses too (page_circular.h).
 */
#include "web/page_circular.h"

#include "core/milestone.h"
#include "render/html.h"
#include "render/markdown.h"
#include "web/page.h"
#include "web/page_office.h"
#include "web/routes.h"

static void addressees(struct request *r, const struct circular *c, enum circular_purpose purpose, const char *label)
{
	int n = 0;
	for (int i = 0; i < c->nto; i++) {
		if (c->to[i].purpose != purpose)
			continue;
		if (!n++)
			html_printf(&r->out, "<dt>%s</dt><dd>", label);
		else
			html_printf(&r->out, "; ");
		html_printf(&r->out, "%s", c->to[i].name);
	}
	if (n)
		html_printf(&r->out, "</dd>\n");
}

int page_circular_letter(struct request *r, const struct process *p, const struct circular *c)
{
	html_printf(&r->out, "<article class=\"letter\" aria-labelledby=\"letter-title\">\n<header class=\"letterhead\">\n");
	if (p->body && *p->body)
		html_printf(&r->out, "<p class=\"body\">%s</p>\n", p->body);
	if (p->secretariat && *p->secretariat)
		html_printf(&r->out, "<p class=\"address\">%s</p>\n", p->secretariat);
	html_printf(&r->out, "</header>\n<dl class=\"letter-facts\">\n<dt>Reference</dt><dd>%s</dd>\n"
			     "<dt>Date</dt><dd>%s</dd>\n",
		    c->reference, page_date(r, c->date));
	addressees(r, c, CIRCULAR_ACTION, "To (for action)");
	addressees(r, c, CIRCULAR_INFORMATION, "For information");
	if (c->ncites) {
		html_printf(&r->out, "<dt>References</dt><dd>");
		for (int i = 0; i < c->ncites; i++)
			html_printf(&r->out, "%s<a href=\"/letters/%L\">%s</a>", i ? "; " : "", (long long)c->cites[i].id,
				    c->cites[i].reference);
		html_printf(&r->out, "</dd>\n");
	}
	if (c->corrects.id)
		html_printf(&r->out, "<dt>Corrects</dt><dd><a href=\"/letters/%L\">%s</a> of %s</dd>\n",
			    (long long)c->corrects.id, c->corrects.reference, page_date(r, c->corrects.date));
	html_printf(&r->out, "</dl>\n<h1 id=\"letter-title\">%s</h1>\n<div class=\"prose\">\n", c->subject);
	if (c->markdown && markdown_render_prose(c->markdown, &r->out) != 0)
		return -1;
	html_printf(&r->out, "</div>\n");
	if (c->contact && *c->contact)
		html_printf(&r->out, "<p class=\"contact\"><strong>Contact:</strong> %s</p>\n", c->contact);
	if (c->has_annex) {
		html_printf(&r->out, "<section class=\"annex\" aria-labelledby=\"annex\">\n<h2 id=\"annex\">Annex: "
				     "schedule as of %s</h2>\n<table>\n<thead><tr><th scope=\"col\">Date</th>"
				     "<th scope=\"col\">What</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n",
			    page_date(r, c->date));
		for (int i = 0; i < c->nannex; i++) {
			char range[80];
			enum milestone_status st;
			milestone_format_range(c->annex[i].date, c->annex[i].end_date, range);
			html_printf(&r->out, "<tr><td class=\"date\">%s</td><td>%s</td><td>%s</td></tr>\n", range,
				    c->annex[i].title,
				    milestone_status_parse(c->annex[i].status, &st) ? office_milestone_status_text(st)
										     : c->annex[i].status);
		}
		html_printf(&r->out, "</tbody>\n</table>\n</section>\n");
	}
	html_printf(&r->out, "</article>\n");
	return 0;
}

void page_circular(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	struct circular c;
	struct process p;
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, "There is no such letter.");
		page_error(r, &e);
		return;
	}
	if (circular_find(r->db, &r->arena, id, &c, &e) != 0 || process_find_id(r->db, &r->arena, c.process_id, &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, arena_printf(&r->arena, "Circular letter %s", c.reference));
	html_printf(&r->out,
		    "<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><a href=\"/\">Consultations</a> › "
		    "<a href=\"/processes/%u\">%s</a> › <a href=\"/processes/%u#letters\">Circular letters</a></nav>\n",
		    p.slug, p.title, p.slug);
	if (page_circular_letter(r, &p, &c) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, "The letter could not be shown.");
		page_error(r, &e);
		return;
	}
	page_end(r, 200);
}
