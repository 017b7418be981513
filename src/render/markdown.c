/* markdown — see markdown.h. */
#include "render/markdown.h"

#include "render/html.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t markdown_once = PTHREAD_ONCE_INIT;

static void markdown_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static void attach(cmark_parser *parser, const char *name)
{
	cmark_syntax_extension *ext = cmark_find_syntax_extension(name);
	if (ext)
		cmark_parser_attach_syntax_extension(parser, ext);
}

/* The HTML (or plain text) of a block: for a list item, of its children, since the page writes the <li>. */
static char *render_block(struct arena *a, cmark_node *node, bool plain, int options, cmark_llist *exts)
{
	struct buf b;
	buf_init(&b, 64 * 1024 * 1024);
	bool item = cmark_node_get_type(node) == CMARK_NODE_ITEM;
	cmark_node *child = item ? cmark_node_first_child(node) : node;
	for (; child; child = item ? cmark_node_next(child) : NULL) {
		char *r = plain ? cmark_render_plaintext(child, options, 0) : cmark_render_html(child, options, exts);
		if (!r) {
			b.failed = true;
			break;
		}
		buf_puts(&b, r);
		free(r);
	}
	char *out = b.failed ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	if (out && plain) { /* no trailing blank lines */
		size_t len = strlen(out);
		while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
			out[--len] = '\0';
	}
	return out;
}

/* Lines first..last (1-based) of text, as written. */
static char *source_lines(struct arena *a, const char *text, int first, int last)
{
	const char *p = text;
	for (int line = 1; line < first && *p; line++) {
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	const char *end = p;
	for (int line = first; line <= last && *end; line++) {
		const char *nl = strchr(end, '\n');
		end = nl ? nl + 1 : end + strlen(end);
	}
	size_t len = (size_t)(end - p);
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	return arena_strndup(a, p, len);
}

static struct markdown_block *block_add(struct arena *a, struct markdown_block **blocks, int *n, int *cap,
                                        cmark_node *node, bool numbered, const char *markdown, int options,
                                        cmark_llist *exts)
{
	struct markdown_block *b = arena_push(a, (void **)blocks, n, cap, sizeof **blocks);
	if (!b)
		return NULL;
	b->numbered = numbered;
	b->html = render_block(a, node, false, options, exts);
	b->text = render_block(a, node, true, options, exts);
	b->source = source_lines(a, markdown, cmark_node_get_start_line(node), cmark_node_get_end_line(node));
	return b->html && b->text && b->source ? b : NULL;
}

int markdown_blocks(struct arena *a, const char *markdown, struct markdown_block **blocks, int *n)
{
	pthread_once(&markdown_once, markdown_register);
	const int options = CMARK_OPT_DEFAULT | CMARK_OPT_SMART; /* safe: no raw HTML */
	*blocks = NULL;
	*n = 0;
	int cap = 0, lists = 0, rc = 0;
	cmark_parser *parser = cmark_parser_new(options);
	if (!parser)
		return -1;
	attach(parser, "table");
	attach(parser, "strikethrough");
	attach(parser, "autolink");
	attach(parser, "tagfilter");
	cmark_parser_feed(parser, markdown, strlen(markdown));
	cmark_node *doc = cmark_parser_finish(parser);
	cmark_llist *exts = cmark_parser_get_syntax_extensions(parser);
	for (cmark_node *node = cmark_node_first_child(doc); node && rc == 0; node = cmark_node_next(node)) {
		cmark_node_type type = cmark_node_get_type(node);
		if (type == CMARK_NODE_LIST) {
			/* Each item of a list is a paragraph of its own; the page keeps the list around them. */
			bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
			lists++;
			for (cmark_node *item = cmark_node_first_child(node); item && rc == 0;
			     item = cmark_node_next(item)) {
				struct markdown_block *b =
				    block_add(a, blocks, n, &cap, item, true, markdown, options, exts);
				if (!b)
					rc = -1;
				else {
					b->list = lists;
					b->ordered = ordered;
				}
			}
		} else {
			bool numbered = type != CMARK_NODE_HEADING && type != CMARK_NODE_THEMATIC_BREAK;
			if (!block_add(a, blocks, n, &cap, node, numbered, markdown, options, exts))
				rc = -1;
		}
	}
	cmark_node_free(doc);
	cmark_parser_free(parser);
	return rc;
}

int markdown_assemble(const struct markdown_block *blocks, int n, const char *const *ids, struct buf *out)
{
	int k = 0, open_list = 0;
	bool open_ordered = false;
	for (int i = 0; i < n; i++) {
		const struct markdown_block *b = &blocks[i];
		if (open_list && b->list != open_list) {
			buf_puts(out, open_ordered ? "</ol>\n" : "</ul>\n");
			open_list = 0;
		}
		if (b->list && b->list != open_list) {
			buf_puts(out, b->ordered ? "<ol class=\"numbered-list\">\n" : "<ul class=\"numbered-list\">\n");
			open_list = b->list;
			open_ordered = b->ordered;
		}
		if (!b->numbered) {
			html_printf(out, "%R", b->html);
			continue;
		}
		const char *id = ids[k++];
		/* <div class="para" id="ID"><a class="pnum" href="#ID">N</a><div class="ptext">…</div></div> */
		html_printf(
		    out,
		    "%R<div class=\"para\" id=\"%s\"><a class=\"pnum\" href=\"#%s\" aria-label=\"Paragraph %d\">%d</a>"
		    "<div class=\"ptext\">%R</div></div>\n%R",
		    b->list ? "<li>" : "", id, id, k, k, b->html, b->list ? "</li>\n" : "");
	}
	if (open_list)
		buf_puts(out, open_ordered ? "</ol>\n" : "</ul>\n");
	return out->failed ? -1 : k;
}

int markdown_render(const char *markdown, struct buf *out)
{
	struct arena a;
	arena_init(&a);
	struct markdown_block *blocks;
	int n, rc = -1;
	if (markdown_blocks(&a, markdown, &blocks, &n) == 0) {
		int numbered = 0;
		for (int i = 0; i < n; i++)
			numbered += blocks[i].numbered;
		const char **ids = arena_alloc(&a, sizeof *ids * (size_t)(numbered + 1));
		for (int k = 0; ids && k < numbered; k++)
			ids[k] = arena_printf(&a, "p%d", k + 1);
		if (ids)
			rc = markdown_assemble(blocks, n, ids, out);
	}
	arena_free(&a);
	return rc;
}

int markdown_render_prose(const char *markdown, struct buf *out)
{
	pthread_once(&markdown_once, markdown_register);
	const int options = CMARK_OPT_DEFAULT | CMARK_OPT_SMART; /* safe: no raw HTML, no javascript: links */
	cmark_parser *parser = cmark_parser_new(options);
	if (!parser)
		return -1;
	attach(parser, "table");
	attach(parser, "strikethrough");
	attach(parser, "autolink");
	attach(parser, "tagfilter");
	cmark_parser_feed(parser, markdown, strlen(markdown));
	cmark_node *doc = cmark_parser_finish(parser);
	char *html = doc ? cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser)) : NULL;
	int rc = html ? 0 : -1;
	if (html)
		buf_puts(out, html);
	free(html);
	if (doc)
		cmark_node_free(doc);
	cmark_parser_free(parser);
	return rc == 0 && !out->failed ? 0 : -1;
}
