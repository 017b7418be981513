-- 025: files attached to a mail in the outbox (a circular letter's PDF, a
-- meeting's invitation). The bytes are a blob, stored once however many
-- recipients get them; the outbox row keeps the message up to its first
-- attachment, and the sender adds each file, in order, when it sends
-- (core/outbox.h, outbox_wire). `boundary` is the multipart boundary that the
-- stored part of the message opened; NULL for a mail without attachments.
ALTER TABLE outbox ADD COLUMN boundary TEXT;

CREATE TABLE outbox_attachment (
	outbox_id    INTEGER NOT NULL REFERENCES outbox(id),
	position     INTEGER NOT NULL,
	blob         TEXT NOT NULL REFERENCES blob(sha256),
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	PRIMARY KEY (outbox_id, position)
);
