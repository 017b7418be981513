/* receipt — see receipt.h. */
#include "core/receipt.h"

#include "core/comment.h"
#include "core/config.h"
#include "core/country.h"
#include "core/deadline.h"
#include "core/ledger.h"
#include "core/outbox.h"
#include "core/process.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

/* A receipt mail holds at most the contribution's text and comments, each bounded by core/limits.h. A
 * quoting one longer than RECEIPT_QUOTE_MAX is sent without the quotes: encoded (quoted-printable may
 * triple it) it must stay within the outbox's largest message (1 MB), or the contribution itself would be
 * refused with its receipt. */
enum { RECEIPT_TEXT_MAX = 4 * 1024 * 1024, RECEIPT_QUOTE_MAX = 256 * 1024 };

struct due {
	const char *title;
	const char *date;
};

static int due_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct due *d = element;
	bool failed = false;
	d->date = db_col_dup(st, 0, a, &failed);
	d->title = db_col_dup(st, 1, a, &failed);
	return failed ? -1 : 0;
}

int receipt_next(struct db *db, struct arena *a, const struct contribution *k, const struct call *c,
                 struct receipt_next *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	switch (k->publication) {
	case PUBLICATION_NAMED:
		out->publication =
		    _("Named. Published with your name and organization, your category and your country. "
		      "Your e-mail address is never published.");
		break;
	case PUBLICATION_ANONYMOUS:
		out->publication = _("Anonymous. Published without your name and organization; your category and your "
		                     "country are public. Your e-mail address is never published.");
		break;
	case PUBLICATION_PRIVATE:
		out->publication = _("Private. Not published: only the secretariat reads it, and takes it into account "
		                     "as every other contribution.");
		break;
	}
	out->published = contribution_is_public(k) && !contribution_is_hidden(k);
	out->answers = k->ncomments > 0
	                   ? _("The secretariat answers each of your comments (its disposition).")
	                   : _("The secretariat answers the comments sent to this call (its dispositions) and takes "
	                       "every contribution into account.");
	switch (k->state) {
	case CONTRIBUTION_PUBLISHED:
		out->moderation = k->publication == PUBLICATION_PRIVATE
		                      ? _("It is recorded for the secretariat.")
		                      : _("It is published: everyone can read it now.");
		break;
	case CONTRIBUTION_PENDING:
		if (k->late && !k->admitted_at)
			out->moderation =
			    _("It came late: the secretariat decides whether it is taken into account, and "
			      "lets you know.");
		else if (k->publication == PUBLICATION_PRIVATE)
			out->moderation = _("It is recorded for the secretariat.");
		else
			out->moderation = _("It is published once the secretariat has reviewed it: this call reviews "
			                    "every contribution before publishing it.");
		break;
	case CONTRIBUTION_HIDDEN:
	case CONTRIBUTION_SPAM: out->moderation = _("The secretariat has withheld it from publication."); break;
	}
	/* The answers come with the next version of the text (or its presentation) after the call's deadline:
	 * the schedule's first such milestone not cancelled. */
	char closes[11];
	if (tz_date_at(c->timezone, c->closes_at, closes) != 0)
		snprintf(closes, sizeof closes, "9999-12-31"); /* no date to count from: no milestone is named */
	static const char sql[] = "SELECT date, title FROM milestone WHERE process_id = ? AND kind IN ('version', "
	                          "'presentation') AND status <> 'cancelled' AND date > ? ORDER BY date, id LIMIT 1";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, c->process_id);
	db_bind_text(st, 2, closes);
	struct due due = {0};
	struct error none;
	error_clear(&none);
	/* Its leaf in the tamper-evident record (core/ledger.h): appended before its receipt is written. None yet
	 * for a contribution not stored yet (no id: the group commit's, prepared before it is queued). */
	struct ledger_entry leaf;
	out->leaf_index =
	    k->id > 0 && ledger_find(db, LEDGER_CONTRIBUTION, k->id, &leaf, &none) == 0 ? leaf.index : -1;
	if (out->leaf_index < 0 && none.code && strcmp(none.code, ERROR_NOT_FOUND)) {
		*e = none;
		return -1;
	}
	out->leaf_size = out->leaf_index >= 0 ? leaf.size : 0;
	if (out->leaf_index >= 0 && leaf.salted) {
		char *hex = arena_alloc(a, 2 * LEDGER_SALT_LEN + 1);
		for (int i = 0; hex && i < LEDGER_SALT_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", leaf.salt[i]);
		out->leaf_salt = hex;
	}
	error_clear(&none);
	if (db_collect_one(st, a, &due, due_from_row, "none", &none) == 0) {
		out->answers_title = due.title;
		out->answers_date = due.date;
	} else if (none.code && strcmp(none.code, ERROR_NOT_FOUND)) {
		*e = none;
		return -1;
	}
	return 0;
}

