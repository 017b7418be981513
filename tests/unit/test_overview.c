/* The process page's load (core/overview.c) on the demo's process: it asks the same number of statements however
 * many milestones, moves, documents, versions, calls, changes and letters the process has (each statement is a
 * round trip on PostgreSQL, and the page is read during bursts: issue 11), and what it loads at once is what the
 * one-at-a-time loaders give (milestone_find(), call_history(), a letter's and a document's own rows). */
#include "core/call.h"
#include "core/circular.h"
#include "core/document.h"
#include "core/milestone.h"
#include "core/overview.h"
#include "core/process.h"
#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static struct db *db;
static struct arena a;
static const char *slug;

static int setup(void **state)
{
	(void)state;
	if (unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO, &db) != 0)
		return -1;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct process *ps;
	int n;
	if (process_list(db, &a, &ps, &n, &e) != 0 || n < 1)
		return -1;
	slug = ps[0].slug;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&a);
	unit_db_remove();
	return 0;
}

/* A change of call_id's deadline (kind 'extend', one day later) or its opening ('open'). */
static void add_change(int64_t call_id, const char *kind, int64_t closes_at, const char *reason)
{
	struct error e;
	error_clear(&e);
	/* one SQL text (statements are kept by their text's address) */
	struct db_stmt *st = db_stmt(db,
				     "INSERT INTO call_change (call_id, changed_at, kind, from_closes_at, to_closes_at, "
				     "reason) VALUES (?, 1611000000, ?, ?, ?, ?)",
				     &e);
	assert_non_null(st);
	db_bind_int(st, 1, call_id);
	db_bind_text(st, 2, kind);
	db_bind_int(st, 3, closes_at);
	db_bind_int(st, 4, closes_at + 86400);
	db_bind_text(st, 5, reason);
	assert_int_equal(db_exec_stmt(st, &e), 0);
}

/* overview_load() of the demo's process, and how many statements it asked for. */
static uint64_t load(struct overview *o)
{
	struct error e;
	error_clear(&e);
	const uint64_t before = db_statements();
	assert_int_equal(overview_load(db, &a, slug, o, &e), 0);
	return db_statements() - before;
}

/* More of everything: two milestones with two moves each, a change of each call's deadline (its milestone moves
 * with it) and an opening, a second document with two versions, a third letter with two addressees. */
static void add_more(const struct overview *o)
{
	struct error e;
	error_clear(&e);
	const int64_t pid = o->process.id;
	assert_int_equal(db_begin(db, &e), 0);
	for (int i = 0; i < 2; i++) {
		int64_t id;
		assert_int_equal(milestone_insert(db, pid, i ? "2021-09-01" : "2021-08-01", NULL,
						  i ? "Second added milestone" : "First added milestone", MILESTONE_OTHER,
						  &id, &e),
				 0);
		assert_int_equal(milestone_record_move(db, id, "2021-01-10", "2021-07-01", NULL, NULL, "moved once", &e),
				 0);
		assert_int_equal(milestone_record_move(db, id, "2021-01-20", "2021-07-15", NULL, NULL, "moved twice", &e),
				 0);
	}
	for (int i = 0; i < o->ncalls; i++) {
		add_change(o->calls[i].id, "extend", o->calls[i].closes_at, arena_printf(&a, "more time %d", i));
		add_change(o->calls[i].id, "open", o->calls[i].closes_at, arena_printf(&a, "opened %d", i));
	}
	int64_t doc, v;
	assert_int_equal(document_create(db, pid, "annex", "An annex", &doc, &e), 0);
	assert_int_equal(version_post(db, doc, "2021-01-05", "First annex", "", "One paragraph.\n", &v, &e), 0);
	assert_int_equal(version_post(db, doc, "2021-01-25", "Second annex", "", "One paragraph.\n\nTwo.\n", &v, &e), 0);
	int64_t letter;
	assert_int_equal(circular_add(db, pid, "C.L. 99.2021", "2021-01-30", "An added letter", &letter, &e), 0);
	for (int i = 0; i < 2 && i < o->process.ncategories; i++)
		assert_int_equal(circular_add_addressee(db, letter, o->process.categories[i].id, &e), 0);
	assert_int_equal(db_commit(db, &e), 0);
}

