/* demo — see demo.h. The sample text is written for the demo, not taken from the real guidelines. */
#include "core/demo.h"

#include "core/call.h"
#include "core/circular.h"
#include "core/document.h"
#include "core/meeting.h"
#include "core/milestone.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

static const char DEMO_TEXT_APRIL[] =
	"> **Sample text.** This document was written for the Consulta demo. It follows the shape of a\n"
	"> draft under consultation; it is not the text of any real guidelines.\n"
	"\n"
	"## 1. Purpose\n"
	"\n"
	"These guidelines describe how the organization uses the Global Cybersecurity Agenda (GCA) as a "
	"framework for its cooperation activities.\n"
	"\n"
	"## 2. Scope\n"
	"\n"
	"The guidelines apply to the activities of the secretariat that relate to cybersecurity.\n"
	"\n"
	"## 3. Principles\n"
	"\n"
	"1. Activities are organized under the five pillars of the GCA.\n"
	"2. Activities respect the mandate given by the membership.\n"
	"3. Partners are chosen openly.\n";

static const char DEMO_TEXT_MAY[] =
	"> **Sample text.** This document was written for the Consulta demo. It follows the shape of a\n"
	"> draft under consultation; it is not the text of any real guidelines.\n"
	"\n"
	"## 1. Purpose\n"
	"\n"
	"These guidelines describe how the organization uses the Global Cybersecurity Agenda (GCA) as a "
	"framework for international cooperation, taking into account the inputs received from Member "
	"States and other stakeholders.\n"
	"\n"
	"## 2. Scope\n"
	"\n"
	"The guidelines apply to all activities of the secretariat that relate to cybersecurity, including "
	"those carried out with partners.\n"
	"\n"
	"## 3. Principles\n"
	"\n"
	"1. Activities are organized under the five pillars of the GCA: legal, technical and procedural, "
	"organizational, capacity development, and cooperation.\n"
	"2. Activities respect the mandate given by the membership and avoid duplicating the work of others.\n"
	"3. Partners are chosen openly, and the results are shared with all stakeholders.\n"
	"\n"
	"## 4. Reporting\n"
	"\n"
	"The secretariat reports every year to the governing body on how the GCA is used.\n"
	"\n"
	"| Pillar | Lead unit | Report due |\n"
	"|---|---|---|\n"
	"| Legal measures | Legal affairs | Annual |\n"
	"| Capacity development | Development bureau | Annual |\n";

struct demo {
	struct db *db;
	int64_t offset; /* days added to every date */
	int64_t process_id;
	struct error *e;
	char scratch[8][11];
	int next;
};

/* A demo date moved by the offset; the result lives in a small ring of buffers. */
static const char *D(struct demo *d, const char *date)
{
	if (!date)
		return NULL;
	char *out = d->scratch[d->next++ % 8];
	if (clock_date_add_days(date, d->offset, out) != 0)
		snprintf(out, 11, "%s", date);
	return out;
}

