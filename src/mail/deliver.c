/* deliver — see deliver.h. */
#include "mail/deliver.h"

#include "core/account.h"
#include "core/call.h"
#include "core/comment_table.h"
#include "core/config.h"
#include "core/holding.h"
#include "core/limits.h"
#include "core/paragraph.h"
#include "mail/extract.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *mail_outcome_name(enum mail_outcome o)
{
	switch (o) {
	case MAIL_ACCEPTED: return "accepted";
	case MAIL_DUPLICATE: return "duplicate";
	case MAIL_HELD: return "held";
	case MAIL_TEMPFAIL: return "temporary_failure";
	case MAIL_REJECT: return "rejected";
	}
	return "rejected";
}

int mail_read(struct arena *a, const void *raw, size_t len, const struct intake_options *opt, struct mail_message *m,
              struct error *e)
{
	memset(m, 0, sizeof *m);
	m->raw = raw;
	m->len = len;
	error_clear(&m->problem);
	/* What makes two deliveries the same message, whatever path and recipient each took. */
	const size_t trace = intake_trace_length(raw, len);
	blob_name((const char *)raw + trace, len - trace, m->content_sha256);
	if (intake_parse(a, raw, len, opt, &m->in, &m->problem) != 0) {
		if (m->problem.code && !strcmp(m->problem.code, ERROR_UNAVAILABLE)) {
			*e = m->problem;
			return -1;
		}
		return 0; /* not readable: mail_deliver holds or refuses it */
	}
	m->readable = true;
	return extract_attachments(a, &m->in, &m->files, &m->nfiles, e);
}

int mail_route(struct db *db, struct arena *a, const char *recipient, int64_t *call_id, struct error *e)
{
	struct call call;
	struct error lookup;
	*call_id = 0;
	if (!recipient || !*recipient)
		return 0;
	const char *at = strrchr(recipient, '@');
	const char *plus = strchr(recipient, '+');
	error_clear(&lookup);
	if (call_find_email(db, a, recipient, &call, &lookup) == 0) {
		*call_id = call.id;
		return 1;
	}
	if (strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
		*e = lookup;
		return -1;
	}
	if (!at || !plus || plus > at)
		return 0;
	/* Sub-addressing: LOCAL+DETAIL@DOMAIN. A number is the call's; anything else rides on LOCAL@DOMAIN. */
	const char *detail = plus + 1;
	const size_t dn = (size_t)(at - detail);
	error_clear(&lookup);
	if (dn > 0 && dn <= 18 && strspn(detail, "0123456789") == dn) {
		char digits[20];
		snprintf(digits, sizeof digits, "%.*s", (int)dn, detail);
		if (call_find(db, a, strtoll(digits, NULL, 10), &call, &lookup) == 0) {
			*call_id = call.id;
			return 1;
		}
	} else {
		const char *base = arena_printf(a, "%.*s%s", (int)(plus - recipient), recipient, at);
		if (base && call_find_email(db, a, base, &call, &lookup) == 0) {
			*call_id = call.id;
			return 1;
		}
	}
	if (lookup.code && strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
		*e = lookup;
		return -1;
	}
	return 0;
}

/* The address to deliver for when the MTA did not say: Delivered-To, a To or Cc that is a call's, the first To. */
static const char *recipient_guess(struct db *db, struct arena *a, const struct intake *in, struct error *e)
{
	if (in->delivered_to && *in->delivered_to)
		return in->delivered_to;
	for (int i = 0; i < in->nto; i++) {
		int64_t id;
		int r = mail_route(db, a, in->to[i], &id, e);
		if (r < 0)
			return NULL;
		if (r)
			return in->to[i];
	}
	return in->nto ? in->to[0] : "";
}

static void fail_temporarily(struct mail_result *out, const struct error *e)
{
	out->outcome = MAIL_TEMPFAIL;
	out->detail = e->message[0] ? e->message : "The store is not available; try again later.";
	log_event("mail.tempfail", "code=%s", e->code ? e->code : "?");
}

