/*
 * consulta — the command line: consulta [--db URL] COMMAND [options].
 *
 * Each command reads its options, configures the store, and calls into the
 * core or the web server; nothing here knows SQL or HTML.
 */
#include "core/account.h"
#include "core/attachment.h"
#include "core/campaign.h"
#include "core/config.h"
#include "core/ledger.h"
#include "verify.h"
#include "core/contribution.h"
#include "core/demo.h"
#include "core/import.h"
#include "core/limits.h"
#include "core/paragraph.h"
#include "core/report.h"
#include "core/search.h"
#include "mail/deliver.h"
#include "mail/extract.h"
#include "mail/intake.h"
#include "mail/lmtp.h"
#include "mail/sender.h"
#include "store/db.h"
#include "store/db_copy.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/secret.h"
#include "web/page_report.h"
#include "web/routes.h"
#include "web/server.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONSULTA_VERSION
#define CONSULTA_VERSION "0.1.0"
#endif

static const char USAGE[] =
	"Usage: consulta [--db URL] [--clamd SOCKET] [--attachment-max-size KIB] [--attachment-max-count N]\n"
	"                COMMAND [options]\n"
	"\n"
	"  --clamd SOCKET          clamd's local socket: files sent with contributions are scanned\n"
	"                          there; without it (or while clamd is down) they are kept, held\n"
	"                          for scanning, and not offered for download until scanned\n"
	"  --attachment-max-size KIB, --attachment-max-count N\n"
	"                          files with one contribution by the form or the API (default\n"
	"                          5120 KiB each, 5 files; at most 10240 KiB, 10 files)\n"
	"\n"
	"Runs open consultations on draft texts.\n"
	"\n"
	"Commands:\n"
	"  init                    create the database, or bring its schema up to date\n"
	"  demo [--live] [--contributions]\n"
	"                          load the reference process (gca-guidelines); --live moves\n"
	"                          its dates so that a call is open today and closes in 14 days;\n"
	"                          --contributions adds sample contributions with comments on\n"
	"                          both versions (and a closed call on the first draft)\n"
	"  serve [--listen HOST:PORT] [--threads N] [--smtp smtp://HOST:PORT | --mail-dir DIR]\n"
	"        [--lmtp HOST:PORT] [--authserv-id ID]\n"
	"        [--per-address-limit N] [--trusted-proxy ADDR[,ADDR...]] [--page-cache-size MIB]\n"
	"        [--write-queue N]\n"
	"                          serve the web pages and the JSON API (default 127.0.0.1:8080);\n"
	"                          with --smtp, send the queued mail (receipts, links, notices)\n"
	"                          through that SMTP server (smtps:// for TLS); without it, mail\n"
	"                          is queued in the database but not sent\n"
	"                          --mail-dir DIR: write each mail to DIR/new/*.eml (a Maildir)\n"
	"                          instead of sending it: for a demo; nothing leaves the machine\n"
	"                          --lmtp HOST:PORT also takes mail in by LMTP (RFC 2033) from an\n"
	"                          MTA, as mail-in does; --authserv-id ID names that MTA's\n"
	"                          Authentication-Results\n"
	"                          --per-address-limit N: connections at once from one client\n"
	"                          address (default 64; 0: none; none by default behind a proxy)\n"
	"                          --trusted-proxy ADDR: a reverse proxy whose X-Forwarded-For\n"
	"                          names the client (repeatable, or a comma list)\n"
	"                          --page-cache-size MIB: public pages kept ready to send, with\n"
	"                          their gzip (default 64; 0: build every page for each request)\n"
	"                          --write-queue N: contributions waiting for their group commit\n"
	"                          at most (default 16384); one more is answered 503 at once\n"
	"  user add --email E [--role stakeholder|secretariat] [--name N] [--password-stdin]\n"
	"                          create an account; without --password-stdin a link to set\n"
	"                          the password is printed\n"
	"  user password --email E read a new password from standard input\n"
	"  token create --email E  print a new API token for the account\n"
	"  token revoke (--email E | [--token] TOKEN | -- TOKEN)\n"
	"                          revoke every token of the account, or one token\n"
	"  report PROCESS [--html FILE] [--pdf FILE]\n"
	"                          the report to the governing body of a process (its slug):\n"
	"                          --html writes it as one self-contained HTML file; --pdf makes\n"
	"                          the PDF (WeasyPrint), keeps it with the process as the back\n"
	"                          office's button does (audit report.pdf) and writes it to FILE;\n"
	"                          prints the PDF's SHA-256. '-' is standard output\n"
	"  campaigns --call ID [--resume]\n"
	"                          recognise the mass campaigns among a call's contributions\n"
	"                          again, all of them, oldest first (after a bulk load, or for\n"
	"                          contributions from before campaigns were recognised on\n"
	"                          arrival); prints how many are in a campaign as JSON.\n"
	"                          --resume: go on from where a run stopped (interrupted, or\n"
	"                          failed) rather than start over\n"
	"  send-mail (--smtp smtp://HOST:PORT | --mail-dir DIR)\n"
	"                          only send the queued mail (and the notices of calls about to\n"
	"                          close), until SIGTERM: a unit of its own beside serve without\n"
	"                          --smtp; several senders on one database never send a mail twice;\n"
	"                          --mail-dir DIR writes them to a Maildir instead, as serve's\n"
	"  backup FILE             copy the SQLite database, while it is in use, to FILE (new),\n"
	"                          checked, with SQLite's online backup API\n"
	"  verify RECEIPT.json --checkpoint CHECKPOINT --key KEY\n"
	"                          check a receipt file (/receipts/T/receipt.json) offline: its\n"
	"                          leaf made again from its canonical JSON and salt, its proof\n"
	"                          against the signed checkpoint (/log/checkpoint; KEY: /log/key)\n"
	"  verify --consistency OLD NEW --key KEY (--proof FILE | --server URL)\n"
	"                          check that checkpoint NEW extends checkpoint OLD, with the proof\n"
	"                          of /log/proof/consistency from FILE or fetched from URL\n"
	"  verify --all [--checkpoint CHECKPOINT --key KEY]\n"
	"                          make every leaf of the record again from the database and every\n"
	"                          subtree from the leaves, and (with a checkpoint kept from before)\n"
	"                          check the tree at its size is the one it signed; exit 1 on any\n"
	"                          difference\n"
	"  migrate-db --from URL --to URL [--check]\n"
	"                          copy every table of the database at --from into the new,\n"
	"                          empty database at --to (SQLite to PostgreSQL, or back), in one\n"
	"                          read of the source, and compare both: rows and a SHA-256 per\n"
	"                          table; --check copies nothing and only compares; exits 1 if\n"
	"                          they differ\n"
	"  import --call ID [--threads N] [FILE]\n"
	"                          receive contributions from JSON lines (FILE, or standard\n"
	"                          input), one object per line with the API's members (name,\n"
	"                          organization, category, country, email, text, publication),\n"
	"                          each through the same checks, receipt and campaigns as the\n"
	"                          API, committed by group with N threads (default 32); prints\n"
	"                          one JSON line per line: its tracking number or its errors;\n"
	"                          exits 1 if any line was refused (the others are stored)\n"
	"  routes                  print the route table (method, pattern, role, body) as JSON\n"
	"  mail-in [--recipient ADDR] [--sender ADDR] [--authserv-id ID]\n"
	"                          receive one e-mail message (RFC 5322) on standard input, as\n"
	"                          an MTA's pipe transport delivers it: a contribution to the call\n"
	"                          the recipient (default: Delivered-To, then To) stands for, or\n"
	"                          the holding list; prints the outcome as one line of JSON; exits\n"
	"                          0, 65 (never deliverable) or 75 (try again later), as sysexits\n"
	"                          says; --sender is the envelope sender ('' for a bounce's),\n"
	"                          --authserv-id the MTA whose Authentication-Results to believe\n"
	"\n"
	"Options:\n"
	"  --db URL                the database: sqlite:PATH (default sqlite:var/consulta.db)\n"
	"                          or postgresql://USER@HOST:PORT/DBNAME\n"
	"  --public-url URL        how people reach this server, for links in mails\n"
	"                          (default http://127.0.0.1:8080; https turns on Secure cookies)\n"
	"  --mail-from ADDR        the sender of every mail (default consulta@localhost)\n"
	"  --help                  show this help\n"
	"  --version               show the version\n"
	"\n"
	"Environment:\n"
	"  CONSULTA_NOW            freeze the clock at an RFC 3339 instant (for tests)\n";

