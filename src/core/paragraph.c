/* paragraph — see paragraph.h. */
#include "core/paragraph.h"

#include <stdlib.h>
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
	p->relation = db_col_dup(st, 7, a, &failed);
	p->similarity = db_col_null(st, 8) ? -1 : (int)db_col_int(st, 8);
	p->uncertain = db_col_int(st, 9) != 0;
	return failed ? -1 : 0;
}

struct source_row {
	const char *pid, *from_pid;
	int rank;
};

static int cmp_source(const void *x, const void *y)
{
	const struct source_row *a = x, *b = y;
	int c = strcmp(a->pid, b->pid);
	return c ? c : a->rank - b->rank;
}

static int source_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct source_row *s = element;
	bool failed = false;
	s->pid = db_col_dup(st, 0, a, &failed);
	s->from_pid = db_col_dup(st, 1, a, &failed);
	s->rank = (int)db_col_int(st, 2);
	return failed ? -1 : 0;
}

/* Fills from/nfrom of the n paragraphs of version_id: one query for all of them. */
static int paragraph_sources(struct db *db, struct arena *a, int64_t version_id, struct paragraph *p, int n,
                             struct error *e)
{
	static const char sql[] = "SELECT pid, from_pid, rank FROM paragraph_source WHERE version_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	struct source_row *rows = NULL;
	int nrows = 0;
	if (db_collect(st, a, (void **)&rows, &nrows, sizeof *rows, source_from_row, e) != 0)
		return -1;
	/* Sorted here (a database's collation may not be strcmp's), each paragraph finds its run by bisection. */
	if (nrows)
		qsort(rows, (size_t)nrows, sizeof *rows, cmp_source);
	for (int i = 0; i < n; i++) {
		int lo = 0, hi = nrows;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (strcmp(rows[mid].pid, p[i].pid) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		int k = lo;
		while (k < nrows && !strcmp(rows[k].pid, p[i].pid))
			k++;
		p[i].nfrom = 0;
		p[i].from = arena_alloc(a, sizeof *p[i].from * (size_t)(k - lo + 1));
		if (!p[i].from) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		for (int r = lo; r < k; r++)
			p[i].from[p[i].nfrom++] = rows[r].from_pid;
	}
	return 0;
}

int paragraph_list(struct db *db, struct arena *a, int64_t version_id, struct paragraph **out, int *n, struct error *e)
{
	static const char sql[] = "SELECT id, version_id, pid, number, text, source, html, relation, similarity, "
	                          "uncertain FROM paragraph WHERE version_id = ? ORDER BY number";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	if (db_collect(st, a, (void **)out, n, sizeof **out, paragraph_from_row, e) != 0)
		return -1;
	return paragraph_sources(db, a, version_id, *out, *n, e);
}

int paragraph_find(struct db *db, struct arena *a, int64_t version_id, const char *pid, struct paragraph *out,
                   struct error *e)
{
	static const char sql[] = "SELECT id, version_id, pid, number, text, source, html, relation, similarity, "
	                          "uncertain FROM paragraph WHERE version_id = ? AND pid = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	db_bind_text(st, 2, pid);
	if (db_collect_one(st, a, out, paragraph_from_row, "This version has no such paragraph.", e) != 0)
		return -1;
	return paragraph_sources(db, a, version_id, out, 1, e);
}

static int pid_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int paragraph_next_pid(struct db *db, int64_t document_id, long long *next, struct error *e)
{
	static const char sql[] = "SELECT DISTINCT p.pid FROM paragraph p JOIN version v ON v.id = p.version_id "
	                          "WHERE v.document_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, document_id);
	struct arena a;
	arena_init(&a);
	const char **pids = NULL;
	int n = 0;
	int rc = db_collect(st, &a, (void **)&pids, &n, sizeof *pids, pid_from_row, e);
	long long max = 0;
	for (int i = 0; rc == 0 && i < n; i++)
		if (pids[i][0] == 'p') {
			long long k = strtoll(pids[i] + 1, NULL, 10);
			if (k > max)
				max = k;
		}
	arena_free(&a);
	*next = max + 1;
	return rc;
}

int paragraph_assign(struct db *db, struct arena *a, int64_t document_id, int64_t previous_id,
                     const struct markdown_block *blocks, int nblocks, const char ***ids,
                     struct paragraph_match **matches, int *uncertain, struct error *e)
{
	int numbered = 0;
	for (int i = 0; i < nblocks; i++)
		numbered += blocks[i].numbered;
	const char **out = arena_alloc(a, sizeof *out * (size_t)(numbered + 1));
	const char **texts = arena_alloc(a, sizeof *texts * (size_t)(numbered + 1));
	if (!out || !texts)
		goto oom;
	*matches = NULL;
	*uncertain = 0;
	if (!previous_id) {
		for (int k = 0; k < numbered; k++)
			if (!(out[k] = arena_printf(a, "p%d", k + 1)))
				goto oom;
		*ids = out;
		return 0;
	}
	for (int i = 0, k = 0; i < nblocks; i++)
		if (blocks[i].numbered)
			texts[k++] = blocks[i].text;
	struct paragraph *old;
	int nold;
	long long next;
	if (paragraph_list(db, a, previous_id, &old, &nold, e) != 0 ||
	    paragraph_next_pid(db, document_id, &next, e) != 0)
		return -1;
	struct match_source *src = arena_alloc(a, sizeof *src * (size_t)(nold + 1));
	if (!src)
		goto oom;
	for (int j = 0; j < nold; j++)
		src[j] = (struct match_source){old[j].pid, old[j].text};
	struct paragraph_match *m;
	int u = paragraph_match(a, src, nold, texts, numbered, next, &m);
	if (u < 0)
		goto oom;
	for (int k = 0; k < numbered; k++)
		out[k] = m[k].pid;
	*ids = out;
	*matches = m;
	*uncertain = u;
	return 0;
oom:
	error_set(e, ERROR_UNAVAILABLE, "out of memory");
	return -1;
}

int paragraph_clear(struct db *db, int64_t version_id, struct error *e)
{
	static const char sql_sources[] = "DELETE FROM paragraph_source WHERE version_id = ?";
	static const char sql_rows[] = "DELETE FROM paragraph WHERE version_id = ?";
	struct db_stmt *st = db_stmt(db, sql_sources, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_rows, e)))
		return -1;
	db_bind_int(st, 1, version_id);
	return db_exec_stmt(st, e);
}

