/*
 * utf8 — checks on text that arrives from outside.
 */
#ifndef CONSULTA_UTIL_UTF8_H
#define CONSULTA_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF) and no NUL byte. */
bool utf8_valid(const char *s, size_t n);

/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s);

/* True if s has a control character other than tab, newline and carriage return. */
bool utf8_has_control(const char *s, bool allow_newlines);

#endif
