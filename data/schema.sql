-- The desk's database (SQLite) as migrations 0001 to 0248 leave it:
-- generated from a freshly migrated database by TestSchema. Do not edit;
-- the migrations (data/migrations) are the source. Refresh it with
--   go test -tags sqlite_fts5 -run TestSchema ./data/ -update
-- Each table follows with its indexes and triggers; which tables sync,
-- and why the others do not, is data/synctables.go.

-- allergies

CREATE TABLE allergies (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    substance        TEXT NOT NULL CHECK (length(trim(substance)) BETWEEN 1 AND 200),
    reaction         TEXT NOT NULL DEFAULT '' CHECK (length(reaction) <= 500),
    severity         TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'unknown')),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    removed_by       TEXT REFERENCES users (id),
    removed_reason   TEXT NOT NULL DEFAULT '' CHECK (length(removed_reason) <= 500),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT, certainty TEXT NOT NULL DEFAULT 'unknown'
    CHECK (certainty IN ('confirmed', 'suspected', 'unknown')),
    CHECK ((deleted_at IS NULL) = (removed_reason = ''))
) STRICT;

CREATE INDEX allergies_patient ON allergies (patient_id, created_at, id);

CREATE TRIGGER allergies_key_fixed BEFORE UPDATE OF id ON allergies WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER allergies_outbox_delete AFTER DELETE ON allergies
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER allergies_outbox_insert AFTER INSERT ON allergies
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'substance', new.substance,
        'reaction', new.reaction, 'severity', new.severity, 'recorded_by', new.recorded_by,
        'recorded_by_name', new.recorded_by_name, 'removed_by', new.removed_by,
        'removed_reason', new.removed_reason, 'certainty', new.certainty, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER allergies_outbox_update AFTER UPDATE OF
    patient_id, substance, reaction, severity, recorded_by, recorded_by_name, removed_by,
    removed_reason, created_at, updated_at, deleted_at, certainty
ON allergies
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.substance IS NOT new.substance OR
        old.reaction IS NOT new.reaction OR old.severity IS NOT new.severity OR
        old.recorded_by IS NOT new.recorded_by OR old.recorded_by_name IS NOT new.recorded_by_name OR
        old.removed_by IS NOT new.removed_by OR old.removed_reason IS NOT new.removed_reason OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.certainty IS NOT new.certainty)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'substance', new.substance WHERE old.substance IS NOT new.substance
        UNION ALL SELECT 'reaction', new.reaction WHERE old.reaction IS NOT new.reaction
        UNION ALL SELECT 'severity', new.severity WHERE old.severity IS NOT new.severity
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'removed_by', new.removed_by WHERE old.removed_by IS NOT new.removed_by
        UNION ALL SELECT 'removed_reason', new.removed_reason WHERE old.removed_reason IS NOT new.removed_reason
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'certainty', new.certainty WHERE old.certainty IS NOT new.certainty);
END;

CREATE TRIGGER seal_allergies_del AFTER DELETE ON allergies BEGIN SELECT hms_seal('allergies', OLD.id); END;

CREATE TRIGGER seal_allergies_ins AFTER INSERT ON allergies BEGIN SELECT hms_seal('allergies', NEW.id); END;

CREATE TRIGGER seal_allergies_upd AFTER UPDATE ON allergies BEGIN SELECT hms_seal('allergies', OLD.id), hms_seal('allergies', NEW.id); END;

-- allergy_statements

CREATE TABLE allergy_statements (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    statement        TEXT NOT NULL CHECK (statement IN ('nkda')),
    recorded_by      TEXT NOT NULL DEFAULT '',
    recorded_by_name TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
) STRICT;

CREATE INDEX allergy_statements_patient ON allergy_statements (patient_id, created_at);

CREATE TRIGGER allergy_statements_no_delete BEFORE DELETE ON allergy_statements
BEGIN
    SELECT RAISE(ABORT, 'an allergy statement is never deleted');
END;

CREATE TRIGGER allergy_statements_no_update BEFORE UPDATE ON allergy_statements
BEGIN
    SELECT RAISE(ABORT, 'an allergy statement is never changed');
END;

CREATE TRIGGER allergy_statements_outbox_insert AFTER INSERT ON allergy_statements
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergy_statements', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'statement', new.statement,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_allergy_statements_del AFTER DELETE ON allergy_statements BEGIN SELECT hms_seal('allergy_statements', OLD.id); END;

CREATE TRIGGER seal_allergy_statements_ins AFTER INSERT ON allergy_statements BEGIN SELECT hms_seal('allergy_statements', NEW.id); END;

CREATE TRIGGER seal_allergy_statements_upd AFTER UPDATE ON allergy_statements BEGIN SELECT hms_seal('allergy_statements', OLD.id), hms_seal('allergy_statements', NEW.id); END;

-- appointment_events

CREATE TABLE appointment_events (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    at             TEXT NOT NULL,
    from_status    TEXT NOT NULL DEFAULT '' CHECK (from_status IN ('', 'pending', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show', 'conflict')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('pending', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show', 'conflict')),
    note           TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 600),
    by_user        TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX appointment_events_appointment ON appointment_events (appointment_id, seq);

CREATE TRIGGER appointment_events_no_delete BEFORE DELETE ON appointment_events
BEGIN
    SELECT RAISE(ABORT, 'the appointment history is append-only');
END;

CREATE TRIGGER appointment_events_no_update BEFORE UPDATE ON appointment_events
BEGIN
    SELECT RAISE(ABORT, 'the appointment history is append-only');
END;

CREATE TRIGGER appointment_events_outbox_insert AFTER INSERT ON appointment_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointment_events', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'at', new.at,
        'from_status', new.from_status, 'to_status', new.to_status, 'note', new.note,
        'by_user', new.by_user), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_appointment_events_del AFTER DELETE ON appointment_events BEGIN SELECT hms_seal('appointment_events', OLD.id); END;

CREATE TRIGGER seal_appointment_events_ins AFTER INSERT ON appointment_events BEGIN SELECT hms_seal('appointment_events', NEW.id); END;

CREATE TRIGGER seal_appointment_events_upd AFTER UPDATE ON appointment_events BEGIN SELECT hms_seal('appointment_events', OLD.id), hms_seal('appointment_events', NEW.id); END;

-- appointments

CREATE TABLE appointments (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    -- The patient's name and record number, copied here and kept current
    -- by the trigger below, so that a calendar does not look each line up
    -- in a table of a million patients.
    patient_name     TEXT NOT NULL,
    patient_mrn      TEXT NOT NULL,
    doctor_id        TEXT NOT NULL REFERENCES users (id),
    start_at         TEXT NOT NULL CHECK (start_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:00.000Z'),
    end_at           TEXT NOT NULL CHECK (end_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:00.000Z'),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show', 'conflict')),
    reason           TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    override_reason  TEXT NOT NULL DEFAULT '' CHECK (length(override_reason) <= 500),
    cancel_reason    TEXT NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 500),
    checked_in_at    TEXT,
    rescheduled_from TEXT REFERENCES appointments (id),
    rescheduled_to   TEXT REFERENCES appointments (id),
    created_by       TEXT NOT NULL DEFAULT '', -- username of whoever booked it
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    server_seq       INTEGER,
    -- app.MaxVisitMinutes: the conflict checks look back this far, no further.
    CHECK (end_at > start_at AND unixepoch(end_at) - unixepoch(start_at) <= 8 * 3600),
    CHECK (status <> 'cancelled' OR cancel_reason <> ''),
    CHECK (status <> 'checked_in' OR checked_in_at IS NOT NULL)
) STRICT;

CREATE INDEX appointments_conflicts ON appointments (start_at, id) WHERE status = 'conflict';

CREATE INDEX appointments_doctor ON appointments (doctor_id, start_at, id);

CREATE INDEX appointments_patient ON appointments (patient_id, start_at, id);

CREATE INDEX appointments_start ON appointments (start_at, id);

CREATE TRIGGER appointments_booking_fixed BEFORE UPDATE ON appointments
WHEN (new.id IS NOT old.id OR new.patient_id IS NOT old.patient_id OR new.doctor_id IS NOT old.doctor_id
    OR new.start_at IS NOT old.start_at OR new.end_at IS NOT old.end_at OR new.created_by IS NOT old.created_by
    OR new.created_at IS NOT old.created_at OR new.rescheduled_from IS NOT old.rescheduled_from
    OR new.override_reason IS NOT old.override_reason OR new.reason IS NOT old.reason
    OR (old.rescheduled_to IS NOT NULL AND new.rescheduled_to IS NOT old.rescheduled_to)
    OR (old.checked_in_at IS NOT NULL AND new.checked_in_at IS NOT old.checked_in_at))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an appointment''s patient, doctor and time never change: reschedule it instead');
END;

CREATE TRIGGER appointments_no_delete BEFORE DELETE ON appointments
BEGIN
    SELECT RAISE(ABORT, 'appointments are never deleted: cancel them');
END;

CREATE TRIGGER appointments_outbox_insert AFTER INSERT ON appointments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointments', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'patient_name', new.patient_name,
        'patient_mrn', new.patient_mrn, 'doctor_id', new.doctor_id, 'start_at', new.start_at,
        'end_at', new.end_at, 'status', new.status, 'reason', new.reason,
        'override_reason', new.override_reason, 'cancel_reason', new.cancel_reason,
        'checked_in_at', new.checked_in_at, 'rescheduled_from', new.rescheduled_from,
        'rescheduled_to', new.rescheduled_to, 'created_by', new.created_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER appointments_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, start_at, end_at, status, reason, override_reason, cancel_reason,
    checked_in_at, rescheduled_from, rescheduled_to, created_by, created_at, updated_at, deleted_at
ON appointments
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR
        old.start_at IS NOT new.start_at OR old.end_at IS NOT new.end_at OR old.status IS NOT new.status OR
        old.reason IS NOT new.reason OR old.override_reason IS NOT new.override_reason OR
        old.cancel_reason IS NOT new.cancel_reason OR old.checked_in_at IS NOT new.checked_in_at OR
        old.rescheduled_from IS NOT new.rescheduled_from OR old.rescheduled_to IS NOT new.rescheduled_to OR
        old.created_by IS NOT new.created_by OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointments', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'doctor_id', new.doctor_id WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'start_at', new.start_at WHERE old.start_at IS NOT new.start_at
        UNION ALL SELECT 'end_at', new.end_at WHERE old.end_at IS NOT new.end_at
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'override_reason', new.override_reason WHERE old.override_reason IS NOT new.override_reason
        UNION ALL SELECT 'cancel_reason', new.cancel_reason WHERE old.cancel_reason IS NOT new.cancel_reason
        UNION ALL SELECT 'checked_in_at', new.checked_in_at WHERE old.checked_in_at IS NOT new.checked_in_at
        UNION ALL SELECT 'rescheduled_from', new.rescheduled_from WHERE old.rescheduled_from IS NOT new.rescheduled_from
        UNION ALL SELECT 'rescheduled_to', new.rescheduled_to WHERE old.rescheduled_to IS NOT new.rescheduled_to
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER appointments_status_forward BEFORE UPDATE OF status ON appointments
WHEN new.status IS NOT old.status AND NOT (
       (old.status = 'pending' AND new.status IN ('confirmed', 'cancelled', 'conflict'))
    OR (old.status = 'confirmed' AND new.status IN ('checked_in', 'cancelled', 'no_show', 'conflict'))
    OR (old.status = 'checked_in' AND new.status IN ('completed', 'cancelled', 'conflict'))
    OR (old.status = 'conflict' AND new.status = 'cancelled'))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an appointment''s status only moves forward');
END;

CREATE TRIGGER dash_appointments_insert AFTER INSERT ON appointments WHEN new.deleted_at IS NULL
BEGIN
    INSERT INTO dash_appointments (day, doctor_id, status, n, minutes)
    VALUES (date(new.start_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.start_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        new.doctor_id, new.status, 1, (unixepoch(new.end_at) - unixepoch(new.start_at)) / 60)
    ON CONFLICT (day, doctor_id, status) DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER dash_appointments_update AFTER UPDATE OF status, deleted_at ON appointments
WHEN new.status IS NOT old.status OR (new.deleted_at IS NULL) IS NOT (old.deleted_at IS NULL)
BEGIN
    UPDATE dash_appointments SET n = n - 1, minutes = minutes - (unixepoch(old.end_at) - unixepoch(old.start_at)) / 60
    WHERE old.deleted_at IS NULL AND doctor_id = old.doctor_id AND status = old.status
        AND day = date(old.start_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= old.start_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'));
    INSERT INTO dash_appointments (day, doctor_id, status, n, minutes)
    SELECT date(new.start_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.start_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        new.doctor_id, new.status, 1, (unixepoch(new.end_at) - unixepoch(new.start_at)) / 60
    WHERE new.deleted_at IS NULL
    ON CONFLICT (day, doctor_id, status) DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER seal_appointments_del AFTER DELETE ON appointments BEGIN SELECT hms_seal('appointments', OLD.id); END;

CREATE TRIGGER seal_appointments_ins AFTER INSERT ON appointments BEGIN SELECT hms_seal('appointments', NEW.id); END;

CREATE TRIGGER seal_appointments_upd AFTER UPDATE ON appointments BEGIN SELECT hms_seal('appointments', OLD.id), hms_seal('appointments', NEW.id); END;

-- assignments

CREATE TABLE assignments (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    doctor_id       TEXT NOT NULL REFERENCES users (id),
    doctor_name     TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    start_date      TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    end_date        TEXT NOT NULL DEFAULT '' CHECK (end_date = ''
                        OR (end_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND end_date >= start_date)),
    status          TEXT NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
    created_by      TEXT NOT NULL, -- the account's id; '' for the command line
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
) STRICT;

CREATE INDEX assignments_doctor ON assignments (doctor_id, status);

CREATE UNIQUE INDEX assignments_one_active ON assignments (patient_id, doctor_id) WHERE status = 'active';

CREATE INDEX assignments_patient ON assignments (patient_id, start_date, created_at);

CREATE TRIGGER assignments_key_fixed BEFORE UPDATE OF id ON assignments WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER assignments_outbox_delete AFTER DELETE ON assignments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER assignments_outbox_insert AFTER INSERT ON assignments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id,
        'doctor_name', new.doctor_name, 'reason', new.reason, 'start_date', new.start_date,
        'end_date', new.end_date, 'status', new.status, 'created_by', new.created_by,
        'created_by_name', new.created_by_name, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER assignments_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, doctor_name, reason, start_date, end_date, status, created_by,
    created_by_name, created_at, updated_at, deleted_at
ON assignments
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR
        old.doctor_name IS NOT new.doctor_name OR old.reason IS NOT new.reason OR
        old.start_date IS NOT new.start_date OR old.end_date IS NOT new.end_date OR
        old.status IS NOT new.status OR old.created_by IS NOT new.created_by OR
        old.created_by_name IS NOT new.created_by_name OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'doctor_id', new.doctor_id WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'doctor_name', new.doctor_name WHERE old.doctor_name IS NOT new.doctor_name
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'start_date', new.start_date WHERE old.start_date IS NOT new.start_date
        UNION ALL SELECT 'end_date', new.end_date WHERE old.end_date IS NOT new.end_date
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_by_name', new.created_by_name WHERE old.created_by_name IS NOT new.created_by_name
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER seal_assignments_del AFTER DELETE ON assignments BEGIN SELECT hms_seal('assignments', OLD.id); END;

CREATE TRIGGER seal_assignments_ins AFTER INSERT ON assignments BEGIN SELECT hms_seal('assignments', NEW.id); END;

CREATE TRIGGER seal_assignments_upd AFTER UPDATE ON assignments BEGIN SELECT hms_seal('assignments', OLD.id), hms_seal('assignments', NEW.id); END;

-- audit_head

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
, mac TEXT NOT NULL DEFAULT '') STRICT;

-- audit_log

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL,
    site_id    TEXT NOT NULL,
    at         TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    username   TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL DEFAULT '',
    entity_id  TEXT NOT NULL DEFAULT '',
    patient_id TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    seal       TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at);

CREATE INDEX audit_log_patient ON audit_log (patient_id, seq) WHERE patient_id <> '';

CREATE INDEX audit_log_rare_action ON audit_log (action, seq)
    WHERE action = 'audit.baseline' OR action = 'report.attach' OR action = 'sync.received';

CREATE INDEX audit_log_username ON audit_log (username, seq);

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- audit_seal

CREATE TABLE audit_seal (
    seq    INTEGER NOT NULL,
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    hash   TEXT NOT NULL
) STRICT;

CREATE INDEX audit_seal_row ON audit_seal (row_id, entity, seq, hash);

CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
BEGIN
    SELECT RAISE(ABORT, 'the audit seals are append-only');
END;

CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal
BEGIN
    SELECT RAISE(ABORT, 'the audit seals are append-only');
END;

-- availability

CREATE TABLE availability (
    id           TEXT PRIMARY KEY,
    doctor_id    TEXT NOT NULL REFERENCES users (id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time   TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    end_time     TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]' AND end_time <= '24:00'),
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT,
    server_seq   INTEGER,
    CHECK (start_time < end_time)
) STRICT;

CREATE INDEX availability_doctor ON availability (doctor_id, weekday, start_time) WHERE deleted_at IS NULL;

CREATE INDEX availability_history ON availability (doctor_id, created_at);

CREATE TRIGGER availability_key_fixed BEFORE UPDATE OF id ON availability WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER availability_outbox_delete AFTER DELETE ON availability
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER availability_outbox_insert AFTER INSERT ON availability
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', new.id, 'insert', json_object(
        'id', new.id, 'doctor_id', new.doctor_id, 'weekday', new.weekday,
        'start_time', new.start_time, 'end_time', new.end_time, 'slot_minutes', new.slot_minutes,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER availability_outbox_update AFTER UPDATE OF
    doctor_id, weekday, start_time, end_time, slot_minutes, created_at, updated_at, deleted_at
ON availability
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.doctor_id IS NOT new.doctor_id OR old.weekday IS NOT new.weekday OR
        old.start_time IS NOT new.start_time OR old.end_time IS NOT new.end_time OR
        old.slot_minutes IS NOT new.slot_minutes OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'doctor_id' AS field, new.doctor_id AS value WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'weekday', new.weekday WHERE old.weekday IS NOT new.weekday
        UNION ALL SELECT 'start_time', new.start_time WHERE old.start_time IS NOT new.start_time
        UNION ALL SELECT 'end_time', new.end_time WHERE old.end_time IS NOT new.end_time
        UNION ALL SELECT 'slot_minutes', new.slot_minutes WHERE old.slot_minutes IS NOT new.slot_minutes
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER seal_availability_del AFTER DELETE ON availability BEGIN SELECT hms_seal('availability', OLD.id); END;

CREATE TRIGGER seal_availability_ins AFTER INSERT ON availability BEGIN SELECT hms_seal('availability', NEW.id); END;

CREATE TRIGGER seal_availability_upd AFTER UPDATE ON availability BEGIN SELECT hms_seal('availability', OLD.id), hms_seal('availability', NEW.id); END;

-- availability_exceptions

CREATE TABLE availability_exceptions (
    id           TEXT PRIMARY KEY,
    doctor_id    TEXT NOT NULL REFERENCES users (id),
    date         TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    kind         TEXT NOT NULL CHECK (kind IN ('leave', 'extra')),
    start_time   TEXT NOT NULL DEFAULT '' CHECK (start_time = '' OR start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    end_time     TEXT NOT NULL DEFAULT '' CHECK (end_time = '' OR (end_time GLOB '[0-2][0-9]:[0-5][0-9]' AND end_time <= '24:00')),
    slot_minutes INTEGER NOT NULL DEFAULT 0 CHECK (slot_minutes = 0 OR slot_minutes BETWEEN 5 AND 480),
    reason       TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT,
    server_seq   INTEGER,
    CHECK ((start_time = '') = (end_time = '')),
    CHECK (start_time = '' OR start_time < end_time),
    CHECK (kind = 'leave' OR (start_time <> '' AND slot_minutes > 0))
) STRICT;

CREATE INDEX availability_exceptions_doctor ON availability_exceptions (doctor_id, date) WHERE deleted_at IS NULL;

CREATE TRIGGER availability_exceptions_key_fixed BEFORE UPDATE OF id ON availability_exceptions WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER availability_exceptions_outbox_delete AFTER DELETE ON availability_exceptions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER availability_exceptions_outbox_insert AFTER INSERT ON availability_exceptions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', new.id, 'insert', json_object(
        'id', new.id, 'doctor_id', new.doctor_id, 'date', new.date, 'kind', new.kind,
        'start_time', new.start_time, 'end_time', new.end_time, 'slot_minutes', new.slot_minutes,
        'reason', new.reason, 'created_by', new.created_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER availability_exceptions_outbox_update AFTER UPDATE OF
    doctor_id, date, kind, start_time, end_time, slot_minutes, reason, created_by, created_at,
    updated_at, deleted_at
ON availability_exceptions
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.doctor_id IS NOT new.doctor_id OR old.date IS NOT new.date OR old.kind IS NOT new.kind OR
        old.start_time IS NOT new.start_time OR old.end_time IS NOT new.end_time OR
        old.slot_minutes IS NOT new.slot_minutes OR old.reason IS NOT new.reason OR
        old.created_by IS NOT new.created_by OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'doctor_id' AS field, new.doctor_id AS value WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'date', new.date WHERE old.date IS NOT new.date
        UNION ALL SELECT 'kind', new.kind WHERE old.kind IS NOT new.kind
        UNION ALL SELECT 'start_time', new.start_time WHERE old.start_time IS NOT new.start_time
        UNION ALL SELECT 'end_time', new.end_time WHERE old.end_time IS NOT new.end_time
        UNION ALL SELECT 'slot_minutes', new.slot_minutes WHERE old.slot_minutes IS NOT new.slot_minutes
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER seal_availability_exceptions_del AFTER DELETE ON availability_exceptions BEGIN SELECT hms_seal('availability_exceptions', OLD.id); END;

CREATE TRIGGER seal_availability_exceptions_ins AFTER INSERT ON availability_exceptions BEGIN SELECT hms_seal('availability_exceptions', NEW.id); END;

CREATE TRIGGER seal_availability_exceptions_upd AFTER UPDATE ON availability_exceptions BEGIN SELECT hms_seal('availability_exceptions', OLD.id), hms_seal('availability_exceptions', NEW.id); END;

-- billing_conflicts

CREATE TABLE billing_conflicts (
    id          TEXT PRIMARY KEY,     -- invoice id '/' the id of the payment that overpaid it
    invoice_id  TEXT NOT NULL REFERENCES invoices (id),
    payment_id  TEXT NOT NULL REFERENCES payments (id),
    total       INTEGER NOT NULL,
    paid        INTEGER NOT NULL CHECK (paid > total),
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    -- '' while open; refunded or allocated here, or settled elsewhere.
    resolution  TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'refunded', 'allocated', 'settled')),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000), claim TEXT NOT NULL DEFAULT ''
    CHECK (claim IN ('', 'held', 'release')),
    CHECK ((resolved_at IS NULL) = (resolution = ''))
) STRICT;

