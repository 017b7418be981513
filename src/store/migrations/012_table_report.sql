-- 012: what was understood of a contribution's comment table, row by row
-- (the sender's receipt page shows it: skipped rows and notes are in no comment).
CREATE TABLE contribution_table_report (
	contribution_id INTEGER PRIMARY KEY REFERENCES contribution(id),
	report          TEXT NOT NULL
);
