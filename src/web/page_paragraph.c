/*
 * page_paragraph — comments on paragraphs as the public reads them: the text
 * of a version with, at each paragraph, how many published comments it has
 * and a "Comment on ¶N" link while a call on the version is open; the page
 * of one paragraph with its comments (made on this version, and carried
 * forward from earlier ones); and a contribution's list of comments.
 *
 * A comment made on an earlier version of the document is shown at the
 * paragraph of this version with the same id (the same paragraph), marked
 * "changed since" when its text is not the one commented on; when this
 * version has no paragraph with that id, it is listed under the comments on
 * removed paragraphs, never at another paragraph.
 *
 * Which language of a version's text a page shows is decided here for every
 * page that shows one (page_text_language: the version's page, a paragraph's,
 * two versions compared): the reader's when the version has a text in it,
 * else the version's own with a notice, and links to the others
 * (core/version_text.h). A comment is on its paragraph's id, the same in
 * every language.
 */
#include "core/account.h"
#include "core/call.h"
#include "core/comment.h"
#include "core/contribution.h"
#include "core/disposition.h"
#include "core/document.h"
#include "core/language.h"
#include "core/limits.h"
#include "core/paragraph.h"
#include "core/process.h"
#include "core/version_text.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "web/page.h"
#include "web/routes.h"

#include <stdlib.h>
#include <string.h>

const char *page_comment_type_text(enum comment_type t)
{
	switch (t) {
	/* TRANSLATORS: a type of comment on a paragraph. */
	case COMMENT_GENERAL: return _("General");
	/* TRANSLATORS: a type of comment on a paragraph. */
	case COMMENT_TECHNICAL: return _("Technical");
	/* TRANSLATORS: a type of comment on a paragraph: on the wording. */
	case COMMENT_EDITORIAL: return _("Editorial");
	}
	return comment_type_name(t);
}

/* How a decision reads. */
static const char *decision_text(enum disposition_decision d)
{
	switch (d) {
	/* TRANSLATORS: the secretariat's decision on a comment. */
	case DECISION_ACCEPTED: return _("Accepted");
	/* TRANSLATORS: the secretariat's decision on a comment. */
	case DECISION_ACCEPTED_IN_PART: return _("Accepted in part");
	/* TRANSLATORS: the secretariat's decision on a comment; the same words title an error page (409). */
	case DECISION_NOT_ACCEPTED: return _("Not accepted");
	/* TRANSLATORS: the secretariat's decision on a comment: taken note of. */
	case DECISION_NOTED: return _("Noted");
	}
	return disposition_decision_name(d);
}

/* A comment's answer: the decision in words, where the text landed, the reason. */
static void answer(struct request *r, const struct disposition *d)
{
	html_printf(&r->out, "<div class=\"disposition\"><p class=\"label\">");
	html_tr(&r->out, "Answer: <strong>%s</strong>", decision_text(d->decision));
	if (d->pid && d->version_id && d->number) {
		html_printf(&r->out, " \u00b7 ");
		/* TRANSLATORS: where the commented text is now: "now ¶4 of the Second draft". */
		html_tr(&r->out, "now <a href=\"/versions/%L#%u\">\u00b6%d of %s</a>", (long long)d->version_id, d->pid,
			d->number, d->version_label ? d->version_label : "");
	}
	html_printf(&r->out, "</p>\n<div class=\"text reason\">%s</div></div>\n", d->reason ? d->reason : "");
}

int page_dispositions_attach(struct request *r, struct contribution *items, int n, int64_t call_id, struct error *e)
{
	int64_t at = 0;
	if (!n || disposition_published_at(r->db, call_id, &at, e) != 0 || !at)
		return e->code ? -1 : 0;
	return disposition_attach(r->db, &r->arena, items, n, e);
}

