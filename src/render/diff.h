/*
 * diff — the word-level difference between two paragraphs' texts.
 *
 * A text is cut into tokens: runs of letters and digits (a word), runs of
 * white space, and single punctuation marks; scripts written without spaces
 * between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) are cut per
 * character, so that one changed character is one change and not the whole
 * sentence. The tokens are compared by libgit2's diff of buffers (one token a
 * line), a maintained implementation of Myers' algorithm with git's
 * heuristics, and the lines it reports changed are mapped back to the tokens.
 * Runs of tokens with the same operation are joined, so the answer is the
 * shortest list of operations that reads well: for a replaced word, its
 * deletion and then its insertion.
 */
#ifndef CONSULTA_RENDER_DIFF_H
#define CONSULTA_RENDER_DIFF_H

#include "util/arena.h"

#include <stdbool.h>

enum diff_kind { DIFF_EQUAL, DIFF_INSERT, DIFF_DELETE };

struct diff_op {
	enum diff_kind kind;
	const char *text; /* UTF-8, never empty, in the arena */
};

/* "equal", "insert", "delete": the names the JSON API gives the operations. */
const char *diff_kind_name(enum diff_kind kind);

/* The operations that turn old_text into new_text (UTF-8, NUL-terminated; NULL reads as ""), in order: the
 * equal and deleted texts joined give old_text, the equal and inserted ones give new_text. *ops and its texts
 * are in the arena; two empty texts give no operation. Returns 0, or -1 when memory runs out or libgit2
 * fails (*ops is then NULL and *nops 0). Safe to call from several threads at once. */
int diff_words(struct arena *a, const char *old_text, const char *new_text, struct diff_op **ops, int *nops);

/* The number of tokens a text is cut into (for tests and limits). */
int diff_token_count(const char *text);

#endif
