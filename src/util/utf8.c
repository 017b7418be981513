/* utf8 — see utf8.h. Follows the well-formed byte sequences table of Unicode 15, §3.9. */
#include "util/utf8.h"

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
