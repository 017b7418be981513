/* intake — see intake.h. */
#include "mail/intake.h"

#include "core/limits.h"
#include "util/buf.h"
#include "util/i18n.h"
#include "util/utf8.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
	INTAKE_HTML_MAX = 8 * 1024 * 1024, /* bytes of text made from one HTML part */
	INTAKE_HTML_DEPTH = 200,           /* elements nested in one another that the walk follows */
	INTAKE_NAME_MAX = 200,             /* bytes of an attachment's name */
	INTAKE_ID_MAX = 900,               /* bytes of a Message-ID we keep */
	INTAKE_ADDRESSES = 100,            /* addresses of To and Cc read */
	INTAKE_AUTH_MAX = 300,             /* bytes of the verdicts recorded */
};

static pthread_once_t intake_once = PTHREAD_ONCE_INIT;

static void intake_init_once(void)
{
	g_mime_init();
	xmlInitParser();
}

void intake_init(void)
{
	pthread_once(&intake_once, intake_init_once);
}

/* -- text --------------------------------------------------------------- */

/* Valid UTF-8 in, the same without control characters out: CRLF and CR become
 * LF (or a space on one line), tab stays (a space on one line), others go. */
static char *clean_utf8(struct arena *a, const char *s, size_t n, bool one_line)
{
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			out[k++] = one_line ? ' ' : '\n';
		} else if (c == '\t') {
			out[k++] = one_line ? ' ' : '\t';
		} else if (c < 0x20 || c == 0x7F) {
			continue;
		} else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		           (unsigned char)s[i + 1] <= 0x9F) {
			i++; /* a C1 control */
		} else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBB &&
		           (unsigned char)s[i + 2] == 0xBF) {
			i += 2; /* a byte-order mark says nothing in UTF-8 */
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = '\0';
	return out;
}

/* The iconv name to read a declared charset with: what mail programs mean by it. */
static const char *charset_effective(const char *charset, const void *data, size_t len)
{
	if (!charset || !*charset || !strcasecmp(charset, "us-ascii") || !strcasecmp(charset, "ascii") ||
	    !strcasecmp(charset, "ansi_x3.4-1968") || !strcasecmp(charset, "unknown-8bit") ||
	    !strcasecmp(charset, "x-unknown") || !strcasecmp(charset, "default"))
		return g_utf8_validate(data, (gssize)len, NULL) ? "UTF-8" : "WINDOWS-1252";
	/* ISO-8859-1 as Outlook and others write it holds Windows-1252's curly quotes and euro sign. */
	if (!strcasecmp(charset, "iso-8859-1") || !strcasecmp(charset, "iso8859-1") ||
	    !strcasecmp(charset, "iso_8859-1") || !strcasecmp(charset, "latin1") || !strcasecmp(charset, "l1") ||
	    !strcasecmp(charset, "cp1252"))
		return "WINDOWS-1252";
	if (!strcasecmp(charset, "utf8") || !strcasecmp(charset, "utf-8"))
		return "UTF-8";
	return g_mime_charset_iconv_name(charset);
}

const char *intake_text_utf8(struct arena *a, const void *data, size_t len, const char *charset)
{
	if (!data || len == 0)
		return arena_strdup(a, "");
	const char *from = charset_effective(charset, data, len);
	gchar *utf8 = NULL;
	gsize written = 0;
	if (strcasecmp(from, "UTF-8") != 0) {
		/* Bytes the declared charset does not have: read the text as Windows-1252, then as
		 * ISO-8859-1 (which has every byte), rather than lose it. */
		static const char *const fallbacks[] = {NULL, "WINDOWS-1252", "ISO-8859-1"};
		for (size_t i = 0; i < sizeof fallbacks / sizeof *fallbacks && !utf8; i++)
			utf8 = g_convert(data, (gssize)len, "UTF-8", fallbacks[i] ? fallbacks[i] : from, NULL, &written,
			                 NULL);
	}
	if (!utf8) {
		/* UTF-8 as declared, or a charset iconv does not know: keep what is valid, mark the rest. */
		utf8 = g_utf8_make_valid(data, (gssize)len);
		written = strlen(utf8);
	}
	char *out = clean_utf8(a, utf8, written, false);
	g_free(utf8);
	return out;
}

/* One line of header text as clean UTF-8 of at most max characters, or NULL for none. */
static const char *header_line(struct arena *a, const char *value, size_t max)
{
	if (!value)
		return NULL;
	gchar *valid = g_utf8_make_valid(value, -1);
	char *s = clean_utf8(a, valid, strlen(valid), true);
	g_free(valid);
	if (!s)
		return NULL;
	/* collapse runs of spaces that unfolding left, trim */
	char *w = s;
	for (const char *r = s; *r; r++)
		if (*r != ' ' || (w > s && w[-1] != ' '))
			*w++ = *r;
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	if (utf8_length(s) > max) {
		const char *end = g_utf8_offset_to_pointer(s, (glong)max);
		s[end - s] = '\0';
	}
	return *s ? s : NULL;
}

