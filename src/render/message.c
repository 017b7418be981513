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

/* An RFC 2047 encoded-word sequence (B encoding), split so no word passes 75
 * characters and no UTF-8 character is cut in two. */
static void encoded_words(struct buf *out, const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	bool first = true;
	while (n) {
		size_t take = n < 45 ? n : 45; /* 45 bytes -> 60 base64 characters */
		while (take < n && (p[take] & 0xC0) == 0x80)
			take--;
		buf_puts(out, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
		for (size_t i = 0; i < take; i += 3) {
			unsigned v = (unsigned)p[i] << 16;
			if (i + 1 < take)
				v |= (unsigned)p[i + 1] << 8;
			if (i + 2 < take)
				v |= p[i + 2];
			char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < take ? b64[v >> 6 & 63] : '=',
				     i + 2 < take ? b64[v & 63] : '='};
			buf_append(out, q, 4);
		}
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

/* Quoted-printable (RFC 2045 §6.7): soft line breaks before 76 characters. */
static void quoted_printable(struct buf *out, const char *body)
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
	buf_puts(out, "\r\n");
}

int message_compose(struct buf *out, const struct message *m)
{
	if (has_line_break(m->from) || has_line_break(m->from_name) || has_line_break(m->to) ||
	    has_line_break(m->subject) || has_line_break(m->message_id) || has_line_break(m->in_reply_to) ||
	    has_line_break(m->list_unsubscribe) || has_line_break(m->references))
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
	buf_puts(out, "Auto-Submitted: auto-generated\r\n"
		      "X-Auto-Response-Suppress: All\r\n"
		      "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=utf-8\r\n"
		      "Content-Transfer-Encoding: quoted-printable\r\n"
		      "\r\n");
	quoted_printable(out, m->body);
	return out->failed ? -1 : 0;
}
