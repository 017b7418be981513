/* Meetings in the core (core/meeting.c) on the demo's process: the waiting list keeps its order through
 * cancellations anywhere in it and gives freed places in turn; a second registration changes nothing; the
 * reminders are queued once each per start (the sent-mark in the same transaction), again after a move; an
 * invitation carries the meeting's UID and SEQUENCE. */
#include "core/account.h"
#include "core/meeting.h"
#include "util/clock.h"
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
static struct account people[5];
static const struct actor OFFICE = {0, "office@example.org"};

/* 2021-02-01T10:00:00Z: the demo's clock in these tests. */
enum { NOW = 1612173600 };

static int setup(void **state)
{
	(void)state;
	if (unit_db_open("2021-02-01T10:00:00Z", UNIT_DEMO, &db) != 0)
		return -1;
	arena_init(&a);
	for (int i = 0; i < 5; i++) {
		struct error e;
		error_clear(&e);
		const struct account_input in = {.email = arena_printf(&a, "p%d@example.org", i),
		                                 .name = arena_printf(&a, "Person %d", i),
		                                 .category = i % 2 ? "academia" : "member-states",
		                                 .password = "a long passphrase for the tests",
		                                 .role = ACCOUNT_STAKEHOLDER};
		const char *link;
		if (account_create(db, &a, &in, &people[i], &link, &e) != 0) {
			fprintf(stderr, "account_create: %s\n", e.message);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&a);
	unit_db_remove();
	return 0;
}

static int64_t new_meeting(const char *date, const char *starts, int capacity)
{
	struct error e;
	error_clear(&e);
	const struct meeting_input in = {.date = date,
	                                 .title = "Unit meeting",
	                                 .starts = starts,
	                                 .ends = "23:00",
	                                 .capacity = capacity,
	                                 .join_url = "https://meet.example/unit"};
	int64_t id;
	assert_int_equal(meeting_create(db, &a, &OFFICE, "gca-guidelines", &in, &id, &e), 0);
	return id;
}

static struct meeting_registration reg(int64_t id, int who, bool waiting_ok)
{
	struct error e;
	error_clear(&e);
	struct meeting_registration out;
	assert_int_equal(meeting_register(db, &a, id, &people[who], waiting_ok, NOW, &out, &e), 0);
	return out;
}

static struct meeting_registration state_of(int64_t id, int who)
{
	struct error e;
	error_clear(&e);
	struct meeting_registration out;
	assert_int_equal(meeting_registration_of(db, id, people[who].id, &out, &e), 0);
	return out;
}

static void unreg(int64_t id, int who)
{
	struct error e;
	error_clear(&e);
	struct meeting_registration out;
	assert_int_equal(meeting_unregister(db, &a, id, &people[who], NOW, &out, &e), 0);
	assert_false(out.unchanged);
}

static int64_t outbox_count(const char *subject_like)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, "SELECT count(*) FROM outbox WHERE message LIKE ?", &e);
	assert_non_null(st);
	db_bind_text(st, 1, subject_like);
	assert_int_equal(db_step(st, &e), DB_ROW);
	const int64_t n = db_col_int(st, 0);
	db_reset(st);
	return n;
}

static void test_the_waiting_list_keeps_its_order(void **state)
{
	(void)state;
	const int64_t id = new_meeting("2021-02-10", "14:00", 2);
	assert_int_equal(reg(id, 0, false).state, REGISTRATION_REGISTERED);
	assert_int_equal(reg(id, 1, false).state, REGISTRATION_REGISTERED);
	struct error e;
	error_clear(&e);
	struct meeting_registration out;
	assert_int_equal(meeting_register(db, &a, id, &people[2], false, NOW, &out, &e), -1);
	assert_string_equal(e.code, ERROR_CONFLICT);
	assert_int_equal(out.refusal, MEETING_REFUSED_FULL);
	assert_int_equal(reg(id, 2, true).position, 1);
	assert_int_equal(reg(id, 3, true).position, 2);
	assert_int_equal(reg(id, 4, true).position, 3);
	out = reg(id, 3, true); /* again: unchanged, still second */
	assert_true(out.unchanged);
	assert_int_equal(out.position, 2);
	unreg(id, 3); /* the middle one leaves the list: the last moves up */
	assert_int_equal(state_of(id, 4).position, 2);
	unreg(id, 1); /* a place frees: the first waiting gets it */
	assert_int_equal(state_of(id, 2).state, REGISTRATION_REGISTERED);
	assert_int_equal(state_of(id, 4).position, 1);
	unreg(id, 0);
	assert_int_equal(state_of(id, 4).state, REGISTRATION_REGISTERED);
	/* back again: both places are held (2 and 4), so at the end of the list */
	assert_int_equal(reg(id, 0, true).position, 1);
	struct meeting m;
	assert_int_equal(meeting_find(db, &a, id, &m, &e), 0);
	assert_int_equal(m.registered, 2);
	assert_int_equal(m.waiting, 1);
}

