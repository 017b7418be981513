/*
 * lmtp — the LMTP server (RFC 2033) through which an MTA hands mail to
 * Consulta: `consulta serve --lmtp HOST:PORT`.
 *
 * One thread accepts; each connection has a thread of its own, with its own
 * database connection, up to LIMIT_LMTP_CONNECTIONS at once (one more is
 * told 421 and closed). Commands: LHLO, MAIL FROM (with SIZE), RCPT TO (each
 * recipient's route is looked up at once: a call, or the holding list), DATA
 * (dot-unstuffed, at most LIMIT_MAIL_MESSAGE bytes), RSET, NOOP, VRFY, QUIT;
 * PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME and SIZE are offered. After DATA
 * there is one reply per accepted recipient, in their order, each the
 * outcome of mail/deliver.h for that recipient: 250 (recorded, a duplicate
 * of a recorded one, or held), 451 (nothing stored: try again), 552 or 554
 * (never deliverable). A client silent for LIMIT_LMTP_TIMEOUT seconds is
 * told 421 and closed. Lines are read with a ceiling (LIMIT_LMTP_LINE).
 *
 * intake_init() and extract_init() are called by lmtp_start(). Start it
 * after the signals are blocked (server.c does), so that its threads never
 * take SIGTERM.
 */
#ifndef CONSULTA_MAIL_LMTP_H
#define CONSULTA_MAIL_LMTP_H

#include "util/error.h"

struct lmtp_config {
	const char *listen;      /* HOST:PORT; it must live until lmtp_stop() */
	const char *authserv_id; /* the MTA whose Authentication-Results to believe, or NULL */
};

/* Listens and starts the accepting thread; -1 with e filled if it cannot listen. */
int lmtp_start(const struct lmtp_config *cfg, struct error *e);

/* Stops accepting, cuts the connections short (an unfinished transaction
 * stores nothing, and its MTA tries again) and waits for their threads.
 * Does nothing if it was not started. */
void lmtp_stop(void);

#endif
