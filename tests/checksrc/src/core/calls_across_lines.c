/* checksrc case: banned calls and time() found across lines, and not inside comments or strings. */
/* clang-format off */
#include "core/calls_across_lines.h"

#include <string.h>
#include <time.h>

void copy(char *to, const char *from, struct clock *c)
{
	strcpy /* expect: banned */
	    (to, from);
	strcat /* a comment between the name and its parenthesis */ ( /* expect: banned */
	    to, from);
	snprintf(to, 8, "%s", "strcpy(to, from)"); /* a string: not a call */
	/* a comment: sprintf(to, "%s", from) is not a call either */
	// nor here: gets(to);
	/*
	 * nor across a long comment: localtime(&t);
	 * time(NULL);
	 */
	char quote = '"'; /* a quote in a character literal does not open a string: */
	atoi(to); /* expect: banned */
	time_t t = time /* expect: clock */
	    (NULL);
	t = time (0); /* expect: clock */
	t += c->time(c) + c.time(c); /* a member named time is not the C library's */
	struct tm tm;
	localtime_r(&t, &tm); /* the _r form is allowed */
	my_atoi(to); /* nor is a name that ends like a banned one */
	(void)quote;
}
