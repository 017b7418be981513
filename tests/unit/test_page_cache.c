/* The page cache (web/page_cache.c) and the state it keys pages by
 * (core/document.c: version_page_state()): the state changes with every
 * change a version page shows (a newer version, a call opening or closing, a
 * comment published or moderated, the process's title), so a kept page is
 * never served stale; the cache keeps one entry per page within its bound;
 * Accept-Encoding and If-None-Match are read as RFC 9110 says; the
 * database's change mark moves with every commit, from any connection. The
 * state is checked against a real SQLite database with the demo loaded. */
#include "unit_db.h"
#include "core/call.h"
#include "core/contribution.h"
#include "core/demo.h"
#include "core/document.h"
#include "core/process.h"
#include "store/db.h"
#include "util/clock.h"
#include "util/secret.h"
#include "web/page_cache.h"

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


/* 2021-02-01T10:00:00Z: the demo's first call (id 1, on version 2) is open. */
static const int64_t CALL1_OPEN = 1612173600;

static int setup(void **state)
{
	(void)state;
	/* contribution_receive() judges the call at clock_now(): frozen while call 1 is open */
	struct db *db;
	return unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO, &db);
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

static const char *state_of(struct arena *a, int64_t version, int64_t now)
{
	struct error e;
	error_clear(&e);
	const char *s = NULL;
	int64_t until;
	assert_int_equal(version_page_state(db_thread(&e), a, version, now, &s, &until, &e), 0);
	assert_true(until > now);
	assert_non_null(s);
	return s;
}

static void test_state_follows_what_the_page_shows(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);

	const char *open = state_of(&a, 2, CALL1_OPEN);
	assert_string_equal(state_of(&a, 2, CALL1_OPEN), open); /* nothing changed: the same page */
	/* The call opens and closes with time alone, with no write: the state says so. */
	assert_string_not_equal(state_of(&a, 2, CALL1_OPEN - 400 * 86400), open);
	assert_string_not_equal(state_of(&a, 2, CALL1_OPEN + 400 * 86400), open);
	const char *old = state_of(&a, 1, CALL1_OPEN);

	/* A contribution published on receipt: the comments' generation moves. */
	struct contribution_input in = {.name = "Ada Lovelace",
	                                .organization = "Analytical Society",
	                                .category = "academia",
	                                .country = "GB",
	                                .email = "ada@example.org",
	                                .text = "A contribution.",
	                                .publication = "named",
	                                .channel = CHANNEL_API};
	struct receipt rc;
	assert_int_equal(contribution_receive(db, &a, 1, &in, &rc, &e), 0);
	const char *published = state_of(&a, 2, CALL1_OPEN);
	assert_string_not_equal(published, open);
	/* the document's other versions too: comments are carried forward to later versions */
	assert_string_not_equal(state_of(&a, 1, CALL1_OPEN), old);
	old = state_of(&a, 1, CALL1_OPEN);

	/* Moderated (hidden): moves again. */
	assert_int_equal(
	    contribution_moderate(db, &a, &ACTOR_COMMAND_LINE, rc.tracking, "hide", "Off topic.", NULL, &e), 0);
	const char *hidden = state_of(&a, 2, CALL1_OPEN);
	assert_string_not_equal(hidden, published);

	/* A new version: every older version's page gets the "newer version" notice. */
	struct version_input v = {
	    .date = "2021-03-01", .label = "Third draft", .note = "", .markdown = "# Third\n\nOne paragraph.\n"};
	int64_t id;
	assert_int_equal(version_add(db, &a, &ACTOR_COMMAND_LINE, 1, &v, &id, &e), 0);
	const char *newer = state_of(&a, 2, CALL1_OPEN);
	assert_string_not_equal(newer, hidden);
	assert_string_not_equal(state_of(&a, 1, CALL1_OPEN), old);

	/* The call closed by the secretariat: its "Comment on" links go. */
	struct call_change_input close = {.state = "closed", .reason = "Closed early for the test."};
	assert_int_equal(call_change(db, &a, &ACTOR_COMMAND_LINE, 1, &close, &e), 0);
	const char *closed = state_of(&a, 2, clock_now());
	assert_string_not_equal(closed, state_of(&a, 2, clock_now() - 1)); /* it was open a second ago */

	/* The process renamed: the breadcrumb shows its title. */
	struct process_input p = {.title = "Renamed guidelines"};
	assert_int_equal(process_update(db, &a, &ACTOR_COMMAND_LINE, "gca-guidelines", &p, &e), 0);
	assert_string_not_equal(state_of(&a, 2, clock_now()), closed);

	/* No such version. */
	const char *s = NULL;
	error_clear(&e);
	int64_t until;
	assert_int_equal(version_page_state(db, &a, 999, CALL1_OPEN, &s, &until, &e), -1);
	assert_string_equal(e.code, ERROR_NOT_FOUND);
	arena_free(&a);
}

