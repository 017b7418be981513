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
	const char *smtp_url; /* smtp://HOST:PORT: where mail goes; NULL: mail queues but is not sent */
	const char *lmtp_listen; /* HOST:PORT of the LMTP server for mail in (mail/lmtp.h), or NULL for none */
	const char *authserv_id; /* the MTA whose Authentication-Results the LMTP server believes, or NULL */
};

/* Serves until SIGINT or SIGTERM, with the mail sender (mail/sender.h)
 * running for as long as the daemon does. Prints "listening on
 * http://HOST:PORT/" on standard output once it accepts connections. */
int server_run(const struct server_config *cfg, struct error *e);

#endif
