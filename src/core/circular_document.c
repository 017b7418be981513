/*
 * circular_document — a circular letter as HTML, and its PDF laid out by
 * WeasyPrint and kept (circular_document.h). The letter's chrome (its
 * headings, the annex's table, the page numbers) is in the thread's language:
 * the reader's on a page; a PDF, kept once and hashed, is made in the language
 * of the text it carries (the process's first for the letter's own text)
 * whoever asks for it first.
 */
#include "core/circular_document.h"

#include "core/limits.h"
#include "core/milestone.h"
#include "core/process.h"
#include "render/html.h"
#include "render/markdown.h"
#include "render/pdf.h"
#include "util/clock.h"
#include "util/i18n.h"

#include <sodium.h>
#include <string.h>

/* The print stylesheet of the PDF, inside its document (WeasyPrint fetches nothing). */
static const char LETTER_CSS[] =
    "@page { size: A4; margin: 2cm 2cm 2.2cm; @bottom-center { font-size: 9pt; } }\n"
    "html { font-family: \"Noto Sans\", \"Noto Naskh Arabic\", \"Noto Sans CJK SC\", sans-serif; font-size: 10.5pt;"
    " line-height: 1.4; color: #1b1b1b; }\n"
    ".letterhead { border-bottom: 1px solid #999; margin-bottom: 1em; padding-bottom: 0.5em; }\n"
    ".letterhead img { max-height: 2.5cm; max-width: 6cm; }\n"
    ".letterhead .body { font-weight: bold; font-size: 12pt; margin: 0.3em 0 0; }\n"
    ".letterhead .address { white-space: pre-line; margin: 0.2em 0 0; }\n"
    "dl.letter-facts { display: grid; grid-template-columns: 10em auto; margin: 0 0 1em; }\n"
    "dl.letter-facts dt { font-weight: bold; }\n dl.letter-facts dd { margin: 0 0 0.2em; }\n"
    "h1 { font-size: 14pt; margin: 0.8em 0; }\n h2 { font-size: 12pt; break-after: avoid; }\n"
    ".annex { break-before: page; }\n"
    "table { border-collapse: collapse; width: 100%; }\n"
    "th, td { border: 1px solid #999; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }\n"
    "thead { display: table-header-group; }\n tr { break-inside: avoid; }\n td.date { white-space: nowrap; }\n"
    "a { color: inherit; text-decoration: none; }\n";

const char *circular_document_date(struct arena *a, const char *date)
{
	char out[I18N_DATE_LEN];
	i18n_date_long(NULL, date, out);
	return arena_strdup(a, out);
}

static void addressees(struct buf *b, const struct circular *c, enum circular_purpose purpose, const char *label)
{
	int n = 0;
	for (int i = 0; i < c->nto; i++) {
		if (c->to[i].purpose != purpose)
			continue;
		if (!n++)
			html_printf(b, "<dt>%s</dt><dd translate=\"no\">", label); /* the categories' names: content */
		else
			html_printf(b, "; ");
		html_printf(b, "%s", c->to[i].name);
	}
	if (n)
		html_printf(b, "</dd>\n");
}

/* A milestone's status as the annex says it (the back office's words for it). */
static const char *status_text(enum milestone_status s)
{
	static const char *const text[MILESTONE_STATUS_COUNT] = {
	    [MILESTONE_PLANNED] = N_("Planned"),
	    [MILESTONE_DONE] = N_("Done"),
	    [MILESTONE_POSTPONED] = N_("Postponed"),
	    [MILESTONE_CANCELLED] = N_("Cancelled"),
	};
	return (unsigned)s < MILESTONE_STATUS_COUNT ? _(text[s]) : milestone_status_name(s);
}

