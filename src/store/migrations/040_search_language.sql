-- 040: a version's texts in other languages in search (core/search.c,
-- search_version_sync), and the language of each comment. Each paragraph of a published version's text in
-- another language of its process (migration 035) has its own entry: the
-- paragraph's kind and ref_id (paragraph.id: the same paragraph in every
-- language) with the text's language, so that "réseau" finds the French
-- text's paragraph and the hit links to the version in French. language is
-- '' for every other entry (a contribution, a comment, a file, a letter, a
-- version's own text); the unique key becomes (kind, ref_id, language).
--
-- SQLite cannot change a table's unique key: the table is made anew with the
-- same ids, which are the rowids its two FTS5 indexes (external content)
-- point to, so the indexes stay as they are. PostgreSQL changes its
-- constraint in place.
-- sqlite only
CREATE TABLE search_entry_040 (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('contribution', 'comment', 'attachment', 'paragraph', 'letter')),
	ref_id          INTEGER NOT NULL,
	contribution_id INTEGER REFERENCES contribution(id),
	process_id      INTEGER NOT NULL REFERENCES process(id),
	call_id         INTEGER REFERENCES call(id),
	version_id      INTEGER REFERENCES version(id),
	anchor          TEXT NOT NULL,
	day             TEXT NOT NULL,
	title           TEXT NOT NULL,
	body            TEXT NOT NULL,
	language        TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, ref_id, language)
);
INSERT INTO search_entry_040 (id, kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, title, body)
	SELECT id, kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, title, body FROM search_entry;
DROP TABLE search_entry;
ALTER TABLE search_entry_040 RENAME TO search_entry;
CREATE INDEX search_entry_contribution ON search_entry (contribution_id);
CREATE INDEX search_entry_version ON search_entry (version_id, kind);
-- end sqlite only
-- postgresql: ALTER TABLE search_entry ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- postgresql: ALTER TABLE search_entry DROP CONSTRAINT search_entry_kind_ref_id_key;
-- postgresql: ALTER TABLE search_entry ADD CONSTRAINT search_entry_kind_ref_id_language_key UNIQUE (kind, ref_id, language);

-- A comment records the language it is written in: its contribution's
-- (migration 034: declared by the contributor, else recognised in its text);
-- '' when unknown (and for comments made before this migration). It stays on
-- its paragraph's id whatever its language.
ALTER TABLE comment ADD COLUMN language TEXT NOT NULL DEFAULT '';
