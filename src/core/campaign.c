/* campaign — see campaign.h. */
#include "core/campaign.h"

#include "util/log.h"
#include "util/utf8.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The SipHash key of the word and text hashes: public and fixed, since a campaign is recognised by comparing
 * with texts hashed long before (it guards nothing; a collision is checked by the signatures). */
static const unsigned char HASH_KEY[crypto_shorthash_KEYBYTES] = {'c', 'o', 'n', 's', 'u', 'l', 't', 'a',
                                                                  'c', 'a', 'm', 'p', 'a', 'i', 'g', 'n'};

/* SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection of 64-bit words that mixes every bit. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	unsigned char out[crypto_shorthash_BYTES];
	crypto_shorthash(out, (const unsigned char *)p, n, HASH_KEY);
	uint64_t h = 0;
	for (size_t i = 0; i < crypto_shorthash_BYTES; i++)
		h = h << 8 | out[i];
	return h;
}

/* -- the words of a text --------------------------------------------------- */

enum cp_class { CP_IGNORED, CP_SPACE, CP_NEWLINE, CP_PUNCT, CP_SINGLE, CP_LETTER };

/* Simple case folding for the scripts most consultations write in; other letters stay as they are. */
static unsigned fold(unsigned c)
{
	if (c >= 0xFF01 && c <= 0xFF5E) /* full-width ASCII */
		c -= 0xFEE0;
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if (c == 0x130)
		return 'i';
	if ((c >= 0x100 && c < 0x138 && c != 0x131) || (c >= 0x14A && c < 0x178))
		return c | 1;
	if ((c >= 0x139 && c < 0x149) || (c >= 0x179 && c < 0x17F))
		return c & 1 ? c + 1 : c;
	if (c == 0x178)
		return 0xFF;
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 32;
	if (c == 0x3C2) /* final sigma */
		return 0x3C3;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

static enum cp_class classify(unsigned c)
{
	if (c == '\n')
		return CP_NEWLINE;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000)
		return CP_SPACE;
	if (c == 0xAD || c == 0x200B || c == 0x200C || c == 0x200D || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF ||
	    (c >= 0xFE00 && c <= 0xFE0F))
		return CP_IGNORED;
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? CP_LETTER : c < 0x20 ? CP_SPACE : CP_PUNCT;
	if ((c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2010 && c <= 0x205E) ||
	    (c >= 0x3001 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF5F && c <= 0xFF65) || c == 0x30FB)
		return CP_PUNCT;
	if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F) || (c >= 0x20000 && c <= 0x3FFFF))
		return CP_SINGLE;
	return CP_LETTER;
}

struct word {
	size_t at, len; /* in the folded buffer */
	int line;
	char after; /* the first punctuation after it (ASCII), 0 if none */
};

struct words {
	char *buf; /* the folded words, each NUL-terminated */
	struct word *w;
	int n;
	int from, to; /* the body: greeting and closing set aside */
};

/* Splits text into folded words; false when memory runs out. */
static bool split(struct arena *a, const char *text, struct words *out)
{
	size_t len = strlen(text);
	/* folding never makes a character longer than 4 bytes, and adds at most one NUL per character */
	out->buf = arena_alloc(a, len * 2 + 1);
	out->w = arena_alloc(a, sizeof *out->w * (len + 1));
	if (!out->buf || !out->w)
		return false;
	out->n = 0;
	size_t j = 0;
	int line = 0;
	bool in_word = false;
	const char *p = text;
	for (unsigned c; (c = utf8_next(&p)) != 0;) {
		c = fold(c);
		enum cp_class k = classify(c);
		if (k == CP_IGNORED)
			continue;
		if (in_word && k != CP_LETTER) {
			out->buf[j++] = '\0';
			in_word = false;
		}
		if (k == CP_NEWLINE)
			line++;
		if (k == CP_PUNCT && out->n > 0 && !out->w[out->n - 1].after && c < 0x80)
			out->w[out->n - 1].after = (char)c;
		if (k != CP_LETTER && k != CP_SINGLE)
			continue;
		if (!in_word) {
			out->w[out->n++] = (struct word){.at = j, .line = line};
			in_word = k == CP_LETTER;
		}
		size_t l = utf8_put(out->buf + j, c);
		j += l;
		out->w[out->n - 1].len += l;
		if (k == CP_SINGLE)
			out->buf[j++] = '\0';
	}
	if (in_word)
		out->buf[j++] = '\0';
	out->buf[j] = '\0';
	out->from = 0;
	out->to = out->n;
	return true;
}

static bool word_is(const struct words *ws, int i, const char *s)
{
	return i >= 0 && i < ws->n && !strcmp(ws->buf + ws->w[i].at, s);
}

static bool word_in(const struct words *ws, int i, const char *const *list)
{
	for (; *list; list++)
		if (word_is(ws, i, *list))
			return true;
	return false;
}

/* Words that open a letter's salutation, in the languages consultations mostly arrive in. */
static const char *const SALUTATIONS[] = {
    "dear",    "hello",    "hi",       "hey",       "greetings", "attn",      "attention", "madam",     "sir",
    "sirs",    "chers",    "cher",     "chère",     "chere",     "madame",    "monsieur",  "mesdames",  "messieurs",
    "bonjour", "estimado", "estimada", "estimados", "estimadas", "querido",   "querida",   "sehr",      "liebe",
    "lieber",  "geachte",  "egregio",  "gentile",   "gentili",   "уважаемый", "уважаемая", "уважаемые", NULL};
/* Words that open a closing formula on their own ... */
static const char *const CLOSINGS[] = {
    "sincerely",    "regards",          "respectfully", "cordially",   "yours",       "cheers",
    "thanks",       "warmly",           "cordialement", "salutations", "saludos",     "atentamente",
    "sinceramente", "hochachtungsvoll", "distinti",     "sincerement", "sincèrement", NULL};
/* ... and words that do so when the next word is one of these */
static const char *const CLOSING_PAIRS[][2] = {
    {"thank", "you"},   {"best", "regards"},     {"best", "wishes"}, {"kind", "regards"}, {"warm", "regards"},
    {"with", "kind"},   {"with", "best"},        {"with", "warm"},   {"with", "regards"}, {"with", "thanks"},
    {"many", "thanks"}, {"mit", "freundlichen"}, {"best", NULL},
};

