/* language — see language.h. */
#include "core/language.h"

#include "core/language_cld2.h"
#include "util/i18n.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* What the classifier reads: enough for a sure answer, bounded so that a long text costs no more than a short
 * one. */
enum { DETECT_BYTES = 4096 };
/* Below this (counted without addresses and numbers), no answer: a word or two ("ok") says nothing of the sender.
 * 24 bytes are a short sentence in Latin or Cyrillic letters, eight characters of Chinese. */
enum { DETECT_MIN_BYTES = 24 };

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

bool language_tag_normalize(const char *tag, char out[LANGUAGE_TAG_LEN])
{
	out[0] = '\0';
	if (!tag)
		return false;
	size_t n = 0;
	while (is_alpha(tag[n]))
		n++;
	if (n < 2 || n > 3)
		return false;
	char buf[LANGUAGE_TAG_LEN];
	for (size_t i = 0; i < n; i++)
		buf[i] = lower(tag[i]);
	size_t len = n;
	if (tag[n] == '-' || tag[n] == '_') {
		const char *r = tag + n + 1;
		size_t m = 0;
		if (is_alpha(r[0]) && is_alpha(r[1]))
			m = 2;
		else if (is_digit(r[0]) && is_digit(r[1]) && is_digit(r[2]))
			m = 3;
		if (m == 0 || r[m])
			return false;
		buf[len++] = '-';
		for (size_t i = 0; i < m; i++)
			buf[len++] = upper(r[i]);
	} else if (tag[n]) {
		return false;
	}
	buf[len] = '\0';
	memcpy(out, buf, len + 1);
	return true;
}

/* A run of ASCII that is no word of any language: an address (web or mail: '/', '@', "example.org"), a number
 * or a reference with digits ("CL-20/55"), an identifier ("closes_on"). CLD2 reads "www.example.org" or
 * "kofi@example.org" as reliable English; such runs say nothing of the language the sender wrote in. */
static bool is_no_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char c = s[i];
		if (c == '@' || c == '/' || c == '_' || is_digit(c))
			return true;
		if (c == '.' && i > 0 && i + 1 < n && (is_alpha(s[i - 1]) || is_digit(s[i - 1])) &&
		    (is_alpha(s[i + 1]) || is_digit(s[i + 1])))
			return true;
	}
	return false;
}

/* text[0..len) into out without its runs that are no word (above), and returns out's length. A run ends at a
 * space or at any byte beyond ASCII, so that Chinese written against an address keeps every character. */
static size_t words_only(const char *text, size_t len, char *out)
{
	size_t n = 0, run = 0; /* run: where the current ASCII run started */
	for (size_t i = 0; i <= len; i++) {
		const unsigned char c = i < len ? (unsigned char)text[i] : ' ';
		const bool in_run =
		    c < 0x80 && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v';
		if (in_run)
			continue;
		if (i > run && !is_no_word(text + run, i - run)) {
			memcpy(out + n, text + run, i - run);
			n += i - run;
		}
		if (i < len)
			out[n++] = (char)c;
		run = i + 1;
	}
	return n;
}

/*
 * CLD2 allocates about 160 KB of buffers for each text and frees them when done. With glibc's default trim
 * threshold (128 KB) each free gives the arena's top back to the system and the next text takes it again, page
 * by page: `consulta import` spent some 10 % of its CPU there (sys time; 908-962 against 1,009-1,036 us of CPU a
 * contribution, two runs of 8,000 docket lines). A threshold of 1 MB keeps them; it holds for the whole process
 * (at most a megabyte more of free memory per arena, kept rather than given back).
 */
static void keep_freed_buffers(void)
{
	(void)mallopt(M_TRIM_THRESHOLD, 1 << 20);
}

int language_detect(const char *text, size_t len, char out[LANGUAGE_TAG_LEN])
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, keep_freed_buffers);
	out[0] = '\0';
	if (!text || len < DETECT_MIN_BYTES)
		return 0;
	if (len > DETECT_BYTES) {
		/* cut at a character's start, not inside a UTF-8 sequence */
		len = DETECT_BYTES;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	char words[DETECT_BYTES];
	len = words_only(text, len, words);
	if (len < DETECT_MIN_BYTES)
		return 0;
	char got[LANGUAGE_TAG_LEN];
	language_cld2_detect(words, len, got, sizeof got);
	/* CLD2 knows some 80 languages; only the offered ones are answers. A script variant counts as its language
	 * ("zh-Hant": Chinese). Any other ("de", "pt") is not known, rather than the nearest offered one. */
	got[strcspn(got, "-")] = '\0';
	if (got[0] && i18n_find(got))
		snprintf(out, LANGUAGE_TAG_LEN, "%s", got);
	return 0;
}
