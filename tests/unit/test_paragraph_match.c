/* Paragraph matching: which paragraph of the previous version each new one came from (core/paragraph_match.h). */
#include "core/paragraph_match.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *P1 = "Member States shall report every year on the measures they have taken under this article.";
static const char *P2 = "The secretariat publishes the reports received within thirty days of their receipt.";
static const char *P3 = "Observers may attend the meetings of the working group unless a member objects in writing.";
static const char *P4 = "Each party designates a national focal point responsible for the exchange of information.";
static const char *P5 = "The working group adopts its own rules of procedure at its first meeting by consensus.";

static struct paragraph_match *run(struct arena *a, const char *const *old, int nold, const char *const *texts,
                                   int nnew, int *uncertain)
{
	struct match_source *src = arena_alloc(a, sizeof *src * (size_t)(nold + 1));
	for (int j = 0; j < nold; j++)
		src[j] = (struct match_source){arena_printf(a, "p%d", j + 1), old[j]};
	struct paragraph_match *m = NULL;
	int u = paragraph_match(a, src, nold, texts, nnew, nold + 1, &m);
	assert_true(u >= 0);
	if (uncertain)
		*uncertain = u;
	return m;
}

static void test_identical_versions_keep_every_id(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *old[] = {P1, P2, P3};
	int u;
	struct paragraph_match *m = run(&a, old, 3, old, 3, &u);
	assert_int_equal(u, 0);
	static const char *const pids[] = {"p1", "p2", "p3"};
	for (int i = 0; i < 3; i++) {
		assert_string_equal(m[i].pid, pids[i]);
		assert_int_equal(m[i].relation, PARAGRAPH_UNCHANGED);
		assert_int_equal(m[i].nfrom, 1);
		assert_string_equal(m[i].from[0], m[i].pid);
		assert_true(m[i].similarity == 1.0);
	}
	arena_free(&a);
}

static void test_edited_paragraph_keeps_its_id_and_a_new_one_gets_a_fresh_id(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *old[] = {P1, P2, P3};
	const char *edited = "The secretariat publishes the reports it has received within thirty days of receipt.";
	const char *now[] = {"A wholly new opening about scope and purpose of these guidelines.", P1, edited, P3};
	int u;
	struct paragraph_match *m = run(&a, old, 3, now, 4, &u);
	assert_int_equal(u, 0);
	assert_string_equal(m[0].pid, "p4"); /* fresh: never p1..p3 */
	assert_int_equal(m[0].relation, PARAGRAPH_NEW);
	assert_int_equal(m[0].nfrom, 0);
	assert_string_equal(m[1].pid, "p1");
	assert_int_equal(m[1].relation, PARAGRAPH_UNCHANGED);
	assert_string_equal(m[2].pid, "p2");
	assert_int_equal(m[2].relation, PARAGRAPH_EDITED);
	assert_true(m[2].similarity >= MATCH_HIGH && m[2].similarity < 1.0);
	assert_string_equal(m[3].pid, "p3");
	arena_free(&a);
}

static void test_removed_and_emptied_paragraphs_have_no_successor_and_ids_are_not_reused(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* p3 is removed, p2 emptied to a placeholder; the new paragraph gets p4 (next_pid), never p3. */
	const char *old[] = {P1, P2, P3};
	const char *now[] = {P1, "[Deleted]", "Something that was never there before, entirely fresh wording."};
	struct paragraph_match *m = run(&a, old, 3, now, 3, NULL);
	assert_string_equal(m[0].pid, "p1");
	assert_string_equal(m[1].pid, "p4");
	assert_int_equal(m[1].relation, PARAGRAPH_NEW);
	assert_string_equal(m[2].pid, "p5");
	for (int i = 0; i < 3; i++)
		assert_true(strcmp(m[i].pid, "p2") && strcmp(m[i].pid, "p3"));
	/* The caller's next_pid is what makes an id removed earlier stay unused. */
	struct match_source src[] = {{"p1", P1}, {"p7", P2}};
	const char *again[] = {P1, P2, "A fresh one again, about something else entirely."};
	int u = paragraph_match(&a, src, 2, again, 3, 10, &m);
	assert_int_equal(u, 0);
	assert_string_equal(m[1].pid, "p7");
	assert_string_equal(m[2].pid, "p10");
	arena_free(&a);
}

