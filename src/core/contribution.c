/* contribution — see contribution.h. */
#include "core/contribution.h"

#include "core/call.h"
#include "core/country.h"
#include "core/field.h"
#include "core/config.h"
#include "core/limits.h"
#include "core/outbox.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/tz.h"
#include "util/utf8.h"

#include <stdio.h>
#include <string.h>

enum { TRACKING_ATTEMPTS = 8 };

bool contribution_publication_valid(const char *p)
{
	return p && (!strcmp(p, "named") || !strcmp(p, "anonymous") || !strcmp(p, "private"));
}

bool contribution_email_valid(const char *email)
{
	return field_email_valid(email);
}

void contribution_validate(struct arena *a, const struct contribution_input *in, struct contribution_input *clean,
			   struct error *e)
{
	clean->name = field_trimmed(a, in->name);
	clean->organization = field_trimmed(a, in->organization);
	clean->category = field_trimmed(a, in->category);
	clean->email = field_trimmed(a, in->email);
	clean->publication = field_trimmed(a, in->publication);
	clean->channel = in->channel;
	clean->account_id = in->account_id;
	clean->text = in->text;
	const char *country = field_trimmed(a, in->country);
	if (country && strlen(country) == 2) {
		char *up = arena_strdup(a, country);
		for (char *p = up; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		country = up;
	}
	clean->country = country;

	field_check_line(e, "name", clean->name, true, LIMIT_NAME, "your name");
	field_check_line(e, "organization", clean->organization, false, LIMIT_ORGANIZATION, "your organization");
	if (!clean->category || !*clean->category)
		error_field(e, "category", "Choose the category of stakeholder you belong to.");
	if (!clean->country || !*clean->country)
		error_field(e, "country", "Choose your country.");
	else if (!country_name(clean->country))
		error_field(e, "country", "Use a two-letter ISO 3166-1 country code, such as CH or KE.");
	if (!clean->email || !*clean->email)
		error_field(e, "email", "Enter your e-mail address, so that the secretariat can reach you.");
	else if (!contribution_email_valid(clean->email))
		error_field(e, "email", "This does not look like an e-mail address (name@example.org).");
	field_check_text(e, "text", clean->text, true, LIMIT_TEXT, "your contribution");
	if (!clean->publication || !*clean->publication)
		error_field(e, "publication", "Choose whether your contribution is published with your name, "
					      "anonymously, or sent to the secretariat only.");
	else if (!contribution_publication_valid(clean->publication))
		error_field(e, "publication", "Use named, anonymous or private.");
}

static int contribution_insert(struct db *db, int64_t call_id, int64_t category_id,
			       const struct contribution_input *c, const char *state, int64_t now, struct receipt *out,
			       struct error *e)
{
	static const char sql[] =
		"INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
		"email, text, publication, received_at, account_id, state) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	for (int attempt = 0; attempt < TRACKING_ATTEMPTS; attempt++) {
		if (tracking_new(out->tracking) != 0) {
			error_set(e, ERROR_UNAVAILABLE, "No randomness is available for a tracking number.");
			return -1;
		}
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		db_bind_text(st, 1, out->tracking);
		db_bind_int(st, 2, call_id);
		db_bind_text(st, 3, c->channel);
		db_bind_text(st, 4, c->name);
		db_bind_text(st, 5, c->organization ? c->organization : "");
		db_bind_int(st, 6, category_id);
		db_bind_text(st, 7, c->country);
		db_bind_text(st, 8, c->email);
		db_bind_text(st, 9, c->text);
		db_bind_text(st, 10, c->publication);
		db_bind_int(st, 11, now);
		if (c->account_id)
			db_bind_int(st, 12, c->account_id);
		else
			db_bind_null(st, 12);
		db_bind_text(st, 13, state);
		if (db_exec_stmt(st, e) == 0) {
			out->received_at = now;
			out->call_id = call_id;
			return 0;
		}
		if (!db_unique_violation(db))
			return -1;
		error_clear(e); /* the rare clash of two random numbers: draw again */
	}
	error_set(e, ERROR_UNAVAILABLE, "No free tracking number was found; try again.");
	return -1;
}

