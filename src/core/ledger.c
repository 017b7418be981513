/* ledger — see ledger.h. */
#include "core/ledger.h"

#include "core/config.h"
#include "core/field.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/utf8.h"

#include <jansson.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[] = {
    [LEDGER_CONTRIBUTION] = "contribution",
    [LEDGER_AUDIT] = "audit",
};

const char *ledger_kind_name(enum ledger_kind k)
{
	return KIND_NAMES[k];
}

bool ledger_kind_parse(const char *name, enum ledger_kind *out)
{
	const int i = field_enum_index(KIND_NAMES, (int)(sizeof KIND_NAMES / sizeof *KIND_NAMES), name);
	if (i >= 0)
		*out = (enum ledger_kind)i;
	return i >= 0;
}

/* The audit kinds that are facts of the record. call.open and call.close move the deadline too (a call
 * closed early, or opened again), so they are deadline changes as much as extend and shorten are. */
static const char *const AUDIT_KINDS[] = {
    "milestone.move", "call.extend",           "call.shorten",       "call.open",
    "call.close",     "contribution.moderate", "contribution.admit", "disposition.record",
    "circular.issue", "circular.pdf",
};

bool ledger_audit_kind(const char *audit_kind)
{
	for (size_t i = 0; audit_kind && i < sizeof AUDIT_KINDS / sizeof *AUDIT_KINDS; i++)
		if (!strcmp(audit_kind, AUDIT_KINDS[i]))
			return true;
	return false;
}

/* -- hashing ------------------------------------------------------------ */

/* SHA-256 by nettle rather than libsodium: nettle uses the processor's SHA instructions where it has them
 * (x86's SHA-NI, ARMv8's), libsodium's is portable C, three times slower, and the record hashes three times per
 * contribution on the write path (its commitment, its leaf, a subtree on average: bench/ledger.sh). */
void ledger_leaf_hash(const void *leaf, size_t n, unsigned char out[LEDGER_HASH_LEN])
{
	struct sha256_ctx s;
	const uint8_t prefix = 0x00;
	sha256_init(&s);
	sha256_update(&s, 1, &prefix);
	sha256_update(&s, n, leaf);
	sha256_digest(&s, LEDGER_HASH_LEN, out);
}

void ledger_node_hash(const unsigned char left[LEDGER_HASH_LEN], const unsigned char right[LEDGER_HASH_LEN],
                      unsigned char out[LEDGER_HASH_LEN])
{
	unsigned char in[1 + 2 * LEDGER_HASH_LEN];
	in[0] = 0x01;
	memcpy(in + 1, left, LEDGER_HASH_LEN);
	memcpy(in + 1 + LEDGER_HASH_LEN, right, LEDGER_HASH_LEN);
	struct sha256_ctx s;
	sha256_init(&s);
	sha256_update(&s, sizeof in, in);
	sha256_digest(&s, LEDGER_HASH_LEN, out);
}

/* The largest power of two smaller than n (n >= 2): RFC 9162's k. */
static int64_t split_point(int64_t n)
{
	int64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

static bool power_of_two(int64_t n)
{
	return n > 0 && (n & (n - 1)) == 0;
}

/* -- the stored tree ---------------------------------------------------- */

/* The complete subtrees stored in ledger_node are those of STORED_FROM leaves and more (levels 3 and up): a
 * smaller one is made from its leaves' hashes when asked (at most 4, one read of adjacent rows), so that an
 * append writes a node for one leaf in four rather than for every leaf (1/4 + 1/8 + ... instead of 1/2 + 1/4
 * + ...: the rows, and their primary key's index, were a third of the record's cost on the write path,
 * bench/ledger.sh). A database written before keeps its small subtrees' rows; they are no longer read. */
enum { STORED_FROM = 3 };

/* The hash of the perfect subtree of the 2^level leaves from idx << level (0 < level < STORED_FROM), made from
 * their stored hashes. */
static int node_from_leaves(struct db *db, int level, int64_t idx, unsigned char out[LEDGER_HASH_LEN],
                            struct error *e)
{
	static const char sql[] = "SELECT idx, leaf_hash FROM ledger_leaf WHERE idx >= ? AND idx < ? ORDER BY idx";
	enum { MOST = 1 << (STORED_FROM - 1) };
	unsigned char h[MOST][LEDGER_HASH_LEN];
	const int64_t first = idx << level, n = INT64_C(1) << level;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, first);
	db_bind_int(st, 2, first + n);
	int64_t got = 0;
	enum db_step r;
	bool damaged = false;
	while ((r = db_step(st, e)) == DB_ROW) {
		size_t len = 0;
		const void *p = db_col_blob(st, 1, &len);
		if (got >= n || db_col_int(st, 0) != first + got || !p || len != LEDGER_HASH_LEN) {
			damaged = true;
			break;
		}
		memcpy(h[got++], p, LEDGER_HASH_LEN);
	}
	db_reset(st);
	if (r == DB_FAIL)
		return -1;
	if (damaged || got != n) {
		error_set(e, ERROR_INTERNAL, "The record's subtree %d/%lld is missing leaves.", level, (long long)idx);
		return -1;
	}
	for (int64_t width = n; width > 1; width /= 2)
		for (int64_t i = 0; i < width / 2; i++)
			ledger_node_hash(h[2 * i], h[2 * i + 1], h[i]);
	memcpy(out, h[0], LEDGER_HASH_LEN);
	return 0;
}

/* The hash of the complete subtree at (level, idx): a leaf's hash at level 0. ERROR_INTERNAL if the row is
 * missing (the tree is damaged: every complete subtree from STORED_FROM up is stored). */
static int node_get(struct db *db, int level, int64_t idx, unsigned char out[LEDGER_HASH_LEN], struct error *e)
{
	static const char sql_leaf[] = "SELECT leaf_hash FROM ledger_leaf WHERE idx = ?";
	if (level > 0 && level < STORED_FROM)
		return node_from_leaves(db, level, idx, out, e);
	static const char sql_node[] = "SELECT hash FROM ledger_node WHERE level = ? AND idx = ?";
	struct db_stmt *st = db_stmt(db, level == 0 ? sql_leaf : sql_node, e);
	if (!st)
		return -1;
	if (level == 0) {
		db_bind_int(st, 1, idx);
	} else {
		db_bind_int(st, 1, level);
		db_bind_int(st, 2, idx);
	}
	enum db_step r = db_step(st, e);
	int rc = -1;
	if (r == DB_ROW) {
		size_t n = 0;
		const void *p = db_col_blob(st, 0, &n);
		if (p && n == LEDGER_HASH_LEN) {
			memcpy(out, p, LEDGER_HASH_LEN);
			rc = 0;
		} else {
			error_set(e, ERROR_INTERNAL, "The record's subtree %d/%lld is damaged.", level, (long long)idx);
		}
	} else if (r == DB_DONE) {
		error_set(e, ERROR_INTERNAL, "The record's subtree %d/%lld is missing.", level, (long long)idx);
	}
	db_reset(st);
	return rc;
}

/* MTH(D[lo:hi]) (hi > lo) from the stored complete subtrees: the RFC's definition, where each perfect and
 * aligned range is one stored row. The ranges a root or a proof asks for start aligned, so this reads one
 * row per bit of hi - lo. */
