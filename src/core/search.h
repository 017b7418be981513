/*
 * search — full-text search over what the public may read: published, not
 * private contributions, their comments, their files' extracted text, the
 * paragraphs of published versions (of each of their texts in other
 * languages too, under its language: core/version_text.h) and the circular
 * letters.
 *
 * The index (table search_entry, migration 018) holds public text only: each
 * change that makes text public or takes it away calls one of the
 * search_*_sync() functions in its own transaction, and they write or remove
 * the rows of that contribution, version or letter to match its state then.
 * So a private, pending, hidden or spam contribution is never in the index,
 * and no query, however written, can find it.
 *
 * The reader's query is parsed here (search_parse()), never handed raw to the
 * database: words, "phrases", a prefix* and OR between words; every word is
 * quoted again in the dialect of the store, so that no text the reader types
 * is syntax there. A query that cannot be understood is an ERROR_INVALID with
 * a field "q" and a sentence saying why (a lone quote, a lone OR or AND, a *
 * alone, too long).
 *
 * One entry, search_query(), with its SQL in two dialects side by side:
 * SQLite's FTS5 (search_word: unicode61 without diacritics, ranked by bm25;
 * search_gram: trigrams, for a word in a script written without spaces) and
 * PostgreSQL's tsvector (to_tsquery over unaccented text, ranked by ts_rank;
 * ILIKE for the scripts without spaces).
 */
#ifndef CONSULTA_CORE_SEARCH_H
#define CONSULTA_CORE_SEARCH_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* What a result is: the public page it links to depends on it. */
enum search_kind { SEARCH_CONTRIBUTION, SEARCH_COMMENT, SEARCH_ATTACHMENT, SEARCH_PARAGRAPH, SEARCH_LETTER };
enum { SEARCH_KINDS = SEARCH_LETTER + 1 };
const char *search_kind_name(enum search_kind k); /* "contribution", ..., "paragraph", "letter" */
bool search_kind_parse(const char *name, enum search_kind *out);

/* The index kept in step with the facts, inside the caller's write transaction: the rows of one
 * contribution (its text, comments and clean files' text, if it is published and not private; none
 * otherwise), of one version's paragraphs (if it is published), of one letter. 0 or -1 with e. */
int search_contribution_sync(struct db *db, int64_t contribution_id, struct error *e);
/* The rows of a contribution just inserted in this transaction (it has none yet: nothing to take out), received
 * at received_at; whole: also its comments' and files' (false: it has neither). With b (the group commit's
 * batch), SQLite's full-text indexes take the batch's rows at search_batch_end(), in one statement each,
 * before the commit; without, at once. 0 or -1 with e. */
struct search_batch;
struct search_batch *search_batch_begin(struct arena *a);
int search_contribution_added(struct db *db, struct search_batch *b, int64_t contribution_id, int64_t received_at,
                              bool whole, struct error *e);
/* Tells the batch that the contribution just added (search_contribution_added) has only these words, none of
 * them with a character at or above U+0800 (no byte of 0xE0 or more): none of its rows then goes to the index of
 * scripts written without spaces, and a batch of such rows alone does not scan its rows for one. NULLs are
 * empty. */
void search_batch_plain(struct search_batch *b, const char *title, const char *title2, const char *body);
/* Indexes what the batch added (nothing to do on PostgreSQL, whose index is a generated column). Every row
 * of search_entry written on this transaction since the batch's first must have come through it. 0 or -1. */
int search_batch_end(struct db *db, struct search_batch *b, struct error *e);
int search_version_sync(struct db *db, int64_t version_id, struct error *e);
/* Indexes the versions whose texts in other languages were given before migration 040 (its SQL cannot split a
 * text's Markdown into paragraphs): each published version with a text that has no entry. One transaction;
 * `consulta init` and the server's start run it (nothing to do after the first time). 0 or -1 with e. */
int search_version_texts_backfill(struct db *db, struct error *e);
int search_letter_sync(struct db *db, int64_t circular_id, struct error *e);
/* The SQLite full-text indexes made again from search_entry, in one transaction: after `consulta migrate-db`
 * filled search_entry row by row (it copies tables, and FTS5's are not tables to copy). On PostgreSQL the
 * index is a generated column of search_entry: nothing to do. 0 or -1 with e. */
int search_reindex(struct db *db, struct error *e);

/* One word or "phrase" of a query. group numbers the AND-ed groups from 0: words of one group are
 * alternatives (OR). */
struct search_term {
	const char *text; /* as typed, without its quotes or *, Arabic vowel marks removed */
	bool prefix;      /* ended with *: any word that begins so */
	bool phrase;      /* was quoted */
	bool spaceless;   /* has a character of a script written without spaces (Chinese, Japanese, Thai...) */
	int chars;        /* its length in characters */
	int group;
};

