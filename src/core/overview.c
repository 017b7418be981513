/* overview — see overview.h. */
#include "core/overview.h"

#include <string.h>

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
	    circular_list(db, a, id, &o->circulars, &o->ncirculars, e) != 0)
		return -1;
	for (int i = 0; i < o->ncalls; i++)
		if (call_history(db, a, &o->calls[i], e) != 0)
			return -1;
	return 0;
}
