-- 021: mass campaigns (core/campaign.h). A campaign is a view over contributions
-- whose texts are the same or nearly: each contribution stays its own record and
-- only names its campaign. members counts every contribution in it, whatever its
-- state; published those the public sees (published, not private), kept up to
-- date as members join and are moderated; representative_id is its first member;
-- first_at and last_at the first and last arrival of any member.
CREATE TABLE campaign (
	id                INTEGER PRIMARY KEY,
	call_id           INTEGER NOT NULL REFERENCES call(id),
	representative_id INTEGER NOT NULL REFERENCES contribution(id),
	members           INTEGER NOT NULL,
	published         INTEGER NOT NULL DEFAULT 0,
	first_at          INTEGER NOT NULL,
	last_at           INTEGER NOT NULL
);
CREATE INDEX campaign_call ON campaign (call_id, published);
ALTER TABLE contribution ADD COLUMN campaign_id INTEGER REFERENCES campaign(id);
-- a campaign's members, in order (those in none are read through contribution_call)
CREATE INDEX contribution_campaign ON contribution (campaign_id, id);
-- The fingerprint of each text that was not an exact duplicate of one before it:
-- exact is a 64-bit hash of the normalised words, minhash the MinHash signature
-- (CAMPAIGN_HASHES values of 4 bytes, big-endian).
CREATE TABLE campaign_shape (
	contribution_id INTEGER PRIMARY KEY REFERENCES contribution(id),
	call_id         INTEGER NOT NULL REFERENCES call(id),
	exact           BIGINT NOT NULL,
	minhash         BLOB NOT NULL
);
CREATE INDEX campaign_shape_exact ON campaign_shape (call_id, exact);
-- The LSH index: one row per band of a fingerprint that stands for its kind
-- (bucket: a hash of the band's values); texts with an equal band are candidates.
CREATE TABLE campaign_band (
	call_id         INTEGER NOT NULL REFERENCES call(id),
	band            INTEGER NOT NULL,
	bucket          BIGINT NOT NULL,
	contribution_id INTEGER NOT NULL REFERENCES contribution(id),
	PRIMARY KEY (call_id, band, bucket, contribution_id)
);
