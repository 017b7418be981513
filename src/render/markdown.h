/*
 * markdown — a version's Markdown to HTML, block by block, with numbered paragraphs.
 *
 * Rendering uses cmark-gfm (with its table, strikethrough, autolink and
 * tagfilter extensions) in safe mode: raw HTML in the source is dropped, and
 * dangerous link schemes are removed. Every top-level block that people
 * comment on (paragraphs, list items, tables, quotes, code) is a numbered
 * paragraph; headings and rules are not numbered.
 *
 * markdown_blocks() splits a text into its blocks (each with its HTML, its
 * plain text and its Markdown source); markdown_assemble() writes the page
 * from them, giving each numbered block the id its caller chose (a paragraph
 * keeps its id across versions: core/paragraph.c decides) and its visible
 * number N, counted in document order. markdown_render() does both with the
 * ids p1..pN. The same source always yields the same blocks.
 */
#ifndef CONSULTA_RENDER_MARKDOWN_H
#define CONSULTA_RENDER_MARKDOWN_H

#include "util/arena.h"
#include "util/buf.h"

#include <stdbool.h>

struct markdown_block {
	bool numbered;      /* a paragraph people comment on; false for a heading or a rule */
	int list;           /* for a list item: 1 + the index of its list among the text's lists; else 0 */
	bool ordered;       /* for a list item: the list is numbered (<ol>) */
	const char *html;   /* the block's own HTML (for a list item, its content without <li>) */
	const char *text;   /* its plain text, one line per line of the block, no markup */
	const char *source; /* its Markdown, as written */
};

/* Splits markdown into blocks, in the arena: 0 with *blocks (*n of them), or -1 (out of memory). */
int markdown_blocks(struct arena *a, const char *markdown, struct markdown_block **blocks, int *n);

/* Writes the page of blocks into out: numbered block k (0-based among the numbered ones) gets
 * id ids[k] and number k + 1. Returns the number of numbered blocks, or -1 if out is full. */
int markdown_assemble(const struct markdown_block *blocks, int n, const char *const *ids, struct buf *out);

/* Appends the HTML of markdown to out with the ids p1..pN; returns N, or -1. */
int markdown_render(const char *markdown, struct buf *out);

/* Appends the HTML of markdown to out as plain prose, nothing numbered (the site's about and privacy
 * pages), in the same safe mode; 0, or -1 when out of memory or out is full. */
int markdown_render_prose(const char *markdown, struct buf *out);

#endif
