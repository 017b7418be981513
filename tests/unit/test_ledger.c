/* The tamper-evident record's tree (core/ledger.h) against RFC 9162: the roots of the RFC 6962/9162 test
 * leaves known from Certificate Transparency's own tests, every inclusion and consistency proof of small trees
 * against the RFC's recursive definitions written here from the text, the verification algorithms of 2.1.3.2
 * and 2.1.4.2 (and their refusals), sizes beyond the tree, the signed checkpoint, the whole check of
 * `consulta verify --all` catching an altered fact, and a contribution's canonical JSON (written by hand)
 * byte for byte as jansson writes it (every byte value, non-ASCII text, comments and files). */
#include "core/ledger.h"
#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

typedef unsigned char hash[LEDGER_HASH_LEN];

static void unhex(const char *s, unsigned char *out)
{
	assert_int_equal(ledger_unhex(s, out, strlen(s) / 2), 0);
}

/* -- the RFC's definitions, from the text, over leaf hashes in memory -------- */

static int64_t k_of(int64_t n)
{
	int64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[lo:hi]) of 2.1.1. */
static void mth(const hash *leaves, int64_t lo, int64_t hi, unsigned char out[LEDGER_HASH_LEN])
{
	if (hi - lo == 1) {
		memcpy(out, leaves[lo], LEDGER_HASH_LEN);
		return;
	}
	const int64_t k = k_of(hi - lo);
	hash l, r;
	mth(leaves, lo, lo + k, l);
	mth(leaves, lo + k, hi, r);
	ledger_node_hash(l, r, out);
}

/* PATH(m, D[lo:hi]) of 2.1.3.1, appended to out. */
static void path(const hash *leaves, int64_t m, int64_t lo, int64_t hi, hash *out, int *n)
{
	if (hi - lo <= 1)
		return;
	const int64_t k = k_of(hi - lo);
	if (m - lo < k) {
		path(leaves, m, lo, lo + k, out, n);
		mth(leaves, lo + k, hi, out[(*n)++]);
	} else {
		path(leaves, m, lo + k, hi, out, n);
		mth(leaves, lo, lo + k, out[(*n)++]);
	}
}

/* SUBPROOF(m, D[lo:hi], b) of 2.1.4.1. */
static void subproof(const hash *leaves, int64_t m, int64_t lo, int64_t hi, bool b, hash *out, int *n)
{
	if (m == hi - lo) {
		if (!b)
			mth(leaves, lo, hi, out[(*n)++]);
		return;
	}
	const int64_t k = k_of(hi - lo);
	if (m <= k) {
		subproof(leaves, m, lo, lo + k, b, out, n);
		mth(leaves, lo + k, hi, out[(*n)++]);
	} else {
		subproof(leaves, m - k, lo + k, hi, false, out, n);
		mth(leaves, lo, lo + k, out[(*n)++]);
	}
}

/* -- fixtures ----------------------------------------------------------- */

static int setup(void **state)
{
	struct db *db = NULL;
	if (unit_db_open("2021-02-01T10:00:00Z", UNIT_NO_DEMO, &db) != 0)
		return -1;
	*state = db;
	return 0;
}

static int setup_demo(void **state)
{
	struct db *db = NULL;
	if (unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO_WITH_CONTRIBUTIONS, &db) != 0)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

/* Appends leaves of n bytes each "leaf i", keeping their hashes. */
static void append_numbered(struct db *db, int n, hash *leaves)
{
	struct error e;
	error_clear(&e);
	assert_int_equal(db_begin(db, &e), 0);
	for (int i = 0; i < n; i++) {
		char leaf[32];
		int len = snprintf(leaf, sizeof leaf, "leaf %d", i);
		int64_t index = -1;
		assert_int_equal(ledger_append_leaf(db, LEDGER_AUDIT, 100000 + i, leaf, (size_t)len, NULL, &index, &e),
		                 0);
		assert_int_equal(index, i);
		ledger_leaf_hash(leaf, (size_t)len, leaves[i]);
	}
	assert_int_equal(db_commit(db, &e), 0);
}

/* -- tests -------------------------------------------------------------- */

/* The eight leaves of Certificate Transparency's Merkle tests and the roots of their first 1..8 (the hashing
 * is RFC 6962's, which RFC 9162 keeps). */
