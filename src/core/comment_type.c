/* comment_type — the types of a comment (general, technical, editorial): their names in the data and the
 * API, and their labels in the reader's language. Apart from comment.c so that what reads comment tables
 * (core/comment_table.c, and fuzz/fuzz_sheet.c which links it alone) needs no database. See comment.h. */
#include "core/comment.h"

#include "core/field.h"
#include "util/i18n.h"

static const char *const TYPE_NAMES[] = {
	[COMMENT_GENERAL] = "general",
	[COMMENT_TECHNICAL] = "technical",
	[COMMENT_EDITORIAL] = "editorial",
};
#define COUNT(t) ((int)(sizeof t / sizeof *t))

const char *comment_type_name(enum comment_type t)
{
	return TYPE_NAMES[t];
}

const char *comment_type_label(enum comment_type t)
{
	switch (t) {
	case COMMENT_GENERAL: return C_("type of comment", "general");
	case COMMENT_TECHNICAL: return C_("type of comment", "technical");
	case COMMENT_EDITORIAL: return C_("type of comment", "editorial");
	}
	return "";
}

bool comment_type_parse(const char *name, enum comment_type *out)
{
	const int i = field_enum_index(TYPE_NAMES, COUNT(TYPE_NAMES), name);
	if (i >= 0)
		*out = (enum comment_type)i;
	return i >= 0;
}