static void same_moves(const struct milestone *got, const struct milestone *want)
{
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->nhistory, want->nhistory);
	for (int k = 0; k < want->nhistory; k++) {
		assert_int_equal(got->history[k].id, want->history[k].id);
		assert_string_equal(got->history[k].moved_on, want->history[k].moved_on);
		assert_string_equal(got->history[k].to_date, want->history[k].to_date);
		assert_string_equal(got->history[k].reason, want->history[k].reason);
	}
}

/* What overview_load() gave equals what each one-at-a-time loader gives. */
static void same_as_one_by_one(const struct overview *o)
{
	struct error e;
	error_clear(&e);
	for (int i = 0; i < o->nmilestones; i++) {
		struct milestone one;
		assert_int_equal(milestone_find(db, &a, o->milestones[i].id, &one, &e), 0);
		same_moves(&o->milestones[i], &one);
	}
	for (int i = 0; i < o->ncalls; i++) {
		struct call one = o->calls[i];
		assert_int_equal(call_history(db, &a, &one, &e), 0);
		assert_int_equal(o->calls[i].nhistory, one.nhistory);
		assert_non_null(o->calls[i].history); /* loaded, even when empty */
		for (int k = 0; k < one.nhistory; k++) {
			assert_int_equal(o->calls[i].history[k].id, one.history[k].id);
			assert_string_equal(o->calls[i].history[k].reason, one.history[k].reason);
		}
	}
	for (int i = 0; i < o->ndocuments; i++) {
		struct db_stmt *st = db_stmt(db,
					     "SELECT id FROM version WHERE document_id = ? AND state = 'published' "
					     "ORDER BY date, id",
					     &e);
		assert_non_null(st);
		db_bind_int(st, 1, o->documents[i].id);
		int k = 0;
		while (db_step(st, &e) == DB_ROW) {
			assert_true(k < o->documents[i].nversions);
			assert_int_equal(o->documents[i].versions[k++].id, db_col_int(st, 0));
		}
		assert_int_equal(k, o->documents[i].nversions);
	}
	for (int i = 0; i < o->ncirculars; i++) {
		struct db_stmt *st = db_stmt(db,
					     "SELECT c.name FROM circular_addressee ca JOIN category c ON c.id = "
					     "ca.category_id WHERE ca.circular_id = ? ORDER BY ca.purpose, c.position, c.id",
					     &e);
		assert_non_null(st);
		db_bind_int(st, 1, o->circulars[i].id);
		int k = 0;
		while (db_step(st, &e) == DB_ROW) {
			assert_true(k < o->circulars[i].naddressees);
			assert_string_equal(o->circulars[i].addressees[k++], db_col_text(st, 0));
		}
		assert_int_equal(k, o->circulars[i].naddressees);
	}
}

static void test_statements_do_not_grow(void **state)
{
	(void)state;
	struct overview before, after;
	const uint64_t n0 = load(&before);
	same_as_one_by_one(&before);
	add_more(&before);
	const uint64_t n1 = load(&after);
	/* the demo's own (9 milestones, 2 calls, 2 letters) took 24 statements, one per item, and 28 after add_more() */
	assert_int_equal(n1, n0);
	assert_true(n0 <= 14);
	assert_int_equal(after.nmilestones, before.nmilestones + 2);
	assert_int_equal(after.ndocuments, before.ndocuments + 1);
	assert_int_equal(after.ncirculars, before.ncirculars + 1);
	same_as_one_by_one(&after);
	/* a deadline's milestone shows its call's change (the opening moves nothing) */
	int moved = 0;
	for (int i = 0; i < after.nmilestones; i++)
		for (int k = 0; after.milestones[i].call_id && k < after.milestones[i].nhistory; k++)
			moved += !strncmp(after.milestones[i].history[k].reason, "more time", 9);
	int linked = 0;
	for (int i = 0; i < after.nmilestones; i++)
		linked += after.milestones[i].call_id != 0;
	assert_true(linked > 0);
	assert_int_equal(moved, linked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_statements_do_not_grow),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
