-- 033: what the public list of a call counts (core/contribution.c:
-- contribution_list_public(), contribution_countries()), kept per call,
-- category and country as contributions arrive and change, rather than
-- counted on each request: at 1,000,000 contributions the count read every
-- row of the call (1.5 to 1.9 s per page of the list). The whole list and a
-- list narrowed by category or country (or both), and to the contributions
-- in no campaign, are counted here. A
-- contribution is counted when the public sees it: not private, and
-- published or hidden (hidden ones are listed in their place by tracking
-- number and reason).
--
-- Kept by triggers, so that every way a contribution is written (the writer's
-- batch, the form, mail, import, moderation, late admission, a copy by
-- migrate-db, which does not copy this table) keeps it true in the same
-- transaction. On PostgreSQL the writers hold one lock each (store/db_pg.c),
-- so no two transactions update these rows at once. A later migration that
-- rebuilds the contribution table must make these triggers again.
CREATE TABLE contribution_tally (
	call_id     INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	country     TEXT NOT NULL,
	published   INTEGER NOT NULL,   -- public and published
	hidden      INTEGER NOT NULL,   -- public and hidden by the secretariat
	grouped     INTEGER NOT NULL,   -- of the published, those part of a mass campaign (core/campaign.h)
	PRIMARY KEY (call_id, category_id, country)
);
INSERT INTO contribution_tally (call_id, category_id, country, published, hidden, grouped)
	SELECT call_id, category_id, country, sum(CASE WHEN state = 'published' THEN 1 ELSE 0 END),
	       sum(CASE WHEN state = 'hidden' THEN 1 ELSE 0 END),
	       sum(CASE WHEN state = 'published' AND campaign_id IS NOT NULL THEN 1 ELSE 0 END)
	FROM contribution WHERE publication <> 'private' AND state IN ('published', 'hidden')
	GROUP BY call_id, category_id, country;
-- sqlite only (PostgreSQL's function and trigger are below)
CREATE TRIGGER contribution_tally_insert AFTER INSERT ON contribution
WHEN NEW.publication <> 'private' AND NEW.state IN ('published', 'hidden')
BEGIN
	INSERT INTO contribution_tally (call_id, category_id, country, published, hidden, grouped)
	VALUES (NEW.call_id, NEW.category_id, NEW.country, NEW.state = 'published', NEW.state = 'hidden',
		NEW.state = 'published' AND NEW.campaign_id IS NOT NULL)
	ON CONFLICT (call_id, category_id, country) DO UPDATE SET published = published + excluded.published,
		hidden = hidden + excluded.hidden, grouped = grouped + excluded.grouped;
END;
CREATE TRIGGER contribution_tally_delete AFTER DELETE ON contribution
WHEN OLD.publication <> 'private' AND OLD.state IN ('published', 'hidden')
BEGIN
	UPDATE contribution_tally SET published = published - (OLD.state = 'published'),
		hidden = hidden - (OLD.state = 'hidden'),
		grouped = grouped - (OLD.state = 'published' AND OLD.campaign_id IS NOT NULL)
	WHERE call_id = OLD.call_id AND category_id = OLD.category_id AND country = OLD.country;
END;
CREATE TRIGGER contribution_tally_update
AFTER UPDATE OF call_id, category_id, country, publication, state, campaign_id ON contribution
BEGIN
	UPDATE contribution_tally SET published = published - (OLD.state = 'published'),
		hidden = hidden - (OLD.state = 'hidden'),
		grouped = grouped - (OLD.state = 'published' AND OLD.campaign_id IS NOT NULL)
	WHERE call_id = OLD.call_id AND category_id = OLD.category_id AND country = OLD.country
		AND OLD.publication <> 'private' AND OLD.state IN ('published', 'hidden');
	INSERT INTO contribution_tally (call_id, category_id, country, published, hidden, grouped)
	SELECT NEW.call_id, NEW.category_id, NEW.country, NEW.state = 'published', NEW.state = 'hidden',
		NEW.state = 'published' AND NEW.campaign_id IS NOT NULL
	WHERE NEW.publication <> 'private' AND NEW.state IN ('published', 'hidden')
	ON CONFLICT (call_id, category_id, country) DO UPDATE SET published = published + excluded.published,
		hidden = hidden + excluded.hidden, grouped = grouped + excluded.grouped;
END;
-- end sqlite only
-- postgresql: CREATE FUNCTION contribution_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN IF TG_OP <> 'INSERT' AND OLD.publication <> 'private' AND OLD.state IN ('published', 'hidden') THEN UPDATE contribution_tally SET published = published - CASE WHEN OLD.state = 'published' THEN 1 ELSE 0 END, hidden = hidden - CASE WHEN OLD.state = 'hidden' THEN 1 ELSE 0 END, grouped = grouped - CASE WHEN OLD.state = 'published' AND OLD.campaign_id IS NOT NULL THEN 1 ELSE 0 END WHERE call_id = OLD.call_id AND category_id = OLD.category_id AND country = OLD.country; END IF; IF TG_OP <> 'DELETE' AND NEW.publication <> 'private' AND NEW.state IN ('published', 'hidden') THEN INSERT INTO contribution_tally AS t (call_id, category_id, country, published, hidden, grouped) VALUES (NEW.call_id, NEW.category_id, NEW.country, CASE WHEN NEW.state = 'published' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'hidden' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'published' AND NEW.campaign_id IS NOT NULL THEN 1 ELSE 0 END) ON CONFLICT (call_id, category_id, country) DO UPDATE SET published = t.published + excluded.published, hidden = t.hidden + excluded.hidden, grouped = t.grouped + excluded.grouped; END IF; RETURN NULL; END$$;
-- postgresql: CREATE TRIGGER contribution_tally AFTER INSERT OR DELETE OR UPDATE OF call_id, category_id, country, publication, state, campaign_id ON contribution FOR EACH ROW EXECUTE FUNCTION contribution_tally_change();
