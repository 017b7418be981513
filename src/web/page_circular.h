/*
 * page_circular — a circular letter as HTML: the one rendering that the
 * public letter page, the back office's preview of a draft and the letter's
 * PDF (the same HTML in a document of its own, laid out by WeasyPrint)
 * share; and the making of that PDF once a letter is issued.
 */
#ifndef CONSULTA_WEB_PAGE_CIRCULAR_H
#define CONSULTA_WEB_PAGE_CIRCULAR_H

#include "core/circular.h"
#include "core/process.h"
#include "util/buf.h"
#include "web/request.h"

/* Writes the letter (letterhead, reference and date, addressees, subject, references, text, contact, annex)
 * as an <article> to b; lh (may be NULL) adds the letterhead's address block and, if its bytes are loaded,
 * its logo (as a data: address, for the PDF). -1 if its Markdown cannot be rendered. */
int page_circular_letter(struct buf *b, struct arena *a, const struct process *p, const struct circular *c,
			 const struct circular_letterhead *lh);

/* Makes the PDF of an issued letter and keeps it (circular_pdf_keep), unless it is kept already: the layout
 * (seconds) outside any transaction. 0, or -1 with e (ERROR_UNAVAILABLE from WeasyPrint: the letter stays
 * issued, and its PDF is made when it is first asked for). */
int page_circular_pdf_make(struct request *r, int64_t circular_id, struct error *e);

/* page_office_letters.c: the process office page's section of letters (drafts, issued, a form to write
 * one); failed and e as office_process_page()'s. */
void office_letters_section(struct request *r, const struct process *p, const char *failed, const struct error *e);

#endif
