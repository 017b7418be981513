/* Must NOT compile (tests/compile/run.py): a format in a const array is not a
 * literal either, even with arguments after it. */
#include "render/html.h"

void page_with_array_format(struct buf *b, const char *name);

void page_with_array_format(struct buf *b, const char *name)
{
	static const char fmt[] = "<p>%s</p>";
	html_printf(b, fmt, name); /* must fail */
}
