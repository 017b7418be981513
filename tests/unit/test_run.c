/* run: a converter runs under its memory and time limits, and only RUN_AT_ONCE of them at once. */
#include "util/arena.h"
#include "util/run.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum run_outcome run_sh(const char *script, int seconds, const char **out)
{
	struct arena a;
	arena_init(&a);
	char *const argv[] = {"sh", "-c", (char *)script, NULL};
	size_t len;
	const char *text = NULL;
	enum run_outcome o = run_filter(&a, argv, "", 0, 1024, seconds, &text, &len);
	if (out)
		*out = !text ? NULL : strcmp(text, "ok\n") == 0 ? "ok" : "other"; /* not in the arena, freed below */
	arena_free(&a);
	return o;
}

static void test_output_comes_back(void **state)
{
	(void)state;
	const char *out = NULL;
	assert_int_equal(run_sh("echo ok", 5, &out), RUN_OK);
	assert_string_equal(out, "ok");
}

static void test_a_program_that_maps_more_than_the_memory_limit_fails(void **state)
{
	(void)state;
	const char *out = NULL;
	/* dd's buffer of 600 MiB is past RUN_MEMORY_LIMIT (512 MiB): it cannot even start copying. */
	assert_int_equal(run_sh("dd if=/dev/zero of=/dev/null bs=600M count=1 2>/dev/null && echo ok", 10, &out),
			 RUN_FAILED);
	/* 100 MiB is within it. */
	assert_int_equal(run_sh("dd if=/dev/zero of=/dev/null bs=100M count=1 2>/dev/null && echo ok", 10, &out), RUN_OK);
	assert_string_equal(out, "ok");
}

/* run_filter_memory(): the caller's limit instead of RUN_MEMORY_LIMIT, for the one program that needs more. */
static enum run_outcome run_sh_memory(const char *script, size_t memory, const char **out)
{
	struct arena a;
	arena_init(&a);
	char *const argv[] = {"sh", "-c", (char *)script, NULL};
	size_t len;
	const char *text = NULL;
	enum run_outcome o = run_filter_memory(&a, argv, "", 0, 1024, 10, memory, &text, &len);
	if (out)
		*out = !text ? NULL : strcmp(text, "ok\n") == 0 ? "ok" : "other";
	arena_free(&a);
	return o;
}

static void test_a_caller_may_set_a_larger_or_smaller_memory_limit(void **state)
{
	(void)state;
	const char *out = NULL;
	/* 600 MiB, refused under RUN_MEMORY_LIMIT above, fits in 1 GiB; the limit is the one asked for. */
	assert_int_equal(run_sh_memory("dd if=/dev/zero of=/dev/null bs=600M count=1 2>/dev/null && echo ok",
	                               (size_t)1024 * 1024 * 1024, &out),
	                 RUN_OK);
	assert_string_equal(out, "ok");
	assert_int_equal(run_sh_memory("[ \"$(ulimit -v)\" = 1048576 ] && echo ok", (size_t)1024 * 1024 * 1024, &out),
	                 RUN_OK);
	assert_string_equal(out, "ok");
	/* And a smaller one holds: 100 MiB, fine under RUN_MEMORY_LIMIT, is refused under 64 MiB. */
	assert_int_equal(run_sh_memory("dd if=/dev/zero of=/dev/null bs=100M count=1 2>/dev/null && echo ok",
	                               (size_t)64 * 1024 * 1024, &out),
	                 RUN_FAILED);
}

static void test_a_program_that_spins_is_stopped_in_time(void **state)
{
	(void)state;
	double t0 = seconds_now();
	assert_int_equal(run_sh("while :; do :; done", 1, NULL), RUN_TIMEOUT);
	assert_true(seconds_now() - t0 < 4.0);
}

static void test_the_core_size_and_cpu_limits_are_set_in_the_child(void **state)
{
	(void)state;
	const char *out = NULL;
	/* ulimit -t says the CPU limit in seconds; -v the address space in KiB; -c the core size. */
	assert_int_equal(run_sh("[ \"$(ulimit -t)\" = 3 ] && [ \"$(ulimit -v)\" = 524288 ] && [ \"$(ulimit -c)\" = 0 ] "
				"&& echo ok",
				3, &out),
			 RUN_OK);
	assert_string_equal(out, "ok");
}

static void *sleeper(void *arg)
{
	(void)arg;
	run_sh("sleep 1; echo ok", 10, NULL);
	return NULL;
}

static void test_only_run_at_once_programs_run_at_once(void **state)
{
	(void)state;
	enum { N = RUN_AT_ONCE * 2 };
	pthread_t t[N];
	double t0 = seconds_now();
	for (int i = 0; i < N; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sleeper, NULL), 0);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	/* Twice as many one-second programs as may run at once: two rounds, not one. */
	assert_true(seconds_now() - t0 >= 1.9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_comes_back),
		cmocka_unit_test(test_a_program_that_maps_more_than_the_memory_limit_fails),
		cmocka_unit_test(test_a_caller_may_set_a_larger_or_smaller_memory_limit),
		cmocka_unit_test(test_a_program_that_spins_is_stopped_in_time),
		cmocka_unit_test(test_the_core_size_and_cpu_limits_are_set_in_the_child),
		cmocka_unit_test(test_only_run_at_once_programs_run_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
