-- 035: a version's text in the other languages of its process. The version's
-- own text (version.markdown) is in the process's first language; each row
-- here is the same version in another language, its numbered paragraphs
-- aligned one to one with the version's, so that they carry the same
-- paragraph ids (html is assembled with them once, when the text is given:
-- core/version_text.c): a comment on p12 is on that paragraph in every
-- language.
CREATE TABLE version_text (
	version_id  INTEGER NOT NULL REFERENCES version(id),
	language    TEXT NOT NULL,     -- a BCP 47 tag of the process's languages, not its first
	markdown    TEXT NOT NULL,
	html        TEXT NOT NULL,
	posted_at   INTEGER NOT NULL,
	PRIMARY KEY (version_id, language)
);
