/*
 * page_office_versions — documents and their versions in the back office: the
 * list on the process's office page with a form to add a document, and the
 * form that posts a new version of a document, its text pasted as Markdown or
 * uploaded as a file: Markdown or plain text (.md, .txt), or a Word file
 * (.docx) that the core converts with pandoc (render/docx.h).
 *
 * The upload is a multipart/form-data form, which the server decodes with
 * libmicrohttpd's post processor (web/form.c) into text fields and files.
 * The version goes through version_add, as in the JSON API; its errors about
 * the Word file ("docx") are shown by the file field.
 *
 * A version whose paragraphs could not all be matched with confidence to the
 * previous version's is a draft (core/document.h): the form leads to its
 * matches page, which shows each uncertain pair side by side (the previous
 * paragraph, the new one, their similarity) with three choices: the same
 * paragraph, a different (new) paragraph, or another paragraph of the
 * previous version. Confirming applies the choices and publishes the version
 * (version_confirm). Plain form controls: it works without JavaScript.
 */
#include "web/page_office.h"

#include "core/field.h"
#include "core/paragraph.h"
#include "render/docx.h"
#include "core/limits.h"
#include "util/i18n.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/utf8.h"
#include "web/auth.h"
#include "web/routes.h"

#include <stdio.h>
#include <string.h>

static const char DOCX_TYPE[] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

void office_documents_section(struct request *r, const struct process *p, const struct document *docs, int n,
			      const char *failed, const struct error *e)
{
	html_printf(&r->out, "<section aria-labelledby=\"documents\"><h2 id=\"documents\">%s</h2>\n", _("Documents"));
	if (n == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("No document yet."));
	for (int i = 0; i < n; i++) {
		html_printf(&r->out, "<div class=\"office-item\"><h3>%s</h3>\n", docs[i].title);
		if (docs[i].nversions) {
			html_printf(&r->out, "<ol class=\"versions\">\n");
			for (int k = docs[i].nversions - 1; k >= 0; k--) {
				const struct version *v = &docs[i].versions[k];
				html_printf(&r->out, "<li><a href=\"/versions/%L\">", (long long)v->id);
				html_tr(&r->out, "%s of %s", v->label, page_date(r, v->date));
				html_printf(&r->out, "</a>%s%s</li>\n", *v->note ? " \u2014 " : "", v->note);
			}
			html_printf(&r->out, "</ol>\n");
			/* The newest version's texts in the process's other languages (page_office_texts.c). */
			html_printf(&r->out, "<p><a href=\"/office/versions/%L/texts\">%s</a></p>\n",
				    (long long)docs[i].versions[docs[i].nversions - 1].id,
				    arena_printf(&r->arena, _("Texts of %s in other languages"),
						 docs[i].versions[docs[i].nversions - 1].label));
		} else {
			html_printf(&r->out, "<p>%s</p>\n", _("No version yet."));
		}
		html_printf(&r->out, "<p><a href=\"/office/processes/%u/documents/%u/versions/new\">", p->slug,
			    docs[i].slug);
		html_tr(&r->out, "Post a new version<span class=\"visually-hidden\"> of %s</span>", docs[i].title);
		html_printf(&r->out, "</a></p>\n</div>\n");
	}
	struct error de;
	error_clear(&de);
	struct version *drafts = NULL;
	int ndrafts = 0;
	if (version_drafts(r->db, &r->arena, p->id, &drafts, &ndrafts, &de) == 0 && ndrafts) {
		html_printf(&r->out, "<div class=\"office-item\"><h3>%s</h3>\n<ul>\n", _("Drafts waiting for confirmation"));
		for (int i = 0; i < ndrafts; i++) {
			html_printf(&r->out, "<li>");
			html_tr(&r->out,
				"%s of %s (not public yet): <a href=\"/office/versions/%L/matches\">confirm its paragraphs and "
				"publish it</a>",
				drafts[i].label, page_date(r, drafts[i].date), (long long)drafts[i].id);
			html_printf(&r->out, "</li>\n");
		}
		html_printf(&r->out, "</ul>\n</div>\n");
	}
	struct office_form f = office_form_for("document", failed, e, r->form);
	html_printf(&r->out, "<details class=\"add\"%R><summary>%s</summary>\n", f.e ? " open" : "", _("Add a document"));
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/documents", p->slug), false);
	office_input(r, &f, "title", _("Title"), NULL, NULL, "text", LIMIT_TITLE);
	office_input(r, &f, "slug", _("Short name for addresses (slug)"),
		     _("Lower-case letters, digits and hyphens, such as guidelines."), NULL, "text", 64);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</details>\n</section>\n",
		    _("Add the document"));
}

