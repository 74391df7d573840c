-- A clinician's statement that a patient has no known drug allergies
-- (NKDA), dated and signed. Without one, and without an allergy, the chart
-- says "Allergies not recorded": nobody has asked. A statement is written
-- once and never changed; an allergy recorded after it, on any desk, ends
-- it (the chart derives the state from both tables, which sync).
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
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergy_statements', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'statement', new.statement,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
