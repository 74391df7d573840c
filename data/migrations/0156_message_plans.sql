-- An appointment's messages as one row: the message plan. A booking (or a
-- confirmed request, a move, a cancellation) queues its confirmation and
-- reminders on each channel the patient consented to as one row of
-- message_plans, in the same transaction, instead of one messages row per
-- message and channel: what each message says is decided here (the
-- recipients, the language and the placeholders' values, in plan), and
-- the desk that sends (the send-lease holder, or a desk that is not
-- enrolled) writes the messages rows from it before it sends, under ids
-- made of the plan's id, the item and the channel (PLAN.N.CHANNEL), so
-- two desks writing one plan's messages write the same rows. A plan is
-- written once and never changed, and syncs like messages.
CREATE TABLE message_plans (
    id             TEXT PRIMARY KEY CHECK (id <> '' AND instr(id, '.') = 0),
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    appt_start     TEXT NOT NULL,
    plan           TEXT NOT NULL CHECK (length(plan) <= 8000),
    origin         TEXT NOT NULL CHECK (origin <> ''),
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
) STRICT;

CREATE TRIGGER message_plans_no_delete BEFORE DELETE ON message_plans
BEGIN
    SELECT RAISE(ABORT, 'a message plan is never deleted: drop its messages');
END;
CREATE TRIGGER message_plans_no_update BEFORE UPDATE ON message_plans
BEGIN
    SELECT RAISE(ABORT, 'a message plan is never changed');
END;

CREATE TRIGGER message_plans_outbox_insert AFTER INSERT ON message_plans
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_plans', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'patient_id', new.patient_id,
        'appt_start', new.appt_start, 'plan', new.plan, 'origin', new.origin, 'created_by', new.created_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_message_plans_ins AFTER INSERT ON message_plans BEGIN SELECT hms_seal('message_plans', NEW.id); END;
CREATE TRIGGER seal_message_plans_upd AFTER UPDATE ON message_plans BEGIN SELECT hms_seal('message_plans', OLD.id), hms_seal('message_plans', NEW.id); END;
CREATE TRIGGER seal_message_plans_del AFTER DELETE ON message_plans BEGIN SELECT hms_seal('message_plans', OLD.id); END;

-- The plans whose messages no desk has written yet, on every desk (the
-- lease may move to any): derived bookkeeping, like message_due. A plan
-- leaves it when the first of its messages is written, here or pulled.
CREATE TABLE message_plan_due (
    plan_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TRIGGER message_plans_due_insert AFTER INSERT ON message_plans
WHEN new.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id > new.id || '.' AND m.id < new.id || '/')
BEGIN
    INSERT OR IGNORE INTO message_plan_due (plan_id) VALUES (new.id);
END;

CREATE TRIGGER messages_plan_written AFTER INSERT ON messages
WHEN instr(new.id, '.') > 0
BEGIN
    DELETE FROM message_plan_due WHERE plan_id = substr(new.id, 1, instr(new.id, '.') - 1);
END;

-- Unused since migration 0089 (the queue is message_due): one index less
-- to write for each message.
DROP INDEX messages_due;

-- A patient's consent on a channel as last recorded (ORDER BY created_at
-- DESC, id DESC LIMIT 1) read from the index alone, with no sort: the read
-- each booking with messages makes sorted each channel's consents in a
-- temporary b-tree before.
CREATE INDEX message_consents_latest ON message_consents (patient_id, channel, created_at, id);
DROP INDEX message_consents_patient;
