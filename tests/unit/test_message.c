/* Mail messages (render/message.c): quoted-printable bodies with soft line breaks before 76 characters,
 * lines that relays would alter ("From ", ".") encoded, RFC 2047 subjects that decode back to the text, and
 * no header that could carry a line break (header injection). The tests decode what was written, with
 * decoders of their own, rather than compare against a copy of the encoder's output. */
#include "render/message.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const struct message BASE = {
    .from = "consulta@example.org",
    .from_name = "Consulta",
    .to = "ada@example.org",
    .subject = "Contribution received",
    .body = "Hello.\n",
    .message_id = "0123456789abcdef@example.org",
    .date = 1612173600, /* 2021-02-01T10:00:00Z, a Monday */
};

/* Composes m; the text is in b (freed by the caller). */
static int compose(struct buf *b, const struct message *m)
{
	buf_init(b, 1 << 20);
	return message_compose(b, m);
}

/* The body of a composed message: what follows the blank line. */
static const char *body_of(const char *text)
{
	const char *p = strstr(text, "\r\n\r\n");
	assert_non_null(p);
	return p + 4;
}

/* A header's value as written (with folding), or NULL. */
static char *header_of(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *end = strstr(text, "\r\n\r\n");
	for (const char *p = text; p && p < end; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			const char *stop = v;
			while (stop < end && !(stop[0] == '\r' && stop[1] == '\n' && stop[2] != ' ' && stop[2] != '\t'))
				stop++;
			return strndup(v, (size_t)(stop - v));
		}
	}
	return NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes quoted-printable (CRLF line ends become \n); fails the test on a malformed escape. The writer
 * ends the body with a line end of its own, so a body that ended with \n decodes with one more. */
static char *qp_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	assert_non_null(out);
	while (*s) {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3; /* soft line break */
		} else if (s[0] == '=') {
			assert_true(hexval(s[1]) >= 0 && hexval(s[2]) >= 0);
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else if (s[0] == '\r' && s[1] == '\n') {
			*o++ = '\n';
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		int len = s[i] < 0x80             ? 1
		          : (s[i] & 0xE0) == 0xC0 ? 2
		          : (s[i] & 0xF0) == 0xE0 ? 3
		          : (s[i] & 0xF8) == 0xF0 ? 4
		                                  : 0;
		if (!len || i + (size_t)len > n)
			return false;
		for (int k = 1; k < len; k++)
			if ((s[i + (size_t)k] & 0xC0) != 0x80)
				return false;
		i += (size_t)len;
	}
	return true;
}

static int b64val(char c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;
	return p ? (int)(p - a) : -1;
}

/* Decodes a header value made of RFC 2047 B-encoded words separated by folding white space, checking that
 * each word is at most 75 characters and decodes to whole UTF-8 characters. */
static char *encoded_words_decode(const char *v)
{
	char *out = calloc(1, strlen(v) + 1);
	size_t n = 0;
	assert_non_null(out);
	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
			v++;
		if (!*v)
			break;
		assert_memory_equal(v, "=?UTF-8?B?", 10);
		const char *end = strstr(v + 10, "?=");
		assert_non_null(end);
		assert_true(end + 2 - v <= 75);
		size_t start = n;
		unsigned acc = 0;
		int bits = 0;
		for (const char *p = v + 10; p < end && *p != '='; p++) {
			int x = b64val(*p);
			assert_true(x >= 0);
			acc = (acc << 6) | (unsigned)x;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				out[n++] = (char)(acc >> bits & 0xFF);
			}
		}
		assert_true(utf8_ok((const unsigned char *)out + start, n - start));
		v = end + 2;
	}
	out[n] = '\0';
	return out;
}

