/* sender — see sender.h. */
#include "mail/sender.h"

#include "core/attachment.h"
#include "core/circular.h"
#include "core/config.h"
#include "core/meeting.h"
#include "core/outbox.h"
#include "core/subscription.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/secret.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	SENDER_BATCH = 20,            /* mails taken per look at the outbox */
	SENDER_LETTER_BATCH = 500,    /* circular letters' mails queued per transaction */
	SENDER_TICK_SECONDS = 1,      /* how often it looks without being woken */
	SENDER_SCHEDULE_SECONDS = 60, /* how often it looks for calls about to close */
	SENDER_SCAN_SECONDS = 2,      /* how often it has clamd scan the files held for scanning */
	SENDER_SCAN_BATCH = 20,       /* files scanned per round */
	SENDER_CONNECT_TIMEOUT = 10,  /* seconds to reach the SMTP server */
	SENDER_TIMEOUT = 60,          /* seconds for one whole exchange */
	/* How long a claim on the outbox holds (core/outbox.h): a sender that dies leaves its mails to another
	 * after this long. It is renewed while the batch goes on, before a mail whose exchange could outlast it. */
	SENDER_LEASE_SECONDS = 300,
	SENDER_LEASE_MARGIN = 10,
};

/* The one sender of the process: sender_wake() has no argument to carry it,
 * since any request handler may call it. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC, made by sender_start() */
	bool running;        /* the thread exists (and cond is initialized) */
	bool woken;          /* sender_wake() since the thread last looked */
	atomic_bool stopping;
	pthread_t thread;
	const char *smtp_url; /* NULL: queue only, or write to mail_dir */
	const char *mail_dir; /* NULL, or the Maildir mails are written to instead of sent */
} sender = {.lock = PTHREAD_MUTEX_INITIALIZER};

enum outcome { OUTCOME_SENT, OUTCOME_RETRY, OUTCOME_FAILED };

struct attempt {
	enum outcome outcome;
	long smtp;     /* the last SMTP reply code, 0 if none came */
	char why[256]; /* for last_error and the log: never the message */
};

/* The stored message, handed to libcurl piece by piece. */
struct upload {
	const char *data;
	size_t len, pos;
};

