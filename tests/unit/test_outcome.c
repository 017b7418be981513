/* "You said, we did" counted (core/outcome.c) on the demo with its sample contributions: nothing public
 * before publication, the secretariat's preview marked; afterwards every count agrees with a count made
 * independently here (published contributions only, spam never, private ones in the numbers), per version
 * and per call alike; no crash when memory runs out at any allocation. */
#include "unit_db.h"
#include "core/demo.h"
#include "core/outcome.h"
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
static int64_t first_call, first_version, revised;

/* One number read by sql with ?1 bound to id. */
static int64_t count_of(const char *sql, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	db_bind_int(st, 1, id);
	assert_int_equal(db_step(st, &e), DB_ROW);
	int64_t n = db_col_int(st, 0);
	db_reset(st);
	return n;
}

static void exec(const char *sql, int64_t id)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	db_bind_int(st, 1, id);
	assert_int_equal(db_exec_stmt(st, &e), 0);
}

static int setup(void **state)
{
	(void)state;
	return unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO_WITH_CONTRIBUTIONS, &db);
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

static int64_t sum(const struct outcome_count *c, int n)
{
	int64_t s = 0;
	for (int i = 0; i < n; i++)
		s += c[i].count;
	return s;
}

static int64_t decided(const struct outcome_decisions *d)
{
	int64_t s = d->unanswered;
	for (int k = 0; k < OUTCOME_DECISIONS; k++)
		s += d->decisions[k];
	return s;
}

