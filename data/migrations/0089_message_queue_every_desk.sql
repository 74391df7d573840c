-- Messages are sent once, by whichever desk holds the clinic's send lease
-- (server migration 0063), not by the desk that queued them. So every desk
-- keeps the whole clinic's queue: a message that reaches a desk by sync is
-- queued there too, a try recorded on any desk moves it (a retry) or takes
-- it off (sent, failed, dropped). The triggers do for pulled rows what the
-- desk's own writes did before; message_due stays derived bookkeeping.
CREATE TRIGGER messages_due_insert AFTER INSERT ON messages
WHEN NOT EXISTS (SELECT 1 FROM message_attempts x WHERE x.message_id = new.id AND x.outcome IN ('sent', 'failed', 'dropped'))
BEGIN
    INSERT OR IGNORE INTO message_due (message_id, due_at)
    SELECT new.id, coalesce((SELECT max(x.next_at) FROM message_attempts x WHERE x.message_id = new.id AND x.outcome = 'retry'), new.send_at);
END;

CREATE TRIGGER message_attempts_due_retry AFTER INSERT ON message_attempts
WHEN new.outcome = 'retry' AND new.next_at IS NOT NULL
BEGIN
    UPDATE message_due SET due_at = new.next_at WHERE message_id = new.message_id AND due_at < new.next_at;
END;

CREATE TRIGGER message_attempts_due_final AFTER INSERT ON message_attempts
WHEN new.outcome IN ('sent', 'failed', 'dropped')
BEGIN
    DELETE FROM message_due WHERE message_id = new.message_id;
END;

-- The other desks' messages that reached this desk before.
INSERT OR IGNORE INTO message_due (message_id, due_at)
SELECT m.id, coalesce((SELECT max(x.next_at) FROM message_attempts x WHERE x.message_id = m.id AND x.outcome = 'retry'), m.send_at)
FROM messages m
WHERE m.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM message_attempts x WHERE x.message_id = m.id AND x.outcome IN ('sent', 'failed', 'dropped'));