static int range_hash(struct db *db, int64_t lo, int64_t hi, unsigned char out[LEDGER_HASH_LEN], struct error *e)
{
	const int64_t n = hi - lo;
	if (power_of_two(n) && lo % n == 0) {
		int level = 0;
		while ((INT64_C(1) << level) < n)
			level++;
		return node_get(db, level, lo / n, out, e);
	}
	const int64_t k = split_point(n);
	unsigned char left[LEDGER_HASH_LEN], right[LEDGER_HASH_LEN];
	if (range_hash(db, lo, lo + k, left, e) != 0 || range_hash(db, lo + k, hi, right, e) != 0)
		return -1;
	ledger_node_hash(left, right, out);
	return 0;
}

int ledger_size(struct db *db, int64_t *size, struct error *e)
{
	static const char sql[] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaf";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	enum db_step r = db_step(st, e);
	if (r == DB_ROW)
		*size = db_col_int(st, 0);
	db_reset(st);
	return r == DB_ROW ? 0 : -1;
}

/* Whether size names a tree the record has (1 .. its size); ERROR_INVALID saying why if not. what: the size's
 * name in the sentence, marked N_() by the caller. */
static int size_check(struct db *db, const char *what, int64_t size, struct error *e)
{
	int64_t have = 0;
	if (ledger_size(db, &have, e) != 0)
		return -1;
	if (size < 1) {
		error_set(e, ERROR_INVALID, _("The %s must be a tree size of at least 1."), _(what));
		return -1;
	}
	if (size > have) {
		error_set(e, ERROR_INVALID, _("The %s %lld is beyond the tree, which has %lld leaves."), _(what),
		          (long long)size, (long long)have);
		return -1;
	}
	return 0;
}

int ledger_root(struct db *db, int64_t size, unsigned char root[LEDGER_HASH_LEN], struct error *e)
{
	if (size_check(db, N_("size"), size, e) != 0)
		return -1;
	return range_hash(db, 0, size, root, e);
}

/* Reverses a list of hashes gathered from the root down into the RFC's order, from the leaf up. */
static void reverse(unsigned char (*p)[LEDGER_HASH_LEN], int n)
{
	for (int i = 0, j = n - 1; i < j; i++, j--) {
		unsigned char t[LEDGER_HASH_LEN];
		memcpy(t, p[i], LEDGER_HASH_LEN);
		memcpy(p[i], p[j], LEDGER_HASH_LEN);
		memcpy(p[j], t, LEDGER_HASH_LEN);
	}
}

/* A proof has at most one hash per level: 64 for any int64 size. */
enum { PROOF_MAX = 64 };

int ledger_inclusion(struct db *db, struct arena *a, int64_t index, int64_t size,
                     unsigned char leaf_hash[LEDGER_HASH_LEN], unsigned char (**proof)[LEDGER_HASH_LEN], int *n,
                     struct error *e)
{
	*proof = NULL;
	*n = 0;
	if (size_check(db, N_("size"), size, e) != 0)
		return -1;
	if (index < 0 || index >= size) {
		error_set(e, ERROR_INVALID,
		          _("The leaf %lld is not in a tree of %lld leaves (leaves are numbered from 0)."),
		          (long long)index, (long long)size);
		return -1;
	}
	unsigned char(*p)[LEDGER_HASH_LEN] = arena_alloc(a, sizeof *p * PROOF_MAX);
	if (!p) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	/* PATH(m, D[lo:hi]) of 2.1.3.1, walked from the root down: each step keeps the half that holds the leaf
	 * and gives the other half's hash. */
	int64_t lo = 0, hi = size;
	int count = 0;
	while (hi - lo > 1) {
		const int64_t k = split_point(hi - lo);
		int rc;
		if (index - lo < k) {
			rc = range_hash(db, lo + k, hi, p[count], e);
			hi = lo + k;
		} else {
			rc = range_hash(db, lo, lo + k, p[count], e);
			lo += k;
		}
		if (rc != 0)
			return -1;
		count++;
	}
	if (node_get(db, 0, index, leaf_hash, e) != 0)
		return -1;
	reverse(p, count);
	*proof = p;
	*n = count;
	return 0;
}

int ledger_consistency(struct db *db, struct arena *a, int64_t first, int64_t second,
                       unsigned char (**proof)[LEDGER_HASH_LEN], int *n, struct error *e)
{
	*proof = NULL;
	*n = 0;
	if (size_check(db, N_("second size"), second, e) != 0)
		return -1;
	if (first < 1 || first > second) {
		error_set(e, ERROR_INVALID, _("The first size must be from 1 to the second size (%lld)."),
		          (long long)second);
		return -1;
	}
	unsigned char(*p)[LEDGER_HASH_LEN] = arena_alloc(a, sizeof *p * PROOF_MAX);
	if (!p) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	/* SUBPROOF(m, D[lo:hi], b) of 2.1.4.1, from the root down. */
	int64_t m = first, lo = 0, hi = second;
	bool whole = true;
	int count = 0;
	while (first != second) {
		if (m == hi - lo) {
			if (!whole && range_hash(db, lo, hi, p[count++], e) != 0)
				return -1;
			break;
		}
		const int64_t k = split_point(hi - lo);
		int rc;
		if (m <= k) {
			rc = range_hash(db, lo + k, hi, p[count], e);
			hi = lo + k;
		} else {
			rc = range_hash(db, lo, lo + k, p[count], e);
			m -= k;
			lo += k;
			whole = false;
		}
		if (rc != 0)
			return -1;
		count++;
	}
	reverse(p, count);
	*proof = p;
	*n = count;
	return 0;
}

/* -- appending ---------------------------------------------------------- */

/*
 * A batch of appends (ledger_batch_*): the leaves of one write transaction, queued as they are made and written
 * at its end by one tree update. The tree's right edge (the complete subtrees that cover the first `size`
 * leaves, one per bit of size, from the highest) is read once; each queued leaf is then hashed into it in memory,
 * and every subtree it completes is written, as one append at a time would: the same rows, without the size and
 * the left siblings read again for each leaf.
 */
struct batch_leaf {
	enum ledger_kind kind;
	int64_t fact_id;
	bool salted;
	unsigned char salt[LEDGER_SALT_LEN];
	unsigned char hash[LEDGER_HASH_LEN];
};

struct ledger_batch {
	struct arena *a;
	bool started; /* size read (on the first leaf) */
	int64_t size; /* the tree's size before the batch */
	struct batch_leaf *leaves;
	int n, cap;
};

struct ledger_batch *ledger_batch_begin(struct arena *a)
{
	struct ledger_batch *b = arena_alloc(a, sizeof *b);
	if (b)
		*b = (struct ledger_batch){.a = a};
	return b;
}

int ledger_batch_add_leaf(struct db *db, struct ledger_batch *b, enum ledger_kind kind, int64_t fact_id,
                          const void *leaf, size_t n, const unsigned char *salt, int64_t *index, struct error *e)
{
	if (!b->started) {
		if (ledger_size(db, &b->size, e) != 0)
			return -1;
		b->started = true;
	}
	struct batch_leaf *l = arena_push(b->a, (void **)&b->leaves, &b->n, &b->cap, sizeof *b->leaves);
	if (!l) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	l->kind = kind;
	l->fact_id = fact_id;
	l->salted = salt != NULL;
	if (salt)
		memcpy(l->salt, salt, LEDGER_SALT_LEN);
	ledger_leaf_hash(leaf, n, l->hash);
	if (index)
		*index = b->size + b->n - 1;
	return 0;
}

