/* meeting — see meeting.h. */
#include "core/meeting.h"

#include "core/account.h"
#include "core/blob.h"
#include "core/config.h"
#include "core/feed.h"
#include "core/field.h"
#include "core/outbox.h"
#include "core/process.h"
#include "render/ical.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/tz.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const FORMAT_NAMES[] = {
    [MEETING_ONLINE] = "online",
    [MEETING_PHYSICAL] = "physical",
    [MEETING_HYBRID] = "hybrid",
};

const char *meeting_format_name(enum meeting_format f)
{
	return FORMAT_NAMES[f];
}

bool meeting_format_parse(const char *name, enum meeting_format *out)
{
	const int i = field_enum_index(FORMAT_NAMES, (int)(sizeof FORMAT_NAMES / sizeof *FORMAT_NAMES), name);
	if (i >= 0)
		*out = (enum meeting_format)i;
	return i >= 0;
}

static const char *const STATE_NAMES[] = {
    [REGISTRATION_REGISTERED] = "registered",
    [REGISTRATION_WAITING] = "waiting",
    [REGISTRATION_CANCELLED] = "cancelled",
};

const char *registration_state_name(enum registration_state s)
{
	return STATE_NAMES[s];
}

bool registration_state_parse(const char *name, enum registration_state *out)
{
	const int i = field_enum_index(STATE_NAMES, (int)(sizeof STATE_NAMES / sizeof *STATE_NAMES), name);
	if (i >= 0)
		*out = (enum registration_state)i;
	return i >= 0;
}

/* Each refusal's machine code and its sentence in English, marked for the catalogue: pages show it in the
 * reader's language (_() where shown). */
static const struct {
	const char *code, *text;
} REFUSALS[] = {
    [MEETING_ACCEPTED] = {"accepted", N_("Registered.")},
    [MEETING_REFUSED_CANCELLED] = {"meeting_cancelled", N_("This meeting was cancelled: nobody can register for it.")},
    [MEETING_REFUSED_PAST] = {"meeting_past", N_("This meeting has already taken place: registration is over.")},
    [MEETING_REFUSED_CLOSED] = {"registration_closed", N_("Registration for this meeting has closed.")},
    [MEETING_REFUSED_FULL] = {"meeting_full",
                              N_("Every place at this meeting is taken. You can join the waiting list: you get a "
                                 "place in turn if someone cancels.")},
};

const char *meeting_refusal_code(enum meeting_refusal r)
{
	return REFUSALS[r].code;
}

const char *meeting_refusal_text(enum meeting_refusal r)
{
	return REFUSALS[r].text;
}

int meeting_add(struct db *db, int64_t process_id, const char *date, const char *title, enum meeting_format format,
                const char *description, int64_t *id, struct error *e)
{
	int y, m, d;
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", _("Give the date as YYYY-MM-DD."));
	if (!title || !*title)
		error_field(e, "title", _("Give the meeting a title."));
	if (e->code)
		return -1;
	static const char sql[] =
	    "INSERT INTO meeting (process_id, date, title, format, description) VALUES (?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, meeting_format_name(format));
	db_bind_text(st, 5, description ? description : "");
	if (db_insert_id(st, id, e) != 0)
		return -1;
	return 0;
}

/* True for a time of day written "HH:MM", 00:00 to 23:59. */
static bool time_valid(const char *t)
{
	if (!t || strlen(t) != 5 || t[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (t[i] < '0' || t[i] > '9'))
			return false;
	return (t[0] - '0') * 10 + (t[1] - '0') < 24 && t[3] < '6';
}

static void check_time(const char *starts, const char *ends, struct error *e)
{
	if (!time_valid(starts))
		error_field(e, "starts", _("Give the time the meeting starts as HH:MM."));
	if (!time_valid(ends))
		error_field(e, "ends", _("Give the time the meeting ends as HH:MM."));
	else if (time_valid(starts) && strcmp(starts, ends) >= 0)
		error_field(e, "ends", _("The meeting must end after it starts."));
}

static bool url_valid(const char *url)
{
	return !strncmp(url, "https://", 8) || !strncmp(url, "http://", 7);
}

int meeting_set_time(struct db *db, int64_t id, const char *starts, const char *ends, const char *join_url,
                     struct error *e)
{
	check_time(starts, ends, e);
	if (join_url && !url_valid(join_url))
		error_field(e, "join_url", _("Give the link to join as an http or https address."));
	if (e->code)
		return -1;
	static const char sql[] = "UPDATE meeting SET starts = ?, ends = ?, join_url = ? WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, starts);
	db_bind_text(st, 2, ends);
	db_bind_text(st, 3, join_url);
	db_bind_int(st, 4, id);
	return db_exec_stmt(st, e);
}

#define MEETING_COLUMNS                                                                                                \
	"SELECT m.id, m.date, m.title, m.format, m.description, m.starts, m.ends, m.join_url, m.process_id, m.room, "  \
	"m.dial_in, m.agenda, m.capacity, m.registration_closes_at, m.cancelled, m.sequence, m.changed_at, "           \
	"m.summary, m.outcome, m.followup_call_id, "                                                                   \
	"(SELECT count(*) FROM meeting_registration r WHERE r.meeting_id = m.id AND r.state = 'registered'), "         \
	"(SELECT count(*) FROM meeting_registration r WHERE r.meeting_id = m.id AND r.state = 'waiting') "             \
	"FROM meeting m "

static const char *col_or_null(struct db_stmt *st, int i, struct arena *a, bool *failed)
{
	return db_col_null(st, i) ? NULL : db_col_dup(st, i, a, failed);
}

static int meeting_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct meeting *mt = element;
	bool failed = false;
	mt->id = db_col_int(st, 0);
	mt->date = db_col_dup(st, 1, a, &failed);
	mt->title = db_col_dup(st, 2, a, &failed);
	if (!meeting_format_parse(db_col_text(st, 3), &mt->format))
		return DB_FILL_UNKNOWN;
	mt->description = db_col_dup(st, 4, a, &failed);
	mt->starts = col_or_null(st, 5, a, &failed);
	mt->ends = col_or_null(st, 6, a, &failed);
	mt->join_url = col_or_null(st, 7, a, &failed);
	mt->process_id = db_col_int(st, 8);
	mt->room = col_or_null(st, 9, a, &failed);
	mt->dial_in = col_or_null(st, 10, a, &failed);
	mt->agenda = db_col_dup(st, 11, a, &failed);
	mt->capacity = db_col_null(st, 12) ? 0 : (int)db_col_int(st, 12);
	mt->registration_closes_at = db_col_null(st, 13) ? 0 : db_col_int(st, 13);
	mt->cancelled = db_col_int(st, 14) != 0;
	mt->sequence = (int)db_col_int(st, 15);
	mt->changed_at = db_col_null(st, 16) ? 0 : db_col_int(st, 16);
	mt->summary = db_col_dup(st, 17, a, &failed);
	mt->outcome = db_col_dup(st, 18, a, &failed);
	mt->followup_call_id = db_col_null(st, 19) ? 0 : db_col_int(st, 19);
	mt->registered = (int)db_col_int(st, 20);
	mt->waiting = (int)db_col_int(st, 21);
	return failed ? -1 : 0;
}

