/*
 * page_office_letters — the secretariat's circular letters in the back
 * office: the section of the process's office page (drafts, issued letters,
 * a form to start a letter), and the page of one draft with its form, its
 * preview (the public page's rendering, page_circular.c), a form per other
 * language of the process for its subject and text in it, and the button that
 * issues it, after a confirmation page (an issued letter cannot be changed);
 * and the office page of an issued letter (/office/circulars/{id}): where its
 * mails stand, its recipients by category, its public page and its PDF.
 * The changes call core/circular.h, as the API does (api_circular.c).
 */
#include "core/circular.h"
#include "core/circular_document.h"
#include "core/language.h"
#include "core/limits.h"
#include "util/i18n.h"
#include "util/log.h"
#include "web/auth.h"
#include "web/page_circular.h"
#include "web/page_office.h"
#include "web/routes.h"

#include <string.h>

/* The fields of a draft (new: d NULL). */
static void draft_fields(struct request *r, const struct office_form *f, const struct process *p,
			 const struct circular_draft *d)
{
	const char *cats = "";
	for (int i = 0; i < p->ncategories; i++)
		cats = arena_printf(&r->arena, "%s%s%s (%s)", cats, i ? ", " : "", p->categories[i].slug,
				    p->categories[i].name);
	const char *hint = arena_printf(&r->arena, _("Short names of categories separated by commas: %s."), cats);
	const char *const yes_no[][2] = {{"1", _("Yes: the schedule as it stands when the letter is issued")},
					 {"0", _("No")},
					 {NULL, NULL}};
	office_input(r, f, "subject", _("Subject"), NULL, d ? d->subject : NULL, "text", LIMIT_TITLE);
	office_input(r, f, "for_action", _("Addressed for action"), hint, d ? d->for_action : NULL, "text", 0);
	office_input(r, f, "for_information", _("Addressed for information"), hint, d ? d->for_information : NULL, "text",
		     0);
	office_input(r, f, "references", _("References"),
		     _("Earlier letters it refers to, such as CL-20/18, separated by commas."),
		     d ? d->references : NULL, "text", 0);
	office_input(r, f, "corrects", _("Corrects"), _("The letter this one corrects (a corrigendum), or nothing."),
		     d ? d->corrects : NULL, "text", 0);
	office_textarea(r, f, "markdown", _("Text"), _("Markdown: blank lines between paragraphs, ** for bold, - for lists."),
			d ? d->markdown : NULL, 14);
	office_input(r, f, "contact", _("Contact person"), _("Who answers questions about the letter, and how to reach them."),
		     d ? d->contact : NULL, "text", LIMIT_SUMMARY);
	office_radios(r, f, "schedule_annex", _("Annex the schedule?"), yes_no, d && d->schedule_annex ? "1" : "0");
}

static struct circular_input input_from_form(struct request *r)
{
	const char *annex = office_field(r, "schedule_annex");
	return (struct circular_input){
		.subject = office_field(r, "subject"),
		.markdown = office_field(r, "markdown"),
		.contact = office_field(r, "contact"),
		.for_action = office_field(r, "for_action"),
		.for_information = office_field(r, "for_information"),
		.references = office_field(r, "references"),
		.corrects = office_field(r, "corrects"),
		.schedule_annex = annex ? !strcmp(annex, "1") : -1,
	};
}