CREATE UNIQUE INDEX billing_conflicts_open ON billing_conflicts (invoice_id) WHERE resolved_at IS NULL;

CREATE TRIGGER seal_billing_conflicts_del AFTER DELETE ON billing_conflicts BEGIN SELECT hms_seal('billing_conflicts', OLD.id); END;

CREATE TRIGGER seal_billing_conflicts_ins AFTER INSERT ON billing_conflicts BEGIN SELECT hms_seal('billing_conflicts', NEW.id); END;

CREATE TRIGGER seal_billing_conflicts_upd AFTER UPDATE ON billing_conflicts BEGIN SELECT hms_seal('billing_conflicts', OLD.id), hms_seal('billing_conflicts', NEW.id); END;

-- cashup_counted

CREATE TABLE cashup_counted (
    payment_id TEXT NOT NULL,
    cashup_id  TEXT NOT NULL,
    PRIMARY KEY (payment_id, cashup_id)
) STRICT, WITHOUT ROWID;

-- cashups

CREATE TABLE cashups (
    id               TEXT PRIMARY KEY,
    desk             TEXT NOT NULL CHECK (length(desk) BETWEEN 1 AND 16),
    day              TEXT NOT NULL CHECK (length(day) = 10),
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    number           TEXT UNIQUE,
    opening_float    INTEGER NOT NULL DEFAULT 0 CHECK (opening_float >= 0),
    counts           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(counts)),
    counted          INTEGER NOT NULL DEFAULT 0 CHECK (counted >= 0),
    note             TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    frozen           TEXT NOT NULL DEFAULT '',
    payment_ids      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(payment_ids)),
    day_start        TEXT NOT NULL,
    day_end          TEXT NOT NULL,
    closed_at        TEXT,
    closed_by        TEXT NOT NULL DEFAULT '',
    closed_by_name   TEXT NOT NULL DEFAULT '',
    reopened_at      TEXT,
    reopened_by      TEXT NOT NULL DEFAULT '',
    reopened_by_name TEXT NOT NULL DEFAULT '',
    reopen_reason    TEXT NOT NULL DEFAULT '' CHECK (length(reopen_reason) <= 500),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    UNIQUE (desk, day),
    CHECK (status = 'open' OR (number IS NOT NULL AND closed_at IS NOT NULL AND frozen <> ''))
) STRICT;

CREATE INDEX cashups_closed ON cashups (desk, day_start) WHERE status = 'closed';

CREATE TRIGGER cashup_counted_delete AFTER DELETE ON cashups
BEGIN
    DELETE FROM cashup_counted WHERE cashup_id = old.id;
END;

CREATE TRIGGER cashup_counted_insert AFTER INSERT ON cashups
BEGIN
    INSERT OR IGNORE INTO cashup_counted (payment_id, cashup_id)
    SELECT j.value, new.id FROM json_each(new.payment_ids) j WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER cashup_counted_update AFTER UPDATE OF payment_ids, deleted_at ON cashups
BEGIN
    DELETE FROM cashup_counted WHERE cashup_id = old.id;
    INSERT OR IGNORE INTO cashup_counted (payment_id, cashup_id)
    SELECT j.value, new.id FROM json_each(new.payment_ids) j WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER cashups_key_fixed BEFORE UPDATE OF id ON cashups WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER cashups_outbox_delete AFTER DELETE ON cashups
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER cashups_outbox_insert AFTER INSERT ON cashups
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', new.id, 'insert', json_object(
        'id', new.id, 'desk', new.desk, 'day', new.day, 'currency', new.currency, 'status', new.status, 'number', new.number, 'opening_float', new.opening_float, 'counts', new.counts, 'counted', new.counted, 'note', new.note, 'frozen', new.frozen, 'payment_ids', new.payment_ids, 'day_start', new.day_start, 'day_end', new.day_end, 'closed_at', new.closed_at, 'closed_by', new.closed_by, 'closed_by_name', new.closed_by_name, 'reopened_at', new.reopened_at, 'reopened_by', new.reopened_by, 'reopened_by_name', new.reopened_by_name, 'reopen_reason', new.reopen_reason, 'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER cashups_outbox_update AFTER UPDATE OF
    desk, day, currency, status, number, opening_float, counts, counted, note, frozen, payment_ids, day_start, day_end, closed_at, closed_by, closed_by_name, reopened_at, reopened_by, reopened_by_name, reopen_reason, created_at, updated_at, deleted_at
ON cashups
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.desk IS NOT new.desk OR old.day IS NOT new.day OR old.currency IS NOT new.currency OR old.status IS NOT new.status OR old.number IS NOT new.number OR old.opening_float IS NOT new.opening_float OR old.counts IS NOT new.counts OR old.counted IS NOT new.counted OR old.note IS NOT new.note OR old.frozen IS NOT new.frozen OR old.payment_ids IS NOT new.payment_ids OR old.day_start IS NOT new.day_start OR old.day_end IS NOT new.day_end OR old.closed_at IS NOT new.closed_at OR old.closed_by IS NOT new.closed_by OR old.closed_by_name IS NOT new.closed_by_name OR old.reopened_at IS NOT new.reopened_at OR old.reopened_by IS NOT new.reopened_by OR old.reopened_by_name IS NOT new.reopened_by_name OR old.reopen_reason IS NOT new.reopen_reason OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'desk' AS field, new.desk AS value WHERE old.desk IS NOT new.desk
        UNION ALL SELECT 'day', new.day WHERE old.day IS NOT new.day
        UNION ALL SELECT 'currency', new.currency WHERE old.currency IS NOT new.currency
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'number', new.number WHERE old.number IS NOT new.number
        UNION ALL SELECT 'opening_float', new.opening_float WHERE old.opening_float IS NOT new.opening_float
        UNION ALL SELECT 'counts', new.counts WHERE old.counts IS NOT new.counts
        UNION ALL SELECT 'counted', new.counted WHERE old.counted IS NOT new.counted
        UNION ALL SELECT 'note', new.note WHERE old.note IS NOT new.note
        UNION ALL SELECT 'frozen', new.frozen WHERE old.frozen IS NOT new.frozen
        UNION ALL SELECT 'payment_ids', new.payment_ids WHERE old.payment_ids IS NOT new.payment_ids
        UNION ALL SELECT 'day_start', new.day_start WHERE old.day_start IS NOT new.day_start
        UNION ALL SELECT 'day_end', new.day_end WHERE old.day_end IS NOT new.day_end
        UNION ALL SELECT 'closed_at', new.closed_at WHERE old.closed_at IS NOT new.closed_at
        UNION ALL SELECT 'closed_by', new.closed_by WHERE old.closed_by IS NOT new.closed_by
        UNION ALL SELECT 'closed_by_name', new.closed_by_name WHERE old.closed_by_name IS NOT new.closed_by_name
        UNION ALL SELECT 'reopened_at', new.reopened_at WHERE old.reopened_at IS NOT new.reopened_at
        UNION ALL SELECT 'reopened_by', new.reopened_by WHERE old.reopened_by IS NOT new.reopened_by
        UNION ALL SELECT 'reopened_by_name', new.reopened_by_name WHERE old.reopened_by_name IS NOT new.reopened_by_name
        UNION ALL SELECT 'reopen_reason', new.reopen_reason WHERE old.reopen_reason IS NOT new.reopen_reason
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER seal_cashups_del AFTER DELETE ON cashups BEGIN SELECT hms_seal('cashups', OLD.id); END;

CREATE TRIGGER seal_cashups_ins AFTER INSERT ON cashups BEGIN SELECT hms_seal('cashups', NEW.id); END;

CREATE TRIGGER seal_cashups_upd AFTER UPDATE ON cashups BEGIN SELECT hms_seal('cashups', OLD.id), hms_seal('cashups', NEW.id); END;

-- clock_pinned

CREATE TABLE clock_pinned (
    hlc      TEXT PRIMARY KEY,
    physical INTEGER NOT NULL
) STRICT;

-- conflicts

CREATE TABLE conflicts (
    id          TEXT PRIMARY KEY,
    entity      TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    field       TEXT NOT NULL DEFAULT '', -- '' when a whole row lost, e.g. a booking
    rule        TEXT NOT NULL,            -- the rule that decided, for the review screen
    lost_value  TEXT NOT NULL,
    lost_hlc    TEXT NOT NULL,
    lost_site   TEXT NOT NULL,
    won_value   TEXT NOT NULL,
    won_hlc     TEXT NOT NULL,
    won_site    TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolution  TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'kept', 'taken', 'merged')), entry TEXT NOT NULL DEFAULT '',
    CHECK ((resolved_at IS NULL) = (resolution = ''))
) STRICT;

CREATE INDEX conflicts_open ON conflicts (detected_at, id) WHERE resolved_at IS NULL;

CREATE INDEX conflicts_row ON conflicts (entity, row_id);

CREATE TRIGGER seal_conflicts_del AFTER DELETE ON conflicts BEGIN SELECT hms_seal('conflicts', OLD.id); END;

CREATE TRIGGER seal_conflicts_ins AFTER INSERT ON conflicts BEGIN SELECT hms_seal('conflicts', NEW.id); END;

CREATE TRIGGER seal_conflicts_upd AFTER UPDATE ON conflicts BEGIN SELECT hms_seal('conflicts', OLD.id), hms_seal('conflicts', NEW.id); END;

-- credit_notes

CREATE TABLE credit_notes (
    id         TEXT PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    invoice_id TEXT NOT NULL UNIQUE REFERENCES invoices (id),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    reason     TEXT NOT NULL CHECK (length(trim(reason)) > 0 AND length(reason) <= 500),
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_seq INTEGER
) STRICT;

CREATE TRIGGER credit_notes_no_delete BEFORE DELETE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'a credit note is never deleted');
END;

CREATE TRIGGER credit_notes_no_update BEFORE UPDATE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'a credit note is never changed');
END;

CREATE TRIGGER credit_notes_outbox_insert AFTER INSERT ON credit_notes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'credit_notes', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'invoice_id', new.invoice_id, 'amount', new.amount,
        'reason', new.reason, 'created_by', new.created_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_credit_notes_del AFTER DELETE ON credit_notes BEGIN SELECT hms_seal('credit_notes', OLD.id); END;

CREATE TRIGGER seal_credit_notes_ins AFTER INSERT ON credit_notes BEGIN SELECT hms_seal('credit_notes', NEW.id); END;

CREATE TRIGGER seal_credit_notes_upd AFTER UPDATE ON credit_notes BEGIN SELECT hms_seal('credit_notes', OLD.id), hms_seal('credit_notes', NEW.id); END;

-- dash_allocated

CREATE VIEW dash_allocated (id, amount) AS
SELECT 1, coalesce((SELECT allocated FROM dash_payments WHERE day = 'all' AND method = ''), 0);

-- dash_appointments

CREATE TABLE dash_appointments (
    day       TEXT NOT NULL,
    doctor_id TEXT NOT NULL,
    status    TEXT NOT NULL,
    n         INTEGER NOT NULL,
    minutes   INTEGER NOT NULL,
    PRIMARY KEY (day, doctor_id, status)
) STRICT, WITHOUT ROWID;

-- dash_invoices

CREATE VIEW dash_invoices (day, n, amount) AS
SELECT day, quantity, amount FROM dash_revenue
WHERE doctor_id = '' AND kind = '' AND code = '' AND day <> 'all' AND (quantity <> 0 OR amount <> 0);

-- dash_patients

CREATE TABLE dash_patients (
    day TEXT PRIMARY KEY,
    n   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- dash_payments

CREATE TABLE dash_payments (
    day        TEXT NOT NULL,
    method     TEXT NOT NULL,
    n          INTEGER NOT NULL, -- payments, refunds not counted
    taken      INTEGER NOT NULL,
    refunds    INTEGER NOT NULL,
    refunded   INTEGER NOT NULL, allocated INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, method)
) STRICT, WITHOUT ROWID;

-- dash_revenue

CREATE TABLE dash_revenue (
    day       TEXT NOT NULL,
    doctor_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    code      TEXT NOT NULL,
    quantity  INTEGER NOT NULL,
    amount    INTEGER NOT NULL,
    PRIMARY KEY (day, doctor_id, kind, code)
) STRICT, WITHOUT ROWID;

-- dashboard_seen

CREATE TABLE dashboard_seen (
    user_id         TEXT PRIMARY KEY REFERENCES users (id),
    reports_seen_at TEXT NOT NULL
) STRICT;

-- dashboard_state

CREATE TABLE dashboard_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    zone     TEXT NOT NULL,
    built_at TEXT NOT NULL
) STRICT;

-- dashboard_zone

CREATE TABLE dashboard_zone (
    from_at        TEXT PRIMARY KEY, -- UTC, data.TimeLayout; '' for the beginning of time
    offset_minutes INTEGER NOT NULL CHECK (offset_minutes BETWEEN -1440 AND 1440)
) STRICT, WITHOUT ROWID;

-- desk_backup

CREATE TABLE desk_backup (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    folder          TEXT NOT NULL DEFAULT '',
    daily_at        TEXT NOT NULL DEFAULT '',
    on_close        INTEGER NOT NULL DEFAULT 0 CHECK (on_close IN (0, 1)),
    keep            INTEGER NOT NULL DEFAULT 14 CHECK (keep BETWEEN 1 AND 365),
    recipient       TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL DEFAULT '',
    updated_by      TEXT NOT NULL DEFAULT '',
    last_good_at    TEXT NOT NULL DEFAULT '',
    last_good_file  TEXT NOT NULL DEFAULT '',
    last_attempt_at TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    last_error_at   TEXT NOT NULL DEFAULT ''
, last_error_checks INTEGER NOT NULL DEFAULT 0 CHECK (last_error_checks IN (0, 1))) STRICT;

CREATE TRIGGER seal_desk_backup_del AFTER DELETE ON desk_backup BEGIN SELECT hms_seal('desk_backup', CAST(OLD.id AS TEXT)); END;

CREATE TRIGGER seal_desk_backup_ins AFTER INSERT ON desk_backup BEGIN SELECT hms_seal('desk_backup', CAST(NEW.id AS TEXT)); END;

CREATE TRIGGER seal_desk_backup_upd AFTER UPDATE ON desk_backup BEGIN SELECT hms_seal('desk_backup', CAST(OLD.id AS TEXT)), hms_seal('desk_backup', CAST(NEW.id AS TEXT)); END;