int ledger_batch_mark(const struct ledger_batch *b)
{
	return b->n;
}

void ledger_batch_undo(struct ledger_batch *b, int mark)
{
	if (mark >= 0 && mark < b->n)
		b->n = mark;
}

/* A batch's leaves go in by up to 32 rows a statement (n rows: a statement of each power of two in n): on
 * PostgreSQL every statement is a round trip the writer waits for, and a leaf's own insert was one of the few
 * per contribution. */
#define LEAF_INSERT  "INSERT INTO ledger_leaf (idx, kind, fact_id, salt, leaf_hash, at) VALUES "
#define LEAF_ROWS_1  "(?, ?, ?, ?, ?, ?)"
#define LEAF_ROWS_2  LEAF_ROWS_1 ", " LEAF_ROWS_1
#define LEAF_ROWS_4  LEAF_ROWS_2 ", " LEAF_ROWS_2
#define LEAF_ROWS_8  LEAF_ROWS_4 ", " LEAF_ROWS_4
#define LEAF_ROWS_16 LEAF_ROWS_8 ", " LEAF_ROWS_8
#define LEAF_ROWS_32 LEAF_ROWS_16 ", " LEAF_ROWS_16
static const struct {
	int rows;
	const char *sql;
} LEAF_INSERTS[] = {
    {32, LEAF_INSERT LEAF_ROWS_32}, {16, LEAF_INSERT LEAF_ROWS_16}, {8, LEAF_INSERT LEAF_ROWS_8},
    {4, LEAF_INSERT LEAF_ROWS_4},   {2, LEAF_INSERT LEAF_ROWS_2},   {1, LEAF_INSERT LEAF_ROWS_1},
};

/* Inserts the n leaves from l, the first at index first, all written at `at`. */
static int leaves_insert(struct db *db, const struct batch_leaf *l, int n, int64_t first, int64_t at, struct error *e)
{
	size_t s = 0;
	for (int k = 0; k < n;) {
		while (LEAF_INSERTS[s].rows > n - k)
			s++;
		const int rows = LEAF_INSERTS[s].rows;
		struct db_stmt *st = db_stmt(db, LEAF_INSERTS[s].sql, e);
		if (!st)
			return -1;
		for (int r = 0; r < rows; r++, k++) {
			const int p = 6 * r;
			db_bind_int(st, p + 1, first + k);
			db_bind_text(st, p + 2, ledger_kind_name(l[k].kind));
			db_bind_int(st, p + 3, l[k].fact_id);
			if (l[k].salted)
				db_bind_blob(st, p + 4, l[k].salt, LEDGER_SALT_LEN);
			else
				db_bind_null(st, p + 4);
			db_bind_blob(st, p + 5, l[k].hash, LEDGER_HASH_LEN);
			db_bind_int(st, p + 6, at);
		}
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return 0;
}

int ledger_batch_end(struct db *db, struct ledger_batch *b, struct error *e)
{
	static const char sql_node[] = "INSERT INTO ledger_node (level, idx, hash) VALUES (?, ?, ?)";
	if (b->n == 0)
		return 0;
	/* The right edge: edge[L] is the complete subtree at level L that ends the covered leaves, for each bit L
	 * of the size. */
	unsigned char edge[64][LEDGER_HASH_LEN];
	int64_t size = b->size;
	for (int level = 0; level < 63; level++)
		if ((size >> level) & 1 && node_get(db, level, (size >> level) - 1, edge[level], e) != 0)
			return -1;
	if (leaves_insert(db, b->leaves, b->n, b->size, clock_now(), e) != 0)
		return -1;
	for (int k = 0; k < b->n; k++, size++) {
		const struct batch_leaf *l = &b->leaves[k];
		/* Each subtree this leaf completes: while the leaf (then its subtree) is a right child, hash it with
		 * its left sibling, the edge's subtree at that level; the result is the edge's at the level above. */
		unsigned char h[LEDGER_HASH_LEN];
		memcpy(h, l->hash, LEDGER_HASH_LEN);
		int level = 0;
		for (int64_t i = size; i & 1; i >>= 1) {
			ledger_node_hash(edge[level], h, h);
			level++;
			if (level < STORED_FROM)
				continue;
			struct db_stmt *st = db_stmt(db, sql_node, e);
			if (!st)
				return -1;
			db_bind_int(st, 1, level);
			db_bind_int(st, 2, i >> 1);
			db_bind_blob(st, 3, h, LEDGER_HASH_LEN);
			if (db_exec_stmt(st, e) != 0)
				return -1;
		}
		memcpy(edge[level], h, LEDGER_HASH_LEN);
	}
	b->size = size;
	b->n = 0;
	return 0;
}

int64_t ledger_batch_size(const struct ledger_batch *b)
{
	return b->size + b->n;
}

int ledger_append_leaf(struct db *db, enum ledger_kind kind, int64_t fact_id, const void *leaf, size_t n,
                       const unsigned char *salt, int64_t *index, struct error *e)
{
	struct ledger_batch b = {0};
	struct batch_leaf one;
	b.leaves = &one;
	b.cap = 1; /* never grown: one leaf */
	if (ledger_size(db, &b.size, e) != 0)
		return -1;
	b.started = true;
	b.n = 1;
	one.kind = kind;
	one.fact_id = fact_id;
	one.salted = salt != NULL;
	if (salt)
		memcpy(one.salt, salt, LEDGER_SALT_LEN);
	ledger_leaf_hash(leaf, n, one.hash);
	const int64_t idx = b.size;
	if (ledger_batch_end(db, &b, e) != 0)
		return -1;
	if (index)
		*index = idx;
	return 0;
}

/* Canonical JSON text (compact, keys sorted) of v, in the arena; takes the reference. */
static const char *canonical(struct arena *a, json_t *v)
{
	if (!v)
		return NULL;
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(v);
	if (!text)
		return NULL;
	const char *copy = arena_strdup(a, text);
	free(text);
	return copy;
}

static json_t *json_text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/*
 * Canonical JSON written by hand for a contribution's leaf: the bytes jansson's json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) gives for the same object (the leaves already in the tree were made so, and `consulta
 * verify --all` must make them again), without building a tree of objects and sorting its keys for each
 * contribution: that was most of the leaf's cost on the write path (bench/ledger.sh). Each object's keys are
 * written in their sorted (strcmp) order; strings escaped as jansson does (\" \\ \b \f \n \r \t, other
 * control characters \u00XX, everything else as is, UTF-8). tests/unit/test_ledger.c compares both on every
 * byte value and on non-ASCII text. Text that is not UTF-8 fails the buffer (b->failed): jansson refuses it too.
 */
enum { LEAF_JSON_MAX = 64 << 20 }; /* far above any contribution's facts: a ceiling, not a limit */

static void cj_text(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	const size_t n = strlen(s);
	if (!utf8_valid(s, n)) {
		b->failed = true;
		return;
	}
	buf_putc(b, '"');
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + from, i - from);
		from = i + 1;
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_printf(b, "\\u%04X", (unsigned)c); break;
		}
	}
	buf_append(b, s + from, n - from);
	buf_putc(b, '"');
}

