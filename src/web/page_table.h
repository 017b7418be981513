/*
 * page_table — a filled comment table uploaded with the contribution form: the
 * form's file field, the table read into the contribution's comments
 * (core/comment_table.h) before contribution_receive(), and the per-row
 * report of what was understood, which the form (on an error elsewhere) and
 * the receipt show.
 */
#ifndef CONSULTA_WEB_PAGE_TABLE_H
#define CONSULTA_WEB_PAGE_TABLE_H

#include "core/comment_table.h"
#include "core/contribution.h"
#include "web/request.h"

#include <stdbool.h>
#include <stdint.h>

/* The form's field "table": a file input with its label, hint and error (e's message for "table"). The
 * form must be multipart/form-data. */
void page_table_field(struct request *r, const struct error *e);

/* Reads the file uploaded in the field "table", if any, against the paragraphs of version_id, and hands
 * its comments to in (in->comments, in->ncomments, pointing into *t). Returns 0 (also when no file was
 * sent: t->nrows is then 0), or -1 with e filled: ERROR_INVALID for the field "table" naming the file and
 * the row (not a table, a zip bomb, too many rows, no header row...), ERROR_UNAVAILABLE if a Word file
 * cannot be converted now. Runs pandoc for a Word file: call it before any transaction. */
int page_table_read(struct request *r, int64_t version_id, struct contribution_input *in, struct comment_table *t,
                    struct error *e);

/* What was understood of each row of t, as a section of the page; nothing if no table was read. sent: on
 * the receipt (the comments went with the contribution); otherwise on the form given back for another
 * mistake, which says to choose the file again (a browser does not keep it). */
void page_table_report(struct request *r, const struct comment_table *t, bool sent);

#endif
