/*
 * extract — what intake could not do without running programs: the type
 * of each attachment as its bytes show it (libmagic), its text for search
 * where a tool exists (pdftotext from poppler-utils for PDF, pandoc for
 * Word and OpenDocument text; text and HTML files directly), and the files
 * inside Outlook's winmail.dat (the tnef program).
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

/* libmagic's database, loaded once; before threads. -1 if it cannot be loaded. */
int extract_init(void);

/* The attachments of in as the core stores them (*out, *n in the arena):
 * winmail.dat opened into its files, each with its detected type and text.
 * The message's text is taken from winmail.dat when it had none of its own
 * (in->text may change). -1 with e only when memory runs out. */
int extract_attachments(struct arena *a, struct intake *in, struct contribution_attachment **out, int *n,
                        struct error *e);

/* The type of len bytes as libmagic sees them ("application/pdf"), in the arena. */
const char *extract_type(struct arena *a, const void *data, size_t len);

#endif
