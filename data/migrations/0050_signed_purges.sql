-- Purging a patient is signed by the administrator who does it
-- (docs/SYNC-DESIGN.md, "Power comes only from the people who hold it"):
-- the purge writes one row here, signed (power_sig) over the patient it
-- purges and their record number, before it deletes the record. A desk
-- applies a pulled delete of a patient's record (patients, patient_events,
-- patient_changes) only when it holds such a row that verified, so a desk
-- login alone cannot delete a patient everywhere by tombstone. The column
-- is not named patient_id: the row is no patient data (a purge counts the
-- tables with that column, and merges re-point them).
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
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_purges', new.id, 'insert', json_object(
        'id', new.id, 'purged_patient', new.purged_patient, 'mrn', new.mrn, 'purged_by', new.purged_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'power_sig', new.power_sig), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_patient_purges_ins AFTER INSERT ON patient_purges BEGIN SELECT hms_seal('patient_purges', NEW.id); END;
CREATE TRIGGER seal_patient_purges_upd AFTER UPDATE ON patient_purges BEGIN SELECT hms_seal('patient_purges', OLD.id), hms_seal('patient_purges', NEW.id); END;
CREATE TRIGGER seal_patient_purges_del AFTER DELETE ON patient_purges BEGIN SELECT hms_seal('patient_purges', OLD.id); END;
