/* message — see message.h. */
#include "render/message.h"

#include "util/clock.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

void message_date(int64_t t, char out[40])
{
	static const char *const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t days_since = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days_since--;
	}
	int y, m, d;
	clock_civil_from_days(days_since, &y, &m, &d);
	int64_t wd = days_since % 7;
	if (wd < 0)
		wd += 7;
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[wd], d, months[m - 1], y, (int)(rem / 3600),
		 (int)(rem / 60 % 60), (int)(rem % 60));
}

/* Appends n bytes as base64 (RFC 2045 §6.8), padded, on one line. */
static void base64_append(struct buf *out, const unsigned char *p, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
			     i + 2 < n ? b64[v & 63] : '='};
		buf_append(out, q, 4);
	}
}

/* An RFC 2047 encoded-word sequence (B encoding), split so no word passes 75
 * characters and no UTF-8 character is cut in two. */
static void encoded_words(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	bool first = true;
	while (n) {
		size_t take = n < 45 ? n : 45; /* 45 bytes -> 60 base64 characters */
		while (take < n && (p[take] & 0xC0) == 0x80)
			take--;
		buf_puts(out, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
		base64_append(out, p, take);
		buf_puts(out, "?=");
		p += take;
		n -= take;
		first = false;
	}
}

static void header_text(struct buf *out, const char *name, const char *value)
{
	buf_printf(out, "%s: ", name);
	if (is_ascii(value))
		buf_puts(out, value);
	else
		encoded_words(out, value);
	buf_puts(out, "\r\n");
}

/* Whether the character at p goes as it is (a space or tab only when more follows on its line). */
static bool qp_plain(const unsigned char *p)
{
	return (*p >= 33 && *p <= 126 && *p != '=') ||
	       ((*p == ' ' || *p == '\t') && p[1] != '\n' && p[1] != '\0' && p[1] != '\r');
}

/* Quoted-printable (RFC 2045 §6.7): soft line breaks before 76 characters; body's lines without the line break
 * that ends the body (quoted_printable). Text that follows a line break is encoded alike alone or after it. */
static void qp_text(struct buf *out, const char *body)
{
	static const char hex[] = "0123456789ABCDEF";
	int col = 0;
	for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
		if (*p == '\n') {
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		if (*p == '\r')
			continue;
		bool literal = qp_plain(p);
		/* A line that starts with "." or "From " is encoded, so no relay alters it. */
		if (col == 0 && (*p == '.' || (*p == 'F' && !strncmp((const char *)p, "From ", 5))))
			literal = false;
		int width = literal ? 1 : 3;
		if (col + width > 75) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		if (literal) {
			/* with the plain characters after it that fit on this line, in one append (a receipt is
			 * mostly plain text) */
			size_t n = 1;
			while (col + (int)n < 75 && qp_plain(p + n))
				n++;
			buf_append(out, p, n);
			col += (int)n;
			p += n - 1;
			continue;
		}
		char enc[3] = {'=', hex[*p >> 4], hex[*p & 15]};
		buf_append(out, enc, 3);
		col += width;
	}
}

static void quoted_printable(struct buf *out, const char *body)
{
	qp_text(out, body);
	buf_puts(out, "\r\n");
}

/* A language tag's characters (RFC 5646: letters, digits, hyphens; at most 35 of them), nothing a header could
 * be broken with. */
static bool language_tag_ok(const char *tag)
{
	size_t n = strlen(tag);
	return n > 0 && n <= 35 && strspn(tag, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int compose(struct buf *out, const struct message *m, bool whole)
{
	if (has_line_break(m->from) || has_line_break(m->from_name) || has_line_break(m->to) ||
	    has_line_break(m->subject) || has_line_break(m->message_id) || has_line_break(m->in_reply_to) ||
	    has_line_break(m->list_unsubscribe) || has_line_break(m->references) ||
	    (m->language && !language_tag_ok(m->language)) || (m->boundary && !message_boundary_ok(m->boundary)))
		return -1;
	char date[40];
	message_date(m->date, date);
	if (m->from_name) {
		buf_puts(out, "From: ");
		if (is_ascii(m->from_name) && !strpbrk(m->from_name, "\"\\()<>@,;:[]"))
			buf_printf(out, "\"%s\"", m->from_name);
		else
			encoded_words(out, m->from_name);
		buf_printf(out, " <%s>\r\n", m->from);
	} else {
		buf_printf(out, "From: %s\r\n", m->from);
	}
	buf_printf(out, "To: %s\r\n", m->to);
	header_text(out, "Subject", m->subject);
	buf_printf(out, "Date: %s\r\nMessage-ID: <%s>\r\n", date, m->message_id);
	if (m->in_reply_to) {
		buf_printf(out, "In-Reply-To: <%s>\r\nReferences:", m->in_reply_to);
		/* one Message-ID per folded line, so that no line grows past RFC 5322's 998 characters */
		for (const char *r = m->references ? m->references : ""; *r;) {
			size_t n = strcspn(r, " ");
			if (n)
				buf_printf(out, " <%.*s>\r\n", (int)n, r);
			r += n + (r[n] == ' ');
		}
		buf_printf(out, " <%s>\r\n", m->in_reply_to);
	}
	if (m->list_unsubscribe)
		buf_printf(out, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
			   m->list_unsubscribe);
	if (m->language)
		buf_printf(out, "Content-Language: %s\r\n", m->language);
	buf_puts(out, "Auto-Submitted: auto-generated\r\n"
		      "X-Auto-Response-Suppress: All\r\n"
		      "MIME-Version: 1.0\r\n");
	if (m->boundary)
		buf_printf(out,
			   "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
			   "\r\n"
			   "--%s\r\n",
			   m->boundary, m->boundary);
	buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\n"
		      "Content-Transfer-Encoding: quoted-printable\r\n"
		      "\r\n");
	if (whole) {
		quoted_printable(out, m->body);
	} else {
		const size_t n = m->body ? strlen(m->body) : 0;
		if (n == 0 || m->body[n - 1] != '\n')
			return -1;
		qp_text(out, m->body);
	}
	return out->failed ? -1 : 0;
}

int message_compose(struct buf *out, const struct message *m)
{
	return compose(out, m, true);
}

int message_compose_open(struct buf *out, const struct message *m)
{
	return compose(out, m, false);
}

int message_compose_close(struct buf *out, const char *rest)
{
	quoted_printable(out, rest ? rest : "");
	return out->failed ? -1 : 0;
}

bool message_boundary_ok(const char *boundary)
{
	size_t n = boundary ? strlen(boundary) : 0;
	if (n == 0 || n > 70)
		return false;
	/* RFC 2046 §5.1.1's characters, less the space (which would need care at the end) */
	return strspn(boundary, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=?") == n;
}

bool message_attachment_ok(const char *filename, const char *content_type)
{
	if (!filename || !*filename || strlen(filename) > MESSAGE_FILENAME_MAX || has_line_break(filename) ||
	    !content_type || strlen(content_type) > MESSAGE_CONTENT_TYPE_MAX || has_line_break(content_type))
		return false;
	for (const unsigned char *p = (const unsigned char *)filename; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return false;
	/* type "/" subtype, then parameters: tokens only, so that the header cannot be turned into another */
	size_t type = strspn(content_type, "abcdefghijklmnopqrstuvwxyz0123456789-.+");
	if (type == 0 || content_type[type] != '/')
		return false;
	size_t sub = strspn(content_type + type + 1, "abcdefghijklmnopqrstuvwxyz0123456789-.+");
	if (sub == 0)
		return false;
	const char *rest = content_type + type + 1 + sub;
	return strspn(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.+=; _") == strlen(rest);
}

/* The filename parameter: quoted when plain ASCII, else RFC 2231's UTF-8 percent form. */
static void filename_param(struct buf *out, const char *filename)
{
	if (is_ascii(filename) && !strpbrk(filename, "\"\\")) {
		buf_printf(out, "filename=\"%s\"", filename);
		return;
	}
	static const char hex[] = "0123456789ABCDEF";
	buf_puts(out, "filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("!#$&+-.^_`|~", *p)) {
			buf_append(out, p, 1);
		} else {
			char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(out, enc, 3);
		}
	}
}

int message_attachment(struct buf *out, const char *boundary, const char *filename, const char *content_type,
		       const void *data, size_t n)
{
	if (!message_boundary_ok(boundary) || !message_attachment_ok(filename, content_type))
		return -1;
	/* the name on a line of its own (folded), so that a usual one keeps within 78 characters; the longest
	 * allowed stays far within RFC 5322's 998 */
	buf_printf(out, "\r\n--%s\r\nContent-Type: %s\r\nContent-Disposition: attachment;\r\n ", boundary,
		   content_type);
	filename_param(out, filename);
	buf_puts(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i += 57) { /* 57 bytes: a 76-character line */
		base64_append(out, p + i, n - i < 57 ? n - i : 57);
		buf_puts(out, "\r\n");
	}
	return out->failed ? -1 : 0;
}

int message_end(struct buf *out, const char *boundary)
{
	if (!message_boundary_ok(boundary))
		return -1;
	buf_printf(out, "\r\n--%s--\r\n", boundary);
	return out->failed ? -1 : 0;
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	                              : -1;
}

/* Appends s's first n bytes with CRLF made LF. */
static void lf_lines(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
			buf_putc(out, s[i]);
}

int message_read(const char *message, struct buf *headers, struct buf *text)
{
	const char *end = message ? strstr(message, "\r\n\r\n") : NULL;
	if (!end)
		return -1;
	lf_lines(headers, message, (size_t)(end - message) + 2);
	const char *body = end + 4;
	/* multipart (compose() above): the text is the first part, after its own headers */
	static const char multipart[] = "Content-Type: multipart/mixed;";
	const char *mp = strstr(message, multipart);
	if (mp && mp < end) {
		const char *part = strstr(body, "\r\n\r\n");
		if (!part)
			return -1;
		body = part + 4;
	}
	for (const char *p = body; *p; p++) {
		if (*p == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2; /* a soft line break */
		} else if (*p == '=' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
			buf_putc(text, (char)(hex_value(p[1]) * 16 + hex_value(p[2])));
			p += 2;
		} else if (!(*p == '\r' && p[1] == '\n')) {
			buf_putc(text, *p);
		}
	}
	return headers->failed || text->failed ? -1 : 0;
}
