/* The outbox (core/outbox.h) on SQLite. Its claims: two claims made while a lease runs share no mail; a
 * claim whose lease has ended is taken again; renewing extends only the claimer's own mails; letting go
 * makes them due at once; marking a mail ends its claim. (tests/integration/test_cluster.py runs senders in
 * processes of their own on PostgreSQL.) Times here are the outbox's machine times, given to each call,
 * never read. Its attachments: the bytes the sender hands over, read back by GMime, carry each file whole
 * under its name and type, the files stored once for many mails; bad names, types and missing bytes are
 * refused. */
#include "core/audit.h"
#include "core/blob.h"
#include "core/outbox.h"
#include "store/db.h"
#include "util/arena.h"

#include "unit_db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

enum { T0 = 1700000000, LEASE = 300, MAILS = 5 };

static struct db *db;

static int setup(void **state)
{
	(void)state;
	if (unit_db_open("2021-02-01T10:00:00Z", UNIT_NO_DEMO, &db) != 0)
		return -1;
	static const char sql[] = "INSERT INTO outbox (created_at, kind, recipient, message, message_id, "
	                          "next_attempt_at) VALUES (?, 'notice', ?, 'Subject: x\r\n\r\nx\r\n', ?, ?)";
	struct error e;
	error_clear(&e);
	for (int i = 0; i < MAILS; i++) {
		char to[64], id[64];
		snprintf(to, sizeof to, "reader%d@example.org", i);
		snprintf(id, sizeof id, "m%d@example.org", i);
		struct db_stmt *st = db_stmt(db, sql, &e);
		if (!st)
			return -1;
		db_bind_int(st, 1, T0);
		db_bind_text(st, 2, to);
		db_bind_text(st, 3, id);
		db_bind_int(st, 4, T0 + i); /* due one after the other */
		if (db_exec_stmt(st, &e) != 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_db_remove();
	return 0;
}

static int claim(const char *who, int64_t now, int limit, struct outbox_item **items)
{
	static struct arena a;
	arena_free(&a);
	arena_init(&a);
	struct error e;
	error_clear(&e);
	int n = -1;
	assert_int_equal(outbox_claim(db, &a, now, LEASE, who, limit, items, &n, &e), 0);
	return n;
}

static void test_claims(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	struct outbox_item *items;
	/* Only what is due: at T0 + 1, the first two. */
	assert_int_equal(claim("a", T0 + 1, 10, &items), 2);
	assert_string_equal(items[0].message_id, "m0@example.org");
	assert_string_equal(items[1].message_id, "m1@example.org");
	/* Another claimer, later, takes the rest and nothing of a's. */
	assert_int_equal(claim("b", T0 + 10, 10, &items), 3);
	assert_string_equal(items[0].message_id, "m2@example.org");
	assert_int_equal(claim("c", T0 + 10, 10, &items), 0);
	/* b lets go of its mails: due again for anyone at once. */
	assert_int_equal(outbox_claim_release(db, "b", &e), 3);
	assert_int_equal(claim("c", T0 + 11, 2, &items), 2);
	/* a renews before its lease ends: its two are extended, nobody else's. */
	assert_int_equal(outbox_claim_renew(db, "a", T0 + 100, LEASE, &e), 2);
	/* At T0 + 1 + LEASE a's first lease would have ended; renewed, it holds until T0 + 100 + LEASE. */
	assert_int_equal(claim("d", T0 + 1 + LEASE, 10, &items), 1); /* the one c did not take */
	/* c's lease ends (c died): its mails go to e. */
	assert_int_equal(claim("e", T0 + 11 + LEASE, 10, &items), 2);
	/* a's renewal after its lease ended extends nothing: the mails may be another's by then. */
	assert_int_equal(outbox_claim_renew(db, "a", T0 + 100 + LEASE, LEASE, &e), 0);
	assert_int_equal(claim("f", T0 + 100 + LEASE, 10, &items), 2);
	/* Marked sent: no claim left on it, never claimed again. */
	assert_int_equal(outbox_mark_sent(db, items[0].id, T0 + 101 + LEASE, &e), 0);
	assert_int_equal(outbox_claim_release(db, "f", &e), 1);
	assert_int_equal(claim("g", T0 + 10000, 10, &items), 4);
	for (int i = 0; i < 4; i++)
		assert_true(strcmp(items[i].message_id, "m0@example.org") != 0);
}

static void exec_sql(const char *sql)
{
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	assert_int_equal(db_exec_stmt(st, &e), 0);
}

/* Queues a mail to `to` carrying files, in a transaction of its own; 0 or -1 (with e). */
static int queue_with_files(const char *to, const struct outbox_attachment *files, int n, struct error *e)
{
	struct arena a;
	arena_init(&a);
	struct outbox_mail mail = {.kind = "letter",
				   .to = to,
				   .subject = "Circular letter CL-20/55",
				   .body = "Dear colleague,\nthe letter is attached.\n",
				   .attachments = files,
				   .nattachments = n};
	struct outbox_ready ready;
	int rc = db_begin(db, e);
	if (rc == 0 && (rc = outbox_compose(&a, &mail, &ready, e)) == 0)
		rc = outbox_insert(db, &ready, e);
	if (rc == 0)
		rc = db_commit(db, e);
	else
		db_rollback(db);
	arena_free(&a);
	return rc;
}

/* The bytes of part i of a parsed multipart message, decoded, in a GByteArray the caller unrefs. */
static GByteArray *part_bytes(GMimeMultipart *mp, int i, GMimePart **part)
{
	*part = GMIME_PART(g_mime_multipart_get_part(mp, i));
	GMimeDataWrapper *content = g_mime_part_get_content(*part);
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	GByteArray *bytes = g_byte_array_new();
	g_byte_array_append(bytes, g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))->data,
			    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))->len);
	g_object_unref(mem);
	return bytes;
}

