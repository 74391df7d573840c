-- The price-list item a doctor's consultations are billed with: the one
-- source of the consultation fee, shown on the doctor's profile and used by
-- the draft invoice of a visit. Each change is a new row, never changed:
-- the newest row of a doctor's is in force. A doctor with no row is billed
-- with the clinic's default item (the price list's consultation of the
-- doctor, else of their specialization, else the general one), and the
-- profile says so.
CREATE TABLE doctor_consultation_items (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id),
    price_code       TEXT NOT NULL CHECK (length(price_code) BETWEEN 1 AND 30 AND price_code = upper(price_code)),
    recorded_by      TEXT NOT NULL DEFAULT '',
    recorded_by_name TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
) STRICT;

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
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_consultation_items', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'price_code', new.price_code,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_doctor_consultation_items_ins AFTER INSERT ON doctor_consultation_items BEGIN SELECT hms_seal('doctor_consultation_items', NEW.id); END;
CREATE TRIGGER seal_doctor_consultation_items_upd AFTER UPDATE ON doctor_consultation_items BEGIN SELECT hms_seal('doctor_consultation_items', OLD.id), hms_seal('doctor_consultation_items', NEW.id); END;
CREATE TRIGGER seal_doctor_consultation_items_del AFTER DELETE ON doctor_consultation_items BEGIN SELECT hms_seal('doctor_consultation_items', OLD.id); END;