static int fail(const struct error *e)
{
	fprintf(stderr, "consulta: %s\n", e->message);
	return 1;
}

static struct db *open_migrated(struct error *e)
{
	struct db *db = db_thread(e);
	/* A database from before migration 008 gets the paragraph rows of its versions; one from before 040, its
	 * versions' texts in other languages in search. */
	if (db && (db_migrate(db, e) != 0 || paragraph_backfill(db, e) != 0 || search_version_texts_backfill(db, e) != 0))
		return NULL;
	return db;
}

static int cmd_init(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "consulta init: takes no options\n");
		return 2;
	}
	struct error e;
	error_clear(&e);
	if (!open_migrated(&e))
		return fail(&e);
	printf("database %s is ready\n", db_path());
	return 0;
}

static int cmd_demo(int argc, char **argv)
{
	struct demo_options o = {0};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--live")) {
			o.live = true;
		} else if (!strcmp(argv[i], "--contributions")) {
			o.contributions = true;
		} else {
			fprintf(stderr, "consulta demo: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	struct error e;
	error_clear(&e);
	struct db *db = open_migrated(&e);
	bool loaded;
	int64_t offset;
	if (!db || demo_load_with(db, &o, &loaded, &offset, &e) != 0)
		return fail(&e);
	if (loaded)
		printf("loaded the demo process %s%s%s (dates moved by %lld days)\n", DEMO_SLUG, o.live ? " live" : "",
		       o.contributions ? " with sample contributions" : "",
		       (long long)offset);
	else
		printf("the demo process %s is already loaded: nothing changed\n", DEMO_SLUG);
	return 0;
}

/* Writes n bytes to path ("-": standard output); false with a message on stderr if it could not. */
static bool write_file(const char *path, const void *data, size_t n)
{
	const bool out = !strcmp(path, "-");
	FILE *f = out ? stdout : fopen(path, "wb");
	bool ok = f && fwrite(data, 1, n, f) == n;
	if (f)
		ok = (out ? fflush(f) : fclose(f)) == 0 && ok;
	if (!ok)
		fprintf(stderr, "consulta report: cannot write %s\n", path);
	return ok;
}

static int cmd_report(int argc, char **argv)
{
	const char *slug = NULL, *html_path = NULL, *pdf_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--html") && i + 1 < argc) {
			html_path = argv[++i];
		} else if (!strcmp(argv[i], "--pdf") && i + 1 < argc) {
			pdf_path = argv[++i];
		} else if (argv[i][0] != '-' && !slug) {
			slug = argv[i];
		} else {
			fprintf(stderr, "consulta report: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!slug || (!html_path && !pdf_path)) {
		fprintf(stderr, "consulta report: wants PROCESS and --html FILE, --pdf FILE or both\n");
		return 2;
	}
	struct error e;
	error_clear(&e);
	struct db *db = open_migrated(&e);
	if (!db)
		return fail(&e);
	struct arena a;
	arena_init(&a);
	struct report rep;
	struct buf html;
	buf_init(&html, LIMIT_REPORT_HTML);
	int rc = 1;
	const int gathered = db_read_begin(db, &e) == 0 ? report_gather(db, &a, slug, &rep, &e) : -1;
	db_read_end(db); /* one snapshot for the whole report, ended before the PDF is kept */
	if (gathered != 0) {
		fail(&e);
		goto done;
	}
	/* The file stands alone: its stylesheet inside it, and no link to a kept PDF (it may be the PDF's source). */
	const struct report_html_options opt = {.css_inline = true, .latest = NULL};
	report_html(&html, &a, &rep, &opt);
	if (html.failed) {
		fprintf(stderr, "consulta report: the report is longer than %d MiB of HTML\n", LIMIT_REPORT_HTML / (1024 * 1024));
		goto done;
	}
	if (html_path && !write_file(html_path, html.data, html.len))
		goto done;
	if (pdf_path) {
		struct report_file f;
		const void *pdf;
		size_t n;
		if (report_pdf_keep(db, &a, &ACTOR_COMMAND_LINE, rep.o.process.id, html.data, html.len, &f, &pdf, &n, &e) !=
		    0) {
			fail(&e);
			goto done;
		}
		if (!write_file(pdf_path, pdf, n))
			goto done;
		fprintf(strcmp(pdf_path, "-") ? stdout : stderr, "report %lld of %s kept: %lld bytes, SHA-256 %s\n",
		        (long long)f.id, rep.o.process.slug, (long long)f.size, f.sha256);
	}
	rc = 0;
done:
	buf_free(&html);
	arena_free(&a);
	return rc;
}

/* How mail goes out, the same options for serve and send-mail: "--smtp smtp://HOST:PORT" (or smtps://) or
 * "--mail-dir DIR" (a Maildir, for a demo) at argv[*i]. 1 when taken (*i moved past its value), 0 when argv[*i]
 * is neither, -1 after saying on stderr what is wrong (a bad URL, one given twice, or both). */
static int mail_option(const char *cmd, int argc, char **argv, int *i, const char **smtp_url, const char **mail_dir)
{
	const bool smtp = !strcmp(argv[*i], "--smtp"), dir = !strcmp(argv[*i], "--mail-dir");
	if ((!smtp && !dir) || *i + 1 >= argc)
		return 0;
	const char *value = argv[++*i];
	if (*smtp_url || *mail_dir) {
		fprintf(stderr, "consulta %s: --smtp and --mail-dir: choose one\n", cmd);
		return -1;
	}
	if (smtp && strncmp(value, "smtp://", 7) && strncmp(value, "smtps://", 8)) {
		fprintf(stderr, "consulta %s: --smtp wants smtp://HOST:PORT or smtps://HOST:PORT\n", cmd);
		return -1;
	}
	*(smtp ? smtp_url : mail_dir) = value;
	return 1;
}

static int cmd_serve(int argc, char **argv)
{
	struct server_config cfg = {
		.listen = "127.0.0.1:8080", .threads = 8, .on_change = sender_wake, .per_address_limit = -1,
		.page_cache_mib = -1};
	const char *smtp_url = NULL, *mail_dir = NULL;
	int taken;
	struct lmtp_config lmtp = {0};
	const char *proxies[SERVER_MAX_PROXY_OPTIONS];
	int write_queue = CONTRIBUTION_QUEUE_DEFAULT;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			cfg.listen = argv[++i];
		} else if ((taken = mail_option("serve", argc, argv, &i, &smtp_url, &mail_dir)) != 0) {
			if (taken < 0)
				return 2;
		} else if (!strcmp(argv[i], "--lmtp") && i + 1 < argc) {
			lmtp.listen = argv[++i];
		} else if (!strcmp(argv[i], "--authserv-id") && i + 1 < argc) {
			lmtp.authserv_id = argv[++i];
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || n < 1 || n > 256) {
				fprintf(stderr, "consulta serve: --threads wants a number from 1 to 256\n");
				return 2;
			}
			cfg.threads = (unsigned)n;
		} else if (!strcmp(argv[i], "--per-address-limit") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || !*argv[i] || n < 0 || n > 100000) {
				fprintf(stderr, "consulta serve: --per-address-limit wants a number (0: no limit)\n");
				return 2;
			}
			cfg.per_address_limit = (int)n;
		} else if (!strcmp(argv[i], "--page-cache-size") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || !*argv[i] || n < 0 || n > 65536) {
				fprintf(stderr, "consulta serve: --page-cache-size wants MiB, from 0 (none) to 65536\n");
				return 2;
			}
			cfg.page_cache_mib = (int)n;
		} else if (!strcmp(argv[i], "--write-queue") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || !*argv[i] || n < 1 || n > 1000000) {
				fprintf(stderr, "consulta serve: --write-queue wants a number from 1 to 1000000\n");
				return 2;
			}
			write_queue = (int)n;
		} else if (!strcmp(argv[i], "--trusted-proxy") && i + 1 < argc) {
			if (cfg.ntrusted_proxies == SERVER_MAX_PROXY_OPTIONS) {
				fprintf(stderr, "consulta serve: too many --trusted-proxy options (use a comma list)\n");
				return 2;
			}
			proxies[cfg.ntrusted_proxies++] = argv[++i];
			cfg.trusted_proxies = proxies;
		} else {
			fprintf(stderr, "consulta serve: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	struct error e;
	error_clear(&e);
	struct db *db = open_migrated(&e);
	if (!db || config_load_secrets(db, &e) != 0 || ledger_key_ensure(db, &e) != 0)
		return fail(&e);
	db_thread_close(); /* the pool threads open their own */
	/* SIGINT and SIGTERM are blocked before any thread starts, so that every thread inherits the mask and
	 * only server_run()'s sigwait takes them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	/* Mail out and mail in run beside the web server, for as long as it does; the web layer only wakes the
	 * sender through cfg.on_change. */
	attachment_init(); /* libmagic's database, before threads (core/attachment.h) */
	/* Said once at start: without clamd every file sent is held, and none is offered for download. */
	log_event("attachment.scan", "clamd=\"%s\"",
		  config_get()->clamd_socket ? config_get()->clamd_socket : "none: files are held for scanning");
	if (sender_start(smtp_url, mail_dir, &e) != 0)
		return fail(&e);
	/* Contributions by the web, the API and LMTP are committed by group (core/contribution.h). */
	contribution_writer_on_commit(sender_wake); /* their receipts: once per batch */
	if (contribution_writer_start(write_queue, &e) != 0) {
		sender_stop();
		return fail(&e);
	}
	if (lmtp.listen && lmtp_start(&lmtp, &e) != 0) {
		contribution_writer_stop();
		sender_stop();
		return fail(&e);
	}
	int rc = server_run(&cfg, &e);
	lmtp_stop();
	contribution_writer_stop(); /* after every channel that could still queue one */
	sender_stop();
	return rc != 0 ? fail(&e) : 0;
}

/* The mail sender alone (for a unit of its own, or several beside the web nodes): what `serve --smtp` runs
 * beside the web server, until SIGTERM or SIGINT. Several may run on one database (core/outbox.h: claims). */
static int cmd_send_mail(int argc, char **argv)
{
	const char *smtp_url = NULL, *mail_dir = NULL;
	for (int i = 1; i < argc; i++) {
		const int taken = mail_option("send-mail", argc, argv, &i, &smtp_url, &mail_dir);
		if (taken < 0)
			return 2;
		if (!taken) {
			fprintf(stderr, "consulta send-mail: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!smtp_url && !mail_dir) {
		fprintf(stderr, "consulta send-mail: --smtp smtp://HOST:PORT or --mail-dir DIR, to send the mail\n");
		return 2;
	}
	struct error e;
	error_clear(&e);
	if (!open_migrated(&e))
		return fail(&e);
	db_thread_close(); /* the sender's thread opens its own */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	attachment_init(); /* the sender also has clamd scan the files held for scanning */
	if (sender_start(smtp_url, mail_dir, &e) != 0)
		return fail(&e);
	if (smtp_url)
		printf("sending mail through %s\n", smtp_url);
	else
		printf("writing mail to the Maildir %s\n", mail_dir);
	fflush(stdout);
	int sig;
	sigwait(&stop, &sig);
	sender_stop();
	return 0;
}

/* A copy of a SQLite database while it is in use (store/db.h, db_backup). */
static int cmd_backup(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "consulta backup: say where the copy goes (a file that does not exist yet)\n");
		return 2;
	}
	struct error e;
	error_clear(&e);
	int64_t pages = 0;
	if (db_backup(argv[1], &pages, &e) != 0)
		return fail(&e);
	printf("backup %s: %lld pages, checked\n", argv[1], (long long)pages);
	return 0;
}

/* Reads one line from standard input (a password), without its line end. */
static char *read_line(char *buf, size_t n)
{
	if (!fgets(buf, (int)n, stdin))
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

static void print_fields(const struct error *e)
{
	for (int i = 0; i < e->nfields; i++)
		fprintf(stderr, "  %s: %s\n", e->fields[i].name, e->fields[i].message);
}

static int cmd_user(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "password"))) {
		fprintf(stderr, "consulta user: use 'user add' or 'user password' (see --help)\n");
		return 2;
	}
	bool add = !strcmp(argv[1], "add");
	struct account_input in = {.role = ACCOUNT_STAKEHOLDER};
	bool password_stdin = !add;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--email") && i + 1 < argc) {
			in.email = argv[++i];
		} else if (add && !strcmp(argv[i], "--name") && i + 1 < argc) {
			in.name = argv[++i];
		} else if (add && !strcmp(argv[i], "--organization") && i + 1 < argc) {
			in.organization = argv[++i];
		} else if (add && !strcmp(argv[i], "--country") && i + 1 < argc) {
			in.country = argv[++i];
		} else if (add && !strcmp(argv[i], "--role") && i + 1 < argc) {
			if (!account_role_parse(argv[++i], &in.role)) {
				fprintf(stderr, "consulta user add: --role is stakeholder or secretariat\n");
				return 2;
			}
		} else if (add && !strcmp(argv[i], "--password-stdin")) {
			password_stdin = true;
		} else {
			fprintf(stderr, "consulta user %s: unknown option %s\n", argv[1], argv[i]);
			return 2;
		}
	}
	if (!in.email) {
		fprintf(stderr, "consulta user %s: --email is required\n", argv[1]);
		return 2;
	}
	char password[SECRET_PASSWORD_MAX + 2];
	if (password_stdin && !read_line(password, sizeof password)) {
		fprintf(stderr, "consulta user %s: no password on standard input\n", argv[1]);
		return 2;
	}
	struct error e;
	error_clear(&e);
	struct db *db = open_migrated(&e);
	if (!db)
		return fail(&e);
	struct arena a;
	arena_init(&a);
	struct account acc;
	int rc = 0;
	if (add) {
		if (!in.name)
			in.name = in.role == ACCOUNT_SECRETARIAT ? "Secretariat" : in.email;
		in.password = password_stdin ? password : NULL;
		const char *link;
		if (account_create(db, &a, &in, &acc, &link, &e) != 0) {
			rc = fail(&e);
			print_fields(&e);
		} else {
			printf("created %s account %s\n", account_role_name(acc.role), acc.email);
			if (link)
				printf("set its password within 48 hours at: %s\n", link);
		}
	} else if (account_find_email(db, &a, in.email, &acc, &e) != 0 ||
		   account_set_password(db, &acc, password, &e) != 0) {
		rc = fail(&e);
		print_fields(&e);
	} else {
		printf("password of %s changed; its sessions have ended\n", acc.email);
	}
	sodium_memzero(password, sizeof password);
	arena_free(&a);
	return rc;
}

