/*
 * sender — the background thread that hands the outbox to an SMTP server.
 *
 * One thread with its own database connection. About once a second, or at
 * once when sender_wake() is called, it takes the mails that are due
 * (outbox_due, machine time), sends each with libcurl and marks it right
 * after its own send, in its own short transaction: a mail marked sent is
 * never sent again, even after a restart. A server that cannot be reached or
 * answers 4xx means a retry later (5 s, doubling to 15 minutes); a 5xx
 * refusal of the recipient or of the message means the mail has failed for
 * good. Without an SMTP URL nothing is sent and mail stays queued.
 *
 * With a mail directory instead (a demo's or a developer's machine: `make run`), each mail is written as a file,
 * DIR/new/<time>.<outbox id>_<random>.consulta.eml, in the Maildir layout (written in DIR/tmp, then renamed,
 * so that a mail client reading DIR never sees half a mail), LF line ends, and marked sent: whatever the
 * address, nothing leaves the machine. Any mail client opens the files (or `mutt -f DIR`).
 *
 * The same thread queues the "about to close" notices of calls
 * (subscription_closing_notices), since it is the one part of the server
 * that wakes up by itself.
 *
 * curl_global_init() must have been called (main does) before sender_start().
 */
#ifndef CONSULTA_MAIL_SENDER_H
#define CONSULTA_MAIL_SENDER_H

#include "util/error.h"

/* Starts the thread. smtp_url is smtp://HOST:PORT or smtps://HOST:PORT, or
 * NULL; mail_dir a directory to write the mails to instead (made with its
 * Maildir subdirectories if missing), or NULL; both NULL to queue without
 * sending. Each must live until sender_stop. -1 with e filled if the
 * directory cannot be made or the thread cannot be started. */
int sender_start(const char *smtp_url, const char *mail_dir, struct error *e);

/* Asks the thread to finish (an SMTP exchange under way is cut short) and
 * waits for it. Does nothing if it was not started. */
void sender_stop(void);

/* Tells the thread that a mail may have been queued: it looks at once
 * instead of at its next tick. Cheap, safe from any thread at any time. */
void sender_wake(void);

#endif