static void test_outcome_counts(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	/* the demo's call on the first draft, and the revised draft that follows it */
	first_call = count_of("SELECT id FROM call WHERE title = 'Inputs on the first draft' AND ?1 = ?1", 0);
	first_version = count_of("SELECT version_id FROM call WHERE id = ?1", first_call);
	revised = count_of("SELECT id FROM version WHERE previous_id = ?1", first_version);
	assert_true(first_call > 0 && revised > 0);
	/* the demo answers and publishes this call: forgotten here, so that the test answers it itself */
	exec("DELETE FROM disposition_history WHERE ?1 = ?1", 0);
	exec("DELETE FROM disposition WHERE ?1 = ?1", 0);
	exec("UPDATE call SET dispositions_published_at = NULL WHERE id = ?1", first_call);
	/* one contribution spam, one private, to see that they count as they should */
	exec("UPDATE contribution SET state = 'spam' WHERE id = (SELECT min(id) FROM contribution WHERE call_id = ?1)",
	     first_call);
	exec("UPDATE contribution SET publication = 'private' WHERE id = (SELECT max(id) FROM contribution "
	     "WHERE call_id = ?1)",
	     first_call);

	/* before publication: nothing for the public, everything unanswered for the secretariat */
	struct outcome o;
	assert_int_equal(outcome_of_version(db, &a, revised, OUTCOME_PUBLIC, OUTCOME_TOP, &o, &e), 0);
	assert_int_equal(o.ncalls, 0);
	assert_int_equal(o.contributions + o.comments + o.nparagraphs + o.ncategories, 0);
	assert_int_equal(o.previous_id, first_version);
	assert_int_equal(outcome_of_version(db, &a, revised, OUTCOME_SECRETARIAT, OUTCOME_TOP, &o, &e), 0);
	assert_int_equal(o.ncalls, 1);
	assert_true(o.unpublished);
	assert_int_equal(o.calls[0].published_at, 0);
	assert_true(o.comments > 0);
	assert_int_equal(o.decided.unanswered, o.comments);

	/* every comment answered, the accepted ones landing at their own pid in the revised draft; published */
	exec("INSERT INTO account (email, name, role, created_at) VALUES ('s@example.org', 'S', 'secretariat', ?1)", 0);
	exec("INSERT INTO disposition (comment_id, decision, reason, version_id, pid, decided_at, decided_by) "
	     "SELECT cm.id, CASE cm.id % 4 WHEN 0 THEN 'accepted' WHEN 1 THEN 'accepted_in_part' "
	     "WHEN 2 THEN 'not_accepted' ELSE 'noted' END, 'Why.', "
	     "CASE WHEN cm.id % 4 = 0 AND cm.pid IS NOT NULL THEN ?1 END, CASE WHEN cm.id % 4 = 0 THEN cm.pid END, "
	     "1, (SELECT max(id) FROM account) FROM comment cm JOIN contribution k ON k.id = cm.contribution_id "
	     "WHERE k.call_id = (SELECT c.id FROM call c WHERE c.title = 'Inputs on the first draft')",
	     revised);
	exec("UPDATE call SET dispositions_published_at = 1 WHERE id = ?1", first_call);

	int64_t contributions =
	    count_of("SELECT count(*) FROM contribution WHERE call_id = ?1 AND state = 'published'", first_call);
	int64_t comments = count_of("SELECT count(*) FROM comment cm JOIN contribution k ON k.id = cm.contribution_id "
	                            "WHERE k.call_id = ?1 AND k.state = 'published'",
	                            first_call);
	int64_t accepted = count_of("SELECT count(*) FROM comment cm JOIN contribution k ON k.id = cm.contribution_id "
	                            "JOIN disposition d ON d.comment_id = cm.id "
	                            "WHERE k.call_id = ?1 AND k.state = 'published' AND d.decision = 'accepted'",
	                            first_call);
	assert_true(contributions > 1);
	assert_int_equal(outcome_of_version(db, &a, revised, OUTCOME_PUBLIC, OUTCOME_TOP, &o, &e), 0);
	assert_int_equal(o.ncalls, 1);
	assert_false(o.unpublished);
	assert_int_equal(o.contributions, contributions);
	assert_int_equal(o.comments, comments);
	assert_int_equal(o.decided.decisions[DECISION_ACCEPTED], accepted);
	assert_int_equal(o.decided.unanswered, 0);
	assert_int_equal(decided(&o.decided), comments);
	assert_int_equal(sum(o.categories, o.ncategories), contributions);
	assert_int_equal(sum(o.countries, o.ncountries), contributions);
	assert_int_equal(sum(o.types, o.ntypes), comments);
	assert_true(o.nparagraphs > 0 && o.nparagraphs <= OUTCOME_TOP);
	int64_t landed_anywhere = 0;
	for (int i = 0; i < o.nparagraphs; i++) {
		const struct outcome_paragraph *q = &o.paragraphs[i];
		if (i)
			assert_true(q->comments <= o.paragraphs[i - 1].comments);
		assert_int_equal(q->version_id, first_version);
		assert_int_equal(decided(&q->decided), q->comments);
		assert_int_equal(q->nanswers + q->more + q->privately, q->comments);
		int64_t landed = 0;
		for (int k = 0; k < q->nlandings; k++) {
			assert_int_equal(q->landings[k].version_id, revised);
			assert_string_equal(q->landings[k].pid,
			                    q->pid); /* where the answers said, in the revised draft */
			landed += q->landings[k].count;
		}
		landed_anywhere += landed;
		assert_true(landed <= q->decided.decisions[DECISION_ACCEPTED]);
		for (int k = 0; k < q->nanswers; k++)
			assert_true(q->answers[k].answered);
	}
	assert_true(landed_anywhere > 0);
	int64_t top = o.paragraphs[0].comments;
	/* the same calls read per call agree (the report reads them so) */
	struct outcome by_call;
	struct outcome_scope scope = {.call_id = first_call};
	assert_int_equal(outcome_read(db, &a, &scope, OUTCOME_PUBLIC, 0, 1, &by_call, &e), 0);
	assert_int_equal(by_call.contributions, contributions);
	assert_int_equal(by_call.comments, comments);
	assert_int_equal(by_call.nparagraphs, 1);
	assert_int_equal(by_call.paragraphs[0].comments, top);
	/* headline only */
	assert_int_equal(outcome_of_version(db, &a, revised, OUTCOME_PUBLIC, -1, &o, &e), 0);
	assert_int_equal(o.comments, comments);
	assert_int_equal(o.ncategories + o.nparagraphs, 0);
	/* a first version has no outcome; no such version is not found */
	assert_int_equal(outcome_of_version(db, &a, first_version, OUTCOME_PUBLIC, OUTCOME_TOP, &o, &e), 0);
	assert_int_equal(o.ncalls + o.previous_id, 0);
	assert_int_equal(outcome_of_version(db, &a, 999999, OUTCOME_PUBLIC, OUTCOME_TOP, &o, &e), -1);
	assert_string_equal(e.code, ERROR_NOT_FOUND);
	arena_free(&a);
}

/* Memory running out at each allocation in turn: an error, never a crash or a half-filled success. */
static void test_outcome_out_of_memory(void **state)
{
	(void)state;
	for (long k = 1;; k++) {
		struct arena a;
		arena_init(&a);
		struct outcome o;
		struct error e;
		error_clear(&e);
		arena_test_fail_at(k);
		int rc = outcome_of_version(db, &a, revised, OUTCOME_PUBLIC, OUTCOME_TOP, &o, &e);
		bool done = arena_test_pending() > 0;
		arena_test_fail_at(0);
		if (rc != 0)
			assert_true(e.code != NULL && *e.code);
		arena_free(&a);
		if (done) {
			assert_int_equal(rc, 0);
			break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_outcome_counts),
	    cmocka_unit_test(test_outcome_out_of_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
