/* field — see field.h. */
#include "core/field.h"

#include "core/limits.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/utf8.h"

#include <jansson.h>
#include <string.h>

const char *field_trimmed(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

/* True if the value is present and passed (false if absent or refused). */
static bool check(struct error *e, const char *field, const char *value, bool required, size_t max, const char *what,
		  bool multiline)
{
	const char *t = value;
	while (t && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
		t++;
	if (!t || !*t) {
		if (required)
			error_field(e, field, _("Enter %s."), _(what));
		return false;
	}
	if (!utf8_valid(value, strlen(value)))
		error_field(e, field, _("This is not valid UTF-8 text."));
	else if (utf8_has_control(value, multiline))
		error_field(e, field, "%s",
		            multiline ? _("Remove the control characters from the text.")
		                      : _("Remove the line breaks and control characters."));
	else if (utf8_length(value) > max)
		error_field(e, field, _("Shorten this to %zu characters at most (it has %zu)."), max,
		            utf8_length(value));
	else
		return true;
	return false;
}

void field_check_line(struct error *e, const char *field, const char *value, bool required, size_t max,
		      const char *what)
{
	check(e, field, value, required, max, what, false);
}

void field_check_name(struct error *e, const char *field, const char *value, bool required, size_t max,
		      const char *what)
{
	if (check(e, field, value, required, max, what, false) && !utf8_has_visible(value))
		error_field(e, field,
		            _("Write %s with visible letters: this has only invisible, spacing or text-direction "
		              "characters."),
		            _(what));
}

void field_check_text(struct error *e, const char *field, const char *value, bool required, size_t max,
		      const char *what)
{
	check(e, field, value, required, max, what, true);
}

bool field_email_valid(const char *email)
{
	size_t n = strlen(email);
	const char *at = strrchr(email, '@');
	if (n > LIMIT_EMAIL || !at || at == email || at - email > 64)
		return false;
	for (const char *p = email; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
		    c == '"' || c == '\\' || c == '[' || c == ']' || (c == '@' && p != at))
			return false;
	}
	const char *domain = at + 1;
	size_t dn = strlen(domain);
	if (dn < 3 || !strchr(domain, '.') || domain[0] == '.' || domain[0] == '-' || domain[dn - 1] == '.' ||
	    strstr(domain, ".."))
		return false;
	return utf8_valid(email, n);
}

void field_check_email(struct error *e, const char *field, const char *value)
{
	if (!value || !*value)
		error_field(e, field, _("Enter your e-mail address."));
	else if (!field_email_valid(value))
		error_field(e, field, _("This does not look like an e-mail address (name@example.org)."));
}

void field_check_date(struct error *e, const char *field, const char *value, bool required)
{
	int y, m, d;
	if (!value || !*value) {
		if (required)
			error_field(e, field, _("Give the date as YYYY-MM-DD."));
		return;
	}
	if (clock_parse_date(value, &y, &m, &d) != 0)
		error_field(e, field, _("Give a real date as YYYY-MM-DD."));
}

int field_enum_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

bool field_parse_id(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return false;
	*out = v;
	return true;
}

const char *field_json_string(json_t *o, const char *name, struct error *e)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		error_field(e, name, _("Must be a string."));
		return NULL;
	}
	return json_string_value(v);
}