static bool closing_at(const struct words *ws, int i)
{
	if (word_in(ws, i, CLOSINGS))
		return true;
	for (size_t k = 0; k < sizeof CLOSING_PAIRS / sizeof *CLOSING_PAIRS; k++)
		if (word_is(ws, i, CLOSING_PAIRS[k][0]) &&
		    (!CLOSING_PAIRS[k][1] ? ws->w[i].after == ',' : word_is(ws, i + 1, CLOSING_PAIRS[k][1])))
			return true;
	return false;
}

static bool sentence_end(char c)
{
	return c == '.' || c == '!' || c == '?';
}

/* Sets ws->from and ws->to past a mail-merge greeting and before a closing and signature. The rules are
 * about shape, not about any one campaign: a greeting is the opening words up to the first comma or colon
 * (or the end of the first line) within 8 words when the first word is a salutation, or a first line of at
 * most 6 words ending with a comma or a colon; a closing starts at a closing formula among the last 20 words that
 * begins a line or a sentence, and runs to the end; without one, a last line of at most 4 words that ends
 * with no full stop is a bare signature. The body keeps at least one word. */
static void trim_letter(struct words *ws)
{
	const struct word *w = ws->w;
	const int n = ws->n;
	if (n < 2)
		return;
	if (word_in(ws, 0, SALUTATIONS)) {
		for (int k = 0; k < 8 && k < n - 1; k++)
			if (w[k].after == ',' || w[k].after == ':' || w[k + 1].line != w[0].line) {
				ws->from = k + 1;
				break;
			}
	} else {
		int k = 0;
		while (k + 1 < n && w[k + 1].line == w[0].line)
			k++;
		if (k < 6 && k + 1 < n && (w[k].after == ',' || w[k].after == ':'))
			ws->from = k + 1;
	}
	for (int k = n - 20 > ws->from + 1 ? n - 20 : ws->from + 1; k < n; k++)
		if (closing_at(ws, k) && (w[k].line != w[k - 1].line || sentence_end(w[k - 1].after))) {
			ws->to = k;
			return;
		}
	int k = n - 1;
	while (k > ws->from && w[k - 1].line == w[n - 1].line)
		k--;
	if (k > ws->from && n - k <= 4 && w[k].line != w[k - 1].line && !sentence_end(w[n - 1].after))
		ws->to = k;
}

static bool words_of(struct arena *a, const char *text, struct words *ws)
{
	if (!split(a, text, ws))
		return false;
	trim_letter(ws);
	return true;
}

/* The body's words joined by single spaces; NULL when memory runs out. */
static char *joined(struct arena *a, const struct words *ws)
{
	size_t len = 0;
	for (int i = ws->from; i < ws->to; i++)
		len += ws->w[i].len + 1;
	char *out = arena_alloc(a, len + 1);
	if (!out)
		return NULL;
	size_t j = 0;
	for (int i = ws->from; i < ws->to; i++) {
		if (j)
			out[j++] = ' ';
		memcpy(out + j, ws->buf + ws->w[i].at, ws->w[i].len);
		j += ws->w[i].len;
	}
	out[j] = '\0';
	return out;
}

char *campaign_normalize(struct arena *a, const char *text)
{
	struct words ws;
	return words_of(a, text, &ws) ? joined(a, &ws) : NULL;
}

/* -- fingerprints ---------------------------------------------------------- */

int campaign_shape_of(struct arena *a, const char *text, struct campaign_shape *out)
{
	memset(out->minhash, 0xff, sizeof out->minhash);
	out->words = 0;
	out->exact = 0;
	struct words ws;
	const char *norm;
	if (!words_of(a, text, &ws) || !(norm = joined(a, &ws)))
		return -1;
	const int n = ws.to - ws.from;
	out->words = n;
	out->exact = (int64_t)(hash_bytes(norm, strlen(norm)) & INT64_MAX);
	if (n == 0)
		return 0;
	uint64_t *th = arena_alloc(a, sizeof *th * (size_t)n);
	if (!th)
		return -1;
	for (int i = 0; i < n; i++)
		th[i] = hash_bytes(ws.buf + ws.w[ws.from + i].at, ws.w[ws.from + i].len);
	const int span = n < CAMPAIGN_SHINGLE ? n : CAMPAIGN_SHINGLE;
	for (int i = 0; i + span <= n; i++) {
		uint64_t sh = th[i];
		for (int k = 1; k < span; k++)
			sh = mix64(sh) ^ th[i + k];
		sh = mix64(sh);
		/* permutation p is x -> mix64(x ^ constant_p): one 64-bit hash per shingle, 64 cheap mixes */
		for (int p = 0; p < CAMPAIGN_HASHES; p++) {
			const uint32_t v = (uint32_t)(mix64(sh ^ ((uint64_t)(p + 1) * 0x9E3779B97F4A7C15u)) >> 32);
			if (v < out->minhash[p])
				out->minhash[p] = v;
		}
	}
	return 0;
}

double campaign_similarity(const struct campaign_shape *x, const struct campaign_shape *y)
{
	int same = 0;
	for (int p = 0; p < CAMPAIGN_HASHES; p++)
		same += x->minhash[p] == y->minhash[p];
	return (double)same / CAMPAIGN_HASHES;
}

static int64_t band_key(const struct campaign_shape *s, int band)
{
	uint64_t h = mix64((uint64_t)band + 1);
	for (int r = 0; r < CAMPAIGN_ROWS; r++)
		h = mix64(h ^ s->minhash[band * CAMPAIGN_ROWS + r]);
	return (int64_t)(h & INT64_MAX);
}

char *campaign_text(struct arena *a, const char *text, const struct comment_input *comments, int n)
{
	char *out = arena_strdup(a, text ? text : "");
	for (int i = 0; out && i < n; i++)
		out = arena_printf(a, "%s\n%s\n%s", out, comments[i].comment ? comments[i].comment : "",
		                   comments[i].proposed_change ? comments[i].proposed_change : "");
	return out;
}

/* -- assignment ------------------------------------------------------------ */

/* The signature as stored: CAMPAIGN_HASHES values, 4 bytes each, big-endian. */
static void pack(const struct campaign_shape *s, unsigned char *b)
{
	for (int p = 0; p < CAMPAIGN_HASHES; p++)
		for (int k = 0; k < 4; k++)
			b[p * 4 + k] = (unsigned char)(s->minhash[p] >> (24 - 8 * k));
}

