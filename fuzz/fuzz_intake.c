/*
 * fuzz_intake — libFuzzer driver for the e-mail intake parser
 * (src/mail/intake.c): any bytes, as a message from anyone on the Internet
 * could be. Beyond the sanitizers' findings it checks intake.h's promises,
 * and traps when one is broken: every string is valid UTF-8 without control
 * characters (tab and newline allowed in the text), attachments have names,
 * and their sizes are within the limit.
 *
 * Built and run by fuzz/run.sh (clang -fsanitize=fuzzer,address,undefined),
 * seeded with tests/mail/fixtures.
 */
#include "core/limits.h"
#include "mail/intake.h"
#include "util/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *s)
{
	if (s && (!utf8_valid(s, strlen(s)) || utf8_has_control(s, false) || strchr(s, '\n')))
		__builtin_trap();
}

static void check_text(const char *s)
{
	if (!s || !utf8_valid(s, strlen(s)) || utf8_has_control(s, true) || strchr(s, '\r'))
		__builtin_trap();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	intake_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct intake in;
	const struct intake_options opt = {.authserv_id = "mx.gca-demo.example"};
	/* the trace is a prefix of the message, never beyond it */
	if (intake_trace_length(data, size) > size)
		abort();
	if (intake_parse(&a, data, size, &opt, &in, &e) == 0) {
		check_text(in.text);
		check_line(in.from);
		check_line(in.from_name);
		check_line(in.subject);
		check_line(in.message_id);
		check_line(in.references);
		check_line(in.delivered_to);
		check_line(in.return_path);
		check_line(in.authentication);
		check_line(intake_problem(&a, &in));
		for (int i = 0; i < in.nto; i++)
			check_line(in.to[i]);
		if (in.nattachments > LIMIT_MAIL_ATTACHMENTS)
			__builtin_trap();
		for (int i = 0; i < in.nattachments; i++) {
			const struct intake_attachment *f = &in.attachments[i];
			check_line(f->name);
			if (!f->name || !*f->name || strchr(f->name, '/') ||
			    (f->data && f->size > LIMIT_MAIL_ATTACHMENT))
				__builtin_trap();
			if (f->text)
				check_text(f->text);
		}
	}
	/* The HTML converter on its own, on the same bytes taken as UTF-8 text. */
	const char *text = intake_text_utf8(&a, data, size, "utf-8");
	if (text)
		check_text(intake_html_text(&a, text, strlen(text)));
	arena_free(&a);
	return 0;
}
