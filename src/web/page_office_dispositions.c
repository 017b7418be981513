/*
 * page_office_dispositions — the secretariat answers the comments of a call:
 * /office/calls/{id}/dispositions shows how many comments still have no
 * answer, per paragraph, then the comments grouped by paragraph, identical
 * comments (the same text from several senders) shown once with "N senders"
 * and answered once for all, each with a form (decision, reason, optional
 * paragraph of the later version); a form to answer many at once (by
 * paragraph, type or category); a form to upload the resolution matrix back,
 * filled in (core/disposition_upload.h), whose answer is a page of what became
 * of each row; and the button that publishes the answers, refused with the
 * count while some remain.
 *
 * Every form goes through core/disposition.h, as the JSON API does.
 */
#include "web/page_office.h"

#include "core/disposition.h"
#include "core/disposition_upload.h"
#include "core/limits.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

/* What answering many did, from the counts in the address (&applied=N&unchanged=N&kept=N). */
static const char *many_said(struct request *r, const struct call *c)
{
	int64_t applied = 0, unchanged = 0, kept = 0;
	const char *v;
	if ((v = request_query(r, "applied")))
		parse_id(v, &applied);
	if ((v = request_query(r, "unchanged")))
		parse_id(v, &unchanged);
	if ((v = request_query(r, "kept")))
		parse_id(v, &kept);
	const char *out = arena_printf(
	    &r->arena, i18n_n("%lld comment on '%s' answered.", "%lld comments on '%s' answered.", applied),
	    (long long)applied, c->title);
	if (out && unchanged)
		out = arena_printf(&r->arena, "%s %s", out,
		                   arena_printf(&r->arena,
		                                i18n_n("%lld selected comment already had this answer.",
		                                       "%lld selected comments already had this answer.", unchanged),
		                                (long long)unchanged));
	if (out && kept)
		out =
		    arena_printf(&r->arena, "%s %s", out,
		                 arena_printf(&r->arena,
		                              i18n_n("%lld selected comment already had another answer, kept as it "
		                                     "was (tick \"Also replace the answers already given\" to change "
		                                     "it).",
		                                     "%lld selected comments already had another answer, kept as they "
		                                     "were (tick \"Also replace the answers already given\" to change "
		                                     "them).",
		                                     kept),
		                              (long long)kept));
	return out ? out : "";
}

/* The confirmation of ?done=, naming the call (and the comment for one answer), as the database has it. */
static void dispositions_said(struct request *r, const struct call *c, int64_t published)
{
	const char *done = request_query(r, "done"), *comment = request_query(r, "comment");
	int64_t id = 0, of = 0;
	struct error e;
	error_clear(&e);
	if (!done)
		return;
	if (!strcmp(done, "published") && published)
		office_said(r, arena_printf(&r->arena,
		                            _("Answers to the comments on '%s' published: the public sees them "
		                              "with each comment, and they no longer change."),
		                            c->title));
	else if (!strcmp(done, "many"))
		office_said(r, many_said(r, c));
	else if ((!strcmp(done, "recorded") || !strcmp(done, "unchanged")) && comment && parse_id(comment, &id) &&
	         disposition_comment_call(r->db, id, &of, &e) == 0 && of == c->id)
		office_said(r, !strcmp(done, "recorded")
		                   ? arena_printf(&r->arena, _("Answer to comment %lld on '%s' recorded."),
		                                  (long long)id, c->title)
		                   : arena_printf(&r->arena,
		                                  _("The answer to comment %lld was the same as before: nothing "
		                                    "changed."),
		                                  (long long)id));
}

static const char *const DECISIONS[][2] = {
    {"accepted", N_("Accepted")},
    {"accepted_in_part", N_("Accepted in part")},
    {"not_accepted", N_("Not accepted")},
    {"noted", N_("Noted")},
    {NULL, NULL},
};

static const char *const SELECT_BY[][2] = {
    {"paragraph", N_("Paragraph (its number on the page, such as \u00b63; empty: the general comments)")},
    {"type", N_("Type (general, technical or editorial)")},
    {"category", N_("Category of the senders (its slug)")},
    {NULL, NULL},
};