/* A Message-ID we can store and quote: no brackets, spaces or controls. */
static const char *clean_id(struct arena *a, const char *id)
{
	if (!id)
		return NULL;
	while (*id == '<' || *id == ' ')
		id++;
	size_t n = strcspn(id, "> \t\r\n");
	if (n == 0 || n > INTAKE_ID_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7E)
			return NULL;
	return arena_strndup(a, id, n);
}

/* RFC 3676: joins the lines of a format=flowed text that its sender's program broke. */
static const char *unflow(struct arena *a, const char *text, bool delsp)
{
	struct buf b;
	buf_init(&b, strlen(text) + 1);
	bool joining = false;
	int joined_depth = 0;
	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		const bool had_newline = line[n] == '\n';
		int depth = 0;
		while ((size_t)depth < n && line[depth] == '>')
			depth++;
		const char *content = line + depth;
		size_t cn = n - (size_t)depth;
		if (cn && *content == ' ') { /* space-stuffing, or the space after the quote marks */
			content++;
			cn--;
		}
		const bool signature = cn == 3 && !memcmp(content, "-- ", 3);
		if (!joining || depth != joined_depth) {
			if (joining)
				buf_putc(&b, '\n'); /* a change of quoting ends the paragraph */
			for (int i = 0; i < depth; i++)
				buf_putc(&b, '>');
			if (depth && cn)
				buf_putc(&b, ' ');
		}
		const bool flowed = !signature && cn && content[cn - 1] == ' ';
		buf_append(&b, content, flowed && delsp ? cn - 1 : cn);
		joining = flowed;
		joined_depth = depth;
		if (!flowed && had_newline)
			buf_putc(&b, '\n');
		line += n + had_newline;
	}
	const char *out = b.failed ? text : arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/* Trims white space at the ends of lines and of the text, and more than one empty line in a row. */
static const char *tidy(struct arena *a, const char *text)
{
	size_t n = strlen(text);
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return text;
	size_t k = 0;
	int newlines = 0;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		size_t end = len;
		while (end && (line[end - 1] == ' ' || line[end - 1] == '\t'))
			end--;
		if (end == 0) {
			newlines++;
		} else {
			if (k)
				for (int i = 0; i < (newlines > 2 ? 2 : newlines); i++)
					out[k++] = '\n';
			memcpy(out + k, line, end);
			k += end;
			newlines = 1;
		}
		line += len + (line[len] == '\n');
		if (line[-1] != '\n')
			break;
	}
	out[k] = '\0';
	return out;
}

/* -- HTML ----------------------------------------------------------------- */

struct html_walk {
	struct buf out;
	int pre; /* inside <pre> */
};

static bool name_is(const xmlNode *n, const char *const *names)
{
	for (; *names; names++)
		if (!strcasecmp((const char *)n->name, *names))
			return true;
	return false;
}

static void html_newline(struct html_walk *w, int count)
{
	int have = 0;
	for (size_t i = w->out.len; i > 0 && w->out.data[i - 1] == '\n' && have < count; i--)
		have++;
	if (w->out.len == 0)
		return;
	for (; have < count; have++)
		buf_putc(&w->out, '\n');
}

static void html_text(struct html_walk *w, const char *s)
{
	for (; *s; s++) {
		const bool space = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f';
		if (w->pre) {
			buf_putc(&w->out, *s == '\r' ? '\n' : *s);
		} else if (space) {
			if (w->out.len && w->out.data[w->out.len - 1] != ' ' && w->out.data[w->out.len - 1] != '\n')
				buf_putc(&w->out, ' ');
		} else {
			buf_putc(&w->out, *s);
		}
	}
}

