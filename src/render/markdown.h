/*
 * markdown — a version's Markdown to HTML, with numbered paragraphs.
 *
 * Rendering uses cmark-gfm (with its table, strikethrough, autolink and
 * tagfilter extensions) in safe mode: raw HTML in the source is dropped, and
 * dangerous link schemes are removed. Every top-level block that people
 * comment on (paragraphs, list items, tables, quotes) is wrapped in an element
 * with a stable id "p<N>" and a visible number N, counted in document order;
 * headings are not numbered. The same source always yields the same ids.
 */
#ifndef CONSULTA_RENDER_MARKDOWN_H
#define CONSULTA_RENDER_MARKDOWN_H

#include "util/buf.h"

/* Appends the HTML of markdown to out; returns the number of numbered paragraphs, or -1. */
int markdown_render(const char *markdown, struct buf *out);

#endif
