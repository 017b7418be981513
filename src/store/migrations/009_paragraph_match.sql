-- 009: where each paragraph of a version came from, and versions held back as drafts.
--
-- A new version's paragraphs are matched against the previous version's
-- (core/paragraph_match.h). previous_id is the version it was matched
-- against (NULL for a document's first). On each paragraph: relation
-- (unchanged, edited, moved, split, merged, new; NULL in a first version),
-- similarity to its first source in thousandths, and uncertain (1 while the
-- secretariat has not confirmed a match the matching was not sure of).
-- paragraph_source lists the pids of the previous version a paragraph came
-- from, most similar first (rank 0): one for an edit or a split part, several
-- for a merge, none for a new paragraph.
--
-- A version with uncertain matches is posted as a draft: not public until
-- the secretariat confirms them and publishes it.
ALTER TABLE version ADD COLUMN state TEXT NOT NULL DEFAULT 'published';
ALTER TABLE version ADD COLUMN previous_id INTEGER REFERENCES version(id);
ALTER TABLE paragraph ADD COLUMN relation TEXT;
ALTER TABLE paragraph ADD COLUMN similarity INTEGER;
ALTER TABLE paragraph ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
CREATE TABLE paragraph_source (
	version_id  INTEGER NOT NULL REFERENCES version(id),
	pid         TEXT NOT NULL,
	rank        INTEGER NOT NULL,
	from_pid    TEXT NOT NULL,
	PRIMARY KEY (version_id, pid, rank)
);
