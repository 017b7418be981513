-- 036: the language a subscriber asked in (issue 14, item 4): the
-- confirmation and every notice are composed in it (core/subscription.c).
-- NULL for a subscription made before: its notices are in the process's
-- first language.
ALTER TABLE subscription ADD COLUMN language TEXT;
