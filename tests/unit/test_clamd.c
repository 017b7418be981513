/* clamd: the zINSTREAM exchange as a fake daemon on a Unix socket sees it (the command, the chunks with their
 * big-endian lengths, the zero length at the end), and each answer read as it must be: OK is clean, NAME FOUND
 * infected, anything else, silence past the deadline or no daemon at all is no verdict, never clean. */
#include "util/clamd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* What the fake daemon does with one connection. */
struct fake {
	char path[108];
	int listener;
	const char *answer; /* sent with its NUL after the whole stream; NULL: say nothing, keep the connection */
	size_t max;         /* more than this many bytes of stream: the answer is sent at once and the connection
	                     * closed, as clamd does past its StreamMaxLength (0: no such limit) */
	/* what it read */
	char command[16];
	unsigned char *data;
	size_t len;
	int chunks;
	bool framed; /* every chunk had its length and a zero length ended them */
};

static bool read_all(int fd, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static void *serve_one(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->listener, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (read_all(fd, f->command, 10)) { /* "zINSTREAM" and its NUL */
		for (;;) {
			unsigned char size[4];
			if (!read_all(fd, size, 4))
				break;
			const size_t n = (size_t)size[0] << 24 | (size_t)size[1] << 16 | (size_t)size[2] << 8 | size[3];
			if (n == 0) {
				f->framed = true;
				break;
			}
			f->data = realloc(f->data, f->len + n);
			if (!f->data || !read_all(fd, f->data + f->len, n))
				break;
			f->len += n;
			f->chunks++;
			if (f->max && f->len > f->max)
				break;
		}
	}
	if (f->answer) {
		ssize_t w = write(fd, f->answer, strlen(f->answer) + 1);
		(void)w;
	} else {
		sleep(2); /* longer than the client's deadline in these tests */
	}
	close(fd);
	return NULL;
}

static void fake_start_max(struct fake *f, const char *answer, size_t max, pthread_t *t)
{
	memset(f, 0, sizeof *f);
	f->answer = answer;
	f->max = max;
	char dir[] = "/tmp/consulta-clamd-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	snprintf(f->path, sizeof f->path, "%s/s", dir);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	memcpy(addr.sun_path, f->path, strlen(f->path) + 1);
	f->listener = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->listener >= 0);
	assert_int_equal(bind(f->listener, (struct sockaddr *)&addr, sizeof addr), 0);
	assert_int_equal(listen(f->listener, 1), 0);
	assert_int_equal(pthread_create(t, NULL, serve_one, f), 0);
}

/* Ends the fake (joining its thread unless joined already) and removes its socket. */
static void fake_start(struct fake *f, const char *answer, pthread_t *t)
{
	fake_start_max(f, answer, 0, t);
}

static void fake_stop(struct fake *f, pthread_t t, bool joined)
{
	if (!joined)
		pthread_join(t, NULL);
	close(f->listener);
	unlink(f->path);
	char *slash = strrchr(f->path, '/');
	*slash = '\0';
	rmdir(f->path);
	free(f->data);
}

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_clean_file_sent_in_chunks(void **state)
{
	(void)state;
	/* more than two chunks, the last one short */
	const size_t n = 2 * CLAMD_CHUNK + 123;
	unsigned char *data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7);
	struct fake f;
	pthread_t t;
	fake_start(&f, "stream: OK", &t);
	char name[CLAMD_NAME_LEN];
	assert_int_equal(clamd_scan(f.path, data, n, 5000, name), CLAMD_CLEAN);
	assert_string_equal(name, "");
	pthread_join(t, NULL);
	assert_string_equal(f.command, "zINSTREAM");
	assert_true(f.framed);
	assert_int_equal(f.chunks, 3);
	assert_int_equal(f.len, n);
	assert_memory_equal(f.data, data, n);
	fake_stop(&f, t, true);
	free(data);
}

