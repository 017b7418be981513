/* Mass campaigns: the normalisation (greeting and signature set aside, case, spacing, punctuation, scripts
 * beyond ASCII), the fingerprints (exact duplicates equal, near ones alike, unrelated ones not, CJK text
 * compared by characters), and the assignment on arrival in a real database. */
#include "core/call.h"
#include "core/campaign.h"
#include "core/contribution.h"
#include "core/demo.h"
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
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BODY                                                                                                           \
	"The open internet is how small firms reach their customers, how students learn and how citizens "             \
	"speak. Rules that let carriers block or throttle lawful content, or sell a fast lane to whoever pays, "       \
	"would hand the gatekeepers of the network a veto over new ideas. I ask the Commission to keep strong "        \
	"net neutrality rules based on Title II, to keep the ban on paid prioritisation, and to keep the "             \
	"transparency rules that tell people what they are buying. Please do not undo the protections that "           \
	"millions of people asked for in 2015."
/* the same with two words swapped for synonyms, as a campaign's variants do */
#define BODY_SWAPPED                                                                                                   \
	"The open internet is how small businesses reach their customers, how students learn and how citizens "        \
	"speak. Rules that let carriers block or slow lawful content, or sell a fast lane to whoever pays, "           \
	"would hand the gatekeepers of the network a veto over new ideas. I ask the Commission to keep strong "        \
	"net neutrality rules based on Title II, to keep the ban on paid prioritisation, and to keep the "             \
	"transparency rules that tell people what they are buying. Please do not undo the protections that "           \
	"millions of people asked for in 2015."
#define UNRELATED                                                                                                      \
	"Our cooperative runs three wind turbines on the ridge above the village. We support the draft's "             \
	"section on community energy, but the grid connection fee in annex B is set for large operators and "          \
	"would make small projects impossible; a fee scaled to capacity would fix this."

static void test_greeting_and_signature_are_set_aside(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *plain = campaign_normalize(&a, "Keep the rules.  PLEASE keep them!");
	assert_string_equal(plain, "keep the rules please keep them");
	const char *letters[] = {
	    "Dear Commissioner Okafor,\n\nKeep the rules. Please keep them!\n\nSincerely,\nJane Doe",
	    "Hello Chairman Pai:\nKeep the rules. Please keep them!\nBest regards,\nJohn Roe\nSpringfield, 62704",
	    "Dear Sir or Madam, keep the rules. Please keep them! Sincerely, Ann Smith",
	    "To the Commission,\n\nKeep the rules -- please keep them!\n\nRespectfully,\nDr. A. B. Jones",
	    "Keep the rules. Please keep them!\n\nMimi Sadadaru",
	    "Keep the rules. Please keep them!\nThank you,\nMimi Sadadaru",
	};
	for (size_t i = 0; i < sizeof letters / sizeof *letters; i++)
		assert_string_equal(campaign_normalize(&a, letters[i]), plain);
	/* a one-line text keeps its last words, and a body is never emptied */
	assert_string_equal(campaign_normalize(&a, "Sincerely yours"), "sincerely yours");
	assert_string_equal(campaign_normalize(&a, "Dear Sir,"), "dear sir");
	assert_string_equal(campaign_normalize(&a, ""), "");
	assert_string_equal(campaign_normalize(&a, " \n ?! ... "), "");
	arena_free(&a);
}

static void test_case_and_scripts_beyond_ascii(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* Latin-1, Latin Extended-A, Greek, Cyrillic and full-width forms fold; punctuation of every script parts
	 * words */
	assert_string_equal(
	    campaign_normalize(&a, "\xc3\x89T\xc3\x89 \xc5\x81\xc3\x93"
	                           "D\xc5\xb9 \xce\x91\xce\x92\xce\x93 "
	                           "\xd0\x94\xd0\x9e\xd0\x9c\xe2\x80\x94\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3"),
	    "\xc3\xa9t\xc3\xa9 \xc5\x82\xc3\xb3\x64\xc5\xba \xce\xb1\xce\xb2\xce\xb3 \xd0\xb4\xd0\xbe\xd0\xbc abc");
	/* each Han character is a word of its own: text without spaces is compared by characters */
	assert_string_equal(campaign_normalize(&a, "\xe7\xb6\xb2\xe8\xb7\xaf\xe4\xb8\xad\xe7\xab\x8b\xe3\x80\x82"),
	                    "\xe7\xb6\xb2 \xe8\xb7\xaf \xe4\xb8\xad \xe7\xab\x8b");
	/* invisible characters join, they do not part */
	assert_string_equal(campaign_normalize(&a, "net\xc2\xad"
	                                           "neutral\xe2\x80\x8bity"),
	                    "netneutrality");
	arena_free(&a);
}

