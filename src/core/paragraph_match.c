/* paragraph_match — see paragraph_match.h. */
#include "core/paragraph_match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A split or merge whose parts cover less than this share of the whole is not one. */
#define MATCH_COVER 0.6

static const char *const RELATION_NAMES[] = {
    [PARAGRAPH_NEW] = "new",     [PARAGRAPH_UNCHANGED] = "unchanged", [PARAGRAPH_EDITED] = "edited",
    [PARAGRAPH_MOVED] = "moved", [PARAGRAPH_SPLIT] = "split",         [PARAGRAPH_MERGED] = "merged",
};

const char *paragraph_relation_name(enum paragraph_relation r)
{
	return (unsigned)r < sizeof RELATION_NAMES / sizeof *RELATION_NAMES ? RELATION_NAMES[r] : "new";
}

int paragraph_relation_parse(const char *name, enum paragraph_relation *out)
{
	for (unsigned i = 0; name && i < sizeof RELATION_NAMES / sizeof *RELATION_NAMES; i++)
		if (!strcmp(name, RELATION_NAMES[i])) {
			*out = (enum paragraph_relation)i;
			return 0;
		}
	return -1;
}

/* A text as the sorted hashes of its normalized words, and the hash of the whole text. */
struct words {
	uint64_t *w;
	int n;
	uint64_t text_hash;
};

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* FNV-1a, 64 bits. */
static uint64_t hash_text(const char *s)
{
	uint64_t h = 14695981039346656037u;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

static int words_of(struct arena *t, const char *s, struct words *out)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int n = 0;
	for (size_t i = 0; p[i]; i++)
		n += word_byte(p[i]) && (i == 0 || !word_byte(p[i - 1]));
	out->n = n;
	out->text_hash = hash_text((const char *)p);
	out->w = arena_alloc(t, sizeof *out->w * (size_t)(n + 1));
	if (!out->w)
		return -1;
	int k = 0;
	uint64_t h = 0;
	bool in = false;
	for (size_t i = 0;; i++) {
		unsigned char c = p[i];
		if (c && word_byte(c)) {
			if (!in)
				h = 14695981039346656037u;
			in = true;
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			h = (h ^ c) * 1099511628211u;
		} else {
			if (in)
				out->w[k++] = h;
			in = false;
		}
		if (!c)
			break;
	}
	qsort(out->w, (size_t)n, sizeof *out->w, cmp_u64);
	return 0;
}

/* |A ∩ B| of two sorted multisets. */
static int common(const struct words *x, const struct words *y)
{
	int i = 0, j = 0, c = 0;
	while (i < x->n && j < y->n) {
		if (x->w[i] < y->w[j])
			i++;
		else if (x->w[i] > y->w[j])
			j++;
		else
			c++, i++, j++;
	}
	return c;
}

static double dice(int inter, int nx, int ny)
{
	return nx + ny ? 2.0 * inter / (nx + ny) : 0;
}

double paragraph_similarity(const char *x, const char *y)
{
	struct arena t;
	arena_init(&t);
	struct words wx, wy;
	double s = 0;
	if (words_of(&t, x, &wx) == 0 && words_of(&t, y, &wy) == 0)
		s = wx.n + wy.n ? dice(common(&wx, &wy), wx.n, wy.n) : !strcmp(x ? x : "", y ? y : "");
	arena_free(&t);
	return s;
}

/* Words found in many paragraphs ("the", "de", "shall") make unrelated paragraphs look alike: a word in more
 * than a quarter of all the paragraphs (old and new, and at least 5 of them) is left out of the comparison,
 * unless a paragraph has no other word. Language-independent, unlike a list of stop words. */
