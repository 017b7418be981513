/* form — see form.h. */
#include "web/form.h"

#include "util/utf8.h"

#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one name or value; NULL if malformed or not UTF-8. */
static char *decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n)
				return NULL;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			out[k++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return utf8_valid(out, k) ? out : NULL;
}

bool form_parse(struct arena *a, const char *body, size_t len, struct form *out)
{
	out->n = 0;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t nlen = eq ? (size_t)(eq - (body + i)) : end - i;
			const char *name = decode(a, body + i, nlen);
			const char *value = eq ? decode(a, eq + 1, (size_t)(body + end - eq - 1)) : "";
			if (!name || !value || out->n >= LIMIT_FORM_FIELDS)
				return false;
			out->names[out->n] = name;
			out->values[out->n] = value;
			out->n++;
		}
		i = end + 1;
	}
	return true;
}

const char *form_get(const struct form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}
