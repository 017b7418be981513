/*
 * intake — one e-mail message (RFC 5322, MIME) read into what the core
 * understands, with GMime 3.
 *
 * The parser is pure: it reads bytes and fills a struct, runs no program and
 * touches no database, so that it can be fuzzed (fuzz/fuzz_intake.c) and
 * tested on fixture files. It promises:
 *
 *  - every string it returns is valid UTF-8 without control characters (but
 *    tab and newline in the text), whatever charset, transfer encoding or
 *    damage the message had: declared charsets are converted (ISO-8859-1 is
 *    read as its superset Windows-1252, as mail programs mean it), undeclared
 *    8-bit text is UTF-8 if it is valid, else Windows-1252;
 *  - the text is the message's text/plain (format=flowed joined), or its HTML
 *    turned into plain text when there is no plain part, or, when the
 *    message has no text of its own, the text of a message it forwards;
 *  - attachments are the parts a mail program shows as files (a filename or
 *    Content-Disposition: attachment, or a part that is not text); a
 *    forwarded message is one attachment (NAME.eml) whose text is known, and
 *    its own attachments follow it; inline images of an HTML message and
 *    signatures are not attachments (the whole message is kept anyway);
 *  - robots are recognized (RFC 3834): Auto-Submitted, Precedence, List-*
 *    headers, delivery reports and bounces;
 *  - the receiving MTA's verdict on the sender is read from the topmost
 *    Authentication-Results header, the one the receiving MTA prepended, and
 *    only if its authserv-id is the one we trust: any header below it came
 *    with the message and proves nothing, even with our authserv-id;
 *  - a message over a limit (attachments, nesting, text length) is still
 *    read, and `problem` says which limit, in words for its sender.
 *
 * Everything lives in the caller's arena. Call intake_init() once before
 * any thread parses.
 */
#ifndef CONSULTA_MAIL_INTAKE_H
#define CONSULTA_MAIL_INTAKE_H

#include "core/contribution.h"
#include "core/holding.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

struct intake_attachment {
	const char *name;          /* a file name without any path, never NULL */
	const char *declared_type; /* the Content-Type the sender gave, lower case ("application/pdf") */
	const char *charset;       /* of a text part, or NULL */
	const unsigned char *data; /* decoded bytes */
	size_t size;
	const char *text; /* its text when the parser knows it (a forwarded message), or NULL */
	bool tnef;        /* Outlook's winmail.dat (application/ms-tnef): mail/extract.c opens it */
};

enum intake_problem {
	INTAKE_FINE,
	INTAKE_TOO_COMPLEX,          /* more than LIMIT_MAIL_PARTS parts, or nested deeper than LIMIT_MAIL_DEPTH */
	INTAKE_TOO_MANY_ATTACHMENTS, /* more than LIMIT_MAIL_ATTACHMENTS */
	INTAKE_ATTACHMENT_TOO_LARGE, /* one over LIMIT_MAIL_ATTACHMENT */
	INTAKE_TEXT_TOO_LONG,        /* more than LIMIT_TEXT characters */
};

struct intake {
	const char *from;         /* the From address, or NULL if it has none that can be read */
	const char *from_name;    /* its display name, or NULL */
	const char *subject;      /* or NULL */
	const char *message_id;   /* without brackets, or NULL */
	const char *references;   /* References then In-Reply-To, space-separated, at most LIMIT_MAIL_REFERENCES */
	const char *return_path;  /* the Return-Path header's address ("" for <>), or NULL */
	const char *delivered_to; /* the topmost Delivered-To (X-Original-To when none), or NULL */
	const char **to;          /* the addresses of To, then Cc */
	int nto;
	const char *text; /* never NULL; "" when the message has no text */
	bool html_only;   /* the text was made from HTML */
	struct intake_attachment *attachments;
	int nattachments;

	/* Robots (RFC 3834): no receipt goes to any of these. */
	bool auto_submitted; /* Auto-Submitted (not "no"), X-Autoreply, Precedence: auto_reply, an Outlook OOF */
	bool bounce;         /* a delivery or disposition report, or from MAILER-DAEMON / postmaster */
	bool list;           /* List-Id or List-Post, Precedence: list, bulk or junk */
	bool suppress;       /* X-Auto-Response-Suppress asks for no automatic answer */

	/* The receiving MTA's verdict. */
	enum sender_verification verification; /* pass: DMARC pass, or DKIM pass for the From's domain */
	const char *authentication; /* "dkim=pass dmarc=pass spf=pass" as the trusted header gave them, or NULL */

	/* Why the message cannot be a contribution as it is (intake_problem() says it to its sender). */
	enum intake_problem problem;
	enum holding_reason problem_reason; /* with a problem: why it is held (HOLDING_LIMIT) */
	const char *problem_name;           /* INTAKE_ATTACHMENT_TOO_LARGE: the attachment's name */
	size_t problem_size;                /* INTAKE_ATTACHMENT_TOO_LARGE: its size in bytes */
	int problem_count;                  /* INTAKE_TOO_MANY_ATTACHMENTS: the attachments counted */
};

struct intake_options {
	/* The authserv-id of the MTA that delivers to us (RFC 8601), whose
	 * Authentication-Results we believe; NULL believes none. */
	const char *authserv_id;
};

/* GMime and libxml2's global set-up; once, before threads. Safe to call again. */
void intake_init(void);

/* Reads the len bytes of one message into *out. -1 with e only when there is
 * nothing that could be a message (ERROR_INVALID: empty, or no header at all)
 * or memory runs out (ERROR_UNAVAILABLE). */
int intake_parse(struct arena *a, const void *raw, size_t len, const struct intake_options *opt, struct intake *out,
                 struct error *e);

/* The sentence that tells in's sender why their message is not a contribution as it is, in the thread's language
 * (the one their answer is written in), sizes in megabytes with its decimal separator; NULL when in has no
 * problem. In a. */
const char *intake_problem(struct arena *a, const struct intake *in);

/* How many bytes at the start of the len bytes of a message are its trace:
 * an mbox "From " line, then the header fields the MTAs on the way prepended
 * (Return-Path, Received, Delivered-To, X-Original-To, Authentication-Results,
 * Received-SPF, ARC-*), up to the first field the sender wrote. The rest is the
 * message as its sender's program made it, the same in every delivery of it,
 * whatever path or recipient it took. */
size_t intake_trace_length(const void *raw, size_t len);

/* Text of a part in `charset` (NULL: unknown) as clean UTF-8 (see above), in
 * the arena; CRLF become LF. Also used for text attachments. */
const char *intake_text_utf8(struct arena *a, const void *data, size_t len, const char *charset);

/* Plain text of an HTML document (UTF-8 in, UTF-8 out): blocks and line
 * breaks become newlines, list items get "- ", links keep their address,
 * scripts, styles and the head are left out. */
const char *intake_html_text(struct arena *a, const char *html, size_t len);

#endif
