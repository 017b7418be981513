/*
 * message — plain-text e-mail messages (RFC 5322, MIME), with attached files
 * when asked.
 *
 * The body is UTF-8 in quoted-printable, so any SMTP server carries it;
 * a Subject with non-ASCII text is an RFC 2047 encoded-word. Every message
 * says it was sent by a program (Auto-Submitted, RFC 3834, and the header
 * Exchange honours), so that out-of-office replies and loops stay away.
 * Lines end in CRLF.
 *
 * A message with files is multipart/mixed (RFC 2046): message_compose() opens
 * it and writes the text as its first part, then each message_attachment()
 * adds a file in base64 and message_end() closes it. The three can run at
 * different times (the outbox stores the first and its sender adds the
 * files), so the boundary is the caller's: a value no part can contain, e.g.
 * one starting "=_", which quoted-printable and base64 never produce.
 */
#ifndef CONSULTA_RENDER_MESSAGE_H
#define CONSULTA_RENDER_MESSAGE_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct message {
	const char *from;        /* an address */
	const char *from_name;   /* display name, or NULL */
	const char *to;
	const char *subject;
	const char *body;        /* UTF-8, \n line ends */
	const char *message_id;  /* without the angle brackets */
	const char *in_reply_to; /* a Message-ID without brackets, or NULL */
	const char *references;  /* the parent's own References: Message-IDs without brackets, separated by
				  * spaces, or NULL; References then ends with in_reply_to (RFC 5322 3.6.4) */
	const char *list_unsubscribe; /* a URL for List-Unsubscribe (RFC 8058 one-click), or NULL */
	int64_t date;            /* seconds since the epoch */
	const char *boundary;    /* NULL: text only; else multipart/mixed with this boundary, left open for
				  * message_attachment() and message_end() */
	const char *language;    /* the language of subject and body, a BCP 47 tag ("fr"): Content-Language
	                          * (RFC 3282), so that a reader or a screen reader reads it in its language; or NULL */
};

enum { MESSAGE_FILENAME_MAX = 255, MESSAGE_CONTENT_TYPE_MAX = 200 };

/* Appends the whole message to out; -1 if a header would carry a line break. */
int message_compose(struct buf *out, const struct message *m);
/* The same in two steps, for a body whose last lines are known later: message_compose_open() with m->body the
 * body's first lines (ending with a line break, else -1), then message_compose_close() with the rest. The
 * message is the one message_compose() makes of the whole body. 0 or -1. */
int message_compose_open(struct buf *out, const struct message *m);
int message_compose_close(struct buf *out, const char *rest);

/* Whether boundary can delimit parts (RFC 2046's characters, 1 to 70 of them). */
bool message_boundary_ok(const char *boundary);
/* Whether a file may be attached under this name (no control characters, at most MESSAGE_FILENAME_MAX bytes)
 * and this content type (lower-case "type/subtype", then token parameters such as "; method=REQUEST"). */
bool message_attachment_ok(const char *filename, const char *content_type);
/* Appends n bytes as an attached file, in base64; -1 for a bad boundary, name or type. */
int message_attachment(struct buf *out, const char *boundary, const char *filename, const char *content_type,
		       const void *data, size_t n);
/* Closes a multipart message. */
int message_end(struct buf *out, const char *boundary);

/* A message this module composed, as the outbox stores it (its files not added yet), for a person to read: its
 * header block, line ends made \n, into headers, and its text decoded from quoted-printable into text. -1 when
 * it is not such a message (no blank line after the headers). */
int message_read(const char *message, struct buf *headers, struct buf *text);

/* "Sun, 29 Nov 2026 05:12:54 +0000"; out holds 40 bytes. */
void message_date(int64_t t, char out[40]);

#endif