/* A table of choices with its labels (marked N_()) in the reader's language, in the arena; the table itself
 * when memory runs out (English then). */
static const char *const (*choices_tr(struct request *r, const char *const table[][2]))[2]
{
	int n = 0;
	while (table[n][0])
		n++;
	const char *(*t)[2] = arena_alloc(&r->arena, (size_t)(n + 1) * sizeof *t);
	if (!t)
		return table;
	for (int i = 0; i <= n; i++) {
		t[i][0] = table[i][0];
		t[i][1] = table[i][1] ? _(table[i][1]) : NULL;
	}
	return (const char *const(*)[2])t;
}

/* The fields of an answer: decision, reason, and the paragraph of the later version when there is one to name
 * (later: a published version after the call's) or the answer names one already. */
static void answer_fields(struct request *r, const struct office_form *f, const struct disposition *d, bool later)
{
	office_radios(r, f, "decision", _("Decision"), choices_tr(r, DECISIONS),
	              d ? disposition_decision_name(d->decision) : NULL);
	office_textarea(r, f, "reason", _("Reason"), _("Required. Published with the answer."), d ? d->reason : NULL,
	                2);
	if (later || (d && d->pid) || office_value(f, "paragraph", NULL))
		office_input(r, f, "paragraph", _("Paragraph of the new version (optional)"),
		             _("Where the text landed, such as p4, in the newest published version after this one."),
		             d ? d->pid : NULL, "text", 32);
}

/* The form that uploads the filled matrix back; its error, if it came back with one. */
static void upload_section(struct request *r, int64_t id, const char *failed, const struct error *e)
{
	const char *err = failed && !strcmp(failed, "upload") && e ? error_field_message(e, "file") : NULL;
	html_printf(&r->out, "<section aria-labelledby=\"upload\"><h2 id=\"upload\">%s</h2>\n<p>",
	            _("Upload the filled matrix"));
	/* TRANSLATORS: the matrix's column names (Decision, Observations of the secretariat, New paragraph, Comment
	 * id) and decisions are the file's own, in English: keep them as they are. */
	html_tr(&r->out,
	        "Download the <a href=\"/office/calls/%L/matrix.xlsx\">matrix (XLSX)</a> or its "
	        "<a href=\"/office/calls/%L/matrix.csv\">CSV</a>, fill in the columns Decision (Accepted, Accepted "
	        "in part, Not accepted or Noted), Observations of the secretariat (the reason) and, where the text "
	        "landed, New paragraph (such as \u00b64 of Revised draft), and upload it here. Rows are matched by "
	        "Comment id; the other columns are not read, and may be moved or added. Rows left blank are not "
	        "answered. The valid rows are applied even when others are refused; the next page lists "
	        "each refused row with the reason.",
	        (long long)id, (long long)id);
	html_printf(&r->out, "</p>\n");
	office_form_open(r, arena_printf(&r->arena, "/office/calls/%lld/dispositions/matrix", (long long)id), true);
	html_printf(
	    &r->out,
	    "<div class=\"field%s\"><label for=\"f-upload-file\">%s</label>\n<p class=\"hint\" id=\"h-upload-file\">",
	    err ? " invalid" : "", _("The filled matrix (XLSX or CSV)"));
	html_tr(&r->out, "At most %d MiB and %d rows.", LIMIT_MATRIX_FILE / (1024 * 1024), LIMIT_MATRIX_ROWS);
	html_printf(&r->out, "</p>\n");
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-upload-file\">%s</p>\n", err);
	html_printf(&r->out,
	            "<input id=\"f-upload-file\" name=\"file\" type=\"file\" accept=\".xlsx,.csv,text/csv,"
	            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\" aria-describedby=\"%R\"%R>"
	            "</div>\n<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
	            err ? "e-upload-file h-upload-file" : "h-upload-file", err ? " aria-invalid=\"true\"" : "",
	            _("Upload the answers"));
}

/* The page of call id's answers, its comments from the offset-th group of identical ones (from 0) until
 * LIMIT_PAGE_BYTES; failed names the form that came back with e. */
