-- 007: limits against abuse of mail and accounts.
--
-- A mail that someone's request makes us send (a confirmation, a reset link,
-- a receipt, a subscription's confirmation) remembers the client address that
-- asked for it, so the outbox itself counts what one address and one recipient
-- received in the last hour (core/outbox.c).
ALTER TABLE outbox ADD COLUMN requester TEXT;
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);
CREATE INDEX outbox_requester ON outbox (requester, created_at);

-- The slow-down of failed logins is now per (account, client address) and per
-- client address, never per account alone: lift the old per-account ones.
DELETE FROM login_failure WHERE key LIKE 'account:%';

-- Secrets of this installation, made at first start (core/config.c): the key
-- of the CSRF tokens. Hex text.
CREATE TABLE server_secret (
	name        TEXT PRIMARY KEY,
	value       TEXT NOT NULL
);