static bool unpack(const void *blob, size_t n, struct campaign_shape *s)
{
	const unsigned char *b = blob;
	if (!b || n != CAMPAIGN_HASHES * 4)
		return false;
	for (int p = 0; p < CAMPAIGN_HASHES; p++)
		s->minhash[p] = (uint32_t)b[p * 4] << 24 | (uint32_t)b[p * 4 + 1] << 16 | (uint32_t)b[p * 4 + 2] << 8 |
		                b[p * 4 + 3];
	return true;
}

/* -- what one write transaction has read: the memo ------------------------------ */

/*
 * A pass or a rebuild assigns hundreds or thousands of contributions in one write transaction, and most of
 * them look up the same rows: a campaign's members all find its first text by the exact hash, the same few
 * buckets of the bands and the same few candidates' signatures. The memo keeps what the transaction read
 * and wrote of those rows, so that each is read once. It holds for one write transaction only (memo_forget
 * at its end): no other writer can change these rows meanwhile (SQLite's write lock; on PostgreSQL the
 * write transaction's advisory lock), and every change this transaction makes to them goes through the memo
 * too (memo_*_wrote below). Each table is a fixed array, probed a few slots from its key's hash; when those
 * are taken, the home slot is overwritten, so the memo never grows and a miss only costs the read.
 */
enum { MEMO_SHAPES = 1 << 13, MEMO_KEYS = 1 << 14, MEMO_PROBES = 8 };

struct memo_shape {
	unsigned gen; /* the slot is used when gen is the memo's */
	int64_t id, campaign;
	bool has; /* false: the contribution has no signature */
	uint32_t minhash[CAMPAIGN_HASHES];
};

/* An exact hash's first text (id 0: none), or a bucket's first CAMPAIGN_BUCKET_PEEK texts. */
struct memo_key {
	unsigned gen;
	int64_t call_id, band, key; /* band -1: an exact hash (key) */
	int n;
	int64_t ids[CAMPAIGN_BUCKET_PEEK];
};

struct memo {
	unsigned gen;
	struct memo_shape shapes[MEMO_SHAPES];
	struct memo_key keys[MEMO_KEYS];
};

static struct memo *memo_new(void)
{
	struct memo *m = calloc(1, sizeof *m);
	if (m)
		m->gen = 1;
	return m;
}

/* The transaction ended (committed or not): nothing in the memo holds any longer. */
static void memo_forget(struct memo *m)
{
	if (m && ++m->gen == 0) { /* after 2^32 transactions, slots from the first could look used again */
		memset(m->shapes, 0, sizeof m->shapes);
		memset(m->keys, 0, sizeof m->keys);
		m->gen = 1;
	}
}

static struct memo_shape *memo_shape_slot(struct memo *m, int64_t id, bool make)
{
	const size_t home = mix64((uint64_t)id) & (MEMO_SHAPES - 1);
	for (size_t i = 0; i < MEMO_PROBES; i++) {
		struct memo_shape *s = &m->shapes[(home + i) & (MEMO_SHAPES - 1)];
		if (s->gen == m->gen && s->id == id)
			return s;
		if (s->gen != m->gen)
			return make ? s : NULL;
	}
	return make ? &m->shapes[home] : NULL;
}

static struct memo_key *memo_key_slot(struct memo *m, int64_t call_id, int64_t band, int64_t key, bool make)
{
	const size_t home = mix64(mix64((uint64_t)call_id) ^ (uint64_t)band ^ (uint64_t)key << 5) & (MEMO_KEYS - 1);
	for (size_t i = 0; i < MEMO_PROBES; i++) {
		struct memo_key *k = &m->keys[(home + i) & (MEMO_KEYS - 1)];
		if (k->gen == m->gen && k->call_id == call_id && k->band == band && k->key == key)
			return k;
		if (k->gen != m->gen)
			return make ? k : NULL;
	}
	return make ? &m->keys[home] : NULL;
}

/* A contribution's signature as read (has: it has one) or as this transaction inserted it. */
static void memo_shape_put(struct memo *m, int64_t id, bool has, const struct campaign_shape *s, int64_t campaign)
{
	struct memo_shape *slot = m ? memo_shape_slot(m, id, true) : NULL;
	if (!slot)
		return;
	slot->gen = m->gen;
	slot->id = id;
	slot->has = has;
	slot->campaign = campaign;
	if (has)
		memcpy(slot->minhash, s->minhash, sizeof slot->minhash);
}

/* This transaction put contribution id in campaign. */
static void memo_campaign_wrote(struct memo *m, int64_t id, int64_t campaign)
{
	struct memo_shape *slot = m ? memo_shape_slot(m, id, false) : NULL;
	if (slot)
		slot->campaign = campaign;
}

/* This transaction moved every member of campaign gone into keep. */
static void memo_merge_wrote(struct memo *m, int64_t keep, int64_t gone)
{
	for (size_t i = 0; m && i < MEMO_SHAPES; i++)
		if (m->shapes[i].gen == m->gen && m->shapes[i].campaign == gone)
			m->shapes[i].campaign = keep;
}

static void memo_key_put(struct memo *m, int64_t call_id, int64_t band, int64_t key, const int64_t *ids, int n)
{
	struct memo_key *slot = m ? memo_key_slot(m, call_id, band, key, true) : NULL;
	if (!slot)
		return;
	slot->gen = m->gen;
	slot->call_id = call_id;
	slot->band = band;
	slot->key = key;
	slot->n = n;
	memcpy(slot->ids, ids, sizeof *ids * (size_t)n);
}

/* This transaction inserted contribution id under (band, key) (band -1: its exact hash key). The rows are
 * read in the order of their ids, and a new one has the largest: it is first only of an empty key, and
 * within a bucket's first few only when there are fewer. */
static void memo_key_wrote(struct memo *m, int64_t call_id, int64_t band, int64_t key, int64_t id)
{
	struct memo_key *slot = m ? memo_key_slot(m, call_id, band, key, false) : NULL;
	const int room = band < 0 ? 1 : CAMPAIGN_BUCKET_PEEK;
	if (!slot || slot->n >= room)
		return;
	if (slot->n > 0 && slot->ids[slot->n - 1] > id) { /* not the largest after all: read it again */
		slot->gen = 0;
		return;
	}
	slot->ids[slot->n++] = id;
}

/* Puts contribution id in the campaign of other (other_campaign, 0 if it has none yet: then made, with
 * other as its representative). */
