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
 */
#include "web/page_office.h"

#include "core/field.h"
#include "core/limits.h"
#include "util/clock.h"
#include "util/utf8.h"
#include "web/auth.h"
#include "web/routes.h"

#include <stdio.h>
#include <string.h>

static const char DOCX_TYPE[] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

void office_documents_section(struct request *r, const struct process *p, const struct document *docs, int n,
			      const char *failed, const struct error *e)
{
	html_printf(&r->out, "<section aria-labelledby=\"documents\"><h2 id=\"documents\">Documents</h2>\n");
	if (n == 0)
		html_printf(&r->out, "<p>No document yet.</p>\n");
	for (int i = 0; i < n; i++) {
		html_printf(&r->out, "<div class=\"office-item\"><h3>%s</h3>\n", docs[i].title);
		if (docs[i].nversions) {
			html_printf(&r->out, "<ol class=\"versions\">\n");
			for (int k = docs[i].nversions - 1; k >= 0; k--) {
				const struct version *v = &docs[i].versions[k];
				html_printf(&r->out, "<li><a href=\"/versions/%L\">%s of %s</a>%s%s</li>\n", (long long)v->id,
					    v->label, page_date(r, v->date), *v->note ? " \u2014 " : "", v->note);
			}
			html_printf(&r->out, "</ol>\n");
		} else {
			html_printf(&r->out, "<p>No version yet.</p>\n");
		}
		html_printf(&r->out,
			    "<p><a href=\"/office/processes/%u/documents/%u/versions/new\">Post a new version"
			    "<span class=\"visually-hidden\"> of %s</span></a></p>\n</div>\n",
			    p->slug, docs[i].slug, docs[i].title);
	}
	struct office_form f = office_form_for("document", failed, e, r->form);
	html_printf(&r->out, "<details class=\"add\"%R><summary>Add a document</summary>\n", f.e ? " open" : "");
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/documents", p->slug), false);
	office_input(r, &f, "title", "Title", NULL, NULL, "text", LIMIT_TITLE);
	office_input(r, &f, "slug", "Short name for addresses (slug)",
		     "Lower-case letters, digits and hyphens, such as guidelines.", NULL, "text", 64);
	html_printf(&r->out, "<p><button type=\"submit\">Add the document</button></p>\n</form>\n</details>\n</section>\n");
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
	office_begin(r, arena_printf(&r->arena, "New version of %s", doc->title), e);
	html_printf(&r->out,
		    "<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><a href=\"/office\">Back office</a> \u203a "
		    "<a href=\"/office/processes/%u\">%s</a></nav>\n<h1>New version of %s</h1>\n",
		    p->slug, p->title, doc->title);
	office_error_summary(r, e, "version", "The version was not posted");
	if (doc->nversions) {
		const struct version *last = &doc->versions[doc->nversions - 1];
		html_printf(&r->out, "<p>The latest version is <a href=\"/versions/%L\">%s of %s</a>.</p>\n",
			    (long long)last->id, last->label, page_date(r, last->date));
	}
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/documents/%s/versions/new", p->slug, doc->slug),
			 true);
	office_input(r, &f, "date", "Date of the version", "The date the text bears.", NULL, "date", 0);
	office_input(r, &f, "label", "Label", "Such as Revised draft or Final text.", NULL, "text", LIMIT_TITLE);
	office_textarea(r, &f, "note", "What changed (optional)", "Shown beside the version in the list of versions.",
			NULL, 3);
	html_printf(&r->out, "<fieldset><legend>The text: paste it, or upload a file</legend>\n");
	office_textarea(r, &f, "markdown", "Text in Markdown",
			"Headings start with #; each paragraph is numbered when the version is published.", NULL, 14);
	const char *err = f.e ? error_field_message(f.e, "file") : NULL;
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-version-file\">Or a file: Word (.docx), Markdown "
			     "(.md) or plain text (.txt)</label>\n<p class=\"hint\" id=\"h-version-file\">At most %d KiB. "
			     "A Word file is converted to Markdown; its images are left out.</p>\n",
		    err ? " invalid" : "", LIMIT_DOCX / 1024);
	if (lost_file && *lost_file)
		html_printf(&r->out, "<p class=\"hint\" id=\"l-version-file\">You had chosen %s: choose it again, browsers do "
				     "not keep a file when a form comes back.</p>\n",
			    lost_file);
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-version-file\">%s</p>\n", err);
	html_printf(&r->out,
		    "<input id=\"f-version-file\" name=\"file\" type=\"file\" accept=\".docx,.md,.markdown,.txt,%s,"
		    "text/markdown,text/plain\" aria-describedby=\"%R\"%R></div>\n</fieldset>\n"
		    "<p><button type=\"submit\">Post the version</button></p>\n</form>\n",
		    DOCX_TYPE,
		    err && lost_file && *lost_file ? "e-version-file l-version-file h-version-file"
		    : err			   ? "e-version-file h-version-file"
		    : lost_file && *lost_file	   ? "l-version-file h-version-file"
						   : "h-version-file",
		    err ? " aria-invalid=\"true\"" : "");
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
			error_field(e, "file", "The file is larger than %d KiB.", LIMIT_DOCX / 1024);
			return;
		}
		in->docx = file->data;
		in->docx_len = file->len;
		return;
	}
	if (!ends_with(name, ".md") && !ends_with(name, ".markdown") && !ends_with(name, ".txt") &&
	    strncmp(type, "text/", 5) != 0) {
		error_field(e, "file", "Upload a Word file (.docx), or Markdown or plain text (.md, .txt).");
		return;
	}
	if (!utf8_valid((const char *)file->data, file->len)) {
		error_field(e, "file", "This file is not UTF-8 text; save it as UTF-8, or upload the Word file.");
		return;
	}
	if (pasted && *pasted) {
		error_field(e, "markdown", "Paste the text or upload a file, not both.");
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
	};
	const struct form_file *file = r->form ? form_file(r->form, "file") : NULL;
	if (file)
		file_into(file, field_trimmed(&r->arena, in.markdown), &in, &e);
	struct actor who = auth_actor(r);
	int64_t id;
	if (e.code || version_add(r->db, &r->arena, &who, doc.id, &in, &id, &e) != 0) {
		if (!strcmp(e.code, ERROR_NOT_FOUND)) {
			page_error(r, &e);
			return;
		}
		docx_is_file(&e);
		version_form(r, &p, &doc, &e, file ? file->filename : NULL);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=version", p.slug));
}
