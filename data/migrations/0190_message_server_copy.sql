-- Two desks may write one message plan out (migration 0156) before either
-- has the other's rows: the lease holder to send, another desk to drop its
-- messages (a cancel, a withdrawn consent), or two lease holders one after
-- the other. The ids are the same, but the subject and body are rendered
-- with each desk's templates, which may differ until the settings have
-- synced. The server keeps the first copy it is given (append), so:
--
-- * a desk that pulls a plan's message it holds with another subject or
--   body takes the server's (data/sync/pull.go), so every desk ends with
--   the server's copy: the one update a message allows, and only while
--   pulled changes are applied (sync_meta.applying);
-- * an enrolled desk does not send a plan's message it wrote out itself
--   until it knows its copy is the server's: its push was logged (the
--   server took this desk's copy), or it pulled the server's copy
--   (message_unconfirmed, cleared by data/sync). So a message is never
--   sent with a text other than the one every desk records.
DROP TRIGGER messages_no_update;
CREATE TRIGGER messages_no_update BEFORE UPDATE ON messages
WHEN (SELECT applying FROM sync_meta) = 0 OR instr(old.id, '.') = 0
    OR new.id IS NOT old.id OR new.appointment_id IS NOT old.appointment_id OR new.patient_id IS NOT old.patient_id
    OR new.kind IS NOT old.kind OR new.channel IS NOT old.channel OR new.to_address IS NOT old.to_address
    OR new.send_at IS NOT old.send_at OR new.appt_start IS NOT old.appt_start OR new.origin IS NOT old.origin
    OR new.resend_of IS NOT old.resend_of OR new.created_by IS NOT old.created_by
    OR new.created_at IS NOT old.created_at OR new.updated_at IS NOT old.updated_at
    OR new.deleted_at IS NOT old.deleted_at
BEGIN
    SELECT RAISE(ABORT, 'a queued message is never changed: drop it and queue another');
END;

-- The plan's messages this enrolled desk wrote out whose copy the server
-- has not confirmed yet: not sent until then. Local bookkeeping.
CREATE TABLE message_unconfirmed (
    message_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TRIGGER messages_unconfirmed AFTER INSERT ON messages
WHEN instr(new.id, '.') > 0 AND (SELECT applying FROM sync_meta) = 0
    AND (SELECT server_epoch FROM sync_meta) IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO message_unconfirmed (message_id) VALUES (new.id);
END;