static void dispositions_page(struct request *r, int64_t id, int64_t offset, const char *failed, const struct error *e)
{
	struct error le;
	error_clear(&le);
	struct call c;
	struct disposition_item *items;
	struct disposition_remaining *rem;
	int n, nrem, total;
	int64_t published = 0, later = 0;
	if (call_find(r->db, &r->arena, id, &c, &le) != 0 ||
	    disposition_published_at(r->db, id, &published, &le) != 0 ||
	    disposition_later_version(r->db, id, &later, &le) != 0 ||
	    disposition_comments(r->db, &r->arena, id, &items, &n, &le) != 0 ||
	    disposition_remaining(r->db, &r->arena, id, &rem, &nrem, &total, &le) != 0) {
		page_error(r, &le);
		return;
	}
	office_begin(r, arena_printf(&r->arena, _("Answers to the comments on %s"), c.title), e);
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
	            "<a href=\"/office/processes/%u\">%s</a> \u203a <a href=\"/office/calls/%L\">%s</a></nav>\n<h1>",
	            _("Breadcrumb"), _("Back office"), c.process_slug, c.process_title, (long long)c.id, c.title);
	html_tr(&r->out, "Answers to the comments on %s", c.title);
	html_printf(&r->out, "</h1>\n");
	dispositions_said(r, &c, published);
	office_error_summary(r, e, failed ? failed : "", _("Nothing was changed"));
	if (published) {
		html_printf(&r->out, "<p>");
		html_tr(&r->out, "The answers were published on %s; they no longer change.",
		        page_instant_utc(r, published));
		html_printf(&r->out, "</p>\n");
	}
	html_printf(&r->out, "<section aria-labelledby=\"remaining\"><h2 id=\"remaining\">");
	html_tr(&r->out, "Without an answer: %d", total);
	html_printf(&r->out, "</h2>\n");
	if (nrem) {
		html_printf(&r->out, "<ul class=\"remaining\">\n");
		for (int i = 0; i < nrem; i++) {
			/* a paragraph as people number it, ¶N, as its section below is headed (its id is internal) */
			const char *where = rem[i].pid ? rem[i].pid : _("General comments");
			for (int k = 0; rem[i].pid && k < n; k++)
				if (items[k].pid && items[k].number > 0 && !strcmp(items[k].pid, rem[i].pid)) {
					where = arena_printf(&r->arena, "\u00b6%d", items[k].number);
					break;
				}
			html_printf(&r->out, "<li>%s: %d</li>\n", where, rem[i].count);
		}
		html_printf(&r->out, "</ul>\n");
	}
	html_printf(&r->out, "</section>\n");

	/* The comments, by paragraph; identical texts once, with their senders. */
	bool *shown = arena_alloc(&r->arena, (size_t)(n ? n : 1) * sizeof *shown);
	const char **norm = arena_alloc(&r->arena, (size_t)(n ? n : 1) * sizeof *norm);
	if (!shown || !norm) {
		error_set(&le, ERROR_UNAVAILABLE, "out of memory");
		page_error(r, &le);
		return;
	}
	for (int i = 0; i < n; i++) {
		shown[i] = false;
		norm[i] = disposition_normalized(&r->arena, items[i].comment);
	}
	const char *section = NULL;
	bool open_section = false;
	const size_t start = r->out.len;
	int64_t group = -1, next = 0; /* next: the first group left for the next page, 0 if none */
	for (int i = 0; i < n; i++) {
		if (shown[i])
			continue;
		const struct disposition_item *x = &items[i];
		const char *here = x->pid ? x->pid : "";
		group++;
		if (group < offset || next) {
			for (int j = i; j < n; j++)
				if (!shown[j] && norm[i] && norm[j] && !strcmp(norm[i], norm[j]))
					shown[j] = true;
			continue;
		}
		if (!section || strcmp(section, here) != 0) {
			if (open_section)
				html_printf(&r->out, "</section>\n");
			section = here;
			open_section = true;
			if (x->pid)
				html_printf(&r->out,
				            "<section aria-labelledby=\"s-%s\"><h2 id=\"s-%s\">\u00b6%d (%s)</h2>\n",
				            x->pid, x->pid, x->number, x->pid);
			else
				html_printf(&r->out,
				            "<section aria-labelledby=\"s-general\"><h2 id=\"s-general\">%s</h2>\n",
				            _("General comments"));
		}
		int senders = 0;
		for (int j = i; j < n; j++)
			if (!shown[j] && norm[i] && norm[j] && !strcmp(norm[i], norm[j])) {
				shown[j] = true;
				senders++;
			}
		const char *key = arena_printf(&r->arena, "c%lld", (long long)x->comment_id);
		struct office_form f = office_form_for(key, failed, e, r->form);
		html_printf(&r->out, "<div class=\"office-item\" id=\"c-%L\"><h3>", (long long)x->comment_id);
		enum comment_type type = COMMENT_GENERAL;
		(void)comment_type_parse(x->type, &type); /* the store's CHECK allows only the three */
		html_tr(&r->out, "Comment %L (%s) from %s, %s", (long long)x->comment_id, page_comment_type_text(type),
		        x->name, x->tracking);
		html_printf(&r->out, "</h3>\n<blockquote>%s</blockquote>\n", x->comment);
		if (*x->proposed_change)
			html_printf(&r->out, "<p>%s</p><blockquote>%s</blockquote>\n", _("Proposed change:"),
			            x->proposed_change);
		if (senders > 1) {
			html_printf(&r->out, "<p>");
			html_tr_n(&r->out, "<strong>%d sender</strong> sent this comment: one answer for all.",
			          "<strong>%d senders</strong> sent this comment: one answer for all.",
			          (unsigned long)senders, senders);
			html_printf(&r->out, "</p>\n");
		}
		if (x->answered) {
			html_printf(&r->out, "<p>");
			html_tr(&r->out, "Answer (revision %d): %s. %s", x->d.revision, _(DECISIONS[x->d.decision][1]),
			        x->d.reason);
			html_printf(&r->out, "</p>\n");
		}
		if (!published) {
			office_form_open(r, arena_printf(&r->arena, "/office/calls/%lld/dispositions", (long long)id),
			                 false);
			html_printf(&r->out, "<input type=\"hidden\" name=\"%s\" value=\"%L\">\n",
			            senders > 1 ? "same_as" : "comment", (long long)x->comment_id);
			answer_fields(r, &f, x->answered ? &x->d : NULL, later != 0);
			html_printf(&r->out, "<p><button type=\"submit\">");
			if (senders > 1)
				html_tr(&r->out,
				        "Answer for all senders<span class=\"visually-hidden\"> comment %L</span>",
				        (long long)x->comment_id);
			else
				html_tr(&r->out, "Answer<span class=\"visually-hidden\"> comment %L</span>",
				        (long long)x->comment_id);
			html_printf(&r->out, "</button></p>\n</form>\n");
		}
		html_printf(&r->out, "</div>\n");
		if (r->out.len - start > LIMIT_PAGE_BYTES)
			next = group + 1; /* the rest on the next page: one answer is never cut */
	}
	if (open_section)
		html_printf(&r->out, "</section>\n");
	if (!n)
		html_printf(&r->out, "<p>%s</p>\n", _("This call has no comments."));
	if (offset > 0 || next) {
		html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages"));
		if (offset > 0)
			html_printf(&r->out, "<a rel=\"first\" href=\"?offset=0\">%s</a> ", _("First comments"));
		if (next)
			html_printf(&r->out, "<a rel=\"next\" href=\"?offset=%L\">%s</a>", (long long)next,
			            _("Next comments"));
		html_printf(&r->out, "</nav>\n");
	}

	if (!published) {
		struct office_form f = office_form_for("many", failed, e, r->form);
		html_printf(&r->out, "<section aria-labelledby=\"many\"><h2 id=\"many\">%s</h2>\n",
		            _("Answer many at once"));
		office_form_open(r, arena_printf(&r->arena, "/office/calls/%lld/dispositions", (long long)id), false);
		html_printf(&r->out, "<input type=\"hidden\" name=\"many\" value=\"1\">\n");
		office_select(r, &f, "by", _("Select the comments by"), choices_tr(r, SELECT_BY),
		              office_value(&f, "by", "paragraph"));
		office_input(r, &f, "select", _("Which"), _("The paragraph's id, the type, or the category's slug."),
		             NULL, "text", 64);
		answer_fields(r, &f, NULL, later != 0);
		office_checkbox(r, &f, "replace",
		                _("Also replace the answers already given (otherwise only the selected "
		                  "comments without an answer are answered)"),
		                office_value(&f, "replace", NULL) != NULL);
		html_printf(&r->out, "<p><button type=\"submit\">%s</button></p>\n</form>\n</section>\n",
		            _("Answer the selected comments"));
		upload_section(r, id, failed, e);
		html_printf(&r->out, "<section aria-labelledby=\"publish\"><h2 id=\"publish\">%s</h2>\n<p>%s</p>\n",
		            _("Publish the answers"),
		            _("Once published, the answers are public with each comment and no longer change."));
		office_form_open(r, arena_printf(&r->arena, "/office/calls/%lld/dispositions/publish", (long long)id),
		                 false);
		html_printf(
		    &r->out,
		    "<p><button type=\"submit\" id=\"f-publish-publish\">%s</button></p>\n</form>\n</section>\n",
		    _("Publish the dispositions"));
	}
	page_end(r, office_status(e));
}

