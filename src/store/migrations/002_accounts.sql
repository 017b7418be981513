-- 002: accounts and roles, sessions and tokens, the audit log, the mail
-- outbox, subscriptions, moderation, and the recorded changes of calls.

CREATE TABLE account (
	id                 INTEGER PRIMARY KEY,
	email              TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name               TEXT NOT NULL,
	organization       TEXT NOT NULL DEFAULT '',
	category           TEXT NOT NULL DEFAULT '',  -- a category slug, matched against each process's
	country            TEXT NOT NULL DEFAULT '',
	role               TEXT NOT NULL CHECK (role IN ('stakeholder', 'secretariat')),
	password_hash      TEXT,                      -- Argon2id (libsodium's encoded form); NULL until set
	email_confirmed_at INTEGER,
	created_at         INTEGER NOT NULL
);

-- Only hashes of secrets are stored: a copy of the database gives no session.
CREATE TABLE session (
	token_hash  TEXT PRIMARY KEY,
	account_id  INTEGER NOT NULL REFERENCES account(id),
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
);
CREATE INDEX session_account ON session (account_id);

-- One-time links sent by mail: confirm an address, reset or set a password.
CREATE TABLE account_token (
	token_hash  TEXT PRIMARY KEY,
	account_id  INTEGER NOT NULL REFERENCES account(id),
	purpose     TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset')),
	expires_at  INTEGER NOT NULL,
	used_at     INTEGER
);

CREATE TABLE api_token (
	id          INTEGER PRIMARY KEY,
	token_hash  TEXT NOT NULL UNIQUE,
	account_id  INTEGER NOT NULL REFERENCES account(id),
	created_at  INTEGER NOT NULL,
	revoked_at  INTEGER
);

-- Failed logins, by account and by address, for the slow-down.
CREATE TABLE login_failure (
	id          INTEGER PRIMARY KEY,
	key         TEXT NOT NULL,                    -- 'account:<id>' or 'address:<ip>'
	at          INTEGER NOT NULL
);
CREATE INDEX login_failure_key ON login_failure (key, at);

-- Every change by anyone: who, when, what, before and after. Append-only.
CREATE TABLE audit (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	account_id  INTEGER REFERENCES account(id),
	actor       TEXT NOT NULL,                    -- e-mail, or 'public', 'system', 'command line'
	process_id  INTEGER REFERENCES process(id),
	kind        TEXT NOT NULL,                    -- e.g. milestone.move, call.extend
	object      TEXT NOT NULL,                    -- e.g. milestone:8
	before      TEXT,                             -- JSON
	after       TEXT                              -- JSON
);
CREATE INDEX audit_process ON audit (process_id, id);
CREATE INDEX audit_kind ON audit (kind, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
	BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
	BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Mail waiting to be sent, written in the transaction of the change that caused it.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	created_at      INTEGER NOT NULL,
	kind            TEXT NOT NULL,                -- confirm, reset, receipt, notice, subscription
	recipient       TEXT NOT NULL,
	message         TEXT NOT NULL,                -- the whole RFC 5322 message, CRLF line ends
	message_id      TEXT NOT NULL UNIQUE,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,             -- machine time: retries follow the real clock
	sent_at         INTEGER,
	failed_at       INTEGER,                      -- given up: a permanent SMTP refusal
	last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, failed_at, next_attempt_at);

CREATE TABLE subscription (
	id              INTEGER PRIMARY KEY,
	process_id      INTEGER NOT NULL REFERENCES process(id),
	email           TEXT NOT NULL COLLATE NOCASE,
	token_hash      TEXT NOT NULL UNIQUE,         -- confirms and unsubscribes
	created_at      INTEGER NOT NULL,
	confirmed_at    INTEGER,
	left_at         INTEGER,
	UNIQUE (process_id, email)
);

-- Each change of a call's deadline or state, with its reason.
CREATE TABLE call_change (
	id              INTEGER PRIMARY KEY,
	call_id         INTEGER NOT NULL REFERENCES call(id),
	changed_at      INTEGER NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('extend', 'shorten', 'open', 'close')),
	from_closes_at  INTEGER,
	to_closes_at    INTEGER,
	from_closes_on  TEXT,
	to_closes_on    TEXT,
	reason          TEXT NOT NULL
);

ALTER TABLE process ADD COLUMN languages TEXT NOT NULL DEFAULT 'en';
ALTER TABLE call ADD COLUMN review TEXT NOT NULL DEFAULT 'on_receipt' CHECK (review IN ('on_receipt', 'after_review'));
ALTER TABLE call ADD COLUMN closing_notice_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contribution ADD COLUMN account_id INTEGER REFERENCES account(id);
ALTER TABLE contribution ADD COLUMN state TEXT NOT NULL DEFAULT 'published'
	CHECK (state IN ('published', 'pending', 'hidden', 'spam'));
ALTER TABLE contribution ADD COLUMN moderation_reason TEXT;
ALTER TABLE contribution ADD COLUMN moderated_at INTEGER;
CREATE INDEX contribution_account ON contribution (account_id, id);
ALTER TABLE milestone_move ADD COLUMN account_id INTEGER REFERENCES account(id);