static void test_exact_near_and_unrelated(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct campaign_shape x, same, near, other;
	assert_int_equal(campaign_shape_of(&a, "Dear Commissioner Okafor,\n\n" BODY "\n\nSincerely,\nJane Doe", &x), 0);
	assert_int_equal(campaign_shape_of(&a, "To whom it may concern:\n" BODY "\nBest regards,\nJohn Roe", &same), 0);
	assert_int_equal(campaign_shape_of(&a, "Hello Chairman Pai,\n" BODY_SWAPPED "\nThank you,\nAnn", &near), 0);
	assert_int_equal(campaign_shape_of(&a, UNRELATED, &other), 0);
	assert_true(x.words > 50);
	assert_true(x.exact == same.exact && x.exact >= 0);
	assert_memory_equal(x.minhash, same.minhash, sizeof x.minhash);
	assert_true(campaign_similarity(&x, &same) == 1.0);
	assert_true(x.exact != near.exact);
	assert_true(campaign_similarity(&x, &near) >= CAMPAIGN_JOIN);
	assert_true(campaign_similarity(&x, &other) < 0.2);
	arena_free(&a);
}

static void test_cjk_text_clusters_by_characters(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* the same Chinese letter, one with a character changed and a name signed; and another letter */
	static const char zh[] = "\xe6\x88\x91\xe5\x80\x91\xe6\x94\xaf\xe6\x8c\x81\xe7\xb6\xb2\xe8\xb7\xaf\xe4\xb8\xad"
	                         "\xe7\xab\x8b\xe6\x80\xa7\xe5\x8e\x9f\xe5\x89\x87\xef\xbc\x8c\xe8\xab\x8b\xe5\xa7\x94"
	                         "\xe5\x93\xa1\xe6\x9c\x83\xe4\xbf\x9d\xe7\x95\x99\xe7\x8f\xbe\xe6\x9c\x89\xe7\x9a\x84"
	                         "\xe8\xa6\x8f\xe5\x89\x87\xef\xbc\x8c\xe4\xb8\x8d\xe8\xa6\x81\xe8\xae\x93\xe9\x9b\xbb"
	                         "\xe4\xbf\xa1\xe5\x85\xac\xe5\x8f\xb8\xe5\xb0\x81\xe9\x8e\x96\xe6\x88\x96\xe6\x94\xb6"
	                         "\xe8\xb2\xbb\xe5\x84\xaa\xe5\x85\x88\xe5\x82\xb3\xe8\xbc\xb8\xe3\x80\x82";
	static const char zh_near[] =
	    "\xe6\x88\x91\xe5\x80\x91\xe6\x94\xaf\xe6\x8c\x81\xe7\xb6\xb2\xe8\xb7\xaf\xe4\xb8\xad"
	    "\xe7\xab\x8b\xe6\x80\xa7\xe5\x8e\x9f\xe5\x89\x87\xef\xbc\x8c\xe8\xab\x8b\xe5\xa7\x94"
	    "\xe5\x93\xa1\xe6\x9c\x83\xe4\xbf\x9d\xe7\x95\x99\xe7\x8f\xbe\xe6\x9c\x89\xe7\x9a\x84"
	    "\xe8\xa6\x8f\xe5\x89\x87\xef\xbc\x8c\xe4\xb8\x8d\xe8\xa6\x81\xe8\xae\x93\xe9\x9b\xbb"
	    "\xe4\xbf\xa1\xe5\x85\xac\xe5\x8f\xb8\xe9\x98\xbb\xe6\x93\x8b\xe6\x88\x96\xe6\x94\xb6"
	    "\xe8\xb2\xbb\xe5\x84\xaa\xe5\x85\x88\xe5\x82\xb3\xe8\xbc\xb8\xe3\x80\x82\n\xe7\x8e\x8b"
	    "\xe5\xb0\x8f\xe6\x98\x8e";
	static const char zh_other[] =
	    "\xe6\x9c\xac\xe6\x9d\x91\xe7\x9a\x84\xe9\xa2\xa8\xe5\x8a\x9b\xe7\x99\xbc\xe9\x9b\xbb"
	    "\xe5\x90\x88\xe4\xbd\x9c\xe7\xa4\xbe\xe5\xb8\x8c\xe6\x9c\x9b\xe9\x99\x8d\xe4\xbd\x8e"
	    "\xe4\xb8\xa6\xe7\xb6\xb2\xe8\xb2\xbb\xe7\x94\xa8\xef\xbc\x8c\xe4\xbb\xa5\xe4\xbe\xbf"
	    "\xe5\xb0\x8f\xe5\x9e\x8b\xe9\xa0\x85\xe7\x9b\xae\xe4\xb9\x9f\xe8\x83\xbd\xe5\x8f\x83"
	    "\xe8\x88\x87\xe3\x80\x82";
	struct campaign_shape x, near, other;
	assert_int_equal(campaign_shape_of(&a, zh, &x), 0);
	assert_int_equal(campaign_shape_of(&a, zh_near, &near), 0);
	assert_int_equal(campaign_shape_of(&a, zh_other, &other), 0);
	assert_true(x.words > 30);
	assert_true(campaign_similarity(&x, &near) >= CAMPAIGN_JOIN);
	assert_true(campaign_similarity(&x, &other) < 0.2);
	/* text cut in the middle of a character, or only punctuation, does not crash and has no word */
	struct campaign_shape none;
	assert_int_equal(campaign_shape_of(&a, "\xe3\x80\x82\xef\xbc\x81", &none), 0);
	assert_int_equal(none.words, 0);
	assert_int_equal(campaign_shape_of(&a, "\xe6\x88", &none), 0);
	/* a stray continuation byte is not the end of the text */
	assert_string_equal(campaign_normalize(&a, "one\x80 two"), "one\xef\xbf\xbd two");
	arena_free(&a);
}

