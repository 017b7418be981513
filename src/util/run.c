/* run — see run.h. The pump is the one render/docx.c uses for pandoc. */
#include "util/run.h"

#include "util/buf.h"
#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
		int64_t left = deadline - clock_monotonic_ms();
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

/* The counting semaphore of RUN_AT_ONCE, on the monotonic clock. */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_free;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
static int slots_used;

static void slots_init(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&slots_free, &ca);
	pthread_condattr_destroy(&ca);
}

static bool slot_take(void)
{
	pthread_once(&slots_once, slots_init);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += RUN_WAIT_SECONDS;
	pthread_mutex_lock(&slots_lock);
	int rc = 0;
	while (slots_used >= RUN_AT_ONCE && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&slots_free, &slots_lock, &until);
	bool ok = slots_used < RUN_AT_ONCE;
	if (ok)
		slots_used++;
	pthread_mutex_unlock(&slots_lock);
	return ok;
}

static void slot_give(void)
{
	pthread_mutex_lock(&slots_lock);
	slots_used--;
	pthread_cond_signal(&slots_free);
	pthread_mutex_unlock(&slots_lock);
}

/* The program's path: argv[0] itself if it has a slash, else the first executable of that name on PATH.
 * Looked up before fork, since only async-signal-safe calls may run between fork and exec. */
static const char *program_path(struct arena *a, const char *name, const char *path)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? name : NULL;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		char *candidate = arena_printf(a, "%.*s/%s", (int)n, p, name);
		if (n && candidate && access(candidate, X_OK) == 0)
			return candidate;
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* In the child, between fork and exec: async-signal-safe calls only. Never returns. */
static void child_exec(const char *path, char *const argv[], char *const envp[], int in, int out, int seconds,
                       size_t memory)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(127);
	int null = open("/dev/null", O_WRONLY);
	if (null < 0 || dup2(null, 2) < 0)
		_exit(127);
	close_range(3, ~0U, 0); /* our sockets and database stay ours */
	/* The server ignores SIGPIPE and blocks SIGINT and SIGTERM; the program gets the defaults. */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct rlimit mem = {(rlim_t)memory, (rlim_t)memory};
	struct rlimit cpu = {(rlim_t)seconds, (rlim_t)seconds + 1}; /* SIGXCPU, then SIGKILL */
	struct rlimit core = {0, 0};
	if (setrlimit(RLIMIT_AS, &mem) != 0 || setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_CORE, &core) != 0)
		_exit(127);
	execve(path, argv, envp);
	_exit(127);
}

enum run_outcome run_filter(struct arena *a, char *const argv[], const void *in, size_t len, size_t max_out,
                            int seconds, const char **out, size_t *out_len)
{
	return run_filter_memory(a, argv, in, len, max_out, seconds, RUN_MEMORY_LIMIT, out, out_len);
}

enum run_outcome run_filter_memory(struct arena *a, char *const argv[], const void *in, size_t len, size_t max_out,
                                   int seconds, size_t memory, const char **out, size_t *out_len)
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
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	const char *program = program_path(a, argv[0], path);
	char *env_path = arena_printf(a, "PATH=%s", path);
	char *const envp[] = {env_path, "LANG=C.UTF-8", NULL};
	enum run_outcome early = !program ? RUN_MISSING : !env_path ? RUN_IO : !slot_take() ? RUN_BUSY : RUN_OK;
	pid_t pid = early == RUN_OK ? fork() : -1;
	if (pid == 0)
		child_exec(program, argv, envp, to[0], from[1], seconds, memory);
	close(to[0]);
	close(from[1]);
	if (pid < 0) {
		if (early == RUN_OK)
			slot_give();
		close(to[1]);
		close(from[0]);
		return early == RUN_OK ? RUN_IO : early;
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
	enum run_outcome outcome = pump(to[1], from[0], in, len, &text, clock_monotonic_ms() + (int64_t)seconds * 1000);
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

	slot_give();
	/* Killed by its CPU-time limit: as slow as a wall-clock time-out. */
	if (outcome == RUN_OK && WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
		outcome = RUN_TIMEOUT;
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