static void test_known_roots(void **state)
{
	struct db *db = *state;
	static const char *const leaves[] = {
	    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
	static const char *const roots[] = {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	};
	struct error e;
	error_clear(&e);
	for (int i = 0; i < 8; i++) {
		unsigned char leaf[16];
		unhex(leaves[i], leaf);
		assert_int_equal(db_begin(db, &e), 0);
		assert_int_equal(
		    ledger_append_leaf(db, LEDGER_AUDIT, i + 1, leaf, strlen(leaves[i]) / 2, NULL, NULL, &e), 0);
		assert_int_equal(db_commit(db, &e), 0);
		hash want, got;
		unhex(roots[i], want);
		assert_int_equal(ledger_root(db, i + 1, got, &e), 0);
		assert_memory_equal(got, want, LEDGER_HASH_LEN);
	}
	/* and an earlier size's root stays what it was */
	hash want, got;
	unhex(roots[2], want);
	assert_int_equal(ledger_root(db, 3, got, &e), 0);
	assert_memory_equal(got, want, LEDGER_HASH_LEN);
}

enum { N = 37 };

/* Every inclusion proof of every tree of 1..N leaves is the RFC's PATH, and verifies; a changed leaf, root,
 * index or proof does not. */
static void test_inclusion_proofs(void **state)
{
	struct db *db = *state;
	hash leaves[N];
	append_numbered(db, N, leaves);
	struct error e;
	error_clear(&e);
	for (int64_t size = 1; size <= N; size++) {
		hash root, want_root;
		assert_int_equal(ledger_root(db, size, root, &e), 0);
		mth(leaves, 0, size, want_root);
		assert_memory_equal(root, want_root, LEDGER_HASH_LEN);
		for (int64_t m = 0; m < size; m++) {
			struct arena a;
			arena_init(&a);
			hash leaf, want[64];
			unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
			int n = -1, want_n = 0;
			assert_int_equal(ledger_inclusion(db, &a, m, size, leaf, &proof, &n, &e), 0);
			path(leaves, m, 0, size, want, &want_n);
			assert_int_equal(n, want_n);
			assert_memory_equal(leaf, leaves[m], LEDGER_HASH_LEN);
			if (n)
				assert_memory_equal(proof, want, (size_t)n * LEDGER_HASH_LEN);
			const unsigned char(*p)[LEDGER_HASH_LEN] = (const unsigned char(*)[LEDGER_HASH_LEN])proof;
			assert_true(ledger_verify_inclusion(m, size, leaf, p, n, root));
			assert_false(ledger_verify_inclusion(m, size, leaves[(m + 1) % N], p, n, root) && size > 1);
			if (size > 1)
				assert_false(ledger_verify_inclusion((m + 1) % size, size, leaf, p, n, root));
			if (n) {
				proof[n - 1][0] ^= 1;
				assert_false(ledger_verify_inclusion(m, size, leaf, p, n, root));
				assert_false(ledger_verify_inclusion(m, size, leaf, p, n - 1, root));
			}
			arena_free(&a);
		}
	}
}

/* The group commit's batches (ledger_batch_*) make the tree that one append at a time makes: leaves queued
 * in batches of 1, 2, 3, 5, 8, 18 and 65 (over every power of two up to 64; the last batch's leaves are inserted
 * by two statements of 32 rows and one of one, ledger_batch_end), some of them dropped again by
 * ledger_batch_undo (a contribution whose savepoint was rolled back), give the indexes in order, every root
 * of 1..N the RFC's MTH, every inclusion proof its PATH (the subtrees of fewer than 8 leaves made from their
 * leaves), and each subtree of 8 and more stored once; a batch's leaves are not in the database until its end. */
static void test_batches(void **state)
{
	struct db *db = *state;
	static const int sizes[] = {1, 2, 3, 5, 8, 18, 65};
	enum { BATCH_N = 1 + 2 + 3 + 5 + 8 + 18 + 65 };
	hash leaves[BATCH_N];
	struct error e;
	error_clear(&e);
	int i = 0;
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		struct arena a;
		arena_init(&a);
		struct ledger_batch *b = ledger_batch_begin(&a);
		assert_non_null(b);
		assert_int_equal(db_begin(db, &e), 0);
		for (int k = 0; k < sizes[s]; k++, i++) {
			char leaf[32];
			int len = snprintf(leaf, sizeof leaf, "leaf %d", i);
			int64_t index = -1;
			assert_int_equal(
			    ledger_batch_add_leaf(db, b, LEDGER_AUDIT, 100000 + i, leaf, (size_t)len, NULL, &index, &e),
			    0);
			assert_int_equal(index, i);
			ledger_leaf_hash(leaf, (size_t)len, leaves[i]);
			if (k == 1) { /* one queued, then dropped: its index is the next one's */
				const int mark = ledger_batch_mark(b);
				assert_int_equal(ledger_batch_add_leaf(db, b, LEDGER_AUDIT, 900000 + i, "dropped", 7,
				                                       NULL, &index, &e),
				                 0);
				assert_int_equal(index, i + 1);
				ledger_batch_undo(b, mark);
			}
		}
		int64_t size = -1;
		assert_int_equal(ledger_size(db, &size, &e), 0);
		assert_int_equal(size, i - sizes[s]); /* not written before its end */
		assert_int_equal(ledger_batch_end(db, b, &e), 0);
		assert_int_equal(ledger_batch_size(b), i);
		assert_int_equal(db_commit(db, &e), 0);
		arena_free(&a);
	}
	assert_int_equal(i, BATCH_N);
	for (int64_t size = 1; size <= BATCH_N; size++) {
		hash root, want_root;
		assert_int_equal(ledger_root(db, size, root, &e), 0);
		mth(leaves, 0, size, want_root);
		assert_memory_equal(root, want_root, LEDGER_HASH_LEN);
		for (int64_t m = 0; m < size; m++) {
			struct arena a;
			arena_init(&a);
			hash leaf, want[64];
			unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
			int n = -1, want_n = 0;
			assert_int_equal(ledger_inclusion(db, &a, m, size, leaf, &proof, &n, &e), 0);
			path(leaves, m, 0, size, want, &want_n);
			assert_int_equal(n, want_n);
			assert_memory_equal(leaf, leaves[m], LEDGER_HASH_LEN);
			if (n)
				assert_memory_equal(proof, want, (size_t)n * LEDGER_HASH_LEN);
			arena_free(&a);
		}
	}
	/* and every complete subtree of 8 leaves and more is stored, once (the smaller ones are made from their
	 * leaves): 102 / 8 + 102 / 16 + 102 / 32 + 102 / 64 = 12 + 6 + 3 + 1 of them, each the RFC's MTH of its
	 * leaves */
	struct db_stmt *st = db_stmt(db, "SELECT level, idx, hash FROM ledger_node ORDER BY level, idx", &e);
	assert_non_null(st);
	int stored = 0;
	while (db_step(st, &e) == DB_ROW) {
		const int level = (int)db_col_int(st, 0);
		const int64_t first = db_col_int(st, 1) << level;
		size_t len = 0;
		const void *p = db_col_blob(st, 2, &len);
		hash want;
		mth(leaves, first, first + (INT64_C(1) << level), want);
		assert_true(level >= 3);
		assert_int_equal(len, LEDGER_HASH_LEN);
		assert_memory_equal(p, want, LEDGER_HASH_LEN);
		stored++;
	}
	db_reset(st);
	assert_int_equal(stored, BATCH_N / 8 + BATCH_N / 16 + BATCH_N / 32 + BATCH_N / 64);
}