static int drop_common_words(struct arena *t, struct words *w, int n)
{
	size_t total = 0;
	for (int k = 0; k < n; k++)
		total += (size_t)w[k].n;
	uint64_t *all = arena_alloc(t, sizeof *all * (total + 1));
	uint64_t *frequent = arena_alloc(t, sizeof *frequent * (total + 1));
	if (!all || !frequent)
		return -1;
	size_t m = 0, nf = 0;
	for (int k = 0; k < n; k++)
		for (int x = 0; x < w[k].n; x++)
			if (x == 0 || w[k].w[x] != w[k].w[x - 1]) /* once per paragraph */
				all[m++] = w[k].w[x];
	qsort(all, m, sizeof *all, cmp_u64);
	size_t limit = (size_t)n / 4 > 4 ? (size_t)n / 4 : 4;
	for (size_t x = 0; x < m;) {
		size_t y = x;
		while (y < m && all[y] == all[x])
			y++;
		if (y - x > limit)
			frequent[nf++] = all[x];
		x = y;
	}
	if (!nf)
		return 0;
	for (int k = 0; k < n; k++) {
		int kept = 0;
		for (int x = 0; x < w[k].n; x++)
			kept += !bsearch(&w[k].w[x], frequent, nf, sizeof *frequent, cmp_u64);
		if (!kept)
			continue;
		int y = 0;
		for (int x = 0; x < w[k].n; x++)
			if (!bsearch(&w[k].w[x], frequent, nf, sizeof *frequent, cmp_u64))
				w[k].w[y++] = w[k].w[x];
		w[k].n = y;
	}
	return 0;
}

struct candidate {
	int i, j; /* new, old */
	int inter;
	double dice;
	double distance; /* of relative positions, the tie-breaker */
};

struct keyed {
	uint64_t h;
	int j;
};

static int cmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->j - b->j;
}

static int cmp_candidate(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (a->dice != b->dice)
		return a->dice > b->dice ? -1 : 1;
	if (a->distance != b->distance)
		return a->distance < b->distance ? -1 : 1;
	if (a->i != b->i)
		return a->i - b->i;
	return a->j - b->j;
}

/* The state of the match while it is decided. */
struct state {
	int nold, nnew;
	struct words *ow, *nw;
	int *src;        /* new i -> the old paragraph whose id it keeps, or -1 */
	int *origin;     /* new i -> its first source even when it does not keep the id (split parts), or -1 */
	int *old_taken;  /* old j -> 1 once it has a successor */
	double *sim;     /* new i -> similarity with origin[i] */
	bool *uncertain; /* new i */
	enum paragraph_relation *rel;
	int **merged; /* new i -> the other old paragraphs merged into it (-1 ended), or NULL */
};

static double relpos(int k, int n)
{
	return n > 1 ? (double)k / (n - 1) : 0;
}

/* Step 1: identical texts, in document order. */
static int pair_identical(struct arena *t, struct state *s, const struct match_source *old, const char *const *texts)
{
	struct keyed *keys = arena_alloc(t, sizeof *keys * (size_t)(s->nold + 1));
	if (!keys)
		return -1;
	for (int j = 0; j < s->nold; j++)
		keys[j] = (struct keyed){s->ow[j].text_hash, j};
	qsort(keys, (size_t)s->nold, sizeof *keys, cmp_keyed);
	for (int i = 0; i < s->nnew; i++) {
		int lo = 0, hi = s->nold;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (keys[mid].h < s->nw[i].text_hash)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (int k = lo; k < s->nold && keys[k].h == s->nw[i].text_hash; k++) {
			int j = keys[k].j;
			if (!s->old_taken[j] && !strcmp(old[j].text ? old[j].text : "", texts[i] ? texts[i] : "")) {
				s->src[i] = s->origin[i] = j;
				s->old_taken[j] = 1;
				s->sim[i] = 1;
				s->rel[i] = PARAGRAPH_UNCHANGED;
				break;
			}
		}
	}
	return 0;
}