void office_letters_section(struct request *r, const struct process *p, const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct circular_draft *drafts = NULL;
	struct circular *letters = NULL;
	int ndrafts = 0, nletters = 0;
	if (circular_draft_list(r->db, &r->arena, p->id, &drafts, &ndrafts, &le) != 0 ||
	    circular_list(r->db, &r->arena, p->id, &letters, &nletters, &le) != 0) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "The letters could not be listed: %s", request_error_message(r, &le));
		html_printf(&r->out, "</p>\n");
		return;
	}
	/* the issued letters' subjects in the reader's language where a letter has a text in it (else their own),
	 * as the process page lists them */
	(void)circular_list_in(r->db, &r->arena, letters, nletters, page_text_reader(r), &le);
	error_clear(&le);
	html_printf(&r->out, "<section aria-labelledby=\"office-letters\"><h2 id=\"office-letters\">%s</h2>\n",
		    _("Circular letters"));
	if (ndrafts) {
		html_printf(&r->out, "<h3>%s</h3>\n<ul>\n", _("Drafts"));
		for (int i = 0; i < ndrafts; i++)
			html_printf(&r->out, "<li><a href=\"/office/letters/%L\">%s</a></li>\n", (long long)drafts[i].id,
				    *drafts[i].subject ? drafts[i].subject : _("(no subject yet)"));
		html_printf(&r->out, "</ul>\n");
	}
	if (nletters) {
		/* TRANSLATORS: heading of the list of circular letters already issued (sent) */
		html_printf(&r->out, "<h3>%s</h3>\n<ul>\n", _("Issued"));
		for (int i = 0; i < nletters; i++) {
			struct circular_distribution dist = {0};
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "<a href=\"/letters/%L\">%s</a> of %s: %s",
				(long long)letters[i].id, letters[i].reference, page_date(r, letters[i].date),
				letters[i].subject);
			html_printf(&r->out, " ");
			html_tr(&r->out, "(<a href=\"/office/circulars/%L\">distribution and recipients of %s</a>)",
				(long long)letters[i].id, letters[i].reference);
			if (circular_distribution(r->db, letters[i].id, &dist, &le) == 0 && dist.addresses) {
				html_printf(&r->out, " <span class=\"distribution\">");
				html_tr(&r->out, "(mails: %L sent, %L pending, %L failed, of %L)", (long long)dist.sent,
					(long long)(dist.addresses - dist.sent - dist.failed), (long long)dist.failed,
					(long long)dist.addresses);
				html_printf(&r->out, "</span>");
			}
			html_printf(&r->out, "</li>\n");
		}
		html_printf(&r->out, "</ul>\n");
	}
	struct circular_letterhead lh;
	if (circular_letterhead(r->db, &r->arena, p->body, false, &lh, &le) != 0)
		lh = (struct circular_letterhead){.address = ""};
	struct office_form fh = office_form_for("letterhead", failed, e, r->form);
	html_printf(&r->out, "<details%s><summary>", failed && !strcmp(failed, "letterhead") ? " open" : "");
	if (*p->body)
		html_tr(&r->out, "Letterhead of %s", p->body);
	else
		html_printf(&r->out, "%s", _("Letterhead of this site"));
	html_printf(&r->out, "</summary>\n<p>%s</p>\n",
		    lh.logo_blob ? _("At the top of every letter of this body and of its PDF. Logo: set.")
				 : _("At the top of every letter of this body and of its PDF. Logo: none yet."));
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/letterhead", p->slug), true);
	office_textarea(r, &fh, "address", _("Address block"), _("Lines as they are printed under the body's name."),
			lh.address, 4);
	const char *pattern = "CL-{yy}/{n}";
	if (circular_pattern(r->db, &r->arena, p->body, &pattern, &le) != 0)
		pattern = NULL;
	office_input(r, &fh, "pattern", _("Numbering of letters"),
		     _("{n} is the number and {yy} or {yyyy} the year: a series restarts with each year it names. It "
		       "applies to the letters issued from now on."),
		     pattern, "text", 40);
	const char *logo_err = e && failed && !strcmp(failed, "letterhead") ? error_field_message(e, "logo") : NULL;
	html_printf(&r->out,
		    "<div class=\"field%s\"><label for=\"f-letterhead-logo\">%s</label>\n"
		    "<p class=\"hint\" id=\"f-letterhead-logo-hint\">",
		    logo_err ? " error" : "", _("Logo"));
	html_tr(&r->out, "A PNG or JPEG image, at most %d KiB; leave it empty to keep the logo as it is.",
		LIMIT_LETTER_LOGO / 1024);
	html_printf(&r->out, "</p>\n");
	if (logo_err)
		html_printf(&r->out, "<p class=\"message\" id=\"f-letterhead-logo-error\">%s</p>\n", logo_err);
	html_printf(&r->out,
		    "<input type=\"file\" id=\"f-letterhead-logo\" name=\"logo\" accept=\"image/png,image/jpeg\" "
		    "aria-describedby=\"f-letterhead-logo-hint%s\"></div>\n"
		    "<p><button type=\"submit\">%s</button></p>\n</form>\n</details>\n",
		    logo_err ? " f-letterhead-logo-error" : "", _("Save the letterhead"));

	struct office_form f = office_form_for("letter-new", failed, e, r->form);
	html_printf(&r->out, "<details%s><summary>%s</summary>\n", failed && !strcmp(failed, "letter-new") ? " open" : "",
		    _("Write a new letter"));
	office_form_open(r, arena_printf(&r->arena, "/office/processes/%s/letters", p->slug), false);
	draft_fields(r, &f, p, NULL);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</details>\n</section>\n",
		    _("Save the draft"));
}

