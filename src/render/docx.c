/* docx — see docx.h. */
#include "render/docx.h"

#include "core/limits.h"
#include "util/buf.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Machine time for the time limit: a frozen domain clock (CONSULTA_NOW) must
 * not stop it, so this is CLOCK_MONOTONIC, not util/clock. */
static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum docx_outcome { DOCX_OK, DOCX_TIMEOUT, DOCX_TOO_LARGE, DOCX_IO };

/* Feeds in to the child's stdin and reads its stdout into out until it closes
 * stdout, the deadline passes or out reaches its ceiling. */
static enum docx_outcome pump(int to_child, int from_child, const unsigned char *in, size_t len, struct buf *out,
			      int64_t deadline)
{
	size_t written = 0;
	char chunk[65536];
	if (len == 0) {
		close(to_child);
		to_child = -1;
	}
	for (;;) {
		struct pollfd fds[2] = {{.fd = from_child, .events = POLLIN}, {.fd = to_child, .events = POLLOUT}};
		int64_t left = deadline - monotonic_ms();
		if (left <= 0) {
			if (to_child >= 0)
				close(to_child);
			return DOCX_TIMEOUT;
		}
		int n = poll(fds, to_child >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (to_child >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(to_child, in + written, len - written);
			if (w > 0)
				written += (size_t)w;
			/* EPIPE: pandoc stopped reading (it failed); its exit status says so. */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == len) {
				close(to_child);
				to_child = -1;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(from_child, chunk, sizeof chunk);
			if (r == 0) {
				if (to_child >= 0)
					close(to_child);
				return DOCX_OK;
			}
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r < 0)
				break;
			if (buf_append(out, chunk, (size_t)r) != 0) {
				if (to_child >= 0)
					close(to_child);
				return DOCX_TOO_LARGE;
			}
		}
	}
	if (to_child >= 0)
		close(to_child);
	return DOCX_IO;
}

int docx_to_markdown(struct arena *a, const void *docx, size_t len, size_t max_out, const char *field,
		     const char **markdown, struct error *e)
{
	*markdown = NULL;
	if (len == 0) {
		error_field(e, field, "The file is empty.");
		return -1;
	}
	if (len > LIMIT_DOCX) {
		error_field(e, field, "The file is larger than %d KiB; convert it to Markdown yourself, or shorten it.",
			    LIMIT_DOCX / 1024);
		return -1;
	}
	/* A .docx is a ZIP archive; anything else is refused before a program is started for it. */
	if (len < 4 || memcmp(docx, "PK\x03\x04", 4) != 0) {
		error_field(e, field, "This is not a Word document (.docx).");
		return -1;
	}

	int in[2] = {-1, -1}, out[2] = {-1, -1};
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		error_set(e, ERROR_UNAVAILABLE, "The conversion could not be started (%s).", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* the server's sockets and database stay ours */
	/* The server blocks SIGINT and SIGTERM in every thread and ignores SIGPIPE; pandoc gets the defaults. */
	sigset_t none, defaults;
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	/* --sandbox: the file may not make pandoc read other files or the network. */
	char *const argv[] = {"pandoc", "--sandbox", "--from", "docx", "--to", "gfm", "--wrap=none", NULL};
	const char *path = getenv("PATH");
	char *env_path = arena_printf(a, "PATH=%s", path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *const envp[] = {env_path, "LANG=C.UTF-8", NULL};
	pid_t pid;
	int rc = env_path ? posix_spawnp(&pid, "pandoc", &fa, &attr, argv, envp) : ENOMEM;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		close(in[1]);
		close(out[0]);
		log_event("docx.spawn_failed", "errno=%d", rc);
		error_set(e, ERROR_UNAVAILABLE, "Word documents cannot be converted on this server (pandoc is missing); "
						"paste the text as Markdown instead.");
		return -1;
	}
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);

	/* A write to a pipe whose reader died raises SIGPIPE for this thread: block it
	 * here (the command line does not ignore it) and take back only one we caused. */
	sigset_t pipe_set, old_mask, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);

	struct buf md;
	buf_init(&md, max_out);
	enum docx_outcome outcome =
		pump(in[1], out[0], docx, len, &md, monotonic_ms() + (int64_t)LIMIT_CONVERT_SECONDS * 1000);
	close(out[0]);
	if (outcome != DOCX_OK)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (!was_pending) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE)) {
			struct timespec zero = {0, 0};
			sigtimedwait(&pipe_set, NULL, &zero);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);

	int result = -1;
	if (outcome == DOCX_TIMEOUT) {
		error_field(e, field, "This file took too long to convert (more than %d seconds); convert it to "
				      "Markdown yourself, or split it.",
			    LIMIT_CONVERT_SECONDS);
	} else if (outcome == DOCX_TOO_LARGE) {
		error_field(e, field, "The converted text is longer than %zu bytes.", max_out);
	} else if (outcome == DOCX_IO) {
		error_set(e, ERROR_UNAVAILABLE, "The conversion failed; please try again.");
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_event("docx.pandoc_failed", "status=%d", status);
		error_field(e, field, "This file could not be read as a Word document (.docx).");
	} else if (md.len == 0 || md.failed) {
		error_field(e, field, "The document has no text.");
	} else {
		*markdown = arena_strndup(a, md.data, md.len);
		if (*markdown)
			result = 0;
		else
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
	}
	buf_free(&md);
	return result;
}
