/*
 * country — ISO 3166-1 alpha-2 codes and their English names, from Debian's
 * iso-codes data, carried in the binary; and their order by name for a
 * reader (ICU's collation), in which forms list them.
 */
#ifndef CONSULTA_CORE_COUNTRY_H
#define CONSULTA_CORE_COUNTRY_H

#include <stddef.h>

/* The English name of an upper-case alpha-2 code, or NULL if it is not one. */
const char *country_name(const char *code);
size_t country_count(void);
/* The i-th country in code order. */
void country_at(size_t i, const char **code, const char **name);

/*
 * Fills order[0 .. country_count()) with the indices (for country_at()) of
 * the countries sorted by name as a reader of locale expects them (a BCP 47
 * tag such as "en"), by ICU's collation: "Åland Islands" next to "Albania"
 * and "Côte d'Ivoire" after "Costa Rica", not after "Zimbabwe" as bytes
 * would have it. The names are the English ones for now. Returns 0; -1 if
 * ICU cannot collate (no memory, no data), order then being in code order.
 */
int country_order_by_name(const char *locale, size_t *order);

#endif
