-- 046: an account's language (issue 14, left over): the one its pages were
-- in when it registered, changed on its own page (/account). Every mail to
-- the account is composed in it (a letter's text in it when the letter has
-- one, the note that someone tried its address, the reset link), and it is
-- the interface's language when the account is logged in and chose none by
-- the switcher (web/request.c). NULL for an account made before, or by the
-- command line: its mails are in the language of the request that causes
-- them (a letter's: the process's first), as before.
ALTER TABLE account ADD COLUMN language TEXT;