static void test_infected_names_the_signature(void **state)
{
	(void)state;
	struct fake f;
	pthread_t t;
	fake_start(&f, "stream: Eicar-Test-Signature.UNOFFICIAL FOUND", &t);
	char name[CLAMD_NAME_LEN];
	assert_int_equal(clamd_scan(f.path, "x", 1, 5000, name), CLAMD_INFECTED);
	assert_string_equal(name, "Eicar-Test-Signature.UNOFFICIAL");
	fake_stop(&f, t, false);
}

static void test_an_empty_file_is_one_zero_length(void **state)
{
	(void)state;
	struct fake f;
	pthread_t t;
	fake_start(&f, "stream: OK", &t);
	char name[CLAMD_NAME_LEN];
	assert_int_equal(clamd_scan(f.path, "", 0, 5000, name), CLAMD_CLEAN);
	pthread_join(t, NULL);
	assert_true(f.framed);
	assert_int_equal(f.chunks, 0);
	fake_stop(&f, t, true);
}

static void test_an_error_is_no_verdict(void **state)
{
	(void)state;
	struct fake f;
	pthread_t t;
	fake_start(&f, "INSTREAM size limit exceeded. ERROR", &t);
	char name[CLAMD_NAME_LEN];
	assert_int_equal(clamd_scan(f.path, "x", 1, 5000, name), CLAMD_ERROR);
	assert_string_equal(name, "answer: INSTREAM size limit exceeded. ERROR");
	fake_stop(&f, t, false);
	fake_start(&f, "stream: lstat() failed: No such file. ERROR", &t);
	assert_int_equal(clamd_scan(f.path, "x", 1, 5000, name), CLAMD_ERROR);
	fake_stop(&f, t, false);
}

static void test_a_stream_beyond_the_daemons_limit_is_an_error(void **state)
{
	(void)state;
	/* far more than the socket buffers hold: the client is still sending when the daemon closes */
	const size_t n = 16 * 1024 * 1024;
	unsigned char *data = calloc(1, n);
	assert_non_null(data);
	struct fake f;
	pthread_t t;
	fake_start_max(&f, "INSTREAM size limit exceeded. ERROR", CLAMD_CHUNK, &t);
	char name[CLAMD_NAME_LEN];
	assert_int_equal(clamd_scan(f.path, data, n, 5000, name), CLAMD_ERROR);
	assert_string_equal(name, "answer: INSTREAM size limit exceeded. ERROR");
	fake_stop(&f, t, false);
	free(data);
}

static void test_silence_ends_at_the_deadline(void **state)
{
	(void)state;
	struct fake f;
	pthread_t t;
	fake_start(&f, NULL, &t);
	char name[CLAMD_NAME_LEN];
	const double t0 = seconds_now();
	assert_int_equal(clamd_scan(f.path, "x", 1, 300, name), CLAMD_UNAVAILABLE);
	const double took = seconds_now() - t0;
	assert_true(took >= 0.25 && took < 1.5);
	assert_string_equal(name, "timeout");
	fake_stop(&f, t, false);
}

static void test_no_daemon_is_no_verdict(void **state)
{
	(void)state;
	char name[CLAMD_NAME_LEN];
	assert_int_equal(clamd_scan("/nonexistent/consulta/clamd.sock", "x", 1, 1000, name), CLAMD_UNAVAILABLE);
	assert_int_equal(clamd_scan(NULL, "x", 1, 1000, name), CLAMD_UNAVAILABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_file_sent_in_chunks),
	    cmocka_unit_test(test_infected_names_the_signature),
	    cmocka_unit_test(test_an_empty_file_is_one_zero_length),
	    cmocka_unit_test(test_an_error_is_no_verdict),
	    cmocka_unit_test(test_a_stream_beyond_the_daemons_limit_is_an_error),
	    cmocka_unit_test(test_silence_ends_at_the_deadline),
	    cmocka_unit_test(test_no_daemon_is_no_verdict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
