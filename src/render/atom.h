/*
 * atom — an Atom feed (RFC 4287) written with libxml2's xmlTextWriter.
 *
 * The caller gives the feed's facts already chosen (which entries, newest
 * first, at most how many); this module only writes them: every text is
 * escaped by the writer, characters that XML 1.0 cannot hold at all (C0
 * controls other than tab, newline and carriage return) are left out, ids
 * are tag: URIs (RFC 4151) built from the authority given, instants are
 * RFC 3339 in UTC ("2026-12-01T10:33:00Z"), and every link is absolute
 * (base_url + path).
 */
#ifndef CONSULTA_RENDER_ATOM_H
#define CONSULTA_RENDER_ATOM_H

#include "util/buf.h"

#include <stdint.h>

struct atom_entry {
	const char *id; /* the specific part of its tag: URI, e.g. "contribution/CH-2026-0001" */
	const char *title;
	const char *summary;  /* plain text, or NULL */
	const char *path;     /* its page, e.g. "/contributions/CH-2026-0001": the rel="alternate" link */
	const char *author;   /* NULL: the feed's author */
	const char *category; /* a term naming its kind ("version", "letter", "schedule", "contribution"), or NULL */
	int64_t updated;      /* UTC seconds */
};

struct atom_feed {
	const char *id; /* the specific part of the feed's tag: URI, e.g. "process/itu-2026/feed" */
	const char *title;
	const char *subtitle;  /* or NULL */
	const char *path;      /* the page the feed follows (rel="alternate") */
	const char *self_path; /* the feed's own address (rel="self") */
	const char *author;    /* who publishes it: required by RFC 4287 when an entry has none */
	const char *lang;      /* the language of its texts (a BCP 47 tag, the feed's xml:lang), or NULL */
	int64_t updated;       /* the newest entry's, or when the feed's subject began */
	const struct atom_entry *entries;
	int n;
};

/* The tag: URI authority of base_url ("https://consult.example.org:8443" -> "consult.example.org"): its host,
 * lower case, without user, port or path; out holds n bytes ("localhost" if none can be read). */
void atom_tag_authority(const char *base_url, char *out, size_t n);

/* Appends the feed as an XML document to out. base_url has no trailing slash; authority is the tag: URIs'
 * (atom_tag_authority); ids read "tag:AUTHORITY,2026:ID". 0, or -1 if libxml2 failed or out is full. */
int atom_write(struct buf *out, const char *base_url, const char *authority, const struct atom_feed *f);

#endif
