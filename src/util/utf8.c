/* utf8 — see utf8.h. Follows the well-formed byte sequences table of Unicode 15, §3.9. */
#include "util/utf8.h"

#include <string.h>

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		int len;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			if (c == 0xED)
				hi = 0x9F; /* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F;
		} else
			return false;
		if (i + (size_t)len > n)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (int k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return false;
		i += (size_t)len;
	}
	return true;
}

size_t utf8_length(const char *str)
{
	size_t n = 0;
	for (const unsigned char *s = (const unsigned char *)str; *s; s++)
		if ((*s & 0xC0) != 0x80)
			n++;
	return n;
}

bool utf8_has_control(const char *str, bool allow_newlines)
{
	for (const unsigned char *s = (const unsigned char *)str; *s; s++) {
		if (*s == '\t')
			continue;
		if ((*s == '\n' || *s == '\r') && allow_newlines)
			continue;
		if (*s < 0x20 || *s == 0x7F)
			return true;
		/* C1 controls U+0080..U+009F are encoded C2 80..C2 9F */
		if (*s == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F)
			return true;
	}
	return false;
}

/* Decodes the code point at *s (valid UTF-8) and advances past it. */
static unsigned long next_code_point(const unsigned char **s)
{
	const unsigned char *p = *s;
	unsigned long c;
	int len;
	if (p[0] < 0x80) {
		c = p[0];
		len = 1;
	} else if (p[0] < 0xE0) {
		c = p[0] & 0x1Fu;
		len = 2;
	} else if (p[0] < 0xF0) {
		c = p[0] & 0x0Fu;
		len = 3;
	} else {
		c = p[0] & 0x07u;
		len = 4;
	}
	for (int k = 1; k < len && p[k]; k++)
		c = c << 6 | (p[k] & 0x3Fu);
	for (int k = 0; k < len && **s; k++)
		(*s)++;
	return c;
}

static bool invisible(unsigned long c)
{
	static const unsigned long ranges[][2] = {
		{0x0009, 0x000D}, {0x0020, 0x0020}, {0x007F, 0x00A0}, {0x00AD, 0x00AD}, {0x034F, 0x034F},
		{0x061C, 0x061C}, {0x115F, 0x1160}, {0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x2000, 0x200F},
		{0x2028, 0x202F}, {0x205F, 0x206F}, {0x3000, 0x3000}, {0x3164, 0x3164}, {0xFE00, 0xFE0F},
		{0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFFB}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
	};
	for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return true;
	return false;
}

bool utf8_has_visible(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s)
		if (!invisible(next_code_point(&s)))
			return true;
	return false;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return n;
	/* Back off continuation bytes (10xxxxxx) so that the cut falls before a character's first byte. */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

unsigned utf8_next(const char **str)
{
	const unsigned char *s = (const unsigned char *)*str;
	unsigned c = s[0];
	if (!c)
		return 0;
	int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
	for (int k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) { /* not valid after all: one byte at a time, never past the end */
			len = k;
			break;
		}
		cp = cp << 6 | (s[k] & 0x3Fu);
	}
	*str += len;
	/* a byte that begins no character is never taken for the end */
	return cp ? cp : 0xFFFD;
}

size_t utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
