/*
 * meeting — consultation meetings of a process (online, physical or hybrid),
 * each on a date, at a time in the process's time zone, and the people who
 * register for them.
 *
 * A meeting has its practical details (the link to join, the dial-in, the
 * room): only its registered participants see them, on its page and in
 * their mail. Registering is one entry, meeting_register(), whatever the
 * channel (the meeting page's form, the API): it is refused, on the server,
 * for a cancelled meeting, once the meeting has started, after registration
 * closes, and when every place is taken (then the waiting list is offered:
 * registering with waiting_ok joins it, in order of arrival). Registering
 * twice changes nothing. Cancelling a place gives it to the first on the
 * waiting list.
 *
 * Every registered participant gets an iCalendar invitation by mail
 * (meeting_invitation(): METHOD:REQUEST, the process's VTIMEZONE, the UID
 * meeting-ID@HOST that the calendar feed also uses, the meeting's SEQUENCE);
 * moving or changing a meeting raises its SEQUENCE and mails the update
 * (same UID), cancelling it mails METHOD:CANCEL. meeting_reminders() queues
 * the reminders a day and an hour before, each once: a row of
 * meeting_reminder marks it sent in the transaction that queues it
 * (migration 028).
 */
#ifndef CONSULTA_CORE_MEETING_H
#define CONSULTA_CORE_MEETING_H

#include "core/account.h"
#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* How people take part, with its one table of names (meeting.c). */
enum meeting_format { MEETING_ONLINE, MEETING_PHYSICAL, MEETING_HYBRID };
const char *meeting_format_name(enum meeting_format f);
/* Reads a format's name; false for a name not in its table. */
bool meeting_format_parse(const char *name, enum meeting_format *out);

/* Where someone stands for a meeting, with its one table of names. */
enum registration_state { REGISTRATION_REGISTERED, REGISTRATION_WAITING, REGISTRATION_CANCELLED };
const char *registration_state_name(enum registration_state s);
bool registration_state_parse(const char *name, enum registration_state *out);

enum {
	MEETING_REMIND_DAY = 24 * 3600, /* the reminders: this long before the start */
	MEETING_REMIND_HOUR = 3600,
	MEETING_TEXT_MAX = 20000, /* description, agenda, summary, outcome */
	MEETING_LINE_MAX = 300,   /* title, room, dial-in, link */
};

struct meeting {
	int64_t id;
	int64_t process_id;
	const char *date;
	const char *title;
	enum meeting_format format;
	const char *description;
	const char *starts, *ends;      /* "HH:MM" in the process's time zone, or NULL when not set */
	const char *join_url;           /* how to join, or NULL: shown to registered participants only */
	const char *room, *dial_in;     /* or NULL: registered participants only, too */
	const char *agenda;             /* plain text, "" when none */
	int capacity;                   /* places; 0: no limit */
	int64_t registration_closes_at; /* UTC; 0: registration closes when the meeting starts */
	bool cancelled;
	int sequence;                  /* the SEQUENCE of its event: grows at each move, change or cancellation */
	int64_t changed_at;            /* the last such change, or 0 */
	const char *summary, *outcome; /* published after the meeting: "" until then */
	int64_t followup_call_id;      /* the call that followed it, or 0 */
	int registered, waiting;       /* how many have a place, how many wait */
};

int meeting_add(struct db *db, int64_t process_id, const char *date, const char *title, enum meeting_format format,
                const char *description, int64_t *id, struct error *e);
/* Sets meeting id's time (starts before ends, both "HH:MM") and the link to join it (an http or https URL, or
 * NULL for none), inside the caller's transaction, recording nothing (for loaders such as the demo). Field
 * errors "starts", "ends", "join_url". */
int meeting_set_time(struct db *db, int64_t id, const char *starts, const char *ends, const char *join_url,
                     struct error *e);
int meeting_list(struct db *db, struct arena *a, int64_t process_id, struct meeting **out, int *n, struct error *e);
/* Meeting id, in a; ERROR_NOT_FOUND if there is none. */
int meeting_find(struct db *db, struct arena *a, int64_t id, struct meeting *out, struct error *e);

/* The instants (UTC) a meeting starts and ends, from its date and hours in zone tzid: without hours, the
 * start and the end of its day. 0 or -1 (an unknown zone). */
int meeting_instants(const struct meeting *m, const char *tzid, int64_t *starts_at, int64_t *ends_at);

/* A document of a meeting: a version of one of the process's documents, or one of its circular letters. */
struct meeting_ref {
	bool letter; /* a circular letter; else a version */
	int64_t id;
};
struct meeting_document {
	struct meeting_ref ref;
	const char *title; /* "Draft Guidelines ...: Revised draft", "CL-20/55: Second online ..." */
	const char *date;
};
/* The documents of meeting id, in order. */
int meeting_documents(struct db *db, struct arena *a, int64_t id, struct meeting_document **out, int *n,
                      struct error *e);