void page_office_letter_create(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct circular_input in = input_from_form(r);
	if (in.schedule_annex < 0)
		in.schedule_annex = 0;
	struct actor who = auth_actor(r);
	int64_t id;
	if (circular_draft_create(r->db, &r->arena, &who, p.id, &in, &id, &e) != 0) {
		office_process_page(r, p.slug, "letter-new", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/letters/%lld?done=saved", (long long)id));
}

/* The form key of the draft's text in language tag ("text-fr"), which its fields' ids carry. */
static const char *text_form_key(struct request *r, const char *tag)
{
	return arena_printf(&r->arena, "text-%s", tag);
}

/* The draft's texts in the process's other languages: a form for each (subject and text), filled with the text
 * given, or what was typed if it came back with mistakes (failed names its key). */
static void draft_texts(struct request *r, const struct process *p, int64_t id, const char *failed,
			const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct circular_text *texts = NULL;
	int ntexts = 0;
	if (circular_draft_texts(r->db, &r->arena, id, &texts, &ntexts, &le) != 0)
		ntexts = 0;
	html_printf(&r->out, "<section aria-labelledby=\"texts\"><h2 id=\"texts\">%s</h2>\n<p>",
		    _("Texts in other languages"));
	html_tr(&r->out,
		"The subject and text above are in %s, the process's first language. Give the letter in each of its "
		"other languages here: each reader and subscriber gets it in theirs when it has a text in it, and the "
		"issue freezes them all. Empty both fields to remove a text.",
		page_language_name(process_first_language(&r->arena, p)));
	html_printf(&r->out, "</p>\n");
	const size_t first = p->languages ? strcspn(p->languages, ",") : 0;
	int n = 0;
	for (const char *l = p->languages && p->languages[first] ? p->languages + first + 1 : ""; *l; n++) {
		const size_t k = strcspn(l, ",");
		const char *tag = arena_strndup(&r->arena, l, k);
		l += k + (l[k] == ',');
		const struct circular_text *t = NULL;
		for (int i = 0; tag && i < ntexts; i++)
			if (!strcmp(texts[i].language, tag))
				t = &texts[i];
		const char *key = tag ? text_form_key(r, tag) : NULL;
		if (!key)
			break;
		const char *name = page_language_name(tag);
		struct office_form f = office_form_for(key, failed, e, r->form);
		html_printf(&r->out, "<h3 id=\"%s\">%s</h3>\n", key, name);
		office_form_open(r, arena_printf(&r->arena, "/office/letters/%lld/texts", (long long)id), false);
		html_printf(&r->out, "<input type=\"hidden\" name=\"language\" value=\"%s\">\n", tag);
		office_input(r, &f, "subject", arena_printf(&r->arena, _("Subject in %s"), name), NULL,
			     t ? t->subject : "", "text", LIMIT_TITLE);
		office_textarea(r, &f, "markdown", arena_printf(&r->arena, _("Text in %s"), name),
				_("Markdown: blank lines between paragraphs, ** for bold, - for lists."), t ? t->markdown : "",
				10);
		html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n",
			    arena_printf(&r->arena, _("Save the text in %s"), name));
	}
	if (n == 0)
		html_printf(&r->out, "<p>%s</p>\n", _("The process has only one language: add others to its languages first."));
	html_printf(&r->out, "</section>\n");
}

/* The page of a draft: its form (with e's mistakes and what was typed), its preview, its texts in other languages,
 * and the issue button. */
static void letter_page(struct request *r, int64_t id, const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct circular_draft d;
	struct process p;
	if (circular_draft_find(r->db, &r->arena, id, &d, &le) != 0 ||
	    process_find_id(r->db, &r->arena, d.process_id, &p, &le) != 0) {
		page_error(r, &le);
		return;
	}
	if (d.circular_id && !e) {
		/* issued: the letter is its public page; the draft is history */
		reply_redirect(r, arena_printf(&r->arena, "/letters/%lld", (long long)d.circular_id));
		return;
	}
	const char *const done[][2] = {{"saved", _("The draft is saved.")}, {"text", _("The text was saved.")}, {NULL, NULL}};
	office_begin(r, arena_printf(&r->arena, _("Draft letter: %s"), *d.subject ? d.subject : _("(no subject yet)")), e);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
		    "<a href=\"/office/processes/%u\">%s</a></nav>\n<h1>%s</h1>\n",
		    _("Breadcrumb"), _("Back office"), p.slug, p.title, _("Draft letter"));
	office_done(r, done);
	office_error_summary(r, e, failed ? failed : "", _("The change was not made"));
	struct office_form f = office_form_for("letter", failed, e, r->form);
	/* TRANSLATORS: heading of the section with the draft letter's form */
	html_printf(&r->out, "<section aria-labelledby=\"edit\"><h2 id=\"edit\">%s</h2>\n", _("Edit"));
	office_form_open(r, arena_printf(&r->arena, "/office/letters/%lld", (long long)id), false);
	draft_fields(r, &f, &p, &d);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n", _("Save the draft"));

	html_printf(&r->out, "<section aria-labelledby=\"preview\" class=\"preview\"><h2 id=\"preview\">%s</h2>\n",
		    _("Preview"));
	struct circular c;
	if (circular_draft_preview(r->db, &r->arena, id, &c, &le) != 0 || circular_document_letter(&r->out, &r->arena, &p, &c, NULL) != 0)
	{
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "No preview yet: %s", request_error_message(r, &le));
		html_printf(&r->out, "</p>\n");
	}
	html_printf(&r->out, "</section>\n");
	draft_texts(r, &p, id, failed, e);
	/* TRANSLATORS: heading of the section where the secretariat issues (sends out) the letter */
	html_printf(&r->out, "<section aria-labelledby=\"issue\"><h2 id=\"issue\">%s</h2>\n<p>%s</p>\n",
		    _("Issue"),
		    _("Issuing numbers and dates the letter and publishes it. An issued letter cannot be changed: a "
		      "mistake is corrected by a new letter (a corrigendum)."));
	struct circular_recipients to;
	error_clear(&le);
	if (circular_draft_recipients(r->db, &r->arena, id, &to, &le) == 0) {
		html_printf(&r->out, "<p class=\"recipients\">");
		html_tr(&r->out,
			"It will be mailed, with its PDF, to %L addresses: %L subscribers of this process and %L "
			"registered stakeholders of the categories %s.",
			(long long)to.addresses, (long long)to.subscribers, (long long)to.stakeholders,
			arena_printf(&r->arena, "%s%s%s", d.for_action, *d.for_action && *d.for_information ? "," : "",
				     d.for_information));
		html_printf(&r->out, "</p>\n");
	}
	office_form_open(r, arena_printf(&r->arena, "/office/letters/%lld/issue", (long long)id), false);
	html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n", _("Issue the letter"));
	page_end(r, office_status(e));
}