int meeting_list(struct db *db, struct arena *a, int64_t process_id, struct meeting **out, int *n, struct error *e)
{
	static const char sql[] = MEETING_COLUMNS "WHERE m.process_id = ? ORDER BY m.date, m.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, meeting_from_row, e);
}

int meeting_find(struct db *db, struct arena *a, int64_t id, struct meeting *out, struct error *e)
{
	static const char sql[] = MEETING_COLUMNS "WHERE m.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	return db_collect_one(st, a, out, meeting_from_row, "No such meeting.", e);
}

int meeting_instants(const struct meeting *m, const char *tzid, int64_t *starts_at, int64_t *ends_at)
{
	int y, mo, d;
	if (clock_parse_date(m->date, &y, &mo, &d) != 0)
		return -1;
	if (m->starts && m->ends && time_valid(m->starts) && time_valid(m->ends)) {
		const int sh = (m->starts[0] - '0') * 10 + m->starts[1] - '0',
		          sm = (m->starts[3] - '0') * 10 + m->starts[4] - '0';
		const int eh = (m->ends[0] - '0') * 10 + m->ends[1] - '0',
		          em = (m->ends[3] - '0') * 10 + m->ends[4] - '0';
		return tz_local_to_utc(tzid, y, mo, d, sh, sm, 0, starts_at) != 0 ||
		               tz_local_to_utc(tzid, y, mo, d, eh, em, 0, ends_at) != 0
		           ? -1
		           : 0;
	}
	return tz_local_to_utc(tzid, y, mo, d, 0, 0, 0, starts_at) != 0 || tz_end_of_day(tzid, m->date, ends_at) != 0
	           ? -1
	           : 0;
}

/* ---- mail ---- */

/* What a mail to one person says. */
enum mail_kind {
	MAIL_CONFIRM,    /* a place: the invitation */
	MAIL_PROMOTED,   /* a place from the waiting list: the invitation */
	MAIL_UPDATE,     /* the meeting moved or changed: the updated invitation */
	MAIL_REMIND_DAY, /* tomorrow */
	MAIL_REMIND_HOUR,
	MAIL_WAITING,           /* on the waiting list: no invitation yet */
	MAIL_UNREGISTERED,      /* they cancelled their place: METHOD:CANCEL */
	MAIL_CANCELLED,         /* the meeting was cancelled: METHOD:CANCEL */
	MAIL_CANCELLED_WAITING, /* the meeting was cancelled: a note for the waiting list */
};

/* "23 April 2020, 13:00 Geneva time (UTC+2), until 16:00 (11:00-14:00 UTC)", or the date alone. */
static const char *when_text(struct arena *a, const struct meeting *m, const char *tzid)
{
	char date[I18N_DATE_LEN];
	i18n_date_long(NULL, m->date, date);
	int64_t s, t;
	if (!m->starts || !m->ends || meeting_instants(m, tzid, &s, &t) != 0)
		return arena_printf(a, "%s", date);
	char human[I18N_DATE_LEN], us[CLOCK_RFC3339_LEN], ue[CLOCK_RFC3339_LEN];
	i18n_instant_long(NULL, tzid, s, human);
	clock_format_rfc3339(s, us);
	clock_format_rfc3339(t, ue);
	/* "2020-04-23T11:00:00Z": the hour and minute from character 11 */
	return arena_printf(a, _("%s, until %s (%.10s, %.5s-%.5s UTC)"), human, m->ends, us, us + 11, ue + 11);
}

/* The practical details, for registered participants only. */
static const char *details_text(struct arena *a, const struct meeting *m)
{
	/* Each line translated whole, in the thread's language (the recipient's: see mail_one). */
	const char *join = m->join_url ? arena_printf(a, _("Join: %s"), m->join_url) : NULL;
	const char *dial = m->dial_in ? arena_printf(a, _("Dial-in: %s"), m->dial_in) : NULL;
	const char *room = m->room ? arena_printf(a, _("Room: %s"), m->room) : NULL;
	return arena_printf(a, "%s%s%s%s%s%s", join ? join : "", join ? "\n" : "", dial ? dial : "", dial ? "\n" : "",
	                    room ? room : "", room ? "\n" : "");
}

