/* language — see language.h. */
#include "core/language.h"

#include "util/i18n.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <textcat.h>
#include <unistd.h>

#ifndef CONSULTA_TEXTCAT_DIR
#define CONSULTA_TEXTCAT_DIR "/usr/share/libexttextcat"
#endif

/* What the classifier reads: enough for a sure answer (its authors advise a few hundred bytes), bounded so that a
 * long text costs no more than a short one. */
enum { DETECT_BYTES = 4096 };
/* Below this, no answer: the classifier names a language for a word or two ("ok": English), which says nothing of
 * the sender. 24 bytes are a short sentence in Latin or Cyrillic letters, eight characters of Chinese. */
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

/* The fingerprint file of each offered language in libexttextcat-data: Chinese as the simplified script. */
static const char *fingerprint_of(const char *code)
{
	return !strcmp(code, "zh") ? "zh-Hans" : code;
}

/*
 * Classifiers, each behind its own lock: a classification takes 0.1-0.4 ms (libexttextcat builds and sorts the
 * text's n-grams, then compares them with each language's), and with one classifier behind one lock the threads
 * that check contributions queued for it: `consulta import` of 1 KB texts ran at about 900 a second on two cores,
 * its 32 threads taking turns. A handle is ~64 KB; a few serve any number of threads, as no more classify at once
 * than there are cores. Each is loaded the first time a thread takes it.
 */
enum { CLASSIFIERS = 8 };
static struct classifier_slot {
	pthread_mutex_t lock;
	void *handle; /* NULL until loaded */
} slots[CLASSIFIERS]; /* their locks made by fingerprint_list_write, before any is taken */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int list_fd = -1;     /* the list of fingerprints, kept open for the slots' loads; -1: none */
static char list_path[64];   /* /proc/self/fd/N of list_fd */
static _Atomic bool missing; /* a load failed: no fingerprints installed */

/*
 * Writes the list of fingerprints of the offered languages once, restricted to them: fewer candidates make a
 * surer answer for the languages a process works in (among 160 fingerprints, a short French text is often taken
 * for Walloon or Occitan). The library reads its list from a file only: the list is written to an anonymous
 * memory file, read through /proc, so that nothing is left on disk.
 */
static void fingerprint_list_write(void)
{
	for (int i = 0; i < CLASSIFIERS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
	int fd = memfd_create("consulta-textcat", MFD_CLOEXEC);
	if (fd < 0)
		return;
	size_t n = 0;
	const struct i18n_language *l = i18n_languages(&n);
	const int w = dup(fd); /* the stream's own, closed with it: fd stays open for the loads */
	FILE *f = w >= 0 ? fdopen(w, "w") : NULL;
	if (!f) {
		if (w >= 0)
			close(w);
		close(fd);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].code, I18N_PSEUDO) != 0)
			fprintf(f, "%s/%s.lm %s\n", CONSULTA_TEXTCAT_DIR, fingerprint_of(l[i].code), l[i].code);
	if (fclose(f) != 0) {
		close(fd);
		return;
	}
	list_fd = fd;
	snprintf(list_path, sizeof list_path, "/proc/self/fd/%d", fd);
}

/* A free classifier, locked (loaded if it was not yet), or NULL when none can be loaded. start spreads the
 * threads over the slots; when every one is busy, the thread waits for its own. */
static struct classifier_slot *classifier_take(unsigned start)
{
	struct classifier_slot *s = NULL;
	for (unsigned i = 0; i < CLASSIFIERS && !s; i++)
		if (pthread_mutex_trylock(&slots[(start + i) % CLASSIFIERS].lock) == 0)
			s = &slots[(start + i) % CLASSIFIERS];
	if (!s) {
		s = &slots[start % CLASSIFIERS];
		pthread_mutex_lock(&s->lock);
	}
	if (!s->handle && !missing) {
		s->handle = textcat_Init(list_path);
		if (!s->handle)
			missing = true;
	}
	if (!s->handle) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	return s;
}

int language_detect(const char *text, size_t len, char out[LANGUAGE_TAG_LEN])
{
	out[0] = '\0';
	pthread_once(&once, fingerprint_list_write);
	if (list_fd < 0 || missing)
		return -1;
	if (!text || len < DETECT_MIN_BYTES)
		return 0;
	if (len > DETECT_BYTES) {
		/* cut at a character's start, not inside a UTF-8 sequence */
		len = DETECT_BYTES;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	/* a thread's own slot first, given in turn to each thread on its first classification */
	static _Atomic unsigned next_home;
	static _Thread_local unsigned home = CLASSIFIERS;
	if (home == CLASSIFIERS)
		home = atomic_fetch_add(&next_home, 1) % CLASSIFIERS;
	struct classifier_slot *s = classifier_take(home);
	if (!s)
		return -1;
	/* "[fr][es]" when it hesitates (the first is the likeliest), "SHORT" or "UNKNOWN" when it cannot tell */
	const char *r = textcat_Classify(s->handle, text, len);
	char got[LANGUAGE_TAG_LEN] = "";
	if (r && r[0] == '[') {
		size_t m = strcspn(r + 1, "]");
		if (m < sizeof got) {
			memcpy(got, r + 1, m);
			got[m] = '\0';
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (i18n_find(got))
		snprintf(out, LANGUAGE_TAG_LEN, "%s", got);
	return 0;
}
