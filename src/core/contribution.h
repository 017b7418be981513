/*
 * contribution — what a stakeholder sends to a call, and the one way in.
 *
 * contribution_receive() is the only code that accepts a contribution,
 * whether it came from the web form, the JSON API or (later) e-mail. It
 * checks the call is open at the server's clock, validates every field and
 * reports each bad one, assigns a tracking number, and commits durably
 * before returning, so a receipt is only ever shown for a stored
 * contribution. On any error nothing is stored.
 */
#ifndef CONSULTA_CORE_CONTRIBUTION_H
#define CONSULTA_CORE_CONTRIBUTION_H

#include "core/audit.h"
#include "core/tracking.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Fields as they arrived (any may be NULL); contribution_receive trims them. */
struct contribution_input {
	const char *name;
	const char *organization;
	const char *category; /* a category slug of the call's process */
	const char *country;  /* ISO 3166-1 alpha-2 */
	const char *email;
	const char *text;
	const char *publication; /* named, anonymous, private */
	const char *channel;     /* web, api, email: set by the channel, not the sender */
	int64_t account_id;      /* the logged-in stakeholder who sends it, or 0 */
};

struct receipt {
	char tracking[TRACKING_LEN + 1];
	int64_t received_at;
	int64_t call_id;
};

struct contribution {
	int64_t id;
	char tracking[TRACKING_LEN + 1];
	int64_t call_id;
	const char *channel;
	const char *name;
	const char *organization;
	const char *category_slug;
	const char *category_name;
	const char *country;
	const char *email;
	const char *text;
	const char *publication;
	int64_t received_at;
	const char *state;             /* published, pending (awaiting review), hidden, spam */
	const char *moderation_reason; /* why it was hidden (public), or NULL */
	int64_t moderated_at;          /* 0 if never moderated */
};

int contribution_receive(struct db *db, struct arena *a, int64_t call_id, const struct contribution_input *in,
			 struct receipt *out, struct error *e);

/* Validates the fields that need no database; adds one error per bad field. */
void contribution_validate(struct arena *a, const struct contribution_input *in, struct contribution_input *clean,
			   struct error *e);

/* The full record, whatever its publication; ERROR_NOT_FOUND if unknown. */
int contribution_find(struct db *db, struct arena *a, const char *tracking, struct contribution *out,
		      struct error *e);

/* Whether the public may see it at all: not private, and published or hidden.
 * A hidden one is shown only as its tracking number and the public reason
 * (contribution_is_hidden); a pending one or spam is not there for the public. */
bool contribution_is_public(const struct contribution *c);
bool contribution_is_hidden(const struct contribution *c);

/* What the public sees of a call, oldest first, one page: the published
 * contributions and, in their places, the hidden ones (which the reader shows
 * by tracking number and reason only). total counts them all, hidden those
 * hidden among them. */
int contribution_list_published(struct db *db, struct arena *a, int64_t call_id, int offset, int limit,
				struct contribution **out, int *n, int64_t *total, int64_t *hidden, struct error *e);

/* The secretariat's view: every contribution of a call, whatever its
 * publication, in one state (or any, with state NULL), oldest first, one page. */
int contribution_list(struct db *db, struct arena *a, int64_t call_id, const char *state, int offset, int limit,
		      struct contribution **out, int *n, int64_t *total, struct error *e);

bool contribution_state_valid(const char *state);

/* Moderation by the secretariat: action "publish", "hide" (with a reason,
 * required, that the public sees in the contribution's place) or "spam" (gone
 * from public view, kept in the record). One transaction with audit
 * "contribution.moderate" (state and reason before and after). Errors name
 * action and reason; ERROR_NOT_FOUND for an unknown tracking number,
 * ERROR_CONFLICT if the contribution is in that state already. *out, if not
 * NULL, receives the contribution as it is now. */
int contribution_moderate(struct db *db, struct arena *a, const struct actor *who, const char *tracking,
			  const char *action, const char *reason, struct contribution *out, struct error *e);

/* The contributions sent by an account, newest first (its "My contributions"). */
int contribution_list_account(struct db *db, struct arena *a, int64_t account_id, int offset, int limit,
			      struct contribution **out, int *n, struct error *e);

bool contribution_publication_valid(const char *p);
bool contribution_email_valid(const char *email);

#endif