/* The pairs worth a look among the paragraphs not yet paired, grouped by new paragraph (first[i]..first[i+1]). */
static int gather(struct arena *t, struct state *s, struct candidate **out, int *nout, int *first)
{
	int *rn = arena_alloc(t, sizeof *rn * (size_t)(s->nnew + 1));
	int *ro = arena_alloc(t, sizeof *ro * (size_t)(s->nold + 1));
	if (!rn || !ro)
		return -1;
	int nrn = 0, nro = 0;
	for (int i = 0; i < s->nnew; i++)
		if (s->src[i] < 0)
			rn[nrn++] = i;
	for (int j = 0; j < s->nold; j++)
		if (!s->old_taken[j])
			ro[nro++] = j;
	long long half = nro;
	if ((long long)nrn * nro > MATCH_PAIRS_MAX)
		half = MATCH_PAIRS_MAX / (2LL * nrn) + 1;
	int n = 0, cap = 0;
	struct candidate *c = NULL;
	int k = 0;
	for (int x = 0; x < nrn; x++) {
		int i = rn[x];
		for (; k <= i; k++)
			first[k] = n;
		long long center = nrn > 1 ? (long long)x * (nro - 1) / (nrn - 1) : 0;
		long long lo = center - half < 0 ? 0 : center - half,
		          hi = center + half + 1 > nro ? nro : center + half + 1;
		const struct words *a = &s->nw[i];
		for (long long y = lo; y < hi; y++) {
			int j = ro[y];
			const struct words *b = &s->ow[j];
			if (!a->n || !b->n)
				continue;
			int inter = common(a, b);
			if (!inter)
				continue;
			double d = dice(inter, a->n, b->n);
			bool part = (a->n >= 3 && inter >= MATCH_CONTAIN * a->n) ||
			            (b->n >= 3 && inter >= MATCH_CONTAIN * b->n);
			if (d < MATCH_LOW && !part)
				continue;
			struct candidate *e = arena_push(t, (void **)&c, &n, &cap, sizeof *c);
			if (!e)
				return -1;
			double dist = relpos(i, s->nnew) - relpos(j, s->nold);
			*e = (struct candidate){i, j, inter, d, dist < 0 ? -dist : dist};
		}
	}
	for (; k <= s->nnew; k++)
		first[k] = n;
	*out = c;
	*nout = n;
	return 0;
}

/* Step 2a: one old paragraph became several new ones. */
static int find_splits(struct arena *t, struct state *s, const struct candidate *c, const int *first)
{
	int *whole = arena_alloc(t, sizeof *whole * (size_t)(s->nnew + 1)); /* new i -> index of its candidate */
	int *parts = arena_alloc(t, sizeof *parts * (size_t)(s->nold + 1));
	if (!whole || !parts)
		return -1;
	for (int i = 0; i < s->nnew; i++) {
		whole[i] = -1;
		if (s->src[i] >= 0 || s->nw[i].n < 3)
			continue;
		for (int k = first[i]; k < first[i + 1]; k++) {
			const struct words *b = &s->ow[c[k].j];
			if (c[k].inter < MATCH_CONTAIN * s->nw[i].n || s->nw[i].n >= b->n)
				continue;
			if (whole[i] < 0 || c[k].inter > c[whole[i]].inter ||
			    (c[k].inter == c[whole[i]].inter && c[k].dice > c[whole[i]].dice))
				whole[i] = k;
		}
		if (whole[i] >= 0)
			parts[c[whole[i]].j]++;
	}
	for (int j = 0; j < s->nold; j++) {
		if (parts[j] < 2 || s->old_taken[j])
			continue;
		int covered = 0, keeper = -1;
		for (int i = 0; i < s->nnew; i++)
			if (whole[i] >= 0 && c[whole[i]].j == j) {
				covered += c[whole[i]].inter;
				if (keeper < 0 || c[whole[i]].dice > c[whole[keeper]].dice)
					keeper = i;
			}
		double cover = (double)covered / s->ow[j].n;
		if (cover < MATCH_COVER)
			continue;
		for (int i = 0; i < s->nnew; i++)
			if (whole[i] >= 0 && c[whole[i]].j == j) {
				s->origin[i] = j;
				s->src[i] = i == keeper ? j : -2; /* -2: a part that gets a fresh id */
				s->sim[i] = c[whole[i]].dice;
				s->rel[i] = PARAGRAPH_SPLIT;
				s->uncertain[i] = cover < MATCH_HIGH;
			}
		s->old_taken[j] = 1;
	}
	return 0;
}

