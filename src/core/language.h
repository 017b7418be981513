/*
 * language — the language a contribution was written in: the one its sender
 * declared, checked and normalised here, or, when they said none, the one
 * libexttextcat (Debian's maintained n-gram classifier, the one LibreOffice
 * uses) recognises in its text among the languages the interface offers.
 *
 * A language is a BCP 47 tag kept lower-case with its region upper-case
 * ("fr", "zh", "pt-BR"); "" means not known (a text too short or too mixed
 * for the classifier to tell).
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
 * pseudo-locale excepted), into out; "" when the classifier cannot tell (too
 * short, unknown, no fingerprints installed). Looks at the first few
 * kilobytes only. Thread-safe (a few classifiers, each behind its lock). Returns 0, or
 * -1 when the classifier could not be loaded (out ""), so that a caller may
 * log it once.
 */
int language_detect(const char *text, size_t len, char out[LANGUAGE_TAG_LEN]);

#endif
