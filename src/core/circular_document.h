/*
 * circular_document — a circular letter as HTML, and its PDF.
 *
 * One rendering of a letter (letterhead, reference and date, addressees,
 * subject, references, text, contact, annex) that the public letter page,
 * the back office's preview of a draft and the PDF share; the PDF is that
 * HTML in a document of its own (its print stylesheet inside: A4, "Page N
 * of M"; the letterhead's logo as a data: address) laid out by WeasyPrint
 * (render/pdf.h).
 *
 * It lives in the core, not in web/, so that the mail sender's thread can
 * make a letter's PDF when no web request did (the request that issued it
 * died, WeasyPrint was busy then): the letter's mails carry the PDF, and
 * they must not wait for someone to open it (circular_distribute).
 */
#ifndef CONSULTA_CORE_CIRCULAR_DOCUMENT_H
#define CONSULTA_CORE_CIRCULAR_DOCUMENT_H

#include "core/audit.h"
#include "core/circular.h"
#include "core/process.h"
#include "util/buf.h"

/* Writes the letter as an <article> to b; lh (may be NULL) adds the letterhead's address block and, if its
 * bytes are loaded, its logo (as a data: address, for the PDF). Its subject and text carry c->language (when
 * set) as their lang. -1 if its Markdown cannot be rendered. */
int circular_document_letter(struct buf *b, struct arena *a, const struct process *p, const struct circular *c,
                             const struct circular_letterhead *lh);

/* A letter's date ("2020-12-23") as the letter writes it ("23 December 2020"), in the arena. */
const char *circular_document_date(struct arena *a, const char *date);

/* Makes the PDF of an issued letter in language (its text in that language, its chrome too; NULL: its own
 * text, in the process's first language) and keeps it (circular_pdf_keep, with who as the audit's actor),
 * unless it is kept already: the layout (seconds) outside any transaction, so the caller must not hold one.
 * When two make it at once (two nodes, a page and the sender) the first kept stays and the other returns 0
 * too. 0, or -1 with e (ERROR_NOT_FOUND for a language it has no text in; ERROR_UNAVAILABLE from WeasyPrint,
 * written for the person who asked). */
int circular_pdf_make(struct db *db, struct arena *a, const struct actor *who, int64_t circular_id,
		      const char *language, struct error *e);

#endif
