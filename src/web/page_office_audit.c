/*
 * page_office_audit — the secretariat's view of the audit log: every change,
 * newest first, filterable by process and by kind, with what it was before
 * and after. Read-only: the log is append-only by construction.
 */
#include "core/audit.h"
#include "core/process.h"
#include "core/limits.h"
#include "web/page.h"
#include "web/routes.h"

#include <string.h>

enum { AUDIT_PAGE = 50 };

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
	page_begin(r, "Audit log");
	html_printf(&r->out, "<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><a href=\"/office\">Back office</a></nav>\n"
			     "<h1>Audit log</h1>\n<p>Every change, by anyone: who, when, what, before and after. "
			     "Entries are never changed or removed.</p>\n"
			     "<form method=\"get\" action=\"/office/audit\" class=\"filters\">\n"
			     "<div class=\"field\"><label for=\"f-process\">Process</label>"
			     "<select id=\"f-process\" name=\"process\"><option value=\"\">All processes</option>\n");
	for (int i = 0; i < nall; i++)
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", all[i].slug,
			    p.id == all[i].id ? " selected" : "", all[i].title);
	html_printf(&r->out,
		    "</select></div>\n<div class=\"field\"><label for=\"f-kind\">Kind</label>"
		    "<input id=\"f-kind\" name=\"kind\" type=\"text\" value=\"%s\" aria-describedby=\"h-kind\">"
		    "<p class=\"hint\" id=\"h-kind\">Such as milestone.move, or call. for every change of calls.</p></div>\n"
		    "<p><button type=\"submit\">Filter</button></p>\n</form>\n",
		    kind ? kind : "");
	if (n == 0) {
		html_printf(&r->out, "<p>No entry matches.</p>\n");
	} else {
		html_printf(&r->out, "<table class=\"audit\">\n<thead><tr><th scope=\"col\">When (UTC)</th>"
				     "<th scope=\"col\">Who</th><th scope=\"col\">Process</th><th scope=\"col\">What</th>"
				     "<th scope=\"col\">Before</th><th scope=\"col\">After</th></tr></thead>\n<tbody>\n");
		for (int i = 0; i < n; i++)
			html_printf(&r->out,
				    "<tr id=\"audit-%L\"><td class=\"date\">%s</td><td>%s</td><td>%s</td><td>%s<br>"
				    "<span class=\"utc\">%s</span></td><td><code>%s</code></td><td><code>%s</code></td></tr>\n",
				    (long long)items[i].id, page_instant_utc(r, items[i].at), items[i].actor,
				    items[i].process_slug ? items[i].process_slug : "\u2014", items[i].kind, items[i].object,
				    items[i].before ? items[i].before : "", items[i].after ? items[i].after : "");
		html_printf(&r->out, "</tbody>\n</table>\n");
		if (n == AUDIT_PAGE)
			html_printf(&r->out,
				    "<nav aria-label=\"Pages\" class=\"pages\"><a rel=\"next\" "
				    "href=\"/office/audit?process=%u&amp;kind=%u&amp;before=%L\">Older entries</a></nav>\n",
				    slug ? slug : "", kind ? kind : "", (long long)items[n - 1].id);
	}
	page_end(r, 200);
}