static size_t upload_read(char *out, size_t size, size_t nitems, void *userp)
{
	struct upload *u = userp;
	size_t room = size * nitems, left = u->len - u->pos;
	size_t n = left < room ? left : room;
	memcpy(out, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* The SMTP command last sent (MAIL, RCPT, DATA, ...), so that a 5xx reply can be told apart: a refusal of
 * the recipient or of the message is this mail's end; one of our sender or of the session is not. libcurl
 * reports commands as CURLINFO_HEADER_OUT; only the verb is kept (an AUTH line carries a secret). The QUIT
 * that libcurl sends after a refusal is not the command refused, so it is passed over. */
struct trace {
	char command[8];
};

static int trace_command(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	(void)h;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	struct trace *t = userp;
	char verb[sizeof t->command];
	size_t i = 0;
	for (; i < size && i < sizeof verb - 1; i++) {
		char c = data[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			break;
		verb[i] = c;
	}
	verb[i] = '\0';
	if (strcmp(verb, "QUIT") != 0)
		memcpy(t->command, verb, sizeof verb);
	return 0;
}

/* Cuts an exchange short when the server is stopping, so that shutdown does not wait for a slow SMTP server;
 * but not once the whole message is handed over: the SMTP server may have taken it already, and a mail cut
 * short then is recorded as not sent and sent again after the restart (twice: test_letters.Distribution).
 * Its answer comes within SENDER_TIMEOUT. */
static int abort_if_stopping(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)p;
	(void)dltotal;
	(void)dlnow;
	if (ultotal > 0 && ulnow >= ultotal)
		return 0;
	return atomic_load(&sender.stopping) ? 1 : 0;
}

/* A copy fit for a key="value" log field: no quotes, backslashes or control characters. */
static void log_safe(const char *s, char *out, size_t n)
{
	size_t i = 0;
	for (; s && *s && i + 1 < n; s++)
		out[i++] = (*s < 0x20 || *s == 0x7F || *s == '"' || *s == '\\') ? '?' : *s;
	out[i] = '\0';
}

/* Sends one mail, its bytes data, over h (a handle reused within a batch, so its connection is too). */
static void send_one(CURL *h, const struct outbox_item *m, const char *data, size_t len, struct attempt *out)
{
	memset(out, 0, sizeof *out);
	if (strpbrk(m->recipient, "<>\r\n") || strpbrk(config_get()->mail_from, "<>\r\n")) {
		out->outcome = OUTCOME_FAILED;
		snprintf(out->why, sizeof out->why, "the address cannot be used in an SMTP command");
		return;
	}
	char from[300], to[300], errbuf[CURL_ERROR_SIZE] = "";
	snprintf(from, sizeof from, "<%s>", config_get()->mail_from);
	snprintf(to, sizeof to, "<%s>", m->recipient);
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	if (!rcpt) {
		out->outcome = OUTCOME_RETRY;
		snprintf(out->why, sizeof out->why, "out of memory");
		return;
	}
	struct upload u = {.data = data, .len = len};
	struct trace t = {""};
	curl_easy_setopt(h, CURLOPT_URL, sender.smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_PROXY, "");    /* never a proxy from the environment */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in a threaded server */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)SENDER_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)SENDER_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* only to feed trace_command: nothing is printed */
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace_command);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &t);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_if_stopping);
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->smtp);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK) {
		out->outcome = OUTCOME_SENT;
		return;
	}
	const bool permanent =
	    out->smtp >= 500 && out->smtp < 600 && (!strcmp(t.command, "RCPT") || !strcmp(t.command, "DATA"));
	out->outcome = permanent ? OUTCOME_FAILED : OUTCOME_RETRY;
	/* Cut to fit if long: the reason is for people reading the log and the outbox. */
	if (snprintf(out->why, sizeof out->why, "%s%s%s", *errbuf ? errbuf : curl_easy_strerror(rc),
	             *t.command ? " after " : "", t.command) < 0)
		out->why[0] = '\0';
}

/* Writes all of fd's n bytes; false on an error. */
static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* "Delivers" one mail into sender.mail_dir (sender.h): DIR/tmp first, then renamed into DIR/new, CRLF made LF as
 * a local delivery does. A mail that cannot be written is retried: the directory may come back. */
