-- 006: a call's deadline and its milestone on the schedule are one fact.
--
-- A call names the milestone that announces its deadline ("Deadline for
-- written inputs ..."). Changing the call's deadline moves that milestone in
-- the same transaction, and moving the milestone changes the call's deadline
-- (core/call.c, core/milestone.c); the call's change is the one history entry,
-- which the schedule shows as the milestone's move.

ALTER TABLE call ADD COLUMN milestone_id INTEGER REFERENCES milestone(id);
CREATE UNIQUE INDEX call_milestone ON call (milestone_id) WHERE milestone_id IS NOT NULL;

-- Calls made before: linked to the one deadline milestone of their process on
-- the announced date, where there is exactly one and no other call has that date.
UPDATE call SET milestone_id = (
	SELECT min(m.id) FROM milestone m
	WHERE m.process_id = call.process_id AND m.kind = 'deadline' AND m.date = call.closes_on)
WHERE closes_on IS NOT NULL
  AND (SELECT count(*) FROM milestone m
       WHERE m.process_id = call.process_id AND m.kind = 'deadline' AND m.date = call.closes_on) = 1
  AND (SELECT count(*) FROM call c2 WHERE c2.process_id = call.process_id AND c2.closes_on = call.closes_on) = 1;
