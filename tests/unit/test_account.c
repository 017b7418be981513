/* Accounts against a real SQLite database in a temporary directory: a
 * password is never hashed while a write transaction is open (a flood of
 * registrations once held the write lock and made contributions fail), and
 * registering or asking for a reset does the same work whether or not the
 * address has an account. */
#include "unit_db.h"
#include "core/account.h"
#include "core/outbox.h"
#include "store/db.h"
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


/* What the hashes saw: how many, and how many found the write lock taken. */
struct seen {
	int hashes;
	int while_locked;
};

/* Called before each hash: can another connection take the write lock right now? */
static void on_hash(void *arg)
{
	struct seen *seen = arg;
	seen->hashes++;
	sqlite3 *other;
	assert_int_equal(sqlite3_open(unit_db_path(), &other), SQLITE_OK);
	sqlite3_busy_timeout(other, 0);
	if (sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		seen->while_locked++;
	else
		sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
}

static int setup(void **state)
{
	(void)state;
	struct db *db;
	return unit_db_open(NULL, UNIT_NO_DEMO, &db);
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

static int64_t outbox_count(struct db *db)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, "SELECT count(*) FROM outbox", &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	int64_t n = db_col_int(st, 0);
	db_reset(st);
	return n;
}

static struct account_input person(const char *email, const char *requester)
{
	struct account_input in = {.email = email, .name = "Ada Lovelace", .password = "a long passphrase here",
				   .role = ACCOUNT_STAKEHOLDER, .requester = requester};
	return in;
}

static void test_register_hashes_once_outside_the_write_lock_either_way(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	struct arena a;
	arena_init(&a);
	struct seen seen = {0};
	secret_on_password_hash(on_hash, &seen);
	struct account acc;
	struct account_input in = person("ada@example.org", "192.0.2.1");

	int64_t before = outbox_count(db);
	assert_int_equal(account_register(db, &a, &in, &acc, &e), 0);
	assert_int_equal(seen.hashes, 1);
	assert_int_equal(outbox_count(db), before + 1);

	/* The address has an account now: the same work (one hash, one mail), the same answer. */
	in.password = "another long passphrase";
	assert_int_equal(account_register(db, &a, &in, &acc, &e), 0);
	assert_null(e.code);
	assert_string_equal(acc.email, "ada@example.org");
	assert_int_equal(seen.hashes, 2);
	assert_int_equal(outbox_count(db), before + 2);

	/* Setting a password (reset, command line) hashes outside the lock too. */
	assert_int_equal(account_find_email(db, &a, "ada@example.org", &acc, &e), 0);
	assert_int_equal(account_set_password(db, &acc, "a third long passphrase", &e), 0);
	assert_int_equal(seen.hashes, 3);
	assert_int_equal(seen.while_locked, 0);
	secret_on_password_hash(NULL, NULL);
	arena_free(&a);
}

static void test_reset_request_does_the_same_work_with_or_without_an_account(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	struct arena a;
	arena_init(&a);
	struct account acc;
	struct account_input in = person("bob@example.org", "192.0.2.2");
	assert_int_equal(account_register(db, &a, &in, &acc, &e), 0);
	struct seen seen = {0};
	secret_on_password_hash(on_hash, &seen);
	int64_t before = outbox_count(db);
	assert_int_equal(account_reset_request(db, &a, "bob@example.org", "192.0.2.2", &e), 0);
	assert_int_equal(outbox_count(db), before + 1);
	assert_int_equal(account_reset_request(db, &a, "nobody@example.org", "192.0.2.2", &e), 0);
	assert_int_equal(outbox_count(db), before + 2);
	assert_int_equal(seen.hashes, 0);
	secret_on_password_hash(NULL, NULL);
	arena_free(&a);
}

static void test_login_makes_the_session_in_core(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	struct arena a;
	arena_init(&a);
	struct account acc;
	struct account_input in = person("cy@example.org", NULL);
	assert_int_equal(account_register(db, &a, &in, &acc, &e), 0);
	char session[SECRET_TOKEN_LEN + 1];
	int64_t wait;
	assert_int_equal(account_login(db, &a, "cy@example.org", "a long passphrase here", "192.0.2.3", &acc, session,
				       &wait, &e),
			 0);
	assert_int_equal(strlen(session), SECRET_TOKEN_LEN);
	struct account who;
	assert_int_equal(session_account(db, &a, session, &who, &e), 0);
	assert_int_equal(who.id, acc.id);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_hashes_once_outside_the_write_lock_either_way),
		cmocka_unit_test(test_reset_request_does_the_same_work_with_or_without_an_account),
		cmocka_unit_test(test_login_makes_the_session_in_core),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