/* Meeting m as an event: the details (link, dial-in, room) only when with_details (for its participants). */
static int meeting_event(struct arena *a, const struct meeting *m, bool with_details, struct ical_event *out,
                         struct error *e)
{
	const char *base = config_get()->public_url, *authority = feed_authority(a);
	const char *location = !with_details            ? NULL
	                       : m->room && m->join_url ? arena_printf(a, "%s, %s", m->room, m->join_url)
	                       : m->room                ? m->room
	                                                : m->join_url;
	*out = (struct ical_event){
	    .uid = arena_printf(a, "meeting-%lld@%s", (long long)m->id, authority ? authority : ""),
	    .summary = m->title,
	    .description = arena_printf(a, "%s%s%s%s%s", m->description, *m->agenda ? "\n\nAgenda:\n" : "", m->agenda,
	                                with_details ? "\n\n" : "", with_details ? details_text(a, m) : ""),
	    .url = arena_printf(a, "%s/meetings/%lld", base, (long long)m->id),
	    .sequence = m->sequence,
	    .stamp = m->changed_at ? m->changed_at : clock_now(),
	    .status = m->cancelled ? ICAL_EVENT_CANCELLED : ICAL_EVENT_CONFIRMED,
	    .date = m->date,
	    .starts = m->starts && m->ends ? m->starts : NULL,
	    .ends = m->starts && m->ends ? m->ends : NULL,
	    .location = location,
	};
	if (!out->uid || !out->description || !out->url || !authority) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

const char *meeting_invitation(struct arena *a, const struct meeting *m, const char *tzid, bool cancel, const char *to,
                               const char *name, struct error *e)
{
	struct ical_event ev;
	if (meeting_event(a, m, !cancel, &ev, e) != 0)
		return NULL;
	const struct ical_invitation inv = {
	    .method = cancel ? ICAL_INVITE_CANCEL : ICAL_INVITE_REQUEST,
	    .tzid = tzid,
	    .organizer = config_get()->mail_from,
	    .attendee = to,
	    .attendee_name = name,
	    .event = &ev,
	};
	struct buf b;
	buf_init(&b, 1 << 20);
	if (ical_write_invitation(&b, &inv) != 0 || !b.data) {
		buf_free(&b);
		error_set(e, ERROR_INTERNAL, "could not write the invitation of meeting %lld", (long long)m->id);
		return NULL;
	}
	const char *text = arena_strdup(a, b.data);
	buf_free(&b);
	if (!text)
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
	return text;
}

int meeting_calendar(struct db *db, struct arena *a, int64_t id, struct ical_calendar *out, struct error *e)
{
	struct meeting m;
	struct process p;
	struct ical_event *ev = arena_alloc(a, sizeof *ev);
	if (!ev) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (meeting_find(db, a, id, &m, e) != 0 || process_find_id_bare(db, a, m.process_id, &p, e) != 0 ||
	    meeting_event(a, &m, false, ev, e) != 0)
		return -1;
	if (!m.changed_at) { /* a copy read again and again: its stamp must not change by itself */
		static const char sql[] = "SELECT created_at FROM process WHERE id = ?";
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, p.id);
		const enum db_step step = db_step(st, e);
		ev->stamp = step == DB_ROW ? db_col_int(st, 0) : 0;
		db_reset(st);
		if (step == DB_FAIL)
			return -1;
	}
	*out = (struct ical_calendar){.name = m.title, .tzid = p.timezone, .events = ev, .n = 1};
	return 0;
}

/* Queues one mail of kind k about meeting m of process p to one person, composed (text and invitation) in the
 * thread's language, which is language, said in its Content-Language. */
static int mail_in(struct db *db, struct arena *a, const struct meeting *m, const struct process *p, enum mail_kind k,
                   const char *to, const char *name, const char *language, struct error *e)
{
	static const char *const SUBJECTS[] = {
	    [MAIL_CONFIRM] = N_("Registered: %s"),
	    [MAIL_PROMOTED] = N_("A place for you: %s"),
	    [MAIL_UPDATE] = N_("Changed: %s"),
	    [MAIL_REMIND_DAY] = N_("Tomorrow: %s"),
	    [MAIL_REMIND_HOUR] = N_("In an hour: %s"),
	    [MAIL_WAITING] = N_("On the waiting list: %s"),
	    [MAIL_UNREGISTERED] = N_("Registration cancelled: %s"),
	    /* TRANSLATORS: a mail's subject: the meeting %s is cancelled (a milestone's is another entry). */
	    [MAIL_CANCELLED] = NC_("meeting", "Cancelled: %s"),
	    [MAIL_CANCELLED_WAITING] = NC_("meeting", "Cancelled: %s"),
	};
	static const char *const LEADS[] = {
	    [MAIL_CONFIRM] = N_(
	        "You are registered for this meeting. The invitation attached (invite.ics) adds it to your calendar."),
	    [MAIL_PROMOTED] = N_("A place became free and it is yours: you are registered for this meeting."),
	    [MAIL_UPDATE] =
	        N_("This meeting has changed; the invitation attached (invite.ics) updates it in your calendar."),
	    [MAIL_REMIND_DAY] = N_("A reminder: this meeting is tomorrow."),
	    [MAIL_REMIND_HOUR] = N_("A reminder: this meeting starts in an hour."),
	    [MAIL_WAITING] = N_("Every place is taken: you are on the waiting list. If a place becomes free, it goes "
	                        "to the first one waiting, and you will be told by mail."),
	    [MAIL_UNREGISTERED] = N_("Your registration for this meeting is cancelled, as you asked."),
	    [MAIL_CANCELLED] =
	        N_("This meeting is cancelled; the file attached (cancel.ics) takes it out of your calendar."),
	    [MAIL_CANCELLED_WAITING] = N_("This meeting is cancelled: the waiting list is closed."),
	};
	static const char *const FORMAT_LABELS[] = {
	    /* TRANSLATORS: a meeting's format. */
	    [MEETING_ONLINE] = N_("Online"),
	    [MEETING_PHYSICAL] = N_("In person"),
	    [MEETING_HYBRID] = N_("In person and online"),
	};
	const bool registered = k <= MAIL_REMIND_HOUR; /* they have a place: the details are theirs */
	const bool cancel = k == MAIL_UNREGISTERED || k == MAIL_CANCELLED;
	const char *base = config_get()->public_url;
	const char *body = arena_printf(
	    a, _("%s\n\n%s\n\n%s\n%s\nWhen: %s\nFormat: %s\n%s%s\nThe meeting: %s/meetings/%lld\n"),
	    outbox_greeting(a, name), _(LEADS[k]), m->title, p->title, when_text(a, m, p->timezone),
	    _(FORMAT_LABELS[m->format]), registered ? details_text(a, m) : "",
	    registered && *m->agenda ? arena_printf(a, _("\nAgenda:\n%s\n"), m->agenda) : "", base, (long long)m->id);
	const bool cancelled = k == MAIL_CANCELLED || k == MAIL_CANCELLED_WAITING; /* their entry has a context */
	const char *subject = arena_printf(a, cancelled ? C_("meeting", SUBJECTS[k]) : _(SUBJECTS[k]), m->title);
	if (!body || !subject) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	/* The invitation (iTIP: REQUEST for a place and its changes, CANCEL when the place or the meeting goes), a
	 * text/calendar file with the method in its type, as calendar applications expect; a reminder or a note
	 * to the waiting list carries none. The bytes differ per attendee (ATTENDEE), stored as a blob each. */
	struct outbox_attachment file = {0};
	if ((registered && k != MAIL_REMIND_DAY && k != MAIL_REMIND_HOUR) || cancel) {
		const char *ics = meeting_invitation(a, m, p->timezone, cancel, to, name, e);
		char *blob = arena_alloc(a, BLOB_NAME_LEN + 1);
		if (!ics || !blob || blob_put(db, ics, strlen(ics), blob, e) != 0)
			return -1;
		file = (struct outbox_attachment){
		    .filename = cancel ? "cancel.ics" : "invite.ics",
		    .content_type = cancel ? "text/calendar; charset=UTF-8; method=CANCEL"
		                           : "text/calendar; charset=UTF-8; method=REQUEST",
		    .blob = blob,
		};
	}
	const struct outbox_mail mail = {.kind = "meeting",
	                                 .to = to,
	                                 .subject = subject,
	                                 .body = body,
	                                 .attachments = file.blob ? &file : NULL,
	                                 .nattachments = file.blob ? 1 : 0,
	                                 .language = language};
	return outbox_enqueue(db, &mail, e);
}

