/*
 * page_office_texts — the back office's page of a version's texts in its process's other languages
 * (core/version_text.h): which it has, and a form that gives (or replaces) one as Markdown. A text whose
 * paragraphs do not align with the version's comes back with the message naming the paragraph.
 *
 *   GET  /office/versions/{id}/texts
 *   POST /office/versions/{id}/texts   language, markdown
 */
#include "web/page_office.h"

#include "core/document.h"
#include "core/process.h"
#include "core/version_text.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/routes.h"

#include <string.h>

static void texts_page(struct request *r, int64_t id, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct version v;
	struct document doc;
	struct process p;
	const char **texts = NULL;
	int ntexts = 0;
	if (version_find(r->db, &r->arena, id, &v, &doc, &le) != 0 ||
	    process_find_id_bare(r->db, &r->arena, doc.process_id, &p, &le) != 0 ||
	    version_text_languages(r->db, &r->arena, id, &texts, &ntexts, &le) != 0) {
		page_error(r, &le);
		return;
	}
	office_begin(r, arena_printf(&r->arena, _("Texts of %s, %s, in other languages"), doc.title, v.label), e);
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
			     "<a href=\"/office/processes/%u\">%s</a></nav>\n",
		    _("Breadcrumb"), _("Back office"), p.slug, p.title);
	html_printf(&r->out, "<h1>%s</h1>\n", arena_printf(&r->arena, _("Texts of %s, %s, in other languages"), doc.title, v.label));
	static const char *const done[][2] = {{"saved", N_("The text was saved.")}, {NULL, NULL}};
	const char *flag = request_query(r, "done");
	if (flag && !strcmp(flag, done[0][0]))
		office_said(r, _(done[0][1]));
	office_error_summary(r, e, "text", _("The text was not saved"));
	const size_t first = p.languages ? strcspn(p.languages, ",") : 0;
	html_printf(&r->out, "<p>%s</p>\n",
		    arena_printf(&r->arena,
				 _("The version's own text is in %s, the process's first language. Each text in another "
				   "language must have the same numbered paragraphs, in the same order, with the same "
				   "headings between them: its paragraphs then take the version's ids, and comments on "
				   "them are on the same paragraphs in every language."),
				 page_language_name(first ? arena_strndup(&r->arena, p.languages, first) : I18N_DEFAULT)));
	html_printf(&r->out, "<ul>\n");
	for (int i = 0; i < ntexts; i++)
		html_printf(&r->out, "<li><a href=\"/versions/%L?text=%u\" lang=\"%s\">%s</a></li>\n", (long long)id,
			    texts[i], texts[i], page_language_name(texts[i]));
	if (ntexts == 0)
		html_printf(&r->out, "<li>%s</li>\n", _("No text in another language yet."));
	html_printf(&r->out, "</ul>\n");
	/* The process's languages but its first, as the choices. */
	const char *(*options)[2] = arena_alloc(&r->arena, sizeof *options * 32);
	int n = 0;
	for (const char *l = p.languages && p.languages[first] ? p.languages + first + 1 : ""; options && *l && n < 31;) {
		size_t k = strcspn(l, ",");
		const char *tag = arena_strndup(&r->arena, l, k);
		options[n][0] = tag;
		options[n][1] = page_language_name(tag);
		n++;
		l += k + (l[k] == ',');
	}
	if (!options || n == 0) {
		html_printf(&r->out, "<p>%s</p>\n",
			    _("The process has only one language: add others to its languages first."));
		page_end(r, office_status(e));
		return;
	}
	options[n][0] = options[n][1] = NULL;
	struct office_form f = office_form_for("text", "text", e, r->form);
	office_form_open(r, arena_printf(&r->arena, "/office/versions/%lld/texts", (long long)id), false);
	office_select(r, &f, "language", _("Language"), (const char *const(*)[2])options, NULL);
	office_textarea(r, &f, "markdown", _("Text in that language (Markdown)"),
			_("It replaces the text given before in that language, if any."), NULL, 16);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Save the text"));
	page_end(r, office_status(e));
}

void page_office_version_texts(struct request *r)
{
	int64_t id;
	if (!parse_id(r->params[0], &id)) {
		struct error e;
		error_clear(&e);
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
		page_error(r, &e);
		return;
	}
	texts_page(r, id, NULL);
}

void page_office_version_text_put(struct request *r)
{
	int64_t id;
	struct error e;
	error_clear(&e);
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
		page_error(r, &e);
		return;
	}
	struct actor who = auth_actor(r);
	if (version_text_put(r->db, &r->arena, &who, id, office_field(r, "language"), office_field(r, "markdown"), &e) !=
	    0) {
		if (e.nfields == 0 && strcmp(e.code, ERROR_CONFLICT) != 0)
			page_error(r, &e);
		else
			texts_page(r, id, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/versions/%lld/texts?done=saved", (long long)id));
}