/* Our words for what a contribution of this channel's address may be told: see receipt_text(). */
static void text_comments(struct buf *b, const struct contribution *k, const char *url, bool quote)
{
	if (k->ncomments <= 0)
		return;
	buf_printf(b, i18n_n("Your comment (%d):\n\n", "Your comments (%d):\n\n", (unsigned long)k->ncomments),
	           k->ncomments);
	for (int i = 0; i < k->ncomments; i++) {
		const struct comment *c = &k->comments[i];
		if (c->number && c->pid)
			/* TRANSLATORS: a comment in a receipt mail: its number, its paragraph, its type, its link. */
			buf_printf(b, _("%1$d. \u00b6%2$d, %3$s\n   %4$s/versions/%5$lld/paragraphs/%6$s\n"), i + 1,
			           c->number, comment_type_label(c->type), url, (long long)c->version_id, c->pid);
		else
			buf_printf(b, _("%d. General comment, %s\n"), i + 1, comment_type_label(c->type));
		if (quote && c->row > 0)
			buf_printf(b,
			           c->note && *c->note ? _("   Row %d of your table: %s\n")
			                               : _("   Row %d of your table\n"),
			           c->row, c->note && *c->note ? c->note : "");
		if (quote) {
			buf_printf(b, _("   Comment: %s\n"), c->comment ? c->comment : "");
			if (c->proposed_change && *c->proposed_change)
				buf_printf(b, _("   Proposed change: %s\n"), c->proposed_change);
		}
	}
	buf_puts(b, quote ? "\n" : _("\nThe receipt page below shows each comment as it was received.\n\n"));
}

static void text_attachments(struct buf *b, const struct contribution *k, bool quote)
{
	if (k->nattachments <= 0)
		return;
	buf_printf(b, i18n_n("Attachment (%d):\n", "Attachments (%d):\n", (unsigned long)k->nattachments),
	           k->nattachments);
	for (int i = 0; i < k->nattachments; i++) {
		const struct contribution_attachment *f = &k->attachments[i];
		if (quote)
			buf_printf(b, i18n_n("%d. %s, %zu byte\n", "%d. %s, %zu bytes\n", f->size), i + 1,
			           f->name ? f->name : "", f->size);
		else
			buf_printf(b, i18n_n("%d. File %d, %zu byte\n", "%d. File %d, %zu bytes\n", f->size), i + 1,
			           i + 1, f->size);
		buf_printf(b, "   SHA-256: %s\n", f->sha256);
	}
	buf_puts(b, "\n");
}

const char *receipt_leaf_text(struct arena *a, const char *tracking, int64_t leaf_index)
{
	const char *text = arena_printf(
	    a,
	    _("\nIts record: leaf %lld of the public tamper-evident record. The proof that it is there, to keep and "
	      "check offline (consulta verify): %s/receipts/%s/receipt.json\n"),
	    (long long)leaf_index, config_get()->public_url, tracking);
	return text ? text : "";
}

const char *receipt_text(struct arena *a, const struct contribution *k, const struct call *c,
                         const struct receipt_next *next, bool quote)
{
	const char *url = config_get()->public_url;
	char utc[32], local[I18N_DATE_LEN], version_date[I18N_DATE_LEN];
	tz_format_utc(k->received_at, utc);
	i18n_instant_long(NULL, c->timezone, k->received_at, local);
	i18n_date_long(NULL, c->version_date, version_date);
	const char *deadline = deadline_sentence(a, c, k->received_at);
	const char *country = country_name(k->country);
	struct buf b;
	buf_init(&b, RECEIPT_TEXT_MAX);
	/* TRANSLATORS: the head of a receipt mail, in plain text: align the values under each other as the
	 * labels' lengths need. The call's document, version label and date; then the time received in the
	 * process's zone and in UTC. */
	buf_printf(&b,
	           _("Tracking number: %s\n"
	             "Call: %s\n"
	             "      on %s, %s of %s\n"
	             "      %s/calls/%lld\n"
	             "Received: %s\n"
	             "          %s\n"
	             "Category: %s\n"
	             "Country: %s\n"
	             "Publication: %s\n"
	             "Deadline of the call: %s\n\n"),
	           k->tracking, c->title, c->document_title, c->version_label, version_date, url, (long long)c->id,
	           local, utc, k->category_name ? k->category_name : "", country ? country : _("not given"),
	           next->publication ? next->publication : "", deadline ? deadline : "");
	/* What the secretariat withheld is not repeated, as its page does not show it. */
	const bool withheld = k->state == CONTRIBUTION_HIDDEN || k->state == CONTRIBUTION_SPAM;
	if (!withheld) {
		if (quote && k->text && *k->text)
			buf_printf(&b, _("Your text:\n\n%s\n\n"), k->text);
		text_comments(&b, k, url, quote);
		text_attachments(&b, k, quote);
	}
	buf_printf(&b, _("What happens next:\n- %s\n"), next->moderation ? next->moderation : "");
	if (next->published)
		buf_printf(&b, "  %s/contributions/%s\n", url, k->tracking);
	if (next->answers_title) {
		char due[I18N_DATE_LEN];
		i18n_date_long(NULL, next->answers_date, due);
		/* the milestone's title is a sentence of the schedule: quoted last, as said */
		buf_printf(&b, _("- %s The answers are due on %s, when the schedule says: \"%s\"\n"), next->answers, due,
		           next->answers_title);
	} else {
		buf_printf(&b,
		           _("- %s The answers will follow once the secretariat publishes them; the receipt page "
		             "shows them then.\n"),
		           next->answers);
	}
	buf_printf(&b,
	           _("- To hear of each step, follow the consultation by e-mail: %s/processes/%s\n"
	             "- With an account, \"My contributions\" (%s/account) lists what you send while logged in, "
	             "with the answers.\n\n"
	             "Your receipt: %s/receipts/%s\n"),
	           url, c->process_slug, url, url, k->tracking);
	if (next->leaf_index >= 0)
		buf_puts(&b, receipt_leaf_text(a, k->tracking, next->leaf_index));
	if (quote && (b.failed || b.len > RECEIPT_QUOTE_MAX)) {
		buf_free(&b);
		return receipt_text(a, k, c, next, false);
	}
	const char *out = b.failed ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return out;
}