/* Queues one mail of kind k about meeting m of process p to one person, in the language of the account of its
 * address when it chose one (the one rule, core/account.h), else lang (the language they registered in, or the
 * request's; NULL or not offered: the process's first language). */
static int mail_one(struct db *db, struct arena *a, const struct meeting *m, const struct process *p, enum mail_kind k,
                    const char *to, const char *name, const char *lang, struct error *e)
{
	lang = account_mail_language_for(db, to, lang);
	const struct i18n_language *of = lang ? i18n_find(lang) : NULL;
	if (!of)
		of = i18n_first_of(p->languages);
	const char *code = of ? of->code : I18N_DEFAULT;
	/* Composed under the recipient's language, the caller's restored after: the caller may be a request's
	 * thread, whose page goes on in its reader's language. */
	const char *was = i18n_current();
	i18n_use(code);
	const int rc = mail_in(db, a, m, p, k, to, name, code, e);
	i18n_use(was);
	return rc;
}

struct person {
	int64_t registration_id;
	const char *email, *name;
	const char *language; /* as registered in, or NULL */
};

static int person_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct person *p = element;
	bool failed = false;
	p->registration_id = db_col_int(st, 0);
	p->email = db_col_dup(st, 1, a, &failed);
	p->name = db_col_dup(st, 2, a, &failed);
	p->language = db_col_dup(st, 3, a, &failed);
	return failed ? -1 : 0;
}

/* The people of meeting id in state s, in their order. */
static int people(struct db *db, struct arena *a, int64_t id, enum registration_state s, struct person **out, int *n,
                  struct error *e)
{
	/* each in their account's language (migration 046), else the one they registered in */
	static const char sql[] = "SELECT r.id, ac.email, ac.name, COALESCE(ac.language, r.language) "
	                          "FROM meeting_registration r JOIN account ac ON ac.id = r.account_id "
	                          "WHERE r.meeting_id = ? AND r.state = ? ORDER BY r.position, r.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, registration_state_name(s));
	return db_collect(st, a, (void **)out, n, sizeof **out, person_fill, e);
}

/* Mails kind k to everyone of meeting m in state s. */
static int mail_all(struct db *db, struct arena *a, const struct meeting *m, const struct process *p,
                    enum registration_state s, enum mail_kind k, int *count, struct error *e)
{
	struct person *list;
	int n;
	if (people(db, a, m->id, s, &list, &n, e) != 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (mail_one(db, a, m, p, k, list[i].email, list[i].name, list[i].language, e) != 0)
			return -1;
	if (count)
		*count = n;
	return 0;
}

/* Gives the free places of meeting id to those waiting, in order, each mailed; *promoted how many. */
static int promote(struct db *db, struct arena *a, int64_t id, const struct process *p, int64_t now, int *promoted,
                   struct error *e)
{
	*promoted = 0;
	struct meeting m;
	if (meeting_find(db, a, id, &m, e) != 0)
		return -1;
	if (m.cancelled || !m.waiting)
		return 0;
	int free_places = m.capacity ? m.capacity - m.registered : m.waiting;
	if (free_places <= 0)
		return 0;
	struct person *list;
	int n;
	if (people(db, a, id, REGISTRATION_WAITING, &list, &n, e) != 0)
		return -1;
	static const char sql[] = "UPDATE meeting_registration SET state = 'registered', changed_at = ? WHERE id = ?";
	for (int i = 0; i < n && i < free_places; i++) {
		struct db_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, now);
		db_bind_int(st, 2, list[i].registration_id);
		if (db_exec_stmt(st, e) != 0 ||
		    mail_one(db, a, &m, p, MAIL_PROMOTED, list[i].email, list[i].name, list[i].language, e) != 0)
			return -1;
		++*promoted;
	}
	return 0;
}

/* ---- registration ---- */

int meeting_registration_of(struct db *db, int64_t id, int64_t account_id, struct meeting_registration *out,
                            struct error *e)
{
	*out = (struct meeting_registration){.state = REGISTRATION_CANCELLED};
	static const char sql[] =
	    "SELECT r.state, (SELECT count(*) FROM meeting_registration w WHERE w.meeting_id = r.meeting_id "
	    "AND w.state = 'waiting' AND w.position <= r.position) FROM meeting_registration r "
	    "WHERE r.meeting_id = ? AND r.account_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, account_id);
	enum db_step s = db_step(st, e);
	if (s == DB_ROW) {
		if (!registration_state_parse(db_col_text(st, 0), &out->state))
			out->state = REGISTRATION_CANCELLED;
		out->position = out->state == REGISTRATION_WAITING ? (int)db_col_int(st, 1) : 0;
	}
	db_reset(st);
	return s == DB_FAIL ? -1 : 0;
}

