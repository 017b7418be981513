-- 029: a circular letter's text in search (core/search.c, search_letter_sync).
--
-- A letter's search entry had its subject as body; it now has its subject
-- and its Markdown text, so that /search and /api/v1/search find a letter by
-- what it says. Only issued letters have entries (the circular table holds
-- no draft; drafts are circular_draft's and never indexed). The entries of
-- letters issued before this migration are rewritten here: on SQLite each
-- leaves its full-text indexes with the text they were indexed with, and
-- comes back with the new one (search_gram only holds the rows with a
-- character of a script written without spaces: migration 018's condition);
-- on PostgreSQL the tsvector is a generated column and follows the update.
-- sqlite only
INSERT INTO search_word (search_word, rowid, title, body) SELECT 'delete', id, title, body FROM search_entry WHERE kind = 'letter';
INSERT INTO search_gram (search_gram, rowid, title, body) SELECT 'delete', id, title, body FROM search_entry WHERE kind = 'letter' AND (title || ' ' || body) GLOB '*[฀-໿က-႟ក-៿⺀-鿿豈-﫿ｦ-ﾟ𠀀-𿿿]*';
-- end sqlite only
UPDATE search_entry SET body = (SELECT c.subject || ' ' || c.markdown FROM circular c WHERE c.id = search_entry.ref_id) WHERE kind = 'letter' AND ref_id IN (SELECT id FROM circular);
-- sqlite only
INSERT INTO search_word (rowid, title, body) SELECT id, title, body FROM search_entry WHERE kind = 'letter';
INSERT INTO search_gram (rowid, title, body) SELECT id, title, body FROM search_entry WHERE kind = 'letter' AND (title || ' ' || body) GLOB '*[฀-໿က-႟ក-៿⺀-鿿豈-﫿ｦ-ﾟ𠀀-𿿿]*';
-- end sqlite only