static void html_walk(struct html_walk *w, const xmlNode *node, int depth)
{
	static const char *const skipped[] = {"script",   "style",    "head",   "title",
	                                      "noscript", "template", "object", NULL};
	static const char *const paragraphs[] = {"p",   "h1",    "h2", "h3", "h4", "h5", "h6",      "blockquote",
	                                         "pre", "table", "ul", "ol", "dl", "hr", "address", NULL};
	static const char *const lines[] = {"div",     "tr",     "li",     "dt",      "dd",     "section",
	                                    "article", "header", "footer", "caption", "center", NULL};
	if (depth > INTAKE_HTML_DEPTH)
		return;
	for (const xmlNode *n = node; n; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				html_text(w, (const char *)n->content);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE) {
			if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE)
				html_walk(w, n->children, depth + 1);
			continue;
		}
		if (name_is(n, skipped))
			continue;
		if (!strcasecmp((const char *)n->name, "br")) {
			buf_putc(&w->out, '\n');
			continue;
		}
		const bool para = name_is(n, paragraphs), line = name_is(n, lines);
		if (para)
			html_newline(w, 2);
		else if (line)
			html_newline(w, 1);
		if (!strcasecmp((const char *)n->name, "li"))
			buf_puts(&w->out, "- ");
		if (!strcasecmp((const char *)n->name, "td") || !strcasecmp((const char *)n->name, "th"))
			if (w->out.len && w->out.data[w->out.len - 1] != '\n')
				buf_puts(&w->out, "  ");
		const bool pre = !strcasecmp((const char *)n->name, "pre");
		w->pre += pre;
		size_t before = w->out.len;
		html_walk(w, n->children, depth + 1);
		w->pre -= pre;
		/* A link keeps where it goes, unless its text says it already. */
		if (!strcasecmp((const char *)n->name, "a")) {
			xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
			if (href && (!strncasecmp((const char *)href, "http", 4) ||
			             !strncasecmp((const char *)href, "mailto:", 7))) {
				const char *shown =
				    (const char *)href + (!strncasecmp((const char *)href, "mailto:", 7) ? 7 : 0);
				const size_t len = w->out.len - before;
				if (!w->out.data || len < strlen(shown) ||
				    !memmem(w->out.data + before, len, shown, strlen(shown)))
					buf_printf(&w->out, " <%s>", shown);
			}
			xmlFree(href);
		}
		if (para)
			html_newline(w, 2);
		else if (line)
			html_newline(w, 1);
	}
}

const char *intake_html_text(struct arena *a, const char *html, size_t len)
{
	intake_init();
	if (!html || len == 0 || len > INT32_MAX)
		return arena_strdup(a, "");
	/* The text is UTF-8 already (intake_text_utf8): a <meta charset> inside must not change that. */
	htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	                                HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                                    HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
	if (!doc)
		return arena_strdup(a, "");
	struct html_walk w = {.pre = 0};
	buf_init(&w.out, INTAKE_HTML_MAX);
	html_walk(&w, (const xmlNode *)doc, 0);
	xmlFreeDoc(doc);
	const char *text = w.out.data ? w.out.data : "";
	gchar *valid = g_utf8_make_valid(text, (gssize)w.out.len);
	const char *out = clean_utf8(a, valid, strlen(valid), false);
	g_free(valid);
	buf_free(&w.out);
	return out ? tidy(a, out) : NULL;
}

/* -- the message ---------------------------------------------------------- */

struct walk {
	struct arena *a;
	struct intake *out;
	int cap; /* of out->attachments */
	const char *plain, *html, *forwarded;
	int parts;
	int seen; /* attachments met, kept or not */
	bool too_deep, too_many_parts;
	const char *too_large; /* the name of an attachment over the limit */
	size_t too_large_size;
};

static const char *lower(struct arena *a, const char *s)
{
	char *l = arena_strdup(a, s ? s : "");
	for (char *p = l; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return l;
}

/* The decoded bytes of a leaf part, NUL-terminated, in the arena. */
static const unsigned char *part_bytes(struct arena *a, GMimePart *part, size_t *len)
{
	*len = 0;
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	if (!content)
		return (const unsigned char *)arena_strdup(a, "");
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	unsigned char *out = arena_alloc(a, bytes->len + 1);
	if (out && bytes->len) {
		memcpy(out, bytes->data, bytes->len);
		*len = bytes->len;
	}
	g_object_unref(mem);
	return out;
}

/* A file name without a path, clean, never empty. */
static const char *file_name(struct walk *w, const char *given, const char *fallback)
{
	const char *name = given ? header_line(w->a, given, INTAKE_NAME_MAX) : NULL;
	if (name) {
		const char *slash = strrchr(name, '/'), *backslash = strrchr(name, '\\');
		const char *base = slash > backslash ? slash : backslash;
		if (base)
			name = base + 1;
		while (*name == '.' || *name == ' ')
			name++; /* no hidden files, no ".." */
	}
	if (!name || !*name)
		name = arena_printf(w->a, "%s-%d", fallback, w->out->nattachments); /* counts this one */
	return name;
}

/* A new attachment, or NULL when the message has its limit of them already (it is counted in w->seen). */
static struct intake_attachment *attachment_add(struct walk *w)
{
	if (++w->seen > LIMIT_MAIL_ATTACHMENTS)
		return NULL; /* counted, not kept: such a message is held whole */
	return arena_push(w->a, (void **)&w->out->attachments, &w->out->nattachments, &w->cap,
	                  sizeof *w->out->attachments);
}

static void walk_object(struct walk *w, GMimeObject *obj, int depth);

static const char *message_text(struct walk *w, GMimeMessage *msg, int depth, const char **subject_out);

static void walk_forward(struct walk *w, GMimeMessagePart *mp, int depth)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	if (!inner)
		return;
	/* The forwarded message as a file of its own, whose text is known. */
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
	GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	struct intake_attachment *f = attachment_add(w);
	if (!f) {
		g_object_unref(mem);
		return;
	}
	const size_t index = (size_t)(w->out->nattachments - 1);
	f->declared_type = "message/rfc822";
	f->size = bytes->len;
	if (bytes->len > LIMIT_MAIL_ATTACHMENT) {
		w->too_large = ""; /* a forwarded message, as intake_problem() says */
		w->too_large_size = bytes->len;
	} else {
		unsigned char *data = arena_alloc(w->a, bytes->len + 1);
		if (data && bytes->len)
			memcpy(data, bytes->data, bytes->len);
		f->data = data;
	}
	g_object_unref(mem);

	const char *subject = NULL;
	const char *text = message_text(w, inner, depth + 1, &subject); /* may add its attachments after this one */
	f = &w->out->attachments[index];                                /* the array may have moved */
	InternetAddressList *from = g_mime_message_get_from(inner);
	char *from_text = from ? internet_address_list_to_string(from, NULL, FALSE) : NULL;
	GDateTime *date = g_mime_message_get_date(inner);
	gchar *date_text = date ? g_date_time_format(date, "%a, %d %b %Y %H:%M:%S %z") : NULL;
	const char *from_line = header_line(w->a, from_text, 500);
	f->text = arena_printf(w->a, "Forwarded message\nFrom: %s\nDate: %s\nSubject: %s\n\n%s",
	                       from_line ? from_line : "", date_text ? date_text : "", subject ? subject : "", text);
	g_free(from_text);
	g_free(date_text);
	f->name = arena_printf(w->a, "%s.eml", subject ? file_name(w, subject, "forwarded") : "forwarded-message");
	if (strlen(f->name) > INTAKE_NAME_MAX + 4)
		f->name = "forwarded-message.eml";
	if (!w->forwarded && text && *text)
		w->forwarded = f->text;
}

