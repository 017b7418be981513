/*
 * message — plain-text e-mail messages (RFC 5322, MIME), written out whole.
 *
 * The body is UTF-8 in quoted-printable, so any SMTP server carries it;
 * a Subject with non-ASCII text is an RFC 2047 encoded-word. Every message
 * says it was sent by a program (Auto-Submitted, RFC 3834, and the header
 * Exchange honours), so that out-of-office replies and loops stay away.
 * Lines end in CRLF.
 */
#ifndef CONSULTA_RENDER_MESSAGE_H
#define CONSULTA_RENDER_MESSAGE_H

#include "util/buf.h"

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
};

/* Appends the whole message to out; -1 if a header would carry a line break. */
int message_compose(struct buf *out, const struct message *m);

/* "Sun, 29 Nov 2026 05:12:54 +0000"; out holds 40 bytes. */
void message_date(int64_t t, char out[40]);

#endif
