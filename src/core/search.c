/* search — see search.h. The index's upkeep, the reader's query parsed, and the one query in two dialects. */
#include "core/search.h"

#include "core/country.h"
#include "core/limits.h"
#include "core/paragraph.h"
#include "core/process.h"
#include "core/version_text.h"
#include "render/html.h"
#include "util/i18n.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[SEARCH_KINDS] = {
    [SEARCH_CONTRIBUTION] = "contribution", [SEARCH_COMMENT] = "comment", [SEARCH_ATTACHMENT] = "attachment",
    [SEARCH_PARAGRAPH] = "paragraph",       [SEARCH_LETTER] = "letter",
};

const char *search_kind_name(enum search_kind k)
{
	return (unsigned)k < SEARCH_KINDS ? KIND_NAMES[k] : "";
}

bool search_kind_parse(const char *name, enum search_kind *out)
{
	for (int i = 0; name && i < SEARCH_KINDS; i++)
		if (!strcmp(name, KIND_NAMES[i])) {
			*out = (enum search_kind)i;
			return true;
		}
	return false;
}

/* ---- The index's upkeep ---------------------------------------------------------------------------- */

/* The rows of one scope in and out of SQLite's two FTS5 indexes. They index search_entry's text without
 * keeping a copy (external content), so a row leaves them with the very values it was indexed with, before
 * it leaves search_entry; PostgreSQL's tsvector is a generated column of search_entry and needs none of this. */
#define FTS_OUT(table, scope)                                                                                          \
	"INSERT INTO " table " (" table ", rowid, title, body, facets) SELECT 'delete', id, title, body, facets "      \
	"FROM search_entry WHERE " scope
#define FTS_IN(table, scope)                                                                                           \
	"INSERT INTO " table " (rowid, title, body, facets) SELECT id, title, body, facets FROM search_entry "        \
	"WHERE " scope
#define SCOPE_CONTRIBUTION "contribution_id = ?1"
#define SCOPE_VERSION      "version_id = ?1 AND kind = 'paragraph'"
#define SCOPE_LETTER       "kind = 'letter' AND ref_id = ?1"
#define ENTRY_INSERT                                                                                                   \
	"INSERT INTO search_entry (kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, "      \
	"title, body, facets) "
/* An entry's facets (migration 042): what the filters ask of it, as words of the index. FACETS_DAY(day): its day
 * at six precisions; FACETS_C: an entry of a contribution c (its call k); FACETS_OF: a paragraph's or a letter's.
 * The same strings as the migration's UPDATE writes. */
#define FACETS_DAY(day)                                                                                                \
	"' _d' || replace(" day ", '-', '') || '_ _m' || substr(replace(" day ", '-', ''), 1, 6) || '_ _y' || "         \
	"substr(" day ", 1, 4) || '_ _e' || substr(" day ", 1, 3) || '_ _h' || substr(" day ", 1, 2) || '_ _i' || "    \
	"substr(" day ", 1, 1) || '_'"
#define FACETS_C_ON(kind, day)                                                                                         \
	"'_p' || k.process_id || '_ _t" kind "_ _k' || c.call_id || '_ _g' || c.category_id || '_' || CASE WHEN "      \
	"c.country = '' THEN '' ELSE ' _o' || lower(c.country) || '_' END || " FACETS_DAY(day)
#define FACETS_C(kind)                FACETS_C_ON(kind, "?2")
#define FACETS_OF(process, kind, day) "'_p' || " process " || '_ _t" kind "_' || " FACETS_DAY(day)
/* What the public sees of a contribution: published and not private (a hidden one shows only its number). */
#define PUBLIC_CONTRIBUTION "c.id = ?1 AND c.state = 'published' AND c.publication <> 'private'"

struct scope_sql {
	const char *fts_out[2], *forget, *fts_in[2];
};

/* The characters of the scripts written without spaces (the ranges of spaceless() below), as a class of a
 * GLOB (SQLite) and of a regular expression (PostgreSQL): both compare code points. Migrations 018, 042 and 043
 * write the same class. */
#define SPACELESS_CLASS                                                                                                \
	"[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u2E80-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F\U00020000-\U0003FFFF]"
/* search_gram holds only the rows with a character of a script written without spaces: only a query with a word
 * in one of them uses it, and each of its words must be in every row found. Latin text costs no trigrams. The
 * condition depends only on the row's text, so a row leaves search_gram exactly when it went in. PostgreSQL's
 * trigram index holds the same rows (a partial index, migration 043; PG_GRAM_ROWS below). */
#define GRAM_ROWS " AND (title || ' ' || body) GLOB '*" SPACELESS_CLASS "*'"
/* clang-format off */
#define SCOPE(scope)                                                                                                   \
	{{FTS_OUT("search_word", scope), FTS_OUT("search_gram", scope GRAM_ROWS)},                                     \
	 "DELETE FROM search_entry WHERE " scope,                                                                      \
	 {FTS_IN("search_word", scope), FTS_IN("search_gram", scope GRAM_ROWS)}}
/* clang-format on */

static const struct scope_sql SQL_CONTRIBUTION = SCOPE(SCOPE_CONTRIBUTION);
static const struct scope_sql SQL_VERSION = SCOPE(SCOPE_VERSION);
static const struct scope_sql SQL_LETTER = SCOPE(SCOPE_LETTER);

int search_reindex(struct db *db, struct error *e)
{
	if (db_dialect() != DB_SQLITE)
		return 0;
	static const char *const sql[] = {
	    "INSERT INTO search_word (search_word) VALUES ('delete-all')",
	    "INSERT INTO search_gram (search_gram) VALUES ('delete-all')",
	    FTS_IN("search_word", "1 = 1"),
	    FTS_IN("search_gram", "1 = 1" GRAM_ROWS),
	};
	if (db_begin(db, e) != 0)
		return -1;
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		struct db_stmt *st = db_stmt(db, sql[i], e);
		if (!st || db_exec_stmt(st, e) != 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, e);
}

static int run(struct db *db, const char *sql, int64_t id, const char *day, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	if (day)
		db_bind_text(st, 2, day);
	return db_exec_stmt(st, e);
}

/* Rows of a scope that no statement can select: what `more` inserts for id, after the fills. */
typedef int (*resync_more_fn)(struct db *db, int64_t id, struct error *e);

/* Replaces the scope's rows by what `fill` (each run with ?1 = id, ?2 = day) and then `more` (unless NULL)
 * insert now. */
static int resync(struct db *db, const struct scope_sql *s, int64_t id, const char *const *fill, int nfill,
                  const char *day, resync_more_fn more, struct error *e)
{
	const bool fts = db_dialect() == DB_SQLITE;
	for (int i = 0; fts && i < 2; i++)
		if (run(db, s->fts_out[i], id, NULL, e) != 0)
			return -1;
	if (run(db, s->forget, id, NULL, e) != 0)
		return -1;
	for (int i = 0; i < nfill; i++)
		if (run(db, fill[i], id, day, e) != 0)
			return -1;
	if (more && more(db, id, e) != 0)
		return -1;
	for (int i = 0; fts && i < 2; i++)
		if (run(db, s->fts_in[i], id, NULL, e) != 0)
			return -1;
	return 0;
}

/* A contribution's rows: the same selections as migration 018's; ?1 its id, ?2 its day of reception in UTC. */
static const char *const CONTRIBUTION_FILL[] = {
    ENTRY_INSERT "SELECT 'contribution', c.id, c.id, k.process_id, c.call_id, k.version_id, c.tracking, ?2, "
                 "CASE WHEN c.publication = 'named' THEN c.name || CASE WHEN c.organization <> '' THEN ', ' || "
                 "c.organization ELSE '' END ELSE '' END, c.text, " /* clang-format off */
                 FACETS_C("contribution")
                 " FROM contribution c JOIN call k ON k.id = c.call_id WHERE " PUBLIC_CONTRIBUTION,
    ENTRY_INSERT "SELECT 'comment', m.id, c.id, k.process_id, c.call_id, m.version_id, c.tracking, ?2, '', "
                 "m.comment || CASE WHEN m.proposed_change <> '' THEN ' ' || m.proposed_change ELSE '' END, "
                 FACETS_C("comment")
                 " FROM comment m JOIN contribution c ON c.id = m.contribution_id JOIN call k ON k.id = c.call_id "
                 "WHERE " PUBLIC_CONTRIBUTION,
    ENTRY_INSERT "SELECT 'attachment', a.id, c.id, k.process_id, c.call_id, k.version_id, c.tracking, ?2, "
                 "a.name, a.text, "
                 FACETS_C("attachment")
                 " FROM attachment a JOIN contribution c ON c.id = a.contribution_id "
                 "JOIN call k ON k.id = c.call_id WHERE " PUBLIC_CONTRIBUTION " AND a.scan = 'clean' "
                 "AND a.text IS NOT NULL AND a.text <> ''", /* clang-format on */
};
enum { CONTRIBUTION_FILLS = sizeof CONTRIBUTION_FILL / sizeof *CONTRIBUTION_FILL };