/* Words of a query in a script without spaces that are read from the rows rather than looked up in an
 * index, at most: those under three characters on SQLite, every one on PostgreSQL. */
enum { SEARCH_SLOTS = 4 };

struct search_parsed {
	struct search_term *terms;
	int n;
	int groups;
	bool spaceless; /* some term is: the query uses the trigram index (ILIKE on PostgreSQL) */
};

/* Parses the reader's query. 0, or -1 with ERROR_INVALID on field "q" and a sentence saying what to
 * change. Strings are in a. */
int search_parse(struct arena *a, const char *q, struct search_parsed *out, struct error *e);

/* The query in FTS5's syntax, every term quoted ("water" AND ("energy" OR "power"*)); for the trigram
 * index (spaceless) only the terms of three characters or more, which it can look up; NULL when there are
 * none such (or out of memory: then *oom). */
const char *search_fts5(struct arena *a, const struct search_parsed *p, bool trigram, bool *oom);
/* The same in PostgreSQL's to_tsquery syntax ('water' & ('energy' | 'power':*)). */
const char *search_tsquery(struct arena *a, const struct search_parsed *p);
/* PostgreSQL's statements for a query of words (most searches): its window (window true: ?1 the tsquery text, ?9
 * a campaign or 0, ?14 the window's size, ?15 the matches skipped, ?18 the facets' tsquery text or '') or its list
 * of hits (also ?16, ?17: the window's lowest and highest entry id). For tests/unit/test_db_pg.c, which checks
 * their plans. */
const char *search_pg_words_sql(bool window);

/* The narrowing a search may have: each 0 or NULL/"" when not given. */
struct search_filter {
	const char *q;
	const char *process; /* slug */
	int64_t call;
	const char *category; /* slug */
	const char *country;  /* ISO 3166-1 alpha-2 */
	const char *type;     /* a search_kind's name */
	const char *from;     /* YYYY-MM-DD, inclusive */
	const char *to;       /* YYYY-MM-DD, inclusive */
	int64_t campaign;
};

struct search_hit {
	enum search_kind kind;
	int64_t ref_id;
	const char *process; /* slug */
	int64_t call_id;     /* 0 for a paragraph or a letter */
	int64_t version_id;  /* 0 for a letter */
	const char *anchor;  /* tracking number, pid, or the letter's reference */
	const char *day;     /* YYYY-MM-DD */
	const char *title;   /* may be "" (an anonymous contribution, a comment) */
	const char *language; /* a paragraph of a version's text in another language: its tag ("fr"); else "" */
	const char *snippet; /* HTML: the text around the match, escaped, matches in <mark> */
};

/* Results offset..offset+limit-1 of the query in f, best first (bm25; ts_rank on PostgreSQL; newest first
 * for a query by trigrams too short to rank), and the number of all of them in *total. When there are more
 * than LIMIT_SEARCH_RANKED matches, they are ranked in windows of that many, newest first (the first page is
 * the best of the newest LIMIT_SEARCH_RANKED; every match is on one page). *total is exact up to
 * search_counted() (LIMIT_SEARCH_COUNTED) matches, whatever the filters and on both backends; with more,
 * *total is that bound and *bounded true ("more than *total"), until a page reaches the last window: then the
 * total is known, and exact again. ERROR_INVALID (with its field) for a query or a filter that cannot be read,
 * ERROR_NOT_FOUND for a process that does not exist. Everything in a. */
int search_query(struct db *db, struct arena *a, const struct search_filter *f, int offset, int limit,
                 struct search_hit **out, int *n, int64_t *total, bool *bounded, struct error *e);
/* How many matches are ranked together: LIMIT_SEARCH_RANKED (less in a test build when
 * CONSULTA_TEST_SEARCH_WINDOW says so). */
int64_t search_window(void);
/* How many matches a search counts at most: LIMIT_SEARCH_COUNTED (another number in a test build when
 * CONSULTA_TEST_SEARCH_COUNTED says so; never less than search_window()'s in effect). */
int64_t search_counted(void);
/* PostgreSQL's statement that counts a search's matches up to ?2 from the GIN indexes and gives the first window
 * of ?3 (its lowest and highest id): ?1 the words' tsquery text, and with facets ?4 the facets'. */
const char *search_pg_tally_sql(bool facets);
/* PostgreSQL's statements for a query with a word of a script without spaces (the ILIKE path): its list of
 * hits (window false) or its window's count (true), with search_query's parameters. For tests/unit/test_db_pg.c,
 * which checks that their plans can read the partial trigram index (migration 043). */
const char *search_pg_spaceless_sql(bool window);

/* The HTML of a snippet whose matches are between the bytes 0x02 and 0x03 (as the queries mark them):
 * escaped, each match in <mark>, every <mark> closed. NULL if out of memory. */
const char *search_snippet_html(struct arena *a, const char *marked);

#endif
