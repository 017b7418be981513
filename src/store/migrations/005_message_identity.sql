-- 005: a Message-ID alone does not make two messages the same one.
--
-- Anyone can write any Message-ID. A message is a second delivery of one
-- already received only if it has the same Message-ID, the same sender and
-- the same content (the SHA-256 of the message without the trace fields that
-- the MTAs on the way prepend: Received, Return-Path, Delivered-To, ...).
-- One message sent to two calls is two contributions, one per call; so the
-- Message-ID is unique per call, not overall. A message that reuses a
-- Message-ID otherwise (another sender, other content) is held for the
-- secretariat with the reason 'duplicate', never dropped.

ALTER TABLE contribution ADD COLUMN message_sha256 TEXT;  -- NULL for messages received before this migration
DROP INDEX contribution_message_id;
CREATE UNIQUE INDEX contribution_message_call ON contribution (message_id, call_id) WHERE message_id IS NOT NULL;

-- The holding list gains the reason 'duplicate' and the content's hash; a
-- CHECK constraint cannot be altered in SQLite, so the table is made anew.
CREATE TABLE holding_new (
	id              INTEGER PRIMARY KEY,
	received_at     INTEGER NOT NULL,
	recipient       TEXT NOT NULL,
	envelope_sender TEXT NOT NULL,
	sender          TEXT NOT NULL,
	subject         TEXT NOT NULL,
	message_id      TEXT,
	call_id         INTEGER REFERENCES call(id),
	reason          TEXT NOT NULL CHECK (reason IN ('no_call', 'call_not_open', 'automatic', 'invalid', 'limit',
	                                                'duplicate')),
	detail          TEXT NOT NULL,
	raw_sha256      TEXT NOT NULL REFERENCES blob(sha256),
	message_sha256  TEXT                   -- as for contribution; NULL before this migration
);
INSERT INTO holding_new (id, received_at, recipient, envelope_sender, sender, subject, message_id, call_id, reason,
                         detail, raw_sha256)
	SELECT id, received_at, recipient, envelope_sender, sender, subject, message_id, call_id, reason, detail,
	       raw_sha256 FROM holding;
DROP TABLE holding;
ALTER TABLE holding_new RENAME TO holding;
-- A held message delivered again (same recipient, same content) is the same held message.
CREATE UNIQUE INDEX holding_message ON holding (message_id, recipient, message_sha256) WHERE message_id IS NOT NULL;
CREATE INDEX holding_received ON holding (received_at, id);
