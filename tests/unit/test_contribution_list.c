/* The public list of a call's contributions (core/contribution.c: contribution_list_public()): every statement
 * it runs reads an index in the list's order rather than each contribution of the call or a sort (the query plans
 * of the very statements, read from SQLite on a database with the demo loaded; test_db_pg reads PostgreSQL's),
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

/* The filters of the public list, every combination: no category or one, no country or one, no comment type or
 * one of the three, in a campaign or not (any), in none, in one. */
static const char *const CATEGORIES[] = {NULL, "academia"}, *const COUNTRIES[] = {NULL, "CH"},
                         *const TYPES[] = {NULL, "general", "technical", "editorial"};
static const int64_t CAMPAIGNS[] = {0, CONTRIBUTION_NO_CAMPAIGN, 5};
enum { NCATEGORIES = 2, NCOUNTRIES = 2, NTYPES = 4, NCAMPAIGNS = 3 };

/* The index one narrowing alone is read from in order o, or NULL where the test asks for any index. */
static const char *wanted_index(const struct contribution_filter *f, enum contribution_public_order o)
{
	const bool name = o >= PUBLIC_BY_NAME;
	const int narrowings = !!f->category + !!f->country + !!f->type + (f->campaign != 0);
	if (narrowings != 1)
		return NULL;
	if (f->type && !strcmp(f->type, "general"))
		return name ? "contribution_call_general_name (call_id=?" : "contribution_call_general (call_id=?";
	if (f->type && !strcmp(f->type, "technical"))
		return name ? "contribution_call_technical_name (call_id=?" : "contribution_call_technical (call_id=?";
	if (f->type)
		return name ? "contribution_call_editorial_name (call_id=?" : "contribution_call_editorial (call_id=?";
	if (f->category)
		return name ? "contribution_call_category_name (call_id=? AND category_id=?"
		            : "contribution_call_category (call_id=? AND category_id=?";
	if (f->country)
		return name ? "contribution_call_country_name (call_id=? AND country=?"
		            : "contribution_call_country (call_id=? AND country=?";
	if (f->campaign > 0)
		return name ? "contribution_campaign_name (campaign_id=?" : "contribution_campaign (campaign_id=?";
	return NULL; /* in no campaign: the call's index, filtered */
}

/* Every statement of the public list, for every combination of narrowings and every order and direction of a
 * page (enum contribution_public_order: from the start, after and before a cursor), is read from an index in the
 * list's order: never the whole table, never sorted; a narrowing alone by its own index (migration 041: one per
 * comment type, and by name within a category, a country, a campaign). The counts it still runs (one campaign
 * narrowed further) search an index too. */
static void test_every_statement_reads_an_index_in_order(void **state)
{
	(void)state;
	int checked = 0;
	for (int cat = 0; cat < NCATEGORIES; cat++)
		for (int ctry = 0; ctry < NCOUNTRIES; ctry++)
			for (int type = 0; type < NTYPES; type++)
				for (int k = 0; k < NCAMPAIGNS; k++)
					for (int o = 0; o <= CONTRIBUTION_PUBLIC_ORDERS; o++) {
						const struct contribution_filter f = {
						    .category = CATEGORIES[cat],
						    .country = COUNTRIES[ctry],
						    .type = TYPES[type],
						    .campaign = CAMPAIGNS[k],
						    .sort = CONTRIBUTION_SORT_NAME};
						const bool count = o == CONTRIBUTION_PUBLIC_ORDERS;
						const char *sql =
						    count ? contribution_public_sql(&f, true)
						          : contribution_public_sql_order(&f, (enum contribution_public_order)o);
						char plan[4096];
						plan_of(sql, plan, sizeof plan);
						const char *want =
						    count ? NULL : wanted_index(&f, (enum contribution_public_order)o);
						const bool ok = !strstr(plan, "SCAN c") && strstr(plan, "SEARCH c USING") &&
						                (count || !strstr(plan, "TEMP B-TREE")) &&
						                (!want || strstr(plan, want));
						if (!ok)
							print_message("category=%d country=%d type=%s campaign=%lld order=%d: "
							              "%s\n",
							              cat, ctry, TYPES[type] ? TYPES[type] : "-",
							              (long long)CAMPAIGNS[k], o, plan);
						assert_true(ok);
						checked++;
					}
	assert_int_equal(checked, NCATEGORIES * NCOUNTRIES * NTYPES * NCAMPAIGNS * (CONTRIBUTION_PUBLIC_ORDERS + 1));
	/* contribution_public_sql's page is one of them: by arrival both ways, by name from the start */
	const struct contribution_filter f = {.type = "technical", .sort = CONTRIBUTION_SORT_NEWEST};
	assert_ptr_equal(contribution_public_sql(&f, false), contribution_public_sql_order(&f, PUBLIC_NEWEST));
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
	    cmocka_unit_test(test_every_statement_reads_an_index_in_order),
	    cmocka_unit_test(test_every_order_reads_its_index_from_the_cursor),
	    cmocka_unit_test(test_values_that_are_not_ours_are_refused_by_field),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