static void test_reminders_once_each_and_again_after_a_move(void **state)
{
	(void)state;
	/* 2 February 2021, 11:00 in Zurich: 10:00 UTC, a day after NOW */
	const int64_t id = new_meeting("2021-02-02", "11:00", 0);
	reg(id, 0, false);
	reg(id, 1, false);
	const int64_t start = NOW + 86400;
	struct error e;
	error_clear(&e);
	int sent;
	assert_int_equal(meeting_reminders(db, &a, start - 25 * 3600, &sent, &e), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(meeting_reminders(db, &a, start - 23 * 3600, &sent, &e), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(meeting_reminders(db, &a, start - 22 * 3600, &sent, &e), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(outbox_count("%Subject: Tomorrow: Unit meeting%"), 2); /* one each */
	assert_int_equal(meeting_reminders(db, &a, start - 1800, &sent, &e), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(meeting_reminders(db, &a, start - 60, &sent, &e), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(outbox_count("%Subject: In an hour: Unit meeting%"), 2);
	assert_int_equal(meeting_reminders(db, &a, start + 60, &sent, &e), 0); /* started: nothing */
	assert_int_equal(sent, 0);

	/* moved a day on: a new start, reminded again */
	struct meeting m;
	assert_int_equal(meeting_find(db, &a, id, &m, &e), 0);
	const struct meeting_input in = {.date = "2021-02-03",
	                                 .title = m.title,
	                                 .starts = m.starts,
	                                 .ends = m.ends,
	                                 .join_url = m.join_url,
	                                 .format = m.format};
	assert_int_equal(meeting_update(db, &a, &OFFICE, id, &in, &e), 0);
	assert_int_equal(meeting_reminders(db, &a, start + 86400 - 1800, &sent, &e), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(outbox_count("%Subject: In an hour: Unit meeting%"), 4);
}

static void test_the_invitation_names_the_meeting_and_its_sequence(void **state)
{
	(void)state;
	const int64_t id = new_meeting("2021-02-12", "09:00", 0);
	struct error e;
	error_clear(&e);
	struct meeting m;
	assert_int_equal(meeting_find(db, &a, id, &m, &e), 0);
	m.sequence = 3;
	const char *ics = meeting_invitation(&a, &m, "Europe/Zurich", false, "p0@example.org", "Person 0", &e);
	assert_non_null(ics);
	char uid[64];
	snprintf(uid, sizeof uid, "UID:meeting-%lld@", (long long)id);
	assert_non_null(strstr(ics, uid));
	assert_non_null(strstr(ics, "METHOD:REQUEST"));
	assert_non_null(strstr(ics, "SEQUENCE:3"));
	assert_non_null(strstr(ics, "DTSTART;TZID=Europe/Zurich:20210212T090000"));
	assert_non_null(strstr(ics, "https://meet.example/unit")); /* the participant's own */
	ics = meeting_invitation(&a, &m, "Europe/Zurich", true, "p0@example.org", "Person 0", &e);
	assert_non_null(strstr(ics, "METHOD:CANCEL"));
	assert_null(strstr(ics, "https://meet.example/unit")); /* a cancellation carries no details */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_the_waiting_list_keeps_its_order),
	    cmocka_unit_test(test_reminders_once_each_and_again_after_a_move),
	    cmocka_unit_test(test_the_invitation_names_the_meeting_and_its_sequence),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