static void walk_leaf(struct walk *w, GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *type = lower(w->a, ct ? g_mime_content_type_get_media_type(ct) : "text");
	const char *subtype = lower(w->a, ct ? g_mime_content_type_get_media_subtype(ct) : "plain");
	GMimeContentDisposition *disp = g_mime_object_get_content_disposition(obj);
	const bool attachment = disp && g_mime_content_disposition_is_attachment(disp);
	const char *filename = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
	const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");

	if (!strcmp(type, "text") && (!strcmp(subtype, "plain") || !strcmp(subtype, "html")) && !attachment &&
	    !filename) {
		size_t len;
		const unsigned char *bytes = part_bytes(w->a, GMIME_PART(obj), &len);
		const char *text = intake_text_utf8(w->a, bytes, len, charset);
		if (!text)
			return;
		if (!strcmp(subtype, "plain")) {
			const char *format = g_mime_object_get_content_type_parameter(obj, "format");
			const char *delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
			if (format && !strcasecmp(format, "flowed"))
				text = unflow(w->a, text, delsp && !strcasecmp(delsp, "yes"));
			/* Apple Mail puts text between attachments as parts of its own: one text, in order. */
			w->plain = w->plain ? arena_printf(w->a, "%s\n\n%s", w->plain, text) : text;
		} else {
			w->html = w->html ? arena_printf(w->a, "%s\n%s", w->html, text) : text;
		}
		return;
	}
	/* A signature proves something to a mail program; to the secretariat it is not a file. */
	if (!strcmp(type, "application") && (!strcmp(subtype, "pgp-signature") || !strcmp(subtype, "pkcs7-signature") ||
	                                     !strcmp(subtype, "x-pkcs7-signature")))
		return;
	struct intake_attachment *f = attachment_add(w);
	if (!f)
		return;
	f->declared_type = arena_printf(w->a, "%s/%s", type, subtype);
	f->name = file_name(w, filename, "attachment");
	f->charset = charset ? lower(w->a, charset) : NULL;
	f->tnef = !strcmp(subtype, "ms-tnef") || !strcmp(subtype, "vnd.ms-tnef") || !strcasecmp(f->name, "winmail.dat");
	if (GMIME_IS_PART(obj))
		f->data = part_bytes(w->a, GMIME_PART(obj), &f->size);
	if (f->size > LIMIT_MAIL_ATTACHMENT) {
		w->too_large = f->name;
		w->too_large_size = f->size;
		f->data = NULL;
	}
}