static void test_long_lines_get_soft_breaks_before_76(void **state)
{
	(void)state;
	char body[600];
	/* 250 ASCII letters, then 100 two-byte characters (each 6 characters encoded), then an '=' */
	size_t n = 0;
	for (int i = 0; i < 250; i++)
		body[n++] = (char)('a' + i % 26);
	for (int i = 0; i < 100; i++) {
		body[n++] = (char)0xC3;
		body[n++] = (char)0xA9;
	}
	body[n++] = '=';
	body[n++] = '\n';
	body[n] = '\0';
	struct message m = BASE;
	m.body = body;
	struct buf b;
	assert_int_equal(compose(&b, &m), 0);
	const char *qp = body_of(b.data);
	int lines = 0;
	for (const char *p = qp; *p;) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 76);
		/* Every '=' starts a whole escape, or is the soft break at the very end: no escape is cut in two. */
		for (const char *q = p; q < eol; q++)
			if (*q == '=')
				assert_true(q + 1 == eol || (q + 3 <= eol && hexval(q[1]) >= 0 && hexval(q[2]) >= 0));
		lines++;
		p = eol + 2;
	}
	assert_true(lines >= 8);
	char *decoded = qp_decode(qp);
	decoded[strlen(decoded) - 1] = '\0'; /* the writer's own last line end */
	assert_string_equal(decoded, body);
	free(decoded);
	buf_free(&b);
}

/* A body composed in two steps (message_compose_open, then _close with its last lines) is byte for byte the one
 * composed whole: long lines, spaces before a line break, "From " and "." lines, non-ASCII, on either side. */
static void test_a_body_composed_in_two_steps_is_the_one_composed_whole(void **state)
{
	(void)state;
	static const char head[] = "Hello,\n\nA line that is long enough to need a soft break before the seventy-sixth "
				   "character, with caf\u00e9 and = in it. \nFrom here on\n.dot\n";
	static const char rest[] = "\nIts record: leaf 123456 of the public tamper-evident record, a line long enough to "
				   "be broken softly too. \nFrom the end\n.\n";
	char whole[sizeof head + sizeof rest];
	snprintf(whole, sizeof whole, "%s%s", head, rest);
	struct message m = BASE;
	m.body = whole;
	struct buf one, two;
	buf_init(&one, 1 << 16);
	buf_init(&two, 1 << 16);
	assert_int_equal(message_compose(&one, &m), 0);
	m.body = head;
	assert_int_equal(message_compose_open(&two, &m), 0);
	assert_int_equal(message_compose_close(&two, rest), 0);
	assert_int_equal(one.len, two.len);
	assert_memory_equal(one.data, two.data, one.len);
	/* a first part that does not end its line is refused: its encoding would depend on what follows */
	buf_reset(&two);
	m.body = "no line break";
	assert_int_equal(message_compose_open(&two, &m), -1);
	buf_free(&one);
	buf_free(&two);
}

static void test_lines_starting_with_from_or_dot_are_encoded(void **state)
{
	(void)state;
	struct message m = BASE;
	m.body = "From the secretariat.\n.\n..and more\nNot From here\ntrailing space \nend\t\n";
	struct buf b;
	assert_int_equal(compose(&b, &m), 0);
	const char *qp = body_of(b.data);
	assert_null(strstr(qp, "\r\nFrom "));
	assert_true(strncmp(qp, "From ", 5) != 0);
	assert_null(strstr(qp, "\r\n."));
	assert_true(qp[0] != '.');
	assert_non_null(strstr(qp, "=46rom the secretariat."));
	assert_non_null(strstr(qp, "\r\n=2E\r\n"));
	assert_non_null(strstr(qp, "Not From here")); /* only at the start of a line */
	assert_non_null(strstr(qp, "trailing space=20\r\n"));
	assert_non_null(strstr(qp, "end=09\r\n"));
	char *decoded = qp_decode(qp);
	decoded[strlen(decoded) - 1] = '\0';
	assert_string_equal(decoded, m.body);
	free(decoded);
	buf_free(&b);
}

