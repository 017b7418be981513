-- 016: a meeting's time, in its process's time zone ('HH:MM', NULL when not
-- set), and the link to join it (NULL: none yet). The link is shown to
-- registered participants (anyone logged in), never to the anonymous public.
ALTER TABLE meeting ADD COLUMN starts TEXT;
ALTER TABLE meeting ADD COLUMN ends TEXT;
ALTER TABLE meeting ADD COLUMN join_url TEXT;
