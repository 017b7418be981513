/* demo — see demo.h. The sample text is written for the demo, not taken from the real guidelines. */
#include "core/demo.h"

#include "core/account.h"
#include "core/call.h"
#include "core/circular.h"
#include "core/contribution.h"
#include "core/disposition.h"
#include "core/document.h"
#include "core/meeting.h"
#include "core/milestone.h"
#include "core/process.h"
#include "util/clock.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

/* Who runs the demo process: its letters are numbered in this body's series. */
#define DEMO_BODY "The Council Working Group on the GCA"

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
	bool contributions;  /* the sample contributions too (demo_options) */
	int64_t first_call;  /* with them: the closed call on the first draft */
	int64_t revised;     /* the revised draft's version, where the first call's accepted comments landed */
	int64_t written_call; /* the call on the revised draft that is open in live mode */
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

/* The year of a demo date once moved: texts that name a year (a letter's number, a session of the Council)
 * follow the dates, so that in live mode a letter dated 2026 is not numbered CL-20/.. . */
static int Y(struct demo *d, const char *date)
{
	const char *s = D(d, date);
	int year = 0;
	for (int i = 0; i < 4 && s[i] >= '0' && s[i] <= '9'; i++)
		year = year * 10 + (s[i] - '0');
	return year;
}

static int demo_build(struct demo *d)
{
	struct db *db = d->db;
	struct error *e = d->e;
	int64_t id;
	if (process_create(db, DEMO_SLUG, "Draft Guidelines for utilization of the GCA",
			   "Open consultation of all stakeholders on draft guidelines for the use of the Global "
			   "Cybersecurity Agenda (GCA), to be presented to the Council for consideration and approval.",
			   DEMO_TIMEZONE, &d->process_id, e) != 0 ||
	    process_set_runners(db, d->process_id, DEMO_BODY,
				"The GCA secretariat, gca-secretariat@gca-demo.example", e) != 0)
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
	d->revised = v_may;

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
	/* The presentation was meant for the Council's session of the first draft's year (June 2020). Its cause,
	 * the global health emergency, is told on the real dates only: moved to another year it would not be
	 * true. */
	char session[64], why[320];
	const int session_year = Y(d, "2020-06-09");
	snprintf(session, sizeof session, "%d session of the Council", session_year);
	snprintf(why, sizeof why,
		 "The Council met only in virtual consultations in %d%s, and the draft guidelines were not on their "
		 "agendas; the presentation moved to the next session of the Council.",
		 session_year, d->offset == 0 ? " because of the global health emergency" : "");
	if (milestone_record_move(db, council, D(d, "2020-12-23"), NULL, NULL, session, why, e) != 0)
		return -1;

	/* Each meeting has its hours in the process's zone and a link to join (a reserved .example address),
	 * which registered participants are shown. */
	if (meeting_add(db, d->process_id, D(d, "2020-04-23"), "First online open consultation", MEETING_ONLINE,
			"Open to all stakeholders; discussed the draft and the inputs received.", &id, e) ||
	    meeting_set_time(db, id, "13:00", "16:00", "https://meet.gca-demo.example/first-consultation", e) ||
	    meeting_add(db, d->process_id, D(d, "2021-03-01"), "Second online open consultation", MEETING_ONLINE,
			"Open to all stakeholders; on the revised draft and the written inputs received.", &id, e) ||
	    meeting_set_time(db, id, "14:00", "17:00", "https://meet.gca-demo.example/second-consultation", e))
		return -1;

	if (call_create(db, d->process_id, v_may, "Written inputs on the revised draft",
			"All interested stakeholders are invited to send written inputs on the revised draft, "
			"in advance of the second online open consultation.",
			DEMO_TIMEZONE, D(d, "2020-12-23"), D(d, "2021-02-15"), &id, e) ||
	    call_set_email(db, id, DEMO_EMAIL_WRITTEN, e) || call_link_milestone(db, id, deadlines[0], e))
		return -1;
	d->written_call = id;
	if (
	    call_create(db, d->process_id, v_may, "Final inputs after the second consultation",
			"Participants in the second online open consultation may send their final written inputs "
			"and comments.",
			DEMO_TIMEZONE, D(d, "2021-03-01"), D(d, "2021-03-10"), &id, e) ||
	    call_set_email(db, id, DEMO_EMAIL_FINAL, e) || call_link_milestone(db, id, deadlines[1], e))
		return -1;

	/* With the sample contributions, the first draft gets a call of its own, closed before the revised
	 * draft was posted, so that comments on it are carried forward to the revised draft. Made last, so
	 * that the ids of everything above are the plain demo's. Its deadline is on the schedule as one fact
	 * with it, like the other calls'. */
	if (d->contributions) {
		int64_t deadline;
		if (call_create(db, d->process_id, v_april, "Inputs on the first draft",
				"Member States and other stakeholders are invited to comment on the first draft, "
				"paragraph by paragraph, before the first online open consultation and the revised draft.",
				DEMO_TIMEZONE, D(d, "2020-04-09"), D(d, "2020-04-20"), &d->first_call, e) ||
		    milestone_insert(db, d->process_id, D(d, "2020-04-20"), NULL,
				     "Deadline for written inputs on the first draft.", MILESTONE_DEADLINE, &deadline, e) ||
		    call_link_milestone(db, d->first_call, deadline, e))
			return -1;
	}
	return 0;
}

