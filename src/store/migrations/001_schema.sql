-- 001: the foundation — processes, their documents and versions, schedule,
-- meetings, circular letters, calls and contributions.
-- Instants are INTEGER seconds since the epoch, UTC; calendar dates as
-- announced to people are TEXT 'YYYY-MM-DD' in the process's time zone.

CREATE TABLE process (
	id          INTEGER PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	title       TEXT NOT NULL,
	summary     TEXT NOT NULL DEFAULT '',
	timezone    TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);

CREATE TABLE category (
	id          INTEGER PRIMARY KEY,
	process_id  INTEGER NOT NULL REFERENCES process(id),
	slug        TEXT NOT NULL,
	name        TEXT NOT NULL,
	position    INTEGER NOT NULL,
	UNIQUE (process_id, slug)
);

CREATE TABLE document (
	id          INTEGER PRIMARY KEY,
	process_id  INTEGER NOT NULL REFERENCES process(id),
	slug        TEXT NOT NULL,
	title       TEXT NOT NULL,
	UNIQUE (process_id, slug)
);

CREATE TABLE version (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES document(id),
	date        TEXT NOT NULL,
	label       TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	markdown    TEXT NOT NULL,
	html        TEXT NOT NULL,      -- rendered once when posted
	paragraphs  INTEGER NOT NULL,
	posted_at   INTEGER NOT NULL
);
CREATE INDEX version_document ON version (document_id, date);

CREATE TABLE milestone (
	id          INTEGER PRIMARY KEY,
	process_id  INTEGER NOT NULL REFERENCES process(id),
	date        TEXT NOT NULL,
	end_date    TEXT,               -- set for a range such as 8-18 June 2021
	title       TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('version', 'meeting', 'deadline', 'presentation', 'other')),
	status      TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'postponed', 'cancelled'))
);
CREATE INDEX milestone_process ON milestone (process_id, date);

-- Each move of a milestone, oldest first: where it was, where it went, why.
CREATE TABLE milestone_move (
	id             INTEGER PRIMARY KEY,
	milestone_id   INTEGER NOT NULL REFERENCES milestone(id),
	moved_on       TEXT NOT NULL,
	from_date      TEXT,
	from_end_date  TEXT,
	from_label     TEXT,            -- when the old place was not a date ("2020 session of the Council")
	to_date        TEXT NOT NULL,
	to_end_date    TEXT,
	reason         TEXT NOT NULL
);

CREATE TABLE meeting (
	id          INTEGER PRIMARY KEY,
	process_id  INTEGER NOT NULL REFERENCES process(id),
	date        TEXT NOT NULL,
	title       TEXT NOT NULL,
	format      TEXT NOT NULL DEFAULT 'online' CHECK (format IN ('online', 'physical', 'hybrid')),
	description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE circular (
	id          INTEGER PRIMARY KEY,
	process_id  INTEGER NOT NULL REFERENCES process(id),
	reference   TEXT NOT NULL,
	date        TEXT NOT NULL,
	subject     TEXT NOT NULL,
	UNIQUE (process_id, reference)
);

CREATE TABLE circular_addressee (
	circular_id INTEGER NOT NULL REFERENCES circular(id),
	category_id INTEGER NOT NULL REFERENCES category(id),
	PRIMARY KEY (circular_id, category_id)
);

CREATE TABLE call (
	id          INTEGER PRIMARY KEY,
	process_id  INTEGER NOT NULL REFERENCES process(id),
	version_id  INTEGER NOT NULL REFERENCES version(id),
	title       TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	opens_at    INTEGER NOT NULL,
	closes_at   INTEGER NOT NULL,
	closes_on   TEXT                -- the deadline as announced, a date in the process's zone
);

CREATE TABLE contribution (
	id           INTEGER PRIMARY KEY,
	tracking     TEXT NOT NULL UNIQUE,
	call_id      INTEGER NOT NULL REFERENCES call(id),
	channel      TEXT NOT NULL CHECK (channel IN ('web', 'api', 'email')),
	name         TEXT NOT NULL,
	organization TEXT NOT NULL,
	category_id  INTEGER NOT NULL REFERENCES category(id),
	country      TEXT NOT NULL,
	email        TEXT NOT NULL,
	text         TEXT NOT NULL,
	publication  TEXT NOT NULL CHECK (publication IN ('named', 'anonymous', 'private')),
	received_at  INTEGER NOT NULL
);
CREATE INDEX contribution_call ON contribution (call_id, id);