static void test_attachments(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	/* Every byte value, in a file whose length is not a multiple of 3 or 57 (base64's groups and lines). */
	unsigned char pdf[1000];
	for (size_t i = 0; i < sizeof pdf; i++)
		pdf[i] = (unsigned char)(i * 7 + i / 256);
	static const char ics[] = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n";
	char pdf_name[BLOB_NAME_LEN + 1], ics_name[BLOB_NAME_LEN + 1];
	assert_int_equal(db_begin(db, &e), 0);
	assert_int_equal(blob_put(db, pdf, sizeof pdf, pdf_name, &e), 0);
	assert_int_equal(blob_put(db, ics, strlen(ics), ics_name, &e), 0);
	assert_int_equal(db_commit(db, &e), 0);
	const struct outbox_attachment files[] = {
	    {.filename = "CL-20-55 lettre circulaire é.pdf", .content_type = "application/pdf", .blob = pdf_name},
	    {.filename = "invite.ics", .content_type = "text/calendar; charset=UTF-8; method=REQUEST", .blob = ics_name},
	};
	for (int i = 0; i < 3; i++) {
		char to[64];
		snprintf(to, sizeof to, "member%d@example.org", i);
		assert_int_equal(queue_with_files(to, files, 2, &e), 0);
	}
	/* Three mails, the files' bytes stored once each (a blob), three rows naming them per file. */
	struct db_stmt *st = db_stmt(db, "SELECT count(*) FROM outbox_attachment", &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 6);
	db_reset(st);

	struct outbox_item *claimed, *items[3];
	int n = claim("files", T0 + 100000000, 20, &claimed), k = 0;
	for (int i = 0; i < n; i++) /* the mails of test_claims are due too: these are the ones with files */
		if (claimed[i].boundary) {
			assert_true(k < 3);
			items[k++] = &claimed[i];
		}
	assert_int_equal(k, 3);
	g_mime_init();
	for (int m = 0; m < 3; m++) {
		struct arena a;
		arena_init(&a);
		const char *data;
		size_t len;
		assert_int_equal(outbox_wire(db, &a, items[m], &data, &len, &e), 0);
		assert_int_equal(strlen(data), len);
		GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
		GMimeParser *parser = g_mime_parser_new_with_stream(stream);
		GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
		assert_non_null(msg);
		GMimeObject *body = g_mime_message_get_mime_part(msg);
		assert_true(GMIME_IS_MULTIPART(body));
		GMimeMultipart *mp = GMIME_MULTIPART(body);
		assert_int_equal(g_mime_multipart_get_count(mp), 3);
		GMimePart *part;
		GByteArray *text = part_bytes(mp, 0, &part);
		assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(GMIME_OBJECT(part)), "text", "plain"));
		assert_non_null(memmem(text->data, text->len, "the letter is attached", 22));
		g_byte_array_unref(text);
		GByteArray *got = part_bytes(mp, 1, &part);
		assert_string_equal(g_mime_part_get_filename(part), "CL-20-55 lettre circulaire é.pdf");
		assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(GMIME_OBJECT(part)), "application",
							"pdf"));
		assert_int_equal(got->len, sizeof pdf);
		assert_memory_equal(got->data, pdf, sizeof pdf);
		g_byte_array_unref(got);
		got = part_bytes(mp, 2, &part);
		assert_string_equal(g_mime_part_get_filename(part), "invite.ics");
		assert_string_equal(g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "method"), "REQUEST");
		assert_int_equal(got->len, strlen(ics));
		assert_memory_equal(got->data, ics, strlen(ics));
		g_byte_array_unref(got);
		/* no line of what goes to the SMTP server is longer than RFC 5322's 78 characters */
		for (const char *line = data; *line;) {
			const char *end = strstr(line, "\r\n");
			assert_non_null(end);
			assert_true(end - line <= 78);
			line = end + 2;
		}
		g_object_unref(msg);
		g_object_unref(parser);
		g_object_unref(stream);
		arena_free(&a);
	}
	/* A mail without files is its stored message as it is. */
	for (int i = 0; i < n; i++) {
		if (claimed[i].boundary)
			continue;
		struct arena a;
		arena_init(&a);
		const char *data;
		size_t len;
		assert_int_equal(outbox_wire(db, &a, &claimed[i], &data, &len, &e), 0);
		assert_ptr_equal(data, claimed[i].message);
		arena_free(&a);
	}
}

