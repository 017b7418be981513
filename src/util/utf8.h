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

/* True if valid UTF-8 s has at least one character that shows: not white
 * space (U+0020, U+00A0, U+2000..U+200A, ...), nor an invisible or
 * formatting one (zero-width U+200B..U+200D, U+2060..U+2064, U+FEFF, the
 * soft hyphen U+00AD, the bidirectional marks and controls U+200E, U+200F,
 * U+061C, U+202A..U+202E, U+2066..U+2069, fillers such as U+3164, variation
 * selectors, tags). A name made only of those would look blank. */
bool utf8_has_visible(const char *s);

/* The length in bytes of the longest prefix of s (valid UTF-8, NUL-terminated) that is at most max bytes
 * and does not cut a character in two. */
size_t utf8_prefix(const char *s, size_t max);

/* The code point at *s (valid UTF-8), moving *s past it; 0 at the end of the string. Not valid UTF-8 is
 * read a byte or a few at a time, never past the end, as U+FFFD where it would read as U+0000. */
unsigned utf8_next(const char **s);

/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8 at out (room for 4 bytes); its length. */
size_t utf8_put(char *out, unsigned cp);

#endif
