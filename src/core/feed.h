/*
 * feed — what a process's Atom feeds and its calendar say, read from the
 * record (web/page_feed.c writes them with render/atom.h and render/ical.h).
 *
 * Three feeds, because their readers differ: a process's news (new
 * versions, circular letters, moves of its schedule with their reasons, and
 * changes of its calls' deadlines), which someone following the process
 * wants without the flood of contributions; the published contributions of
 * all its calls; and one call's (its contributions and its deadline's
 * changes). Each holds the newest LIMIT_FEED_ENTRIES entries, newest first
 * by `updated`: a feed tells what is new, the pages are the archive.
 * Only what the public pages show is in them: a contribution is there only
 * when it is published and not private (never pending, hidden or spam);
 * draft versions never. Entry ids are stable tag: URIs named by what they are
 * about ("contribution/TRACKING", "version/12", "milestone-move/7"), under the
 * authority of the configured public URL's host.
 *
 * The calendar holds the whole schedule (every milestone, a call's deadline at
 * its last accepted minute) and the meetings with their hours, in the
 * process's zone; each event's UID is its milestone's or meeting's id, and its
 * SEQUENCE the milestone's (023_feeds.sql), which grows at each move.
 */
#ifndef CONSULTA_CORE_FEED_H
#define CONSULTA_CORE_FEED_H

#include "render/atom.h"
#include "render/ical.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdint.h>

/* The news of process slug; ERROR_NOT_FOUND if there is none. Everything is in the arena. */
int feed_process_news(struct db *db, struct arena *a, const char *slug, struct atom_feed *out, struct error *e);

/* The published contributions of every call of process slug. */
int feed_process_contributions(struct db *db, struct arena *a, const char *slug, struct atom_feed *out,
                               struct error *e);

/* Call id's published contributions and the changes of its deadline; ERROR_NOT_FOUND if there is none. */
int feed_call(struct db *db, struct arena *a, int64_t call_id, struct atom_feed *out, struct error *e);

/* Process slug's schedule and meetings as a calendar; ERROR_NOT_FOUND if there is none. */
int feed_calendar(struct db *db, struct arena *a, const char *slug, struct ical_calendar *out, struct error *e);

/* The authority of our tag: URIs and UIDs: the configured public URL's host. */
const char *feed_authority(struct arena *a);

#endif