/* ,"key": (no comma before an object's first key) */
static void cj_key(struct buf *b, const char *key)
{
	if (b->len && b->data[b->len - 1] != '{')
		buf_putc(b, ',');
	buf_putc(b, '"');
	buf_puts(b, key);
	buf_puts(b, "\":");
}

/* An integer, as %lld writes it (written here: printf's machinery cost more than the rest of a leaf's JSON). */
static void cj_int(struct buf *b, int64_t v)
{
	char digits[24];
	int n = sizeof digits;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		digits[--n] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		digits[--n] = '-';
	buf_append(b, digits + n, sizeof digits - (size_t)n);
}

/* A member: "key":"text" (or null), "key":integer. */
static void cj_text_member(struct buf *b, const char *key, const char *text)
{
	cj_key(b, key);
	cj_text(b, text);
}

static void cj_int_member(struct buf *b, const char *key, int64_t v)
{
	cj_key(b, key);
	cj_int(b, v);
}

/* A column of a row written as a canonical JSON object's member: its key, column, and whether an integer. */
struct cj_field {
	const char *key;
	int col;
	bool integer;
};

/* The rows of sql (binding id) appended to out (an array's '[' already in it) as canonical JSON objects, each
 * with fields (in their keys' sorted order). 0, or -1 with e. */
static int cj_rows(struct db *db, const char *sql, int64_t id, const struct cj_field *fields, size_t n,
                   struct buf *out, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	enum db_step r;
	while ((r = db_step(st, e)) == DB_ROW) {
		buf_puts(out, out->len > 1 ? ",{" : "{");
		for (size_t i = 0; i < n; i++) {
			cj_key(out, fields[i].key);
			if (fields[i].integer)
				cj_int(out, db_col_int(st, fields[i].col));
			else
				cj_text(out, db_col_text(st, fields[i].col));
		}
		buf_putc(out, '}');
	}
	db_reset(st);
	return r == DB_FAIL ? -1 : 0;
}

/* The canonical JSON of a contribution's facts, with its comments and attachments given as canonical JSON
 * arrays; in the arena, or NULL (out of memory, text not UTF-8). */
static const char *facts_json(struct arena *a, const struct ledger_contribution_facts *f, const char *comments,
                              const char *attachments)
{
	const bool named = f->publication && !strcmp(f->publication, "named");
	struct buf b;
	buf_init(&b, LEAF_JSON_MAX);
	buf_putc(&b, '{');
	cj_key(&b, "attachments");
	buf_puts(&b, attachments);
	cj_int_member(&b, "call_id", f->call_id);
	cj_text_member(&b, "category", f->category);
	cj_text_member(&b, "channel", f->channel);
	cj_key(&b, "comments");
	buf_puts(&b, comments);
	cj_text_member(&b, "country", f->country);
	/* A name not published is not on the receipt, which anyone with the tracking number may read. */
	if (named) {
		cj_text_member(&b, "name", f->name);
		cj_text_member(&b, "organization", f->organization);
	}
	cj_text_member(&b, "publication", f->publication);
	cj_text_member(&b, "raw_sha256", f->raw_sha256);
	cj_int_member(&b, "received_at", f->received_at);
	cj_text_member(&b, "text", f->text);
	cj_text_member(&b, "tracking", f->tracking);
	cj_int_member(&b, "v", 1);
	buf_putc(&b, '}');
	const char *json = b.failed ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return json;
}

/* ledger_contribution_json(), with the call and the instant its leaf names openly (read in the same query). */
static int contribution_canonical(struct db *db, struct arena *a, int64_t contribution_id, const char **json,
                                  int64_t *call_id, int64_t *received_at, struct error *e)
{
	static const char sql[] =
	    "SELECT c.tracking, c.call_id, c.channel, c.name, c.organization, k.slug, c.country, c.text, "
	    "c.publication, c.received_at, c.raw_sha256, "
	    "EXISTS (SELECT 1 FROM comment m WHERE m.contribution_id = c.id), "
	    "EXISTS (SELECT 1 FROM attachment f WHERE f.contribution_id = c.id) "
	    "FROM contribution c JOIN category k ON k.id = c.category_id WHERE c.id = ?";
	static const char sql_comments[] = "SELECT position, pid, type, comment, proposed_change FROM comment "
	                                   "WHERE contribution_id = ? ORDER BY position";
	static const char sql_files[] = "SELECT position, name, size, type, sha256 FROM attachment "
	                                "WHERE contribution_id = ? ORDER BY position";
	*json = NULL;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, contribution_id);
	enum db_step r = db_step(st, e);
	if (r != DB_ROW) {
		db_reset(st);
		if (r == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("No contribution %lld."), (long long)contribution_id);
		return -1;
	}
	bool dup_failed = false; /* the texts copied: the statement is reset before its comments are read */
	const struct ledger_contribution_facts f = {.tracking = db_col_dup(st, 0, a, &dup_failed),
	                                            .call_id = db_col_int(st, 1),
	                                            .channel = db_col_dup(st, 2, a, &dup_failed),
	                                            .name = db_col_dup(st, 3, a, &dup_failed),
	                                            .organization = db_col_dup(st, 4, a, &dup_failed),
	                                            .category = db_col_dup(st, 5, a, &dup_failed),
	                                            .country = db_col_dup(st, 6, a, &dup_failed),
	                                            .text = db_col_dup(st, 7, a, &dup_failed),
	                                            .publication = db_col_dup(st, 8, a, &dup_failed),
	                                            .received_at = db_col_int(st, 9),
	                                            .raw_sha256 = db_col_dup(st, 10, a, &dup_failed)};
	*call_id = f.call_id;
	*received_at = f.received_at;
	/* Most contributions have neither comments nor files: their two reads are skipped (the write path pays
	 * for every statement here, bench/ledger.sh). */
	const bool has_comments = db_col_int(st, 11) != 0, has_files = db_col_int(st, 12) != 0;
	db_reset(st);
	if (dup_failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	struct buf comments, files;
	buf_init(&comments, LEAF_JSON_MAX);
	buf_init(&files, LEAF_JSON_MAX);
	buf_putc(&comments, '[');
	buf_putc(&files, '[');
	static const struct cj_field comment_fields[] = {
	    {"comment", 3, false}, {"pid", 1, false}, {"position", 0, true}, {"proposed_change", 4, false},
	    {"type", 2, false}};
	static const struct cj_field file_fields[] = {
	    {"name", 1, false}, {"position", 0, true}, {"sha256", 4, false}, {"size", 2, true}, {"type", 3, false}};
	const bool failed = (has_comments && cj_rows(db, sql_comments, contribution_id, comment_fields,
	                                             sizeof comment_fields / sizeof *comment_fields, &comments, e) != 0) ||
	                    (has_files && cj_rows(db, sql_files, contribution_id, file_fields,
	                                          sizeof file_fields / sizeof *file_fields, &files, e) != 0);
	buf_putc(&comments, ']');
	buf_putc(&files, ']');
	if (!failed && !(*json = comments.failed || files.failed ? NULL : facts_json(a, &f, comments.data, files.data)))
		error_set(e, ERROR_UNAVAILABLE, "The canonical JSON of contribution %lld cannot be made.",
		          (long long)contribution_id);
	buf_free(&comments);
	buf_free(&files);
	return *json ? 0 : -1;
}

