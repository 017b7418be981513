/*
 * disposition — the secretariat's answer to each comment of a call: accepted,
 * accepted in part, not accepted or noted, with its reason and, optionally,
 * the paragraph of a later version of the document where the text landed.
 *
 * An answer may be revised until the call's dispositions are published, but
 * never silently: every revision (the first included) is kept in
 * disposition_history and the audit log. Publication is one act for the whole
 * call, refused while any comment of a contribution that is not spam has no
 * answer; after it, answers no longer change (409).
 */
#ifndef CONSULTA_CORE_DISPOSITION_H
#define CONSULTA_CORE_DISPOSITION_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

struct contribution;

enum disposition_decision { DECISION_ACCEPTED, DECISION_ACCEPTED_IN_PART, DECISION_NOT_ACCEPTED, DECISION_NOTED };
const char *disposition_decision_name(enum disposition_decision d);
/* Reads a decision's name; false for a name not in its table. */
bool disposition_decision_parse(const char *name, enum disposition_decision *out);

/* An answer as the secretariat gives it (strings as they arrived; NULL when absent). */
struct disposition_input {
	const char *decision; /* accepted, accepted_in_part, not_accepted, noted */
	const char *reason;   /* required, at most LIMIT_DISPOSITION_REASON characters */
	/* Where the text landed: a pid of a later version of the comment's document (NULL or "": nowhere).
	 * version_id names the version; 0 takes the newest published version after the comment's. */
	const char *paragraph;
	int64_t version_id;
};

/* An answer in force, or one revision of it. */
struct disposition {
	int64_t comment_id;
	enum disposition_decision decision;
	const char *reason;
	int64_t version_id; /* 0 when no paragraph is named */
	const char *pid;    /* or NULL */
	int64_t decided_at;
	int64_t decided_by;
	int revision;
	/* Filled by disposition_attach() only: where the text landed as a reader sees it (¶N of the version's
	 * label), 0 and NULL when no paragraph is named. */
	int number;
	const char *version_label;
};

/*
 * Records the answer to comment_id as who: validates in (field errors "decision", "reason", "paragraph"),
 * refuses with ERROR_CONFLICT once the call's dispositions are published, ERROR_NOT_FOUND for no such
 * comment. In one write transaction: the answer in force, a history row (revision + 1) and an audit entry
 * disposition.record with before and after. The same decision, reason and paragraph as the answer in force
 * is "unchanged": nothing is written and *unchanged is set. *out is the answer in force afterwards.
 */
int disposition_record(struct db *db, struct arena *a, const struct actor *who, int64_t comment_id,
                       const struct disposition_input *in, struct disposition *out, bool *unchanged, struct error *e);

/* A selection of comments of one call, for answering many at once: exactly one of these is set. */
struct disposition_selection {
	const char *paragraph; /* the comments on this pid of the call's version ("" : the general ones) */
	const char *type;      /* general, technical, editorial */
	const char *category;  /* the slug of the senders' category */
	const int64_t *ids;    /* these comments (each of the call) */
	int nids;
	int64_t same_as;      /* every comment of the call whose text, normalized, equals this one's */
	int64_t campaign;     /* every comment of the contributions in this campaign of the call (core/campaign.h) */
	bool unanswered_only; /* answer only the selected comments without an answer yet; the others are kept */
};

/* Answers every comment of call_id that sel selects (of contributions that are not spam), each as
 * disposition_record() would, all in one transaction: *applied new answers or revisions, *unchanged
 * those whose answer was this one already, *kept those with another answer left as it is
 * (sel->unanswered_only). A paragraph is selected by its id (p3) or by its number on the page (¶3, 3).
 * ERROR_INVALID "select" when the selection is empty or names no comment. */
int disposition_record_many(struct db *db, struct arena *a, const struct actor *who, int64_t call_id,
                            const struct disposition_selection *sel, const struct disposition_input *in, int *applied,
                            int *unchanged, int *kept, struct error *e);