static int cmd_token(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "create") && strcmp(argv[1], "revoke"))) {
		fprintf(stderr, "consulta token: use 'token create --email E' or 'token revoke (--email E | TOKEN)'\n");
		return 2;
	}
	bool create = !strcmp(argv[1], "create");
	const char *email = NULL, *token = NULL;
	bool options = true; /* until "--": after it, everything is a token */
	for (int i = 2; i < argc; i++) {
		/* A token may be given as --token T, after "--", or alone. Tokens made now never start with "-",
		 * but older ones may: an argument of a token's length is a token, never an option. */
		bool token_shaped = strlen(argv[i]) == SECRET_TOKEN_LEN;
		if (options && !strcmp(argv[i], "--") && !create)
			options = false;
		else if (options && !token_shaped && !strcmp(argv[i], "--email") && i + 1 < argc)
			email = argv[++i];
		else if (options && !token_shaped && !create && !strcmp(argv[i], "--token") && i + 1 < argc && !token)
			token = argv[++i];
		else if (!create && !token && (!options || token_shaped || argv[i][0] != '-'))
			token = argv[i];
		else {
			fprintf(stderr, "consulta token %s: unknown option %s\n", argv[1], argv[i]);
			return 2;
		}
	}
	if ((create && !email) || (!create && !email && !token)) {
		fprintf(stderr, "consulta token %s: say which account (--email E)%s\n", argv[1], create ? "" : " or which token");
		return 2;
	}
	struct error e;
	error_clear(&e);
	struct db *db = open_migrated(&e);
	if (!db)
		return fail(&e);
	struct arena a;
	arena_init(&a);
	struct account acc = {0};
	int rc = 0;
	if (email && account_find_email(db, &a, email, &acc, &e) != 0) {
		rc = fail(&e);
	} else if (create) {
		char value[SECRET_TOKEN_LEN + 1];
		if (api_token_create(db, acc.id, value, &e) != 0)
			rc = fail(&e);
		else
			printf("%s\n", value); /* alone on its line, for scripts */
	} else {
		int count = 0;
		if (api_token_revoke(db, acc.id, token, &count, &e) != 0)
			rc = fail(&e);
		else if (count == 0) {
			fprintf(stderr, "consulta token revoke: no live token matched\n");
			rc = 1;
		} else
			printf("revoked %d token%s\n", count, count == 1 ? "" : "s");
	}
	arena_free(&a);
	return rc;
}

