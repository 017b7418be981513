/*
 * campaign — mass campaigns recognised: contributions to one call whose texts
 * are the same, or nearly, once a mail-merge greeting and signature are set
 * aside (FCC docket 17-108: 94 % of 21.7 million comments).
 *
 * A campaign is a view, never a merge: each contribution stays its own record
 * with its own tracking number and receipt, and only gains contribution.campaign_id.
 * A campaign has a count, a representative (its first member), and its first
 * and last arrival.
 *
 * How a text is recognised (campaign_shape_of):
 *   1. normalised: greeting and closing lines set aside (the first short line that
 *      opens with a salutation word or ends with a comma or colon — "Dear Commissioner X,";
 *      from a closing word such as "Sincerely," near the end, to the end; a last
 *      short line without a full stop, a bare signature), then case folded
 *      (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic, full-width forms),
 *      punctuation and spacing reduced to one space between words; each CJK
 *      character (Han, kana) counts as a word of its own, so that text without
 *      spaces is compared by characters;
 *   2. exact: a 64-bit SipHash (libsodium crypto_shorthash, a fixed public key) of
 *      the normalised words; equal hashes and equal signatures are the same text;
 *   3. near: MinHash over shingles of CAMPAIGN_SHINGLE words — each shingle hashed
 *      once, then CAMPAIGN_HASHES permutations by the SplitMix64 finaliser of
 *      (shingle ^ a constant per permutation) — and LSH in CAMPAIGN_BANDS bands of
 *      CAMPAIGN_ROWS rows: two texts become candidates when one band is equal, and
 *      a candidate is joined only if the estimated Jaccard similarity (the share of
 *      equal MinHash values) is at least CAMPAIGN_JOIN.
 *
 * When: on arrival, inside contribution_receive()'s transaction (campaign_assign), or, under the group commit,
 * by the writer's pass soon after the commit (campaign_pass below), with the same lookups:
 * one indexed lookup for the exact hash, then at most CAMPAIGN_BANDS bucket lookups
 * of at most CAMPAIGN_BUCKET_PEEK rows each and one primary-key read per candidate.
 * Only texts that are not exact duplicates keep a signature, and only those that
 * are not already close (>= CAMPAIGN_INDEX_BELOW) to a member they joined add
 * their bands, so the index grows with the variety of texts, not their number.
 * campaign_rebuild() runs the same assignment over a call's stored contributions
 * (bulk loads, contributions from before migration 021).
 */
#ifndef CONSULTA_CORE_CAMPAIGN_H
#define CONSULTA_CORE_CAMPAIGN_H

#include "core/comment.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	CAMPAIGN_SHINGLE = 3, /* words per shingle */
	CAMPAIGN_BANDS = 16,  /* LSH bands ... */
	CAMPAIGN_ROWS = 4,    /* ... of this many MinHash values each */
	CAMPAIGN_HASHES = CAMPAIGN_BANDS * CAMPAIGN_ROWS,
	CAMPAIGN_BUCKET_PEEK = 4, /* candidates read per band */
};
/* Estimated Jaccard similarity (of shingle sets) from which a text joins a candidate's campaign. */
#define CAMPAIGN_JOIN 0.50
/* A campaign of at most this many members merges into a larger one when a new text is alike to both. */
enum { CAMPAIGN_MERGE_MAX = 10000 };
/* The search stops at a candidate this alike: the text is as good as a copy of it. */
#define CAMPAIGN_STOP_AT 0.90
/* A text that joins at this similarity or more adds no bands: the member it joined stands for it. */
#define CAMPAIGN_INDEX_BELOW 0.75

/* A text's fingerprint. */
struct campaign_shape {
	int64_t exact;                     /* of the normalised words, non-negative */
	uint32_t minhash[CAMPAIGN_HASHES]; /* all 0xffffffff when the text has no word */
	int words;
};

/* The normalised text (step 1 above): words separated by one space, "" for a text of no word; NULL when
 * memory runs out. text must be valid UTF-8. */
char *campaign_normalize(struct arena *a, const char *text);

/* The fingerprint of text (valid UTF-8): 0, or -1 when memory runs out. */
int campaign_shape_of(struct arena *a, const char *text, struct campaign_shape *out);

/* The estimated Jaccard similarity of two fingerprints' shingle sets, 0 to 1. */
double campaign_similarity(const struct campaign_shape *x, const struct campaign_shape *y);