static void walk_object(struct walk *w, GMimeObject *obj, int depth)
{
	if (!obj)
		return;
	if (depth > LIMIT_MAIL_DEPTH) {
		w->too_deep = true;
		return;
	}
	if (++w->parts > LIMIT_MAIL_PARTS) {
		w->too_many_parts = true;
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		walk_forward(w, GMIME_MESSAGE_PART(obj), depth);
		return;
	}
	if (!GMIME_IS_MULTIPART(obj)) {
		walk_leaf(w, obj);
		return;
	}
	GMimeMultipart *mp = GMIME_MULTIPART(obj);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *subtype = lower(w->a, ct ? g_mime_content_type_get_media_subtype(ct) : "mixed");
	const int n = g_mime_multipart_get_count(mp);
	if (!strcmp(subtype, "alternative")) {
		/* The plain version if there is one; else the richest we can read. */
		GMimeObject *pick = NULL;
		for (int i = 0; i < n && !pick; i++) {
			GMimeObject *p = g_mime_multipart_get_part(mp, i);
			GMimeContentType *pt = g_mime_object_get_content_type(p);
			if (pt && g_mime_content_type_is_type(pt, "text", "plain"))
				pick = p;
		}
		for (int i = n - 1; i >= 0 && !pick; i--) {
			GMimeObject *p = g_mime_multipart_get_part(mp, i);
			GMimeContentType *pt = g_mime_object_get_content_type(p);
			if (GMIME_IS_MULTIPART(p) || (pt && g_mime_content_type_is_type(pt, "text", "html")))
				pick = p;
		}
		walk_object(w, pick ? pick : (n ? g_mime_multipart_get_part(mp, 0) : NULL), depth + 1);
		return;
	}
	if (!strcmp(subtype, "related")) {
		/* The root is the message; the other parts are the pictures it shows, unless sent as files. */
		const char *start = g_mime_object_get_content_type_parameter(obj, "start");
		GMimeObject *root = NULL;
		for (int i = 0; start && i < n && !root; i++) {
			GMimeObject *p = g_mime_multipart_get_part(mp, i);
			const char *id = g_mime_object_get_content_id(p);
			const char *want = clean_id(w->a, start);
			if (id && want && !strcmp(id, want))
				root = p;
		}
		if (!root && n)
			root = g_mime_multipart_get_part(mp, 0);
		walk_object(w, root, depth + 1);
		for (int i = 0; i < n; i++) {
			GMimeObject *p = g_mime_multipart_get_part(mp, i);
			GMimeContentDisposition *d = g_mime_object_get_content_disposition(p);
			if (p != root && d && g_mime_content_disposition_is_attachment(d))
				walk_object(w, p, depth + 1);
		}
		return;
	}
	if (!strcmp(subtype, "report")) {
		/* A delivery or read report: its first part says it in words; the rest is for machines. */
		w->out->bounce = true;
		walk_object(w, n ? g_mime_multipart_get_part(mp, 0) : NULL, depth + 1);
		return;
	}
	if (!strcmp(subtype, "signed")) {
		walk_object(w, n ? g_mime_multipart_get_part(mp, 0) : NULL, depth + 1);
		return;
	}
	for (int i = 0; i < n; i++) /* mixed, and any other kind read as mixed (RFC 2046 5.1.3) */
		walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
}

/* The text of a message (its body walked, its attachments added to w), and its subject. */
static const char *message_text(struct walk *w, GMimeMessage *msg, int depth, const char **subject_out)
{
	const char *plain = w->plain, *html = w->html, *forwarded = w->forwarded;
	w->plain = w->html = w->forwarded = NULL;
	walk_object(w, g_mime_message_get_mime_part(msg), depth);
	const char *text = w->plain       ? tidy(w->a, w->plain)
	                   : w->html      ? intake_html_text(w->a, w->html, strlen(w->html))
	                   : w->forwarded ? w->forwarded
	                                  : "";
	const bool html_only = !w->plain && w->html;
	if (depth == 0)
		w->out->html_only = html_only;
	w->plain = plain;
	w->html = html;
	w->forwarded = forwarded;
	*subject_out = header_line(w->a, g_mime_message_get_subject(msg), LIMIT_MAIL_SUBJECT);
	return text ? text : "";
}

/* -- headers ------------------------------------------------------------- */

static const char *header(GMimeObject *obj, const char *name)
{
	return g_mime_object_get_header(obj, name);
}

/* An address from a header that holds one bare or in brackets: "" for <>, NULL if none. */
static const char *bare_address(struct arena *a, const char *value)
{
	if (!value)
		return NULL;
	const char *s = header_line(a, value, 400);
	if (!s)
		return NULL;
	const char *open = strchr(s, '<');
	if (open) {
		size_t n = strcspn(open + 1, ">");
		return arena_strndup(a, open + 1, n);
	}
	return arena_strndup(a, s, strcspn(s, " ;,"));
}

/* Appends the mailboxes of list (groups opened) to out->to. */
static void add_addresses(struct arena *a, struct intake *out, int *cap, InternetAddressList *list)
{
	for (int i = 0; list && i < internet_address_list_length(list) && out->nto < INTAKE_ADDRESSES; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			add_addresses(a, out, cap, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)));
			continue;
		}
		const char *addr = header_line(a, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), 254);
		if (!addr || !strchr(addr, '@'))
			continue;
		const char **slot = arena_push(a, (void **)&out->to, &out->nto, cap, sizeof *out->to);
		if (slot)
			*slot = addr;
	}
}

