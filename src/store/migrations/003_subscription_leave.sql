-- 003: the one-click leave links of subscription notices.
--
-- Every notice carries a leave link with a random token of its own, and only
-- the token's hash is kept (as for every secret): the server cannot make a
-- link again later from what it stores, so it keeps one row per link sent.
-- Each link ever sent keeps working, whichever notice a person clicks in
-- (and a mail program's RFC 8058 one-click POST uses the newest).
CREATE TABLE subscription_leave (
	token_hash      TEXT PRIMARY KEY,
	subscription_id INTEGER NOT NULL REFERENCES subscription(id),
	created_at      INTEGER NOT NULL
);
CREATE INDEX subscription_leave_subscription ON subscription_leave (subscription_id);
