/* clamd — see clamd.h. */
#include "util/clamd.h"

#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Waits until fd is ready for events or the deadline passes; false on time-out or error. */
static bool wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - clock_monotonic_ms();
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

static bool send_all(int fd, const void *data, size_t len, int64_t deadline)
{
	const char *p = data;
	while (len > 0) {
		if (!wait_fd(fd, POLLOUT, deadline))
			return false;
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static enum clamd_verdict no_verdict(int fd, char *name, const char *why)
{
	if (fd >= 0)
		close(fd);
	snprintf(name, CLAMD_NAME_LEN, "%s", why);
	return CLAMD_UNAVAILABLE;
}

enum clamd_verdict clamd_scan(const char *path, const void *data, size_t len, int timeout_ms, char *name)
{
	const int64_t deadline = clock_monotonic_ms() + timeout_ms;
	name[0] = '\0';
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (!path || !*path || strlen(path) >= sizeof addr.sun_path)
		return no_verdict(-1, name, "no socket");
	memcpy(addr.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return no_verdict(-1, name, "socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		if (errno != EINPROGRESS && errno != EAGAIN)
			return no_verdict(fd, name, "connect");
		int err = 0;
		socklen_t elen = sizeof err;
		if (!wait_fd(fd, POLLOUT, deadline) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err)
			return no_verdict(fd, name, "connect");
	}
	/* "z": commands and answers end with a NUL byte. */
	static const char command[] = "zINSTREAM";
	if (!send_all(fd, command, sizeof command, deadline))
		return no_verdict(fd, name, "send");
	const unsigned char *p = data;
	size_t left = len;
	bool sent = true;
	while (sent && left > 0) {
		const size_t n = left < CLAMD_CHUNK ? left : CLAMD_CHUNK;
		const unsigned char size[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
		                               (unsigned char)(n >> 8), (unsigned char)n};
		sent = send_all(fd, size, 4, deadline) && send_all(fd, p, n, deadline);
		p += n;
		left -= n;
	}
	static const unsigned char end[4] = {0, 0, 0, 0};
	sent = sent && send_all(fd, end, sizeof end, deadline);
	/* The answer; also when sending failed: clamd may have said why before it closed (a file beyond its
	 * StreamMaxLength), and then waits no more than a moment. */
	const int64_t soon = clock_monotonic_ms() + 200;
	const int64_t until = sent || soon >= deadline ? deadline : soon;
	char answer[512];
	size_t got = 0;
	while (got < sizeof answer - 1 && !memchr(answer, '\0', got)) {
		if (!wait_fd(fd, POLLIN, until))
			return no_verdict(fd, name, sent ? "timeout" : "send");
		ssize_t n = recv(fd, answer + got, sizeof answer - 1 - got, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	answer[got] = '\0';
	size_t alen = strlen(answer);
	while (alen && (answer[alen - 1] == '\n' || answer[alen - 1] == '\r'))
		answer[--alen] = '\0';
	static const char prefix[] = "stream: ";
	if (strncmp(answer, prefix, sizeof prefix - 1) != 0) {
		snprintf(name, CLAMD_NAME_LEN, "answer: %.100s", answer);
		return got ? CLAMD_ERROR : CLAMD_UNAVAILABLE; /* closed without a word: it went away */
	}
	const char *verdict = answer + sizeof prefix - 1;
	if (!strcmp(verdict, "OK"))
		return CLAMD_CLEAN;
	static const char found[] = " FOUND";
	size_t vlen = strlen(verdict);
	if (vlen > sizeof found - 1 && !strcmp(verdict + vlen - (sizeof found - 1), found)) {
		snprintf(name, CLAMD_NAME_LEN, "%.*s", (int)(vlen - (sizeof found - 1)), verdict);
		return CLAMD_INFECTED;
	}
	snprintf(name, CLAMD_NAME_LEN, "answer: %.100s", verdict); /* "... ERROR": a limit of its own, say */
	return CLAMD_ERROR;
}