static bool domain_aligned(const char *from, const char *d)
{
	const char *at = from ? strrchr(from, '@') : NULL;
	if (!at || !d || !*d)
		return false;
	const char *domain = at + 1;
	size_t n = strlen(domain), m = strlen(d);
	/* relaxed alignment (RFC 7489 3.1.1): the same domain, or the From's a subdomain of the signer's */
	return (n == m && !strcasecmp(domain, d)) ||
	       (n > m && domain[n - m - 1] == '.' && !strcasecmp(domain + n - m, d));
}

/* Reads one Authentication-Results value (RFC 8601) whose authserv-id we trust. */
static void authentication_read(struct arena *a, struct intake *out, const char *value)
{
	/* Drop comments, split at ';' the results, read "method=result" and the properties after. */
	char *copy = arena_strdup(a, value);
	if (!copy)
		return;
	char *w = copy;
	int paren = 0;
	for (const char *r = value; *r; r++) {
		if (*r == '(')
			paren++;
		else if (*r == ')' && paren)
			paren--;
		else if (!paren)
			*w++ = *r;
	}
	*w = '\0';
	struct buf summary;
	buf_init(&summary, INTAKE_AUTH_MAX);
	bool dkim_pass = false, dkim_fail = false, dmarc_pass = false, dmarc_fail = false;
	char *save = NULL;
	bool first = true;
	for (char *res = strtok_r(copy, ";", &save); res; res = strtok_r(NULL, ";", &save)) {
		if (first) { /* the authserv-id itself */
			first = false;
			continue;
		}
		char method[32] = "", result[32] = "", d[256] = "";
		char *s2 = NULL;
		for (char *tok = strtok_r(res, " \t\r\n", &s2); tok; tok = strtok_r(NULL, " \t\r\n", &s2)) {
			char *eq = strchr(tok, '=');
			if (!eq)
				continue;
			*eq = '\0';
			if (!*method) {
				snprintf(method, sizeof method, "%s", tok);
				snprintf(result, sizeof result, "%s", eq + 1);
			} else if (!strcasecmp(tok, "header.d") || (!strcasecmp(tok, "header.i") && !*d)) {
				const char *at = strrchr(eq + 1, '@');
				snprintf(d, sizeof d, "%s", at ? at + 1 : eq + 1);
			} else if (!strcasecmp(tok, "header.from") && !*d) {
				snprintf(d, sizeof d, "%s", eq + 1);
			}
		}
		if (!*method || strspn(method, "abcdefghijklmnopqrstuvwxyz-0123456789") != strlen(method) ||
		    strspn(result, "abcdefghijklmnopqrstuvwxyz") != strlen(result))
			continue;
		if (!strcasecmp(method, "dkim")) {
			if (!strcasecmp(result, "pass") && domain_aligned(out->from, d))
				dkim_pass = true;
			else if (!strcasecmp(result, "fail"))
				dkim_fail = true;
		} else if (!strcasecmp(method, "dmarc")) {
			dmarc_pass |= !strcasecmp(result, "pass");
			dmarc_fail |= !strcasecmp(result, "fail");
		}
		buf_printf(&summary, "%s%s=%s", summary.len ? " " : "", method, result);
	}
	out->authentication = summary.len && !summary.failed ? arena_strdup(a, summary.data) : NULL;
	buf_free(&summary);
	out->verification = dmarc_pass || dkim_pass ? SENDER_PASS : dmarc_fail || dkim_fail ? SENDER_FAIL : SENDER_NONE;
}

