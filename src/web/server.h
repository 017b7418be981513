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
	/* Called by a request thread after a request that may have changed something (not a GET), or NULL.
	 * main.c wakes the mail sender with it, so that a receipt leaves at once; web knows nothing of mail. */
	void (*on_change)(void);
	/* connections at once from one client address; 0: no limit; -1: SERVER_PER_ADDRESS_LIMIT, or none when
	 * there are trusted proxies (every client then comes from the proxy's address) */
	int per_address_limit;
	/* addresses (each may be a comma list) of reverse proxies whose X-Forwarded-For is believed */
	const char *const *trusted_proxies;
	int ntrusted_proxies;
	/* MiB of public pages kept ready (web/page_cache.h); 0: none; -1: PAGE_CACHE_DEFAULT_MIB */
	int page_cache_mib;
};

enum { SERVER_PER_ADDRESS_LIMIT = 64, SERVER_MAX_PROXY_OPTIONS = 16 };

/* Serves until SIGINT or SIGTERM (it blocks both in the calling thread and
 * waits for them; a caller that starts other threads first blocks them
 * before, so that no other thread takes them). Prints "listening on
 * http://HOST:PORT/" on standard output once it accepts connections. The
 * mail sender and the LMTP server are started and stopped around it by
 * `consulta serve` (main.c), not by the web layer. */
int server_run(const struct server_config *cfg, struct error *e);

#endif
