-- 052: a back-office form that creates something (a meeting, a version, a letter, a call, dispositions, ...)
-- sent twice (a double click, a resend after a slow answer) creates one (core/form_once.c). Its one-time field,
-- made when the page was served, is kept here while its change runs and with the page it led to: key_hash is
-- the SHA-256 (hex) of the account, the form's address, its one-time key and what was sent with it, so that the
-- same form sent again is answered with that page and changes nothing, and the same key with other content (the
-- form corrected after going back) is another change. location is NULL while the first one runs. The primary
-- key, not a read before the change, is what makes two sends at once one change. Kept a day (created_at).
CREATE TABLE form_once (
	key_hash   TEXT PRIMARY KEY,
	location   TEXT,
	created_at INTEGER NOT NULL
);
CREATE INDEX form_once_created ON form_once (created_at);