static bool route_draft(struct request *r, int64_t *id)
{
	return page_route_id(r, id, _("There is no such draft letter."));
}

void page_office_letter(struct request *r)
{
	int64_t id;
	if (route_draft(r, &id))
		letter_page(r, id, NULL, NULL);
}

void page_office_letter_update(struct request *r)
{
	int64_t id;
	if (!route_draft(r, &id))
		return;
	struct error e;
	error_clear(&e);
	struct circular_input in = input_from_form(r);
	struct actor who = auth_actor(r);
	if (circular_draft_update(r->db, &r->arena, &who, id, &in, &e) != 0) {
		letter_page(r, id, "letter", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/letters/%lld?done=saved", (long long)id));
}

/* The letters' forms whose CSRF token failed (their routes' .stale, web/routes.h): the page again with the form
 * as it was typed, a fresh token and what happened, 403; nothing is saved. */
void page_office_letter_create_stale(struct request *r)
{
	struct error e;
	struct process p;
	error_clear(&e);
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0)
		return; /* the server's plain 403 */
	page_form_stale(&e);
	office_process_page(r, p.slug, "letter-new", &e);
	r->status = 403;
}

void page_office_letter_update_stale(struct request *r)
{
	int64_t id;
	struct error e;
	if (!parse_id(r->params[0], &id))
		return;
	page_form_stale(&e);
	letter_page(r, id, "letter", &e);
	r->status = 403;
}

void page_office_letter_text_stale(struct request *r)
{
	int64_t id;
	struct error e;
	if (!parse_id(r->params[0], &id))
		return;
	char tag[LANGUAGE_TAG_LEN];
	const bool known = language_tag_normalize(office_field(r, "language"), tag);
	page_form_stale(&e);
	letter_page(r, id, known ? text_form_key(r, tag) : "text", &e);
	r->status = 403;
}

/* POST /office/letters/{id}/texts: the draft's subject and text in one other language (language, subject,
 * markdown); both empty remove it. */
void page_office_letter_text(struct request *r)
{
	int64_t id;
	if (!route_draft(r, &id))
		return;
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	const char *language = office_field(r, "language");
	if (circular_draft_text_put(r->db, &r->arena, &who, id, language, office_field(r, "subject"),
				    office_field(r, "markdown"), &e) != 0) {
		/* the form of that language comes back with the mistakes, if it is one (a tag the page wrote) */
		char tag[LANGUAGE_TAG_LEN];
		const bool known = language_tag_normalize(language, tag);
		if (e.nfields == 0 && strcmp(e.code, ERROR_CONFLICT) != 0)
			page_error(r, &e);
		else
			letter_page(r, id, known ? text_form_key(r, tag) : "text", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/letters/%lld?done=text#texts", (long long)id));
}

void page_office_letter_issue(struct request *r)
{
	int64_t id, letter;
	if (!route_draft(r, &id))
		return;
	struct error e;
	error_clear(&e);
	if (!office_confirmed(r)) {
		struct circular_draft d;
		if (circular_draft_find(r->db, &r->arena, id, &d, &e) != 0) {
			page_error(r, &e);
			return;
		}
		const char *what[] = {
			arena_printf(&r->arena, _("The letter \u201c%s\u201d gets the next number of its series and "
						  "today's date, and is published on its page."),
				     d.subject),
			_("It cannot be changed afterwards: a mistake is corrected by a corrigendum."), NULL};
		office_confirm_page(r, _("Issue this letter?"), what,
				    arena_printf(&r->arena, "/office/letters/%lld/issue", (long long)id),
				    _("Issue the letter"), arena_printf(&r->arena, "/office/letters/%lld", (long long)id));
		return;
	}
	struct actor who = auth_actor(r);
	if (circular_issue(r->db, &r->arena, &who, id, &letter, &e) != 0) {
		letter_page(r, id, "letter", &e);
		return;
	}
	page_circular_pdf_after_issue(r, letter);
	reply_redirect(r, arena_printf(&r->arena, "/letters/%lld", (long long)letter));
}

/* POST /office/processes/{slug}/letterhead (multipart): the address block, and the logo if one is sent. */
void page_office_letterhead(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const struct form_file *logo = r->form ? form_file(r->form, "logo") : NULL;
	struct actor who = auth_actor(r);
	if (circular_letterhead_set(r->db, &r->arena, &who, p.body, office_field(r, "address"), office_field(r, "pattern"),
				    logo && logo->len ? logo->data : NULL, logo ? logo->len : 0, &e) != 0) {
		office_process_page(r, p.slug, "letterhead", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/processes/%s?done=letterhead#office-letters", p.slug));
}

/* A row of the distribution's table: addresses, sent, pending (not sent, not failed), failed. */
static void distribution_row(struct request *r, const char *group, const char *purpose, int64_t addresses,
			     int64_t sent, int64_t failed)
{
	html_printf(&r->out, "<tr><th scope=\"row\">%s</th><td>%s</td><td>%L</td><td>%L</td><td>%L</td><td>%L</td></tr>\n",
		    group, purpose, (long long)addresses, (long long)sent, (long long)(addresses - sent - failed),
		    (long long)failed);
}

/* GET /office/circulars/{id}: an issued letter for the secretariat: where its mails stand (sent, pending,
 * failed), its recipients by category, and links to its public page and its PDF. */
void page_office_circular(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id, size = 0;
	struct circular c;
	struct process p;
	struct circular_distribution dist;
	struct circular_recipient_group *groups = NULL;
	int ngroups = 0;
	if (!page_circular_route(r, &id))
		return;
	if (circular_find(r->db, &r->arena, id, &c, &e) != 0 || process_find_id(r->db, &r->arena, c.process_id, &p, &e) != 0 ||
	    circular_distribution(r->db, id, &dist, &e) != 0 ||
	    circular_distribution_groups(r->db, &r->arena, id, &groups, &ngroups, &e) != 0) {
		page_error(r, &e);
		return;
	}
	char sha[65] = "";
	struct error none;
	error_clear(&none);
	const bool kept = circular_pdf_find(r->db, &r->arena, id, NULL, sha, &size, NULL, &none) == 0;
	office_begin(r, arena_printf(&r->arena, _("Circular letter %s: distribution"), c.reference), NULL);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
		    "<a href=\"/office/processes/%u#office-letters\">%s</a></nav>\n<h1>",
		    _("Breadcrumb"), _("Back office"), p.slug, p.title);
	html_tr(&r->out, "Circular letter %s", c.reference);
	html_printf(&r->out, "</h1>\n<p>");
	html_tr(&r->out, "%s, issued on %s. <a href=\"/letters/%L\">Its public page</a>.",
		c.subject, page_date(r, c.date), (long long)id);
	html_printf(&r->out, "</p>\n<p class=\"pdf\">");
	if (kept)
		html_tr(&r->out,
			"<a href=\"/letters/%L/letter.pdf\">The letter as PDF</a> (%L bytes; SHA-256 "
			"<code class=\"sha256\">%s</code>)",
			(long long)id, (long long)size, sha);
	else
		html_tr(&r->out,
			"The PDF is not made yet: the mail sender makes it before the letter's mails go "
			"(<a href=\"/letters/%L/letter.pdf\">make it now</a>).",
			(long long)id);
	html_printf(&r->out, "</p>\n");
	/* its texts in other languages, each with its page and its PDF (made by the sender before the mails in
	 * that language go, or when first asked for) */
	if (c.ntexts)
		html_printf(&r->out, "<ul class=\"texts\">\n");
	for (int i = 0; i < c.ntexts; i++) {
		const char *l = c.texts[i].language;
		html_printf(&r->out, "<li>");
		if (circular_pdf_find(r->db, &r->arena, id, l, sha, &size, NULL, &none) == 0)
			html_tr(&r->out,
				"<a href=\"/letters/%L?text=%s\">In %s</a>: <a href=\"/letters/%L/letter.pdf?text=%s\">its PDF</a> "
				"(%L bytes; SHA-256 <code class=\"sha256\">%s</code>)",
				(long long)id, l, page_language_name(l), (long long)id, l, (long long)size, sha);
		else
			html_tr(&r->out,
				"<a href=\"/letters/%L?text=%s\">In %s</a>: <a href=\"/letters/%L/letter.pdf?text=%s\">its PDF</a> "
				"(not made yet)",
				(long long)id, l, page_language_name(l), (long long)id, l);
		html_printf(&r->out, "</li>\n");
	}
	if (c.ntexts)
		html_printf(&r->out, "</ul>\n");
	html_printf(&r->out, "<section aria-labelledby=\"distribution\"><h2 id=\"distribution\">%s</h2>\n<p>",
		    _("Distribution"));
	html_tr(&r->out,
		"One mail per address, with the PDF attached, through the outbox. Pending: not sent yet (%L of them "
		"queued in the outbox, the others wait for the sender's next batch).",
		(long long)(dist.queued - dist.sent - dist.failed));
	html_printf(&r->out, "</p>\n<table class=\"office distribution\">\n<caption>");
	html_tr(&r->out, "Mails of %s, by recipients", c.reference);
	html_printf(&r->out,
		    "</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n"
		    "<tbody>\n",
		    _("Recipients"),
		    /* TRANSLATORS: column header: whether the recipients were addressed for action or for information */
		    _("Addressed"), _("Addresses"),
		    /* TRANSLATORS: column header: mails sent */
		    _("Sent"),
		    /* TRANSLATORS: column header: mails not sent yet */
		    _("Pending"),
		    /* TRANSLATORS: column header: mails that could not be delivered */
		    _("Failed"));
	for (int i = 0; i < ngroups; i++) {
		const struct circular_recipient_group *g = &groups[i];
		if (!g->slug)
			distribution_row(r, _("Subscribers of the process"), "", g->addresses, g->sent, g->failed);
		else
			distribution_row(r, arena_printf(&r->arena, _("Stakeholders: %s"), g->name),
					 g->purpose == CIRCULAR_ACTION ? _("For action") : _("For information"), g->addresses,
					 g->sent, g->failed);
	}
	html_printf(&r->out, "</tbody>\n<tfoot>\n");
	distribution_row(r, _("Every address, each once"), "", dist.addresses, dist.sent, dist.failed);
	html_printf(&r->out, "</tfoot>\n</table>\n<p>%s</p>\n</section>\n",
		    _("An address in two groups (a subscriber who is also a registered stakeholder) is counted in each "
		      "group, and once in the total."));
	page_end(r, 200);
}
