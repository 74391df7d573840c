-- Letters a doctor writes for a patient (a sick note, a referral letter),
-- as they were issued: the patient, the doctor and the clinic's header
-- and wording as printed, so that a reprint shows the same document
-- (marked COPY). Written once, never changed or deleted; linked to the
-- visit open when it was written, if any.
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
    deleted_at          TEXT,
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
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'letters', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'visit_id', new.visit_id, 'kind', new.kind,
        'doctor_id', new.doctor_id, 'doctor_name', new.doctor_name, 'registration_number', new.registration_number,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn, 'patient_birth_date', new.patient_birth_date,
        'date_from', new.date_from, 'date_to', new.date_to, 'recipient', new.recipient, 'body', new.body,
        'text', new.text, 'clinic_name', new.clinic_name, 'clinic_details', new.clinic_details,
        'issued_on', new.issued_on, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_letters_ins AFTER INSERT ON letters BEGIN SELECT hms_seal('letters', NEW.id); END;
CREATE TRIGGER seal_letters_upd AFTER UPDATE ON letters BEGIN SELECT hms_seal('letters', OLD.id), hms_seal('letters', NEW.id); END;
CREATE TRIGGER seal_letters_del AFTER DELETE ON letters BEGIN SELECT hms_seal('letters', OLD.id); END;
