/*
 * paragraph_match — which paragraph of the previous version each paragraph of
 * a new version came from, decided by content, not by position.
 *
 * Pure: no database, no clock. Texts are compared as multisets of normalized
 * words (ASCII letters lower-cased, runs of letters, digits and non-ASCII
 * bytes), each word hashed to 64 bits once, so that comparing two paragraphs
 * is a merge of two sorted arrays. The similarity of two paragraphs is the
 * Dice coefficient 2·|A∩B| / (|A|+|B|) of their words.
 *
 * One algorithm, in this order:
 *  1. identical texts pair first (in document order, so identical paragraphs
 *     pair in their order);
 *  2. splits: several new paragraphs each contained (≥ 80 % of their words)
 *     in one old paragraph that they cover together; the most similar keeps
 *     its id, the others get fresh ids and name it as their source. Merges,
 *     the other way round: one new paragraph containing several old ones
 *     keeps the id of the most similar, and names all of them;
 *  3. the remaining pairs by best similarity, at least MATCH_LOW, ties broken
 *     by the nearer relative position;
 *  4. every new paragraph still without a source is new: a fresh id;
 *  5. a paired paragraph off the longest run of pairs in the old order is
 *     moved; one in it is unchanged (same text) or edited.
 * A decision is uncertain when its similarity is in [MATCH_LOW, MATCH_HIGH)
 * (unless the shorter text is, for MATCH_INSIDE of its words, inside the
 * longer: a clause added or struck), when a split or merge covers its source less than MATCH_HIGH, or when a
 * second candidate scores within MATCH_MARGIN of the chosen one.
 *
 * Cost: O(n·m·w) merges for the paragraphs left after step 1 (w: words per
 * paragraph); past MATCH_PAIRS_MAX pairs each new paragraph is compared only
 * with the old ones in a window around its relative position, so that a
 * pathological text (100,000 one-word paragraphs) stays bounded.
 */
#ifndef CONSULTA_CORE_PARAGRAPH_MATCH_H
#define CONSULTA_CORE_PARAGRAPH_MATCH_H

#include "util/arena.h"

#include <stdbool.h>

#define MATCH_HIGH    0.75 /* at or above: the same paragraph, edited */
#define MATCH_LOW     0.4  /* below: not the same paragraph */
#define MATCH_MARGIN  0.05 /* two candidates closer than this: uncertain */
#define MATCH_CONTAIN 0.8  /* share of a part's words found in the whole, for splits and merges */
#define MATCH_INSIDE  0.9  /* share of the shorter's words in the longer: a clause added or struck */
enum { MATCH_PAIRS_MAX = 4000000 };

enum paragraph_relation {
	PARAGRAPH_NEW,
	PARAGRAPH_UNCHANGED,
	PARAGRAPH_EDITED,
	PARAGRAPH_MOVED,
	PARAGRAPH_SPLIT,
	PARAGRAPH_MERGED,
};

/* "new", "unchanged", "edited", "moved", "split", "merged". */
const char *paragraph_relation_name(enum paragraph_relation r);
/* 0 with *out, or -1 for an unknown name. */
int paragraph_relation_parse(const char *name, enum paragraph_relation *out);

/* A paragraph of the previous version. */
struct match_source {
	const char *pid;
	const char *text;
};

/* What was decided for one paragraph of the new version. */
struct paragraph_match {
	const char *pid; /* the id it gets */
	enum paragraph_relation relation;
	const char **from; /* the pids it came from (none for a new one), most similar first */
	int nfrom;
	double similarity; /* Dice with its first source; 0 for a new paragraph */
	bool uncertain;
};

/* Matches the new paragraphs texts[0..nnew) against old[0..nold). Fresh ids are "p<next_pid>",
 * "p<next_pid + 1>", ... (the caller gives 1 + the largest number any version of the document used, so
 * that an id is never reused). *out (nnew of them) and its strings are in the arena. Returns the number
 * of uncertain decisions, or -1 when out of memory. */
int paragraph_match(struct arena *a, const struct match_source *old, int nold, const char *const *texts, int nnew,
                    long long next_pid, struct paragraph_match **out);

/* Says again, after the ids of m[0..nnew) were changed (the secretariat's decisions), which paragraphs that
 * keep an id from old are unchanged, edited or moved (step 5); splits, merges and new ones stay as they are.
 * 0, or -1 when out of memory. */
int paragraph_match_order(const struct match_source *old, int nold, const char *const *texts,
                          struct paragraph_match *m, int nnew);

/* The similarity (Dice of words, 0..1) of two texts; 1 for two texts without words that are equal. */
double paragraph_similarity(const char *x, const char *y);

#endif