/* A day in UTC, as the migration's strftime(..., 'unixepoch'). */
static void utc_day(int64_t t, char day[16])
{
	int y, m, d;
	clock_civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &m, &d);
	snprintf(day, 16, "%04d-%02d-%02d", y, m, d);
}

int search_contribution_sync(struct db *db, int64_t contribution_id, struct error *e)
{
	static const char sql_received[] = "SELECT received_at FROM contribution WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql_received, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, contribution_id);
	enum db_step r = db_step(st, e);
	const int64_t received_at = r == DB_ROW ? db_col_int(st, 0) : 0;
	db_reset(st);
	if (r == DB_FAIL)
		return -1;
	char day[16];
	utc_day(received_at, day);
	return resync(db, &SQL_CONTRIBUTION, contribution_id, CONTRIBUTION_FILL, CONTRIBUTION_FILLS, day, NULL, e);
}

/*
 * The group commit's batch. SQLite: a contribution's rows go into search_entry as it is stored (so that its
 * savepoint takes them back with it), and into SQLite's two FTS5 indexes once for the whole batch, by the range of
 * ids the batch wrote: one statement per index instead of two per contribution, and no full-text table touched
 * (so none asked to keep a savepoint) until the batch's end.
 * PostgreSQL, where each statement is a round trip the writer waits for: the entry of a contribution without
 * comments or files (nearly all) is inserted at the batch's end, PENDING_CHUNK contributions a statement, each
 * selected from its stored row as alone, in the order of their ids (entries are listed newest first); one whose
 * savepoint was rolled back after has no row left to select (and its id is never drawn again: PostgreSQL's
 * sequences do not go back), so it gets no entry.
 */
enum { PENDING_CHUNK = 32 };
struct search_pending {
	int64_t id;
	char day[16];
};

struct search_batch {
	int64_t first; /* the first id of search_entry the batch may write, or 0 before its first row */
	/* contributions added, and of them those known to have no character for search_gram (search_batch_plain):
	 * when both are equal, search_gram's statement (a GLOB over each row's text) is not run */
	int64_t added, plain;
	/* PostgreSQL: the contributions whose entry waits for the batch's end */
	struct arena *a;
	struct search_pending *pending;
	int npending, cap;
};

struct search_batch *search_batch_begin(struct arena *a)
{
	struct search_batch *b = arena_alloc(a, sizeof *b);
	if (b)
		*b = (struct search_batch){.a = a};
	return b;
}

/* No character at or above U+0800: every one of search_gram's ranges (GRAM_ROWS) begins above it. */
static bool below_u0800(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p >= 0xE0)
			return false;
	return true;
}

void search_batch_plain(struct search_batch *b, const char *title, const char *title2, const char *body)
{
	if (b && b->plain < b->added && below_u0800(title) && below_u0800(title2) && below_u0800(body))
		b->plain++;
}