/* The route table as JSON, one route a line, for the authorization tests: they walk the table itself. */
static int cmd_campaigns(int argc, char **argv)
{
	int64_t call_id = 0;
	bool resume = false;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (!strcmp(argv[i], "--resume")) {
			resume = true;
		} else if (!strcmp(argv[i], "--call") && i + 1 < argc) {
			call_id = strtoll(argv[++i], &end, 10);
			if (!end || *end || call_id <= 0) {
				fprintf(stderr, "consulta campaigns: --call wants a call's id\n");
				return 2;
			}
		} else {
			fprintf(stderr, "consulta campaigns: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!call_id) {
		fprintf(stderr, "consulta campaigns: --call ID is required\n");
		return 2;
	}
	struct error e;
	error_clear(&e);
	struct db *db = open_migrated(&e);
	int64_t assigned = 0;
	if (!db || campaign_rebuild(db, call_id, resume, &assigned, &e) != 0)
		return fail(&e);
	printf("{\"call\": %lld, \"assigned\": %lld}\n", (long long)call_id, (long long)assigned);
	return 0;
}

static int cmd_migrate_db(int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	bool check = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from") && i + 1 < argc) {
			from = argv[++i];
		} else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
			to = argv[++i];
		} else if (!strcmp(argv[i], "--check")) {
			check = true;
		} else {
			fprintf(stderr, "consulta migrate-db: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!from || !to) {
		fprintf(stderr, "consulta migrate-db: --from URL and --to URL are required\n");
		return 2;
	}
	struct error e;
	error_clear(&e);
	struct arena a;
	arena_init(&a);
	struct db_copy_result r;
	if (db_copy(from, to, check, &a, &r, &e) != 0) {
		fprintf(stderr, "consulta migrate-db: %s\n", e.message);
		arena_free(&a);
		return 1;
	}
	/* One line per table, in the order copied: rows and SHA-256 on each side. */
	printf("%-28s %10s %10s  %-64s  %s\n", "table", "from", "to", "sha256", "");
	for (int i = 0; i < r.ntables; i++) {
		const struct db_copy_table *t = &r.tables[i];
		const bool same = t->source_rows == t->target_rows && !strcmp(t->source_sum, t->target_sum);
		printf("%-28s %10lld %10lld  %-64s  %s\n", t->name, (long long)t->source_rows, (long long)t->target_rows,
		       t->source_sum, same ? "ok" : "DIFFERENT");
		if (!same)
			printf("%-28s %10s %10s  %-64s\n", "", "", "", t->target_sum);
	}
	/* SQLite's full-text indexes are not tables to copy: made again from the search entries copied. */
	if (r.copied && r.equal && !strncmp(to, "sqlite:", 7)) {
		struct db *db = db_configure(to, &e) == 0 ? db_thread(&e) : NULL;
		if (!db || search_reindex(db, &e) != 0) {
			fprintf(stderr, "consulta migrate-db: the copy's search index could not be made: %s\n", e.message);
			arena_free(&a);
			return 1;
		}
		fprintf(stderr, "consulta migrate-db: the search index made again from the copied entries\n");
	}
	printf("%s: %d tables, %lld rows %s %s %s %s: %s\n", r.copied ? "copied" : "checked", r.ntables,
	       (long long)r.rows, r.copied ? "from" : "in", r.from, r.copied ? "to" : "and", r.to,
	       r.equal ? "every count and checksum is the same" : "THEY DIFFER");
	arena_free(&a);
	return r.equal ? 0 : 1;
}

