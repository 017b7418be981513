/* paragraph — see paragraph.h. */
#include "core/paragraph.h"

#include <string.h>

static int paragraph_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct paragraph *p = element;
	bool failed = false;
	p->id = db_col_int(st, 0);
	p->version_id = db_col_int(st, 1);
	p->pid = db_col_dup(st, 2, a, &failed);
	p->number = (int)db_col_int(st, 3);
	p->text = db_col_dup(st, 4, a, &failed);
	p->source = db_col_dup(st, 5, a, &failed);
	p->html = db_col_dup(st, 6, a, &failed);
	return failed ? -1 : 0;
}

int paragraph_list(struct db *db, struct arena *a, int64_t version_id, struct paragraph **out, int *n, struct error *e)
{
	static const char sql[] = "SELECT id, version_id, pid, number, text, source, html FROM paragraph "
	                          "WHERE version_id = ? ORDER BY number";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, paragraph_from_row, e);
}

int paragraph_find(struct db *db, struct arena *a, int64_t version_id, const char *pid, struct paragraph *out,
                   struct error *e)
{
	static const char sql[] = "SELECT id, version_id, pid, number, text, source, html FROM paragraph "
	                          "WHERE version_id = ? AND pid = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	db_bind_text(st, 2, pid);
	return db_collect_one(st, a, out, paragraph_from_row, "This version has no such paragraph.", e);
}

int paragraph_assign_ids(struct db *db, struct arena *a, int64_t document_id, const struct markdown_block *blocks,
                         int nblocks, const char ***ids, struct error *e)
{
	(void)db;
	(void)document_id;
	int numbered = 0;
	for (int i = 0; i < nblocks; i++)
		numbered += blocks[i].numbered;
	const char **out = arena_alloc(a, sizeof *out * (size_t)(numbered + 1));
	for (int k = 0; out && k < numbered; k++)
		if (!(out[k] = arena_printf(a, "p%d", k + 1)))
			out = NULL;
	if (!out) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*ids = out;
	return 0;
}

int paragraph_store(struct db *db, int64_t version_id, const struct markdown_block *blocks, int nblocks,
                    const char *const *ids, struct error *e)
{
	static const char sql[] = "INSERT INTO paragraph (version_id, pid, number, text, source, html) "
	                          "VALUES (?, ?, ?, ?, ?, ?)";
	int k = 0;
	for (int i = 0; i < nblocks; i++) {
		if (!blocks[i].numbered)
			continue;
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, version_id);
		db_bind_text(st, 2, ids[k]);
		db_bind_int(st, 3, k + 1);
		db_bind_text(st, 4, blocks[i].text);
		db_bind_text(st, 5, blocks[i].source);
		db_bind_text(st, 6, blocks[i].html);
		if (db_exec_stmt(st, e) != 0)
			return -1;
		k++;
	}
	return 0;
}

struct version_text {
	int64_t id;
	int64_t document_id;
	const char *markdown;
};

static int version_text_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct version_text *v = element;
	bool failed = false;
	v->id = db_col_int(st, 0);
	v->document_id = db_col_int(st, 1);
	v->markdown = db_col_dup(st, 2, a, &failed);
	return failed ? -1 : 0;
}

int paragraph_backfill(struct db *db, struct error *e)
{
	static const char sql[] =
	    "SELECT v.id, v.document_id, v.markdown FROM version v "
	    "WHERE NOT EXISTS (SELECT 1 FROM paragraph p WHERE p.version_id = v.id) ORDER BY v.id";
	struct arena a;
	arena_init(&a);
	struct version_text *versions = NULL;
	int n = 0;
	if (db_begin(db, e) != 0)
		goto fail;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st || db_collect(st, &a, (void **)&versions, &n, sizeof *versions, version_text_from_row, e) != 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		struct markdown_block *blocks;
		int nblocks;
		const char **ids;
		if (markdown_blocks(&a, versions[i].markdown, &blocks, &nblocks) != 0) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		/* The page of such a version was rendered with p1..pN: keep them (not paragraph_assign_ids). */
		int numbered = 0;
		for (int k = 0; k < nblocks; k++)
			numbered += blocks[k].numbered;
		ids = arena_alloc(&a, sizeof *ids * (size_t)(numbered + 1));
		for (int k = 0; ids && k < numbered; k++)
			if (!(ids[k] = arena_printf(&a, "p%d", k + 1)))
				ids = NULL;
		if (!ids) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
		if (paragraph_store(db, versions[i].id, blocks, nblocks, ids, e) != 0)
			goto fail;
	}
	if (db_commit(db, e) != 0)
		goto fail;
	arena_free(&a);
	return 0;
fail:
	db_rollback(db);
	arena_free(&a);
	return -1;
}