static void test_subject_encoded_words_round_trip(void **state)
{
	(void)state;
	const char *subjects[] = {
	    "Contribution re\xc3\xa7ue : suivi n\xc2\xb0 7Q2K-M4XA-P",
	    /* long enough for several words, with 2-, 3- and 4-byte characters at every offset */
	    "\xc3\xa9\xe2\x80\x94\xf0\x9f\x93\xa8 Observations \xe2\x80\x9csur le projet\xe2\x80\x9d \xe2\x80\x94 "
	    "\xd0\x9a\xd0\xbe\xd0\xbd\xd1\x81\xd1\x83\xd0\xbb\xd1\x8c\xd1\x82\xd0\xb0\xd1\x86\xd0\xb8\xd1\x8f "
	    "\xe5\x85\xac\xe4\xbc\x97\xe5\x92\xa8\xe8\xaf\xa2 \xf0\x9f\x93\xa8\xf0\x9f\x93\xa8\xf0\x9f\x93\xa8 "
	    "r\xc3\xa9vis\xc3\xa9 le 5 mai 2020, d\xc3\xa9lai prolong\xc3\xa9 jusqu'au 1er mars 2021",
	};
	for (size_t i = 0; i < sizeof subjects / sizeof *subjects; i++) {
		struct message m = BASE;
		m.subject = subjects[i];
		struct buf b;
		assert_int_equal(compose(&b, &m), 0);
		char *raw = header_of(b.data, "Subject");
		assert_non_null(raw);
		for (const char *p = raw; *p; p++)
			assert_true((unsigned char)*p < 0x80); /* nothing but ASCII in a header */
		char *decoded = encoded_words_decode(raw);
		assert_string_equal(decoded, subjects[i]);
		free(decoded);
		free(raw);
		buf_free(&b);
	}
	/* An ASCII subject is written as it is. */
	struct buf b;
	assert_int_equal(compose(&b, &BASE), 0);
	char *raw = header_of(b.data, "Subject");
	assert_string_equal(raw, "Contribution received");
	free(raw);
	buf_free(&b);
}

static void test_line_breaks_in_headers_are_refused(void **state)
{
	(void)state;
	const char *bad[] = {"x\r\nBcc: eve@example.org", "x\nBcc: eve@example.org", "x\rBcc: eve@example.org"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct message variants[6];
		for (int k = 0; k < 6; k++)
			variants[k] = BASE;
		variants[0].subject = bad[i];
		variants[1].to = bad[i];
		variants[2].from_name = bad[i];
		variants[3].from = bad[i];
		variants[4].list_unsubscribe = bad[i];
		variants[5].in_reply_to = bad[i];
		for (int k = 0; k < 6; k++) {
			struct buf b;
			assert_int_equal(compose(&b, &variants[k]), -1);
			assert_true(b.len == 0 || !strstr(b.data, "Bcc:"));
			buf_free(&b);
		}
	}
	/* A line break in the body is the body's business: it is a line end. */
	struct message m = BASE;
	m.body = "one\r\ntwo";
	struct buf b;
	assert_int_equal(compose(&b, &m), 0);
	assert_string_equal(body_of(b.data), "one\r\ntwo\r\n");
	buf_free(&b);
}