/* The change mark moves with every commit, on this connection or any other (another process's, as
 * `consulta mail-in` is), and stays while only reads happen. */
static void test_change_mark(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	state_of(&a, 2, CALL1_OPEN); /* a read: the wal-index is mapped */
	struct db_mark m1, m2;
	assert_int_equal(db_change_mark(db, &m1), 0);
	state_of(&a, 2, CALL1_OPEN);
	assert_int_equal(db_change_mark(db, &m2), 0);
	assert_memory_equal(m1.bytes, m2.bytes, DB_MARK_LEN); /* reads change nothing */

	sqlite3 *other;
	assert_int_equal(sqlite3_open(unit_db_path(), &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "UPDATE version SET note = note || '.' WHERE id = 1", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(db_change_mark(db, &m2), 0);
	assert_memory_not_equal(m1.bytes, m2.bytes, DB_MARK_LEN);

	/* and on this one (the first test closed the call: a change of the process here) */
	struct process_input p = {.title = "Renamed again"};
	assert_int_equal(process_update(db, &a, &ACTOR_COMMAND_LINE, "gca-guidelines", &p, &e), 0);
	assert_int_equal(db_change_mark(db, &m1), 0);
	assert_memory_not_equal(m1.bytes, m2.bytes, DB_MARK_LEN);

	/* The state holds with time until the next opening or closing of a call on the version. */
	const char *s;
	int64_t until;
	assert_int_equal(version_page_state(db, &a, 2, CALL1_OPEN, &s, &until, &e), 0);
	assert_true(until > CALL1_OPEN && until < INT64_MAX);
	const char *at_until;
	int64_t next;
	assert_int_equal(version_page_state(db, &a, 2, until - 1, &at_until, &next, &e), 0);
	assert_string_equal(at_until, s);
	assert_int_equal(next, until);
	assert_int_equal(version_page_state(db, &a, 2, until, &at_until, &next, &e), 0);
	assert_string_not_equal(at_until, s);
	arena_free(&a);
}

/* While a call is open its deadline statement counts the days left in the process's zone: the state names the
 * local date, and holds no longer than that date (a kept page of one day is never sent the next). */
static void test_state_follows_the_local_date_while_a_call_is_open(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	const int64_t day = 86400;
	/* 1 February 2021, 11:00 in Zurich; 23:59:59 that day is 22:59:59Z */
	const int64_t last_second = CALL1_OPEN + 12 * 3600 + 59 * 60 + 59;
	const char *s;
	int64_t until;
	assert_int_equal(version_page_state(db_thread(&e), &a, 2, CALL1_OPEN, &s, &until, &e), 0);
	assert_non_null(strstr(s, "day=2021-02-01"));
	assert_true(until <= last_second + 1);
	assert_string_equal(state_of(&a, 2, last_second), s);           /* the same day in Zurich */
	assert_string_not_equal(state_of(&a, 2, last_second + 1), s);   /* the next one */
	assert_string_not_equal(state_of(&a, 2, CALL1_OPEN + day), s);  /* a day later, the call still open */
	/* The older version 1 points to the call open on the newest: its page follows the date too. */
	assert_int_equal(version_page_state(db_thread(&e), &a, 1, CALL1_OPEN, &s, &until, &e), 0);
	assert_non_null(strstr(s, "day=2021-02-01"));
	assert_non_null(strstr(s, "open=1:2:"));
	assert_true(until <= last_second + 1);
	assert_string_not_equal(state_of(&a, 1, CALL1_OPEN + day), s);
	/* No call open (a year before): no date in the state, and nothing ends it with the day. */
	assert_int_equal(version_page_state(db_thread(&e), &a, 2, CALL1_OPEN - 365 * day, &s, &until, &e), 0);
	assert_null(strstr(s, "day="));
	assert_string_equal(state_of(&a, 2, CALL1_OPEN - 364 * day), s);
	arena_free(&a);
}

static void test_kept_page_without_a_query(void **state)
{
	(void)state;
	page_cache_configure(1 << 20);
	struct db_mark m1, m2;
	memset(&m1, 1, sizeof m1);
	memset(&m2, 2, sizeof m2);
	struct page_entry *p = page_cache_put("version:5", "s", "a page", 6);
	assert_null(page_cache_get_unchanged("version:5", &m1, 100)); /* no mark yet */
	page_entry_mark(p, &m1, 200);
	page_entry_release(p);
	assert_non_null(p = page_cache_get_unchanged("version:5", &m1, 199));
	page_entry_release(p);
	assert_null(page_cache_get_unchanged("version:5", &m2, 100)); /* something committed since */
	assert_null(page_cache_get_unchanged("version:5", &m1, 200)); /* a call opened or closed */
	assert_null(page_cache_get_unchanged("version:6", &m1, 100));
	page_cache_configure(0);
	page_cache_clear();
}

static void test_accept_encoding(void **state)
{
	(void)state;
	assert_true(page_accepts_gzip("gzip"));
	assert_true(page_accepts_gzip("gzip, deflate, br"));
	assert_true(page_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
	assert_true(page_accepts_gzip("deflate, x-gzip"));
	assert_true(page_accepts_gzip("*"));
	assert_true(page_accepts_gzip("gzip ; q=0.001"));
	assert_false(page_accepts_gzip(NULL));
	assert_false(page_accepts_gzip(""));
	assert_false(page_accepts_gzip("identity"));
	assert_false(page_accepts_gzip("br, deflate"));
	assert_false(page_accepts_gzip("gzip;q=0"));
	assert_false(page_accepts_gzip("gzip;q=0.000, *")); /* refused by name: * does not bring it back */
	assert_false(page_accepts_gzip("*;q=0"));
	assert_false(page_accepts_gzip("gzipped, xgzip")); /* whole tokens only */
	assert_true(page_accepts_gzip("br;q=0, gzip;q=0.8"));
}

static void test_if_none_match(void **state)
{
	(void)state;
	const char *t = "\"0123456789abcdef\"", *g = "\"0123456789abcdef-gz\"";
	assert_true(page_etag_matches("\"0123456789abcdef\"", t, g));
	assert_true(page_etag_matches("\"0123456789abcdef-gz\"", t, g));
	assert_true(page_etag_matches("W/\"0123456789abcdef\"", t, g));
	assert_true(page_etag_matches("\"x\", \"0123456789abcdef\"", t, g));
	assert_true(page_etag_matches("*", t, g));
	assert_false(page_etag_matches(NULL, t, g));
	assert_false(page_etag_matches("", t, g));
	assert_false(page_etag_matches("\"0123456789abcde\"", t, g));
	assert_false(page_etag_matches("0123456789abcdef", t, g)); /* unquoted is not a tag */
	assert_false(page_etag_matches("\"0123456789abcdef\"x", t, g));
}

static void test_cache_keeps_one_page_per_key_within_its_bound(void **state)
{
	(void)state;
	page_cache_configure(1 << 20);
	char body[100000];
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = (char)('a' + (i * 7 + i / 13) % 26);

	struct page_entry *p = page_cache_put("version:1", "s1", body, sizeof body);
	assert_non_null(p);
	size_t len;
	const char *b = page_entry_body(p, false, &len);
	assert_int_equal(len, sizeof body);
	assert_memory_equal(b, body, len);
	const char *gz = page_entry_body(p, true, &len);
	assert_true(len < sizeof body && len > 18);
	assert_int_equal((unsigned char)gz[0], 0x1f); /* the gzip magic */
	assert_int_equal((unsigned char)gz[1], 0x8b);
	page_entry_release(p);

	struct page_entry *hit = page_cache_get("version:1", "s1");
	assert_non_null(hit);
	/* A request holds its entry while a newer state replaces it: the bytes stay until released. */
	struct page_entry *next = page_cache_put("version:1", "s2", "newer", 5);
	assert_null(page_cache_get("version:1", "s1"));
	b = page_entry_body(hit, false, &len);
	assert_memory_equal(b, body, sizeof body);
	page_entry_release(hit);
	page_entry_release(next);
	struct page_entry *again = page_cache_get("version:1", "s2");
	assert_non_null(again);
	b = page_entry_body(again, true, &len); /* too small to gain from gzip: the page itself */
	assert_int_equal(len, 5);
	page_entry_release(again);

	/* Over the bound, the least recently used leave first. */
	for (int i = 0; i < 30; i++) {
		char key[32];
		snprintf(key, sizeof key, "version:%d", 100 + i);
		page_entry_release(page_cache_put(key, "s", body, sizeof body));
		assert_non_null(p = page_cache_get("version:100", "s")); /* kept in use: stays */
		page_entry_release(p);
	}
	assert_null(page_cache_get("version:101", "s"));
	assert_non_null(p = page_cache_get("version:129", "s"));
	page_entry_release(p);

	/* A page larger than the whole cache is served, not kept. */
	page_cache_configure(1000);
	p = page_cache_put("version:7", "s", body, sizeof body);
	assert_non_null(p);
	page_entry_release(p);
	assert_null(page_cache_get("version:7", "s"));
	assert_null(page_cache_get("version:129", "s")); /* shrinking the bound dropped what did not fit */

	page_cache_configure(0);
	page_cache_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_follows_the_local_date_while_a_call_is_open),
	    cmocka_unit_test(test_state_follows_what_the_page_shows),
	    cmocka_unit_test(test_change_mark),
	    cmocka_unit_test(test_kept_page_without_a_query),
	    cmocka_unit_test(test_accept_encoding),
	    cmocka_unit_test(test_if_none_match),
	    cmocka_unit_test(test_cache_keeps_one_page_per_key_within_its_bound),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
