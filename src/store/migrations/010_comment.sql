-- 010: the comments of a contribution, one row each (core/comment.h).
--
-- version_id is the version of the call the contribution was sent to; pid the
-- paragraph of that version it is about (NULL: a general comment). Since the
-- same pid in two versions of a document is the same paragraph, a later
-- version shows a comment at its paragraph with that pid ("carried forward"),
-- or among the comments on removed paragraphs when it has none. position is
-- the comment's place in its contribution, from 1. table_row, clause and note
-- come from a comment table (the row, what it said of the place, and what
-- was understood of it); NULL otherwise.
CREATE TABLE comment (
	id              INTEGER PRIMARY KEY,
	contribution_id INTEGER NOT NULL REFERENCES contribution(id),
	version_id      INTEGER NOT NULL REFERENCES version(id),
	pid             TEXT,
	position        INTEGER NOT NULL,
	type            TEXT NOT NULL CHECK (type IN ('general', 'technical', 'editorial')),
	comment         TEXT NOT NULL,
	proposed_change TEXT NOT NULL DEFAULT '',
	table_row       INTEGER,
	clause          TEXT,
	note            TEXT,
	UNIQUE (contribution_id, position)
);
-- A version's counts per paragraph, and one paragraph's comments, read by (version, pid).
CREATE INDEX comment_version_pid ON comment (version_id, pid);
