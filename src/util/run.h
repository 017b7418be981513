/*
 * run — another program as a filter: bytes in on its standard input, bytes
 * out of its standard output, under a time limit and a size limit.
 *
 * The program is started directly (posix_spawnp, never through a shell)
 * with a minimal environment (PATH, LANG=C.UTF-8), no descriptor of ours but
 * its three, default signal handling, and standard error going nowhere. It
 * is killed if it passes either limit. Safe from any thread: SIGPIPE from a
 * program that stops reading is taken back here, not delivered.
 * render/docx.c (pandoc) and mail/extract.c (pdftotext, pandoc, tnef) use it.
 */
#ifndef CONSULTA_UTIL_RUN_H
#define CONSULTA_UTIL_RUN_H

#include "util/arena.h"

#include <stddef.h>

enum run_outcome {
	RUN_OK,        /* it exited with status 0 */
	RUN_FAILED,    /* it exited otherwise, or was killed by a signal */
	RUN_TIMEOUT,   /* it took longer than allowed, and was killed */
	RUN_TOO_LARGE, /* it wrote more than allowed, and was killed */
	RUN_MISSING,   /* it could not be started (not installed) */
	RUN_IO,        /* a pipe could not be made or read; out of memory */
};

/* Runs argv (argv[0] looked up on PATH) with the len bytes of in on its
 * standard input. *out receives what it wrote (NUL-terminated, in the arena,
 * *out_len bytes; NULL unless RUN_OK), at most max_out bytes, within seconds. */
enum run_outcome run_filter(struct arena *a, char *const argv[], const void *in, size_t len, size_t max_out,
                            int seconds, const char **out, size_t *out_len);

#endif