/* Step 2b: several old paragraphs became one new one. */
static int find_merges(struct arena *t, struct state *s, const struct candidate *c, int n)
{
	int *whole = arena_alloc(t, sizeof *whole * (size_t)(s->nold + 1)); /* old j -> index of its candidate */
	int *parts = arena_alloc(t, sizeof *parts * (size_t)(s->nnew + 1));
	if (!whole || !parts)
		return -1;
	for (int j = 0; j < s->nold; j++)
		whole[j] = -1;
	for (int k = 0; k < n; k++) {
		int i = c[k].i, j = c[k].j;
		if (s->src[i] != -1 || s->old_taken[j] || s->ow[j].n < 3 || c[k].inter < MATCH_CONTAIN * s->ow[j].n ||
		    s->ow[j].n >= s->nw[i].n)
			continue;
		if (whole[j] < 0 || c[k].inter > c[whole[j]].inter ||
		    (c[k].inter == c[whole[j]].inter && c[k].dice > c[whole[j]].dice))
			whole[j] = k;
	}
	for (int j = 0; j < s->nold; j++)
		if (whole[j] >= 0)
			parts[c[whole[j]].i]++;
	for (int i = 0; i < s->nnew; i++) {
		if (parts[i] < 2)
			continue;
		int covered = 0, keeper = -1, m = 0;
		for (int j = 0; j < s->nold; j++)
			if (whole[j] >= 0 && c[whole[j]].i == i) {
				covered += c[whole[j]].inter;
				if (keeper < 0 || c[whole[j]].dice > c[whole[keeper]].dice)
					keeper = j;
			}
		double cover = (double)covered / s->nw[i].n;
		if (cover < MATCH_COVER)
			continue;
		int *others = arena_alloc(t, sizeof *others * (size_t)(parts[i] + 1));
		if (!others)
			return -1;
		for (int j = 0; j < s->nold; j++)
			if (whole[j] >= 0 && c[whole[j]].i == i) {
				s->old_taken[j] = 1;
				if (j != keeper)
					others[m++] = j;
			}
		others[m] = -1;
		s->merged[i] = others;
		s->src[i] = s->origin[i] = keeper;
		s->sim[i] = c[whole[keeper]].dice;
		s->rel[i] = PARAGRAPH_MERGED;
		s->uncertain[i] = cover < MATCH_HIGH;
	}
	return 0;
}

/* Step 3: the best remaining pairs, greedily. */
static int pair_similar(struct arena *t, struct state *s, const struct candidate *all, int nall)
{
	struct candidate *c = arena_alloc(t, sizeof *c * (size_t)(nall + 1));
	/* For each paragraph, its best and second-best scores among the candidates, and the best's partner. */
	double *nb1 = arena_alloc(t, sizeof(double) * (size_t)(s->nnew + 1)),
	       *nb2 = arena_alloc(t, sizeof(double) * (size_t)(s->nnew + 1));
	double *ob1 = arena_alloc(t, sizeof(double) * (size_t)(s->nold + 1)),
	       *ob2 = arena_alloc(t, sizeof(double) * (size_t)(s->nold + 1));
	int *nbj = arena_alloc(t, sizeof(int) * (size_t)(s->nnew + 1)),
	    *obi = arena_alloc(t, sizeof(int) * (size_t)(s->nold + 1));
	if (!c || !nb1 || !nb2 || !ob1 || !ob2 || !nbj || !obi)
		return -1;
	int n = 0;
	for (int k = 0; k < nall; k++)
		if (s->src[all[k].i] == -1 && !s->old_taken[all[k].j] && all[k].dice >= MATCH_LOW)
			c[n++] = all[k];
	for (int k = 0; k < n; k++) {
		int i = c[k].i, j = c[k].j;
		double d = c[k].dice;
		if (d > nb1[i]) {
			nb2[i] = nb1[i];
			nb1[i] = d;
			nbj[i] = j;
		} else if (d > nb2[i]) {
			nb2[i] = d;
		}
		if (d > ob1[j]) {
			ob2[j] = ob1[j];
			ob1[j] = d;
			obi[j] = i;
		} else if (d > ob2[j]) {
			ob2[j] = d;
		}
	}
	qsort(c, (size_t)n, sizeof *c, cmp_candidate);
	for (int k = 0; k < n; k++) {
		int i = c[k].i, j = c[k].j;
		if (s->src[i] != -1 || s->old_taken[j])
			continue;
		double d = c[k].dice;
		double other_n = nbj[i] == j ? nb2[i] : nb1[i], other_o = obi[j] == i ? ob2[j] : ob1[j];
		s->src[i] = s->origin[i] = j;
		s->old_taken[j] = 1;
		s->sim[i] = d;
		s->rel[i] = PARAGRAPH_EDITED;
		/* A clause added to a paragraph, or struck from it, leaves the shorter text whole inside the longer:
		 * the same paragraph, however low the Dice of the two. */
		int shorter = s->nw[i].n < s->ow[j].n ? s->nw[i].n : s->ow[j].n;
		bool inside = shorter >= 3 && c[k].inter >= MATCH_INSIDE * shorter;
		s->uncertain[i] = (d < MATCH_HIGH && !inside) || (other_n >= MATCH_LOW && other_n > d - MATCH_MARGIN) ||
		                  (other_o >= MATCH_LOW && other_o > d - MATCH_MARGIN);
	}
	return 0;
}