-- desk_printers

CREATE TABLE desk_printers (
    kind       TEXT PRIMARY KEY,
    printer    TEXT NOT NULL DEFAULT '',
    layout     TEXT NOT NULL DEFAULT '',
    auto_print INTEGER NOT NULL DEFAULT 0 CHECK (auto_print IN (0, 1)),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
) STRICT;

-- diagnoses

CREATE TABLE diagnoses (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    note_id          TEXT REFERENCES notes (id),
    visit_id         TEXT,
    code_system      TEXT NOT NULL DEFAULT '' CHECK (length(code_system) <= 40),
    code             TEXT NOT NULL DEFAULT '' CHECK (length(code) <= 16),
    title            TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 500),
    text             TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 1000),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    removed_by       TEXT REFERENCES users (id),
    removed_reason   TEXT NOT NULL DEFAULT '' CHECK (length(removed_reason) <= 500),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    CHECK (code <> '' OR trim(text) <> ''),
    CHECK ((code = '') = (code_system = '')),
    CHECK ((deleted_at IS NULL) = (removed_reason = ''))
) STRICT;

CREATE INDEX diagnoses_code ON diagnoses (code_system, code, created_at) WHERE code <> '';

CREATE INDEX diagnoses_created ON diagnoses (created_at);

CREATE INDEX diagnoses_patient ON diagnoses (patient_id, created_at, id);

CREATE TRIGGER diagnoses_no_delete BEFORE DELETE ON diagnoses
BEGIN
    SELECT RAISE(ABORT, 'a diagnosis is never deleted: remove it with a reason');
END;

CREATE TRIGGER diagnoses_outbox_insert AFTER INSERT ON diagnoses
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'diagnoses', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'note_id', new.note_id, 'visit_id', new.visit_id,
        'code_system', new.code_system, 'code', new.code, 'title', new.title, 'text', new.text,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name, 'removed_by', new.removed_by,
        'removed_reason', new.removed_reason, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER diagnoses_outbox_update AFTER UPDATE OF
    patient_id, note_id, visit_id, code_system, code, title, text, recorded_by, recorded_by_name, removed_by, removed_reason, created_at, updated_at, deleted_at
ON diagnoses
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.note_id IS NOT new.note_id OR old.visit_id IS NOT
        new.visit_id OR old.code_system IS NOT new.code_system OR old.code IS NOT new.code OR old.title IS
        NOT new.title OR old.text IS NOT new.text OR old.recorded_by IS NOT new.recorded_by OR
        old.recorded_by_name IS NOT new.recorded_by_name OR old.removed_by IS NOT new.removed_by OR
        old.removed_reason IS NOT new.removed_reason OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'diagnoses', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'note_id', new.note_id WHERE old.note_id IS NOT new.note_id
        UNION ALL SELECT 'visit_id', new.visit_id WHERE old.visit_id IS NOT new.visit_id
        UNION ALL SELECT 'code_system', new.code_system WHERE old.code_system IS NOT new.code_system
        UNION ALL SELECT 'code', new.code WHERE old.code IS NOT new.code
        UNION ALL SELECT 'title', new.title WHERE old.title IS NOT new.title
        UNION ALL SELECT 'text', new.text WHERE old.text IS NOT new.text
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'removed_by', new.removed_by WHERE old.removed_by IS NOT new.removed_by
        UNION ALL SELECT 'removed_reason', new.removed_reason WHERE old.removed_reason IS NOT new.removed_reason
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER diagnoses_recorded_fixed BEFORE UPDATE OF
    id, patient_id, note_id, visit_id, code_system, code, title, text, recorded_by, recorded_by_name, created_at
ON diagnoses
WHEN new.id IS NOT old.id OR new.patient_id IS NOT old.patient_id OR new.note_id IS NOT old.note_id OR
    new.visit_id IS NOT old.visit_id OR new.code_system IS NOT old.code_system OR new.code IS NOT old.code OR
    new.title IS NOT old.title OR new.text IS NOT old.text OR new.recorded_by IS NOT old.recorded_by OR
    new.recorded_by_name IS NOT old.recorded_by_name OR new.created_at IS NOT old.created_at
BEGIN
    SELECT RAISE(ABORT, 'a recorded diagnosis is not changed: remove it and record another');
END;

CREATE TRIGGER seal_diagnoses_del AFTER DELETE ON diagnoses BEGIN SELECT hms_seal('diagnoses', OLD.id); END;

CREATE TRIGGER seal_diagnoses_ins AFTER INSERT ON diagnoses BEGIN SELECT hms_seal('diagnoses', NEW.id); END;

CREATE TRIGGER seal_diagnoses_upd AFTER UPDATE ON diagnoses BEGIN SELECT hms_seal('diagnoses', OLD.id), hms_seal('diagnoses', NEW.id); END;

-- diagnosis_code_fts

CREATE VIRTUAL TABLE diagnosis_code_fts USING fts5 (
    words, tokenize = "unicode61 remove_diacritics 2", prefix = '1 2 3', content = '', contentless_delete = 1);

-- diagnosis_codes

CREATE TABLE diagnosis_codes (
    seq    INTEGER PRIMARY KEY,
    system TEXT NOT NULL CHECK (length(system) BETWEEN 1 AND 40),
    code   TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 16),
    title  TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 500),
    UNIQUE (system, code)
) STRICT;

-- doctor_consultation_items

CREATE TABLE doctor_consultation_items (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id),
    price_code       TEXT NOT NULL CHECK (length(price_code) BETWEEN 1 AND 30 AND price_code = upper(price_code)),
    recorded_by      TEXT NOT NULL DEFAULT '',
    recorded_by_name TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
, power_sig TEXT NOT NULL DEFAULT '') STRICT;

CREATE INDEX doctor_consultation_items_user ON doctor_consultation_items (user_id, created_at);

CREATE TRIGGER doctor_consultation_items_no_delete BEFORE DELETE ON doctor_consultation_items
BEGIN
    SELECT RAISE(ABORT, 'a consultation item link is never deleted: record the new one');
END;

CREATE TRIGGER doctor_consultation_items_no_update BEFORE UPDATE ON doctor_consultation_items
BEGIN
    SELECT RAISE(ABORT, 'a consultation item link is never changed: record the new one');
END;

CREATE TRIGGER doctor_consultation_items_outbox_insert AFTER INSERT ON doctor_consultation_items
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_consultation_items', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'price_code', new.price_code,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at,
        'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_doctor_consultation_items_del AFTER DELETE ON doctor_consultation_items BEGIN SELECT hms_seal('doctor_consultation_items', OLD.id); END;

CREATE TRIGGER seal_doctor_consultation_items_ins AFTER INSERT ON doctor_consultation_items BEGIN SELECT hms_seal('doctor_consultation_items', NEW.id); END;

CREATE TRIGGER seal_doctor_consultation_items_upd AFTER UPDATE ON doctor_consultation_items BEGIN SELECT hms_seal('doctor_consultation_items', OLD.id), hms_seal('doctor_consultation_items', NEW.id); END;

-- doctor_profiles

CREATE TABLE doctor_profiles (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL UNIQUE REFERENCES users (id),
    specialization TEXT NOT NULL DEFAULT '' CHECK (length(specialization) <= 100),
    -- The specialization folded for search (lower case, no accents).
    search_specialization TEXT NOT NULL DEFAULT '',
    room           TEXT NOT NULL DEFAULT '' CHECK (length(room) <= 50),
    fee            INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
    visit_minutes  INTEGER NOT NULL CHECK (visit_minutes BETWEEN 5 AND 480),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER
) STRICT;

CREATE TRIGGER doctor_profiles_key_fixed BEFORE UPDATE OF id ON doctor_profiles WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER doctor_profiles_outbox_delete AFTER DELETE ON doctor_profiles
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'doctor_profiles' AND row_id = old.id;
END;

CREATE TRIGGER doctor_profiles_outbox_insert AFTER INSERT ON doctor_profiles
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'specialization', new.specialization, 'room', new.room,
        'fee', new.fee, 'visit_minutes', new.visit_minutes, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER doctor_profiles_outbox_update AFTER UPDATE OF
    user_id, specialization, room, fee, visit_minutes, created_at, updated_at, deleted_at
ON doctor_profiles
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.user_id IS NOT new.user_id OR old.specialization IS NOT new.specialization OR
        old.room IS NOT new.room OR old.fee IS NOT new.fee OR old.visit_minutes IS NOT new.visit_minutes OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'user_id' AS field, new.user_id AS value WHERE old.user_id IS NOT new.user_id
        UNION ALL SELECT 'specialization', new.specialization WHERE old.specialization IS NOT new.specialization
        UNION ALL SELECT 'room', new.room WHERE old.room IS NOT new.room
        UNION ALL SELECT 'fee', new.fee WHERE old.fee IS NOT new.fee
        UNION ALL SELECT 'visit_minutes', new.visit_minutes WHERE old.visit_minutes IS NOT new.visit_minutes
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'doctor_profiles', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER seal_doctor_profiles_del AFTER DELETE ON doctor_profiles BEGIN SELECT hms_seal('doctor_profiles', OLD.id); END;

CREATE TRIGGER seal_doctor_profiles_ins AFTER INSERT ON doctor_profiles BEGIN SELECT hms_seal('doctor_profiles', NEW.id); END;

CREATE TRIGGER seal_doctor_profiles_upd AFTER UPDATE ON doctor_profiles BEGIN SELECT hms_seal('doctor_profiles', OLD.id), hms_seal('doctor_profiles', NEW.id); END;

-- drafts

CREATE TABLE "drafts" (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('note', 'registration', 'invoice')),
    patient_id TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    fields     TEXT NOT NULL, -- JSON object: the form's texts by field name
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX drafts_user ON drafts (user_id, created_at);

-- field_clock

CREATE TABLE field_clock (
    entity  TEXT NOT NULL,
    row_id  TEXT NOT NULL,
    field   TEXT NOT NULL,
    hlc     TEXT NOT NULL,
    site_id TEXT NOT NULL, seen TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (entity, row_id, field)
) STRICT, WITHOUT ROWID;

-- invoice_lines

CREATE TABLE invoice_lines (
    id              TEXT PRIMARY KEY,
    invoice_id      TEXT NOT NULL REFERENCES invoices (id),
    position        INTEGER NOT NULL CHECK (position >= 1),
    price_item_id   TEXT REFERENCES price_items (id),
    code            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL CHECK (length(trim(description)) > 0 AND length(description) <= 200),
    kind            TEXT NOT NULL CHECK (kind IN ('consultation', 'procedure', 'lab', 'medicine', 'other')),
    quantity        INTEGER NOT NULL CHECK (quantity > 0 AND quantity <= 100000),
    unit_price      INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_rate   INTEGER NOT NULL DEFAULT 0 CHECK (discount_rate BETWEEN 0 AND 10000),
    discount_amount INTEGER NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
    tax_rate        INTEGER NOT NULL CHECK (tax_rate BETWEEN 0 AND 10000),
    gross           INTEGER NOT NULL,
    discount        INTEGER NOT NULL,
    net             INTEGER NOT NULL,
    tax             INTEGER NOT NULL CHECK (tax >= 0),
    total           INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL, invoice_discount INTEGER NOT NULL DEFAULT 0
    CHECK (invoice_discount BETWEEN 0 AND discount),
    CHECK (gross = quantity * unit_price),
    CHECK (discount BETWEEN 0 AND gross),
    CHECK (net = gross - discount),
    CHECK (total = net + tax),
    CHECK (discount_rate = 0 OR discount_amount = 0),
    UNIQUE (invoice_id, position)
) STRICT;

CREATE TRIGGER invoice_lines_delete_draft BEFORE DELETE ON invoice_lines
WHEN ((SELECT status FROM invoices WHERE id = old.invoice_id) IS NOT 'draft')
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'the lines of an issued invoice are never deleted');
END;

CREATE TRIGGER invoice_lines_insert_draft BEFORE INSERT ON invoice_lines
WHEN ((SELECT status FROM invoices WHERE id = new.invoice_id) IS NOT 'draft')
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'lines are added to draft invoices only');
END;

CREATE TRIGGER invoice_lines_key_fixed BEFORE UPDATE OF id ON invoice_lines WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER invoice_lines_outbox_delete AFTER DELETE ON invoice_lines
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'invoice_lines' AND row_id = old.id;
END;

CREATE TRIGGER invoice_lines_outbox_insert AFTER INSERT ON invoice_lines
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'insert', json_object(
        'id', new.id, 'invoice_id', new.invoice_id, 'position', new.position,
        'price_item_id', new.price_item_id, 'code', new.code, 'description', new.description,
        'kind', new.kind, 'quantity', new.quantity, 'unit_price', new.unit_price,
        'discount_rate', new.discount_rate, 'discount_amount', new.discount_amount,
        'tax_rate', new.tax_rate, 'gross', new.gross, 'discount', new.discount, 'net', new.net,
        'tax', new.tax, 'total', new.total, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'invoice_discount', new.invoice_discount), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER invoice_lines_outbox_update AFTER UPDATE OF
    invoice_id, position, price_item_id, code, description, kind, quantity, unit_price,
    discount_rate, discount_amount, tax_rate, gross, discount, net, tax, total, created_at,
    updated_at, invoice_discount
ON invoice_lines
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.invoice_id IS NOT new.invoice_id OR old.position IS NOT new.position OR
        old.price_item_id IS NOT new.price_item_id OR old.code IS NOT new.code OR
        old.description IS NOT new.description OR old.kind IS NOT new.kind OR
        old.quantity IS NOT new.quantity OR old.unit_price IS NOT new.unit_price OR
        old.discount_rate IS NOT new.discount_rate OR old.discount_amount IS NOT new.discount_amount OR
        old.tax_rate IS NOT new.tax_rate OR old.gross IS NOT new.gross OR old.discount IS NOT new.discount OR
        old.net IS NOT new.net OR old.tax IS NOT new.tax OR old.total IS NOT new.total OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.invoice_discount IS NOT new.invoice_discount)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'invoice_id' AS field, new.invoice_id AS value WHERE old.invoice_id IS NOT new.invoice_id
        UNION ALL SELECT 'position', new.position WHERE old.position IS NOT new.position
        UNION ALL SELECT 'description', new.description WHERE old.description IS NOT new.description
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT key, value FROM json_each(json_object('price_item_id', new.price_item_id, 'code', new.code,
            'kind', new.kind, 'quantity', new.quantity, 'unit_price', new.unit_price, 'discount_rate', new.discount_rate,
            'discount_amount', new.discount_amount, 'tax_rate', new.tax_rate, 'gross', new.gross, 'discount', new.discount,
            'invoice_discount', new.invoice_discount, 'net', new.net, 'tax', new.tax, 'total', new.total))
        WHERE old.price_item_id IS NOT new.price_item_id OR old.code IS NOT new.code OR old.kind IS NOT new.kind OR
            old.quantity IS NOT new.quantity OR old.unit_price IS NOT new.unit_price OR
            old.discount_rate IS NOT new.discount_rate OR old.discount_amount IS NOT new.discount_amount OR
            old.tax_rate IS NOT new.tax_rate OR old.gross IS NOT new.gross OR old.discount IS NOT new.discount OR
            old.invoice_discount IS NOT new.invoice_discount OR old.net IS NOT new.net OR old.tax IS NOT new.tax OR
            old.total IS NOT new.total);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'invoice_lines', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER invoice_lines_update_draft BEFORE UPDATE ON invoice_lines
WHEN ((SELECT status FROM invoices WHERE id = old.invoice_id) IS NOT 'draft'
    OR new.invoice_id IS NOT old.invoice_id)
    AND (SELECT applying FROM sync_meta) = 0
    AND NOT (new.invoice_id IS NOT old.invoice_id
        AND (SELECT status FROM invoices WHERE id = new.invoice_id) IS 'draft'
        AND (SELECT issued_lines FROM invoices WHERE id = old.invoice_id) IS NOT NULL
        AND old.id NOT IN (SELECT value FROM json_each((SELECT issued_lines FROM invoices WHERE id = old.invoice_id))))
BEGIN
    SELECT RAISE(ABORT, 'the lines of an issued invoice are never changed');
END;

CREATE TRIGGER seal_invoice_lines_del AFTER DELETE ON invoice_lines BEGIN SELECT hms_seal('invoice_lines', OLD.id); END;

CREATE TRIGGER seal_invoice_lines_ins AFTER INSERT ON invoice_lines BEGIN SELECT hms_seal('invoice_lines', NEW.id); END;

CREATE TRIGGER seal_invoice_lines_upd AFTER UPDATE ON invoice_lines BEGIN SELECT hms_seal('invoice_lines', OLD.id), hms_seal('invoice_lines', NEW.id); END;

-- invoices

CREATE TABLE invoices (
    id             TEXT PRIMARY KEY,
    number         TEXT UNIQUE,
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    patient_name   TEXT NOT NULL,
    patient_mrn    TEXT NOT NULL,
    appointment_id TEXT REFERENCES appointments (id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'void')),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    notes          TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 1000),
    issued_at      TEXT,
    issued_by      TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER, discount_rate INTEGER NOT NULL DEFAULT 0
    CHECK (discount_rate BETWEEN 0 AND 10000), discount_amount INTEGER NOT NULL DEFAULT 0
    CHECK (discount_amount >= 0 AND (discount_rate = 0 OR discount_amount = 0)), issued_lines TEXT CHECK (issued_lines IS NULL OR json_valid(issued_lines)), issued_with TEXT CHECK (issued_with IS NULL OR json_valid(issued_with)),
    CHECK ((status = 'draft') = (number IS NULL)),
    CHECK ((status = 'draft') = (issued_at IS NULL))
) STRICT;

CREATE INDEX invoices_appointment ON invoices (appointment_id) WHERE appointment_id IS NOT NULL;

CREATE INDEX invoices_dated ON invoices (coalesce(issued_at, created_at), id);

CREATE INDEX invoices_issued ON invoices (issued_at, id) WHERE issued_at IS NOT NULL;

CREATE INDEX invoices_outstanding ON invoices (issued_at, id) WHERE status IN ('issued', 'partially_paid');

CREATE INDEX invoices_patient ON invoices (patient_id, coalesce(issued_at, created_at), id);

CREATE INDEX invoices_status ON invoices (status, issued_at, id);

CREATE TRIGGER dash_allocated_counted AFTER UPDATE OF status ON invoices
WHEN (old.status IN ('draft', 'void')) <> (new.status IN ('draft', 'void'))
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded, allocated)
    SELECT 'all', '', 0, 0, 0, 0, s.amount
    FROM (SELECT CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END * sum(a.amount) AS amount
        FROM payment_allocations a WHERE a.invoice_id = new.id
            AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)) s
    WHERE s.amount IS NOT NULL
    ON CONFLICT (day, method) DO UPDATE SET allocated = allocated + excluded.allocated;