/* The process and document named by the route, or false with an error page given. */
static bool load(struct request *r, struct process *p, struct document *doc)
{
	struct error e;
	error_clear(&e);
	if (process_find(r->db, &r->arena, r->params[0], p, &e) != 0 ||
	    document_find(r->db, &r->arena, p->id, r->params[1], doc, &e) != 0) {
		page_error(r, &e);
		return false;
	}
	return true;
}

/* The form; e holds the mistakes of the form sent (and r->form what was typed), or is NULL. */
static void version_form(struct request *r, const struct process *p, const struct document *doc,
			 const struct error *e, const char *lost_file)
{
	struct office_form f = office_form_for("version", "version", e, r->form);
	office_begin(r, arena_printf(&r->arena, _("New version of %s"), doc->title), e);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
		    "<a href=\"/office/processes/%u\">%s</a></nav>\n<h1>",
		    _("Breadcrumb"), _("Back office"), p->slug, p->title);
	html_tr(&r->out, "New version of %s", doc->title);
	html_printf(&r->out, "</h1>\n");
	office_error_summary(r, e, "version", _("The version was not posted"));
	/* document_find() loads no versions: the newest published one, by its own query */
	struct version last;
	struct error none;
	error_clear(&none);
	if (version_newest(r->db, &r->arena, doc->id, &last, &none) == 0)
	{
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "The latest version is <a href=\"/versions/%L\">%s of %s</a>.", (long long)last.id,
			last.label, page_date(r, last.date));
		html_printf(&r->out, "</p>\n");
	}
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/documents/%s/versions/new", p->slug, doc->slug),
			 true);
	office_input(r, &f, "date", _("Date of the version"), _("The date the text bears."), NULL, "date", 0);
	office_input(r, &f, "label", _("Label"), _("Such as Revised draft or Final text."), NULL, "text", LIMIT_TITLE);
	office_textarea(r, &f, "note", _("What changed (optional)"), _("Shown beside the version in the list of versions."),
			NULL, 3);
	html_printf(&r->out, "<fieldset><legend>%s</legend>\n", _("The text: paste it, or upload a file"));
	office_textarea(r, &f, "markdown", _("Text in Markdown"),
			_("Headings start with #; each paragraph is numbered when the version is published."), NULL, 14);
	const char *err = f.e ? error_field_message(f.e, "file") : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-version-file\">%s</label>\n"
			     "<p class=\"hint\" id=\"h-version-file\">",
		    err ? " invalid" : "", _("Or a file: Word (.docx), Markdown (.md) or plain text (.txt)"));
	html_tr(&r->out, "At most %d KiB. A Word file is converted to Markdown; its images are left out.", LIMIT_DOCX / 1024);
	html_printf(&r->out, "</p>\n");
	if (lost_file && *lost_file) {
		html_printf(&r->out, "<p class=\"hint\" id=\"l-version-file\">");
		html_tr(&r->out, "You had chosen %s: choose it again, browsers do not keep a file when a form comes back.",
			lost_file);
		html_printf(&r->out, "</p>\n");
	}
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-version-file\">%s</p>\n", err);
	html_printf(&r->out,
		    "<input id=\"f-version-file\" name=\"file\" type=\"file\" accept=\".docx,.md,.markdown,.txt,%s,"
		    "text/markdown,text/plain\" aria-describedby=\"%R\"%R></div>\n</fieldset>\n"
		    "<p><button type=\"submit\">%s</button></p>\n</form>\n",
		    DOCX_TYPE,
		    err && lost_file && *lost_file ? "e-version-file l-version-file h-version-file"
		    : err			   ? "e-version-file h-version-file"
		    : lost_file && *lost_file	   ? "l-version-file h-version-file"
						   : "h-version-file",
		    err ? " aria-invalid=\"true\"" : "", _("Post the version"));
	page_end(r, office_status(e));
}

