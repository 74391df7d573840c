-- Messages to patients about their appointments (confirmations, reminders,
-- cancellations, reschedules), by e-mail and SMS. Every table here is
-- written once per row and never changed: a consent is the newest row of
-- a patient's channel; a message is queued once; each try of it, and its
-- dropping, is a row of message_attempts, so the log is whole on every
-- desk. The desk that queued a message (origin) sends it.

CREATE TABLE message_consents (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    given            INTEGER NOT NULL CHECK (given IN (0, 1)),
    recorded_by      TEXT NOT NULL DEFAULT '',
    recorded_by_name TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
) STRICT;

CREATE INDEX message_consents_patient ON message_consents (patient_id, channel, created_at);

CREATE TABLE messages (
    id             TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    kind           TEXT NOT NULL CHECK (kind IN ('confirmation', 'reminder', 'cancellation', 'reschedule')),
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    to_address     TEXT NOT NULL CHECK (to_address <> '' AND length(to_address) <= 320),
    subject        TEXT NOT NULL DEFAULT '' CHECK (length(subject) <= 1000),
    body           TEXT NOT NULL CHECK (body <> '' AND length(body) <= 2000),
    send_at        TEXT NOT NULL,
    appt_start     TEXT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin <> ''),
    resend_of      TEXT REFERENCES messages (id),
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
) STRICT;

CREATE INDEX messages_due ON messages (origin, send_at);
CREATE INDEX messages_patient ON messages (patient_id, created_at);
CREATE INDEX messages_appointment ON messages (appointment_id);
CREATE INDEX messages_created ON messages (created_at);

CREATE TABLE message_attempts (
    id         TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES messages (id),
    at         TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'dropped')),
    detail     TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 600),
    reference  TEXT NOT NULL DEFAULT '',
    next_at    TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;

CREATE INDEX message_attempts_message ON message_attempts (message_id, at);

CREATE TRIGGER message_consents_no_delete BEFORE DELETE ON message_consents
BEGIN
    SELECT RAISE(ABORT, 'a consent is never deleted: record the new one');
END;
CREATE TRIGGER message_consents_no_update BEFORE UPDATE ON message_consents
BEGIN
    SELECT RAISE(ABORT, 'a consent is never changed: record the new one');
END;
CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN
    SELECT RAISE(ABORT, 'a message is never deleted: drop it');
END;
CREATE TRIGGER messages_no_update BEFORE UPDATE ON messages
BEGIN
    SELECT RAISE(ABORT, 'a queued message is never changed: drop it and queue another');
END;
CREATE TRIGGER message_attempts_no_delete BEFORE DELETE ON message_attempts
BEGIN
    SELECT RAISE(ABORT, 'a try of a message is never deleted');
END;
CREATE TRIGGER message_attempts_no_update BEFORE UPDATE ON message_attempts
BEGIN
    SELECT RAISE(ABORT, 'a try of a message is never changed');
END;

CREATE TRIGGER message_consents_outbox_insert AFTER INSERT ON message_consents
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_consents', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'channel', new.channel, 'given', new.given,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER messages_outbox_insert AFTER INSERT ON messages
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'messages', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'patient_id', new.patient_id, 'kind', new.kind,
        'channel', new.channel, 'to_address', new.to_address, 'subject', new.subject, 'body', new.body,
        'send_at', new.send_at, 'appt_start', new.appt_start, 'origin', new.origin, 'resend_of', new.resend_of,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER message_attempts_outbox_insert AFTER INSERT ON message_attempts
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_attempts', new.id, 'insert', json_object(
        'id', new.id, 'message_id', new.message_id, 'at', new.at, 'outcome', new.outcome, 'detail', new.detail,
        'reference', new.reference, 'next_at', new.next_at,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_message_consents_ins AFTER INSERT ON message_consents BEGIN SELECT hms_seal('message_consents', NEW.id); END;
CREATE TRIGGER seal_message_consents_upd AFTER UPDATE ON message_consents BEGIN SELECT hms_seal('message_consents', OLD.id), hms_seal('message_consents', NEW.id); END;
CREATE TRIGGER seal_message_consents_del AFTER DELETE ON message_consents BEGIN SELECT hms_seal('message_consents', OLD.id); END;
CREATE TRIGGER seal_messages_ins AFTER INSERT ON messages BEGIN SELECT hms_seal('messages', NEW.id); END;
CREATE TRIGGER seal_messages_upd AFTER UPDATE ON messages BEGIN SELECT hms_seal('messages', OLD.id), hms_seal('messages', NEW.id); END;
CREATE TRIGGER seal_messages_del AFTER DELETE ON messages BEGIN SELECT hms_seal('messages', OLD.id); END;
CREATE TRIGGER seal_message_attempts_ins AFTER INSERT ON message_attempts BEGIN SELECT hms_seal('message_attempts', NEW.id); END;
CREATE TRIGGER seal_message_attempts_upd AFTER UPDATE ON message_attempts BEGIN SELECT hms_seal('message_attempts', OLD.id), hms_seal('message_attempts', NEW.id); END;
CREATE TRIGGER seal_message_attempts_del AFTER DELETE ON message_attempts BEGIN SELECT hms_seal('message_attempts', OLD.id); END;

-- This desk's message settings: the mail server and SMS gateway it sends
-- through, the templates and when to remind. The desk that queues a
-- message sends it, so each sending desk keeps its own; the SMTP password
-- is stored sealed with a key derived from the desk's audit key.
CREATE TABLE message_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   TEXT NOT NULL CHECK (json_valid(settings)),
    secret     BLOB,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
) STRICT;

-- This desk's queue: the messages it queued and has still to send, with
-- when each is next due. Derived bookkeeping of this desk alone.
CREATE TABLE message_due (
    message_id TEXT PRIMARY KEY REFERENCES messages (id),
    due_at     TEXT NOT NULL
) STRICT;

CREATE INDEX message_due_at ON message_due (due_at);