static bool path_call(struct request *r, int64_t *id)
{
	return page_route_id(r, id, _("There is no such call for contributions."));
}

void page_office_dispositions(struct request *r)
{
	int64_t id, offset = 0;
	if (!path_call(r, &id))
		return;
	/* ?offset=N: from the N-th comment (identical ones counted once), where the page before stopped */
	const char *o = request_query(r, "offset");
	if (o && (!parse_id(o, &offset) || offset > 100000000))
		offset = 0;
	dispositions_page(r, id, offset, NULL, NULL);
}

void page_office_dispositions_record(struct request *r)
{
	int64_t id, comment = 0, same_as = 0;
	if (!path_call(r, &id))
		return;
	struct error e;
	error_clear(&e);
	struct disposition_input in = {.decision = office_field(r, "decision"),
	                               .reason = office_field(r, "reason"),
	                               .paragraph = office_field(r, "paragraph")};
	struct actor who = auth_actor(r);
	const char *key = "many", *done = "many";
	const char *c = office_field(r, "comment"), *s = office_field(r, "same_as");
	if ((c && !parse_id(c, &comment)) || (!c && s && !parse_id(s, &same_as))) {
		/* not from our page: never read as a selection of many */
		error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such comment in this call."));
	} else if (c) {
		key = arena_printf(&r->arena, "c%lld", (long long)comment);
		int64_t of = 0;
		struct disposition d;
		bool unchanged = false;
		/* a comment of this call only: the form came from its page */
		if (disposition_comment_call(r->db, comment, &of, &e) == 0 && of != id)
			error_set(&e, ERROR_NOT_FOUND, "%s", _("There is no such comment in this call."));
		if (!e.code && disposition_record(r->db, &r->arena, &who, comment, &in, &d, &unchanged, &e) == 0)
			done = unchanged ? "unchanged" : "recorded";
	} else {
		struct disposition_selection sel = {0};
		if (s) {
			key = arena_printf(&r->arena, "c%lld", (long long)same_as);
			sel.same_as = same_as;
		} else {
			const char *by = office_field(r, "by"), *which = office_field(r, "select");
			which = which ? which : "";
			if (!office_field(r, "many"))
				error_field(&e, "select", "%s", _("Choose the comments to answer."));
			else if (by && !strcmp(by, "type"))
				sel.type = which;
			else if (by && !strcmp(by, "category"))
				sel.category = which;
			else if (by && !strcmp(by, "paragraph"))
				sel.paragraph = which;
			else
				error_field(&e, "by", "%s", _("Select the comments by paragraph, type or category."));
		}
		sel.unanswered_only = !s && !office_field(r, "replace");
		int applied, unchanged, kept;
		if (!e.code && disposition_record_many(r->db, &r->arena, &who, id, &sel, &in, &applied, &unchanged,
		                                       &kept, &e) == 0)
			done =
			    arena_printf(&r->arena, "many&applied=%d&unchanged=%d&kept=%d", applied, unchanged, kept);
	}
	if (e.code) {
		if (!strcmp(e.code, ERROR_NOT_FOUND))
			page_error(r, &e);
		else
			dispositions_page(r, id, 0, key, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/calls/%lld/dispositions?done=%s%s", (long long)id, done,
	                               comment ? arena_printf(&r->arena, "&comment=%lld", (long long)comment) : ""));
}