static int cmd_import(int argc, char **argv)
{
	int64_t call_id = 0;
	long threads = 0;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (!strcmp(argv[i], "--call") && i + 1 < argc) {
			call_id = strtoll(argv[++i], &end, 10);
			if (!end || *end || call_id <= 0) {
				fprintf(stderr, "consulta import: --call wants a call's id\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			threads = strtol(argv[++i], &end, 10);
			if (!end || *end || threads < 1 || threads > IMPORT_THREADS_MAX) {
				fprintf(stderr, "consulta import: --threads wants 1 to %d\n", IMPORT_THREADS_MAX);
				return 2;
			}
		} else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
			path = argv[i];
		} else {
			fprintf(stderr, "consulta import: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!call_id) {
		fprintf(stderr, "consulta import: --call ID is required\n");
		return 2;
	}
	FILE *in = !path || !strcmp(path, "-") ? stdin : fopen(path, "r");
	if (!in) {
		fprintf(stderr, "consulta import: cannot open %s\n", path);
		return 1;
	}
	struct error e;
	error_clear(&e);
	struct import_report r;
	const int rc = open_migrated(&e) ? import_contributions(in, stdout, call_id, (int)threads, &r, &e) : -1;
	if (in != stdin)
		fclose(in);
	if (rc != 0)
		return fail(&e);
	fprintf(stderr, "consulta import: %lld lines, %lld imported, %lld refused\n", (long long)r.lines,
		(long long)r.imported, (long long)r.refused);
	return r.refused ? 1 : 0;
}

static int cmd_routes(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "consulta routes: takes no options\n");
		return 2;
	}
	fputs("[", stdout);
	for (int i = 0; i < NROUTES; i++) {
		const struct route *rt = &ROUTES[i];
		json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:b}", "method", rt->method, "pattern", rt->pattern, "role",
				      route_role_name(rt->role), "body", rt->body, "no_csrf", rt->no_csrf);
		char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (!line) {
			fprintf(stderr, "consulta routes: out of memory\n");
			return 1;
		}
		printf("%s\n%s", i ? "," : "", line);
		free(line);
	}
	fputs("\n]\n", stdout);
	return 0;
}

