-- The language a letter was issued in (an i18n code: en, el, es), so that
-- a reprint's labels are in it, not in the patient's language of the day.
-- NULL for letters issued before: a reprint follows the patient's
-- language, as it did. Letters are written once; the outbox trigger
-- carries the new column.
ALTER TABLE letters ADD COLUMN language TEXT
    CHECK (language IS NULL OR (length(language) BETWEEN 2 AND 8 AND language = lower(language)));

DROP TRIGGER letters_outbox_insert;

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
        'deleted_at', new.deleted_at, 'language', new.language), tx_hlc
    FROM sync_meta;
END;
