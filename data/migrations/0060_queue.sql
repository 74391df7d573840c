-- The waiting-room queue. Checking a patient in gives them a token for the
-- day (queue_tokens: A-012, the desk's letter and its next number of the
-- day, so that desks give different tokens without asking the server), and
-- a doctor calls a token to a room (queue_calls). Both are written once.
CREATE TABLE queue_tokens (
    id             TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    day            TEXT NOT NULL,
    desk           TEXT NOT NULL,
    n              INTEGER NOT NULL CHECK (n > 0),
    token          TEXT NOT NULL CHECK (length(token) BETWEEN 3 AND 16),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
) STRICT;

-- Not unique: two desks may check the same appointment in while apart;
-- the first token given counts.
CREATE INDEX queue_tokens_appointment ON queue_tokens (appointment_id, created_at);
CREATE INDEX queue_tokens_desk_day ON queue_tokens (day, desk, n);

CREATE TABLE queue_calls (
    id             TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    token          TEXT NOT NULL,
    room           TEXT NOT NULL CHECK (length(room) BETWEEN 1 AND 50),
    doctor_id      TEXT NOT NULL REFERENCES users (id),
    doctor_name    TEXT NOT NULL,
    called_at      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
) STRICT;

CREATE INDEX queue_calls_called ON queue_calls (called_at);
CREATE INDEX queue_calls_appointment ON queue_calls (appointment_id);
CREATE INDEX queue_calls_doctor ON queue_calls (doctor_id, called_at);

CREATE TRIGGER queue_tokens_no_delete BEFORE DELETE ON queue_tokens
BEGIN
    SELECT RAISE(ABORT, 'a queue token is never deleted');
END;

CREATE TRIGGER queue_tokens_no_update BEFORE UPDATE ON queue_tokens
BEGIN
    SELECT RAISE(ABORT, 'a queue token is never changed');
END;

CREATE TRIGGER queue_calls_no_delete BEFORE DELETE ON queue_calls
BEGIN
    SELECT RAISE(ABORT, 'a call of the queue is never deleted');
END;

CREATE TRIGGER queue_calls_no_update BEFORE UPDATE ON queue_calls
BEGIN
    SELECT RAISE(ABORT, 'a call of the queue is never changed');
END;

CREATE TRIGGER queue_tokens_outbox_insert AFTER INSERT ON queue_tokens
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'queue_tokens', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'day', new.day, 'desk', new.desk, 'n', new.n,
        'token', new.token, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER queue_calls_outbox_insert AFTER INSERT ON queue_calls
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'queue_calls', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'token', new.token, 'room', new.room,
        'doctor_id', new.doctor_id, 'doctor_name', new.doctor_name, 'called_at', new.called_at,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_queue_tokens_ins AFTER INSERT ON queue_tokens BEGIN SELECT hms_seal('queue_tokens', NEW.id); END;
CREATE TRIGGER seal_queue_tokens_upd AFTER UPDATE ON queue_tokens BEGIN SELECT hms_seal('queue_tokens', OLD.id), hms_seal('queue_tokens', NEW.id); END;
CREATE TRIGGER seal_queue_tokens_del AFTER DELETE ON queue_tokens BEGIN SELECT hms_seal('queue_tokens', OLD.id); END;
CREATE TRIGGER seal_queue_calls_ins AFTER INSERT ON queue_calls BEGIN SELECT hms_seal('queue_calls', NEW.id); END;
CREATE TRIGGER seal_queue_calls_upd AFTER UPDATE ON queue_calls BEGIN SELECT hms_seal('queue_calls', OLD.id), hms_seal('queue_calls', NEW.id); END;
CREATE TRIGGER seal_queue_calls_del AFTER DELETE ON queue_calls BEGIN SELECT hms_seal('queue_calls', OLD.id); END;
