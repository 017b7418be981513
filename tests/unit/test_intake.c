/* The intake parser (mail/intake.c): charsets, HTML, format=flowed, robots, the MTA's verdict, limits. */
#include "core/limits.h"
#include "mail/intake.h"
#include "util/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct arena A;

static int setup(void **state)
{
	(void)state;
	arena_init(&A);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&A);
	return 0;
}

static struct intake parse_opt(const char *raw, const char *authserv_id)
{
	struct intake in;
	struct error e;
	error_clear(&e);
	struct intake_options opt = {.authserv_id = authserv_id};
	assert_int_equal(intake_parse(&A, raw, strlen(raw), &opt, &in, &e), 0);
	assert_true(utf8_valid(in.text, strlen(in.text)));
	assert_false(utf8_has_control(in.text, true));
	return in;
}

static struct intake parse(const char *raw)
{
	return parse_opt(raw, NULL);
}

static void test_iso_8859_1_is_read_as_windows_1252(void **state)
{
	(void)state;
	/* 0x93 and 0x94 are Windows-1252's curly quotes; 0xE9 is é in both */
	struct intake in = parse("From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	                         "Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 \x93quoted\x94\r\n");
	assert_string_equal(in.text, "Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d");
}

static void test_undeclared_8bit_is_utf8_when_valid_else_windows_1252(void **state)
{
	(void)state;
	struct intake utf8 = parse("From: a@example.org\r\n\r\nCaf\xc3\xa9\r\n");
	assert_string_equal(utf8.text, "Caf\xc3\xa9");
	struct intake cp = parse("From: a@example.org\r\n\r\nCaf\xe9 \x80\r\n");
	assert_string_equal(cp.text, "Caf\xc3\xa9 \xe2\x82\xac");
}

static void test_invalid_utf8_is_repaired_not_dropped(void **state)
{
	(void)state;
	struct intake in =
	    parse("From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok \xff\xfe end\r\n");
	assert_non_null(strstr(in.text, "ok "));
	assert_non_null(strstr(in.text, " end"));
}

static void test_quoted_printable_and_base64(void **state)
{
	(void)state;
	struct intake qp =
	    parse("From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n"
	          "Content-Transfer-Encoding: quoted-printable\r\n\r\nLine one =\r\ncontinues=2E =E2=82=AC\r\n");
	assert_string_equal(qp.text, "Line one continues. \xe2\x82\xac");
	struct intake b64 = parse("From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                          "Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8sIHdvcmxkLg==\r\n");
	assert_string_equal(b64.text, "Hello, world.");
}

static void test_control_characters_go(void **state)
{
	(void)state;
	struct intake in = parse("From: a@example.org\r\nSubject: a\x01"
	                         "b\r\n\r\nx\x07y\x1bz\ttab\r\n");
	assert_string_equal(in.text, "xyz\ttab");
	assert_string_equal(in.subject, "ab");
}

static void test_format_flowed_is_joined(void **state)
{
	(void)state;
	struct intake in = parse("From: a@example.org\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n"
	                         "One long \r\nparagraph here.\r\n\r\n> quoted \r\n> on.\r\n-- \r\nSig\r\n");
	assert_string_equal(in.text, "One long paragraph here.\n\n> quoted on.\n--\nSig");
	struct intake delsp = parse("From: a@example.org\r\nContent-Type: text/plain; format=flowed; delsp=yes\r\n\r\n"
	                            "abc \r\ndef\r\n");
	assert_string_equal(delsp.text, "abcdef");
}

static void test_html_becomes_text(void **state)
{
	(void)state;
	const char *html = "<html><head><title>T</title><style>p{color:red}</style><script>alert(1)</script></head>"
	                   "<body><p>First&nbsp;para &amp; more.</p><p>Second<br>line</p><ul><li>one</li><li>two</li>"
	                   "</ul><a href=\"https://example.org/x\">link</a></body></html>";
	const char *t = intake_html_text(&A, html, strlen(html));
	assert_string_equal(
	    t, "First\xc2\xa0para & more.\n\nSecond\nline\n\n- one\n- two\n\nlink <https://example.org/x>");
}

static void test_html_only_message_is_marked(void **state)
{
	(void)state;
	struct intake in =
	    parse("From: a@example.org\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi <b>there</b></p>");
	assert_true(in.html_only);
	assert_string_equal(in.text, "Hi there");
}

static void test_alternative_prefers_plain(void **state)
{
	(void)state;
	struct intake in = parse("From: a@example.org\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
	                         "--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
	                         "--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b--\r\n");
	assert_false(in.html_only);
	assert_string_equal(in.text, "plain");
	assert_int_equal(in.nattachments, 0);
}

static void test_headers_are_decoded(void **state)
{
	(void)state;
	struct intake in =
	    parse("From: =?UTF-8?Q?J=C3=BCrg?= <juerg@example.ch>\r\nTo: A <a@x.example>, b@y.example\r\n"
	          "Cc: Group: c@z.example;\r\nSubject: =?ISO-8859-1?Q?R=E9sum=E9?=\r\n"
	          "Message-ID: <id-1@example.ch>\r\nReferences: <r1@x> <r2@x>\r\nIn-Reply-To: <r3@x>\r\n"
	          "Delivered-To: call@example.org\r\nReturn-Path: <bounce@example.ch>\r\n\r\nx\r\n");
	assert_string_equal(in.from, "juerg@example.ch");
	assert_string_equal(in.from_name, "J\xc3\xbcrg");
	assert_string_equal(in.subject, "R\xc3\xa9sum\xc3\xa9");
	assert_string_equal(in.message_id, "id-1@example.ch");
	assert_string_equal(in.references, "r1@x r2@x r3@x");
	assert_string_equal(in.delivered_to, "call@example.org");
	assert_string_equal(in.return_path, "bounce@example.ch");
	assert_int_equal(in.nto, 3);
	assert_string_equal(in.to[0], "a@x.example");
	assert_string_equal(in.to[2], "c@z.example");
}

static void test_robots_are_recognized(void **state)
{
	(void)state;
	assert_true(parse("From: a@example.org\r\nAuto-Submitted: auto-replied\r\n\r\nx").auto_submitted);
	assert_false(parse("From: a@example.org\r\nAuto-Submitted: no\r\n\r\nx").auto_submitted);
	assert_true(parse("From: a@example.org\r\nPrecedence: bulk\r\n\r\nx").list);
	assert_true(parse("From: a@example.org\r\nList-Id: <l.example.org>\r\n\r\nx").list);
	assert_true(parse("From: MAILER-DAEMON@example.org\r\n\r\nx").bounce);
	assert_true(parse("From: a@example.org\r\nReturn-Path: <>\r\n\r\nx").bounce);
	assert_true(parse("From: a@example.org\r\nContent-Type: multipart/report; boundary=r\r\n\r\n--r\r\n"
	                  "Content-Type: text/plain\r\n\r\nfailed\r\n--r--\r\n")
	                .bounce);
	assert_true(parse("From: a@example.org\r\nX-Auto-Response-Suppress: OOF, AutoReply\r\n\r\nx").suppress);
	struct intake person = parse("From: a@example.org\r\n\r\nx");
	assert_false(person.auto_submitted || person.list || person.bounce || person.suppress);
}

static void test_only_the_trusted_authentication_results_count(void **state)
{
	(void)state;
	const char *msg = "Authentication-Results: mx.ours.example; dkim=pass header.d=example.org; dmarc=pass\r\n"
	                  "Authentication-Results: mx.theirs.example; dkim=fail header.d=example.org\r\n"
	                  "From: a@example.org\r\n\r\nx";
	struct intake ours = parse_opt(msg, "mx.ours.example");
	assert_int_equal(ours.verification, SENDER_PASS);
	assert_string_equal(ours.authentication, "dkim=pass dmarc=pass");
	/* the second header is below the topmost: it came with the message, whatever its authserv-id */
	struct intake theirs = parse_opt(msg, "mx.theirs.example");
	assert_int_equal(theirs.verification, SENDER_NONE);
	assert_null(theirs.authentication);
	struct intake none = parse_opt(msg, NULL);
	assert_int_equal(none.verification, SENDER_NONE);
	assert_null(none.authentication);
	/* a DKIM pass for another domain than the From's says nothing of the sender */
	struct intake other =
	    parse_opt("Authentication-Results: mx.ours.example; dkim=pass (good) header.d=mailer.example\r\n"
	              "From: a@example.org\r\n\r\nx",
	              "mx.ours.example");
	assert_int_equal(other.verification, SENDER_NONE);
	struct intake sub = parse_opt("Authentication-Results: mx.ours.example; dkim=pass header.d=example.org\r\n"
	                              "From: a@lists.example.org\r\n\r\nx",
	                              "mx.ours.example");
	assert_int_equal(sub.verification, SENDER_PASS);
}

static void test_only_the_topmost_authentication_results_is_believed(void **state)
{
	(void)state;
	/* A header the message brought with our authserv-id, below the one the MTA prepended: not believed,
	 * whether the MTA's own says less or has another authserv-id. */
	const char *below = "Authentication-Results: mx.ours.example; dkim=none; dmarc=none\r\n"
	                    "Received: from client.example.org by mx.ours.example\r\n"
	                    "Authentication-Results: mx.ours.example; dkim=pass header.d=example.org; dmarc=pass\r\n"
	                    "From: a@example.org\r\n\r\nx";
	struct intake in = parse_opt(below, "mx.ours.example");
	assert_int_equal(in.verification, SENDER_NONE);
	assert_string_equal(in.authentication, "dkim=none dmarc=none");
	const char *other = "Authentication-Results: relay.elsewhere.example; spf=pass\r\n"
	                    "Authentication-Results: mx.ours.example; dkim=pass header.d=example.org; dmarc=pass\r\n"
	                    "From: a@example.org\r\n\r\nx";
	in = parse_opt(other, "mx.ours.example");
	assert_int_equal(in.verification, SENDER_NONE);
	assert_null(in.authentication);
	/* the topmost one with our authserv-id is read, whatever other headers come before it */
	in = parse_opt("Received: from x by mx.ours.example\r\n"
	               "Authentication-Results: mx.ours.example; dmarc=pass header.from=example.org\r\n"
	               "From: a@example.org\r\n\r\nx",
	               "mx.ours.example");
	assert_int_equal(in.verification, SENDER_PASS);
}

static void test_the_trace_is_what_the_mtas_prepended(void **state)
{
	(void)state;
	const char *body = "From: a@example.org\r\nReceived: written by the sender, not a trace\r\n\r\nx";
	char msg[512];
	snprintf(msg, sizeof msg,
	         "From a@example.org Mon Feb  1 11:02:13 2021\n"
	         "Return-Path: <a@example.org>\r\nDelivered-To: written-inputs@gca-demo.example\r\n"
	         "Received: from client.example.org\r\n\tby mx.gca-demo.example with ESMTP\r\n"
	         "authentication-results: mx.gca-demo.example; dkim=none\r\n%s",
	         body);
	assert_int_equal(intake_trace_length(msg, strlen(msg)), strlen(msg) - strlen(body));
	assert_int_equal(intake_trace_length(body, strlen(body)), 0);
	assert_int_equal(intake_trace_length("", 0), 0);
	const char *only = "Received: from x\r\n";
	assert_int_equal(intake_trace_length(only, strlen(only)), strlen(only));
	const char *cut = "Received: from x\r\n by";
	assert_int_equal(intake_trace_length(cut, strlen(cut)), strlen(cut));
}

static void test_attachments_and_their_names(void **state)
{
	(void)state;
	struct intake in =
	    parse("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
	          "--m\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
	          "--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
	          "filename=\"../../etc/passwd\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
	          "--m\r\nContent-Type: application/octet-stream\r\n\r\nxyz\r\n"
	          "--m\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n\r\nsig\r\n"
	          "--m\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n\r\ntnef\r\n--m--\r\n");
	assert_string_equal(in.text, "body");
	assert_int_equal(in.nattachments, 3);
	assert_string_equal(in.attachments[0].name, "passwd");
	assert_string_equal(in.attachments[0].declared_type, "application/pdf");
	assert_int_equal(in.attachments[0].size, 5);
	assert_memory_equal(in.attachments[0].data, "%PDF-", 5);
	assert_string_equal(in.attachments[1].name, "attachment-2");
	assert_true(in.attachments[2].tnef);
}

static void test_too_many_attachments_is_a_problem_not_an_error(void **state)
{
	(void)state;
	char raw[16384];
	int n = snprintf(raw, sizeof raw, "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n");
	for (int i = 0; i <= LIMIT_MAIL_ATTACHMENTS; i++)
		n += snprintf(raw + n, sizeof raw - (size_t)n,
		              "--m\r\nContent-Type: application/octet-stream; name=f%d.bin\r\n\r\n%d\r\n", i, i);
	/* past the limit, a forwarded message is counted and not kept either */
	snprintf(
	    raw + n, sizeof raw - (size_t)n,
	    "--m\r\nContent-Type: message/rfc822\r\n\r\nFrom: b@example.org\r\nSubject: fwd\r\n\r\nfwd\r\n--m--\r\n");
	struct intake in = parse(raw);
	assert_int_equal(in.problem_reason, HOLDING_LIMIT);
	assert_int_equal(in.problem, INTAKE_TOO_MANY_ATTACHMENTS);
	assert_non_null(strstr(intake_problem(&A, &in), "22 attachments; at most 20"));
	assert_int_equal(in.nattachments, LIMIT_MAIL_ATTACHMENTS);
	for (int i = 0; i < in.nattachments; i++)
		assert_non_null(in.attachments[i].name);
}

static void test_deep_nesting_is_a_problem(void **state)
{
	(void)state;
	char raw[8192];
	int n = snprintf(raw, sizeof raw, "From: a@example.org\r\n");
	for (int i = 0; i < LIMIT_MAIL_DEPTH + 3; i++)
		n += snprintf(raw + n, sizeof raw - (size_t)n,
		              "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
	snprintf(raw + n, sizeof raw - (size_t)n, "Content-Type: text/plain\r\n\r\ndeep\r\n");
	struct intake in = parse(raw);
	assert_int_equal(in.problem_reason, HOLDING_LIMIT);
}

static void test_nothing_is_not_a_message(void **state)
{
	(void)state;
	struct intake in;
	struct error e;
	error_clear(&e);
	assert_int_equal(intake_parse(&A, "", 0, NULL, &in, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	error_clear(&e);
	assert_int_equal(intake_parse(&A, " \r\n", 3, NULL, &in, &e), -1);
	/* bytes without a NUL after them (found by fuzz_intake): read to their length and no further */
	char *blank = malloc(2);
	assert_non_null(blank);
	memcpy(blank, "\n\n", 2);
	error_clear(&e);
	assert_int_equal(intake_parse(&A, blank, 2, NULL, &in, &e), -1);
	free(blank);
}

int main(void)
{
	intake_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_iso_8859_1_is_read_as_windows_1252, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_undeclared_8bit_is_utf8_when_valid_else_windows_1252, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_utf8_is_repaired_not_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quoted_printable_and_base64, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_control_characters_go, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_format_flowed_is_joined, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_html_becomes_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_html_only_message_is_marked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alternative_prefers_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_headers_are_decoded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_robots_are_recognized, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_only_the_trusted_authentication_results_count, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_only_the_topmost_authentication_results_is_believed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_the_trace_is_what_the_mtas_prepended, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attachments_and_their_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_attachments_is_a_problem_not_an_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deep_nesting_is_a_problem, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nothing_is_not_a_message, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
