/*
 * page_attachment — a contribution's files on the pages: the file field of
 * the contribution form, the list on a contribution's page (name, size,
 * type, and whether it is held for scanning), and their download.
 *
 * A download is offered to the public only for a file of a contribution the
 * public sees (published, not private, not hidden) that clamd found clean;
 * the secretariat may download any clean file. It is always sent as a
 * download (Content-Disposition: attachment), with the type libmagic found
 * for an accepted kind and application/octet-stream for anything else (a
 * mail's HTML part is never served as text/html), and nosniff.
 */
#ifndef CONSULTA_WEB_PAGE_ATTACHMENT_H
#define CONSULTA_WEB_PAGE_ATTACHMENT_H

#include "core/contribution.h"
#include "util/error.h"
#include "web/request.h"

/* The form's file field ("attachments", multiple), with e's message for it. */
void page_attachments_field(struct request *r, const struct error *e);

/* The files the form sent in its "attachments" field into in->attachments (in the arena). */
void page_attachments_from_form(struct request *r, struct contribution_input *in);

/* A section listing k's files with their links, under a heading of that element ("h2"), or nothing when it
 * has no files; loads them into a copy of k. */
void page_attachments_list(struct request *r, const struct contribution *k, const char *heading);

#endif
