/* checksrc case: html_printf_checked() is reached only through the html_printf macro. */
/* clang-format off */
#include "render/html.h"

void page(struct buf *b, const char *untrusted)
{
	html_printf(b, "<p>%s</p>", untrusted); /* the macro: fine */
	html_printf_checked /* expect: html */
	    (b, untrusted); /* a direct call would take any format */
	/* html_printf_checked(b, untrusted) in a comment is no call */
}