END;

CREATE TRIGGER dash_invoices_counted AFTER UPDATE OF status ON invoices
WHEN (old.status IN ('draft', 'void')) <> (new.status IN ('draft', 'void'))
BEGIN
    INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
    SELECT date(coalesce(new.issued_at, old.issued_at), coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= coalesce(new.issued_at, old.issued_at) ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        coalesce((SELECT a.doctor_id FROM appointments a WHERE a.id = new.appointment_id),
                 (SELECT p.doctor_id FROM price_items p WHERE p.id = l.price_item_id), ''),
        l.kind, l.code,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.quantity) ELSE sum(l.quantity) END,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.total) ELSE sum(l.total) END
    FROM invoice_lines l WHERE l.invoice_id = new.id
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (day, doctor_id, kind, code) DO UPDATE SET quantity = quantity + excluded.quantity,
        amount = amount + excluded.amount;
    -- The invoice's day and the all-days row, in one statement.
    INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
    SELECT d.day, '', '', '', s.n, s.amount
    FROM (SELECT date(coalesce(new.issued_at, old.issued_at), coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= coalesce(new.issued_at, old.issued_at) ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')) AS day
        UNION ALL SELECT 'all') d,
        (SELECT CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END AS n,
            CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END
                * (SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = new.id) AS amount) s
    WHERE true
    ON CONFLICT (day, doctor_id, kind, code) DO UPDATE SET quantity = quantity + excluded.quantity,
        amount = amount + excluded.amount;
END;

CREATE TRIGGER invoices_discount_frozen BEFORE UPDATE OF discount_rate, discount_amount ON invoices
WHEN (old.status <> 'draft'
    AND (new.discount_rate IS NOT old.discount_rate OR new.discount_amount IS NOT old.discount_amount))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: void it with a credit note');
END;

CREATE TRIGGER invoices_field_clock_delete AFTER DELETE ON invoices
BEGIN
    DELETE FROM field_clock WHERE entity = 'invoices' AND row_id = old.id;
END;

CREATE TRIGGER invoices_frozen BEFORE UPDATE ON invoices
WHEN (old.status <> 'draft' AND (
       new.id IS NOT old.id OR new.number IS NOT old.number OR new.patient_id IS NOT old.patient_id
    OR new.patient_name IS NOT old.patient_name OR new.patient_mrn IS NOT old.patient_mrn
    OR new.appointment_id IS NOT old.appointment_id OR new.currency IS NOT old.currency
    OR new.notes IS NOT old.notes OR new.issued_at IS NOT old.issued_at OR new.issued_by IS NOT old.issued_by
    OR new.created_by IS NOT old.created_by OR new.created_at IS NOT old.created_at
    OR new.deleted_at IS NOT old.deleted_at
    OR old.status = 'void'
    OR new.status = 'draft'
    OR (new.status = 'void' AND NOT EXISTS (SELECT 1 FROM credit_notes c WHERE c.invoice_id = old.id))))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: void it with a credit note');
END;

CREATE TRIGGER invoices_key_fixed BEFORE UPDATE OF id ON invoices WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
WHEN (old.status <> 'draft')
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never deleted: void it with a credit note');
END;

CREATE TRIGGER invoices_outbox_delete AFTER DELETE ON invoices
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER invoices_outbox_insert AFTER INSERT ON invoices
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn,
        'appointment_id', new.appointment_id, 'status', new.status, 'currency', new.currency,
        'notes', new.notes, 'issued_at', new.issued_at, 'issued_by', new.issued_by,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'discount_rate', new.discount_rate,
        'discount_amount', new.discount_amount, 'issued_lines', new.issued_lines,
        'issued_with', new.issued_with), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER invoices_outbox_update AFTER UPDATE OF
    number, patient_id, patient_name, patient_mrn, appointment_id, status, currency, notes,
    issued_at, issued_by, created_by, created_at, updated_at, deleted_at, discount_rate, discount_amount, issued_lines, issued_with
ON invoices
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.number IS NOT new.number OR old.patient_id IS NOT new.patient_id OR
        old.patient_name IS NOT new.patient_name OR old.patient_mrn IS NOT new.patient_mrn OR
        old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.currency IS NOT new.currency OR old.notes IS NOT new.notes OR old.issued_at IS NOT new.issued_at OR
        old.issued_by IS NOT new.issued_by OR old.created_by IS NOT new.created_by OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.discount_rate IS NOT new.discount_rate OR
        old.discount_amount IS NOT new.discount_amount OR old.issued_lines IS NOT new.issued_lines OR
        old.issued_with IS NOT new.issued_with)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc, base)
    SELECT 'invoices', new.id, 'update', json_group_object(field, value), hms_tx_hlc(),
        (SELECT json_group_object(b.field, json(CASE
            WHEN c.hlc IS NULL THEN '[""]'
            WHEN c.seen = '[]' THEN json_array(c.hlc)
            ELSE json_remove('[' || json_quote(c.hlc) || ',' || substr(c.seen, 2), '$[16]') END))
        FROM (SELECT 'notes' AS field WHERE old.notes IS NOT new.notes
            UNION ALL SELECT 'discount_rate' WHERE old.discount_rate IS NOT new.discount_rate
            UNION ALL SELECT 'discount_amount' WHERE old.discount_amount IS NOT new.discount_amount) b
        LEFT JOIN field_clock c ON c.entity = 'invoices' AND c.row_id = new.id AND c.field = b.field)
    FROM (SELECT 'number' AS field, new.number AS value WHERE old.number IS NOT new.number
        UNION ALL SELECT 'patient_id', new.patient_id WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'patient_name', new.patient_name WHERE old.patient_name IS NOT new.patient_name
        UNION ALL SELECT 'patient_mrn', new.patient_mrn WHERE old.patient_mrn IS NOT new.patient_mrn
        UNION ALL SELECT 'appointment_id', new.appointment_id WHERE old.appointment_id IS NOT new.appointment_id
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'currency', new.currency WHERE old.currency IS NOT new.currency
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'issued_at', new.issued_at WHERE old.issued_at IS NOT new.issued_at
        UNION ALL SELECT 'issued_by', new.issued_by WHERE old.issued_by IS NOT new.issued_by
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'discount_rate', new.discount_rate WHERE old.discount_rate IS NOT new.discount_rate
        UNION ALL SELECT 'discount_amount', new.discount_amount WHERE old.discount_amount IS NOT new.discount_amount
        UNION ALL SELECT 'issued_lines', new.issued_lines WHERE old.issued_lines IS NOT new.issued_lines
        UNION ALL SELECT 'issued_with', new.issued_with WHERE old.issued_with IS NOT new.issued_with);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'invoices', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER seal_invoices_del AFTER DELETE ON invoices BEGIN SELECT hms_seal('invoices', OLD.id); END;

CREATE TRIGGER seal_invoices_ins AFTER INSERT ON invoices BEGIN SELECT hms_seal('invoices', NEW.id); END;

CREATE TRIGGER seal_invoices_upd AFTER UPDATE ON invoices BEGIN SELECT hms_seal('invoices', OLD.id), hms_seal('invoices', NEW.id); END;

-- letters

CREATE TABLE letters (
    id                  TEXT PRIMARY KEY,
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    visit_id            TEXT REFERENCES visits (id),
    kind                TEXT NOT NULL CHECK (kind IN ('sick_note', 'referral')),
    doctor_id           TEXT NOT NULL REFERENCES users (id),
    doctor_name         TEXT NOT NULL CHECK (doctor_name <> ''),
    registration_number TEXT NOT NULL DEFAULT '' CHECK (length(registration_number) <= 40),
    patient_name        TEXT NOT NULL CHECK (patient_name <> ''),
    patient_mrn         TEXT NOT NULL CHECK (patient_mrn <> ''),
    patient_birth_date  TEXT NOT NULL DEFAULT '',
    date_from           TEXT,
    date_to             TEXT,
    recipient           TEXT,
    body                TEXT NOT NULL CHECK (length(body) <= 20000),
    text                TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 5000),
    clinic_name         TEXT NOT NULL DEFAULT '',
    clinic_details      TEXT NOT NULL DEFAULT '',
    issued_on           TEXT NOT NULL CHECK (issued_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT, language TEXT
    CHECK (language IS NULL OR (length(language) BETWEEN 2 AND 8 AND language = lower(language))),
    -- A sick note gives the days unfit (the last not before the first)
    -- and no recipient; a referral gives its recipient and no days.
    CHECK (kind <> 'sick_note' OR (date_from IS NOT NULL AND date_to IS NOT NULL AND date_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
        AND date_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND date_to >= date_from AND recipient IS NULL)),
    CHECK (kind <> 'referral' OR (recipient IS NOT NULL AND recipient <> '' AND length(recipient) <= 200 AND date_from IS NULL AND date_to IS NULL))
) STRICT;

CREATE INDEX letters_patient ON letters (patient_id, created_at);

CREATE INDEX letters_visit ON letters (visit_id) WHERE visit_id IS NOT NULL;

CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters
BEGIN
    SELECT RAISE(ABORT, 'a letter is never deleted');
END;

CREATE TRIGGER letters_no_update BEFORE UPDATE ON letters
BEGIN
    SELECT RAISE(ABORT, 'a letter is never changed: write a new one');
END;

CREATE TRIGGER letters_outbox_insert AFTER INSERT ON letters
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'letters', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'visit_id', new.visit_id, 'kind', new.kind,
        'doctor_id', new.doctor_id, 'doctor_name', new.doctor_name, 'registration_number', new.registration_number,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn, 'patient_birth_date', new.patient_birth_date,
        'date_from', new.date_from, 'date_to', new.date_to, 'recipient', new.recipient, 'body', new.body,
        'text', new.text, 'clinic_name', new.clinic_name, 'clinic_details', new.clinic_details,
        'issued_on', new.issued_on, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'language', new.language), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_letters_del AFTER DELETE ON letters BEGIN SELECT hms_seal('letters', OLD.id); END;

CREATE TRIGGER seal_letters_ins AFTER INSERT ON letters BEGIN SELECT hms_seal('letters', NEW.id); END;

CREATE TRIGGER seal_letters_upd AFTER UPDATE ON letters BEGIN SELECT hms_seal('letters', OLD.id), hms_seal('letters', NEW.id); END;

-- local_drugs

CREATE TABLE local_drugs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('substance', 'brand')),
    name            TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
    -- a brand's substances, joined with " + "
    substances      TEXT NOT NULL DEFAULT '' CHECK (length(substances) <= 1000),
    -- a substance's class IDs, joined with " "
    classes         TEXT NOT NULL DEFAULT '' CHECK (length(classes) <= 1000),
    -- forms and strengths, joined with "; "
    forms           TEXT NOT NULL DEFAULT '' CHECK (length(forms) <= 1000),
    created_by      TEXT NOT NULL DEFAULT '',
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT, power_sig TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'substance') = (classes <> '')),
    CHECK ((kind = 'brand') = (substances <> ''))
) STRICT;

CREATE INDEX local_drugs_created ON local_drugs (created_at, id);

CREATE TRIGGER local_drugs_no_delete BEFORE DELETE ON local_drugs
BEGIN
    SELECT RAISE(ABORT, 'a local drug is never deleted');
END;

CREATE TRIGGER local_drugs_no_update BEFORE UPDATE ON local_drugs
BEGIN
    SELECT RAISE(ABORT, 'a local drug is never changed');
END;

CREATE TRIGGER local_drugs_outbox_insert AFTER INSERT ON local_drugs
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'local_drugs', new.id, 'insert', json_object(
        'id', new.id, 'kind', new.kind, 'name', new.name, 'substances', new.substances,
        'classes', new.classes, 'forms', new.forms, 'created_by', new.created_by,
        'created_by_name', new.created_by_name, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_local_drugs_del AFTER DELETE ON local_drugs BEGIN SELECT hms_seal('local_drugs', OLD.id); END;

CREATE TRIGGER seal_local_drugs_ins AFTER INSERT ON local_drugs BEGIN SELECT hms_seal('local_drugs', NEW.id); END;

CREATE TRIGGER seal_local_drugs_upd AFTER UPDATE ON local_drugs BEGIN SELECT hms_seal('local_drugs', OLD.id), hms_seal('local_drugs', NEW.id); END;

-- message_attempts

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

CREATE TRIGGER message_attempts_due_final AFTER INSERT ON message_attempts
WHEN new.outcome IN ('sent', 'failed', 'dropped')
BEGIN
    DELETE FROM message_due WHERE message_id = new.message_id;
END;

CREATE TRIGGER message_attempts_due_retry AFTER INSERT ON message_attempts
WHEN new.outcome = 'retry' AND new.next_at IS NOT NULL
BEGIN
    UPDATE message_due SET due_at = new.next_at WHERE message_id = new.message_id AND due_at < new.next_at;
END;

CREATE TRIGGER message_attempts_no_delete BEFORE DELETE ON message_attempts
BEGIN
    SELECT RAISE(ABORT, 'a try of a message is never deleted');
END;

CREATE TRIGGER message_attempts_no_update BEFORE UPDATE ON message_attempts
BEGIN
    SELECT RAISE(ABORT, 'a try of a message is never changed');
END;

CREATE TRIGGER message_attempts_outbox_insert AFTER INSERT ON message_attempts
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_attempts', new.id, 'insert', json_object(
        'id', new.id, 'message_id', new.message_id, 'at', new.at, 'outcome', new.outcome, 'detail', new.detail,
        'reference', new.reference, 'next_at', new.next_at,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_message_attempts_del AFTER DELETE ON message_attempts BEGIN SELECT hms_seal('message_attempts', OLD.id); END;

CREATE TRIGGER seal_message_attempts_ins AFTER INSERT ON message_attempts BEGIN SELECT hms_seal('message_attempts', NEW.id); END;

CREATE TRIGGER seal_message_attempts_upd AFTER UPDATE ON message_attempts BEGIN SELECT hms_seal('message_attempts', OLD.id), hms_seal('message_attempts', NEW.id); END;

-- message_consents

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

CREATE INDEX message_consents_latest ON message_consents (patient_id, channel, created_at, id);

CREATE TRIGGER message_consents_no_delete BEFORE DELETE ON message_consents
BEGIN
    SELECT RAISE(ABORT, 'a consent is never deleted: record the new one');
END;

CREATE TRIGGER message_consents_no_update BEFORE UPDATE ON message_consents
BEGIN
    SELECT RAISE(ABORT, 'a consent is never changed: record the new one');
END;

CREATE TRIGGER message_consents_outbox_insert AFTER INSERT ON message_consents
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_consents', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'channel', new.channel, 'given', new.given,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_message_consents_del AFTER DELETE ON message_consents BEGIN SELECT hms_seal('message_consents', OLD.id); END;

CREATE TRIGGER seal_message_consents_ins AFTER INSERT ON message_consents BEGIN SELECT hms_seal('message_consents', NEW.id); END;

CREATE TRIGGER seal_message_consents_upd AFTER UPDATE ON message_consents BEGIN SELECT hms_seal('message_consents', OLD.id), hms_seal('message_consents', NEW.id); END;

-- message_due

CREATE TABLE message_due (
    message_id TEXT PRIMARY KEY REFERENCES messages (id),
    due_at     TEXT NOT NULL
) STRICT;

CREATE INDEX message_due_at ON message_due (due_at);

-- message_plan_due

CREATE TABLE message_plan_due (
    plan_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- message_plans

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

CREATE TRIGGER message_plans_due_insert AFTER INSERT ON message_plans
WHEN new.deleted_at IS NULL AND CASE WHEN json_valid(new.plan) THEN
    (SELECT count(*) FROM json_each(new.plan, '$.items') i, json_each(new.plan, '$.to') t
     WHERE EXISTS (SELECT 1 FROM messages m
                   WHERE m.id = new.id || '.' || i.key || '.' || json_extract(t.value, '$.channel')))
    < json_array_length(new.plan, '$.items') * json_array_length(new.plan, '$.to') ELSE 0 END
BEGIN
    INSERT OR IGNORE INTO message_plan_due (plan_id) VALUES (new.id);
END;

CREATE TRIGGER message_plans_no_delete BEFORE DELETE ON message_plans
BEGIN
    SELECT RAISE(ABORT, 'a message plan is never deleted: drop its messages');
END;

CREATE TRIGGER message_plans_no_update BEFORE UPDATE ON message_plans
BEGIN
    SELECT RAISE(ABORT, 'a message plan is never changed');
END;

CREATE TRIGGER message_plans_outbox_insert AFTER INSERT ON message_plans
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_plans', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'patient_id', new.patient_id,
        'appt_start', new.appt_start, 'plan', new.plan, 'origin', new.origin, 'created_by', new.created_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_message_plans_del AFTER DELETE ON message_plans BEGIN SELECT hms_seal('message_plans', OLD.id); END;

CREATE TRIGGER seal_message_plans_ins AFTER INSERT ON message_plans BEGIN SELECT hms_seal('message_plans', NEW.id); END;

CREATE TRIGGER seal_message_plans_upd AFTER UPDATE ON message_plans BEGIN SELECT hms_seal('message_plans', OLD.id), hms_seal('message_plans', NEW.id); END;

-- message_settings

CREATE TABLE message_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   TEXT NOT NULL CHECK (json_valid(settings)),
    secret     BLOB,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
) STRICT;

-- message_unconfirmed

CREATE TABLE message_unconfirmed (
    message_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- messages

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

CREATE INDEX messages_appointment ON messages (appointment_id);

CREATE INDEX messages_created ON messages (created_at);

CREATE INDEX messages_patient ON messages (patient_id, created_at);

CREATE TRIGGER messages_due_insert AFTER INSERT ON messages
WHEN NOT EXISTS (SELECT 1 FROM message_attempts x WHERE x.message_id = new.id AND x.outcome IN ('sent', 'failed', 'dropped'))
BEGIN
    INSERT OR IGNORE INTO message_due (message_id, due_at)
    SELECT new.id, coalesce((SELECT max(x.next_at) FROM message_attempts x WHERE x.message_id = new.id AND x.outcome = 'retry'), new.send_at);
END;

CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN
    SELECT RAISE(ABORT, 'a message is never deleted: drop it');
END;

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

CREATE TRIGGER messages_outbox_insert AFTER INSERT ON messages
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'messages', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'patient_id', new.patient_id, 'kind', new.kind,
        'channel', new.channel, 'to_address', new.to_address, 'subject', new.subject, 'body', new.body,
        'send_at', new.send_at, 'appt_start', new.appt_start, 'origin', new.origin, 'resend_of', new.resend_of,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

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

CREATE TRIGGER messages_unconfirmed AFTER INSERT ON messages
WHEN instr(new.id, '.') > 0 AND (SELECT applying FROM sync_meta) = 0
    AND (SELECT server_epoch FROM sync_meta) IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO message_unconfirmed (message_id) VALUES (new.id);
END;

CREATE TRIGGER seal_messages_del AFTER DELETE ON messages BEGIN SELECT hms_seal('messages', OLD.id); END;

CREATE TRIGGER seal_messages_ins AFTER INSERT ON messages BEGIN SELECT hms_seal('messages', NEW.id); END;

CREATE TRIGGER seal_messages_upd AFTER UPDATE ON messages BEGIN SELECT hms_seal('messages', OLD.id), hms_seal('messages', NEW.id); END;

-- notes

CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    kind        TEXT NOT NULL CHECK (kind IN ('clinical', 'nursing')),
    text        TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 20000),
    subjective  TEXT NOT NULL DEFAULT '' CHECK (length(subjective) <= 20000),
    objective   TEXT NOT NULL DEFAULT '' CHECK (length(objective) <= 20000),
    assessment  TEXT NOT NULL DEFAULT '' CHECK (length(assessment) <= 20000),
    plan        TEXT NOT NULL DEFAULT '' CHECK (length(plan) <= 20000),
    addendum_to TEXT REFERENCES notes (id),
    author_id   TEXT NOT NULL REFERENCES users (id),
    author_name TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (trim(text || subjective || objective || assessment || plan) <> ''),
    CHECK (addendum_to IS NULL OR addendum_to <> id)
) STRICT;

