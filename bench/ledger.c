/*
 * bench/ledger.c — bench/ledger.sh's driver: the cost of the tamper-evident
 * record's append (core/ledger.h) as the write path pays it, up to a tree of
 * a million leaves and more, and of a root, a proof and a checkpoint there.
 *
 *   bench-ledger DB CONTRIBUTION_ID LEAVES [BATCH]
 *
 * DB is a migrated SQLite database (sqlite:PATH) holding the contribution
 * CONTRIBUTION_ID. Each append does what the write path's writer does for a
 * contribution it has just inserted (ledger_batch_add_contribution(), the
 * facts in memory): makes its canonical JSON, commits it with a fresh salt,
 * queues the leaf, and each batch's end appends the leaves and the subtrees
 * they complete in one tree update; the leaves are numbered as facts of their own
 * (a contribution has one leaf: the same one read a million times stands for
 * a million). Appends are grouped BATCH (default 1,024) to a transaction, as
 * the group commit groups contributions. Prints one line per tenth of the
 * leaves (µs per append in it), then the costs at the end.
 */
#include "core/ledger.h"
#include "store/db.h"
#include "util/clock.h"
#include "util/secret.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The process's CPU time (one thread here): what an append costs whatever else the machine runs. */
static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(const struct error *e)
{
	fprintf(stderr, "bench-ledger: %s\n", e->message);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench-ledger sqlite:DB CONTRIBUTION_ID LEAVES [BATCH]\n");
		return 2;
	}
	const int64_t contribution = strtoll(argv[2], NULL, 10), leaves = strtoll(argv[3], NULL, 10);
	const int64_t batch = argc > 4 ? strtoll(argv[4], NULL, 10) : 1024;
	struct error e;
	error_clear(&e);
	if (secret_init() != 0 || clock_init() != 0 || db_configure(argv[1], &e) != 0)
		return e.code ? fail(&e) : 1;
	struct db *db = db_thread(&e);
	if (!db || db_migrate(db, &e) != 0 || ledger_key_ensure(db, &e) != 0)
		return fail(&e);
	int64_t start = 0;
	if (ledger_size(db, &start, &e) != 0)
		return fail(&e);
	/* The contribution's facts, as the write path's writer holds them for a contribution it has just inserted
	 * (ledger_batch_add_contribution(): its canonical JSON made from them, no read back). */
	struct db_stmt *fs = db_stmt(db,
	                             "SELECT c.tracking, c.call_id, c.channel, c.name, c.organization, k.slug, c.country, "
	                             "c.text, c.publication, c.received_at FROM contribution c JOIN category k ON "
	                             "k.id = c.category_id WHERE c.id = ?",
	                             &e);
	if (!fs)
		return fail(&e);
	db_bind_int(fs, 1, contribution);
	if (db_step(fs, &e) != DB_ROW)
		return e.code ? fail(&e) : 1;
	struct arena fa;
	arena_init(&fa);
	bool dup_failed = false;
	const struct ledger_contribution_facts facts = {.tracking = db_col_dup(fs, 0, &fa, &dup_failed),
	                                                .call_id = db_col_int(fs, 1),
	                                                .channel = db_col_dup(fs, 2, &fa, &dup_failed),
	                                                .name = db_col_dup(fs, 3, &fa, &dup_failed),
	                                                .organization = db_col_dup(fs, 4, &fa, &dup_failed),
	                                                .category = db_col_dup(fs, 5, &fa, &dup_failed),
	                                                .country = db_col_dup(fs, 6, &fa, &dup_failed),
	                                                .text = db_col_dup(fs, 7, &fa, &dup_failed),
	                                                .publication = db_col_dup(fs, 8, &fa, &dup_failed),
	                                                .received_at = db_col_int(fs, 9)};
	db_reset(fs);
	if (dup_failed)
		return 1;
	const int64_t tenth = leaves >= 10 ? leaves / 10 : 1;
	double t0 = now_s(), tblock = t0, worst_batch = 0, c0 = cpu_s();
	for (int64_t i = 0; i < leaves;) {
		const double tb = now_s();
		if (db_begin(db, &e) != 0)
			return fail(&e);
		struct arena a;
		arena_init(&a);
		struct ledger_batch *b = ledger_batch_begin(&a);
		if (!b)
			return 1;
		/* a batch of the group commit: each leaf made and queued, then one tree update */
		for (int64_t j = 0; j < batch && i < leaves; j++, i++) {
			if (ledger_batch_add_contribution(db, b, 1000000000 + start + i, &facts, NULL, &e) != 0)
				return fail(&e);
			if ((i + 1) % tenth == 0) {
				const double t = now_s();
				printf("LEAVES %lld us_per_append=%.1f\n", (long long)(start + i + 1),
				       (t - tblock) * 1e6 / (double)tenth);
				fflush(stdout);
				tblock = t;
			}
		}
		if (ledger_batch_end(db, b, &e) != 0 || db_commit(db, &e) != 0)
			return fail(&e);
		arena_free(&a);
		const double took = now_s() - tb;
		if (took > worst_batch)
			worst_batch = took;
	}
	arena_free(&fa);
	const double total = now_s() - t0, cpu = cpu_s() - c0;
	int64_t size = 0;
	if (ledger_size(db, &size, &e) != 0)
		return fail(&e);
	printf("APPEND leaves=%lld seconds=%.1f us_per_append=%.1f appends_per_s=%.0f worst_batch_ms=%.1f size=%lld "
	       "cpu_us_per_append=%.1f\n",
	       (long long)leaves, total, total * 1e6 / (double)(leaves ? leaves : 1), (double)leaves / total,
	       worst_batch * 1e3, (long long)size, cpu * 1e6 / (double)(leaves ? leaves : 1));

	/* Where an append's time goes, at that size: the contribution read and its canonical JSON made (with the
	 * commitment), against the leaf and its subtrees written with the leaf given. */
	enum { PHASE = 20000 };
	double t_json = 0, t_tree = 0;
	if (db_begin(db, &e) != 0)
		return fail(&e);
	for (int k = 0; k < PHASE; k++) {
		struct arena pa;
		arena_init(&pa);
		const char *json = NULL;
		unsigned char salt[LEDGER_SALT_LEN] = {0};
		double t1 = now_s();
		if (ledger_contribution_json(db, &pa, contribution, &json, &e) != 0)
			return fail(&e);
		const char *leaf = ledger_contribution_leaf(&pa, 1, 1612173600, json, salt);
		double t2 = now_s();
		if (!leaf || ledger_append_leaf(db, LEDGER_CONTRIBUTION, 2000000000 + k, leaf, strlen(leaf), salt, NULL,
		                                &e) != 0)
			return fail(&e);
		t_tree += now_s() - t2;
		t_json += t2 - t1;
		arena_free(&pa);
		if (k % 1024 == 1023 && (db_commit(db, &e) != 0 || db_begin(db, &e) != 0))
			return fail(&e);
	}
	if (db_commit(db, &e) != 0)
		return fail(&e);
	printf("PHASES read_and_canonical_us=%.1f leaf_and_subtrees_us=%.1f (mean of %d, commits excluded)\n",
	       t_json * 1e6 / PHASE, t_tree * 1e6 / PHASE, PHASE);
	if (ledger_size(db, &size, &e) != 0)
		return fail(&e);

	/* At that size: roots, inclusion and consistency proofs of random leaves, and signed checkpoints. */
	enum { ASKS = 2000 };
	struct arena a;
	arena_init(&a);
	unsigned char root[LEDGER_HASH_LEN], h[LEDGER_HASH_LEN];
	unsigned char(*proof)[LEDGER_HASH_LEN];
	int n = 0, longest = 0;
	double t = now_s();
	if (db_read_begin(db, &e) != 0)
		return fail(&e);
	for (int k = 0; k < ASKS; k++) {
		int64_t leaf = (int64_t)randombytes_uniform((uint32_t)size);
		if (ledger_inclusion(db, &a, leaf, size - (int64_t)randombytes_uniform(1000) % (size - leaf), h, &proof,
		                     &n, &e) != 0)
			return fail(&e);
		if (n > longest)
			longest = n;
	}
	const double inclusion_us = (now_s() - t) * 1e6 / ASKS;
	t = now_s();
	for (int k = 0; k < ASKS; k++) {
		int64_t first = 1 + (int64_t)randombytes_uniform((uint32_t)size);
		if (ledger_consistency(db, &a, first, size, &proof, &n, &e) != 0)
			return fail(&e);
	}
	const double consistency_us = (now_s() - t) * 1e6 / ASKS;
	t = now_s();
	for (int k = 0; k < ASKS; k++)
		if (ledger_root(db, size - (int64_t)randombytes_uniform(1000), root, &e) != 0)
			return fail(&e);
	const double root_us = (now_s() - t) * 1e6 / ASKS;
	t = now_s();
	const char *note = NULL;
	for (int k = 0; k < ASKS; k++)
		if (ledger_checkpoint(db, &a, 0, &note, NULL, &e) != 0)
			return fail(&e);
	const double checkpoint_us = (now_s() - t) * 1e6 / ASKS;
	db_read_end(db);
	printf("READ size=%lld root_us=%.1f inclusion_us=%.1f (longest proof %d hashes) consistency_us=%.1f "
	       "checkpoint_us=%.1f\n",
	       (long long)size, root_us, inclusion_us, longest, consistency_us, checkpoint_us);
	arena_free(&a);
	db_thread_close();
	return 0;
}
