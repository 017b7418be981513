-- The LSH index of the campaigns (021) kept once: on SQLite a table with a
-- composite primary key stores each row twice, in the table and again in the
-- key's index, and this table is nothing but its key (32 rows a contribution).
-- WITHOUT ROWID keeps the rows in the key's b-tree alone: 74 bytes less a
-- contribution of a docket (README, "Bytes a contribution"). The queries are
-- the same (campaign_assign's look-up by call, band and bucket is the key's
-- prefix). PostgreSQL has no rowid: its table and key index stay as they are.
-- sqlite only: the table made again, its rows copied
CREATE TABLE campaign_band_key (
	call_id         INTEGER NOT NULL REFERENCES call(id),
	band            INTEGER NOT NULL,
	bucket          BIGINT NOT NULL,
	contribution_id INTEGER NOT NULL REFERENCES contribution(id),
	PRIMARY KEY (call_id, band, bucket, contribution_id)
) WITHOUT ROWID;
INSERT INTO campaign_band_key (call_id, band, bucket, contribution_id)
	SELECT call_id, band, bucket, contribution_id FROM campaign_band;
DROP TABLE campaign_band;
ALTER TABLE campaign_band_key RENAME TO campaign_band;
-- end sqlite only
-- PostgreSQL is given one statement that changes nothing (an empty migration is an error there).
-- postgresql: SELECT 1;
