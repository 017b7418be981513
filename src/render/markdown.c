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

/* One numbered block: <div class="para" id="pN"><a class="pnum" href="#pN">N</a>…</div>.
 * For a list item the item's children are rendered, since we write the <li> ourselves. */
static void render_numbered(struct buf *out, cmark_node *node, int n, int options, cmark_llist *exts)
{
	html_printf(out, "<div class=\"para\" id=\"p%d\"><a class=\"pnum\" href=\"#p%d\" aria-label=\"Paragraph %d\">%d</a>"
			 "<div class=\"ptext\">",
		    n, n, n, n);
	bool item = cmark_node_get_type(node) == CMARK_NODE_ITEM;
	cmark_node *child = item ? cmark_node_first_child(node) : node;
	for (; child; child = item ? cmark_node_next(child) : NULL) {
		char *html = cmark_render_html(child, options, exts);
		buf_puts(out, html);
		free(html);
	}
	buf_puts(out, "</div></div>\n");
}

int markdown_render(const char *markdown, struct buf *out)
{
	pthread_once(&markdown_once, markdown_register);
	const int options = CMARK_OPT_DEFAULT | CMARK_OPT_SMART; /* safe: no raw HTML */
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
	int n = 0;
	for (cmark_node *node = cmark_node_first_child(doc); node; node = cmark_node_next(node)) {
		cmark_node_type type = cmark_node_get_type(node);
		if (type == CMARK_NODE_LIST) {
			/* Each item of a list is a paragraph of its own; keep the list around them. */
			bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
			buf_puts(out, ordered ? "<ol class=\"numbered-list\">\n" : "<ul class=\"numbered-list\">\n");
			for (cmark_node *item = cmark_node_first_child(node); item; item = cmark_node_next(item)) {
				n++;
				buf_puts(out, "<li>");
				render_numbered(out, item, n, options, exts);
				buf_puts(out, "</li>\n");
			}
			buf_puts(out, ordered ? "</ol>\n" : "</ul>\n");
		} else if (type == CMARK_NODE_HEADING || type == CMARK_NODE_THEMATIC_BREAK) {
			char *html = cmark_render_html(node, options, exts);
			buf_puts(out, html);
			free(html);
		} else {
			render_numbered(out, node, ++n, options, exts);
		}
	}
	cmark_node_free(doc);
	cmark_parser_free(parser);
	return out->failed ? -1 : n;
}
