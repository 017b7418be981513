/*
 * ledger — the tamper-evident record: an append-only Merkle tree of the facts
 * that must never change or vanish, with signed checkpoints and proofs that
 * anyone can check without trusting the server.
 *
 * The tree is RFC 9162's (Certificate Transparency v2, section 2.1): a leaf's
 * hash is SHA-256(0x00 || leaf), a node's SHA-256(0x01 || left || right), and
 * the root of n leaves MTH(D[n]) splits at the largest power of two smaller
 * than n. Proofs are its inclusion (2.1.3) and consistency (2.1.4) proofs.
 *
 * What is a leaf. ledger_append() is the one way in, called inside the
 * transaction that writes the fact, so that a fact and its leaf commit or
 * fail together:
 *  - every acknowledged contribution (core/contribution.c, its insert): the
 *    leaf is {"call_id","commitment","kind":"contribution","received_at","v"}
 *    where commitment = hex SHA-256(salt || canonical JSON) and salt is 32
 *    random bytes kept with the leaf and shown on the author's receipt. The
 *    canonical JSON (ledger_contribution_json) is what its receipt shows: the
 *    text, comments, category, country, publication, channel, times, the
 *    SHA-256 of each attachment and of the raw message; name and organisation
 *    only for a named one; never the e-mail address. Every contribution is
 *    committed this way (not only the private ones), so that the public tree
 *    reveals nothing of a private or anonymous one and the receipt alone
 *    proves it.
 *  - every schedule move, deadline change, moderation decision, admission
 *    and disposition, and each circular letter's issue and PDF
 *    (core/circular.h): these are written with their audit row (core/audit.h),
 *    so audit_record() appends the leaf of that row for the kinds that
 *    ledger_audit_kind() names; the leaf is the audit row as canonical JSON.
 * Canonical JSON here is jansson's compact output with sorted keys (UTF-8,
 * integers only).
 *
 * Storage (migration 020): the leaves' hashes in order, and the hash of every
 * complete subtree, written when its last leaf arrives. An append (or a
 * batch of them: the group commit's, ledger_batch_*) reads the size and the
 * tree's right edge once (one row per bit of n) and writes one leaf and, on
 * average, one node per leaf; a root or a proof reads the stored subtrees it is made of:
 * one row per bit of n for a root, and for a proof one per level plus the
 * bits of the one sibling that ends at the tree's edge: O(log n) rows each.
 *
 * Checkpoints are C2SP signed notes (c2sp.org/signed-note,
 * c2sp.org/tlog-checkpoint): the body is the origin line, the tree size and
 * the root in base64, each ending in a newline; then a blank line and the
 * signature line "— ORIGIN base64(keyid || Ed25519 signature of the body)",
 * keyid being the first 4 bytes of SHA-256(ORIGIN || "\n" || 0x01 || public
 * key). The origin is the public URL without its scheme. The server's key is
 * made once and kept in the database (server_secret 'ledger'), like the
 * other server keys: every node of a cluster signs with it, and a rewritten
 * database is caught by the checkpoints already handed out (each receipt
 * carries one), not by the key's secrecy alone.
 */
#ifndef CONSULTA_CORE_LEDGER_H
#define CONSULTA_CORE_LEDGER_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { LEDGER_HASH_LEN = 32, LEDGER_SALT_LEN = 32 };

/* What a leaf was made from. */
enum ledger_kind { LEDGER_CONTRIBUTION, LEDGER_AUDIT };
const char *ledger_kind_name(enum ledger_kind k);
bool ledger_kind_parse(const char *name, enum ledger_kind *out);

/* -- the hashing of RFC 9162 ------------------------------------------- */

void ledger_leaf_hash(const void *leaf, size_t n, unsigned char out[LEDGER_HASH_LEN]);
void ledger_node_hash(const unsigned char left[LEDGER_HASH_LEN], const unsigned char right[LEDGER_HASH_LEN],
                      unsigned char out[LEDGER_HASH_LEN]);

/* -- appending ---------------------------------------------------------- */

/* Appends the leaf of fact_id (a contribution's id, or an audit row's id), inside the caller's write
 * transaction: reads the fact, makes its leaf (a new salt for a contribution), stores the leaf and the
 * subtrees it completes. 0 with *index (may be NULL) the leaf's index, or -1 with e. */
int ledger_append(struct db *db, enum ledger_kind kind, int64_t fact_id, int64_t *index, struct error *e);

/* The same with the leaf's bytes given (salt NULL or LEDGER_SALT_LEN bytes, kept with it): for the unit
 * tests and the bench, which append leaves of no fact. */
