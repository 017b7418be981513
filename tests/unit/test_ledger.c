/* The tamper-evident record's tree (core/ledger.h) against RFC 9162: the roots of the RFC 6962/9162 test
 * leaves known from Certificate Transparency's own tests, every inclusion and consistency proof of small trees
 * against the RFC's recursive definitions written here from the text, the verification algorithms of 2.1.3.2
 * and 2.1.4.2 (and their refusals), sizes beyond the tree, the signed checkpoint, and the whole check of
 * `consulta verify --all` catching an altered fact. */
#include "core/ledger.h"
#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

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
 * in batches of 1, 2, 3, 5, 8 and 18 (over every power of two up to 32), two of them dropped again by
 * ledger_batch_undo (a contribution whose savepoint was rolled back), give the indexes in order, every root
 * of 1..N the RFC's MTH, every inclusion proof its PATH, and each subtree stored once; a batch's leaves are
 * not in the database until its end. */
static void test_batches(void **state)
{
	struct db *db = *state;
	static const int sizes[] = {1, 2, 3, 5, 8, 18};
	hash leaves[N];
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
	assert_int_equal(i, N);
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
			arena_free(&a);
		}
	}
	/* and every complete subtree above the leaves is stored, once: n - popcount(n) of them, 37 - 3 */
	struct db_stmt *st = db_stmt(db, "SELECT count(*) FROM ledger_node", &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_int_equal(db_col_int(st, 0), N - 3);
	db_reset(st);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
