/* The outbox's claims (core/outbox.h) on SQLite: two claims made while a lease runs share no mail; a claim
 * whose lease has ended is taken again; renewing extends only the claimer's own mails; letting go makes them
 * due at once; marking a mail ends its claim. (tests/integration/test_cluster.py runs senders in processes of
 * their own on PostgreSQL.) Times here are the outbox's machine times, given to each call, never read. */
#include "core/outbox.h"
#include "store/db.h"
#include "util/arena.h"

#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

enum { T0 = 1700000000, LEASE = 300, MAILS = 5 };

static struct db *db;

static int setup(void **state)
{
	(void)state;
	if (unit_db_open("2021-02-01T10:00:00Z", UNIT_NO_DEMO, &db) != 0)
		return -1;
	static const char sql[] = "INSERT INTO outbox (created_at, kind, recipient, message, message_id, "
	                          "next_attempt_at) VALUES (?, 'notice', ?, 'Subject: x\r\n\r\nx\r\n', ?, ?)";
	struct error e;
	error_clear(&e);
	for (int i = 0; i < MAILS; i++) {
		char to[64], id[64];
		snprintf(to, sizeof to, "reader%d@example.org", i);
		snprintf(id, sizeof id, "m%d@example.org", i);
		struct db_stmt *st = db_stmt(db, sql, &e);
		if (!st)
			return -1;
		db_bind_int(st, 1, T0);
		db_bind_text(st, 2, to);
		db_bind_text(st, 3, id);
		db_bind_int(st, 4, T0 + i); /* due one after the other */
		if (db_exec_stmt(st, &e) != 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

static int claim(const char *who, int64_t now, int limit, struct outbox_item **items)
{
	static struct arena a;
	arena_free(&a);
	arena_init(&a);
	struct error e;
	error_clear(&e);
	int n = -1;
	assert_int_equal(outbox_claim(db, &a, now, LEASE, who, limit, items, &n, &e), 0);
	return n;
}

static void test_claims(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct outbox_item *items;
	/* Only what is due: at T0 + 1, the first two. */
	assert_int_equal(claim("a", T0 + 1, 10, &items), 2);
	assert_string_equal(items[0].message_id, "m0@example.org");
	assert_string_equal(items[1].message_id, "m1@example.org");
	/* Another claimer, later, takes the rest and nothing of a's. */
	assert_int_equal(claim("b", T0 + 10, 10, &items), 3);
	assert_string_equal(items[0].message_id, "m2@example.org");
	assert_int_equal(claim("c", T0 + 10, 10, &items), 0);
	/* b lets go of its mails: due again for anyone at once. */
	assert_int_equal(outbox_claim_release(db, "b", &e), 3);
	assert_int_equal(claim("c", T0 + 11, 2, &items), 2);
	/* a renews before its lease ends: its two are extended, nobody else's. */
	assert_int_equal(outbox_claim_renew(db, "a", T0 + 100, LEASE, &e), 2);
	/* At T0 + 1 + LEASE a's first lease would have ended; renewed, it holds until T0 + 100 + LEASE. */
	assert_int_equal(claim("d", T0 + 1 + LEASE, 10, &items), 1); /* the one c did not take */
	/* c's lease ends (c died): its mails go to e. */
	assert_int_equal(claim("e", T0 + 11 + LEASE, 10, &items), 2);
	/* a's renewal after its lease ended extends nothing: the mails may be another's by then. */
	assert_int_equal(outbox_claim_renew(db, "a", T0 + 100 + LEASE, LEASE, &e), 0);
	assert_int_equal(claim("f", T0 + 100 + LEASE, 10, &items), 2);
	/* Marked sent: no claim left on it, never claimed again. */
	assert_int_equal(outbox_mark_sent(db, items[0].id, T0 + 101 + LEASE, &e), 0);
	assert_int_equal(outbox_claim_release(db, "f", &e), 1);
	assert_int_equal(claim("g", T0 + 10000, 10, &items), 4);
	for (int i = 0; i < 4; i++)
		assert_true(strcmp(items[i].message_id, "m0@example.org") != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claims),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