/* sysexits.h's codes, which MTAs read from a pipe transport */
enum { EXIT_DATAERR = 65, EXIT_TEMPFAIL = 75 };

/* Reads standard input up to max bytes; *too_large if there was more. NULL if it cannot be read. */
static char *read_stdin(size_t max, size_t *len, bool *too_large)
{
	struct buf in;
	buf_init(&in, max);
	char chunk[65536];
	size_t n;
	*too_large = false;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (buf_append(&in, chunk, n) != 0) {
			*too_large = true;
			break;
		}
	if (ferror(stdin) && !*too_large) {
		buf_free(&in);
		return NULL;
	}
	return buf_steal(&in, len);
}

static int cmd_mail_in(int argc, char **argv)
{
	const char *recipient = NULL, *sender = NULL;
	struct intake_options opt = {0};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--recipient") && i + 1 < argc) {
			recipient = argv[++i];
		} else if (!strcmp(argv[i], "--sender") && i + 1 < argc) {
			sender = argv[++i];
		} else if (!strcmp(argv[i], "--authserv-id") && i + 1 < argc) {
			opt.authserv_id = argv[++i];
		} else {
			/* A mistake in the MTA's configuration: it keeps the message and tries again once it is fixed. */
			fprintf(stderr, "consulta mail-in: unknown option %s\n", argv[i]);
			return EXIT_TEMPFAIL;
		}
	}
	size_t len = 0;
	bool too_large;
	char *raw = read_stdin(LIMIT_MAIL_MESSAGE + 1, &len, &too_large);
	if (!raw && !too_large) {
		fprintf(stderr, "consulta mail-in: standard input cannot be read\n");
		return EXIT_TEMPFAIL;
	}
	intake_init();
	extract_init();
	struct arena a;
	arena_init(&a);
	struct error e;
	error_clear(&e);
	struct db *db = open_migrated(&e);
	struct mail_message m;
	struct mail_result result;
	int rc;
	if (!db) {
		fprintf(stderr, "consulta mail-in: %s\n", e.message);
		result = (struct mail_result){.outcome = MAIL_TEMPFAIL, .recipient = recipient, .detail = e.message};
	} else if (too_large) {
		/* not read: mail_deliver refuses it by its size alone */
		m = (struct mail_message){.raw = raw, .len = (size_t)LIMIT_MAIL_MESSAGE + 1};
		mail_deliver(db, &a, &m, sender, recipient, &result);
	} else if (mail_read(&a, raw ? raw : "", len, &opt, &m, &e) != 0) {
		result = (struct mail_result){.outcome = MAIL_TEMPFAIL, .recipient = recipient, .detail = e.message};
	} else {
		mail_deliver(db, &a, &m, sender, recipient, &result);
	}
	json_t *line = mail_result_json(&result);
	char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
	printf("%s\n", text ? text : "{\"outcome\":\"temporary_failure\"}");
	free(text);
	json_decref(line);
	rc = result.outcome == MAIL_TEMPFAIL ? EXIT_TEMPFAIL : result.outcome == MAIL_REJECT ? EXIT_DATAERR : 0;
	if (result.outcome == MAIL_TEMPFAIL || result.outcome == MAIL_REJECT)
		fprintf(stderr, "consulta mail-in: %s\n", result.detail ? result.detail : "failed");
	arena_free(&a);
	free(raw);
	return rc;
}