CREATE INDEX notes_addendum ON notes (addendum_to, created_at) WHERE addendum_to IS NOT NULL;

CREATE INDEX notes_patient ON notes (patient_id, created_at, id);

CREATE TRIGGER notes_addendum_check BEFORE INSERT ON notes
WHEN new.addendum_to IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM notes n WHERE n.id = new.addendum_to AND n.patient_id = new.patient_id AND n.addendum_to IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'an addendum points to a note of the same patient that is not itself an addendum');
END;

CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
BEGIN
    SELECT RAISE(ABORT, 'notes are never deleted: write an addendum');
END;

CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes
BEGIN
    SELECT RAISE(ABORT, 'notes are never changed: write an addendum');
END;

CREATE TRIGGER notes_outbox_insert AFTER INSERT ON notes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'notes', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'kind', new.kind, 'text', new.text,
        'subjective', new.subjective, 'objective', new.objective, 'assessment', new.assessment,
        'plan', new.plan, 'addendum_to', new.addendum_to, 'author_id', new.author_id,
        'author_name', new.author_name, 'created_at', new.created_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_notes_del AFTER DELETE ON notes BEGIN SELECT hms_seal('notes', OLD.id); END;

CREATE TRIGGER seal_notes_ins AFTER INSERT ON notes BEGIN SELECT hms_seal('notes', NEW.id); END;

CREATE TRIGGER seal_notes_upd AFTER UPDATE ON notes BEGIN SELECT hms_seal('notes', OLD.id), hms_seal('notes', NEW.id); END;

-- outbox

CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY,
    op_id      TEXT NOT NULL DEFAULT (printf('%08x-%04x-%04x-%04x-%012x',
                   (CAST(unixepoch('subsec') * 1000 AS INTEGER) >> 16) & 0xffffffff,
                   CAST(unixepoch('subsec') * 1000 AS INTEGER) & 0xffff,
                   0x7000 | (random() & 0x0fff), 0x8000 | (random() & 0x3fff), random() & 0xffffffffffff)),
    entity     TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete')),
    payload    TEXT NOT NULL,
    hlc        TEXT NOT NULL CHECK (hlc <> ''),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT NOT NULL DEFAULT ''
, base TEXT NOT NULL DEFAULT '', unseen TEXT NOT NULL DEFAULT '') STRICT;

CREATE INDEX outbox_row ON outbox (row_id, entity);

CREATE TRIGGER outbox_edit_base AFTER INSERT ON outbox
WHEN (new.kind = 'update' AND new.base = ''
        AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles', 'invoice_lines', 'invoices'))
    OR (new.attempts = 0 AND new.seq <= (SELECT outbox_seq_floor FROM sync_meta WHERE id = 1))
BEGIN
    UPDATE outbox SET base = (
        SELECT json_group_object(f.key, json(CASE
            WHEN c.hlc IS NULL THEN '[""]'
            WHEN c.seen = '[]' THEN json_array(c.hlc)
            ELSE json_remove('[' || json_quote(c.hlc) || ',' || substr(c.seen, 2), '$[16]') END))
        FROM json_each(new.payload) f
        LEFT JOIN field_clock c ON c.entity = new.entity AND c.row_id = new.row_id AND c.field = f.key
        WHERE f.key NOT IN ('created_at', 'updated_at')
            AND (new.entity <> 'invoices' OR f.key IN ('notes', 'discount_rate', 'discount_amount')))
    WHERE seq = new.seq AND new.kind = 'update' AND new.base = ''
        AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles', 'invoice_lines', 'invoices');
    UPDATE outbox SET seq = (SELECT outbox_seq_floor + 1 FROM sync_meta WHERE id = 1)
    WHERE seq = new.seq AND new.attempts = 0 AND new.seq <= (SELECT outbox_seq_floor FROM sync_meta WHERE id = 1);
END;

CREATE TRIGGER outbox_last_hlc AFTER DELETE ON outbox
BEGIN
    UPDATE sync_meta SET last_hlc = max(last_hlc, old.hlc), outbox_seq_floor = max(outbox_seq_floor, old.seq)
    WHERE last_hlc < old.hlc OR outbox_seq_floor < old.seq;
END;

-- outbox_sent

CREATE TABLE outbox_sent (
    seq      INTEGER PRIMARY KEY,
    op_id    TEXT NOT NULL UNIQUE,
    entity   TEXT NOT NULL,
    row_id   TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete')),
    payload  TEXT NOT NULL,
    hlc      TEXT NOT NULL,
    acked_at TEXT NOT NULL
, base TEXT NOT NULL DEFAULT '') STRICT;

CREATE INDEX outbox_sent_acked ON outbox_sent (acked_at);

-- patient_changes

CREATE TABLE patient_changes (
    id         TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    at         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    username   TEXT NOT NULL,
    field      TEXT NOT NULL,
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL
) STRICT;

CREATE INDEX patient_changes_patient ON patient_changes (patient_id, at);

CREATE TRIGGER patient_changes_key_fixed BEFORE UPDATE OF id ON patient_changes WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER patient_changes_outbox_delete AFTER DELETE ON patient_changes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER patient_changes_outbox_insert AFTER INSERT ON patient_changes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'at', new.at, 'user_id', new.user_id,
        'username', new.username, 'field', new.field, 'old_value', new.old_value,
        'new_value', new.new_value), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER patient_changes_outbox_update AFTER UPDATE OF
    patient_id, at, user_id, username, field, old_value, new_value
ON patient_changes
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.at IS NOT new.at OR old.user_id IS NOT new.user_id OR
        old.username IS NOT new.username OR old.field IS NOT new.field OR old.old_value IS NOT new.old_value OR
        old.new_value IS NOT new.new_value)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'at', new.at WHERE old.at IS NOT new.at
        UNION ALL SELECT 'user_id', new.user_id WHERE old.user_id IS NOT new.user_id
        UNION ALL SELECT 'username', new.username WHERE old.username IS NOT new.username
        UNION ALL SELECT 'field', new.field WHERE old.field IS NOT new.field
        UNION ALL SELECT 'old_value', new.old_value WHERE old.old_value IS NOT new.old_value
        UNION ALL SELECT 'new_value', new.new_value WHERE old.new_value IS NOT new.new_value);
END;

CREATE TRIGGER seal_patient_changes_del AFTER DELETE ON patient_changes BEGIN SELECT hms_seal('patient_changes', OLD.id); END;

CREATE TRIGGER seal_patient_changes_ins AFTER INSERT ON patient_changes BEGIN SELECT hms_seal('patient_changes', NEW.id); END;

CREATE TRIGGER seal_patient_changes_upd AFTER UPDATE ON patient_changes BEGIN SELECT hms_seal('patient_changes', OLD.id), hms_seal('patient_changes', NEW.id); END;

-- patient_duplicates

CREATE TABLE patient_duplicates (
    id          TEXT PRIMARY KEY,  -- made by the server from the pair, so a flag made twice is one row
    patient_id  TEXT NOT NULL REFERENCES patients (id), -- the record that reached the server later
    other_id    TEXT NOT NULL REFERENCES patients (id), -- the one it was already holding
    reason      TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    -- '' while open; 'different' (two people) or 'merged' (one patient).
    resolution  TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'different', 'merged')),
    kept_id     TEXT NOT NULL DEFAULT '', -- the record a merge kept
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    CHECK (patient_id <> other_id)
) STRICT;

CREATE INDEX patient_duplicates_open ON patient_duplicates (detected_at, id) WHERE resolution = '';

CREATE INDEX patient_duplicates_other ON patient_duplicates (other_id);

CREATE TRIGGER patient_duplicates_key_fixed BEFORE UPDATE OF id ON patient_duplicates WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER patient_duplicates_merged_insert AFTER INSERT ON patient_duplicates
WHEN new.resolution = 'merged' AND new.kept_id <> ''
BEGIN
    UPDATE patients SET merged_into = coalesce((
        SELECT min(d.kept_id) FROM patient_duplicates d
        WHERE d.resolution = 'merged' AND d.kept_id <> '' AND d.kept_id <> patients.id
            AND (d.patient_id = patients.id OR d.other_id = patients.id)), '')
    WHERE id IN (new.patient_id, new.other_id);
END;

CREATE TRIGGER patient_duplicates_merged_update AFTER UPDATE OF resolution, kept_id ON patient_duplicates
BEGIN
    UPDATE patients SET merged_into = coalesce((
        SELECT min(d.kept_id) FROM patient_duplicates d
        WHERE d.resolution = 'merged' AND d.kept_id <> '' AND d.kept_id <> patients.id
            AND (d.patient_id = patients.id OR d.other_id = patients.id)), '')
    WHERE id IN (old.patient_id, old.other_id, new.patient_id, new.other_id);
END;

CREATE TRIGGER patient_duplicates_no_delete BEFORE DELETE ON patient_duplicates
BEGIN
    SELECT RAISE(ABORT, 'a flag of two patient records is decided, never deleted');
END;

CREATE TRIGGER patient_duplicates_outbox_insert AFTER INSERT ON patient_duplicates
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_duplicates', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'other_id', new.other_id, 'reason', new.reason,
        'detected_at', new.detected_at, 'resolution', new.resolution, 'kept_id', new.kept_id,
        'resolved_at', new.resolved_at, 'resolved_by', new.resolved_by, 'updated_at', new.updated_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER patient_duplicates_outbox_update AFTER UPDATE OF
    patient_id, other_id, reason, detected_at, resolution, kept_id, resolved_at, resolved_by, updated_at
ON patient_duplicates
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.other_id IS NOT new.other_id OR
        old.reason IS NOT new.reason OR old.detected_at IS NOT new.detected_at OR
        old.resolution IS NOT new.resolution OR old.kept_id IS NOT new.kept_id OR
        old.resolved_at IS NOT new.resolved_at OR old.resolved_by IS NOT new.resolved_by OR
        old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_duplicates', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'other_id', new.other_id WHERE old.other_id IS NOT new.other_id
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'detected_at', new.detected_at WHERE old.detected_at IS NOT new.detected_at
        UNION ALL SELECT 'resolution', new.resolution WHERE old.resolution IS NOT new.resolution
        UNION ALL SELECT 'kept_id', new.kept_id WHERE old.kept_id IS NOT new.kept_id
        UNION ALL SELECT 'resolved_at', new.resolved_at WHERE old.resolved_at IS NOT new.resolved_at
        UNION ALL SELECT 'resolved_by', new.resolved_by WHERE old.resolved_by IS NOT new.resolved_by
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'patient_duplicates', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER seal_patient_duplicates_del AFTER DELETE ON patient_duplicates BEGIN SELECT hms_seal('patient_duplicates', OLD.id); END;

CREATE TRIGGER seal_patient_duplicates_ins AFTER INSERT ON patient_duplicates BEGIN SELECT hms_seal('patient_duplicates', NEW.id); END;

CREATE TRIGGER seal_patient_duplicates_upd AFTER UPDATE ON patient_duplicates BEGIN SELECT hms_seal('patient_duplicates', OLD.id), hms_seal('patient_duplicates', NEW.id); END;

-- patient_events

CREATE TABLE patient_events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    ref_id     TEXT NOT NULL DEFAULT '',
    by_user    TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX patient_events_patient_at ON patient_events (patient_id, at, seq);

CREATE TRIGGER patient_events_key_fixed BEFORE UPDATE OF id ON patient_events WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER patient_events_outbox_delete AFTER DELETE ON patient_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER patient_events_outbox_insert AFTER INSERT ON patient_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'at', new.at, 'kind', new.kind,
        'summary', new.summary, 'ref_id', new.ref_id, 'by_user', new.by_user), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER patient_events_outbox_update AFTER UPDATE OF
    patient_id, at, kind, summary, ref_id, by_user
ON patient_events
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.at IS NOT new.at OR old.kind IS NOT new.kind OR
        old.summary IS NOT new.summary OR old.ref_id IS NOT new.ref_id OR old.by_user IS NOT new.by_user)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'at', new.at WHERE old.at IS NOT new.at
        UNION ALL SELECT 'kind', new.kind WHERE old.kind IS NOT new.kind
        UNION ALL SELECT 'summary', new.summary WHERE old.summary IS NOT new.summary
        UNION ALL SELECT 'ref_id', new.ref_id WHERE old.ref_id IS NOT new.ref_id
        UNION ALL SELECT 'by_user', new.by_user WHERE old.by_user IS NOT new.by_user);
END;

CREATE TRIGGER seal_patient_events_del AFTER DELETE ON patient_events BEGIN SELECT hms_seal('patient_events', OLD.id); END;

CREATE TRIGGER seal_patient_events_ins AFTER INSERT ON patient_events BEGIN SELECT hms_seal('patient_events', NEW.id); END;

CREATE TRIGGER seal_patient_events_upd AFTER UPDATE ON patient_events BEGIN SELECT hms_seal('patient_events', OLD.id), hms_seal('patient_events', NEW.id); END;

-- patient_list

CREATE TABLE patient_list (
    activity_seq      INTEGER PRIMARY KEY,
    id                TEXT NOT NULL,
    mrn               TEXT NOT NULL,
    given_name        TEXT NOT NULL,
    family_name       TEXT NOT NULL,
    sex               TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    phone             TEXT NOT NULL,
    email             TEXT NOT NULL,
    address           TEXT NOT NULL,
    national_id       TEXT NOT NULL,
    emergency_contact TEXT NOT NULL,
    emergency_phone   TEXT NOT NULL,
    blood_group       TEXT NOT NULL,
    notes             TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    last_activity_at  TEXT,
    deleted_at        TEXT,
    archive_reason    TEXT NOT NULL,
    merged_into       TEXT NOT NULL,
    language          TEXT,
    search_name       TEXT NOT NULL,
    phone_digits      TEXT NOT NULL
) STRICT;

-- patient_name_fts

CREATE VIRTUAL TABLE patient_name_fts USING fts5 (
    name, tokenize = "unicode61 remove_diacritics 2 tokenchars '_'", prefix = '1 2 3', content = '', contentless_delete = 1);

-- patient_number_fts

CREATE VIRTUAL TABLE patient_number_fts USING fts5 (
    digits, tokenize = 'trigram', content = '', contentless_delete = 1);

-- patient_purges