int ledger_append_leaf(struct db *db, enum ledger_kind kind, int64_t fact_id, const void *leaf, size_t n,
                       const unsigned char *salt, int64_t *index, struct error *e);

/* A batch of appends inside one write transaction (the contributions' group commit, core/contribution.c):
 * ledger_batch_add() makes each fact's leaf at once (as ledger_append() does: reads the fact, draws a salt)
 * and gives its index, but queues it; ledger_batch_end() writes the queued leaves and the subtrees they
 * complete in one tree update (the tree's right edge read once, then each leaf hashed into it in memory),
 * before the commit. The tree written is the one the same leaves appended one at a time make. Between add and
 * end the leaves are not in the database (ledger_find does not see them), and nothing else may append on
 * this transaction. ledger_batch_mark()/ledger_batch_undo() drop the leaves queued since the mark (a
 * savepoint rolled back). The batch lives in a. */
struct ledger_batch;
struct ledger_batch *ledger_batch_begin(struct arena *a);
int ledger_batch_add(struct db *db, struct ledger_batch *b, enum ledger_kind kind, int64_t fact_id, int64_t *index,
                     struct error *e);
/* The same with the leaf's bytes given (as ledger_append_leaf): for the unit tests and the bench. */
int ledger_batch_add_leaf(struct db *db, struct ledger_batch *b, enum ledger_kind kind, int64_t fact_id,
                          const void *leaf, size_t n, const unsigned char *salt, int64_t *index, struct error *e);
/* A contribution's facts as its row holds them (the columns its canonical JSON is made of). */
struct ledger_contribution_facts {
	const char *tracking;
	int64_t call_id;
	const char *channel, *name, *organization, *category, *country, *text, *publication;
	int64_t received_at;
	const char *raw_sha256; /* NULL: none (the web and the API) */
};
/* ledger_batch_add() for a contribution just inserted with neither comments nor attachments, whose row holds
 * exactly f (the group commit's prepared contribution): its canonical JSON made from f instead of read back.
 * The leaf is the one ledger_append() would make from the row (`consulta verify --all` makes it again so). */
int ledger_batch_add_contribution(struct db *db, struct ledger_batch *b, int64_t contribution_id,
                                  const struct ledger_contribution_facts *f, int64_t *index, struct error *e);
/* The same in two steps, so that the first runs off the writer's thread: ledger_contribution_ready() draws the
 * salt and hashes the leaf of f (no database: the requester's thread, before the contribution is queued);
 * ledger_batch_add_ready() queues that leaf for contribution_id in the batch. The leaf is the one
 * ledger_batch_add_contribution() would make. 0, or -1 with e (out of memory). */
struct ledger_leaf_ready {
	unsigned char salt[LEDGER_SALT_LEN];
	unsigned char hash[LEDGER_HASH_LEN];
};
int ledger_contribution_ready(const struct ledger_contribution_facts *f, struct ledger_leaf_ready *out,
                              struct error *e);
int ledger_batch_add_ready(struct db *db, struct ledger_batch *b, int64_t contribution_id,
                           const struct ledger_leaf_ready *r, int64_t *index, struct error *e);
int ledger_batch_mark(const struct ledger_batch *b);
void ledger_batch_undo(struct ledger_batch *b, int mark);
int ledger_batch_end(struct db *db, struct ledger_batch *b, struct error *e);
/* The tree's size once the batch is written (0 before its first leaf). */
int64_t ledger_batch_size(const struct ledger_batch *b);

/* Whether an audit row of this kind is a fact of the record (a schedule move, a deadline change, a
 * moderation decision, an admission, a disposition): audit_record() appends its leaf. */
bool ledger_audit_kind(const char *audit_kind);

/* -- reading ------------------------------------------------------------ */

int ledger_size(struct db *db, int64_t *size, struct error *e);

/* The root MTH of the first `size` leaves (size >= 1, <= the tree's size). ERROR_INVALID beyond the tree. */
int ledger_root(struct db *db, int64_t size, unsigned char root[LEDGER_HASH_LEN], struct error *e);

/* The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 2.1.3.1), from the leaf
 * upward: *proof an arena array of *n hashes; leaf_hash the leaf's. ERROR_INVALID with a message saying
 * why for index >= size, size < 1 or size beyond the tree. */
int ledger_inclusion(struct db *db, struct arena *a, int64_t index, int64_t size,
                     unsigned char leaf_hash[LEDGER_HASH_LEN], unsigned char (**proof)[LEDGER_HASH_LEN], int *n,
                     struct error *e);