static int join(struct db *db, struct memo *m, int64_t id, int64_t received_at, int64_t other, int64_t other_campaign,
                int64_t *campaign_id, struct error *e)
{
	/* published counts the members the public sees (PUBLIC below), kept as they join and are moderated */
	static const char sql_new[] =
	    "INSERT INTO campaign (call_id, representative_id, members, published, first_at, last_at) "
	    "SELECT call_id, id, 1, CASE WHEN state = 'published' AND publication <> 'private' THEN 1 ELSE 0 END, "
	    "received_at, received_at FROM contribution WHERE id = ? RETURNING id";
	static const char sql_grow[] = "UPDATE campaign SET members = members + 1, published = published + "
	                               "(SELECT CASE WHEN k.state = 'published' AND k.publication <> 'private' THEN 1 "
	                               "ELSE 0 END FROM contribution k WHERE k.id = ?3), "
	                               "first_at = CASE WHEN first_at > ?2 THEN ?2 ELSE first_at END, "
	                               "last_at = CASE WHEN last_at < ?2 THEN ?2 ELSE last_at END WHERE id = ?1";
	static const char sql_member[] = "UPDATE contribution SET campaign_id = ? WHERE id = ?";
	struct db_stmt *st;
	if (!other_campaign) {
		if (!(st = db_stmt(db, sql_new, e)))
			return -1;
		db_bind_int(st, 1, other);
		if (db_insert_id(st, &other_campaign, e) != 0)
			return -1;
		if (!(st = db_stmt(db, sql_member, e)))
			return -1;
		db_bind_int(st, 1, other_campaign);
		db_bind_int(st, 2, other);
		if (db_exec_stmt(st, e) != 0)
			return -1;
		memo_campaign_wrote(m, other, other_campaign);
	}
	if (!(st = db_stmt(db, sql_grow, e)))
		return -1;
	db_bind_int(st, 1, other_campaign);
	db_bind_int(st, 2, received_at);
	db_bind_int(st, 3, id);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_member, e)))
		return -1;
	db_bind_int(st, 1, other_campaign);
	db_bind_int(st, 2, id);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	memo_campaign_wrote(m, id, other_campaign);
	*campaign_id = other_campaign;
	return 0;
}

/* Reads candidate id's signature and campaign: 1, 0 when it has no signature, -1. */
static int read_shape(struct db *db, struct memo *m, int64_t id, struct campaign_shape *s, int64_t *campaign,
                      struct error *e)
{
	const struct memo_shape *kept = m ? memo_shape_slot(m, id, false) : NULL;
	if (kept) {
		*campaign = kept->campaign;
		if (kept->has)
			memcpy(s->minhash, kept->minhash, sizeof s->minhash);
		return kept->has ? 1 : 0;
	}
	static const char sql[] = "SELECT s.minhash, c.campaign_id FROM campaign_shape s "
	                          "JOIN contribution c ON c.id = s.contribution_id WHERE s.contribution_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	enum db_step r = db_step(st, e);
	if (r != DB_ROW) {
		if (r == DB_DONE) /* no signature: an exact duplicate; its campaign is not needed then */
			memo_shape_put(m, id, false, s, 0);
		return r == DB_DONE ? 0 : -1;
	}
	size_t n;
	const void *b = db_col_blob(st, 0, &n);
	bool ok = unpack(b, n, s);
	*campaign = db_col_null(st, 1) ? 0 : db_col_int(st, 1);
	db_reset(st);
	memo_shape_put(m, id, ok, s, *campaign);
	return ok ? 1 : 0;
}

/* A candidate of the bands: its campaign (0: none yet) and its similarity to the new text. */
struct near {
	int64_t id, campaign;
	double sim;
};

/* A campaign's count, 0 when unknown. */
static int campaign_members(struct db *db, int64_t campaign, int64_t *members, struct error *e)
{
	return db_int_of(db, "SELECT members FROM campaign WHERE id = ?", campaign, members, e);
}

/* Moves every member of campaign gone into keep (both of one call), and forgets gone. */
static int merge(struct db *db, struct memo *m, int64_t keep, int64_t gone, struct error *e)
{
	static const char sql_grow[] =
	    "UPDATE campaign SET members = members + (SELECT g.members FROM campaign g WHERE g.id = ?2), "
	    "published = published + (SELECT g.published FROM campaign g WHERE g.id = ?2), "
	    "first_at = CASE WHEN first_at > (SELECT g.first_at FROM campaign g WHERE g.id = ?2) "
	    "THEN (SELECT g.first_at FROM campaign g WHERE g.id = ?2) ELSE first_at END, "
	    "last_at = CASE WHEN last_at < (SELECT g.last_at FROM campaign g WHERE g.id = ?2) "
	    "THEN (SELECT g.last_at FROM campaign g WHERE g.id = ?2) ELSE last_at END WHERE id = ?1";
	static const char sql_move[] = "UPDATE contribution SET campaign_id = ?1 WHERE campaign_id = ?2";
	static const char sql_gone[] = "DELETE FROM campaign WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql_grow, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, keep);
	db_bind_int(st, 2, gone);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_move, e)))
		return -1;
	db_bind_int(st, 1, keep);
	db_bind_int(st, 2, gone);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_gone, e)))
		return -1;
	db_bind_int(st, 1, gone);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	memo_merge_wrote(m, keep, gone);
	return 0;
}

/* Puts contribution id in the campaign of its most similar candidate, and with it every other candidate at
 * least CAMPAIGN_JOIN alike: one alone joins; another campaign's members move over when it is the smaller
 * and has at most CAMPAIGN_MERGE_MAX members (the first members of a campaign with many variants may
 * have started campaigns of their own before a text close to both of them came). */
