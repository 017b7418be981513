/* The word diff of two paragraphs (render/diff.c): operations that rebuild both texts, cut at words, per
 * character for scripts without spaces. */
#include "render/diff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The operations as one line: "=same -gone +new", to compare with what a test expects. */
static char *show(struct arena *a, const struct diff_op *ops, int n)
{
	size_t size = 1;
	for (int i = 0; i < n; i++)
		size += strlen(ops[i].text) + 4;
	char *s = arena_alloc(a, size);
	assert_non_null(s);
	size_t w = 0;
	for (int i = 0; i < n; i++)
		w += (size_t)snprintf(s + w, size - w, "[%c%s]",
		                      ops[i].kind == DIFF_EQUAL    ? '='
		                      : ops[i].kind == DIFF_INSERT ? '+'
		                                                   : '-',
		                      ops[i].text);
	return s;
}

/* Rebuilds the old (equal + delete) or new (equal + insert) text, and checks no two neighbours share a kind. */
static char *rebuild(struct arena *a, const struct diff_op *ops, int n, bool new_side)
{
	size_t size = 1;
	for (int i = 0; i < n; i++) {
		size += strlen(ops[i].text);
		assert_true(*ops[i].text);
		if (i)
			assert_int_not_equal(ops[i].kind, ops[i - 1].kind);
	}
	char *s = arena_alloc(a, size);
	assert_non_null(s);
	size_t w = 0;
	for (int i = 0; i < n; i++)
		if (ops[i].kind == DIFF_EQUAL || ops[i].kind == (new_side ? DIFF_INSERT : DIFF_DELETE)) {
			memcpy(s + w, ops[i].text, strlen(ops[i].text));
			w += strlen(ops[i].text);
		}
	return s;
}

/* Diffs old and new, checks both rebuild, and returns the operations shown as one line. */
static char *check(struct arena *a, const char *old_text, const char *new_text)
{
	struct diff_op *ops;
	int n;
	assert_int_equal(diff_words(a, old_text, new_text, &ops, &n), 0);
	assert_string_equal(rebuild(a, ops, n, false), old_text);
	assert_string_equal(rebuild(a, ops, n, true), new_text);
	return show(a, ops, n);
}

static void test_identical(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(check(&a, "The same text.", "The same text."), "[=The same text.]");
	arena_free(&a);
}

static void test_insert(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(check(&a, "Member States shall report.", "Member States shall report annually."),
	                    "[=Member States shall report][+ annually][=.]");
	assert_string_equal(check(&a, "shall report", "All shall report"), "[+All ][=shall report]");
	arena_free(&a);
}

static void test_delete(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(check(&a, "The draft guidelines are final.", "The guidelines are final."),
	                    "[=The ][-draft ][=guidelines are final.]");
	arena_free(&a);
}

static void test_replace(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(check(&a, "Reports are due every year.", "Reports are due every two years."),
	                    "[=Reports are due every ][-year][+two years][=.]");
	/* A word is changed whole, never a few letters of it. */
	assert_string_equal(check(&a, "colour", "color"), "[-colour][+color]");
	arena_free(&a);
}

static void test_punctuation(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(
	    check(&a, "legal, technical and procedural measures", "legal; technical and procedural measures"),
	    "[=legal][-,][+;][= technical and procedural measures]");
	assert_string_equal(check(&a, "(a) the Council", "(b) the Council"), "[=(][-a][+b][=) the Council]");
	/* White space counts: a newline for a space is a change, and a backslash is text like any other. */
	assert_string_equal(check(&a, "one two", "one\ntwo"), "[=one][- ][+\n][=two]");
	assert_string_equal(check(&a, "a\\n b", "a\\n c"), "[=a\\n ][-b][+c]");
	arena_free(&a);
}

static void test_cjk_is_cut_per_character(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* Chinese: one changed character is one change, not the whole sentence. */
	assert_string_equal(check(&a, "网络安全议程的指导方针。", "全球网络安全议程的指导原则。"),
	                    "[+全球][=网络安全议程的指导][-方针][+原则][=。]");
	/* Japanese with kana. */
	assert_string_equal(check(&a, "ガイドラインを採択する", "ガイドラインを承認する"),
	                    "[=ガイドラインを][-採択][+承認][=する]");
	assert_int_equal(diff_token_count("网络安全"), 4);
	arena_free(&a);
}