/* -- in a database ------------------------------------------------------------ */

static char db_dir[] = "/tmp/consulta-test-campaign-XXXXXX";
static int64_t open_call;

static int setup(void **state)
{
	(void)state;
	setenv("CONSULTA_NOW", "2026-03-10T12:00:00Z", 1);
	if (sodium_init() < 0 || secret_init() != 0 || clock_init() != 0 || !mkdtemp(db_dir))
		return -1;
	char url[128];
	snprintf(url, sizeof url, "sqlite:%s/test.db", db_dir);
	struct error e;
	error_clear(&e);
	struct db *db;
	bool loaded;
	int64_t offset;
	if (db_configure(url, &e) != 0 || !(db = db_thread(&e)) || db_migrate(db, &e) != 0 ||
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
	for (int i = 0; i < n && !open_call; i++)
		if (call_state_at(&calls[i], clock_now()) == CALL_OPEN)
			open_call = calls[i].id;
	arena_free(&a);
	return open_call ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	db_thread_close();
	char path[160];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/test.db%s", db_dir, suffix[i]);
		unlink(path);
	}
	rmdir(db_dir);
	return 0;
}

static char last_tracking[TRACKING_LEN + 1];

/* Sends text to the open call; its contribution's campaign (0: none). Its tracking number: last_tracking. */
static int64_t send(struct db *db, struct arena *a, const char *text)
{
	struct contribution_input in = {.name = "Ada Lovelace",
	                                .category = "academia",
	                                .country = "CH",
	                                .email = "ada@example.org",
	                                .text = text,
	                                .publication = "named",
	                                .channel = CHANNEL_API};
	struct receipt r;
	struct error e;
	error_clear(&e);
	assert_int_equal(contribution_receive(db, a, open_call, &in, &r, &e), 0);
	static const char sql[] = "SELECT campaign_id FROM contribution WHERE tracking = ?";
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	db_bind_text(st, 1, r.tracking);
	memcpy(last_tracking, r.tracking, sizeof last_tracking);
	assert_int_equal(db_step(st, &e), DB_ROW);
	int64_t c = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
	db_reset(st);
	return c;
}

