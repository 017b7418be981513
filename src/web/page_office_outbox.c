/*
 * page_office_outbox — the mail Consulta sends, as the secretariat sees it: every mail of the outbox with its
 * addressee, subject, language and state (queued, sent, or failed with its error; how many attempts, and when
 * the next one is), newest first, all or one state at a time; one mail read as it was composed; and a button
 * that makes a failed mail due again.
 *
 * A mail's links that give access to its addressee's account or subscriptions (a confirmation, a password
 * reset, leaving a subscription: each carries ?token=) are masked: they are the addressee's alone, and a member
 * of staff who opened one would act as that person. The mail itself still carries them; only this page hides
 * them. Office staff only (routes.c).
 */
#include "web/page_office.h"

#include "core/outbox.h"
#include "render/message.h"
#include "util/i18n.h"
#include "web/auth.h"
#include "web/routes.h"

#include <string.h>

enum { OUTBOX_PAGE = 50, OUTBOX_SHOWN_MAX = 1024 * 1024 };

static const char *state_text(enum outbox_state s)
{
	switch (s) {
	/* TRANSLATORS: a mail's state in the office's outbox: waiting to be sent. */
	case OUTBOX_QUEUED: return C_("mail", "Queued");
	/* TRANSLATORS: a mail's state in the office's outbox. */
	case OUTBOX_SENT: return C_("mail", "Sent");
	/* TRANSLATORS: a mail's state in the office's outbox: given up after a permanent refusal. */
	case OUTBOX_FAILED: return C_("mail", "Failed");
	}
	return outbox_state_name(s);
}

/* What a mail is, in the reader's words (its kind, outbox_mail's); the kind itself for one not listed. */
static const char *kind_text(const char *kind)
{
	static const char *const kinds[][2] = {
	    {"confirm", N_("Confirmation of an account's address")},
	    {"reset", N_("Password reset link")},
	    {"account", N_("Notice about an account")},
	    {"receipt", N_("Receipt of a contribution")},
	    {"held", N_("Answer to a held message")},
	    {"subscription", N_("Confirmation of a subscription")},
	    {"notice", N_("Notice to subscribers")},
	    {"fate", N_("Answer to a comment")},
	    {"meeting", N_("Meeting registration or reminder")},
	    {"letter", N_("Circular letter")},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(kinds[i][0], kind))
			return _(kinds[i][1]);
	return kind;
}

/* s with the value of every "token=" (a link that acts as the addressee) replaced by an ellipsis, in a. */
static const char *masked(struct arena *a, const char *s, size_t n, int *count)
{
	static const char key[] = "token=";
	static const char token_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%";
	struct buf out;
	buf_init(&out, OUTBOX_SHOWN_MAX);
	size_t i = 0;
	while (i < n) {
		const char *hit = strstr(s + i, key);
		if (!hit || (size_t)(hit - s) >= n) {
			buf_append(&out, s + i, n - i);
			break;
		}
		const size_t at = (size_t)(hit - s) + sizeof key - 1;
		buf_append(&out, s + i, at - i);
		size_t len = strspn(s + at, token_chars);
		if (len > n - at)
			len = n - at;
		if (len) {
			buf_puts(&out, "\u2026");
			(*count)++;
		}
		i = at + len;
	}
	const char *r = out.failed ? "" : arena_strndup(a, out.data ? out.data : "", out.len);
	buf_free(&out);
	return r ? r : "";
}

static int64_t page_number(const char *s)
{
	int64_t page;
	return s && parse_id(s, &page) && page <= 1000000 ? page : 1;
}

/* The language a mail says it is in, by its own name, marked as that language. */
static void language_cell(struct request *r, const char *tag)
{
	if (tag && *tag)
		html_printf(&r->out, "<span lang=\"%s\">%s</span>", tag, page_language_name(tag));
	else
		html_printf(&r->out, "\u2014");
}

/* The state of x, with what the reader needs to act: the error, the attempts, the next attempt. */
static void state_cell(struct request *r, const struct outbox_entry *x)
{
	html_printf(&r->out, "<span class=\"state state-%s\">%s</span>", outbox_state_name(x->state),
	            state_text(x->state));
	if (x->state == OUTBOX_SENT) {
		html_printf(&r->out, " <span class=\"utc\">%s</span>", page_instant_utc(r, x->done_at));
	} else if (x->state == OUTBOX_FAILED) {
		html_printf(&r->out, " <span class=\"utc\">%s</span>", page_instant_utc(r, x->done_at));
	} else if (x->attempts > 0) {
		html_printf(&r->out, "<br>");
		html_tr(&r->out, "Next attempt: <span class=\"utc\">%s</span>",
		        page_instant_utc(r, x->next_attempt_at));
	}
	if (x->attempts > 0) {
		html_printf(&r->out, "<br>");
		html_tr_n(&r->out, "Tried %d time", "Tried %d times", (unsigned long)x->attempts, x->attempts);
	}
	if (x->last_error && *x->last_error) {
		html_printf(&r->out, "<br>");
		html_tr(&r->out, "Error: <code class=\"error-text\">%s</code>", x->last_error);
	}
}

