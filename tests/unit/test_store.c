/* The store's promises that need a real database: the prepared-statement
 * cache holds any number of statements, a row-fill function that runs out of
 * memory gives the caller an error (never a row with NULL fields), and a
 * torture loop fails each arena allocation of a core read in turn: every run
 * either succeeds with every field there or says it failed. */
#include "core/call.h"
#include "core/contribution.h"
#include "core/demo.h"
#include "core/document.h"
#include "core/meeting.h"
#include "core/milestone.h"
#include "core/outbox.h"
#include "core/overview.h"
#include "core/process.h"
#include "store/db.h"
#include "util/arena.h"
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

static char db_dir[] = "/tmp/consulta-test-store-XXXXXX";
static char db_url[128];
static int64_t demo_process;

/* One database for the whole file: migrated, the live demo loaded (its call is
 * open today), and three contributions in it. */
static int setup(void **state)
{
	(void)state;
	/* A frozen clock: the live demo's dates move to it, and its call is open. */
	setenv("CONSULTA_NOW", "2026-03-10T12:00:00Z", 1);
	if (secret_init() != 0 || clock_init() != 0 || !mkdtemp(db_dir))
		return -1;
	snprintf(db_url, sizeof db_url, "sqlite:%s/test.db", db_dir);
	struct error e;
	error_clear(&e);
	struct db *db;
	bool loaded;
	int64_t offset;
	if (db_configure(db_url, &e) != 0 || !(db = db_thread(&e)) || db_migrate(db, &e) != 0 ||
	    demo_load(db, true, &loaded, &offset, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.message);
		return -1;
	}
	struct arena a;
	arena_init(&a);
	struct process pr;
	struct call *calls;
	int n;
	if (process_find(db, &a, DEMO_SLUG, &pr, &e) != 0 || call_list(db, &a, pr.id, &calls, &n, &e) != 0)
		return -1;
	demo_process = pr.id;
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < n; i++) {
			struct contribution_input in = {
				.name = "Ada Lovelace",
				.organization = k == 1 ? NULL : "Analytical Engines",
				.category = "academia",
				.country = "CH",
				.email = "ada@example.org",
				.text = "A contribution of some length, to read.",
				.publication = "named",
				.channel = CHANNEL_API,
			};
			struct receipt r;
			struct error ce;
			error_clear(&ce);
			contribution_receive(db, &a, calls[i].id, &in, &r, &ce); /* a closed call refuses: fine */
		}
	}
	arena_free(&a);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_thread_close();
	char path[256];
	static const char *const files[] = {"test.db", "test.db-wal", "test.db-shm"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", db_dir, files[i]);
		unlink(path);
	}
	rmdir(db_dir);
	return 0;
}

/* Far more statements than the old fixed cache of 96 held: each is prepared
 * once, found again by its address, and still answers its own query. */
static void test_statement_cache_grows(void **state)
{
	(void)state;
	enum { N = 1000 };
	static char sql[N][32];
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct db_stmt *first[N];
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			if (round == 0)
				snprintf(sql[i], sizeof sql[i], "SELECT %d", i);
			struct db_stmt *st = db_stmt(db, sql[i], &e);
			assert_non_null(st);
			if (round == 0)
				first[i] = st;
			else
				assert_ptr_equal(st, first[i]); /* the cached one, not prepared again */
			assert_int_equal(db_step(st, &e), DB_ROW);
			assert_int_equal(db_col_int(st, 0), i);
			db_reset(st);
		}
	}
	assert_null(e.code);
}

/* What keeps a docket's database small (README, "Bytes a contribution"): the campaigns' LSH index keeps
 * its rows once, in its key (WITHOUT ROWID), not in a table and again in the key's index. */
