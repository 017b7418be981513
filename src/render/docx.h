/*
 * docx — a Word document (.docx) turned into Markdown, by pandoc.
 *
 * The secretariat often has a new version of a text as a Word file. pandoc
 * (Debian's package) converts it to GitHub-flavoured Markdown, which a version
 * is kept as. pandoc is run directly (posix_spawnp, never through a shell) in
 * its sandbox mode, with the file on its standard input and the Markdown read
 * from its standard output, under a time limit (LIMIT_CONVERT_SECONDS) and
 * size limits (LIMIT_DOCX in, a caller's ceiling out); it is killed if it
 * passes either. Its standard error goes nowhere: a warning about an ignored
 * image is not the person's business, and a failure is reported as one.
 *
 * Callers convert before they open a write transaction: a conversion takes
 * seconds and must not hold the database's write lock.
 */
#ifndef CONSULTA_RENDER_DOCX_H
#define CONSULTA_RENDER_DOCX_H

#include "util/arena.h"
#include "util/error.h"

#include <stddef.h>

/* Converts the len bytes of docx to Markdown in *markdown (NUL-terminated, in
 * the arena), of at most max_out bytes. Errors: ERROR_INVALID with a message
 * for `field` (not a .docx, too large, pandoc could not read it, took too long,
 * or gave too much text); ERROR_UNAVAILABLE if pandoc cannot be run at all. */
int docx_to_markdown(struct arena *a, const void *docx, size_t len, size_t max_out, const char *field,
		     const char **markdown, struct error *e);

#endif
