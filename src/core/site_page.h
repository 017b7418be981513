/*
 * site_page — the site's own pages, "About" and "Privacy": Markdown the
 * secretariat edits in the back office, kept in the database. Until it does,
 * each page has a default text of ours that is true of what Consulta keeps
 * and publishes. Every edit is one transaction with its audit entry.
 */
#ifndef CONSULTA_CORE_SITE_PAGE_H
#define CONSULTA_CORE_SITE_PAGE_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>

enum site_page { SITE_PAGE_ABOUT, SITE_PAGE_PRIVACY };
/* "about", "privacy": the page's address (/about) and the name the audit log shows. */
const char *site_page_name(enum site_page p);
bool site_page_parse(const char *name, enum site_page *out);
/* "About this site", "Privacy notice": the page's title. */
const char *site_page_title(enum site_page p);

/* The page's Markdown in *markdown (from a): the secretariat's text, or the default one (*edited false). */
int site_page_get(struct db *db, struct arena *a, enum site_page p, const char **markdown, bool *edited,
                  struct error *e);

/* Replaces the page's text by markdown (at most LIMIT_SITE_PAGE characters); an empty text (after trimming)
 * goes back to the default. Audit "site_page.update" with before and after; nothing recorded when nothing
 * changes. Errors name "markdown". */
int site_page_set(struct db *db, struct arena *a, const struct actor *who, enum site_page p, const char *markdown,
                  struct error *e);

#endif