void page_office_outbox(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *which = request_query(r, "state");
	enum outbox_state state;
	const bool filtered = which && *which && outbox_state_parse(which, &state);
	const int64_t page = page_number(request_query(r, "page"));
	struct outbox_entry *items;
	int n;
	int64_t total;
	if (outbox_list(r->db, &r->arena, filtered ? &state : NULL, (int)((page - 1) * OUTBOX_PAGE), OUTBOX_PAGE,
	                &items, &n, &total, &e) != 0) {
		page_error(r, &e);
		return;
	}
	page_begin(r, _("Outbox"));
	html_printf(
	    &r->out,
	    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a></nav>\n<h1>%s</h1>\n<p>%s</p>\n",
	    _("Breadcrumb"), _("Back office"), _("Outbox"),
	    _("Every mail Consulta composed, newest first: receipts, account and subscription links, notices, "
	      "letters. Links that would let someone act as the addressee are masked here."));
	/* the filter: plain links, so that each state's list has an address of its own */
	html_printf(&r->out, "<nav aria-label=\"%s\" class=\"filters outbox-states\"><ul>\n", _("Show mails by state"));
	html_printf(&r->out, "<li><a href=\"/office/outbox\"%R>%s</a></li>\n", filtered ? "" : " aria-current=\"page\"",
	            _("All mails"));
	static const enum outbox_state states[] = {OUTBOX_QUEUED, OUTBOX_SENT, OUTBOX_FAILED};
	for (size_t i = 0; i < sizeof states / sizeof *states; i++)
		html_printf(&r->out, "<li><a href=\"/office/outbox?state=%s\"%R>%s</a></li>\n",
		            outbox_state_name(states[i]),
		            filtered && state == states[i] ? " aria-current=\"page\"" : "", state_text(states[i]));
	html_printf(&r->out, "</ul></nav>\n");
	if (total == 0) {
		html_printf(&r->out, "<p>%s</p>\n", _("No mail here."));
		page_end(r, 200);
		return;
	}
	html_printf(&r->out, "<p>");
	html_tr_n(&r->out, "%L mail, newest first.", "%L mails, newest first.", (unsigned long)total, (long long)total);
	html_printf(
	    &r->out,
	    "</p>\n<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"outbox-caption\">"
	    "<table class=\"office outbox\">\n<caption id=\"outbox-caption\">%s</caption>\n"
	    "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
	    _("Mails"), _("Queued on"),
	    /* TRANSLATORS: a column of the office's outbox: the mail's addressee. */
	    _("To"), _("Subject"), _("Kind"), _("Language"), _("State"));
	for (int i = 0; i < n; i++) {
		const struct outbox_entry *x = &items[i];
		html_printf(&r->out,
		            "<tr id=\"m-%L\"><td class=\"date\"><span class=\"utc\">%s</span></td><td>%s</td>"
		            "<td><a href=\"/office/outbox/%L\">%s</a></td><td>%s</td><td>",
		            (long long)x->id, page_instant_utc(r, x->created_at), x->recipient, (long long)x->id,
		            x->subject && *x->subject ? x->subject : _("(no subject recorded)"), kind_text(x->kind));
		language_cell(r, x->language);
		html_printf(&r->out, "</td><td>");
		state_cell(r, x);
		html_printf(&r->out, "</td></tr>\n");
	}
	html_printf(&r->out, "</tbody>\n</table></div>\n");
	if (page > 1 || page * OUTBOX_PAGE < total) {
		const char *q = filtered ? arena_printf(&r->arena, "state=%s&", outbox_state_name(state)) : "";
		html_printf(&r->out, "<nav aria-label=\"%s\" class=\"pages\">", _("Pages"));
		if (page > 1)
			html_printf(&r->out, "<a rel=\"prev\" href=\"?%spage=%L\">%s</a> ", q, (long long)page - 1,
			            _("Previous page"));
		if (page * OUTBOX_PAGE < total)
			html_printf(&r->out, "<a rel=\"next\" href=\"?%spage=%L\">%s</a>", q, (long long)page + 1,
			            _("Next page"));
		html_printf(&r->out, "</nav>\n");
	}
	page_end(r, 200);
}

