/*
 * bench-langid — bench/langid.sh's driver: language detection's accuracy and speed on a corpus whose languages
 * are known (bench/langid_corpus.py), for this build's language_detect() (CLD2) and, beside it on the same texts
 * in the same run, libexttextcat as core/language.c used it until CLD2 replaced it (the offered languages'
 * fingerprints only, the same 24-byte floor and 4 KB cut): built only where libexttextcat-dev is installed.
 *
 *   bench-langid CORPUS.tsv [ROUNDS]
 *
 * Prints, per kind of text and detector: texts, right answers (EXPECTED met; "a|b": either), wrong guesses (a
 * language where "" or another was expected), unknowns (where a language was expected), and the mean CPU time a
 * text in microseconds over ROUNDS passes (default 20; one thread). BENCH_LANGID_LIST=1 lists instead each text
 * whose two answers differ.
 */
#include "core/language.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef BENCH_TEXTCAT
#include <textcat.h>
#endif

enum { MAX_TEXTS = 4096, DETECT_MIN_BYTES = 24, DETECT_BYTES = 4096 };

struct text {
	char kind[32];
	char expected[32];
	char *text;
	size_t len;
};

typedef void (*detector)(const char *text, size_t len, char out[LANGUAGE_TAG_LEN]);

static void with_cld2(const char *text, size_t len, char out[LANGUAGE_TAG_LEN])
{
	(void)language_detect(text, len, out);
}

#ifdef BENCH_TEXTCAT
static void *textcat;

/* core/language.c before CLD2, less its locks: one thread here */
static void with_textcat(const char *text, size_t len, char out[LANGUAGE_TAG_LEN])
{
	out[0] = '\0';
	if (len < DETECT_MIN_BYTES)
		return;
	if (len > DETECT_BYTES) {
		len = DETECT_BYTES;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	const char *r = textcat_Classify(textcat, text, len);
	if (r && r[0] == '[') {
		size_t m = strcspn(r + 1, "]");
		if (m < LANGUAGE_TAG_LEN) {
			memcpy(out, r + 1, m);
			out[m] = '\0';
		}
	}
}

static int textcat_load(void)
{
	static const char *const codes[] = {"ar", "zh", "en", "fr", "ru", "es"};
	char path[] = "/tmp/bench-langid-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f)
		return -1;
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		fprintf(f, "/usr/share/libexttextcat/%s.lm %s\n", !strcmp(codes[i], "zh") ? "zh-Hans" : codes[i],
		        codes[i]);
	fclose(f);
	textcat = textcat_Init(path);
	remove(path);
	return textcat ? 0 : -1;
}
#endif

static bool right(const char *expected, const char *got)
{
	char e[32];
	snprintf(e, sizeof e, "%s", expected);
	for (char *p = e, *bar; p; p = bar ? bar + 1 : NULL) {
		bar = strchr(p, '|');
		if (bar)
			*bar = '\0';
		if (!strcmp(p, got))
			return true;
	}
	return false;
}

/* CPU time of this thread, not the wall's: on a machine shared with other work, the figure moves less */
static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void measure(const char *name, detector d, struct text *texts, size_t n, int rounds)
{
	/* kinds in the corpus's order */
	const char *kinds[64];
	size_t nkinds = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < nkinds && strcmp(kinds[k], texts[i].kind))
			k++;
		if (k == nkinds && nkinds < 64)
			kinds[nkinds++] = texts[i].kind;
	}
	size_t all = 0, all_right = 0;
	for (size_t k = 0; k < nkinds; k++) {
		size_t count = 0, ok = 0, wrong = 0, unknown = 0, bytes = 0;
		char misses[512] = "";
		for (size_t i = 0; i < n; i++) {
			if (strcmp(texts[i].kind, kinds[k]))
				continue;
			char out[LANGUAGE_TAG_LEN];
			d(texts[i].text, texts[i].len, out);
			count++;
			bytes += texts[i].len;
			if (right(texts[i].expected, out))
				ok++;
			else if (out[0])
				wrong++;
			else
				unknown++;
			if (!right(texts[i].expected, out) && strlen(misses) < sizeof misses - 16) {
				size_t m = strlen(misses);
				snprintf(misses + m, sizeof misses - m, " %s>%s",
				         texts[i].expected[0] ? texts[i].expected : "-", out[0] ? out : "-");
			}
		}
		double t0 = seconds();
		for (int r = 0; r < rounds; r++)
			for (size_t i = 0; i < n; i++)
				if (!strcmp(texts[i].kind, kinds[k])) {
					char out[LANGUAGE_TAG_LEN];
					d(texts[i].text, texts[i].len, out);
				}
		double us = (seconds() - t0) * 1e6 / (double)(count * (size_t)rounds);
		printf("%-9s %-11s texts %4zu  mean %5zu B  right %4zu (%5.1f %%)  wrong %3zu  unknown %3zu  %8.1f us "
		       "a text%s%s\n",
		       name, kinds[k], count, bytes / count, ok, 100.0 * (double)ok / (double)count, wrong, unknown, us,
		       misses[0] ? "  misses (expected>got):" : "", misses);
		all += count;
		all_right += ok;
	}
	printf("%-9s all         texts %4zu  right %4zu (%5.1f %%)\n", name, all, all_right,
	       100.0 * (double)all_right / (double)all);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-langid CORPUS.tsv [ROUNDS]\n");
		return 2;
	}
	const int rounds = argc > 2 ? atoi(argv[2]) : 20;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	static struct text texts[MAX_TEXTS];
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	while (n < MAX_TEXTS && (got = getline(&line, &cap, f)) > 0) {
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			continue;
		*t1 = *t2 = '\0';
		snprintf(texts[n].kind, sizeof texts[n].kind, "%s", line);
		snprintf(texts[n].expected, sizeof texts[n].expected, "%s", t1 + 1);
		texts[n].text = strdup(t2 + 1);
		texts[n].len = strlen(t2 + 1);
		n++;
	}
	free(line);
	fclose(f);
	if (n == 0 || rounds < 1) {
		fprintf(stderr, "bench-langid: no texts in %s\n", argv[1]);
		return 1;
	}
#ifdef BENCH_TEXTCAT
	if (textcat_load() != 0) {
		fprintf(stderr, "bench-langid: libexttextcat's fingerprints could not be loaded\n");
		return 1;
	}
	/* BENCH_LANGID_LIST=1: each text's answers where the two differ, for reading, then nothing else */
	if (getenv("BENCH_LANGID_LIST")) {
		for (size_t i = 0; i < n; i++) {
			char a[LANGUAGE_TAG_LEN], b[LANGUAGE_TAG_LEN];
			with_cld2(texts[i].text, texts[i].len, a);
			with_textcat(texts[i].text, texts[i].len, b);
			if (strcmp(a, b))
				printf("cld2 %-3s textcat %-3s %.100s\n", a[0] ? a : "-", b[0] ? b : "-",
				       texts[i].text);
		}
		return 0;
	}
#endif
	measure("cld2", with_cld2, texts, n, rounds);
#ifdef BENCH_TEXTCAT
	printf("\n");
	measure("textcat", with_textcat, texts, n, rounds);
	textcat_Done(textcat);
#else
	printf("(libexttextcat-dev not installed: no comparison)\n");
#endif
	for (size_t i = 0; i < n; i++)
		free(texts[i].text);
	return 0;
}