static void test_reordered_paragraphs_are_moved_not_renumbered(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *old[] = {P1, P2, P3, P4, P5};
	const char *now[] = {P1, P4, P2, P3, P5}; /* p4 moved up */
	int u;
	struct paragraph_match *m = run(&a, old, 5, now, 5, &u);
	assert_int_equal(u, 0);
	const char *pids[] = {"p1", "p4", "p2", "p3", "p5"};
	for (int i = 0; i < 5; i++)
		assert_string_equal(m[i].pid, pids[i]);
	assert_int_equal(m[1].relation, PARAGRAPH_MOVED);
	assert_int_equal(m[0].relation, PARAGRAPH_UNCHANGED);
	assert_int_equal(m[2].relation, PARAGRAPH_UNCHANGED);
	/* Moved and edited: still matched by content. */
	const char *now2[] = {
	    "Each party designates one national focal point responsible for the exchange of information.", P1, P2, P3,
	    P5};
	m = run(&a, old, 5, now2, 5, &u);
	assert_int_equal(u, 0);
	assert_string_equal(m[0].pid, "p4");
	assert_int_equal(m[0].relation, PARAGRAPH_MOVED);
	assert_true(m[0].similarity < 1.0);
	arena_free(&a);
}

static void test_identical_paragraphs_pair_in_order(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *old[] = {"See the annex.", P1, "See the annex.", P2};
	const char *now[] = {"See the annex.", P1, "See the annex.", P2};
	struct paragraph_match *m = run(&a, old, 4, now, 4, NULL);
	assert_string_equal(m[0].pid, "p1");
	assert_string_equal(m[2].pid, "p3");
	arena_free(&a);
}

static void test_split_paragraph_keeps_its_id_in_the_most_similar_part(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	char whole[512];
	snprintf(whole, sizeof whole, "%s %s", P3, P4);
	const char *old[] = {P1, whole, P5};
	const char *now[] = {P1, P3, P4, P5};
	int u;
	struct paragraph_match *m = run(&a, old, 3, now, 4, &u);
	assert_int_equal(u, 0);
	assert_string_equal(m[1].pid, "p2");
	assert_int_equal(m[1].relation, PARAGRAPH_SPLIT);
	assert_string_equal(m[2].pid, "p4"); /* a fresh id... */
	assert_int_equal(m[2].relation, PARAGRAPH_SPLIT);
	assert_int_equal(m[2].nfrom, 1);
	assert_string_equal(m[2].from[0], "p2"); /* ...that says where it came from */
	assert_string_equal(m[3].pid, "p3");
	assert_int_equal(m[3].relation, PARAGRAPH_UNCHANGED);
	arena_free(&a);
}

static void test_merged_paragraphs_keep_the_id_of_the_most_similar_and_name_all(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	char whole[512];
	snprintf(whole, sizeof whole, "%s Observers may attend the meetings of the working group.", P2);
	const char *old[] = {P1, P2, "Observers may attend the meetings of the working group.", P5};
	const char *now[] = {P1, whole, P5};
	int u;
	struct paragraph_match *m = run(&a, old, 4, now, 3, &u);
	assert_int_equal(u, 0);
	assert_string_equal(m[1].pid, "p2");
	assert_int_equal(m[1].relation, PARAGRAPH_MERGED);
	assert_int_equal(m[1].nfrom, 2);
	assert_string_equal(m[1].from[0], "p2");
	assert_string_equal(m[1].from[1], "p3");
	assert_string_equal(m[2].pid, "p4");
	arena_free(&a);
}

static void test_a_merge_with_much_new_text_is_uncertain(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* Both old paragraphs are inside the new one, but a third of it is new: merged, perhaps. */
	char whole[512];
	snprintf(whole, sizeof whole, "%s %s Each focal point reports twice yearly through regional offices.", P2, P3);
	const char *old[] = {P1, P2, P3, P5};
	const char *now[] = {P1, whole, P5};
	int u;
	struct paragraph_match *m = run(&a, old, 4, now, 3, &u);
	assert_int_equal(m[1].relation, PARAGRAPH_MERGED);
	assert_int_equal(m[1].nfrom, 2);
	assert_true(m[1].uncertain);
	assert_int_equal(u, 1);
	arena_free(&a);
}

