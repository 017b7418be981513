/* Two versions compared (core/compare.c): every paragraph once, in reading order, and only the paragraphs
 * that really moved marked moved (checked against a brute-force longest increasing subsequence over many
 * shuffled versions); versions of different documents refused; no crash when memory runs out. */
#include "unit_db.h"
#include "core/compare.h"
#include "core/demo.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/secret.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct db *db;
static int64_t doc_id, other_doc_id;

static int setup(void **state)
{
	(void)state;
	if (unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO, &db) != 0)
		return -1;
	struct error e;
	error_clear(&e);
	struct arena a;
	arena_init(&a);
	struct process p;
	if (process_find(db, &a, DEMO_SLUG, &p, &e) != 0 || db_begin(db, &e) != 0 ||
	    document_create(db, p.id, "shuffled", "Shuffled", &doc_id, &e) != 0 ||
	    document_create(db, p.id, "other", "Other", &other_doc_id, &e) != 0 || db_commit(db, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.message);
		arena_free(&a);
		return -1;
	}
	arena_free(&a);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

/* Posts a version of doc whose k-th paragraph is "Paragraph <ids[k]>." (edited: "... changed.") and gives it
 * the pid "p<ids[k]>", as matching across versions would. */
static int64_t post(int64_t doc, const int *ids, const bool *edited, int n)
{
	struct error e;
	error_clear(&e);
	char markdown[8192] = "";
	size_t w = 0;
	for (int k = 0; k < n; k++)
		w += (size_t)snprintf(markdown + w, sizeof markdown - w, "Paragraph %d%s.\n\n", ids[k],
		                      edited && edited[k] ? " changed" : "");
	assert_true(w < sizeof markdown);
	int64_t id;
	assert_int_equal(db_begin(db, &e), 0);
	assert_int_equal(version_post(db, doc, "2021-01-10", "V", "", n ? markdown : "Heading only\n===\n", &id, &e),
	                 0);
	/* The ids are this test's to give (below), so whatever the matching was unsure of is decided: publish it,
	 * or the next version of the document would wait for this draft. */
	static const char sql_publish[] = "UPDATE version SET state = 'published' WHERE id = ?";
	struct db_stmt *publish = db_stmt(db, sql_publish, &e);
	assert_non_null(publish);
	db_bind_int(publish, 1, id);
	assert_int_equal(db_exec_stmt(publish, &e), 0);
	/* Out of the way first: the ids a new version was given may be the ones wanted, in another order. */
	static const char sql_aside[] = "UPDATE paragraph SET pid = 'aside' || number WHERE version_id = ?";
	static const char sql[] = "UPDATE paragraph SET pid = ? WHERE version_id = ? AND number = ?";
	struct db_stmt *aside = db_stmt(db, sql_aside, &e);
	assert_non_null(aside);
	db_bind_int(aside, 1, id);
	assert_int_equal(db_exec_stmt(aside, &e), 0);
	for (int k = 0; k < n; k++) {
		char pid[16];
		snprintf(pid, sizeof pid, "p%d", ids[k]);
		struct db_stmt *st = db_stmt(db, sql, &e);
		assert_non_null(st);
		db_bind_text(st, 1, pid);
		db_bind_int(st, 2, id);
		db_bind_int(st, 3, k + 1);
		assert_int_equal(db_exec_stmt(st, &e), 0);
	}
	assert_int_equal(db_commit(db, &e), 0);
	return id;
}

static unsigned long long rng = 88172645463325252ULL;
static int next_random(int below)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (int)(rng % (unsigned long long)below);
}

/* The length of a longest strictly increasing subsequence, the slow and obvious way. */
static int lis_length(const int *v, int n)
{
	int best = 0, len[64];
	for (int i = 0; i < n; i++) {
		len[i] = 1;
		for (int j = 0; j < i; j++)
			if (v[j] < v[i] && len[j] + 1 > len[i])
				len[i] = len[j] + 1;
		if (len[i] > best)
			best = len[i];
	}
	return best;
}

static int find(const int *ids, int n, int id)
{
	for (int k = 0; k < n; k++)
		if (ids[k] == id)
			return k;
	return -1;
}