static void test_assigned_on_arrival_and_rebuilt_alike(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct arena a;
	arena_init(&a);
	assert_int_equal(send(db, &a, "Dear Commissioner Okafor,\n\n" BODY "\n\nSincerely,\nJane Doe"), 0);
	const int64_t unrelated_before = send(db, &a, UNRELATED);
	assert_int_equal(unrelated_before, 0);
	/* an exact duplicate (another greeting and signature) makes the campaign of the two */
	const int64_t c = send(db, &a, "To the Commission,\n" BODY "\nBest regards,\nJohn Roe");
	assert_true(c > 0);
	/* a variant with synonyms joins it; an unrelated text does not */
	assert_int_equal(send(db, &a, "Hello Chairman Pai,\n" BODY_SWAPPED "\nThank you,\nAnn"), c);
	assert_int_equal(send(db, &a,
	                      "A different matter entirely: the consultation's annex on data retention "
	                      "should say how long the logs are kept, and who may read them."),
	                 0);
	struct campaign *list;
	int n;
	int64_t total;
	assert_int_equal(campaign_list(db, &a, open_call, 0, 10, &list, &n, &total, &e), 0);
	assert_int_equal(total, 1);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, c);
	assert_int_equal(list[0].members, 3);
	assert_int_equal(list[0].received, 3);
	assert_non_null(strstr(list[0].text, "Jane Doe")); /* the first one's text, as it was sent */
	struct contribution *items;
	int64_t hidden;
	struct contribution_filter none = {.campaign = CONTRIBUTION_NO_CAMPAIGN}, members = {.campaign = c};
	assert_int_equal(contribution_list_public(db, &a, open_call, &none, 0, 10, &items, &n, &total, &hidden, &e), 0);
	assert_int_equal(total, 2);
	assert_int_equal(contribution_list_public(db, &a, open_call, &members, 0, 10, &items, &n, &total, &hidden, &e),
	                 0);
	assert_int_equal(total, 3);
	/* the pass over stored contributions finds the same grouping */
	int64_t assigned = 0;
	assert_int_equal(campaign_rebuild(db, open_call, false, &assigned, &e), 0);
	assert_int_equal(assigned, 3);
	assert_int_equal(campaign_list(db, &a, open_call, 0, 10, &list, &n, &total, &e), 0);
	assert_int_equal(total, 1);
	assert_int_equal(list[0].members, 3);
	arena_free(&a);
}

/* The group commit's pass after the commit (campaign_pass) over contributions stored without an assignment
 * groups them as assigning on arrival did; a second pass, and a pass after a restart, change nothing (each
 * contribution is counted once); and campaign_ungrouped() says how many are still to look at. Runs on what
 * test_assigned_on_arrival_and_rebuilt_alike stored. */
static void test_the_pass_after_the_commit_groups_alike(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct arena a;
	arena_init(&a);
	static const char *const forget[] = {
	    "UPDATE contribution SET campaign_id = NULL WHERE call_id = ?",
	    "DELETE FROM campaign_band WHERE call_id = ?",
	    "DELETE FROM campaign_shape WHERE call_id = ?",
	    "DELETE FROM campaign WHERE call_id = ?",
	};
	for (size_t k = 0; k < sizeof forget / sizeof *forget; k++) {
		struct db_stmt *st = db_stmt(db, forget[k], &e);
		assert_non_null(st);
		db_bind_int(st, 1, open_call);
		assert_int_equal(db_exec_stmt(st, &e), 0);
	}
	struct campaign *list;
	int n;
	int64_t total, ungrouped, after = -1;
	assert_int_equal(campaign_ungrouped(db, open_call, campaign_pass_mark(), &ungrouped, &e), 0);
	assert_int_equal(ungrouped, 0);           /* no pass runs: assigned on arrival */
	for (int round = 0; round < 2; round++) { /* the second: from the start, as a restart may look again */
		assert_int_equal(campaign_pass_start(db, &after, &e), 0);
		if (round == 1)
			after = 0;
		if (round == 0) {
			assert_int_equal(campaign_ungrouped(db, open_call, campaign_pass_mark(), &ungrouped, &e), 0);
			assert_true(ungrouped >= 5);
		}
		bool more = true;
		for (int steps = 0; more; steps++) { /* two at a time: the pass goes on where it stopped */
			assert_true(steps < 1000);
			assert_int_equal(campaign_pass(db, &after, 2, &more, &e), 0);
		}
		assert_int_equal(campaign_ungrouped(db, open_call, campaign_pass_mark(), &ungrouped, &e), 0);
		assert_int_equal(ungrouped, 0);
		assert_int_equal(campaign_list(db, &a, open_call, 0, 10, &list, &n, &total, &e), 0);
		assert_int_equal(total, 1);
		assert_int_equal(list[0].members, 3);
		assert_int_equal(list[0].received, 3);
		assert_non_null(strstr(list[0].text, "Jane Doe")); /* the first one is its representative again */
	}
	campaign_pass_stop();
	arena_free(&a);
}

