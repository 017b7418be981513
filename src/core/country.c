/* country — see country.h. */
#include "core/country.h"

#include "embedded.h"
#include "util/i18n.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

static int compare_code(const void *key, const void *elem)
{
	return strcmp(key, ((const struct embedded_country *)elem)->code);
}

/* The names in lang, aligned with embedded_countries; NULL for English (and a language without names). */
static const char *const *names_of(const char *lang)
{
	for (const struct embedded_country_names *l = embedded_country_names; lang && l->language; l++)
		if (!strcmp(l->language, lang))
			return l->names;
	return NULL;
}

static const char *name_at(const char *lang, size_t i)
{
	const char *const *names = names_of(lang);
	return names ? names[i] : embedded_countries[i].name;
}

const char *country_name_in(const char *lang, const char *code)
{
	if (!code || strlen(code) != 2)
		return NULL;
	const struct embedded_country *c =
		bsearch(code, embedded_countries, embedded_ncountries, sizeof *embedded_countries, compare_code);
	return c ? name_at(lang, (size_t)(c - embedded_countries)) : NULL;
}

const char *country_name(const char *code)
{
	return country_name_in(i18n_current(), code);
}

size_t country_count(void)
{
	return embedded_ncountries;
}

void country_at(size_t i, const char **code, const char **name)
{
	*code = embedded_countries[i].code;
	*name = name_at(i18n_current(), i);
}

struct keyed {
	uint8_t *key; /* ICU's sort key: bytes that compare as the names collate, NUL-terminated */
	size_t i;
};

static int compare_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	const int c = strcmp((const char *)x->key, (const char *)y->key);
	/* Names that collate equal keep code order, so that the order never depends on qsort. */
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

int country_order_by_name(const char *locale, size_t *order)
{
	const size_t n = embedded_ncountries;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	UErrorCode st = U_ZERO_ERROR;
	UCollator *coll = ucol_open(locale ? locale : I18N_DEFAULT, &st);
	if (U_FAILURE(st))
		return -1;
	/*
	 * A sort key per name, made once, rather than collating pairs in qsort
	 * (which has no context argument for the collator): n keys instead of
	 * n log n collations.
	 */
	struct keyed *k = calloc(n, sizeof *k);
	int rc = k ? 0 : -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		UChar name[256];
		int32_t len = 0;
		st = U_ZERO_ERROR;
		u_strFromUTF8(name, (int32_t)(sizeof name / sizeof *name), &len, name_at(locale, i), -1, &st);
		if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING) {
			rc = -1;
			break;
		}
		const int32_t need = ucol_getSortKey(coll, name, len, NULL, 0);
		k[i].i = i;
		k[i].key = need > 0 ? malloc((size_t)need) : NULL;
		if (!k[i].key || ucol_getSortKey(coll, name, len, k[i].key, need) != need)
			rc = -1;
	}
	if (rc == 0) {
		qsort(k, n, sizeof *k, compare_keyed);
		for (size_t i = 0; i < n; i++)
			order[i] = k[i].i;
	}
	for (size_t i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
	ucol_close(coll);
	return rc;
}
