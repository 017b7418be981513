-- 018: full-text search over what the public may read (core/search.c).
--
-- search_entry holds one row per public piece of text: a published, not
-- private contribution (its public name as title, its text as body), each of
-- its comments, each of its files whose text was extracted and whose scan is
-- clean, each paragraph of a published version, each circular letter. A row is
-- written and removed in the same transaction as the fact that makes the text
-- public or takes it away (core/search.h): publication, moderation, a new or
-- published version, a letter, a scan's verdict. What is private, pending,
-- hidden or marked spam is never in it, so no query can find it.
--
-- day is what the date filters compare: a contribution's (and its comments'
-- and files') day of reception in UTC, a version's and a letter's date as
-- announced. contribution_id, call_id, version_id and process_id are the
-- filters' keys; anchor is what a link needs (the tracking number, the
-- paragraph's pid, the letter's reference).
--
-- SQLite: two FTS5 indexes of it (external content: the text is stored once,
-- in search_entry), kept by core/search.c beside each change of search_entry.
-- search_word splits words by Unicode (unicode61) and removes diacritics
-- (remove_diacritics 2: "reseau" finds "réseau"); it serves every query in
-- scripts that separate words by spaces (Latin, Cyrillic, Greek, Arabic...).
-- search_gram indexes every sequence of three characters (trigram), and
-- serves queries with a word in a script written without spaces (Chinese,
-- Japanese, Thai...), where unicode61 would make a whole sentence one token;
-- it holds only the rows that have such a character (a query that uses it
-- has a word in such a script, which every row it finds must contain), so
-- that text in other scripts costs no trigrams.
-- Trigram rather than ICU word breaking: it needs no tokenizer of our own
-- registered on every connection, finds any substring (a dictionary's word
-- boundaries are not the reader's), and it is in SQLite itself; its cost is
-- an index about three times the text, and a word shorter than three
-- characters cannot use it (core/search.c then reads the rows).
--
-- PostgreSQL: a tsvector (a stored generated column) of the configuration
-- search_words: 'simple' (every word, lower case, no stemming) with its words'
-- accents removed first by the unaccent dictionary (an extension in Debian's
-- postgresql-15), in a GIN index; queries and ts_headline's highlighting go
-- through the same configuration. A pg_trgm index serves the scripts without
-- spaces, queried by ILIKE.
CREATE TABLE search_entry (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('contribution', 'comment', 'attachment', 'paragraph', 'letter')),
	ref_id          INTEGER NOT NULL,      -- the row of its kind's table
	contribution_id INTEGER REFERENCES contribution(id),
	process_id      INTEGER NOT NULL REFERENCES process(id),
	call_id         INTEGER REFERENCES call(id),
	version_id      INTEGER REFERENCES version(id),
	anchor          TEXT NOT NULL,
	day             TEXT NOT NULL,
	title           TEXT NOT NULL,
	body            TEXT NOT NULL,
	UNIQUE (kind, ref_id)
);
CREATE INDEX search_entry_contribution ON search_entry (contribution_id);
CREATE INDEX search_entry_version ON search_entry (version_id, kind);

CREATE VIRTUAL TABLE search_word USING fts5(title, body, content='search_entry', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_gram USING fts5(title, body, content='search_entry', content_rowid='id', tokenize='trigram');

-- postgresql: CREATE EXTENSION IF NOT EXISTS unaccent;
-- postgresql: CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- postgresql: CREATE TEXT SEARCH CONFIGURATION search_words (COPY = simple);
-- postgresql: ALTER TEXT SEARCH CONFIGURATION search_words ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
-- postgresql: ALTER TABLE search_entry ADD COLUMN words tsvector GENERATED ALWAYS AS (setweight(to_tsvector('search_words', title), 'A') || to_tsvector('search_words', body)) STORED;
-- postgresql: CREATE INDEX search_entry_words ON search_entry USING gin (words);
-- postgresql: CREATE INDEX search_entry_grams ON search_entry USING gin ((title || ' ' || body) gin_trgm_ops);

-- What is already public. The same selections as core/search.c's, for every row at once.
INSERT INTO search_entry (kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, title, body)
SELECT 'contribution', c.id, c.id, k.process_id, c.call_id, k.version_id, c.tracking,
       strftime('%Y-%m-%d', c.received_at, 'unixepoch'),
       CASE WHEN c.publication = 'named' THEN c.name || CASE WHEN c.organization <> '' THEN ', ' || c.organization ELSE '' END ELSE '' END,
       c.text
FROM contribution c JOIN call k ON k.id = c.call_id
WHERE c.state = 'published' AND c.publication <> 'private';

INSERT INTO search_entry (kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, title, body)
SELECT 'comment', m.id, c.id, k.process_id, c.call_id, m.version_id, c.tracking,
       strftime('%Y-%m-%d', c.received_at, 'unixepoch'), '',
       m.comment || CASE WHEN m.proposed_change <> '' THEN ' ' || m.proposed_change ELSE '' END
FROM comment m JOIN contribution c ON c.id = m.contribution_id JOIN call k ON k.id = c.call_id
WHERE c.state = 'published' AND c.publication <> 'private';

INSERT INTO search_entry (kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, title, body)
SELECT 'attachment', a.id, c.id, k.process_id, c.call_id, k.version_id, c.tracking,
       strftime('%Y-%m-%d', c.received_at, 'unixepoch'), a.name, a.text
FROM attachment a JOIN contribution c ON c.id = a.contribution_id JOIN call k ON k.id = c.call_id
WHERE c.state = 'published' AND c.publication <> 'private' AND a.scan = 'clean' AND a.text IS NOT NULL AND a.text <> '';

INSERT INTO search_entry (kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, title, body)
SELECT 'paragraph', p.id, NULL, d.process_id, NULL, v.id, p.pid, v.date, d.title || ' (' || v.label || ')', p.text
FROM paragraph p JOIN version v ON v.id = p.version_id JOIN document d ON d.id = v.document_id
WHERE v.state = 'published';

INSERT INTO search_entry (kind, ref_id, contribution_id, process_id, call_id, version_id, anchor, day, title, body)
SELECT 'letter', l.id, NULL, l.process_id, NULL, NULL, l.reference, l.date, l.reference, l.subject
FROM circular l;

INSERT INTO search_word (search_word) VALUES ('rebuild');
-- Only the rows with a character of a script written without spaces: only a query with a word in one uses
-- search_gram, and every word of a query must be in what it finds (core/search.c, GRAM_ROWS: the same ranges).
INSERT INTO search_gram (rowid, title, body) SELECT id, title, body FROM search_entry WHERE (title || ' ' || body) GLOB '*[฀-໿က-႟ក-៿⺀-鿿豈-﫿ｦ-ﾟ𠀀-𿿿]*';