int main(int argc, char **argv)
{
	const char *url = "sqlite:var/consulta.db";
	const char *public_url = NULL, *mail_from = NULL, *clamd = NULL;
	long attachment_kib = 0, attachment_count = 0;
	int i = 1;
	/* Before any thread: $LANGUAGE out of the way (it would replace the locale glibc's gettext looks catalogues
	 * up under, util/i18n.h), and the catalogues' folder. */
	unsetenv("LANGUAGE");
	if (i18n_init() != 0)
		fputs("consulta: no C.UTF-8 locale: the interface is in English only\n", stderr);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(USAGE, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("consulta %s\n", CONSULTA_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			url = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			url = argv[i] + 5;
		} else if (!strcmp(argv[i], "--public-url") && i + 1 < argc) {
			public_url = argv[++i];
		} else if (!strcmp(argv[i], "--mail-from") && i + 1 < argc) {
			mail_from = argv[++i];
		} else if (!strcmp(argv[i], "--clamd") && i + 1 < argc) {
			clamd = argv[++i];
		} else if ((!strcmp(argv[i], "--attachment-max-size") || !strcmp(argv[i], "--attachment-max-count")) &&
			   i + 1 < argc) {
			const bool size = !strcmp(argv[i], "--attachment-max-size");
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || !*argv[i] || n < 1 || n > (size ? LIMIT_ATTACHMENT / 1024 : LIMIT_ATTACHMENTS)) {
				fprintf(stderr, "consulta: %s wants a number from 1 to %d\n", argv[i - 1],
					size ? LIMIT_ATTACHMENT / 1024 : LIMIT_ATTACHMENTS);
				return 2;
			}
			*(size ? &attachment_kib : &attachment_count) = n;
		} else {
			fprintf(stderr, "consulta: unknown option %s\n\n%s", argv[i], USAGE);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (secret_init() != 0) {
		fprintf(stderr, "consulta: libsodium cannot be initialized\n");
		return 1;
	}
	if (clock_init() != 0) {
		fprintf(stderr, "consulta: CONSULTA_NOW is not an RFC 3339 instant (such as 2021-02-15T12:00:00Z)\n");
		return 2;
	}
	/* Once, before any thread: the mail sender's libcurl handles rely on it. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "consulta: libcurl cannot be initialized\n");
		return 1;
	}
	atexit(curl_global_cleanup);
	struct error e;
	error_clear(&e);
	if (db_configure(url, &e) != 0)
		return fail(&e);
	if (public_url) {
		size_t n = strlen(public_url);
		if ((strncmp(public_url, "http://", 7) && strncmp(public_url, "https://", 8)) || public_url[n - 1] == '/') {
			fprintf(stderr, "consulta: --public-url wants http(s)://HOST[:PORT][/PATH] without a final slash\n");
			return 2;
		}
	}
	if (mail_from && (!strchr(mail_from, '@') || strpbrk(mail_from, " <>\r\n"))) {
		fprintf(stderr, "consulta: --mail-from wants a bare address such as consultation@example.org\n");
		return 2;
	}
	config_set(public_url, mail_from);
	config_set_attachments(clamd, (int)attachment_kib * 1024, (int)attachment_count); /* checked above */

	static const struct {
		const char *name;
		int (*run)(int, char **);
	} commands[] = {{"init", cmd_init},   {"demo", cmd_demo},   {"serve", cmd_serve},
			{"user", cmd_user},   {"token", cmd_token},
			{"routes", cmd_routes}, {"mail-in", cmd_mail_in}, {"report", cmd_report},
			{"campaigns", cmd_campaigns}, {"send-mail", cmd_send_mail}, {"backup", cmd_backup},
			{"verify", cmd_verify}, {"migrate-db", cmd_migrate_db},
			{"import", cmd_import}};
	for (size_t k = 0; k < sizeof commands / sizeof *commands; k++) {
		if (!strcmp(argv[i], commands[k].name)) {
			int rc = commands[k].run(argc - i, argv + i);
			db_thread_close();
			return rc;
		}
	}
	fprintf(stderr, "consulta: unknown command %s\n\n%s", argv[i], USAGE);
	return 2;
}