static void test_bad_attachments(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	char name[BLOB_NAME_LEN + 1];
	assert_int_equal(db_begin(db, &e), 0);
	assert_int_equal(blob_put(db, "x", 1, name, &e), 0);
	assert_int_equal(db_commit(db, &e), 0);
	const struct outbox_attachment bad[] = {
	    {.filename = "a\r\nBcc: x@example.org", .content_type = "application/pdf", .blob = name},
	    {.filename = "", .content_type = "application/pdf", .blob = name},
	    {.filename = "a.pdf", .content_type = "application/pdf\r\nBcc: x@example.org", .blob = name},
	    {.filename = "a.pdf", .content_type = "application/pdf; name=\"x\"", .blob = name},
	    {.filename = "a.pdf", .content_type = "pdf", .blob = name},
	    {.filename = "a.pdf", .content_type = "application/pdf", .blob = "not-a-blob-name"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		error_clear(&e);
		assert_int_equal(queue_with_files("bad@example.org", &bad[i], 1, &e), -1);
		assert_string_equal(e.code, ERROR_INVALID);
	}
	struct outbox_attachment many[OUTBOX_ATTACHMENTS_MAX + 1];
	for (int i = 0; i <= OUTBOX_ATTACHMENTS_MAX; i++)
		many[i] = (struct outbox_attachment){.filename = "a.txt", .content_type = "text/plain", .blob = name};
	error_clear(&e);
	assert_int_equal(queue_with_files("bad@example.org", many, OUTBOX_ATTACHMENTS_MAX + 1, &e), -1);
	assert_string_equal(e.code, ERROR_INVALID);
	/* Bytes that are not stored: the mail is not queued (its file must exist in the same transaction). */
	error_clear(&e);
	const struct outbox_attachment gone = {
	    .filename = "a.pdf",
	    .content_type = "application/pdf",
	    .blob = "0000000000000000000000000000000000000000000000000000000000000000"};
	assert_int_equal(queue_with_files("bad@example.org", &gone, 1, &e), -1);
	struct db_stmt *st = db_stmt(db, "SELECT count(*) FROM outbox WHERE recipient = 'bad@example.org'", &e);
	assert_non_null(st);
	assert_int_equal(db_step(st, &e), DB_ROW);
	assert_int_equal(db_col_int(st, 0), 0);
	db_reset(st);
	/* A file whose bytes went missing after queueing: the sender is told it cannot send that mail. */
	struct arena a;
	arena_init(&a);
	struct outbox_item item = {.id = 999999, .message = "x", .boundary = "=_b"};
	exec_sql("INSERT INTO outbox (id, created_at, kind, recipient, message, message_id, next_attempt_at, boundary) "
		 "VALUES (999999, 0, 'letter', 'z@example.org', 'x', 'z@example.org', 0, '=_b')");
	exec_sql("PRAGMA foreign_keys=OFF");
	exec_sql("INSERT INTO outbox_attachment VALUES (999999, 0, "
		 "'1111111111111111111111111111111111111111111111111111111111111111', 'a.pdf', 'application/pdf')");
	exec_sql("PRAGMA foreign_keys=ON");
	const char *data;
	size_t len;
	error_clear(&e);
	assert_int_equal(outbox_wire(db, &a, &item, &data, &len, &e), -1);
	assert_string_equal(e.code, ERROR_NOT_FOUND);
	arena_free(&a);
}

/* A person is greeted by a name that is a name; anything that could carry words of its own (a domain, a link,
 * an address, digits, a sentence, control characters) gets the neutral greeting (English: no catalogue here). */
static void test_greeting(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	static const char *const names[] = {"Ada Lovelace", "Marie-Jeanne d'Arc", "J. R. Smith", "Zo\xc3\xab",
	                                    "\xe6\x9d\x8e\xe5\x8d\x8e"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		assert_string_equal(outbox_greeting(&a, names[i]), arena_printf(&a, "Dear %s,", names[i]));
	static const char *const not_names[] = {
	    NULL,
	    "",
	    " Ada",
	    "Ada ",
	    "Ada  Lovelace",
	    "evil.example",
	    "Visit http://x",
	    "ada@example.org",
	    "Mr 007",
	    "one two three four five six seven",
	    "Ada\nLovelace",
	    "Ada\r\nBcc: x",
	    "<b>Ada</b>",
	    "Ada, click here",
	    "evil\xef\xbc\x8e"
	    "example", /* U+FF0E, a fullwidth full stop */
	    "A very long name that goes on and on and on, longer than any name should be at all"};
	for (size_t i = 0; i < sizeof not_names / sizeof *not_names; i++)
		assert_string_equal(outbox_greeting(&a, not_names[i]), "Hello,");
	arena_free(&a);
}

/* A mail a sender holds now is not made due again (its exchange may be under way: freed, it could be sent twice);
 * a failed one is, its attempts kept, audited; a sent one never. */
static void test_retry(void **state)
{
	(void)state;
	static const char sql[] = "INSERT INTO outbox (id, created_at, kind, recipient, message, message_id, "
	                          "next_attempt_at, attempts, claimed_by, claimed_until, failed_at, sent_at) VALUES "
	                          "(900, 1, 'receipt', 'held@example.org', 'x', 'held@x', 1, 1, 'other:1:ab', 4000000000, "
	                          "NULL, NULL), (901, 1, 'receipt', 'failed@example.org', 'x', 'failed@x', 1, 2, NULL, "
	                          "NULL, 5, NULL), (902, 1, 'receipt', 'sent@example.org', 'x', 'sent@x', 1, 1, NULL, "
	                          "NULL, NULL, 5)";
	struct error e;
	error_clear(&e);
	struct db_stmt *st = db_stmt(db, sql, &e);
	assert_non_null(st);
	assert_int_equal(db_exec_stmt(st, &e), 0);
	assert_int_equal(outbox_retry(db, &ACTOR_COMMAND_LINE, 900, &e), -1);
	assert_string_equal(e.code, ERROR_CONFLICT);
	error_clear(&e);
	assert_int_equal(outbox_retry(db, &ACTOR_COMMAND_LINE, 902, &e), -1);
	assert_string_equal(e.code, ERROR_CONFLICT);
	error_clear(&e);
	assert_int_equal(outbox_retry(db, &ACTOR_COMMAND_LINE, 903, &e), -1);
	assert_string_equal(e.code, ERROR_NOT_FOUND);
	error_clear(&e);
	assert_int_equal(outbox_retry(db, &ACTOR_COMMAND_LINE, 901, &e), 0);
	struct arena a;
	arena_init(&a);
	struct outbox_entry x;
	assert_int_equal(outbox_find(db, &a, 901, &x, &e), 0);
	assert_int_equal(x.state, OUTBOX_QUEUED);
	assert_int_equal(x.attempts, 2);
	assert_int_equal(outbox_find(db, &a, 900, &x, &e), 0);
	assert_int_equal(x.state, OUTBOX_QUEUED); /* still the other sender's */
	struct outbox_entry *list;
	int n;
	int64_t total;
	const enum outbox_state failed = OUTBOX_FAILED;
	assert_int_equal(outbox_list(db, &a, &failed, 0, 10, &list, &n, &total, &e), 0);
	assert_int_equal(total, 0);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claims),
	    cmocka_unit_test(test_attachments),
	    cmocka_unit_test(test_bad_attachments),
	    cmocka_unit_test(test_greeting),
	    cmocka_unit_test(test_retry),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