/* Every consistency proof between trees of 1..N leaves is the RFC's SUBPROOF, and verifies; a wrong root or
 * proof does not. */
static void test_consistency_proofs(void **state)
{
	struct db *db = *state;
	hash leaves[N];
	append_numbered(db, N, leaves);
	struct error e;
	error_clear(&e);
	for (int64_t second = 1; second <= N; second++) {
		hash r2;
		mth(leaves, 0, second, r2);
		for (int64_t first = 1; first <= second; first++) {
			struct arena a;
			arena_init(&a);
			hash r1, want[64];
			mth(leaves, 0, first, r1);
			unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
			int n = -1, want_n = 0;
			assert_int_equal(ledger_consistency(db, &a, first, second, &proof, &n, &e), 0);
			if (first < second)
				subproof(leaves, first, 0, second, true, want, &want_n);
			assert_int_equal(n, want_n);
			if (n)
				assert_memory_equal(proof, want, (size_t)n * LEDGER_HASH_LEN);
			const unsigned char(*p)[LEDGER_HASH_LEN] = (const unsigned char(*)[LEDGER_HASH_LEN])proof;
			assert_true(ledger_verify_consistency(first, second, r1, r2, p, n));
			hash other;
			memcpy(other, r1, sizeof other);
			other[5] ^= 0x40;
			assert_false(ledger_verify_consistency(first, second, other, r2, p, n));
			assert_false(ledger_verify_consistency(first, second, r1, other, p, n));
			if (n) {
				proof[0][0] ^= 1;
				assert_false(ledger_verify_consistency(first, second, r1, r2, p, n));
			}
			arena_free(&a);
		}
	}
}