int paragraph_store(struct db *db, int64_t version_id, const struct markdown_block *blocks, int nblocks,
                    const char *const *ids, const struct paragraph_match *matches, struct error *e)
{
	static const char sql[] = "INSERT INTO paragraph (version_id, pid, number, text, source, html, relation, "
	                          "similarity, uncertain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char sql_source[] = "INSERT INTO paragraph_source (version_id, pid, rank, from_pid) "
	                                 "VALUES (?, ?, ?, ?)";
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
		const struct paragraph_match *m = matches ? &matches[k] : NULL;
		db_bind_text(st, 7, m ? paragraph_relation_name(m->relation) : NULL);
		if (m && m->nfrom)
			db_bind_int(st, 8, (int64_t)(m->similarity * 1000 + 0.5));
		else
			db_bind_null(st, 8);
		db_bind_int(st, 9, m && m->uncertain);
		if (db_exec_stmt(st, e) != 0)
			return -1;
		for (int r = 0; m && r < m->nfrom; r++) {
			if (!(st = db_stmt(db, sql_source, e)))
				return -1;
			db_bind_int(st, 1, version_id);
			db_bind_text(st, 2, ids[k]);
			db_bind_int(st, 3, r);
			db_bind_text(st, 4, m->from[r]);
			if (db_exec_stmt(st, e) != 0)
				return -1;
		}
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
	int todo = db_any_row(db, sql, e);
	if (todo <= 0)
		return todo;
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
		/* The page of such a version was rendered with p1..pN: keep them (not paragraph_assign). */
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
		if (paragraph_store(db, versions[i].id, blocks, nblocks, ids, NULL, e) != 0)
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
