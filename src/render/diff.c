/* diff — see diff.h. */
#include "render/diff.h"

#include <git2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *diff_kind_name(enum diff_kind kind)
{
	switch (kind) {
	case DIFF_EQUAL: return "equal";
	case DIFF_INSERT: return "insert";
	case DIFF_DELETE: return "delete";
	}
	return "equal";
}

/* What a character is, for cutting a text into tokens. */
enum char_class { C_WORD, C_SPACE, C_PUNCT, C_ALONE };

/* Decodes the character at s (valid UTF-8 expected; a stray byte reads as one character of its own). */
static uint32_t decode(const unsigned char *s, int *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	int n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	uint32_t c = n == 4 ? s[0] & 0x07u : n == 3 ? s[0] & 0x0Fu : s[0] & 0x1Fu;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*len = 1;
			return 0xFFFD;
		}
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	*len = n;
	return n == 1 ? 0xFFFD : c;
}

static enum char_class classify(uint32_t c)
{
	if (c < 0x80) {
		if (c == ' ' || (c >= '\t' && c <= '\r'))
			return C_SPACE;
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
			return C_WORD;
		return C_PUNCT;
	}
	if (c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	    c == 0x205F)
		return C_SPACE;
	/* Latin-1 punctuation and signs (not the letters), general punctuation, Arabic punctuation. */
	if ((c >= 0xA1 && c <= 0xBF && c != 0xAA && c != 0xB2 && c != 0xB3 && c != 0xB5 && c != 0xB9 && c != 0xBA) ||
	    c == 0xD7 || c == 0xF7 || (c >= 0x2010 && c <= 0x205E) || c == 0x060C || c == 0x061B || c == 0x061F ||
	    (c >= 0x066A && c <= 0x066D) || c == 0x06D4)
		return C_PUNCT;
	/* Scripts without spaces between words, and their punctuation: one token per character. */
	if ((c >= 0x0E00 && c <= 0x0EFF) || /* Thai, Lao */
	    (c >= 0x1000 && c <= 0x109F) || /* Myanmar */
	    (c >= 0x1780 && c <= 0x17FF) || /* Khmer */
	    (c >= 0x2E80 && c <= 0x31FF) || /* CJK radicals, CJK symbols and punctuation (incl. U+3000), kana */
	    (c >= 0x3400 && c <= 0x4DBF) || /* CJK extension A */
	    (c >= 0x4E00 && c <= 0x9FFF) || /* CJK unified ideographs */
	    (c >= 0xF900 && c <= 0xFAFF) || /* CJK compatibility ideographs */
	    (c >= 0xFF00 && c <= 0xFFEF) || /* full-width and half-width forms */
	    (c >= 0x20000 && c <= 0x3FFFF)) /* CJK extensions B and later */
		return C_ALONE;
	return C_WORD; /* letters and marks of every other script (Latin, Greek, Cyrillic, Arabic, Hebrew...) */
}

struct token {
	uint32_t off, len;
};

/* Cuts text into tokens; *out is malloc'd (NULL for no token). Returns the count, or -1 out of memory. */
static int tokenize(const char *text, struct token **out)
{
	*out = NULL;
	size_t n = 0, cap = 0;
	struct token *t = NULL;
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (s[i]) {
		int len;
		enum char_class cls = classify(decode(s + i, &len));
		size_t start = i;
		i += (size_t)len;
		if (cls == C_WORD || cls == C_SPACE)
			while (s[i]) {
				enum char_class next = classify(decode(s + i, &len));
				if (next != cls)
					break;
				i += (size_t)len;
			}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct token *grown = realloc(t, ncap * sizeof *t);
			if (!grown || ncap > INT32_MAX) {
				free(grown ? grown : t);
				return -1;
			}
			t = grown;
			cap = ncap;
		}
		t[n++] = (struct token){(uint32_t)start, (uint32_t)(i - start)};
	}
	*out = t;
	return (int)n;
}

int diff_token_count(const char *text)
{
	struct token *t;
	int n = tokenize(text ? text : "", &t);
	free(t);
	return n;
}

/* The tokens one per line, as libgit2 reads them: a backslash and a newline inside a token are escaped, so
 * two lines are equal exactly when their tokens are. malloc'd; NULL out of memory. */
static char *lines_of(const char *text, const struct token *t, int n, size_t *len)
{
	size_t size = 1;
	for (int k = 0; k < n; k++)
		size += 2 * (size_t)t[k].len + 1;
	char *out = malloc(size);
	if (!out)
		return NULL;
	size_t w = 0;
	for (int k = 0; k < n; k++) {
		for (uint32_t i = 0; i < t[k].len; i++) {
			char c = text[t[k].off + i];
			if (c == '\\' || c == '\n') {
				out[w++] = '\\';
				out[w++] = c == '\n' ? 'n' : '\\';
			} else {
				out[w++] = c;
			}
		}
		out[w++] = '\n';
	}
	out[w] = '\0';
	*len = w;
	return out;
}

struct marks {
	bool *deleted;  /* per old token */
	bool *inserted; /* per new token */
	int nold, nnew;
};

static int on_line(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *line, void *payload)
{
	(void)delta;
	(void)hunk;
	struct marks *m = payload;
	if (line->origin == GIT_DIFF_LINE_DELETION && line->old_lineno >= 1 && line->old_lineno <= m->nold)
		m->deleted[line->old_lineno - 1] = true;
	else if (line->origin == GIT_DIFF_LINE_ADDITION && line->new_lineno >= 1 && line->new_lineno <= m->nnew)
		m->inserted[line->new_lineno - 1] = true;
	return 0;
}