/* The consistency proof between the trees of `first` and `second` leaves (RFC 9162 2.1.4.1; 1 <= first <=
 * second <= the tree's size; empty when they are equal). ERROR_INVALID otherwise. */
int ledger_consistency(struct db *db, struct arena *a, int64_t first, int64_t second,
                       unsigned char (**proof)[LEDGER_HASH_LEN], int *n, struct error *e);

/* One leaf's row. */
struct ledger_entry {
	int64_t index;
	enum ledger_kind kind;
	int64_t fact_id;
	bool salted;
	unsigned char salt[LEDGER_SALT_LEN];
	unsigned char leaf_hash[LEDGER_HASH_LEN];
	int64_t at;
	int64_t size; /* the tree's size when it was read: the size its proof is asked at */
};
/* The leaf of a fact; ERROR_NOT_FOUND if it has none. */
int ledger_find(struct db *db, enum ledger_kind kind, int64_t fact_id, struct ledger_entry *out, struct error *e);
/* The leaf of the contribution `tracking`; ERROR_NOT_FOUND if there is none or it has none. */
int ledger_find_tracking(struct db *db, const char *tracking, struct ledger_entry *out, struct error *e);

/* The canonical JSON of a contribution (see the top of this file), in the arena. */
int ledger_contribution_json(struct db *db, struct arena *a, int64_t contribution_id, const char **json,
                             struct error *e);
/* The leaf of a contribution from its canonical JSON and salt (what `consulta verify` makes again). */
const char *ledger_contribution_leaf(struct arena *a, int64_t call_id, int64_t received_at, const char *canonical,
                                     const unsigned char salt[LEDGER_SALT_LEN]);

/* -- checkpoints -------------------------------------------------------- */

/* The signed note of the tree at `size` (0: its current size), in the arena; the key is made on first use.
 * *size_out, if not NULL, is the size signed. */
int ledger_checkpoint(struct db *db, struct arena *a, int64_t size, const char **note, int64_t *size_out,
                      struct error *e);
/* Makes the server's signing key if it has none (at start-up: `consulta serve`). 0 or -1. */
int ledger_key_ensure(struct db *db, struct error *e);
/* The server's verifier key in the note form "ORIGIN+KEYID+BASE64(0x01 || public key)". */
int ledger_public_key(struct db *db, struct arena *a, const char **vkey, struct error *e);
/* The checkpoint's origin: the public URL without its scheme. */
const char *ledger_origin(struct arena *a);

/* -- verifying (no database: what `consulta verify` and anyone's code does) ----- */

/* RFC 9162 2.1.3.2: whether proof shows leaf_hash at index in the tree of size with this root. */
bool ledger_verify_inclusion(int64_t index, int64_t size, const unsigned char leaf_hash[LEDGER_HASH_LEN],
                             const unsigned char (*proof)[LEDGER_HASH_LEN], int n,
                             const unsigned char root[LEDGER_HASH_LEN]);
/* RFC 9162 2.1.4.2: whether proof shows the tree of `second` leaves extends the tree of `first`. */
bool ledger_verify_consistency(int64_t first, int64_t second, const unsigned char first_root[LEDGER_HASH_LEN],
                               const unsigned char second_root[LEDGER_HASH_LEN],
                               const unsigned char (*proof)[LEDGER_HASH_LEN], int n);

/* A checkpoint read and its signature checked against vkey (the form ledger_public_key gives). 0 with
 * origin (arena), size and root; -1 with e saying what is wrong (ERROR_INVALID). */
int ledger_note_open(struct arena *a, const char *note, const char *vkey, const char **origin, int64_t *size,
                     unsigned char root[LEDGER_HASH_LEN], struct error *e);

/* Base64 (standard alphabet, padded) in the arena, and back: -1 unless exactly n bytes. */
const char *ledger_base64(struct arena *a, const unsigned char *p, size_t n);
int ledger_unbase64(const char *s, unsigned char *out, size_t n);
/* Hex (2n digits) to n bytes; -1 unless exactly that. */
int ledger_unhex(const char *s, unsigned char *out, size_t n);

/* -- the whole check ---------------------------------------------------- */

/* Makes every leaf again from its fact and every stored subtree again from the leaves, and compares; each
 * difference is told to report(arg, line). Counts the facts that should have a leaf and have none (the
 * contributions received since the first one with a leaf). 0 with *differences, or -1 with e. */
int ledger_verify_all(struct db *db, void (*report)(void *arg, const char *line), void *arg, int64_t *leaves,
                      int64_t *differences, struct error *e);

#endif