/* What the back office sets on a meeting (create, edit); NULL strings are "none". */
struct meeting_input {
	const char *date, *title, *description, *agenda;
	enum meeting_format format;
	const char *starts, *ends; /* "HH:MM", both or neither */
	const char *join_url, *room, *dial_in;
	int capacity;                        /* 0: no limit */
	const char *registration_closes;     /* RFC 3339 instant, or NULL: when it starts */
	bool set_documents;                  /* false: an edit leaves the documents as they are */
	const struct meeting_ref *documents; /* of the meeting's process; field error "documents" otherwise */
	int ndocuments;
};

/* Creates a meeting of the process (slug) in its own transaction; audit "meeting.create". Field errors. */
int meeting_create(struct db *db, struct arena *a, const struct actor *who, const char *slug,
                   const struct meeting_input *in, int64_t *id, struct error *e);
/* Sets every field of meeting id from in, in its own transaction; audit "meeting.update". A change of its
 * date or hours is a move: SEQUENCE grows and every registered participant is mailed the updated
 * invitation (same UID); so is a change of title, format or practical details. A larger capacity gives
 * places to the waiting list, in order. ERROR_CONFLICT for a cancelled meeting. */
int meeting_update(struct db *db, struct arena *a, const struct actor *who, int64_t id, const struct meeting_input *in,
                   struct error *e);
/* Cancels meeting id (reason required); audit "meeting.cancel". SEQUENCE grows; registered participants are
 * mailed METHOD:CANCEL, the waiting list a note. ERROR_CONFLICT if already cancelled. */
int meeting_cancel(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *reason,
                   struct error *e);
/* Publishes what came of a meeting that has ended: its summary, outcome and the call that followed it
 * (0: none; a call of the same process); audit "meeting.outcome". ERROR_CONFLICT before it ends. */
int meeting_set_outcome(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *summary,
                        const char *outcome, int64_t followup_call_id, int64_t now, struct error *e);

/* Why a registration was refused. */
enum meeting_refusal {
	MEETING_ACCEPTED,
	MEETING_REFUSED_CANCELLED,
	MEETING_REFUSED_PAST,   /* it has started, or is over */
	MEETING_REFUSED_CLOSED, /* registration has closed */
	MEETING_REFUSED_FULL,   /* every place is taken: the waiting list is offered */
};
/* The refusal's stable code for the API ("meeting_full", ...) and its sentence for a person. */
const char *meeting_refusal_code(enum meeting_refusal r);
const char *meeting_refusal_text(enum meeting_refusal r);

struct meeting_registration {
	enum registration_state state;
	int position;                 /* on the waiting list: 1 for the next one; 0 otherwise */
	bool unchanged;               /* it was so already: nothing was done (a second registration) */
	enum meeting_refusal refusal; /* set with ERROR_CONFLICT */
};

/* Registers account who for meeting id at now, in its own transaction: a place, or, when every place is
 * taken and waiting_ok, a place on the waiting list; the confirmation (with the invitation) or the
 * waiting-list note is queued by mail; audit "meeting.register". Already registered or waiting: unchanged,
 * no mail. Refused: -1, ERROR_CONFLICT, out->refusal says why. */
int meeting_register(struct db *db, struct arena *a, int64_t id, const struct account *who, bool waiting_ok,
                     int64_t now, struct meeting_registration *out, struct error *e);
/* Cancels who's place or place on the waiting list; a freed place goes to the first one waiting (mailed
 * the invitation), if the meeting is still to come. who is mailed METHOD:CANCEL for a place they had.
 * Nothing to cancel: out->unchanged. audit "meeting.unregister". */
int meeting_unregister(struct db *db, struct arena *a, int64_t id, const struct account *who, int64_t now,
                       struct meeting_registration *out, struct error *e);
/* who's registration for meeting id (state REGISTRATION_CANCELLED when none); -1 on a database error. */
int meeting_registration_of(struct db *db, int64_t id, int64_t account_id, struct meeting_registration *out,
                            struct error *e);

struct meeting_participant {
	const char *name, *email, *organization, *category, *country;
	enum registration_state state;
	int position; /* waiting: 1 for the next one */
	int64_t registered_at;
};
/* The participants and the waiting list of meeting id (not the cancelled), by category, then by name; the
 * waiting ones after, in their order. */
int meeting_participants(struct db *db, struct arena *a, int64_t id, struct meeting_participant **out, int *n,
                         struct error *e);

/* The meeting's invitation for one attendee (see render/ical.h), in a; NULL with e on failure. */
const char *meeting_invitation(struct arena *a, const struct meeting *m, const char *tzid, bool cancel, const char *to,
                               const char *name, struct error *e);

/* Meeting id alone as a published calendar (/meetings/{id}.ics): no METHOD, no practical details. */
struct ical_calendar;
int meeting_calendar(struct db *db, struct arena *a, int64_t id, struct ical_calendar *out, struct error *e);

/* Queues the reminders due at now (a day and an hour before each meeting still to come, not cancelled,
 * each once per start instant) to its registered participants; *sent the meetings reminded. */
int meeting_reminders(struct db *db, struct arena *a, int64_t now, int *sent, struct error *e);

#endif