void page_comments(struct request *r, const struct contribution *k, const char *heading)
{
	if (k->ncomments == 0)
		return;
	html_printf(&r->out, "<section class=\"comments\"><%R>", heading);
	html_tr(&r->out, "Comments (%d)", k->ncomments);
	html_printf(&r->out, "</%R>\n<ol class=\"comment-list\">\n", heading);
	for (int i = 0; i < k->ncomments; i++) {
		const struct comment *c = &k->comments[i];
		html_printf(&r->out, "<li class=\"comment\" id=\"comment-%L\"><p class=\"meta\">", (long long)c->id);
		if (c->pid && c->number)
			html_printf(&r->out, "<a href=\"/versions/%L/paragraphs/%u\">\u00b6%d</a>", (long long)c->version_id,
				    c->pid, c->number);
		else
			html_printf(&r->out, "%s", _("General comment"));
		html_printf(&r->out, " \u00b7 %s", page_comment_type_text(c->type));
		/* The secretariat sees the language it is written in (core/comment.h); everyone's browser is told. */
		if (c->language && *c->language && r->account && r->account->role == ACCOUNT_SECRETARIAT)
			html_printf(&r->out, " \u00b7 <span class=\"comment-language\" lang=\"%s\" translate=\"no\">%s</span>",
				    c->language, page_language_name(c->language)); /* its own name, as the switcher's */
		html_printf(&r->out, "</p>\n<div class=\"text\"%R%s%R>%s</div>\n", c->language && *c->language ? " lang=\"" : "",
			    c->language ? c->language : "", c->language && *c->language ? "\"" : "", c->comment);
		if (c->proposed_change && *c->proposed_change)
			html_printf(&r->out, "<p class=\"label\">%s</p>\n<div class=\"text change\">%s</div>\n",
				    _("Proposed change"), c->proposed_change);
		if (c->row > 0) {
			html_printf(&r->out, "<p class=\"meta\">");
			if (c->note)
				html_tr(&r->out, "Row %d of the comment table: %s", c->row, c->note);
			else
				html_tr(&r->out, "Row %d of the comment table", c->row);
			html_printf(&r->out, "</p>\n");
		}
		if (c->disposition)
			answer(r, c->disposition);
		html_printf(&r->out, "</li>\n");
	}
	html_printf(&r->out, "</ol>\n</section>\n");
}

/* The open call on a version, if any (the first). */
static bool open_call(struct request *r, int64_t version_id, int64_t *call_id)
{
	struct error e;
	error_clear(&e);
	return call_open_on_version(r->db, version_id, clock_now(), call_id, &e) == 1;
}

static int count_order(const void *a, const void *b)
{
	return strcmp(((const struct comment_count *)a)->pid, ((const struct comment_count *)b)->pid);
}

static const struct comment_count *count_of(const struct comment_count *counts, int n, const char *pid)
{
	const struct comment_count key = {.pid = pid};
	return n ? bsearch(&key, counts, (size_t)n, sizeof *counts, count_order) : NULL;
}

/* "3 comments, 2 on earlier versions", linked to the paragraph's page. */
static void count_link(struct request *r, int64_t version_id, const char *pid, int number,
		       const struct comment_count *k)
{
	const unsigned long total = (unsigned long)k->total;
	if (number)
		html_tr_n(&r->out,
			  "<a href=\"/versions/%L/paragraphs/%u\">%d comment<span class=\"visually-hidden\"> on \u00b6%d</span></a>",
			  "<a href=\"/versions/%L/paragraphs/%u\">%d comments<span class=\"visually-hidden\"> on \u00b6%d</span></a>",
			  total, (long long)version_id, pid, k->total, number);
	else
		html_tr_n(&r->out,
			  "<a href=\"/versions/%L/paragraphs/%u\">%d comment<span class=\"visually-hidden\"> on the removed "
			  "paragraph %s</span></a>",
			  "<a href=\"/versions/%L/paragraphs/%u\">%d comments<span class=\"visually-hidden\"> on the removed "
			  "paragraph %s</span></a>",
			  total, (long long)version_id, pid, k->total, pid);
	if (k->earlier == k->total && number)
		html_printf(&r->out, ", %s", i18n_n("on an earlier version", "all on earlier versions", total));
	else if (k->earlier && number) {
		html_printf(&r->out, ", ");
		html_tr_n(&r->out, "%d on earlier versions", "%d on earlier versions", (unsigned long)k->earlier, k->earlier);
	}
}

