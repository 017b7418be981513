/* attachment — see attachment.h. */
#include "core/attachment.h"

#include "core/audit.h"
#include "core/blob.h"
#include "core/config.h"
#include "core/contribution.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/search.h"
#include "util/clamd.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/run.h"
#include "util/utf8.h"

#include <magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const SCAN_NAMES[] = {
    [ATTACHMENT_PENDING] = "pending",
    [ATTACHMENT_CLEAN] = "clean",
    [ATTACHMENT_QUARANTINED] = "quarantined",
};

const char *attachment_scan_name(enum attachment_scan s)
{
	return SCAN_NAMES[s];
}

bool attachment_scan_parse(const char *name, enum attachment_scan *out)
{
	const int i = field_enum_index(SCAN_NAMES, (int)(sizeof SCAN_NAMES / sizeof *SCAN_NAMES), name);
	if (i >= 0)
		*out = (enum attachment_scan)i;
	return i >= 0;
}

/* What the web form and the API accept: by the type libmagic finds, never by the name. */
static const struct {
	const char *type, *kind;
} KINDS[] = {
    {"application/pdf", "PDF"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"},
    {"application/vnd.oasis.opendocument.text", "ODT"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"},
    {"text/plain", "TXT"},
};
/* TRANSLATORS: the kinds of file a contribution may carry, in a sentence ("is not a %s file"): translate "or". */
const char *const ATTACHMENT_KINDS = N_("PDF, DOCX, ODT, XLSX or TXT");

/* One handle, used under a lock: libmagic's handle is not for two threads at once. */
static magic_t cookie;
static pthread_mutex_t cookie_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cookie_once = PTHREAD_ONCE_INIT;
static int cookie_ready = -1;

static void attachment_init_once(void)
{
	cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	if (cookie && magic_load(cookie, NULL) == 0)
		cookie_ready = 0;
	else
		log_event("attachment.magic_unavailable", "error=%s", cookie ? magic_error(cookie) : "magic_open");
}

int attachment_init(void)
{
	pthread_once(&cookie_once, attachment_init_once);
	return cookie_ready;
}

const char *attachment_type(struct arena *a, const void *data, size_t len)
{
	if (attachment_init() != 0 || len == 0)
		return len == 0 ? "application/x-empty" : "application/octet-stream";
	pthread_mutex_lock(&cookie_lock);
	const char *t = magic_buffer(cookie, data, len);
	const char *type = arena_strdup(a, t ? t : "application/octet-stream");
	pthread_mutex_unlock(&cookie_lock);
	return type;
}

const char *attachment_kind(const char *type)
{
	for (size_t i = 0; type && i < sizeof KINDS / sizeof *KINDS; i++)
		if (!strcasecmp(type, KINDS[i].type))
			return KINDS[i].kind;
	return NULL;
}

const char *attachment_serve_type(const char *type)
{
	for (size_t i = 0; type && i < sizeof KINDS / sizeof *KINDS; i++)
		if (!strcasecmp(type, KINDS[i].type))
			return KINDS[i].type;
	return "application/octet-stream";
}

const char *attachment_size_words(struct arena *a, size_t n)
{
	if (n < 1024)
		return arena_printf(a, "%zu bytes", n);
	if (n < 1024 * 1024)
		return arena_printf(a, "%zu KiB", (n + 1023) / 1024);
	return arena_printf(a, "%.1f MiB", (double)n / (1024 * 1024));
}

static bool type_is(const char *type, const char *want)
{
	return type && !strcasecmp(type, want);
}

static bool name_ends(const char *name, const char *ext)
{
	size_t n = name ? strlen(name) : 0, m = strlen(ext);
	return n > m && !strcasecmp(name + n - m, ext);
}

/* UTF-8 text of len bytes: as they are when valid UTF-8 (CR LF made LF), else read as Latin-1, the usual
 * other encoding of a plain text file. */
static const char *text_utf8(struct arena *a, const char *s, size_t len)
{
	char *out = arena_alloc(a, 2 * len + 1);
	if (!out)
		return NULL;
	const bool utf8 = utf8_valid(s, len);
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		const unsigned char c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (c == 0)
			continue; /* a NUL would end the text early */
		if (utf8 || c < 0x80) {
			out[k++] = (char)c;
		} else {
			out[k++] = (char)(0xC0 | (c >> 6));
			out[k++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[k] = '\0';
	return out;
}

/* Text for search from a program that reads the file on its standard input; NULL if it cannot. */
static const char *text_from(struct arena *a, char *const argv[], const void *data, size_t len)
{
	const char *out;
	size_t n;
	enum run_outcome r = run_filter(a, argv, data, len, LIMIT_MAIL_EXTRACT, LIMIT_CONVERT_SECONDS, &out, &n);
	if (r != RUN_OK) {
		log_event("attachment.extract_failed", "program=%s outcome=%d", argv[0], (int)r);
		return NULL;
	}
	const char *text = utf8_valid(out, n) ? text_utf8(a, out, n) : NULL;
	return text && *text ? text : NULL;
}

const char *attachment_text(struct arena *a, const struct contribution_attachment *f)
{
	static char *const pdf[] = {"pdftotext", "-q", "-enc", "UTF-8", "-nopgbrk", "-", "-", NULL};
	static char *const docx[] = {"pandoc", "--sandbox", "--from", "docx", "--to", "plain", "--wrap=none", NULL};
	static char *const odt[] = {"pandoc", "--sandbox", "--from", "odt", "--to", "plain", "--wrap=none", NULL};
	const char *t = f->type;
	if (!f->data || f->size == 0 || !t)
		return NULL;
	if (type_is(t, "application/pdf"))
		return text_from(a, pdf, f->data, f->size);
	if (type_is(t, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") ||
	    (type_is(t, "application/zip") && name_ends(f->name, ".docx")))
		return text_from(a, docx, f->data, f->size);
	if (type_is(t, "application/vnd.oasis.opendocument.text") ||
	    (type_is(t, "application/zip") && name_ends(f->name, ".odt")))
		return text_from(a, odt, f->data, f->size);
	if (type_is(t, "text/plain")) {
		const size_t n = f->size < (size_t)LIMIT_MAIL_EXTRACT ? f->size : (size_t)LIMIT_MAIL_EXTRACT;
		return text_utf8(a, f->data, n);
	}
	return NULL; /* spreadsheets, pictures, archives: no tool here gives their text */
}

/* The name for messages: what the sender called it, or its place. */
static const char *shown_name(struct arena *a, const struct contribution_attachment *f, int i)
{
	return f->name && *f->name ? f->name : arena_printf(a, "file %d", i + 1);
}

int attachment_accept(struct arena *a, struct contribution_attachment *files, int n, struct error *e)
{
	const struct config *cfg = config_get();
	if (n > cfg->attachment_max_count) {
		error_field(e, "attachments",
		            _("You sent %d files; at most %d may be sent with one contribution. Nothing "
		              "was stored."),
		            n, cfg->attachment_max_count);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct contribution_attachment *f = &files[i];
		const char *name = shown_name(a, f, i);
		if (!f->name || !*f->name || !utf8_valid(f->name, strlen(f->name)) || strlen(f->name) > 255 ||
		    utf8_has_control(f->name, false)) {
			error_field(e, "attachments",
			            _("Each file needs a name (up to 255 bytes, no control characters)."));
			return -1;
		}
		if (f->size > (size_t)cfg->attachment_max_size) {
			error_field(e, "attachments",
			            _("The file \"%.100s\" is too large (%s); at most %s are accepted for "
			              "one file. Nothing was stored."),
			            name, attachment_size_words(a, f->size),
			            attachment_size_words(a, (size_t)cfg->attachment_max_size));
			return -1;
		}
		f->type = attachment_type(a, f->data, f->size);
		if (!attachment_kind(f->type)) {
			error_field(e, "attachments",
			            _("The file \"%.100s\" is not a %s file (its content is %.60s); send it as "
			              "one of these kinds. Nothing was stored."),
			            name, _(ATTACHMENT_KINDS), f->type ? f->type : "unknown");
			return -1;
		}
	}
	/* Scanned only once every file is of a kind we take: a refused contribution sends nothing to clamd. */
	for (int i = 0; i < n; i++) {
		struct contribution_attachment *f = &files[i];
		char virus[CLAMD_NAME_LEN];
		enum clamd_verdict v = cfg->clamd_socket ? clamd_scan(cfg->clamd_socket, f->data, f->size,
		                                                      ATTACHMENT_SCAN_TIMEOUT_MS, virus)
		                                         : CLAMD_UNAVAILABLE;
		switch (v) {
		case CLAMD_INFECTED:
			log_event("attachment.infected", "virus=\"%s\" size=%zu", virus, f->size);
			error_field(e, "attachments",
			            _("The file \"%.100s\" contains a virus (%.60s) and was not accepted; "
			              "nothing was stored. Check the file and send it again."),
			            shown_name(a, f, i), virus);
			return -1;
		case CLAMD_CLEAN: f->scan = ATTACHMENT_CLEAN; break;
		case CLAMD_UNAVAILABLE:
		case CLAMD_ERROR:
			if (cfg->clamd_socket)
				log_event("attachment.scan_unavailable", "why=\"%s\"", virus);
			f->scan = ATTACHMENT_PENDING; /* held: scanned by attachment_scan_pending() */
			break;
		}
		f->text = attachment_text(a, f);
	}
	return 0;
}

static atomic_bool told_unavailable;

struct held {
	int64_t id, contribution_id, process_id;
	int position;
	const char *name, *tracking;
	const void *data;
	size_t size;
};

static int held_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct held *h = element;
	bool failed = false;
	h->id = db_col_int(st, 0);
	h->contribution_id = db_col_int(st, 1);
	h->position = (int)db_col_int(st, 2);
	h->name = db_col_dup(st, 3, a, &failed);
	h->tracking = db_col_dup(st, 4, a, &failed);
	h->process_id = db_col_int(st, 5);
	size_t len = 0;
	const void *p = db_col_blob(st, 6, &len);
	void *copy = arena_alloc(a, len + 1);
	if (!copy)
		return -1;
	if (len)
		memcpy(copy, p, len);
	h->data = copy;
	h->size = len;
	return failed ? -1 : 0;
}

int attachment_scan_pending(struct db *db, int max, struct error *e)
{
	const char *socket = config_get()->clamd_socket;
	if (!socket)
		return 0;
	static const char sql[] =
	    "SELECT a.id, a.contribution_id, a.position, a.name, c.tracking, k.process_id, b.data "
	    "FROM attachment a JOIN blob b ON b.sha256 = a.sha256 JOIN contribution c ON c.id = a.contribution_id "
	    "JOIN call k ON k.id = c.call_id WHERE a.scan = 'pending' ORDER BY a.id LIMIT ?";
	static const char sql_set[] =
	    "UPDATE attachment SET scan = ?, scanned_at = ?, virus = ? WHERE id = ? AND scan = 'pending'";
	struct arena a;
	arena_init(&a);
	struct held *items = NULL;
	int n = 0, done = 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, max);
	if (db_collect(st, &a, (void **)&items, &n, sizeof *items, held_from_row, e) != 0)
		goto fail;
	/* Each file is scanned with no transaction open (clamd may take its time), then its state set in one. */
	for (int i = 0; i < n; i++) {
		const struct held *h = &items[i];
		char virus[CLAMD_NAME_LEN];
		enum clamd_verdict v = clamd_scan(socket, h->data, h->size, ATTACHMENT_SCAN_TIMEOUT_MS, virus);
		if (v == CLAMD_ERROR) {
			/* clamd answered, but not about this file: it stays held, and the files after it are scanned */
			log_event("attachment.scan_error", "tracking=%s position=%d why=\"%s\"", h->tracking,
			          h->position, virus);
			continue;
		}
		if (v == CLAMD_UNAVAILABLE) {
			if (!atomic_exchange(&told_unavailable, true)) /* once while it stays down, not every round */
				log_event("attachment.scan_unavailable", "why=\"%s\" held=%d", virus, n - i);
			break; /* the rest waits for the next round */
		}
		atomic_store(&told_unavailable, false);
		const enum attachment_scan s = v == CLAMD_CLEAN ? ATTACHMENT_CLEAN : ATTACHMENT_QUARANTINED;
		if (db_begin(db, e) != 0 || !(st = db_stmt(db, sql_set, e)))
			goto fail_tx;
		db_bind_text(st, 1, attachment_scan_name(s));
		db_bind_int(st, 2, clock_now());
		if (v == CLAMD_INFECTED)
			db_bind_text(st, 3, virus);
		else
			db_bind_null(st, 3);
		db_bind_int(st, 4, h->id);
		const char *object = arena_printf(&a, "contribution:%s/attachment:%d", h->tracking, h->position);
		/* a clean file's text becomes findable with its contribution's (core/search.h) */
		if (db_exec_stmt(st, e) != 0 ||
		    (v == CLAMD_CLEAN && search_contribution_sync(db, h->contribution_id, e) != 0) ||
		    (v == CLAMD_INFECTED &&
		     audit_record(db, &ACTOR_SYSTEM, h->process_id, "attachment.quarantine", object,
		                  audit_json(&a, json_pack("{s:s}", "scan", "pending")),
		                  audit_json(&a, json_pack("{s:s,s:s}", "scan", "quarantined", "virus", virus)),
		                  e) != 0) ||
		    db_commit(db, e) != 0)
			goto fail_tx;
		log_event("attachment.scanned", "tracking=%s position=%d scan=%s", h->tracking, h->position,
		          attachment_scan_name(s));
		done++;
	}
	arena_free(&a);
	return done;
fail_tx:
	db_rollback(db);
fail:
	arena_free(&a);
	return -1;
}

static int file_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct contribution_attachment *f = element;
	bool failed = false;
	f->position = (int)db_col_int(st, 0);
	f->name = db_col_dup(st, 1, a, &failed);
	f->size = (size_t)db_col_int(st, 2);
	f->declared_type = db_col_dup(st, 3, a, &failed);
	f->type = db_col_dup(st, 4, a, &failed);
	const char *sha = db_col_text(st, 5);
	snprintf(f->sha256, sizeof f->sha256, "%s", sha ? sha : "");
	if (!attachment_scan_parse(db_col_text(st, 6), &f->scan))
		return DB_FILL_UNKNOWN;
	return failed ? -1 : 0;
}

int attachment_get(struct db *db, struct arena *a, int64_t contribution_id, int position,
                   struct contribution_attachment *f, struct error *e)
{
	static const char sql[] = "SELECT position, name, size, declared_type, type, sha256, scan FROM attachment "
	                          "WHERE contribution_id = ? AND position = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, contribution_id);
	db_bind_int(st, 2, position);
	memset(f, 0, sizeof *f);
	if (db_collect_one(st, a, f, file_from_row, "There is no such file.", e) != 0)
		return -1;
	const void *data;
	size_t n;
	if (blob_get(db, a, f->sha256, &data, &n, e) != 0)
		return -1;
	f->data = data;
	f->size = n;
	return 0;
}