/* 60 distinct words; those at the positions of swaps[0..n) replaced by others. */
static const char *words_with(struct arena *a, const int *swaps, int n)
{
	const char *out = "";
	for (int i = 0; i < 60; i++) {
		bool swapped = false;
		for (int k = 0; k < n; k++)
			swapped = swapped || swaps[k] == i;
		out = arena_printf(a, "%s%s%s%d", out, i ? " " : "", swapped ? "other" : "word", i);
	}
	return out;
}

/* Two campaigns that began apart (their texts under CAMPAIGN_JOIN alike) become one when a text alike to
 * both arrives: the smaller moves into the larger, and the counts add up. */
static void test_a_text_between_two_campaigns_joins_them(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct arena a;
	arena_init(&a);
	static const int far[] = {6, 13, 20, 27, 34, 41, 48, 55}, between[] = {6, 20, 34, 48};
	const char *x = words_with(&a, NULL, 0), *y = words_with(&a, far, 8), *z = words_with(&a, between, 4);
	struct campaign_shape sx, sy, sz;
	assert_int_equal(campaign_shape_of(&a, x, &sx), 0);
	assert_int_equal(campaign_shape_of(&a, y, &sy), 0);
	assert_int_equal(campaign_shape_of(&a, z, &sz), 0);
	assert_true(campaign_similarity(&sx, &sy) < CAMPAIGN_JOIN);
	assert_true(campaign_similarity(&sx, &sz) >= CAMPAIGN_JOIN);
	assert_true(campaign_similarity(&sy, &sz) >= CAMPAIGN_JOIN);
	assert_int_equal(send(db, &a, x), 0);
	const int64_t cx = send(db, &a, x);
	assert_int_equal(send(db, &a, y), 0);
	const int64_t cy = send(db, &a, y);
	assert_true(cx > 0 && cy > 0 && cx != cy);
	const int64_t cz = send(db, &a, z);
	assert_true(cz == cx || cz == cy);
	static const char sql[] =
	    "SELECT count(*), count(DISTINCT campaign_id) FROM contribution WHERE campaign_id = ? "
	    "OR campaign_id = ?";
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	db_bind_int(st, 1, cx);
	db_bind_int(st, 2, cy);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 5);
	assert_int_equal(db_col_int(st, 1), 1);
	db_reset(st);
	static const char sql_count[] = "SELECT members FROM campaign WHERE id = ?";
	assert_non_null(st = db_stmt(db, sql_count, &e));
	db_bind_int(st, 1, cz);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 5);
	db_reset(st);
	arena_free(&a);
}

/* The count the public sees follows moderation: spam leaves it, publishing again comes back, and a campaign
 * with no member the public sees is not listed (its members keep it). */