void page_version_text(struct request *r, const struct version *v, const struct document *doc)
{
	struct error e;
	error_clear(&e);
	struct comment_count *counts = NULL;
	int ncounts = 0;
	/* One query for the counts of the whole page (and none for the paragraphs: their ids and numbers are in
	 * the page's HTML). */
	if (comment_counts(r->db, &r->arena, doc->id, v->id, &counts, &ncounts, &e) != 0)
		ncounts = 0; /* the text still shows, without its counts */
	if (ncounts)
		qsort(counts, (size_t)ncounts, sizeof *counts, count_order);
	bool *seen = ncounts ? arena_alloc(&r->arena, sizeof *seen * (size_t)ncounts) : NULL;
	if (seen)
		memset(seen, 0, sizeof *seen * (size_t)ncounts);
	int64_t call_id = 0;
	const bool open = open_call(r, v->id, &call_id);

	/* The page's HTML was written once, at posting (render/markdown.c): each paragraph is
	 * <div class="para" id="PID"><a class="pnum" href="#PID" aria-label="Paragraph N">N</a><div class="ptext">
	 * ...</div></div>; the comment line goes after its ptext. cmark writes no <div> of its own (raw HTML is
	 * dropped), so the first "</div></div>" after a paragraph's start is its end. */
	html_printf(&r->out, "<article class=\"document\" aria-label=\"%s\">\n", _("Text of the version"));
	static const char start[] = "<div class=\"para\" id=\"", end[] = "</div></div>", label[] = "aria-label=\"Paragraph ";
	const char *h = v->html ? v->html : "";
	for (;;) {
		const char *p = strstr(h, start);
		const char *close = p ? strstr(p, end) : NULL;
		if (!p || !close) {
			html_printf(&r->out, "%R", h);
			break;
		}
		const char *pid = p + sizeof start - 1;
		const char *q = strchr(pid, '"');
		const char *l = strstr(pid, label);
		int number = 0;
		for (const char *d = l && l < close ? l + sizeof label - 1 : ""; *d >= '0' && *d <= '9' && number < 1000000;
		     d++)
			number = number * 10 + (*d - '0');
		const size_t inner = (size_t)(close - h) + 6; /* through the ptext's </div> */
		html_printf(&r->out, "%R", arena_strndup(&r->arena, h, inner));
		h += inner;
		const char *id = q && q < close ? arena_strndup(&r->arena, pid, (size_t)(q - pid)) : NULL;
		const struct comment_count *c = id ? count_of(counts, ncounts, id) : NULL;
		if (c && seen)
			seen[c - counts] = true;
		if (!id || (!c && !open))
			continue;
		html_printf(&r->out, "<p class=\"pcomments\">");
		if (c)
			count_link(r, v->id, id, number, c);
		if (open && number)
		{
			html_printf(&r->out, "%R", c ? " \u00b7 " : "");
			html_tr(&r->out, "<a href=\"/calls/%L/contribute?paragraph=%u\">Comment on \u00b6%d</a>",
				(long long)call_id, id, number);
		}
		html_printf(&r->out, "</p>");
	}
	html_printf(&r->out, "</article>\n");

	/* Comments whose paragraph this version no longer has. */
	int removed = 0;
	for (int i = 0; i < ncounts; i++) {
		if (!seen || seen[i])
			continue;
		if (!removed++)
			html_printf(&r->out,
				    "<section aria-labelledby=\"removed\" class=\"removed-comments\">"
				    "<h2 id=\"removed\">%s</h2>\n"
				    "<p>%s</p>\n<ul>\n",
				    _("Comments on removed paragraphs"), _("These paragraphs of earlier versions are not in this one."));
		html_printf(&r->out, "<li>");
		html_tr(&r->out, "Paragraph %s:", counts[i].pid);
		html_printf(&r->out, " ");
		count_link(r, v->id, counts[i].pid, 0, &counts[i]);
		html_printf(&r->out, " \u2014 %s</li>\n", _("this paragraph was removed"));
	}
	if (removed)
		html_printf(&r->out, "</ul>\n</section>\n");
}

