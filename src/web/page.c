/* page — see page.h. */
#include "web/page.h"

#include "core/account.h"
#include "core/config.h"
#include "core/country.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/routes.h"
#include "util/tz.h"

#include <string.h>
#include <strings.h>

static void page_languages(struct request *r, const char *back);
static void page_open(struct request *r, const char *title, const char *const *feeds, const char *const *feed_titles,
		      int n, const char *back);

void page_begin(struct request *r, const char *title)
{
	page_open(r, title, NULL, NULL, 0, r->path);
}

void page_begin_feeds(struct request *r, const char *title, const char *const *feeds, const char *const *feed_titles,
		      int n)
{
	page_open(r, title, feeds, feed_titles, n, r->path);
}

/* The page's head and header; the switcher's links come back to `back`. */
static void page_open(struct request *r, const char *title, const char *const *feeds, const char *const *feed_titles,
		      int n, const char *back)
{
	buf_reset(&r->out);
	const struct i18n_language *lang = request_language(r);
	i18n_use(lang->code);
	html_printf(&r->out,
		    "<!doctype html>\n<html lang=\"%s\"%R>\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>%s \u2014 Consulta</title>\n"
		    "<link rel=\"stylesheet\" href=\"/static/style.css\">\n<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n",
		    lang->code, lang->rtl ? " dir=\"rtl\"" : "", title);
	for (int i = 0; i < n; i++)
		html_printf(&r->out, "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"%s\" title=\"%s\">\n",
			    feeds[i], feed_titles[i]);
	html_printf(&r->out,
		    /* adds the reader's own time to the process's (page_deadline); the page is whole without it */
		    "<script src=\"/static/localtime.js\" defer data-your-time=\"%s\"></script>\n</head>\n<body>\n"
		    "<a class=\"skip\" href=\"#main\">%s</a>\n"
		    "<header class=\"site\"><a class=\"brand\" href=\"/\">Consulta</a>"
		    "<span class=\"tagline\">%s</span>\n"
		    "<a class=\"search\" href=\"/search\">%s</a>\n",
		    /* TRANSLATORS: added by the page's script after a deadline given in the process's zone; %s is the
		     * same instant in the reader's own zone, written by the browser in this language. */
		    _("(your time: %s)"), _("Skip to content"), _("Open consultations on draft texts"), _("Search"));
	if (r->account) {
		html_printf(&r->out,
			    "<nav class=\"account\" aria-label=\"%s\"><a href=\"/account\">%s</a>",
			    _("Your account"), r->account->name);
		if (r->account->role == ACCOUNT_SECRETARIAT)
			html_printf(&r->out, "<a href=\"/office\">%s</a>", _("Back office"));
		html_printf(&r->out,
			    "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<button type=\"submit\" class=\"link\">%s</button></form></nav>",
			    auth_csrf_token(r), _("Log out"));
	} else {
		html_printf(&r->out,
			    "<nav class=\"account\" aria-label=\"%s\"><a href=\"/login\">%s</a>"
			    "<a href=\"/account/register\">%s</a></nav>",
			    _("Your account"), _("Log in"), _("Create an account"));
	}
	page_languages(r, back);
	html_printf(&r->out, "</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

/* The switcher: each language by its own name, in its own language, the current one marked. A link to
 * /language/<code> that sets the cookie and comes back here (page_language): no form, no script. */
static void page_languages(struct request *r, const char *back)
{
	size_t n;
	const struct i18n_language *all = i18n_languages(&n);
	html_printf(&r->out, "<nav class=\"languages\" aria-label=\"%s\"><ul>", _("Language"));
	for (size_t i = 0; i < n; i++)
		html_printf(&r->out, "<li><a href=\"/language/%u?back=%u\" lang=\"%s\" hreflang=\"%s\"%R>%s</a></li>",
			    all[i].code, back, all[i].code, all[i].code,
			    &all[i] == r->lang ? " aria-current=\"true\"" : "", all[i].name);
	html_printf(&r->out, "</ul></nav>\n");
}

void page_language(struct request *r)
{
	const struct i18n_language *l = i18n_find(r->params[0]);
	if (!l) {
		page_message(r, 404, _("There is no page at this address."));
		return;
	}
	/* Back to the page the visitor was on: a path of this site only, never another site's address. */
	const char *back = request_query(r, "back");
	if (!back || back[0] != '/' || back[1] == '/' || back[1] == '\\' || strpbrk(back, "\r\n"))
		back = "/";
	if (r->ncookies < REQUEST_MAX_COOKIES)
		r->set_cookies[r->ncookies++] =
			arena_printf(&r->arena, "%s=%s; Path=/; Max-Age=31536000; SameSite=Lax%s", REQUEST_LANGUAGE_COOKIE,
				     l->code, config_get()->secure_cookies ? "; Secure" : "");
	reply_redirect(r, back);
}

void page_form_stale(struct error *e)
{
	error_clear(e);
	error_set(e, ERROR_INVALID, "%s",
		  _("This form had expired or did not come from this site; nothing was sent. Check what it says and "
		    "send it again (choose its files again, if it had any)."));
}

void page_privacy_note(struct request *r, const char *what)
{
	html_printf(&r->out, "<p class=\"privacy-note\">%s <a href=\"/privacy\">%s</a></p>\n", what,
		    _("Privacy notice: what is kept, what is published and who to ask."));
}

void page_end(struct request *r, int status)
{
	html_printf(&r->out,
		    "</main>\n<footer class=\"site\"><p>%s <a href=\"/search\">%s</a> <a href=\"/about\">%s</a> "
		    "<a href=\"/privacy\">%s</a> <a href=\"/api/v1/processes\">%s</a></p></footer>\n"
		    "</body>\n</html>\n",
		    _("Consulta \u2014 every contribution is acknowledged with a tracking number."), _("Search"),
		    _("About this site"), _("Privacy"), _("JSON API"));
	reply_html(r, status);
}

void page_message(struct request *r, int status, const char *message)
{
	i18n_use(request_language(r)->code);
	const char *title = status == 404   ? _("Not found")
			    : status == 409 ? _("Not accepted")
			    : status == 413 ? _("Too large")
			    : status == 503 ? _("Temporarily unavailable")
			    : status >= 500 ? _("Error")
					    : _("Not possible");
	/* The switcher goes back home from here: an error page is the same for every address that gets it (a
	 * private contribution's 404 is byte for byte an unknown number's). */
	page_open(r, title, NULL, NULL, 0, "/");
	html_printf(&r->out, "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/\">%s</a></p>\n", title, message,
		    _("Back to the list of consultations"));
	page_end(r, status);
}

void page_error(struct request *r, const struct error *e)
{
	int status = http_status_of(e);
	page_message(r, status, request_error_message(r, e));
}

bool page_route_id(struct request *r, int64_t *id, const char *not_found)
{
	if (parse_id(r->params[0], id))
		return true;
	struct error e;
	error_clear(&e);
	error_set(&e, ERROR_NOT_FOUND, "%s", not_found);
	page_error(r, &e);
	return false;
}

/* The ICU form of dates, for the languages other than English: English keeps the house style ("15 February
 * 2021", "... Zurich time (UTC+1)") that its pages and mails share; the pseudo-locale's dates are English. */
const char *page_date(struct request *r, const char *date)
{
	char out[I18N_DATE_LEN];
	i18n_date_long(request_language(r)->code, date, out);
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
	char out[I18N_DATE_LEN];
	i18n_instant_long(request_language(r)->code, tzid, t, out);
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
	(void)country_order_by_name(i18n_current(), order);
	for (size_t i = 0; i < n; i++) {
		const char *code, *name;
		country_at(order[i], &code, &name);
		html_printf(&r->out, "<option value=\"%s\"%R>%s</option>\n", code,
			    selected && !strcasecmp(selected, code) ? " selected" : "", name);
	}
}

const char *page_language_name(const char *tag)
{
	const struct i18n_language *l = i18n_find(tag);
	return l ? l->name : tag;
}

void page_text_notice(struct request *r, enum page_text_of of, const char *missing, const char *own,
		      const char *const *others, int nothers, const char *base)
{
	if (missing) {
		const char *notice =
		    of == PAGE_TEXT_LETTER ? _("This letter has no text in %s: it is shown in %s, the process's first language.")
		    : of == PAGE_TEXT_COMPARISON
			? _("These versions do not both have a text in %s: they are compared in %s, the process's first "
			    "language.")
			: _("This version has no text in %s: it is shown in %s, the process's first language.");
		/* in a sentence, the languages in the reader's words ("en anglais"), not each in its own ("en English") */
		char a[I18N_DATE_LEN], b[I18N_DATE_LEN];
		const char *missing_name = i18n_language_display(missing, NULL, a) == 0 ? a : page_language_name(missing);
		const char *own_name = i18n_language_display(own, NULL, b) == 0 ? b : page_language_name(own);
		html_printf(&r->out, "<div class=\"notice\" role=\"note\" id=\"text-language\"><p>%s</p></div>\n",
			    arena_printf(&r->arena, notice, missing_name, own_name));
	}
	if (nothers == 0)
		return;
	/* TRANSLATORS: the label of the links to a text's other languages (a letter's, a version's, a comparison's) */
	const char *label = of == PAGE_TEXT_LETTER ? _("This letter in other languages")
			    : of == PAGE_TEXT_COMPARISON ? _("This comparison in other languages")
							 : _("This version in other languages");
	const char *lead = of == PAGE_TEXT_LETTER ? _("This letter in other languages:")
			   : of == PAGE_TEXT_COMPARISON ? _("This comparison in other languages:")
							: _("This version in other languages:");
	html_printf(&r->out, "<nav class=\"text-languages\" aria-label=\"%s\"><p>%s ", label, lead);
	for (int i = 0; i < nothers; i++)
		html_printf(&r->out, "<a href=\"%s%Rtext=%u\" lang=\"%s\" hreflang=\"%s\">%s</a> ", base,
			    strchr(base, '?') ? "&amp;" : "?", others[i], others[i], others[i], page_language_name(others[i]));
	html_printf(&r->out, "</p></nav>\n");
}

const char *page_letter_text_language(struct request *r, const char *path, const char *own,
				      const char *const *texts, int ntexts)
{
	const char *reader = page_text_reader(r);
	const char *shown = own;
	for (int i = 0; i < ntexts; i++)
		if (!strcmp(reader, texts[i]))
			shown = texts[i];
	const char **others = arena_alloc(&r->arena, sizeof *others * (size_t)(ntexts + 1));
	int nothers = 0;
	for (int i = -1; others && i < ntexts; i++)
		if (strcmp(i < 0 ? own : texts[i], shown) != 0)
			others[nothers++] = i < 0 ? own : texts[i];
	page_text_notice(r, PAGE_TEXT_LETTER, strcmp(reader, shown) ? reader : NULL, own, others, nothers, path);
	return shown;
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

/* page.h */
const char *page_file_size(struct request *r, size_t size)
{
	if (size < 1024)
		return arena_printf(&r->arena, i18n_n("%zu byte", "%zu bytes", size), size);
	/* In tenths, rounded to the nearest; the decimal separator is the translation's own. */
	const size_t mb = 1024 * 1024;
	if (size < mb - 52) { /* below 1023.95 KB, which would round to "1024.0 KB" */
		const size_t tenths = (size * 10 + 512) / 1024;
		/* TRANSLATORS: a file's size, as "2.5 KB (2560 bytes)": %1$d is its whole kilobytes, %2$d its tenth
		 * (write your language's decimal separator between them), %3$zu its exact count of bytes. */
		return arena_printf(&r->arena, _("%d.%d KB (%zu bytes)"), (int)(tenths / 10), (int)(tenths % 10),
				    size);
	}
	const size_t tenths = (size * 10 + mb / 2) / mb;
	/* TRANSLATORS: as "%d.%d KB (%zu bytes)", in megabytes. */
	return arena_printf(&r->arena, _("%d.%d MB (%zu bytes)"), (int)(tenths / 10), (int)(tenths % 10), size);
}