CREATE TABLE patient_purges (
    id             TEXT PRIMARY KEY,
    purged_patient TEXT NOT NULL CHECK (purged_patient <> ''),
    mrn            TEXT NOT NULL,
    purged_by      TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    power_sig      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX patient_purges_patient ON patient_purges (purged_patient);

CREATE TRIGGER patient_purges_no_delete BEFORE DELETE ON patient_purges
BEGIN
    SELECT RAISE(ABORT, 'a purge record is never deleted');
END;

CREATE TRIGGER patient_purges_no_update BEFORE UPDATE ON patient_purges
BEGIN
    SELECT RAISE(ABORT, 'a purge record is never changed');
END;

CREATE TRIGGER patient_purges_outbox_insert AFTER INSERT ON patient_purges
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_purges', new.id, 'insert', json_object(
        'id', new.id, 'purged_patient', new.purged_patient, 'mrn', new.mrn, 'purged_by', new.purged_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_patient_purges_del AFTER DELETE ON patient_purges BEGIN SELECT hms_seal('patient_purges', OLD.id); END;

CREATE TRIGGER seal_patient_purges_ins AFTER INSERT ON patient_purges BEGIN SELECT hms_seal('patient_purges', NEW.id); END;

CREATE TRIGGER seal_patient_purges_upd AFTER UPDATE ON patient_purges BEGIN SELECT hms_seal('patient_purges', OLD.id), hms_seal('patient_purges', NEW.id); END;

-- patients

CREATE TABLE patients (
    id          TEXT PRIMARY KEY,
    mrn         TEXT NOT NULL UNIQUE,
    given_name  TEXT NOT NULL CHECK (length(trim(given_name)) > 0),
    family_name TEXT NOT NULL CHECK (length(trim(family_name)) > 0),
    sex         TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    birth_date  TEXT NOT NULL CHECK (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    server_seq  INTEGER
, national_id TEXT NOT NULL DEFAULT '', emergency_contact TEXT NOT NULL DEFAULT '', emergency_phone TEXT NOT NULL DEFAULT '', blood_group TEXT NOT NULL DEFAULT ''
    CHECK (blood_group IN ('', 'A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-')), notes TEXT NOT NULL DEFAULT '', archive_reason TEXT NOT NULL DEFAULT '', search_name TEXT NOT NULL DEFAULT '', phone_digits TEXT NOT NULL DEFAULT '', activity_seq INTEGER, last_activity_at TEXT, merged_into TEXT NOT NULL DEFAULT '', language TEXT
    CHECK (language IS NULL OR (length(language) BETWEEN 2 AND 8 AND language = lower(language)))) STRICT;

CREATE UNIQUE INDEX patients_activity ON patients (activity_seq);

CREATE INDEX patients_birth_date ON patients (birth_date);

CREATE INDEX patients_created ON patients (created_at, id);

CREATE INDEX patients_merged_into ON patients (merged_into) WHERE merged_into <> '';

CREATE INDEX patients_phone_digits ON patients (phone_digits) WHERE phone_digits <> '';

CREATE TRIGGER appointments_patient_name AFTER UPDATE OF given_name, family_name, mrn ON patients
BEGIN
    UPDATE appointments SET patient_name = trim(new.given_name || ' ' || new.family_name), patient_mrn = new.mrn
    WHERE patient_id = new.id;
END;

CREATE TRIGGER dash_patients_delete AFTER DELETE ON patients WHEN old.deleted_at IS NULL
BEGIN
    UPDATE dash_patients SET n = n - 1
    WHERE day = date(old.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes)
        FROM dashboard_zone z WHERE z.from_at <= old.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'));
END;

CREATE TRIGGER dash_patients_insert AFTER INSERT ON patients WHEN new.deleted_at IS NULL
BEGIN
    INSERT INTO dash_patients (day, n)
    VALUES (date(new.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')), 1)
    ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dash_patients_update AFTER UPDATE OF created_at, deleted_at ON patients
WHEN new.created_at IS NOT old.created_at OR (new.deleted_at IS NULL) IS NOT (old.deleted_at IS NULL)
BEGIN
    UPDATE dash_patients SET n = n - 1
    WHERE old.deleted_at IS NULL AND day = date(old.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes)
        FROM dashboard_zone z WHERE z.from_at <= old.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'));
    INSERT INTO dash_patients (day, n)
    SELECT date(new.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')), 1
    WHERE new.deleted_at IS NULL
    ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER patient_list_delete AFTER DELETE ON patients
BEGIN
    DELETE FROM patient_list WHERE activity_seq = old.activity_seq;
END;

CREATE TRIGGER patient_list_insert AFTER INSERT ON patients WHEN new.activity_seq IS NOT NULL
BEGIN
    INSERT INTO patient_list (activity_seq, id, mrn, given_name, family_name, sex, birth_date, phone, email, address,
        national_id, emergency_contact, emergency_phone, blood_group, notes, created_at, updated_at, last_activity_at,
        deleted_at, archive_reason, merged_into, language, search_name, phone_digits)
    VALUES (new.activity_seq, new.id, new.mrn, new.given_name, new.family_name, new.sex, new.birth_date, new.phone,
        new.email, new.address, new.national_id, new.emergency_contact, new.emergency_phone, new.blood_group,
        new.notes, new.created_at, new.updated_at, new.last_activity_at, new.deleted_at, new.archive_reason,
        new.merged_into, new.language, new.search_name, new.phone_digits);
END;

CREATE TRIGGER patient_list_update AFTER UPDATE ON patients
BEGIN
    DELETE FROM patient_list WHERE activity_seq = old.activity_seq AND old.activity_seq IS NOT new.activity_seq;
    UPDATE patient_list SET id = new.id, mrn = new.mrn, given_name = new.given_name, family_name = new.family_name,
        sex = new.sex, birth_date = new.birth_date, phone = new.phone, email = new.email, address = new.address,
        national_id = new.national_id, emergency_contact = new.emergency_contact,
        emergency_phone = new.emergency_phone, blood_group = new.blood_group, notes = new.notes,
        created_at = new.created_at, updated_at = new.updated_at, last_activity_at = new.last_activity_at,
        deleted_at = new.deleted_at, archive_reason = new.archive_reason, merged_into = new.merged_into,
        language = new.language, search_name = new.search_name, phone_digits = new.phone_digits
    WHERE activity_seq = new.activity_seq AND old.activity_seq IS new.activity_seq;
    INSERT INTO patient_list (activity_seq, id, mrn, given_name, family_name, sex, birth_date, phone, email, address,
        national_id, emergency_contact, emergency_phone, blood_group, notes, created_at, updated_at, last_activity_at,
        deleted_at, archive_reason, merged_into, language, search_name, phone_digits)
    SELECT new.activity_seq, new.id, new.mrn, new.given_name, new.family_name, new.sex, new.birth_date, new.phone,
        new.email, new.address, new.national_id, new.emergency_contact, new.emergency_phone, new.blood_group,
        new.notes, new.created_at, new.updated_at, new.last_activity_at, new.deleted_at, new.archive_reason,
        new.merged_into, new.language, new.search_name, new.phone_digits
    WHERE new.activity_seq IS NOT NULL AND old.activity_seq IS NOT new.activity_seq;
END;

CREATE TRIGGER patients_key_fixed BEFORE UPDATE OF id ON patients WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER patients_outbox_delete AFTER DELETE ON patients
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'patients' AND row_id = old.id;
END;

CREATE TRIGGER patients_outbox_insert AFTER INSERT ON patients
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', new.id, 'insert', json_object(
        'id', new.id, 'mrn', new.mrn, 'given_name', new.given_name, 'family_name', new.family_name,
        'sex', new.sex, 'birth_date', new.birth_date, 'phone', new.phone, 'email', new.email,
        'address', new.address, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'national_id', new.national_id,
        'emergency_contact', new.emergency_contact, 'emergency_phone', new.emergency_phone,
        'blood_group', new.blood_group, 'notes', new.notes, 'archive_reason', new.archive_reason,
        'language', new.language), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER patients_outbox_update AFTER UPDATE OF
    mrn, given_name, family_name, sex, birth_date, phone, email, address, created_at, updated_at,
    deleted_at, national_id, emergency_contact, emergency_phone, blood_group, notes, archive_reason, language
ON patients
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.mrn IS NOT new.mrn OR old.given_name IS NOT new.given_name OR
        old.family_name IS NOT new.family_name OR old.sex IS NOT new.sex OR
        old.birth_date IS NOT new.birth_date OR old.phone IS NOT new.phone OR old.email IS NOT new.email OR
        old.address IS NOT new.address OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at OR
        old.national_id IS NOT new.national_id OR old.emergency_contact IS NOT new.emergency_contact OR
        old.emergency_phone IS NOT new.emergency_phone OR old.blood_group IS NOT new.blood_group OR
        old.notes IS NOT new.notes OR old.archive_reason IS NOT new.archive_reason OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'mrn' AS field, new.mrn AS value WHERE old.mrn IS NOT new.mrn
        UNION ALL SELECT 'given_name', new.given_name WHERE old.given_name IS NOT new.given_name
        UNION ALL SELECT 'family_name', new.family_name WHERE old.family_name IS NOT new.family_name
        UNION ALL SELECT 'sex', new.sex WHERE old.sex IS NOT new.sex
        UNION ALL SELECT 'birth_date', new.birth_date WHERE old.birth_date IS NOT new.birth_date
        UNION ALL SELECT 'phone', new.phone WHERE old.phone IS NOT new.phone
        UNION ALL SELECT 'email', new.email WHERE old.email IS NOT new.email
        UNION ALL SELECT 'address', new.address WHERE old.address IS NOT new.address
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'national_id', new.national_id WHERE old.national_id IS NOT new.national_id
        UNION ALL SELECT 'emergency_contact', new.emergency_contact WHERE old.emergency_contact IS NOT new.emergency_contact
        UNION ALL SELECT 'emergency_phone', new.emergency_phone WHERE old.emergency_phone IS NOT new.emergency_phone
        UNION ALL SELECT 'blood_group', new.blood_group WHERE old.blood_group IS NOT new.blood_group
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'archive_reason', new.archive_reason WHERE old.archive_reason IS NOT new.archive_reason
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'patients', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER patients_search_delete AFTER DELETE ON patients
BEGIN
    DELETE FROM patient_name_fts WHERE rowid = old.activity_seq;
    DELETE FROM patient_number_fts WHERE rowid = old.activity_seq;
END;

CREATE TRIGGER patients_search_insert AFTER INSERT ON patients
WHEN (SELECT search_deferred FROM sync_meta) IS NOT 1
BEGIN
    INSERT INTO patient_name_fts (rowid, name) VALUES (new.activity_seq, new.search_name);
    INSERT INTO patient_number_fts (rowid, digits) VALUES (new.activity_seq, new.phone_digits || ' ' || substr(new.mrn, -6));
END;

CREATE TRIGGER patients_search_update AFTER UPDATE OF activity_seq, search_name, phone_digits ON patients
BEGIN
    DELETE FROM patient_name_fts WHERE rowid = old.activity_seq;
    DELETE FROM patient_number_fts WHERE rowid = old.activity_seq;
    INSERT INTO patient_name_fts (rowid, name) VALUES (new.activity_seq, new.search_name);
    INSERT INTO patient_number_fts (rowid, digits) VALUES (new.activity_seq, new.phone_digits || ' ' || substr(new.mrn, -6));
END;

CREATE TRIGGER seal_patients_del AFTER DELETE ON patients BEGIN SELECT hms_seal('patients', OLD.id); END;

CREATE TRIGGER seal_patients_ins AFTER INSERT ON patients BEGIN SELECT hms_seal('patients', NEW.id); END;

CREATE TRIGGER seal_patients_upd AFTER UPDATE ON patients BEGIN SELECT hms_seal('patients', OLD.id), hms_seal('patients', NEW.id); END;

-- payment_allocations

CREATE TABLE payment_allocations (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, invoice_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX payment_allocations_invoice ON payment_allocations (invoice_id, payment_id);

CREATE TRIGGER dash_allocated_insert AFTER INSERT ON payment_allocations
WHEN (SELECT status FROM invoices WHERE id = new.invoice_id) NOT IN ('draft', 'void')
    AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = new.payment_id)
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded, allocated)
    VALUES ('all', '', 0, 0, 0, 0, new.amount)
    ON CONFLICT (day, method) DO UPDATE SET allocated = allocated + excluded.allocated;
END;

CREATE TRIGGER payment_allocations_issued BEFORE INSERT ON payment_allocations
WHEN ((SELECT status FROM invoices WHERE id = new.invoice_id) NOT IN ('issued', 'partially_paid'))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'only issued, unpaid invoices take payments');
END;

CREATE TRIGGER payment_allocations_no_delete BEFORE DELETE ON payment_allocations
BEGIN
    SELECT RAISE(ABORT, 'a payment''s allocation is never deleted');
END;

CREATE TRIGGER payment_allocations_no_update BEFORE UPDATE ON payment_allocations
BEGIN
    SELECT RAISE(ABORT, 'a payment''s allocation is never changed');
END;

CREATE TRIGGER payment_allocations_outbox_insert AFTER INSERT ON payment_allocations
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'payment_allocations', new.payment_id || '/' || new.invoice_id, 'insert', json_object(
        'payment_id', new.payment_id, 'invoice_id', new.invoice_id, 'amount', new.amount), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_payment_allocations_del AFTER DELETE ON payment_allocations BEGIN SELECT hms_seal('payment_allocations', OLD.payment_id || '/' || OLD.invoice_id); END;

CREATE TRIGGER seal_payment_allocations_ins AFTER INSERT ON payment_allocations BEGIN SELECT hms_seal('payment_allocations', NEW.payment_id || '/' || NEW.invoice_id); END;

CREATE TRIGGER seal_payment_allocations_upd AFTER UPDATE ON payment_allocations BEGIN SELECT hms_seal('payment_allocations', OLD.payment_id || '/' || OLD.invoice_id), hms_seal('payment_allocations', NEW.payment_id || '/' || NEW.invoice_id); END;

-- payments

CREATE TABLE payments (
    id             TEXT PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    patient_name   TEXT NOT NULL,
    patient_mrn    TEXT NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'bank_transfer', 'insurance', 'other')),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    tendered       INTEGER NOT NULL DEFAULT 0 CHECK (tendered >= 0),
    change_given   INTEGER NOT NULL DEFAULT 0 CHECK (change_given >= 0),
    reference      TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    cashier_id     TEXT NOT NULL DEFAULT '',
    cashier_name   TEXT NOT NULL DEFAULT '',
    taken_at       TEXT NOT NULL,
    reversal_of    TEXT REFERENCES payments (id),
    reason         TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER,
    CHECK (reversal_of IS NULL OR length(trim(reason)) > 0),
    CHECK (method = 'cash' OR (tendered = 0 AND change_given = 0)),
    CHECK (method <> 'cash' OR reversal_of IS NOT NULL OR (tendered >= amount AND change_given = tendered - amount))
) STRICT;

CREATE INDEX payments_cashier ON payments (cashier_id, taken_at, id);

CREATE INDEX payments_patient ON payments (patient_id, taken_at, id);

CREATE INDEX payments_reversal ON payments (reversal_of, created_at, id) WHERE reversal_of IS NOT NULL;

CREATE INDEX payments_taken ON payments (taken_at, id);

CREATE TRIGGER dash_allocated_refund AFTER INSERT ON payments WHEN new.reversal_of IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = new.reversal_of AND r.id <> new.id)
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded, allocated)
    SELECT 'all', '', 0, 0, 0, 0, s.amount
    FROM (SELECT -sum(a.amount) AS amount
        FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.payment_id = new.reversal_of AND i.status NOT IN ('draft', 'void')) s
    WHERE s.amount IS NOT NULL
    ON CONFLICT (day, method) DO UPDATE SET allocated = allocated + excluded.allocated;
END;

