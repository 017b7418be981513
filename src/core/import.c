/* import — see import.h. */
#include "core/import.h"

#include "core/campaign.h"
#include "core/contribution.h"
#include "core/field.h"
#include "core/limits.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/utf8.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* What the threads share: the input (one reader at a time), the output, the counts, the first failure. */
struct import_run {
	FILE *in, *out;
	int64_t call_id;
	pthread_mutex_t lock; /* guards in, line, the counts, failed and failure */
	int64_t line;
	struct import_report report;
	bool failed;
	struct error failure;
};

/* The members a line may have: the API's for a contribution without comments or files. */
static const char *const MEMBERS[] = {"name", "email", "organization", "category", "country", "text", "publication"};

/* Receives one line (its JSON text, len bytes): 0 with tracking filled, or -1 with e. */
static int import_line(struct import_run *run, struct db *db, struct arena *a, const char *text, size_t len,
                       char tracking[TRACKING_LEN + 1], struct error *e)
{
	if (len > LIMIT_REQUEST_BODY) {
		error_set(e, ERROR_INVALID, "The line is longer than %d bytes, the most the API takes.",
		          LIMIT_REQUEST_BODY);
		return -1;
	}
	if (!utf8_valid(text, len)) {
		error_set(e, ERROR_INVALID, "The line is not valid UTF-8 text.");
		return -1;
	}
	json_error_t jerr;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o || !json_is_object(o)) {
		if (o)
			error_set(e, ERROR_INVALID, "The line must be a JSON object.");
		else
			error_set(e, ERROR_INVALID, "The line is not valid JSON: %s (column %d).", jerr.text,
			          jerr.column);
		json_decref(o);
		return -1;
	}
	/* A member this command does not take (comments, attachments, a misspelt name) is refused rather than
	 * dropped: the contribution would otherwise be stored without it. */
	const char *key;
	json_t *value;
	json_object_foreach(o, key, value)
	{
		bool known = false;
		for (size_t i = 0; i < sizeof MEMBERS / sizeof *MEMBERS; i++)
			known = known || !strcmp(key, MEMBERS[i]);
		if (!known)
			error_field(e, "line",
			            "consulta import does not take the member \"%.64s\" (comments and files "
			            "go through the API).",
			            key);
	}
	const struct contribution_input in = {
	    .name = field_json_string(o, "name", e),
	    .organization = field_json_string(o, "organization", e),
	    .category = field_json_string(o, "category", e),
	    .country = field_json_string(o, "country", e),
	    .email = field_json_string(o, "email", e),
	    .text = field_json_string(o, "text", e),
	    .publication = field_json_string(o, "publication", e),
	    .channel = CHANNEL_API,
	};
	struct receipt receipt;
	int rc = e->code ? -1 : contribution_receive(db, a, run->call_id, &in, &receipt, e);
	json_decref(o); /* in's strings point into o: used no further */
	if (rc == 0)
		memcpy(tracking, receipt.tracking, TRACKING_LEN + 1);
	return rc;
}

/* The JSON line telling what line n became. */
static char *import_result(int64_t n, const char *tracking, const struct error *e)
{
	json_t *o = json_pack("{s:I}", "line", (json_int_t)n);
	if (!o)
		return NULL;
	if (tracking) {
		json_object_set_new(o, "tracking", json_string(tracking));
	} else {
		json_t *fields = json_object();
		for (int i = 0; i < e->nfields; i++)
			json_object_set_new(fields, e->fields[i].name, json_string(e->fields[i].message));
		json_object_set_new(o, "error",
		                    json_pack("{s:s,s:s,s:o}", "code", e->code ? e->code : ERROR_INTERNAL, "message",
		                              e->message, "fields", fields));
	}
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void import_fail(struct import_run *run, const struct error *e)
{
	pthread_mutex_lock(&run->lock);
	if (!run->failed)
		run->failure = *e;
	run->failed = true;
	pthread_mutex_unlock(&run->lock);
}

static void *import_worker(void *arg)
{
	struct import_run *run = arg;
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	if (!db) {
		import_fail(run, &e);
		return NULL;
	}
	char *line = NULL;
	size_t cap = 0;
	for (;;) {
		pthread_mutex_lock(&run->lock);
		ssize_t len = run->failed ? -1 : getline(&line, &cap, run->in);
		const int64_t n = len >= 0 ? ++run->line : 0;
		const bool unreadable = len < 0 && ferror(run->in) && !run->failed;
		pthread_mutex_unlock(&run->lock);
		if (unreadable) {
			error_set(&e, ERROR_UNAVAILABLE, "cannot read the file of contributions");
			import_fail(run, &e);
		}
		if (len < 0)
			break;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		struct arena a;
		arena_init(&a);
		char tracking[TRACKING_LEN + 1];
		error_clear(&e);
		const int rc = import_line(run, db, &a, line, (size_t)len, tracking, &e);
		char *result = import_result(n, rc == 0 ? tracking : NULL, &e);
		arena_free(&a);
		pthread_mutex_lock(&run->lock);
		run->report.lines++;
		if (rc == 0)
			run->report.imported++;
		else
			run->report.refused++;
		const bool written = result && fprintf(run->out, "%s\n", result) > 0;
		pthread_mutex_unlock(&run->lock);
		free(result);
		if (!written) {
			/* the line's fate could not be told: stop, rather than leave the caller guessing */
			error_set(&e, ERROR_UNAVAILABLE, "cannot write what line %lld became", (long long)n);
			import_fail(run, &e);
			break;
		}
	}
	free(line);
	db_thread_close();
	return NULL;
}

/* The campaigns of what was imported, before the command ends: the writer groups contributions in a pass
 * after their commit only when nothing waits (core/campaign.h), so during an import that is seldom, and the
 * pass stops with the writer. */
static int import_campaigns(struct error *e)
{
	struct db *db = db_thread(e);
	int64_t after = 0;
	if (!db || campaign_pass_start(db, &after, e) != 0)
		return -1;
	bool more = true;
	int rc = 0;
	while (more && rc == 0)
		rc = campaign_pass(db, &after, IMPORT_CAMPAIGN_PASS, &more, e);
	campaign_pass_stop();
	return rc;
}

int import_contributions(FILE *in, FILE *out, int64_t call_id, int threads, struct import_report *report,
                         struct error *e)
{
	memset(report, 0, sizeof *report);
	if (threads <= 0)
		threads = IMPORT_THREADS_DEFAULT;
	if (threads > IMPORT_THREADS_MAX)
		threads = IMPORT_THREADS_MAX;
	struct import_run run = {.in = in, .out = out, .call_id = call_id};
	pthread_mutex_init(&run.lock, NULL);
	error_clear(&run.failure);
	/* A queue a little longer than the threads that feed it: none of them is ever refused as "busy". */
	if (contribution_writer_start(threads * 4, e) != 0) {
		pthread_mutex_destroy(&run.lock);
		return -1;
	}
	pthread_t tids[IMPORT_THREADS_MAX];
	int started = 0;
	for (; started < threads; started++)
		if (pthread_create(&tids[started], NULL, import_worker, &run) != 0)
			break;
	if (started == 0) {
		error_set(&run.failure, ERROR_UNAVAILABLE, "cannot start the import's threads");
		run.failed = true;
	}
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	contribution_writer_stop();
	pthread_mutex_destroy(&run.lock);
	*report = run.report;
	if (run.failed) {
		*e = run.failure;
		return -1;
	}
	return import_campaigns(e);
}