int ledger_contribution_json(struct db *db, struct arena *a, int64_t contribution_id, const char **json,
                             struct error *e)
{
	int64_t call_id, received_at;
	return contribution_canonical(db, a, contribution_id, json, &call_id, &received_at, e);
}

const char *ledger_contribution_leaf(struct arena *a, int64_t call_id, int64_t received_at, const char *canonical_json,
                                     const unsigned char salt[LEDGER_SALT_LEN])
{
	struct sha256_ctx s;
	unsigned char c[LEDGER_HASH_LEN];
	char hex[2 * LEDGER_HASH_LEN + 1];
	sha256_init(&s);
	sha256_update(&s, LEDGER_SALT_LEN, salt);
	sha256_update(&s, strlen(canonical_json), (const uint8_t *)canonical_json);
	sha256_digest(&s, LEDGER_HASH_LEN, c);
	sodium_bin2hex(hex, sizeof hex, c, sizeof c);
	struct buf b;
	buf_init(&b, 256);
	buf_putc(&b, '{');
	cj_int_member(&b, "call_id", call_id);
	cj_text_member(&b, "commitment", hex);
	cj_text_member(&b, "kind", "contribution");
	cj_int_member(&b, "received_at", received_at);
	cj_int_member(&b, "v", 1);
	buf_putc(&b, '}');
	const char *leaf = b.failed ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return leaf;
}

/* The leaf of an audit row: the row itself, as canonical JSON. */
static int audit_leaf(struct db *db, struct arena *a, int64_t id, const char **leaf, struct error *e)
{
	static const char sql[] =
	    "SELECT id, at, actor, process_id, kind, object, before, after FROM audit WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	enum db_step r = db_step(st, e);
	if (r != DB_ROW) {
		db_reset(st);
		if (r == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("No audit entry %lld."), (long long)id);
		return -1;
	}
	json_t *o = json_object();
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "kind", json_string("audit"));
	json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(o, "at", json_integer(db_col_int(st, 1)));
	json_object_set_new(o, "actor", json_text_or_null(db_col_text(st, 2)));
	json_object_set_new(o, "process_id", db_col_null(st, 3) ? json_null() : json_integer(db_col_int(st, 3)));
	json_object_set_new(o, "type", json_text_or_null(db_col_text(st, 4)));
	json_object_set_new(o, "object", json_text_or_null(db_col_text(st, 5)));
	json_object_set_new(o, "before", json_text_or_null(db_col_text(st, 6)));
	json_object_set_new(o, "after", json_text_or_null(db_col_text(st, 7)));
	db_reset(st);
	if (!(*leaf = canonical(a, o))) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

/* The leaf of a fact, made from the database; salt: a contribution's (given). */
static int fact_leaf(struct db *db, struct arena *a, enum ledger_kind kind, int64_t fact_id,
                     const unsigned char salt[LEDGER_SALT_LEN], const char **leaf, struct error *e)
{
	switch (kind) {
	case LEDGER_AUDIT: return audit_leaf(db, a, fact_id, leaf, e);
	case LEDGER_CONTRIBUTION: {
		const char *json;
		int64_t call_id = 0, received_at = 0;
		if (contribution_canonical(db, a, fact_id, &json, &call_id, &received_at, e) != 0)
			return -1;
		if (!(*leaf = ledger_contribution_leaf(a, call_id, received_at, json, salt))) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		return 0;
	}
	}
	return -1;
}

/* The leaf of fact_id with a new salt (a contribution's), in a: 0 or -1 with e. */
static int fact_leaf_new(struct db *db, struct arena *a, enum ledger_kind kind, int64_t fact_id,
                         unsigned char salt[LEDGER_SALT_LEN], const char **leaf, struct error *e)
{
	randombytes_buf(salt, LEDGER_SALT_LEN);
	return fact_leaf(db, a, kind, fact_id, salt, leaf, e);
}

int ledger_append(struct db *db, enum ledger_kind kind, int64_t fact_id, int64_t *index, struct error *e)
{
	struct arena a;
	arena_init(&a);
	unsigned char salt[LEDGER_SALT_LEN];
	const char *leaf = NULL;
	int rc = fact_leaf_new(db, &a, kind, fact_id, salt, &leaf, e);
	if (rc == 0)
		rc = ledger_append_leaf(db, kind, fact_id, leaf, strlen(leaf),
		                        kind == LEDGER_CONTRIBUTION ? salt : NULL, index, e);
	arena_free(&a);
	return rc;
}

/* bench/ledger.sh's switch, compiled in a bench build only (-Dbench_switches=true): CONSULTA_BENCH_NO_LEDGER
 * makes the write path append no contribution's leaf, so that one run measures the write path with and without
 * the record. Never in a build that serves anyone: its receipts name leaves that do not exist. */
static bool bench_no_ledger(void)
{
#ifdef CONSULTA_BENCH_SWITCHES
	return getenv("CONSULTA_BENCH_NO_LEDGER") != NULL;
#else
	return false;
#endif
}

int ledger_contribution_ready(const struct ledger_contribution_facts *f, struct ledger_leaf_ready *out,
                              struct error *e)
{
	struct arena a;
	arena_init(&a);
	randombytes_buf(out->salt, LEDGER_SALT_LEN);
	const char *json = facts_json(&a, f, "[]", "[]");
	const char *leaf = json ? ledger_contribution_leaf(&a, f->call_id, f->received_at, json, out->salt) : NULL;
	if (leaf)
		ledger_leaf_hash(leaf, strlen(leaf), out->hash);
	else
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
	arena_free(&a);
	return leaf ? 0 : -1;
}

int ledger_batch_add_ready(struct db *db, struct ledger_batch *b, int64_t contribution_id,
                           const struct ledger_leaf_ready *r, int64_t *index, struct error *e)
{
	if (bench_no_ledger()) {
		if (index)
			*index = ledger_batch_size(b);
		return 0;
	}
	if (!b->started) {
		if (ledger_size(db, &b->size, e) != 0)
			return -1;
		b->started = true;
	}
	struct batch_leaf *l = arena_push(b->a, (void **)&b->leaves, &b->n, &b->cap, sizeof *b->leaves);
	if (!l) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	*l = (struct batch_leaf){.kind = LEDGER_CONTRIBUTION, .fact_id = contribution_id, .salted = true};
	memcpy(l->salt, r->salt, LEDGER_SALT_LEN);
	memcpy(l->hash, r->hash, LEDGER_HASH_LEN);
	if (index)
		*index = b->size + b->n - 1;
	return 0;
}

int ledger_batch_add_contribution(struct db *db, struct ledger_batch *b, int64_t contribution_id,
                                  const struct ledger_contribution_facts *f, int64_t *index, struct error *e)
{
	struct ledger_leaf_ready r = {0};
	if (!bench_no_ledger() && ledger_contribution_ready(f, &r, e) != 0)
		return -1;
	return ledger_batch_add_ready(db, b, contribution_id, &r, index, e);
}

int ledger_batch_add(struct db *db, struct ledger_batch *b, enum ledger_kind kind, int64_t fact_id, int64_t *index,
                     struct error *e)
{
	if (kind == LEDGER_CONTRIBUTION && bench_no_ledger()) {
		if (index)
			*index = ledger_batch_size(b);
		return 0;
	}
	struct arena a;
	arena_init(&a);
	unsigned char salt[LEDGER_SALT_LEN];
	const char *leaf = NULL;
	int rc = fact_leaf_new(db, &a, kind, fact_id, salt, &leaf, e);
	if (rc == 0)
		rc = ledger_batch_add_leaf(db, b, kind, fact_id, leaf, strlen(leaf),
		                           kind == LEDGER_CONTRIBUTION ? salt : NULL, index, e);
	arena_free(&a);
	return rc;
}