static int gather(struct db *db, struct memo *m, int64_t id, int64_t received_at, struct near *near, int n,
                  int64_t *campaign_id, struct error *e)
{
	int best = 0;
	for (int k = 1; k < n; k++)
		if (near[k].sim > near[best].sim)
			best = k;
	if (join(db, m, id, received_at, near[best].id, near[best].campaign, campaign_id, e) != 0)
		return -1;
	int64_t target = *campaign_id;
	for (int k = 0; k < n; k++) {
		if (near[k].sim < CAMPAIGN_JOIN || near[k].campaign == target)
			continue;
		if (!near[k].campaign) {
			static const char sql[] =
			    "UPDATE contribution SET campaign_id = ? WHERE id = ? AND campaign_id IS NULL";
			/* it arrived before the new text: it may be the campaign's first */
			static const char sql_count[] =
			    "UPDATE campaign SET members = members + 1, published = published + (SELECT CASE WHEN "
			    "k.state = 'published' AND k.publication <> 'private' THEN 1 ELSE 0 END FROM contribution "
			    "k "
			    "WHERE k.id = ?2), first_at = CASE WHEN first_at > "
			    "(SELECT received_at FROM contribution WHERE id = ?2) THEN (SELECT received_at FROM "
			    "contribution "
			    "WHERE id = ?2) ELSE first_at END WHERE id = ?1";
			struct db_stmt *st = db_stmt(db, sql, e);
			if (!st)
				return -1;
			db_bind_int(st, 1, target);
			db_bind_int(st, 2, near[k].id);
			if (db_exec_stmt(st, e) != 0)
				return -1;
			if (db_changes(db) == 1) {
				memo_campaign_wrote(m, near[k].id, target);
				if (!(st = db_stmt(db, sql_count, e)))
					return -1;
				db_bind_int(st, 1, target);
				db_bind_int(st, 2, near[k].id);
				if (db_exec_stmt(st, e) != 0)
					return -1;
			}
			near[k].campaign = target;
			continue;
		}
		int64_t theirs, ours;
		if (campaign_members(db, near[k].campaign, &theirs, e) != 0 ||
		    campaign_members(db, target, &ours, e) != 0)
			return -1;
		/* the smaller moves into the larger */
		const int64_t keep = theirs > ours ? near[k].campaign : target;
		const int64_t gone = theirs > ours ? target : near[k].campaign;
		if (!theirs || !ours || (theirs < ours ? theirs : ours) > CAMPAIGN_MERGE_MAX)
			continue;
		if (merge(db, m, keep, gone, e) != 0)
			return -1;
		for (int j = 0; j < n; j++)
			if (near[j].campaign == gone)
				near[j].campaign = keep;
		target = keep;
		*campaign_id = keep;
	}
	return 0;
}

/* The first n (at most CAMPAIGN_BUCKET_PEEK) of call_id's texts under (band, key) (band -1: the exact hash
 * key), oldest first. 0 or -1. */
static int first_under(struct db *db, struct memo *m, int64_t call_id, int64_t band, int64_t key, int64_t *ids, int *n,
                       struct error *e)
{
	static const char sql_exact[] = "SELECT contribution_id FROM campaign_shape WHERE call_id = ? AND exact = ? "
	                                "ORDER BY contribution_id LIMIT 1";
	static const char sql_bucket[] = "SELECT contribution_id FROM campaign_band WHERE call_id = ? AND band = ? "
	                                 "AND bucket = ? ORDER BY contribution_id LIMIT ?";
	const struct memo_key *kept = m ? memo_key_slot(m, call_id, band, key, false) : NULL;
	if (kept) {
		*n = kept->n;
		memcpy(ids, kept->ids, sizeof *ids * (size_t)kept->n);
		return 0;
	}
	struct db_stmt *st = db_stmt(db, band < 0 ? sql_exact : sql_bucket, e);
	if (!st)
		return -1;
	const int room = band < 0 ? 1 : CAMPAIGN_BUCKET_PEEK;
	db_bind_int(st, 1, call_id);
	if (band < 0) {
		db_bind_int(st, 2, key);
	} else {
		db_bind_int(st, 2, band);
		db_bind_int(st, 3, key);
		db_bind_int(st, 4, room);
	}
	enum db_step r;
	*n = 0;
	while ((r = db_step(st, e)) == DB_ROW && *n < room)
		ids[(*n)++] = db_col_int(st, 0);
	if (r == DB_FAIL)
		return -1;
	db_reset(st);
	memo_key_put(m, call_id, band, key, ids, *n);
	return 0;
}

/* campaign_assign() of a text whose fingerprint is made (me). */
static int assign(struct db *db, struct memo *m, int64_t call_id, int64_t id, const struct campaign_shape *shape,
                  int64_t received_at, int64_t *campaign_id, struct error *e)
{
	static const char sql_shape[] =
	    "INSERT INTO campaign_shape (contribution_id, call_id, exact, minhash) VALUES (?, ?, ?, ?)";
	static const char sql_band[] =
	    "INSERT INTO campaign_band (call_id, band, bucket, contribution_id) VALUES (?, ?, ?, ?)";
	*campaign_id = 0;
	const struct campaign_shape me = *shape;
	struct campaign_shape other;
	if (me.words == 0)
		return 0; /* no text to recognise (comments only by attachment, say) */
	/* an exact duplicate: joins the first text of its kind, and keeps no signature of its own */
	int64_t first;
	int nfirst;
	if (first_under(db, m, call_id, -1, me.exact, &first, &nfirst, e) != 0)
		return -1;
	if (nfirst) {
		int64_t its = 0;
		int got = read_shape(db, m, first, &other, &its, e);
		if (got < 0)
			return -1;
		if (got && !memcmp(me.minhash, other.minhash, sizeof me.minhash))
			return join(db, m, id, received_at, first, its, campaign_id, e);
	}
	/* near duplicates: candidates from the bands, each verified by its estimated similarity */
	struct near near[CAMPAIGN_BANDS * CAMPAIGN_BUCKET_PEEK];
	int nnear = 0;
	int64_t keys[CAMPAIGN_BANDS];
	double best_sim = 0;
	for (int b = 0; b < CAMPAIGN_BANDS; b++)
		keys[b] = band_key(&me, b);
	for (int b = 0; b < CAMPAIGN_BANDS && best_sim < CAMPAIGN_STOP_AT; b++) {
		int64_t found[CAMPAIGN_BUCKET_PEEK];
		int nfound;
		if (first_under(db, m, call_id, b, keys[b], found, &nfound, e) != 0)
			return -1;
		for (int f = 0; f < nfound && best_sim < CAMPAIGN_STOP_AT; f++) {
			bool dup = false;
			for (int k = 0; k < nnear && !dup; k++)
				dup = near[k].id == found[f];
			if (dup)
				continue;
			struct near *x = &near[nnear++];
			x->id = found[f];
			int got = read_shape(db, m, found[f], &other, &x->campaign, e);
			if (got < 0)
				return -1;
			x->sim = got ? campaign_similarity(&me, &other) : 0;
			if (x->sim > best_sim)
				best_sim = x->sim;
		}
	}
	unsigned char blob[CAMPAIGN_HASHES * 4];
	pack(&me, blob);
	struct db_stmt *st = db_stmt(db, sql_shape, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, call_id);
	db_bind_int(st, 3, me.exact);
	db_bind_blob(st, 4, blob, sizeof blob);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	memo_key_wrote(m, call_id, -1, me.exact, id);
	if (best_sim >= CAMPAIGN_JOIN && gather(db, m, id, received_at, near, nnear, campaign_id, e) != 0)
		return -1;
	memo_shape_put(m, id, true, &me, *campaign_id);
	if (best_sim >= CAMPAIGN_INDEX_BELOW)
		return 0;
	for (int b = 0; b < CAMPAIGN_BANDS; b++) {
		if (!(st = db_stmt(db, sql_band, e)))
			return -1;
		db_bind_int(st, 1, call_id);
		db_bind_int(st, 2, b);
		db_bind_int(st, 3, keys[b]);
		db_bind_int(st, 4, id);
		if (db_exec_stmt(st, e) != 0)
			return -1;
		memo_key_wrote(m, call_id, b, keys[b], id);
	}
	return 0;
}

