/* The public list of a call's contributions (core/contribution.c: contribution_list_public()): every narrowing
 * searches an index of its own rather than reading each contribution of the call (the query plans of the very
 * statements it runs, read from SQLite on a database with the demo loaded), orders by arrival without sorting,
 * and values that are not a category slug, a country code, or a comment type are refused by field. */
#include "unit_db.h"
#include "core/contribution.h"
#include "core/demo.h"
#include "store/db.h"
#include "util/clock.h"
#include "util/secret.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static int setup(void **state)
{
	(void)state;
	struct db *db;
	return unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO, &db);
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

/* SQLite's plan for sql, its lines joined by " | ", into out. */
static void plan_of(const char *sql, char *out, size_t n)
{
	sqlite3 *conn;
	assert_int_equal(sqlite3_open_v2(unit_db_path(), &conn, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	assert_non_null(explain);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(conn, explain, -1, &st, NULL), SQLITE_OK);
	size_t len = 0;
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);
		int w = snprintf(out + len, n - len, "%s%s", len ? " | " : "", detail ? detail : "");
		assert_true(w >= 0 && (size_t)w < n - len);
		len += (size_t)w;
	}
	sqlite3_finalize(st);
	sqlite3_free(explain);
	sqlite3_close(conn);
}

/* What the statement for f (its count, or a page) reads: never the whole table, each narrowing by its index, and
 * a page in the order of arrival without a sort. */
static void check_plan(const struct contribution_filter *f, int count)
{
	char plan[4096];
	plan_of(contribution_public_sql(f, count), plan, sizeof plan);
	const bool cat = f->category, ctry = f->country;
	if (strstr(plan, "SCAN c") || !strstr(plan, "SEARCH c USING"))
		print_message("cat=%d country=%d campaign=%lld sort=%d count=%d: %s\n", cat, ctry,
		              (long long)f->campaign, (int)f->sort, count, plan);
	assert_null(strstr(plan, "SCAN c"));
	assert_non_null(strstr(plan, "SEARCH c USING"));
	if (f->campaign > 0 && f->sort == CONTRIBUTION_SORT_NAME)
		/* a campaign's members by name: its index, or the order's (a campaign may be most of the call) */
		assert_true(strstr(plan, "contribution_campaign (campaign_id=?") || strstr(plan, "contribution_call_name"));
	else if (f->campaign > 0)
		assert_true(strstr(plan, "contribution_campaign (campaign_id=?") ||
		            strstr(plan, "(call_id=? AND category_id=?") || strstr(plan, "(call_id=? AND country=?") ||
		            strstr(plan, "contribution_statistics (call_id=? AND category_id=? AND country=?"));
	else if ((cat || ctry) && f->sort == CONTRIBUTION_SORT_NAME)
		/* narrowed and by name: the narrowing's index, or the order's (SQLite's choice; neither serves both) */
		assert_true(strstr(plan, "contribution_call_name (call_id=?") || strstr(plan, "(call_id=? AND category_id=?") ||
		            strstr(plan, "(call_id=? AND country=?"));
	else if (cat && !ctry)
		assert_non_null(strstr(plan, "contribution_call_category (call_id=? AND category_id=?"));
	else if (ctry)
		assert_true(strstr(plan, "contribution_call_country (call_id=? AND country=?") ||
		            strstr(plan, "contribution_call_category (call_id=? AND category_id=?") ||
		            /* both narrowings at once, by the statistics' index (migration 024) */
		            (cat && strstr(plan, "contribution_statistics (call_id=? AND category_id=? AND country=?")));
	if (!count && f->sort != CONTRIBUTION_SORT_NAME)
		assert_null(strstr(plan, "TEMP B-TREE"));
}