void page_office_version_form(struct request *r)
{
	struct process p;
	struct document doc;
	if (load(r, &p, &doc))
		version_form(r, &p, &doc, NULL, NULL);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcasecmp(s + n - k, suffix);
}

/* The uploaded file into the version: a Word file as it is, Markdown or text as the version's text. */
static void file_into(const struct form_file *file, const char *pasted, struct version_input *in, struct error *e)
{
	const char *name = file->filename, *type = file->content_type;
	if (ends_with(name, ".docx") || !strcmp(type, DOCX_TYPE)) {
		if (file->len > (size_t)LIMIT_DOCX) {
			error_field(e, "file", _("The file is larger than %d KiB."), LIMIT_DOCX / 1024);
			return;
		}
		in->docx = file->data;
		in->docx_len = file->len;
		return;
	}
	if (!ends_with(name, ".md") && !ends_with(name, ".markdown") && !ends_with(name, ".txt") &&
	    strncmp(type, "text/", 5) != 0) {
		error_field(e, "file", "%s", _("Upload a Word file (.docx), or Markdown or plain text (.md, .txt)."));
		return;
	}
	if (!utf8_valid((const char *)file->data, file->len)) {
		error_field(e, "file", "%s", _("This file is not UTF-8 text; save it as UTF-8, or upload the Word file."));
		return;
	}
	if (pasted && *pasted) {
		error_field(e, "markdown", "%s", _("Paste the text or upload a file, not both."));
		return;
	}
	in->markdown = (const char *)file->data;
}

/* The core names the Word file "docx" (as the API does); on this form it is the file field. */
static void docx_is_file(struct error *e)
{
	for (int i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i].name, "docx") && !error_field_message(e, "file"))
			snprintf(e->fields[i].name, sizeof e->fields[i].name, "file");
}

/* The second page before posting a version, if in's fields are sound: what will happen, with the text (a
 * Word file converted to Markdown here, so that the confirmation need not carry the file) in a form that
 * posts it again with confirm=yes. True when the page is given, or when e says why not (a Word file that
 * could not be converted); false to go on with version_add, whose messages then say what is wrong. */