int search_contribution_added(struct db *db, struct search_batch *b, int64_t contribution_id, int64_t received_at,
                              bool whole, struct error *e)
{
	static const char sql_next[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM search_entry";
	const bool fts = db_dialect() == DB_SQLITE;
	if (b && !fts && !whole) { /* PostgreSQL: at the batch's end */
		struct search_pending *p =
		    arena_push(b->a, (void **)&b->pending, &b->npending, &b->cap, sizeof *b->pending);
		if (!p) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		p->id = contribution_id;
		utc_day(received_at, p->day);
		return 0;
	}
	if (b && fts && !b->first) {
		struct db_stmt *st = db_stmt(db, sql_next, e);
		if (!st)
			return -1;
		enum db_step r = db_step(st, e);
		if (r == DB_ROW)
			b->first = db_col_int(st, 0);
		db_reset(st);
		if (r != DB_ROW)
			return -1;
	}
	if (b)
		b->added++;
	char day[16];
	utc_day(received_at, day);
	for (int i = 0; i < (whole ? CONTRIBUTION_FILLS : 1); i++)
		if (run(db, CONTRIBUTION_FILL[i], contribution_id, day, e) != 0)
			return -1;
	for (int i = 0; !b && fts && i < 2; i++)
		if (run(db, SQL_CONTRIBUTION.fts_in[i], contribution_id, NULL, e) != 0)
			return -1;
	return 0;
}

/* PostgreSQL: the entries of the batch's pending contributions, PENDING_CHUNK a statement: CONTRIBUTION_FILL's
 * selection for each (id, day) pair; the places a last chunk leaves have the id 0, which no contribution has. */
#define PENDING_PAIR     "(CAST(? AS BIGINT), CAST(? AS TEXT))"
#define PENDING_PAIRS_4  PENDING_PAIR ", " PENDING_PAIR ", " PENDING_PAIR ", " PENDING_PAIR
#define PENDING_PAIRS_16 PENDING_PAIRS_4 ", " PENDING_PAIRS_4 ", " PENDING_PAIRS_4 ", " PENDING_PAIRS_4
static int pending_insert(struct db *db, struct search_batch *b, struct error *e)
{
	/* clang-format off */
	static const char sql[] =
	    ENTRY_INSERT "SELECT 'contribution', c.id, c.id, k.process_id, c.call_id, k.version_id, c.tracking, "
	    "w.column2, CASE WHEN c.publication = 'named' THEN c.name || CASE WHEN c.organization <> '' THEN ', ' || "
	    "c.organization ELSE '' END ELSE '' END, c.text, " FACETS_C_ON("contribution", "w.column2")
	    " FROM (VALUES " PENDING_PAIRS_16 ", " PENDING_PAIRS_16 ") w JOIN contribution c ON c.id = w.column1 "
	    "JOIN call k ON k.id = c.call_id WHERE c.state = 'published' AND c.publication <> 'private' ORDER BY c.id";
	/* clang-format on */
	for (int k = 0; k < b->npending;) {
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		for (int r = 0; r < PENDING_CHUNK; r++, k++) {
			db_bind_int(st, 2 * r + 1, k < b->npending ? b->pending[k].id : 0);
			db_bind_text(st, 2 * r + 2, k < b->npending ? b->pending[k].day : "");
		}
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	b->npending = 0;
	return 0;
}

int search_batch_end(struct db *db, struct search_batch *b, struct error *e)
{
	static const char *const fts_in[] = {FTS_IN("search_word", "id >= ?1"),
	                                     FTS_IN("search_gram", "id >= ?1" GRAM_ROWS)};
	if (b->npending && pending_insert(db, b, e) != 0)
		return -1;
	if (!b->first)
		return 0;
	/* search_gram only if a row may have a character of its scripts */
	for (int i = 0; i < (b->plain < b->added ? 2 : 1); i++)
		if (run(db, fts_in[i], b->first, NULL, e) != 0)
			return -1;
	b->first = 0;
	b->added = b->plain = 0;
	return 0;
}

/*
 * The paragraphs of a published version's texts in other languages (core/version_text.h): one row per paragraph
 * and language, under the paragraph's own row (kind, ref_id) with its language (migration 040), its text the
 * language text's paragraph at its place. Their text is Markdown the core splits, not rows a statement selects.
 */
static int version_texts_insert(struct db *db, int64_t version_id, struct error *e)
{
	static const char sql_version[] = "SELECT d.title || ' (' || v.label || ')' FROM version v "
	                                  "JOIN document d ON d.id = v.document_id WHERE v.id = ? AND v.state = 'published'";
	static const char sql_insert[] =
	    /* the process and the day from the version, as search_version_sync's own rows take them (a parameter
	     * used both as a column's value and inside the facets' text would get two types on PostgreSQL) */
	    "INSERT INTO search_entry (kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, "
	    "title, body, language, facets) SELECT 'paragraph', ?1, NULL, d.process_id, NULL, v.id, ?3, v.date, ?4, ?5, "
	    "?6, " FACETS_OF("d.process_id", "paragraph", "v.date") " FROM version v JOIN document d ON d.id = "
	    "v.document_id WHERE v.id = ?2";
	struct db_stmt *st = db_stmt(db, sql_version, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, version_id);
	enum db_step r = db_step(st, e);
	if (r != DB_ROW) {
		db_reset(st);
		return r == DB_FAIL ? -1 : 0; /* not published: no text of it is public */
	}
	struct arena a;
	arena_init(&a);
	const char *title = arena_strdup(&a, db_col_text(st, 0));
	db_reset(st);
	const char **languages = NULL;
	int nlanguages = 0, ret = -1;
	if (!title) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		goto done;
	}
	if (version_text_languages(db, &a, version_id, &languages, &nlanguages, e) != 0)
		goto done;
	for (int l = 0; l < nlanguages; l++) {
		struct paragraph *ps;
		int n;
		bool in;
		if (version_text_paragraphs(db, &a, version_id, languages[l], &ps, &n, &in, e) != 0)
			goto done;
		for (int k = 0; in && k < n; k++) {
			if (!(st = db_stmt(db, sql_insert, e)))
				goto done;
			db_bind_int(st, 1, ps[k].id);
			db_bind_int(st, 2, version_id);
			db_bind_text(st, 3, ps[k].pid);
			db_bind_text(st, 4, title);
			db_bind_text(st, 5, ps[k].text);
			db_bind_text(st, 6, languages[l]);
			if (db_exec_stmt(st, e) != 0)
				goto done;
		}
	}
	ret = 0;
done:
	arena_free(&a);
	return ret;
}

int search_version_sync(struct db *db, int64_t version_id, struct error *e)
{
	static const char *const fill[] = {
	    ENTRY_INSERT
	    "SELECT 'paragraph', p.id, NULL, d.process_id, NULL, v.id, p.pid, v.date, "
	    "d.title || ' (' || v.label || ')', p.text, " /* clang-format off */
	    FACETS_OF("d.process_id", "paragraph", "v.date")
	    " FROM paragraph p JOIN version v ON v.id = p.version_id "
	    "JOIN document d ON d.id = v.document_id WHERE v.id = ?1 AND v.state = 'published'", /* clang-format on */
	};
	return resync(db, &SQL_VERSION, version_id, fill, 1, NULL, version_texts_insert, e);
}

int search_version_texts_backfill(struct db *db, struct error *e)
{
	static const char sql[] = "SELECT DISTINCT t.version_id FROM version_text t JOIN version v ON v.id = t.version_id "
	                          "WHERE v.state = 'published' AND NOT EXISTS (SELECT 1 FROM search_entry s WHERE "
	                          "s.version_id = t.version_id AND s.kind = 'paragraph' AND s.language = t.language) "
	                          "ORDER BY t.version_id";
	int todo = db_any_row(db, sql, e);
	if (todo <= 0 || db_begin(db, e) != 0)
		return todo <= 0 ? todo : -1;
	struct db_stmt *st = db_stmt(db, sql, e);
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	enum db_step r = DB_FAIL;
	while (st && (r = db_step(st, e)) == DB_ROW) {
		if (n == cap) {
			int64_t *more = realloc(ids, sizeof *ids * (cap = cap ? 2 * cap : 16));
			if (!more) {
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
				r = DB_FAIL;
				break;
			}
			ids = more;
		}
		ids[n++] = db_col_int(st, 0);
	}
	if (st)
		db_reset(st);
	int ret = r == DB_DONE ? 0 : -1;
	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = search_version_sync(db, ids[i], e);
	free(ids);
	if (ret != 0 || db_commit(db, e) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int search_letter_sync(struct db *db, int64_t circular_id, struct error *e)
{
	static const char *const fill[] = {
	    /* its subject and its text (migration 029), then ?2: its subjects and texts in the process's other
	     * languages (migration 039), so that it is found by what it says in any of them and listed once; the
	     * circular table and its texts' hold issued letters only, never drafts (circular_draft_text) */
	    ENTRY_INSERT "SELECT 'letter', l.id, NULL, l.process_id, NULL, NULL, l.reference, l.date, l.reference, "
	                 "l.subject || ' ' || l.markdown || CAST(?2 AS TEXT), " /* clang-format off */
	                 FACETS_OF("l.process_id", "letter", "l.date")
	                 " FROM circular l WHERE l.id = ?1", /* clang-format on */
	};
	static const char sql_texts[] = "SELECT subject, markdown FROM circular_text WHERE circular_id = ? ORDER BY language";
	struct db_stmt *st = db_stmt(db, sql_texts, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, circular_id);
	struct buf texts;
	buf_init(&texts, (size_t)(LIMIT_TITLE + LIMIT_SITE_PAGE + 2) * 4 * LIMIT_LANGUAGES); /* 4 bytes a character */
	enum db_step r;
	while ((r = db_step(st, e)) == DB_ROW)
		buf_printf(&texts, " %s %s", db_col_text(st, 0), db_col_text(st, 1));
	db_reset(st);
	int rc = -1;
	if (r == DB_DONE && texts.failed)
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
	else if (r == DB_DONE)
		rc = resync(db, &SQL_LETTER, circular_id, fill, 1, texts.data ? texts.data : "", NULL, e);
	buf_free(&texts);
	return rc;
}

/* ---- The reader's query ---------------------------------------------------------------------------- */

/* Scripts written without spaces between words: a sentence in them is one unicode61 token. The same ranges
 * as SPACELESS_CLASS above and migration 018's. */
static bool spaceless(unsigned cp)
{
	return (cp >= 0x0E00 && cp <= 0x0EFF) || /* Thai, Lao */
	       (cp >= 0x1000 && cp <= 0x109F) || /* Myanmar */
	       (cp >= 0x1780 && cp <= 0x17FF) || /* Khmer */
	       (cp >= 0x2E80 && cp <= 0x9FFF) || /* CJK radicals, kana, CJK ideographs */
	       (cp >= 0xF900 && cp <= 0xFAFF) || /* CJK compatibility ideographs */
	       (cp >= 0xFF66 && cp <= 0xFF9F) || /* half-width katakana */
	       (cp >= 0x20000 && cp <= 0x3FFFF); /* CJK extensions */
}

/* Arabic's vowel marks and tatweel, which unvocalised text (nearly all of it) does not have: a query typed
 * with them finds the words written without. */
static bool arabic_mark(unsigned cp)
{
	return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A term of len bytes at s, cleaned into a; NULL (with *oom) if memory ran out. Sets chars, spaceless and
 * whether it has anything a tokenizer keeps (a letter or a digit: any non-ASCII character counts). */
static const char *term_clean(struct arena *a, const char *s, size_t len, struct search_term *t, bool *word, bool *oom)
{
	char *out = arena_alloc(a, len + 1);
	if (!out) {
		*oom = true;
		return NULL;
	}
	char *w = out;
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *at = p;
		unsigned cp = utf8_next(&p);
		if (p > end || !cp)
			break;
		if (arabic_mark(cp))
			continue;
		memcpy(w, at, (size_t)(p - at));
		w += p - at;
		t->chars++;
		if (spaceless(cp))
			t->spaceless = true;
		if (cp >= 0x80 || (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'))
			*word = true;
	}
	*w = '\0';
	return out;
}

int search_parse(struct arena *a, const char *q, struct search_parsed *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	if (!q)
		q = "";
	if (!utf8_valid(q, strlen(q)) || utf8_has_control(q, true)) {
		error_field(e, "q", _("The search has characters that are not text."));
		return -1;
	}
	if (utf8_length(q) > LIMIT_SEARCH_QUERY) {
		error_field(e, "q", _("The search is longer than %d characters: search for fewer words."),
		            LIMIT_SEARCH_QUERY);
		return -1;
	}
	struct search_term *terms = arena_alloc(a, sizeof *terms * LIMIT_SEARCH_TERMS);
	if (!terms) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	int n = 0, group = -1;
	bool or_pending = false, and_pending = false, oom = false;
	const char *p = q;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		const char *start = p;
		size_t len;
		bool phrase = false, prefix = false;
		if (*p == '"') {
			const char *close = strchr(p + 1, '"');
			if (!close) {
				error_field(e, "q",
				            _("A quotation mark opens a phrase that none closes: add the closing \" or "
				              "remove the opening one."));
				return -1;
			}
			start = p + 1;
			len = (size_t)(close - start);
			phrase = true;
			p = close + 1;
			if (*p == '*') {
				prefix = true;
				p++;
			}
			if (*p && !is_space(*p)) {
				error_field(e, "q", _("Put a space after a quoted phrase's closing quotation mark."));
				return -1;
			}
		} else {
			while (*p && !is_space(*p) && *p != '"')
				p++;
			len = (size_t)(p - start);
			if (*p == '"') {
				error_field(
				    e, "q",
				    _("A quotation mark inside a word: put phrases in quotation marks with a space "
				      "before them, as in \"open consultation\"."));
				return -1;
			}
			if (len == 3 && !memcmp(start, "AND", 3)) {
				if (group < 0 || or_pending || and_pending) {
					error_field(e, "q", _("AND goes between two words, as in water AND energy."));
					return -1;
				}
				and_pending = true;
				continue;
			}
			if (len == 2 && !memcmp(start, "OR", 2)) {
				if (group < 0 || or_pending || and_pending) {
					error_field(e, "q", _("OR goes between two words, as in water OR energy."));
					return -1;
				}
				or_pending = true;
				continue;
			}
			while (len && start[len - 1] == '*') {
				prefix = true;
				len--;
			}
			if (!len) {
				error_field(e, "q", _("A * goes at the end of the beginning of a word, as in consult*."));
				return -1;
			}
		}
		struct search_term t = {.prefix = prefix, .phrase = phrase};
		bool word = false;
		t.text = term_clean(a, start, len, &t, &word, &oom);
		if (oom) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		if (!word) {
			/* punctuation alone: no index holds it */
			if (phrase) {
				error_field(e, "q", _("A quoted phrase has no word in it."));
				return -1;
			}
			if (or_pending) {
				error_field(e, "q", _("OR goes between two words, as in water OR energy."));
				return -1;
			}
			and_pending = false;
			continue;
		}
		if (n == LIMIT_SEARCH_TERMS) {
			error_field(e, "q", _("The search has more than %d words: search for fewer."), LIMIT_SEARCH_TERMS);
			return -1;
		}
		if (!or_pending)
			group++;
		t.group = group;
		terms[n++] = t;
		or_pending = and_pending = false;
	}
	if (or_pending || and_pending) {
		error_field(e, "q", "%s", or_pending ? _("OR goes between two words, as in water OR energy.")
		                                   : _("AND goes between two words, as in water AND energy."));
		return -1;
	}
	if (!n) {
		error_field(e, "q", _("Type a word to search for."));
		return -1;
	}
	out->terms = terms;
	out->n = n;
	out->groups = group + 1;
	for (int i = 0; i < n; i++)
		out->spaceless |= terms[i].spaceless;
	if (out->spaceless)
		for (int i = 0; i + 1 < n; i++)
			if (terms[i].group == terms[i + 1].group) {
				error_field(
				    e, "q",
				    _("OR cannot join words of a script written without spaces (Chinese, Japanese, "
				      "Thai...): search for each on its own."));
				return -1;
			}
	/* The words the trigram index cannot look up (under three characters) are read from the rows instead: a
	 * few of them at most. */
	int slots = 0;
	for (int i = 0; out->spaceless && i < n; i++)
		slots += db_dialect() == DB_POSTGRESQL || terms[i].chars < 3;
	if (slots > SEARCH_SLOTS) {
		if (db_dialect() == DB_POSTGRESQL)
			error_field(e, "q",
			            _("Search for at most %d words of one or two characters in Chinese, Japanese or Thai "
			              "at once (at most 4 words with any of them)."),
			            SEARCH_SLOTS);
		else
			error_field(e, "q",
			            _("Search for at most %d words of one or two characters in Chinese, Japanese or Thai "
			              "at once."),
			            SEARCH_SLOTS);
		return -1;
	}
	return 0;
}

/* Appends s in double quotes, as FTS5 reads a string: any " in it doubled. */
static void fts5_string(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

const char *search_fts5(struct arena *a, const struct search_parsed *p, bool trigram, bool *oom)
{
	struct buf b;
	buf_init(&b, 16 * (size_t)LIMIT_SEARCH_QUERY + 1024);
	for (int g = 0, i = 0; g < p->groups; g++) {
		int first = i, count = 0;
		while (i < p->n && p->terms[i].group == g)
			i++;
		for (int k = first; k < i; k++)
			count += !trigram || p->terms[k].chars >= 3;
		if (!count)
			continue;
		if (b.len)
			buf_puts(&b, " AND ");
		if (count > 1)
			buf_putc(&b, '(');
		for (int k = first, put = 0; k < i; k++) {
			if (trigram && p->terms[k].chars < 3)
				continue;
			if (put++)
				buf_puts(&b, " OR ");
			fts5_string(&b, p->terms[k].text);
			if (p->terms[k].prefix && !trigram) /* a trigram matches inside words already */
				buf_putc(&b, '*');
		}
		if (count > 1)
			buf_putc(&b, ')');
	}
	const char *s = b.failed ? NULL : b.len ? arena_strndup(a, b.data, b.len) : NULL;
	*oom = b.failed || (b.len && !s);
	buf_free(&b);
	return s;
}

const char *search_tsquery(struct arena *a, const struct search_parsed *p)
{
	struct buf b;
	buf_init(&b, 16 * (size_t)LIMIT_SEARCH_QUERY + 1024);
	for (int g = 0, i = 0; g < p->groups; g++) {
		int first = i;
		while (i < p->n && p->terms[i].group == g)
			i++;
		if (g)
			buf_puts(&b, " & ");
		if (i - first > 1)
			buf_putc(&b, '(');
		for (int k = first; k < i; k++) {
			if (k > first)
				buf_puts(&b, " | ");
			/* a quoted lexeme: to_tsquery splits it into words itself, joined as a phrase (<->) */
			buf_putc(&b, '\'');
			for (const char *s = p->terms[k].text; *s; s++) {
				if (*s == '\'' || *s == '\\')
					buf_putc(&b, *s == '\'' ? '\'' : '\\');
				buf_putc(&b, *s);
			}
			buf_putc(&b, '\'');
			if (p->terms[k].prefix)
				buf_puts(&b, ":*");
		}
		if (i - first > 1)
			buf_putc(&b, ')');
	}
	const char *s = b.failed || !b.len ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

/* ---- The query --------------------------------------------------------------------------------------- */

/* Every statement binds the same numbers: ?1 the full-text query, ?2..?9 the filters (0 or '' when not
 * given), ?10..?13 the words read from the rows (SEARCH_SLOTS: '' when unused), ?14 and ?15 a page (LIMIT,
 * OFFSET), ?16 and ?17 the window a ranked list is drawn from (its lowest and highest entry id).
 *
 * Why windows: a word of a mass campaign's template is in a third of a million texts, and ranking all of
 * them (bm25 reads every match's length and positions) and counting them cost half a second and more for
 * each query, whatever the page. So the matches are taken newest first in windows of search_window()
 * (LIMIT_SEARCH_RANKED) matches, found by walking the index's list of entry ids backwards, which costs
 * nothing per match but a step; each window is ranked on its own, and the order is window by window: the
 * first page is the best of the newest LIMIT_SEARCH_RANKED, and every match is still on some page, once.
 * A query with fewer matches than that is one window: ranked among all its matches, as before. The same
 * walk counts up to the window's size; beyond, the matches are counted up to search_counted()
 * (LIMIT_SEARCH_COUNTED), by the index alone where it can (the count statements), else by the window's walk
 * going on, and past that bound the total is said "more than" it (search_query's *bounded), as large search
 * engines do: an exact count of a word in half of millions of texts costs a visit of each (on PostgreSQL, of
 * each match's table page), whatever the page shown. */
#define HIT_COLUMNS "e.kind, e.ref_id, p.slug, e.call_id, e.version_id, e.anchor, e.day, e.title, e.language, "
/* The filters on the entry itself, and those on its contribution (category, country, campaign): only a search
 * with one of the latter joins the contribution, a wide row (its text) read for every match. On SQLite only the
 * statements for a campaign or a word read from the rows have them (the others have the facets in the MATCH,
 * which these repeat there). */
#define E_FILTERS                                                                                                      \
	"AND (?2 = 0 OR e.process_id = ?2) AND (?3 = 0 OR e.call_id = ?3) AND (?6 = '' OR e.kind = ?6) "               \
	"AND (?7 = '' OR e.day >= ?7) AND (?8 = '' OR e.day <= ?8) "
#define C_FILTERS                                                                                                      \
	"AND (?4 = '' OR c.category_id IN (SELECT g.id FROM category g WHERE g.slug = ?4)) "                           \
	"AND (?5 = '' OR c.country = ?5) AND (?9 = 0 OR c.campaign_id = ?9) "
#define C_JOIN  "JOIN contribution c ON c.id = e.contribution_id "
#define FILTERS E_FILTERS C_FILTERS
/* SQLite: a word of one or two characters, lowered as the reader's was (ASCII: SQLite's lower()). */
#define SQ_SLOT(n) "AND (" n " = '' OR instr(lower(e.title || ' ' || e.body), " n ") > 0) "
#define SQ_SLOTS   SQ_SLOT("?10") SQ_SLOT("?11") SQ_SLOT("?12") SQ_SLOT("?13")
/* PostgreSQL: a word of a script without spaces, as an ILIKE pattern (%word%, its % _ \ escaped). */
#define PG_SLOT(n) "AND (" n " = '' OR (e.title || ' ' || e.body) ILIKE " n ") "
#define PG_SLOTS   PG_SLOT("?10") PG_SLOT("?11") PG_SLOT("?12") PG_SLOT("?13")
/* PostgreSQL: the entries its trigram index holds (migration 043's predicate, written alike: the planner uses a
 * partial index only for a query whose conditions imply its own). Every entry an ILIKE query finds is one of
 * them: the query has a word of a script without spaces (search_parse refuses OR beside one), which each entry
 * found contains. */
#define PG_GRAM_ROWS "AND (e.title || ' ' || e.body) ~ '" SPACELESS_CLASS "' "
#define PAGE       "LIMIT ?14 OFFSET ?15"
/* A window of the matches, newest first: ?14 of them after the first ?15; how many, and their lowest and
 * highest entry id. inner selects the matches' ids as id, newest first. */
#define WINDOW(inner) "SELECT count(*), min(w.id), max(w.id) FROM (" inner " " PAGE ") w"

/* SQLite's snippet of a match: its text's (column 1) when the words are there, else its title's; never the facets'
 * (migration 042), which a narrowed query matches too, and which snippet()'s choice of column (-1) could take. */
#define SQ_SNIP(fts, col) "snippet(" fts ", " col ", char(2), char(3), '\xe2\x80\xa6', 24)"
#define SQ_SNIPPET(fts)                                                                                                \
	"CASE WHEN instr(" SQ_SNIP(fts, "1") ", char(2)) > 0 THEN " SQ_SNIP(fts, "1") " ELSE " SQ_SNIP(fts, "0") " END"
/* SQLite, by the FTS5 table fts (search_word or search_gram): ranked by bm25, a title match worth two of the
 * text's, the facets nothing; the snippet marked with 0x02 and 0x03 around each match. The window is a range of
 * the FTS5 table's rowid, which FTS5 applies as it reads its index (the entries outside are never scored). */
#define P_JOIN "JOIN process p ON p.id = e.process_id "
#define SQ_FTS_FROM(fts, pj, cj, cf)                                                                                   \
	"FROM " fts " JOIN search_entry e ON e.id = " fts ".rowid " pj cj "WHERE " fts                                 \
	" MATCH ?1 " E_FILTERS cf SQ_SLOTS
#define SQ_FTS_LIST(fts, cj, cf)                                                                                       \
	"SELECT " HIT_COLUMNS SQ_SNIPPET(fts) " " SQ_FTS_FROM(fts, P_JOIN, cj, cf) "AND " fts                          \
	".rowid BETWEEN ?16 AND ?17 ORDER BY bm25(" fts ", 2.0, 1.0, 0.0), e.id " PAGE
#define SQ_FTS_WINDOW(fts, cj, cf)                                                                                     \
	WINDOW("SELECT e.id AS id " SQ_FTS_FROM(fts, "", cj, cf) "ORDER BY " fts ".rowid DESC")
/* SQLite, with no campaign and no word read from the rows (most searches; their other filters are facets in the
 * MATCH): the page is found in the FTS5 table alone, ranked inside FTS5 (ORDER BY rank, the same bm25 weights)
 * with the snippets made for its rows only, and only then joined to its entries; the window is the FTS5 table's
 * alone. The joined statements above read an entry (and a contribution) for every match of the window. */
#define SQ_PLAIN_LIST(fts)                                                                                             \
	"SELECT " HIT_COLUMNS "x.snip FROM (SELECT rowid AS id, " SQ_SNIPPET(fts) " AS snip, rank FROM " fts           \
	" WHERE " fts " MATCH ?1 AND rank MATCH 'bm25(2.0, 1.0, 0.0)' "                                                \
	"AND rowid BETWEEN ?16 AND ?17 ORDER BY rank " PAGE ") x JOIN search_entry e ON e.id = x.id "                  \
	"JOIN process p ON p.id = e.process_id ORDER BY x.rank, e.id"
/* ...and the same narrowed by facets: ?1 has the reader's words and the facets, ?18 the words alone. The page is
 * ranked by the words alone among the window's matches of both (a rowid in the second MATCH's, the + keeping it a
 * check on each row rather than a lookup of FTS5's): bm25 weighs each phrase of its MATCH by walking all of that
 * phrase's matches, and a facet such as a country or a process is in every entry of the index. */
#define SQ_FACETS_LIST(fts)                                                                                            \
	"SELECT " HIT_COLUMNS "x.snip FROM (SELECT rowid AS id, " SQ_SNIPPET(fts) " AS snip, rank FROM " fts           \
	" WHERE " fts " MATCH ?18 AND rank MATCH 'bm25(2.0, 1.0, 0.0)' AND rowid BETWEEN ?16 AND ?17 "                 \
	"AND +rowid IN (SELECT rowid FROM " fts " WHERE " fts " MATCH ?1 AND rowid BETWEEN ?16 AND ?17) "              \
	"ORDER BY rank " PAGE ") x JOIN search_entry e ON e.id = x.id JOIN process p ON p.id = e.process_id "          \
	"ORDER BY x.rank, e.id"
#define SQ_PLAIN_WINDOW(fts) WINDOW("SELECT rowid AS id FROM " fts " WHERE " fts " MATCH ?1 ORDER BY rowid DESC")
/* ...and its total when there is more than a window, counted up to ?2 (search_counted() + 1): FTS5 counts its
 * index's matches (the doclists merged, no row, no column, no score read: about 30 ns a match), and stops there,
 * as PostgreSQL's count does (below): the same contract on both backends. */
#define SQ_PLAIN_COUNT(fts) "SELECT count(*) FROM (SELECT 1 FROM " fts " WHERE " fts " MATCH ?1 LIMIT ?2) n"
/* SQLite, words all too short for the trigram index: the rows read, newest first (no ranking, no window). */
#define SQ_SCAN_FROM(pj, cj, cf) "FROM search_entry e " pj cj "WHERE 1 = 1 " E_FILTERS cf SQ_SLOTS
/* PostgreSQL: the tsvector (migration 018), ranked by ts_rank; ts_headline marks the matches. Its statements run
 * with custom plans (search_query sets plan_cache_mode for its read): the planner sees the tsquery as a constant
 * (to_tsquery folded once, not parsed again for every row as a generic plan did) and weighs it by the column's
 * statistics of its words, so that a word in a third of the entries walks the primary key back from the newest
 * and stops at the window's end, and a rare word (or a selective facet) reads the GIN index's few matches; a
 * generic plan cannot tell the two apart and read every match of a common word (half a second at 200,000). */
#define PG_TS_QUERY "to_tsquery('search_words', ?1)"
/* The words, the facets (?18: their to_tsquery text, '' for none: every filter but the campaign, migration 042,
 * as on SQLite) and the campaign, which alone reads the contribution; a filter not given folds away. */
#define PG_WORDS_FROM(pj)                                                                                              \
	"FROM search_entry e " pj "WHERE e.words @@ " PG_TS_QUERY " AND (?18 = '' OR e.facet_words @@ "               \
	"to_tsquery('simple', ?18)) AND (?9 = 0 OR EXISTS (SELECT 1 FROM contribution c WHERE c.id = "               \
	"e.contribution_id AND c.campaign_id = ?9)) "
/* Its window reads one match more than it keeps, and says in a fourth column whether there was one: the walk
 * is not done a second time to learn whether the matches go on. Its lowest id is then the second lowest read. */
#define PG_WORDS_WINDOW                                                                                                \
	"SELECT least(count(*), ?14), CASE WHEN count(*) > ?14 THEN (array_agg(w.id ORDER BY w.id))[2] ELSE "        \
	"min(w.id) END, max(w.id), count(*) > ?14 FROM (SELECT e.id AS id " PG_WORDS_FROM("") "ORDER BY e.id DESC "   \
	"LIMIT ?14 + 1 OFFSET ?15) w"
#define PG_LIKE_FROM(pj)                                                                                               \
	"FROM search_entry e " pj                                                                                      \
	"LEFT JOIN contribution c ON c.id = e.contribution_id WHERE ?1 = '' " PG_GRAM_ROWS FILTERS PG_SLOTS
/* PostgreSQL's tally: the matches counted up to ?2 (search_counted() + 1) in one pass of the words' GIN index ANDed
 * with the facets' (migration 042; ?4 their tsquery), no join, their tsqueries scalar subqueries (made once, an
 * InitPlan) so that it is always the GIN indexes' bitmaps; and, from the ids read, the first window's lowest and
 * highest (?3: search_window()). Each match counted visits its table page (PostgreSQL 15.18 reads the page even
 * when all-visible: 17-23 ms of CPU for 10,001 matches at 200,000 entries, shared_buffers 2 GB and warm), so the
 * bound makes it a constant (README, "Search"). It runs first: a query with up to the bound's matches (all but
 * the commonest words) then has its exact total and its first window from it, and the window's walk back along
 * the primary key (which the planner chooses from about 5 % of the entries, and which read 35,000 rows and
 * their tsvectors, 36-53 ms of CPU, for a word in 7,000-13,000) is left to the words beyond the bound, for
 * which it is short. */
#define PG_TALLY                                                                                                       \
	"SELECT count(*), (array_agg(m.id ORDER BY m.id DESC))[least(count(*), ?3)], max(m.id) FROM (SELECT e.id "    \
	"FROM search_entry e WHERE e.words @@ (SELECT to_tsquery('search_words', ?1))"
#define PG_TALLY_PLAIN  PG_TALLY " LIMIT ?2) m"
#define PG_TALLY_FACETS PG_TALLY " AND e.facet_words @@ (SELECT to_tsquery('simple', ?4)) LIMIT ?2) m"

/* SQLite's paths come in pairs: the second (+1) joins the contribution for its filters. */
enum search_path {
	PATH_WORD,
	PATH_WORD_C,
	PATH_GRAM,
	PATH_GRAM_C,
	PATH_SCAN,
	PATH_SCAN_C,
	PATH_WORD_PLAIN,
	PATH_GRAM_PLAIN,
	PATH_WORD_FACETS,
	PATH_GRAM_FACETS,
	PATH_PG_WORDS,
	PATH_PG_LIKE
};
static const struct {
	const char *list, *window;
	const char *count; /* the total beyond a window, from the index alone (else: the window's walk goes on) */
	bool marked; /* the last column is a marked snippet, else the whole text, excerpted here */
	bool ranked; /* the list is ranked within a window (?16, ?17), else it is newest first over all */
	bool peeks;  /* the window has a fourth column: whether a match follows it (else a window of 1 is asked) */
} SQL_PATHS[] = {
    [PATH_WORD] = {SQ_FTS_LIST("search_word", "", ""), SQ_FTS_WINDOW("search_word", "", ""), NULL, true, true, false},
    [PATH_WORD_C] = {SQ_FTS_LIST("search_word", C_JOIN, C_FILTERS), SQ_FTS_WINDOW("search_word", C_JOIN, C_FILTERS),
                     NULL, true, true, false},
    [PATH_GRAM] = {SQ_FTS_LIST("search_gram", "", ""), SQ_FTS_WINDOW("search_gram", "", ""), NULL, true, true, false},
    [PATH_GRAM_C] = {SQ_FTS_LIST("search_gram", C_JOIN, C_FILTERS), SQ_FTS_WINDOW("search_gram", C_JOIN, C_FILTERS),
                     NULL, true, true, false},
    [PATH_WORD_PLAIN] = {SQ_PLAIN_LIST("search_word"), SQ_PLAIN_WINDOW("search_word"), SQ_PLAIN_COUNT("search_word"),
                         true, true, false},
    [PATH_GRAM_PLAIN] = {SQ_PLAIN_LIST("search_gram"), SQ_PLAIN_WINDOW("search_gram"), SQ_PLAIN_COUNT("search_gram"),
                         true, true, false},
    [PATH_WORD_FACETS] = {SQ_FACETS_LIST("search_word"), SQ_PLAIN_WINDOW("search_word"),
                          SQ_PLAIN_COUNT("search_word"), true, true, false},
    [PATH_GRAM_FACETS] = {SQ_FACETS_LIST("search_gram"), SQ_PLAIN_WINDOW("search_gram"),
                          SQ_PLAIN_COUNT("search_gram"), true, true, false},
    [PATH_SCAN] = {"SELECT " HIT_COLUMNS "e.body " SQ_SCAN_FROM(P_JOIN, "", "") "ORDER BY e.id DESC " PAGE,
                   WINDOW("SELECT e.id AS id " SQ_SCAN_FROM("", "", "") "ORDER BY e.id DESC"), NULL, false, false, false},
    [PATH_SCAN_C] = {"SELECT " HIT_COLUMNS "e.body " SQ_SCAN_FROM(P_JOIN, C_JOIN, C_FILTERS) "ORDER BY e.id DESC " PAGE,
                     WINDOW("SELECT e.id AS id " SQ_SCAN_FROM("", C_JOIN, C_FILTERS) "ORDER BY e.id DESC"), NULL, false,
                     false, false},
    [PATH_PG_WORDS] = {"SELECT " HIT_COLUMNS "ts_headline('search_words', e.body, " PG_TS_QUERY
                       ", 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=35, MinWords=15') "
                       PG_WORDS_FROM(P_JOIN) "AND e.id BETWEEN ?16 AND ?17 ORDER BY ts_rank(e.words, " PG_TS_QUERY
                       ") DESC, e.id " PAGE,
                       PG_WORDS_WINDOW, NULL, true, true, true},
    [PATH_PG_LIKE] = {"SELECT " HIT_COLUMNS "e.body " PG_LIKE_FROM(P_JOIN) "ORDER BY e.id DESC " PAGE,
                      WINDOW("SELECT e.id AS id " PG_LIKE_FROM("") "ORDER BY e.id DESC"), NULL, false, false, false},
};

const char *search_pg_spaceless_sql(bool window)
{
	return window ? SQL_PATHS[PATH_PG_LIKE].window : SQL_PATHS[PATH_PG_LIKE].list;
}

const char *search_pg_words_sql(bool window)
{
	return window ? SQL_PATHS[PATH_PG_WORDS].window : SQL_PATHS[PATH_PG_WORDS].list;
}

const char *search_pg_tally_sql(bool facets)
{
	return facets ? PG_TALLY_FACETS : PG_TALLY_PLAIN;
}

/* An excerpt of text around the first of the words (lowered as in the slots), each of them marked with 0x02
 * and 0x03 within it: what FTS5's snippet() gives, for the paths that read the rows. */
static const char *excerpt(struct arena *a, const char *text, const char *const *words, int nwords)
{
	enum { BEFORE = 80, AFTER = 240 };
	const size_t len = strlen(text);
	char *low = arena_strndup(a, text, len);
	if (!low)
		return NULL;
	for (char *s = low; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	size_t at = len;
	for (int i = 0; i < nwords; i++) {
		const char *hit = *words[i] ? strstr(low, words[i]) : NULL;
		if (hit && (size_t)(hit - low) < at)
			at = (size_t)(hit - low);
	}
	if (at == len)
		at = 0;
	size_t from = at > BEFORE ? at - BEFORE : 0;
	while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80)
		from--;
	size_t to = utf8_prefix(text + from, at - from + AFTER) + from;
	struct buf b;
	buf_init(&b, (to - from) * 2 + 64);
	if (from)
		buf_puts(&b, "\xe2\x80\xa6");
	for (size_t i = from; i < to;) {
		size_t match = 0;
		for (int k = 0; k < nwords && !match; k++) {
			size_t wl = strlen(words[k]);
			if (wl && i + wl <= to && !memcmp(low + i, words[k], wl))
				match = wl;
		}
		if (match) {
			buf_putc(&b, '\x02');
			buf_append(&b, text + i, match);
			buf_putc(&b, '\x03');
			i += match;
		} else {
			buf_putc(&b, text[i++]);
		}
	}
	if (to < len)
		buf_puts(&b, "\xe2\x80\xa6");
	const char *s = b.failed ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

const char *search_snippet_html(struct arena *a, const char *marked)
{
	struct buf b;
	buf_init(&b, strlen(marked) * 6 + 64);
	bool open = false;
	for (const char *s = marked; *s;) {
		size_t run = strcspn(s, "\x02\x03");
		if (run) {
			char *piece = arena_strndup(a, s, run);
			if (!piece) {
				buf_free(&b);
				return NULL;
			}
			html_escape(&b, piece);
			s += run;
			continue;
		}
		/* a mark that opens while one is open, or closes none, is dropped */
		if (*s == '\x02' && !open) {
			buf_puts(&b, "<mark>");
			open = true;
		} else if (*s == '\x03' && open) {
			buf_puts(&b, "</mark>");
			open = false;
		}
		s++;
	}
	if (open)
		buf_puts(&b, "</mark>");
	const char *s = b.failed ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

struct hit_row {
	struct search_hit hit;
	const char *raw; /* marked snippet or whole text */
};

static int hit_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct hit_row *h = element;
	bool failed = false;
	if (!search_kind_parse(db_col_text(st, 0), &h->hit.kind))
		return DB_FILL_UNKNOWN;
	h->hit.ref_id = db_col_int(st, 1);
	h->hit.process = db_col_dup(st, 2, a, &failed);
	h->hit.call_id = db_col_null(st, 3) ? 0 : db_col_int(st, 3);
	h->hit.version_id = db_col_null(st, 4) ? 0 : db_col_int(st, 4);
	h->hit.anchor = db_col_dup(st, 5, a, &failed);
	h->hit.day = db_col_dup(st, 6, a, &failed);
	h->hit.title = db_col_dup(st, 7, a, &failed);
	h->hit.language = db_col_dup(st, 8, a, &failed);
	h->raw = db_col_dup(st, 9, a, &failed);
	if (!h->raw)
		h->raw = "";
	return failed ? -1 : 0;
}

/* The filters checked; 0, or -1 with one message per bad one. */
static int filters_check(struct db *db, struct arena *a, const struct search_filter *f, int64_t *process_id,
                         struct error *e)
{
	*process_id = 0;
	enum search_kind k;
	int y, m, d;
	if (f->type && *f->type && !search_kind_parse(f->type, &k))
		error_field(e, "type", _("Choose what to search: contributions, comments, attached files, paragraphs or letters."));
	if (f->country && *f->country && !country_name(f->country))
		error_field(e, "country", _("Use a country's ISO 3166 code, such as CH."));
	if (f->category && *f->category && !process_slug_valid(f->category))
		error_field(e, "category", _("Use a category's slug, such as academia."));
	if (f->from && *f->from && clock_parse_date(f->from, &y, &m, &d) != 0)
		error_field(e, "from", _("Give the first day as YYYY-MM-DD."));
	if (f->to && *f->to && clock_parse_date(f->to, &y, &m, &d) != 0)
		error_field(e, "to", _("Give the last day as YYYY-MM-DD."));
	if (f->call < 0)
		error_field(e, "call", _("Use a call's number."));
	if (f->campaign < 0)
		error_field(e, "campaign", _("Use a campaign's number."));
	if (f->process && *f->process && !process_slug_valid(f->process))
		error_field(e, "process", _("Use a process's slug, as in its address /processes/SLUG."));
	if (e->code)
		return -1;
	if (f->process && *f->process) {
		struct process p;
		struct error none;
		error_clear(&none);
		if (process_find(db, a, f->process, &p, &none) != 0) {
			if (strcmp(none.code, ERROR_NOT_FOUND) != 0) {
				*e = none;
				return -1;
			}
			error_field(e, "process", _("There is no process %s."), f->process);
			return -1;
		}
		*process_id = p.id;
	}
	return 0;
}

static const char *given(const char *s)
{
	return s && *s ? s : "";
}

/* limit, or in a test build the positive number the environment variable name gives instead. */
static int64_t test_limit(const char *name, int64_t limit)
{
#ifndef NDEBUG
	const char *w = getenv(name);
	if (w && strtol(w, NULL, 10) > 0)
		return strtol(w, NULL, 10);
#else
	(void)name;
#endif
	return limit;
}

/* A test build may make the windows smaller (CONSULTA_TEST_SEARCH_WINDOW), so that a test reaches one with
 * a few contributions... */
int64_t search_window(void)
{
	return test_limit("CONSULTA_TEST_SEARCH_WINDOW", LIMIT_SEARCH_RANKED);
}

/* ...and the bound of a count (CONSULTA_TEST_SEARCH_COUNTED), so that a test passes it with a dozen. */
int64_t search_counted(void)
{
	return test_limit("CONSULTA_TEST_SEARCH_COUNTED", LIMIT_SEARCH_COUNTED);
}

/* What every statement of a search binds alike: ?1..?13, and on PostgreSQL ?18 (the facets' tsquery). */
struct search_binds {
	const char *match;
	int64_t process_id;
	const struct search_filter *f;
	const char *const *slots;
	const char *pg_facets; /* NULL on SQLite, whose ?18 is the list's own */
};

static void bind_search(struct db_stmt *st, const struct search_binds *b)
{
	db_bind_text(st, 1, b->match ? b->match : "");
	db_bind_int(st, 2, b->process_id);
	db_bind_int(st, 3, b->f->call);
	db_bind_text(st, 4, given(b->f->category));
	db_bind_text(st, 5, given(b->f->country));
	db_bind_text(st, 6, given(b->f->type));
	db_bind_text(st, 7, given(b->f->from));
	db_bind_text(st, 8, given(b->f->to));
	db_bind_int(st, 9, b->f->campaign);
	for (int i = 0; i < SEARCH_SLOTS; i++)
		db_bind_text(st, 10 + i, b->slots[i]);
	if (b->pg_facets)
		db_bind_text(st, 18, b->pg_facets);
}

/* The window of st (a path's window statement, bound): size matches newest first after the first skip; how
 * many there are (0: none) and their lowest and highest entry id; *more (unless NULL: a statement that peeks)
 * whether a match follows. 0, or -1 with e. */
static int window_at(struct db_stmt *st, int64_t skip, int64_t size, int64_t *count, int64_t *lo, int64_t *hi,
                     int64_t *more, struct error *e)
{
	db_bind_int(st, 14, size);
	db_bind_int(st, 15, skip);
	enum db_step r = db_step(st, e);
	const bool row = r == DB_ROW;
	*count = row ? db_col_int(st, 0) : 0;
	*lo = row && !db_col_null(st, 1) ? db_col_int(st, 1) : 0;
	*hi = row && !db_col_null(st, 2) ? db_col_int(st, 2) : 0;
	if (more)
		*more = row ? db_col_int(st, 3) : 0;
	db_reset(st);
	return r == DB_FAIL ? -1 : 0;
}

/* Rows skip..skip+want-1 of st (a path's list statement, bound) into hits (room for want), each with its
 * snippet made; how many in *got. 0, or -1 with e. */
static int list_rows(struct db_stmt *st, struct arena *a, bool marked, int64_t skip, int want, const char *const *words,
                     int nwords, struct search_hit *hits, int *got, struct error *e)
{
	db_bind_int(st, 14, want);
	db_bind_int(st, 15, skip);
	struct hit_row *rows = NULL;
	int count = 0;
	const int rc = db_collect(st, a, (void **)&rows, &count, sizeof *rows, hit_from_row, e);
	db_reset(st);
	if (rc != 0)
		return -1;
	*got = 0;
	for (int i = 0; i < count && i < want; i++) {
		struct search_hit *h = &hits[(*got)++];
		*h = rows[i].hit;
		const char *text = marked ? rows[i].raw : excerpt(a, rows[i].raw, words, nwords);
		h->snippet = text ? search_snippet_html(a, text) : NULL;
		if (!h->snippet) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* ---- The filters as words of the index (migration 042) ------------------------------------------------ */

/* One facet word: "_<tag><value>_" as an FTS5 string, or <tag><value> as to_tsquery's lexeme (its parser drops
 * the underscores). value is digits or ASCII letters only. */
static void facet_word(struct buf *b, bool pg, char tag, const char *value)
{
	if (pg)
		buf_printf(b, "%c%s", tag, value);
	else
		buf_printf(b, "\"_%c%s_\"", tag, value);
}

/* The days from..to (inclusive, "YYYY-MM-DD" or "" for no bound) as facet words ORed, in parentheses: from the
 * first day on, each time the largest of a millennium, century, decade, year or month that starts there and
 * ends within the range, else the day; a few dozen words at most (an open bound: years 0000 to 9999). */
static void facet_days(struct buf *b, bool pg, const char *from, const char *to)
{
	static const struct {
		char tag;
		int years, digits;
	} spans[] = {{'i', 1000, 1}, {'h', 100, 2}, {'e', 10, 3}, {'y', 1, 4}};
	int y, m, d;
	int64_t cur = clock_days_from_civil(0, 1, 1), end = clock_days_from_civil(9999, 12, 31);
	if (*from && clock_parse_date(from, &y, &m, &d) == 0)
		cur = clock_days_from_civil(y, m, d);
	if (*to && clock_parse_date(to, &y, &m, &d) == 0)
		end = clock_days_from_civil(y, m, d);
	buf_putc(b, '(');
	if (cur > end)
		facet_word(b, pg, 'd', "none"); /* no day: a word no entry has */
	for (int n = 0; cur <= end; n++) {
		clock_civil_from_days(cur, &y, &m, &d);
		char value[40];
		char tag = 0;
		int64_t next = cur + 1;
		for (size_t k = 0; !tag && m == 1 && d == 1 && k < sizeof spans / sizeof *spans; k++) {
			const int64_t after = clock_days_from_civil(y + spans[k].years, 1, 1);
			if (y % spans[k].years == 0 && after - 1 <= end) {
				tag = spans[k].tag;
				snprintf(value, sizeof value, "%0*d", spans[k].digits, y / spans[k].years);
				next = after;
			}
		}
		if (!tag && d == 1) {
			const int64_t after = clock_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
			if (after - 1 <= end) {
				tag = 'm';
				snprintf(value, sizeof value, "%04d%02d", y, m);
				next = after;
			}
		}
		if (!tag) {
			tag = 'd';
			snprintf(value, sizeof value, "%04d%02d%02d", y, m, d);
		}
		if (n)
			buf_puts(b, pg ? " | " : " OR ");
		facet_word(b, pg, tag, value);
		cur = next;
	}
	buf_putc(b, ')');
}

/* The filters that the facets hold (all but the campaign), ANDed: an FTS5 expression for {facets}, or a
 * to_tsquery text (pg); "" when none is given. A category's slug is looked up: any category of that slug
 * (none: a word no entry has). NULL with e if the lookup or memory failed. */
static const char *facets_query(struct db *db, struct arena *a, const struct search_filter *f, int64_t process_id,
                                bool pg, struct error *e)
{
	static const char sql_category[] = "SELECT id FROM category WHERE slug = ? ORDER BY id";
	const char *and = pg ? " & " : " AND ";
	struct buf b;
	buf_init(&b, 16384);
	char value[32];
	if (process_id) {
		snprintf(value, sizeof value, "%lld", (long long)process_id);
		facet_word(&b, pg, 'p', value);
	}
	if (f->call) {
		snprintf(value, sizeof value, "%lld", (long long)f->call);
		if (b.len)
			buf_puts(&b, and);
		facet_word(&b, pg, 'k', value);
	}
	if (*given(f->type)) {
		if (b.len)
			buf_puts(&b, and);
		facet_word(&b, pg, 't', f->type);
	}
	if (*given(f->country)) {
		char code[3] = {0};
		for (int i = 0; i < 2 && f->country[i]; i++)
			code[i] = (char)(f->country[i] | 0x20); /* an ISO code (checked): letters */
		if (b.len)
			buf_puts(&b, and);
		facet_word(&b, pg, 'o', code);
	}
	if (*given(f->category)) {
		struct db_stmt *st = db_stmt(db, sql_category, e);
		if (!st) {
			buf_free(&b);
			return NULL;
		}
		db_bind_text(st, 1, f->category);
		if (b.len)
			buf_puts(&b, and);
		buf_putc(&b, '(');
		int n = 0;
		enum db_step r;
		while ((r = db_step(st, e)) == DB_ROW) {
			snprintf(value, sizeof value, "%lld", (long long)db_col_int(st, 0));
			if (n++)
				buf_puts(&b, pg ? " | " : " OR ");
			facet_word(&b, pg, 'g', value);
		}
		db_reset(st);
		if (r == DB_FAIL) {
			buf_free(&b);
			return NULL;
		}
		if (!n)
			facet_word(&b, pg, 'g', "none");
		buf_putc(&b, ')');
	}
	if (*given(f->from) || *given(f->to)) {
		if (b.len)
			buf_puts(&b, and);
		facet_days(&b, pg, given(f->from), given(f->to));
	}
	const char *s = b.failed ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	if (!s)
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
	return s;
}

/* PostgreSQL: the search's statements planned for their values (see PG_TS_QUERY) until the read transaction the
 * handler runs in ends; outside one the setting ends with its own statement, and the plans stay generic (the
 * same rows, slower). 0, or -1 with e. */
static int pg_custom_plans(struct db *db, struct error *e)
{
	static const char sql[] = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	const enum db_step r = db_step(st, e);
	db_reset(st);
	return r == DB_FAIL ? -1 : 0;
}

/* PostgreSQL's tally (PG_TALLY, sql) of match (and facets, unless ""), up to limit: how many in *n, and the ids
 * of the first window of size (0 for none). 0, or -1 with e. */
static int pg_tally(struct db *db, const char *sql, const char *match, const char *facets, int64_t limit, int64_t size,
                    int64_t *n, int64_t *lo, int64_t *hi, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, match);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, size);
	if (*facets)
		db_bind_text(st, 4, facets);
	const enum db_step r = db_step(st, e);
	const bool row = r == DB_ROW;
	*n = row ? db_col_int(st, 0) : 0;
	*lo = row && !db_col_null(st, 1) ? db_col_int(st, 1) : 0;
	*hi = row && !db_col_null(st, 2) ? db_col_int(st, 2) : 0;
	db_reset(st);
	return r == DB_FAIL ? -1 : 0;
}

int search_query(struct db *db, struct arena *a, const struct search_filter *f, int offset, int limit,
                 struct search_hit **out, int *n, int64_t *total, bool *bounded, struct error *e)
{
	*out = NULL;
	*n = 0;
	*total = 0;
	*bounded = false;
	struct search_parsed p;
	int64_t process_id;
	/* both checked before either fails, so that the reader hears of every mistake at once */
	const int parsed = search_parse(a, f->q, &p, e);
	if (filters_check(db, a, f, &process_id, e) != 0 || parsed != 0)
		return -1;
	const bool pg = db_dialect() == DB_POSTGRESQL;
	if (pg && pg_custom_plans(db, e) != 0)
		return -1;
	bool oom = false;
	const char *match = NULL;
	/* the filters the index holds as words (all but the campaign) */
	const char *facets = facets_query(db, a, f, process_id, pg, e);
	if (!facets)
		return -1;
	const char *count_sql = NULL, *tally_sql = NULL, *words_match = NULL;
	enum search_path path;
	if (pg) {
		path = p.spaceless ? PATH_PG_LIKE : PATH_PG_WORDS;
		match = p.spaceless ? "" : search_tsquery(a, &p);
		oom = !match;
		if (path == PATH_PG_WORDS && !f->campaign)
			tally_sql = search_pg_tally_sql(*facets);
	} else {
		match = search_fts5(a, &p, p.spaceless, &oom);
		path = !p.spaceless ? PATH_WORD : match ? PATH_GRAM : PATH_SCAN;
		/* the reader's words in the title and text only (a word typed is never a facet), the filters in the
		 * facets: the index alone finds, ranks and counts the matches of a narrowed search */
		if (match)
			words_match = match = arena_printf(a, "{title body} : (%s)", match);
		if (match && *facets)
			match = arena_printf(a, "%s AND {facets} : (%s)", words_match, facets);
		oom |= !match && path != PATH_SCAN;
		/* a campaign is not a facet (a contribution's changes after it is indexed), nor a word read from the
		 * rows: those still join the entries (and the contribution) */
		bool joined = f->campaign != 0;
		for (int i = 0; p.spaceless && i < p.n; i++)
			joined |= p.terms[i].chars < 3;
		const bool by_contribution = *given(f->category) || *given(f->country) || f->campaign;
		if (!joined && path != PATH_SCAN && *facets)
			path = path == PATH_WORD ? PATH_WORD_FACETS : PATH_GRAM_FACETS;
		else if (!joined && path != PATH_SCAN)
			path = path == PATH_WORD ? PATH_WORD_PLAIN : PATH_GRAM_PLAIN;
		else if (by_contribution)
			path = (enum search_path)(path + 1);
		count_sql = SQL_PATHS[path].count;
	}
	/* the words read from the rows, lowered (ASCII) for SQLite's instr, as %patterns% for ILIKE */
	const char *slots[SEARCH_SLOTS] = {"", "", "", ""};
	const char *words[SEARCH_SLOTS] = {"", "", "", ""};
	int nslots = 0;
	for (int i = 0; p.spaceless && i < p.n && !oom; i++) {
		if (!pg && p.terms[i].chars >= 3)
			continue;
		char *w = arena_strdup(a, p.terms[i].text);
		struct buf b;
		buf_init(&b, 2 * strlen(p.terms[i].text) + 8);
		buf_putc(&b, '%');
		for (char *s = w; s && *s; s++) {
			if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s - 'A' + 'a');
			if (*s == '%' || *s == '_' || *s == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *s);
		}
		buf_putc(&b, '%');
		const char *pattern = b.failed ? NULL : arena_strndup(a, b.data, b.len);
		buf_free(&b);
		oom = !w || !pattern;
		words[nslots] = w;
		slots[nslots++] = pg ? pattern : w;
	}
	if (oom) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	const struct search_binds binds = {
	    .match = match, .process_id = process_id, .f = f, .slots = slots, .pg_facets = pg ? facets : NULL};
	const int64_t size = search_window();
	struct db_stmt *win = db_stmt(db, SQL_PATHS[path].window, e);
	if (!win)
		return -1;
	bind_search(win, &binds);
	/* more than a window is counted up to the bound, one past it read to tell "more than" from "exactly" */
	const int64_t bound = search_counted() > size ? search_counted() : size;
	int64_t count, lo, hi;
	const bool peeks = SQL_PATHS[path].peeks;
	int64_t more = 0;
	/* PostgreSQL: the tally first (PG_TALLY); within the bound it is the first window too */
	int64_t tallied = -1;
	if (tally_sql && pg_tally(db, tally_sql, match, facets, bound + 1, size, &tallied, &lo, &hi, e) != 0)
		return -1;
	if (tallied >= 0 && tallied <= bound) {
		count = tallied < size ? tallied : size;
		more = tallied > size;
	} else if (window_at(win, 0, size, &count, &lo, &hi, peeks ? &more : NULL, e) != 0) {
		/* the first window: the count up to its size, and then whether there is more */
		return -1;
	}
	*total = count;
	if (count == size) {
		int64_t l, h;
		if (!peeks && window_at(win, size, 1, &more, &l, &h, NULL, e) != 0)
			return -1;
		int64_t counted = count;
		if (more && tallied >= 0) {
			counted = tallied;
		} else if (more && count_sql) {
			/* by the full-text index alone (SQLite's FTS5) */
			struct db_stmt *st = db_stmt(db, count_sql, e);
			if (!st)
				return -1;
			db_bind_text(st, 1, match);
			db_bind_int(st, 2, bound + 1);
			enum db_step r = db_step(st, e);
			if (r == DB_ROW)
				counted = db_col_int(st, 0);
			db_reset(st);
			if (r == DB_FAIL)
				return -1;
		} else if (more) {
			/* the window's walk on, up to the bound (a window that peeks reads one past its size itself) */
			int64_t past = 0;
			if (window_at(win, 0, peeks ? bound : bound + 1, &counted, &l, &h, peeks ? &past : NULL, e) != 0)
				return -1;
			counted += past > 0;
		}
		*bounded = counted > bound;
		*total = *bounded ? bound : counted;
	}
	if (!*total || (!*bounded && offset >= *total) || limit <= 0)
		return 0;
	struct search_hit *hits = arena_alloc(a, sizeof *hits * (size_t)limit);
	if (!hits) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	struct db_stmt *list = db_stmt(db, SQL_PATHS[path].list, e);
	if (!list)
		return -1;
	bind_search(list, &binds);
	if (path == PATH_WORD_FACETS || path == PATH_GRAM_FACETS)
		db_bind_text(list, 18, words_match);
	int got = 0;
	if (!SQL_PATHS[path].ranked) {
		if (list_rows(list, a, SQL_PATHS[path].marked, offset, limit, words, nslots, hits, &got, e) != 0)
			return -1;
		if (*bounded && got > 0 && got < limit) {
			/* the page holds the last match: now the total is known */
			*total = offset + got;
			*bounded = false;
		}
	} else {
		/* window by window from the one that holds the offset, each ranked on its own */
		for (int64_t w = offset / size, skip = offset % size; got < limit; w++, skip = 0) {
			if (w > 0 && window_at(win, w * size, size, &count, &lo, &hi, peeks ? &more : NULL, e) != 0)
				return -1;
			if (skip >= count)
				break;
			db_bind_int(list, 16, lo);
			db_bind_int(list, 17, hi);
			int added = 0;
			if (list_rows(list, a, true, skip, limit - got, words, nslots, hits + got, &added, e) != 0)
				return -1;
			got += added;
			if (count < size) {
				/* the last window: now the total is known */
				if (*bounded)
					*total = w * size + count;
				*bounded = false;
				break;
			}
		}
	}
	*out = hits;
	*n = got;
	return 0;
}