static void test_moderation_keeps_the_public_count(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct arena a;
	arena_init(&a);
	static const char body[] = "Please fund the public library in the valley for five more years, because the "
	                           "children of the three villages have no other place to read, study and meet after "
	                           "school, and the draft budget leaves it out entirely.";
	char first[TRACKING_LEN + 1], second[TRACKING_LEN + 1];
	assert_int_equal(send(db, &a, body), 0);
	memcpy(first, last_tracking, sizeof first);
	const int64_t c = send(db, &a, body);
	memcpy(second, last_tracking, sizeof second);
	assert_true(c > 0);
	struct campaign k;
	assert_int_equal(campaign_find(db, &a, c, &k, &e), 0);
	assert_int_equal(k.members, 2);
	assert_string_equal(k.representative, first);
	assert_int_equal(contribution_moderate(db, &a, &ACTOR_SYSTEM, first, "spam", NULL, NULL, &e), 0);
	assert_int_equal(campaign_find(db, &a, c, &k, &e), 0);
	assert_int_equal(k.members, 1);
	assert_int_equal(k.received, 2);
	assert_string_equal(k.representative, second); /* the first the public sees */
	assert_int_equal(contribution_moderate(db, &a, &ACTOR_SYSTEM, second, "hide", "Off topic.", NULL, &e), 0);
	assert_int_equal(campaign_find(db, &a, c, &k, &e), -1);
	assert_string_equal(e.code, ERROR_NOT_FOUND);
	error_clear(&e);
	assert_int_equal(contribution_moderate(db, &a, &ACTOR_SYSTEM, first, "publish", NULL, NULL, &e), 0);
	assert_int_equal(campaign_find(db, &a, c, &k, &e), 0);
	assert_int_equal(k.members, 1);
	assert_string_equal(k.representative, first);
	arena_free(&a);
}

/* -- a rebuild stopped half-way --------------------------------------------- */

enum { BULK = 16000 }; /* three of the rebuild's transactions and part of a fourth */

/* Contribution i of a bulk load: one of three letters (one word of 60 swapped for a synonym, a greeting and a
 * signature of its own), or, one in twenty, a text of its own (so that a batch of the rebuild ends with
 * copies of a letter after its last signature). */
static const char *bulk_text(struct arena *a, int i)
{
	const char *body = "";
	const int letter = i % 3, swapped = (i / 3) % 60;
	for (int k = 0; k < 60; k++) {
		if (i % 20 == 0)
			body = arena_printf(a, "%s%su%dw%d", body, k ? " " : "", i, k);
		else
			body = arena_printf(a, "%s%st%d%s%d", body, k ? " " : "", letter, k == swapped ? "s" : "w", k);
	}
	return arena_printf(a, "Dear Commissioner Name%d,\n\n%s.\n\nSincerely,\nSender %d", i, body, i);
}

/* Rows as a bulk load writes them: no campaign on arrival. */
static void bulk_insert(struct db *db, int64_t call_id)
{
	static const char sql[] =
	    "INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, email, "
	    "text, publication, received_at) VALUES (?, ?, 'api', ?, '', (SELECT k.id FROM category k JOIN call c ON "
	    "c.process_id = k.process_id WHERE c.id = ? ORDER BY k.position LIMIT 1), 'CH', 'bulk@example.org', ?, "
	    "'named', ?)";
	struct error e;
	error_clear(&e);
	assert_int_equal(db_begin(db, &e), 0);
	for (int i = 0; i < BULK; i++) {
		struct arena a;
		arena_init(&a);
		struct db_stmt *st = db_stmt(db, sql, &e);
		assert_non_null(st);
		db_bind_text(st, 1, arena_printf(&a, "BULK-%05d", i));
		db_bind_int(st, 2, call_id);
		db_bind_text(st, 3, arena_printf(&a, "Sender %d", i));
		db_bind_int(st, 4, call_id);
		db_bind_text(st, 5, bulk_text(&a, i));
		db_bind_int(st, 6, 1770000000 + i);
		assert_int_equal(db_exec_stmt(st, &e), 0);
		arena_free(&a);
	}
	assert_int_equal(db_commit(db, &e), 0);
}

/* Each contribution of call_id with the representative of its campaign (0: none), in order of id. */
static int64_t *grouping(struct db *db, struct arena *a, int64_t call_id)
{
	static const char sql[] = "SELECT coalesce(k.representative_id, 0) FROM contribution c LEFT JOIN campaign k "
	                          "ON k.id = c.campaign_id WHERE c.call_id = ? ORDER BY c.id";
	struct error e;
	error_clear(&e);
	int64_t *out = arena_alloc(a, sizeof *out * BULK);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	db_bind_int(st, 1, call_id);
	int n = 0;
	while (db_step(st, &e) == DB_ROW) {
		assert_true(n < BULK);
		out[n++] = db_col_int(st, 0);
	}
	assert_int_equal(n, BULK);
	return out;
}

