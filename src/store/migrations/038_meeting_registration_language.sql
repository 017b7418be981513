-- 038: the language a participant registered in (issue 14, item 4): the
-- meeting's mails to them (confirmation, changes, reminders, cancellation)
-- are composed in it (core/meeting.c). NULL for a registration made before:
-- its mails are in the process's first language.
ALTER TABLE meeting_registration ADD COLUMN language TEXT;