/* The text a contribution is compared by: its text, then each comment's text and proposed change, one per
 * line. NULL when memory runs out. */
char *campaign_text(struct arena *a, const char *text, const struct comment_input *comments, int n);

/* Puts contribution_id (of call_id, received at received_at, with that text as campaign_text() makes it) in
 * the campaign of an exact or near duplicate received before it, making that campaign if its duplicate had
 * none. Must run inside the caller's write transaction. *campaign_id: the campaign, 0 for none. 0 or -1. */
int campaign_assign(struct db *db, struct arena *a, int64_t call_id, int64_t contribution_id, const char *text,
                    int64_t received_at, int64_t *campaign_id, struct error *e);

/* Forgets call_id's campaigns and assigns every one of its contributions again, oldest first, in
 * transactions of a few thousand; *assigned: the contributions of the call in a campaign. 0 or -1 (what was
 * committed stays). resume: forgets nothing, and assigns only the contributions no run has looked at yet
 * (those after the call's last signature that are in no campaign): a rebuild stopped half-way (a restart, a
 * failure, a docket of 21.7 million that takes hours) goes on where it stopped. */
int campaign_rebuild(struct db *db, int64_t call_id, bool resume, int64_t *assigned, struct error *e);

/*
 * The pass after the commit. Under the group commit (core/contribution.c) contributions are not assigned in
 * the transaction that stores them: the writer, when no contribution waits, runs campaign_pass() over those
 * stored since, oldest first, so that campaigns stay what assigning on arrival would make them, a little
 * later. campaign_pass_start() finds where to begin (after a restart: after the last signature; those already
 * in a campaign are skipped); campaign_pass() assigns at most limit contributions after *after in one
 * transaction, moves *after to the last one looked at, and sets *more when there may be more. 0 or -1.
 * campaign_pass_stop(): no pass runs any longer (assignment on arrival again).
 */
int campaign_pass_start(struct db *db, int64_t *after, struct error *e);
int campaign_pass(struct db *db, int64_t *after, int limit, bool *more, struct error *e);
void campaign_pass_stop(void);
/* The last contribution the pass has looked at and committed (INT64_MAX when no pass runs). Read it before
 * the read transaction's first statement (a handler's first line; for a signed-in reader the session was
 * read just before, which leaves a window of microseconds): the snapshot taken after it then holds every
 * campaign the pass made up to it, whereas one read later could name a pass that committed after the
 * snapshot was taken (the campaigns read would lack its members, yet none would be counted as ungrouped:
 * seen as a campaign of 11 instead of 12 on PostgreSQL, whose page reads run on a pool of their own). */
int64_t campaign_pass_mark(void);
/* How many of call_id's contributions past `mark` (campaign_pass_mark()) the pass has not looked at yet (0
 * when no pass runs): what the campaigns' counts do not include yet. 0 or -1. */
int campaign_ungrouped(struct db *db, int64_t call_id, int64_t mark, int64_t *n, struct error *e);

/* A contribution's state or publication changed (moderation, admission): keeps its campaign's count of
 * members the public sees (published and not private). Inside the caller's write transaction; 0 or -1. */
int campaign_publicity(struct db *db, int64_t contribution_id, bool was_public, bool is_public, struct error *e);

/* A campaign as the public sees it. */
struct campaign {
	int64_t id;
	int64_t call_id;
	int64_t members;            /* its members the public sees: published, not private */
	int64_t received;           /* every contribution in it, whatever its state (the secretariat's count) */
	int64_t first_at, last_at;  /* the first and last arrival of any member */
	const char *representative; /* tracking number of its first member the public sees */
	const char *text;           /* that member's text */
};

/* The campaigns of call_id with a member the public sees, largest first, one page; *total counts them.
 * Reads the kept counts (index campaign_call), then the representative of each campaign shown. */
int campaign_list(struct db *db, struct arena *a, int64_t call_id, int offset, int limit, struct campaign **out, int *n,
                  int64_t *total, struct error *e);

/* The largest campaigns of every call of process_id (at most limit), as campaign_list shows them; *total counts
 * them all. */
int campaign_list_process(struct db *db, struct arena *a, int64_t process_id, int limit, struct campaign **out, int *n,
                          int64_t *total, struct error *e);

/* One campaign (as campaign_list shows it); ERROR_NOT_FOUND when unknown or with no member the public sees. */
int campaign_find(struct db *db, struct arena *a, int64_t id, struct campaign *out, struct error *e);

#endif