static bool version_post_confirm_page(struct request *r, const struct process *p, const struct document *doc,
				      const struct version_input *in, const struct form_file *file, struct error *e)
{
	struct error check;
	error_clear(&check);
	const char *date = field_trimmed(&r->arena, in->date), *label = field_trimmed(&r->arena, in->label);
	const char *text = in->markdown, *blank = field_trimmed(&r->arena, in->markdown);
	field_check_date(&check, "date", date, true);
	field_check_line(&check, "label", label, true, LIMIT_TITLE, "a label");
	if (check.code || (!in->docx && (!blank || !*blank)) || (in->docx && blank && *blank))
		return false;
	if (in->docx) {
		static const struct docx_limits limits = {
			.max_in = LIMIT_DOCX, .max_out = VERSION_MARKDOWN_MAX, .seconds = LIMIT_CONVERT_SECONDS};
		if (docx_to_markdown(&r->arena, in->docx, in->docx_len, &limits, "docx", &text, e) != 0)
			return true; /* e says why, by the file field */
	}
	/* the newest published version, which the new one is matched against (none for a first version) */
	struct version newest;
	struct error none;
	error_clear(&none);
	const char *previous = version_newest(r->db, &r->arena, doc->id, &newest, &none) == 0
				       ? arena_printf(&r->arena, _("%s of %s"), newest.label, page_date(r, newest.date))
				       : NULL;
	page_begin(r, arena_printf(&r->arena, _("Post %s of '%s'?"), label, doc->title));
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
		    "<a href=\"/office/processes/%u\">%s</a></nav>\n<h1>",
		    _("Breadcrumb"), _("Back office"), p->slug, p->title);
	html_tr(&r->out, "Post %s of '%s'?", label, doc->title);
	html_printf(&r->out, "</h1>\n<div class=\"confirm-act\">\n<p>");
	/* Each case its own sentence: a translator orders the file and the previous version as the language needs. */
	if (file && previous)
		html_tr(&r->out, "%s of '%s', dated %s, from the file %s, will be posted after %s.", label, doc->title,
			page_date(r, date), file->filename, previous);
	else if (file)
		html_tr(&r->out, "%s of '%s', dated %s, from the file %s, will be posted.", label, doc->title,
			page_date(r, date), file->filename);
	else if (previous)
		html_tr(&r->out, "%s of '%s', dated %s, will be posted after %s.", label, doc->title, page_date(r, date),
			previous);
	else
		html_tr(&r->out, "%s of '%s', dated %s, will be posted.", label, doc->title, page_date(r, date));
	html_printf(&r->out, "</p>\n");
	if (previous)
		html_printf(&r->out, "<p>%s</p>\n",
			    arena_printf(&r->arena,
					 _("If each of its paragraphs is matched with confidence to a paragraph of %s, it is "
					   "published at once: it appears on the process's public page as the newest version, "
					   "the comments carry over to its paragraphs, and the process's subscribers are told "
					   "by e-mail. Otherwise it waits as a draft that only the secretariat sees, until you "
					   "confirm its matches."),
					 previous));
	else
		html_printf(&r->out, "<p>%s</p>\n",
			    _("It is the document's first version: it is published at once, on the process's public "
			      "page, and the process's subscribers are told by e-mail."));
	html_printf(&r->out, "<p>%s</p>\n</div>\n",
		    _("A published version cannot be withdrawn or changed: a correction is a new version."));
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/documents/%s/versions/new", p->slug, doc->slug),
			 true);
	html_printf(&r->out,
		    "<input type=\"hidden\" name=\"date\" value=\"%s\"><input type=\"hidden\" name=\"label\" "
		    "value=\"%s\"><input type=\"hidden\" name=\"note\" value=\"%s\"><input type=\"hidden\" "
		    "name=\"confirm\" value=\"yes\">%R\n"
		    "<details><summary>%s</summary>\n<div class=\"field\"><label "
		    "for=\"f-version-markdown\">%s</label>\n<textarea id=\"f-version-markdown\" name=\"markdown\" "
		    "rows=\"14\" readonly>%s</textarea></div>\n</details>\n"
		    "<p><button type=\"submit\" class=\"warning\">%s</button> <a href=\"/office/processes/%u/"
		    "documents/%u/versions/new\">%s</a></p>\n</form>\n",
		    date, label, in->note ? in->note : "", in->docx ? "<input type=\"hidden\" name=\"source\" value=\"docx\">" : "",
		    _("The text to be posted"), _("Text in Markdown"), text, _("Post the version"), p->slug, doc->slug,
		    _("Cancel: post nothing"));
	page_end(r, 200);
	return true;
}

void page_office_version_create(struct request *r)
{
	struct process p;
	struct document doc;
	if (!load(r, &p, &doc))
		return;
	struct error e;
	error_clear(&e);
	struct version_input in = {
		.date = office_field(r, "date"),
		.label = office_field(r, "label"),
		.note = office_field(r, "note"),
		.markdown = office_field(r, "markdown"),
		/* set by the second page only, after it converted the Word file itself */
		.converted_from = office_confirmed(r) ? office_field(r, "source") : NULL,
	};
	const struct form_file *file = r->form ? form_file(r->form, "file") : NULL;
	if (file)
		file_into(file, field_trimmed(&r->arena, in.markdown), &in, &e);
	/* Posting a version may publish it at once, which cannot be undone: the first POST asks on a second
	 * page, once the fields are sound (else the form comes back with its mistakes, from version_add). */
	if (!e.code && !office_confirmed(r) && version_post_confirm_page(r, &p, &doc, &in, file, &e) && !e.code)
		return;
	if (e.code) {
		docx_is_file(&e);
		version_form(r, &p, &doc, &e, file ? file->filename : NULL);
		return;
	}
	struct actor who = auth_actor(r);
	int64_t id;
	struct version v;
	struct document same;
	if (e.code || version_add(r->db, &r->arena, &who, doc.id, &in, &id, &e) != 0 ||
	    version_find(r->db, &r->arena, id, &v, &same, &e) != 0) {
		if (!strcmp(e.code, ERROR_NOT_FOUND)) {
			page_error(r, &e);
			return;
		}
		docx_is_file(&e);
		version_form(r, &p, &doc, &e, file ? file->filename : NULL);
		return;
	}
	if (v.state == VERSION_DRAFT)
		reply_redirect(r, arena_printf(&r->arena, "/office/versions/%lld/matches", (long long)id));
	else
		reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=version&id=%lld", p.slug, (long long)id));
}

