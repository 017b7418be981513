/*
 * import — contributions received from a file of JSON lines (`consulta import`).
 *
 * An administrator who holds contributions gathered elsewhere (a paper
 * campaign keyed in, another platform's export, a benchmark's synthetic
 * docket) brings them in with the same checks as the API: each line is one
 * JSON object with the members POST /api/v1/calls/{id}/contributions takes
 * for a contribution without comments or files (name, organization,
 * category, country, email, text, publication), and each goes through
 * contribution_receive(), the one way in, on the API's channel: the call
 * must be open now, every field is checked, a tracking number is given, its
 * receipt mail is queued and its campaign recognised, exactly as for the
 * API. Nothing is written another way.
 *
 * Speed comes from the group commit (contribution_writer_start): several
 * threads check lines and hand them to the one writer, which commits them
 * by batches in one transaction and one fsync each. So lines are stored in
 * no particular order; what each became is told by its line number.
 */
#ifndef CONSULTA_CORE_IMPORT_H
#define CONSULTA_CORE_IMPORT_H

#include "util/error.h"

#include <stdint.h>
#include <stdio.h>

enum { IMPORT_THREADS_DEFAULT = 32, IMPORT_THREADS_MAX = 256, IMPORT_CAMPAIGN_PASS = 1000 /* per transaction */ };

struct import_report {
	int64_t lines;    /* lines read (empty lines are skipped and not counted) */
	int64_t imported; /* stored, each with its receipt */
	int64_t refused;  /* refused, nothing stored for them */
};

/*
 * Receives every line of `in` into call `call_id` with `threads` threads
 * (<= 0: IMPORT_THREADS_DEFAULT; at most IMPORT_THREADS_MAX) feeding the
 * group commit, which it starts and stops (the writer must not be running:
 * not inside `consulta serve`). For each line it writes one JSON line to
 * `out`, in the order lines are done: {"line": N, "tracking": "..."} or
 * {"line": N, "error": {"code": ..., "message": ..., "fields": {...}}}. A
 * refused line refuses that line only. 0 with *report filled once every
 * line is done (refused lines included), or -1 with e when the import could
 * not run (the database, the writer, a read error) — lines done before are
 * stored and reported.
 */
int import_contributions(FILE *in, FILE *out, int64_t call_id, int threads, struct import_report *report,
                         struct error *e);

#endif
