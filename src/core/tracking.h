/*
 * tracking — tracking numbers that people can read out and type back.
 *
 * A tracking number is 8 random symbols of Crockford's base 32 (digits and
 * letters without I, L, O and U, so nothing looks like something else) and
 * one check symbol, written in two groups: "K7QM-3XDP-R". The check symbol is
 * Luhn mod 32 over the other eight: it catches every single mistyped symbol
 * and every swap of two neighbouring symbols. Reading is forgiving: lower
 * case, missing hyphens, O for 0 and I or L for 1 are accepted.
 */
#ifndef CONSULTA_CORE_TRACKING_H
#define CONSULTA_CORE_TRACKING_H

#include <stdbool.h>

enum { TRACKING_SYMBOLS = 8, TRACKING_LEN = 11 /* "XXXX-XXXX-C" */ };

/* A new random tracking number in out (TRACKING_LEN + 1 bytes); -1 if no randomness. */
int tracking_new(char out[TRACKING_LEN + 1]);

/* Normalizes what a person typed into the canonical form; false if it is not a
 * well-formed number or its check symbol does not match. */
bool tracking_parse(const char *in, char out[TRACKING_LEN + 1]);

/* The check symbol for the given symbols (canonical alphabet). */
char tracking_check_symbol(const char *symbols, int n);

#endif
