-- 028: meetings people register for (core/meeting.c): how many may come,
-- until when they may register, what registered participants are told (the
-- room, the dial-in, with the link to join of 016), the agenda, and, after
-- the meeting, its summary and outcome and the call that followed it. A
-- meeting's sequence is the SEQUENCE of its event in the invitations and the
-- calendar (RFC 5545, 3.8.7.4): it grows by one at each move, change or
-- cancellation, so that a calendar application updates the event it has
-- (same UID) rather than adding one; changed_at is that change's instant.
ALTER TABLE meeting ADD COLUMN agenda TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting ADD COLUMN room TEXT;
ALTER TABLE meeting ADD COLUMN dial_in TEXT;
ALTER TABLE meeting ADD COLUMN capacity INTEGER;               -- NULL: no limit
ALTER TABLE meeting ADD COLUMN registration_closes_at INTEGER; -- UTC; NULL: when the meeting starts
ALTER TABLE meeting ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meeting ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meeting ADD COLUMN changed_at INTEGER;
ALTER TABLE meeting ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting ADD COLUMN followup_call_id INTEGER REFERENCES call(id);

-- One row per account and meeting, whatever it went through: registered
-- (a place), waiting (on the waiting list, in the order of `position`), or
-- cancelled. Registering again after cancelling takes the row back, at the
-- end of the list. position grows per meeting and is never reused.
CREATE TABLE meeting_registration (
	id          INTEGER PRIMARY KEY,
	meeting_id  INTEGER NOT NULL REFERENCES meeting(id),
	account_id  INTEGER NOT NULL REFERENCES account(id),
	state       TEXT NOT NULL CHECK (state IN ('registered', 'waiting', 'cancelled')),
	position    INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	changed_at  INTEGER NOT NULL,
	UNIQUE (meeting_id, account_id)
);
CREATE INDEX meeting_registration_state ON meeting_registration (meeting_id, state, position);

-- A reminder sent: one row per meeting, kind ('day', 'hour') and the start it
-- was for, inserted in the transaction that queues the reminders, so that a
-- restart (or a second server) never sends one twice; a moved meeting starts
-- at another instant and is reminded again.
CREATE TABLE meeting_reminder (
	meeting_id  INTEGER NOT NULL REFERENCES meeting(id),
	kind        TEXT NOT NULL CHECK (kind IN ('day', 'hour')),
	starts_at   INTEGER NOT NULL,
	sent_at     INTEGER NOT NULL,
	PRIMARY KEY (meeting_id, kind, starts_at)
);

-- The documents of a meeting, in order: a version of one of the process's
-- documents, or one of its circular letters (exactly one of the two).
CREATE TABLE meeting_document (
	meeting_id  INTEGER NOT NULL REFERENCES meeting(id),
	position    INTEGER NOT NULL,
	version_id  INTEGER REFERENCES version(id),
	circular_id INTEGER REFERENCES circular(id),
	CHECK ((version_id IS NULL AND circular_id IS NOT NULL) OR (version_id IS NOT NULL AND circular_id IS NULL)),
	PRIMARY KEY (meeting_id, position)
);
