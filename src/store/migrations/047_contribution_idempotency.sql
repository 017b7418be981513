-- 047: a contribution sent twice is stored once (issue 11, bad input: duplicated). A client that sends the
-- API's Idempotency-Key header, or the form's one-time field (made when the page was served), has that key
-- kept with what it stored: idempotency_key is the SHA-256 (hex) of the key and its scope (who sent it: an
-- account, or the client's address; the form's key is random and its own scope), so that no address is kept
-- in clear; idempotency_body the SHA-256 (hex) of what was sent with it (contribution_fingerprint). The
-- same key and body again answer with the first receipt and store nothing; the same key with another body is
-- refused. The unique index, not a read before the insert, is what makes two copies in one group commit, or
-- on two nodes at once, one row: the insert's ON CONFLICT DO NOTHING leaves the second out. NULL for every
-- contribution sent without a key (e-mail, imports, those before), which the partial index leaves out.
-- Kept as long as the contribution: "at least 24 hours".
ALTER TABLE contribution ADD COLUMN idempotency_key TEXT;
ALTER TABLE contribution ADD COLUMN idempotency_body TEXT;
CREATE UNIQUE INDEX contribution_idempotency ON contribution (call_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
