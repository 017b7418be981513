/*
 * consulta — the command line: consulta [--db URL] COMMAND [options].
 *
 * Each command reads its options, configures the store, and calls into the
 * core or the web server; nothing here knows SQL or HTML.
 */
#include "core/config.h"
#include "core/demo.h"
#include "store/db.h"
#include "util/clock.h"
#include "util/secret.h"
#include "web/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONSULTA_VERSION
#define CONSULTA_VERSION "0.1.0"
#endif

static const char USAGE[] =
	"Usage: consulta [--db URL] COMMAND [options]\n"
	"\n"
	"Runs open consultations on draft texts.\n"
	"\n"
	"Commands:\n"
	"  init                    create the database, or bring its schema up to date\n"
	"  demo [--live]           load the reference process (gca-guidelines); --live moves\n"
	"                          its dates so that a call is open today and closes in 14 days\n"
	"  serve [--listen HOST:PORT] [--threads N]\n"
	"                          serve the web pages and the JSON API (default 127.0.0.1:8080)\n"
	"\n"
	"Options:\n"
	"  --db URL                the database: sqlite:PATH (default sqlite:var/consulta.db)\n"
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
	if (db && db_migrate(db, e) != 0)
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
	bool live = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--live")) {
			live = true;
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
	if (!db || demo_load(db, live, &loaded, &offset, &e) != 0)
		return fail(&e);
	if (loaded)
		printf("loaded the demo process %s%s (dates moved by %lld days)\n", DEMO_SLUG, live ? " live" : "",
		       (long long)offset);
	else
		printf("the demo process %s is already loaded: nothing changed\n", DEMO_SLUG);
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	struct server_config cfg = {.listen = "127.0.0.1:8080", .threads = 8};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			cfg.listen = argv[++i];
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || n < 1 || n > 256) {
				fprintf(stderr, "consulta serve: --threads wants a number from 1 to 256\n");
				return 2;
			}
			cfg.threads = (unsigned)n;
		} else {
			fprintf(stderr, "consulta serve: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	struct error e;
	error_clear(&e);
	if (!open_migrated(&e))
		return fail(&e);
	db_thread_close(); /* the pool threads open their own */
	if (server_run(&cfg, &e) != 0)
		return fail(&e);
	return 0;
}

int main(int argc, char **argv)
{
	const char *url = "sqlite:var/consulta.db";
	const char *public_url = NULL, *mail_from = NULL;
	int i = 1;
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

	static const struct {
		const char *name;
		int (*run)(int, char **);
	} commands[] = {{"init", cmd_init}, {"demo", cmd_demo}, {"serve", cmd_serve}};
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
