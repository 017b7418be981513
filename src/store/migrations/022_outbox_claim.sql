-- 022: the outbox is claimed before its mail is sent, so that several
-- senders on one database (two nodes, or a node and `consulta send-mail`)
-- never send one mail twice (core/outbox.h, outbox_claim).
--
-- A sender marks the due rows it takes with a token of its own (claimed_by)
-- and a lease (claimed_until, machine time, as next_attempt_at): until the
-- lease ends nobody else takes them. A sender that dies holding a claim
-- leaves it to expire; then another takes the mail. Both columns are NULL
-- for a mail nobody holds.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
