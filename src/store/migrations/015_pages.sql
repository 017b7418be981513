-- 015: who runs a process, and the site's own pages.
--
-- A process names the body that runs the consultation and its secretariat
-- (how to reach it), shown on the home page and the process's page. The
-- about and privacy pages are Markdown the secretariat edits in the back
-- office; until it does, the server shows a default text of its own.
ALTER TABLE process ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE process ADD COLUMN secretariat TEXT NOT NULL DEFAULT '';

CREATE TABLE site_page (
	name        TEXT PRIMARY KEY,             -- about, privacy
	markdown    TEXT NOT NULL,
	updated_at  INTEGER NOT NULL
);
