/*
 * extract — what intake could not do without running programs: the type
 * of each attachment as its bytes show it and its text for search, by the
 * one mechanism the web's files go through too (core/attachment.h:
 * libmagic, pdftotext, pandoc), a mail part's charset and HTML read here;
 * and the files inside Outlook's winmail.dat (the tnef program). A
 * message's files are held for scanning (core/attachment.h): the server's
 * loop has clamd scan them.
 *
 * Each program runs under util/run.h's limits (LIMIT_CONVERT_SECONDS,
 * LIMIT_MAIL_EXTRACT bytes of text); a program that is missing, fails or
 * takes too long leaves that file without text, never the message
 * unrecorded. Callers run this before they open a write transaction.
 */
#ifndef CONSULTA_MAIL_EXTRACT_H
#define CONSULTA_MAIL_EXTRACT_H

#include "core/contribution.h"
#include "mail/intake.h"
#include "util/arena.h"
#include "util/error.h"

/* libmagic's database, loaded once (attachment_init); before threads. -1 if it cannot be loaded. */
int extract_init(void);

/* The attachments of in as the core stores them (*out, *n in the arena):
 * winmail.dat opened into its files, each with its detected type and text.
 * The message's text is taken from winmail.dat when it had none of its own
 * (in->text may change). -1 with e only when memory runs out. */
int extract_attachments(struct arena *a, struct intake *in, struct contribution_attachment **out, int *n,
                        struct error *e);

/* The type of len bytes as libmagic sees them ("application/pdf"), in the arena (attachment_type). */
const char *extract_type(struct arena *a, const void *data, size_t len);

#endif