static void test_every_narrowing_searches_its_index(void **state)
{
	(void)state;
	static const char *const categories[] = {NULL, "academia"}, *const countries[] = {NULL, "CH"},
	                         *const types[] = {NULL, "technical"};
	static const int64_t campaigns[] = {0, CONTRIBUTION_NO_CAMPAIGN, 5};
	for (int cat = 0; cat < 2; cat++)
		for (int ctry = 0; ctry < 2; ctry++)
			for (int type = 0; type < 2; type++)
				for (int k = 0; k < 3; k++)
					for (int sort = CONTRIBUTION_SORT_OLDEST; sort <= CONTRIBUTION_SORT_NAME; sort++)
						for (int count = 0; count < 2; count++) {
							const struct contribution_filter f = {
							    .category = categories[cat],
							    .country = countries[ctry],
							    .type = types[type],
							    .campaign = campaigns[k],
							    .sort = (enum contribution_sort)sort};
							check_plan(&f, count);
						}
}

/* Every order of the whole list, and every statement of a page from a cursor, is a range of an index read in its
 * order: by name, of contribution_call_name (migration 032), from the cursor's key (the named ones) or id (the
 * rest) rather than from its start, and never sorted. */
static void test_every_order_reads_its_index_from_the_cursor(void **state)
{
	(void)state;
	static const char *const wanted[CONTRIBUTION_PUBLIC_ORDERS] = {
	    [PUBLIC_OLDEST] = "contribution_call (call_id=? AND id>?)",
	    [PUBLIC_NEWEST] = "contribution_call (call_id=? AND id<?)",
	    [PUBLIC_BY_NAME] = "contribution_call_name (call_id=?)",
	    [PUBLIC_NAMED_AFTER] = "contribution_call_name (call_id=? AND <expr>=? AND <expr>>?)",
	    [PUBLIC_REST_AFTER] = "contribution_call_name (call_id=? AND <expr>=? AND <expr>=? AND id>?)",
	    [PUBLIC_NAMED_BEFORE] = "contribution_call_name (call_id=? AND <expr>=? AND <expr><?)",
	    [PUBLIC_REST_BEFORE] = "contribution_call_name (call_id=? AND <expr>=? AND <expr>=? AND id<?)",
	    [PUBLIC_NAMED_FROM_END] = "contribution_call_name (call_id=? AND <expr>=?)"};
	const struct contribution_filter f = {.sort = CONTRIBUTION_SORT_NAME};
	for (int o = 0; o < CONTRIBUTION_PUBLIC_ORDERS; o++) {
		char plan[4096];
		plan_of(contribution_public_sql_order(&f, (enum contribution_public_order)o), plan, sizeof plan);
		if (!strstr(plan, wanted[o]) || strstr(plan, "TEMP B-TREE"))
			print_message("order %d: %s\n", o, plan);
		assert_non_null(strstr(plan, wanted[o]));
		assert_null(strstr(plan, "TEMP B-TREE"));
	}
}

static void test_values_that_are_not_ours_are_refused_by_field(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct contribution *items;
	int n;
	int64_t total, hidden;
	struct contribution_filter f = {.category = "Not a slug", .country = "ZZ", .type = "rude"};
	assert_int_equal(contribution_list_public(db_thread(&e), &a, 1, &f, 0, 20, &items, &n, &total, &hidden, &e),
	                 -1);
	assert_string_equal(e.code, ERROR_INVALID);
	assert_int_equal(e.nfields, 3);
	error_clear(&e);
	/* well-formed but unknown: nothing matches */
	struct contribution_filter g = {.category = "no-such-category", .country = "CH", .type = "general"};
	assert_int_equal(contribution_list_public(db_thread(&e), &a, 1, &g, 0, 20, &items, &n, &total, &hidden, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	enum contribution_sort s;
	assert_true(contribution_sort_parse("newest", &s));
	assert_int_equal(s, CONTRIBUTION_SORT_NEWEST);
	assert_false(contribution_sort_parse("sideways", &s));
	assert_false(contribution_filter_narrows(NULL));
	assert_false(
	    contribution_filter_narrows(&(struct contribution_filter){.category = "", .sort = CONTRIBUTION_SORT_NAME}));
	assert_true(contribution_filter_narrows(&(struct contribution_filter){.type = "general"}));
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_narrowing_searches_its_index),
	    cmocka_unit_test(test_every_order_reads_its_index_from_the_cursor),
	    cmocka_unit_test(test_values_that_are_not_ours_are_refused_by_field),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
