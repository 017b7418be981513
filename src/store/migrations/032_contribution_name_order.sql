-- 032: the public list of a call's contributions by name (core/contribution.c:
-- contribution_list_public(), ?sort=name): the names the public sees (named
-- and published) A to Z, then the rest in their order of arrival. Its two sort
-- keys are this index's expressions, written as the list's statements write
-- them, so that a page is read from the index in order, from a cursor's row
-- onwards (keyset paging), instead of sorting every contribution of the call
-- (13.9 s at 1,000,000). Portable: SQLite and PostgreSQL both index
-- expressions, and lower() is deterministic on both.
CREATE INDEX contribution_call_name ON contribution (call_id,
	(CASE WHEN publication = 'named' AND state = 'published' THEN 0 ELSE 1 END),
	(CASE WHEN publication = 'named' AND state = 'published' THEN lower(name) ELSE '' END), id);