/* One answer of many given item by item (a resolution matrix uploaded back), and what became of it. */
enum disposition_outcome { DISPOSITION_APPLIED, DISPOSITION_UNCHANGED, DISPOSITION_REFUSED };
struct disposition_each {
	int64_t comment_id;
	struct disposition_input in;
	bool keep_paragraph; /* the paragraph of the answer in force stays (in.paragraph and version_id unread) */
	/* set by disposition_record_each() */
	enum disposition_outcome outcome;
	const char *refused; /* why, when refused: a sentence for the secretariat */
};

/* Answers items[0..n), comments of call_id, each as disposition_record() would (history, audit, "unchanged"),
 * all in ONE transaction. An item whose input is bad, whose comment is unknown or of another call, or whose
 * paragraph is not found is refused (outcome, refused) before anything of it is written, and the others still
 * apply. With source (the uploaded file's name) and at least one answer applied, one more audit entry
 * disposition.upload with the counts. Returns -1 with nothing stored: ERROR_NOT_FOUND for no such call,
 * ERROR_CONFLICT once its dispositions are published, or a failure of the database. */
int disposition_record_each(struct db *db, struct arena *a, const struct actor *who, int64_t call_id,
                            struct disposition_each *items, int n, const char *source, int *applied, int *unchanged,
                            int *refused, struct error *e);

/* One paragraph's comments with no answer yet: pid NULL for general comments. */
struct disposition_remaining {
	const char *pid;
	int count;
};
/* The comments of call_id without an answer (of contributions that are not spam) per paragraph, in the order
 * of the text (the general ones first), one query; *total their sum. */
int disposition_remaining(struct db *db, struct arena *a, int64_t call_id, struct disposition_remaining **out, int *n,
                          int *total, struct error *e);

/* Publishes call_id's dispositions as who: ERROR_CONFLICT (saying how many remain) while any comment of a
 * contribution that is not spam has no answer, or when already published. Audit disposition.publish. */
int disposition_publish(struct db *db, struct arena *a, const struct actor *who, int64_t call_id, struct error *e);

/* When call_id's dispositions were published, 0 if not yet. */
int disposition_published_at(struct db *db, int64_t call_id, int64_t *at, struct error *e);
/* The newest published version of the call's document after the call's version (where an answer's paragraph
 * may be named), 0 if there is none yet. */
int disposition_later_version(struct db *db, int64_t call_id, int64_t *version_id, struct error *e);

/* The answer in force for comment_id: 0, or -1 with ERROR_NOT_FOUND when it has none. */
int disposition_find(struct db *db, struct arena *a, int64_t comment_id, struct disposition *out, struct error *e);

/* Every revision of comment_id's answer, oldest first. */
int disposition_history(struct db *db, struct arena *a, int64_t comment_id, struct disposition **out, int *n,
                        struct error *e);

/* Sets comments[j].disposition of every comment of items[0..n) (loaded by comment_attach) that has an
 * answer, one query. */
int disposition_attach(struct db *db, struct arena *a, struct contribution *items, int n, struct error *e);

/* One comment of a call as the secretariat answers it (disposition_comments). */
struct disposition_item {
	int64_t comment_id;
	const char *pid; /* or NULL: general */
	int number;      /* its ¶N in the call's version, or 0 */
	const char *type, *comment, *proposed_change;
	const char *tracking, *name, *category; /* of the contribution; category: its slug */
	bool answered;
	struct disposition d; /* when answered */
};
/* Every comment of call_id of a contribution that is not spam, general ones first, then by paragraph, one
 * query. */
int disposition_comments(struct db *db, struct arena *a, int64_t call_id, struct disposition_item **out, int *n,
                         struct error *e);

/* A comment's text as "identical comments" compare it: spaces collapsed and trimmed, ASCII lower-cased; NULL
 * when memory runs out. */
char *disposition_normalized(struct arena *a, const char *s);

/* The call a comment belongs to. */
int disposition_comment_call(struct db *db, int64_t comment_id, int64_t *call_id, struct error *e);

#endif
