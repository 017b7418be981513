-- 017: files with a contribution by the web form and the API, and their virus scan.
--
-- Every file now has a scan state (core/attachment.h): clean (clamd found
-- nothing: it may be downloaded), pending (held for scanning: clamd was
-- down, too slow or not configured; never served, scanned again by the
-- server's loop) or quarantined (clamd found a virus after it was held:
-- kept in the record, never served). Files kept before this migration (by
-- mail) were never scanned: they are held for scanning like any other.

ALTER TABLE attachment ADD COLUMN scan TEXT NOT NULL DEFAULT 'pending'
	CHECK (scan IN ('pending', 'clean', 'quarantined'));
ALTER TABLE attachment ADD COLUMN scanned_at INTEGER;  -- when clamd gave its verdict
ALTER TABLE attachment ADD COLUMN virus TEXT;          -- the signature clamd named, for a quarantined one
CREATE INDEX attachment_pending ON attachment (id) WHERE scan = 'pending';
