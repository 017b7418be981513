/*
 * country — ISO 3166-1 alpha-2 codes and their names, from Debian's iso-codes
 * data, carried in the binary: in English and, from iso-codes' translations
 * (its iso_3166-1 gettext catalogues, read by the build: scripts/embed.py),
 * in every language the interface offers; and their order by name for a
 * reader (ICU's collation), in which forms list them.
 *
 * The names without a language argument are in the calling thread's
 * language (util/i18n.h: i18n_current(), set per request), as _() is, so
 * that a page shows the reader's names without passing the language along;
 * English when none is set or for a language without a catalogue.
 */
#ifndef CONSULTA_CORE_COUNTRY_H
#define CONSULTA_CORE_COUNTRY_H

#include <stddef.h>

/* The name of an upper-case alpha-2 code in the thread's language, or NULL if it is not one. */
const char *country_name(const char *code);
/* The same in language lang (a BCP 47 tag of an offered language; any other, or NULL: English). */
const char *country_name_in(const char *lang, const char *code);
size_t country_count(void);
/* The i-th country in code order, its name in the thread's language. */
void country_at(size_t i, const char **code, const char **name);

/*
 * Fills order[0 .. country_count()) with the indices (for country_at()) of
 * the countries sorted by their names in locale (a BCP 47 tag such as "fr";
 * NULL: English) as its reader expects them, by ICU's collation: "Åland
 * Islands" next to "Albania" and "Côte d'Ivoire" after "Costa Rica", not
 * after "Zimbabwe" as bytes would have it; in French "Égypte" among the E.
 * Returns 0; -1 if ICU cannot collate (no memory, no data), order then
 * being in code order.
 */
int country_order_by_name(const char *locale, size_t *order);

#endif