/* The receipt by mail, queued in the same transaction as the contribution. */
static int contribution_receipt_mail(struct db *db, struct arena *a, const struct call *call,
				     const struct contribution_input *c, const struct receipt *r, struct error *e)
{
	char utc[32], local[64], version_date[32];
	tz_format_utc(r->received_at, utc);
	if (tz_format_local(call->timezone, r->received_at, local) != 0)
		snprintf(local, sizeof local, "%s", utc);
	clock_format_date_long(call->version_date, version_date);
	const bool review = call->review && !strcmp(call->review, "after_review");
	const char *publication = !strcmp(c->publication, "named")
					  ? (review ? "published with your name once the secretariat has reviewed it"
						    : "published with your name")
				  : !strcmp(c->publication, "anonymous")
					  ? (review ? "published without your name once the secretariat has reviewed it"
						    : "published without your name")
					  : "not published: for the secretariat only";
	const char *body = arena_printf(
		a,
		"Dear %s,\n\n"
		"Your contribution to the call \"%s\" on %s (%s of %s) has been received.\n\n"
		"Tracking number: %s\n"
		"Received: %s\n"
		"          %s %s\n"
		"Publication: %s\n\n"
		"Your receipt: %s/receipts/%s\n\n"
		"Please quote the tracking number if you write to the secretariat about this contribution.\n",
		c->name, call->title, call->document_title, call->version_label, version_date, r->tracking, utc, local,
		call->timezone, publication, config_get()->public_url, r->tracking);
	const char *subject = arena_printf(a, "Contribution received: %s", r->tracking);
	if (!body || !subject) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	struct outbox_mail mail = {.kind = "receipt", .to = c->email, .subject = subject, .body = body};
	return outbox_enqueue(db, &mail, e);
}

int contribution_receive(struct db *db, struct arena *a, int64_t call_id, const struct contribution_input *in,
			 struct receipt *out, struct error *e)
{
	static const char *const channels[] = {"web", "api", "email"};
	bool channel_ok = false;
	for (size_t i = 0; in->channel && i < sizeof channels / sizeof *channels; i++)
		channel_ok |= strcmp(in->channel, channels[i]) == 0;
	if (!channel_ok) {
		error_set(e, ERROR_INTERNAL, "unknown channel");
		return -1;
	}

	/* The call's state and the insert are judged in one write transaction, so
	 * a contribution cannot slip in after a deadline changed under it. */
	if (db_begin(db, e) != 0)
		return -1;
	struct call call;
	struct process process;
	if (call_find(db, a, call_id, &call, e) != 0 || process_find_id(db, a, call.process_id, &process, e) != 0)
		goto fail;

	const int64_t now = clock_now();
	switch (call_state_at(&call, now)) {
	case CALL_UPCOMING:
		error_set(e, ERROR_CALL_NOT_OPEN, "This call for contributions is not open yet.");
		goto fail;
	case CALL_CLOSED:
		error_set(e, ERROR_CALL_CLOSED, "This call for contributions closed on %s; contributions are no "
						"longer accepted.",
			  call.closes_on ? call.closes_on : "its deadline");
		goto fail;
	case CALL_OPEN: break;
	}

	struct contribution_input clean;
	contribution_validate(a, in, &clean, e);
	const struct category *category = NULL;
	if (clean.category && *clean.category) {
		category = process_category(&process, clean.category);
		if (!category)
			error_field(e, "category", "Choose one of the categories of this process.");
	}
	if (e->code)
		goto fail;