/* A size the tree does not have, or a leaf outside it, is the asker's mistake, said in words. */
static void test_beyond_the_tree(void **state)
{
	struct db *db = *state;
	hash leaves[5];
	append_numbered(db, 5, leaves);
	struct arena a;
	arena_init(&a);
	struct error e;
	hash h;
	unsigned char(*proof)[LEDGER_HASH_LEN];
	int n;
	error_clear(&e);
	assert_int_equal(ledger_inclusion(db, &a, 0, 6, h, &proof, &n, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	assert_non_null(strstr(e.message, "beyond the tree"));
	error_clear(&e);
	assert_int_equal(ledger_inclusion(db, &a, 5, 5, h, &proof, &n, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	error_clear(&e);
	assert_int_equal(ledger_consistency(db, &a, 2, 6, &proof, &n, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	error_clear(&e);
	assert_int_equal(ledger_consistency(db, &a, 0, 5, &proof, &n, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	error_clear(&e);
	assert_int_equal(ledger_root(db, 6, h, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	arena_free(&a);
}

/* The checkpoint is a signed note whose signature the public key checks; any change to its text, or another
 * key, fails. */
static void test_checkpoint_signature(void **state)
{
	struct db *db = *state;
	hash leaves[3];
	append_numbered(db, 3, leaves);
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	assert_int_equal(ledger_key_ensure(db, &e), 0);
	const char *note = NULL, *vkey = NULL, *origin = NULL;
	int64_t size = 0, signed_size = 0;
	hash root, want;
	assert_int_equal(ledger_checkpoint(db, &a, 0, &note, &signed_size, &e), 0);
	assert_int_equal(signed_size, 3);
	assert_int_equal(ledger_public_key(db, &a, &vkey, &e), 0);
	assert_int_equal(ledger_note_open(&a, note, vkey, &origin, &size, root, &e), 0);
	assert_int_equal(size, 3);
	mth(leaves, 0, 3, want);
	assert_memory_equal(root, want, LEDGER_HASH_LEN);
	assert_string_equal(origin, "127.0.0.1:8080");
	assert_non_null(strstr(note, "127.0.0.1:8080\n3\n"));
	assert_non_null(strstr(note, "\n\n\xe2\x80\x94 127.0.0.1:8080 "));
	/* a key made again is the same key */
	assert_int_equal(ledger_key_ensure(db, &e), 0);
	const char *again = NULL;
	assert_int_equal(ledger_public_key(db, &a, &again, &e), 0);
	assert_string_equal(again, vkey);
	/* another size in the text */
	char *forged = arena_strdup(&a, note);
	forged[strlen("127.0.0.1:8080\n")] = '4';
	assert_int_equal(ledger_note_open(&a, forged, vkey, &origin, &size, root, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	/* an older size signed is the older root */
	error_clear(&e);
	assert_int_equal(ledger_checkpoint(db, &a, 2, &note, &signed_size, &e), 0);
	assert_int_equal(ledger_note_open(&a, note, vkey, &origin, &size, root, &e), 0);
	assert_int_equal(size, 2);
	mth(leaves, 0, 2, want);
	assert_memory_equal(root, want, LEDGER_HASH_LEN);
	arena_free(&a);
}

static void count_line(void *arg, const char *line)
{
	(void)line;
	++*(int *)arg;
}

/* The demo's contributions and facts each have their leaf; the whole check finds no difference, and finds
 * one contribution whose text was changed behind the program's back. A hidden contribution keeps its leaf. */
static void test_verify_all(void **state)
{
	struct db *db = *state;
	struct error e;
	error_clear(&e);
	int64_t leaves = 0, differences = -1, size = 0;
	int lines = 0;
	assert_int_equal(ledger_verify_all(db, count_line, &lines, &leaves, &differences, &e), 0);
	assert_int_equal(differences, 0);
	assert_int_equal(ledger_size(db, &size, &e), 0);
	assert_int_equal(leaves, size);
	assert_true(leaves > 0);
	struct db_stmt *st = db_stmt(db,
	                             "SELECT COUNT(*) FROM contribution c WHERE NOT EXISTS (SELECT 1 FROM "
	                             "ledger_leaf l WHERE l.kind = 'contribution' AND l.fact_id = c.id)",
	                             &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 0);
	db_reset(st);

	st = db_stmt(db, "UPDATE contribution SET text = 'changed' WHERE id = (SELECT MIN(id) FROM contribution)", &e);
	assert_non_null(st);
	assert_int_equal(db_exec_stmt(st, &e), 0);
	lines = 0;
	assert_int_equal(ledger_verify_all(db, count_line, &lines, &leaves, &differences, &e), 0);
	assert_int_equal(differences, 1);
	assert_int_equal(lines, 1);
}

/* The text of one column as jansson takes it (NULL: null). */
static json_t *ref_text(struct db_stmt *st, int i)
{
	return db_col_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

/* A contribution's canonical JSON as the record first made it (jansson, compact, keys sorted), from its row. */
static char *ref_canonical(struct db *db, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db,
	                             "SELECT c.tracking, c.call_id, c.channel, c.name, c.organization, k.slug, c.country, "
	                             "c.text, c.publication, c.received_at, c.raw_sha256 FROM contribution c JOIN "
	                             "category k ON k.id = c.category_id WHERE c.id = ?",
	                             &e);
	assert_non_null(st);
	db_bind_int(st, 1, id);
	assert_int_equal(db_step(st, &e), DB_ROW);
	json_t *o = json_object();
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "tracking", ref_text(st, 0));
	json_object_set_new(o, "call_id", json_integer(db_col_int(st, 1)));
	json_object_set_new(o, "channel", ref_text(st, 2));
	if (!strcmp(db_col_text(st, 8), "named")) {
		json_object_set_new(o, "name", ref_text(st, 3));
		json_object_set_new(o, "organization", ref_text(st, 4));
	}
	json_object_set_new(o, "category", ref_text(st, 5));
	json_object_set_new(o, "country", ref_text(st, 6));
	json_object_set_new(o, "text", ref_text(st, 7));
	json_object_set_new(o, "publication", ref_text(st, 8));
	json_object_set_new(o, "received_at", json_integer(db_col_int(st, 9)));
	json_object_set_new(o, "raw_sha256", ref_text(st, 10));
	db_reset(st);
	json_t *comments = json_array(), *files = json_array();
	st = db_stmt(db,
	             "SELECT position, pid, type, comment, proposed_change FROM comment WHERE contribution_id = ? "
	             "ORDER BY position",
	             &e);
	db_bind_int(st, 1, id);
	while (db_step(st, &e) == DB_ROW)
		json_array_append_new(comments, json_pack("{s:I, s:o, s:o, s:o, s:o}", "position",
		                                          (json_int_t)db_col_int(st, 0), "pid", ref_text(st, 1), "type",
		                                          ref_text(st, 2), "comment", ref_text(st, 3),
		                                          "proposed_change", ref_text(st, 4)));
	db_reset(st);
	st = db_stmt(db,
	             "SELECT position, name, size, type, sha256 FROM attachment WHERE contribution_id = ? ORDER BY "
	             "position",
	             &e);
	db_bind_int(st, 1, id);
	while (db_step(st, &e) == DB_ROW)
		json_array_append_new(files, json_pack("{s:I, s:o, s:I, s:o, s:o}", "position",
		                                       (json_int_t)db_col_int(st, 0), "name", ref_text(st, 1), "size",
		                                       (json_int_t)db_col_int(st, 2), "type", ref_text(st, 3), "sha256",
		                                       ref_text(st, 4)));
	db_reset(st);
	json_object_set_new(o, "comments", comments);
	json_object_set_new(o, "attachments", files);
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	assert_non_null(text);
	return text;
}

static void exec_text(struct db *db, const char *sql, const char *text)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	db_bind_text(st, 1, text);
	assert_int_equal(db_exec_stmt(st, &e), 0);
}

/* The canonical JSON of a contribution (and its leaf) is what jansson wrote for the same facts: the leaves
 * already in a tree stay the same. Texts with every byte value from 1 to 127 and non-ASCII characters, in the
 * text, the name, a comment and a file's name; a contribution with comments and files, one with neither. */
static void test_canonical_json_as_jansson(void **state)
{
	struct db *db = *state;
	struct error e;
	error_clear(&e);
	char every[160];
	int n = 0;
	for (int c = 1; c < 128; c++)
		every[n++] = (char)c;
	every[n] = 0;
	char text[512];
	snprintf(text, sizeof text, "%s r\xc3\xa9seau \xe4\xb8\xad\xe6\x96\x87 \xe2\x80\xa8 \xf0\x9f\x8c\x8d \\u0000 \"q\"",
	         every);
	struct db_stmt *st = db_stmt(db,
	                             "SELECT c.id FROM contribution c WHERE EXISTS (SELECT 1 FROM comment m WHERE "
	                             "m.contribution_id = c.id) ORDER BY c.id LIMIT 1",
	                             &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	const int64_t with_comments = db_col_int(st, 0);
	db_reset(st);
	exec_text(db, "UPDATE contribution SET text = ?, publication = 'named' WHERE id = (SELECT MIN(id) FROM contribution)",
	          text);
	exec_text(db, "UPDATE contribution SET name = ? WHERE id = (SELECT MIN(id) FROM contribution)", text);
	exec_text(db, "UPDATE comment SET comment = ? WHERE id = (SELECT MIN(id) FROM comment)", text);
	/* two files on the first contribution (the demo has none), one named with every byte value */
	exec_text(db, "INSERT INTO blob (sha256, size, data) VALUES (?, 1, X'00')",
	          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	exec_text(db,
	          "INSERT INTO attachment (contribution_id, position, name, size, declared_type, type, sha256) "
	          "SELECT MIN(id), 1, ?, 10, 'text/plain', 'text/plain', "
	          "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' FROM contribution",
	          text);
	exec_text(db,
	          "INSERT INTO attachment (contribution_id, position, name, size, declared_type, type, sha256) "
	          "SELECT MIN(id), 2, ?, 0, 'application/pdf', 'application/pdf', "
	          "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' FROM contribution",
	          "plan \xc3\xa9t\xc3\xa9.pdf");
	st = db_stmt(db, "SELECT id FROM contribution ORDER BY id", &e);
	assert_non_null(st);
	int64_t ids[4096];
	int count = 0;
	while (count < 4096 && db_step(st, &e) == DB_ROW)
		ids[count++] = db_col_int(st, 0);
	db_reset(st);
	assert_true(count > 1);
	bool seen_comments = false, seen_files = false;
	for (int i = 0; i < count; i++) {
		struct arena a;
		arena_init(&a);
		const char *json = NULL;
		assert_int_equal(ledger_contribution_json(db, &a, ids[i], &json, &e), 0);
		char *want = ref_canonical(db, ids[i]);
		assert_string_equal(json, want);
		seen_comments |= strstr(json, "\"comments\":[{") != NULL;
		seen_files |= strstr(json, "\"attachments\":[{") != NULL;
		free(want);
		arena_free(&a);
	}
	assert_true(seen_comments && with_comments > 0);
	assert_true(seen_files);

	/* the leaf itself */
	struct arena a;
	arena_init(&a);
	unsigned char salt[LEDGER_SALT_LEN] = {1, 2, 3};
	const char *leaf = ledger_contribution_leaf(&a, 7, 1612173600, text, salt);
	assert_non_null(leaf);
	unsigned char c[LEDGER_HASH_LEN];
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, salt, LEDGER_SALT_LEN);
	crypto_hash_sha256_update(&h, (const unsigned char *)text, strlen(text));
	crypto_hash_sha256_final(&h, c);
	char hex[2 * LEDGER_HASH_LEN + 1];
	sodium_bin2hex(hex, sizeof hex, c, sizeof c);
	json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:i}", "call_id", (json_int_t)7, "commitment", hex, "kind",
	                      "contribution", "received_at", (json_int_t)1612173600, "v", 1);
	char *want = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	assert_string_equal(leaf, want);
	free(want);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_known_roots, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inclusion_proofs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_consistency_proofs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_beyond_the_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_checkpoint_signature, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_verify_all, setup_demo, teardown),
	    cmocka_unit_test_setup_teardown(test_canonical_json_as_jansson, setup_demo, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
