/*
 * report — the report to the governing body, gathered from the record, and
 * its PDFs kept with the process.
 *
 * The report says what happened in a process: its steps with their dates and
 * every move of the schedule with its reason, the circular letters, the
 * versions, the calls with their deadlines and every extension (with its
 * reason), the meetings, the contributions per call by category and by
 * country, the answers to comments counted per call, and the contributors who
 * agreed to be named. It is public, and holds only what the public may read.
 * The counts are core/outcome.h's, the same as "you said, we did": published
 * contributions (never pending, hidden or spam), private ones counted but
 * never named; the answers counted only once a call's dispositions are
 * published; names only of contributions published as named; never an
 * address. The HTML is written by web/page_report.c from this struct.
 *
 * A PDF of it (render/pdf.h, WeasyPrint) is kept with the process: its bytes a
 * blob (named by their SHA-256), and a row with when, who and how large; each
 * one made is a new row, so earlier reports stay downloadable at their own
 * address, and each is in the audit log (report.pdf).
 */
#ifndef CONSULTA_CORE_REPORT_H
#define CONSULTA_CORE_REPORT_H

#include "core/audit.h"
#include "core/blob.h"
#include "core/disposition.h"
#include "core/outcome.h"
#include "core/overview.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

/* What one call received and what became of it: outcome_read() of the call alone (core/outcome.h, the numbers
 * of "you said, we did"), as the secretariat reads it so that a call whose answers are not published yet
 * still has its contributions counted; its decisions are shown only once published. */
struct report_call {
	const struct call *call; /* in the report's overview */
	struct outcome outcome;
	int64_t dispositions_published_at; /* 0: not published yet */
};

/* A contributor who agreed to be named (once per name, organization, category and country). */
struct report_contributor {
	const char *name, *organization, *category, *country; /* country: ISO code, or "" */
};

/* A PDF of the report, kept. */
struct report_file {
	int64_t id;
	int64_t process_id;
	char sha256[BLOB_NAME_LEN + 1]; /* of its bytes: the blob's name */
	int64_t size;
	int64_t created_at;
	const char *actor; /* who made it, as the audit log names them */
};

struct report {
	struct overview o;
	struct report_call *calls;               /* one per o.calls[i], same order */
	struct report_contributor *contributors; /* by name, then organization */
	int ncontributors;
	int64_t made_at; /* clock_now() when gathered */
};

/* Gathers the report of the process with this slug into the arena; ERROR_NOT_FOUND if there is none. Run it
 * inside a read transaction (db_read_begin; the server opens one for every GET) so that the counts and the
 * lists are read from one snapshot and agree. */
int report_gather(struct db *db, struct arena *a, const char *slug, struct report *out, struct error *e);

/* Lays out html (the report's, self-contained) as PDF and keeps it with process_id as who: the layout first,
 * outside any transaction (seconds), then the blob, the row and the audit entry "report.pdf" in one write
 * transaction. *out describes the file kept; *pdf and *pdf_len (either may be NULL) receive its bytes, in the
 * arena. Errors of the layout are written for people (error_say, ERROR_UNAVAILABLE): WeasyPrint missing, too
 * slow (LIMIT_REPORT_PDF_SECONDS), too large. */
int report_pdf_keep(struct db *db, struct arena *a, const struct actor *who, int64_t process_id, const char *html,
                    size_t len, struct report_file *out, const void **pdf, size_t *pdf_len, struct error *e);

/* The PDFs kept for process_id, newest first, at most limit of them. */
int report_files(struct db *db, struct arena *a, int64_t process_id, int limit, struct report_file **out, int *n,
                 struct error *e);

/* One kept PDF of process_id with its bytes (in the arena); ERROR_NOT_FOUND if the process has none with this id. */
int report_file_find(struct db *db, struct arena *a, int64_t process_id, int64_t id, struct report_file *out,
                     const void **pdf, size_t *pdf_len, struct error *e);

#endif
