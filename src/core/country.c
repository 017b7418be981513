/* country — see country.h. */
#include "core/country.h"

#include "embedded.h"

#include <stdlib.h>
#include <string.h>

static int compare_code(const void *key, const void *elem)
{
	return strcmp(key, ((const struct embedded_country *)elem)->code);
}

const char *country_name(const char *code)
{
	if (!code || strlen(code) != 2)
		return NULL;
	const struct embedded_country *c =
		bsearch(code, embedded_countries, embedded_ncountries, sizeof *embedded_countries, compare_code);
	return c ? c->name : NULL;
}

size_t country_count(void)
{
	return embedded_ncountries;
}

void country_at(size_t i, const char **code, const char **name)
{
	*code = embedded_countries[i].code;
	*name = embedded_countries[i].name;
}
