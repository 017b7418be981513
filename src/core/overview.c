/* overview — see overview.h. */
#include "core/overview.h"

#include <string.h>

/* A fixed number of statements however many milestones, documents, calls and letters the process has (each
 * list's children come in one statement for the whole process): every statement is a round trip on PostgreSQL,
 * and the process page is read during bursts of contributions (issue 11). */
int overview_load(struct db *db, struct arena *a, const char *slug, struct overview *o, struct error *e)
{
	memset(o, 0, sizeof *o);
	if (process_find(db, a, slug, &o->process, e) != 0)
		return -1;
	const int64_t id = o->process.id;
	if (milestone_list(db, a, id, &o->milestones, &o->nmilestones, e) != 0 ||
	    document_list(db, a, id, &o->documents, &o->ndocuments, e) != 0 ||
	    call_list(db, a, id, &o->calls, &o->ncalls, e) != 0 ||
	    meeting_list(db, a, id, &o->meetings, &o->nmeetings, e) != 0 ||
	    circular_list(db, a, id, &o->circulars, &o->ncirculars, e) != 0 ||
	    call_history_all(db, a, id, o->calls, o->ncalls, e) != 0)
		return -1;
	return 0;
}
