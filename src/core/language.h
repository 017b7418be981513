/*
 * language — the language a contribution was written in: the one its sender
 * declared, checked and normalised here, or, when they said none, the one
 * CLD2 (Google's Compact Language Detector 2, Debian's libcld2; through the
 * C++ bridge core/language_cld2.cc) recognises in its text among the
 * languages the interface offers.
 *
 * A language is a BCP 47 tag kept lower-case with its region upper-case
 * ("fr", "zh", "pt-BR"); "" means not known (a text too short or too mixed
 * to tell, or in a language not offered).
 */
#ifndef CONSULTA_CORE_LANGUAGE_H
#define CONSULTA_CORE_LANGUAGE_H

#include <stdbool.h>
#include <stddef.h>

enum { LANGUAGE_TAG_LEN = 16 };

/*
 * A declared language tag made canonical into out: a primary subtag of two
 * or three letters, optionally "-" and a region of two letters or three
 * digits ("FR" -> "fr", "pt-br" -> "pt-BR"). Returns false (out "") for
 * anything else.
 */
bool language_tag_normalize(const char *tag, char out[LANGUAGE_TAG_LEN]);

/*
 * The language of text[0..len) among the offered ones (util/i18n.h, the
 * pseudo-locale excepted), into out; "" when it cannot be told: under 24
 * bytes once web and mail addresses, numbers and identifiers are left out,
 * no language holding half of the letters, or a language not offered.
 * Looks at the first 4 KB only. Thread-safe, with no lock (CLD2). The first
 * call raises glibc's trim threshold to 1 MB for the process (language.c
 * says why). Returns 0 (an int still, as when a classifier's load could
 * fail).
 */
int language_detect(const char *text, size_t len, char out[LANGUAGE_TAG_LEN]);

#endif
