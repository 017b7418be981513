/*
 * attachment — the files of a contribution, whichever way they came: the
 * one place that says what a file is (libmagic reads its bytes; its name
 * and the type its sender claimed are not believed), extracts its text for
 * search (pdftotext for PDF, pandoc for Word and OpenDocument text, plain
 * text as it is), and has it scanned for viruses by clamd.
 *
 * The web form and the API accept only the kinds of ATTACHMENT_KINDS (PDF,
 * DOCX, ODT, XLSX, TXT), up to config's size and count (at most
 * LIMIT_ATTACHMENT and LIMIT_ATTACHMENTS); attachment_accept() checks them
 * before the contribution's transaction and refuses the contribution,
 * naming the file, for a file of another kind, too large, or infected. A
 * message by mail keeps every file (a message is never refused for its
 * attachments: mail/extract.c), and its files are scanned as the loop
 * scans files held.
 *
 * Every file has a scan state: clean (clamd found nothing: it may be
 * downloaded), pending (not scanned yet: clamd was down, too slow, or is
 * not configured; held, never lost, never served) or quarantined (clamd
 * found a virus after it was held: kept in the record, never served).
 * attachment_scan_pending() scans the held ones; the mail sender's loop
 * calls it (mail/sender.c), so held files are scanned once clamd answers.
 */
#ifndef CONSULTA_CORE_ATTACHMENT_H
#define CONSULTA_CORE_ATTACHMENT_H

#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

struct contribution_attachment;

enum attachment_scan { ATTACHMENT_PENDING, ATTACHMENT_CLEAN, ATTACHMENT_QUARANTINED };
const char *attachment_scan_name(enum attachment_scan s);
bool attachment_scan_parse(const char *name, enum attachment_scan *out);

enum { ATTACHMENT_SCAN_TIMEOUT_MS = 30000 }; /* one file's whole exchange with clamd */

/* The kinds the web form and the API accept, for the pages' words: "PDF, DOCX, ODT, XLSX or TXT", marked for the
 * catalogues: written _(ATTACHMENT_KINDS), in the reader's language (its "or" is a word). */
extern const char *const ATTACHMENT_KINDS;

/* libmagic's database, loaded once; before threads. -1 if it cannot be loaded. */
int attachment_init(void);

/* The type of len bytes as libmagic sees them ("application/pdf"), in the arena. */
const char *attachment_type(struct arena *a, const void *data, size_t len);

/* A size in words a person reads at a glance ("512 bytes", "340 KiB", "1.2 MiB"), in the arena. */
const char *attachment_size_words(struct arena *a, size_t n);

/* The short name of an accepted type ("PDF"), or NULL for a type the web and the API refuse. */
const char *attachment_kind(const char *type);

/* The Content-Type a download is served with: the type found, for an accepted kind; anything else
 * (a mail's HTML, say) as application/octet-stream, so that no browser runs it. */
const char *attachment_serve_type(const char *type);

/* The text of f for search (f->type found already), by what its bytes are (a zip named .docx or .odt too),
 * in the arena; NULL when no tool gives it or the tool fails. Runs programs: call outside transactions. */
const char *attachment_text(struct arena *a, const struct contribution_attachment *f);

/* Checks the n files sent with the web form or the API (name, data, size set): their count and sizes against
 * the configured limits, each one's type by its bytes (f->type is set), its text (f->text), and has clamd scan
 * it (f->scan: clean, or pending when clamd is not configured or gives no verdict). Adds one error to e for
 * field "attachments" naming the first file refused, with the limit or the kinds in words; -1 then, else 0.
 * Call before the contribution's transaction. */
int attachment_accept(struct arena *a, struct contribution_attachment *files, int n, struct error *e);

/* Scans up to max files held for scanning (pending), oldest first, each with clamd: clean ones become
 * available, infected ones quarantined (audit "attachment.quarantine"). The number scanned, or -1 with e on
 * a store error; 0 when clamd is not configured or gives no verdict (they stay held). */
int attachment_scan_pending(struct db *db, int max, struct error *e);

/* The bytes of the position-th file (1, 2, ...) of contribution id into *f (with f->data) in the arena;
 * ERROR_NOT_FOUND if there is none. */
int attachment_get(struct db *db, struct arena *a, int64_t contribution_id, int position,
                   struct contribution_attachment *f, struct error *e);

#endif