/* Sets who's row for meeting id to state s at the end of the meeting's order (made if there is none). */
static int registration_put(struct db *db, int64_t id, int64_t account_id, enum registration_state s, int64_t now,
                            struct error *e)
{
	static const char next_sql[] =
	    "SELECT COALESCE(MAX(position), 0) + 1 FROM meeting_registration WHERE meeting_id = ?";
	struct db_stmt *st = db_stmt(db, next_sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	if (db_step(st, e) != DB_ROW) {
		db_reset(st);
		return -1;
	}
	const int64_t position = db_col_int(st, 0);
	db_reset(st);
	/* The language of the request that registers: the meeting's mails to them are in it. */
	const char *language = i18n_current() ? i18n_current() : I18N_DEFAULT;
	static const char update_sql[] = "UPDATE meeting_registration SET state = ?, position = ?, changed_at = ?, "
	                                 "language = ? WHERE meeting_id = ? AND account_id = ?";
	if (!(st = db_stmt(db, update_sql, e)))
		return -1;
	db_bind_text(st, 1, registration_state_name(s));
	db_bind_int(st, 2, position);
	db_bind_int(st, 3, now);
	db_bind_text(st, 4, language);
	db_bind_int(st, 5, id);
	db_bind_int(st, 6, account_id);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	if (db_changes(db) > 0)
		return 0;
	static const char insert_sql[] = "INSERT INTO meeting_registration (meeting_id, account_id, state, position, "
	                                 "created_at, changed_at, language) VALUES (?, ?, ?, ?, ?, ?, ?)";
	if (!(st = db_stmt(db, insert_sql, e)))
		return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, account_id);
	db_bind_text(st, 3, registration_state_name(s));
	db_bind_int(st, 4, position);
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, now);
	db_bind_text(st, 7, language);
	return db_exec_stmt(st, e);
}

static enum meeting_refusal refusal_at(const struct meeting *m, int64_t starts_at, int64_t now)
{
	if (m->cancelled)
		return MEETING_REFUSED_CANCELLED;
	if (now >= starts_at)
		return MEETING_REFUSED_PAST;
	if (m->registration_closes_at && now >= m->registration_closes_at)
		return MEETING_REFUSED_CLOSED;
	return MEETING_ACCEPTED;
}