static void test_a_heavy_rewrite_is_uncertain_and_a_different_text_is_new(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *old[] = {P1, P2};
	/* About half the words kept: the same paragraph, perhaps. */
	const char *now[] = {P1, "The secretariat publishes all the reports it has received within sixty days of "
	                         "their arrival."};
	int u;
	struct paragraph_match *m = run(&a, old, 2, now, 2, &u);
	double s = paragraph_similarity(P2, now[1]);
	assert_true(s >= MATCH_LOW && s < MATCH_HIGH);
	assert_int_equal(u, 1);
	assert_true(m[1].uncertain);
	assert_string_equal(m[1].pid, "p2");
	assert_int_equal(m[1].relation, PARAGRAPH_EDITED);
	const char *other[] = {P1, "Nothing in common here at all, zebra quantum."};
	m = run(&a, old, 2, other, 2, &u);
	assert_int_equal(u, 0);
	assert_string_equal(m[1].pid, "p3");
	arena_free(&a);
}

static void test_a_clause_added_or_struck_is_the_same_paragraph(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* Half the words are new, so the Dice is low; but the old text is whole inside the new one. */
	const char *old[] = {P1, "Partners are chosen openly.", P3};
	const char *now[] = {P1, "Partners are chosen openly, and the results of the work are shared with every "
				 "stakeholder of the process.",
			     P3};
	int u;
	struct paragraph_match *m = run(&a, old, 3, now, 3, &u);
	assert_true(m[1].similarity < MATCH_HIGH);
	assert_int_equal(u, 0);
	assert_string_equal(m[1].pid, "p2");
	assert_int_equal(m[1].relation, PARAGRAPH_EDITED);
	/* ...and struck out again. */
	m = run(&a, now, 3, old, 3, &u);
	assert_int_equal(u, 0);
	assert_string_equal(m[1].pid, "p2");
	arena_free(&a);
}

static void test_two_close_candidates_are_uncertain(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *old[] = {"The committee meets twice a year in Geneva and reports to the assembly.",
	                     "The committee meets twice a year in Geneva and reports to the council."};
	const char *now[] = {"The committee meets twice a year in Geneva and reports to the plenary."};
	int u;
	struct paragraph_match *m = run(&a, old, 2, now, 1, &u);
	assert_int_equal(u, 1);
	assert_true(m[0].uncertain);
	assert_string_equal(m[0].pid, "p1"); /* order breaks the tie */
	arena_free(&a);
}

static void test_relations_are_said_again_after_ids_are_changed(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct match_source old[] = {{"p1", P1}, {"p2", P2}, {"p3", P3}};
	const char *now[] = {P1, P3, "A rewrite of the second, decided to be p2 by the secretariat."};
	struct paragraph_match m[] = {
		{.pid = "p1", .relation = PARAGRAPH_UNCHANGED},
		{.pid = "p3", .relation = PARAGRAPH_UNCHANGED},
		{.pid = "p2", .relation = PARAGRAPH_EDITED}, /* was new: given p2 */
	};
	assert_int_equal(paragraph_match_order(old, 3, now, m, 3), 0);
	assert_int_equal(m[0].relation, PARAGRAPH_UNCHANGED);
	/* p3 then p2: one of them is off the run in the old order. */
	assert_true((m[1].relation == PARAGRAPH_MOVED) != (m[2].relation == PARAGRAPH_MOVED));
	assert_true(m[1].relation == PARAGRAPH_MOVED || m[1].relation == PARAGRAPH_UNCHANGED);
	assert_true(m[2].relation == PARAGRAPH_MOVED || m[2].relation == PARAGRAPH_EDITED);
	/* Back in order: no move. */
	struct paragraph_match again[] = {{.pid = "p1", .relation = PARAGRAPH_MOVED},
					  {.pid = "p2", .relation = PARAGRAPH_MOVED},
					  {.pid = "p9", .relation = PARAGRAPH_NEW}};
	const char *texts[] = {P1, "Edited text of the second paragraph.", P3};
	assert_int_equal(paragraph_match_order(old, 3, texts, again, 3), 0);
	assert_int_equal(again[0].relation, PARAGRAPH_UNCHANGED);
	assert_int_equal(again[1].relation, PARAGRAPH_EDITED);
	assert_int_equal(again[2].relation, PARAGRAPH_NEW);
	arena_free(&a);
}

static void test_similarity_normalizes_case_and_punctuation(void **state)
{
	(void)state;
	assert_true(paragraph_similarity("Hello, World!", "hello world") == 1.0);
	assert_true(paragraph_similarity("", "") == 1.0);
	assert_true(paragraph_similarity("a b c d", "e f g h") == 0.0);
	enum paragraph_relation r;
	assert_int_equal(paragraph_relation_parse("merged", &r), 0);
	assert_int_equal(r, PARAGRAPH_MERGED);
	assert_string_equal(paragraph_relation_name(PARAGRAPH_MOVED), "moved");
	assert_int_equal(paragraph_relation_parse("nope", &r), -1);
}