/* -- the matches of a draft's paragraphs ----------------------------------- */

/* The start of a paragraph's text, for a choice in a list. */
static const char *excerpt(struct request *r, const char *text)
{
	size_t n = strlen(text);
	if (n <= 80)
		return text;
	size_t cut = 80;
	while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80) /* not inside a UTF-8 character */
		cut--;
	return arena_printf(&r->arena, "%.*s\u2026", (int)cut, text);
}

static const struct paragraph *old_by_pid(const struct paragraph *old, int nold, const char *pid)
{
	for (int j = 0; j < nold; j++)
		if (!strcmp(old[j].pid, pid))
			return &old[j];
	return NULL;
}

/* The page; e holds the mistakes of the form sent (r->form what was chosen), or is NULL. */
static void matches_page(struct request *r, int64_t id, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct version v, prev = {.label = "", .date = ""};
	struct document doc, same;
	struct process p;
	struct paragraph *q, *old = NULL;
	int nq, nold = 0;
	if (version_find(r->db, &r->arena, id, &v, &doc, &le) != 0 ||
	    process_find_id_bare(r->db, &r->arena, doc.process_id, &p, &le) != 0 ||
	    paragraph_list(r->db, &r->arena, id, &q, &nq, &le) != 0 ||
	    (v.previous_id && (version_find(r->db, &r->arena, v.previous_id, &prev, &same, &le) != 0 ||
	                       paragraph_list(r->db, &r->arena, v.previous_id, &old, &nold, &le) != 0))) {
		page_error(r, &le);
		return;
	}
	office_begin(r, arena_printf(&r->arena, _("Paragraphs of %s of %s"), v.label, doc.title), e);
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
	            "<a href=\"/office/processes/%u\">%s</a></nav>\n<h1>",
	            _("Breadcrumb"), _("Back office"), p.slug, p.title);
	html_tr(&r->out, "Paragraphs of %s of %s", v.label, doc.title);
	html_printf(&r->out, "</h1>\n");
	office_error_summary(r, e, "matches", _("The version was not published"));
	if (v.state != VERSION_DRAFT) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "This version is published: <a href=\"/versions/%L\">read it</a>.", (long long)v.id);
		html_printf(&r->out, "</p>\n");
		page_end(r, office_status(e));
		return;
	}
	int uncertain = 0;
	for (int i = 0; i < nq; i++)
		uncertain += q[i].uncertain;
	html_printf(&r->out, "<p class=\"lead\">");
	html_tr_n(&r->out,
		  "This version is a draft: nobody else sees it yet. Each of its paragraphs was matched to the paragraph "
		  "of the previous version (%s of %s) it came from, so that comments and links follow it. %d match is "
		  "uncertain: say for each whether it is the same paragraph. Confirming publishes the version and tells "
		  "the subscribers.",
		  "This version is a draft: nobody else sees it yet. Each of its paragraphs was matched to the paragraph "
		  "of the previous version (%s of %s) it came from, so that comments and links follow it. %d matches are "
		  "uncertain: say for each whether it is the same paragraph. Confirming publishes the version and tells "
		  "the subscribers.",
		  (unsigned long)uncertain, prev.label, page_date(r, prev.date), uncertain);
	html_printf(&r->out, "</p>\n");
	/* The choices of "another paragraph": paragraphs of the previous version. */
	const char *(*others)[2] = arena_alloc(&r->arena, sizeof *others * (size_t)(nold + 1));
	if (!others) {
		page_message(r, 503, _("The page could not be made: out of memory."));
		return;
	}
	/* Only those no confident match holds already: choosing one of them could only be refused. */
	int nothers = 0;
	for (int j = 0; j < nold; j++) {
		bool held = false;
		for (int i = 0; i < nq && !held; i++)
			held = !q[i].uncertain && !strcmp(q[i].pid, old[j].pid);
		if (held)
			continue;
		others[nothers][0] = old[j].pid;
		others[nothers][1] = arena_printf(&r->arena, "\u00b6%d: %s", old[j].number, excerpt(r, old[j].text));
		nothers++;
	}
	struct office_form f = office_form_for("matches", "matches", e, r->form);
	office_form_open(r, arena_printf(&r->arena, "/office/versions/%lld/matches", (long long)v.id), false);
	/* Where the summary's link to a mistake the core names "decisions" leads. */
	html_printf(&r->out, "<div id=\"f-matches-decisions\" tabindex=\"-1\">\n");
	for (int i = 0; i < nq; i++) {
		if (!q[i].uncertain)
			continue;
		const struct paragraph *o = q[i].nfrom ? old_by_pid(old, nold, q[i].from[0]) : NULL;
		html_printf(&r->out, "<section class=\"match\" aria-labelledby=\"m-%d\"><h2 id=\"m-%d\">", q[i].number,
			    q[i].number);
		html_tr(&r->out, "\u00b6%d of the new version", q[i].number);
		html_printf(&r->out, "</h2>\n<div class=\"pair\">\n");
		/* Every source: a merge has several, side by side in one column. */
		if (o) {
			html_printf(&r->out, "<div>");
			for (int k = 0; k < q[i].nfrom; k++) {
				const struct paragraph *src = old_by_pid(old, nold, q[i].from[k]);
				if (src)
				{
					html_printf(&r->out, "<h3>");
					html_tr(&r->out, "Previous version, \u00b6%d", src->number);
					html_printf(&r->out, "</h3>\n<blockquote>%s</blockquote>\n", src->text);
				}
			}
			html_printf(&r->out, "</div>\n");
		}
		html_printf(&r->out, "<div><h3>");
		html_tr(&r->out, "New version, \u00b6%d", q[i].number);
		html_printf(&r->out, "</h3>\n<blockquote>%s</blockquote></div>\n</div>\n", q[i].text);
		if (q[i].similarity >= 0) {
			html_printf(&r->out, "<p>");
			html_tr(&r->out, "Words in common: %d %% (%s).", (q[i].similarity + 5) / 10,
				q[i].relation ? q[i].relation : "new");
			html_printf(&r->out, "</p>\n");
		}
		const char *same_text = o ? arena_printf(&r->arena,
		                                         _("The same paragraph, as \u00b6%d of the previous "
		                                         "version (it keeps its comments)"),
		                                         o->number)
		                          : _("As proposed");
		/* "Another paragraph" only when there is one to choose. */
		const char *const choices[][2] = {{"same", same_text},
		                                  {"new", _("A different paragraph (new)")},
		                                  {nothers ? "other" : NULL, _("Another paragraph of the previous version, chosen below")},
		                                  {NULL, NULL}};
		const char *name = arena_printf(&r->arena, "n%d", q[i].number);
		office_radios(r, &f, name, arena_printf(&r->arena, _("Is \u00b6%d the same paragraph?"), q[i].number),
		              choices, NULL);
		if (nothers)
			office_select(r, &f, arena_printf(&r->arena, "o%d", q[i].number),
			              arena_printf(&r->arena, _("Another paragraph for \u00b6%d"), q[i].number),
			              (const char *const(*)[2])others, o ? o->pid : NULL);
		html_printf(&r->out, "</section>\n");
	}
	html_printf(&r->out, "</div>\n");
	html_printf(&r->out, "<details><summary>");
	html_tr_n(&r->out, "The other %d paragraph (matched with confidence)", "The other %d paragraphs (matched with confidence)",
		  (unsigned long)(nq - uncertain), nq - uncertain);
	html_printf(&r->out,
	            "</summary>\n<table><caption class=\"visually-hidden\">%s</caption>\n"
	            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	            "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
	            _("Paragraphs matched with confidence"),
	            /* TRANSLATORS: a column: the paragraph of the new version. */
	            _("New"), _("How"), _("From the previous version"));
	for (int i = 0; i < nq; i++) {
		if (q[i].uncertain)
			continue;
		html_printf(&r->out, "<tr><td>\u00b6%d</td><td>%s</td><td>", q[i].number,
		            q[i].relation ? q[i].relation : "new");
		for (int k = 0; k < q[i].nfrom; k++) {
			const struct paragraph *o = old_by_pid(old, nold, q[i].from[k]);
			if (o)
				html_printf(&r->out, "%s\u00b6%d", k ? ", " : "", o->number);
		}
		html_printf(&r->out, "</td></tr>\n");
	}
	html_printf(&r->out, "</tbody></table></details>\n<p><button type=\"submit\">%s</button></p>\n</form>\n",
	            _("Confirm and publish the version"));
	page_end(r, office_status(e));
}

