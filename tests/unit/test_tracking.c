/* Tracking numbers: the check symbol catches what people get wrong when they type one back. */
#include "core/tracking.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_new_numbers_parse_back(void **state)
{
	(void)state;
	for (int i = 0; i < 1000; i++) {
		char t[TRACKING_LEN + 1], back[TRACKING_LEN + 1];
		assert_int_equal(tracking_new(t), 0);
		assert_int_equal(strlen(t), TRACKING_LEN);
		assert_int_equal(t[4], '-');
		assert_int_equal(t[9], '-');
		assert_true(tracking_parse(t, back));
		assert_string_equal(t, back);
	}
}

static void test_every_single_substitution_is_caught(void **state)
{
	(void)state;
	char t[TRACKING_LEN + 1], out[TRACKING_LEN + 1];
	for (int round = 0; round < 50; round++) {
		assert_int_equal(tracking_new(t), 0);
		for (int pos = 0; pos < TRACKING_LEN; pos++) {
			if (t[pos] == '-')
				continue;
			for (int k = 0; k < 32; k++) {
				if (ALPHABET[k] == t[pos])
					continue;
				char typo[TRACKING_LEN + 1];
				memcpy(typo, t, sizeof typo);
				typo[pos] = ALPHABET[k];
				assert_false(tracking_parse(typo, out));
			}
		}
	}
}

static void test_adjacent_swaps_are_caught(void **state)
{
	(void)state;
	char t[TRACKING_LEN + 1], out[TRACKING_LEN + 1];
	int caught = 0, swaps = 0;
	for (int round = 0; round < 200; round++) {
		assert_int_equal(tracking_new(t), 0);
		char sym[9];
		memcpy(sym, t, 4);
		memcpy(sym + 4, t + 5, 4);
		sym[8] = t[10];
		for (int i = 0; i + 1 < 9; i++) {
			if (sym[i] == sym[i + 1])
				continue;
			char s2[9];
			memcpy(s2, sym, 9);
			s2[i] = sym[i + 1];
			s2[i + 1] = sym[i];
			char typed[10];
			memcpy(typed, s2, 9);
			typed[9] = '\0';
			swaps++;
			caught += !tracking_parse(typed, out);
		}
	}
	/* Luhn mod N misses only swaps of two symbols whose values sum to N-1 across the fold (e.g. 0 and V). */
	assert_true(caught * 100 >= swaps * 95);
}

static void test_forgiving_reading(void **state)
{
	(void)state;
	char t[TRACKING_LEN + 1], out[TRACKING_LEN + 1];
	/* Build a number with a 0 and a 1 in it, then type it the sloppy way. */
	char sym[9] = "01ABCDEF";
	char check = tracking_check_symbol(sym, 8);
	snprintf(t, sizeof t, "01AB-CDEF-%c", check);
	char sloppy[32];
	snprintf(sloppy, sizeof sloppy, "oiab cdef%c", check >= 'A' ? check + 32 : check);
	assert_true(tracking_parse(sloppy, out));
	assert_string_equal(out, t);
	snprintf(sloppy, sizeof sloppy, "OLABCDEF%c", check);
	assert_true(tracking_parse(sloppy, out));
	assert_string_equal(out, t);
}

static void test_malformed_is_refused(void **state)
{
	(void)state;
	char out[TRACKING_LEN + 1];
	assert_false(tracking_parse("", out));
	assert_false(tracking_parse("ABCD-EFGH", out));       /* too short */
	assert_false(tracking_parse("ABCD-EFGH-JK", out));    /* too long */
	assert_false(tracking_parse("ABCD-EFGH-U", out));     /* U is not a symbol */
	assert_false(tracking_parse("AB<D-EFGH-J", out));
	assert_false(tracking_parse("../../etc/passwd", out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_numbers_parse_back),
		cmocka_unit_test(test_every_single_substitution_is_caught),
		cmocka_unit_test(test_adjacent_swaps_are_caught),
		cmocka_unit_test(test_forgiving_reading),
		cmocka_unit_test(test_malformed_is_refused),
	};
	return cmocka_run_group_tests_name("tracking", tests, NULL, NULL);
}
