-- 014: the reports to the governing body, kept with their process.
--
-- Each PDF made of a process's report (core/report.h) is a row here, newest
-- last, and its bytes a blob (named by their SHA-256, which the pages show):
-- a report sent to the governing body can be shown to be the one kept. Rows
-- are never changed; a new report is a new row, so the history stays.
-- created_by is the account that asked (NULL from the command line); actor
-- names who it was as the audit log does.
CREATE TABLE report (
	id          INTEGER PRIMARY KEY,
	process_id  INTEGER NOT NULL REFERENCES process(id),
	sha256      TEXT NOT NULL REFERENCES blob(sha256),
	size        INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	created_by  INTEGER REFERENCES account(id),
	actor       TEXT NOT NULL
);
CREATE INDEX report_process ON report (process_id, id);
