/*
 * audit — the append-only record of every change: who, when, what, before
 * and after. Each change records itself inside its own transaction, so the
 * log holds exactly the changes that happened. The table refuses UPDATE and
 * DELETE (triggers in the schema).
 */
#ifndef CONSULTA_CORE_AUDIT_H
#define CONSULTA_CORE_AUDIT_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <jansson.h>
#include <stdint.h>

/* Who is acting: an account, or a named actor such as "public" or "command line". */
struct actor {
	int64_t account_id; /* 0 when none */
	const char *label;  /* the account's e-mail, or the named actor */
};

extern const struct actor ACTOR_PUBLIC;
extern const struct actor ACTOR_SYSTEM;
extern const struct actor ACTOR_COMMAND_LINE;

struct audit_entry {
	int64_t id;
	int64_t at;
	const char *actor;
	int64_t process_id;
	const char *process_slug; /* NULL when the change is not about a process */
	const char *kind;
	const char *object;
	const char *before; /* JSON or NULL */
	const char *after;
};

/* Records a change; before and after are JSON texts (or NULL). A kind that is a fact of the tamper-evident
 * record (ledger_audit_kind: schedule moves, deadline changes, moderation, dispositions) also appends the
 * row's leaf to it (core/ledger.h), in the caller's transaction. */
int audit_record(struct db *db, const struct actor *who, int64_t process_id, const char *kind, const char *object,
		 const char *before, const char *after, struct error *e);

/* The JSON text of value (compact, keys sorted) in the arena, for before and
 * after; takes the reference. NULL for NULL (and if memory runs out). */
const char *audit_json(struct arena *a, json_t *value);

/* Newest first; process_id 0 and kind NULL mean any. kind may be a prefix ending in '.' ("call."). */
int audit_list(struct db *db, struct arena *a, int64_t process_id, const char *kind, int64_t before_id, int limit,
	       struct audit_entry **out, int *n, struct error *e);

#endif
