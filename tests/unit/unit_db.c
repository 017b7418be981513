/* unit_db — see unit_db.h. */
#include "unit_db.h"

#include "core/demo.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/secret.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char TEMPLATE[] = "/tmp/consulta-unit-XXXXXX";
static char dir[sizeof TEMPLATE];
static char path[sizeof dir + 16];

int unit_db_open(const char *now, enum unit_demo demo, struct db **db)
{
	/* the clock is read once, by clock_init(): CONSULTA_NOW must be set before it */
	if (now && (setenv("CONSULTA_NOW", now, 1) != 0 || clock_init() != 0)) {
		fprintf(stderr, "unit_db: cannot freeze the clock at %s\n", now);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", TEMPLATE);
	if (secret_init() != 0 || !mkdtemp(dir)) {
		fprintf(stderr, "unit_db: cannot start the secret or make %s\n", dir);
		return -1;
	}
	snprintf(path, sizeof path, "%s/test.db", dir);
	char url[sizeof path + 8];
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct error e;
	error_clear(&e);
	bool loaded;
	int64_t offset;
	struct demo_options o = {.contributions = demo == UNIT_DEMO_WITH_CONTRIBUTIONS};
	if (db_configure(url, &e) != 0 || !(*db = db_thread(&e)) || db_migrate(*db, &e) != 0 ||
	    (demo != UNIT_NO_DEMO && demo_load_with(*db, &o, &loaded, &offset, &e) != 0)) {
		fprintf(stderr, "unit_db: %s\n", e.message);
		return -1;
	}
	return 0;
}

const char *unit_db_path(void)
{
	return path;
}

void unit_db_remove(void)
{
	db_thread_close();
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char p[sizeof path + 8];
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
}