/* The secretariat's answer to one sample comment: its decision, its reason and, when the text changed, the
 * pid of the revised draft's paragraph where it landed (NULL: nowhere). */
struct sample_answer {
	const char *decision, *landed, *reason;
};

/* One sample contribution: who sent it, when (days and hours after its call opened), its comments and, for
 * the closed call on the first draft, their answers (answers[j] is comments[j]'s). */
struct sample {
	bool first_draft; /* to the call on the first draft, or to the one on the revised draft */
	int64_t after;    /* seconds after the call opened */
	const char *name, *organization, *category, *country, *email, *publication, *text;
	struct comment_input comments[4];
	struct sample_answer answers[4];
};

#define SAMPLE_AT(days, hours) ((int64_t)(days) * 86400 + (int64_t)(hours) * 3600)

/* Written for the demo: every name, organization and address is made up, and says so (the addresses are at
 * example.org, reserved for examples by RFC 2606, so that no mail the demo queues can reach anyone). Each
 * moment is inside its call (the first draft's is open 12 days; the revised draft's opened 40 days before
 * today in live mode, so its two are in the past too), and in order within each call. The answers to the
 * first draft's comments agree with the revised draft's text: what was accepted is in it, where they say. */
static const struct sample SAMPLES[] = {
	{true, SAMPLE_AT(2, 9), "Amina Wanjiru (sample)", "Sample Ministry of Information and Communications",
	 "member-states", "KE", "amina.wanjiru@example.org", "named",
	 "Sample contribution. We welcome the first draft and send our comments paragraph by paragraph.",
	 {{"p2", "technical",
	   "The purpose speaks of \"cooperation activities\" without saying with whom. The GCA is a framework for "
	   "international cooperation, and the guidelines should say so.",
	   "These guidelines describe how the organization uses the Global Cybersecurity Agenda (GCA) as a "
	   "framework for international cooperation."},
	  {"p4", "editorial", "Name the five pillars, so that readers need not look them up.",
	   "Activities are organized under the five pillars of the GCA: legal, technical and procedural, "
	   "organizational, capacity development, and cooperation."},
	  {NULL, "general",
	   "The draft should say how the secretariat reports on the use of the GCA, and to whom.",
	   "Add a section on reporting to the governing body."}},
	 {{"accepted", "p2",
	   "The revised draft says that the GCA is used as a framework for international cooperation, as proposed."},
	  {"accepted", "p4",
	   "The five pillars are now named where the guidelines first mention them, in the words of the GCA."},
	  {"accepted_in_part", "p7",
	   "A new section, \"Reporting\", says that the secretariat reports every year to the governing body. "
	   "How the report is presented is for the governing body to decide, so the section does not describe "
	   "it."}}},
	{true, SAMPLE_AT(5, 14), "Sample university research group", "Sample Institute of Technology", "academia",
	 "BR", "research.group@example.org", "anonymous", NULL,
	 {{"p3", "technical",
	   "The scope covers only the secretariat's own activities; much of the work is done with partners, and "
	   "it should be covered too.",
	   "The guidelines apply to all activities of the secretariat that relate to cybersecurity, including "
	   "those carried out with partners."},
	  {"p6", "general",
	   "Choosing partners openly is welcome; the results of the work should be as open as the choice.",
	   "Partners are chosen openly, and the results are shared with all stakeholders."}},
	 {{"accepted", "p3",
	   "Much of the work is indeed done with partners: the scope now covers it, in the words proposed."},
	  {"accepted", "p6", "The principle now covers the results as well as the choice of partners."}}},
	{true, SAMPLE_AT(8, 11), "Jonas Becker (sample)", "Example Networks AG (sample)", "sector-members", "DE",
	 "jonas.becker@example.org", "named",
	 "Sample contribution on behalf of a Sector Member.",
	 {{"p5", "technical",
	   "Other organizations run programmes on the same subjects; the guidelines should avoid duplicating "
	   "them.",
	   "Activities respect the mandate given by the membership and avoid duplicating the work of others."},
	  {"p3", "editorial", "\"The activities\" reads as if the list were known; say \"all activities\".",
	   NULL}},
	 {{"accepted", "p5",
	   "The secretariat coordinates with the other organizations that run programmes on the same subjects; "
	   "the principle now says so."},
	  {"accepted", "p3",
	   "Made together with the change of scope proposed by another contributor: the paragraph now reads "
	   "\"all activities of the secretariat\"."}}},
	{true, SAMPLE_AT(10, 16), "Sample observer delegation", "Sample Regional Telecommunity", "observers",
	 "TH", "observer.delegation@example.org", "anonymous", NULL,
	 {{"p4", "general",
	   "Regional organizations already work under these pillars; the guidelines could invite them to "
	   "report on it.",
	   NULL},
	  {"p2", "editorial", "Spell out the acronym at its first use in the body as well as in the title.", NULL}},
	 {{"not_accepted", NULL,
	   "The guidelines govern the secretariat's own activities; they cannot ask other organizations to "
	   "report. Regional organizations are welcome to present their work at the open consultations."},
	  {"noted", NULL,
	   "The acronym is spelled out at its first use in the body: the purpose (paragraph 2) reads \"the "
	   "Global Cybersecurity Agenda (GCA)\"."}}},
	{false, SAMPLE_AT(5, 10), "Priya Raman (sample)", "Sample Department of Telecommunications",
	 "member-states", "IN", "priya.raman@example.org", "named",
	 "Sample contribution on the revised draft.",
	 {{"p7", "technical",
	   "A yearly report is welcome; it should be public, so that all stakeholders can follow how the GCA "
	   "is used.",
	   "The secretariat reports every year to the governing body on how the GCA is used, and publishes the "
	   "report online."},
	  {"p3", "editorial", "\"Including those carried out with partners\" could be its own sentence.", NULL}}},
	{false, SAMPLE_AT(12, 15), "Sample civil society network", "Sample Digital Rights Network", "other", "FR",
	 "digital.rights@example.org", "anonymous", NULL,
	 {{"p8", "general",
	   "The table gives a lead unit for two pillars only; the other three should be listed too.",
	   "Add rows for technical and procedural measures, organizational structures, and international "
	   "cooperation."},
	  {"p6", "technical", "Say where the results are shared, for example on the organization's website.",
	   NULL}}},
};