int meeting_register(struct db *db, struct arena *a, int64_t id, const struct account *who, bool waiting_ok,
                     int64_t now, struct meeting_registration *out, struct error *e)
{
	*out = (struct meeting_registration){.state = REGISTRATION_CANCELLED};
	if (db_begin(db, e) != 0)
		return -1;
	struct meeting m;
	struct process p;
	int64_t starts_at, ends_at;
	if (meeting_find(db, a, id, &m, e) != 0 || process_find_id_bare(db, a, m.process_id, &p, e) != 0 ||
	    meeting_registration_of(db, id, who->id, out, e) != 0)
		goto fail;
	if (meeting_instants(&m, p.timezone, &starts_at, &ends_at) != 0) {
		error_set(e, ERROR_INTERNAL, "meeting %lld: no instant in %s", (long long)id, p.timezone);
		goto fail;
	}
	if (out->state != REGISTRATION_CANCELLED) { /* a second registration: as it was */
		out->unchanged = true;
		db_rollback(db);
		return 0;
	}
	out->refusal = refusal_at(&m, starts_at, now);
	/* Full: every place taken, or people already waiting (nobody passes the waiting list). */
	const bool full = m.capacity && (m.registered >= m.capacity || m.waiting > 0);
	if (out->refusal == MEETING_ACCEPTED && full && !waiting_ok)
		out->refusal = MEETING_REFUSED_FULL;
	if (out->refusal != MEETING_ACCEPTED) {
		db_rollback(db);
		error_say(e, ERROR_CONFLICT, "%s", meeting_refusal_text(out->refusal));
		return -1;
	}
	const enum registration_state s = full ? REGISTRATION_WAITING : REGISTRATION_REGISTERED;
	const struct actor actor = account_actor(who);
	if (registration_put(db, id, who->id, s, now, e) != 0 ||
	    meeting_registration_of(db, id, who->id, out, e) != 0 ||
	    mail_one(db, a, &m, &p, full ? MAIL_WAITING : MAIL_CONFIRM, who->email, who->name, i18n_current(), e) !=
	        0 ||
	    audit_record(db, &actor, m.process_id, "meeting.register", arena_printf(a, "meeting:%lld", (long long)id),
	                 NULL, audit_json(a, json_pack("{s:s}", "state", registration_state_name(s))), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int meeting_unregister(struct db *db, struct arena *a, int64_t id, const struct account *who, int64_t now,
                       struct meeting_registration *out, struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	struct meeting m;
	struct process p;
	struct meeting_registration was;
	int64_t starts_at, ends_at;
	if (meeting_find(db, a, id, &m, e) != 0 || process_find_id_bare(db, a, m.process_id, &p, e) != 0 ||
	    meeting_registration_of(db, id, who->id, &was, e) != 0)
		goto fail;
	*out = (struct meeting_registration){.state = REGISTRATION_CANCELLED};
	if (was.state == REGISTRATION_CANCELLED) {
		out->unchanged = true;
		db_rollback(db);
		return 0;
	}
	static const char sql[] = "UPDATE meeting_registration SET state = 'cancelled', changed_at = ? "
	                          "WHERE meeting_id = ? AND account_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, who->id);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	const bool to_come = meeting_instants(&m, p.timezone, &starts_at, &ends_at) == 0 && now < starts_at;
	int promoted = 0;
	const struct actor actor = account_actor(who);
	if ((was.state == REGISTRATION_REGISTERED && !m.cancelled && to_come &&
	     mail_one(db, a, &m, &p, MAIL_UNREGISTERED, who->email, who->name, i18n_current(), e) != 0) ||
	    (to_come && promote(db, a, id, &p, now, &promoted, e) != 0) ||
	    audit_record(
	        db, &actor, m.process_id, "meeting.unregister", arena_printf(a, "meeting:%lld", (long long)id), NULL,
	        audit_json(a, json_pack("{s:s,s:i}", "was", registration_state_name(was.state), "promoted", promoted)),
	        e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* ---- the back office ---- */

static void check_input(struct arena *a, const struct meeting_input *in, int64_t *closes_at, struct error *e)
{
	field_check_date(e, "date", in->date, true);
	field_check_line(e, "title", in->title, true, MEETING_LINE_MAX, N_("the meeting's title"));
	field_check_text(e, "description", in->description, false, MEETING_TEXT_MAX, N_("a description"));
	field_check_text(e, "agenda", in->agenda, false, MEETING_TEXT_MAX, N_("the agenda"));
	if ((in->starts && *in->starts) || (in->ends && *in->ends))
		check_time(in->starts, in->ends, e);
	if (in->join_url && *in->join_url) {
		field_check_line(e, "join_url", in->join_url, false, MEETING_LINE_MAX, N_("the link to join"));
		if (!url_valid(in->join_url))
			error_field(e, "join_url", _("Give the link to join as an http or https address."));
	}
	field_check_line(e, "room", in->room, false, MEETING_LINE_MAX, N_("the room"));
	field_check_line(e, "dial_in", in->dial_in, false, MEETING_LINE_MAX, N_("how to dial in"));
	if (in->capacity < 0 || in->capacity > 1000000)
		error_field(e, "capacity", _("Give the number of places (0 for no limit)."));
	*closes_at = 0;
	if (in->registration_closes && *in->registration_closes &&
	    clock_parse_rfc3339(in->registration_closes, closes_at) != 0)
		error_field(e, "registration_closes",
		            _("Give the instant registration closes as 2026-12-01T12:00:00Z."));
	(void)a;
}

static const char *blank_null(const char *s)
{
	return s && *s ? s : NULL;
}

/* Binds in's fields as ?1..?11 of an INSERT or UPDATE written in that order. */
static void bind_input(struct db_stmt *st, const struct meeting_input *in, int64_t closes_at)
{
	db_bind_text(st, 1, in->date);
	db_bind_text(st, 2, in->title);
	db_bind_text(st, 3, meeting_format_name(in->format));
	db_bind_text(st, 4, in->description ? in->description : "");
	db_bind_text(st, 5, in->agenda ? in->agenda : "");
	db_bind_text(st, 6, blank_null(in->starts));
	db_bind_text(st, 7, blank_null(in->ends));
	db_bind_text(st, 8, blank_null(in->join_url));
	db_bind_text(st, 9, blank_null(in->room));
	db_bind_text(st, 10, blank_null(in->dial_in));
	if (in->capacity)
		db_bind_int(st, 11, in->capacity);
	else
		db_bind_null(st, 11);
	if (closes_at)
		db_bind_int(st, 12, closes_at);
	else
		db_bind_null(st, 12);
}

static int document_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct meeting_document *d = element;
	bool failed = false;
	d->ref.letter = db_col_null(st, 0);
	d->ref.id = db_col_int(st, d->ref.letter ? 1 : 0);
	d->title = db_col_dup(st, 2, a, &failed);
	d->date = db_col_dup(st, 3, a, &failed);
	return failed ? -1 : 0;
}

int meeting_documents(struct db *db, struct arena *a, int64_t id, struct meeting_document **out, int *n,
                      struct error *e)
{
	static const char sql[] =
	    "SELECT md.version_id, md.circular_id, "
	    "CASE WHEN md.version_id IS NOT NULL THEN d.title || ': ' || v.label ELSE c.reference || ': ' || c.subject "
	    "END, "
	    "CASE WHEN md.version_id IS NOT NULL THEN v.date ELSE c.date END "
	    "FROM meeting_document md LEFT JOIN version v ON v.id = md.version_id "
	    "LEFT JOIN document d ON d.id = v.document_id LEFT JOIN circular c ON c.id = md.circular_id "
	    "WHERE md.meeting_id = ? ORDER BY md.position";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	return db_collect(st, a, (void **)out, n, sizeof **out, document_fill, e);
}

/* Replaces meeting id's documents with in's, each checked to be of process_id. */
static int documents_put(struct db *db, int64_t id, int64_t process_id, const struct meeting_input *in, struct error *e)
{
	static const char del[] = "DELETE FROM meeting_document WHERE meeting_id = ?";
	struct db_stmt *st = db_stmt(db, del, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	static const char version_sql[] = "SELECT count(*) FROM version v JOIN document d ON d.id = v.document_id "
	                                  "WHERE v.id = ? AND d.process_id = ?";
	static const char letter_sql[] = "SELECT count(*) FROM circular WHERE id = ? AND process_id = ?";
	static const char insert_sql[] =
	    "INSERT INTO meeting_document (meeting_id, position, version_id, circular_id) VALUES (?, ?, ?, ?)";
	for (int i = 0; i < in->ndocuments; i++) {
		const struct meeting_ref *d = &in->documents[i];
		for (int k = 0; k < i; k++)
			if (in->documents[k].letter == d->letter && in->documents[k].id == d->id) {
				error_field(e, "documents", _("Name each document once."));
				return -1;
			}
		if (!(st = db_stmt(db, d->letter ? letter_sql : version_sql, e)))
			return -1;
		db_bind_int(st, 1, d->id);
		db_bind_int(st, 2, process_id);
		const enum db_step step = db_step(st, e);
		const bool found = step == DB_ROW && db_col_int(st, 0) > 0;
		db_reset(st);
		if (step == DB_FAIL)
			return -1;
		if (!found) {
			if (d->letter)
				error_field(e, "documents", _("Letter %lld is not one of this process's."),
				            (long long)d->id);
			else
				error_field(e, "documents", _("Version %lld is not one of this process's."),
				            (long long)d->id);
			return -1;
		}
		if (!(st = db_stmt(db, insert_sql, e)))
			return -1;
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, i + 1);
		if (d->letter) {
			db_bind_null(st, 3);
			db_bind_int(st, 4, d->id);
		} else {
			db_bind_int(st, 3, d->id);
			db_bind_null(st, 4);
		}
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return 0;
}

int meeting_create(struct db *db, struct arena *a, const struct actor *who, const char *slug,
                   const struct meeting_input *in, int64_t *id, struct error *e)
{
	int64_t closes_at;
	check_input(a, in, &closes_at, e);
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct process p;
	if (process_find(db, a, slug, &p, e) != 0)
		goto fail;
	static const char sql[] =
	    "INSERT INTO meeting (date, title, format, description, agenda, starts, ends, join_url, "
	    "room, dial_in, capacity, registration_closes_at, process_id) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	bind_input(st, in, closes_at);
	db_bind_int(st, 13, p.id);
	if (db_insert_id(st, id, e) != 0 || (in->set_documents && documents_put(db, *id, p.id, in, e) != 0) ||
	    audit_record(db, who, p.id, "meeting.create", arena_printf(a, "meeting:%lld", (long long)*id), NULL,
	                 audit_json(a, json_pack("{s:s,s:s}", "date", in->date, "title", in->title)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static bool same(const char *x, const char *y)
{
	return !strcmp(x ? x : "", y ? y : "");
}

int meeting_update(struct db *db, struct arena *a, const struct actor *who, int64_t id, const struct meeting_input *in,
                   struct error *e)
{
	int64_t closes_at;
	check_input(a, in, &closes_at, e);
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct meeting m;
	struct process p;
	if (meeting_find(db, a, id, &m, e) != 0 || process_find_id_bare(db, a, m.process_id, &p, e) != 0)
		goto fail;
	if (m.cancelled) {
		error_say(e, ERROR_CONFLICT, _("This meeting was cancelled: it cannot be changed."));
		goto fail;
	}
	/* Fewer places than people registered: refused, naming how many are registered. Each of them was told
	 * by mail that they have a place (with the invitation); taking it back from some, chosen by the order
	 * they came in, would break that word silently. The secretariat cancels registrations first (each
	 * person is then told), or keeps at least as many places; raising or keeping the number is always
	 * possible, and lowering it to the number registered closes registration to newcomers (waiting list). */
	if (in->capacity != m.capacity && in->capacity && in->capacity < m.registered) {
		error_field(
		    e, "capacity",
		    i18n_n("%1$d person is registered for this meeting: it cannot have fewer places than that. "
		           "Keep at least %1$d place, or cancel the registration first.",
		           "%1$d people are registered for this meeting: it cannot have fewer places than that. "
		           "Keep at least %1$d places, or cancel registrations first.",
		           (unsigned long)m.registered),
		    m.registered);
		goto fail;
	}
	const bool moved = !same(m.date, in->date) || !same(m.starts, in->starts) || !same(m.ends, in->ends);
	const bool changed = moved || !same(m.title, in->title) || m.format != in->format ||
	                     !same(m.join_url, in->join_url) || !same(m.room, in->room) ||
	                     !same(m.dial_in, in->dial_in) || !same(m.description, in->description) ||
	                     !same(m.agenda, in->agenda);
	const int64_t now = clock_now();
	/* A meeting is not moved to a time already past (its participants could not come), and a meeting that
	 * is over is corrected for the record without mailing its participants an invitation to it. */
	int64_t was_start, was_end, new_start, new_end;
	const struct meeting to = {.date = in->date, .starts = in->starts, .ends = in->ends};
	if (moved && meeting_instants(&to, p.timezone, &new_start, &new_end) == 0 && new_start <= now) {
		error_field(e, "date",
		            _("This time has already passed: a meeting can only be moved to a time to come."));
		goto fail;
	}
	const bool over = meeting_instants(&m, p.timezone, &was_start, &was_end) == 0 && was_end <= now;
	static const char sql[] =
	    "UPDATE meeting SET date = ?, title = ?, format = ?, description = ?, agenda = ?, starts = ?, ends = ?, "
	    "join_url = ?, room = ?, dial_in = ?, capacity = ?, registration_closes_at = ?, "
	    "sequence = sequence + ?, changed_at = ? WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	bind_input(st, in, closes_at);
	db_bind_int(st, 13, changed ? 1 : 0);
	if (changed)
		db_bind_int(st, 14, now);
	else if (m.changed_at)
		db_bind_int(st, 14, m.changed_at);
	else
		db_bind_null(st, 14);
	db_bind_int(st, 15, id);
	int updated = 0, promoted = 0;
	if (db_exec_stmt(st, e) != 0 || (in->set_documents && documents_put(db, id, m.process_id, in, e) != 0) ||
	    meeting_find(db, a, id, &m, e) != 0 ||
	    (changed && !over && mail_all(db, a, &m, &p, REGISTRATION_REGISTERED, MAIL_UPDATE, &updated, e) != 0) ||
	    promote(db, a, id, &p, now, &promoted, e) != 0 ||
	    audit_record(db, who, m.process_id, moved ? "meeting.move" : "meeting.update",
	                 arena_printf(a, "meeting:%lld", (long long)id), NULL,
	                 audit_json(a, json_pack("{s:s,s:i,s:i,s:i}", "date", m.date, "sequence", m.sequence, "mailed",
	                                         updated, "promoted", promoted)),
	                 e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int meeting_cancel(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *reason,
                   struct error *e)
{
	field_check_text(e, "reason", reason, true, MEETING_TEXT_MAX, N_("why the meeting is cancelled"));
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct meeting m;
	struct process p;
	if (meeting_find(db, a, id, &m, e) != 0 || process_find_id_bare(db, a, m.process_id, &p, e) != 0)
		goto fail;
	if (m.cancelled) {
		error_say(e, ERROR_CONFLICT, _("This meeting is cancelled already."));
		goto fail;
	}
	static const char sql[] =
	    "UPDATE meeting SET cancelled = 1, sequence = sequence + 1, changed_at = ? WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, clock_now());
	db_bind_int(st, 2, id);
	int registered = 0, waiting = 0;
	if (db_exec_stmt(st, e) != 0 || meeting_find(db, a, id, &m, e) != 0 ||
	    mail_all(db, a, &m, &p, REGISTRATION_REGISTERED, MAIL_CANCELLED, &registered, e) != 0 ||
	    mail_all(db, a, &m, &p, REGISTRATION_WAITING, MAIL_CANCELLED_WAITING, &waiting, e) != 0 ||
	    audit_record(db, who, m.process_id, "meeting.cancel", arena_printf(a, "meeting:%lld", (long long)id), NULL,
	                 audit_json(a, json_pack("{s:s,s:i,s:i}", "reason", reason, "registered", registered, "waiting",
	                                         waiting)),
	                 e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int meeting_set_outcome(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *summary,
                        const char *outcome, int64_t followup_call_id, int64_t now, struct error *e)
{
	field_check_text(e, "summary", summary, false, MEETING_TEXT_MAX, N_("a summary"));
	field_check_text(e, "outcome", outcome, false, MEETING_TEXT_MAX, N_("the outcome"));
	if (e->code)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	struct meeting m;
	struct process p;
	int64_t starts_at, ends_at;
	if (meeting_find(db, a, id, &m, e) != 0 || process_find_id_bare(db, a, m.process_id, &p, e) != 0)
		goto fail;
	if (meeting_instants(&m, p.timezone, &starts_at, &ends_at) != 0 || now < ends_at) {
		error_say(e, ERROR_CONFLICT, _("The outcome of a meeting is published once it is over."));
		goto fail;
	}
	if (followup_call_id) {
		static const char call_sql[] = "SELECT count(*) FROM call WHERE id = ? AND process_id = ?";
		struct db_stmt *st = db_stmt(db, call_sql, e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, followup_call_id);
		db_bind_int(st, 2, m.process_id);
		const bool found = db_step(st, e) == DB_ROW && db_col_int(st, 0) > 0;
		db_reset(st);
		if (e->code)
			goto fail;
		if (!found) {
			error_field(e, "followup_call", _("Choose a call of this meeting's process."));
			goto fail;
		}
	}
	static const char sql[] = "UPDATE meeting SET summary = ?, outcome = ?, followup_call_id = ? WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, summary ? summary : "");
	db_bind_text(st, 2, outcome ? outcome : "");
	if (followup_call_id)
		db_bind_int(st, 3, followup_call_id);
	else
		db_bind_null(st, 3);
	db_bind_int(st, 4, id);
	if (db_exec_stmt(st, e) != 0 ||
	    audit_record(db, who, m.process_id, "meeting.outcome", arena_printf(a, "meeting:%lld", (long long)id), NULL,
	                 NULL, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* ---- the secretariat's list ---- */

static int participant_fill(struct arena *a, struct db_stmt *st, void *element)
{
	struct meeting_participant *x = element;
	bool failed = false;
	x->name = db_col_dup(st, 0, a, &failed);
	x->email = db_col_dup(st, 1, a, &failed);
	x->organization = db_col_dup(st, 2, a, &failed);
	x->category = db_col_dup(st, 3, a, &failed);
	x->country = db_col_dup(st, 4, a, &failed);
	if (!registration_state_parse(db_col_text(st, 5), &x->state))
		return DB_FILL_UNKNOWN;
	x->position = (int)db_col_int(st, 6);
	x->registered_at = db_col_int(st, 7);
	return failed ? -1 : 0;
}

int meeting_participants(struct db *db, struct arena *a, int64_t id, struct meeting_participant **out, int *n,
                         struct error *e)
{
	/* The waiting ones numbered 1, 2, ... in their order; the registered ones by category, then name. */
	static const char sql[] =
	    "SELECT ac.name, ac.email, ac.organization, ac.category, ac.country, r.state, "
	    "CASE WHEN r.state = 'waiting' THEN (SELECT count(*) FROM meeting_registration w WHERE w.meeting_id = "
	    "r.meeting_id AND w.state = 'waiting' AND w.position <= r.position) ELSE 0 END, r.changed_at "
	    "FROM meeting_registration r JOIN account ac ON ac.id = r.account_id "
	    "WHERE r.meeting_id = ? AND r.state <> 'cancelled' "
	    "ORDER BY CASE WHEN r.state = 'registered' THEN 0 ELSE 1 END, "
	    "CASE WHEN r.state = 'registered' THEN ac.category ELSE '' END, "
	    "CASE WHEN r.state = 'registered' THEN ac.name ELSE '' END, r.position";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	return db_collect(st, a, (void **)out, n, sizeof **out, participant_fill, e);
}

/* ---- reminders ---- */

struct due {
	int64_t id;
};

static int due_fill(struct arena *a, struct db_stmt *st, void *element)
{
	(void)a;
	((struct due *)element)->id = db_col_int(st, 0);
	return 0;
}

/* Reminds meeting id's registered participants, kind ("day", "hour"), once for the start starts_at: the
 * mark and the mails in one transaction, the mark first so that a second server finds it taken. */
static int remind(struct db *db, struct arena *a, int64_t id, const char *kind, int64_t starts_at, int64_t now,
                  bool *sent, struct error *e)
{
	*sent = false;
	if (db_begin(db, e) != 0)
		return -1;
	static const char sql[] =
	    "INSERT INTO meeting_reminder (meeting_id, kind, starts_at, sent_at) VALUES (?, ?, ?, ?) "
	    "ON CONFLICT DO NOTHING";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, kind);
	db_bind_int(st, 3, starts_at);
	db_bind_int(st, 4, now);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	if (db_changes(db) == 0) { /* reminded already */
		db_rollback(db);
		return 0;
	}
	struct meeting m;
	struct process p;
	int count = 0;
	if (meeting_find(db, a, id, &m, e) != 0 || process_find_id_bare(db, a, m.process_id, &p, e) != 0 ||
	    mail_all(db, a, &m, &p, REGISTRATION_REGISTERED, !strcmp(kind, "day") ? MAIL_REMIND_DAY : MAIL_REMIND_HOUR,
	             &count, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	log_event("meeting.reminder", "meeting=%lld kind=%s mails=%d", (long long)id, kind, count);
	*sent = true;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int meeting_reminders(struct db *db, struct arena *a, int64_t now, int *sent, struct error *e)
{
	*sent = 0;
	/* Meetings not cancelled within two days of now (by date: the hours are in each process's zone), with
	 * someone registered; each is then judged by its instants. */
	char today[11], from[11], to[11];
	int y, mo, d;
	clock_civil_from_days(now / 86400, &y, &mo, &d);
	snprintf(today, sizeof today, "%04d-%02d-%02d", y, mo, d);
	if (clock_date_add_days(today, -1, from) != 0 || clock_date_add_days(today, 3, to) != 0) {
		error_set(e, ERROR_INTERNAL, "no date at %lld", (long long)now);
		return -1;
	}
	static const char sql[] = "SELECT m.id FROM meeting m WHERE m.cancelled = 0 AND m.date >= ? AND m.date <= ? "
	                          "AND EXISTS (SELECT 1 FROM meeting_registration r WHERE r.meeting_id = m.id "
	                          "AND r.state = 'registered') ORDER BY m.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, from);
	db_bind_text(st, 2, to);
	struct due *list;
	int n;
	if (db_collect(st, a, (void **)&list, &n, sizeof *list, due_fill, e) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct meeting m;
		struct process p;
		int64_t starts_at, ends_at;
		if (meeting_find(db, a, list[i].id, &m, e) != 0 ||
		    process_find_id_bare(db, a, m.process_id, &p, e) != 0)
			return -1;
		if (meeting_instants(&m, p.timezone, &starts_at, &ends_at) != 0 || now >= starts_at)
			continue;
		/* The nearer reminder only: a server that was down through the day's one sends the hour's alone. */
		const char *kind = now >= starts_at - MEETING_REMIND_HOUR  ? "hour"
		                   : now >= starts_at - MEETING_REMIND_DAY ? "day"
		                                                           : NULL;
		bool done = false;
		if (kind && remind(db, a, m.id, kind, starts_at, now, &done, e) != 0)
			return -1;
		*sent += done;
	}
	return 0;
}