int campaign_assign(struct db *db, struct arena *a, int64_t call_id, int64_t id, const char *text, int64_t received_at,
                    int64_t *campaign_id, struct error *e)
{
	struct campaign_shape me;
	*campaign_id = 0;
	if (campaign_shape_of(a, text ? text : "", &me) != 0) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return assign(db, NULL, call_id, id, &me, received_at, campaign_id, e);
}

/* -- rebuilding ------------------------------------------------------------ */

/*
 * The rebuild and the pass assign stored contributions a batch at a time, in one write transaction each. A
 * batch is read (with its comments' words), then fingerprinted, then assigned. Fingerprinting is a fifth of
 * the work and needs no database: the rebuild makes the next batch's fingerprints on a thread of its own while
 * it assigns the batch before. With the memo, `consulta campaigns` over a docket.py load of 300,000 took 40-54 s
 * where it took 85-89 s (two cores, back to back, at load 2-4).
 *
 * The rebuild's page cache: at 1,000,000 contributions (548,948 signatures) the pass took 314 s with SQLite's
 * 2 MiB, half of it in the kernel reading and writing pages again, and 240 s with 64 MiB (bench/scale.sh).
 */
enum { REBUILD_BATCH = 5000 };

struct pending {
	int64_t id, call_id, received_at;
	const char *text; /* as campaign_text() makes it, once the batch is read */
};

struct batch {
	struct arena arena; /* the texts and fingerprints */
	struct pending *items;
	struct campaign_shape *shapes;
	int n;
	bool shaped;      /* shapes made; false when memory ran out */
	pthread_t thread; /* making them, when started is true */
	bool started;
};

static int fill_pending(struct arena *a, struct db_stmt *st, void *element)
{
	struct pending *p = element;
	bool failed = false;
	p->id = db_col_int(st, 0);
	p->received_at = db_col_int(st, 1);
	p->text = db_col_dup(st, 2, a, &failed);
	p->call_id = db_col_int(st, 3);
	return failed ? -1 : 0;
}

/* A comment of a stored contribution, for the words it adds. */
struct stored_comment {
	int64_t contribution_id;
	struct comment_input input;
};

static int fill_comment(struct arena *a, struct db_stmt *st, void *element)
{
	struct stored_comment *c = element;
	bool failed = false;
	memset(c, 0, sizeof *c);
	c->contribution_id = db_col_int(st, 0);
	c->input.comment = db_col_dup(st, 1, a, &failed);
	c->input.proposed_change = db_col_dup(st, 2, a, &failed);
	return failed ? -1 : 0;
}

/* Reads a batch: the contributions st (bound) selects, oldest first (id, received_at, text, call_id), each
 * with its comments' words as campaign_text() joins them; the comments of them all by one range of the index
 * on (contribution_id, position). b is initialised here, and freed by batch_free() whatever the outcome. */