const char *page_text_reader(struct request *r)
{
	char asked[LANGUAGE_TAG_LEN];
	language_tag_normalize(request_query(r, "text"), asked);
	if (*asked)
		return arena_strdup(&r->arena, asked);
	const char *reader = i18n_current() ? i18n_current() : I18N_DEFAULT;
	return strcmp(reader, I18N_PSEUDO) ? reader : I18N_DEFAULT; /* the pseudo-locale reads English content */
}

const char *page_text_language(struct request *r, const int64_t *versions, int n, const struct process *p,
			       const char *base)
{
	const char *reader = page_text_reader(r);
	struct version_text_choice c;
	struct error e;
	error_clear(&e);
	if (version_text_choose(r->db, &r->arena, versions, n, p->languages, reader, &c, &e) != 0)
		return c.own ? c.own : I18N_DEFAULT; /* the versions' own text still shows */
	page_text_notice(r, n > 1 ? PAGE_TEXT_COMPARISON : PAGE_TEXT_VERSION, c.missing, c.own,
			 (const char *const *)c.others, c.nothers, base);
	return c.shown;
}

void page_text_begin(struct request *r, const char *lang)
{
	const struct i18n_language *l = i18n_find(lang);
	/* its own direction, always: an English text on an Arabic page inherited right to left, and its full stops
	 * went to its lines' other end */
	html_printf(&r->out, "<div lang=\"%s\" dir=\"%s\">\n", lang, l && l->rtl ? "rtl" : "ltr");
}

/* One published comment on the paragraph's page. */
static void paragraph_comment(struct request *r, const struct comment *c, const struct paragraph *now)
{
	html_printf(&r->out, "<li class=\"comment\" id=\"comment-%L\"><p class=\"meta\">%s \u00b7 ", (long long)c->id,
		    page_comment_type_text(c->type));
	if (c->author)
		html_printf(&r->out, "%s", c->author);
	else
		html_printf(&r->out, "%s", _("Anonymous"));
	html_printf(&r->out, " \u00b7 <a href=\"/contributions/%u\">%s</a>", c->tracking, c->tracking);
	if (now && c->version_id != now->version_id) {
		const bool same = c->commented_text && !strcmp(c->commented_text, now->text);
		/* %R: the mark is our own fragment, not text to escape. */
		html_printf(&r->out, " \u00b7 ");
		/* TRANSLATORS: the version a comment was made on: "on Second draft". */
		html_tr(&r->out, "<a href=\"/versions/%L\">on %s</a>", (long long)c->version_id,
			c->version_label ? c->version_label : _("an earlier version"));
		if (!same)
			html_printf(&r->out, " <strong class=\"changed\">%s</strong>",
				    _("the paragraph has changed since"));
	} else if (!now) {
		html_printf(&r->out, " \u00b7 ");
		html_tr(&r->out, "<a href=\"/versions/%L\">on %s</a>", (long long)c->version_id,
			c->version_label ? c->version_label : _("an earlier version"));
		html_printf(&r->out, " <strong class=\"removed\">%s</strong>", _("this paragraph was removed"));
	}
	html_printf(&r->out, "</p>\n<div class=\"text\">%s</div>\n", c->comment);
	if (c->proposed_change && *c->proposed_change)
		html_printf(&r->out, "<p class=\"label\">%s</p>\n<div class=\"text change\">%s</div>\n",
			    _("Proposed change"), c->proposed_change);
	if (c->commented_text && (!now || strcmp(c->commented_text, now->text))) {
		html_printf(&r->out, "<details><summary>");
		html_tr(&r->out, "The paragraph as it was commented on (\u00b6%d of %s)", c->number,
			c->version_label ? c->version_label : _("an earlier version"));
		html_printf(&r->out, "</summary><div class=\"text\">%s</div></details>\n", c->commented_text);
	}
	if (c->disposition)
		answer(r, c->disposition);
	html_printf(&r->out, "</li>\n");
}

/* Attaches their answers to a page of a paragraph's comments (of several contributions, perhaps of several
 * calls): one query for the answers, then one per call to keep only those whose call has published its
 * dispositions. Nothing shows when a query fails: the comments still do. */
