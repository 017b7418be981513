/*
 * page_circular — a circular letter's public page, its PDF and the archive;
 * and the making of that PDF once a letter is issued (its HTML and its PDF
 * are the core's: core/circular_document.h).
 */
#ifndef CONSULTA_WEB_PAGE_CIRCULAR_H
#define CONSULTA_WEB_PAGE_CIRCULAR_H

#include "core/circular.h"
#include "core/process.h"
#include "util/buf.h"
#include "web/request.h"

/* Makes the PDF of an issued letter in language (NULL: its own text's) and keeps it (circular_pdf_make, the
 * request's account as actor), unless it is kept already. 0, or -1 with e (ERROR_UNAVAILABLE from WeasyPrint:
 * the letter stays issued, and its PDF is made by the mail sender before its mails go, or when it is first
 * asked for). */
int page_circular_pdf_make(struct request *r, int64_t circular_id, const char *language, struct error *e);
/* The letter's id from the route's {id}; false (the 404 page sent) if it is not one. */
bool page_circular_route(struct request *r, int64_t *id);
/* The PDF right after an issue (by the API or the office), logged and not reported if it fails. */
void page_circular_pdf_after_issue(struct request *r, int64_t circular_id);

/* page_office_letters.c: the process office page's section of letters (drafts, issued, a form to write
 * one); failed and e as office_process_page()'s. */
void office_letters_section(struct request *r, const struct process *p, const char *failed, const struct error *e);

#endif