static void test_shuffled_versions(void **state)
{
	(void)state;
	for (int round = 0; round < 60; round++) {
		/* Old: 1..na. New: some of them (shuffled a little or a lot, some edited), and some new ones. */
		int na = 1 + next_random(20), a_ids[32], b_ids[64], nb = 0;
		bool edited[64] = {false};
		for (int k = 0; k < na; k++)
			a_ids[k] = k + 1;
		for (int k = 0; k < na; k++)
			if (next_random(5) != 0) {
				edited[nb] = next_random(3) == 0;
				b_ids[nb++] = a_ids[k];
			}
		for (int swaps = next_random(4); swaps > 0 && nb > 1; swaps--) {
			int x = next_random(nb), y = next_random(nb), t = b_ids[x];
			bool te = edited[x];
			b_ids[x] = b_ids[y];
			edited[x] = edited[y];
			b_ids[y] = t;
			edited[y] = te;
		}
		for (int added = next_random(4); added > 0; added--) {
			int at = next_random(nb + 1);
			memmove(b_ids + at + 1, b_ids + at, sizeof *b_ids * (size_t)(nb - at));
			memmove(edited + at + 1, edited + at, sizeof *edited * (size_t)(nb - at));
			b_ids[at] = 100 + round * 10 + added;
			edited[at] = false;
			nb++;
		}
		int64_t a = post(doc_id, a_ids, NULL, na), b = post(doc_id, b_ids, edited, nb);

		struct arena ar;
		arena_init(&ar);
		struct comparison c;
		struct error e;
		error_clear(&e);
		assert_int_equal(compare_versions(db, &ar, a, b, true, &c, &e), 0);

		/* Every paragraph of both versions exactly once; b's in b's order. */
		int seen_b = 0, paired = 0, pos[64], npos = 0, moved = 0, removed = 0, last_a = 0;
		for (int i = 0; i < c.nrows; i++) {
			const struct compare_row *row = &c.rows[i];
			int id = atoi(row->pid + 1);
			if (row->b) {
				assert_int_equal(row->b->number, ++seen_b);
				assert_int_equal(b_ids[seen_b - 1], id);
			}
			if (row->a) {
				assert_int_equal(row->a->number, find(a_ids, na, id) + 1);
				if (row->b) {
					pos[npos++] = row->a->number;
					paired++;
				}
			}
			switch (row->status) {
			case COMPARE_ADDED: assert_int_equal(find(a_ids, na, id), -1); break;
			case COMPARE_REMOVED:
				removed++;
				assert_int_equal(find(b_ids, nb, id), -1);
				assert_true(row->a->number > last_a); /* where it was among what stayed */
				last_a = row->a->number;
				break;
			case COMPARE_MOVED: moved++; break;
			case COMPARE_UNCHANGED:
			case COMPARE_EDITED:
				assert_true(row->a->number > last_a); /* what stayed keeps its order */
				last_a = row->a->number;
				assert_int_equal(row->status == COMPARE_EDITED, edited[row->b->number - 1]);
				break;
			case COMPARE_SPLIT:
			case COMPARE_MERGED: fail(); break;
			}
			assert_int_equal(row->changed, row->a && row->b && edited[row->b->number - 1]);
			assert_int_equal(row->changed, row->nops > 0);
		}
		assert_int_equal(seen_b, nb);
		assert_int_equal(paired + removed, na);
		assert_int_equal(c.count[COMPARE_MOVED], moved);
		/* Only what really moved: all but one longest run that kept its order. */
		assert_int_equal(moved, paired - lis_length(pos, npos));
		arena_free(&ar);
	}
}

static void test_different_documents_and_same_version(void **state)
{
	(void)state;
	int ids[] = {1, 2};
	int64_t a = post(doc_id, ids, NULL, 2), other = post(other_doc_id, ids, NULL, 2);
	struct arena ar;
	arena_init(&ar);
	struct comparison c;
	struct error e;
	error_clear(&e);
	assert_int_equal(compare_versions(db, &ar, a, other, true, &c, &e), -1);
	assert_string_equal(e.code, ERROR_NOT_FOUND);
	error_clear(&e);
	assert_int_equal(compare_versions(db, &ar, a, 999999, true, &c, &e), -1);
	assert_string_equal(e.code, ERROR_NOT_FOUND);
	error_clear(&e);
	assert_int_equal(compare_versions(db, &ar, a, a, true, &c, &e), 0);
	assert_int_equal(c.nrows, 2);
	assert_int_equal(c.count[COMPARE_UNCHANGED], 2);
	/* A version without numbered paragraphs against one with: all added, and back: all removed. */
	int64_t empty = post(doc_id, ids, NULL, 0);
	assert_int_equal(compare_versions(db, &ar, empty, a, true, &c, &e), 0);
	assert_int_equal(c.count[COMPARE_ADDED], 2);
	assert_int_equal(compare_versions(db, &ar, a, empty, true, &c, &e), 0);
	assert_int_equal(c.count[COMPARE_REMOVED], 2);
	arena_free(&ar);
}

static void test_out_of_memory_fails_cleanly(void **state)
{
	(void)state;
	int a_ids[] = {1, 2, 3, 4}, b_ids[] = {2, 1, 4, 5};
	bool edited[] = {true, false, false, false};
	int64_t a = post(doc_id, a_ids, NULL, 4), b = post(doc_id, b_ids, edited, 4);
	for (long k = 1;; k++) {
		struct arena ar;
		arena_init(&ar);
		struct comparison c;
		struct error e;
		error_clear(&e);
		arena_test_fail_at(k);
		int rc = compare_versions(db, &ar, a, b, true, &c, &e);
		bool done = arena_test_pending() > 0;
		arena_test_fail_at(0);
		if (rc != 0)
			assert_true(e.code != NULL && *e.code);
		arena_free(&ar);
		if (done) {
			assert_int_equal(rc, 0);
			break;
		}
	}
}

static void test_status_names(void **state)
{
	(void)state;
	for (int s = 0; s < COMPARE_NSTATUS; s++) {
		enum compare_status back;
		assert_true(compare_status_parse(compare_status_name((enum compare_status)s), &back));
		assert_int_equal(back, s);
	}
	enum compare_status out;
	assert_false(compare_status_parse("changed", &out));
	assert_false(compare_status_parse(NULL, &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shuffled_versions),
	    cmocka_unit_test(test_different_documents_and_same_version),
	    cmocka_unit_test(test_out_of_memory_fails_cleanly),
	    cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
