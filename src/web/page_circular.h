/*
 * page_circular — a circular letter as HTML: the one rendering that the
 * public letter page and the back office's preview of a draft share.
 */
#ifndef CONSULTA_WEB_PAGE_CIRCULAR_H
#define CONSULTA_WEB_PAGE_CIRCULAR_H

#include "core/circular.h"
#include "core/process.h"
#include "web/request.h"

/* Writes the letter (letterhead, reference and date, addressees, subject, references, text, contact, annex)
 * as an <article> to r->out. -1 if its Markdown cannot be rendered. */
int page_circular_letter(struct request *r, const struct process *p, const struct circular *c);

/* page_office_letters.c: the process office page's section of letters (drafts, issued, a form to write
 * one); failed and e as office_process_page()'s. */
void office_letters_section(struct request *r, const struct process *p, const char *failed, const struct error *e);

#endif