int circular_document_letter(struct buf *b, struct arena *a, const struct process *p, const struct circular *c,
                             const struct circular_letterhead *lh)
{
	html_printf(b, "<article class=\"letter\" aria-labelledby=\"letter-title\">\n<header class=\"letterhead\">\n");
	if (lh && lh->logo && lh->logo_type) {
		const size_t n = sodium_base64_encoded_len(lh->logo_len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = arena_alloc(a, n);
		if (b64) {
			sodium_bin2base64(b64, n, lh->logo, lh->logo_len, sodium_base64_VARIANT_ORIGINAL);
			html_printf(b, "<img src=\"data:%s;base64,%s\" alt=\"\">\n", lh->logo_type, b64);
		}
	}
	if (p->body && *p->body)
		html_printf(b, "<p class=\"body\">%s</p>\n", p->body);
	if (lh && lh->address && *lh->address)
		html_printf(b, "<p class=\"address\">%s</p>\n", lh->address);
	else if (p->secretariat && *p->secretariat)
		html_printf(b, "<p class=\"address\">%s</p>\n", p->secretariat);
	html_printf(b, "</header>\n<dl class=\"letter-facts\">\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n",
	            /* TRANSLATORS: the circular letter's number, such as CL-21/3 */
	            _("Reference"), c->reference, _("Date"), circular_document_date(a, c->date));
	addressees(b, c, CIRCULAR_ACTION, _("To (for action)"));
	addressees(b, c, CIRCULAR_INFORMATION, _("For information"));
	if (c->ncites) {
		html_printf(b, "<dt>%s</dt><dd>", _("References"));
		for (int i = 0; i < c->ncites; i++)
			html_printf(b, "%s<a href=\"/letters/%L\">%s</a>", i ? "; " : "", (long long)c->cites[i].id,
			            c->cites[i].reference);
		html_printf(b, "</dd>\n");
	}
	if (c->corrects.id)
	{
		html_printf(b, "<dt>%s</dt><dd>", _("Corrects"));
		html_tr(b, "<a href=\"/letters/%L\">%s</a> of %s", (long long)c->corrects.id, c->corrects.reference,
		        circular_document_date(a, c->corrects.date));
		html_printf(b, "</dd>\n");
	}
	/* the secretariat's words, not the interface's: translate="no", HTML's own mark for content; in the
	 * language of the text shown, which may not be the page's, and in its direction (an English letter on an
	 * Arabic page is left to right: inherited, its full stops and commas went to its lines' other end) */
	const struct i18n_language *in = c->language ? i18n_find(c->language) : NULL;
	const char *lang = c->language ? arena_printf(a, " lang=\"%s\" dir=\"%s\"", c->language, in && in->rtl ? "rtl" : "ltr")
				       : "";
	html_printf(b, "</dl>\n<h1 id=\"letter-title\"%R>%s</h1>\n<div class=\"prose\" translate=\"no\"%R>\n",
		    lang ? lang : "", c->subject, lang ? lang : "");
	if (c->markdown && markdown_render_prose(c->markdown, b) != 0)
		return -1;
	html_printf(b, "</div>\n");
	if (c->contact && *c->contact)
	{
		html_printf(b, "<p class=\"contact\">");
		html_tr(b, "<strong>Contact:</strong> %s", c->contact);
		html_printf(b, "</p>\n");
	}
	if (c->has_annex) {
		html_printf(b, "<section class=\"annex\" aria-labelledby=\"annex\">\n<h2 id=\"annex\">");
		html_tr(b, "Annex: schedule as of %s", circular_document_date(a, c->date));
		html_printf(b,
		            "</h2>\n<table>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		            "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		            _("Date"),
		            /* TRANSLATORS: column header of the letter's annexed schedule: the milestone */
		            _("What"), _("Status"));
		for (int i = 0; i < c->nannex; i++) {
			char range[MILESTONE_RANGE_LEN];
			enum milestone_status st;
			milestone_format_range(c->annex[i].date, c->annex[i].end_date, range);
			html_printf(
			    b, "<tr><td class=\"date\">%s</td><td dir=\"auto\">%s</td><td>%s</td></tr>\n", range, c->annex[i].title,
			    milestone_status_parse(c->annex[i].status, &st) ? status_text(st) : c->annex[i].status);
		}
		html_printf(b, "</tbody>\n</table>\n</section>\n");
	}
	html_printf(b, "</article>\n");
	return 0;
}

/* The page numbers at the foot of each page, as a CSS content value: the translated sentence, its {page} and
 * {pages} made counters, the rest quoted (escaped so that nothing ends the string or the <style>). */
static const char *page_numbers_css(struct arena *a)
{
	/* TRANSLATORS: at the foot of each page of a letter's PDF; keep {page} and {pages} as they are */
	const char *t = _("Page {page} of {pages}");
	struct buf css;
	buf_init(&css, 1024);
	buf_putc(&css, '"');
	while (*t) {
		if (!strncmp(t, "{page}", 6)) {
			buf_puts(&css, "\" counter(page) \"");
			t += 6;
		} else if (!strncmp(t, "{pages}", 7)) {
			buf_puts(&css, "\" counter(pages) \"");
			t += 7;
		} else if (*t == '"' || *t == '\\' || *t == '<' || *t == '>' || *t == '\n') {
			buf_printf(&css, "\\%x ", (unsigned char)*t++);
		} else
			buf_putc(&css, *t++);
	}
	buf_putc(&css, '"');
	const char *out = css.failed ? "counter(page)" : arena_strdup(a, css.data);
	buf_free(&css);
	return out;
}

/* The letter as a document of its own, for WeasyPrint: its stylesheet inside, its logo's bytes inside; its
 * chrome in the language of its text (c->language, else the process's first; English where the interface
 * does not offer that language), the same PDF whichever reader asked for it first. */
static int letter_document(struct buf *b, struct arena *a, const struct process *p, const struct circular *c,
                           const struct circular_letterhead *lh)
{
	const char *text = c->language ? c->language : process_first_language(a, p);
	const struct i18n_language *chrome = i18n_find(text);
	const char *was = i18n_current();
	i18n_use(chrome ? chrome->code : I18N_DEFAULT);
	struct circular whole = *c;
	whole.language = NULL; /* the document's own lang says it */
	html_printf(b,
	            "<!DOCTYPE html>\n<html lang=\"%s\"%R>\n<head><meta charset=\"utf-8\">\n<title>%s %s</title>\n"
	            "<style>%R@page { @bottom-center { content: %R; } }\n</style>\n</head>\n<body>\n",
	            text, chrome && chrome->rtl ? " dir=\"rtl\"" : "", c->reference, c->subject, LETTER_CSS,
	            page_numbers_css(a));
	const int rc = circular_document_letter(b, a, p, &whole, lh);
	i18n_use(was);
	if (rc != 0)
		return -1;
	html_printf(b, "</body>\n</html>\n");
	return b->failed ? -1 : 0;
}

int circular_pdf_make(struct db *db, struct arena *a, const struct actor *who, int64_t circular_id,
		      const char *language, struct error *e)
{
	struct circular c;
	struct process p;
	struct circular_letterhead lh;
	char sha[65];
	struct error none;
	error_clear(&none);
	if (circular_pdf_find(db, a, circular_id, language, sha, NULL, NULL, &none) == 0)
		return 0; /* made already */
	if (circular_find(db, a, circular_id, &c, e) != 0 || process_find_id(db, a, c.process_id, &p, e) != 0 ||
	    circular_letterhead(db, a, p.body, true, &lh, e) != 0)
		return -1;
	if (language && !circular_use_text(&c, language)) {
		error_set(e, ERROR_NOT_FOUND, _("This letter has no text in that language."));
		return -1;
	}
	struct buf html;
	buf_init(&html, LIMIT_REPORT_HTML);
	const void *pdf;
	size_t n;
	const struct pdf_limits lim = {
	    .max_out = LIMIT_REPORT_PDF, .seconds = LIMIT_REPORT_PDF_SECONDS, .memory = LIMIT_REPORT_PDF_MEMORY};
	int rc = -1;
	if (letter_document(&html, a, &p, &c, &lh) != 0)
		error_say(e, ERROR_UNAVAILABLE, _("The letter could not be laid out as a PDF."));
	else if (pdf_from_html(a, html.data, html.len, &lim, &pdf, &n, e) == 0) {
		rc = circular_pdf_keep(db, a, who, circular_id, language, pdf, n, sha, e);
		if (rc != 0 && !strcmp(e->code, ERROR_CONFLICT)) { /* made at the same time by another */
			error_clear(e);
			rc = 0;
		}
	}
	buf_free(&html);
	return rc;
}
