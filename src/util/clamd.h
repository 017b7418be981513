/*
 * clamd — a small client of ClamAV's scanning daemon, over its local socket.
 *
 * One file is sent with the zINSTREAM command (the bytes in chunks, each
 * after its length as 4 bytes big-endian, a zero length at the end) and the
 * answer read: "stream: OK" or "stream: NAME FOUND". The whole exchange has
 * one deadline; a daemon that is not there, does not answer in time, or says
 * anything else gives no verdict, never CLAMD_CLEAN: CLAMD_UNAVAILABLE when
 * the daemon cannot be reached or is too slow, CLAMD_ERROR when it answered
 * with an error about this file (its own StreamMaxLength, say). The caller
 * holds the file and asks again later.
 * Safe from any thread (one connection per call).
 */
#ifndef CONSULTA_UTIL_CLAMD_H
#define CONSULTA_UTIL_CLAMD_H

#include <stddef.h>

enum { CLAMD_NAME_LEN = 128, CLAMD_CHUNK = 64 * 1024 };

enum clamd_verdict {
	CLAMD_CLEAN,       /* clamd read it all and found nothing */
	CLAMD_INFECTED,    /* clamd found a signature: its name is in name */
	CLAMD_UNAVAILABLE, /* no verdict: not running or too slow; try again later */
	CLAMD_ERROR,       /* no verdict: it answered with an error about this file (why is in name) */
};

/* Scans len bytes through the daemon at the Unix socket path, within timeout_ms in all. name (CLAMD_NAME_LEN
 * bytes) receives the signature's name when infected, or why there is no verdict otherwise ("" when clean). */
enum clamd_verdict clamd_scan(const char *path, const void *data, size_t len, int timeout_ms, char *name);

#endif