static void headers_read(struct arena *a, GMimeMessage *msg, const struct intake_options *opt, struct intake *out)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	InternetAddressList *from = g_mime_message_get_from(msg);
	for (int i = 0; from && i < internet_address_list_length(from) && !out->from; i++) {
		InternetAddress *ia = internet_address_list_get_address(from, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		const char *addr = header_line(a, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), 254);
		if (addr && strchr(addr, '@')) {
			out->from = addr;
			out->from_name = header_line(a, internet_address_get_name(ia), LIMIT_NAME);
		}
	}
	out->subject = header_line(a, g_mime_message_get_subject(msg), LIMIT_MAIL_SUBJECT);
	out->message_id = clean_id(a, g_mime_message_get_message_id(msg));
	out->return_path = bare_address(a, header(obj, "Return-Path"));
	out->delivered_to = bare_address(a, header(obj, "Delivered-To"));
	if (!out->delivered_to)
		out->delivered_to = bare_address(a, header(obj, "X-Original-To"));
	int cap = 0;
	add_addresses(a, out, &cap, g_mime_message_get_to(msg));
	add_addresses(a, out, &cap, g_mime_message_get_cc(msg));

	/* References, then In-Reply-To if it is not their last: the thread a receipt joins. */
	GMimeParserOptions *po = g_mime_parser_options_get_default();
	const char *ids[LIMIT_MAIL_REFERENCES];
	int nids = 0, total = 0;
	static const char *const thread_headers[] = {"References", "In-Reply-To"};
	for (size_t h = 0; h < 2; h++) {
		const char *v = header(obj, thread_headers[h]);
		GMimeReferences *refs = v ? g_mime_references_parse(po, v) : NULL;
		for (int i = 0; refs && i < g_mime_references_length(refs); i++) {
			const char *id = clean_id(a, g_mime_references_get_message_id(refs, i));
			if (!id || (nids && !strcmp(ids[nids - 1], id)))
				continue;
			total++;
			/* keep the first (the thread's start) and the latest ones */
			if (nids == LIMIT_MAIL_REFERENCES) {
				memmove(ids + 1, ids + 2, sizeof *ids * (LIMIT_MAIL_REFERENCES - 2));
				nids--;
			}
			ids[nids++] = id;
		}
		if (refs)
			g_mime_references_free(refs);
	}
	if (nids) {
		struct buf b;
		buf_init(&b, (size_t)nids * (INTAKE_ID_MAX + 1) + 1);
		for (int i = 0; i < nids; i++)
			buf_printf(&b, "%s%s", i ? " " : "", ids[i]);
		out->references = b.failed ? NULL : arena_strdup(a, b.data);
		buf_free(&b);
	}

	/* Robots (RFC 3834 and the headers the common ones send). */
	const char *v;
	if ((v = header_line(a, header(obj, "Auto-Submitted"), 64)) && strncasecmp(v, "no", 2) != 0)
		out->auto_submitted = true;
	if (header(obj, "X-Autoreply") || header(obj, "X-Autorespond") || header(obj, "X-Autoresponder"))
		out->auto_submitted = true;
	if ((v = header_line(a, header(obj, "Precedence"), 64))) {
		if (!strncasecmp(v, "auto_reply", 10))
			out->auto_submitted = true;
		else if (!strncasecmp(v, "bulk", 4) || !strncasecmp(v, "list", 4) || !strncasecmp(v, "junk", 4))
			out->list = true;
	}
	if (header(obj, "List-Id") || header(obj, "List-Post") || header(obj, "List-Unsubscribe"))
		out->list = true;
	if ((v = header_line(a, header(obj, "X-Auto-Response-Suppress"), 200)) &&
	    (strcasestr(v, "all") || strcasestr(v, "oof") || strcasestr(v, "autoreply")))
		out->suppress = true;
	if (out->from) {
		const char *at = strrchr(out->from, '@');
		size_t local = (size_t)(at - out->from);
		if ((local == 13 && !strncasecmp(out->from, "mailer-daemon", 13)) ||
		    (local == 10 && !strncasecmp(out->from, "postmaster", 10)))
			out->bounce = true;
	}
	if (out->return_path && !*out->return_path)
		out->bounce = true;

	/* The verdict of the MTA that delivers to us: the topmost Authentication-Results, the one it
	 * prepended, and only if it names our authserv-id. Every header below it came with the message
	 * (or from a hop before ours) and may be forged with our authserv-id, so none of them is read,
	 * whatever it says (RFC 8601 section 5; the MTA should also strip such headers on the way in,
	 * as docs/ARCHITECTURE.md shows for Postfix). */
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	const int n = list ? g_mime_header_list_get_count(list) : 0;
	for (int i = 0; opt && opt->authserv_id && i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		if (strcasecmp(g_mime_header_get_name(h), "Authentication-Results") != 0)
			continue;
		const char *value = header_line(a, g_mime_header_get_value(h), 4000);
		size_t idn = value ? strcspn(value, "; ") : 0;
		if (value && idn == strlen(opt->authserv_id) && !strncasecmp(value, opt->authserv_id, idn))
			authentication_read(a, out, value);
		break; /* the topmost one only */
	}
}

size_t intake_trace_length(const void *raw, size_t len)
{
	/* The fields an MTA prepends on the way (RFC 5321 4.4 and the common ones after it). */
	static const char *const trace[] = {"Return-Path",
	                                    "Received",
	                                    "Delivered-To",
	                                    "X-Original-To",
	                                    "Received-SPF",
	                                    "Authentication-Results",
	                                    "ARC-Seal",
	                                    "ARC-Message-Signature",
	                                    "ARC-Authentication-Results",
	                                    NULL};
	const char *s = raw;
	size_t at = 0;
	if (len >= 5 && !memcmp(s, "From ", 5)) { /* an mbox "From " line */
		const char *nl = memchr(s, '\n', len);
		at = nl ? (size_t)(nl - s) + 1 : len;
	}
	while (at < len) {
		size_t colon = at;
		while (colon < len && s[colon] != ':' && s[colon] != '\n' && s[colon] != ' ' && s[colon] != '\t')
			colon++;
		if (colon >= len || s[colon] != ':')
			break;
		bool known = false;
		for (const char *const *t = trace; *t && !known; t++)
			known = strlen(*t) == colon - at && !strncasecmp(s + at, *t, colon - at);
		if (!known)
			break;
		/* the field ends at a newline not followed by a space or tab (folding) */
		size_t end = colon;
		for (;;) {
			const char *nl = memchr(s + end, '\n', len - end);
			end = nl ? (size_t)(nl - s) + 1 : len;
			if (end >= len || (s[end] != ' ' && s[end] != '\t'))
				break;
		}
		at = end;
	}
	return at;
}