static int64_t signatures(struct db *db, int64_t call_id)
{
	struct error e;
	error_clear(&e);
	int64_t n;
	assert_int_equal(db_int_of(db, "SELECT count(*) FROM campaign_shape WHERE call_id = ?", call_id, &n, &e), 0);
	return n;
}

/* A rebuild that fails (or is stopped) after some of its transactions keeps what it committed, and a rebuild
 * with resume goes on from there to the grouping a whole rebuild makes. */
static void test_a_rebuild_stopped_half_way_goes_on_where_it_stopped(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	assert_non_null(db);
	struct arena a;
	arena_init(&a);
	int64_t call_id; /* a call of its own: the other tests' counts stay theirs */
	assert_int_equal(db_int_of(db, "SELECT min(id) FROM call WHERE id <> ?", open_call, &call_id, &e), 0);
	bulk_insert(db, call_id);

	int64_t assigned = 0;
	assert_int_equal(campaign_rebuild(db, call_id, false, &assigned, &e), 0);
	assert_int_equal(assigned, BULK - BULK / 20); /* the letters, not the texts of their own */
	const int64_t *whole = grouping(db, &a, call_id);
	const int64_t all_signatures = signatures(db, call_id);
	struct campaign *list;
	int n;
	int64_t total;
	assert_int_equal(campaign_list(db, &a, call_id, 0, 10, &list, &n, &total, &e), 0);
	assert_int_equal(total, 3);

	/* memory runs out later and later in a rebuild, until it fails after its first transaction is committed
	 * (while the batch after the next is read) */
	int64_t partial = 0;
	for (long at = 4000; partial == 0; at += 2000) {
		arena_test_fail_at(at);
		const int rc = campaign_rebuild(db, call_id, false, &assigned, &e);
		arena_test_fail_at(0);
		if (rc == 0)
			fail_msg("the rebuild did not fail at its allocation %ld, nor commit anything before", at);
		assert_string_equal(e.code, ERROR_UNAVAILABLE);
		error_clear(&e);
		partial = signatures(db, call_id);
	}
	assert_true(partial < all_signatures);

	assert_int_equal(campaign_rebuild(db, call_id, true, &assigned, &e), 0);
	assert_int_equal(assigned, BULK - BULK / 20);
	assert_int_equal(signatures(db, call_id), all_signatures);
	const int64_t *resumed = grouping(db, &a, call_id);
	for (int i = 0; i < BULK; i++)
		if (whole[i] != resumed[i])
			fail_msg("contribution %d: in the campaign of %lld after a whole rebuild, of %lld after a "
			         "resumed one",
			         i, (long long)whole[i], (long long)resumed[i]);
	assert_int_equal(campaign_list(db, &a, call_id, 0, 10, &list, &n, &total, &e), 0);
	assert_int_equal(total, 3);
	int64_t members = 0;
	for (int i = 0; i < n; i++)
		members += list[i].received;
	assert_int_equal(members, BULK - BULK / 20); /* each counted once, though some were looked at twice */
	/* a second resume finds nothing left to do */
	assert_int_equal(campaign_rebuild(db, call_id, true, &assigned, &e), 0);
	assert_int_equal(signatures(db, call_id), all_signatures);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_greeting_and_signature_are_set_aside),
	    cmocka_unit_test(test_case_and_scripts_beyond_ascii),
	    cmocka_unit_test(test_exact_near_and_unrelated),
	    cmocka_unit_test(test_cjk_text_clusters_by_characters),
	    cmocka_unit_test(test_assigned_on_arrival_and_rebuilt_alike),
	    cmocka_unit_test(test_the_pass_after_the_commit_groups_alike),
	    cmocka_unit_test(test_a_text_between_two_campaigns_joins_them),
	    cmocka_unit_test(test_moderation_keeps_the_public_count),
	    cmocka_unit_test(test_a_rebuild_stopped_half_way_goes_on_where_it_stopped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