	/* A call that reviews contributions first keeps them pending until the secretariat publishes them. */
	const char *state = call.review && !strcmp(call.review, "after_review") ? "pending" : "published";
	if (contribution_insert(db, call.id, category->id, &clean, state, now, out, e) != 0 ||
	    contribution_receipt_mail(db, a, &call, &clean, out, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	log_event("contribution.received", "call=%lld tracking=%s channel=%s", (long long)call.id, out->tracking,
		  clean.channel);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

#define CONTRIBUTION_COLUMNS                                                                                  \
	"SELECT c.id, c.tracking, c.call_id, c.channel, c.name, c.organization, k.slug, k.name, c.country, "    \
	"c.email, c.text, c.publication, c.received_at, c.state, c.moderation_reason, c.moderated_at "           \
	"FROM contribution c JOIN category k ON k.id = c.category_id "

static void contribution_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct contribution *c = element;
	c->id = db_col_int(st, 0);
	const char *t = db_col_text(st, 1);
	strncpy(c->tracking, t ? t : "", sizeof c->tracking - 1);
	c->call_id = db_col_int(st, 2);
	c->channel = arena_strdup(a, db_col_text(st, 3));
	c->name = arena_strdup(a, db_col_text(st, 4));
	c->organization = arena_strdup(a, db_col_text(st, 5));
	c->category_slug = arena_strdup(a, db_col_text(st, 6));
	c->category_name = arena_strdup(a, db_col_text(st, 7));
	c->country = arena_strdup(a, db_col_text(st, 8));
	c->email = arena_strdup(a, db_col_text(st, 9));
	c->text = arena_strdup(a, db_col_text(st, 10));
	c->publication = arena_strdup(a, db_col_text(st, 11));
	c->received_at = db_col_int(st, 12);
	c->state = arena_strdup(a, db_col_text(st, 13));
	c->moderation_reason = arena_strdup(a, db_col_text(st, 14));
	c->moderated_at = db_col_int(st, 15);
}

int contribution_find(struct db *db, struct arena *a, const char *tracking, struct contribution *out,
		      struct error *e)
{
	char canonical[TRACKING_LEN + 1];
	if (!tracking_parse(tracking, canonical)) {
		error_set(e, ERROR_NOT_FOUND, "There is no contribution with this tracking number; check it for "
					      "typing mistakes.");
		return -1;
	}
	static const char sql[] = CONTRIBUTION_COLUMNS "WHERE c.tracking = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, canonical);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, contribution_from_row, "There is no contribution with this tracking number.",
			      e);
}

bool contribution_is_public(const struct contribution *c)
{
	return strcmp(c->publication, "private") != 0 && c->state &&
	       (!strcmp(c->state, "published") || !strcmp(c->state, "hidden"));
}

bool contribution_is_hidden(const struct contribution *c)
{
	return c->state && !strcmp(c->state, "hidden");
}

bool contribution_state_valid(const char *state)
{
	static const char *const states[] = {"published", "pending", "hidden", "spam"};
	for (size_t i = 0; state && i < sizeof states / sizeof *states; i++)
		if (!strcmp(state, states[i]))
			return true;
	return false;
}

int contribution_list_published(struct db *db, struct arena *a, int64_t call_id, int offset, int limit,
				struct contribution **out, int *n, int64_t *total, int64_t *hidden, struct error *e)
{
	static const char sql_count[] =
		"SELECT count(*), count(*) FILTER (WHERE state = 'hidden') FROM contribution "
		"WHERE call_id = ? AND publication <> 'private' AND state IN ('published', 'hidden')";
	static const char sql[] = CONTRIBUTION_COLUMNS
		"WHERE c.call_id = ? AND c.publication <> 'private' AND c.state IN ('published', 'hidden') "
		"ORDER BY c.id LIMIT ? OFFSET ?";
	struct db_stmt *st = db_stmt(db, sql_count, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	if (db_step(st, e) != DB_ROW)
		return -1;
	*total = db_col_int(st, 0);
	*hidden = db_col_int(st, 1);
	db_reset(st);
	st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, contribution_from_row, e);
}

int contribution_list(struct db *db, struct arena *a, int64_t call_id, const char *state, int offset, int limit,
		      struct contribution **out, int *n, int64_t *total, struct error *e)
{
	/* ?2 = '' is every state */
	static const char sql_count[] =
		"SELECT count(*) FROM contribution WHERE call_id = ?1 AND (?2 = '' OR state = ?2)";
	static const char sql[] = CONTRIBUTION_COLUMNS
		"WHERE c.call_id = ?1 AND (?2 = '' OR c.state = ?2) ORDER BY c.id LIMIT ?3 OFFSET ?4";
	struct db_stmt *st = db_stmt(db, sql_count, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_text(st, 2, state ? state : "");
	if (db_step(st, e) != DB_ROW)
		return -1;
	*total = db_col_int(st, 0);
	db_reset(st);
	st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_text(st, 2, state ? state : "");
	db_bind_int(st, 3, limit);
	db_bind_int(st, 4, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, contribution_from_row, e);
}

static json_t *moderation_json(const struct contribution *c)
{
	return json_pack("{s:s,s:o}", "state", c->state, "reason",
			 c->moderation_reason ? json_string(c->moderation_reason) : json_null());
}

int contribution_moderate(struct db *db, struct arena *a, const struct actor *who, const char *tracking,
			  const char *action, const char *reason, struct contribution *out, struct error *e)
{
	static const struct {
		const char *action, *state;
	} actions[] = {{"publish", "published"}, {"hide", "hidden"}, {"spam", "spam"}};
	const char *state = NULL;
	action = field_trimmed(a, action);
	reason = field_trimmed(a, reason);
	for (size_t i = 0; action && i < sizeof actions / sizeof *actions; i++)
		if (!strcmp(action, actions[i].action))
			state = actions[i].state;
	if (!state)
		error_field(e, "action", "Use publish, hide or spam.");
	/* The reason for hiding is shown to the public in the contribution's place. */
	field_check_text(e, "reason", reason, state && !strcmp(state, "hidden"), LIMIT_REASON,
			 "the reason for hiding it; the public sees it in its place");
	if (e->code)
		return -1;
	if (reason && !*reason)
		reason = NULL;
	static const char sql[] =
		"UPDATE contribution SET state = ?, moderation_reason = ?, moderated_at = ? WHERE id = ?";
	if (db_begin(db, e) != 0)
		return -1;
	struct contribution before, after;
	if (contribution_find(db, a, tracking, &before, e) != 0)
		goto fail;
	const bool same_reason = !before.moderation_reason == !reason &&
				 (!reason || !strcmp(before.moderation_reason, reason));
	if (!strcmp(before.state, state) && (strcmp(state, "hidden") || same_reason)) {
		error_set(e, ERROR_CONFLICT, "This contribution is %s already.", state);
		goto fail;
	}
	struct call call;
	if (call_find(db, a, before.call_id, &call, e) != 0)
		goto fail;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, state);
	db_bind_text(st, 2, reason);
	db_bind_int(st, 3, clock_now());
	db_bind_int(st, 4, before.id);
	if (db_exec_stmt(st, e) != 0 || contribution_find(db, a, before.tracking, &after, e) != 0 ||
	    audit_record(db, who, call.process_id, "contribution.moderate",
			 arena_printf(a, "contribution:%s", before.tracking), audit_json(a, moderation_json(&before)),
			 audit_json(a, moderation_json(&after)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	log_event("contribution.moderated", "tracking=%s state=%s", after.tracking, after.state);
	if (out)
		*out = after;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int contribution_list_account(struct db *db, struct arena *a, int64_t account_id, int offset, int limit,
			      struct contribution **out, int *n, struct error *e)
{
	static const char sql[] = CONTRIBUTION_COLUMNS "WHERE c.account_id = ? ORDER BY c.id DESC LIMIT ? OFFSET ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, account_id);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, offset);
	return db_collect(st, a, (void **)out, n, sizeof **out, contribution_from_row, e);
}
