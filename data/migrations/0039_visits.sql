-- The visit: a doctor starts it for a patient (from an appointment or not),
-- what the clinicians record for the patient while it is open is linked to
-- it (visit_records), and completing it makes the draft invoice with the
-- consultation and the services performed (invoice_id).
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

CREATE INDEX visits_patient ON visits (patient_id, started_at);
CREATE INDEX visits_open ON visits (patient_id, started_at) WHERE status = 'open';
CREATE INDEX visits_doctor ON visits (doctor_id, started_at);

-- A record made during a visit: written once.
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

CREATE TRIGGER visit_records_no_delete BEFORE DELETE ON visit_records
BEGIN
    SELECT RAISE(ABORT, 'a visit record is never deleted');
END;

CREATE TRIGGER visit_records_no_update BEFORE UPDATE ON visit_records
BEGIN
    SELECT RAISE(ABORT, 'a visit record is never changed');
END;

CREATE TRIGGER visits_outbox_insert AFTER INSERT ON visits
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id, 'doctor_name',
        new.doctor_name, 'appointment_id', new.appointment_id, 'status', new.status, 'started_at',
        new.started_at, 'completed_at', new.completed_at, 'invoice_id', new.invoice_id, 'created_at',
        new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER visits_key_fixed BEFORE UPDATE OF id ON visits WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER visits_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, doctor_name, appointment_id, status, started_at, completed_at, invoice_id,
    created_at, updated_at, deleted_at
ON visits
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR old.doctor_name IS NOT
        new.doctor_name OR old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.started_at IS NOT new.started_at OR old.completed_at IS NOT new.completed_at OR old.invoice_id
        IS NOT new.invoice_id OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT
        new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
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

CREATE TRIGGER visits_outbox_delete AFTER DELETE ON visits
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;

CREATE TRIGGER seal_visits_ins AFTER INSERT ON visits BEGIN SELECT hms_seal('visits', NEW.id); END;
CREATE TRIGGER seal_visits_upd AFTER UPDATE ON visits BEGIN SELECT hms_seal('visits', OLD.id), hms_seal('visits', NEW.id); END;
CREATE TRIGGER seal_visits_del AFTER DELETE ON visits BEGIN SELECT hms_seal('visits', OLD.id); END;

CREATE TRIGGER visit_records_outbox_insert AFTER INSERT ON visit_records
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visit_records', new.id, 'insert', json_object(
        'id', new.id, 'visit_id', new.visit_id, 'entity', new.entity, 'record_id', new.record_id,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_visit_records_ins AFTER INSERT ON visit_records BEGIN SELECT hms_seal('visit_records', NEW.id); END;
CREATE TRIGGER seal_visit_records_upd AFTER UPDATE ON visit_records BEGIN SELECT hms_seal('visit_records', OLD.id), hms_seal('visit_records', NEW.id); END;
CREATE TRIGGER seal_visit_records_del AFTER DELETE ON visit_records BEGIN SELECT hms_seal('visit_records', OLD.id); END;