/* One mail, as composed, with its links that act as the addressee masked; e: a retry refused, or NULL. */
static void mail_page(struct request *r, int64_t id, const struct error *failed)
{
	struct error e;
	error_clear(&e);
	struct outbox_entry x;
	if (outbox_find(r->db, &r->arena, id, &x, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct outbox_file *files;
	int nfiles;
	if (outbox_files(r->db, &r->arena, id, &files, &nfiles, &e) != 0) {
		page_error(r, &e);
		return;
	}
	struct buf headers, text;
	buf_init(&headers, OUTBOX_SHOWN_MAX);
	buf_init(&text, OUTBOX_SHOWN_MAX);
	const bool readable = message_read(x.message, &headers, &text) == 0;
	int hidden = 0;
	const char *shown_headers =
	    readable ? masked(&r->arena, headers.data ? headers.data : "", headers.len, &hidden) : "";
	const char *shown_text = readable ? masked(&r->arena, text.data ? text.data : "", text.len, &hidden) : "";
	buf_free(&headers);
	buf_free(&text);
	const char *title = arena_printf(&r->arena, _("Mail %lld"), (long long)x.id);
	office_begin(r, title, failed);
	html_printf(
	    &r->out,
	    "<nav aria-label=\"%s\" class=\"crumbs\"><a href=\"/office\">%s</a> \u203a <a href=\"/office/outbox\">"
	    "%s</a></nav>\n<h1>%s</h1>\n",
	    _("Breadcrumb"), _("Back office"), _("Outbox"), title);
	if (failed)
		office_error_summary(r, failed, "retry", _("The mail was not queued again"));
	const char *done = request_query(r, "done");
	if (done && !strcmp(done, "retry") && x.state == OUTBOX_QUEUED)
		office_said(r, _("The mail is queued again: the sender tries it at once."));
	html_printf(&r->out,
	            "<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
	            "<dt>%s</dt><dd>",
	            /* TRANSLATORS: the addressee of a mail in the office's outbox. */
	            _("To"), x.recipient, _("Subject"), x.subject && *x.subject ? x.subject : "\u2014", _("Kind"),
	            kind_text(x.kind), _("Language"));
	language_cell(r, x.language);
	html_printf(&r->out, "</dd>\n<dt>%s</dt><dd><span class=\"utc\">%s</span></dd>\n<dt>%s</dt><dd>",
	            _("Queued on"), page_instant_utc(r, x.created_at), _("State"));
	state_cell(r, &x);
	html_printf(&r->out, "</dd>\n</dl>\n");
	if (x.state != OUTBOX_SENT) {
		office_form_open(r, arena_printf(&r->arena, "/office/outbox/%lld/retry", (long long)x.id), false);
		html_printf(&r->out, "<p><button type=\"submit\" id=\"f-retry-action\">%s</button></p>\n</form>\n",
		            x.state == OUTBOX_FAILED ? _("Try to send it again") : _("Try to send it now"));
	}
	if (hidden > 0)
		html_printf(
		    &r->out, "<p class=\"note\" id=\"masked\">%s</p>\n",
		    _("Links that would let someone act as the addressee (confirm an address, choose a password, "
		      "leave a subscription) are masked with \u2026: they are the addressee's alone."));
	if (!readable) {
		html_printf(&r->out, "<p>%s</p>\n", _("This mail cannot be shown."));
	} else {
		html_printf(&r->out,
		            "<h2 id=\"headers\">%s</h2>\n<pre class=\"mail-headers\" translate=\"no\">%s</pre>\n"
		            "<h2 id=\"text\">%s</h2>\n<pre class=\"mail-text\"%R%s%R translate=\"no\">%s</pre>\n",
		            _("Headers"), shown_headers, _("Text"), x.language ? " lang=\"" : "",
		            x.language ? x.language : "", x.language ? "\"" : "", shown_text);
	}
	/* The files it carries, named as the addressee sees them; their bytes are the addressee's to open. */
	if (nfiles > 0) {
		html_printf(&r->out, "<h2 id=\"files\">%s</h2>\n<ul class=\"mail-files\">\n", _("Files"));
		for (int i = 0; i < nfiles; i++)
			/* TRANSLATORS: one file a mail carries: its name, its type ("application/pdf"), its size. */
			html_tr(&r->out, "<li><span translate=\"no\">%s</span> (<code>%s</code>, %s)</li>\n",
			        files[i].filename, files[i].content_type, page_file_size(r, (size_t)files[i].size));
		html_printf(&r->out, "</ul>\n");
	}
	page_end(r, failed ? office_status(failed) : 200);
}

/* The mail the address names, or false after answering 404. */
static bool mail_named(struct request *r, int64_t *id)
{
	return page_route_id(r, id, _("There is no such mail in the outbox."));
}

void page_office_outbox_mail(struct request *r)
{
	int64_t id;
	if (mail_named(r, &id))
		mail_page(r, id, NULL);
}

void page_office_outbox_retry(struct request *r)
{
	int64_t id;
	if (!mail_named(r, &id))
		return;
	struct error e;
	error_clear(&e);
	struct actor who = auth_actor(r);
	if (outbox_retry(r->db, &who, id, &e) != 0) {
		if (e.code && !strcmp(e.code, ERROR_CONFLICT))
			mail_page(r, id, &e);
		else
			page_error(r, &e);
		return;
	}
	reply_redirect(r, arena_printf(&r->arena, "/office/outbox/%lld?done=retry", (long long)id));
}
