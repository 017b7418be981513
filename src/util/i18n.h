/*
 * i18n — the interface's words in the reader's language, through GNU gettext.
 *
 * Each language is its own text domain ("consulta-fr"), its catalogue
 * compiled by the build from po/fr.po (po/meson.build) into
 * <dir>/C/LC_MESSAGES/consulta-fr.mo. A lookup runs under the C.UTF-8
 * locale, which glibc always has, set for the calling thread only
 * (uselocale) and restored at once: so no system locale needs generating,
 * the process's locale and TZ are never changed, and every thread may ask
 * for a different language at the same moment. glibc reads and caches each
 * catalogue once and evaluates its Plural-Forms (Arabic has six forms).
 *
 * A string not in a catalogue, or a language not offered, comes back as the
 * English msgid: the page is still whole, only not translated.
 *
 * In code: _("text") translates in the thread's current language (set by the
 * server for each request: i18n_use()); N_("text") only marks a string for
 * extraction (a table of labels translated where shown); i18n_n(one, many, n)
 * picks the plural form. Never assemble a sentence from translated pieces:
 * give the translator the whole sentence with its %s and %d. C_(ctx, "text")
 * translates an English text that has two senses in the interface (a
 * meeting's "Cancelled: %s" and a milestone's: French says "Annulée" of a
 * réunion, "Annulé" of a jalon) as two entries told apart by their context
 * (gettext's msgctxt, as pgettext does); NC_(ctx, "text") only marks one.
 */
#ifndef CONSULTA_UTIL_I18N_H
#define CONSULTA_UTIL_I18N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The languages offered, in the switcher's order; I18N_DEFAULT is also the msgids' language. */
#define I18N_DEFAULT "en"
/* The pseudo-locale (every string bracketed and 40 % longer), offered only in test builds. */
#define I18N_PSEUDO "en-XA"

struct i18n_language {
	const char *code; /* BCP 47 tag, as in <html lang> and the cookie: "fr" */
	const char *name; /* its own name for itself: "Français" */
	bool rtl;         /* written right to left */
};

/* Finds the catalogues: $CONSULTA_LOCALEDIR if set, else the build's po/ when the running binary is one of the
 * build's (tests run without installing), else the installed directory. Call once, before threads start
 * after unsetting $LANGUAGE, which would override every lookup (main() does). Returns 0, or -1 if C.UTF-8 is missing
 * (then every string is English). */
int i18n_init(void);
/* The directory in use (for the log). */
const char *i18n_dir(void);

/* The languages offered (the pseudo-locale included only in test builds), n of them. */
const struct i18n_language *i18n_languages(size_t *n);
/* The offered language whose tag is code, compared without case; NULL if none. "fr-CH" is not "fr". */
const struct i18n_language *i18n_find(const char *code);
/* The offered language an Accept-Language value prefers most (q-values, then order; "fr-CH" counts as "fr"
 * when no offered language is "fr-CH"; q=0 refuses), or NULL if it names none. */
const struct i18n_language *i18n_accept(const char *accept_language);
/* The first offered language in a list of tags separated by commas ("fr, en"), or NULL. */
const struct i18n_language *i18n_first_of(const char *list);

/* msgid in language lang (a code i18n_find knows; anything else: msgid). The result is msgid itself or lives
 * as long as the process. Thread-safe. As a printf format (error_set(e, code, _("…%s"), x)), the compiler
 * checks the msgid's directives against the arguments (format_arg); po.py checks each translation's. */
const char *i18n_text(const char *lang, const char *msgid) __attribute__((format_arg(2)));
/* msgid in lang in the sense ctx names (the catalogue's msgctxt, as gettext's pgettext): the translation of the
 * entry with that context, else msgid (never another context's). Rules as i18n_text(). */
const char *i18n_text_ctx(const char *lang, const char *ctx, const char *msgid) __attribute__((format_arg(3)));
/* The plural form for n of one/many in lang ("%d file" / "%d files"), msgid rules as i18n_text(). */
const char *i18n_plural(const char *lang, const char *one, const char *many, unsigned long n)
    __attribute__((format_arg(2), format_arg(3)));

/*
 * Dates and instants as the language writes them, by ICU (CLDR's patterns for the locale): the day, month
 * and year, and for an instant the time of day in the zone tzid with the zone's name as it is at that instant
 * ("29 mars 2026 à 03:00 heure d’été d’Europe centrale"), in Western digits in every language (Arabic too, as
 * the page's other numbers are: one page never mixes ٢٠٢١ and 2021). The patterns are chosen once, by i18n_init(); a call opens its own formatter, so threads share
 * nothing. Return 0, or -1 (out unchanged) for a language not offered, a zone ICU does not know, a malformed
 * date, or an ICU error.
 */
enum { I18N_DATE_LEN = 256 };
/* A size as a person reads it in the thread's language ("25 MB", "2.5 MB", "512 KB"; the decimal separator the
 * translation's), whole megabytes from 10 MB up: rounded down for a limit (a limit told must not promise more
 * than it takes), up for what was sent (so that a file over a limit never reads as the limit). */
enum { I18N_SIZE_LEN = 64 };
void i18n_size(size_t bytes, bool round_up, char out[I18N_SIZE_LEN]);
/* t: seconds since the epoch (UTC); tzid: an IANA zone ("Europe/Zurich"). */
int i18n_format_instant(const char *lang, const char *tzid, int64_t t, char out[I18N_DATE_LEN]);
/* date: "YYYY-MM-DD", a calendar day (no zone). */
int i18n_format_date(const char *lang, const char *date, char out[I18N_DATE_LEN]);

/*
 * The one choice of how a date is written for a reader (pages, mails, PDFs; never machine formats, which keep
 * ISO 8601 / RFC forms): ICU's form above for a language other than English, the house style for English and
 * the pseudo-locale (clock_format_date_long "15 February 2021", tz_format_human "15 February 2021, 23:59
 * Zurich time (UTC+1)"), which is also the fallback when ICU fails. lang NULL: the thread's (i18n_current()).
 */
/* date: "YYYY-MM-DD". Always fills out. */
void i18n_date_long(const char *lang, const char *date, char out[I18N_DATE_LEN]);
/* The name of the language tag in the language in (NULL: the thread's), by ICU, into out: "anglais" for "en" in
 * "fr", as a sentence says it (a list of languages names each in its own: page_language_name()). -1 (out
 * undefined) in the pseudo-locale or for a language ICU cannot name. */
int i18n_language_display(const char *tag, const char *in, char out[I18N_DATE_LEN]);
/* An instant in zone tzid. Always fills out; -1 when the zone is unknown to both (out then in UTC). */
int i18n_instant_long(const char *lang, const char *tzid, int64_t t, char out[I18N_DATE_LEN]);

/* The calling thread's language for _() and i18n_n(), until changed (NULL: English). The string must outlive
 * its use: an i18n_language's code is. */
void i18n_use(const char *lang);
const char *i18n_current(void);

#define _(msgid)             i18n_text(i18n_current(), (msgid))
#define N_(msgid)            (msgid)
#define i18n_n(one, many, n) i18n_plural(i18n_current(), (one), (many), (n))
#define C_(ctx, msgid)       i18n_text_ctx(i18n_current(), (ctx), (msgid))
#define NC_(ctx, msgid)      (msgid)

#endif