void page_office_dispositions_publish(struct request *r)
{
	int64_t id;
	if (!path_call(r, &id))
		return;
	struct error e;
	error_clear(&e);
	/* Publishing the answers cannot be undone: the first POST asks, unless it would be refused anyway
	 * (answers missing, or published already), when the page says why at once. */
	struct call c;
	struct disposition_item *items;
	struct disposition_remaining *rem;
	int n = 0, nrem = 0, total = 0;
	int64_t published = 0;
	if (!office_confirmed(r) && call_find(r->db, &r->arena, id, &c, &e) == 0 &&
	    disposition_published_at(r->db, id, &published, &e) == 0 &&
	    disposition_comments(r->db, &r->arena, id, &items, &n, &e) == 0 &&
	    disposition_remaining(r->db, &r->arena, id, &rem, &nrem, &total, &e) == 0 && !published && total == 0) {
		const char *what[] = {
		    arena_printf(&r->arena,
		                 i18n_n("The answers to the %d comment on '%s' will be published.",
		                        "The answers to the %d comments on '%s' will be published.", (unsigned long)n),
		                 n, c.title),
		    _("The public sees each answer with its comment, on the version pages and in \u201cYou said, we "
		      "did\u201d, and the contributors who gave an e-mail address are told what became of their "
		      "comments."),
		    _("This cannot be undone: once published, the answers no longer change, and the e-mails are sent."),
		    NULL,
		};
		office_confirm_page(
		    r, arena_printf(&r->arena, _("Publish the answers to the comments on '%s'?"), c.title), what,
		    arena_printf(&r->arena, "/office/calls/%lld/dispositions/publish", (long long)id),
		    _("Publish the answers"),
		    arena_printf(&r->arena, "/office/calls/%lld/dispositions", (long long)id));
		return;
	}
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (disposition_publish(r->db, &r->arena, &who, id, &e) != 0) {
		if (!strcmp(e.code, ERROR_NOT_FOUND))
			page_error(r, &e);
		else
			dispositions_page(r, id, 0, "publish", &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/calls/%lld/dispositions?done=published", (long long)id));
}

/* The rows of one outcome as a table (row, comment, and the reason when refused), within a budget of bytes
 * of the page; the rest counted. */
static void upload_rows(struct request *r, const struct disposition_upload *u, enum upload_outcome which,
                        const char *title, size_t budget)
{
	int n = 0;
	for (int i = 0; i < u->nrows; i++)
		n += u->rows[i].outcome == which;
	if (!n)
		return;
	const char *slug = disposition_upload_outcome_name(which);
	html_printf(&r->out,
	            "<section aria-labelledby=\"rows-%s\"><h2 id=\"rows-%s\">%s: %d</h2>\n"
	            "<table class=\"upload-rows\"><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>",
	            slug, slug, title, n,
	            /* TRANSLATORS: a column: the row of the uploaded spreadsheet. */
	            _("Row"),
	            /* TRANSLATORS: a column: the comment's id. */
	            _("Comment"));
	if (which == UPLOAD_REFUSED)
		html_printf(&r->out, "<th scope=\"col\">%s</th>", _("Why"));
	html_printf(&r->out, "</tr></thead>\n<tbody>\n");
	const size_t start = r->out.len;
	int shown = 0;
	for (int i = 0; i < u->nrows && r->out.len - start < budget; i++) {
		const struct upload_row *x = &u->rows[i];
		if (x->outcome != which)
			continue;
		shown++;
		html_printf(&r->out, "<tr><td>%d</td><td>", x->row);
		if (x->comment_id)
			html_printf(&r->out, "%L", (long long)x->comment_id);
		html_printf(&r->out, "</td>");
		if (which == UPLOAD_REFUSED)
			html_printf(&r->out, "<td>%s</td>", x->reason ? x->reason : "");
		html_printf(&r->out, "</tr>\n");
	}
	html_printf(&r->out, "</tbody></table>\n");
	if (shown < n) {
		html_printf(&r->out, "<p>");
		html_tr_n(&r->out, "And %d more row not listed here.", "And %d more rows not listed here.",
		          (unsigned long)(n - shown), n - shown);
		html_printf(&r->out, "</p>\n");
	}
	html_printf(&r->out, "</section>\n");
}

void page_office_dispositions_upload(struct request *r)
{
	int64_t id;
	if (!path_call(r, &id))
		return;
	struct error e;
	error_clear(&e);
	struct call c;
	if (call_find(r->db, &r->arena, id, &c, &e) != 0) {
		page_error(r, &e);
		return;
	}
	const struct form_file *file = r->form ? form_file(r->form, "file") : NULL;
	struct actor who = auth_actor(r);
	struct disposition_upload u;
	if (!file)
		error_field(&e, "file", "%s", _("Choose the filled matrix to upload (XLSX or CSV)."));
	if (e.code ||
	    disposition_upload(r->db, &r->arena, &who, id, file->data, file->len, file->filename, &u, &e) != 0) {
		if (!strcmp(e.code, ERROR_NOT_FOUND))
			page_error(r, &e);
		else
			dispositions_page(r, id, 0, "upload", &e);
		return;
	}
	office_begin(r, arena_printf(&r->arena, _("Matrix uploaded: %s"), c.title), NULL);
	html_printf(&r->out,
	            "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a "
	            "<a href=\"/office/calls/%L\">%s</a> \u203a <a href=\"/office/calls/%L/dispositions\">%s</a>"
	            "</nav>\n<h1>%s</h1>\n<p>",
	            _("Breadcrumb"), _("Back office"), (long long)id, c.title, (long long)id,
	            /* TRANSLATORS: a breadcrumb's link: the answers to the comments of a call. */
	            _("Answers"), _("Matrix uploaded"));
	html_tr(&r->out, "%s (%s, header in row %d):", *file->filename ? file->filename : _("The file"),
	        sheet_format_name(u.format), u.header_row);
	html_printf(&r->out, "</p>\n<ul class=\"upload-counts\">\n<li id=\"count-applied\">");
	html_tr(&r->out, "Applied: %d", u.applied);
	html_printf(&r->out, "</li>\n<li id=\"count-unchanged\">");
	html_tr(&r->out, "Unchanged (the same answer as recorded): %d", u.unchanged);
	html_printf(&r->out, "</li>\n<li id=\"count-refused\">");
	html_tr(&r->out, "Refused: %d", u.refused);
	html_printf(&r->out, "</li>\n<li id=\"count-empty\">");
	html_tr(&r->out, "Left blank (not answered here): %d", u.empty);
	html_printf(&r->out, "</li>\n</ul>\n");
	if (u.refused)
		html_printf(&r->out, "<p>%s</p>\n",
		            _("The refused rows changed nothing; the others were applied. Correct the refused rows and "
		              "upload the file again: the rows applied now will be unchanged."));
	/* Refusals first and in full as far as a page goes; the rest only as far as a short list is useful. */
	upload_rows(r, &u, UPLOAD_REFUSED, _("Refused rows"), LIMIT_PAGE_BYTES / 2);
	upload_rows(r, &u, UPLOAD_APPLIED, _("Applied rows"), 64 * 1024);
	upload_rows(r, &u, UPLOAD_UNCHANGED, _("Unchanged rows"), 16 * 1024);
	html_printf(&r->out, "<p><a href=\"/office/calls/%L/dispositions\">%s</a></p>\n", (long long)id,
	            _("Back to the answers"));
	page_end(r, 200);
}