static void paragraph_answers(struct request *r, struct comment *cs, int n)
{
	struct error e;
	error_clear(&e);
	struct contribution *ks = n ? arena_alloc(&r->arena, sizeof *ks * (size_t)n) : NULL;
	if (!ks)
		return;
	for (int i = 0; i < n; i++) {
		memset(&ks[i], 0, sizeof ks[i]);
		ks[i].id = cs[i].contribution_id;
		ks[i].comments = &cs[i];
		ks[i].ncomments = 1;
	}
	if (disposition_attach(r->db, &r->arena, ks, n, &e) != 0) {
		for (int i = 0; i < n; i++)
			cs[i].disposition = NULL;
		return;
	}
	int64_t call_id = 0, last_call = 0, at = 0;
	for (int i = 0; i < n; i++) {
		if (!cs[i].disposition)
			continue;
		if (disposition_comment_call(r->db, cs[i].id, &call_id, &e) != 0) {
			cs[i].disposition = NULL;
			continue;
		}
		if (call_id != last_call && disposition_published_at(r->db, call_id, &at, &e) != 0)
			at = 0;
		last_call = call_id;
		if (!at)
			cs[i].disposition = NULL;
	}
}

void page_paragraph(struct request *r)
{
	struct error e;
	error_clear(&e);
	int64_t id;
	struct version v;
	struct document doc;
	struct process p;
	const char *pid = r->params[1];
	if (!parse_id(r->params[0], &id)) {
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such version."));
		page_error(r, &e);
		return;
	}
	/* A draft (its paragraph matches wait for confirmation) is the secretariat's alone, as on its page. */
	const bool secretariat = r->account && r->account->role == ACCOUNT_SECRETARIAT;
	if (version_find(r->db, &r->arena, id, &v, &doc, &e) == 0 && v.state == VERSION_DRAFT && !secretariat)
		error_set(&e, ERROR_NOT_FOUND, N_("There is no such version."));
	if (e.code || process_find_id_bare(r->db, &r->arena, doc.process_id, &p, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct paragraph para;
	const bool here = paragraph_find(r->db, &r->arena, id, pid, &para, &e) == 0;
	if (!here && strcmp(e.code, ERROR_NOT_FOUND)) {
		page_error(r, &e);
		return;
	}
	error_clear(&e);
	/* One page of comments: LIMIT_PAGE_SIZE at most, fewer when their texts pass LIMIT_PAGE_BYTES; ?offset=N
	 * goes on from the N-th. */
	const char *qo = request_query(r, "offset");
	int64_t offset = 0;
	if (qo && (!parse_id(qo, &offset) || offset > 100000000))
		offset = 0;
	struct comment *cs;
	int n;
	if (comment_list_paragraph(r->db, &r->arena, doc.id, id, pid, (int)offset, LIMIT_PAGE_SIZE + 1, &cs, &n, &e) !=
	    0) {
		page_error(r, &e);
		return;
	}
	const bool more = n > LIMIT_PAGE_SIZE;
	if (more)
		n = LIMIT_PAGE_SIZE;
	paragraph_answers(r, cs, n);
	if (!here && n == 0) {
		error_set(&e, ERROR_NOT_FOUND, N_("This version has no such paragraph."));
		page_error(r, &e);
		return;
	}
	const char *title = here ? arena_printf(&r->arena, "\u00b6%d \u2014 %s, %s", para.number, doc.title, v.label)
				 : arena_printf(&r->arena, _("Removed paragraph \u2014 %s, %s"), doc.title, v.label);
	page_begin(r, title);
	html_printf(&r->out,
		    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/\">%s</a> \u203a "
		    "<a href=\"/processes/%u\">%s</a> \u203a <a href=\"/versions/%L\">%s, %s</a></nav>\n",
		    _("Breadcrumb"), _("Consultations"), p.slug, p.title, (long long)v.id, doc.title, v.label);
	if (here) {
		html_printf(&r->out, "<h1>");
		html_tr(&r->out, "\u00b6%d of %s", para.number, v.label);
		html_printf(&r->out, "</h1>\n");
		/* The paragraph in the reader's language (core/version_text.h): the same id in every text, so its
		 * comments are the same whatever language they were written in. para keeps the version's own text,
		 * which the comments' "changed since" compares with the text they were made on. */
		const char *lang = page_text_language(
		    r, &v.id, 1, &p, arena_printf(&r->arena, "/versions/%lld/paragraphs/%s", (long long)v.id, para.pid));
		struct paragraph shown = para;
		bool in;
		if (version_text_overlay(r->db, &r->arena, v.id, lang, &shown, 1, &in, &e) != 0)
			shown = para; /* the version's own text still shows */
		error_clear(&e);
		page_text_begin(r, lang);
		html_printf(&r->out,
			    "<div class=\"document\"><div class=\"para\"><a class=\"pnum\" href=\"/versions/%L%s#%u\" "
			    "aria-label=\"%s\">%d</a><div class=\"ptext\">%R</div></div></div></div>\n",
			    (long long)v.id, in ? arena_printf(&r->arena, "?text=%s", lang) : "", para.pid,
			    arena_printf(&r->arena, _("Paragraph %d in the text"), para.number), para.number, shown.html);
		int64_t call_id;
		if (open_call(r, v.id, &call_id)) {
			html_printf(&r->out, "<p>");
			html_tr(&r->out, "<a class=\"button\" href=\"/calls/%L/contribute?paragraph=%u\">Comment on \u00b6%d</a>",
				(long long)call_id, para.pid, para.number);
			html_printf(&r->out, "</p>\n");
		}
	} else {
		html_printf(&r->out, "<h1>%s</h1>\n<p>", _("A removed paragraph"));
		html_tr(&r->out, "This paragraph of earlier versions is not in %s: this paragraph was removed. Its comments "
				 "are kept here, with the text they were about.",
			v.label);
		html_printf(&r->out, "</p>\n");
	}
	/* Those made on this version come first (comment_list_paragraph), then those carried forward. */
	int on_this = 0;
	while (on_this < n && cs[on_this].version_id == v.id)
		on_this++;
	const size_t start = r->out.len;
	int shown = 0;
	bool cut = false;
	if (here && (offset == 0 || on_this > 0)) {
		html_printf(&r->out, "<section aria-labelledby=\"this-version\"><h2 id=\"this-version\">%s</h2>\n",
			    _("Comments on this version"));
		if (on_this == 0)
			html_printf(&r->out, "<p>%s</p>\n", _("No published comment on this paragraph of this version yet."));
		else
			html_printf(&r->out, "<ol class=\"comment-list\">\n");
		for (; shown < on_this && !cut; shown++) {
			const size_t mark = r->out.len;
			paragraph_comment(r, &cs[shown], &para);
			if (shown > 0 && (r->out.failed || r->out.len - start > LIMIT_PAGE_BYTES)) {
				buf_truncate(&r->out, mark);
				cut = true;
				break;
			}
		}
		if (on_this)
			html_printf(&r->out, "</ol>\n");
		html_printf(&r->out, "</section>\n");
	}
	if (!cut && n > on_this) {
		html_printf(&r->out,
			    "<section aria-labelledby=\"earlier\"><h2 id=\"earlier\">%s</h2>\n<ol class=\"comment-list\">\n",
			    _("Carried forward from earlier versions"));
		for (; shown < n; shown++) {
			const size_t mark = r->out.len;
			paragraph_comment(r, &cs[shown], here ? &para : NULL);
			if (shown > 0 && (r->out.failed || r->out.len - start > LIMIT_PAGE_BYTES)) {
				buf_truncate(&r->out, mark);
				cut = true;
				break;
			}
		}
		html_printf(&r->out, "</ol>\n</section>\n");
	}
	if (offset > 0 || more || cut) {
		html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages"));
		if (offset > 0)
			html_printf(&r->out, "<a href=\"?offset=%L\" rel=\"prev\">%s</a> ",
				    (long long)(offset > LIMIT_PAGE_SIZE ? offset - LIMIT_PAGE_SIZE : 0), _("Previous page"));
		if (more || cut)
			html_printf(&r->out, "<a href=\"?offset=%L\" rel=\"next\">%s</a>", (long long)(offset + shown),
				    _("Next page"));
		html_printf(&r->out, "</nav>\n");
	}
	page_end(r, 200);
}
