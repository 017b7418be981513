/* i18n — see i18n.h. */
#include "util/i18n.h"

#include "util/clock.h"
#include "util/tz.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

#ifndef CONSULTA_LOCALEDIR
#define CONSULTA_LOCALEDIR "/usr/local/share/consulta/locale"
#endif

static const struct i18n_language languages[] = {
    {"ar", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", true},
    {"zh", "\u4e2d\u6587", false},
    {"en", "English", false},
    {"fr", "Fran\u00e7ais", false},
    {"ru", "\u0420\u0443\u0441\u0441\u043a\u0438\u0439", false},
    {"es", "Espa\u00f1ol", false},
#ifdef CONSULTA_PSEUDO_LOCALE
    {I18N_PSEUDO, "[Pseudo]", false},
#endif
};
enum { NLANGUAGES = sizeof languages / sizeof *languages };

/* Each language's text domain ("consulta-fr"), bound once by i18n_init() and read-only afterwards. */
static char domains[NLANGUAGES][32];
static char dir[PATH_MAX];
/* C.UTF-8: gettext looks catalogues up under the thread's LC_MESSAGES name ("C" would mean "do not
 * translate"); UTF-8 so that nothing is converted. NULL until i18n_init(), or if missing. */
static locale_t c_utf8;
static _Thread_local const char *current;

static int index_of(const char *code);

/* Each language's date patterns (UTF-16), from CLDR's skeletons by ICU's pattern generator, chosen once by
 * i18n_init(): an instant (day, month by name, year, hour and minute as the language writes them, the zone's
 * specific long name, which says summer time), and a day. Empty when ICU had none. */
enum { PATTERN_LEN = 96 };
static UChar instant_pattern[NLANGUAGES][PATTERN_LEN];
static UChar date_pattern[NLANGUAGES][PATTERN_LEN];

/* ICU's locale for a language: the pseudo-locale's dates are English. */
static const char *icu_locale(int i)
{
	return !strcmp(languages[i].code, I18N_PSEUDO) ? "en" : languages[i].code;
}

/* The locale a formatter opens: the language's, writing Western digits. Every other number of a page (counts,
 * times of meetings, "14 days left") is printf's, and ICU's default for "ar" (Arabic-Indic, ٢٠٢١, before CLDR 42)
 * would mix two kinds of digits on one page; CLDR's default for Arabic is now Latin digits too, as browsers'. */
static char format_locale[NLANGUAGES][32];

static const char *icu_format_locale(int i)
{
	if (!format_locale[i][0])
		return icu_locale(i);
	return format_locale[i];
}

static void patterns_choose(void)
{
	for (int i = 0; i < NLANGUAGES; i++) {
		snprintf(format_locale[i], sizeof format_locale[i], "%s@numbers=latn", icu_locale(i));
		UErrorCode st = U_ZERO_ERROR;
		UDateTimePatternGenerator *g = udatpg_open(icu_locale(i), &st);
		if (U_FAILURE(st))
			continue;
		UChar skeleton[32];
		u_uastrcpy(skeleton, "yMMMMdjmmzzzz");
		udatpg_getBestPattern(g, skeleton, -1, instant_pattern[i], PATTERN_LEN, &st);
		if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
			instant_pattern[i][0] = 0;
		st = U_ZERO_ERROR;
		u_uastrcpy(skeleton, "yMMMMd");
		udatpg_getBestPattern(g, skeleton, -1, date_pattern[i], PATTERN_LEN, &st);
		if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
			date_pattern[i][0] = 0;
		udatpg_close(g);
	}
}

/* Formats ms (since the epoch) with pattern in zone tzid into out as UTF-8. */
static int format_with(int i, const UChar *pattern, const char *tzid, double ms, char out[I18N_DATE_LEN])
{
	if (!pattern[0])
		return -1;
	UChar zone[64];
	if (strlen(tzid) >= sizeof zone / sizeof *zone)
		return -1;
	u_uastrcpy(zone, tzid);
	UErrorCode st = U_ZERO_ERROR;
	/* ICU falls back to GMT for a zone it does not know, silently: refuse it rather than show a wrong time. */
	UChar canonical[64];
	UBool system = false;
	ucal_getCanonicalTimeZoneID(zone, -1, canonical, 64, &system, &st);
	if (U_FAILURE(st) || !system)
		return -1;
	UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, icu_format_locale(i), zone, -1, pattern, -1, &st);
	if (U_FAILURE(st))
		return -1;
	UChar text[I18N_DATE_LEN];
	int32_t n = udat_format(f, ms, text, I18N_DATE_LEN, NULL, &st);
	udat_close(f);
	if (U_FAILURE(st) || n >= I18N_DATE_LEN)
		return -1;
	char utf8[I18N_DATE_LEN];
	u_strToUTF8(utf8, I18N_DATE_LEN, NULL, text, n, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return -1;
	memcpy(out, utf8, I18N_DATE_LEN);
	return 0;
}

int i18n_format_instant(const char *lang, const char *tzid, int64_t t, char out[I18N_DATE_LEN])
{
	int i = index_of(lang);
	if (i < 0 || !tzid)
		return -1;
	return format_with(i, instant_pattern[i], tzid, (double)t * 1000.0, out);
}

int i18n_format_date(const char *lang, const char *date, char out[I18N_DATE_LEN])
{
	int i = index_of(lang);
	int y, m, d, end = 0;
	if (i < 0 || !date || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &end) != 3 || end != 10 || date[10] ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	/* Noon UTC of that day, shown in UTC: the same day in every zone's reckoning. */
	int64_t days = clock_days_from_civil(y, m, d);
	return format_with(i, date_pattern[i], "UTC", ((double)days * 86400.0 + 43200.0) * 1000.0, out);
}

/* The build's catalogues if this binary is one of the build's: its path starts with the build root. */
static bool build_dir_applies(void)
{
#ifdef CONSULTA_BUILD_ROOT
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	size_t root = strlen(CONSULTA_BUILD_ROOT);
	return !strncmp(exe, CONSULTA_BUILD_ROOT, root) && exe[root] == '/';
#else
	return false;
#endif
}

int i18n_init(void)
{
	const char *env = getenv("CONSULTA_LOCALEDIR");
#ifdef CONSULTA_BUILD_LOCALEDIR
	const char *chosen = env && *env ? env : build_dir_applies() ? CONSULTA_BUILD_LOCALEDIR : CONSULTA_LOCALEDIR;
#else
	(void)build_dir_applies;
	const char *chosen = env && *env ? env : CONSULTA_LOCALEDIR;
#endif
	snprintf(dir, sizeof dir, "%s", chosen);
	for (int i = 0; i < NLANGUAGES; i++) {
		snprintf(domains[i], sizeof domains[i], "consulta-%s", languages[i].code);
		bindtextdomain(domains[i], dir);
		bind_textdomain_codeset(domains[i], "UTF-8");
	}
	patterns_choose();
	if (!c_utf8)
		c_utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
	return c_utf8 ? 0 : -1;
}

const char *i18n_dir(void)
{
	return dir;
}

const struct i18n_language *i18n_languages(size_t *n)
{
	*n = NLANGUAGES;
	return languages;
}

static int index_of(const char *code)
{
	for (int i = 0; code && i < NLANGUAGES; i++)
		if (!strcasecmp(code, languages[i].code))
			return i;
	return -1;
}

const struct i18n_language *i18n_find(const char *code)
{
	int i = index_of(code);
	return i < 0 ? NULL : &languages[i];
}

/* The offered language for one tag of a list, tag[0..len): itself, else its primary subtag. */
static const struct i18n_language *match_tag(const char *tag, size_t len)
{
	char one[64];
	if (len == 0 || len >= sizeof one)
		return NULL;
	memcpy(one, tag, len);
	one[len] = '\0';
	const struct i18n_language *l = i18n_find(one);
	if (l)
		return l;
	char *dash = strchr(one, '-');
	if (!dash)
		return NULL;
	*dash = '\0';
	return i18n_find(one);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A q-value's thousandths (RFC 9110: 0, 1, 0.5, 0.125); -1 if malformed. */
static int q_thousandths(const char *s, size_t n)
{
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

const struct i18n_language *i18n_accept(const char *accept_language)
{
	const struct i18n_language *best = NULL;
	int best_q = 0;
	for (const char *p = accept_language; p && *p;) {
		size_t len = strcspn(p, ",");
		const char *end = p + len;
		const char *a = p;
		while (a < end && is_space(*a))
			a++;
		size_t tag_len = strcspn(a, ";, \t");
		if (a + tag_len > end)
			tag_len = (size_t)(end - a);
		int q = 1000;
		for (const char *s = a + tag_len; s < end;) { /* parameters: only q counts */
			while (s < end && (is_space(*s) || *s == ';'))
				s++;
			size_t plen = 0;
			while (s + plen < end && s[plen] != ';')
				plen++;
			size_t vlen = plen;
			while (vlen > 0 && is_space(s[vlen - 1]))
				vlen--;
			if (vlen > 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=')
				q = q_thousandths(s + 2, vlen - 2);
			s += plen;
		}
		const struct i18n_language *l = match_tag(a, tag_len);
		if (l && q > best_q) {
			best = l;
			best_q = q;
		}
		p = *end ? end + 1 : end;
	}
	return best;
}

const struct i18n_language *i18n_first_of(const char *list)
{
	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t len = strcspn(p, ", ");
		const struct i18n_language *l = match_tag(p, len);
		if (l)
			return l;
		p += len;
	}
	return NULL;
}

const char *i18n_text(const char *lang, const char *msgid)
{
	int i = index_of(lang);
	if (i < 0 || !c_utf8 || !msgid || !*msgid)
		return msgid;
	locale_t was = uselocale(c_utf8);
	const char *s = dcgettext(domains[i], msgid, LC_MESSAGES);
	uselocale(was);
	return s;
}

const char *i18n_text_ctx(const char *lang, const char *ctx, const char *msgid)
{
	int i = index_of(lang);
	if (i < 0 || !c_utf8 || !msgid || !*msgid || !ctx)
		return msgid;
	/* gettext keeps an entry with a context under "context\004msgid" (what pgettext looks up) */
	char key[1024];
	const int n = snprintf(key, sizeof key, "%s\004%s", ctx, msgid);
	if (n < 0 || (size_t)n >= sizeof key)
		return msgid;
	locale_t was = uselocale(c_utf8);
	const char *s = dcgettext(domains[i], key, LC_MESSAGES);
	uselocale(was);
	return s == key ? msgid : s; /* not found: gettext gives the key back, which lives on this stack */
}

const char *i18n_plural(const char *lang, const char *one, const char *many, unsigned long n)
{
	int i = index_of(lang);
	if (i < 0 || !c_utf8)
		return n == 1 ? one : many;
	locale_t was = uselocale(c_utf8);
	const char *s = dcngettext(domains[i], one, many, n, LC_MESSAGES);
	uselocale(was);
	return s;
}

/* English and the pseudo-locale keep the house style: its form ("Zurich time (UTC+1)") is the one the
 * secretariat's texts and the tests were written for; ICU's English would differ only in wording. */
static bool by_icu(const char **lang)
{
	if (!*lang)
		*lang = current;
	return *lang && strcmp(*lang, I18N_DEFAULT) && strcmp(*lang, I18N_PSEUDO);
}

void i18n_date_long(const char *lang, const char *date, char out[I18N_DATE_LEN])
{
	if (by_icu(&lang) && i18n_format_date(lang, date, out) == 0)
		return;
	char house[32];
	clock_format_date_long(date ? date : "", house);
	memcpy(out, house, sizeof house);
}

int i18n_instant_long(const char *lang, const char *tzid, int64_t t, char out[I18N_DATE_LEN])
{
	if (by_icu(&lang) && i18n_format_instant(lang, tzid, t, out) == 0)
		return 0;
	char house[TZ_HUMAN_LEN];
	int rc = tz_format_human(tzid, t, house);
	memcpy(out, house, sizeof house);
	return rc;
}

int i18n_language_display(const char *tag, const char *in, char out[I18N_DATE_LEN])
{
	if (!in)
		in = current;
	if (!tag || !*tag || !in || !strcmp(in, I18N_PSEUDO))
		return -1;
	UChar u[128];
	UErrorCode st = U_ZERO_ERROR;
	const int32_t n = uloc_getDisplayLanguage(tag, in, u, (int32_t)(sizeof u / sizeof *u), &st);
	/* ICU gives the tag back for a language it cannot name: that is no name */
	if (U_FAILURE(st) || st == U_USING_DEFAULT_WARNING || n <= 0)
		return -1;
	st = U_ZERO_ERROR;
	u_strToUTF8(out, I18N_DATE_LEN, NULL, u, n, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || !strcmp(out, tag))
		return -1;
	return 0;
}

void i18n_use(const char *lang)
{
	current = lang;
}

const char *i18n_current(void)
{
	return current;
}

void i18n_size(size_t bytes, bool round_up, char out[I18N_SIZE_LEN])
{
	const size_t mb = 1024 * 1024, up = round_up ? 1 : 0;
	const size_t tenths = (bytes * 10 + up * (mb - 1)) / mb;
	if (bytes >= 10 * mb || (bytes >= mb && tenths % 10 == 0))
		snprintf(out, I18N_SIZE_LEN, _("%d MB"), (int)((bytes + up * (mb - 1)) / mb));
	else if (bytes >= mb)
		/* TRANSLATORS: a size with one decimal, as "2.5 MB": %1$d is its whole megabytes, %2$d its tenth;
		 * write your language's decimal separator between them. */
		snprintf(out, I18N_SIZE_LEN, _("%d.%d MB"), (int)(tenths / 10), (int)(tenths % 10));
	else
		snprintf(out, I18N_SIZE_LEN, _("%d KB"), (int)((bytes + up * 1023) / 1024));
}