CREATE TRIGGER dash_payments_insert AFTER INSERT ON payments WHEN new.deleted_at IS NULL
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded)
    VALUES (date(new.taken_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.taken_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')), new.method,
        new.reversal_of IS NULL, iif(new.reversal_of IS NULL, new.amount, 0),
        new.reversal_of IS NOT NULL, iif(new.reversal_of IS NULL, 0, new.amount))
    ON CONFLICT (day, method) DO UPDATE SET n = n + excluded.n, taken = taken + excluded.taken,
        refunds = refunds + excluded.refunds, refunded = refunded + excluded.refunded;
END;

CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment is never deleted: refund it with a reversal');
END;

CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment is never changed: refund it with a reversal');
END;

CREATE TRIGGER payments_outbox_insert AFTER INSERT ON payments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'payments', new.id, 'insert', json_object(
        'id', new.id, 'receipt_number', new.receipt_number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn, 'method', new.method,
        'amount', new.amount, 'tendered', new.tendered, 'change_given', new.change_given,
        'reference', new.reference, 'currency', new.currency, 'cashier_id', new.cashier_id,
        'cashier_name', new.cashier_name, 'taken_at', new.taken_at, 'reversal_of', new.reversal_of,
        'reason', new.reason, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER payments_reversal_matches BEFORE INSERT ON payments
WHEN new.reversal_of IS NOT NULL AND EXISTS (SELECT 1 FROM payments o WHERE o.id = new.reversal_of
    AND (o.reversal_of IS NOT NULL OR o.patient_id <> new.patient_id OR o.amount <> new.amount
        OR o.currency <> new.currency OR o.method <> new.method))
BEGIN
    SELECT RAISE(ABORT, 'a refund must reverse its payment whole: the same patient, amount, currency and method');
END;

CREATE TRIGGER seal_payments_del AFTER DELETE ON payments BEGIN SELECT hms_seal('payments', OLD.id); END;

CREATE TRIGGER seal_payments_ins AFTER INSERT ON payments BEGIN SELECT hms_seal('payments', NEW.id); END;

CREATE TRIGGER seal_payments_upd AFTER UPDATE ON payments BEGIN SELECT hms_seal('payments', OLD.id), hms_seal('payments', NEW.id); END;

-- power_sigs

CREATE TABLE power_sigs (
    id         TEXT PRIMARY KEY,
    entity     TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    field      TEXT NOT NULL,
    sig        TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (id = entity || '/' || field || '/' || row_id)
) STRICT;

CREATE TRIGGER power_sigs_id_fixed BEFORE UPDATE OF id, entity, row_id, field ON power_sigs
WHEN new.id IS NOT old.id OR new.entity IS NOT old.entity OR new.row_id IS NOT old.row_id OR new.field IS NOT old.field
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER power_sigs_outbox_delete AFTER DELETE ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'power_sigs' AND row_id = old.id;
END;

CREATE TRIGGER power_sigs_outbox_insert AFTER INSERT ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'insert', json_object(
        'id', new.id, 'entity', new.entity, 'row_id', new.row_id, 'field', new.field, 'sig', new.sig,
        'updated_at', new.updated_at), hms_tx_hlc()
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'power_sigs', new.id, 'sig', hms_tx_hlc(), site_id, '[]' FROM sync_meta WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER power_sigs_outbox_update AFTER UPDATE OF entity, row_id, field, sig, updated_at ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL AND (old.entity IS NOT new.entity OR old.row_id IS NOT new.row_id OR
        old.field IS NOT new.field OR old.sig IS NOT new.sig OR old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'entity' AS field, new.entity AS value WHERE old.entity IS NOT new.entity
        UNION ALL SELECT 'row_id', new.row_id WHERE old.row_id IS NOT new.row_id
        UNION ALL SELECT 'field', new.field WHERE old.field IS NOT new.field
        UNION ALL SELECT 'sig', new.sig WHERE old.sig IS NOT new.sig
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'power_sigs', new.id, f.key, o.hlc, m.site_id, '[]'
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER seal_power_sigs_del AFTER DELETE ON power_sigs BEGIN SELECT hms_seal('power_sigs', OLD.id); END;

CREATE TRIGGER seal_power_sigs_ins AFTER INSERT ON power_sigs BEGIN SELECT hms_seal('power_sigs', NEW.id); END;

CREATE TRIGGER seal_power_sigs_upd AFTER UPDATE ON power_sigs BEGIN SELECT hms_seal('power_sigs', OLD.id), hms_seal('power_sigs', NEW.id); END;

-- prescriber_registrations

CREATE TABLE prescriber_registrations (
    id                  TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES users (id),
    registration_number TEXT NOT NULL CHECK (length(registration_number) <= 40),
    recorded_by         TEXT NOT NULL DEFAULT '',
    recorded_by_name    TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT
) STRICT;

CREATE INDEX prescriber_registrations_user ON prescriber_registrations (user_id, created_at);

CREATE TRIGGER prescriber_registrations_no_delete BEFORE DELETE ON prescriber_registrations
BEGIN
    SELECT RAISE(ABORT, 'a registration number is never deleted: record the new one');
END;

CREATE TRIGGER prescriber_registrations_no_update BEFORE UPDATE ON prescriber_registrations
BEGIN
    SELECT RAISE(ABORT, 'a registration number is never changed: record the new one');
END;

CREATE TRIGGER prescriber_registrations_outbox_insert AFTER INSERT ON prescriber_registrations
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescriber_registrations', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'registration_number', new.registration_number,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_prescriber_registrations_del AFTER DELETE ON prescriber_registrations BEGIN SELECT hms_seal('prescriber_registrations', OLD.id); END;

CREATE TRIGGER seal_prescriber_registrations_ins AFTER INSERT ON prescriber_registrations BEGIN SELECT hms_seal('prescriber_registrations', NEW.id); END;

CREATE TRIGGER seal_prescriber_registrations_upd AFTER UPDATE ON prescriber_registrations BEGIN SELECT hms_seal('prescriber_registrations', OLD.id), hms_seal('prescriber_registrations', NEW.id); END;

-- prescription_items

CREATE TABLE prescription_items (
    id              TEXT PRIMARY KEY,
    prescription_id TEXT NOT NULL REFERENCES prescriptions (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    position        INTEGER NOT NULL CHECK (position BETWEEN 1 AND 20),
    drug            TEXT NOT NULL CHECK (length(trim(drug)) BETWEEN 1 AND 200),
    strength        TEXT NOT NULL DEFAULT '' CHECK (length(strength) <= 100),
    dose            TEXT NOT NULL CHECK (length(trim(dose)) BETWEEN 1 AND 100),
    route           TEXT NOT NULL DEFAULT '' CHECK (length(route) <= 100),
    frequency       TEXT NOT NULL DEFAULT '' CHECK (length(frequency) <= 100),
    duration        TEXT NOT NULL DEFAULT '' CHECK (length(duration) <= 100),
    quantity        TEXT NOT NULL DEFAULT '' CHECK (length(quantity) <= 100),
    instructions    TEXT NOT NULL DEFAULT '' CHECK (length(instructions) <= 1000),
    UNIQUE (prescription_id, position)
) STRICT;

CREATE INDEX prescription_items_patient ON prescription_items (patient_id, prescription_id, position);

CREATE TRIGGER prescription_items_no_delete BEFORE DELETE ON prescription_items
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never deleted: cancel with a reason');
END;

CREATE TRIGGER prescription_items_no_update BEFORE UPDATE ON prescription_items
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never changed: cancel and issue a new one');
END;

CREATE TRIGGER prescription_items_outbox_insert AFTER INSERT ON prescription_items
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescription_items', new.id, 'insert', json_object(
        'id', new.id, 'prescription_id', new.prescription_id, 'patient_id', new.patient_id,
        'position', new.position, 'drug', new.drug, 'strength', new.strength, 'dose', new.dose,
        'route', new.route, 'frequency', new.frequency, 'duration', new.duration,
        'quantity', new.quantity, 'instructions', new.instructions), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_prescription_items_del AFTER DELETE ON prescription_items BEGIN SELECT hms_seal('prescription_items', OLD.id); END;

CREATE TRIGGER seal_prescription_items_ins AFTER INSERT ON prescription_items BEGIN SELECT hms_seal('prescription_items', NEW.id); END;

CREATE TRIGGER seal_prescription_items_upd AFTER UPDATE ON prescription_items BEGIN SELECT hms_seal('prescription_items', OLD.id), hms_seal('prescription_items', NEW.id); END;

-- prescription_status_events

CREATE TABLE prescription_status_events (
    id              TEXT PRIMARY KEY,
    prescription_id TEXT NOT NULL REFERENCES prescriptions (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    status          TEXT NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
    reason          TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    by_user         TEXT NOT NULL REFERENCES users (id),
    by_name         TEXT NOT NULL,
    at              TEXT NOT NULL,
    CHECK (status <> 'cancelled' OR length(trim(reason)) > 0)
) STRICT;

CREATE UNIQUE INDEX prescription_status_final ON prescription_status_events (prescription_id) WHERE status <> 'active';

CREATE UNIQUE INDEX prescription_status_issued ON prescription_status_events (prescription_id) WHERE status = 'active';

CREATE INDEX prescription_status_patient ON prescription_status_events (patient_id);

CREATE TRIGGER prescription_status_events_outbox_insert AFTER INSERT ON prescription_status_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescription_status_events', new.id, 'insert', json_object(
        'id', new.id, 'prescription_id', new.prescription_id, 'patient_id', new.patient_id,
        'status', new.status, 'reason', new.reason, 'by_user', new.by_user, 'by_name', new.by_name,
        'at', new.at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER prescription_status_no_delete BEFORE DELETE ON prescription_status_events
BEGIN
    SELECT RAISE(ABORT, 'a prescription''s status history is append-only');
END;

CREATE TRIGGER prescription_status_no_update BEFORE UPDATE ON prescription_status_events
BEGIN
    SELECT RAISE(ABORT, 'a prescription''s status history is append-only');
END;

CREATE TRIGGER prescription_status_order BEFORE INSERT ON prescription_status_events
WHEN new.status <> 'active' AND NOT EXISTS (
    SELECT 1 FROM prescription_status_events e WHERE e.prescription_id = new.prescription_id AND e.status = 'active')
BEGIN
    SELECT RAISE(ABORT, 'a prescription is completed or cancelled only after it was issued');
END;

CREATE TRIGGER seal_prescription_status_events_del AFTER DELETE ON prescription_status_events BEGIN SELECT hms_seal('prescription_status_events', OLD.id); END;

CREATE TRIGGER seal_prescription_status_events_ins AFTER INSERT ON prescription_status_events BEGIN SELECT hms_seal('prescription_status_events', NEW.id); END;

CREATE TRIGGER seal_prescription_status_events_upd AFTER UPDATE ON prescription_status_events BEGIN SELECT hms_seal('prescription_status_events', OLD.id), hms_seal('prescription_status_events', NEW.id); END;

-- prescriptions

CREATE TABLE prescriptions (
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE CHECK (number GLOB 'RX-*-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]*'),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    doctor_id       TEXT NOT NULL REFERENCES users (id),
    doctor_name     TEXT NOT NULL CHECK (length(trim(doctor_name)) > 0),
    notes           TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    allergy_warning TEXT NOT NULL DEFAULT '' CHECK (length(allergy_warning) <= 4000),
    created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX prescriptions_patient ON prescriptions (patient_id, created_at, id);

CREATE TRIGGER prescriptions_no_delete BEFORE DELETE ON prescriptions
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never deleted: cancel with a reason');
END;

CREATE TRIGGER prescriptions_no_update BEFORE UPDATE ON prescriptions
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never changed: cancel and issue a new one');
END;

CREATE TRIGGER prescriptions_outbox_insert AFTER INSERT ON prescriptions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescriptions', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id,
        'doctor_name', new.doctor_name, 'notes', new.notes, 'allergy_warning', new.allergy_warning,
        'created_at', new.created_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_prescriptions_del AFTER DELETE ON prescriptions BEGIN SELECT hms_seal('prescriptions', OLD.id); END;

CREATE TRIGGER seal_prescriptions_ins AFTER INSERT ON prescriptions BEGIN SELECT hms_seal('prescriptions', NEW.id); END;

CREATE TRIGGER seal_prescriptions_upd AFTER UPDATE ON prescriptions BEGIN SELECT hms_seal('prescriptions', OLD.id), hms_seal('prescriptions', NEW.id); END;

-- price_items

CREATE TABLE price_items (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 30 AND code = upper(code)),
    version        INTEGER NOT NULL CHECK (version >= 1),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    search_name    TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL CHECK (kind IN ('consultation', 'procedure', 'lab', 'medicine', 'other')),
    price          INTEGER NOT NULL CHECK (price >= 0),
    tax_rate       INTEGER NOT NULL CHECK (tax_rate BETWEEN 0 AND 10000),
    doctor_id      TEXT REFERENCES users (id),
    specialization TEXT NOT NULL DEFAULT '' CHECK (length(specialization) <= 100),
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    valid_from     TEXT NOT NULL,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER, power_sig TEXT NOT NULL DEFAULT '',
    UNIQUE (code, version)
) STRICT;

CREATE INDEX price_items_code ON price_items (code, valid_from);

CREATE INDEX price_items_doctor ON price_items (kind, doctor_id, valid_from);

CREATE TRIGGER price_items_no_delete BEFORE DELETE ON price_items
BEGIN
    SELECT RAISE(ABORT, 'a price list version is never deleted: retire the item');
END;

CREATE TRIGGER price_items_no_update BEFORE UPDATE ON price_items
BEGIN
    SELECT RAISE(ABORT, 'a price list version is never changed: add a new version');
END;

CREATE TRIGGER price_items_outbox_insert AFTER INSERT ON price_items
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'price_items', new.id, 'insert', json_object(
        'id', new.id, 'code', new.code, 'version', new.version, 'name', new.name, 'kind', new.kind,
        'price', new.price, 'tax_rate', new.tax_rate, 'doctor_id', new.doctor_id,
        'specialization', new.specialization, 'active', new.active, 'valid_from', new.valid_from,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_price_items_del AFTER DELETE ON price_items BEGIN SELECT hms_seal('price_items', OLD.id); END;

CREATE TRIGGER seal_price_items_ins AFTER INSERT ON price_items BEGIN SELECT hms_seal('price_items', NEW.id); END;

CREATE TRIGGER seal_price_items_upd AFTER UPDATE ON price_items BEGIN SELECT hms_seal('price_items', OLD.id), hms_seal('price_items', NEW.id); END;

-- problems

CREATE TABLE problems (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    condition        TEXT NOT NULL CHECK (length(trim(condition)) BETWEEN 1 AND 200),
    onset            TEXT NOT NULL DEFAULT '' CHECK (onset = '' OR onset GLOB '[0-9][0-9][0-9][0-9]'
                         OR onset GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'
                         OR onset GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    status           TEXT NOT NULL CHECK (status IN ('active', 'resolved')),
    resolved_on      TEXT NOT NULL DEFAULT '' CHECK (resolved_on = ''
                         OR resolved_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    notes            TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    CHECK (status = 'resolved' OR resolved_on = '')
) STRICT;

CREATE INDEX problems_patient ON problems (patient_id, created_at, id);

CREATE TRIGGER problems_key_fixed BEFORE UPDATE OF id ON problems WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER problems_outbox_delete AFTER DELETE ON problems
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER problems_outbox_insert AFTER INSERT ON problems
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'condition', new.condition, 'onset', new.onset,
        'status', new.status, 'resolved_on', new.resolved_on, 'notes', new.notes,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER problems_outbox_update AFTER UPDATE OF
    patient_id, condition, onset, status, resolved_on, notes, recorded_by, recorded_by_name,
    created_at, updated_at, deleted_at
ON problems
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.condition IS NOT new.condition OR
        old.onset IS NOT new.onset OR old.status IS NOT new.status OR old.resolved_on IS NOT new.resolved_on OR
        old.notes IS NOT new.notes OR old.recorded_by IS NOT new.recorded_by OR
        old.recorded_by_name IS NOT new.recorded_by_name OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'condition', new.condition WHERE old.condition IS NOT new.condition
        UNION ALL SELECT 'onset', new.onset WHERE old.onset IS NOT new.onset
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'resolved_on', new.resolved_on WHERE old.resolved_on IS NOT new.resolved_on
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER seal_problems_del AFTER DELETE ON problems BEGIN SELECT hms_seal('problems', OLD.id); END;

CREATE TRIGGER seal_problems_ins AFTER INSERT ON problems BEGIN SELECT hms_seal('problems', NEW.id); END;

CREATE TRIGGER seal_problems_upd AFTER UPDATE ON problems BEGIN SELECT hms_seal('problems', OLD.id), hms_seal('problems', NEW.id); END;

-- pushed_rows

CREATE TABLE pushed_rows (
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    txid   INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (entity, row_id)
) STRICT, WITHOUT ROWID;

-- queue_calls

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

CREATE INDEX queue_calls_appointment ON queue_calls (appointment_id);

CREATE INDEX queue_calls_called ON queue_calls (called_at);

CREATE INDEX queue_calls_doctor ON queue_calls (doctor_id, called_at);

CREATE TRIGGER queue_calls_no_delete BEFORE DELETE ON queue_calls
BEGIN
    SELECT RAISE(ABORT, 'a call of the queue is never deleted');
END;

CREATE TRIGGER queue_calls_no_update BEFORE UPDATE ON queue_calls
BEGIN
    SELECT RAISE(ABORT, 'a call of the queue is never changed');
END;

CREATE TRIGGER queue_calls_outbox_insert AFTER INSERT ON queue_calls
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'queue_calls', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'token', new.token, 'room', new.room,
        'doctor_id', new.doctor_id, 'doctor_name', new.doctor_name, 'called_at', new.called_at,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_queue_calls_del AFTER DELETE ON queue_calls BEGIN SELECT hms_seal('queue_calls', OLD.id); END;

CREATE TRIGGER seal_queue_calls_ins AFTER INSERT ON queue_calls BEGIN SELECT hms_seal('queue_calls', NEW.id); END;

CREATE TRIGGER seal_queue_calls_upd AFTER UPDATE ON queue_calls BEGIN SELECT hms_seal('queue_calls', OLD.id), hms_seal('queue_calls', NEW.id); END;

-- queue_tokens

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

CREATE INDEX queue_tokens_appointment ON queue_tokens (appointment_id, created_at);

CREATE INDEX queue_tokens_desk_day ON queue_tokens (day, desk, n);

CREATE TRIGGER queue_tokens_no_delete BEFORE DELETE ON queue_tokens
BEGIN
    SELECT RAISE(ABORT, 'a queue token is never deleted');
END;

CREATE TRIGGER queue_tokens_no_update BEFORE UPDATE ON queue_tokens
BEGIN
    SELECT RAISE(ABORT, 'a queue token is never changed');
END;

CREATE TRIGGER queue_tokens_outbox_insert AFTER INSERT ON queue_tokens
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'queue_tokens', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'day', new.day, 'desk', new.desk, 'n', new.n,
        'token', new.token, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_queue_tokens_del AFTER DELETE ON queue_tokens BEGIN SELECT hms_seal('queue_tokens', OLD.id); END;

CREATE TRIGGER seal_queue_tokens_ins AFTER INSERT ON queue_tokens BEGIN SELECT hms_seal('queue_tokens', NEW.id); END;

CREATE TRIGGER seal_queue_tokens_upd AFTER UPDATE ON queue_tokens BEGIN SELECT hms_seal('queue_tokens', OLD.id), hms_seal('queue_tokens', NEW.id); END;

-- receipts

CREATE TABLE receipts (
    payment_id TEXT PRIMARY KEY REFERENCES payments (id),
    data       TEXT NOT NULL,
    pdf        BLOB NOT NULL,
    printed_by TEXT NOT NULL DEFAULT '',
    printed_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
BEGIN
    SELECT RAISE(ABORT, 'a printed receipt is never deleted');
END;

CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts
BEGIN
    SELECT RAISE(ABORT, 'a printed receipt is never changed');
END;

CREATE TRIGGER receipts_outbox_insert AFTER INSERT ON receipts
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'receipts', new.payment_id, 'insert', json_object(
        'payment_id', new.payment_id, 'data', new.data, 'printed_by', new.printed_by,
        'printed_at', new.printed_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_receipts_del AFTER DELETE ON receipts BEGIN SELECT hms_seal('receipts', OLD.payment_id); END;

CREATE TRIGGER seal_receipts_ins AFTER INSERT ON receipts BEGIN SELECT hms_seal('receipts', NEW.payment_id); END;

CREATE TRIGGER seal_receipts_upd AFTER UPDATE ON receipts BEGIN SELECT hms_seal('receipts', OLD.payment_id), hms_seal('receipts', NEW.payment_id); END;

-- report_files

CREATE TABLE report_files (
    report_id TEXT PRIMARY KEY REFERENCES reports (id),
    content   BLOB NOT NULL CHECK (length(content) BETWEEN 1 AND 26214400)
) STRICT;

CREATE TRIGGER report_files_no_delete BEFORE DELETE ON report_files
BEGIN
    SELECT RAISE(ABORT, 'report files are never deleted');
END;

CREATE TRIGGER report_files_no_update BEFORE UPDATE ON report_files
BEGIN
    SELECT RAISE(ABORT, 'report files are never changed');
END;

CREATE TRIGGER report_files_outbox_insert AFTER INSERT ON report_files
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'report_files', new.report_id, 'insert', json_object(
        'report_id', new.report_id), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_report_files_del AFTER DELETE ON report_files BEGIN SELECT hms_seal('report_files', OLD.report_id); END;

CREATE TRIGGER seal_report_files_ins AFTER INSERT ON report_files BEGIN SELECT hms_seal('report_files', NEW.report_id); END;

CREATE TRIGGER seal_report_files_upd AFTER UPDATE ON report_files BEGIN SELECT hms_seal('report_files', OLD.report_id), hms_seal('report_files', NEW.report_id); END;

-- reports

CREATE TABLE reports (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    title            TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 200),
    type             TEXT NOT NULL CHECK (type IN ('lab', 'imaging', 'discharge_summary', 'other')),
    report_date      TEXT NOT NULL CHECK (report_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    file_name        TEXT NOT NULL CHECK (length(trim(file_name)) BETWEEN 1 AND 255
                         AND instr(file_name, '/') = 0 AND instr(file_name, '\') = 0),
    media_type       TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg', 'text/plain')),
    size             INTEGER NOT NULL CHECK (size BETWEEN 1 AND 26214400), -- app.MaxReportBytes
    sha256           TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    -- Who attached it: the account, and the person's name as it was then.
    uploaded_by      TEXT NOT NULL REFERENCES users (id),
    uploaded_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    deleted_at       TEXT,
    server_seq       INTEGER
) STRICT;

CREATE INDEX reports_patient ON reports (patient_id, report_date, id);

CREATE TRIGGER reports_no_delete BEFORE DELETE ON reports
BEGIN
    SELECT RAISE(ABORT, 'reports are never deleted');
END;

CREATE TRIGGER reports_no_update BEFORE UPDATE ON reports
WHEN old.server_seq IS NOT NULL OR new.server_seq IS NULL
    OR new.id IS NOT old.id OR new.patient_id IS NOT old.patient_id OR new.title IS NOT old.title
    OR new.type IS NOT old.type OR new.report_date IS NOT old.report_date OR new.file_name IS NOT old.file_name
    OR new.media_type IS NOT old.media_type OR new.size IS NOT old.size OR new.sha256 IS NOT old.sha256
    OR new.uploaded_by IS NOT old.uploaded_by OR new.uploaded_by_name IS NOT old.uploaded_by_name
    OR new.created_at IS NOT old.created_at OR new.deleted_at IS NOT old.deleted_at
BEGIN
    SELECT RAISE(ABORT, 'reports are never changed');
END;

CREATE TRIGGER reports_outbox_insert AFTER INSERT ON reports
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'reports', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'title', new.title, 'type', new.type,
        'report_date', new.report_date, 'file_name', new.file_name, 'media_type', new.media_type,
        'size', new.size, 'sha256', new.sha256, 'uploaded_by', new.uploaded_by,
        'uploaded_by_name', new.uploaded_by_name, 'created_at', new.created_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_reports_del AFTER DELETE ON reports BEGIN SELECT hms_seal('reports', OLD.id); END;

CREATE TRIGGER seal_reports_ins AFTER INSERT ON reports BEGIN SELECT hms_seal('reports', NEW.id); END;

CREATE TRIGGER seal_reports_upd AFTER UPDATE ON reports BEGIN SELECT hms_seal('reports', OLD.id), hms_seal('reports', NEW.id); END;

-- schema_migrations

CREATE TABLE schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;

-- series

CREATE TABLE series (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL CHECK (next >= 1)
) STRICT;

-- settings

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
, power_sig TEXT NOT NULL DEFAULT '') STRICT;

CREATE TRIGGER seal_settings_del AFTER DELETE ON settings BEGIN SELECT hms_seal('settings', OLD.key); END;

CREATE TRIGGER seal_settings_ins AFTER INSERT ON settings BEGIN SELECT hms_seal('settings', NEW.key); END;

CREATE TRIGGER seal_settings_upd AFTER UPDATE ON settings BEGIN SELECT hms_seal('settings', OLD.key), hms_seal('settings', NEW.key); END;

CREATE TRIGGER settings_key_fixed BEFORE UPDATE OF key ON settings WHEN new.key IS NOT old.key
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER settings_outbox_delete AFTER DELETE ON settings
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', old.key, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'settings' AND row_id = old.key;
END;

CREATE TRIGGER settings_outbox_insert AFTER INSERT ON settings
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'insert', json_object(
        'key', new.key, 'value', new.value, 'updated_at', new.updated_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'settings', new.key, f.field, hms_tx_hlc(), site_id, '[]' FROM sync_meta, (SELECT 'value' AS field UNION ALL SELECT 'power_sig') f
    WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER settings_outbox_update AFTER UPDATE OF
    value, updated_at, power_sig
ON settings
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.value IS NOT new.value OR old.updated_at IS NOT new.updated_at OR old.power_sig IS NOT new.power_sig)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'value' AS field, new.value AS value WHERE old.value IS NOT new.value
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'settings', new.key, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

-- sync_meta

CREATE TABLE sync_meta (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    site_id          TEXT NOT NULL CHECK (site_id <> ''),
    -- The desk's code in number series, given by enrollment; until then
    -- NULL, and the desk numbers with data.Options.DeskCode.
    desk_code        TEXT CHECK (desk_code <> ''),
    -- The newest hybrid logical clock reading this desk has stamped a
    -- change with or taken in from the server (sync.Timestamp's text, which
    -- sorts in clock order); the clock resumes above it after a restart.
    last_hlc         TEXT NOT NULL DEFAULT '',
    -- The reading of the write transaction in progress; NULL outside one.
    clock_offset_ms  INTEGER NOT NULL DEFAULT 0,
    -- The server's epoch as last seen: a different one means the server was
    -- restored or replaced.
    server_epoch     TEXT,
    -- The pull cursor: the last (txid, seq) of the server's change log
    -- applied here.
    pull_txid        INTEGER NOT NULL DEFAULT 0 CHECK (pull_txid >= 0),
    pull_seq         INTEGER NOT NULL DEFAULT 0 CHECK (pull_seq >= 0),
    -- The last audit_log.seq the server has acknowledged.
    audit_pushed_seq INTEGER NOT NULL DEFAULT 0 CHECK (audit_pushed_seq >= 0)
, server_url TEXT CHECK (server_url <> ''), applying INTEGER NOT NULL DEFAULT 0 CHECK (applying IN (0, 1)), last_synced_at TEXT, failing_since TEXT, last_sync_error TEXT NOT NULL DEFAULT '', server_secret BLOB, acked_seq INTEGER NOT NULL DEFAULT 0 CHECK (acked_seq >= 0), sent_pruned_seq INTEGER NOT NULL DEFAULT 0 CHECK (sent_pruned_seq >= 0), search_deferred INTEGER NOT NULL DEFAULT 0 CHECK (search_deferred IN (0, 1)), audit_generation INTEGER NOT NULL DEFAULT 0 CHECK (audit_generation >= 0), download_entity TEXT NOT NULL DEFAULT '', download_row TEXT NOT NULL DEFAULT '', trust_root TEXT, first_keys_until TEXT, clock_checked_ms INTEGER NOT NULL DEFAULT 0, clock_usual_ms INTEGER, outbox_seq_floor INTEGER NOT NULL DEFAULT 0 CHECK (outbox_seq_floor >= 0)) STRICT;

-- trust_baseline

CREATE TABLE trust_baseline (
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (entity, row_id)
) STRICT;

-- trust_extensions

CREATE TABLE trust_extensions (
    id         TEXT PRIMARY KEY,
    entries    TEXT NOT NULL CHECK (json_valid(entries)),
    signed_by  TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    power_sig  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TRIGGER seal_trust_extensions_del AFTER DELETE ON trust_extensions BEGIN SELECT hms_seal('trust_extensions', OLD.id); END;

CREATE TRIGGER seal_trust_extensions_ins AFTER INSERT ON trust_extensions BEGIN SELECT hms_seal('trust_extensions', NEW.id); END;

CREATE TRIGGER seal_trust_extensions_upd AFTER UPDATE ON trust_extensions BEGIN SELECT hms_seal('trust_extensions', OLD.id), hms_seal('trust_extensions', NEW.id); END;

CREATE TRIGGER trust_extensions_no_delete BEFORE DELETE ON trust_extensions
BEGIN
    SELECT RAISE(ABORT, 'a trust extension is never deleted');
END;

CREATE TRIGGER trust_extensions_no_update BEFORE UPDATE ON trust_extensions
BEGIN
    SELECT RAISE(ABORT, 'a trust extension is never changed');
END;

CREATE TRIGGER trust_extensions_outbox_insert AFTER INSERT ON trust_extensions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'trust_extensions', new.id, 'insert', json_object(
        'id', new.id, 'entries', new.entries, 'signed_by', new.signed_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER trust_extensions_vouch AFTER INSERT ON trust_extensions
BEGIN
    INSERT INTO trust_baseline (entity, row_id, digest)
    SELECT json_extract(value, '$.entity'), json_extract(value, '$.row'), json_extract(value, '$.digest')
    FROM json_each(new.entries)
    WHERE true
    ON CONFLICT (entity, row_id) DO NOTHING;
END;

-- trust_keys

CREATE TABLE trust_keys (
    fingerprint TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    source      TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;

-- trust_legacy

CREATE TABLE trust_legacy (
    entity       TEXT NOT NULL,
    row_id       TEXT NOT NULL,
    extension_id TEXT,
    PRIMARY KEY (entity, row_id)
) STRICT;

-- update_settings

CREATE TABLE update_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    location   TEXT NOT NULL CHECK (length(location) <= 1000),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
) STRICT;

-- users

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 3 AND 32),
    full_name            TEXT NOT NULL CHECK (length(trim(full_name)) > 0),
    email                TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'doctor', 'nurse', 'reception', 'billing', 'patient')),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'active', 'deactivated')),
    password_hash        TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    failed_logins        INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until         TEXT,
    last_login_at        TEXT,
    patient_id           TEXT UNIQUE REFERENCES patients (id),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    deleted_at           TEXT,
    server_seq           INTEGER, session_gen INTEGER NOT NULL DEFAULT 0, sign_key TEXT NOT NULL DEFAULT '', sealed_sign_key TEXT NOT NULL DEFAULT '', power_sig TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '',
    CHECK ((role = 'patient') = (patient_id IS NOT NULL))
) STRICT;

CREATE INDEX users_role_status ON users (role, status);

CREATE TRIGGER seal_users_del AFTER DELETE ON users BEGIN SELECT hms_seal('users', OLD.id); END;

CREATE TRIGGER seal_users_ins AFTER INSERT ON users BEGIN SELECT hms_seal('users', NEW.id); END;

CREATE TRIGGER seal_users_upd AFTER UPDATE ON users BEGIN SELECT hms_seal('users', OLD.id), hms_seal('users', NEW.id); END;

CREATE TRIGGER users_key_fixed BEFORE UPDATE OF id ON users WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER users_outbox_delete AFTER DELETE ON users
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'users' AND row_id = old.id;
END;

CREATE TRIGGER users_outbox_insert AFTER INSERT ON users
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'insert', json_object(
        'id', new.id, 'username', new.username, 'full_name', new.full_name, 'email', new.email,
        'phone', new.phone, 'role', new.role, 'status', new.status,
        'password_hash', new.password_hash, 'must_change_password', new.must_change_password,
        'patient_id', new.patient_id, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'sign_key', new.sign_key, 'sealed_sign_key', new.sealed_sign_key,
        'power_sig', new.power_sig, 'language', new.language), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER users_outbox_update AFTER UPDATE OF
    username, full_name, email, phone, role, status, password_hash, must_change_password, patient_id,
    created_at, updated_at, deleted_at, sign_key, sealed_sign_key, power_sig, language
ON users
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.username IS NOT new.username OR old.full_name IS NOT new.full_name OR old.email IS NOT new.email OR
        old.phone IS NOT new.phone OR old.role IS NOT new.role OR old.status IS NOT new.status OR
        old.password_hash IS NOT new.password_hash OR
        old.must_change_password IS NOT new.must_change_password OR old.patient_id IS NOT new.patient_id OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.sign_key IS NOT new.sign_key OR
        old.sealed_sign_key IS NOT new.sealed_sign_key OR old.power_sig IS NOT new.power_sig OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'username' AS field, new.username AS value WHERE old.username IS NOT new.username
        UNION ALL SELECT 'full_name', new.full_name WHERE old.full_name IS NOT new.full_name
        UNION ALL SELECT 'email', new.email WHERE old.email IS NOT new.email
        UNION ALL SELECT 'phone', new.phone WHERE old.phone IS NOT new.phone
        UNION ALL SELECT 'role', new.role WHERE old.role IS NOT new.role
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'password_hash', new.password_hash WHERE old.password_hash IS NOT new.password_hash
        UNION ALL SELECT 'must_change_password', new.must_change_password WHERE old.must_change_password IS NOT new.must_change_password
        UNION ALL SELECT 'patient_id', new.patient_id WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'sign_key', new.sign_key WHERE old.sign_key IS NOT new.sign_key
        UNION ALL SELECT 'sealed_sign_key', new.sealed_sign_key WHERE old.sealed_sign_key IS NOT new.sealed_sign_key
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'users', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

CREATE TRIGGER users_session_gen AFTER UPDATE OF role, status, password_hash, deleted_at ON users
WHEN new.role IS NOT old.role OR new.status IS NOT old.status OR new.deleted_at IS NOT old.deleted_at
    OR (new.password_hash IS NOT old.password_hash AND new.must_change_password = 1)
BEGIN
    UPDATE users SET session_gen = session_gen + 1 WHERE id = new.id;
END;

-- visit_records

CREATE TABLE visit_records (
    id         TEXT PRIMARY KEY,
    visit_id   TEXT NOT NULL REFERENCES visits (id),
    entity     TEXT NOT NULL CHECK (entity IN ('notes', 'vitals', 'prescriptions', 'diagnoses')),
    record_id  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (entity, record_id)
) STRICT;

CREATE INDEX visit_records_visit ON visit_records (visit_id);

CREATE TRIGGER seal_visit_records_del AFTER DELETE ON visit_records BEGIN SELECT hms_seal('visit_records', OLD.id); END;

CREATE TRIGGER seal_visit_records_ins AFTER INSERT ON visit_records BEGIN SELECT hms_seal('visit_records', NEW.id); END;

CREATE TRIGGER seal_visit_records_upd AFTER UPDATE ON visit_records BEGIN SELECT hms_seal('visit_records', OLD.id), hms_seal('visit_records', NEW.id); END;

CREATE TRIGGER visit_records_no_delete BEFORE DELETE ON visit_records
BEGIN
    SELECT RAISE(ABORT, 'a visit record is never deleted');
END;

CREATE TRIGGER visit_records_no_update BEFORE UPDATE ON visit_records
BEGIN
    SELECT RAISE(ABORT, 'a visit record is never changed');
END;

CREATE TRIGGER visit_records_outbox_insert AFTER INSERT ON visit_records
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visit_records', new.id, 'insert', json_object(
        'id', new.id, 'visit_id', new.visit_id, 'entity', new.entity, 'record_id', new.record_id,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

-- visits

CREATE TABLE visits (
    id             TEXT PRIMARY KEY,
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    doctor_id      TEXT NOT NULL REFERENCES users (id),
    doctor_name    TEXT NOT NULL,
    appointment_id TEXT REFERENCES appointments (id),
    status         TEXT NOT NULL CHECK (status IN ('open', 'completed')),
    started_at     TEXT NOT NULL,
    completed_at   TEXT,
    invoice_id     TEXT REFERENCES invoices (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
) STRICT;

CREATE INDEX visits_doctor ON visits (doctor_id, started_at);

CREATE INDEX visits_open ON visits (patient_id, started_at) WHERE status = 'open';

CREATE INDEX visits_patient ON visits (patient_id, started_at);

CREATE TRIGGER seal_visits_del AFTER DELETE ON visits BEGIN SELECT hms_seal('visits', OLD.id); END;

CREATE TRIGGER seal_visits_ins AFTER INSERT ON visits BEGIN SELECT hms_seal('visits', NEW.id); END;

CREATE TRIGGER seal_visits_upd AFTER UPDATE ON visits BEGIN SELECT hms_seal('visits', OLD.id), hms_seal('visits', NEW.id); END;

CREATE TRIGGER visits_key_fixed BEFORE UPDATE OF id ON visits WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER visits_outbox_delete AFTER DELETE ON visits
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER visits_outbox_insert AFTER INSERT ON visits
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id, 'doctor_name',
        new.doctor_name, 'appointment_id', new.appointment_id, 'status', new.status, 'started_at',
        new.started_at, 'completed_at', new.completed_at, 'invoice_id', new.invoice_id, 'created_at',
        new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER visits_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, doctor_name, appointment_id, status, started_at, completed_at, invoice_id,
    created_at, updated_at, deleted_at
ON visits
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR old.doctor_name IS NOT
        new.doctor_name OR old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.started_at IS NOT new.started_at OR old.completed_at IS NOT new.completed_at OR old.invoice_id
        IS NOT new.invoice_id OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT
        new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'doctor_id', new.doctor_id WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'doctor_name', new.doctor_name WHERE old.doctor_name IS NOT new.doctor_name
        UNION ALL SELECT 'appointment_id', new.appointment_id WHERE old.appointment_id IS NOT new.appointment_id
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'started_at', new.started_at WHERE old.started_at IS NOT new.started_at
        UNION ALL SELECT 'completed_at', new.completed_at WHERE old.completed_at IS NOT new.completed_at
        UNION ALL SELECT 'invoice_id', new.invoice_id WHERE old.invoice_id IS NOT new.invoice_id
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

-- vitals

CREATE TABLE vitals (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    taken_at         TEXT NOT NULL,
    systolic         INTEGER CHECK (systolic BETWEEN 50 AND 300),
    diastolic        INTEGER CHECK (diastolic BETWEEN 20 AND 200),
    pulse            INTEGER CHECK (pulse BETWEEN 20 AND 300),
    temperature_c    REAL CHECK (temperature_c BETWEEN 30 AND 45),
    resp_rate        INTEGER CHECK (resp_rate BETWEEN 4 AND 80),
    spo2             INTEGER CHECK (spo2 BETWEEN 50 AND 100),
    weight_kg        REAL CHECK (weight_kg BETWEEN 0.3 AND 500),
    height_cm        REAL CHECK (height_cm BETWEEN 20 AND 260),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    CHECK ((systolic IS NULL) = (diastolic IS NULL)),
    CHECK (systolic IS NULL OR systolic > diastolic),
    CHECK (coalesce(systolic, pulse, temperature_c, resp_rate, spo2, weight_kg, height_cm) IS NOT NULL)
) STRICT;

CREATE INDEX vitals_patient ON vitals (patient_id, taken_at, id);

CREATE TRIGGER seal_vitals_del AFTER DELETE ON vitals BEGIN SELECT hms_seal('vitals', OLD.id); END;

CREATE TRIGGER seal_vitals_ins AFTER INSERT ON vitals BEGIN SELECT hms_seal('vitals', NEW.id); END;

CREATE TRIGGER seal_vitals_upd AFTER UPDATE ON vitals BEGIN SELECT hms_seal('vitals', OLD.id), hms_seal('vitals', NEW.id); END;

CREATE TRIGGER vitals_key_fixed BEFORE UPDATE OF id ON vitals WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER vitals_outbox_delete AFTER DELETE ON vitals
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

CREATE TRIGGER vitals_outbox_insert AFTER INSERT ON vitals
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'taken_at', new.taken_at,
        'systolic', new.systolic, 'diastolic', new.diastolic, 'pulse', new.pulse,
        'temperature_c', new.temperature_c, 'resp_rate', new.resp_rate, 'spo2', new.spo2,
        'weight_kg', new.weight_kg, 'height_cm', new.height_cm, 'recorded_by', new.recorded_by,
        'recorded_by_name', new.recorded_by_name, 'created_at', new.created_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER vitals_outbox_update AFTER UPDATE OF
    patient_id, taken_at, systolic, diastolic, pulse, temperature_c, resp_rate, spo2, weight_kg,
    height_cm, recorded_by, recorded_by_name, created_at
ON vitals
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.taken_at IS NOT new.taken_at OR
        old.systolic IS NOT new.systolic OR old.diastolic IS NOT new.diastolic OR old.pulse IS NOT new.pulse OR
        old.temperature_c IS NOT new.temperature_c OR old.resp_rate IS NOT new.resp_rate OR
        old.spo2 IS NOT new.spo2 OR old.weight_kg IS NOT new.weight_kg OR old.height_cm IS NOT new.height_cm OR
        old.recorded_by IS NOT new.recorded_by OR old.recorded_by_name IS NOT new.recorded_by_name OR
        old.created_at IS NOT new.created_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'taken_at', new.taken_at WHERE old.taken_at IS NOT new.taken_at
        UNION ALL SELECT 'systolic', new.systolic WHERE old.systolic IS NOT new.systolic
        UNION ALL SELECT 'diastolic', new.diastolic WHERE old.diastolic IS NOT new.diastolic
        UNION ALL SELECT 'pulse', new.pulse WHERE old.pulse IS NOT new.pulse
        UNION ALL SELECT 'temperature_c', new.temperature_c WHERE old.temperature_c IS NOT new.temperature_c
        UNION ALL SELECT 'resp_rate', new.resp_rate WHERE old.resp_rate IS NOT new.resp_rate
        UNION ALL SELECT 'spo2', new.spo2 WHERE old.spo2 IS NOT new.spo2
        UNION ALL SELECT 'weight_kg', new.weight_kg WHERE old.weight_kg IS NOT new.weight_kg
        UNION ALL SELECT 'height_cm', new.height_cm WHERE old.height_cm IS NOT new.height_cm
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at);
END;