static int demo_build(struct demo *d)
{
	struct db *db = d->db;
	struct error *e = d->e;
	int64_t id;
	if (process_create(db, DEMO_SLUG, "Draft Guidelines for utilization of the GCA",
			   "Open consultation of all stakeholders on draft guidelines for the use of the Global "
			   "Cybersecurity Agenda (GCA), to be presented to the Council for consideration and approval.",
			   DEMO_TIMEZONE, &d->process_id, e) != 0)
		return -1;

	static const char *const categories[][2] = {
		{"member-states", "Member States"},
		{"sector-members", "Sector Members"},
		{"associates", "Associates"},
		{"academia", "Academia"},
		{"observers", "Organizations with observer rights"},
		{"other", "Other stakeholders"},
	};
	int64_t category_ids[6];
	for (int i = 0; i < 6; i++)
		if (process_add_category(db, d->process_id, categories[i][0], categories[i][1], &category_ids[i], e) != 0)
			return -1;

	int64_t doc, v_april, v_may;
	if (document_create(db, d->process_id, "guidelines", "Draft Guidelines for utilization of the GCA", &doc, e) ||
	    version_post(db, doc, D(d, "2020-04-09"), "Draft",
			 "First draft, based on inputs received from Member States.", DEMO_TEXT_APRIL, &v_april, e) ||
	    version_post(db, doc, D(d, "2020-05-05"), "Revised draft",
			 "Revised to take into account the inputs received at the first consultation.", DEMO_TEXT_MAY,
			 &v_may, e))
		return -1;

	static const struct {
		const char *date, *end_date;
		enum milestone_kind kind;
		const char *title;
	} schedule[] = {
		{"2020-04-09", NULL, MILESTONE_VERSION, "A draft of the guidelines, based on inputs from Member States, is posted online."},
		{"2020-04-23", NULL, MILESTONE_MEETING, "First online open consultation on the draft and the inputs received."},
		{"2020-05-05", NULL, MILESTONE_VERSION, "A revised draft, taking the inputs into account, is posted online."},
		{"2021-02-15", NULL, MILESTONE_DEADLINE, "Deadline for written inputs from all interested stakeholders on the revised draft."},
		{"2021-03-01", NULL, MILESTONE_MEETING, "Second online open consultation on the draft and the inputs received."},
		{"2021-03-10", NULL, MILESTONE_DEADLINE, "Deadline for final written inputs from participants in the second consultation."},
		{"2021-05-07", NULL, MILESTONE_VERSION, "The final revised draft, taking the inputs into account, is posted online."},
		{"2021-06-08", "2021-06-18", MILESTONE_PRESENTATION,
		 "The draft guidelines are presented to the Council for consideration and approval, with the "
		 "secretariat's report on how the GCA is used."},
	};
	int64_t council = 0, deadlines[2] = {0, 0}; /* the written inputs', the final inputs' */
	int ndeadlines = 0;
	for (size_t i = 0; i < sizeof schedule / sizeof *schedule; i++) {
		if (milestone_insert(db, d->process_id, D(d, schedule[i].date), D(d, schedule[i].end_date),
				     schedule[i].title, schedule[i].kind, &id, e) != 0)
			return -1;
		if (schedule[i].kind == MILESTONE_PRESENTATION)
			council = id;
		if (schedule[i].kind == MILESTONE_DEADLINE && ndeadlines < 2)
			deadlines[ndeadlines++] = id;
	}
	if (milestone_record_move(db, council, D(d, "2020-12-23"), NULL, NULL, "2020 session of the Council",
				  "The Council met only in virtual consultations in 2020 because of the global health "
				  "emergency, and the draft guidelines were not on their agendas; the presentation "
				  "moved to the next session of the Council.",
				  e) != 0)
		return -1;

	if (meeting_add(db, d->process_id, D(d, "2020-04-23"), "First online open consultation", MEETING_ONLINE,
			"Open to all stakeholders; discussed the draft and the inputs received.", &id, e) ||
	    meeting_add(db, d->process_id, D(d, "2021-03-01"), "Second online open consultation", MEETING_ONLINE,
			"Open to all stakeholders; practical details are announced before the meeting.", &id, e))
		return -1;

	if (call_create(db, d->process_id, v_may, "Written inputs on the revised draft",
			"All interested stakeholders are invited to send written inputs on the revised draft, "
			"in advance of the second online open consultation.",
			DEMO_TIMEZONE, D(d, "2020-12-23"), D(d, "2021-02-15"), &id, e) ||
	    call_set_email(db, id, DEMO_EMAIL_WRITTEN, e) || call_link_milestone(db, id, deadlines[0], e) ||
	    call_create(db, d->process_id, v_may, "Final inputs after the second consultation",
			"Participants in the second online open consultation may send their final written inputs "
			"and comments.",
			DEMO_TIMEZONE, D(d, "2021-03-01"), D(d, "2021-03-10"), &id, e) ||
	    call_set_email(db, id, DEMO_EMAIL_FINAL, e) || call_link_milestone(db, id, deadlines[1], e))
		return -1;

	static const struct {
		const char *reference, *date, *subject;
	} letters[] = {
		{"CL-20/18", "2020-03-18", "Online open consultation on the draft guidelines for utilization of the GCA"},
		{"CL-20/55", "2020-12-23", "Second online open consultation on the draft guidelines for utilization of the GCA"},
	};
	for (int i = 0; i < 2; i++) {
		if (circular_add(db, d->process_id, letters[i].reference, D(d, letters[i].date), letters[i].subject, &id,
				 e) != 0)
			return -1;
		for (int k = 0; k < 5; k++) /* the letters go to every category but "other" */
			if (circular_add_addressee(db, id, category_ids[k], e) != 0)
				return -1;
	}
	return 0;
}

int demo_load(struct db *db, bool live, bool *loaded, int64_t *offset_days, struct error *e)
{
	struct demo d = {.db = db, .e = e};
	*loaded = false;
	if (live) {
		/* Move everything so that the first call closes at the end of the day 14 days from today. */
		struct tz_local today;
		if (tz_utc_to_local(DEMO_TIMEZONE, clock_now(), &today) != 0) {
			error_set(e, ERROR_INTERNAL, "time zone %s is not available", DEMO_TIMEZONE);
			return -1;
		}
		d.offset = clock_days_from_civil(today.year, today.month, today.day) + 14 -
			   clock_days_from_civil(2021, 2, 15);
	}
	*offset_days = d.offset;
	if (db_begin(db, e) != 0)
		return -1;
	static const char sql[] = "SELECT 1 FROM process WHERE slug = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, DEMO_SLUG);
	enum db_step r = db_step(st, e);
	db_reset(st);
	if (r == DB_FAIL)
		goto fail;
	if (r == DB_ROW) {
		db_rollback(db);
		return 0;
	}
	if (demo_build(&d) != 0 || db_commit(db, e) != 0)
		goto fail;
	*loaded = true;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