static void write_one(const struct outbox_item *m, const char *data, size_t len, struct attempt *out)
{
	memset(out, 0, sizeof *out);
	char rnd[9], name[128], tmp[4096], final[4096];
	secret_hex(4, rnd);
	snprintf(name, sizeof name, "%lld.%lld_%s.consulta.eml", (long long)clock_wall(), (long long)m->id, rnd);
	if (snprintf(tmp, sizeof tmp, "%s/tmp/%s", sender.mail_dir, name) >= (int)sizeof tmp ||
	    snprintf(final, sizeof final, "%s/new/%s", sender.mail_dir, name) >= (int)sizeof final) {
		out->outcome = OUTCOME_FAILED;
		snprintf(out->why, sizeof out->why, "the mail directory's name is too long");
		return;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok = fd >= 0;
	for (size_t i = 0; ok && i < len;) {
		const char *cr = memchr(data + i, '\r', len - i);
		size_t n = cr ? (size_t)(cr - (data + i)) : len - i;
		ok = write_all(fd, data + i, n);
		i += n;
		if (cr && ok) {
			if (i + 1 < len && data[i + 1] == '\n')
				i++; /* the LF is written with the next piece */
			else {
				ok = write_all(fd, "\r", 1); /* a lone CR stays */
				i++;
			}
		}
	}
	const int err = ok ? 0 : errno;
	if (fd >= 0 && (close(fd) != 0 || !ok || rename(tmp, final) != 0)) {
		ok = false;
		unlink(tmp);
	}
	if (ok) {
		out->outcome = OUTCOME_SENT;
		return;
	}
	out->outcome = OUTCOME_RETRY;
	snprintf(out->why, sizeof out->why, "cannot write to the mail directory %s: %s", sender.mail_dir,
	         strerror(err ? err : errno));
}

/* Makes dir and its Maildir subdirectories tmp, new and cur (those missing); 0, or -1 with e. */
static int maildir_make(const char *dir, struct error *e)
{
	static const char *const subs[] = {"", "/tmp", "/new", "/cur"};
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
		char path[4096];
		if (snprintf(path, sizeof path, "%s%s", dir, subs[i]) >= (int)sizeof path ||
		    (mkdir(path, 0700) != 0 && errno != EEXIST)) {
			error_set(e, ERROR_UNAVAILABLE, "the mail directory %s cannot be made: %s", path,
			          strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Marks the mail in its own short transaction, at once: a restart must not send a mail marked sent. */
static int record(struct db *db, const struct outbox_item *m, const struct attempt *r)
{
	struct error e;
	error_clear(&e);
	const int64_t now = clock_wall();
	int rc = db_begin(db, &e);
	if (rc == 0) {
		rc = r->outcome == OUTCOME_SENT     ? outbox_mark_sent(db, m->id, now, &e)
		     : r->outcome == OUTCOME_FAILED ? outbox_mark_failed(db, m->id, now, r->why, &e)
		                                    : outbox_mark_retry(db, m->id, m->attempts, now, r->why, &e);
		if (rc == 0)
			rc = db_commit(db, &e);
		if (rc != 0)
			db_rollback(db);
	}
	char id[128], why[256], retry[48] = "";
	log_safe(m->message_id, id, sizeof id);
	log_safe(r->why, why, sizeof why);
	if (r->outcome == OUTCOME_RETRY)
		snprintf(retry, sizeof retry, " retry_in=%lld", (long long)outbox_backoff(m->attempts + 1));
	log_event("mail.send", "outbox=%lld message_id=\"%s\" attempt=%d result=%s smtp=%ld%s%s%s%s", (long long)m->id,
	          id, m->attempts + 1,
	          r->outcome == OUTCOME_SENT     ? "sent"
	          : r->outcome == OUTCOME_FAILED ? "failed"
	                                         : "retry",
	          r->smtp, retry, *why ? " error=\"" : "", why, *why ? "\"" : "");
	if (rc != 0)
		log_event("mail.mark_failed", "outbox=%lld msg=\"%s\"", (long long)m->id, e.message);
	return rc;
}

/* A token for one claim on the outbox: the host and process, for a person reading the outbox, and random
 * bits, so that no two claims share one (a renewal then extends only this claim's mails). */
static void claim_token(char *out, size_t n)
{
	char host[64] = "";
	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	char rnd[17];
	secret_hex(8, rnd);
	snprintf(out, n, "%s:%ld:%s", *host ? host : "-", (long)getpid(), rnd);
}

/* Sends what is due; true if more may be due at once (a full batch went well). */
static bool deliver_due(struct db *db)
{
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct outbox_item *items;
	int n;
	bool more = false;
	char claimer[128];
	claim_token(claimer, sizeof claimer);
	int64_t lease_end = clock_wall() + SENDER_LEASE_SECONDS;
	if (outbox_claim(db, &a, clock_wall(), SENDER_LEASE_SECONDS, claimer, SENDER_BATCH, &items, &n, &e) != 0) {
		log_event("mail.outbox_error", "msg=\"%s\"", e.message);
	} else if (n > 0) {
		CURL *h = curl_easy_init();
		more = n == SENDER_BATCH;
		int i = 0;
		for (; h && i < n && !atomic_load(&sender.stopping); i++) {
			/* A mail is sent only while this claim surely holds for its whole exchange. */
			const int64_t now = clock_wall();
			if (now + SENDER_TIMEOUT + SENDER_LEASE_MARGIN > lease_end) {
				int kept = now < lease_end
				               ? outbox_claim_renew(db, claimer, now, SENDER_LEASE_SECONDS, &e)
				               : 0;
				if (kept <= 0) {
					log_event("mail.claim_lost", "claimer=%s left=%d", claimer, n - i);
					more = false;
					i = n; /* none of them is ours to release any more */
					break;
				}
				lease_end = now + SENDER_LEASE_SECONDS;
			}
			struct attempt r;
			/* The mail's files are read from their blobs for this mail alone, then let go. */
			struct arena wire;
			arena_init(&wire);
			const char *data;
			size_t len;
			if (outbox_wire(db, &wire, &items[i], &data, &len, &e) == 0) {
				if (sender.mail_dir)
					write_one(&items[i], data, len, &r);
				else
					send_one(h, &items[i], data, len, &r);
			} else {
				/* a file gone or too large will not get better; a store error may */
				memset(&r, 0, sizeof r);
				const bool lasting =
				    e.code && (!strcmp(e.code, ERROR_NOT_FOUND) || !strcmp(e.code, ERROR_INVALID));
				r.outcome = lasting ? OUTCOME_FAILED : OUTCOME_RETRY;
				snprintf(r.why, sizeof r.why, "%.*s", (int)(sizeof r.why - 1),
				         e.message); /* a store error: English */
			}
			arena_free(&wire);
			if (record(db, &items[i], &r) != 0) {
				more = false; /* the store is in trouble: do not spin on the same mails */
				break;
			}
			if (r.outcome == OUTCOME_RETRY && r.smtp == 0) {
				/* Nobody answered: the others wait for the next tick rather than each for a time-out
				 * (their claim is let go below). */
				more = false;
				break;
			}
		}
		/* The mails not tried (stopping, or the SMTP server away) are let go at once: they are due as they
		 * were, for the next look of any sender, rather than held until the lease ends. */
		if (i < n && outbox_claim_release(db, claimer, &e) < 0)
			log_event("mail.outbox_error", "msg=\"%s\"", e.message);
		if (!h)
			log_event("mail.curl_error", "msg=\"curl_easy_init failed\"");
		curl_easy_cleanup(h);
	}
	arena_free(&a);
	return more;
}

/* Queues a batch of circular letters' mails (core/circular.h); true if a full batch was queued (more may wait). */
static bool queue_letters(struct db *db)
{
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	int queued = 0;
	if (circular_distribute(db, &a, SENDER_LETTER_BATCH, &queued, &e) != 0)
		log_event("mail.letter_error", "msg=\"%s\"", e.message);
	else if (queued)
		log_event("mail.letters_queued", "mails=%d", queued);
	arena_free(&a);
	return queued == SENDER_LETTER_BATCH;
}

static void queue_closing_notices(struct db *db)
{
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	int calls;
	if (subscription_closing_notices(db, &a, clock_now(), &calls, &e) != 0)
		log_event("mail.closing_notice_error", "msg=\"%s\"", e.message);
	/* The meetings' reminders, a day and an hour before, by the same tick (core/meeting.h). */
	int reminded;
	error_clear(&e);
	if (meeting_reminders(db, &a, clock_now(), &reminded, &e) != 0)
		log_event("mail.meeting_reminder_error", "msg=\"%s\"", e.message);
	arena_free(&a);
}

/* Sleeps until the next tick, sender_wake() or sender_stop(); true if woken by a change. */
static bool wait_tick(void)
{
	pthread_mutex_lock(&sender.lock);
	if (!sender.woken && !atomic_load(&sender.stopping)) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += SENDER_TICK_SECONDS;
		pthread_cond_timedwait(&sender.cond, &sender.lock, &until);
	}
	bool woken = sender.woken;
	sender.woken = false;
	pthread_mutex_unlock(&sender.lock);
	return woken;
}

static void *sender_main(void *arg)
{
	(void)arg;
	struct db *db = NULL;
	bool told = false;
	int64_t next_schedule = 0, next_scan = 0;
	while (!atomic_load(&sender.stopping)) {
		if (!db) {
			struct error e;
			error_clear(&e);
			db = db_thread(&e);
			if (!db && !told) {
				log_event("mail.db_unavailable", "msg=\"%s\"", e.message);
				told = true;
			}
		}
		bool more = false;
		if (db) {
			int64_t now = clock_wall();
			if (now >= next_schedule) {
				queue_closing_notices(db);
				next_schedule = now + SENDER_SCHEDULE_SECONDS;
			}
			/* A letter's mails go to the outbox in batches, each its own short transaction. */
			more = queue_letters(db);
			if (sender.smtp_url || sender.mail_dir)
				more = deliver_due(db) || more;
			/* Files held because clamd was down (or a message's files) are scanned once it answers. */
			if (now >= next_scan) {
				struct error e;
				error_clear(&e);
				if (attachment_scan_pending(db, SENDER_SCAN_BATCH, &e) < 0)
					log_event("attachment.scan_failed", "msg=\"%s\"", e.message);
				next_scan = now + SENDER_SCAN_SECONDS;
			}
		}
		/* A change (a new or moved deadline, a reopened call) may make a call about to
		 * close: look again at once rather than at the next scheduled check. */
		if (!more && wait_tick())
			next_schedule = 0;
	}
	db_thread_close();
	return NULL;
}

int sender_start(const char *smtp_url, const char *mail_dir, struct error *e)
{
	if (mail_dir && maildir_make(mail_dir, e) != 0)
		return -1;
	pthread_mutex_lock(&sender.lock);
	if (sender.running) {
		pthread_mutex_unlock(&sender.lock);
		error_set(e, ERROR_INTERNAL, "the mail sender is already running");
		return -1;
	}
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&sender.cond, &attr);
	pthread_condattr_destroy(&attr);
	sender.smtp_url = smtp_url;
	sender.mail_dir = mail_dir;
	sender.woken = false;
	atomic_store(&sender.stopping, false);
	if (rc == 0 && (rc = pthread_create(&sender.thread, NULL, sender_main, NULL)) != 0)
		pthread_cond_destroy(&sender.cond);
	sender.running = rc == 0;
	pthread_mutex_unlock(&sender.lock);
	if (rc != 0) {
		error_set(e, ERROR_UNAVAILABLE, "the mail sender thread cannot be started: %s", strerror(rc));
		return -1;
	}
	log_event("mail.start", "sending=%s", smtp_url ? "smtp" : mail_dir ? "directory" : "off");
	return 0;
}

void sender_stop(void)
{
	pthread_mutex_lock(&sender.lock);
	if (!sender.running) {
		pthread_mutex_unlock(&sender.lock);
		return;
	}
	atomic_store(&sender.stopping, true);
	pthread_cond_signal(&sender.cond);
	pthread_mutex_unlock(&sender.lock);
	pthread_join(sender.thread, NULL);
	pthread_mutex_lock(&sender.lock);
	sender.running = false;
	pthread_cond_destroy(&sender.cond);
	pthread_mutex_unlock(&sender.lock);
	log_event("mail.stop", "sending=%s", sender.smtp_url ? "smtp" : sender.mail_dir ? "directory" : "off");
}

void sender_wake(void)
{
	pthread_mutex_lock(&sender.lock);
	if (sender.running) {
		sender.woken = true;
		pthread_cond_signal(&sender.cond);
	}
	pthread_mutex_unlock(&sender.lock);
}