static int batch_read(struct db *db, struct db_stmt *st, struct batch *b, struct error *e)
{
	static const char sql_comments[] = "SELECT contribution_id, comment, proposed_change FROM comment "
	                                   "WHERE contribution_id >= ? AND contribution_id <= ? "
	                                   "ORDER BY contribution_id, position";
	memset(b, 0, sizeof *b);
	arena_init(&b->arena);
	struct arena *a = &b->arena;
	if (db_collect(st, a, (void **)&b->items, &b->n, sizeof *b->items, fill_pending, e) != 0)
		return -1;
	if (b->n == 0)
		return 0;
	struct stored_comment *cs = NULL;
	int nc = 0;
	if (!(st = db_stmt(db, sql_comments, e)))
		return -1;
	db_bind_int(st, 1, b->items[0].id);
	db_bind_int(st, 2, b->items[b->n - 1].id);
	if (db_collect(st, a, (void **)&cs, &nc, sizeof *cs, fill_comment, e) != 0)
		return -1;
	for (int i = 0, c = 0; i < b->n && c < nc; i++) {
		struct pending *p = &b->items[i];
		while (c < nc && cs[c].contribution_id < p->id)
			c++;
		int mine = 0;
		while (c + mine < nc && cs[c + mine].contribution_id == p->id)
			mine++;
		if (!mine)
			continue;
		struct comment_input *inputs = arena_alloc(a, sizeof *inputs * (size_t)mine);
		for (int k = 0; inputs && k < mine; k++)
			inputs[k] = cs[c + k].input;
		if (!inputs || !(p->text = campaign_text(a, p->text, inputs, mine))) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
		c += mine;
	}
	b->shapes = arena_alloc(a, sizeof *b->shapes * (size_t)b->n);
	if (!b->shapes) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

/* Makes a read batch's fingerprints (on any thread: it touches nothing but the batch). */
static void *batch_shape(void *arg)
{
	struct batch *b = arg;
	b->shaped = true;
	for (int i = 0; i < b->n && b->shaped; i++) {
		struct arena scratch; /* a text's words and hashes, gone once its fingerprint is made */
		arena_init(&scratch);
		b->shaped = campaign_shape_of(&scratch, b->items[i].text ? b->items[i].text : "", &b->shapes[i]) == 0;
		arena_free(&scratch);
	}
	return NULL;
}

/* Starts making a read batch's fingerprints on a thread of their own; without a thread, makes them here. */
static void batch_shape_start(struct batch *b)
{
	b->started = pthread_create(&b->thread, NULL, batch_shape, b) == 0;
	if (!b->started)
		batch_shape(b);
}

/* Waits for the batch's fingerprints: 0, or -1 when memory ran out making them. */
static int batch_shape_wait(struct batch *b, struct error *e)
{
	if (b->started)
		pthread_join(b->thread, NULL);
	b->started = false;
	if (!b->shaped) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

static void batch_free(struct batch *b)
{
	if (b->started)
		pthread_join(b->thread, NULL);
	arena_free(&b->arena);
	memset(b, 0, sizeof *b);
}

/* Assigns a fingerprinted batch inside the caller's write transaction, which ends with memo_forget(m). */
static int batch_assign(struct db *db, struct memo *m, const struct batch *b, struct error *e)
{
	for (int i = 0; i < b->n; i++) {
		int64_t campaign_id;
		if (assign(db, m, b->items[i].call_id, b->items[i].id, &b->shapes[i], b->items[i].received_at,
		           &campaign_id, e) != 0)
			return -1;
	}
	return 0;
}

/* Reads the batch of call_id's contributions after `after` that are in no campaign. */
static int rebuild_read(struct db *db, int64_t call_id, int64_t after, struct batch *b, struct error *e)
{
	static const char sql_next[] = "SELECT id, received_at, text, call_id FROM contribution WHERE call_id = ? "
	                               "AND id > ? AND campaign_id IS NULL ORDER BY id LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql_next, e);
	if (!st) {
		memset(b, 0, sizeof *b);
		arena_init(&b->arena);
		return -1;
	}
	db_bind_int(st, 1, call_id);
	db_bind_int(st, 2, after);
	db_bind_int(st, 3, REBUILD_BATCH);
	return batch_read(db, st, b, e);
}

/* Forgets call_id's campaigns, in one transaction. */
static int rebuild_forget(struct db *db, int64_t call_id, struct error *e)
{
	static const char *const forget[] = {
	    "UPDATE contribution SET campaign_id = NULL WHERE call_id = ? AND campaign_id IS NOT NULL",
	    "DELETE FROM campaign_band WHERE call_id = ?",
	    "DELETE FROM campaign_shape WHERE call_id = ?",
	    "DELETE FROM campaign WHERE call_id = ?",
	};
	if (db_begin(db, e) != 0)
		return -1;
	for (size_t k = 0; k < sizeof forget / sizeof *forget; k++) {
		struct db_stmt *st = db_stmt(db, forget[k], e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, call_id);
		if (db_exec_stmt(st, e) != 0)
			goto fail;
	}
	if (db_commit(db, e) == 0)
		return 0;
fail:
	db_rollback(db);
	return -1;
}

/* Where a resumed rebuild begins: after call_id's last signature. Every contribution of the call with a
 * word of text that a run looked at keeps a signature or joined a campaign, and a run commits in order of
 * id: those after the last signature that joined a campaign are skipped by rebuild_read(). */
static int rebuild_resume_at(struct db *db, int64_t call_id, int64_t *after, struct error *e)
{
	return db_int_of(db, "SELECT max(contribution_id) FROM campaign_shape WHERE call_id = ?", call_id, after, e);
}

int campaign_rebuild(struct db *db, int64_t call_id, bool resume, int64_t *assigned, struct error *e)
{
	*assigned = 0;
	struct batch batches[2];
	struct batch *cur = &batches[0], *next = &batches[1];
	memset(batches, 0, sizeof batches);
	arena_init(&cur->arena);
	arena_init(&next->arena);
	struct memo *m = memo_new();
	int64_t after = 0;
	if (!m) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (db_cache_size(db, DB_CACHE_64_MIB, e) != 0 ||
	    (resume ? rebuild_resume_at(db, call_id, &after, e) : rebuild_forget(db, call_id, e)) != 0)
		goto fail;
	batch_free(cur);
	if (rebuild_read(db, call_id, after, cur, e) != 0)
		goto fail;
	batch_shape(cur);
	while (cur->n > 0) {
		if (batch_shape_wait(cur, e) != 0 || db_begin(db, e) != 0)
			goto fail;
		const bool more = cur->n == REBUILD_BATCH;
		after = cur->items[cur->n - 1].id;
		/* the next batch is read in this transaction (its rows are after this one's, which the assignment
		 * below does not touch), and fingerprinted while this one is assigned */
		batch_free(next);
		if (more) {
			if (rebuild_read(db, call_id, after, next, e) != 0)
				goto fail_open;
			batch_shape_start(next);
		}
		if (batch_assign(db, m, cur, e) != 0)
			goto fail_open;
		memo_forget(m);
		if (db_commit(db, e) != 0)
			goto fail_open;
		struct batch *done = cur;
		cur = next;
		next = done;
	}
	batch_free(cur);
	batch_free(next);
	free(m);
	static const char sql_count[] =
	    "SELECT count(*) FROM contribution WHERE call_id = ? AND campaign_id IS NOT NULL";
	if (db_int_of(db, sql_count, call_id, assigned, e) != 0)
		return -1;
	log_event("campaign.rebuild", "call=%lld assigned=%lld resumed=%s", (long long)call_id, (long long)*assigned,
	          resume ? "yes" : "no");
	return 0;
fail_open:
	db_rollback(db);
fail:
	batch_free(cur);
	batch_free(next);
	free(m);
	return -1;
}

/* -- the pass after the commit ------------------------------------------------ */

/* The last contribution the pass has looked at; INT64_MAX while no pass runs (each contribution is then
 * assigned in its own transaction). Read by campaign_pass_mark() on any thread. */
static _Atomic int64_t pass_through = INT64_MAX;

int campaign_pass_start(struct db *db, int64_t *after, struct error *e)
{
	/* Every contribution with a word of text either keeps a signature or joined a campaign: past the last
	 * signature, the pass looks again and skips those already in a campaign. */
	static const char sql[] = "SELECT max(contribution_id) FROM campaign_shape";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	enum db_step r = db_step(st, e);
	*after = r == DB_ROW && !db_col_null(st, 0) ? db_col_int(st, 0) : 0;
	db_reset(st);
	if (r != DB_ROW)
		return -1;
	atomic_store(&pass_through, *after);
	return 0;
}

int campaign_pass(struct db *db, int64_t *after, int limit, bool *more, struct error *e)
{
	/* what no pass (nor an assignment on arrival) has looked at: in no campaign and without a signature */
	static const char sql_next[] =
	    "SELECT c.id, c.received_at, c.text, c.call_id FROM contribution c WHERE c.id > ? AND c.campaign_id IS "
	    "NULL "
	    "AND NOT EXISTS (SELECT 1 FROM campaign_shape s WHERE s.contribution_id = c.id) ORDER BY c.id LIMIT ?";
	*more = false;
	struct batch batch;
	memset(&batch, 0, sizeof batch);
	arena_init(&batch.arena);
	struct memo *m = memo_new();
	if (!m) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (db_begin(db, e) != 0) {
		free(m);
		return -1;
	}
	struct db_stmt *st = db_stmt(db, sql_next, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, *after);
	db_bind_int(st, 2, limit);
	if (batch_read(db, st, &batch, e) != 0)
		goto fail;
	batch_shape(&batch);
	if (batch_shape_wait(&batch, e) != 0 || batch_assign(db, m, &batch, e) != 0)
		goto fail;
	const int n = batch.n;
	int64_t through = n > 0 ? batch.items[n - 1].id : *after;
	if (n < limit) { /* every one stored so far is looked at, those in no campaign and beyond too */
		static const char sql_last[] = "SELECT max(id) FROM contribution";
		if (!(st = db_stmt(db, sql_last, e)))
			goto fail;
		enum db_step r = db_step(st, e);
		if (r == DB_ROW && !db_col_null(st, 0) && db_col_int(st, 0) > through)
			through = db_col_int(st, 0);
		db_reset(st);
		if (r == DB_FAIL)
			goto fail;
	}
	if (n > 0 && db_commit(db, e) != 0)
		goto fail;
	if (n == 0)
		db_rollback(db);
	*after = through;
	batch_free(&batch);
	free(m);
	atomic_store(&pass_through, *after);
	*more = n == limit;
	return 0;
fail:
	db_rollback(db);
	batch_free(&batch);
	free(m);
	return -1;
}

void campaign_pass_stop(void)
{
	atomic_store(&pass_through, INT64_MAX);
}

int64_t campaign_pass_mark(void)
{
	return atomic_load(&pass_through);
}

int campaign_ungrouped(struct db *db, int64_t call_id, int64_t through, int64_t *n, struct error *e)
{
	static const char sql[] = "SELECT count(*) FROM contribution WHERE id > ? AND call_id = ?";
	*n = 0;
	if (through == INT64_MAX)
		return 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, through);
	db_bind_int(st, 2, call_id);
	enum db_step r = db_step(st, e);
	if (r == DB_ROW)
		*n = db_col_int(st, 0);
	db_reset(st);
	return r == DB_ROW ? 0 : -1;
}

/* -- reading --------------------------------------------------------------- */

/* The members the public sees: published, not private. */
#define PUBLIC "state = 'published' AND publication <> 'private'"

int campaign_publicity(struct db *db, int64_t contribution_id, bool was_public, bool is_public, struct error *e)
{
	static const char sql[] = "UPDATE campaign SET published = published + ? "
	                          "WHERE id = (SELECT campaign_id FROM contribution WHERE id = ?)";
	if (was_public == is_public)
		return 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, is_public ? 1 : -1);
	db_bind_int(st, 2, contribution_id);
	return db_exec_stmt(st, e);
}

