/*
 * language_cld2 — the C side of the bridge to CLD2 (Google's Compact Language
 * Detector 2, a C++ library): core/language.c calls it, language_cld2.cc
 * implements it with extern "C" linkage. Nothing else should include it.
 */
#ifndef CONSULTA_CORE_LANGUAGE_CLD2_H
#define CONSULTA_CORE_LANGUAGE_CLD2_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The language CLD2 recognises in the plain UTF-8 text[0..len), written into
 * out[0..size) as CLD2's code ("fr", "zh", "zh-Hant"), when that language holds
 * at least half of the text's letters; else out is "". Invalid UTF-8 gives "".
 * Thread-safe (CLD2's tables are constant; no lock). Never throws.
 */
void language_cld2_detect(const char *text, size_t len, char *out, size_t size);

#ifdef __cplusplus
}
#endif

#endif
