/* The group commit of contributions (core/contribution.c): with the writer running, contribution_receive()
 * judges the deadline at the instant the contribution was received, not when the writer commits it; one
 * contribution of a batch that fails is undone alone (nothing of it half-stored) and the others of the same
 * transaction are stored; every caller gets its own tracking number; and a full queue is refused at once with
 * nothing stored; copies under one idempotency key are one row. A test build's hook (CONSULTA_TEST_WRITER_DELAY_MS) holds each batch back, so that the
 * contributions sent at once share one. */
#include "core/call.h"
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
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/consulta-unit-XXXXXX";
static char path[sizeof dir + 16];

static int setup(void **state)
{
	(void)state;
	if (setenv("CONSULTA_NOW", "2021-02-01T10:00:00Z", 1) != 0 || clock_init() != 0)
		return -1;
	if (secret_init() != 0 || !mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/test.db", dir);
	char url[sizeof path + 8];
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct error e;
	error_clear(&e);
	struct db *db;
	bool loaded;
	int64_t offset;
	if (db_configure(url, &e) != 0 || !(db = db_thread(&e)) || db_migrate(db, &e) != 0 ||
	    demo_load(db, false, &loaded, &offset, &e) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	contribution_writer_stop();
	db_thread_close();
	char p[sizeof path + 8];
	static const char *const files[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", path, files[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* After each test, passed or not: the next one starts its own writer. */
static int stop_writer(void **state)
{
	(void)state;
	clock_release();
	contribution_writer_stop();
	return 0;
}

static void sql(const char *statement)
{
	sqlite3 *conn;
	assert_int_equal(sqlite3_open(path, &conn), SQLITE_OK);
	sqlite3_busy_timeout(conn, 10000);
	char *msg = NULL;
	int rc = sqlite3_exec(conn, statement, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", statement, msg ? msg : "?");
	sqlite3_close(conn);
}

static int64_t count(const char *query)
{
	sqlite3 *conn;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &conn), SQLITE_OK);
	/* the writer's connection may hold its lock a moment (its last close checkpoints the WAL): wait, as sql() */
	sqlite3_busy_timeout(conn, 10000);
	assert_int_equal(sqlite3_prepare_v2(conn, query, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return n;
}

static struct contribution_input input(const char *email, const char *text)
{
	return (struct contribution_input){.name = "Ada Lovelace",
	                                   .organization = "Analytical Engines Ltd",
	                                   .category = "academia",
	                                   .country = "CH",
	                                   .email = email,
	                                   .text = text,
	                                   .publication = "named",
	                                   .channel = CHANNEL_API,
	                                   .requester = "192.0.2.1"};
}

/* One sender on its own thread (and so its own connection), as the server's contributions' pool has. */
struct sender {
	struct contribution_input in;
	int rc;
	struct receipt receipt;
	struct error e;
	pthread_t thread;
};

static void *send_one(void *arg)
{
	struct sender *s = arg;
	struct arena a;
	arena_init(&a);
	error_clear(&s->e);
	struct db *db = db_thread(&s->e);
	s->rc = db ? contribution_receive(db, &a, 1, &s->in, &s->receipt, &s->e) : -1;
	db_thread_close();
	arena_free(&a);
	return NULL;
}

static int64_t call1_closes_at(void)
{
	struct error e;
	error_clear(&e);
	struct arena a;
	arena_init(&a);
	struct call c;
	assert_int_equal(call_find(db_thread(&e), &a, 1, &c, &e), 0);
	arena_free(&a);
	return c.closes_at;
}

/* Received in the call's last second, written after the deadline: accepted, and received_at is the instant it
 * was received. The same contribution received after the deadline is refused, nothing stored. */
static void test_deadline_is_judged_at_reception(void **state)
{
	(void)state;
	const int64_t closes = call1_closes_at();
	struct error e;
	error_clear(&e);
	assert_int_equal(contribution_writer_start(16, &e), 0);
	const int64_t before = count("SELECT count(*) FROM contribution");
	clock_hold(closes + 3600); /* the writer commits an hour after the deadline */
	struct sender s = {.in = input("late-but-received@example.org", "Received in the last second.")};
	s.in.received_at = closes;
	send_one(&s);
	assert_int_equal(s.rc, 0);
	assert_int_equal(s.receipt.received_at, closes);
	assert_false(s.receipt.late);
	char q[160];
	snprintf(q, sizeof q, "SELECT count(*) FROM contribution WHERE tracking = '%s' AND received_at = %lld",
	         s.receipt.tracking, (long long)closes);
	assert_int_equal(count(q), 1);

	struct sender t = {.in = input("after@example.org", "Received after the deadline.")};
	t.in.received_at = closes + 1;
	send_one(&t);
	assert_int_equal(t.rc, -1);
	assert_string_equal(t.e.code, ERROR_CALL_CLOSED);
	t.in.received_at = 0; /* none given: now, an hour late */
	send_one(&t);
	assert_int_equal(t.rc, -1);
	assert_string_equal(t.e.code, ERROR_CALL_CLOSED);
	clock_release();
	assert_int_equal(count("SELECT count(*) FROM contribution"), before + 1);
	contribution_writer_stop();
}

enum { SENDERS = 12 };

/* Twelve contributions in one batch, one of which fails after its contribution row is written (a trigger
 * refuses its receipt's outbox row): that one is undone entirely, the eleven others are stored, each with its
 * own tracking number and receipt. */
static void test_one_failure_fails_alone(void **state)
{
	(void)state;
	sql("DROP TRIGGER IF EXISTS refuse_one");
	sql("CREATE TRIGGER refuse_one BEFORE INSERT ON outbox WHEN NEW.recipient = 'refused@example.org' "
	    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
	setenv("CONSULTA_TEST_WRITER_DELAY_MS", "300", 1); /* they all arrive while the first batch waits */
	struct error e;
	error_clear(&e);
	assert_int_equal(contribution_writer_start(64, &e), 0);
	unsetenv("CONSULTA_TEST_WRITER_DELAY_MS");
	const int64_t before = count("SELECT count(*) FROM contribution");
	const int64_t mails = count("SELECT count(*) FROM outbox");
	static struct sender s[SENDERS];
	char emails[SENDERS][64];
	for (int i = 0; i < SENDERS; i++) {
		snprintf(emails[i], sizeof emails[i], i == 5 ? "refused@example.org" : "sender%d@example.org", i);
		s[i] = (struct sender){.in = input(emails[i], "One of a batch.")};
		assert_int_equal(pthread_create(&s[i].thread, NULL, send_one, &s[i]), 0);
	}
	for (int i = 0; i < SENDERS; i++)
		pthread_join(s[i].thread, NULL);
	for (int i = 0; i < SENDERS; i++) {
		if (i == 5) {
			assert_int_equal(s[i].rc, -1);
			continue;
		}
		assert_int_equal(s[i].rc, 0);
		for (int j = 0; j < i; j++)
			if (j != 5)
				assert_string_not_equal(s[i].receipt.tracking, s[j].receipt.tracking);
	}
	assert_int_equal(count("SELECT count(*) FROM contribution"), before + SENDERS - 1);
	assert_int_equal(count("SELECT count(*) FROM contribution WHERE email = 'refused@example.org'"), 0);
	assert_int_equal(count("SELECT count(*) FROM outbox"), mails + SENDERS - 1);
	contribution_writer_stop();
	sql("DROP TRIGGER refuse_one");
}

/* Copies of one contribution under one idempotency key (a client's retries, a form sent twice): queued together
 * into one batch, where the check before queueing found none of them stored, they are one row, and every copy
 * is answered with its tracking number (receipt.duplicate for the others). Then, without the writer, the same
 * key again is that receipt, and the key with another body is refused (ERROR_CONFLICT), nothing stored. */
static void test_one_key_is_one_row(void **state)
{
	(void)state;
	setenv("CONSULTA_TEST_WRITER_DELAY_MS", "300", 1); /* they all arrive while the first batch waits */
	struct error e;
	error_clear(&e);
	assert_int_equal(contribution_writer_start(64, &e), 0);
	unsetenv("CONSULTA_TEST_WRITER_DELAY_MS");
	struct arena a;
	arena_init(&a);
	const int64_t before = count("SELECT count(*) FROM contribution");
	static struct sender s[SENDERS];
	for (int i = 0; i < SENDERS; i++) {
		/* two keys: k2 six times (even i), k1 five times (odd i) and once (the last) with another body */
		s[i] = (struct sender){.in = input("copies@example.org", i == SENDERS - 1 ? "Another body." : "Sent six times.")};
		assert_int_equal(contribution_idempotency(&a, &s[i].in, "account:1", i % 2 ? "k1" : "k2"), 0);
		assert_int_equal(pthread_create(&s[i].thread, NULL, send_one, &s[i]), 0);
	}
	for (int i = 0; i < SENDERS; i++)
		pthread_join(s[i].thread, NULL);
	/* k2: every copy stored as the one first written, a duplicate of it for the others */
	int firsts = 0;
	for (int i = 0; i < SENDERS; i += 2) {
		assert_int_equal(s[i].rc, 0);
		assert_string_equal(s[i].receipt.tracking, s[0].receipt.tracking);
		firsts += !s[i].receipt.duplicate;
	}
	assert_int_equal(firsts, 1);
	/* k1: whichever body the writer wrote first wins (the order of a batch is the order of arrival); the copies
	 * of that body are answered with its receipt, the other body is refused */
	const struct sender *won = NULL;
	for (int i = 1; i < SENDERS; i += 2)
		if (s[i].rc == 0 && !s[i].receipt.duplicate) {
			assert_null(won);
			won = &s[i];
		}
	assert_non_null(won);
	for (int i = 1; i < SENDERS; i += 2) {
		if (!strcmp(s[i].in.text, won->in.text)) {
			assert_int_equal(s[i].rc, 0);
			assert_string_equal(s[i].receipt.tracking, won->receipt.tracking);
		} else {
			assert_int_equal(s[i].rc, -1);
			assert_string_equal(s[i].e.code, ERROR_CONFLICT);
		}
	}
	assert_int_equal(count("SELECT count(*) FROM contribution"), before + 2);
	contribution_writer_stop();

	struct sender again = {.in = input("copies@example.org", won->in.text)};
	assert_int_equal(contribution_idempotency(&a, &again.in, "account:1", "k1"), 0);
	send_one(&again);
	assert_int_equal(again.rc, 0);
	assert_true(again.receipt.duplicate);
	assert_string_equal(again.receipt.tracking, won->receipt.tracking);
	struct sender other = {.in = input("copies@example.org", "Sent, then changed.")};
	assert_int_equal(contribution_idempotency(&a, &other.in, "account:1", "k1"), 0);
	send_one(&other);
	assert_int_equal(other.rc, -1);
	assert_string_equal(other.e.code, ERROR_CONFLICT);
	/* the same key in another scope is another key */
	struct sender elsewhere = {.in = input("copies@example.org", "Sent six times.")};
	assert_int_equal(contribution_idempotency(&a, &elsewhere.in, "account:2", "k1"), 0);
	send_one(&elsewhere);
	assert_int_equal(elsewhere.rc, 0);
	assert_false(elsewhere.receipt.duplicate);
	assert_int_equal(count("SELECT count(*) FROM contribution"), before + 3);
	arena_free(&a);
}

/* A queue of one, held back: the first is being written, the second waits, the others are refused at once
 * with ERROR_UNAVAILABLE, and nothing of theirs is stored. */
static void test_full_queue_refuses_at_once(void **state)
{
	(void)state;
	setenv("CONSULTA_TEST_WRITER_DELAY_MS", "500", 1);
	struct error e;
	error_clear(&e);
	assert_int_equal(contribution_writer_start(1, &e), 0);
	unsetenv("CONSULTA_TEST_WRITER_DELAY_MS");
	const int64_t before = count("SELECT count(*) FROM contribution");
	static struct sender s[SENDERS];
	char emails[SENDERS][64];
	for (int i = 0; i < SENDERS; i++) {
		snprintf(emails[i], sizeof emails[i], "queued%d@example.org", i);
		s[i] = (struct sender){.in = input(emails[i], "One too many?")};
		assert_int_equal(pthread_create(&s[i].thread, NULL, send_one, &s[i]), 0);
	}
	int stored = 0, refused = 0;
	for (int i = 0; i < SENDERS; i++) {
		pthread_join(s[i].thread, NULL);
		if (s[i].rc == 0) {
			stored++;
		} else {
			assert_string_equal(s[i].e.code, ERROR_UNAVAILABLE);
			refused++;
		}
	}
	assert_true(refused >= 1);
	assert_true(stored >= 1);
	assert_int_equal(count("SELECT count(*) FROM contribution"), before + stored);
	contribution_writer_stop();
}

/* The body of the newest receipt mail to `to`, its tracking number replaced by T and its leaf's index by N: what a
 * contributor reads. */
static char *receipt_body(const char *to, const char *tracking)
{
	sqlite3 *conn;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &conn), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(conn,
	                                    "SELECT message FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, to, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const char *m = (const char *)sqlite3_column_text(st, 0);
	const char *body = strstr(m, "\r\n\r\n");
	assert_non_null(body);
	char *out = strdup(body);
	sqlite3_finalize(st);
	sqlite3_close(conn);
	assert_non_null(out);
	for (char *p = out; (p = strstr(p, tracking)); p += strlen(tracking))
		memset(p, 'T', strlen(tracking));
	/* Its leaf of the record is its own too (one leaf each, here 0 and 1: the same length). */
	for (char *p = out; (p = strstr(p, "leaf ")); p += 5)
		for (char *d = p + 5; *d >= '0' && *d <= '9'; d++)
			*d = 'N';
	return out;
}

/* The receipt mail of a contribution prepared on its requester's thread (composed from what will be inserted,
 * under the group commit) says word for word what the receipt of the same contribution stored alone says (read
 * back from the database after the insert). */
static void test_prepared_receipt_is_the_stored_ones(void **state)
{
	(void)state;
	struct sender alone = {.in = input("alone@example.org", "The same words, twice.")};
	alone.in.requester = "192.0.2.50";
	send_one(&alone); /* no writer: stored in its own transaction, the receipt read back */
	assert_int_equal(alone.rc, 0);
	struct error e;
	error_clear(&e);
	assert_int_equal(contribution_writer_start(16, &e), 0);
	struct sender grouped = {.in = input("grouped@example.org", "The same words, twice.")};
	grouped.in.requester = "192.0.2.51";
	send_one(&grouped);
	assert_int_equal(grouped.rc, 0);
	contribution_writer_stop();
	char *a = receipt_body("alone@example.org", alone.receipt.tracking);
	char *b = receipt_body("grouped@example.org", grouped.receipt.tracking);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* A waiter without a thread (contribution_wait): its wake is called once, from the writer. */
struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int wakes;
};

static void wake(void *ctx)
{
	struct waiter *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->wakes++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->lock);
}

/* Queued without waiting (CONTRIBUTION_QUEUED once checked), while another connection holds the write lock and
 * changes the call: the writer judges it against the call as it is when it writes. A call that now reviews
 * before publishing keeps it pending; a deadline moved before its reception refuses it, nothing stored. */
static void test_the_call_as_it_is_when_written(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	assert_int_equal(contribution_writer_start(16, &e), 0);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	const int64_t received = clock_now(), closes = call1_closes_at();
	assert_int_equal(count("SELECT count(*) FROM call WHERE id = 1 AND review = 'on_receipt'"), 1);
	for (int kase = 0; kase < 2; kase++) {
		struct waiter w = {.lock = PTHREAD_MUTEX_INITIALIZER};
		pthread_cond_init(&w.cv, NULL);
		struct contribution_wait cw = {.wake = wake, .ctx = &w};
		struct contribution_input in = input(kase ? "moved@example.org" : "reviewed@example.org", "Queued.");
		in.requester = "192.0.2.52";
		in.received_at = received;
		in.wait = &cw;
		struct receipt r;
		struct error re;
		error_clear(&re);
		struct arena a;
		arena_init(&a);
		sqlite3 *conn;
		assert_int_equal(sqlite3_open(path, &conn), SQLITE_OK);
		/* the writer's campaign pass may hold the write lock a moment when idle: wait for it, not fail */
		sqlite3_busy_timeout(conn, 10000);
		assert_int_equal(sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(contribution_receive(db, &a, 1, &in, &r, &re), CONTRIBUTION_QUEUED);
		char change[128];
		if (kase == 0)
			snprintf(change, sizeof change, "UPDATE call SET review = 'after_review' WHERE id = 1");
		else
			snprintf(change, sizeof change, "UPDATE call SET closes_at = %lld WHERE id = 1",
			         (long long)received - 1);
		assert_int_equal(sqlite3_exec(conn, change, NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		pthread_mutex_lock(&w.lock);
		while (!w.wakes)
			pthread_cond_wait(&w.cv, &w.lock);
		pthread_mutex_unlock(&w.lock);
		assert_int_equal(w.wakes, 1);
		if (kase == 0) {
			assert_int_equal(contribution_received(&in, &r, cw.rc), 0);
			char q[160];
			snprintf(q, sizeof q,
			         "SELECT count(*) FROM contribution WHERE tracking = '%s' AND state = 'pending'",
			         r.tracking);
			assert_int_equal(count(q), 1);
		} else {
			assert_int_equal(contribution_received(&in, &r, cw.rc), -1);
			assert_string_equal(re.code, ERROR_CALL_CLOSED);
			assert_int_equal(count("SELECT count(*) FROM contribution WHERE email = 'moved@example.org'"),
			                 0);
		}
		sqlite3_close(conn);
		arena_free(&a);
		pthread_cond_destroy(&w.cv);
	}
	contribution_writer_stop();
	char restore[128];
	snprintf(restore, sizeof restore, "UPDATE call SET review = 'on_receipt', closes_at = %lld WHERE id = 1",
	         (long long)closes);
	sql(restore);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_deadline_is_judged_at_reception, stop_writer),
	    cmocka_unit_test_teardown(test_one_failure_fails_alone, stop_writer),
	    cmocka_unit_test_teardown(test_one_key_is_one_row, stop_writer),
	    cmocka_unit_test_teardown(test_full_queue_refuses_at_once, stop_writer),
	    cmocka_unit_test_teardown(test_prepared_receipt_is_the_stored_ones, stop_writer),
	    cmocka_unit_test_teardown(test_the_call_as_it_is_when_written, stop_writer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
