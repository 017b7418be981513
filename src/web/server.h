/*
 * server — the HTTP server (libmicrohttpd): a pool of threads on epoll, each
 * with its own database connection, with time-outs and connection limits
 * suited to a public server.
 */
#ifndef CONSULTA_WEB_SERVER_H
#define CONSULTA_WEB_SERVER_H

#include "util/error.h"

struct server_config {
	const char *listen; /* HOST:PORT; port 0 picks a free one */
	unsigned threads;
};

/* Serves until SIGINT or SIGTERM. Prints "listening on http://HOST:PORT/" on
 * standard output once it accepts connections. */
int server_run(const struct server_config *cfg, struct error *e);

#endif
