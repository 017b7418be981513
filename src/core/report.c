/* report — see report.h. */
#include "core/report.h"

#include "core/limits.h"
#include "render/pdf.h"
#include "util/clock.h"

#include <jansson.h>
#include <string.h>

static int gather_call(struct db *db, struct arena *a, const struct call *c, struct report_call *rc, struct error *e)
{
	const struct outcome_scope scope = {.call_id = c->id};
	memset(rc, 0, sizeof *rc);
	rc->call = c;
	if (outcome_read(db, a, &scope, OUTCOME_SECRETARIAT, 0, 0, &rc->outcome, e) != 0)
		return -1;
	if (rc->outcome.ncalls == 1)
		rc->dispositions_published_at = rc->outcome.calls[0].published_at;
	return 0;
}

static int contributor_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct report_contributor *k = element;
	bool failed = false;
	k->name = db_col_dup(st, 0, a, &failed);
	k->organization = db_col_dup(st, 1, a, &failed);
	k->category = db_col_dup(st, 2, a, &failed);
	k->country = db_col_dup(st, 3, a, &failed);
	return failed ? -1 : 0;
}

static int gather(struct db *db, struct arena *a, const char *slug, struct report *r, struct error *e)
{
	/* Named, and published: an anonymous or private contribution's sender is never listed, nor one that is
	 * pending, hidden or spam. */
	static const char named[] = "SELECT DISTINCT k.name, k.organization, g.name, k.country FROM contribution k "
	                            "JOIN call c ON c.id = k.call_id JOIN category g ON g.id = k.category_id "
	                            "WHERE c.process_id = ?1 AND k.state = 'published' AND k.publication = 'named' "
	                            "ORDER BY k.name, k.organization, g.name, k.country";
	if (overview_load(db, a, slug, &r->o, e) != 0)
		return -1;
	if (r->o.ncalls > 0) {
		r->calls = arena_alloc(a, sizeof *r->calls * (size_t)r->o.ncalls);
		if (!r->calls) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}
	for (int i = 0; i < r->o.ncalls; i++)
		if (gather_call(db, a, &r->o.calls[i], &r->calls[i], e) != 0)
			return -1;
	struct db_stmt *st = db_stmt(db, named, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, r->o.process.id);
	return db_collect(st, a, (void **)&r->contributors, &r->ncontributors, sizeof *r->contributors,
	                  contributor_from_row, e);
}

int report_gather(struct db *db, struct arena *a, const char *slug, struct report *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	out->made_at = clock_now();
	return gather(db, a, slug, out, e);
}

static int file_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct report_file *f = element;
	bool failed = false;
	f->id = db_col_int(st, 0);
	f->process_id = db_col_int(st, 1);
	const char *sha = db_col_text(st, 2);
	if (!sha || strlen(sha) != BLOB_NAME_LEN)
		return DB_FILL_UNKNOWN;
	memcpy(f->sha256, sha, BLOB_NAME_LEN + 1);
	f->size = db_col_int(st, 3);
	f->created_at = db_col_int(st, 4);
	f->actor = db_col_dup(st, 5, a, &failed);
	return failed ? -1 : 0;
}

int report_pdf_keep(struct db *db, struct arena *a, const struct actor *who, int64_t process_id, const char *html,
                    size_t len, struct report_file *out, const void **pdf, size_t *pdf_len, struct error *e)
{
	static const char insert[] =
	    "INSERT INTO report (process_id, sha256, size, created_at, created_by, actor) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
	const struct pdf_limits lim = {
	    .max_out = LIMIT_REPORT_PDF, .seconds = LIMIT_REPORT_PDF_SECONDS, .memory = LIMIT_REPORT_PDF_MEMORY};
	const void *bytes;
	size_t n;
	memset(out, 0, sizeof *out);
	/* Seconds of layout: before the write transaction, which other changes wait for. */
	if (pdf_from_html(a, html, len, &lim, &bytes, &n, e) != 0)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	out->process_id = process_id;
	out->size = (int64_t)n;
	out->created_at = clock_now();
	out->actor = who->label;
	struct db_stmt *st;
	if (blob_put(db, bytes, n, out->sha256, e) != 0 || !(st = db_stmt(db, insert, e)))
		goto fail;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, out->sha256);
	db_bind_int(st, 3, out->size);
	db_bind_int(st, 4, out->created_at);
	if (who->account_id)
		db_bind_int(st, 5, who->account_id);
	else
		db_bind_null(st, 5);
	db_bind_text(st, 6, who->label);
	if (db_insert_id(st, &out->id, e) != 0)
		goto fail;
	if (audit_record(db, who, process_id, "report.pdf", arena_printf(a, "report:%lld", (long long)out->id), NULL,
	                 audit_json(a, json_pack("{s:s,s:I}", "sha256", out->sha256, "size", (json_int_t)n)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	if (pdf)
		*pdf = bytes;
	if (pdf_len)
		*pdf_len = n;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int report_files(struct db *db, struct arena *a, int64_t process_id, int limit, struct report_file **out, int *n,
                 struct error *e)
{
	static const char sql[] = "SELECT id, process_id, sha256, size, created_at, actor FROM report "
	                          "WHERE process_id = ? ORDER BY id DESC LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_int(st, 2, limit);
	return db_collect(st, a, (void **)out, n, sizeof **out, file_from_row, e);
}

int report_file_find(struct db *db, struct arena *a, int64_t process_id, int64_t id, struct report_file *out,
                     const void **pdf, size_t *pdf_len, struct error *e)
{
	static const char sql[] = "SELECT id, process_id, sha256, size, created_at, actor FROM report "
	                          "WHERE process_id = ? AND id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_int(st, 2, id);
	if (db_collect_one(st, a, out, file_from_row, "There is no such report.", e) != 0)
		return -1;
	return blob_get(db, a, out->sha256, pdf, pdf_len, e);
}