static void test_a_new_database_stores_compactly(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct db_stmt *st = db_stmt(db, "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name = 'campaign_band'", &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	db_reset(st);
	assert_null(e.code);
}

/* A meeting's hours and link to join: the demo's are read back as stored; hours that are not HH:MM, that
 * end before they start, or a link that is not http(s) are refused by field, and nothing changes. */
static void test_meeting_time(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct arena a;
	arena_init(&a);
	struct meeting *ms;
	int n;
	assert_int_equal(meeting_list(db, &a, demo_process, &ms, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ms[1].starts, "14:00");
	assert_string_equal(ms[1].ends, "17:00");
	assert_string_equal(ms[1].join_url, "https://meet.gca-demo.example/second-consultation");
	static const struct {
		const char *starts, *ends, *join_url, *field;
	} bad[] = {
		{"9:00", "17:00", NULL, "starts"},
		{"24:00", "17:00", NULL, "starts"},
		{"14:60", "17:00", NULL, "starts"},
		{"14:00", "13:59", NULL, "ends"},
		{"14:00", "14:00", NULL, "ends"},
		{"14:00", NULL, NULL, "ends"},
		{"14:00", "17:00", "javascript:alert(1)", "join_url"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		error_clear(&e);
		assert_int_equal(meeting_set_time(db, ms[1].id, bad[i].starts, bad[i].ends, bad[i].join_url, &e), -1);
		assert_string_equal(e.code, ERROR_INVALID);
		assert_non_null(error_field_message(&e, bad[i].field));
	}
	error_clear(&e);
	assert_int_equal(meeting_list(db, &a, demo_process, &ms, &n, &e), 0);
	assert_string_equal(ms[1].starts, "14:00");
	assert_string_equal(ms[1].join_url, "https://meet.gca-demo.example/second-consultation");
	arena_free(&a);
}

static int fill_fails_on_second(struct arena *a, struct db_stmt *st, void *element)
{
	(void)a;
	*(int64_t *)element = db_col_int(st, 0);
	return db_col_int(st, 0) == 2 ? -1 : 0;
}

/* A fill that fails stops db_collect and db_collect_one with "out of memory". */
static void test_failing_fill_reaches_caller(void **state)
{
	(void)state;
	static const char sql[] = "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3";
	static const char sql_one[] = "SELECT 2";
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	struct arena a;
	arena_init(&a);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	int64_t *items = NULL;
	int n = 0;
	assert_int_equal(db_collect(st, &a, (void **)&items, &n, sizeof *items, fill_fails_on_second, &e), -1);
	assert_string_equal(e.code, ERROR_UNAVAILABLE);
	assert_string_equal(e.message, "out of memory");

	error_clear(&e);
	st = db_stmt(db, sql_one, &e);
	int64_t one = 0;
	assert_int_equal(db_collect_one(st, &a, &one, fill_fails_on_second, "none", &e), -1);
	assert_string_equal(e.code, ERROR_UNAVAILABLE);

	/* The statement was reset: the connection is usable at once. */
	error_clear(&e);
	st = db_stmt(db, sql, &e);
	assert_int_equal(db_step(st, &e), DB_ROW);
	db_reset(st);
	arena_free(&a);
}

/* Runs one statement of a test, which must succeed. */
static void exec(struct db *db, const char *sql)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	assert_int_not_equal(db_step(st, &e), DB_FAIL);
	db_reset(st);
}

/* A state's name that no enum knows (a newer program's, or a hand edit past the CHECK constraints) fails the
 * row's fill: the caller gets an internal error, never a struct with a state made up. */
static void test_unknown_stored_state_is_an_internal_error(void **state)
{
	(void)state;
	static const char sql_off[] = "PRAGMA ignore_check_constraints = ON";
	static const char sql_on[] = "PRAGMA ignore_check_constraints = OFF";
	static const char sql_bad[] =
		"UPDATE contribution SET state = 'archived' WHERE id = (SELECT min(id) FROM contribution)";
	static const char sql_good[] = "UPDATE contribution SET state = 'published' WHERE state = 'archived'";
	static const char sql_kind[] =
		"UPDATE milestone SET kind = 'festival' WHERE id = (SELECT min(id) FROM milestone)";
	static const char sql_kind_back[] = "UPDATE milestone SET kind = 'version' WHERE kind = 'festival'";
	static const char sql_which[] = "SELECT tracking, (SELECT min(id) FROM milestone) FROM contribution "
					"WHERE id = (SELECT min(id) FROM contribution)";
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	struct arena a;
	arena_init(&a);
	struct db_stmt *st = db_stmt(db, sql_which, &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	const char *tracking = arena_strdup(&a, db_col_text(st, 0));
	const int64_t milestone = db_col_int(st, 1);
	db_reset(st);
	struct contribution k;
	assert_int_equal(contribution_find(db, &a, tracking, &k, &e), 0);

	exec(db, sql_off);
	exec(db, sql_bad);
	exec(db, sql_kind);
	assert_int_equal(contribution_find(db, &a, tracking, &k, &e), -1);
	assert_string_equal(e.code, ERROR_INTERNAL);
	error_clear(&e);
	struct milestone m;
	assert_int_equal(milestone_find(db, &a, milestone, &m, &e), -1);
	assert_string_equal(e.code, ERROR_INTERNAL);
	exec(db, sql_good);
	exec(db, sql_kind_back);
	exec(db, sql_on);

	error_clear(&e);
	assert_int_equal(contribution_find(db, &a, tracking, &k, &e), 0);
	assert_int_equal(k.state, CONTRIBUTION_PUBLISHED);
	assert_int_equal(milestone_find(db, &a, milestone, &m, &e), 0);
	assert_int_equal(m.kind, MILESTONE_VERSION);
	arena_free(&a);
}

/* db_col_dup tells a NULL column (no failure) from an allocation that failed. */
static void test_col_dup_reports_failure(void **state)
{
	(void)state;
	static const char sql[] = "SELECT NULL, 'text'";
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	struct arena a;
	arena_init(&a);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_int_equal(db_step(st, &e), DB_ROW);
	bool failed = false;
	assert_null(db_col_dup(st, 0, &a, &failed));
	assert_false(failed);
	assert_string_equal(db_col_dup(st, 1, &a, &failed), "text");
	assert_false(failed);
	arena_test_fail_at(1);
	assert_null(db_col_dup(st, 1, &a, &failed));
	assert_true(failed);
	assert_int_equal(arena_test_pending(), 0);
	db_reset(st);
	arena_free(&a);
}

/* Runs op with its 1st, 2nd, ... arena allocation failing until a run goes
 * past its last allocation. Each run must either fail with an error code, or
 * succeed with check() finding every field in place. Returns how many runs
 * failed, so the caller knows the loop did inject something. */
static int torture(int (*op)(struct db *, struct arena *, struct error *, void **), bool (*check)(void *))
{
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	int failures = 0;
	for (long k = 1;; k++) {
		struct arena a;
		arena_init(&a);
		error_clear(&e);
		void *result = NULL;
		arena_test_fail_at(k);
		int rc = op(db, &a, &e, &result);
		bool injected = arena_test_pending() == 0;
		arena_test_fail_at(0);
		db_read_end(db);
		if (rc == 0) {
			if (!check(result))
				fail_msg("allocation %ld failed but the read succeeded with a field missing", k);
			assert_null(e.code);
		} else {
			if (!e.code)
				fail_msg("allocation %ld failed and the read failed without an error", k);
			if (!injected)
				fail_msg("the read failed without an injected failure: %s", e.message);
			failures++;
		}
		arena_free(&a);
		if (!injected)
			break;
		assert_true(k < 100000);
	}
	return failures;
}

static int op_overview(struct db *db, struct arena *a, struct error *e, void **out)
{
	struct overview *o = arena_alloc(a, sizeof *o);
	if (!o) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*out = o;
	return overview_load(db, a, DEMO_SLUG, o, e);
}

static bool check_overview(void *p)
{
	const struct overview *o = p;
	const struct process *pr = &o->process;
	if (!pr->slug || !pr->title || !pr->timezone || !pr->languages || pr->ncategories != 6)
		return false;
	for (int i = 0; i < pr->ncategories; i++)
		if (!pr->categories[i].slug || !pr->categories[i].name)
			return false;
	if (o->nmilestones == 0 || o->ndocuments == 0 || o->ncalls == 0 || o->nmeetings == 0 || o->ncirculars == 0)
		return false;
	for (int i = 0; i < o->nmilestones; i++)
		if (!o->milestones[i].date || !o->milestones[i].title)
			return false;
	for (int i = 0; i < o->ndocuments; i++) {
		if (!o->documents[i].slug || !o->documents[i].title || o->documents[i].nversions == 0)
			return false;
		for (int j = 0; j < o->documents[i].nversions; j++)
			if (!o->documents[i].versions[j].date || !o->documents[i].versions[j].label)
				return false;
	}
	for (int i = 0; i < o->ncalls; i++)
		if (!o->calls[i].title || !o->calls[i].timezone || !o->calls[i].process_slug)
			return false;
	for (int i = 0; i < o->nmeetings; i++)
		if (!o->meetings[i].date || !o->meetings[i].title)
			return false;
	for (int i = 0; i < o->ncirculars; i++) {
		if (!o->circulars[i].reference || !o->circulars[i].subject || o->circulars[i].naddressees == 0)
			return false;
		for (int j = 0; j < o->circulars[i].naddressees; j++)
			if (!o->circulars[i].addressees[j])
				return false;
	}
	return true;
}

struct listing {
	struct contribution *items;
	int n;
	int64_t total;
};

static int op_contributions(struct db *db, struct arena *a, struct error *e, void **out)
{
	struct call *calls;
	int ncalls;
	if (call_list(db, a, demo_process, &calls, &ncalls, e) != 0)
		return -1;
	struct listing *l = arena_alloc(a, sizeof *l);
	if (!l) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*out = l;
	for (int i = 0; i < ncalls; i++) {
		if (!calls[i].title)
			return 0; /* check() sees l->n == 0 and refuses */
		struct contribution *items;
		int n;
		int64_t total;
		if (contribution_list(db, a, calls[i].id, NULL, 0, 100, &items, &n, &total, e) != 0)
			return -1;
		if (n > 0) {
			l->items = items;
			l->n = n;
			l->total = total;
		}
	}
	return 0;
}

static bool check_contributions(void *p)
{
	const struct listing *l = p;
	if (l->n != 3 || l->total != 3)
		return false;
	for (int i = 0; i < l->n; i++) {
		const struct contribution *c = &l->items[i];
		if (!c->tracking[0] || !c->name || !c->category_slug || !c->category_name || !c->country || !c->email ||
		    !c->text)
			return false;
		if (i != 1 && !c->organization)
			return false;
	}
	return true;
}

/* The version page's read (the benchmarked one): the version with its text, and its document. */
struct version_read {
	struct version v;
	struct document doc;
};

static int op_version(struct db *db, struct arena *a, struct error *e, void **out)
{
	struct version_read *r = arena_alloc(a, sizeof *r);
	if (!r) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*out = r;
	return version_find(db, a, 2, &r->v, &r->doc, e);
}

static bool check_version(void *p)
{
	const struct version_read *r = p;
	return r->v.date && r->v.label && r->v.markdown && r->v.html && r->doc.slug && r->doc.title;
}

/* The mail sender's read: the receipts the contributions queued. */
struct due {
	struct outbox_item *items;
	int n;
};

static int op_outbox(struct db *db, struct arena *a, struct error *e, void **out)
{
	struct due *d = arena_alloc(a, sizeof *d);
	if (!d) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*out = d;
	return outbox_due(db, a, INT64_MAX / 2, 100, &d->items, &d->n, e);
}

static bool check_outbox(void *p)
{
	const struct due *d = p;
	if (d->n < 3)
		return false;
	for (int i = 0; i < d->n; i++)
		if (!d->items[i].recipient || !d->items[i].message || !d->items[i].message_id)
			return false;
	return true;
}

static void test_torture_version(void **state)
{
	(void)state;
	assert_true(torture(op_version, check_version) > 0);
}

static void test_torture_outbox(void **state)
{
	(void)state;
	assert_true(torture(op_outbox, check_outbox) > 3);
}

static void test_torture_overview(void **state)
{
	(void)state;
	assert_true(torture(op_overview, check_overview) > 10);
}

static void test_torture_contribution_list(void **state)
{
	(void)state;
	assert_true(torture(op_contributions, check_contributions) > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statement_cache_grows),
		cmocka_unit_test(test_a_new_database_stores_compactly),
		cmocka_unit_test(test_failing_fill_reaches_caller),
		cmocka_unit_test(test_meeting_time),
		cmocka_unit_test(test_col_dup_reports_failure),
		cmocka_unit_test(test_torture_overview),
		cmocka_unit_test(test_torture_contribution_list),
		cmocka_unit_test(test_torture_version),
		cmocka_unit_test(test_torture_outbox),
		cmocka_unit_test(test_unknown_stored_state_is_an_internal_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
