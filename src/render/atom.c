/* atom — see atom.h. */
#include "render/atom.h"

#include "util/clock.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tag: URIs' date (RFC 4151, 2.1): a day on which the authority was ours. It never changes, or every id
 * would, and readers would show every entry again. */
#define ATOM_TAG_DATE "2026"

void atom_tag_authority(const char *base_url, char *out, size_t n)
{
	const char *p = strstr(base_url ? base_url : "", "://");
	p = p ? p + 3 : (base_url ? base_url : "");
	const char *at = strpbrk(p, "@/");
	if (at && *at == '@')
		p = at + 1;
	size_t len = 0;
	if (*p == '[') { /* an IPv6 literal: its brackets stay (RFC 3986 host), as no DNS name reads */
		const char *close = strchr(p, ']');
		len = close ? (size_t)(close - p) + 1 : 0;
	} else {
		len = strcspn(p, ":/?#");
	}
	if (!len || len + 1 > n) {
		snprintf(out, n, "localhost");
		return;
	}
	for (size_t i = 0; i < len; i++)
		out[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] - 'A' + 'a') : p[i];
	out[len] = '\0';
}

/* s without the characters XML 1.0 cannot hold (C0 controls but tab, newline, CR), in a buffer the caller frees;
 * the text is UTF-8 already (every stored text is checked on the way in). */
static char *xml_clean(const char *s)
{
	size_t n = strlen(s ? s : "");
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
			*o++ = (char)*p;
	*o = '\0';
	return out;
}

static int write_text(xmlTextWriterPtr w, const char *element, const char *text)
{
	char *clean = xml_clean(text);
	if (!clean)
		return -1;
	int rc = xmlTextWriterWriteElement(w, BAD_CAST element, BAD_CAST clean);
	free(clean);
	return rc < 0 ? -1 : 0;
}

static int write_date(xmlTextWriterPtr w, const char *element, int64_t t)
{
	char iso[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(t, iso);
	return xmlTextWriterWriteElement(w, BAD_CAST element, BAD_CAST iso) < 0 ? -1 : 0;
}

static int write_link(xmlTextWriterPtr w, const char *rel, const char *type, const char *base_url, const char *path)
{
	char *href = malloc(strlen(base_url) + strlen(path) + 1);
	if (!href)
		return -1;
	memcpy(href, base_url, strlen(base_url));
	memcpy(href + strlen(base_url), path, strlen(path) + 1);
	int rc = xmlTextWriterStartElement(w, BAD_CAST "link");
	if (rc >= 0)
		rc = xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST rel);
	if (rc >= 0 && type)
		rc = xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST type);
	if (rc >= 0)
		rc = xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href);
	if (rc >= 0)
		rc = xmlTextWriterEndElement(w);
	free(href);
	return rc < 0 ? -1 : 0;
}

static int write_id(xmlTextWriterPtr w, const char *authority, const char *id)
{
	size_t n = strlen(authority) + strlen(id) + 32;
	char *tag = malloc(n);
	if (!tag)
		return -1;
	snprintf(tag, n, "tag:%s," ATOM_TAG_DATE ":%s", authority, id);
	int rc = write_text(w, "id", tag);
	free(tag);
	return rc;
}

static int write_author(xmlTextWriterPtr w, const char *name)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "author") < 0 || write_text(w, "name", name) != 0 ||
	    xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

static int write_entry(xmlTextWriterPtr w, const char *base_url, const char *authority, const struct atom_entry *x)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "entry") < 0 || write_id(w, authority, x->id) != 0 ||
	    write_text(w, "title", x->title) != 0 || write_date(w, "updated", x->updated) != 0 ||
	    write_link(w, "alternate", "text/html", base_url, x->path) != 0)
		return -1;
	if (x->author && write_author(w, x->author) != 0)
		return -1;
	if (x->category && (xmlTextWriterStartElement(w, BAD_CAST "category") < 0 ||
	                    xmlTextWriterWriteAttribute(w, BAD_CAST "term", BAD_CAST x->category) < 0 ||
	                    xmlTextWriterEndElement(w) < 0))
		return -1;
	if (x->summary && *x->summary && write_text(w, "summary", x->summary) != 0)
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

int atom_write(struct buf *out, const char *base_url, const char *authority, const struct atom_feed *f)
{
	xmlBufferPtr xb = xmlBufferCreate();
	if (!xb)
		return -1;
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	if (!w) {
		xmlBufferFree(xb);
		return -1;
	}
	int rc =
	    xmlTextWriterSetIndent(w, 1) < 0 || xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	            xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feed", BAD_CAST "http://www.w3.org/2005/Atom") < 0
	        ? -1
	        : 0;
	/* the language of our words in it (titles, subtitles); each entry's content is as its author wrote it */
	if (!rc && f->lang && *f->lang && xmlTextWriterWriteAttribute(w, BAD_CAST "xml:lang", BAD_CAST f->lang) < 0)
		rc = -1;
	if (!rc && (write_id(w, authority, f->id) != 0 || write_text(w, "title", f->title) != 0 ||
	            (f->subtitle && write_text(w, "subtitle", f->subtitle) != 0) ||
	            write_date(w, "updated", f->updated) != 0 || write_author(w, f->author) != 0 ||
	            write_link(w, "self", "application/atom+xml", base_url, f->self_path) != 0 ||
	            write_link(w, "alternate", "text/html", base_url, f->path) != 0 ||
	            xmlTextWriterWriteElement(w, BAD_CAST "generator", BAD_CAST "Consulta") < 0))
		rc = -1;
	for (int i = 0; !rc && i < f->n; i++)
		rc = write_entry(w, base_url, authority, &f->entries[i]);
	if (!rc && xmlTextWriterEndDocument(w) < 0)
		rc = -1;
	xmlFreeTextWriter(w); /* flushes into xb */
	if (!rc && buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)) != 0)
		rc = -1;
	xmlBufferFree(xb);
	return rc;
}
