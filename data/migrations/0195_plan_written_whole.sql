-- A message plan leaves the plans to write out (message_plan_due) only
-- when every one of its messages is here (PLAN.ITEM.CHANNEL for each item
-- and each channel of its plan), no longer at the first row whose id
-- begins with the plan's. Messages are rows any desk's login can push:
-- one row under a plan's id (a made-up item, or one of its messages
-- addressed elsewhere) stopped every other message of the plan from
-- being written out and sent, on every desk, and the log stopped listing
-- them. The desk that writes a plan out now skips the messages already
-- here (data/messages.go, expandPlans), and the sending desk drops a
-- message not addressed to the appointment's patient on record.
--
-- A plan that is not JSON (another desk's login can push one) is never
-- due: it made every desk's Messages log and every send round fail for
-- good; one that is JSON but not a plan is skipped by the desk that
-- writes plans out (pendingPlans) and stays here, harmless.

DROP TRIGGER message_plans_due_insert;
CREATE TRIGGER message_plans_due_insert AFTER INSERT ON message_plans
WHEN new.deleted_at IS NULL AND CASE WHEN json_valid(new.plan) THEN
    (SELECT count(*) FROM json_each(new.plan, '$.items') i, json_each(new.plan, '$.to') t
     WHERE EXISTS (SELECT 1 FROM messages m
                   WHERE m.id = new.id || '.' || i.key || '.' || json_extract(t.value, '$.channel')))
    < json_array_length(new.plan, '$.items') * json_array_length(new.plan, '$.to') ELSE 0 END
BEGIN
    INSERT OR IGNORE INTO message_plan_due (plan_id) VALUES (new.id);
END;

DROP TRIGGER messages_plan_written;
CREATE TRIGGER messages_plan_written AFTER INSERT ON messages
WHEN instr(new.id, '.') > 0
BEGIN
    DELETE FROM message_plan_due WHERE plan_id = substr(new.id, 1, instr(new.id, '.') - 1)
        AND (SELECT count(*) FROM message_plans p, json_each(p.plan, '$.items') i, json_each(p.plan, '$.to') t
             WHERE p.id = message_plan_due.plan_id AND EXISTS (SELECT 1 FROM messages m
                   WHERE m.id = p.id || '.' || i.key || '.' || json_extract(t.value, '$.channel')))
            >= (SELECT json_array_length(p.plan, '$.items') * json_array_length(p.plan, '$.to')
                FROM message_plans p WHERE p.id = message_plan_due.plan_id);
END;