static int fill_campaign(struct arena *a, struct db_stmt *st, void *element)
{
	(void)a;
	struct campaign *c = element;
	memset(c, 0, sizeof *c);
	c->id = db_col_int(st, 0);
	c->call_id = db_col_int(st, 1);
	c->members = db_col_int(st, 2);
	c->received = db_col_int(st, 3);
	c->first_at = db_col_int(st, 4);
	c->last_at = db_col_int(st, 5);
	return 0;
}

/* Reads each campaign's representative: its first member the public sees (the index of its members, from
 * the first, to the first public one). */
static int campaign_complete(struct db *db, struct arena *a, struct campaign *items, int n, struct error *e)
{
	static const char sql[] =
	    "SELECT tracking, text FROM contribution WHERE campaign_id = ? AND " PUBLIC " ORDER BY id LIMIT 1";
	for (int i = 0; i < n; i++) {
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, items[i].id);
		enum db_step r = db_step(st, e);
		if (r == DB_FAIL)
			return -1;
		bool failed = false;
		items[i].representative = r == DB_ROW ? db_col_dup(st, 0, a, &failed) : NULL;
		items[i].text = r == DB_ROW ? db_col_dup(st, 1, a, &failed) : NULL;
		db_reset(st);
		if (failed) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			return -1;
		}
	}
	return 0;
}

#define CAMPAIGN_COLUMNS "SELECT id, call_id, published, members, first_at, last_at FROM campaign "

/* A page of campaigns: sql_count counts them, sql lists them (both of one id, ?2 the limit, ?3 the offset). */
static int list_of(struct db *db, struct arena *a, const char *sql_count, const char *sql, int64_t id, int offset,
                   int limit, struct campaign **out, int *n, int64_t *total, struct error *e)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql_count, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	if (db_step(st, e) != DB_ROW)
		return -1;
	*total = db_col_int(st, 0);
	db_reset(st);
	if (!(st = db_stmt(db, sql, e)))
		return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, offset);
	if (db_collect(st, a, (void **)out, n, sizeof **out, fill_campaign, e) != 0)
		return -1;
	return campaign_complete(db, a, *out, *n, e);
}

int campaign_list(struct db *db, struct arena *a, int64_t call_id, int offset, int limit, struct campaign **out, int *n,
                  int64_t *total, struct error *e)
{
	static const char sql_count[] = "SELECT count(*) FROM campaign WHERE call_id = ? AND published > 0";
	static const char sql[] = CAMPAIGN_COLUMNS "WHERE call_id = ?1 AND published > 0 "
	                                           "ORDER BY published DESC, id LIMIT ?2 OFFSET ?3";
	return list_of(db, a, sql_count, sql, call_id, offset, limit, out, n, total, e);
}

int campaign_list_process(struct db *db, struct arena *a, int64_t process_id, int limit, struct campaign **out, int *n,
                          int64_t *total, struct error *e)
{
	static const char sql_count[] = "SELECT count(*) FROM campaign WHERE call_id IN "
	                                "(SELECT id FROM call WHERE process_id = ?) AND published > 0";
	static const char sql[] = CAMPAIGN_COLUMNS "WHERE call_id IN (SELECT id FROM call WHERE process_id = ?1) "
	                                           "AND published > 0 ORDER BY published DESC, id LIMIT ?2 OFFSET ?3";
	return list_of(db, a, sql_count, sql, process_id, 0, limit, out, n, total, e);
}

int campaign_find(struct db *db, struct arena *a, int64_t id, struct campaign *out, struct error *e)
{
	static const char sql[] = CAMPAIGN_COLUMNS "WHERE id = ? AND published > 0";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	if (db_collect_one(st, a, out, fill_campaign, "There is no such campaign.", e) != 0)
		return -1;
	return campaign_complete(db, a, out, 1, e);
}