static int entry_read(struct db_stmt *st, enum ledger_kind kind, int64_t fact_id, struct ledger_entry *out,
                      struct error *e);

int ledger_find(struct db *db, enum ledger_kind kind, int64_t fact_id, struct ledger_entry *out, struct error *e)
{
	/* The tree's size read with it: one query for a receipt's leaf and its proof's link. */
	static const char sql[] = "SELECT idx, salt, leaf_hash, at, (SELECT MAX(idx) + 1 FROM ledger_leaf) "
	                          "FROM ledger_leaf WHERE kind = ? AND fact_id = ?";
	memset(out, 0, sizeof *out);
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, ledger_kind_name(kind));
	db_bind_int(st, 2, fact_id);
	return entry_read(st, kind, fact_id, out, e);
}

/* One leaf's row with the tree's size (ledger_find's and ledger_find_tracking's statements). */
static int entry_read(struct db_stmt *st, enum ledger_kind kind, int64_t fact_id, struct ledger_entry *out,
                      struct error *e)
{
	memset(out, 0, sizeof *out);
	enum db_step r = db_step(st, e);
	if (r == DB_ROW) {
		size_t n = 0;
		out->index = db_col_int(st, 0);
		out->kind = kind;
		out->fact_id = fact_id ? fact_id : db_col_int(st, 5);
		const void *p = db_col_blob(st, 1, &n);
		if (p && n == LEDGER_SALT_LEN) {
			memcpy(out->salt, p, n);
			out->salted = true;
		}
		p = db_col_blob(st, 2, &n);
		if (p && n == LEDGER_HASH_LEN)
			memcpy(out->leaf_hash, p, n);
		out->at = db_col_int(st, 3);
		out->size = db_col_int(st, 4);
	} else if (r == DB_DONE) {
		error_set(e, ERROR_NOT_FOUND, _("This fact has no leaf in the record."));
	}
	db_reset(st);
	return r == DB_ROW ? 0 : -1;
}

int ledger_find_tracking(struct db *db, const char *tracking, struct ledger_entry *out, struct error *e)
{
	static const char sql[] =
	    "SELECT l.idx, l.salt, l.leaf_hash, l.at, (SELECT MAX(idx) + 1 FROM ledger_leaf), c.id "
	    "FROM contribution c JOIN ledger_leaf l ON l.kind = 'contribution' AND l.fact_id = c.id "
	    "WHERE c.tracking = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, tracking);
	return entry_read(st, LEDGER_CONTRIBUTION, 0, out, e);
}

/* -- checkpoints -------------------------------------------------------- */

