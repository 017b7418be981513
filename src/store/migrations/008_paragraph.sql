-- 008: the numbered paragraphs of each version, one row each.
--
-- A paragraph's id (pid, "p3") is what comments, links and comparisons hold
-- on to. It is unique within a version; a paragraph of a later version that
-- came from one of an earlier version keeps that paragraph's id, so the same
-- pid in two versions of a document is the same paragraph (core/paragraph.c).
-- number is the ¶N shown, in document order. text is the plain text (for
-- matching, comparison and search), source the Markdown as written, html the
-- block as rendered (without its number).
CREATE TABLE paragraph (
	id          INTEGER PRIMARY KEY,
	version_id  INTEGER NOT NULL REFERENCES version(id),
	pid         TEXT NOT NULL,
	number      INTEGER NOT NULL,
	text        TEXT NOT NULL,
	source      TEXT NOT NULL,
	html        TEXT NOT NULL,
	UNIQUE (version_id, pid),
	UNIQUE (version_id, number)
);