static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static int git_ready;

/* libgit2 wants its global state set up once per process; it stays until exit. */
static void git_start(void)
{
	git_ready = git_libgit2_init() > 0;
}

struct ops {
	struct arena *a;
	struct diff_op *items;
	int n, cap;
	bool failed;
};

/* Appends text[0..len) as an operation of kind, joined to the last one if it has the same kind. */
static void ops_add(struct ops *o, enum diff_kind kind, const char *from, const char *to)
{
	if (o->failed || from == to)
		return;
	if (o->n > 0 && o->items[o->n - 1].kind == kind) {
		/* Same kind as the last: the runs are adjacent in their text, so extend it. */
		struct diff_op *last = &o->items[o->n - 1];
		size_t had = strlen(last->text);
		char *joined = arena_alloc(o->a, had + (size_t)(to - from) + 1);
		if (!joined) {
			o->failed = true;
			return;
		}
		memcpy(joined, last->text, had);
		memcpy(joined + had, from, (size_t)(to - from));
		last->text = joined;
		return;
	}
	struct diff_op *op = arena_push(o->a, (void **)&o->items, &o->n, &o->cap, sizeof *op);
	char *text = op ? arena_strndup(o->a, from, (size_t)(to - from)) : NULL;
	if (!text) {
		o->failed = true;
		return;
	}
	op->kind = kind;
	op->text = text;
}

/* Adds the runs of tokens [from, to) of text, which are contiguous in it. */
static void ops_tokens(struct ops *o, enum diff_kind kind, const char *text, const struct token *t, int from, int to)
{
	if (from < to)
		ops_add(o, kind, text + t[from].off, text + t[to - 1].off + t[to - 1].len);
}

int diff_words(struct arena *a, const char *old_text, const char *new_text, struct diff_op **ops, int *nops)
{
	*ops = NULL;
	*nops = 0;
	old_text = old_text ? old_text : "";
	new_text = new_text ? new_text : "";
	struct ops o = {.a = a};
	if (!strcmp(old_text, new_text)) {
		ops_add(&o, DIFF_EQUAL, old_text, old_text + strlen(old_text));
		goto done;
	}
	if (!*old_text || !*new_text) {
		ops_add(&o, DIFF_DELETE, old_text, old_text + strlen(old_text));
		ops_add(&o, DIFF_INSERT, new_text, new_text + strlen(new_text));
		goto done;
	}
	if (pthread_once(&git_once, git_start) != 0 || !git_ready)
		return -1;

	struct token *told = NULL, *tnew = NULL;
	char *bold = NULL, *bnew = NULL;
	struct marks m = {0};
	int rc = -1;
	int nold = tokenize(old_text, &told), nnew = tokenize(new_text, &tnew);
	size_t lold = 0, lnew = 0;
	if (nold < 0 || nnew < 0 || !(bold = lines_of(old_text, told, nold, &lold)) ||
	    !(bnew = lines_of(new_text, tnew, nnew, &lnew)))
		goto out;
	m.nold = nold;
	m.nnew = nnew;
	m.deleted = calloc((size_t)nold + 1, sizeof *m.deleted);
	m.inserted = calloc((size_t)nnew + 1, sizeof *m.inserted);
	if (!m.deleted || !m.inserted)
		goto out;
	git_diff_options opt = GIT_DIFF_OPTIONS_INIT;
	opt.context_lines = 0;
	opt.interhunk_lines = 0;
	/* Text whatever the bytes look like (libgit2 would call a buffer with odd bytes binary and say nothing). */
	opt.flags = GIT_DIFF_FORCE_TEXT;
	if (git_diff_buffers(bold, lold, NULL, bnew, lnew, NULL, &opt, NULL, NULL, NULL, on_line, &m) != 0)
		goto out;

	/* Walk both token lists: changed runs (deletions, then insertions) between the equal tokens, which
	 * pair up in order. */
	int i = 0, j = 0;
	while (i < nold || j < nnew) {
		int di = i, dj = j;
		while (di < nold && m.deleted[di])
			di++;
		while (dj < nnew && m.inserted[dj])
			dj++;
		ops_tokens(&o, DIFF_DELETE, old_text, told, i, di);
		ops_tokens(&o, DIFF_INSERT, new_text, tnew, j, dj);
		i = di;
		j = dj;
		int ei = i, ej = j;
		while (ei < nold && ej < nnew && !m.deleted[ei] && !m.inserted[ej]) {
			ei++;
			ej++;
		}
		ops_tokens(&o, DIFF_EQUAL, old_text, told, i, ei);
		if (ei == i && ej == j && (i < nold || j < nnew) && (i >= nold || !m.deleted[i]) &&
		    (j >= nnew || !m.inserted[j])) {
			/* An equal token on one side only: libgit2 and the walk disagree, which cannot happen for
			 * a correct diff. Call the rest changed rather than loop. */
			ops_tokens(&o, DIFF_DELETE, old_text, told, i, nold);
			ops_tokens(&o, DIFF_INSERT, new_text, tnew, j, nnew);
			break;
		}
		i = ei;
		j = ej;
	}
	rc = 0;
out:
	free(told);
	free(tnew);
	free(bold);
	free(bnew);
	free(m.deleted);
	free(m.inserted);
	if (rc != 0)
		return -1;
done:
	if (o.failed)
		return -1;
	*ops = o.items;
	*nops = o.n;
	return 0;
}
