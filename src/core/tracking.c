/* tracking — see tracking.h. */
#include "core/tracking.h"

#include <string.h>
#include <sys/random.h>

static const char TRACKING_ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Value of a symbol, with Crockford's forgiving reading; -1 if none. */
static int symbol_value(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		c = '0';
	else if (c == 'I' || c == 'L')
		c = '1';
	const char *p = c ? strchr(TRACKING_ALPHABET, c) : NULL;
	return p ? (int)(p - TRACKING_ALPHABET) : -1;
}

/* Luhn mod N (N = 32): double every second value from the right, fold, sum. */
char tracking_check_symbol(const char *symbols, int n)
{
	int factor = 2, sum = 0;
	for (int i = n - 1; i >= 0; i--) {
		int addend = factor * symbol_value(symbols[i]);
		factor = factor == 2 ? 1 : 2;
		sum += addend / 32 + addend % 32;
	}
	return TRACKING_ALPHABET[(32 - sum % 32) % 32];
}

int tracking_new(char out[TRACKING_LEN + 1])
{
	unsigned char rnd[TRACKING_SYMBOLS];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -1;
	char sym[TRACKING_SYMBOLS];
	for (int i = 0; i < TRACKING_SYMBOLS; i++)
		sym[i] = TRACKING_ALPHABET[rnd[i] & 31];
	memcpy(out, sym, 4);
	out[4] = '-';
	memcpy(out + 5, sym + 4, 4);
	out[9] = '-';
	out[10] = tracking_check_symbol(sym, TRACKING_SYMBOLS);
	out[11] = '\0';
	return 0;
}

bool tracking_parse(const char *in, char out[TRACKING_LEN + 1])
{
	char sym[TRACKING_SYMBOLS + 1];
	int n = 0;
	for (const char *p = in; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		int v = symbol_value(*p);
		if (v < 0 || n >= TRACKING_SYMBOLS + 1)
			return false;
		sym[n++] = TRACKING_ALPHABET[v];
	}
	if (n != TRACKING_SYMBOLS + 1)
		return false;
	if (tracking_check_symbol(sym, TRACKING_SYMBOLS) != sym[TRACKING_SYMBOLS])
		return false;
	memcpy(out, sym, 4);
	out[4] = '-';
	memcpy(out + 5, sym + 4, 4);
	out[9] = '-';
	out[10] = sym[8];
	out[11] = '\0';
	return true;
}
