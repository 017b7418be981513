/* page — see page.h. */
#include "web/page.h"

#include "core/account.h"
#include "core/country.h"
#include "util/clock.h"
#include "web/auth.h"
#include "util/tz.h"

#include <strings.h>

void page_begin(struct request *r, const char *title)
{
	page_begin_feeds(r, title, NULL, NULL, 0);
}

void page_begin_feeds(struct request *r, const char *title, const char *const *feeds, const char *const *feed_titles,
		      int n)
{
	buf_reset(&r->out);
	html_printf(&r->out,
		    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>%s \u2014 Consulta</title>\n"
		    "<link rel=\"stylesheet\" href=\"/static/style.css\">\n<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n",
		    title);
	for (int i = 0; i < n; i++)
		html_printf(&r->out, "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"%s\" title=\"%s\">\n",
			    feeds[i], feed_titles[i]);
	html_printf(&r->out,
		    /* adds the reader's own time to the process's (page_deadline); the page is whole without it */
		    "<script src=\"/static/localtime.js\" defer></script>\n</head>\n<body>\n"
		    "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
		    "<header class=\"site\"><a class=\"brand\" href=\"/\">Consulta</a>"
		    "<span class=\"tagline\">Open consultations on draft texts</span>\n"
		    "<a class=\"search\" href=\"/search\">Search</a>\n");
	if (r->account) {
		html_printf(&r->out,
			    "<nav class=\"account\" aria-label=\"Your account\"><a href=\"/account\">%s</a>%R"
			    "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<button type=\"submit\" class=\"link\">Log out</button></form></nav>",
			    r->account->name,
			    r->account->role == ACCOUNT_SECRETARIAT ? "<a href=\"/office\">Back office</a>" : "",
			    auth_csrf_token(r));
	} else {
		html_printf(&r->out, "<nav class=\"account\" aria-label=\"Your account\"><a href=\"/login\">Log in</a>"
				     "<a href=\"/account/register\">Create an account</a></nav>");
	}
	html_printf(&r->out, "</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

void page_privacy_note(struct request *r, const char *what)
{
	html_printf(&r->out,
		    "<p class=\"privacy-note\">%s <a href=\"/privacy\">Privacy notice: what is kept, what is published "
		    "and who to ask</a>.</p>\n",
		    what);
}

void page_end(struct request *r, int status)
{
	buf_puts(&r->out, "</main>\n<footer class=\"site\"><p>Consulta \u2014 every contribution is acknowledged "
			  "with a tracking number. <a href=\"/search\">Search</a> <a href=\"/about\">About this site</a> "
			  "<a href=\"/privacy\">Privacy</a> <a href=\"/api/v1/processes\">JSON API</a></p></footer>\n"
			  "</body>\n</html>\n");
	reply_html(r, status);
}

void page_message(struct request *r, int status, const char *message)
{
	const char *title = status == 404   ? "Not found"
			    : status == 409 ? "Not accepted"
			    : status == 413 ? "Too large"
			    : status == 503 ? "Temporarily unavailable"
			    : status >= 500 ? "Error"
					    : "Not possible";
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/\">Back to the list of consultations</a></p>\n",
		    title, message);
	page_end(r, status);
}

void page_error(struct request *r, const struct error *e)
{
	int status = http_status_of(e);
	page_message(r, status, request_error_message(r, e));
}

const char *page_date(struct request *r, const char *date)
{
	char out[32];
	clock_format_date_long(date, out);
	return arena_strdup(&r->arena, out);
}

const char *page_instant_local(struct request *r, const char *tzid, int64_t t)
{
	char out[64];
	if (tz_format_local(tzid, t, out) != 0)
		return page_instant_utc(r, t);
	return arena_printf(&r->arena, "%s %s", out, tzid);
}

const char *page_instant_human(struct request *r, const char *tzid, int64_t t)
{
	char out[TZ_HUMAN_LEN];
	tz_format_human(tzid, t, out);
	return arena_strdup(&r->arena, out);
}

const char *page_instant_utc(struct request *r, int64_t t)
{
	char out[32];
	tz_format_utc(t, out);
	return arena_strdup(&r->arena, out);
}

void page_country_options(struct request *r, const char *selected)
{
	const size_t n = country_count();
	size_t *order = arena_alloc(&r->arena, n * sizeof *order);
	/* Should ICU fail, the list is in code order: still complete, only harder to scan. */
	(void)country_order_by_name("en", order);
	for (size_t i = 0; i < n; i++) {
		const char *code, *name;
		country_at(order[i], &code, &name);
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", code,
			    selected && !strcasecmp(selected, code) ? " selected" : "", name);
	}
}

/* One labelled field with its error, if any, wired for screen readers. */
void page_input(struct request *r, const struct error *e, const char *name, const char *label,
		       const char *hint, const char *value, const char *type, const char *autocomplete, int maxlength)
{
	const char *err = e ? error_field_message(e, name) : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-%s\">%s</label>\n", err ? " invalid" : "", name,
		    label);
	if (hint)
		html_printf(&r->out, "<p class=\"hint\" id=\"h-%s\">%s</p>\n", name, hint);
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-%s\">%s</p>\n", name, err);
	html_printf(&r->out,
		    "<input id=\"f-%s\" name=\"%s\" type=\"%s\" autocomplete=\"%s\" maxlength=\"%d\" value=\"%s\"%R%R>"
		    "</div>\n",
		    name, name, type, autocomplete, maxlength, value ? value : "", err ? " aria-invalid=\"true\"" : "",
		    err && hint ? arena_printf(&r->arena, " aria-describedby=\"e-%s h-%s\"", name, name)
		    : err	? arena_printf(&r->arena, " aria-describedby=\"e-%s\"", name)
		    : hint	? arena_printf(&r->arena, " aria-describedby=\"h-%s\"", name)
				: "");
}

