/* lmtp — see lmtp.h. */
#include "mail/lmtp.h"

#include "core/limits.h"
#include "mail/deliver.h"
#include "mail/extract.h"
#include "mail/intake.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum {
	LMTP_READ_BUFFER = 16 * 1024,
	LMTP_DATA_LINE = 64 * 1024, /* a DATA line is carried in pieces of this size; only a short one can end DATA */
	LMTP_HOSTNAME = 256,
};

struct lmtp_conn {
	int fd;
	unsigned char in[LMTP_READ_BUFFER];
	size_t pos, len;
	bool closed; /* the client went away, or was silent too long */
	bool timeout;
};

/* The server: one listening socket, its thread, and the connections' count and sockets. */
static struct {
	bool running;
	int listen_fd;
	int wake[2]; /* written to by lmtp_stop(), so that the accepting thread's poll returns */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int active;
	int fds[LIMIT_LMTP_CONNECTIONS];
	char hostname[LMTP_HOSTNAME];
	const char *authserv_id;
} lmtp = {.listen_fd = -1, .wake = {-1, -1}, .lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

/* -- reading and writing ------------------------------------------------------ */

static int conn_getc(struct lmtp_conn *c)
{
	if (c->pos == c->len) {
		if (c->closed)
			return -1;
		ssize_t n;
		do
			n = recv(c->fd, c->in, sizeof c->in, 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			c->timeout = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
			c->closed = true;
			return -1;
		}
		c->pos = 0;
		c->len = (size_t)n;
	}
	return c->in[c->pos++];
}

/* One command line without its line end, at most max - 1 bytes (*too_long if it had more). -1 when closed. */
static int read_command(struct lmtp_conn *c, char *line, size_t max, bool *too_long)
{
	size_t n = 0;
	*too_long = false;
	for (;;) {
		int ch = conn_getc(c);
		if (ch < 0)
			return -1;
		if (ch == '\n')
			break;
		if (n + 1 < max)
			line[n++] = (char)ch;
		else
			*too_long = true;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (int)n;
}

static void reply(struct lmtp_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reply(struct lmtp_conn *c, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof text - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof text - 2 ? (size_t)n : sizeof text - 3;
	/* A reply is one line: a CR or LF from a detail would start a false one. */
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\r' || text[i] == '\n')
			text[i] = ' ';
	memcpy(text + len, "\r\n", 2);
	len += 2;
	for (size_t sent = 0; sent < len;) {
		ssize_t w = send(c->fd, text + sent, len - sent, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			c->closed = true;
			return;
		}
		sent += (size_t)w;
	}
}

/* Reads DATA up to the line ".", dot-unstuffed, into msg (which refuses what passes its ceiling).
 * false if the connection ended first. */
static bool read_data(struct lmtp_conn *c, struct buf *msg)
{
	char *piece = malloc(LMTP_DATA_LINE);
	if (!piece)
		return false;
	bool ok = false;
	for (;;) {
		size_t n = 0;
		bool first = true, eol = false;
		while (!eol) {
			int ch = conn_getc(c);
			if (ch < 0)
				goto done;
			piece[n++] = (char)ch;
			eol = ch == '\n';
			if (!eol && n == LMTP_DATA_LINE) { /* a long line: carry on in pieces */
				buf_append(msg, piece + (first && piece[0] == '.'), n - (first && piece[0] == '.'));
				first = false;
				n = 0;
			}
		}
		if (first && ((n == 3 && !memcmp(piece, ".\r\n", 3)) || (n == 2 && !memcmp(piece, ".\n", 2)))) {
			ok = true;
			break;
		}
		const size_t skip = first && piece[0] == '.'; /* RFC 5321 4.5.2 */
		buf_append(msg, piece + skip, n - skip);
	}
done:
	free(piece);
	return ok;
}

/* -- one session ----------------------------------------------------------------- */

/* The address inside "<...>" after a verb's colon (FROM:, TO:); NULL if malformed. "" for <>. */
static char *path_arg(char *args, char **rest)
{
	while (*args == ' ')
		args++;
	if (*args != '<')
		return NULL;
	char *close = strchr(args, '>');
	if (!close)
		return NULL;
	*close = '\0';
	*rest = close + 1;
	char *addr = args + 1;
	/* A source route (@a,@b:user@host) is obsolete; what follows its colon is the address. */
	if (*addr == '@' && strchr(addr, ':'))
		addr = strchr(addr, ':') + 1;
	return addr;
}

static bool address_ok(const char *addr)
{
	size_t n = strlen(addr);
	if (n == 0 || n > LIMIT_EMAIL || !strchr(addr, '@'))
		return false;
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		if (*p <= ' ' || *p == 0x7F || *p == '<' || *p == '>')
			return false;
	return true;
}

struct transaction {
	bool mail;
	char *sender; /* malloc'd; "" for the null sender */
	char *recipients[LIMIT_LMTP_RECIPIENTS];
	int nrecipients;
};

static void transaction_reset(struct transaction *t)
{
	free(t->sender);
	for (int i = 0; i < t->nrecipients; i++)
		free(t->recipients[i]);
	memset(t, 0, sizeof *t);
}

static bool verb(const char *line, const char *name)
{
	size_t n = strlen(name);
	return !strncasecmp(line, name, n) && (line[n] == '\0' || line[n] == ' ' || line[n] == ':');
}

static void session_data(struct lmtp_conn *c, struct db *db, struct transaction *t)
{
	struct buf msg;
	buf_init(&msg, LIMIT_MAIL_MESSAGE);
	reply(c, "354 Start mail input; end with <CRLF>.<CRLF>");
	if (!read_data(c, &msg)) {
		buf_free(&msg);
		return; /* gone: nothing stored, its MTA tries again */
	}
	if (msg.failed) {
		for (int i = 0; i < t->nrecipients; i++)
			reply(c, "552 5.3.4 The message is larger than %d MiB", LIMIT_MAIL_MESSAGE / (1024 * 1024));
		buf_free(&msg);
		return;
	}
	struct arena a;
	arena_init(&a);
	struct intake_options opt = {.authserv_id = lmtp.authserv_id};
	struct mail_message m;
	struct error e;
	error_clear(&e);
	const bool read = mail_read(&a, msg.data ? msg.data : "", msg.len, &opt, &m, &e) == 0;
	for (int i = 0; i < t->nrecipients; i++) {
		const char *rcpt = t->recipients[i];
		struct mail_result r;
		if (read)
			mail_deliver(db, &a, &m, t->sender, rcpt, &r);
		else
			r = (struct mail_result){.outcome = MAIL_TEMPFAIL, .detail = e.message};
		switch (r.outcome) {
		case MAIL_ACCEPTED:
			reply(c, "250 2.0.0 <%s> contribution %s recorded for call %lld%s", rcpt, r.tracking,
			      (long long)r.call_id, r.late ? ", after the deadline" : "");
			break;
		case MAIL_DUPLICATE:
			reply(c, "250 2.0.0 <%s> already recorded as contribution %s", rcpt, r.tracking);
			break;
		case MAIL_HELD:
			reply(c, "250 2.0.0 <%s> held for the secretariat (%s)", rcpt, holding_reason_name(r.reason));
			break;
		case MAIL_TEMPFAIL: reply(c, "451 4.3.0 <%s> %s", rcpt, r.detail ? r.detail : "try again later"); break;
		case MAIL_REJECT: reply(c, "554 5.6.0 <%s> %s", rcpt, r.detail ? r.detail : "not deliverable"); break;
		}
		log_event("lmtp.delivered", "outcome=%s call=%lld tracking=%s held=%lld", mail_outcome_name(r.outcome),
		          (long long)r.call_id, r.tracking[0] ? r.tracking : "-", (long long)r.held_id);
	}
	arena_free(&a);
	buf_free(&msg);
}

static void session(struct lmtp_conn *c)
{
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	if (!db) {
		reply(c, "421 4.3.0 %s Service not available, try again later", lmtp.hostname);
		return;
	}
	reply(c, "220 %s LMTP Consulta ready", lmtp.hostname);
	char line[LIMIT_LMTP_LINE];
	bool greeted = false, too_long;
	struct transaction t = {0};
	while (!c->closed) {
		if (read_command(c, line, sizeof line, &too_long) < 0)
			break;
		if (too_long) {
			reply(c, "500 5.5.6 Line too long");
			continue;
		}
		if (verb(line, "LHLO")) {
			transaction_reset(&t);
			greeted = true;
			reply(c, "250-%s", lmtp.hostname);
			reply(c, "250-PIPELINING");
			reply(c, "250-ENHANCEDSTATUSCODES");
			reply(c, "250-8BITMIME");
			reply(c, "250 SIZE %d", LIMIT_MAIL_MESSAGE);
		} else if (verb(line, "HELO") || verb(line, "EHLO")) {
			reply(c, "500 5.5.1 This is LMTP: say LHLO");
		} else if (verb(line, "MAIL")) {
			char *rest = NULL,
			     *addr = !strncasecmp(line, "MAIL FROM:", 10) ? path_arg(line + 10, &rest) : NULL;
			if (!greeted)
				reply(c, "503 5.5.1 Say LHLO first");
			else if (t.mail)
				reply(c, "503 5.5.1 Nested MAIL command");
			else if (!addr || (*addr && !address_ok(addr)))
				reply(c, "501 5.1.7 Bad sender address syntax");
			else {
				const char *size = rest ? strcasestr(rest, "SIZE=") : NULL;
				if (size && strtoll(size + 5, NULL, 10) > LIMIT_MAIL_MESSAGE) {
					reply(c, "552 5.3.4 The message is larger than %d MiB",
					      LIMIT_MAIL_MESSAGE / (1024 * 1024));
				} else if (!(t.sender = strdup(addr))) {
					reply(c, "452 4.3.1 Out of memory");
				} else {
					t.mail = true;
					reply(c, "250 2.1.0 Sender OK");
				}
			}
		} else if (verb(line, "RCPT")) {
			char *rest = NULL, *addr = !strncasecmp(line, "RCPT TO:", 8) ? path_arg(line + 8, &rest) : NULL;
			if (!t.mail) {
				reply(c, "503 5.5.1 Say MAIL first");
			} else if (!addr || !address_ok(addr)) {
				reply(c, "501 5.1.3 Bad recipient address syntax");
			} else if (t.nrecipients == LIMIT_LMTP_RECIPIENTS) {
				reply(c, "452 4.5.3 Too many recipients");
			} else {
				struct arena a;
				arena_init(&a);
				int64_t call_id;
				error_clear(&e);
				int routed = mail_route(db, &a, addr, &call_id, &e);
				arena_free(&a);
				if (routed < 0) {
					reply(c, "451 4.3.0 %s", e.message);
				} else if (!(t.recipients[t.nrecipients] = strdup(addr))) {
					reply(c, "452 4.3.1 Out of memory");
				} else {
					t.nrecipients++;
					if (routed)
						reply(c, "250 2.1.5 Recipient OK: call %lld", (long long)call_id);
					else
						reply(c, "250 2.1.5 Recipient OK: no call has this address, the "
						         "message will be "
						         "held for the secretariat");
				}
			}
		} else if (verb(line, "DATA")) {
			if (!t.mail)
				reply(c, "503 5.5.1 Say MAIL first");
			else if (!t.nrecipients)
				reply(c, "503 5.5.1 No valid recipients");
			else
				session_data(c, db, &t);
			transaction_reset(&t);
		} else if (verb(line, "RSET")) {
			transaction_reset(&t);
			reply(c, "250 2.0.0 OK");
		} else if (verb(line, "NOOP")) {
			reply(c, "250 2.0.0 OK");
		} else if (verb(line, "VRFY")) {
			reply(c, "252 2.5.0 Cannot verify, but will accept the message");
		} else if (verb(line, "QUIT")) {
			reply(c, "221 2.0.0 %s closing", lmtp.hostname);
			break;
		} else {
			reply(c, "500 5.5.2 Command not recognized");
		}
	}
	if (c->timeout)
		reply(c, "421 4.4.2 %s Timeout, closing", lmtp.hostname);
	transaction_reset(&t);
	db_thread_close();
}

/* -- threads ----------------------------------------------------------------------- */

static void conn_forget(int fd)
{
	pthread_mutex_lock(&lmtp.lock);
	for (int i = 0; i < lmtp.active; i++)
		if (lmtp.fds[i] == fd) {
			lmtp.fds[i] = lmtp.fds[--lmtp.active];
			break;
		}
	pthread_cond_broadcast(&lmtp.idle);
	pthread_mutex_unlock(&lmtp.lock);
}

static void *conn_thread(void *arg)
{
	struct lmtp_conn *c = arg;
	session(c);
	conn_forget(c->fd);
	close(c->fd);
	free(c);
	return NULL;
}

static void *accept_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd fds[2] = {{.fd = lmtp.listen_fd, .events = POLLIN},
		                        {.fd = lmtp.wake[0], .events = POLLIN}};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		if (!(fds[0].revents & POLLIN))
			continue;
		int fd = accept4(lmtp.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		struct timeval tv = {.tv_sec = LIMIT_LMTP_TIMEOUT};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		pthread_mutex_lock(&lmtp.lock);
		const bool room = lmtp.active < LIMIT_LMTP_CONNECTIONS;
		if (room)
			lmtp.fds[lmtp.active++] = fd;
		pthread_mutex_unlock(&lmtp.lock);
		if (!room) {
			static const char busy[] = "421 4.3.2 Too many connections, try again later\r\n";
			(void)!send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
			close(fd);
			log_event("lmtp.refused", "reason=connections limit=%d", LIMIT_LMTP_CONNECTIONS);
			continue;
		}
		struct lmtp_conn *c = calloc(1, sizeof *c);
		if (c)
			c->fd = fd;
		pthread_t th;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (!c || pthread_create(&th, &attr, conn_thread, c) != 0) {
			free(c);
			static const char busy[] = "421 4.3.0 Cannot serve now, try again later\r\n";
			(void)!send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
			conn_forget(fd);
			close(fd);
		}
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

int lmtp_start(const struct lmtp_config *cfg, struct error *e)
{
	const char *colon = cfg->listen ? strrchr(cfg->listen, ':') : NULL;
	char host[64];
	char *end = NULL;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	struct sockaddr_in addr = {.sin_family = AF_INET};
	if (!colon || (size_t)(colon - cfg->listen) >= sizeof host || !end || *end || port < 0 || port > 65535) {
		error_set(e, ERROR_INVALID, "--lmtp wants HOST:PORT, such as 127.0.0.1:2424");
		return -1;
	}
	memcpy(host, cfg->listen, (size_t)(colon - cfg->listen));
	host[colon - cfg->listen] = '\0';
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		error_set(e, ERROR_INVALID, "--lmtp wants an IPv4 HOST:PORT, such as 127.0.0.1:2424");
		return -1;
	}
	addr.sin_port = htons((uint16_t)port);
	intake_init();
	extract_init();
	if (gethostname(lmtp.hostname, sizeof lmtp.hostname - 1) != 0 || !lmtp.hostname[0])
		snprintf(lmtp.hostname, sizeof lmtp.hostname, "localhost");
	lmtp.authserv_id = cfg->authserv_id;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 64) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "cannot listen for LMTP on %s (%s)", cfg->listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (pipe2(lmtp.wake, O_CLOEXEC) != 0) {
		close(fd);
		error_set(e, ERROR_UNAVAILABLE, "cannot start the LMTP server (%s)", strerror(errno));
		return -1;
	}
	lmtp.listen_fd = fd;
	if (pthread_create(&lmtp.thread, NULL, accept_thread, NULL) != 0) {
		close(fd);
		close(lmtp.wake[0]);
		close(lmtp.wake[1]);
		lmtp.listen_fd = lmtp.wake[0] = lmtp.wake[1] = -1;
		error_set(e, ERROR_UNAVAILABLE, "cannot start the LMTP server's thread");
		return -1;
	}
	lmtp.running = true;
	log_event("lmtp.start", "listen=%s", cfg->listen);
	return 0;
}

void lmtp_stop(void)
{
	if (!lmtp.running)
		return;
	(void)!write(lmtp.wake[1], "x", 1);
	pthread_join(lmtp.thread, NULL);
	close(lmtp.listen_fd);
	/* Cut the sessions short: their reads fail at once, and each thread ends. */
	pthread_mutex_lock(&lmtp.lock);
	for (int i = 0; i < lmtp.active; i++)
		shutdown(lmtp.fds[i], SHUT_RDWR);
	while (lmtp.active > 0)
		pthread_cond_wait(&lmtp.idle, &lmtp.lock);
	pthread_mutex_unlock(&lmtp.lock);
	close(lmtp.wake[0]);
	close(lmtp.wake[1]);
	lmtp.listen_fd = lmtp.wake[0] = lmtp.wake[1] = -1;
	lmtp.running = false;
	log_event("lmtp.stop", "sessions=0");
}