/* Keeps the message in the holding list; answer_to, if not NULL, is told. */
static void hold(struct db *db, struct arena *a, const struct mail_message *m, const char *envelope_sender,
                 int64_t call_id, enum holding_reason reason, const char *detail, const char *answer_to,
                 struct mail_result *out)
{
	const struct intake *in = &m->in;
	struct holding_input h = {
	    .recipient = out->recipient,
	    .envelope_sender = envelope_sender ? envelope_sender : in->return_path,
	    .sender = in->from,
	    .subject = in->subject,
	    .message_id = in->message_id,
	    .references = in->references,
	    .call_id = call_id,
	    .reason = reason,
	    .detail = detail,
	    .raw = m->raw,
	    .raw_len = m->len,
	    .message_sha256 = m->content_sha256,
	    .answer_to = answer_to,
	};
	struct holding_item item;
	struct error e;
	error_clear(&e);
	if (holding_add(db, a, &h, &item, &e) != 0) {
		fail_temporarily(out, &e);
		return;
	}
	out->outcome = MAIL_HELD;
	out->held_id = item.id;
	out->received_at = item.received_at;
	out->call_id = call_id;
	out->reason = reason;
	out->detail = item.detail;
}

/* The field errors of a refused contribution, as one sentence for its sender. */
static const char *error_words(struct arena *a, const struct error *e)
{
	if (!e->nfields)
		return e->message;
	const char *words = "";
	for (int i = 0; i < e->nfields; i++)
		words = arena_printf(a, "%s%s%s", words, i ? " " : "", e->fields[i].message);
	return words;
}

/* The first attachment that is a filled comment table (by its name or type, then by its header row),
 * read into *t against the paragraphs of the call's version; *files then lists the other attachments.
 * A file that is no comment table stays an attachment; one that is a table but cannot be read (a zip
 * bomb, too many rows...) refuses the message: -1 with e (ERROR_INVALID naming the file and the row).
 * Runs before the transaction (a Word file runs pandoc). */
static int attached_table(struct db *db, struct arena *a, int64_t call_id, const struct mail_message *m,
                          const struct contribution_attachment **files, int *nfiles, struct comment_table *t,
                          struct error *e)
{
	*files = m->files;
	*nfiles = m->nfiles;
	memset(t, 0, sizeof *t);
	struct paragraph *paragraphs = NULL;
	int n = -1;
	for (int k = 0; k < m->nfiles; k++) {
		const struct contribution_attachment *f = &m->files[k];
		if (!f->data || (!comment_table_candidate(f->name, f->declared_type) &&
		                 !comment_table_candidate(NULL, f->type)))
			continue;
		if (n < 0) {
			struct call call;
			if (call_find(db, a, call_id, &call, e) != 0 ||
			    paragraph_list(db, a, call.version_id, &paragraphs, &n, e) != 0)
				return -1;
		}
		bool not_table = false;
		struct error te;
		error_clear(&te);
		if (comment_table_read(a, f->data, f->size, f->name, paragraphs, n, "attachment", t, &not_table, &te) !=
		    0) {
			if (not_table && !strcmp(te.code, ERROR_INVALID))
				continue;
			*e = te;
			return -1;
		}
		struct contribution_attachment *rest = arena_alloc(a, (size_t)m->nfiles * sizeof *rest);
		if (!rest) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		int r = 0;
		for (int i = 0; i < m->nfiles; i++)
			if (i != k)
				rest[r++] = m->files[i];
		*files = rest;
		*nfiles = r;
		log_event("mail.comment_table", "rows=%d comments=%d", t->nrows, t->ncomments);
		return 0;
	}
	return 0;
}

