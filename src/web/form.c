/* form — see form.h. */
#include "web/form.h"

#include "util/buf.h"
#include "util/utf8.h"

#include <microhttpd.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one name or value; NULL if malformed or not UTF-8. */
static char *decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n)
				return NULL;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			out[k++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return utf8_valid(out, k) ? out : NULL;
}

bool form_parse(struct arena *a, const char *body, size_t len, struct form *out)
{
	out->n = 0;
	out->nfiles = 0;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t nlen = eq ? (size_t)(eq - (body + i)) : end - i;
			const char *name = decode(a, body + i, nlen);
			const char *value = eq ? decode(a, eq + 1, (size_t)(body + end - eq - 1)) : "";
			if (!name || !value || out->n >= LIMIT_FORM_FIELDS)
				return false;
			out->names[out->n] = name;
			out->values[out->n] = value;
			out->n++;
		}
		i = end + 1;
	}
	return true;
}

/* multipart/form-data ---------------------------------------------------- */

enum { FORM_POST_BUFFER = 16 * 1024 }; /* the post processor's own buffer: a part's header line must fit */

/* The part being received: libmicrohttpd hands its value over in pieces. */
struct multipart {
	struct arena *a;
	struct form *form;
	bool open; /* a part has begun and is not stored yet */
	const char *name, *filename, *content_type;
	struct buf value;
	bool bad; /* a part could not be kept: too many, not UTF-8, out of memory */
};

/* Stores the part received so far in the form; false if it cannot be kept. */
static bool multipart_store(struct multipart *m)
{
	if (!m->open)
		return true;
	m->open = false;
	struct form *f = m->form;
	const size_t len = m->value.len;
	const char *data = m->value.data ? m->value.data : "";
	bool ok;
	if (m->filename) {
		/* A file input left empty still sends a part, with an empty filename and no bytes. */
		if (!*m->filename && len == 0) {
			ok = true;
		} else if (f->nfiles >= LIMIT_FORM_FILES) {
			ok = false;
		} else {
			char *copy = arena_strndup(m->a, data, len); /* copies len bytes, NULs included */
			struct form_file *file = &f->files[f->nfiles];
			*file = (struct form_file){m->name, utf8_valid(m->filename, strlen(m->filename)) ? m->filename : "",
						   m->content_type ? m->content_type : "", (const unsigned char *)copy, len};
			ok = copy != NULL;
			f->nfiles += ok;
		}
	} else {
		const char *value = utf8_valid(data, len) ? arena_strndup(m->a, data, len) : NULL;
		ok = value && f->n < LIMIT_FORM_FIELDS;
		if (ok) {
			f->names[f->n] = m->name;
			f->values[f->n] = value;
			f->n++;
		}
	}
	buf_reset(&m->value);
	return ok;
}

/* libmicrohttpd's MHD_PostDataIterator: off is where data goes in the current part's value (0: a new part). */
static enum MHD_Result multipart_piece(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				       const char *content_type, const char *transfer_encoding, const char *data,
				       uint64_t off, size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	struct multipart *m = cls;
	/* A part's first call may carry no bytes (an empty value); the next piece still says off 0. */
	const bool same = m->open && m->value.len == off && key && !strcmp(key, m->name);
	if (off == 0 && !same) {
		if (!multipart_store(m) || !key || !utf8_valid(key, strlen(key))) {
			m->bad = true;
			return MHD_NO;
		}
		m->name = arena_strdup(m->a, key);
		m->filename = filename ? arena_strdup(m->a, filename) : NULL;
		m->content_type = content_type ? arena_strdup(m->a, content_type) : NULL;
		m->open = m->name != NULL;
	} else if (!same) {
		m->bad = true; /* a piece that does not follow the one before */
		return MHD_NO;
	}
	if (!m->open || (size && buf_append(&m->value, data, size) != 0)) {
		m->bad = true;
		return MHD_NO;
	}
	return MHD_YES;
}

bool form_parse_multipart(struct arena *a, struct MHD_Connection *conn, const char *body, size_t len,
			  struct form *out)
{
	out->n = 0;
	out->nfiles = 0;
	struct multipart m = {.a = a, .form = out};
	buf_init(&m.value, len + 1); /* a part is never longer than the body */
	struct MHD_PostProcessor *pp = MHD_create_post_processor(conn, FORM_POST_BUFFER, multipart_piece, &m);
	if (!pp) { /* not multipart/form-data, or no usable boundary */
		buf_free(&m.value);
		return false;
	}
	bool ok = MHD_post_process(pp, body, len) == MHD_YES;
	/* MHD_NO here: the body ended before its closing boundary. */
	ok = MHD_destroy_post_processor(pp) == MHD_YES && ok;
	ok = ok && !m.bad && multipart_store(&m);
	buf_free(&m.value);
	return ok;
}

const struct form_file *form_file(const struct form *f, const char *name)
{
	for (int i = 0; i < f->nfiles; i++)
		if (strcmp(f->files[i].field, name) == 0)
			return &f->files[i];
	return NULL;
}

const char *form_get(const struct form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}
