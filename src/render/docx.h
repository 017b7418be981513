/*
 * docx — a Word document (.docx) turned into Markdown, by pandoc.
 *
 * The secretariat often has a new version of a text as a Word file. pandoc
 * (Debian's package) converts it to GitHub-flavoured Markdown, which a version
 * is kept as. pandoc is run directly (posix_spawnp, never through a shell) in
 * its sandbox mode, with the file on its standard input and the Markdown read
 * from its standard output, under the caller's limits (time, bytes in,
 * bytes out: render is a leaf and takes them as arguments; the core passes
 * core/limits.h's); it is killed if it passes one. Its standard error goes nowhere: a warning about an ignored
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

struct docx_limits {
	size_t max_in;  /* bytes of the .docx; more is refused before pandoc starts */
	size_t max_out; /* bytes of Markdown pandoc may write */
	int seconds;    /* wall-clock seconds pandoc may take */
};

/* Converts the len bytes of docx to Markdown in *markdown (NUL-terminated, in
 * the arena), within lim. Errors: ERROR_INVALID with a message for `field`
 * (not a .docx, too large, pandoc could not read it, took too long, or gave
 * too much text); ERROR_UNAVAILABLE if pandoc cannot be run at all. */
int docx_to_markdown(struct arena *a, const void *docx, size_t len, const struct docx_limits *lim,
		     const char *field, const char **markdown, struct error *e);

#endif
