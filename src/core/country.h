/*
 * country — ISO 3166-1 alpha-2 codes and their English names, from Debian's
 * iso-codes data, carried in the binary.
 */
#ifndef CONSULTA_CORE_COUNTRY_H
#define CONSULTA_CORE_COUNTRY_H

#include <stddef.h>

/* The English name of an upper-case alpha-2 code, or NULL if it is not one. */
const char *country_name(const char *code);
size_t country_count(void);
/* The i-th country in code order. */
void country_at(size_t i, const char **code, const char **name);

#endif