static int sample_count(const struct sample *s)
{
	int n = 0;
	while (n < 4 && s->comments[n].comment)
		n++;
	return n;
}

/* The secretariat who answers the sample comments: the account DEMO_SECRETARIAT_EMAIL (`make run` makes it
 * first, with a password), else made here, confirmed, with no password. Made with the clock held at the
 * first call's opening, so that the record does not show answers older than the account that gave them. */
static int demo_secretariat(struct demo *d, struct arena *a, const struct call *first, struct actor *who)
{
	struct account acc;
	if (account_find_email(d->db, a, DEMO_SECRETARIAT_EMAIL, &acc, d->e) != 0) {
		if (strcmp(d->e->code, ERROR_NOT_FOUND) != 0)
			return -1;
		error_clear(d->e);
		const struct account_input in = {
			.email = DEMO_SECRETARIAT_EMAIL, .name = "Demo secretariat", .role = ACCOUNT_SECRETARIAT};
		const char *link;
		clock_hold(first->opens_at);
		const int got = account_create(d->db, a, &in, &acc, &link, d->e);
		clock_release();
		if (got != 0)
			return -1;
	}
	*who = account_actor(&acc);
	return 0;
}

/* The answer written for the sample comment of contribution `tracking` whose text is `comment`, or NULL. */
static const struct sample_answer *sample_answer_of(char (*const trackings)[TRACKING_LEN + 1], const char *tracking,
						    const char *comment)
{
	for (size_t i = 0; i < sizeof SAMPLES / sizeof *SAMPLES; i++) {
		if (strcmp(trackings[i], tracking) != 0)
			continue;
		for (int j = 0; j < sample_count(&SAMPLES[i]); j++)
			if (!strcmp(SAMPLES[i].comments[j].comment, comment))
				return SAMPLES[i].answers[j].decision ? &SAMPLES[i].answers[j] : NULL;
	}
	return NULL;
}

