/* checksrc case: SQL built by a printf-family call, however the call is split. */
/* clang-format off */
#include "store/db.h"
#include "embedded.h"

#include <stdio.h>

static const char sql_ok[] = "SELECT id FROM call WHERE id = ?"; /* a literal statement: fine */

void build(char *out, size_t n, const char *table, struct buf *b)
{
	snprintf(out, n, /* expect: sql */
	         "SELECT * FROM %s", table);
	buf_printf( /* expect: sql */
	    b, "%s",
	    "DELETE "
	    "FROM x");
	snprintf(out, n, "Select a file (%s)", table); /* words in a message, not SQL */
	snprintf(out, n, "%s", sql_ok); /* no literal SQL in the call */
}