/* -- intake_parse ----------------------------------------------------------- */

int intake_parse(struct arena *a, const void *raw, size_t len, const struct intake_options *opt, struct intake *out,
                 struct error *e)
{
	memset(out, 0, sizeof *out);
	out->text = "";
	out->verification = SENDER_NONE;
	const char *bytes = raw;
	/* An mbox "From " line (procmail, fetchmail, a pipe with flag F) is not part of the message. */
	if (len >= 5 && !memcmp(bytes, "From ", 5)) {
		const char *nl = memchr(bytes, '\n', len);
		size_t skip = nl ? (size_t)(nl - bytes) + 1 : len;
		bytes += skip;
		len -= skip;
	}
	size_t blank = 0;
	while (blank < len &&
	       (bytes[blank] == ' ' || bytes[blank] == '\t' || bytes[blank] == '\r' || bytes[blank] == '\n'))
		blank++;
	if (blank == len) {
		error_set(e, ERROR_INVALID, "The message is empty.");
		return -1;
	}
	intake_init();
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(bytes, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_respect_content_length(parser, FALSE);
	GMimeParserOptions *po = g_mime_parser_options_new();
	const char *fallback[] = {"utf-8", "windows-1252", NULL};
	g_mime_parser_options_set_fallback_charsets(po, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, po);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg) {
		g_mime_parser_options_free(po);
		error_set(e, ERROR_INVALID, "This is not an e-mail message: it has no header.");
		return -1;
	}
	headers_read(a, msg, opt, out);
	struct walk w = {.a = a, .out = out};
	const char *subject;
	out->text = message_text(&w, msg, 0, &subject);
	g_object_unref(msg);
	g_mime_parser_options_free(po);

	if (w.too_deep || w.too_many_parts) {
		out->problem = INTAKE_TOO_COMPLEX;
	} else if (w.seen > LIMIT_MAIL_ATTACHMENTS) {
		out->problem = INTAKE_TOO_MANY_ATTACHMENTS;
		out->problem_count = w.seen;
	} else if (w.too_large) {
		out->problem = INTAKE_ATTACHMENT_TOO_LARGE;
		out->problem_name = w.too_large;
		out->problem_size = w.too_large_size;
	} else if (utf8_length(out->text) > LIMIT_TEXT) {
		out->problem = INTAKE_TEXT_TOO_LONG;
	}
	if (out->problem != INTAKE_FINE)
		out->problem_reason = HOLDING_LIMIT;
	if (!out->text) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

const char *intake_problem(struct arena *a, const struct intake *in)
{
	char size[I18N_SIZE_LEN], limit[I18N_SIZE_LEN];
	switch (in->problem) {
	case INTAKE_FINE:
		return NULL;
	case INTAKE_TOO_COMPLEX:
		return arena_printf(a,
		                    _("The message has more than %d parts, or parts nested more than %d deep, which a "
		                      "mail program does not send."),
		                    LIMIT_MAIL_PARTS, LIMIT_MAIL_DEPTH);
	case INTAKE_TOO_MANY_ATTACHMENTS:
		return arena_printf(a,
		                    _("The message has %d attachments; at most %d are accepted in one message. Send "
		                      "them in several messages, or together in one archive."),
		                    in->problem_count, LIMIT_MAIL_ATTACHMENTS);
	case INTAKE_ATTACHMENT_TOO_LARGE:
		i18n_size(in->problem_size, true, size);
		i18n_size(LIMIT_MAIL_ATTACHMENT, false, limit);
		/* TRANSLATORS: %1$s is a file's name (or "a forwarded message"), %2$s and %3$s sizes as "26 MB". */
		return arena_printf(a, _("The attachment %1$s is %2$s; at most %3$s are accepted for one file."),
		                    *in->problem_name ? in->problem_name : _("a forwarded message"), size, limit);
	case INTAKE_TEXT_TOO_LONG:
		return arena_printf(a,
		                    _("The text of the message is longer than %d characters; send it as an attached "
		                      "document (PDF, Word or OpenDocument) instead."),
		                    LIMIT_TEXT);
	}
	return NULL;
}