void page_office_version_matches(struct request *r)
{
	int64_t id;
	struct error e;
	error_clear(&e);
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
		page_error(r, &e);
		return;
	}
	matches_page(r, id, NULL);
}

void page_office_version_confirm(struct request *r)
{
	int64_t id;
	struct error e;
	error_clear(&e);
	struct version v;
	struct document doc;
	struct process p;
	struct paragraph *q;
	int nq;
	if (!parse_id(r->params[0], &id))
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such version."));
	else if (version_find(r->db, &r->arena, id, &v, &doc, &e) == 0 &&
	         process_find_id_bare(r->db, &r->arena, doc.process_id, &p, &e) == 0)
		paragraph_list(r->db, &r->arena, id, &q, &nq, &e);
	if (e.code) {
		page_error(r, &e);
		return;
	}
	/* One decision for each uncertain paragraph: the choice n<N>, and for "other" the paragraph o<N>. */
	struct match_decision *d = arena_alloc(&r->arena, sizeof *d * (size_t)(nq + 1));
	int n = 0;
	for (int i = 0; d && i < nq; i++) {
		if (!q[i].uncertain)
			continue;
		const char *choice = office_field(r, arena_printf(&r->arena, "n%d", q[i].number));
		if (choice && !strcmp(choice, "other"))
			choice = office_field(r, arena_printf(&r->arena, "o%d", q[i].number));
		if (!choice || !*choice || (strcmp(choice, "same") && strcmp(choice, "new") && choice[0] != 'p')) {
			error_field(&e, arena_printf(&r->arena, "n%d", q[i].number),
			            "\u00b6%d: choose whether it is the same paragraph.", q[i].number);
			continue;
		}
		d[n++] = (struct match_decision){q[i].number, choice};
	}
	/* Publishing a version cannot be undone: once the choices are sound, the first POST asks. */
	if (d && !e.code && !office_confirmed(r)) {
		const char *what[] = {
		    arena_printf(&r->arena, _("%s of '%s', dated %s, will be published with the paragraph matches you "
		                              "chose (%d decided by you)."),
		                 v.label, doc.title, page_date(r, v.date), n),
		    _("It appears on the process's public page as the newest version; the comments on the paragraphs "
		    "you called the same carry over to it, and the process's subscribers are told by e-mail."),
		    _("This cannot be undone: a published version cannot be withdrawn or changed, and the e-mail is sent."),
		    NULL,
		};
		office_confirm_page(r, arena_printf(&r->arena, _("Publish %s of '%s'?"), v.label, doc.title), what,
		                    arena_printf(&r->arena, "/office/versions/%lld/matches", (long long)id),
		                    _("Publish the version"),
		                    arena_printf(&r->arena, "/office/versions/%lld/matches", (long long)id));
		return;
	}
	struct actor who = auth_actor(r);
	if (!d || e.code || version_confirm(r->db, &r->arena, &who, id, d, n, true, &e) != 0) {
		if (!d && !e.code)
			error_set(&e, ERROR_UNAVAILABLE, "out of memory");
		matches_page(r, id, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=published&id=%lld", p.slug, (long long)id));
}
