-- 041: the public list of a call narrowed by comment type (?type=: the
-- contributions with at least one comment of that type), counted and read
-- without reading the call's rows (13 to 32 s at 1,000,000 contributions), and
-- every narrowing of the list ordered by name read from one index.
--
-- contribution.comment_types holds the types of the contribution's comments as
-- bits: general 1, technical 2, editorial 4 (0: no comment). The writer sets it
-- in the contribution's INSERT (core/contribution.c), since its comments come in
-- the same transaction just after; the triggers on comment below keep it true
-- for any other way a comment is written or removed (they change nothing when
-- the bit is there already).
--
-- contribution_tally (migration 033) is kept per comment_types too, so that a
-- list narrowed by type (and by category, country, or to no campaign) is counted
-- by a sum over its few rows: the type's rows are those whose comment_types has
-- its bit. Its triggers are made again with the new key.
--
-- Indexes: per type, the call's contributions with a comment of that type by
-- arrival and by name (partial indexes: the statements write the same
-- "(c.comment_types & N) <> 0" term, word for word); by name within a category,
-- within a country, and within a campaign (the order's keys of migration 032
-- after the narrowing's), so that each is a range read in the list's order.
ALTER TABLE contribution ADD COLUMN comment_types INTEGER NOT NULL DEFAULT 0;
UPDATE contribution SET comment_types = (SELECT CAST(sum(DISTINCT CASE m.type WHEN 'general' THEN 1
		WHEN 'technical' THEN 2 ELSE 4 END) AS INTEGER) FROM comment m WHERE m.contribution_id = contribution.id)
	WHERE id IN (SELECT contribution_id FROM comment);
-- sqlite only (PostgreSQL's functions and triggers are below)
DROP TRIGGER contribution_tally_insert;
DROP TRIGGER contribution_tally_delete;
DROP TRIGGER contribution_tally_update;
-- end sqlite only
-- postgresql: DROP TRIGGER contribution_tally_insert ON contribution;
-- postgresql: DROP TRIGGER contribution_tally ON contribution;
-- postgresql: DROP FUNCTION contribution_tally_added();
-- postgresql: DROP FUNCTION contribution_tally_change();
DROP TABLE contribution_tally;
CREATE TABLE contribution_tally (
	call_id       INTEGER NOT NULL,
	category_id   INTEGER NOT NULL,
	country       TEXT NOT NULL,
	comment_types INTEGER NOT NULL,
	published     INTEGER NOT NULL,
	hidden        INTEGER NOT NULL,
	grouped       INTEGER NOT NULL,
	PRIMARY KEY (call_id, category_id, country, comment_types)
);
INSERT INTO contribution_tally (call_id, category_id, country, comment_types, published, hidden, grouped)
	SELECT call_id, category_id, country, comment_types, sum(CASE WHEN state = 'published' THEN 1 ELSE 0 END),
	       sum(CASE WHEN state = 'hidden' THEN 1 ELSE 0 END),
	       sum(CASE WHEN state = 'published' AND campaign_id IS NOT NULL THEN 1 ELSE 0 END)
	FROM contribution WHERE publication <> 'private' AND state IN ('published', 'hidden')
	GROUP BY call_id, category_id, country, comment_types;
-- sqlite only (PostgreSQL's functions and triggers are below)
CREATE TRIGGER contribution_tally_insert AFTER INSERT ON contribution
WHEN NEW.publication <> 'private' AND NEW.state IN ('published', 'hidden')
BEGIN
	INSERT INTO contribution_tally (call_id, category_id, country, comment_types, published, hidden, grouped)
	VALUES (NEW.call_id, NEW.category_id, NEW.country, NEW.comment_types, NEW.state = 'published',
		NEW.state = 'hidden', NEW.state = 'published' AND NEW.campaign_id IS NOT NULL)
	ON CONFLICT (call_id, category_id, country, comment_types) DO UPDATE SET
		published = published + excluded.published, hidden = hidden + excluded.hidden,
		grouped = grouped + excluded.grouped;
END;
CREATE TRIGGER contribution_tally_delete AFTER DELETE ON contribution
WHEN OLD.publication <> 'private' AND OLD.state IN ('published', 'hidden')
BEGIN
	UPDATE contribution_tally SET published = published - (OLD.state = 'published'),
		hidden = hidden - (OLD.state = 'hidden'),
		grouped = grouped - (OLD.state = 'published' AND OLD.campaign_id IS NOT NULL)
	WHERE call_id = OLD.call_id AND category_id = OLD.category_id AND country = OLD.country
		AND comment_types = OLD.comment_types;
END;
CREATE TRIGGER contribution_tally_update
AFTER UPDATE OF call_id, category_id, country, comment_types, publication, state, campaign_id ON contribution
BEGIN
	UPDATE contribution_tally SET published = published - (OLD.state = 'published'),
		hidden = hidden - (OLD.state = 'hidden'),
		grouped = grouped - (OLD.state = 'published' AND OLD.campaign_id IS NOT NULL)
	WHERE call_id = OLD.call_id AND category_id = OLD.category_id AND country = OLD.country
		AND comment_types = OLD.comment_types
		AND OLD.publication <> 'private' AND OLD.state IN ('published', 'hidden');
	INSERT INTO contribution_tally (call_id, category_id, country, comment_types, published, hidden, grouped)
	SELECT NEW.call_id, NEW.category_id, NEW.country, NEW.comment_types, NEW.state = 'published',
		NEW.state = 'hidden', NEW.state = 'published' AND NEW.campaign_id IS NOT NULL
	WHERE NEW.publication <> 'private' AND NEW.state IN ('published', 'hidden')
	ON CONFLICT (call_id, category_id, country, comment_types) DO UPDATE SET
		published = published + excluded.published, hidden = hidden + excluded.hidden,
		grouped = grouped + excluded.grouped;
END;
CREATE TRIGGER comment_types_insert AFTER INSERT ON comment
BEGIN
	UPDATE contribution SET comment_types = comment_types | (CASE NEW.type WHEN 'general' THEN 1
		WHEN 'technical' THEN 2 ELSE 4 END)
	WHERE id = NEW.contribution_id AND (comment_types & (CASE NEW.type WHEN 'general' THEN 1
		WHEN 'technical' THEN 2 ELSE 4 END)) = 0;
END;
CREATE TRIGGER comment_types_delete AFTER DELETE ON comment
BEGIN
	UPDATE contribution SET comment_types = COALESCE((SELECT sum(DISTINCT CASE m.type WHEN 'general' THEN 1
		WHEN 'technical' THEN 2 ELSE 4 END) FROM comment m WHERE m.contribution_id = OLD.contribution_id), 0)
	WHERE id = OLD.contribution_id;
END;
CREATE TRIGGER comment_types_update AFTER UPDATE OF contribution_id, type ON comment
BEGIN
	UPDATE contribution SET comment_types = COALESCE((SELECT sum(DISTINCT CASE m.type WHEN 'general' THEN 1
		WHEN 'technical' THEN 2 ELSE 4 END) FROM comment m WHERE m.contribution_id = contribution.id), 0)
	WHERE id IN (OLD.contribution_id, NEW.contribution_id);
END;
-- end sqlite only
-- postgresql: CREATE FUNCTION contribution_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN IF TG_OP <> 'INSERT' AND OLD.publication <> 'private' AND OLD.state IN ('published', 'hidden') THEN UPDATE contribution_tally SET published = published - CASE WHEN OLD.state = 'published' THEN 1 ELSE 0 END, hidden = hidden - CASE WHEN OLD.state = 'hidden' THEN 1 ELSE 0 END, grouped = grouped - CASE WHEN OLD.state = 'published' AND OLD.campaign_id IS NOT NULL THEN 1 ELSE 0 END WHERE call_id = OLD.call_id AND category_id = OLD.category_id AND country = OLD.country AND comment_types = OLD.comment_types; END IF; IF TG_OP <> 'DELETE' AND NEW.publication <> 'private' AND NEW.state IN ('published', 'hidden') THEN INSERT INTO contribution_tally AS t (call_id, category_id, country, comment_types, published, hidden, grouped) VALUES (NEW.call_id, NEW.category_id, NEW.country, NEW.comment_types, CASE WHEN NEW.state = 'published' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'hidden' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'published' AND NEW.campaign_id IS NOT NULL THEN 1 ELSE 0 END) ON CONFLICT (call_id, category_id, country, comment_types) DO UPDATE SET published = t.published + excluded.published, hidden = t.hidden + excluded.hidden, grouped = t.grouped + excluded.grouped; END IF; RETURN NULL; END$$;
-- postgresql: CREATE FUNCTION contribution_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO contribution_tally AS t (call_id, category_id, country, comment_types, published, hidden, grouped) SELECT call_id, category_id, country, comment_types, count(*) FILTER (WHERE state = 'published'), count(*) FILTER (WHERE state = 'hidden'), count(*) FILTER (WHERE state = 'published' AND campaign_id IS NOT NULL) FROM contribution_added WHERE publication <> 'private' AND state IN ('published', 'hidden') GROUP BY call_id, category_id, country, comment_types ON CONFLICT (call_id, category_id, country, comment_types) DO UPDATE SET published = t.published + excluded.published, hidden = t.hidden + excluded.hidden, grouped = t.grouped + excluded.grouped; RETURN NULL; END$$;
-- postgresql: CREATE TRIGGER contribution_tally_insert AFTER INSERT ON contribution REFERENCING NEW TABLE AS contribution_added FOR EACH STATEMENT EXECUTE FUNCTION contribution_tally_added();
-- postgresql: CREATE TRIGGER contribution_tally AFTER DELETE OR UPDATE OF call_id, category_id, country, comment_types, publication, state, campaign_id ON contribution FOR EACH ROW EXECUTE FUNCTION contribution_tally_change();
-- postgresql: CREATE FUNCTION comment_types_added() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN UPDATE contribution c SET comment_types = c.comment_types | a.bits FROM (SELECT contribution_id, CAST(sum(DISTINCT CASE type WHEN 'general' THEN 1 WHEN 'technical' THEN 2 ELSE 4 END) AS INTEGER) AS bits FROM comment_added GROUP BY contribution_id) a WHERE c.id = a.contribution_id AND (c.comment_types & a.bits) <> a.bits; RETURN NULL; END$$;
-- postgresql: CREATE TRIGGER comment_types_insert AFTER INSERT ON comment REFERENCING NEW TABLE AS comment_added FOR EACH STATEMENT EXECUTE FUNCTION comment_types_added();
-- postgresql: CREATE FUNCTION comment_types_change() RETURNS trigger LANGUAGE plpgsql AS $$DECLARE moved BIGINT := OLD.contribution_id; BEGIN IF TG_OP = 'UPDATE' THEN moved := NEW.contribution_id; END IF; UPDATE contribution c SET comment_types = COALESCE((SELECT CAST(sum(DISTINCT CASE m.type WHEN 'general' THEN 1 WHEN 'technical' THEN 2 ELSE 4 END) AS INTEGER) FROM comment m WHERE m.contribution_id = c.id), 0) WHERE c.id IN (OLD.contribution_id, moved); RETURN NULL; END$$;
-- postgresql: CREATE TRIGGER comment_types_change AFTER DELETE OR UPDATE OF contribution_id, type ON comment FOR EACH ROW EXECUTE FUNCTION comment_types_change();
CREATE INDEX contribution_call_general ON contribution (call_id, id) WHERE (comment_types & 1) <> 0;
CREATE INDEX contribution_call_technical ON contribution (call_id, id) WHERE (comment_types & 2) <> 0;
CREATE INDEX contribution_call_editorial ON contribution (call_id, id) WHERE (comment_types & 4) <> 0;
CREATE INDEX contribution_call_general_name ON contribution (call_id,
	(CASE WHEN publication = 'named' AND state = 'published' THEN 0 ELSE 1 END),
	(CASE WHEN publication = 'named' AND state = 'published' THEN lower(name) ELSE '' END), id)
	WHERE (comment_types & 1) <> 0;
CREATE INDEX contribution_call_technical_name ON contribution (call_id,
	(CASE WHEN publication = 'named' AND state = 'published' THEN 0 ELSE 1 END),
	(CASE WHEN publication = 'named' AND state = 'published' THEN lower(name) ELSE '' END), id)
	WHERE (comment_types & 2) <> 0;
CREATE INDEX contribution_call_editorial_name ON contribution (call_id,
	(CASE WHEN publication = 'named' AND state = 'published' THEN 0 ELSE 1 END),
	(CASE WHEN publication = 'named' AND state = 'published' THEN lower(name) ELSE '' END), id)
	WHERE (comment_types & 4) <> 0;
CREATE INDEX contribution_call_category_name ON contribution (call_id, category_id,
	(CASE WHEN publication = 'named' AND state = 'published' THEN 0 ELSE 1 END),
	(CASE WHEN publication = 'named' AND state = 'published' THEN lower(name) ELSE '' END), id);
CREATE INDEX contribution_call_country_name ON contribution (call_id, country,
	(CASE WHEN publication = 'named' AND state = 'published' THEN 0 ELSE 1 END),
	(CASE WHEN publication = 'named' AND state = 'published' THEN lower(name) ELSE '' END), id);
CREATE INDEX contribution_campaign_name ON contribution (campaign_id,
	(CASE WHEN publication = 'named' AND state = 'published' THEN 0 ELSE 1 END),
	(CASE WHEN publication = 'named' AND state = 'published' THEN lower(name) ELSE '' END), id)
	WHERE campaign_id IS NOT NULL;