const char *ledger_base64(struct arena *a, const unsigned char *p, size_t n)
{
	const size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc(a, len);
	if (out)
		sodium_bin2base64(out, len, p, n, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

int ledger_unbase64(const char *s, unsigned char *out, size_t n)
{
	size_t got = 0;
	const char *end = NULL;
	if (!s || sodium_base642bin(out, n, s, strlen(s), NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return got == n && end && *end == '\0' ? 0 : -1;
}

int ledger_unhex(const char *s, unsigned char *out, size_t n)
{
	size_t got = 0;
	const char *end = NULL;
	if (!s || strlen(s) != 2 * n || sodium_hex2bin(out, n, s, strlen(s), NULL, &got, &end) != 0)
		return -1;
	return got == n ? 0 : -1;
}

const char *ledger_origin(struct arena *a)
{
	const char *url = config_get()->public_url;
	const char *p = strstr(url, "://");
	return arena_strdup(a, p ? p + 3 : url);
}

/* The key id of C2SP signed-note: SHA-256(name || "\n" || 0x01 || public key), its first 4 bytes. */
static void key_id(const char *name, const unsigned char pk[crypto_sign_PUBLICKEYBYTES], unsigned char id[4])
{
	crypto_hash_sha256_state s;
	unsigned char h[LEDGER_HASH_LEN];
	const unsigned char nl = '\n', type = 0x01;
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, (const unsigned char *)name, strlen(name));
	crypto_hash_sha256_update(&s, &nl, 1);
	crypto_hash_sha256_update(&s, &type, 1);
	crypto_hash_sha256_update(&s, pk, crypto_sign_PUBLICKEYBYTES);
	crypto_hash_sha256_final(&s, h);
	memcpy(id, h, 4);
}

/* The server's signing key, from its seed in server_secret. */
static int key_load(struct db *db, unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                    unsigned char sk[crypto_sign_SECRETKEYBYTES], struct error *e)
{
	static const char sql[] = "SELECT value FROM server_secret WHERE name = 'ledger'";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	enum db_step r = db_step(st, e);
	int rc = -1;
	unsigned char seed[crypto_sign_SEEDBYTES];
	size_t n = 0;
	if (r == DB_ROW) {
		const char *hex = db_col_text(st, 0);
		if (hex && sodium_hex2bin(seed, sizeof seed, hex, strlen(hex), NULL, &n, NULL) == 0 &&
		    n == sizeof seed) {
			crypto_sign_seed_keypair(pk, sk, seed);
			rc = 0;
		} else {
			error_set(e, ERROR_INTERNAL, "The record's signing key in server_secret is damaged.");
		}
	} else if (r == DB_DONE) {
		error_set(e, ERROR_UNAVAILABLE,
		          "The record has no signing key yet (it is made when the server starts).");
	}
	db_reset(st);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

int ledger_key_ensure(struct db *db, struct error *e)
{
	/* Two servers starting at once both insert; the first one's key is everyone's. Only when there is none
	 * (config_load_secrets() says why). */
	static const char sql[] =
	    "INSERT INTO server_secret (name, value) VALUES ('ledger', ?) ON CONFLICT (name) DO NOTHING";
	const int kept = db_any_row(db, "SELECT 1 FROM server_secret WHERE name = 'ledger'", e);
	if (kept != 0)
		return kept < 0 ? -1 : 0;
	unsigned char seed[crypto_sign_SEEDBYTES];
	char hex[2 * crypto_sign_SEEDBYTES + 1];
	randombytes_buf(seed, sizeof seed);
	sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
	sodium_memzero(seed, sizeof seed);
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, hex);
	int rc = db_exec_stmt(st, e);
	sodium_memzero(hex, sizeof hex);
	return rc;
}

int ledger_public_key(struct db *db, struct arena *a, const char **vkey, struct error *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	if (key_load(db, pk, sk, e) != 0)
		return -1;
	sodium_memzero(sk, sizeof sk);
	const char *origin = ledger_origin(a);
	unsigned char id[4], typed[1 + crypto_sign_PUBLICKEYBYTES];
	key_id(origin, pk, id);
	typed[0] = 0x01;
	memcpy(typed + 1, pk, sizeof pk);
	char idhex[9];
	sodium_bin2hex(idhex, sizeof idhex, id, sizeof id);
	*vkey = arena_printf(a, "%s+%s+%s", origin, idhex, ledger_base64(a, typed, sizeof typed));
	if (!*vkey) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

int ledger_checkpoint(struct db *db, struct arena *a, int64_t size, const char **note, int64_t *size_out,
                      struct error *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char root[LEDGER_HASH_LEN];
	int64_t have = 0;
	if (ledger_size(db, &have, e) != 0)
		return -1;
	if (size == 0)
		size = have;
	/* The empty tree's root is SHA-256 of nothing (RFC 9162 2.1.1). */
	if (size == 0)
		crypto_hash_sha256(root, NULL, 0);
	else if (ledger_root(db, size, root, e) != 0)
		return -1;
	if (key_load(db, pk, sk, e) != 0)
		return -1;
	const char *origin = ledger_origin(a);
	const char *body =
	    arena_printf(a, "%s\n%lld\n%s\n", origin, (long long)size, ledger_base64(a, root, sizeof root));
	if (!body) {
		sodium_memzero(sk, sizeof sk);
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	unsigned char sig[4 + crypto_sign_BYTES];
	key_id(origin, pk, sig);
	crypto_sign_detached(sig + 4, NULL, (const unsigned char *)body, strlen(body), sk);
	sodium_memzero(sk, sizeof sk);
	*note = arena_printf(a, "%s\n\xe2\x80\x94 %s %s\n", body, origin, ledger_base64(a, sig, sizeof sig));
	if (!*note) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (size_out)
		*size_out = size;
	return 0;
}

/* -- verifying ---------------------------------------------------------- */

bool ledger_verify_inclusion(int64_t index, int64_t size, const unsigned char leaf_hash[LEDGER_HASH_LEN],
                             const unsigned char (*proof)[LEDGER_HASH_LEN], int n,
                             const unsigned char root[LEDGER_HASH_LEN])
{
	if (index < 0 || index >= size)
		return false;
	uint64_t fn = (uint64_t)index, sn = (uint64_t)size - 1;
	unsigned char r[LEDGER_HASH_LEN];
	memcpy(r, leaf_hash, LEDGER_HASH_LEN);
	for (int i = 0; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ledger_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ledger_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, LEDGER_HASH_LEN) == 0;
}

bool ledger_verify_consistency(int64_t first, int64_t second, const unsigned char first_root[LEDGER_HASH_LEN],
                               const unsigned char second_root[LEDGER_HASH_LEN],
                               const unsigned char (*proof)[LEDGER_HASH_LEN], int n)
{
	if (first < 1 || first > second)
		return false;
	if (first == second)
		return n == 0 && sodium_memcmp(first_root, second_root, LEDGER_HASH_LEN) == 0;
	if (n < 1 || n > PROOF_MAX)
		return false;
	/* 2.1.4.2: a first tree that is a power of two is a node of the second; its root starts the path. */
	const unsigned char(*path)[LEDGER_HASH_LEN] = proof;
	int count = n, start = 0;
	unsigned char with_first[PROOF_MAX + 1][LEDGER_HASH_LEN];
	if (power_of_two(first)) {
		memcpy(with_first[0], first_root, LEDGER_HASH_LEN);
		memcpy(with_first[1], proof, (size_t)n * LEDGER_HASH_LEN);
		path = (const unsigned char(*)[LEDGER_HASH_LEN])with_first;
		count = n + 1;
	}
	uint64_t fn = (uint64_t)first - 1, sn = (uint64_t)second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	unsigned char fr[LEDGER_HASH_LEN], sr[LEDGER_HASH_LEN];
	memcpy(fr, path[start], LEDGER_HASH_LEN);
	memcpy(sr, path[start], LEDGER_HASH_LEN);
	for (int i = start + 1; i < count; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ledger_node_hash(path[i], fr, fr);
			ledger_node_hash(path[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ledger_node_hash(sr, path[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, first_root, LEDGER_HASH_LEN) == 0 &&
	       sodium_memcmp(sr, second_root, LEDGER_HASH_LEN) == 0;
}

int ledger_note_open(struct arena *a, const char *note, const char *vkey, const char **origin, int64_t *size,
                     unsigned char root[LEDGER_HASH_LEN], struct error *e)
{
	/* The verifier key: NAME+KEYID+BASE64(0x01 || key). */
	/* A name holds no '+' (c2sp.org/signed-note); the base64 after the key id may. */
	const char *plus1 = vkey ? strchr(vkey, '+') : NULL;
	const char *plus2 = plus1 && strlen(plus1) > 9 ? plus1 + 9 : NULL;
	unsigned char typed[1 + crypto_sign_PUBLICKEYBYTES];
	if (!plus1 || plus1 == vkey || !plus2 || *plus2 != '+' ||
	    ledger_unbase64(field_trimmed(a, plus2 + 1), typed, sizeof typed) != 0 || typed[0] != 0x01) {
		error_set(e, ERROR_INVALID, "The key is not a signed-note verifier key (NAME+KEYID+BASE64).");
		return -1;
	}
	const char *name = arena_strndup(a, vkey, (size_t)(plus1 - vkey));
	unsigned char id[4];
	key_id(name, typed + 1, id);
	char idhex[9];
	sodium_bin2hex(idhex, sizeof idhex, id, sizeof id);
	if (strncmp(plus1 + 1, idhex, 8)) {
		error_set(e, ERROR_INVALID, "The key's id does not match its name and key.");
		return -1;
	}
	/* The note: its text up to the blank line, then signature lines. */
	const char *blank = note ? strstr(note, "\n\n") : NULL;
	if (!blank) {
		error_set(e, ERROR_INVALID, "The checkpoint has no signature (no blank line after its text).");
		return -1;
	}
	const size_t body_len = (size_t)(blank - note) + 1;
	bool signed_ok = false;
	const char *dash = "\xe2\x80\x94 ";
	for (const char *line = blank + 2; *line && !signed_ok;) {
		const char *end = strchr(line, '\n');
		if (!end)
			break;
		const size_t namelen = strlen(name);
		if (!strncmp(line, dash, 4) && !strncmp(line + 4, name, namelen) && line[4 + namelen] == ' ') {
			const char *b64 =
			    arena_strndup(a, line + 5 + namelen, (size_t)(end - line - 5 - (ptrdiff_t)namelen));
			unsigned char sig[4 + crypto_sign_BYTES];
			if (b64 && ledger_unbase64(b64, sig, sizeof sig) == 0 && !memcmp(sig, id, 4) &&
			    crypto_sign_verify_detached(sig + 4, (const unsigned char *)note, body_len, typed + 1) == 0)
				signed_ok = true;
		}
		line = end + 1;
	}
	if (!signed_ok) {
		error_set(e, ERROR_INVALID, "The checkpoint is not signed by this key (or its signature is wrong).");
		return -1;
	}
	/* Its first three lines: origin, size, root. */
	const char *l1 = note, *n1 = memchr(l1, '\n', body_len);
	const char *l2 = n1 ? n1 + 1 : NULL, *n2 = l2 ? strchr(l2, '\n') : NULL;
	const char *l3 = n2 ? n2 + 1 : NULL, *n3 = l3 ? strchr(l3, '\n') : NULL;
	if (!n3 || n3 > blank) {
		error_set(e, ERROR_INVALID, "The checkpoint's text does not have its three lines.");
		return -1;
	}
	*origin = arena_strndup(a, l1, (size_t)(n1 - l1));
	const char *sz = arena_strndup(a, l2, (size_t)(n2 - l2));
	char *endp = NULL;
	long long v = sz && *sz >= '0' && *sz <= '9' ? strtoll(sz, &endp, 10) : -1;
	if (v < 0 || !endp || *endp ||
	    ledger_unbase64(arena_strndup(a, l3, (size_t)(n3 - l3)), root, LEDGER_HASH_LEN) != 0) {
		error_set(e, ERROR_INVALID, "The checkpoint's size or root hash cannot be read.");
		return -1;
	}
	*size = v;
	return 0;
}

/* -- the whole check ---------------------------------------------------- */

static void say(void (*report)(void *, const char *), void *arg, struct arena *a, const char *line)
{
	if (report)
		report(arg, line ? line : "(out of memory)");
	(void)a;
}

int ledger_verify_all(struct db *db, void (*report)(void *arg, const char *line), void *arg, int64_t *leaves,
                      int64_t *differences, struct error *e)
{
	static const char sql_nodes[] = "SELECT COUNT(*) FROM ledger_node WHERE level >= 3"; /* STORED_FROM */
	static const char sql_missing[] =
	    "SELECT COUNT(*) FROM contribution c WHERE c.id > (SELECT MIN(fact_id) FROM ledger_leaf "
	    "WHERE kind = 'contribution') AND NOT EXISTS (SELECT 1 FROM ledger_leaf l WHERE l.kind = 'contribution' "
	    "AND l.fact_id = c.id)";
	*leaves = 0;
	*differences = 0;
	/* One read transaction: the leaves and the nodes seen at one instant. */
	if (db_read_begin(db, e) != 0)
		return -1;
	/* A second connection would be needed to read each fact while the leaves' statement steps on SQLite: the
	 * leaves are read in pages instead. */
	struct db_stmt *st;
	unsigned char stack[64][LEDGER_HASH_LEN];
	int64_t expected_nodes = 0;
	int64_t next = 0;
	struct arena a;
	arena_init(&a);
	int rc = -1;
	enum { PAGE = 1024 };
	static const char sql_page[] = "SELECT idx, kind, fact_id, salt, leaf_hash FROM ledger_leaf WHERE idx >= ? "
	                               "ORDER BY idx LIMIT ?";
	for (;;) {
		struct row {
			int64_t idx, fact_id;
			enum ledger_kind kind;
			bool kind_ok, salted;
			unsigned char salt[LEDGER_SALT_LEN], hash[LEDGER_HASH_LEN];
		} rows[PAGE];
		int n = 0;
		if (!(st = db_stmt(db, sql_page, e)))
			goto done;
		db_bind_int(st, 1, next);
		db_bind_int(st, 2, PAGE);
		enum db_step r;
		while ((r = db_step(st, e)) == DB_ROW) {
			struct row *x = &rows[n++];
			size_t len = 0;
			x->idx = db_col_int(st, 0);
			x->kind_ok = ledger_kind_parse(db_col_text(st, 1), &x->kind);
			x->fact_id = db_col_int(st, 2);
			const void *p = db_col_blob(st, 3, &len);
			x->salted = p && len == LEDGER_SALT_LEN;
			if (x->salted)
				memcpy(x->salt, p, LEDGER_SALT_LEN);
			p = db_col_blob(st, 4, &len);
			memset(x->hash, 0, LEDGER_HASH_LEN);
			if (p && len == LEDGER_HASH_LEN)
				memcpy(x->hash, p, LEDGER_HASH_LEN);
		}
		if (r == DB_FAIL)
			goto done;
		for (int i = 0; i < n; i++) {
			struct row *x = &rows[i];
			if (x->idx != next) {
				say(report, arg, &a,
				    arena_printf(&a, "leaf %lld is missing (the next leaf is %lld)", (long long)next,
				                 (long long)x->idx));
				++*differences;
				goto done_ok; /* the tree's shape is lost from here: stop */
			}
			unsigned char h[LEDGER_HASH_LEN];
			const char *leaf = NULL;
			struct error fe;
			error_clear(&fe);
			if (!x->kind_ok) {
				say(report, arg, &a, arena_printf(&a, "leaf %lld: unknown kind", (long long)x->idx));
				++*differences;
			} else if (x->kind == LEDGER_CONTRIBUTION && !x->salted) {
				say(report, arg, &a,
				    arena_printf(&a, "leaf %lld: contribution %lld has no salt", (long long)x->idx,
				                 (long long)x->fact_id));
				++*differences;
			} else if (fact_leaf(db, &a, x->kind, x->fact_id, x->salt, &leaf, &fe) != 0) {
				say(report, arg, &a,
				    arena_printf(&a, "leaf %lld: %s %lld cannot be read: %s", (long long)x->idx,
				                 ledger_kind_name(x->kind), (long long)x->fact_id, fe.message));
				++*differences;
			} else {
				ledger_leaf_hash(leaf, strlen(leaf), h);
				if (sodium_memcmp(h, x->hash, LEDGER_HASH_LEN) != 0) {
					say(report, arg, &a,
					    arena_printf(&a, "leaf %lld: %s %lld differs from its leaf",
					                 (long long)x->idx, ledger_kind_name(x->kind),
					                 (long long)x->fact_id));
					++*differences;
				}
			}
			/* The subtrees this leaf completes, made from the stored leaf hashes, against the stored nodes.
			 */
			unsigned char cur[LEDGER_HASH_LEN];
			memcpy(cur, x->hash, LEDGER_HASH_LEN);
			int level = 0;
			for (int64_t j = x->idx; j & 1; j >>= 1) {
				ledger_node_hash(stack[level], cur, cur);
				level++;
				if (level < STORED_FROM)
					continue; /* not stored: made from these leaves whenever it is asked for */
				expected_nodes++;
				unsigned char stored[LEDGER_HASH_LEN];
				struct error ne;
				error_clear(&ne);
				if (node_get(db, level, j >> 1, stored, &ne) != 0 ||
				    sodium_memcmp(stored, cur, LEDGER_HASH_LEN) != 0) {
					say(report, arg, &a,
					    arena_printf(&a, "subtree %d/%lld differs from its leaves", level,
					                 (long long)(j >> 1)));
					++*differences;
				}
			}
			/* stack[level] holds the newest complete subtree of each height still waiting for a right
			 * sibling */
			memcpy(stack[level], cur, LEDGER_HASH_LEN);
			next++;
			arena_free(&a);
			arena_init(&a);
		}
		if (n < PAGE)
			break;
	}
done_ok:
	if (!(st = db_stmt(db, sql_nodes, e)))
		goto done;
	if (db_step(st, e) == DB_ROW && db_col_int(st, 0) != expected_nodes) {
		say(report, arg, &a,
		    arena_printf(&a, "the record holds %lld subtrees where its leaves make %lld",
		                 (long long)db_col_int(st, 0), (long long)expected_nodes));
		++*differences;
	}
	db_reset(st);
	if (!(st = db_stmt(db, sql_missing, e)))
		goto done;
	if (db_step(st, e) == DB_ROW && db_col_int(st, 0) > 0) {
		say(report, arg, &a,
		    arena_printf(&a, "%lld contributions received since the record began have no leaf",
		                 (long long)db_col_int(st, 0)));
		*differences += db_col_int(st, 0);
	}
	db_reset(st);
	*leaves = next;
	rc = e->code ? -1 : 0;
done:
	arena_free(&a);
	db_read_end(db);
	return rc;
}
