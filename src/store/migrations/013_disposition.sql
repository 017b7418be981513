-- 013: the secretariat's answer to each comment (its disposition), with every
-- revision kept, and the publication of a call's dispositions as one act.
--
-- disposition holds the answer in force for a comment; each change appends a
-- row to disposition_history (the first answer included), so an answer can be
-- revised before publication but never silently. version_id and pid name the
-- paragraph of a later version where the text landed (NULL where it did not).
CREATE TABLE disposition (
	comment_id  INTEGER PRIMARY KEY REFERENCES comment(id),
	decision    TEXT NOT NULL CHECK (decision IN ('accepted', 'accepted_in_part', 'not_accepted', 'noted')),
	reason      TEXT NOT NULL,
	version_id  INTEGER REFERENCES version(id),
	pid         TEXT,
	decided_at  INTEGER NOT NULL,
	decided_by  INTEGER NOT NULL REFERENCES account(id),
	revision    INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE disposition_history (
	id          INTEGER PRIMARY KEY,
	comment_id  INTEGER NOT NULL REFERENCES comment(id),
	revision    INTEGER NOT NULL,
	decision    TEXT NOT NULL,
	reason      TEXT NOT NULL,
	version_id  INTEGER REFERENCES version(id),
	pid         TEXT,
	decided_at  INTEGER NOT NULL,
	decided_by  INTEGER NOT NULL REFERENCES account(id),
	UNIQUE (comment_id, revision)
);
-- When the call's dispositions were published (NULL: not yet); set once, when every comment has one.
ALTER TABLE call ADD COLUMN dispositions_published_at INTEGER;
