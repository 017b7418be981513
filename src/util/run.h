/*
 * run — another program as a filter: bytes in on its standard input, bytes
 * out of its standard output, under a time limit and a size limit.
 *
 * The program is started directly (fork and execve, never through a shell)
 * with a minimal environment (PATH, LANG=C.UTF-8), no descriptor of ours but
 * its three, default signal handling, and standard error going nowhere. It
 * is killed if it passes either limit, and runs under RUN_MEMORY_LIMIT of
 * address space and a CPU-time limit (set in the child between fork and
 * exec: a 240 KB .docx holding 103 MB of XML once took pandoc to 813 MB).
 * At most RUN_AT_ONCE programs run at once in the process; a caller beyond
 * that waits up to RUN_WAIT_SECONDS, then gets RUN_BUSY. Safe from any
 * thread: SIGPIPE from a program that stops reading is taken back here, not
 * delivered.
 * render/docx.c (pandoc), mail/extract.c (pdftotext, pandoc, tnef) and render/pdf.c (WeasyPrint) use it.
 */
#ifndef CONSULTA_UTIL_RUN_H
#define CONSULTA_UTIL_RUN_H

#include "util/arena.h"

#include <stddef.h>

enum {
	RUN_MEMORY_LIMIT = 512 * 1024 * 1024, /* bytes of address space a program may map (RLIMIT_AS) */
	RUN_AT_ONCE = 2,                      /* programs running at once, at most (the machine's cores) */
	RUN_WAIT_SECONDS = 10,                /* how long a caller waits for its turn before RUN_BUSY */
};

enum run_outcome {
	RUN_OK,        /* it exited with status 0 */
	RUN_FAILED,    /* it exited otherwise, or was killed by a signal */
	RUN_TIMEOUT,   /* it took longer than allowed, and was killed */
	RUN_TOO_LARGE, /* it wrote more than allowed, and was killed */
	RUN_MISSING,   /* it could not be started (not installed) */
	RUN_IO,        /* a pipe could not be made or read; out of memory */
	RUN_BUSY,      /* RUN_AT_ONCE programs were running for all of RUN_WAIT_SECONDS: try again */
};

/* Runs argv (argv[0] looked up on PATH) with the len bytes of in on its
 * standard input. *out receives what it wrote (NUL-terminated, in the arena,
 * *out_len bytes; NULL unless RUN_OK), at most max_out bytes, within seconds
 * of wall-clock time and as many of CPU time. */
enum run_outcome run_filter(struct arena *a, char *const argv[], const void *in, size_t len, size_t max_out,
                            int seconds, const char **out, size_t *out_len);

/* run_filter() with memory bytes of address space instead of RUN_MEMORY_LIMIT, for the one program that
 * needs more (WeasyPrint: Python with its fonts maps more than pandoc), so that the others keep the
 * smaller limit. */
enum run_outcome run_filter_memory(struct arena *a, char *const argv[], const void *in, size_t len, size_t max_out,
                                   int seconds, size_t memory, const char **out, size_t *out_len);

#endif
