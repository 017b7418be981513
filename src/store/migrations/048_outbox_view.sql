-- 048: what the office's outbox page (/office/outbox) lists of each mail
-- without reading its message: the subject and the language it was written
-- in, as composed (core/outbox.c). NULL for a mail queued before: the page
-- shows a dash. The list is newest first, all or one state at a time.
ALTER TABLE outbox ADD COLUMN subject TEXT;
ALTER TABLE outbox ADD COLUMN language TEXT;
CREATE INDEX outbox_listed ON outbox (sent_at, failed_at, id);