/* Answers every comment of the call on the first draft through disposition_record(), the one way in, and
 * publishes them (disposition_publish(), which queues each contributor's fate mail), with the clock held at
 * moments that agree with the story: answered in the days after the first consultation, published on the
 * day the revised draft was posted (26 days after the call opened). A sample comment without an answer
 * fails the load rather than leave the call unpublished. */
static int demo_answer(struct demo *d, struct arena *a, const struct call *first,
		       char (*const trackings)[TRACKING_LEN + 1])
{
	struct disposition_item *items;
	int n;
	struct actor who;
	if (demo_secretariat(d, a, first, &who) != 0 || disposition_comments(d->db, a, first->id, &items, &n, d->e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct sample_answer *s = sample_answer_of(trackings, items[i].tracking, items[i].comment);
		if (!s) {
			error_set(d->e, ERROR_INTERNAL, "the demo has no answer to comment %lld",
				  (long long)items[i].comment_id);
			return -1;
		}
		const struct disposition_input in = {
			.decision = s->decision, .reason = s->reason, .paragraph = s->landed, .version_id = d->revised};
		struct disposition out;
		bool unchanged;
		clock_hold(first->opens_at + SAMPLE_AT(20, 9) + (int64_t)i * 1800);
		const int got = disposition_record(d->db, a, &who, items[i].comment_id, &in, &out,
						   &unchanged, d->e);
		clock_release();
		if (got != 0)
			return -1;
	}
	clock_hold(first->opens_at + SAMPLE_AT(26, 10));
	const int got = disposition_publish(d->db, a, &who, first->id, d->e);
	clock_release();
	return got;
}

/* Receives the sample contributions through contribution_receive(), the one way in, each with the clock
 * held at its moment inside its call (the call on the first draft closed long ago); then answers the first
 * draft's comments and publishes the answers (demo_answer). */
/* The two letters of the seed, issued through circular_issue() on their dates (the clock held there, as for
 * the sample contributions): CL-20/18, and CL-20/55 that refers to it with the schedule annexed. Their
 * numbers go on from the body's earlier letters (to others): the counter is set before each. Their PDFs are
 * made when first asked for (WeasyPrint is the web server's). After the process's transaction and the
 * contributions, so that the ids and ledger leaves made before are the plain demo's. */
static int demo_letters(struct demo *d)
{
	static const struct {
		int number;
		const char *date, *subject, *markdown, *references;
		int annex;
	} letters[] = {
	    {18, "2020-03-18", "Online open consultation on the draft guidelines for utilization of the GCA",
	     "Dear Sir/Madam,\n\nThe Council Working Group on the GCA invites all stakeholders to an **online "
	     "open consultation** on the draft guidelines for utilization of the Global Cybersecurity Agenda.\n\n"
	     "The draft, based on inputs from Member States, will be posted on the consultation's page; a first "
	     "online consultation meeting will discuss it and the inputs received.\n\nYours faithfully,\n\n"
	     "The secretariat",
	     "", 0},
	    {55, "2020-12-23", "Second online open consultation on the draft guidelines for utilization of the GCA",
	     "Dear Sir/Madam,\n\nFurther to the letter referenced above, the revised draft guidelines are posted "
	     "online. All interested stakeholders are invited to send **written inputs** by the deadline on the "
	     "updated schedule, annexed, to the consultation's contributions address.\n\nA second online open "
	     "consultation will discuss the draft and the inputs received; its participants may then send final "
	     "inputs.\n\nYours faithfully,\n\nThe secretariat",
	     "CL-20/18", 1},
	};
	struct arena a;
	arena_init(&a);
	int rc = -1;
	for (int i = 0; i < 2; i++) {
		int y, m, day;
		int64_t at, draft;
		char series[16], refs[24] = "";
		const char *date = D(d, letters[i].date);
		if (clock_parse_date(date, &y, &m, &day) != 0 ||
		    tz_local_to_utc(DEMO_TIMEZONE, y, m, day, 10, 0, 0, &at) != 0) {
			error_set(d->e, ERROR_INTERNAL, "time zone %s is not available", DEMO_TIMEZONE);
			goto out;
		}
		snprintf(series, sizeof series, "CL-%02d", y % 100);
		if (*letters[i].references)
			snprintf(refs, sizeof refs, "CL-%02d/18", Y(d, letters[0].date) % 100);
		const struct circular_input in = {
			.subject = letters[i].subject,
			.markdown = letters[i].markdown,
			.contact = "The GCA secretariat, gca-secretariat@gca-demo.example",
			.for_action = "member-states,sector-members,associates,academia,observers",
			.references = refs,
			.schedule_annex = letters[i].annex,
		};
		clock_hold(at);
		const int got = circular_counter_set(d->db, DEMO_BODY, series, letters[i].number - 1, d->e) != 0 ||
					circular_draft_create(d->db, &a, &ACTOR_SYSTEM, d->process_id, &in, &draft, d->e) != 0 ||
					circular_issue(d->db, &a, &ACTOR_SYSTEM, draft, NULL, d->e) != 0
				    ? -1
				    : 0;
		clock_release();
		if (got != 0)
			goto out;
	}
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

static int demo_contribute(struct demo *d)
{
	struct arena a;
	arena_init(&a);
	struct call first, written;
	char trackings[sizeof SAMPLES / sizeof *SAMPLES][TRACKING_LEN + 1];
	int rc = -1;
	if (call_find(d->db, &a, d->first_call, &first, d->e) != 0 ||
	    call_find(d->db, &a, d->written_call, &written, d->e) != 0)
		goto out;
	for (size_t i = 0; i < sizeof SAMPLES / sizeof *SAMPLES; i++) {
		const struct sample *s = &SAMPLES[i];
		const struct call *c = s->first_draft ? &first : &written;
		const struct contribution_input in = {
			.name = s->name,
			.organization = s->organization,
			.category = s->category,
			.country = s->country,
			.email = s->email,
			.text = s->text,
			.publication = s->publication,
			.channel = CHANNEL_WEB,
			.comments = s->comments,
			.ncomments = sample_count(s),
		};
		struct receipt r;
		clock_hold(c->opens_at + s->after);
		const int got = contribution_receive(d->db, &a, c->id, &in, &r, d->e);
		clock_release();
		if (got != 0)
			goto out;
		snprintf(trackings[i], sizeof trackings[i], "%s", r.tracking);
	}
	if (demo_answer(d, &a, &first, trackings) != 0)
		goto out;
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

int demo_load(struct db *db, bool live, bool *loaded, int64_t *offset_days, struct error *e)
{
	return demo_load_with(db, &(struct demo_options){.live = live}, loaded, offset_days, e);
}

int demo_load_with(struct db *db, const struct demo_options *o, bool *loaded, int64_t *offset_days,
		   struct error *e)
{
	const bool live = o->live;
	struct demo d = {.db = db, .e = e, .contributions = o->contributions};
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
	/* Each contribution is its own transaction (contribution_receive commits it), after the process's. */
	if (d.contributions && demo_contribute(&d) != 0)
		return -1;
	return demo_letters(&d);
fail:
	db_rollback(db);
	return -1;
}
