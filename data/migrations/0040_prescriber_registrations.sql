-- A doctor's registration number with the medical board, printed on
-- prescriptions. Each change is a new row, never changed: the newest row
-- of a doctor's is in force, and the earlier ones stay readable.
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
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescriber_registrations', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'registration_number', new.registration_number,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_prescriber_registrations_ins AFTER INSERT ON prescriber_registrations BEGIN SELECT hms_seal('prescriber_registrations', NEW.id); END;
CREATE TRIGGER seal_prescriber_registrations_upd AFTER UPDATE ON prescriber_registrations BEGIN SELECT hms_seal('prescriber_registrations', OLD.id), hms_seal('prescriber_registrations', NEW.id); END;
CREATE TRIGGER seal_prescriber_registrations_del AFTER DELETE ON prescriber_registrations BEGIN SELECT hms_seal('prescriber_registrations', OLD.id); END;