int receipt_mail_again(struct db *db, struct arena *a, const char *tracking, const char *requester, struct error *e)
{
	struct contribution k;
	struct call c;
	if (db_begin(db, e) != 0)
		return -1;
	if (contribution_find(db, a, tracking, &k, e) != 0)
		goto fail;
	if (!k.email || !*k.email) {
		error_set(e, ERROR_CONFLICT,
		          _("This contribution gave no e-mail address: there is nowhere to mail its "
		            "receipt."));
		goto fail;
	}
	if (k.state == CONTRIBUTION_HIDDEN || k.state == CONTRIBUTION_SPAM) {
		error_set(e, ERROR_CONFLICT,
		          _("The secretariat has withheld this contribution: its receipt is not mailed."));
		goto fail;
	}
	/* Each mail asked is in the audit log: the count of the last hour is the limit's. */
	const char *object = arena_printf(a, "contribution:%s", k.tracking);
	static const char sql[] = "SELECT count(*) FROM audit WHERE kind = 'contribution.receipt_mail' AND object = ? "
	                          "AND at > ?";
	struct db_stmt *st = object ? db_stmt(db, sql, e) : NULL;
	if (!st)
		goto fail;
	db_bind_text(st, 1, object);
	db_bind_int(st, 2, clock_now() - OUTBOX_LIMIT_WINDOW);
	const int64_t sent = db_step(st, e) == DB_ROW ? db_col_int(st, 0) : -1;
	db_reset(st);
	if (sent < 0)
		goto fail;
	if (sent >= RECEIPT_MAILS_PER_HOUR) {
		error_set(
		    e, ERROR_THROTTLED,
		    _("This receipt has been mailed %d times in the last hour already, which is the most we send. "
		      "Please try again in an hour, or print this page."),
		    RECEIPT_MAILS_PER_HOUR);
		goto fail;
	}
	const int allowed = outbox_allowed(db, "receipt", k.email, requester, e);
	if (allowed < 0)
		goto fail;
	if (!allowed) {
		error_set(e, ERROR_THROTTLED,
		          _("Too many mails have gone to this contribution's address, or were asked "
		            "from your connection, in the last hour. Please try again in an hour, or "
		            "print this page."));
		goto fail;
	}
	struct receipt_next next;
	struct process p;
	if (call_find(db, a, k.call_id, &c, e) != 0 || process_find_id(db, a, c.process_id, &p, e) != 0 ||
	    comment_attach(db, a, &k, 1, e) != 0 || contribution_attachments(db, a, &k, e) != 0 ||
	    receipt_next(db, a, &k, &c, &next, e) != 0)
		goto fail;
	/* its category in the mail's language (the request's, as the rest of the mail), not as typed */
	k.category_name = process_category_name(&p, k.category_slug, k.category_name);
	/* A mail by the e-mail channel goes back to its From, which may hear its own words; an address typed
	 * on a form may be anyone's, and hears ours only. */
	const char *facts = receipt_text(a, &k, &c, &next, k.channel == CHANNEL_EMAIL);
	const char *body =
	    facts ? arena_printf(
	                a, "%s\n\n%s", outbox_greeting(a, k.name),
	                arena_printf(a,
	                             _("Here is the receipt of a contribution to the call \"%s\", sent again "
	                               "because it was asked for on its receipt page. The contribution gave this "
	                               "e-mail address.\n\n%s\n"
	                               "Please quote the tracking number if you write to the secretariat about "
	                               "this contribution.\n"),
	                             c.title, facts))
	          : NULL;
	const char *subject = arena_printf(a, _("Receipt of your contribution %s"), k.tracking);
	if (!body || !subject) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto fail;
	}
	struct outbox_mail mail = {.kind = "receipt",
	                           .to = k.email,
	                           .subject = subject,
	                           .body = body,
	                           .requester = requester,
	                           .translated = true};
	if (outbox_enqueue(db, &mail, e) != 0 ||
	    audit_record(db, &ACTOR_PUBLIC, c.process_id, "contribution.receipt_mail", object, NULL,
	                 arena_printf(a, "{\"channel\":\"%s\"}", contribution_channel_name(k.channel)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	log_event("contribution.receipt_mail", "tracking=%s", k.tracking);
	return 0;
fail:
	db_rollback(db);
	return -1;
}
