-- 039: a circular letter's text in the other languages of its process
-- (issue 14, item 3; core/circular.c). The letter's own subject and text
-- (circular_draft / circular) are in the process's first language; each row
-- here is the same letter in another of its languages, a subject and a text
-- of its own, as a version's texts are (035). The secretariat writes them on
-- the draft (circular_draft_text, changed freely while it is a draft); the
-- issue copies them, in its transaction, beside the letter it makes
-- (circular_text), which never changes afterwards, as the letter does not.
CREATE TABLE circular_draft_text (
	draft_id   INTEGER NOT NULL REFERENCES circular_draft(id),
	language   TEXT NOT NULL,     -- a BCP 47 tag of the process's languages, not its first
	subject    TEXT NOT NULL,
	markdown   TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (draft_id, language)
);
CREATE TABLE circular_text (
	circular_id INTEGER NOT NULL REFERENCES circular(id),
	language    TEXT NOT NULL,
	subject     TEXT NOT NULL,
	markdown    TEXT NOT NULL,
	PRIMARY KEY (circular_id, language)
);
CREATE TRIGGER circular_text_no_update BEFORE UPDATE ON circular_text
	BEGIN SELECT RAISE(ABORT, 'an issued letter cannot be changed: issue a corrigendum'); END;

-- The PDF of a letter in one of those languages (its text, its chrome in that
-- language), made and kept as the first language's is (circular_pdf): once,
-- content-addressed, its SHA-256 shown on the letter's page in that language
-- and a leaf of the tamper-evident record (audit "circular.pdf" with its
-- language).
CREATE TABLE circular_text_pdf (
	circular_id INTEGER NOT NULL REFERENCES circular(id),
	language    TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	size        INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (circular_id, language)
);
