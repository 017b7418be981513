/* Must NOT compile (tests/compile/run.py): html_printf with a format held in a
 * variable, the way untrusted text would reach a page unescaped. */
#include "render/html.h"

void page_with_variable_format(struct buf *b, const char *untrusted);

void page_with_variable_format(struct buf *b, const char *untrusted)
{
	html_printf(b, untrusted); /* must fail */
}
