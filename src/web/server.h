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
	/* connections at once from one client address; 0: no limit; -1: SERVER_PER_ADDRESS_LIMIT, or none when
	 * there are trusted proxies (every client then comes from the proxy's address) */
	int per_address_limit;
	/* addresses (each may be a comma list) of reverse proxies whose X-Forwarded-For is believed */
	const char *const *trusted_proxies;
	int ntrusted_proxies;
};

enum { SERVER_PER_ADDRESS_LIMIT = 64, SERVER_MAX_PROXY_OPTIONS = 16 };

/* Serves until SIGINT or SIGTERM, with the mail sender (mail/sender.h)
 * running for as long as the daemon does. Prints "listening on
 * http://HOST:PORT/" on standard output once it accepts connections. */
int server_run(const struct server_config *cfg, struct error *e);

#endif
