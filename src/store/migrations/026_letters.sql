-- 026: circular letters as the secretariat writes and issues them (core/circular.c).
--
-- A letter is a draft until it is issued; issuing gives it its series and
-- number, its date, and freezes what it says (the body, the addressees, the
-- references, the schedule annex as the schedule stood at that moment). The
-- circular table holds issued letters only, and refuses any change: an error
-- is corrected by a new letter (a corrigendum) that points to the old one.
ALTER TABLE circular ADD COLUMN markdown TEXT NOT NULL DEFAULT '';
ALTER TABLE circular ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE circular ADD COLUMN series TEXT;          -- "CL-20": the pattern before its number
ALTER TABLE circular ADD COLUMN number INTEGER;       -- the letter's number in its series
ALTER TABLE circular ADD COLUMN annex TEXT;           -- the schedule at issue (JSON), or NULL for none
ALTER TABLE circular ADD COLUMN corrects_id INTEGER REFERENCES circular(id);
ALTER TABLE circular ADD COLUMN issued_at INTEGER;    -- NULL for the letters recorded before 026
-- An addressee is addressed for action or for information.
ALTER TABLE circular_addressee ADD COLUMN purpose TEXT NOT NULL DEFAULT 'action'
	CHECK (purpose IN ('action', 'information'));

-- The letters a letter refers to (earlier letters of any process).
CREATE TABLE circular_reference (
	circular_id INTEGER NOT NULL REFERENCES circular(id),
	cites_id    INTEGER NOT NULL REFERENCES circular(id),
	PRIMARY KEY (circular_id, cites_id)
);

CREATE TRIGGER circular_no_update BEFORE UPDATE ON circular
	BEGIN SELECT RAISE(ABORT, 'an issued letter cannot be changed: issue a corrigendum'); END;

-- Drafts: edited freely until issued, then kept with the letter they became.
CREATE TABLE circular_draft (
	id              INTEGER PRIMARY KEY,
	process_id      INTEGER NOT NULL REFERENCES process(id),
	subject         TEXT NOT NULL,
	markdown        TEXT NOT NULL DEFAULT '',
	contact         TEXT NOT NULL DEFAULT '',
	for_action      TEXT NOT NULL DEFAULT '',     -- category slugs, separated by commas
	for_information TEXT NOT NULL DEFAULT '',
	refs            TEXT NOT NULL DEFAULT '',     -- references of earlier letters, separated by commas
	corrects_id     INTEGER REFERENCES circular(id),
	schedule_annex  INTEGER NOT NULL DEFAULT 0,   -- 1: the schedule is annexed at issue
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	circular_id     INTEGER REFERENCES circular(id) -- the issued letter, once issued
);
CREATE INDEX circular_draft_process ON circular_draft (process_id, id);

-- The numbering of a body's letters: its pattern, and per series the last
-- number given. Issuing updates the counter row in its own transaction, so
-- that two letters issued at once wait for each other and take consecutive
-- numbers, and a failed issue gives its number back with its rollback.
CREATE TABLE letter_body (
	body      TEXT PRIMARY KEY,                   -- process.body ('' for processes that name none)
	pattern   TEXT NOT NULL DEFAULT 'CL-{yy}/{n}',
	address   TEXT NOT NULL DEFAULT '',           -- the letterhead's address block (lines)
	logo_blob TEXT,                               -- the letterhead's logo (a blob: PNG or JPEG), or NULL
	logo_type TEXT
);
CREATE TABLE letter_counter (
	body   TEXT NOT NULL,
	series TEXT NOT NULL,
	last   INTEGER NOT NULL,
	PRIMARY KEY (body, series)
);

-- The PDF of an issued letter (the letter page laid out by WeasyPrint, with
-- the letterhead): made once, after the issue, and kept; its SHA-256 is
-- shown on the letter's page and is a leaf of the tamper-evident record
-- (audit "circular.pdf").
CREATE TABLE circular_pdf (
	circular_id INTEGER NOT NULL PRIMARY KEY REFERENCES circular(id),
	sha256      TEXT NOT NULL,
	size        INTEGER NOT NULL,
	created_at  INTEGER NOT NULL
);

-- The distribution of an issued letter: one row per address it goes to (a
-- confirmed subscriber of the process, or a registered stakeholder of an
-- addressed category; one mail per address however it qualifies), written
-- in the issuing transaction. The mail sender's thread turns the rows into
-- outbox mails in batches (circular_distribute), each batch in one
-- transaction that sets message_id, so that a restart resumes where it
-- stopped and nobody gets a second mail; sent and failed are the outbox's.
CREATE TABLE circular_delivery (
	id              INTEGER PRIMARY KEY,
	circular_id     INTEGER NOT NULL REFERENCES circular(id),
	email           TEXT NOT NULL,
	subscription_id INTEGER REFERENCES subscription(id), -- a subscriber's (its leave link), or NULL
	message_id      TEXT,                               -- its outbox mail's, once queued
	UNIQUE (circular_id, email)
);
CREATE INDEX circular_delivery_pending ON circular_delivery (message_id, id);