static bool blank(const void *raw, size_t len)
{
	const char *s = raw;
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

static void deliver(struct db *db, struct arena *a, const struct mail_message *m, const char *envelope_sender,
                    const char *recipient, struct mail_result *out)
{
	memset(out, 0, sizeof *out);
	struct error e;
	error_clear(&e);
	const struct intake *in = &m->in;
	/* First, and from the length alone: a message over the limit may not have been kept whole. */
	if (m->len > LIMIT_MAIL_MESSAGE) {
		out->outcome = MAIL_REJECT;
		out->recipient = "";
		out->detail = arena_printf(a, "The message is larger than %d MiB.", LIMIT_MAIL_MESSAGE / (1024 * 1024));
		return;
	}
	if (recipient && (strlen(recipient) > LIMIT_EMAIL || !utf8_valid(recipient, strlen(recipient)) ||
	                  utf8_has_control(recipient, false) || strchr(recipient, ' '))) {
		out->outcome = MAIL_REJECT;
		out->recipient = "";
		out->detail = "The recipient is not an e-mail address.";
		return;
	}
	if (blank(m->raw, m->len)) {
		out->outcome = MAIL_REJECT;
		out->recipient = recipient ? recipient : "";
		out->detail = "The message is empty.";
		return;
	}
	out->recipient = recipient && *recipient ? recipient : m->readable ? recipient_guess(db, a, in, &e) : "";
	if (!out->recipient) {
		fail_temporarily(out, &e);
		return;
	}
	if (!m->readable) {
		hold(db, a, m, envelope_sender, 0, HOLDING_INVALID, m->problem.message, NULL, out);
		return;
	}
	int64_t call_id = 0;
	int routed = mail_route(db, a, out->recipient, &call_id, &e);
	if (routed < 0) {
		fail_temporarily(out, &e);
		return;
	}
	/* What goes back (the receipt, a held message's answer) is in the call's process's first language: a
	 * message says nothing reliable of its reader's. */
	if (routed)
		i18n_use(call_first_language(db, call_id));

	/* Robots never get an answer (RFC 3834), and their mail is not a contribution. */
	const bool null_sender = (envelope_sender && !*envelope_sender) || (in->return_path && !*in->return_path);
	const bool ours = in->from && !strcasecmp(in->from, config_get()->mail_from);
	if (in->bounce || null_sender) {
		hold(db, a, m, envelope_sender, call_id, HOLDING_AUTOMATIC,
		     "It is a delivery report (a bounce) or comes from the null sender, not from a person.", NULL, out);
		return;
	}
	if (in->auto_submitted || ours) {
		hold(db, a, m, envelope_sender, call_id, HOLDING_AUTOMATIC,
		     "It is an automatic message (an out-of-office reply or the like), not from a person.", NULL, out);
		return;
	}
	if (!routed) {
		/* No answer: a stranger writing to an address we do not have is not told anything (no backscatter). */
		hold(db, a, m, envelope_sender, 0, HOLDING_NO_CALL,
		     "No call for contributions has this address; the secretariat will see where it belongs.", NULL,
		     out);
		return;
	}
	const bool may_answer = !in->list && !in->suppress && in->from;
	const char *answer_to = may_answer ? in->from : NULL;
	if (in->problem != INTAKE_FINE) {
		/* told in the language of the sender's account if it chose one, as their receipt would be */
		const char *was = i18n_current();
		i18n_use(account_mail_language_for(db, in->from, was));
		const char *problem = intake_problem(a, in);
		hold(db, a, m, envelope_sender, call_id, in->problem_reason, problem ? problem : "", answer_to, out);
		i18n_use(was);
		return;
	}
	if (!in->from) {
		hold(db, a, m, envelope_sender, call_id, HOLDING_INVALID,
		     "The message has no sender address (From) that can be read, so no receipt can be sent.", NULL,
		     out);
		return;
	}

	/* A stakeholder whose address the receiving MTA vouched for is linked to the account. */
	struct account acc = {0};
	struct error lookup;
	error_clear(&lookup);
	const bool verified = in->verification == SENDER_PASS;
	bool linked = verified && account_find_email(db, a, in->from, &acc, &lookup) == 0 && acc.confirmed;
	if (lookup.code && strcmp(lookup.code, ERROR_NOT_FOUND) != 0) {
		fail_temporarily(out, &lookup);
		return;
	}
	const char *name = linked && acc.name && *acc.name ? acc.name : in->from_name;
	if (!name || !*name)
		name = arena_strndup(a, in->from, strcspn(in->from, "@"));
	/* A filled comment table attached becomes the contribution's comments; the other files stay attachments. */
	const struct contribution_attachment *files;
	int nfiles;
	struct comment_table table;
	if (attached_table(db, a, call_id, m, &files, &nfiles, &table, &e) != 0) {
		if (!strcmp(e.code, ERROR_INVALID))
			hold(db, a, m, envelope_sender, call_id, HOLDING_INVALID, error_words(a, &e), answer_to, out);
		else if (!strcmp(e.code, ERROR_NOT_FOUND))
			hold(db, a, m, envelope_sender, 0, HOLDING_NO_CALL,
			     "The call for contributions at this address is gone.", NULL, out);
		else
			fail_temporarily(out, &e);
		return;
	}
	struct contribution_mail mail = {
	    .sender = in->from,
	    .verification = in->verification,
	    .authentication = in->authentication,
	    .subject = in->subject,
	    .message_id = in->message_id,
	    .message_sha256 = m->content_sha256,
	    .references = in->references,
	    .raw = m->raw,
	    .raw_len = m->len,
	    .attachments = files,
	    .nattachments = nfiles,
	    .no_receipt = !may_answer,
	};
	struct contribution_input ci = {
	    .name = name,
	    .organization = linked ? acc.organization : NULL,
	    .category = linked ? acc.category : NULL,
	    .country = linked ? acc.country : NULL,
	    .email = in->from,
	    .text = in->text,
	    /* a message says nothing of publication: the secretariat only */
	    .publication = contribution_publication_name(PUBLICATION_PRIVATE),
	    .channel = CHANNEL_EMAIL,
	    .account_id = linked ? acc.id : 0,
	    .mail = &mail,
	    .comments = table.comments,
	    .ncomments = table.ncomments,
	    .table_report = table.nrows ? comment_table_report(a, &table, NULL) : NULL,
	};
	struct receipt receipt;
	if (contribution_receive(db, a, call_id, &ci, &receipt, &e) != 0) {
		if (!strcmp(e.code, ERROR_CALL_NOT_OPEN))
			hold(db, a, m, envelope_sender, call_id, HOLDING_CALL_NOT_OPEN,
			     _("The call for contributions at this address is not open yet."), answer_to, out);
		else if (!strcmp(e.code, ERROR_INVALID))
			hold(db, a, m, envelope_sender, call_id, HOLDING_INVALID, error_words(a, &e), answer_to, out);
		else if (!strcmp(e.code, ERROR_CONFLICT))
			/* Another message with a Message-ID we have: kept for the secretariat, never taken for the
			 * first one. Nothing goes back: the answer would tell a stranger of someone else's message. */
			hold(db, a, m, envelope_sender, call_id, HOLDING_DUPLICATE, e.message, NULL, out);
		else if (!strcmp(e.code, ERROR_NOT_FOUND))
			hold(db, a, m, envelope_sender, 0, HOLDING_NO_CALL,
			     "The call for contributions at this address is gone.", NULL, out);
		else
			fail_temporarily(out, &e);
		return;
	}
	out->outcome = receipt.duplicate ? MAIL_DUPLICATE : MAIL_ACCEPTED;
	out->comment_report = ci.table_report;
	snprintf(out->tracking, sizeof out->tracking, "%s", receipt.tracking);
	out->call_id = receipt.call_id;
	out->late = receipt.late;
	out->received_at = receipt.received_at;
}

void mail_deliver(struct db *db, struct arena *a, const struct mail_message *m, const char *envelope_sender,
                  const char *recipient, struct mail_result *out)
{
	const char *lang = i18n_current();
	deliver(db, a, m, envelope_sender, recipient, out);
	i18n_use(lang);
}

json_t *mail_result_json(const struct mail_result *r)
{
	json_t *o = json_pack("{s:s,s:s}", "outcome", mail_outcome_name(r->outcome), "recipient",
	                      r->recipient ? r->recipient : "");
	char when[CLOCK_RFC3339_LEN];
	switch (r->outcome) {
	case MAIL_ACCEPTED:
	case MAIL_DUPLICATE:
		clock_format_rfc3339(r->received_at, when);
		json_object_set_new(o, "tracking", json_string(r->tracking));
		json_object_set_new(o, "call", json_integer(r->call_id));
		json_object_set_new(o, "late", json_boolean(r->late));
		json_object_set_new(o, "received_at", json_string(when));
		if (r->comment_report)
			json_object_set_new(o, "comment_report", json_string(r->comment_report));
		break;
	case MAIL_HELD:
		clock_format_rfc3339(r->received_at, when);
		json_object_set_new(o, "held", json_integer(r->held_id));
		json_object_set_new(o, "call", r->call_id ? json_integer(r->call_id) : json_null());
		json_object_set_new(o, "reason", json_string(holding_reason_name(r->reason)));
		json_object_set_new(o, "detail", json_string(r->detail ? r->detail : ""));
		json_object_set_new(o, "received_at", json_string(when));
		break;
	case MAIL_TEMPFAIL:
	case MAIL_REJECT: json_object_set_new(o, "error", json_string(r->detail ? r->detail : "")); break;
	}
	return o;
}