static void test_arabic(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* Arabic words are words (spaces between them), and the Arabic comma is punctuation. */
	assert_int_equal(diff_token_count("الأمن السيبراني، العالمي"), 6);
	assert_string_equal(check(&a, "جدول أعمال الأمن السيبراني العالمي", "جدول أعمال الأمن السيبراني الدولي"),
	                    "[=جدول أعمال الأمن السيبراني ][-العالمي][+الدولي]");
	arena_free(&a);
}

static void test_empty(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct diff_op *ops;
	int n = -1;
	assert_int_equal(diff_words(&a, "", "", &ops, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(diff_words(&a, NULL, NULL, &ops, &n), 0);
	assert_int_equal(n, 0);
	assert_string_equal(check(&a, "", "New paragraph."), "[+New paragraph.]");
	assert_string_equal(check(&a, "Removed paragraph.", ""), "[-Removed paragraph.]");
	assert_int_equal(diff_token_count(""), 0);
	arena_free(&a);
}

static void test_long_paragraph(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* 20,000 words with one word changed in the middle and one added at the end. */
	size_t size = 20000 * 8 + 64;
	char *old_text = arena_alloc(&a, size), *new_text = arena_alloc(&a, size);
	assert_non_null(old_text);
	assert_non_null(new_text);
	size_t w = 0, v = 0;
	for (int i = 0; i < 20000; i++) {
		w += (size_t)snprintf(old_text + w, size - w, "%sw%d", i ? " " : "", i);
		v += (size_t)snprintf(new_text + v, size - v, "%s%s", i ? " " : "", i == 10000 ? "changed" : "");
		if (i != 10000)
			v += (size_t)snprintf(new_text + v, size - v, "w%d", i);
	}
	snprintf(new_text + v, size - v, " end");
	struct diff_op *ops;
	int n;
	assert_int_equal(diff_words(&a, old_text, new_text, &ops, &n), 0);
	assert_string_equal(rebuild(&a, ops, n, false), old_text);
	assert_string_equal(rebuild(&a, ops, n, true), new_text);
	assert_int_equal(n, 5);
	assert_int_equal(ops[1].kind, DIFF_DELETE);
	assert_string_equal(ops[1].text, "w10000");
	assert_int_equal(ops[2].kind, DIFF_INSERT);
	assert_string_equal(ops[2].text, "changed");
	assert_int_equal(ops[4].kind, DIFF_INSERT);
	assert_string_equal(ops[4].text, " end");
	arena_free(&a);
}

static void test_out_of_memory_fails_cleanly(void **state)
{
	(void)state;
	/* Each allocation of the arena fails in turn: an error, never a crash or half an answer. */
	for (long k = 1;; k++) {
		struct arena a;
		arena_init(&a);
		arena_test_fail_at(k);
		struct diff_op *ops;
		int n;
		int rc = diff_words(&a, "one two three four", "one 2 three five", &ops, &n);
		bool done = arena_test_pending() > 0;
		arena_test_fail_at(0);
		if (rc != 0) {
			assert_null(ops);
			assert_int_equal(n, 0);
		}
		arena_free(&a);
		if (done) {
			assert_int_equal(rc, 0);
			break;
		}
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(diff_kind_name(DIFF_EQUAL), "equal");
	assert_string_equal(diff_kind_name(DIFF_INSERT), "insert");
	assert_string_equal(diff_kind_name(DIFF_DELETE), "delete");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identical),      cmocka_unit_test(test_insert),
	    cmocka_unit_test(test_delete),         cmocka_unit_test(test_replace),
	    cmocka_unit_test(test_punctuation),    cmocka_unit_test(test_cjk_is_cut_per_character),
	    cmocka_unit_test(test_arabic),         cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_long_paragraph), cmocka_unit_test(test_out_of_memory_fails_cleanly),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
