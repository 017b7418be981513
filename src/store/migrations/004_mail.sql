-- 004: contributions by e-mail.
--
-- A call may have an e-mail address of its own (its channel); a message to it
-- becomes a contribution through the same core function as a form. What the
-- mail channel adds is kept beside the contribution: the sender as the message
-- names it and how far the receiving MTA could verify it, the subject, the
-- Message-ID that makes a second delivery of one message the same
-- contribution, whether it came after the deadline (and if the secretariat
-- admitted it), the whole message as it arrived, and its attachments.
-- Files are stored once, by the SHA-256 of their bytes. A message that cannot
-- become a contribution (no call has its address, the call is not open yet,
-- an automatic reply, a bounce, beyond a limit) is kept whole in the holding
-- list for the secretariat: no message is ever dropped.

-- Bytes kept by content: the raw messages and the attachments.
CREATE TABLE blob (
	sha256      TEXT PRIMARY KEY,           -- hex of the SHA-256 of data
	size        INTEGER NOT NULL,
	data        BLOB NOT NULL
);

-- Lower case; a call without one takes no mail at its own address (sub-addressing still reaches it).
ALTER TABLE call ADD COLUMN email TEXT;
CREATE UNIQUE INDEX call_email ON call (email) WHERE email IS NOT NULL;

ALTER TABLE contribution ADD COLUMN sender TEXT;               -- the From address of a mail
ALTER TABLE contribution ADD COLUMN sender_verification TEXT    -- pass: DKIM or DMARC passed for it; fail; none: no verdict
	CHECK (sender_verification IN ('pass', 'fail', 'none'));
ALTER TABLE contribution ADD COLUMN authentication TEXT;       -- the receiving MTA's verdicts, e.g. "dkim=pass dmarc=pass"
ALTER TABLE contribution ADD COLUMN subject TEXT;
ALTER TABLE contribution ADD COLUMN message_id TEXT;           -- without angle brackets
ALTER TABLE contribution ADD COLUMN late INTEGER NOT NULL DEFAULT 0;  -- received after the call closed
ALTER TABLE contribution ADD COLUMN admitted_at INTEGER;       -- when the secretariat admitted a late one
ALTER TABLE contribution ADD COLUMN raw_sha256 TEXT REFERENCES blob(sha256);  -- the message as it arrived
CREATE UNIQUE INDEX contribution_message_id ON contribution (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE attachment (
	id              INTEGER PRIMARY KEY,
	contribution_id INTEGER NOT NULL REFERENCES contribution(id),
	position        INTEGER NOT NULL,      -- 1, 2, ... in the order of the message
	name            TEXT NOT NULL,
	size            INTEGER NOT NULL,
	declared_type   TEXT NOT NULL,         -- the Content-Type the sender's program gave
	type            TEXT NOT NULL,         -- the type found in its bytes (libmagic)
	sha256          TEXT NOT NULL REFERENCES blob(sha256),
	text            TEXT,                  -- its text, for search, where a tool could extract it
	UNIQUE (contribution_id, position)
);

CREATE TABLE holding (
	id              INTEGER PRIMARY KEY,
	received_at     INTEGER NOT NULL,
	recipient       TEXT NOT NULL,
	envelope_sender TEXT NOT NULL,         -- '' for the null sender of a bounce
	sender          TEXT NOT NULL,         -- the From address, or ''
	subject         TEXT NOT NULL,
	message_id      TEXT,
	call_id         INTEGER REFERENCES call(id),  -- the call it was addressed to, if one
	reason          TEXT NOT NULL CHECK (reason IN ('no_call', 'call_not_open', 'automatic', 'invalid', 'limit')),
	detail          TEXT NOT NULL,         -- the reason in words, as the sender was told
	raw_sha256      TEXT NOT NULL REFERENCES blob(sha256)
);
CREATE UNIQUE INDEX holding_message ON holding (message_id, recipient) WHERE message_id IS NOT NULL;
CREATE INDEX holding_received ON holding (received_at, id);
