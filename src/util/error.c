/* error — see error.h. */
#include "util/error.h"

#include "util/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Fills out (size bytes) from fmt; a message too long is cut at a character, never inside one. */
static void message_vprintf(char *out, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(out, size, fmt, ap);
	if (n < (int)size)
		return;
	/* Cut by bytes: the last character may have lost its last bytes. Its first byte says how many it has. */
	size_t len = strlen(out), first = len;
	while (first > 0 && ((unsigned char)out[first - 1] & 0xC0) == 0x80)
		first--;
	if (first == 0)
		return;
	const unsigned char c = (unsigned char)out[first - 1];
	const size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (len - (first - 1) < need)
		out[first - 1] = '\0';
}

void error_clear(struct error *e)
{
	e->code = NULL;
	e->message[0] = '\0';
	e->nfields = 0;
	e->for_people = false;
}

void error_set(struct error *e, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->code = code;
	e->for_people = false;
	va_start(ap, fmt);
	message_vprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

void error_say(struct error *e, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->code = code;
	e->for_people = true;
	va_start(ap, fmt);
	message_vprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

void error_field(struct error *e, const char *field, const char *fmt, ...)
{
	if (!e->code) {
		e->code = ERROR_INVALID;
		snprintf(e->message, sizeof e->message, "%s", _("Some fields need to be corrected."));
	}
	if (e->nfields >= ERROR_MAX_FIELDS || error_field_message(e, field))
		return;
	struct error_field *f = &e->fields[e->nfields++];
	snprintf(f->name, sizeof f->name, "%s", field);
	va_list ap;
	va_start(ap, fmt);
	message_vprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
}

const char *error_field_message(const struct error *e, const char *field)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, field) == 0)
			return e->fields[i].message;
	return NULL;
}
