/*
 * page_site — the site's own pages, /about and /privacy (core/site_page.h),
 * and the back-office form where the secretariat edits them. The Markdown is
 * rendered in cmark-gfm's safe mode (render/markdown.h): raw HTML in it is
 * dropped, so a page can say anything but cannot carry a script.
 */
#include "core/site_page.h"
#include "render/markdown.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/page_office.h"
#include "web/routes.h"

#include <string.h>

static void site_page_show(struct request *r, enum site_page which)
{
	struct error e;
	error_clear(&e);
	const char *markdown;
	bool edited;
	if (site_page_get(r->db, &r->arena, which, &markdown, &edited, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _(site_page_title(which)));
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a></nav>\n"
	            "<h1>%s</h1>\n<div class=\"prose\" translate=\"no\">\n",
	            _("Breadcrumb"), _("Consultations"), _(site_page_title(which)));
	if (markdown_render_prose(markdown, &r->out) != 0) {
		error_set(&e, ERROR_UNAVAILABLE, N_("The page could not be shown."));
		page_error(r, &e);
		return;
	}
	html_printf(&r->out, "</div>\n");
	page_end(r, 200);
}

void page_about(struct request *r)
{
	site_page_show(r, SITE_PAGE_ABOUT);
}

void page_privacy(struct request *r)
{
	site_page_show(r, SITE_PAGE_PRIVACY);
}

/* -- the back office -------------------------------------------------------------------------------------- */


static void office_site_page_render(struct request *r, enum site_page which, const struct error *e)
{
	struct error le;
	error_clear(&le);
	const char *markdown;
	bool edited;
	if (site_page_get(r->db, &r->arena, which, &markdown, &edited, &le) != 0) {
		page_error(r, &le);
		return;
	}
	const char *name = site_page_name(which);
	const char *title = _(site_page_title(which));
	office_begin(r, arena_printf(&r->arena, _("Back office: %s"), title), e);
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a></nav>\n"
	            "<h1>%s</h1>\n",
	            _("Breadcrumb"), _("Back office"), title);
	/* the confirmation names the page; edited says the text saved is there */
	const char *done = request_query(r, "done");
	if (done && !strcmp(done, "saved") && edited)
		office_said(r, arena_printf(&r->arena, _("'%s' saved. The public page at /%s shows the new text."), title,
		                            name));
	office_error_summary(r, e, "page", _("The page was not saved"));
	html_printf(&r->out,
	            "<p class=\"actions\"><a href=\"/%s\">%s</a> "
	            "<a href=\"/office/audit?kind=site_page.\">%s</a></p>\n"
	            "<p>%s</p>\n",
	            name, _("Public page"), _("Its changes in the audit log"),
	            edited ? _("The public page shows the text below.")
	                   : _("The public page shows the default text below. Save it, changed or not, to make it "
	                       "yours; save an empty text to go back to the default."));
	struct office_form f = office_form_for("page", e && e->code ? "page" : NULL, e, r->form);
	office_form_open(r, arena_printf(&r->arena, "/office/pages/%s", name), false);
	office_textarea(r, &f, "markdown", _("Text of the page, in Markdown"),
	                _("Headings with ##, lists with -, links as [words](https://...). HTML is not shown."), markdown,
	                24);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Save the page"));
	page_end(r, office_status(e));
}

/* The page named by the route's {name}, or a 404 page. */
static bool which_page(struct request *r, enum site_page *which)
{
	if (site_page_parse(r->params[0], which))
		return true;
	struct error e;
	error_clear(&e);
	error_set(&e, ERROR_NOT_FOUND, _("There is no such page."));
	page_error(r, &e);
	return false;
}

void page_office_site_page(struct request *r)
{
	enum site_page which;
	if (which_page(r, &which))
		office_site_page_render(r, which, NULL);
}

void page_office_site_page_update(struct request *r)
{
	enum site_page which;
	if (!which_page(r, &which))
		return;
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (site_page_set(r->db, &r->arena, &who, which, office_field(r, "markdown"), &e) != 0) {
		office_site_page_render(r, which, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/pages/%s?done=saved", site_page_name(which)));
}