/* The process's CPU time: what the matching costs, whatever else the machine is doing. */
static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 1,000 paragraphs of about 20 words, every one edited (so that step 1 pairs none): all pairs are compared. */
static void test_a_thousand_edited_paragraphs_in_well_under_a_second(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	enum { N = 1000 };
	/* Like a real text: common words shared by all, and words of its own (a vocabulary of 5,000). */
	static const char *const common_words[] = {"the", "of", "and",    "to",    "shall",
	                                           "in",  "a",  "member", "state", "report"};
	const char **old = arena_alloc(&a, sizeof *old * N), **now = arena_alloc(&a, sizeof *now * N);
	for (int i = 0; i < N; i++) {
		char o[512], n[512];
		int lo = 0, ln = 0;
		for (int w = 0; w < 20; w++) {
			if (w % 2) {
				lo += snprintf(o + lo, sizeof o - (size_t)lo, "%s ", common_words[(i + w) % 10]);
				ln += snprintf(n + ln, sizeof n - (size_t)ln, "%s ", common_words[(i + w) % 10]);
			} else {
				unsigned k = ((unsigned)i * 2654435761u + (unsigned)w * 40503u) % 5000u;
				lo += snprintf(o + lo, sizeof o - (size_t)lo, "w%u ", k);
				ln += snprintf(n + ln, sizeof n - (size_t)ln, "w%u ", w == 4 ? 9999 : k);
			}
		}
		old[i] = arena_strdup(&a, o);
		now[i] = arena_strdup(&a, n);
	}
	double t0 = seconds();
	int u;
	struct paragraph_match *m = run(&a, old, N, now, N, &u);
	double t = seconds() - t0;
	printf("# paragraph_match: 1000 x 1000 edited paragraphs in %.3f s of CPU (%d uncertain)\n", t, u);
	int kept = 0;
	for (int i = 0; i < N; i++)
		kept += !strcmp(m[i].pid, arena_printf(&a, "p%d", i + 1));
	assert_true(kept > 990);
	assert_true(u < 10);
	/* About 0.07 s in a release build; this test runs under ASan and UBSan at -O0, several times slower. */
	assert_true(t < 2.0);
	arena_free(&a);
}

/* A pathological text is bounded by the window: 20,000 one-word paragraphs against 20,000 others. */
static void test_many_tiny_paragraphs_stay_bounded(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	enum { N = 20000 };
	const char **old = arena_alloc(&a, sizeof *old * N), **now = arena_alloc(&a, sizeof *now * N);
	for (int i = 0; i < N; i++) {
		old[i] = arena_printf(&a, "w%d x", i % 97);
		now[i] = arena_printf(&a, "w%d y", i % 89);
	}
	double t0 = seconds();
	run(&a, old, N, now, N, NULL);
	double t = seconds() - t0;
	printf("# paragraph_match: 20000 x 20000 tiny paragraphs in %.3f s of CPU\n", t);
	assert_true(t < 5.0);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identical_versions_keep_every_id),
	    cmocka_unit_test(test_edited_paragraph_keeps_its_id_and_a_new_one_gets_a_fresh_id),
	    cmocka_unit_test(test_removed_and_emptied_paragraphs_have_no_successor_and_ids_are_not_reused),
	    cmocka_unit_test(test_reordered_paragraphs_are_moved_not_renumbered),
	    cmocka_unit_test(test_identical_paragraphs_pair_in_order),
	    cmocka_unit_test(test_split_paragraph_keeps_its_id_in_the_most_similar_part),
	    cmocka_unit_test(test_merged_paragraphs_keep_the_id_of_the_most_similar_and_name_all),
	    cmocka_unit_test(test_a_merge_with_much_new_text_is_uncertain),
	    cmocka_unit_test(test_a_heavy_rewrite_is_uncertain_and_a_different_text_is_new),
	    cmocka_unit_test(test_a_clause_added_or_struck_is_the_same_paragraph),
	    cmocka_unit_test(test_two_close_candidates_are_uncertain),
	    cmocka_unit_test(test_relations_are_said_again_after_ids_are_changed),
	    cmocka_unit_test(test_similarity_normalizes_case_and_punctuation),
	    cmocka_unit_test(test_a_thousand_edited_paragraphs_in_well_under_a_second),
	    cmocka_unit_test(test_many_tiny_paragraphs_stay_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
