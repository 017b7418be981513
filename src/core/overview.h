/*
 * overview — everything the public sees of one process, loaded in one call:
 * the process and its categories, schedule, documents and versions, calls
 * (with the history of their deadlines), meetings and circular letters. The
 * process page and the API's process resource both show this whole, so they
 * load it the same way.
 */
#ifndef CONSULTA_CORE_OVERVIEW_H
#define CONSULTA_CORE_OVERVIEW_H

#include "core/call.h"
#include "core/circular.h"
#include "core/document.h"
#include "core/meeting.h"
#include "core/milestone.h"
#include "core/process.h"

struct overview {
	struct process process;
	struct milestone *milestones;
	int nmilestones;
	struct document *documents;
	int ndocuments;
	struct call *calls;
	int ncalls;
	struct meeting *meetings;
	int nmeetings;
	struct circular *circulars;
	int ncirculars;
};

/* ERROR_NOT_FOUND if there is no process with this slug. */
int overview_load(struct db *db, struct arena *a, const char *slug, struct overview *out, struct error *e);

#endif
