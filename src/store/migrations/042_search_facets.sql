-- 042: a search's filters as words of the index, so that a narrowed search is counted exactly (core/search.c).
--
-- search_entry.facets holds, as words, what the filters ask of an entry: its
-- process (_p<id>_), its type (_t<kind>_), its call (_k<id>_), its
-- contribution's category (_g<id>_) and country (_o<code>_, lower case), and
-- its day at six precisions (_d<yyyymmdd>_, _m<yyyymm>_, _y<yyyy>_, and the
-- decade, century and millennium: _e<yyy>_, _h<yy>_, _i<y>_), so that a date
-- range is a few of them ORed. None of these can change once the entry is
-- written (a contribution's category and country are set when it arrives).
-- The campaign is not among them: a contribution's campaign is assigned and
-- merged after it is indexed (core/campaign.c), so a search narrowed to a
-- campaign still joins the contribution, and its total is estimated beyond a
-- window.
--
-- SQLite: the facets are a third column of both FTS5 indexes, which are made
-- again here (their columns cannot change); a search asks for the reader's
-- words in {title body} and for the filters in {facets}, and counts its
-- matches from the index alone. The underscores keep a facet whole for the
-- trigram index (a substring "_p1_" is not in "_p12_") and are separators
-- for unicode61. PostgreSQL: a tsvector of the facets (configuration
-- simple) in a GIN index of its own, ANDed with the words' one.
--
-- The same expressions as core/search.c's fills (FACETS_*), for every row at once.
ALTER TABLE search_entry ADD COLUMN facets TEXT NOT NULL DEFAULT '';
UPDATE search_entry SET facets = '_p' || process_id || '_ _t' || kind || '_' || CASE WHEN call_id IS NULL THEN '' ELSE ' _k' || call_id || '_' END || COALESCE((SELECT ' _g' || c.category_id || '_' || CASE WHEN c.country = '' THEN '' ELSE ' _o' || lower(c.country) || '_' END FROM contribution c WHERE c.id = search_entry.contribution_id), '') || ' _d' || replace(day, '-', '') || '_ _m' || substr(replace(day, '-', ''), 1, 6) || '_ _y' || substr(day, 1, 4) || '_ _e' || substr(day, 1, 3) || '_ _h' || substr(day, 1, 2) || '_ _i' || substr(day, 1, 1) || '_';
-- sqlite only
DROP TABLE search_word;
DROP TABLE search_gram;
-- end sqlite only
CREATE VIRTUAL TABLE search_word USING fts5(title, body, facets, content='search_entry', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_gram USING fts5(title, body, facets, content='search_entry', content_rowid='id', tokenize='trigram');
INSERT INTO search_word (search_word) VALUES ('rebuild');
INSERT INTO search_gram (rowid, title, body, facets) SELECT id, title, body, facets FROM search_entry WHERE (title || ' ' || body) GLOB '*[฀-໿က-႟ក-៿⺀-鿿豈-﫿ｦ-ﾟ𠀀-𿿿]*';

-- postgresql: ALTER TABLE search_entry ADD COLUMN facet_words tsvector GENERATED ALWAYS AS (to_tsvector('simple', facets)) STORED;
-- postgresql: CREATE INDEX search_entry_facets ON search_entry USING gin (facet_words);
