-- 023: what the feeds and the calendar need to say when the schedule changed
-- (core/feed.c, web/page_feed.c).
--
-- A milestone's sequence is the SEQUENCE of its event in the iCalendar feed
-- (RFC 5545, 3.8.7.4): it grows by one each time the milestone moves or its
-- title, kind or status change, so that a calendar application that keeps
-- the event (same UID) takes the new dates. changed_at is the instant of the
-- last such change (LAST-MODIFIED, DTSTAMP), NULL while it has none.
ALTER TABLE milestone ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE milestone ADD COLUMN changed_at INTEGER;
-- The instant of a move (moved_on is only its date): the `updated` of its
-- entry in the Atom feed. NULL for moves recorded before, or loaded with only
-- a date: the feed then uses the start of moved_on in the process's zone.
ALTER TABLE milestone_move ADD COLUMN moved_at INTEGER;

-- Milestones moved before: as many as their moves, a call's deadline also
-- counting each change of the call's deadline.
UPDATE milestone SET sequence =
	(SELECT count(*) FROM milestone_move mm WHERE mm.milestone_id = milestone.id) +
	(SELECT count(*) FROM call c JOIN call_change cc ON cc.call_id = c.id
	 WHERE c.milestone_id = milestone.id AND cc.kind IN ('extend', 'shorten'));

-- A call's feed of contributions (core/feed.c) reads the newest published,
-- not private ones: by this index it reads just those, however many private,
-- pending or hidden ones came after them (100,000 private ones made it read
-- them all: 0.4 s a request).
CREATE INDEX contribution_feed ON contribution (call_id, id)
	WHERE state = 'published' AND publication <> 'private';
