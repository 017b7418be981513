/* pdf: WeasyPrint lays out an HTML document as PDF; when it is missing, too slow, or writes something else, the
 * person is told in a sentence written for them (error_say), and nothing is handed back. The failures are played
 * by small shell scripts named weasyprint, found first on PATH. */
#include "render/pdf.h"
#include "util/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char HTML[] = "<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title></head>"
                           "<body><p>Hello \u738b</p></body></html>";

static char dir[] = "/tmp/consulta-test-pdf-XXXXXX";
static char *saved_path;

/* A fake weasyprint in dir running body (sh), and PATH set to dir alone; body NULL: none (missing). */
static void fake(const char *body)
{
	char path[128];
	snprintf(path, sizeof path, "%s/weasyprint", dir);
	unlink(path);
	if (body) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "#!/bin/sh\nPATH=/usr/bin:/bin\n%s\n", body);
		fclose(f);
		assert_int_equal(chmod(path, 0700), 0);
	}
	assert_int_equal(setenv("PATH", dir, 1), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	const char *p = getenv("PATH");
	saved_path = strdup(p ? p : "/usr/bin:/bin");
	return saved_path ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/weasyprint", dir);
	unlink(path);
	rmdir(dir);
	setenv("PATH", saved_path, 1);
	free(saved_path);
	return 0;
}

static int layout(const struct pdf_limits *lim, size_t *len, struct error *e)
{
	struct arena a;
	arena_init(&a);
	const void *pdf = NULL;
	error_clear(e);
	int rc = pdf_from_html(&a, HTML, strlen(HTML), lim, &pdf, len, e);
	if (rc == 0)
		assert_memory_equal(pdf, "%PDF-", 5);
	else
		assert_null(pdf);
	arena_free(&a);
	return rc;
}

static const struct pdf_limits LIM = {.max_out = 1024 * 1024, .seconds = 60, .memory = (size_t)1024 * 1024 * 1024};

static void test_the_real_weasyprint_makes_a_pdf(void **state)
{
	(void)state;
	assert_int_equal(setenv("PATH", saved_path, 1), 0);
	size_t len = 0;
	struct error e;
	assert_int_equal(layout(&LIM, &len, &e), 0);
	assert_true(len > 1000);
}

static void test_a_missing_weasyprint_is_said_so(void **state)
{
	(void)state;
	fake(NULL);
	size_t len;
	struct error e;
	assert_int_equal(layout(&LIM, &len, &e), -1);
	assert_string_equal(e.code, ERROR_UNAVAILABLE);
	assert_non_null(strstr(e.message, "WeasyPrint is missing"));
}

static void test_a_slow_weasyprint_is_stopped_and_said_so(void **state)
{
	(void)state;
	fake("cat >/dev/null; sleep 30");
	const struct pdf_limits quick = {.max_out = 1024 * 1024, .seconds = 1, .memory = LIM.memory};
	size_t len;
	struct error e;
	assert_int_equal(layout(&quick, &len, &e), -1);
	assert_non_null(strstr(e.message, "took longer than 1 seconds"));
}

static void test_output_that_is_not_a_pdf_is_refused(void **state)
{
	(void)state;
	fake("cat >/dev/null; echo '<html>not a pdf</html>'");
	size_t len;
	struct error e;
	assert_int_equal(layout(&LIM, &len, &e), -1);
	assert_string_equal(e.message, "The PDF could not be made; please try again.");
}

static void test_a_pdf_past_the_size_limit_is_refused(void **state)
{
	(void)state;
	fake("cat >/dev/null; printf '%%PDF-1.7\\n'; head -c 3000000 /dev/zero");
	const struct pdf_limits small = {.max_out = 2 * 1024 * 1024, .seconds = 10, .memory = LIM.memory};
	size_t len;
	struct error e;
	assert_int_equal(layout(&small, &len, &e), -1);
	assert_non_null(strstr(e.message, "larger than 2 MiB"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_the_real_weasyprint_makes_a_pdf),
	    cmocka_unit_test(test_a_missing_weasyprint_is_said_so),
	    cmocka_unit_test(test_a_slow_weasyprint_is_stopped_and_said_so),
	    cmocka_unit_test(test_output_that_is_not_a_pdf_is_refused),
	    cmocka_unit_test(test_a_pdf_past_the_size_limit_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