static void test_the_headers_every_message_has(void **state)
{
	(void)state;
	struct message m = BASE;
	m.list_unsubscribe = "https://consulta.example/subscriptions/leave?token=abc";
	struct buf b;
	assert_int_equal(compose(&b, &m), 0);
	char *h;
	assert_string_equal(h = header_of(b.data, "Date"), "Mon, 01 Feb 2021 10:00:00 +0000");
	free(h);
	assert_string_equal(h = header_of(b.data, "Message-ID"), "<0123456789abcdef@example.org>");
	free(h);
	assert_string_equal(h = header_of(b.data, "From"), "\"Consulta\" <consulta@example.org>");
	free(h);
	assert_string_equal(h = header_of(b.data, "Auto-Submitted"), "auto-generated");
	free(h);
	assert_string_equal(h = header_of(b.data, "X-Auto-Response-Suppress"), "All");
	free(h);
	assert_string_equal(h = header_of(b.data, "List-Unsubscribe"),
	                    "<https://consulta.example/subscriptions/leave?token=abc>");
	free(h);
	assert_string_equal(h = header_of(b.data, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
	free(h);
	assert_string_equal(h = header_of(b.data, "Content-Type"), "text/plain; charset=utf-8");
	free(h);
	assert_string_equal(h = header_of(b.data, "Content-Transfer-Encoding"), "quoted-printable");
	free(h);
	assert_null(header_of(b.data, "In-Reply-To"));
	buf_free(&b);

	char date[40];
	message_date(0, date);
	assert_string_equal(date, "Thu, 01 Jan 1970 00:00:00 +0000");
	message_date(951782400, date); /* 2000-02-29, a leap day */
	assert_string_equal(date, "Tue, 29 Feb 2000 00:00:00 +0000");
}

/* The language of the text (issue 14): Content-Language with the tag as given; none without one; a tag that
 * could break or add a header is refused like a line break. */
static void test_content_language(void **state)
{
	(void)state;
	struct message m = BASE;
	m.language = "fr";
	struct buf b;
	assert_int_equal(compose(&b, &m), 0);
	char *h;
	assert_string_equal(h = header_of(b.data, "Content-Language"), "fr");
	free(h);
	buf_free(&b);
	m.language = "zh-Hant";
	assert_int_equal(compose(&b, &m), 0);
	assert_string_equal(h = header_of(b.data, "Content-Language"), "zh-Hant");
	free(h);
	buf_free(&b);
	m = BASE;
	assert_int_equal(compose(&b, &m), 0);
	assert_null(header_of(b.data, "Content-Language"));
	buf_free(&b);
	static const char *const bad[] = {"", "fr\r\nBcc: x@example.org", "fr; q=1", "fr en",
	                                  "a-very-long-tag-of-more-than-35-chars"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		m.language = bad[i];
		assert_int_equal(compose(&b, &m), -1);
		buf_free(&b);
	}
}

/* message_read() gives back what was composed, for the office's outbox page: the header block with LF line ends,
 * and the text decoded (soft breaks joined, =XX made bytes, UTF-8 whole), also for a message with files. */
static void test_a_composed_message_reads_back(void **state)
{
	(void)state;
	static const char body[] =
	    "Dear Zo\xc3\xab,\n\nA line that is long enough to need a soft break before the seventy-sixth column, "
	    "with = signs and a link http://x/account/confirm?token=abc_DEF-123\nFrom here.\n.\n";
	for (int multipart = 0; multipart < 2; multipart++) {
		struct message m = BASE;
		m.body = body;
		m.boundary = multipart ? "=_consulta_0123" : NULL;
		struct buf b, headers, text;
		assert_int_equal(compose(&b, &m), 0);
		buf_init(&headers, 1 << 20);
		buf_init(&text, 1 << 20);
		assert_int_equal(message_read(b.data, &headers, &text), 0);
		/* the body, and the line break that ends every message's text */
		assert_int_equal(text.len, strlen(body) + 1);
		assert_memory_equal(text.data, body, strlen(body));
		assert_int_equal(text.data[text.len - 1], '\n');
		assert_non_null(
		    memmem(headers.data, headers.len, "\nTo: ada@example.org\n", strlen("\nTo: ada@example.org\n")));
		assert_null(memchr(headers.data, '\r', headers.len));
		assert_null(memmem(headers.data, headers.len, "Dear", 4));
		buf_free(&b);
		buf_free(&headers);
		buf_free(&text);
	}
	struct buf headers, text;
	buf_init(&headers, 1 << 20);
	buf_init(&text, 1 << 20);
	assert_int_equal(message_read("no blank line after the headers\r\n", &headers, &text), -1);
	buf_free(&headers);
	buf_free(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_long_lines_get_soft_breaks_before_76),
	    cmocka_unit_test(test_a_body_composed_in_two_steps_is_the_one_composed_whole),
	    cmocka_unit_test(test_lines_starting_with_from_or_dot_are_encoded),
	    cmocka_unit_test(test_subject_encoded_words_round_trip),
	    cmocka_unit_test(test_line_breaks_in_headers_are_refused),
	    cmocka_unit_test(test_the_headers_every_message_has),
	    cmocka_unit_test(test_content_language),
	    cmocka_unit_test(test_a_composed_message_reads_back),
	};
	return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