/* Step 5: a paragraph that keeps an id but is off the longest run in the old order has moved. */
/* Marks in_run[i] for the new paragraphs i (src[i] >= 0: the old position whose id it keeps) that are on
 * the longest run increasing in the old order (patience sorting, O(n log n)). */
static int longest_run(struct arena *t, const int *src, int nnew, bool *in_run)
{
	int *seq = arena_alloc(t, sizeof *seq * (size_t)(nnew + 1)); /* new indices that keep an id */
	int *tail = arena_alloc(t, sizeof *tail * (size_t)(nnew + 1));
	int *prev = arena_alloc(t, sizeof *prev * (size_t)(nnew + 1));
	if (!seq || !tail || !prev)
		return -1;
	int n = 0, len = 0;
	for (int i = 0; i < nnew; i++)
		if (src[i] >= 0)
			seq[n++] = i;
	for (int k = 0; k < n; k++) {
		int v = src[seq[k]], lo = 0, hi = len;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (src[seq[tail[mid]]] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[k] = lo ? tail[lo - 1] : -1;
		tail[lo] = k;
		if (lo == len)
			len++;
	}
	for (int k = len ? tail[len - 1] : -1; k >= 0; k = prev[k])
		in_run[seq[k]] = true;
	return 0;
}

/* Step 5: a paragraph that keeps an id but is off the longest run in the old order has moved. */
static int find_moves(struct arena *t, struct state *s)
{
	bool *in_run = arena_alloc(t, sizeof *in_run * (size_t)(s->nnew + 1));
	if (!in_run || longest_run(t, s->src, s->nnew, in_run) != 0)
		return -1;
	for (int i = 0; i < s->nnew; i++)
		if (s->src[i] >= 0 && !in_run[i] && (s->rel[i] == PARAGRAPH_UNCHANGED || s->rel[i] == PARAGRAPH_EDITED))
			s->rel[i] = PARAGRAPH_MOVED;
	return 0;
}

int paragraph_match_order(const struct match_source *old, int nold, const char *const *texts,
                          struct paragraph_match *m, int nnew)
{
	struct arena t;
	arena_init(&t);
	int *src = arena_alloc(&t, sizeof *src * (size_t)(nnew + 1));
	bool *in_run = arena_alloc(&t, sizeof *in_run * (size_t)(nnew + 1));
	int rc = -1;
	if (!src || !in_run)
		goto done;
	for (int i = 0; i < nnew; i++) {
		src[i] = -1;
		for (int j = 0; j < nold; j++) /* once per confirmation: n·m comparisons of short ids */
			if (!strcmp(old[j].pid, m[i].pid)) {
				src[i] = j;
				break;
			}
	}
	if (longest_run(&t, src, nnew, in_run) != 0)
		goto done;
	for (int i = 0; i < nnew; i++) {
		enum paragraph_relation r = m[i].relation;
		if (src[i] < 0 || (r != PARAGRAPH_UNCHANGED && r != PARAGRAPH_EDITED && r != PARAGRAPH_MOVED))
			continue;
		m[i].relation = !in_run[i] ? PARAGRAPH_MOVED
		                : !strcmp(old[src[i]].text ? old[src[i]].text : "", texts[i] ? texts[i] : "")
		                    ? PARAGRAPH_UNCHANGED
		                    : PARAGRAPH_EDITED;
	}
	rc = 0;
done:
	arena_free(&t);
	return rc;
}

int paragraph_match(struct arena *a, const struct match_source *old, int nold, const char *const *texts, int nnew,
                    long long next_pid, struct paragraph_match **out)
{
	struct arena t;
	arena_init(&t);
	int rc = -1;
	struct state s = {.nold = nold, .nnew = nnew};
	/* One array for both, so that words common to the whole text are found at once. */
	struct words *both = arena_alloc(&t, sizeof *both * (size_t)(nold + nnew + 1));
	s.ow = both;
	s.nw = both ? both + nold : NULL;
	s.src = arena_alloc(&t, sizeof *s.src * (size_t)(nnew + 1));
	s.origin = arena_alloc(&t, sizeof *s.origin * (size_t)(nnew + 1));
	s.old_taken = arena_alloc(&t, sizeof *s.old_taken * (size_t)(nold + 1));
	s.sim = arena_alloc(&t, sizeof *s.sim * (size_t)(nnew + 1));
	s.uncertain = arena_alloc(&t, sizeof *s.uncertain * (size_t)(nnew + 1));
	s.rel = arena_alloc(&t, sizeof *s.rel * (size_t)(nnew + 1));
	s.merged = arena_alloc(&t, sizeof *s.merged * (size_t)(nnew + 1));
	int *first = arena_alloc(&t, sizeof *first * (size_t)(nnew + 2));
	struct paragraph_match *m = arena_alloc(a, sizeof *m * (size_t)(nnew + 1));
	if (!s.ow || !s.nw || !s.src || !s.origin || !s.old_taken || !s.sim || !s.uncertain || !s.rel || !s.merged ||
	    !first || !m)
		goto done;
	for (int j = 0; j < nold; j++)
		if (words_of(&t, old[j].text, &s.ow[j]) != 0)
			goto done;
	for (int i = 0; i < nnew; i++) {
		s.src[i] = s.origin[i] = -1;
		if (words_of(&t, texts[i], &s.nw[i]) != 0)
			goto done;
	}
	struct candidate *c = NULL;
	int nc = 0;
	if (drop_common_words(&t, both, nold + nnew) != 0 || pair_identical(&t, &s, old, texts) != 0 ||
	    gather(&t, &s, &c, &nc, first) != 0 || find_splits(&t, &s, c, first) != 0 ||
	    find_merges(&t, &s, c, nc) != 0 || pair_similar(&t, &s, c, nc) != 0 || find_moves(&t, &s) != 0)
		goto done;
	int uncertain = 0;
	for (int i = 0; i < nnew; i++) {
		struct paragraph_match *p = &m[i];
		p->relation = s.rel[i];
		p->similarity = s.origin[i] >= 0 ? s.sim[i] : 0;
		p->uncertain = s.uncertain[i];
		uncertain += p->uncertain;
		p->pid = s.src[i] >= 0 ? arena_strdup(a, old[s.src[i]].pid) : arena_printf(a, "p%lld", next_pid++);
		int nmerged = 0;
		while (s.merged[i] && s.merged[i][nmerged] >= 0)
			nmerged++;
		p->from = arena_alloc(a, sizeof *p->from * (size_t)(nmerged + 2));
		if (!p->pid || !p->from)
			goto done;
		if (s.origin[i] >= 0)
			p->from[p->nfrom++] = old[s.origin[i]].pid;
		for (int k = 0; k < nmerged; k++)
			p->from[p->nfrom++] = old[s.merged[i][k]].pid;
		for (int k = 0; k < p->nfrom; k++)
			if (!(p->from[k] = arena_strdup(a, p->from[k])))
				goto done;
	}
	*out = m;
	rc = uncertain;
done:
	arena_free(&t);
	return rc;
}
