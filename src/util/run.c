/* run — see run.h. The pump is the one render/docx.c uses for pandoc. */
#include "util/run.h"

#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Machine time: a frozen domain clock (CONSULTA_NOW) must not stop the time limit. */
static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feeds in to the child and reads its output until it closes it, the deadline passes or out is full. */
static enum run_outcome pump(int to_child, int from_child, const unsigned char *in, size_t len, struct buf *out,
                             int64_t deadline)
{
	size_t written = 0;
	char chunk[65536];
	if (len == 0) {
		close(to_child);
		to_child = -1;
	}
	enum run_outcome outcome = RUN_IO;
	for (;;) {
		struct pollfd fds[2] = {{.fd = from_child, .events = POLLIN}, {.fd = to_child, .events = POLLOUT}};
		int64_t left = deadline - monotonic_ms();
		if (left <= 0) {
			outcome = RUN_TIMEOUT;
			break;
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
			/* EPIPE: the program stopped reading; its exit status says whether that was a failure. */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == len) {
				close(to_child);
				to_child = -1;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(from_child, chunk, sizeof chunk);
			if (r == 0) {
				outcome = RUN_OK;
				break;
			}
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r < 0)
				break;
			if (buf_append(out, chunk, (size_t)r) != 0) {
				outcome = RUN_TOO_LARGE;
				break;
			}
		}
	}
	if (to_child >= 0)
		close(to_child);
	return outcome;
}

enum run_outcome run_filter(struct arena *a, char *const argv[], const void *in, size_t len, size_t max_out,
                            int seconds, const char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	int to[2] = {-1, -1}, from[2] = {-1, -1};
	if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) {
		if (to[0] >= 0) {
			close(to[0]);
			close(to[1]);
		}
		return RUN_IO;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* our sockets and database stay ours */
	sigset_t none, defaults;
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	const char *path = getenv("PATH");
	char *env_path = arena_printf(a, "PATH=%s", path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *const envp[] = {env_path, "LANG=C.UTF-8", NULL};
	pid_t pid;
	int rc = env_path ? posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp) : ENOMEM;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(to[0]);
	close(from[1]);
	if (rc != 0) {
		close(to[1]);
		close(from[0]);
		return rc == ENOMEM ? RUN_IO : RUN_MISSING;
	}
	fcntl(to[1], F_SETFL, fcntl(to[1], F_GETFL) | O_NONBLOCK);
	fcntl(from[0], F_SETFL, fcntl(from[0], F_GETFL) | O_NONBLOCK);

	/* A write to a pipe whose reader died raises SIGPIPE for this thread: block it here
	 * and take back only one we caused. */
	sigset_t pipe_set, old_mask, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
	sigpending(&pending);
	const bool was_pending = sigismember(&pending, SIGPIPE);

	struct buf text;
	buf_init(&text, max_out);
	enum run_outcome outcome = pump(to[1], from[0], in, len, &text, monotonic_ms() + (int64_t)seconds * 1000);
	close(from[0]);
	if (outcome != RUN_OK)
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

	if (outcome == RUN_OK && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		outcome = RUN_FAILED;
	if (outcome == RUN_OK) {
		*out = arena_strndup(a, text.data ? text.data : "", text.len);
		*out_len = text.len;
		if (!*out)
			outcome = RUN_IO;
	}
	buf_free(&text);
	return outcome;
}
