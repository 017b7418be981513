/* Must compile (tests/compile/run.py): the control for the fail_*.c files, the
 * same calls with literal formats, so a broken set-up cannot pass as a refusal. */
#include "render/html.h"

void page_with_literal_formats(struct buf *b, const char *name);

void page_with_literal_formats(struct buf *b, const char *name)
{
	html_printf(b, "<p>plain</p>");
	html_printf(b, "<p>%s</p>", name);
	html_printf(b,
	            "<p>%s and "
	            "%d</p>",
	            name, 2);
}
