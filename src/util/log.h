/*
 * log — one line per event on standard error: "ts=... event=... key=value".
 * Callers never pass passwords, tokens or contribution text.
 */
#ifndef CONSULTA_UTIL_LOG_H
#define CONSULTA_UTIL_LOG_H

void log_event(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
